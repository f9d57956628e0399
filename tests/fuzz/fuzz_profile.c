/*
 * Fuzz target: ca_profile_parse on arbitrary bytes.  Whatever parses must
 * serialize, parse back to an equal set and serialize to the same text; a
 * mismatch aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_profile_set *a = NULL, *b = NULL;
	char *ja = NULL, *jb = NULL;
	size_t la = 0, lb = 0;

	if (ca_profile_parse((const char *)data, size, &a) == 0 &&
	    (ca_profile_serialize(a, &ja, &la) != 0 || ca_profile_parse(ja, la, &b) != 0 ||
	     memcmp(a, b, sizeof(*a)) != 0 || ca_profile_serialize(b, &jb, &lb) != 0 || la != lb ||
	     memcmp(ja, jb, la) != 0))
		abort();
	free(ja);
	free(jb);
	ca_profile_set_free(a);
	ca_profile_set_free(b);
	return 0;
}
