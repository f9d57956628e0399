/*
 * shr_ct: the one place where shares/ declares a secret-derived value public.
 */
#include "shares/shr_ct.h"

uint32_t
shr_ct_public(uint32_t v)
{
	/* The barrier keeps the compiler from looking through the call. */
	__asm__ volatile("" : "+r"(v));
	return v;
}
