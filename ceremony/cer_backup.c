/*
 * cer_backup: writing, verifying and proving a backup of a CA home (see the
 * header for the layout, the manifest and the invariants).
 *
 * The database is copied with SQLite's online backup API from a read-only
 * connection into an in-memory database, which is then serialized: the
 * bytes written are a consistent snapshot even if another connection writes
 * meanwhile, and no temporary database appears on the stick.  Verification
 * deserializes the bytes it hashed, read-only, so what is checked is
 * exactly what is on the stick.
 */
#include "ceremony/cer_backup.h"

#include <errno.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/ca_pem.h"
#include "ca/ca_sig.h"
#include "ceremony/cer_db.h"
#include "ceremony/cer_export.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_vault.h"

#define VAULT_FILE_MAX (CER_HEADER_MAX + CER_BODY_MAX + 2048)
#define DB_MAX ((size_t)1024 * 1024 * 1024)
#define SMALL_MAX ((size_t)256 * 1024)
#define MANIFEST_MAX ((size_t)64 * 1024)
#define SUMS "SHA256SUMS"

/* The files of a backup, in manifest order; the last two only when the home has profiles. */
static const char *const names[CER_BACKUP_MAX_FILES] = {"vault", "ca.db", "root.pem",
                                                        "profiles.json", "profiles.json.sig"};

struct content {
	uint8_t *data[CER_BACKUP_MAX_FILES];
	size_t len[CER_BACKUP_MAX_FILES];
	size_t n;
};

static void
content_free(struct content *c)
{
	size_t i;

	for (i = 0; i < CER_BACKUP_MAX_FILES; i++) {
		free(c->data[i]);
		c->data[i] = NULL;
	}
}

/* --- the database ---------------------------------------------------------------- */

/* A consistent copy of HOME/ca.db, serialized (free()). */
static int
db_snapshot(const char *home, uint8_t **out, size_t *len)
{
	sqlite3 *src = NULL, *mem = NULL;
	sqlite3_backup *b;
	sqlite3_int64 size = 0;
	unsigned char *ser = NULL;
	char path[PATH_MAX];
	int r, rc;

	*out = NULL;
	if ((r = cer_path_join(path, sizeof(path), home, "ca.db")) != 0)
		return r;
	if (access(path, F_OK) != 0)
		return custos_err_set(CUSTOS_ENOENT, "%s does not exist", path);
	if (sqlite3_open_v2(path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) !=
	            SQLITE_OK ||
	    sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		r = custos_err_set(CUSTOS_EDB, "cannot open %s for the snapshot", path);
		goto out;
	}
	(void)sqlite3_busy_timeout(src, 5000);
	if ((b = sqlite3_backup_init(mem, "main", src, "main")) == NULL) {
		r = custos_err_set(CUSTOS_EDB, "snapshot of %s: %s", path, sqlite3_errmsg(mem));
		goto out;
	}
	rc = sqlite3_backup_step(b, -1);
	(void)sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		r = custos_err_set(CUSTOS_EDB, "snapshot of %s: %s", path, sqlite3_errstr(rc));
		goto out;
	}
	if ((ser = sqlite3_serialize(mem, "main", &size, 0)) == NULL || size <= 0) {
		r = custos_err_set(CUSTOS_EDB, "snapshot of %s could not be serialized", path);
		goto out;
	}
	if ((*out = malloc((size_t)size)) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "snapshot of %s", path);
		goto out;
	}
	memcpy(*out, ser, (size_t)size);
	*len = (size_t)size;
	r = 0;
out:
	sqlite3_free(ser);
	sqlite3_close(src);
	sqlite3_close(mem);
	return r;
}

static int
count_rows(sqlite3 *db, const char *table, uint64_t *out)
{
	char sql[64];
	sqlite3_stmt *st = NULL;
	int r = 0;

	(void)snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		r = custos_err_set(CUSTOS_EDB, "the backup's ca.db has no readable %s table",
		                   table);
	else
		*out = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return r;
}

