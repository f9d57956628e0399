/*
 * ca_lint: the rules of DESIGN section 5 and RFC 5280 for custos' root,
 * issuing-CA certificates and CRLs, one id each (rules in ca_lint.h).
 *
 * Invariants: the lint reads bytes, not objects handed to it: a certificate
 * is re-encoded, checked as strict DER, split into its fields with ca_der's
 * reader (serial, algorithm identifiers, issuer, validity, subject, key are
 * compared as bytes) and parsed afresh by OpenSSL for the extensions; a CRL
 * is read only with ca_der's reader, in place.  Findings are ordered by the
 * rule table below, whatever order the checks run in, so "the first broken
 * rule" is well defined.  Nothing here signs, allocates per CRL entry, or
 * prints.
 */
#include "ca/ca_lint.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ca/ca_der.h"
#include "ca/ca_key.h"
#include "ca/ca_root.h"

/* X(enum, id, what the rule demands) -- in the order findings are reported. */
#define LINT_RULES(X)                                                                              \
	X(CERT_DER, "cert.der", "one strict-DER certificate that re-encodes to the same bytes")    \
	X(CERT_VERSION, "cert.version", "X.509 v3")                                                \
	X(CERT_SERIAL, "cert.serial", "serial positive and non-zero")                              \
	X(CERT_SERIAL_LENGTH, "cert.serial-length", "serial of 16 to 20 content octets")           \
	X(CERT_SERIAL_TOP_BIT, "cert.serial-top-bit", "serial's top bit clear (no 0x00 pad)")      \
	X(CERT_SIG_ALG, "cert.sig-alg", "signature algorithm = the issuer key's (BR 7.1.3.2)")     \
	X(CERT_SIG_ALG_MATCH, "cert.sig-alg-match", "outer = inner AlgorithmIdentifier")           \
	X(CERT_TIME_ENCODING, "cert.time-encoding", "UTCTime to 2049, GeneralizedTime from 2050")  \
	X(CERT_VALIDITY_ORDER, "cert.validity-order", "notAfter after notBefore")                  \
	X(CERT_NOT_BEFORE_FUTURE, "cert.not-before-future", "notBefore <= now + skew")             \
	X(CERT_UNIQUE_IDS, "cert.unique-ids", "no issuer/subject unique identifiers")              \
	X(CERT_SUBJECT_STRUCTURE, "cert.subject-structure",                                        \
	  "one attribute per RDN, only C ST L O OU CN, each once, CN present")                     \
	X(CERT_SUBJECT_ENCODING, "cert.subject-encoding", "C PrintableString, others UTF8String")  \
	X(CERT_SUBJECT_VALUE, "cert.subject-value",                                                \
	  "values: valid text, no control/invisible characters, no edge spaces, RFC 5280 lengths") \
	X(CERT_EXTENSION_DUPLICATE, "cert.extension-duplicate", "no extension twice")              \
	X(CERT_EXTENSION_UNKNOWN, "cert.extension-unknown", "only extensions custos issues")       \
	X(CERT_EXTENSION_DER, "cert.extension-der", "extension values decode and are DER")         \
	X(CERT_BASIC_CONSTRAINTS, "cert.basic-constraints",                                        \
	  "critical, cA TRUE; pathLen absent (root) or the profile's (issuing CA)")                \
	X(CERT_KEY_USAGE, "cert.key-usage",                                                        \
	  "critical, keyCertSign + cRLSign (+ digitalSignature), DER named bits")                  \
	X(CERT_SKI, "cert.ski", "SKI present, non-critical, SHA-1 of the key bits (method 1)")     \
	X(CERT_AKI, "cert.aki", "AKI present, non-critical, keyIdentifier only, = issuer's SKI")   \
	X(ROOT_ISSUER_BYTES, "root.issuer-bytes", "issuer DER = subject DER, byte for byte")       \
	X(ROOT_VALIDITY_DAYS, "root.validity-days", "validity of 2922 to 9132 days")               \
	X(ROOT_EXTENSIONS, "root.extensions", "no EKU, policies, CRL DP, AIA or name constraints") \
	X(ROOT_KEY, "root.key", "one of custos' five key algorithms, encoded per BR 7.1.3.1")      \
	X(ROOT_SIGNATURE, "root.signature", "the self-signature verifies")                         \
	X(CA_ISSUER_BYTES, "ca.issuer-bytes",                                                      \
	  "issuer DER = the root's subject DER, byte for byte")                                    \
	X(CA_VALIDITY_ROOT, "ca.validity-root", "validity within the root's")                      \
	X(CA_VALIDITY_DAYS, "ca.validity-days", "validity at most the profile's days")             \
	X(CA_KEY, "ca.key", "key acceptable by the CSR rules, encoded per BR 7.1.3.1")             \
	X(CA_KEY_DISTINCT, "ca.key-distinct", "not the root's key")                                \
	X(CA_SUBJECT_PROFILE, "ca.subject-profile", "only allowed attributes, all required ones")  \
	X(CA_SUBJECT_ORDER, "ca.subject-order", "attributes in BR 7.1.4.1 order (C ST L O OU CN)") \
	X(CA_SUBJECT_DISTINCT, "ca.subject-distinct", "subject differs from the root's")           \
	X(CA_EKU, "ca.eku", "extKeyUsage exactly the profile's set (absent when empty)")           \
	X(CA_EKU_ANY, "ca.eku-any", "never anyExtendedKeyUsage")                                   \
	X(CA_POLICIES, "ca.policies", "certificatePolicies exactly the profile's")                 \
	X(CA_CRL_DP, "ca.crl-dp", "crlDistributionPoints exactly the profile's URL")               \
	X(CA_AIA, "ca.aia", "authorityInfoAccess exactly the profile's caIssuers URL")             \
	X(CA_NAME_CONSTRAINTS, "ca.name-constraints",                                              \
	  "nameConstraints exactly the profile's, critical (absent when none)")                    \
	X(CRL_DER, "crl.der", "one strict-DER CertificateList")                                    \
	X(CRL_VERSION, "crl.version", "v2")                                                        \
	X(CRL_SIG_ALG, "crl.sig-alg", "signature algorithm = the root key's")                      \
	X(CRL_SIG_ALG_MATCH, "crl.sig-alg-match", "outer = inner AlgorithmIdentifier")             \
	X(CRL_ISSUER_BYTES, "crl.issuer-bytes", "issuer DER = the root's subject DER")             \
	X(CRL_TIME_ENCODING, "crl.time-encoding", "UTCTime to 2049, GeneralizedTime from 2050")    \
	X(CRL_THIS_UPDATE, "crl.this-update", "thisUpdate <= now + skew")                          \
	X(CRL_NEXT_UPDATE, "crl.next-update",                                                      \
	  "nextUpdate present, after thisUpdate, within the profile's days and 365")               \
	X(CRL_AKI, "crl.aki", "AKI present, non-critical, keyIdentifier only, = root SKI")         \
	X(CRL_NUMBER, "crl.number", "cRLNumber present, non-critical, 0 <= n < 2^159")             \
	X(CRL_EXTENSIONS, "crl.extensions", "only AKI and cRLNumber, each once")                   \
	X(CRL_EMPTY_LIST, "crl.empty-list", "no revokedCertificates field when empty")             \
	X(CRL_SERIAL, "crl.serial", "entry serials positive, minimal, at most 20 octets")          \
	X(CRL_ORDER, "crl.order", "entries in strictly ascending serial order")                    \
	X(CRL_REVOCATION_DATE, "crl.revocation-date", "revocationDate <= thisUpdate")              \
	X(CRL_REASON, "crl.reason",                                                                \
	  "reasonCode non-critical, one of 1 3 4 5 9 (unspecified = no reasonCode)")               \
	X(CRL_ENTRY_EXTENSIONS, "crl.entry-extensions", "entry extensions: reasonCode only, once")

enum rule {
#define RULE_ENUM(e, id, what) R_##e,
	LINT_RULES(RULE_ENUM)
#undef RULE_ENUM
	        R_COUNT
};

static const char *const rule_ids[R_COUNT] = {
#define RULE_ID(e, id, what) id,
        LINT_RULES(RULE_ID)
#undef RULE_ID
};

#define DAY 86400
#define OID_AKI "\x55\x1d\x23"
#define OID_CRL_NUMBER "\x55\x1d\x14"
#define OID_REASON "\x55\x1d\x15"

const char *const *
ca_lint_rules(size_t *n)
{
	*n = R_COUNT;
	return rule_ids;
}

int
ca_lint_report_has(const struct ca_lint_report *report, const char *id)
{
	size_t i;

	for (i = 0; report != NULL && i < report->n && i < CA_LINT_FINDINGS_MAX; i++)
		if (strcmp(report->findings[i].rule, id) == 0)
			return 1;
	return 0;
}

/* ---- findings ---- */

struct lint {
	struct ca_lint_report rep;
	enum rule order[CA_LINT_FINDINGS_MAX]; /* rule of rep.findings[i] */
	unsigned char seen[R_COUNT];
	int fatal; /* an internal failure (memory, OpenSSL) rather than a finding */
};

