/*
 * tui_deliver: handing each custodian their share (new CA, rotation), and
 * taking a custodian's passphrase.
 *
 * For every share the core delivers: a hand-over screen ("hand the laptop to
 * alice"), a cleared screen with alice's words (and, on request, a QR code),
 * then the words typed back -- all of them, or a random selection -- each
 * word checked against the card the moment it is confirmed; then the screen
 * is cleared and the next custodian is called.  The words are read from the
 * core's own guarded buffer while the core waits; no copy of them is made
 * here, and every screen that showed or took them forces a full terminal
 * clear when it closes.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_card.h"
#include "ui/tui.h"

#define SPOT_CHECK_WORDS 8
#define PASSPHRASE_MIN 8 /* the core refuses shorter ones (cer_init.c, mask_share) */

struct flow {
	const struct tui_ask *ask;
	int spot; /* type back a random selection of words */
	size_t positions[SPOT_CHECK_WORDS];
};

static void
abandon_yes(struct tui *t, void *ctx)
{
	(void)ctx;
	tui_job_answer(t, CUSTOS_ECANCELLED);
}

/* Esc during delivery: abandon the whole operation (nothing is created or changed). */
static void
ask_abandon(struct tui *t)
{
	struct tui_confirm c;

	memset(&c, 0, sizeof(c));
	c.title = "Abandon?";
	tui_fmt(c.heading, sizeof(c.heading), "Abandon the whole operation?");
	tui_fmt(c.text, sizeof(c.text),
	        "The new CA or share set is then not created: the core writes nothing until "
	        "every custodian has confirmed their card. Cards written so far become "
	        "worthless: destroy them in front of the witnesses.");
	c.yes_label = "Abandon";
	c.no_label = "Go on";
	c.danger = 1;
	c.yes = abandon_yes;
	(void)tui_confirm_open(t, &c);
}

static int
flow_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct flow *f = calloc(1, sizeof(*f));

	(void)t;
	if (f == NULL)
		return CUSTOS_ENOMEM;
	*f = *(const struct flow *)arg;
	s->st = f;
	return 0;
}

static void
flow_close(struct tui *t, struct tui_screen *s)
{
	(void)t;
	if (s->st != NULL)
		sodium_memzero(s->st, sizeof(struct flow));
	free(s->st);
}

static const struct tui_screen_ops handover_ops, words_ops, confirmed_ops, passset_ops;
static const struct tui_screen_ops retype_ops;

/* --- hand-over ------------------------------------------------------------------------ */

static void
handover_draw(struct tui *t, struct tui_screen *s)
{
	const struct flow *f = s->st;
	const struct tui_ask *a = f->ask;
	char head[160], text[1024];
	int y = TUI_TOP;

	if (a->kind == TUI_ASK_DELIVER)
		tui_fmt(head, sizeof(head), "Share %zu of %zu: hand the laptop to %s", a->index + 1,
		        a->total, a->custodian);
	else
		tui_fmt(head, sizeof(head), "Hand the laptop to %s", a->custodian);
	y = tui_heading(t, y, head);
	tui_fmt(text, sizeof(text),
	        "%s, please come to the laptop. Everyone else: step back and look away from "
	        "the screen until %s is done. Witnesses watch the people, not the screen.\n\n"
	        "%s needs a blank share card and a pen. %s\n\n"
	        "%s: press Enter when you are alone at the screen.",
	        a->custodian, a->custodian, a->custodian,
	        a->kind == TUI_ASK_PASSPHRASE
	                ? "First you choose a passphrase for your share; then your share's "
	                  "words are shown, and you type them back to prove the card is right."
	                : "Your share's words will be shown; you write them on the card, then "
	                  "type them back to prove the card is right.",
	        a->custodian);
	tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, TUI_BOTTOM - y, TUI_S_NORMAL, text);
}

static void
handover_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct flow f = *(struct flow *)s->st;

	if (k->req == TUI_REQ_BACK)
		ask_abandon(t);
	else if (k->req == TUI_REQ_ENTER)
		(void)tui_replace(t, f.ask->kind == TUI_ASK_DELIVER ? &words_ops : &passset_ops,
		                  &f);
}

static const struct tui_screen_ops handover_ops = {
        .title = "Hand-over",
        .keys = "Enter I am alone at the screen  Esc abandon",
        .help = "The next custodian takes the laptop. Only that custodian may see the next "
                "screens: everyone else steps back. The custodian presses Enter when alone at the "
                "screen. Esc abandons the whole operation: nothing is created, and cards written "
                "so "
                "far must be destroyed.",
        .open = flow_open,
        .draw = handover_draw,
        .key = handover_key,
        .close = flow_close,
};

