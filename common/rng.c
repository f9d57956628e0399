/*
 * rng: getrandom(2) with every answer checked, or a test-supplied source.
 */
#include "common/rng.h"

#include <errno.h>
#include <sodium.h>
#include <sys/random.h>

static custos_random_fn source;
static void *source_ctx;

static int
kernel_random(void *buf, size_t len)
{
	unsigned char *p = buf;
	ssize_t got;

	while (len > 0) {
		got = getrandom(p, len > 256 ? 256 : len, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return custos_err_set(CUSTOS_ERANDOM, "getrandom failed (errno %d)", errno);
		p += got;
		len -= (size_t)got;
	}
	return 0;
}

int
custos_random(void *buf, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	if (buf == NULL)
		return CUSTOS_EINVAL;
	r = source != NULL ? source(source_ctx, buf, len) : kernel_random(buf, len);
	if (r != 0) {
		sodium_memzero(buf, len);
		return CUSTOS_ERANDOM;
	}
	return 0;
}

void
custos_random_set_source(custos_random_fn fn, void *ctx)
{
	source = fn;
	source_ctx = ctx;
}
