/*
 * cer_fountain: PRNG, fragment choice, part format and encoder of the
 * fountain code (see the header for the scheme and the invariants; the
 * decoder is in cer_fountain_dec.c).
 *
 * Interoperability hangs on reproducing the reference bit for bit, floats
 * included: the degree weights are summed left to right, scaled as
 * w * n / sum, and the alias tables are built with the reference's stack
 * order.  The shuffle's remaining indices are kept in a Fenwick tree, so
 * drawing `degree` of them costs O(seqLen + degree log seqLen) instead of the
 * reference's O(seqLen^2) erasures; only the first `degree` draws matter, and
 * the generator is dropped after them, so the result is the same.
 */
#include "ceremony/cer_fountain.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_bytewords.h"
#include "ceremony/cer_ur_cbor.h"

/* --- Xoshiro256** ---------------------------------------------------------- */

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

int
cer_xoshiro_seed(struct cer_xoshiro *x, const uint8_t *seed, size_t len)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	int i, j;

	memset(x, 0, sizeof(*x));
	if (crypto_hash_sha256(h, seed, len) != 0)
		return custos_err_set(CUSTOS_ECRYPTO, "SHA-256 failed");
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 8; j++)
			x->s[i] = x->s[i] << 8 | h[8 * i + j];
	}
	return 0;
}

