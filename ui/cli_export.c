/*
 * cli_export: across the air gap from the command line: `custos export`
 * (files on a stick, QR codes, UR parts on the terminal), `custos import`
 * (a CSR from a stick, with its SHA-256 to compare), `custos import-qr`
 * (an artifact from scanned UR parts, no CA home needed) and `custos
 * mounts` (the removable mounts to choose from).  Thin: the work is in
 * ceremony/cer_export and cer_import.  `custos backup` is in cli_backup.c.
 */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ceremony/cer_db.h"
#include "ceremony/cer_export.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_import.h"
#include "ceremony/cer_qr.h"
#include "ceremony/cer_session.h"
#include "ceremony/cer_ur.h"
#include "ui/cli.h"

#define MAX_ARTIFACTS 16
#define SHOW_CAPTION_LINES 2

enum {
	OPT_TO = CLI_OPT_FIRST_FREE,
	OPT_FORMAT,
	OPT_MAX_VERSION,
	OPT_EC,
	OPT_SCALE,
	OPT_PARTS,
	OPT_SHOW,
	OPT_INVERT,
	OPT_INTERVAL,
	OPT_FRAMES,
	OPT_OPERATOR,
	OPT_OUT,
	OPT_FROM,
	OPT_EXPECT,
	OPT_STRICT
};

static int
parse_num(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

void
cli_hash_lines(const char *indent, const uint8_t sha[32])
{
	char hex[65], words[CER_WORDS_LEN];

	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	cer_sha256_words(sha, words);
	printf("%sSHA-256: %s\n%swords:   %s\n", indent, hex, indent, words);
}

json_t *
cli_hash_json(json_t *o, const uint8_t sha[32])
{
	char hex[65], words[CER_WORDS_LEN];

	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	cer_sha256_words(sha, words);
	json_object_set_new(o, "sha256", json_string(hex));
	json_object_set_new(o, "words", json_string(words));
	return o;
}

int
cli_print_json(json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	json_decref(o);
	if (text == NULL)
		return cli_fail(custos_err_set(CUSTOS_ENOMEM, "JSON output"), "output");
	printf("%s\n", text);
	free(text);
	return CLI_OK;
}

/* --- export ------------------------------------------------------------------------ */

static const char export_usage[] =
        "custos export [--home DIR] --to DIR [--format F[,F...]] [--max-version V] [--ec L|M|Q|H]\n"
        "              [--scale N] [--parts N] [--operator NAME] [--json] ARTIFACT...\n"
        "       custos export [--home DIR] --show [--max-version V] [--ec L|M|Q|H] [--invert]\n"
        "              [--interval MS] [--frames N] ARTIFACT\n"
        "  ARTIFACT: root | crl | cert SERIAL | chain SERIAL | transcript FILE\n"
        "  F: pem, der, p7b, qr-png, ur (default: pem and der; a chain: pem and p7b)\n"
        "  qr-png: one QR code of the PEM text when it fits version V (default 40), else one\n"
        "          per UR part; ur: FILE.ur, UR parts one a line, each fitting version V\n"
        "  --show: the UR parts as QR codes on this terminal, sized to it (or to V)\n"
        "  Nothing is overwritten; each file is synced, read back and listed in DIR/SHA256SUMS.";

struct export_opts {
	const char *home, *to, *operator_name;
	unsigned formats;
	struct cer_export_qr q;
	int version_given, ec_given, show, invert, json;
	unsigned long interval_ms, frames;
	int have_frames;
};

/* Loads the artifacts named from argv[i]; returns how many argv words it took, or < 0. */
static int
load_artifact(const struct cer_home *h, struct cer_db *db, char **argv, int argc, int i,
              struct cer_artifact **out)
{
	uint8_t serial[CER_SERIAL_LEN];
	int r;

	if (strcmp(argv[i], "root") == 0)
		return (r = cer_artifact_root(h, out)) != 0 ? r : 1;
	if (strcmp(argv[i], "crl") == 0)
		return (r = cer_artifact_crl(h, db, out)) != 0 ? r : 1;
	if (i + 1 >= argc)
		return custos_err_set(CUSTOS_EINVAL, "'%s' needs an argument", argv[i]);
	if (strcmp(argv[i], "transcript") == 0)
		return (r = cer_artifact_transcript(h, argv[i + 1], out)) != 0 ? r : 2;
	if (strcmp(argv[i], "cert") != 0 && strcmp(argv[i], "chain") != 0)
		return custos_err_set(CUSTOS_EINVAL, "unknown artifact '%s'", argv[i]);
	if ((r = cer_serial_from_hex(argv[i + 1], serial)) != 0)
		return r;
	r = argv[i][1] == 'e' ? cer_artifact_cert(h, db, serial, out)
	                      : cer_artifact_chain(h, db, serial, out);
	return r != 0 ? r : 2;
}

static int
export_option(struct export_opts *o, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case CLI_OPT_HOME:
		o->home = arg;
		return 0;
	case OPT_TO:
		o->to = arg;
		return 0;
	case OPT_FORMAT:
		return cer_export_formats_parse(arg, &o->formats);
	case OPT_MAX_VERSION:
		if (parse_num(arg, 1, 40, &v) != 0)
			return custos_err_set(CUSTOS_EINVAL, "--max-version takes 1..40");
		o->q.max_version = (int)v;
		o->version_given = 1;
		return 0;
	case OPT_EC:
		o->ec_given = 1;
		return cer_qr_ec_from_name(arg, &o->q.ec);
	case OPT_SCALE:
		if (parse_num(arg, 1, 16, &v) != 0)
			return custos_err_set(CUSTOS_EINVAL, "--scale takes 1..16 pixels a module");
		o->q.png_scale = (unsigned)v;
		return 0;
	case OPT_PARTS:
		if (parse_num(arg, 1, 1000000, &v) != 0)
			return custos_err_set(CUSTOS_EINVAL, "--parts takes a number of parts");
		o->q.ur_parts = v;
		return 0;
	case OPT_SHOW:
		o->show = 1;
		return 0;
	case OPT_INVERT:
		o->invert = 1;
		return 0;
	case OPT_INTERVAL:
		if (parse_num(arg, 50, 60000, &o->interval_ms) != 0)
			return custos_err_set(CUSTOS_EINVAL, "--interval takes 50..60000 ms");
		return 0;
	case OPT_FRAMES:
		if (parse_num(arg, 1, 10000000, &o->frames) != 0)
			return custos_err_set(CUSTOS_EINVAL, "--frames takes a number");
		o->have_frames = 1;
		return 0;
	case OPT_OPERATOR:
		o->operator_name = arg;
		return 0;
	case CLI_OPT_JSON:
		o->json = 1;
		return 0;
	default:
		return 1;
	}
}

