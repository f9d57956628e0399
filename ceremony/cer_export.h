/*
 * cer_export: what leaves the air-gapped laptop, and how it is written to a
 * USB stick.
 *
 * Only what the ceremonies decided to release can be exported: the root
 * certificate, a certificate this CA issued (by serial), the latest CRL, a
 * chain (issued certificate and root), a ceremony transcript.  Each artifact
 * is loaded from the CA home and checked before it is offered: a
 * certificate or CRL must verify with the root key and match the hash the
 * inventory recorded for it.
 *
 * An export is built in memory first (every file and its SHA-256), then
 * written: nothing is overwritten (every name is checked first, and each file
 * is put in place without replacing anything), each file is synced, its
 * cached pages are dropped and it is read back from the device and compared,
 * and only then is the SHA256SUMS manifest (sha256sum -c format) extended
 * with the new files.  Any failure removes every file this export wrote, so
 * no partial file is ever listed as good.
 *
 * The SHA-256 of each file is reported in hex and as "spoken words": the
 * Bytewords word list (BCR-2020-012, the one UR uses) word for each of the 32
 * bytes, in order, no checksum words added, in groups of four separated by
 * " / " -- the form the signed transcripts use (cer_transcript_words()), so
 * witnesses hear the same words for the same hash everywhere.
 *
 * Every export is recorded in the audit log when a session is given
 * (cer_export_to()): each file as an "artifact" record with its SHA-256 and
 * one "export" record naming the directory, committed together after the
 * files were read back and before the manifest lists them; if that record
 * cannot be written, the export is undone.
 */
#ifndef CER_EXPORT_H
#define CER_EXPORT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ceremony/cer_db.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_qr.h"
#include "ceremony/cer_session.h"
#include "ceremony/cer_transcript.h"
#include "common/err.h"

#define CER_EXPORT_NAME_MAX 128
/* 32 words of 4 letters, " / " every four, NUL. */
#define CER_WORDS_LEN CER_TRANSCRIPT_WORDS_LEN
#define CER_EXPORT_TRANSCRIPT_MAX ((size_t)16 * 1024 * 1024)
/* A qr-png export that needs more UR parts than this is refused (print a stack of pages?). */
#define CER_EXPORT_MAX_PNG_PARTS 100
#define CER_EXPORT_MANIFEST "SHA256SUMS"

/* The spoken form of a SHA-256: "able acid also apex / aqua ..." (see above). */
void cer_sha256_words(const uint8_t digest[32], char out[CER_WORDS_LEN]);

/* --- artifacts -------------------------------------------------------------- */

enum cer_artifact_kind {
	CER_ARTIFACT_ROOT,
	CER_ARTIFACT_CERT,
	CER_ARTIFACT_CRL,
	CER_ARTIFACT_CHAIN,
	CER_ARTIFACT_TRANSCRIPT,
};

struct cer_artifact {
	enum cer_artifact_kind kind;
	char base[CER_EXPORT_NAME_MAX -
	          32];  /* file name stem: root, cert-SERIAL, crl-N, chain-SERIAL */
	char what[256]; /* for people: "root certificate (CN=...)" */
	uint8_t *der;   /* what a UR carries: the DER; a chain's PKCS#7; a transcript's bytes */
	size_t der_len;
	char *pem; /* the PEM text (a chain: the certificate's block, then the root's) */
	size_t pem_len;
	uint8_t *p7b; /* PKCS#7 certs-only bundle (root, certificate, chain); else NULL */
	size_t p7b_len;
	uint8_t *sig; /* a transcript's detached signature (its FILE.sig); else NULL */
	size_t sig_len;
};

/* The home's root certificate.  Returns 0 or an error; *out is NULL on failure. */
int cer_artifact_root(const struct cer_home *h, struct cer_artifact **out) CUSTOS_WUR;

/*
 * The certificate issued with serial (inventory key), checked: it parses, its
 * SHA-256 is the one recorded, it verifies with the root key and its issuer
 * is the root's subject.  CUSTOS_ENOENT (never issued), CUSTOS_EAUTH (fails a
 * check: the inventory was altered), CUSTOS_EDB.
 */
int cer_artifact_cert(const struct cer_home *h, struct cer_db *db,
                      const uint8_t serial[CER_SERIAL_LEN], struct cer_artifact **out) CUSTOS_WUR;

/* The certificate and the root, as one PEM text and one PKCS#7 bundle (no DER form). */
int cer_artifact_chain(const struct cer_home *h, struct cer_db *db,
                       const uint8_t serial[CER_SERIAL_LEN], struct cer_artifact **out) CUSTOS_WUR;

