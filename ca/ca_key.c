/*
 * ca_key: root CA keys in locked memory.
 *
 * Where the plaintext lives.  Checked on Debian 12's OpenSSL 3.0 by
 * tests/unit/test_ca_key.c, which hooks OpenSSL's allocator, records every
 * block it frees and searches those and every block it still holds for the
 * private integers in both byte orders:
 *  - OpenSSL never frees a private integer without wiping it, during
 *    generation, PKCS#8 in both directions, matching, and signing, for all
 *    five algorithms; once the keys are freed no copy is left anywhere.
 *  - EC: the private scalar is never in OpenSSL's ordinary heap at all; it
 *    lives in OpenSSL's secure heap (one mmap'd arena, mlock'd, MADV_DONTDUMP,
 *    guard pages, zeroed on free).
 *  - RSA: a generated key holds d, p, q, dP, dQ, qInv in the secure heap, but
 *    OpenSSL 3.0 keeps ordinary-heap copies (not locked; wiped when the key
 *    is freed) in two cases this module cannot avoid through public APIs:
 *    a key made by ca_key_from_pkcs8() (the RSA import of EVP_PKEY_fromdata
 *    allocates with BN_new, in OSSL_PARAM_get_BN, where the EC import uses
 *    BN_secure_new), and any key after its first signature (the cached
 *    Montgomery contexts for p and q).  Swap off or mlockall() is the remedy
 *    (DESIGN section 7); the test fails when OpenSSL stops doing this, so the
 *    claim can then be tightened.
 *  - PKCS#8 is encoded and decoded here (ca_der), never by OpenSSL: private
 *    integers move between secure BIGNUMs and sodium_malloc memory with
 *    BN_bn2binpad/BN_bin2bn and reach OpenSSL through an OSSL_PARAM_BLD whose
 *    secure BIGNUMs make it allocate those values in the secure heap.  The
 *    work buffer is sodium_malloc'd and sodium_free'd (wiped).
 *  - ca_key_generate() and ca_key_from_pkcs8() refuse to build a key when the
 *    secure heap cannot be created, because BN_secure_new() silently falls
 *    back to the ordinary heap without one; when it is full OpenSSL fails
 *    instead of falling back.
 * What is not guaranteed:
 *  - EVP_PKEY_get_bn_param() passes each value through a 2 KiB buffer on
 *    OpenSSL's stack, cleansed afterwards; the stack is not locked.  Swap and
 *    core dumps of the whole process are the application's business
 *    (DESIGN section 7: RLIMIT_CORE 0, PR_SET_DUMPABLE 0).
 *  - Intermediate values of a signature computation (ECDSA nonces, RSA
 *    blinding) are OpenSSL's; only the long-term integers are checked.
 *  - OpenSSL's own encoders and decoders (i2d_PrivateKey, d2i_AutoPrivateKey,
 *    PEM_write_PrivateKey, OSSL_ENCODER/OSSL_DECODER) and the RSA key checks
 *    (EVP_PKEY_check, EVP_PKEY_pairwise_check, EVP_PKEY_private_check) free
 *    plaintext without wiping it on 3.0: this module never calls them on a
 *    private key, and callers must not either.
 */
#include "ca/ca_key.h"

#include <sodium.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ca/ca_der.h"

/* Big enough for an RSA-4096 PrivateKeyInfo (about 2.4 KiB). */
#define PKCS8_WORK 8192
#define SIG_MAX 1024

