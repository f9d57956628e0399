/*
 * cer_init: share plans, creating a CA, and rotating its share set.
 *
 * Invariants: every share is delivered before anything is written, so a
 * failed delivery changes nothing; a new home is built in a staging directory
 * and renamed into place without replacing anything; the master secret and
 * share values live in guarded memory and are wiped on every path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/ca_key.h"
#include "ca/ca_name.h"
#include "ca/ca_root.h"
#include "ceremony/cer_db.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_profiles.h"
#include "ceremony/cer_session.h"
#include "common/rng.h"
#include "shares/shr_slip39.h"

#define ROOT_DAYS_MIN 2922
#define ROOT_DAYS_MAX 9132

/* --- plans ------------------------------------------------------------------ */

int
cer_plan_simple(struct cer_share_plan *plan, unsigned threshold, const char *const *names,
                size_t n)
{
	size_t i;

	memset(plan, 0, sizeof(*plan));
	if (n > CER_MAX_CUSTODIANS)
		return custos_err_set(CUSTOS_EINVAL, "at most %d custodians, not %zu",
		                      CER_MAX_CUSTODIANS, n);
	plan->group_threshold = 1;
	plan->ngroups = 1;
	plan->groups[0].threshold = threshold;
	plan->groups[0].count = n;
	for (i = 0; i < n; i++) {
		if (strlen(names[i]) >= CER_NAME_MAX)
			return custos_err_set(CUSTOS_EINVAL, "custodian name '%.20s...' is longer than %d",
			                      names[i], CER_NAME_MAX - 1);
		memcpy(plan->groups[0].members[i], names[i], strlen(names[i]) + 1);
	}
	return 0;
}

/* Names become file names (NAME.share): letters, digits, space . _ - only. */
static int
check_name(const char *what, const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n >= CER_NAME_MAX)
		return custos_err_set(CUSTOS_EINVAL, "%s name must have 1 to %d characters", what,
		                      CER_NAME_MAX - 1);
	if (name[0] == '.' || name[0] == '-' || name[0] == ' ' || name[n - 1] == ' ')
		return custos_err_set(CUSTOS_EINVAL, "%s name '%s' may not start with '.', '-' or a "
		                                     "space, nor end with a space", what, name);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ' ' || c == '.' || c == '_' || c == '-'))
			return custos_err_set(CUSTOS_EINVAL,
			                      "%s name '%s': only letters, digits, space, '.', '_' "
			                      "and '-' are allowed", what, name);
	}
	return 0;
}

int
cer_plan_check(const struct cer_share_plan *plan)
{
	size_t g, m, g2, m2, total = 0, quorum = 0, thresholds[CER_MAX_GROUPS];
	int r;

	if (plan->ngroups < 1 || plan->ngroups > CER_MAX_GROUPS)
		return custos_err_set(CUSTOS_EINVAL, "1 to %d groups, not %zu", CER_MAX_GROUPS,
		                      plan->ngroups);
	if (plan->group_threshold < 1 || plan->group_threshold > plan->ngroups)
		return custos_err_set(CUSTOS_EINVAL, "group threshold %u is not between 1 and %zu",
		                      plan->group_threshold, plan->ngroups);
	for (g = 0; g < plan->ngroups; g++) {
		const struct cer_plan_group *pg = &plan->groups[g];

		if (plan->ngroups > 1 && (r = check_name("group", pg->name)) != 0)
			return r;
		if (pg->count < 1 || pg->threshold < 1 || pg->threshold > pg->count)
			return custos_err_set(CUSTOS_EINVAL,
			                      "threshold %u of %zu custodians is not possible (M <= N)",
			                      pg->threshold, pg->count);
		if (plan->ngroups == 1 && pg->threshold < 2)
			return custos_err_set(CUSTOS_EINVAL, "the threshold must be at least 2: one "
			                                     "custodian alone could open the vault");
		if (pg->threshold == 1 && pg->count > 1)
			return custos_err_set(CUSTOS_EINVAL, "a group with threshold 1 may have only one "
			                                     "custodian (else every card is the same key)");
		total += pg->count;
		thresholds[g] = pg->threshold;
		for (m = 0; m < pg->count; m++) {
			if ((r = check_name("custodian", pg->members[m])) != 0)
				return r;
			for (g2 = 0; g2 <= g; g2++)
				for (m2 = 0; m2 < (g2 == g ? m : plan->groups[g2].count); m2++)
					if (strcasecmp(plan->groups[g2].members[m2], pg->members[m]) == 0)
						return custos_err_set(CUSTOS_EINVAL,
						                      "custodian '%s' is named twice",
						                      pg->members[m]);
		}
	}
	if (total < CER_MIN_CUSTODIANS || total > CER_MAX_CUSTODIANS)
		return custos_err_set(CUSTOS_EINVAL, "%zu custodians; between %d and %d are needed",
		                      total, CER_MIN_CUSTODIANS, CER_MAX_CUSTODIANS);
	/* The smallest quorum: the group_threshold smallest group thresholds. */
	for (g = 0; g < plan->ngroups; g++)
		for (g2 = g + 1; g2 < plan->ngroups; g2++)
			if (thresholds[g2] < thresholds[g]) {
				size_t t = thresholds[g];
				thresholds[g] = thresholds[g2];
				thresholds[g2] = t;
			}
	for (g = 0; g < plan->group_threshold; g++)
		quorum += thresholds[g];
	if (quorum < 2)
		return custos_err_set(CUSTOS_EINVAL, "one custodian alone could open the vault; the "
		                                     "threshold must be at least 2");
	return 0;
}

