/*
 * ca_name: slash-form distinguished names (rules in ca_name.h).
 *
 * Invariant: every name ca_name_parse() returns has C as PrintableString,
 * every other attribute as UTF8String, one attribute per RDN, a CN, and text
 * and DER within CA_NAME_TEXT_MAX / CA_NAME_DER_MAX.  ca_name_format() never
 * emits a control or invisible character, whatever the name holds.
 */
#include "ca/ca_name.h"

#include <stdint.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/objects.h>

struct attr {
	const char *type;
	int nid;
	size_t max_chars; /* RFC 5280 appendix A upper bound */
};

/* clang-format off */
static const struct attr attrs[] = {
	{"C", NID_countryName, 2},
	{"ST", NID_stateOrProvinceName, 128},
	{"L", NID_localityName, 128},
	{"O", NID_organizationName, 64},
	{"OU", NID_organizationalUnitName, 64},
	{"CN", NID_commonName, 64},
};
/* clang-format on */
#define NATTRS (sizeof(attrs) / sizeof(attrs[0]))

/* Characters that may hide or reorder text on a screen (see ca_name.h). */
static int
unsafe_cp(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad || c == 0x61c || c == 0x180e ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
	       c == 0xfffe || c == 0xffff || (c >= 0xe0000 && c <= 0xe007f);
}

/*
 * Decodes one UTF-8 character at s (n bytes left) into *cp.  Returns its
 * length, or 0 when it is not valid UTF-8 (truncated, overlong, surrogate,
 * beyond U+10FFFF).
 */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, c = s[0] & 0x1fu, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, c = s[0] & 0x0fu, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, c = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static const struct attr *
find_attr(const char *type, size_t n)
{
	size_t i;

	for (i = 0; i < NATTRS; i++)
		if (strlen(attrs[i].type) == n && memcmp(attrs[i].type, type, n) == 0)
			return &attrs[i];
	return NULL;
}

