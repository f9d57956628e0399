/*
 * ca_crl: the streaming CRL builder (profile and sequence in ca_crl.h).
 *
 * Layout: one buffer, HEADROOM bytes reserved in front, then the finished
 * DER of each entry, back to back.  ca_crl_finish() writes the TBSCertList's
 * beginning (header, version, algorithm, issuer, times, the list's header)
 * into the headroom just before the first entry and the crlExtensions just
 * after the last, so the TBS is contiguous without copying the entries; it
 * is then linted, signed and verified where it lies, the CertificateList's
 * header is written in front of it and the signature behind, and the whole
 * is moved to the start of the buffer once.  Peak memory is about the size
 * of the CRL itself.
 *
 * Invariant: every entry in the buffer is well-formed DER with a serial
 * strictly greater than the one before; a refused add leaves no trace.
 */
#include "ca/ca_crl.h"

#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca/ca_key.h"
#include "ca/ca_lint.h"
#include "ca/ca_profile.h"
#include "ca/ca_sig.h"

#define HEADROOM 4096
#define ENTRY_MAX 64 /* 2 + (2 + 21) + 17 + 14 = 56 */
#define TAIL_MAX (128 + 32 + CA_SIG_MAX + 16)
#define DAY 86400
#define FIRST_SECOND_1970 ((time_t)0)
#define LAST_SECOND_9999 ((time_t)253402300799)

struct ca_crl_builder {
	X509 *root;
	unsigned char number[CA_CRL_NUMBER_MAX + 1]; /* INTEGER contents */
	size_t number_len;
	time_t this_update, next_update;
	unsigned days;
	unsigned char *buf; /* HEADROOM, then the entries */
	size_t cap, len;    /* len: bytes of entries */
	size_t count;
	unsigned char prev[CA_CRL_SERIAL_MAX];
	size_t prev_len;
	int spent;
};

/* ---- reasons ---- */

static const struct {
	const char *name;
	enum ca_crl_reason reason;
} reasons[] = {
        {"none", CA_CRL_REASON_NONE},
        {"unspecified", CA_CRL_REASON_NONE},
        {"keyCompromise", CA_CRL_REASON_KEY_COMPROMISE},
        {"affiliationChanged", CA_CRL_REASON_AFFILIATION_CHANGED},
        {"superseded", CA_CRL_REASON_SUPERSEDED},
        {"cessationOfOperation", CA_CRL_REASON_CESSATION_OF_OPERATION},
        {"privilegeWithdrawn", CA_CRL_REASON_PRIVILEGE_WITHDRAWN},
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

int
ca_crl_reason_from_name(const char *name, enum ca_crl_reason *out)
{
	size_t i;

	*out = CA_CRL_REASON_NONE;
	for (i = 0; name != NULL && i < NREASONS; i++)
		if (strcmp(name, reasons[i].name) == 0) {
			*out = reasons[i].reason;
			return 0;
		}
	if (name != NULL &&
	    (strcmp(name, "cACompromise") == 0 || strcmp(name, "certificateHold") == 0 ||
	     strcmp(name, "removeFromCRL") == 0 || strcmp(name, "aACompromise") == 0))
		return custos_err_set(CUSTOS_EINVAL, "reason %s is not used by a root CA's CRL",
		                      name);
	return custos_err_set(CUSTOS_EINVAL,
	                      "unknown reason (keyCompromise, affiliationChanged, "
	                      "superseded, cessationOfOperation, privilegeWithdrawn, "
	                      "or none)");
}

const char *
ca_crl_reason_name(enum ca_crl_reason reason)
{
	size_t i;

	for (i = 0; i < NREASONS; i++)
		if (reasons[i].reason == reason)
			return reasons[i].name;
	return "?";
}

static int
reason_ok(enum ca_crl_reason r)
{
	return r == CA_CRL_REASON_NONE || r == CA_CRL_REASON_KEY_COMPROMISE ||
	       r == CA_CRL_REASON_AFFILIATION_CHANGED || r == CA_CRL_REASON_SUPERSEDED ||
	       r == CA_CRL_REASON_CESSATION_OF_OPERATION || r == CA_CRL_REASON_PRIVILEGE_WITHDRAWN;
}

/* ---- DER pieces, written forwards ---- */

static size_t
hdr_len(size_t n)
{
	return n < 0x80 ? 2 : n < 0x100 ? 3 : n < 0x10000 ? 4 : n < 0x1000000 ? 5 : 6;
}

/* Writes tag and the minimal length n at p; returns the bytes written. */
static size_t
put_hdr(unsigned char *p, unsigned char tag, size_t n)
{
	size_t h = hdr_len(n), i;

	p[0] = tag;
	if (h == 2) {
		p[1] = (unsigned char)n;
		return 2;
	}
	p[1] = (unsigned char)(0x80 | (h - 2));
	for (i = 0; i < h - 2; i++)
		p[h - 1 - i] = (unsigned char)(n >> (8 * i));
	return h;
}

static void
put2(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)('0' + v / 10 % 10);
	p[1] = (unsigned char)('0' + v % 10);
}

