/*
 * cli_ca: `custos init`, `custos status`, `custos key ...`: thin wrappers
 * that parse arguments, deliver shares to files or the terminal, and call
 * the core.
 */
#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ceremony/cer_card.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_session.h"
#include "ui/cli.h"

/* --- share delivery ---------------------------------------------------------- */

struct delivery {
	const char *dir; /* NULL: show on the terminal */
	char written[CER_MAX_CUSTODIANS][PATH_MAX];
	size_t nwritten;
};

static int
deliver_file(struct delivery *d, const char *custodian, const char *mnemonic)
{
	char name[CER_NAME_MAX + 8], *text;
	size_t len = strlen(mnemonic);
	int r;

	(void)snprintf(name, sizeof(name), "%s.share", custodian);
	if ((r = cer_path_join(d->written[d->nwritten], PATH_MAX, d->dir, name)) != 0)
		return r;
	if ((text = sodium_malloc(len + 2)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "share");
	memcpy(text, mnemonic, len);
	text[len] = '\n';
	r = cer_file_write(d->written[d->nwritten], text, len + 1, 0600, 1);
	sodium_memzero(text, len + 2);
	sodium_free(text);
	if (r == 0)
		d->nwritten++;
	return r;
}

/* Clears the screen and the scrollback (xterm's ED 3). */
static void
clear_terminal(void)
{
	fputs("\033[H\033[2J\033[3J", stderr);
	fflush(stderr);
}

/* One custodian at a time: show, wait, clear, have it typed back. */
static int
deliver_terminal(const char *custodian, size_t index, size_t total, const char *mnemonic)
{
	char *typed = sodium_malloc(CER_MNEMONIC_MAX * 2), prompt[128];
	int r, tries;

	if (typed == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "share");
	clear_terminal();
	fprintf(stderr, "Share %zu of %zu. Only %s may look at the screen now.\n"
	                "Press Enter when %s is ready.", index + 1, total, custodian, custodian);
	r = cli_read_secret_line(stdin, NULL, typed, CER_MNEMONIC_MAX * 2);
	if (r == 0) {
		clear_terminal();
		fprintf(stderr, "%s, write these words on your card, in order:\n\n  %s\n\n"
		                "Press Enter when the card is written.", custodian, mnemonic);
		r = cli_read_secret_line(stdin, NULL, typed, CER_MNEMONIC_MAX * 2);
	}
	clear_terminal();
	for (tries = 0; r == 0 && tries < 3; tries++) {
		(void)snprintf(prompt, sizeof(prompt), "%s, type your card back (first four letters "
		                                       "of each word are enough): ", custodian);
		if ((r = cli_read_secret_line(stdin, prompt, typed, CER_MNEMONIC_MAX * 2)) != 0)
			break;
		if (cer_card_same(typed, mnemonic))
			break;
		fprintf(stderr, "That does not match the share shown. Check the card and try again.\n");
	}
	if (r == 0 && tries == 3)
		r = custos_err_set(CUSTOS_ECANCELLED, "%s's card could not be confirmed", custodian);
	sodium_memzero(typed, CER_MNEMONIC_MAX * 2);
	sodium_free(typed);
	clear_terminal();
	return r;
}

static int
deliver(void *ctx, const char *custodian, size_t index, size_t total, const char *mnemonic)
{
	struct delivery *d = ctx;

	if (d->dir != NULL)
		return deliver_file(d, custodian, mnemonic);
	return deliver_terminal(custodian, index, total, mnemonic);
}

/* After a failed init or rotation, the share files written are worthless: remove them. */
static void
undeliver(struct delivery *d)
{
	size_t i;

	for (i = 0; i < d->nwritten; i++)
		if (cer_file_shred(d->written[i]) != 0)
			fprintf(stderr, "custos: could not remove %s: remove it by hand\n", d->written[i]);
	d->nwritten = 0;
}

/* Checks up front that no NAME.share exists in dir, so nothing is half-delivered. */
static int
check_share_dir(const char *dir, const struct cer_share_plan *plan)
{
	char name[CER_NAME_MAX + 8], path[PATH_MAX];
	size_t g, m;
	int r;

	if (access(dir, W_OK) != 0)
		return custos_err_set(CUSTOS_EIO, "cannot write shares to %s: %s", dir, strerror(errno));
	for (g = 0; g < plan->ngroups; g++)
		for (m = 0; m < plan->groups[g].count; m++) {
			(void)snprintf(name, sizeof(name), "%s.share", plan->groups[g].members[m]);
			if ((r = cer_path_join(path, sizeof(path), dir, name)) != 0)
				return r;
			if (access(path, F_OK) == 0)
				return custos_err_set(CUSTOS_EEXIST, "%s already exists", path);
		}
	return 0;
}

/* --- init ------------------------------------------------------------------------ */

static const char init_usage[] =
	"custos init --home DIR --subject DN [--key ALG] [--days N] --threshold M\n"
	"            --custodian NAME (repeat) [--passphrase-for NAME] [--passphrases-from F]\n"
	"            [--group \"[GROUP=]M:NAME,NAME,...\" (repeat) --group-threshold G]\n"
	"            [--shares-out DIR] [--profiles FILE]\n"
	"  ALG: ec-p256, ec-p384 (default), ec-p521, rsa-3072, rsa-4096; N: 2922..9132\n"
	"  (default: the profiles' root validity); FILE: certificate profiles (JSON)\n"
	"  Shares go to DIR/NAME.share (mode 0600), or are shown one custodian at a time.";

/* Parses "[GROUP=]M:NAME,NAME,..." into the next group of plan. */
static int
parse_group(struct cer_share_plan *plan, const char *spec)
{
	struct cer_plan_group *g;
	const char *colon, *p, *eq;
	char *end;
	unsigned long m;
	size_t len;

	if (plan->ngroups == CER_MAX_GROUPS)
		return custos_err_set(CUSTOS_EINVAL, "at most %d groups", CER_MAX_GROUPS);
	g = &plan->groups[plan->ngroups];
	memset(g, 0, sizeof(*g));
	eq = strchr(spec, '=');
	colon = strchr(spec, ':');
	if (colon == NULL || (eq != NULL && eq > colon))
		eq = NULL;
	if (eq != NULL) {
		len = (size_t)(eq - spec);
		if (len == 0 || len >= CER_NAME_MAX)
			return custos_err_set(CUSTOS_EINVAL, "group '%s': bad group name", spec);
		memcpy(g->name, spec, len);
		spec = eq + 1;
	} else {
		(void)snprintf(g->name, sizeof(g->name), "group %zu", plan->ngroups + 1);
	}
	errno = 0;
	m = strtoul(spec, &end, 10);
	if (colon == NULL || end != colon || errno != 0 || m < 1 || m > 16)
		return custos_err_set(CUSTOS_EINVAL, "group '%s' is not THRESHOLD:NAME,NAME,...", spec);
	g->threshold = (unsigned)m;
	for (p = colon + 1; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (g->count == CER_MAX_CUSTODIANS || len == 0 || len >= CER_NAME_MAX)
			return custos_err_set(CUSTOS_EINVAL, "group '%s': bad custodian list", spec);
		memcpy(g->members[g->count++], p, len);
	}
	plan->ngroups++;
	return 0;
}

/* Marks NAME as protecting their share with a passphrase. */
static int
mark_passphrase(struct cer_share_plan *plan, const char *name)
{
	size_t g, m;

	for (g = 0; g < plan->ngroups; g++)
		for (m = 0; m < plan->groups[g].count; m++)
			if (strcmp(plan->groups[g].members[m], name) == 0) {
				plan->groups[g].passphrase[m] = 1;
				return 0;
			}
	return custos_err_set(CUSTOS_EINVAL, "--passphrase-for %s: no such custodian", name);
}

static int
parse_unsigned(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

enum { OPT_SUBJECT = CLI_OPT_FIRST_FREE, OPT_KEY, OPT_DAYS, OPT_THRESHOLD, OPT_CUSTODIAN,
       OPT_SHARES_OUT, OPT_GROUP, OPT_GROUP_THRESHOLD, OPT_PASSPHRASE_FOR, OPT_PROFILES };

#define PLAN_LONGOPTS \
	{"threshold", required_argument, NULL, OPT_THRESHOLD}, \
	{"custodian", required_argument, NULL, OPT_CUSTODIAN}, \
	{"group", required_argument, NULL, OPT_GROUP}, \
	{"group-threshold", required_argument, NULL, OPT_GROUP_THRESHOLD}, \
	{"passphrase-for", required_argument, NULL, OPT_PASSPHRASE_FOR}, \
	{"shares-out", required_argument, NULL, OPT_SHARES_OUT}

/* What --threshold, --custodian, --group... say, gathered into a plan. */
struct plan_opts {
	struct cer_share_plan plan;
	unsigned threshold, group_threshold;
	const char *custodians[CER_MAX_CUSTODIANS], *pass_for[CER_MAX_CUSTODIANS];
	size_t ncust, npass;
	struct delivery d;
};

/* Takes one PLAN_LONGOPTS option: 0, 1 when c is not one, or an error code. */
static int
plan_option(struct plan_opts *po, int c, const char *arg)
{
	switch (c) {
	case OPT_THRESHOLD:
		if (parse_unsigned(arg, 16, &po->threshold) != 0)
			return custos_err_set(CUSTOS_EINVAL, "--threshold takes a number up to 16");
		return 0;
	case OPT_CUSTODIAN:
		if (po->ncust == CER_MAX_CUSTODIANS)
			return custos_err_set(CUSTOS_EINVAL, "more than %d custodians",
			                      CER_MAX_CUSTODIANS);
		po->custodians[po->ncust++] = arg;
		return 0;
	case OPT_GROUP:
		return parse_group(&po->plan, arg);
	case OPT_GROUP_THRESHOLD:
		if (parse_unsigned(arg, 16, &po->group_threshold) != 0)
			return custos_err_set(CUSTOS_EINVAL, "--group-threshold takes a number");
		return 0;
	case OPT_PASSPHRASE_FOR:
		if (po->npass == CER_MAX_CUSTODIANS)
			return custos_err_set(CUSTOS_EINVAL, "too many --passphrase-for");
		po->pass_for[po->npass++] = arg;
		return 0;
	case OPT_SHARES_OUT:
		po->d.dir = arg;
		return 0;
	default:
		return 1;
	}
}

/* Whether any option described a plan. */
static int
plan_given(const struct plan_opts *po)
{
	return po->plan.ngroups > 0 || po->ncust > 0 || po->threshold > 0 || po->npass > 0;
}

/* Turns the options into a checked plan and checks where the shares go. */
static int
plan_finish(struct plan_opts *po)
{
	size_t i;
	int r;

	if (po->plan.ngroups > 0 && (po->ncust > 0 || po->threshold > 0))
		return custos_err_set(CUSTOS_EINVAL, "use either --threshold/--custodian or --group");
	if (po->plan.ngroups == 0) {
		if (po->threshold == 0 || po->ncust == 0)
			return custos_err_set(CUSTOS_EINVAL, "--threshold and --custodian are needed");
		if ((r = cer_plan_simple(&po->plan, po->threshold, po->custodians, po->ncust)) != 0)
			return r;
	} else {
		po->plan.group_threshold =
			po->group_threshold ? po->group_threshold : (unsigned)po->plan.ngroups;
	}
	for (i = 0; i < po->npass; i++)
		if ((r = mark_passphrase(&po->plan, po->pass_for[i])) != 0)
			return r;
	if ((r = cer_plan_check(&po->plan)) != 0)
		return r;
	return 0;
}

/* Shares go to --shares-out, or to the terminal when there is one. */
static int
check_delivery(struct plan_opts *po, const struct cer_share_plan *plan)
{
	if (po->d.dir == NULL && !(isatty(STDIN_FILENO) && isatty(STDERR_FILENO)))
		return custos_err_set(CUSTOS_EINVAL, "--shares-out DIR is needed without a terminal");
	if (po->d.dir != NULL)
		return check_share_dir(po->d.dir, plan);
	return 0;
}

int
cli_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{"home", required_argument, NULL, CLI_OPT_HOME},
		{"subject", required_argument, NULL, OPT_SUBJECT},
		{"key", required_argument, NULL, OPT_KEY},
		{"days", required_argument, NULL, OPT_DAYS},
		{"passphrases-from", required_argument, NULL, CLI_OPT_PASSPHRASES_FROM},
		{"profiles", required_argument, NULL, OPT_PROFILES},
		{"help", no_argument, NULL, CLI_OPT_HELP},
		PLAN_LONGOPTS,
		CLI_SESSION_LONGOPTS,
		{NULL, 0, NULL, 0}};
	const char *home = NULL, *key = "ec-p384", *profiles = NULL;
	uint8_t *profiles_json = NULL;
	struct cer_init_params p;
	struct cli_quorum_opts qo;
	struct cli_session_opts so;
	struct plan_opts po;
	struct cer_home *h = NULL;
	struct cer_session *s = NULL;
	uint8_t fp[32];
	char hex[65], transcript[PATH_MAX + 160];
	int printed_transcript = 0;
	size_t i;
	int c, r;

	memset(&p, 0, sizeof(p));
	memset(&qo, 0, sizeof(qo));
	memset(&so, 0, sizeof(so));
	memset(&po, 0, sizeof(po));
	qo.confirm_passphrases = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((r = plan_option(&po, c, optarg)) == 0 || cli_session_option(&so, c, optarg) == 0)
			continue;
		if (r < 0)
			return cli_fail(r, "init");
		switch (c) {
		case CLI_OPT_HOME: home = optarg; break;
		case OPT_SUBJECT: p.subject = optarg; break;
		case OPT_KEY: key = optarg; break;
		case OPT_DAYS:
			if (parse_unsigned(optarg, 100000, &p.days) != 0)
				return cli_usage_error(init_usage, "--days takes a number of days");
			break;
		case CLI_OPT_PASSPHRASES_FROM: qo.passphrases_from = optarg; break;
		case OPT_PROFILES: profiles = optarg; break;
		case CLI_OPT_HELP: printf("usage: %s\n", init_usage); return CLI_OK;
		default: return cli_usage_error(init_usage, "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error(init_usage, "unexpected argument '%s'", argv[optind]);
	if (p.subject == NULL)
		return cli_usage_error(init_usage, "--subject is required");
	if (!plan_given(&po))
		return cli_usage_error(init_usage, "--threshold and --custodian are required");
	if ((r = plan_finish(&po)) != 0 || (r = ca_alg_from_name(key, &p.alg)) != 0 ||
	    (r = check_delivery(&po, &po.plan)) != 0 || (r = cli_session_new("init", &so, &s)) != 0)
		return cli_fail(r, "init");
	if (profiles != NULL &&
	    (r = cer_file_read(profiles, 64 * 1024, &profiles_json, &p.profiles_len)) != 0)
		return cli_fail(r, "init");
	p.profiles_json = (const char *)profiles_json;
	p.plan = po.plan;
	p.home = cli_home(home);
	p.now = time(NULL);
	p.deliver = deliver;
	p.deliver_ctx = &po.d;
	p.passphrase = cli_passphrase;
	p.passphrase_ctx = &qo;
	p.session = s; /* the new home's audit log starts with this session, signed by the new key */
	/* The default home (~/.local/share/custos/ca) may not have its parents yet. */
	if ((r = cer_dir_create_parents(p.home)) == 0)
		r = cer_init(&p);
	free(profiles_json);
	if (r != 0) {
		cer_session_free(s);
		undeliver(&po.d);
		return cli_fail(r, "init");
	}
	if (cer_session_transcript_name(s)[0] != '\0' &&
	    snprintf(transcript, sizeof(transcript), "%s/transcripts/%s", p.home,
	             cer_session_transcript_name(s)) < (int)sizeof(transcript))
		printed_transcript = 1;
	cer_session_free(s);
	if ((r = cer_home_open(p.home, &h)) != 0 || (r = cer_root_fingerprint(h, fp)) != 0) {
		cer_home_free(h);
		return cli_fail(r, "init");
	}
	sodium_bin2hex(hex, sizeof(hex), fp, sizeof(fp));
	printf("created CA in %s\n", p.home);
	printf("subject:            %s\n", h->vault->subject);
	printf("key:                %s (state %s)\n", h->vault->key_alg,
	       cer_state_name(h->vault->state));
	printf("root SHA-256:       %s\n", hex);
	printf("share set:          %u, %zu custodians\n", h->vault->identifier, h->vault->ncustodians);
	for (i = 0; i < po.d.nwritten; i++)
		printf("share written:      %s\n", po.d.written[i]);
	if (printed_transcript)
		cli_print_transcript(transcript);
	cer_home_free(h);
	return CLI_OK;
}

/* The rotation and the new share set, in the audit log. */
static int
record_rotation(struct cer_session *s, uint16_t old, const struct cer_vault *v)
{
	char object[64], quorum[512];
	int r;

	(void)snprintf(object, sizeof(object), "share set %u -> %u", old, v->identifier);
	cer_session_describe_quorum(v, quorum, sizeof(quorum));
	if ((r = cer_session_record(s, "rotate", object, "ok", "old set retired; quorum %s",
	                            quorum)) != 0)
		return r;
	return cer_session_record_share_set(s, v);
}

int
cli_shares_rotate(int argc, char **argv)
{
	static const char usage[] =
		"custos shares rotate [--home DIR] " CLI_QUORUM_USAGE " [--shares-out DIR]\n"
		"       [--threshold M --custodian NAME ... | --group ... --group-threshold G]\n"
		"       [--passphrase-for NAME]  (no plan: the same custodians and thresholds)";
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     CLI_QUORUM_LONGOPTS, PLAN_LONGOPTS,
	                                     CLI_SESSION_LONGOPTS,
	                                     {NULL, 0, NULL, 0}};
	struct cli_quorum_opts qo;
	struct cli_session_opts so;
	struct plan_opts po;
	struct cer_home *h = NULL;
	struct cer_session *s = NULL;
	struct cer_unlocked *u = NULL;
	const struct cer_share_plan *plan = NULL;
	struct cer_share_plan same;
	const char *home = NULL;
	uint16_t old;
	size_t i;
	int c, r;

	memset(&qo, 0, sizeof(qo));
	memset(&so, 0, sizeof(so));
	memset(&po, 0, sizeof(po));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if ((r = plan_option(&po, c, optarg)) == 0 || cli_session_option(&so, c, optarg) == 0)
			continue;
		if (r < 0)
			return cli_fail(r, "shares rotate");
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
	if (plan_given(&po)) {
		if ((r = plan_finish(&po)) != 0)
			return cli_fail(r, "shares rotate");
		plan = &po.plan;
	}
	if ((r = cer_home_open(cli_home(home), &h)) != 0)
		return cli_fail(r, "shares rotate");
	if (plan == NULL)
		cer_plan_of(h->vault, &same);
	if ((r = check_delivery(&po, plan != NULL ? plan : &same)) != 0) {
		cer_home_free(h);
		return cli_fail(r, "shares rotate");
	}
	cer_home_free(h);
	h = NULL;
	if ((r = cli_session_unlock(home, "rotate", 0, &so, &qo, &h, &s, &u)) == 0) {
		old = h->vault->identifier;
		qo.confirm_passphrases = 1;
		r = cer_rotate(h, u, plan, deliver, &po.d, cli_passphrase, &qo, cer_session_time(s));
		if (r == 0)
			r = record_rotation(s, old, h->vault);
		if (r == 0) {
			printf("share set %u retired; new share set %u for %zu custodians\n", old,
			       h->vault->identifier, h->vault->ncustodians);
			for (i = 0; i < po.d.nwritten; i++)
				printf("share written:      %s\n", po.d.written[i]);
		} else if (h->vault->identifier == old) {
			undeliver(&po.d); /* the old set still opens the vault */
		}
	}
	r = cli_session_finish(s, h, u, r);
	cer_unlocked_free(u);
	cer_home_free(h);
	return r == 0 ? CLI_OK : cli_fail(r, "shares rotate");
}

/* --- status -------------------------------------------------------------------- */

static void
print_status_json(const struct cer_home *h, const char *fp)
{
	const struct cer_vault *v = h->vault;
	json_t *groups = json_array(), *custodians = json_array(), *o;
	char *text;
	size_t i;

	for (i = 0; i < v->ngroups; i++)
		json_array_append_new(groups, json_pack("{s:s, s:i, s:i}", "name", v->groups[i].name,
		                                        "threshold", v->groups[i].threshold, "count",
		                                        v->groups[i].count));
	for (i = 0; i < v->ncustodians; i++)
		json_array_append_new(custodians,
		                      json_pack("{s:s, s:i, s:i, s:b}", "name", v->custodians[i].name,
		                                "group", v->custodians[i].group_index + 1, "member",
		                                v->custodians[i].member_index + 1, "passphrase",
		                                v->custodians[i].has_passphrase));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:o}", "home",
	              h->path, "subject", v->subject, "key_algorithm", v->key_alg, "backend",
	              v->backend, "key_state", cer_state_name(v->state), "key_state_changed",
	              v->state_changed, "created", v->created, "root_sha256", fp, "share_set",
	              v->identifier, "group_threshold", v->group_threshold, "groups", groups,
	              "custodians", custodians);
	text = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (text != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(o);
}

