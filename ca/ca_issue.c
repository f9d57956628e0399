/*
 * ca_issue: an issuing CA's certificate, built from the profile and nothing
 * else, linted before and after the root key signs it (sequence in
 * ca_issue.h).
 *
 * Invariants: the only things taken from the CSR are its subject attributes
 * (re-encoded, never copied as DER) and its SubjectPublicKeyInfo (checked to
 * be carried byte for byte); every extension is built here from the
 * profile; the root key signs only a TBSCertificate that has passed the lint
 * already, and the certificate handed back is a fresh parse of the DER whose
 * signature was verified and which was linted again.
 */
#include "ca/ca_issue.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "ca/ca_csr.h"
#include "ca/ca_der.h"
#include "ca/ca_key.h"
#include "ca/ca_lint.h"
#include "ca/ca_name.h"
#include "ca/ca_root.h"

#define SECONDS_PER_DAY 86400
#define LAST_SECOND_9999 ((time_t)253402300799) /* 9999-12-31T23:59:59Z */

/* ---- the subject ---- */

/* The value of a CSR attribute as UTF-8 (OPENSSL_free), or NULL with the reason. */
static unsigned char *
attr_utf8(const ASN1_STRING *v, int *n, const char **why)
{
	unsigned char *u8 = NULL;

	switch (ASN1_STRING_type(v)) {
	case V_ASN1_UTF8STRING:
	case V_ASN1_PRINTABLESTRING:
	case V_ASN1_IA5STRING:
	case V_ASN1_BMPSTRING:
	case V_ASN1_UNIVERSALSTRING:
		break;
	case V_ASN1_T61STRING:
		*why = "is a TeletexString, which has no fixed character set (submit it as "
		       "UTF8String)";
		return NULL;
	default:
		*why = "is not a character string";
		return NULL;
	}
	if ((*n = ASN1_STRING_to_UTF8(&u8, v)) < 0) {
		ERR_clear_error();
		*why = "is not valid text in its string type";
		return NULL;
	}
	return u8;
}

/* Sorts the CSR's attributes by type into ent[], refusing what the profile does not allow. */
static int
collect_attrs(const struct ca_profile *p, const X509_NAME *subject, const X509_NAME_ENTRY **ent)
{
	const X509_NAME_ENTRY *ne;
	char oid[80];
	int i, a, count = X509_NAME_entry_count(subject), nid;

	if (count == 0)
		return custos_err_set(CUSTOS_ECSR, "the CSR's subject is empty");
	for (i = 0; i < count; i++) {
		ne = X509_NAME_get_entry(subject, i);
		nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));
		if (X509_NAME_ENTRY_set(ne) != i)
			return custos_err_set(CUSTOS_ECSR,
			                      "the CSR's subject has a multi-valued RDN (attribute "
			                      "%d); custos issues one attribute per RDN",
			                      i + 1);
		if ((a = ca_attr_from_nid(nid)) < 0) {
			if (OBJ_obj2txt(oid, sizeof(oid), X509_NAME_ENTRY_get_object(ne), 0) <= 0)
				(void)snprintf(oid, sizeof(oid), "?");
			return custos_err_set(CUSTOS_ECSR,
			                      "the CSR's subject has %s, which custos never issues "
			                      "(only C, ST, L, O, OU, CN)",
			                      oid);
		}
		if (!(p->subject_allowed & CA_ATTR_BIT(a)))
			return custos_err_set(CUSTOS_ECSR,
			                      "the CSR's subject has %s, which profile %s does not "
			                      "allow",
			                      ca_attr_name((enum ca_attr)a), p->name);
		if (ent[a] != NULL)
			return custos_err_set(CUSTOS_ECSR, "the CSR's subject has %s twice",
			                      ca_attr_name((enum ca_attr)a));
		ent[a] = ne;
	}
	for (a = 0; a < CA_ATTR_COUNT; a++)
		if ((p->subject_required & CA_ATTR_BIT(a)) && ent[a] == NULL)
			return custos_err_set(
			        CUSTOS_ECSR,
			        "profile %s requires %s in the subject; the CSR has none", p->name,
			        ca_attr_name((enum ca_attr)a));
	return 0;
}