/* The Time TLV of t (15 or 17 bytes) at p; returns its length, or 0 out of range. */
static size_t
put_time(unsigned char *p, time_t t)
{
	struct tm tm;
	unsigned y;
	size_t o;

	if (t < FIRST_SECOND_1970 || t > LAST_SECOND_9999 || gmtime_r(&t, &tm) == NULL)
		return 0;
	y = (unsigned)tm.tm_year + 1900;
	if (y < 2050) {
		p[0] = 0x17; /* UTCTime */
		p[1] = 13;
		put2(p + 2, y % 100);
		o = 4;
	} else {
		p[0] = 0x18; /* GeneralizedTime */
		p[1] = 15;
		put2(p + 2, y / 100);
		put2(p + 4, y % 100);
		o = 6;
	}
	put2(p + o, (unsigned)tm.tm_mon + 1);
	put2(p + o + 2, (unsigned)tm.tm_mday);
	put2(p + o + 4, (unsigned)tm.tm_hour);
	put2(p + o + 6, (unsigned)tm.tm_min);
	put2(p + o + 8, (unsigned)tm.tm_sec);
	p[o + 10] = 'Z';
	return o + 11;
}

/* ---- begin / add ---- */

int
ca_crl_begin(X509 *root, const unsigned char *number, size_t number_len, time_t this_update,
             unsigned next_update_days, struct ca_crl_builder **out)
{
	struct ca_crl_builder *b;
	const unsigned char *alg;
	unsigned char t[20];
	size_t alglen, i = 0;

	*out = NULL;
	if (root == NULL || number == NULL || number_len == 0 || number_len > CA_CRL_NUMBER_MAX + 1)
		return custos_err_set(CUSTOS_EINVAL,
		                      "a CRL needs the root and a number of 1 to %d "
		                      "bytes",
		                      CA_CRL_NUMBER_MAX);
	if (next_update_days < CA_PROFILE_CRL_DAYS_MIN ||
	    next_update_days > CA_PROFILE_CRL_DAYS_MAX)
		return custos_err_set(CUSTOS_EINVAL,
		                      "nextUpdate is 1 to 365 days after thisUpdate, not %u",
		                      next_update_days);
	if (put_time(t, this_update) == 0 ||
	    put_time(t, this_update + (time_t)next_update_days * DAY) == 0)
		return custos_err_set(CUSTOS_EINVAL, "thisUpdate %lld is out of range",
		                      (long long)this_update);
	if (X509_get0_subject_key_id(root) == NULL)
		return custos_err_set(CUSTOS_ELINT,
		                      "lint crl.aki: the root has no subjectKeyIdentifier");
	if (ca_lint_sig_algid(X509_get0_pubkey(root), &alg, &alglen) != 0)
		return CUSTOS_EKEY;
	while (i + 1 < number_len && number[i] == 0)
		i++;
	number += i;
	number_len -= i;
	if (number_len + (number[0] >= 0x80) > CA_CRL_NUMBER_MAX)
		return custos_err_set(CUSTOS_EINVAL, "the CRL number must fit in %d octets",
		                      CA_CRL_NUMBER_MAX);
	if ((b = OPENSSL_zalloc(sizeof(*b))) == NULL ||
	    (b->buf = OPENSSL_malloc(HEADROOM + 4096)) == NULL) {
		OPENSSL_free(b);
		return custos_err_set(CUSTOS_ENOMEM, "out of memory");
	}
	b->cap = HEADROOM + 4096;
	b->number_len = (number[0] >= 0x80) + number_len;
	memcpy(b->number + (number[0] >= 0x80), number, number_len); /* zalloc'd: the pad is 0 */
	b->this_update = this_update;
	b->next_update = this_update + (time_t)next_update_days * DAY;
	b->days = next_update_days;
	if (!X509_up_ref(root)) {
		ca_crl_builder_free(b);
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "root");
	}
	b->root = root;
	*out = b;
	return 0;
}

