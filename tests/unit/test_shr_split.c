/*
 * Split and combine: every M-subset of N shares recovers the secret, every
 * (M-1)-subset is refused, sets never mix, duplicates are refused, and the
 * checksum catches 1 to 3 wrong words.
 */
#include "common/err.h"
#include "harness.h"
#include "shares/shr_shamir.h"
#include "shares/shr_slip39.h"
#include "test_util.h"

static struct test_rng rng;

/* Next k-subset of {0..n-1} in lexicographic order; returns 0 after the last. */
static int
next_subset(unsigned *idx, unsigned k, unsigned n)
{
	int i = (int)k - 1;

	while (i >= 0 && idx[i] == n - k + (unsigned)i)
		i--;
	if (i < 0)
		return 0;
	idx[i]++;
	for (unsigned j = (unsigned)i + 1; j < k; j++)
		idx[j] = idx[j - 1] + 1;
	return 1;
}

/* Tries every k-subset of the n shares; counts how many recover master (exactly). */
static void
try_subsets(const struct shr_share *all, unsigned n, unsigned k, const uint8_t *master,
            unsigned *ok, unsigned *refused, unsigned *wrong)
{
	struct shr_share pick[16];
	unsigned idx[16], i;
	uint8_t ems[SHR_VALUE_MAX], want[SHR_VALUE_MAX];
	size_t len;

	/* The encrypted master secret is what Shamir shares; compare against it. */
	if (shr_encrypt(master, 32, "", 0, all[0].identifier, 1, want) != 0) {
		(*wrong)++;
		return;
	}
	for (i = 0; i < k; i++)
		idx[i] = i;
	do {
		for (i = 0; i < k; i++)
			pick[i] = all[idx[i]];
		if (shr_recover_ems(pick, k, ems, &len) == 0)
			*ok += len == 32 && memcmp(ems, want, 32) == 0;
		else
			*refused += 1;
	} while (next_subset(idx, k, n));
}

static void
test_every_subset(void)
{
	static const unsigned mn[][2] = {{2, 2}, {2, 3}, {3, 5}, {4, 7}, {5, 9}, {7, 12}, {8, 13},
	                                 {15, 16}, {16, 16}};
	struct shr_share shares[16];
	struct shr_group g;
	uint8_t master[32];
	size_t n, t;

	for (t = 0; t < sizeof(mn) / sizeof(mn[0]); t++) {
		unsigned ok = 0, refused = 0, wrong = 0, m = mn[t][0], count = mn[t][1];
		unsigned long long subsets = 1;

		for (unsigned i = 0; i < m; i++)
			subsets = subsets * (count - i) / (i + 1);
		CHECK(custos_random(master, sizeof(master)) == 0);
		g.threshold = (uint8_t)m;
		g.count = (uint8_t)count;
		CHECK(shr_generate(1, &g, 1, master, 32, "", 0, 1, shares, 16, &n) == 0);
		CHECK_EQ(n, count);
		try_subsets(shares, count, m, master, &ok, &refused, &wrong);
		CHECK_EQ(ok, subsets);
		CHECK_EQ(refused + wrong, 0);
		ok = refused = 0;
		try_subsets(shares, count, m - 1, master, &ok, &refused, &wrong);
		CHECK_EQ(ok, 0);
		CHECK(refused > 0);
		for (unsigned i = 0; i < n; i++)
			shr_share_wipe(&shares[i]);
	}
}

/* The full path, with the Feistel decryption, for a 3-of-5 set. */
static void
test_combine_master(void)
{
	struct shr_share shares[16], pick[3];
	struct shr_group g = {3, 5};
	uint8_t master[32], got[SHR_VALUE_MAX];
	size_t n, len;

	CHECK(custos_random(master, sizeof(master)) == 0);
	CHECK(shr_generate(1, &g, 1, master, 32, "", 0, 1, shares, 16, &n) == 0);
	pick[0] = shares[4];
	pick[1] = shares[0];
	pick[2] = shares[2];
	CHECK(shr_combine(pick, 3, "", got, &len) == 0);
	CHECK_EQ(len, 32);
	CHECK_MEM(got, master, 32);
	/* Two shares: refused, and the detail says how many more. */
	CHECK_EQ(shr_combine(pick, 2, "", got, &len), CUSTOS_ETHRESHOLD);
	CHECK(strstr(custos_err_detail(), "1 more needed") != NULL);
	/* A wrong passphrase gives another secret (SLIP-0039 cannot tell). */
	CHECK(shr_combine(pick, 3, "other", got, &len) == 0);
	CHECK(memcmp(got, master, 32) != 0);
}

