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
#include <unistd.h>

#include "ceremony/cer_db.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_profiles.h"
#include "ceremony/cer_session.h"
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
		"custos revoke [--home DIR] --serial HEX [--reason REASON] " CLI_SESSION_USAGE "\n"
		"  REASON: keyCompromise, affiliationChanged, superseded, cessationOfOperation,\n"
		"          privilegeWithdrawn, or none (the default: no reason code)";
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"serial", required_argument, NULL, 's'},
	                                     {"reason", required_argument, NULL, 'r'},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     CLI_SESSION_LONGOPTS,
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *serial = NULL, *reason_name = "none";
	struct cli_session_opts so;
	enum cer_reason reason;
	struct cer_session *s = NULL;
	struct cer_home *h = NULL;
	uint8_t key[CER_SERIAL_LEN];
	char hex[2 * CER_SERIAL_LEN + 1];
	int c, r;

	memset(&so, 0, sizeof(so));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_session_option(&so, c, optarg) == 0)
			continue;
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
	if ((r = cli_session_begin(home, "revoke", CER_SESSION_SIGNING, &so, &s)) != 0)
		return cli_fail(r, "revoke");
	if ((r = cer_home_open(cli_home(home), &h)) == 0)
		r = cer_revoke(h, cer_session_db(s), key, reason, cer_session_time(s), s);
	if (r == 0) {
		cer_serial_hex(key, hex);
		printf("revoked %s (%s); it appears on the next CRL\n", hex, cer_reason_name(reason));
	}
	r = cli_session_finish(s, h, NULL, r);
	cer_home_free(h);
	return r == 0 ? CLI_OK : cli_fail(r, "revoke");
}

/* --- sign and crl -------------------------------------------------------------- */

/* Refuses an --out that exists or cannot be written, before any share is asked for. */
static int
check_out(const char *out)
{
	if (access(out, F_OK) == 0)
		return custos_err_set(CUSTOS_EEXIST, "%s already exists; custos never overwrites it",
		                      out);
	return 0;
}

/* PEM unless the name ends in .der or .cer. */
static int
wants_der(const char *path)
{
	size_t n = strlen(path);

	return (n > 4 && strcmp(path + n - 4, ".der") == 0) ||
	       (n > 4 && strcmp(path + n - 4, ".cer") == 0);
}

static int
write_artifact(const char *path, const char *pem_label, const uint8_t *der, size_t len)
{
	BIO *bio;
	char *pem;
	long n;
	int r;

	if (wants_der(path))
		return cer_file_write(path, der, len, 0644, 1);
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio(bio, pem_label, "", der, (long)len) <= 0) {
		BIO_free(bio);
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "PEM encoding");
	}
	n = BIO_get_mem_data(bio, &pem);
	r = cer_file_write(path, pem, (size_t)n, 0644, 1);
	BIO_free(bio);
	return r;
}

enum { OPT_CSR = CLI_OPT_FIRST_FREE, OPT_OUT, OPT_PROFILE };

int
cli_sign(int argc, char **argv)
{
	static const char usage[] =
		"custos sign [--home DIR] --csr FILE --out FILE [--profile NAME] " CLI_QUORUM_USAGE
		"\n       " CLI_SESSION_USAGE;
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"csr", required_argument, NULL, OPT_CSR},
	                                     {"out", required_argument, NULL, OPT_OUT},
	                                     {"profile", required_argument, NULL, OPT_PROFILE},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     CLI_QUORUM_LONGOPTS, CLI_SESSION_LONGOPTS,
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *csr = NULL, *out = NULL, *profile = CA_PROFILE_DEFAULT_NAME;
	struct cli_session_opts so;
	struct cer_session *sess = NULL;
	struct cli_quorum_opts qo;
	struct ca_profile_set *profiles = NULL;
	struct cer_home *h = NULL;
	struct cer_unlocked *u = NULL;
	struct cer_signed s;
	uint8_t *data = NULL, *der = NULL;
	size_t len = 0;
	char hex[2 * CER_SERIAL_LEN + 1], sha[65];
	int c, r, n;

	memset(&qo, 0, sizeof(qo));
	memset(&so, 0, sizeof(so));
	memset(&s, 0, sizeof(s));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_session_option(&so, c, optarg) == 0)
			continue;
		if (c == CLI_OPT_HOME)
			home = optarg;
		else if (c == OPT_CSR)
			csr = optarg;
		else if (c == OPT_OUT)
			out = optarg;
		else if (c == OPT_PROFILE)
			profile = optarg;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", usage);
			return CLI_OK;
		} else if (cli_quorum_option(&qo, c, optarg) != 0)
			return cli_usage_error(usage, "unknown option");
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (csr == NULL || out == NULL)
		return cli_usage_error(usage, "--csr and --out are required");
	if ((r = cli_session_begin(home, "sign", CER_SESSION_KEY | CER_SESSION_SIGNING, &so,
	                           &sess)) != 0)
		return cli_fail(r, "sign");
	/* Everything that can be checked without the key is checked before any share. */
	if ((r = check_out(out)) != 0 || (r = cer_file_read(csr, 64 * 1024, &data, &len)) != 0 ||
	    (r = cer_home_open(cli_home(home), &h)) != 0 || (r = cer_profiles_load(h, &profiles)) != 0 ||
	    (r = cer_sign_precheck(h, profiles, profile, data, len)) != 0 ||
	    (r = cer_session_artifact(sess, csr, data, len, NULL)) != 0 ||
	    (r = cli_session_quorum(sess, h, &qo, &u)) != 0 ||
	    (r = cer_sign_csr(h, u, cer_session_db(sess), profiles, profile, data, len,
	                      cer_session_time(sess), sess, &s)) != 0)
		goto out;
	cer_serial_hex(s.serial, hex);
	sodium_bin2hex(sha, sizeof(sha), s.sha256, 32);
	if ((n = i2d_X509(s.cert, &der)) <= 0) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "encoding the certificate");
		goto out;
	}
	if ((r = write_artifact(out, "CERTIFICATE", der, (size_t)n)) != 0) {
		fprintf(stderr, "custos: sign: the certificate %s is signed and recorded, but could not "
		                "be written; export it with `custos export cert %s`\n", hex, hex);
		goto out;
	}
	if ((r = cer_session_artifact(sess, out, der, (size_t)n, NULL)) != 0)
		goto out;
	printf("signed:             %s\n", out);
	printf("serial:             %s\n", hex);
	printf("SHA-256:            %s\n", sha);
