/*
 * ca_issue: issued certificates are what the profile says (and only that),
 * lint clean, carry the root subject's bytes as issuer, and verify with
 * independent tools (openssl verify -x509_strict, GnuTLS certtool
 * --verify-chain); every refusal of ca_issue_cert and ca_issue_subject says
 * what it refused.
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ca/ca_issue.h"
#include "ca/ca_key.h"
#include "ca/ca_lint.h"
#include "ca/ca_name.h"
#include "ca/ca_profile.h"
#include "ca/ca_root.h"
#include "common/rng.h"
#include "harness.h"

#define DAY 86400

static const char profile_json[] =
        "{\"version\":1,\"issuing_ca\":{"
        "\"full\":{\"validity_days\":1826,\"path_len\":1,\"eku\":[\"serverAuth\",\"clientAuth\"],"
        "\"policies\":[{\"oid\":\"2.23.140.1.2.1\"},{\"oid\":\"1.3.6.1.4.1.55555.1.1\","
        "\"cps_uri\":\"https://example.com/cps\"}],"
        "\"crl_url\":\"http://crl.example.com/root.crl\","
        "\"aia_ca_issuers_url\":\"http://example.com/root.cer\","
        "\"name_constraints\":{\"permitted_dns\":[\"example.com\"],\"excluded_dns\":"
        "[\"bad.example.com\"],\"permitted_ip\":[\"192.0.2.0/24\",\"2001:db8::/32\"],"
        "\"excluded_ip\":[\"192.0.2.128/25\"]},"
        "\"subject\":{\"allowed\":[\"C\",\"ST\",\"L\",\"O\",\"CN\"],\"required\":[\"C\",\"O\","
        "\"CN\"]}},"
        "\"plain\":{\"validity_days\":365}}}";

static struct ca_profile_set *set;
static const struct ca_profile *full, *plain;
static EVP_PKEY *root_key, *sub_key;
static X509 *root;
static time_t now;
static char dir[] = "/tmp/custos-issue-XXXXXX";

static EVP_PKEY *
gen(enum ca_alg alg)
{
	EVP_PKEY *k = NULL;

	CHECK_EQ(ca_key_generate(alg, &k), 0);
	return k;
}

static X509 *
make_root(EVP_PKEY *key, const char *dn, unsigned days, time_t t)
{
	X509_NAME *name = NULL;
	X509 *x = NULL;

	CHECK_EQ(ca_name_parse(dn, &name), 0);
	CHECK_EQ(ca_root_create(key, name, days, t, &x), 0);
	X509_NAME_free(name);
	return x;
}

/* A name of (nid, string type, value) triples, one RDN each unless set says otherwise. */
static X509_NAME *
raw_name(int n, const int *nids, const int *types, const char *const *values, int multi_at)
{
	X509_NAME *name = X509_NAME_new();
	int i;

	for (i = 0; i < n; i++)
		CHECK(X509_NAME_add_entry_by_NID(name, nids[i], types[i],
		                                 (const unsigned char *)values[i], -1, -1,
		                                 i == multi_at ? -1 : 0) == 1);
	return name;
}

/* A CSR for key with subject name (taken) and, with exts, a SAN and cA=FALSE requested. */
static X509_REQ *
make_csr(EVP_PKEY *key, X509_NAME *name, int exts)
{
	X509_REQ *req = X509_REQ_new();
	STACK_OF(X509_EXTENSION) *sk = NULL;
	X509V3_CTX ctx;

	CHECK(X509_REQ_set_version(req, X509_REQ_VERSION_1) == 1);
	CHECK(X509_REQ_set_subject_name(req, name) == 1);
	CHECK(X509_REQ_set_pubkey(req, key) == 1);
	if (exts) {
		sk = sk_X509_EXTENSION_new_null();
		X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
		sk_X509_EXTENSION_push(sk, X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name,
		                                               "DNS:evil.example"));
		sk_X509_EXTENSION_push(sk, X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
		                                               "critical,CA:TRUE,pathlen:9"));
		CHECK(X509_REQ_add_extensions(req, sk) == 1);
		sk_X509_EXTENSION_pop_free(sk, X509_EXTENSION_free);
	}
	CHECK(X509_REQ_sign(req, key, EVP_sha256()) > 0);
	X509_NAME_free(name);
	return req;
}