static void
test_sets_never_mix(void)
{
	struct shr_share a[16], b[16], pick[3];
	struct shr_group g = {3, 5};
	uint8_t ma[32], mb[32], got[SHR_VALUE_MAX];
	size_t n, len;

	CHECK(custos_random(ma, 32) == 0);
	CHECK(custos_random(mb, 32) == 0);
	CHECK(shr_generate(1, &g, 1, ma, 32, "", 0, 1, a, 16, &n) == 0);
	CHECK(shr_generate(1, &g, 1, mb, 32, "", 0, 1, b, 16, &n) == 0);
	CHECK(a[0].identifier != b[0].identifier);
	pick[0] = a[0];
	pick[1] = a[1];
	pick[2] = b[2];
	CHECK_EQ(shr_combine(pick, 3, "", got, &len), CUSTOS_EMISMATCH);
	/* Even with the identifier forged to match, the digest refuses the mix. */
	pick[2].identifier = a[0].identifier;
	CHECK_EQ(shr_combine(pick, 3, "", got, &len), CUSTOS_EDIGEST);
	/* The same member twice. */
	pick[2] = a[1];
	CHECK_EQ(shr_combine(pick, 3, "", got, &len), CUSTOS_EDUPLICATE);
	/* One more than the threshold is not silently accepted. */
	CHECK_EQ(shr_combine(a, 4, "", got, &len), CUSTOS_EINVAL);
}

static void
test_groups(void)
{
	/* 2 of 3 officers AND 1 of 1 auditor group, group threshold 2 of 2. */
	struct shr_group g[2] = {{2, 3}, {1, 1}};
	struct shr_share s[16], pick[3];
	uint8_t master[32], got[SHR_VALUE_MAX];
	size_t n, len;

	CHECK(custos_random(master, 32) == 0);
	CHECK(shr_generate(2, g, 2, master, 32, "", 0, 1, s, 16, &n) == 0);
	CHECK_EQ(n, 4);
	pick[0] = s[0];
	pick[1] = s[2];
	pick[2] = s[3];
	CHECK(shr_combine(pick, 3, "", got, &len) == 0);
	CHECK_MEM(got, master, 32);
	CHECK_EQ(shr_combine(pick, 2, "", got, &len), CUSTOS_ETHRESHOLD); /* one group only */
	pick[1] = s[3];
	CHECK_EQ(shr_combine(pick, 2, "", got, &len), CUSTOS_ETHRESHOLD); /* 1 of 2 officers */
	/* Bad group parameters. */
	g[1].count = 2;
	CHECK_EQ(shr_generate(2, g, 2, master, 32, "", 0, 1, s, 16, &n), CUSTOS_EINVAL);
	g[1].count = 1;
	CHECK_EQ(shr_generate(3, g, 2, master, 32, "", 0, 1, s, 16, &n), CUSTOS_EINVAL);
	CHECK_EQ(shr_generate(1, g, 2, master, 15, "", 0, 1, s, 16, &n), CUSTOS_EINVAL);
}

static void
test_interpolate_duplicate_x(void)
{
	uint8_t xs[2] = {3, 3}, y0[4] = {1, 2, 3, 4}, y1[4] = {5, 6, 7, 8}, out[4];
	const uint8_t *ys[2] = {y0, y1};

	CHECK_EQ(shr_interpolate(xs, ys, 2, 4, 255, out), CUSTOS_EINVAL);
	xs[1] = 4;
	CHECK(shr_interpolate(xs, ys, 2, 4, 3, out) == 0);
	CHECK_MEM(out, y0, 4); /* the polynomial passes through its points */
	CHECK(shr_interpolate(xs, ys, 2, 4, 4, out) == 0);
	CHECK_MEM(out, y1, 4);
}

/* Substitutes k distinct random word positions with different words. */
static void
corrupt(uint16_t *words, size_t n, unsigned k)
{
	size_t pos[3];
	unsigned i, j;

	for (i = 0; i < k; i++) {
		uint32_t r;
	again:
		r = randombytes_uniform((uint32_t)n);
		for (j = 0; j < i; j++)
			if (pos[j] == r)
				goto again;
		pos[i] = r;
		words[r] = (uint16_t)((words[r] + 1 + randombytes_uniform(1023)) % 1024);
	}
}

