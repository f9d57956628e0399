/*
 * tui_session: who drives the application, and the audited sessions every
 * operation runs in (ceremony/cer_session.h).
 *
 * The operator names themselves (and their role) when the application
 * starts; every operation then begins a core session with that name, which
 * records each step in the CA's audit log, refuses a clock that went
 * backwards, and -- for a signing ceremony -- a network interface up (unless
 * the operator allowed it: recorded) and a time the operator did not confirm.
 * The screens here take the name and the confirmed time; the core decides.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ceremony/cer_file.h"
#include "ceremony/cer_transcript.h"
#include "ui/tui.h"

static const char *const roles[] = {"operator", "security-officer", "auditor"};
#define NROLES (sizeof(roles) / sizeof(roles[0]))

/* --- sessions --------------------------------------------------------------------------- */

static void
params_of(const struct tui *t, struct cer_session_params *p, const char *verb, unsigned flags,
          const char *confirm_time, int allow_network)
{
	memset(p, 0, sizeof(*p));
	p->verb = verb;
	p->operator_name = t->operator_name[0] != '\0' ? t->operator_name : NULL;
	p->role = t->role[0] != '\0' ? t->role : NULL;
	p->flags = flags;
	p->confirm_time = confirm_time;
	p->allow_network = allow_network;
}

int
tui_session_begin(struct tui *t, const char *verb, unsigned flags, const char *confirm_time,
                  int allow_network, struct cer_session **out)
{
	struct cer_session_params p;

	params_of(t, &p, verb, flags, confirm_time, allow_network);
	return cer_session_begin(t->home, &p, out);
}

int
tui_session_new(struct tui *t, const char *verb, struct cer_session **out)
{
	struct cer_session_params p;

	params_of(t, &p, verb, 0, NULL, 0);
	return cer_session_new(&p, out);
}

void
tui_transcript_words(const char *path, char *words, size_t len)
{
	char w[CER_TRANSCRIPT_WORDS_LEN];
	uint8_t *data = NULL, h[32];
	size_t n = 0;

	words[0] = '\0';
	if (path[0] == '\0' || cer_file_read(path, CER_TRANSCRIPT_MAX, &data, &n) != 0)
		return;
	crypto_hash_sha256(h, data, n);
	free(data);
	cer_transcript_words(h, w);
	tui_fmt(words, len, "%s", w);
}

int
tui_session_finish(struct cer_session *s, const struct cer_home *h, const struct cer_unlocked *u,
                   int r, char *transcript, size_t len)
{
	char saved[512];
	int e;

	transcript[0] = '\0';
	if (s == NULL)
		return r;
	tui_fmt(saved, sizeof(saved), "%s", custos_err_detail());
	e = cer_session_end(s, h, u, r, transcript, len);
	cer_session_free(s);
	if (r != 0) {
		(void)custos_err_set(r, "%s", saved); /* the operation's reason, not the ending's */
		return r;
	}
	return e;
}

/* --- who operates ---------------------------------------------------------------------- */

enum { F_NAME, F_ROLE, OPERATOR_FIELDS };

struct operator_st {
	struct tui_field fields[OPERATOR_FIELDS];
	struct tui_form form;
};

static int
operator_validate(struct tui_form *form, size_t i, void *ctx)
{
	struct tui_field *f = &form->fields[i];
	int r;

	(void)ctx;
	r = i == F_NAME ? cer_session_check_operator(f->text)
	                : cer_session_check_role(roles[f->choice]);
	if (r != 0)
		tui_err_text(r, f->error, sizeof(f->error));
	return r != 0 ? -1 : 0;
}

