/*
 * tui_export: what leaves the air gap, from the application.  Choose the
 * artifact (the root certificate, the latest CRL, a certificate or a chain
 * by serial from the inventory), then where it goes: a removable mount (the
 * core's listing), a directory typed, or QR codes on this screen.  All the
 * work is the core's: cer_artifact_* loads and checks, cer_export_to writes,
 * reads back, lists in SHA256SUMS and records in the audit log through the
 * session tui_op_start begins; the QR pages are the core's UR parts
 * (cer_export_ur_encoder, sized to the terminal) drawn by its pure renderer
 * (cer_qr_text).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_db.h"
#include "ceremony/cer_export.h"
#include "ceremony/cer_qr.h"
#include "ceremony/cer_ur.h"
#include "ui/tui.h"

#define ITEMS_MAX 1024
#define QR_EC CER_QR_EC_L /* on a screen: the most data a frame; the fountain covers losses */

/* --- the artifact ----------------------------------------------------------------------- */

struct art_item {
	enum cer_artifact_kind kind;
	uint8_t serial[CER_SERIAL_LEN];
	char label[200];
};

struct list_st {
	struct art_item *items;
	size_t n, sel, top;
};

static int
load_artifact(struct tui *t, enum cer_artifact_kind kind, const uint8_t *serial,
              struct cer_artifact **out)
{
	struct cer_db *db = NULL;
	int r;

	*out = NULL;
	if (kind == CER_ARTIFACT_ROOT)
		return cer_artifact_root(t->h, out);
	if ((r = cer_db_open(t->home, 0, &db)) != 0)
		return r;
	if (kind == CER_ARTIFACT_CRL)
		r = cer_artifact_crl(t->h, db, out);
	else if (kind == CER_ARTIFACT_CERT)
		r = cer_artifact_cert(t->h, db, serial, out);
	else
		r = cer_artifact_chain(t->h, db, serial, out);
	cer_db_close(db);
	return r;
}

static int
collect(void *ctx, const struct cer_cert_row *row)
{
	struct list_st *st = ctx;
	char hex[2 * CER_SERIAL_LEN + 1];
	int k;

	cer_serial_hex(row->serial, hex);
	for (k = 0; k < 2; k++) {
		struct art_item *it;

		if (st->n == ITEMS_MAX)
			return 1;
		it = &st->items[st->n++];
		it->kind = k == 0 ? CER_ARTIFACT_CERT : CER_ARTIFACT_CHAIN;
		memcpy(it->serial, row->serial, CER_SERIAL_LEN);
		tui_fmt(it->label, sizeof(it->label), "%-11s %.16s...  %s%s",
		        k == 0 ? "Certificate" : "Chain", hex, row->revoked ? "(revoked) " : "",
		        row->subject);
	}
	return 0;
}

static int
list_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct list_st *st = calloc(1, sizeof(*st));
	struct cer_db *db = NULL;
	int r;

	(void)arg;
	if (st == NULL || (st->items = calloc(ITEMS_MAX, sizeof(*st->items))) == NULL) {
		free(st);
		return CUSTOS_ENOMEM;
	}
	st->items[0].kind = CER_ARTIFACT_ROOT;
	tui_fmt(st->items[0].label, sizeof(st->items[0].label), "Root certificate");
	st->items[1].kind = CER_ARTIFACT_CRL;
	tui_fmt(st->items[1].label, sizeof(st->items[1].label), "Latest CRL");
	st->n = 2;
	if ((r = cer_db_open(t->home, 0, &db)) == 0) {
		r = cer_db_cert_foreach(db, collect, st);
		r = r > 0 ? 0 : r;
	}
	cer_db_close(db);
	if (r != 0) {
		free(st->items);
		free(st);
		return r;
	}
	s->st = st;
	return 0;
}

static void
list_close(struct tui *t, struct tui_screen *s)
{
	struct list_st *st = s->st;

	(void)t;
	free(st->items);
	free(st);
}

static void
list_draw(struct tui *t, struct tui_screen *s)
{
	struct list_st *st = s->st;
	int y = tui_heading(t, TUI_TOP, "Export: which artifact"), rows = TUI_BOTTOM - y + 1;
	size_t i;

	if (st->sel < st->top)
		st->top = st->sel;
	if (rows > 0 && st->sel >= st->top + (size_t)rows)
		st->top = st->sel - (size_t)rows + 1;
	for (i = st->top; i < st->n && y <= TUI_BOTTOM; i++, y++)
		tui_put(t, y, TUI_LEFT, TUI_WIDTH, i == st->sel ? TUI_S_FOCUS : TUI_S_NORMAL,
		        st->items[i].label);
}