/* --- the words ------------------------------------------------------------------------ */

/* Draws the words of the mnemonic (read in place) as a numbered grid. */
static int
draw_grid(const struct tui *t, const char *mnemonic, int y)
{
	size_t n = 0, rows = (CER_CARD_WORDS + 2) / 3, len;
	const char *p = mnemonic;
	char cell[CER_WORD_MAX + 8];

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if ((len = strcspn(p, " ")) == 0)
			break;
		if (len > CER_WORD_MAX)
			len = CER_WORD_MAX;
		tui_fmt(cell, sizeof(cell), "%2zu. %.*s", n + 1, (int)len, p);
		tui_put(t, y + (int)(n % rows), TUI_LEFT + 4 + (int)(n / rows) * 24, 20,
		        TUI_S_SECRET, cell);
		sodium_memzero(cell, sizeof(cell));
		p += len;
		n++;
	}
	return y + (int)(n < rows ? n : rows);
}

static void
words_draw(struct tui *t, struct tui_screen *s)
{
	const struct flow *f = s->st;
	const struct tui_ask *a = f->ask;
	struct cer_card_info info;
	char head[160];
	int y = TUI_TOP;

	tui_fmt(head, sizeof(head),
	        "%s: your share. Write these %d words on your card, in "
	        "order.",
	        a->custodian, CER_CARD_WORDS);
	tui_put(t, y++, TUI_LEFT, TUI_WIDTH, TUI_S_HEADING, head);
	if (cer_card_check(a->mnemonic, &info) == 0)
		tui_putf(t, y, TUI_LEFT, TUI_S_DIM,
		         "Also write on the card: %s, share set %u, card %u of %zu (%u needed)%s.",
		         a->custodian, info.identifier, info.member, a->total,
		         info.member_threshold,
		         info.passphrase_protected ? ", passphrase-protected" : "");
	y += 2;
	y = draw_grid(t, a->mnemonic, y) + 1;
	tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 3, TUI_S_NORMAL,
	         "When the card is written and checked: Enter types it back (all words), S types "
	         "back 8 words chosen at random. Q shows the share as a QR code. The screen is "
	         "cleared before anyone else comes.");
}

static void
start_retype(struct tui *t, struct flow *f, int spot)
{
	struct flow next = *f;
	size_t i, j, p;

	next.spot = spot;
	for (i = 0; spot && i < SPOT_CHECK_WORDS; i++) {
		/* Distinct positions, sorted, uniform over the card. */
		do {
			p = 1 + randombytes_uniform(CER_CARD_WORDS);
			for (j = 0; j < i && next.positions[j] != p; j++)
				;
		} while (j < i);
		for (j = i; j > 0 && next.positions[j - 1] > p; j--)
			next.positions[j] = next.positions[j - 1];
		next.positions[j] = p;
	}
	(void)tui_replace(t, &retype_ops, &next);
}

static void
words_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct flow *f = s->st;
	char title[96];

	if (k->req == TUI_REQ_BACK) {
		ask_abandon(t);
	} else if (k->req == TUI_REQ_ENTER) {
		start_retype(t, f, 0);
	} else if (k->req == TUI_REQ_CHAR && (k->ch == 's' || k->ch == 'S')) {
		start_retype(t, f, 1);
	} else if (k->req == TUI_REQ_CHAR && (k->ch == 'q' || k->ch == 'Q')) {
		tui_fmt(title, sizeof(title), "%s's share", f->ask->custodian);
		(void)tui_qr_open(t, title, f->ask->mnemonic, 1);
	}
}

static const struct tui_screen_ops words_ops = {
        .title = "Your share",
        .keys = "Enter type it back  S spot-check  Q QR code  Esc abandon",
        .help = "Only the custodian named may see this screen. Write the words on your card in "
                "order, numbered, and check them twice; also write your name, the CA and the share "
                "set. Q shows the same share as a QR code (to photograph only onto an offline "
                "device you control, if your policy allows it). Then press Enter to type the whole "
                "card back, or S to type back eight words chosen at random: the card is accepted "
                "only when what you type matches. The screen is cleared before anyone else comes.",
        .flags = TUI_F_SECRET,
        .open = flow_open,
        .draw = words_draw,
        .key = words_key,
        .close = flow_close,
};

