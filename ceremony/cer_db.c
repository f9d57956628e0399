/*
 * cer_db: the SQLite inventory (see the header for the invariants).
 *
 * Every statement is prepared with bound parameters; every result is checked.
 * The database keeps SQLite's rollback journal with synchronous=FULL, so a
 * committed transaction survives a crash and an uncommitted one vanishes;
 * secure_delete overwrites deleted content.
 */
#include "ceremony/cer_db.h"

#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ceremony/cer_file.h"

struct cer_db {
	sqlite3 *db;
	int in_tx;
};

static const char schema[] =
	"CREATE TABLE certificates ("
	" serial BLOB PRIMARY KEY CHECK (length(serial) = 20),"
	" subject TEXT NOT NULL, profile TEXT NOT NULL,"
	" not_before INTEGER NOT NULL, not_after INTEGER NOT NULL, issued_at INTEGER NOT NULL,"
	" csr_sha256 BLOB NOT NULL, sha256 BLOB NOT NULL, der BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE revocations ("
	" serial BLOB PRIMARY KEY CHECK (length(serial) = 20),"
	" revoked_at INTEGER NOT NULL,"
	" reason INTEGER NOT NULL CHECK (reason IN (0, 1, 3, 4, 5, 9))"
	") WITHOUT ROWID;"
	"CREATE TABLE crls ("
	" number INTEGER PRIMARY KEY CHECK (number > 0),"
	" this_update INTEGER NOT NULL, next_update INTEGER NOT NULL, entries INTEGER NOT NULL,"
	" sha256 BLOB NOT NULL, der BLOB NOT NULL);"
	/* The audit log (ceremony/cer_audit.c, docs/audit-format.md): append-only. */
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY,"
	" time TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, operation TEXT NOT NULL,"
	" object TEXT NOT NULL, result TEXT NOT NULL, session TEXT NOT NULL, host TEXT NOT NULL,"
	" details TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL);"
	"CREATE TABLE audit_checkpoints ("
	" seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, time TEXT NOT NULL, session TEXT NOT NULL,"
	" signature BLOB NOT NULL);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints"
	" BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;"
	"CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints"
	" BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;";

static int
db_error(struct cer_db *db, const char *what)
{
	return custos_err_set(CUSTOS_EDB, "%s: %s", what, sqlite3_errmsg(db->db));
}