static void
report_export(const struct cer_export *x, const char *dir)
{
	const struct cer_export_file *f;
	size_t i;

	printf("exported %zu files to %s (listed in %s/%s, each read back and compared):\n",
	       cer_export_count(x), dir, dir, CER_EXPORT_MANIFEST);
	for (i = 0; i < cer_export_count(x); i++) {
		f = cer_export_file(x, i);
		printf("%s  (%zu bytes, %s)\n", f->name, f->len, f->what);
		cli_hash_lines("  ", f->sha256);
	}
}

static json_t *
export_json(const struct cer_export *x, const char *dir)
{
	const struct cer_export_file *f;
	json_t *files = json_array(), *o;
	size_t i;

	for (i = 0; i < cer_export_count(x); i++) {
		f = cer_export_file(x, i);
		o = json_pack("{s:s, s:s, s:I}", "name", f->name, "what", f->what, "bytes",
		              (json_int_t)f->len);
		json_array_append_new(files, cli_hash_json(o, f->sha256));
	}
	return json_pack("{s:s, s:s, s:o}", "directory", dir, "manifest", CER_EXPORT_MANIFEST,
	                 "files", files);
}

/* The largest QR version the terminal shows with the caption under it. */
static int
screen_version(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 ||
	    ws.ws_row <= SHOW_CAPTION_LINES)
		return 0;
	return cer_qr_version_for_screen(ws.ws_col, (size_t)ws.ws_row - SHOW_CAPTION_LINES,
	                                 CER_QR_QUIET_TEXT);
}