uint64_t
cer_xoshiro_next(struct cer_xoshiro *x)
{
	uint64_t *s = x->s;
	const uint64_t result = rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
cer_xoshiro_next_double(struct cer_xoshiro *x)
{
	/* (double)UINT64_MAX + 1 == 2^64 exactly; the conversion of next() rounds. */
	return (double)cer_xoshiro_next(x) / 18446744073709551616.0;
}

uint64_t
cer_xoshiro_next_int(struct cer_xoshiro *x, uint64_t lo, uint64_t hi)
{
	return (uint64_t)(cer_xoshiro_next_double(x) * (double)(hi - lo + 1)) + lo;
}

/* --- fragment length ------------------------------------------------------- */

int
cer_fountain_fragment_len(size_t message_len, size_t min_len, size_t max_len, size_t *out)
{
	size_t count, max_count, len;

	*out = 0;
	if (message_len == 0 || min_len == 0 || max_len < min_len)
		return custos_err_set(CUSTOS_EINVAL,
		                      "fragment length: message %zu, min %zu, max %zu", message_len,
		                      min_len, max_len);
	/* The reference loops over 1 .. L / min; when that is empty, L < min <= max. */
	max_count = message_len / min_len;
	if (max_count == 0)
		max_count = 1;
	for (count = 1; count <= max_count; count++) {
		len = message_len / count + (message_len % count != 0);
		if (len <= max_len) {
			*out = len;
			return 0;
		}
	}
	return custos_err_set(CUSTOS_EINVAL,
	                      "no fragment length in %zu..%zu splits %zu bytes evenly", min_len,
	                      max_len, message_len);
}

/* --- degree sampler and shuffle ------------------------------------------- */

struct cer_fountain_chooser {
	size_t n;
	double *probs;   /* alias method: keep column i when r2 < probs[i] */
	uint32_t *alias; /* ... else take alias[i] */
	uint32_t *tree;  /* Fenwick tree over the n indices still in the shuffle */
};

void
cer_fountain_chooser_free(struct cer_fountain_chooser *c)
{
	if (c == NULL)
		return;
	free(c->probs);
	free(c->alias);
	free(c->tree);
	free(c);
}

/* Vose's alias tables for weights 1/1 .. 1/n, exactly as the reference builds them. */
static void
build_alias(size_t n, double *P, uint32_t *S, uint32_t *L, double *probs, uint32_t *alias)
{
	size_t i, ns = 0, nl = 0;
	double sum = 0.0;
	uint32_t a, g;

	for (i = 1; i <= n; i++)
		sum += 1.0 / (double)i;
	for (i = 0; i < n; i++)
		P[i] = (1.0 / (double)(i + 1)) * (double)n / sum;
	for (i = n; i-- > 0;) { /* the reference pushes indices in reverse */
		if (P[i] < 1)
			S[ns++] = (uint32_t)i;
		else
			L[nl++] = (uint32_t)i;
	}
	for (i = 0; i < n; i++) {
		probs[i] = 0;
		alias[i] = 0;
	}
	while (ns > 0 && nl > 0) {
		a = S[--ns];
		g = L[--nl];
		probs[a] = P[a];
		alias[a] = g;
		P[g] += P[a] - 1;
		if (P[g] < 1)
			S[ns++] = g;
		else
			L[nl++] = g;
	}
	while (nl > 0)
		probs[L[--nl]] = 1;
	while (ns > 0) /* only through rounding */
		probs[S[--ns]] = 1;
}

int
cer_fountain_chooser_new(size_t seq_len, struct cer_fountain_chooser **out)
{
	struct cer_fountain_chooser *c = NULL;
	double *P = NULL;
	uint32_t *S = NULL, *L = NULL;
	int r = CUSTOS_ENOMEM;

	*out = NULL;
	if (seq_len == 0 || seq_len > CER_FOUNTAIN_MAX_SEQ_LEN)
		return custos_err_set(CUSTOS_EINVAL, "sequence length %zu out of range", seq_len);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto out;
	c->n = seq_len;
	c->probs = calloc(seq_len, sizeof(*c->probs));
	c->alias = calloc(seq_len, sizeof(*c->alias));
	c->tree = calloc(seq_len + 1, sizeof(*c->tree));
	P = calloc(seq_len, sizeof(*P));
	S = calloc(seq_len, sizeof(*S));
	L = calloc(seq_len, sizeof(*L));
	if (c->probs == NULL || c->alias == NULL || c->tree == NULL || P == NULL || S == NULL ||
	    L == NULL)
		goto out;
	build_alias(seq_len, P, S, L, c->probs, c->alias);
	*out = c;
	c = NULL; /* transferred */
	r = 0;
out:
	if (r != 0)
		r = custos_err_set(r, "degree tables for %zu fragments", seq_len);
	cer_fountain_chooser_free(c);
	free(P);
	free(S);
	free(L);
	return r;
}

/* The k-th (0-based) index still in the tree; removes it. */
static uint32_t
tree_take(struct cer_fountain_chooser *c, size_t k)
{
	size_t n = c->n, pos = 0, step = 1, i;
	uint32_t want = (uint32_t)k + 1;

	while (step * 2 <= n)
		step *= 2;
	for (; step > 0; step /= 2) {
		if (pos + step <= n && c->tree[pos + step] < want) {
			pos += step;
			want -= c->tree[pos];
		}
	}
	for (i = pos + 1; i <= n; i += i & (~i + 1))
		c->tree[i]--;
	return (uint32_t)pos;
}

int
cer_fountain_choose(struct cer_fountain_chooser *c, uint32_t seq_num, uint32_t checksum,
                    uint32_t *idx, size_t *n)
{
	struct cer_xoshiro x;
	uint8_t seed[8];
	size_t degree, col, k, i, left;
	double r1, r2;
	int r;

	*n = 0;
	if (seq_num == 0)
		return custos_err_set(CUSTOS_EINVAL, "sequence number 0");
	if (seq_num <= c->n) {
		idx[0] = seq_num - 1;
		*n = 1;
		return 0;
	}
	for (i = 0; i < 4; i++) {
		seed[i] = (uint8_t)(seq_num >> (24 - 8 * i));
		seed[4 + i] = (uint8_t)(checksum >> (24 - 8 * i));
	}
	if ((r = cer_xoshiro_seed(&x, seed, sizeof(seed))) != 0)
		return r;
	r1 = cer_xoshiro_next_double(&x);
	r2 = cer_xoshiro_next_double(&x);
	col = (size_t)((double)c->n * r1);
	if (col >= c->n) /* r1 rounded up to 1.0; undefined in the reference */
		col = c->n - 1;
	degree = (r2 < c->probs[col] ? col : c->alias[col]) + 1;
	for (i = 1; i <= c->n; i++)
		c->tree[i] = (uint32_t)(i & (~i + 1));
	for (k = 0; k < degree; k++) {
		left = c->n - k;
		i = (size_t)cer_xoshiro_next_int(&x, 0, left - 1);
		idx[k] = tree_take(c, i < left ? i : left - 1);
	}
	*n = degree;
	return 0;
}

/* --- parts ------------------------------------------------------------------ */

int
cer_fountain_part_check(const struct cer_fountain_part *p)
{
	size_t want;

	if (p->seq_num == 0)
		return custos_err_set(CUSTOS_EFORMAT, "part has sequence number 0");
	if (p->seq_len == 0)
		return custos_err_set(CUSTOS_EFORMAT, "part has sequence length 0");
	if (p->seq_len > CER_FOUNTAIN_MAX_SEQ_LEN)
		return custos_err_set(CUSTOS_ETOOBIG, "sequence length %u is over the limit of %zu",
		                      (unsigned)p->seq_len, CER_FOUNTAIN_MAX_SEQ_LEN);
	if (p->message_len == 0)
		return custos_err_set(CUSTOS_EFORMAT, "part has message length 0");
	if (p->message_len > CER_FOUNTAIN_MAX_MESSAGE)
		return custos_err_set(CUSTOS_ETOOBIG, "message length %u is over the limit of %zu",
		                      (unsigned)p->message_len, CER_FOUNTAIN_MAX_MESSAGE);
	if (p->data_len == 0 || p->data_len > p->message_len)
		return custos_err_set(CUSTOS_EFORMAT, "fragment of %zu bytes for a %u-byte message",
		                      p->data_len, (unsigned)p->message_len);
	want = p->message_len / p->data_len + (p->message_len % p->data_len != 0);
	if (want != p->seq_len)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "%u bytes in fragments of %zu make %zu parts, header says %u",
		                      (unsigned)p->message_len, p->data_len, want,
		                      (unsigned)p->seq_len);
	return 0;
}