static int
exec(struct cer_db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int r = custos_err_set(CUSTOS_EDB, "%s", msg != NULL ? msg : "sqlite error");
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

static int
prepare(struct cer_db *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(db, "preparing a statement");
	return 0;
}

static int
user_version(struct cer_db *db, int *v)
{
	sqlite3_stmt *st;
	int r;

	if ((r = prepare(db, "PRAGMA user_version", &st)) != 0)
		return r;
	if (sqlite3_step(st) != SQLITE_ROW)
		r = db_error(db, "reading the schema version");
	else
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return r;
}

int
cer_db_open(const char *home, int create, struct cer_db **out)
{
	char path[PATH_MAX], sql[64];
	struct cer_db *db;
	int r, v = 0, flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW;

	*out = NULL;
	if ((r = cer_path_join(path, sizeof(path), home, "ca.db")) != 0)
		return r;
	if (!create && access(path, F_OK) != 0)
		return custos_err_set(CUSTOS_ENOENT, "%s does not exist", path);
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "database");
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db->db, flags, NULL) != SQLITE_OK) {
		r = custos_err_set(CUSTOS_EDB, "cannot open %s: %s", path,
		                   db->db ? sqlite3_errmsg(db->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->db, 1);
	(void)sqlite3_busy_timeout(db->db, 5000);
	if ((r = exec(db, "PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;")) != 0 ||
	    (r = user_version(db, &v)) != 0)
		goto fail;
	if (v > CER_DB_SCHEMA_VERSION) {
		r = custos_err_set(CUSTOS_EVERSION, "%s has schema version %d; this custos knows %d",
		                   path, v, CER_DB_SCHEMA_VERSION);
		goto fail;
	}
	if (v == 0) {
		(void)snprintf(sql, sizeof(sql), "PRAGMA user_version=%d;", CER_DB_SCHEMA_VERSION);
		if ((r = exec(db, "BEGIN IMMEDIATE")) != 0)
			goto fail;
		if ((r = exec(db, schema)) != 0 || (r = exec(db, sql)) != 0 ||
		    (r = exec(db, "COMMIT")) != 0) {
			(void)exec(db, "ROLLBACK");
			goto fail;
		}
	}
	*out = db;
	return 0;
fail:
	cer_db_close(db);
	return r;
}

void
cer_db_close(struct cer_db *db)
{
	if (db == NULL)
		return;
	if (db->in_tx)
		cer_db_rollback(db);
	sqlite3_close(db->db);
	free(db);
}

sqlite3 *
cer_db_sqlite(struct cer_db *db)
{
	return db->db;
}

int
cer_db_begin(struct cer_db *db)
{
	int r;

	if (db->in_tx)
		return custos_err_set(CUSTOS_EINTERNAL, "a transaction is already open");
	if ((r = exec(db, "BEGIN IMMEDIATE")) == 0)
		db->in_tx = 1;
	return r;
}

int
cer_db_commit(struct cer_db *db)
{
	int r = exec(db, "COMMIT");

	if (r != 0)
		cer_db_rollback(db);
	db->in_tx = 0;
	return r;
}

void
cer_db_rollback(struct cer_db *db)
{
	(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
}

/* --- serials ------------------------------------------------------------- */

int
cer_serial_key(const uint8_t *bytes, size_t len, uint8_t key[CER_SERIAL_LEN])
{
	while (len > 0 && bytes[0] == 0) {
		bytes++;
		len--;
	}
	if (len == 0 || len > CER_SERIAL_LEN)
		return custos_err_set(CUSTOS_EINVAL, "a serial must be 1 to 20 bytes and not zero");
	memset(key, 0, CER_SERIAL_LEN);
	memcpy(key + CER_SERIAL_LEN - len, bytes, len);
	return 0;
}

size_t
cer_serial_bytes(const uint8_t key[CER_SERIAL_LEN], uint8_t out[CER_SERIAL_LEN])
{
	size_t skip = 0;

	while (skip < CER_SERIAL_LEN - 1 && key[skip] == 0)
		skip++;
	memcpy(out, key + skip, CER_SERIAL_LEN - skip);
	return CER_SERIAL_LEN - skip;
}

void
cer_serial_hex(const uint8_t key[CER_SERIAL_LEN], char out[2 * CER_SERIAL_LEN + 1])
{
	uint8_t b[CER_SERIAL_LEN];
	size_t n = cer_serial_bytes(key, b);

	sodium_bin2hex(out, 2 * CER_SERIAL_LEN + 1, b, n);
}

int
cer_serial_from_hex(const char *hex, uint8_t key[CER_SERIAL_LEN])
{
	uint8_t b[CER_SERIAL_LEN + 1];
	char digits[2 * CER_SERIAL_LEN + 4];
	const char *p = hex, *end = NULL;
	size_t n = 0, skip, d = 1; /* digits[0] is a leading zero, used for an odd count */

	if (strncmp(p, "0x", 2) == 0 || strncmp(p, "0X", 2) == 0)
		p += 2;
	digits[0] = '0';
	for (; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (d == sizeof(digits) - 1)
			return custos_err_set(CUSTOS_EINVAL, "'%s' is longer than a serial (20 bytes)", hex);
		digits[d++] = *p;
	}
	digits[d] = '\0';
	skip = (d - 1) % 2 == 0; /* an even count of digits needs no leading zero */
	if (d == 1 || sodium_hex2bin(b, sizeof(b), digits + skip, d - skip, NULL, &n, &end) != 0 ||
	    *end != '\0')
		return custos_err_set(CUSTOS_EINVAL, "'%s' is not a serial (hex digits)", hex);
	return cer_serial_key(b, n, key);
}

/* --- certificates ---------------------------------------------------------- */

int
cer_db_serial_exists(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN], int *exists)
{
	sqlite3_stmt *st;
	int r, rc;

	*exists = 0;
	if ((r = prepare(db, "SELECT 1 FROM certificates WHERE serial = ?1 UNION ALL "
	                     "SELECT 1 FROM revocations WHERE serial = ?1", &st)) != 0)
		return r;
	sqlite3_bind_blob(st, 1, key, CER_SERIAL_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*exists = 1;
	else if (rc != SQLITE_DONE)
		r = db_error(db, "looking up a serial");
	sqlite3_finalize(st);
	return r;
}

int
cer_db_cert_insert(struct cer_db *db, const struct cer_cert_row *row)
{
	sqlite3_stmt *st;
	int r, rc;

	if ((r = prepare(db, "INSERT INTO certificates (serial, subject, profile, not_before, "
	                     "not_after, issued_at, csr_sha256, sha256, der) "
	                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &st)) != 0)
		return r;
	sqlite3_bind_blob(st, 1, row->serial, CER_SERIAL_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, row->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, row->profile, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, row->not_before);
	sqlite3_bind_int64(st, 5, row->not_after);
	sqlite3_bind_int64(st, 6, row->issued_at);
	sqlite3_bind_blob(st, 7, row->csr_sha256, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, row->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, row->der, (int)row->der_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		r = custos_err_set(CUSTOS_EEXIST, "serial already in the inventory");
	else if (rc != SQLITE_DONE)
		r = db_error(db, "recording the certificate");
	sqlite3_finalize(st);
	return r;
}

#define CERT_COLUMNS \
	"c.serial, c.subject, c.profile, c.not_before, c.not_after, c.issued_at, c.csr_sha256, " \
	"c.sha256, r.revoked_at, r.reason"

static void
read_cert(sqlite3_stmt *st, struct cer_cert_row *row)
{
	const void *b;

	memset(row, 0, sizeof(*row));
	if ((b = sqlite3_column_blob(st, 0)) != NULL && sqlite3_column_bytes(st, 0) == CER_SERIAL_LEN)
		memcpy(row->serial, b, CER_SERIAL_LEN);
	(void)snprintf(row->subject, sizeof(row->subject), "%s",
	               (const char *)sqlite3_column_text(st, 1));
	(void)snprintf(row->profile, sizeof(row->profile), "%s",
	               (const char *)sqlite3_column_text(st, 2));
	row->not_before = sqlite3_column_int64(st, 3);
	row->not_after = sqlite3_column_int64(st, 4);
	row->issued_at = sqlite3_column_int64(st, 5);
	if ((b = sqlite3_column_blob(st, 6)) != NULL && sqlite3_column_bytes(st, 6) == 32)
		memcpy(row->csr_sha256, b, 32);
	if ((b = sqlite3_column_blob(st, 7)) != NULL && sqlite3_column_bytes(st, 7) == 32)
		memcpy(row->sha256, b, 32);
	row->revoked = sqlite3_column_type(st, 8) != SQLITE_NULL;
	row->revoked_at = sqlite3_column_int64(st, 8);
	row->reason = (enum cer_reason)sqlite3_column_int(st, 9);
}

int
cer_db_cert_get(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN], int with_der,
                struct cer_cert_row *row)
{
	sqlite3_stmt *st;
	char hex[2 * CER_SERIAL_LEN + 1];
	int r, rc;

	memset(row, 0, sizeof(*row));
	if ((r = prepare(db, "SELECT " CERT_COLUMNS ", c.der FROM certificates c LEFT JOIN "
	                     "revocations r ON r.serial = c.serial WHERE c.serial = ?", &st)) != 0)
		return r;
	sqlite3_bind_blob(st, 1, key, CER_SERIAL_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_cert(st, row);
		if (with_der) {
			row->der_len = (size_t)sqlite3_column_bytes(st, 10);
			if ((row->der = malloc(row->der_len + 1)) == NULL)
				r = custos_err_set(CUSTOS_ENOMEM, "certificate");
			else
				memcpy(row->der, sqlite3_column_blob(st, 10), row->der_len);
		}
	} else if (rc == SQLITE_DONE) {
		cer_serial_hex(key, hex);
		r = custos_err_set(CUSTOS_ENOENT, "no certificate with serial %s was issued by this CA",
		                   hex);
	} else {
		r = db_error(db, "reading a certificate");
	}
	sqlite3_finalize(st);
	return r;
}

int
cer_db_cert_foreach(struct cer_db *db, int (*fn)(void *ctx, const struct cer_cert_row *row),
                    void *ctx)
{
	struct cer_cert_row row;
	sqlite3_stmt *st;
	int r, rc;

	if ((r = prepare(db, "SELECT " CERT_COLUMNS " FROM certificates c LEFT JOIN revocations r "
	                     "ON r.serial = c.serial ORDER BY c.serial", &st)) != 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_cert(st, &row);
		if ((r = fn(ctx, &row)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_error(db, "listing certificates");
	sqlite3_finalize(st);
	return r;
}

/* --- revocations ------------------------------------------------------------ */

static const struct {
	const char *name;
	enum cer_reason reason;
} reasons[] = {
	{"unspecified", CER_REASON_UNSPECIFIED},
	{"keyCompromise", CER_REASON_KEY_COMPROMISE},
	{"affiliationChanged", CER_REASON_AFFILIATION_CHANGED},
	{"superseded", CER_REASON_SUPERSEDED},
	{"cessationOfOperation", CER_REASON_CESSATION},
	{"privilegeWithdrawn", CER_REASON_PRIVILEGE_WITHDRAWN},
};

int
cer_reason_from_name(const char *name, enum cer_reason *out)
{
	size_t i;

	if (strcmp(name, "none") == 0) {
		*out = CER_REASON_UNSPECIFIED;
		return 0;
	}
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcmp(name, reasons[i].name) == 0) {
			*out = reasons[i].reason;
			return 0;
		}
	return custos_err_set(CUSTOS_EINVAL,
	                      "unknown reason '%s' (keyCompromise, affiliationChanged, superseded, "
	                      "cessationOfOperation, privilegeWithdrawn, or none)", name);
}

const char *
cer_reason_name(enum cer_reason r)
{
	size_t i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].reason == r)
			return reasons[i].name;
	return "unknown";
}

static int
insert_revocation(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN], int64_t when,
                  enum cer_reason reason)
{
	sqlite3_stmt *st;
	int r, rc;
	enum cer_reason check;

	if ((r = cer_reason_from_name(cer_reason_name(reason), &check)) != 0)
		return r;
	if ((r = prepare(db, "INSERT INTO revocations (serial, revoked_at, reason) VALUES (?, ?, ?)",
	                 &st)) != 0)
		return r;
	sqlite3_bind_blob(st, 1, key, CER_SERIAL_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, when);
	sqlite3_bind_int(st, 3, (int)reason);
	rc = sqlite3_step(st);
	if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		r = custos_err_set(CUSTOS_EEXIST, "already revoked");
	else if (rc != SQLITE_DONE)
		r = db_error(db, "recording the revocation");
	sqlite3_finalize(st);
	return r;
}

int
cer_db_revoke(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN], int64_t when,
              enum cer_reason reason)
{
	struct cer_cert_row row;
	char hex[2 * CER_SERIAL_LEN + 1];
	int r;