int
ca_issue_subject(const struct ca_profile *p, const X509_NAME *csr_subject, X509_NAME **out)
{
	const X509_NAME_ENTRY *ent[CA_ATTR_COUNT] = {NULL};
	X509_NAME *name = NULL;
	unsigned char *u8 = NULL;
	const char *why = NULL;
	int a, n = 0, r, der;

	*out = NULL;
	if (p == NULL || csr_subject == NULL)
		return custos_err_set(CUSTOS_EINVAL, "no profile or subject");
	if ((r = collect_attrs(p, csr_subject, ent)) != 0)
		return r;
	if ((name = X509_NAME_new()) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "out of memory");
	for (a = 0; a < CA_ATTR_COUNT; a++) {
		if (ent[a] == NULL)
			continue;
		if ((u8 = attr_utf8(X509_NAME_ENTRY_get_data(ent[a]), &n, &why)) == NULL ||
		    (why = ca_lint_attr_value_problem((enum ca_attr)a, u8, (size_t)n)) != NULL) {
			r = custos_err_set(CUSTOS_ECSR, "the CSR's subject attribute %s %s",
			                   ca_attr_name((enum ca_attr)a), why);
			goto out;
		}
		if (!X509_NAME_add_entry_by_NID(name, ca_attr_nid((enum ca_attr)a),
		                                a == CA_ATTR_C ? V_ASN1_PRINTABLESTRING
		                                               : V_ASN1_UTF8STRING,
		                                u8, n, -1, 0)) {
			r = custos_err_set_openssl(CUSTOS_ENOMEM, "cannot build the subject");
			goto out;
		}
		OPENSSL_free(u8);
		u8 = NULL;
	}
	if ((der = i2d_X509_NAME(name, NULL)) <= 0 || der > CA_NAME_DER_MAX) {
		r = custos_err_set(CUSTOS_ECSR, "the re-encoded subject is over %d bytes of DER",
		                   CA_NAME_DER_MAX);
		goto out;
	}
	*out = name;
	name = NULL; /* transferred */
out:
	OPENSSL_free(u8);
	X509_NAME_free(name);
	return r;
}

/* ---- the serial ---- */

static int
check_given_serial(const ASN1_INTEGER *s)
{
	const unsigned char *d = ASN1_STRING_get0_data(s);
	int n = ASN1_STRING_length(s);

	if (ASN1_STRING_type(s) != V_ASN1_INTEGER || n < 16 || n > CA_SERIAL_LEN || d[0] == 0 ||
	    (d[0] & 0x80))
		return custos_err_set(CUSTOS_EINVAL, "a serial is 16 to 20 bytes, positive, "
		                                     "with its top bit clear and a non-zero first "
		                                     "byte");
	return 0;
}

static int
pick_serial(const struct ca_issue_opts *o, ASN1_INTEGER **out)
{
	ASN1_INTEGER *s = NULL;
	int tries, r;

	*out = NULL;
	for (tries = 0; tries < CA_ISSUE_SERIAL_TRIES; tries++) {
		if (o->serial != NULL) {
			if ((r = check_given_serial(o->serial)) != 0)
				return r;
			if ((s = ASN1_INTEGER_dup(o->serial)) == NULL)
				return custos_err_set(CUSTOS_ENOMEM, "out of memory");
		} else if ((r = ca_serial_generate(&s)) != 0) {
			return r;
		}
		if (o->serial_unused == NULL || (r = o->serial_unused(o->serial_ctx, s)) == 1) {
			*out = s;
			return 0;
		}
		ASN1_INTEGER_free(s);
		if (r < 0)
			return r;
		if (r != 0)
			return custos_err_set(CUSTOS_EINVAL, "serial_unused returned %d", r);
		if (o->serial != NULL)
			return custos_err_set(CUSTOS_EEXIST, "the serial given is already in the "
			                                     "inventory");
	}
	return custos_err_set(CUSTOS_EEXIST,
	                      "%d fresh random serials were all in the inventory already: the "
	                      "random source cannot be trusted",
	                      CA_ISSUE_SERIAL_TRIES);
}

/* ---- the extensions, from the profile only ---- */