static void
print_status_text(const struct cer_home *h, const char *fp)
{
	const struct cer_vault *v = h->vault;
	size_t g, i;

	printf("home:               %s\n", h->path);
	printf("subject:            %s\n", v->subject);
	printf("key:                %s (%s backend)\n", v->key_alg, v->backend);
	printf("key state:          %s (since %s)\n", cer_state_name(v->state), v->state_changed);
	printf("created:            %s\n", v->created);
	printf("root SHA-256:       %s\n", fp);
	printf("share set:          %u\n", v->identifier);
	if (v->ngroups == 1)
		printf("quorum:             %u of %u custodians\n", v->groups[0].threshold,
		       v->groups[0].count);
	else
		printf("quorum:             %u of %zu groups\n", v->group_threshold, v->ngroups);
	for (g = 0; g < v->ngroups; g++) {
		if (v->ngroups > 1)
			printf("group %-13s %u of %u\n", v->groups[g].name, v->groups[g].threshold,
			       v->groups[g].count);
		for (i = 0; i < v->ncustodians; i++)
			if (v->custodians[i].group_index == g)
				printf("custodian:          %s (member %u%s)\n", v->custodians[i].name,
				       v->custodians[i].member_index + 1u,
				       v->custodians[i].has_passphrase ? ", passphrase" : "");
	}
}

