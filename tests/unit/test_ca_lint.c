/*
 * ca_lint: one good root, issuing-CA certificate and CRL that pass every
 * rule, and for every rule of ca_lint_rules() at least one object that
 * breaks it: built with OpenSSL from the good one with exactly one thing
 * changed (re-signed with a throwaway key, or edited as DER where OpenSSL
 * cannot express the fault).  The last test checks that every rule id was
 * seen to fire, so a rule added without a test fails the run.
 */
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ca/ca_crl.h"
#include "ca/ca_issue.h"
#include "ca/ca_key.h"
#include "ca/ca_lint.h"
#include "ca/ca_name.h"
#include "ca/ca_profile.h"
#include "ca/ca_root.h"
#include "harness.h"

#define DAY 86400L

static const char profile_json[] =
        "{\"version\":1,\"issuing_ca\":{"
        "\"full\":{\"validity_days\":1826,\"path_len\":1,\"eku\":[\"serverAuth\",\"clientAuth\"],"
        "\"policies\":[{\"oid\":\"2.23.140.1.2.1\"},{\"oid\":\"1.3.6.1.4.1.55555.1.1\","
        "\"cps_uri\":\"https://example.com/cps\"}],"
        "\"crl_url\":\"http://crl.example.com/root.crl\","
        "\"aia_ca_issuers_url\":\"http://example.com/root.cer\","
        "\"name_constraints\":{\"permitted_dns\":[\"example.com\"],"
        "\"permitted_ip\":[\"192.0.2.0/24\"],\"excluded_ip\":[\"2001:db8::/32\"]}}}}";

static struct ca_profile_set *set;
static const struct ca_profile *full;
static EVP_PKEY *root_key, *sub_key, *throwaway;
static X509 *root, *good;
static time_t now;
static unsigned char fired[128]; /* by index in ca_lint_rules() */

/* ---- a small DER tree, for faults OpenSSL will not encode ---- */

struct node {
	unsigned char tag;
	const unsigned char *data; /* primitive contents */
	size_t len;
	struct node *kid;
	size_t nkid;
	int longform; /* encode the length non-minimally */
};

static size_t
parse_node(const unsigned char *p, size_t n, struct node *out)
{
	size_t hdr = 2, len = p[1], i, off;

	memset(out, 0, sizeof(*out));
	if (p[1] & 0x80) {
		hdr = 2 + (p[1] & 0x7f);
		for (len = 0, i = 2; i < hdr; i++)
			len = (len << 8) | p[i];
	}
	out->tag = p[0];
	if (!(p[0] & 0x20)) {
		out->data = p + hdr;
		out->len = len;
		return hdr + len;
	}
	for (off = hdr; off < hdr + len;) {
		out->kid = realloc(out->kid, (out->nkid + 1) * sizeof(*out->kid));
		off += parse_node(p + off, n - off, &out->kid[out->nkid++]);
	}
	return hdr + len;
}

static size_t encode_node(const struct node *nd, unsigned char *out);

static size_t
body_len(const struct node *nd)
{
	size_t i, body = 0;

	if (!(nd->tag & 0x20))
		return nd->len;
	for (i = 0; i < nd->nkid; i++)
		body += encode_node(&nd->kid[i], NULL);
	return body;
}

/* Writes nd at out (NULL: only measures); returns its length. */
static size_t
encode_node(const struct node *nd, unsigned char *out)
{
	size_t body = body_len(nd), h, i, o, b;
	unsigned char hdr[8];

	hdr[0] = nd->tag;
	if (body < 0x80 && !nd->longform) {
		hdr[1] = (unsigned char)body;
		h = 2;
	} else {
		b = body < 0x100 ? 1 : body < 0x10000 ? 2 : 3;
		hdr[1] = (unsigned char)(0x80 | b);
		for (i = 0; i < b; i++)
			hdr[2 + i] = (unsigned char)(body >> (8 * (b - 1 - i)));
		h = 2 + b;
	}
	if (out != NULL) {
		memcpy(out, hdr, h);
		o = h;
		if (!(nd->tag & 0x20))
			memcpy(out + o, nd->data, nd->len);
		else
			for (i = 0; i < nd->nkid; i++)
				o += encode_node(&nd->kid[i], out + o);
	}
	return h + body;
}

static void
free_node(struct node *nd)
{
	size_t i;

	for (i = 0; i < nd->nkid; i++)
		free_node(&nd->kid[i]);
	free(nd->kid);
}

static void
insert_node(struct node *parent, size_t at, struct node kid)
{
	parent->kid = realloc(parent->kid, (parent->nkid + 1) * sizeof(*parent->kid));
	memmove(parent->kid + at + 1, parent->kid + at, (parent->nkid - at) * sizeof(*parent->kid));
	parent->kid[at] = kid;
	parent->nkid++;
}

static struct node
prim(unsigned char tag, const void *data, size_t len)
{
	struct node nd;

	memset(&nd, 0, sizeof(nd));
	nd.tag = tag;
	nd.data = data;
	nd.len = len;
	return nd;
}

/* The tree's DER in a new buffer (free()). */
static unsigned char *
tree_der(const struct node *nd, size_t *len)
{
	unsigned char *out;

	*len = encode_node(nd, NULL);
	out = malloc(*len);
	encode_node(nd, out);
	return out;
}

