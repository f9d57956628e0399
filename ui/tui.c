/*
 * tui: the application's frame: the terminal (alternate screen, colours or
 * NO_COLOR, resize, too-small message), the screen stack, the request layer
 * that turns keys into requests, the help overlay, the header and status
 * lines, and `custos tui`.
 *
 * Invariants: only this thread touches curses; every screen is closed (its
 * secrets wiped) exactly once, also on quit and on signals; the terminal's
 * alternate screen is cleared before the program leaves it.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <term.h>
#include <time.h>
#include <unistd.h>

#include "ui/cli.h"
#include "ui/tui.h"

static struct cer_hardening start_hardening;
static volatile sig_atomic_t got_signal;

void
tui_set_hardening(const struct cer_hardening *h)
{
	start_hardening = *h;
}

/* --- the screen stack ------------------------------------------------------------- */

int
tui_push(struct tui *t, const struct tui_screen_ops *ops, void *arg)
{
	struct tui_screen *s = calloc(1, sizeof(*s));
	char msg[512];
	int r;

	if (s == NULL) {
		tui_flash(t, "out of memory");
		return CUSTOS_ENOMEM;
	}
	s->ops = ops;
	s->below = t->top;
	if (ops->open != NULL && (r = ops->open(t, s, arg)) != 0) {
		free(s);
		tui_flash(t, "%s", custos_err_describe(r, msg, sizeof(msg)));
		return r;
	}
	t->top = s;
	t->help = 0;
	return 0;
}

void
tui_pop(struct tui *t)
{
	struct tui_screen *s = t->top;

	if (s == NULL)
		return;
	t->top = s->below;
	if (s->ops->close != NULL)
		s->ops->close(t, s);
	/* What a secret screen showed must leave the terminal, not just our buffers. */
	if (s->ops->flags & TUI_F_SECRET) {
		clearok(curscr, TRUE);
		t->wipe_scrollback = 1;
	}
	free(s);
	t->help = 0;
}

int
tui_replace(struct tui *t, const struct tui_screen_ops *ops, void *arg)
{
	tui_pop(t);
	return tui_push(t, ops, arg);
}

void
tui_pop_to_bottom(struct tui *t)
{
	while (t->top != NULL && t->top->below != NULL)
		tui_pop(t);
}

void
tui_flash(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(t->flash, sizeof(t->flash), fmt, ap);
	va_end(ap);
}

void
tui_request_quit(struct tui *t)
{
	t->quit = 1;
	tui_job_cancel(t);
}

int
tui_open_home(struct tui *t)
{
	struct cer_home *h = NULL;
	const char *cn;
	int r;

	if ((r = cer_home_open(t->home, &h)) != 0)
		return r;
	cer_home_free(t->h);
	t->h = h;
	t->home_gen++;
	cn = strstr(h->vault->subject, "/CN=");
	tui_fmt(t->ca_name, sizeof(t->ca_name), "%s", cn != NULL ? cn + 4 : h->vault->subject);
	return 0;
}

/* --- requests --------------------------------------------------------------------- */

/* Keys that mean the same on every screen.  Printable keys become TUI_REQ_CHAR. */
static const struct {
	int code; /* a KEY_* code (function key) or a control character */
	int fkey; /* 1: code came back as KEY_CODE_YES */
	enum tui_req req;
} keymap[] = {
        {KEY_F(1), 1, TUI_REQ_HELP},
        {KEY_ENTER, 1, TUI_REQ_ENTER},
        {'\n', 0, TUI_REQ_ENTER},
        {'\r', 0, TUI_REQ_ENTER},
        {27, 0, TUI_REQ_BACK},
        {KEY_BACKSPACE, 1, TUI_REQ_ERASE},
        {127, 0, TUI_REQ_ERASE},
        {8, 0, TUI_REQ_ERASE},
        {KEY_DC, 1, TUI_REQ_ERASE},
        {21, 0, TUI_REQ_KILL},
        {'\t', 0, TUI_REQ_NEXT},
        {KEY_BTAB, 1, TUI_REQ_PREV},
        {KEY_UP, 1, TUI_REQ_UP},
        {KEY_DOWN, 1, TUI_REQ_DOWN},
        {KEY_LEFT, 1, TUI_REQ_LEFT},
        {KEY_RIGHT, 1, TUI_REQ_RIGHT},
        {KEY_PPAGE, 1, TUI_REQ_PGUP},
        {KEY_NPAGE, 1, TUI_REQ_PGDN},
        {3, 0, TUI_REQ_QUIT},
        {12, 0, TUI_REQ_REDRAW},
        {KEY_RESIZE, 1, TUI_REQ_RESIZE},
};