static X509_REQ *
csr_dn(EVP_PKEY *key, const char *dn)
{
	X509_NAME *name = NULL;

	CHECK_EQ(ca_name_parse(dn, &name), 0);
	return make_csr(key, name, 0);
}

static void
write_pem(const char *file, X509 *x)
{
	char path[256];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(PEM_write_X509(f, x) == 1);
	fclose(f);
}

/* Runs a shell command (with %s = dir); returns its exit status, -1 if it did not exit. */
static int
run(const char *fmt)
{
	char cmd[1024];
	int st;

	(void)snprintf(cmd, sizeof(cmd), fmt, dir, dir, dir, dir);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The independent verifiers on dir/sub.pem under dir/root.pem: 0 when both accept it. */
static int
verifiers_accept(X509 *sub)
{
	int a, b;

	write_pem("root.pem", root);
	write_pem("sub.pem", sub);
	a = run("openssl verify -x509_strict -CAfile %s/root.pem %s/sub.pem >%s/openssl.out 2>&1");
	b = run("cat %s/sub.pem %s/root.pem >%s/chain.pem && certtool --verify-chain --infile "
	        "%s/chain.pem >/dev/null 2>&1");
	return a == 0 && b == 0 ? 0 : 1 + (a != 0) + 2 * (b != 0);
}

static void
setup(void)
{
	now = time(NULL);
	CHECK(mkdtemp(dir) != NULL);
	CHECK_EQ(ca_profile_parse(profile_json, strlen(profile_json), &set), 0);
	CHECK_EQ(ca_profile_find(set, "full", &full), 0);
	CHECK_EQ(ca_profile_find(set, "plain", &plain), 0);
	root_key = gen(CA_ALG_EC_P384);
	sub_key = gen(CA_ALG_EC_P256);
	root = make_root(root_key, "/C=US/O=Example/CN=Example Root CA", 3650, now - 60);
}

static void
check_issuer_bytes(X509 *sub)
{
	const unsigned char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	unsigned char *der = NULL;
	int n = i2d_X509(sub, &der);

	CHECK(X509_NAME_get0_der(X509_get_issuer_name(sub), &a, &alen) == 1);
	CHECK(X509_NAME_get0_der(X509_get_subject_name(root), &b, &blen) == 1);
	CHECK(alen == blen && memcmp(a, b, alen) == 0);
	/* and the root subject's bytes occur in the certificate's own DER */
	CHECK(n > 0 && memmem(der, (size_t)n, b, blen) != NULL);
	OPENSSL_free(der);
}

static void
test_full_profile(void)
{
	X509_REQ *csr;
	X509 *sub = NULL, *bad = NULL;
	struct ca_lint_report rep;
	const ASN1_INTEGER *serial;
	EVP_PKEY *other;
	int i;

	csr = make_csr(
	        sub_key,
	        raw_name(3, (const int[]){NID_commonName, NID_organizationName, NID_countryName},
	                 (const int[]){V_ASN1_PRINTABLESTRING, V_ASN1_PRINTABLESTRING,
	                               V_ASN1_PRINTABLESTRING},
	                 (const char *const[]){"Example Issuing CA 1", "Example", "US"}, -1),
	        1);
	CHECK_EQ(ca_issue_cert(full, root, root_key, csr, now, NULL, &sub), 0);
	if (sub == NULL) {
		fprintf(stderr, "  %s\n", custos_err_detail());
		X509_REQ_free(csr);
		return;
	}
	CHECK_EQ(ca_lint_issuing(sub, full, root, now, &rep), 0);
	CHECK_EQ(rep.n, 0);
	check_issuer_bytes(sub);
	serial = X509_get0_serialNumber(sub);
	CHECK_EQ(ASN1_STRING_length(serial), CA_SERIAL_LEN);
	CHECK(ASN1_STRING_get0_data(serial)[0] != 0 && ASN1_STRING_get0_data(serial)[0] < 0x80);
	CHECK_EQ(X509_get_version(sub), X509_VERSION_3);
	CHECK_EQ(X509_cmp_time(X509_get0_notBefore(sub), &now), -1);
	CHECK_EQ(ASN1_TIME_cmp_time_t(X509_get0_notBefore(sub), now), 0);
	CHECK_EQ(ASN1_TIME_cmp_time_t(X509_get0_notAfter(sub), now + 1826L * DAY - 1), 0);
	/* Re-encoded subject: order C, O, CN; C PrintableString, the rest UTF8String. */
	CHECK_EQ(X509_NAME_entry_count(X509_get_subject_name(sub)), 3);
	for (i = 0; i < 3; i++) {
		X509_NAME_ENTRY *ne = X509_NAME_get_entry(X509_get_subject_name(sub), i);

		CHECK_EQ(OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)), i == 0 ? NID_countryName
		                                                      : i == 1
		                                                              ? NID_organizationName
		                                                              : NID_commonName);
		CHECK_EQ(ASN1_STRING_type(X509_NAME_ENTRY_get_data(ne)),
		         i == 0 ? V_ASN1_PRINTABLESTRING : V_ASN1_UTF8STRING);
	}
	/* Nothing from the CSR's extension request. */
	CHECK(X509_get_ext_by_NID(sub, NID_subject_alt_name, -1) < 0);
	CHECK_EQ(X509_get_pathlen(sub), 1);
	CHECK_EQ(X509_get_ext_count(sub), 9);
	CHECK(X509_check_ca(sub) == 1);
	CHECK_EQ(verifiers_accept(sub), 0);
	if (verifiers_accept(sub) != 0)
		(void)run("cat %s/openssl.out >&2");
	/* The verifiers can fail: the same certificate signed by another key. */
	other = gen(CA_ALG_EC_P384);
	bad = X509_dup(sub);
	CHECK(X509_sign(bad, other, EVP_sha384()) > 0);
	CHECK_EQ(verifiers_accept(bad), 4);
	EVP_PKEY_free(other);
	X509_free(bad);
	X509_free(sub);
	X509_REQ_free(csr);
}

