/*
 * tui_ops: maintenance, each the same pattern: a screen that says what will
 * happen and asks for an explicit decision, then the quorum, then the core
 * call as a job, then the result.
 *
 *   key state  choose the new state (only the steps cer_state_transition_ok
 *              allows), decide (irreversible ones need the word typed),
 *              quorum, cer_unlock + cer_key_set_state
 *   verify     decide, then each custodian's card is checked against its
 *              commitment (cer_quorum_check_one); nothing is unlocked
 *   rotate     decide, quorum, cer_unlock + cer_rotate with share delivery
 *   test       decide, quorum, cer_unlock + one signature; nothing changes
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/tui.h"

enum op_kind { OP_STATE, OP_ROTATE, OP_TEST };

/* One operation's parameters and results; lives from the decision to the result. */
struct op {
	enum op_kind kind;
	enum cer_key_state from, to;
	struct cer_home *h;
	struct cer_quorum *q;
	uint16_t old_set, new_set;
	size_t ncustodians;
	double ms;
};

static void
message(struct tui *t, int error, const char *heading, const char *text)
{
	struct tui_message m;

	memset(&m, 0, sizeof(m));
	m.title = error ? "Refused" : "Done";
	m.error = error;
	tui_fmt(m.heading, sizeof(m.heading), "%s", heading);
	tui_fmt(m.text, sizeof(m.text), "%s", text);
	(void)tui_message_open(t, &m);
}

/* --- the job ------------------------------------------------------------------------------ */

static int
probe(struct cer_unlocked *u, struct op *o)
{
	static const uint8_t msg[] = "custos quorum test";
	uint8_t sig[1024];
	size_t siglen = sizeof(sig);
	int r = u->backend->sign(u->key, msg, sizeof(msg) - 1, sig, &siglen);

	(void)o;
	sodium_memzero(sig, sizeof(sig));
	return r;
}

static int
op_fn(struct tui_job *j, void *arg)
{
	struct op *o = arg;
	struct cer_unlocked *u = NULL;
	struct timespec t0, t1;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((r = cer_unlock(o->h, o->q, &u)) != 0)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	o->ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	switch (o->kind) {
	case OP_STATE:
		r = cer_key_set_state(o->h, u, o->to, time(NULL));
		break;
	case OP_ROTATE:
		r = cer_rotate(o->h, u, NULL, tui_job_deliver, j, tui_job_passphrase, j,
		               time(NULL));
		if (r == 0) {
			o->new_set = o->h->vault->identifier;
			o->ncustodians = o->h->vault->ncustodians;
		}
		break;
	case OP_TEST:
		r = probe(u, o);
		break;
	}
out:
	cer_unlocked_free(u);
	cer_quorum_free(o->q);
	o->q = NULL;
	return r;
}

static void
op_ask(struct tui *t, void *arg, const struct tui_ask *ask)
{
	tui_job_step(t, 2);
	if (ask->kind == TUI_ASK_DELIVER) {
		tui_job_note(t, "New cards confirmed: %zu of %zu", ask->index + 1, ask->total);
		if (ask->index + 1 == ask->total)
			tui_job_step(t, 3);
	} else {
		tui_job_note(t, "Protecting %s's new share with the passphrase (Argon2id)...",
		             ask->custodian);
	}
	tui_deliver_ask(t, arg, ask);
}

