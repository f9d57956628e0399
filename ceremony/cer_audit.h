/*
 * cer_audit: the tamper-evident audit log in HOME/ca.db.
 *
 * Every operation appends one record.  A record's hash (SHA-256) covers its
 * sequence number, every field and the previous record's hash, so changing,
 * removing, inserting or reordering a record breaks the chain at that record.
 * At the end of every quorum session the chain head is signed by the root key
 * (a checkpoint), so a chain rewritten from some record onwards no longer
 * matches the signature.  docs/audit-format.md defines the encoding exactly,
 * so that an auditor can recompute everything with Python's hashlib alone.
 *
 * Invariants: records are only ever appended (there is no update or delete
 * here); the sequence number is taken inside the same IMMEDIATE transaction
 * as the insert, so numbers are dense and unique; a record never holds a
 * share, a passphrase or any other secret (callers pass names and results,
 * the quorum observer gets the custodian's name, never the mnemonic); every
 * field is valid UTF-8 without control characters once appended.
 */
#ifndef CER_AUDIT_H
#define CER_AUDIT_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "ceremony/cer_backend.h"
#include "ceremony/cer_db.h"
#include "common/err.h"

#define CER_AUDIT_HASH_LEN 32
#define CER_AUDIT_TIME_LEN 25    /* "2026-01-02T03:04:05.678Z" and NUL */
#define CER_AUDIT_FIELD_MAX 4000 /* bytes of one field (details); longer ones are cut */
#define CER_AUDIT_FINDINGS_MAX 16
#define CER_AUDIT_WARNINGS_MAX 8

/* The hashed text fields of a record, in hashing order (after the sequence number). */
enum cer_audit_field {
	CER_AF_TIME,      /* UTC, milliseconds: 2026-01-02T03:04:05.678Z */
	CER_AF_ACTOR,     /* who: the operator's or custodian's name */
	CER_AF_ROLE,      /* operator, security-officer, auditor, custodian */
	CER_AF_OPERATION, /* init, session-start, share, quorum, unlock, sign, ... */
	CER_AF_OBJECT,    /* serial, CRL number, file name; may be empty */
	CER_AF_RESULT,    /* ok, accepted, refused, failed, ... */
	CER_AF_SESSION,   /* session identifier (32 hex digits) */
	CER_AF_HOST,      /* host identifier (64 hex digits) */
	CER_AF_DETAILS,   /* free text, one line */
	CER_AF_COUNT
};

/* The column / JSON name of field f ("time", "actor", ...). */
const char *cer_audit_field_name(enum cer_audit_field f);

/* What a caller appends; NULL fields are empty.  time is set by the append. */
struct cer_audit_entry {
	const char *actor, *role, *operation, *object, *result, *session, *host, *details;
};

/*
 * One record as read from ca.db.  The field pointers are valid only during
 * the callback that receives the record; field[i] is NUL-terminated and
 * len[i] its length in bytes.  A damaged database may give any bytes here:
 * prev_ok / hash_ok say whether those columns held 32 bytes.
 */
struct cer_audit_record {
	int64_t seq;
	const char *field[CER_AF_COUNT];
	size_t len[CER_AF_COUNT];
	uint8_t prev[CER_AUDIT_HASH_LEN], hash[CER_AUDIT_HASH_LEN];
	int prev_ok, hash_ok;
};

/* The end of the chain: sequence 0 and all-zero hash when the log is empty. */
struct cer_audit_head {
	uint64_t seq;
	uint8_t hash[CER_AUDIT_HASH_LEN];
	char time[CER_AUDIT_TIME_LEN];
};

/*
 * The record hash: SHA-256("custos-audit-v1" || u64be(seq) || for each field
 * in enum order: u32be(length) || bytes || prev).  Returns 0 or CUSTOS_ECRYPTO.
 */
int cer_audit_hash(uint64_t seq, const char *const field[CER_AF_COUNT],
                   const size_t len[CER_AF_COUNT], const uint8_t prev[CER_AUDIT_HASH_LEN],
                   uint8_t out[CER_AUDIT_HASH_LEN]) CUSTOS_WUR;

/*
 * Copies len bytes of in to out (outlen bytes, NUL-terminated) with invalid
 * UTF-8, control characters, line separators and bidi overrides replaced by
 * '?', cut at a character boundary; returns the length written.  What every
 * field goes through before it is appended, and what front-ends show a
 * damaged record through.
 */
size_t cer_audit_clean(const char *in, size_t len, char *out, size_t outlen);

/*
 * Reads a root certificate (PEM) for verification: *root (X509_free) and the
 * SHA-256 of its DER in fp.  0, CUSTOS_ENOENT, CUSTOS_EFORMAT.
 */
int cer_audit_load_root(const char *path, X509 **root, uint8_t fp[32]) CUSTOS_WUR;

/* 1 when s is valid UTF-8 without control characters, line separators or bidi overrides. */
int cer_audit_text_ok(const char *s);

/* Formats milliseconds since the epoch as 2026-01-02T03:04:05.678Z. */
void cer_audit_time_format(int64_t ms, char out[CER_AUDIT_TIME_LEN]);

/* Parses that exact form; 0 or CUSTOS_EFORMAT. */
int cer_audit_time_parse(const char *s, int64_t *ms) CUSTOS_WUR;