static int
operator_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct operator_st *st = calloc(1, sizeof(*st));
	const char *env = getenv("CUSTOS_OPERATOR");
	size_t i;

	(void)arg;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	st->fields[F_NAME] = (struct tui_field){
	        .kind = TUI_FIELD_TEXT,
	        .label = "Your name",
	        .hint = "recorded with every step of this session in the audit log",
	        .width = 40,
	        .maxlen = CER_OPERATOR_MAX - 1};
	st->fields[F_ROLE] = (struct tui_field){
	        .kind = TUI_FIELD_CHOICE,
	        .label = "Your role",
	        .hint = "Left/Right to choose; only the operator drives a signing ceremony",
	        .choices = roles,
	        .nchoices = NROLES};
	tui_fmt(st->fields[F_NAME].text, sizeof(st->fields[F_NAME].text), "%s",
	        t->operator_name[0] ? t->operator_name
	        : env != NULL       ? env
	                            : "");
	for (i = 0; i < NROLES; i++)
		if (strcmp(t->role, roles[i]) == 0)
			st->fields[F_ROLE].choice = i;
	st->form = (struct tui_form){st->fields, OPERATOR_FIELDS, 0, 0, operator_validate, NULL};
	s->st = st;
	return 0;
}

static void
operator_close(struct tui *t, struct tui_screen *s)
{
	(void)t;
	free(s->st);
}

static void
operator_draw(struct tui *t, struct tui_screen *s)
{
	struct operator_st *st = s->st;
	int y = tui_heading(t, TUI_TOP, "Who is operating custos?");

	y += tui_wrap(
	             t, y, TUI_LEFT, TUI_WIDTH, 4, TUI_S_NORMAL,
	             "Every step is recorded in the CA's audit log under the name of the person at "
	             "the keyboard. Custodians are identified by their cards; this is the "
	             "operator (or the security officer or auditor driving this session).") +
	     1;
	tui_form_draw(t, &st->form, y, TUI_BOTTOM - y);
}