/* Waits ms for Enter on a terminal; 1 when it came. */
static int
enter_pressed(unsigned long ms)
{
	struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
	char buf[64];

	if (poll(&p, 1, (int)ms) > 0 && (p.revents & POLLIN)) {
		(void)!read(STDIN_FILENO, buf, sizeof(buf));
		return 1;
	}
	return 0;
}

/*
 * Shows a's UR parts as QR codes: on a terminal, cleared and redrawn every
 * interval until Enter (or --frames parts); otherwise each frame once,
 * followed by a "-- part" line, for --frames parts (default: the fragments).
 */
static int
show_ur(const struct cer_artifact *a, struct export_opts *o)
{
	int tty = isatty(STDOUT_FILENO), v = o->q.max_version, r;
	struct cer_ur_encoder *enc = NULL;
	struct cer_qr *qr = NULL;
	char *part = NULL, *text = NULL;
	size_t i, n, limit;

	if (!o->version_given)
		v = tty ? screen_version() : 10;
	if (v == 0)
		return custos_err_set(CUSTOS_ETOOBIG, "the terminal is too small for a QR code");
	if ((r = cer_export_ur_encoder(a, v, o->q.ec, &enc)) != 0)
		return r;
	n = cer_ur_encoder_seq_len(enc);
	limit = o->have_frames ? o->frames : (tty ? (size_t)-1 : n);
	for (i = 0; i < limit && r == 0; i++) {
		if ((r = cer_ur_encoder_next_part(enc, &part)) != 0 ||
		    (r = cer_export_ur_qr(part, o->q.ec, v, &qr)) != 0 ||
		    (r = cer_qr_text(qr, CER_QR_QUIET_TEXT,
		                     o->invert ? CER_QR_TEXT_DARK_ON_LIGHT
		                               : CER_QR_TEXT_LIGHT_ON_DARK,
		                     &text, NULL, NULL)) != 0)
			break;
		if (tty)
			fputs("\033[H\033[2J", stdout);
		fputs(text, stdout);
		printf("-- part %zu (%s; %zu fragments, QR version %d)%s\n", i + 1, a->base, n,
		       qr->version, tty ? "; Enter stops" : "");
		fflush(stdout);
		free(part);
		free(text);
		cer_qr_free(qr);
		part = text = NULL;
		qr = NULL;
		if (tty && enter_pressed(o->interval_ms))
			break;
	}
	free(part);
	free(text);
	cer_qr_free(qr);
	cer_ur_encoder_free(enc);
	return r;
}

/* Records a terminal showing in the audit log, then shows it. */
static int
export_show(struct cer_session *s, const struct cer_artifact *a, struct export_opts *o)
{
	int r;

	if ((r = cer_db_begin(cer_session_db(s))) != 0)
		return r;
	if ((r = cer_session_artifact(s, a->base, a->der, a->der_len, NULL)) == 0)
		r = cer_session_record(s, "export", "terminal", "ok",
		                       "%s as UR parts on the terminal", a->what);
	if (r == 0)
		r = cer_db_commit(cer_session_db(s));
	if (r != 0) {
		cer_db_rollback(cer_session_db(s));
		return r;
	}
	return show_ur(a, o);
}