/* Reads one key (or times out) and turns it into a request for the top screen. */
static void
read_request(struct tui *t, struct tui_key *k)
{
	wint_t ch = 0;
	int rc, fkey;
	size_t i;

	k->req = TUI_REQ_NONE;
	k->ch = 0;
	timeout(t->job != NULL ? 100 : 400);
	rc = get_wch(&ch);
	if (rc == ERR) {
		k->req = TUI_REQ_TICK;
		return;
	}
	fkey = rc == KEY_CODE_YES;
	for (i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++)
		if (keymap[i].code == (int)ch && keymap[i].fkey == fkey) {
			k->req = keymap[i].req;
			return;
		}
	if (fkey || ch < 32 || ch == 127)
		return;
	/* '?' is help unless the screen takes text. */
	if (ch == '?' && t->top != NULL && !(t->top->ops->flags & TUI_F_TEXT)) {
		k->req = TUI_REQ_HELP;
		return;
	}
	k->req = TUI_REQ_CHAR;
	k->ch = (wchar_t)ch;
}

/* --- drawing the frame -------------------------------------------------------------- */

static void
draw_header(const struct tui *t)
{
	char line[256], right[CER_OPERATOR_MAX + 64];
	time_t clock = time(NULL);
	struct tm tm;
	int rw;

	gmtime_r(&clock, &tm);
	(void)strftime(line, sizeof(line), "%Y-%m-%d %H:%M UTC", &tm);
	if (t->operator_name[0] != '\0')
		tui_fmt(right, sizeof(right), "%s%s%s%s  %s", t->operator_name,
		        strcmp(t->role, "operator") ? " (" : "",
		        strcmp(t->role, "operator") ? t->role : "",
		        strcmp(t->role, "operator") ? ")" : "", line);
	else
		tui_fmt(right, sizeof(right), "%s", line);
	rw = tui_width(right);
	attrset(tui_style(t, TUI_S_TITLE));
	mvhline(0, 0, ' ', COLS);
	tui_fmt(line, sizeof(line), " custos  %s  %s", t->ca_name[0] ? t->ca_name : "no CA yet",
	        t->top == NULL     ? ""
	        : t->top->title[0] ? t->top->title
	                           : t->top->ops->title);
	tui_put(t, 0, 0, COLS - rw - 2, TUI_S_TITLE, line);
	tui_put(t, 0, COLS - rw - 1, rw, TUI_S_TITLE, right);
	attrset(A_NORMAL);
}

static void
draw_status(const struct tui *t)
{
	const char *keys = t->top != NULL && t->top->ops->keys != NULL ? t->top->ops->keys : "";
	char line[256];

	if (t->flash[0] != '\0')
		tui_put(t, LINES - 2, TUI_LEFT, TUI_WIDTH, TUI_S_WARN, t->flash);
	tui_fmt(line, sizeof(line), " %s%sF1 help", keys, keys[0] ? "   " : "");
	attrset(tui_style(t, TUI_S_STATUS));
	mvhline(LINES - 1, 0, ' ', COLS);
	tui_put(t, LINES - 1, 0, COLS, TUI_S_STATUS, line);
	attrset(A_NORMAL);
}

static const char global_help[] =
        "Keys everywhere: F1 (or ? where no text is typed) shows this help; Esc goes back or "
        "abandons; Ctrl-L redraws; Ctrl-C quits (anything in progress is abandoned and wiped).";