/* Opens the hashed bytes read-only in memory: integrity check, schema, counts. */
static int
db_check(const uint8_t *data, size_t len, struct cer_backup_info *info)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned char *copy;
	const unsigned char *res;
	int r = 0, version = -1;

	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    (copy = sqlite3_malloc64(len)) == NULL) {
		sqlite3_close(db);
		return custos_err_set(CUSTOS_ENOMEM, "checking ca.db");
	}
	memcpy(copy, data, len);
	if (sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
	                        SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) !=
	    SQLITE_OK) {
		r = custos_err_set(CUSTOS_EDB, "the backup's ca.db is not a database");
		goto out;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || (res = sqlite3_column_text(st, 0)) == NULL ||
	    strcmp((const char *)res, "ok") != 0) {
		r = custos_err_set(CUSTOS_EDB, "the backup's ca.db fails its integrity check");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	if (version < 1 || version > CER_DB_SCHEMA_VERSION) {
		r = custos_err_set(CUSTOS_EVERSION,
		                   "the backup's ca.db has schema version %d; this "
		                   "custos knows %d",
		                   version, CER_DB_SCHEMA_VERSION);
		goto out;
	}
	if ((r = count_rows(db, "certificates", &info->certificates)) != 0 ||
	    (r = count_rows(db, "revocations", &info->revocations)) != 0)
		goto out;
	r = count_rows(db, "crls", &info->crls);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}

/* --- the manifest ---------------------------------------------------------------- */

static int
manifest_make(const struct cer_backup_info *info, char **out, size_t *len)
{
	size_t cap = 2048 + sizeof(info->subject), off = 0, i;
	char hex[65], *m = malloc(cap);
	uint8_t sha[32];
	int n;

#define EMIT(...)                                                                                  \
	do {                                                                                       \
		n = snprintf(m + off, cap - off, __VA_ARGS__);                                     \
		if (n < 0 || (size_t)n >= cap - off)                                               \
			goto too_long;                                                             \
		off += (size_t)n;                                                                  \
	} while (0)
	if (m == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "manifest");
	sodium_bin2hex(hex, sizeof(hex), info->root_sha256, 32);
	EMIT("custos-backup %d\ncreated %s\nsubject %s\nroot-sha256 %s\nshare-set %u\n",
	     CER_BACKUP_VERSION, info->created, info->subject, hex, info->share_set);
	for (i = 0; i < info->nfiles; i++) {
		sodium_bin2hex(hex, sizeof(hex), info->files[i].sha256, 32);
		EMIT("file %s %llu %s\n", info->files[i].name,
		     (unsigned long long)info->files[i].size, hex);
	}
	crypto_hash_sha256(sha, (const uint8_t *)m, off);
	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	EMIT("end %s\n", hex);
#undef EMIT
	*out = m;
	*len = off;
	return 0;
too_long:
	free(m);
	return custos_err_set(CUSTOS_ETOOBIG, "manifest");
}

static int
hex32(const char *s, size_t len, uint8_t out[32])
{
	size_t got = 0;

	return len == 64 && sodium_hex2bin(out, 32, s, len, NULL, &got, NULL) == 0 && got == 32
	               ? 0
	               : -1;
}

/* Parses one "KEY VALUE" line of the manifest at *p; value in val (NUL-terminated). */
static int
take_line(const char **p, const char *end, const char *key, char *val, size_t vlen)
{
	const char *eol = memchr(*p, '\n', (size_t)(end - *p));
	size_t klen = strlen(key), n;

	if (eol == NULL || (size_t)(eol - *p) <= klen + 1 || memcmp(*p, key, klen) != 0 ||
	    (*p)[klen] != ' ')
		return -1;
	n = (size_t)(eol - (*p + klen + 1));
	if (n >= vlen || memchr(*p + klen + 1, '\0', n) != NULL)
		return -1;
	memcpy(val, *p + klen + 1, n);
	val[n] = '\0';
	*p = eol + 1;
	return 0;
}

