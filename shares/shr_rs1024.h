/*
 * shr_rs1024: the SLIP-0039 checksum, a Reed-Solomon code over GF(1024) that
 * detects any error in up to three words.
 *
 * Invariant: constant time in the data (the words are secret); the generator
 * is applied with masks, not a branch per bit.
 */
#ifndef SHR_RS1024_H
#define SHR_RS1024_H

#include <stddef.h>
#include <stdint.h>

#define SHR_CHECKSUM_WORDS 3
#define SHR_CS_STANDARD "shamir"
#define SHR_CS_EXTENDABLE "shamir_extendable"

/* Computes the three checksum words for data (n words) under customization cs. */
void shr_rs1024_create(const char *cs, const uint16_t *data, size_t n,
                       uint16_t out[SHR_CHECKSUM_WORDS]);

/* Returns 1 when words (n words, checksum included) verify under cs, else 0. */
int shr_rs1024_verify(const char *cs, const uint16_t *words, size_t n);

#endif