static void dest_push(struct tui *t, struct cer_artifact *a);

static void
pick_artifact(struct tui *t, enum cer_artifact_kind kind, const uint8_t *serial)
{
	struct cer_artifact *a = NULL;
	char msg[512];
	int r;

	if ((r = load_artifact(t, kind, serial, &a)) != 0) {
		tui_flash(t, "Export: %s", custos_err_describe(r, msg, sizeof(msg)));
		return;
	}
	dest_push(t, a);
}

static void
list_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct list_st *st = s->st;

	switch (k->req) {
	case TUI_REQ_UP:
		if (st->sel > 0)
			st->sel--;
		break;
	case TUI_REQ_DOWN:
		if (st->sel + 1 < st->n)
			st->sel++;
		break;
	case TUI_REQ_ENTER:
		pick_artifact(t, st->items[st->sel].kind, st->items[st->sel].serial);
		break;
	case TUI_REQ_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops list_ops = {
        .title = "Export",
        .keys = "Up/Down choose  Enter next  Esc back",
        .help = "What leaves the air gap: the root certificate, the latest CRL, or a certificate "
                "this CA issued (alone, or as a chain with the root), by serial. Each is checked "
                "against the root key and the inventory before it is offered. Next: a USB stick, "
                "a directory, or QR codes on this screen.",
        .flags = TUI_F_CALM,
        .open = list_open,
        .draw = list_draw,
        .key = list_key,
        .close = list_close,
};

void
tui_export_open(struct tui *t)
{
	(void)tui_push(t, &list_ops, NULL);
}

/* Offered after a signing or a CRL: export it now? */
struct offer {
	enum cer_artifact_kind kind;
	uint8_t serial[CER_SERIAL_LEN];
};

static void
offer_yes(struct tui *t, void *ctx)
{
	struct offer *o = ctx;

	pick_artifact(t, o->kind, o->serial);
	free(o);
}

static void
offer_no(struct tui *t, void *ctx)
{
	(void)t;
	free(ctx);
}

void
tui_export_offer(struct tui *t, int kind, const char *serial_hex)
{
	struct offer *o = calloc(1, sizeof(*o));
	struct tui_confirm c;

	if (o == NULL)
		return;
	o->kind = (enum cer_artifact_kind)kind;
	if (serial_hex != NULL && cer_serial_from_hex(serial_hex, o->serial) != 0) {
		free(o);
		return;
	}
	memset(&c, 0, sizeof(c));
	c.title = "Export";
	tui_fmt(c.heading, sizeof(c.heading), "Export the %s now?",
	        kind == CER_ARTIFACT_CRL ? "CRL" : "certificate");
	tui_fmt(c.text, sizeof(c.text),
	        "To a USB stick (written, read back and listed in SHA256SUMS) or as QR codes on "
	        "this screen. It can also be exported later: e on the dashboard.");
	c.yes_label = "Export it";
	c.no_label = "Not now";
	c.yes = offer_yes;
	c.no = offer_no;
	c.ctx = o;
	if (tui_confirm_open(t, &c) != 0)
		free(o);
}

/* --- where it goes ------------------------------------------------------------------------- */

enum dest_kind { DEST_MOUNT, DEST_TYPED, DEST_QR };

struct dest_item {
	enum dest_kind kind;
	char dir[PATH_MAX];
	char label[PATH_MAX + 128];
};

struct dest_st {
	struct cer_artifact *a;
	struct dest_item *items;
	size_t n, sel;
};

static int
dest_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct dest_st *st = calloc(1, sizeof(*st));
	struct cer_mount *m = NULL;
	size_t nm = 0, i;

	(void)t;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	if (cer_mounts_removable(NULL, NULL, &m, &nm) != 0)
		nm = 0;
	if ((st->items = calloc(nm + 2, sizeof(*st->items))) == NULL) {
		free(m);
		free(st);
		return CUSTOS_ENOMEM;
	}
	for (i = 0; i < nm; i++) {
		struct dest_item *it = &st->items[st->n++];

		it->kind = DEST_MOUNT;
		tui_fmt(it->dir, sizeof(it->dir), "%s", m[i].dir);
		tui_fmt(it->label, sizeof(it->label),
		        "To the USB stick %s (%s, %s, %llu MB free%s)", m[i].dir, m[i].device,
		        m[i].fstype, (unsigned long long)(m[i].free_bytes / 1000000),
		        m[i].read_only ? ", read-only" : "");
	}
	free(m);
	st->items[st->n].kind = DEST_TYPED;
	tui_fmt(st->items[st->n++].label, sizeof(st->items[0].label),
	        "To a directory (type its path)");
	st->items[st->n].kind = DEST_QR;
	tui_fmt(st->items[st->n++].label, sizeof(st->items[0].label), "As QR codes on screen");
	st->a = arg;
	s->st = st;
	return 0;
}

