/*
 * shr_wordlist: constant-time lookup in the SLIP-0039 word list.
 *
 * Invariant: no branch and no memory index depends on the letters looked up
 * or on the index turned into a word.  Every word of the list is compared in
 * full, and the answer is assembled with masks.  Branches on the list's own
 * (public) letters are allowed.
 */
#include "shares/shr_wordlist.h"

#include "shares/shr_ct.h"

#include <sodium.h>
#include <string.h>

static uint8_t
eq_mask8(uint32_t a, uint32_t b)
{
	return (uint8_t)shr_ct_eq(a, b);
}

static uint8_t
lt_mask8(uint32_t a, uint32_t b)
{
	return (uint8_t)shr_ct_lt(a, b);
}

static uint8_t
to_lower(uint8_t c)
{
	uint32_t x = (uint32_t)c - 'A';
	uint32_t out_of_range = ((x | (25u - x)) >> 31) & 1u;

	return (uint8_t)(c | ((1u - out_of_range) << 5));
}

int
shr_word_lookup(const char *w, size_t len, uint16_t *index)
{
	uint8_t in[SHR_WORD_MAX];
	uint32_t found = 0, idx = 0, len_ok;
	size_t i, k, wlen;

	*index = 0;
	/* The typed length is secret too: a bad length only clears the verdict. */
	len_ok = (uint32_t)(lt_mask8(SHR_PREFIX_LEN - 1, (uint32_t)len) &
	                    lt_mask8((uint32_t)len, SHR_WORD_MAX + 1)) & 1u;
	for (k = 0; k < SHR_WORD_MAX; k++)
		in[k] = (uint8_t)(to_lower((uint8_t)w[k]) & lt_mask8((uint32_t)k, (uint32_t)len));
	for (i = 0; i < SHR_WORDS; i++) {
		uint8_t match = 0xff;

		wlen = strlen(shr_wordlist[i]); /* public */
		for (k = 0; k < SHR_WORD_MAX; k++) {
			uint8_t c = k < wlen ? (uint8_t)shr_wordlist[i][k] : 0;
			uint8_t typed = lt_mask8((uint32_t)k, (uint32_t)len);

			/* Every typed letter equals the word's letter at that place. */
			match &= (uint8_t)(~typed | eq_mask8(in[k], c));
		}
		found += match & len_ok;
		idx |= (0u - (uint32_t)(match & len_ok)) & (uint32_t)i;
	}
	sodium_memzero(in, sizeof(in));
	if (found != 1) {
		idx = 0;
		return CUSTOS_EWORD;
	}
	*index = (uint16_t)idx;
	return 0;
}

size_t
shr_word_get(uint16_t index, char out[SHR_WORD_MAX + 1])
{
	uint32_t i, k, len = 0;

	memset(out, 0, SHR_WORD_MAX + 1);
	for (i = 0; i < SHR_WORDS; i++) {
		uint8_t m = eq_mask8(i, index & 1023u);
		size_t wlen = strlen(shr_wordlist[i]); /* public */

		for (k = 0; k < wlen; k++)
			out[k] = (char)(out[k] | (shr_wordlist[i][k] & m));
		len |= (uint32_t)wlen & (0u - (uint32_t)(m & 1u));
	}
	return len;
}
