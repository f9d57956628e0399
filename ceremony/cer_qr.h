/*
 * cer_qr: QR codes for artifacts that leave the air gap: the module matrix
 * (libqrencode), a PNG file of it for printing, and the text that draws it
 * on a terminal.
 *
 * Two kinds of content: a PEM text in 8-bit mode (any phone camera or
 * `zbarimg` reads it back unchanged), and a UR part in upper case, which is
 * all QR alphanumeric characters (A-Z 0-9 space $ % * + - . / :) and so
 * takes the smaller alphanumeric mode.
 *
 * Invariants: every function here is pure (no file, no terminal, no global
 * state): same input, same bytes out, so tests read the output back; a
 * code is never larger than the version limit the caller gave; nothing here
 * is secret (the share QR codes of the application are drawn elsewhere, in
 * guarded memory).
 */
#ifndef CER_QR_H
#define CER_QR_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CER_QR_VERSION_MAX 40
#define CER_QR_QUIET_PNG 4  /* modules of light margin the standard asks for */
#define CER_QR_QUIET_TEXT 2 /* on a terminal, whose background is a margin already */
/* Largest PNG side in pixels cer_qr_png() makes (v40 at scale 16, quiet 4). */
#define CER_QR_PNG_MAX_SIDE 4096

enum cer_qr_ec { CER_QR_EC_L, CER_QR_EC_M, CER_QR_EC_Q, CER_QR_EC_H };

struct cer_qr {
	int version;      /* 1..40 */
	size_t width;     /* modules a side: 17 + 4 * version */
	uint8_t *modules; /* width * width, row by row, 1 = dark */
};

/* "L", "M", "Q", "H" (either case) -> level; CUSTOS_EINVAL otherwise. */
int cer_qr_ec_from_name(const char *name, enum cer_qr_ec *out) CUSTOS_WUR;

/*
 * The smallest QR code of len bytes of data in 8-bit mode at level ec whose
 * version is at most max_version (1..40).  Returns 0 and *out (cer_qr_free),
 * CUSTOS_ETOOBIG (does not fit; the detail says by how much it missed),
 * CUSTOS_EINVAL (max_version, empty data) or CUSTOS_ENOMEM.
 */
int cer_qr_encode_bytes(const uint8_t *data, size_t len, enum cer_qr_ec ec, int max_version,
                        struct cer_qr **out) CUSTOS_WUR;

/*
 * The same for a NUL-terminated text of QR alphanumeric characters only
 * (upper-case UR parts), in alphanumeric mode.  CUSTOS_EINVAL for any other
 * character.
 */
int cer_qr_encode_alnum(const char *text, enum cer_qr_ec ec, int max_version,
                        struct cer_qr **out) CUSTOS_WUR;

/* Frees qr; NULL is a no-op. */
void cer_qr_free(struct cer_qr *qr);

/*
 * Characters of alphanumeric text that fit a QR code of version (1..40) at
 * level ec, as libqrencode encodes them; 0 for a bad version.
 */
size_t cer_qr_alnum_capacity(int version, enum cer_qr_ec ec);

/*
 * The largest fragment length for cer_ur_encoder_new() such that every part
 * (any sequence number up to 2^32 - 1, any message up to CER_UR_MAX_MESSAGE),
 * in upper case, fits a QR code of max_version at level ec.  0 when not even
 * the reference's smallest fragment (CER_UR_MIN_FRAGMENT_DEFAULT) fits.
 */
size_t cer_qr_ur_fragment_len(int max_version, enum cer_qr_ec ec);

/*
 * The largest version whose code, with quiet modules of margin on each side,
 * drawn two modules a character cell (cer_qr_text()), fits cols columns and
 * lines lines; 0 when not even version 1 fits.
 */
int cer_qr_version_for_screen(size_t cols, size_t lines, unsigned quiet);

/*
 * A PNG image of qr (1-bit grayscale, dark modules black), each module
 * scale x scale pixels (1..16), with quiet light modules of margin on each
 * side (0..16).  The image data is stored uncompressed (deflate "stored"
 * blocks): bigger files, but a PNG writer small enough to read in one sitting
 * and no compression library.  Returns 0 and *png (caller frees) of *len
 * bytes, CUSTOS_EINVAL (scale, quiet, a side over CER_QR_PNG_MAX_SIDE) or
 * CUSTOS_ENOMEM; *png is NULL on failure.
 */
int cer_qr_png(const struct cer_qr *qr, unsigned scale, unsigned quiet, uint8_t **png,
               size_t *len) CUSTOS_WUR;

enum cer_qr_text_style {
	/*
	 * For the usual terminal, light text on a dark background: a character
	 * cell's foreground shows the light modules, so a dark module is a space
	 * and a light one a block ("qrencode -t UTF8" does the same).
	 */
	CER_QR_TEXT_LIGHT_ON_DARK,
	/* Inverted, for a terminal with dark text on a light background: dark modules are blocks.
	 */
	CER_QR_TEXT_DARK_ON_LIGHT,
};

/*
 * The text that draws qr on a terminal: quiet light modules of margin on each
 * side (0..16), two module rows a line with the UTF-8 half blocks U+2580
 * (upper), U+2584 (lower), U+2588 (full) and spaces, each line ended by '\n'.
 * An odd number of rows ends with a line whose lower halves are left empty
 * (the terminal's background shows there).
 * Returns 0 and *text (NUL-terminated, caller frees), its size in character
 * cells in *cols and *lines (either may be NULL); CUSTOS_EINVAL or
 * CUSTOS_ENOMEM, *text NULL on failure.
 */
int cer_qr_text(const struct cer_qr *qr, unsigned quiet, enum cer_qr_text_style style, char **text,
                size_t *cols, size_t *lines) CUSTOS_WUR;

#endif
