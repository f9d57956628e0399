/*
 * custos: the command-line entry point.  main() hands each verb to one
 * function; the verbs are thin: they parse arguments and call the core.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ceremony/cer_selftest.h"
#include "ui/cli.h"
#include "ui/tui.h"

static const struct cli_verb verbs[] = {
	{"init", cli_init, "create a CA: root key in a vault, shares for the custodians"},
	{"status", cli_status, "show the CA: key, state, custodians, root fingerprint"},
	{"key", cli_key, "change the key state: activate, deactivate, compromise, destroy"},
	{"shares", cli_shares, "check, verify or rotate custodians' shares"},
	{"sign", cli_sign, "sign an issuing-CA CSR with a quorum"},
	{"crl", cli_crl, "issue the next CRL with a quorum"},
	{"revoke", cli_revoke, "record a revocation (it appears on the next CRL)"},
	{"list", cli_list, "list the certificates this CA issued"},
	{"show", cli_show, "show one issued certificate"},
	{"csr", cli_csr, "review a certificate signing request (csr show FILE)"},
	{"export", cli_export, "write artifacts to a USB stick, as QR codes, or show them as UR"},
	{"import", cli_import, "take a CSR from a USB stick and show its SHA-256"},
	{"import-qr", cli_import_qr, "reassemble an artifact from scanned UR parts"},
	{"mounts", cli_mounts, "list the mounted removable media"},
	{"backup", cli_backup, "back up the CA home, or verify a backup (backup verify DIR)"},
	{"audit", cli_audit, "verify, show or export the audit log (root.pem and ca.db suffice)"},
	{"transcript", cli_transcript, "verify a ceremony transcript's signature (transcript verify FILE)"},
	{"preflight", cli_preflight, "the checks a signing ceremony starts with: air gap, clock, operator"},
	{"tui", tui_main, "the ceremony application (also `custos` alone on a terminal)"},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: custos VERB [OPTIONS]\n\nverbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\n`custos VERB --help` describes a verb; `custos --version` the build.\n");
}

int
main(int argc, char **argv)
{
	static char tui_verb[] = "tui";
	static char *tui_args[3];
	struct cer_hardening hardening;
	size_t i;

	/* No verb: on a terminal, the ceremony application; otherwise the usage. */
	if (argc < 2 && !(isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (argc < 2) {
		tui_args[0] = argv[0];
		tui_args[1] = tui_verb;
		argc = 2;
		argv = tui_args;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("custos %s\n", CUSTOS_VERSION);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (cer_harden(&hardening) != 0) {
		fprintf(stderr, "custos: refusing to run: %s: %s\n", custos_strerror(CUSTOS_ESELFTEST),
		        custos_err_detail());
		return CLI_FAIL;
	}
	for (i = 0; i < hardening.nwarnings; i++)
		fprintf(stderr, "custos: warning: %s\n", hardening.warnings[i]);
	tui_set_hardening(&hardening);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "custos: unknown verb '%s'\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
