/*
 * ct_shares: checks that shares/ never branches on, or indexes memory by,
 * secret data (the ctgrind method).
 *
 * Secret inputs (share values, master secrets, mnemonic words, random
 * coefficients) are marked undefined with valgrind's client requests; public
 * inputs (counts, lengths, x-coordinates, share metadata) stay defined.
 * memcheck then reports every conditional jump and every load or store address
 * that depends on a secret.  Run it under valgrind (tests/ct/run.sh does):
 *
 *   valgrind --error-exitcode=1 --track-origins=yes ct_shares [CASE...]
 *
 * Legitimate public decisions on a secret-derived result are allowed once, on
 * the final verdict, and are declassified narrowly:
 *   - verdicts returned across a call (shr_rs1024_verify, sodium_memcmp) are
 *     marked defined by the function wrappers below, on the return value only;
 *   - verdicts branched on inside a function (found / not found in
 *     shr_word_lookup) are listed by source line in tests/ct/verdicts.
 * The harness itself marks outputs defined (PUBLIC) before checking them.
 *
 * Without valgrind the client requests are no-ops and the cases only check
 * the answers.  `ct_shares --self-check` leaks on purpose and must be caught.
 */
#include <sodium.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <valgrind/memcheck.h>
#include <valgrind/valgrind.h>

#include "../unit/harness.h"
#include "common/rng.h"
#include "shares/shr_gf256.h"
#include "shares/shr_rs1024.h"
#include "shares/shr_shamir.h"
#include "shares/shr_slip39.h"
#include "shares/shr_wordlist.h"

#define SECRET(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#define PUBLIC(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))

#define DECODE(w, n, s) shr_share_decode((w), (n), SHR_KIND_ANY, (s))

/* --- verdict wrappers (valgrind function wrapping; no-ops natively) ------- */

/* "Is the checksum valid": the one decision RS1024 is for. */
int I_WRAP_SONAME_FNNAME_ZU(NONE, shr_rs1024_verify)(const char *cs, const uint16_t *w, size_t n);
int
I_WRAP_SONAME_FNNAME_ZU(NONE, shr_rs1024_verify)(const char *cs, const uint16_t *w, size_t n)
{
	OrigFn fn;
	int r;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_W_WWW(r, fn, cs, w, n);
	PUBLIC(&r, sizeof(r));
	return r;
}

/* shr_ct_public: shares/' own declassification of format-public values. */
uint32_t I_WRAP_SONAME_FNNAME_ZU(NONE, shr_ct_public)(uint32_t v);
uint32_t
I_WRAP_SONAME_FNNAME_ZU(NONE, shr_ct_public)(uint32_t v)
{
	OrigFn fn;
	uint32_t r;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_W_W(r, fn, v);
	PUBLIC(&r, sizeof(r));
	return r;
}

/* "Did the digest match": shr_recover_secret's verdict (libsodium.so.*). */
int I_WRAP_SONAME_FNNAME_ZU(libsodiumZdsoZa, sodium_memcmp)(const void *a, const void *b, size_t n);
int
I_WRAP_SONAME_FNNAME_ZU(libsodiumZdsoZa, sodium_memcmp)(const void *a, const void *b, size_t n)
{
	OrigFn fn;
	int r;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_W_WWW(r, fn, a, b, n);
	PUBLIC(&r, sizeof(r));
	return r;
}

/* --- helpers --------------------------------------------------------------- */

/* Deterministic randomness, all of it secret (coefficients, digest keys). */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static int
ct_random(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	(void)ctx;
	for (i = 0; i < len; i++) {
		rng_state ^= rng_state << 13;
		rng_state ^= rng_state >> 7;
		rng_state ^= rng_state << 17;
		p[i] = (uint8_t)(rng_state >> 32);
	}
	SECRET(buf, len);
	return 0;
}

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + 37 * i + (i >> 3));
}

/* Shift-and-add with branches: fine here, the harness only sees public copies. */
static uint8_t
ref_mul(uint8_t a, uint8_t b)
{
	unsigned r = 0, x = a;

	for (; b != 0; b >>= 1) {
		if (b & 1)
			r ^= x;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11b;
	}
	return (uint8_t)r;
}