void
cer_plan_of(const struct cer_vault *v, struct cer_share_plan *plan)
{
	size_t i;

	memset(plan, 0, sizeof(*plan));
	plan->group_threshold = v->group_threshold;
	plan->ngroups = v->ngroups;
	for (i = 0; i < v->ngroups; i++) {
		memcpy(plan->groups[i].name, v->groups[i].name, CER_NAME_MAX);
		plan->groups[i].threshold = v->groups[i].threshold;
	}
	for (i = 0; i < v->ncustodians; i++) {
		const struct cer_custodian *c = &v->custodians[i];
		struct cer_plan_group *g = &plan->groups[c->group_index];

		memcpy(g->members[c->member_index], c->name, CER_NAME_MAX);
		g->passphrase[c->member_index] = c->has_passphrase;
		if (c->member_index + 1u > g->count)
			g->count = c->member_index + 1u;
	}
}

/* --- issuing a share set ---------------------------------------------------- */

struct issue_ctx {
	cer_deliver_fn deliver;
	void *deliver_ctx;
	cer_passphrase_fn passphrase;
	void *passphrase_ctx;
};

/* Masks s->value with the custodian's passphrase under a fresh salt. */
static int
mask_share(const struct cer_vault *v, struct cer_custodian *c, struct shr_share *s,
           const struct issue_ctx *x)
{
	int r;

	if (x->passphrase == NULL)
		return custos_err_set(CUSTOS_EPASSPHRASE, "no way to ask %s for a passphrase", c->name);
	if ((r = custos_random(c->salt, CER_SALT_LEN)) != 0 ||
	    (r = cer_passphrase_apply(v, c, x->passphrase, x->passphrase_ctx, 8, s->value)) != 0)
		return r;
	s->masked = 1;
	c->has_passphrase = 1;
	return 0;
}

/*
 * Splits master by plan into v's share set: fills v's set fields and
 * custodians (with commitments), and delivers every mnemonic.
 */
