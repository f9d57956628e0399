/*
 * cer_transcript: rendering, parsing and verifying ceremony transcripts (see
 * the header; the format is in docs/audit-format.md).
 */
#include "ceremony/cer_transcript.h"

#include <errno.h>
#include <limits.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ca/ca_sig.h"
#include "ceremony/cer_bytewords.h"
#include "ceremony/cer_file.h"

#define LINE_MAX_LEN 8192

/* --- words ------------------------------------------------------------------- */

void
cer_transcript_words(const uint8_t hash[32], char out[CER_TRANSCRIPT_WORDS_LEN])
{
	size_t i, o = 0;

	for (i = 0; i < 32; i++) {
		if (i > 0) {
			if (i % 4 == 0) {
				memcpy(out + o, " / ", 3);
				o += 3;
			} else {
				out[o++] = ' ';
			}
		}
		memcpy(out + o, cer_bytewords_word(hash[i]), 4);
		o += 4;
	}
	out[o] = '\0';
}

/* --- rendering ---------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
	int err;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = CUSTOS_EINTERNAL;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		if (b->cap + (size_t)n + 4096 > CER_TRANSCRIPT_MAX) {
			b->err = custos_err_set(CUSTOS_ETOOBIG,
			                        "the transcript would exceed %u bytes",
			                        CER_TRANSCRIPT_MAX);
			return;
		}
		char *q = realloc(b->p, b->cap + (size_t)n + 4096);
		if (q == NULL) {
			b->err = custos_err_set(CUSTOS_ENOMEM, "transcript");
			return;
		}
		b->p = q;
		b->cap += (size_t)n + 4096;
	}
}

static const char *
or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

static void
put_hash(struct buf *b, const char *indent, const uint8_t h[32])
{
	char hex[65], words[CER_TRANSCRIPT_WORDS_LEN];

	sodium_bin2hex(hex, sizeof(hex), h, 32);
	cer_transcript_words(h, words);
	put(b, "%ssha256: %s\n%swords: %s\n", indent, hex, indent, words);
}

static int
put_step(void *ctx, const struct cer_audit_record *rec)
{
	struct buf *b = ctx;
	const char *const *f = rec->field;

	put(b, "  #%lld %s %s (%s) %s%s%s: %s%s%s\n", (long long)rec->seq, f[CER_AF_TIME],
	    f[CER_AF_ACTOR], f[CER_AF_ROLE], f[CER_AF_OPERATION], f[CER_AF_OBJECT][0] ? " " : "",
	    f[CER_AF_OBJECT], f[CER_AF_RESULT], f[CER_AF_DETAILS][0] ? "; " : "",
	    f[CER_AF_DETAILS]);
	return b->err;
}

static int
put_artifact(void *ctx, const struct cer_audit_record *rec)
{
	struct buf *b = ctx;
	const char *d = rec->field[CER_AF_DETAILS];
	uint8_t h[32];
	size_t n = 0;

	/* details are "sha256 HEX" (cer_session_artifact); anything else is not an artifact. */
	if (strncmp(d, "sha256 ", 7) != 0 ||
	    sodium_hex2bin(h, sizeof(h), d + 7, 64, NULL, &n, NULL) != 0 || n != 32)
		return 0;
	put(b, "  artifact: %s\n", rec->field[CER_AF_OBJECT]);
	put_hash(b, "    ", h);
	return b->err;
}

