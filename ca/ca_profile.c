/*
 * ca_profile: profiles.json to struct ca_profile_set and back (rules in
 * ca_profile.h).
 *
 * Invariant: one set of value rules.  The parser only turns JSON into the
 * struct (types, unknown keys, list shapes, integer ranges that the struct
 * could not hold, IP text); ca_profile_set_check() then applies every value
 * rule, so a set parsed from a file and one built in code pass the same
 * checks, and the serializer refuses to write a set the parser would refuse.
 * Every message starts with the JSON path of the value it is about.
 */
#include "ca/ca_profile.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/objects.h>
#include <openssl/err.h>

#include "ca/ca_root.h"

#define PATH_MAX_LEN 200
#define ROOT_DAYS_DEFAULT 7305u /* 20 years */
#define CRL_DAYS_DEFAULT 180u
#define ISSUING_DAYS_DEFAULT 1826u /* 5 years */
#define OID_ARC_DIGITS_MAX 18

static const char *const attr_names[CA_ATTR_COUNT] = {"C", "ST", "L", "O", "OU", "CN"};

const char *
ca_attr_name(enum ca_attr a)
{
	return (unsigned)a < CA_ATTR_COUNT ? attr_names[a] : "?";
}

int
ca_attr_nid(enum ca_attr a)
{
	static const int nids[CA_ATTR_COUNT] = {
	        NID_countryName,      NID_stateOrProvinceName,    NID_localityName,
	        NID_organizationName, NID_organizationalUnitName, NID_commonName};

	return (unsigned)a < CA_ATTR_COUNT ? nids[a] : NID_undef;
}

int
ca_attr_from_nid(int nid)
{
	int a;

	for (a = 0; a < CA_ATTR_COUNT; a++)
		if (nid != NID_undef && ca_attr_nid((enum ca_attr)a) == nid)
			return a;
	return -1;
}

static int perr(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns CUSTOS_EPROFILE with "path: message". */
static int
perr(const char *path, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap); /* a cut message is still a message */
	va_end(ap);
	return custos_err_set(CUSTOS_EPROFILE, "%s: %s", path, msg);
}

/* Writes "prefix.key" into out; the inputs are bounded, so it always fits. */
static void
join(char *out, const char *prefix, const char *key)
{
	int n = snprintf(out, PATH_MAX_LEN, "%s%s%s", prefix, prefix[0] != '\0' ? "." : "", key);

	if (n < 0 || n >= PATH_MAX_LEN)
		(void)snprintf(out, PATH_MAX_LEN, "%.60s...", prefix);
}

/* join() returning out, for use inside a call. */
static const char *
at_key(char *out, const char *prefix, const char *key)
{
	join(out, prefix, key);
	return out;
}

/* Writes "prefix.key[i]" into out (PATH_MAX_LEN bytes). */
static void
join_index(char *out, const char *prefix, const char *key, size_t i)
{
	char k[PATH_MAX_LEN];
	int n = snprintf(k, sizeof(k), "%.60s[%zu]", key, i);

	if (n < 0 || (size_t)n >= sizeof(k))
		k[0] = '\0';
	join(out, prefix, k);
}

/* Untrusted text for a message: at most 40 bytes, non-printable ASCII as \xNN. */
static const char *
shown(const char *s, char *buf, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && i < 40 && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (s[i] != '\0' && o + 4 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* ---- value rules (shared by the parser's result and code-built sets) ---- */

/* Dotted-decimal OID syntax; NULL when fine, else what is wrong. */
static const char *
oid_problem(const char *s)
{
	const char *p = s;
	unsigned long first = 0, second = 0;
	size_t arcs = 0, digits;
	ASN1_OBJECT *obj;

	for (;;) {
		digits = 0;
		if (*p == '0' && p[1] >= '0' && p[1] <= '9')
			return "an arc has a leading zero";
		while (*p >= '0' && *p <= '9') {
			if (++digits > OID_ARC_DIGITS_MAX)
				return "an arc is too large";
			if (arcs == 0)
				first = first * 10 + (unsigned long)(*p - '0');
			else if (arcs == 1)
				second = second * 10 + (unsigned long)(*p - '0');
			p++;
		}
		if (digits == 0)
			return "is not a dotted-decimal OID like 1.3.6.1.4.1.55555.1";
		arcs++;
		if (*p == '\0')
			break;
		if (*p != '.')
			return "is not a dotted-decimal OID like 1.3.6.1.4.1.55555.1";
		p++;
	}
	if (arcs < 2)
		return "an OID has at least two arcs";
	if (first > 2)
		return "the first arc of an OID is 0, 1 or 2";
	if (first < 2 && second > 39)
		return "under arcs 0 and 1 the second arc is at most 39";
	if ((obj = OBJ_txt2obj(s, 1)) == NULL) {
		ERR_clear_error();
		return "OpenSSL cannot encode this OID";
	}
	ASN1_OBJECT_free(obj);
	return NULL;
}

static int
url_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("\"<>\\^`{|}#", c) == NULL;
}

/* An http:// (or, with https_ok, https://) URL we are willing to put in a certificate. */
static const char *
url_problem(const char *s, int https_ok)
{
	const char *p, *host;
	size_t i;

	if (strncmp(s, "http://", 7) == 0)
		p = s + 7;
	else if (https_ok && strncmp(s, "https://", 8) == 0)
		p = s + 8;
	else
		return https_ok ? "must be an http:// or https:// URL"
		                : "must be an http:// URL (CA/B Forum BR: CRLs and caIssuers are "
		                  "served over plain http, not https)";
	for (i = 0; s[i] != '\0'; i++)
		if (!url_char_ok((unsigned char)s[i]))
			return s[i] == '#'
			               ? "must not have a fragment ('#')"
			               : "contains a space, control character or one of \" < > \\ "
			                 "^ ` { | }";
	host = p;
	while (*p != '\0' && *p != '/' && *p != '?') {
		if (*p == '@')
			return "must not carry a user name or password ('@')";
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(".-:[]", *p) != NULL))
			return "has a character that cannot be in a host name";
		p++;
	}
	if (p == host || *host == ':')
		return "has no host";
	return NULL;
}

