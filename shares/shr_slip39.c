/*
 * shr_slip39: SLIP-0039 shares (see the header for the invariants).
 *
 * Layout of a share, big-endian bits, cut into 10-bit words:
 *   id(15) ext(1) e(4) | GI(4) Gt(4) g(4) I(4) t(4) | zero padding, value | checksum(30)
 * Padding makes the value a whole number of words; it is at most 8 bits and
 * must be zero.
 */
#include "shares/shr_slip39.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

#include "common/rng.h"
#include "shares/shr_ct.h"
#include "shares/shr_rs1024.h"

#define RADIX_BITS 10

void
shr_share_wipe(struct shr_share *s)
{
	if (s != NULL)
		sodium_memzero(s, sizeof(*s));
}

/* --- mnemonic text <-> word indices ------------------------------------- */

/* All-ones when c separates words: space, tab, newline, carriage return, comma. */
static uint32_t
separator_mask(uint8_t c)
{
	return shr_ct_eq(c, ' ') | shr_ct_eq(c, '\t') | shr_ct_eq(c, '\n') | shr_ct_eq(c, '\r') |
	       shr_ct_eq(c, ',');
}

#define SLOTS (SHR_MAX_WORDS + 1) /* the last slot absorbs words beyond the limit */

/*
 * Scatters the letters of text into fixed word slots.  Every character is
 * written with masks over every slot, so neither branches nor addresses
 * depend on where words begin and end (word lengths narrow the words down).
 * Returns the number of words, which is public (it is the share's length).
 */
static size_t
scatter_words(const char *text, size_t textlen, uint8_t slot[SLOTS][SHR_WORD_MAX],
              uint32_t wlen[SLOTS])
{
	uint32_t nwords = 0, cur = 0, k = 0, in_word = 0;
	size_t i, w, j;

	for (i = 0; i < textlen; i++) {
		uint8_t c = (uint8_t)text[i];
		uint32_t letter = ~separator_mask(c), begin = letter & ~in_word;
		uint32_t capped = shr_ct_select(shr_ct_lt(nwords, SLOTS - 1), nwords, SLOTS - 1);

		cur = shr_ct_select(begin, capped, cur);
		nwords += begin & 1u;
		k = shr_ct_select(begin, 0, k);
		for (w = 0; w < SLOTS; w++) {
			uint32_t here = letter & shr_ct_eq((uint32_t)w, cur);

			for (j = 0; j < SHR_WORD_MAX; j++)
				slot[w][j] |= (uint8_t)(c & here & shr_ct_eq((uint32_t)j, k));
			wlen[w] += here & 1u;
		}
		k += letter & 1u;
		in_word = letter;
	}
	return nwords;
}

int
shr_mnemonic_words(const char *text, size_t textlen, uint16_t *words, size_t max, size_t *n,
                   size_t *bad)
{
	uint8_t slot[SLOTS][SHR_WORD_MAX];
	uint32_t wlen[SLOTS];
	size_t count, i;
	int r = 0;

	*n = 0;
	if (bad != NULL)
		*bad = 0;
	memset(slot, 0, sizeof(slot));
	memset(wlen, 0, sizeof(wlen));
	count = shr_ct_public((uint32_t)scatter_words(text, textlen, slot, wlen)); /* the share's length */
	if (count > max || count >= SLOTS) {
		r = custos_err_set(CUSTOS_EFORMAT, "more than %zu words", max < SLOTS - 1 ? max : SLOTS - 1);
		goto out;
	}
	for (i = 0; i < count; i++) {
		/* Lengths above the longest word only need to stay invalid. */
		uint32_t l = shr_ct_select(shr_ct_lt(wlen[i], 255), wlen[i], 255);

		if (shr_word_lookup((const char *)slot[i], l, &words[i]) != 0 && r == 0) {
			if (bad != NULL)
				*bad = i + 1;
			r = custos_err_set(CUSTOS_EWORD, "word %zu is not in the SLIP-0039 word list",
			                   i + 1);
		}
	}
	if (r == 0)
		*n = count;
out:
	sodium_memzero(slot, sizeof(slot));
	sodium_memzero(wlen, sizeof(wlen));
	if (r != 0)
		sodium_memzero(words, max * sizeof(*words));
	return r;
}

/* --- bit packing --------------------------------------------------------- */

struct bits {
	uint16_t *words;
	size_t nwords; /* words available (writer) or present (reader) */
	size_t pos;    /* bit position */
};

