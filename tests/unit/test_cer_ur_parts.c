/*
 * The layers under cer_ur: the Bytewords word list and codec, the minimal
 * CBOR reader, the fountain part format, the fragment chooser (its shuffle
 * against a direct transcription of the reference's, its degree distribution)
 * and the fountain decoder on its own.
 */
#include <stdint.h>

#include "ceremony/cer_bytewords.h"
#include "ceremony/cer_fountain.h"
#include "ceremony/cer_ur_cbor.h"
#include "harness.h"

/* --- Bytewords -------------------------------------------------------------- */

static void
test_word_list(void)
{
	size_t a, b;
	const char *wa, *wb;
	int k;

	for (a = 0; a < 256; a++) {
		wa = cer_bytewords_word((uint8_t)a);
		for (k = 0; k < 4; k++)
			CHECK(wa[k] >= 'a' && wa[k] <= 'z');
		if (a > 0)
			CHECK(memcmp(cer_bytewords_word((uint8_t)(a - 1)), wa, 4) < 0); /* sorted */
		for (b = a + 1; b < 256; b++) {
			wb = cer_bytewords_word((uint8_t)b);
			CHECK(!(wa[0] == wb[0] && wa[3] == wb[3])); /* first and last letters */
			CHECK(memcmp(wa, wb, 3) != 0);              /* first three */
			CHECK(memcmp(wa + 1, wb + 1, 3) != 0);      /* last three */
		}
	}
	CHECK(memcmp(cer_bytewords_word(0), "able", 4) == 0);
	CHECK(memcmp(cer_bytewords_word(0x80), "lava", 4) == 0);
	CHECK(memcmp(cer_bytewords_word(0xff), "zoom", 4) == 0);
}

static void
test_bytewords_all_bytes(void)
{
	static const enum cer_bytewords_style styles[] = {
		CER_BYTEWORDS_STANDARD, CER_BYTEWORDS_URI, CER_BYTEWORDS_MINIMAL};
	uint8_t all[256], *dec = NULL;
	size_t i, s, dlen;
	char *txt = NULL;

	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	for (s = 0; s < 3; s++) {
		CHECK_EQ(cer_bytewords_encode(styles[s], all, 256, &txt), 0);
		if (txt == NULL)
			continue;
		CHECK_EQ(strlen(txt), styles[s] == CER_BYTEWORDS_MINIMAL ? 2 * 260 : 5 * 260 - 1);
		for (i = 0; i < strlen(txt); i += 2) /* upper case decodes the same */
			txt[i] = (char)(txt[i] >= 'a' && txt[i] <= 'z' ? txt[i] - 32 : txt[i]);
		CHECK_EQ(cer_bytewords_decode(styles[s], txt, strlen(txt), &dec, &dlen), 0);
		CHECK(dlen == 256 && dec != NULL && memcmp(dec, all, 256) == 0);
		free(dec);
		free(txt);
	}
}

static void
expect_decode(enum cer_bytewords_style style, const char *txt, int code)
{
	uint8_t *dec = (uint8_t *)&dec;
	size_t dlen = 99;
	int r = cer_bytewords_decode(style, txt, strlen(txt), &dec, &dlen);

	if (r != code)
		fprintf(stderr, "  decode(%s) = %d (%s), expected %d\n", txt, r,
		        custos_err_detail(), code);
	CHECK_EQ(r, code);
	if (r != 0)
		CHECK(dec == NULL && dlen == 0);
	free(r == 0 ? dec : NULL);
}