static void
dest_close(struct tui *t, struct tui_screen *s)
{
	struct dest_st *st = s->st;

	(void)t;
	cer_artifact_free(st->a);
	free(st->items);
	free(st);
}

static void
dest_draw(struct tui *t, struct tui_screen *s)
{
	struct dest_st *st = s->st;
	char line[512];
	int y = tui_heading(t, TUI_TOP, "Export: where to");
	size_t i;

	tui_fmt(line, sizeof(line), "Artifact: %s", st->a->what);
	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, TUI_S_NORMAL, line) + 1;
	if (st->n == 2)
		y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, TUI_S_DIM,
		              "No removable medium is mounted: plug in the stick and come back, "
		              "or type the directory.") +
		     1;
	for (i = 0; i < st->n && y <= TUI_BOTTOM; i++, y++)
		tui_put(t, y, TUI_LEFT, TUI_WIDTH, i == st->sel ? TUI_S_FOCUS : TUI_S_NORMAL,
		        st->items[i].label);
}

static void write_start(struct tui *t, struct cer_artifact *a, const char *dir);
static void show_start(struct tui *t, struct cer_artifact *a);
static void dir_push(struct tui *t, struct cer_artifact *a);

static void
dest_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct dest_st *st = s->st;
	struct dest_item it;
	struct cer_artifact *a;

	switch (k->req) {
	case TUI_REQ_UP:
		if (st->sel > 0)
			st->sel--;
		break;
	case TUI_REQ_DOWN:
		if (st->sel + 1 < st->n)
			st->sel++;
		break;
	case TUI_REQ_ENTER:
		it = st->items[st->sel];
		a = st->a;
		st->a = NULL; /* transferred */
		tui_pop(t);
		if (it.kind == DEST_MOUNT)
			write_start(t, a, it.dir);
		else if (it.kind == DEST_TYPED)
			dir_push(t, a);
		else
			show_start(t, a);
		break;
	case TUI_REQ_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops dest_ops = {
        .title = "Export",
        .keys = "Up/Down choose  Enter export  Esc back",
        .help = "A removable medium custos found mounted (USB), a directory typed, or QR codes "
                "drawn on this screen for a camera on the other side. Files are never "
                "overwritten; each is synced, read back from the device and listed in "
                "SHA256SUMS, and the export is recorded in the audit log.",
        .flags = TUI_F_CALM,
        .open = dest_open,
        .draw = dest_draw,
        .key = dest_key,
        .close = dest_close,
};

static void
dest_push(struct tui *t, struct cer_artifact *a)
{
	if (tui_push(t, &dest_ops, a) != 0)
		cer_artifact_free(a);
}

/* A directory typed. */
struct dir_st {
	struct cer_artifact *a;
	struct tui_field field;
	struct tui_form form;
};

static int
dir_validate(struct tui_form *form, size_t i, void *ctx)
{
	(void)ctx;
	if (form->fields[i].text[0] == '\0') {
		tui_fmt(form->fields[i].error, sizeof(form->fields[i].error),
		        "The directory, e.g. /media/usb");
		return -1;
	}
	return 0;
}

static int
dir_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct dir_st *st = calloc(1, sizeof(*st));

	(void)t;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	st->a = arg;
	st->field = (struct tui_field){.kind = TUI_FIELD_TEXT,
	                               .label = "Directory",
	                               .hint = "an existing, writable directory",
	                               .width = 46,
	                               .maxlen = TUI_FIELD_TEXT_MAX - 1};
	st->form = (struct tui_form){&st->field, 1, 0, 0, dir_validate, st};
	s->st = st;
	return 0;
}

static void
dir_close(struct tui *t, struct tui_screen *s)
{
	struct dir_st *st = s->st;

	(void)t;
	cer_artifact_free(st->a);
	free(st);
}

