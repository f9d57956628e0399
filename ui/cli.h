/*
 * cli: the command-line verbs.  Each verb gets argv starting at its own name,
 * returns an exit code (CLI_OK, CLI_FAIL with one line on stderr saying why,
 * CLI_USAGE), and holds no ceremony logic: that lives in the core.
 */
#ifndef UI_CLI_H
#define UI_CLI_H

#include <stdio.h>

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

int cli_shares(int argc, char **argv);

#endif
