/*
 * tui_sign: the CA engine's ceremonies: sign an issuing-CA CSR, issue a CRL,
 * revoke a certificate.  Each: what is about to happen, checked by the core
 * before anyone types a card (cer_sign_precheck, cer_crl_precheck, the
 * inventory); an explicit decision; the operator's confirmation of the time
 * and of the air gap; the quorum (signing and CRLs); the core call
 * (cer_sign_csr, cer_crl_issue, cer_revoke) in an audited session; the
 * artifact written to HOME/exports/ (never over an existing file) and
 * recorded; its SHA-256 shown to read aloud.
 */
#include <dirent.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "ca/ca_csr.h"
#include "ceremony/cer_db.h"
#include "ceremony/cer_export.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_import.h"
#include "ceremony/cer_profiles.h"
#include "ceremony/cer_sign.h"
#include "ui/tui.h"

/* --- writing what was signed -------------------------------------------------------------- */

/*
 * Writes der as PEM to HOME/exports/name (a new file; never replaces one) and
 * records it as the session's artifact.  path gets the file's path.
 */
static int
put_artifact(struct cer_session *s, const struct cer_home *h, const char *name, const char *label,
             const uint8_t *der, size_t len, char *path, size_t plen)
{
	char dir[PATH_MAX];
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long n;
	int r;

	path[0] = '\0';
	if (bio == NULL || PEM_write_bio(bio, label, "", der, (long)len) <= 0) {
		BIO_free(bio);
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "PEM encoding");
	}
	n = BIO_get_mem_data(bio, &pem);
	if ((r = cer_path_join(dir, sizeof(dir), h->path, "exports")) == 0 &&
	    (r = cer_media_put(dir, name, (const uint8_t *)pem, (size_t)n, 0644)) == 0 &&
	    (r = cer_path_join(path, plen, dir, name)) == 0)
		r = cer_session_artifact(s, name, der, len, NULL);
	BIO_free(bio);
	return r;
}

/* "hex" and the words to read aloud, for a result screen. */
static void
hash_text(const uint8_t sha256[32], char *buf, size_t len)
{
	char hex[65], words[CER_WORDS_LEN];

	sodium_bin2hex(hex, sizeof(hex), sha256, 32);
	cer_sha256_words(sha256, words);
	tui_fmt(buf, len, "SHA-256 %s\nto read aloud: %s", hex, words);
}

/* --- sign a CSR -------------------------------------------------------------------------- */

struct sign_op {
	struct ca_profile_set *profiles;
	char profile[CA_PROFILE_NAME_MAX];
	char path[PATH_MAX];
	uint8_t *csr;
	size_t csr_len;
	/* results */
	char serial[2 * CER_SERIAL_LEN + 1];
	uint8_t sha256[32];
	char out[PATH_MAX];
};

static void
sign_free(void *arg)
{
	struct sign_op *o = arg;

	ca_profile_set_free(o->profiles);
	free(o->csr);
	free(o);
}

static int
sign_run(struct tui_job *j, struct cer_session *s, struct cer_home *h, struct cer_unlocked *u,
         void *arg)
{
	struct sign_op *o = arg;
	struct cer_signed out;
	uint8_t *der = NULL;
	char name[96];
	int n, r;

	(void)j;
	memset(&out, 0, sizeof(out));
	if ((r = cer_sign_csr(h, u, cer_session_db(s), o->profiles, o->profile, o->csr, o->csr_len,
	                      cer_session_time(s), s, &out)) != 0)
		return r;
	cer_serial_hex(out.serial, o->serial);
	memcpy(o->sha256, out.sha256, 32);
	tui_fmt(name, sizeof(name), "cert-%s.pem", o->serial);
	if ((n = i2d_X509(out.cert, &der)) <= 0)
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "encoding the certificate");
	else if ((r = put_artifact(s, h, name, "CERTIFICATE", der, (size_t)n, o->out,
	                           sizeof(o->out))) != 0)
		(void)custos_err_set(r,
		                     "certificate %s is signed and recorded but was not written "
		                     "(%s): export it with `custos export cert %s`",
		                     o->serial, custos_err_detail(), o->serial);
	OPENSSL_free(der);
	cer_signed_clear(&out);
	return r;
}