int
ca_crl_begin_u64(X509 *root, uint64_t number, time_t this_update, unsigned next_update_days,
                 struct ca_crl_builder **out)
{
	unsigned char be[8];
	int i;

	for (i = 7; i >= 0; i--, number >>= 8)
		be[i] = (unsigned char)number;
	return ca_crl_begin(root, be, sizeof(be), this_update, next_update_days, out);
}

static void
hex(const unsigned char *p, size_t n, char *buf, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < n && o + 3 <= cap; i++) {
		buf[o++] = digits[p[i] >> 4];
		buf[o++] = digits[p[i] & 15];
	}
	buf[o] = '\0';
}

static int
check_entry(const struct ca_crl_builder *b, const unsigned char *serial, size_t n, time_t at,
            enum ca_crl_reason reason)
{
	char h[2 * CA_CRL_SERIAL_MAX + 1];
	int cmp;

	if (serial == NULL || n == 0 || n > CA_CRL_SERIAL_MAX)
		return custos_err_set(CUSTOS_EINVAL, "a serial is 1 to %d bytes",
		                      CA_CRL_SERIAL_MAX);
	hex(serial, n, h, sizeof(h));
	if (serial[0] == 0 || serial[0] >= 0x80)
		return custos_err_set(CUSTOS_EINVAL, "serial %s: %s", h,
		                      serial[0] == 0 ? "leading zero byte (or zero)"
		                                     : "top bit set (not one of custos' serials)");
	if (b->prev_len > 0) {
		cmp = n != b->prev_len ? (n > b->prev_len ? 1 : -1) : memcmp(serial, b->prev, n);
		if (cmp <= 0)
			return custos_err_set(CUSTOS_EINVAL, "serial %s %s", h,
			                      cmp == 0 ? "is given twice"
			                               : "is below the one before (entries go in "
			                                 "ascending serial order)");
	}
	if (at < FIRST_SECOND_1970 || at > b->this_update)
		return custos_err_set(CUSTOS_EINVAL, "serial %s: revocation time %lld is %s", h,
		                      (long long)at, at < 0 ? "before 1970" : "after thisUpdate");
	if (!reason_ok(reason))
		return custos_err_set(CUSTOS_EINVAL,
		                      "serial %s: reason %d is not one a root CRL uses", h,
		                      (int)reason);
	return 0;
}

