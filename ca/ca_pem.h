/*
 * ca_pem: strict intake of one PEM block or of raw DER, for CSRs and
 * certificates that arrive from outside (USB stick, QR).
 *
 * Invariant: what is accepted is exactly one object: raw DER (the caller
 * checks that the DER is one element with nothing after it), or optional
 * leading whitespace, one PEM block with an expected label and no headers,
 * and optional trailing whitespace.  Anything else is refused, naming why.
 */
#ifndef CA_PEM_H
#define CA_PEM_H

#include <stddef.h>

#include "common/err.h"

/*
 * Takes data (len bytes, at most max) and returns its DER bytes in a new
 * buffer (*der, *derlen; OPENSSL_free).  labels is a NULL-terminated list of
 * accepted PEM labels, e.g. {"CERTIFICATE", NULL}; *is_pem says which form it
 * was.  Returns 0, CUSTOS_EFORMAT (empty, neither PEM nor DER, wrong label,
 * headers, bad base64, text before or after the block), or CUSTOS_ETOOBIG.
 */
int ca_pem_or_der(const unsigned char *data, size_t len, size_t max, const char *const *labels,
                  unsigned char **der, size_t *derlen, int *is_pem) CUSTOS_WUR;

#endif