int
cer_transcript_render(struct cer_db *db, const struct cer_transcript_facts *x, char **text,
                      size_t *len)
{
	struct cer_audit_filter f;
	struct buf b = {NULL, 0, 0, 0};
	char hex[65];
	int r;

	*text = NULL;
	*len = 0;
	if ((b.p = malloc(8192)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "transcript");
	b.cap = 8192;
	sodium_bin2hex(hex, sizeof(hex), x->root_sha256, 32);
	put(&b, "%s\n", CER_TRANSCRIPT_MAGIC);
	put(&b, "ceremony: %s\n", or_dash(x->ceremony));
	put(&b, "ca subject: %s\n", or_dash(x->ca_subject));
	put(&b, "root certificate sha256: %s\n", hex);
	put(&b, "session: %s\n", or_dash(x->session));
	put(&b, "host: %s\n", or_dash(x->host));
	put(&b, "operator: %s (%s)\n", or_dash(x->operator_name), or_dash(x->role));
	put(&b, "confirmed time: %s\n", or_dash(x->confirmed_time));
	put(&b, "system clock at start: %s\n", or_dash(x->clock_at_start));
	put(&b, "network: %s\n", or_dash(x->network));
	put(&b, "started: %s\n", or_dash(x->started));
	put(&b, "ended: %s\n", or_dash(x->ended));
	put(&b, "result: %s\n\nsteps (the audit records of this session):\n", or_dash(x->result));
	memset(&f, 0, sizeof(f));
	f.session = x->session;
	if ((r = cer_audit_foreach(db, &f, put_step, &b)) != 0)
		goto out;
	put(&b, "\nartifacts:\n");
	f.operation = "artifact";
	if ((r = cer_audit_foreach(db, &f, put_artifact, &b)) != 0)
		goto out;
	put(&b, "\naudit chain head: record %llu\n", (unsigned long long)x->head.seq);
	put_hash(&b, "  ", x->head.hash);
	put(&b, "  signed by the root key at: %s\n\nend of transcript\n",
	    or_dash(x->checkpoint_time));
	if ((r = b.err) != 0)
		goto out;
	*text = b.p;
	*len = b.len;
	b.p = NULL; /* transferred */
out:
	free(b.p);
	return r;
}

/* --- parsing ----------------------------------------------------------------------- */

/* Every byte printable UTF-8 or '\n'; no NUL, no CR, no other control character. */
static int
check_text(const uint8_t *d, size_t len)
{
	size_t i = 0, line = 1;

	while (i < len) {
		uint8_t c = d[i];
		size_t k, n;

		if (c == '\n') {
			line++;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: control character 0x%02x",
			                      line, c);
		if (c < 0x80) {
			i++;
			continue;
		}
		n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
		if (c >= 0xf5)
			n = 0;
		if (n == 0 || i + n > len)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: not UTF-8", line);
		for (k = 1; k < n; k++)
			if ((d[i + k] & 0xc0) != 0x80)
				return custos_err_set(CUSTOS_EFORMAT, "line %zu: not UTF-8", line);
		/* overlongs and surrogates */
		if ((n == 3 && c == 0xe0 && d[i + 1] < 0xa0) ||
		    (n == 3 && c == 0xed && d[i + 1] >= 0xa0) ||
		    (n == 4 && c == 0xf0 && d[i + 1] < 0x90) ||
		    (n == 4 && c == 0xf4 && d[i + 1] >= 0x90))
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: not UTF-8", line);
		i += n;
	}
	return 0;
}

struct lines {
	const char *p;
	size_t len, off, no;
};

/* The next line (without '\n') as p/n; 0 at the end. */
static int
next_line(struct lines *l, const char **p, size_t *n)
{
	const char *nl;

	if (l->off >= l->len)
		return 0;
	*p = l->p + l->off;
	nl = memchr(*p, '\n', l->len - l->off);
	*n = (size_t)(nl - *p); /* the text ends with '\n' (checked) */
	l->off += *n + 1;
	l->no++;
	return 1;
}

/* When line (p, n) is prefix followed by a value, points *v at the value. */
static int
field(const char *p, size_t n, const char *prefix, const char **v, size_t *vn)
{
	size_t k = strlen(prefix);

	if (n < k || memcmp(p, prefix, k) != 0)
		return 0;
	*v = p + k;
	*vn = n - k;
	return 1;
}

static int
parse_hex32(const char *v, size_t vn, uint8_t out[32])
{
	size_t n = 0;
	const char *end = NULL;
	char tmp[65];

	if (vn != 64)
		return -1;
	memcpy(tmp, v, 64);
	tmp[64] = '\0';
	if (sodium_hex2bin(out, 32, tmp, 64, NULL, &n, &end) != 0 || n != 32 || *end != '\0')
		return -1;
	for (n = 0; n < 64; n++)
		if (tmp[n] >= 'A' && tmp[n] <= 'F')
			return -1; /* one spelling only: lower case */
	return 0;
}

/* Reads "INDENTsha256: HEX" and "INDENTwords: ..." that must agree. */
static int
hash_pair(struct lines *l, const char *indent, uint8_t out[32])
{
	char want[CER_TRANSCRIPT_WORDS_LEN], prefix[32];
	const char *p, *v;
	size_t n, vn;

	(void)snprintf(prefix, sizeof(prefix), "%ssha256: ", indent);
	if (!next_line(l, &p, &n) || !field(p, n, prefix, &v, &vn) || parse_hex32(v, vn, out) != 0)
		return custos_err_set(CUSTOS_EFORMAT, "line %zu: expected '%s' and 64 hex digits",
		                      l->no, prefix);
	(void)snprintf(prefix, sizeof(prefix), "%swords: ", indent);
	cer_transcript_words(out, want);
	if (!next_line(l, &p, &n) || !field(p, n, prefix, &v, &vn) || vn != strlen(want) ||
	    memcmp(v, want, vn) != 0)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "line %zu: the words do not spell the SHA-256 "
		                      "above them",
		                      l->no);
	return 0;
}

