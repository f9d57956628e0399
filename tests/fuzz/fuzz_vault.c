/*
 * Fuzz target: cer_vault_parse on arbitrary bytes; a parsed vault must
 * re-encode its header without failing.
 */
#include <stdlib.h>

#include "ceremony/cer_vault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cer_vault *v = NULL;

	if (cer_vault_parse(data, size, &v) == 0 && cer_vault_encode_header(v) != 0)
		abort();
	cer_vault_free(v);
	return 0;
}
