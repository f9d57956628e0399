/*
 * ca_crl: CRLs built by the streaming builder parse with OpenSSL to exactly
 * what was added, carry the root subject's bytes as issuer, have no
 * revokedCertificates field when empty, switch to GeneralizedTime in 2050,
 * verify with `openssl crl -CAfile` and `certtool --verify-crl` (and stop
 * verifying when a byte changes), and every refusal of the builder says why.
 */
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ca/ca_crl.h"
#include "ca/ca_der.h"
#include "ca/ca_key.h"
#include "ca/ca_lint.h"
#include "ca/ca_name.h"
#include "ca/ca_root.h"
#include "harness.h"

#define DAY 86400

static EVP_PKEY *root_key;
static X509 *root;
static time_t now;
static char dir[] = "/tmp/custos-crl-XXXXXX";

static X509 *
make_root(EVP_PKEY *key, time_t t)
{
	X509_NAME *name = NULL;
	X509 *x = NULL;

	CHECK_EQ(ca_name_parse("/C=US/O=Example/CN=Example Root CA", &name), 0);
	CHECK_EQ(ca_root_create(key, name, 3650, t, &x), 0);
	X509_NAME_free(name);
	return x;
}

static int
run(const char *fmt)
{
	char cmd[1024];
	int st;

	(void)snprintf(cmd, sizeof(cmd), fmt, dir, dir, dir, dir);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
write_file(const char *name, const void *p, size_t n)
{
	char path[256];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK((f = fopen(path, "w")) != NULL);
	if (f == NULL)
		return;
	CHECK(fwrite(p, 1, n, f) == n);
	fclose(f);
}

/* Both verifiers on the CRL der under root r: 0 when both accept it. */
static int
verifiers_accept(X509 *r, const unsigned char *der, size_t len)
{
	char *pem = NULL;
	size_t pemlen = 0;
	FILE *f;
	char path[256];
	int a, b;

	(void)snprintf(path, sizeof(path), "%s/root.pem", dir);
	CHECK((f = fopen(path, "w")) != NULL);
	if (f != NULL) {
		CHECK(PEM_write_X509(f, r) == 1);
		fclose(f);
	}
	CHECK_EQ(ca_crl_to_pem(der, len, &pem, &pemlen), 0);
	CHECK(pem != NULL && strncmp(pem, "-----BEGIN X509 CRL-----\n", 25) == 0);
	write_file("root.crl", pem, pemlen);
	OPENSSL_free(pem);
	a = run("openssl crl -in %s/root.crl -CAfile %s/root.pem -noout 2>%s/openssl.out && "
	        "grep -q '^verify OK' %s/openssl.out");
	b = run("certtool --verify-crl --load-ca-certificate %s/root.pem --infile %s/root.crl "
	        ">/dev/null 2>&1");
	return (a != 0) + 2 * (b != 0);
}

static X509_CRL *
parse(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);

	CHECK(crl != NULL && p == der + len);
	return crl;
}

/* The TBSCertList's fields: how many, and whether one after nextUpdate is a SEQUENCE. */
static int
tbs_has_list(const unsigned char *der, size_t len)
{
	struct ca_der_r r, crl, tbs, el;
	int i;

	ca_der_r_init(&r, der, len);
	if (ca_der_r_get(&r, CA_DER_SEQUENCE, &crl, "crl") != 0 ||
	    ca_der_r_get(&crl, CA_DER_SEQUENCE, &tbs, "tbs") != 0)
		return -1;
	for (i = 0; i < 5; i++) /* version, signature, issuer, thisUpdate, nextUpdate */
		if (ca_der_r_get_tlv(&tbs, &el, "field") != 0)
			return -1;
	return ca_der_r_peek(&tbs, CA_DER_SEQUENCE);
}

static void
setup(void)
{
	now = time(NULL);
	CHECK(mkdtemp(dir) != NULL);
	CHECK_EQ(ca_key_generate(CA_ALG_EC_P256, &root_key), 0);
	root = make_root(root_key, now - 3600);
}

