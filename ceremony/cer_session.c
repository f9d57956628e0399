/*
 * cer_session: a ceremony session and its audit records (see the header).
 *
 * Every failure path of the session records why before it returns, and keeps
 * the error detail the caller will show: recording uses the same detail
 * buffer, so it is saved and put back around each record made on an error
 * path.
 */
#include "ceremony/cer_session.h"

#include <errno.h>
#include <limits.h>
#include <openssl/sha.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/ca_sig.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_transcript.h"
#include "common/rng.h"

#define DETAILS_MAX 1024

struct cer_session {
	char id[CER_SESSION_ID_HEX + 1];
	char host[CER_HOST_ID_HEX + 1];
	char operator_name[CER_OPERATOR_MAX];
	char role[32];
	char verb[48];
	unsigned flags;
	int allow_network;
	struct cer_env env;
	char network[700];
	cer_clock_fn clock;
	void *clock_ctx;
	char home[PATH_MAX];
	char transcript_dir[PATH_MAX];
	char confirmed[24];
	char started[CER_AUDIT_TIME_LEN];
	char transcript_name[128]; /* the last transcript written, file name only */
	struct cer_db *db;
	int owns_db;
	int record_error; /* the first record that could not be written */
	int ended;
};

/* --- who and where --------------------------------------------------------------- */

int
cer_session_check_operator(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= CER_OPERATOR_MAX || !cer_audit_text_ok(name) || name[0] == ' ' ||
	    name[n - 1] == ' ')
		return custos_err_set(CUSTOS_EINVAL,
		                      "an operator name has 1 to %d printable "
		                      "characters, without leading or trailing spaces",
		                      CER_OPERATOR_MAX - 1);
	return 0;
}

int
cer_session_check_role(const char *role)
{
	if (strcmp(role, "operator") == 0 || strcmp(role, "security-officer") == 0 ||
	    strcmp(role, "auditor") == 0)
		return 0;
	if (strcmp(role, "custodian") == 0)
		return custos_err_set(CUSTOS_EINVAL,
		                      "custodians are identified by their share, not "
		                      "by --role");
	return custos_err_set(CUSTOS_EINVAL,
	                      "unknown role '%.40s' (operator, security-officer, "
	                      "auditor)",
	                      role);
}

/* Reads the first line of a small file into buf; 0 when there is one. */
static int
first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return -1;
	if (fgets(buf, (int)len, f) == NULL) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return n > 0 ? 0 : -1;
}

void
cer_session_host_id(char out[CER_HOST_ID_HEX + 1])
{
	static const char tag[] = "custos-host-v1:";
	char id[256], msg[sizeof(tag) + 10 + sizeof(id)];
	uint8_t h[32];

	if (first_line("/etc/machine-id", id, sizeof(id)) == 0 ||
	    first_line("/var/lib/dbus/machine-id", id, sizeof(id)) == 0) {
		(void)snprintf(msg, sizeof(msg), "%s%s", tag, id);
	} else {
		if (gethostname(id, sizeof(id) - 1) != 0)
			(void)snprintf(id, sizeof(id), "unknown");
		id[sizeof(id) - 1] = '\0';
		(void)snprintf(msg, sizeof(msg), "%shostname:%s", tag, id);
	}
	SHA256((const uint8_t *)msg, strlen(msg), h);
	sodium_bin2hex(out, CER_HOST_ID_HEX + 1, h, sizeof(h));
	sodium_memzero(id, sizeof(id));
	sodium_memzero(msg, sizeof(msg));
}

/* --- creating -------------------------------------------------------------------------- */