static void
bits_put(struct bits *b, uint32_t v, unsigned nbits)
{
	unsigned i;

	for (i = 0; i < nbits; i++, b->pos++) {
		uint32_t bit = (v >> (nbits - 1 - i)) & 1u;
		size_t w = b->pos / RADIX_BITS, off = RADIX_BITS - 1 - b->pos % RADIX_BITS;

		b->words[w] = (uint16_t)(b->words[w] | (bit << off));
	}
}

static uint32_t
bits_get(struct bits *b, unsigned nbits)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < nbits; i++, b->pos++) {
		size_t w = b->pos / RADIX_BITS, off = RADIX_BITS - 1 - b->pos % RADIX_BITS;

		v = (v << 1) | ((uint32_t)(b->words[w] >> off) & 1u);
	}
	return v;
}

static const char *
checksum_cs(int extendable, int masked)
{
	if (masked)
		return extendable ? SHR_CS_MASKED_EXTENDABLE : SHR_CS_MASKED;
	return extendable ? SHR_CS_EXTENDABLE : SHR_CS_STANDARD;
}

int
shr_share_encode(const struct shr_share *s, uint16_t *words, size_t max, size_t *n)
{
	size_t value_words, total, i;
	unsigned pad;
	struct bits b;

	*n = 0;
	if (s->value_len < SHR_MIN_SECRET || s->value_len > SHR_VALUE_MAX || s->value_len % 2 != 0 ||
	    s->group_threshold < 1 || s->group_threshold > s->group_count ||
	    s->group_count > SHR_MAX_GROUPS || s->group_index >= s->group_count ||
	    s->member_threshold < 1 || s->member_threshold > SHR_MAX_SHARE_COUNT ||
	    s->member_index >= SHR_MAX_SHARE_COUNT || s->iteration_exponent > SHR_MAX_EXPONENT ||
	    s->identifier > 0x7fff || s->extendable > 1)
		return custos_err_set(CUSTOS_EINVAL, "share fields out of range");
	value_words = (s->value_len * 8 + RADIX_BITS - 1) / RADIX_BITS;
	pad = (unsigned)(value_words * RADIX_BITS - s->value_len * 8);
	total = SHR_METADATA_WORDS + value_words;
	if (total > max)
		return custos_err_set(CUSTOS_EINVAL, "share needs %zu words", total);
	memset(words, 0, total * sizeof(*words));
	b.words = words;
	b.nwords = total;
	b.pos = 0;
	bits_put(&b, s->identifier, 15);
	bits_put(&b, s->extendable, 1);
	bits_put(&b, s->iteration_exponent, 4);
	bits_put(&b, s->group_index, 4);
	bits_put(&b, s->group_threshold - 1u, 4);
	bits_put(&b, s->group_count - 1u, 4);
	bits_put(&b, s->member_index, 4);
	bits_put(&b, s->member_threshold - 1u, 4);
	bits_put(&b, 0, pad);
	for (i = 0; i < s->value_len; i++)
		bits_put(&b, s->value[i], 8);
	shr_rs1024_create(checksum_cs(s->extendable, s->masked), words, total - SHR_CHECKSUM_WORDS,
	                  words + total - SHR_CHECKSUM_WORDS);
	*n = total;
	return 0;
}

static int
decode_fields(const uint16_t *words, size_t n, struct shr_share *s)
{
	struct bits b = {(uint16_t *)(uintptr_t)words, n, 0};
	size_t value_words = n - SHR_METADATA_WORDS, i;
	unsigned pad = (unsigned)((value_words * RADIX_BITS) % 16);
	uint32_t padding;

	/* The metadata fields are public: they are printed on every card check. */
	s->identifier = (uint16_t)shr_ct_public(bits_get(&b, 15));
	s->extendable = (uint8_t)shr_ct_public(bits_get(&b, 1));
	s->iteration_exponent = (uint8_t)shr_ct_public(bits_get(&b, 4));
	s->group_index = (uint8_t)shr_ct_public(bits_get(&b, 4));
	s->group_threshold = (uint8_t)(shr_ct_public(bits_get(&b, 4)) + 1);
	s->group_count = (uint8_t)(shr_ct_public(bits_get(&b, 4)) + 1);
	s->member_index = (uint8_t)shr_ct_public(bits_get(&b, 4));
	s->member_threshold = (uint8_t)(shr_ct_public(bits_get(&b, 4)) + 1);
	/* The padding is zero by the format: its value is public too. */
	padding = shr_ct_public(bits_get(&b, pad));
	s->value_len = (value_words * RADIX_BITS - pad) / 8;
	for (i = 0; i < s->value_len; i++)
		s->value[i] = (uint8_t)bits_get(&b, 8);
	if (padding != 0)
		return custos_err_set(CUSTOS_ESHARE, "the padding bits are not zero");
	if (s->group_index >= s->group_count)
		return custos_err_set(CUSTOS_ESHARE, "the group index (%u) is not below the group count (%u)",
		                      s->group_index + 1u, s->group_count);
	if (s->group_threshold > s->group_count)
		return custos_err_set(CUSTOS_ESHARE,
		                      "the group threshold (%u) is greater than the group count (%u)",
		                      s->group_threshold, s->group_count);
	if (s->value_len < SHR_MIN_SECRET)
		return custos_err_set(CUSTOS_ESHARE, "the share value is shorter than 128 bits");
	return 0;
}

