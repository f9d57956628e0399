/*
 * cer_card: see the header.  Word indices are compared in constant time.
 */
#include "ceremony/cer_card.h"

#include <sodium.h>
#include <string.h>

#include "shares/shr_slip39.h"

int
cer_card_check(const char *mnemonic, struct cer_card_info *info)
{
	struct shr_share *s = sodium_malloc(sizeof(*s));
	uint16_t words[SHR_MAX_WORDS];
	size_t n = 0;
	int r;

	memset(info, 0, sizeof(*info));
	if (s == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "share");
	if ((r = shr_mnemonic_words(mnemonic, strlen(mnemonic), words, SHR_MAX_WORDS, &n, &info->bad_word)) == 0 &&
	    (r = shr_share_decode(words, n, SHR_KIND_ANY, s)) == 0) {
		info->words = n;
		info->identifier = s->identifier;
		info->extendable = s->extendable;
		info->iteration_exponent = s->iteration_exponent;
		info->group = s->group_index + 1u;
		info->group_count = s->group_count;
		info->group_threshold = s->group_threshold;
		info->member = s->member_index + 1u;
		info->member_threshold = s->member_threshold;
		info->passphrase_protected = s->masked;
	}
	sodium_memzero(words, sizeof(words));
	shr_share_wipe(s);
	sodium_free(s);
	return r;
}

int
cer_card_same(const char *typed, const char *shown)
{
	uint16_t a[SHR_MAX_WORDS], b[SHR_MAX_WORDS];
	size_t na = 0, nb = 0;
	int same = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	if (shr_mnemonic_words(typed, strlen(typed), a, SHR_MAX_WORDS, &na, NULL) == 0 &&
	    shr_mnemonic_words(shown, strlen(shown), b, SHR_MAX_WORDS, &nb, NULL) == 0 && na == nb)
		same = sodium_memcmp(a, b, sizeof(a)) == 0;
	sodium_memzero(a, sizeof(a));
	sodium_memzero(b, sizeof(b));
	return same;
}
