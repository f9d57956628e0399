/*
 * cli_quorum: where the command line gets shares and passphrases from:
 * --share-file F (repeatable), --shares-from F|- (one mnemonic a line), and
 * echo-less prompts on a terminal when those do not reach the quorum;
 * passphrases from --passphrases-from F ("NAME=passphrase" lines) or a prompt.
 * Every share goes straight to the core's quorum, which judges it.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ceremony/cer_file.h"
#include "ceremony/cer_card.h"
#include "ceremony/cer_session.h"
#include "ui/cli.h"

#define LINE_MAX_SHARE (CER_MNEMONIC_MAX * 2)

int
cli_quorum_option(struct cli_quorum_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_SHARE_FILE:
		if (o->nfiles == CLI_MAX_SHARE_FILES)
			return custos_err_set(CUSTOS_EINVAL, "too many --share-file options");
		o->files[o->nfiles++] = arg;
		return 0;
	case CLI_OPT_SHARES_FROM:
		o->shares_from = arg;
		return 0;
	case CLI_OPT_PASSPHRASES_FROM:
		o->passphrases_from = arg;
		return 0;
	default:
		return CUSTOS_EINVAL;
	}
}

/* Looks NAME up in the passphrase file ("NAME=passphrase" a line). */
static int
passphrase_from_file(const char *path, const char *name, char *buf, size_t len)
{
	uint8_t *data = NULL;
	size_t dlen, nlen = strlen(name);
	char *line, *save = NULL;
	int r, found = 0;

	if ((r = cer_file_read_secret(path, 64 * 1024, &data, &dlen)) != 0)
		return r;
	for (line = strtok_r((char *)data, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);
		if (l > 0 && line[l - 1] == '\r')
			line[--l] = '\0';
		if (l > nlen && strncmp(line, name, nlen) == 0 && line[nlen] == '=') {
			if (l - nlen - 1 >= len) {
				r = custos_err_set(CUSTOS_ETOOBIG, "%s's passphrase is too long", name);
				break;
			}
			memcpy(buf, line + nlen + 1, l - nlen);
			found = 1;
			break;
		}
	}
	sodium_memzero(data, dlen);
	sodium_free(data);
	if (r == 0 && !found)
		r = custos_err_set(CUSTOS_EPASSPHRASE, "no passphrase for %s in %s", name, path);
	return r;
}

/* Asks on the terminal; when confirm, asks twice and compares. */
static int
passphrase_prompt(const char *name, char *buf, size_t len, int confirm)
{
	char prompt[160], *again;
	FILE *tty = fopen("/dev/tty", "r");
	int r;

	if (tty == NULL)
		return custos_err_set(CUSTOS_EPASSPHRASE, "%s's passphrase is needed and there is no "
		                                          "terminal (use --passphrases-from)", name);
	setvbuf(tty, NULL, _IONBF, 0);
	(void)snprintf(prompt, sizeof(prompt), "%s, your passphrase: ", name);
	r = cli_read_secret_line(tty, prompt, buf, len);
	if (r == 0 && confirm) {
		if ((again = sodium_malloc(len)) == NULL) {
			r = custos_err_set(CUSTOS_ENOMEM, "passphrase");
		} else {
			(void)snprintf(prompt, sizeof(prompt), "%s, the same passphrase again: ", name);
			r = cli_read_secret_line(tty, prompt, again, len);
			if (r == 0 && strcmp(again, buf) != 0)
				r = custos_err_set(CUSTOS_EPASSPHRASE, "the two passphrases differ");
			sodium_memzero(again, len);
			sodium_free(again);
		}
	}
	fclose(tty);
	if (r != 0)
		sodium_memzero(buf, len);
	return r;
}

int
cli_passphrase(void *ctx, const char *custodian, char *buf, size_t len)
{
	const struct cli_quorum_opts *o = ctx;

	if (o != NULL && o->passphrases_from != NULL)
		return passphrase_from_file(o->passphrases_from, custodian, buf, len);
	return passphrase_prompt(custodian, buf, len, o != NULL && o->confirm_passphrases);
}

