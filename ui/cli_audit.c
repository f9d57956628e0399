/*
 * cli_audit: the auditor's verbs.
 *
 *   custos audit verify [--home DIR] [--root FILE] [--json] [--no-record]
 *   custos audit show   [--home DIR] [filters] [--json]
 *   custos audit export [--home DIR] [filters] [--out FILE]
 *   custos transcript verify [--home DIR] [--root FILE] [--sig FILE] FILE...
 *   custos preflight    [--home DIR] --operator NAME --confirm-time T [--allow-network]
 *
 * Verification needs only the root certificate and ca.db (never the vault or
 * a share).  The auditor's verification and export are recorded in the log
 * (role auditor) unless --no-record is given for a write-protected copy.
 */
#include <jansson.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ceremony/cer_audit.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_session.h"
#include "ceremony/cer_transcript.h"
#include "ui/cli.h"

enum {
	OPT_ROOT = CLI_OPT_FIRST_FREE,
	OPT_NO_RECORD,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_OPERATION,
	OPT_ACTOR,
	OPT_SESSION,
	OPT_OUT,
	OPT_SIG
};

struct audit_opts {
	const char *home, *root, *out, *sig;
	struct cer_audit_filter filter;
	struct cli_session_opts so;
	int json, no_record;
};

/* clang-format off */
#define AUDIT_LONGOPTS \
	{"home", required_argument, NULL, CLI_OPT_HOME}, \
	{"root", required_argument, NULL, OPT_ROOT}, \
	{"json", no_argument, NULL, CLI_OPT_JSON}, \
	{"no-record", no_argument, NULL, OPT_NO_RECORD}, \
	{"since", required_argument, NULL, OPT_SINCE}, \
	{"until", required_argument, NULL, OPT_UNTIL}, \
	{"operation", required_argument, NULL, OPT_OPERATION}, \
	{"actor", required_argument, NULL, OPT_ACTOR}, \
	{"session", required_argument, NULL, OPT_SESSION}, \
	{"out", required_argument, NULL, OPT_OUT}, \
	{"sig", required_argument, NULL, OPT_SIG}, \
	{"help", no_argument, NULL, CLI_OPT_HELP}, \
	CLI_SESSION_LONGOPTS
/* clang-format on */

/* Parses argv; returns -1 to go on, else the exit code (help, usage error). */
static int
parse(int argc, char **argv, const char *usage, const char *role, struct audit_opts *o)
{
	static const struct option opts[] = {AUDIT_LONGOPTS, {NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	o->so.role = role;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_session_option(&o->so, c, optarg) == 0)
			continue;
		switch (c) {
		case CLI_OPT_HOME:
			o->home = optarg;
			break;
		case OPT_ROOT:
			o->root = optarg;
			break;
		case CLI_OPT_JSON:
			o->json = 1;
			break;
		case OPT_NO_RECORD:
			o->no_record = 1;
			break;
		case OPT_SINCE:
			o->filter.since = optarg;
			break;
		case OPT_UNTIL:
			o->filter.until = optarg;
			break;
		case OPT_OPERATION:
			o->filter.operation = optarg;
			break;
		case OPT_ACTOR:
			o->filter.actor = optarg;
			break;
		case OPT_SESSION:
			o->filter.session = optarg;
			break;
		case OPT_OUT:
			o->out = optarg;
			break;
		case OPT_SIG:
			o->sig = optarg;
			break;
		case CLI_OPT_HELP:
			printf("usage: %s\n", usage);
			return CLI_OK;
		default:
			return cli_usage_error(usage, "unknown option");
		}
	}
	return -1;
}

/* Opens what an auditor needs: the root certificate and ca.db (no vault). */
static int
open_log(const struct audit_opts *o, X509 **root, uint8_t fp[32], struct cer_db **db)
{
	char path[PATH_MAX];
	const char *home = cli_home(o->home);
	int r;

	*root = NULL;
	*db = NULL;
	if (o->root == NULL && (r = cer_path_join(path, sizeof(path), home, "root.pem")) != 0)
		return r;
	if ((r = cer_audit_load_root(o->root != NULL ? o->root : path, root, fp)) != 0)
		return r;
	return cer_db_open(home, 0, db);
}

/* Records one auditor's action as a session of its own; says so when it cannot. */
static void
record_action(const struct audit_opts *o, const char *verb, const char *object, int ok,
              const char *details)
{
	struct cer_session *s = NULL;
	int r;

	if (o->no_record)
		return;
	if ((r = cli_session_begin(o->home, verb, 0, &o->so, &s)) == 0 &&
	    (r = cer_session_record(s, verb, object, ok ? "ok" : "failed", "%s", details)) == 0)
		r = cer_session_end(s, NULL, NULL, 0, NULL, 0);
	cer_session_free(s);
	if (r != 0)
		fprintf(stderr,
		        "custos: note: this %s could not be recorded in the audit log: %s\n", verb,
		        custos_err_detail());
}

