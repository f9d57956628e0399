/*
 * ca_pem: one PEM block or raw DER, nothing before or after (see ca_pem.h).
 * OpenSSL's PEM reader skips any text before a block and ignores what
 * follows it; the checks around it here are what make intake strict.
 */
#include "ca/ca_pem.h"

#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
label_ok(const char *name, const char *const *labels)
{
	for (; *labels != NULL; labels++)
		if (strcmp(name, *labels) == 0)
			return 1;
	return 0;
}

/* Reads the PEM block at data (which starts with "-----BEGIN "). */
static int
read_pem(const unsigned char *data, size_t len, const char *const *labels, unsigned char **der,
         size_t *derlen)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	char *name = NULL, *header = NULL, *rest = NULL;
	unsigned char *body = NULL;
	long blen = 0, restlen, i;
	int r = 0;

	if (bio == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "out of memory");
	if (!PEM_read_bio_ex(bio, &name, &header, &body, &blen, PEM_FLAG_EAY_COMPATIBLE)) {
		r = custos_err_set_openssl(CUSTOS_EFORMAT, "unreadable PEM block");
		goto out;
	}
	if (!label_ok(name, labels)) {
		r = custos_err_set(CUSTOS_EFORMAT, "the PEM block is a '%.64s', expected a '%s'",
		                   name, labels[0]);
		goto out;
	}
	if (header != NULL && header[0] != '\0') {
		r = custos_err_set(CUSTOS_EFORMAT,
		                   "PEM headers (e.g. encryption) are not accepted");
		goto out;
	}
	if (blen <= 0) {
		r = custos_err_set(CUSTOS_EFORMAT, "the PEM block is empty");
		goto out;
	}
	restlen = BIO_get_mem_data(bio, &rest);
	for (i = 0; i < restlen; i++)
		if (!is_space((unsigned char)rest[i])) {
			r = custos_err_set(
			        CUSTOS_EFORMAT,
			        "trailing data after the PEM block (%ld bytes; exactly one "
			        "block is accepted)",
			        restlen - i);
			goto out;
		}
	*der = body;
	*derlen = (size_t)blen;
	body = NULL; /* transferred */
out:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(body);
	BIO_free(bio);
	ERR_clear_error();
	return r;
}

int
ca_pem_or_der(const unsigned char *data, size_t len, size_t max, const char *const *labels,
              unsigned char **der, size_t *derlen, int *is_pem)
{
	static const char begin[] = "-----BEGIN ";
	size_t skip = 0;

	*der = NULL;
	*derlen = 0;
	*is_pem = 0;
	if (data == NULL || len == 0)
		return custos_err_set(CUSTOS_EFORMAT, "empty input");
	if (len > max)
		return custos_err_set(CUSTOS_ETOOBIG, "input is %zu bytes, over the limit of %zu",
		                      len, max);
	if (data[0] == 0x30) {
		if ((*der = OPENSSL_malloc(len)) == NULL)
			return custos_err_set(CUSTOS_ENOMEM, "out of memory");
		memcpy(*der, data, len);
		*derlen = len;
		return 0;
	}
	while (skip < len && is_space(data[skip]))
		skip++;
	if (skip == len)
		return custos_err_set(CUSTOS_EFORMAT, "only whitespace");
	if (len - skip < sizeof(begin) - 1 || memcmp(data + skip, begin, sizeof(begin) - 1) != 0)
		return custos_err_set(CUSTOS_EFORMAT, "%s",
		                      memmem(data, len, begin, sizeof(begin) - 1) != NULL
		                              ? "text before the PEM block (only the block is "
		                                "accepted)"
		                              : "neither PEM nor DER");
	if (memchr(data + skip, '\0', len - skip) != NULL)
		return custos_err_set(CUSTOS_EFORMAT, "NUL byte in PEM text");
	*is_pem = 1;
	return read_pem(data + skip, len - skip, labels, der, derlen);
}
