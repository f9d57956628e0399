/*
 * tui_job: one core operation at a time on a worker thread, with a progress
 * screen (steps, spinner, elapsed time) on the UI thread.
 *
 * The core asks questions back through callbacks (deliver this share, give
 * this custodian's passphrase).  On the worker, tui_job_deliver() and
 * tui_job_passphrase() post the question and wait; the UI thread's poll sees
 * it and hands it to the job's ask function, which pushes screens; the last
 * of them answers with tui_job_answer(), which first closes every screen
 * above the progress screen (so no screen outlives the buffers it shows),
 * then wakes the worker.
 *
 * Invariants: curses is never touched off the UI thread; the core's
 * per-thread error detail is turned into text on the worker, where it was
 * set; a cancelled job gets CUSTOS_ECANCELLED for every question, so the core
 * unwinds and creates nothing.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/tui.h"

struct tui_job {
	struct tui_job_spec spec;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* shared with the worker, under mu */
	int finished, rc;
	char msg[768];
	struct tui_ask ask;
	int asking, answered, answer, cancelled;
	/* UI thread only */
	int serving;
	struct tui_screen *busy;
	size_t step;
	char note[160];
	struct timespec started;
};

/* --- the worker's side ----------------------------------------------------------------- */

static void *
worker(void *arg)
{
	struct tui_job *j = arg;
	char msg[768] = "";
	int rc;

	custos_err_clear();
	rc = j->spec.fn(j, j->spec.arg);
	if (rc != 0)
		(void)custos_err_describe(rc, msg, sizeof(msg));
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	memcpy(j->msg, msg, sizeof(msg));
	j->finished = 1;
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* Posts a question and waits for the UI thread's answer. */
static int
ask(struct tui_job *j, const struct tui_ask *a)
{
	int r;

	pthread_mutex_lock(&j->mu);
	if (j->cancelled) {
		pthread_mutex_unlock(&j->mu);
		return custos_err_set(CUSTOS_ECANCELLED, "abandoned at the terminal");
	}
	j->ask = *a;
	j->answered = 0;
	j->asking = 1;
	while (!j->answered)
		pthread_cond_wait(&j->cv, &j->mu);
	j->asking = 0;
	r = j->answer;
	memset(&j->ask, 0, sizeof(j->ask));
	pthread_mutex_unlock(&j->mu);
	if (r != 0)
		return custos_err_set(r, "abandoned at the terminal");
	return 0;
}

int
tui_job_deliver(void *ctx, const char *custodian, size_t index, size_t total, const char *mnemonic)
{
	struct tui_ask a;

	memset(&a, 0, sizeof(a));
	a.kind = TUI_ASK_DELIVER;
	a.custodian = custodian;
	a.index = index;
	a.total = total;
	a.mnemonic = mnemonic;
	return ask(ctx, &a);
}

int
tui_job_passphrase(void *ctx, const char *custodian, char *buf, size_t len)
{
	struct tui_job *j = ctx;
	struct tui_ask a;

	memset(&a, 0, sizeof(a));
	a.kind = TUI_ASK_PASSPHRASE;
	a.custodian = custodian;
	a.buf = buf;
	a.len = len;
	a.set = j->spec.passphrase_set;
	return ask(j, &a);
}

/* --- the progress screen ------------------------------------------------------------------ */

static double
elapsed(const struct tui_job *j)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - j->started.tv_sec) +
	       (double)(now.tv_nsec - j->started.tv_nsec) / 1e9;
}

static int
busy_open(struct tui *t, struct tui_screen *s, void *arg)
{
	(void)t;
	s->st = arg;
	return 0;
}

static void
busy_draw(struct tui *t, struct tui_screen *s)
{
	const struct tui_job *j = s->st;
	int y = TUI_TOP, done;
	size_t i;

	y = tui_heading(t, y, j->spec.title);
	for (i = 0; i < TUI_JOB_STEPS && j->spec.steps[i] != NULL; i++, y++) {
		done = i < j->step;
		tui_put(t, y, TUI_LEFT + 2, 4, done ? TUI_S_OK : TUI_S_HEADING,
		        done           ? tui_check(t)
		        : i == j->step ? tui_spinner(t)
		                       : " ");
		tui_put(t, y, TUI_LEFT + 6, TUI_WIDTH - 6, i <= j->step ? TUI_S_NORMAL : TUI_S_DIM,
		        j->spec.steps[i]);
	}
	y++;
	if (j->note[0] != '\0')
		tui_put(t, y++, TUI_LEFT + 2, TUI_WIDTH - 2, TUI_S_NORMAL, j->note);
	tui_putf(t, y + 1, TUI_LEFT + 2, TUI_S_DIM, "%s working... %.0f s", tui_spinner(t),
	         elapsed(j));
}