static void
test_bytewords_refusals(void)
{
	const char *std = "able acid also lava zoom jade need echo taxi";

	expect_decode(CER_BYTEWORDS_MINIMAL, "aeadaolazmjendeoti", 0);
	expect_decode(CER_BYTEWORDS_MINIMAL, "AEADAOLAZMJENDEOTI", 0);
	expect_decode(CER_BYTEWORDS_MINIMAL, "aeadaolazmjendeot", CUSTOS_EFORMAT);   /* odd */
	expect_decode(CER_BYTEWORDS_MINIMAL, "aeadaolazmjendeotiae", CUSTOS_ECHECKSUM);
	expect_decode(CER_BYTEWORDS_MINIMAL, "aeadaolazmjendeota", CUSTOS_ECHECKSUM); /* "tent" */
	expect_decode(CER_BYTEWORDS_MINIMAL, "aeadaolazmjendeotx", CUSTOS_EWORD);
	expect_decode(CER_BYTEWORDS_MINIMAL, "aeadaolazmjendeot1", CUSTOS_EWORD);
	expect_decode(CER_BYTEWORDS_MINIMAL, "aeadaolazm jendeoti", CUSTOS_EFORMAT);
	expect_decode(CER_BYTEWORDS_MINIMAL, "jendeoti", CUSTOS_EFORMAT); /* CRC, no body */
	expect_decode(CER_BYTEWORDS_MINIMAL, "", CUSTOS_EFORMAT);
	expect_decode(CER_BYTEWORDS_STANDARD, std, 0);
	expect_decode(CER_BYTEWORDS_STANDARD, "able acid also lava zoom jade need echo taxi ",
	              CUSTOS_EFORMAT);
	expect_decode(CER_BYTEWORDS_STANDARD, "able  acid also lava zoom jade need echo taxi",
	              CUSTOS_EFORMAT);
	expect_decode(CER_BYTEWORDS_STANDARD, "able-acid-also-lava-zoom-jade-need-echo-taxi",
	              CUSTOS_EFORMAT);
	expect_decode(CER_BYTEWORDS_URI, "able-acid-also-lava-zoom-jade-need-echo-taxi", 0);
	/* first and last letters right, middle wrong */
	expect_decode(CER_BYTEWORDS_STANDARD, "able acid also lava zoom jade need echo toxi",
	              CUSTOS_EWORD);
	expect_decode((enum cer_bytewords_style)7, std, CUSTOS_EINVAL);
}

/* --- CBOR -------------------------------------------------------------------- */

static void
test_cbor_heads(void)
{
	static const uint64_t vals[] = {0,      23,          24,          255,
	                                256,    65535,       65536,       UINT32_MAX,
	                                (uint64_t)UINT32_MAX + 1, UINT64_MAX};
	static const size_t lens[] = {1, 1, 2, 2, 3, 3, 5, 5, 9, 9};
	uint8_t b[CER_UR_CBOR_HEAD_MAX];
	size_t i, n, pos, cut;
	uint64_t v;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		n = cer_ur_cbor_put_head(b, CER_UR_CBOR_UINT, vals[i]);
		CHECK_EQ(n, lens[i]);
		pos = 0;
		CHECK_EQ(cer_ur_cbor_get_head(b, n, &pos, CER_UR_CBOR_UINT, &v), 0);
		CHECK(v == vals[i] && pos == n);
		pos = 0;
		CHECK_EQ(cer_ur_cbor_get_head(b, n, &pos, CER_UR_CBOR_BYTES, &v), CUSTOS_EFORMAT);
		CHECK(pos == 0 && v == 0);
		for (cut = 0; cut < n; cut++) { /* every truncation */
			pos = 0;
			CHECK_EQ(cer_ur_cbor_get_head(b, cut, &pos, CER_UR_CBOR_UINT, &v),
			         CUSTOS_EFORMAT);
			CHECK_EQ(pos, 0);
		}
		if (n > 1 && n < 9) { /* the same value one size up is not shortest form */
			uint8_t w[CER_UR_CBOR_HEAD_MAX] = {0};
			size_t k, m = 2 * n - 1;

			w[0] = (uint8_t)(b[0] + 1);
			for (k = 1; k < n; k++)
				w[m - n + k] = b[k];
			pos = 0;
			CHECK_EQ(cer_ur_cbor_get_head(w, m, &pos, CER_UR_CBOR_UINT, &v),
			         CUSTOS_EFORMAT);
		}
	}
	for (i = 28; i <= 31; i++) { /* reserved and indefinite */
		b[0] = (uint8_t)(CER_UR_CBOR_BYTES << 5 | i);
		pos = 0;
		CHECK_EQ(cer_ur_cbor_get_head(b, 9, &pos, CER_UR_CBOR_BYTES, &v), CUSTOS_EFORMAT);
	}
	b[0] = 0x18; /* 24 with a one-byte argument below 24 */
	b[1] = 0x17;
	pos = 0;
	CHECK_EQ(cer_ur_cbor_get_head(b, 2, &pos, CER_UR_CBOR_UINT, &v), CUSTOS_EFORMAT);
}

