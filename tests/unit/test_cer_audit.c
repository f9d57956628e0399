/*
 * The audit log in process: the record hash against a value computed with
 * Python's hashlib from docs/audit-format.md; time form; field cleaning;
 * appends join the caller's transaction; checkpoints; and verification of
 * an intact log and of every kind of tampering (a changed field, a changed
 * and re-hashed record, removed records with and without renumbering, an
 * inserted record, two records swapped, a chain rewritten under a
 * checkpoint, a forged checkpoint, a checkpoint by another key), each named
 * by record number and kind.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/ca_key.h"
#include "ca/ca_sig.h"
#include "ceremony/cer_audit.h"
#include "ceremony/cer_backend.h"
#include "ceremony/cer_db.h"
#include "harness.h"

static char tmpdir[] = "/tmp/custos-audit-XXXXXX";
static EVP_PKEY *key, *other_key;
static const struct cer_backend *be;
static int dbno;

static void
hex(const char *h, uint8_t *out, size_t n)
{
	size_t got = 0;

	if (sodium_hex2bin(out, n, h, strlen(h), NULL, &got, NULL) != 0 || got != n)
		abort();
}

static void
test_hash_known_answer(void)
{
	/* Computed independently with hashlib (docs/audit-format.md, "Recomputing"). */
	const char *f1[CER_AF_COUNT] = {
	        "2026-01-02T03:04:05.678Z",
	        "Olivia",
	        "operator",
	        "session-start",
	        "sign",
	        "ok",
	        "00112233445566778899aabbccddeeff",
	        "abababababababababababababababababababababababababababababababab",
	        "network: none"};
	const char *f2[CER_AF_COUNT] = {
	        "2026-01-02T03:04:06.000Z",
	        "alice",
	        "custodian",
	        "share",
	        "",
	        "accepted",
	        "00112233445566778899aabbccddeeff",
	        "abababababababababababababababababababababababababababababababab",
	        "1 accepted, 2 more needed"};
	size_t l1[CER_AF_COUNT], l2[CER_AF_COUNT];
	uint8_t zero[32] = {0}, h1[32], h2[32], want1[32], want2[32];
	int i;

	for (i = 0; i < CER_AF_COUNT; i++) {
		l1[i] = strlen(f1[i]);
		l2[i] = strlen(f2[i]);
	}
	hex("5c8d536f4026f04c2da50bb112357b6db26fa4215db2abbc37f7d33c95e4d2c8", want1, 32);
	hex("6e6d3b37e6ff6bdb57ef8cd4d10779a0a40c28312dc0ab343eae04cd74274e21", want2, 32);
	CHECK(cer_audit_hash(1, f1, l1, zero, h1) == 0);
	CHECK_MEM(h1, want1, 32);
	CHECK(cer_audit_hash(2, f2, l2, h1, h2) == 0);
	CHECK_MEM(h2, want2, 32);
	/* The sequence number is hashed: the same fields as record 3 differ. */
	CHECK(cer_audit_hash(3, f2, l2, h1, h2) == 0);
	CHECK(memcmp(h2, want2, 32) != 0);
}

static void
test_time(void)
{
	char t[CER_AUDIT_TIME_LEN];
	int64_t ms;

	cer_audit_time_format(1767323045678LL, t);
	CHECK(strcmp(t, "2026-01-02T03:04:05.678Z") == 0);
	CHECK(cer_audit_time_parse(t, &ms) == 0);
	CHECK_EQ(ms, 1767323045678LL);
	cer_audit_time_format(5, t);
	CHECK(strcmp(t, "1970-01-01T00:00:00.005Z") == 0);
	CHECK_EQ(cer_audit_time_parse("2026-01-02T03:04:05Z", &ms), CUSTOS_EFORMAT);
	CHECK_EQ(cer_audit_time_parse("2026-02-30T03:04:05.678Z", &ms), CUSTOS_EFORMAT);
	CHECK_EQ(cer_audit_time_parse("2026-01-02T24:04:05.678Z", &ms), CUSTOS_EFORMAT);
	CHECK_EQ(cer_audit_time_parse("2026-01-02T03:04:05.6x8Z", &ms), CUSTOS_EFORMAT);
	CHECK_EQ(cer_audit_time_parse("2026-01-02 03:04:05.678Z", &ms), CUSTOS_EFORMAT);
}

/* A fresh ca.db in its own directory. */
static struct cer_db *
fresh_db(char *dir, size_t len)
{
	struct cer_db *db = NULL;

	snprintf(dir, len, "%s/db%d", tmpdir, dbno++);
	if (mkdir(dir, 0700) != 0 || cer_db_open(dir, 1, &db) != 0)
		return NULL;
	return db;
}