static int
export_run(struct export_opts *o, char **args, int nargs)
{
	struct cer_artifact *arts[MAX_ARTIFACTS] = {NULL};
	struct cer_session_params sp = {.verb = "export", .operator_name = o->operator_name};
	struct cer_home *h = NULL;
	struct cer_db *db = NULL;
	struct cer_export *x = NULL;
	struct cer_session *s = NULL;
	size_t n = 0, i;
	int k, r, end, used;

	if ((r = cer_home_open(cli_home(o->home), &h)) != 0 ||
	    (r = cer_db_open(h->path, 0, &db)) != 0 || (r = cer_export_new(&x)) != 0)
		goto out;
	for (k = 0; k < nargs; k += used) {
		if (n == MAX_ARTIFACTS) {
			r = custos_err_set(CUSTOS_EINVAL, "at most %d artifacts at once",
			                   MAX_ARTIFACTS);
			goto out;
		}
		if ((used = load_artifact(h, db, args, nargs, k, &arts[n])) < 0) {
			r = used;
			goto out;
		}
		n++;
	}
	if (o->show && n != 1) {
		r = custos_err_set(CUSTOS_EINVAL, "--show shows one artifact");
		goto out;
	}
	for (i = 0; i < n && !o->show && r == 0; i++)
		r = cer_export_add(x, arts[i], o->formats, &o->q);
	if (r != 0 || (r = cer_session_begin(h->path, &sp, &s)) != 0)
		goto out;
	if (o->show) {
		r = export_show(s, arts[0], o);
	} else if ((r = cer_export_to(s, x, o->to)) == 0) {
		if (o->json)
			(void)cli_print_json(export_json(x, o->to));
		else
			report_export(x, o->to);
	}
	end = cer_session_end(s, h, NULL, r, NULL, 0);
	if (r == 0)
		r = end;
out:
	cer_session_free(s);
	for (i = 0; i < n; i++)
		cer_artifact_free(arts[i]);
	cer_export_free(x);
	cer_db_close(db);
	cer_home_free(h);
	return r;
}

int
cli_export(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"home", required_argument, NULL, CLI_OPT_HOME},
	        {"to", required_argument, NULL, OPT_TO},
	        {"format", required_argument, NULL, OPT_FORMAT},
	        {"max-version", required_argument, NULL, OPT_MAX_VERSION},
	        {"ec", required_argument, NULL, OPT_EC},
	        {"scale", required_argument, NULL, OPT_SCALE},
	        {"parts", required_argument, NULL, OPT_PARTS},
	        {"show", no_argument, NULL, OPT_SHOW},
	        {"invert", no_argument, NULL, OPT_INVERT},
	        {"interval", required_argument, NULL, OPT_INTERVAL},
	        {"frames", required_argument, NULL, OPT_FRAMES},
	        {"operator", required_argument, NULL, OPT_OPERATOR},
	        {"json", no_argument, NULL, CLI_OPT_JSON},
	        {"help", no_argument, NULL, CLI_OPT_HELP},
	        {NULL, 0, NULL, 0}};
	struct export_opts o;
	int c, r;

	memset(&o, 0, sizeof(o));
	cer_export_qr_defaults(&o.q);
	o.interval_ms = 400;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", export_usage);
			return CLI_OK;
		}
		if ((r = export_option(&o, c, optarg)) < 0)
			return cli_usage_error(export_usage, "%s", custos_err_detail());
		if (r > 0)
			return cli_usage_error(export_usage, "unknown option");
	}
	if (optind == argc)
		return cli_usage_error(export_usage, "name what to export");
	if (o.to == NULL && !o.show)
		return cli_usage_error(export_usage, "--to DIR (or --show) is required");
	if (o.show && !o.ec_given)
		o.q.ec = CER_QR_EC_L; /* on a screen: the most data a frame; the fountain covers
		                         losses */
	r = export_run(&o, argv + optind, argc - optind);
	return r == 0 ? CLI_OK : cli_fail(r, "export");
}

/* --- import-qr ----------------------------------------------------------------------- */

static const char import_qr_usage[] =
        "custos import-qr [FILE|-] --out FILE [--strict] [--json]\n"
        "  Reads UR parts one a line (a scanner that types, or `zbarimg --raw` output), in any\n"
        "  order, duplicates welcome, until the artifact is complete; checks its CRC-32 and\n"
        "  writes it to --out (never overwriting).  A line that is not a good part is reported\n"
        "  and skipped (--strict: refused); a part of another message ends the import.\n"
        "  No CA home is needed.";

struct qr_in {
	size_t line, refused, accepted;
	int strict, mixed;
};

