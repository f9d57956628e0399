/*
 * ca_crl: the root's CRL (DESIGN section 5), built as a stream.
 *
 * The entries go into one growing buffer as finished DER, in the order they
 * are added, which must be strictly ascending by serial (the inventory
 * streams them so); no OpenSSL object exists per entry, so a CRL of a
 * million entries costs what its DER does (30 to 56 bytes an entry: 44 MB
 * and 49 MB peak for a million 20-byte serials).  ca_crl_finish() writes the
 * TBSCertList around them in place, lints it (ca_lint_crl_tbs) before the
 * root key signs anything, signs it with EVP_DigestSign (the root key may be
 * an opaque provider key), assembles the CertificateList, verifies the
 * signature with the root certificate's public key, checks that the signed
 * TBS bytes are the linted ones (SHA-256), lints the whole CRL again
 * (ca_lint_crl) and, up to CA_CRL_PARSE_BACK_MAX entries, parses it back
 * with d2i_X509_CRL and verifies it with X509_CRL_verify as well (above that
 * OpenSSL's per-entry objects would cost some 330 bytes an entry, seven
 * times the CRL).  Nothing is recorded: the caller stores the DER.
 *
 * Profile: v2; signature AlgorithmIdentifier per ca_lint_sig_algid(); issuer
 * = the root subject's DER bytes; thisUpdate; nextUpdate = thisUpdate +
 * next_update_days * 86400 (1..365); revokedCertificates only when there is
 * an entry; entries of userCertificate, revocationDate and, for a reason
 * other than none, a non-critical reasonCode; crlExtensions
 * authorityKeyIdentifier (keyIdentifier = the root's SKI only) and
 * cRLNumber, both non-critical.  Times are UTCTime before 2050 and
 * GeneralizedTime from 2050 on (RFC 5280 5.1.2.4).
 */
#ifndef CA_CRL_H
#define CA_CRL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/err.h"

#define CA_CRL_NUMBER_MAX 20 /* octets of a cRLNumber (RFC 5280 5.2.3) */
#define CA_CRL_SERIAL_MAX 20 /* octets of a serial (RFC 5280 4.1.2.2) */
#define CA_CRL_ENTRIES_MAX 50000000u
#define CA_CRL_PARSE_BACK_MAX 65536u /* entries up to which OpenSSL re-reads the CRL */

/* Reasons a CRL entry may carry (RFC 5280 5.3.1); CA_CRL_REASON_NONE = no reasonCode. */
enum ca_crl_reason {
	CA_CRL_REASON_NONE = -1,
	CA_CRL_REASON_KEY_COMPROMISE = 1,
	CA_CRL_REASON_AFFILIATION_CHANGED = 3,
	CA_CRL_REASON_SUPERSEDED = 4,
	CA_CRL_REASON_CESSATION_OF_OPERATION = 5,
	CA_CRL_REASON_PRIVILEGE_WITHDRAWN = 9
};

struct ca_crl_builder;

/*
 * "keyCompromise", "affiliationChanged", "superseded",
 * "cessationOfOperation", "privilegeWithdrawn", or "none" / "unspecified"
 * (both CA_CRL_REASON_NONE).  Returns 0, or CUSTOS_EINVAL naming the valid
 * names (other RFC 5280 reasons are refused by name).
 */
int ca_crl_reason_from_name(const char *name, enum ca_crl_reason *out) CUSTOS_WUR;

/* The name of reason as ca_crl_reason_from_name() takes it ("none" for NONE); "?" otherwise. */
const char *ca_crl_reason_name(enum ca_crl_reason reason);

/*
 * Starts a CRL of root (the root certificate; copied by reference count),
 * number given big-endian in number_len bytes (1..CA_CRL_NUMBER_MAX; leading
 * zero bytes allowed; the value fits 159 bits), at this_update with
 * nextUpdate next_update_days later (1..365).  The caller keeps the number
 * strictly increasing.  Returns 0 and a new builder in *out
 * (ca_crl_builder_free), or CUSTOS_EINVAL (arguments, times before 1970 or
 * after 9999), CUSTOS_ELINT (a root without SKI), CUSTOS_EKEY, CUSTOS_ENOMEM.
 */
int ca_crl_begin(X509 *root, const unsigned char *number, size_t number_len, time_t this_update,
                 unsigned next_update_days, struct ca_crl_builder **out) CUSTOS_WUR;

/* ca_crl_begin() with the number as a uint64_t. */
int ca_crl_begin_u64(X509 *root, uint64_t number, time_t this_update, unsigned next_update_days,
                     struct ca_crl_builder **out) CUSTOS_WUR;

/*
 * Appends an entry: serial (big-endian, 1..CA_CRL_SERIAL_MAX bytes, no
 * leading zero byte, positive: top bit of the first byte clear), revoked at
 * revoked_at (not after this_update), with reason.  Serials must come in
 * strictly ascending order.  Returns 0, or CUSTOS_EINVAL (serial malformed,
 * not ascending or a duplicate -- named --, time, reason), CUSTOS_ETOOBIG
 * (CA_CRL_ENTRIES_MAX), CUSTOS_ENOMEM.  A failed add leaves the builder as
 * it was.
 */
int ca_crl_add(struct ca_crl_builder *b, const unsigned char *serial, size_t serial_len,
               time_t revoked_at, enum ca_crl_reason reason) CUSTOS_WUR;

/* Entries added so far. */
size_t ca_crl_count(const struct ca_crl_builder *b);

/*
 * Finishes the CRL (sequence above) with root_key (the private half of the
 * root's key, used only through EVP) and hands out its DER in a new buffer
 * (*der, *len; OPENSSL_free).  Returns 0, or CUSTOS_ELINT ("lint <id>: ..."),
 * CUSTOS_EAUTH (the signature does not verify with the root's public key),
 * CUSTOS_ECRYPTO, CUSTOS_ENOMEM; *der is NULL on failure.  The builder is
 * spent either way: only ca_crl_builder_free() may follow.
 */
int ca_crl_finish(struct ca_crl_builder *b, EVP_PKEY *root_key, unsigned char **der,
                  size_t *len) CUSTOS_WUR;

/* Frees b.  NULL is a no-op. */
void ca_crl_builder_free(struct ca_crl_builder *b);

/* der (a CRL) as PEM "X509 CRL" into a new NUL-terminated buffer (OPENSSL_free). */
int ca_crl_to_pem(const unsigned char *der, size_t len, char **pem, size_t *pemlen) CUSTOS_WUR;

#endif