/* ---- rule bookkeeping ---- */

static int
rule_index(const char *id)
{
	const char *const *ids;
	size_t n, i;

	ids = ca_lint_rules(&n);
	for (i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return (int)i;
	return -1;
}

static void
show(const struct ca_lint_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		fprintf(stderr, "    %s: %s\n", rep->findings[i].rule, rep->findings[i].message);
}

/*
 * A lint result must be CUSTOS_ELINT with rule among the findings (alone: the
 * only one), and the detail must name the first finding.
 */
static void
expect(const char *rule, int r, const struct ca_lint_report *rep, int alone)
{
	char want[80];
	int i = rule_index(rule), ok;

	CHECK(i >= 0);
	ok = r == CUSTOS_ELINT && ca_lint_report_has(rep, rule) && (!alone || rep->n == 1);
	CHECK(ok);
	if (ok && i >= 0)
		fired[i] = 1;
	if (rep->n > 0) {
		(void)snprintf(want, sizeof(want), "lint %s: ", rep->findings[0].rule);
		CHECK(strncmp(custos_err_detail(), want, strlen(want)) == 0);
	}
	if (!ok || (getenv("LINT_SHOW") != NULL && !alone)) {
		fprintf(stderr, "  expected %s%s, got %d with:\n", rule, alone ? " alone" : "", r);
		show(rep);
	}
}

/* ---- builders ---- */

static X509_NAME *
name3(int type_o, int multi)
{
	X509_NAME *n = X509_NAME_new();

	X509_NAME_add_entry_by_NID(n, NID_countryName, V_ASN1_PRINTABLESTRING,
	                           (const unsigned char *)"US", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_organizationName, type_o,
	                           (const unsigned char *)"Example", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_UTF8STRING,
	                           (const unsigned char *)"Example Issuing CA", -1, -1,
	                           multi ? -1 : 0);
	return n;
}

static void
setup(void)
{
	X509_NAME *name = NULL;
	X509_REQ *req = X509_REQ_new();

	now = time(NULL);
	CHECK_EQ(ca_profile_parse(profile_json, strlen(profile_json), &set), 0);
	CHECK_EQ(ca_profile_find(set, "full", &full), 0);
	CHECK_EQ(ca_key_generate(CA_ALG_EC_P256, &root_key), 0);
	CHECK_EQ(ca_key_generate(CA_ALG_EC_P384, &sub_key), 0);
	CHECK_EQ(ca_key_generate(CA_ALG_EC_P256, &throwaway), 0);
	CHECK_EQ(ca_name_parse("/C=US/O=Example/CN=Example Root CA", &name), 0);
	CHECK_EQ(ca_root_create(root_key, name, 3650, now - 3600, &root), 0);
	X509_NAME_free(name);
	name = name3(V_ASN1_UTF8STRING, 0);
	X509_REQ_set_version(req, X509_REQ_VERSION_1);
	X509_REQ_set_subject_name(req, name);
	X509_REQ_set_pubkey(req, sub_key);
	CHECK(X509_REQ_sign(req, sub_key, EVP_sha384()) > 0);
	CHECK_EQ(ca_issue_cert(full, root, root_key, req, now, NULL, &good), 0);
	if (good == NULL)
		fprintf(stderr, "  issue: %s\n", custos_err_detail());
	X509_NAME_free(name);
	X509_REQ_free(req);
}

/* ---- the good ones ---- */

static void
test_good_ones(void)
{
	struct ca_lint_report rep;
	size_t n;

	CHECK(good != NULL);
	CHECK_EQ(ca_lint_root(root, now, &rep), 0);
	CHECK_EQ(rep.n, 0);
	CHECK_EQ(ca_lint_issuing(good, full, root, now, &rep), 0);
	CHECK_EQ(rep.n, 0);
	show(&rep);
	CHECK(ca_lint_rules(&n) != NULL && n >= 50 && n <= sizeof(fired));
	CHECK_EQ(ca_lint_root(NULL, now, &rep), CUSTOS_EINVAL);
}

/* ---- issuing-CA certificates ---- */

typedef void (*cert_mut)(X509 *x);

/* The good certificate with f applied, re-signed by the throwaway key, linted. */
static void
cert_case(const char *rule, cert_mut f, const struct ca_profile *p, int alone)
{
	X509 *x = X509_dup(good);
	struct ca_lint_report rep;
	int r;

	f(x);
	CHECK(X509_sign(x, throwaway, EVP_sha256()) > 0);
	memset(&rep, 0, sizeof(rep));
	r = ca_lint_issuing(x, p != NULL ? p : full, root, now, &rep);
	expect(rule, r, &rep, alone);
	X509_free(x);
	ERR_clear_error();
}

static void
set_serial_bytes(X509 *x, const unsigned char *b, int n, int negative)
{
	ASN1_INTEGER *s = ASN1_INTEGER_new();

	ASN1_STRING_set(s, b, n);
	if (negative)
		s->type = V_ASN1_NEG_INTEGER;
	X509_set_serialNumber(x, s);
	ASN1_INTEGER_free(s);
}

static void
m_version(X509 *x)
{
	X509_set_version(x, X509_VERSION_2);
}

static void
m_serial_zero(X509 *x)
{
	unsigned char z[1] = {0};

	set_serial_bytes(x, z, 1, 0);
}

static void
m_serial_negative(X509 *x)
{
	unsigned char b[20];

	memset(b, 0x33, sizeof(b));
	set_serial_bytes(x, b, 20, 1);
}

static void
m_serial_short(X509 *x)
{
	unsigned char b[15];

	memset(b, 0x33, sizeof(b));
	set_serial_bytes(x, b, 15, 0);
}

static void
m_serial_top_bit(X509 *x)
{
	unsigned char b[16];

	memset(b, 0x93, sizeof(b)); /* 16 bytes with the top bit set: 17 octets in DER */
	set_serial_bytes(x, b, 16, 0);
}

static void
m_time_encoding(X509 *x)
{
	ASN1_TIME *t = ASN1_GENERALIZEDTIME_set(NULL, now + 1000 * DAY);

	X509_set1_notAfter(x, t);
	ASN1_TIME_free(t);
}

static void
set_times(X509 *x, time_t nb, time_t na)
{
	ASN1_TIME_set(X509_getm_notBefore(x), nb);
	ASN1_TIME_set(X509_getm_notAfter(x), na);
}

static void
m_validity_order(X509 *x)
{
	set_times(x, now, now - 1);
}

static void
m_not_before_future(X509 *x)
{
	set_times(x, now + 3600, now + 1000 * DAY);
}

static void
m_validity_root(X509 *x)
{
	/* one second past the root's notAfter (root: now - 3600, 3650 days) */
	set_times(x, now, now - 3600 + 3650 * DAY);
}

static void
m_validity_days(X509 *x)
{
	set_times(x, now, now + 1827 * DAY - 1);
}

static void
m_subject_unknown(X509 *x)
{
	X509_NAME *n = name3(V_ASN1_UTF8STRING, 0);

	X509_NAME_add_entry_by_NID(n, NID_pkcs9_emailAddress, V_ASN1_IA5STRING,
	                           (const unsigned char *)"ca@example.com", -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_NAME_free(n);
}

static void
m_subject_multi(X509 *x)
{
	X509_NAME *n = name3(V_ASN1_UTF8STRING, 1);

	X509_set_subject_name(x, n);
	X509_NAME_free(n);
}

static void
m_subject_encoding(X509 *x)
{
	X509_NAME *n = name3(V_ASN1_PRINTABLESTRING, 0);

	X509_set_subject_name(x, n);
	X509_NAME_free(n);
}

static void
set_subject(X509 *x, const char *c, const char *o, const char *ou, const char *cn, int reverse)
{
	X509_NAME *n = X509_NAME_new();
	const char *v[4] = {c, o, ou, cn};
	const int nid[4] = {NID_countryName, NID_organizationName, NID_organizationalUnitName,
	                    NID_commonName};
	int i, k;

	for (k = 0; k < 4; k++) {
		i = reverse ? 3 - k : k;
		if (v[i] != NULL)
			X509_NAME_add_entry_by_NID(
			        n, nid[i], i == 0 ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING,
			        (const unsigned char *)v[i], -1, -1, 0);
	}
	X509_set_subject_name(x, n);
	X509_NAME_free(n);
}

static void
m_subject_value(X509 *x)
{
	set_subject(x, "US", "Example", NULL, "Example Issuing CA ", 0);
}

static void
m_subject_profile(X509 *x)
{
	set_subject(x, "US", "Example", "Operations", "Example Issuing CA", 0);
}

static void
m_subject_required(X509 *x)
{
	set_subject(x, "US", NULL, NULL, "Example Issuing CA", 0);
}

static void
m_subject_order(X509 *x)
{
	set_subject(x, "US", "Example", NULL, "Example Issuing CA", 1);
}

static void
m_subject_distinct(X509 *x)
{
	X509_set_subject_name(x, X509_get_subject_name(root));
}

static void
m_issuer_bytes(X509 *x)
{
	X509_NAME *n = X509_NAME_new();

	X509_NAME_add_entry_by_NID(n, NID_countryName, V_ASN1_PRINTABLESTRING,
	                           (const unsigned char *)"US", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_organizationName, V_ASN1_PRINTABLESTRING,
	                           (const unsigned char *)"Example", -1, -1, 0);
	X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_UTF8STRING,
	                           (const unsigned char *)"Example Root CA", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_NAME_free(n);
}

/* Replaces extension nid (added at the end when absent) by the given DER value. */
static void
replace_raw(X509 *x, int nid, int critical, const void *val, int len)
{
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *ext;
	int i = X509_get_ext_by_NID(x, nid, -1);

	ASN1_OCTET_STRING_set(os, val, len);
	ext = X509_EXTENSION_create_by_NID(NULL, nid, critical, os);
	if (i >= 0) {
		X509_EXTENSION_free(X509_delete_ext(x, i));
		X509_add_ext(x, ext, i);
	} else {
		X509_add_ext(x, ext, -1);
	}
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
}

static void
replace_conf(X509 *x, int nid, const char *conf)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int i = X509_get_ext_by_NID(x, nid, -1);

	X509V3_set_ctx(&ctx, root, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, conf);
	CHECK(ext != NULL);
	if (ext == NULL) {
		fprintf(stderr, "  cannot make %s from \"%s\"\n", OBJ_nid2sn(nid), conf);
		ERR_print_errors_fp(stderr);
		return;
	}
	if (i >= 0) {
		X509_EXTENSION_free(X509_delete_ext(x, i));
		X509_add_ext(x, ext, i);
	} else {
		X509_add_ext(x, ext, -1);
	}
	X509_EXTENSION_free(ext);
}

static void
m_ext_duplicate(X509 *x)
{
	X509_add_ext(x, X509_get_ext(x, X509_get_ext_by_NID(x, NID_subject_key_identifier, -1)),
	             -1);
}

static void
m_ext_unknown(X509 *x)
{
	replace_conf(x, NID_subject_alt_name, "DNS:www.example.com");
}

static void
m_ext_der(X509 *x)
{
	/* cA encoded as BOOLEAN 0x01: true for BER, not DER (X.690 11.1) */
	static const unsigned char bc[] = {0x30, 0x06, 0x01, 0x01, 0x01, 0x02, 0x01, 0x01};

	replace_raw(x, NID_basic_constraints, 1, bc, sizeof(bc));
}

static void
m_basic_constraints(X509 *x)
{
	replace_conf(x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
}

static void
m_key_usage(X509 *x)
{
	replace_conf(x, NID_key_usage, "critical,keyCertSign,cRLSign,keyEncipherment");
}

static void
m_ski(X509 *x)
{
	replace_conf(x, NID_subject_key_identifier, "0011223344556677889900112233445566778899");
}

static void
m_aki(X509 *x)
{
	replace_conf(x, NID_authority_key_identifier, "keyid:always,issuer:always");
}

/* A new key for the certificate, with its SKI to match. */
static void
set_key(X509 *x, EVP_PKEY *key)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int i;

	X509_set_pubkey(x, key);
	i = X509_get_ext_by_NID(x, NID_subject_key_identifier, -1);
	X509V3_set_ctx(&ctx, NULL, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	X509_EXTENSION_free(X509_delete_ext(x, i));
	X509_add_ext(x, ext, i);
	X509_EXTENSION_free(ext);
}

static void
m_key(X509 *x)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp224r1");

	set_key(x, k);
	EVP_PKEY_free(k);
}

static void
m_key_rsa_exponent(X509 *x)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *k = NULL;
	BIGNUM *e = BN_new();

	BN_set_word(e, 3);
	EVP_PKEY_keygen_init(c);
	EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048);
	EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, e);
	EVP_PKEY_keygen(c, &k);
	set_key(x, k);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(c);
	BN_free(e);
}

