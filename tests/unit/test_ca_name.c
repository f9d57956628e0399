/* ca_name: slash-form DNs: encodings of good names, each class of bad name, formatting. */
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "ca/ca_name.h"
#include "harness.h"

/* The type and bytes of entry i of name. */
static int
entry_is(const X509_NAME *name, int i, int nid, int type, const char *value)
{
	const X509_NAME_ENTRY *ne = X509_NAME_get_entry(name, i);
	const ASN1_STRING *v;

	if (ne == NULL)
		return 0;
	v = X509_NAME_ENTRY_get_data(ne);
	return OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)) == nid && ASN1_STRING_type(v) == type &&
	       (size_t)ASN1_STRING_length(v) == strlen(value) &&
	       memcmp(ASN1_STRING_get0_data(v), value, strlen(value)) == 0 &&
	       X509_NAME_ENTRY_set(ne) == i; /* one attribute per RDN */
}

/* parse -> format gives want (or the input when want is NULL) -> parse gives the same DER. */
static void
check_round_trip(const char *dn, const char *want)
{
	X509_NAME *a = NULL, *b = NULL;
	const unsigned char *da = NULL, *db = NULL;
	size_t la = 0, lb = 0;
	char text[CA_NAME_TEXT_MAX];

	CHECK_EQ(ca_name_parse(dn, &a), 0);
	if (a == NULL)
		return;
	CHECK_EQ(ca_name_format(a, text, sizeof(text)), 0);
	CHECK(strcmp(text, want != NULL ? want : dn) == 0);
	if (strcmp(text, want != NULL ? want : dn) != 0)
		fprintf(stderr, "  formatted: %s\n", text);
	CHECK_EQ(ca_name_parse(text, &b), 0);
	CHECK(b != NULL && X509_NAME_get0_der(a, &da, &la) && X509_NAME_get0_der(b, &db, &lb) &&
	      la == lb && memcmp(da, db, la) == 0);
	X509_NAME_free(a);
	X509_NAME_free(b);
}

static void
test_good_example(void)
{
	X509_NAME *n = NULL;
	const unsigned char *der = NULL;
	size_t len = 0;

	CHECK_EQ(ca_name_parse("/C=US/O=Example/CN=Example Root CA", &n), 0);
	if (n == NULL)
		return;
	CHECK_EQ(X509_NAME_entry_count(n), 3);
	CHECK(entry_is(n, 0, NID_countryName, V_ASN1_PRINTABLESTRING, "US"));
	CHECK(entry_is(n, 1, NID_organizationName, V_ASN1_UTF8STRING, "Example"));
	CHECK(entry_is(n, 2, NID_commonName, V_ASN1_UTF8STRING, "Example Root CA"));
	/* And in the DER itself: C as PrintableString (0x13), the others UTF8String (0x0c). */
	CHECK(X509_NAME_get0_der(n, &der, &len));
	CHECK(len > 20 && memmem(der, len, "\x06\x03\x55\x04\x06\x13\x02US", 9) != NULL);
	CHECK(memmem(der, len, "\006\003\125\004\012\014\007Example", 14) != NULL);
	CHECK(memmem(der, len, "\006\003\125\004\003\014\017Example Root CA", 22) != NULL);
	X509_NAME_free(n);
	check_round_trip("/C=US/O=Example/CN=Example Root CA", NULL);
}

static void
test_good_all_attributes(void)
{
	static const char dn[] = "/C=DE/ST=Bayern/L=M\xc3\xbcnchen/O=Beispiel GmbH/OU=PKI"
	                         "/CN=Beispiel Root CA 2025";
	X509_NAME *n = NULL;

	CHECK_EQ(ca_name_parse(dn, &n), 0);
	if (n == NULL)
		return;
	CHECK_EQ(X509_NAME_entry_count(n), 6);
	CHECK(entry_is(n, 0, NID_countryName, V_ASN1_PRINTABLESTRING, "DE"));
	CHECK(entry_is(n, 1, NID_stateOrProvinceName, V_ASN1_UTF8STRING, "Bayern"));
	CHECK(entry_is(n, 2, NID_localityName, V_ASN1_UTF8STRING, "M\xc3\xbcnchen"));
	CHECK(entry_is(n, 3, NID_organizationName, V_ASN1_UTF8STRING, "Beispiel GmbH"));
	CHECK(entry_is(n, 4, NID_organizationalUnitName, V_ASN1_UTF8STRING, "PKI"));
	CHECK(entry_is(n, 5, NID_commonName, V_ASN1_UTF8STRING, "Beispiel Root CA 2025"));
	X509_NAME_free(n);
	check_round_trip(dn, NULL);
	check_round_trip("/CN=Root", NULL);
	check_round_trip("/CN=Root/C=US", NULL); /* order is kept as given */
}