static int
manifest_parse(const uint8_t *data, size_t len, struct cer_backup_info *info)
{
	const char *p = (const char *)data, *end = p + len, *end_line;
	char val[1024], name[64], hex[80];
	unsigned long long size;
	uint8_t sha[32], want[32];
	unsigned share_set;
	int version, n;

	memset(info, 0, sizeof(*info));
	if (take_line(&p, end, "custos-backup", val, sizeof(val)) != 0 ||
	    sscanf(val, "%d%n", &version, &n) != 1 || val[n] != '\0')
		return custos_err_set(CUSTOS_EFORMAT, "MANIFEST is not a custos backup manifest");
	if (version != CER_BACKUP_VERSION)
		return custos_err_set(CUSTOS_EVERSION, "backup format %d; this custos reads %d",
		                      version, CER_BACKUP_VERSION);
	if (take_line(&p, end, "created", info->created, sizeof(info->created)) != 0 ||
	    take_line(&p, end, "subject", info->subject, sizeof(info->subject)) != 0 ||
	    take_line(&p, end, "root-sha256", hex, sizeof(hex)) != 0 ||
	    hex32(hex, strlen(hex), info->root_sha256) != 0 ||
	    take_line(&p, end, "share-set", val, sizeof(val)) != 0 ||
	    sscanf(val, "%u%n", &share_set, &n) != 1 || val[n] != '\0' || share_set > 0x7fff)
		return custos_err_set(CUSTOS_EFORMAT, "MANIFEST header lines are malformed");
	info->share_set = share_set;
	while (take_line(&p, end, "file", val, sizeof(val)) == 0) {
		if (info->nfiles == CER_BACKUP_MAX_FILES ||
		    sscanf(val, "%63s %llu %79s%n", name, &size, hex, &n) != 3 || val[n] != '\0' ||
		    strcmp(name, names[info->nfiles]) != 0 ||
		    hex32(hex, strlen(hex), info->files[info->nfiles].sha256) != 0)
			return custos_err_set(CUSTOS_EFORMAT, "MANIFEST file line %zu is malformed",
			                      info->nfiles + 1);
		(void)snprintf(info->files[info->nfiles].name, sizeof(info->files[0].name), "%s",
		               names[info->nfiles]);
		info->files[info->nfiles++].size = size;
	}
	end_line = p;
	if (take_line(&p, end, "end", hex, sizeof(hex)) != 0 ||
	    hex32(hex, strlen(hex), want) != 0 || p != end)
		return custos_err_set(CUSTOS_EFORMAT, "MANIFEST does not end with its own hash");
	crypto_hash_sha256(sha, data, (size_t)(end_line - (const char *)data));
	if (sodium_memcmp(sha, want, 32) != 0)
		return custos_err_set(CUSTOS_EAUTH,
		                      "MANIFEST was altered: its hash does not match");
	if (info->nfiles != 3 && info->nfiles != 5)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "MANIFEST lists %zu files; a backup has 3 or 5",
		                      info->nfiles);
	return 0;
}

/* SHA256SUMS must list exactly the backup's files and MANIFEST, with the recorded hashes. */
static int
sums_make(const struct cer_backup_info *info, char **out, size_t *len)
{
	size_t cap = 128 * (CER_BACKUP_MAX_FILES + 1), off = 0, i;
	char hex[65], *s = malloc(cap);

	if (s == NULL)
		return custos_err_set(CUSTOS_ENOMEM, SUMS);
	for (i = 0; i < info->nfiles; i++) {
		sodium_bin2hex(hex, sizeof(hex), info->files[i].sha256, 32);
		off += (size_t)snprintf(s + off, cap - off, "%s  %s\n", hex, info->files[i].name);
	}
	sodium_bin2hex(hex, sizeof(hex), info->manifest_sha256, 32);
	off += (size_t)snprintf(s + off, cap - off, "%s  %s\n", hex, CER_BACKUP_MANIFEST);
	*out = s;
	*len = off;
	return 0;
}

/* --- verification ----------------------------------------------------------------- */

static size_t
max_of(size_t i)
{
	return i == 0 ? VAULT_FILE_MAX : i == 1 ? DB_MAX : SMALL_MAX;
}

/* Reads every file the manifest lists and checks its size and hash. */
static int
read_files(const char *dir, const struct cer_backup_info *info, struct content *c)
{
	char path[PATH_MAX];
	uint8_t sha[32];
	size_t i;
	int r;

	for (i = 0; i < info->nfiles; i++) {
		if ((r = cer_path_join(path, sizeof(path), dir, names[i])) != 0 ||
		    (r = cer_media_read(path, max_of(i), &c->data[i], &c->len[i])) != 0)
			return r;
		c->n = i + 1;
		crypto_hash_sha256(sha, c->data[i], c->len[i]);
		if (c->len[i] != info->files[i].size ||
		    sodium_memcmp(sha, info->files[i].sha256, 32))
			return custos_err_set(
			        CUSTOS_EAUTH, "%s was altered: its %s differs from the manifest's",
			        names[i], c->len[i] != info->files[i].size ? "size" : "SHA-256");
	}
	return 0;
}

