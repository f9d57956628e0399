/*
 * ca_root: the self-signed root certificate (DESIGN section 5, root column),
 * and the certificate helpers around it: self-check, PEM, fingerprint.
 *
 * Profile, and nothing else: X.509 v3; serial of CA_SERIAL_LEN CSPRNG bytes
 * (custos_random) with the top bit cleared and a non-zero first byte, so the
 * DER INTEGER is always exactly 20 bytes, positive and non-zero; issuer =
 * subject, byte for byte; notBefore = now; notAfter = now + days * 86400 - 1
 * (the CA/B Forum BR count a validity period inclusively, so this is exactly
 * `days` days); basicConstraints critical cA=TRUE without pathLen; keyUsage
 * critical keyCertSign + cRLSign; subjectKeyIdentifier = SHA-1 of the
 * subjectPublicKey bits (RFC 5280 4.2.1.2 method 1); authorityKeyIdentifier
 * with keyIdentifier = SKI only; signed with ca_key_digest() (RSA PKCS#1
 * v1.5).  The result is verified before it is returned.
 */
#ifndef CA_ROOT_H
#define CA_ROOT_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/err.h"

#define CA_SERIAL_LEN 20
#define CA_ROOT_DAYS_MIN 2922u
#define CA_ROOT_DAYS_MAX 9132u
#define CA_CERT_PEM_MAX (64 * 1024)

/*
 * A new serial number (ASN1_INTEGER_free): CA_SERIAL_LEN bytes from
 * custos_random(), top bit cleared, first byte non-zero (redrawn if zero, at
 * most 16 times).  Returns 0 or CUSTOS_ERANDOM, CUSTOS_ENOMEM.  Uniqueness
 * in the inventory is the caller's to check.
 */
int ca_serial_generate(ASN1_INTEGER **out) CUSTOS_WUR;

/*
 * Creates and self-signs the root certificate for key (one of ours, with its
 * private half) and subject (not empty; copied).  2922 <= days <= 9132;
 * 0 <= now and now + days fits before the year 10000.  Returns 0 and a new
 * certificate (X509_free), or CUSTOS_EINVAL (days, now, subject), CUSTOS_EKEY,
 * CUSTOS_ERANDOM, CUSTOS_ECRYPTO, CUSTOS_ELINT (the result failed its own
 * check); *out is NULL on failure.
 */
int ca_root_create(EVP_PKEY *key, const X509_NAME *subject, unsigned days, time_t now,
                   X509 **out) CUSTOS_WUR;

/*
 * Checks that root's signature verifies under its own public key (and that
 * the outer and inner signature algorithms agree) and that its issuer DER
 * equals its subject DER byte for byte.  Returns 0, CUSTOS_EAUTH (signature),
 * CUSTOS_ELINT (issuer differs), or CUSTOS_EKEY (no usable public key).
 */
int ca_cert_verify_self(X509 *root) CUSTOS_WUR;

/* cert as PEM into a new NUL-terminated buffer (OPENSSL_free); *len excludes the NUL. */
int ca_cert_to_pem(X509 *cert, char **pem, size_t *len) CUSTOS_WUR;

/*
 * Exactly one PEM "CERTIFICATE" block (whitespace around it allowed) of
 * strict DER, at most CA_CERT_PEM_MAX bytes, to a new certificate
 * (X509_free).  Returns 0, CUSTOS_EFORMAT, or CUSTOS_ETOOBIG.
 */
int ca_cert_from_pem(const char *pem, size_t len, X509 **out) CUSTOS_WUR;

/* SHA-256 of cert's DER.  0 or CUSTOS_ECRYPTO (out zeroed). */
int ca_cert_sha256(X509 *cert, unsigned char out[32]) CUSTOS_WUR;

#endif