static int
issue_shares(struct cer_vault *v, const struct cer_share_plan *plan, const uint8_t *master,
             const struct issue_ctx *x)
{
	struct shr_group groups[CER_MAX_GROUPS];
	struct shr_share *shares = sodium_malloc(sizeof(struct shr_share) * CER_MAX_CUSTODIANS);
	char *mnemonic = sodium_malloc(SHR_MNEMONIC_MAX);
	size_t g, i, n = 0;
	int r;

	if (shares == NULL || mnemonic == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "shares");
		goto out;
	}
	for (g = 0; g < plan->ngroups; g++) {
		groups[g].threshold = (uint8_t)plan->groups[g].threshold;
		groups[g].count = (uint8_t)plan->groups[g].count;
	}
	if ((r = shr_generate(plan->group_threshold, groups, plan->ngroups, master, CER_MASTER_LEN,
	                      "", 0, 1, shares, CER_MAX_CUSTODIANS, &n)) != 0)
		goto out;
	v->identifier = shares[0].identifier;
	v->iteration_exponent = 0;
	v->group_threshold = (uint8_t)plan->group_threshold;
	v->ngroups = plan->ngroups;
	v->ncustodians = n;
	for (g = 0; g < plan->ngroups; g++) {
		memcpy(v->groups[g].name, plan->groups[g].name, CER_NAME_MAX);
		v->groups[g].threshold = groups[g].threshold;
		v->groups[g].count = groups[g].count;
	}
	for (i = 0; i < n; i++) {
		struct shr_share *s = &shares[i];
		struct cer_custodian *c = &v->custodians[i];
		const struct cer_plan_group *pg = &plan->groups[s->group_index];

		memset(c, 0, sizeof(*c));
		memcpy(c->name, pg->members[s->member_index], CER_NAME_MAX);
		c->group_index = s->group_index;
		c->member_index = s->member_index;
		if ((r = cer_commitment(v->vault_id, s->group_index, s->member_index, s->value,
		                        s->value_len, c->commitment)) != 0)
			goto out;
		if (pg->passphrase[s->member_index] && (r = mask_share(v, c, s, x)) != 0)
			goto out;
		if ((r = shr_share_format(s, mnemonic, SHR_MNEMONIC_MAX)) != 0 ||
		    (r = x->deliver(x->deliver_ctx, c->name, i, n, mnemonic)) != 0)
			goto out;
	}
out:
	if (shares != NULL)
		sodium_memzero(shares, sizeof(struct shr_share) * CER_MAX_CUSTODIANS);
	if (mnemonic != NULL)
		sodium_memzero(mnemonic, SHR_MNEMONIC_MAX);
	sodium_free(shares);
	sodium_free(mnemonic);
	return r;
}

/* --- init ------------------------------------------------------------------- */

static int
write_root_pem(const char *dir, X509 *root)
{
	char path[PATH_MAX];
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long len;
	int r;

	if (bio == NULL || PEM_write_bio_X509(bio, root) != 1) {
		BIO_free(bio);
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "root certificate PEM");
	}
	len = BIO_get_mem_data(bio, &pem);
	if ((r = cer_path_join(path, sizeof(path), dir, "root.pem")) == 0)
		r = cer_file_write(path, pem, (size_t)len, 0644, 1);
	BIO_free(bio);
	return r;
}