/* A share with public metadata and a secret value. */
static void
make_share(struct shr_share *s, size_t len, int ext, int masked, uint8_t seed)
{
	memset(s, 0, sizeof(*s));
	s->identifier = 0x1234;
	s->extendable = (uint8_t)ext;
	s->iteration_exponent = 1;
	s->group_index = 1;
	s->group_threshold = 2;
	s->group_count = 3;
	s->member_index = 4;
	s->member_threshold = 3;
	s->masked = (uint8_t)masked;
	s->value_len = len;
	fill(s->value, len, seed);
}

/* Marks the letters (not the separators) of words first.. of text secret. */
static void
secret_words_from(char *text, size_t first)
{
	size_t word = 0, i = 0, len = strlen(text);

	/* From word `first` on, the letters and the spaces between them are secret:
	   where one word ends says how long it was. */
	while (i < len && word < first) {
		while (i < len && text[i] != ' ')
			i++;
		i++;
		word++;
	}
	if (i < len)
		SECRET(text + i, len - i);
}

/* --- cases ------------------------------------------------------------------ */

static void
case_gf256(void)
{
	unsigned a, b;

	for (a = 0; a < 256; a += 5) {
		for (b = 0; b < 256; b += 7) {
			uint8_t sa = (uint8_t)a, sb = (uint8_t)b, p;

			SECRET(&sa, 1);
			SECRET(&sb, 1);
			p = shr_gf256_mul(sa, sb);
			PUBLIC(&p, 1);
			CHECK_EQ(p, ref_mul((uint8_t)a, (uint8_t)b));
		}
	}
	for (a = 0; a < 256; a++) {
		uint8_t sa = (uint8_t)a, q;

		SECRET(&sa, 1);
		q = shr_gf256_inv(sa);
		PUBLIC(&q, 1);
		CHECK_EQ(ref_mul((uint8_t)a, q), a == 0 ? 0 : 1);
	}
}

static void
case_interpolate(void)
{
	static const uint8_t xs[3] = {1, 3, 7};
	uint8_t y[3][32], out[32], want[32];
	const uint8_t *ys[3] = {y[0], y[1], y[2]};
	int i;

	for (i = 0; i < 3; i++)
		fill(y[i], 32, (uint8_t)(i + 1));
	memcpy(want, y[1], 32);
	SECRET(y, sizeof(y));
	CHECK_EQ(shr_interpolate(xs, ys, 3, 32, 3, out), 0); /* back through a point */
	PUBLIC(out, 32);
	CHECK_MEM(out, want, 32);
	CHECK_EQ(shr_interpolate(xs, ys, 3, 32, 200, out), 0);
}

static void
case_split_recover(void)
{
	static const uint8_t xs[3] = {0, 2, 4};
	uint8_t secret[32], want[32], shares[5 * 32], out[32];
	const uint8_t *ys[3] = {shares, shares + 2 * 32, shares + 4 * 32};
	int r;

	fill(want, 32, 9);
	memcpy(secret, want, 32);
	SECRET(secret, 32);
	CHECK_EQ(shr_split_secret(3, 5, secret, 32, shares), 0);
	r = shr_recover_secret(3, xs, ys, 3, 32, out);
	CHECK_EQ(r, 0);
	PUBLIC(out, 32);
	CHECK_MEM(out, want, 32);

	shares[2 * 32 + 5] ^= 1; /* still secret: a wrong share, refused by the digest */
	CHECK_EQ(shr_recover_secret(3, xs, ys, 3, 32, out), CUSTOS_EDIGEST);

	CHECK_EQ(shr_split_secret(1, 2, secret, 16, shares), 0); /* threshold 1: copies */
	CHECK_EQ(shr_recover_secret(1, xs, ys, 1, 16, out), 0);
	PUBLIC(out, 16);
	CHECK_MEM(out, want, 16);
}

static void
case_word_lookup(void)
{
	static const char *const typed[] = {"academic", "ACADEMIC", "acad", "zero", "Zero",
	                                    "ZERO",     "lawsuit",  "laws", "wrist"};
	char w[SHR_WORD_MAX + 1];
	uint16_t idx;
	size_t i, len;
	int r;

	for (i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
		len = strlen(typed[i]);
		memcpy(w, typed[i], len);
		SECRET(w, len);
		r = shr_word_lookup(w, len, &idx);
		PUBLIC(&r, sizeof(r));
		PUBLIC(&idx, sizeof(idx));
		CHECK_EQ(r, 0);
		CHECK(strncasecmp(shr_wordlist[idx], typed[i], len) == 0);
	}
	memcpy(w, "zzzzzz", 6); /* not a word: the not-found verdict */
	SECRET(w, 6);
	r = shr_word_lookup(w, 6, &idx);
	PUBLIC(&r, sizeof(r));
	CHECK_EQ(r, CUSTOS_EWORD);
}