static int
grow(struct ca_crl_builder *b, size_t need)
{
	unsigned char *nb;
	size_t cap = b->cap;

	if (HEADROOM + b->len + need <= b->cap)
		return 0;
	while (HEADROOM + b->len + need > cap)
		cap *= 2;
	if ((nb = OPENSSL_realloc(b->buf, cap)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "out of memory for %zu CRL entries", b->count);
	b->buf = nb;
	b->cap = cap;
	return 0;
}

int
ca_crl_add(struct ca_crl_builder *b, const unsigned char *serial, size_t serial_len,
           time_t revoked_at, enum ca_crl_reason reason)
{
	static const unsigned char reason_ext[] = {0x30, 0x0c, 0x30, 0x0a, 0x06, 0x03, 0x55,
	                                           0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01};
	unsigned char *p;
	size_t o;
	int r;

	if (b == NULL || b->spent)
		return custos_err_set(CUSTOS_EINVAL, "the CRL builder is finished");
	if ((r = check_entry(b, serial, serial_len, revoked_at, reason)) != 0)
		return r;
	if (b->count >= CA_CRL_ENTRIES_MAX)
		return custos_err_set(CUSTOS_ETOOBIG, "a CRL holds at most %u entries",
		                      CA_CRL_ENTRIES_MAX);
	if ((r = grow(b, ENTRY_MAX)) != 0)
		return r;
	p = b->buf + HEADROOM + b->len;
	o = 2;
	p[o++] = 0x02;
	p[o++] = (unsigned char)serial_len;
	memcpy(p + o, serial, serial_len);
	o += serial_len;
	o += put_time(p + o, revoked_at);
	if (reason != CA_CRL_REASON_NONE) {
		memcpy(p + o, reason_ext, sizeof(reason_ext));
		o += sizeof(reason_ext);
		p[o++] = (unsigned char)reason;
	}
	p[0] = 0x30;
	p[1] = (unsigned char)(o - 2);
	b->len += o;
	b->count++;
	memcpy(b->prev, serial, serial_len);
	b->prev_len = serial_len;
	return 0;
}

size_t
ca_crl_count(const struct ca_crl_builder *b)
{
	return b != NULL ? b->count : 0;
}

/* ---- finish ---- */

/* crlExtensions [0] { AKI (keyIdentifier), cRLNumber } into p; returns its length. */
static size_t
put_extensions(const struct ca_crl_builder *b, unsigned char *p)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(b->root);
	size_t kl = (size_t)ASN1_STRING_length(ski), nl = b->number_len;
	size_t aki_val = 2 + (2 + kl), aki = 5 + 2 + aki_val, num = 5 + 2 + (2 + nl);
	size_t o = 0;

	o += put_hdr(p + o, 0xa0, 2 + (2 + aki) + (2 + num));
	o += put_hdr(p + o, 0x30, (2 + aki) + (2 + num));
	o += put_hdr(p + o, 0x30, aki);
	memcpy(p + o, "\x06\x03\x55\x1d\x23", 5);
	o += 5;
	o += put_hdr(p + o, 0x04, aki_val);
	o += put_hdr(p + o, 0x30, 2 + kl);
	o += put_hdr(p + o, 0x80, kl);
	memcpy(p + o, ASN1_STRING_get0_data(ski), kl);
	o += kl;
	o += put_hdr(p + o, 0x30, num);
	memcpy(p + o, "\x06\x03\x55\x1d\x14", 5);
	o += 5;
	o += put_hdr(p + o, 0x04, 2 + nl);
	o += put_hdr(p + o, 0x02, nl);
	memcpy(p + o, b->number, nl);
	return o + nl;
}

/*
 * Writes the TBSCertList around the entries: *tbs is where it starts in
 * b->buf, *tbslen its length.  Everything but the entries is small.
 */