/* The root certificate from root.pem's bytes: one strict PEM block. */
static int
parse_root(const uint8_t *pem, size_t len, X509 **out)
{
	static const char *const labels[] = {"CERTIFICATE", NULL};
	unsigned char *der = NULL;
	const unsigned char *p;
	char why[512];
	size_t dlen;
	int is_pem, r;

	*out = NULL;
	if ((r = ca_pem_or_der(pem, len, SMALL_MAX, labels, &der, &dlen, &is_pem)) != 0) {
		(void)snprintf(why, sizeof(why), "%s", custos_err_detail());
		return custos_err_set(CUSTOS_EFORMAT, "root.pem: %s", why);
	}
	p = der;
	*out = d2i_X509(NULL, &p, (long)dlen);
	if (*out == NULL || p != der + dlen) {
		X509_free(*out);
		*out = NULL;
		r = custos_err_set_openssl(CUSTOS_EFORMAT, "root.pem is not one certificate");
	}
	OPENSSL_free(der);
	return r;
}

/* Vault, root and profiles: signatures and the manifest's header. */
static int
check_ca(const struct content *c, const struct cer_backup_info *info, struct cer_home *h)
{
	char why[512];
	uint8_t fp[32];
	int r;

	if ((r = cer_vault_parse(c->data[0], c->len[0], &h->vault)) != 0 ||
	    (r = parse_root(c->data[2], c->len[2], &h->root)) != 0)
		return r;
	if ((h->root_pub = X509_get0_pubkey(h->root)) == NULL)
		return custos_err_set_openssl(CUSTOS_EFORMAT, "root.pem has no usable public key");
	if ((r = cer_vault_verify(h->vault, c->data[0], c->len[0], h->root_pub)) != 0) {
		(void)snprintf(why, sizeof(why), "%s", custos_err_detail());
		return custos_err_set(
		        r, "the vault is not signed by the root certificate's key: %s", why);
	}
	if ((r = cer_root_fingerprint(h, fp)) != 0)
		return r;
	if (sodium_memcmp(fp, info->root_sha256, 32) != 0)
		return custos_err_set(CUSTOS_EAUTH, "root.pem is not the root the manifest names");
	if (strcmp(h->vault->subject, info->subject) != 0 ||
	    h->vault->identifier != info->share_set)
		return custos_err_set(
		        CUSTOS_EAUTH,
		        "the manifest's subject or share set differs from the vault's");
	if (info->nfiles == 5 &&
	    ca_sig_verify(h->root_pub, c->data[3], c->len[3], c->data[4], c->len[4]) != 0)
		return custos_err_set(CUSTOS_EAUTH,
		                      "profiles.json.sig is not the root key's signature over "
		                      "profiles.json");
	return 0;
}

int
cer_backup_verify(const char *dir, struct cer_backup_info *info, struct cer_home **home)
{
	struct content c = {0};
	struct cer_home *h = NULL;
	uint8_t *manifest = NULL, *sums = NULL;
	char path[PATH_MAX], *want = NULL;
	size_t mlen, slen, wlen;
	int r, n;

	if (home != NULL)
		*home = NULL;
	memset(info, 0, sizeof(*info));
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "backup");
	n = snprintf(h->path, sizeof(h->path), "%s", dir);
	if (n < 0 || (size_t)n >= sizeof(h->path)) {
		r = custos_err_set(CUSTOS_ETOOBIG, "path too long");
		goto out;
	}
	if ((r = cer_path_join(path, sizeof(path), dir, CER_BACKUP_MANIFEST)) != 0 ||
	    (r = cer_media_read(path, MANIFEST_MAX, &manifest, &mlen)) != 0 ||
	    (r = manifest_parse(manifest, mlen, info)) != 0)
		goto out;
	crypto_hash_sha256(info->manifest_sha256, manifest, mlen);
	if ((r = cer_path_join(path, sizeof(path), dir, SUMS)) != 0 ||
	    (r = cer_media_read(path, MANIFEST_MAX, &sums, &slen)) != 0 ||
	    (r = sums_make(info, &want, &wlen)) != 0)
		goto out;
	if (slen != wlen || memcmp(sums, want, wlen) != 0) {
		r = custos_err_set(CUSTOS_EAUTH, "SHA256SUMS was altered: it does not list the "
		                                 "manifest's files and hashes");
		goto out;
	}
	if ((r = read_files(dir, info, &c)) != 0 || (r = check_ca(&c, info, h)) != 0 ||
	    (r = db_check(c.data[1], c.len[1], info)) != 0)
		goto out;
	if (home != NULL) {
		*home = h;
		h = NULL; /* transferred */
	}
