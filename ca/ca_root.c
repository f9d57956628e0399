/*
 * ca_root: builds the root certificate to the profile in ca_root.h and
 * nothing more: every extension is added explicitly (no config, no
 * X509V3_EXT_conf), the issuer is a copy of the subject's DER, and the
 * signed result is checked before anyone sees it.
 */
#include "ca/ca_root.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "ca/ca_der.h"
#include "ca/ca_key.h"
#include "ca/ca_pem.h"
#include "common/rng.h"

#define SERIAL_TRIES 16
#define SECONDS_PER_DAY 86400
#define LAST_SECOND_9999 ((time_t)253402300799) /* 9999-12-31T23:59:59Z */

int
ca_serial_generate(ASN1_INTEGER **out)
{
	unsigned char b[CA_SERIAL_LEN];
	ASN1_INTEGER *ai = NULL;
	int i, r;

	*out = NULL;
	for (i = 0; i < SERIAL_TRIES; i++) {
		if ((r = custos_random(b, sizeof(b))) != 0)
			return r;
		b[0] &= 0x7f; /* positive */
		if (b[0] != 0)
			break; /* and exactly 20 bytes, hence non-zero */
	}
	if (b[0] == 0)
		return custos_err_set(CUSTOS_ERANDOM,
		                      "the random source gave %d serials with a zero "
		                      "first byte in a row",
		                      SERIAL_TRIES);
	if ((ai = ASN1_INTEGER_new()) == NULL || !ASN1_STRING_set(ai, b, (int)sizeof(b))) {
		ASN1_INTEGER_free(ai);
		return custos_err_set_openssl(CUSTOS_ENOMEM, "serial number");
	}
	*out = ai;
	return 0;
}

static int
check_params(EVP_PKEY *key, const X509_NAME *subject, unsigned days, time_t now)
{
	enum ca_alg alg;
	int r;

	if (days < CA_ROOT_DAYS_MIN || days > CA_ROOT_DAYS_MAX)
		return custos_err_set(CUSTOS_EINVAL,
		                      "a root is valid for %u to %u days (8 to 25 years), not %u",
		                      CA_ROOT_DAYS_MIN, CA_ROOT_DAYS_MAX, days);
	if (now < 0 || now > LAST_SECOND_9999 - (time_t)days * SECONDS_PER_DAY)
		return custos_err_set(CUSTOS_EINVAL, "the time %lld is out of range",
		                      (long long)now);
	if (subject == NULL || X509_NAME_entry_count(subject) == 0)
		return custos_err_set(CUSTOS_EINVAL, "the root needs a subject");
	if ((r = ca_key_alg(key, &alg)) != 0)
		return r;
	return 0;
}

/* basicConstraints (critical, cA, no pathLen) and keyUsage (critical, keyCertSign+cRLSign). */
static int
add_ca_extensions(X509 *x)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	int ok;

	ok = bc != NULL && ku != NULL;
	if (ok) {
		bc->ca = 0xff; /* DER TRUE */
		bc->pathlen = NULL;
		ok = ASN1_BIT_STRING_set_bit(ku, 5, 1) && /* keyCertSign */
		     ASN1_BIT_STRING_set_bit(ku, 6, 1) && /* cRLSign */
		     X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_APPEND) == 1 &&
		     X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_APPEND) == 1;
	}
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING_free(ku);
	return ok ? 0 : custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot add the CA extensions");
}

/* SKI = SHA-1(subjectPublicKey bits) (RFC 5280 method 1); AKI = keyIdentifier only. */
static int
add_key_ids(X509 *x)
{
	const unsigned char *bits = NULL;
	unsigned char sha1[20];
	unsigned int shalen = 0;
	ASN1_OCTET_STRING *ski = ASN1_OCTET_STRING_new();
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
	int nbits = 0, ok;

	ok = ski != NULL && aki != NULL &&
	     X509_PUBKEY_get0_param(NULL, &bits, &nbits, NULL, X509_get_X509_PUBKEY(x)) == 1 &&
	     EVP_Digest(bits, (size_t)nbits, sha1, &shalen, EVP_sha1(), NULL) == 1 &&
	     shalen == sizeof(sha1) && ASN1_OCTET_STRING_set(ski, sha1, (int)shalen);
	if (ok) {
		aki->keyid = ASN1_OCTET_STRING_dup(ski);
		ok = aki->keyid != NULL &&
		     X509_add1_ext_i2d(x, NID_subject_key_identifier, ski, 0, X509V3_ADD_APPEND) ==
		             1 &&
		     X509_add1_ext_i2d(x, NID_authority_key_identifier, aki, 0,
		                       X509V3_ADD_APPEND) == 1;
	}
	ASN1_OCTET_STRING_free(ski);
	AUTHORITY_KEYID_free(aki);
	return ok ? 0 : custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot add the key identifiers");
}