static void finding(struct lint *l, enum rule r, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Records the first finding of rule r in table order; repeats are only counted. */
static void
finding(struct lint *l, enum rule r, const char *fmt, ...)
{
	struct ca_lint_finding f;
	size_t i;
	va_list ap;

	l->rep.count++;
	if (l->seen[r] || l->rep.n >= CA_LINT_FINDINGS_MAX)
		return;
	l->seen[r] = 1;
	memset(&f, 0, sizeof(f));
	memcpy(f.rule, rule_ids[r], strlen(rule_ids[r]) + 1);
	va_start(ap, fmt);
	(void)vsnprintf(f.message, sizeof(f.message), fmt, ap); /* a cut message is fine */
	va_end(ap);
	for (i = l->rep.n; i > 0 && l->order[i - 1] > r; i--) {
		l->rep.findings[i] = l->rep.findings[i - 1];
		l->order[i] = l->order[i - 1];
	}
	l->rep.findings[i] = f;
	l->order[i] = r;
	l->rep.n++;
}

static int
lint_end(struct lint *l, struct ca_lint_report *out)
{
	ERR_clear_error();
	if (out != NULL)
		*out = l->rep;
	if (l->fatal)
		return custos_err_set(CUSTOS_ENOMEM, "the lint ran out of memory");
	if (l->rep.n == 0) {
		custos_err_clear();
		return 0;
	}
	return custos_err_set(CUSTOS_ELINT, "lint %s: %s", l->rep.findings[0].rule,
	                      l->rep.findings[0].message);
}

/* ---- shared helpers ---- */

static int
same(const struct ca_der_r *a, const unsigned char *b, size_t n)
{
	return a->n == n && memcmp(a->p, b, n) == 0;
}

static int
slices_equal(const struct ca_der_r *a, const struct ca_der_r *b)
{
	return same(a, b->p, b->n);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static unsigned
digits(const unsigned char *p, size_t n, int *ok)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			*ok = 0;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	return v;
}

/*
 * A Time of RFC 5280 4.1.2.5 (tag, contents) to *t.  Returns NULL or what is
 * wrong: the format (YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ), the date, or the
 * choice of type for the year.
 */
static const char *
time_parse(unsigned char tag, const unsigned char *p, size_t n, time_t *t)
{
	static const unsigned char mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, mo, d, h, mi, s;
	int ok = 1;

	if (tag == 0x17 && n == 13 && p[12] == 'Z') {
		y = digits(p, 2, &ok);
		y += y < 50 ? 2000 : 1900;
		p += 2;
	} else if (tag == 0x18 && n == 15 && p[14] == 'Z') {
		y = digits(p, 4, &ok);
		p += 4;
	} else {
		return tag == 0x17 || tag == 0x18
		               ? "not in the form YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ"
		               : "not a UTCTime or GeneralizedTime";
	}
	mo = digits(p, 2, &ok);
	d = digits(p + 2, 2, &ok);
	h = digits(p + 4, 2, &ok);
	mi = digits(p + 6, 2, &ok);
	s = digits(p + 8, 2, &ok);
	if (!ok || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 59 ||
	    (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return "not a valid date and time";
	*t = (time_t)((days_from_civil(y, mo, d) * DAY) + h * 3600 + mi * 60 + s);
	if (tag == 0x18 && y < 2050)
		return "GeneralizedTime for a date before 2050 (RFC 5280: UTCTime)";
	return NULL;
}

static const unsigned char alg_ecdsa[3][12] = {
        {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02},
        {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03},
        {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04}};
static const unsigned char alg_rsa[3][15] = {
        {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00},
        {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00},
        {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00}};

int
ca_lint_sig_algid(EVP_PKEY *key, const unsigned char **der, size_t *len)
{
	const EVP_MD *md = key != NULL ? ca_key_digest(key) : NULL;
	int i, nid = md != NULL ? EVP_MD_get_type(md) : NID_undef;

	*der = NULL;
	*len = 0;
	i = nid == NID_sha256 ? 0 : nid == NID_sha384 ? 1 : nid == NID_sha512 ? 2 : -1;
	if (i < 0)
		return custos_err_set(CUSTOS_EKEY, "the key is not one custos signs with");
	if (EVP_PKEY_is_a(key, "EC")) {
		*der = alg_ecdsa[i];
		*len = sizeof(alg_ecdsa[i]);
	} else {
		*der = alg_rsa[i];
		*len = sizeof(alg_rsa[i]);
	}
	return 0;
}

/* ---- certificates: the byte view ---- */

struct certview {
	X509 *x;                   /* a fresh parse of the bytes */
	struct ca_der_r tbs;       /* TLV */
	struct ca_der_r inner_alg; /* TLV */
	struct ca_der_r outer_alg; /* TLV */
	struct ca_der_r serial;    /* contents */
	struct ca_der_r issuer;    /* TLV */
	struct ca_der_r validity;  /* contents */
	struct ca_der_r subject;   /* TLV */
	struct ca_der_r spki;      /* TLV */
	int has_uids;
};

/*
 * Whether every BOOLEAN in contents c, at any depth of constructed
 * elements, is DER: one octet, 0x00 or 0xff (X.690 11.1).  OpenSSL keeps
 * and re-encodes the octet it read, so its round trip cannot tell.
 */
static int
booleans_der(struct ca_der_r c, unsigned depth)
{
	struct ca_der_r el;
	unsigned char tag;

	while (c.n > 0) {
		tag = c.p[0];
		if (ca_der_r_get(&c, tag, &el, "element") != 0)
			return 0;
		if (tag == 0x01 && (el.n != 1 || (el.p[0] != 0 && el.p[0] != 0xff)))
			return 0;
		if ((tag & 0x20) && (depth >= 32 || !booleans_der(el, depth + 1)))
			return 0;
	}
	return 1;
}

/* Splits der into v's fields and parses it; returns NULL or why it is not one certificate. */
static const char *
cert_view(const unsigned char *der, size_t len, struct certview *v)
{
	struct ca_der_r r, cert, tbs, sig;
	const unsigned char *p = der;
	unsigned char *re = NULL;
	int n;

	memset(v, 0, sizeof(*v));
	if (ca_der_check(der, len, "certificate") != 0)
		return custos_err_detail();
	ca_der_r_init(&r, der, len);
	if (!booleans_der(r, 0))
		return "a BOOLEAN is not encoded as DER (0x00 or 0xff)";
	ca_der_r_init(&r, der, len);
	if (ca_der_r_get(&r, CA_DER_SEQUENCE, &cert, "certificate") != 0 ||
	    ca_der_r_get_tlv(&cert, &v->tbs, "tbsCertificate") != 0 ||
	    ca_der_r_get_tlv(&cert, &v->outer_alg, "signatureAlgorithm") != 0 ||
	    ca_der_r_get(&cert, CA_DER_BIT_STRING, &sig, "signatureValue") != 0 ||
	    ca_der_r_done(&cert, "certificate") != 0)
		return custos_err_detail();
	r = v->tbs;
	if (ca_der_r_get(&r, CA_DER_SEQUENCE, &tbs, "tbsCertificate") != 0)
		return custos_err_detail();
	if (ca_der_r_peek(&tbs, CA_DER_CTX0)) {
		struct ca_der_r ver;

		if (ca_der_r_get(&tbs, CA_DER_CTX0, &ver, "version") != 0)
			return custos_err_detail();
	}
	if (ca_der_r_get(&tbs, CA_DER_INTEGER, &v->serial, "serialNumber") != 0 ||
	    ca_der_r_get_tlv(&tbs, &v->inner_alg, "signature") != 0 ||
	    ca_der_r_get_tlv(&tbs, &v->issuer, "issuer") != 0 ||
	    ca_der_r_get(&tbs, CA_DER_SEQUENCE, &v->validity, "validity") != 0 ||
	    ca_der_r_get_tlv(&tbs, &v->subject, "subject") != 0 ||
	    ca_der_r_get_tlv(&tbs, &v->spki, "subjectPublicKeyInfo") != 0)
		return custos_err_detail();
	v->has_uids = ca_der_r_peek(&tbs, 0x81) || ca_der_r_peek(&tbs, 0x82);
	if ((v->x = d2i_X509(NULL, &p, (long)len)) == NULL || p != der + len)
		return "OpenSSL does not parse it as one certificate";
	n = i2d_X509(v->x, &re);
	if (n <= 0 || (size_t)n != len || memcmp(re, der, len) != 0) {
		OPENSSL_free(re);
		return "it does not re-encode to the same bytes";
	}
	OPENSSL_free(re);
	return NULL;
}

static void
view_free(struct certview *v)
{
	X509_free(v->x);
	v->x = NULL;
}

/* ---- certificates: the rules every custos CA certificate keeps ---- */

static void
check_serial(struct lint *l, const struct ca_der_r *s)
{
	size_t i;
	int zero = 1;

	for (i = 0; i < s->n; i++)
		zero &= s->p[i] == 0;
	if (s->n == 0 || (s->p[0] & 0x80) || zero)
		finding(l, R_CERT_SERIAL, "the serial is %s", zero ? "zero" : "negative");
	if (s->n < 16 || s->n > 20)
		finding(l, R_CERT_SERIAL_LENGTH, "the serial has %zu content octets, not 16 to 20",
		        s->n);
	if (s->n > 1 && s->p[0] == 0)
		finding(l, R_CERT_SERIAL_TOP_BIT,
		        "the serial's random value has its top bit set "
		        "(DER needs a 0x00 pad octet)");
}

static void
check_validity(struct lint *l, const struct certview *v, time_t now, time_t *nb, time_t *na)
{
	struct ca_der_r r = v->validity, a, b;
	const char *why;

	*nb = *na = 0;
	if (ca_der_r_get_tlv(&r, &a, "notBefore") != 0 ||
	    ca_der_r_get_tlv(&r, &b, "notAfter") != 0 || a.n < 2 || b.n < 2) {
		finding(l, R_CERT_TIME_ENCODING, "the validity is not two times");
		return;
	}
	if ((why = time_parse(a.p[0], a.p + 2, a.n - 2, nb)) != NULL)
		finding(l, R_CERT_TIME_ENCODING, "notBefore: %s", why);
	if ((why = time_parse(b.p[0], b.p + 2, b.n - 2, na)) != NULL)
		finding(l, R_CERT_TIME_ENCODING, "notAfter: %s", why);
	if (*na <= *nb)
		finding(l, R_CERT_VALIDITY_ORDER, "notAfter is not after notBefore");
	if (*nb > now + CA_LINT_SKEW)
		finding(l, R_CERT_NOT_BEFORE_FUTURE,
		        "notBefore is %lld s after the time given (%lld s allowed)",
		        (long long)(*nb - now), (long long)CA_LINT_SKEW);
}

static const size_t attr_max[CA_ATTR_COUNT] = {2, 128, 128, 64, 64, 64};

/* Code points that may hide or reorder text on a screen (as ca_name.h lists them). */
static int
unsafe_cp(unsigned long c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad || c == 0x61c || c == 0x180e ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
	       c == 0xfffe || c == 0xffff || (c >= 0xe0000 && c <= 0xe007f);
}

/* A UTF8String value; NULL or what is wrong.  *chars counts characters. */
static const char *
utf8_problem(const unsigned char *s, size_t n, size_t *chars)
{
	size_t i = 0, k, len;
	unsigned long c, min;

	*chars = 0;
	if (n == 0)
		return "is empty";
	if (s[0] == ' ' || s[n - 1] == ' ')
		return "has leading or trailing spaces";
	while (i < n) {
		if (s[i] < 0x80)
			len = 1, c = s[i], min = 0;
		else if ((s[i] & 0xe0) == 0xc0)
			len = 2, c = s[i] & 0x1fu, min = 0x80;
		else if ((s[i] & 0xf0) == 0xe0)
			len = 3, c = s[i] & 0x0fu, min = 0x800;
		else if ((s[i] & 0xf8) == 0xf0)
			len = 4, c = s[i] & 0x07u, min = 0x10000;
		else
			return "is not valid UTF-8";
		if (i + len > n)
			return "is not valid UTF-8";
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return "is not valid UTF-8";
			c = (c << 6) | (s[i + k] & 0x3fu);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return "is not valid UTF-8";
		if (unsafe_cp(c))
			return "contains a control or invisible character";
		i += len;
		(*chars)++;
	}
	return NULL;
}

const char *
ca_lint_attr_value_problem(enum ca_attr a, const unsigned char *s, size_t n)
{
	const char *why;
	size_t chars;

	if ((unsigned)a >= CA_ATTR_COUNT || s == NULL)
		return "is not an attribute custos issues";
	if (a == CA_ATTR_C)
		return n != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z'
		               ? "must be two capital letters (ISO 3166-1 alpha-2)"
		               : NULL;
	if ((why = utf8_problem(s, n, &chars)) != NULL)
		return why;
	if (chars > attr_max[a])
		return a == CA_ATTR_ST || a == CA_ATTR_L ? "is over 128 characters (RFC 5280)"
		                                         : "is over 64 characters (RFC 5280)";
	return NULL;
}

static void
check_attr_value(struct lint *l, int a, const ASN1_STRING *v)
{
	const char *why;

	if (ASN1_STRING_type(v) != (a == CA_ATTR_C ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING))
		return; /* cert.subject-encoding says so */
	why = ca_lint_attr_value_problem((enum ca_attr)a, ASN1_STRING_get0_data(v),
	                                 (size_t)ASN1_STRING_length(v));
	if (why != NULL)
		finding(l, R_CERT_SUBJECT_VALUE, "%s %s", ca_attr_name((enum ca_attr)a), why);
}

/* Structure, encoding and values; returns the attribute bits seen. */
static unsigned
check_subject(struct lint *l, X509_NAME *name, int *in_order)
{
	unsigned seen = 0;
	int i, a, count = X509_NAME_entry_count(name), last = -1;
	X509_NAME_ENTRY *ne;
	ASN1_STRING *v;

	*in_order = 1;
	if (count == 0)
		finding(l, R_CERT_SUBJECT_STRUCTURE, "the subject is empty");
	for (i = 0; i < count; i++) {
		ne = X509_NAME_get_entry(name, i);
		v = X509_NAME_ENTRY_get_data(ne);
		if (X509_NAME_ENTRY_set(ne) != i)
			finding(l, R_CERT_SUBJECT_STRUCTURE, "a multi-valued RDN");
		if ((a = ca_attr_from_nid(OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)))) < 0) {
			finding(l, R_CERT_SUBJECT_STRUCTURE,
			        "attribute %d is not one of C ST L O OU CN", i + 1);
			continue;
		}
		if (seen & CA_ATTR_BIT(a))
			finding(l, R_CERT_SUBJECT_STRUCTURE, "%s appears twice",
			        ca_attr_name((enum ca_attr)a));
		seen |= CA_ATTR_BIT(a);
		if (a <= last)
			*in_order = 0;
		last = a;
		if (ASN1_STRING_type(v) !=
		    (a == CA_ATTR_C ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING))
			finding(l, R_CERT_SUBJECT_ENCODING, "%s is a %s, not a %s",
			        ca_attr_name((enum ca_attr)a), ASN1_tag2str(ASN1_STRING_type(v)),
			        a == CA_ATTR_C ? "PRINTABLESTRING" : "UTF8STRING");
		check_attr_value(l, a, v);
	}
	if (count > 0 && !(seen & CA_ATTR_BIT(CA_ATTR_CN)))
		finding(l, R_CERT_SUBJECT_STRUCTURE, "the subject has no CN");
	return seen;
}

/* The extensions custos knows, with whether a root may carry them. */
static const struct {
	int nid;
	const char *name;
	int in_root;
} known_exts[] = {
        {NID_basic_constraints, "basicConstraints", 1},
        {NID_key_usage, "keyUsage", 1},
        {NID_subject_key_identifier, "subjectKeyIdentifier", 1},
        {NID_authority_key_identifier, "authorityKeyIdentifier", 1},
        {NID_ext_key_usage, "extKeyUsage", 0},
        {NID_certificate_policies, "certificatePolicies", 0},
        {NID_crl_distribution_points, "crlDistributionPoints", 0},
        {NID_info_access, "authorityInfoAccess", 0},
        {NID_name_constraints, "nameConstraints", 0},
};
#define NKNOWN (sizeof(known_exts) / sizeof(known_exts[0]))

/* The extensions of a certificate, decoded: one slot per known type. */
struct exts {
	X509_EXTENSION *ext[NKNOWN];
	void *val[NKNOWN]; /* decoded, NULL when absent or undecodable */
};

static int
known_index(int nid)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (known_exts[i].nid == nid)
			return (int)i;
	return -1;
}

