/*
 * cer_bytewords: CRC-32 and the Bytewords text encoding of Uniform Resources
 * (BCR-2020-012): one 4-letter word per byte from a fixed list of 256, the
 * CRC-32 of the body appended big-endian as four more words.
 *
 * Invariants: decoding never trusts a length from the input (the output is at
 * most half the text), accepts upper and lower case, and refuses a body whose
 * CRC-32 does not match.  Nothing here is secret: lookups may branch on data.
 */
#ifndef CER_BYTEWORDS_H
#define CER_BYTEWORDS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CER_BYTEWORDS_CRC_LEN 4

enum cer_bytewords_style {
	CER_BYTEWORDS_STANDARD, /* "able acid also": words separated by one space */
	CER_BYTEWORDS_URI,      /* "able-acid-also": words separated by one hyphen */
	CER_BYTEWORDS_MINIMAL,  /* "aeadao": first and last letter of each word */
};

/* CRC-32 (ISO-HDLC, as zlib's crc32) of len bytes of buf. */
uint32_t cer_crc32(const uint8_t *buf, size_t len);

/* Continues a CRC-32: crc is the value returned for the bytes before buf (0 to start). */
uint32_t cer_crc32_update(uint32_t crc, const uint8_t *buf, size_t len);

/* The 4-letter lower-case word for byte b (static storage, not NUL-terminated). */
const char *cer_bytewords_word(uint8_t b);

/*
 * Encodes len bytes of buf, then their CRC-32, in style.  *out is a
 * NUL-terminated lower-case string the caller frees.  Returns 0,
 * CUSTOS_EINVAL (unknown style) or CUSTOS_ENOMEM (or CUSTOS_ETOOBIG when
 * len is absurd); *out is NULL on failure.
 */
int cer_bytewords_encode(enum cer_bytewords_style style, const uint8_t *buf, size_t len,
                         char **out) CUSTOS_WUR;

/*
 * Decodes text_len characters of text (upper or lower case, no surrounding
 * space) in style, checks and strips the CRC-32.  *out (caller frees) holds
 * *out_len >= 1 body bytes.  Returns 0; CUSTOS_EFORMAT (bad length, bad
 * character, misplaced separator, fewer than five bytes); CUSTOS_EWORD (a
 * word or letter pair that is not a Bytewords word, position in the detail);
 * CUSTOS_ECHECKSUM (CRC-32 mismatch); CUSTOS_ENOMEM.  *out is NULL and
 * *out_len 0 on failure.
 */
int cer_bytewords_decode(enum cer_bytewords_style style, const char *text, size_t text_len,
                         uint8_t **out, size_t *out_len) CUSTOS_WUR;

#endif