static void
test_good_escapes(void)
{
	X509_NAME *n = NULL;

	CHECK_EQ(ca_name_parse("/O=A\\/B \\\\ C/CN=x\\+y\\#", &n), 0);
	if (n != NULL) {
		CHECK(entry_is(n, 0, NID_organizationName, V_ASN1_UTF8STRING, "A/B \\ C"));
		CHECK(entry_is(n, 1, NID_commonName, V_ASN1_UTF8STRING, "x+y#"));
	}
	X509_NAME_free(n);
	n = NULL;
	/* '+', '=' and '#' need no escape inside a value; the formatter adds some. */
	CHECK_EQ(ca_name_parse("/CN=#a+b=c", &n), 0);
	if (n != NULL)
		CHECK(entry_is(n, 0, NID_commonName, V_ASN1_UTF8STRING, "#a+b=c"));
	X509_NAME_free(n);
	check_round_trip("/O=A\\/B \\\\ C/CN=x\\+y#", NULL);
	check_round_trip("/CN=#a+b=c", "/CN=\\#a\\+b=c");
}

static void
test_good_limits(void)
{
	char dn[CA_NAME_TEXT_MAX];
	size_t i;

	/* CN of exactly 64 characters, two bytes each: the bound counts characters. */
	memcpy(dn, "/CN=", 4);
	for (i = 0; i < 64; i++)
		memcpy(dn + 4 + 2 * i, "\xc3\xa9", 2);
	dn[4 + 128] = '\0';
	check_round_trip(dn, NULL);
	/* L of 128 ASCII characters */
	memcpy(dn, "/CN=x/L=", 8);
	memset(dn + 8, 'a', 128);
	dn[8 + 128] = '\0';
	check_round_trip(dn, NULL);
}

/* Each rule, one bad DN or more; the detail must name the problem. */
static void
test_bad_classes(void)
{
	/* clang-format off */
	static const struct {
		const char *dn;
		const char *detail;
	} bad[] = {
		{"", "starts with '/'"},
		{"C=US/CN=x", "starts with '/'"},
		{"/", "empty attribute at position 1"},
		{"/CN=x/", "empty attribute at position 2"},
		{"/CN=x//O=y", "empty attribute at position 2"},
		{"/CN", "has no '='"},
		{"/CN=", "attribute CN is empty"},
		{"/CN=x/O=", "attribute O is empty"},
		{"/XX=1/CN=a", "unknown attribute 'XX'"},
		{"/cn=a", "unknown attribute 'cn'"},
		{"/emailAddress=a@example.com/CN=x", "unknown attribute 'emailAddress'"},
		{"/serialNumber=1/CN=x", "unknown attribute 'serialNumber'"},
		{"/=x/CN=y", "unknown attribute ''"},
		{"/O=Example", "no CN"},
		{"/C=US/O=Example", "no CN"},
		{"/C=USA/CN=x", "two capital letters"},
		{"/C=us/CN=x", "two capital letters"},
		{"/C=U1/CN=x", "two capital letters"},
		{"/C=U/CN=x", "two capital letters"},
		{"/CN=a\x01" "b", "U+0001"},
		{"/CN=a\tb", "U+0009"},
		{"/CN=a\x7f" "b", "U+007F"},
		{"/CN=a\xc2\x85" "b", "U+0085"},
		{"/CN=a\xe2\x80\xae" "b", "U+202E"},
		{"/CN=a\xe2\x80\x8b" "b", "U+200B"},
		{"/CN=\xef\xbb\xbf" "b", "U+FEFF"},
		{"/CN=a\xc2\xad" "b", "U+00AD"},
		{"/CN=a\xf3\xa0\x80\x81", "U+E0001"},
		{"/CN=a\xff", "not valid UTF-8"},
		{"/CN=a\xc0\xaf", "not valid UTF-8"},
		{"/CN=a\xed\xa0\x80", "not valid UTF-8"},
		{"/CN=a\xe2\x82", "not valid UTF-8"},
		{"/CN=a\xf4\x90\x80\x80", "not valid UTF-8"},
		{"/CN= x", "leading or trailing spaces"},
		{"/CN=x ", "leading or trailing spaces"},
		{"/CN=a/CN=b", "CN is given twice"},
		{"/O=a/CN=b/O=c", "O is given twice"},
		{"/CN=a\\nb", "unknown escape '\\n'"},
		{"/CN=a\\", "unknown escape"},
		{"/CN=a\\20", "unknown escape"},
	};
	/* clang-format on */
	X509_NAME *n;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = (X509_NAME *)1;
		CHECK_EQ(ca_name_parse(bad[i].dn, &n), CUSTOS_EINVAL);
		CHECK(n == NULL);
		if (strstr(custos_err_detail(), bad[i].detail) == NULL) {
			CHECK(strstr(custos_err_detail(), bad[i].detail) != NULL);
			fprintf(stderr, "  case %zu: detail '%s', expected '%s'\n", i,
			        custos_err_detail(), bad[i].detail);
		}
	}
	n = (X509_NAME *)1;
	CHECK_EQ(ca_name_parse(NULL, &n), CUSTOS_EINVAL);
	CHECK(n == NULL);
}

