/*
 * cer_ur: UR strings around the fountain code (see the header for the format
 * and the invariants).
 *
 * Parsing works on the caller's string in place (no copy, no case folding of
 * the whole string): the scheme and type are compared without regard to case,
 * and the Bytewords decoder folds case itself.
 */
#include "ceremony/cer_ur.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_bytewords.h"
#include "ceremony/cer_ur_cbor.h"

/* --- encoding ---------------------------------------------------------------- */

/* "ur:bytes/" + seq (when not NULL) + "/" + minimal Bytewords of buf. */
static int
format_ur(const char *seq, const uint8_t *buf, size_t len, char **out)
{
	char *words = NULL, *s = NULL;
	size_t n;
	int r, w;

	*out = NULL;
	if ((r = cer_bytewords_encode(CER_BYTEWORDS_MINIMAL, buf, len, &words)) != 0)
		return r;
	n = sizeof("ur:" CER_UR_TYPE "/") + (seq != NULL ? strlen(seq) + 1 : 0) + strlen(words);
	if ((s = malloc(n)) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "UR of %zu bytes", len);
		goto out;
	}
	w = snprintf(s, n, "ur:%s/%s%s%s", CER_UR_TYPE, seq != NULL ? seq : "",
	             seq != NULL ? "/" : "", words);
	if (w < 0 || (size_t)w >= n) {
		r = custos_err_set(CUSTOS_EINTERNAL, "UR formatting truncated");
		goto out;
	}
	*out = s;
	s = NULL; /* transferred */
	r = 0;
out:
	free(words);
	free(s);
	return r;
}

int
cer_ur_encode_single(const uint8_t *msg, size_t len, char **out)
{
	uint8_t *cbor = NULL;
	size_t clen;
	int r;

	*out = NULL;
	if (len > CER_UR_MAX_MESSAGE)
		return custos_err_set(CUSTOS_ETOOBIG,
		                      "message of %zu bytes is over the limit of %zu", len,
		                      CER_UR_MAX_MESSAGE);
	if ((r = cer_ur_cbor_wrap_bytes(msg, len, &cbor, &clen)) != 0)
		return r;
	r = format_ur(NULL, cbor, clen, out);
	free(cbor);
	return r;
}

struct cer_ur_encoder {
	struct cer_fountain_encoder *fountain;
	char *single; /* the single-part UR, when seqLen is 1 */
};

void
cer_ur_encoder_free(struct cer_ur_encoder *enc)
{
	if (enc == NULL)
		return;
	cer_fountain_encoder_free(enc->fountain);
	free(enc->single);
	free(enc);
}

int
cer_ur_encoder_new(const uint8_t *msg, size_t len, size_t max_fragment_len, size_t min_fragment_len,
                   uint32_t first_seq_num, struct cer_ur_encoder **out)
{
	struct cer_ur_encoder *enc = NULL;
	uint8_t *cbor = NULL;
	size_t clen;
	int r;

	*out = NULL;
	if (len > CER_UR_MAX_MESSAGE)
		return custos_err_set(CUSTOS_ETOOBIG,
		                      "message of %zu bytes is over the limit of %zu", len,
		                      CER_UR_MAX_MESSAGE);
	if ((r = cer_ur_cbor_wrap_bytes(msg, len, &cbor, &clen)) != 0)
		return r;
	if ((enc = calloc(1, sizeof(*enc))) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "UR encoder");
		goto out;
	}
	if ((r = cer_fountain_encoder_new(cbor, clen, max_fragment_len, min_fragment_len,
	                                  first_seq_num, &enc->fountain)) != 0)
		goto out;
	if (cer_fountain_encoder_seq_len(enc->fountain) == 1 &&
	    (r = format_ur(NULL, cbor, clen, &enc->single)) != 0)
		goto out;
	*out = enc;
	enc = NULL; /* transferred */
	r = 0;
out:
	free(cbor);
	cer_ur_encoder_free(enc);
	return r;
}

int
cer_ur_encoder_next_part(struct cer_ur_encoder *enc, char **part)
{
	struct cer_fountain_part p;
	uint8_t *cbor = NULL;
	char seq[32];
	size_t clen;
	int r, w;

	*part = NULL;
	if ((r = cer_fountain_encoder_next(enc->fountain, &p)) != 0)
		return r;
	if (enc->single != NULL) {
		if ((*part = strdup(enc->single)) == NULL)
			return custos_err_set(CUSTOS_ENOMEM, "UR part");
		return 0;
	}
	w = snprintf(seq, sizeof(seq), "%u-%u", (unsigned)p.seq_num, (unsigned)p.seq_len);
	if (w < 0 || (size_t)w >= sizeof(seq))
		return custos_err_set(CUSTOS_EINTERNAL, "UR sequence formatting truncated");
	if ((r = cer_fountain_part_to_cbor(&p, &cbor, &clen)) != 0)
		return r;
	r = format_ur(seq, cbor, clen, part);
	free(cbor);
	return r;
}

