/*
 * cer_quorum: see the header.
 *
 * Invariant: a share is copied into the quorum only after every check has
 * passed; scratch copies of share values and passphrases are wiped on every
 * path out of every function.
 */
#include "ceremony/cer_quorum.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "shares/shr_slip39.h"

struct cer_quorum {
	const struct cer_vault *v;
	size_t n;
	struct shr_share shares[CER_MAX_CUSTODIANS];
	size_t custodian[CER_MAX_CUSTODIANS]; /* index into v->custodians */
	cer_quorum_observer_fn observer;
	void *observer_ctx;
};

int
cer_quorum_new(const struct cer_vault *v, struct cer_quorum **out)
{
	struct cer_quorum *q;

	*out = NULL;
	if ((q = sodium_malloc(sizeof(*q))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "quorum");
	memset(q, 0, sizeof(*q));
	q->v = v;
	*out = q;
	return 0;
}

void
cer_quorum_set_observer(struct cer_quorum *q, cer_quorum_observer_fn fn, void *ctx)
{
	q->observer = fn;
	q->observer_ctx = ctx;
}

/* Tells the observer, keeping the offer's error detail for the caller. */
static void
notify(struct cer_quorum *q, int r, const struct cer_offer_result *res)
{
	char detail[512];

	if (q->observer == NULL)
		return;
	(void)snprintf(detail, sizeof(detail), "%s", custos_err_detail());
	q->observer(q->observer_ctx, r, res);
	(void)custos_err_set(r, "%s", detail);
}

void
cer_quorum_free(struct cer_quorum *q)
{
	if (q == NULL)
		return;
	sodium_memzero(q, sizeof(*q));
	sodium_free(q);
}

static size_t
group_have(const struct cer_quorum *q, unsigned g)
{
	size_t i, n = 0;

	for (i = 0; i < q->n; i++)
		n += q->shares[i].group_index == g;
	return n;
}

size_t
cer_quorum_needed(const struct cer_quorum *q)
{
	size_t rem[CER_MAX_GROUPS], i, j, sum = 0;

	for (i = 0; i < q->v->ngroups; i++) {
		size_t have = group_have(q, (unsigned)i), t = q->v->groups[i].threshold;
		rem[i] = have >= t ? 0 : t - have;
	}
	/* The cheapest way to complete group_threshold groups: the smallest remainders. */
	for (i = 0; i < q->v->ngroups; i++)
		for (j = i + 1; j < q->v->ngroups; j++)
			if (rem[j] < rem[i]) {
				size_t t = rem[i];
				rem[i] = rem[j];
				rem[j] = t;
			}
	for (i = 0; i < q->v->group_threshold; i++)
		sum += rem[i];
	return sum;
}

size_t
cer_quorum_have(const struct cer_quorum *q)
{
	return q->n;
}

void
cer_quorum_names(const struct cer_quorum *q, char *buf, size_t len)
{
	size_t i, used = 0;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < q->n && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		             q->v->custodians[q->custodian[i]].name);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

static int
check_set(const struct cer_vault *v, const struct shr_share *s)
{
	size_t i;

	if (s->identifier != v->identifier) {
		for (i = 0; i < v->nretired; i++)
			if (v->retired[i].identifier == s->identifier)
				return custos_err_set(CUSTOS_EMISMATCH,
				                      "this share is from the share set retired on %s; "
				                      "only the current cards open the vault",
				                      v->retired[i].when);
		return custos_err_set(CUSTOS_EMISMATCH,
		                      "this share belongs to another CA or share set (set %u; this "
		                      "CA's is %u)",
		                      s->identifier, v->identifier);
	}
	if (s->group_count != v->ngroups || s->group_threshold != v->group_threshold ||
	    s->iteration_exponent != v->iteration_exponent || !s->extendable ||
	    s->value_len != CER_MASTER_LEN || s->group_index >= v->ngroups ||
	    s->member_threshold != v->groups[s->group_index].threshold)
		return custos_err_set(CUSTOS_EMISMATCH,
		                      "this share's thresholds do not match this CA's share set");
	return 0;
}

int
cer_passphrase_apply(const struct cer_vault *v, const struct cer_custodian *c,
                     cer_passphrase_fn fn, void *ctx, size_t min_len, uint8_t *value)
{
	char *pass = NULL;
	uint8_t *mask = NULL;
	size_t i;
	int r;

	if (fn == NULL)
		return custos_err_set(CUSTOS_EPASSPHRASE, "%s's share needs their passphrase", c->name);
	pass = sodium_malloc(CER_PASSPHRASE_MAX);
	mask = sodium_malloc(CER_MASTER_LEN);
	if (pass == NULL || mask == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "passphrase");
		goto out;
	}
	pass[0] = '\0';
	if ((r = fn(ctx, c->name, pass, CER_PASSPHRASE_MAX)) != 0)
		goto out;
	pass[CER_PASSPHRASE_MAX - 1] = '\0';
	if (strlen(pass) < min_len) {
		r = custos_err_set(CUSTOS_EPASSPHRASE, "%s's passphrase is shorter than %zu characters",
		                   c->name, min_len);
		goto out;
	}
	if (crypto_pwhash(mask, CER_MASTER_LEN, pass, strlen(pass), c->salt, v->pwhash_opslimit,
	                  (size_t)v->pwhash_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		r = custos_err_set(CUSTOS_ENOMEM, "Argon2id needs %llu bytes of memory",
		                   (unsigned long long)v->pwhash_memlimit);
		goto out;
	}
	for (i = 0; i < CER_MASTER_LEN; i++)
		value[i] ^= mask[i];
out:
	if (pass != NULL)
		sodium_memzero(pass, CER_PASSPHRASE_MAX);
	sodium_free(pass);
	sodium_free(mask);
	return r;
}

/*
 * Every check of one share, up to the commitment.  On success s holds the
 * unmasked share and *ci the custodian's index; on failure s is wiped.
 */
static int
identify(const struct cer_vault *v, const char *mnemonic, cer_passphrase_fn fn, void *ctx,
         struct shr_share *s, size_t *ci, struct cer_offer_result *res)
{
	uint16_t words[SHR_MAX_WORDS];
	uint8_t commit[CER_COMMIT_LEN];
	const struct cer_custodian *c;
	size_t n;
	int r;

	/* A checksum alone could let a corrupted card pass as the other kind; the
	   commitment below closes that gap, so both kinds are decoded here. */
	if ((r = shr_mnemonic_words(mnemonic, strlen(mnemonic), words, SHR_MAX_WORDS, &n, &res->bad_word)) != 0 ||
	    (r = shr_share_decode(words, n, SHR_KIND_ANY, s)) != 0 || (r = check_set(v, s)) != 0)
		goto out;
	if ((c = cer_vault_custodian(v, s->group_index, s->member_index)) == NULL) {
		r = custos_err_set(CUSTOS_EMISMATCH, "no custodian of this CA holds member %u of group %u",
		                   s->member_index + 1u, s->group_index + 1u);
		goto out;
	}
	*ci = (size_t)(c - v->custodians);
	(void)snprintf(res->custodian, sizeof(res->custodian), "%s", c->name);
	if (c->has_passphrase != s->masked) {
		r = custos_err_set(CUSTOS_ESHARE, "%s's share is %spassphrase-protected, this card is %s",
		                   c->name, c->has_passphrase ? "" : "not ",
		                   s->masked ? "protected" : "not");
		goto out;
	}
	if (s->masked) {
		if ((r = cer_passphrase_apply(v, c, fn, ctx, 0, s->value)) != 0)
			goto out;
		s->masked = 0;
	}
	if ((r = cer_commitment(v->vault_id, s->group_index, s->member_index, s->value, s->value_len,
	                        commit)) != 0)
		goto out;
	if (sodium_memcmp(commit, c->commitment, CER_COMMIT_LEN) != 0)
		r = custos_err_set(CUSTOS_ECOMMITMENT,
		                   "this is not %s's share as issued (%s)", c->name,
		                   c->has_passphrase ? "wrong passphrase, or a mistyped word"
		                                     : "a mistyped word the checksum cannot see");
out:
	sodium_memzero(words, sizeof(words));
	if (r != 0)
		shr_share_wipe(s);
	return r;
}

int
cer_quorum_offer(struct cer_quorum *q, const char *mnemonic, cer_passphrase_fn fn, void *ctx,
                 struct cer_offer_result *res)
{
	struct shr_share *s = &q->shares[q->n]; /* in guarded memory; kept only on success */
	size_t ci = 0, i;
	int r;

	memset(res, 0, sizeof(*res));
	if (cer_quorum_needed(q) == 0 || q->n == CER_MAX_CUSTODIANS) {
		r = custos_err_set(CUSTOS_EREFUSED, "the quorum is already met");
		goto out;
	}
	if ((r = identify(q->v, mnemonic, fn, ctx, s, &ci, res)) != 0)
		goto out;
	for (i = 0; i < q->n; i++)
		if (q->custodian[i] == ci) {
			r = custos_err_set(CUSTOS_EDUPLICATE, "%s's share was already accepted",
			                   res->custodian);
			goto out;
		}
	if (group_have(q, s->group_index) >= q->v->groups[s->group_index].threshold) {
		r = custos_err_set(CUSTOS_EREFUSED, "group %s already has the %u shares it needs",
		                   q->v->groups[s->group_index].name,
		                   q->v->groups[s->group_index].threshold);
		goto out;
	}
	q->custodian[q->n] = ci;
	q->n++;
out:
	if (r != 0)
		shr_share_wipe(s);
	res->have = q->n;
	res->still_needed = cer_quorum_needed(q);
	notify(q, r, res);
	return r;
}

int
cer_quorum_check_one(const struct cer_vault *v, const char *mnemonic, cer_passphrase_fn fn,
                     void *ctx, struct cer_offer_result *res)
{
	struct shr_share *s = sodium_malloc(sizeof(*s));
	size_t ci;
	int r;

	memset(res, 0, sizeof(*res));
	if (s == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "share");
	r = identify(v, mnemonic, fn, ctx, s, &ci, res);
	shr_share_wipe(s);
	sodium_free(s);
	return r;
}

int
cer_quorum_master(struct cer_quorum *q, uint8_t *master)
{
	struct shr_share *pick;
	uint8_t *out;
	size_t need = cer_quorum_needed(q), i, n = 0, len = 0, groups = 0;
	unsigned g;
	int r;

	memset(master, 0, CER_MASTER_LEN);
	if (need > 0)
		return custos_err_set(CUSTOS_ETHRESHOLD, "%zu more share%s needed (%zu accepted)", need,
		                      need == 1 ? " is" : "s are", q->n);
	pick = sodium_malloc(sizeof(struct shr_share) * CER_MAX_CUSTODIANS);
	out = sodium_malloc(SHR_VALUE_MAX);
	if (pick == NULL || out == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "combining");
		goto out;
	}
	/* Exactly group_threshold complete groups go into the combination. */
	for (g = 0; g < q->v->ngroups && groups < q->v->group_threshold; g++) {
		if (group_have(q, g) < q->v->groups[g].threshold)
			continue;
		for (i = 0; i < q->n; i++)
			if (q->shares[i].group_index == g)
				pick[n++] = q->shares[i];
		groups++;
	}
	if ((r = shr_combine(pick, n, "", out, &len)) != 0)
		goto out;
	if (len != CER_MASTER_LEN) {
		r = custos_err_set(CUSTOS_ESHARE, "the master secret has the wrong length");
		goto out;
	}
	memcpy(master, out, CER_MASTER_LEN);
out:
	if (pick != NULL)
		sodium_memzero(pick, sizeof(struct shr_share) * CER_MAX_CUSTODIANS);
	if (out != NULL)
		sodium_memzero(out, SHR_VALUE_MAX);
	sodium_free(pick);
	sodium_free(out);
	return r;
}
