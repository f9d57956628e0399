/*
 * cer_bytewords: CRC-32 and Bytewords (see the header for the invariants).
 *
 * The word list is sorted, and a word is named by its first and last letters
 * alone (the list is chosen so those pairs are unique), so a word is found by
 * a binary search on its first letter and a short scan on its last.
 */
#include "ceremony/cer_bytewords.h"

#include <stdlib.h>
#include <string.h>

/* BCR-2020-012 word list: word b is WORDS[4 * b .. 4 * b + 3], 16 words a row. */
/* clang-format off */
static const char WORDS[256 * 4 + 1] =
	"ableacidalsoapexaquaarchatomaunt" "awayaxisbackbaldbarnbeltbetabias"
	"bluebodybragbrewbulbbuzzcalmcash" "catschefcityclawcodecolacookcost"
	"cruxcurlcuspcyandarkdatadaysdeli" "dicedietdoordowndrawdropdrumdull"
	"dutyeacheasyechoedgeepicevenexam" "exiteyesfactfairfernfigsfilmfish"
	"fizzflapflewfluxfoxyfreefrogfuel" "fundgalagamegeargemsgiftgirlglow"
	"goodgraygrimgurugushgyrohalfhang" "hardhawkheathelphighhillholyhope"
	"hornhutsicedideaidleinchinkyinto" "irisironitemjadejazzjoinjoltjowl"
	"judojugsjumpjunkjurykeepkenokept" "keyskickkilnkingkitekiwiknoblamb"
	"lavalazyleaflegsliarlimplionlist" "logoloudloveluaulucklungmainmany"
	"mathmazememomenumeowmildmintmiss" "monknailnavyneednewsnextnoonnote"
	"numbobeyoboeomitonyxopenovalowls" "paidpartpeckplaypluspoempoolpose"
	"puffpumapurrquadquizracerampreal" "redorichroadrockroofrubyruinruns"
	"rustsafesagascarsetssilkskewslot" "soapsolosongstubsurfswantacotask"
	"taxitenttiedtimetinytoiltombtoys" "triptunatwinuglyundouniturgeuser"
	"vastveryvetovialvibeviewvisavoid" "vowswallwandwarmwaspwavewaxywebs"
	"whatwhenwhizwolfworkyankyawnyell" "yogayurtzapszerozestzinczonezoom";
/* clang-format on */

/* CRC-32, reflected polynomial 0xEDB88320, four bits at a time. */
static const uint32_t CRC_NIBBLE[16] = {
        0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
        0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
        0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
};

uint32_t
cer_crc32_update(uint32_t crc, const uint8_t *buf, size_t len)
{
	size_t i;

	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= buf[i];
		crc = (crc >> 4) ^ CRC_NIBBLE[crc & 0x0f];
		crc = (crc >> 4) ^ CRC_NIBBLE[crc & 0x0f];
	}
	return ~crc;
}

uint32_t
cer_crc32(const uint8_t *buf, size_t len)
{
	return cer_crc32_update(0, buf, len);
}