static void
dir_draw(struct tui *t, struct tui_screen *s)
{
	struct dir_st *st = s->st;
	char line[512];
	int y = tui_heading(t, TUI_TOP, "Export to a directory");

	tui_fmt(line, sizeof(line), "Artifact: %s", st->a->what);
	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, TUI_S_NORMAL, line) + 1;
	tui_form_draw(t, &st->form, y, TUI_BOTTOM - y);
}

static void
dir_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct dir_st *st = s->st;
	struct cer_artifact *a;
	char dir[TUI_FIELD_TEXT_MAX];

	switch (tui_form_key(&st->form, k)) {
	case TUI_FORM_DONE:
		a = st->a;
		st->a = NULL;
		tui_fmt(dir, sizeof(dir), "%s", st->field.text);
		tui_pop(t);
		write_start(t, a, dir);
		break;
	case TUI_FORM_CANCEL:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops dir_ops = {
        .title = "Export",
        .keys = "Enter export  Esc back",
        .help = "The directory to write to: it must exist and be writable. Nothing there is "
                "overwritten.",
        .flags = TUI_F_TEXT,
        .open = dir_open,
        .draw = dir_draw,
        .key = dir_key,
        .close = dir_close,
};

static void
dir_push(struct tui *t, struct cer_artifact *a)
{
	if (tui_push(t, &dir_ops, a) != 0)
		cer_artifact_free(a);
}

/* --- writing, in an audited session ----------------------------------------------------------- */

struct write_op {
	struct cer_artifact *a;
	struct cer_export *x;
	char dir[PATH_MAX];
};

static void
write_free(void *arg)
{
	struct write_op *o = arg;

	cer_artifact_free(o->a);
	cer_export_free(o->x);
	free(o);
}

static int
write_run(struct tui_job *j, struct cer_session *s, struct cer_home *h, struct cer_unlocked *u,
          void *arg)
{
	struct write_op *o = arg;

	(void)j;
	(void)h;
	(void)u;
	return cer_export_to(s, o->x, o->dir);
}

static void
write_done(struct tui *t, void *arg, int rc, const char *msg, const char *transcript)
{
	struct write_op *o = arg;
	const struct cer_export_file *f;
	char text[2048], hex[65], words[CER_WORDS_LEN];
	size_t i, used;

	tui_pop_to_bottom(t);
	if (rc != 0) {
		tui_op_result(t, rc, msg, "Nothing was exported",
		              "Every file this export wrote was removed.", transcript);
	} else {
		tui_fmt(text, sizeof(text),
		        "%s to %s, each read back and listed in %s:", o->a->what, o->dir,
		        CER_EXPORT_MANIFEST);
		for (i = 0; i < cer_export_count(o->x); i++) {
			f = cer_export_file(o->x, i);
			sodium_bin2hex(hex, sizeof(hex), f->sha256, 32);
			cer_sha256_words(f->sha256, words);
			used = strlen(text);
			tui_fmt(text + used, sizeof(text) - used,
			        "\n\n%s (%zu bytes, %s)\nSHA-256 %s\nwords: %s", f->name, f->len,
			        f->what, hex, words);
		}
		tui_op_result(t, 0, "", "Exported", text, transcript);
	}
	write_free(o);
}

static void
write_start(struct tui *t, struct cer_artifact *a, const char *dir)
{
	struct write_op *o = calloc(1, sizeof(*o));
	struct cer_export_qr q;
	struct tui_op_spec spec;
	char msg[512];
	int r;

	if (o == NULL) {
		cer_artifact_free(a);
		return;
	}
	o->a = a;
	tui_fmt(o->dir, sizeof(o->dir), "%s", dir);
	cer_export_qr_defaults(&q);
	if ((r = cer_export_new(&o->x)) != 0 ||
	    (r = cer_export_add(o->x, a, cer_export_default_formats(a->kind), &q)) != 0) {
		tui_flash(t, "Export: %s", custos_err_describe(r, msg, sizeof(msg)));
		write_free(o);
		return;
	}
	memset(&spec, 0, sizeof(spec));
	spec.verb = "export";
	spec.title = "Exporting";
	spec.steps[0] = "Write, sync, read back and list every file; record the export";
	spec.run = write_run;
	spec.done = write_done;
	spec.cancel = write_free;
	spec.arg = o;
	tui_op_start(t, &spec);
}

/* --- QR codes on screen ---------------------------------------------------------------------- */

static int
show_run(struct tui_job *j, struct cer_session *s, struct cer_home *h, struct cer_unlocked *u,
         void *arg)
{
	struct cer_artifact *a = arg;
	struct cer_db *db = cer_session_db(s);
	int r;

	(void)j;
	(void)h;
	(void)u;
	if ((r = cer_db_begin(db)) != 0)
		return r;
	if ((r = cer_session_artifact(s, a->base, a->der, a->der_len, NULL)) == 0)
		r = cer_session_record(s, "export", "terminal", "ok",
		                       "%s as UR parts on the terminal", a->what);
	if (r == 0)
		r = cer_db_commit(db);
	if (r != 0)
		cer_db_rollback(db);
	return r;
}

static void qr_pages_push(struct tui *t, struct cer_artifact *a);

static void
show_done(struct tui *t, void *arg, int rc, const char *msg, const char *transcript)
{
	struct cer_artifact *a = arg;

	tui_pop_to_bottom(t);
	if (rc != 0) {
		tui_op_result(t, rc, msg, "Not shown", "The showing could not be recorded.",
		              transcript);
		cer_artifact_free(a);
		return;
	}
	qr_pages_push(t, a);
}

static void
show_cancel(void *arg)
{
	cer_artifact_free(arg);
}

static void
show_start(struct tui *t, struct cer_artifact *a)
{
	struct tui_op_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.verb = "export";
	spec.title = "Showing as QR codes";
	spec.steps[0] = "Record the showing in the audit log";
	spec.run = show_run;
	spec.done = show_done;
	spec.cancel = show_cancel;
	spec.arg = a;
	tui_op_start(t, &spec);
}

struct pages_st {
	struct cer_artifact *a;
	struct cer_ur_encoder *enc;
	int version; /* the encoder's; 0: none yet, or the terminal is too small */
	char **parts;
	size_t nparts, cap, page, seq_len;
	int invert;
	char *text; /* the current page drawn, for (text_page, text_version, text_invert) */
	size_t text_page, cols, lines;
	int text_version, text_invert;
	char error[256];
};

static void
pages_reset(struct pages_st *st)
{
	size_t i;

	for (i = 0; i < st->nparts; i++)
		free(st->parts[i]);
	st->nparts = 0;
	cer_ur_encoder_free(st->enc);
	st->enc = NULL;
	free(st->text);
	st->text = NULL;
	st->version = 0;
}

/* Rows for the code: the header, the caption and the status line are kept. */
static int
pages_version(void)
{
	int v;

	if (LINES < 4 || COLS < 1)
		return 0;
	v = cer_qr_version_for_screen((size_t)COLS, (size_t)LINES - 3, CER_QR_QUIET_TEXT);
	return v > CER_QR_VERSION_MAX ? CER_QR_VERSION_MAX : v;
}

/* The encoder for this terminal and the current page's text; 0 or an error (st->error). */
static int
pages_prepare(const struct tui *t, struct pages_st *st)
{
	int v = pages_version(), r;
	struct cer_qr *qr = NULL;
	char *part = NULL, **grown;
	char msg[200];

	if (v != st->version) {
		pages_reset(st);
		if (v == 0)
			return -1;
		if ((r = cer_export_ur_encoder(st->a, v, QR_EC, &st->enc)) != 0) {
			tui_fmt(st->error, sizeof(st->error), "%s",
			        custos_err_describe(r, msg, sizeof(msg)));
			return -1;
		}
		st->version = v;
		st->seq_len = cer_ur_encoder_seq_len(st->enc);
		st->error[0] = '\0';
	}
	while (st->nparts <= st->page) {
		if (st->nparts == st->cap) {
			size_t cap = st->cap ? 2 * st->cap : 64;

			if ((grown = realloc(st->parts, cap * sizeof(*grown))) == NULL)
				return -1;
			st->parts = grown;
			st->cap = cap;
		}
		if ((r = cer_ur_encoder_next_part(st->enc, &part)) != 0)
			return -1;
		st->parts[st->nparts++] = part;
	}
	if (st->text != NULL && st->text_page == st->page && st->text_version == st->version &&
	    st->text_invert == st->invert)
		return 0;
	free(st->text);
	st->text = NULL;
	if ((r = cer_export_ur_qr(st->parts[st->page], QR_EC, st->version, &qr)) == 0)
		r = cer_qr_text(qr, CER_QR_QUIET_TEXT,
		                (t->color != 0) != (st->invert != 0) ? CER_QR_TEXT_DARK_ON_LIGHT
		                                                     : CER_QR_TEXT_LIGHT_ON_DARK,
		                &st->text, &st->cols, &st->lines);
	cer_qr_free(qr);
	if (r != 0) {
		tui_fmt(st->error, sizeof(st->error), "%s",
		        custos_err_describe(r, msg, sizeof(msg)));
		return -1;
	}
	st->text_page = st->page;
	st->text_version = st->version;
	st->text_invert = st->invert;
	return 0;
}

static int
pages_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct pages_st *st = calloc(1, sizeof(*st));

	(void)t;
	if (st == NULL)
		return CUSTOS_ENOMEM;
	st->a = arg;
	s->st = st;
	return 0;
}