static void
m_key_distinct(X509 *x)
{
	set_key(x, root_key);
}

static void
m_eku(X509 *x)
{
	replace_conf(x, NID_ext_key_usage, "serverAuth");
}

static void
m_eku_any(X509 *x)
{
	replace_conf(x, NID_ext_key_usage, "serverAuth,clientAuth,anyExtendedKeyUsage");
}

static void
m_policies(X509 *x)
{
	/* the profile's two policies, the CPS qualifier left out */
	CERTIFICATEPOLICIES *cp = sk_POLICYINFO_new_null();
	POLICYINFO *a = POLICYINFO_new(), *b = POLICYINFO_new();

	a->policyid = OBJ_txt2obj("2.23.140.1.2.1", 1);
	b->policyid = OBJ_txt2obj("1.3.6.1.4.1.55555.1.1", 1);
	sk_POLICYINFO_push(cp, a);
	sk_POLICYINFO_push(cp, b);
	X509_add1_ext_i2d(x, NID_certificate_policies, cp, 0, X509V3_ADD_REPLACE);
	sk_POLICYINFO_pop_free(cp, POLICYINFO_free);
}

static void
m_crl_dp(X509 *x)
{
	replace_conf(x, NID_crl_distribution_points, "URI:http://crl.example.com/other.crl");
}

