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
       CLI_OPT_JSON, CLI_OPT_HELP, CLI_OPT_OPERATOR, CLI_OPT_ROLE, CLI_OPT_CONFIRM_TIME,
       CLI_OPT_ALLOW_NETWORK, CLI_OPT_FIRST_FREE };
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
	struct cer_session *session; /* when set, every share offered is recorded in its audit log */
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
 * Audited sessions (cli_session.c, ceremony/cer_session.h).  Who drives:
 * --operator NAME (else $CUSTOS_OPERATOR), --role operator|security-officer|
 * auditor; a signing ceremony also takes --confirm-time YYYY-MM-DDTHH:MMZ and
 * --allow-network.
 */
#define CLI_SESSION_LONGOPTS \
	{"operator", required_argument, NULL, CLI_OPT_OPERATOR}, \
	{"role", required_argument, NULL, CLI_OPT_ROLE}, \
	{"confirm-time", required_argument, NULL, CLI_OPT_CONFIRM_TIME}, \
	{"allow-network", no_argument, NULL, CLI_OPT_ALLOW_NETWORK}
#define CLI_SESSION_USAGE \
	"[--operator NAME] [--role ROLE] [--confirm-time YYYY-MM-DDTHH:MMZ] [--allow-network]"

struct cli_session_opts {
	const char *operator_name; /* NULL: $CUSTOS_OPERATOR */
	const char *role;          /* NULL: operator */
	const char *confirm_time;
	int allow_network;
};

struct cer_session;

/* Takes one of the CLI_SESSION_LONGOPTS options: 0, or 1 when opt is not one of them. */
int cli_session_option(struct cli_session_opts *o, int opt, const char *arg);

/*
 * Begins an audited session named verb on the CA at home (cli_home() applies)
 * with flags (CER_SESSION_KEY, CER_SESSION_SIGNING); warns on stderr when a
 * key session runs with a network interface up.  A refusal is recorded
 * before it is returned.  so may be NULL.
 */
int cli_session_begin(const char *home, const char *verb, unsigned flags,
                      const struct cli_session_opts *so, struct cer_session **sp);

/* Prints a transcript's path, SHA-256 and the hash as words to read aloud. */
void cli_print_transcript(const char *path);

/* A session without a home yet (init): checks the operator's name and role. */
int cli_session_new(const char *verb, const struct cli_session_opts *so, struct cer_session **sp);

/*
 * Collects the quorum for h with every share recorded in s's audit log, then
 * unlocks (recorded).  *up is NULL on failure.
 */
int cli_session_quorum(struct cer_session *s, const struct cer_home *h, struct cli_quorum_opts *qo,
                       struct cer_unlocked **up);

/*
 * The first half of every verb that needs the root key: begins the session
 * (CER_SESSION_KEY is added to flags), opens the home, collects the quorum
 * with every share recorded, and unlocks.  On failure *up is NULL and *hp,
 * *sp may be set: pass them to cli_session_finish() all the same, which
 * records the failure.
 */
int cli_session_unlock(const char *home, const char *verb, unsigned flags,
                       const struct cli_session_opts *so, struct cli_quorum_opts *qo,
                       struct cer_home **hp, struct cer_session **sp, struct cer_unlocked **up);

/*
 * The end of every audited verb: records r (0 or the verb's error); when u
 * is given, signs the chain head, writes the ceremony's signed transcript
 * (HOME/transcripts/) and prints its path and hash.  Frees s (NULL: returns r).  Returns r when it
 * is an error (its detail kept for cli_fail), else the ending's error.
 */
int cli_session_finish(struct cer_session *s, const struct cer_home *h,
                       const struct cer_unlocked *u, int r);

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

struct json_t;
/* For the export verbs: prints "INDENTSHA-256: HEX" and "INDENTwords:   ..." lines. */
void cli_hash_lines(const char *indent, const unsigned char sha[32]);
/* Adds "sha256" and "words" to o; returns o. */
struct json_t *cli_hash_json(struct json_t *o, const unsigned char sha[32]);
/* Prints o (taking it) as indented JSON; CLI_OK or CLI_FAIL. */
int cli_print_json(struct json_t *o);

int cli_sign(int argc, char **argv);
int cli_crl(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_transcript(int argc, char **argv);
int cli_preflight(int argc, char **argv);

#endif
