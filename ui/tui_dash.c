/*
 * tui_dash: the dashboard: what the CA is and what can be done with it.
 *
 * Two tables drive it.  rows[]: one line each (label, and a function that
 * formats the value from the core); what the core cannot tell yet
 * (certificates, CRLs, the audit log, the air-gap and clock checks) is a row
 * that says "not available yet" -- never a made-up number -- and becomes a
 * real row when its core API exists.  actions[]: one entry each (hot key,
 * label, what it opens, and why it cannot be used now, if it cannot).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ui/tui.h"

/* --- what is shown ---------------------------------------------------------------------- */

struct row {
	const char *label;
	/* Fills buf; returns the style for the value. */
	enum tui_style (*value)(const struct tui *t, char *buf, size_t len);
};

static enum tui_style
row_key(const struct tui *t, char *buf, size_t len)
{
	const struct cer_vault *v = t->h->vault;

	tui_fmt(buf, len, "%s, %s vault, created %s", v->key_alg, v->backend, v->created);
	return TUI_S_NORMAL;
}

static enum tui_style
row_state(const struct tui *t, char *buf, size_t len)
{
	const struct cer_vault *v = t->h->vault;
	static const char *const advice[] = {
	        [CER_STATE_PRE_ACTIVE] = " (activate it when the CA goes into service)",
	        [CER_STATE_ACTIVE] = "",
	        [CER_STATE_DEACTIVATED] = " (signs nothing; can be activated again)",
	        [CER_STATE_COMPROMISED] = " (signs nothing, for ever)",
	        [CER_STATE_DESTROYED] = " (the key no longer exists)",
	};

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
row_quorum(const struct tui *t, char *buf, size_t len)
{
	const struct cer_vault *v = t->h->vault;
	size_t i, used;
	int n;

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
row_set(const struct tui *t, char *buf, size_t len)
{
	const struct cer_vault *v = t->h->vault;

	if (v->nretired > 0)
		tui_fmt(buf, len, "%u (set %u retired %s)", v->identifier,
		        v->retired[v->nretired - 1].identifier, v->retired[v->nretired - 1].when);
	else
		tui_fmt(buf, len, "%u", v->identifier);
	return TUI_S_NORMAL;
}

static enum tui_style
not_yet(const struct tui *t, char *buf, size_t len)
{
	(void)t;
	tui_fmt(buf, len, "not available yet");
	return TUI_S_DIM;
}

static enum tui_style
row_clock(const struct tui *t, char *buf, size_t len)
{
	char now[32];

	(void)t;
	cer_time_format(time(NULL), now, sizeof(now));
	tui_fmt(buf, len, "%s (check against the audit log: not available yet)", now);
	return TUI_S_NORMAL;
}

static const struct row info_rows[] = {
        {"Key", row_key},           {"State", row_state},      {"Quorum", row_quorum},
        {"Share set", row_set},     {"Certificates", not_yet}, /* issued: from the inventory, when
                                                                  ca/ has it */
        {"CRL", not_yet},     /* number and days to nextUpdate (< 30 highlighted) */
        {"Audit", not_yet},   /* the last checkpoint */
        {"Air gap", not_yet}, /* network interfaces up, from the core's check */
        {"Clock (UTC)", row_clock},
};

/* --- what can be done ------------------------------------------------------------------- */

struct action {
	char key;
	const char *label;
	void (*run)(struct tui *t);
	/* NULL when it can be used now, else why not. */
	const char *(*unavailable)(const struct tui *t);
};

static const char *
engine_pending(const struct tui *t)
{
	(void)t;
	return "not available yet: the CA engine is being built";
}

static const char *
audit_pending(const struct tui *t)
{
	(void)t;
	return "not available yet: the audit log is being built";
}

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

static void
quit(struct tui *t)
{
	tui_request_quit(t);
}

static const struct action actions[] = {
        {'k', "Change the key state", tui_ops_key_state, needs_key},
        {'v', "Verify custodians' cards", tui_ops_verify, NULL},
        {'r', "Rotate the shares", tui_ops_rotate, needs_rotatable},
        {'t', "Test the quorum", tui_ops_test, needs_key},
        {'s', "Sign a CSR", NULL, engine_pending},
        {'x', "Revoke a certificate", NULL, engine_pending},
        {'c', "Issue a CRL", NULL, engine_pending},
        {'a', "Audit log", NULL, audit_pending},
        {'q', "Quit", quit, NULL},
};
#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

struct dash_st {
	size_t sel;
};

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

		tui_fmt(buf, sizeof(buf), " %c  %s%s", a->key, a->label,
		        why != NULL && strstr(why, "not available yet") ? " (not yet)" : "");
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
	const struct dash_st *st = s->st;
	char value[1024];
	int y = TUI_TOP, x = TUI_LEFT + 15;
	size_t i;
	enum tui_style style;

	if (t->h == NULL)
		return;
	tui_put(t, y, TUI_LEFT, TUI_WIDTH, TUI_S_HEADING, t->h->vault->subject);
	y += 2;
	for (i = 0; i < sizeof(info_rows) / sizeof(info_rows[0]); i++) {
		tui_put(t, y, TUI_LEFT, 14, TUI_S_LABEL, info_rows[i].label);
		style = info_rows[i].value(t, value, sizeof(value));
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
activate(struct tui *t, size_t i)
{
	const struct action *a = &actions[i];
	const char *why = a->unavailable != NULL ? a->unavailable(t) : NULL;

	if (why != NULL) {
		tui_flash(t, "%s: %s", a->label, why);
		return;
	}
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
		activate(t, st->sel);
		break;
	case TUI_REQ_BACK:
		tui_flash(t, "Press q to quit.");
		break;
	case TUI_REQ_CHAR:
		for (i = 0; i < NACTIONS; i++)
			if ((wchar_t)actions[i].key == k->ch) {
				st->sel = i;
				activate(t, i);
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
                "custodians), the share set, and the root certificate's SHA-256 fingerprint (read "
                "it aloud when it is checked). Lines marked \"not available yet\" belong to parts "
                "of custos still being built; no number is shown until the core provides it. Below "
                "are the actions: press the letter, or move with the arrows and press Enter. Each "
                "action explains itself and asks before anything happens.",
        .open = dash_open,
        .draw = dash_draw,
        .key = dash_key,
        .close = dash_close,
};