static int
put_tbs(struct ca_crl_builder *b, const unsigned char *alg, size_t alglen, size_t *tbs,
        size_t *tbslen)
{
	unsigned char head[HEADROOM], *ext;
	const unsigned char *issuer = NULL;
	size_t ilen = 0, hl = 0, body, extlen, o;
	int r;

	if (!X509_NAME_get0_der(X509_get_subject_name(b->root), &issuer, &ilen))
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot encode the root's subject");
	if (ilen > HEADROOM / 2)
		return custos_err_set(CUSTOS_EINVAL, "the root's subject is too long for a CRL");
	if ((r = grow(b, 2 * TAIL_MAX)) != 0)
		return r;
	ext = b->buf + HEADROOM + b->len;
	extlen = put_extensions(b, ext);
	/* body = everything inside the TBS header */
	memcpy(head, "\x02\x01\x01", 3); /* version v2 */
	hl = 3;
	memcpy(head + hl, alg, alglen);
	hl += alglen;
	memcpy(head + hl, issuer, ilen);
	hl += ilen;
	hl += put_time(head + hl, b->this_update);
	hl += put_time(head + hl, b->next_update);
	if (b->count > 0) /* no revokedCertificates field at all when empty */
		hl += put_hdr(head + hl, 0x30, b->len);
	body = hl + b->len + extlen;
	o = hdr_len(body);
	if (o + hl + 8 > HEADROOM)
		return custos_err_set(CUSTOS_EINTERNAL, "the CRL's header does not fit");
	*tbs = HEADROOM - hl - o;
	(void)put_hdr(b->buf + *tbs, 0x30, body);
	memcpy(b->buf + *tbs + o, head, hl);
	*tbslen = o + body;
	return 0;
}

static int
digest_sign(EVP_PKEY *key, const EVP_MD *md, const unsigned char *tbs, size_t n, unsigned char *sig,
            size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t cap = CA_SIG_MAX;
	int ok;

	ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, md, NULL, key) == 1 &&
	     EVP_DigestSign(ctx, NULL, &cap, tbs, n) == 1 && cap <= CA_SIG_MAX &&
	     EVP_DigestSign(ctx, sig, &cap, tbs, n) == 1;
	EVP_MD_CTX_free(ctx);
	*siglen = cap;
	return ok ? 0 : custos_err_set_openssl(CUSTOS_ECRYPTO, "signing the CRL failed");
}

static int
digest_verify(EVP_PKEY *pub, const EVP_MD *md, const unsigned char *tbs, size_t n,
              const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pub) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, tbs, n) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0
	          : custos_err_set_openssl(CUSTOS_EAUTH, "the CRL's signature does not verify "
	                                                 "with the root's public key (wrong "
	                                                 "key?)");
}

/* Wraps the signed TBS at b->buf + tbs into the CertificateList; returns its offset and length. */
static void
assemble(struct ca_crl_builder *b, size_t tbs, size_t tbslen, const unsigned char *alg,
         size_t alglen, const unsigned char *sig, size_t siglen, size_t *start, size_t *len)
{
	size_t body = tbslen + alglen + hdr_len(siglen + 1) + siglen + 1;
	size_t o = tbs + tbslen, h = hdr_len(body);

	memcpy(b->buf + o, alg, alglen);
	o += alglen;
	o += put_hdr(b->buf + o, 0x03, siglen + 1);
	b->buf[o++] = 0; /* no unused bits */
	memcpy(b->buf + o, sig, siglen);
	*start = tbs - h;
	(void)put_hdr(b->buf + *start, 0x30, body);
	*len = h + body;
}

/*
 * An independent reading: OpenSSL's own parser and X509_CRL_verify.  Only
 * up to CA_CRL_PARSE_BACK_MAX entries: OpenSSL builds some 330 bytes of
 * objects per entry (356 MB peak at a million, against 49 MB without),
 * which is what the streaming builder exists to avoid; above that the
 * in-place lint and the EVP verification stand alone.
 */
static int
parse_back(const unsigned char *der, size_t len, EVP_PKEY *pub, size_t count)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	int n = crl != NULL ? sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) : -2, ok;

	ok = crl != NULL && p == der + len && X509_CRL_get_version(crl) == X509_CRL_VERSION_2 &&
	     (size_t)(n < 0 ? 0 : n) == count && X509_CRL_verify(crl, pub) == 1;
	X509_CRL_free(crl);
	return ok ? 0
	          : custos_err_set_openssl(CUSTOS_EINTERNAL, "OpenSSL does not read back the "
	                                                     "CRL just signed");
}