/* DER AlgorithmIdentifiers of PrivateKeyInfo (the same bytes as in an SPKI). */
static const unsigned char algid_rsa[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                          0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
static const unsigned char algid_p256[] = {0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                           0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
                                           0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const unsigned char algid_p384[] = {0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                           0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
static const unsigned char algid_p521[] = {0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
                                           0x02, 0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23};
/* In an EC AlgorithmIdentifier the curve OID follows 30 xx 06 07 <id-ecPublicKey>. */
#define ALGID_CURVE_OFFSET 11

struct alg_info {
	enum ca_alg alg;
	const char *name;
	const char *curve; /* NIST name; NULL for RSA */
	int nid;           /* curve NID; NID_undef for RSA */
	int bits;
	size_t field_len; /* EC private key octets */
	const unsigned char *algid;
	size_t algid_len;
	const EVP_MD *(*md)(void);
};

/* clang-format off */
static const struct alg_info algs[] = {
	{CA_ALG_EC_P256, "ec-p256", "P-256", NID_X9_62_prime256v1, 256, 32, algid_p256,
	 sizeof(algid_p256), EVP_sha256},
	{CA_ALG_EC_P384, "ec-p384", "P-384", NID_secp384r1, 384, 48, algid_p384, sizeof(algid_p384),
	 EVP_sha384},
	{CA_ALG_EC_P521, "ec-p521", "P-521", NID_secp521r1, 521, 66, algid_p521, sizeof(algid_p521),
	 EVP_sha512},
	{CA_ALG_RSA_3072, "rsa-3072", NULL, NID_undef, 3072, 0, algid_rsa, sizeof(algid_rsa),
	 EVP_sha256},
	{CA_ALG_RSA_4096, "rsa-4096", NULL, NID_undef, 4096, 0, algid_rsa, sizeof(algid_rsa),
	 EVP_sha384},
};
/* clang-format on */
#define NALGS (sizeof(algs) / sizeof(algs[0]))

/* RSAPrivateKey's private fields after n and e, in their DER order. */
/* clang-format off */
static const char *const rsa_private[] = {
	OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
};
/* clang-format on */
#define NRSA_PRIVATE (sizeof(rsa_private) / sizeof(rsa_private[0]))

static const struct alg_info *
alg_info(enum ca_alg alg)
{
	size_t i;

	for (i = 0; i < NALGS; i++)
		if (algs[i].alg == alg)
			return &algs[i];
	return NULL;
}

/* 1: not tried yet; else the answer of the first ca_secure_heap_init(). */
static int heap_status = 1;

int
ca_secure_heap_init(void)
{
	int r;

	if (heap_status == 1) {
		if (CRYPTO_secure_malloc_initialized())
			heap_status = 0; /* made by someone else; we cannot ask how */
		else if ((r = CRYPTO_secure_malloc_init(CA_SECURE_HEAP_SIZE, CA_SECURE_HEAP_MIN)) ==
		         1)
			heap_status = 0;
		else
			heap_status = r == 2 ? CUSTOS_EREFUSED : CUSTOS_ENOMEM;
	}
	if (heap_status == CUSTOS_EREFUSED)
		return custos_err_set(
		        CUSTOS_EREFUSED,
		        "OpenSSL's secure heap exists but could not be locked into RAM "
		        "or excluded from core dumps (raise RLIMIT_MEMLOCK)");
	if (heap_status == CUSTOS_ENOMEM)
		return custos_err_set(CUSTOS_ENOMEM,
		                      "OpenSSL's secure heap (%u bytes) could not "
		                      "be created",
		                      CA_SECURE_HEAP_SIZE);
	return 0;
}

/* Keys are only built once the secure heap exists (locked or not). */
static int
need_secure_heap(void)
{
	int r = ca_secure_heap_init();

	return r == CUSTOS_EREFUSED ? 0 : r;
}

int
ca_alg_from_name(const char *name, enum ca_alg *out)
{
	size_t i;

	*out = CA_ALG_EC_P256;
	for (i = 0; name != NULL && i < NALGS; i++)
		if (strcmp(name, algs[i].name) == 0) {
			*out = algs[i].alg;
			return 0;
		}
	return custos_err_set(CUSTOS_EINVAL,
	                      "unknown key algorithm '%s' (valid: ec-p256, ec-p384, ec-p521, "
	                      "rsa-3072, rsa-4096)",
	                      name != NULL ? name : "");
}

const char *
ca_alg_name(enum ca_alg alg)
{
	const struct alg_info *a = alg_info(alg);

	return a != NULL ? a->name : "unknown";
}

const char *
ca_alg_curve(enum ca_alg alg)
{
	const struct alg_info *a = alg_info(alg);

	return a != NULL ? a->curve : NULL;
}

void
ca_alg_spki_algid(enum ca_alg alg, const unsigned char **der, size_t *len)
{
	const struct alg_info *a = alg_info(alg);

	*der = a != NULL ? a->algid : NULL;
	*len = a != NULL ? a->algid_len : 0;
}

/* Signs msg with key under ca_key_digest(key) (PKCS#1 v1.5 for RSA). */
static int
sign_msg(EVP_PKEY *key, const unsigned char *msg, size_t n, unsigned char *sig, size_t *siglen)
{
	const EVP_MD *md = ca_key_digest(key);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int r = 0;

	if (md == NULL || ctx == NULL || EVP_DigestSignInit(ctx, NULL, md, NULL, key) != 1 ||
	    EVP_DigestSign(ctx, sig, siglen, msg, n) != 1)
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "signing failed");
	EVP_MD_CTX_free(ctx);
	return r;
}

/* Returns 1 only when sig is a valid signature of msg under key's public half. */
static int
verify_msg(EVP_PKEY *key, const unsigned char *msg, size_t n, const unsigned char *sig,
           size_t siglen)
{
	const EVP_MD *md = ca_key_digest(key);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = 0;

	if (md != NULL && ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, sig, siglen, msg, n) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

/* Pairwise consistency test: the private half signs what the public half accepts. */
static int
pairwise(EVP_PKEY *key)
{
	static const unsigned char msg[] = "custos ca_key pairwise consistency test";
	unsigned char sig[SIG_MAX];
	size_t siglen = sizeof(sig);
	int r;

	if ((r = sign_msg(key, msg, sizeof(msg) - 1, sig, &siglen)) != 0)
		return custos_err_set(CUSTOS_ESELFTEST, "pairwise test: %s", custos_err_detail());
	if (!verify_msg(key, msg, sizeof(msg) - 1, sig, siglen))
		return custos_err_set(CUSTOS_ESELFTEST,
		                      "pairwise test: the public key rejects the private key's "
		                      "signature");
	return 0;
}

int
ca_key_generate(enum ca_alg alg, EVP_PKEY **out)
{
	const struct alg_info *a = alg_info(alg);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *key = NULL;
	BIGNUM *e = NULL;
	int r = CUSTOS_ECRYPTO;

	*out = NULL;
	if (a == NULL)
		return custos_err_set(CUSTOS_EINVAL, "unknown key algorithm %d", (int)alg);
	if ((r = need_secure_heap()) != 0)
		return r;
	ctx = EVP_PKEY_CTX_new_from_name(NULL, a->curve != NULL ? "EC" : "RSA", NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "key generation setup failed");
		goto out;
	}
	if (a->curve != NULL) {
		if (EVP_PKEY_CTX_set_group_name(ctx, OBJ_nid2sn(a->nid)) <= 0) {
			r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot select the curve");
			goto out;
		}
	} else if ((e = BN_new()) == NULL || !BN_set_word(e, RSA_F4) ||
	           EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, a->bits) <= 0 ||
	           EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) <= 0) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot set the RSA key size");
		goto out;
	}
	if (EVP_PKEY_keygen(ctx, &key) <= 0) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "key generation failed");
		goto out;
	}
	if ((r = pairwise(key)) != 0)
		goto out;
	*out = key;
	key = NULL; /* transferred */
	r = 0;
