/*
 * ca_profile: profiles.json parsing, the canonical form and its round trip,
 * the defaults, lookup, and one refusal per class of bad input, each
 * required to name the key it is about.
 */
#include <stdarg.h>

#include "ca/ca_profile.h"
#include "ca/ca_root.h"
#include "harness.h"

static const char full_json[] = "{\n"
                                "  \"version\": 1,\n"
                                "  \"root\": {\n"
                                "    \"validity_days\": 9000\n"
                                "  },\n"
                                "  \"issuing_ca\": {\n"
                                "    \"issuing-ca\": {\n"
                                "      \"validity_days\": 1826,\n"
                                "      \"path_len\": 1,\n"
                                "      \"eku\": [\n"
                                "        \"serverAuth\"\n"
                                "      ],\n"
                                "      \"policies\": [\n"
                                "        {\n"
                                "          \"oid\": \"2.23.140.1.2.1\"\n"
                                "        },\n"
                                "        {\n"
                                "          \"oid\": \"1.3.6.1.4.1.55555.1.1\",\n"
                                "          \"cps_uri\": \"https://example.com/cps\"\n"
                                "        }\n"
                                "      ],\n"
                                "      \"crl_url\": \"http://crl.example.com/root.crl\",\n"
                                "      \"aia_ca_issuers_url\": \"http://example.com/root.cer\",\n"
                                "      \"name_constraints\": {\n"
                                "        \"permitted_dns\": [\n"
                                "          \"example.com\",\n"
                                "          \"example.net\"\n"
                                "        ],\n"
                                "        \"excluded_dns\": [\n"
                                "          \"bad.example.com\"\n"
                                "        ],\n"
                                "        \"permitted_ip\": [\n"
                                "          \"192.0.2.0/24\",\n"
                                "          \"2001:db8::/32\"\n"
                                "        ],\n"
                                "        \"excluded_ip\": [\n"
                                "          \"0.0.0.0/0\"\n"
                                "        ]\n"
                                "      },\n"
                                "      \"subject\": {\n"
                                "        \"allowed\": [\n"
                                "          \"C\",\n"
                                "          \"O\",\n"
                                "          \"OU\",\n"
                                "          \"CN\"\n"
                                "        ],\n"
                                "        \"required\": [\n"
                                "          \"O\",\n"
                                "          \"CN\"\n"
                                "        ]\n"
                                "      }\n"
                                "    },\n"
                                "    \"tls-only\": {\n"
                                "      \"validity_days\": 365,\n"
                                "      \"path_len\": 0,\n"
                                "      \"eku\": [],\n"
                                "      \"policies\": [],\n"
                                "      \"subject\": {\n"
                                "        \"allowed\": [\n"
                                "          \"CN\"\n"
                                "        ],\n"
                                "        \"required\": [\n"
                                "          \"CN\"\n"
                                "        ]\n"
                                "      }\n"
                                "    }\n"
                                "  },\n"
                                "  \"crl\": {\n"
                                "    \"next_update_days\": 30\n"
                                "  }\n"
                                "}\n";

static const char default_json[] = "{\n"
                                   "  \"version\": 1,\n"
                                   "  \"root\": {\n"
                                   "    \"validity_days\": 7305\n"
                                   "  },\n"
                                   "  \"issuing_ca\": {\n"
                                   "    \"issuing-ca\": {\n"
                                   "      \"validity_days\": 1826,\n"
                                   "      \"path_len\": 0,\n"
                                   "      \"eku\": [\n"
                                   "        \"serverAuth\",\n"
                                   "        \"clientAuth\"\n"
                                   "      ],\n"
                                   "      \"policies\": [],\n"
                                   "      \"subject\": {\n"
                                   "        \"allowed\": [\n"
                                   "          \"C\",\n"
                                   "          \"ST\",\n"
                                   "          \"L\",\n"
                                   "          \"O\",\n"
                                   "          \"CN\"\n"
                                   "        ],\n"
                                   "        \"required\": [\n"
                                   "          \"C\",\n"
                                   "          \"O\",\n"
                                   "          \"CN\"\n"
                                   "        ]\n"
                                   "      }\n"
                                   "    }\n"
                                   "  },\n"
                                   "  \"crl\": {\n"
                                   "    \"next_update_days\": 180\n"
                                   "  }\n"
                                   "}\n";

