/*
 * ca_csr: intake (PEM/DER, strict DER, size limits) and review (key rules,
 * signature, extensions, fingerprints) on requests built here, plus every
 * single-bit mutation and every truncation of a good request refused.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#include "ca/ca_csr.h"
#include "ca/ca_name.h"
#include "harness.h"

static EVP_PKEY *
keygen(const char *type, const char *curve, int bits, unsigned long e, int explicit_params)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *k = NULL;
	BIGNUM *bn = NULL;

	if (c == NULL || EVP_PKEY_keygen_init(c) <= 0)
		goto out;
	if (curve != NULL && EVP_PKEY_CTX_set_group_name(c, curve) <= 0)
		goto out;
	if (explicit_params) {
		char enc[] = "explicit";
		OSSL_PARAM p[] = {
		        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, enc, 0),
		        OSSL_PARAM_construct_end()};

		if (EVP_PKEY_CTX_set_params(c, p) <= 0)
			goto out;
	}
	if (bits > 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(c, bits) <= 0)
		goto out;
	if (e != 0 && ((bn = BN_new()) == NULL || !BN_set_word(bn, e) ||
	               EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, bn) <= 0))
		goto out;
	(void)EVP_PKEY_keygen(c, &k);
out:
	BN_free(bn);
	EVP_PKEY_CTX_free(c);
	return k;
}

/* A v1 request for key with subject dn (slash form) and optional extensions. */
static X509_REQ *
make_req(EVP_PKEY *key, const char *dn, int with_exts)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_EXTENSION *ext;
	int ok;

	ok = req != NULL && ca_name_parse(dn, &name) == 0 && X509_REQ_set_version(req, 0) &&
	     X509_REQ_set_subject_name(req, name) && X509_REQ_set_pubkey(req, key);
	if (ok && with_exts) {
		exts = sk_X509_EXTENSION_new_null();
		ext = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
		ok = exts != NULL && ext != NULL && sk_X509_EXTENSION_push(exts, ext) &&
		     X509_REQ_add_extensions(req, exts);
		if (!ok)
			X509_EXTENSION_free(ext);
	}
	ok = ok && X509_REQ_sign(req, key, EVP_sha256()) > 0;
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	if (!ok) {
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}

static int
to_der(X509_REQ *req, unsigned char **der)
{
	*der = NULL;
	return req != NULL ? i2d_X509_REQ(req, der) : -1;
}