static void
pages_close(struct tui *t, struct tui_screen *s)
{
	struct pages_st *st = s->st;

	(void)t;
	pages_reset(st);
	free(st->parts);
	cer_artifact_free(st->a);
	free(st);
}

static void
pages_draw(struct tui *t, struct tui_screen *s)
{
	struct pages_st *st = s->st;
	char caption[256], *line, *nl;
	int y, x;

	if (!t->utf8) {
		tui_heading(t, TUI_TOP, st->a->what);
		tui_wrap(t, TUI_TOP + 2, TUI_LEFT, TUI_WIDTH, 4, TUI_S_WARN,
		         "QR codes need a UTF-8 terminal (block characters): start custos with a "
		         "UTF-8 locale, e.g. LANG=C.UTF-8.");
		return;
	}
	if (pages_prepare(t, st) != 0) {
		tui_heading(t, TUI_TOP, st->a->what);
		tui_wrap(t, TUI_TOP + 2, TUI_LEFT, TUI_WIDTH, 4, TUI_S_WARN,
		         st->error[0] ? st->error
		                      : "The terminal is too small for a QR code: enlarge the "
		                        "window or make the font smaller.");
		return;
	}
	y = 1 + (LINES - 3 - (int)st->lines) / 2;
	x = (COLS - (int)st->cols) / 2;
	for (line = st->text; *line != '\0' && y < LINES - 2; line = nl + 1, y++) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		attrset(st->invert ? A_NORMAL : tui_style(t, TUI_S_QR));
		mvaddstr(y, x, line);
		attrset(A_NORMAL);
		*nl = '\n';
	}
	if (st->page < st->seq_len)
		tui_fmt(caption, sizeof(caption), "%s: part %zu/%zu (QR version %d)", st->a->base,
		        st->page + 1, st->seq_len, st->version);
	else
		tui_fmt(caption, sizeof(caption),
		        "%s: fountain part %zu (after the %zu fragments; QR version %d)",
		        st->a->base, st->page + 1, st->seq_len, st->version);
	tui_put(t, LINES - 2, TUI_LEFT, TUI_WIDTH, TUI_S_NORMAL, caption);
}