out:
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e);
	return r;
}

int
ca_key_ec_alg(EVP_PKEY *key, enum ca_alg *out)
{
	char group[80], enc[32];
	size_t i, glen = 0, elen = 0;
	int nid;

	*out = CA_ALG_EC_P256;
	if (key == NULL || !EVP_PKEY_is_a(key, "EC"))
		return custos_err_set(CUSTOS_EKEY, "not an EC key");
	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof(enc),
	                                   &elen) &&
	    strcmp(enc, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
		ERR_clear_error();
		return custos_err_set(CUSTOS_EKEY, "EC key with explicit curve parameters "
		                                   "(only named curves are accepted)");
	}
	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
	                                    &glen)) {
		ERR_clear_error();
		return custos_err_set(CUSTOS_EKEY, "EC key without a named curve");
	}
	ERR_clear_error();
	if ((nid = OBJ_sn2nid(group)) == NID_undef && (nid = OBJ_ln2nid(group)) == NID_undef)
		nid = EC_curve_nist2nid(group);
	for (i = 0; i < NALGS; i++)
		if (algs[i].curve != NULL && algs[i].nid == nid) {
			*out = algs[i].alg;
			return 0;
		}
	return custos_err_set(CUSTOS_EKEY, "EC curve %s is not accepted (P-256, P-384, P-521 only)",
	                      group);
}