static void
op_done(struct tui *t, void *arg, int rc, const char *msg)
{
	struct op *o = arg;
	char text[1536], head[128];
	enum op_kind kind = o->kind;

	if (rc != 0) {
		tui_fmt(text, sizeof(text), "%s.\n\nNothing was changed.%s", msg,
		        kind == OP_ROTATE ? " New cards written during this attempt are "
		                            "worthless: destroy them; the old cards still work."
		                          : "");
		free(o);
		tui_pop_to_bottom(t);
		message(t, 1, "The operation was refused", text);
		return;
	}
	switch (kind) {
	case OP_STATE:
		tui_fmt(head, sizeof(head), "%s Key state changed: %s to %s", tui_check(t),
		        cer_state_name(o->from), cer_state_name(o->to));
		tui_fmt(text, sizeof(text),
		        "The vault was re-sealed and replaced. The key is "
		        "now %s.",
		        cer_state_name(o->to));
		break;
	case OP_ROTATE:
		tui_fmt(head, sizeof(head), "%s New share set %u", tui_check(t), o->new_set);
		tui_fmt(text, sizeof(text),
		        "%zu custodians hold new cards of share set %u. Share set %u is retired: "
		        "its cards no longer open the vault. Destroy the old cards now, in front "
		        "of the witnesses.",
		        o->ncustodians, o->new_set, o->old_set);
		break;
	case OP_TEST:
		tui_fmt(head, sizeof(head), "%s The quorum opens the vault", tui_check(t));
		tui_fmt(text, sizeof(text),
		        "The cards combined, the vault opened (in %.0f ms) "
		        "and the root key signed a test message. Nothing was changed.",
		        o->ms);
		break;
	}
	free(o);
	(void)tui_open_home(t);
	tui_pop_to_bottom(t);
	message(t, 0, head, text);
}

/* The quorum is met: run the operation. */
static void
op_met(struct tui *t, void *ctx, struct cer_quorum *q)
{
	struct op *o = ctx;
	struct tui_job_spec spec;

	o->q = q;
	o->h = t->h;
	o->old_set = t->h->vault->identifier;
	memset(&spec, 0, sizeof(spec));
	spec.steps[0] = "Combine the cards and open the vault";
	switch (o->kind) {
	case OP_STATE:
		spec.title = "Changing the key state";
		spec.steps[1] = "Change the state, re-seal and replace the vault";
		break;
	case OP_ROTATE:
		spec.title = "Rotating the shares";
		spec.steps[1] = "Split a new master secret";
		spec.steps[2] = "Deliver one new card to each custodian";
		spec.steps[3] = "Re-seal the vault and retire the old share set";
		spec.ask = op_ask;
		spec.passphrase_set = 1;
		break;
	case OP_TEST:
		spec.title = "Testing the quorum";
		spec.steps[1] = "Sign a test message with the root key";
		break;
	}
	spec.fn = op_fn;
	spec.done = op_done;
	spec.arg = o;
	if (tui_job_start(t, &spec) != 0) {
		cer_quorum_free(q);
		free(o);
	}
}

static void
op_no(struct tui *t, void *ctx)
{
	(void)t;
	free(ctx);
}

/* The decision was yes: now the quorum. */
static void
op_yes(struct tui *t, void *ctx)
{
	struct op *o = ctx;
	struct tui_quorum_spec q;

	memset(&q, 0, sizeof(q));
	q.mode = TUI_QUORUM_UNLOCK;
	q.met = op_met;
	q.abandoned = op_no;
	q.ctx = o;
	switch (o->kind) {
	case OP_STATE:
		tui_fmt(q.purpose, sizeof(q.purpose), "to make the key %s", cer_state_name(o->to));
		break;
	case OP_ROTATE:
		tui_fmt(q.purpose, sizeof(q.purpose), "to rotate the shares");
		break;
	case OP_TEST:
		tui_fmt(q.purpose, sizeof(q.purpose), "test");
		break;
	}
	if (tui_quorum_open(t, &q) != 0)
		free(o);
}

/* --- key state ---------------------------------------------------------------------------------
 */

