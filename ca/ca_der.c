/*
 * ca_der: backwards DER writer and in-place DER reader (see ca_der.h).
 * Nothing here allocates; key bytes move only between the caller's buffer
 * and the caller's BIGNUMs.
 */
#include "ca/ca_der.h"

#include <string.h>

void
ca_der_w_init(struct ca_der_w *w, unsigned char *buf, size_t cap)
{
	w->buf = buf;
	w->pos = cap;
	w->cap = cap;
	w->overflow = 0;
}

size_t
ca_der_w_mark(const struct ca_der_w *w)
{
	return w->pos;
}

/* Reserves n bytes in front of the output; NULL (and sticky overflow) if full. */
static unsigned char *
w_reserve(struct ca_der_w *w, size_t n)
{
	if (w->overflow || n > w->pos) {
		w->overflow = 1;
		return NULL;
	}
	w->pos -= n;
	return w->buf + w->pos;
}

void
ca_der_w_raw(struct ca_der_w *w, const void *p, size_t n)
{
	unsigned char *dst = w_reserve(w, n);

	if (dst != NULL && n > 0)
		memcpy(dst, p, n);
}

static void
w_header(struct ca_der_w *w, unsigned char tag, size_t len)
{
	unsigned char hdr[1 + 1 + sizeof(size_t)];
	size_t n = 0, i, v;

	hdr[n++] = tag;
	if (len < 0x80) {
		hdr[n++] = (unsigned char)len;
	} else {
		size_t bytes = 0;

		for (v = len; v != 0; v >>= 8)
			bytes++;
		hdr[n++] = (unsigned char)(0x80 | bytes);
		for (i = bytes; i > 0; i--)
			hdr[n++] = (unsigned char)(len >> (8 * (i - 1)));
	}
	ca_der_w_raw(w, hdr, n);
}

void
ca_der_w_wrap(struct ca_der_w *w, unsigned char tag, size_t mark)
{
	if (w->overflow)
		return;
	w_header(w, tag, mark - w->pos);
}

void
ca_der_w_small_uint(struct ca_der_w *w, unsigned v)
{
	unsigned char b[1 + sizeof(unsigned)];
	size_t n = 0, i;
	unsigned t;

	for (t = v; t != 0; t >>= 8)
		n++;
	if (n == 0)
		n = 1;
	for (i = 0; i < n; i++)
		b[n - 1 - i] = (unsigned char)(v >> (8 * i));
	if (b[0] & 0x80) {
		memmove(b + 1, b, n);
		b[0] = 0;
		n++;
	}
	ca_der_w_raw(w, b, n);
	ca_der_w_wrap(w, CA_DER_INTEGER, w->pos + n);
}

void
ca_der_w_bn_integer(struct ca_der_w *w, const BIGNUM *bn)
{
	size_t mark = w->pos, n;
	unsigned char *dst;

	if (BN_is_negative(bn)) {
		w->overflow = 1; /* never produced by a valid key; fail the encoding */
		return;
	}
	n = (size_t)BN_num_bytes(bn);
	if (n == 0) {
		ca_der_w_small_uint(w, 0);
		return;
	}
	if ((dst = w_reserve(w, n)) == NULL)
		return;
	if (BN_bn2binpad(bn, dst, (int)n) != (int)n) {
		w->overflow = 1;
		return;
	}
	if (dst[0] & 0x80)
		ca_der_w_raw(w, "\0", 1);
	ca_der_w_wrap(w, CA_DER_INTEGER, mark);
}

void
ca_der_w_bn_octets(struct ca_der_w *w, const BIGNUM *bn, size_t width)
{
	size_t mark = w->pos;
	unsigned char *dst;

	if (BN_is_negative(bn) || (size_t)BN_num_bytes(bn) > width) {
		w->overflow = 1;
		return;
	}
	if ((dst = w_reserve(w, width)) == NULL)
		return;
	if (BN_bn2binpad(bn, dst, (int)width) != (int)width) {
		w->overflow = 1;
		return;
	}
	ca_der_w_wrap(w, CA_DER_OCTET_STRING, mark);
}

int
ca_der_w_result(const struct ca_der_w *w, const unsigned char **der, size_t *len)
{
	*der = NULL;
	*len = 0;
	if (w->overflow)
		return custos_err_set(CUSTOS_ETOOBIG, "DER encoding does not fit its buffer");
	*der = w->buf + w->pos;
	*len = w->cap - w->pos;
	return 0;
}

void
ca_der_r_init(struct ca_der_r *r, const unsigned char *der, size_t len)
{
	r->p = der;
	r->n = len;
}

int
ca_der_r_peek(const struct ca_der_r *r, unsigned char tag)
{
	return r->n > 0 && r->p[0] == tag;
}

/* Parses one header; on success *hdr is its size and *len its content length. */
static int
r_header(const struct ca_der_r *r, size_t *hdr, size_t *len, const char *what)
{
	size_t bytes, i, v = 0;

	if (r->n < 2)
		return custos_err_set(CUSTOS_EFORMAT, "%s: truncated", what);
	if ((r->p[0] & 0x1f) == 0x1f)
		return custos_err_set(CUSTOS_EFORMAT, "%s: high tag numbers are not used", what);
	if (r->p[1] < 0x80) {
		*hdr = 2;
		*len = r->p[1];
	} else {
		bytes = r->p[1] & 0x7f;
		if (bytes == 0)
			return custos_err_set(CUSTOS_EFORMAT,
			                      "%s: indefinite length (BER, not DER)", what);
		if (bytes > 3 || r->n < 2 + bytes)
			return custos_err_set(CUSTOS_EFORMAT, "%s: bad length", what);
		for (i = 0; i < bytes; i++)
			v = (v << 8) | r->p[2 + i];
		if (v < 0x80 || r->p[2] == 0)
			return custos_err_set(CUSTOS_EFORMAT, "%s: non-minimal length (not DER)",
			                      what);
		*hdr = 2 + bytes;
		*len = v;
	}
	if (*len > r->n - *hdr)
		return custos_err_set(CUSTOS_EFORMAT, "%s: truncated", what);
	return 0;
}