static void
m_aia(X509 *x)
{
	replace_conf(x, NID_info_access,
	             "caIssuers;URI:http://example.com/root.cer,OCSP;URI:http://ocsp.example.com");
}

static void
m_name_constraints(X509 *x)
{
	/* the profile's subtrees, not critical */
	replace_conf(x, NID_name_constraints,
	             "permitted;DNS:example.com,"
	             "permitted;IP:192.0.2.0/255.255.255.0,"
	             "excluded;IP:2001:db8::/ffff:ffff::");
}

static void
m_name_constraints_subtrees(X509 *x)
{
	replace_conf(x, NID_name_constraints,
	             "critical,permitted;DNS:example.com,"
	             "permitted;IP:192.0.2.0/255.255.255.0");
}

static void
m_drop_aia(X509 *x)
{
	X509_EXTENSION_free(X509_delete_ext(x, X509_get_ext_by_NID(x, NID_info_access, -1)));
}

static void
test_issuing_rules(void)
{
	struct ca_profile longer = *full;

	longer.validity_days = 3650;
	cert_case("cert.version", m_version, NULL, 1);
	cert_case("cert.serial", m_serial_negative, NULL, 1);
	cert_case("cert.serial", m_serial_zero, NULL, 0);
	cert_case("cert.serial-length", m_serial_short, NULL, 1);
	cert_case("cert.serial-top-bit", m_serial_top_bit, NULL, 1);
	cert_case("cert.time-encoding", m_time_encoding, NULL, 1);
	cert_case("cert.validity-order", m_validity_order, NULL, 1);
	cert_case("cert.not-before-future", m_not_before_future, NULL, 1);
	cert_case("cert.subject-structure", m_subject_unknown, NULL, 1);
	cert_case("cert.subject-structure", m_subject_multi, NULL, 1);
	cert_case("cert.subject-encoding", m_subject_encoding, NULL, 1);
	cert_case("cert.subject-value", m_subject_value, NULL, 1);
	cert_case("cert.extension-duplicate", m_ext_duplicate, NULL, 1);
	cert_case("cert.extension-unknown", m_ext_unknown, NULL, 1);
	cert_case("cert.extension-der", m_ext_der, NULL, 1);
	cert_case("cert.basic-constraints", m_basic_constraints, NULL, 1);
	cert_case("cert.key-usage", m_key_usage, NULL, 1);
	cert_case("cert.ski", m_ski, NULL, 1);
	cert_case("cert.aki", m_aki, NULL, 1);
	cert_case("ca.issuer-bytes", m_issuer_bytes, NULL, 1);
	cert_case("ca.validity-root", m_validity_root, &longer, 1);
	cert_case("ca.validity-days", m_validity_days, NULL, 1);
	cert_case("ca.key", m_key, NULL, 1);
	cert_case("ca.key", m_key_rsa_exponent, NULL, 1);
	cert_case("ca.key-distinct", m_key_distinct, NULL, 1);
	cert_case("ca.subject-profile", m_subject_profile, NULL, 1);
	cert_case("ca.subject-profile", m_subject_required, NULL, 1);
	cert_case("ca.subject-order", m_subject_order, NULL, 1);
	cert_case("ca.subject-distinct", m_subject_distinct, NULL, 1);
	cert_case("ca.eku", m_eku, NULL, 1);
	cert_case("ca.eku-any", m_eku_any, NULL, 1);
	cert_case("ca.policies", m_policies, NULL, 1);
	cert_case("ca.crl-dp", m_crl_dp, NULL, 1);
	cert_case("ca.aia", m_aia, NULL, 1);
	cert_case("ca.aia", m_drop_aia, NULL, 1);
	cert_case("ca.name-constraints", m_name_constraints, NULL, 1);
	cert_case("ca.name-constraints", m_name_constraints_subtrees, NULL, 1);
}

