/* Shared by unit tests: a deterministic randomness source for custos_random. */
#ifndef CUSTOS_TEST_UTIL_H
#define CUSTOS_TEST_UTIL_H

#include <sodium.h>
#include <stdint.h>

#include "common/rng.h"

struct test_rng {
	uint8_t seed[randombytes_SEEDBYTES];
	uint64_t counter;
};

/* ChaCha20 keyed by the seed with a running counter: reproducible test randomness. */
static int
test_rng_fill(void *ctx, void *buf, size_t len)
{
	struct test_rng *t = ctx;
	uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = {0};

	memcpy(nonce, &t->counter, sizeof(t->counter));
	t->counter++;
	crypto_stream_chacha20_ietf(buf, len, nonce, t->seed);
	return 0;
}

static void
test_rng_install(struct test_rng *t, uint8_t seed_byte)
{
	memset(t->seed, seed_byte, sizeof(t->seed));
	t->counter = 0;
	custos_random_set_source(test_rng_fill, t);
}

#endif
