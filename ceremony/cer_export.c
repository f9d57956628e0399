/*
 * cer_export: the artifacts that may leave the laptop and the files they
 * become (see the header).  Writing them to a stick is cer_export_usb.c.
 *
 * Invariant: an artifact is built only from bytes that were checked against
 * the root key here (or are the home's verified root certificate), so a
 * tampered inventory cannot make custos hand out something it did not sign.
 */
#include "ceremony/cer_export.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ca/ca_sig.h"
#include "ceremony/cer_bytewords.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_ur.h"

void
cer_sha256_words(const uint8_t digest[32], char out[CER_WORDS_LEN])
{
	cer_transcript_words(digest, out);
}

void
cer_artifact_free(struct cer_artifact *a)
{
	if (a == NULL)
		return;
	free(a->der);
	free(a->pem);
	free(a->p7b);
	free(a->sig);
	free(a);
}

/* --- building artifacts ------------------------------------------------------ */

/* Copies a memory BIO's contents into a new NUL-terminated buffer. */
static int
bio_take(BIO *bio, char **out, size_t *len)
{
	char *p;
	long n = BIO_get_mem_data(bio, &p);

	if (n <= 0 || (*out = malloc((size_t)n + 1)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "PEM text");
	memcpy(*out, p, (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

static int
pem_of(X509 *const *certs, size_t n, X509_CRL *crl, char **out, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	size_t i;
	int ok = bio != NULL;

	for (i = 0; ok && i < n; i++)
		ok = PEM_write_bio_X509(bio, certs[i]) == 1;
	if (ok && crl != NULL)
		ok = PEM_write_bio_X509_CRL(bio, crl) == 1;
	if (!ok) {
		BIO_free(bio);
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "writing PEM");
	}
	ok = bio_take(bio, out, len);
	BIO_free(bio);
	return ok;
}

/* A PKCS#7 SignedData with no content and no signers: a certificate bundle (RFC 2315). */
static int
p7b_of(X509 *const *certs, size_t n, uint8_t **out, size_t *len)
{
	PKCS7 *p7 = PKCS7_new();
	unsigned char *der = NULL;
	size_t i;
	int ok, dlen = -1;

	ok = p7 != NULL && PKCS7_set_type(p7, NID_pkcs7_signed) == 1 &&
	     PKCS7_content_new(p7, NID_pkcs7_data) == 1;
	if (ok)
		(void)PKCS7_set_detached(p7, 1); /* contentInfo without content, as crl2pkcs7 */
	for (i = 0; ok && i < n; i++)
		ok = PKCS7_add_certificate(p7, certs[i]) == 1;
	if (ok)
		dlen = i2d_PKCS7(p7, &der);
	PKCS7_free(p7);
	if (dlen <= 0)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "PKCS#7 bundle");
	*out = malloc((size_t)dlen);
	if (*out != NULL)
		memcpy(*out, der, (size_t)dlen);
	OPENSSL_free(der);
	if (*out == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "PKCS#7 bundle");
	*len = (size_t)dlen;
	return 0;
}

static int
der_copy(const uint8_t *der, size_t len, struct cer_artifact *a)
{
	if ((a->der = malloc(len > 0 ? len : 1)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "artifact");
	memcpy(a->der, der, len);
	a->der_len = len;
	return 0;
}

static int
new_artifact(enum cer_artifact_kind kind, struct cer_artifact **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "artifact");
	(*out)->kind = kind;
	return 0;
}

/* The subject's one-line form for the description. */
static void
subject_text(X509_NAME *name, char *buf, size_t len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	buf[0] = '\0';
	if (bio == NULL)
		return;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0 &&
	    (n = BIO_get_mem_data(bio, &p)) > 0)
		(void)snprintf(buf, len, "%.*s", (int)n, p);
	BIO_free(bio);
}

int
cer_artifact_root(const struct cer_home *h, struct cer_artifact **out)
{
	struct cer_artifact *a = NULL;
	unsigned char *der = NULL;
	char subject[160];
	int r, dlen;

	*out = NULL;
	if ((r = new_artifact(CER_ARTIFACT_ROOT, &a)) != 0)
		return r;
	if ((dlen = i2d_X509(h->root, &der)) <= 0) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "root certificate");
		goto out;
	}
	if ((r = der_copy(der, (size_t)dlen, a)) != 0 ||
	    (r = pem_of(&h->root, 1, NULL, &a->pem, &a->pem_len)) != 0 ||
	    (r = p7b_of(&h->root, 1, &a->p7b, &a->p7b_len)) != 0)
		goto out;
	subject_text(X509_get_subject_name(h->root), subject, sizeof(subject));
	(void)snprintf(a->base, sizeof(a->base), "root");
	(void)snprintf(a->what, sizeof(a->what), "root certificate (%s)", subject);
	*out = a;
	a = NULL; /* transferred */