static void
test_full_parses(void)
{
	struct ca_profile_set *set = NULL;
	const struct ca_profile *p = NULL;
	char *json = NULL;
	size_t len = 0;

	CHECK_EQ(ca_profile_parse(full_json, strlen(full_json), &set), 0);
	if (set == NULL)
		return;
	CHECK_EQ(set->root_validity_days, 9000);
	CHECK_EQ(set->crl_next_update_days, 30);
	CHECK_EQ(set->n, 2);
	CHECK_EQ(ca_profile_find(set, NULL, &p), 0);
	CHECK(p == &set->issuing[0]);
	CHECK_EQ(p->validity_days, 1826);
	CHECK_EQ(p->path_len, 1);
	CHECK_EQ(p->eku, CA_EKU_SERVER_AUTH);
	CHECK_EQ(p->n_policies, 2);
	CHECK(strcmp(p->policies[0].oid, "2.23.140.1.2.1") == 0);
	CHECK(p->policies[0].cps_uri[0] == '\0');
	CHECK(strcmp(p->policies[1].cps_uri, "https://example.com/cps") == 0);
	CHECK(strcmp(p->crl_url, "http://crl.example.com/root.crl") == 0);
	CHECK(strcmp(p->aia_ca_issuers_url, "http://example.com/root.cer") == 0);
	CHECK_EQ(p->nc.n_permitted_dns, 2);
	CHECK_EQ(p->nc.n_excluded_dns, 1);
	CHECK_EQ(p->nc.n_permitted_ip, 2);
	CHECK_EQ(p->nc.n_excluded_ip, 1);
	CHECK_EQ(p->nc.permitted_ip[0].len, 4);
	CHECK(memcmp(p->nc.permitted_ip[0].addr, "\xc0\x00\x02\x00", 4) == 0);
	CHECK(memcmp(p->nc.permitted_ip[0].mask, "\xff\xff\xff\x00", 4) == 0);
	CHECK_EQ(p->nc.permitted_ip[1].len, 16);
	CHECK(memcmp(p->nc.permitted_ip[1].mask, "\xff\xff\xff\xff\x00", 5) == 0);
	CHECK_EQ(p->nc.excluded_ip[0].mask[0], 0);
	CHECK_EQ(p->subject_allowed, CA_ATTR_BIT(CA_ATTR_C) | CA_ATTR_BIT(CA_ATTR_O) |
	                                     CA_ATTR_BIT(CA_ATTR_OU) | CA_ATTR_BIT(CA_ATTR_CN));
	CHECK_EQ(p->subject_required, CA_ATTR_BIT(CA_ATTR_O) | CA_ATTR_BIT(CA_ATTR_CN));
	CHECK_EQ(ca_profile_find(set, "tls-only", &p), 0);
	CHECK(p == &set->issuing[1]);
	CHECK_EQ(p->eku, 0);
	/* The file above is canonical: it serializes back byte for byte. */
	CHECK_EQ(ca_profile_serialize(set, &json, &len), 0);
	CHECK(json != NULL && len == strlen(full_json) && strcmp(json, full_json) == 0);
	if (json != NULL && strcmp(json, full_json) != 0)
		fprintf(stderr, "got:\n%s", json);
	free(json);
	ca_profile_set_free(set);
}

static void
test_defaults(void)
{
	struct ca_profile_set *set = NULL, *again = NULL;
	const struct ca_profile *p = NULL;
	char *json = NULL;
	size_t len = 0;

	CHECK_EQ(ca_profile_defaults(&set), 0);
	CHECK_EQ(ca_profile_set_check(set), 0);
	CHECK_EQ(ca_profile_find(set, "issuing-ca", &p), 0);
	CHECK_EQ(ca_profile_serialize(set, &json, &len), 0);
	CHECK(json != NULL && strcmp(json, default_json) == 0);
	if (json != NULL && strcmp(json, default_json) != 0)
		fprintf(stderr, "got:\n%s", json);
	CHECK_EQ(ca_profile_parse(json, len, &again), 0);
	CHECK(again != NULL && memcmp(set, again, sizeof(*set)) == 0);
	free(json);
	ca_profile_set_free(set);
	ca_profile_set_free(again);
	ca_profile_set_free(NULL);
}