/* The latest CRL, checked like a certificate.  CUSTOS_ENOENT when none was issued. */
int cer_artifact_crl(const struct cer_home *h, struct cer_db *db,
                     struct cer_artifact **out) CUSTOS_WUR;

/*
 * A signed ceremony transcript of this CA: path and path.sig (regular files,
 * not symlinks), verified with the root key (cer_transcript_verify()), then
 * exported as they are under their own names, which must be plain file names
 * (letters, digits, . _ + -, not starting with '.').  A bare name that is
 * not in the current directory is looked for in HOME/transcripts.
 * CUSTOS_ENOENT (no such file or no signature), CUSTOS_EAUTH (not signed by
 * this root), CUSTOS_EMISMATCH (another CA's), CUSTOS_EFORMAT, CUSTOS_EINVAL.
 */
int cer_artifact_transcript(const struct cer_home *h, const char *path,
                            struct cer_artifact **out) CUSTOS_WUR;

/* Frees a; NULL is a no-op. */
void cer_artifact_free(struct cer_artifact *a);

/* --- formats ------------------------------------------------------------------ */

enum {
	CER_FORMAT_PEM = 1 << 0,
	CER_FORMAT_DER = 1 << 1,
	CER_FORMAT_P7B = 1 << 2,
	CER_FORMAT_QR_PNG = 1 << 3,
	CER_FORMAT_UR = 1 << 4,
};

/* "pem", "der", "p7b", "qr-png", "ur", or a comma-separated list: adds their bits to *formats. */
int cer_export_formats_parse(const char *names, unsigned *formats) CUSTOS_WUR;

/* What an export writes when no format is asked for: PEM and DER (a chain: PEM and PKCS#7). */
unsigned cer_export_default_formats(enum cer_artifact_kind kind);

/* How QR codes and UR parts are made. */
struct cer_export_qr {
	enum cer_qr_ec ec;  /* error correction (default M) */
	int max_version;    /* largest QR version (1..40; default 40) */
	unsigned png_scale; /* pixels a module (default 6) */
	size_t ur_parts; /* parts in a .ur file (0: the fragments, then as many fountain parts) */
};

/* The defaults above. */
void cer_export_qr_defaults(struct cer_export_qr *q);

struct cer_ur_encoder;

/*
 * A UR encoder of a's payload (a->der) whose every part, in upper case, fits
 * a QR code of max_version at ec: the fragment length is
 * cer_qr_ur_fragment_len().  For the terminal animation and the .ur file
 * alike.  Returns 0 (cer_ur_encoder_free), CUSTOS_ETOOBIG (the version is
 * too small for any part, or the message needs more than CER_UR_MAX_SEQ_LEN
 * parts), CUSTOS_ENOMEM.
 */
int cer_export_ur_encoder(const struct cer_artifact *a, int max_version, enum cer_qr_ec ec,
                          struct cer_ur_encoder **out) CUSTOS_WUR;

/* The QR code of one UR part: upper-cased, alphanumeric mode, at most max_version. */
int cer_export_ur_qr(const char *part, enum cer_qr_ec ec, int max_version,
                     struct cer_qr **out) CUSTOS_WUR;

/* --- an export: files in memory, then on the stick --------------------------------------- */

struct cer_export_file {
	char name[CER_EXPORT_NAME_MAX];
	char what[96]; /* "PEM", "DER", "PKCS#7 bundle", "QR code (PEM text)", "UR part 2 of 9 (QR)"
	                */
	uint8_t *data;
	size_t len;
	uint8_t sha256[32];
};

struct cer_export;

int cer_export_new(struct cer_export **out) CUSTOS_WUR;
void cer_export_free(struct cer_export *x);

/*
 * Adds a's files in the formats asked for (bits of CER_FORMAT_*), in memory:
 *   pem     BASE.pem;  der  BASE.der;  p7b  BASE.p7b;
 *           (a transcript: NAME and NAME.sig as they are, for pem or der)
 *   qr-png  BASE.png, one QR code of the PEM text (of a transcript: of its
 *           bytes) when it fits q->max_version at q->ec; else the UR parts
 *           BASE-ur-NN-of-MM.png, one per fragment (the plain fragments are a
 *           complete set on paper), at most CER_EXPORT_MAX_PNG_PARTS;
 *   ur      BASE.ur, one UR part a line: the fragments, then fountain parts,
 *           each fitting a QR code of q->max_version at q->ec.
 * A transcript's signature gets QR codes and UR parts of its own (NAME.sig.png,
 * NAME.sig.ur): the verifier needs both.
 * Returns 0, CUSTOS_EINVAL (a format the artifact has no form in: DER of a
 * chain, PKCS#7 of a CRL or transcript; the detail says which), CUSTOS_EEXIST
 * (two files of one name), CUSTOS_ETOOBIG, CUSTOS_ENOMEM.
 */
