/*
 * tui_audit: the audit log, read-only: its integrity (cer_audit_verify: the
 * whole chain recomputed, every checkpoint's signature checked with the root
 * certificate's key -- nothing secret needed) and its records, newest last,
 * each field shown through cer_audit_clean() so a damaged record cannot
 * drive the terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_audit.h"
#include "ceremony/cer_db.h"
#include "ui/tui.h"

#define LINE_MAX_BYTES 512

struct audit_st {
	char (*lines)[LINE_MAX_BYTES];
	size_t n, cap, top, sel;
	char verdict[400];
	int ok;
};

static const char *
field(const struct cer_audit_record *rec, enum cer_audit_field f, char *buf, size_t len)
{
	(void)cer_audit_clean(rec->field[f], rec->len[f], buf, len);
	return buf;
}

static int
add_record(void *ctx, const struct cer_audit_record *rec)
{
	struct audit_st *st = ctx;
	char f[CER_AF_COUNT][256];
	void *grown;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 256;

		if ((grown = realloc(st->lines, cap * sizeof(*st->lines))) == NULL)
			return custos_err_set(CUSTOS_ENOMEM, "audit log");
		st->lines = grown;
		st->cap = cap;
	}
	tui_fmt(st->lines[st->n++], LINE_MAX_BYTES, "#%-4lld %.19s %s (%s) %s%s%s: %s%s%s",
	        (long long)rec->seq, field(rec, CER_AF_TIME, f[0], sizeof(f[0])),
	        field(rec, CER_AF_ACTOR, f[1], sizeof(f[1])),
	        field(rec, CER_AF_ROLE, f[2], sizeof(f[2])),
	        field(rec, CER_AF_OPERATION, f[3], sizeof(f[3])),
	        rec->len[CER_AF_OBJECT] ? " " : "", field(rec, CER_AF_OBJECT, f[4], sizeof(f[4])),
	        field(rec, CER_AF_RESULT, f[5], sizeof(f[5])), rec->len[CER_AF_DETAILS] ? "; " : "",
	        field(rec, CER_AF_DETAILS, f[8], sizeof(f[8])));
	return 0;
}

/* Reads the records and checks the chain. */
static int
load(struct tui *t, struct audit_st *st)
{
	struct cer_audit_report *rep = calloc(1, sizeof(*rep));
	struct cer_db *db = NULL;
	char msg[512];
	int r;

	st->n = 0;
	if (rep == NULL)
		return CUSTOS_ENOMEM;
	if ((r = cer_db_open(t->home, 0, &db)) == 0 &&
	    (r = cer_audit_foreach(db, NULL, add_record, st)) == 0) {
		r = cer_audit_verify(db, t->h->root_pub, rep);
		st->ok = r == 0;
		if (r == 0)
			tui_fmt(st->verdict, sizeof(st->verdict),
			        "Intact: %llu records, every checkpoint genuine; signed through "
			        "record "
			        "%llu%s",
			        (unsigned long long)rep->records,
			        (unsigned long long)rep->signed_through,
			        rep->unsigned_count ? " (the newest are not signed yet)" : "");
		else
			tui_fmt(st->verdict, sizeof(st->verdict), "NOT INTACT: %s",
			        custos_err_describe(r, msg, sizeof(msg)));
		r = r == CUSTOS_EAUDIT ? 0 : r; /* shown, not an error of the screen */
	}
	cer_db_close(db);
	free(rep);
	st->top = 0; /* the drawing scrolls to the selection: the newest record */
	st->sel = st->n > 0 ? st->n - 1 : 0;
	return r;
}

static int
audit_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct audit_st *st = calloc(1, sizeof(*st));
	int r;

	(void)arg;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	if ((r = load(t, st)) != 0) {
		free(st->lines);
		free(st);
		return r;
	}
	s->st = st;
	return 0;
}

static void
audit_close(struct tui *t, struct tui_screen *s)
{
	struct audit_st *st = s->st;

	(void)t;
	free(st->lines);
	free(st);
}

static void
audit_draw(struct tui *t, struct tui_screen *s)
{
	struct audit_st *st = s->st;
	int y = TUI_TOP, rows;
	size_t i;

	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, st->ok ? TUI_S_OK : TUI_S_ERROR, st->verdict) +
	     1;
	rows = TUI_BOTTOM - y + 1;
	if (rows < 1)
		return;
	/* top is the first line shown: keep the selected one in the window. */
	if (st->sel < st->top)
		st->top = st->sel;
	if (st->sel >= st->top + (size_t)rows)
		st->top = st->sel - (size_t)rows + 1;
	for (i = st->top; i < st->n && y <= TUI_BOTTOM; i++)
		tui_put(t, y++, TUI_LEFT, TUI_WIDTH, i == st->sel ? TUI_S_FOCUS : TUI_S_NORMAL,
		        st->lines[i]);
}

/* The whole record, wrapped. */
static void
show_record(struct tui *t, const struct audit_st *st)
{
	struct tui_message m;

	if (st->n == 0)
		return;
	memset(&m, 0, sizeof(m));
	m.title = "Audit record";
	tui_fmt(m.heading, sizeof(m.heading), "Audit record %.6s", st->lines[st->sel]);
	tui_fmt(m.text, sizeof(m.text), "%s", st->lines[st->sel]);
	(void)tui_message_open(t, &m);
}

static void
audit_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct audit_st *st = s->st;
	size_t page = LINES > 10 ? (size_t)LINES - 8 : 1;
	char msg[512];
	int r;

	switch (k->req) {
	case TUI_REQ_UP:
		st->sel -= st->sel > 0;
		break;
	case TUI_REQ_DOWN:
		st->sel += st->sel + 1 < st->n;
		break;
	case TUI_REQ_PGUP:
		st->sel = st->sel > page ? st->sel - page : 0;
		break;
	case TUI_REQ_PGDN:
		st->sel = st->sel + page < st->n ? st->sel + page : (st->n ? st->n - 1 : 0);
		break;
	case TUI_REQ_ENTER:
		show_record(t, st);
		break;
	case TUI_REQ_CHAR:
		if (k->ch == 'v' && (r = load(t, st)) != 0)
			tui_flash(t, "%s", custos_err_describe(r, msg, sizeof(msg)));
		else if (k->ch == 'g')
			st->sel = 0;
		else if (k->ch == 'G')
			st->sel = st->n ? st->n - 1 : 0;
		break;
	case TUI_REQ_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops audit_ops = {
        .title = "Audit log",
        .keys = "Up/Down PgUp/PgDn move  Enter whole record  g/G first/last  v verify  Esc back",
        .help = "Every step of every session, newest last: time, who (and in which role), what, "
                "on what, and the result. The first line says whether the log is intact: custos "
                "recomputes the hash chain of all records and checks each checkpoint's signature "
                "with the root certificate, so an edited, removed, inserted or reordered record is "
                "found. Enter shows the selected record whole. Share words and passphrases are "
                "never recorded. `custos audit export` "
                "writes the log for an auditor.",
        .flags = TUI_F_CALM,
        .open = audit_open,
        .draw = audit_draw,
        .key = audit_key,
        .close = audit_close,
};

void
tui_audit_open(struct tui *t)
{
	(void)tui_push(t, &audit_ops, NULL);
}