/* Decodes ext (known type k) and checks that its value is DER. */
static void *
ext_decode(struct lint *l, X509_EXTENSION *ext, int k)
{
	const X509V3_EXT_METHOD *m = X509V3_EXT_get(ext);
	const ASN1_OCTET_STRING *data = X509_EXTENSION_get_data(ext);
	const unsigned char *p = ASN1_STRING_get0_data(data);
	long n = ASN1_STRING_length(data);
	unsigned char *re = NULL;
	struct ca_der_r raw;
	void *v;
	int rn;

	if (m == NULL || m->it == NULL) {
		l->fatal = 1;
		return NULL;
	}
	ca_der_r_init(&raw, p, (size_t)n);
	if (ca_der_check(p, (size_t)n, known_exts[k].name) != 0 ||
	    (v = ASN1_item_d2i(NULL, &p, n, ASN1_ITEM_ptr(m->it))) == NULL) {
		finding(l, R_CERT_EXTENSION_DER, "%s does not decode", known_exts[k].name);
		return NULL;
	}
	if (p != ASN1_STRING_get0_data(data) + n ||
	    (rn = ASN1_item_i2d(v, &re, ASN1_ITEM_ptr(m->it))) != n ||
	    memcmp(re, ASN1_STRING_get0_data(data), (size_t)n) != 0)
		finding(l, R_CERT_EXTENSION_DER, "%s is not in DER", known_exts[k].name);
	else if (!booleans_der(raw, 0))
		finding(l, R_CERT_EXTENSION_DER, "%s has a BOOLEAN that is not DER (0x00 or 0xff)",
		        known_exts[k].name);
	OPENSSL_free(re);
	return v;
}

static void
exts_collect(struct lint *l, X509 *x, struct exts *e)
{
	int i, k, count = X509_get_ext_count(x);
	X509_EXTENSION *ext;
	char oid[80];

	memset(e, 0, sizeof(*e));
	for (i = 0; i < count; i++) {
		ext = X509_get_ext(x, i);
		k = known_index(OBJ_obj2nid(X509_EXTENSION_get_object(ext)));
		if (k < 0) {
			if (OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 1) <= 0)
				(void)snprintf(oid, sizeof(oid), "?");
			finding(l, R_CERT_EXTENSION_UNKNOWN,
			        "extension %s is not one custos issues", oid);
			continue;
		}
		if (e->ext[k] != NULL) {
			finding(l, R_CERT_EXTENSION_DUPLICATE, "%s appears twice",
			        known_exts[k].name);
			continue;
		}
		e->ext[k] = ext;
		e->val[k] = ext_decode(l, ext, k);
	}
}

