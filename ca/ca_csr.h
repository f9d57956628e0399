/*
 * ca_csr: intake and review of an issuing CA's certificate signing request
 * (DESIGN section 5, CSR rules).
 *
 * ca_csr_parse() decides whether the bytes are one well-formed CSR;
 * ca_csr_review() decides whether custos could sign its key and fills in
 * what the operator reads aloud.  Nothing from the CSR but its subject (to be
 * re-encoded under the profile) and its public key is ever used for signing:
 * the review reports extensions and attributes, they are never copied.
 */
#ifndef CA_CSR_H
#define CA_CSR_H

#include <stddef.h>

#include <openssl/x509.h>

#include "common/err.h"

#define CA_CSR_INPUT_MAX (64 * 1024)
#define CA_CSR_SUBJECT_DER_MAX 1024
/* A formatted subject of at most 1 KiB DER fits (every byte escaped is 3 characters). */
#define CA_CSR_SUBJECT_TEXT_MAX 8192

struct ca_csr_info {
	char subject[CA_CSR_SUBJECT_TEXT_MAX]; /* ca_name_format(); "" for an empty subject */
	const char *key_type;                  /* "RSA" or "EC" (static strings) */
	int key_bits;                          /* modulus bits, or 256 / 384 / 521 */
	const char *curve;                     /* "P-256", "P-384", "P-521"; NULL for RSA */
	char rsa_exponent[80];                 /* decimal; "" for EC */
	char signature_algorithm[64];          /* e.g. "ecdsa-with-SHA256" */
	size_t der_len;                        /* bytes of the CSR's DER */
	unsigned char csr_sha256[32];          /* SHA-256 of the CSR's DER (raw bytes, not hex) */
	unsigned char spki_sha256[32];         /* SHA-256 of its SubjectPublicKeyInfo DER (raw) */
	int has_extensions;                    /* an extensionRequest attribute is present */
	int extension_count;                   /* extensions in it (never copied) */
	int attribute_count;                   /* all attributes, extensionRequest included */
};

/*
 * data (len bytes) is exactly one PEM "CERTIFICATE REQUEST" or "NEW
 * CERTIFICATE REQUEST" block (whitespace around it allowed, nothing else), or
 * raw DER; at most CA_CSR_INPUT_MAX bytes; strict DER (definite minimal
 * lengths, nothing after it, re-encodes to the same bytes); a subject of at
 * most CA_CSR_SUBJECT_DER_MAX bytes of DER.  Returns 0 and a new request
 * (X509_REQ_free), or CUSTOS_ECSR / CUSTOS_ETOOBIG with the reason; *out is
 * NULL on failure.  The signature is not checked here.
 */
int ca_csr_parse(const unsigned char *data, size_t len, X509_REQ **out) CUSTOS_WUR;

/*
 * Reviews req and fills info (zeroed first).  Refuses, in this order:
 * version other than v1 or an over-long subject (CUSTOS_ECSR); a key that is
 * not RSA >= 2048 bits with modulus bits % 8 == 0 and an odd exponent
 * 65537 <= e < 2^256, or EC on a named P-256/P-384/P-521 curve, or whose
 * SubjectPublicKeyInfo algorithm is not encoded as the CA/B Forum BR
 * 7.1.3.1 require (CUSTOS_EKEY with the reason); a self-signature that does
 * not verify (CUSTOS_ECSR "signature does not verify"); a malformed
 * extensionRequest (CUSTOS_ECSR).  Returns 0 when the CSR is acceptable.
 */
int ca_csr_review(X509_REQ *req, struct ca_csr_info *info) CUSTOS_WUR;

#endif
