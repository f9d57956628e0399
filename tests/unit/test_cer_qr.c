/*
 * cer_qr: capacities against the QR standard's table, UR fragment sizes that
 * always fit, the PNG writer read back byte by byte (chunks, CRCs, zlib
 * stored blocks, Adler-32, pixels), the terminal text read back module by
 * module in both styles, the reference's UR vector parts through QR and PNG
 * to zbarimg, and the refusals.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "ceremony/cer_bytewords.h"
#include "ceremony/cer_export.h"
#include "ceremony/cer_qr.h"
#include "ceremony/cer_ur.h"
#include "harness.h"

static void
test_alnum_capacity_table(void)
{
	/* ISO/IEC 18004 table 7, alphanumeric mode (v25 from its data codewords 1276/1000/718/538).
	 */
	static const struct {
		int version;
		size_t l, m, q, h;
	} table[] = {{1, 25, 20, 16, 10},         {2, 47, 38, 29, 20},
	             {5, 154, 122, 87, 64},       {10, 395, 311, 221, 174},
	             {25, 1853, 1451, 1041, 779}, {40, 4296, 3391, 2420, 1852}};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		CHECK_EQ(cer_qr_alnum_capacity(table[i].version, CER_QR_EC_L), table[i].l);
		CHECK_EQ(cer_qr_alnum_capacity(table[i].version, CER_QR_EC_M), table[i].m);
		CHECK_EQ(cer_qr_alnum_capacity(table[i].version, CER_QR_EC_Q), table[i].q);
		CHECK_EQ(cer_qr_alnum_capacity(table[i].version, CER_QR_EC_H), table[i].h);
	}
	CHECK_EQ(cer_qr_alnum_capacity(0, CER_QR_EC_L), 0);
	CHECK_EQ(cer_qr_alnum_capacity(41, CER_QR_EC_L), 0);
}

static void
test_screen_version(void)
{
	/* 80x24 with a 2-module margin: side <= 80 and (side + 1) / 2 <= 24, so side <= 47: v6
	 * (45). */
	CHECK_EQ(cer_qr_version_for_screen(80, 24, 2), 6);
	CHECK_EQ(cer_qr_version_for_screen(25, 13, 2), 1);
	CHECK_EQ(cer_qr_version_for_screen(24, 13, 2), 0);
	CHECK_EQ(cer_qr_version_for_screen(1000, 1000, 2), 40);
	CHECK_EQ(cer_qr_version_for_screen(21, 11, 0), 1);
}

/* Every part of a message, near the end of the sequence-number range too, fits its version. */
static void
test_ur_fragment_fits(void)
{
	static const int versions[] = {4, 6, 10, 17, 25, 40};
	static const enum cer_qr_ec ecs[] = {CER_QR_EC_L, CER_QR_EC_M, CER_QR_EC_H};
	static const uint32_t firsts[] = {0, 4294967000u};
	struct cer_ur_encoder *enc;
	struct cer_qr *qr;
	uint8_t msg[5000];
	size_t i, v, e, f, k, frag;
	char *part;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	CHECK_EQ(cer_qr_ur_fragment_len(3, CER_QR_EC_L), 0); /* 77 characters: too few */
	for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++)
		for (e = 0; e < sizeof(ecs) / sizeof(ecs[0]); e++) {
			frag = cer_qr_ur_fragment_len(versions[v], ecs[e]);
			if (frag == 0)
				continue; /* 4-H holds no part; fine */
			for (f = 0; f < 2; f++) {
				enc = NULL;
				CHECK_EQ(cer_ur_encoder_new(msg, sizeof(msg), frag,
				                            frag >= 20 ? 10 : frag / 2, firsts[f],
				                            &enc),
				         0);
				for (k = 0; enc != NULL && k < 40; k++) {
					part = NULL;
					qr = NULL;
					CHECK_EQ(cer_ur_encoder_next_part(enc, &part), 0);
					CHECK_EQ(cer_export_ur_qr(part, ecs[e], versions[v], &qr),
					         0);
					CHECK(qr == NULL || qr->version <= versions[v]);
					cer_qr_free(qr);
					free(part);
				}
				cer_ur_encoder_free(enc);
			}
		}
	/* A larger fragment than the one chosen would not always fit (the bound is tight-ish). */
	frag = cer_qr_ur_fragment_len(10, CER_QR_EC_L);
	CHECK(frag > 140 && frag < 200);
}