/* The good certificate re-signed with SHA-384 (both algorithm fields agree). */
static void
m_none(X509 *x)
{
	(void)x;
}

static void
test_issuing_der_rules(void)
{
	X509 *x = X509_dup(good);
	struct ca_lint_report rep;
	unsigned char *der = NULL, *edited, *longer;
	size_t len, elen;
	struct node cert;
	static const unsigned char sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
	                                       0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
	static const unsigned char uid[] = {0x00, 0x01, 0x02};
	int n, r;

	/* cert.sig-alg: signed with the wrong digest for the root's key */
	CHECK(X509_sign(x, throwaway, EVP_sha384()) > 0);
	r = ca_lint_issuing(x, full, root, now, &rep);
	expect("cert.sig-alg", r, &rep, 1);
	X509_free(x);
	x = X509_dup(good);
	m_none(x);
	CHECK(X509_sign(x, throwaway, EVP_sha256()) > 0);
	n = i2d_X509(x, &der);
	len = (size_t)n;
	/* cert.der: one trailing byte; and a non-minimal length */
	longer = malloc(len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	r = ca_lint_issuing_der(longer, len + 1, full, root, now, &rep);
	expect("cert.der", r, &rep, 1);
	free(longer);
	parse_node(der, len, &cert);
	cert.kid[0].kid[1].longform = 1; /* the serial's length as 0x81 0x14 */
	edited = tree_der(&cert, &elen);
	r = ca_lint_issuing_der(edited, elen, full, root, now, &rep);
	expect("cert.der", r, &rep, 1);
	free(edited);
	cert.kid[0].kid[1].longform = 0;
	/* cert.sig-alg-match: the outer algorithm alone changed */
	free_node(&cert.kid[1]);
	parse_node(sha384, sizeof(sha384), &cert.kid[1]);
	edited = tree_der(&cert, &elen);
	r = ca_lint_issuing_der(edited, elen, full, root, now, &rep);
	expect("cert.sig-alg-match", r, &rep, 1);
	free(edited);
	free_node(&cert);
	/* cert.unique-ids: a subjectUniqueID [2] after the key */
	parse_node(der, len, &cert);
	insert_node(&cert.kid[0], 7, prim(0x82, uid, sizeof(uid)));
	edited = tree_der(&cert, &elen);
	r = ca_lint_issuing_der(edited, elen, full, root, now, &rep);
	expect("cert.unique-ids", r, &rep, 1);
	free(edited);
	free_node(&cert);
	OPENSSL_free(der);
	X509_free(x);
}

static void
test_first_finding(void)
{
	X509 *x = X509_dup(good);
	struct ca_lint_report rep;

	m_eku(x); /* a later rule */
	m_ski(x); /* an earlier one */
	CHECK(X509_sign(x, throwaway, EVP_sha256()) > 0);
	CHECK_EQ(ca_lint_issuing(x, full, root, now, &rep), CUSTOS_ELINT);
	CHECK_EQ(rep.n, 2);
	CHECK(strcmp(rep.findings[0].rule, "cert.ski") == 0);
	CHECK(strcmp(rep.findings[1].rule, "ca.eku") == 0);
	CHECK(strncmp(custos_err_detail(), "lint cert.ski: ", 15) == 0);
	/* a report is optional */
	CHECK_EQ(ca_lint_issuing(x, full, root, now, NULL), CUSTOS_ELINT);
	X509_free(x);
}

/* ---- roots ---- */

typedef void (*root_mut)(X509 *x, EVP_PKEY **signer);

static void
root_case(const char *rule, root_mut f, int alone)
{
	X509 *x = X509_dup(root);
	EVP_PKEY *signer = root_key;
	struct ca_lint_report rep;
	int r;

	f(x, &signer);
	CHECK(X509_sign(x, signer, EVP_sha256()) > 0);
	r = ca_lint_root(x, now, &rep);
	expect(rule, r, &rep, alone);
	if (signer != root_key)
		EVP_PKEY_free(signer);
	X509_free(x);
	ERR_clear_error();
}

static void
r_issuer_bytes(X509 *x, EVP_PKEY **signer)
{
	(void)signer;
	m_issuer_bytes(x);
}

static void
r_validity(X509 *x, EVP_PKEY **signer)
{
	(void)signer;
	set_times(x, now - 3600, now - 3600 + 2000 * DAY);
}

static void
r_extensions(X509 *x, EVP_PKEY **signer)
{
	(void)signer;
	replace_conf(x, NID_ext_key_usage, "serverAuth");
}

static void
r_path_len(X509 *x, EVP_PKEY **signer)
{
	(void)signer;
	replace_conf(x, NID_basic_constraints, "critical,CA:TRUE,pathlen:1");
}

static void
r_key(X509 *x, EVP_PKEY **signer)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
	unsigned char id[20];
	unsigned int n = 0;

	set_key(x, k);
	X509_pubkey_digest(x, EVP_sha1(), id, &n);
	aki->keyid = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(aki->keyid, id, (int)n);
	X509_add1_ext_i2d(x, NID_authority_key_identifier, aki, 0, X509V3_ADD_REPLACE);
	AUTHORITY_KEYID_free(aki);
	*signer = k;
}

