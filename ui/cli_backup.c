/*
 * cli_backup: `custos backup` (write a backup of the CA home to a stick) and
 * `custos backup verify` (check one, and with a quorum prove that it opens:
 * the yearly restoration test).  Thin: the work is in ceremony/cer_backup.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_backup.h"
#include "ceremony/cer_export.h"
#include "ceremony/cer_session.h"
#include "ui/cli.h"

enum { OPT_TO = CLI_OPT_FIRST_FREE, OPT_OPERATOR };

static const char backup_usage[] =
        "custos backup [--home DIR] --to DIR [--operator NAME] [--json]\n"
        "       custos backup verify DIR [" CLI_QUORUM_USAGE "] [--json]\n"
        "  backup: writes the vault, a snapshot of ca.db, root.pem, the profiles, MANIFEST and\n"
        "  SHA256SUMS into DIR (created if missing; nothing is overwritten), reads them back.\n"
        "  verify: checks every file of the backup in DIR; given a quorum, also proves that it\n"
        "  opens (unlocks the key and signs a probe).  The live home is not touched.";

static void
backup_text(const char *dir, const struct cer_backup_info *info, const char *head)
{
	char hex[65];
	size_t i;

	printf("%s %s\n", head, dir);
	printf("subject:      %s\n", info->subject);
	sodium_bin2hex(hex, sizeof(hex), info->root_sha256, 32);
	printf("root SHA-256: %s\n", hex);
	printf("created:      %s\n", info->created);
	printf("share set:    %u\n", info->share_set);
	printf("inventory:    %llu certificates, %llu revocations, %llu CRLs\n",
	       (unsigned long long)info->certificates, (unsigned long long)info->revocations,
	       (unsigned long long)info->crls);
	for (i = 0; i < info->nfiles; i++) {
		printf("%s  (%llu bytes)\n", info->files[i].name,
		       (unsigned long long)info->files[i].size);
		cli_hash_lines("  ", info->files[i].sha256);
	}
	printf("%s\n", CER_BACKUP_MANIFEST);
	cli_hash_lines("  ", info->manifest_sha256);
}

static json_t *
backup_json(const char *dir, const struct cer_backup_info *info, int opened)
{
	json_t *files = json_array(), *o;
	char hex[65];
	size_t i;

	for (i = 0; i < info->nfiles; i++)
		json_array_append_new(
		        files, cli_hash_json(json_pack("{s:s, s:I}", "name", info->files[i].name,
		                                       "bytes", (json_int_t)info->files[i].size),
		                             info->files[i].sha256));
	sodium_bin2hex(hex, sizeof(hex), info->root_sha256, 32);
	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:I, s:o}", "directory", dir, "subject",
	              info->subject, "root_sha256", hex, "created", info->created, "share_set",
	              (int)info->share_set, "certificates", (json_int_t)info->certificates,
	              "revocations", (json_int_t)info->revocations, "crls", (json_int_t)info->crls,
	              "files", files);
	if (opened >= 0)
		json_object_set_new(o, "opened_with_quorum", json_boolean(opened));
	return o;
}

static int
backup_verify(int argc, char **argv)
{
	static const struct option opts[] = {{"json", no_argument, NULL, CLI_OPT_JSON},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     CLI_QUORUM_LONGOPTS,
	                                     {NULL, 0, NULL, 0}};
	struct cli_quorum_opts qo;
	struct cer_backup_info info;
	struct cer_home *h = NULL;
	struct cer_quorum *q = NULL;
	int c, r, json = 0, prove;

	memset(&qo, 0, sizeof(qo));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == CLI_OPT_JSON)
			json = 1;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", backup_usage);
			return CLI_OK;
		} else if (cli_quorum_option(&qo, c, optarg) != 0)
			return cli_usage_error(backup_usage, "unknown option");
	}
	if (argc - optind != 1)
		return cli_usage_error(backup_usage, "backup verify takes one DIR");
	prove = qo.nfiles > 0 || qo.shares_from != NULL;
	if ((r = cer_backup_verify(argv[optind], &info, &h)) == 0 && prove &&
	    (r = cli_collect_quorum(h->vault, &qo, &q)) == 0)
		r = cer_backup_prove(h, q);
	cer_quorum_free(q);
	cer_home_free(h);
	if (r != 0)
		return cli_fail(r, "backup verify");
	if (json)
		return cli_print_json(backup_json(argv[optind], &info, prove));
	backup_text(argv[optind], &info, "backup intact:");
	if (prove)
		printf("the quorum opens the backup's vault: its key signs as the root "
		       "certificate\n");
	return CLI_OK;
}

int
cli_backup(int argc, char **argv)
{
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"to", required_argument, NULL, OPT_TO},
	                                     {"operator", required_argument, NULL, OPT_OPERATOR},
	                                     {"json", no_argument, NULL, CLI_OPT_JSON},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     {NULL, 0, NULL, 0}};
	struct cer_session_params sp = {.verb = "backup"};
	struct cer_session *s = NULL;
	struct cer_backup_info info;
	const char *home = NULL, *to = NULL;
	int c, r, end, json = 0;

	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return backup_verify(argc - 1, argv + 1);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case CLI_OPT_HOME:
			home = optarg;
			break;
		case OPT_TO:
			to = optarg;
			break;
		case OPT_OPERATOR:
			sp.operator_name = optarg;
			break;
		case CLI_OPT_JSON:
			json = 1;
			break;
		case CLI_OPT_HELP:
			printf("usage: %s\n", backup_usage);
			return CLI_OK;
		default:
			return cli_usage_error(backup_usage, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error(backup_usage, "unexpected argument '%s'", argv[optind]);
	if (to == NULL)
		return cli_usage_error(backup_usage, "--to DIR is required");
	home = cli_home(home);
	if ((r = cer_session_begin(home, &sp, &s)) == 0) {
		r = cer_backup_write(home, to, cer_session_time(s), &info, s);
		end = cer_session_end(s, NULL, NULL, r, NULL, 0);
		if (r == 0)
			r = end;
	}
	cer_session_free(s);
	if (r != 0)
		return cli_fail(r, "backup");
	if (json)
		return cli_print_json(backup_json(to, &info, -1));
	backup_text(to, &info, "backup written, read back and verified:");
	return CLI_OK;
}