/* Removes the key ceremony's transcript (and signature) from a staging directory. */
static void
remove_transcripts(const char *dir)
{
	char tdir[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (cer_path_join(tdir, sizeof(tdir), dir, "transcripts") != 0 ||
	    (d = opendir(tdir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && cer_path_join(path, sizeof(path), tdir, e->d_name) == 0)
			(void)unlink(path);
	closedir(d);
	(void)rmdir(tdir);
}

/* Removes a staging directory custos built (only the names it writes). */
static void
remove_staging(const char *dir)
{
	static const char *const names[] = {"vault", "root.pem", "ca.db", "ca.db-journal",
	                                    "profiles.json", "profiles.json.sig", "exports"};
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (cer_path_join(path, sizeof(path), dir, names[i]) == 0)
			(void)(strcmp(names[i], "exports") == 0 ? rmdir(path) : unlink(path));
	remove_transcripts(dir);
	(void)rmdir(dir);
}

/* Builds the vault for a new CA in v (metadata, shares delivered) and its file bytes. */
static int
build_ca(const struct cer_init_params *p, unsigned days, const struct cer_backend *be,
         struct cer_vault *v, EVP_PKEY **key, X509 **root, uint8_t **file, size_t *flen)
{
	struct issue_ctx x = {p->deliver, p->deliver_ctx, p->passphrase, p->passphrase_ctx};
	uint8_t *master = sodium_malloc(CER_MASTER_LEN);
	X509_NAME *name = NULL;
	int r;

	if (master == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "master secret");
	if ((r = ca_name_parse(p->subject, &name)) != 0 ||
	    (r = ca_name_format(name, v->subject, sizeof(v->subject))) != 0 ||
	    (r = custos_random(master, CER_MASTER_LEN)) != 0 ||
	    (r = custos_random(v->vault_id, CER_VAULT_ID_LEN)) != 0 ||
	    (r = be->create(p->alg, key)) != 0 ||
	    (r = ca_root_create(*key, name, days, p->now, root)) != 0 ||
	    (r = ca_key_spki_sha256(*key, v->spki_sha256)) != 0)
		goto out;
	(void)snprintf(v->key_alg, sizeof(v->key_alg), "%s", ca_alg_name(p->alg));
	(void)snprintf(v->backend, sizeof(v->backend), "%s", be->name);
	cer_time_format(p->now, v->created, sizeof(v->created));
	memcpy(v->state_changed, v->created, sizeof(v->created));
	v->state = CER_STATE_PRE_ACTIVE;
	v->pwhash_opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
	v->pwhash_memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
	if ((r = issue_shares(v, &p->plan, master, &x)) != 0 ||
	    (r = cer_vault_encode_header(v)) != 0 ||
	    (r = be->seal(*key, master, v->vault_id, v->header_bytes, v->header_len, &v->body,
	                  &v->body_len)) != 0)
		goto out;
	r = cer_vault_serialize(v, *key, file, flen);
out:
	X509_NAME_free(name);
	sodium_memzero(master, CER_MASTER_LEN);
	sodium_free(master);
	return r;
}

/* Writes every file of the new home into the staging directory dir. */
static int
stage_home(const char *dir, const uint8_t *vault, size_t vlen, X509 *root,
           const struct ca_profile_set *profiles, const struct cer_backend *be, EVP_PKEY *key,
           struct cer_session *session, const struct cer_vault *v)
{
	struct cer_db *db = NULL;
	char path[PATH_MAX];
	int r;

	if ((r = cer_path_join(path, sizeof(path), dir, "vault")) != 0 ||
	    (r = cer_file_write(path, vault, vlen, 0600, 1)) != 0 ||
	    (r = write_root_pem(dir, root)) != 0 ||
	    (r = cer_profiles_write(dir, profiles, be, key, 1)) != 0 ||
	    (r = cer_path_join(path, sizeof(path), dir, "exports")) != 0)
		return r;
	if (mkdir(path, 0700) != 0)
		return custos_err_set(CUSTOS_EIO, "cannot create %s: %s", path, strerror(errno));
	if ((r = cer_db_open(dir, 1, &db)) != 0)
		return r;
	if (session != NULL)
		r = cer_session_init_log(session, db, dir, v, root, be, key);
	cer_db_close(db);
	return r;
}

/* The profiles the CA starts with: the given file, or the defaults. */
static int
initial_profiles(const struct cer_init_params *p, struct ca_profile_set **out)
{
	if (p->profiles_json != NULL)
		return ca_profile_parse(p->profiles_json, p->profiles_len, out);
	return ca_profile_defaults(out);
}

int
cer_init(const struct cer_init_params *p)
{
	const struct cer_backend *be = cer_backend_find(p->backend != NULL ? p->backend : "software");
	char staging[PATH_MAX], parent[PATH_MAX];
	struct ca_profile_set *profiles = NULL;
	struct cer_vault *v = NULL;
	EVP_PKEY *key = NULL;
	X509 *root = NULL;
	uint8_t *file = NULL;
	size_t flen = 0;
	unsigned days;
	int r, n, staged = 0;

	if (be == NULL)
		return custos_err_set(CUSTOS_EINVAL, "unknown backend '%s'", p->backend);
	if ((r = cer_plan_check(&p->plan)) != 0 || (r = initial_profiles(p, &profiles)) != 0)
		return r;
	days = p->days != 0 ? p->days : profiles->root_validity_days;
	if (days < ROOT_DAYS_MIN || days > ROOT_DAYS_MAX) {
		r = custos_err_set(CUSTOS_EINVAL, "root validity of %u days; %d to %d (8 to 25 years) "
		                                  "are allowed", days, ROOT_DAYS_MIN, ROOT_DAYS_MAX);
		goto out;
	}
	if (access(p->home, F_OK) == 0) {
		r = custos_err_set(CUSTOS_EEXIST, "%s already exists; custos never overwrites a CA "
		                                  "home", p->home);
		goto out;
	}
	n = snprintf(staging, sizeof(staging), "%s.init-XXXXXX", p->home);
	if (n < 0 || (size_t)n >= sizeof(staging)) {
		r = custos_err_set(CUSTOS_ETOOBIG, "home path too long");
		goto out;
	}
	if ((v = cer_vault_new()) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "vault");
		goto out;
	}
	if ((r = build_ca(p, days, be, v, &key, &root, &file, &flen)) != 0)
		goto out;
	if (mkdtemp(staging) == NULL) {
		r = custos_err_set(CUSTOS_EIO, "cannot create %s: %s", staging, strerror(errno));
		goto out;
	}
	staged = 1;
	if ((r = stage_home(staging, file, flen, root, profiles, be, key, p->session, v)) != 0)
		goto out;
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, p->home, RENAME_NOREPLACE) != 0) {
		r = errno == EEXIST ? custos_err_set(CUSTOS_EEXIST, "%s appeared while the CA was "
		                                                    "being created", p->home)
		                    : custos_err_set(CUSTOS_EIO, "cannot create %s: %s", p->home,
		                                     strerror(errno));
		goto out;
	}
	staged = 0;
	n = snprintf(parent, sizeof(parent), "%s/..", p->home);
	if (n > 0 && (size_t)n < sizeof(parent))
		r = cer_dir_sync(parent);
out:
	if (staged)
		remove_staging(staging);
	ca_profile_set_free(profiles);
	free(file);
	cer_vault_free(v);
	X509_free(root);
	EVP_PKEY_free(key);
	return r;
}