static char *
to_pem(X509_REQ *req, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL, *copy = NULL;
	long n;

	if (b != NULL && PEM_write_bio_X509_REQ(b, req) && (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (copy = malloc((size_t)n + 1)) != NULL) {
		memcpy(copy, data, (size_t)n);
		copy[n] = '\0';
		*len = (size_t)n;
	}
	BIO_free(b);
	return copy;
}

/* Parses der and reviews it; returns the first error or 0. */
static int
parse_and_review(const unsigned char *der, size_t len, struct ca_csr_info *info)
{
	X509_REQ *req = NULL;
	int r = ca_csr_parse(der, len, &req);

	if (r == 0)
		r = ca_csr_review(req, info);
	X509_REQ_free(req);
	return r;
}

static struct ca_csr_info info;
static EVP_PKEY *p256;

static void
test_good_ec(void)
{
	X509_REQ *req = make_req(p256, "/C=US/O=Example/CN=Issuing CA", 0), *back = NULL;
	unsigned char *der = NULL, *spki = NULL, h[32];
	char *pem;
	size_t plen = 0;
	int n = to_der(req, &der), m;

	CHECK(n > 0);
	if (n <= 0)
		goto out;
	CHECK_EQ(parse_and_review(der, (size_t)n, &info), 0);
	CHECK(strcmp(info.subject, "/C=US/O=Example/CN=Issuing CA") == 0);
	CHECK(strcmp(info.key_type, "EC") == 0 && info.key_bits == 256);
	CHECK(info.curve != NULL && strcmp(info.curve, "P-256") == 0);
	CHECK(info.rsa_exponent[0] == '\0');
	CHECK(strcmp(info.signature_algorithm, "ecdsa-with-SHA256") == 0);
	CHECK_EQ(info.der_len, n);
	crypto_hash_sha256(h, der, (unsigned long long)n);
	CHECK_MEM(h, info.csr_sha256, 32);
	m = i2d_PUBKEY(p256, &spki);
	crypto_hash_sha256(h, spki, (unsigned long long)m);
	CHECK_MEM(h, info.spki_sha256, 32);
	CHECK(!info.has_extensions && info.extension_count == 0 && info.attribute_count == 0);
	/* PEM of the same request: same review */
	pem = to_pem(req, &plen);
	CHECK(pem != NULL);
	CHECK_EQ(ca_csr_parse((const unsigned char *)pem, plen, &back), 0);
	CHECK(back != NULL && X509_REQ_verify(back, p256) == 1);
	X509_REQ_free(back);
	free(pem);
	OPENSSL_free(spki);
out:
	OPENSSL_free(der);
	X509_REQ_free(req);
}

static void
test_good_rsa_and_extensions(void)
{
	EVP_PKEY *rsa = keygen("RSA", NULL, 2048, 0, 0);
	X509_REQ *req = rsa != NULL ? make_req(rsa, "/CN=RSA Issuing CA", 1) : NULL;
	unsigned char *der = NULL;
	int n = to_der(req, &der);

	CHECK(n > 0);
	CHECK_EQ(parse_and_review(der, (size_t)n, &info), 0);
	CHECK(strcmp(info.key_type, "RSA") == 0 && info.key_bits == 2048 && info.curve == NULL);
	CHECK(strcmp(info.rsa_exponent, "65537") == 0);
	CHECK(strcmp(info.signature_algorithm, "sha256WithRSAEncryption") == 0);
	CHECK(info.has_extensions && info.extension_count == 1 && info.attribute_count == 1);
	OPENSSL_free(der);
	X509_REQ_free(req);
	EVP_PKEY_free(rsa);
}

/* Each key rule, one request each; the detail names the problem. */
static void
test_key_rules(void)
{
	/* clang-format off */
	static const struct {
		const char *type, *curve;
		int bits;
		unsigned long e;
		int explicit_params;
		const char *detail;
	} bad[] = {
		{"RSA", NULL, 1024, 0, 0, "RSA key of 1024 bits; at least 2048"},
		{"RSA", NULL, 2052, 0, 0, "2052 bits is not a multiple of 8"},
		{"RSA", NULL, 2048, 3, 0, "RSA public exponent 3 must be odd, at least 65537"},
		{"RSA", NULL, 2048, 65535, 0, "RSA public exponent 65535"},
		{"EC", "secp224r1", 0, 0, 0, "EC curve secp224r1 is not accepted"},
		{"EC", "secp256k1", 0, 0, 0, "EC curve secp256k1 is not accepted"},
		{"EC", "brainpoolP256r1", 0, 0, 0, "brainpoolP256r1 is not accepted"},
		{"EC", "P-256", 0, 0, 1, "explicit curve parameters"},
		{"ED25519", NULL, 0, 0, 0, "ED25519 keys are not accepted"},
		{"RSA-PSS", NULL, 2048, 0, 0, "RSA-PSS keys are not accepted"},
	};
	/* clang-format on */
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EVP_PKEY *k = keygen(bad[i].type, bad[i].curve, bad[i].bits, bad[i].e,
		                     bad[i].explicit_params);
		X509_REQ *req = NULL;
		unsigned char *der = NULL;
		int n;

		CHECK(k != NULL);
		if (k == NULL) {
			fprintf(stderr, "  case %zu: no key\n", i);
			continue;
		}
		req = X509_REQ_new();
		/* ED25519 signs without a digest */
		if (req != NULL && X509_REQ_set_pubkey(req, k) &&
		    X509_REQ_sign(req, k,
		                  strcmp(bad[i].type, "ED25519") == 0 ? NULL : EVP_sha256()) > 0) {
			n = to_der(req, &der);
			CHECK_EQ(parse_and_review(der, (size_t)n, &info), CUSTOS_EKEY);
			if (strstr(custos_err_detail(), bad[i].detail) == NULL) {
				CHECK(!"detail");
				fprintf(stderr, "  case %zu: '%s'\n", i, custos_err_detail());
			}
		} else {
			CHECK(!"cannot sign");
		}
		OPENSSL_free(der);
		X509_REQ_free(req);
		EVP_PKEY_free(k);
	}
	/* rsaEncryption without its NULL parameters: decodes, but is not the BR encoding */
	{
		EVP_PKEY *k = keygen("RSA", NULL, 2048, 0, 0);
		X509_REQ *req = k != NULL ? make_req(k, "/CN=x", 0) : NULL;
		X509_PUBKEY *xpk = req != NULL ? X509_REQ_get_X509_PUBKEY(req) : NULL;
		const unsigned char *bits = NULL;
		unsigned char *copy = NULL, *der = NULL;
		int nbits = 0, n;

		CHECK(xpk != NULL && X509_PUBKEY_get0_param(NULL, &bits, &nbits, NULL, xpk));
		copy = bits != NULL ? OPENSSL_memdup(bits, (size_t)nbits) : NULL;
		CHECK(copy != NULL &&
		      X509_PUBKEY_set0_param(xpk, OBJ_nid2obj(NID_rsaEncryption), V_ASN1_UNDEF,
		                             NULL, copy, nbits) &&
		      X509_REQ_sign(req, k, EVP_sha256()) > 0);
		n = to_der(req, &der);
		CHECK_EQ(parse_and_review(der, (size_t)n, &info), CUSTOS_EKEY);
		CHECK(strstr(custos_err_detail(), "not encoded as the BR 7.1.3.1 require") != NULL);
		OPENSSL_free(der);
		X509_REQ_free(req);
		EVP_PKEY_free(k);
	}
	/* an odd exponent above 65537 is fine */
	{
		EVP_PKEY *k = keygen("RSA", NULL, 2048, 65539, 0);
		X509_REQ *req = k != NULL ? make_req(k, "/CN=x", 0) : NULL;
		unsigned char *der = NULL;
		int n = to_der(req, &der);

		CHECK_EQ(parse_and_review(der, (size_t)n, &info), 0);
		CHECK(strcmp(info.rsa_exponent, "65539") == 0);
		OPENSSL_free(der);
		X509_REQ_free(req);
		EVP_PKEY_free(k);
	}
}

