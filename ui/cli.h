/*
 * cli: the command-line verbs.  Each verb gets argv starting at its own name,
 * returns an exit code (CLI_OK, CLI_FAIL with one line on stderr saying why,
 * CLI_USAGE), and holds no ceremony logic: that lives in the core.
 */
#ifndef UI_CLI_H
#define UI_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "ceremony/cer_quorum.h"
#include "ceremony/cer_vault.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cli_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Prints "custos: WHAT: message: detail" for a core error code; returns CLI_FAIL. */
int cli_fail(int code, const char *what);

/* Prints "custos: message" and the usage line; returns CLI_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Reads one line (without the newline) into buf (len bytes, NUL-terminated);
 * on a terminal shows prompt on stderr and turns echo off.  Returns 0,
 * CUSTOS_ENOENT at end of input, or CUSTOS_ETOOBIG (buf wiped).
 */
int cli_read_secret_line(FILE *in, const char *prompt, char *buf, size_t len);

/* Reads a whole small file into buf (NUL-terminated), O_NOFOLLOW, unbuffered. */
int cli_read_secret_file(const char *path, char *buf, size_t len);

/* Where shares and passphrases come from (see cli_quorum.c). */
#define CLI_MAX_SHARE_FILES 32
enum { CLI_OPT_SHARE_FILE = 0x100, CLI_OPT_SHARES_FROM, CLI_OPT_PASSPHRASES_FROM, CLI_OPT_HOME,
       CLI_OPT_JSON, CLI_OPT_HELP, CLI_OPT_FIRST_FREE };
#define CLI_QUORUM_LONGOPTS \
	{"share-file", required_argument, NULL, CLI_OPT_SHARE_FILE}, \
	{"shares-from", required_argument, NULL, CLI_OPT_SHARES_FROM}, \
	{"passphrases-from", required_argument, NULL, CLI_OPT_PASSPHRASES_FROM}
#define CLI_QUORUM_USAGE \
	"[--share-file F ...] [--shares-from F|-] [--passphrases-from F]"

struct cli_quorum_opts {
	const char *files[CLI_MAX_SHARE_FILES];
	size_t nfiles;
	const char *shares_from;
	const char *passphrases_from;
	int confirm_passphrases; /* ask twice (when setting a passphrase) */
	size_t refused;          /* shares refused while collecting */
};

/* Takes one of the CLI_QUORUM_LONGOPTS options; CUSTOS_EINVAL for others. */
int cli_quorum_option(struct cli_quorum_opts *o, int opt, const char *arg);

/* Collects shares until the quorum is met; progress and refusals go to stderr. */
int cli_collect_quorum(const struct cer_vault *v, struct cli_quorum_opts *o,
                       struct cer_quorum **out);

/* A cer_passphrase_fn: ctx is a struct cli_quorum_opts (or NULL). */
int cli_passphrase(void *ctx, const char *custodian, char *buf, size_t len);

/* The CA home: the option, else $CUSTOS_HOME, else ~/.local/share/custos/ca. */
const char *cli_home(const char *opt);

struct cer_home;
struct cer_unlocked;

/*
 * Opens the CA home, collects a quorum from the options and unlocks the root
 * key.  On failure *hp may be set (free it) and *up is NULL.
 */
int cli_open_and_unlock(const char *home, struct cli_quorum_opts *qo, struct cer_home **hp,
                        struct cer_unlocked **up);

int cli_shares(int argc, char **argv);
int cli_csr(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_key(int argc, char **argv);
int cli_shares_rotate(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_show(int argc, char **argv);
int cli_revoke(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_import_qr(int argc, char **argv);
int cli_mounts(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_sign(int argc, char **argv);
int cli_crl(int argc, char **argv);

#endif
