/*
 * cer_fountain_dec: the fountain-code decoder (see cer_fountain.h).
 *
 * A peeling decoder, as the reference's: a part whose unknown fragments come
 * down to one gives that fragment; every fragment learnt is XORed out of the
 * stored mixed parts, which may free more.  Mixed parts also reduce each other
 * when one's set of fragments is a strict subset of another's.
 *
 * Invariants: a fragment is "known" exactly when its bytes are in frags; the
 * queue holds the known fragments not yet XORed out of the mixed parts, each
 * at most once; a stored mixed part has degree >= 2 and its bitmap has exactly
 * `degree` bits set; the store never holds more than max_mixed parts (when it
 * is full, the part of highest degree, the least useful, is dropped).
 */
#include "ceremony/cer_fountain.h"

#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_bytewords.h"

enum dec_state { DEC_EMPTY, DEC_ACTIVE, DEC_COMPLETE, DEC_FAILED };

struct mixed {
	uint64_t *bits; /* fragments still mixed in; data follows in the same block */
	uint8_t *data;  /* frag_len bytes */
	size_t degree;
};

struct cer_fountain_decoder {
	enum dec_state state;
	size_t seq_len; /* 0 when the message came whole */
	size_t message_len, frag_len;
	uint32_t checksum;
	size_t words;   /* uint64_t per bitmap */
	uint8_t *frags; /* seq_len * frag_len (or message_len when whole) */
	uint8_t *known; /* seq_len flags */
	size_t nknown;
	uint32_t *queue; /* seq_len */
	size_t qlen;
	uint32_t *idx; /* seq_len: chooser output */
	struct cer_fountain_chooser *chooser;
	struct mixed *mixed; /* max_mixed slots */
	size_t nmixed, max_mixed;
	size_t store_limit; /* 0, or the test hook's cap on max_mixed */
	struct mixed work;  /* the incoming part */
};

static void
mixed_free(struct mixed *m)
{
	free(m->bits);
	m->bits = NULL;
	m->data = NULL;
	m->degree = 0;
}

