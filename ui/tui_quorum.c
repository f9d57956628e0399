/*
 * tui_quorum: custodians type their cards, one word at a time, until the
 * quorum is met (or, to verify cards, each card is checked and forgotten).
 *
 * Each word is completed and checked by the core as it is typed (unknown
 * word: at once); the checksum, the share set and the custodian's
 * commitment are judged by the core when the card is complete
 * (cer_quorum_offer / cer_quorum_check_one, run as a job because a
 * passphrase means Argon2id).  A refused card is reported on screen, naming
 * the custodian or the word where the core can, and is not counted.  Esc
 * abandons: the typed words and the shares accepted so far are wiped.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_card.h"
#include "ui/tui.h"

struct quorum_st {
	struct tui_quorum_spec spec;
	const struct cer_vault *v;
	struct cer_quorum *q; /* UNLOCK: the shares accepted */
	struct tui_words *w;
	int verified[CER_MAX_CUSTODIANS];
	struct cer_offer_result res;
	char msg[512], detail[768];
	int msg_error;
	int met; /* the quorum was handed on */
};

static int
quorum_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct quorum_st *st = calloc(1, sizeof(*st));
	int r;

	if (t->h == NULL || st == NULL) {
		free(st);
		return CUSTOS_ENOMEM;
	}
	st->spec = *(const struct tui_quorum_spec *)arg;
	st->v = t->h->vault;
	if ((st->w = tui_words_new(CER_CARD_WORDS)) == NULL) {
		free(st);
		return CUSTOS_ENOMEM;
	}
	tui_words_allow_short(st->w, CER_CARD_MIN_WORDS);
	if (st->spec.mode == TUI_QUORUM_UNLOCK && (r = cer_quorum_new(st->v, &st->q)) != 0) {
		tui_words_free(st->w);
		free(st);
		return r;
	}
	if (st->q != NULL && st->spec.session != NULL)
		cer_session_watch(st->spec.session, st->q); /* every card offered is recorded */
	s->st = st;
	return 0;
}

/* "1 of 2: alice" (unlock) or "1 of 3 verified: alice; not yet: bob, carol" (verify). */
static void
progress(const struct quorum_st *st, char *buf, size_t len)
{
	char names[CER_MAX_CUSTODIANS * (CER_NAME_MAX + 2)], rest[sizeof(names)];
	size_t i, n = 0, used = 0, rused = 0;

	if (st->spec.mode == TUI_QUORUM_UNLOCK) {
		if (st->q == NULL) { /* handed on */
			tui_fmt(buf, len, "The quorum is met.");
			return;
		}
		cer_quorum_names(st->q, names, sizeof(names));
		tui_fmt(buf, len, "Accepted: %zu of %zu%s%s", cer_quorum_have(st->q),
		        cer_quorum_have(st->q) + cer_quorum_needed(st->q),
		        cer_quorum_have(st->q) ? ": " : "", names);
		return;
	}
	names[0] = rest[0] = '\0';
	for (i = 0; i < st->v->ncustodians; i++) {
		char *b = st->verified[i] ? names : rest;
		size_t *u = st->verified[i] ? &used : &rused;
		int k = snprintf(b + *u, sizeof(names) - *u, "%s%s", *u ? ", " : "",
		                 st->v->custodians[i].name);

		if (k > 0 && (size_t)k < sizeof(names) - *u)
			*u += (size_t)k;
		n += st->verified[i] != 0;
	}
	tui_fmt(buf, len, "Verified: %zu of %zu%s%s%s%s", n, st->v->ncustodians, n ? ": " : "",
	        names, rused ? "; not yet: " : "", rest);
}

static void
quorum_close(struct tui *t, struct tui_screen *s)
{
	struct quorum_st *st = s->st;
	char summary[512];
	size_t i, n = 0;

	for (i = 0; i < st->v->ncustodians; i++)
		n += st->verified[i] != 0;
	progress(st, summary, sizeof(summary));
	cer_quorum_free(st->q);
	st->q = NULL;
	tui_words_free(st->w);
	st->w = NULL;
	if (!st->met && st->spec.closed != NULL)
		st->spec.closed(t, st->spec.ctx, n, summary);
	sodium_memzero(st, sizeof(*st));
	free(st);
}