static int
add(X509 *x, int nid, void *value, int critical)
{
	if (value == NULL || X509_add1_ext_i2d(x, nid, value, critical, X509V3_ADD_APPEND) != 1)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, OBJ_nid2sn(nid));
	return 0;
}

static int
add_constraints(X509 *x, int path_len)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	int r = CUSTOS_ENOMEM;

	if (bc != NULL && ku != NULL && (bc->pathlen = ASN1_INTEGER_new()) != NULL &&
	    ASN1_INTEGER_set(bc->pathlen, path_len) && ASN1_BIT_STRING_set_bit(ku, 5, 1) &&
	    ASN1_BIT_STRING_set_bit(ku, 6, 1)) {
		bc->ca = 0xff; /* DER TRUE */
		if ((r = add(x, NID_basic_constraints, bc, 1)) == 0)
			r = add(x, NID_key_usage, ku, 1);
	} else {
		r = custos_err_set(CUSTOS_ENOMEM, "out of memory");
	}
	BASIC_CONSTRAINTS_free(bc);
	ASN1_BIT_STRING_free(ku);
	return r;
}

/* SKI = SHA-1 of the certificate's key bits (method 1); AKI = the root's SKI only. */
static int
add_key_ids(X509 *x, X509 *root)
{
	const ASN1_OCTET_STRING *root_ski = X509_get0_subject_key_id(root);
	const unsigned char *bits = NULL;
	unsigned char sha1[20];
	unsigned int shalen = 0;
	ASN1_OCTET_STRING *ski = ASN1_OCTET_STRING_new();
	AUTHORITY_KEYID *aki = AUTHORITY_KEYID_new();
	int nbits = 0, r;

	if (root_ski == NULL) {
		r = custos_err_set(CUSTOS_ELINT, "the root has no subjectKeyIdentifier");
	} else if (ski == NULL || aki == NULL ||
	           X509_PUBKEY_get0_param(NULL, &bits, &nbits, NULL, X509_get_X509_PUBKEY(x)) !=
	                   1 ||
	           EVP_Digest(bits, (size_t)nbits, sha1, &shalen, EVP_sha1(), NULL) != 1 ||
	           !ASN1_OCTET_STRING_set(ski, sha1, (int)shalen) ||
	           (aki->keyid = ASN1_OCTET_STRING_dup(root_ski)) == NULL) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot compute the key identifiers");
	} else if ((r = add(x, NID_subject_key_identifier, ski, 0)) == 0) {
		r = add(x, NID_authority_key_identifier, aki, 0);
	}
	ASN1_OCTET_STRING_free(ski);
	AUTHORITY_KEYID_free(aki);
	return r;
}

static int
add_eku(X509 *x, unsigned eku)
{
	EXTENDED_KEY_USAGE *s;
	int r = CUSTOS_ENOMEM;

	if (eku == 0)
		return 0;
	if ((s = sk_ASN1_OBJECT_new_null()) != NULL &&
	    (!(eku & CA_EKU_SERVER_AUTH) || sk_ASN1_OBJECT_push(s, OBJ_nid2obj(NID_server_auth))) &&
	    (!(eku & CA_EKU_CLIENT_AUTH) || sk_ASN1_OBJECT_push(s, OBJ_nid2obj(NID_client_auth))))
		r = add(x, NID_ext_key_usage, s, 0);
	else
		r = custos_err_set(CUSTOS_ENOMEM, "out of memory");
	sk_ASN1_OBJECT_free(s); /* the objects are OpenSSL's static ones */
	return r;
}

static ASN1_IA5STRING *
ia5(const char *s)
{
	ASN1_IA5STRING *v = ASN1_IA5STRING_new();

	if (v != NULL && !ASN1_STRING_set(v, s, (int)strlen(s))) {
		ASN1_IA5STRING_free(v);
		v = NULL;
	}
	return v;
}