static int
mixed_alloc(const struct cer_fountain_decoder *d, struct mixed *m)
{
	m->degree = 0;
	if ((m->bits = calloc(1, d->words * sizeof(uint64_t) + d->frag_len)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "fountain part store");
	m->data = (uint8_t *)(m->bits + d->words);
	return 0;
}

/* Frees the working state of an active decode (keeps frags and the header). */
static void
drop_work(struct cer_fountain_decoder *d)
{
	size_t i;

	for (i = 0; i < d->nmixed; i++)
		mixed_free(&d->mixed[i]);
	free(d->mixed);
	d->mixed = NULL;
	d->nmixed = d->max_mixed = 0;
	mixed_free(&d->work);
	free(d->known);
	free(d->queue);
	free(d->idx);
	d->known = NULL;
	d->queue = d->idx = NULL;
	cer_fountain_chooser_free(d->chooser);
	d->chooser = NULL;
}

void
cer_fountain_decoder_free(struct cer_fountain_decoder *d)
{
	if (d == NULL)
		return;
	drop_work(d);
	free(d->frags);
	free(d);
}

int
cer_fountain_decoder_new(struct cer_fountain_decoder **out)
{
	if ((*out = calloc(1, sizeof(**out))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "fountain decoder");
	return 0;
}

/* Fixes the message's header from its first part and allocates for it. */
static int
start(struct cer_fountain_decoder *d, const struct cer_fountain_part *p)
{
	size_t per, cap;
	int r;

	d->seq_len = p->seq_len;
	d->message_len = p->message_len;
	d->frag_len = p->data_len;
	d->checksum = p->checksum;
	d->words = (d->seq_len + 63) / 64;
	/* seq_len * frag_len < message_len + frag_len <= 2 * CER_FOUNTAIN_MAX_MESSAGE */
	per = sizeof(struct mixed) + d->words * sizeof(uint64_t) + d->frag_len;
	cap = CER_FOUNTAIN_MIXED_BUDGET / per;
	d->max_mixed = cap < 4 ? 4 : cap > 4 * d->seq_len + 64 ? 4 * d->seq_len + 64 : cap;
	if (d->store_limit != 0 && d->store_limit < d->max_mixed)
		d->max_mixed = d->store_limit;
	if ((d->frags = calloc(d->seq_len, d->frag_len)) == NULL ||
	    (d->known = calloc(d->seq_len, 1)) == NULL ||
	    (d->queue = calloc(d->seq_len, sizeof(*d->queue))) == NULL ||
	    (d->idx = calloc(d->seq_len, sizeof(*d->idx))) == NULL ||
	    (d->mixed = calloc(d->max_mixed, sizeof(*d->mixed))) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "decoder for a %zu-byte message", d->message_len);
		goto fail;
	}
	if ((r = mixed_alloc(d, &d->work)) != 0 ||
	    (r = cer_fountain_chooser_new(d->seq_len, &d->chooser)) != 0)
		goto fail;
	d->state = DEC_ACTIVE;
	return 0;
fail:
	drop_work(d);
	free(d->frags);
	d->frags = NULL;
	d->seq_len = d->message_len = d->frag_len = d->words = 0;
	d->checksum = 0;
	return r;
}

static int
same_message(const struct cer_fountain_decoder *d, const struct cer_fountain_part *p)
{
	if (p->message_len != d->message_len || p->checksum != d->checksum)
		return custos_err_set(
		        CUSTOS_EMISMATCH,
		        "part of a %u-byte message with CRC-32 %08x, the decoder holds "
		        "a %zu-byte message with CRC-32 %08x",
		        (unsigned)p->message_len, (unsigned)p->checksum, d->message_len,
		        (unsigned)d->checksum);
	if (d->state == DEC_ACTIVE && (p->seq_len != d->seq_len || p->data_len != d->frag_len))
		return custos_err_set(
		        CUSTOS_EMISMATCH,
		        "part cut into %u fragments of %zu bytes, the decoder has %zu "
		        "of %zu",
		        (unsigned)p->seq_len, p->data_len, d->seq_len, d->frag_len);
	return 0;
}

static void
xor_into(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] ^= src[i];
}

static int
bit_get(const uint64_t *b, size_t i)
{
	return (int)(b[i / 64] >> (i % 64) & 1);
}

static void
bit_flip(uint64_t *b, size_t i)
{
	b[i / 64] ^= (uint64_t)1 << (i % 64);
}

/* The lowest set bit of a bitmap known not to be empty. */
static size_t
bit_first(const uint64_t *b, size_t words)
{
	size_t w;

	for (w = 0; w < words && b[w] == 0; w++)
		;
	return w * 64 + (size_t)__builtin_ctzll(b[w]);
}

/* 1 when a's fragments are a strict subset of b's. */
static int
strict_subset(const struct cer_fountain_decoder *d, const struct mixed *a, const struct mixed *b)
{
	size_t w;

	if (a->degree >= b->degree)
		return 0;
	for (w = 0; w < d->words; w++) {
		if ((a->bits[w] & ~b->bits[w]) != 0)
			return 0;
	}
	return 1;
}

/* b -= a, for a a strict subset of b. */
static void
reduce(const struct cer_fountain_decoder *d, struct mixed *b, const struct mixed *a)
{
	size_t w;

	for (w = 0; w < d->words; w++)
		b->bits[w] &= ~a->bits[w];
	b->degree -= a->degree;
	xor_into(b->data, a->data, d->frag_len);
}

/* Records fragment i (if new) and queues it for reduction. */
static void
learn(struct cer_fountain_decoder *d, size_t i, const uint8_t *data)
{
	if (d->known[i])
		return;
	memcpy(d->frags + i * d->frag_len, data, d->frag_len);
	d->known[i] = 1;
	d->nknown++;
	d->queue[d->qlen++] = (uint32_t)i;
}

static void
remove_mixed(struct cer_fountain_decoder *d, size_t k)
{
	mixed_free(&d->mixed[k]);
	d->mixed[k] = d->mixed[--d->nmixed];
	memset(&d->mixed[d->nmixed], 0, sizeof(d->mixed[d->nmixed]));
}

