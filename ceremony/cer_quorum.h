/*
 * cer_quorum: collecting custodians' shares until a quorum is reached.
 *
 * Each share is checked the moment it is offered: well-formed, of this
 * vault's share set, its commitment matches the custodian its indices name,
 * that custodian not yet counted.  A share that fails any check is not kept
 * and the error names the custodian or the word position.  Accepted shares
 * live in guarded memory and are wiped by cer_quorum_free().
 */
#ifndef CER_QUORUM_H
#define CER_QUORUM_H

#include <stddef.h>
#include <stdint.h>

#include "ceremony/cer_vault.h"
#include "common/err.h"

#define CER_PASSPHRASE_MAX 256

struct cer_quorum;

struct cer_offer_result {
	char custodian[CER_NAME_MAX]; /* whose share it was, when that is known */
	size_t bad_word;              /* 1-based position of an unknown word, else 0 */
	size_t have;                  /* shares counted so far */
	size_t still_needed;          /* shares still needed; 0 once the quorum is met */
};

/*
 * Asked for a custodian's passphrase when their share is passphrase-protected:
 * fills buf (len bytes, NUL-terminated).  Returns 0, or an error (e.g.
 * CUSTOS_ECANCELLED) which refuses the share.
 */
typedef int (*cer_passphrase_fn)(void *ctx, const char *custodian, char *buf, size_t len);

/*
 * Told about every offer once it is judged, for the audit log: result is 0
 * (counted) or the error, res says whose share it named (custodian is ""
 * when the share could not be read that far), the word position of an
 * unknown word and how many are still needed.  The observer never sees the
 * mnemonic, the share or a passphrase.  The error detail of the offer is
 * kept across the call.
 */
typedef void (*cer_quorum_observer_fn)(void *ctx, int result, const struct cer_offer_result *res);

/*
 * Asks fn for custodian c's passphrase (refusing one shorter than min_len)
 * and XORs Argon2id(passphrase, c->salt, v's limits) into value
 * (CER_MASTER_LEN bytes) in place: masking and unmasking are the same step.
 */
int cer_passphrase_apply(const struct cer_vault *v, const struct cer_custodian *c,
                         cer_passphrase_fn fn, void *ctx, size_t min_len,
                         uint8_t *value) CUSTOS_WUR;

/* Starts collecting shares for vault v (which must outlive q). */
int cer_quorum_new(const struct cer_vault *v, struct cer_quorum **out) CUSTOS_WUR;

/* Calls fn(ctx, ...) after every cer_quorum_offer() on q; fn NULL stops it. */
void cer_quorum_set_observer(struct cer_quorum *q, cer_quorum_observer_fn fn, void *ctx);

/* Wipes and frees q; NULL is a no-op. */
void cer_quorum_free(struct cer_quorum *q);

/*
 * Offers one mnemonic.  Returns 0 when it counted, else CUSTOS_EWORD,
 * CUSTOS_ECHECKSUM, CUSTOS_ESHARE, CUSTOS_EMISMATCH (another CA or a retired
 * set), CUSTOS_ECOMMITMENT (not this custodian's card: mistyped, or a wrong
 * passphrase), CUSTOS_EDUPLICATE (custodian already counted), CUSTOS_EREFUSED
 * (the quorum is already met, or the group is complete).  res is filled in
 * either case.  fn may be NULL when no custodian has a passphrase.
 */
int cer_quorum_offer(struct cer_quorum *q, const char *mnemonic, cer_passphrase_fn fn, void *ctx,
                     struct cer_offer_result *res) CUSTOS_WUR;

/* Shares still needed (0 when the quorum is met) and counted so far. */
size_t cer_quorum_needed(const struct cer_quorum *q);
size_t cer_quorum_have(const struct cer_quorum *q);

/* Writes the names of the custodians counted so far, ", "-separated, into buf. */
void cer_quorum_names(const struct cer_quorum *q, char *buf, size_t len);

/*
 * Checks the custodian's share against the commitment only: the same checks
 * as cer_quorum_offer() but nothing is kept (`shares verify`).
 */
int cer_quorum_check_one(const struct cer_vault *v, const char *mnemonic, cer_passphrase_fn fn,
                         void *ctx, struct cer_offer_result *res) CUSTOS_WUR;

/*
 * Once the quorum is met: combines the shares, checks the SLIP-0039 digest,
 * and writes the master secret into master (CER_MASTER_LEN bytes, caller's
 * guarded memory).  Returns 0, CUSTOS_ETHRESHOLD (naming how many more),
 * CUSTOS_EDIGEST.  master is wiped on failure.
 */
int cer_quorum_master(struct cer_quorum *q, uint8_t *master) CUSTOS_WUR;

#endif
