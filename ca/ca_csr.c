/*
 * ca_csr: CSR intake and review (rules in ca_csr.h).
 *
 * Invariant: a request that ca_csr_parse() accepts is one strict-DER object
 * whose bytes are exactly the bytes the submitter signed and hashed (its
 * re-encoding is compared with the input), so the SHA-256 that the review
 * shows is the SHA-256 of the file's DER; ca_csr_review() reads, never
 * changes, the request.
 */
#include "ca/ca_csr.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ca/ca_der.h"
#include "ca/ca_key.h"
#include "ca/ca_name.h"
#include "ca/ca_pem.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384 /* OpenSSL's own limit for verifying */
#define RSA_E_MAX_BITS 256 /* BR 6.1.6: e < 2^256 */

/* The request's DER must be what the submitter sent, byte for byte. */
static int
check_reencoding(X509_REQ *req, const unsigned char *der, size_t len)
{
	unsigned char *re = NULL;
	int n = i2d_X509_REQ(req, &re), same;

	same = n > 0 && (size_t)n == len && memcmp(re, der, len) == 0;
	OPENSSL_free(re);
	if (!same)
		return custos_err_set(CUSTOS_ECSR, "not in canonical DER (re-encoding differs)");
	return 0;
}

static int
check_subject_size(X509_REQ *req)
{
	const unsigned char *der = NULL;
	size_t len = 0;

	if (!X509_NAME_get0_der(X509_REQ_get_subject_name(req), &der, &len))
		return custos_err_set_openssl(CUSTOS_ECSR, "the subject cannot be encoded");
	if (len > CA_CSR_SUBJECT_DER_MAX)
		return custos_err_set(CUSTOS_ECSR, "the subject is %zu bytes of DER, over %d", len,
		                      CA_CSR_SUBJECT_DER_MAX);
	return 0;
}

int
ca_csr_parse(const unsigned char *data, size_t len, X509_REQ **out)
{
	static const char *const labels[] = {"CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST",
	                                     NULL};
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t derlen = 0;
	X509_REQ *req = NULL;
	int r, is_pem = 0;

	*out = NULL;
	if ((r = ca_pem_or_der(data, len, CA_CSR_INPUT_MAX, labels, &der, &derlen, &is_pem)) != 0)
		return r == CUSTOS_EFORMAT ? CUSTOS_ECSR : r; /* the detail says why */
	if ((r = ca_der_check(der, derlen, is_pem ? "the PEM block's DER" : "DER")) != 0) {
		r = CUSTOS_ECSR;
		goto out;
	}
	p = der;
	if ((req = d2i_X509_REQ(NULL, &p, (long)derlen)) == NULL) {
		r = custos_err_set_openssl(CUSTOS_ECSR, "not a certificate request");
		goto out;
	}
	if (p != der + derlen) {
		r = custos_err_set(CUSTOS_ECSR, "%zu bytes after the certificate request",
		                   (size_t)(der + derlen - p));
		goto out;
	}
	if ((r = check_reencoding(req, der, derlen)) != 0 || (r = check_subject_size(req)) != 0)
		goto out;
	*out = req;
	req = NULL; /* transferred */
out:
	X509_REQ_free(req);
	OPENSSL_free(der);
	ERR_clear_error();
	return r;
}

static int
review_rsa(EVP_PKEY *pkey, struct ca_csr_info *info)
{
	BIGNUM *e = NULL;
	char *dec = NULL;
	int bits = EVP_PKEY_get_bits(pkey), r = 0;

	info->key_type = "RSA";
	info->key_bits = bits;
	if (bits < RSA_MIN_BITS)
		return custos_err_set(CUSTOS_EKEY, "RSA key of %d bits; at least %d are required",
		                      bits, RSA_MIN_BITS);
	if (bits % 8 != 0)
		return custos_err_set(CUSTOS_EKEY, "RSA modulus of %d bits is not a multiple of 8",
		                      bits);
	if (bits > RSA_MAX_BITS)
		return custos_err_set(CUSTOS_EKEY, "RSA key of %d bits; at most %d are accepted",
		                      bits, RSA_MAX_BITS);
	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e))
		return custos_err_set_openssl(CUSTOS_EKEY, "RSA key without a public exponent");
	if (!BN_is_odd(e) || BN_num_bits(e) > RSA_E_MAX_BITS ||
	    (BN_num_bits(e) <= 17 && BN_get_word(e) < 65537)) {
		dec = BN_bn2dec(e);
		r = custos_err_set(CUSTOS_EKEY,
		                   "RSA public exponent %.40s%s must be odd, at least 65537 and "
		                   "below 2^256 (BR 6.1.6)",
		                   dec != NULL ? dec : "?",
		                   dec != NULL && strlen(dec) > 40 ? "..." : "");
	} else if ((dec = BN_bn2dec(e)) == NULL || strlen(dec) >= sizeof(info->rsa_exponent)) {
		r = custos_err_set(CUSTOS_ENOMEM, "cannot print the RSA exponent");
	} else {
		memcpy(info->rsa_exponent, dec, strlen(dec) + 1);
	}
	OPENSSL_free(dec);
	BN_free(e);
	return r;
}