static void
test_root_rules(void)
{
	X509 *x;
	unsigned char *der = NULL;
	const unsigned char *p;
	struct ca_lint_report rep;
	int n;

	root_case("root.issuer-bytes", r_issuer_bytes, 1);
	root_case("root.validity-days", r_validity, 1);
	root_case("root.extensions", r_extensions, 1);
	root_case("cert.basic-constraints", r_path_len, 1);
	root_case("root.key", r_key, 0); /* secp256k1 is no custos key: cert.sig-alg too */
	/* root.signature: one byte of the signature changed */
	n = i2d_X509(root, &der);
	der[n - 2] ^= 0x01;
	p = der;
	x = d2i_X509(NULL, &p, n);
	CHECK(x != NULL);
	expect("root.signature", ca_lint_root(x, now, &rep), &rep, 1);
	X509_free(x);
	OPENSSL_free(der);
	/* the root lint judges the time too */
	expect("cert.not-before-future", ca_lint_root(root, now - 7200, &rep), &rep, 1);
}

/* ---- CRLs ---- */

static void
add_revoked(X509_CRL *c, const unsigned char *serial, int n, time_t at, int reason)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_INTEGER *s = ASN1_INTEGER_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, at);
	ASN1_ENUMERATED *e;

	ASN1_STRING_set(s, serial, n);
	X509_REVOKED_set_serialNumber(rev, s);
	X509_REVOKED_set_revocationDate(rev, t);
	if (reason >= 0) {
		e = ASN1_ENUMERATED_new();
		ASN1_ENUMERATED_set(e, reason);
		X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, e, 0, 0);
		ASN1_ENUMERATED_free(e);
	}
	X509_CRL_add0_revoked(c, rev);
	ASN1_INTEGER_free(s);
	ASN1_TIME_free(t);
}

/* A CRL built with OpenSSL's own API that passes every rule. */
static X509_CRL *
crl_base(int entries)
{
	X509_CRL *c = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, now);
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
	ASN1_INTEGER *num = ASN1_INTEGER_new();

	X509_CRL_set_version(c, X509_CRL_VERSION_2);
	X509_CRL_set_issuer_name(c, X509_get_subject_name(root));
	X509_CRL_set1_lastUpdate(c, t);
	ASN1_TIME_set(t, now + 30 * DAY);
	X509_CRL_set1_nextUpdate(c, t);
	if (entries) {
		add_revoked(c, (const unsigned char *)"\x05", 1, now - 100, 1);
		add_revoked(c, (const unsigned char *)"\x07", 1, now - 50, -1);
	}
	aki->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(root));
	X509_CRL_add1_ext_i2d(c, NID_authority_key_identifier, aki, 0, 0);
	ASN1_INTEGER_set(num, 7);
	X509_CRL_add1_ext_i2d(c, NID_crl_number, num, 0, 0);
	AUTHORITY_KEYID_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	return c;
}