/* --- typing the card back ---------------------------------------------------------------- */

struct retype_st {
	struct flow f;
	struct tui_words *w;
	char msg[256];
	int msg_error;
};

static int
retype_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct retype_st *st = calloc(1, sizeof(*st));

	(void)t;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	st->f = *(const struct flow *)arg;
	st->w = tui_words_new(st->f.spot ? SPOT_CHECK_WORDS : CER_CARD_WORDS);
	if (st->w == NULL) {
		free(st);
		return CUSTOS_ENOMEM;
	}
	if (st->f.spot)
		tui_words_set_labels(st->w, st->f.positions);
	s->st = st;
	return 0;
}

static void
retype_close(struct tui *t, struct tui_screen *s)
{
	struct retype_st *st = s->st;

	(void)t;
	tui_words_free(st->w);
	sodium_memzero(st, sizeof(*st));
	free(st);
}

static void
retype_draw(struct tui *t, struct tui_screen *s)
{
	const struct retype_st *st = s->st;
	char head[160];
	int y = TUI_TOP;

	if (st->f.spot)
		tui_fmt(head, sizeof(head),
		        "%s: type back the %d words asked for, from your "
		        "card",
		        st->f.ask->custodian, SPOT_CHECK_WORDS);
	else
		tui_fmt(head, sizeof(head), "%s: type your card back, word by word",
		        st->f.ask->custodian);
	tui_put(t, y++, TUI_LEFT, TUI_WIDTH, TUI_S_HEADING, head);
	tui_put(t, y, TUI_LEFT, TUI_WIDTH, TUI_S_DIM,
	        "Four letters of a word are enough; Space or Enter after each word.");
	y += 2;
	y = tui_words_draw(t, st->w, y, 1) + 1;
	if (st->msg[0] != '\0')
		tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, st->msg_error ? TUI_S_ERROR : TUI_S_OK,
		         st->msg);
}

/* The card position the entry's next word is. */
static size_t
next_position(const struct retype_st *st)
{
	size_t n = tui_words_count(st->w);

	return st->f.spot ? st->f.positions[n] : n + 1;
}

/* Before a word is confirmed: is it the card's word at that position? */
static int
word_matches(struct retype_st *st)
{
	char word[CER_WORD_MAX + 1];
	size_t len;
	const char *cur = tui_words_current(st->w, &len);
	int known;

	known = cer_card_word(cur, len, word) == 0;
	sodium_memzero(word, sizeof(word));
	if (!known)
		return 1; /* the entry reports an unknown word itself */
	if (cer_card_word_is(cur, len, st->f.ask->mnemonic, next_position(st)))
		return 1;
	tui_fmt(st->msg, sizeof(st->msg),
	        "Word %zu does not match the card shown. Check word "
	        "%zu on your card and type it again (Esc shows the words again).",
	        next_position(st), next_position(st));
	st->msg_error = 1;
	tui_words_clear_current(st->w);
	return 0;
}

