/*
 * err: code-to-message table and the per-thread failure detail.
 */
#include "common/err.h"

#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char detail[512];

const char *
custos_strerror(int code)
{
	switch (code) {
#define CUSTOS_ERR_CASE(name, value, msg) \
	case value: \
		return msg;
		CUSTOS_ERRORS(CUSTOS_ERR_CASE)
#undef CUSTOS_ERR_CASE
	default:
		return "unknown error";
	}
}

int
custos_err_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* Truncation of a detail message is harmless: it stays NUL-terminated. */
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return code;
}

int
custos_err_set_openssl(int code, const char *what)
{
	unsigned long e;
	size_t used;

	(void)snprintf(detail, sizeof(detail), "%s", what);
	while ((e = ERR_get_error()) != 0) {
		used = strlen(detail);
		if (used + 3 >= sizeof(detail))
			continue; /* keep draining the queue */
		detail[used++] = ':';
		detail[used++] = ' ';
		detail[used] = '\0';
		ERR_error_string_n(e, detail + used, sizeof(detail) - used);
	}
	return code;
}

const char *
custos_err_detail(void)
{
	return detail;
}

void
custos_err_clear(void)
{
	detail[0] = '\0';
}

const char *
custos_err_describe(int code, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (detail[0] != '\0')
		(void)snprintf(buf, len, "%s: %s", custos_strerror(code), detail);
	else
		(void)snprintf(buf, len, "%s", custos_strerror(code));
	return buf;
}