int
cer_session_new(const struct cer_session_params *p, struct cer_session **out)
{
	struct cer_session *s;
	uint8_t rnd[CER_SESSION_ID_HEX / 2];
	char t[CER_AUDIT_TIME_LEN];
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "session");
	if ((r = custos_random(rnd, sizeof(rnd))) != 0) {
		free(s);
		return r;
	}
	sodium_bin2hex(s->id, sizeof(s->id), rnd, sizeof(rnd));
	cer_session_host_id(s->host);
	(void)snprintf(s->operator_name, sizeof(s->operator_name), "%s",
	               p->operator_name != NULL ? p->operator_name : "");
	(void)snprintf(s->role, sizeof(s->role), "%s", p->role != NULL ? p->role : "operator");
	(void)snprintf(s->verb, sizeof(s->verb), "%s", p->verb != NULL ? p->verb : "session");
	(void)snprintf(s->confirmed, sizeof(s->confirmed), "%s",
	               p->confirm_time != NULL ? p->confirm_time : "");
	s->flags = p->flags;
	s->allow_network = p->allow_network;
	s->clock = p->clock;
	s->clock_ctx = p->clock_ctx;
	if (p->transcript_dir != NULL)
		(void)snprintf(s->transcript_dir, sizeof(s->transcript_dir), "%s",
		               p->transcript_dir);
	if (p->env != NULL)
		s->env = *p->env;
	else if ((r = cer_env_scan(&s->env)) != 0) {
		free(s);
		return r;
	}
	cer_env_describe(&s->env, s->network, sizeof(s->network));
	cer_audit_time_format(cer_session_now_ms(s), t);
	memcpy(s->started, t, sizeof(t));
	*out = s;
	return 0;
}

void
cer_session_attach(struct cer_session *s, struct cer_db *db)
{
	s->db = db;
	s->owns_db = 0;
}

void
cer_session_detach(struct cer_session *s)
{
	if (s->owns_db)
		cer_db_close(s->db);
	s->db = NULL;
	s->owns_db = 0;
}

struct cer_db *
cer_session_db(struct cer_session *s)
{
	return s->db;
}

const char *
cer_session_id(const struct cer_session *s)
{
	return s->id;
}

const char *
cer_session_operator(const struct cer_session *s)
{
	return s->operator_name;
}

const char *
cer_session_role(const struct cer_session *s)
{
	return s->role;
}

const char *
cer_session_transcript_name(const struct cer_session *s)
{
	return s->transcript_name;
}

int64_t
cer_session_now_ms(const struct cer_session *s)
{
	return s->clock != NULL ? s->clock(s->clock_ctx) : cer_clock_now_ms();
}

time_t
cer_session_time(const struct cer_session *s)
{
	return (time_t)(cer_session_now_ms(s) / 1000);
}

const struct cer_env *
cer_session_env(const struct cer_session *s)
{
	return &s->env;
}

const char *
cer_session_network(const struct cer_session *s)
{
	return s->network;
}

/* --- recording ------------------------------------------------------------------------- */

static int
vrecord(struct cer_session *s, const char *actor, const char *role, const char *operation,
        const char *object, const char *result, const char *fmt, va_list ap)
{
	struct cer_audit_entry e;
	char details[DETAILS_MAX];
	int r;

	details[0] = '\0';
	if (fmt != NULL)
		(void)vsnprintf(details, sizeof(details), fmt, ap);
	if (s->db == NULL)
		r = custos_err_set(CUSTOS_EINTERNAL, "the session has no audit log to write to");
	else {
		e.actor = actor[0] != '\0' ? actor : "(unnamed)";
		e.role = role;
		e.operation = operation;
		e.object = object;
		e.result = result;
		e.session = s->id;
		e.host = s->host;
		e.details = details;
		r = cer_audit_append(s->db, &e, cer_session_now_ms(s), NULL);
	}
	if (r != 0 && s->record_error == 0)
		s->record_error = r;
	return r;
}

int
cer_session_record(struct cer_session *s, const char *operation, const char *object,
                   const char *result, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vrecord(s, s->operator_name, s->role, operation, object, result, fmt, ap);
	va_end(ap);
	return r;
}