int cer_export_add(struct cer_export *x, const struct cer_artifact *a, unsigned formats,
                   const struct cer_export_qr *q) CUSTOS_WUR;

size_t cer_export_count(const struct cer_export *x);

/* The i-th file (0 .. count - 1), owned by x. */
const struct cer_export_file *cer_export_file(const struct cer_export *x, size_t i);

/*
 * Writes every file into dir (an existing, writable directory) as the header
 * describes, then calls commit(ctx) (may be NULL; a failure undoes the export
 * and is returned), then extends dir/SHA256SUMS.  Refuses before writing anything:
 * dir missing or not a directory (CUSTOS_ENOENT / CUSTOS_EIO), read-only
 * (CUSTOS_EIO), a file of one of the names already there or listed in the
 * manifest (CUSTOS_EEXIST), less free space than the files' bytes
 * (CUSTOS_ENOSPACE), a SHA256SUMS that is not a manifest (CUSTOS_EFORMAT).
 * Fails, removing what it wrote: CUSTOS_ENOSPACE or CUSTOS_EIO while
 * writing, CUSTOS_EIO when a file read back differs.  Returns 0 when every
 * file is in place, read back, and listed.
 */
int cer_export_write(struct cer_export *x, const char *dir, int (*commit)(void *ctx),
                     void *ctx) CUSTOS_WUR;

/*
 * cer_export_write() with the audit records (see above) in session s (begun
 * on the CA home; NULL: not recorded, for the tests of the writer only): on
 * success one "artifact" record per file and an "export" record (object:
 * dir; details: the files), on failure an "export" record with result
 * "failed" and the reason.  Returns what cer_export_write() returns, or the
 * audit log's error (the export undone).
 */
int cer_export_to(struct cer_session *s, struct cer_export *x, const char *dir) CUSTOS_WUR;

/*
 * A new file dir/name on removable media: written to a temporary file in
 * dir, synced, and put in place without replacing anything (on FAT too,
 * which has no hard links).  Returns 0, CUSTOS_EEXIST, CUSTOS_ENOSPACE,
 * CUSTOS_EIO; on failure no file is left.
 */
int cer_media_put(const char *dir, const char *name, const uint8_t *data, size_t len,
                  mode_t mode) CUSTOS_WUR;

/*
 * Reads a whole regular file (no symlink followed, at most max bytes) after
 * dropping its cached pages, so that what was synced is read from the device
 * itself.  *data has a NUL after the bytes; caller frees.  Returns 0,
 * CUSTOS_ENOENT, CUSTOS_ETOOBIG, CUSTOS_EIO, CUSTOS_ENOMEM.
 */
int cer_media_read(const char *path, size_t max, uint8_t **data, size_t *len) CUSTOS_WUR;

/*
 * Test hook: fn sees (and may alter) every buffer cer_media_read() returns,
 * so a test can show that a differing read-back fails and leaves nothing
 * behind.  NULL (the default) turns it off.
 */
void cer_export_set_readback_hook(void (*fn)(const char *path, uint8_t *buf, size_t len));

/* --- removable media ------------------------------------------------------------ */

struct cer_mount {
	char dir[PATH_MAX]; /* mount point */
	char device[128];   /* e.g. /dev/sdb1 */
	char fstype[32];
	int read_only;
	uint64_t total_bytes, free_bytes; /* 0 and 0 when statvfs fails */
};

/*
 * The mounted file systems on removable block devices: /proc/mounts lines
 * whose device is /dev/NAME and whose disk (NAME without its partition
 * suffix) has SYS/block/DISK/removable = 1, or sits on a USB bus (many USB
 * sticks and disks report removable = 0).  proc_mounts and sys (NULL: the
 * real ones) let tests use a made-up tree.  Returns 0 and *out (free()), *n
 * entries, or CUSTOS_EIO / CUSTOS_ENOMEM.
 */
int cer_mounts_removable(const char *proc_mounts, const char *sys, struct cer_mount **out,
                         size_t *n) CUSTOS_WUR;

#endif
