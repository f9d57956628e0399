/*
 * cer_audit: encoding, appending to the hash chain, checkpoints, reading and
 * filtering (see the header and docs/audit-format.md).  Verification is in
 * cer_audit_verify.c.
 */
#include "ceremony/cer_audit.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca/ca_sig.h"
#include "ceremony/cer_file.h"

static const char record_tag[] = "custos-audit-v1";
static const char checkpoint_tag[] = "custos-audit-checkpoint-v1";

static const char *const field_names[CER_AF_COUNT] = {
        "time", "actor", "role", "operation", "object", "result", "session", "host", "details",
};

#define RECORD_COLUMNS                                                                             \
	"seq, time, actor, role, operation, object, result, session, host, details, prev_hash, "   \
	"hash"

const char *
cer_audit_field_name(enum cer_audit_field f)
{
	return (unsigned)f < CER_AF_COUNT ? field_names[f] : "?";
}

static int
db_err(struct cer_db *db, const char *what)
{
	return custos_err_set(CUSTOS_EDB, "%s: %s", what, sqlite3_errmsg(cer_db_sqlite(db)));
}

static int
prepare(struct cer_db *db, const char *sql, sqlite3_stmt **st)
{
	*st = NULL;
	if (sqlite3_prepare_v2(cer_db_sqlite(db), sql, -1, st, NULL) != SQLITE_OK)
		return db_err(db, "audit log");
	return 0;
}

/* --- encoding ---------------------------------------------------------------- */

static void
put_u32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
put_u64(uint8_t b[8], uint64_t v)
{
	put_u32(b, (uint32_t)(v >> 32));
	put_u32(b + 4, (uint32_t)v);
}

int
cer_audit_hash(uint64_t seq, const char *const field[CER_AF_COUNT], const size_t len[CER_AF_COUNT],
               const uint8_t prev[CER_AUDIT_HASH_LEN], uint8_t out[CER_AUDIT_HASH_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t b[8];
	unsigned int n = 0;
	int ok, i;

	if (ctx == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "hash");
	put_u64(b, seq);
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, record_tag, sizeof(record_tag) - 1) == 1 &&
	     EVP_DigestUpdate(ctx, b, 8) == 1;
	for (i = 0; ok && i < CER_AF_COUNT; i++) {
		if (len[i] > UINT32_MAX) {
			ok = 0;
			break;
		}
		put_u32(b, (uint32_t)len[i]);
		ok = EVP_DigestUpdate(ctx, b, 4) == 1 &&
		     (len[i] == 0 || EVP_DigestUpdate(ctx, field[i], len[i]) == 1);
	}
	ok = ok && EVP_DigestUpdate(ctx, prev, CER_AUDIT_HASH_LEN) == 1 &&
	     EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == CER_AUDIT_HASH_LEN;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : custos_err_set_openssl(CUSTOS_ECRYPTO, "SHA-256");
}

size_t
cer_audit_checkpoint_message(uint64_t seq, const uint8_t hash[CER_AUDIT_HASH_LEN], const char *time,
                             size_t time_len, const char *session, size_t session_len, uint8_t *buf,
                             size_t len)
{
	size_t tag = sizeof(checkpoint_tag) - 1;
	size_t need = tag + 8 + CER_AUDIT_HASH_LEN + 4 + time_len + 4 + session_len, o = 0;

	if (need > len || time_len > UINT32_MAX || session_len > UINT32_MAX)
		return 0;
	memcpy(buf, checkpoint_tag, tag);
	o += tag;
	put_u64(buf + o, seq);
	o += 8;
	memcpy(buf + o, hash, CER_AUDIT_HASH_LEN);
	o += CER_AUDIT_HASH_LEN;
	put_u32(buf + o, (uint32_t)time_len);
	o += 4;
	memcpy(buf + o, time, time_len);
	o += time_len;
	put_u32(buf + o, (uint32_t)session_len);
	o += 4;
	memcpy(buf + o, session, session_len);
	return o + session_len;
}

void
cer_audit_time_format(int64_t ms, char out[CER_AUDIT_TIME_LEN])
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int milli = (int)(ms - (int64_t)t * 1000);
	struct tm tm;
	char base[24];

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0 ||
	    strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		(void)snprintf(out, CER_AUDIT_TIME_LEN, "1970-01-01T00:00:00.000Z");
		return;
	}
	(void)snprintf(out, CER_AUDIT_TIME_LEN, "%.19s.%03uZ", base, (unsigned)milli % 1000u);
}

