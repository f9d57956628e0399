/*
 * cer_transcript: the human-readable record of one signing ceremony, signed
 * by the root key with a detached signature (FILE.sig, the raw signature
 * bytes, which `openssl dgst -verify` also checks).
 *
 * A transcript says who (operator and role, custodians by their shares),
 * when (the operator's confirmed time and the system clock), where (host
 * identifier, network state), each step (every audit record of the session),
 * and the SHA-256 of every artifact and of the audit chain head, each also
 * as 32 Bytewords so witnesses can read them aloud.  The format is in
 * docs/audit-format.md.
 *
 * Invariants: the parser trusts nothing in the file: lines must be printable
 * UTF-8, the required lines appear exactly once, every hash agrees with its
 * words; a transcript verifies only with the signature of the root
 * certificate's key and only for the root certificate it names.
 */
#ifndef CER_TRANSCRIPT_H
#define CER_TRANSCRIPT_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "ceremony/cer_audit.h"
#include "ceremony/cer_db.h"
#include "common/err.h"

#define CER_TRANSCRIPT_MAGIC "custos ceremony transcript v1"
#define CER_TRANSCRIPT_MAX (4u * 1024 * 1024)
#define CER_TRANSCRIPT_ARTIFACTS_MAX 64
#define CER_TRANSCRIPT_WORDS_LEN (32 * 5 + 7 * 2 + 1) /* 32 words, "/" every 4 */

/* The session facts a transcript starts with (all strings, NULL as "-"). */
struct cer_transcript_facts {
	const char *ceremony, *session, *host, *operator_name, *role;
	const char *ca_subject;
	uint8_t root_sha256[32];
	const char *confirmed_time, *clock_at_start;
	const char *network;
	const char *started, *ended, *result;
	struct cer_audit_head head; /* the chain head the checkpoint signed */
	const char *checkpoint_time;
};

/* What a parsed transcript states (the parts verification uses). */
struct cer_transcript_info {
	char ceremony[64];
	char session[64];
	uint8_t root_sha256[32];
	uint64_t head_seq;
	uint8_t head_sha256[32];
	size_t nartifacts;
	char artifacts[CER_TRANSCRIPT_ARTIFACTS_MAX][256];
	uint8_t artifact_sha256[CER_TRANSCRIPT_ARTIFACTS_MAX][32];
	uint8_t file_sha256[32]; /* of the whole transcript file */
};

/* Writes hash as 32 Bytewords in groups of four: "able acid also apex / aqua ...". */
void cer_transcript_words(const uint8_t hash[32], char out[CER_TRANSCRIPT_WORDS_LEN]);

/*
 * Renders the transcript text: the facts, then every audit record of the
 * session facts->session in db as a step, then the artifacts (the session's
 * "artifact" records) and the chain head, each hash with its words.
 * *text (malloc'd, NUL-terminated) and *len.  Returns 0 or an error.
 */
int cer_transcript_render(struct cer_db *db, const struct cer_transcript_facts *facts, char **text,
                          size_t *len) CUSTOS_WUR;

/*
 * Parses a transcript (untrusted bytes).  Returns 0, CUSTOS_EFORMAT (what
 * and which line), CUSTOS_ETOOBIG.
 */
int cer_transcript_parse(const uint8_t *data, size_t len,
                         struct cer_transcript_info *out) CUSTOS_WUR;

/*
 * Verifies a transcript: parses it, checks sig with root_pub and that the
 * root certificate it names is root_sha256 (the DER's SHA-256 of the
 * root.pem used).  Returns 0, CUSTOS_EFORMAT, CUSTOS_EAUTH (the signature
 * does not verify: edited after signing, or another key), CUSTOS_EMISMATCH
 * (a transcript of another CA).
 */
int cer_transcript_verify(const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen,
                          EVP_PKEY *root_pub, const uint8_t root_sha256[32],
                          struct cer_transcript_info *out) CUSTOS_WUR;

/*
 * Checks a verified transcript against the audit log: the chain head it
 * names is still record head_seq with that hash, and a genuine checkpoint
 * signed it.  Returns 0, CUSTOS_EAUDIT (what differs), CUSTOS_EDB.
 */
int cer_transcript_check_log(const struct cer_transcript_info *t, struct cer_db *db,
                             EVP_PKEY *root_pub) CUSTOS_WUR;

/*
 * Writes text to path (exclusive, 0644) and sig to path.sig, atomically each;
 * if the signature cannot be written the transcript is removed.
 */
int cer_transcript_write(const char *path, const char *text, size_t len, const uint8_t *sig,
                         size_t siglen) CUSTOS_WUR;

#endif