static POLICYINFO *
policy(const struct ca_policy *pol)
{
	POLICYINFO *pi = POLICYINFO_new();
	POLICYQUALINFO *q = NULL;

	if (pi == NULL || (pi->policyid = OBJ_txt2obj(pol->oid, 1)) == NULL)
		goto fail;
	if (pol->cps_uri[0] == '\0')
		return pi;
	if ((pi->qualifiers = sk_POLICYQUALINFO_new_null()) == NULL ||
	    (q = POLICYQUALINFO_new()) == NULL || (q->d.cpsuri = ia5(pol->cps_uri)) == NULL)
		goto fail;
	q->pqualid = OBJ_nid2obj(NID_id_qt_cps);
	if (!sk_POLICYQUALINFO_push(pi->qualifiers, q))
		goto fail;
	return pi;
fail:
	POLICYQUALINFO_free(q);
	POLICYINFO_free(pi);
	return NULL;
}

static int
add_policies(X509 *x, const struct ca_profile *p)
{
	CERTIFICATEPOLICIES *cp;
	POLICYINFO *pi;
	size_t i;
	int r = 0;

	if (p->n_policies == 0)
		return 0;
	if ((cp = sk_POLICYINFO_new_null()) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "out of memory");
	for (i = 0; i < p->n_policies && r == 0; i++)
		if ((pi = policy(&p->policies[i])) == NULL || !sk_POLICYINFO_push(cp, pi)) {
			POLICYINFO_free(pi);
			r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot build the policies");
		}
	if (r == 0)
		r = add(x, NID_certificate_policies, cp, 0);
	sk_POLICYINFO_pop_free(cp, POLICYINFO_free);
	return r;
}

static GENERAL_NAME *
general_name(int type, ASN1_STRING *v)
{
	GENERAL_NAME *gn = v != NULL ? GENERAL_NAME_new() : NULL;

	if (gn == NULL) {
		ASN1_STRING_free(v);
		return NULL;
	}
	GENERAL_NAME_set0_value(gn, type, v);
	return gn;
}

static int
add_crl_dp(X509 *x, const char *url)
{
	CRL_DIST_POINTS *dps = sk_DIST_POINT_new_null();
	DIST_POINT *dp = DIST_POINT_new();
	GENERAL_NAMES *names = GENERAL_NAMES_new();
	GENERAL_NAME *gn = general_name(GEN_URI, ia5(url));
	int r = custos_err_set(CUSTOS_ENOMEM, "out of memory");

	if (dps == NULL || dp == NULL || names == NULL || gn == NULL ||
	    (dp->distpoint = DIST_POINT_NAME_new()) == NULL || !sk_GENERAL_NAME_push(names, gn))
		goto out;
	gn = NULL;               /* transferred */
	dp->distpoint->type = 0; /* fullName */
	dp->distpoint->name.fullname = names;
	names = NULL; /* transferred */
	if (!sk_DIST_POINT_push(dps, dp))
		goto out;
	dp = NULL; /* transferred */
	r = add(x, NID_crl_distribution_points, dps, 0);
out:
	GENERAL_NAME_free(gn);
	GENERAL_NAMES_free(names);
	DIST_POINT_free(dp);
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	return r;
}

static int
add_aia(X509 *x, const char *url)
{
	AUTHORITY_INFO_ACCESS *aia = sk_ACCESS_DESCRIPTION_new_null();
	ACCESS_DESCRIPTION *ad = ACCESS_DESCRIPTION_new();
	int r;

	if (aia != NULL && ad != NULL) {
		ASN1_OBJECT_free(ad->method);
		ad->method = OBJ_nid2obj(NID_ad_ca_issuers);
		GENERAL_NAME_free(ad->location);
		ad->location = general_name(GEN_URI, ia5(url));
	}
	if (ad != NULL && ad->location != NULL && sk_ACCESS_DESCRIPTION_push(aia, ad)) {
		ad = NULL;
		r = add(x, NID_info_access, aia, 0);
	} else {
		r = custos_err_set(CUSTOS_ENOMEM, "out of memory");
	}
	ACCESS_DESCRIPTION_free(ad);
	sk_ACCESS_DESCRIPTION_pop_free(aia, ACCESS_DESCRIPTION_free);
	return r;
}

/* Appends one subtree with base gn (taken). */
static int
push_subtree(STACK_OF(GENERAL_SUBTREE) * st, GENERAL_NAME *gn)
{
	GENERAL_SUBTREE *s = gn != NULL ? GENERAL_SUBTREE_new() : NULL;

	if (s == NULL) {
		GENERAL_NAME_free(gn);
		return 0;
	}
	GENERAL_NAME_free(s->base);
	s->base = gn;
	if (!sk_GENERAL_SUBTREE_push(st, s)) {
		GENERAL_SUBTREE_free(s);
		return 0;
	}
	return 1;
}

