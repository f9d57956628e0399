/*
 * cer_ur_cbor: the few pieces of CBOR (RFC 8949) that Uniform Resources need:
 * unsigned integers, byte strings and array headers, definite lengths only.
 *
 * Invariants: the reader never reads outside [buf, buf + len), checks every
 * declared length against the bytes actually present before using it, and
 * accepts only the shortest (deterministic, dCBOR) form of each head, so a
 * value has exactly one encoding.  The writer emits that shortest form.
 */
#ifndef CER_UR_CBOR_H
#define CER_UR_CBOR_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CER_UR_CBOR_UINT 0u
#define CER_UR_CBOR_BYTES 2u
#define CER_UR_CBOR_ARRAY 4u
#define CER_UR_CBOR_HEAD_MAX 9 /* initial byte + 8-byte argument */

/* Bytes taken by the shortest head carrying argument v (1, 2, 3, 5 or 9). */
size_t cer_ur_cbor_head_len(uint64_t v);

/*
 * Writes the shortest head of major type major (0..7) with argument v at out
 * (CER_UR_CBOR_HEAD_MAX bytes of room); returns the bytes written.
 */
size_t cer_ur_cbor_put_head(uint8_t *out, unsigned major, uint64_t v);

/*
 * Reads a head of major type major at buf[*pos] (len bytes in all) into *v and
 * advances *pos.  Returns 0 or CUSTOS_EFORMAT (truncated, other major type,
 * indefinite or reserved length, non-shortest form); *pos unchanged and *v 0
 * on failure.
 */
int cer_ur_cbor_get_head(const uint8_t *buf, size_t len, size_t *pos, unsigned major,
                         uint64_t *v) CUSTOS_WUR;

/*
 * Reads a byte string at buf[*pos]: *data points into buf, *dlen its length;
 * advances *pos past it.  Returns 0 or CUSTOS_EFORMAT (as above, or the string
 * runs past len).  On failure *data is NULL, *dlen 0, *pos unchanged.
 */
int cer_ur_cbor_get_bytes(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **data,
                          size_t *dlen) CUSTOS_WUR;

/*
 * Wraps len bytes of msg as one CBOR byte string in a new buffer *out (caller
 * frees) of *out_len bytes.  Returns 0 or CUSTOS_ENOMEM / CUSTOS_ETOOBIG.
 */
int cer_ur_cbor_wrap_bytes(const uint8_t *msg, size_t len, uint8_t **out,
                           size_t *out_len) CUSTOS_WUR;

/*
 * Checks that cbor (len bytes) is exactly one byte string and nothing else;
 * *payload points into cbor, *plen its length.  Returns 0 or CUSTOS_EFORMAT.
 */
int cer_ur_cbor_unwrap_bytes(const uint8_t *cbor, size_t len, const uint8_t **payload,
                             size_t *plen) CUSTOS_WUR;

#endif