/* Feeds lines until complete; 0, or the error that ended it. */
static int
read_parts(struct cer_qr_import *imp, FILE *in, struct qr_in *st)
{
	char *line = NULL, msg[600];
	size_t cap = 0, known, needed, before = 0;
	ssize_t n;
	int r = 0;

	while (!cer_qr_import_complete(imp) && (n = getline(&line, &cap, in)) >= 0) {
		st->line++;
		r = cer_qr_import_line(imp, line);
		if (r == 1) {
			r = 0;
			continue;
		}
		if (r == CUSTOS_EMISMATCH) {
			st->mixed = 1;
			fprintf(stderr,
			        "line %zu is a part of another message (%s): refusing to mix "
			        "them; nothing was written\n",
			        st->line, custos_err_detail());
			break;
		}
		if (r == CUSTOS_ENOMEM)
			break;
		if (r != 0) {
			st->refused++;
			fprintf(stderr, "line %zu refused: %s\n", st->line,
			        custos_err_describe(r, msg, sizeof(msg)));
			if (st->strict) {
				(void)snprintf(msg, sizeof(msg), "%s", custos_err_detail());
				r = custos_err_set(r, "line %zu: %s (--strict)", st->line, msg);
				break;
			}
			r = 0;
			continue;
		}
		cer_qr_import_progress(imp, &known, &needed, &st->accepted);
		if (known != before || st->accepted == 1)
			fprintf(stderr, "line %zu: %zu of %zu fragments\n", st->line, known,
			        needed);
		before = known;
	}
	free(line);
	if (r == 0 && ferror(in))
		r = custos_err_set(CUSTOS_EIO, "reading the parts: %s", strerror(errno));
	return r;
}

static int
import_qr_finish(struct cer_qr_import *imp, const char *out, const struct qr_in *st, int json)
{
	uint8_t *data = NULL, sha[32];
	size_t len = 0, known, needed;
	char what[512];
	json_t *o;
	int r;

	if (!cer_qr_import_complete(imp)) {
		cer_qr_import_progress(imp, &known, &needed, NULL);
		return custos_err_set(CUSTOS_ECANCELLED,
		                      "the input ended with %zu of %zu fragments: scan more parts",
		                      known, needed);
	}
	if ((r = cer_qr_import_result(imp, &data, &len)) != 0 ||
	    (r = cer_file_write(out, data, len, 0644, 1)) != 0) {
		free(data);
		return r;
	}
	crypto_hash_sha256(sha, data, len);
	cer_identify(data, len, what, sizeof(what));
	free(data);
	if (json) {
		o = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I}", "file", out, "bytes",
		              (json_int_t)len, "type", what, "lines", (json_int_t)st->line,
		              "parts_accepted", (json_int_t)st->accepted, "lines_refused",
		              (json_int_t)st->refused);
		return cli_print_json(cli_hash_json(o, sha)) == CLI_OK ? 0 : CUSTOS_ENOMEM;
	}
	printf("wrote %s (%zu bytes): %s\n", out, len, what);
	printf("CRC-32 checked; %zu parts accepted from %zu lines, %zu refused\n", st->accepted,
	       st->line, st->refused);
	cli_hash_lines("", sha);
	return 0;
}

int
cli_import_qr(int argc, char **argv)
{
	static const struct option opts[] = {{"out", required_argument, NULL, OPT_OUT},
	                                     {"strict", no_argument, NULL, OPT_STRICT},
	                                     {"json", no_argument, NULL, CLI_OPT_JSON},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     {NULL, 0, NULL, 0}};
	struct cer_qr_import *imp = NULL;
	struct qr_in st = {0};
	const char *out = NULL, *from = "-";
	FILE *in = stdin;
	int c, r, json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_OUT)
			out = optarg;
		else if (c == OPT_STRICT)
			st.strict = 1;
		else if (c == CLI_OPT_JSON)
			json = 1;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", import_qr_usage);
			return CLI_OK;
		} else
			return cli_usage_error(import_qr_usage, "unknown option");
	}
	if (argc - optind > 1)
		return cli_usage_error(import_qr_usage, "one input at most");
	if (optind < argc)
		from = argv[optind];
	if (out == NULL)
		return cli_usage_error(import_qr_usage, "--out FILE is required");
	if (access(out, F_OK) == 0)
		return cli_fail(custos_err_set(CUSTOS_EEXIST, "%s already exists", out),
		                "import-qr");
	if (strcmp(from, "-") != 0 && (in = fopen(from, "re")) == NULL)
		return cli_fail(custos_err_set(CUSTOS_ENOENT, "%s: %s", from, strerror(errno)),
		                "import-qr");
	if ((r = cer_qr_import_new(&imp)) == 0 && (r = read_parts(imp, in, &st)) == 0)
		r = import_qr_finish(imp, out, &st, json);
	if (in != stdin)
		fclose(in);
	cer_qr_import_free(imp);
	if (st.mixed) {
		fprintf(stderr, "custos: import-qr: parts of two different messages\n");
		return CLI_FAIL;
	}
	return r == 0 ? CLI_OK : cli_fail(r, "import-qr");
}