static void
test_reasons(void)
{
	enum ca_crl_reason r;

	CHECK_EQ(ca_crl_reason_from_name("keyCompromise", &r), 0);
	CHECK_EQ(r, CA_CRL_REASON_KEY_COMPROMISE);
	CHECK_EQ(ca_crl_reason_from_name("privilegeWithdrawn", &r), 0);
	CHECK_EQ(r, 9);
	CHECK_EQ(ca_crl_reason_from_name("unspecified", &r), 0);
	CHECK_EQ(r, CA_CRL_REASON_NONE);
	CHECK_EQ(ca_crl_reason_from_name("certificateHold", &r), CUSTOS_EINVAL);
	CHECK(strstr(custos_err_detail(), "certificateHold is not used") != NULL);
	CHECK_EQ(ca_crl_reason_from_name("KeyCompromise", &r), CUSTOS_EINVAL);
	CHECK(strcmp(ca_crl_reason_name(CA_CRL_REASON_SUPERSEDED), "superseded") == 0);
	CHECK(strcmp(ca_crl_reason_name(CA_CRL_REASON_NONE), "none") == 0);
	CHECK(strcmp(ca_crl_reason_name((enum ca_crl_reason)2), "?") == 0);
}

static void
test_empty(void)
{
	struct ca_crl_builder *b = NULL;
	unsigned char *der = NULL;
	size_t len = 0;
	X509_CRL *crl;
	const unsigned char *a = NULL, *s = NULL;
	size_t alen = 0, slen = 0;
	ASN1_INTEGER *num;

	CHECK_EQ(ca_crl_begin_u64(root, 1, now, 30, &b), 0);
	CHECK_EQ(ca_crl_finish(b, root_key, &der, &len), 0);
	ca_crl_builder_free(b);
	if (der == NULL)
		return;
	CHECK_EQ(tbs_has_list(der, len), 0); /* no revokedCertificates at all */
	crl = parse(der, len);
	CHECK_EQ(X509_CRL_get_version(crl), X509_CRL_VERSION_2);
	CHECK_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), -1);
	CHECK_EQ(ASN1_TIME_cmp_time_t(X509_CRL_get0_lastUpdate(crl), now), 0);
	CHECK_EQ(ASN1_TIME_cmp_time_t(X509_CRL_get0_nextUpdate(crl), now + 30L * DAY), 0);
	CHECK(X509_NAME_get0_der(X509_CRL_get_issuer(crl), &a, &alen) == 1);
	CHECK(X509_NAME_get0_der(X509_get_subject_name(root), &s, &slen) == 1);
	CHECK(alen == slen && memcmp(a, s, alen) == 0);
	num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	CHECK(num != NULL && ASN1_INTEGER_get(num) == 1);
	ASN1_INTEGER_free(num);
	CHECK_EQ(X509_CRL_get_ext_count(crl), 2);
	CHECK(X509_CRL_verify(crl, X509_get0_pubkey(root)) == 1);
	CHECK_EQ(verifiers_accept(root, der, len), 0);
	X509_CRL_free(crl);
	OPENSSL_free(der);
}

static void
serial_of(unsigned i, unsigned char s[20])
{
	memset(s, 0, 20);
	s[0] = 0x40;
	s[16] = (unsigned char)(i >> 24);
	s[17] = (unsigned char)(i >> 16);
	s[18] = (unsigned char)(i >> 8);
	s[19] = (unsigned char)i;
}