static void
test_cbor_bytes(void)
{
	static const uint8_t ok[] = {0x43, 'a', 'b', 'c'};
	static const uint8_t over[] = {0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 'a'};
	static const uint8_t short1[] = {0x44, 'a', 'b', 'c'};
	uint8_t *w = NULL;
	const uint8_t *d = (const uint8_t *)"x";
	size_t pos = 0, dl = 9, wl;

	CHECK_EQ(cer_ur_cbor_get_bytes(ok, sizeof(ok), &pos, &d, &dl), 0);
	CHECK(pos == 4 && dl == 3 && d == ok + 1);
	pos = 0;
	CHECK_EQ(cer_ur_cbor_get_bytes(over, sizeof(over), &pos, &d, &dl), CUSTOS_EFORMAT);
	CHECK(pos == 0 && d == NULL && dl == 0);
	CHECK_EQ(cer_ur_cbor_get_bytes(short1, sizeof(short1), &pos, &d, &dl), CUSTOS_EFORMAT);
	CHECK_EQ(cer_ur_cbor_unwrap_bytes(ok, sizeof(ok), &d, &dl), 0);
	CHECK_EQ(cer_ur_cbor_unwrap_bytes(ok, sizeof(ok) - 1, &d, &dl), CUSTOS_EFORMAT);
	CHECK_EQ(cer_ur_cbor_wrap_bytes((const uint8_t *)"abc", 3, &w, &wl), 0);
	CHECK(w != NULL && wl == 4 && memcmp(w, ok, 4) == 0);
	free(w);
	CHECK_EQ(cer_ur_cbor_wrap_bytes(NULL, 0, &w, &wl), 0);
	CHECK(w != NULL && wl == 1 && w[0] == 0x40);
	free(w);
}

/* --- fountain parts ---------------------------------------------------------- */

static void
test_part_cbor(void)
{
	uint8_t data[29], *cbor = NULL;
	struct cer_fountain_part p = {12, 9, 259, 0xdeadbeef, data, sizeof(data)}, q;
	size_t len, cut;

	memset(data, 0xa5, sizeof(data));
	CHECK_EQ(cer_fountain_part_to_cbor(&p, &cbor, &len), 0);
	if (cbor == NULL)
		return;
	CHECK_EQ(len, 1 + 1 + 1 + 3 + 5 + 2 + 29);
	CHECK_EQ(cer_fountain_part_from_cbor(cbor, len, &q), 0);
	CHECK(q.seq_num == 12 && q.seq_len == 9 && q.message_len == 259 &&
	      q.checksum == 0xdeadbeef && q.data_len == 29 && q.data == cbor + len - 29);
	for (cut = 0; cut < len; cut++) {
		CHECK_EQ(cer_fountain_part_from_cbor(cbor, cut, &q), CUSTOS_EFORMAT);
		CHECK(q.data == NULL && q.seq_num == 0);
	}
	cbor[0] = 0x86; /* array of 6 */
	CHECK_EQ(cer_fountain_part_from_cbor(cbor, len, &q), CUSTOS_EFORMAT);
	cbor[0] = 0x85;
	cbor[1] = 0x41; /* a byte string where seqNum belongs */
	CHECK_EQ(cer_fountain_part_from_cbor(cbor, len, &q), CUSTOS_EFORMAT);
	free(cbor);
}

static void
test_part_check(void)
{
	uint8_t data[30] = {0};
	struct cer_fountain_part ok = {1, 9, 259, 1, data, 29}, p;

	CHECK_EQ(cer_fountain_part_check(&ok), 0);
	p = ok, p.seq_num = 0;
	CHECK_EQ(cer_fountain_part_check(&p), CUSTOS_EFORMAT);
	p = ok, p.seq_len = 0;
	CHECK_EQ(cer_fountain_part_check(&p), CUSTOS_EFORMAT);
	p = ok, p.seq_len = 10;
	CHECK_EQ(cer_fountain_part_check(&p), CUSTOS_EFORMAT);
	p = ok, p.data_len = 30; /* 259 / 30 makes 9 too: fine */
	CHECK_EQ(cer_fountain_part_check(&p), 0);
	p = ok, p.data_len = 28; /* 10 parts */
	CHECK_EQ(cer_fountain_part_check(&p), CUSTOS_EFORMAT);
	p = ok, p.message_len = 0;
	CHECK_EQ(cer_fountain_part_check(&p), CUSTOS_EFORMAT);
	p = ok, p.seq_len = (uint32_t)CER_FOUNTAIN_MAX_SEQ_LEN + 1;
	CHECK_EQ(cer_fountain_part_check(&p), CUSTOS_ETOOBIG);
	p = ok, p.message_len = (uint32_t)CER_FOUNTAIN_MAX_MESSAGE + 1;
	CHECK_EQ(cer_fountain_part_check(&p), CUSTOS_ETOOBIG);
	p = ok, p.seq_num = UINT32_MAX; /* any seqNum beyond seqLen is a fountain part */
	CHECK_EQ(cer_fountain_part_check(&p), 0);
}

/* --- chooser ------------------------------------------------------------------- */

