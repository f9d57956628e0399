/*
 * tui_ops: operations on the CA, each the same pattern: a screen that says
 * what will happen and asks for an explicit decision; for a signing ceremony
 * the time confirmed; then an audited session (cer_session), the quorum
 * (every card offered recorded), the core call as a job, and the result with
 * the ceremony's transcript to read aloud.
 *
 * The runner (tui_op_start) does the pattern; the operations here -- key
 * state, rotation, quorum test, card verification -- and those of tui_sign.c
 * give it what to run.  A refusal by the session (clock, air gap, operator)
 * is recorded by the core and shown; abandoning at the quorum ends the
 * session as cancelled.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ceremony/cer_transcript.h"
#include "ui/tui.h"

/* --- the runner ---------------------------------------------------------------------------- */

struct run {
	struct tui_op_spec spec;
	struct cer_session *s;
	struct cer_home *h;
	struct cer_quorum *q;
	char transcript[PATH_MAX];
};

static void
run_free(struct run *run)
{
	if (run->spec.cancel != NULL)
		run->spec.cancel(run->spec.arg);
	free(run);
}

void
tui_op_result(struct tui *t, int rc, const char *msg, const char *heading, const char *text,
              const char *transcript)
{
	tui_op_result_then(t, rc, msg, heading, text, transcript, NULL, NULL);
}

void
tui_op_result_then(struct tui *t, int rc, const char *msg, const char *heading, const char *text,
                   const char *transcript, void (*done)(struct tui *t, void *ctx), void *ctx)
{
	struct tui_message m;
	char words[CER_TRANSCRIPT_WORDS_LEN + 8];

	memset(&m, 0, sizeof(m));
	m.title = rc != 0 ? "Refused" : "Done";
	m.error = rc != 0;
	tui_fmt(m.heading, sizeof(m.heading), "%s%s%s", rc == 0 ? tui_check(t) : "",
	        rc == 0 ? " " : "", heading);
	tui_transcript_words(transcript, words, sizeof(words));
	if (rc != 0)
		tui_fmt(m.text, sizeof(m.text), "%s.\n\n%s", msg, text);
	else if (words[0] != '\0')
		tui_fmt(m.text, sizeof(m.text),
		        "%s\n\nThe ceremony's transcript, signed by the root "
		        "key: %s\nIts SHA-256, to read aloud:\n%s",
		        text, transcript, words);
	else
		tui_fmt(m.text, sizeof(m.text), "%s", text);
	m.done = done;
	m.ctx = ctx;
	(void)tui_message_open(t, &m);
}

static int
run_fn(struct tui_job *j, void *arg)
{
	struct run *run = arg;
	struct cer_unlocked *u = NULL;
	int r = 0;

	if (run->q != NULL)
		r = cer_session_unlock(run->s, run->h, run->q, 0, &u);
	cer_quorum_free(run->q);
	run->q = NULL;
	if (r == 0)
		r = run->spec.run(j, run->s, run->h, u, run->spec.arg);
	r = tui_session_finish(run->s, run->h, u, r, run->transcript, sizeof(run->transcript));
	run->s = NULL;
	cer_unlocked_free(u);
	return r;
}

static void
run_done(struct tui *t, void *arg, int rc, const char *msg)
{
	struct run *run = arg;

	run->spec.done(t, run->spec.arg, rc, msg, run->transcript);
	run->spec.cancel = NULL; /* done owns arg */
	run_free(run);
}

static void
start_job(struct tui *t, struct run *run)
{
	struct tui_job_spec spec;
	size_t i;

	memset(&spec, 0, sizeof(spec));
	spec.title = run->spec.title;
	spec.steps[0] = run->q != NULL ? "Combine the cards and open the vault" : "Check";
	for (i = 0; i + 1 < TUI_JOB_STEPS && run->spec.steps[i] != NULL; i++)
		spec.steps[i + 1] = run->spec.steps[i];
	spec.fn = run_fn;
	spec.ask = run->spec.ask;
	spec.passphrase_set = run->spec.passphrase_set;
	spec.done = run_done;
	spec.arg = run;
	if (tui_job_start(t, &spec) != 0) {
		(void)tui_session_finish(run->s, run->h, NULL, CUSTOS_ECANCELLED, run->transcript,
		                         sizeof(run->transcript));
		cer_quorum_free(run->q);
		run_free(run);
	}
}