static void
test_plain_profile_and_rsa_root(void)
{
	EVP_PKEY *rkey = gen(CA_ALG_RSA_3072), *skey = gen(CA_ALG_EC_P521);
	X509 *saved = root, *sub = NULL;
	X509_REQ *csr;

	root = make_root(rkey, "/C=DE/O=Beispiel/CN=Beispiel Wurzel", 2922, now - 60);
	csr = csr_dn(skey, "/C=DE/O=Beispiel/CN=Zwischen-CA \xc3\xa4");
	CHECK_EQ(ca_issue_cert(plain, root, rkey, csr, now, NULL, &sub), 0);
	if (sub != NULL) {
		CHECK_EQ(X509_get_ext_count(sub), 4); /* BC, KU, SKI, AKI only */
		CHECK_EQ(X509_get_pathlen(sub), 0);
		CHECK_EQ(X509_get_signature_nid(sub), NID_sha256WithRSAEncryption);
		check_issuer_bytes(sub);
		CHECK_EQ(verifiers_accept(sub), 0);
	}
	X509_free(sub);
	X509_REQ_free(csr);
	X509_free(root);
	root = saved;
	EVP_PKEY_free(rkey);
	EVP_PKEY_free(skey);
}

/* A TLS server certificate for dns under ca (ca_key), made with OpenSSL's own API. */
static X509 *
make_leaf(X509 *ca, EVP_PKEY *ca_key, const char *dns)
{
	static const char *const conf[][2] = {
	        {"basicConstraints", "critical,CA:FALSE"},
	        {"keyUsage", "critical,digitalSignature"},
	        {"extendedKeyUsage", "serverAuth"},
	        {"subjectKeyIdentifier", "hash"},
	        {"authorityKeyIdentifier", "keyid:always"},
	};
	EVP_PKEY *k = gen(CA_ALG_EC_P256);
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	ASN1_INTEGER *serial = ASN1_INTEGER_new();
	unsigned char sb[16];
	char san[300];
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	size_t i;

	CHECK_EQ(custos_random(sb, sizeof(sb)), 0);
	sb[0] = (unsigned char)((sb[0] & 0x7f) | 0x01);
	ASN1_STRING_set(serial, sb, sizeof(sb));
	X509_set_version(x, X509_VERSION_3);
	X509_set_serialNumber(x, serial);
	X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_UTF8STRING, (const unsigned char *)dns,
	                           -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, X509_get_subject_name(ca));
	ASN1_TIME_set(X509_getm_notBefore(x), now - 60);
	ASN1_TIME_set(X509_getm_notAfter(x), now + 90 * DAY);
	X509_set_pubkey(x, k);
	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	for (i = 0; i < sizeof(conf) / sizeof(conf[0]); i++) {
		ext = X509V3_EXT_nconf(NULL, &ctx, conf[i][0], conf[i][1]);
		CHECK(ext != NULL && X509_add_ext(x, ext, -1) == 1);
		X509_EXTENSION_free(ext);
	}
	(void)snprintf(san, sizeof(san), "DNS:%s", dns);
	ext = X509V3_EXT_nconf(NULL, &ctx, "subjectAltName", san);
	CHECK(ext != NULL && X509_add_ext(x, ext, -1) == 1);
	X509_EXTENSION_free(ext);
	CHECK(X509_sign(x, ca_key, EVP_sha256()) > 0);
	ASN1_INTEGER_free(serial);
	X509_NAME_free(n);
	EVP_PKEY_free(k);
	return x;
}

