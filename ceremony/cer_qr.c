/*
 * cer_qr: QR module matrices, PNG files and terminal text (see the header).
 *
 * The PNG writer follows RFC 2083 / ISO 15948 at its simplest: one IHDR
 * (1-bit grayscale, no interlace), one IDAT holding a zlib stream (RFC 1950)
 * of deflate "stored" blocks (RFC 1951 section 3.2.4), IEND.  Each scanline
 * starts with filter type 0.  The chunk CRC is the same CRC-32 as Bytewords'.
 */
#include "ceremony/cer_qr.h"

#include <ctype.h>
#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_bytewords.h"
#include "ceremony/cer_ur.h"

#define MAX_SCALE 16
#define MAX_QUIET 16
#define ALNUM_MAX 4296 /* version 40-L */

int
cer_qr_ec_from_name(const char *name, enum cer_qr_ec *out)
{
	static const char names[] = "LMQH";
	const char *p = NULL;

	if (name != NULL && name[0] != '\0' && name[1] == '\0')
		p = strchr(names, toupper((unsigned char)name[0]));
	if (p == NULL)
		return custos_err_set(CUSTOS_EINVAL,
		                      "error correction level '%s' is not L, M, Q or H",
		                      name != NULL ? name : "");
	*out = (enum cer_qr_ec)(p - names);
	return 0;
}

static QRecLevel
level_of(enum cer_qr_ec ec)
{
	switch (ec) {
	case CER_QR_EC_M:
		return QR_ECLEVEL_M;
	case CER_QR_EC_Q:
		return QR_ECLEVEL_Q;
	case CER_QR_EC_H:
		return QR_ECLEVEL_H;
	default:
		return QR_ECLEVEL_L;
	}
}

void
cer_qr_free(struct cer_qr *qr)
{
	if (qr == NULL)
		return;
	free(qr->modules);
	free(qr);
}

/* Takes libqrencode's result (NULL: its errno says why) and checks the version limit. */
static int
from_qrcode(QRcode *code, int max_version, size_t len, struct cer_qr **out)
{
	struct cer_qr *qr = NULL;
	size_t i, n;
	int r;

	if (code == NULL) {
		if (errno == ERANGE)
			return custos_err_set(CUSTOS_ETOOBIG, "%zu bytes do not fit a QR code",
			                      len);
		if (errno == ENOMEM)
			return custos_err_set(CUSTOS_ENOMEM, "QR code");
		return custos_err_set(CUSTOS_EINVAL, "libqrencode refused %zu bytes", len);
	}
	if (code->version > max_version) {
		r = custos_err_set(CUSTOS_ETOOBIG,
		                   "%zu bytes need a version %d QR code; the limit is %d", len,
		                   code->version, max_version);
		goto out;
	}
	n = (size_t)code->width;
	if ((qr = calloc(1, sizeof(*qr))) == NULL || (qr->modules = malloc(n * n)) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "QR code");
		goto out;
	}
	for (i = 0; i < n * n; i++)
		qr->modules[i] = code->data[i] & 1;
	qr->version = code->version;
	qr->width = n;
	*out = qr;
	qr = NULL; /* transferred */
	r = 0;
out:
	cer_qr_free(qr);
	QRcode_free(code);
	return r;
}

int
cer_qr_encode_bytes(const uint8_t *data, size_t len, enum cer_qr_ec ec, int max_version,
                    struct cer_qr **out)
{
	*out = NULL;
	if (max_version < 1 || max_version > CER_QR_VERSION_MAX)
		return custos_err_set(CUSTOS_EINVAL, "QR version limit %d is not 1..40",
		                      max_version);
	if (len == 0 || len > 8192)
		return custos_err_set(len == 0 ? CUSTOS_EINVAL : CUSTOS_ETOOBIG,
		                      "%zu bytes for one QR code", len);
	errno = 0;
	return from_qrcode(QRcode_encodeData((int)len, data, 0, level_of(ec)), max_version, len,
	                   out);
}

static int
is_alnum_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c != '\0' && strchr(" $%*+-./:", c));
}

/* Alphanumeric mode throughout, version 0 (the smallest that holds it). */
static QRcode *
encode_alnum(const char *text, size_t len, enum cer_qr_ec ec)
{
	QRinput *in = QRinput_new2(0, level_of(ec));
	QRcode *code = NULL;

	if (in != NULL &&
	    QRinput_append(in, QR_MODE_AN, (int)len, (const unsigned char *)text) == 0)
		code = QRcode_encodeInput(in);
	QRinput_free(in);
	return code;
}

