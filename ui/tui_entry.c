/*
 * tui_entry: typing secrets.  A share card word by word (struct tui_words)
 * and a passphrase (struct tui_secret).
 *
 * Invariants: everything typed lives in one sodium_malloc block per entry and
 * is wiped by reset and free; letters are drawn as bullets, and a word is
 * echoed only once the core has completed it and the custodian confirmed it
 * (Space or Enter); the word list is consulted only through the core
 * (cer_card_word), which scans the whole list whatever the word.
 */
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <wctype.h>

#include "ceremony/cer_card.h"
#include "ui/tui.h"

#define WORDS_MAX (CER_CARD_WORDS + 8)
#define MNEMONIC_BYTES (WORDS_MAX * (CER_WORD_MAX + 1) + 1)

struct tui_words {
	size_t expect, n, len, min_short;
	size_t labels[WORDS_MAX]; /* the card positions asked for, when not 1 .. expect */
	int labelled;
	char words[WORDS_MAX][CER_WORD_MAX + 1];
	char cur[CER_WORD_MAX + 2];
	char mnemonic[MNEMONIC_BYTES];
};

struct tui_words *
tui_words_new(size_t expect)
{
	struct tui_words *w;

	if (expect == 0 || expect > WORDS_MAX || (w = sodium_malloc(sizeof(*w))) == NULL)
		return NULL;
	sodium_memzero(w, sizeof(*w));
	w->expect = expect;
	return w;
}

void
tui_words_free(struct tui_words *w)
{
	if (w == NULL)
		return;
	sodium_memzero(w, sizeof(*w));
	sodium_free(w);
}

void
tui_words_reset(struct tui_words *w)
{
	sodium_memzero(w->words, sizeof(w->words));
	sodium_memzero(w->cur, sizeof(w->cur));
	sodium_memzero(w->mnemonic, sizeof(w->mnemonic));
	w->n = 0;
	w->len = 0;
}

void
tui_words_set_labels(struct tui_words *w, const size_t *labels)
{
	memcpy(w->labels, labels, w->expect * sizeof(labels[0]));
	w->labelled = 1;
}

/* count copies of b, then tail, into buf (always NUL-terminated). */
static void
repeat(char *buf, size_t size, const char *b, size_t count, const char *tail)
{
	size_t used = 0, bl = strlen(b), tl = strlen(tail), i;

	for (i = 0; i < count && used + bl < size; i++, used += bl)
		memcpy(buf + used, b, bl);
	if (used + tl < size) {
		memcpy(buf + used, tail, tl);
		used += tl;
	}
	buf[used] = '\0';
}

void
tui_words_allow_short(struct tui_words *w, size_t min)
{
	w->min_short = min;
}

size_t
tui_words_count(const struct tui_words *w)
{
	return w->n;
}

size_t
tui_words_typing(const struct tui_words *w)
{
	return w->len;
}

size_t
tui_words_expected(const struct tui_words *w)
{
	return w->expect;
}

const char *
tui_words_word(const struct tui_words *w, size_t i)
{
	return i < w->n ? w->words[i] : "";
}

const char *
tui_words_current(const struct tui_words *w, size_t *len)
{
	*len = w->len;
	return w->cur;
}

void
tui_words_clear_current(struct tui_words *w)
{
	sodium_memzero(w->cur, sizeof(w->cur));
	w->len = 0;
}

const char *
tui_words_mnemonic(struct tui_words *w)
{
	size_t i, used = 0, l;

	sodium_memzero(w->mnemonic, sizeof(w->mnemonic));
	for (i = 0; i < w->n; i++) {
		l = strlen(w->words[i]);
		if (i > 0)
			w->mnemonic[used++] = ' ';
		memcpy(w->mnemonic + used, w->words[i], l);
		used += l;
	}
	return w->mnemonic;
}

/* Space or Enter: the word typed is completed by the core and confirmed. */
static enum tui_words_event
confirm_word(struct tui_words *w, int enter, size_t *pos)
{
	if (w->len == 0) {
		if (enter && w->min_short > 0 && w->n >= w->min_short)
			return TUI_WORDS_COMPLETE;
		return TUI_WORDS_NONE;
	}
	*pos = w->n + 1;
	if (cer_card_word(w->cur, w->len, w->words[w->n]) != 0) {
		tui_words_clear_current(w);
		return TUI_WORDS_UNKNOWN;
	}
	w->n++;
	tui_words_clear_current(w);
	return w->n == w->expect ? TUI_WORDS_COMPLETE : TUI_WORDS_ACCEPTED;
}

/* A letter: from the fourth on, a word no longer possible is reported at once. */
static enum tui_words_event
add_letter(struct tui_words *w, wchar_t ch, size_t *pos)
{
	char word[CER_WORD_MAX + 1];
	int r;

	*pos = w->n + 1;
	if (w->n == w->expect)
		return TUI_WORDS_IGNORED;
	if (w->len == CER_WORD_MAX) {
		tui_words_clear_current(w);
		return TUI_WORDS_UNKNOWN;
	}
	w->cur[w->len++] = (char)towlower((wint_t)ch);
	if (w->len < CER_WORD_PREFIX)
		return TUI_WORDS_TYPING;
	r = cer_card_word(w->cur, w->len, word);
	sodium_memzero(word, sizeof(word));
	if (r != 0) {
		tui_words_clear_current(w);
		return TUI_WORDS_UNKNOWN;
	}
	return TUI_WORDS_TYPING;
}

