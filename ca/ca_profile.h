/*
 * ca_profile: the certificate profiles of one CA (DESIGN section 5): the
 * root's validity, one or more named issuing-CA profiles, and the CRL's
 * nextUpdate -- kept in the CA home as profiles.json, set at init and changed
 * only under a quorum (the caller's business; this module touches no file).
 *
 * The file is JSON, read with jansson (duplicate keys refused); this module
 * checks its shape itself so that every refusal names the key, e.g.
 * "issuing_ca.issuing-ca.validity_days: must be an integer from 1 to 3650, not 0".
 * Canonical form (what ca_profile_serialize writes, and what the defaults are):
 *
 *   {
 *     "version": 1,
 *     "root": { "validity_days": 7305 },
 *     "issuing_ca": {
 *       "issuing-ca": {
 *         "validity_days": 1826,                    required, 1..3650
 *         "path_len": 0,                            0..5, default 0
 *         "eku": ["serverAuth", "clientAuth"],      subset of those two, [] = no extension
 *         "policies": [ {"oid": "2.23.140.1.2.1"},  at most CA_PROFILE_POLICIES_MAX,
 *                       {"oid": "1.3.6.1.4.1.55555.1.1",
 *                        "cps_uri": "https://example.com/cps"} ],   default []
 *         "crl_url": "http://crl.example.com/root.crl",             optional
 *         "aia_ca_issuers_url": "http://example.com/root.cer",      optional
 *         "name_constraints": {                     optional; when present, not empty
 *           "permitted_dns": ["example.com"], "excluded_dns": [],
 *           "permitted_ip": ["192.0.2.0/24", "2001:db8::/32"], "excluded_ip": [] },
 *         "subject": { "allowed": ["C", "ST", "L", "O", "CN"],
 *                      "required": ["C", "O", "CN"] }
 *       }
 *     },
 *     "crl": { "next_update_days": 180 }                            1..365
 *   }
 *
 * Keys other than these are refused, as are: wrong JSON types; "version"
 * other than 1; root validity outside 2922..9132 days (ca_root.h); a profile
 * name not matching [a-z0-9][a-z0-9-]{0,63}; an EKU other than serverAuth /
 * clientAuth (anyExtendedKeyUsage named as refused) or given twice; an OID
 * that is not dotted decimal (first arc 0..2, second arc below 40 under 0
 * and 1, no leading zeros, two or more arcs) or given twice; crl_url and
 * aia_ca_issuers_url that are not http:// (BR 7.1.2.11.2 and 7.1.2.10.3: the
 * CRL and caIssuers are fetched over plain http) and a cps_uri that is not
 * http:// or https://; URLs with spaces, control characters, quotes, angle
 * brackets, backslashes, userinfo or a fragment, or with an empty host; DNS
 * constraints that are not lower-case LDH names; IP constraints that are not
 * ADDRESS/PREFIX with the host bits zero; duplicates in any list; subject
 * attributes other than C, ST, L, O, OU, CN; a required attribute that is not
 * allowed; a subject that does not require CN.
 *
 * The CPS qualifier of a policy is attached to that policy alone.
 */
#ifndef CA_PROFILE_H
#define CA_PROFILE_H

#include <stddef.h>

#include "common/err.h"

#define CA_PROFILE_FILE_MAX (64 * 1024) /* bytes of profiles.json */
#define CA_PROFILE_VERSION 1
#define CA_PROFILE_SET_MAX 8   /* issuing profiles in one file */
#define CA_PROFILE_NAME_MAX 65 /* 64 characters and the NUL */
#define CA_PROFILE_DEFAULT_NAME "issuing-ca"
#define CA_PROFILE_POLICIES_MAX 8
#define CA_PROFILE_OID_MAX 100 /* dotted text, with the NUL */
#define CA_PROFILE_URL_MAX 256 /* with the NUL */
#define CA_PROFILE_NC_MAX 16   /* entries in each of the four constraint lists */
#define CA_PROFILE_DNS_MAX 254 /* 253 characters and the NUL */

#define CA_PROFILE_DAYS_MIN 1u
#define CA_PROFILE_DAYS_MAX 3650u
#define CA_PROFILE_PATHLEN_MAX 5
#define CA_PROFILE_CRL_DAYS_MIN 1u
#define CA_PROFILE_CRL_DAYS_MAX 365u

/* Extended key usages a profile may ask for (flags). */
#define CA_EKU_SERVER_AUTH 0x1u
#define CA_EKU_CLIENT_AUTH 0x2u

/* Subject attribute types (bits of allowed / required), in the BR 7.1.4.1 order. */
enum ca_attr { CA_ATTR_C, CA_ATTR_ST, CA_ATTR_L, CA_ATTR_O, CA_ATTR_OU, CA_ATTR_CN, CA_ATTR_COUNT };
#define CA_ATTR_BIT(a) (1u << (a))

struct ca_policy {
	char oid[CA_PROFILE_OID_MAX];
	char cps_uri[CA_PROFILE_URL_MAX]; /* "" = no CPS qualifier */
};

