/*
 * cer_selftest: process hardening and the known-answer self-tests that run
 * before any operation.  A failed self-test refuses every operation.
 */
#ifndef CER_SELFTEST_H
#define CER_SELFTEST_H

#include <stddef.h>

#include "common/err.h"

#define CER_WARNINGS_MAX 4

struct cer_hardening {
	size_t nwarnings;
	char warnings[CER_WARNINGS_MAX][160]; /* for the operator; not fatal */
};

/*
 * Core dumps off (RLIMIT_CORE 0, PR_SET_DUMPABLE 0), libsodium and OpenSSL's
 * secure heap initialised, memory locking probed (a warning when it is not
 * available, or when swap is on), then the self-tests.  Returns 0, or
 * CUSTOS_ESELFTEST / CUSTOS_ECRYPTO: then nothing may run.
 */
int cer_harden(struct cer_hardening *out) CUSTOS_WUR;

/*
 * The self-tests alone: SLIP-0039 (an official vector combines to its
 * master secret; a changed word is refused), GF(256) and Shamir round trip,
 * XChaCha20-Poly1305 (seal, open, a flipped bit refused), BLAKE2b known
 * answer, and the key sign/verify test.  Returns 0 or CUSTOS_ESELFTEST.
 */
int cer_selftest(void) CUSTOS_WUR;

#endif
