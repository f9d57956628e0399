/*
 * cli_shares: `custos shares check [FILE]`: is this card a well-formed share,
 * and of which set?  Needs no other share and no CA home.
 */
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ceremony/cer_card.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_session.h"
#include "ui/cli.h"

static const char check_usage[] = "custos shares check [--json] [FILE|-]";

static void
print_card(const struct cer_card_info *s, int json)
{
	if (json) {
		printf("{\"valid\":true,\"words\":%zu,\"identifier\":%u,\"extendable\":%s,"
		       "\"iteration_exponent\":%u,\"group_index\":%u,\"group_threshold\":%u,"
		       "\"group_count\":%u,\"member_index\":%u,\"member_threshold\":%u,"
		       "\"passphrase_protected\":%s}\n",
		       s->words, s->identifier, s->extendable ? "true" : "false",
		       s->iteration_exponent, s->group, s->group_threshold, s->group_count,
		       s->member, s->member_threshold, s->passphrase_protected ? "true" : "false");
		return;
	}
	printf("valid share (SLIP-0039, %zu words)\n", s->words);
	printf("set identifier:   %u\n", s->identifier);
	printf("group:            %u of %u (%u group%s needed)\n", s->group, s->group_count, s->group_threshold, s->group_threshold == 1 ? "" : "s");
	printf("member:           %u (%u share%s of this group needed)\n", s->member,
	       s->member_threshold, s->member_threshold == 1 ? "" : "s");
	printf("extendable:       %s\n", s->extendable ? "yes" : "no");
	printf("iteration exp.:   %u\n", s->iteration_exponent);
	printf("passphrase:       %s\n", s->passphrase_protected ? "required (custodian passphrase)" : "none");
}

static int
shares_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct cer_card_info info;
	char *text = NULL;
	const char *path = NULL;
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

	text = sodium_malloc(CER_MNEMONIC_MAX * 2);
	if (text == NULL) {
		rc = cli_fail(CUSTOS_ENOMEM, "shares check");
		goto out;
	}
	if (path != NULL)
		r = cli_read_secret_file(path, text, CER_MNEMONIC_MAX * 2);
	else
		r = cli_read_secret_line(stdin, "share (words, then Enter): ", text,
		                         CER_MNEMONIC_MAX * 2);
	if (r != 0) {
		rc = cli_fail(r, "shares check");
		goto out;
	}
	if ((r = cer_card_check(text, &info)) != 0) {
		rc = cli_fail(r, "shares check");
		goto out;
	}
	print_card(&info, json);
	rc = CLI_OK;
out:
	if (text != NULL)
		sodium_memzero(text, CER_MNEMONIC_MAX * 2);
	sodium_free(text);
	return rc;
}

/*
 * Offers each share to the commitment check only; reports every custodian
 * and records the result (the custodian and the reason, never the share).
 */
static int
verify_source(const struct cer_vault *v, struct cli_quorum_opts *o, const char *text,
              const char *from, int *seen)
{
	struct cer_offer_result res;
	char msg[768], word[32] = "";
	size_t i;
	int r = cer_quorum_check_one(v, text, cli_passphrase, o, &res), a;

	if (res.bad_word > 0)
		(void)snprintf(word, sizeof(word), " (word %zu)", res.bad_word);
	custos_err_describe(r, msg, sizeof(msg));
	a = cer_session_record_as(o->session,
	                          res.custodian[0] ? res.custodian : "(unidentified share)",
	                          "custodian", "share-verify", "", r == 0 ? "verified" : "refused",
	                          "%s%s", r == 0 ? "matches its commitment; nothing unlocked"
	                                         : custos_strerror(r), word);
	if (a != 0)
		fprintf(stderr, "custos: could not record this in the audit log: %s\n",
		        custos_err_detail());
	if (r != 0) {
		fprintf(stderr, "refused the share from %s%s%s: %s\n", from,
		        res.custodian[0] ? ", which names " : "", res.custodian, msg);
		return r;
	}
	if (a != 0)
		return a;
	for (i = 0; i < v->ncustodians; i++)
		if (strcmp(v->custodians[i].name, res.custodian) == 0)
			seen[i] = 1;
	printf("verified: %s\n", res.custodian);
	return 0;
}

