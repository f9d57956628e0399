/*
 * shr_wordlist: the SLIP-0039 word list and constant-time word lookup.
 *
 * Mnemonic words are secret.  Looking a word up scans all 1024 entries and
 * combines the results with masks, and turning an index back into a word does
 * the same, so neither the time taken nor the memory touched depends on which
 * word it is.  Every word's first four letters are unique, so four letters
 * are enough to name a word; letters typed beyond four must match too.
 */
#ifndef SHR_WORDLIST_H
#define SHR_WORDLIST_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SHR_WORDS 1024
#define SHR_WORD_MAX 8    /* longest word in the list */
#define SHR_PREFIX_LEN 4  /* letters that name a word uniquely */

extern const char *const shr_wordlist[SHR_WORDS];

/*
 * Looks up the word w of length len (lower or upper case; the whole word or
 * any prefix of at least four letters).  w must have SHR_WORD_MAX readable
 * bytes whatever len is (len is treated as secret too).  Returns 0 and sets
 * *index, or CUSTOS_EWORD when no word matches (no detail set: the caller
 * knows where).
 */
int shr_word_lookup(const char *w, size_t len, uint16_t *index) CUSTOS_WUR;

/*
 * Copies the word for index (< 1024) into out (SHR_WORD_MAX + 1 bytes, NUL
 * terminated) without indexing memory by it.  Returns the word's length.
 */
size_t shr_word_get(uint16_t index, char out[SHR_WORD_MAX + 1]);

#endif