static void
test_optional_keys(void)
{
	static const char minimal[] =
	        "{\"version\":1,\"issuing_ca\":{\"issuing-ca\":{\"validity_days\":100}}}";
	struct ca_profile_set *set = NULL;

	CHECK_EQ(ca_profile_parse(minimal, strlen(minimal), &set), 0);
	if (set == NULL)
		return;
	CHECK_EQ(set->root_validity_days, 7305);
	CHECK_EQ(set->crl_next_update_days, 180);
	CHECK_EQ(set->issuing[0].path_len, 0);
	CHECK_EQ(set->issuing[0].eku, 0);
	CHECK_EQ(set->issuing[0].n_policies, 0);
	CHECK_EQ(set->issuing[0].subject_required,
	         CA_ATTR_BIT(CA_ATTR_C) | CA_ATTR_BIT(CA_ATTR_O) | CA_ATTR_BIT(CA_ATTR_CN));
	ca_profile_set_free(set);
}

static void
test_find(void)
{
	struct ca_profile_set *set = NULL;
	const struct ca_profile *p = (const struct ca_profile *)1;

	if (ca_profile_parse(full_json, strlen(full_json), &set) != 0)
		return;
	CHECK_EQ(ca_profile_find(set, "nope", &p), CUSTOS_ENOENT);
	CHECK(p == NULL);
	CHECK(strstr(custos_err_detail(), "'nope'") != NULL);
	CHECK(strstr(custos_err_detail(), "issuing-ca, tls-only") != NULL);
	ca_profile_set_free(set);
}

/*
 * Parses text made from fmt and requires code and a detail containing each
 * of the NULL-terminated strings that follow.
 */
static int
refused(int code, const char *text, ...)
{
	struct ca_profile_set *set = (struct ca_profile_set *)1;
	const char *want;
	va_list ap;
	int r, ok;

	r = ca_profile_parse(text, strlen(text), &set);
	ok = r == code && (code != 0) == (set == NULL);
	va_start(ap, text);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (strstr(custos_err_detail(), want) == NULL)
			ok = 0;
	va_end(ap);
	if (!ok)
		fprintf(stderr, "  input %s\n  gave %d: %s\n", text, r, custos_err_detail());
	if (r == 0)
		ca_profile_set_free(set);
	return ok;
}

/* A file whose one profile has the members m (after validity_days unless m sets it). */
static const char *
prof(const char *m)
{
	static char buf[2048];

	(void)snprintf(buf, sizeof(buf), "{\"version\":1,\"issuing_ca\":{\"issuing-ca\":{%s%s}}}",
	               strstr(m, "validity_days") ? "" : "\"validity_days\":365,", m);
	return buf;
}

/* A file with top-level members m added. */
static const char *
top(const char *m)
{
	static char buf[2048];

	(void)snprintf(buf, sizeof(buf), "{\"version\":1%s%s}",
	               strstr(m, "issuing_ca") ? ""
	                                       : ",\"issuing_ca\":{\"issuing-ca\":{"
	                                         "\"validity_days\":365}}",
	               m);
	return buf;
}

#define REFUSED(text, ...) CHECK(refused(CUSTOS_EPROFILE, text, __VA_ARGS__, (const char *)NULL))

static void
test_unknown_keys(void)
{
	REFUSED(top(",\"colour\":1"), "profiles.json: unknown key 'colour'", "version, root");
	REFUSED(prof("\"valdity_days\":3"), "issuing_ca.issuing-ca: unknown key 'valdity_days'");
	REFUSED(top(",\"root\":{\"validity_days\":3000,\"x\":1}"), "root: unknown key 'x'");
	REFUSED(top(",\"crl\":{\"next_update\":1}"), "crl: unknown key 'next_update'");
	REFUSED(prof("\"policies\":[{\"oid\":\"1.2.3\",\"qualifier\":\"x\"}]"),
	        "issuing_ca.issuing-ca.policies[0]: unknown key 'qualifier'");
	REFUSED(prof("\"name_constraints\":{\"permitted_uri\":[]}"),
	        "issuing_ca.issuing-ca.name_constraints: unknown key 'permitted_uri'");
	REFUSED(prof("\"subject\":{\"forbidden\":[]}"),
	        "issuing_ca.issuing-ca.subject: unknown key 'forbidden'");
	/* A key with control characters is shown escaped. */
	REFUSED(prof("\"a\\u001b[2J\":1"), "unknown key 'a\\x1b[2J'");
}