static unsigned char *
crl_der(X509_CRL *c, const EVP_MD *md, size_t *len)
{
	unsigned char *der = NULL;
	int n;

	CHECK(X509_CRL_sign(c, root_key, md) > 0);
	n = i2d_X509_CRL(c, &der);
	CHECK(n > 0);
	*len = (size_t)n;
	return der;
}

typedef void (*crl_mut)(X509_CRL *c);

static void
crl_case(const char *rule, crl_mut f, int entries, const EVP_MD *md, int alone)
{
	X509_CRL *c = crl_base(entries);
	struct ca_lint_report rep;
	unsigned char *der;
	size_t len;

	f(c);
	der = crl_der(c, md != NULL ? md : EVP_sha256(), &len);
	expect(rule, ca_lint_crl(der, len, root, 30, now, &rep), &rep, alone);
	OPENSSL_free(der);
	X509_CRL_free(c);
	ERR_clear_error();
}

static void
c_none(X509_CRL *c)
{
	(void)c;
}

static void
c_version(X509_CRL *c)
{
	X509_CRL_set_version(c, X509_CRL_VERSION_1);
}

static void
c_issuer_bytes(X509_CRL *c)
{
	X509 *x = X509_new();

	m_issuer_bytes(x);
	X509_CRL_set_issuer_name(c, X509_get_issuer_name(x));
	X509_free(x);
}

static void
c_time_encoding(X509_CRL *c)
{
	ASN1_TIME *t = ASN1_GENERALIZEDTIME_set(NULL, now);

	X509_CRL_set1_lastUpdate(c, t);
	ASN1_TIME_free(t);
}

static void
c_times(X509_CRL *c, time_t this_update, time_t next_update)
{
	ASN1_TIME *t = ASN1_TIME_set(NULL, this_update);

	X509_CRL_set1_lastUpdate(c, t);
	ASN1_TIME_set(t, next_update);
	X509_CRL_set1_nextUpdate(c, t);
	ASN1_TIME_free(t);
}

static void
c_this_update(X509_CRL *c)
{
	c_times(c, now + 3600, now + 3600 + 10 * DAY);
}

static void
c_next_update(X509_CRL *c)
{
	c_times(c, now, now + 31 * DAY);
}

static void
c_next_update_before(X509_CRL *c)
{
	c_times(c, now, now - 1);
}

static void
c_aki(X509_CRL *c)
{
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();

	aki->keyid = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(aki->keyid, (const unsigned char *)"0123456789abcdefghij", 20);
	X509_CRL_add1_ext_i2d(c, NID_authority_key_identifier, aki, 0, X509V3_ADD_REPLACE);
	AUTHORITY_KEYID_free(aki);
}

static void
c_number(X509_CRL *c)
{
	ASN1_INTEGER *num = ASN1_INTEGER_new();

	ASN1_INTEGER_set(num, 8);
	X509_CRL_add1_ext_i2d(c, NID_crl_number, num, 1, X509V3_ADD_REPLACE); /* critical */
	ASN1_INTEGER_free(num);
}

static void
c_no_number(X509_CRL *c)
{
	X509_EXTENSION_free(X509_CRL_delete_ext(c, X509_CRL_get_ext_by_NID(c, NID_crl_number, -1)));
}

static void
c_extensions(X509_CRL *c)
{
	ASN1_INTEGER *num = ASN1_INTEGER_new();

	ASN1_INTEGER_set(num, 6);
	X509_CRL_add1_ext_i2d(c, NID_delta_crl, num, 1, 0);
	ASN1_INTEGER_free(num);
}

static void
c_serial(X509_CRL *c)
{
	unsigned char big[21];

	memset(big, 0x7f, sizeof(big));
	add_revoked(c, big, sizeof(big), now - 10, -1);
}

static void
c_order(X509_CRL *c)
{
	add_revoked(c, (const unsigned char *)"\x06", 1, now - 10, -1);
}

static void
c_duplicate(X509_CRL *c)
{
	add_revoked(c, (const unsigned char *)"\x07", 1, now - 10, -1);
}

static void
c_revocation_date(X509_CRL *c)
{
	add_revoked(c, (const unsigned char *)"\x09", 1, now + 100, -1);
}

static void
c_reason_unspecified(X509_CRL *c)
{
	add_revoked(c, (const unsigned char *)"\x09", 1, now - 10, 0);
}

static void
c_reason_hold(X509_CRL *c)
{
	add_revoked(c, (const unsigned char *)"\x09", 1, now - 10, 6);
}

static void
c_entry_extensions(X509_CRL *c)
{
	X509_REVOKED *rev = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(c), 1);
	ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_set(NULL, now - 1000);

	X509_REVOKED_add1_ext_i2d(rev, NID_invalidity_date, t, 0, 0);
	ASN1_GENERALIZEDTIME_free(t);
}