static int
sha256(const unsigned char *p, size_t n, unsigned char out[32])
{
	return EVP_Digest(p, n, out, NULL, EVP_sha256(), NULL) == 1
	               ? 0
	               : custos_err_set_openssl(CUSTOS_ECRYPTO, "SHA-256");
}

int
ca_crl_finish(struct ca_crl_builder *b, EVP_PKEY *root_key, unsigned char **der, size_t *len)
{
	unsigned char sig[CA_SIG_MAX], h1[32], h2[32], *shrunk;
	EVP_PKEY *pub;
	const EVP_MD *md;
	const unsigned char *alg;
	size_t alglen, tbs = 0, tbslen = 0, siglen = 0, start = 0, total = 0;
	int r;

	*der = NULL;
	*len = 0;
	if (b == NULL || b->spent || root_key == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no CRL builder or key");
	b->spent = 1;
	pub = X509_get0_pubkey(b->root);
	if ((md = ca_key_digest(pub)) == NULL || (r = ca_lint_sig_algid(pub, &alg, &alglen)) != 0)
		return custos_err_set(CUSTOS_EKEY, "the root's key is not one custos signs with");
	if ((r = put_tbs(b, alg, alglen, &tbs, &tbslen)) != 0 ||
	    (r = ca_lint_crl_tbs(b->buf + tbs, tbslen, b->root, b->days, b->this_update, NULL)) !=
	            0 ||
	    (r = sha256(b->buf + tbs, tbslen, h1)) != 0 ||
	    (r = digest_sign(root_key, md, b->buf + tbs, tbslen, sig, &siglen)) != 0)
		goto out;
	assemble(b, tbs, tbslen, alg, alglen, sig, siglen, &start, &total);
	memmove(b->buf, b->buf + start, total);
	tbs -= start;
	if ((r = digest_verify(pub, md, b->buf + tbs, tbslen, sig, siglen)) != 0 ||
	    (r = sha256(b->buf + tbs, tbslen, h2)) != 0)
		goto out;
	if (memcmp(h1, h2, sizeof(h1)) != 0) {
		r = custos_err_set(CUSTOS_EINTERNAL,
		                   "the signed TBSCertList is not the linted one");
		goto out;
	}
	if ((r = ca_lint_crl(b->buf, total, b->root, b->days, b->this_update, NULL)) != 0 ||
	    (b->count <= CA_CRL_PARSE_BACK_MAX &&
	     (r = parse_back(b->buf, total, pub, b->count)) != 0))
		goto out;
	if ((shrunk = OPENSSL_realloc(b->buf, total)) != NULL)
		b->buf = shrunk; /* else keep the larger block */
	*der = b->buf;
	*len = total;
	b->buf = NULL; /* transferred */
	b->cap = b->len = 0;
out:
	ERR_clear_error();
	return r;
}

void
ca_crl_builder_free(struct ca_crl_builder *b)
{
	if (b == NULL)
		return;
	X509_free(b->root);
	OPENSSL_free(b->buf);
	OPENSSL_free(b);
}

int
ca_crl_to_pem(const unsigned char *der, size_t len, char **pem, size_t *pemlen)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *copy = NULL;
	long n;
	int r = 0;

	*pem = NULL;
	*pemlen = 0;
	if (bio == NULL || der == NULL || len > LONG_MAX ||
	    !PEM_write_bio(bio, PEM_STRING_X509_CRL, "", der, (long)len) ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0 ||
	    (copy = OPENSSL_malloc((size_t)n + 1)) == NULL) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot write the CRL as PEM");
		goto out;
	}
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*pem = copy;
	*pemlen = (size_t)n;
out:
	BIO_free(bio);
	return r;
}
