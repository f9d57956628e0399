/*
 * shr_gf256: arithmetic in GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1,
 * the field SLIP-0039 uses.
 *
 * Invariant: constant time.  No lookup tables, no branch on an operand:
 * multiplication is shift-and-add with masks, inversion is a^254 by a fixed
 * chain of multiplications (0 maps to 0).
 */
#ifndef SHR_GF256_H
#define SHR_GF256_H

#include <stdint.h>

/* Returns a + b (= a - b) in GF(256). */
static inline uint8_t
shr_gf256_add(uint8_t a, uint8_t b)
{
	return (uint8_t)(a ^ b);
}

/* Returns a * b in GF(256). */
uint8_t shr_gf256_mul(uint8_t a, uint8_t b);

/* Returns a^-1 in GF(256) (a^254), and 0 for a == 0. */
uint8_t shr_gf256_inv(uint8_t a);

#endif