static int
append(struct cer_db *db, const char *actor, const char *op, const char *object, int64_t ms)
{
	struct cer_audit_entry e = {actor,  "operator", op,
	                            object, "ok",       "0123456789abcdef0123456789abcdef",
	                            "host", "details"};

	return cer_audit_append(db, &e, ms, NULL);
}

/* Fills db with n records (times a second apart), a checkpoint after record cp (0: none). */
static int
fill(struct cer_db *db, int n, int cp)
{
	char obj[16];
	int i;

	for (i = 1; i <= n; i++) {
		snprintf(obj, sizeof(obj), "obj%d", i);
		if (append(db, "Olivia", "step", obj, 1767323045000LL + i * 1000) != 0)
			return -1;
		if (i == cp && cer_audit_checkpoint(db, be, key, "s1",
		                                    1767323045000LL + i * 1000 + 1, NULL) != 0)
			return -1;
	}
	return 0;
}

/* Runs SQL on the database behind the library's back, as an attacker would. */
static int
tamper(struct cer_db *db, const char *sql)
{
	char full[2048];

	snprintf(full, sizeof(full),
	         "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete;"
	         "DROP TRIGGER IF EXISTS audit_checkpoints_no_update;"
	         "DROP TRIGGER IF EXISTS audit_checkpoints_no_delete; %s",
	         sql);
	return sqlite3_exec(cer_db_sqlite(db), full, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void
test_clean_fields(void)
{
	char dir[PATH_MAX], *big = malloc(CER_AUDIT_FIELD_MAX + 100);
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	struct cer_audit_entry e = {"bad\x1b[31mname\n",
	                            "operator",
	                            "op",
	                            "\xff\xfe caf\xc3\xa9",
	                            "ok",
	                            "s",
	                            "h",
	                            NULL};
	sqlite3_stmt *st;

	CHECK(db != NULL && big != NULL);
	if (db == NULL || big == NULL)
		goto out;
	memset(big, 'x', CER_AUDIT_FIELD_MAX + 99);
	big[CER_AUDIT_FIELD_MAX + 99] = '\0';
	e.details = big;
	CHECK(cer_audit_append(db, &e, 1000, NULL) == 0);
	CHECK(sqlite3_prepare_v2(cer_db_sqlite(db),
	                         "SELECT actor, object, length(details) FROM audit", -1, &st,
	                         NULL) == SQLITE_OK);
	CHECK(sqlite3_step(st) == SQLITE_ROW);
	CHECK(strcmp((const char *)sqlite3_column_text(st, 0), "bad?[31mname?") == 0);
	CHECK(strcmp((const char *)sqlite3_column_text(st, 1), "?? caf\xc3\xa9") == 0);
	CHECK_EQ(sqlite3_column_int(st, 2), CER_AUDIT_FIELD_MAX);
	sqlite3_finalize(st);
	e.operation = "";
	CHECK_EQ(cer_audit_append(db, &e, 1000, NULL), CUSTOS_EINVAL);
	CHECK(cer_audit_text_ok("Zoë Operator"));
	CHECK(!cer_audit_text_ok("a\tb"));
	CHECK(!cer_audit_text_ok("evil\xe2\x80\xaeright-to-left"));
out:
	free(big);
	cer_db_close(db);
}

static void
test_append_in_transaction(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	struct cer_audit_head head;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK(append(db, "a", "one", "", 1000) == 0);
	CHECK(cer_db_begin(db) == 0);
	CHECK(append(db, "a", "two", "", 2000) == 0);
	cer_db_rollback(db);
	CHECK(cer_audit_head(db, &head) == 0);
	CHECK_EQ(head.seq, 1);
	CHECK(cer_db_begin(db) == 0);
	CHECK(append(db, "a", "two", "", 2000) == 0);
	CHECK(cer_db_commit(db) == 0);
	CHECK(cer_audit_head(db, &head) == 0);
	CHECK_EQ(head.seq, 2);
	CHECK(strcmp(head.time, "1970-01-01T00:00:02.000Z") == 0);
	/* The triggers refuse in-place changes made through SQL by mistake. */
	CHECK(sqlite3_exec(cer_db_sqlite(db), "UPDATE audit SET actor = 'x'", NULL, NULL, NULL) !=
	      SQLITE_OK);
	CHECK(sqlite3_exec(cer_db_sqlite(db), "DELETE FROM audit", NULL, NULL, NULL) != SQLITE_OK);
	cer_db_close(db);
}

static void
test_newest(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	int64_t ms;
	uint64_t seq;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK(cer_audit_newest(db, &ms, &seq) == 0);
	CHECK_EQ(seq, 0);
	CHECK(append(db, "a", "one", "", 5000) == 0);
	CHECK(append(db, "a", "two", "", 9000) == 0);
	CHECK(append(db, "a", "three", "", 7000) == 0); /* the clock went back */
	CHECK(cer_audit_newest(db, &ms, &seq) == 0);
	CHECK_EQ(seq, 2);
	CHECK_EQ(ms, 9000);
	cer_db_close(db);
}

static struct cer_audit_report rep;

/* Verifies and returns the first finding's kind (-1: none), its record in *seq. */
static int
verify(struct cer_db *db, uint64_t *seq)
{
	int r = cer_audit_verify(db, key, &rep);

	*seq = 0;
	if (r == 0)
		return rep.nfindings == 0 ? -1 : -2;
	if (r != CUSTOS_EAUDIT || rep.nfindings == 0)
		return -3;
	*seq = rep.findings[0].seq;
	return (int)rep.findings[0].kind;
}

static void
test_intact(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	struct cer_audit_head head;
	uint64_t seq;

	CHECK(db != NULL && fill(db, 10, 7) == 0);
	if (db == NULL)
		return;
	CHECK_EQ(verify(db, &seq), -1);
	CHECK_EQ(rep.records, 10);
	CHECK_EQ(rep.checkpoints, 1);
	CHECK_EQ(rep.signed_through, 7);
	CHECK_EQ(rep.unsigned_from, 8);
	CHECK_EQ(rep.unsigned_count, 3);
	CHECK(cer_audit_checkpoint(db, be, key, "s2", 1767323099000LL, &head) == 0);
	CHECK_EQ(head.seq, 10);
	CHECK_EQ(verify(db, &seq), -1);
	CHECK_EQ(rep.signed_through, 10);
	CHECK_EQ(rep.unsigned_count, 0);
	CHECK(cer_audit_signed(db, key, 10, head.hash, NULL) == 0);
	CHECK_EQ(cer_audit_signed(db, key, 9, head.hash, NULL), CUSTOS_EAUDIT);
	/* Checkpointing the same head again changes nothing. */
	CHECK(cer_audit_checkpoint(db, be, key, "s3", 1767323099500LL, NULL) == 0);
	CHECK_EQ(verify(db, &seq), -1);
	CHECK_EQ(rep.checkpoints, 2);
	cer_db_close(db);
}

static void
test_empty(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	uint64_t seq;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK_EQ(verify(db, &seq), -1);
	CHECK_EQ(rep.records, 0);
	CHECK_EQ(cer_audit_checkpoint(db, be, key, "s", 1, NULL), CUSTOS_EINVAL);
	cer_db_close(db);
}

struct tamper_case {
	const char *name, *sql;
	int kind;
	uint64_t seq;
	const char *text; /* in the first finding */
};

static void
test_tampering(void)
{
	static const struct tamper_case cases[] = {
	        {"one field changed", "UPDATE audit SET actor = 'Mallory' WHERE seq = 5",
	         CER_AUDIT_CHANGED, 5, "record 5 was changed"},
	        {"the time changed",
	         "UPDATE audit SET time = '2020-01-01T00:00:00.000Z' WHERE seq = 9",
	         CER_AUDIT_CHANGED, 9, "record 9 was changed"},
	        {"a record removed", "DELETE FROM audit WHERE seq = 4", CER_AUDIT_MISSING, 4,
	         "record 4 is missing"},
	        {"two records removed", "DELETE FROM audit WHERE seq IN (4, 5)", CER_AUDIT_MISSING,
	         4, "records 4 to 5 are missing"},
	        {"a record removed, the rest renumbered",
	         "DELETE FROM audit WHERE seq = 4; UPDATE audit SET seq = seq - 1 WHERE seq > 4",
	         CER_AUDIT_MISSING, 4, "record 4 was removed and the later records renumbered"},
	        {"two records swapped",
	         "UPDATE audit SET seq = -6 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = 5;"
	         "UPDATE audit SET seq = 5 WHERE seq = -6",
	         CER_AUDIT_REORDERED, 5, "records 5 and 6 were swapped"},
	        {"two distant records swapped",
	         "UPDATE audit SET seq = -9 WHERE seq = 9; UPDATE audit SET seq = 9 WHERE seq = 3;"
	         "UPDATE audit SET seq = 3 WHERE seq = -9",
	         CER_AUDIT_REORDERED, 3, "records 3 and 9 were swapped"},
	        {"the last checkpoint's signature altered",
	         "UPDATE audit_checkpoints SET signature = zeroblob(70)",
	         CER_AUDIT_CHECKPOINT_FORGED, 8, "checkpoint at record 8 is forged"},
	        {"a checkpoint moved to another record", "UPDATE audit_checkpoints SET seq = 9",
	         CER_AUDIT_CHECKPOINT_FORGED, 9, "checkpoint at record 9 is forged"},
	        {"the checkpoint removed", "DELETE FROM audit_checkpoints", -1, 0, NULL},
	        {"the last record removed", "DELETE FROM audit WHERE seq = 12", -1, 0, NULL},
	        {"a signed record removed at the end of the signed part",
	         "DELETE FROM audit WHERE seq >= 8", CER_AUDIT_MISSING, 8,
	         "record 8, signed by the checkpoint"},
	};
	char dir[PATH_MAX];
	size_t i;
	uint64_t seq;
	int kind;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cer_db *db = fresh_db(dir, sizeof(dir));

		CHECK(db != NULL && fill(db, 12, 8) == 0 && tamper(db, cases[i].sql) == 0);
		if (db == NULL)
			continue;
		kind = verify(db, &seq);
		if (kind != cases[i].kind || seq != cases[i].seq ||
		    (cases[i].text != NULL &&
		     strstr(rep.findings[0].text, cases[i].text) == NULL)) {
			fprintf(stderr, "%s: kind %d seq %llu (%s), want %d at %llu\n",
			        cases[i].name, kind, (unsigned long long)seq,
			        rep.nfindings ? rep.findings[0].text : "", cases[i].kind,
			        (unsigned long long)cases[i].seq);
			CHECK(0);
		}
		cer_db_close(db);
	}
}

/* Rewrites record k's actor and recomputes every hash from k on, as a careful forger would. */
static int
rewrite_from(struct cer_db *db, int k, int n)
{
	struct cer_audit_entry e;
	char dir_unused[1];
	int i;

	(void)dir_unused;
	if (tamper(db, "CREATE TABLE saved AS SELECT * FROM audit") != 0)
		return -1;
	{
		char sql[128];
		snprintf(sql, sizeof(sql), "DELETE FROM audit WHERE seq >= %d", k);
		if (tamper(db, sql) != 0)
			return -1;
	}
	for (i = k; i <= n; i++) {
		char obj[16];
		snprintf(obj, sizeof(obj), "obj%d", i);
		e = (struct cer_audit_entry){
		        i == k ? "Mallory" : "Olivia",      "operator", "step",   obj, "ok",
		        "0123456789abcdef0123456789abcdef", "host",     "details"};
		if (cer_audit_append(db, &e, 1767323045000LL + i * 1000, NULL) != 0)
			return -1;
	}
	return 0;
}

static void
test_rewritten_chain(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	uint64_t seq;

	CHECK(db != NULL && fill(db, 12, 3) == 0);
	if (db == NULL)
		return;
	CHECK(cer_audit_checkpoint(db, be, key, "s2", 1767323099000LL, NULL) == 0); /* at 12 */
	CHECK(rewrite_from(db, 6, 12) == 0);
	/* The chain is consistent again; only the checkpoint at 12 knows better. */
	CHECK_EQ(verify(db, &seq), CER_AUDIT_CHECKPOINT_MISMATCH);
	CHECK_EQ(seq, 12);
	CHECK(strstr(rep.findings[0].text, "rewritten after record 3, at or before record 12") !=
	      NULL);
	CHECK_EQ(rep.signed_through, 3);
	CHECK_EQ(rep.unsigned_count, 9);
	cer_db_close(db);
}

static void
test_inserted(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	struct cer_audit_entry e = {"Mallory", "operator", "sign", "fake", "ok", "x", "h", ""};
	uint64_t seq;

	CHECK(db != NULL && fill(db, 10, 0) == 0);
	if (db == NULL)
		return;
	/* Keep records 1-4, append a forged 5 properly chained, then renumber the old 5.. after it.
	 */
	CHECK(tamper(db, "CREATE TABLE tail AS SELECT * FROM audit WHERE seq >= 5;"
	                 "DELETE FROM audit WHERE seq >= 5") == 0);
	CHECK(cer_audit_append(db, &e, 1767323049500LL, NULL) == 0);
	CHECK(tamper(db, "INSERT INTO audit SELECT seq + 1, time, actor, role, operation, object, "
	                 "result, session, host, details, prev_hash, hash FROM tail") == 0);
	CHECK_EQ(verify(db, &seq), CER_AUDIT_INSERTED);
	CHECK_EQ(seq, 5);
	CHECK(strstr(rep.findings[0].text, "record 5 was inserted (record 6 was originally "
	                                   "record 5)") != NULL);
	CHECK_EQ(rep.total_findings, 1); /* the renumbered rest is not reported again */
	cer_db_close(db);
}

static void
test_changed_and_rehashed(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	uint64_t seq;

	CHECK(db != NULL && fill(db, 10, 0) == 0);
	if (db == NULL)
		return;
	/* Record 10 replaced with a re-hashed forgery: the chain itself cannot tell (no
	   checkpoint); record 4 replaced the same way breaks record 5's link. */
	CHECK(rewrite_from(db, 10, 10) == 0);
	CHECK_EQ(verify(db, &seq), -1);
	CHECK_EQ(rep.unsigned_count, 10);
	CHECK(tamper(db, "DROP TABLE saved") == 0);
	CHECK(tamper(db, "CREATE TABLE rest AS SELECT * FROM audit WHERE seq > 4") == 0);
	CHECK(rewrite_from(db, 4, 4) == 0);
	CHECK(tamper(db, "INSERT INTO audit SELECT * FROM rest") == 0);
	CHECK_EQ(verify(db, &seq), CER_AUDIT_CHANGED);
	CHECK_EQ(seq, 4);
	CHECK(strstr(rep.findings[0].text, "record 5 still names the original") != NULL);
	cer_db_close(db);
}

static void
test_other_key(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	uint64_t seq;

	CHECK(db != NULL && fill(db, 5, 0) == 0);
	if (db == NULL)
		return;
	CHECK(cer_audit_checkpoint(db, be, other_key, "s", 1767323099000LL, NULL) == 0);
	CHECK_EQ(verify(db, &seq), CER_AUDIT_CHECKPOINT_FORGED);
	CHECK_EQ(seq, 5);
	cer_db_close(db);
}

static void
test_clock_warning(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	uint64_t seq;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK(append(db, "a", "one", "", 9000) == 0);
	CHECK(append(db, "a", "two", "", 5000) == 0);
	CHECK_EQ(verify(db, &seq), -1);
	CHECK_EQ(rep.nwarnings, 1);
	CHECK(strstr(rep.warnings[0], "record 2") != NULL &&
	      strstr(rep.warnings[0], "clock went backwards") != NULL);
	cer_db_close(db);
}

struct count {
	int n;
	int64_t last;
};

static int
count_fn(void *ctx, const struct cer_audit_record *rec)
{
	struct count *c = ctx;

	c->n++;
	c->last = rec->seq;
	return 0;
}

static void
test_filters(void)
{
	char dir[PATH_MAX];
	struct cer_db *db = fresh_db(dir, sizeof(dir));
	struct cer_audit_filter f;
	struct count c;

	CHECK(db != NULL && fill(db, 6, 0) == 0);
	if (db == NULL)
		return;
	CHECK(append(db, "Zed", "sign", "01ab", 1767400000000LL) == 0);
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.operation = "sign";
	CHECK(cer_audit_foreach(db, &f, count_fn, &c) == 0);
	CHECK(c.n == 1 && c.last == 7);
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.actor = "Olivia";
	f.since = "2026-01-02T03:04:08";
	f.until = "2026-01-02T03:04:10";
	CHECK(cer_audit_foreach(db, &f, count_fn, &c) == 0);
	CHECK_EQ(c.n, 3); /* records 3, 4, 5 (:08, :09, :10 inclusive) */
	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	f.until = "2026-01-02";
	CHECK(cer_audit_foreach(db, &f, count_fn, &c) == 0);
	CHECK_EQ(c.n, 6);
	cer_db_close(db);
}

int
main(void)
{
	char cmd[PATH_MAX + 16];

	if (mkdtemp(tmpdir) == NULL || sodium_init() < 0)
		return 1;
	be = cer_backend_find("software");
	if (be == NULL || ca_key_generate(CA_ALG_EC_P256, &key) != 0 ||
	    ca_key_generate(CA_ALG_EC_P256, &other_key) != 0)
		return 1;
	RUN(test_hash_known_answer);
	RUN(test_time);
	RUN(test_clean_fields);
	RUN(test_append_in_transaction);
	RUN(test_newest);
	RUN(test_intact);
	RUN(test_empty);
	RUN(test_tampering);
	RUN(test_rewritten_chain);
	RUN(test_inserted);
	RUN(test_changed_and_rehashed);
	RUN(test_other_key);
	RUN(test_clock_warning);
	RUN(test_filters);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other_key);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return HARNESS_END();
}