static void
test_bad_lengths(void)
{
	/* clang-format off */
	static const struct {
		const char *type;
		size_t max;
	} limits[] = {{"CN", 64}, {"O", 64}, {"OU", 64}, {"L", 128}, {"ST", 128}};
	/* clang-format on */
	char dn[4 * CA_NAME_TEXT_MAX];
	X509_NAME *n = NULL;
	size_t i, k, p;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		/* max + 1 characters, in one-byte and in three-byte characters */
		p = (size_t)snprintf(dn, sizeof(dn), "/CN=x/%s=", limits[i].type);
		if (strcmp(limits[i].type, "CN") == 0)
			p = (size_t)snprintf(dn, sizeof(dn), "/CN=");
		memset(dn + p, 'a', limits[i].max + 1);
		dn[p + limits[i].max + 1] = '\0';
		CHECK_EQ(ca_name_parse(dn, &n), CUSTOS_EINVAL);
		CHECK(strstr(custos_err_detail(), "over the limit") != NULL);
		dn[p + limits[i].max] = '\0'; /* exactly max: fine */
		CHECK_EQ(ca_name_parse(dn, &n), 0);
		X509_NAME_free(n);
		n = NULL;
		for (k = 0; k <= limits[i].max; k++)
			memcpy(dn + p + 3 * k, "\xe2\x82\xac", 3); /* the euro sign */
		dn[p + 3 * (limits[i].max + 1)] = '\0';
		CHECK_EQ(ca_name_parse(dn, &n), CUSTOS_EINVAL);
		CHECK(strstr(custos_err_detail(), "over the limit") != NULL);
	}
	/* Over 1 KiB of text: rejected before anything else. */
	memcpy(dn, "/CN=", 4);
	memset(dn + 4, 'a', 2000);
	dn[2004] = '\0';
	CHECK_EQ(ca_name_parse(dn, &n), CUSTOS_EINVAL);
	CHECK(strstr(custos_err_detail(), "longer than 1023 characters") != NULL);
	/* Valid attributes, but over 1 KiB in total (4-byte characters). */
	p = (size_t)snprintf(dn, sizeof(dn), "/ST=");
	for (k = 0; k < 128; k++, p += 4)
		memcpy(dn + p, "\xf0\x9f\x98\x80", 4);
	p += (size_t)snprintf(dn + p, sizeof(dn) - p, "/L=");
	for (k = 0; k < 128; k++, p += 4)
		memcpy(dn + p, "\xf0\x9f\x98\x80", 4);
	(void)snprintf(dn + p, sizeof(dn) - p, "/CN=x");
	CHECK_EQ(ca_name_parse(dn, &n), CUSTOS_EINVAL);
	CHECK(strstr(custos_err_detail(), "longer than 1023") != NULL);
	/* Under 1 KiB of text but over 1 KiB of DER. */
	p = (size_t)snprintf(dn, sizeof(dn), "/ST=");
	for (k = 0; k < 128; k++, p += 4)
		memcpy(dn + p, "\xf0\x9f\x98\x80", 4);
	p += (size_t)snprintf(dn + p, sizeof(dn) - p, "/L=");
	for (k = 0; k < 124; k++, p += 4)
		memcpy(dn + p, "\xf0\x9f\x98\x80", 4);
	(void)snprintf(dn + p, sizeof(dn) - p, "/CN=abcd");
	CHECK(strlen(dn) <= 1023);
	CHECK_EQ(ca_name_parse(dn, &n), CUSTOS_EINVAL);
	CHECK(strstr(custos_err_detail(), "encodes to") != NULL);
	CHECK(n == NULL);
}

