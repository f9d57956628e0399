/*
 * tui_dialog: the two generic screens: a message (a result or a refusal,
 * read and acknowledged), and a decision (what will happen, then an
 * explicit choice; the harmless choice has the focus first, and what cannot
 * be undone also needs a word typed).
 */
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "ui/tui.h"

/* --- message ------------------------------------------------------------------------ */

static int
message_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct tui_message *m = malloc(sizeof(*m));

	(void)t;
	if (m == NULL)
		return CUSTOS_ENOMEM;
	*m = *(const struct tui_message *)arg;
	if (m->title != NULL)
		tui_fmt(s->title, sizeof(s->title), "%s", m->title);
	s->st = m;
	return 0;
}

static void
message_draw(struct tui *t, struct tui_screen *s)
{
	const struct tui_message *m = s->st;
	int y = TUI_TOP;

	tui_put(t, y, TUI_LEFT, TUI_WIDTH, m->error ? TUI_S_ERROR : TUI_S_HEADING, m->heading);
	y += 2;
	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, TUI_BOTTOM - y - 2, TUI_S_NORMAL, m->text);
	tui_put(t, y + 1, TUI_LEFT, TUI_WIDTH, TUI_S_DIM, "Press Enter to continue.");
}

static void
message_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct tui_message *m = s->st;
	void (*done)(struct tui *, void *) = m->done;
	void *ctx = m->ctx;

	if (k->req != TUI_REQ_ENTER && k->req != TUI_REQ_BACK)
		return;
	tui_pop(t);
	if (done != NULL)
		done(t, ctx);
}

static void
message_close(struct tui *t, struct tui_screen *s)
{
	(void)t;
	free(s->st);
}

static const struct tui_screen_ops message_ops = {
        .title = "Message",
        .keys = "Enter continue",
        .help = "A result or a refusal from custos. Read it (aloud, for the witnesses, when it "
                "concerns the ceremony), then press Enter. Nothing more happens on this screen.",
        .open = message_open,
        .draw = message_draw,
        .key = message_key,
        .close = message_close,
};

int
tui_message_open(struct tui *t, const struct tui_message *m)
{
	struct tui_message copy = *m;

	return tui_push(t, &message_ops, &copy);
}

/* --- decision ------------------------------------------------------------------------ */

struct confirm_st {
	struct tui_confirm c;
	size_t sel; /* 0: the safe choice, 1: the action */
	char typed[32];
	char error[128];
};

static int
confirm_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct confirm_st *st = calloc(1, sizeof(*st));

	(void)t;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	st->c = *(const struct tui_confirm *)arg;
	if (st->c.yes_label == NULL)
		st->c.yes_label = "Continue";
	if (st->c.no_label == NULL)
		st->c.no_label = "Cancel";
	if (st->c.title != NULL)
		tui_fmt(s->title, sizeof(s->title), "%s", st->c.title);
	s->st = st;
	return 0;
}

static void
confirm_draw(struct tui *t, struct tui_screen *s)
{
	const struct confirm_st *st = s->st;
	const char *labels[2] = {st->c.no_label, st->c.yes_label};
	int y = TUI_TOP;

	tui_put(t, y, TUI_LEFT, TUI_WIDTH, st->c.danger ? TUI_S_WARN : TUI_S_HEADING,
	        st->c.heading);
	y += 2;
	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, TUI_BOTTOM - y - 5, TUI_S_NORMAL, st->c.text) + 1;
	if (st->c.typed != NULL) {
		int x = TUI_LEFT + tui_putf(t, y, TUI_LEFT, TUI_S_LABEL,
		                            "Type %s to enable [ %s ]: ", st->c.typed,
		                            st->c.yes_label);

		tui_putf(t, y, x, TUI_S_FOCUS, "%-12s", st->typed);
		y += 2;
	}
	if (st->error[0] != '\0')
		tui_put(t, y - 1, TUI_LEFT, TUI_WIDTH, TUI_S_ERROR, st->error);
	tui_buttons(t, y, TUI_LEFT, labels, 2, st->sel);
}

static void
confirm_choose(struct tui *t, struct confirm_st *st, size_t which)
{
	struct tui_confirm c = st->c;

	if (which == 1 && c.typed != NULL && strcmp(st->typed, c.typed) != 0) {
		tui_fmt(st->error, sizeof(st->error), "Type %s first (or choose %s).", c.typed,
		        c.no_label);
		return;
	}
	tui_pop(t);
	if (which == 1 && c.yes != NULL)
		c.yes(t, c.ctx);
	else if (which == 0 && c.no != NULL)
		c.no(t, c.ctx);
}

static void
confirm_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct confirm_st *st = s->st;
	size_t n = strlen(st->typed);

	st->error[0] = '\0';
	switch (k->req) {
	case TUI_REQ_LEFT:
	case TUI_REQ_RIGHT:
	case TUI_REQ_NEXT:
	case TUI_REQ_PREV:
		st->sel = !st->sel;
		break;
	case TUI_REQ_ENTER:
		confirm_choose(t, st, st->sel);
		break;
	case TUI_REQ_BACK:
		confirm_choose(t, st, 0);
		break;
	case TUI_REQ_ERASE:
		if (n > 0)
			st->typed[n - 1] = '\0';
		break;
	case TUI_REQ_CHAR:
		if (st->c.typed != NULL) {
			if (n + 1 < sizeof(st->typed) && k->ch < 128 && iswprint((wint_t)k->ch)) {
				st->typed[n] = (char)k->ch;
				st->typed[n + 1] = '\0';
			}
		} else if (towlower((wint_t)k->ch) == 'y') {
			confirm_choose(t, st, 1);
		} else if (towlower((wint_t)k->ch) == 'n') {
			confirm_choose(t, st, 0);
		}
		break;
	default:
		break;
	}
}

static void
confirm_close(struct tui *t, struct tui_screen *s)
{
	(void)t;
	free(s->st);
}

static const struct tui_screen_ops confirm_ops = {
        .title = "Decision",
        .keys = "Left/Right choose  Enter confirm  Esc cancel",
        .help = "A decision. Read what will happen; then choose with Left/Right (or Tab) and press "
                "Enter, or press Y or N. The harmless choice has the focus first. Where the action "
                "cannot be undone, the word shown must be typed before it can be chosen. Esc is "
                "the "
                "same as the harmless choice.",
        .flags = TUI_F_TEXT,
        .open = confirm_open,
        .draw = confirm_draw,
        .key = confirm_key,
        .close = confirm_close,
};

int
tui_confirm_open(struct tui *t, const struct tui_confirm *c)
{
	struct tui_confirm copy = *c;

	return tui_push(t, &confirm_ops, &copy);
}
