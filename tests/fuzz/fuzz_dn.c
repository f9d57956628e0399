/*
 * Fuzz target: the subject parser; whatever parses must format.
 */
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), out[2048];
	X509_NAME *name = NULL;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ca_name_parse(text, &name) == 0 && ca_name_format(name, out, sizeof(out)) != 0)
		abort();
	X509_NAME_free(name);
	free(text);
	return 0;
}