/* bc-ur's shuffle, transcribed directly: draw, erase, repeat. */
static void
reference_shuffle(struct cer_xoshiro *x, size_t n, size_t take, uint32_t *out)
{
	uint32_t *rem = malloc(n * sizeof(*rem));
	size_t i, k, left = n;

	for (i = 0; i < n; i++)
		rem[i] = (uint32_t)i;
	for (k = 0; k < take; k++) {
		i = (size_t)cer_xoshiro_next_int(x, 0, left - 1);
		out[k] = rem[i];
		memmove(rem + i, rem + i + 1, (left - i - 1) * sizeof(*rem));
		left--;
	}
	free(rem);
}

static void
test_chooser_matches_reference_shuffle(void)
{
	static const size_t lens[] = {1, 2, 9, 100, 1000, 4097};
	struct cer_fountain_chooser *c = NULL;
	struct cer_xoshiro x;
	uint32_t *idx, *ref, seq, crc = 0x1a2b3c4d;
	uint8_t seed[8], *seen;
	size_t li, n, i, k;

	for (li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		n = lens[li];
		idx = calloc(n, sizeof(*idx));
		ref = calloc(n, sizeof(*ref));
		seen = calloc(n, 1);
		CHECK_EQ(cer_fountain_chooser_new(n, &c), 0);
		if (c == NULL || idx == NULL || ref == NULL || seen == NULL)
			abort();
		for (seq = 1; seq <= n + 200; seq++) {
			CHECK_EQ(cer_fountain_choose(c, seq, crc, idx, &k), 0);
			if (seq <= n) {
				CHECK(k == 1 && idx[0] == seq - 1);
				continue;
			}
			CHECK(k >= 1 && k <= n);
			memset(seen, 0, n);
			for (i = 0; i < k; i++) {
				CHECK(idx[i] < n && !seen[idx[i]]);
				seen[idx[i] < n ? idx[i] : 0] = 1;
			}
			for (i = 0; i < 4; i++) {
				seed[i] = (uint8_t)(seq >> (24 - 8 * i));
				seed[4 + i] = (uint8_t)(crc >> (24 - 8 * i));
			}
			CHECK_EQ(cer_xoshiro_seed(&x, seed, 8), 0);
			(void)cer_xoshiro_next(&x); /* the degree's two draws */
			(void)cer_xoshiro_next(&x);
			reference_shuffle(&x, n, k, ref);
			CHECK_MEM(idx, ref, k * sizeof(*idx));
		}
		CHECK_EQ(cer_fountain_choose(c, 0, crc, idx, &k), CUSTOS_EINVAL);
		cer_fountain_chooser_free(c);
		c = NULL;
		free(idx);
		free(ref);
		free(seen);
	}
	CHECK_EQ(cer_fountain_chooser_new(0, &c), CUSTOS_EINVAL);
	CHECK_EQ(cer_fountain_chooser_new(CER_FOUNTAIN_MAX_SEQ_LEN + 1, &c), CUSTOS_EINVAL);
	CHECK(c == NULL);
	cer_fountain_chooser_free(NULL);
}

/* Degrees follow weights 1/d: P(d) = (1/d) / H(n). */
static void
test_degree_distribution(void)
{
	enum { N = 50, SAMPLES = 40000 };
	struct cer_fountain_chooser *c = NULL;
	uint32_t idx[N], seq;
	size_t counts[N + 1] = {0}, k, d;
	double h = 0, expect, var, dev;

	CHECK_EQ(cer_fountain_chooser_new(N, &c), 0);
	if (c == NULL)
		return;
	for (seq = N + 1; seq <= N + SAMPLES; seq++) {
		CHECK_EQ(cer_fountain_choose(c, seq, 0xcafe, idx, &k), 0);
		counts[k <= N ? k : 0]++;
	}
	CHECK_EQ(counts[0], 0);
	for (d = 1; d <= N; d++)
		h += 1.0 / (double)d;
	for (d = 1; d <= 5; d++) { /* the common degrees, within five standard deviations */
		expect = SAMPLES * (1.0 / (double)d) / h;
		var = expect * (1 - expect / SAMPLES);
		dev = (double)counts[d] - expect;
		CHECK(dev * dev < 25 * var);
	}
	CHECK(counts[N] > 0); /* every fragment at once happens too */
	cer_fountain_chooser_free(c);
}

/* --- fountain encoder and decoder on their own ------------------------------------ */

