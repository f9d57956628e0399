/*
 * cer_sign: see the header.
 */
#include "ceremony/cer_sign.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_crl.h"
#include "ca/ca_csr.h"
#include "ca/ca_issue.h"
#include "ca/ca_name.h"
#include "ca/ca_profile.h"
#include "ceremony/cer_session.h"

int
cer_revoke(struct cer_home *h, struct cer_db *db, const uint8_t serial[CER_SERIAL_LEN],
           enum cer_reason reason, time_t now, struct cer_session *session)
{
	enum cer_key_state s = h->vault->state;
	char hex[2 * CER_SERIAL_LEN + 1];
	int r;

	if (s != CER_STATE_ACTIVE && s != CER_STATE_DEACTIVATED && s != CER_STATE_COMPROMISED)
		return custos_err_set(CUSTOS_ESTATE, "revocations are recorded only while the key is "
		                                     "active, deactivated or compromised (it is %s)",
		                      cer_state_name(s));
	if ((r = cer_db_begin(db)) != 0)
		return r;
	cer_serial_hex(serial, hex);
	if ((r = cer_db_revoke(db, serial, (int64_t)now, reason)) != 0 ||
	    (session != NULL &&
	     (r = cer_session_record(session, "revoke", hex, "ok", "reason %s",
	                             cer_reason_name(reason))) != 0)) {
		cer_db_rollback(db);
		return r;
	}
	return cer_db_commit(db);
}

/* --- signing a CSR ---------------------------------------------------------- */

void
cer_signed_clear(struct cer_signed *s)
{
	X509_free(s->cert);
	memset(s, 0, sizeof(*s));
}

struct serial_check {
	struct cer_db *db;
};

/* ca_issue asks whether a fresh serial is unused in the inventory. */
static int
serial_unused(void *ctx, const ASN1_INTEGER *serial)
{
	struct serial_check *c = ctx;
	uint8_t key[CER_SERIAL_LEN];
	int exists = 1;

	int r;

	if (serial->length <= 0 || cer_serial_key(serial->data, (size_t)serial->length, key) != 0)
		return 0;
	if ((r = cer_db_serial_exists(c->db, key, &exists)) != 0)
		return r;
	return !exists;
}

static int64_t
asn1_time_to_unix(const ASN1_TIME *t)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

/* Fills the inventory row for cert. */
static int
cert_row(X509 *cert, const char *profile, const uint8_t csr_sha256[32], time_t now,
         struct cer_cert_row *row, uint8_t **der)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(cert);
	int n;

	memset(row, 0, sizeof(*row));
	*der = NULL;
	if (cer_serial_key(sn->data, (size_t)sn->length, row->serial) != 0 ||
	    ca_name_format(X509_get_subject_name(cert), row->subject, sizeof(row->subject)) != 0)
		return custos_err_set(CUSTOS_EINTERNAL, "the new certificate cannot be recorded");
	(void)snprintf(row->profile, sizeof(row->profile), "%s", profile);
	row->not_before = asn1_time_to_unix(X509_get0_notBefore(cert));
	row->not_after = asn1_time_to_unix(X509_get0_notAfter(cert));
	row->issued_at = (int64_t)now;
	memcpy(row->csr_sha256, csr_sha256, 32);
	if ((n = i2d_X509(cert, der)) <= 0)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "encoding the certificate");
	row->der = *der;
	row->der_len = (size_t)n;
	crypto_hash_sha256(row->sha256, *der, (unsigned long long)n);
	return 0;
}

