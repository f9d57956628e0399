/*
 * The inventory: serial keys sort numerically, certificates and revocations
 * are recorded once, CRL numbers only go up, and an uncommitted transaction
 * leaves nothing behind.
 */
#include <stdlib.h>
#include <unistd.h>

#include "ceremony/cer_db.h"
#include "harness.h"

static char dir[] = "/tmp/custos-db-XXXXXX";

static void
make_row(struct cer_cert_row *row, const char *hex)
{
	static uint8_t der[3] = {0x30, 0x01, 0x00};

	memset(row, 0, sizeof(*row));
	if (cer_serial_from_hex(hex, row->serial) != 0)
		abort();
	snprintf(row->subject, sizeof(row->subject), "/CN=%s", hex);
	snprintf(row->profile, sizeof(row->profile), "issuing-ca");
	row->not_before = 1;
	row->not_after = 2;
	row->issued_at = 1;
	row->der = der;
	row->der_len = sizeof(der);
}

static void
test_serials(void)
{
	uint8_t key[CER_SERIAL_LEN], b[CER_SERIAL_LEN];
	char hex[2 * CER_SERIAL_LEN + 1];

	CHECK(cer_serial_from_hex("0x01ff", key) == 0);
	CHECK_EQ(cer_serial_bytes(key, b), 2);
	cer_serial_hex(key, hex);
	CHECK(strcmp(hex, "01ff") == 0);
	CHECK(cer_serial_from_hex("1ff", key) == 0); /* odd digit count */
	cer_serial_hex(key, hex);
	CHECK(strcmp(hex, "01ff") == 0);
	CHECK(cer_serial_from_hex("7f:01", key) == 0);
	CHECK_EQ(cer_serial_from_hex("00", key), CUSTOS_EINVAL);
	CHECK_EQ(cer_serial_from_hex("xyz", key), CUSTOS_EINVAL);
	CHECK_EQ(cer_serial_from_hex("0102030405060708090a0b0c0d0e0f101112131415", key), CUSTOS_EINVAL);
}

struct order {
	int n;
	char first[41], last[41];
};

static int
collect(void *ctx, const struct cer_cert_row *row)
{
	struct order *o = ctx;

	cer_serial_hex(row->serial, o->n == 0 ? o->first : o->last);
	o->n++;
	return 0;
}

static int
count_revoked(void *ctx, const uint8_t key[CER_SERIAL_LEN], int64_t when, enum cer_reason r)
{
	(void)key;
	(void)when;
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

static void
test_inventory(void)
{
	struct cer_db *db = NULL;
	struct cer_cert_row row, got;
	struct cer_crl_row crl;
	struct order o = {0, "", ""};
	uint64_t issued, revoked, next;
	int exists, n = 0;
	uint8_t der[4] = {1, 2, 3, 4};

	CHECK(cer_db_open(dir, 1, &db) == 0);
	if (db == NULL)
		return;
	CHECK(cer_db_begin(db) == 0);
	make_row(&row, "ff"); /* numerically smaller than 0100 */
	CHECK(cer_db_cert_insert(db, &row) == 0);
	make_row(&row, "0100");
	CHECK(cer_db_cert_insert(db, &row) == 0);
	CHECK_EQ(cer_db_cert_insert(db, &row), CUSTOS_EEXIST);
	CHECK(cer_db_commit(db) == 0);
	CHECK(cer_db_cert_foreach(db, collect, &o) == 0);
	CHECK_EQ(o.n, 2);
	CHECK(strcmp(o.first, "ff") == 0 && strcmp(o.last, "0100") == 0);
	CHECK(cer_db_serial_exists(db, row.serial, &exists) == 0 && exists == 1);
	CHECK(cer_db_cert_get(db, row.serial, 1, &got) == 0 && got.der_len == 3);
	free(got.der);
	/* Revocations: once, and only of issued certificates. */
	CHECK(cer_db_begin(db) == 0);
	CHECK(cer_db_revoke(db, row.serial, 5, CER_REASON_SUPERSEDED) == 0);
	CHECK_EQ(cer_db_revoke(db, row.serial, 6, CER_REASON_SUPERSEDED), CUSTOS_EEXIST);
	make_row(&row, "42");
	CHECK_EQ(cer_db_revoke(db, row.serial, 6, CER_REASON_SUPERSEDED), CUSTOS_ENOENT);
	CHECK(cer_db_commit(db) == 0);
	CHECK(cer_db_revocations_foreach(db, count_revoked, &n) == 0 && n == 1);
	CHECK(cer_db_counts(db, &issued, &revoked) == 0 && issued == 2 && revoked == 1);
	/* A rolled-back transaction leaves nothing. */
	CHECK(cer_db_begin(db) == 0);
	CHECK(cer_db_cert_insert(db, &row) == 0);
	cer_db_rollback(db);
	CHECK(cer_db_serial_exists(db, row.serial, &exists) == 0 && exists == 0);
	/* CRL numbers only go up. */
	CHECK_EQ(cer_db_crl_latest(db, 0, &crl), CUSTOS_ENOENT);
	CHECK(cer_db_crl_next_number(db, &next) == 0 && next == 1);
	memset(&crl, 0, sizeof(crl));
	crl.number = 1;
	crl.der = der;
	crl.der_len = sizeof(der);
	CHECK(cer_db_crl_insert(db, &crl) == 0);
	CHECK_EQ(cer_db_crl_insert(db, &crl), CUSTOS_EEXIST);
	CHECK(cer_db_crl_next_number(db, &next) == 0 && next == 2);
	cer_db_close(db);
	/* Reopened: the data is there; a newer schema is refused. */
	CHECK(cer_db_open(dir, 0, &db) == 0);
	CHECK(cer_db_crl_latest(db, 1, &crl) == 0 && crl.number == 1 && crl.der_len == 4);
	free(crl.der);
	CHECK(sqlite3_exec(cer_db_sqlite(db), "PRAGMA user_version=99", NULL, NULL, NULL) == 0);
	cer_db_close(db);
	CHECK_EQ(cer_db_open(dir, 0, &db), CUSTOS_EVERSION);
}

static void
test_reasons(void)
{
	enum cer_reason r;

	CHECK(cer_reason_from_name("keyCompromise", &r) == 0 && r == CER_REASON_KEY_COMPROMISE);
	CHECK(cer_reason_from_name("none", &r) == 0 && r == CER_REASON_UNSPECIFIED);
	CHECK_EQ(cer_reason_from_name("cACompromise", &r), CUSTOS_EINVAL);
	CHECK(strcmp(cer_reason_name(CER_REASON_PRIVILEGE_WITHDRAWN), "privilegeWithdrawn") == 0);
}

int
main(void)
{
	char cmd[64];

	if (mkdtemp(dir) == NULL)
		return 1;
	RUN(test_serials);
	RUN(test_inventory);
	RUN(test_reasons);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return HARNESS_END();
}