size_t
cer_ur_encoder_seq_len(const struct cer_ur_encoder *enc)
{
	return cer_fountain_encoder_seq_len(enc->fountain);
}

/* --- parsing ------------------------------------------------------------------ */

struct ur_text {
	const char *body; /* Bytewords */
	size_t body_len;
	int multi;        /* a seq component was present */
	uint32_t seq_num; /* when multi */
	uint64_t seq_len;
};

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of n characters of s with lower-case lit. */
static int
equals_ci(const char *s, size_t n, const char *lit)
{
	size_t i;

	if (strlen(lit) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (lower(s[i]) != lit[i])
			return 0;
	}
	return 1;
}

static int
check_type(const char *t, size_t n)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = lower(t[i]);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return custos_err_set(CUSTOS_EFORMAT, "UR type has a character other than "
			                                      "letters, digits and '-'");
	}
	if (n == 0)
		return custos_err_set(CUSTOS_EFORMAT, "UR has an empty type");
	if (!equals_ci(t, n, CER_UR_TYPE))
		return custos_err_set(CUSTOS_EFORMAT, "UR type '%.*s' is not supported (only '%s')",
		                      n > 32 ? 32 : (int)n, t, CER_UR_TYPE);
	return 0;
}

/* Decimal of 1..10 digits at s (n characters) into *v. */
static int
parse_decimal(const char *s, size_t n, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

/* "<seqNum>-<seqLen>" of n characters. */
static int
parse_seq(const char *s, size_t n, struct ur_text *t)
{
	const char *dash = memchr(s, '-', n);
	uint64_t num, len;

	if (dash == NULL || parse_decimal(s, (size_t)(dash - s), &num) != 0 ||
	    parse_decimal(dash + 1, n - (size_t)(dash - s) - 1, &len) != 0)
		return custos_err_set(
		        CUSTOS_EFORMAT,
		        "UR sequence is not <number>-<number> of up to 10 digits each");
	if (num == 0 || len == 0)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "UR sequence %llu-%llu: numbering starts at 1",
		                      (unsigned long long)num, (unsigned long long)len);
	if (num > UINT32_MAX)
		return custos_err_set(CUSTOS_EFORMAT, "UR sequence number %llu is over 2^32 - 1",
		                      (unsigned long long)num);
	if (len > CER_UR_MAX_SEQ_LEN)
		return custos_err_set(CUSTOS_ETOOBIG, "UR of %llu parts is over the limit of %zu",
		                      (unsigned long long)len, CER_UR_MAX_SEQ_LEN);
	t->multi = 1;
	t->seq_num = (uint32_t)num;
	t->seq_len = len;
	return 0;
}

/* Splits "ur:bytes/[seq/]body" (white space around it ignored). */
static int
parse_text(const char *s, struct ur_text *t)
{
	const char *end = s + strlen(s), *slash, *slash2;
	int r;

	memset(t, 0, sizeof(*t));
	while (s < end && is_space(*s))
		s++;
	while (end > s && is_space(end[-1]))
		end--;
	if (end - s < 3 || !equals_ci(s, 3, "ur:"))
		return custos_err_set(CUSTOS_EFORMAT, "not a UR: it does not begin with 'ur:'");
	s += 3;
	if ((slash = memchr(s, '/', (size_t)(end - s))) == NULL)
		return custos_err_set(CUSTOS_EFORMAT, "UR has a type but no body");
	if ((r = check_type(s, (size_t)(slash - s))) != 0)
		return r;
	s = slash + 1;
	if ((slash2 = memchr(s, '/', (size_t)(end - s))) != NULL) {
		if (memchr(slash2 + 1, '/', (size_t)(end - slash2 - 1)) != NULL)
			return custos_err_set(CUSTOS_EFORMAT, "UR has too many path components");
		if ((r = parse_seq(s, (size_t)(slash2 - s), t)) != 0)
			return r;
		s = slash2 + 1;
	}
	if (s == end)
		return custos_err_set(CUSTOS_EFORMAT, "UR has an empty body");
	t->body = s;
	t->body_len = (size_t)(end - s);
	return 0;
}

/* The payload inside a whole message: one CBOR byte string within the limit. */
static int
unwrap_payload(const uint8_t *cbor, size_t len, const uint8_t **payload, size_t *plen)
{
	int r;

	if ((r = cer_ur_cbor_unwrap_bytes(cbor, len, payload, plen)) != 0)
		return r;
	if (*plen > CER_UR_MAX_MESSAGE) {
		r = custos_err_set(CUSTOS_ETOOBIG, "payload of %zu bytes is over the limit of %zu",
		                   *plen, CER_UR_MAX_MESSAGE);
		*payload = NULL;
		*plen = 0;
		return r;
	}
	return 0;
}

