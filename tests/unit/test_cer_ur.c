/*
 * Uniform Resources: the reference implementation's vectors reproduced
 * exactly (tests/vectors/ur.json, from bc-ur's test.cpp), and the decoder
 * driven with shuffled, duplicated, lossy, mixed, corrupt, upper-case,
 * truncated and impossible input.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdint.h>

#include "ceremony/cer_bytewords.h"
#include "ceremony/cer_fountain.h"
#include "ceremony/cer_ur.h"
#include "ceremony/cer_ur_cbor.h"
#include "harness.h"

static json_t *vectors;

/* --- helpers ---------------------------------------------------------------- */

/* The vectors' make_message(len): Xoshiro256** seeded with "Wolf", next_int(0, 255). */
static uint8_t *
make_message(size_t len, const char *seed)
{
	struct cer_xoshiro x;
	uint8_t *m = malloc(len > 0 ? len : 1);
	size_t i;

	if (m == NULL || cer_xoshiro_seed(&x, (const uint8_t *)seed, strlen(seed)) != 0)
		abort();
	for (i = 0; i < len; i++)
		m[i] = (uint8_t)cer_xoshiro_next_int(&x, 0, 255);
	return m;
}

static size_t
unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2, i;
	unsigned v;

	if (n > max)
		abort();
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
	return n;
}

static void
tohex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	out[2 * n] = '\0';
}

static json_t *
vec(const char *key)
{
	json_t *v = json_object_get(vectors, key);

	if (v == NULL) {
		fprintf(stderr, "vector %s missing\n", key);
		abort();
	}
	return v;
}