/* Checks an unescaped value v (n bytes) of attribute a. */
static int
check_value(const struct attr *a, const unsigned char *v, size_t n)
{
	size_t i = 0, chars = 0, step;
	uint32_t cp;

	if (n == 0)
		return custos_err_set(CUSTOS_EINVAL, "attribute %s is empty", a->type);
	if (v[0] == ' ' || v[n - 1] == ' ')
		return custos_err_set(CUSTOS_EINVAL, "attribute %s has leading or trailing spaces",
		                      a->type);
	while (i < n) {
		if ((step = utf8_next(v + i, n - i, &cp)) == 0)
			return custos_err_set(CUSTOS_EINVAL,
			                      "attribute %s is not valid UTF-8 (byte %zu)", a->type,
			                      i + 1);
		chars++;
		if (unsafe_cp(cp))
			return custos_err_set(
			        CUSTOS_EINVAL,
			        "attribute %s contains control or invisible character "
			        "U+%04X at character %zu",
			        a->type, (unsigned)cp, chars);
		i += step;
	}
	if (a->nid == NID_countryName) {
		if (n != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z')
			return custos_err_set(CUSTOS_EINVAL,
			                      "C must be two capital letters (ISO 3166-1 alpha-2), "
			                      "like US");
		return 0;
	}
	if (chars > a->max_chars)
		return custos_err_set(CUSTOS_EINVAL,
		                      "attribute %s is %zu characters long, over the limit of %zu "
		                      "(RFC 5280)",
		                      a->type, chars, a->max_chars);
	return 0;
}

/*
 * Reads the value starting at *p up to the next unescaped '/' or the end,
 * unescaping into val (cap bytes; the whole DN fits).  Advances *p.
 */
static int
read_value(const struct attr *a, const char **p, unsigned char *val, size_t cap, size_t *n)
{
	const char *s = *p;

	*n = 0;
	while (*s != '\0' && *s != '/') {
		if (*s == '\\') {
			s++;
			if (*s == '\0' || strchr("/\\+#", *s) == NULL)
				return custos_err_set(CUSTOS_EINVAL,
				                      "attribute %s: unknown escape '\\%.1s' (the "
				                      "escapes are \\/ \\\\ \\+ \\#)",
				                      a->type, *s != '\0' ? s : "");
		}
		if (*n + 1 >= cap)
			return custos_err_set(CUSTOS_EINVAL, "attribute %s is too long", a->type);
		val[(*n)++] = (unsigned char)*s++;
	}
	*p = s;
	return 0;
}

/* Parses one "TYPE=value" at *p (just after its '/') and appends it to name. */
static int
parse_rdn(const char **p, X509_NAME *name, unsigned *seen, size_t index)
{
	unsigned char val[CA_NAME_TEXT_MAX];
	const struct attr *a;
	const char *s = *p, *eq;
	size_t n;
	int r;

	eq = s;
	while (*eq != '\0' && *eq != '=' && *eq != '/')
		eq++;
	if (*eq != '=') {
		if (eq == s)
			return custos_err_set(CUSTOS_EINVAL,
			                      "empty attribute at position %zu "
			                      "(a stray '/'?)",
			                      index);
		return custos_err_set(CUSTOS_EINVAL, "attribute %zu ('%.*s') has no '='", index,
		                      (int)(eq - s), s);
	}
	if ((a = find_attr(s, (size_t)(eq - s))) == NULL)
		return custos_err_set(CUSTOS_EINVAL,
		                      "unknown attribute '%.*s' (allowed: C, ST, L, O, OU, CN)",
		                      (int)(eq - s), s);
	if (*seen & (1u << (a - attrs)))
		return custos_err_set(CUSTOS_EINVAL, "attribute %s is given twice", a->type);
	*seen |= 1u << (a - attrs);
	s = eq + 1;
	if ((r = read_value(a, &s, val, sizeof(val), &n)) != 0 || (r = check_value(a, val, n)) != 0)
		return r;
	if (!X509_NAME_add_entry_by_NID(name, a->nid,
	                                a->nid == NID_countryName ? V_ASN1_PRINTABLESTRING
	                                                          : V_ASN1_UTF8STRING,
	                                val, (int)n, -1, 0))
		return custos_err_set_openssl(CUSTOS_ENOMEM, "cannot add a name attribute");
	*p = s;
	return 0;
}

/* The whole-name checks: a CN, the DER size, the canonical text size. */
static int
check_name(X509_NAME *name, unsigned seen)
{
	char text[CA_NAME_TEXT_MAX];
	int der;

	if (!(seen & (1u << (NATTRS - 1))))
		return custos_err_set(CUSTOS_EINVAL, "the DN has no CN (commonName)");
	if ((der = i2d_X509_NAME(name, NULL)) <= 0)
		return custos_err_set_openssl(CUSTOS_EINVAL, "cannot encode the DN");
	if (der > CA_NAME_DER_MAX)
		return custos_err_set(CUSTOS_EINVAL, "the DN encodes to %d bytes, over %d", der,
		                      CA_NAME_DER_MAX);
	if (ca_name_format(name, text, sizeof(text)) != 0)
		return custos_err_set(CUSTOS_EINVAL,
		                      "the DN is longer than %d characters once "
		                      "escaped",
		                      CA_NAME_TEXT_MAX - 1);
	return 0;
}

int
ca_name_parse(const char *dn, X509_NAME **out)
{
	X509_NAME *name = NULL;
	const char *p;
	unsigned seen = 0;
	size_t index = 0;
	int r;

	*out = NULL;
	if (dn == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no DN");
	if (strnlen(dn, CA_NAME_TEXT_MAX) >= CA_NAME_TEXT_MAX)
		return custos_err_set(CUSTOS_EINVAL, "the DN is longer than %d characters",
		                      CA_NAME_TEXT_MAX - 1);
	if (dn[0] != '/')
		return custos_err_set(CUSTOS_EINVAL, "a DN starts with '/', like "
		                                     "/C=US/O=Example/CN=Example Root CA");
	if ((name = X509_NAME_new()) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "out of memory");
	for (p = dn; *p == '/';) {
		p++;
		if ((r = parse_rdn(&p, name, &seen, ++index)) != 0)
			goto out;
	}
	if ((r = check_name(name, seen)) != 0)
		goto out;
	*out = name;
	name = NULL; /* transferred */
out:
	X509_NAME_free(name);
	return r;
}

/* A bounded string builder; overflow is sticky. */
struct sb {
	char *buf;
	size_t len, cap;
	int over;
};

static void
sb_putc(struct sb *b, char c)
{
	if (b->len + 1 >= b->cap) {
		b->over = 1;
		return;
	}
	b->buf[b->len++] = c;
	b->buf[b->len] = '\0';
}

static void
sb_puts(struct sb *b, const char *s)
{
	while (*s != '\0')
		sb_putc(b, *s++);
}

static void
sb_hex(struct sb *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	sb_putc(b, hex[c >> 4]);
	sb_putc(b, hex[c & 15]);
}

/* Appends an escaped UTF-8 value (see ca_name.h). */
static void
put_value(struct sb *b, const unsigned char *v, size_t n)
{
	size_t i = 0, k, step;
	uint32_t cp;

	while (i < n) {
		step = utf8_next(v + i, n - i, &cp);
		if (step == 0 || unsafe_cp(cp) || (cp == ' ' && (i == 0 || i + 1 == n))) {
			step = step == 0 ? 1 : step;
			for (k = 0; k < step; k++) {
				sb_putc(b, '\\');
				sb_hex(b, v[i + k]);
			}
		} else {
			if (cp == '/' || cp == '\\' || cp == '+' || (cp == '#' && i == 0))
				sb_putc(b, '\\');
			for (k = 0; k < step; k++)
				sb_putc(b, (char)v[i + k]);
		}
		i += step;
	}
}

/* Appends "#<hex>" of the value's DER, for values that are not text. */
static void
put_der_value(struct sb *b, const ASN1_STRING *v)
{
	ASN1_TYPE *t = ASN1_TYPE_new();
	unsigned char *der = NULL;
	int n = -1, i;

	if (t != NULL && ASN1_TYPE_set1(t, ASN1_STRING_type(v), v))
		n = i2d_ASN1_TYPE(t, &der);
	sb_putc(b, '#');
	for (i = 0; i < n; i++)
		sb_hex(b, der[i]);
	if (n < 0)
		sb_puts(b, "?");
	OPENSSL_free(der);
	ASN1_TYPE_free(t);
	ERR_clear_error();
}

static void
put_type(struct sb *b, const ASN1_OBJECT *obj)
{
	char oid[128];
	int nid = OBJ_obj2nid(obj);
	const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;

	if (sn != NULL) {
		sb_puts(b, sn);
	} else if (OBJ_obj2txt(oid, sizeof(oid), obj, 1) > 0 && strlen(oid) < sizeof(oid) - 1) {
		sb_puts(b, oid);
	} else {
		sb_puts(b, "?"); /* an absurdly long OID */
	}
}

int
ca_name_format(const X509_NAME *name, char *buf, size_t len)
{
	struct sb b = {buf, 0, len, 0};
	const X509_NAME_ENTRY *ne;
	unsigned char *u8;
	int i, count, set, prev = -1, n;

	if (buf == NULL || len == 0)
		return custos_err_set(CUSTOS_EINVAL, "no buffer");
	buf[0] = '\0';
	if (name == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no name");
	count = X509_NAME_entry_count(name);
	for (i = 0; i < count && !b.over; i++) {
		ne = X509_NAME_get_entry(name, i);
		set = X509_NAME_ENTRY_set(ne);
		sb_putc(&b, i > 0 && set == prev ? '+' : '/');
		prev = set;
		put_type(&b, X509_NAME_ENTRY_get_object(ne));
		sb_putc(&b, '=');
		u8 = NULL;
		if ((n = ASN1_STRING_to_UTF8(&u8, X509_NAME_ENTRY_get_data(ne))) >= 0)
			put_value(&b, u8, (size_t)n);
		else
			put_der_value(&b, X509_NAME_ENTRY_get_data(ne));
		OPENSSL_free(u8);
		ERR_clear_error();
	}
	if (b.over) {
		buf[0] = '\0';
		return custos_err_set(CUSTOS_ETOOBIG, "the formatted DN does not fit in %zu bytes",
		                      len);
	}
	return 0;
}