/* The formatter shows any name safely, whatever its strings hold. */
static void
test_format_foreign(void)
{
	static const unsigned char bmp[] = {0x00, 'A', 0x00, 0xe9}; /* "Aé" */
	/* SEQ { SET { SEQ { pseudonym, BIT STRING 00 ff } } }: a value that is not text */
	static const unsigned char bits_der[] = {0x30, 0x0e, 0x31, 0x0c, 0x30, 0x0a, 0x06, 0x03,
	                                         0x55, 0x04, 0x41, 0x03, 0x03, 0x00, 0xff, 0x01};
	const unsigned char *p = bits_der;
	X509_NAME *bitsname = d2i_X509_NAME(NULL, &p, sizeof(bits_der));
	X509_NAME_ENTRY *bits = bitsname != NULL ? X509_NAME_get_entry(bitsname, 0) : NULL;
	X509_NAME *n = X509_NAME_new();
	ASN1_OBJECT *odd = OBJ_txt2obj("1.2.3.4.5", 1);
	char text[CA_NAME_TEXT_MAX], tiny[8];

	CHECK(n != NULL && odd != NULL && bits != NULL);
	if (n == NULL || odd == NULL || bits == NULL)
		goto out;
	CHECK_EQ(ca_name_format(n, text, sizeof(text)), 0);
	CHECK(strcmp(text, "") == 0);
	CHECK(X509_NAME_add_entry_by_NID(n, NID_organizationName, MBSTRING_UTF8,
	                                 (const unsigned char *)"a\x01\xe2\x80\xae/b", -1, -1, 0));
	/* set -1: the same RDN as the previous entry (a multi-valued RDN) */
	CHECK(X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
	                                 (const unsigned char *)" #x+y ", -1, -1, -1));
	CHECK(X509_NAME_add_entry_by_NID(n, NID_localityName, V_ASN1_BMPSTRING, bmp, sizeof(bmp),
	                                 -1, 0));
	CHECK(X509_NAME_add_entry_by_OBJ(n, odd, V_ASN1_UTF8STRING, (const unsigned char *)"v", 1,
	                                 -1, 0));
	CHECK(X509_NAME_add_entry(n, bits, -1, 0));
	CHECK(X509_NAME_add_entry_by_NID(n, NID_commonName, V_ASN1_UTF8STRING,
	                                 (const unsigned char *)"\xff\xfe", 2, -1, 0));
	CHECK_EQ(ca_name_format(n, text, sizeof(text)), 0);
	if (strcmp(text, "/O=a\\01\\E2\\80\\AE\\/b+CN=\\20#x\\+y\\20/L=A\xc3\xa9/1.2.3.4.5=v"
	                 "/pseudonym=#030300FF01/CN=#0C02FFFE") != 0) {
		CHECK(!"unexpected format");
		fprintf(stderr, "  formatted: %s\n", text);
	}
	CHECK_EQ(ca_name_format(n, tiny, sizeof(tiny)), CUSTOS_ETOOBIG);
	CHECK(tiny[0] == '\0');
	CHECK_EQ(ca_name_format(NULL, text, sizeof(text)), CUSTOS_EINVAL);
	CHECK_EQ(ca_name_format(n, text, 0), CUSTOS_EINVAL);
out:
	X509_NAME_free(bitsname);
	ASN1_OBJECT_free(odd);
	X509_NAME_free(n);
}

int
main(void)
{
	RUN(test_good_example);
	RUN(test_good_all_attributes);
	RUN(test_good_escapes);
	RUN(test_good_limits);
	RUN(test_bad_classes);
	RUN(test_bad_lengths);
	RUN(test_format_foreign);
	return HARNESS_END();
}