static void
retype_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct retype_st *st = s->st;
	struct flow f = st->f;
	size_t pos = next_position(st);
	int confirming = (k->req == TUI_REQ_ENTER || (k->req == TUI_REQ_CHAR && k->ch == ' ')) &&
	                 tui_words_typing(st->w) > 0;

	if (k->req == TUI_REQ_BACK) {
		(void)tui_replace(t, &words_ops, &f);
		return;
	}
	if (confirming && !word_matches(st))
		return;
	switch (tui_words_key(st->w, k, NULL)) {
	case TUI_WORDS_UNKNOWN:
		tui_fmt(st->msg, sizeof(st->msg),
		        "Word %zu: no word of the list starts with the letters typed. Type word "
		        "%zu again.",
		        pos, pos);
		st->msg_error = 1;
		break;
	case TUI_WORDS_ACCEPTED:
		tui_fmt(st->msg, sizeof(st->msg), "Word %zu matches.", pos);
		st->msg_error = 0;
		break;
	case TUI_WORDS_COMPLETE:
		if (!st->f.spot && !cer_card_same(tui_words_mnemonic(st->w), f.ask->mnemonic)) {
			tui_fmt(st->msg, sizeof(st->msg),
			        "The card does not match; type it again.");
			st->msg_error = 1;
			tui_words_reset(st->w);
			break;
		}
		(void)tui_replace(t, &confirmed_ops, &f);
		return;
	case TUI_WORDS_TYPING:
	case TUI_WORDS_BACKED:
		st->msg[0] = '\0';
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops retype_ops = {
        .title = "Type your card back",
        .keys = "Space/Enter next word  Backspace correct  Esc show the words again",
        .help = "Type the words from your card, not from memory: this proves the card is right. "
                "Four letters of each word are enough; press Space or Enter after each word. "
                "Letters show as dots; a word appears once it is confirmed. A word that is not in "
                "the word list, or does not match the card shown, is reported at once and not "
                "kept: type it again. Backspace on an empty word goes back one word. Esc shows the "
                "words again, to correct the card.",
        .flags = TUI_F_SECRET,
        .open = retype_open,
        .draw = retype_draw,
        .key = retype_key,
        .close = retype_close,
};

/* --- confirmed ------------------------------------------------------------------------------ */

static void
confirmed_draw(struct tui *t, struct tui_screen *s)
{
	const struct flow *f = s->st;
	char head[160], text[768];
	int y = TUI_TOP;

	tui_fmt(head, sizeof(head), "%s %s's card is confirmed", tui_check(t), f->ask->custodian);
	tui_put(t, y, TUI_LEFT, TUI_WIDTH, TUI_S_OK, head);
	y += 2;
	tui_fmt(text, sizeof(text),
	        "The screen has been cleared. %s: keep the card where only you can reach it; "
	        "it is needed, with %s, to sign, to change the key's state and to rotate "
	        "shares.\n\nPress Enter and hand the laptop back to the operator.",
	        f->ask->custodian,
	        f->ask->total > 1 ? "the cards of other custodians" : "the other cards");
	tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, TUI_BOTTOM - y, TUI_S_NORMAL, text);
}

static void
confirmed_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	(void)s;
	if (k->req == TUI_REQ_ENTER)
		tui_job_answer(t, 0);
}

static const struct tui_screen_ops confirmed_ops = {
        .title = "Card confirmed",
        .keys = "Enter hand back to the operator",
        .help = "The custodian's card matches the share. The custodian presses Enter and hands the "
                "laptop back; the operator then calls the next custodian.",
        .open = flow_open,
        .draw = confirmed_draw,
        .key = confirmed_key,
        .close = flow_close,
};

/* --- passphrases ---------------------------------------------------------------------------- */

struct pass_st {
	const struct tui_ask *ask;
	struct tui_secret *a, *b;
	int stage; /* 0: first entry; 1: again (set only) */
	char msg[160];
};

static int
pass_open(struct tui *t, struct tui_screen *s, void *arg)
{
	const struct flow *f = arg;
	struct pass_st *st = calloc(1, sizeof(*st));

	(void)t;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	st->ask = f->ask;
	st->a = tui_secret_new(CER_PASSPHRASE_MAX - 1);
	st->b = tui_secret_new(CER_PASSPHRASE_MAX - 1);
	if (st->a == NULL || st->b == NULL) {
		tui_secret_free(st->a);
		tui_secret_free(st->b);
		free(st);
		return CUSTOS_ENOMEM;
	}
	s->st = st;
	return 0;
}

static void
pass_close(struct tui *t, struct tui_screen *s)
{
	struct pass_st *st = s->st;

	(void)t;
	tui_secret_free(st->a);
	tui_secret_free(st->b);
	free(st);
}

static void
pass_draw(struct tui *t, struct tui_screen *s)
{
	const struct pass_st *st = s->st;
	char head[160];
	int y = TUI_TOP;

	if (st->ask->set)
		tui_fmt(head, sizeof(head), "%s: choose a passphrase for your share",
		        st->ask->custodian);
	else
		tui_fmt(head, sizeof(head),
		        "%s's card is passphrase-protected: %s, type your "
		        "passphrase",
		        st->ask->custodian, st->ask->custodian);
	y = tui_heading(t, y, head);
	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 6, TUI_S_NORMAL,
	              st->ask->set
	                      ? "The passphrase protects your card: whoever finds the card cannot "
	                        "use it without it, and you will need both at every ceremony. At "
	                        "least 8 characters. It is not shown; nobody else should see you "
	                        "type. Write it nowhere near the card."
	                      : "The card you typed is protected by a passphrase. Type it; it is "
	                        "not shown.") +
	     1;
	tui_put(t, y, TUI_LEFT, 14, TUI_S_LABEL, "Passphrase");
	tui_secret_draw(t, st->a, y, TUI_LEFT + 14, st->stage == 0);
	y += 2;
	if (st->ask->set) {
		tui_put(t, y, TUI_LEFT, 14, TUI_S_LABEL, "Again");
		tui_secret_draw(t, st->b, y, TUI_LEFT + 14, st->stage == 1);
		y += 2;
	}
	if (st->msg[0] != '\0')
		tui_put(t, y, TUI_LEFT, TUI_WIDTH, TUI_S_ERROR, st->msg);
}

