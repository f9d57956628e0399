/*
 * Fuzz target: CSR intake (one PEM block or DER) and review on arbitrary bytes.
 */
#include <openssl/x509.h>
#include <stdlib.h>

#include "ca/ca_csr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ca_csr_info info;
	X509_REQ *req = NULL;

	if (ca_csr_parse(data, size, &req) == 0)
		(void)!ca_csr_review(req, &info);
	X509_REQ_free(req);
	return 0;
}