/*
 * Appends one record at time_ms (the caller's clock).  Inside the caller's
 * transaction when one is open on db (so the record commits or rolls back
 * with the operation it describes), else in a transaction of its own.
 * Fields are cleaned (invalid UTF-8 and control characters become '?',
 * longer than CER_AUDIT_FIELD_MAX cut) before hashing.  head (may be NULL)
 * receives the new chain head.  Returns 0, CUSTOS_EINVAL (no operation),
 * CUSTOS_EAUDIT (the last record is damaged: nothing can be chained to it),
 * CUSTOS_EDB.
 */
int cer_audit_append(struct cer_db *db, const struct cer_audit_entry *e, int64_t time_ms,
                     struct cer_audit_head *head) CUSTOS_WUR;

/* The current chain head (as stored, not checked). */
int cer_audit_head(struct cer_db *db, struct cer_audit_head *head) CUSTOS_WUR;

/*
 * The latest time of any record (*ms) and that record's number (*seq); both
 * 0 when the log is empty.  Unparseable times are skipped (audit verify
 * reports them).  For the clock check.
 */
int cer_audit_newest(struct cer_db *db, int64_t *ms, uint64_t *seq) CUSTOS_WUR;

/*
 * Signs the current chain head with key through backend be and stores the
 * checkpoint: the signature covers "custos-audit-checkpoint-v1" ||
 * u64be(seq) || head hash || u32be(len) || time || u32be(len) || session.
 * A head already checkpointed is left as it is.  head (may be NULL) receives
 * the head signed.  Returns 0, CUSTOS_EINVAL (empty log), CUSTOS_EAUDIT, an
 * error of the backend, CUSTOS_EDB.
 */
int cer_audit_checkpoint(struct cer_db *db, const struct cer_backend *be, EVP_PKEY *key,
                         const char *session, int64_t time_ms,
                         struct cer_audit_head *head) CUSTOS_WUR;

/* The message a checkpoint's signature covers, into buf; returns its length (0: too small). */
size_t cer_audit_checkpoint_message(uint64_t seq, const uint8_t hash[CER_AUDIT_HASH_LEN],
                                    const char *time, size_t time_len, const char *session,
                                    size_t session_len, uint8_t *buf, size_t len);

/*
 * 0 when record seq still holds hash (and recomputes to it) and a genuine
 * checkpoint (signature by root_pub) signed exactly that; when (may be NULL,
 * CER_AUDIT_TIME_LEN bytes) receives the checkpoint's time.  Else
 * CUSTOS_EAUDIT saying what differs, or CUSTOS_EDB.
 */
int cer_audit_signed(struct cer_db *db, EVP_PKEY *root_pub, uint64_t seq,
                     const uint8_t hash[CER_AUDIT_HASH_LEN], char *when) CUSTOS_WUR;

/* Filters for cer_audit_foreach; NULL / 0 members match everything. */
struct cer_audit_filter {
	const char *since, *until; /* times, compared as text (same fixed form, any prefix) */
	const char *operation;     /* exact */
	const char *actor;         /* exact */
	const char *session;       /* exact */
	uint64_t from_seq;         /* records with seq >= from_seq */
};

/* Calls fn for every matching record in sequence order; stops on non-zero (returned). */
int cer_audit_foreach(struct cer_db *db, const struct cer_audit_filter *f,
                      int (*fn)(void *ctx, const struct cer_audit_record *rec),
                      void *ctx) CUSTOS_WUR;

enum cer_audit_problem {
	CER_AUDIT_CHANGED,            /* a record's fields do not match its hash */
	CER_AUDIT_MISSING,            /* records removed */
	CER_AUDIT_INSERTED,           /* a record added between others */
	CER_AUDIT_REORDERED,          /* records moved or swapped */
	CER_AUDIT_CHECKPOINT_FORGED,  /* a checkpoint's signature does not verify */
	CER_AUDIT_CHECKPOINT_MISMATCH /* a genuine checkpoint the chain no longer matches */
};

struct cer_audit_finding {
	uint64_t seq; /* the first record concerned */
	enum cer_audit_problem kind;
	char text[320];
};

struct cer_audit_report {
	uint64_t records, checkpoints, good_checkpoints;
	struct cer_audit_head head; /* the stored head */
	uint64_t signed_through;    /* the last record a valid checkpoint covers; 0 none */
	char signed_time[CER_AUDIT_TIME_LEN];
	uint64_t unsigned_from; /* first record after it (0: none unsigned) */
	uint64_t unsigned_count;
	size_t nfindings, total_findings;
	struct cer_audit_finding findings[CER_AUDIT_FINDINGS_MAX];
	size_t nwarnings;
	char warnings[CER_AUDIT_WARNINGS_MAX][200];
};

/* The name of a problem kind ("changed", "missing", ...). */
const char *cer_audit_problem_name(enum cer_audit_problem p);

/*
 * Recomputes the whole chain and checks every checkpoint's signature with
 * root_pub (the root certificate's key: nothing secret is needed).  Fills
 * rep.  Returns 0 when the chain is intact and every checkpoint genuine and
 * matching (records after the last checkpoint are then reported as not yet
 * covered by a signature, which is not an error); CUSTOS_EAUDIT with the
 * first finding in the detail; CUSTOS_EDB, CUSTOS_ENOMEM.
 */
int cer_audit_verify(struct cer_db *db, EVP_PKEY *root_pub,
                     struct cer_audit_report *rep) CUSTOS_WUR;

#endif
