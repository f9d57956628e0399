/*
 * cer_backend: the software backend (see the header).
 *
 * Invariant: the PKCS#8 DER and the vault key exist only in sodium_malloc'd
 * (locked, guarded) memory and are wiped before it is freed, on every path.
 */
#include "ceremony/cer_backend.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_sig.h"
#include "ceremony/cer_vault.h"
#include "common/rng.h"

#define NONCE_LEN crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_LEN crypto_aead_xchacha20poly1305_ietf_ABYTES

int
cer_vault_key(const uint8_t *master, const uint8_t *vault_id, uint8_t out[32])
{
	static const char tag[] = "custos/vault-key/v1";
	crypto_generichash_state st;
	int r = 0;

	if (crypto_generichash_init(&st, master, CER_MASTER_LEN, 32) != 0 ||
	    crypto_generichash_update(&st, (const uint8_t *)tag, sizeof(tag) - 1) != 0 ||
	    crypto_generichash_update(&st, vault_id, CER_VAULT_ID_LEN) != 0 ||
	    crypto_generichash_final(&st, out, 32) != 0)
		r = custos_err_set(CUSTOS_ECRYPTO, "BLAKE2b vault key");
	sodium_memzero(&st, sizeof(st));
	return r;
}

static int
soft_create(enum ca_alg alg, EVP_PKEY **key)
{
	return ca_key_generate(alg, key);
}

static int
soft_seal(EVP_PKEY *key, const uint8_t *master, const uint8_t *vault_id, const uint8_t *ad,
          size_t adlen, uint8_t **blob, size_t *bloblen)
{
	uint8_t *k = sodium_malloc(32), *der = NULL, *out = NULL;
	size_t derlen = 0;
	unsigned long long clen;
	int r;

	*blob = NULL;
	*bloblen = 0;
	if (k == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "vault key");
	if ((r = cer_vault_key(master, vault_id, k)) != 0 ||
	    (r = ca_key_to_pkcs8(key, &der, &derlen)) != 0)
		goto out;
	if ((out = malloc(NONCE_LEN + derlen + TAG_LEN)) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "vault body");
		goto out;
	}
	if ((r = custos_random(out, NONCE_LEN)) != 0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE_LEN, &clen, der, derlen, ad, adlen,
	                                               NULL, out, k) != 0) {
		r = custos_err_set(CUSTOS_ECRYPTO, "sealing the key");
		goto out;
	}
	*blob = out;
	*bloblen = NONCE_LEN + (size_t)clen;
	out = NULL; /* transferred */
out:
	free(out);
	if (der != NULL) {
		sodium_memzero(der, derlen);
		sodium_free(der);
	}
	sodium_free(k);
	return r;
}

static int
soft_unseal(const uint8_t *blob, size_t bloblen, const uint8_t *master, const uint8_t *vault_id,
            const uint8_t *ad, size_t adlen, EVP_PKEY **key)
{
	uint8_t *k = NULL, *der = NULL;
	unsigned long long dlen = 0;
	int r;

	*key = NULL;
	if (bloblen < NONCE_LEN + TAG_LEN + 1)
		return custos_err_set(CUSTOS_EFORMAT, "vault body is too short");
	k = sodium_malloc(32);
	der = sodium_malloc(bloblen);
	if (k == NULL || der == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "unsealing");
		goto out;
	}
	if ((r = cer_vault_key(master, vault_id, k)) != 0)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(der, &dlen, NULL, blob + NONCE_LEN,
	                                               bloblen - NONCE_LEN, ad, adlen, blob, k) != 0) {
		r = custos_err_set(CUSTOS_EAUTH, "the vault does not open with this master secret, "
		                                 "or it was altered");
		goto out;
	}
	r = ca_key_from_pkcs8(der, (size_t)dlen, key);
out:
	if (der != NULL)
		sodium_memzero(der, bloblen);
	sodium_free(der);
	sodium_free(k);
	return r;
}

static int
soft_sign(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t *sig, size_t *siglen)
{
	return ca_sig_sign(key, data, len, sig, siglen);
}

static int
soft_public_key(EVP_PKEY *key, unsigned char **spki, size_t *len)
{
	return ca_key_spki_der(key, spki, len);
}

static int
soft_destroy(const uint8_t *blob, size_t bloblen)
{
	(void)blob;
	(void)bloblen;
	return 0; /* the caller rewrites the vault without the blob and shreds the old file */
}

static const struct cer_backend software = {
	"software", soft_create, soft_seal, soft_unseal, soft_sign, soft_public_key, soft_destroy,
};

const struct cer_backend *
cer_backend_find(const char *name)
{
	if (strcmp(name, software.name) == 0)
		return &software;
	return NULL;
}
