/*
 * cer_audit_verify: checking the audit log with the root certificate alone
 * (see cer_audit.h and docs/audit-format.md).
 *
 * Verification reads the whole chain once, recomputing every hash, and
 * explains each break by trying the few stories that fit it: a record whose
 * fields were changed, records removed (with or without the later ones
 * renumbered), records inserted, two records swapped.  Only the hashes are
 * trusted; no column of the database is believed without recomputation.
 */
#include "ceremony/cer_audit.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_sig.h"

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

/* --- verification ------------------------------------------------------------------------ */

struct row {
	int64_t seq;
	uint8_t stored[CER_AUDIT_HASH_LEN], prev[CER_AUDIT_HASH_LEN];
	unsigned char content_ok; /* the fields recompute to the stored hash */
	unsigned char explained;  /* already accounted for by an earlier finding */
	long partner;             /* the row it was swapped with, else -1 */
};

struct chain {
	struct cer_db *db;
	struct row *rows;
	size_t n, cap;
	size_t *by_hash; /* indices of rows sorted by stored hash */
	struct cer_audit_report *rep;
	char last_time[CER_AUDIT_TIME_LEN];
	int64_t last_time_seq;
};

const char *
cer_audit_problem_name(enum cer_audit_problem p)
{
	switch (p) {
	case CER_AUDIT_CHANGED:
		return "changed";
	case CER_AUDIT_MISSING:
		return "missing";
	case CER_AUDIT_INSERTED:
		return "inserted";
	case CER_AUDIT_REORDERED:
		return "reordered";
	case CER_AUDIT_CHECKPOINT_FORGED:
		return "checkpoint forged";
	case CER_AUDIT_CHECKPOINT_MISMATCH:
		return "checkpoint does not match";
	}
	return "?";
}