static void
exts_free(struct exts *e)
{
	size_t k;

	for (k = 0; k < NKNOWN; k++)
		if (e->val[k] != NULL)
			ASN1_item_free(e->val[k], ASN1_ITEM_ptr(X509V3_EXT_get(e->ext[k])->it));
}

/* Index in known_exts by NID (for the table rows above). */
#define K_BC 0
#define K_KU 1
#define K_SKI 2
#define K_AKI 3
#define K_EKU 4
#define K_CP 5
#define K_CRLDP 6
#define K_AIA 7
#define K_NC 8

static void
check_basic_constraints(struct lint *l, const struct exts *e, int path_len)
{
	const BASIC_CONSTRAINTS *bc = e->val[K_BC];

	if (e->ext[K_BC] == NULL) {
		finding(l, R_CERT_BASIC_CONSTRAINTS, "basicConstraints is missing");
		return;
	}
	if (!X509_EXTENSION_get_critical(e->ext[K_BC]))
		finding(l, R_CERT_BASIC_CONSTRAINTS, "basicConstraints is not critical");
	if (bc == NULL)
		return;
	if (!bc->ca)
		finding(l, R_CERT_BASIC_CONSTRAINTS, "cA is not TRUE");
	if (path_len < 0 && bc->pathlen != NULL)
		finding(l, R_CERT_BASIC_CONSTRAINTS, "a root has no pathLenConstraint");
	if (path_len >= 0 && (bc->pathlen == NULL || ASN1_INTEGER_get(bc->pathlen) != path_len))
		finding(l, R_CERT_BASIC_CONSTRAINTS, "pathLenConstraint is %s, the profile says %d",
		        bc->pathlen == NULL ? "absent" : "different", path_len);
}

static void
check_key_usage(struct lint *l, const struct exts *e)
{
	const ASN1_BIT_STRING *ku = e->val[K_KU];
	const unsigned char *raw;
	int i, n;

	if (e->ext[K_KU] == NULL) {
		finding(l, R_CERT_KEY_USAGE, "keyUsage is missing");
		return;
	}
	if (!X509_EXTENSION_get_critical(e->ext[K_KU]))
		finding(l, R_CERT_KEY_USAGE, "keyUsage is not critical");
	if (ku == NULL)
		return;
	if (!ASN1_BIT_STRING_get_bit(ku, 5) || !ASN1_BIT_STRING_get_bit(ku, 6))
		finding(l, R_CERT_KEY_USAGE, "keyCertSign and cRLSign must both be set");
	for (i = 0; i < ASN1_STRING_length(ku) * 8; i++)
		if (ASN1_BIT_STRING_get_bit(ku, i) && i != 0 && i != 5 && i != 6)
			finding(l, R_CERT_KEY_USAGE,
			        "usage bit %d is set (only digitalSignature, "
			        "keyCertSign, cRLSign)",
			        i);
	/* DER for a named bit list: no trailing zero bits (X.690 11.2.2). */
	raw = ASN1_STRING_get0_data(X509_EXTENSION_get_data(e->ext[K_KU]));
	n = ASN1_STRING_length(X509_EXTENSION_get_data(e->ext[K_KU]));
	if (n < 4 || raw[n - 1] == 0 || raw[2] > 7 || (raw[n - 1] & ((1u << raw[2]) - 1)) != 0 ||
	    (raw[2] < 7 && !(raw[n - 1] & (1u << raw[2]))))
		finding(l, R_CERT_KEY_USAGE, "the bit string keeps trailing zero bits (not DER)");
}

/* SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1) into out[20]. */
static int
key_id(X509 *x, unsigned char out[20])
{
	const unsigned char *bits = NULL;
	unsigned int n = 0;
	int nbits = 0;

	return X509_PUBKEY_get0_param(NULL, &bits, &nbits, NULL, X509_get_X509_PUBKEY(x)) == 1 &&
	       EVP_Digest(bits, (size_t)nbits, out, &n, EVP_sha1(), NULL) == 1 && n == 20;
}

static void
check_ski(struct lint *l, X509 *x, const struct exts *e)
{
	const ASN1_OCTET_STRING *ski = e->val[K_SKI];
	unsigned char id[20];

	if (e->ext[K_SKI] == NULL) {
		finding(l, R_CERT_SKI, "subjectKeyIdentifier is missing");
		return;
	}
	if (X509_EXTENSION_get_critical(e->ext[K_SKI]))
		finding(l, R_CERT_SKI, "subjectKeyIdentifier is critical");
	if (ski == NULL)
		return;
	if (!key_id(x, id)) {
		l->fatal = 1;
		return;
	}
	if (ASN1_STRING_length(ski) != 20 || memcmp(ASN1_STRING_get0_data(ski), id, 20) != 0)
		finding(l, R_CERT_SKI,
		        "subjectKeyIdentifier is not the SHA-1 of the key (method 1)");
}

/* AKI keyIdentifier-only check, shared by certificates (want = the issuer's SKI). */
static void
check_aki(struct lint *l, const struct exts *e, const ASN1_OCTET_STRING *want)
{
	const AUTHORITY_KEYID *aki = e->val[K_AKI];

	if (e->ext[K_AKI] == NULL) {
		finding(l, R_CERT_AKI, "authorityKeyIdentifier is missing");
		return;
	}
	if (X509_EXTENSION_get_critical(e->ext[K_AKI]))
		finding(l, R_CERT_AKI, "authorityKeyIdentifier is critical");
	if (aki == NULL)
		return;
	if (aki->keyid == NULL || aki->issuer != NULL || aki->serial != NULL)
		finding(l, R_CERT_AKI, "authorityKeyIdentifier must hold the keyIdentifier only");
	else if (want == NULL || ASN1_OCTET_STRING_cmp(aki->keyid, want) != 0)
		finding(l, R_CERT_AKI, "the keyIdentifier is not the issuer's SKI");
}

/* The common rules, cert.version to cert.aki (but AKI, which needs the issuer). */
static void
lint_cert_common(struct lint *l, const struct certview *v, EVP_PKEY *issuer_key, time_t now,
                 time_t *nb, time_t *na, unsigned *attrs, int *in_order)
{
	const unsigned char *alg;
	size_t alglen;

	if (X509_get_version(v->x) != X509_VERSION_3)
		finding(l, R_CERT_VERSION, "version %ld, not v3", X509_get_version(v->x) + 1);
	check_serial(l, &v->serial);
	if (ca_lint_sig_algid(issuer_key, &alg, &alglen) != 0)
		finding(l, R_CERT_SIG_ALG, "the issuer's key is not one custos signs with");
	else if (!same(&v->inner_alg, alg, alglen))
		finding(l, R_CERT_SIG_ALG,
		        "the signature algorithm is not the one for the "
		        "issuer's key (BR 7.1.3.2 encoding)");
	if (!slices_equal(&v->inner_alg, &v->outer_alg))
		finding(l, R_CERT_SIG_ALG_MATCH, "the outer and inner signature algorithms differ");
	check_validity(l, v, now, nb, na);
	if (v->has_uids)
		finding(l, R_CERT_UNIQUE_IDS, "issuerUniqueID or subjectUniqueID is present");
	*attrs = check_subject(l, X509_get_subject_name(v->x), in_order);
}

/* ---- the root ---- */

static void
check_root_key(struct lint *l, const struct certview *v)
{
	const unsigned char *want = NULL;
	struct ca_der_r r = v->spki, spki, alg;
	enum ca_alg a;
	size_t wantlen = 0;
	EVP_PKEY *pub = X509_get0_pubkey(v->x);

	if (pub == NULL || ca_key_alg(pub, &a) != 0) {
		finding(l, R_ROOT_KEY, "%s",
		        pub == NULL ? "the key does not decode" : custos_err_detail());
		return;
	}
	ca_alg_spki_algid(a, &want, &wantlen);
	if (ca_der_r_get(&r, CA_DER_SEQUENCE, &spki, "spki") != 0 ||
	    ca_der_r_get_tlv(&spki, &alg, "algorithm") != 0 || !same(&alg, want, wantlen))
		finding(l, R_ROOT_KEY, "the key's algorithm is not encoded as BR 7.1.3.1 require");
}

int
ca_lint_root(X509 *root, time_t now, struct ca_lint_report *report)
{
	struct lint l;
	struct certview v;
	struct exts e;
	unsigned char *der = NULL;
	const char *why;
	time_t nb, na;
	unsigned attrs;
	size_t k;
	int n, in_order;

	memset(&l, 0, sizeof(l));
	if (root == NULL || (n = i2d_X509(root, &der)) <= 0)
		return custos_err_set_openssl(CUSTOS_EINVAL, "no root certificate to lint");
	if ((why = cert_view(der, (size_t)n, &v)) != NULL) {
		finding(&l, R_CERT_DER, "%s", why);
		goto out;
	}
	lint_cert_common(&l, &v, X509_get0_pubkey(v.x), now, &nb, &na, &attrs, &in_order);
	exts_collect(&l, v.x, &e);
	check_basic_constraints(&l, &e, -1);
	check_key_usage(&l, &e);
	check_ski(&l, v.x, &e);
	check_aki(&l, &e, e.val[K_SKI]);
	if (!slices_equal(&v.issuer, &v.subject))
		finding(&l, R_ROOT_ISSUER_BYTES, "the issuer is not byte-identical to the subject");
	if (na - nb + 1 < (time_t)CA_ROOT_DAYS_MIN * DAY ||
	    na - nb + 1 > (time_t)CA_ROOT_DAYS_MAX * DAY)
		finding(&l, R_ROOT_VALIDITY_DAYS, "the validity is %lld days, not %u to %u",
		        (long long)((na - nb + 1) / DAY), CA_ROOT_DAYS_MIN, CA_ROOT_DAYS_MAX);
	for (k = 0; k < NKNOWN; k++)
		if (e.ext[k] != NULL && !known_exts[k].in_root)
			finding(&l, R_ROOT_EXTENSIONS, "a root carries no %s", known_exts[k].name);
	check_root_key(&l, &v);
	if (X509_get0_pubkey(v.x) == NULL || X509_verify(v.x, X509_get0_pubkey(v.x)) != 1)
		finding(&l, R_ROOT_SIGNATURE, "the self-signature does not verify");
	exts_free(&e);
out:
	view_free(&v);
	OPENSSL_free(der);
	return lint_end(&l, report);
}