static void
pages_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct pages_st *st = s->st;

	switch (k->req) {
	case TUI_REQ_RIGHT:
	case TUI_REQ_DOWN:
	case TUI_REQ_PGDN:
		st->page++;
		break;
	case TUI_REQ_LEFT:
	case TUI_REQ_UP:
	case TUI_REQ_PGUP:
		if (st->page > 0)
			st->page--;
		break;
	case TUI_REQ_CHAR:
		if (k->ch == ' ')
			st->page++;
		else if (k->ch == 'i' || k->ch == 'I')
			st->invert = !st->invert;
		else if (k->ch == 'q' || k->ch == 'Q')
			tui_pop(t);
		break;
	case TUI_REQ_ENTER:
	case TUI_REQ_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops pages_ops = {
        .title = "QR codes",
        .keys = "Right/Space next  Left back  i invert  Esc done",
        .help = "The artifact as UR parts, one QR code a page, sized to this terminal: first the "
                "plain fragments (n/N: a complete set), then fountain parts, which stand in for "
                "any page the other side missed. Scan them with `custos import-qr` on the online "
                "side. i swaps dark and light if the camera does not read them.",
        .flags = TUI_F_CALM,
        .open = pages_open,
        .draw = pages_draw,
        .key = pages_key,
        .close = pages_close,
};

static void
qr_pages_push(struct tui *t, struct cer_artifact *a)
{
	if (tui_push(t, &pages_ops, a) != 0)
		cer_artifact_free(a);
}