/*
 * leaf -> sub -> root through openssl verify and python3 cryptography's
 * PolicyBuilder (a CA/B Forum web PKI profile, name constraints included):
 * 0 when both accept it.
 */
static int
chain_accepted(X509 *sub, X509 *leaf, const char *dns)
{
	static const char py[] = "import sys\n"
	                         "from cryptography import x509\n"
	                         "from cryptography.x509.verification import PolicyBuilder, Store\n"
	                         "def load(p):\n"
	                         "    return x509.load_pem_x509_certificate(open(p, 'rb').read())\n"
	                         "root, sub, leaf = (load(p) for p in sys.argv[1:4])\n"
	                         "v = PolicyBuilder().store(Store([root])).build_server_verifier(\n"
	                         "    x509.DNSName(sys.argv[4]))\n"
	                         "v.verify(leaf, [sub])\n";
	char cmd[700];
	FILE *f;
	int a, b;

	write_pem("root.pem", root);
	write_pem("sub.pem", sub);
	write_pem("leaf.pem", leaf);
	(void)snprintf(cmd, sizeof(cmd), "%s/verify.py", dir);
	CHECK((f = fopen(cmd, "w")) != NULL);
	if (f != NULL) {
		fputs(py, f);
		fclose(f);
	}
	a = run("openssl verify -x509_strict -CAfile %s/root.pem -untrusted %s/sub.pem "
	        "%s/leaf.pem >%s/openssl.out 2>&1");
	(void)snprintf(cmd, sizeof(cmd),
	               "python3 %s/verify.py %s/root.pem %s/sub.pem %s/leaf.pem %s "
	               ">%s/python.out 2>&1",
	               dir, dir, dir, dir, dns, dir);
	b = system(cmd);
	b = WIFEXITED(b) ? WEXITSTATUS(b) : -1;
	return (a != 0) + 2 * (b != 0);
}

