/*
 * ca_key: the root CA's key: the five algorithms custos offers, generation,
 * PKCS#8 in locked memory, public-key identities, and the sign/verify
 * self-test.
 *
 * Invariant: private keys are kept in OpenSSL's secure heap (private
 * BIGNUMs) and in sodium_malloc memory (PKCS#8 bytes), and nothing frees
 * them unwiped; OpenSSL 3.0 keeps extra, wiped-on-free copies of RSA
 * integers in its ordinary heap in two cases, which ca_key.c names exactly
 * together with everything else that is and is not covered.  Call ca_secure_heap_init()
 * at start-up; ca_key_generate() and ca_key_from_pkcs8() call it themselves
 * when nobody has, so a key is never built before the secure heap exists.
 */
#ifndef CA_KEY_H
#define CA_KEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "common/err.h"

enum ca_alg { CA_ALG_EC_P256, CA_ALG_EC_P384, CA_ALG_EC_P521, CA_ALG_RSA_3072, CA_ALG_RSA_4096 };

/* Size of OpenSSL's secure heap made by ca_secure_heap_init(). */
#define CA_SECURE_HEAP_SIZE (1u << 20)
#define CA_SECURE_HEAP_MIN 32

/*
 * Creates OpenSSL's secure heap (CRYPTO_secure_malloc_init) once.  Returns 0
 * when it exists, is locked into RAM and excluded from core dumps;
 * CUSTOS_EREFUSED when it exists but mlock/madvise/mprotect failed (keys would
 * then sit in swappable memory: the application should refuse to run; raise
 * RLIMIT_MEMLOCK); CUSTOS_ENOMEM when it could not be created.  Repeated
 * calls return the first call's answer.
 */
int ca_secure_heap_init(void) CUSTOS_WUR;

/*
 * "ec-p256" "ec-p384" "ec-p521" "rsa-3072" "rsa-4096" to the enum.  Returns 0,
 * or CUSTOS_EINVAL naming the valid names (*out is then CA_ALG_EC_P256).
 */
int ca_alg_from_name(const char *name, enum ca_alg *out) CUSTOS_WUR;

/* The name of alg as ca_alg_from_name() takes it; "unknown" for others. */
const char *ca_alg_name(enum ca_alg alg);

/* "P-256", "P-384", "P-521" for the EC algorithms, NULL for RSA and others. */
const char *ca_alg_curve(enum ca_alg alg);

/*
 * The DER AlgorithmIdentifier of a SubjectPublicKeyInfo (and of PKCS#8) for
 * keys of alg's family, byte for byte as the CA/B Forum BR 7.1.3.1 require:
 * rsaEncryption with NULL parameters (every RSA size), or id-ecPublicKey with
 * the named curve.  Sets *der to static bytes, or NULL and *len 0 for others.
 */
void ca_alg_spki_algid(enum ca_alg alg, const unsigned char **der, size_t *len);

/*
 * Generates a key (RSA with e = 65537) and runs a pairwise sign/verify test
 * on it.  Returns 0 and a new key in *out (EVP_PKEY_free), or CUSTOS_EINVAL,
 * CUSTOS_ECRYPTO, CUSTOS_ESELFTEST; *out is NULL on failure.
 */
int ca_key_generate(enum ca_alg alg, EVP_PKEY **out) CUSTOS_WUR;

/*
 * PKCS#8 PrivateKeyInfo DER of the private key (one of ours) into a new
 * sodium_malloc'd buffer of exactly *len bytes; the caller sodium_free()s it.
 * RSA: rsaEncryption, two-prime RSAPrivateKey; EC: id-ecPublicKey with the
 * named curve, ECPrivateKey v1 with the public key and without [0]
 * parameters -- byte-identical to what OpenSSL 3 writes.  Returns 0, or
 * CUSTOS_EKEY (not one of ours, no private part), CUSTOS_ENOMEM,
 * CUSTOS_ECRYPTO; *der is NULL and *len 0 on failure.
 */
int ca_key_to_pkcs8(EVP_PKEY *key, unsigned char **der, size_t *len) CUSTOS_WUR;

/*
 * The key in PKCS#8 DER (len bytes; DER only, no attributes, EC keys must
 * carry their public key) to a new key (EVP_PKEY_free) after a pairwise
 * sign/verify test.  Returns 0, CUSTOS_EFORMAT (malformed), CUSTOS_EKEY (not
 * one of our algorithms), CUSTOS_ESELFTEST (the halves do not match),
 * CUSTOS_ECRYPTO; *out is NULL on failure.  The input is not modified.
 */
int ca_key_from_pkcs8(const unsigned char *der, size_t len, EVP_PKEY **out) CUSTOS_WUR;

/*
 * Which of our algorithms key (private or public) is: EC on one of the three
 * named curves, or RSA (not RSA-PSS) of 3072 or 4096 bits with e = 65537.
 * Returns 0, or CUSTOS_EKEY saying what the key is.
 */
int ca_key_alg(EVP_PKEY *key, enum ca_alg *out) CUSTOS_WUR;

/*
 * For an EC key with a named P-256, P-384 or P-521 curve: 0 and the matching
 * CA_ALG_EC_*.  Otherwise CUSTOS_EKEY naming the curve (or "explicit curve
 * parameters", or "not an EC key").
 */
int ca_key_ec_alg(EVP_PKEY *key, enum ca_alg *out) CUSTOS_WUR;

/* SubjectPublicKeyInfo DER into a new buffer (OPENSSL_free).  0 or CUSTOS_ECRYPTO. */
int ca_key_spki_der(EVP_PKEY *key, unsigned char **der, size_t *len) CUSTOS_WUR;

/* SHA-256 of the SubjectPublicKeyInfo DER.  0 or CUSTOS_ECRYPTO (out zeroed). */
int ca_key_spki_sha256(EVP_PKEY *key, unsigned char out[32]) CUSTOS_WUR;

/* 0 when priv's public half equals pub, else CUSTOS_EKEY. */
int ca_key_matches(EVP_PKEY *priv, EVP_PKEY *pub) CUSTOS_WUR;

/*
 * The digest custos signs with under key: P-256 SHA-256, P-384 SHA-384,
 * P-521 SHA-512 (the hash follows the curve, DESIGN section 5); RSA-3072
 * SHA-256 (~128-bit strength each) and RSA-4096 SHA-384 (the key is stronger
 * than 128 bits, so the hash is raised with it; sha384WithRSAEncryption is
 * allowed by the CA/B Forum BR).  RSA signs with PKCS#1 v1.5.  NULL when key
 * is not one of ours.
 */
const EVP_MD *ca_key_digest(EVP_PKEY *key);

/*
 * Known-answer and pairwise self-test: decodes an embedded P-256 PKCS#8 key
 * with ca_key_from_pkcs8, checks its re-encoding and SubjectPublicKeyInfo
 * hash against constants, verifies a stored signature (known answer), signs
 * and verifies afresh, and requires a flipped signature to be rejected.
 * Returns 0 or CUSTOS_ESELFTEST with what failed.
 */
int ca_selftest(void) CUSTOS_WUR;

#endif