static void
operator_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct operator_st *st = s->st;

	switch (tui_form_key(&st->form, k)) {
	case TUI_FORM_DONE:
		tui_fmt(t->operator_name, sizeof(t->operator_name), "%s", st->fields[F_NAME].text);
		tui_fmt(t->role, sizeof(t->role), "%s", roles[st->fields[F_ROLE].choice]);
		tui_pop(t);
		break;
	case TUI_FORM_CANCEL:
		if (t->operator_name[0] != '\0')
			tui_pop(t);
		else
			tui_flash(t, "Name the operator first (Ctrl-C quits).");
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops operator_ops = {
        .title = "Operator",
        .keys = "Tab next  Enter done",
        .flags = TUI_F_TEXT | TUI_F_CALM,
        .help = "The person at the keyboard names themselves, and their role: the operator drives "
                "ceremonies; a security officer or an auditor may open the application to look and "
                "verify. The name goes into the audit log with every step of every session, so the "
                "log says who did what. Press Enter on the role to go on.",
        .open = operator_open,
        .draw = operator_draw,
        .key = operator_key,
        .close = operator_close,
};

void
tui_operator_open(struct tui *t)
{
	(void)tui_push(t, &operator_ops, NULL);
}

/* --- the time, confirmed by a person ---------------------------------------------------- */

enum { F_TIME, F_NETWORK, TIME_FIELDS };
static const char *const no_yes[] = {"no", "yes (recorded in the audit log)"};

struct time_st {
	struct tui_field fields[TIME_FIELDS];
	struct tui_form form;
	struct cer_env env;
	char up[256];
	size_t nup;
	tui_time_fn done;
	void *ctx;
};

static int
time_validate(struct tui_form *form, size_t i, void *ctx)
{
	struct time_st *st = ctx;
	struct tui_field *f = &form->fields[i];
	int64_t ms;
	int r = 0;

	if (i == F_TIME) {
		if ((r = cer_confirm_time_parse(f->text, &ms)) == 0)
			r = cer_clock_confirm(cer_clock_now_ms(), ms);
	} else if (st->nup > 0 && f->choice == 0) {
		tui_fmt(f->error, sizeof(f->error),
		        "Signing is refused while a network interface is "
		        "up (%s): disconnect it, or choose yes to go on (recorded).",
		        st->up);
		return -1;
	}
	if (r != 0)
		tui_err_text(r, f->error, sizeof(f->error));
	return r != 0 ? -1 : 0;
}

static int
time_open(struct tui *t, struct tui_screen *s, void *arg)
{
	const struct time_st *in = arg;
	struct time_st *st = calloc(1, sizeof(*st));

	(void)t;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	st->done = in->done;
	st->ctx = in->ctx;
	if (cer_env_scan(&st->env) == 0)
		st->nup = cer_env_up(&st->env, st->up, sizeof(st->up));
	st->fields[F_TIME] = (struct tui_field){
	        .kind = TUI_FIELD_TEXT,
	        .label = "UTC time (YYYY-MM-DDTHH:MMZ)",
	        .hint = "read from a clock you trust (a witness's watch), not from this screen",
	        .width = 20,
	        .maxlen = 17};
	st->fields[F_NETWORK] = (struct tui_field){.kind = TUI_FIELD_CHOICE,
	                                           .label = "Sign with the network up?",
	                                           .hint = "Left/Right to choose",
	                                           .choices = no_yes,
	                                           .nchoices = 2};
	st->form = (struct tui_form){st->fields, st->nup > 0 ? TIME_FIELDS : 1, 0, 0, time_validate,
	                             st};
	s->st = st;
	return 0;
}

static void
time_close(struct tui *t, struct tui_screen *s)
{
	(void)t;
	free(s->st);
}

static void
time_draw(struct tui *t, struct tui_screen *s)
{
	struct time_st *st = s->st;
	char line[512];
	int y = tui_heading(t, TUI_TOP, "Confirm the time and the air gap");

	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 4, TUI_S_NORMAL,
	              "A signing ceremony starts with the operator confirming the time: "
	              "certificates "
	              "and CRLs carry it, and the audit log must not go back in time. Read the UTC "
	              "time aloud from a trusted clock and type it; it must be within 5 minutes of "
	              "this laptop's clock.") +
	     1;
	cer_env_describe(&st->env, line, sizeof(line));
	tui_putf(t, y++, TUI_LEFT, st->nup > 0 ? TUI_S_ERROR : TUI_S_OK, "Network: %s", line);
	y++;
	tui_form_draw(t, &st->form, y, TUI_BOTTOM - y);
}

static void
time_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct time_st *st = s->st;
	char when[32];
	tui_time_fn done = st->done;
	void *ctx = st->ctx;
	int allow;

	switch (tui_form_key(&st->form, k)) {
	case TUI_FORM_DONE:
		tui_fmt(when, sizeof(when), "%s", st->fields[F_TIME].text);
		allow = st->nup > 0 && st->fields[F_NETWORK].choice == 1;
		tui_pop(t);
		done(t, ctx, when, allow);
		break;
	case TUI_FORM_CANCEL:
		tui_pop(t);
		done(t, ctx, NULL, 0);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops time_ops = {
        .title = "Confirm the time",
        .keys = "Enter confirm  Esc cancel",
        .help = "Before a signing ceremony the operator confirms the UTC time from a clock the "
                "witnesses trust, as YYYY-MM-DDTHH:MMZ (e.g. 2026-03-01T14:05Z). custos refuses a "
                "time more than 5 minutes from its own clock, and a clock earlier than the newest "
                "audit record. With a network interface up, signing is refused unless the operator "
                "explicitly goes on, which is recorded in the audit log.",
        .flags = TUI_F_TEXT,
        .open = time_open,
        .draw = time_draw,
        .key = time_key,
        .close = time_close,
};

void
tui_time_confirm(struct tui *t, tui_time_fn done, void *ctx)
{
	struct time_st in;

	memset(&in, 0, sizeof(in));
	in.done = done;
	in.ctx = ctx;
	if (tui_push(t, &time_ops, &in) != 0)
		done(t, ctx, NULL, 0);
}
