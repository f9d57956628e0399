/*
 * cer_backup: a copy of a CA home that can be kept on several USB sticks in
 * different places, checked every year, and restored from.
 *
 *   DIR/vault              the sealed vault, byte for byte (useless without a quorum)
 *   DIR/ca.db              a consistent snapshot of the inventory and audit log
 *                          (SQLite's online backup API, never a file copy)
 *   DIR/root.pem           the root certificate
 *   DIR/profiles.json      the profiles and the root key's signature over
 *   DIR/profiles.json.sig  them, when the home has them
 *   DIR/MANIFEST           what the backup is (below)
 *   DIR/SHA256SUMS         every file above, MANIFEST included (sha256sum -c)
 *
 * MANIFEST, line by line (LF, no other white space than single spaces):
 *   custos-backup 1
 *   created 2025-01-31T12:00:00Z
 *   subject /C=US/O=Example/CN=Example Root CA
 *   root-sha256 HEX                      SHA-256 of the root certificate's DER
 *   share-set N                          the SLIP-0039 identifier of the shares that open it
 *   file NAME SIZE HEX                   one per file, in the order above
 *   end HEX                              SHA-256 of every byte before this line
 *
 * Invariants: the live home is only read (the database through a read-only
 * connection); a backup is written whole or not at all (a failure removes
 * what was written, and the directory when this backup created it); it is
 * read back and verified before it is reported as made.  Verification never
 * writes: the database is opened read-only and immutable, so not even a
 * journal appears on the stick.  Any single altered byte of any file is
 * reported: file hashes, the manifest's own hash, the vault's signature by
 * the root key, the database's integrity check.
 */
#ifndef CER_BACKUP_H
#define CER_BACKUP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ceremony/cer_home.h"
#include "ceremony/cer_quorum.h"
#include "ceremony/cer_session.h"
#include "common/err.h"

#define CER_BACKUP_VERSION 1
#define CER_BACKUP_MAX_FILES 5
#define CER_BACKUP_MANIFEST "MANIFEST"

struct cer_backup_file {
	char name[32];
	uint64_t size;
	uint8_t sha256[32];
};

struct cer_backup_info {
	char created[32]; /* "YYYY-MM-DDTHH:MM:SSZ" */
	char subject[CER_SUBJECT_MAX];
	uint8_t root_sha256[32];
	unsigned share_set;
	size_t nfiles;
	struct cer_backup_file files[CER_BACKUP_MAX_FILES];
	uint8_t manifest_sha256[32]; /* SHA-256 of the MANIFEST file, as in SHA256SUMS */
	/* What the database holds (filled by verification). */
	uint64_t certificates, revocations, crls;
};

/*
 * Backs up the CA home at home into dir: dir is created (0700) when it does
 * not exist; an existing dir must be a writable directory holding none of the
 * backup's names.  Returns 0 and fills info, or: CUSTOS_ENOENT (no CA),
 * CUSTOS_EEXIST, CUSTOS_ENOSPACE, CUSTOS_EIO (not writable, read-back
 * differs), CUSTOS_EDB (snapshot failed), CUSTOS_EFORMAT (profiles.json
 * without its signature, or the reverse); on failure nothing of it remains.
 * With a session s (begun on home; may be NULL), the backup is recorded in
 * the audit log ("backup", object dir, the files' hashes) once it has been
 * read back and verified, or its failure is; a backup whose record cannot
 * be written is removed.
 */
int cer_backup_write(const char *home, const char *dir, time_t now, struct cer_backup_info *info,
                     struct cer_session *s) CUSTOS_WUR;

/*
 * Checks the backup in dir without changing anything: MANIFEST well-formed
 * with its own hash, SHA256SUMS listing exactly the backup's files, every
 * file's size and hash, the vault parsing and signed by the root
 * certificate's key, the root's hash and subject as recorded, the profiles'
 * signature, the database's integrity check and schema.  Returns 0 and fills
 * info; on CUSTOS_EAUTH (an altered file; the detail names it),
 * CUSTOS_EFORMAT, CUSTOS_ENOENT (a file missing), CUSTOS_EDB, CUSTOS_EVERSION.
 * With home not NULL, *home is the backup opened as a CA home (its vault and
 * root; cer_home_free()) for cer_backup_prove().
 */
int cer_backup_verify(const char *dir, struct cer_backup_info *info,
                      struct cer_home **home) CUSTOS_WUR;

/*
 * The restoration test: with the quorum q (collected for h->vault), unlocks
 * the backup's key, checks that it is the root certificate's key, signs a
 * probe and verifies it with the root certificate.  The key is wiped before
 * returning.  Returns 0, or the unlock's refusal (CUSTOS_ETHRESHOLD,
 * CUSTOS_EDIGEST, CUSTOS_EAUTH, CUSTOS_ESTATE).
 */
int cer_backup_prove(const struct cer_home *h, struct cer_quorum *q) CUSTOS_WUR;

#endif