static void
quorum_draw(struct tui *t, struct tui_screen *s)
{
	const struct quorum_st *st = s->st;
	char line[1024];
	int y = TUI_TOP;

	if (st->spec.mode == TUI_QUORUM_UNLOCK)
		tui_fmt(line, sizeof(line),
		        "Quorum %s: %u of %u custodians must type their "
		        "cards",
		        st->spec.purpose,
		        st->v->ngroups == 1 ? st->v->groups[0].threshold : st->v->group_threshold,
		        st->v->ngroups == 1 ? st->v->groups[0].count : (unsigned)st->v->ngroups);
	else
		tui_fmt(line, sizeof(line),
		        "Verify cards: each custodian types their card; "
		        "nothing is unlocked");
	tui_put(t, y++, TUI_LEFT, TUI_WIDTH, TUI_S_HEADING, line);
	progress(st, line, sizeof(line));
	tui_put(t, y++, TUI_LEFT, TUI_WIDTH, TUI_S_OK, line);
	if (st->msg[0] != '\0') {
		tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, st->msg_error ? TUI_S_ERROR : TUI_S_OK,
		         st->msg);
		tui_wrap(t, y + 2, TUI_LEFT + 2, TUI_WIDTH - 2, 2, TUI_S_DIM, st->detail);
	}
	y += 4;
	tui_put(t, y++, TUI_LEFT, TUI_WIDTH, TUI_S_NORMAL,
	        "Next custodian: type your card, word by word (4 letters, then Space).");
	tui_words_draw(t, st->w, y, 1);
}

/* Verification: the commitment check only, recorded (the custodian and the reason, never the card).
 */
static int
verify_one(struct tui_job *j, struct quorum_st *st, const char *mnemonic)
{
	char word[32] = "";
	int r = cer_quorum_check_one(st->v, mnemonic, tui_job_passphrase, j, &st->res), a;

	if (st->spec.session == NULL)
		return r;
	if (st->res.bad_word > 0)
		tui_fmt(word, sizeof(word), " (word %zu)", st->res.bad_word);
	a = cer_session_record_as(
	        st->spec.session, st->res.custodian[0] ? st->res.custodian : "(unidentified share)",
	        "custodian", "share-verify", "", r == 0 ? "verified" : "refused", "%s%s",
	        r == 0 ? "matches its commitment; nothing unlocked" : custos_strerror(r), word);
	return r != 0 ? r : a;
}

static int
offer_fn(struct tui_job *j, void *arg)
{
	struct quorum_st *st = arg;
	const char *mnemonic = tui_words_mnemonic(st->w);

	memset(&st->res, 0, sizeof(st->res));
	if (st->spec.mode == TUI_QUORUM_UNLOCK)
		return cer_quorum_offer(st->q, mnemonic, tui_job_passphrase, j, &st->res);
	return verify_one(j, st, mnemonic);
}

/* Says what the core decided about the card, in the custodians' words. */
static void
report(struct quorum_st *st, int rc, const char *msg)
{
	const char *who = st->res.custodian;
	size_t i;

	st->msg_error = rc != 0;
	tui_fmt(st->detail, sizeof(st->detail), "%s", rc != 0 ? msg : "");
	switch (rc) {
	case 0:
		if (st->spec.mode == TUI_QUORUM_VERIFY) {
			for (i = 0; i < st->v->ncustodians; i++)
				if (strcmp(st->v->custodians[i].name, who) == 0)
					st->verified[i] = 1;
			tui_fmt(st->msg, sizeof(st->msg),
			        "%s's card is good: it matches the "
			        "share %s was given.",
			        who, who);
		} else {
			tui_fmt(st->msg, sizeof(st->msg), "Accepted %s's card.%s", who,
			        cer_quorum_needed(st->q) ? " Next custodian, please." : "");
		}
		return;
	case CUSTOS_ECHECKSUM:
		tui_fmt(st->msg, sizeof(st->msg),
		        "Not counted: the checksum fails, so at "
		        "least one word is wrong. Check the card and type it again.");
		return;
	case CUSTOS_EMISMATCH:
		tui_fmt(st->msg, sizeof(st->msg),
		        "Not counted: this card is not one of this "
		        "CA's current cards.");
		return;
	case CUSTOS_ECOMMITMENT:
		tui_fmt(st->msg, sizeof(st->msg),
		        "Not counted: this card names %s but does "
		        "not match %s's share (a word mistyped, or a wrong passphrase).",
		        who, who);
		return;
	case CUSTOS_EDUPLICATE:
		tui_fmt(st->msg, sizeof(st->msg),
		        "Not counted again: %s's card is already "
		        "counted.",
		        who);
		return;
	case CUSTOS_ECANCELLED:
		tui_fmt(st->msg, sizeof(st->msg), "Not counted: no passphrase was given.");
		return;
	default:
		tui_fmt(st->msg, sizeof(st->msg), "Not counted%s%s.",
		        who[0] ? ": the card of " : "", who);
		return;
	}
}

