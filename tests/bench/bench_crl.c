/*
 * bench_crl: time and memory of the streaming CRL builder.
 *
 *   bench_crl [ENTRIES [ALG [--parse-back]]]
 *
 * Builds a CRL of ENTRIES (default 1000000) revoked 20-byte serials in
 * ascending order, one reason in three, under a fresh root of ALG (default
 * ec-p256), and reports the time to add the entries, the time of
 * ca_crl_finish (lint, sign, verify, lint again), and the CRL's size.  With
 * --parse-back it also parses the result with d2i_X509_CRL and verifies it
 * with X509_CRL_verify, to measure what that would add.  Peak memory: run it
 * under /usr/bin/time -v.  Not a ctest (scripts/bench or by hand).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "ca/ca_crl.h"
#include "ca/ca_key.h"
#include "ca/ca_name.h"
#include "ca/ca_root.h"

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
fail(const char *what, int r)
{
	char buf[600];

	fprintf(stderr, "bench_crl: %s: %s\n", what, custos_err_describe(r, buf, sizeof(buf)));
	return 1;
}

int
main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000ul, i;
	const char *algname = argc > 2 ? argv[2] : "ec-p256";
	int parse_back = argc > 3 && strcmp(argv[3], "--parse-back") == 0;
	struct ca_crl_builder *b = NULL;
	unsigned char serial[20], *der = NULL;
	const unsigned char *p;
	time_t now = time(NULL);
	X509_NAME *name = NULL;
	EVP_PKEY *key = NULL;
	X509 *root = NULL;
	X509_CRL *crl;
	enum ca_alg alg;
	double t0, t1, t2, t3;
	size_t len = 0;
	int r;

	if ((r = ca_alg_from_name(algname, &alg)) != 0 || (r = ca_key_generate(alg, &key)) != 0 ||
	    (r = ca_name_parse("/C=US/O=Example/CN=Bench Root", &name)) != 0 ||
	    (r = ca_root_create(key, name, 3650, now - 60, &root)) != 0)
		return fail("root", r);
	t0 = seconds();
	if ((r = ca_crl_begin_u64(root, 1, now, 30, &b)) != 0)
		return fail("begin", r);
	memset(serial, 0, sizeof(serial));
	for (i = 0; i < n; i++) {
		/* ascending: a random-looking fixed prefix, then the counter */
		serial[0] = 0x5a;
		serial[16] = (unsigned char)(i >> 24);
		serial[17] = (unsigned char)(i >> 16);
		serial[18] = (unsigned char)(i >> 8);
		serial[19] = (unsigned char)i;
		if ((r = ca_crl_add(b, serial, sizeof(serial), now - 1000,
		                    i % 3 == 0 ? CA_CRL_REASON_KEY_COMPROMISE
		                               : CA_CRL_REASON_NONE)) != 0)
			return fail("add", r);
	}
	t1 = seconds();
	if ((r = ca_crl_finish(b, key, &der, &len)) != 0)
		return fail("finish", r);
	t2 = seconds();
	printf("entries %lu  alg %s  crl %zu bytes\n", n, algname, len);
	printf("add %.3f s  finish (lint, sign, verify, lint) %.3f s  total %.3f s\n", t1 - t0,
	       t2 - t1, t2 - t0);
	if (parse_back) {
		p = der;
		if ((crl = d2i_X509_CRL(NULL, &p, (long)len)) == NULL ||
		    X509_CRL_verify(crl, X509_get0_pubkey(root)) != 1)
			return fail("parse back", CUSTOS_ECRYPTO);
		t3 = seconds();
		printf("d2i_X509_CRL + X509_CRL_verify %.3f s (%d entries)\n", t3 - t2,
		       sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)));
		X509_CRL_free(crl);
	}
	OPENSSL_free(der);
	ca_crl_builder_free(b);
	X509_free(root);
	X509_NAME_free(name);
	EVP_PKEY_free(key);
	return 0;
}