/* Offers one mnemonic and says what became of it; returns 1 when the quorum is met. */
static int
offer(struct cer_quorum *q, struct cli_quorum_opts *o, const char *text, const char *from)
{
	struct cer_offer_result res;
	char names[CER_MAX_CUSTODIANS * (CER_NAME_MAX + 2)], msg[768];
	int r = cer_quorum_offer(q, text, cli_passphrase, o, &res);

	if (r == 0) {
		cer_quorum_names(q, names, sizeof(names));
		if (res.still_needed == 0)
			fprintf(stderr, "accepted %s's share: quorum reached (%s)\n", res.custodian,
			        names);
		else
			fprintf(stderr, "accepted %s's share (%zu so far: %s; %zu more needed)\n",
			        res.custodian, res.have, names, res.still_needed);
	} else {
		o->refused++;
		fprintf(stderr, "refused the share from %s%s%s: %s\n", from,
		        res.custodian[0] ? ", which names " : "", res.custodian,
		        custos_err_describe(r, msg, sizeof(msg)));
	}
	return cer_quorum_needed(q) == 0;
}

/* Offers every non-empty line of f until the quorum is met. */
static int
offer_lines(struct cer_quorum *q, struct cli_quorum_opts *o, FILE *f, const char *name)
{
	char *line = sodium_malloc(LINE_MAX_SHARE), from[PATH_MAX + 32];
	size_t n = 0;
	int r;

	if (line == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "share");
	setvbuf(f, NULL, _IONBF, 0);
	while (cer_quorum_needed(q) > 0 &&
	       (r = cli_read_secret_line(f, NULL, line, LINE_MAX_SHARE)) != CUSTOS_ENOENT) {
		n++;
		if (r != 0)
			break;
		if (strspn(line, " \t\r") == strlen(line))
			continue;
		(void)snprintf(from, sizeof(from), "%s line %zu", name, n);
		offer(q, o, line, from);
	}
	sodium_memzero(line, LINE_MAX_SHARE);
	sodium_free(line);
	return 0;
}

/* Prompts on the terminal, one custodian at a time, until the quorum is met or input ends. */
static void
offer_prompts(struct cer_quorum *q, struct cli_quorum_opts *o, FILE *tty)
{
	char *line = sodium_malloc(LINE_MAX_SHARE), prompt[96];

	if (line == NULL)
		return;
	while (cer_quorum_needed(q) > 0) {
		(void)snprintf(prompt, sizeof(prompt),
		               "custodian's share (%zu more needed; empty line to stop): ",
		               cer_quorum_needed(q));
		if (cli_read_secret_line(tty, prompt, line, LINE_MAX_SHARE) != 0 || line[0] == '\0')
			break;
		offer(q, o, line, "the terminal");
	}
	sodium_memzero(line, LINE_MAX_SHARE);
	sodium_free(line);
}

int
cli_collect_quorum(const struct cer_vault *v, struct cli_quorum_opts *o, struct cer_quorum **out)
{
	struct cer_quorum *q = NULL;
	char names[CER_MAX_CUSTODIANS * (CER_NAME_MAX + 2)];
	size_t i;
	FILE *f;
	int r;

	*out = NULL;
	if ((r = cer_quorum_new(v, &q)) != 0)
		return r;
	if (o->session != NULL)
		cer_session_watch(o->session, q);
	for (i = 0; i < o->nfiles && cer_quorum_needed(q) > 0; i++) {
		int fd = open(o->files[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
			if (fd >= 0)
				close(fd);
			o->refused++;
			fprintf(stderr, "refused the share from %s: cannot read it: %s\n", o->files[i],
			        strerror(errno));
			continue;
		}
		(void)offer_lines(q, o, f, o->files[i]);
		fclose(f);
	}
	if (o->shares_from != NULL && cer_quorum_needed(q) > 0) {
		if (strcmp(o->shares_from, "-") == 0) {
			(void)offer_lines(q, o, stdin, "standard input");
		} else if ((f = fopen(o->shares_from, "re")) == NULL) {
			r = custos_err_set(CUSTOS_ENOENT, "%s: %s", o->shares_from, strerror(errno));
			goto fail;
		} else {
			(void)offer_lines(q, o, f, o->shares_from);
			fclose(f);
		}
	}
	if (cer_quorum_needed(q) > 0 && o->nfiles == 0 && o->shares_from == NULL &&
	    isatty(STDIN_FILENO))
		offer_prompts(q, o, stdin);
	if (cer_quorum_needed(q) > 0) {
		cer_quorum_names(q, names, sizeof(names));
		r = custos_err_set(CUSTOS_ETHRESHOLD, "%zu more share%s needed (%zu accepted%s%s)",
		                   cer_quorum_needed(q), cer_quorum_needed(q) == 1 ? " is" : "s are",
		                   cer_quorum_have(q), cer_quorum_have(q) ? ": " : "", names);
		goto fail;
	}
	*out = q;
	return 0;
fail:
	cer_quorum_free(q);
	return r;
}
