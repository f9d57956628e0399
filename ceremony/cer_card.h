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

#endif
