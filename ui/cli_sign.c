/*
 * cli_sign: the CA engine's verbs: `list`, `show`, `revoke` (and `sign`,
 * `crl`), thin wrappers around ceremony/.
 */
#include <getopt.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ceremony/cer_db.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_sign.h"
#include "ceremony/cer_vault.h"
#include "ui/cli.h"

static void
time_text(int64_t t, char *buf, size_t len)
{
	cer_time_format((time_t)t, buf, len);
}

static json_t *
cert_json(const struct cer_cert_row *row)
{
	char serial[2 * CER_SERIAL_LEN + 1], nb[32], na[32], at[32], sha[65], csr[65], rev[32];

	cer_serial_hex(row->serial, serial);
	time_text(row->not_before, nb, sizeof(nb));
	time_text(row->not_after, na, sizeof(na));
	time_text(row->issued_at, at, sizeof(at));
	time_text(row->revoked_at, rev, sizeof(rev));
	sodium_bin2hex(sha, sizeof(sha), row->sha256, 32);
	sodium_bin2hex(csr, sizeof(csr), row->csr_sha256, 32);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "serial", serial,
	                 "subject", row->subject, "profile", row->profile, "not_before", nb,
	                 "not_after", na, "issued_at", at, "sha256", sha, "csr_sha256", csr,
	                 "status", row->revoked ? "revoked" : "valid", "revoked_at",
	                 row->revoked ? json_string(rev) : json_null(), "reason",
	                 row->revoked ? json_string(cer_reason_name(row->reason)) : json_null());
}

static int
print_json(json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	if (text == NULL)
		return cli_fail(custos_err_set(CUSTOS_ENOMEM, "JSON output"), "output");
	printf("%s\n", text);
	free(text);
	return CLI_OK;
}

struct list_ctx {
	int json;
	json_t *array;
};

static int
list_one(void *ctx, const struct cer_cert_row *row)
{
	struct list_ctx *l = ctx;
	char serial[2 * CER_SERIAL_LEN + 1], na[32];

	if (l->json)
		return json_array_append_new(l->array, cert_json(row)) == 0
		               ? 0
		               : custos_err_set(CUSTOS_ENOMEM, "list");
	cer_serial_hex(row->serial, serial);
	time_text(row->not_after, na, sizeof(na));
	printf("%-40s  %-7s  %s  %s\n", serial, row->revoked ? "revoked" : "valid", na, row->subject);
	return 0;
}

/* Parses --home and --json (and --help) for the read-only verbs. */
static int
read_only_opts(int argc, char **argv, const char *usage, const char **home, int *json)
{
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"json", no_argument, NULL, CLI_OPT_JSON},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     {NULL, 0, NULL, 0}};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == CLI_OPT_HOME)
			*home = optarg;
		else if (c == CLI_OPT_JSON)
			*json = 1;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", usage);
			return CLI_OK;
		} else
			return cli_usage_error(usage, "unknown option");
	}
	return -1; /* go on */
}

/* Opens the home (checking the vault's signature) and its inventory. */
static int
open_inventory(const char *home, struct cer_home **h, struct cer_db **db)
{
	int r;

	*h = NULL;
	*db = NULL;
	if ((r = cer_home_open(cli_home(home), h)) != 0)
		return r;
	return cer_db_open((*h)->path, 0, db);
}

int
cli_list(int argc, char **argv)
{
	static const char usage[] = "custos list [--home DIR] [--json]";
	struct list_ctx l = {0, NULL};
	struct cer_home *h = NULL;
	struct cer_db *db = NULL;
	const char *home = NULL;
	int r;

	if ((r = read_only_opts(argc, argv, usage, &home, &l.json)) >= 0)
		return r;
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if ((r = open_inventory(home, &h, &db)) == 0) {
		if (l.json)
			l.array = json_array();
		else
			printf("%-40s  %-7s  %-20s  %s\n", "serial", "status", "not after", "subject");
		r = cer_db_cert_foreach(db, list_one, &l);
	}
	cer_db_close(db);
	cer_home_free(h);
	if (r != 0) {
		json_decref(l.array);
		return cli_fail(r, "list");
	}
	return l.json ? print_json(l.array) : CLI_OK;
}