out:
	OPENSSL_free(der);
	cer_artifact_free(a);
	return r;
}

/* Issuer bytes equal to the root's subject bytes (DESIGN section 5: compare DER). */
static int
same_name(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char *da, *db;
	size_t la, lb;

	if (X509_NAME_get0_der(a, &da, &la) != 1 || X509_NAME_get0_der(b, &db, &lb) != 1)
		return 0;
	return la == lb && memcmp(da, db, la) == 0;
}

/* The recorded DER of an issued certificate, parsed and checked against the root. */
static int
checked_cert(const struct cer_home *h, struct cer_db *db, const uint8_t serial[CER_SERIAL_LEN],
             X509 **out, uint8_t **der, size_t *der_len)
{
	struct cer_cert_row row;
	const unsigned char *p;
	uint8_t sha[32];
	char hex[2 * CER_SERIAL_LEN + 1];
	X509 *x = NULL;
	int r;

	*out = NULL;
	memset(&row, 0, sizeof(row));
	cer_serial_hex(serial, hex);
	if ((r = cer_db_cert_get(db, serial, 1, &row)) != 0)
		return r;
	crypto_hash_sha256(sha, row.der, row.der_len);
	p = row.der;
	if (sodium_memcmp(sha, row.sha256, 32) != 0 ||
	    (x = d2i_X509(NULL, &p, (long)row.der_len)) == NULL || p != row.der + row.der_len ||
	    X509_verify(x, h->root_pub) != 1 ||
	    !same_name(X509_get_issuer_name(x), X509_get_subject_name(h->root))) {
		X509_free(x);
		free(row.der);
		ERR_clear_error();
		return custos_err_set(CUSTOS_EAUTH,
		                      "the inventory's certificate %s is not one this root signed "
		                      "(hash, encoding or signature check failed)",
		                      hex);
	}
	*out = x;
	*der = row.der;
	*der_len = row.der_len;
	return 0;
}

int
cer_artifact_cert(const struct cer_home *h, struct cer_db *db, const uint8_t serial[CER_SERIAL_LEN],
                  struct cer_artifact **out)
{
	struct cer_artifact *a = NULL;
	char hex[2 * CER_SERIAL_LEN + 1], subject[160];
	X509 *x = NULL;
	int r;

	*out = NULL;
	if ((r = new_artifact(CER_ARTIFACT_CERT, &a)) != 0)
		return r;
	if ((r = checked_cert(h, db, serial, &x, &a->der, &a->der_len)) != 0 ||
	    (r = pem_of(&x, 1, NULL, &a->pem, &a->pem_len)) != 0 ||
	    (r = p7b_of(&x, 1, &a->p7b, &a->p7b_len)) != 0)
		goto out;
	cer_serial_hex(serial, hex);
	subject_text(X509_get_subject_name(x), subject, sizeof(subject));
	(void)snprintf(a->base, sizeof(a->base), "cert-%s", hex);
	(void)snprintf(a->what, sizeof(a->what), "certificate %s (%s)", hex, subject);
	*out = a;
	a = NULL; /* transferred */
out:
	X509_free(x);
	cer_artifact_free(a);
	return r;
}

