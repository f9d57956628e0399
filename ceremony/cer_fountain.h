/*
 * cer_fountain: the fountain code of multi-part Uniform Resources
 * (BCR-2020-005, the "MUR" scheme of the reference implementation bc-ur).
 *
 * A message is cut into seqLen fragments of equal length (the last padded with
 * zeros).  Part seqNum <= seqLen carries fragment seqNum - 1 alone; a later
 * part carries the XOR of a pseudo-random set of fragments chosen from
 * (seqNum, checksum) alone, so any receiver recomputes the set: Xoshiro256**
 * seeded with SHA-256(be32(seqNum) || be32(checksum)) draws a degree from
 * weights 1/1, 1/2, ..., 1/seqLen (Vose's alias method, float for float as the
 * reference does) and then shuffles the fragment indices; the first `degree`
 * are mixed.
 *
 * Invariants: every length and count read from a part is checked against the
 * limits below and against the others before anything is allocated
 * (seqLen == ceil(messageLen / fragmentLen), so the decoder's buffers are at
 * most about twice messageLen); the decoder keeps a bounded store of mixed
 * parts; a part that fails any check changes no state.
 */
#ifndef CER_FOUNTAIN_H
#define CER_FOUNTAIN_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Largest message the fountain carries: a 16 MiB UR payload plus its CBOR head. */
#define CER_FOUNTAIN_MAX_MESSAGE ((size_t)16 * 1024 * 1024 + 16)
/* Largest number of fragments (seqLen). */
#define CER_FOUNTAIN_MAX_SEQ_LEN ((size_t)65536)
/* Memory the decoder may spend on parts it cannot reduce yet. */
#define CER_FOUNTAIN_MIXED_BUDGET ((size_t)32 * 1024 * 1024)

/* --- Xoshiro256** as the reference seeds and scales it ------------------- */

struct cer_xoshiro {
	uint64_t s[4];
};

/* Seeds x with SHA-256(seed) read as four big-endian words.  Returns 0 or CUSTOS_ECRYPTO. */
int cer_xoshiro_seed(struct cer_xoshiro *x, const uint8_t *seed, size_t len) CUSTOS_WUR;
uint64_t cer_xoshiro_next(struct cer_xoshiro *x);
/* next() / 2^64 in double precision, as the reference computes it. */
double cer_xoshiro_next_double(struct cer_xoshiro *x);
/* floor(next_double() * (hi - lo + 1)) + lo (lo <= hi, hi - lo < 2^53). */
uint64_t cer_xoshiro_next_int(struct cer_xoshiro *x, uint64_t lo, uint64_t hi);

/* --- fragment choice ------------------------------------------------------ */

/*
 * The reference's find_nominal_fragment_length: the length ceil(L / c) for the
 * smallest count c in 1 .. max(1, L / min_len) with ceil(L / c) <= max_len.
 * Returns 0; CUSTOS_EINVAL when an argument is 0 or max_len < min_len, or when
 * no such count exists (the reference would then exceed max_len; keep
 * max_len >= 2 * min_len to be sure of an answer).
 */
int cer_fountain_fragment_len(size_t message_len, size_t min_len, size_t max_len,
                              size_t *out) CUSTOS_WUR;

/* Precomputed degree sampler and scratch for one seqLen. */
struct cer_fountain_chooser;

/* Returns 0, CUSTOS_EINVAL (seq_len 0 or over the limit) or CUSTOS_ENOMEM. */
int cer_fountain_chooser_new(size_t seq_len, struct cer_fountain_chooser **out) CUSTOS_WUR;
void cer_fountain_chooser_free(struct cer_fountain_chooser *c);

/*
 * The fragments mixed into part seq_num (>= 1) of a message with checksum:
 * *n indices (distinct, < seq_len, in the reference's shuffle order) into idx,
 * which has room for seq_len.  Returns 0, CUSTOS_EINVAL or CUSTOS_ECRYPTO.
 */
int cer_fountain_choose(struct cer_fountain_chooser *c, uint32_t seq_num, uint32_t checksum,
                        uint32_t *idx, size_t *n) CUSTOS_WUR;

/* --- parts ---------------------------------------------------------------- */

struct cer_fountain_part {
	uint32_t seq_num;     /* 1-based; > seq_len for mixed parts */
	uint32_t seq_len;     /* fragments in the message */
	uint32_t message_len; /* bytes */
	uint32_t checksum;    /* CRC-32 of the whole message */
	const uint8_t *data;  /* one fragment's worth (not owned) */
	size_t data_len;
};

/*
 * Checks a part's header on its own: seq_num, seq_len, message_len and
 * data_len non-zero, within the limits, and seq_len == ceil(message_len /
 * data_len).  Returns 0, CUSTOS_EFORMAT or CUSTOS_ETOOBIG (reason in the detail).
 */
