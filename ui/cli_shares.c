/*
 * cli_shares: `custos shares check [FILE]`: is this card a well-formed share,
 * and of which set?  Needs no other share and no CA home.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "shares/shr_slip39.h"
#include "ui/cli.h"

static const char check_usage[] = "custos shares check [--json] [FILE|-]";

static void
print_share(const struct shr_share *s, size_t words, int json)
{
	if (json) {
		printf("{\"valid\":true,\"words\":%zu,\"identifier\":%u,\"extendable\":%s,"
		       "\"iteration_exponent\":%u,\"group_index\":%u,\"group_threshold\":%u,"
		       "\"group_count\":%u,\"member_index\":%u,\"member_threshold\":%u,"
		       "\"passphrase_protected\":%s}\n",
		       words, s->identifier, s->extendable ? "true" : "false",
		       s->iteration_exponent, s->group_index + 1u, s->group_threshold,
		       s->group_count, s->member_index + 1u, s->member_threshold,
		       s->masked ? "true" : "false");
		return;
	}
	printf("valid share (SLIP-0039, %zu words)\n", words);
	printf("set identifier:   %u\n", s->identifier);
	printf("group:            %u of %u (%u group%s needed)\n", s->group_index + 1u,
	       s->group_count, s->group_threshold, s->group_threshold == 1 ? "" : "s");
	printf("member:           %u (%u share%s of this group needed)\n", s->member_index + 1u,
	       s->member_threshold, s->member_threshold == 1 ? "" : "s");
	printf("extendable:       %s\n", s->extendable ? "yes" : "no");
	printf("iteration exp.:   %u\n", s->iteration_exponent);
	printf("passphrase:       %s\n", s->masked ? "required (custodian passphrase)" : "none");
}

static int
shares_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct shr_share *share = NULL;
	uint16_t words[SHR_MAX_WORDS];
	char *text = NULL;
	const char *path = NULL;
	size_t n = 0, bad = 0;
	int c, json = 0, r, rc = CLI_FAIL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'h') {
			printf("usage: %s\nChecks one share mnemonic from FILE, or standard input, "
			       "or an echo-less prompt.\n", check_usage);
			return CLI_OK;
		} else
			return cli_usage_error(check_usage, "unknown option");
	}
	if (argc - optind > 1)
		return cli_usage_error(check_usage, "one share at a time");
	if (optind < argc && strcmp(argv[optind], "-") != 0)
		path = argv[optind];

	share = sodium_malloc(sizeof(*share));
	text = sodium_malloc(SHR_MNEMONIC_MAX * 2);
	if (share == NULL || text == NULL) {
		rc = cli_fail(CUSTOS_ENOMEM, "shares check");
		goto out;
	}
	if (path != NULL)
		r = cli_read_secret_file(path, text, SHR_MNEMONIC_MAX * 2);
	else
		r = cli_read_secret_line(stdin, "share (words, then Enter): ", text,
		                         SHR_MNEMONIC_MAX * 2);
	if (r != 0) {
		rc = cli_fail(r, "shares check");
		goto out;
	}
	if ((r = shr_mnemonic_words(text, words, SHR_MAX_WORDS, &n, &bad)) != 0 ||
	    (r = shr_share_decode(words, n, SHR_KIND_ANY, share)) != 0) {
		rc = cli_fail(r, "shares check");
		goto out;
	}
	print_share(share, n, json);
	rc = CLI_OK;
out:
	sodium_memzero(words, sizeof(words));
	sodium_free(share);
	sodium_free(text);
	return rc;
}

int
cli_shares(int argc, char **argv)
{
	static const char usage[] = "custos shares check [FILE]";

	if (argc < 2)
		return cli_usage_error(usage, "shares needs a sub-command");
	if (strcmp(argv[1], "check") == 0)
		return shares_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0) {
		printf("usage: %s\n", usage);
		return CLI_OK;
	}
	return cli_usage_error(usage, "unknown shares sub-command '%s'", argv[1]);
}