int
cer_artifact_chain(const struct cer_home *h, struct cer_db *db,
                   const uint8_t serial[CER_SERIAL_LEN], struct cer_artifact **out)
{
	struct cer_artifact *a = NULL;
	char hex[2 * CER_SERIAL_LEN + 1];
	uint8_t *der = NULL;
	size_t der_len;
	X509 *certs[2] = {NULL, h->root};
	int r;

	*out = NULL;
	if ((r = new_artifact(CER_ARTIFACT_CHAIN, &a)) != 0)
		return r;
	if ((r = checked_cert(h, db, serial, &certs[0], &der, &der_len)) != 0 ||
	    (r = pem_of(certs, 2, NULL, &a->pem, &a->pem_len)) != 0 ||
	    (r = p7b_of(certs, 2, &a->p7b, &a->p7b_len)) != 0 ||
	    (r = der_copy(a->p7b, a->p7b_len, a)) != 0)
		goto out;
	cer_serial_hex(serial, hex);
	(void)snprintf(a->base, sizeof(a->base), "chain-%s", hex);
	(void)snprintf(a->what, sizeof(a->what), "chain of certificate %s and the root", hex);
	*out = a;
	a = NULL; /* transferred */
out:
	free(der);
	X509_free(certs[0]);
	cer_artifact_free(a);
	return r;
}

int
cer_artifact_crl(const struct cer_home *h, struct cer_db *db, struct cer_artifact **out)
{
	struct cer_artifact *a = NULL;
	struct cer_crl_row row;
	const unsigned char *p;
	X509_CRL *crl = NULL;
	uint8_t sha[32];
	int r;

	*out = NULL;
	memset(&row, 0, sizeof(row));
	if ((r = cer_db_crl_latest(db, 1, &row)) != 0)
		return r;
	if ((r = new_artifact(CER_ARTIFACT_CRL, &a)) != 0)
		goto out;
	crypto_hash_sha256(sha, row.der, row.der_len);
	p = row.der;
	if (sodium_memcmp(sha, row.sha256, 32) != 0 ||
	    (crl = d2i_X509_CRL(NULL, &p, (long)row.der_len)) == NULL ||
	    p != row.der + row.der_len || X509_CRL_verify(crl, h->root_pub) != 1 ||
	    !same_name(X509_CRL_get_issuer(crl), X509_get_subject_name(h->root))) {
		ERR_clear_error();
		r = custos_err_set(CUSTOS_EAUTH,
		                   "the inventory's CRL number %llu is not one this root signed "
		                   "(hash, encoding or signature check failed)",
		                   (unsigned long long)row.number);
		goto out;
	}
	a->der = row.der;
	a->der_len = row.der_len;
	row.der = NULL; /* transferred */
	if ((r = pem_of(NULL, 0, crl, &a->pem, &a->pem_len)) != 0)
		goto out;
	(void)snprintf(a->base, sizeof(a->base), "crl-%llu", (unsigned long long)row.number);
	(void)snprintf(a->what, sizeof(a->what), "CRL number %llu (%llu entries)",
	               (unsigned long long)row.number, (unsigned long long)row.entries);
	*out = a;
	a = NULL; /* transferred */
out:
	free(row.der);
	X509_CRL_free(crl);
	cer_artifact_free(a);
	return r;
}

/* A name a USB stick's file system takes as it is: [A-Za-z0-9._+-], not starting with '.'. */
static int
plain_file_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= sizeof(((struct cer_artifact *)0)->base) || name[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || strchr("._+-", name[i]) != NULL))
			return 0;
	return 1;
}

/* path, or HOME/transcripts/path for a bare name not in the current directory. */
static int
transcript_path(const struct cer_home *h, const char *path, char *buf, size_t len)
{
	char dir[PATH_MAX];
	int r;

	if (strchr(path, '/') != NULL || access(path, F_OK) == 0) {
		if (snprintf(buf, len, "%s", path) >= (int)len)
			return custos_err_set(CUSTOS_ETOOBIG, "path too long");
		return 0;
	}
	if ((r = cer_path_join(dir, sizeof(dir), h->path, "transcripts")) != 0)
		return r;
	return cer_path_join(buf, len, dir, path);
}