/* A deterministic shuffle for the test's own use. */
static void
shuffle(char **a, size_t n, struct cer_xoshiro *x)
{
	size_t i, j;
	char *t;

	for (i = n; i > 1; i--) {
		j = (size_t)cer_xoshiro_next_int(x, 0, i - 1);
		t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

static char *
upper_padded(const char *s)
{
	size_t n = strlen(s), i;
	char *u = malloc(n + 5);

	if (u == NULL)
		abort();
	memcpy(u, " \t", 2);
	for (i = 0; i < n; i++)
		u[2 + i] = (char)toupper((unsigned char)s[i]);
	memcpy(u + 2 + n, "\r\n", 3);
	return u;
}

/* The payload the decoder hands out equals want. */
static void
check_result(struct cer_ur_decoder *d, const uint8_t *want, size_t want_len)
{
	uint8_t *got = NULL;
	size_t got_len = 1;

	CHECK(cer_ur_decoder_is_complete(d));
	CHECK_EQ(cer_ur_decoder_result(d, &got, &got_len), 0);
	CHECK_EQ(got_len, want_len);
	if (got != NULL && got_len == want_len)
		CHECK_MEM(got, want, want_len);
	free(got);
}

/* --- vectors ---------------------------------------------------------------- */

static void
test_crc32_vectors(void)
{
	json_t *v = vec("crc32"), *e;
	size_t i;
	char got[9];
	const char *s;

	CHECK(json_array_size(v) >= 2);
	json_array_foreach(v, i, e)
	{
		s = json_string_value(json_array_get(e, 0));
		snprintf(got, sizeof(got), "%08x",
		         (unsigned)cer_crc32((const uint8_t *)s, strlen(s)));
		CHECK(strcmp(got, json_string_value(json_array_get(e, 1))) == 0);
		/* in two pieces */
		CHECK_EQ(cer_crc32_update(cer_crc32((const uint8_t *)s, 3), (const uint8_t *)s + 3,
		                          strlen(s) - 3),
		         cer_crc32((const uint8_t *)s, strlen(s)));
	}
	CHECK_EQ(cer_crc32((const uint8_t *)"123456789", 9),
	         0xcbf43926u); /* the CRC-32 check value */
}

static void
test_bytewords_vectors(void)
{
	json_t *v = vec("bytewords");
	uint8_t in[64], *dec = NULL;
	size_t n, dlen;
	char *s = NULL;
	const char *std = json_string_value(json_object_get(v, "standard"));
	const char *min = json_string_value(json_object_get(v, "minimal"));

	n = unhex(json_string_value(json_object_get(v, "input_hex")), in, sizeof(in));
	CHECK_EQ(cer_bytewords_encode(CER_BYTEWORDS_STANDARD, in, n, &s), 0);
	CHECK(s != NULL && strcmp(s, std) == 0);
	free(s);
	CHECK_EQ(cer_bytewords_encode(CER_BYTEWORDS_MINIMAL, in, n, &s), 0);
	CHECK(s != NULL && strcmp(s, min) == 0);
	free(s);
	CHECK_EQ(cer_bytewords_encode(CER_BYTEWORDS_URI, in, n, &s), 0);
	CHECK(s != NULL && strcmp(s, "able-acid-also-lava-zoom-jade-need-echo-taxi") == 0);
	free(s);
	CHECK_EQ(cer_bytewords_decode(CER_BYTEWORDS_STANDARD, std, strlen(std), &dec, &dlen), 0);
	CHECK(dlen == n && dec != NULL && memcmp(dec, in, n) == 0);
	free(dec);
	CHECK_EQ(cer_bytewords_decode(CER_BYTEWORDS_MINIMAL, min, strlen(min), &dec, &dlen), 0);
	CHECK(dlen == n && dec != NULL && memcmp(dec, in, n) == 0);
	free(dec);
}

/* BCR-2020-012's own example: a tagged seed, CRC c904f40b. */
static void
test_bytewords_spec_example(void)
{
	uint8_t in[64];
	size_t n;
	char *s = NULL;

	n = unhex("d99d6ca20150c7098580125e2ab0981253468b2dbc5202c11947da", in, sizeof(in));
	CHECK_EQ(cer_crc32(in, n), 0xc904f40bu);
	CHECK_EQ(cer_bytewords_encode(CER_BYTEWORDS_MINIMAL, in, n, &s), 0);
	CHECK(s != NULL &&
	      strcmp(s, "tantjzoeadgdstaslplabghydrpfmkbggufgludprfgmaosecffltnsoaawkbd") == 0);
	free(s);
	CHECK_EQ(cer_bytewords_encode(CER_BYTEWORDS_STANDARD, in, n, &s), 0);
	CHECK(s != NULL && strncmp(s, "tuna next jazz oboe acid good slot axis", 39) == 0 &&
	      strcmp(s + strlen(s) - 24, "twin solo aqua work bald") == 0);
	free(s);
}

static void
test_xoshiro_vectors(void)
{
	json_t *mod = vec("xoshiro_wolf_next_mod_100"), *ints = vec("xoshiro_wolf_next_int_1_10");
	struct cer_xoshiro x;
	size_t i;

	CHECK_EQ(json_array_size(mod), 100);
	CHECK_EQ(cer_xoshiro_seed(&x, (const uint8_t *)"Wolf", 4), 0);
	for (i = 0; i < json_array_size(mod); i++)
		CHECK_EQ(cer_xoshiro_next(&x) % 100, json_integer_value(json_array_get(mod, i)));
	CHECK_EQ(json_array_size(ints), 100);
	CHECK_EQ(cer_xoshiro_seed(&x, (const uint8_t *)"Wolf", 4), 0);
	for (i = 0; i < json_array_size(ints); i++)
		CHECK_EQ(cer_xoshiro_next_int(&x, 1, 10),
		         json_integer_value(json_array_get(ints, i)));
}

static void
test_fragment_length_vectors(void)
{
	json_t *v = vec("find_nominal_fragment_length"), *e;
	size_t i, got;

	CHECK(json_array_size(v) >= 2);
	json_array_foreach(v, i, e)
	{
		CHECK_EQ(cer_fountain_fragment_len((size_t)json_integer_value(json_array_get(e, 0)),
		                                   (size_t)json_integer_value(json_array_get(e, 1)),
		                                   (size_t)json_integer_value(json_array_get(e, 2)),
		                                   &got),
		         0);
		CHECK_EQ(got, json_integer_value(json_array_get(e, 3)));
	}
	/* shorter than the minimum: one fragment (the reference asserts here) */
	CHECK_EQ(cer_fountain_fragment_len(3, 10, 30, &got), 0);
	CHECK_EQ(got, 3);
	CHECK_EQ(cer_fountain_fragment_len(100, 40, 45, &got), CUSTOS_EINVAL); /* 100 / 2 > 45 */
	CHECK_EQ(got, 0);
	CHECK_EQ(cer_fountain_fragment_len(0, 10, 30, &got), CUSTOS_EINVAL);
	CHECK_EQ(cer_fountain_fragment_len(100, 0, 30, &got), CUSTOS_EINVAL);
	CHECK_EQ(cer_fountain_fragment_len(100, 31, 30, &got), CUSTOS_EINVAL);
}

static void
test_single_part_vector(void)
{
	const char *want = json_string_value(vec("single_part_ur_make_message_ur_50"));
	uint8_t *m = make_message(50, "Wolf");
	struct cer_ur_decoder *d = NULL;
	char *s = NULL;

	CHECK_EQ(cer_ur_encode_single(m, 50, &s), 0);
	CHECK(s != NULL && want != NULL && strcmp(s, want) == 0);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	CHECK_EQ(cer_ur_decoder_receive(d, want), 0);
	check_result(d, m, 50);
	cer_ur_decoder_free(d);
	free(s);
	free(m);
}

static void
test_multipart_vector(void)
{
	json_t *v = vec("multipart_ur_make_message_ur_256_max_fragment_30_first_20_parts");
	uint8_t *m = make_message(256, "Wolf");
	struct cer_ur_encoder *e = NULL;
	struct cer_ur_decoder *d = NULL;
	size_t i;
	char *p = NULL;

	CHECK_EQ(json_array_size(v), 20);
	CHECK_EQ(cer_ur_encoder_new(m, 256, 30, CER_UR_MIN_FRAGMENT_DEFAULT, 0, &e), 0);
	if (e == NULL)
		goto out;
	CHECK_EQ(cer_ur_encoder_seq_len(e), 9);
	for (i = 0; i < json_array_size(v); i++) {
		CHECK_EQ(cer_ur_encoder_next_part(e, &p), 0);
		CHECK(p != NULL && strcmp(p, json_string_value(json_array_get(v, i))) == 0);
		free(p);
	}
	/* the vector's fountain parts (10..20), then the encoder's next ones, suffice */
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	for (i = 9; i < json_array_size(v); i++)
		CHECK_EQ(cer_ur_decoder_receive(d, json_string_value(json_array_get(v, i))), 0);
	for (i = 0; i < 200 && !cer_ur_decoder_is_complete(d); i++) {
		CHECK_EQ(cer_ur_encoder_next_part(e, &p), 0);
		CHECK_EQ(cer_ur_decoder_receive(d, p), 0);
		free(p);
	}
	check_result(d, m, 256);
out:
	cer_ur_decoder_free(d);
	cer_ur_encoder_free(e);
	free(m);
}

static void
test_fountain_vector(void)
{
	json_t *v = vec("fountain_parts_make_message_256_max_fragment_30_first_20");
	uint8_t *m = make_message(256, "Wolf");
	struct cer_fountain_encoder *e = NULL;
	struct cer_fountain_part p;
	char line[256], hex[2 * 64 + 1];
	size_t i;

	CHECK_EQ(json_array_size(v), 20);
	CHECK_EQ(cer_fountain_encoder_new(m, 256, 30, 10, 0, &e), 0);
	if (e == NULL)
		goto out;
	CHECK_EQ(cer_fountain_encoder_fragment_len(e), 29);
	for (i = 0; i < json_array_size(v); i++) {
		CHECK_EQ(cer_fountain_encoder_next(e, &p), 0);
		if (p.data_len > 64)
			break;
		tohex(p.data, p.data_len, hex);
		snprintf(line, sizeof(line),
		         "seqNum:%u, seqLen:%u, messageLen:%u, checksum:%u, data:%s",
		         (unsigned)p.seq_num, (unsigned)p.seq_len, (unsigned)p.message_len,
		         (unsigned)p.checksum, hex);
		CHECK(strcmp(line, json_string_value(json_array_get(v, i))) == 0);
	}
out:
	cer_fountain_encoder_free(e);
	free(m);
}

/* --- round trips ----------------------------------------------------------- */

/*
 * Encodes len bytes with fragments of at most frag bytes, drops about one plain
 * part in drop_every (at least one), adds fountain parts and duplicates,
 * shuffles, feeds everything (some upper case), then more fountain parts until
 * complete.  Returns the number of parts fed.
 */
static size_t
round_trip(size_t len, size_t frag, size_t drop_every, uint32_t first_seq)
{
	uint8_t *m = make_message(len, "round trip");
	struct cer_ur_encoder *e = NULL;
	struct cer_ur_decoder *d = NULL;
	struct cer_xoshiro x;
	char **parts = NULL, *p, *u;
	size_t seq_len, nparts = 0, cap, i, fed = 0, known, needed, dropped = 0;

	if (cer_xoshiro_seed(&x, (const uint8_t *)"order", 5) != 0)
		abort();
	CHECK_EQ(cer_ur_encoder_new(m, len, frag, CER_UR_MIN_FRAGMENT_DEFAULT, first_seq, &e), 0);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (e == NULL || d == NULL)
		goto out;
	seq_len = cer_ur_encoder_seq_len(e);
	cap = 3 * seq_len + 64;
	if ((parts = calloc(cap, sizeof(*parts))) == NULL)
		abort();
	for (i = 0; i < seq_len + seq_len / 2 + 8; i++) {
		CHECK_EQ(cer_ur_encoder_next_part(e, &p), 0);
		if (p == NULL)
			goto out;
		if (i < seq_len && seq_len > 1 && (i % drop_every == drop_every / 2)) {
			free(p); /* lost in transit */
			dropped++;
			continue;
		}
		parts[nparts++] = p;
		if (i % 4 == 1)
			parts[nparts++] = strdup(p); /* seen twice */
	}
	CHECK(seq_len == 1 || first_seq != 0 || dropped > 0);
	shuffle(parts, nparts, &x);
	for (i = 0; i < nparts; i++) {
		if (i % 3 == 0) {
			u = upper_padded(parts[i]);
			CHECK_EQ(cer_ur_decoder_receive(d, u), 0);
			free(u);
		} else {
			CHECK_EQ(cer_ur_decoder_receive(d, parts[i]), 0);
		}
		fed++;
	}
	while (!cer_ur_decoder_is_complete(d) && fed < 20 * seq_len + 100) {
		CHECK_EQ(cer_ur_encoder_next_part(e, &p), 0);
		CHECK_EQ(cer_ur_decoder_receive(d, p), 0);
		free(p);
		fed++;
	}
	cer_ur_decoder_progress(d, &known, &needed);
	CHECK_EQ(known, seq_len);
	CHECK_EQ(needed, seq_len);
	check_result(d, m, len);
	printf("round trip: %zu bytes, %zu parts of %zu max, %zu plain dropped, %zu fed, "
	       "first seqNum %lu\n",
	       len, seq_len, frag, dropped, fed, (unsigned long)first_seq + 1);
out:
	for (i = 0; parts != NULL && i < nparts; i++)
		free(parts[i]);
	free(parts);
	cer_ur_decoder_free(d);
	cer_ur_encoder_free(e);
	free(m);
	return fed;
}

static void
test_round_trips(void)
{
	static const struct {
		size_t len, frag, drop_every;
	} cases[] = {
	        {1, 30, 5},
	        {100, 30, 3},
	        {100, 12, 2},
	        {100, 200, 3},
	        {10240, 100, 8},
	        {10240, 250, 4},
	        {10240, 1000, 3},
	        {300 * 1024, 200, 10},
	        {300 * 1024, 1000, 5},
	        {300 * 1024, 2500, 4},
	};
	size_t i, fed;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fed = round_trip(cases[i].len, cases[i].frag, cases[i].drop_every, 0);
		CHECK(fed > 0);
	}
	/* pure fountain parts (every seqNum beyond seqLen), as when joining a loop late */
	fed = round_trip(10240, 250, 4, 100000);
	CHECK(fed > 0);
	fed = round_trip(1000, 100, 4, UINT32_MAX - 3); /* seqNum wraps to 1 */
	CHECK(fed > 0);
}

/* The only plain parts missing are recovered from fountain parts alone. */
static void
test_fountain_fills_gaps(void)
{
	uint8_t *m = make_message(5000, "gaps");
	struct cer_ur_encoder *e = NULL;
	struct cer_ur_decoder *d = NULL;
	size_t seq_len, i, known, needed, extra = 0;
	char *p;

	CHECK_EQ(cer_ur_encoder_new(m, 5000, 100, 10, 0, &e), 0);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (e == NULL || d == NULL)
		goto out;
	seq_len = cer_ur_encoder_seq_len(e);
	CHECK_EQ(seq_len, 51); /* 5003 CBOR bytes in fragments of 99 */
	for (i = 0; i < seq_len; i++) {
		CHECK_EQ(cer_ur_encoder_next_part(e, &p), 0);
		if (i != 7 && i != 31)
			CHECK_EQ(cer_ur_decoder_receive(d, p), 0);
		free(p);
	}
	CHECK(!cer_ur_decoder_is_complete(d));
	cer_ur_decoder_progress(d, &known, &needed);
	CHECK_EQ(known, 49);
	CHECK_EQ(needed, 51);
	while (!cer_ur_decoder_is_complete(d) && extra < 500) {
		CHECK_EQ(cer_ur_encoder_next_part(e, &p), 0);
		CHECK_EQ(cer_ur_decoder_receive(d, p), 0);
		free(p);
		extra++;
	}
	CHECK(extra > 0 && extra < 100);
	check_result(d, m, 5000);
out:
	cer_ur_decoder_free(d);
	cer_ur_encoder_free(e);
	free(m);
}

/* --- refusals ----------------------------------------------------------------- */

/* Parts 1..n of msg (len bytes, fragments of at most frag) into out. */
static size_t
make_parts(const uint8_t *msg, size_t len, size_t frag, char **out, size_t n)
{
	struct cer_ur_encoder *e = NULL;
	size_t i;

	if (cer_ur_encoder_new(msg, len, frag, 10, 0, &e) != 0)
		abort();
	for (i = 0; i < n; i++) {
		if (cer_ur_encoder_next_part(e, &out[i]) != 0)
			abort();
	}
	i = cer_ur_encoder_seq_len(e);
	cer_ur_encoder_free(e);
	return i;
}

static void
free_parts(char **p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(p[i]);
}

static void
test_mixing_refused(void)
{
	uint8_t *a = make_message(256, "message A"), *b = make_message(256, "message B");
	uint8_t *c = make_message(300, "message A");
	char *pa[12], *pb[12], *pc[12], *pd[12], *single = NULL;
	struct cer_ur_decoder *d = NULL;
	size_t i;

	CHECK_EQ(make_parts(a, 256, 30, pa, 12), 9);
	CHECK_EQ(make_parts(b, 256, 30, pb, 12), 9); /* same shape, other checksum */
	CHECK_EQ(make_parts(c, 300, 30, pc, 12), 11);
	CHECK_EQ(make_parts(a, 256, 40, pd, 12), 7); /* message A itself, cut otherwise */
	CHECK_EQ(cer_ur_encode_single(b, 256, &single), 0);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (d == NULL)
		goto out;
	CHECK_EQ(cer_ur_decoder_receive(d, pa[0]), 0);
	for (i = 1; i < 12; i++) {
		CHECK_EQ(cer_ur_decoder_receive(d, pb[i]), CUSTOS_EMISMATCH);
		CHECK(strstr(custos_err_detail(), "CRC-32") != NULL);
		CHECK_EQ(cer_ur_decoder_receive(d, pc[i]), CUSTOS_EMISMATCH);
		CHECK_EQ(cer_ur_decoder_receive(d, pd[i]), CUSTOS_EMISMATCH);
		CHECK(strstr(custos_err_detail(), "fragments") != NULL);
	}
	CHECK_EQ(cer_ur_decoder_receive(d, single), CUSTOS_EMISMATCH);
	for (i = 1; i < 9; i++)
		CHECK_EQ(cer_ur_decoder_receive(d, pa[i]), 0);
	check_result(d, a, 256);
	/* after completion too */
	CHECK_EQ(cer_ur_decoder_receive(d, pb[3]), CUSTOS_EMISMATCH);
	CHECK_EQ(cer_ur_decoder_receive(d, pa[10]), 0);
	check_result(d, a, 256);
out:
	cer_ur_decoder_free(d);
	free_parts(pa, 12);
	free_parts(pb, 12);
	free_parts(pc, 12);
	free_parts(pd, 12);
	free(single);
	free(a);
	free(b);
	free(c);
}

/* A Bytewords pair (first, last) is a word. */
static int
is_pair(char f, char l)
{
	unsigned b;

	for (b = 0; b < 256; b++) {
		if (cer_bytewords_word((uint8_t)b)[0] == f &&
		    cer_bytewords_word((uint8_t)b)[3] == l)
			return 1;
	}
	return 0;
}

static void
test_corrupt_part_refused(void)
{
	uint8_t *m = make_message(256, "corrupt");
	char *p[9], *bad;
	struct cer_ur_decoder *d = NULL;
	size_t i, pos, known, needed;
	char c;
	int n_crc = 0, n_word = 0;

	CHECK_EQ(make_parts(m, 256, 30, p, 9), 9);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (d == NULL)
		goto out;
	/* every body position of part 3, each letter changed: all refused, first included */
	bad = strdup(p[2]);
	pos = strlen("ur:bytes/3-9/");
	for (i = pos; bad[i] != '\0'; i++) {
		for (c = 'a'; c <= 'z'; c++) {
			if (c == p[2][i])
				continue;
			bad[i] = c;
			if (((i - pos) % 2 == 0 && is_pair(c, bad[i + 1])) ||
			    ((i - pos) % 2 == 1 && is_pair(bad[i - 1], c))) {
				CHECK_EQ(cer_ur_decoder_receive(d, bad), CUSTOS_ECHECKSUM);
				n_crc++;
			} else {
				CHECK_EQ(cer_ur_decoder_receive(d, bad), CUSTOS_EWORD);
				n_word++;
			}
		}
		bad[i] = p[2][i];
	}
	CHECK(n_crc > 100 && n_word > 100);
	free(bad);
	cer_ur_decoder_progress(d, &known, &needed);
	CHECK_EQ(needed, 0); /* nothing was accepted */
	for (i = 0; i < 9; i++)
		CHECK_EQ(cer_ur_decoder_receive(d, p[i]), 0);
	check_result(d, m, 256);
out:
	cer_ur_decoder_free(d);
	free_parts(p, 9);
	free(m);
}

/* "ur:bytes/<seq>/<minimal Bytewords of cbor>" */
static char *
ur_of_cbor(const char *seq, const uint8_t *cbor, size_t len)
{
	char *words = NULL, *s;
	size_t n;

	if (cer_bytewords_encode(CER_BYTEWORDS_MINIMAL, cbor, len, &words) != 0)
		abort();
	n = strlen(words) + 64;
	if ((s = malloc(n)) == NULL)
		abort();
	snprintf(s, n, "ur:bytes/%s%s%s", seq, seq[0] != '\0' ? "/" : "", words);
	free(words);
	return s;
}

/* A part with the given header fields around data (checks bypassed). */
static char *
crafted_part(const char *seq, uint64_t num, uint64_t slen, uint64_t mlen, uint64_t crc,
             const uint8_t *data, size_t dlen)
{
	uint8_t buf[256];
	size_t pos = 0;
	char *s;

	pos += cer_ur_cbor_put_head(buf + pos, CER_UR_CBOR_ARRAY, 5);
	pos += cer_ur_cbor_put_head(buf + pos, CER_UR_CBOR_UINT, num);
	pos += cer_ur_cbor_put_head(buf + pos, CER_UR_CBOR_UINT, slen);
	pos += cer_ur_cbor_put_head(buf + pos, CER_UR_CBOR_UINT, mlen);
	pos += cer_ur_cbor_put_head(buf + pos, CER_UR_CBOR_UINT, crc);
	pos += cer_ur_cbor_put_head(buf + pos, CER_UR_CBOR_BYTES, dlen);
	memcpy(buf + pos, data, dlen);
	s = ur_of_cbor(seq, buf, pos + dlen);
	return s;
}

static void
expect(struct cer_ur_decoder *d, const char *s, int code)
{
	int r = cer_ur_decoder_receive(d, s);

	if (r != code)
		fprintf(stderr, "  receive(%.60s) = %d (%s), expected %d\n", s, r,
		        custos_err_detail(), code);
	CHECK_EQ(r, code);
}

static void
test_impossible_headers_refused(void)
{
	uint8_t *m = make_message(256, "headers"), data[29] = {0};
	char *p[12], buf[512], *s;
	const char *body1, *body12;
	struct cer_ur_decoder *d = NULL, *d2 = NULL;
	uint32_t crc;
	size_t i, known, needed;

	CHECK_EQ(make_parts(m, 256, 30, p, 12), 9);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (d == NULL)
		goto out;
	body1 = strrchr(p[0], '/') + 1;
	body12 = strrchr(p[11], '/') + 1;
	snprintf(buf, sizeof(buf), "ur:bytes/0-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT); /* seqNum 0 */
	snprintf(buf, sizeof(buf), "ur:bytes/1-0/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT); /* seqLen 0 */
	snprintf(buf, sizeof(buf), "ur:bytes/2-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT); /* path and part disagree on seqNum */
	snprintf(buf, sizeof(buf), "ur:bytes/1-8/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT); /* ... and on seqLen */
	snprintf(buf, sizeof(buf), "ur:bytes/11-9/%s", body12);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "ur:bytes/1-70000/%s", body1);
	expect(d, buf, CUSTOS_ETOOBIG);
	snprintf(buf, sizeof(buf), "ur:bytes/4294967296-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "ur:bytes/12345678901-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "ur:bytes/1x9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "ur:bytes/-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "ur:bytes/1-9/%s/%s", body1, body1);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "ur:crypto-seed/1-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT); /* a valid type, but not ours */
	snprintf(buf, sizeof(buf), "ur:by_tes/1-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "ur:/1-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "bytes/1-9/%s", body1);
	expect(d, buf, CUSTOS_EFORMAT);
	snprintf(buf, sizeof(buf), "ur:bytes/1-9/%s!", body1);
	expect(d, buf, CUSTOS_EFORMAT); /* odd length */
	snprintf(buf, sizeof(buf), "ur:bytes/1-9/%s", body1);
	buf[20] = '3';
	expect(d, buf, CUSTOS_EWORD);
	expect(d, "ur:bytes", CUSTOS_EFORMAT);
	expect(d, "ur:bytes/", CUSTOS_EFORMAT);
	expect(d, "ur:bytes/1-9/", CUSTOS_EFORMAT);
	expect(d, "", CUSTOS_EFORMAT);
	expect(d, "   \n", CUSTOS_EFORMAT);

	/* well-formed CBOR, impossible header fields (path agrees with them) */
	crc = cer_crc32(m, 256);
	s = crafted_part("1-10", 1, 10, 259, crc, data, 29); /* 259 / 29 makes 9 parts */
	expect(d, s, CUSTOS_EFORMAT);
	free(s);
	s = crafted_part("1-9", 1, 9, 0, crc, data, 29); /* empty message */
	expect(d, s, CUSTOS_EFORMAT);
	free(s);
	s = crafted_part("1-1", 1, 1, 20, crc, data, 29); /* fragment longer than the message */
	expect(d, s, CUSTOS_EFORMAT);
	free(s);
	s = crafted_part("1-1", 1, 1, (uint64_t)CER_FOUNTAIN_MAX_MESSAGE + 1, crc, data, 29);
	expect(d, s, CUSTOS_ETOOBIG); /* over the limit before any allocation */
	free(s);
	s = crafted_part("1-65537", 1, 65537, (uint64_t)65537 * 29, crc, data, 29);
	expect(d, s, CUSTOS_ETOOBIG); /* one part over the limit */
	free(s);
	s = crafted_part("1-65536", 1, 65536, (uint64_t)65536 * 29, crc, data, 29);
	CHECK_EQ(cer_ur_decoder_new(&d2), 0); /* at the limit: accepted */
	if (d2 != NULL) {
		expect(d2, s, 0);
		cer_ur_decoder_progress(d2, &known, &needed);
		CHECK(known == 1 && needed == 65536);
		cer_ur_decoder_free(d2);
	}
	free(s);
	s = crafted_part("1-9", 1, 9, 259, (uint64_t)1 << 32, data, 29); /* checksum > 32 bits */
	expect(d, s, CUSTOS_ETOOBIG);
	free(s);
	s = crafted_part("1-9", 1, 9, 259, crc, data, 0); /* empty fragment */
	expect(d, s, CUSTOS_EFORMAT);
	free(s);

	cer_ur_decoder_progress(d, &known, &needed);
	CHECK_EQ(needed, 0); /* none of it was accepted */
	/* seq > len is the normal form of a fountain part */
	snprintf(buf, sizeof(buf), "ur:bytes/12-9/%s", body12);
	expect(d, buf, 0);
	for (i = 0; i < 9; i++)
		expect(d, p[i], 0);
	check_result(d, m, 256);
out:
	cer_ur_decoder_free(d);
	free_parts(p, 12);
	free(m);
}

static void
test_malformed_cbor_refused(void)
{
	static const uint8_t not_bytes[] = {0x18, 0x2a};           /* uint 42 */
	static const uint8_t trailing[] = {0x43, 1, 2, 3, 0x00};   /* bytes, then more */
	static const uint8_t short_bytes[] = {0x45, 1, 2, 3};      /* 5 declared, 3 there */
	static const uint8_t long_form[] = {0x58, 0x03, 1, 2, 3};  /* not shortest form */
	static const uint8_t indefinite[] = {0x5f, 0x41, 1, 0xff}; /* indefinite length */
	static const uint8_t huge[] = {0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1};
	static const uint8_t array4[] = {0x84, 1, 9, 0x19, 1, 3}; /* part: array of 4 */
	static const uint8_t part_trunc[] = {0x85, 1, 9, 0x19, 1, 3, 0x1a, 1, 2, 3, 4, 0x58, 29, 0};
	static const struct {
		const char *seq;
		const uint8_t *cbor;
		size_t len;
	} cases[] = {
	        {"", not_bytes, sizeof(not_bytes)},     {"", trailing, sizeof(trailing)},
	        {"", short_bytes, sizeof(short_bytes)}, {"", long_form, sizeof(long_form)},
	        {"", indefinite, sizeof(indefinite)},   {"", huge, sizeof(huge)},
	        {"1-9", array4, sizeof(array4)},        {"1-9", part_trunc, sizeof(part_trunc)},
	        {"1-9", not_bytes, sizeof(not_bytes)},
	};
	struct cer_ur_decoder *d = NULL;
	size_t i, known, needed;
	char *s;

	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (d == NULL)
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = ur_of_cbor(cases[i].seq, cases[i].cbor, cases[i].len);
		expect(d, s, CUSTOS_EFORMAT);
		free(s);
	}
	cer_ur_decoder_progress(d, &known, &needed);
	CHECK_EQ(needed, 0);
	CHECK(!cer_ur_decoder_is_complete(d));
	cer_ur_decoder_free(d);
}

static void
test_truncated_refused(void)
{
	uint8_t *m = make_message(100, "truncated");
	char *p[4], *single = NULL, *t;
	struct cer_ur_decoder *d = NULL;
	size_t i, n;
	int r;

	CHECK_EQ(make_parts(m, 100, 30, p, 4), 4);
	CHECK_EQ(cer_ur_encode_single(m, 100, &single), 0);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (d == NULL || single == NULL)
		goto out;
	for (n = 0; n < strlen(p[1]); n++) { /* every proper prefix */
		t = strndup(p[1], n);
		r = cer_ur_decoder_receive(d, t);
		CHECK(r == CUSTOS_EFORMAT || r == CUSTOS_EWORD || r == CUSTOS_ECHECKSUM);
		free(t);
	}
	for (n = 0; n < strlen(single); n++) {
		t = strndup(single, n);
		r = cer_ur_decoder_receive(d, t);
		CHECK(r == CUSTOS_EFORMAT || r == CUSTOS_EWORD || r == CUSTOS_ECHECKSUM);
		free(t);
	}
	CHECK(!cer_ur_decoder_is_complete(d));
	for (i = 0; i < 4; i++)
		CHECK_EQ(cer_ur_decoder_receive(d, p[i]), 0);
	check_result(d, m, 100);
out:
	cer_ur_decoder_free(d);
	free_parts(p, 4);
	free(single);
	free(m);
}

/* Parts whose Bytewords are sound but whose fragment was altered: the final CRC-32 catches it. */
static void
test_final_checksum(void)
{
	uint8_t *m = make_message(256, "final"), *cbor = NULL, *copy;
	char *p[9], *forged;
	struct cer_ur_decoder *d = NULL;
	struct cer_fountain_part fp;
	uint8_t *out = NULL;
	size_t i, len, olen = 7;

	CHECK_EQ(make_parts(m, 256, 30, p, 9), 9);
	CHECK_EQ(cer_bytewords_decode(CER_BYTEWORDS_MINIMAL, strrchr(p[4], '/') + 1,
	                              strlen(strrchr(p[4], '/') + 1), &cbor, &len),
	         0);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (cbor == NULL || d == NULL)
		goto out;
	copy = cbor;
	copy[len - 3] ^= 0x01; /* a byte of the fragment */
	CHECK_EQ(cer_fountain_part_from_cbor(copy, len, &fp), 0);
	forged = ur_of_cbor("5-9", copy, len);
	for (i = 0; i < 8; i++)
		CHECK_EQ(cer_ur_decoder_receive(d, i == 4 ? forged : p[i]), 0);
	CHECK_EQ(cer_ur_decoder_receive(d, p[8]), CUSTOS_ECHECKSUM);
	CHECK(!cer_ur_decoder_is_complete(d));
	CHECK_EQ(cer_ur_decoder_result(d, &out, &olen), CUSTOS_ECHECKSUM);
	CHECK(out == NULL && olen == 0);
	CHECK_EQ(cer_ur_decoder_receive(d, p[4]), CUSTOS_ECHECKSUM); /* spent */
	free(forged);
out:
	free(cbor);
	cer_ur_decoder_free(d);
	free_parts(p, 9);
	free(m);
}

/* A multi-part message that is not a CBOR byte string spends the decoder. */
static void
test_message_not_bytes(void)
{
	uint8_t msg[40], *cbor = NULL, *out = NULL;
	struct cer_fountain_encoder *e = NULL;
	struct cer_fountain_part fp;
	struct cer_ur_decoder *d = NULL;
	char seq[32], *s;
	size_t i, len, olen;
	int r = 0;

	memset(msg, 0x82, sizeof(msg)); /* arrays, not a byte string */
	CHECK_EQ(cer_fountain_encoder_new(msg, sizeof(msg), 10, 5, 0, &e), 0);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (e == NULL || d == NULL)
		goto out;
	for (i = 0; i < cer_fountain_encoder_seq_len(e); i++) {
		CHECK_EQ(cer_fountain_encoder_next(e, &fp), 0);
		CHECK_EQ(cer_fountain_part_to_cbor(&fp, &cbor, &len), 0);
		snprintf(seq, sizeof(seq), "%u-%u", (unsigned)fp.seq_num, (unsigned)fp.seq_len);
		s = ur_of_cbor(seq, cbor, len);
		r = cer_ur_decoder_receive(d, s);
		free(s);
		free(cbor);
	}
	CHECK_EQ(r, CUSTOS_EFORMAT);
	CHECK(!cer_ur_decoder_is_complete(d));
	CHECK_EQ(cer_ur_decoder_result(d, &out, &olen), CUSTOS_EFORMAT);
out:
	cer_ur_decoder_free(d);
	cer_fountain_encoder_free(e);
}

/* A single-part UR completes a multi-part decode of the same message. */
static void
test_single_completes_multi(void)
{
	uint8_t *m = make_message(256, "single");
	char *p[9], *single = NULL;
	struct cer_ur_decoder *d = NULL;
	size_t known, needed;

	CHECK_EQ(make_parts(m, 256, 30, p, 9), 9);
	CHECK_EQ(cer_ur_encode_single(m, 256, &single), 0);
	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (d == NULL || single == NULL)
		goto out;
	CHECK_EQ(cer_ur_decoder_receive(d, p[3]), 0);
	CHECK_EQ(cer_ur_decoder_receive(d, single), 0);
	cer_ur_decoder_progress(d, &known, &needed);
	CHECK_EQ(known, 9);
	CHECK_EQ(needed, 9);
	check_result(d, m, 256);
	CHECK_EQ(cer_ur_decoder_receive(d, p[5]), 0);
out:
	cer_ur_decoder_free(d);
	free_parts(p, 9);
	free(single);
	free(m);
}

static void
test_api_edges(void)
{
	struct cer_ur_decoder *d = NULL;
	struct cer_ur_encoder *e = (struct cer_ur_encoder *)&e;
	uint8_t *out = (uint8_t *)&out, *big;
	size_t len = 5, known = 9, needed = 9;
	char *s = NULL, *p = NULL;

	CHECK_EQ(cer_ur_decoder_new(&d), 0);
	if (d == NULL)
		return;
	cer_ur_decoder_progress(d, &known, &needed);
	CHECK(known == 0 && needed == 0);
	cer_ur_decoder_progress(d, NULL, NULL);
	CHECK_EQ(cer_ur_decoder_result(d, &out, &len), CUSTOS_EINVAL);
	CHECK(out == NULL && len == 0);
	CHECK_EQ(cer_ur_encoder_new((const uint8_t *)"x", 1, 5, 10, 0, &e), CUSTOS_EINVAL);
	CHECK(e == NULL);
	CHECK_EQ(cer_ur_encoder_new((const uint8_t *)"x", CER_UR_MAX_MESSAGE + 1, 1000, 10, 0, &e),
	         CUSTOS_ETOOBIG);
	CHECK_EQ(cer_ur_encode_single((const uint8_t *)"x", CER_UR_MAX_MESSAGE + 1, &s),
	         CUSTOS_ETOOBIG);
	big = calloc(1, 1 << 20);
	CHECK_EQ(cer_ur_encoder_new(big, 1 << 20, 12, 10, 0, &e),
	         CUSTOS_ETOOBIG); /* > 65536 parts */
	free(big);
	/* an empty payload travels too */
	CHECK_EQ(cer_ur_encode_single(NULL, 0, &s), 0);
	/* CBOR 0x40 ("fizz") and its CRC-32, five minimal words */
	CHECK(s != NULL && strlen(s) == 19 && strncmp(s, "ur:bytes/fz", 11) == 0);
	CHECK_EQ(cer_ur_decoder_receive(d, s), 0);
	CHECK_EQ(cer_ur_decoder_result(d, &out, &len), 0);
	CHECK(out != NULL && len == 0);
	free(out);
	free(s);
	/* a message that fits one fragment: every part is the single-part UR */
	CHECK_EQ(cer_ur_encoder_new((const uint8_t *)"hello", 5, 100, 10, 0, &e), 0);
	CHECK_EQ(cer_ur_encode_single((const uint8_t *)"hello", 5, &s), 0);
	if (e != NULL && s != NULL) {
		CHECK_EQ(cer_ur_encoder_seq_len(e), 1);
		CHECK_EQ(cer_ur_encoder_next_part(e, &p), 0);
		CHECK(p != NULL && strcmp(p, s) == 0);
		free(p);
		CHECK_EQ(cer_ur_encoder_next_part(e, &p), 0);
		CHECK(p != NULL && strcmp(p, s) == 0);
		free(p);
	}
	free(s);
	cer_ur_encoder_free(e);
	cer_ur_encoder_free(NULL);
	cer_ur_decoder_free(d);
	cer_ur_decoder_free(NULL);
}

int
main(void)
{
	json_error_t err;

	vectors = json_load_file(CUSTOS_TEST_VECTORS "/ur.json", 0, &err);
	if (vectors == NULL) {
		fprintf(stderr, "ur.json: %s\n", err.text);
		return 1;
	}
	RUN(test_crc32_vectors);
	RUN(test_bytewords_vectors);
	RUN(test_bytewords_spec_example);
	RUN(test_xoshiro_vectors);
	RUN(test_fragment_length_vectors);
	RUN(test_single_part_vector);
	RUN(test_multipart_vector);
	RUN(test_fountain_vector);
	RUN(test_round_trips);
	RUN(test_fountain_fills_gaps);
	RUN(test_mixing_refused);
	RUN(test_corrupt_part_refused);
	RUN(test_impossible_headers_refused);
	RUN(test_malformed_cbor_refused);
	RUN(test_truncated_refused);
	RUN(test_final_checksum);
	RUN(test_message_not_bytes);
	RUN(test_single_completes_multi);
	RUN(test_api_edges);
	json_decref(vectors);
	return HARNESS_END();
}