out:
	content_free(&c);
	free(manifest);
	free(sums);
	free(want);
	cer_home_free(h);
	return r;
}

int
cer_backup_prove(const struct cer_home *h, struct cer_quorum *q)
{
	static const uint8_t probe[] = "custos backup restoration test";
	struct cer_unlocked *u = NULL;
	uint8_t sig[CA_SIG_MAX];
	size_t siglen = 0;
	int r;

	if ((r = cer_unlock(h, q, &u)) != 0)
		return r;
	if ((r = u->backend->sign(u->key, probe, sizeof(probe) - 1, sig, &siglen)) == 0 &&
	    (r = ca_sig_verify(h->root_pub, probe, sizeof(probe) - 1, sig, siglen)) != 0)
		r = custos_err_set(CUSTOS_EAUTH, "the backup's key signs, but not as the root");
	cer_unlocked_free(u);
	return r;
}

/* --- writing ------------------------------------------------------------------------ */

/* Reads the live home: vault (checked against the root), root.pem, profiles, database. */
static int
collect(const char *home, struct content *c, struct cer_backup_info *info, time_t now)
{
	struct cer_home *h = NULL;
	struct cer_vault *v = NULL;
	char path[PATH_MAX];
	size_t i;
	int r, have[2] = {0, 0};

	if ((r = cer_home_open(home, &h)) != 0)
		return r;
	for (i = 0; i < 5 && r == 0; i++) {
		if (i == 1)
			continue;
		if ((r = cer_path_join(path, sizeof(path), home, names[i])) != 0)
			break;
		if (i >= 3 && access(path, F_OK) != 0) {
			have[i - 3] = 0;
			continue;
		}
		if (i >= 3)
			have[i - 3] = 1;
		r = cer_file_read(path, max_of(i), &c->data[i], &c->len[i]);
	}
	if (r == 0 && have[0] != have[1])
		r = custos_err_set(CUSTOS_EFORMAT, "the home has %s without %s",
		                   names[have[0] ? 3 : 4], names[have[0] ? 4 : 3]);
	/* The bytes copied are the bytes checked: parse and verify this very copy. */
	if (r == 0 && (r = cer_vault_parse(c->data[0], c->len[0], &v)) == 0)
		r = cer_vault_verify(v, c->data[0], c->len[0], h->root_pub);
	if (r == 0)
		r = db_snapshot(home, &c->data[1], &c->len[1]);
	if (r == 0 && (r = cer_root_fingerprint(h, info->root_sha256)) == 0) {
		c->n = have[0] ? 5 : 3;
		(void)snprintf(info->subject, sizeof(info->subject), "%s", v->subject);
		info->share_set = v->identifier;
		cer_time_format(now, info->created, sizeof(info->created));
	}
	cer_vault_free(v);
	cer_home_free(h);
	return r;
}

/* dir: created when missing (*created = 1), else a directory holding none of the names. */
static int
prepare_dir(const char *dir, int *created)
{
	static const char *const others[] = {CER_BACKUP_MANIFEST, SUMS};
	char path[PATH_MAX];
	struct stat st;
	size_t i;
	int r;

	*created = 0;
	if (mkdir(dir, 0700) == 0) {
		*created = 1;
		return 0;
	}
	if (errno != EEXIST)
		return custos_err_set(errno == ENOSPC ? CUSTOS_ENOSPACE : CUSTOS_EIO,
		                      "cannot create %s: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return custos_err_set(CUSTOS_EIO, "%s is not a directory", dir);
	for (i = 0; i < CER_BACKUP_MAX_FILES + 2; i++) {
		if ((r = cer_path_join(path, sizeof(path), dir,
		                       i < CER_BACKUP_MAX_FILES
		                               ? names[i]
		                               : others[i - CER_BACKUP_MAX_FILES])) != 0)
			return r;
		if (lstat(path, &st) == 0)
			return custos_err_set(CUSTOS_EEXIST,
			                      "%s already exists; a backup never "
			                      "overwrites anything",
			                      path);
	}
	return 0;
}

static void
remove_written(const char *dir, const int *written, int created)
{
	static const char *const others[] = {CER_BACKUP_MANIFEST, SUMS};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < CER_BACKUP_MAX_FILES + 2; i++)
		if (written[i] &&
		    cer_path_join(path, sizeof(path), dir,
		                  i < CER_BACKUP_MAX_FILES ? names[i]
		                                           : others[i - CER_BACKUP_MAX_FILES]) == 0)
			(void)unlink(path);
	if (created)
		(void)rmdir(dir);
}

