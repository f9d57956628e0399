/*
 * cli_common: how every verb reports failure.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/err.h"
#include "ui/cli.h"

int
cli_fail(int code, const char *what)
{
	char msg[768];

	fprintf(stderr, "custos: %s: %s\n", what, custos_err_describe(code, msg, sizeof(msg)));
	return CLI_FAIL;
}

int
cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "custos: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	return CLI_USAGE;
}

const char *
cli_home(const char *opt)
{
	static char buf[4096];
	const char *env = getenv("CUSTOS_HOME"), *home = getenv("HOME");
	int n;

	if (opt != NULL && opt[0] != '\0')
		return opt;
	if (env != NULL && env[0] != '\0')
		return env;
	n = snprintf(buf, sizeof(buf), "%s/.local/share/custos/ca", home != NULL ? home : ".");
	if (n < 0 || (size_t)n >= sizeof(buf))
		return "custos-ca";
	return buf;
}
