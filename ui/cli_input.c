/*
 * cli_input: reading secrets (mnemonics, passphrases) from a file, a pipe or
 * a terminal with echo off.  Buffers are the caller's, in guarded memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/err.h"
#include "ui/cli.h"

int
cli_read_secret_line(FILE *in, const char *prompt, char *buf, size_t len)
{
	struct termios old, quiet;
	int fd = fileno(in), tty = isatty(fd), restored = 1, c;
	size_t n = 0;

	if (len == 0)
		return CUSTOS_EINVAL;
	buf[0] = '\0';
	if (tty && prompt != NULL) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
	}
	if (tty && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= (tcflag_t)~(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		if (tcsetattr(fd, TCSAFLUSH, &quiet) == 0)
			restored = 0;
	}
	while ((c = getc(in)) != EOF && c != '\n') {
		if (n + 1 >= len) {
			/* Drain the rest of an over-long line so nothing of it lingers. */
			while ((c = getc(in)) != EOF && c != '\n')
				;
			sodium_memzero(buf, len);
			n = 0;
			if (!restored)
				(void)tcsetattr(fd, TCSAFLUSH, &old);
			if (tty)
				fputc('\n', stderr);
			return custos_err_set(CUSTOS_ETOOBIG, "the line is longer than %zu characters",
			                      len - 1);
		}
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if (!restored)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (tty)
		fputc('\n', stderr);
	if (c == EOF && n == 0)
		return custos_err_set(CUSTOS_ENOENT, "no input");
	return 0;
}

int
cli_read_secret_file(const char *path, char *buf, size_t len)
{
	FILE *f;
	size_t n;
	int fd, r = 0;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return custos_err_set(CUSTOS_ENOENT, "%s: %s", path, strerror(errno));
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return custos_err_set(CUSTOS_EIO, "%s: %s", path, strerror(errno));
	}
	setvbuf(f, NULL, _IONBF, 0); /* no stdio copy of the secret */
	n = fread(buf, 1, len, f);
	if (ferror(f))
		r = custos_err_set(CUSTOS_EIO, "%s: read error", path);
	else if (n == len)
		r = custos_err_set(CUSTOS_ETOOBIG, "%s: larger than %zu bytes", path, len - 1);
	else
		buf[n] = '\0';
	fclose(f);
	if (r != 0)
		sodium_memzero(buf, len);
	return r;
}