/* A lower-case LDH DNS name (a dNSName name constraint). */
static const char *
dns_problem(const char *s)
{
	size_t len = strlen(s), label = 0, i;

	if (len == 0)
		return "is empty";
	if (len > 253)
		return "is longer than 253 characters";
	for (i = 0; i <= len; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0)
				return "has an empty label (leading, trailing or double dot)";
			if (s[i - 1] == '-')
				return "has a label ending with '-'";
			label = 0;
			continue;
		}
		if (label == 0 && c == '-')
			return "has a label starting with '-'";
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return "must be a lower-case host name (letters a-z, digits, '-', '.')";
		if (++label > 63)
			return "has a label longer than 63 characters";
	}
	return NULL;
}

/* Prefix length of a contiguous mask, or -1. */
static int
mask_prefix(const struct ca_ip_range *r)
{
	int bits = 0, i, b;

	for (i = 0; i < r->len; i++)
		for (b = 7; b >= 0; b--) {
			if (r->mask[i] & (1u << b)) {
				if (bits != i * 8 + (7 - b))
					return -1; /* a one after a zero */
				bits++;
			}
		}
	return bits;
}

static const char *
ip_problem(const struct ca_ip_range *r)
{
	int i;

	if (r->len != 4 && r->len != 16)
		return "is neither IPv4 nor IPv6";
	if (mask_prefix(r) < 0)
		return "has a mask that is not a prefix";
	for (i = 0; i < r->len; i++)
		if (r->addr[i] & ~r->mask[i])
			return "has host bits set beyond the prefix (write the network address)";
	return NULL;
}

/* Parses "ADDRESS/PREFIX" into *r; NULL or what is wrong. */
static const char *
ip_parse(const char *s, struct ca_ip_range *r)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/'), *p;
	unsigned long prefix = 0;
	int i, v6;

	memset(r, 0, sizeof(*r));
	if (slash == NULL)
		return "must be ADDRESS/PREFIX, like 192.0.2.0/24 or 2001:db8::/32";
	if ((size_t)(slash - s) >= sizeof(addr))
		return "has an address that is too long";
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	v6 = strchr(addr, ':') != NULL;
	r->len = v6 ? 16 : 4;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, addr, r->addr) != 1)
		return v6 ? "has an invalid IPv6 address" : "has an invalid IPv4 address";
	p = slash + 1;
	if (*p == '\0' || (*p == '0' && p[1] != '\0') || strlen(p) > 3)
		return "has an invalid prefix length";
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return "has an invalid prefix length";
		prefix = prefix * 10 + (unsigned long)(*p - '0');
	}
	if (prefix > (unsigned long)r->len * 8)
		return v6 ? "has a prefix longer than 128" : "has a prefix longer than 32";
	for (i = 0; i < r->len; i++) {
		unsigned long left =
		        prefix > (unsigned long)i * 8 ? prefix - (unsigned long)i * 8 : 0;

		r->mask[i] = left >= 8 ? 0xff : (unsigned char)(0xff00u >> left);
	}
	return ip_problem(r);
}

/* "ADDRESS/PREFIX" of a valid range into buf (at least 64 bytes). */
static void
ip_format(const struct ca_ip_range *r, char *buf, size_t cap)
{
	char addr[INET6_ADDRSTRLEN];

	if (inet_ntop(r->len == 16 ? AF_INET6 : AF_INET, r->addr, addr, sizeof(addr)) == NULL)
		(void)snprintf(addr, sizeof(addr), "?");
	(void)snprintf(buf, cap, "%s/%d", addr, mask_prefix(r));
}

static int
terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

static int
check_url_field(const char *path, const char *key, const char *url, int https_ok)
{
	char at[PATH_MAX_LEN], b[64];
	const char *why;

	join(at, path, key);
	if (!terminated(url, CA_PROFILE_URL_MAX))
		return perr(at, "is not terminated");
	if (url[0] != '\0' && (why = url_problem(url, https_ok)) != NULL)
		return perr(at, "'%s' %s", shown(url, b, sizeof(b)), why);
	return 0;
}

