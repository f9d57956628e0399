/*
 * tui: the ceremony application (ncurses).
 *
 * Shape (after tig's view_ops and ncdu): every screen is a small table of
 * functions -- open, draw, key, close -- kept on a stack; the top one is
 * shown.  Keys never reach a screen raw: tui.c turns them into requests
 * (struct tui_key) first, so screens speak "next field", "back", "help", not
 * key codes.  No ceremony logic lives here: screens call the core, and every
 * core call that can take time or ask a question back (key generation, share
 * delivery, passphrases, Argon2id, unlocking) runs as a job on a worker
 * thread (tui_job.c) while the screen keeps drawing; the worker's questions
 * are answered by screens on the UI thread.  Only the UI thread touches
 * curses.
 *
 * Secrets (share words typed or shown, passphrases) live in sodium_malloc
 * memory, are wiped when their screen closes or Esc abandons, and a screen
 * that showed one forces a full clear of the terminal when it closes.  The
 * program runs on the terminal's alternate screen, so nothing reaches the
 * scrollback, and clears it on exit.
 */
#ifndef UI_TUI_H
#define UI_TUI_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <limits.h>
#include <stddef.h>
#include <wchar.h>

#include "ceremony/cer_home.h"
#include "ceremony/cer_selftest.h"
#include "ceremony/cer_session.h"

/* The smallest terminal every screen is laid out for. */
#define TUI_MIN_COLS 80
#define TUI_MIN_LINES 24

/* --- requests ------------------------------------------------------------------ */

enum tui_req {
	TUI_REQ_NONE,
	TUI_REQ_CHAR,  /* a printable character: key.ch */
	TUI_REQ_ERASE, /* Backspace */
	TUI_REQ_KILL,  /* Ctrl-U: clear the field */
	TUI_REQ_ENTER,
	TUI_REQ_BACK, /* Esc */
	TUI_REQ_UP,
	TUI_REQ_DOWN,
	TUI_REQ_LEFT,
	TUI_REQ_RIGHT,
	TUI_REQ_NEXT, /* Tab */
	TUI_REQ_PREV, /* Shift-Tab */
	TUI_REQ_PGUP,
	TUI_REQ_PGDN,
	TUI_REQ_HELP,   /* F1, or '?' where '?' is not text */
	TUI_REQ_QUIT,   /* Ctrl-C */
	TUI_REQ_REDRAW, /* Ctrl-L */
	TUI_REQ_RESIZE,
	TUI_REQ_TICK, /* nothing typed for a while (spinners, polling) */
};

struct tui_key {
	enum tui_req req;
	wchar_t ch; /* TUI_REQ_CHAR only */
};

/* --- screens ----------------------------------------------------------------- */

struct tui;
struct tui_screen;

/* Screen flags. */
#define TUI_F_TEXT 0x1u   /* printable keys are text ('?' too): help is F1 only */
#define TUI_F_SECRET 0x2u /* shows or takes a secret: full terminal clear on close */
#define TUI_F_BUSY 0x4u   /* a job runs under it: Ctrl-C cannot just leave */
#define TUI_F_CALM 0x8u   /* nothing is lost by quitting here: Ctrl-C needs no question */

struct tui_screen_ops {
	const char *title; /* header line */
	const char *keys;  /* status-line hint, e.g. "Enter next  Esc back" */
	const char *help;  /* the F1 paragraph */
	unsigned flags;
	/* Sets s->st from arg; returns 0 or an error (the screen is then not shown). */
	int (*open)(struct tui *t, struct tui_screen *s, void *arg);
	/* Draws the body (rows 1 .. LINES-2). */
	void (*draw)(struct tui *t, struct tui_screen *s);
	/* Handles one request. */
	void (*key)(struct tui *t, struct tui_screen *s, const struct tui_key *k);
	/* Wipes and frees s->st; called exactly once, also when the program quits. */
	void (*close)(struct tui *t, struct tui_screen *s);
};