/* ---- the issuing CA ---- */

static void
check_ca_key(struct lint *l, const struct certview *v, const struct certview *root)
{
	const unsigned char *want = NULL;
	struct ca_der_r r = v->spki, spki, alg;
	EVP_PKEY *pub = X509_get0_pubkey(v->x);
	enum ca_alg a = CA_ALG_RSA_3072;
	BIGNUM *e = NULL;
	size_t wantlen = 0;
	int bits;

	if (pub == NULL) {
		finding(l, R_CA_KEY, "the key does not decode");
		return;
	}
	if (EVP_PKEY_is_a(pub, "EC")) {
		if (ca_key_ec_alg(pub, &a) != 0)
			finding(l, R_CA_KEY, "%s", custos_err_detail());
	} else if (EVP_PKEY_is_a(pub, "RSA")) {
		bits = EVP_PKEY_get_bits(pub);
		if (bits < 2048 || bits % 8 != 0 || bits > 16384)
			finding(l, R_CA_KEY,
			        "an RSA key of %d bits (2048 or more, a multiple of 8)", bits);
		if (!EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_E, &e) || !BN_is_odd(e) ||
		    BN_num_bits(e) > 256 || (BN_num_bits(e) <= 17 && BN_get_word(e) < 65537))
			finding(l, R_CA_KEY, "the RSA exponent must be odd, >= 65537 and < 2^256");
		BN_free(e);
	} else {
		finding(l, R_CA_KEY, "neither an RSA nor an EC key");
		return;
	}
	ca_alg_spki_algid(a, &want, &wantlen);
	if (ca_der_r_get(&r, CA_DER_SEQUENCE, &spki, "spki") != 0 ||
	    ca_der_r_get_tlv(&spki, &alg, "algorithm") != 0 || !same(&alg, want, wantlen))
		finding(l, R_CA_KEY, "the key's algorithm is not encoded as BR 7.1.3.1 require");
	if (slices_equal(&v->spki, &root->spki))
		finding(l, R_CA_KEY_DISTINCT, "the certificate carries the root's own key");
}

static void
check_ca_subject(struct lint *l, const struct ca_profile *p, unsigned attrs, int in_order,
                 const struct certview *v, const struct certview *root)
{
	int a;

	for (a = 0; a < CA_ATTR_COUNT; a++) {
		if ((attrs & CA_ATTR_BIT(a)) && !(p->subject_allowed & CA_ATTR_BIT(a)))
			finding(l, R_CA_SUBJECT_PROFILE, "profile %s does not allow %s", p->name,
			        ca_attr_name((enum ca_attr)a));
		if (!(attrs & CA_ATTR_BIT(a)) && (p->subject_required & CA_ATTR_BIT(a)))
			finding(l, R_CA_SUBJECT_PROFILE, "profile %s requires %s", p->name,
			        ca_attr_name((enum ca_attr)a));
	}
	if (!in_order)
		finding(l, R_CA_SUBJECT_ORDER,
		        "the attributes are not in the order C ST L O OU CN");
	if (slices_equal(&v->subject, &root->subject))
		finding(l, R_CA_SUBJECT_DISTINCT, "the subject is the root's subject");
}

static void
check_eku(struct lint *l, const struct exts *e, const struct ca_profile *p)
{
	const EXTENDED_KEY_USAGE *eku = e->val[K_EKU];
	unsigned got = 0, bit;
	int i, nid;

	if (e->ext[K_EKU] == NULL) {
		if (p->eku != 0)
			finding(l, R_CA_EKU, "extKeyUsage is missing; profile %s asks for it",
			        p->name);
		return;
	}
	if (X509_EXTENSION_get_critical(e->ext[K_EKU]))
		finding(l, R_CA_EKU, "extKeyUsage is critical");
	if (eku == NULL)
		return;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
		if (nid == NID_anyExtendedKeyUsage) {
			finding(l, R_CA_EKU_ANY, "anyExtendedKeyUsage is present");
			continue;
		}
		bit = nid == NID_server_auth   ? CA_EKU_SERVER_AUTH
		      : nid == NID_client_auth ? CA_EKU_CLIENT_AUTH
		                               : 0x100;
		if (got & bit)
			finding(l, R_CA_EKU, "a purpose is listed twice");
		got |= bit;
	}
	if ((got & ~0x100u) != p->eku || (got & 0x100u))
		finding(l, R_CA_EKU, "the purposes are not exactly profile %s's", p->name);
}

static int
ia5_is(const ASN1_IA5STRING *s, const char *want)
{
	return s != NULL && (size_t)ASN1_STRING_length(s) == strlen(want) &&
	       memcmp(ASN1_STRING_get0_data(s), want, strlen(want)) == 0;
}

static int
oid_is(const ASN1_OBJECT *o, const char *dotted)
{
	char txt[CA_PROFILE_OID_MAX + 1];

	return OBJ_obj2txt(txt, sizeof(txt), o, 1) > 0 && strcmp(txt, dotted) == 0;
}

static void
check_policies(struct lint *l, const struct exts *e, const struct ca_profile *p)
{
	const CERTIFICATEPOLICIES *cp = e->val[K_CP];
	const POLICYINFO *pi;
	const POLICYQUALINFO *q;
	size_t i;
	int nq;

	if (e->ext[K_CP] == NULL || p->n_policies == 0) {
		if ((e->ext[K_CP] == NULL) != (p->n_policies == 0))
			finding(l, R_CA_POLICIES, "certificatePolicies is %s; profile %s %s",
			        e->ext[K_CP] == NULL ? "missing" : "present", p->name,
			        p->n_policies == 0 ? "has none" : "lists policies");
		return;
	}
	if (X509_EXTENSION_get_critical(e->ext[K_CP]))
		finding(l, R_CA_POLICIES, "certificatePolicies is critical");
	if (cp == NULL)
		return;
	if ((size_t)sk_POLICYINFO_num(cp) != p->n_policies) {
		finding(l, R_CA_POLICIES, "%d policies, profile %s has %zu", sk_POLICYINFO_num(cp),
		        p->name, p->n_policies);
		return;
	}
	for (i = 0; i < p->n_policies; i++) {
		pi = sk_POLICYINFO_value(cp, (int)i);
		nq = pi->qualifiers != NULL ? sk_POLICYQUALINFO_num(pi->qualifiers) : 0;
		q = nq > 0 ? sk_POLICYQUALINFO_value(pi->qualifiers, 0) : NULL;
		if (!oid_is(pi->policyid, p->policies[i].oid))
			finding(l, R_CA_POLICIES, "policy %zu is not %s", i + 1,
			        p->policies[i].oid);
		else if (p->policies[i].cps_uri[0] == '\0'
		                 ? (pi->qualifiers != NULL)
		                 : (nq != 1 || OBJ_obj2nid(q->pqualid) != NID_id_qt_cps ||
		                    !ia5_is(q->d.cpsuri, p->policies[i].cps_uri)))
			finding(l, R_CA_POLICIES,
			        "the qualifiers of policy %s are not the profile's "
			        "(one CPS URI, or none)",
			        p->policies[i].oid);
	}
}

static int
uri_is(const GENERAL_NAMES *names, const char *url)
{
	const GENERAL_NAME *gn;

	if (names == NULL || sk_GENERAL_NAME_num(names) != 1)
		return 0;
	gn = sk_GENERAL_NAME_value(names, 0);
	return gn->type == GEN_URI && ia5_is(gn->d.uniformResourceIdentifier, url);
}

static void
check_crl_dp(struct lint *l, const struct exts *e, const struct ca_profile *p)
{
	const CRL_DIST_POINTS *dps = e->val[K_CRLDP];
	const DIST_POINT *dp;

	if (e->ext[K_CRLDP] == NULL || p->crl_url[0] == '\0') {
		if ((e->ext[K_CRLDP] == NULL) != (p->crl_url[0] == '\0'))
			finding(l, R_CA_CRL_DP, "crlDistributionPoints is %s; profile %s %s",
			        e->ext[K_CRLDP] == NULL ? "missing" : "present", p->name,
			        p->crl_url[0] == '\0' ? "has no CRL URL" : "has one");
		return;
	}
	if (X509_EXTENSION_get_critical(e->ext[K_CRLDP]))
		finding(l, R_CA_CRL_DP, "crlDistributionPoints is critical");
	if (dps == NULL)
		return;
	dp = sk_DIST_POINT_num(dps) == 1 ? sk_DIST_POINT_value(dps, 0) : NULL;
	if (dp == NULL || dp->reasons != NULL || dp->CRLissuer != NULL || dp->distpoint == NULL ||
	    dp->distpoint->type != 0 || !uri_is(dp->distpoint->name.fullname, p->crl_url))
		finding(l, R_CA_CRL_DP, "not exactly one distribution point with the URI %s",
		        p->crl_url);
}