int
cli_show(int argc, char **argv)
{
	static const char usage[] = "custos show [--home DIR] [--json] SERIAL";
	struct cer_cert_row row;
	struct cer_home *h = NULL;
	struct cer_db *db = NULL;
	const char *home = NULL;
	uint8_t key[CER_SERIAL_LEN];
	char serial[2 * CER_SERIAL_LEN + 1], t[4][32], sha[65], csr[65];
	int r, json = 0, rc = CLI_OK;

	memset(&row, 0, sizeof(row));
	if ((r = read_only_opts(argc, argv, usage, &home, &json)) >= 0)
		return r;
	if (argc - optind != 1)
		return cli_usage_error(usage, "show takes one serial (hex)");
	if ((r = cer_serial_from_hex(argv[optind], key)) != 0)
		return cli_fail(r, "show");
	if ((r = open_inventory(home, &h, &db)) != 0 || (r = cer_db_cert_get(db, key, 1, &row)) != 0) {
		rc = cli_fail(r, "show");
		goto out;
	}
	if (json) {
		json_t *o = cert_json(&row);
		BIO *bio = BIO_new(BIO_s_mem());
		const unsigned char *p = row.der;
		X509 *x = d2i_X509(NULL, &p, (long)row.der_len);
		char *pem = NULL;
		long n = 0;

		if (bio != NULL && x != NULL && PEM_write_bio_X509(bio, x) == 1)
			n = BIO_get_mem_data(bio, &pem);
		json_object_set_new(o, "pem", n > 0 ? json_stringn(pem, (size_t)n) : json_null());
		X509_free(x);
		BIO_free(bio);
		rc = print_json(o);
		goto out;
	}
	cer_serial_hex(row.serial, serial);
	time_text(row.not_before, t[0], sizeof(t[0]));
	time_text(row.not_after, t[1], sizeof(t[1]));
	time_text(row.issued_at, t[2], sizeof(t[2]));
	time_text(row.revoked_at, t[3], sizeof(t[3]));
	sodium_bin2hex(sha, sizeof(sha), row.sha256, 32);
	sodium_bin2hex(csr, sizeof(csr), row.csr_sha256, 32);
	printf("serial:             %s\n", serial);
	printf("subject:            %s\n", row.subject);
	printf("profile:            %s\n", row.profile);
	printf("not before:         %s\n", t[0]);
	printf("not after:          %s\n", t[1]);
	printf("issued:             %s\n", t[2]);
	printf("SHA-256:            %s\n", sha);
	printf("CSR SHA-256:        %s\n", csr);
	if (row.revoked)
		printf("status:             revoked %s (%s)\n", t[3], cer_reason_name(row.reason));
	else
		printf("status:             valid\n");
out:
	free(row.der);
	cer_db_close(db);
	cer_home_free(h);
	return rc;
}

int
cli_revoke(int argc, char **argv)
{
	static const char usage[] =
		"custos revoke [--home DIR] --serial HEX [--reason REASON]\n"
		"  REASON: keyCompromise, affiliationChanged, superseded, cessationOfOperation,\n"
		"          privilegeWithdrawn, or none (the default: no reason code)";
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"serial", required_argument, NULL, 's'},
	                                     {"reason", required_argument, NULL, 'r'},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *serial = NULL, *reason_name = "none";
	enum cer_reason reason;
	struct cer_home *h = NULL;
	struct cer_db *db = NULL;
	uint8_t key[CER_SERIAL_LEN];
	char hex[2 * CER_SERIAL_LEN + 1];
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == CLI_OPT_HOME)
			home = optarg;
		else if (c == 's')
			serial = optarg;
		else if (c == 'r')
			reason_name = optarg;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", usage);
			return CLI_OK;
		} else
			return cli_usage_error(usage, "unknown option");
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (serial == NULL)
		return cli_usage_error(usage, "--serial is required");
	if ((r = cer_serial_from_hex(serial, key)) != 0 ||
	    (r = cer_reason_from_name(reason_name, &reason)) != 0)
		return cli_fail(r, "revoke");
	if ((r = open_inventory(home, &h, &db)) == 0)
		r = cer_revoke(h, db, key, reason, time(NULL));
	cer_db_close(db);
	cer_home_free(h);
	if (r != 0)
		return cli_fail(r, "revoke");
	cer_serial_hex(key, hex);
	printf("revoked %s (%s); it appears on the next CRL\n", hex, cer_reason_name(reason));
	return CLI_OK;
}
