/*
 * tui_dash: the dashboard: what the CA is and what can be done with it.
 *
 * Two tables drive it.  info_rows[]: one line each, a label and a function
 * that formats the value the core gives (vault, inventory, audit log,
 * environment); a value the core cannot give is said so, never made up.
 * actions[]: one entry each (hot key, label, what it opens, and why it
 * cannot be used now, if it cannot).  What needs the database or a scan is
 * gathered by dash_refresh() when the dashboard comes back on top, when the
 * CA changed, and every half minute -- not on every frame.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ceremony/cer_audit.h"
#include "ceremony/cer_db.h"
#include "ceremony/cer_env.h"
#include "ui/tui.h"

#define REFRESH_TICKS 75 /* ~30 s at the idle key timeout */
#define CRL_WARN_DAYS 30

struct fact {
	char text[320];
	enum tui_style style;
};

struct dash_st {
	size_t sel;
	unsigned long gen, at;
	int fresh;
	struct fact certs, crl, audit, airgap, clock;
};

/* --- what is shown ---------------------------------------------------------------------- */

struct row {
	const char *label;
	/* Fills buf; returns the style for the value. */
	enum tui_style (*value)(const struct tui *t, const struct dash_st *st, char *buf,
	                        size_t len);
};

static enum tui_style
row_key(const struct tui *t, const struct dash_st *st, char *buf, size_t len)
{
	const struct cer_vault *v = t->h->vault;

	(void)st;
	tui_fmt(buf, len, "%s, %s vault, created %s", v->key_alg, v->backend, v->created);
	return TUI_S_NORMAL;
}

static enum tui_style
row_state(const struct tui *t, const struct dash_st *st, char *buf, size_t len)
{
	const struct cer_vault *v = t->h->vault;
	static const char *const advice[] = {
	        [CER_STATE_PRE_ACTIVE] = " (activate it to sign)",
	        [CER_STATE_ACTIVE] = "",
	        [CER_STATE_DEACTIVATED] = " (signs nothing for now)",
	        [CER_STATE_COMPROMISED] = " (signs no certificate)",
	        [CER_STATE_DESTROYED] = " (the key is gone)",
	};

	(void)st;
	tui_fmt(buf, len, "%s since %s%s", cer_state_name(v->state), v->state_changed,
	        v->state <= CER_STATE_DESTROYED ? advice[v->state] : "");
	switch (v->state) {
	case CER_STATE_ACTIVE:
		return TUI_S_OK;
	case CER_STATE_PRE_ACTIVE:
	case CER_STATE_DEACTIVATED:
		return TUI_S_WARN;
	default:
		return TUI_S_ERROR;
	}
}

static enum tui_style
row_quorum(const struct tui *t, const struct dash_st *st, char *buf, size_t len)
{
	const struct cer_vault *v = t->h->vault;
	size_t i, used;
	int n;

	(void)st;
	if (v->ngroups == 1)
		n = snprintf(buf, len, "%u of %u: ", v->groups[0].threshold, v->groups[0].count);
	else
		n = snprintf(buf, len, "%u of %zu groups: ", v->group_threshold, v->ngroups);
	used = n > 0 ? (size_t)n : 0;
	for (i = 0; i < v->ncustodians && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s%s", i ? ", " : "", v->custodians[i].name,
		             v->custodians[i].has_passphrase ? " (passphrase)" : "");
		used += n > 0 ? (size_t)n : 0;
	}
	return TUI_S_NORMAL;
}

static enum tui_style
row_set(const struct tui *t, const struct dash_st *st, char *buf, size_t len)
{
	const struct cer_vault *v = t->h->vault;

	(void)st;
	if (v->nretired > 0)
		tui_fmt(buf, len, "%u (set %u retired %s)", v->identifier,
		        v->retired[v->nretired - 1].identifier, v->retired[v->nretired - 1].when);
	else
		tui_fmt(buf, len, "%u", v->identifier);
	return TUI_S_NORMAL;
}

#define FACT_ROW(field)                                                                            \
	static enum tui_style row_##field(const struct tui *t, const struct dash_st *st,           \
	                                  char *buf, size_t len)                                   \
	{                                                                                          \
		(void)t;                                                                           \
		tui_fmt(buf, len, "%s", st->field.text);                                           \
		return st->field.style;                                                            \
	}