int
cli_status(int argc, char **argv)
{
	static const char usage[] = "custos status [--home DIR] [--json]";
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"json", no_argument, NULL, CLI_OPT_JSON},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     {NULL, 0, NULL, 0}};
	const char *home = NULL;
	struct cer_home *h = NULL;
	uint8_t fp[32];
	char hex[65];
	int c, json = 0, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == CLI_OPT_HOME)
			home = optarg;
		else if (c == CLI_OPT_JSON)
			json = 1;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", usage);
			return CLI_OK;
		} else
			return cli_usage_error(usage, "unknown option");
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if ((r = cer_home_open(cli_home(home), &h)) != 0 || (r = cer_root_fingerprint(h, fp)) != 0) {
		cer_home_free(h);
		return cli_fail(r, "status");
	}
	sodium_bin2hex(hex, sizeof(hex), fp, sizeof(fp));
	if (json)
		print_status_json(h, hex);
	else
		print_status_text(h, hex);
	cer_home_free(h);
	return CLI_OK;
}

/* --- key lifecycle --------------------------------------------------------------- */

/* Unlocks the key and signs a probe: proves a quorum opens the vault. */
static int
key_test(const char *home, const struct cli_session_opts *so, struct cli_quorum_opts *qo)
{
	struct cer_home *h = NULL;
	struct cer_session *s = NULL;
	struct cer_unlocked *u = NULL;
	struct timespec t0, t1;
	uint8_t sig[1024];
	size_t siglen;
	double ms = 0;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((r = cli_session_unlock(home, "key-test", 0, so, qo, &h, &s, &u)) == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		r = u->backend->sign(u->key, (const uint8_t *)"custos key test", 15, sig, &siglen);
		if (r == 0)
			r = cer_session_record(s, "key-test", "", "ok", "a probe was signed");
		if (r == 0)
			printf("the quorum opens the vault: key %s, state %s (unlocked in %.1f ms)\n",
			       h->vault->key_alg, cer_state_name(h->vault->state), ms);
	}
	r = cli_session_finish(s, h, u, r);
	cer_unlocked_free(u);
	cer_home_free(h);
	return r == 0 ? CLI_OK : cli_fail(r, "key test");
}