	if ((r = cer_db_cert_get(db, key, 0, &row)) != 0)
		return r;
	cer_serial_hex(key, hex);
	if (row.revoked)
		return custos_err_set(CUSTOS_EEXIST, "certificate %s is already revoked (%s)", hex,
		                      cer_reason_name(row.reason));
	return insert_revocation(db, key, when, reason);
}

int
cer_db_revoke_unchecked(struct cer_db *db, const uint8_t key[CER_SERIAL_LEN], int64_t when,
                        enum cer_reason reason)
{
	return insert_revocation(db, key, when, reason);
}

int
cer_db_revocations_foreach(struct cer_db *db,
                           int (*fn)(void *ctx, const uint8_t key[CER_SERIAL_LEN], int64_t when,
                                     enum cer_reason reason),
                           void *ctx)
{
	sqlite3_stmt *st;
	int r, rc;

	if ((r = prepare(db, "SELECT serial, revoked_at, reason FROM revocations ORDER BY serial",
	                 &st)) != 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != CER_SERIAL_LEN) {
			r = custos_err_set(CUSTOS_EDB, "a revocation has a malformed serial");
			break;
		}
		r = fn(ctx, sqlite3_column_blob(st, 0), sqlite3_column_int64(st, 1),
		       (enum cer_reason)sqlite3_column_int(st, 2));
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_error(db, "reading revocations");
	sqlite3_finalize(st);
	return r;
}