int
ca_key_alg(EVP_PKEY *key, enum ca_alg *out)
{
	BIGNUM *e = NULL;
	int bits, r;

	*out = CA_ALG_EC_P256;
	if (key == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no key");
	if (EVP_PKEY_is_a(key, "EC"))
		return ca_key_ec_alg(key, out);
	if (!EVP_PKEY_is_a(key, "RSA")) {
		const char *type = EVP_PKEY_get0_type_name(key);

		return custos_err_set(CUSTOS_EKEY, "%s keys are not accepted (RSA or EC only)",
		                      type != NULL ? type : "unknown");
	}
	bits = EVP_PKEY_get_bits(key);
	if (bits != 3072 && bits != 4096)
		return custos_err_set(CUSTOS_EKEY, "RSA-%d: root keys are RSA 3072 or 4096 bits",
		                      bits);
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e)) {
		r = custos_err_set_openssl(CUSTOS_EKEY, "RSA key without a public exponent");
	} else if (!BN_is_word(e, RSA_F4)) {
		r = custos_err_set(CUSTOS_EKEY, "RSA public exponent is not 65537");
	} else {
		*out = bits == 3072 ? CA_ALG_RSA_3072 : CA_ALG_RSA_4096;
		r = 0;
	}
	BN_free(e);
	return r;
}

const EVP_MD *
ca_key_digest(EVP_PKEY *key)
{
	enum ca_alg alg;

	if (ca_key_alg(key, &alg) != 0)
		return NULL;
	return alg_info(alg)->md();
}

/* Writes RSAPrivateKey (two-prime) backwards into w. */
static int
write_rsa(struct ca_der_w *w, EVP_PKEY *key)
{
	BIGNUM *n = NULL, *e = NULL, *sec[NRSA_PRIVATE] = {NULL}, *extra = NULL;
	size_t i, mark = ca_der_w_mark(w);
	int r = 0;

	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e)) {
		r = custos_err_set_openssl(CUSTOS_EKEY, "RSA key without modulus or exponent");
		goto out;
	}
	for (i = 0; i < NRSA_PRIVATE; i++) {
		/* A pre-allocated secure BIGNUM is filled in place (no ordinary-heap copy). */
		if ((sec[i] = BN_secure_new()) == NULL) {
			r = custos_err_set(CUSTOS_ENOMEM, "secure heap exhausted");
			goto out;
		}
		if (!EVP_PKEY_get_bn_param(key, rsa_private[i], &sec[i])) {
			ERR_clear_error();
			r = custos_err_set(CUSTOS_EKEY, "RSA key without its private part (%s)",
			                   rsa_private[i]);
			goto out;
		}
	}
	if ((extra = BN_secure_new()) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "secure heap exhausted");
		goto out;
	}
	if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR3, &extra)) {
		r = custos_err_set(CUSTOS_EKEY, "multi-prime RSA keys are not supported");
		goto out;
	}
	ERR_clear_error();
	for (i = NRSA_PRIVATE; i > 0; i--)
		ca_der_w_bn_integer(w, sec[i - 1]);
	ca_der_w_bn_integer(w, e);
	ca_der_w_bn_integer(w, n);
	ca_der_w_small_uint(w, 0);
	ca_der_w_wrap(w, CA_DER_SEQUENCE, mark);
out:
	for (i = 0; i < NRSA_PRIVATE; i++)
		BN_clear_free(sec[i]);
	BN_clear_free(extra);
	BN_free(n);
	BN_free(e);
	return r;
}

/* Writes ECPrivateKey v1 (privateKey, [1] publicKey; no [0]) backwards into w. */
static int
write_ec(struct ca_der_w *w, EVP_PKEY *key, const struct alg_info *a)
{
	unsigned char pub[256];
	size_t publen = 0, mark = ca_der_w_mark(w), pubmark;
	BIGNUM *d = NULL;
	int r = 0;

	if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
	                                     &publen) ||
	    publen == 0) {
		r = custos_err_set_openssl(CUSTOS_EKEY, "EC key without its public point");
		goto out;
	}
	if ((d = BN_secure_new()) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "secure heap exhausted");
		goto out;
	}
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d)) {
		ERR_clear_error();
		r = custos_err_set(CUSTOS_EKEY, "EC key without its private scalar");
		goto out;
	}
	pubmark = ca_der_w_mark(w);
	ca_der_w_raw(w, pub, publen);
	ca_der_w_raw(w, "\0", 1); /* BIT STRING: no unused bits */
	ca_der_w_wrap(w, CA_DER_BIT_STRING, pubmark);
	ca_der_w_wrap(w, CA_DER_CTX1, pubmark);
	ca_der_w_bn_octets(w, d, a->field_len);
	ca_der_w_small_uint(w, 1);
	ca_der_w_wrap(w, CA_DER_SEQUENCE, mark);
out:
	BN_clear_free(d);
	return r;
}