static int
shares_verify(int argc, char **argv)
{
	static const char usage[] = "custos shares verify [--home DIR] " CLI_QUORUM_USAGE
	                            " [--operator NAME] [--role ROLE]";
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     CLI_QUORUM_LONGOPTS, CLI_SESSION_LONGOPTS,
	                                     {NULL, 0, NULL, 0}};
	struct cli_quorum_opts qo;
	struct cli_session_opts so;
	struct cer_session *s = NULL;
	struct cer_home *h = NULL;
	const char *home = NULL;
	char *text = NULL, from[PATH_MAX + 32];
	int seen[CER_MAX_CUSTODIANS] = {0}, c, r = 0, bad = 0, line = 0;
	size_t i, verified = 0;
	FILE *f;

	memset(&qo, 0, sizeof(qo));
	memset(&so, 0, sizeof(so));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_session_option(&so, c, optarg) == 0)
			continue;
		if (c == CLI_OPT_HOME)
			home = optarg;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", usage);
			return CLI_OK;
		} else if (cli_quorum_option(&qo, c, optarg) != 0)
			return cli_usage_error(usage, "unknown option");
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if ((r = cli_session_begin(home, "shares-verify", 0, &so, &s)) != 0)
		return cli_fail(r, "shares verify");
	if ((r = cer_home_open(cli_home(home), &h)) != 0 ||
	    (text = sodium_malloc(CER_MNEMONIC_MAX * 2)) == NULL) {
		r = r != 0 ? r : custos_err_set(CUSTOS_ENOMEM, "shares verify");
		r = cli_session_finish(s, h, NULL, r);
		cer_home_free(h);
		return cli_fail(r, "shares verify");
	}
	qo.session = s;
	for (i = 0; i < qo.nfiles; i++) {
		if ((r = cli_read_secret_file(qo.files[i], text, CER_MNEMONIC_MAX * 2)) != 0) {
			bad += cli_fail(r, "shares verify") != 0;
			continue;
		}
		bad += verify_source(h->vault, &qo, text, qo.files[i], seen) != 0;
	}
	f = qo.shares_from == NULL ? NULL
	    : strcmp(qo.shares_from, "-") == 0 ? stdin : fopen(qo.shares_from, "re");
	if (qo.shares_from != NULL && f == NULL)
		bad += cli_fail(custos_err_set(CUSTOS_ENOENT, "%s cannot be read", qo.shares_from),
		                "shares verify") != 0;
	while (f != NULL && cli_read_secret_line(f, NULL, text, CER_MNEMONIC_MAX * 2) == 0) {
		line++;
		if (strspn(text, " \t\r") == strlen(text))
			continue;
		(void)snprintf(from, sizeof(from), "%s line %d", qo.shares_from, line);
		bad += verify_source(h->vault, &qo, text, from, seen) != 0;
	}
	if (f != NULL && f != stdin)
		fclose(f);
	for (i = 0; i < h->vault->ncustodians; i++) {
		verified += (size_t)seen[i];
		if (!seen[i])
			printf("not presented: %s\n", h->vault->custodians[i].name);
	}
	printf("%zu of %zu custodians verified, %d share%s refused\n", verified,
	       h->vault->ncustodians, bad, bad == 1 ? "" : "s");
	sodium_memzero(text, CER_MNEMONIC_MAX * 2);
	sodium_free(text);
	r = bad > 0 ? custos_err_set(CUSTOS_ESHARE, "%d share%s refused", bad, bad == 1 ? "" : "s")
	    : verified == 0 ? custos_err_set(CUSTOS_ENOENT, "no share was presented")
	                    : 0;
	if (r == 0)
		r = cer_session_record(s, "shares-verify", "", "ok", "%zu of %zu custodians verified",
		                       verified, h->vault->ncustodians);
	r = cli_session_finish(s, h, NULL, r);
	cer_home_free(h);
	if (r != 0 && bad > 0)
		return CLI_FAIL; /* each refusal was reported above */
	return r == 0 ? CLI_OK : cli_fail(r, "shares verify");
}

int
cli_shares(int argc, char **argv)
{
	static const char usage[] =
		"custos shares check [FILE] | verify --home DIR SHARES | rotate --home DIR SHARES ...";

	if (argc < 2)
		return cli_usage_error(usage, "shares needs a sub-command");
	if (strcmp(argv[1], "check") == 0)
		return shares_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return shares_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "rotate") == 0)
		return cli_shares_rotate(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0) {
		printf("usage: %s\n", usage);
		return CLI_OK;
	}
	return cli_usage_error(usage, "unknown shares sub-command '%s'", argv[1]);
}