static void
check_aia(struct lint *l, const struct exts *e, const struct ca_profile *p)
{
	const AUTHORITY_INFO_ACCESS *aia = e->val[K_AIA];
	const ACCESS_DESCRIPTION *ad;
	const char *url = p->aia_ca_issuers_url;

	if (e->ext[K_AIA] == NULL || url[0] == '\0') {
		if ((e->ext[K_AIA] == NULL) != (url[0] == '\0'))
			finding(l, R_CA_AIA, "authorityInfoAccess is %s; profile %s %s",
			        e->ext[K_AIA] == NULL ? "missing" : "present", p->name,
			        url[0] == '\0' ? "has no caIssuers URL" : "has one");
		return;
	}
	if (X509_EXTENSION_get_critical(e->ext[K_AIA]))
		finding(l, R_CA_AIA, "authorityInfoAccess is critical");
	if (aia == NULL)
		return;
	ad = sk_ACCESS_DESCRIPTION_num(aia) == 1 ? sk_ACCESS_DESCRIPTION_value(aia, 0) : NULL;
	if (ad == NULL || OBJ_obj2nid(ad->method) != NID_ad_ca_issuers ||
	    ad->location->type != GEN_URI ||
	    !ia5_is(ad->location->d.uniformResourceIdentifier, url))
		finding(l, R_CA_AIA, "not exactly one caIssuers access with the URI %s", url);
}

/* Whether subtrees are exactly the DNS names then the IP ranges given. */
static int
subtrees_are(const STACK_OF(GENERAL_SUBTREE) * st, char (*dns)[CA_PROFILE_DNS_MAX], size_t ndns,
             const struct ca_ip_range *ip, size_t nip)
{
	const GENERAL_SUBTREE *s;
	size_t i;

	if (ndns + nip == 0)
		return st == NULL;
	if (st == NULL || (size_t)sk_GENERAL_SUBTREE_num(st) != ndns + nip)
		return 0;
	for (i = 0; i < ndns + nip; i++) {
		s = sk_GENERAL_SUBTREE_value(st, (int)i);
		if (s->minimum != NULL || s->maximum != NULL)
			return 0;
		if (i < ndns) {
			if (s->base->type != GEN_DNS || !ia5_is(s->base->d.dNSName, dns[i]))
				return 0;
		} else {
			const struct ca_ip_range *r = &ip[i - ndns];
			const ASN1_OCTET_STRING *a = s->base->d.iPAddress;

			if (s->base->type != GEN_IPADD || ASN1_STRING_length(a) != 2 * r->len ||
			    memcmp(ASN1_STRING_get0_data(a), r->addr, r->len) != 0 ||
			    memcmp(ASN1_STRING_get0_data(a) + r->len, r->mask, r->len) != 0)
				return 0;
		}
	}
	return 1;
}

static void
check_nc(struct lint *l, const struct exts *e, const struct ca_profile *p)
{
	const NAME_CONSTRAINTS *nc = e->val[K_NC];
	const struct ca_name_constraints *want = &p->nc;
	int none = want->n_permitted_dns + want->n_permitted_ip + want->n_excluded_dns +
	                   want->n_excluded_ip ==
	           0;

	if (e->ext[K_NC] == NULL || none) {
		if ((e->ext[K_NC] == NULL) != none)
			finding(l, R_CA_NAME_CONSTRAINTS, "nameConstraints is %s; profile %s %s",
			        e->ext[K_NC] == NULL ? "missing" : "present", p->name,
			        none ? "has none" : "has some");
		return;
	}
	if (!X509_EXTENSION_get_critical(e->ext[K_NC]))
		finding(l, R_CA_NAME_CONSTRAINTS, "nameConstraints is not critical");
	if (nc == NULL)
		return;
	if (!subtrees_are(nc->permittedSubtrees, (char(*)[CA_PROFILE_DNS_MAX])want->permitted_dns,
	                  want->n_permitted_dns, want->permitted_ip, want->n_permitted_ip) ||
	    !subtrees_are(nc->excludedSubtrees, (char(*)[CA_PROFILE_DNS_MAX])want->excluded_dns,
	                  want->n_excluded_dns, want->excluded_ip, want->n_excluded_ip))
		finding(l, R_CA_NAME_CONSTRAINTS, "the subtrees are not exactly profile %s's",
		        p->name);
}

static void
lint_issuing(struct lint *l, const struct certview *v, const struct certview *root,
             const struct ca_profile *p, time_t now)
{
	time_t nb, na, rnb = 0, rna = 0;
	struct ca_der_r rv = root->validity, a, b;
	unsigned attrs;
	int in_order;
	struct exts e;

	lint_cert_common(l, v, X509_get0_pubkey(root->x), now, &nb, &na, &attrs, &in_order);
	exts_collect(l, v->x, &e);
	check_basic_constraints(l, &e, p->path_len);
	check_key_usage(l, &e);
	check_ski(l, v->x, &e);
	check_aki(l, &e, X509_get0_subject_key_id(root->x));
	if (!slices_equal(&v->issuer, &root->subject))
		finding(l, R_CA_ISSUER_BYTES,
		        "the issuer is not byte-identical to the root subject");
	if (ca_der_r_get_tlv(&rv, &a, "notBefore") != 0 ||
	    ca_der_r_get_tlv(&rv, &b, "notAfter") != 0 ||
	    time_parse(a.p[0], a.p + 2, a.n - 2, &rnb) != NULL ||
	    time_parse(b.p[0], b.p + 2, b.n - 2, &rna) != NULL)
		finding(l, R_CA_VALIDITY_ROOT, "the root's validity cannot be read");
	else if (nb < rnb || na > rna)
		finding(l, R_CA_VALIDITY_ROOT, "the validity is not within the root's");
	if (na - nb + 1 > (time_t)p->validity_days * DAY)
		finding(l, R_CA_VALIDITY_DAYS, "the validity is over profile %s's %u days", p->name,
		        p->validity_days);
	check_ca_key(l, v, root);
	check_ca_subject(l, p, attrs, in_order, v, root);
	check_eku(l, &e, p);
	check_policies(l, &e, p);
	check_crl_dp(l, &e, p);
	check_aia(l, &e, p);
	check_nc(l, &e, p);
	exts_free(&e);
}

int
ca_lint_issuing_der(const unsigned char *der, size_t len, const struct ca_profile *p, X509 *root,
                    time_t now, struct ca_lint_report *report)
{
	struct certview v, rv;
	unsigned char *rder = NULL;
	const char *why;
	struct lint l;
	int n;

	memset(&l, 0, sizeof(l));
	memset(&v, 0, sizeof(v));
	if (der == NULL || p == NULL || root == NULL)
		return custos_err_set(CUSTOS_EINVAL, "nothing to lint");
	if ((n = i2d_X509(root, &rder)) <= 0 || cert_view(rder, (size_t)n, &rv) != NULL) {
		OPENSSL_free(rder);
		return custos_err_set(CUSTOS_EINVAL, "the root certificate cannot be read");
	}
	if ((why = cert_view(der, len, &v)) != NULL)
		finding(&l, R_CERT_DER, "%s", why);
	else
		lint_issuing(&l, &v, &rv, p, now);
	view_free(&v);
	view_free(&rv);
	OPENSSL_free(rder);
	return lint_end(&l, report);
}

int
ca_lint_issuing(X509 *cert, const struct ca_profile *p, X509 *root, time_t now,
                struct ca_lint_report *report)
{
	unsigned char *der = NULL;
	int n, r;

	if (cert == NULL || (n = i2d_X509(cert, &der)) <= 0)
		return custos_err_set_openssl(CUSTOS_EINVAL, "no certificate to lint");
	r = ca_lint_issuing_der(der, (size_t)n, p, root, now, report);
	OPENSSL_free(der);
	return r;
}

/* ---- CRLs, read in place ---- */

/*
 * A reader like ca_der's but for lengths of up to four octets: a CRL of a
 * million entries is over ca_der's 16 MiB.  Strict DER: low tag numbers,
 * definite minimal lengths.  Returns 0 or -1.
 */
static int
crd_header(const struct ca_der_r *r, size_t *hdr, size_t *len)
{
	size_t bytes, i, v = 0;

	if (r->n < 2 || (r->p[0] & 0x1f) == 0x1f)
		return -1;
	if (r->p[1] < 0x80) {
		*hdr = 2;
		*len = r->p[1];
	} else {
		bytes = r->p[1] & 0x7f;
		if (bytes == 0 || bytes > 4 || r->n < 2 + bytes || r->p[2] == 0)
			return -1;
		for (i = 0; i < bytes; i++)
			v = (v << 8) | r->p[2 + i];
		if (v < 0x80)
			return -1;
		*hdr = 2 + bytes;
		*len = v;
	}
	return *len > r->n - *hdr ? -1 : 0;
}

/* The next element whole (tag, length, contents). */
static int
crd_tlv(struct ca_der_r *r, struct ca_der_r *out)
{
	size_t hdr, len;

	if (crd_header(r, &hdr, &len) != 0)
		return -1;
	out->p = r->p;
	out->n = hdr + len;
	r->p += hdr + len;
	r->n -= hdr + len;
	return 0;
}

