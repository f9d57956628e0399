/*
 * cer_sign: the CA engine's ceremonies: signing an issuing-CA CSR, recording
 * a revocation, issuing a CRL.  Each runs its checks, the X.509 work (ca/)
 * and the inventory change in one transaction; an artifact is handed back
 * only after it is recorded, so a crash never leaves a certificate written
 * but unrecorded or a CRL number used twice.  With a session (may be NULL),
 * the operation's audit record is appended in the same transaction: the
 * inventory and the log change together or not at all.
 */
#ifndef CER_SIGN_H
#define CER_SIGN_H

#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ceremony/cer_db.h"
#include "ceremony/cer_home.h"
#include "common/err.h"

struct ca_profile_set;
struct cer_session;

/* What a signing ceremony produced. */
struct cer_signed {
	X509 *cert;                            /* X509_free */
	uint8_t serial[CER_SERIAL_LEN];
	uint8_t sha256[32];                    /* of the certificate's DER */
	uint8_t csr_sha256[32];
};

/*
 * Signs an issuing-CA CSR (PEM or DER, csr_len bytes) under the named profile
 * with the unlocked root key and records it: ca/ does the checks, the lint
 * before and after, the signature and its verification; the certificate is
 * recorded in the inventory in one transaction before it is returned.  Needs
 * an active key.  Returns 0, CUSTOS_ESTATE, CUSTOS_ECSR, CUSTOS_EKEY,
 * CUSTOS_EPROFILE, CUSTOS_ELINT, CUSTOS_EDB...; nothing is recorded on failure.
 */
int cer_sign_csr(struct cer_home *h, struct cer_unlocked *u, struct cer_db *db,
                 const struct ca_profile_set *profiles, const char *profile,
                 const uint8_t *csr, size_t csr_len, time_t now, struct cer_session *session,
                 struct cer_signed *out) CUSTOS_WUR;

/*
 * The checks of cer_sign_csr() that need no key (key state, profile, CSR
 * review), so a ceremony can refuse bad input before any custodian types.
 */
int cer_sign_precheck(const struct cer_home *h, const struct ca_profile_set *profiles,
                      const char *profile, const uint8_t *csr, size_t csr_len) CUSTOS_WUR;

/* The key-state check of cer_crl_issue(). */
int cer_crl_precheck(const struct cer_home *h) CUSTOS_WUR;

/* Frees what cer_sign_csr() returned. */
void cer_signed_clear(struct cer_signed *s);

/* What a CRL ceremony produced. */
struct cer_crl {
	uint64_t number;
	uint64_t entries;
	time_t this_update, next_update;
	uint8_t *der; /* OPENSSL_malloc'd; cer_crl_clear() frees it */
	size_t der_len;
	uint8_t sha256[32];
};

/*
 * Issues the next CRL over every recorded revocation, streamed from the
 * inventory in serial order: number one above the last, thisUpdate now,
 * nextUpdate from the profiles; linted, signed, verified and recorded in one
 * transaction before it is returned.  Allowed while the key is active,
 * deactivated or compromised.
 */
int cer_crl_issue(struct cer_home *h, struct cer_unlocked *u, struct cer_db *db,
                  const struct ca_profile_set *profiles, time_t now, struct cer_session *session,
                  struct cer_crl *out) CUSTOS_WUR;

/* Frees what cer_crl_issue() returned. */
void cer_crl_clear(struct cer_crl *c);

/*
 * Records the revocation of an issued certificate (no key needed; it takes
 * effect on the next CRL).  Allowed while the key is active, deactivated or
 * compromised.  Returns 0, CUSTOS_ESTATE, CUSTOS_ENOENT (never issued),
 * CUSTOS_EEXIST (already revoked), CUSTOS_EDB.
 */
int cer_revoke(struct cer_home *h, struct cer_db *db, const uint8_t serial[CER_SERIAL_LEN],
               enum cer_reason reason, time_t now, struct cer_session *session) CUSTOS_WUR;

#endif
