/*
 * tui_form: a column of labelled fields (text, number, choice) with the
 * focus on one.  Each field is checked the moment the focus leaves it, by
 * the screen's validate function (which asks the core), and the error is
 * shown under the field at once; the focus stays until it is right.  Form
 * fields hold public parameters only, never secrets.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "ui/tui.h"

#define LABEL_COLS 30

#define ERROR_LINES 2

static int
error_lines(const struct tui_field *fl)
{
	int n;

	if (fl->error[0] == '\0')
		return 0;
	n = tui_wrap_lines(fl->error, COLS - TUI_LEFT - LABEL_COLS - 1);
	return n < ERROR_LINES ? n : ERROR_LINES;
}

/* Rows the field takes: itself, its error, and its hint when it has the focus. */
static int
field_rows(const struct tui_form *f, size_t i)
{
	const struct tui_field *fl = &f->fields[i];

	return 1 + error_lines(fl) +
	       (i == f->cur && fl->hint != NULL && !fl->error[0]
	                ? tui_wrap_lines(fl->hint, COLS - TUI_LEFT - LABEL_COLS - 1)
	                : 0);
}

static void
draw_input(const struct tui *t, const struct tui_field *fl, int y, int x, int focus)
{
	char buf[TUI_FIELD_TEXT_MAX + 16];
	const char *text = fl->text;
	int w = fl->width > 0 ? fl->width : 32, used;

	if (fl->kind == TUI_FIELD_CHOICE) {
		tui_fmt(buf, sizeof(buf), "%s %s %s", focus ? "<" : " ", fl->choices[fl->choice],
		        focus ? ">" : " ");
		tui_put(t, y, x, COLS - x, focus ? TUI_S_FOCUS : TUI_S_FIELD, buf);
		return;
	}
	/* Show the tail of a text longer than the box. */
	while (tui_width(text) > w - 1 && *text != '\0')
		text++;
	attrset(tui_style(t, focus ? TUI_S_FOCUS : TUI_S_FIELD));
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
	used = tui_put(t, y, x, w, focus ? TUI_S_FOCUS : TUI_S_FIELD, text);
	if (focus && used < w)
		tui_put(t, y, x + used, 1, TUI_S_NORMAL, "_");
}

void
tui_form_draw(const struct tui *t, struct tui_form *f, int y, int h)
{
	int rows = 0, x = TUI_LEFT + LABEL_COLS, y0 = y;
	size_t i;

	/* Scroll so that the field with the focus is in view. */
	if (f->cur < f->scroll)
		f->scroll = f->cur;
	for (;;) {
		rows = 0;
		for (i = f->scroll; i <= f->cur; i++)
			rows += field_rows(f, i);
		if (rows <= h || f->scroll == f->cur)
			break;
		f->scroll++;
	}
	if (f->scroll > 0)
		tui_put(t, y - 1, COLS - 12, 10, TUI_S_DIM, "(more up)");
	for (i = f->scroll; i < f->n; i++) {
		const struct tui_field *fl = &f->fields[i];
		int focus = i == f->cur;

		if (y + field_rows(f, i) > y0 + h) {
			tui_put(t, y, COLS - 12, 10, TUI_S_DIM, "(more)");
			break;
		}
		tui_put(t, y, TUI_LEFT, LABEL_COLS - 1, focus ? TUI_S_HEADING : TUI_S_LABEL,
		        fl->label);
		draw_input(t, fl, y, x, focus);
		y++;
		if (fl->error[0] != '\0')
			y += tui_wrap(t, y, x, COLS - x - 1, ERROR_LINES, TUI_S_ERROR, fl->error);
		else if (focus && fl->hint != NULL)
			y += tui_wrap(t, y, x, COLS - x - 1, 3, TUI_S_DIM, fl->hint);
	}
}

static int
validate(struct tui_form *f, size_t i)
{
	f->fields[i].error[0] = '\0';
	if (f->validate == NULL)
		return 0;
	return f->validate(f, i, f->ctx);
}

int
tui_form_check_all(struct tui_form *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (validate(f, i) != 0) {
			f->cur = i;
			return -1;
		}
	return 0;
}

/* Appends the character typed (UTF-8) to a text or number field. */
static int
type_char(struct tui_field *fl, wchar_t ch)
{
	char mb[MB_LEN_MAX];
	mbstate_t ps;
	size_t len = strlen(fl->text), max = fl->maxlen ? fl->maxlen : sizeof(fl->text) - 1, n;

	if (fl->kind == TUI_FIELD_NUMBER && !(ch >= '0' && ch <= '9'))
		return 0;
	if (!iswprint((wint_t)ch))
		return 0;
	memset(&ps, 0, sizeof(ps));
	n = wcrtomb(mb, ch, &ps);
	if (n == (size_t)-1 || len + n > max || len + n >= sizeof(fl->text))
		return 0;
	memcpy(fl->text + len, mb, n);
	fl->text[len + n] = '\0';
	return 1;
}

/* Removes the last character (a whole UTF-8 sequence). */
static void
erase_char(struct tui_field *fl)
{
	size_t len = strlen(fl->text);

	while (len > 0 && ((unsigned char)fl->text[len - 1] & 0xC0) == 0x80)
		len--;
	if (len > 0)
		len--;
	fl->text[len] = '\0';
}

static enum tui_form_result
move_on(struct tui_form *f, int enter)
{
	if (validate(f, f->cur) != 0)
		return TUI_FORM_STAY;
	if (f->cur + 1 < f->n) {
		f->cur++;
		return TUI_FORM_STAY;
	}
	if (enter && tui_form_check_all(f) == 0)
		return TUI_FORM_DONE;
	return TUI_FORM_STAY;
}

static enum tui_form_result
choice_key(struct tui_field *fl, const struct tui_key *k)
{
	if (k->req == TUI_REQ_RIGHT || (k->req == TUI_REQ_CHAR && k->ch == ' ')) {
		fl->choice = (fl->choice + 1) % fl->nchoices;
		return TUI_FORM_CHANGED;
	}
	if (k->req == TUI_REQ_LEFT) {
		fl->choice = (fl->choice + fl->nchoices - 1) % fl->nchoices;
		return TUI_FORM_CHANGED;
	}
	return TUI_FORM_STAY;
}

enum tui_form_result
tui_form_key(struct tui_form *f, const struct tui_key *k)
{
	struct tui_field *fl = &f->fields[f->cur];

	switch (k->req) {
	case TUI_REQ_NEXT:
	case TUI_REQ_DOWN:
		return move_on(f, 0);
	case TUI_REQ_ENTER:
		return move_on(f, 1);
	case TUI_REQ_PREV:
	case TUI_REQ_UP:
		if (f->cur > 0)
			f->cur--;
		return TUI_FORM_STAY;
	case TUI_REQ_BACK:
		return TUI_FORM_CANCEL;
	default:
		break;
	}
	if (fl->kind == TUI_FIELD_CHOICE)
		return choice_key(fl, k);
	switch (k->req) {
	case TUI_REQ_CHAR:
		if (!type_char(fl, k->ch))
			return TUI_FORM_STAY;
		break;
	case TUI_REQ_ERASE:
		erase_char(fl);
		break;
	case TUI_REQ_KILL:
		fl->text[0] = '\0';
		break;
	default:
		return TUI_FORM_STAY;
	}
	fl->error[0] = '\0';
	return TUI_FORM_CHANGED;
}
