/*
 * cli_csr: `custos csr show FILE [--json]`: is this certificate signing
 * request one custos would sign, and what does it say?  The operator reads
 * the fingerprints aloud; nothing is unlocked, no CA home is needed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "ca/ca_csr.h"
#include "ui/cli.h"

static const char show_usage[] = "custos csr show FILE [--json]";

/* Reads FILE ("-" for standard input) whole, up to one byte over the CSR limit. */
static int
read_input(const char *path, unsigned char **data, size_t *len)
{
	size_t cap = CA_CSR_INPUT_MAX + 1, n = 0;
	unsigned char *buf = NULL;
	struct stat st;
	ssize_t got;
	int fd, r = 0;

	*data = NULL;
	*len = 0;
	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return custos_err_set(errno == ENOENT ? CUSTOS_ENOENT : CUSTOS_EIO, "%s: %s", path,
		                      strerror(errno));
	if (fstat(fd, &st) != 0) {
		r = custos_err_set(CUSTOS_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = custos_err_set(CUSTOS_EIO, "%s: is a directory", path);
		goto out;
	}
	if ((buf = malloc(cap)) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "out of memory");
		goto out;
	}
	while (n < cap && (got = read(fd, buf + n, cap - n)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = custos_err_set(CUSTOS_EIO, "%s: %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)got;
	}
	*data = buf;
	*len = n;
	buf = NULL; /* transferred */
out:
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}

static void
print_text(const struct ca_csr_info *in, const char *csr_hex, const char *spki_hex)
{
	printf("subject: %s\n", in->subject[0] != '\0' ? in->subject : "(empty)");
	if (in->curve != NULL)
		printf("key: %s %s\n", in->key_type, in->curve);
	else
		printf("key: %s %d\n", in->key_type, in->key_bits);
	printf("key_type: %s\n", in->key_type);
	printf("key_bits: %d\n", in->key_bits);
	if (in->curve != NULL)
		printf("curve: %s\n", in->curve);
	else
		printf("rsa_exponent: %s\n", in->rsa_exponent);
	printf("signature: valid\n");
	printf("signature_algorithm: %s\n", in->signature_algorithm);
	printf("csr_bytes: %zu\n", in->der_len);
	printf("csr_sha256: %s\n", csr_hex);
	printf("spki_sha256: %s\n", spki_hex);
	printf("extensions: %d%s\n", in->extension_count,
	       in->has_extensions ? " (shown only: CSR extensions are never copied)" : "");
	printf("attributes: %d\n", in->attribute_count);
}

static int
print_json(const struct ca_csr_info *in, const char *csr_hex, const char *spki_hex)
{
	json_t *o;
	char *s;

	o = json_pack("{s:s, s:s, s:i, s:o, s:o, s:s, s:s, s:I, s:s, s:s, s:b, s:i, s:b, s:i}",
	              "subject", in->subject, "key_type", in->key_type, "key_bits", in->key_bits,
	              "curve", in->curve != NULL ? json_string(in->curve) : json_null(),
	              "rsa_exponent",
	              in->curve == NULL ? json_string(in->rsa_exponent) : json_null(), "signature",
	              "valid", "signature_algorithm", in->signature_algorithm, "csr_bytes",
	              (json_int_t)in->der_len, "csr_sha256", csr_hex, "spki_sha256", spki_hex,
	              "has_extensions", in->has_extensions, "extensions", in->extension_count,
	              "extensions_copied", 0, "attributes", in->attribute_count);
	if (o == NULL || (s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		json_decref(o);
		return cli_fail(custos_err_set(CUSTOS_ENOMEM, "cannot build the JSON output"),
		                "csr show");
	}
	printf("%s\n", s);
	free(s);
	json_decref(o);
	return CLI_OK;
}

static int
csr_show(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	struct ca_csr_info *info = NULL;
	unsigned char *data = NULL;
	char csr_hex[65], spki_hex[65];
	X509_REQ *req = NULL;
	size_t len = 0;
	int c, json = 0, r, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j') {
			json = 1;
		} else if (c == 'h') {
			printf("usage: %s\n"
			       "Reviews a certificate signing request, PEM or DER (FILE - reads "
			       "standard input):\n"
			       "subject, key, SHA-256 of the request and of its public key.\n"
			       "Exit 0: acceptable; 1: refused; 2: usage.\n"
			       "Its extensions are shown, never copied.\n",
			       show_usage);
			return CLI_OK;
		} else {
			return cli_usage_error(show_usage, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(show_usage, "csr show takes exactly one FILE");
	if ((info = malloc(sizeof(*info))) == NULL)
		return cli_fail(custos_err_set(CUSTOS_ENOMEM, "out of memory"), "csr show");
	if ((r = read_input(argv[optind], &data, &len)) != 0 ||
	    (r = ca_csr_parse(data, len, &req)) != 0 || (r = ca_csr_review(req, info)) != 0) {
		rc = cli_fail(r, "csr show");
		goto out;
	}
	sodium_bin2hex(csr_hex, sizeof(csr_hex), info->csr_sha256, sizeof(info->csr_sha256));
	sodium_bin2hex(spki_hex, sizeof(spki_hex), info->spki_sha256, sizeof(info->spki_sha256));
	if (json) {
		rc = print_json(info, csr_hex, spki_hex);
	} else {
		print_text(info, csr_hex, spki_hex);
		rc = CLI_OK;
	}
	if (fflush(stdout) != 0)
		rc = cli_fail(custos_err_set(CUSTOS_EIO, "standard output: %s", strerror(errno)),
		              "csr show");
out:
	X509_REQ_free(req);
	free(data);
	free(info);
	return rc;
}

int
cli_csr(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(show_usage, "csr needs a sub-command");
	if (strcmp(argv[1], "show") == 0)
		return csr_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("usage: %s\n", show_usage);
		return CLI_OK;
	}
	return cli_usage_error(show_usage, "unknown csr sub-command '%s'", argv[1]);
}
