/*
 * Fuzz target: shr_share_parse on arbitrary text.  Whatever parses must
 * format and parse back to the same share; a mismatch aborts.
 */
#include <stdlib.h>
#include <string.h>

#include "shares/shr_slip39.h"

#define PARSE(t, s) shr_share_parse((t), strlen(t), SHR_KIND_ANY, (s))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), again[SHR_MNEMONIC_MAX];
	struct shr_share a, b;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (PARSE(text, &a) == 0 && (shr_share_format(&a, again, sizeof(again)) != 0 ||
	                             PARSE(again, &b) != 0 || memcmp(&a, &b, sizeof(a)) != 0))
		abort();
	shr_share_wipe(&a);
	shr_share_wipe(&b);
	free(text);
	return 0;
}