/* DNS names, then IP ranges (address || mask), into a new stack, or NULL when none. */
static int
subtrees(char (*dns)[CA_PROFILE_DNS_MAX], size_t ndns, const struct ca_ip_range *ip, size_t nip,
         STACK_OF(GENERAL_SUBTREE) * *out)
{
	unsigned char am[32];
	ASN1_OCTET_STRING *o;
	size_t i;

	*out = NULL;
	if (ndns + nip == 0)
		return 1;
	if ((*out = sk_GENERAL_SUBTREE_new_null()) == NULL)
		return 0;
	for (i = 0; i < ndns; i++)
		if (!push_subtree(*out, general_name(GEN_DNS, ia5(dns[i]))))
			return 0;
	for (i = 0; i < nip; i++) {
		memcpy(am, ip[i].addr, ip[i].len);
		memcpy(am + ip[i].len, ip[i].mask, ip[i].len);
		if ((o = ASN1_OCTET_STRING_new()) != NULL &&
		    !ASN1_OCTET_STRING_set(o, am, 2 * ip[i].len)) {
			ASN1_OCTET_STRING_free(o);
			o = NULL;
		}
		if (!push_subtree(*out, general_name(GEN_IPADD, o)))
			return 0;
	}
	return 1;
}

static int
add_nc(X509 *x, const struct ca_name_constraints *nc)
{
	NAME_CONSTRAINTS *c;
	int r;

	if (nc->n_permitted_dns + nc->n_permitted_ip + nc->n_excluded_dns + nc->n_excluded_ip == 0)
		return 0;
	if ((c = NAME_CONSTRAINTS_new()) != NULL &&
	    subtrees((char(*)[CA_PROFILE_DNS_MAX])nc->permitted_dns, nc->n_permitted_dns,
	             nc->permitted_ip, nc->n_permitted_ip, &c->permittedSubtrees) &&
	    subtrees((char(*)[CA_PROFILE_DNS_MAX])nc->excluded_dns, nc->n_excluded_dns,
	             nc->excluded_ip, nc->n_excluded_ip, &c->excludedSubtrees))
		r = add(x, NID_name_constraints, c, 1);
	else
		r = custos_err_set(CUSTOS_ENOMEM, "out of memory");
	NAME_CONSTRAINTS_free(c);
	return r;
}

static int
add_extensions(X509 *x, X509 *root, const struct ca_profile *p)
{
	int r;

	if ((r = add_constraints(x, p->path_len)) != 0 || (r = add_key_ids(x, root)) != 0 ||
	    (r = add_eku(x, p->eku)) != 0 || (r = add_policies(x, p)) != 0 ||
	    (p->crl_url[0] != '\0' && (r = add_crl_dp(x, p->crl_url)) != 0) ||
	    (p->aia_ca_issuers_url[0] != '\0' && (r = add_aia(x, p->aia_ca_issuers_url)) != 0) ||
	    (r = add_nc(x, &p->nc)) != 0)
		return r;
	return 0;
}

/* ---- the certificate ---- */

/* notBefore = now; notAfter = now + days - 1 s; refused past the root's notAfter. */
static int
set_validity(X509 *x, X509 *root, const struct ca_profile *p, time_t now)
{
	time_t not_after = now + (time_t)p->validity_days * SECONDS_PER_DAY - 1;
	ASN1_TIME *t = ASN1_TIME_set(NULL, now);
	int days = 0, secs = 0, ok;
	long long left;

	if (t == NULL)
		return custos_err_set_openssl(CUSTOS_ENOMEM, "time");
	ok = ASN1_TIME_diff(&days, &secs, t, X509_get0_notAfter(root));
	ASN1_TIME_free(t);
	if (!ok)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot read the root's notAfter");
	if (X509_cmp_time(X509_get0_notBefore(root), &now) > 0)
		return custos_err_set(CUSTOS_EREFUSED, "the time given is before the root's "
		                                       "notBefore: check the clock");
	left = (long long)days * SECONDS_PER_DAY + secs; /* seconds from now to root notAfter */
	if ((long long)(not_after - now) > left)
		return custos_err_set(CUSTOS_EREFUSED,
		                      "profile %s's %u days would end after the root's notAfter; "
		                      "at most %lld days fit: choose or set a shorter profile",
		                      p->name, p->validity_days,
		                      left < 0 ? 0LL : (left + 1) / SECONDS_PER_DAY);
	if (ASN1_TIME_set(X509_getm_notBefore(x), now) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), not_after) == NULL)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot set the validity");
	return 0;
}

