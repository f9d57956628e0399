/*
 * shr_shamir: split and recover (see the header).
 *
 * Invariant: share values (ys, the secret, the random coefficients) are only
 * combined with shr_gf256_* and XOR; loops and branches depend on public
 * values alone (counts, lengths, x-coordinates).  Scratch is wiped on return.
 */
#include "shares/shr_shamir.h"

#include <openssl/hmac.h>
#include <sodium.h>
#include <string.h>

#include "common/rng.h"
#include "shares/shr_gf256.h"

int
shr_interpolate(const uint8_t *xs, const uint8_t *const *ys, size_t m, size_t len, uint8_t x,
                uint8_t *out)
{
	size_t i, j, b;
	uint8_t basis, num, den;

	memset(out, 0, len);
	if (m == 0 || m > 255)
		return custos_err_set(CUSTOS_EINVAL, "no shares to interpolate");
	for (i = 0; i < m; i++)
		for (j = i + 1; j < m; j++)
			if (xs[i] == xs[j])
				return custos_err_set(CUSTOS_EINVAL, "share index %u appears twice",
				                      xs[i]);
	for (i = 0; i < m; i++) {
		/* Lagrange basis polynomial i at x; depends only on public xs. */
		num = 1;
		den = 1;
		for (j = 0; j < m; j++) {
			if (j == i)
				continue;
			num = shr_gf256_mul(num, shr_gf256_add(x, xs[j]));
			den = shr_gf256_mul(den, shr_gf256_add(xs[i], xs[j]));
		}
		basis = shr_gf256_mul(num, shr_gf256_inv(den));
		for (b = 0; b < len; b++)
			out[b] ^= shr_gf256_mul(basis, ys[i][b]);
	}
	return 0;
}

/* The digest share's first bytes: HMAC-SHA256(key = r, msg = secret)[0..3]. */
static int
digest(const uint8_t *r, size_t rlen, const uint8_t *secret, size_t len,
       uint8_t out[SHR_DIGEST_LEN])
{
	uint8_t mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), r, (int)rlen, secret, len, mac, &maclen) == NULL || maclen < 4)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "HMAC-SHA256");
	memcpy(out, mac, SHR_DIGEST_LEN);
	sodium_memzero(mac, sizeof(mac));
	return 0;
}

int
shr_split_secret(unsigned threshold, unsigned count, const uint8_t *secret, size_t len,
                 uint8_t *out)
{
	uint8_t base_x[SHR_MAX_SHARE_COUNT];
	const uint8_t *base_y[SHR_MAX_SHARE_COUNT];
	uint8_t digest_share[SHR_VALUE_MAX];
	unsigned i, nrandom;
	int r;

	if (threshold < 1 || threshold > count || count > SHR_MAX_SHARE_COUNT ||
	    len <= SHR_DIGEST_LEN || len > SHR_VALUE_MAX)
		return custos_err_set(CUSTOS_EINVAL, "cannot split %zu bytes %u of %u", len,
		                      threshold, count);
	if (threshold == 1) {
		for (i = 0; i < count; i++)
			memcpy(out + (size_t)i * len, secret, len);
		return 0;
	}
	/* T - 2 shares are random; the digest and the secret fix the rest. */
	nrandom = threshold - 2;
	if ((r = custos_random(out, (size_t)nrandom * len)) != 0)
		goto out;
	if ((r = custos_random(digest_share + SHR_DIGEST_LEN, len - SHR_DIGEST_LEN)) != 0)
		goto out;
	if ((r = digest(digest_share + SHR_DIGEST_LEN, len - SHR_DIGEST_LEN, secret, len,
	                digest_share)) != 0)
		goto out;
	for (i = 0; i < nrandom; i++) {
		base_x[i] = (uint8_t)i;
		base_y[i] = out + (size_t)i * len;
	}
	base_x[nrandom] = SHR_DIGEST_INDEX;
	base_y[nrandom] = digest_share;
	base_x[nrandom + 1] = SHR_SECRET_INDEX;
	base_y[nrandom + 1] = secret;
	for (i = nrandom; i < count; i++) {
		r = shr_interpolate(base_x, base_y, threshold, len, (uint8_t)i,
		                    out + (size_t)i * len);
		if (r != 0)
			goto out;
	}
out:
	sodium_memzero(digest_share, sizeof(digest_share));
	if (r != 0)
		sodium_memzero(out, (size_t)count * len);
	return r;
}

int
shr_recover_secret(unsigned threshold, const uint8_t *xs, const uint8_t *const *ys, size_t m,
                   size_t len, uint8_t *out)
{
	uint8_t digest_share[SHR_VALUE_MAX], check[SHR_DIGEST_LEN];
	int r;

	memset(out, 0, len);
	if (threshold < 1 || m != threshold || len <= SHR_DIGEST_LEN || len > SHR_VALUE_MAX)
		return custos_err_set(CUSTOS_EINVAL, "need exactly %u shares, have %zu", threshold,
		                      m);
	if (threshold == 1) {
		memcpy(out, ys[0], len);
		return 0;
	}
	if ((r = shr_interpolate(xs, ys, m, len, SHR_SECRET_INDEX, out)) != 0)
		goto out;
	if ((r = shr_interpolate(xs, ys, m, len, SHR_DIGEST_INDEX, digest_share)) != 0)
		goto out;
	if ((r = digest(digest_share + SHR_DIGEST_LEN, len - SHR_DIGEST_LEN, out, len, check)) != 0)
		goto out;
	if (sodium_memcmp(check, digest_share, SHR_DIGEST_LEN) != 0)
		r = custos_err_set(CUSTOS_EDIGEST, "the shares do not combine to the secret they "
		                                   "were made from");
out:
	sodium_memzero(digest_share, sizeof(digest_share));
	sodium_memzero(check, sizeof(check));
	if (r != 0)
		sodium_memzero(out, len);
	return r;
}