/* The contents of the next element, which must have tag tag. */
static int
crd_get(struct ca_der_r *r, unsigned char tag, struct ca_der_r *out)
{
	size_t hdr, len;

	if (r->n == 0 || r->p[0] != tag || crd_header(r, &hdr, &len) != 0)
		return -1;
	out->p = r->p + hdr;
	out->n = len;
	r->p += hdr + len;
	r->n -= hdr + len;
	return 0;
}

/* As ca_der_check(): every element, at any depth, strict; constructed only for SEQUENCE/SET. */
static int
crd_walk(struct ca_der_r c, unsigned depth)
{
	struct ca_der_r inner;
	size_t hdr, len;
	unsigned char tag;

	if (depth > 32)
		return -1;
	while (c.n > 0) {
		tag = c.p[0];
		if (tag == 0 || crd_header(&c, &hdr, &len) != 0)
			return -1;
		inner.p = c.p + hdr;
		inner.n = len;
		c.p += hdr + len;
		c.n -= hdr + len;
		if (!(tag & 0x20))
			continue;
		if ((tag & 0xc0) == 0 && tag != CA_DER_SEQUENCE && tag != 0x31)
			return -1;
		if (crd_walk(inner, depth + 1) != 0)
			return -1;
	}
	return 0;
}

static int
crd_check(const unsigned char *der, size_t len)
{
	struct ca_der_r r = {der, len}, el;

	if (der == NULL || len == 0 || crd_tlv(&r, &el) != 0 || r.n != 0)
		return -1;
	return crd_walk(el, 0);
}

struct crlctx {
	struct ca_der_r root_subject; /* TLV */
	const ASN1_OCTET_STRING *root_ski;
	const unsigned char *alg; /* the AlgorithmIdentifier custos signs with */
	size_t alglen;
	unsigned max_days;
	time_t now;
};

/* One Extension: OID contents, critical flag, extnValue contents.  0 or -1 (not DER). */
static int
ext_split(struct ca_der_r *list, struct ca_der_r *oid, int *critical, struct ca_der_r *val)
{
	struct ca_der_r ext, crit;

	*critical = 0;
	if (crd_get(list, CA_DER_SEQUENCE, &ext) != 0 || crd_get(&ext, CA_DER_OID, oid) != 0)
		return -1;
	if (ca_der_r_peek(&ext, 0x01)) {
		/* DER leaves out the default FALSE: only TRUE (0xff) may be encoded */
		if (crd_get(&ext, 0x01, &crit) != 0 || crit.n != 1 || crit.p[0] != 0xff)
			return -1;
		*critical = 1;
	}
	if (crd_get(&ext, CA_DER_OCTET_STRING, val) != 0 || ext.n != 0)
		return -1;
	return 0;
}

static void
oid_text(const struct ca_der_r *oid, char *buf, size_t cap)
{
	unsigned char der[64];
	const unsigned char *p = der;
	ASN1_OBJECT *o = NULL;

	(void)snprintf(buf, cap, "?");
	if (oid->n + 2 > sizeof(der) || oid->n > 127)
		return;
	der[0] = CA_DER_OID;
	der[1] = (unsigned char)oid->n;
	memcpy(der + 2, oid->p, oid->n);
	if ((o = d2i_ASN1_OBJECT(NULL, &p, (long)oid->n + 2)) != NULL &&
	    OBJ_obj2txt(buf, (int)cap, o, 1) <= 0)
		(void)snprintf(buf, cap, "?");
	ASN1_OBJECT_free(o);
}

static void
crl_entry_exts(struct lint *l, struct ca_der_r exts)
{
	static const unsigned char allowed[] = {1, 3, 4, 5, 9};
	struct ca_der_r oid, val;
	int critical, reasons = 0;

	if (exts.n == 0)
		finding(l, R_CRL_ENTRY_EXTENSIONS, "an entry has an empty crlEntryExtensions");
	while (exts.n > 0) {
		if (ext_split(&exts, &oid, &critical, &val) != 0) {
			finding(l, R_CRL_DER, "an entry extension is not DER");
			return;
		}
		if (!same(&oid, (const unsigned char *)OID_REASON, 3)) {
			finding(l, R_CRL_ENTRY_EXTENSIONS,
			        "an entry extension other than reasonCode");
			continue;
		}
		if (reasons++ > 0) {
			finding(l, R_CRL_ENTRY_EXTENSIONS, "an entry has reasonCode twice");
			continue;
		}
		if (critical)
			finding(l, R_CRL_REASON, "a reasonCode is critical");
		if (val.n != 3 || val.p[0] != 0x0a || val.p[1] != 1)
			finding(l, R_CRL_REASON, "a reasonCode is not one ENUMERATED octet");
		else if (val.p[2] == 0)
			finding(l, R_CRL_REASON,
			        "reasonCode unspecified (0) is present; unspecified "
			        "is said by leaving it out");
		else if (memchr(allowed, val.p[2], sizeof(allowed)) == NULL)
			finding(l, R_CRL_REASON, "reason code %u is not one of 1 3 4 5 9",
			        val.p[2]);
	}
}

/* The positive magnitude of INTEGER contents c (one 0x00 pad dropped). */
static struct ca_der_r
magnitude(struct ca_der_r c)
{
	if (c.n > 1 && c.p[0] == 0) {
		c.p++;
		c.n--;
	}
	return c;
}

static int
crl_entry(struct lint *l, struct ca_der_r *list, struct ca_der_r *prev, time_t this_update)
{
	struct ca_der_r entry, serial, t, exts, mag;
	const char *why;
	time_t rt = 0;
	size_t i;
	int zero = 1, cmp;

	if (crd_get(list, CA_DER_SEQUENCE, &entry) != 0 ||
	    crd_get(&entry, CA_DER_INTEGER, &serial) != 0 || crd_tlv(&entry, &t) != 0 || t.n < 2) {
		finding(l, R_CRL_DER, "a revoked entry is malformed");
		return -1;
	}
	for (i = 0; i < serial.n; i++)
		zero &= serial.p[i] == 0;
	if (serial.n == 0 || (serial.p[0] & 0x80) || zero ||
	    (serial.n > 1 && serial.p[0] == 0 && !(serial.p[1] & 0x80)) || serial.n > 20)
		finding(l, R_CRL_SERIAL, "an entry's serial is %s",
		        serial.n > 20                          ? "over 20 octets"
		        : zero                                 ? "zero"
		        : serial.n > 0 && (serial.p[0] & 0x80) ? "negative"
		                                               : "not a minimal INTEGER");
	mag = magnitude(serial);
	if (prev->p != NULL) {
		cmp = mag.n != prev->n ? (mag.n > prev->n ? 1 : -1) : memcmp(mag.p, prev->p, mag.n);
		if (cmp <= 0)
			finding(l, R_CRL_ORDER, "serial entries are %s",
			        cmp == 0 ? "duplicated" : "not in ascending order");
	}
	*prev = mag;
	if ((why = time_parse(t.p[0], t.p + 2, t.n - 2, &rt)) != NULL)
		finding(l, R_CRL_TIME_ENCODING, "revocationDate: %s", why);
	else if (rt > this_update)
		finding(l, R_CRL_REVOCATION_DATE, "a revocationDate is after thisUpdate");
	if (entry.n > 0) {
		if (crd_get(&entry, CA_DER_SEQUENCE, &exts) != 0 || entry.n != 0) {
			finding(l, R_CRL_DER, "a revoked entry is malformed");
			return -1;
		}
		crl_entry_exts(l, exts);
	}
	return 0;
}

static void
crl_aki(struct lint *l, const struct ca_der_r *val, int critical, const struct crlctx *c)
{
	struct ca_der_r r = *val, seq, id;

	if (critical)
		finding(l, R_CRL_AKI, "authorityKeyIdentifier is critical");
	if (crd_get(&r, CA_DER_SEQUENCE, &seq) != 0 || r.n != 0 || crd_get(&seq, 0x80, &id) != 0 ||
	    seq.n != 0)
		finding(l, R_CRL_AKI, "authorityKeyIdentifier must hold the keyIdentifier only");
	else if (c->root_ski == NULL || !same(&id, ASN1_STRING_get0_data(c->root_ski),
	                                      (size_t)ASN1_STRING_length(c->root_ski)))
		finding(l, R_CRL_AKI, "the keyIdentifier is not the root's SKI");
}

static void
crl_number(struct lint *l, const struct ca_der_r *val, int critical)
{
	struct ca_der_r r = *val, n;

	if (critical)
		finding(l, R_CRL_NUMBER, "cRLNumber is critical");
	if (crd_get(&r, CA_DER_INTEGER, &n) != 0 || r.n != 0 || n.n == 0 || (n.p[0] & 0x80) ||
	    (n.n > 1 && n.p[0] == 0 && !(n.p[1] & 0x80)))
		finding(l, R_CRL_NUMBER, "cRLNumber is not a minimal non-negative INTEGER");
	else if (n.n > 20)
		finding(l, R_CRL_NUMBER, "cRLNumber is over 20 octets (RFC 5280 5.2.3)");
}

