/*
 * ca_issue: signs an issuing CA's certificate under a profile (DESIGN
 * section 5), in exactly this order:
 *
 *   1. the root is linted (ca_lint_root), the profile checked, the CSR
 *      reviewed (ca_csr_review: key rules and self-signature);
 *   2. the subject is re-encoded from the CSR under the profile: only the
 *      allowed attributes, every required one, one per RDN, in the BR
 *      7.1.4.1 order C ST L O OU CN, C as PrintableString and the rest as
 *      UTF8String; anything else is refused naming the attribute;
 *   3. the serial: the caller's, or CA_SERIAL_LEN CSPRNG bytes from
 *      ca_serial_generate(), redrawn while the caller's serial_unused()
 *      says the inventory has it;
 *   4. the to-be-signed certificate is built with extensions from the
 *      profile only (never from the CSR): basicConstraints, keyUsage, SKI
 *      (method 1, from the CSR's key), AKI (the root's SKI), then EKU,
 *      certificatePolicies, crlDistributionPoints, authorityInfoAccess and
 *      nameConstraints as the profile says; issuer = the root's subject,
 *      compared byte for byte; the CSR's SubjectPublicKeyInfo byte for byte;
 *      notBefore = now, notAfter = now + days * 86400 - 1 (inclusive count,
 *      as for the root).  Validity that would end after the root's notAfter
 *      is REFUSED (CUSTOS_EREFUSED, naming both dates and the most days that
 *      still fit): a certificate shorter than its profile says would be
 *      signed without anyone having approved that lifetime, so the operator
 *      picks (or the officers change) a profile instead;
 *   5. it is signed with a throwaway key of the root key's type and digest
 *      and linted (ca_lint_issuing_der), before the root key signs anything;
 *   6. it is signed with root_key; the signature is verified with the root
 *      certificate's public key; the TBS bytes are compared with the linted
 *      ones; the result is parsed afresh from its DER and linted again.
 *
 * Only then is it returned.  Nothing is recorded: the caller stores the
 * certificate (its DER is i2d_X509 of the result, byte for byte what was
 * verified and linted).
 */
#ifndef CA_ISSUE_H
#define CA_ISSUE_H

#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/ca_profile.h"
#include "common/err.h"

#define CA_ISSUE_SERIAL_TRIES 8

/*
 * Says whether serial is free in the caller's inventory: 1 unused, 0 taken,
 * or a negative CUSTOS_E* code (the issue stops with it).
 */
typedef int (*ca_serial_unused_fn)(void *ctx, const ASN1_INTEGER *serial);

struct ca_issue_opts {
	/* A serial to use (16..20 bytes, positive, top bit clear); NULL: generate one. */
	const ASN1_INTEGER *serial;
	/* Asked about each candidate serial; NULL: no check. */
	ca_serial_unused_fn serial_unused;
	void *serial_ctx;
};

/*
 * Issues the certificate for csr under profile p, signed with root_key (the
 * private half of root's key; may be an opaque provider key, used only
 * through EVP), at time now.  opts may be NULL (a generated serial, no
 * inventory check).  Returns 0 and a new certificate in *out (X509_free), or:
 * CUSTOS_EINVAL (arguments, now), CUSTOS_EPROFILE (p fails
 * ca_profile_check), CUSTOS_ECSR / CUSTOS_EKEY (the CSR fails review, or its
 * subject breaks the profile: the attribute is named), CUSTOS_EEXIST (the
 * given serial is taken, or CA_ISSUE_SERIAL_TRIES generated ones were),
 * CUSTOS_EREFUSED (validity beyond the root's, or now before the root's
 * notBefore), CUSTOS_ELINT (the root, the throwaway-signed or the final
 * certificate breaks a rule: "lint <id>: ..."), CUSTOS_EAUTH (the signature
 * does not verify with the root's public key), CUSTOS_ERANDOM,
 * CUSTOS_ECRYPTO, CUSTOS_ENOMEM.  *out is NULL on failure.
 */
int ca_issue_cert(const struct ca_profile *p, X509 *root, EVP_PKEY *root_key, X509_REQ *csr,
                  time_t now, const struct ca_issue_opts *opts, X509 **out) CUSTOS_WUR;

/*
 * Step 2 alone: the subject custos would issue for csr_subject under p, into
 * a new name (X509_NAME_free).  Returns 0, or CUSTOS_ECSR naming the
 * attribute that the profile forbids, that is missing, repeated, in a
 * multi-valued RDN, or whose value is unusable (not text, control or
 * invisible characters, edge spaces, too long, C not two capital letters).
 */
int ca_issue_subject(const struct ca_profile *p, const X509_NAME *csr_subject,
                     X509_NAME **out) CUSTOS_WUR;

#endif