int
cer_fountain_part_to_cbor(const struct cer_fountain_part *p, uint8_t **cbor, size_t *len)
{
	size_t n, pos = 0;
	uint8_t *b;

	*cbor = NULL;
	*len = 0;
	if (p->data_len > SIZE_MAX - 6 * CER_UR_CBOR_HEAD_MAX)
		return custos_err_set(CUSTOS_ETOOBIG, "fragment of %zu bytes", p->data_len);
	n = 6 * CER_UR_CBOR_HEAD_MAX + p->data_len;
	if ((b = malloc(n)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "part of %zu bytes", p->data_len);
	pos += cer_ur_cbor_put_head(b + pos, CER_UR_CBOR_ARRAY, 5);
	pos += cer_ur_cbor_put_head(b + pos, CER_UR_CBOR_UINT, p->seq_num);
	pos += cer_ur_cbor_put_head(b + pos, CER_UR_CBOR_UINT, p->seq_len);
	pos += cer_ur_cbor_put_head(b + pos, CER_UR_CBOR_UINT, p->message_len);
	pos += cer_ur_cbor_put_head(b + pos, CER_UR_CBOR_UINT, p->checksum);
	pos += cer_ur_cbor_put_head(b + pos, CER_UR_CBOR_BYTES, p->data_len);
	if (p->data_len > 0)
		memcpy(b + pos, p->data, p->data_len);
	*cbor = b;
	*len = pos + p->data_len;
	return 0;
}

/* Reads an unsigned integer field no larger than max. */
static int
get_uint(const uint8_t *buf, size_t len, size_t *pos, uint64_t max, const char *what, uint64_t *v)
{
	int r;

	if ((r = cer_ur_cbor_get_head(buf, len, pos, CER_UR_CBOR_UINT, v)) != 0)
		return r;
	if (*v > max)
		return custos_err_set(CUSTOS_ETOOBIG, "part %s %llu is too large", what,
		                      (unsigned long long)*v);
	return 0;
}

int
cer_fountain_part_from_cbor(const uint8_t *cbor, size_t len, struct cer_fountain_part *p)
{
	uint64_t n, num, slen, mlen, crc;
	size_t pos = 0;
	int r;

	memset(p, 0, sizeof(*p));
	if ((r = cer_ur_cbor_get_head(cbor, len, &pos, CER_UR_CBOR_ARRAY, &n)) != 0)
		goto fail;
	if (n != 5) {
		r = custos_err_set(CUSTOS_EFORMAT, "part is an array of %llu items, not 5",
		                   (unsigned long long)n);
		goto fail;
	}
	if ((r = get_uint(cbor, len, &pos, UINT32_MAX, "sequence number", &num)) != 0 ||
	    (r = get_uint(cbor, len, &pos, CER_FOUNTAIN_MAX_SEQ_LEN, "sequence length", &slen)) !=
	            0 ||
	    (r = get_uint(cbor, len, &pos, CER_FOUNTAIN_MAX_MESSAGE, "message length", &mlen)) !=
	            0 ||
	    (r = get_uint(cbor, len, &pos, UINT32_MAX, "checksum", &crc)) != 0)
		goto fail;
	if ((r = cer_ur_cbor_get_bytes(cbor, len, &pos, &p->data, &p->data_len)) != 0)
		goto fail;
	if (pos != len) {
		r = custos_err_set(CUSTOS_EFORMAT, "%zu bytes follow the part", len - pos);
		goto fail;
	}
	p->seq_num = (uint32_t)num;
	p->seq_len = (uint32_t)slen;
	p->message_len = (uint32_t)mlen;
	p->checksum = (uint32_t)crc;
	if ((r = cer_fountain_part_check(p)) != 0)
		goto fail;
	return 0;
fail:
	memset(p, 0, sizeof(*p));
	return r;
}

/* --- encoder ---------------------------------------------------------------- */

struct cer_fountain_encoder {
	size_t message_len, frag_len, seq_len;
	uint32_t checksum, seq_num;
	uint8_t *frags; /* seq_len * frag_len, zero-padded */
	uint8_t *mix;   /* frag_len: the part being handed out */
	uint32_t *idx;  /* seq_len */
	struct cer_fountain_chooser *chooser;
};

void
cer_fountain_encoder_free(struct cer_fountain_encoder *e)
{
	if (e == NULL)
		return;
	free(e->frags);
	free(e->mix);
	free(e->idx);
	cer_fountain_chooser_free(e->chooser);
	free(e);
}

int
cer_fountain_encoder_new(const uint8_t *msg, size_t len, size_t max_fragment_len,
                         size_t min_fragment_len, uint32_t first_seq_num,
                         struct cer_fountain_encoder **out)
{
	struct cer_fountain_encoder *e = NULL;
	size_t frag_len, seq_len;
	int r;

	*out = NULL;
	if (len == 0)
		return custos_err_set(CUSTOS_EINVAL, "empty message");
	if (len > CER_FOUNTAIN_MAX_MESSAGE)
		return custos_err_set(CUSTOS_ETOOBIG,
		                      "message of %zu bytes is over the limit of %zu", len,
		                      CER_FOUNTAIN_MAX_MESSAGE);
	if ((r = cer_fountain_fragment_len(len, min_fragment_len, max_fragment_len, &frag_len)) !=
	    0)
		return r;
	seq_len = len / frag_len + (len % frag_len != 0);
	if (seq_len > CER_FOUNTAIN_MAX_SEQ_LEN)
		return custos_err_set(CUSTOS_ETOOBIG,
		                      "%zu fragments of %zu bytes are over the limit of %zu parts",
		                      seq_len, frag_len, CER_FOUNTAIN_MAX_SEQ_LEN);
	if ((e = calloc(1, sizeof(*e))) == NULL || (e->frags = calloc(seq_len, frag_len)) == NULL ||
	    (e->mix = malloc(frag_len)) == NULL ||
	    (e->idx = calloc(seq_len, sizeof(*e->idx))) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "encoder for %zu bytes", len);
		goto out;
	}
	if ((r = cer_fountain_chooser_new(seq_len, &e->chooser)) != 0)
		goto out;
	memcpy(e->frags, msg, len);
	e->message_len = len;
	e->frag_len = frag_len;
	e->seq_len = seq_len;
	e->checksum = cer_crc32(msg, len);
	e->seq_num = first_seq_num;
	*out = e;
	e = NULL; /* transferred */
	r = 0;
out:
	cer_fountain_encoder_free(e);
	return r;
}

int
cer_fountain_encoder_next(struct cer_fountain_encoder *e, struct cer_fountain_part *p)
{
	size_t n, i, j;
	const uint8_t *f;
	int r;

	memset(p, 0, sizeof(*p));
	e->seq_num = e->seq_num == UINT32_MAX ? 1 : e->seq_num + 1;
	if ((r = cer_fountain_choose(e->chooser, e->seq_num, e->checksum, e->idx, &n)) != 0)
		return r;
	memset(e->mix, 0, e->frag_len);
	for (i = 0; i < n; i++) {
		f = e->frags + (size_t)e->idx[i] * e->frag_len;
		for (j = 0; j < e->frag_len; j++)
			e->mix[j] ^= f[j];
	}
	p->seq_num = e->seq_num;
	p->seq_len = (uint32_t)e->seq_len;
	p->message_len = (uint32_t)e->message_len;
	p->checksum = e->checksum;
	p->data = e->mix;
	p->data_len = e->frag_len;
	return 0;
}

size_t
cer_fountain_encoder_seq_len(const struct cer_fountain_encoder *e)
{
	return e->seq_len;
}

size_t
cer_fountain_encoder_fragment_len(const struct cer_fountain_encoder *e)
{
	return e->frag_len;
}
