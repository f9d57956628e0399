/* GF(256): the constant-time arithmetic against a slow, obviously correct reference. */
#include "harness.h"
#include "shares/shr_gf256.h"

/* Schoolbook carry-less product of a and b, then reduction by 0x11b bit by bit. */
static uint8_t
slow_mul(uint8_t a, uint8_t b)
{
	unsigned prod = 0, i;

	for (i = 0; i < 8; i++)
		if (b & (1u << i))
			prod ^= (unsigned)a << i;
	for (i = 15; i >= 8; i--)
		if (prod & (1u << i))
			prod ^= 0x11bu << (i - 8);
	return (uint8_t)prod;
}

static void
test_full_table(void)
{
	unsigned a, b, bad = 0;

	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++)
			bad += shr_gf256_mul((uint8_t)a, (uint8_t)b) != slow_mul((uint8_t)a, (uint8_t)b);
	CHECK_EQ(bad, 0);
	/* Known products from the AES specification (FIPS-197 section 4.2). */
	CHECK_EQ(shr_gf256_mul(0x57, 0x83), 0xc1);
	CHECK_EQ(shr_gf256_mul(0x57, 0x13), 0xfe);
}

static void
test_inverse(void)
{
	unsigned a, bad = 0;

	for (a = 1; a < 256; a++)
		bad += shr_gf256_mul((uint8_t)a, shr_gf256_inv((uint8_t)a)) != 1;
	CHECK_EQ(bad, 0);
	CHECK_EQ(shr_gf256_inv(0), 0);
	CHECK_EQ(shr_gf256_inv(1), 1);
	CHECK_EQ(shr_gf256_inv(0x53), 0xca); /* FIPS-197 section 4.2.1 */
}

static void
test_field_laws(void)
{
	unsigned a, b, c, bad = 0;

	for (a = 0; a < 256; a += 7)
		for (b = 0; b < 256; b += 5)
			for (c = 0; c < 256; c += 11) {
				uint8_t l = shr_gf256_mul((uint8_t)a, shr_gf256_add((uint8_t)b, (uint8_t)c));
				uint8_t r = shr_gf256_add(shr_gf256_mul((uint8_t)a, (uint8_t)b),
				                          shr_gf256_mul((uint8_t)a, (uint8_t)c));
				bad += l != r;
				bad += shr_gf256_mul((uint8_t)a, (uint8_t)b) !=
				       shr_gf256_mul((uint8_t)b, (uint8_t)a);
			}
	CHECK_EQ(bad, 0);
}

int
main(void)
{
	RUN(test_full_table);
	RUN(test_inverse);
	RUN(test_field_laws);
	return HARNESS_END();
}