static void
offer_cert(struct tui *t, void *ctx)
{
	if (ctx != NULL)
		tui_export_offer(t, CER_ARTIFACT_CERT, ctx);
	free(ctx);
}

static void
offer_crl(struct tui *t, void *ctx)
{
	(void)ctx;
	tui_export_offer(t, CER_ARTIFACT_CRL, NULL);
}

static void
sign_done(struct tui *t, void *arg, int rc, const char *msg, const char *transcript)
{
	struct sign_op *o = arg;
	char text[2048], hash[512];

	(void)tui_open_home(t);
	tui_pop_to_bottom(t);
	if (rc != 0) {
		tui_op_result(t, rc, msg, "The CSR was not signed",
		              o->serial[0]
		                      ? "The certificate is in the inventory; only writing the "
		                        "file failed."
		                      : "Nothing was signed or recorded.",
		              transcript);
	} else {
		hash_text(o->sha256, hash, sizeof(hash));
		tui_fmt(text, sizeof(text),
		        "Serial %s, profile %s.\nCertificate: %s\n%s\n\nNext: export it for the "
		        "issuing CA (USB stick or QR codes), or later with `custos export cert "
		        "%s`.",
		        o->serial, o->profile, o->out, hash, o->serial);
		tui_op_result_then(t, 0, "", "The issuing CA's certificate is signed", text,
		                   transcript, offer_cert, strdup(o->serial));
	}
	sign_free(o);
}

static int
sign_begun(struct cer_session *s, struct cer_home *h, void *arg)
{
	struct sign_op *o = arg;

	(void)h;
	return cer_session_artifact(s, o->path, o->csr, o->csr_len, NULL);
}

static void
sign_yes(struct tui *t, void *ctx)
{
	struct tui_op_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.verb = "sign";
	spec.flags = CER_SESSION_SIGNING;
	spec.quorum = 1;
	tui_fmt(spec.purpose, sizeof(spec.purpose), "to sign the CSR");
	spec.title = "Signing the certificate";
	spec.steps[0] = "Lint, sign, verify, lint again and record the certificate";
	spec.begun = sign_begun;
	spec.run = sign_run;
	spec.done = sign_done;
	spec.cancel = sign_free;
	spec.arg = ctx;
	tui_op_start(t, &spec);
}

static void
sign_no(struct tui *t, void *ctx)
{
	(void)t;
	sign_free(ctx);
}

/* The CSR as the core reviews it, then the decision. */
static void
sign_decide(struct tui *t, struct sign_op *o)
{
	struct ca_csr_info *info = calloc(1, sizeof(*info));
	struct tui_confirm c;
	X509_REQ *req = NULL;
	struct cer_csr_file *file;
	char csr[65], spki[65], key[64], msg[512], fhex[65], fwords[CER_WORDS_LEN];
	int r = CUSTOS_ENOMEM;

	if (info == NULL || (r = ca_csr_parse(o->csr, o->csr_len, &req)) != 0 ||
	    (r = ca_csr_review(req, info)) != 0) {
		tui_flash(t, "The CSR: %s", custos_err_describe(r, msg, sizeof(msg)));
		X509_REQ_free(req);
		free(info);
		sign_free(o);
		return;
	}
	X509_REQ_free(req);
	if ((file = calloc(1, sizeof(*file))) != NULL && cer_import_csr(o->path, file, NULL) == 0) {
		sodium_bin2hex(fhex, sizeof(fhex), file->sha256, 32);
		cer_sha256_words(file->sha256, fwords);
	} else {
		tui_fmt(fhex, sizeof(fhex), "(the file could not be read again)");
		fwords[0] = '\0';
	}
	free(file);
	sodium_bin2hex(csr, sizeof(csr), info->csr_sha256, 32);
	sodium_bin2hex(spki, sizeof(spki), info->spki_sha256, 32);
	if (info->curve != NULL)
		tui_fmt(key, sizeof(key), "EC %s", info->curve);
	else
		tui_fmt(key, sizeof(key), "RSA %d bits, e = %s", info->key_bits,
		        info->rsa_exponent);
	memset(&c, 0, sizeof(c));
	c.title = "Sign a CSR";
	tui_fmt(c.heading, sizeof(c.heading), "Sign this issuing-CA CSR?");
	tui_fmt(c.text, sizeof(c.text),
	        "Subject:       %s\nKey:           %s\nCSR SHA-256:   %s\nKey SHA-256:   %s\n"
	        "Profile:       %s (the subject is re-encoded under it; the CSR's %d "
	        "extension%s are never copied)\nFile:          %s\nFile SHA-256:  %s\n"
	        "  words:       %s\n\nRead the SHA-256 aloud and compare it with what the "
	        "requester sent (the file's, as sha256sum gives it, or the CSR's). Then the time "
	        "is confirmed and the quorum types their cards.",
	        info->subject, key, csr, spki, o->profile, info->extension_count,
	        info->extension_count == 1 ? "" : "s", o->path, fhex, fwords);
	free(info);
	c.yes_label = "Sign it";
	c.no_label = "Cancel";
	c.yes = sign_yes;
	c.no = sign_no;
	c.ctx = o;
	if (tui_confirm_open(t, &c) != 0)
		sign_free(o);
}

