/*
 * cer_import: what comes in across the air gap.
 *
 *  - CSRs from a USB stick: the file is read once, bounded, without
 *    following a symlink; its SHA-256 (of the file's bytes, as `sha256sum`
 *    on the requester's side computes it) is shown for comparison with the
 *    value the requester sent by another channel, then the CSR is parsed and
 *    reviewed (ca_csr).
 *  - Artifacts scanned as UR parts (on the online side too: no CA home is
 *    needed): lines from a hand scanner that types, or `zbarimg` output, in
 *    any order, with duplicates.
 *
 * Invariants: nothing read is trusted before it is checked; a refused UR
 * line changes nothing; an artifact is handed out only after the UR's
 * CRC-32 of the whole message has been checked.
 */
#ifndef CER_IMPORT_H
#define CER_IMPORT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "ca/ca_csr.h"
#include "common/err.h"

/* --- CSRs from a stick ------------------------------------------------------------ */

struct cer_csr_file {
	char path[PATH_MAX];
	size_t len;              /* bytes in the file */
	uint8_t sha256[32];      /* SHA-256 of the file's bytes */
	int status;              /* 0: an acceptable CSR; else the CUSTOS_E* code of the refusal */
	char detail[512];        /* why it was refused ("" when accepted) */
	struct ca_csr_info info; /* filled when the CSR parsed (status 0, CUSTOS_EKEY, ...) */
	int parsed;              /* 1 when info is filled */
};

/*
 * Reads path (a regular file, not a symlink, at most CA_CSR_INPUT_MAX bytes),
 * hashes it, then parses and reviews it as a CSR; the verdict is in
 * out->status and out->detail.  Returns 0 when the file could be read (even
 * if it is not a CSR), else CUSTOS_ENOENT, CUSTOS_ETOOBIG, CUSTOS_EIO.  When
 * data is not NULL the file's bytes are handed out there (caller frees).
 */
int cer_import_csr(const char *path, struct cer_csr_file *out, uint8_t **data) CUSTOS_WUR;

/*
 * Calls fn for each candidate file in dir, in name order: regular files
 * whose names do not start with '.', not symlinks; at most 1000.  Each is
 * read as cer_import_csr() does (a file that cannot be read or is too large
 * is reported with that status).  Stops when fn returns non-zero and returns
 * that.  Returns 0, or CUSTOS_ENOENT / CUSTOS_EIO for dir itself.
 */
int cer_import_scan(const char *dir, int (*fn)(void *ctx, const struct cer_csr_file *f),
                    void *ctx) CUSTOS_WUR;

/* --- artifacts as UR parts --------------------------------------------------------- */

struct cer_qr_import;

/* Returns 0 or CUSTOS_ENOMEM. */
int cer_qr_import_new(struct cer_qr_import **out) CUSTOS_WUR;

/* Frees imp; NULL is a no-op. */
void cer_qr_import_free(struct cer_qr_import *imp);

/*
 * Takes one line as a scanner gives it: a UR part, possibly after zbarimg's
 * "QR-Code:" prefix, any case, white space (and a CR) around it.  Returns
 * 1 for a blank line (ignored), 0 for a part accepted (perhaps a
 * duplicate), or the decoder's refusal (cer_ur_decoder_receive()):
 * CUSTOS_EFORMAT, CUSTOS_ETOOBIG, CUSTOS_EWORD, CUSTOS_ECHECKSUM,
 * CUSTOS_EMISMATCH (a part of another message), CUSTOS_ENOMEM.
 */
int cer_qr_import_line(struct cer_qr_import *imp, const char *line) CUSTOS_WUR;

/* Fragments recovered, fragments needed (0, 0 before the first part); parts accepted. */
void cer_qr_import_progress(const struct cer_qr_import *imp, size_t *known, size_t *needed,
                            size_t *accepted);

/* 1 once the artifact is complete and its CRC-32 checked. */
int cer_qr_import_complete(const struct cer_qr_import *imp);

/* The artifact's bytes (caller frees), once complete; see cer_ur_decoder_result(). */
int cer_qr_import_result(const struct cer_qr_import *imp, uint8_t **data, size_t *len) CUSTOS_WUR;

/*
 * Says what len bytes of data are, for the operator: "X.509 certificate
 * (subject ...)", "X.509 CRL (issuer ..., N entries)", "PKCS#7 bundle of N
 * certificates", "certificate signing request (subject ...)", "PEM text",
 * "data".  Never fails; buf is NUL-terminated.
 */
void cer_identify(const uint8_t *data, size_t len, char *buf, size_t buflen);

#endif