static int
review_key(X509_REQ *req, EVP_PKEY *pkey, struct ca_csr_info *info)
{
	const unsigned char *want = NULL;
	unsigned char *got = NULL;
	X509_ALGOR *alg = NULL;
	size_t wantlen = 0;
	enum ca_alg ecalg = CA_ALG_RSA_3072;
	int n, r;

	if (EVP_PKEY_is_a(pkey, "EC")) {
		info->key_type = "EC";
		info->key_bits = EVP_PKEY_get_bits(pkey);
		if ((r = ca_key_ec_alg(pkey, &ecalg)) != 0)
			return r;
		info->curve = ca_alg_curve(ecalg);
	} else if (EVP_PKEY_is_a(pkey, "RSA")) {
		if ((r = review_rsa(pkey, info)) != 0)
			return r;
	} else {
		const char *type = EVP_PKEY_get0_type_name(pkey);

		return custos_err_set(CUSTOS_EKEY, "%s keys are not accepted (RSA or EC only)",
		                      type != NULL ? type : "unknown");
	}
	ca_alg_spki_algid(ecalg, &want, &wantlen);
	if (!X509_PUBKEY_get0_param(NULL, NULL, NULL, &alg, X509_REQ_get_X509_PUBKEY(req)) ||
	    (n = i2d_X509_ALGOR(alg, &got)) <= 0)
		return custos_err_set_openssl(CUSTOS_EKEY, "cannot read the key's algorithm");
	r = (size_t)n != wantlen || memcmp(got, want, wantlen) != 0;
	OPENSSL_free(got);
	if (r)
		return custos_err_set(CUSTOS_EKEY,
		                      "the SubjectPublicKeyInfo algorithm is not encoded "
		                      "as the BR 7.1.3.1 require");
	return 0;
}

static int
review_extensions(X509_REQ *req, struct ca_csr_info *info)
{
	STACK_OF(X509_EXTENSION) * exts;

	info->attribute_count = X509_REQ_get_attr_count(req);
	info->has_extensions = X509_REQ_get_attr_by_NID(req, NID_ext_req, -1) >= 0 ||
	                       X509_REQ_get_attr_by_NID(req, NID_ms_ext_req, -1) >= 0;
	if (!info->has_extensions)
		return 0;
	if ((exts = X509_REQ_get_extensions(req)) == NULL)
		return custos_err_set_openssl(CUSTOS_ECSR, "the extensionRequest is malformed");
	info->extension_count = sk_X509_EXTENSION_num(exts);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return 0;
}

/* Fingerprints: the request's DER and its SubjectPublicKeyInfo as carried. */
static int
review_hashes(X509_REQ *req, struct ca_csr_info *info)
{
	unsigned char *der = NULL, *spki = NULL;
	int n, m, r = 0;

	if ((n = i2d_X509_REQ(req, &der)) <= 0 ||
	    (m = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(req), &spki)) <= 0 ||
	    EVP_Digest(der, (size_t)n, info->csr_sha256, NULL, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(spki, (size_t)m, info->spki_sha256, NULL, EVP_sha256(), NULL) != 1)
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot hash the request");
	else
		info->der_len = (size_t)n;
	OPENSSL_free(der);
	OPENSSL_free(spki);
	return r;
}

int
ca_csr_review(X509_REQ *req, struct ca_csr_info *info)
{
	const X509_ALGOR *sigalg = NULL;
	EVP_PKEY *pkey;
	long version;
	int r;

	memset(info, 0, sizeof(*info));
	if (req == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no request");
	if ((version = X509_REQ_get_version(req)) != X509_REQ_VERSION_1)
		return custos_err_set(CUSTOS_ECSR, "version %ld (only v1, encoded 0, exists)",
		                      version);
	if ((r = check_subject_size(req)) != 0)
		return r;
	if ((pkey = X509_REQ_get0_pubkey(req)) == NULL)
		return custos_err_set_openssl(CUSTOS_EKEY, "the public key cannot be decoded");
	if ((r = review_key(req, pkey, info)) != 0)
		goto out;
	if (X509_REQ_verify(req, pkey) != 1) {
		r = custos_err_set(CUSTOS_ECSR, "signature does not verify");
		goto out;
	}
	X509_REQ_get0_signature(req, NULL, &sigalg);
	if (OBJ_obj2txt(info->signature_algorithm, sizeof(info->signature_algorithm),
	                sigalg->algorithm, 0) <= 0)
		(void)snprintf(info->signature_algorithm, sizeof(info->signature_algorithm), "?");
	if ((r = review_extensions(req, info)) != 0 || (r = review_hashes(req, info)) != 0)
		goto out;
	r = ca_name_format(X509_REQ_get_subject_name(req), info->subject, sizeof(info->subject));
out:
	ERR_clear_error();
	return r;
}
