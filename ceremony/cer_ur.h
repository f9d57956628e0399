/*
 * cer_ur: Uniform Resources (BCR-2020-005) of type `bytes`, to carry an
 * artifact across the air gap as one QR code or an animated series.
 *
 *   single part:  ur:bytes/<bytewords>
 *   multi-part:   ur:bytes/<seqNum>-<seqLen>/<bytewords>
 *
 * The message is wrapped as one CBOR byte string.  A single part is that CBOR
 * in minimal Bytewords; a multi-part UR fountain-codes it (cer_fountain.h) and
 * each part is the CBOR array [seqNum, seqLen, messageLen, checksum, fragment]
 * in minimal Bytewords.  Parts 1..seqLen are the plain fragments, later ones
 * are mixes, so a receiver that missed some frames completes from others.
 * Output is lower case; input may be either case (QR alphanumeric mode is
 * upper case) with surrounding white space.
 *
 * Invariants: nothing from the input is trusted before it is checked (the
 * payload is at most CER_UR_MAX_MESSAGE bytes, seqLen at most
 * CER_UR_MAX_SEQ_LEN, and the decoder's memory is bounded by a small multiple
 * of the message); a refused part leaves the decoder as it was; the result is
 * handed out only after the CRC-32 of the whole message has been checked.
 * Nothing here is secret.
 */
#ifndef CER_UR_H
#define CER_UR_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony/cer_fountain.h"
#include "common/err.h"

#define CER_UR_TYPE "bytes"
/* Largest payload carried (the CBOR around it adds at most 5 bytes). */
#define CER_UR_MAX_MESSAGE ((size_t)16 * 1024 * 1024)
/* Largest number of fragments in a multi-part UR. */
#define CER_UR_MAX_SEQ_LEN CER_FOUNTAIN_MAX_SEQ_LEN
/* The reference's default smallest fragment. */
#define CER_UR_MIN_FRAGMENT_DEFAULT 10

/*
 * The single-part UR of len bytes of msg (len <= CER_UR_MAX_MESSAGE) in
 * *out, NUL-terminated, lower case, caller frees.  Returns 0, CUSTOS_ETOOBIG or
 * CUSTOS_ENOMEM; *out is NULL on failure.
 */
int cer_ur_encode_single(const uint8_t *msg, size_t len, char **out) CUSTOS_WUR;

/* --- encoder -------------------------------------------------------------- */

struct cer_ur_encoder;

/*
 * An encoder of len bytes of msg (copied; 0 .. CER_UR_MAX_MESSAGE) whose
 * fragments are between min_fragment_len and max_fragment_len bytes (chosen as
 * the reference's find_nominal_fragment_length does; keep max >= 2 * min).
 * The first part produced has seqNum first_seq_num + 1.  Returns 0,
 * CUSTOS_EINVAL (fragment bounds), CUSTOS_ETOOBIG (message, or more than
 * CER_UR_MAX_SEQ_LEN parts) or CUSTOS_ENOMEM; *out is NULL on failure.
 */
int cer_ur_encoder_new(const uint8_t *msg, size_t len, size_t max_fragment_len,
                       size_t min_fragment_len, uint32_t first_seq_num,
                       struct cer_ur_encoder **out) CUSTOS_WUR;

/*
 * The next part in *part (NUL-terminated, lower case, caller frees): the
 * first seqLen calls give the plain fragments, later calls fountain parts,
 * without end.  When the message fits one fragment (seqLen 1) every call gives
 * the single-part UR, as the reference does.  Returns 0, CUSTOS_ENOMEM or
 * CUSTOS_ECRYPTO; *part is NULL on failure.
 */
int cer_ur_encoder_next_part(struct cer_ur_encoder *enc, char **part) CUSTOS_WUR;

/* Number of plain fragments (seqLen). */
size_t cer_ur_encoder_seq_len(const struct cer_ur_encoder *enc);

/* Frees enc; NULL is a no-op. */
void cer_ur_encoder_free(struct cer_ur_encoder *enc);

/* --- decoder -------------------------------------------------------------- */

struct cer_ur_decoder;

/* Returns 0 or CUSTOS_ENOMEM; *out is NULL on failure. */
int cer_ur_decoder_new(struct cer_ur_decoder **out) CUSTOS_WUR;

/*
 * Takes one scanned UR (NUL-terminated): a single-part UR or a part of a
 * multi-part one, in any order, duplicates welcome, either case, white space
 * around it ignored.  The first part accepted fixes the message.  Returns 0
 * (accepted, possibly nothing new, possibly after completion) or, changing
 * nothing:
 *   CUSTOS_EFORMAT    not a UR, bad path or sequence (seqNum or seqLen 0, the
 *                     "n-m" of the path differs from the part's own header),
 *                     type other than `bytes`, malformed CBOR or part header;
 *   CUSTOS_ETOOBIG    seqLen, message or payload over the limits;
 *   CUSTOS_EWORD      a letter pair that is not a Bytewords word;
 *   CUSTOS_ECHECKSUM  the part's Bytewords CRC-32 fails (a corrupt scan);
 *   CUSTOS_EMISMATCH  a part of another message than the first accepted
 *                     (different checksum, length, seqLen or fragment length);
 *   CUSTOS_ENOMEM.
 * Two failures spend the decoder (further parts get the same code): the
 * reassembled message fails its CRC-32 (CUSTOS_ECHECKSUM), or it is not one
 * CBOR byte string (CUSTOS_EFORMAT).  The detail says which.
 */
int cer_ur_decoder_receive(struct cer_ur_decoder *dec, const char *part) CUSTOS_WUR;

/*
 * Fragments recovered so far and fragments in the message (seqLen); 0 and 0
 * before the first part; 1 and 1 for a single-part UR.  known == needed once
 * complete.  Either pointer may be NULL.
 */
void cer_ur_decoder_progress(const struct cer_ur_decoder *dec, size_t *known, size_t *needed);

/* 1 when the message is complete and checked (a result is ready), else 0. */
int cer_ur_decoder_is_complete(const struct cer_ur_decoder *dec);

/*
 * A copy of the payload in *msg (caller frees; not NULL even when *len is 0),
 * after checking again the CRC-32 of the whole message.  Returns 0;
 * CUSTOS_EINVAL (not complete yet); CUSTOS_ECHECKSUM or CUSTOS_EFORMAT (the
 * decoder is spent, see above); CUSTOS_ENOMEM.  *msg is NULL and *len 0 on
 * failure.
 */
int cer_ur_decoder_result(const struct cer_ur_decoder *dec, uint8_t **msg, size_t *len) CUSTOS_WUR;

/* Frees dec; NULL is a no-op. */
void cer_ur_decoder_free(struct cer_ur_decoder *dec);

#endif