/* The CSR's SubjectPublicKeyInfo, carried over byte for byte. */
static int
set_key(X509 *x, X509_REQ *csr)
{
	unsigned char *want = NULL, *got = NULL;
	const unsigned char *p;
	EVP_PKEY *key = NULL;
	int n, m, r = 0;

	if ((n = i2d_X509_PUBKEY(X509_REQ_get_X509_PUBKEY(csr), &want)) <= 0 ||
	    (p = want, key = d2i_PUBKEY(NULL, &p, n)) == NULL || !X509_set_pubkey(x, key) ||
	    (m = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &got)) <= 0)
		r = custos_err_set_openssl(CUSTOS_EKEY, "cannot carry the CSR's key over");
	else if (m != n || memcmp(got, want, (size_t)n) != 0)
		r = custos_err_set(CUSTOS_EKEY, "the CSR's key does not re-encode to the same "
		                                "bytes (e.g. a compressed EC point)");
	EVP_PKEY_free(key);
	OPENSSL_free(want);
	OPENSSL_free(got);
	return r;
}

/* Issuer = the root's subject; then compared as DER bytes. */
static int
set_issuer(X509 *x, X509 *root)
{
	const unsigned char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;

	if (!X509_set_issuer_name(x, X509_get_subject_name(root)) ||
	    !X509_NAME_get0_der(X509_get_issuer_name(x), &a, &alen) ||
	    !X509_NAME_get0_der(X509_get_subject_name(root), &b, &blen))
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot set the issuer");
	if (alen != blen || memcmp(a, b, alen) != 0)
		return custos_err_set(CUSTOS_ELINT, "lint ca.issuer-bytes: the issuer does not "
		                                    "copy the root subject's bytes");
	return 0;
}

static int
build_tbs(X509 *x, const struct ca_profile *p, X509 *root, X509_REQ *csr, time_t now,
          const struct ca_issue_opts *opts)
{
	X509_NAME *subject = NULL;
	ASN1_INTEGER *serial = NULL;
	int r;

	if ((r = ca_issue_subject(p, X509_REQ_get_subject_name(csr), &subject)) != 0 ||
	    (r = pick_serial(opts, &serial)) != 0)
		goto out;
	if (!X509_set_version(x, X509_VERSION_3) || !X509_set_serialNumber(x, serial) ||
	    !X509_set_subject_name(x, subject)) {
		r = custos_err_set_openssl(CUSTOS_ECRYPTO, "cannot fill in the certificate");
		goto out;
	}
	if ((r = set_issuer(x, root)) != 0 || (r = set_validity(x, root, p, now)) != 0 ||
	    (r = set_key(x, csr)) != 0 || (r = add_extensions(x, root, p)) != 0)
		goto out;
out:
	X509_NAME_free(subject);
	ASN1_INTEGER_free(serial);
	return r;
}

/* Signs x with key and returns its DER (OPENSSL_free) and the TBS within it. */
static int
sign_der(X509 *x, EVP_PKEY *key, const EVP_MD *md, unsigned char **der, size_t *len,
         struct ca_der_r *tbs)
{
	struct ca_der_r r, cert;
	int n;

	*der = NULL;
	if (X509_sign(x, key, md) <= 0 || (n = i2d_X509(x, der)) <= 0)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "signing failed");
	*len = (size_t)n;
	ca_der_r_init(&r, *der, *len);
	if (ca_der_r_get(&r, CA_DER_SEQUENCE, &cert, "certificate") != 0 ||
	    ca_der_r_get_tlv(&cert, tbs, "tbsCertificate") != 0)
		return custos_err_set(CUSTOS_EINTERNAL, "the signed certificate cannot be split");
	return 0;
}