static void
test_wrong_types(void)
{
	REFUSED(prof("\"validity_days\":\"365\""),
	        "issuing_ca.issuing-ca.validity_days: must be an integer, not a string");
	REFUSED(prof("\"path_len\":1.0"), "issuing_ca.issuing-ca.path_len: must be an integer, "
	                                  "not a number with a fraction");
	REFUSED(prof("\"eku\":\"serverAuth\""), "issuing_ca.issuing-ca.eku: must be an array");
	REFUSED(prof("\"eku\":[1]"), "issuing_ca.issuing-ca.eku[0]: must be a string");
	REFUSED(prof("\"policies\":[\"1.2.3\"]"),
	        "issuing_ca.issuing-ca.policies[0]: must be an object");
	REFUSED(prof("\"crl_url\":true"), "issuing_ca.issuing-ca.crl_url: must be a string, "
	                                  "not a boolean");
	REFUSED(prof("\"subject\":[]"), "issuing_ca.issuing-ca.subject: must be an object");
	REFUSED(top(",\"issuing_ca\":{\"issuing-ca\":null}"),
	        "issuing_ca.issuing-ca: must be an object, not null");
	REFUSED(top(",\"issuing_ca\":[]"), "issuing_ca: must be an object, not an array");
	REFUSED("{\"issuing_ca\":{}}", "version: is missing");
	REFUSED("{\"version\":1}", "issuing_ca: is missing");
	REFUSED("{\"version\":1,\"issuing_ca\":{\"issuing-ca\":{\"path_len\":0}}}",
	        "issuing_ca.issuing-ca.validity_days: is missing");
	REFUSED("[1]", "must hold one JSON object");
}

static void
test_values(void)
{
	REFUSED(prof("\"validity_days\":0"),
	        "issuing_ca.issuing-ca.validity_days: must be an integer from 1 to 3650, not 0");
	REFUSED(prof("\"validity_days\":3651"), "validity_days", "not 3651");
	REFUSED(prof("\"validity_days\":99999999999999"), "validity_days", "not 99999999999999");
	REFUSED(prof("\"path_len\":6"), "issuing_ca.issuing-ca.path_len", "0 to 5, not 6");
	REFUSED(prof("\"path_len\":-1"), "path_len", "not -1");
	REFUSED(top(",\"crl\":{\"next_update_days\":366}"), "crl.next_update_days",
	        "1 to 365, not 366");
	REFUSED(top(",\"crl\":{\"next_update_days\":0}"), "crl.next_update_days", "not 0");
	REFUSED(top(",\"root\":{\"validity_days\":2921}"), "root.validity_days",
	        "2922 to 9132, not 2921");
	REFUSED("{\"version\":2,\"issuing_ca\":{}}", "version: is 2");
	REFUSED(top(",\"issuing_ca\":{}"), "issuing_ca: holds no profile");
}

static void
test_eku(void)
{
	REFUSED(prof("\"eku\":[\"anyExtendedKeyUsage\"]"), "issuing_ca.issuing-ca.eku[0]",
	        "anyExtendedKeyUsage is refused");
	REFUSED(prof("\"eku\":[\"serverAuth\",\"2.5.29.37.0\"]"), "eku[1]",
	        "anyExtendedKeyUsage is refused");
	REFUSED(prof("\"eku\":[\"codeSigning\"]"), "eku[0]", "'codeSigning' is not an EKU");
	REFUSED(prof("\"eku\":[\"serverAuth\",\"serverAuth\"]"), "eku[1]", "given twice");
}