enum { F_PATH, F_PROFILE, SIGN_FIELDS };

struct pick_st {
	struct tui_field fields[SIGN_FIELDS];
	struct tui_form form;
	struct ca_profile_set *profiles;
	const char *names[CA_PROFILE_SET_MAX];
	const struct tui *t;
};

static int
pick_validate(struct tui_form *form, size_t i, void *ctx)
{
	struct pick_st *st = ctx;
	struct tui_field *f = &form->fields[i];
	uint8_t *data = NULL;
	size_t len = 0;
	int r;

	if (i == F_PROFILE)
		return 0;
	if (f->text[0] == '\0') {
		tui_fmt(f->error, sizeof(f->error),
		        "The CSR's file, e.g. /media/usb/issuing-ca.csr");
		return -1;
	}
	if ((r = cer_file_read(f->text, CA_CSR_INPUT_MAX, &data, &len)) == 0)
		r = cer_sign_precheck(st->t->h, st->profiles,
		                      st->names[form->fields[F_PROFILE].choice], data, len);
	free(data);
	if (r != 0)
		tui_err_text(r, f->error, sizeof(f->error));
	return r != 0 ? -1 : 0;
}

static int
pick_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct pick_st *st = calloc(1, sizeof(*st));
	size_t i;
	int r;

	if (st == NULL)
		return CUSTOS_ENOMEM;
	if ((r = cer_profiles_load(t->h, &st->profiles)) != 0) {
		free(st);
		return r;
	}
	for (i = 0; i < st->profiles->n; i++)
		st->names[i] = st->profiles->issuing[i].name;
	st->t = t;
	st->fields[F_PATH] = (struct tui_field){.kind = TUI_FIELD_TEXT,
	                                        .label = "CSR file",
	                                        .hint = "PEM or DER, from the issuing CA's stick",
	                                        .width = 46,
	                                        .maxlen = TUI_FIELD_TEXT_MAX - 1};
	st->fields[F_PROFILE] = (struct tui_field){.kind = TUI_FIELD_CHOICE,
	                                           .label = "Profile",
	                                           .hint = "Left/Right to choose",
	                                           .choices = st->names,
	                                           .nchoices = st->profiles->n};
	st->form = (struct tui_form){st->fields, SIGN_FIELDS, 0, 0, pick_validate, st};
	if (arg != NULL && ((const char *)arg)[0] != '\0') {
		/* chosen from the list: the profile is what is left to choose */
		tui_fmt(st->fields[F_PATH].text, sizeof(st->fields[F_PATH].text), "%s",
		        (const char *)arg);
		st->form.cur = F_PROFILE;
	}
	s->st = st;
	return 0;
}

static void
pick_close(struct tui *t, struct tui_screen *s)
{
	struct pick_st *st = s->st;

	(void)t;
	ca_profile_set_free(st->profiles);
	free(st);
}

static void
pick_draw(struct tui *t, struct tui_screen *s)
{
	struct pick_st *st = s->st;
	int y = tui_heading(t, TUI_TOP, "Sign an issuing-CA CSR: which one, under which profile");

	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 3, TUI_S_NORMAL,
	              "custos checks the CSR (signature, key, subject against the profile) before "
	              "anyone types a card; the next screen shows it for review.") +
	     1;
	tui_form_draw(t, &st->form, y, TUI_BOTTOM - y);
}