int
cer_session_record_as(struct cer_session *s, const char *actor, const char *role,
                      const char *operation, const char *object, const char *result,
                      const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vrecord(s, actor, role, operation, object, result, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * Records where the result cannot change the outcome (an offer already
 * judged, a failure already being returned): a failed record is remembered
 * in record_error, so nothing is unlocked after it.
 */
static void note(struct cer_session *s, const char *actor, const char *role, const char *operation,
                 const char *object, const char *result, const char *fmt, ...)
        __attribute__((format(printf, 7, 8)));

static void
note(struct cer_session *s, const char *actor, const char *role, const char *operation,
     const char *object, const char *result, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vrecord(s, actor, role, operation, object, result, fmt, ap);
	va_end(ap);
	(void)r; /* kept in s->record_error */
}

/* Records a failure (code r) without losing r's detail, which the caller will show. */
static void
record_failure(struct cer_session *s, const char *operation, const char *object, const char *result,
               int r)
{
	char saved[512];

	(void)snprintf(saved, sizeof(saved), "%s", custos_err_detail());
	note(s, s->operator_name, s->role, operation, object, result, "%s%s%s", custos_strerror(r),
	     saved[0] ? ": " : "", saved);
	(void)custos_err_set(r, "%s", saved);
}

/* --- beginning ------------------------------------------------------------------------- */

static int
record_start(struct cer_session *s)
{
	return cer_session_record(s, "session-start", s->verb, "ok",
	                          "operator %s (%s); time confirmed: %s; system clock: %s; "
	                          "network: %s; allow-network: %s",
	                          s->operator_name[0] ? s->operator_name : "(not named)", s->role,
	                          s->confirmed[0] ? s->confirmed : "no", s->started, s->network,
	                          s->allow_network ? "yes" : "no");
}

/* The checks a session's flags ask for, before anything is unlocked. */
static int
preflight(struct cer_session *s)
{
	int64_t now = cer_session_now_ms(s), newest = 0, confirmed = 0;
	uint64_t seq = 0;
	char up[512];
	int r;

	if (s->operator_name[0] != '\0' && (r = cer_session_check_operator(s->operator_name)) != 0)
		return r;
	if ((r = cer_session_check_role(s->role)) != 0)
		return r;
	if ((s->flags & CER_SESSION_SIGNING) != 0) {
		if (s->operator_name[0] == '\0')
			return custos_err_set(CUSTOS_EREFUSED,
			                      "the operator must name themselves "
			                      "(--operator NAME or $CUSTOS_OPERATOR)");
		if (strcmp(s->role, "operator") != 0)
			return custos_err_set(CUSTOS_EREFUSED,
			                      "the %s role does not drive a signing "
			                      "ceremony; the operator does",
			                      s->role);
	}
	if ((s->flags & (CER_SESSION_KEY | CER_SESSION_SIGNING)) != 0 &&
	    ((r = cer_audit_newest(s->db, &newest, &seq)) != 0 ||
	     (r = cer_clock_monotonic(now, newest, seq)) != 0))
		return r;
	if ((s->flags & CER_SESSION_SIGNING) == 0) {
		/* A time confirmed where it is not required is still checked. */
		if (s->confirmed[0] != '\0' &&
		    ((r = cer_confirm_time_parse(s->confirmed, &confirmed)) != 0 ||
		     (r = cer_clock_confirm(now, confirmed)) != 0))
			return r;
		return 0;
	}
	if (s->confirmed[0] == '\0') {
		char t[CER_AUDIT_TIME_LEN];
		cer_audit_time_format(now, t);
		return custos_err_set(CUSTOS_ECLOCK,
		                      "confirm the current UTC time with --confirm-time "
		                      "YYYY-MM-DDTHH:MMZ (the system clock reads %.16sZ)",
		                      t);
	}
	if ((r = cer_confirm_time_parse(s->confirmed, &confirmed)) != 0 ||
	    (r = cer_clock_confirm(now, confirmed)) != 0 ||
	    (r = cer_env_airgap(&s->env, s->allow_network)) != 0)
		return r;
	if (cer_env_up(&s->env, up, sizeof(up)) > 0 &&
	    (r = cer_session_record(s, "network", "", "allowed",
	                            "interfaces up: %s; signing allowed by --allow-network", up)) !=
	            0)
		return r;
	return 0;
}

int
cer_session_begin(const char *home, const struct cer_session_params *p, struct cer_session **out)
{
	struct cer_session *s;
	int r;

	*out = NULL;
	if ((r = cer_session_new(p, &s)) != 0)
		return r;
	(void)snprintf(s->home, sizeof(s->home), "%s", home);
	if ((r = cer_db_open(home, 0, &s->db)) != 0) {
		free(s);
		return r;
	}
	s->owns_db = 1;
	r = record_start(s);
	if (r == 0 && (r = preflight(s)) != 0) {
		record_failure(s, s->verb, "", "refused", r);
		record_failure(s, "session-end", s->verb, "refused", r);
		s->ended = 1;
	}
	if (r != 0) {
		cer_session_free(s);
		return r;
	}
	*out = s;
	return 0;
}

/* --- the quorum --------------------------------------------------------------------------- */

static void
observe(void *ctx, int result, const struct cer_offer_result *res)
{
	struct cer_session *s = ctx;
	const char *who = res->custodian[0] != '\0' ? res->custodian : "(unidentified share)";
	char word[32] = "";

	if (result == 0) {
		note(s, who, "custodian", "share", "", "accepted", "%zu accepted, %zu more needed",
		     res->have, res->still_needed);
		return;
	}
	if (res->bad_word > 0)
		(void)snprintf(word, sizeof(word), " (word %zu)", res->bad_word);
	/* The code's fixed message only: a detail could one day quote what was typed. */
	note(s, who, "custodian", "share", "", "refused", "%s%s; %zu accepted, %zu more needed",
	     custos_strerror(result), word, res->have, res->still_needed);
}

void
cer_session_watch(struct cer_session *s, struct cer_quorum *q)
{
	cer_quorum_set_observer(q, observe, s);
}

int
cer_session_unlock(struct cer_session *s, const struct cer_home *h, struct cer_quorum *q,
                   int collect_result, struct cer_unlocked **out)
{
	char names[CER_MAX_CUSTODIANS * (CER_NAME_MAX + 2)];
	int r;

	*out = NULL;
	if (s->record_error != 0)
		return custos_err_set(CUSTOS_EAUDIT,
		                      "a share could not be recorded in the audit log: "
		                      "nothing is unlocked");
	if (collect_result != 0 || q == NULL) {
		r = collect_result != 0 ? collect_result : CUSTOS_ETHRESHOLD;
		record_failure(s, "quorum", "", "refused", r);
		return r;
	}
	cer_quorum_names(q, names, sizeof(names));
	if ((r = cer_session_record(s, "quorum", "", "reached", "custodians: %s", names)) != 0)
		return r;
	if ((r = cer_unlock(h, q, out)) != 0) {
		record_failure(s, "unlock", "", "failed", r);
		return r;
	}
	if ((r = cer_session_record(s, "unlock", "", "ok", "key %s, state %s", h->vault->key_alg,
	                            cer_state_name(h->vault->state))) != 0) {
		cer_unlocked_free(*out);
		*out = NULL;
	}
	return r;
}

int
cer_session_artifact(struct cer_session *s, const char *name, const uint8_t *data, size_t len,
                     uint8_t sha256[32])
{
	uint8_t h[32];
	char hex[65];

	SHA256(data, len, h);
	if (sha256 != NULL)
		memcpy(sha256, h, 32);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return cer_session_record(s, "artifact", name, "ok", "sha256 %s; %zu bytes", hex, len);
}

/* --- ending -------------------------------------------------------------------------------- */

static int
transcript_path(struct cer_session *s, char *path, size_t len)
{
	char dir[PATH_MAX], name[128], t[CER_AUDIT_TIME_LEN];
	int r, n;

	if (s->transcript_dir[0] != '\0')
		(void)snprintf(dir, sizeof(dir), "%s", s->transcript_dir);
	else if ((r = cer_path_join(dir, sizeof(dir), s->home, "transcripts")) != 0)
		return r;
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return custos_err_set(CUSTOS_EIO, "cannot create %s: %s", dir, strerror(errno));
	memcpy(t, s->started, sizeof(t));
	/* 2026-01-02T03:04:05.678Z -> 20260102T030405Z */
	n = snprintf(name, sizeof(name), "%.4s%.2s%.2sT%.2s%.2s%.2sZ-%s-%.8s.txt", t, t + 5, t + 8,
	             t + 11, t + 14, t + 17, s->verb, s->id);
	if (n < 0 || (size_t)n >= sizeof(name))
		return custos_err_set(CUSTOS_ETOOBIG, "transcript name");
	return cer_path_join(path, len, dir, name);
}

static int
write_transcript(struct cer_session *s, const char *subject, const uint8_t root_sha256[32],
                 const struct cer_backend *be, EVP_PKEY *key, const struct cer_audit_head *head,
                 const char *cp_time, int result, char *path, size_t plen)
{
	struct cer_transcript_facts x;
	char ended[CER_AUDIT_TIME_LEN], network[800], confirmed[64];
	uint8_t sig[CA_SIG_MAX];
	size_t siglen = 0, len = 0;
	char *text = NULL;
	int r;

	memset(&x, 0, sizeof(x));
	cer_audit_time_format(cer_session_now_ms(s), ended);
	(void)snprintf(network, sizeof(network), "%s%s", s->network,
	               s->allow_network ? " (--allow-network given)" : "");
	(void)snprintf(confirmed, sizeof(confirmed), "%s by the operator", s->confirmed);
	x.ceremony = s->verb;
	x.session = s->id;
	x.host = s->host;
	x.operator_name = s->operator_name;
	x.role = s->role;
	x.ca_subject = subject;
	memcpy(x.root_sha256, root_sha256, 32);
	x.confirmed_time = s->confirmed[0] ? confirmed : "not confirmed";
	x.clock_at_start = s->started;
	x.network = network;
	x.started = s->started;
	x.ended = ended;
	x.result = result == 0 ? "ok" : custos_strerror(result);
	x.head = *head;
	x.checkpoint_time = cp_time;
	if ((r = cer_transcript_render(s->db, &x, &text, &len)) != 0 ||
	    (r = be->sign(key, (const uint8_t *)text, len, sig, &siglen)) != 0 ||
	    (r = transcript_path(s, path, plen)) != 0)
		goto out;
	r = cer_transcript_write(path, text, len, sig, siglen);
out:
	free(text);
	if (r != 0 && plen > 0)
		path[0] = '\0';
	if (r == 0)
		(void)snprintf(s->transcript_name, sizeof(s->transcript_name), "%s",
		               strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path);
	return r;
}

int
cer_session_end(struct cer_session *s, const struct cer_home *h, const struct cer_unlocked *u,
                int result, char *transcript, size_t len)
{
	struct cer_audit_head head;
	char saved[512], cp_time[CER_AUDIT_TIME_LEN];
	uint8_t fp[32];
	int r;

	if (transcript != NULL && len > 0)
		transcript[0] = '\0';
	(void)snprintf(saved, sizeof(saved), "%s", custos_err_detail());
	if (s->ended)
		return custos_err_set(CUSTOS_EINTERNAL, "the session has already ended");
	s->ended = 1;
	if (result == 0)
		r = cer_session_record(s, "session-end", s->verb, "ok", NULL);
	else
		r = cer_session_record(s, "session-end", s->verb, "failed", "%s: %s",
		                       custos_strerror(result), saved);
	if (r == 0 && u != NULL) {
		int64_t now = cer_session_now_ms(s);
		cer_audit_time_format(now, cp_time);
		r = cer_audit_checkpoint(s->db, u->backend, u->key, s->id, now, &head);
	}
	if (r == 0 && u != NULL && h != NULL && transcript != NULL && len > 0 &&
	    (r = cer_root_fingerprint(h, fp)) == 0)
		r = write_transcript(s, h->vault->subject, fp, u->backend, u->key, &head, cp_time,
		                     result, transcript, len);
	if (r == 0 && result != 0)
		(void)custos_err_set(result, "%s", saved);
	return r;
}

void
cer_session_free(struct cer_session *s)
{
	if (s == NULL)
		return;
	if (!s->ended && s->db != NULL) {
		char saved[512];
		(void)snprintf(saved, sizeof(saved), "%s", custos_err_detail());
		note(s, s->operator_name, s->role, "session-end", s->verb, "abandoned", NULL);
		(void)custos_err_set(0, "%s", saved);
	}
	cer_session_detach(s);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

/* --- a new CA --------------------------------------------------------------------------- */

/* "2 of 3 custodians" or "2 of 3 groups (officers: 2 of 3, auditors: 1 of 2)". */
static void
describe_quorum(const struct cer_vault *v, char *buf, size_t len)
{
	size_t g, used;

	if (v->ngroups == 1) {
		(void)snprintf(buf, len, "%u of %u custodians", v->groups[0].threshold,
		               v->groups[0].count);
		return;
	}
	(void)snprintf(buf, len, "%u of %zu groups (", v->group_threshold, v->ngroups);
	for (g = 0; g < v->ngroups && (used = strlen(buf)) < len; g++)
		(void)snprintf(buf + used, len - used, "%s%s: %u of %u", g ? ", " : "",
		               v->groups[g].name, v->groups[g].threshold, v->groups[g].count);
	if ((used = strlen(buf)) < len)
		(void)snprintf(buf + used, len - used, ")");
}

int
cer_session_record_share_set(struct cer_session *s, const struct cer_vault *v)
{
	size_t i;
	int r = 0;

	for (i = 0; i < v->ncustodians && r == 0; i++)
		r = cer_session_record_as(
		        s, v->custodians[i].name, "custodian", "share-issued", "", "ok",
		        "share set %u, group %u, member %u%s", v->identifier,
		        v->custodians[i].group_index + 1u, v->custodians[i].member_index + 1u,
		        v->custodians[i].has_passphrase ? ", passphrase-protected" : "");
	return r;
}

void
cer_session_describe_quorum(const struct cer_vault *v, char *buf, size_t len)
{
	describe_quorum(v, buf, len);
}

int
cer_session_init_log(struct cer_session *s, struct cer_db *db, const char *dir,
                     const struct cer_vault *v, X509 *root, const struct cer_backend *be,
                     EVP_PKEY *key)
{
	struct cer_audit_head head;
	char hex[65], quorum[512], cp_time[CER_AUDIT_TIME_LEN], path[PATH_MAX];
	uint8_t fp[32];
	unsigned int n = 0;
	int r;

	if (X509_digest(root, EVP_sha256(), fp, &n) != 1 || n != 32)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "root fingerprint");
	sodium_bin2hex(hex, sizeof(hex), fp, sizeof(fp));
	describe_quorum(v, quorum, sizeof(quorum));
	cer_session_attach(s, db);
	if ((r = record_start(s)) != 0 ||
	    (r = cer_session_record(s, "init", v->subject, "ok",
	                            "key %s (%s backend); root certificate sha256 %s; share set "
	                            "%u; quorum %s",
	                            v->key_alg, v->backend, hex, v->identifier, quorum)) != 0)
		goto out;
	r = cer_session_record_share_set(s, v);
	if (r == 0 &&
	    (r = cer_session_record(s, "key-state", "pre-active", "ok",
	                            "the new key starts pre-active")) == 0 &&
	    (r = cer_session_record(s, "session-end", s->verb, "ok", NULL)) == 0) {
		int64_t now = cer_session_now_ms(s);
		cer_audit_time_format(now, cp_time);
		r = cer_audit_checkpoint(db, be, key, s->id, now, &head);
	}
	s->ended = 1;
	if (r == 0 && dir != NULL) {
		(void)snprintf(s->home, sizeof(s->home), "%s", dir);
		r = write_transcript(s, v->subject, fp, be, key, &head, cp_time, 0, path,
		                     sizeof(path));
	}
out:
	cer_session_detach(s);
	return r;
}