/* Reads exactly n digits; -1 when any is not a digit. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
cer_audit_time_parse(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h, mi, se, milli;
	time_t t;

	*ms = 0;
	if (strlen(s) != CER_AUDIT_TIME_LEN - 1 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != '.' || s[23] != 'Z')
		return custos_err_set(CUSTOS_EFORMAT,
		                      "'%.40s' is not a time like "
		                      "2026-01-02T03:04:05.678Z",
		                      s);
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
	milli = digits(s + 20, 3);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
	    mi > 59 || se < 0 || se > 59 || milli < 0)
		return custos_err_set(CUSTOS_EFORMAT, "'%.40s' is not a valid time", s);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return custos_err_set(CUSTOS_EFORMAT, "'%.40s' is not a valid date", s);
	*ms = (int64_t)t * 1000 + milli;
	return 0;
}

/* --- cleaning what goes in ----------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left) and its code point; 0 if invalid. */
static size_t
utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, c = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, c = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, c = s[0] & 0x07u;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Control characters, line separators and bidirectional overrides never enter the log. */
static int
unwanted(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

int
cer_audit_text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), k;
	uint32_t c;

	while (n > 0) {
		if ((k = utf8_char(p, n, &c)) == 0 || unwanted(c))
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

size_t
cer_audit_clean(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = len, o = 0, k;
	uint32_t c;

	if (outlen == 0)
		return 0;
	while (n > 0) {
		k = utf8_char(p, n, &c);
		if (k == 0 || unwanted(c)) {
			if (o + 1 >= outlen)
				break;
			out[o++] = '?';
			p += k == 0 ? 1 : k;
			n -= k == 0 ? 1 : k;
			continue;
		}
		if (o + k >= outlen)
			break;
		memcpy(out + o, p, k);
		o += k;
		p += k;
		n -= k;
	}
	out[o] = '\0';
	return o;
}

/* Copies s into out (CER_AUDIT_FIELD_MAX + 1 bytes) cleaned; returns the length. */
static size_t
clean_field(const char *s, char *out)
{
	if (s == NULL)
		s = "";
	return cer_audit_clean(s, strlen(s), out, CER_AUDIT_FIELD_MAX + 1);
}

int
cer_audit_load_root(const char *path, X509 **root, uint8_t fp[32])
{
	uint8_t *pem = NULL;
	size_t len = 0;
	unsigned int n = 0;
	BIO *bio;
	int r;

	*root = NULL;
	if ((r = cer_file_read(path, 64 * 1024, &pem, &len)) != 0)
		return r;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		free(pem);
		return custos_err_set(CUSTOS_ENOMEM, "root certificate");
	}
	*root = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free(pem);
	if (*root == NULL)
		return custos_err_set_openssl(CUSTOS_EFORMAT, "the root certificate is not PEM");
	if (X509_digest(*root, EVP_sha256(), fp, &n) != 1 || n != 32 ||
	    X509_get0_pubkey(*root) == NULL) {
		X509_free(*root);
		*root = NULL;
		return custos_err_set_openssl(CUSTOS_EFORMAT,
		                              "the root certificate has no usable key");
	}
	return 0;
}

/* --- appending -------------------------------------------------------------------- */

static int
read_head(struct cer_db *db, struct cer_audit_head *head)
{
	sqlite3_stmt *st;
	const char *t;
	int r, rc;

	memset(head, 0, sizeof(*head));
	if ((r = prepare(db, "SELECT seq, hash, time FROM audit ORDER BY seq DESC LIMIT 1", &st)) !=
	    0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		head->seq = (uint64_t)sqlite3_column_int64(st, 0);
		if (sqlite3_column_int64(st, 0) < 1 ||
		    sqlite3_column_bytes(st, 1) != CER_AUDIT_HASH_LEN) {
			r = custos_err_set(CUSTOS_EAUDIT,
			                   "the audit log's last record (%lld) is "
			                   "damaged; run custos audit verify",
			                   (long long)sqlite3_column_int64(st, 0));
		} else {
			memcpy(head->hash, sqlite3_column_blob(st, 1), CER_AUDIT_HASH_LEN);
			t = (const char *)sqlite3_column_text(st, 2);
			(void)snprintf(head->time, sizeof(head->time), "%s", t != NULL ? t : "");
		}
	} else if (rc != SQLITE_DONE) {
		r = db_err(db, "reading the audit log");
	}
	sqlite3_finalize(st);
	return r;
}

int
cer_audit_head(struct cer_db *db, struct cer_audit_head *head)
{
	return read_head(db, head);
}