int cer_fountain_part_check(const struct cer_fountain_part *p) CUSTOS_WUR;

/* The CBOR array [seqNum, seqLen, messageLen, checksum, data] in *cbor (caller frees). */
int cer_fountain_part_to_cbor(const struct cer_fountain_part *p, uint8_t **cbor,
                              size_t *len) CUSTOS_WUR;

/*
 * Parses that array (nothing may follow it) and runs cer_fountain_part_check.
 * p->data points into cbor.  Returns 0, CUSTOS_EFORMAT or CUSTOS_ETOOBIG; p is
 * zeroed on failure.
 */
int cer_fountain_part_from_cbor(const uint8_t *cbor, size_t len,
                                struct cer_fountain_part *p) CUSTOS_WUR;

/* --- encoder -------------------------------------------------------------- */

struct cer_fountain_encoder;

/*
 * Copies msg (1 .. CER_FOUNTAIN_MAX_MESSAGE bytes) and cuts it by
 * cer_fountain_fragment_len().  The first part produced is first_seq_num + 1.
 * Returns 0, CUSTOS_EINVAL, CUSTOS_ETOOBIG (message, or more than
 * CER_FOUNTAIN_MAX_SEQ_LEN fragments) or CUSTOS_ENOMEM.
 */
int cer_fountain_encoder_new(const uint8_t *msg, size_t len, size_t max_fragment_len,
                             size_t min_fragment_len, uint32_t first_seq_num,
                             struct cer_fountain_encoder **out) CUSTOS_WUR;

/*
 * The next part.  p->data points into the encoder and stays valid until the
 * next call or _free.  After seqNum 2^32 - 1 the count goes on at 1.
 * Returns 0, CUSTOS_EINVAL or CUSTOS_ECRYPTO.
 */
int cer_fountain_encoder_next(struct cer_fountain_encoder *e,
                              struct cer_fountain_part *p) CUSTOS_WUR;
size_t cer_fountain_encoder_seq_len(const struct cer_fountain_encoder *e);
size_t cer_fountain_encoder_fragment_len(const struct cer_fountain_encoder *e);
void cer_fountain_encoder_free(struct cer_fountain_encoder *e);

/* --- decoder -------------------------------------------------------------- */

struct cer_fountain_decoder;

int cer_fountain_decoder_new(struct cer_fountain_decoder **out) CUSTOS_WUR;
void cer_fountain_decoder_free(struct cer_fountain_decoder *d);

/*
 * Takes one part, in any order, duplicates included.  The first part accepted
 * fixes seqLen, messageLen, checksum and fragment length.  Returns 0 (used,
 * or nothing new, or the message was already complete and the part is of
 * it); CUSTOS_EFORMAT / CUSTOS_ETOOBIG (bad header); CUSTOS_EMISMATCH (a part
 * of another message); CUSTOS_ECHECKSUM (this part completed the fragments
 * but the message fails its CRC-32: the decoder is spent); CUSTOS_ENOMEM;
 * CUSTOS_ECRYPTO.  A refused part changes nothing.
 */
int cer_fountain_decoder_receive(struct cer_fountain_decoder *d,
                                 const struct cer_fountain_part *p) CUSTOS_WUR;

/*
 * Takes a whole message that came in one piece (a single-part UR).  Returns 0,
 * CUSTOS_EMISMATCH (parts of another message were accepted already),
 * CUSTOS_ETOOBIG, CUSTOS_EINVAL (empty) or CUSTOS_ENOMEM.
 */
int cer_fountain_decoder_receive_whole(struct cer_fountain_decoder *d, const uint8_t *msg,
                                       size_t len) CUSTOS_WUR;

/*
 * Test hook: hold at most max (>= 1) mixed parts, instead of as many as
 * CER_FOUNTAIN_MIXED_BUDGET allows.  Takes effect at the first part.
 */
void cer_fountain_decoder_set_store_limit(struct cer_fountain_decoder *d, size_t max);

/* Mixed parts held, waiting for fragments that would reduce them. */
size_t cer_fountain_decoder_stored(const struct cer_fountain_decoder *d);

/* 1 when the message is complete and passed its CRC-32, else 0. */
int cer_fountain_decoder_is_complete(const struct cer_fountain_decoder *d);

/* Fragments recovered and fragments in the message (0, 0 before the first part). */
void cer_fountain_decoder_progress(const struct cer_fountain_decoder *d, size_t *known,
                                   size_t *needed);

/*
 * The reassembled message (owned by the decoder, valid until _free), its CRC-32
 * checked again.  Returns 0; CUSTOS_EINVAL (not complete yet) or
 * CUSTOS_ECHECKSUM (reassembly failed its CRC-32).
 */
int cer_fountain_decoder_message(const struct cer_fountain_decoder *d, const uint8_t **msg,
                                 size_t *len) CUSTOS_WUR;

#endif