enum tui_words_event
tui_words_key(struct tui_words *w, const struct tui_key *k, size_t *pos)
{
	size_t dummy;

	if (pos == NULL)
		pos = &dummy;
	*pos = w->n + 1;
	switch (k->req) {
	case TUI_REQ_CHAR:
		if (k->ch == ' ')
			return confirm_word(w, 0, pos);
		if ((k->ch >= 'a' && k->ch <= 'z') || (k->ch >= 'A' && k->ch <= 'Z'))
			return add_letter(w, k->ch, pos);
		return TUI_WORDS_IGNORED;
	case TUI_REQ_ENTER:
		return confirm_word(w, 1, pos);
	case TUI_REQ_ERASE:
		if (w->len > 0) {
			w->cur[--w->len] = '\0';
			return TUI_WORDS_TYPING;
		}
		if (w->n == 0)
			return TUI_WORDS_NONE;
		w->n--;
		sodium_memzero(w->words[w->n], sizeof(w->words[0]));
		*pos = w->n + 1;
		return TUI_WORDS_BACKED;
	case TUI_REQ_KILL:
		tui_words_clear_current(w);
		return TUI_WORDS_TYPING;
	default:
		return TUI_WORDS_IGNORED;
	}
}

/* The grid: column-major, three columns, numbered. */
int
tui_words_draw(const struct tui *t, const struct tui_words *w, int y, int show_words)
{
	size_t rows = (w->expect + 2) / 3, i;
	char cell[64];

	for (i = 0; i < w->expect; i++) {
		int row = y + (int)(i % rows), x = TUI_LEFT + 2 + (int)(i / rows) * 24;

		tui_putf(t, row, x, TUI_S_DIM, "%2zu", w->labelled ? w->labels[i] : i + 1);
		if (i < w->n) {
			if (show_words)
				tui_put(t, row, x + 4, 10, TUI_S_SECRET, w->words[i]);
			else
				tui_put(t, row, x + 4, 10, TUI_S_OK, tui_check(t));
		} else if (i == w->n) {
			repeat(cell, sizeof(cell), tui_bullet(t), w->len, "_");
			tui_put(t, row, x + 3, 1, TUI_S_HEADING, ">");
			tui_put(t, row, x + 4, 12, TUI_S_FOCUS, cell);
		} else {
			tui_put(t, row, x + 4, 10, TUI_S_DIM, "........");
		}
	}
	return y + (int)rows;
}

/* --- a passphrase ---------------------------------------------------------------------- */

struct tui_secret {
	size_t max, len;
	char text[CER_PASSPHRASE_MAX];
};

struct tui_secret *
tui_secret_new(size_t max)
{
	struct tui_secret *s;

	if ((s = sodium_malloc(sizeof(*s))) == NULL)
		return NULL;
	sodium_memzero(s, sizeof(*s));
	s->max = max < sizeof(s->text) ? max : sizeof(s->text) - 1;
	return s;
}

void
tui_secret_free(struct tui_secret *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, sizeof(*s));
	sodium_free(s);
}

void
tui_secret_reset(struct tui_secret *s)
{
	sodium_memzero(s->text, sizeof(s->text));
	s->len = 0;
}

int
tui_secret_key(struct tui_secret *s, const struct tui_key *k)
{
	char mb[MB_LEN_MAX];
	mbstate_t ps;
	size_t n;

	switch (k->req) {
	case TUI_REQ_CHAR:
		memset(&ps, 0, sizeof(ps));
		n = wcrtomb(mb, k->ch, &ps);
		if (n == (size_t)-1 || s->len + n > s->max) {
			sodium_memzero(mb, sizeof(mb));
			return 0;
		}
		memcpy(s->text + s->len, mb, n);
		s->len += n;
		sodium_memzero(mb, sizeof(mb));
		return 1;
	case TUI_REQ_ERASE:
		while (s->len > 0 && ((unsigned char)s->text[s->len - 1] & 0xC0) == 0x80)
			s->text[--s->len] = '\0';
		if (s->len > 0)
			s->text[--s->len] = '\0';
		return 1;
	case TUI_REQ_KILL:
		tui_secret_reset(s);
		return 1;
	default:
		return 0;
	}
}

const char *
tui_secret_text(const struct tui_secret *s)
{
	return s->text;
}

size_t
tui_secret_len(const struct tui_secret *s)
{
	return s->len;
}

void
tui_secret_draw(const struct tui *t, const struct tui_secret *s, int y, int x, int focus)
{
	char buf[3 * 40 + 4];
	size_t i, chars = 0;

	for (i = 0; i < s->len; i++)
		chars += ((unsigned char)s->text[i] & 0xC0) != 0x80;
	repeat(buf, sizeof(buf), tui_bullet(t), chars < 40 ? chars : 40, focus ? "_" : "");
	attrset(tui_style(t, focus ? TUI_S_FOCUS : TUI_S_FIELD));
	mvhline(y, x, ' ', 42);
	attrset(A_NORMAL);
	tui_put(t, y, x, 42, focus ? TUI_S_FOCUS : TUI_S_FIELD, buf);
}