struct tui_screen {
	const struct tui_screen_ops *ops;
	void *st;
	struct tui_screen *below;
	char title[64]; /* overrides ops->title in the header when set */
};

/* The application. */
struct tui {
	char home[PATH_MAX];
	struct cer_home *h;     /* the CA, once one exists; a job may be using it */
	char ca_name[128];      /* for the header, which is drawn while jobs run */
	unsigned long home_gen; /* counts tui_open_home(): screens showing the CA look again */
	struct tui_screen *top;
	struct tui_job *job; /* the one core job running, or NULL */
	struct cer_hardening hardening;
	int quit;      /* leave the main loop once no job runs */
	int exit_code; /* CLI_OK, or CLI_FAIL when the CA could not be opened */
	int color;     /* colours in use (NO_COLOR unset, terminal able) */
	int utf8;      /* block and bullet characters available */
	int has_altscreen;
	int wipe_scrollback; /* a secret left the screen: also clear the scrollback */
	int help;            /* the help overlay is shown */
	int too_small;
	unsigned long ticks;
	/* the custodian now holding the laptop, "" for the operator */
	char handed_to[CER_NAME_MAX];
	char operator_name[CER_OPERATOR_MAX]; /* who drives this run of the application */
	char role[24];                        /* and in which role */
	char flash[256]; /* one line for the status bar, cleared by the next key */
};

/* Pushes a screen of ops opened with arg; returns 0 or open's error (flashed). */
int tui_push(struct tui *t, const struct tui_screen_ops *ops, void *arg);

/* Closes and removes the top screen. */
void tui_pop(struct tui *t);

/* Pops the top screen, then pushes ops (the same as pop + push). */
int tui_replace(struct tui *t, const struct tui_screen_ops *ops, void *arg);

/* Closes every screen above the bottom one (the dashboard or the first-run screen). */
void tui_pop_to_bottom(struct tui *t);