int
cer_qr_encode_alnum(const char *text, enum cer_qr_ec ec, int max_version, struct cer_qr **out)
{
	size_t i, len = strlen(text);

	*out = NULL;
	if (max_version < 1 || max_version > CER_QR_VERSION_MAX)
		return custos_err_set(CUSTOS_EINVAL, "QR version limit %d is not 1..40",
		                      max_version);
	if (len == 0 || len > ALNUM_MAX)
		return custos_err_set(len == 0 ? CUSTOS_EINVAL : CUSTOS_ETOOBIG,
		                      "%zu characters for one QR code", len);
	for (i = 0; i < len; i++)
		if (!is_alnum_char(text[i]))
			return custos_err_set(CUSTOS_EINVAL,
			                      "character %zu is not a QR alphanumeric character",
			                      i + 1);
	errno = 0;
	return from_qrcode(encode_alnum(text, len, ec), max_version, len, out);
}

/* 1 when n alphanumeric characters fit version v at ec. */
static int
alnum_fits(char *buf, size_t n, int v, enum cer_qr_ec ec)
{
	QRcode *code;
	int fits;

	buf[n] = '\0';
	code = encode_alnum(buf, n, ec);
	fits = code != NULL && code->version <= v;
	QRcode_free(code);
	buf[n] = 'A';
	return fits;
}

size_t
cer_qr_alnum_capacity(int version, enum cer_qr_ec ec)
{
	char *buf;
	size_t lo = 0, hi = ALNUM_MAX, mid;

	if (version < 1 || version > CER_QR_VERSION_MAX || (buf = malloc(ALNUM_MAX + 1)) == NULL)
		return 0;
	memset(buf, 'A', ALNUM_MAX + 1);
	/* Invariant: lo characters fit (0 trivially), hi + 1 do not (4297 never fits). */
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (alnum_fits(buf, mid, version, ec))
			lo = mid;
		else
			hi = mid - 1;
	}
	free(buf);
	return lo;
}

static size_t
cbor_head_len(size_t n)
{
	return n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
}

size_t
cer_qr_ur_fragment_len(int max_version, enum cer_qr_ec ec)
{
	/*
	 * The longest part of a fragment of f bytes: "UR:BYTES/" (9), the
	 * sequence "4294967295-65536/" (17), the CRC-32 words (8), and two
	 * letters a byte of the CBOR [seqNum, seqLen, messageLen, checksum,
	 * fragment]: array head 1, four integers of at most 5, byte string head.
	 */
	size_t cap = cer_qr_alnum_capacity(max_version, ec), f;

	for (f = cap / 2; f >= CER_UR_MIN_FRAGMENT_DEFAULT; f--)
		if (9 + 17 + 8 + 2 * (1 + 4 * 5 + cbor_head_len(f) + f) <= cap)
			return f;
	return 0;
}

int
cer_qr_version_for_screen(size_t cols, size_t lines, unsigned quiet)
{
	int v;
	size_t side;

	for (v = CER_QR_VERSION_MAX; v >= 1; v--) {
		side = 17 + 4 * (size_t)v + 2 * (size_t)quiet;
		if (side <= cols && (side + 1) / 2 <= lines)
			return v;
	}
	return 0;
}

/* --- PNG ------------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void
put(struct buf *b, const void *data, size_t n)
{
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
put32(struct buf *b, uint32_t v)
{
	uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	put(b, be, 4);
}

/* Writes a chunk's length and type, then data, then CRC-32 over type and data. */
static void
put_chunk(struct buf *b, const char type[4], const uint8_t *data, size_t n)
{
	size_t start;

	put32(b, (uint32_t)n);
	start = b->len;
	put(b, type, 4);
	if (n > 0)
		put(b, data, n);
	put32(b, cer_crc32(b->p + start, 4 + n));
}

static uint32_t
adler32(const uint8_t *p, size_t n)
{
	uint32_t a = 1, s = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		a = (a + p[i]) % 65521;
		s = (s + a) % 65521;
	}
	return s << 16 | a;
}

/* 1 when the module at (x, y) of the bordered code is dark. */
static int
dark_at(const struct cer_qr *qr, unsigned quiet, size_t x, size_t y)
{
	if (x < quiet || y < quiet || x - quiet >= qr->width || y - quiet >= qr->width)
		return 0;
	return qr->modules[(y - quiet) * qr->width + (x - quiet)];
}

/* The raw image: per scanline a filter byte 0 then the 1-bit pixels, 1 = white. */
static uint8_t *
raster(const struct cer_qr *qr, unsigned scale, unsigned quiet, size_t side, size_t *len)
{
	size_t stride = 1 + (side + 7) / 8, y, x;
	uint8_t *img = malloc(stride * side), *row;

	if (img == NULL)
		return NULL;
	for (y = 0; y < side; y++) {
		row = img + y * stride;
		memset(row, 0, stride);
		for (x = 0; x < side; x++)
			if (!dark_at(qr, quiet, x / scale, y / scale))
				row[1 + x / 8] |= (uint8_t)(0x80u >> (x % 8));
	}
	*len = stride * side;
	return img;
}