static void
test_entries(void)
{
	static const enum ca_crl_reason rs[] = {CA_CRL_REASON_NONE,
	                                        CA_CRL_REASON_KEY_COMPROMISE,
	                                        CA_CRL_REASON_AFFILIATION_CHANGED,
	                                        CA_CRL_REASON_SUPERSEDED,
	                                        CA_CRL_REASON_CESSATION_OF_OPERATION,
	                                        CA_CRL_REASON_PRIVILEGE_WITHDRAWN};
	struct ca_crl_builder *b = NULL;
	unsigned char *der = NULL, s[20], small[] = {0x05};
	size_t len = 0, i;
	X509_CRL *crl;
	X509_REVOKED *rev;
	ASN1_ENUMERATED *reason;
	AUTHORITY_KEYID *aki;

	CHECK_EQ(ca_crl_begin_u64(root, 77, now, 365, &b), 0);
	CHECK_EQ(ca_crl_add(b, small, 1, now - 10, CA_CRL_REASON_NONE), 0);
	for (i = 0; i < 6; i++) {
		serial_of((unsigned)i, s);
		CHECK_EQ(ca_crl_add(b, s, 20, now - 100 + (time_t)i, rs[i]), 0);
	}
	CHECK_EQ(ca_crl_count(b), 7);
	CHECK_EQ(ca_crl_finish(b, root_key, &der, &len), 0);
	ca_crl_builder_free(b);
	if (der == NULL)
		return;
	CHECK_EQ(tbs_has_list(der, len), 1);
	crl = parse(der, len);
	CHECK_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 7);
	for (i = 0; i < 7; i++) {
		rev = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(crl), (int)i);
		if (i == 0) {
			CHECK_EQ(ASN1_INTEGER_get(X509_REVOKED_get0_serialNumber(rev)), 5);
			continue;
		}
		serial_of((unsigned)i - 1, s);
		CHECK_EQ(ASN1_STRING_length(X509_REVOKED_get0_serialNumber(rev)), 20);
		CHECK(memcmp(ASN1_STRING_get0_data(X509_REVOKED_get0_serialNumber(rev)), s, 20) ==
		      0);
		CHECK_EQ(ASN1_TIME_cmp_time_t(X509_REVOKED_get0_revocationDate(rev),
		                              now - 100 + (time_t)i - 1),
		         0);
		reason = X509_REVOKED_get_ext_d2i(rev, NID_crl_reason, NULL, NULL);
		if (rs[i - 1] == CA_CRL_REASON_NONE)
			CHECK(reason == NULL && X509_REVOKED_get_ext_count(rev) == 0);
		else
			CHECK(reason != NULL && ASN1_ENUMERATED_get(reason) == rs[i - 1]);
		ASN1_ENUMERATED_free(reason);
	}
	aki = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
	CHECK(aki != NULL && aki->issuer == NULL && aki->serial == NULL &&
	      ASN1_OCTET_STRING_cmp(aki->keyid, X509_get0_subject_key_id(root)) == 0);
	AUTHORITY_KEYID_free(aki);
	CHECK(X509_CRL_verify(crl, X509_get0_pubkey(root)) == 1);
	CHECK_EQ(verifiers_accept(root, der, len), 0);
	/* The verifiers can fail: one byte of the signature changed. */
	der[len - 3] ^= 0x01;
	CHECK_EQ(verifiers_accept(root, der, len), 3);
	X509_CRL_free(crl);
	OPENSSL_free(der);
}

/* The first Time TLV tag after offset 0 whose contents start with want. */
static int
has_time(const unsigned char *der, size_t len, unsigned char tag, const char *want)
{
	size_t i, n = strlen(want);

	for (i = 0; i + 2 + n <= len; i++)
		if (der[i] == tag && der[i + 1] == (tag == 0x17 ? 13 : 15) &&
		    memcmp(der + i + 2, want, n) == 0)
			return 1;
	return 0;
}

static void
test_time_encoding(void)
{
	time_t t2049 = 2524607999; /* 2049-12-31T23:59:59Z */
	time_t t2050 = 2524608000; /* 2050-01-01T00:00:00Z */
	time_t t2051 = 2556144000; /* 2051-01-01T00:00:00Z */
	EVP_PKEY *key = NULL;
	X509 *r2;
	struct ca_crl_builder *b = NULL;
	unsigned char *der = NULL, s1[] = {1}, s2[] = {2};
	size_t len = 0;
	X509_CRL *crl;

	CHECK_EQ(ca_key_generate(CA_ALG_EC_P384, &key), 0);
	r2 = make_root(key, t2049 - 100L * DAY);
	CHECK_EQ(ca_crl_begin_u64(r2, 9, t2051, 1, &b), 0);
	CHECK_EQ(ca_crl_add(b, s1, 1, t2049, CA_CRL_REASON_SUPERSEDED), 0);
	CHECK_EQ(ca_crl_add(b, s2, 1, t2050, CA_CRL_REASON_NONE), 0);
	CHECK_EQ(ca_crl_finish(b, key, &der, &len), 0);
	if (der != NULL) {
		CHECK(has_time(der, len, 0x17, "491231235959Z"));
		CHECK(has_time(der, len, 0x18, "20500101000000Z"));
		CHECK(has_time(der, len, 0x18, "20510101000000Z"));
		CHECK(has_time(der, len, 0x18, "20510102000000Z"));
		CHECK(!has_time(der, len, 0x18, "2049"));
		crl = parse(der, len);
		CHECK(X509_CRL_verify(crl, X509_get0_pubkey(r2)) == 1);
		X509_CRL_free(crl);
	}
	ca_crl_builder_free(b);
	OPENSSL_free(der);
	X509_free(r2);
	EVP_PKEY_free(key);
}