/* Version, serial, names, validity, public key: everything but the extensions. */
static int
fill_tbs(X509 *x, EVP_PKEY *key, const X509_NAME *subject, unsigned days, time_t now)
{
	ASN1_INTEGER *serial = NULL;
	int r;

	if ((r = ca_serial_generate(&serial)) != 0)
		return r;
	if (!X509_set_version(x, X509_VERSION_3) || !X509_set_serialNumber(x, serial) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(x)) ||
	    ASN1_TIME_set(X509_getm_notBefore(x), now) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), now + (time_t)days * SECONDS_PER_DAY - 1) ==
	            NULL ||
	    !X509_set_pubkey(x, key))
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot fill in the certificate");
	ASN1_INTEGER_free(serial);
	return r;
}

int
ca_root_create(EVP_PKEY *key, const X509_NAME *subject, unsigned days, time_t now, X509 **out)
{
	X509 *x = NULL;
	int r;

	*out = NULL;
	if ((r = check_params(key, subject, days, now)) != 0)
		return r;
	if ((x = X509_new()) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "out of memory");
	if ((r = fill_tbs(x, key, subject, days, now)) != 0 || (r = add_ca_extensions(x)) != 0 ||
	    (r = add_key_ids(x)) != 0)
		goto out;
	if (X509_sign(x, key, ca_key_digest(key)) <= 0) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "signing the root failed");
		goto out;
	}
	if ((r = ca_cert_verify_self(x)) != 0) {
		r = custos_err_set(CUSTOS_ELINT, "the new root fails its own check: %s",
		                   custos_err_detail());
		goto out;
	}
	if (ca_key_matches(key, X509_get0_pubkey(x)) != 0) {
		r = custos_err_set(CUSTOS_ELINT, "the new root does not carry the key");
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
out:
	X509_free(x);
	return r;
}

int
ca_cert_verify_self(X509 *root)
{
	const unsigned char *ider = NULL, *sder = NULL;
	size_t ilen = 0, slen = 0;
	EVP_PKEY *pub;

	if (root == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no certificate");
	if ((pub = X509_get0_pubkey(root)) == NULL)
		return custos_err_set_openssl(CUSTOS_EKEY,
		                              "the certificate's public key is unusable");
	if (X509_verify(root, pub) != 1)
		return custos_err_set_openssl(CUSTOS_EAUTH, "the self-signature does not verify");
	if (!X509_NAME_get0_der(X509_get_issuer_name(root), &ider, &ilen) ||
	    !X509_NAME_get0_der(X509_get_subject_name(root), &sder, &slen))
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot encode the names");
	if (ilen != slen || memcmp(ider, sder, ilen) != 0)
		return custos_err_set(CUSTOS_ELINT,
		                      "the issuer is not byte-identical to the subject");
	return 0;
}

int
ca_cert_to_pem(X509 *cert, char **pem, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *copy = NULL;
	long n;
	int r = 0;

	*pem = NULL;
	*len = 0;
	if (bio == NULL || cert == NULL || !PEM_write_bio_X509(bio, cert) ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0 ||
	    (copy = OPENSSL_malloc((size_t)n + 1)) == NULL) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot write the certificate as PEM");
		goto out;
	}
	memcpy(copy, data, (size_t)n);
	copy[n] = '\0';
	*pem = copy;
	*len = (size_t)n;
out:
	BIO_free(bio);
	return r;
}

int
ca_cert_from_pem(const char *pem, size_t len, X509 **out)
{
	static const char *const labels[] = {"CERTIFICATE", NULL};
	unsigned char *der = NULL;
	const unsigned char *p;
	size_t derlen = 0;
	X509 *x = NULL;
	int r, is_pem = 0;

	*out = NULL;
	if ((r = ca_pem_or_der((const unsigned char *)pem, len, CA_CERT_PEM_MAX, labels, &der,
	                       &derlen, &is_pem)) != 0)
		return r;
	if (!is_pem) {
		r = custos_err_set(CUSTOS_EFORMAT, "expected a PEM certificate, got binary data");
		goto out;
	}
	if ((r = ca_der_check(der, derlen, "certificate")) != 0)
		goto out;
	p = der;
	if ((x = d2i_X509(NULL, &p, (long)derlen)) == NULL || p != der + derlen) {
		r = custos_err_set_openssl(CUSTOS_EFORMAT, "not a certificate");
		goto out;
	}
	*out = x;
	x = NULL; /* transferred */
out:
	X509_free(x);
	OPENSSL_free(der);
	return r;
}

int
ca_cert_sha256(X509 *cert, unsigned char out[32])
{
	unsigned char *der = NULL;
	int n, r = 0;

	memset(out, 0, 32);
	if (cert == NULL || (n = i2d_X509(cert, &der)) <= 0 ||
	    EVP_Digest(der, (size_t)n, out, NULL, EVP_sha256(), NULL) != 1) {
		memset(out, 0, 32);
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot hash the certificate");
	}
	OPENSSL_free(der);
	return r;
}
