/*
 * ca_root: every field of the root profile read back with OpenSSL, for each
 * algorithm; refusals; self-check failures; PEM; and two independent
 * verifiers (openssl verify -x509_strict, with and without -check_ss_sig,
 * GnuTLS certtool, pyca/cryptography) run on the result, and shown to refuse a broken one.
 */
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ca/ca_key.h"
#include "ca/ca_name.h"
#include "ca/ca_root.h"
#include "common/rng.h"
#include "harness.h"

#define NOW ((time_t)1767225600) /* 2026-01-01T00:00:00Z */
#define DAYS 3650u

static const enum ca_alg all_algs[] = {CA_ALG_EC_P256, CA_ALG_EC_P384, CA_ALG_EC_P521,
                                       CA_ALG_RSA_3072, CA_ALG_RSA_4096};
static const int sig_nids[] = {NID_ecdsa_with_SHA256, NID_ecdsa_with_SHA384, NID_ecdsa_with_SHA512,
                               NID_sha256WithRSAEncryption, NID_sha384WithRSAEncryption};
#define NALGS (sizeof(all_algs) / sizeof(all_algs[0]))
static EVP_PKEY *keys[NALGS];
static X509 *roots[NALGS];
static X509_NAME *subject;
static char tmpdir[] = "/tmp/test_ca_root.XXXXXX";
static int have_tmpdir;

/* The DER value (extnValue contents) of extension nid, and its criticality. */
static const ASN1_OCTET_STRING *
ext_value(X509 *x, int nid, int *critical)
{
	int i = X509_get_ext_by_NID(x, nid, -1);
	X509_EXTENSION *e = i >= 0 ? X509_get_ext(x, i) : NULL;

	*critical = e != NULL ? X509_EXTENSION_get_critical(e) : -1;
	return e != NULL ? X509_EXTENSION_get_data(e) : NULL;
}

static int
octets_are(const ASN1_OCTET_STRING *s, const unsigned char *want, size_t len)
{
	return s != NULL && (size_t)ASN1_STRING_length(s) == len &&
	       memcmp(ASN1_STRING_get0_data(s), want, len) == 0;
}