/* --- verify ------------------------------------------------------------------------ */

static void
print_report_text(const struct cer_audit_report *rep, int r)
{
	char hex[65];
	size_t i;

	sodium_bin2hex(hex, sizeof(hex), rep->head.hash, sizeof(rep->head.hash));
	printf("records:            %llu", (unsigned long long)rep->records);
	if (rep->records > 0)
		printf(" (head: record %llu, SHA-256 %s)", (unsigned long long)rep->head.seq, hex);
	printf("\ncheckpoints:        %llu (%llu genuine and matching)\n",
	       (unsigned long long)rep->checkpoints, (unsigned long long)rep->good_checkpoints);
	if (rep->signed_through > 0)
		printf("signed:             records 1 to %llu, by the checkpoint of %s\n",
		       (unsigned long long)rep->signed_through, rep->signed_time);
	if (rep->unsigned_count > 0)
		printf("NOT YET SIGNED:     %llu record%s from record %llu on: after the last "
		       "checkpoint, not yet covered by a signature\n",
		       (unsigned long long)rep->unsigned_count, rep->unsigned_count == 1 ? "" : "s",
		       (unsigned long long)rep->unsigned_from);
	for (i = 0; i < rep->nwarnings; i++)
		printf("warning:            %s\n", rep->warnings[i]);
	for (i = 0; i < rep->nfindings; i++)
		printf("%s record %llu (%s): %s\n", i == 0 ? "FIRST BAD" : "also bad ",
		       (unsigned long long)rep->findings[i].seq,
		       cer_audit_problem_name(rep->findings[i].kind), rep->findings[i].text);
	if (rep->total_findings > rep->nfindings)
		printf("... and %zu more findings\n", rep->total_findings - rep->nfindings);
	printf("%s\n", r == 0 ? "audit log OK: every record is intact and every checkpoint genuine"
	                      : "audit log FAILED");
}