/* --- PNG read back ------------------------------------------------------------ */

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Parses our PNG (stored deflate only) into a pixel matrix (1 = white); 0 on success. */
static int
png_pixels(const uint8_t *png, size_t len, size_t *side, uint8_t **pix)
{
	size_t off = 8, n, zlen = 0, i, x, y, stride, blk;
	uint8_t *z = NULL, *raw = NULL;
	uint32_t a = 1, b = 0;

	if (len < 8 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0)
		return -1;
	*side = 0;
	while (off + 12 <= len) {
		n = be32(png + off);
		if (off + 12 + n > len ||
		    cer_crc32(png + off + 4, 4 + n) != be32(png + off + 8 + n))
			return -2;
		if (memcmp(png + off + 4, "IHDR", 4) == 0) {
			if (n != 13 || be32(png + off + 8) != be32(png + off + 12) ||
			    memcmp(png + off + 16, "\x01\x00\x00\x00\x00", 5) != 0)
				return -3;
			*side = be32(png + off + 8);
		} else if (memcmp(png + off + 4, "IDAT", 4) == 0) {
			z = realloc(z, zlen + n);
			memcpy(z + zlen, png + off + 8, n);
			zlen += n;
		}
		off += 12 + n;
	}
	stride = 1 + (*side + 7) / 8;
	if (*side == 0 || z == NULL || zlen < 6 || z[0] != 0x78 || (z[0] * 256 + z[1]) % 31 != 0)
		return -4;
	raw = malloc(stride * *side);
	for (off = 2, i = 0;;) { /* stored blocks: header byte, LEN, NLEN, data */
		blk = (size_t)z[off + 1] | (size_t)z[off + 2] << 8;
		if ((z[off] & 6) != 0 ||
		    (blk ^ ((size_t)z[off + 3] | (size_t)z[off + 4] << 8)) != 0xffff ||
		    i + blk > stride * *side)
			return -5;
		memcpy(raw + i, z + off + 5, blk);
		i += blk;
		if (z[off] & 1) {
			off += 5 + blk;
			break;
		}
		off += 5 + blk;
	}
	for (x = 0; x < i; x++) {
		a = (a + raw[x]) % 65521;
		b = (b + a) % 65521;
	}
	if (i != stride * *side || off + 4 != zlen || be32(z + off) != (b << 16 | a))
		return -6;
	*pix = malloc(*side * *side);
	for (y = 0; y < *side; y++) {
		if (raw[y * stride] != 0)
			return -7;
		for (x = 0; x < *side; x++)
			(*pix)[y * *side + x] = (raw[y * stride + 1 + x / 8] >> (7 - x % 8)) & 1;
	}
	free(z);
	free(raw);
	return 0;
}

static void
test_png_read_back(void)
{
	static const unsigned scales[] = {1, 3, 8};
	static const unsigned quiets[] = {0, 4};
	const char *text = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	struct cer_qr *qr = NULL;
	uint8_t *png = NULL, *pix = NULL;
	size_t len = 0, side = 0, s, qz, x, y, mx, my;
	int dark;

	CHECK_EQ(cer_qr_encode_bytes((const uint8_t *)text, strlen(text), CER_QR_EC_M, 40, &qr), 0);
	if (qr == NULL)
		return;
	CHECK_EQ(qr->width, 17 + 4 * (size_t)qr->version);
	for (s = 0; s < 3; s++)
		for (qz = 0; qz < 2; qz++) {
			CHECK_EQ(cer_qr_png(qr, scales[s], quiets[qz], &png, &len), 0);
			CHECK_EQ(png_pixels(png, len, &side, &pix), 0);
			CHECK_EQ(side, (qr->width + 2 * quiets[qz]) * scales[s]);
			for (y = 0; pix != NULL && y < side; y++)
				for (x = 0; x < side; x++) {
					mx = x / scales[s];
					my = y / scales[s];
					dark = mx >= quiets[qz] && my >= quiets[qz] &&
					       mx - quiets[qz] < qr->width &&
					       my - quiets[qz] < qr->width &&
					       qr->modules[(my - quiets[qz]) * qr->width + mx -
					                   quiets[qz]];
					if (pix[y * side + x] != !dark) {
						CHECK(!"pixel differs from module");
						y = side;
						break;
					}
				}
			free(png);
			free(pix);
			png = pix = NULL;
		}
	/* A version 40 code at scale 16 is larger than the limit. */
	CHECK_EQ(cer_qr_png(qr, 0, 4, &png, &len), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_png(qr, 17, 4, &png, &len), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_png(qr, 1, 17, &png, &len), CUSTOS_EINVAL);
	CHECK(png == NULL);
	cer_qr_free(qr);
}