static void
test_fountain_decoder(void)
{
	uint8_t msg[1000], other[1000];
	const uint8_t *out;
	struct cer_fountain_encoder *e = NULL;
	struct cer_fountain_decoder *d = NULL;
	struct cer_fountain_part p;
	size_t i, known, needed, len;

	for (i = 0; i < sizeof(msg); i++) {
		msg[i] = (uint8_t)(i * 7 + 3);
		other[i] = (uint8_t)(i * 5 + 1);
	}
	CHECK_EQ(cer_fountain_encoder_new(msg, sizeof(msg), 64, 10, UINT32_MAX - 1, &e), 0);
	CHECK_EQ(cer_fountain_decoder_new(&d), 0);
	if (e == NULL || d == NULL)
		goto out;
	CHECK_EQ(cer_fountain_encoder_seq_len(e), 16);
	CHECK_EQ(cer_fountain_encoder_fragment_len(e), 63);
	CHECK_EQ(cer_fountain_encoder_next(e, &p), 0);
	CHECK_EQ(p.seq_num, UINT32_MAX);
	CHECK_EQ(cer_fountain_decoder_receive(d, &p), 0);
	CHECK_EQ(cer_fountain_encoder_next(e, &p), 0);
	CHECK_EQ(p.seq_num, 1); /* wrapped, skipping 0 */
	CHECK(p.data_len == 63 && memcmp(p.data, msg, 63) == 0);
	CHECK_EQ(cer_fountain_decoder_message(d, &out, &len), CUSTOS_EINVAL);
	CHECK_EQ(cer_fountain_decoder_receive_whole(d, other, sizeof(other)), CUSTOS_EMISMATCH);
	CHECK_EQ(cer_fountain_decoder_receive_whole(d, msg, 999), CUSTOS_EMISMATCH);
	for (i = 0; i < 200 && !cer_fountain_decoder_is_complete(d); i++) {
		CHECK_EQ(cer_fountain_encoder_next(e, &p), 0);
		if (p.seq_num % 3 != 0) /* a lossy channel */
			CHECK_EQ(cer_fountain_decoder_receive(d, &p), 0);
	}
	cer_fountain_decoder_progress(d, &known, &needed);
	CHECK(known == 16 && needed == 16);
	CHECK_EQ(cer_fountain_decoder_message(d, &out, &len), 0);
	CHECK(len == sizeof(msg) && out != NULL && memcmp(out, msg, len) == 0);
	CHECK_EQ(cer_fountain_decoder_receive_whole(d, msg, sizeof(msg)), 0);
	CHECK_EQ(cer_fountain_decoder_receive_whole(d, other, sizeof(other)), CUSTOS_EMISMATCH);
out:
	cer_fountain_encoder_free(e);
	cer_fountain_decoder_free(d);
	cer_fountain_encoder_free(NULL);
	cer_fountain_decoder_free(NULL);
}

/* Many fragments, only fountain parts, arriving in a burst: the store and the peeling cope. */
static void
test_fountain_only_large(void)
{
	size_t len = 200000, i, known, needed, fed = 0;
	uint8_t *msg = malloc(len);
	const uint8_t *out;
	struct cer_fountain_encoder *e = NULL;
	struct cer_fountain_decoder *d = NULL;
	struct cer_fountain_part p;

	for (i = 0; i < len; i++)
		msg[i] = (uint8_t)(i ^ (i >> 8) ^ (i >> 16));
	CHECK_EQ(cer_fountain_encoder_new(msg, len, 100, 10, 1u << 20, &e), 0);
	CHECK_EQ(cer_fountain_decoder_new(&d), 0);
	if (e == NULL || d == NULL)
		goto out;
	CHECK_EQ(cer_fountain_encoder_seq_len(e), 2000);
	while (!cer_fountain_decoder_is_complete(d) && fed < 20000) {
		CHECK_EQ(cer_fountain_encoder_next(e, &p), 0);
		CHECK_EQ(cer_fountain_decoder_receive(d, &p), 0);
		fed++;
	}
	printf("fountain only: 2000 fragments recovered from %zu mixed parts\n", fed);
	cer_fountain_decoder_progress(d, &known, &needed);
	CHECK(known == 2000 && needed == 2000);
	CHECK(fed < 4 * 2000);
	CHECK_EQ(cer_fountain_decoder_message(d, &out, &len), 0);
	CHECK(len == 200000 && out != NULL && memcmp(out, msg, len) == 0);
out:
	cer_fountain_encoder_free(e);
	cer_fountain_decoder_free(d);
	free(msg);
}

int
main(void)
{
	RUN(test_word_list);
	RUN(test_bytewords_all_bytes);
	RUN(test_bytewords_refusals);
	RUN(test_cbor_heads);
	RUN(test_cbor_bytes);
	RUN(test_part_cbor);
	RUN(test_part_check);
	RUN(test_chooser_matches_reference_shuffle);
	RUN(test_degree_distribution);
	RUN(test_fountain_decoder);
	RUN(test_fountain_only_large);
	return HARNESS_END();
}