static void
test_chain_and_issuer_bytes(void)
{
	X509_REQ *csr = csr_dn(sub_key, "/C=US/O=Example/CN=Example Issuing CA 2");
	X509 *sub = NULL, *leaf, *bad;
	X509_NAME *reencoded = X509_NAME_new();
	struct ca_lint_report rep;

	CHECK_EQ(ca_issue_cert(full, root, root_key, csr, now, NULL, &sub), 0);
	if (sub == NULL) {
		X509_REQ_free(csr);
		return;
	}
	/* A server under the name constraints passes both; one outside them fails both. */
	leaf = make_leaf(sub, sub_key, "www.example.com");
	CHECK_EQ(chain_accepted(sub, leaf, "www.example.com"), 0);
	if (chain_accepted(sub, leaf, "www.example.com") != 0)
		(void)run("cat %s/openssl.out %s/python.out >&2");
	X509_free(leaf);
	leaf = make_leaf(sub, sub_key, "www.example.org");
	CHECK_EQ(chain_accepted(sub, leaf, "www.example.org"), 3);
	X509_free(leaf);
	/*
	 * The same subordinate with its issuer re-encoded (O as PrintableString,
	 * the same text) and signed by the root key: OpenSSL still accepts it,
	 * GnuTLS does not, and neither does the lint.
	 */
	bad = X509_dup(sub);
	X509_NAME_add_entry_by_NID(reencoded, NID_countryName, V_ASN1_PRINTABLESTRING,
	                           (const unsigned char *)"US", -1, -1, 0);
	X509_NAME_add_entry_by_NID(reencoded, NID_organizationName, V_ASN1_PRINTABLESTRING,
	                           (const unsigned char *)"Example", -1, -1, 0);
	X509_NAME_add_entry_by_NID(reencoded, NID_commonName, V_ASN1_UTF8STRING,
	                           (const unsigned char *)"Example Root CA", -1, -1, 0);
	X509_set_issuer_name(bad, reencoded);
	CHECK(X509_sign(bad, root_key, EVP_sha384()) > 0);
	CHECK_EQ(verifiers_accept(bad), 3); /* openssl accepts, certtool refuses */
	CHECK_EQ(ca_lint_issuing(bad, full, root, now, &rep), CUSTOS_ELINT);
	CHECK(rep.n == 1 && strcmp(rep.findings[0].rule, "ca.issuer-bytes") == 0);
	X509_free(bad);
	X509_NAME_free(reencoded);
	X509_free(sub);
	X509_REQ_free(csr);
}

/* ca_issue_cert on csr must fail with code and a detail containing want. */
static void
refused(const struct ca_profile *p, EVP_PKEY *key, X509_REQ *csr, time_t t, int code,
        const char *want)
{
	X509 *sub = (X509 *)1;
	int r = ca_issue_cert(p, root, key, csr, t, NULL, &sub);

	CHECK_EQ(r, code);
	CHECK(sub == NULL);
	CHECK(strstr(custos_err_detail(), want) != NULL);
	if (r != code || strstr(custos_err_detail(), want) == NULL)
		fprintf(stderr, "  got %d: %s\n  wanted %d: %s\n", r, custos_err_detail(), code,
		        want);
	if (r == 0 && sub != (X509 *)1)
		X509_free(sub);
}

#define U8 V_ASN1_UTF8STRING
#define PS V_ASN1_PRINTABLESTRING