/* --- import (CSRs from a stick) ---------------------------------------------------------- */

static const char import_usage[] =
        "custos import FILE [--expect-sha256 HEX] [--out FILE] [--json]\n"
        "       custos import --from DIR [--json]\n"
        "  FILE: a CSR on the stick; its SHA-256 (of the file's bytes, as sha256sum computes it)\n"
        "  is shown to compare with the value the requester sent by another channel; then it is\n"
        "  reviewed.  --expect-sha256 refuses a file whose hash differs; --out copies an\n"
        "  acceptable CSR to local disk.  --from DIR lists the candidate files in DIR.";

static void
csr_lines(const struct cer_csr_file *f)
{
	char hex[65];

	printf("file:        %s (%zu bytes)\n", f->path, f->len);
	cli_hash_lines("", f->sha256);
	if (f->parsed) {
		printf("subject:     %s\n", f->info.subject);
		if (f->info.curve != NULL)
			printf("key:         EC %s\n", f->info.curve);
		else
			printf("key:         %s %d (e=%s)\n",
			       f->info.key_type ? f->info.key_type : "?", f->info.key_bits,
			       f->info.rsa_exponent);
		printf("signature:   %s\n", f->info.signature_algorithm);
		sodium_bin2hex(hex, sizeof(hex), f->info.csr_sha256, 32);
		printf("CSR DER SHA-256: %s\n", hex);
		printf("extensions:  %d requested (never copied)\n", f->info.extension_count);
	}
	printf("verdict:     %s\n", f->status == 0 ? "acceptable CSR" : f->detail);
}

static json_t *
csr_json(const struct cer_csr_file *f)
{
	json_t *o = json_pack("{s:s, s:I}", "file", f->path, "bytes", (json_int_t)f->len);
	char hex[65];

	cli_hash_json(o, f->sha256);
	json_object_set_new(o, "acceptable", json_boolean(f->status == 0));
	if (f->status != 0)
		json_object_set_new(o, "refused", json_string(f->detail));
	if (f->parsed) {
		sodium_bin2hex(hex, sizeof(hex), f->info.csr_sha256, 32);
		json_object_set_new(o, "subject", json_string(f->info.subject));
		json_object_set_new(o, "csr_sha256", json_string(hex));
		json_object_set_new(o, "signature_algorithm",
		                    json_string(f->info.signature_algorithm));
	}
	return o;
}

struct scan_ctx {
	int json;
	json_t *list;
};

static int
scan_one(void *ctx, const struct cer_csr_file *f)
{
	struct scan_ctx *sc = ctx;

	if (sc->json)
		return json_array_append_new(sc->list, csr_json(f)) == 0
		               ? 0
		               : custos_err_set(CUSTOS_ENOMEM, "list");
	csr_lines(f);
	printf("\n");
	return 0;
}