static void
test_typos_caught(void)
{
	struct shr_share shares[16], s;
	struct shr_group g = {2, 3};
	uint16_t words[SHR_MAX_WORDS], bad[SHR_MAX_WORDS];
	uint8_t master[32];
	size_t n, nw, trial, missed = 0, i;

	CHECK(custos_random(master, 32) == 0);
	CHECK(shr_generate(1, &g, 1, master, 32, "", 0, 1, shares, 16, &n) == 0);
	CHECK(shr_share_encode(&shares[1], words, SHR_MAX_WORDS, &nw) == 0);
	CHECK_EQ(nw, 33);
	/* Every single-word change at every position. */
	for (i = 0; i < nw; i++)
		for (uint16_t w = 0; w < 1024; w++) {
			if (w == words[i])
				continue;
			memcpy(bad, words, sizeof(bad));
			bad[i] = w;
			missed += shr_share_decode(bad, nw, SHR_KIND_STANDARD, &s) == 0;
		}
	CHECK_EQ(missed, 0);
	/* 10,000 random substitutions of 1 to 3 words. */
	for (trial = 0; trial < 10000; trial++) {
		memcpy(bad, words, sizeof(bad));
		corrupt(bad, nw, 1 + (unsigned)(trial % 3));
		missed += shr_share_decode(bad, nw, SHR_KIND_STANDARD, &s) == 0;
	}
	CHECK_EQ(missed, 0);
	CHECK(shr_share_decode(words, nw, SHR_KIND_STANDARD, &s) == 0);
	CHECK_EQ(s.member_index, 1);
	/* A standard share is not taken for a passphrase-masked one, and back. */
	CHECK_EQ(shr_share_decode(words, nw, SHR_KIND_MASKED, &s), CUSTOS_ECHECKSUM);
	shares[1].masked = 1;
	CHECK(shr_share_encode(&shares[1], words, SHR_MAX_WORDS, &nw) == 0);
	CHECK_EQ(shr_share_decode(words, nw, SHR_KIND_STANDARD, &s), CUSTOS_ECHECKSUM);
	CHECK(shr_share_decode(words, nw, SHR_KIND_MASKED, &s) == 0);
	CHECK_EQ(s.masked, 1);
}

static void
test_mnemonic_entry(void)
{
	struct shr_share shares[16], s;
	struct shr_group g = {2, 2};
	uint8_t master[32];
	char text[SHR_MNEMONIC_MAX], prefixes[SHR_MNEMONIC_MAX], *p, *q;
	uint16_t words[SHR_MAX_WORDS];
	size_t n, bad;

	CHECK(custos_random(master, 32) == 0);
	CHECK(shr_generate(1, &g, 1, master, 32, "", 0, 1, shares, 16, &n) == 0);
	CHECK(shr_share_format(&shares[0], text, sizeof(text)) == 0);
	/* Keep only the first four letters of every word, in upper case. */
	for (p = text, q = prefixes; *p != '\0';) {
		size_t k = 0;
		while (*p != ' ' && *p != '\0') {
			if (k++ < 4)
				*q++ = (char)(*p - 'a' + 'A');
			p++;
		}
		if (*p == ' ')
			*q++ = *p++;
	}
	*q = '\0';
	CHECK(shr_share_parse(prefixes, strlen(prefixes), SHR_KIND_STANDARD, &s) == 0);
	CHECK_MEM(s.value, shares[0].value, 32);
	/* An unknown word is named by its position. */
	CHECK_EQ(shr_mnemonic_words("academic acid zzzz acne", 23, words, SHR_MAX_WORDS, &n, &bad),
	         CUSTOS_EWORD);
	CHECK_EQ(bad, 3);
	CHECK(strstr(custos_err_detail(), "word 3") != NULL);
	/* Three letters are not enough; extra letters must match. */
	CHECK_EQ(shr_mnemonic_words("aca", 3, words, SHR_MAX_WORDS, &n, &bad), CUSTOS_EWORD);
	CHECK_EQ(shr_mnemonic_words("academix", 8, words, SHR_MAX_WORDS, &n, &bad), CUSTOS_EWORD);
	CHECK(shr_mnemonic_words("acad\tACADEMIC,\n academi", 23, words, SHR_MAX_WORDS, &n, &bad) == 0);
	CHECK_EQ(n, 3);
	CHECK_EQ(words[0], 0);
	CHECK_EQ(words[2], 0);
	/* A share whose group index is not below its group count is refused. */
	shares[0].group_index = 1; /* of a single group */
	CHECK_EQ(shr_share_encode(&shares[0], words, SHR_MAX_WORDS, &n), CUSTOS_EINVAL);
	/* Too short a share is refused with its length. */
	CHECK_EQ(shr_share_parse("academic acid acne", 18, SHR_KIND_ANY, &s), CUSTOS_ESHARE);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_rng_install(&rng, 7);
	RUN(test_every_subset);
	RUN(test_combine_master);
	RUN(test_sets_never_mix);
	RUN(test_groups);
	RUN(test_interpolate_duplicate_x);
	RUN(test_typos_caught);
	RUN(test_mnemonic_entry);
	return HARNESS_END();
}
