/*
 * cer_card: see the header.  Word indices are compared in constant time.
 */
#include "ceremony/cer_card.h"

#include <sodium.h>
#include <string.h>

#include "ceremony/cer_vault.h"
#include "shares/shr_slip39.h"
#include "shares/shr_wordlist.h"

_Static_assert(CER_CARD_WORDS == SHR_METADATA_WORDS + (CER_MASTER_LEN * 8 + 9) / 10,
               "a custos card carries a CER_MASTER_LEN-byte secret");

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

/* Looks typed up through a zero-padded copy: shr_word_lookup reads SHR_WORD_MAX bytes. */
static int
word_index(const char *typed, size_t len, uint16_t *index)
{
	char pad[SHR_WORD_MAX];
	int r;

	*index = 0;
	if (len == 0 || len > SHR_WORD_MAX)
		return CUSTOS_EWORD;
	memset(pad, 0, sizeof(pad));
	memcpy(pad, typed, len);
	r = shr_word_lookup(pad, len, index);
	sodium_memzero(pad, sizeof(pad));
	return r;
}

int
cer_card_word(const char *typed, size_t len, char word[CER_WORD_MAX + 1])
{
	uint16_t index;
	int r;

	word[0] = '\0';
	if ((r = word_index(typed, len, &index)) != 0)
		return r;
	(void)shr_word_get(index, word);
	sodium_memzero(&index, sizeof(index));
	return 0;
}

int
cer_card_word_is(const char *typed, size_t len, const char *shown, size_t pos)
{
	uint16_t words[SHR_MAX_WORDS], mine = 0;
	size_t n = 0;
	int same = 0;

	memset(words, 0, sizeof(words));
	if (pos >= 1 && word_index(typed, len, &mine) == 0 &&
	    shr_mnemonic_words(shown, strlen(shown), words, SHR_MAX_WORDS, &n, NULL) == 0 && pos <= n)
		same = sodium_memcmp(&mine, &words[pos - 1], sizeof(mine)) == 0;
	sodium_memzero(words, sizeof(words));
	sodium_memzero(&mine, sizeof(mine));
	return same;
}