/* --- CRLs ---------------------------------------------------------------------- */

int
cer_db_crl_next_number(struct cer_db *db, uint64_t *number)
{
	sqlite3_stmt *st;
	int r;

	*number = 0;
	if ((r = prepare(db, "SELECT coalesce(max(number), 0) + 1 FROM crls", &st)) != 0)
		return r;
	if (sqlite3_step(st) != SQLITE_ROW)
		r = db_error(db, "reading the CRL number");
	else
		*number = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r;
}

int
cer_db_crl_insert(struct cer_db *db, const struct cer_crl_row *row)
{
	sqlite3_stmt *st;
	uint64_t next;
	int r, rc;

	if ((r = cer_db_crl_next_number(db, &next)) != 0)
		return r;
	if (row->number < next)
		return custos_err_set(CUSTOS_EEXIST, "CRL number %llu is not above the last one (%llu)",
		                      (unsigned long long)row->number, (unsigned long long)next - 1);
	if ((r = prepare(db, "INSERT INTO crls (number, this_update, next_update, entries, sha256, "
	                     "der) VALUES (?, ?, ?, ?, ?, ?)", &st)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)row->number);
	sqlite3_bind_int64(st, 2, row->this_update);
	sqlite3_bind_int64(st, 3, row->next_update);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)row->entries);
	sqlite3_bind_blob(st, 5, row->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, row->der, (int)row->der_len, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		r = db_error(db, "recording the CRL");
	sqlite3_finalize(st);
	return r;
}

