/*
 * Fuzz target: one cer_ur decoder fed each line of the input as a scanned QR
 * frame.  Nothing may crash or leak; a decoder that says it is complete must
 * hand out its result.
 */
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_ur.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *next;
	struct cer_ur_decoder *dec = NULL;
	uint8_t *msg = NULL;
	size_t len, accepted = 0;

	if (text == NULL || cer_ur_decoder_new(&dec) != 0)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (cer_ur_decoder_receive(dec, line) == 0)
			accepted++;
	}
	if (cer_ur_decoder_is_complete(dec) &&
	    (accepted == 0 || cer_ur_decoder_result(dec, &msg, &len) != 0))
		abort();
out:
	free(msg);
	cer_ur_decoder_free(dec);
	free(text);
	return 0;
}