int
ca_key_to_pkcs8(EVP_PKEY *key, unsigned char **der, size_t *len)
{
	const struct alg_info *a;
	const unsigned char *enc;
	unsigned char *work = NULL, *res = NULL;
	struct ca_der_w w;
	size_t mark, enclen;
	enum ca_alg alg;
	int r;

	*der = NULL;
	*len = 0;
	if ((r = ca_key_alg(key, &alg)) != 0)
		return r;
	a = alg_info(alg);
	if ((work = sodium_malloc(PKCS8_WORK)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "no locked memory for the PKCS#8 encoding");
	ca_der_w_init(&w, work, PKCS8_WORK);
	mark = ca_der_w_mark(&w);
	if ((r = a->curve != NULL ? write_ec(&w, key, a) : write_rsa(&w, key)) != 0)
		goto out;
	ca_der_w_wrap(&w, CA_DER_OCTET_STRING, mark);
	ca_der_w_raw(&w, a->algid, a->algid_len);
	ca_der_w_small_uint(&w, 0);
	ca_der_w_wrap(&w, CA_DER_SEQUENCE, mark);
	if ((r = ca_der_w_result(&w, &enc, &enclen)) != 0)
		goto out;
	if ((res = sodium_malloc(enclen)) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "no locked memory for the PKCS#8 encoding");
		goto out;
	}
	memcpy(res, enc, enclen);
	*der = res;
	*len = enclen;
	res = NULL; /* transferred */
out:
	sodium_free(work); /* wipes */
	return r;
}

/* Builds a key of type from the parameters in bld. */
static int
key_fromdata(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	int r = 0;

	*out = NULL;
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_KEYPAIR, params) <= 0) {
		EVP_PKEY_free(*out);
		*out = NULL;
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot build the key");
	}
	OSSL_PARAM_free(params); /* the secure part is zeroed by the secure heap */
	EVP_PKEY_CTX_free(ctx);
	return r;
}

/* Reads RSAPrivateKey (two-prime) from in into a new key. */
static int
read_rsa(struct ca_der_r *in, EVP_PKEY **out)
{
	/* clang-format off */
	static const char *const what[NRSA_PRIVATE] = {
		"RSAPrivateKey privateExponent", "RSAPrivateKey prime1",
		"RSAPrivateKey prime2",          "RSAPrivateKey exponent1",
		"RSAPrivateKey exponent2",       "RSAPrivateKey coefficient"};
	/* clang-format on */
	BIGNUM *n = BN_new(), *e = BN_new(), *sec[NRSA_PRIVATE] = {NULL};
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	struct ca_der_r seq;
	size_t i;
	int r;

	*out = NULL;
	r = n == NULL || e == NULL || bld == NULL;
	for (i = 0; i < NRSA_PRIVATE; i++)
		if ((sec[i] = BN_secure_new()) == NULL)
			r = 1;
	if (r) {
		r = custos_err_set(CUSTOS_ENOMEM, "out of (secure) memory");
		goto out;
	}
	if ((r = ca_der_r_get(in, CA_DER_SEQUENCE, &seq, "RSAPrivateKey")) != 0 ||
	    (r = ca_der_r_done(in, "privateKey")) != 0 ||
	    (r = ca_der_r_expect_uint(&seq, 0, "RSAPrivateKey version (two-prime)")) != 0 ||
	    (r = ca_der_r_bn_integer(&seq, n, "RSAPrivateKey modulus")) != 0 ||
	    (r = ca_der_r_bn_integer(&seq, e, "RSAPrivateKey publicExponent")) != 0)
		goto out;
	for (i = 0; i < NRSA_PRIVATE; i++)
		if ((r = ca_der_r_bn_integer(&seq, sec[i], what[i])) != 0)
			goto out;
	if ((r = ca_der_r_done(&seq, "RSAPrivateKey")) != 0)
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot pass the RSA key");
		goto out;
	}
	for (i = 0; i < NRSA_PRIVATE; i++)
		if (!OSSL_PARAM_BLD_push_BN(bld, rsa_private[i], sec[i])) {
			r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot pass the RSA key");
			goto out;
		}
	r = key_fromdata("RSA", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	for (i = 0; i < NRSA_PRIVATE; i++)
		BN_clear_free(sec[i]);
	BN_free(n);
	BN_free(e);
	return r;
}