/* Moves the key to state to, in an audited session; refusals are recorded too. */
static int
key_state(const char *home, const char *what, enum cer_key_state to,
          const struct cli_session_opts *so, struct cli_quorum_opts *qo)
{
	struct cer_home *h = NULL;
	struct cer_session *s = NULL;
	struct cer_unlocked *u = NULL;
	enum cer_key_state from;
	char object[64];
	int r;

	if ((r = cli_session_begin(home, "key-state", CER_SESSION_KEY, so, &s)) != 0)
		return cli_fail(r, what);
	/* Refused before any custodian types a share. */
	if ((r = cer_home_open(cli_home(home), &h)) == 0 &&
	    (r = cer_state_transition_ok(h->vault->state, to)) == 0 &&
	    (r = cli_session_quorum(s, h, qo, &u)) == 0) {
		from = h->vault->state;
		(void)snprintf(object, sizeof(object), "%s -> %s", cer_state_name(from),
		               cer_state_name(to));
		r = cer_key_set_state(h, u, to, cer_session_time(s));
		if (r == 0)
			r = cer_session_record(s, "key-state", object, "ok", NULL);
		if (r == 0)
			printf("key state: %s\n", object);
	}
	r = cli_session_finish(s, h, u, r);
	cer_unlocked_free(u);
	cer_home_free(h);
	return r == 0 ? CLI_OK : cli_fail(r, what);
}