int
cer_sign_precheck(const struct cer_home *h, const struct ca_profile_set *profiles,
                  const char *profile, const uint8_t *csr, size_t csr_len)
{
	const struct ca_profile *p = NULL;
	struct ca_csr_info *info = NULL;
	X509_NAME *subject = NULL;
	X509_REQ *req = NULL;
	int r;

	if (h->vault->state != CER_STATE_ACTIVE)
		return custos_err_set(CUSTOS_ESTATE, "signing needs an active key (it is %s)",
		                      cer_state_name(h->vault->state));
	if ((info = calloc(1, sizeof(*info))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "CSR review");
	if ((r = ca_profile_find(profiles, profile, &p)) == 0 &&
	    (r = ca_csr_parse(csr, csr_len, &req)) == 0 && (r = ca_csr_review(req, info)) == 0)
		r = ca_issue_subject(p, X509_REQ_get_subject_name(req), &subject);
	X509_NAME_free(subject);
	X509_REQ_free(req);
	free(info);
	return r;
}

int
cer_crl_precheck(const struct cer_home *h)
{
	enum cer_key_state s = h->vault->state;

	if (s != CER_STATE_ACTIVE && s != CER_STATE_DEACTIVATED && s != CER_STATE_COMPROMISED)
		return custos_err_set(CUSTOS_ESTATE, "CRLs are issued only while the key is active, "
		                                     "deactivated or compromised (it is %s)",
		                      cer_state_name(s));
	return 0;
}

/* The audit record of a signature, inside the signing transaction. */
static int
record_sign(struct cer_session *session, const struct cer_cert_row *row)
{
	char hex[2 * CER_SERIAL_LEN + 1], sha[65], csr[65];

	if (session == NULL)
		return 0;
	cer_serial_hex(row->serial, hex);
	sodium_bin2hex(sha, sizeof(sha), row->sha256, 32);
	sodium_bin2hex(csr, sizeof(csr), row->csr_sha256, 32);
	return cer_session_record(session, "sign", hex, "ok",
	                          "subject %s; profile %s; sha256 %s; csr-sha256 %s", row->subject,
	                          row->profile, sha, csr);
}

int
cer_sign_csr(struct cer_home *h, struct cer_unlocked *u, struct cer_db *db,
             const struct ca_profile_set *profiles, const char *profile, const uint8_t *csr,
             size_t csr_len, time_t now, struct cer_session *session, struct cer_signed *out)
{
	struct serial_check sc = {db};
	struct ca_issue_opts opts = {NULL, serial_unused, &sc};
	const struct ca_profile *p = NULL;
	struct ca_csr_info *info = NULL;
	struct cer_cert_row row;
	X509_REQ *req = NULL;
	uint8_t *der = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (h->vault->state != CER_STATE_ACTIVE)
		return custos_err_set(CUSTOS_ESTATE, "signing needs an active key (it is %s)",
		                      cer_state_name(h->vault->state));
	if ((info = calloc(1, sizeof(*info))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "CSR review");
	if ((r = ca_profile_find(profiles, profile, &p)) != 0 ||
	    (r = ca_csr_parse(csr, csr_len, &req)) != 0 || (r = ca_csr_review(req, info)) != 0)
		goto out;
	if ((r = cer_db_begin(db)) != 0)
		goto out;
	if ((r = ca_issue_cert(p, h->root, u->key, req, now, &opts, &out->cert)) != 0 ||
	    (r = cert_row(out->cert, p->name, info->csr_sha256, now, &row, &der)) != 0 ||
	    (r = cer_db_cert_insert(db, &row)) != 0 || (r = record_sign(session, &row)) != 0 ||
	    (r = cer_db_commit(db)) != 0) {
		cer_db_rollback(db);
		goto out;
	}
	memcpy(out->serial, row.serial, CER_SERIAL_LEN);
	memcpy(out->sha256, row.sha256, 32);
	memcpy(out->csr_sha256, info->csr_sha256, 32);
out:
	if (r != 0)
		cer_signed_clear(out);
	OPENSSL_free(der);
	X509_REQ_free(req);
	free(info);
	return r;
}

/* --- CRLs ----------------------------------------------------------------------- */

void
cer_crl_clear(struct cer_crl *c)
{
	OPENSSL_free(c->der);
	memset(c, 0, sizeof(*c));
}

struct crl_feed {
	struct ca_crl_builder *b;
	uint64_t entries;
};

static int
crl_add(void *ctx, const uint8_t key[CER_SERIAL_LEN], int64_t when, enum cer_reason reason)
{
	struct crl_feed *f = ctx;
	uint8_t bytes[CER_SERIAL_LEN];
	size_t n = cer_serial_bytes(key, bytes);

	f->entries++;
	return ca_crl_add(f->b, bytes, n, (time_t)when,
	                  reason == CER_REASON_UNSPECIFIED ? CA_CRL_REASON_NONE
	                                                   : (enum ca_crl_reason)reason);
}

int
cer_crl_issue(struct cer_home *h, struct cer_unlocked *u, struct cer_db *db,
              const struct ca_profile_set *profiles, time_t now, struct cer_session *session,
              struct cer_crl *out)
{
	struct crl_feed feed = {NULL, 0};
	struct cer_crl_row row;
	unsigned char *der = NULL;
	char sha[65], number[24];
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = cer_crl_precheck(h)) != 0 || (r = cer_db_begin(db)) != 0)
		return r;
	out->this_update = now;
	out->next_update = now + (time_t)profiles->crl_next_update_days * 86400;
	if ((r = cer_db_crl_next_number(db, &out->number)) != 0 ||
	    (r = ca_crl_begin_u64(h->root, out->number, out->this_update,
	                          profiles->crl_next_update_days, &feed.b)) != 0 ||
	    (r = cer_db_revocations_foreach(db, crl_add, &feed)) != 0 ||
	    (r = ca_crl_finish(feed.b, u->key, &der, &out->der_len)) != 0)
		goto fail;
	out->der = der;
	der = NULL; /* transferred */
	out->entries = feed.entries;
	crypto_hash_sha256(out->sha256, out->der, (unsigned long long)out->der_len);
	memset(&row, 0, sizeof(row));
	row.number = out->number;
	row.this_update = (int64_t)out->this_update;
	row.next_update = (int64_t)out->next_update;
	row.entries = out->entries;
	memcpy(row.sha256, out->sha256, 32);
	row.der = out->der;
	row.der_len = out->der_len;
	sodium_bin2hex(sha, sizeof(sha), out->sha256, 32);
	(void)snprintf(number, sizeof(number), "%llu", (unsigned long long)out->number);
	if ((r = cer_db_crl_insert(db, &row)) != 0 ||
	    (session != NULL &&
	     (r = cer_session_record(session, "crl", number, "ok", "entries %llu; sha256 %s",
	                             (unsigned long long)out->entries, sha)) != 0) ||
	    (r = cer_db_commit(db)) != 0)
		goto fail;
	ca_crl_builder_free(feed.b);
	OPENSSL_free(der);
	return 0;
fail:
	cer_db_rollback(db);
	ca_crl_builder_free(feed.b);
	OPENSSL_free(der);
	cer_crl_clear(out);
	return r;
}