int
cer_artifact_transcript(const struct cer_home *h, const char *path, struct cer_artifact **out)
{
	struct cer_artifact *a = NULL;
	struct cer_transcript_info info;
	char file[PATH_MAX], sigpath[PATH_MAX + 8];
	const char *name;
	uint8_t fp[32];
	int r;

	*out = NULL;
	if ((r = transcript_path(h, path, file, sizeof(file))) != 0)
		return r;
	name = strrchr(file, '/') != NULL ? strrchr(file, '/') + 1 : file;
	if (!plain_file_name(name) || strlen(name) + 4 >= sizeof(a->base))
		return custos_err_set(CUSTOS_EINVAL,
		                      "transcript name '%s' is not a plain file name "
		                      "(letters, digits, . _ + -, not starting with .)",
		                      name);
	(void)snprintf(sigpath, sizeof(sigpath), "%s.sig", file);
	if ((r = new_artifact(CER_ARTIFACT_TRANSCRIPT, &a)) != 0)
		return r;
	if ((r = cer_file_read(file, CER_EXPORT_TRANSCRIPT_MAX, &a->der, &a->der_len)) != 0 ||
	    (r = cer_file_read(sigpath, CA_SIG_MAX, &a->sig, &a->sig_len)) != 0 ||
	    (r = cer_root_fingerprint(h, fp)) != 0)
		goto out;
	/* Only a transcript this root signed leaves the laptop. */
	if ((r = cer_transcript_verify(a->der, a->der_len, a->sig, a->sig_len, h->root_pub, fp,
	                               &info)) != 0)
		goto out;
	/* name was checked to fit base (plain_file_name above). */
	(void)snprintf(a->base, sizeof(a->base), "%.*s", (int)sizeof(a->base) - 1, name);
	(void)snprintf(a->what, sizeof(a->what), "transcript %.*s (%.*s ceremony, signed)",
	               (int)sizeof(a->base) - 1, name, 63, info.ceremony);
	*out = a;
	a = NULL; /* transferred */
out:
	cer_artifact_free(a);
	return r;
}

/* --- formats ----------------------------------------------------------------- */

int
cer_export_formats_parse(const char *names, unsigned *formats)
{
	static const struct {
		const char *name;
		unsigned bit;
	} table[] = {{"pem", CER_FORMAT_PEM},
	             {"der", CER_FORMAT_DER},
	             {"p7b", CER_FORMAT_P7B},
	             {"qr-png", CER_FORMAT_QR_PNG},
	             {"ur", CER_FORMAT_UR}};
	const char *p = names;
	size_t i, len;
	int found;

	do {
		len = strcspn(p, ",");
		for (found = 0, i = 0; i < sizeof(table) / sizeof(table[0]); i++)
			if (strlen(table[i].name) == len && strncmp(p, table[i].name, len) == 0) {
				*formats |= table[i].bit;
				found = 1;
			}
		if (!found)
			return custos_err_set(CUSTOS_EINVAL,
			                      "format '%.*s' is not pem, der, p7b, qr-png or ur",
			                      (int)len, p);
		p += len;
	} while (*p++ == ',');
	return 0;
}

unsigned
cer_export_default_formats(enum cer_artifact_kind kind)
{
	if (kind == CER_ARTIFACT_CHAIN)
		return CER_FORMAT_PEM | CER_FORMAT_P7B;
	if (kind == CER_ARTIFACT_TRANSCRIPT)
		return CER_FORMAT_PEM;
	return CER_FORMAT_PEM | CER_FORMAT_DER;
}

void
cer_export_qr_defaults(struct cer_export_qr *q)
{
	q->ec = CER_QR_EC_M;
	q->max_version = CER_QR_VERSION_MAX;
	q->png_scale = 6;
	q->ur_parts = 0;
}

/* --- UR parts and QR codes ---------------------------------------------------- */

int
cer_export_ur_encoder(const struct cer_artifact *a, int max_version, enum cer_qr_ec ec,
                      struct cer_ur_encoder **out)
{
	size_t frag = cer_qr_ur_fragment_len(max_version, ec);

	*out = NULL;
	if (frag == 0)
		return custos_err_set(
		        CUSTOS_ETOOBIG,
		        "a QR code of version %d cannot hold a UR part; allow a larger "
		        "version",
		        max_version);
	/* The reference's smallest fragment is 10 bytes; find_nominal needs max >= 2 * min. */
	return cer_ur_encoder_new(
	        a->der, a->der_len, frag,
	        frag >= 2 * CER_UR_MIN_FRAGMENT_DEFAULT ? CER_UR_MIN_FRAGMENT_DEFAULT : frag / 2, 0,
	        out);
}