int
shr_share_decode(const uint16_t *words, size_t n, unsigned kinds, struct shr_share *out)
{
	int ext, r;

	memset(out, 0, sizeof(*out));
	if (n < SHR_MIN_WORDS)
		return custos_err_set(CUSTOS_ESHARE, "a share has at least %d words, this has %zu",
		                      SHR_MIN_WORDS, n);
	if (n > SHR_MAX_WORDS)
		return custos_err_set(CUSTOS_ESHARE, "a share has at most %d words, this has %zu",
		                      (int)SHR_MAX_WORDS, n);
	if (((n - SHR_METADATA_WORDS) * RADIX_BITS) % 16 > 8)
		return custos_err_set(CUSTOS_ESHARE, "%zu words is not a valid share length", n);
	/* The extendable flag (public metadata) picks the customization. */
	ext = (int)shr_ct_public((words[1] >> 4) & 1u);
	if ((kinds & SHR_KIND_STANDARD) && shr_rs1024_verify(checksum_cs(ext, 0), words, n))
		out->masked = 0;
	else if ((kinds & SHR_KIND_MASKED) && shr_rs1024_verify(checksum_cs(ext, 1), words, n))
		out->masked = 1;
	else
		return custos_err_set(CUSTOS_ECHECKSUM,
		                      "the checksum does not match: at least one word is wrong");
	if ((r = decode_fields(words, n, out)) != 0)
		shr_share_wipe(out);
	return r;
}

int
shr_share_parse(const char *mnemonic, size_t len, unsigned kinds, struct shr_share *out)
{
	uint16_t words[SHR_MAX_WORDS];
	size_t n;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = shr_mnemonic_words(mnemonic, len, words, SHR_MAX_WORDS, &n, NULL)) == 0)
		r = shr_share_decode(words, n, kinds, out);
	sodium_memzero(words, sizeof(words));
	return r;
}

/* Writes c at buf[pos] (pos secret) by touching every byte of buf. */
static void
put_at(char *buf, size_t len, uint32_t pos, uint8_t c)
{
	size_t p;

	for (p = 0; p < len; p++)
		buf[p] = (char)((uint8_t)buf[p] | (c & (uint8_t)shr_ct_eq((uint32_t)p, pos)));
}

int
shr_share_format(const struct shr_share *s, char *buf, size_t len)
{
	uint16_t words[SHR_MAX_WORDS];
	char w[SHR_WORD_MAX + 1];
	uint32_t used = 0, wl;
	size_t n, i, k;
	int r;

	if (len > 0)
		memset(buf, 0, len);
	if ((r = shr_share_encode(s, words, SHR_MAX_WORDS, &n)) != 0)
		goto out;
	/* Room for the longest words, so the check does not depend on which words. */
	if (n * (SHR_WORD_MAX + 1) > len) {
		r = custos_err_set(CUSTOS_EINVAL, "mnemonic buffer too small");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			put_at(buf, len, used++, ' ');
		wl = (uint32_t)shr_word_get(words[i], w);
		for (k = 0; k < SHR_WORD_MAX; k++)
			put_at(buf, len, used + (uint32_t)k,
			       (uint8_t)((uint8_t)w[k] & (uint8_t)shr_ct_lt((uint32_t)k, wl)));
		used += wl;
	}
out:
	sodium_memzero(words, sizeof(words));
	sodium_memzero(w, sizeof(w));
	used = 0;
	if (r != 0 && len > 0)
		sodium_memzero(buf, len);
	return r;
}