int
cer_db_crl_latest(struct cer_db *db, int with_der, struct cer_crl_row *row)
{
	sqlite3_stmt *st;
	const void *b;
	int r, rc;

	memset(row, 0, sizeof(*row));
	if ((r = prepare(db, "SELECT number, this_update, next_update, entries, sha256, der "
	                     "FROM crls ORDER BY number DESC LIMIT 1", &st)) != 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row->number = (uint64_t)sqlite3_column_int64(st, 0);
		row->this_update = sqlite3_column_int64(st, 1);
		row->next_update = sqlite3_column_int64(st, 2);
		row->entries = (uint64_t)sqlite3_column_int64(st, 3);
		if ((b = sqlite3_column_blob(st, 4)) != NULL && sqlite3_column_bytes(st, 4) == 32)
			memcpy(row->sha256, b, 32);
		if (with_der) {
			row->der_len = (size_t)sqlite3_column_bytes(st, 5);
			if ((row->der = malloc(row->der_len + 1)) == NULL)
				r = custos_err_set(CUSTOS_ENOMEM, "CRL");
			else
				memcpy(row->der, sqlite3_column_blob(st, 5), row->der_len);
		}
	} else if (rc == SQLITE_DONE) {
		r = custos_err_set(CUSTOS_ENOENT, "no CRL has been issued yet");
	} else {
		r = db_error(db, "reading the latest CRL");
	}
	sqlite3_finalize(st);
	return r;
}

int
cer_db_counts(struct cer_db *db, uint64_t *issued, uint64_t *revoked)
{
	sqlite3_stmt *st;
	int r;

	*issued = *revoked = 0;
	if ((r = prepare(db, "SELECT (SELECT count(*) FROM certificates), "
	                     "(SELECT count(*) FROM revocations)", &st)) != 0)
		return r;
	if (sqlite3_step(st) != SQLITE_ROW) {
		r = db_error(db, "counting");
	} else {
		*issued = (uint64_t)sqlite3_column_int64(st, 0);
		*revoked = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return r;
}