int
cer_export_ur_qr(const char *part, enum cer_qr_ec ec, int max_version, struct cer_qr **out)
{
	size_t i, n = strlen(part);
	char *upper = malloc(n + 1);
	int r;

	*out = NULL;
	if (upper == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "UR part");
	for (i = 0; i <= n; i++)
		upper[i] = (char)(part[i] >= 'a' && part[i] <= 'z' ? part[i] - 32 : part[i]);
	r = cer_qr_encode_alnum(upper, ec, max_version, out);
	free(upper);
	return r;
}

/* --- an export in memory ------------------------------------------------------- */

struct cer_export {
	struct cer_export_file *files;
	size_t n, cap;
};

int
cer_export_new(struct cer_export **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "export");
	return 0;
}

void
cer_export_free(struct cer_export *x)
{
	size_t i;

	if (x == NULL)
		return;
	for (i = 0; i < x->n; i++)
		free(x->files[i].data);
	free(x->files);
	free(x);
}

size_t
cer_export_count(const struct cer_export *x)
{
	return x->n;
}

const struct cer_export_file *
cer_export_file(const struct cer_export *x, size_t i)
{
	return i < x->n ? &x->files[i] : NULL;
}

/* Adds one file; takes data (freed on failure too). */
static int add_file(struct cer_export *x, uint8_t *data, size_t len, const char *what,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
add_file(struct cer_export *x, uint8_t *data, size_t len, const char *what, const char *fmt, ...)
{
	struct cer_export_file *f, *grown;
	va_list ap;
	size_t i;
	int n;

	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 8;
		if ((grown = realloc(x->files, cap * sizeof(*grown))) == NULL) {
			free(data);
			return custos_err_set(CUSTOS_ENOMEM, "export");
		}
		x->files = grown;
		x->cap = cap;
	}
	f = &x->files[x->n];
	memset(f, 0, sizeof(*f));
	va_start(ap, fmt);
	n = vsnprintf(f->name, sizeof(f->name), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(f->name)) {
		free(data);
		return custos_err_set(CUSTOS_ETOOBIG, "file name too long");
	}
	for (i = 0; i < x->n; i++)
		if (strcmp(x->files[i].name, f->name) == 0) {
			free(data);
			return custos_err_set(CUSTOS_EEXIST, "%s would be written twice", f->name);
		}
	(void)snprintf(f->what, sizeof(f->what), "%s", what);
	f->data = data;
	f->len = len;
	crypto_hash_sha256(f->sha256, data, len);
	x->n++;
	return 0;
}

static int
add_copy(struct cer_export *x, const void *src, size_t len, const char *what, const char *name)
{
	uint8_t *data = malloc(len > 0 ? len : 1);

	if (data == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "export");
	memcpy(data, src, len);
	return add_file(x, data, len, what, "%s", name);
}

/* The UR parts of a as PNG files, one per fragment. */
static int
add_ur_pngs(struct cer_export *x, const struct cer_artifact *a, const struct cer_export_qr *q)
{
	struct cer_ur_encoder *enc = NULL;
	struct cer_qr *qr = NULL;
	char *part = NULL, what[96];
	uint8_t *png;
	size_t i, n, len;
	int r, digits;

	if ((r = cer_export_ur_encoder(a, q->max_version, q->ec, &enc)) != 0)
		return r;
	n = cer_ur_encoder_seq_len(enc);
	if (n > CER_EXPORT_MAX_PNG_PARTS) {
		r = custos_err_set(CUSTOS_ETOOBIG,
		                   "%s needs %zu QR codes of version %d; at most %d are printed "
		                   "(export it as ur, or as files)",
		                   a->base, n, q->max_version, CER_EXPORT_MAX_PNG_PARTS);
		goto out;
	}
	digits = n >= 100 ? 3 : 2;
	for (i = 0; i < n && r == 0; i++) {
		if ((r = cer_ur_encoder_next_part(enc, &part)) != 0 ||
		    (r = cer_export_ur_qr(part, q->ec, q->max_version, &qr)) != 0 ||
		    (r = cer_qr_png(qr, q->png_scale, CER_QR_QUIET_PNG, &png, &len)) != 0)
			break;
		(void)snprintf(what, sizeof(what), "UR part %zu of %zu (QR version %d)", i + 1, n,
		               qr->version);
		r = add_file(x, png, len, what, "%s-ur-%0*zu-of-%0*zu.png", a->base, digits, i + 1,
		             digits, n);
		free(part);
		part = NULL;
		cer_qr_free(qr);
		qr = NULL;
	}
out:
	free(part);
	cer_qr_free(qr);
	cer_ur_encoder_free(enc);
	return r;
}

