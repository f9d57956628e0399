/*
 * ca_sig: detached signatures over custos' own records (vault file, audit
 * checkpoints, transcripts) with the root key, checked with the root
 * certificate's public key alone.  The digest follows the key (ca_key_digest).
 */
#ifndef CA_SIG_H
#define CA_SIG_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CA_SIG_MAX 1024 /* largest signature (RSA-4096 is 512 bytes) */

/* Signs data with key into sig (CA_SIG_MAX bytes); *siglen its length. */
int ca_sig_sign(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t *sig,
                size_t *siglen) CUSTOS_WUR;

/* Returns 0 when sig is key's signature over data, else CUSTOS_EAUTH. */
int ca_sig_verify(EVP_PKEY *pub, const uint8_t *data, size_t len, const uint8_t *sig,
                  size_t siglen) CUSTOS_WUR;

#endif