static void
pick_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct pick_st *st = s->st;
	struct sign_op *o;
	int r;

	switch (tui_form_key(&st->form, k)) {
	case TUI_FORM_DONE:
		if ((o = calloc(1, sizeof(*o))) == NULL)
			return;
		tui_fmt(o->path, sizeof(o->path), "%s", st->fields[F_PATH].text);
		tui_fmt(o->profile, sizeof(o->profile), "%s",
		        st->names[st->fields[F_PROFILE].choice]);
		if ((r = cer_file_read(o->path, CA_CSR_INPUT_MAX, &o->csr, &o->csr_len)) != 0) {
			tui_err_text(r, st->fields[F_PATH].error, sizeof(st->fields[F_PATH].error));
			free(o);
			return;
		}
		o->profiles = st->profiles;
		st->profiles = NULL; /* transferred */
		tui_pop(t);
		sign_decide(t, o);
		break;
	case TUI_FORM_CANCEL:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops pick_ops = {
        .title = "Sign a CSR",
        .keys = "Tab next  Enter review  Esc back",
        .help = "Type the path of the CSR file the issuing CA brought (PEM or DER) and choose the "
                "profile to sign it under. custos checks the file at once: its signature, its key "
                "(RSA 2048 bits or more, or P-256/384/521) and its subject against the profile. "
                "Then the CSR is shown for review; nothing is signed before the decision, the "
                "confirmed time and the quorum.",
        .flags = TUI_F_TEXT,
        .open = pick_open,
        .draw = pick_draw,
        .key = pick_key,
        .close = pick_close,
};

/* --- choosing the CSR's file ---------------------------------------------------------------- */

#define CHOOSE_MAX 500

struct csr_entry {
	char path[PATH_MAX];
	char shown[160]; /* the path under its place */
	char where[96];  /* the mount point, or "exports" */
	off_t size;
	time_t mtime;
};

struct choose_st {
	struct csr_entry *e;
	size_t n, sel, top; /* sel == n: "type a path" */
	size_t mounts;
};

static int
csr_name(const char *name)
{
	static const char *const exts[] = {".csr", ".pem", ".der", ".req"};
	size_t len = strlen(name), i, el;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		el = strlen(exts[i]);
		if (len > el && strcasecmp(name + len - el, exts[i]) == 0)
			return 1;
	}
	return 0;
}

/* Adds dir's candidate files, and those of its subdirectories when depth is 0. */
static void
scan_dir(struct choose_st *st, const char *dir, const char *rel, const char *where, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat sb;
	char path[PATH_MAX], shown[160];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL && st->n < CHOOSE_MAX) {
		if (de->d_name[0] == '.')
			continue;
		if (cer_path_join(path, sizeof(path), dir, de->d_name) != 0 ||
		    lstat(path, &sb) != 0)
			continue;
		tui_fmt(shown, sizeof(shown), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
		if (S_ISDIR(sb.st_mode) && depth == 0) {
			scan_dir(st, path, de->d_name, where, 1);
		} else if (S_ISREG(sb.st_mode) && csr_name(de->d_name)) {
			struct csr_entry *e = &st->e[st->n++];

			tui_fmt(e->path, sizeof(e->path), "%s", path);
			tui_fmt(e->shown, sizeof(e->shown), "%s", shown);
			tui_fmt(e->where, sizeof(e->where), "%s", where);
			e->size = sb.st_size;
			e->mtime = sb.st_mtime;
		}
	}
	closedir(d);
}

static int
newest_first(const void *a, const void *b)
{
	const struct csr_entry *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime > y->mtime ? -1 : 1;
	return strcmp(x->path, y->path);
}

static int
choose_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct choose_st *st = calloc(1, sizeof(*st));
	struct cer_mount *m = NULL;
	size_t nm = 0, i;
	char dir[PATH_MAX];

	(void)arg;
	if (st == NULL || (st->e = calloc(CHOOSE_MAX, sizeof(*st->e))) == NULL) {
		free(st);
		return CUSTOS_ENOMEM;
	}
	if (cer_mounts_removable(NULL, NULL, &m, &nm) == 0) {
		for (i = 0; i < nm; i++)
			scan_dir(st, m[i].dir, "", m[i].dir, 0);
		st->mounts = nm;
		free(m);
	}
	if (cer_path_join(dir, sizeof(dir), t->home, "exports") == 0)
		scan_dir(st, dir, "", "exports", 0);
	qsort(st->e, st->n, sizeof(*st->e), newest_first);
	s->st = st;
	return 0;
}