/* XORs every queued fragment out of the mixed parts, learning what falls out. */
static void
propagate(struct cer_fountain_decoder *d)
{
	struct mixed *m;
	size_t i, k;

	while (d->qlen > 0) {
		i = d->queue[--d->qlen];
		for (k = 0; k < d->nmixed;) {
			m = &d->mixed[k];
			if (!bit_get(m->bits, i)) {
				k++;
				continue;
			}
			bit_flip(m->bits, i);
			m->degree--;
			xor_into(m->data, d->frags + i * d->frag_len, d->frag_len);
			if (m->degree >= 2) {
				k++;
				continue;
			}
			if (m->degree == 1)
				learn(d, bit_first(m->bits, d->words), m->data);
			remove_mixed(d, k); /* the last part moved into k */
		}
	}
}

/* Loads part p into d->work, XORing out the fragments already known. */
static int
load_work(struct cer_fountain_decoder *d, const struct cer_fountain_part *p)
{
	struct mixed *w = &d->work;
	size_t n, k, i;
	int r;

	if ((r = cer_fountain_choose(d->chooser, p->seq_num, p->checksum, d->idx, &n)) != 0)
		return r;
	memset(w->bits, 0, d->words * sizeof(uint64_t));
	memcpy(w->data, p->data, d->frag_len);
	w->degree = 0;
	for (k = 0; k < n; k++) {
		i = d->idx[k];
		if (d->known[i]) {
			xor_into(w->data, d->frags + i * d->frag_len, d->frag_len);
		} else if (!bit_get(w->bits, i)) {
			bit_flip(w->bits, i);
			w->degree++;
		}
	}
	return 0;
}

/* Stores d->work as a new mixed part, dropping the highest-degree part when full. */
static int
store_work(struct cer_fountain_decoder *d)
{
	struct mixed fresh;
	size_t k, worst = 0;
	int r;

	if (d->nmixed == d->max_mixed) {
		for (k = 1; k < d->nmixed; k++) {
			if (d->mixed[k].degree > d->mixed[worst].degree)
				worst = k;
		}
		if (d->work.degree >= d->mixed[worst].degree)
			return 0; /* the new part is the least useful: let it go */
		remove_mixed(d, worst);
	}
	if ((r = mixed_alloc(d, &fresh)) != 0)
		return r;
	d->mixed[d->nmixed++] = d->work;
	d->work = fresh;
	return 0;
}

/* Folds d->work (degree >= 2) into the store. */
static int
absorb_mixed(struct cer_fountain_decoder *d)
{
	struct mixed *w = &d->work, *m;
	size_t k;

	for (k = 0; k < d->nmixed; k++) {
		m = &d->mixed[k];
		if (m->degree == w->degree &&
		    memcmp(m->bits, w->bits, d->words * sizeof(uint64_t)) == 0)
			return 0; /* the same fragments: nothing new */
		if (strict_subset(d, m, w))
			reduce(d, w, m);
	}
	if (w->degree == 1) {
		learn(d, bit_first(w->bits, d->words), w->data);
		return 0;
	}
	for (k = 0; k < d->nmixed;) {
		m = &d->mixed[k];
		if (!strict_subset(d, w, m)) {
			k++;
			continue;
		}
		reduce(d, m, w);
		if (m->degree >= 2) {
			k++;
			continue;
		}
		learn(d, bit_first(m->bits, d->words), m->data);
		remove_mixed(d, k);
	}
	return store_work(d);
}

/* All fragments known: check the message and free the working state. */
static int
finish(struct cer_fountain_decoder *d)
{
	uint32_t got = cer_crc32(d->frags, d->message_len);

	drop_work(d);
	if (got != d->checksum) {
		d->state = DEC_FAILED;
		return custos_err_set(CUSTOS_ECHECKSUM,
		                      "reassembled message has CRC-32 %08x, the parts say %08x",
		                      (unsigned)got, (unsigned)d->checksum);
	}
	d->state = DEC_COMPLETE;
	return 0;
}