/* Reads the [1] publicKey of an ECPrivateKey: the point octets inside the BIT STRING. */
static int
read_ec_public(struct ca_der_r *seq, struct ca_der_r *point)
{
	struct ca_der_r wrap, bits;
	int r;

	point->p = NULL;
	point->n = 0;
	if (!ca_der_r_peek(seq, CA_DER_CTX1))
		return custos_err_set(CUSTOS_EFORMAT, "ECPrivateKey without its publicKey");
	if ((r = ca_der_r_get(seq, CA_DER_CTX1, &wrap, "ECPrivateKey publicKey")) != 0 ||
	    (r = ca_der_r_get(&wrap, CA_DER_BIT_STRING, &bits, "ECPrivateKey publicKey")) != 0 ||
	    (r = ca_der_r_done(&wrap, "ECPrivateKey publicKey")) != 0)
		return r;
	if (bits.n < 2 || bits.p[0] != 0)
		return custos_err_set(CUSTOS_EFORMAT, "ECPrivateKey publicKey: bad BIT STRING");
	point->p = bits.p + 1;
	point->n = bits.n - 1;
	return 0;
}

/* Reads ECPrivateKey v1 on curve a from in into a new key. */
static int
read_ec(struct ca_der_r *in, const struct alg_info *a, EVP_PKEY **out)
{
	const unsigned char *oid = a->algid + ALGID_CURVE_OFFSET;
	size_t oidlen = a->algid_len - ALGID_CURVE_OFFSET;
	struct ca_der_r seq, priv, params, point;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *d = BN_secure_new();
	int r;

	*out = NULL;
	if (bld == NULL || d == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "out of (secure) memory");
		goto out;
	}
	if ((r = ca_der_r_get(in, CA_DER_SEQUENCE, &seq, "ECPrivateKey")) != 0 ||
	    (r = ca_der_r_done(in, "privateKey")) != 0 ||
	    (r = ca_der_r_expect_uint(&seq, 1, "ECPrivateKey version")) != 0 ||
	    (r = ca_der_r_get(&seq, CA_DER_OCTET_STRING, &priv, "ECPrivateKey privateKey")) != 0)
		goto out;
	if (priv.n != a->field_len) {
		r = custos_err_set(CUSTOS_EFORMAT, "ECPrivateKey privateKey is %zu bytes, not %zu",
		                   priv.n, a->field_len);
		goto out;
	}
	if (ca_der_r_peek(&seq, CA_DER_CTX0)) {
		if ((r = ca_der_r_get(&seq, CA_DER_CTX0, &params, "ECPrivateKey parameters")) != 0)
			goto out;
		if (params.n != oidlen || memcmp(params.p, oid, oidlen) != 0) {
			r = custos_err_set(CUSTOS_EFORMAT,
			                   "ECPrivateKey parameters name another curve than %s",
			                   a->curve);
			goto out;
		}
	}
	if ((r = read_ec_public(&seq, &point)) != 0 ||
	    (r = ca_der_r_done(&seq, "ECPrivateKey")) != 0)
		goto out;
	if (BN_bin2bn(priv.p, (int)priv.n, d) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, OBJ_nid2sn(a->nid),
	                                     0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.p, point.n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot pass the EC key");
		goto out;
	}
	r = key_fromdata("EC", bld, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return r;
}

int
ca_key_from_pkcs8(const unsigned char *der, size_t len, EVP_PKEY **out)
{
	const struct alg_info *a = NULL;
	struct ca_der_r in, top, algid, priv;
	EVP_PKEY *key = NULL;
	enum ca_alg alg;
	size_t i;
	int r;

	*out = NULL;
	if (der == NULL || len == 0)
		return custos_err_set(CUSTOS_EFORMAT, "empty PKCS#8 key");
	if ((r = need_secure_heap()) != 0)
		return r;
	ca_der_r_init(&in, der, len);
	if ((r = ca_der_r_get(&in, CA_DER_SEQUENCE, &top, "PrivateKeyInfo")) != 0 ||
	    (r = ca_der_r_done(&in, "PrivateKeyInfo")) != 0 ||
	    (r = ca_der_r_expect_uint(&top, 0, "PrivateKeyInfo version")) != 0 ||
	    (r = ca_der_r_get_tlv(&top, &algid, "privateKeyAlgorithm")) != 0)
		return r;
	for (i = 0; i < NALGS && a == NULL; i++)
		if (algid.n == algs[i].algid_len && memcmp(algid.p, algs[i].algid, algid.n) == 0)
			a = &algs[i];
	if (a == NULL)
		return custos_err_set(CUSTOS_EKEY, "PKCS#8 key algorithm is not rsaEncryption or "
		                                   "id-ecPublicKey on P-256, P-384 or P-521");
	if ((r = ca_der_r_get(&top, CA_DER_OCTET_STRING, &priv, "privateKey")) != 0 ||
	    (r = ca_der_r_done(&top, "PrivateKeyInfo (attributes are not accepted)")) != 0)
		return r;
	if ((r = a->curve != NULL ? read_ec(&priv, a, &key) : read_rsa(&priv, &key)) != 0)
		goto out;
	if ((r = ca_key_alg(key, &alg)) != 0)
		goto out;
	if (a->curve != NULL && alg != a->alg) {
		r = custos_err_set(CUSTOS_EKEY, "PKCS#8 key is not on %s", a->curve);
		goto out;
	}
	if ((r = pairwise(key)) != 0)
		goto out;
	*out = key;
	key = NULL; /* transferred */
out:
	EVP_PKEY_free(key);
	return r;
}