/* Compares what verification found with what was written. */
static int
same_backup(const struct cer_backup_info *a, const struct cer_backup_info *b)
{
	size_t i;

	if (a->nfiles != b->nfiles || memcmp(a->root_sha256, b->root_sha256, 32) != 0)
		return 0;
	for (i = 0; i < a->nfiles; i++)
		if (a->files[i].size != b->files[i].size ||
		    memcmp(a->files[i].sha256, b->files[i].sha256, 32) != 0)
			return 0;
	return 1;
}

/* The backup's audit record: every file with its hash. */
static int
record_backup(struct cer_session *s, const char *dir, const struct cer_backup_info *info)
{
	char details[1024], hex[65];
	size_t i, off = 0;
	int w;

	details[0] = '\0';
	for (i = 0; i < info->nfiles; i++) {
		sodium_bin2hex(hex, sizeof(hex), info->files[i].sha256, 32);
		w = snprintf(details + off, sizeof(details) - off, "%s%s sha256 %s", i ? ", " : "",
		             info->files[i].name, hex);
		off += w > 0 && (size_t)w < sizeof(details) - off ? (size_t)w : 0;
	}
	sodium_bin2hex(hex, sizeof(hex), info->manifest_sha256, 32);
	return cer_session_record(s, "backup", dir, "ok", "%s; MANIFEST sha256 %s", details, hex);
}

int
cer_backup_write(const char *home, const char *dir, time_t now, struct cer_backup_info *info,
                 struct cer_session *s)
{
	struct content c = {0};
	struct cer_backup_info check;
	int written[CER_BACKUP_MAX_FILES + 2] = {0}, created = 0, r;
	char *manifest = NULL, *sums = NULL, detail[512];
	size_t i, mlen = 0, slen = 0;

	memset(info, 0, sizeof(*info));
	if ((r = collect(home, &c, info, now)) != 0 || (r = prepare_dir(dir, &created)) != 0)
		goto out;
	for (i = 0; i < c.n; i++) {
		(void)snprintf(info->files[i].name, sizeof(info->files[i].name), "%s", names[i]);
		info->files[i].size = c.len[i];
		crypto_hash_sha256(info->files[i].sha256, c.data[i], c.len[i]);
	}
	info->nfiles = c.n;
	if ((r = manifest_make(info, &manifest, &mlen)) != 0)
		goto out;
	crypto_hash_sha256(info->manifest_sha256, (const uint8_t *)manifest, mlen);
	if ((r = sums_make(info, &sums, &slen)) != 0)
		goto out;
	for (i = 0; i < c.n && r == 0; i++)
		if ((r = cer_media_put(dir, names[i], c.data[i], c.len[i], i == 2 ? 0644 : 0600)) ==
		    0)
			written[i] = 1;
	if (r == 0 && (r = cer_media_put(dir, CER_BACKUP_MANIFEST, (const uint8_t *)manifest, mlen,
	                                 0644)) == 0)
		written[CER_BACKUP_MAX_FILES] = 1;
	if (r == 0 && (r = cer_media_put(dir, SUMS, (const uint8_t *)sums, slen, 0644)) == 0)
		written[CER_BACKUP_MAX_FILES + 1] = 1;
	if (r == 0 && (r = cer_dir_sync(dir)) == 0 &&
	    (r = cer_backup_verify(dir, &check, NULL)) == 0 && !same_backup(info, &check))
		r = custos_err_set(CUSTOS_EIO, "the backup read back is not the one written");
	if (r == 0) {
		info->certificates = check.certificates;
		info->revocations = check.revocations;
		info->crls = check.crls;
		if (s != NULL)
			r = record_backup(s, dir, info);
	}
	if (r != 0 && (written[0] || created)) {
		(void)snprintf(detail, sizeof(detail), "%s; the partial backup was removed",
		               custos_err_detail());
		remove_written(dir, written, created);
		(void)custos_err_set(r, "%s", detail);
	}
out:
	if (r != 0 && s != NULL) {
		(void)snprintf(detail, sizeof(detail), "%s", custos_err_detail());
		if (cer_session_record(s, "backup", dir, "failed", "%s: %s", custos_strerror(r),
		                       detail) != 0) {
			/* The failure stands; the session remembers the failed record. */
		}
		(void)custos_err_set(r, "%s", detail);
	}
	content_free(&c);
	free(manifest);
	free(sums);
	return r;
}
