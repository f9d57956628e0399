/*
 * ca_name: distinguished names in the one-line slash form custos uses on the
 * command line and on screen, e.g. "/C=US/O=Example/CN=Example Root CA".
 *
 * Parsing (names custos creates) accepts this set, in the order given, each
 * attribute at most once, one attribute per RDN:
 *   C   countryName              exactly two capital letters, PrintableString
 *   ST  stateOrProvinceName      1..128 characters, UTF8String
 *   L   localityName             1..128 characters, UTF8String
 *   O   organizationName         1..64 characters,  UTF8String
 *   OU  organizationalUnitName   1..64 characters,  UTF8String
 *   CN  commonName               1..64 characters,  UTF8String (required)
 * (upper bounds from RFC 5280 appendix A, counted in characters).
 * serialNumber and emailAddress are left out on purpose: X.520 makes the
 * first a PrintableString and PKCS#9 the second an IA5String, so neither can
 * follow the "everything but C is UTF8String" rule, and RFC 5280 deprecates
 * e-mail addresses in names.  Whether a policy needs C or O is the profile
 * lint's call, not the parser's.
 *
 * Values are UTF-8.  Escapes: "\/" "\\" "\+" "\#" stand for / \ + #; any
 * other backslash is an error; an unescaped '+' or '=' inside a value is
 * literal (no multi-valued RDNs).  Refused: empty values, leading or trailing
 * spaces, invalid UTF-8, control and invisible characters (C0, DEL, C1,
 * U+00AD, U+061C, U+180E, U+200B-U+200F, U+2028-U+202E, U+2060-U+206F,
 * U+FEFF, U+FFF9-U+FFFB, U+FFFE-U+FFFF, U+E0000-U+E007F), and a DN whose text
 * (in canonical form, with its NUL) or DER exceeds 1 KiB.
 *
 * Formatting (any name, e.g. a CSR subject) writes the same slash form, one
 * line, RDNs in their DER order, entries of a multi-valued RDN joined by '+':
 * attribute types by OpenSSL short name or dotted OID; '/', '\', '+' and a
 * leading '#' escaped with a backslash; every byte of a control or invisible
 * character (the set above), and leading or trailing spaces, as \XX (RFC 4514
 * hex pairs); a value that cannot be shown as text as #<hex of its DER>.
 * The output of ca_name_format() on a name from ca_name_parse() parses back
 * to the same DER.
 */
#ifndef CA_NAME_H
#define CA_NAME_H

#include <stddef.h>

#include <openssl/x509.h>

#include "common/err.h"

/* A DN's text, with its NUL, and its DER each fit in this many bytes. */
#define CA_NAME_TEXT_MAX 1024
#define CA_NAME_DER_MAX 1024

/*
 * Parses dn into a new name (X509_NAME_free).  Returns 0, or CUSTOS_EINVAL
 * with a detail naming the attribute and the rule broken; *out is NULL then.
 */
int ca_name_parse(const char *dn, X509_NAME **out) CUSTOS_WUR;

/*
 * Writes name into buf (len bytes, NUL-terminated) in the slash form above.
 * Returns 0, or CUSTOS_ETOOBIG (buf is then ""), CUSTOS_EINVAL, CUSTOS_ENOMEM.
 * An empty name gives "".
 */
int ca_name_format(const X509_NAME *name, char *buf, size_t len) CUSTOS_WUR;

#endif