static void
busy_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	(void)s;
	if (k->req == TUI_REQ_BACK || k->req == TUI_REQ_ENTER || k->req == TUI_REQ_CHAR)
		tui_flash(t, "Please wait: this step cannot be interrupted safely (Ctrl-C abandons "
		             "the whole operation).");
}

static const struct tui_screen_ops busy_ops = {
        .title = "Working",
        .keys = "please wait",
        .help = "custos is working: generating a key, protecting a share with a passphrase "
                "(Argon2id takes a second or two), or writing the vault. The list shows what is "
                "done and what runs now. Keys are ignored until the next step needs you; Ctrl-C "
                "abandons the whole operation, which then creates or changes nothing.",
        .flags = TUI_F_BUSY,
        .open = busy_open,
        .draw = busy_draw,
        .key = busy_key,
};

/* --- the UI side ------------------------------------------------------------------------- */

int
tui_job_start(struct tui *t, const struct tui_job_spec *spec)
{
	struct tui_job *j;
	int r;

	if (t->job != NULL) {
		tui_flash(t, "another operation is still running");
		return CUSTOS_EREFUSED;
	}
	if (t->quit) /* leaving: nothing new starts, e.g. after a quorum met while quitting */
		return custos_err_set(CUSTOS_ECANCELLED, "the application is quitting");
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return CUSTOS_ENOMEM;
	j->spec = *spec;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	if ((r = tui_push(t, &busy_ops, j)) != 0)
		goto fail;
	j->busy = t->top;
	if (pthread_create(&j->thread, NULL, worker, j) != 0) {
		tui_pop(t);
		tui_flash(t, "cannot start a worker thread");
		r = CUSTOS_ENOMEM;
		goto fail;
	}
	t->job = j;
	return 0;
fail:
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
	return r;
}

static int
in_stack(const struct tui *t, const struct tui_screen *s)
{
	const struct tui_screen *p;

	for (p = t->top; p != NULL; p = p->below)
		if (p == s)
			return 1;
	return 0;
}

/* Closes every screen above the progress screen. */
static void
pop_to_busy(struct tui *t, const struct tui_job *j)
{
	if (!in_stack(t, j->busy))
		return;
	while (t->top != j->busy)
		tui_pop(t);
}

void
tui_job_answer(struct tui *t, int rc)
{
	struct tui_job *j = t->job;

	if (j == NULL || !j->serving)
		return;
	pop_to_busy(t, j);
	j->serving = 0;
	clock_gettime(CLOCK_MONOTONIC, &j->started); /* time the work, not the custodian */
	tui_fmt(t->handed_to, sizeof(t->handed_to), "%s",
	        rc == 0 && j->ask.kind == TUI_ASK_PASSPHRASE ? j->ask.custodian : "");
	pthread_mutex_lock(&j->mu);
	j->answer = rc;
	j->answered = 1;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

void
tui_job_cancel(struct tui *t)
{
	struct tui_job *j = t->job;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->cancelled = 1;
	pthread_mutex_unlock(&j->mu);
	if (j->serving)
		tui_job_answer(t, CUSTOS_ECANCELLED);
}

void
tui_job_step(struct tui *t, size_t i)
{
	if (t->job != NULL && t->job->step != i) {
		t->job->step = i;
		clock_gettime(CLOCK_MONOTONIC, &t->job->started);
	}
}

void
tui_job_note(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	if (t->job == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(t->job->note, sizeof(t->job->note), fmt, ap);
	va_end(ap);
}

/* Joins a finished job, closes its screens and reports to its owner. */
static void
finish(struct tui *t, struct tui_job *j)
{
	tui_job_done_fn done = j->spec.done;
	void *arg = j->spec.arg;
	char msg[768];
	int rc;

	pthread_join(j->thread, NULL);
	rc = j->rc;
	memcpy(msg, j->msg, sizeof(msg));
	pop_to_busy(t, j);
	if (t->top == j->busy)
		tui_pop(t);
	t->job = NULL;
	t->handed_to[0] = '\0';
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
	if (done != NULL)
		done(t, arg, rc, msg);
}

void
tui_job_poll(struct tui *t)
{
	struct tui_job *j = t->job;
	int finished, serve = 0;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	if (j->asking && !j->answered && !j->serving) {
		if (j->cancelled || j->spec.ask == NULL) {
			j->answer = CUSTOS_ECANCELLED;
			j->answered = 1;
			pthread_cond_signal(&j->cv);
		} else {
			j->serving = serve = 1;
		}
	}
	finished = j->finished;
	pthread_mutex_unlock(&j->mu);
	if (serve) {
		/* The worker waits, so j->ask stays as it is until the answer. */
		j->spec.ask(t, j->spec.arg, &j->ask);
		return;
	}
	if (finished)
		finish(t, j);
}