static void
test_request_rules(void)
{
	X509_REQ *req = make_req(p256, "/CN=x", 0);
	X509_NAME *big = X509_NAME_new();
	unsigned char *der = NULL, *bad = NULL;
	int n, i;

	/* version 2 (value 1) */
	CHECK(req != NULL && X509_REQ_set_version(req, 1) &&
	      X509_REQ_sign(req, p256, EVP_sha256()));
	n = to_der(req, &der);
	CHECK_EQ(parse_and_review(der, (size_t)n, &info), CUSTOS_ECSR);
	CHECK(strstr(custos_err_detail(), "version 1") != NULL);
	OPENSSL_free(der);
	/* a subject over 1 KiB of DER: refused by parse and by review */
	for (i = 0; i < 20 && big != NULL; i++)
		CHECK(X509_NAME_add_entry_by_NID(
		        big, NID_organizationalUnitName, MBSTRING_UTF8,
		        (const unsigned char *)"0123456789012345678901234567"
		                               "890123456789012345678901234567",
		        -1, -1, 0));
	CHECK(X509_REQ_set_version(req, 0) && X509_REQ_set_subject_name(req, big) &&
	      X509_REQ_sign(req, p256, EVP_sha256()));
	n = to_der(req, &der);
	CHECK_EQ(parse_and_review(der, (size_t)n, &info), CUSTOS_ECSR);
	CHECK(strstr(custos_err_detail(), "the subject is") != NULL);
	CHECK_EQ(ca_csr_review(req, &info), CUSTOS_ECSR);
	OPENSSL_free(der);
	/* a malformed extensionRequest */
	X509_REQ_free(req);
	req = make_req(p256, "/CN=x", 0);
	CHECK(req != NULL &&
	      X509_REQ_add1_attr_by_NID(req, NID_ext_req, V_ASN1_INTEGER,
	                                (const unsigned char *)"\x05", 1) &&
	      X509_REQ_sign(req, p256, EVP_sha256()));
	n = to_der(req, &der);
	CHECK_EQ(parse_and_review(der, (size_t)n, &info), CUSTOS_ECSR);
	CHECK(strstr(custos_err_detail(), "extensionRequest is malformed") != NULL);
	OPENSSL_free(der);
	/* BER: the outer length in a non-minimal long form, and indefinite */
	X509_REQ_free(req);
	req = make_req(p256, "/CN=x", 0);
	n = to_der(req, &der);
	CHECK(n > 0 && n < 256 && der[1] == 0x81);
	bad = malloc((size_t)n + 4);
	if (bad != NULL && n > 0) {
		bad[0] = 0x30, bad[1] = 0x82, bad[2] = 0x00, bad[3] = der[2];
		memcpy(bad + 4, der + 3, (size_t)n - 3);
		CHECK_EQ(parse_and_review(bad, (size_t)n + 1, &info), CUSTOS_ECSR);
		CHECK(strstr(custos_err_detail(), "non-minimal length") != NULL);
		bad[0] = 0x30, bad[1] = 0x80;
		memcpy(bad + 2, der + 3, (size_t)n - 3);
		bad[n - 1] = 0, bad[n] = 0;
		CHECK_EQ(parse_and_review(bad, (size_t)n + 1, &info), CUSTOS_ECSR);
		CHECK(strstr(custos_err_detail(), "indefinite length") != NULL);
	}
	free(bad);
	OPENSSL_free(der);
	X509_REQ_free(req);
	X509_NAME_free(big);
	CHECK_EQ(ca_csr_review(NULL, &info), CUSTOS_EINVAL);
}