static void
test_subject_refusals(void)
{
	X509_REQ *csr;

	csr = csr_dn(sub_key, "/C=US/O=Example/OU=Ops/CN=Sub");
	refused(full, root_key, csr, now, CUSTOS_ECSR, "has OU, which profile full does not allow");
	X509_REQ_free(csr);
	csr = csr_dn(sub_key, "/C=US/CN=Sub");
	refused(full, root_key, csr, now, CUSTOS_ECSR, "profile full requires O in the subject");
	X509_REQ_free(csr);
	csr = make_csr(
	        sub_key,
	        raw_name(3, (const int[]){NID_countryName, NID_organizationName, NID_commonName},
	                 (const int[]){PS, U8, U8}, (const char *const[]){"US", "E", "S"}, 2),
	        0);
	refused(full, root_key, csr, now, CUSTOS_ECSR, "multi-valued RDN");
	X509_REQ_free(csr);
	csr = make_csr(sub_key,
	               raw_name(4,
	                        (const int[]){NID_countryName, NID_organizationName, NID_commonName,
	                                      NID_commonName},
	                        (const int[]){PS, U8, U8, U8},
	                        (const char *const[]){"US", "E", "S", "T"}, -1),
	               0);
	refused(full, root_key, csr, now, CUSTOS_ECSR, "has CN twice");
	X509_REQ_free(csr);
	csr = make_csr(sub_key,
	               raw_name(4,
	                        (const int[]){NID_countryName, NID_organizationName, NID_commonName,
	                                      NID_pkcs9_emailAddress},
	                        (const int[]){PS, U8, U8, V_ASN1_IA5STRING},
	                        (const char *const[]){"US", "E", "S", "a@b.c"}, -1),
	               0);
	refused(full, root_key, csr, now, CUSTOS_ECSR, "has emailAddress, which custos never");
	X509_REQ_free(csr);
	csr = make_csr(
	        sub_key,
	        raw_name(3, (const int[]){NID_countryName, NID_organizationName, NID_commonName},
	                 (const int[]){PS, U8, U8},
	                 (const char *const[]){"US", "E",
	                                       "Sub\xe2\x80\xae"
	                                       "AC"},
	                 -1),
	        0);
	refused(full, root_key, csr, now, CUSTOS_ECSR,
	        "attribute CN contains a control or invisible");
	X509_REQ_free(csr);
	csr = make_csr(
	        sub_key,
	        raw_name(3, (const int[]){NID_countryName, NID_organizationName, NID_commonName},
	                 (const int[]){PS, U8, U8}, (const char *const[]){"us", "E", "S"}, -1),
	        0);
	refused(full, root_key, csr, now, CUSTOS_ECSR, "attribute C must be two capital letters");
	X509_REQ_free(csr);
	csr = make_csr(
	        sub_key,
	        raw_name(3, (const int[]){NID_countryName, NID_organizationName, NID_commonName},
	                 (const int[]){PS, V_ASN1_T61STRING, U8},
	                 (const char *const[]){"US", "E", "S"}, -1),
	        0);
	refused(full, root_key, csr, now, CUSTOS_ECSR, "attribute O is a TeletexString");
	X509_REQ_free(csr);
	csr = make_csr(
	        sub_key,
	        raw_name(3, (const int[]){NID_countryName, NID_organizationName, NID_commonName},
	                 (const int[]){PS, U8, U8}, (const char *const[]){"US", "E", " S"}, -1),
	        0);
	refused(full, root_key, csr, now, CUSTOS_ECSR, "leading or trailing spaces");
	X509_REQ_free(csr);
}

static void
test_other_refusals(void)
{
	X509_REQ *csr = csr_dn(sub_key, "/C=US/O=Example/CN=Sub");
	struct ca_profile bad;
	EVP_PKEY *other = gen(CA_ALG_EC_P384), *rsa1024 = NULL;
	X509_REQ *weak;

	/* Validity past the root's notAfter (root: now - 60 + 3650 days). */
	refused(full, root_key, csr, now + 2000L * DAY, CUSTOS_EREFUSED,
	        "profile full's 1826 days would end after the root's notAfter; at most 1649 days");
	refused(full, root_key, csr, now - 3600, CUSTOS_EREFUSED, "before the root's notBefore");
	refused(full, root_key, csr, -5, CUSTOS_EINVAL, "out of range");
	/* Another key of the same type: the signature does not verify. */
	refused(full, other, csr, now, CUSTOS_EAUTH, "does not verify with the root's public key");
	bad = *full;
	bad.validity_days = 0;
	refused(&bad, root_key, csr, now, CUSTOS_EPROFILE,
	        "issuing_ca.full.validity_days: must be an integer from 1 to 3650, not 0");
	/* A CSR whose signature is broken, and one with a weak key. */
	{
		unsigned char *der = NULL;
		const unsigned char *q;
		int n = i2d_X509_REQ(csr, &der);
		X509_REQ *broken;

		der[n - 5] ^= 1; /* inside the signature */
		q = der;
		broken = d2i_X509_REQ(NULL, &q, n);
		CHECK(broken != NULL);
		refused(full, root_key, broken, now, CUSTOS_ECSR, "signature does not verify");
		X509_REQ_free(broken);
		OPENSSL_free(der);
	}
	rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	weak = csr_dn(rsa1024, "/C=US/O=Example/CN=Sub");
	refused(full, root_key, weak, now, CUSTOS_EKEY, "1024 bits");
	X509_REQ_free(weak);
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(other);
	X509_REQ_free(csr);
}