static const struct {
	enum cer_key_state to;
	const char *what;
	const char *typed; /* irreversible: this word must be typed */
} targets[] = {
        {CER_STATE_ACTIVE,
         "The key may be used to sign (certificates and CRLs, once custos signs).", NULL},
        {CER_STATE_DEACTIVATED,
         "The key signs nothing until it is activated again; it stays sealed "
         "in the vault.",
         NULL},
        {CER_STATE_COMPROMISED,
         "The key is marked compromised: it will never sign again, and its "
         "shares can no longer be rotated. This cannot be undone.",
         "compromised"},
        {CER_STATE_DESTROYED,
         "The sealed key is removed from the vault for ever: nothing can ever "
         "be signed with it again, by anyone. This cannot be undone.",
         "destroy"},
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

struct state_st {
	size_t sel;
};

static int
state_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct state_st *st = calloc(1, sizeof(*st));
	size_t i;

	(void)arg;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	for (i = 0; i < NTARGETS; i++)
		if (cer_state_transition_ok(t->h->vault->state, targets[i].to) == 0) {
			st->sel = i;
			break;
		}
	s->st = st;
	return 0;
}

static void
state_close(struct tui *t, struct tui_screen *s)
{
	(void)t;
	free(s->st);
}

static void
state_draw(struct tui *t, struct tui_screen *s)
{
	const struct state_st *st = s->st;
	char line[256];
	int y = TUI_TOP, ok;
	size_t i;

	tui_fmt(line, sizeof(line), "Change the key state: the key is now %s",
	        cer_state_name(t->h->vault->state));
	y = tui_heading(t, y, line);
	for (i = 0; i < NTARGETS; i++) {
		ok = cer_state_transition_ok(t->h->vault->state, targets[i].to) == 0;
		tui_fmt(line, sizeof(line), " %-12s %s", cer_state_name(targets[i].to),
		        ok ? "" : "(not from this state)");
		tui_put(t, y++, TUI_LEFT, TUI_WIDTH,
		        i == st->sel ? TUI_S_FOCUS
		        : ok         ? TUI_S_NORMAL
		                     : TUI_S_DIM,
		        line);
		y += tui_wrap(t, y, TUI_LEFT + 14, TUI_WIDTH - 14, 2, ok ? TUI_S_NORMAL : TUI_S_DIM,
		              targets[i].what) +
		     1;
	}
	tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, TUI_S_DIM,
	         "Every change needs the quorum. Choose with Up/Down and press Enter.");
}