static void
draw_help(const struct tui *t)
{
	const char *text = t->top != NULL && t->top->ops->help != NULL ? t->top->ops->help : "";
	int w = COLS - 12, h, y0, x0 = 6, y;

	h = tui_wrap_lines(text, w - 4) + tui_wrap_lines(global_help, w - 4) + 6;
	if (h > LINES - 2)
		h = LINES - 2;
	y0 = (LINES - h) / 2;
	attrset(tui_style(t, TUI_S_NORMAL));
	for (y = y0; y < y0 + h; y++)
		mvhline(y, x0, ' ', w);
	attrset(A_NORMAL);
	mvhline(y0, x0, ACS_HLINE, w);
	mvhline(y0 + h - 1, x0, ACS_HLINE, w);
	mvvline(y0, x0, ACS_VLINE, h);
	mvvline(y0, x0 + w - 1, ACS_VLINE, h);
	mvaddch(y0, x0, ACS_ULCORNER);
	mvaddch(y0, x0 + w - 1, ACS_URCORNER);
	mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
	mvaddch(y0 + h - 1, x0 + w - 1, ACS_LRCORNER);
	tui_putf(t, y0, x0 + 2, TUI_S_HEADING, " Help: %s ",
	         t->top == NULL     ? ""
	         : t->top->title[0] ? t->top->title
	                            : t->top->ops->title);
	y = y0 + 2;
	y += tui_wrap(t, y, x0 + 2, w - 4, y0 + h - 3 - y, TUI_S_NORMAL, text);
	y++;
	tui_wrap(t, y, x0 + 2, w - 4, y0 + h - 2 - y, TUI_S_DIM, global_help);
	tui_put(t, y0 + h - 1, x0 + w - 24, 22, TUI_S_DIM, " any key closes help ");
}

static void
draw_too_small(const struct tui *t)
{
	char msg[256];
	int w = COLS > 4 ? COLS - 2 : COLS, nlines;

	tui_fmt(msg, sizeof(msg),
	        "The terminal is %dx%d; custos needs at least %dx%d. Make the window larger "
	        "(or the font smaller). Nothing is lost meanwhile. Ctrl-C quits.",
	        COLS, LINES, TUI_MIN_COLS, TUI_MIN_LINES);
	nlines = tui_wrap_lines(msg, w);
	tui_wrap(t, (LINES - nlines) / 2 > 0 ? (LINES - nlines) / 2 : 0, COLS > 4 ? 1 : 0, w, LINES,
	         TUI_S_WARN, msg);
}

static void
draw(struct tui *t)
{
	erase();
	t->too_small = COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES;
	if (t->too_small) {
		draw_too_small(t);
	} else {
		draw_header(t);
		if (t->top != NULL)
			t->top->ops->draw(t, t->top);
		draw_status(t);
		if (t->help)
			draw_help(t);
	}
	refresh();
	/*
	 * On the alternate screen nothing reaches the scrollback.  Without one, a
	 * cleared screen may be pushed into it (tmux does): erase it too (ED 3, which
	 * xterm, tmux and the Linux console know; others ignore it).
	 */
	if (t->wipe_scrollback && !t->has_altscreen) {
		putp("\033[3J");
		fflush(stdout);
	}
	t->wipe_scrollback = 0;
}

/* --- the loop ------------------------------------------------------------------------ */

static void
quit_yes(struct tui *t, void *ctx)
{
	(void)ctx;
	tui_request_quit(t);
}