static void
check_profile(X509 *x, EVP_PKEY *key, int sig_nid, unsigned days)
{
	static const unsigned char bc_der[] = {0x30, 0x03, 0x01, 0x01, 0xff};
	static const unsigned char ku_der[] = {0x03, 0x02, 0x01, 0x06};
	const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
	const unsigned char *ider = NULL, *sder = NULL, *wder = NULL, *bits = NULL;
	const ASN1_OCTET_STRING *v;
	size_t ilen = 0, slen = 0, wlen = 0;
	unsigned char sha1[20], aki_der[24];
	int crit = 0, nbits = 0, i, nids[4];

	CHECK_EQ(X509_get_version(x), X509_VERSION_3);
	/* serial: 20 bytes, positive, non-zero, first byte non-zero (so DER is 20 bytes) */
	CHECK(serial != NULL && ASN1_STRING_type(serial) == V_ASN1_INTEGER);
	CHECK_EQ(ASN1_STRING_length(serial), 20);
	CHECK(ASN1_STRING_get0_data(serial)[0] >= 0x01 && ASN1_STRING_get0_data(serial)[0] <= 0x7f);
	CHECK_EQ(i2d_ASN1_INTEGER(serial, NULL), 22);
	/* issuer DER == subject DER == the requested subject */
	CHECK(X509_NAME_get0_der(X509_get_issuer_name(x), &ider, &ilen));
	CHECK(X509_NAME_get0_der(X509_get_subject_name(x), &sder, &slen));
	CHECK(X509_NAME_get0_der(subject, &wder, &wlen));
	CHECK(ilen == slen && slen == wlen && memcmp(ider, sder, slen) == 0 &&
	      memcmp(sder, wder, slen) == 0);
	/* validity: notBefore = now, notAfter = now + days - 1 second (BR: inclusive) */
	CHECK_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(x), NOW), 0);
	CHECK_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(x), NOW + (time_t)days * 86400 - 1), 0);
	CHECK_EQ(ASN1_STRING_type(X509_get0_notBefore(x)), V_ASN1_UTCTIME);
	/* exactly these four extensions, in this order */
	CHECK_EQ(X509_get_ext_count(x), 4);
	for (i = 0; i < 4 && i < X509_get_ext_count(x); i++)
		nids[i] = OBJ_obj2nid(X509_EXTENSION_get_object(X509_get_ext(x, i)));
	CHECK(X509_get_ext_count(x) == 4 && nids[0] == NID_basic_constraints &&
	      nids[1] == NID_key_usage && nids[2] == NID_subject_key_identifier &&
	      nids[3] == NID_authority_key_identifier);
	/* basicConstraints: critical, cA TRUE, no pathLenConstraint */
	v = ext_value(x, NID_basic_constraints, &crit);
	CHECK_EQ(crit, 1);
	CHECK(octets_are(v, bc_der, sizeof(bc_der)));
	CHECK(X509_get_pathlen(x) == -1);
	/* keyUsage: critical, keyCertSign and cRLSign only */
	v = ext_value(x, NID_key_usage, &crit);
	CHECK_EQ(crit, 1);
	CHECK(octets_are(v, ku_der, sizeof(ku_der)));
	CHECK_EQ(X509_get_key_usage(x), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	/* SKI = SHA-1 of the subjectPublicKey bits; AKI = keyIdentifier only, = SKI */
	CHECK(X509_PUBKEY_get0_param(NULL, &bits, &nbits, NULL, X509_get_X509_PUBKEY(x)));
	CHECK(EVP_Digest(bits, (size_t)nbits, sha1, NULL, EVP_sha1(), NULL));
	v = ext_value(x, NID_subject_key_identifier, &crit);
	CHECK_EQ(crit, 0);
	CHECK(v != NULL && ASN1_STRING_length(v) == 22 && ASN1_STRING_get0_data(v)[0] == 0x04 &&
	      ASN1_STRING_get0_data(v)[1] == 20 &&
	      memcmp(ASN1_STRING_get0_data(v) + 2, sha1, 20) == 0);
	CHECK(X509_get0_subject_key_id(x) != NULL &&
	      octets_are(X509_get0_subject_key_id(x), sha1, 20));
	aki_der[0] = 0x30, aki_der[1] = 22, aki_der[2] = 0x80, aki_der[3] = 20;
	memcpy(aki_der + 4, sha1, 20);
	v = ext_value(x, NID_authority_key_identifier, &crit);
	CHECK_EQ(crit, 0);
	CHECK(octets_are(v, aki_der, sizeof(aki_der)));
	CHECK(X509_get0_authority_issuer(x) == NULL && X509_get0_authority_serial(x) == NULL);
	/* signature algorithm, key, self-check */
	CHECK_EQ(X509_get_signature_nid(x), sig_nid);
	CHECK_EQ(ca_key_matches(key, X509_get0_pubkey(x)), 0);
	CHECK_EQ(X509_verify(x, key), 1);
	CHECK_EQ(ca_cert_verify_self(x), 0);
}

static void
test_roots(void)
{
	size_t i;

	CHECK_EQ(ca_name_parse("/C=US/O=Example/CN=Example Root CA", &subject), 0);
	for (i = 0; i < NALGS; i++) {
		CHECK_EQ(ca_key_generate(all_algs[i], &keys[i]), 0);
		CHECK_EQ(ca_root_create(keys[i], subject, DAYS, NOW, &roots[i]), 0);
		if (roots[i] == NULL) {
			fprintf(stderr, "  %s: %s\n", ca_alg_name(all_algs[i]),
			        custos_err_detail());
			continue;
		}
		check_profile(roots[i], keys[i], sig_nids[i], DAYS);
	}
	for (i = 1; i < NALGS; i++)
		if (roots[0] != NULL && roots[i] != NULL)
			CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(roots[0]),
			                       X509_get0_serialNumber(roots[i])) != 0);
}

