/*
 * cer_card: what front-ends need to know about one share card without a
 * vault: is it a well-formed share and of which set (the custodian's own
 * check), and is what a custodian typed back the share they were shown.
 */
#ifndef CER_CARD_H
#define CER_CARD_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "shares/shr_slip39.h"

/* Room for the longest mnemonic custos reads or writes, with its NUL. */
#define CER_MNEMONIC_MAX SHR_MNEMONIC_MAX

struct cer_card_info {
	size_t words;
	uint16_t identifier;
	int extendable;
	unsigned iteration_exponent;
	unsigned group;            /* 1-based */
	unsigned group_count;
	unsigned group_threshold;
	unsigned member;           /* 1-based */
	unsigned member_threshold;
	int passphrase_protected;  /* custos' masked-share checksum */
	size_t bad_word;           /* on CUSTOS_EWORD: the 1-based position */
};

/*
 * Checks one mnemonic (words or 4-letter prefixes).  Returns 0 with info, or
 * CUSTOS_EWORD (info->bad_word), CUSTOS_ECHECKSUM, CUSTOS_ESHARE, CUSTOS_EFORMAT.
 */
int cer_card_check(const char *mnemonic, struct cer_card_info *info) CUSTOS_WUR;

/* 1 when typed (words or prefixes) names exactly the words of shown, else 0. */
int cer_card_same(const char *typed, const char *shown);

/* --- one word at a time (front-ends that take a card word by word) --------- */

/* Longest word of the list, and the letters that name a word uniquely. */
#define CER_WORD_MAX SHR_WORD_MAX
#define CER_WORD_PREFIX SHR_PREFIX_LEN

/* Words on a custos card: a share of a 32-byte (CER_MASTER_LEN) master secret. */
#define CER_CARD_WORDS (SHR_METADATA_WORDS + (32 * 8 + 9) / 10)
/* Fewest words any SLIP-0039 share has (a 16-byte secret). */
#define CER_CARD_MIN_WORDS SHR_MIN_WORDS

/*
 * Completes one typed word: typed is len bytes, the whole word or a prefix of
 * at least CER_WORD_PREFIX letters, either case; every letter typed must
 * match.  On 0, word holds the list's word (lower case, NUL-terminated);
 * otherwise CUSTOS_EWORD (no detail set: the caller knows the position) and
 * word is "".  The lookup scans the whole list, whatever the word.
 */
int cer_card_word(const char *typed, size_t len, char word[CER_WORD_MAX + 1]) CUSTOS_WUR;

/*
 * 1 when typed (len bytes, a word or prefix as above) is the word at 1-based
 * position pos of the mnemonic shown, else 0 (also when either is not a word
 * of the list, or shown has fewer words).  Compares word indices with
 * sodium_memcmp; scratch copies are wiped.
 */
int cer_card_word_is(const char *typed, size_t len, const char *shown, size_t pos);

#endif