static void
test_oids(void)
{
	static const char *const bad[] = {
	        "1.2.x", "3.1", "1.40", "1",    "1.02.3",
	        "1..2",  "",    ".1.2", "1.2.", "2.999999999999999999999"};
	char m[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(m, sizeof(m), "\"policies\":[{\"oid\":\"%s\"}]", bad[i]);
		REFUSED(prof(m), "issuing_ca.issuing-ca.policies[0]");
	}
	REFUSED(prof("\"policies\":[{\"oid\":\"1.2.x\"}]"), "oid: '1.2.x' is not a dotted-decimal");
	REFUSED(prof("\"policies\":[{\"oid\":\"1.40\"}]"), "second arc is at most 39");
	REFUSED(prof("\"policies\":[{\"cps_uri\":\"http://a/\"}]"), "policies[0].oid: is missing");
	REFUSED(prof("\"policies\":[{\"oid\":\"1.2.3\"},{\"oid\":\"1.2.3\"}]"), "policies[1]",
	        "oid: 1.2.3 is given twice");
	/* Large but valid arcs pass. */
	CHECK(refused(0, prof("\"policies\":[{\"oid\":\"2.999.123456789012345678\"}]"),
	              (const char *)NULL));
}

static void
test_urls(void)
{
	REFUSED(prof("\"crl_url\":\"https://crl.example.com/x.crl\""),
	        "issuing_ca.issuing-ca.crl_url", "must be an http:// URL");
	REFUSED(prof("\"aia_ca_issuers_url\":\"ftp://example.com/x\""),
	        "issuing_ca.issuing-ca.aia_ca_issuers_url", "must be an http:// URL");
	REFUSED(prof("\"policies\":[{\"oid\":\"1.2.3\",\"cps_uri\":\"ldap://x/\"}]"),
	        "issuing_ca.issuing-ca.policies[0].cps_uri", "http:// or https://");
	REFUSED(prof("\"crl_url\":\"http://\""), "crl_url", "has no host");
	REFUSED(prof("\"crl_url\":\"http:///x.crl\""), "crl_url", "has no host");
	REFUSED(prof("\"crl_url\":\"http://a b/\""), "crl_url", "contains a space");
	REFUSED(prof("\"crl_url\":\"http://a/\\n\""), "crl_url", "'http://a/\\x0a'");
	REFUSED(prof("\"crl_url\":\"http://user@host/x\""), "crl_url", "user name");
	REFUSED(prof("\"crl_url\":\"http://host/x#frag\""), "crl_url", "fragment");
	REFUSED(prof("\"crl_url\":\"HTTP://host/x\""), "crl_url", "must be an http:// URL");
	REFUSED(prof("\"crl_url\":\"\""), "crl_url: is empty");
	CHECK(refused(0, prof("\"crl_url\":\"http://[2001:db8::1]:8080/r.crl?x=1\""),
	              (const char *)NULL));
}

static void
test_name_constraints(void)
{
	REFUSED(prof("\"name_constraints\":{\"permitted_ip\":[\"192.0.2.1/24\"]}"),
	        "issuing_ca.issuing-ca.name_constraints.permitted_ip[0]", "host bits");
	REFUSED(prof("\"name_constraints\":{\"excluded_ip\":[\"192.0.2.0/33\"]}"),
	        "name_constraints.excluded_ip[0]", "prefix longer than 32");
	REFUSED(prof("\"name_constraints\":{\"permitted_ip\":[\"2001:db8::/129\"]}"),
	        "permitted_ip[0]", "prefix longer than 128");
	REFUSED(prof("\"name_constraints\":{\"permitted_ip\":[\"300.1.1.0/24\"]}"),
	        "permitted_ip[0]", "invalid IPv4 address");
	REFUSED(prof("\"name_constraints\":{\"permitted_ip\":[\"2001:db8:::/48\"]}"),
	        "permitted_ip[0]", "invalid IPv6 address");
	REFUSED(prof("\"name_constraints\":{\"permitted_ip\":[\"192.0.2.0\"]}"), "permitted_ip[0]",
	        "ADDRESS/PREFIX");
	REFUSED(prof("\"name_constraints\":{\"permitted_ip\":[\"192.0.2.0/024\"]}"),
	        "permitted_ip[0]", "invalid prefix length");
	REFUSED(prof("\"name_constraints\":{\"permitted_ip\":[\"10.0.0.0/8\",\"10.0.0.0/8\"]}"),
	        "name_constraints.permitted_ip", "10.0.0.0/8 is given twice");
	REFUSED(prof("\"name_constraints\":{\"permitted_dns\":[\"Example.com\"]}"),
	        "name_constraints.permitted_dns", "'Example.com' must be a lower-case");
	REFUSED(prof("\"name_constraints\":{\"excluded_dns\":[\"a..b\"]}"),
	        "name_constraints.excluded_dns", "empty label");
	REFUSED(prof("\"name_constraints\":{\"excluded_dns\":[\"-a.b\"]}"), "starting with '-'");
	REFUSED(prof("\"name_constraints\":{\"excluded_dns\":[\"a.b\",\"a.b\"]}"),
	        "a.b is given twice");
	REFUSED(prof("\"name_constraints\":{}"), "issuing_ca.issuing-ca.name_constraints: is "
	                                         "empty");
	REFUSED(prof("\"name_constraints\":{\"permitted_dns\":[]}"), "name_constraints: is empty");
}