static int
check_policies(const struct ca_profile *p, const char *path)
{
	char at[PATH_MAX_LEN], oat[PATH_MAX_LEN], b[64];
	const char *why;
	size_t i, j;
	int r;

	join(at, path, "policies");
	if (p->n_policies > CA_PROFILE_POLICIES_MAX)
		return perr(at, "at most %d", CA_PROFILE_POLICIES_MAX);
	for (i = 0; i < p->n_policies; i++) {
		join_index(at, path, "policies", i);
		if (!terminated(p->policies[i].oid, CA_PROFILE_OID_MAX))
			return perr(at_key(oat, at, "oid"), "is not terminated");
		if ((why = oid_problem(p->policies[i].oid)) != NULL)
			return perr(at_key(oat, at, "oid"), "'%s' %s",
			            shown(p->policies[i].oid, b, sizeof(b)), why);
		for (j = 0; j < i; j++)
			if (strcmp(p->policies[i].oid, p->policies[j].oid) == 0)
				return perr(at_key(oat, at, "oid"), "%s is given twice",
				            p->policies[i].oid);
		if ((r = check_url_field(at, "cps_uri", p->policies[i].cps_uri, 1)) != 0)
			return r;
	}
	return 0;
}

static int
check_dns_list(const char *path, const char *key, char (*list)[CA_PROFILE_DNS_MAX], size_t n)
{
	char at[PATH_MAX_LEN], b[64];
	const char *why;
	size_t i, j;

	join(at, path, key);
	if (n > CA_PROFILE_NC_MAX)
		return perr(at, "at most %d entries", CA_PROFILE_NC_MAX);
	for (i = 0; i < n; i++) {
		if (!terminated(list[i], CA_PROFILE_DNS_MAX))
			return perr(at, "entry %zu is not terminated", i);
		if ((why = dns_problem(list[i])) != NULL)
			return perr(at, "'%s' %s", shown(list[i], b, sizeof(b)), why);
		for (j = 0; j < i; j++)
			if (strcmp(list[i], list[j]) == 0)
				return perr(at, "%s is given twice", list[i]);
	}
	return 0;
}

static int
check_ip_list(const char *path, const char *key, const struct ca_ip_range *list, size_t n)
{
	char at[PATH_MAX_LEN], b[64];
	const char *why;
	size_t i, j;

	join(at, path, key);
	if (n > CA_PROFILE_NC_MAX)
		return perr(at, "at most %d entries", CA_PROFILE_NC_MAX);
	for (i = 0; i < n; i++) {
		if ((why = ip_problem(&list[i])) != NULL)
			return perr(at, "entry %zu %s", i, why);
		for (j = 0; j < i; j++)
			if (memcmp(&list[i], &list[j], sizeof(list[i])) == 0) {
				ip_format(&list[i], b, sizeof(b));
				return perr(at, "%s is given twice", b);
			}
	}
	return 0;
}

static int
check_nc(const struct ca_name_constraints *nc, const char *path)
{
	char at[PATH_MAX_LEN];
	int r;

	join(at, path, "name_constraints");
	if ((r = check_dns_list(at, "permitted_dns", (char(*)[CA_PROFILE_DNS_MAX])nc->permitted_dns,
	                        nc->n_permitted_dns)) != 0 ||
	    (r = check_dns_list(at, "excluded_dns", (char(*)[CA_PROFILE_DNS_MAX])nc->excluded_dns,
	                        nc->n_excluded_dns)) != 0 ||
	    (r = check_ip_list(at, "permitted_ip", nc->permitted_ip, nc->n_permitted_ip)) != 0 ||
	    (r = check_ip_list(at, "excluded_ip", nc->excluded_ip, nc->n_excluded_ip)) != 0)
		return r;
	return 0;
}

static int
check_subject(const struct ca_profile *p, const char *path)
{
	char at[PATH_MAX_LEN], at2[PATH_MAX_LEN];
	unsigned all = (1u << CA_ATTR_COUNT) - 1;
	int a;

	join(at, path, "subject");
	if (p->subject_allowed & ~all)
		return perr(at_key(at2, at, "allowed"), "unknown attribute bits");
	if (p->subject_required & ~p->subject_allowed) {
		for (a = 0; a < CA_ATTR_COUNT; a++)
			if ((p->subject_required & ~p->subject_allowed) & CA_ATTR_BIT(a))
				break;
		return perr(at_key(at2, at, "required"), "%s is required but not allowed",
		            ca_attr_name((enum ca_attr)a));
	}
	if (!(p->subject_required & CA_ATTR_BIT(CA_ATTR_CN)))
		return perr(at_key(at2, at, "required"),
		            "must include CN (a CA certificate names itself)");
	return 0;
}

static const char *
name_problem(const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return "is empty";
	if (s[0] == '-')
		return "must not start with '-'";
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return "may use only a-z, 0-9 and '-'";
	return i > CA_PROFILE_NAME_MAX - 1 ? "is longer than 64 characters" : NULL;
}