static void finding(struct cer_audit_report *rep, uint64_t seq, enum cer_audit_problem kind,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finding(struct cer_audit_report *rep, uint64_t seq, enum cer_audit_problem kind, const char *fmt,
        ...)
{
	struct cer_audit_finding *f;
	va_list ap;

	rep->total_findings++;
	if (rep->nfindings == CER_AUDIT_FINDINGS_MAX)
		return;
	f = &rep->findings[rep->nfindings++];
	f->seq = seq;
	f->kind = kind;
	va_start(ap, fmt);
	(void)vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

static void warning(struct cer_audit_report *rep, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void
warning(struct cer_audit_report *rep, const char *fmt, ...)
{
	va_list ap;

	if (rep->nwarnings == CER_AUDIT_WARNINGS_MAX)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(rep->warnings[rep->nwarnings++], sizeof(rep->warnings[0]), fmt, ap);
	va_end(ap);
}

/* Recomputes rec's hash as if it were record number as_seq. */
static int
hash_as(const struct cer_audit_record *rec, uint64_t as_seq, uint8_t out[CER_AUDIT_HASH_LEN])
{
	return cer_audit_hash(as_seq, rec->field, rec->len, rec->prev, out);
}

static int
load_row(void *ctx, const struct cer_audit_record *rec)
{
	struct chain *c = ctx;
	struct row *w;
	uint8_t h[CER_AUDIT_HASH_LEN];
	int r;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct row *rows = realloc(c->rows, cap * sizeof(*rows));
		if (rows == NULL)
			return custos_err_set(CUSTOS_ENOMEM, "audit verification");
		c->rows = rows;
		c->cap = cap;
	}
	w = &c->rows[c->n++];
	memset(w, 0, sizeof(*w));
	w->seq = rec->seq;
	w->partner = -1;
	memcpy(w->stored, rec->hash, CER_AUDIT_HASH_LEN);
	memcpy(w->prev, rec->prev, CER_AUDIT_HASH_LEN);
	if (rec->seq >= 1 && rec->hash_ok && rec->prev_ok) {
		if ((r = hash_as(rec, (uint64_t)rec->seq, h)) != 0)
			return r;
		w->content_ok = memcmp(h, rec->hash, CER_AUDIT_HASH_LEN) == 0;
	}
	if (w->content_ok && strlen(rec->field[CER_AF_TIME]) == rec->len[CER_AF_TIME]) {
		if (c->last_time[0] != '\0' && strcmp(rec->field[CER_AF_TIME], c->last_time) < 0)
			warning(c->rep,
			        "record %lld (%s) is dated before record %lld (%s): the clock "
			        "went backwards",
			        (long long)rec->seq, rec->field[CER_AF_TIME],
			        (long long)c->last_time_seq, c->last_time);
		(void)snprintf(c->last_time, sizeof(c->last_time), "%s", rec->field[CER_AF_TIME]);
		c->last_time_seq = rec->seq;
	}
	return 0;
}

/* Row index of record number seq (rows are in seq order); -1 when absent. */
static long
find_seq(const struct chain *c, int64_t seq)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->rows[mid].seq == seq)
			return (long)mid;
		if (c->rows[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static const struct chain *sort_chain; /* for qsort's comparison only */

static int
cmp_by_hash(const void *a, const void *b)
{
	return memcmp(sort_chain->rows[*(const size_t *)a].stored,
	              sort_chain->rows[*(const size_t *)b].stored, CER_AUDIT_HASH_LEN);
}

/* Row index of the record whose stored hash is h; -1 when none. */
static long
find_hash(const struct chain *c, const uint8_t h[CER_AUDIT_HASH_LEN])
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = memcmp(c->rows[c->by_hash[mid]].stored, h, CER_AUDIT_HASH_LEN);
		if (d == 0)
			return (long)c->by_hash[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

struct as_query {
	uint64_t as_seq;
	int match;
};

static int
check_as(void *ctx, const struct cer_audit_record *rec)
{
	struct as_query *q = ctx;
	uint8_t h[CER_AUDIT_HASH_LEN];
	int r;

	if (!rec->hash_ok || !rec->prev_ok)
		return 1;
	if ((r = hash_as(rec, q->as_seq, h)) != 0)
		return r;
	q->match = memcmp(h, rec->hash, CER_AUDIT_HASH_LEN) == 0;
	return 1;
}

/* Whether row i's fields are authentic as record number as_seq.  <0 on error. */
static int
row_is(const struct chain *c, size_t i, int64_t as_seq)
{
	struct cer_audit_filter f;
	struct as_query q = {(uint64_t)as_seq, 0};
	int r;

	if (as_seq < 1)
		return 0;
	memset(&f, 0, sizeof(f));
	f.from_seq = (uint64_t)c->rows[i].seq;
	r = cer_audit_foreach(c->db, &f, check_as, &q);
	if (r < 0)
		return r;
	return q.match;
}

/* Explains row i, whose fields do not match its hash.  Returns 0 or an error. */
static int
explain_content(struct chain *c, size_t i, int64_t *shift)
{
	int64_t s = c->rows[i].seq, cands[3], k;
	long j = find_hash(c, c->rows[i].prev), other;
	int n = 0, m, r;

	if (*shift != 0 && (r = row_is(c, i, s + *shift)) != 0)
		return r < 0 ? r : 0; /* renumbered like the rows before it: already reported */
	cands[n++] = s + 1;
	cands[n++] = s - 1;
	if (j >= 0 && c->rows[j].seq + 1 != s)
		cands[n++] = c->rows[j].seq + 1;
	for (m = 0; m < n; m++) {
		k = cands[m];
		if ((r = row_is(c, i, k)) < 0)
			return r;
		if (r == 0)
			continue;
		other = find_seq(c, k);
		if (k > s && other >= 0 && (r = row_is(c, (size_t)other, s)) != 0) {
			if (r < 0)
				return r;
			c->rows[other].explained = 1;
			c->rows[other].partner = (long)i;
			c->rows[i].partner = other;
			finding(c->rep, (uint64_t)s, CER_AUDIT_REORDERED,
			        "records %lld and %lld were swapped (record %lld holds what was "
			        "record %lld)",
			        (long long)s, (long long)k, (long long)s, (long long)k);
			return 0;
		}
		*shift = k - s;
		if (k > s)
			finding(c->rep, (uint64_t)s, CER_AUDIT_MISSING,
			        "record %lld was removed and the later records renumbered (record "
			        "%lld "
			        "holds what was record %lld)",
			        (long long)s, (long long)s, (long long)k);
		else if (s - k == 1)
			finding(c->rep, (uint64_t)k, CER_AUDIT_INSERTED,
			        "record %lld was inserted (record %lld was originally record %lld)",
			        (long long)k, (long long)s, (long long)k);
		else
			finding(c->rep, (uint64_t)k, CER_AUDIT_INSERTED,
			        "records %lld to %lld were inserted (record %lld was originally "
			        "record %lld)",
			        (long long)k, (long long)(s - 1), (long long)s, (long long)k);
		return 0;
	}
	finding(c->rep, (uint64_t)s, CER_AUDIT_CHANGED,
	        "record %lld was changed: its fields no longer match its hash", (long long)s);
	return 0;
}

/* Explains row i, whose fields are authentic but whose link to row i-1 is broken. */
static void
explain_link(struct chain *c, size_t i)
{
	int64_t s = c->rows[i].seq;
	long j = find_hash(c, c->rows[i].prev);

	if (j >= 0 && (size_t)j != i)
		finding(c->rep, (uint64_t)s, CER_AUDIT_REORDERED,
		        "record %lld is out of order: it follows record %lld in the chain",
		        (long long)s, (long long)c->rows[j].seq);
	else if (i > 0)
		finding(c->rep, (uint64_t)c->rows[i - 1].seq, CER_AUDIT_CHANGED,
		        "record %lld was changed or replaced and its hash recomputed: record %lld "
		        "still names the original",
		        (long long)c->rows[i - 1].seq, (long long)s);
	else
		finding(c->rep, (uint64_t)s, CER_AUDIT_MISSING,
		        "record %lld does not start the chain: the records before it were removed",
		        (long long)s);
}

static int
walk_chain(struct chain *c)
{
	static const uint8_t zero[CER_AUDIT_HASH_LEN];
	const uint8_t *expect_prev = zero;
	int64_t expected = 1, shift = 0;
	size_t i;
	int r;

	for (i = 0; i < c->n; i++) {
		struct row *w = &c->rows[i];
		int link_ok = memcmp(w->prev, expect_prev, CER_AUDIT_HASH_LEN) == 0;

		if (w->seq < 1) {
			finding(c->rep, 0, CER_AUDIT_INSERTED,
			        "a record numbered %lld was inserted", (long long)w->seq);
			continue;
		}
		if (w->seq > expected && shift == 0) {
			if (w->seq - expected > 1)
				finding(c->rep, (uint64_t)expected, CER_AUDIT_MISSING,
				        "records %lld to %lld are missing (removed)",
				        (long long)expected, (long long)(w->seq - 1));
			else
				finding(c->rep, (uint64_t)expected, CER_AUDIT_MISSING,
				        "record %lld is missing (removed)", (long long)expected);
			link_ok = 1; /* its predecessor is the missing one */
		}
		if (w->explained) {
			/* the second half of a swap, reported with the first */
		} else if (!w->content_ok) {
			if ((r = explain_content(c, i, &shift)) != 0)
				return r;
		} else if (!link_ok) {
			explain_link(c, i);
		}
		expected = w->seq + 1;
		/* The next record names the hash of what belongs here: after a swap, the partner's.
		 */
		expect_prev = w->partner >= 0 ? c->rows[w->partner].stored : w->stored;
	}
	return 0;
}

static int
verify_checkpoints(struct chain *c, EVP_PKEY *root_pub)
{
	struct cer_audit_report *rep = c->rep;
	sqlite3_stmt *st;
	uint8_t msg[1024];
	uint64_t last_good = 0;
	int r, rc;

	if ((r = prepare(c->db,
	                 "SELECT seq, hash, time, session, signature FROM audit_checkpoints "
	                 "ORDER BY seq",
	                 &st)) != 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const uint8_t *h = sqlite3_column_blob(st, 1);
		const char *t = (const char *)sqlite3_column_text(st, 2);
		size_t tl = (size_t)sqlite3_column_bytes(st, 2);
		const char *sess = (const char *)sqlite3_column_text(st, 3);
		size_t sl = (size_t)sqlite3_column_bytes(st, 3);
		const uint8_t *sig = sqlite3_column_blob(st, 4);
		size_t siglen = (size_t)sqlite3_column_bytes(st, 4), mlen = 0;
		long i;

		rep->checkpoints++;
		if (seq >= 1 && sqlite3_column_bytes(st, 1) == CER_AUDIT_HASH_LEN && t != NULL &&
		    sess != NULL && sig != NULL)
			mlen = cer_audit_checkpoint_message((uint64_t)seq, h, t, tl, sess, sl, msg,
			                                    sizeof(msg));
		if (mlen == 0 || ca_sig_verify(root_pub, msg, mlen, sig, siglen) != 0) {
			finding(rep, seq > 0 ? (uint64_t)seq : 0, CER_AUDIT_CHECKPOINT_FORGED,
			        "the checkpoint at record %lld is forged: its signature does not "
			        "verify with the root certificate",
			        (long long)seq);
			continue;
		}
		if ((i = find_seq(c, seq)) < 0) {
			finding(rep, (uint64_t)seq, CER_AUDIT_MISSING,
			        "record %lld, signed by the checkpoint of %s, is missing (removed)",
			        (long long)seq, t);
			continue;
		}
		if (memcmp(c->rows[i].stored, h, CER_AUDIT_HASH_LEN) != 0) {
			finding(rep, (uint64_t)seq, CER_AUDIT_CHECKPOINT_MISMATCH,
			        "record %lld does not match the checkpoint signed at %s: the chain "
			        "was rewritten after record %llu, at or before record %lld",
			        (long long)seq, t, (unsigned long long)last_good, (long long)seq);
			continue;
		}
		rep->good_checkpoints++;
		last_good = (uint64_t)seq;
		rep->signed_through = (uint64_t)seq;
		(void)snprintf(rep->signed_time, sizeof(rep->signed_time), "%.*s", (int)tl, t);
	}
	if (rc != SQLITE_DONE)
		r = db_err(c->db, "reading the audit checkpoints");
	sqlite3_finalize(st);
	return r;
}

static int
cmp_findings(const void *a, const void *b)
{
	const struct cer_audit_finding *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
summarise(struct chain *c)
{
	struct cer_audit_report *rep = c->rep;
	size_t i;

	rep->records = c->n;
	if (c->n > 0) {
		rep->head.seq = (uint64_t)c->rows[c->n - 1].seq;
		memcpy(rep->head.hash, c->rows[c->n - 1].stored, CER_AUDIT_HASH_LEN);
	}
	for (i = 0; i < c->n; i++)
		if ((uint64_t)c->rows[i].seq > rep->signed_through) {
			if (rep->unsigned_count == 0)
				rep->unsigned_from = (uint64_t)c->rows[i].seq;
			rep->unsigned_count++;
		}
	/* Stable enough: findings are few; equal sequence numbers keep chain-first order. */
	for (i = 1; i < rep->nfindings; i++) {
		size_t k = i;
		while (k > 0 && cmp_findings(&rep->findings[k - 1], &rep->findings[k]) > 0) {
			struct cer_audit_finding t = rep->findings[k];
			rep->findings[k] = rep->findings[k - 1];
			rep->findings[k - 1] = t;
			k--;
		}
	}
}

int
cer_audit_verify(struct cer_db *db, EVP_PKEY *root_pub, struct cer_audit_report *rep)
{
	struct chain c;
	size_t i;
	int r;

	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.rep = rep;
	if ((r = cer_audit_foreach(db, NULL, load_row, &c)) != 0)
		goto out;
	if (c.n > 0 && (c.by_hash = malloc(c.n * sizeof(*c.by_hash))) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "audit verification");
		goto out;
	}
	for (i = 0; i < c.n; i++)
		c.by_hash[i] = i;
	sort_chain = &c;
	if (c.n > 1)
		qsort(c.by_hash, c.n, sizeof(*c.by_hash), cmp_by_hash);
	sort_chain = NULL;
	if ((r = walk_chain(&c)) != 0 || (r = verify_checkpoints(&c, root_pub)) != 0)
		goto out;
	summarise(&c);
	if (rep->nfindings > 0)
		r = custos_err_set(CUSTOS_EAUDIT, "%s", rep->findings[0].text);
out:
	free(c.rows);
	free(c.by_hash);
	return r;
}

/* --- one signed record ------------------------------------------------------------------ */

struct record_check {
	uint64_t seq;
	const uint8_t *hash;
	int found, intact;
};

static int
check_record(void *ctx, const struct cer_audit_record *rec)
{
	struct record_check *k = ctx;
	uint8_t h[CER_AUDIT_HASH_LEN];
	int r;

	if ((uint64_t)rec->seq != k->seq)
		return 1;
	k->found = 1;
	if (!rec->hash_ok || !rec->prev_ok)
		return 1;
	if ((r = hash_as(rec, k->seq, h)) != 0)
		return r;
	k->intact = memcmp(h, rec->hash, CER_AUDIT_HASH_LEN) == 0 &&
	            memcmp(rec->hash, k->hash, CER_AUDIT_HASH_LEN) == 0;
	return 1;
}

int
cer_audit_signed(struct cer_db *db, EVP_PKEY *root_pub, uint64_t seq,
                 const uint8_t hash[CER_AUDIT_HASH_LEN], char *when)
{
	struct cer_audit_filter f;
	struct record_check k = {seq, hash, 0, 0};
	sqlite3_stmt *st;
	uint8_t msg[1024];
	size_t mlen = 0;
	int r, rc;

	if (when != NULL)
		when[0] = '\0';
	memset(&f, 0, sizeof(f));
	f.from_seq = seq;
	if ((r = cer_audit_foreach(db, &f, check_record, &k)) < 0)
		return r;
	if (!k.found)
		return custos_err_set(CUSTOS_EAUDIT, "the audit log has no record %llu",
		                      (unsigned long long)seq);
	if (!k.intact)
		return custos_err_set(CUSTOS_EAUDIT,
		                      "audit record %llu is not the one the transcript "
		                      "names (changed, or the log was replaced)",
		                      (unsigned long long)seq);
	if ((r = prepare(db,
	                 "SELECT hash, time, session, signature FROM audit_checkpoints "
	                 "WHERE seq = ?",
	                 &st)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CER_AUDIT_HASH_LEN &&
	    memcmp(sqlite3_column_blob(st, 0), hash, CER_AUDIT_HASH_LEN) == 0 &&
	    sqlite3_column_text(st, 1) != NULL && sqlite3_column_text(st, 2) != NULL)
		mlen = cer_audit_checkpoint_message(
		        seq, hash, (const char *)sqlite3_column_text(st, 1),
		        (size_t)sqlite3_column_bytes(st, 1),
		        (const char *)sqlite3_column_text(st, 2),
		        (size_t)sqlite3_column_bytes(st, 2), msg, sizeof(msg));
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = db_err(db, "reading the audit checkpoints");
	else if (mlen == 0 || sqlite3_column_blob(st, 3) == NULL ||
	         ca_sig_verify(root_pub, msg, mlen, sqlite3_column_blob(st, 3),
	                       (size_t)sqlite3_column_bytes(st, 3)) != 0)
		r = custos_err_set(CUSTOS_EAUDIT, "no genuine checkpoint signs audit record %llu",
		                   (unsigned long long)seq);
	else if (when != NULL)
		(void)snprintf(when, CER_AUDIT_TIME_LEN, "%s", sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return r;
}