/* An IP range of a name constraint: addr and mask of len bytes (4 or 16). */
struct ca_ip_range {
	unsigned char len;
	unsigned char addr[16];
	unsigned char mask[16];
};

struct ca_name_constraints {
	size_t n_permitted_dns, n_excluded_dns, n_permitted_ip, n_excluded_ip;
	char permitted_dns[CA_PROFILE_NC_MAX][CA_PROFILE_DNS_MAX];
	char excluded_dns[CA_PROFILE_NC_MAX][CA_PROFILE_DNS_MAX];
	struct ca_ip_range permitted_ip[CA_PROFILE_NC_MAX];
	struct ca_ip_range excluded_ip[CA_PROFILE_NC_MAX];
};

/* One issuing-CA profile.  Strings are NUL-terminated; "" means absent. */
struct ca_profile {
	char name[CA_PROFILE_NAME_MAX];
	unsigned validity_days; /* CA_PROFILE_DAYS_MIN..CA_PROFILE_DAYS_MAX */
	int path_len;           /* 0..CA_PROFILE_PATHLEN_MAX */
	unsigned eku;           /* CA_EKU_* flags; 0 = no extKeyUsage extension */
	size_t n_policies;      /* 0 = no certificatePolicies extension */
	struct ca_policy policies[CA_PROFILE_POLICIES_MAX];
	char crl_url[CA_PROFILE_URL_MAX];            /* "" = no crlDistributionPoints */
	char aia_ca_issuers_url[CA_PROFILE_URL_MAX]; /* "" = no authorityInfoAccess */
	struct ca_name_constraints nc;               /* all four empty = no nameConstraints */
	unsigned subject_allowed;                    /* CA_ATTR_BIT() set */
	unsigned subject_required;                   /* a subset of subject_allowed, with CN */
};

struct ca_profile_set {
	unsigned root_validity_days;   /* CA_ROOT_DAYS_MIN..CA_ROOT_DAYS_MAX */
	unsigned crl_next_update_days; /* CA_PROFILE_CRL_DAYS_MIN..CA_PROFILE_CRL_DAYS_MAX */
	size_t n;                      /* 1..CA_PROFILE_SET_MAX */
	struct ca_profile issuing[CA_PROFILE_SET_MAX];
};

/* "C", "ST", "L", "O", "OU", "CN"; "?" for others. */
const char *ca_attr_name(enum ca_attr a);

/* The OpenSSL NID of a (NID_countryName, ...); NID_undef (0) for others. */
int ca_attr_nid(enum ca_attr a);

/* The attribute whose NID is nid, or -1. */
int ca_attr_from_nid(int nid);

/*
 * Parses profiles.json (json, len bytes, at most CA_PROFILE_FILE_MAX; need
 * not be NUL-terminated) into a new set (ca_profile_set_free).  Returns 0, or
 * CUSTOS_EPROFILE with a detail naming the key and what is wrong (or the line
 * and column of a JSON syntax error), CUSTOS_ETOOBIG, CUSTOS_ENOMEM; *out is
 * NULL on failure.
 */
int ca_profile_parse(const char *json, size_t len, struct ca_profile_set **out) CUSTOS_WUR;

/*
 * The canonical JSON of set (two-space indent, keys in the order above,
 * optional keys left out when absent, a final newline) into a new
 * NUL-terminated buffer (free()); *len excludes the NUL.  Parsing it gives
 * back an equal set.  Returns 0, CUSTOS_EPROFILE (set fails
 * ca_profile_set_check), or CUSTOS_ENOMEM; *json is NULL on failure.
 */
int ca_profile_serialize(const struct ca_profile_set *set, char **json, size_t *len) CUSTOS_WUR;

/*
 * The set a new CA starts with: root 7305 days; one profile "issuing-ca":
 * 1826 days, pathLen 0, EKU serverAuth + clientAuth, no policies, URLs or
 * name constraints, subject C ST L O CN allowed and C O CN required; CRL
 * nextUpdate 180 days.  Returns 0 and a new set (ca_profile_set_free), or
 * CUSTOS_ENOMEM.
 */
int ca_profile_defaults(struct ca_profile_set **out) CUSTOS_WUR;

/* Frees set (wiping nothing: profiles are public).  NULL is a no-op. */
void ca_profile_set_free(struct ca_profile_set *set);

/*
 * The profile called name in set (NULL name: CA_PROFILE_DEFAULT_NAME).
 * Returns 0 and a pointer into set, or CUSTOS_ENOENT naming the profiles
 * there are; *out is NULL then.
 */
int ca_profile_find(const struct ca_profile_set *set, const char *name,
                    const struct ca_profile **out) CUSTOS_WUR;

/*
 * Checks a profile built or changed in code by the rules the parser applies.
 * Returns 0 or CUSTOS_EPROFILE naming the field (prefixed with the name).
 */
int ca_profile_check(const struct ca_profile *p) CUSTOS_WUR;

/* ca_profile_check on each profile, plus the set-wide rules (unique names, days). */
int ca_profile_set_check(const struct ca_profile_set *set) CUSTOS_WUR;

#endif