int
ca_key_spki_der(EVP_PKEY *key, unsigned char **der, size_t *len)
{
	unsigned char *p = NULL;
	int n;

	*der = NULL;
	*len = 0;
	if (key == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no key");
	if ((n = i2d_PUBKEY(key, &p)) <= 0)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot encode the public key");
	*der = p;
	*len = (size_t)n;
	return 0;
}

int
ca_key_spki_sha256(EVP_PKEY *key, unsigned char out[32])
{
	unsigned char *der = NULL;
	size_t len = 0;
	int r;

	memset(out, 0, 32);
	if ((r = ca_key_spki_der(key, &der, &len)) != 0)
		return r;
	if (EVP_Digest(der, len, out, NULL, EVP_sha256(), NULL) != 1) {
		memset(out, 0, 32);
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "SHA-256 failed");
	}
	OPENSSL_free(der);
	return r;
}

int
ca_key_matches(EVP_PKEY *priv, EVP_PKEY *pub)
{
	int eq;

	if (priv == NULL || pub == NULL)
		return custos_err_set(CUSTOS_EKEY, "no key to compare");
	eq = EVP_PKEY_eq(priv, pub);
	ERR_clear_error();
	if (eq != 1)
		return custos_err_set(CUSTOS_EKEY, "the private key does not match the public key");
	return 0;
}

/*
 * Self-test vectors: a P-256 key (PKCS#8 as OpenSSL 3 writes it), the SHA-256
 * of its SubjectPublicKeyInfo, and an ECDSA-SHA256 signature of st_msg made
 * once with `openssl dgst -sha256 -sign`.  The key signs nothing else.
 */
/* clang-format off */
static const unsigned char st_pkcs8[] = {
	0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
	0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x04, 0x6d, 0x30,
	0x6b, 0x02, 0x01, 0x01, 0x04, 0x20, 0xfd, 0xb8, 0x09, 0x8f, 0xcb, 0x56, 0xf5, 0xe7, 0x64,
	0x26, 0x86, 0xc8, 0x99, 0x5a, 0xf2, 0x8e, 0x23, 0x3c, 0x8e, 0xa0, 0x9f, 0x95, 0xf1, 0xcb,
	0xbe, 0x88, 0x4d, 0xc1, 0x0a, 0xe7, 0x26, 0x18, 0xa1, 0x44, 0x03, 0x42, 0x00, 0x04, 0xe0,
	0x09, 0xd9, 0x1e, 0xd2, 0x29, 0x96, 0x30, 0x4c, 0xf5, 0x41, 0x18, 0x5a, 0xbb, 0x81, 0x9d,
	0xda, 0xf2, 0x58, 0x66, 0xb4, 0x6c, 0x3e, 0x6b, 0xb0, 0xe9, 0xbf, 0x90, 0x8b, 0x5b, 0xb7,
	0xd2, 0x89, 0x03, 0x60, 0xe2, 0xd3, 0x56, 0xed, 0x93, 0xee, 0xa6, 0xb1, 0x97, 0xb3, 0x95,
	0xa5, 0x39, 0x08, 0x91, 0x94, 0xf1, 0x1f, 0x9f, 0xee, 0x19, 0x28, 0x6a, 0x9c, 0x12, 0x65,
	0x31, 0xc1, 0x4a};
/* clang-format on */
/* clang-format off */
static const unsigned char st_spki_sha256[32] = {
	0xd4, 0xe8, 0x6c, 0x24, 0xf7, 0x2c, 0x99, 0xf8, 0x96, 0xc0, 0x77, 0x7b, 0xac, 0xca, 0x5a, 0x41,
	0x55, 0xd8, 0xe1, 0x0d, 0xf7, 0x0d, 0xf1, 0x38, 0xdb, 0x83, 0xbe, 0xed, 0xec, 0xec, 0x63, 0x50};
