/*
 * tui_qr: a full-screen QR code drawn with block characters, two modules a
 * character cell (upper and lower half blocks), black on white when colours
 * are available, in the terminal's own colours under NO_COLOR.  The highest
 * error-correction level that fits the terminal is used; when none fits, the
 * screen says how large the terminal must be.
 *
 * A share is encoded as its words in capitals (QR alphanumeric mode), so any
 * scanner reads back the same words.  For a secret, the text and the module
 * matrices are kept in guarded memory and wiped on close (libqrencode's own
 * scratch copies, freed inside the library, are not under our control).
 */
#include <ctype.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/tui.h"

#define QUIET 2 /* modules of white around the code */
#define LEVELS 3

struct qr_st {
	char title[96];
	int secret;
	QRcode *codes[LEVELS]; /* Q, M, L: most robust first */
	char *text;            /* guarded copy, upper case */
	size_t len;
};

struct qr_in {
	const char *title, *text;
	int secret;
};

static int
qr_open(struct tui *t, struct tui_screen *s, void *arg)
{
	const struct qr_in *in = arg;
	static const QRecLevel levels[LEVELS] = {QR_ECLEVEL_Q, QR_ECLEVEL_M, QR_ECLEVEL_L};
	struct qr_st *st = calloc(1, sizeof(*st));
	size_t i;

	(void)t;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	st->len = strlen(in->text);
	if ((st->text = sodium_malloc(st->len + 1)) == NULL) {
		free(st);
		return CUSTOS_ENOMEM;
	}
	tui_fmt(st->title, sizeof(st->title), "%s", in->title);
	st->secret = in->secret;
	/* A share's words in capitals: QR alphanumeric mode, the smallest code. */
	for (i = 0; i < st->len; i++)
		st->text[i] = in->secret ? (char)toupper((unsigned char)in->text[i]) : in->text[i];
	st->text[st->len] = '\0';
	/* casesensitive = 1: the library does not make its own upper-case copy. */
	for (i = 0; i < LEVELS; i++)
		st->codes[i] = QRcode_encodeString(st->text, 0, levels[i], QR_MODE_8, 1);
	s->st = st;
	return 0;
}

static void
qr_close(struct tui *t, struct tui_screen *s)
{
	struct qr_st *st = s->st;
	size_t i;

	(void)t;
	for (i = 0; i < LEVELS; i++)
		if (st->codes[i] != NULL) {
			sodium_memzero(st->codes[i]->data,
			               (size_t)st->codes[i]->width * (size_t)st->codes[i]->width);
			QRcode_free(st->codes[i]);
		}
	sodium_memzero(st->text, st->len + 1);
	sodium_free(st->text);
	free(st);
}

static int
dark(const QRcode *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->width || y >= c->width)
		return 0;
	return c->data[y * c->width + x] & 1;
}

static void
draw_code(const struct tui *t, const QRcode *c, int y0, int x0)
{
	static const char *const utf8[4] = {" ", "▄", "▀", "█"};
	int size = c->width + 2 * QUIET, r, x, top, bottom;

	for (r = 0; r < (size + 1) / 2; r++) {
		move(y0 + r, x0);
		attrset(tui_style(t, TUI_S_QR));
		for (x = 0; x < size; x++) {
			top = dark(c, x - QUIET, 2 * r - QUIET);
			bottom = dark(c, x - QUIET, 2 * r + 1 - QUIET);
			addstr(utf8[top * 2 + bottom]);
		}
		attrset(A_NORMAL);
	}
}

static void
qr_draw(struct tui *t, struct tui_screen *s)
{
	const struct qr_st *st = s->st;
	const QRcode *c = NULL;
	int size = 0, rows, need_cols = 0, need_rows = 0;
	char msg[256];
	size_t i;

	for (i = 0; i < LEVELS; i++) {
		if (st->codes[i] == NULL)
			continue;
		size = st->codes[i]->width + 2 * QUIET;
		rows = (size + 1) / 2;
		need_cols = size;
		need_rows = rows + 3;
		if (t->utf8 && size <= COLS && rows <= LINES - 3) {
			c = st->codes[i];
			break;
		}
	}
	if (c != NULL) {
		draw_code(t, c, 1 + (LINES - 3 - (size + 1) / 2) / 2, (COLS - size) / 2);
		return;
	}
	tui_heading(t, TUI_TOP, st->title);
	if (need_cols == 0)
		tui_fmt(msg, sizeof(msg), "This text is too long for one QR code.");
	else if (!t->utf8)
		tui_fmt(msg, sizeof(msg),
		        "A QR code needs a UTF-8 terminal (block "
		        "characters): start custos with a UTF-8 locale, e.g. LANG=C.UTF-8.");
	else
		tui_fmt(msg, sizeof(msg),
		        "The QR code needs a terminal of at least %dx%d; "
		        "this one is %dx%d. Enlarge the window or make the font smaller.",
		        need_cols, need_rows, COLS, LINES);
	tui_wrap(t, TUI_TOP + 2, TUI_LEFT, TUI_WIDTH, 4, TUI_S_WARN, msg);
}

static void
qr_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	(void)s;
	if (k->req == TUI_REQ_BACK || k->req == TUI_REQ_ENTER ||
	    (k->req == TUI_REQ_CHAR && (k->ch == 'q' || k->ch == 'Q')))
		tui_pop(t);
}

static const struct tui_screen_ops qr_ops = {
        .title = "QR code",
        .keys = "Enter/Esc back",
        .help = "The QR code of what the previous screen showed, black on white. Scan it only "
                "with a device that stays offline and that you control; a share's QR code holds "
                "the "
                "same words as the card. Enter or Esc goes back.",
        .flags = TUI_F_SECRET,
        .open = qr_open,
        .draw = qr_draw,
        .key = qr_key,
        .close = qr_close,
};

int
tui_qr_open(struct tui *t, const char *title, const char *text, int secret)
{
	struct qr_in in = {title, text, secret};

	return tui_push(t, &qr_ops, &in);
}
