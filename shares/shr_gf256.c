/*
 * shr_gf256: constant-time GF(2^8) (see the header for the invariant).
 */
#include "shares/shr_gf256.h"

uint8_t
shr_gf256_mul(uint8_t a, uint8_t b)
{
	uint32_t x = a, y = b, r = 0;
	int i;

	for (i = 0; i < 8; i++) {
		r ^= x & (0u - (y & 1u));            /* add x when this bit of y is set */
		y >>= 1;
		x = (x << 1) ^ (0x11bu & (0u - (x >> 7))); /* x *= X, reduced */
	}
	return (uint8_t)r;
}

uint8_t
shr_gf256_inv(uint8_t a)
{
	/* a^254 = a^(2+4+8+16+32+64+128): square and multiply, fixed sequence. */
	uint8_t sq = shr_gf256_mul(a, a); /* a^2 */
	uint8_t r = sq;
	int i;

	for (i = 0; i < 6; i++) {
		sq = shr_gf256_mul(sq, sq); /* a^4, a^8, ..., a^128 */
		r = shr_gf256_mul(r, sq);
	}
	return r;
}
