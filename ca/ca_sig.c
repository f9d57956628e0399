/*
 * ca_sig: see the header.
 */
#include "ca/ca_sig.h"

#include <openssl/err.h>

#include "ca/ca_key.h"

int
ca_sig_sign(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t *sig, size_t *siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = CA_SIG_MAX;
	int r = 0;

	*siglen = 0;
	if (ctx == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "signature context");
	if (EVP_DigestSignInit(ctx, NULL, ca_key_digest(key), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, data, len) != 1 || n > CA_SIG_MAX ||
	    EVP_DigestSign(ctx, sig, &n, data, len) != 1)
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "signing");
	else
		*siglen = n;
	EVP_MD_CTX_free(ctx);
	return r;
}

int
ca_sig_verify(EVP_PKEY *pub, const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (ctx == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "signature context");
	ok = EVP_DigestVerifyInit(ctx, NULL, ca_key_digest(pub), NULL, pub) == 1 &&
	     EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : custos_err_set(CUSTOS_EAUTH, "the signature does not verify");
}