static void
test_subject_rules(void)
{
	REFUSED(prof("\"subject\":{\"allowed\":[\"CN\",\"E\"]}"),
	        "issuing_ca.issuing-ca.subject.allowed[1]", "'E' is not a subject attribute");
	REFUSED(prof("\"subject\":{\"allowed\":[\"CN\",\"CN\"]}"), "subject.allowed[1]",
	        "CN is given twice");
	REFUSED(prof("\"subject\":{\"allowed\":[\"CN\"]}"), "subject.required: C is required "
	                                                    "but not allowed");
	REFUSED(prof("\"subject\":{\"allowed\":[\"CN\",\"O\"],\"required\":[\"O\"]}"),
	        "subject.required: must include CN");
}

static void
test_names_and_syntax(void)
{
	static const char dup[] = "{\"version\":1,\"issuing_ca\":{"
	                          "\"a\":{\"validity_days\":1},\n\"a\":{\"validity_days\":2}}}";
	char big[CA_PROFILE_FILE_MAX + 2];

	REFUSED(dup, "line 2", "duplicate object key");
	REFUSED(top(",\"issuing_ca\":{\"Issuing CA\":{\"validity_days\":1}}"),
	        "issuing_ca: profile name 'Issuing CA' may use only a-z, 0-9 and '-'");
	REFUSED(top(",\"issuing_ca\":{\"\":{\"validity_days\":1}}"), "profile name '' is empty");
	REFUSED("{\"version\":1,", "profiles.json line 1");
	REFUSED("{\"version\":1} x", "profiles.json line 1");
	memset(big, ' ', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	CHECK(refused(CUSTOS_ETOOBIG, big, (const char *)NULL));
}

static void
test_code_built(void)
{
	struct ca_profile_set *set = NULL;
	struct ca_profile *p;
	char *json = (char *)1;
	size_t len = 1;

	if (ca_profile_defaults(&set) != 0)
		return;
	p = &set->issuing[0];
	p->n_policies = 1;
	memcpy(p->policies[0].oid, "1.2.", 5);
	CHECK_EQ(ca_profile_check(p), CUSTOS_EPROFILE);
	CHECK(strstr(custos_err_detail(), "issuing_ca.issuing-ca.policies[0].oid: ") != NULL);
	CHECK_EQ(ca_profile_serialize(set, &json, &len), CUSTOS_EPROFILE);
	CHECK(json == NULL && len == 0);
	memcpy(p->policies[0].oid, "1.2.3", 6);
	p->nc.n_permitted_ip = 1;
	p->nc.permitted_ip[0].len = 4;
	memcpy(p->nc.permitted_ip[0].mask, "\xff\x00\xff\x00", 4); /* not a prefix */
	CHECK_EQ(ca_profile_check(p), CUSTOS_EPROFILE);
	CHECK(strstr(custos_err_detail(), "not a prefix") != NULL);
	p->nc.n_permitted_ip = 0;
	CHECK_EQ(ca_profile_check(p), 0);
	set->n = 2;
	set->issuing[1] = *p;
	CHECK_EQ(ca_profile_set_check(set), CUSTOS_EPROFILE);
	CHECK(strstr(custos_err_detail(), "'issuing-ca' is used twice") != NULL);
	ca_profile_set_free(set);
}

int
main(void)
{
	RUN(test_full_parses);
	RUN(test_defaults);
	RUN(test_optional_keys);
	RUN(test_find);
	RUN(test_unknown_keys);
	RUN(test_wrong_types);
	RUN(test_values);
	RUN(test_eku);
	RUN(test_oids);
	RUN(test_urls);
	RUN(test_name_constraints);
	RUN(test_subject_rules);
	RUN(test_names_and_syntax);
	RUN(test_code_built);
	return HARNESS_END();
}