/* --- rotation ----------------------------------------------------------------- */

int
cer_rotate(struct cer_home *h, struct cer_unlocked *u, const struct cer_share_plan *plan,
           cer_deliver_fn deliver, void *deliver_ctx, cer_passphrase_fn passphrase,
           void *passphrase_ctx, time_t now)
{
	struct issue_ctx x = {deliver, deliver_ctx, passphrase, passphrase_ctx};
	struct cer_share_plan same;
	struct cer_vault *next = NULL;
	uint8_t *master = NULL;
	int r;

	if (h->vault->state == CER_STATE_DESTROYED || h->vault->state == CER_STATE_COMPROMISED)
		return custos_err_set(CUSTOS_ESTATE, "a %s key's shares are not rotated",
		                      cer_state_name(h->vault->state));
	if (plan == NULL) {
		cer_plan_of(h->vault, &same);
		plan = &same;
	}
	if ((r = cer_plan_check(plan)) != 0)
		return r;
	if ((master = sodium_malloc(CER_MASTER_LEN)) == NULL ||
	    (next = cer_vault_clone(h->vault)) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "rotation");
		goto out;
	}
	if ((r = custos_random(master, CER_MASTER_LEN)) != 0)
		goto out;
	if (next->nretired == CER_MAX_RETIRED) {
		memmove(next->retired, next->retired + 1, sizeof(next->retired[0]) * (CER_MAX_RETIRED - 1));
		next->nretired--;
	}
	next->retired[next->nretired].identifier = h->vault->identifier;
	cer_time_format(now, next->retired[next->nretired].when, sizeof(next->retired[0].when));
	next->nretired++;
	memset(next->custodians, 0, sizeof(next->custodians));
	memset(next->groups, 0, sizeof(next->groups));
	if ((r = issue_shares(next, plan, master, &x)) != 0)
		goto out;
	r = cer_home_replace_vault(h, u, master, next);
	next = NULL; /* transferred */
	if (r == 0)
		memcpy(u->master, master, CER_MASTER_LEN);
out:
	cer_vault_free(next);
	if (master != NULL) {
		sodium_memzero(master, CER_MASTER_LEN);
		sodium_free(master);
	}
	return r;
}