int
ca_profile_check(const struct ca_profile *p)
{
	char path[PATH_MAX_LEN], at[PATH_MAX_LEN], b[64];
	const char *why;
	int r;

	if (p == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no profile");
	if (!terminated(p->name, CA_PROFILE_NAME_MAX))
		return perr("issuing_ca", "a profile name is not terminated");
	if ((why = name_problem(p->name)) != NULL)
		return perr("issuing_ca", "profile name '%s' %s", shown(p->name, b, sizeof(b)),
		            why);
	join(path, "issuing_ca", p->name);
	if (p->validity_days < CA_PROFILE_DAYS_MIN || p->validity_days > CA_PROFILE_DAYS_MAX)
		return perr(at_key(at, path, "validity_days"),
		            "must be an integer from %u to %u, not %u", CA_PROFILE_DAYS_MIN,
		            CA_PROFILE_DAYS_MAX, p->validity_days);
	if (p->path_len < 0 || p->path_len > CA_PROFILE_PATHLEN_MAX)
		return perr(at_key(at, path, "path_len"), "must be an integer from 0 to %d, not %d",
		            CA_PROFILE_PATHLEN_MAX, p->path_len);
	if (p->eku & ~(CA_EKU_SERVER_AUTH | CA_EKU_CLIENT_AUTH))
		return perr(at_key(at, path, "eku"), "only serverAuth and clientAuth");
	if ((r = check_policies(p, path)) != 0 ||
	    (r = check_url_field(path, "crl_url", p->crl_url, 0)) != 0 ||
	    (r = check_url_field(path, "aia_ca_issuers_url", p->aia_ca_issuers_url, 0)) != 0 ||
	    (r = check_nc(&p->nc, path)) != 0 || (r = check_subject(p, path)) != 0)
		return r;
	return 0;
}

int
ca_profile_set_check(const struct ca_profile_set *set)
{
	size_t i, j;
	int r;

	if (set == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no profile set");
	if (set->root_validity_days < CA_ROOT_DAYS_MIN ||
	    set->root_validity_days > CA_ROOT_DAYS_MAX)
		return perr("root.validity_days", "must be an integer from %u to %u, not %u",
		            CA_ROOT_DAYS_MIN, CA_ROOT_DAYS_MAX, set->root_validity_days);
	if (set->crl_next_update_days < CA_PROFILE_CRL_DAYS_MIN ||
	    set->crl_next_update_days > CA_PROFILE_CRL_DAYS_MAX)
		return perr("crl.next_update_days", "must be an integer from %u to %u, not %u",
		            CA_PROFILE_CRL_DAYS_MIN, CA_PROFILE_CRL_DAYS_MAX,
		            set->crl_next_update_days);
	if (set->n < 1 || set->n > CA_PROFILE_SET_MAX)
		return perr("issuing_ca", "must hold 1 to %d profiles, not %zu", CA_PROFILE_SET_MAX,
		            set->n);
	for (i = 0; i < set->n; i++) {
		if ((r = ca_profile_check(&set->issuing[i])) != 0)
			return r;
		for (j = 0; j < i; j++)
			if (strcmp(set->issuing[i].name, set->issuing[j].name) == 0)
				return perr("issuing_ca", "profile name '%s' is used twice",
				            set->issuing[i].name);
	}
	return 0;
}

/* ---- JSON to struct ---- */

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction or exponent";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* Every key of obj must be in known (NULL-terminated). */
static int
check_keys(json_t *obj, const char *path, const char *const *known)
{
	const char *key, *const *k;
	char b[64], list[200];
	size_t used = 0;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		for (k = known; *k != NULL; k++)
			if (strcmp(key, *k) == 0)
				break;
		if (*k != NULL)
			continue;
		list[0] = '\0';
		for (k = known; *k != NULL; k++) {
			int n = snprintf(list + used, sizeof(list) - used, "%s%s",
			                 k == known ? "" : ", ", *k);

			if (n < 0 || (size_t)n >= sizeof(list) - used)
				break;
			used += (size_t)n;
		}
		return perr(path, "unknown key '%s' (known here: %s)", shown(key, b, sizeof(b)),
		            list);
	}
	return 0;
}

/* obj[key] of JSON type want, or NULL when absent (an error if required). */
static int
get(const json_t *obj, const char *path, const char *key, json_type want, int required,
    json_t **out)
{
	char at[PATH_MAX_LEN];
	static const char *const want_name[] = {"an object", "an array", "a string", "an integer"};
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	join(at, path, key);
	if (v == NULL)
		return required ? perr(at, "is missing") : 0;
	if (json_typeof(v) != want)
		return perr(at, "must be %s, not %s",
		            (unsigned)want < 4 ? want_name[want] : "something else", type_name(v));
	*out = v;
	return 0;
}

static int
get_uint(const json_t *obj, const char *path, const char *key, int required, unsigned dflt,
         unsigned min, unsigned max, unsigned *out)
{
	char at[PATH_MAX_LEN];
	json_int_t i;
	json_t *v;
	int r;

	*out = dflt;
	if ((r = get(obj, path, key, JSON_INTEGER, required, &v)) != 0 || v == NULL)
		return r;
	i = json_integer_value(v);
	if (i < (json_int_t)min || i > (json_int_t)max) {
		join(at, path, key);
		return perr(at, "must be an integer from %u to %u, not %lld", min, max,
		            (long long)i);
	}
	*out = (unsigned)i;
	return 0;
}

/* A string of at most cap - 1 bytes into out. */
static int
copy_string(const json_t *v, const char *at, char *out, size_t cap)
{
	size_t n;

	if (!json_is_string(v))
		return perr(at, "must be a string, not %s", type_name(v));
	n = json_string_length(v);
	if (n >= cap)
		return perr(at, "is longer than %zu characters", cap - 1);
	memcpy(out, json_string_value(v), n + 1);
	return 0;
}

static int
get_string(const json_t *obj, const char *path, const char *key, char *out, size_t cap)
{
	char at[PATH_MAX_LEN];
	json_t *v = json_object_get(obj, key);

	out[0] = '\0';
	if (v == NULL)
		return 0;
	join(at, path, key);
	if (copy_string(v, at, out, cap) != 0)
		return CUSTOS_EPROFILE;
	if (out[0] == '\0')
		return perr(at, "is empty (leave the key out instead)");
	return 0;
}

/* obj[key] as an array of at most max entries (absent: *out NULL, *n 0). */
static int
get_array(const json_t *obj, const char *path, const char *key, size_t max, json_t **out, size_t *n)
{
	char at[PATH_MAX_LEN];
	int r;

	*n = 0;
	if ((r = get(obj, path, key, JSON_ARRAY, 0, out)) != 0 || *out == NULL)
		return r;
	*n = json_array_size(*out);
	if (*n > max) {
		join(at, path, key);
		return perr(at, "at most %zu entries, not %zu", max, *n);
	}
	return 0;
}

static int
parse_eku(const json_t *obj, const char *path, unsigned *eku)
{
	char item[PATH_MAX_LEN], s[40], b[64];
	unsigned bit;
	json_t *arr;
	size_t i, n;
	int r;

	*eku = 0;
	if ((r = get_array(obj, path, "eku", 8, &arr, &n)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		join_index(item, path, "eku", i);
		if ((r = copy_string(json_array_get(arr, i), item, s, sizeof(s))) != 0)
			return r;
		if (strcmp(s, "serverAuth") == 0)
			bit = CA_EKU_SERVER_AUTH;
		else if (strcmp(s, "clientAuth") == 0)
			bit = CA_EKU_CLIENT_AUTH;
		else if (strcmp(s, "anyExtendedKeyUsage") == 0 || strcmp(s, "2.5.29.37.0") == 0)
			return perr(item, "anyExtendedKeyUsage is refused: a CA certificate never "
			                  "carries it (CA/B Forum BR 7.1.2.10.6)");
		else
			return perr(item,
			            "'%s' is not an EKU custos issues (serverAuth, clientAuth)",
			            shown(s, b, sizeof(b)));
		if (*eku & bit)
			return perr(item, "%s is given twice", s);
		*eku |= bit;
	}
	return 0;
}

static int
parse_policies(const json_t *obj, const char *path, struct ca_profile *p)
{
	static const char *const keys[] = {"oid", "cps_uri", NULL};
	char at[PATH_MAX_LEN];
	json_t *arr, *pol, *oid;
	size_t i;
	int r;

	if ((r = get_array(obj, path, "policies", CA_PROFILE_POLICIES_MAX, &arr, &p->n_policies)) !=
	    0)
		return r;
	for (i = 0; i < p->n_policies; i++) {
		join_index(at, path, "policies", i);
		pol = json_array_get(arr, i);
		if (!json_is_object(pol))
			return perr(at, "must be an object like {\"oid\": \"1.2.3\"}, not %s",
			            type_name(pol));
		if ((r = check_keys(pol, at, keys)) != 0 ||
		    (r = get(pol, at, "oid", JSON_STRING, 1, &oid)) != 0 ||
		    (r = get_string(pol, at, "oid", p->policies[i].oid, CA_PROFILE_OID_MAX)) != 0 ||
		    (r = get_string(pol, at, "cps_uri", p->policies[i].cps_uri,
		                    CA_PROFILE_URL_MAX)) != 0)
			return r;
	}
	return 0;
}

static int
parse_dns_list(const json_t *obj, const char *path, const char *key,
               char (*list)[CA_PROFILE_DNS_MAX], size_t *n)
{
	char item[PATH_MAX_LEN];
	json_t *arr;
	size_t i;
	int r;

	if ((r = get_array(obj, path, key, CA_PROFILE_NC_MAX, &arr, n)) != 0)
		return r;
	for (i = 0; i < *n; i++) {
		join_index(item, path, key, i);
		if ((r = copy_string(json_array_get(arr, i), item, list[i], CA_PROFILE_DNS_MAX)) !=
		    0)
			return r;
	}
	return 0;
}

static int
parse_ip_list(const json_t *obj, const char *path, const char *key, struct ca_ip_range *list,
              size_t *n)
{
	char item[PATH_MAX_LEN], s[80], b[64];
	const char *why;
	json_t *arr;
	size_t i;
	int r;

	if ((r = get_array(obj, path, key, CA_PROFILE_NC_MAX, &arr, n)) != 0)
		return r;
	for (i = 0; i < *n; i++) {
		join_index(item, path, key, i);
		if ((r = copy_string(json_array_get(arr, i), item, s, sizeof(s))) != 0)
			return r;
		if ((why = ip_parse(s, &list[i])) != NULL)
			return perr(item, "'%s' %s", shown(s, b, sizeof(b)), why);
	}
	return 0;
}

static int
parse_nc(const json_t *obj, const char *path, struct ca_name_constraints *nc)
{
	static const char *const keys[] = {"permitted_dns", "excluded_dns", "permitted_ip",
	                                   "excluded_ip", NULL};
	char at[PATH_MAX_LEN];
	json_t *v;
	int r;

	if ((r = get(obj, path, "name_constraints", JSON_OBJECT, 0, &v)) != 0 || v == NULL)
		return r;
	join(at, path, "name_constraints");
	if ((r = check_keys(v, at, keys)) != 0 ||
	    (r = parse_dns_list(v, at, "permitted_dns", nc->permitted_dns, &nc->n_permitted_dns)) !=
	            0 ||
	    (r = parse_dns_list(v, at, "excluded_dns", nc->excluded_dns, &nc->n_excluded_dns)) !=
	            0 ||
	    (r = parse_ip_list(v, at, "permitted_ip", nc->permitted_ip, &nc->n_permitted_ip)) !=
	            0 ||
	    (r = parse_ip_list(v, at, "excluded_ip", nc->excluded_ip, &nc->n_excluded_ip)) != 0)
		return r;
	if (nc->n_permitted_dns + nc->n_excluded_dns + nc->n_permitted_ip + nc->n_excluded_ip == 0)
		return perr(at, "is empty (RFC 5280 4.2.1.10 forbids an empty nameConstraints; "
		                "leave the key out)");
	return 0;
}

static int
parse_attr_list(const json_t *obj, const char *path, const char *key, unsigned *bits)
{
	char item[PATH_MAX_LEN], s[8], b[64];
	json_t *arr;
	size_t i, n;
	int r, a;

	if ((r = get_array(obj, path, key, 16, &arr, &n)) != 0 || arr == NULL)
		return r;
	*bits = 0;
	for (i = 0; i < n; i++) {
		join_index(item, path, key, i);
		if ((r = copy_string(json_array_get(arr, i), item, s, sizeof(s))) != 0)
			return r;
		for (a = 0; a < CA_ATTR_COUNT && strcmp(s, attr_names[a]) != 0; a++)
			;
		if (a == CA_ATTR_COUNT)
			return perr(item,
			            "'%s' is not a subject attribute custos handles (C, ST, L, "
			            "O, OU, CN)",
			            shown(s, b, sizeof(b)));
		if (*bits & CA_ATTR_BIT(a))
			return perr(item, "%s is given twice", s);
		*bits |= CA_ATTR_BIT(a);
	}
	return 0;
}

static int
parse_profile(const char *name, json_t *obj, struct ca_profile *p)
{
	static const char *const keys[] = {"validity_days",    "path_len", "eku",
	                                   "policies",         "crl_url",  "aia_ca_issuers_url",
	                                   "name_constraints", "subject",  NULL};
	static const char *const subject_keys[] = {"allowed", "required", NULL};
	char path[PATH_MAX_LEN], at[PATH_MAX_LEN], b[64];
	unsigned path_len;
	json_t *subject;
	int r;

	if (strlen(name) >= CA_PROFILE_NAME_MAX || name_problem(name) != NULL)
		return perr("issuing_ca", "profile name '%s' %s", shown(name, b, sizeof(b)),
		            strlen(name) >= CA_PROFILE_NAME_MAX ? "is longer than 64 characters"
		                                                : name_problem(name));
	memcpy(p->name, name, strlen(name) + 1);
	join(path, "issuing_ca", name);
	if (!json_is_object(obj))
		return perr(path, "must be an object, not %s", type_name(obj));
	if ((r = check_keys(obj, path, keys)) != 0 ||
	    (r = get_uint(obj, path, "validity_days", 1, 0, CA_PROFILE_DAYS_MIN,
	                  CA_PROFILE_DAYS_MAX, &p->validity_days)) != 0 ||
	    (r = get_uint(obj, path, "path_len", 0, 0, 0, CA_PROFILE_PATHLEN_MAX, &path_len)) !=
	            0 ||
	    (r = parse_eku(obj, path, &p->eku)) != 0 || (r = parse_policies(obj, path, p)) != 0 ||
	    (r = get_string(obj, path, "crl_url", p->crl_url, CA_PROFILE_URL_MAX)) != 0 ||
	    (r = get_string(obj, path, "aia_ca_issuers_url", p->aia_ca_issuers_url,
	                    CA_PROFILE_URL_MAX)) != 0 ||
	    (r = parse_nc(obj, path, &p->nc)) != 0 ||
	    (r = get(obj, path, "subject", JSON_OBJECT, 0, &subject)) != 0)
		return r;
	p->path_len = (int)path_len;
	p->subject_allowed = CA_ATTR_BIT(CA_ATTR_C) | CA_ATTR_BIT(CA_ATTR_ST) |
	                     CA_ATTR_BIT(CA_ATTR_L) | CA_ATTR_BIT(CA_ATTR_O) |
	                     CA_ATTR_BIT(CA_ATTR_CN);
	p->subject_required =
	        CA_ATTR_BIT(CA_ATTR_C) | CA_ATTR_BIT(CA_ATTR_O) | CA_ATTR_BIT(CA_ATTR_CN);
	if (subject != NULL) {
		join(at, path, "subject");
		if ((r = check_keys(subject, at, subject_keys)) != 0 ||
		    (r = parse_attr_list(subject, at, "allowed", &p->subject_allowed)) != 0 ||
		    (r = parse_attr_list(subject, at, "required", &p->subject_required)) != 0)
			return r;
	}
	return 0;
}

static int
parse_sections(const json_t *top, struct ca_profile_set *set)
{
	static const char *const root_keys[] = {"validity_days", NULL};
	static const char *const crl_keys[] = {"next_update_days", NULL};
	json_t *root, *crl, *issuing, *v;
	const char *name;
	int r;

	if ((r = get(top, "", "root", JSON_OBJECT, 0, &root)) != 0 ||
	    (r = get(top, "", "issuing_ca", JSON_OBJECT, 1, &issuing)) != 0 ||
	    (r = get(top, "", "crl", JSON_OBJECT, 0, &crl)) != 0)
		return r;
	set->root_validity_days = ROOT_DAYS_DEFAULT;
	set->crl_next_update_days = CRL_DAYS_DEFAULT;
	if (root != NULL && ((r = check_keys(root, "root", root_keys)) != 0 ||
	                     (r = get_uint(root, "root", "validity_days", 1, 0, CA_ROOT_DAYS_MIN,
	                                   CA_ROOT_DAYS_MAX, &set->root_validity_days)) != 0))
		return r;
	if (crl != NULL &&
	    ((r = check_keys(crl, "crl", crl_keys)) != 0 ||
	     (r = get_uint(crl, "crl", "next_update_days", 1, 0, CA_PROFILE_CRL_DAYS_MIN,
	                   CA_PROFILE_CRL_DAYS_MAX, &set->crl_next_update_days)) != 0))
		return r;
	if (json_object_size(issuing) == 0)
		return perr("issuing_ca", "holds no profile (at least \"%s\")",
		            CA_PROFILE_DEFAULT_NAME);
	if (json_object_size(issuing) > CA_PROFILE_SET_MAX)
		return perr("issuing_ca", "at most %d profiles", CA_PROFILE_SET_MAX);
	json_object_foreach(issuing, name, v)
	{
		if ((r = parse_profile(name, v, &set->issuing[set->n])) != 0)
			return r;
		set->n++;
	}
	return 0;
}

int
ca_profile_parse(const char *json, size_t len, struct ca_profile_set **out)
{
	static const char *const keys[] = {"version", "root", "issuing_ca", "crl", NULL};
	struct ca_profile_set *set = NULL;
	json_error_t jerr;
	json_t *top = NULL;
	char b[64];
	unsigned version;
	int r;

	*out = NULL;
	if (json == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no profile text");
	if (len > CA_PROFILE_FILE_MAX)
		return custos_err_set(CUSTOS_ETOOBIG, "profiles.json is %zu bytes, over %d", len,
		                      CA_PROFILE_FILE_MAX);
	if ((top = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return custos_err_set(CUSTOS_EPROFILE, "profiles.json line %d column %d: %s",
		                      jerr.line, jerr.column, shown(jerr.text, b, sizeof(b)));
	if (!json_is_object(top)) {
		r = custos_err_set(CUSTOS_EPROFILE, "profiles.json must hold one JSON object");
		goto out;
	}
	if ((set = calloc(1, sizeof(*set))) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = check_keys(top, "profiles.json", keys)) != 0 ||
	    (r = get_uint(top, "", "version", 1, 0, 0, 1000000, &version)) != 0)
		goto out;
	if (version != CA_PROFILE_VERSION) {
		r = perr("version", "is %u; this custos reads version %d", version,
		         CA_PROFILE_VERSION);
		goto out;
	}
	if ((r = parse_sections(top, set)) != 0 || (r = ca_profile_set_check(set)) != 0)
		goto out;
	*out = set;
	set = NULL; /* transferred */
out:
	free(set);
	json_decref(top);
	return r;
}

/* ---- struct to JSON ---- */

/* Sets obj[key] = v, taking v; returns 0 or -1 (v freed). */
static int
put(json_t *obj, const char *key, json_t *v)
{
	return v == NULL || json_object_set_new(obj, key, v) != 0 ? -1 : 0;
}

static json_t *
attr_list(unsigned bits)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a != NULL && i < CA_ATTR_COUNT; i++)
		if ((bits & CA_ATTR_BIT(i)) && json_array_append_new(a, json_string(attr_names[i])))
			return json_decref(a), NULL;
	return a;
}

static json_t *
nc_json(const struct ca_name_constraints *nc)
{
	json_t *o = json_object(), *a;
	char b[64];
	size_t i;
	int bad = o == NULL;

#define NC_DNS(key, list, n)                                                                       \
	if (!bad && (n) > 0) {                                                                     \
		bad |= put(o, key, a = json_array());                                              \
		for (i = 0; !bad && i < (n); i++)                                                  \
			bad |= json_array_append_new(a, json_string(list[i]));                     \
	}
#define NC_IP(key, list, n)                                                                        \
	if (!bad && (n) > 0) {                                                                     \
		bad |= put(o, key, a = json_array());                                              \
		for (i = 0; !bad && i < (n); i++) {                                                \
			ip_format(&list[i], b, sizeof(b));                                         \
			bad |= json_array_append_new(a, json_string(b));                           \
		}                                                                                  \
	}
	NC_DNS("permitted_dns", nc->permitted_dns, nc->n_permitted_dns)
	NC_DNS("excluded_dns", nc->excluded_dns, nc->n_excluded_dns)
	NC_IP("permitted_ip", nc->permitted_ip, nc->n_permitted_ip)
	NC_IP("excluded_ip", nc->excluded_ip, nc->n_excluded_ip)
#undef NC_DNS
#undef NC_IP
	if (bad)
		return json_decref(o), NULL;
	return o;
}

static json_t *
profile_json(const struct ca_profile *p)
{
	json_t *o = json_object(), *a = NULL, *pol, *subj;
	const struct ca_name_constraints *nc = &p->nc;
	size_t i;
	int bad = o == NULL;

	bad = bad || put(o, "validity_days", json_integer(p->validity_days)) ||
	      put(o, "path_len", json_integer(p->path_len)) || put(o, "eku", a = json_array());
	if (!bad && (p->eku & CA_EKU_SERVER_AUTH))
		bad = json_array_append_new(a, json_string("serverAuth")) != 0;
	if (!bad && (p->eku & CA_EKU_CLIENT_AUTH))
		bad = json_array_append_new(a, json_string("clientAuth")) != 0;
	bad = bad || put(o, "policies", a = json_array());
	for (i = 0; !bad && i < p->n_policies; i++) {
		bad = json_array_append_new(a, pol = json_object()) != 0 ||
		      put(pol, "oid", json_string(p->policies[i].oid)) ||
		      (p->policies[i].cps_uri[0] != '\0' &&
		       put(pol, "cps_uri", json_string(p->policies[i].cps_uri)));
	}
	if (!bad && p->crl_url[0] != '\0')
		bad = put(o, "crl_url", json_string(p->crl_url));
	if (!bad && p->aia_ca_issuers_url[0] != '\0')
		bad = put(o, "aia_ca_issuers_url", json_string(p->aia_ca_issuers_url));
	if (!bad &&
	    nc->n_permitted_dns + nc->n_excluded_dns + nc->n_permitted_ip + nc->n_excluded_ip > 0)
		bad = put(o, "name_constraints", nc_json(nc));
	bad = bad || put(o, "subject", subj = json_object()) ||
	      put(subj, "allowed", attr_list(p->subject_allowed)) ||
	      put(subj, "required", attr_list(p->subject_required));
	if (bad)
		return json_decref(o), NULL;
	return o;
}

int
ca_profile_serialize(const struct ca_profile_set *set, char **json, size_t *len)
{
	json_t *top = NULL, *sec, *issuing;
	char *text = NULL;
	size_t i, n;
	int r = 0, bad;

	*json = NULL;
	*len = 0;
	if ((r = ca_profile_set_check(set)) != 0)
		return r;
	top = json_object();
	bad = top == NULL || put(top, "version", json_integer(CA_PROFILE_VERSION)) ||
	      put(top, "root", sec = json_object()) ||
	      put(sec, "validity_days", json_integer(set->root_validity_days)) ||
	      put(top, "issuing_ca", issuing = json_object());
	for (i = 0; !bad && i < set->n; i++)
		bad = put(issuing, set->issuing[i].name, profile_json(&set->issuing[i]));
	bad = bad || put(top, "crl", sec = json_object()) ||
	      put(sec, "next_update_days", json_integer(set->crl_next_update_days)) ||
	      (text = json_dumps(top, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL;
	if (!bad) {
		n = strlen(text);
		if ((*json = malloc(n + 2)) != NULL) {
			memcpy(*json, text, n);
			(*json)[n] = '\n';
			(*json)[n + 1] = '\0';
			*len = n + 1;
		}
	}
	if (*json == NULL)
		r = custos_err_set(CUSTOS_ENOMEM, "cannot write the profiles as JSON");
	free(text);
	json_decref(top);
	return r;
}

/* ---- defaults and lookup ---- */

int
ca_profile_defaults(struct ca_profile_set **out)
{
	struct ca_profile_set *set = calloc(1, sizeof(*set));
	struct ca_profile *p;

	*out = NULL;
	if (set == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "out of memory");
	set->root_validity_days = ROOT_DAYS_DEFAULT;
	set->crl_next_update_days = CRL_DAYS_DEFAULT;
	set->n = 1;
	p = &set->issuing[0];
	memcpy(p->name, CA_PROFILE_DEFAULT_NAME, sizeof(CA_PROFILE_DEFAULT_NAME));
	p->validity_days = ISSUING_DAYS_DEFAULT;
	p->path_len = 0;
	p->eku = CA_EKU_SERVER_AUTH | CA_EKU_CLIENT_AUTH;
	p->subject_allowed = CA_ATTR_BIT(CA_ATTR_C) | CA_ATTR_BIT(CA_ATTR_ST) |
	                     CA_ATTR_BIT(CA_ATTR_L) | CA_ATTR_BIT(CA_ATTR_O) |
	                     CA_ATTR_BIT(CA_ATTR_CN);
	p->subject_required =
	        CA_ATTR_BIT(CA_ATTR_C) | CA_ATTR_BIT(CA_ATTR_O) | CA_ATTR_BIT(CA_ATTR_CN);
	*out = set;
	return 0;
}

void
ca_profile_set_free(struct ca_profile_set *set)
{
	free(set);
}

int
ca_profile_find(const struct ca_profile_set *set, const char *name, const struct ca_profile **out)
{
	char list[CA_PROFILE_SET_MAX * (CA_PROFILE_NAME_MAX + 2)], b[64];
	size_t i, used = 0;

	*out = NULL;
	if (set == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no profile set");
	if (name == NULL)
		name = CA_PROFILE_DEFAULT_NAME;
	list[0] = '\0';
	for (i = 0; i < set->n && i < CA_PROFILE_SET_MAX; i++) {
		int n;

		if (strcmp(set->issuing[i].name, name) == 0) {
			*out = &set->issuing[i];
			return 0;
		}
		n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
		             set->issuing[i].name);
		if (n > 0 && (size_t)n < sizeof(list) - used)
			used += (size_t)n;
	}
	return custos_err_set(CUSTOS_ENOENT, "no profile '%s' (the profiles are: %s)",
	                      shown(name, b, sizeof(b)), list);
}
