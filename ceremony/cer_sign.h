/*
 * cer_sign: the CA engine's ceremonies: signing an issuing-CA CSR, recording
 * a revocation, issuing a CRL.  Each runs its checks, the X.509 work (ca/)
 * and the inventory change in one transaction; an artifact is handed back
 * only after it is recorded, so a crash never leaves a certificate written
 * but unrecorded or a CRL number used twice.
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

/*
 * Records the revocation of an issued certificate (no key needed; it takes
 * effect on the next CRL).  Allowed while the key is active, deactivated or
 * compromised.  Returns 0, CUSTOS_ESTATE, CUSTOS_ENOENT (never issued),
 * CUSTOS_EEXIST (already revoked), CUSTOS_EDB.
 */
int cer_revoke(struct cer_home *h, struct cer_db *db, const uint8_t serial[CER_SERIAL_LEN],
               enum cer_reason reason, time_t now) CUSTOS_WUR;

#endif