int
ca_der_r_get(struct ca_der_r *r, unsigned char tag, struct ca_der_r *out, const char *what)
{
	size_t hdr, len;
	int e;

	out->p = NULL;
	out->n = 0;
	if (r->n == 0)
		return custos_err_set(CUSTOS_EFORMAT, "%s: missing", what);
	if (r->p[0] != tag)
		return custos_err_set(CUSTOS_EFORMAT, "%s: unexpected tag 0x%02x (want 0x%02x)",
		                      what, r->p[0], tag);
	if ((e = r_header(r, &hdr, &len, what)) != 0)
		return e;
	out->p = r->p + hdr;
	out->n = len;
	r->p += hdr + len;
	r->n -= hdr + len;
	return 0;
}

int
ca_der_r_get_tlv(struct ca_der_r *r, struct ca_der_r *out, const char *what)
{
	size_t hdr, len;
	int e;

	out->p = NULL;
	out->n = 0;
	if (r->n == 0)
		return custos_err_set(CUSTOS_EFORMAT, "%s: missing", what);
	if ((e = r_header(r, &hdr, &len, what)) != 0)
		return e;
	out->p = r->p;
	out->n = hdr + len;
	r->p += hdr + len;
	r->n -= hdr + len;
	return 0;
}

/* Checks INTEGER contents: non-empty, minimal, non-negative. */
static int
r_check_uint(const struct ca_der_r *c, const char *what)
{
	if (c->n == 0)
		return custos_err_set(CUSTOS_EFORMAT, "%s: empty INTEGER", what);
	if (c->p[0] & 0x80)
		return custos_err_set(CUSTOS_EFORMAT, "%s: negative INTEGER", what);
	if (c->n > 1 && c->p[0] == 0 && !(c->p[1] & 0x80))
		return custos_err_set(CUSTOS_EFORMAT, "%s: non-minimal INTEGER (not DER)", what);
	return 0;
}

int
ca_der_r_expect_uint(struct ca_der_r *r, unsigned v, const char *what)
{
	struct ca_der_r c;
	unsigned long got = 0;
	size_t i;
	int e;

	if ((e = ca_der_r_get(r, CA_DER_INTEGER, &c, what)) != 0 ||
	    (e = r_check_uint(&c, what)) != 0)
		return e;
	if (c.n > sizeof(unsigned))
		return custos_err_set(CUSTOS_EFORMAT, "%s: must be %u", what, v);
	for (i = 0; i < c.n; i++)
		got = (got << 8) | c.p[i];
	if (got != v)
		return custos_err_set(CUSTOS_EFORMAT, "%s: must be %u, is %lu", what, v, got);
	return 0;
}

int
ca_der_r_bn_integer(struct ca_der_r *r, BIGNUM *bn, const char *what)
{
	struct ca_der_r c;
	int e;

	if ((e = ca_der_r_get(r, CA_DER_INTEGER, &c, what)) != 0 ||
	    (e = r_check_uint(&c, what)) != 0)
		return e;
	if (c.n > 4096)
		return custos_err_set(CUSTOS_EFORMAT, "%s: INTEGER too large", what);
	if (BN_bin2bn(c.p, (int)c.n, bn) == NULL)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, what);
	return 0;
}

int
ca_der_r_done(const struct ca_der_r *r, const char *what)
{
	if (r->n != 0)
		return custos_err_set(CUSTOS_EFORMAT, "%s: %zu unexpected trailing bytes", what,
		                      r->n);
	return 0;
}

#define CHECK_DEPTH_MAX 32

/* Walks the elements of contents c (see ca_der_check). */
static int
check_walk(struct ca_der_r c, unsigned depth, const char *what)
{
	struct ca_der_r el, inner;
	unsigned char tag;
	size_t hdr, len;
	int e;

	if (depth > CHECK_DEPTH_MAX)
		return custos_err_set(CUSTOS_EFORMAT, "%s: nested too deeply", what);
	while (c.n > 0) {
		tag = c.p[0];
		if (tag == 0)
			return custos_err_set(CUSTOS_EFORMAT, "%s: end-of-contents marker (BER)",
			                      what);
		if ((e = r_header(&c, &hdr, &len, what)) != 0 ||
		    (e = ca_der_r_get_tlv(&c, &el, what)) != 0)
			return e;
		if (!(tag & 0x20))
			continue;
		if ((tag & 0xc0) == 0 && tag != CA_DER_SEQUENCE && tag != 0x31)
			return custos_err_set(CUSTOS_EFORMAT,
			                      "%s: constructed form of universal type %u (BER)",
			                      what, (unsigned)(tag & 0x1f));
		inner.p = el.p + hdr;
		inner.n = len;
		if ((e = check_walk(inner, depth + 1, what)) != 0)
			return e;
	}
	return 0;
}

int
ca_der_check(const unsigned char *der, size_t len, const char *what)
{
	struct ca_der_r r, el;
	int e;

	if (der == NULL || len == 0)
		return custos_err_set(CUSTOS_EFORMAT, "%s: empty", what);
	ca_der_r_init(&r, der, len);
	if ((e = ca_der_r_get_tlv(&r, &el, what)) != 0)
		return e;
	if (r.n != 0)
		return custos_err_set(CUSTOS_EFORMAT,
		                      "%s: %zu bytes of trailing data after the DER", what, r.n);
	return check_walk(el, 0, what);
}
