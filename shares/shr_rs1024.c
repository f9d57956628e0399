/*
 * shr_rs1024: see the header.
 */
#include "shares/shr_rs1024.h"

#include <string.h>

static const uint32_t gen[10] = {
	0xe0e040,   0x1c1c080,  0x3838100,  0x7070200,  0xe0e0009,
	0x1c0c2412, 0x38086c24, 0x3090fc48, 0x21b1f890, 0x3f3f120,
};

static uint32_t
polymod_step(uint32_t chk, uint32_t v)
{
	uint32_t b = chk >> 20;
	int i;

	chk = ((chk & 0xfffffu) << 10) ^ v;
	for (i = 0; i < 10; i++)
		chk ^= gen[i] & (0u - ((b >> i) & 1u));
	return chk;
}

static uint32_t
polymod(const char *cs, const uint16_t *data, size_t n, size_t zeros)
{
	uint32_t chk = 1;
	size_t i, cslen = strlen(cs);

	for (i = 0; i < cslen; i++)
		chk = polymod_step(chk, (uint8_t)cs[i]);
	for (i = 0; i < n; i++)
		chk = polymod_step(chk, data[i] & 1023u);
	for (i = 0; i < zeros; i++)
		chk = polymod_step(chk, 0);
	return chk;
}

void
shr_rs1024_create(const char *cs, const uint16_t *data, size_t n, uint16_t out[SHR_CHECKSUM_WORDS])
{
	uint32_t pm = polymod(cs, data, n, SHR_CHECKSUM_WORDS) ^ 1u;
	int i;

	for (i = 0; i < SHR_CHECKSUM_WORDS; i++)
		out[i] = (uint16_t)((pm >> (10 * (2 - i))) & 1023u);
}

int
shr_rs1024_verify(const char *cs, const uint16_t *words, size_t n)
{
	return polymod(cs, words, n, 0) == 1;
}