static int
copy_value(char *dst, size_t cap, const char *v, size_t vn, size_t line, const char *what)
{
	if (vn == 0 || vn >= cap)
		return custos_err_set(CUSTOS_EFORMAT, "line %zu: bad %s", line, what);
	memcpy(dst, v, vn);
	dst[vn] = '\0';
	return 0;
}

/* Parses one line of the body; *seen counts the required lines met. */
static int
parse_line(struct lines *l, const char *p, size_t n, struct cer_transcript_info *t, unsigned *seen)
{
	const char *v;
	size_t vn;
	char num[24];
	char *end;
	int r;

	if (field(p, n, "ceremony: ", &v, &vn)) {
		if (*seen & 1u)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: a second ceremony line",
			                      l->no);
		*seen |= 1u;
		return copy_value(t->ceremony, sizeof(t->ceremony), v, vn, l->no, "ceremony");
	}
	if (field(p, n, "session: ", &v, &vn)) {
		if (*seen & 2u)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: a second session line",
			                      l->no);
		*seen |= 2u;
		return copy_value(t->session, sizeof(t->session), v, vn, l->no, "session");
	}
	if (field(p, n, "root certificate sha256: ", &v, &vn)) {
		if (*seen & 4u)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: a second root line",
			                      l->no);
		*seen |= 4u;
		if (parse_hex32(v, vn, t->root_sha256) != 0)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: bad root certificate hash",
			                      l->no);
		return 0;
	}
	if (field(p, n, "  artifact: ", &v, &vn)) {
		if (t->nartifacts == CER_TRANSCRIPT_ARTIFACTS_MAX)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: too many artifacts",
			                      l->no);
		if ((r = copy_value(t->artifacts[t->nartifacts], sizeof(t->artifacts[0]), v, vn,
		                    l->no, "artifact name")) != 0 ||
		    (r = hash_pair(l, "    ", t->artifact_sha256[t->nartifacts])) != 0)
			return r;
		t->nartifacts++;
		return 0;
	}
	if (field(p, n, "audit chain head: record ", &v, &vn)) {
		if (*seen & 8u)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: a second chain head",
			                      l->no);
		*seen |= 8u;
		if (vn == 0 || vn >= sizeof(num) || v[0] < '1' || v[0] > '9')
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: bad record number", l->no);
		memcpy(num, v, vn);
		num[vn] = '\0';
		errno = 0;
		t->head_seq = strtoull(num, &end, 10);
		if (*end != '\0' || errno != 0)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: bad record number", l->no);
		return hash_pair(l, "  ", t->head_sha256);
	}
	if (n > 0 && field(p, n, "  ", &v, &vn) && field(v, vn, "sha256: ", &v, &vn))
		return custos_err_set(CUSTOS_EFORMAT,
		                      "line %zu: a hash outside an artifact or the "
		                      "chain head",
		                      l->no);
	return 0;
}