/* A message for the status line until the next key. */
void tui_flash(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Asks the main loop to leave (after any job has finished). */
void tui_request_quit(struct tui *t);

/* (Re)opens the CA at t->home into t->h; returns 0 or the core's error. */
int tui_open_home(struct tui *t);

/* --- drawing (tui_draw.c) ------------------------------------------------------ */

enum tui_style {
	TUI_S_NORMAL,
	TUI_S_TITLE,   /* the header bar */
	TUI_S_HEADING, /* a heading in the body */
	TUI_S_LABEL,   /* a field's label */
	TUI_S_FIELD,   /* an input field */
	TUI_S_FOCUS,   /* the field or button with the focus */
	TUI_S_ERROR,
	TUI_S_OK,
	TUI_S_WARN,
	TUI_S_DIM,    /* not available yet, hints */
	TUI_S_SECRET, /* share words shown */
	TUI_S_QR,     /* QR modules: black on white */
	TUI_S_STATUS, /* the status line */
	TUI_S_COUNT
};

/* What went wrong, for a field: the core's detail when it has one, else the message. */
void tui_err_text(int code, char *buf, size_t len);

/* snprintf for text on screen: cutting it short is harmless, so it is not an error. */
void tui_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets up colour pairs (or not, under NO_COLOR or a monochrome terminal). */
void tui_styles_init(struct tui *t);
attr_t tui_style(const struct tui *t, enum tui_style s);

/* Columns text takes on screen (UTF-8). */
int tui_width(const char *text);

/* Writes text at (y, x) in style s, cut at x + w columns; returns the columns used. */
int tui_put(const struct tui *t, int y, int x, int w, enum tui_style s, const char *text);

/* printf to (y, x), cut at the right edge of the screen. */
int tui_putf(const struct tui *t, int y, int x, enum tui_style s, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

/* Word-wraps text into w columns from (y, x), at most maxlines lines; returns lines used. */
int tui_wrap(const struct tui *t, int y, int x, int w, int maxlines, enum tui_style s,
             const char *text);

/* Lines tui_wrap would use for text in w columns. */
int tui_wrap_lines(const char *text, int w);

/* A heading line at y with a rule under it; returns the next free row. */
int tui_heading(const struct tui *t, int y, const char *text);

/* A row of buttons at y; sel is highlighted.  Returns the next free row. */
int tui_buttons(const struct tui *t, int y, int x, const char *const *labels, size_t n, size_t sel);

/* The spinner frame for now, and a check mark / bullet that fit the terminal. */
const char *tui_spinner(const struct tui *t);
const char *tui_check(const struct tui *t);
const char *tui_bullet(const struct tui *t);

/* The first body row, last body row, and the left margin. */
#define TUI_TOP 2
#define TUI_BOTTOM (LINES - 3)
#define TUI_LEFT 2
#define TUI_WIDTH (COLS - 2 * TUI_LEFT)

/* --- forms (tui_form.c) -------------------------------------------------------- */

enum tui_field_kind { TUI_FIELD_TEXT, TUI_FIELD_NUMBER, TUI_FIELD_CHOICE };

#define TUI_FIELD_TEXT_MAX 192

struct tui_field {
	enum tui_field_kind kind;
	const char *label;
	const char *hint; /* shown beside the field when it has the focus */
	char text[TUI_FIELD_TEXT_MAX];
	size_t maxlen;              /* bytes, < TUI_FIELD_TEXT_MAX; 0: the buffer's size */
	const char *const *choices; /* TUI_FIELD_CHOICE */
	size_t nchoices, choice;
	int width;       /* columns of the input box */
	char error[256]; /* set by validation, shown under the field */
};

struct tui_form {
	struct tui_field *fields;
	size_t n, cur, scroll;
	/* Checks one field: 0, or an error with f->error set. */
	int (*validate)(struct tui_form *form, size_t i, void *ctx);
	void *ctx;
};

enum tui_form_result { TUI_FORM_STAY, TUI_FORM_DONE, TUI_FORM_CANCEL, TUI_FORM_CHANGED };

/* Draws the form in rows y .. y + h - 1. */
void tui_form_draw(const struct tui *t, struct tui_form *f, int y, int h);

/*
 * One request: Tab/Down/Enter validate the field and move on (Enter on the
 * last field validates all and returns TUI_FORM_DONE), Up/Shift-Tab move back,
 * Esc returns TUI_FORM_CANCEL, edits return TUI_FORM_CHANGED.
 */
enum tui_form_result tui_form_key(struct tui_form *f, const struct tui_key *k);

/* Validates every field; moves the focus to the first bad one.  0 or -1. */
int tui_form_check_all(struct tui_form *f);

/* --- secret entry (tui_entry.c) ------------------------------------------------ */

/*
 * A card typed one word at a time.  Letters are shown as bullets; from the
 * fourth letter on every key looks the word up, so a word not in the list is
 * reported at once; Space or Enter confirms the word, and only then is the
 * completed word echoed.  Everything lives in one sodium_malloc block.
 */
struct tui_words;

enum tui_words_event {
	TUI_WORDS_NONE,
	TUI_WORDS_TYPING,   /* a letter was added or removed */
	TUI_WORDS_UNKNOWN,  /* the letters typed are no word of the list: entry cleared */
	TUI_WORDS_ACCEPTED, /* a word was confirmed */
	TUI_WORDS_COMPLETE, /* the last expected word was confirmed, or Enter on an empty word */
	TUI_WORDS_BACKED,   /* Backspace on an empty word reopened the previous one */
	TUI_WORDS_IGNORED,  /* not a key for the entry */
};

/* A new entry expecting up to `expect` words (<= CER_CARD_WORDS + 8). */
struct tui_words *tui_words_new(size_t expect);
/* Wipes and frees; NULL is a no-op. */
void tui_words_free(struct tui_words *w);
/* Wipes every word and starts again. */
void tui_words_reset(struct tui_words *w);

/* Handles one request; may set *pos to the 1-based word concerned. */
enum tui_words_event tui_words_key(struct tui_words *w, const struct tui_key *k, size_t *pos);

/* Words confirmed so far, letters typed in the current word, expected words. */
size_t tui_words_count(const struct tui_words *w);
size_t tui_words_typing(const struct tui_words *w);
size_t tui_words_expected(const struct tui_words *w);

/* The i-th confirmed word (0-based). */
const char *tui_words_word(const struct tui_words *w, size_t i);

/* The letters of the current word (for checking against a card shown). */
const char *tui_words_current(const struct tui_words *w, size_t *len);

/* Drops the current word's letters (after the screen refused it). */
void tui_words_clear_current(struct tui_words *w);

/* The confirmed words joined by spaces (guarded memory, owned by w). */
const char *tui_words_mnemonic(struct tui_words *w);

/* The card positions the entry's words are (for a selection of words); expected entries. */
void tui_words_set_labels(struct tui_words *w, const size_t *labels);

/* Allows Enter on an empty word to finish once at least min words are in. */
void tui_words_allow_short(struct tui_words *w, size_t min);

/*
 * Draws the entry: the grid of confirmed words (when show_words) and the
 * current word as bullets.  Returns the next free row.
 */
int tui_words_draw(const struct tui *t, const struct tui_words *w, int y, int show_words);

/* A passphrase typed masked, in guarded memory. */
struct tui_secret;
struct tui_secret *tui_secret_new(size_t max);
void tui_secret_free(struct tui_secret *s);
void tui_secret_reset(struct tui_secret *s);
/* 1 when the key edited the text, 0 when not one for the field. */
int tui_secret_key(struct tui_secret *s, const struct tui_key *k);
const char *tui_secret_text(const struct tui_secret *s);
size_t tui_secret_len(const struct tui_secret *s);
void tui_secret_draw(const struct tui *t, const struct tui_secret *s, int y, int x, int focus);

/* --- jobs (tui_job.c) ---------------------------------------------------------- */

/* A question the worker asks the UI thread, which answers with tui_job_answer(). */
enum tui_ask_kind { TUI_ASK_DELIVER, TUI_ASK_PASSPHRASE };

struct tui_ask {
	enum tui_ask_kind kind;
	const char *custodian;
	size_t index, total;  /* deliver: which share of how many */
	const char *mnemonic; /* deliver: the worker's guarded buffer, valid until answered */
	char *buf;            /* passphrase: the core's guarded buffer */
	size_t len;
	int set; /* passphrase: a new one (type it twice) rather than an existing one */
};

/* What a job's worker function sees. */
struct tui_job;
typedef int (*tui_job_fn)(struct tui_job *j, void *arg);
/* Called on the UI thread when the job ends; msg describes a failure ("" on success). */
typedef void (*tui_job_done_fn)(struct tui *t, void *arg, int rc, const char *msg);
/* Called on the UI thread for each question; it pushes screens that answer in the end. */
typedef void (*tui_job_ask_fn)(struct tui *t, void *arg, const struct tui_ask *ask);

/* The steps a progress screen lists; the current one gets the spinner. */
#define TUI_JOB_STEPS 8

struct tui_job_spec {
	const char *title;                /* the progress screen's heading */
	const char *steps[TUI_JOB_STEPS]; /* NULL-terminated */
	tui_job_fn fn;
	tui_job_ask_fn ask; /* NULL: questions are refused */
	tui_job_done_fn done;
	void *arg;
	int passphrase_set; /* passphrases asked are new ones */
};

/* Starts a job and shows its progress screen.  0 or an error (flashed). */
int tui_job_start(struct tui *t, const struct tui_job_spec *spec);

/* Worker side: core callbacks whose ctx is the struct tui_job. */
int tui_job_deliver(void *ctx, const char *custodian, size_t index, size_t total,
                    const char *mnemonic);
int tui_job_passphrase(void *ctx, const char *custodian, char *buf, size_t len);

/* UI side: the answer to the question being served (0 or an error such as CUSTOS_ECANCELLED). */
void tui_job_answer(struct tui *t, int rc);

/* UI side: marks progress step i as the current one (those before are done). */
void tui_job_step(struct tui *t, size_t i);
/* UI side: a line under the steps (e.g. "shares delivered: 1 of 3"). */
void tui_job_note(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Serves questions and ends finished jobs; called by the main loop. */
void tui_job_poll(struct tui *t);

/* Makes every pending and future question of the running job answer CUSTOS_ECANCELLED. */
void tui_job_cancel(struct tui *t);

/* --- screens ------------------------------------------------------------------- */

/* Generic: a message with a heading; Enter or Esc closes it and calls done. */
struct tui_message {
	const char *title;
	char heading[128];
	char text[2048];
	int error;
	void (*done)(struct tui *t, void *ctx);
	void *ctx;
};
int tui_message_open(struct tui *t, const struct tui_message *m);

/*
 * Generic: a decision.  The question and its consequences, then buttons; the
 * safe one has the focus first.  When `typed` is set, the action also needs
 * that word typed (for what cannot be undone).  yes is called on the action,
 * no (may be NULL) on the safe choice or Esc; the screen is popped first.
 */
struct tui_confirm {
	const char *title;
	char heading[128];
	char text[2048];
	const char *yes_label, *no_label;
	const char *typed;
	int danger;
	void (*yes)(struct tui *t, void *ctx);
	void (*no)(struct tui *t, void *ctx);
	void *ctx;
};
int tui_confirm_open(struct tui *t, const struct tui_confirm *c);

/* First run and the new-CA wizard (tui_wizard.c). */
extern const struct tui_screen_ops tui_intro_ops;

/* The dashboard (tui_dash.c). */
extern const struct tui_screen_ops tui_dash_ops;

/* Share delivery for init and rotation: answers TUI_ASK_DELIVER / _PASSPHRASE (tui_deliver.c). */
void tui_deliver_ask(struct tui *t, void *arg, const struct tui_ask *ask);

/* Answers a passphrase question of a quorum (an existing passphrase). */
void tui_passphrase_ask(struct tui *t, void *arg, const struct tui_ask *ask);

/* Quorum entry (tui_quorum.c). */
enum tui_quorum_mode {
	TUI_QUORUM_UNLOCK, /* collect shares until the quorum is met */
	TUI_QUORUM_VERIFY, /* check each custodian's card; nothing is kept or unlocked */
};
struct tui_quorum_spec {
	enum tui_quorum_mode mode;
	char purpose[160];           /* "to activate the key" */
	struct cer_session *session; /* records every card offered (not owned) */
	/* UNLOCK: called with the met quorum, which the callee then owns. */
	void (*met)(struct tui *t, void *ctx, struct cer_quorum *q);
	/*
	 * Called instead when the screen closes without a quorum (Esc, quit); may be
	 * NULL.  VERIFY: verified custodians counted, summary names who was and was not.
	 */
	void (*closed)(struct tui *t, void *ctx, size_t verified, const char *summary);
	void *ctx;
};
int tui_quorum_open(struct tui *t, const struct tui_quorum_spec *spec);

/*
 * An operation in an audited session (tui_ops.c): after the caller's decision,
 * the time confirmed (signing sessions), the session begun, the quorum (when
 * asked for), then run on the worker and done on the UI thread.
 */
typedef int (*tui_op_fn)(struct tui_job *j, struct cer_session *s, struct cer_home *h,
                         struct cer_unlocked *u, void *arg);
struct tui_op_spec {
	const char *verb;  /* the session's verb: "sign", "crl", "key-state", ... */
	unsigned flags;    /* CER_SESSION_SIGNING asks for the time first */
	int quorum;        /* collect a quorum and unlock the key before run */
	char purpose[160]; /* "to sign the CSR" */
	const char *title; /* the progress screen's */
	const char *steps[TUI_JOB_STEPS - 1];
	/* On the UI thread once the session has begun, before the quorum; may be NULL. */
	int (*begun)(struct cer_session *s, struct cer_home *h, void *arg);
	tui_op_fn run; /* on the worker; u is NULL without a quorum */
	tui_job_ask_fn ask;
	int passphrase_set;
	/* On the UI thread, with the transcript's path ("" when none); owns arg. */
	void (*done)(struct tui *t, void *arg, int rc, const char *msg, const char *transcript);
	void (*cancel)(void *arg); /* frees arg when done is never reached; may be NULL */
	void *arg;
};
void tui_op_start(struct tui *t, const struct tui_op_spec *spec);

/* A result screen: heading, text, and the transcript's path and words when there is one. */
void tui_op_result(struct tui *t, int rc, const char *msg, const char *heading, const char *text,
                   const char *transcript);

/* The same, then done(t, ctx) once the result screen is closed (may be NULL). */
void tui_op_result_then(struct tui *t, int rc, const char *msg, const char *heading,
                        const char *text, const char *transcript,
                        void (*done)(struct tui *t, void *ctx), void *ctx);

/*
 * Export (tui_export.c): choose an artifact, then a removable mount, a typed
 * directory, or QR codes on screen.  tui_export_offer asks whether to export
 * one artifact now (kind CER_ARTIFACT_CERT or _CRL; serial: hex, for a cert).
 */
void tui_export_open(struct tui *t);
void tui_export_offer(struct tui *t, int kind, const char *serial_hex);

/* The CA engine's ceremonies (tui_sign.c) and the audit log (tui_audit.c). */
void tui_sign_open(struct tui *t);
void tui_crl_open(struct tui *t);
void tui_revoke_open(struct tui *t);
void tui_audit_open(struct tui *t);

/* Maintenance: key state, share verification, rotation, quorum test (tui_ops.c). */
void tui_ops_key_state(struct tui *t);
void tui_ops_verify(struct tui *t);
void tui_ops_rotate(struct tui *t);
void tui_ops_test(struct tui *t);

/*
 * A full-screen QR code of text (tui_qr.c).  secret: text is a share's words, kept in
 * guarded memory, wiped on close, and encoded in capitals (QR alphanumeric mode).
 */
int tui_qr_open(struct tui *t, const char *title, const char *text, int secret);

/* --- sessions (tui_session.c) ------------------------------------------------------ */

/* Begins an audited core session on t->home as t's operator (cer_session_begin). */
int tui_session_begin(struct tui *t, const char *verb, unsigned flags, const char *confirm_time,
                      int allow_network, struct cer_session **out) CUSTOS_WUR;

/* A session for a CA not yet created (cer_init records into it). */
int tui_session_new(struct tui *t, const char *verb, struct cer_session **out) CUSTOS_WUR;

/*
 * Ends and frees s (NULL: returns r): records the end with result r, signs the
 * checkpoint and writes the transcript when u is given; transcript gets its path
 * ("" when none).  Returns r when it failed (with its detail kept), else the
 * ending's error or 0.  Safe on the worker thread.
 */
int tui_session_finish(struct cer_session *s, const struct cer_home *h,
                       const struct cer_unlocked *u, int r, char *transcript, size_t len);

/* The SHA-256 of the transcript at path as words to read aloud ("" when unreadable). */
void tui_transcript_words(const char *path, char *words, size_t len);

/* Asks who operates (name and role) into t->operator_name and t->role. */
void tui_operator_open(struct tui *t);

/* The operator's confirmation of the UTC time (NULL: cancelled) and of a network that is up. */
typedef void (*tui_time_fn)(struct tui *t, void *ctx, const char *confirm_time, int allow_network);
void tui_time_confirm(struct tui *t, tui_time_fn done, void *ctx);

/* --- entry points ------------------------------------------------------------------ */

/* The hardening report of start-up, shown on the dashboard. */
void tui_set_hardening(const struct cer_hardening *h);

/* `custos tui [--home DIR]`: runs the application; returns an exit code. */
int tui_main(int argc, char **argv);

#endif