/* --- terminal text read back ------------------------------------------------------- */

/* Reads one cell (UTF-8) at *p: bit 1 upper shown, bit 0 lower shown; -1 unknown. */
static int
cell_at(const char **p)
{
	if (**p == ' ') {
		(*p)++;
		return 0;
	}
	if (strncmp(*p, "\xe2\x96\x80", 3) == 0 || strncmp(*p, "\xe2\x96\x84", 3) == 0 ||
	    strncmp(*p, "\xe2\x96\x88", 3) == 0) {
		int c = (*p)[2] == '\x80' ? 2 : (*p)[2] == '\x84' ? 1 : 3;
		*p += 3;
		return c;
	}
	return -1;
}

static void
check_text(const struct cer_qr *qr, unsigned quiet, enum cer_qr_text_style style)
{
	char *text = NULL;
	const char *p;
	size_t cols = 0, lines = 0, side = qr->width + 2 * quiet, x, y, bad = 0;
	int c, want = style == CER_QR_TEXT_DARK_ON_LIGHT, up, low, dark;

	CHECK_EQ(cer_qr_text(qr, quiet, style, &text, &cols, &lines), 0);
	CHECK_EQ(cols, side);
	CHECK_EQ(lines, (side + 1) / 2);
	for (p = text, y = 0; text != NULL && y < lines; y++, p++) {
		for (x = 0; x < cols; x++) {
			if ((c = cell_at(&p)) < 0) {
				bad++;
				break;
			}
			up = (c >> 1) & 1;
			low = c & 1;
			dark = x >= quiet && 2 * y >= quiet && x - quiet < qr->width &&
			       2 * y - quiet < qr->width &&
			       qr->modules[(2 * y - quiet) * qr->width + x - quiet];
			bad += up != (dark == want);
			if (2 * y + 1 < side) {
				dark = x >= quiet && 2 * y + 1 >= quiet && x - quiet < qr->width &&
				       2 * y + 1 - quiet < qr->width &&
				       qr->modules[(2 * y + 1 - quiet) * qr->width + x - quiet];
				bad += low != (dark == want);
			} else {
				bad += low != 0; /* below the last row: nothing drawn */
			}
		}
		bad += *p != '\n';
	}
	CHECK(text != NULL && *p == '\0');
	CHECK_EQ(bad, 0);
	free(text);
}

static void
test_text_read_back(void)
{
	struct cer_qr *qr = NULL;
	char *t = NULL;

	CHECK_EQ(cer_qr_encode_alnum("UR:BYTES/HDCXLKAHSSQZWFVSLOFZOXWKRE", CER_QR_EC_L, 40, &qr),
	         0);
	if (qr == NULL)
		return;
	check_text(qr, 0, CER_QR_TEXT_LIGHT_ON_DARK); /* odd side */
	check_text(qr, 1, CER_QR_TEXT_LIGHT_ON_DARK); /* even side */
	check_text(qr, 2, CER_QR_TEXT_LIGHT_ON_DARK);
	check_text(qr, 2, CER_QR_TEXT_DARK_ON_LIGHT);
	check_text(qr, 3, CER_QR_TEXT_DARK_ON_LIGHT);
	CHECK_EQ(cer_qr_text(qr, 17, CER_QR_TEXT_LIGHT_ON_DARK, &t, NULL, NULL), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_text(qr, 2, (enum cer_qr_text_style)7, &t, NULL, NULL), CUSTOS_EINVAL);
	CHECK(t == NULL);
	cer_qr_free(qr);
}