static void
test_crl_good(void)
{
	X509_CRL *c = crl_base(1);
	struct ca_lint_report rep;
	struct ca_crl_builder *b = NULL;
	unsigned char *der;
	size_t len;

	der = crl_der(c, EVP_sha256(), &len);
	CHECK_EQ(ca_lint_crl(der, len, root, 30, now, &rep), 0);
	CHECK_EQ(rep.n, 0);
	show(&rep);
	/* a CRL with nextUpdate 30 days out breaks a 29-day profile */
	expect("crl.next-update", ca_lint_crl(der, len, root, 29, now, &rep), &rep, 1);
	CHECK_EQ(ca_lint_crl(der, len, root, 0, now, &rep), CUSTOS_EINVAL);
	CHECK_EQ(ca_lint_crl(der, len, root, 366, now, &rep), CUSTOS_EINVAL);
	OPENSSL_free(der);
	X509_CRL_free(c);
	/* and the builder's own */
	CHECK_EQ(ca_crl_begin_u64(root, 1, now, 30, &b), 0);
	CHECK_EQ(ca_crl_finish(b, root_key, &der, &len), 0);
	CHECK_EQ(ca_lint_crl(der, len, root, 30, now, &rep), 0);
	ca_crl_builder_free(b);
	OPENSSL_free(der);
}

static void
test_crl_rules(void)
{
	crl_case("crl.version", c_version, 1, NULL, 1);
	crl_case("crl.sig-alg", c_none, 1, EVP_sha384(), 1);
	crl_case("crl.issuer-bytes", c_issuer_bytes, 1, NULL, 1);
	crl_case("crl.time-encoding", c_time_encoding, 1, NULL, 1);
	crl_case("crl.this-update", c_this_update, 1, NULL, 1);
	crl_case("crl.next-update", c_next_update, 1, NULL, 1);
	crl_case("crl.next-update", c_next_update_before, 1, NULL, 1);
	crl_case("crl.aki", c_aki, 1, NULL, 1);
	crl_case("crl.number", c_number, 1, NULL, 1);
	crl_case("crl.number", c_no_number, 1, NULL, 1);
	crl_case("crl.extensions", c_extensions, 1, NULL, 1);
	crl_case("crl.serial", c_serial, 1, NULL, 1);
	crl_case("crl.order", c_order, 1, NULL, 1);
	crl_case("crl.order", c_duplicate, 1, NULL, 1);
	crl_case("crl.revocation-date", c_revocation_date, 1, NULL, 1);
	crl_case("crl.reason", c_reason_unspecified, 1, NULL, 1);
	crl_case("crl.reason", c_reason_hold, 1, NULL, 1);
	crl_case("crl.entry-extensions", c_entry_extensions, 1, NULL, 1);
}

static void
test_crl_der_rules(void)
{
	X509_CRL *c = crl_base(0);
	struct ca_lint_report rep;
	static const unsigned char sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
	                                       0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
	unsigned char *der, *edited, *longer;
	size_t len, elen;
	struct node crl;

	der = crl_der(c, EVP_sha256(), &len);
	CHECK_EQ(ca_lint_crl(der, len, root, 30, now, &rep), 0);
	/* crl.der: a trailing byte */
	longer = malloc(len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	expect("crl.der", ca_lint_crl(longer, len + 1, root, 30, now, &rep), &rep, 1);
	free(longer);
	/* crl.empty-list: an empty revokedCertificates after nextUpdate */
	parse_node(der, len, &crl);
	insert_node(&crl.kid[0], 5, prim(0x30, NULL, 0));
	edited = tree_der(&crl, &elen);
	expect("crl.empty-list", ca_lint_crl(edited, elen, root, 30, now, &rep), &rep, 1);
	free(edited);
	free_node(&crl);
	/* crl.sig-alg-match: the outer algorithm alone changed */
	parse_node(der, len, &crl);
	free_node(&crl.kid[1]);
	parse_node(sha384, sizeof(sha384), &crl.kid[1]);
	edited = tree_der(&crl, &elen);
	expect("crl.sig-alg-match", ca_lint_crl(edited, elen, root, 30, now, &rep), &rep, 1);
	free(edited);
	free_node(&crl);
	/* crl.der: a non-minimal length inside */
	parse_node(der, len, &crl);
	crl.kid[0].kid[0].longform = 1;
	edited = tree_der(&crl, &elen);
	expect("crl.der", ca_lint_crl(edited, elen, root, 30, now, &rep), &rep, 1);
	free(edited);
	free_node(&crl);
	/* the TBS-only entry point sees the same rules (all but the outer ones) */
	parse_node(der, len, &crl);
	insert_node(&crl.kid[0], 5, prim(0x30, NULL, 0));
	edited = tree_der(&crl.kid[0], &elen);
	expect("crl.empty-list", ca_lint_crl_tbs(edited, elen, root, 30, now, &rep), &rep, 1);
	free(edited);
	free_node(&crl);
	OPENSSL_free(der);
	X509_CRL_free(c);
}

static void
test_every_rule_fired(void)
{
	const char *const *ids;
	size_t n, i;

	ids = ca_lint_rules(&n);
	for (i = 0; i < n; i++) {
		CHECK(fired[i]);
		if (!fired[i])
			fprintf(stderr, "  no test breaks rule %s\n", ids[i]);
	}
}

int
main(void)
{
	setup();
	RUN(test_good_ones);
	RUN(test_issuing_rules);
	RUN(test_issuing_der_rules);
	RUN(test_first_finding);
	RUN(test_root_rules);
	RUN(test_crl_good);
	RUN(test_crl_rules);
	RUN(test_crl_der_rules);
	RUN(test_every_rule_fired);
	X509_free(good);
	X509_free(root);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(sub_key);
	EVP_PKEY_free(throwaway);
	ca_profile_set_free(set);
	return HARNESS_END();
}