FACT_ROW(certs)
FACT_ROW(crl)
FACT_ROW(audit)
FACT_ROW(airgap)
FACT_ROW(clock)

static const struct row info_rows[] = {
        {"Key", row_key},         {"State", row_state},        {"Quorum", row_quorum},
        {"Share set", row_set},   {"Certificates", row_certs}, {"CRL", row_crl},
        {"Audit log", row_audit}, {"Air gap", row_airgap},     {"Clock (UTC)", row_clock},
};

/* --- gathering the facts ---------------------------------------------------------------- */

static void fact(struct fact *f, enum tui_style style, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void
fact(struct fact *f, enum tui_style style, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
	f->style = style;
}

static void
fact_error(struct fact *f, int r)
{
	char msg[256];

	fact(f, TUI_S_ERROR, "%s", custos_err_describe(r, msg, sizeof(msg)));
}

static void
refresh_crl(struct dash_st *st, struct cer_db *db)
{
	struct cer_crl_row row;
	char next[32];
	time_t now = time(NULL);
	long days;
	int r;

	memset(&row, 0, sizeof(row));
	if ((r = cer_db_crl_latest(db, 0, &row)) == CUSTOS_ENOENT) {
		fact(&st->crl, TUI_S_WARN, "none issued yet");
		return;
	}
	if (r != 0) {
		fact_error(&st->crl, r);
		return;
	}
	cer_time_format((time_t)row.next_update, next, sizeof(next));
	next[10] = '\0'; /* the day is enough here */
	days = (long)((row.next_update - (int64_t)now) / 86400);
	if (row.next_update < (int64_t)now)
		fact(&st->crl, TUI_S_ERROR, "number %llu: OVERDUE, next update was due %s",
		     (unsigned long long)row.number, next);
	else
		fact(&st->crl, days < CRL_WARN_DAYS ? TUI_S_WARN : TUI_S_NORMAL,
		     "no. %llu, %llu revoked; next due in %ld day%s (%s)",
		     (unsigned long long)row.number, (unsigned long long)row.entries, days,
		     days == 1 ? "" : "s", next);
}

static void
refresh_audit(struct dash_st *st, const struct tui *t, struct cer_db *db)
{
	struct cer_audit_report *rep = calloc(1, sizeof(*rep));
	int64_t newest = 0;
	uint64_t seq = 0;
	int r;

	if (rep == NULL) {
		fact_error(&st->audit, CUSTOS_ENOMEM);
		return;
	}
	r = cer_audit_verify(db, t->h->root_pub, rep);
	if (r == 0 && rep->signed_through > 0)
		fact(&st->audit, TUI_S_OK, "intact, %llu records; checkpoint %.16sZ signs 1-%llu%s",
		     (unsigned long long)rep->records, rep->signed_time,
		     (unsigned long long)rep->signed_through,
		     rep->unsigned_count ? " (newer: not yet)" : "");
	else if (r == 0)
		fact(&st->audit, TUI_S_WARN, "intact, %llu records; no checkpoint yet",
		     (unsigned long long)rep->records);
	else
		fact_error(&st->audit, r);
	free(rep);
	if ((r = cer_audit_newest(db, &newest, &seq)) == 0)
		r = cer_clock_monotonic(cer_clock_now_ms(), newest, seq);
	if (r == 0) {
		char now[32];

		cer_time_format(time(NULL), now, sizeof(now));
		fact(&st->clock, TUI_S_NORMAL, "%s, after the newest audit record", now);
	} else {
		fact_error(&st->clock, r);
	}
}

static void
dash_refresh(struct tui *t, struct dash_st *st)
{
	struct cer_db *db = NULL;
	struct cer_env env;
	uint64_t issued = 0, revoked = 0;
	char line[256];
	int r;

	st->gen = t->home_gen;
	st->at = t->ticks;
	st->fresh = 1;
	if (cer_env_scan(&env) == 0) {
		cer_env_describe(&env, line, sizeof(line));
		fact(&st->airgap, cer_env_airgap(&env, 0) == 0 ? TUI_S_OK : TUI_S_ERROR, "%s",
		     line);
	} else {
		fact(&st->airgap, TUI_S_ERROR, "the network interfaces cannot be read");
	}
	if ((r = cer_db_open(t->home, 0, &db)) != 0) {
		fact_error(&st->certs, r);
		fact_error(&st->crl, r);
		fact_error(&st->audit, r);
		fact_error(&st->clock, r);
		return;
	}
	if ((r = cer_db_counts(db, &issued, &revoked)) == 0)
		fact(&st->certs, TUI_S_NORMAL, "%llu issued, %llu revoked",
		     (unsigned long long)issued, (unsigned long long)revoked);
	else
		fact_error(&st->certs, r);
	refresh_crl(st, db);
	refresh_audit(st, t, db);
	cer_db_close(db);
}

/* --- what can be done ------------------------------------------------------------------- */

struct action {
	char key;
	const char *label;
	void (*run)(struct tui *t);
	/* NULL when it can be used now, else why not. */
	const char *(*unavailable)(const struct tui *t);
};

static const char *
needs_key(const struct tui *t)
{
	return t->h->vault->state == CER_STATE_DESTROYED ? "the key is destroyed" : NULL;
}

static const char *
needs_rotatable(const struct tui *t)
{
	/* cer_rotate refuses these states; say so before anyone types a share. */
	if (t->h->vault->state == CER_STATE_DESTROYED ||
	    t->h->vault->state == CER_STATE_COMPROMISED)
		return "not for a compromised or destroyed key";
	return NULL;
}

static const char *
needs_active(const struct tui *t)
{
	return t->h->vault->state == CER_STATE_ACTIVE ? NULL : "the key is not active";
}

static void
quit(struct tui *t)
{
	tui_request_quit(t);
}

static const struct action actions[] = {
        {'s', "Sign a CSR", tui_sign_open, needs_active},
        {'c', "Issue a CRL", tui_crl_open, NULL},
        {'x', "Revoke a certificate", tui_revoke_open, NULL},
        {'k', "Change the key state", tui_ops_key_state, needs_key},
        {'r', "Rotate the shares", tui_ops_rotate, needs_rotatable},
        {'v', "Verify custodians' cards", tui_ops_verify, NULL},
        {'t', "Test the quorum", tui_ops_test, needs_key},
        {'e', "Export an artifact", tui_export_open, NULL},
        {'a', "Audit log", tui_audit_open, NULL},
        {'o', "Change the operator", tui_operator_open, NULL},
        {'q', "Quit", quit, NULL},
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

static int
dash_open(struct tui *t, struct tui_screen *s, void *arg)
{
	(void)t;
	(void)arg;
	if ((s->st = calloc(1, sizeof(struct dash_st))) == NULL)
		return CUSTOS_ENOMEM;
	return 0;
}

static void
dash_close(struct tui *t, struct tui_screen *s)
{
	(void)t;
	free(s->st);
}

static int
draw_fingerprint(const struct tui *t, int y, int x)
{
	uint8_t fp[32];
	char hex[65], line[48];
	int half, i, o;

	if (cer_root_fingerprint(t->h, fp) != 0) {
		tui_put(t, y, x, COLS - x, TUI_S_ERROR, "cannot be computed");
		return y + 1;
	}
	sodium_bin2hex(hex, sizeof(hex), fp, sizeof(fp));
	for (half = 0; half < 2; half++) {
		for (i = 0, o = 0; i < 32; i += 4) {
			memcpy(line + o, hex + half * 32 + i, 4);
			o += 4;
			line[o++] = ' ';
		}
		line[o - 1] = '\0';
		tui_put(t, y + half, x, COLS - x, TUI_S_HEADING, line);
	}
	return y + 2;
}

static void
draw_actions(const struct tui *t, const struct dash_st *st, int y)
{
	int rows = (int)(NACTIONS + 1) / 2, colw = (COLS - 2 * TUI_LEFT) / 2;
	char buf[128];
	size_t i;

	for (i = 0; i < NACTIONS; i++) {
		const struct action *a = &actions[i];
		const char *why = a->unavailable != NULL ? a->unavailable(t) : NULL;
		int x = TUI_LEFT + (int)(i / (size_t)rows) * colw,
		    row = y + (int)(i % (size_t)rows);

		tui_fmt(buf, sizeof(buf), " %c  %s", a->key, a->label);
		tui_put(t, row, x, colw - 1,
		        i == st->sel  ? TUI_S_FOCUS
		        : why != NULL ? TUI_S_DIM
		                      : TUI_S_NORMAL,
		        buf);
	}
}

static void
dash_draw(struct tui *t, struct tui_screen *s)
{
	struct dash_st *st = s->st;
	char value[1024];
	int y = TUI_TOP, x = TUI_LEFT + 15;
	size_t i;
	enum tui_style style;

	if (t->h == NULL)
		return;
	if (!st->fresh || st->gen != t->home_gen || t->ticks - st->at > REFRESH_TICKS)
		dash_refresh(t, st);
	tui_put(t, y, TUI_LEFT, TUI_WIDTH, TUI_S_HEADING, t->h->vault->subject);
	y += 2;
	for (i = 0; i < sizeof(info_rows) / sizeof(info_rows[0]); i++) {
		tui_put(t, y, TUI_LEFT, 14, TUI_S_LABEL, info_rows[i].label);
		style = info_rows[i].value(t, st, value, sizeof(value));
		tui_put(t, y++, x, COLS - x - 1, style, value);
		if (i == 3) {
			tui_put(t, y, TUI_LEFT, 14, TUI_S_LABEL, "Root SHA-256");
			y = draw_fingerprint(t, y, x);
		}
	}
	y++;
	tui_put(t, y++, TUI_LEFT, TUI_WIDTH, TUI_S_HEADING, "Actions");
	draw_actions(t, st, y);
	y += (int)(NACTIONS + 1) / 2;
	for (i = 0; i < t->hardening.nwarnings && y <= TUI_BOTTOM; i++)
		tui_put(t, y++, TUI_LEFT, TUI_WIDTH, TUI_S_WARN, t->hardening.warnings[i]);
}

static void
activate(struct tui *t, struct dash_st *st, size_t i)
{
	const struct action *a = &actions[i];
	const char *why = a->unavailable != NULL ? a->unavailable(t) : NULL;

	if (why != NULL) {
		tui_flash(t, "%s: %s", a->label, why);
		return;
	}
	st->fresh = 0; /* whatever it does, look again when back */
	a->run(t);
}

static void
dash_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct dash_st *st = s->st;
	size_t i, rows = (NACTIONS + 1) / 2;

	switch (k->req) {
	case TUI_REQ_UP:
		st->sel = (st->sel + NACTIONS - 1) % NACTIONS;
		break;
	case TUI_REQ_DOWN:
	case TUI_REQ_NEXT:
		st->sel = (st->sel + 1) % NACTIONS;
		break;
	case TUI_REQ_LEFT:
	case TUI_REQ_RIGHT:
		st->sel = st->sel >= rows             ? st->sel - rows
		          : st->sel + rows < NACTIONS ? st->sel + rows
		                                      : st->sel;
		break;
	case TUI_REQ_ENTER:
		activate(t, st, st->sel);
		break;
	case TUI_REQ_BACK:
		tui_flash(t, "Press q to quit.");
		break;
	case TUI_REQ_CHAR:
		for (i = 0; i < NACTIONS; i++)
			if ((wchar_t)actions[i].key == k->ch) {
				st->sel = i;
				activate(t, st, i);
				break;
			}
		break;
	default:
		break;
	}
}

const struct tui_screen_ops tui_dash_ops = {
        .title = "Dashboard",
        .keys = "letter or arrows+Enter act  q quit",
        .help = "The CA at a glance: its subject, key and key state, the quorum (M of N and the "
                "custodians), the share set, the root certificate's SHA-256 fingerprint (read it "
                "aloud when it is checked), certificates issued and revoked, the latest CRL and "
                "when the next is due (highlighted under 30 days), the audit log's integrity and "
                "last signed checkpoint, whether the laptop is air-gapped, and the clock against "
                "the audit log. Below are the actions: press the letter, or move with the arrows "
                "and press Enter. Each action explains itself and asks before anything happens.",
        .flags = TUI_F_CALM,
        .open = dash_open,
        .draw = dash_draw,
        .key = dash_key,
        .close = dash_close,
};