static int
insert_record(struct cer_db *db, uint64_t seq, char *const f[CER_AF_COUNT],
              const size_t len[CER_AF_COUNT], const uint8_t prev[CER_AUDIT_HASH_LEN],
              const uint8_t hash[CER_AUDIT_HASH_LEN])
{
	sqlite3_stmt *st;
	int r, i;

	if ((r = prepare(db,
	                 "INSERT INTO audit (" RECORD_COLUMNS ") "
	                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                 &st)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	for (i = 0; i < CER_AF_COUNT; i++)
		sqlite3_bind_text(st, 2 + i, f[i], (int)len[i], SQLITE_STATIC);
	sqlite3_bind_blob(st, 2 + CER_AF_COUNT, prev, CER_AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3 + CER_AF_COUNT, hash, CER_AUDIT_HASH_LEN, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_err(db, "appending to the audit log");
	sqlite3_finalize(st);
	return r;
}

/* Begins a transaction of our own when the caller has none open; *own says which. */
static int
begin_own(struct cer_db *db, int *own)
{
	int r;

	*own = sqlite3_get_autocommit(cer_db_sqlite(db)) != 0;
	if (*own && (r = cer_db_begin(db)) != 0)
		return r;
	return 0;
}

static int
end_own(struct cer_db *db, int own, int r)
{
	if (!own)
		return r;
	if (r != 0) {
		cer_db_rollback(db);
		return r;
	}
	return cer_db_commit(db);
}

static int
append_locked(struct cer_db *db, const struct cer_audit_entry *e, int64_t time_ms,
              char *const f[CER_AF_COUNT], struct cer_audit_head *head)
{
	const char *in[CER_AF_COUNT] = {NULL,      e->actor,   e->role, e->operation, e->object,
	                                e->result, e->session, e->host, e->details};
	size_t len[CER_AF_COUNT];
	struct cer_audit_head last;
	uint8_t hash[CER_AUDIT_HASH_LEN];
	char t[CER_AUDIT_TIME_LEN];
	int r, i;

	cer_audit_time_format(time_ms, t);
	in[CER_AF_TIME] = t;
	for (i = 0; i < CER_AF_COUNT; i++)
		len[i] = clean_field(in[i], f[i]);
	if ((r = read_head(db, &last)) != 0)
		return r;
	if ((r = cer_audit_hash(last.seq + 1, (const char *const *)f, len, last.hash, hash)) != 0 ||
	    (r = insert_record(db, last.seq + 1, f, len, last.hash, hash)) != 0)
		return r;
	if (head != NULL) {
		head->seq = last.seq + 1;
		memcpy(head->hash, hash, CER_AUDIT_HASH_LEN);
		memcpy(head->time, t, sizeof(t));
	}
	return 0;
}

int
cer_audit_append(struct cer_db *db, const struct cer_audit_entry *e, int64_t time_ms,
                 struct cer_audit_head *head)
{
	char *f[CER_AF_COUNT] = {NULL};
	int r, i, own = 0;

	if (e->operation == NULL || e->operation[0] == '\0')
		return custos_err_set(CUSTOS_EINVAL, "an audit record needs an operation");
	for (i = 0; i < CER_AF_COUNT; i++)
		if ((f[i] = malloc(CER_AUDIT_FIELD_MAX + 1)) == NULL) {
			r = custos_err_set(CUSTOS_ENOMEM, "audit record");
			goto out;
		}
	if ((r = begin_own(db, &own)) != 0)
		goto out;
	r = end_own(db, own, append_locked(db, e, time_ms, f, head));
out:
	for (i = 0; i < CER_AF_COUNT; i++)
		free(f[i]);
	return r;
}

int
cer_audit_newest(struct cer_db *db, int64_t *ms, uint64_t *seq)
{
	sqlite3_stmt *st;
	int64_t t;
	int r, rc;

	*ms = 0;
	*seq = 0;
	/* The fixed form sorts as text; a malformed time is skipped, not trusted. */
	if ((r = prepare(db, "SELECT seq, time FROM audit ORDER BY time DESC, seq DESC", &st)) != 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 1);
		if (s != NULL && cer_audit_time_parse(s, &t) == 0) {
			*ms = t;
			*seq = (uint64_t)sqlite3_column_int64(st, 0);
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = db_err(db, "reading the audit log");
	sqlite3_finalize(st);
	custos_err_clear();
	return r;
}

/* --- checkpoints ---------------------------------------------------------------------- */

static int
checkpoint_exists(struct cer_db *db, uint64_t seq, int *exists)
{
	sqlite3_stmt *st;
	int r, rc;

	*exists = 0;
	if ((r = prepare(db, "SELECT 1 FROM audit_checkpoints WHERE seq = ?", &st)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*exists = 1;
	else if (rc != SQLITE_DONE)
		r = db_err(db, "reading the audit checkpoints");
	sqlite3_finalize(st);
	return r;
}

static int
checkpoint_locked(struct cer_db *db, const struct cer_backend *be, EVP_PKEY *key,
                  const char *session, int64_t time_ms, struct cer_audit_head *out)
{
	struct cer_audit_head head;
	uint8_t msg[512], sig[CA_SIG_MAX];
	char t[CER_AUDIT_TIME_LEN];
	size_t mlen, siglen = 0, slen = strlen(session);
	sqlite3_stmt *st;
	int r, exists;

	if ((r = read_head(db, &head)) != 0)
		return r;
	if (head.seq == 0)
		return custos_err_set(CUSTOS_EINVAL, "the audit log is empty: nothing to sign");
	if (out != NULL)
		*out = head;
	if ((r = checkpoint_exists(db, head.seq, &exists)) != 0 || exists)
		return r;
	cer_audit_time_format(time_ms, t);
	mlen = cer_audit_checkpoint_message(head.seq, head.hash, t, strlen(t), session, slen, msg,
	                                    sizeof(msg));
	if (mlen == 0)
		return custos_err_set(CUSTOS_EINVAL, "session identifier too long");
	if ((r = be->sign(key, msg, mlen, sig, &siglen)) != 0)
		return r;
	if ((r = prepare(db,
	                 "INSERT INTO audit_checkpoints (seq, hash, time, session, signature) "
	                 "VALUES (?, ?, ?, ?, ?)",
	                 &st)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)head.seq);
	sqlite3_bind_blob(st, 2, head.hash, CER_AUDIT_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, session, (int)slen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, sig, (int)siglen, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_err(db, "storing the audit checkpoint");
	sqlite3_finalize(st);
	return r;
}

int
cer_audit_checkpoint(struct cer_db *db, const struct cer_backend *be, EVP_PKEY *key,
                     const char *session, int64_t time_ms, struct cer_audit_head *head)
{
	int r, own;

	if ((r = begin_own(db, &own)) != 0)
		return r;
	return end_own(db, own, checkpoint_locked(db, be, key, session, time_ms, head));
}

/* --- reading -------------------------------------------------------------------------- */

static void
read_record(sqlite3_stmt *st, struct cer_audit_record *rec)
{
	int i;

	memset(rec, 0, sizeof(*rec));
	rec->seq = sqlite3_column_int64(st, 0);
	for (i = 0; i < CER_AF_COUNT; i++) {
		rec->field[i] = (const char *)sqlite3_column_text(st, 1 + i);
		rec->len[i] = (size_t)sqlite3_column_bytes(st, 1 + i);
		if (rec->field[i] == NULL) {
			rec->field[i] = "";
			rec->len[i] = 0;
		}
	}
	if (sqlite3_column_bytes(st, 1 + CER_AF_COUNT) == CER_AUDIT_HASH_LEN) {
		memcpy(rec->prev, sqlite3_column_blob(st, 1 + CER_AF_COUNT), CER_AUDIT_HASH_LEN);
		rec->prev_ok = 1;
	}
	if (sqlite3_column_bytes(st, 2 + CER_AF_COUNT) == CER_AUDIT_HASH_LEN) {
		memcpy(rec->hash, sqlite3_column_blob(st, 2 + CER_AF_COUNT), CER_AUDIT_HASH_LEN);
		rec->hash_ok = 1;
	}
}

int
cer_audit_foreach(struct cer_db *db, const struct cer_audit_filter *f,
                  int (*fn)(void *ctx, const struct cer_audit_record *rec), void *ctx)
{
	static const struct cer_audit_filter none;
	struct cer_audit_record rec;
	sqlite3_stmt *st;
	int r, rc;

	if (f == NULL)
		f = &none;
	if ((r = prepare(db,
	                 "SELECT " RECORD_COLUMNS " FROM audit WHERE seq >= ?1"
	                 " AND (?2 IS NULL OR time >= ?2)"
	                 " AND (?3 IS NULL OR substr(time, 1, length(?3)) <= ?3)"
	                 " AND (?4 IS NULL OR operation = ?4)"
	                 " AND (?5 IS NULL OR actor = ?5)"
	                 " AND (?6 IS NULL OR session = ?6) ORDER BY seq",
	                 &st)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)f->from_seq);
	sqlite3_bind_text(st, 2, f->since, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->until, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->operation, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, f->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, f->session, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_record(st, &rec);
		if ((r = fn(ctx, &rec)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_err(db, "reading the audit log");
	sqlite3_finalize(st);
	return r;
}