static int
check_args(const struct ca_profile *p, X509 *root, EVP_PKEY *root_key, X509_REQ *csr, time_t now)
{
	struct ca_csr_info *info;
	int r;

	if (p == NULL || root == NULL || root_key == NULL || csr == NULL)
		return custos_err_set(CUSTOS_EINVAL, "missing profile, root, key or CSR");
	if (now < 0 || now > LAST_SECOND_9999 - (time_t)CA_PROFILE_DAYS_MAX * SECONDS_PER_DAY)
		return custos_err_set(CUSTOS_EINVAL, "the time %lld is out of range",
		                      (long long)now);
	if (X509_cmp_time(X509_get0_notBefore(root), &now) > 0)
		return custos_err_set(CUSTOS_EREFUSED, "the time given is before the root's "
		                                       "notBefore: check the clock");
	if ((r = ca_profile_check(p)) != 0 || (r = ca_lint_root(root, now, NULL)) != 0)
		return r;
	if ((info = OPENSSL_zalloc(sizeof(*info))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "out of memory");
	r = ca_csr_review(csr, info);
	OPENSSL_free(info);
	return r;
}

/* Steps 5 and 6 of ca_issue.h on the built x. */
static int
sign_checked(X509 *x, const struct ca_profile *p, X509 *root, EVP_PKEY *root_key, time_t now,
             X509 **out)
{
	EVP_PKEY *pub = X509_get0_pubkey(root), *throwaway = NULL;
	const EVP_MD *md = ca_key_digest(pub);
	unsigned char *der1 = NULL, *der2 = NULL;
	const unsigned char *q;
	struct ca_der_r tbs1, tbs2;
	size_t len1 = 0, len2 = 0;
	enum ca_alg alg;
	X509 *y = NULL;
	int r;

	if ((r = ca_key_alg(pub, &alg)) != 0 || (r = ca_key_generate(alg, &throwaway)) != 0 ||
	    (r = sign_der(x, throwaway, md, &der1, &len1, &tbs1)) != 0 ||
	    (r = ca_lint_issuing_der(der1, len1, p, root, now, NULL)) != 0 ||
	    (r = sign_der(x, root_key, md, &der2, &len2, &tbs2)) != 0)
		goto out;
	if (!(tbs1.n == tbs2.n && memcmp(tbs1.p, tbs2.p, tbs1.n) == 0)) {
		r = custos_err_set(CUSTOS_EINTERNAL,
		                   "the signed TBSCertificate is not the linted one");
		goto out;
	}
	q = der2;
	if ((y = d2i_X509(NULL, &q, (long)len2)) == NULL || q != der2 + len2) {
		r = custos_err_set_openssl(CUSTOS_EINTERNAL,
		                           "the signed certificate does not parse");
		goto out;
	}
	if (X509_verify(y, pub) != 1) {
		r = custos_err_set_openssl(CUSTOS_EAUTH, "the signature does not verify with the "
		                                         "root's public key (wrong key?)");
		goto out;
	}
	if ((r = ca_lint_issuing_der(der2, len2, p, root, now, NULL)) != 0)
		goto out;
	*out = y;
	y = NULL; /* transferred */
out:
	EVP_PKEY_free(throwaway);
	OPENSSL_free(der1);
	OPENSSL_free(der2);
	X509_free(y);
	return r;
}

int
ca_issue_cert(const struct ca_profile *p, X509 *root, EVP_PKEY *root_key, X509_REQ *csr, time_t now,
              const struct ca_issue_opts *opts, X509 **out)
{
	static const struct ca_issue_opts none = {NULL, NULL, NULL};
	X509 *x = NULL;
	int r;

	*out = NULL;
	if ((r = check_args(p, root, root_key, csr, now)) != 0)
		goto out;
	if ((x = X509_new()) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "out of memory");
		goto out;
	}
	if ((r = build_tbs(x, p, root, csr, now, opts != NULL ? opts : &none)) != 0)
		goto out;
	r = sign_checked(x, p, root, root_key, now, out);
out:
	X509_free(x);
	ERR_clear_error();
	return r;
}