static int
import_one(const char *path, const char *expect, const char *out, int json)
{
	struct cer_csr_file f;
	uint8_t *data = NULL, want[32];
	size_t got = 0;
	int r;

	if (expect != NULL &&
	    (sodium_hex2bin(want, 32, expect, strlen(expect), ": ", &got, NULL) != 0 || got != 32))
		return custos_err_set(CUSTOS_EINVAL, "--expect-sha256 takes 64 hex digits");
	if ((r = cer_import_csr(path, &f, &data)) != 0)
		return r;
	if (json)
		(void)cli_print_json(csr_json(&f));
	else
		csr_lines(&f);
	if (expect != NULL && memcmp(want, f.sha256, 32) != 0)
		r = custos_err_set(CUSTOS_EMISMATCH,
		                   "%s's SHA-256 is not the one the requester sent: "
		                   "do not sign it",
		                   path);
	else if (f.status != 0)
		r = custos_err_set(f.status, "%s", f.detail);
	else if (out != NULL && (r = cer_file_write(out, data, f.len, 0644, 1)) == 0 && !json)
		printf("copied to:   %s\n", out);
	free(data);
	return r;
}

int
cli_import(int argc, char **argv)
{
	static const struct option opts[] = {{"from", required_argument, NULL, OPT_FROM},
	                                     {"out", required_argument, NULL, OPT_OUT},
	                                     {"expect-sha256", required_argument, NULL, OPT_EXPECT},
	                                     {"json", no_argument, NULL, CLI_OPT_JSON},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     {NULL, 0, NULL, 0}};
	const char *from = NULL, *out = NULL, *expect = NULL;
	struct scan_ctx sc = {0};
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_OUT:
			out = optarg;
			break;
		case OPT_EXPECT:
			expect = optarg;
			break;
		case CLI_OPT_JSON:
			sc.json = 1;
			break;
		case CLI_OPT_HELP:
			printf("usage: %s\n", import_usage);
			return CLI_OK;
		default:
			return cli_usage_error(import_usage, "unknown option");
		}
	}
	if ((from != NULL) == (optind < argc) || argc - optind > 1)
		return cli_usage_error(import_usage, "give one FILE, or --from DIR");
	if (from == NULL) {
		r = import_one(argv[optind], expect, out, sc.json);
		return r == 0 ? CLI_OK : cli_fail(r, "import");
	}
	if (out != NULL || expect != NULL)
		return cli_usage_error(import_usage, "--out and --expect-sha256 take one FILE");
	sc.list = json_array();
	r = cer_import_scan(from, scan_one, &sc);
	if (r == 0 && sc.json)
		return cli_print_json(json_pack("{s:s, s:o}", "directory", from, "files", sc.list));
	json_decref(sc.list);
	return r == 0 ? CLI_OK : cli_fail(r, "import");
}

/* --- mounts ------------------------------------------------------------------------ */

int
cli_mounts(int argc, char **argv)
{
	static const char usage[] = "custos mounts [--json]\n"
	                            "  The mounted removable media (USB sticks, SD cards).";
	struct cer_mount *m = NULL;
	json_t *list;
	size_t i, n = 0;
	int r;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		printf("usage: %s\n", usage);
		return CLI_OK;
	}
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json") != 0))
		return cli_usage_error(usage, "unexpected argument '%s'", argv[1]);
	if ((r = cer_mounts_removable(NULL, NULL, &m, &n)) != 0)
		return cli_fail(r, "mounts");
	if (argc == 2) {
		list = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(
			        list,
			        json_pack("{s:s, s:s, s:s, s:b, s:I, s:I}", "mount", m[i].dir,
			                  "device", m[i].device, "fstype", m[i].fstype, "read_only",
			                  m[i].read_only, "free_bytes", (json_int_t)m[i].free_bytes,
			                  "total_bytes", (json_int_t)m[i].total_bytes));
		free(m);
		return cli_print_json(list);
	}
	if (n == 0)
		printf("no removable media mounted\n");
	for (i = 0; i < n; i++)
		printf("%s  %s  %s  %s  %llu of %llu MB free\n", m[i].dir, m[i].device, m[i].fstype,
		       m[i].read_only ? "ro" : "rw",
		       (unsigned long long)(m[i].free_bytes / 1000000),
		       (unsigned long long)(m[i].total_bytes / 1000000));
	free(m);
	return CLI_OK;
}