static void
crl_exts(struct lint *l, struct ca_der_r ctx0, const struct crlctx *c)
{
	struct ca_der_r list, oid, val;
	int critical, aki = 0, number = 0;
	char txt[80];

	if (crd_get(&ctx0, CA_DER_SEQUENCE, &list) != 0 || ctx0.n != 0) {
		finding(l, R_CRL_DER, "crlExtensions is malformed");
		return;
	}
	if (list.n == 0)
		finding(l, R_CRL_EXTENSIONS, "crlExtensions is present but empty");
	while (list.n > 0) {
		if (ext_split(&list, &oid, &critical, &val) != 0 || crd_check(val.p, val.n) != 0) {
			finding(l, R_CRL_DER, "a CRL extension is not DER");
			return;
		}
		if (same(&oid, (const unsigned char *)OID_AKI, 3)) {
			if (aki++ > 0)
				finding(l, R_CRL_EXTENSIONS,
				        "authorityKeyIdentifier appears twice");
			else
				crl_aki(l, &val, critical, c);
		} else if (same(&oid, (const unsigned char *)OID_CRL_NUMBER, 3)) {
			if (number++ > 0)
				finding(l, R_CRL_EXTENSIONS, "cRLNumber appears twice");
			else
				crl_number(l, &val, critical);
		} else {
			oid_text(&oid, txt, sizeof(txt));
			finding(l, R_CRL_EXTENSIONS, "extension %s is not one custos issues", txt);
		}
	}
	if (!aki)
		finding(l, R_CRL_AKI, "authorityKeyIdentifier is missing");
	if (!number)
		finding(l, R_CRL_NUMBER, "cRLNumber is missing");
}

static void
crl_times(struct lint *l, struct ca_der_r *tbs, const struct crlctx *c, time_t *tu)
{
	struct ca_der_r t;
	const char *why;
	time_t nu = 0;

	*tu = 0;
	if (crd_tlv(tbs, &t) != 0 || t.n < 2) {
		finding(l, R_CRL_DER, "thisUpdate is missing");
		return;
	}
	if ((why = time_parse(t.p[0], t.p + 2, t.n - 2, tu)) != NULL)
		finding(l, R_CRL_TIME_ENCODING, "thisUpdate: %s", why);
	if (*tu > c->now + CA_LINT_SKEW)
		finding(l, R_CRL_THIS_UPDATE, "thisUpdate is %lld s after the time given",
		        (long long)(*tu - c->now));
	if (!ca_der_r_peek(tbs, 0x17) && !ca_der_r_peek(tbs, 0x18)) {
		finding(l, R_CRL_NEXT_UPDATE, "nextUpdate is missing");
		return;
	}
	if (crd_tlv(tbs, &t) != 0 || t.n < 2) {
		finding(l, R_CRL_DER, "nextUpdate is malformed");
		return;
	}
	if ((why = time_parse(t.p[0], t.p + 2, t.n - 2, &nu)) != NULL)
		finding(l, R_CRL_TIME_ENCODING, "nextUpdate: %s", why);
	else if (nu <= *tu)
		finding(l, R_CRL_NEXT_UPDATE, "nextUpdate is not after thisUpdate");
	else if (nu - *tu > (time_t)c->max_days * DAY || nu - *tu > (time_t)365 * DAY)
		finding(l, R_CRL_NEXT_UPDATE, "nextUpdate is %lld s after thisUpdate, over %u days",
		        (long long)(nu - *tu), c->max_days);
}

/* The TBSCertList (TLV in tlv); *inner gets its signature AlgorithmIdentifier. */
static void
lint_crl_tbs(struct lint *l, struct ca_der_r tlv, const struct crlctx *c, struct ca_der_r *inner)
{
	struct ca_der_r tbs, ver, issuer, list, ctx0, prev = {NULL, 0};
	time_t tu;

	if (crd_get(&tlv, CA_DER_SEQUENCE, &tbs) != 0) {
		finding(l, R_CRL_DER, "the tbsCertList is malformed");
		return;
	}
	if (!ca_der_r_peek(&tbs, CA_DER_INTEGER))
		finding(l, R_CRL_VERSION, "the version is absent (v1)");
	else if (crd_get(&tbs, CA_DER_INTEGER, &ver) != 0 || ver.n != 1 || ver.p[0] != 1)
		finding(l, R_CRL_VERSION, "the version is not v2");
	if (crd_tlv(&tbs, inner) != 0 || crd_tlv(&tbs, &issuer) != 0) {
		finding(l, R_CRL_DER, "the tbsCertList is malformed");
		return;
	}
	if (!same(inner, c->alg, c->alglen))
		finding(l, R_CRL_SIG_ALG,
		        "the signature algorithm is not the one for the root's key");
	if (!slices_equal(&issuer, &c->root_subject))
		finding(l, R_CRL_ISSUER_BYTES,
		        "the issuer is not byte-identical to the root subject");
	crl_times(l, &tbs, c, &tu);
	if (ca_der_r_peek(&tbs, CA_DER_SEQUENCE)) {
		if (crd_get(&tbs, CA_DER_SEQUENCE, &list) != 0) {
			finding(l, R_CRL_DER, "the tbsCertList is malformed");
			return;
		}
		if (list.n == 0)
			finding(l, R_CRL_EMPTY_LIST, "revokedCertificates is present but empty");
		while (list.n > 0)
			if (crl_entry(l, &list, &prev, tu) != 0)
				return;
	}
	if (ca_der_r_peek(&tbs, CA_DER_CTX0)) {
		if (crd_get(&tbs, CA_DER_CTX0, &ctx0) != 0) {
			finding(l, R_CRL_DER, "the tbsCertList is malformed");
			return;
		}
		crl_exts(l, ctx0, c);
	} else {
		finding(l, R_CRL_AKI, "authorityKeyIdentifier is missing");
		finding(l, R_CRL_NUMBER, "cRLNumber is missing");
	}
	if (tbs.n != 0)
		finding(l, R_CRL_DER, "unexpected fields in tbsCertList");
}

/* Fills c from root; the view must outlive c. */
static int
crl_setup(X509 *root, unsigned max_days, time_t now, struct certview *rv, unsigned char **rder,
          struct crlctx *c)
{
	int n;

	memset(c, 0, sizeof(*c));
	*rder = NULL;
	if (max_days < CA_PROFILE_CRL_DAYS_MIN || max_days > CA_PROFILE_CRL_DAYS_MAX)
		return custos_err_set(CUSTOS_EINVAL, "a CRL's nextUpdate is 1 to 365 days, not %u",
		                      max_days);
	if (root == NULL || (n = i2d_X509(root, rder)) <= 0 ||
	    cert_view(*rder, (size_t)n, rv) != NULL) {
		view_free(rv);
		OPENSSL_free(*rder);
		*rder = NULL;
		return custos_err_set(CUSTOS_EINVAL, "the root certificate cannot be read");
	}
	if (ca_lint_sig_algid(X509_get0_pubkey(rv->x), &c->alg, &c->alglen) != 0) {
		view_free(rv);
		OPENSSL_free(*rder);
		*rder = NULL;
		return CUSTOS_EKEY;
	}
	c->root_subject = rv->subject;
	c->root_ski = X509_get0_subject_key_id(rv->x);
	c->max_days = max_days;
	c->now = now;
	return 0;
}

int
ca_lint_crl(const unsigned char *der, size_t len, X509 *root, unsigned max_days, time_t now,
            struct ca_lint_report *report)
{
	struct ca_der_r r, crl, tbs, outer, inner = {NULL, 0}, sig;
	unsigned char *rder;
	struct certview rv;
	struct crlctx c;
	struct lint l;
	int e;

	memset(&l, 0, sizeof(l));
	memset(&rv, 0, sizeof(rv));
	if (der == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no CRL to lint");
	if ((e = crl_setup(root, max_days, now, &rv, &rder, &c)) != 0)
		return e;
	ca_der_r_init(&r, der, len);
	if (crd_check(der, len) != 0 || crd_get(&r, CA_DER_SEQUENCE, &crl) != 0 ||
	    crd_tlv(&crl, &tbs) != 0 || crd_tlv(&crl, &outer) != 0 ||
	    crd_get(&crl, CA_DER_BIT_STRING, &sig) != 0 || crl.n != 0) {
		finding(&l, R_CRL_DER, "not one strict-DER CertificateList");
	} else if (sig.n < 2 || sig.p[0] != 0) {
		finding(&l, R_CRL_DER, "the signature BIT STRING is empty or has unused bits");
	} else {
		lint_crl_tbs(&l, tbs, &c, &inner);
		if (inner.p != NULL && !slices_equal(&inner, &outer))
			finding(&l, R_CRL_SIG_ALG_MATCH,
			        "the outer and inner signature algorithms differ");
	}
	view_free(&rv);
	OPENSSL_free(rder);
	return lint_end(&l, report);
}

int
ca_lint_crl_tbs(const unsigned char *tbs, size_t tbslen, X509 *root, unsigned max_days, time_t now,
                struct ca_lint_report *report)
{
	struct ca_der_r r, inner;
	unsigned char *rder;
	struct certview rv;
	struct crlctx c;
	struct lint l;
	int e;

	memset(&l, 0, sizeof(l));
	memset(&rv, 0, sizeof(rv));
	if (tbs == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no TBSCertList to lint");
	if ((e = crl_setup(root, max_days, now, &rv, &rder, &c)) != 0)
		return e;
	ca_der_r_init(&r, tbs, tbslen);
	if (crd_check(tbs, tbslen) != 0)
		finding(&l, R_CRL_DER, "not strict DER (lengths, tags or nesting)");
	else
		lint_crl_tbs(&l, r, &c, &inner);
	view_free(&rv);
	OPENSSL_free(rder);
	return lint_end(&l, report);
}