/* Ctrl-C: leave at once where nothing is in progress, else ask first. */
static void
ask_quit(struct tui *t)
{
	struct tui_confirm c;
	const struct tui_screen *p;
	int busy = t->job != NULL;

	for (p = t->top; p != NULL && p->below != NULL; p = p->below)
		busy |= !(p->ops->flags & TUI_F_CALM);

	if (!busy || t->too_small) {
		tui_request_quit(t);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.title = "Quit";
	tui_fmt(c.heading, sizeof(c.heading), "Quit custos?");
	tui_fmt(c.text, sizeof(c.text),
	        "What is in progress is abandoned: anything typed is wiped%s.",
	        t->job != NULL ? ", and the operation under way is cancelled (a new CA or "
	                         "share set is then not created)"
	                       : "");
	c.yes_label = "Quit";
	c.no_label = "Stay";
	c.yes = quit_yes;
	(void)tui_confirm_open(t, &c);
}

static void
dispatch(struct tui *t, const struct tui_key *k)
{
	if (k->req == TUI_REQ_RESIZE || k->req == TUI_REQ_REDRAW) {
		clearok(curscr, TRUE);
		return;
	}
	if (t->quit)
		return; /* leaving once the job in progress has unwound: no key acts any more */
	if (k->req == TUI_REQ_QUIT) {
		ask_quit(t);
		return;
	}
	if (t->too_small)
		return; /* nothing can be seen: no key may act */
	if (k->req == TUI_REQ_TICK) {
		if (t->top != NULL && t->top->ops->key != NULL)
			t->top->ops->key(t, t->top, k);
		return;
	}
	t->flash[0] = '\0';
	if (t->help) {
		t->help = 0;
		return;
	}
	if (k->req == TUI_REQ_HELP) {
		t->help = 1;
		return;
	}
	if (k->req != TUI_REQ_NONE && t->top != NULL && t->top->ops->key != NULL)
		t->top->ops->key(t, t->top, k);
}

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
loop(struct tui *t)
{
	struct tui_key k;

	while (t->top != NULL || t->job != NULL) {
		tui_job_poll(t);
		if (t->quit && t->job == NULL)
			break;
		draw(t);
		read_request(t, &k);
		if (got_signal && !t->quit)
			tui_request_quit(t);
		dispatch(t, &k);
		t->ticks++;
	}
}

/* --- start and finish ----------------------------------------------------------------- */

/* What to show first: the dashboard, the first-run screen, or why neither. */
static int
first_screen(struct tui *t)
{
	struct tui_message m;
	char msg[768];
	struct stat st;
	int r = tui_open_home(t);

	if (r == 0 || (r == CUSTOS_ENOENT && lstat(t->home, &st) != 0)) {
		if ((r = tui_push(t, r == 0 ? &tui_dash_ops : &tui_intro_ops, NULL)) != 0)
			return r;
		tui_operator_open(t); /* who drives, before anything else */
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.title = "Cannot open the CA";
	m.error = 1;
	if (r == CUSTOS_ENOENT) {
		tui_fmt(m.heading, sizeof(m.heading), "%s holds no CA", t->home);
		tui_fmt(m.text, sizeof(m.text),
		        "The directory %s exists but has no vault in it. custos creates a new "
		        "CA only in a directory that does not exist yet, and never writes into "
		        "an existing one. Quit, then start custos with --home naming a new "
		        "directory (or the home of an existing CA).",
		        t->home);
	} else {
		tui_fmt(m.heading, sizeof(m.heading), "The CA at %s cannot be opened", t->home);
		tui_fmt(m.text, sizeof(m.text),
		        "%s. Nothing was changed. Check the directory (a backup may be needed); "
		        "`custos status --home %s` shows the same error.",
		        custos_err_describe(r, msg, sizeof(msg)), t->home);
	}
	m.done = quit_yes;
	t->exit_code = CLI_FAIL; /* a refusal, as the verbs report it */
	return tui_message_open(t, &m);
}

static int
has_altscreen(void)
{
	char *cap = tigetstr("smcup");

	return cap != NULL && cap != (char *)-1 && cap[0] != '\0';
}

static int
run(struct tui *t)
{
	SCREEN *scr;
	struct sigaction sa;

	setlocale(LC_CTYPE, "");
	t->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if ((scr = newterm(NULL, stdout, stdin)) == NULL) {
		fprintf(stderr, "custos: cannot use the terminal (TERM=%s)\n",
		        getenv("TERM") ? getenv("TERM") : "");
		return CLI_FAIL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	t->has_altscreen = has_altscreen();
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(50);
	curs_set(0);
	tui_styles_init(t);
	if (first_screen(t) == 0)
		loop(t);
	while (t->top != NULL)
		tui_pop(t);
	/* Leave nothing on the alternate screen (or, without one, on the screen). */
	erase();
	clearok(curscr, TRUE);
	refresh();
	endwin();
	delscreen(scr);
	if (!t->has_altscreen) {
		fputs("\033[H\033[2J\033[3J", stdout);
		fflush(stdout);
	}
	return t->exit_code;
}

int
tui_main(int argc, char **argv)
{
	static const char usage[] = "custos tui [--home DIR]";
	static const struct option opts[] = {{"home", required_argument, NULL, 'H'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct tui *t;
	const char *home = NULL;
	int c, rc, n;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'H')
			home = optarg;
		else if (c == 'h') {
			printf("usage: %s\n  the ceremony application; keyboard only, F1 for "
			       "help\n",
			       usage);
			return CLI_OK;
		} else
			return cli_usage_error(usage, "unknown option");
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "custos: tui: the application needs a terminal (use the verbs in "
		                "scripts)\n");
		return CLI_FAIL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return cli_fail(CUSTOS_ENOMEM, "tui");
	n = snprintf(t->home, sizeof(t->home), "%s", cli_home(home));
	if (n < 0 || (size_t)n >= sizeof(t->home)) {
		free(t);
		return cli_fail(custos_err_set(CUSTOS_ETOOBIG, "home path too long"), "tui");
	}
	t->hardening = start_hardening;
	rc = run(t);
	cer_home_free(t->h);
	free(t);
	return rc;
}
