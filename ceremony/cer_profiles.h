/*
 * cer_profiles: the CA's certificate profiles, HOME/profiles.json, and the
 * root key's detached signature over it, HOME/profiles.json.sig.
 *
 * The security officer sets the profiles at init; they change only under a
 * quorum (the new file is signed with the unlocked root key).  Every signing
 * ceremony loads them through cer_profiles_load(), which refuses a file whose
 * signature does not verify with the root certificate: an edited profile can
 * never shape a certificate.
 */
#ifndef CER_PROFILES_H
#define CER_PROFILES_H

#include <openssl/evp.h>
#include <stddef.h>

#include "ca/ca_profile.h"
#include "ceremony/cer_home.h"
#include "common/err.h"

/*
 * Writes dir/profiles.json (canonical JSON of set) and its signature by key.
 * exclusive: refuse to replace existing files (init).
 */
int cer_profiles_write(const char *dir, const struct ca_profile_set *set,
                       const struct cer_backend *be, EVP_PKEY *key, int exclusive) CUSTOS_WUR;

/* Reads and checks HOME's profiles (signature, then strict parse). */
int cer_profiles_load(const struct cer_home *h, struct ca_profile_set **out) CUSTOS_WUR;

/* Parses and checks json (a whole profiles file) and makes it the CA's, signed by u. */
int cer_profiles_replace(struct cer_home *h, struct cer_unlocked *u, const char *json,
                         size_t len) CUSTOS_WUR;

#endif