static void
case_word_get(void)
{
	static const uint16_t indices[] = {0, 1, 511, 777, 1023};
	char out[SHR_WORD_MAX + 1];
	uint16_t idx;
	size_t i, len;

	for (i = 0; i < sizeof(indices) / sizeof(indices[0]); i++) {
		idx = indices[i];
		SECRET(&idx, sizeof(idx));
		len = shr_word_get(idx, out);
		PUBLIC(&len, sizeof(len));
		PUBLIC(out, sizeof(out));
		CHECK_EQ(len, strlen(shr_wordlist[indices[i]]));
		CHECK(strcmp(out, shr_wordlist[indices[i]]) == 0);
	}
}

static void
case_rs1024(void)
{
	uint16_t data[20], want[3];
	int i, v;

	for (i = 0; i < 17; i++)
		data[i] = (uint16_t)((i * 389 + 71) & 1023);
	shr_rs1024_create(SHR_CS_EXTENDABLE, data, 17, want); /* public reference */
	SECRET(data, 17 * sizeof(data[0]));
	shr_rs1024_create(SHR_CS_EXTENDABLE, data, 17, data + 17);
	PUBLIC(data + 17, 3 * sizeof(data[0]));
	CHECK_MEM(data + 17, want, sizeof(want));
	SECRET(data, sizeof(data));
	v = shr_rs1024_verify(SHR_CS_EXTENDABLE, data, 20);
	PUBLIC(&v, sizeof(v));
	CHECK_EQ(v, 1);
	data[3] ^= 4;
	v = shr_rs1024_verify(SHR_CS_EXTENDABLE, data, 20);
	PUBLIC(&v, sizeof(v));
	CHECK_EQ(v, 0);
}

static void
case_encode_decode(void)
{
	static const size_t lens[] = {16, 32, 64};
	uint16_t words[SHR_MAX_WORDS], want[SHR_MAX_WORDS];
	struct shr_share s, back;
	size_t i, n, nwant;
	int masked, r;

	for (i = 0; i < 3; i++) {
		for (masked = 0; masked < 2; masked++) {
			make_share(&s, lens[i], (int)i & 1, masked, (uint8_t)(i + 40));
			CHECK_EQ(shr_share_encode(&s, want, SHR_MAX_WORDS, &nwant), 0);
			SECRET(s.value, s.value_len);
			CHECK_EQ(shr_share_encode(&s, words, SHR_MAX_WORDS, &n), 0);
			CHECK_EQ(n, nwant);
			r = DECODE(words, n, &back); /* value and checksum words secret */
			CHECK_EQ(r, 0);
			PUBLIC(words, sizeof(words[0]) * n);
			CHECK_MEM(words, want, sizeof(words[0]) * n);
			PUBLIC(&back, sizeof(back));
			PUBLIC(s.value, s.value_len);
			CHECK_MEM(&back, &s, sizeof(s));
			SECRET(words + 4, (n - 4) * sizeof(words[0]));
			words[6] ^= 1;
			r = DECODE(words, n, &back);
			CHECK_EQ(r, CUSTOS_ECHECKSUM);
		}
	}
}

static void
case_format(void)
{
	char text[SHR_MNEMONIC_MAX], want[SHR_MNEMONIC_MAX];
	struct shr_share s;

	make_share(&s, 32, 1, 0, 77);
	CHECK_EQ(shr_share_format(&s, want, sizeof(want)), 0);
	SECRET(s.value, s.value_len);
	CHECK_EQ(shr_share_format(&s, text, sizeof(text)), 0);
	PUBLIC(text, sizeof(text));
	CHECK(strcmp(text, want) == 0);
}

static void
case_parse(void)
{
	char text[SHR_MNEMONIC_MAX];
	struct shr_share s, back;
	size_t len;
	int r;

	make_share(&s, 32, 0, 0, 91);
	CHECK_EQ(shr_share_format(&s, text, sizeof(text)), 0);
	len = strlen(text); /* the text's length is public; where its words begin is not */
	secret_words_from(text, 4); /* words 0-3 are the public metadata */
	r = shr_share_parse(text, len, SHR_KIND_ANY, &back);
	CHECK_EQ(r, 0);
	PUBLIC(&back, sizeof(back));
	CHECK_MEM(&back, &s, sizeof(s));
}