/* clang-format on */
static const unsigned char st_msg[] = "custos ca_selftest v1";
/* clang-format off */
static const unsigned char st_sig[] = {
	0x30, 0x44, 0x02, 0x20, 0x6f, 0x82, 0xf9, 0xf6, 0xe0, 0x54, 0x34, 0x4d, 0x60, 0xbf, 0x01,
	0x0e, 0xfc, 0xd7, 0xf3, 0x70, 0x7b, 0xc5, 0xd7, 0x32, 0x63, 0x72, 0x54, 0x04, 0x8d, 0xf9,
	0x94, 0x51, 0x41, 0x4f, 0xfe, 0x5e, 0x02, 0x20, 0x61, 0x1f, 0x39, 0xb8, 0xae, 0xe9, 0x46,
	0xe7, 0x78, 0x58, 0x7e, 0x66, 0x41, 0x01, 0x7d, 0x3a, 0x2f, 0x76, 0x59, 0xba, 0x2f, 0x3c,
	0xf1, 0xf4, 0x4d, 0x5d, 0xdd, 0x26, 0x04, 0x98, 0x5b, 0x22};
/* clang-format on */

/* The known answers that need only the decoded key. */
static int
selftest_known(EVP_PKEY *key)
{
	unsigned char *der = NULL, hash[32], sig[sizeof(st_sig)];
	size_t len = 0;
	int r;

	if ((r = ca_key_to_pkcs8(key, &der, &len)) != 0)
		return custos_err_set(CUSTOS_ESELFTEST, "PKCS#8 encoding: %s", custos_err_detail());
	r = len != sizeof(st_pkcs8) || sodium_memcmp(der, st_pkcs8, len) != 0;
	sodium_free(der);
	if (r)
		return custos_err_set(CUSTOS_ESELFTEST,
		                      "PKCS#8 re-encoding differs from the vector");
	if (ca_key_spki_sha256(key, hash) != 0 || memcmp(hash, st_spki_sha256, 32) != 0)
		return custos_err_set(CUSTOS_ESELFTEST, "SubjectPublicKeyInfo hash differs");
	if (!verify_msg(key, st_msg, sizeof(st_msg) - 1, st_sig, sizeof(st_sig)))
		return custos_err_set(CUSTOS_ESELFTEST,
		                      "the known-answer signature does not verify");
	memcpy(sig, st_sig, sizeof(sig));
	sig[sizeof(sig) - 1] ^= 0x01; /* inside s: still well-formed DER */
	if (verify_msg(key, st_msg, sizeof(st_msg) - 1, sig, sizeof(sig)))
		return custos_err_set(CUSTOS_ESELFTEST,
		                      "a flipped known-answer signature verifies");
	if (verify_msg(key, st_msg, sizeof(st_msg) - 2, st_sig, sizeof(st_sig)))
		return custos_err_set(CUSTOS_ESELFTEST, "a signature verifies for another message");
	return 0;
}

int
ca_selftest(void)
{
	unsigned char sig[SIG_MAX];
	size_t siglen = sizeof(sig);
	EVP_PKEY *key = NULL;
	int r;

	if (ca_key_from_pkcs8(st_pkcs8, sizeof(st_pkcs8), &key) != 0)
		return custos_err_set(CUSTOS_ESELFTEST, "the embedded key does not decode: %s",
		                      custos_err_detail());
	if ((r = selftest_known(key)) != 0)
		goto out;
	if (sign_msg(key, st_msg, sizeof(st_msg) - 1, sig, &siglen) != 0 ||
	    !verify_msg(key, st_msg, sizeof(st_msg) - 1, sig, siglen)) {
		r = custos_err_set(CUSTOS_ESELFTEST, "a fresh signature does not verify");
		goto out;
	}
	sig[siglen - 1] ^= 0x01; /* the last byte of s (EC) or of the RSA block */
	if (verify_msg(key, st_msg, sizeof(st_msg) - 1, sig, siglen)) {
		r = custos_err_set(CUSTOS_ESELFTEST, "a flipped fresh signature verifies");
		goto out;
	}
	if (ca_key_matches(key, key) != 0) {
		r = custos_err_set(CUSTOS_ESELFTEST, "a key does not match itself");
		goto out;
	}
	r = 0;
out:
	EVP_PKEY_free(key);
	return r;
}
