/*
 * cer_db: the CA's inventory in HOME/ca.db (SQLite): issued certificates,
 * revocations, issued CRLs and the audit log's tables.
 *
 * Invariants: every change runs inside a transaction the caller opens with
 * cer_db_begin() and ends with cer_db_commit() or cer_db_rollback(), so a
 * crash leaves the inventory as it was before or after the whole operation;
 * CRL numbers come from the crls table inside that transaction, so a number
 * is used at most once.  Serials are stored as 20-byte big-endian integers
 * (left-padded), so the database's byte order is the numeric order.
 */
#ifndef CER_DB_H
#define CER_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/err.h"

#define CER_SERIAL_LEN 20
#define CER_DB_SCHEMA_VERSION 1

struct cer_db;

/* Revocation reasons (RFC 5280 CRLReason); UNSPECIFIED writes no reasonCode. */
enum cer_reason {
	CER_REASON_UNSPECIFIED = 0,
	CER_REASON_KEY_COMPROMISE = 1,
	CER_REASON_AFFILIATION_CHANGED = 3,
	CER_REASON_SUPERSEDED = 4,
	CER_REASON_CESSATION = 5,
	CER_REASON_PRIVILEGE_WITHDRAWN = 9,
};

struct cer_cert_row {
	uint8_t serial[CER_SERIAL_LEN];
	char subject[1024];
	char profile[80];
	int64_t not_before, not_after, issued_at;
	uint8_t csr_sha256[32];
	uint8_t sha256[32];
	int revoked;
	int64_t revoked_at;
	enum cer_reason reason;
	uint8_t *der; /* malloc'd by the reader; NULL when not asked for */
	size_t der_len;
};

struct cer_crl_row {
	uint64_t number;
	int64_t this_update, next_update;
	uint64_t entries;
	uint8_t sha256[32];
	uint8_t *der; /* malloc'd by the reader; NULL when not asked for */
	size_t der_len;
};

/*
 * Opens HOME/ca.db; with create, makes it (and the schema) when missing.
 * Refuses a database of a newer schema (CUSTOS_EVERSION).  Returns 0,
 * CUSTOS_ENOENT, CUSTOS_EDB.
 */
int cer_db_open(const char *home, int create, struct cer_db **out) CUSTOS_WUR;

/* Closes; NULL is a no-op.  An open transaction is rolled back. */
void cer_db_close(struct cer_db *db);

/* The SQLite handle, for ceremony modules with their own statements (audit). */
sqlite3 *cer_db_sqlite(struct cer_db *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int cer_db_begin(struct cer_db *db) CUSTOS_WUR;
int cer_db_commit(struct cer_db *db) CUSTOS_WUR;
void cer_db_rollback(struct cer_db *db);

/* Serial conversions: DER INTEGER content bytes (minimal, positive) <-> 20-byte key; hex. */
int cer_serial_key(const uint8_t *bytes, size_t len, uint8_t key[CER_SERIAL_LEN]) CUSTOS_WUR;
size_t cer_serial_bytes(const uint8_t key[CER_SERIAL_LEN], uint8_t out[CER_SERIAL_LEN]);
void cer_serial_hex(const uint8_t key[CER_SERIAL_LEN], char out[2 * CER_SERIAL_LEN + 1]);
int cer_serial_from_hex(const char *hex, uint8_t key[CER_SERIAL_LEN]) CUSTOS_WUR;

/* 1 in *exists when the serial was ever issued (or revoked). */
int cer_db_serial_exists(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN],
                         int *exists) CUSTOS_WUR;

/* Records an issued certificate (row->der required). CUSTOS_EEXIST for a known serial. */
int cer_db_cert_insert(struct cer_db *db, const struct cer_cert_row *row) CUSTOS_WUR;

/* Reads one certificate; with_der fills row->der (free it).  CUSTOS_ENOENT when unknown. */
int cer_db_cert_get(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN], int with_der,
                    struct cer_cert_row *row) CUSTOS_WUR;

/* Calls fn for every certificate in serial order (row->der is NULL); stops on non-zero. */
int cer_db_cert_foreach(struct cer_db *db, int (*fn)(void *ctx, const struct cer_cert_row *row),
                        void *ctx) CUSTOS_WUR;

/*
 * Records a revocation of an issued certificate.  CUSTOS_ENOENT (never
 * issued), CUSTOS_EEXIST (already revoked, detail says when), CUSTOS_EINVAL
 * (reason not allowed).
 */
int cer_db_revoke(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN], int64_t when,
                  enum cer_reason reason) CUSTOS_WUR;

/* Test and bench path only: records a revocation without an issued certificate. */
int cer_db_revoke_unchecked(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN], int64_t when,
                            enum cer_reason reason) CUSTOS_WUR;

/* Streams every revocation in ascending serial order; stops when fn returns non-zero. */
int cer_db_revocations_foreach(struct cer_db *db,
                               int (*fn)(void *ctx, const uint8_t key[CER_SERIAL_LEN],
                                         int64_t when, enum cer_reason reason),
                               void *ctx) CUSTOS_WUR;

/* The next CRL number: one more than the highest recorded (1 for the first). */
int cer_db_crl_next_number(struct cer_db *db, uint64_t *number) CUSTOS_WUR;

/* Records an issued CRL; CUSTOS_EEXIST when its number is not above every recorded one. */
int cer_db_crl_insert(struct cer_db *db, const struct cer_crl_row *row) CUSTOS_WUR;

/* The latest CRL (with_der fills row->der); CUSTOS_ENOENT when none was issued. */
int cer_db_crl_latest(struct cer_db *db, int with_der, struct cer_crl_row *row) CUSTOS_WUR;

/* Counts for the dashboard and status. */
int cer_db_counts(struct cer_db *db, uint64_t *issued, uint64_t *revoked) CUSTOS_WUR;

/* "keyCompromise" ... <-> enum; "unspecified" and "none" name CER_REASON_UNSPECIFIED. */
int cer_reason_from_name(const char *name, enum cer_reason *out) CUSTOS_WUR;
const char *cer_reason_name(enum cer_reason r);

#endif
