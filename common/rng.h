/*
 * rng: the one source of randomness for the core.
 *
 * Every random byte the core uses (share polynomials, digests, identifiers,
 * nonces, serials) comes through custos_random(), which checks the kernel's
 * answer.  Tests replace the source with a deterministic one; production code
 * never does.  OpenSSL's key generation uses OpenSSL's own DRBG.
 */
#ifndef CUSTOS_RNG_H
#define CUSTOS_RNG_H

#include <stddef.h>

#include "common/err.h"

/* A replacement source: fills buf with len bytes, returns 0 or CUSTOS_ERANDOM. */
typedef int (*custos_random_fn)(void *ctx, void *buf, size_t len);

/* Fills buf with len random bytes.  Returns 0 or CUSTOS_ERANDOM (buf wiped). */
int custos_random(void *buf, size_t len) CUSTOS_WUR;

/* Test hook: use fn(ctx, ...) instead of the kernel; NULL restores it. */
void custos_random_set_source(custos_random_fn fn, void *ctx);

#endif