static void
refused_add(struct ca_crl_builder *b, const unsigned char *s, size_t n, time_t t, int reason,
            const char *want)
{
	size_t before = ca_crl_count(b);

	CHECK_EQ(ca_crl_add(b, s, n, t, (enum ca_crl_reason)reason), CUSTOS_EINVAL);
	CHECK(strstr(custos_err_detail(), want) != NULL);
	if (strstr(custos_err_detail(), want) == NULL)
		fprintf(stderr, "  got: %s\n  want: %s\n", custos_err_detail(), want);
	CHECK_EQ(ca_crl_count(b), before);
}

static void
test_add_refusals(void)
{
	struct ca_crl_builder *b = NULL;
	unsigned char s10[] = {0x10}, s05[] = {0x05}, lead0[] = {0x00, 0x20}, top[] = {0x80},
	              big[21], two[] = {0x01, 0x00};
	unsigned char *der = NULL;
	size_t len = 0;

	memset(big, 0x11, sizeof(big));
	CHECK_EQ(ca_crl_begin_u64(root, 2, now, 30, &b), 0);
	CHECK_EQ(ca_crl_add(b, s10, 1, now, CA_CRL_REASON_NONE), 0);
	refused_add(b, s05, 1, now, -1, "serial 05 is below the one before");
	refused_add(b, s10, 1, now, -1, "serial 10 is given twice");
	refused_add(b, lead0, 2, now, -1, "serial 0020: leading zero byte");
	refused_add(b, top, 1, now, -1, "serial 80: top bit set");
	refused_add(b, big, 21, now, -1, "a serial is 1 to 20 bytes");
	refused_add(b, s10, 0, now, -1, "a serial is 1 to 20 bytes");
	refused_add(b, two, 2, now + 1, -1, "after thisUpdate");
	refused_add(b, two, 2, now, 0, "reason 0 is not one");
	refused_add(b, two, 2, now, 2, "reason 2 is not one");
	refused_add(b, two, 2, now, 6, "reason 6 is not one");
	refused_add(b, two, 2, now, 8, "reason 8 is not one");
	CHECK_EQ(ca_crl_add(b, two, 2, now, CA_CRL_REASON_KEY_COMPROMISE), 0);
	CHECK_EQ(ca_crl_finish(b, root_key, &der, &len), 0);
	CHECK_EQ(ca_crl_add(b, big, 2, now, -1), CUSTOS_EINVAL);
	CHECK(strstr(custos_err_detail(), "finished") != NULL);
	{
		unsigned char *again = (unsigned char *)1;

		CHECK_EQ(ca_crl_finish(b, root_key, &again, &len), CUSTOS_EINVAL);
		CHECK(again == NULL);
	}
	ca_crl_builder_free(b);
	ca_crl_builder_free(NULL);
	OPENSSL_free(der);
}