static void
test_day_limits(void)
{
	static const unsigned bad[] = {0, 1, 2921, 9133, 36500};
	X509 *x = NULL;
	size_t i;

	if (keys[0] == NULL)
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		x = (X509 *)1;
		CHECK_EQ(ca_root_create(keys[0], subject, bad[i], NOW, &x), CUSTOS_EINVAL);
		CHECK(x == NULL);
		CHECK(strstr(custos_err_detail(), "2922 to 9132 days") != NULL);
	}
	CHECK_EQ(ca_root_create(keys[0], subject, 2922, NOW, &x), 0);
	if (x != NULL)
		check_profile(x, keys[0], NID_ecdsa_with_SHA256, 2922);
	X509_free(x);
	x = NULL;
	CHECK_EQ(ca_root_create(keys[0], subject, 9132, NOW, &x), 0);
	if (x != NULL) {
		check_profile(x, keys[0], NID_ecdsa_with_SHA256, 9132);
		/* 2051: RFC 5280 wants GeneralizedTime from 2050 on */
		CHECK_EQ(ASN1_STRING_type(X509_get0_notAfter(x)), V_ASN1_GENERALIZEDTIME);
	}
	X509_free(x);
}

static void
test_refusals(void)
{
	X509_NAME *empty = X509_NAME_new();
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *rsa2048 = NULL;
	X509 *x = NULL;

	if (keys[0] == NULL)
		goto out;
	CHECK_EQ(ca_root_create(keys[0], subject, DAYS, -1, &x), CUSTOS_EINVAL);
	CHECK_EQ(ca_root_create(keys[0], subject, DAYS, (time_t)253402300799 - 86400, &x),
	         CUSTOS_EINVAL);
	CHECK_EQ(ca_root_create(keys[0], NULL, DAYS, NOW, &x), CUSTOS_EINVAL);
	CHECK_EQ(ca_root_create(keys[0], empty, DAYS, NOW, &x), CUSTOS_EINVAL);
	CHECK_EQ(ca_root_create(NULL, subject, DAYS, NOW, &x), CUSTOS_EINVAL);
	if (c != NULL && EVP_PKEY_keygen_init(c) > 0 &&
	    EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) > 0)
		(void)EVP_PKEY_keygen(c, &rsa2048);
	CHECK(rsa2048 != NULL);
	CHECK_EQ(ca_root_create(rsa2048, subject, DAYS, NOW, &x), CUSTOS_EKEY);
	CHECK(x == NULL);
out:
	EVP_PKEY_free(rsa2048);
	EVP_PKEY_CTX_free(c);
	X509_NAME_free(empty);
}

/* Random sources for the serial: all zeros, a zero first byte once, a failure. */
static int
zeros(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0, len);
	return 0;
}

static int
first_zero_then_ff(void *ctx, void *buf, size_t len)
{
	int *calls = ctx;

	memset(buf, 0xff, len);
	if ((*calls)++ == 0)
		((unsigned char *)buf)[0] = 0x80; /* 0x80 & 0x7f == 0: must be redrawn */
	return 0;
}

static int
broken(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return CUSTOS_ERANDOM;
}

static void
test_serials(void)
{
	ASN1_INTEGER *s = NULL;
	X509 *x = NULL;
	int calls = 0;

	custos_random_set_source(zeros, NULL);
	CHECK_EQ(ca_serial_generate(&s), CUSTOS_ERANDOM);
	CHECK(s == NULL);
	if (keys[0] != NULL)
		CHECK_EQ(ca_root_create(keys[0], subject, DAYS, NOW, &x), CUSTOS_ERANDOM);
	CHECK(x == NULL);
	custos_random_set_source(broken, NULL);
	CHECK_EQ(ca_serial_generate(&s), CUSTOS_ERANDOM);
	custos_random_set_source(first_zero_then_ff, &calls);
	CHECK_EQ(ca_serial_generate(&s), 0);
	CHECK_EQ(calls, 2);
	CHECK(s != NULL && ASN1_STRING_length(s) == 20 && ASN1_STRING_get0_data(s)[0] == 0x7f &&
	      ASN1_STRING_get0_data(s)[19] == 0xff);
	ASN1_INTEGER_free(s);
	custos_random_set_source(NULL, NULL);
}