static void
case_generate_combine(void)
{
	static const struct shr_group groups[3] = {{2, 3}, {1, 1}, {3, 5}};
	static const size_t pick[] = {0, 2, 5, 7, 8}; /* group 0: 0, 2; group 2: 1, 3, 4 */
	struct shr_share out[9], quorum[5];
	uint8_t master[32], want[32], got[SHR_VALUE_MAX];
	size_t n, len, i;
	int ext;

	fill(want, 32, 123);
	for (ext = 0; ext < 2; ext++) {
		memcpy(master, want, 32);
		SECRET(master, 32);
		CHECK_EQ(shr_generate(2, groups, 3, master, 32, "", 0, ext, out, 9, &n), 0);
		CHECK_EQ(n, 9);
		/* Metadata is public (the identifier was drawn from the secret RNG). */
		for (i = 0; i < n; i++) {
			PUBLIC(&out[i], sizeof(out[i]));
			SECRET(out[i].value, out[i].value_len);
		}
		for (i = 0; i < 5; i++)
			quorum[i] = out[pick[i]];
		CHECK_EQ(shr_combine(quorum, 5, "", got, &len), 0);
		PUBLIC(got, sizeof(got));
		CHECK_EQ(len, 32);
		CHECK_MEM(got, want, 32);
		quorum[3].value[9] ^= 0x80; /* a wrong member share: digest refuses */
		CHECK_EQ(shr_combine(quorum, 5, "", got, &len), CUSTOS_EDIGEST);
	}
}

/* --- self-check: leaks on purpose; run.sh requires memcheck to report each -- */

static volatile unsigned sink;
static const uint8_t table[256] = {1, 2, 3};

static __attribute__((noinline)) void
leak_branch(const uint8_t *s)
{
	if (s[0] & 1) /* secret-dependent branch */
		sink = sink + 1;
}

static __attribute__((noinline)) void
leak_index(const uint8_t *s)
{
	sink = sink + table[s[1]]; /* secret-indexed load */
}

static void
self_check(void)
{
	static const uint8_t xs[2] = {1, 2};
	uint8_t s[2] = {0x5a, 0xa5}, y[2][16], out[16], sx[2];
	const uint8_t *ys[2] = {y[0], y[1]};

	SECRET(s, sizeof(s));
	leak_branch(s);
	leak_index(s);
	/* x-coordinates are public by contract: made secret, shr_interpolate must be caught. */
	memcpy(sx, xs, 2);
	memset(y, 0, sizeof(y));
	SECRET(sx, sizeof(sx));
	if (shr_interpolate(sx, ys, 2, 16, 0, out) != 0)
		sink = 0;
}

/* --- main -------------------------------------------------------------------- */

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
        {"gf256", case_gf256},
        {"interpolate", case_interpolate},
        {"split-recover", case_split_recover},
        {"word-lookup", case_word_lookup},
        {"word-get", case_word_get},
        {"rs1024", case_rs1024},
        {"encode-decode", case_encode_decode},
        {"format", case_format},
        {"parse", case_parse},
        {"generate-combine", case_generate_combine},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void
run_case(size_t i)
{
	/* Printed to stderr so it lands between memcheck's reports in the log. */
	fprintf(stderr, "== ct case %s\n", cases[i].name);
	RUN(cases[i].fn);
}

int
main(int argc, char **argv)
{
	size_t i;
	int a, known;

	custos_random_set_source(ct_random, NULL);
	if (argc == 2 && strcmp(argv[1], "--self-check") == 0) {
		fprintf(stderr, "== ct self-check: memcheck must report three leaks\n");
		self_check();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (i = 0; i < NCASES; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (!RUNNING_ON_VALGRIND)
		fprintf(stderr, "ct_shares: not under valgrind; checking answers only\n");
	for (a = 1; a < argc; a++) {
		for (known = 0, i = 0; i < NCASES; i++) {
			if (strcmp(argv[a], cases[i].name) == 0) {
				run_case(i);
				known = 1;
			}
		}
		if (!known) {
			fprintf(stderr, "ct_shares: unknown case %s (try --list)\n", argv[a]);
			return 2;
		}
	}
	for (i = 0; argc == 1 && i < NCASES; i++)
		run_case(i);
	return HARNESS_END();
}