static void
print_report_json(const struct cer_audit_report *rep, const char *fp, int r)
{
	json_t *o, *findings = json_array(), *warnings = json_array();
	char hex[65], *text;
	size_t i;

	sodium_bin2hex(hex, sizeof(hex), rep->head.hash, sizeof(rep->head.hash));
	for (i = 0; i < rep->nfindings; i++)
		json_array_append_new(findings,
		                      json_pack("{s:I, s:s, s:s}", "record",
		                                (json_int_t)rep->findings[i].seq, "kind",
		                                cer_audit_problem_name(rep->findings[i].kind),
		                                "text", rep->findings[i].text));
	for (i = 0; i < rep->nwarnings; i++)
		json_array_append_new(warnings, json_string(rep->warnings[i]));
	o = json_pack("{s:b, s:s, s:I, s:{s:I, s:s}, s:I, s:I, s:I, s:{s:I, s:I}, s:o, s:I, s:o}",
	              "ok", r == 0, "root_sha256", fp, "records", (json_int_t)rep->records, "head",
	              "record", (json_int_t)rep->head.seq, "sha256", hex, "checkpoints",
	              (json_int_t)rep->checkpoints, "genuine_checkpoints",
	              (json_int_t)rep->good_checkpoints, "signed_through",
	              (json_int_t)rep->signed_through, "unsigned", "from",
	              (json_int_t)rep->unsigned_from, "count", (json_int_t)rep->unsigned_count,
	              "findings", findings, "total_findings", (json_int_t)rep->total_findings,
	              "warnings", warnings);
	text = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (text != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(o);
}

static int
audit_verify(int argc, char **argv)
{
	static const char usage[] =
	        "custos audit verify [--home DIR] [--root FILE] [--json] [--no-record] "
	        "[--operator NAME]\n"
	        "  Recomputes the audit log's hash chain in ca.db and checks every checkpoint with "
	        "the\n"
	        "  root certificate (HOME/root.pem, or --root FILE): needs no vault and no share.";
	struct audit_opts o;
	struct cer_audit_report *rep = NULL;
	struct cer_db *db = NULL;
	X509 *root = NULL;
	uint8_t fp[32];
	char hex[65], subject[256], details[512], msg[768];
	int r;

	if ((r = parse(argc, argv, usage, "auditor", &o)) >= 0)
		return r;
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if ((rep = malloc(sizeof(*rep))) == NULL)
		return cli_fail(CUSTOS_ENOMEM, "audit verify");
	if ((r = open_log(&o, &root, fp, &db)) != 0) {
		free(rep);
		X509_free(root);
		return cli_fail(r, "audit verify");
	}
	r = cer_audit_verify(db, X509_get0_pubkey(root), rep);
	cer_db_close(db);
	sodium_bin2hex(hex, sizeof(hex), fp, sizeof(fp));
	if (r != 0 && r != CUSTOS_EAUDIT) {
		free(rep);
		X509_free(root);
		return cli_fail(r, "audit verify");
	}
	custos_err_describe(r, msg, sizeof(msg));
	if (o.json) {
		print_report_json(rep, hex, r);
	} else {
		X509_NAME_oneline(X509_get_subject_name(root), subject, sizeof(subject));
		printf("root certificate:   %s\nroot SHA-256:       %s\n", subject, hex);
		print_report_text(rep, r);
	}
	if (r == 0)
		(void)snprintf(details, sizeof(details),
		               "intact: %llu records, signed through %llu, "
		               "%llu not yet signed; root %s",
		               (unsigned long long)rep->records,
		               (unsigned long long)rep->signed_through,
		               (unsigned long long)rep->unsigned_count, hex);
	else
		(void)snprintf(details, sizeof(details), "FAILED at record %llu: %s; root %s",
		               (unsigned long long)rep->findings[0].seq, rep->findings[0].text,
		               hex);
	record_action(&o, "audit-verify", "ca.db", r == 0, details);
	free(rep);
	X509_free(root);
	if (r != 0) {
		fprintf(stderr, "custos: audit verify: %s\n", msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}

/* --- show and export ------------------------------------------------------------- */

struct show_ctx {
	int json;
	json_t *array;
	FILE *out;
	size_t n;
	char buf[CER_AUDIT_FIELD_MAX + 1];
};

/* A record field as valid, printable UTF-8 (a damaged database may hold anything). */
static const char *
safe(struct show_ctx *c, const struct cer_audit_record *rec, int f)
{
	cer_audit_clean(rec->field[f], rec->len[f], c->buf, sizeof(c->buf));
	return c->buf;
}

static json_t *
record_json(struct show_ctx *c, const struct cer_audit_record *rec)
{
	json_t *o = json_object();
	char hex[65];
	int f;

	json_object_set_new(o, "seq", json_integer(rec->seq));
	for (f = 0; f < CER_AF_COUNT; f++)
		json_object_set_new(o, cer_audit_field_name((enum cer_audit_field)f),
		                    json_string(safe(c, rec, f)));
	sodium_bin2hex(hex, sizeof(hex), rec->prev, sizeof(rec->prev));
	json_object_set_new(o, "prev_hash", json_string(rec->prev_ok ? hex : ""));
	sodium_bin2hex(hex, sizeof(hex), rec->hash, sizeof(rec->hash));
	json_object_set_new(o, "hash", json_string(rec->hash_ok ? hex : ""));
	return o;
}

static int
show_one(void *ctx, const struct cer_audit_record *rec)
{
	struct show_ctx *c = ctx;

	c->n++;
	if (c->json) {
		json_array_append_new(c->array, record_json(c, rec));
		return 0;
	}
	/* One field at a time: safe() reuses one buffer. */
	printf("#%-5lld %s", (long long)rec->seq, safe(c, rec, CER_AF_TIME));
	printf(" %s", safe(c, rec, CER_AF_ACTOR));
	printf(" (%s)", safe(c, rec, CER_AF_ROLE));
	printf(" %s", safe(c, rec, CER_AF_OPERATION));
	if (rec->len[CER_AF_OBJECT] > 0)
		printf(" %s", safe(c, rec, CER_AF_OBJECT));
	printf(": %s", safe(c, rec, CER_AF_RESULT));
	if (rec->len[CER_AF_DETAILS] > 0)
		printf("; %s", safe(c, rec, CER_AF_DETAILS));
	putchar('\n');
	return 0;
}

static int
export_one(void *ctx, const struct cer_audit_record *rec)
{
	struct show_ctx *c = ctx;
	json_t *o = record_json(c, rec);
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int r = 0;

	json_decref(o);
	if (line == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "export");
	if (fprintf(c->out, "%s\n", line) < 0)
		r = custos_err_set(CUSTOS_EIO, "writing the export");
	free(line);
	c->n++;
	return r;
}

static int
audit_show(int argc, char **argv)
{
	static const char usage[] =
	        "custos audit show [--home DIR] [--since TIME] [--until TIME] [--operation OP]\n"
	        "       [--actor NAME] [--session ID] [--json]\n"
	        "  TIME: UTC, any prefix of 2026-01-02T03:04:05.678Z (until includes it)";
	struct audit_opts o;
	struct show_ctx *c;
	struct cer_db *db = NULL;
	char *text;
	int r;

	if ((r = parse(argc, argv, usage, "auditor", &o)) >= 0)
		return r;
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return cli_fail(CUSTOS_ENOMEM, "audit show");
	c->json = o.json;
	if (c->json)
		c->array = json_array();
	if ((r = cer_db_open(cli_home(o.home), 0, &db)) == 0)
		r = cer_audit_foreach(db, &o.filter, show_one, c);
	cer_db_close(db);
	if (r == 0 && c->json) {
		text = json_dumps(c->array, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text != NULL)
			printf("%s\n", text);
		free(text);
	}
	json_decref(c->array);
	free(c);
	return r == 0 ? CLI_OK : cli_fail(r, "audit show");
}

static int
audit_export(int argc, char **argv)
{
	static const char usage[] =
	        "custos audit export [--home DIR] [--out FILE] [--since TIME] [--until TIME]\n"
	        "       [--operation OP] [--actor NAME] [--session ID] [--no-record]\n"
	        "  One JSON object a line (JSON Lines), with each record's hash and predecessor's "
	        "hash.";
	struct audit_opts o;
	struct show_ctx *c;
	struct cer_db *db = NULL;
	char *data = NULL, details[128];
	size_t len = 0;
	int r;

	if ((r = parse(argc, argv, usage, "auditor", &o)) >= 0)
		return r;
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return cli_fail(CUSTOS_ENOMEM, "audit export");
	c->out = o.out != NULL ? open_memstream(&data, &len) : stdout;
	if (c->out == NULL) {
		free(c);
		return cli_fail(custos_err_set(CUSTOS_ENOMEM, "export buffer"), "audit export");
	}
	if ((r = cer_db_open(cli_home(o.home), 0, &db)) == 0)
		r = cer_audit_foreach(db, &o.filter, export_one, c);
	cer_db_close(db);
	if (o.out != NULL) {
		if (fclose(c->out) != 0 && r == 0)
			r = custos_err_set(CUSTOS_EIO, "export buffer");
		if (r == 0)
			r = cer_file_write(o.out, data != NULL ? data : "", len, 0644, 1);
		free(data);
	} else if (fflush(stdout) != 0 && r == 0) {
		r = custos_err_set(CUSTOS_EIO, "writing standard output");
	}
	if (r == 0) {
		(void)snprintf(details, sizeof(details), "%zu records as JSON lines", c->n);
		record_action(&o, "audit-export", o.out != NULL ? o.out : "standard output", 1,
		              details);
	}
	free(c);
	return r == 0 ? CLI_OK : cli_fail(r, "audit export");
}

int
cli_audit(int argc, char **argv)
{
	static const char usage[] = "custos audit verify|show|export [--home DIR] [OPTIONS]";

	if (argc < 2)
		return cli_usage_error(usage, "audit needs a sub-command");
	if (strcmp(argv[1], "verify") == 0)
		return audit_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "show") == 0)
		return audit_show(argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return audit_export(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0) {
		printf("usage: %s\n", usage);
		return CLI_OK;
	}
	return cli_usage_error(usage, "unknown audit sub-command '%s'", argv[1]);
}

/* --- transcripts -------------------------------------------------------------------------- */

/* Verifies one transcript; prints what it states and whether the log still agrees. */
static int
verify_one(const struct audit_opts *o, const char *path, EVP_PKEY *pub, const uint8_t fp[32],
           struct cer_db *db)
{
	struct cer_transcript_info *t = malloc(sizeof(*t));
	char sigpath[PATH_MAX], hex[65], words[CER_TRANSCRIPT_WORDS_LEN];
	uint8_t *data = NULL, *sig = NULL;
	size_t len = 0, siglen = 0, i;
	int r, n;

	if (t == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "transcript");
	n = snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
	if (n < 0 || (size_t)n >= sizeof(sigpath))
		r = custos_err_set(CUSTOS_ETOOBIG, "path too long");
	else if ((r = cer_file_read(path, CER_TRANSCRIPT_MAX, &data, &len)) == 0 &&
	         (r = cer_file_read(o->sig != NULL ? o->sig : sigpath, 4096, &sig, &siglen)) == 0)
		r = cer_transcript_verify(data, len, sig, siglen, pub, fp, t);
	if (r == 0 && db != NULL)
		r = cer_transcript_check_log(t, db, pub);
	if (r == 0) {
		sodium_bin2hex(hex, sizeof(hex), t->file_sha256, 32);
		cer_transcript_words(t->file_sha256, words);
		printf("%s: OK, signed by the root key\n", path);
		printf("  ceremony:         %s (session %s)\n", t->ceremony, t->session);
		printf("  transcript SHA-256: %s\n  read aloud:       %s\n", hex, words);
		for (i = 0; i < t->nartifacts; i++) {
			sodium_bin2hex(hex, sizeof(hex), t->artifact_sha256[i], 32);
			printf("  artifact:         %s sha256 %s\n", t->artifacts[i], hex);
		}
		printf("  audit chain head: record %llu, %s\n", (unsigned long long)t->head_seq,
		       db != NULL ? "still in the audit log and signed by its checkpoint"
		                  : "not checked (no ca.db)");
	}
	free(t);
	free(data);
	free(sig);
	return r;
}

static int
transcript_verify(int argc, char **argv)
{
	static const char usage[] =
	        "custos transcript verify [--home DIR] [--root FILE] [--sig FILE] FILE...\n"
	        "  Checks FILE's detached signature FILE.sig with the root certificate "
	        "(HOME/root.pem or\n"
	        "  --root) and, when HOME/ca.db is there, that the audit chain head it names is "
	        "still in\n"
	        "  the log and signed by a genuine checkpoint.";
	struct audit_opts o;
	struct cer_db *db = NULL;
	X509 *root = NULL;
	uint8_t fp[32];
	char path[PATH_MAX];
	const char *home;
	int r, i, bad = 0;

	if ((r = parse(argc, argv, usage, "auditor", &o)) >= 0)
		return r;
	if (optind == argc)
		return cli_usage_error(usage, "which transcript?");
	if (o.sig != NULL && argc - optind > 1)
		return cli_usage_error(usage, "--sig goes with one transcript");
	home = cli_home(o.home);
	if (o.root == NULL && (r = cer_path_join(path, sizeof(path), home, "root.pem")) != 0)
		return cli_fail(r, "transcript verify");
	if ((r = cer_audit_load_root(o.root != NULL ? o.root : path, &root, fp)) != 0)
		return cli_fail(r, "transcript verify");
	if (cer_path_join(path, sizeof(path), home, "ca.db") == 0 && access(path, F_OK) == 0 &&
	    (r = cer_db_open(home, 0, &db)) != 0) {
		X509_free(root);
		return cli_fail(r, "transcript verify");
	}
	for (i = optind; i < argc; i++)
		if ((r = verify_one(&o, argv[i], X509_get0_pubkey(root), fp, db)) != 0) {
			char what[PATH_MAX + 32];
			(void)snprintf(what, sizeof(what), "transcript verify: %s", argv[i]);
			cli_fail(r, what);
			bad++;
		}
	cer_db_close(db);
	X509_free(root);
	return bad ? CLI_FAIL : CLI_OK;
}

int
cli_transcript(int argc, char **argv)
{
	static const char usage[] = "custos transcript verify [--home DIR] [--root FILE] FILE...";

	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return transcript_verify(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: %s\n", usage);
		return CLI_OK;
	}
	return cli_usage_error(usage, "transcript needs the sub-command verify");
}

/* --- preflight --------------------------------------------------------------------------- */

int
cli_preflight(int argc, char **argv)
{
	static const char usage[] =
	        "custos preflight [--home DIR] " CLI_SESSION_USAGE "\n"
	        "  Runs the checks a signing ceremony starts with (operator named, UTC time "
	        "confirmed\n"
	        "  within 5 minutes, clock not behind the audit log, no network interface up) and\n"
	        "  records them; nothing is unlocked.";
	struct audit_opts o;
	struct cer_session *s = NULL;
	int r;

	if ((r = parse(argc, argv, usage, NULL, &o)) >= 0)
		return r;
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if ((r = cli_session_begin(o.home, "preflight", CER_SESSION_KEY | CER_SESSION_SIGNING,
	                           &o.so, &s)) != 0)
		return cli_fail(r, "preflight");
	printf("operator:           %s (%s)\n", cer_session_operator(s), cer_session_role(s));
	printf("network:            %s\n", cer_session_network(s));
	printf("session:            %s\n", cer_session_id(s));
	printf("ready: a signing ceremony may start\n");
	r = cli_session_finish(s, NULL, NULL, 0);
	return r == 0 ? CLI_OK : cli_fail(r, "preflight");
}
