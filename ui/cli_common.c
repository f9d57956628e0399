/*
 * cli_common: how every verb reports failure.
 */
#include <stdarg.h>
#include <stdio.h>

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