int
cer_qr_png(const struct cer_qr *qr, unsigned scale, unsigned quiet, uint8_t **png, size_t *len)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	struct buf b = {0}, z = {0};
	uint8_t ihdr[13], *img = NULL;
	size_t side, n, off, blk, nblocks;
	int r = 0;

	*png = NULL;
	*len = 0;
	if (scale < 1 || scale > MAX_SCALE || quiet > MAX_QUIET)
		return custos_err_set(CUSTOS_EINVAL, "PNG scale %u (1..16), margin %u (0..16)",
		                      scale, quiet);
	side = (qr->width + 2 * quiet) * scale;
	if (side > CER_QR_PNG_MAX_SIDE)
		return custos_err_set(CUSTOS_EINVAL, "PNG of %zu pixels a side is too large", side);
	if ((img = raster(qr, scale, quiet, side, &n)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "PNG");
	nblocks = n / 65535 + 1;
	z.cap = 2 + n + 5 * nblocks + 4;
	b.cap = sizeof(sig) + (12 + 13) + (12 + z.cap) + 12;
	if ((z.p = malloc(z.cap)) == NULL || (b.p = malloc(b.cap)) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "PNG");
		goto out;
	}
	put(&z, "\x78\x01", 2); /* deflate, 32K window, no dictionary, fastest */
	for (off = 0; off < n; off += blk) {
		blk = n - off > 65535 ? 65535 : n - off;
		uint8_t hdr[5] = {(uint8_t)(off + blk == n), (uint8_t)blk, (uint8_t)(blk >> 8),
		                  (uint8_t)~blk, (uint8_t)(~blk >> 8)};
		put(&z, hdr, 5);
		put(&z, img + off, blk);
	}
	put32(&z, adler32(img, n));
	ihdr[0] = (uint8_t)(side >> 24);
	ihdr[1] = (uint8_t)(side >> 16);
	ihdr[2] = (uint8_t)(side >> 8);
	ihdr[3] = (uint8_t)side;
	memcpy(ihdr + 4, ihdr, 4);
	memcpy(ihdr + 8, "\x01\x00\x00\x00\x00",
	       5); /* bit depth 1, grayscale, deflate, filter 0, no interlace */
	put(&b, sig, sizeof(sig));
	put_chunk(&b, "IHDR", ihdr, sizeof(ihdr));
	put_chunk(&b, "IDAT", z.p, z.len);
	put_chunk(&b, "IEND", NULL, 0);
	*png = b.p;
	*len = b.len;
	b.p = NULL; /* transferred */
out:
	free(img);
	free(z.p);
	free(b.p);
	return r;
}

/* --- terminal text ------------------------------------------------------------ */

int
cer_qr_text(const struct cer_qr *qr, unsigned quiet, enum cer_qr_text_style style, char **text,
            size_t *cols, size_t *lines)
{
	/* Indexed by (upper shown) << 1 | (lower shown). */
	static const char *const cell[4] = {" ", "\xe2\x96\x84", "\xe2\x96\x80", "\xe2\x96\x88"};
	size_t side, nlines, x, y, off = 0, cap;
	int up, low, want = style == CER_QR_TEXT_DARK_ON_LIGHT;
	const char *c;
	char *s;

	*text = NULL;
	if (quiet > MAX_QUIET ||
	    (style != CER_QR_TEXT_LIGHT_ON_DARK && style != CER_QR_TEXT_DARK_ON_LIGHT))
		return custos_err_set(CUSTOS_EINVAL, "QR text margin %u or style %d", quiet,
		                      (int)style);
	side = qr->width + 2 * (size_t)quiet;
	nlines = (side + 1) / 2;
	cap = nlines * (3 * side + 1) + 1;
	if ((s = malloc(cap)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "QR text");
	for (y = 0; y < side; y += 2) {
		for (x = 0; x < side; x++) {
			/* A half is shown (drawn in the foreground) when its darkness is the wanted
			 * one. */
			up = dark_at(qr, quiet, x, y) == want;
			/* Below an odd last row: nothing drawn, the terminal's background. */
			low = y + 1 < side && dark_at(qr, quiet, x, y + 1) == want;
			c = cell[up << 1 | low];
			memcpy(s + off, c, strlen(c));
			off += strlen(c);
		}
		s[off++] = '\n';
	}
	s[off] = '\0';
	*text = s;
	if (cols != NULL)
		*cols = side;
	if (lines != NULL)
		*lines = nlines;
	return 0;
}