static void
offered(struct tui *t, void *arg, int rc, const char *msg)
{
	struct quorum_st *st = arg;
	struct tui_quorum_spec spec;
	struct cer_quorum *q;

	tui_words_reset(st->w);
	report(st, rc, msg);
	sodium_memzero(&st->res, sizeof(st->res));
	if (rc != 0 || st->spec.mode != TUI_QUORUM_UNLOCK || cer_quorum_needed(st->q) > 0)
		return;
	spec = st->spec;
	q = st->q;
	st->q = NULL; /* transferred */
	st->met = 1;
	tui_pop(t); /* frees st */
	spec.met(t, spec.ctx, q);
}

static void
submit(struct tui *t, struct quorum_st *st)
{
	struct tui_job_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.title = "Checking the card";
	spec.steps[0] = "Words, checksum, share set and custodian";
	spec.fn = offer_fn;
	spec.ask = tui_passphrase_ask;
	spec.done = offered;
	spec.arg = st;
	(void)tui_job_start(t, &spec);
}

static void
abandon_yes(struct tui *t, void *ctx)
{
	(void)ctx;
	tui_pop(t);
}

static void
ask_abandon(struct tui *t, struct quorum_st *st)
{
	struct tui_confirm c;

	if (tui_words_count(st->w) == 0 && tui_words_typing(st->w) == 0 &&
	    (st->q == NULL || cer_quorum_have(st->q) == 0)) {
		tui_pop(t);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.title = "Abandon?";
	tui_fmt(c.heading, sizeof(c.heading), "Abandon the quorum?");
	tui_fmt(c.text, sizeof(c.text), "Everything typed is wiped%s; nothing is done.",
	        st->q != NULL && cer_quorum_have(st->q) ? ", and the cards accepted so far are "
	                                                  "forgotten"
	                                                : "");
	c.yes_label = "Abandon";
	c.no_label = "Go on";
	c.yes = abandon_yes;
	(void)tui_confirm_open(t, &c);
}

static void
quorum_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct quorum_st *st = s->st;
	size_t pos;

	if (k->req == TUI_REQ_BACK) {
		ask_abandon(t, st);
		return;
	}
	if (k->req == TUI_REQ_KILL) {
		tui_words_reset(st->w);
		tui_fmt(st->msg, sizeof(st->msg), "Card cleared: start again from word 1.");
		st->msg_error = 0;
		st->detail[0] = '\0';
		return;
	}
	switch (tui_words_key(st->w, k, &pos)) {
	case TUI_WORDS_UNKNOWN:
		tui_fmt(st->msg, sizeof(st->msg),
		        "Word %zu: no word of the list starts with "
		        "the letters typed. Type word %zu again.",
		        pos, pos);
		st->msg_error = 1;
		st->detail[0] = '\0';
		break;
	case TUI_WORDS_COMPLETE:
		st->msg[0] = '\0';
		st->detail[0] = '\0';
		submit(t, st);
		break;
	case TUI_WORDS_TYPING:
	case TUI_WORDS_ACCEPTED:
	case TUI_WORDS_BACKED:
		if (st->msg_error || tui_words_count(st->w) > 0) {
			st->msg[0] = '\0';
			st->detail[0] = '\0';
		}
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops quorum_ops = {
        .title = "Quorum",
        .keys = "Space next word  Backspace correct  Ctrl-U clear card  Esc abandon",
        .help = "Custodians type their cards here, one at a time, word by word: four letters of "
                "a word are enough, then Space or Enter. Letters show as dots; a word appears once "
                "confirmed. A word not in the list is reported at once. When the card is complete "
                "custos checks it and says whose card it is; a card that is wrong, of another CA, "
                "or of a retired share set is reported and not counted. Backspace on an empty word "
                "goes back one word; Ctrl-U clears the card; Enter on an empty word ends a shorter "
                "card. Esc abandons and wipes everything typed.",
        .flags = TUI_F_SECRET,
        .open = quorum_open,
        .draw = quorum_draw,
        .key = quorum_key,
        .close = quorum_close,
};

int
tui_quorum_open(struct tui *t, const struct tui_quorum_spec *spec)
{
	struct tui_quorum_spec copy = *spec;

	return tui_push(t, &quorum_ops, &copy);
}
