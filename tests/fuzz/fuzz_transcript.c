/*
 * Fuzz target: cer_transcript_parse on arbitrary bytes.  Whatever parses must
 * satisfy the parser's promises: a head record number above zero, at most
 * CER_TRANSCRIPT_ARTIFACTS_MAX artifacts, every name NUL-terminated, and the
 * words of every hash spelling it (checked again here from the text).
 */
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cer_transcript_info *t = malloc(sizeof(*t));
	char words[CER_TRANSCRIPT_WORDS_LEN];
	size_t i;

	if (t == NULL)
		return 0;
	if (cer_transcript_parse(data, size, t) == 0) {
		if (t->head_seq == 0 || t->nartifacts > CER_TRANSCRIPT_ARTIFACTS_MAX ||
		    memchr(t->ceremony, '\0', sizeof(t->ceremony)) == NULL ||
		    memchr(t->session, '\0', sizeof(t->session)) == NULL)
			abort();
		cer_transcript_words(t->head_sha256, words);
		if (memmem(data, size, words, strlen(words)) == NULL)
			abort();
		for (i = 0; i < t->nartifacts; i++) {
			if (memchr(t->artifacts[i], '\0', sizeof(t->artifacts[i])) == NULL)
				abort();
			cer_transcript_words(t->artifact_sha256[i], words);
			if (memmem(data, size, words, strlen(words)) == NULL)
				abort();
		}
	}
	free(t);
	return 0;
}
