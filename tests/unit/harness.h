/*
 * A tiny test harness: CHECK records a failure and goes on, so one run shows
 * every broken expectation.  main() ends with "N passed, N failed".
 */
#ifndef CUSTOS_TEST_HARNESS_H
#define CUSTOS_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_checks_failed;
static int harness_tests_passed;
static int harness_tests_failed;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			harness_checks_failed++; \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		} \
	} while (0)

#define CHECK_EQ(a, b) \
	do { \
		long long harness_a = (long long)(a), harness_b = (long long)(b); \
		if (harness_a != harness_b) { \
			harness_checks_failed++; \
			fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n", \
			        __FILE__, __LINE__, #a, harness_a, #b, harness_b); \
		} \
	} while (0)

#define CHECK_MEM(a, b, n) CHECK(memcmp((a), (b), (n)) == 0)

#define RUN(test) \
	do { \
		int harness_before = harness_checks_failed; \
		test(); \
		if (harness_checks_failed == harness_before) { \
			harness_tests_passed++; \
		} else { \
			harness_tests_failed++; \
			fprintf(stderr, "FAIL %s\n", #test); \
		} \
	} while (0)

#define HARNESS_END() \
	(printf("%d passed, %d failed\n", harness_tests_passed, harness_tests_failed), \
	 harness_tests_failed == 0 ? 0 : 1)

#endif