/* Re-signs a copy of root after changing its issuer to other (same key). */
static X509 *
resigned_with_issuer(X509 *root, EVP_PKEY *key, const X509_NAME *other)
{
	X509 *x = X509_dup(root);

	if (x == NULL || !X509_set_issuer_name(x, other) || X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static void
test_self_check_failures(void)
{
	X509_NAME *printable = X509_NAME_new(), *different = NULL;
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *x = NULL;
	int n;

	if (roots[0] == NULL || printable == NULL)
		goto out;
	/* Same name to X509_NAME_cmp (CN as PrintableString instead of UTF8String), other bytes. */
	CHECK(X509_NAME_add_entry_by_NID(printable, NID_countryName, V_ASN1_PRINTABLESTRING,
	                                 (const unsigned char *)"US", 2, -1, 0) &&
	      X509_NAME_add_entry_by_NID(printable, NID_organizationName, V_ASN1_PRINTABLESTRING,
	                                 (const unsigned char *)"Example", 7, -1, 0) &&
	      X509_NAME_add_entry_by_NID(printable, NID_commonName, V_ASN1_PRINTABLESTRING,
	                                 (const unsigned char *)"Example Root CA", 15, -1, 0));
	CHECK_EQ(X509_NAME_cmp(printable, subject), 0);
	x = resigned_with_issuer(roots[0], keys[0], printable);
	CHECK(x != NULL);
	CHECK_EQ(ca_cert_verify_self(x), CUSTOS_ELINT);
	CHECK(strstr(custos_err_detail(), "byte-identical") != NULL);
	X509_free(x);
	CHECK_EQ(ca_name_parse("/CN=Someone Else", &different), 0);
	x = resigned_with_issuer(roots[0], keys[0], different);
	CHECK_EQ(ca_cert_verify_self(x), CUSTOS_ELINT);
	X509_free(x);
	/* A flipped bit in the signature value */
	n = i2d_X509(roots[0], &der);
	CHECK(n > 10);
	der[n - 3] ^= 0x01;
	p = der;
	x = d2i_X509(NULL, &p, n);
	CHECK(x != NULL);
	CHECK_EQ(ca_cert_verify_self(x), CUSTOS_EAUTH);
	X509_free(x);
	OPENSSL_free(der);
	CHECK_EQ(ca_cert_verify_self(NULL), CUSTOS_EINVAL);
out:
	X509_NAME_free(printable);
	X509_NAME_free(different);
}

static void
test_pem(void)
{
	/* clang-format off */
	static const char *const bad[] = {
		"",
		"   \n",
		"garbage",
		"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	};
	/* clang-format on */
	unsigned char h1[32], h2[32], h3[32], *der = NULL;
	char *pem = NULL, *buf = NULL;
	size_t len = 0, i;
	X509 *x = NULL;
	int n;

	if (roots[0] == NULL)
		return;
	CHECK_EQ(ca_cert_to_pem(roots[0], &pem, &len), 0);
	CHECK(pem != NULL && len == strlen(pem) &&
	      strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	CHECK_EQ(ca_cert_from_pem(pem, len, &x), 0);
	CHECK(x != NULL && X509_cmp(x, roots[0]) == 0);
	CHECK_EQ(ca_cert_sha256(roots[0], h1), 0);
	CHECK_EQ(ca_cert_sha256(x, h2), 0);
	n = i2d_X509(roots[0], &der);
	crypto_hash_sha256(h3, der, (unsigned long long)n);
	CHECK_MEM(h1, h2, 32);
	CHECK_MEM(h1, h3, 32);
	X509_free(x);
	x = NULL;
	/* Whitespace around the block is fine; anything else is not. */
	buf = malloc(2 * len + 64);
	if (buf == NULL)
		goto out;
	n = snprintf(buf, 2 * len + 64, "\n\n%s\n  \n", pem);
	CHECK_EQ(ca_cert_from_pem(buf, (size_t)n, &x), 0);
	X509_free(x);
	x = NULL;
	n = snprintf(buf, 2 * len + 64, "%sjunk\n", pem);
	CHECK_EQ(ca_cert_from_pem(buf, (size_t)n, &x), CUSTOS_EFORMAT);
	CHECK(strstr(custos_err_detail(), "trailing data") != NULL);
	n = snprintf(buf, 2 * len + 64, "%s%s", pem, pem);
	CHECK_EQ(ca_cert_from_pem(buf, (size_t)n, &x), CUSTOS_EFORMAT);
	n = snprintf(buf, 2 * len + 64, "Subject: CN=evil\n%s", pem);
	CHECK_EQ(ca_cert_from_pem(buf, (size_t)n, &x), CUSTOS_EFORMAT);
	memcpy(buf, pem, len);
	memcpy(buf + 11, "X509 CRL   ", 11); /* another label, same length */
	CHECK_EQ(ca_cert_from_pem(buf, len, &x), CUSTOS_EFORMAT);
	CHECK_EQ(ca_cert_from_pem((const char *)der, (size_t)i2d_X509(roots[0], NULL), &x),
	         CUSTOS_EFORMAT); /* DER where PEM is expected */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(ca_cert_from_pem(bad[i], strlen(bad[i]), &x) != 0);
		CHECK(x == NULL);
	}
out:
	free(buf);
	OPENSSL_free(der);
	OPENSSL_free(pem);
}

static int
write_pem(const char *name, X509 *x)
{
	char path[256];
	FILE *f;
	int ok;

	(void)snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return 0;
	ok = PEM_write_X509(f, x) == 1;
	return fclose(f) == 0 && ok;
}

/* Runs a shell command; returns its exit status (-1 if it did not exit). */
static int
run(const char *fmt, const char *a)
{
	char cmd[1024];
	int st;

	(void)snprintf(cmd, sizeof(cmd), fmt, a, a);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_independent_verifiers(void)
{
	static const char ossl[] = "openssl verify -x509_strict -CAfile %s/root.pem %s/root.pem "
	                           ">/dev/null 2>&1";
	/* openssl verify trusts an anchor's own signature unless told to check it */
	static const char ossl_ss[] = "openssl verify -x509_strict -check_ss_sig -CAfile "
	                              "%s/root.pem %s/root.pem >/dev/null 2>&1";
	static const char gnutls[] = "certtool --verify --load-ca-certificate %s/root.pem "
	                             "--infile %s/root.pem >/dev/null 2>&1";
	/* pyca/cryptography's strict parser, then signature and issuer against itself */
	static const char pyca[] =
	        "cd %s && python3 -c 'from cryptography import x509; "
	        "c = x509.load_pem_x509_certificate(open(\"root.pem\", \"rb\").read()); "
	        "c.verify_directly_issued_by(c)' >/dev/null 2>&1 # %s";
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *x = NULL;
	size_t i;
	int n;

	if (mkdtemp(tmpdir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	have_tmpdir = 1;
	for (i = 0; i < NALGS; i++) {
		if (roots[i] == NULL)
			continue;
		CHECK(write_pem("root.pem", roots[i]));
		CHECK_EQ(run(ossl, tmpdir), 0);
		CHECK_EQ(run(ossl_ss, tmpdir), 0);
		CHECK_EQ(run(gnutls, tmpdir), 0);
		CHECK_EQ(run(pyca, tmpdir), 0);
	}
	/* The verifiers can fail: a flipped signature bit is refused by both. */
	if (roots[0] == NULL)
		return;
	n = i2d_X509(roots[0], &der);
	der[n - 3] ^= 0x01;
	p = der;
	x = d2i_X509(NULL, &p, n);
	CHECK(x != NULL && write_pem("root.pem", x));
	CHECK(run(ossl_ss, tmpdir) != 0);
	CHECK(run(gnutls, tmpdir) != 0);
	CHECK(run(pyca, tmpdir) != 0);
	X509_free(x);
	OPENSSL_free(der);
}

int
main(void)
{
	char path[256];
	size_t i;

	if (sodium_init() < 0)
		return 1;
	RUN(test_roots);
	RUN(test_day_limits);
	RUN(test_refusals);
	RUN(test_serials);
	RUN(test_self_check_failures);
	RUN(test_pem);
	RUN(test_independent_verifiers);
	if (have_tmpdir) {
		(void)snprintf(path, sizeof(path), "%s/root.pem", tmpdir);
		(void)unlink(path);
		(void)rmdir(tmpdir);
	}
	for (i = 0; i < NALGS; i++) {
		X509_free(roots[i]);
		EVP_PKEY_free(keys[i]);
	}
	X509_NAME_free(subject);
	return HARNESS_END();
}
