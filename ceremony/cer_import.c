/*
 * cer_import: CSR intake from a stick and artifacts from scanned UR parts
 * (see the header).
 */
#include "ceremony/cer_import.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ceremony/cer_file.h"
#include "ceremony/cer_ur.h"

#define SCAN_MAX 1000
#define LINE_MAX_LEN ((size_t)4 * CER_UR_MAX_MESSAGE)

/* --- CSRs ----------------------------------------------------------------------- */

static void
verdict(struct cer_csr_file *f, int code)
{
	f->status = code;
	(void)snprintf(f->detail, sizeof(f->detail), "%s%s%s", custos_strerror(code),
	               custos_err_detail()[0] != '\0' ? ": " : "", custos_err_detail());
}

int
cer_import_csr(const char *path, struct cer_csr_file *out, uint8_t **data)
{
	X509_REQ *req = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int r, n;

	memset(out, 0, sizeof(*out));
	if (data != NULL)
		*data = NULL;
	n = snprintf(out->path, sizeof(out->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(out->path))
		return custos_err_set(CUSTOS_ETOOBIG, "path too long");
	custos_err_clear();
	if ((r = cer_file_read(path, CA_CSR_INPUT_MAX, &buf, &len)) != 0) {
		verdict(out, r);
		return r;
	}
	out->len = len;
	crypto_hash_sha256(out->sha256, buf, len);
	custos_err_clear();
	if ((r = ca_csr_parse(buf, len, &req)) == 0) {
		out->parsed = 1;
		r = ca_csr_review(req, &out->info);
	}
	if (r != 0)
		verdict(out, r);
	X509_REQ_free(req);
	ERR_clear_error();
	if (data != NULL)
		*data = buf;
	else
		free(buf);
	return 0;
}

static int
candidate(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int
cer_import_scan(const char *dir, int (*fn)(void *ctx, const struct cer_csr_file *f), void *ctx)
{
	struct cer_csr_file *f = NULL;
	struct dirent **names = NULL;
	char path[PATH_MAX];
	struct stat st;
	int i, n, r = 0, seen = 0;

	if ((n = scandir(dir, &names, candidate, alphasort)) < 0)
		return errno == ENOENT ? custos_err_set(CUSTOS_ENOENT, "%s does not exist", dir)
		                       : custos_err_set(CUSTOS_EIO, "cannot list %s: %s", dir,
		                                        strerror(errno));
	if ((f = malloc(sizeof(*f))) == NULL)
		r = custos_err_set(CUSTOS_ENOMEM, "scan");
	for (i = 0; i < n; i++) {
		if (r == 0 && seen < SCAN_MAX &&
		    cer_path_join(path, sizeof(path), dir, names[i]->d_name) == 0 &&
		    lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			seen++;
			if (cer_import_csr(path, f, NULL) != 0 && f->path[0] == '\0')
				continue;
			r = fn(ctx, f);
		}
		free(names[i]);
	}
	free(names);
	free(f);
	return r;
}

/* --- UR parts ---------------------------------------------------------------------- */

struct cer_qr_import {
	struct cer_ur_decoder *dec;
	size_t accepted;
};

int
cer_qr_import_new(struct cer_qr_import **out)
{
	struct cer_qr_import *imp = calloc(1, sizeof(*imp));
	int r;

	*out = NULL;
	if (imp == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "QR import");
	if ((r = cer_ur_decoder_new(&imp->dec)) != 0) {
		free(imp);
		return r;
	}
	*out = imp;
	return 0;
}

void
cer_qr_import_free(struct cer_qr_import *imp)
{
	if (imp == NULL)
		return;
	cer_ur_decoder_free(imp->dec);
	free(imp);
}

int
cer_qr_import_line(struct cer_qr_import *imp, const char *line)
{
	static const char prefix[] = "QR-Code:";
	const char *p = line;
	size_t len;
	char *part;
	int r;

	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, prefix, sizeof(prefix) - 1) == 0)
		p += sizeof(prefix) - 1;
	len = strlen(p);
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	if (len == 0)
		return 1;
	if (len > LINE_MAX_LEN)
		return custos_err_set(CUSTOS_ETOOBIG, "a line of %zu characters", len);
	if ((part = malloc(len + 1)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "QR import");
	memcpy(part, p, len);
	part[len] = '\0';
	r = cer_ur_decoder_receive(imp->dec, part);
	free(part);
	if (r == 0)
		imp->accepted++;
	return r;
}

void
cer_qr_import_progress(const struct cer_qr_import *imp, size_t *known, size_t *needed,
                       size_t *accepted)
{
	cer_ur_decoder_progress(imp->dec, known, needed);
	if (accepted != NULL)
		*accepted = imp->accepted;
}

int
cer_qr_import_complete(const struct cer_qr_import *imp)
{
	return cer_ur_decoder_is_complete(imp->dec);
}

int
cer_qr_import_result(const struct cer_qr_import *imp, uint8_t **data, size_t *len)
{
	return cer_ur_decoder_result(imp->dec, data, len);
}

/* --- what is it? ------------------------------------------------------------------- */

static void
name_text(X509_NAME *name, char *buf, size_t len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	buf[0] = '\0';
	if (bio != NULL && X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE) >= 0 &&
	    (n = BIO_get_mem_data(bio, &p)) > 0)
		(void)snprintf(buf, len, "%.*s", (int)n, p);
	BIO_free(bio);
}

void
cer_identify(const uint8_t *data, size_t len, char *buf, size_t buflen)
{
	const unsigned char *p;
	char name[256];
	X509 *x = NULL;
	X509_CRL *crl = NULL;
	X509_REQ *req = NULL;
	PKCS7 *p7 = NULL;

	(void)snprintf(buf, buflen, "data");
	if (len == 0 || len > LONG_MAX)
		return;
	/* Each parse must take all of the bytes: one object, nothing after it. */
	if ((p = data, x = d2i_X509(NULL, &p, (long)len)) != NULL && p == data + len) {
		name_text(X509_get_subject_name(x), name, sizeof(name));
		(void)snprintf(buf, buflen, "X.509 certificate (subject %s)", name);
	} else if ((p = data, crl = d2i_X509_CRL(NULL, &p, (long)len)) != NULL && p == data + len) {
		name_text(X509_CRL_get_issuer(crl), name, sizeof(name));
		(void)snprintf(buf, buflen, "X.509 CRL (issuer %s, %d entries)", name,
		               sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)));
	} else if ((p = data, p7 = d2i_PKCS7(NULL, &p, (long)len)) != NULL && p == data + len &&
	           PKCS7_type_is_signed(p7)) {
		(void)snprintf(buf, buflen, "PKCS#7 bundle of %d certificates",
		               sk_X509_num(p7->d.sign->cert));
	} else if ((p = data, req = d2i_X509_REQ(NULL, &p, (long)len)) != NULL && p == data + len) {
		name_text(X509_REQ_get_subject_name(req), name, sizeof(name));
		(void)snprintf(buf, buflen, "certificate signing request (subject %s)", name);
	} else if (len > 11 && memcmp(data, "-----BEGIN ", 11) == 0) {
		(void)snprintf(buf, buflen, "PEM text");
	}
	X509_free(x);
	X509_CRL_free(crl);
	PKCS7_free(p7);
	X509_REQ_free(req);
	ERR_clear_error();
}