/* One QR code of the PEM text (a transcript: its bytes) when it fits, else the UR parts. */
static int
add_qr_png(struct cer_export *x, const struct cer_artifact *a, const struct cer_export_qr *q)
{
	const uint8_t *text = a->pem != NULL ? (const uint8_t *)a->pem : a->der;
	size_t text_len = a->pem != NULL ? a->pem_len : a->der_len, len;
	struct cer_qr *qr = NULL;
	uint8_t *png;
	char what[96];
	int r;

	r = cer_qr_encode_bytes(text, text_len, q->ec, q->max_version, &qr);
	if (r == CUSTOS_ETOOBIG)
		return add_ur_pngs(x, a, q);
	if (r != 0)
		return r;
	r = cer_qr_png(qr, q->png_scale, CER_QR_QUIET_PNG, &png, &len);
	if (r == 0) {
		(void)snprintf(what, sizeof(what), "QR code of the %s (version %d)",
		               a->pem != NULL ? "PEM text" : "file", qr->version);
		r = add_file(x, png, len, what, "%s.png", a->base);
	}
	cer_qr_free(qr);
	return r;
}

/* BASE.ur: the fragments, then fountain parts, one a line. */
static int
add_ur_text(struct cer_export *x, const struct cer_artifact *a, const struct cer_export_qr *q)
{
	struct cer_ur_encoder *enc = NULL;
	char *part = NULL, *text = NULL, *grown;
	size_t i, n, total, len = 0, cap = 0, plen;
	int r;

	if ((r = cer_export_ur_encoder(a, q->max_version, q->ec, &enc)) != 0)
		return r;
	n = cer_ur_encoder_seq_len(enc);
	total = q->ur_parts != 0 ? q->ur_parts : (n == 1 ? 1 : 2 * n);
	if (total < n) {
		r = custos_err_set(CUSTOS_EINVAL, "%zu UR parts are fewer than the %zu fragments",
		                   total, n);
		goto out;
	}
	for (i = 0; i < total; i++) {
		if ((r = cer_ur_encoder_next_part(enc, &part)) != 0)
			goto out;
		plen = strlen(part);
		if (len + plen + 2 > cap) {
			cap = 2 * (len + plen + 2);
			if ((grown = realloc(text, cap)) == NULL) {
				r = custos_err_set(CUSTOS_ENOMEM, "UR text");
				goto out;
			}
			text = grown;
		}
		memcpy(text + len, part, plen);
		len += plen;
		text[len++] = '\n';
		free(part);
		part = NULL;
	}
	r = add_file(x, (uint8_t *)text, len, n == 1 ? "UR, one part" : "UR parts", "%s.ur",
	             a->base);
	text = NULL; /* transferred */
out:
	free(part);
	free(text);
	cer_ur_encoder_free(enc);
	return r;
}

/* A transcript's signature as an artifact of its own (borrowing a's buffer). */
static struct cer_artifact
signature_of(const struct cer_artifact *a)
{
	struct cer_artifact sig;

	memset(&sig, 0, sizeof(sig));
	sig.kind = CER_ARTIFACT_TRANSCRIPT;
	(void)snprintf(sig.base, sizeof(sig.base), "%.*s.sig", (int)sizeof(sig.base) - 5, a->base);
	sig.der = a->sig;
	sig.der_len = a->sig_len;
	return sig;
}

static int
add_transcript(struct cer_export *x, const struct cer_artifact *a, unsigned formats,
               const struct cer_export_qr *q)
{
	struct cer_artifact sig = signature_of(a);
	int r = 0;

	if (formats & (CER_FORMAT_PEM | CER_FORMAT_DER)) {
		if ((r = add_copy(x, a->der, a->der_len, "transcript", a->base)) == 0)
			r = add_copy(x, a->sig, a->sig_len, "transcript signature", sig.base);
	}
	if (r == 0 && (formats & CER_FORMAT_QR_PNG) && (r = add_qr_png(x, a, q)) == 0)
		r = add_qr_png(x, &sig, q);
	if (r == 0 && (formats & CER_FORMAT_UR) && (r = add_ur_text(x, a, q)) == 0)
		r = add_ur_text(x, &sig, q);
	return r;
}