static void
run_met(struct tui *t, void *ctx, struct cer_quorum *q)
{
	struct run *run = ctx;

	run->q = q;
	start_job(t, run);
}

static void
run_closed(struct tui *t, void *ctx, size_t verified, const char *summary)
{
	struct run *run = ctx;

	(void)verified;
	(void)summary;
	(void)custos_err_set(CUSTOS_ECANCELLED, "abandoned at the quorum");
	(void)tui_session_finish(run->s, t->h, NULL, CUSTOS_ECANCELLED, run->transcript,
	                         sizeof(run->transcript));
	run_free(run);
}

static void
run_begin(struct tui *t, struct run *run, const char *confirm_time, int allow_network)
{
	struct tui_quorum_spec q;
	char msg[768];
	int r;

	if ((r = tui_session_begin(t, run->spec.verb,
	                           run->spec.flags | (run->spec.quorum ? CER_SESSION_KEY : 0),
	                           confirm_time, allow_network, &run->s)) != 0) {
		(void)custos_err_describe(r, msg, sizeof(msg));
		tui_op_result(t, r, msg, "The session was refused",
		              "The refusal is recorded in the audit log. Nothing was unlocked or "
		              "changed.",
		              "");
		run_free(run);
		return;
	}
	run->h = t->h;
	if (run->spec.begun != NULL && (r = run->spec.begun(run->s, run->h, run->spec.arg)) != 0) {
		(void)custos_err_describe(r, msg, sizeof(msg));
		(void)tui_session_finish(run->s, run->h, NULL, r, run->transcript,
		                         sizeof(run->transcript));
		tui_op_result(t, r, msg, "Refused", "Nothing was unlocked or changed.", "");
		run_free(run);
		return;
	}
	if (!run->spec.quorum) {
		start_job(t, run);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.mode = TUI_QUORUM_UNLOCK;
	tui_fmt(q.purpose, sizeof(q.purpose), "%s", run->spec.purpose);
	q.session = run->s;
	q.met = run_met;
	q.closed = run_closed;
	q.ctx = run;
	if (tui_quorum_open(t, &q) != 0)
		run_closed(t, run, 0, "");
}

static void
run_timed(struct tui *t, void *ctx, const char *confirm_time, int allow_network)
{
	struct run *run = ctx;

	if (confirm_time == NULL)
		run_free(run);
	else
		run_begin(t, run, confirm_time, allow_network);
}

void
tui_op_start(struct tui *t, const struct tui_op_spec *spec)
{
	struct run *run = calloc(1, sizeof(*run));

	if (run == NULL) {
		if (spec->cancel != NULL)
			spec->cancel(spec->arg);
		tui_flash(t, "out of memory");
		return;
	}
	run->spec = *spec;
	if (spec->flags & CER_SESSION_SIGNING)
		tui_time_confirm(t, run_timed, run);
	else
		run_begin(t, run, NULL, 0);
}

/* --- key state, rotation, quorum test -------------------------------------------------------- */

enum op_kind { OP_STATE, OP_ROTATE, OP_TEST };

struct op {
	enum op_kind kind;
	enum cer_key_state from, to;
	uint16_t old_set, new_set;
	size_t ncustodians;
};

static int
op_run(struct tui_job *j, struct cer_session *s, struct cer_home *h, struct cer_unlocked *u,
       void *arg)
{
	static const uint8_t probe[] = "custos quorum test";
	struct op *o = arg;
	char object[64], quorum[256];
	uint8_t sig[1024];
	size_t siglen = sizeof(sig);
	int r;

	switch (o->kind) {
	case OP_STATE:
		tui_fmt(object, sizeof(object), "%s -> %s", cer_state_name(o->from),
		        cer_state_name(o->to));
		if ((r = cer_key_set_state(h, u, o->to, cer_session_time(s))) == 0)
			r = cer_session_record(s, "key-state", object, "ok", NULL);
		return r;
	case OP_ROTATE:
		if ((r = cer_rotate(h, u, NULL, tui_job_deliver, j, tui_job_passphrase, j,
		                    cer_session_time(s))) != 0)
			return r;
		o->new_set = h->vault->identifier;
		o->ncustodians = h->vault->ncustodians;
		tui_fmt(object, sizeof(object), "set %u -> set %u", o->old_set, o->new_set);
		cer_session_describe_quorum(h->vault, quorum, sizeof(quorum));
		if ((r = cer_session_record(s, "rotate", object, "ok", "old set retired; quorum %s",
		                            quorum)) != 0)
			return r;
		return cer_session_record_share_set(s, h->vault);
	case OP_TEST:
		r = u->backend->sign(u->key, probe, sizeof(probe) - 1, sig, &siglen);
		sodium_memzero(sig, sizeof(sig));
		if (r == 0)
			r = cer_session_record(s, "key-test", "", "ok", "a probe was signed");
		return r;
	}
	return CUSTOS_EINTERNAL;
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
op_done(struct tui *t, void *arg, int rc, const char *msg, const char *transcript)
{
	struct op *o = arg;
	char text[1024], head[128];

	(void)tui_open_home(t);
	tui_pop_to_bottom(t);
	if (rc != 0) {
		tui_fmt(text, sizeof(text), "Nothing was changed.%s",
		        o->kind == OP_ROTATE
		                ? " New cards written during this attempt are worthless: "
		                  "destroy them; the old cards still work."
		                : "");
		tui_op_result(t, rc, msg, "The operation was refused", text, transcript);
		free(o);
		return;
	}
	switch (o->kind) {
	case OP_STATE:
		tui_fmt(head, sizeof(head), "Key state changed: %s to %s", cer_state_name(o->from),
		        cer_state_name(o->to));
		tui_fmt(text, sizeof(text),
		        "The vault was re-sealed and replaced. The key is now %s.",
		        cer_state_name(o->to));
		break;
	case OP_ROTATE:
		tui_fmt(head, sizeof(head), "New share set %u", o->new_set);
		tui_fmt(text, sizeof(text),
		        "%zu custodians hold new cards of share set %u. Share set %u is retired: "
		        "its "
		        "cards no longer open the vault. Destroy the old cards now, in front of "
		        "the "
		        "witnesses.",
		        o->ncustodians, o->new_set, o->old_set);
		break;
	case OP_TEST:
		tui_fmt(head, sizeof(head), "The quorum opens the vault");
		tui_fmt(text, sizeof(text),
		        "The cards combined, the vault opened and the root key "
		        "signed a test message. Nothing was changed.");
		break;
	}
	tui_op_result(t, 0, "", head, text, transcript);
	free(o);
}

/* The decision was yes: run it. */
static void
op_yes(struct tui *t, void *ctx)
{
	struct op *o = ctx;
	struct tui_op_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.quorum = 1;
	spec.run = op_run;
	spec.done = op_done;
	spec.cancel = free;
	spec.arg = o;
	o->old_set = t->h->vault->identifier;
	switch (o->kind) {
	case OP_STATE:
		spec.verb = "key-state";
		spec.flags = CER_SESSION_KEY;
		spec.title = "Changing the key state";
		spec.steps[0] = "Change the state, re-seal and replace the vault";
		tui_fmt(spec.purpose, sizeof(spec.purpose), "to make the key %s",
		        cer_state_name(o->to));
		break;
	case OP_ROTATE:
		spec.verb = "rotate";
		spec.title = "Rotating the shares";
		spec.steps[0] = "Split a new master secret";
		spec.steps[1] = "Deliver one new card to each custodian";
		spec.steps[2] = "Re-seal the vault and retire the old share set";
		spec.ask = op_ask;
		spec.passphrase_set = 1;
		tui_fmt(spec.purpose, sizeof(spec.purpose), "to rotate the shares");
		break;
	case OP_TEST:
		spec.verb = "key-test";
		spec.title = "Testing the quorum";
		spec.steps[0] = "Sign a test message with the root key";
		tui_fmt(spec.purpose, sizeof(spec.purpose), "test");
		break;
	}
	tui_op_start(t, &spec);
}

static void
op_no(struct tui *t, void *ctx)
{
	(void)t;
	free(ctx);
}

/* --- key state ---------------------------------------------------------------------------------
 */

static const struct {
	enum cer_key_state to;
	const char *what;
	const char *typed; /* irreversible: this word must be typed */
} targets[] = {
        {CER_STATE_ACTIVE, "The key may be used to sign certificates and CRLs.", NULL},
        {CER_STATE_DEACTIVATED,
         "The key signs nothing until it is activated again; it stays sealed in the vault.", NULL},
        {CER_STATE_COMPROMISED,
         "The key is marked compromised: it will never sign a certificate again (a last CRL can "
         "still be issued), and its shares can no longer be rotated. This cannot be undone.",
         "compromised"},
        {CER_STATE_DESTROYED,
         "The sealed key is removed from the vault for ever: nothing can ever be signed with it "
         "again, by anyone. This cannot be undone.",
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
	        "%s\n\nNext, %u custodians type their cards; then the vault is re-sealed with the "
	        "new state. Every step is recorded in the audit log.",
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

/* --- rotate, test ---------------------------------------------------------------------------- */

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
	        "A new share set for the same custodians (%s), with the same quorum. First the "
	        "quorum types the current cards to open the vault; then every custodian (all %zu "
	        "must be here, each with a blank card) receives a new card and types it back. Only "
	        "then is the vault re-sealed: from that moment the old cards (share set %u) no "
	        "longer open it.\n\nTo change the custodians or the quorum, use `custos shares "
	        "rotate` with --custodian and --threshold (not in the application yet).",
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

/* --- verify ---------------------------------------------------------------------------------- */

static void
verify_closed(struct tui *t, void *ctx, size_t verified, const char *summary)
{
	struct cer_session *s = ctx;
	char transcript[PATH_MAX], msg[768], text[1024];
	int r = 0;

	if (verified == 0)
		r = custos_err_set(CUSTOS_ENOENT, "no card was verified");
	else
		r = cer_session_record(s, "shares-verify", "", "ok",
		                       "%zu of %zu custodians verified", verified,
		                       t->h->vault->ncustodians);
	if (r != 0)
		(void)custos_err_describe(r, msg, sizeof(msg));
	r = tui_session_finish(s, t->h, NULL, r, transcript, sizeof(transcript));
	if (verified == 0)
		return; /* nothing happened worth a screen */
	tui_fmt(text, sizeof(text),
	        "%s. Nothing was unlocked or changed; each check is recorded "
	        "in the audit log.",
	        summary);
	tui_op_result(t, r, r != 0 ? custos_err_describe(r, msg, sizeof(msg)) : "",
	              "Cards verified", text, "");
}

static void
verify_yes(struct tui *t, void *ctx)
{
	struct tui_quorum_spec q;
	struct cer_session *s = NULL;
	char msg[768];
	int r;

	(void)ctx;
	if ((r = tui_session_begin(t, "shares-verify", 0, NULL, 0, &s)) != 0) {
		tui_op_result(t, r, custos_err_describe(r, msg, sizeof(msg)),
		              "The session was refused", "Nothing was checked.", "");
		return;
	}
	memset(&q, 0, sizeof(q));
	q.mode = TUI_QUORUM_VERIFY;
	q.session = s;
	q.closed = verify_closed;
	q.ctx = s;
	if (tui_quorum_open(t, &q) != 0)
		(void)tui_session_finish(s, t->h, NULL, CUSTOS_ENOMEM, msg, sizeof(msg));
}

void
tui_ops_verify(struct tui *t)
{
	struct tui_confirm c;

	memset(&c, 0, sizeof(c));
	c.title = "Verify cards";
	tui_fmt(c.heading, sizeof(c.heading), "Verify the custodians' cards?");
	tui_fmt(c.text, sizeof(c.text),
	        "Each custodian in turn types their card. custos checks that it is a card of this "
	        "CA's current share set and that it matches the share that custodian was given. "
	        "Nothing is unlocked, nothing is changed, and a card is forgotten as soon as it is "
	        "checked; each check is recorded in the audit log. Esc ends the verification.");
	c.yes_label = "Start";
	c.no_label = "Cancel";
	c.yes = verify_yes;
	(void)tui_confirm_open(t, &c);
}