static void
choose_close(struct tui *t, struct tui_screen *s)
{
	struct choose_st *st = s->st;

	(void)t;
	free(st->e);
	free(st);
}

static void
choose_draw(struct tui *t, struct tui_screen *s)
{
	struct choose_st *st = s->st;
	char line[512], when[32];
	int y = tui_heading(t, TUI_TOP, "Sign an issuing-CA CSR: choose the file"), rows;
	size_t i;

	tui_fmt(line, sizeof(line),
	        "*.csr, *.pem, *.der, *.req on %zu removable medi%s and in %s/exports, newest "
	        "first.",
	        st->mounts, st->mounts == 1 ? "um" : "a", t->home);
	y += tui_wrap(t, y, TUI_LEFT, TUI_WIDTH, 2, TUI_S_DIM, line) + 1;
	rows = TUI_BOTTOM - y + 1;
	if (st->sel < st->top)
		st->top = st->sel;
	if (rows > 0 && st->sel >= st->top + (size_t)rows)
		st->top = st->sel - (size_t)rows + 1;
	for (i = st->top; i <= st->n && y <= TUI_BOTTOM; i++, y++) {
		if (i == st->n) {
			tui_put(t, y, TUI_LEFT, TUI_WIDTH,
			        i == st->sel ? TUI_S_FOCUS : TUI_S_NORMAL, "Type a path...");
			break;
		}
		cer_time_format((int64_t)st->e[i].mtime, when, sizeof(when));
		tui_fmt(line, sizeof(line), "%-36s %9lld B  %s  %s", st->e[i].shown,
		        (long long)st->e[i].size, when, st->e[i].where);
		tui_put(t, y, TUI_LEFT, TUI_WIDTH, i == st->sel ? TUI_S_FOCUS : TUI_S_NORMAL, line);
	}
}