/* --- decoding ----------------------------------------------------------------- */

struct cer_ur_decoder {
	struct cer_fountain_decoder *fountain;
	int spent; /* 0, or the code every later call returns */
};

int
cer_ur_decoder_new(struct cer_ur_decoder **out)
{
	struct cer_ur_decoder *dec;
	int r;

	*out = NULL;
	if ((dec = calloc(1, sizeof(*dec))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "UR decoder");
	if ((r = cer_fountain_decoder_new(&dec->fountain)) != 0) {
		free(dec);
		return r;
	}
	*out = dec;
	return 0;
}

void
cer_ur_decoder_free(struct cer_ur_decoder *dec)
{
	if (dec == NULL)
		return;
	cer_fountain_decoder_free(dec->fountain);
	free(dec);
}

static int
receive_multi(struct cer_ur_decoder *dec, const struct ur_text *t, const uint8_t *cbor, size_t len)
{
	struct cer_fountain_part p;
	const uint8_t *msg, *payload;
	size_t mlen, plen;
	int r, was_complete = cer_fountain_decoder_is_complete(dec->fountain);

	if ((r = cer_fountain_part_from_cbor(cbor, len, &p)) != 0)
		return r;
	if (p.seq_num != t->seq_num || p.seq_len != t->seq_len)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "UR path says part %u-%llu, the part inside is %u-%u",
		                      (unsigned)t->seq_num, (unsigned long long)t->seq_len,
		                      (unsigned)p.seq_num, (unsigned)p.seq_len);
	if ((r = cer_fountain_decoder_receive(dec->fountain, &p)) != 0) {
		if (r == CUSTOS_ECHECKSUM)
			dec->spent = r;
		return r;
	}
	if (was_complete || !cer_fountain_decoder_is_complete(dec->fountain))
		return 0;
	/* This part completed the message: it must be one CBOR byte string. */
	if ((r = cer_fountain_decoder_message(dec->fountain, &msg, &mlen)) != 0 ||
	    (r = unwrap_payload(msg, mlen, &payload, &plen)) != 0) {
		dec->spent = r;
		return r;
	}
	return 0;
}

static int
receive_single(struct cer_ur_decoder *dec, const uint8_t *cbor, size_t len)
{
	const uint8_t *payload;
	size_t plen;
	int r;

	if ((r = unwrap_payload(cbor, len, &payload, &plen)) != 0)
		return r;
	return cer_fountain_decoder_receive_whole(dec->fountain, cbor, len);
}

int
cer_ur_decoder_receive(struct cer_ur_decoder *dec, const char *part)
{
	struct ur_text t;
	uint8_t *cbor = NULL;
	size_t len;
	int r;

	if (dec->spent != 0)
		return custos_err_set(dec->spent, "the decoder is spent: %s; start again",
		                      dec->spent == CUSTOS_ECHECKSUM
		                              ? "the reassembled message failed its CRC-32"
		                              : "the reassembled message is not a byte string");
	if ((r = parse_text(part, &t)) != 0)
		return r;
	if ((r = cer_bytewords_decode(CER_BYTEWORDS_MINIMAL, t.body, t.body_len, &cbor, &len)) != 0)
		return r;
	if (t.multi)
		r = receive_multi(dec, &t, cbor, len);
	else
		r = receive_single(dec, cbor, len);
	free(cbor);
	return r;
}

void
cer_ur_decoder_progress(const struct cer_ur_decoder *dec, size_t *known, size_t *needed)
{
	size_t k, n;

	cer_fountain_decoder_progress(dec->fountain, &k, &n);
	if (known != NULL)
		*known = k;
	if (needed != NULL)
		*needed = n;
}

int
cer_ur_decoder_is_complete(const struct cer_ur_decoder *dec)
{
	return dec->spent == 0 && cer_fountain_decoder_is_complete(dec->fountain);
}

int
cer_ur_decoder_result(const struct cer_ur_decoder *dec, uint8_t **msg, size_t *len)
{
	const uint8_t *whole, *payload;
	size_t wlen, plen;
	int r;

	*msg = NULL;
	*len = 0;
	if (dec->spent != 0)
		return custos_err_set(dec->spent, "the decoder is spent; start again");
	if ((r = cer_fountain_decoder_message(dec->fountain, &whole, &wlen)) != 0 ||
	    (r = unwrap_payload(whole, wlen, &payload, &plen)) != 0)
		return r;
	if ((*msg = malloc(plen > 0 ? plen : 1)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "payload of %zu bytes", plen);
	if (plen > 0)
		memcpy(*msg, payload, plen);
	*len = plen;
	return 0;
}
