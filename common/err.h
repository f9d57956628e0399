/*
 * err: the one table of custos error codes.
 *
 * Every function of the core that can fail returns 0 or a negative CUSTOS_E*
 * code.  The code says what kind of failure it was; the detail (which word,
 * which custodian, OpenSSL's error text) is kept by custos_err_set() for the
 * front-end to show.  The core never prints.
 */
#ifndef CUSTOS_ERR_H
#define CUSTOS_ERR_H

#include <stddef.h>

#define CUSTOS_WUR __attribute__((warn_unused_result))

/* X(name, value, message) */
#define CUSTOS_ERRORS(X) \
	X(CUSTOS_OK, 0, "success") \
	X(CUSTOS_EINTERNAL, -1, "internal error") \
	X(CUSTOS_ENOMEM, -2, "out of memory") \
	X(CUSTOS_EINVAL, -3, "invalid argument") \
	X(CUSTOS_ERANDOM, -4, "random number generator failed") \
	X(CUSTOS_ECRYPTO, -5, "cryptographic library failure") \
	X(CUSTOS_EIO, -6, "input/output error") \
	X(CUSTOS_EEXIST, -7, "already exists") \
	X(CUSTOS_ENOENT, -8, "not found") \
	X(CUSTOS_EFORMAT, -9, "malformed input") \
	X(CUSTOS_EVERSION, -10, "unsupported format version") \
	X(CUSTOS_EWORD, -11, "unknown mnemonic word") \
	X(CUSTOS_ECHECKSUM, -12, "mnemonic checksum failed") \
	X(CUSTOS_ESHARE, -13, "invalid share") \
	X(CUSTOS_EMISMATCH, -14, "shares do not belong together") \
	X(CUSTOS_EDUPLICATE, -15, "duplicate share") \
	X(CUSTOS_ETHRESHOLD, -16, "not enough shares") \
	X(CUSTOS_EDIGEST, -17, "share digest check failed") \
	X(CUSTOS_EAUTH, -18, "authentication failed") \
	X(CUSTOS_ESTATE, -19, "not allowed in the current key state") \
	X(CUSTOS_ESELFTEST, -20, "self-test failed") \
	X(CUSTOS_EPASSPHRASE, -21, "invalid passphrase") \
	X(CUSTOS_ECSR, -22, "invalid certificate signing request") \
	X(CUSTOS_EKEY, -23, "unacceptable key") \
	X(CUSTOS_EPROFILE, -24, "invalid profile") \
	X(CUSTOS_ELINT, -25, "certificate lint failed") \
	X(CUSTOS_EDB, -26, "inventory database error") \
	X(CUSTOS_EAUDIT, -27, "audit log verification failed") \
	X(CUSTOS_ECLOCK, -28, "clock check failed") \
	X(CUSTOS_ENETWORK, -29, "network interface up") \
	X(CUSTOS_EREFUSED, -30, "operation refused") \
	X(CUSTOS_ENOSPACE, -31, "no space left on device") \
	X(CUSTOS_ETOOBIG, -32, "too large") \
	X(CUSTOS_ECANCELLED, -33, "cancelled") \
	X(CUSTOS_ECOMMITMENT, -34, "share does not match its custodian")

enum custos_err {
#define CUSTOS_ERR_ENUM(name, value, msg) name = value,
	CUSTOS_ERRORS(CUSTOS_ERR_ENUM)
#undef CUSTOS_ERR_ENUM
};

/* Returns the fixed message for code (never NULL; unknown codes too). */
const char *custos_strerror(int code);

/*
 * Records a detail for the failure being returned and returns code, so that
 * `return custos_err_set(CUSTOS_EWORD, "word %d is not in the list", i);`
 * reads as one statement.  The detail replaces any previous one.
 */
int custos_err_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends OpenSSL's error queue to the detail (and empties the queue). */
int custos_err_set_openssl(int code, const char *what);

/* The last detail recorded, "" when none.  Owned by the library. */
const char *custos_err_detail(void);

/* Forgets the last detail. */
void custos_err_clear(void);

/*
 * Writes "message: detail" (or only the message) into buf; returns buf.
 * Never fails; truncates to len.
 */
const char *custos_err_describe(int code, char *buf, size_t len);

#endif
