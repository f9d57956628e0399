/*
 * shr_slip39: SLIP-0039 shares: mnemonic encoding and decoding, two-level
 * (group and member) splitting and combining, and the Feistel encryption of
 * the master secret with a passphrase and iteration exponent.
 *
 * Invariants: share values and master secrets are never branched or indexed
 * on (words are looked up and produced by full scans; bits are moved with
 * shifts; comparisons of secrets use sodium_memcmp).  Every struct shr_share
 * that held a value is wiped by shr_share_wipe() before it goes out of scope.
 */
#ifndef SHR_SLIP39_H
#define SHR_SLIP39_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "shares/shr_shamir.h"
#include "shares/shr_wordlist.h"

#define SHR_MIN_WORDS 20
#define SHR_METADATA_WORDS 7   /* id/ext/e (2) + indices (2) + checksum (3) */
#define SHR_MAX_WORDS (SHR_METADATA_WORDS + (SHR_VALUE_MAX * 8 + 9) / 10)
#define SHR_MNEMONIC_MAX (SHR_MAX_WORDS * (SHR_WORD_MAX + 1))
#define SHR_MIN_SECRET 16      /* 128 bits */
#define SHR_MAX_GROUPS 16
#define SHR_MAX_EXPONENT 15

/* Checksum customization for shares whose value is masked by a custodian
 * passphrase: standard SLIP-0039 tools reject them instead of mis-combining. */
#define SHR_CS_MASKED "custos_masked"
#define SHR_CS_MASKED_EXTENDABLE "custos_masked_extendable"

struct shr_share {
	uint16_t identifier;        /* 15 bits */
	uint8_t extendable;         /* 0 or 1 */
	uint8_t iteration_exponent; /* 0..15 */
	uint8_t group_index;        /* 0..15 */
	uint8_t group_threshold;    /* 1..16 (actual value, not value - 1) */
	uint8_t group_count;        /* 1..16 */
	uint8_t member_index;       /* 0..15 */
	uint8_t member_threshold;   /* 1..16 */
	uint8_t masked;             /* checksum uses SHR_CS_MASKED* */
	size_t value_len;           /* bytes, even, >= 16 */
	uint8_t value[SHR_VALUE_MAX];
};

struct shr_group {
	uint8_t threshold; /* members needed, 1..count (1 only when count is 1) */
	uint8_t count;     /* members in the group, 1..16 */
};

/* Wipes a share (value and fields).  NULL is a no-op. */
void shr_share_wipe(struct shr_share *s);

/*
 * Splits text (textlen bytes; the length is public, where the words begin is
 * not) into words and looks each up (whole word or a prefix of at least four
 * letters; spaces, tabs, newlines and commas separate words).  Writes up to
 * max indices.  Returns 0; CUSTOS_EWORD naming the 1-based position of the
 * first unknown word (in *bad when bad is not NULL); CUSTOS_EFORMAT when there
 * are more than max words.  words is wiped on failure.
 */
int shr_mnemonic_words(const char *text, size_t textlen, uint16_t *words, size_t max, size_t *n,
                       size_t *bad) CUSTOS_WUR;

/* Which checksum customizations a decoder accepts.  RS1024 detects any 1-3
 * wrong words only against one customization: accept SHR_KIND_ANY only where
 * the caller cannot know the kind (a card check), never in a quorum. */
#define SHR_KIND_STANDARD 1u /* "shamir" / "shamir_extendable" */
#define SHR_KIND_MASKED 2u   /* SHR_CS_MASKED* */
#define SHR_KIND_ANY (SHR_KIND_STANDARD | SHR_KIND_MASKED)

/*
 * Decodes n word indices into a share: length, checksum (under the kinds
 * allowed), padding and field checks.  Returns 0, CUSTOS_ESHARE (with the
 * reason), or CUSTOS_ECHECKSUM.  out is wiped on failure.
 */
int shr_share_decode(const uint16_t *words, size_t n, unsigned kinds,
                     struct shr_share *out) CUSTOS_WUR;

/* shr_mnemonic_words() then shr_share_decode(). */
int shr_share_parse(const char *mnemonic, size_t len, unsigned kinds,
                    struct shr_share *out) CUSTOS_WUR;

/* Encodes a share to word indices (with checksum); *n words.  Returns 0 or CUSTOS_EINVAL. */
int shr_share_encode(const struct shr_share *s, uint16_t *words, size_t max, size_t *n) CUSTOS_WUR;

/* Writes the share's mnemonic (words separated by one space, NUL-padded) into buf,
 * which must have room for the longest words (SHR_MNEMONIC_MAX). */
int shr_share_format(const struct shr_share *s, char *buf, size_t len) CUSTOS_WUR;

/*
 * The SLIP-0039 Feistel cipher: encrypts (or decrypts) len bytes (even) of in
 * into out with passphrase (printable ASCII), iteration exponent e, and the
 * share set's identifier and extendable flag.  Returns 0, CUSTOS_EPASSPHRASE,
 * CUSTOS_EINVAL or CUSTOS_ECRYPTO; out is wiped on failure.
 */
int shr_encrypt(const uint8_t *in, size_t len, const char *passphrase, uint8_t e, uint16_t id,
                int extendable, uint8_t *out) CUSTOS_WUR;
int shr_decrypt(const uint8_t *in, size_t len, const char *passphrase, uint8_t e, uint16_t id,
                int extendable, uint8_t *out) CUSTOS_WUR;

/*
 * Splits master (len bytes) into shares: group_threshold of the ngroups groups,
 * each group by its own threshold/count.  A fresh random identifier is drawn.
 * Shares are written group by group, members in order, to out (out_max
 * entries); *nout is their number.  Returns 0, CUSTOS_EINVAL (parameters
 * named in the detail), CUSTOS_ERANDOM or CUSTOS_ECRYPTO; out is wiped on failure.
 */
int shr_generate(unsigned group_threshold, const struct shr_group *groups, size_t ngroups,
                 const uint8_t *master, size_t len, const char *passphrase, uint8_t e,
                 int extendable, struct shr_share *out, size_t out_max, size_t *nout) CUSTOS_WUR;

/*
 * Checks that n shares form exactly a quorum of one set and recovers the
 * encrypted master secret into ems (SHR_VALUE_MAX bytes), *len its length.
 * Returns 0, CUSTOS_ETHRESHOLD (too few shares or groups), CUSTOS_EMISMATCH
 * (shares of different sets), CUSTOS_EDUPLICATE, CUSTOS_EINVAL (more shares
 * than needed), or CUSTOS_EDIGEST.  ems is wiped on failure.
 */
int shr_recover_ems(const struct shr_share *shares, size_t n, uint8_t *ems, size_t *len) CUSTOS_WUR;

/* shr_recover_ems() then shr_decrypt(): the master secret into master. */
int shr_combine(const struct shr_share *shares, size_t n, const char *passphrase, uint8_t *master,
                size_t *len) CUSTOS_WUR;

#endif
