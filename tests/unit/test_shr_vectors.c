/*
 * The 45 official SLIP-0039 test vectors (tests/vectors/slip39.json, from
 * trezor/python-shamir-mnemonic): valid sets give the master secret with the
 * passphrase "TREZOR"; invalid ones fail for the reason their description names.
 */
#include <jansson.h>

#include "common/err.h"
#include "harness.h"
#include "shares/shr_slip39.h"

struct reason {
	const char *phrase; /* in the vector's description */
	int code;
};

static const struct reason reasons[] = {
	{"invalid checksum", CUSTOS_ECHECKSUM},
	{"invalid padding", CUSTOS_ESHARE},
	{"different identifiers", CUSTOS_EMISMATCH},
	{"different iteration exponents", CUSTOS_EMISMATCH},
	{"mismatching group thresholds", CUSTOS_EMISMATCH},
	{"mismatching group counts", CUSTOS_EMISMATCH},
	{"greater group threshold than group counts", CUSTOS_ESHARE},
	{"duplicate member indices", CUSTOS_EDUPLICATE},
	{"mismatching member thresholds", CUSTOS_EMISMATCH},
	{"invalid digest", CUSTOS_EDIGEST},
	{"Insufficient number of groups", CUSTOS_ETHRESHOLD},
	{"insufficient number of members", CUSTOS_ETHRESHOLD},
	{"insufficient length", CUSTOS_ESHARE},
	{"invalid master secret length", CUSTOS_ESHARE},
	{"Basic sharing 2-of-3", CUSTOS_ETHRESHOLD}, /* the one-share case */
};

static int
expected_code(const char *desc)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strstr(desc, reasons[i].phrase) != NULL)
			return reasons[i].code;
	return 1; /* no reason known: the test fails */
}

static int
hex_to_bytes(const char *hex, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(hex) / 2, i;

	if (n > max)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*len = n;
	return 0;
}

/* Returns 0 with the master secret, or the first error code. */
static int
run_vector(json_t *mnemonics, uint8_t *master, size_t *len)
{
	struct shr_share shares[16];
	size_t i, n = json_array_size(mnemonics);
	int r = 0;

	if (n > 16)
		return CUSTOS_EINVAL;
	for (i = 0; i < n && r == 0; i++)
		r = shr_share_parse(json_string_value(json_array_get(mnemonics, i)),
		                    strlen(json_string_value(json_array_get(mnemonics, i))), SHR_KIND_STANDARD,
		                    &shares[i]);
	if (r == 0)
		r = shr_combine(shares, n, "TREZOR", master, len);
	for (i = 0; i < n; i++)
		shr_share_wipe(&shares[i]);
	return r;
}

static void
test_vectors(void)
{
	json_error_t err;
	json_t *root = json_load_file(CUSTOS_TEST_VECTORS "/slip39.json", 0, &err);
	size_t i, valid = 0, invalid = 0;

	CHECK(root != NULL);
	if (root == NULL)
		return;
	CHECK_EQ(json_array_size(root), 45);
	for (i = 0; i < json_array_size(root); i++) {
		json_t *v = json_array_get(root, i);
		const char *desc = json_string_value(json_array_get(v, 0));
		const char *hex = json_string_value(json_array_get(v, 2));
		uint8_t want[64], got[SHR_VALUE_MAX];
		size_t want_len = 0, got_len = 0;
		int r = run_vector(json_array_get(v, 1), got, &got_len);

		if (hex[0] != '\0') {
			valid++;
			CHECK(hex_to_bytes(hex, want, sizeof(want), &want_len) == 0);
			if (r != 0 || got_len != want_len || memcmp(got, want, want_len) != 0) {
				fprintf(stderr, "vector %zu (%s): r=%d %s\n", i + 1, desc, r,
				        custos_err_detail());
				CHECK(0);
			}
		} else {
			invalid++;
			if (r != expected_code(desc)) {
				fprintf(stderr, "vector %zu (%s): got %d (%s), want %d\n", i + 1, desc,
				        r, custos_err_detail(), expected_code(desc));
				CHECK(0);
			}
		}
	}
	CHECK(valid > 10);
	CHECK(invalid > 20);
	json_decref(root);
}

/* Every valid mnemonic re-encodes to exactly its own text. */
static void
test_reencode(void)
{
	json_error_t err;
	json_t *root = json_load_file(CUSTOS_TEST_VECTORS "/slip39.json", 0, &err);
	size_t i, j, checked = 0;

	CHECK(root != NULL);
	if (root == NULL)
		return;
	for (i = 0; i < json_array_size(root); i++) {
		json_t *v = json_array_get(root, i), *ms = json_array_get(v, 1);

		if (json_string_value(json_array_get(v, 2))[0] == '\0')
			continue;
		for (j = 0; j < json_array_size(ms); j++) {
			const char *text = json_string_value(json_array_get(ms, j));
			struct shr_share s;
			char out[SHR_MNEMONIC_MAX];

			CHECK(shr_share_parse(text, strlen(text), SHR_KIND_STANDARD, &s) == 0);
			CHECK(shr_share_format(&s, out, sizeof(out)) == 0);
			CHECK(strcmp(out, text) == 0);
			shr_share_wipe(&s);
			checked++;
		}
	}
	CHECK(checked > 20);
	json_decref(root);
}

int
main(void)
{
	RUN(test_vectors);
	RUN(test_reencode);
	return HARNESS_END();
}
