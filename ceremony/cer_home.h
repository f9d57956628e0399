/*
 * cer_home: one CA home directory and the operations on it that need the
 * vault: creating a CA, opening it, unlocking the key with a quorum, the key
 * lifecycle, share rotation.
 *
 *   HOME/vault     the sealed root key and public metadata (cer_vault)
 *   HOME/root.pem  the root certificate
 *   HOME/ca.db     inventory and audit log (SQLite)
 *   HOME/exports/  default place for exported artifacts
 *
 * Invariants: a home is created whole or not at all (built in a staging
 * directory, then renamed into place without replacing anything); the vault
 * is only ever replaced atomically, and a replaced vault is shredded; the
 * unlocked key and master secret live in guarded memory and are wiped by
 * cer_unlocked_free().
 */
#ifndef CER_HOME_H
#define CER_HOME_H

#include <limits.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

#include "ca/ca_key.h"
#include "ceremony/cer_backend.h"
#include "ceremony/cer_quorum.h"
#include "ceremony/cer_vault.h"
#include "common/err.h"

#define CER_MIN_CUSTODIANS 2

struct cer_session;

struct cer_home {
	char path[PATH_MAX];
	struct cer_vault *vault;
	X509 *root;
	EVP_PKEY *root_pub; /* owned by root */
};

/* One group of custodians in a share plan. */
struct cer_plan_group {
	char name[CER_NAME_MAX];
	unsigned threshold;
	size_t count;
	char members[CER_MAX_CUSTODIANS][CER_NAME_MAX];
	int passphrase[CER_MAX_CUSTODIANS]; /* 1: this custodian protects their share with a passphrase */
};

/* Who holds shares, and how many open the vault. */
struct cer_share_plan {
	unsigned group_threshold; /* groups needed (1 for a plain M of N) */
	size_t ngroups;
	struct cer_plan_group groups[CER_MAX_GROUPS];
};

/*
 * Hands one custodian their share: write it to a file, or show it on a
 * cleared screen and have it typed back.  Returns 0, or an error that aborts
 * the whole operation (nothing is created or changed then).
 */
typedef int (*cer_deliver_fn)(void *ctx, const char *custodian, size_t index, size_t total,
                              const char *mnemonic);

struct cer_init_params {
	const char *home;
	const char *subject;   /* "/C=../O=../CN=.." */
	enum ca_alg alg;
	unsigned days;         /* 0: the profiles' root validity */
	const char *profiles_json; /* NULL: the default profiles */
	size_t profiles_len;
	struct cer_share_plan plan;
	const char *backend;   /* NULL: "software" */
	time_t now;
	cer_deliver_fn deliver;
	void *deliver_ctx;
	cer_passphrase_fn passphrase; /* asked for each custodian who has one (set it, then confirm) */
	void *passphrase_ctx;
	struct cer_session *session; /* the audit log's first records go here; NULL: none */
};

/* Fills plan with one group: threshold of the n custodians named. */
int cer_plan_simple(struct cer_share_plan *plan, unsigned threshold, const char *const *names,
                    size_t n) CUSTOS_WUR;

/* The plan that reproduces v's current custodians, thresholds and passphrase choices. */
void cer_plan_of(const struct cer_vault *v, struct cer_share_plan *plan);

/* Checks a plan: 2 <= M <= N <= 16 overall, names unique and usable as file names. */
int cer_plan_check(const struct cer_share_plan *plan) CUSTOS_WUR;

/*
 * Creates a new CA in p->home (which must not exist): root key, root
 * certificate, master secret, shares (delivered before anything is written),
 * vault.  Returns 0 or an error; on error nothing exists at p->home.
 */
int cer_init(const struct cer_init_params *p) CUSTOS_WUR;

/*
 * Opens the CA at path: reads and parses the vault and root.pem and checks the
 * vault's signature with the root key.  Returns 0, CUSTOS_ENOENT (no CA
 * there), CUSTOS_EFORMAT, CUSTOS_EVERSION, CUSTOS_EAUTH (altered).
 */
int cer_home_open(const char *path, struct cer_home **out) CUSTOS_WUR;

/* Frees h; NULL is a no-op. */
void cer_home_free(struct cer_home *h);

/* The root key, unlocked by a quorum. */
struct cer_unlocked {
	const struct cer_backend *backend;
	EVP_PKEY *key;
	uint8_t *master; /* CER_MASTER_LEN bytes, guarded memory */
};

/*
 * With the quorum met: combines the shares, opens the vault and checks that
 * the key is the root certificate's.  Returns 0, CUSTOS_ETHRESHOLD,
 * CUSTOS_EDIGEST, CUSTOS_EAUTH, CUSTOS_ESTATE (destroyed key).
 */
int cer_unlock(const struct cer_home *h, struct cer_quorum *q, struct cer_unlocked **out) CUSTOS_WUR;

/* Wipes and frees; NULL is a no-op. */
void cer_unlocked_free(struct cer_unlocked *u);

/* Returns 0 when from -> to is a legal lifecycle step, else CUSTOS_ESTATE naming it. */
int cer_state_transition_ok(enum cer_key_state from, enum cer_key_state to) CUSTOS_WUR;

/*
 * Moves the key to state `to` (checked), re-seals and re-signs the vault and
 * replaces it atomically; to CER_STATE_DESTROYED drops the sealed key for ever.
 */
int cer_key_set_state(struct cer_home *h, struct cer_unlocked *u, enum cer_key_state to,
                      time_t now) CUSTOS_WUR;

/*
 * Replaces the share set: a new master secret split by plan (NULL: the same
 * custodians and thresholds), delivered before the vault is re-sealed and
 * replaced.  The old set is recorded as retired and stops opening the vault.
 */
int cer_rotate(struct cer_home *h, struct cer_unlocked *u, const struct cer_share_plan *plan,
               cer_deliver_fn deliver, void *deliver_ctx, cer_passphrase_fn passphrase,
               void *passphrase_ctx, time_t now) CUSTOS_WUR;

/*
 * Makes next (a modified cer_vault_clone() of h->vault) the vault: re-seals
 * under master, signs with u's key, replaces the file atomically and shreds
 * the old one.  Takes ownership of next.  On failure h is unchanged.
 */
int cer_home_replace_vault(struct cer_home *h, struct cer_unlocked *u, const uint8_t *master,
                           struct cer_vault *next) CUSTOS_WUR;

/* SHA-256 of the root certificate's DER. */
int cer_root_fingerprint(const struct cer_home *h, uint8_t out[32]) CUSTOS_WUR;

#endif
