/*
 * cli_session: how command-line verbs run audited sessions.  The verbs pass
 * who drives (--operator NAME, else $CUSTOS_OPERATOR; --role ROLE) and the
 * signing checks' inputs (--confirm-time, --allow-network) to the core's
 * session (ceremony/cer_session.c), which records and decides; this file
 * only prints what happened.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ceremony/cer_file.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_session.h"
#include "ceremony/cer_transcript.h"
#include "ui/cli.h"

int
cli_session_option(struct cli_session_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_OPERATOR:
		o->operator_name = arg;
		return 0;
	case CLI_OPT_ROLE:
		o->role = arg;
		return 0;
	case CLI_OPT_CONFIRM_TIME:
		o->confirm_time = arg;
		return 0;
	case CLI_OPT_ALLOW_NETWORK:
		o->allow_network = 1;
		return 0;
	default:
		return 1;
	}
}

/* The session parameters the options (and $CUSTOS_OPERATOR) give. */
static void
params_of(struct cer_session_params *p, const char *verb, unsigned flags,
          const struct cli_session_opts *so)
{
	static const struct cli_session_opts none;
	const char *env = getenv("CUSTOS_OPERATOR");

	if (so == NULL)
		so = &none;
	memset(p, 0, sizeof(*p));
	p->verb = verb;
	p->operator_name = so->operator_name != NULL       ? so->operator_name
	                   : env != NULL && env[0] != '\0' ? env
	                                                   : NULL;
	p->role = so->role;
	p->flags = flags;
	p->allow_network = so->allow_network;
	p->confirm_time = so->confirm_time;
}

int
cli_session_new(const char *verb, const struct cli_session_opts *so, struct cer_session **sp)
{
	struct cer_session_params p;
	int r;

	params_of(&p, verb, 0, so);
	if ((p.operator_name != NULL && (r = cer_session_check_operator(p.operator_name)) != 0) ||
	    (p.role != NULL && (r = cer_session_check_role(p.role)) != 0))
		return r;
	return cer_session_new(&p, sp);
}

int
cli_session_begin(const char *home, const char *verb, unsigned flags,
                  const struct cli_session_opts *so, struct cer_session **sp)
{
	struct cer_session_params p;
	int r;

	*sp = NULL;
	params_of(&p, verb, flags, so);
	if ((r = cer_session_begin(cli_home(home), &p, sp)) != 0)
		return r;
	/* At start-up the operator sees what the machine is connected to. */
	if ((flags & (CER_SESSION_KEY | CER_SESSION_SIGNING)) != 0 &&
	    strncmp(cer_session_network(*sp), "air-gapped", 10) != 0)
		fprintf(stderr, "custos: warning: %s%s\n", cer_session_network(*sp),
		        so->allow_network ? " (--allow-network: recorded in the audit log)"
		                          : " (recorded in the audit log)");
	return 0;
}

int
cli_session_unlock(const char *home, const char *verb, unsigned flags,
                   const struct cli_session_opts *so, struct cli_quorum_opts *qo,
                   struct cer_home **hp, struct cer_session **sp, struct cer_unlocked **up)
{
	int r;

	*hp = NULL;
	*sp = NULL;
	*up = NULL;
	if ((r = cli_session_begin(home, verb, flags | CER_SESSION_KEY, so, sp)) != 0) {
		/* No audit log to write to: the home's own error says it best. */
		if (r == CUSTOS_ENOENT && cer_home_open(cli_home(home), hp) != 0)
			r = CUSTOS_ENOENT;
		cer_home_free(*hp);
		*hp = NULL;
		return r;
	}
	if ((r = cer_home_open(cli_home(home), hp)) == 0 &&
	    (*hp)->vault->state == CER_STATE_DESTROYED)
		r = custos_err_set(CUSTOS_ESTATE, "the root key was destroyed on %s",
		                   (*hp)->vault->state_changed);
	if (r != 0)
		return r; /* recorded by the caller's cli_session_finish() */
	return cli_session_quorum(*sp, *hp, qo, up);
}

int
cli_session_quorum(struct cer_session *s, const struct cer_home *h, struct cli_quorum_opts *qo,
                   struct cer_unlocked **up)
{
	struct cer_quorum *q = NULL;
	int r;

	*up = NULL;
	qo->session = s;
	r = cli_collect_quorum(h->vault, qo, &q);
	qo->session = NULL;
	r = cer_session_unlock(s, h, q, r, up);
	cer_quorum_free(q);
	return r;
}

void
cli_print_transcript(const char *path)
{
	char words[CER_TRANSCRIPT_WORDS_LEN], hex[65];
	uint8_t *data = NULL, h[32];
	size_t len = 0;

	printf("transcript:         %s (signature %s.sig)\n", path, path);
	if (cer_file_read(path, CER_TRANSCRIPT_MAX, &data, &len) != 0)
		return;
	crypto_hash_sha256(h, data, len);
	free(data);
	cer_transcript_words(h, words);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	printf("transcript SHA-256: %s\n", hex);
	printf("read aloud:         %s\n", words);
}

int
cli_session_finish(struct cer_session *s, const struct cer_home *h, const struct cer_unlocked *u,
                   int r)
{
	char path[PATH_MAX], saved[512];
	int e;

	if (s == NULL)
		return r;
	(void)snprintf(saved, sizeof(saved), "%s", custos_err_detail());
	e = cer_session_end(s, h, u, r, path, sizeof(path));
	cer_session_free(s);
	if (path[0] != '\0')
		cli_print_transcript(path);
	if (r != 0) {
		if (e != 0)
			fprintf(stderr, "custos: also, ending the session failed: %s\n",
			        custos_err_detail());
		(void)custos_err_set(r, "%s", saved);
		return r;
	}
	return e;
}