static void
choose_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct choose_st *st = s->st;
	char path[PATH_MAX];

	switch (k->req) {
	case TUI_REQ_UP:
		if (st->sel > 0)
			st->sel--;
		break;
	case TUI_REQ_DOWN:
		if (st->sel < st->n)
			st->sel++;
		break;
	case TUI_REQ_CHAR:
		if (k->ch != 't' && k->ch != 'T')
			break;
		st->sel = st->n;
		/* fall through */
	case TUI_REQ_ENTER:
		path[0] = '\0';
		if (st->sel < st->n)
			tui_fmt(path, sizeof(path), "%s", st->e[st->sel].path);
		tui_pop(t);
		(void)tui_push(t, &pick_ops, path);
		break;
	case TUI_REQ_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops choose_ops = {
        .title = "Sign a CSR",
        .keys = "Up/Down choose  Enter pick  t type a path  Esc back",
        .help = "The CSR files found on the removable media mounted (and one level of "
                "folders on them) and in the CA's exports folder, newest first, with their size "
                "and where they are. Enter picks one; \"Type a path\" (or t) types any other. "
                "The next screens choose the profile and show the CSR and the file's SHA-256 "
                "for review.",
        .flags = TUI_F_CALM,
        .open = choose_open,
        .draw = choose_draw,
        .key = choose_key,
        .close = choose_close,
};

void
tui_sign_open(struct tui *t)
{
	(void)tui_push(t, &choose_ops, NULL);
}

/* --- issue a CRL ------------------------------------------------------------------------ */

struct crl_op {
	struct ca_profile_set *profiles;
	uint64_t number, entries;
	char next[32];
	uint8_t sha256[32];
	char out[PATH_MAX];
};

static void
crl_free(void *arg)
{
	struct crl_op *o = arg;

	ca_profile_set_free(o->profiles);
	free(o);
}

static int
crl_run(struct tui_job *j, struct cer_session *s, struct cer_home *h, struct cer_unlocked *u,
        void *arg)
{
	struct crl_op *o = arg;
	struct cer_crl crl;
	char name[64];
	int r;

	(void)j;
	memset(&crl, 0, sizeof(crl));
	if ((r = cer_crl_issue(h, u, cer_session_db(s), o->profiles, cer_session_time(s), s,
	                       &crl)) != 0)
		return r;
	o->number = crl.number;
	o->entries = crl.entries;
	cer_time_format(crl.next_update, o->next, sizeof(o->next));
	memcpy(o->sha256, crl.sha256, 32);
	tui_fmt(name, sizeof(name), "crl-%llu.pem", (unsigned long long)crl.number);
	if ((r = put_artifact(s, h, name, "X509 CRL", crl.der, crl.der_len, o->out,
	                      sizeof(o->out))) != 0)
		(void)custos_err_set(r,
		                     "CRL %llu is signed and recorded but was not written (%s): "
		                     "export it with `custos export crl`",
		                     (unsigned long long)crl.number, custos_err_detail());
	cer_crl_clear(&crl);
	return r;
}

static void
crl_done(struct tui *t, void *arg, int rc, const char *msg, const char *transcript)
{
	struct crl_op *o = arg;
	char text[2048], hash[512];

	(void)tui_open_home(t);
	tui_pop_to_bottom(t);
	if (rc != 0) {
		tui_op_result(t, rc, msg, "No CRL was issued",
		              o->number
		                      ? "The CRL is in the inventory; only writing the file failed."
		                      : "Nothing was signed or recorded.",
		              transcript);
	} else {
		hash_text(o->sha256, hash, sizeof(hash));
		tui_fmt(text, sizeof(text),
		        "CRL number %llu, %llu revoked certificate%s, next update by %s.\nFile: "
		        "%s\n%s",
		        (unsigned long long)o->number, (unsigned long long)o->entries,
		        o->entries == 1 ? "" : "s", o->next, o->out, hash);
		tui_op_result_then(t, 0, "", "The CRL is issued", text, transcript, offer_crl,
		                   NULL);
	}
	crl_free(o);
}

static void
crl_yes(struct tui *t, void *ctx)
{
	struct tui_op_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.verb = "crl";
	spec.flags = CER_SESSION_SIGNING;
	spec.quorum = 1;
	tui_fmt(spec.purpose, sizeof(spec.purpose), "to sign the CRL");
	spec.title = "Issuing the CRL";
	spec.steps[0] = "Build, lint, sign, verify and record the CRL";
	spec.run = crl_run;
	spec.done = crl_done;
	spec.cancel = crl_free;
	spec.arg = ctx;
	tui_op_start(t, &spec);
}

static void
crl_no(struct tui *t, void *ctx)
{
	(void)t;
	crl_free(ctx);
}

void
tui_crl_open(struct tui *t)
{
	struct tui_confirm c;
	struct crl_op *o = calloc(1, sizeof(*o));
	struct cer_db *db = NULL;
	uint64_t next = 0, issued = 0, revoked = 0;
	char msg[512];
	int r;

	if (o == NULL)
		return;
	if ((r = cer_crl_precheck(t->h)) != 0 || (r = cer_profiles_load(t->h, &o->profiles)) != 0 ||
	    (r = cer_db_open(t->home, 0, &db)) != 0 ||
	    (r = cer_db_crl_next_number(db, &next)) != 0 ||
	    (r = cer_db_counts(db, &issued, &revoked)) != 0) {
		cer_db_close(db);
		tui_flash(t, "Issue a CRL: %s", custos_err_describe(r, msg, sizeof(msg)));
		crl_free(o);
		return;
	}
	cer_db_close(db);
	memset(&c, 0, sizeof(c));
	c.title = "Issue a CRL";
	tui_fmt(c.heading, sizeof(c.heading), "Issue CRL number %llu?", (unsigned long long)next);
	tui_fmt(c.text, sizeof(c.text),
	        "It lists every revoked certificate (%llu of the %llu issued) and must be "
	        "replaced within %u days (its next update). The quorum signs it; it is written to "
	        "%s/exports/crl-%llu.pem and recorded.\n\nNext, the time is confirmed and the "
	        "quorum "
	        "types their cards.",
	        (unsigned long long)revoked, (unsigned long long)issued,
	        o->profiles->crl_next_update_days, t->home, (unsigned long long)next);
	c.yes_label = "Issue it";
	c.no_label = "Cancel";
	c.yes = crl_yes;
	c.no = crl_no;
	c.ctx = o;
	if (tui_confirm_open(t, &c) != 0)
		crl_free(o);
}

/* --- revoke ----------------------------------------------------------------------------- */

static const enum cer_reason reasons[] = {
        CER_REASON_UNSPECIFIED, CER_REASON_KEY_COMPROMISE, CER_REASON_AFFILIATION_CHANGED,
        CER_REASON_SUPERSEDED,  CER_REASON_CESSATION,      CER_REASON_PRIVILEGE_WITHDRAWN,
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))
#define LIST_MAX 512