static void
test_refusals(void)
{
	struct cer_qr *qr = NULL;
	enum cer_qr_ec ec;
	uint8_t big[3000];

	memset(big, 'x', sizeof(big));
	CHECK_EQ(cer_qr_encode_bytes(big, sizeof(big), CER_QR_EC_L, 40, &qr), CUSTOS_ETOOBIG);
	CHECK_EQ(cer_qr_encode_bytes(big, 200, CER_QR_EC_M, 5, &qr), CUSTOS_ETOOBIG);
	CHECK(strstr(custos_err_detail(), "the limit is 5") != NULL);
	CHECK_EQ(cer_qr_encode_bytes(big, 0, CER_QR_EC_M, 5, &qr), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_encode_bytes(big, 10, CER_QR_EC_M, 0, &qr), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_encode_bytes(big, 10, CER_QR_EC_M, 41, &qr), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_encode_alnum("ur:bytes/lower", CER_QR_EC_M, 40, &qr), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_encode_alnum("", CER_QR_EC_M, 40, &qr), CUSTOS_EINVAL);
	CHECK(qr == NULL);
	CHECK_EQ(cer_qr_encode_bytes(big, 100, CER_QR_EC_H, 40, &qr), 0);
	CHECK(qr != NULL && qr->version <= 40);
	cer_qr_free(qr);
	cer_qr_free(NULL);
	CHECK_EQ(cer_qr_ec_from_name("q", &ec), 0);
	CHECK_EQ(ec, CER_QR_EC_Q);
	CHECK_EQ(cer_qr_ec_from_name("X", &ec), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_ec_from_name("LM", &ec), CUSTOS_EINVAL);
	CHECK_EQ(cer_qr_ec_from_name("", &ec), CUSTOS_EINVAL);
}

/* The reference's multi-part vectors, as QR PNGs, decode with zbarimg to the part. */
static void
test_vector_parts_zbarimg(void)
{
	json_error_t err;
	json_t *v = json_load_file(CUSTOS_TEST_VECTORS "/ur.json", 0, &err), *parts;
	char path[] = "/tmp/custos-qr-XXXXXX", cmd[256], got[512], upper[512];
	struct cer_qr *qr;
	uint8_t *png;
	size_t i, len, k;
	FILE *f;
	int fd;

	if (system("zbarimg --version >/dev/null 2>&1") != 0) {
		printf("skip: zbarimg not installed\n");
		json_decref(v);
		return;
	}
	parts = json_object_get(v,
	                        "multipart_ur_make_message_ur_256_max_fragment_30_first_20_parts");
	CHECK(json_array_size(parts) == 20);
	for (i = 0; i < json_array_size(parts); i += 3) {
		const char *part = json_string_value(json_array_get(parts, i));
		qr = NULL;
		png = NULL;
		CHECK_EQ(cer_export_ur_qr(part, CER_QR_EC_M, 10, &qr), 0);
		CHECK(qr != NULL && cer_qr_png(qr, 4, 4, &png, &len) == 0);
		if ((fd = mkstemp(path)) < 0 || png == NULL ||
		    write(fd, png, len) != (ssize_t)len) {
			CHECK(!"temp file");
		} else {
			(void)snprintf(cmd, sizeof(cmd), "zbarimg --raw -q %s 2>/dev/null", path);
			got[0] = '\0';
			if ((f = popen(cmd, "r")) != NULL) {
				if (fgets(got, sizeof(got), f) == NULL)
					got[0] = '\0';
				pclose(f);
			}
			got[strcspn(got, "\n")] = '\0';
			for (k = 0; part[k] != '\0' && k + 1 < sizeof(upper); k++)
				upper[k] = (char)(part[k] >= 'a' && part[k] <= 'z' ? part[k] - 32
				                                                   : part[k]);
			upper[k] = '\0';
			CHECK(strcmp(got, upper) == 0);
		}
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
		free(png);
		cer_qr_free(qr);
	}
	json_decref(v);
}

int
main(void)
{
	RUN(test_alnum_capacity_table);
	RUN(test_screen_version);
	RUN(test_ur_fragment_fits);
	RUN(test_png_read_back);
	RUN(test_text_read_back);
	RUN(test_refusals);
	RUN(test_vector_parts_zbarimg);
	return HARNESS_END();
}