/* --- the Feistel cipher --------------------------------------------------- */

static int
check_passphrase(const char *p, size_t len)
{
	uint32_t bad = 0;
	size_t i;

	for (i = 0; i < len; i++)
		bad |= shr_ct_lt((uint8_t)p[i], 32) | shr_ct_lt(126, (uint8_t)p[i]);
	if (bad != 0)
		return custos_err_set(CUSTOS_EPASSPHRASE, "a passphrase may contain only printable ASCII");
	return 0;
}

static int
feistel(const uint8_t *in, size_t len, const char *passphrase, uint8_t e, uint16_t id,
        int extendable, uint8_t *out, int decrypt)
{
	uint8_t l[SHR_VALUE_MAX / 2], rr[SHR_VALUE_MAX / 2], f[SHR_VALUE_MAX / 2];
	uint8_t salt[8 + SHR_VALUE_MAX / 2], pw[1 + 256];
	size_t half = len / 2, plen, saltpre, j;
	unsigned round;
	int r = 0;

	memset(out, 0, len);
	if (len == 0 || len % 2 != 0 || len > SHR_VALUE_MAX || e > SHR_MAX_EXPONENT)
		return custos_err_set(CUSTOS_EINVAL, "cannot encrypt %zu bytes", len);
	plen = strlen(passphrase); /* the passphrase's length is not kept secret */
	if ((r = check_passphrase(passphrase, plen)) != 0)
		return r;
	if (plen > sizeof(pw) - 1)
		return custos_err_set(CUSTOS_EPASSPHRASE, "the passphrase is longer than 256 characters");
	memcpy(pw + 1, passphrase, plen);
	saltpre = 0;
	if (!extendable) {
		memcpy(salt, "shamir", 6);
		salt[6] = (uint8_t)(id >> 8);
		salt[7] = (uint8_t)id;
		saltpre = 8;
	}
	memcpy(l, in, half);
	memcpy(rr, in + half, half);
	for (round = 0; round < 4; round++) {
		pw[0] = (uint8_t)(decrypt ? 3 - round : round);
		memcpy(salt + saltpre, rr, half);
		if (PKCS5_PBKDF2_HMAC((const char *)pw, (int)(plen + 1), salt, (int)(saltpre + half),
		                      2500 << e, EVP_sha256(), (int)half, f) != 1) {
			r = custos_err_set_openssl(CUSTOS_ECRYPTO, "PBKDF2");
			goto out;
		}
		for (j = 0; j < half; j++) {
			uint8_t t = rr[j];

			rr[j] = (uint8_t)(l[j] ^ f[j]);
			l[j] = t;
		}
	}
	memcpy(out, rr, half);
	memcpy(out + half, l, half);
out:
	sodium_memzero(l, sizeof(l));
	sodium_memzero(rr, sizeof(rr));
	sodium_memzero(f, sizeof(f));
	sodium_memzero(salt, sizeof(salt));
	sodium_memzero(pw, sizeof(pw));
	if (r != 0)
		sodium_memzero(out, len);
	return r;
}

int
shr_encrypt(const uint8_t *in, size_t len, const char *passphrase, uint8_t e, uint16_t id,
            int extendable, uint8_t *out)
{
	return feistel(in, len, passphrase, e, id, extendable, out, 0);
}

int
shr_decrypt(const uint8_t *in, size_t len, const char *passphrase, uint8_t e, uint16_t id,
            int extendable, uint8_t *out)
{
	return feistel(in, len, passphrase, e, id, extendable, out, 1);
}

/* --- split ---------------------------------------------------------------- */

static int
check_groups(unsigned group_threshold, const struct shr_group *groups, size_t ngroups)
{
	size_t i;

	if (ngroups < 1 || ngroups > SHR_MAX_GROUPS)
		return custos_err_set(CUSTOS_EINVAL, "between 1 and 16 groups are needed, not %zu",
		                      ngroups);
	if (group_threshold < 1 || group_threshold > ngroups)
		return custos_err_set(CUSTOS_EINVAL, "group threshold %u is not between 1 and %zu",
		                      group_threshold, ngroups);
	for (i = 0; i < ngroups; i++) {
		if (groups[i].count < 1 || groups[i].count > SHR_MAX_SHARE_COUNT ||
		    groups[i].threshold < 1 || groups[i].threshold > groups[i].count)
			return custos_err_set(CUSTOS_EINVAL,
			                      "group %zu: threshold %u of %u is not possible", i + 1,
			                      groups[i].threshold, groups[i].count);
		if (groups[i].threshold == 1 && groups[i].count > 1)
			return custos_err_set(CUSTOS_EINVAL,
			                      "group %zu: 1 of %u gives everyone the same secret; use 1 of 1",
			                      i + 1, groups[i].count);
	}
	return 0;
}

