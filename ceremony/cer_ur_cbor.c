/*
 * cer_ur_cbor: minimal deterministic CBOR (see the header for the invariants).
 *
 * A head is one initial byte (major type in the top 3 bits, additional
 * information in the low 5) followed by 0, 1, 2, 4 or 8 big-endian bytes of
 * argument.  Additional information 28..30 is reserved and 31 means an
 * indefinite length; UR never needs either, so both are refused.
 */
#include "ceremony/cer_ur_cbor.h"

#include <stdlib.h>
#include <string.h>

size_t
cer_ur_cbor_head_len(uint64_t v)
{
	if (v < 24)
		return 1;
	if (v <= UINT8_MAX)
		return 2;
	if (v <= UINT16_MAX)
		return 3;
	if (v <= UINT32_MAX)
		return 5;
	return 9;
}

size_t
cer_ur_cbor_put_head(uint8_t *out, unsigned major, uint64_t v)
{
	size_t n = cer_ur_cbor_head_len(v), i;
	uint8_t info;

	switch (n) {
	case 1:
		info = (uint8_t)v;
		break;
	case 2:
		info = 24;
		break;
	case 3:
		info = 25;
		break;
	case 5:
		info = 26;
		break;
	default:
		info = 27;
		break;
	}
	out[0] = (uint8_t)((major & 7u) << 5 | info);
	for (i = 1; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return n;
}

int
cer_ur_cbor_get_head(const uint8_t *buf, size_t len, size_t *pos, unsigned major, uint64_t *v)
{
	size_t p = *pos, extra, i;
	uint64_t val;
	uint8_t info;

	*v = 0;
	if (p >= len)
		return custos_err_set(CUSTOS_EFORMAT, "CBOR ends at byte %zu, a head was expected",
		                      p);
	if ((unsigned)(buf[p] >> 5) != major)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "CBOR byte %zu has major type %u, expected %u", p,
		                      (unsigned)(buf[p] >> 5), major);
	info = buf[p] & 0x1f;
	if (info < 24) {
		*v = info;
		*pos = p + 1;
		return 0;
	}
	if (info > 27)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "CBOR byte %zu: indefinite or reserved length (%u)", p,
		                      (unsigned)info);
	extra = (size_t)1 << (info - 24); /* 1, 2, 4 or 8 */
	if (len - p - 1 < extra)
		return custos_err_set(CUSTOS_EFORMAT, "CBOR head at byte %zu is truncated", p);
	for (val = 0, i = 0; i < extra; i++)
		val = val << 8 | buf[p + 1 + i];
	if (cer_ur_cbor_head_len(val) != extra + 1)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "CBOR head at byte %zu is not in shortest form", p);
	*v = val;
	*pos = p + 1 + extra;
	return 0;
}

int
cer_ur_cbor_get_bytes(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **data,
                      size_t *dlen)
{
	size_t p = *pos;
	uint64_t n;
	int r;

	*data = NULL;
	*dlen = 0;
	if ((r = cer_ur_cbor_get_head(buf, len, &p, CER_UR_CBOR_BYTES, &n)) != 0)
		return r;
	if (n > len - p) /* p <= len after a successful head */
		return custos_err_set(CUSTOS_EFORMAT,
		                      "CBOR byte string of %llu bytes, only %zu bytes follow",
		                      (unsigned long long)n, len - p);
	*data = buf + p;
	*dlen = (size_t)n;
	*pos = p + (size_t)n;
	return 0;
}

int
cer_ur_cbor_wrap_bytes(const uint8_t *msg, size_t len, uint8_t **out, size_t *out_len)
{
	size_t h;
	uint8_t *b;

	*out = NULL;
	*out_len = 0;
	if (len > SIZE_MAX - CER_UR_CBOR_HEAD_MAX)
		return custos_err_set(CUSTOS_ETOOBIG, "%zu bytes are too many for CBOR", len);
	h = cer_ur_cbor_head_len(len);
	if ((b = malloc(h + len)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "CBOR of %zu bytes", len);
	(void)cer_ur_cbor_put_head(b, CER_UR_CBOR_BYTES, len);
	if (len > 0)
		memcpy(b + h, msg, len);
	*out = b;
	*out_len = h + len;
	return 0;
}

int
cer_ur_cbor_unwrap_bytes(const uint8_t *cbor, size_t len, const uint8_t **payload, size_t *plen)
{
	size_t pos = 0;
	int r;

	if ((r = cer_ur_cbor_get_bytes(cbor, len, &pos, payload, plen)) != 0)
		return r;
	if (pos != len) {
		*payload = NULL;
		*plen = 0;
		return custos_err_set(CUSTOS_EFORMAT, "%zu bytes follow the CBOR byte string",
		                      len - pos);
	}
	return 0;
}