int
cer_transcript_parse(const uint8_t *data, size_t len, struct cer_transcript_info *out)
{
	struct lines l = {(const char *)data, len, 0, 0};
	const char *p = NULL;
	size_t n = 0, magic = strlen(CER_TRANSCRIPT_MAGIC);
	unsigned seen = 0;
	int r, ended = 0;

	memset(out, 0, sizeof(*out));
	if (len > CER_TRANSCRIPT_MAX)
		return custos_err_set(CUSTOS_ETOOBIG, "a transcript is at most %u bytes",
		                      CER_TRANSCRIPT_MAX);
	if (len == 0 || data[len - 1] != '\n')
		return custos_err_set(CUSTOS_EFORMAT, "a transcript ends with a newline");
	if ((r = check_text(data, len)) != 0)
		return r;
	if (!next_line(&l, &p, &n) || n != magic || memcmp(p, CER_TRANSCRIPT_MAGIC, magic) != 0)
		return custos_err_set(CUSTOS_EFORMAT, "line 1 is not '%s'", CER_TRANSCRIPT_MAGIC);
	while (next_line(&l, &p, &n)) {
		if (ended)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu: text after the end", l.no);
		if (n > LINE_MAX_LEN)
			return custos_err_set(CUSTOS_EFORMAT, "line %zu is too long", l.no);
		if (n == 17 && memcmp(p, "end of transcript", 17) == 0) {
			ended = 1;
			continue;
		}
		if ((r = parse_line(&l, p, n, out, &seen)) != 0)
			return r;
	}
	if (!ended)
		return custos_err_set(CUSTOS_EFORMAT, "the transcript is cut short (no 'end of "
		                                      "transcript' line)");
	if (seen != 15u)
		return custos_err_set(CUSTOS_EFORMAT, "the transcript lacks its %s line",
		                      !(seen & 1u)   ? "ceremony"
		                      : !(seen & 2u) ? "session"
		                      : !(seen & 4u) ? "root certificate"
		                                     : "audit chain head");
	SHA256(data, len, out->file_sha256);
	return 0;
}

int
cer_transcript_verify(const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen,
                      EVP_PKEY *root_pub, const uint8_t root_sha256[32],
                      struct cer_transcript_info *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	if (len > CER_TRANSCRIPT_MAX)
		return custos_err_set(CUSTOS_ETOOBIG, "a transcript is at most %u bytes",
		                      CER_TRANSCRIPT_MAX);
	/* The signature first: it says whether anything else in the file can be believed. */
	if (ca_sig_verify(root_pub, data, len, sig, siglen) != 0)
		return custos_err_set(CUSTOS_EAUTH, "the signature does not verify with the root "
		                                    "certificate: the transcript was changed after "
		                                    "it was signed, or it is not this CA's");
	if ((r = cer_transcript_parse(data, len, out)) != 0)
		return r;
	if (memcmp(out->root_sha256, root_sha256, 32) != 0)
		return custos_err_set(CUSTOS_EMISMATCH, "the transcript names another root "
		                                        "certificate");
	return 0;
}

int
cer_transcript_check_log(const struct cer_transcript_info *t, struct cer_db *db, EVP_PKEY *root_pub)
{
	return cer_audit_signed(db, root_pub, t->head_seq, t->head_sha256, NULL);
}

int
cer_transcript_write(const char *path, const char *text, size_t len, const uint8_t *sig,
                     size_t siglen)
{
	char sigpath[PATH_MAX];
	int r, n;

	n = snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
	if (n < 0 || (size_t)n >= sizeof(sigpath))
		return custos_err_set(CUSTOS_ETOOBIG, "transcript path too long");
	if ((r = cer_file_write(path, text, len, 0644, 1)) != 0)
		return r;
	if ((r = cer_file_write(sigpath, sig, siglen, 0644, 1)) != 0)
		(void)unlink(path);
	return r;
}