int
shr_generate(unsigned group_threshold, const struct shr_group *groups, size_t ngroups,
             const uint8_t *master, size_t len, const char *passphrase, uint8_t e, int extendable,
             struct shr_share *out, size_t out_max, size_t *nout)
{
	uint8_t ems[SHR_VALUE_MAX], group_secrets[SHR_MAX_GROUPS * SHR_VALUE_MAX];
	uint8_t member_secrets[SHR_MAX_SHARE_COUNT * SHR_VALUE_MAX];
	uint16_t id;
	size_t g, m, total = 0, k = 0;
	int r;

	*nout = 0;
	if ((r = check_groups(group_threshold, groups, ngroups)) != 0)
		return r;
	if (len < SHR_MIN_SECRET || len > SHR_VALUE_MAX || len % 2 != 0)
		return custos_err_set(CUSTOS_EINVAL, "a master secret of %zu bytes is not allowed", len);
	if (e > SHR_MAX_EXPONENT || extendable < 0 || extendable > 1)
		return custos_err_set(CUSTOS_EINVAL, "bad iteration exponent or extendable flag");
	for (g = 0; g < ngroups; g++)
		total += groups[g].count;
	if (total > out_max)
		return custos_err_set(CUSTOS_EINVAL, "room for %zu shares, %zu needed", out_max, total);
	if ((r = custos_random(&id, sizeof(id))) != 0)
		return r;
	id &= 0x7fff;
	if ((r = shr_encrypt(master, len, passphrase, e, id, extendable, ems)) != 0)
		goto out;
	if ((r = shr_split_secret(group_threshold, (unsigned)ngroups, ems, len, group_secrets)) != 0)
		goto out;
	for (g = 0; g < ngroups; g++) {
		r = shr_split_secret(groups[g].threshold, groups[g].count, group_secrets + g * len, len,
		                     member_secrets);
		if (r != 0)
			goto out;
		for (m = 0; m < groups[g].count; m++, k++) {
			struct shr_share *s = &out[k];

			memset(s, 0, sizeof(*s));
			s->identifier = id;
			s->extendable = (uint8_t)extendable;
			s->iteration_exponent = e;
			s->group_index = (uint8_t)g;
			s->group_threshold = (uint8_t)group_threshold;
			s->group_count = (uint8_t)ngroups;
			s->member_index = (uint8_t)m;
			s->member_threshold = groups[g].threshold;
			s->value_len = len;
			memcpy(s->value, member_secrets + m * len, len);
		}
	}
	*nout = total;
out:
	sodium_memzero(ems, sizeof(ems));
	sodium_memzero(group_secrets, sizeof(group_secrets));
	sodium_memzero(member_secrets, sizeof(member_secrets));
	if (r != 0)
		sodium_memzero(out, out_max * sizeof(*out));
	return r;
}

/* --- combine --------------------------------------------------------------- */

/* All shares must agree on everything that describes the set. */
static int
check_same_set(const struct shr_share *s, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		const struct shr_share *a = &s[0], *b = &s[i];

		if (a->identifier != b->identifier || a->extendable != b->extendable)
			return custos_err_set(CUSTOS_EMISMATCH,
			                      "share %zu is from another share set (identifier %u, not %u)",
			                      i + 1, b->identifier, a->identifier);
		if (a->iteration_exponent != b->iteration_exponent)
			return custos_err_set(CUSTOS_EMISMATCH,
			                      "share %zu has iteration exponent %u, not %u", i + 1,
			                      b->iteration_exponent, a->iteration_exponent);
		if (a->group_threshold != b->group_threshold)
			return custos_err_set(CUSTOS_EMISMATCH,
			                      "share %zu has group threshold %u, not %u", i + 1,
			                      b->group_threshold, a->group_threshold);
		if (a->group_count != b->group_count)
			return custos_err_set(CUSTOS_EMISMATCH, "share %zu has group count %u, not %u",
			                      i + 1, b->group_count, a->group_count);
		if (a->value_len != b->value_len || a->masked != b->masked)
			return custos_err_set(CUSTOS_EMISMATCH, "share %zu has another length or kind",
			                      i + 1);
	}
	return 0;
}