static void
test_subject_alone(void)
{
	X509_NAME *in = raw_name(4,
	                         (const int[]){NID_commonName, NID_localityName,
	                                       NID_organizationName, NID_countryName},
	                         (const int[]){U8, PS, U8, PS},
	                         (const char *const[]){"Sub", "Berlin", "Example", "DE"}, -1);
	X509_NAME *out = NULL;
	char text[256];

	CHECK_EQ(ca_issue_subject(full, in, &out), 0);
	CHECK_EQ(ca_name_format(out, text, sizeof(text)), 0);
	CHECK(strcmp(text, "/C=DE/L=Berlin/O=Example/CN=Sub") == 0);
	X509_NAME_free(out);
	X509_NAME_free(in);
	in = X509_NAME_new();
	CHECK_EQ(ca_issue_subject(full, in, &out), CUSTOS_ECSR);
	CHECK(out == NULL && strstr(custos_err_detail(), "empty") != NULL);
	X509_NAME_free(in);
}

/* ---- serials ---- */

struct taken {
	int calls, refuse_first, fail;
	unsigned char last[CA_SERIAL_LEN];
};

static int
serial_unused(void *ctx, const ASN1_INTEGER *s)
{
	struct taken *t = ctx;

	t->calls++;
	memcpy(t->last, ASN1_STRING_get0_data(s), CA_SERIAL_LEN);
	if (t->fail)
		return custos_err_set(CUSTOS_EDB, "inventory down");
	return t->calls > t->refuse_first;
}

static void
test_serials(void)
{
	X509_REQ *csr = csr_dn(sub_key, "/C=US/O=Example/CN=Sub");
	struct taken t = {0, 2, 0, {0}};
	struct ca_issue_opts o = {NULL, serial_unused, &t};
	unsigned char want[CA_SERIAL_LEN];
	ASN1_INTEGER *given = ASN1_INTEGER_new();
	X509 *sub = NULL;

	/* Two serials taken: the third is drawn and used. */
	CHECK_EQ(ca_issue_cert(full, root, root_key, csr, now, &o, &sub), 0);
	CHECK_EQ(t.calls, 3);
	CHECK(sub != NULL && memcmp(ASN1_STRING_get0_data(X509_get0_serialNumber(sub)), t.last,
	                            CA_SERIAL_LEN) == 0);
	X509_free(sub);
	sub = NULL;
	/* Every serial taken. */
	t.calls = 0;
	t.refuse_first = 100;
	CHECK_EQ(ca_issue_cert(full, root, root_key, csr, now, &o, &sub), CUSTOS_EEXIST);
	CHECK_EQ(t.calls, CA_ISSUE_SERIAL_TRIES);
	/* The inventory fails: its code comes back. */
	t.fail = 1;
	CHECK_EQ(ca_issue_cert(full, root, root_key, csr, now, &o, &sub), CUSTOS_EDB);
	t.fail = 0;
	/* A serial given by the caller is used as is, or refused when taken. */
	memset(want, 0x5a, sizeof(want));
	CHECK(ASN1_STRING_set(given, want, sizeof(want)) == 1);
	o.serial = given;
	t.calls = 0;
	t.refuse_first = 0;
	CHECK_EQ(ca_issue_cert(full, root, root_key, csr, now, &o, &sub), 0);
	CHECK(sub != NULL &&
	      memcmp(ASN1_STRING_get0_data(X509_get0_serialNumber(sub)), want, sizeof(want)) == 0);
	X509_free(sub);
	sub = NULL;
	t.calls = 0;
	t.refuse_first = 1;
	CHECK_EQ(ca_issue_cert(full, root, root_key, csr, now, &o, &sub), CUSTOS_EEXIST);
	CHECK_EQ(t.calls, 1);
	want[0] = 0x80; /* top bit set */
	CHECK(ASN1_STRING_set(given, want, sizeof(want)) == 1);
	CHECK_EQ(ca_issue_cert(full, root, root_key, csr, now, &o, &sub), CUSTOS_EINVAL);
	ASN1_INTEGER_free(given);
	X509_REQ_free(csr);
}

int
main(void)
{
	setup();
	RUN(test_full_profile);
	RUN(test_plain_profile_and_rsa_root);
	RUN(test_chain_and_issuer_bytes);
	RUN(test_subject_refusals);
	RUN(test_other_refusals);
	RUN(test_subject_alone);
	RUN(test_serials);
	X509_free(root);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(sub_key);
	ca_profile_set_free(set);
	(void)run("rm -rf %s");
	return HARNESS_END();
}