const char *
cer_bytewords_word(uint8_t b)
{
	return &WORDS[4 * (size_t)b];
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The byte whose word starts with first and ends with last, or -1. */
static int
pair_lookup(char first, char last)
{
	size_t lo = 0, hi = 256, mid;

	while (lo < hi) { /* first word whose initial is >= first */
		mid = lo + (hi - lo) / 2;
		if (WORDS[4 * mid] < first)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < 256 && WORDS[4 * lo] == first; lo++) {
		if (WORDS[4 * lo + 3] == last)
			return (int)lo;
	}
	return -1;
}

/* Decodes one word of wlen (2 or 4) letters at w; returns the byte or -1. */
static int
word_lookup(const char *w, size_t wlen)
{
	char c[4];
	size_t i;
	int b;

	for (i = 0; i < wlen; i++) {
		c[i] = lower(w[i]);
		if (c[i] < 'a' || c[i] > 'z')
			return -1;
	}
	b = pair_lookup(c[0], c[wlen - 1]);
	if (b < 0 || wlen == 2)
		return b;
	if (WORDS[4 * b + 1] != c[1] || WORDS[4 * b + 2] != c[2])
		return -1;
	return b;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
cer_bytewords_encode(enum cer_bytewords_style style, const uint8_t *buf, size_t len, char **out)
{
	uint8_t crc[CER_BYTEWORDS_CRC_LEN];
	size_t n, per, i, pos = 0;
	char *s, sep;
	const char *w;

	*out = NULL;
	if (style != CER_BYTEWORDS_STANDARD && style != CER_BYTEWORDS_URI &&
	    style != CER_BYTEWORDS_MINIMAL)
		return custos_err_set(CUSTOS_EINVAL, "unknown Bytewords style %d", (int)style);
	if (len > (SIZE_MAX - 16) / 5)
		return custos_err_set(CUSTOS_ETOOBIG, "%zu bytes are too many to encode", len);
	put_be32(crc, cer_crc32(buf, len));
	n = len + CER_BYTEWORDS_CRC_LEN;
	per = style == CER_BYTEWORDS_MINIMAL ? 2 : 5;
	sep = style == CER_BYTEWORDS_URI ? '-' : ' ';
	if ((s = malloc(n * per + 1)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "Bytewords text of %zu bytes", len);
	for (i = 0; i < n; i++) {
		w = cer_bytewords_word(i < len ? buf[i] : crc[i - len]);
		if (style == CER_BYTEWORDS_MINIMAL) {
			s[pos++] = w[0];
			s[pos++] = w[3];
			continue;
		}
		if (i > 0)
			s[pos++] = sep;
		memcpy(s + pos, w, 4);
		pos += 4;
	}
	s[pos] = '\0';
	*out = s;
	return 0;
}

/* Number of words in text, checking the separators; 0 when malformed. */
static size_t
count_words(enum cer_bytewords_style style, const char *text, size_t len)
{
	char sep = style == CER_BYTEWORDS_URI ? '-' : ' ';
	size_t i;

	if (style == CER_BYTEWORDS_MINIMAL)
		return len % 2 == 0 ? len / 2 : 0;
	if (len % 5 != 4)
		return 0;
	for (i = 4; i < len; i += 5) {
		if (text[i] != sep)
			return 0;
	}
	return len / 5 + 1;
}

int
cer_bytewords_decode(enum cer_bytewords_style style, const char *text, size_t text_len,
                     uint8_t **out, size_t *out_len)
{
	size_t n, i, wlen, step;
	uint8_t *buf = NULL;
	uint32_t want, got;
	int b, r;

	*out = NULL;
	*out_len = 0;
	if (style != CER_BYTEWORDS_STANDARD && style != CER_BYTEWORDS_URI &&
	    style != CER_BYTEWORDS_MINIMAL)
		return custos_err_set(CUSTOS_EINVAL, "unknown Bytewords style %d", (int)style);
	wlen = style == CER_BYTEWORDS_MINIMAL ? 2 : 4;
	step = style == CER_BYTEWORDS_MINIMAL ? 2 : 5;
	n = count_words(style, text, text_len);
	if (n == 0)
		return custos_err_set(
		        CUSTOS_EFORMAT,
		        "Bytewords text of %zu characters is not a whole number of words",
		        text_len);
	if (n < CER_BYTEWORDS_CRC_LEN + 1)
		return custos_err_set(CUSTOS_EFORMAT, "Bytewords text too short (%zu words)", n);
	if ((buf = malloc(n)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "Bytewords body of %zu bytes", n);
	for (i = 0; i < n; i++) {
		if ((b = word_lookup(text + i * step, wlen)) < 0) {
			r = custos_err_set(CUSTOS_EWORD,
			                   "Bytewords word %zu (character %zu) is not valid", i + 1,
			                   i * step + 1);
			goto out;
		}
		buf[i] = (uint8_t)b;
	}
	n -= CER_BYTEWORDS_CRC_LEN;
	want = (uint32_t)buf[n] << 24 | (uint32_t)buf[n + 1] << 16 | (uint32_t)buf[n + 2] << 8 |
	       buf[n + 3];
	got = cer_crc32(buf, n);
	if (want != got) {
		r = custos_err_set(CUSTOS_ECHECKSUM,
		                   "Bytewords CRC-32 is %08x, body hashes to %08x", (unsigned)want,
		                   (unsigned)got);
		goto out;
	}
	*out = buf;
	*out_len = n;
	buf = NULL; /* transferred */
	r = 0;
out:
	free(buf);
	return r;
}
