/*
 * ca_lint: a checker of the DESIGN section 5 table and RFC 5280 for what
 * custos signs: the root certificate, an issuing-CA certificate under its
 * profile, and a CRL.
 *
 * Each rule has a stable id ("ca.issuer-bytes", "crl.order", ...; the full
 * list, with what each rule demands, is the table at the top of ca_lint.c
 * and ca_lint_rules()).  A lint returns 0 when no rule is broken, else
 * CUSTOS_ELINT with the detail "lint <id>: <what is wrong>" of the FIRST
 * broken rule in the order of that table; when report is not NULL it
 * receives the findings (filled on success too, with n = 0).  Lints read the encoded bytes (DER is
 * checked first and everything else is read from a fresh parse of them); they never verify the
 * signature of a certificate they are given (the issuer lints a certificate
 * signed with a throwaway key), except the root's self-signature.
 *
 * Time: now is the caller's clock; a notBefore or thisUpdate up to
 * CA_LINT_SKEW seconds after now is accepted.
 */
#ifndef CA_LINT_H
#define CA_LINT_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ca/ca_profile.h"
#include "common/err.h"

#define CA_LINT_SKEW 300        /* seconds */
#define CA_LINT_FINDINGS_MAX 64 /* findings kept in a report (the first of each rule) */
#define CA_LINT_RULE_MAX 40     /* longest rule id, with the NUL */
#define CA_LINT_MESSAGE_MAX 200

struct ca_lint_finding {
	char rule[CA_LINT_RULE_MAX];
	char message[CA_LINT_MESSAGE_MAX];
};

/*
 * All findings of one lint: the first finding of each broken rule, in the
 * order of ca_lint_rules(); count also counts the repeats (e.g. every
 * out-of-order entry of a CRL).
 */
struct ca_lint_report {
	size_t n;     /* findings[0 .. n) */
	size_t count; /* findings made, repeats included */
	struct ca_lint_finding findings[CA_LINT_FINDINGS_MAX];
};

/* The ids of every rule, in table order (*n of them; static strings). */
const char *const *ca_lint_rules(size_t *n);

/* 1 when report holds a finding of rule id, else 0. */
int ca_lint_report_has(const struct ca_lint_report *report, const char *id);

/*
 * Lints root (a) as a custos root: cert.* rules plus root.*: issuer DER equal
 * to the subject DER, a validity of CA_ROOT_DAYS_MIN..CA_ROOT_DAYS_MAX days,
 * only basicConstraints (no pathLen), keyUsage, SKI and AKI (= SKI), a key
 * of one of the five algorithms, the self-signature.  Returns 0,
 * CUSTOS_ELINT (first finding in the detail), CUSTOS_EINVAL, CUSTOS_ENOMEM.
 */
int ca_lint_root(X509 *root, time_t now, struct ca_lint_report *report) CUSTOS_WUR;

/*
 * Lints cert (b) as an issuing-CA certificate issued by root under profile p
 * (see ca_lint.c's table for every rule).  root must itself be a sound root
 * (the caller lints it).  Returns as ca_lint_root().
 */
int ca_lint_issuing(X509 *cert, const struct ca_profile *p, X509 *root, time_t now,
                    struct ca_lint_report *report) CUSTOS_WUR;

/* The same for a certificate's DER (der, len bytes). */
int ca_lint_issuing_der(const unsigned char *der, size_t len, const struct ca_profile *p,
                        X509 *root, time_t now, struct ca_lint_report *report) CUSTOS_WUR;

/*
 * Lints a CRL (c) in DER (der, len bytes) issued by root, with nextUpdate at
 * most max_days (1..365) after thisUpdate.  Reads the DER in place, never
 * building OpenSSL objects per entry, so a CRL of millions of entries costs
 * no memory.  Does not verify the signature.  Returns as ca_lint_root().
 */
int ca_lint_crl(const unsigned char *der, size_t len, X509 *root, unsigned max_days, time_t now,
                struct ca_lint_report *report) CUSTOS_WUR;

/*
 * The same for a TBSCertList (tbs, tbslen bytes) about to be signed with
 * an AlgorithmIdentifier equal to its inner one: the crl.* rules that do not
 * look at the outer structure.
 */
int ca_lint_crl_tbs(const unsigned char *tbs, size_t tbslen, X509 *root, unsigned max_days,
                    time_t now, struct ca_lint_report *report) CUSTOS_WUR;

/*
 * The value rule of cert.subject-value for attribute a, given as UTF-8 (n
 * bytes): C is two capital letters; the others are valid UTF-8 without
 * control or invisible characters (the set ca_name.h lists), without
 * leading or trailing spaces, not empty, and within RFC 5280's upper bound
 * in characters (ST, L 128; O, OU, CN 64).  Returns NULL when acceptable,
 * else what is wrong (a static string).
 */
const char *ca_lint_attr_value_problem(enum ca_attr a, const unsigned char *utf8, size_t n);

/*
 * The signature AlgorithmIdentifier DER that custos uses with key (one of
 * ours, public half enough): ecdsa-with-SHA256/384/512 without parameters,
 * sha256/384WithRSAEncryption with NULL parameters (CA/B Forum BR 7.1.3.2).
 * Sets *der to static bytes and returns 0, or CUSTOS_EKEY.
 */
int ca_lint_sig_algid(EVP_PKEY *key, const unsigned char **der, size_t *len) CUSTOS_WUR;

#endif