int
cer_fountain_decoder_receive(struct cer_fountain_decoder *d, const struct cer_fountain_part *p)
{
	int r;

	if ((r = cer_fountain_part_check(p)) != 0)
		return r;
	if (d->state == DEC_FAILED)
		return custos_err_set(CUSTOS_ECHECKSUM,
		                      "the reassembled message failed its CRC-32; start again");
	if (d->state == DEC_EMPTY) {
		if ((r = start(d, p)) != 0)
			return r;
	} else if ((r = same_message(d, p)) != 0) {
		return r;
	}
	if (d->state == DEC_COMPLETE)
		return 0;
	if ((r = load_work(d, p)) != 0)
		return r;
	if (d->work.degree == 1)
		learn(d, bit_first(d->work.bits, d->words), d->work.data);
	else if (d->work.degree >= 2)
		r = absorb_mixed(d); /* on ENOMEM the part is lost, the state stays consistent */
	propagate(d);
	if (d->nknown == d->seq_len)
		return finish(d);
	return r;
}

int
cer_fountain_decoder_receive_whole(struct cer_fountain_decoder *d, const uint8_t *msg, size_t len)
{
	uint32_t crc;

	if (len == 0)
		return custos_err_set(CUSTOS_EINVAL, "empty message");
	if (len > CER_FOUNTAIN_MAX_MESSAGE)
		return custos_err_set(CUSTOS_ETOOBIG,
		                      "message of %zu bytes is over the limit of %zu", len,
		                      CER_FOUNTAIN_MAX_MESSAGE);
	crc = cer_crc32(msg, len);
	if (d->state == DEC_FAILED)
		return custos_err_set(CUSTOS_ECHECKSUM,
		                      "the reassembled message failed its CRC-32; start again");
	if (d->state != DEC_EMPTY) {
		if (len != d->message_len || crc != d->checksum)
			return custos_err_set(
			        CUSTOS_EMISMATCH,
			        "a %zu-byte message with CRC-32 %08x, the decoder holds "
			        "a %zu-byte message with CRC-32 %08x",
			        len, (unsigned)crc, d->message_len, (unsigned)d->checksum);
		if (d->state == DEC_COMPLETE)
			return 0;
		memcpy(d->frags, msg, len); /* frags holds at least message_len bytes */
		d->nknown = d->seq_len;
		return finish(d);
	}
	if ((d->frags = malloc(len)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "message of %zu bytes", len);
	memcpy(d->frags, msg, len);
	d->message_len = d->frag_len = len;
	d->checksum = crc;
	d->seq_len = 0;
	d->state = DEC_COMPLETE;
	return 0;
}

void
cer_fountain_decoder_set_store_limit(struct cer_fountain_decoder *d, size_t max)
{
	d->store_limit = max;
}

size_t
cer_fountain_decoder_stored(const struct cer_fountain_decoder *d)
{
	return d->nmixed;
}

int
cer_fountain_decoder_is_complete(const struct cer_fountain_decoder *d)
{
	return d->state == DEC_COMPLETE;
}

void
cer_fountain_decoder_progress(const struct cer_fountain_decoder *d, size_t *known, size_t *needed)
{
	switch (d->state) {
	case DEC_EMPTY:
		*known = *needed = 0;
		break;
	case DEC_ACTIVE:
		*known = d->nknown;
		*needed = d->seq_len;
		break;
	default:
		*known = *needed = d->seq_len == 0 ? 1 : d->seq_len;
		break;
	}
}

int
cer_fountain_decoder_message(const struct cer_fountain_decoder *d, const uint8_t **msg, size_t *len)
{
	*msg = NULL;
	*len = 0;
	if (d->state == DEC_FAILED)
		return custos_err_set(CUSTOS_ECHECKSUM,
		                      "the reassembled message failed its CRC-32");
	if (d->state != DEC_COMPLETE)
		return custos_err_set(CUSTOS_EINVAL, "the message is not complete yet");
	if (cer_crc32(d->frags, d->message_len) != d->checksum)
		return custos_err_set(CUSTOS_ECHECKSUM, "the message no longer matches its CRC-32");
	*msg = d->frags;
	*len = d->message_len;
	return 0;
}
