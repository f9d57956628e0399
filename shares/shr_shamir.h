/*
 * shr_shamir: Shamir secret sharing over GF(256) as SLIP-0039 uses it.
 *
 * A secret of len bytes is shared byte by byte with polynomials of degree
 * T - 1.  The secret sits at x = 255 and a digest share at x = 254
 * (4 bytes HMAC-SHA256(R, S) || R), so recovery detects a wrong set of shares.
 * Share x-coordinates (member indices) are public; share values are secret
 * and are only ever combined with constant-time field operations.
 */
#ifndef SHR_SHAMIR_H
#define SHR_SHAMIR_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SHR_MAX_SHARE_COUNT 16
#define SHR_SECRET_INDEX 255
#define SHR_DIGEST_INDEX 254
#define SHR_DIGEST_LEN 4
#define SHR_VALUE_MAX 64 /* longest secret supported (512 bits) */

/*
 * Evaluates at x the polynomial through the m points (xs[i], ys[i]), each ys[i]
 * len bytes, into out (len bytes).  Returns 0, or CUSTOS_EINVAL when m is 0 or
 * an x repeats (out is zeroed then).
 */
int shr_interpolate(const uint8_t *xs, const uint8_t *const *ys, size_t m, size_t len, uint8_t x,
                    uint8_t *out) CUSTOS_WUR;

/*
 * Splits secret (len bytes, SHR_DIGEST_LEN < len <= SHR_VALUE_MAX) into count
 * shares of which threshold recover it (1 <= threshold <= count <= 16).  Share
 * i (x = i) is written to out + i * len.  Returns 0, CUSTOS_EINVAL, or
 * CUSTOS_ERANDOM; out is wiped on failure.
 */
int shr_split_secret(unsigned threshold, unsigned count, const uint8_t *secret, size_t len,
                     uint8_t *out) CUSTOS_WUR;

/*
 * Recovers the secret from m == threshold shares (xs, ys) and checks the
 * digest.  Returns 0, CUSTOS_EINVAL (bad arguments or repeated x), or
 * CUSTOS_EDIGEST; out is wiped on failure.
 */
int shr_recover_secret(unsigned threshold, const uint8_t *xs, const uint8_t *const *ys, size_t m,
                       size_t len, uint8_t *out) CUSTOS_WUR;

#endif
