/*
 * shr_ct: the branch-free comparisons shares/ builds its constant-time code
 * from.  Each returns an all-ones or all-zeros mask.
 */
#ifndef SHR_CT_H
#define SHR_CT_H

#include <stdint.h>

/* 0xffffffff when a == b, else 0. */
static inline uint32_t
shr_ct_eq(uint32_t a, uint32_t b)
{
	uint32_t x = a ^ b;

	return ((x | (0u - x)) >> 31) - 1u;
}

/* 0xffffffff when a < b (both below 2^31), else 0. */
static inline uint32_t
shr_ct_lt(uint32_t a, uint32_t b)
{
	return 0u - ((a - b) >> 31);
}

/* mask ? a : b, for a mask from the functions above. */
static inline uint32_t
shr_ct_select(uint32_t mask, uint32_t a, uint32_t b)
{
	return (a & mask) | (b & ~mask);
}

/*
 * Returns v, declaring it public: a value computed from secret data that the
 * format makes public anyway (the number of words of a share, its metadata
 * fields).  It does nothing at run time; the constant-time checker
 * (tests/ct) marks its result as defined, so every declassification is a
 * call of this function, easy to find and to audit.
 */
uint32_t shr_ct_public(uint32_t v) __attribute__((noinline));

#endif
