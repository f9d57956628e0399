/*
 * ca_der: a minimal DER writer and reader for the few structures that carry
 * private key bytes (PKCS#8 PrivateKeyInfo, RSAPrivateKey, ECPrivateKey).
 *
 * It exists so that ca_key never hands a private key to OpenSSL's encoders
 * and decoders, which build and drop plaintext copies in the ordinary heap.
 * Invariants: the writer writes only into the caller's buffer (sodium_malloc
 * memory for secrets) and the reader reads the caller's buffer in place; no
 * function here allocates, copies key bytes elsewhere, or prints.
 *
 * Writer: fills the buffer backwards, from the end, so that every length is
 * known when its header is written.  Write the contents of a constructed
 * value first (last field first), then wrap them.  An overflow is sticky and
 * reported once, by ca_der_w_result().
 *
 * Reader: accepts DER only: low-tag-number identifiers, definite minimal
 * lengths, minimal non-negative INTEGERs.  Every failure is CUSTOS_EFORMAT
 * with a detail that names the structure, never the bytes.
 */
#ifndef CA_DER_H
#define CA_DER_H

#include <stddef.h>

#include <openssl/bn.h>

#include "common/err.h"

#define CA_DER_INTEGER 0x02
#define CA_DER_BIT_STRING 0x03
#define CA_DER_OCTET_STRING 0x04
#define CA_DER_NULL 0x05
#define CA_DER_OID 0x06
#define CA_DER_SEQUENCE 0x30
#define CA_DER_CTX0 0xa0 /* [0] constructed */
#define CA_DER_CTX1 0xa1 /* [1] constructed */

struct ca_der_w {
	unsigned char *buf;
	size_t pos; /* the output is buf[pos .. cap) */
	size_t cap;
	int overflow;
};

/* Starts writing into buf (cap bytes); nothing is written yet. */
void ca_der_w_init(struct ca_der_w *w, unsigned char *buf, size_t cap);

/* Returns a mark for ca_der_w_wrap(): the current start of the output. */
size_t ca_der_w_mark(const struct ca_der_w *w);

/* Prepends n raw bytes (an already-encoded TLV, or contents). */
void ca_der_w_raw(struct ca_der_w *w, const void *p, size_t n);

/* Prepends the tag and length of everything written since mark. */
void ca_der_w_wrap(struct ca_der_w *w, unsigned char tag, size_t mark);

/* Prepends a small non-negative INTEGER. */
void ca_der_w_small_uint(struct ca_der_w *w, unsigned v);

/* Prepends bn (>= 0) as a minimal INTEGER, converted in place (no copy). */
void ca_der_w_bn_integer(struct ca_der_w *w, const BIGNUM *bn);

/* Prepends bn (>= 0) as an OCTET STRING of exactly width bytes, big-endian. */
void ca_der_w_bn_octets(struct ca_der_w *w, const BIGNUM *bn, size_t width);

/*
 * Returns 0 and where the finished encoding starts and its length, or
 * CUSTOS_ETOOBIG when the buffer was too small (what was written is then
 * meaningless; the caller wipes the buffer as always).
 */
int ca_der_w_result(const struct ca_der_w *w, const unsigned char **der, size_t *len) CUSTOS_WUR;

struct ca_der_r {
	const unsigned char *p;
	size_t n;
};

/* Starts reading der (len bytes). */
void ca_der_r_init(struct ca_der_r *r, const unsigned char *der, size_t len);

/* Returns 1 when the next element has tag tag, else 0 (also at the end). */
int ca_der_r_peek(const struct ca_der_r *r, unsigned char tag);

/*
 * Reads the next element, which must have tag tag, into out (its contents)
 * and advances.  what names the element in the error detail.  Returns 0 or
 * CUSTOS_EFORMAT.
 */
int ca_der_r_get(struct ca_der_r *r, unsigned char tag, struct ca_der_r *out,
                 const char *what) CUSTOS_WUR;

/*
 * Reads the next element whole (tag, length and contents) into out and
 * advances; for comparing an AlgorithmIdentifier byte for byte.
 */
int ca_der_r_get_tlv(struct ca_der_r *r, struct ca_der_r *out, const char *what) CUSTOS_WUR;

/* Reads an INTEGER that must equal v.  Returns 0 or CUSTOS_EFORMAT. */
int ca_der_r_expect_uint(struct ca_der_r *r, unsigned v, const char *what) CUSTOS_WUR;

/*
 * Reads a non-negative INTEGER into bn (allocated by the caller, so a secure
 * BIGNUM stays secure).  Returns 0 or CUSTOS_EFORMAT (CUSTOS_ECRYPTO if the
 * conversion fails).
 */
int ca_der_r_bn_integer(struct ca_der_r *r, BIGNUM *bn, const char *what) CUSTOS_WUR;

/* Returns 0 when everything was read, else CUSTOS_EFORMAT naming what. */
int ca_der_r_done(const struct ca_der_r *r, const char *what) CUSTOS_WUR;

/*
 * Checks that der (len bytes) is exactly one DER element with nothing after
 * it, and that every element inside it, at any depth, uses a definite
 * minimal length, a low tag number, no end-of-contents, and the primitive
 * form for every universal type but SEQUENCE and SET (no constructed BER
 * strings).  Contents of primitive elements are not interpreted.  Nesting is
 * limited to 32 levels.  Returns 0 or CUSTOS_EFORMAT naming what.
 */
int ca_der_check(const unsigned char *der, size_t len, const char *what) CUSTOS_WUR;

#endif