int
cer_export_add(struct cer_export *x, const struct cer_artifact *a, unsigned formats,
               const struct cer_export_qr *q)
{
	char name[CER_EXPORT_NAME_MAX];
	int r = 0;

	if (formats == 0)
		formats = cer_export_default_formats(a->kind);
	if ((formats & CER_FORMAT_DER) && a->kind == CER_ARTIFACT_CHAIN)
		return custos_err_set(CUSTOS_EINVAL,
		                      "a chain has no single DER form: export it as pem or p7b");
	if ((formats & CER_FORMAT_P7B) && a->p7b == NULL)
		return custos_err_set(CUSTOS_EINVAL, "a PKCS#7 bundle holds certificates, not a %s",
		                      a->kind == CER_ARTIFACT_CRL ? "CRL" : "transcript");
	if (q->max_version < 1 || q->max_version > CER_QR_VERSION_MAX)
		return custos_err_set(CUSTOS_EINVAL, "QR version limit %d is not 1..40",
		                      q->max_version);
	if (a->kind == CER_ARTIFACT_TRANSCRIPT)
		return add_transcript(x, a, formats, q);
	(void)snprintf(name, sizeof(name), "%s.pem", a->base);
	if (formats & CER_FORMAT_PEM)
		r = add_copy(x, a->pem, a->pem_len, "PEM", name);
	(void)snprintf(name, sizeof(name), "%s.der", a->base);
	if (r == 0 && (formats & CER_FORMAT_DER))
		r = add_copy(x, a->der, a->der_len, "DER", name);
	(void)snprintf(name, sizeof(name), "%s.p7b", a->base);
	if (r == 0 && (formats & CER_FORMAT_P7B))
		r = add_copy(x, a->p7b, a->p7b_len, "PKCS#7 certificate bundle (DER)", name);
	if (r == 0 && (formats & CER_FORMAT_QR_PNG))
		r = add_qr_png(x, a, q);
	if (r == 0 && (formats & CER_FORMAT_UR))
		r = add_ur_text(x, a, q);
	return r;
}

/* --- the audit records -------------------------------------------------------------- */

struct record_ctx {
	struct cer_session *s;
	const struct cer_export *x;
	const char *dir;
};

/* One transaction: an "artifact" record per file, then the "export" record. */
static int
record_export(void *arg)
{
	struct record_ctx *c = arg;
	struct cer_db *db = cer_session_db(c->s);
	const struct cer_export_file *f;
	size_t i, n = cer_export_count(c->x), off = 0;
	char names[2048] = "";
	int r, w;

	for (i = 0; i < n && off < sizeof(names); i++) {
		w = snprintf(names + off, sizeof(names) - off, "%s%s", i ? ", " : "",
		             cer_export_file(c->x, i)->name);
		off += w > 0 ? (size_t)w : 0;
	}
	if ((r = cer_db_begin(db)) != 0)
		return r;
	for (i = 0; i < n && r == 0; i++) {
		f = cer_export_file(c->x, i);
		r = cer_session_artifact(c->s, f->name, f->data, f->len, NULL);
	}
	if (r == 0)
		r = cer_session_record(c->s, "export", c->dir, "ok", "%zu files: %s", n, names);
	if (r == 0)
		r = cer_db_commit(db);
	if (r != 0)
		cer_db_rollback(db);
	return r;
}

int
cer_export_to(struct cer_session *s, struct cer_export *x, const char *dir)
{
	struct record_ctx c = {s, x, dir};
	char saved[512];
	int r;

	r = cer_export_write(x, dir, s != NULL ? record_export : NULL, &c);
	if (r != 0 && s != NULL) {
		(void)snprintf(saved, sizeof(saved), "%s", custos_err_detail());
		if (cer_session_record(s, "export", dir, "failed", "%s: %s", custos_strerror(r),
		                       saved) != 0) {
			/* The refusal stands; the session remembers the failed record. */
		}
		(void)custos_err_set(r, "%s", saved);
	}
	return r;
}