int
cli_key(int argc, char **argv)
{
	static const char usage[] =
		"custos key activate|deactivate|compromise|destroy|test [--home DIR] [--yes] "
		CLI_QUORUM_USAGE "\n       " CLI_SESSION_USAGE
		"\n  test: unlock the key with a quorum and sign a probe; nothing changes";
	static const struct option opts[] = {{"home", required_argument, NULL, CLI_OPT_HOME},
	                                     {"yes", no_argument, NULL, 'y'},
	                                     {"help", no_argument, NULL, CLI_OPT_HELP},
	                                     CLI_QUORUM_LONGOPTS, CLI_SESSION_LONGOPTS,
	                                     {NULL, 0, NULL, 0}};
	static const struct {
		const char *verb;
		enum cer_key_state to;
	} steps[] = {{"activate", CER_STATE_ACTIVE},
	             {"deactivate", CER_STATE_DEACTIVATED},
	             {"compromise", CER_STATE_COMPROMISED},
	             {"destroy", CER_STATE_DESTROYED}};
	struct cli_quorum_opts qo;
	struct cli_session_opts so;
	const char *home = NULL;
	enum cer_key_state to = CER_STATE_ACTIVE;
	size_t i;
	int c, yes = 0, found = 0;

	if (argc < 2)
		return cli_usage_error(usage, "key needs a sub-command");
	if (strcmp(argv[1], "--help") == 0) {
		printf("usage: %s\n", usage);
		return CLI_OK;
	}
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (strcmp(argv[1], steps[i].verb) == 0) {
			to = steps[i].to;
			found = 1;
		}
	if (strcmp(argv[1], "test") == 0)
		found = 2;
	if (!found)
		return cli_usage_error(usage, "unknown key sub-command '%s'", argv[1]);
	memset(&qo, 0, sizeof(qo));
	memset(&so, 0, sizeof(so));
	optind = 1;
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (cli_session_option(&so, c, optarg) == 0)
			continue;
		if (c == CLI_OPT_HOME)
			home = optarg;
		else if (c == 'y')
			yes = 1;
		else if (c == CLI_OPT_HELP) {
			printf("usage: %s\n", usage);
			return CLI_OK;
		} else if (cli_quorum_option(&qo, c, optarg) != 0)
			return cli_usage_error(usage, "unknown option");
	}
	if (optind != argc)
		return cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (found == 2)
		return key_test(home, &so, &qo);
	if (to == CER_STATE_DESTROYED && !yes)
		return cli_usage_error(usage, "destroying the root key cannot be undone: add --yes");
	return key_state(home, argv[0], to, &so, &qo);
}
