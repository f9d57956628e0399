/* The word list: 1024 words, lower-case letters, unique 4-letter prefixes, sorted. */
#include <ctype.h>

#include "harness.h"
#include "shares/shr_wordlist.h"

static void
test_list_properties(void)
{
	size_t i, j, bad = 0;

	for (i = 0; i < SHR_WORDS; i++) {
		size_t len = strlen(shr_wordlist[i]);

		bad += len < SHR_PREFIX_LEN || len > SHR_WORD_MAX;
		for (j = 0; j < len; j++)
			bad += !islower((unsigned char)shr_wordlist[i][j]);
		if (i > 0)
			bad += strcmp(shr_wordlist[i - 1], shr_wordlist[i]) >= 0;
		for (j = 0; j < i; j++)
			bad += strncmp(shr_wordlist[i], shr_wordlist[j], SHR_PREFIX_LEN) == 0;
	}
	CHECK_EQ(bad, 0);
	CHECK(strcmp(shr_wordlist[0], "academic") == 0);
	CHECK(strcmp(shr_wordlist[1023], "zero") == 0);
}

/* shr_word_lookup reads SHR_WORD_MAX bytes whatever the length: pad a copy. */
static int
lookup(const char *w, size_t len, uint16_t *idx)
{
	char buf[SHR_WORD_MAX + 1] = {0};

	memcpy(buf, w, len < SHR_WORD_MAX ? len : SHR_WORD_MAX);
	return shr_word_lookup(buf, len, idx);
}

static void
test_lookup_and_get(void)
{
	char w[SHR_WORD_MAX + 1];
	uint16_t idx, i;
	size_t bad = 0;

	for (i = 0; i < SHR_WORDS; i++) {
		size_t len = strlen(shr_wordlist[i]);

		bad += lookup(shr_wordlist[i], len, &idx) != 0 || idx != i;
		bad += lookup(shr_wordlist[i], SHR_PREFIX_LEN, &idx) != 0 || idx != i;
		bad += shr_word_get(i, w) != len || strcmp(w, shr_wordlist[i]) != 0;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(lookup("zzzz", 4, &idx), CUSTOS_EWORD);
	CHECK_EQ(lookup("zer", 3, &idx), CUSTOS_EWORD);
	CHECK_EQ(lookup("zeroes", 6, &idx), CUSTOS_EWORD);
	CHECK_EQ(lookup("academicx", 9, &idx), CUSTOS_EWORD);
	CHECK(lookup("ZERO", 4, &idx) == 0 && idx == 1023);
}

int
main(void)
{
	RUN(test_list_properties);
	RUN(test_lookup_and_get);
	return HARNESS_END();
}