static void
state_decide(struct tui *t, size_t i)
{
	struct tui_confirm c;
	struct op *o;
	char msg[512];
	int r;

	if ((r = cer_state_transition_ok(t->h->vault->state, targets[i].to)) != 0) {
		tui_flash(t, "%s", custos_err_describe(r, msg, sizeof(msg)));
		return;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return;
	o->kind = OP_STATE;
	o->from = t->h->vault->state;
	o->to = targets[i].to;
	memset(&c, 0, sizeof(c));
	c.title = "Key state";
	tui_fmt(c.heading, sizeof(c.heading), "Change the key state from %s to %s?",
	        cer_state_name(o->from), cer_state_name(o->to));
	tui_fmt(c.text, sizeof(c.text),
	        "%s\n\nNext, %u custodians type their cards; then "
	        "the vault is re-sealed with the new state.",
	        targets[i].what,
	        t->h->vault->ngroups == 1 ? t->h->vault->groups[0].threshold
	                                  : t->h->vault->group_threshold);
	c.yes_label = "Continue to the quorum";
	c.no_label = "Cancel";
	c.typed = targets[i].typed;
	c.danger = targets[i].typed != NULL;
	c.yes = op_yes;
	c.no = op_no;
	c.ctx = o;
	tui_pop(t); /* the chooser */
	if (tui_confirm_open(t, &c) != 0)
		free(o);
}

static void
state_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct state_st *st = s->st;

	switch (k->req) {
	case TUI_REQ_UP:
		st->sel = (st->sel + NTARGETS - 1) % NTARGETS;
		break;
	case TUI_REQ_DOWN:
	case TUI_REQ_NEXT:
		st->sel = (st->sel + 1) % NTARGETS;
		break;
	case TUI_REQ_ENTER:
		state_decide(t, st->sel);
		break;
	case TUI_REQ_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops state_ops = {
        .title = "Key state",
        .keys = "Up/Down choose  Enter continue  Esc back",
        .help = "The root key's lifecycle: pre-active (just created), active (may sign), "
                "deactivated (signs nothing; can be activated again), compromised (never signs "
                "again), destroyed (the sealed key is gone). Only the steps allowed from the "
                "current state can be chosen. After choosing you confirm, then the quorum types "
                "their cards, then the vault is re-sealed with the new state.",
        .open = state_open,
        .draw = state_draw,
        .key = state_key,
        .close = state_close,
};

void
tui_ops_key_state(struct tui *t)
{
	(void)tui_push(t, &state_ops, NULL);
}

/* --- verify, rotate, test ------------------------------------------------------------------------
 */

static void
verify_yes(struct tui *t, void *ctx)
{
	struct tui_quorum_spec q;

	(void)ctx;
	memset(&q, 0, sizeof(q));
	q.mode = TUI_QUORUM_VERIFY;
	(void)tui_quorum_open(t, &q);
}

void
tui_ops_verify(struct tui *t)
{
	struct tui_confirm c;

	memset(&c, 0, sizeof(c));
	c.title = "Verify cards";
	tui_fmt(c.heading, sizeof(c.heading), "Verify the custodians' cards?");
	tui_fmt(c.text, sizeof(c.text),
	        "Each custodian in turn types their card. custos checks that it is a card of "
	        "this CA's current share set and that it matches the share that custodian "
	        "was given. Nothing is unlocked, nothing is changed, and a card is forgotten "
	        "as soon as it is checked. Esc ends the verification.");
	c.yes_label = "Start";
	c.no_label = "Cancel";
	c.yes = verify_yes;
	(void)tui_confirm_open(t, &c);
}

static void
decide(struct tui *t, enum op_kind kind, const char *title, const char *heading, const char *text,
       const char *yes)
{
	struct tui_confirm c;
	struct op *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return;
	o->kind = kind;
	memset(&c, 0, sizeof(c));
	c.title = title;
	tui_fmt(c.heading, sizeof(c.heading), "%s", heading);
	tui_fmt(c.text, sizeof(c.text), "%s", text);
	c.yes_label = yes;
	c.no_label = "Cancel";
	c.yes = op_yes;
	c.no = op_no;
	c.ctx = o;
	if (tui_confirm_open(t, &c) != 0)
		free(o);
}

void
tui_ops_rotate(struct tui *t)
{
	const struct cer_vault *v = t->h->vault;
	char names[CER_MAX_CUSTODIANS * (CER_NAME_MAX + 2)], text[2048];
	size_t i, used = 0;
	int n;

	names[0] = '\0';
	for (i = 0; i < v->ncustodians; i++) {
		n = snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
		             v->custodians[i].name);
		if (n > 0 && (size_t)n < sizeof(names) - used)
			used += (size_t)n;
	}
	tui_fmt(text, sizeof(text),
	        "A new share set for the same custodians (%s), with the same quorum. First "
	        "the quorum types the current cards to open the vault; then every custodian "
	        "(all %zu must be here, each with a blank card) receives a new card and "
	        "types it back. Only then is the vault re-sealed: from that moment the old "
	        "cards (share set %u) no longer open it.\n\nTo change the custodians or the "
	        "quorum, use `custos shares rotate` with --custodian and --threshold (not "
	        "in the application yet).",
	        names, v->ncustodians, v->identifier);
	decide(t, OP_ROTATE, "Rotate shares", "Rotate the shares?", text, "Continue to the quorum");
}

void
tui_ops_test(struct tui *t)
{
	decide(t, OP_TEST, "Test the quorum", "Test that the quorum opens the vault?",
	       "The quorum types their cards; custos combines them, opens the vault, signs a test "
	       "message with the root key, and closes the vault again. Nothing is changed. Use it "
	       "to prove, in front of the witnesses, that the cards still work.",
	       "Continue to the quorum");
}