static void
test_intake_limits(void)
{
	unsigned char *big = calloc(CA_CSR_INPUT_MAX + 1, 1);
	X509_REQ *req = (X509_REQ *)1;

	CHECK_EQ(ca_csr_parse((const unsigned char *)"", 0, &req), CUSTOS_ECSR);
	CHECK(req == NULL);
	CHECK_EQ(ca_csr_parse(NULL, 10, &req), CUSTOS_ECSR);
	if (big != NULL) {
		big[0] = 0x30;
		CHECK_EQ(ca_csr_parse(big, CA_CSR_INPUT_MAX + 1, &req), CUSTOS_ETOOBIG);
		memset(big, ' ', CA_CSR_INPUT_MAX + 1);
		CHECK_EQ(ca_csr_parse(big, 100, &req), CUSTOS_ECSR);
		CHECK(strstr(custos_err_detail(), "only whitespace") != NULL);
	}
	free(big);
}

/* No single-bit change and no truncation of a good request gets through. */
static void
test_mutations(void)
{
	X509_REQ *req = make_req(p256, "/C=US/O=Example/CN=Issuing CA", 1);
	unsigned char *der = NULL, *m;
	int n = to_der(req, &der), accepted = 0, i, bit;

	CHECK(n > 0);
	m = malloc((size_t)(n > 0 ? n : 1));
	if (m == NULL || n <= 0)
		goto out;
	for (i = 0; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(m, der, (size_t)n);
			m[i] ^= (unsigned char)(1u << bit);
			if (parse_and_review(m, (size_t)n, &info) == 0) {
				accepted++;
				fprintf(stderr, "  accepted: byte %d bit %d\n", i, bit);
			}
		}
	for (i = 0; i < n; i++)
		if (parse_and_review(der, (size_t)i, &info) == 0)
			accepted++;
	CHECK_EQ(accepted, 0);
	CHECK_EQ(parse_and_review(der, (size_t)n, &info), 0); /* the original still passes */
out:
	free(m);
	OPENSSL_free(der);
	X509_REQ_free(req);
}

int
main(void)
{
	if (sodium_init() < 0 || (p256 = keygen("EC", "P-256", 0, 0, 0)) == NULL)
		return 1;
	RUN(test_good_ec);
	RUN(test_good_rsa_and_extensions);
	RUN(test_key_rules);
	RUN(test_request_rules);
	RUN(test_intake_limits);
	RUN(test_mutations);
	EVP_PKEY_free(p256);
	return HARNESS_END();
}