/* Checks one group's members and recovers the group's secret into out. */
static int
recover_group(const struct shr_share *s, size_t n, unsigned gi, uint8_t *out, size_t *members)
{
	uint8_t xs[SHR_MAX_SHARE_COUNT];
	const uint8_t *ys[SHR_MAX_SHARE_COUNT];
	size_t i, j, m = 0;
	unsigned threshold = 0;

	for (i = 0; i < n; i++) {
		if (s[i].group_index != gi)
			continue;
		if (threshold == 0)
			threshold = s[i].member_threshold;
		else if (s[i].member_threshold != threshold)
			return custos_err_set(CUSTOS_EMISMATCH,
			                      "group %u: shares disagree on the member threshold", gi + 1);
		for (j = 0; j < m; j++)
			if (xs[j] == s[i].member_index)
				return custos_err_set(CUSTOS_EDUPLICATE,
				                      "group %u: member %u is given twice", gi + 1,
				                      s[i].member_index + 1u);
		if (m == SHR_MAX_SHARE_COUNT)
			return custos_err_set(CUSTOS_EINVAL, "group %u: too many shares", gi + 1);
		xs[m] = s[i].member_index;
		ys[m] = s[i].value;
		m++;
	}
	*members = m;
	if (m < threshold)
		return custos_err_set(CUSTOS_ETHRESHOLD, "group %u needs %u shares, %zu given (%zu more needed)",
		                      gi + 1, threshold, m, threshold - m);
	if (m > threshold)
		return custos_err_set(CUSTOS_EINVAL, "group %u needs exactly %u shares, %zu given",
		                      gi + 1, threshold, m);
	return shr_recover_secret(threshold, xs, ys, m, s[0].value_len, out);
}

int
shr_recover_ems(const struct shr_share *shares, size_t n, uint8_t *ems, size_t *len)
{
	uint8_t group_secrets[SHR_MAX_GROUPS][SHR_VALUE_MAX];
	uint8_t gx[SHR_MAX_GROUPS];
	const uint8_t *gy[SHR_MAX_GROUPS];
	unsigned present = 0, gi;
	size_t ngroups = 0, members, i;
	int r = 0;

	*len = 0;
	memset(ems, 0, SHR_VALUE_MAX);
	if (n == 0)
		return custos_err_set(CUSTOS_ETHRESHOLD, "no shares given");
	if ((r = check_same_set(shares, n)) != 0)
		return r;
	for (i = 0; i < n; i++)
		present |= 1u << shares[i].group_index;
	for (gi = 0; gi < SHR_MAX_GROUPS; gi++)
		ngroups += (present >> gi) & 1u;
	if (ngroups < shares[0].group_threshold)
		return custos_err_set(CUSTOS_ETHRESHOLD, "shares from %u groups are needed, %zu given",
		                      shares[0].group_threshold, ngroups);
	if (ngroups > shares[0].group_threshold)
		return custos_err_set(CUSTOS_EINVAL, "shares from exactly %u groups are needed, %zu given",
		                      shares[0].group_threshold, ngroups);
	ngroups = 0;
	for (gi = 0; gi < SHR_MAX_GROUPS; gi++) {
		if (((present >> gi) & 1u) == 0)
			continue;
		if ((r = recover_group(shares, n, gi, group_secrets[ngroups], &members)) != 0)
			goto out;
		gx[ngroups] = (uint8_t)gi;
		gy[ngroups] = group_secrets[ngroups];
		ngroups++;
	}
	r = shr_recover_secret(shares[0].group_threshold, gx, gy, ngroups, shares[0].value_len, ems);
	if (r == 0)
		*len = shares[0].value_len;
out:
	sodium_memzero(group_secrets, sizeof(group_secrets));
	if (r != 0)
		sodium_memzero(ems, SHR_VALUE_MAX);
	return r;
}

int
shr_combine(const struct shr_share *shares, size_t n, const char *passphrase, uint8_t *master,
            size_t *len)
{
	uint8_t ems[SHR_VALUE_MAX];
	size_t l;
	int r;

	*len = 0;
	if ((r = shr_recover_ems(shares, n, ems, &l)) != 0)
		goto out;
	r = shr_decrypt(ems, l, passphrase, shares[0].iteration_exponent, shares[0].identifier,
	                shares[0].extendable, master);
	if (r == 0)
		*len = l;
out:
	sodium_memzero(ems, sizeof(ems));
	return r;
}