/* Hands the passphrase to the core's buffer and answers. */
static void
pass_give(struct tui *t, struct pass_st *st)
{
	size_t len = tui_secret_len(st->a);

	if (len >= st->ask->len) {
		tui_fmt(st->msg, sizeof(st->msg), "That passphrase is too long.");
		return;
	}
	memcpy(st->ask->buf, tui_secret_text(st->a), len);
	st->ask->buf[len] = '\0';
	tui_job_answer(t, 0);
}

static void
pass_enter(struct tui *t, struct pass_st *st)
{
	size_t la = tui_secret_len(st->a), lb = tui_secret_len(st->b);

	if (st->ask->set && st->stage == 0) {
		if (la < PASSPHRASE_MIN) {
			tui_fmt(st->msg, sizeof(st->msg), "At least %d characters, please.",
			        PASSPHRASE_MIN);
			return;
		}
		st->stage = 1;
		return;
	}
	if (st->ask->set &&
	    (la != lb || sodium_memcmp(tui_secret_text(st->a), tui_secret_text(st->b), la) != 0)) {
		tui_fmt(st->msg, sizeof(st->msg),
		        "The two entries differ: type the "
		        "passphrase twice again.");
		tui_secret_reset(st->a);
		tui_secret_reset(st->b);
		st->stage = 0;
		return;
	}
	if (la == 0) {
		tui_fmt(st->msg, sizeof(st->msg),
		        "Type the passphrase (Esc: this card is not "
		        "counted).");
		return;
	}
	pass_give(t, st);
}

static void
pass_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct pass_st *st = s->st;

	if (k->req == TUI_REQ_BACK) {
		if (st->ask->set)
			ask_abandon(t);
		else
			tui_job_answer(t, CUSTOS_ECANCELLED);
		return;
	}
	if (k->req == TUI_REQ_ENTER) {
		pass_enter(t, st);
		return;
	}
	if (tui_secret_key(st->stage == 0 ? st->a : st->b, k))
		st->msg[0] = '\0';
}

static const struct tui_screen_ops passset_ops = {
        .title = "Passphrase",
        .keys = "Enter next  Backspace correct  Esc abandon",
        .help = "A passphrase protects a share card: the card alone is useless without it. Choose "
                "one of at least 8 characters that you will remember, type it twice; it is never "
                "shown. Without the passphrase the card cannot be used, and nobody can recover it.",
        .flags = TUI_F_SECRET | TUI_F_TEXT,
        .open = pass_open,
        .draw = pass_draw,
        .key = pass_key,
        .close = pass_close,
};

static const struct tui_screen_ops passenter_ops = {
        .title = "Passphrase",
        .keys = "Enter done  Esc do not count this card",
        .help = "This card is protected by a passphrase. The custodian types it (it is never "
                "shown) and presses Enter. A wrong passphrase makes the card not match its "
                "custodian, and it is not counted. Esc gives up on this card.",
        .flags = TUI_F_SECRET | TUI_F_TEXT,
        .open = pass_open,
        .draw = pass_draw,
        .key = pass_key,
        .close = pass_close,
};

/* --- entry points ------------------------------------------------------------------------------
 */

void
tui_deliver_ask(struct tui *t, void *arg, const struct tui_ask *ask)
{
	struct flow f;

	(void)arg;
	memset(&f, 0, sizeof(f));
	f.ask = ask;
	if (ask->kind == TUI_ASK_PASSPHRASE && !ask->set) {
		tui_passphrase_ask(t, arg, ask);
		return;
	}
	if (tui_push(t,
	             ask->kind == TUI_ASK_DELIVER && strcmp(t->handed_to, ask->custodian) == 0
	                     ? &words_ops
	                     : &handover_ops,
	             &f) != 0)
		tui_job_answer(t, CUSTOS_ENOMEM);
}

void
tui_passphrase_ask(struct tui *t, void *arg, const struct tui_ask *ask)
{
	struct flow f;

	(void)arg;
	memset(&f, 0, sizeof(f));
	f.ask = ask;
	if (tui_push(t, &passenter_ops, &f) != 0)
		tui_job_answer(t, CUSTOS_ENOMEM);
}