struct cert_item {
	uint8_t serial[CER_SERIAL_LEN];
	char hex[2 * CER_SERIAL_LEN + 1];
	char subject[160];
	int revoked;
};

struct revoke_st {
	struct cert_item *items;
	size_t n, sel, top, reason;
	int more;
};

struct revoke_op {
	uint8_t serial[CER_SERIAL_LEN];
	char hex[2 * CER_SERIAL_LEN + 1], subject[160];
	enum cer_reason reason;
};

static int
collect(void *ctx, const struct cer_cert_row *row)
{
	struct revoke_st *st = ctx;
	struct cert_item *it;

	if (st->n == LIST_MAX) {
		st->more = 1;
		return 1;
	}
	it = &st->items[st->n++];
	memcpy(it->serial, row->serial, CER_SERIAL_LEN);
	cer_serial_hex(row->serial, it->hex);
	tui_fmt(it->subject, sizeof(it->subject), "%s", row->subject);
	it->revoked = row->revoked;
	return 0;
}

static int
revoke_open(struct tui *t, struct tui_screen *s, void *arg)
{
	struct revoke_st *st = calloc(1, sizeof(*st));
	struct cer_db *db = NULL;
	int r;

	(void)arg;
	if (st == NULL || (st->items = calloc(LIST_MAX, sizeof(*st->items))) == NULL) {
		free(st);
		return CUSTOS_ENOMEM;
	}
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
revoke_close(struct tui *t, struct tui_screen *s)
{
	struct revoke_st *st = s->st;

	(void)t;
	free(st->items);
	free(st);
}

static void
revoke_draw(struct tui *t, struct tui_screen *s)
{
	struct revoke_st *st = s->st;
	char line[256];
	int y = tui_heading(t, TUI_TOP, "Revoke a certificate: which one, and why"), rows;
	size_t i;

	tui_putf(t, y, TUI_LEFT, TUI_S_LABEL, "Reason:");
	tui_putf(t, y, TUI_LEFT + 9, TUI_S_FOCUS, "< %s >",
	         reasons[st->reason] == CER_REASON_UNSPECIFIED
	                 ? "none (no reason code)"
	                 : cer_reason_name(reasons[st->reason]));
	y += 2;
	if (st->n == 0) {
		tui_put(t, y, TUI_LEFT, TUI_WIDTH, TUI_S_DIM,
		        "This CA has issued no certificate yet.");
		return;
	}
	rows = TUI_BOTTOM - y;
	if (st->sel < st->top)
		st->top = st->sel;
	if (st->sel >= st->top + (size_t)rows)
		st->top = st->sel - (size_t)rows + 1;
	for (i = st->top; i < st->n && y <= TUI_BOTTOM; i++, y++) {
		tui_fmt(line, sizeof(line), " %.16s...  %-9s %s", st->items[i].hex,
		        st->items[i].revoked ? "revoked" : "valid", st->items[i].subject);
		tui_put(t, y, TUI_LEFT, TUI_WIDTH,
		        i == st->sel           ? TUI_S_FOCUS
		        : st->items[i].revoked ? TUI_S_DIM
		                               : TUI_S_NORMAL,
		        line);
	}
}

static void
revoke_run_done(struct tui *t, void *arg, int rc, const char *msg, const char *transcript)
{
	struct revoke_op *o = arg;
	char text[1024];

	(void)tui_open_home(t);
	tui_pop_to_bottom(t);
	if (rc != 0)
		tui_op_result(t, rc, msg, "Not revoked", "Nothing was recorded.", transcript);
	else {
		tui_fmt(text, sizeof(text),
		        "%s (%s) is revoked, reason %s. It appears on the next CRL: issue one now "
		        "(c on "
		        "the dashboard) so that relying parties learn of it.",
		        o->hex, o->subject,
		        o->reason == CER_REASON_UNSPECIFIED ? "none" : cer_reason_name(o->reason));
		tui_op_result(t, 0, "", "Revocation recorded", text, transcript);
	}
	free(o);
}

static int
revoke_run(struct tui_job *j, struct cer_session *s, struct cer_home *h, struct cer_unlocked *u,
           void *arg)
{
	struct revoke_op *o = arg;

	(void)j;
	(void)u;
	return cer_revoke(h, cer_session_db(s), o->serial, o->reason, cer_session_time(s), s);
}

static void
revoke_yes(struct tui *t, void *ctx)
{
	struct tui_op_spec spec;

	memset(&spec, 0, sizeof(spec));
	spec.verb = "revoke";
	spec.flags = CER_SESSION_SIGNING;
	spec.title = "Recording the revocation";
	spec.steps[0] = "Record the revocation in the inventory and the audit log";
	spec.run = revoke_run;
	spec.done = revoke_run_done;
	spec.cancel = free;
	spec.arg = ctx;
	tui_op_start(t, &spec);
}

static void
revoke_no(struct tui *t, void *ctx)
{
	(void)t;
	free(ctx);
}

static void
revoke_decide(struct tui *t, struct revoke_st *st)
{
	const struct cert_item *it = &st->items[st->sel];
	struct tui_confirm c;
	struct revoke_op *o;

	if (it->revoked) {
		tui_flash(t, "%.16s... is already revoked.", it->hex);
		return;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return;
	memcpy(o->serial, it->serial, CER_SERIAL_LEN);
	tui_fmt(o->hex, sizeof(o->hex), "%s", it->hex);
	tui_fmt(o->subject, sizeof(o->subject), "%s", it->subject);
	o->reason = reasons[st->reason];
	memset(&c, 0, sizeof(c));
	c.title = "Revoke";
	tui_fmt(c.heading, sizeof(c.heading), "Revoke this certificate?");
	tui_fmt(c.text, sizeof(c.text),
	        "Serial:   %s\nSubject:  %s\nReason:   %s\n\nA revocation cannot be undone. It "
	        "needs no quorum, but it is recorded in the audit log under your name, and the "
	        "certificate appears on the next CRL. Next, the time is confirmed.",
	        o->hex, o->subject,
	        o->reason == CER_REASON_UNSPECIFIED ? "none (no reason code)"
	                                            : cer_reason_name(o->reason));
	c.yes_label = "Revoke it";
	c.no_label = "Cancel";
	c.typed = "revoke";
	c.danger = 1;
	c.yes = revoke_yes;
	c.no = revoke_no;
	c.ctx = o;
	tui_pop(t);
	if (tui_confirm_open(t, &c) != 0)
		free(o);
}

static void
revoke_key(struct tui *t, struct tui_screen *s, const struct tui_key *k)
{
	struct revoke_st *st = s->st;

	switch (k->req) {
	case TUI_REQ_UP:
		if (st->sel > 0)
			st->sel--;
		break;
	case TUI_REQ_DOWN:
		if (st->sel + 1 < st->n)
			st->sel++;
		break;
	case TUI_REQ_LEFT:
		st->reason = (st->reason + NREASONS - 1) % NREASONS;
		break;
	case TUI_REQ_RIGHT:
		st->reason = (st->reason + 1) % NREASONS;
		break;
	case TUI_REQ_ENTER:
		if (st->n > 0)
			revoke_decide(t, st);
		break;
	case TUI_REQ_BACK:
		tui_pop(t);
		break;
	default:
		break;
	}
}

static const struct tui_screen_ops revoke_ops = {
        .title = "Revoke",
        .keys = "Up/Down certificate  Left/Right reason  Enter continue  Esc back",
        .help = "The certificates this CA issued, by serial, with their status. Choose the one "
                "to revoke with Up/Down and the reason with Left/Right: keyCompromise, "
                "affiliationChanged, superseded, cessationOfOperation, privilegeWithdrawn, or none "
                "(no reason code). Enter shows the decision. A revocation takes effect on the next "
                "CRL; issue one afterwards.",
        .open = revoke_open,
        .draw = revoke_draw,
        .key = revoke_key,
        .close = revoke_close,
};

void
tui_revoke_open(struct tui *t)
{
	(void)tui_push(t, &revoke_ops, NULL);
}