static void
test_begin_refusals_and_numbers(void)
{
	struct ca_crl_builder *b = (struct ca_crl_builder *)1;
	unsigned char n21[21], n20top[20], padded[] = {0, 0, 0x80}, *der = NULL;
	size_t len = 0;
	X509_CRL *crl;
	ASN1_INTEGER *num;
	EVP_PKEY *other = NULL;

	memset(n21, 0x01, sizeof(n21));
	memset(n20top, 0xff, sizeof(n20top));
	CHECK_EQ(ca_crl_begin_u64(root, 1, now, 0, &b), CUSTOS_EINVAL);
	CHECK(b == NULL && strstr(custos_err_detail(), "not 0") != NULL);
	CHECK_EQ(ca_crl_begin_u64(root, 1, now, 366, &b), CUSTOS_EINVAL);
	CHECK_EQ(ca_crl_begin(root, n21, 21, now, 30, &b), CUSTOS_EINVAL);
	CHECK_EQ(ca_crl_begin(root, n20top, 20, now, 30, &b), CUSTOS_EINVAL);
	CHECK(strstr(custos_err_detail(), "fit in 20 octets") != NULL);
	CHECK_EQ(ca_crl_begin(root, n21, 0, now, 30, &b), CUSTOS_EINVAL);
	CHECK_EQ(ca_crl_begin_u64(root, 1, -1, 30, &b), CUSTOS_EINVAL);
	CHECK_EQ(ca_crl_begin_u64(NULL, 1, now, 30, &b), CUSTOS_EINVAL);
	/* Leading zeros dropped, a pad added for the top bit: 0x0080. */
	CHECK_EQ(ca_crl_begin(root, padded, sizeof(padded), now, 30, &b), 0);
	CHECK_EQ(ca_crl_finish(b, root_key, &der, &len), 0);
	ca_crl_builder_free(b);
	if (der != NULL) {
		crl = parse(der, len);
		num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
		CHECK(num != NULL && ASN1_INTEGER_get(num) == 128);
		CHECK(memmem(der, len, "\x02\x02\x00\x80", 4) != NULL);
		ASN1_INTEGER_free(num);
		X509_CRL_free(crl);
	}
	OPENSSL_free(der);
	der = NULL;
	/* A key that is not the root's: the signature does not verify. */
	CHECK_EQ(ca_key_generate(CA_ALG_EC_P256, &other), 0);
	CHECK_EQ(ca_crl_begin_u64(root, 3, now, 30, &b), 0);
	CHECK_EQ(ca_crl_finish(b, other, &der, &len), CUSTOS_EAUTH);
	CHECK(der == NULL && len == 0);
	ca_crl_builder_free(b);
	EVP_PKEY_free(other);
}

static void
test_ten_thousand_rsa(void)
{
	EVP_PKEY *key = NULL;
	X509 *r2;
	struct ca_crl_builder *b = NULL;
	unsigned char *der = NULL, s[20];
	size_t len = 0;
	unsigned i;
	X509_CRL *crl;
	struct ca_lint_report rep;

	CHECK_EQ(ca_key_generate(CA_ALG_RSA_3072, &key), 0);
	r2 = make_root(key, now - 60);
	CHECK_EQ(ca_crl_begin_u64(r2, 1000, now, 180, &b), 0);
	for (i = 0; i < 10000; i++) {
		serial_of(i * 7 + 3, s);
		if (ca_crl_add(b, s, 20, now - (time_t)(10000 - i),
		               (enum ca_crl_reason)(i % 3 ? -1 : 1)))
			break;
	}
	CHECK_EQ(i, 10000);
	CHECK_EQ(ca_crl_finish(b, key, &der, &len), 0);
	if (der != NULL) {
		CHECK_EQ(ca_lint_crl(der, len, r2, 180, now, &rep), 0);
		CHECK_EQ(rep.n, 0);
		crl = parse(der, len);
		CHECK_EQ(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)), 10000);
		CHECK_EQ(X509_CRL_get_signature_nid(crl), NID_sha256WithRSAEncryption);
		CHECK(X509_CRL_verify(crl, X509_get0_pubkey(r2)) == 1);
		X509_CRL_free(crl);
		CHECK_EQ(verifiers_accept(r2, der, len), 0);
	}
	ca_crl_builder_free(b);
	OPENSSL_free(der);
	X509_free(r2);
	EVP_PKEY_free(key);
}

int
main(void)
{
	setup();
	RUN(test_reasons);
	RUN(test_empty);
	RUN(test_entries);
	RUN(test_time_encoding);
	RUN(test_add_refusals);
	RUN(test_begin_refusals_and_numbers);
	RUN(test_ten_thousand_rsa);
	X509_free(root);
	EVP_PKEY_free(root_key);
	(void)run("rm -rf %s");
	return HARNESS_END();
}