out:
	r = cli_session_finish(sess, h, u, r);
	OPENSSL_free(der);
	cer_signed_clear(&s);
	ca_profile_set_free(profiles);
	free(data);
	cer_unlocked_free(u);
	cer_home_free(h);
	return r == 0 ? CLI_OK : cli_fail(r, "sign");
}

int
cli_crl(int argc, char **argv)
{
	static const char usage[] = "custos crl [--home DIR] --out FILE " CLI_QUORUM_USAGE
	                            "\n       " CLI_SESSION_USAGE;
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"out", required_argument, NULL, OPT_OUT},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     CLI_QUORUM_LONGOPTS, CLI_SESSION_LONGOPTS,
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL, *out = NULL;
	struct cli_session_opts so;
	struct cer_session *sess = NULL;
	struct cli_quorum_opts qo;
	struct ca_profile_set *profiles = NULL;
	struct cer_home *h = NULL;
	struct cer_unlocked *u = NULL;
	struct cer_crl crl;
	char sha[65], next[32];
	int c, r;

	memset(&qo, 0, sizeof(qo));
	memset(&so, 0, sizeof(so));
	memset(&crl, 0, sizeof(crl));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_session_option(&so, c, optarg) == 0)
			continue;
		if (c == CLI_OPT_HOME)
			home = optarg;
		else if (c == OPT_OUT)
			out = optarg;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", usage);
			return CLI_OK;
		} else if (cli_quorum_option(&qo, c, optarg) != 0)
			return cli_usage_error(usage, "unknown option");
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (out == NULL)
		return cli_usage_error(usage, "--out is required");
	if ((r = cli_session_begin(home, "crl", CER_SESSION_KEY | CER_SESSION_SIGNING, &so,
	                           &sess)) != 0)
		return cli_fail(r, "crl");
	if ((r = check_out(out)) != 0 || (r = cer_home_open(cli_home(home), &h)) != 0 ||
	    (r = cer_profiles_load(h, &profiles)) != 0 || (r = cer_crl_precheck(h)) != 0 ||
	    (r = cli_session_quorum(sess, h, &qo, &u)) != 0 ||
	    (r = cer_crl_issue(h, u, cer_session_db(sess), profiles, cer_session_time(sess), sess,
	                       &crl)) != 0)
		goto out;
	if ((r = write_artifact(out, "X509 CRL", crl.der, crl.der_len)) != 0) {
		fprintf(stderr, "custos: crl: CRL %llu is signed and recorded, but could not be "
		                "written; export it with `custos export crl`\n",
		        (unsigned long long)crl.number);
		goto out;
	}
	if ((r = cer_session_artifact(sess, out, crl.der, crl.der_len, NULL)) != 0)
		goto out;
	sodium_bin2hex(sha, sizeof(sha), crl.sha256, 32);
	cer_time_format(crl.next_update, next, sizeof(next));
	printf("CRL:                %s\n", out);
	printf("number:             %llu\n", (unsigned long long)crl.number);
	printf("entries:            %llu\n", (unsigned long long)crl.entries);
	printf("next update:        %s\n", next);
	printf("SHA-256:            %s\n", sha);
out:
	r = cli_session_finish(sess, h, u, r);
	cer_crl_clear(&crl);
	ca_profile_set_free(profiles);
	cer_unlocked_free(u);
	cer_home_free(h);
	return r == 0 ? CLI_OK : cli_fail(r, "crl");
}
