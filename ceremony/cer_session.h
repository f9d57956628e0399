/*
 * cer_session: one ceremony session with its audit trail.
 *
 * A session is what one invocation of a verb does with a CA home: who drives
 * it (the operator names themselves; custodians are identified by their
 * share), on which machine, when, and every step, each recorded in the audit
 * log as it happens.  A session that unlocks the root key ends with a
 * checkpoint (the chain head signed by the root key) and a signed transcript
 * (every key ceremony: signing, CRL, key state, rotation, key test, and the
 * key generation of init).
 *
 * Before anything is unlocked, a session that will use the key refuses a
 * clock earlier than the newest audit record; a signing ceremony also
 * refuses a network interface up (unless allowed, which is recorded), an
 * unconfirmed time or one more than 5 minutes from the system clock, and an
 * unnamed operator.  Each refusal is recorded and ends the session.
 *
 * Invariants: no record holds a share, a passphrase or a secret (the quorum
 * observer records the custodian's name and the result only); when a record
 * cannot be written, nothing is unlocked and the session fails; records made
 * while the caller holds a transaction on cer_session_db() commit or roll
 * back with it.
 */
#ifndef CER_SESSION_H
#define CER_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ceremony/cer_audit.h"
#include "ceremony/cer_db.h"
#include "ceremony/cer_env.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_quorum.h"
#include "common/err.h"

#define CER_SESSION_ID_HEX 32 /* 16 random bytes */
#define CER_HOST_ID_HEX 64    /* SHA-256 */
#define CER_OPERATOR_MAX 64

/* The session will unlock the root key: the clock must not have gone backwards. */
#define CER_SESSION_KEY 1u
/* A signing ceremony (sign, revoke, crl): also air gap, confirmed time, named operator, transcript.
 */
#define CER_SESSION_SIGNING 2u

struct cer_session;

struct cer_session_params {
	const char *verb;          /* "sign", "crl", "revoke", "key-state", "rotate", ... */
	const char *operator_name; /* who drives the session; NULL: not named */
	const char *role;          /* "operator" (NULL), "security-officer", "auditor" */
	unsigned flags;            /* CER_SESSION_KEY, CER_SESSION_SIGNING */
	int allow_network;         /* --allow-network: sign with interfaces up (recorded) */
	const char *confirm_time;  /* the operator's "YYYY-MM-DDTHH:MMZ", or NULL */
	const struct cer_env *env; /* NULL: scan this machine (always, outside tests) */
	cer_clock_fn clock;        /* NULL: the system clock */
	void *clock_ctx;
	const char *transcript_dir; /* NULL: HOME/transcripts */
};

/*
 * Checks an operator name (1 to 63 bytes of printable UTF-8) and a role
 * ("operator", "security-officer", "auditor"; custodians are identified by
 * their share, so "custodian" is refused here).  0 or CUSTOS_EINVAL.
 */
int cer_session_check_operator(const char *name) CUSTOS_WUR;
int cer_session_check_role(const char *role) CUSTOS_WUR;

/*
 * The host identifier: SHA-256("custos-host-v1:" || /etc/machine-id's first
 * line), lower-case hex; without a machine id, of "hostname:" || the host
 * name.  The raw machine id is never recorded.
 */
void cer_session_host_id(char out[CER_HOST_ID_HEX + 1]);

/*
 * Begins a session on the CA at home (HOME/ca.db must exist): a new random
 * session identifier, the host identifier, the environment scan; records
 * "session-start", then runs the checks p->flags ask for.  Returns 0 with
 * *out set, or the refusal (CUSTOS_ECLOCK, CUSTOS_ENETWORK, CUSTOS_EREFUSED,
 * CUSTOS_EINVAL), which is recorded together with the end of the session:
 * then *out is NULL.  Errors opening the log (CUSTOS_ENOENT, CUSTOS_EDB)
 * cannot be recorded.
 */
int cer_session_begin(const char *home, const struct cer_session_params *p,
                      struct cer_session **out) CUSTOS_WUR;

/*
 * A session without a home yet (custos init builds it in a staging
 * directory): identifiers, operator and clock, no checks, no records until
 * cer_session_attach() gives it a database.
 */
int cer_session_new(const struct cer_session_params *p, struct cer_session **out) CUSTOS_WUR;

/* Records from now on go to db (not owned; detach before closing it). */
void cer_session_attach(struct cer_session *s, struct cer_db *db);
void cer_session_detach(struct cer_session *s);

/* The inventory connection the records go to: run the operation's transaction on it. */
struct cer_db *cer_session_db(struct cer_session *s);

const char *cer_session_id(const struct cer_session *s);
const char *cer_session_operator(const struct cer_session *s);
const char *cer_session_role(const struct cer_session *s);

/* The file name (no directory) of the last transcript the session wrote; "" when none. */
const char *cer_session_transcript_name(const struct cer_session *s);

/* The session's clock: milliseconds, and whole seconds (for certificate times). */
int64_t cer_session_now_ms(const struct cer_session *s);
time_t cer_session_time(const struct cer_session *s);

/* The environment as scanned at the start, and one line describing it. */
const struct cer_env *cer_session_env(const struct cer_session *s);
const char *cer_session_network(const struct cer_session *s);

/*
 * Appends one record as the session's operator (or as actor/role): inside
 * the caller's transaction when one is open on cer_session_db().  details
 * is a printf format (may be NULL).  Returns 0 or the append's error, which
 * the session also remembers: after a failed record nothing is unlocked.
 */
int cer_session_record(struct cer_session *s, const char *operation, const char *object,
                       const char *result, const char *fmt, ...)
        __attribute__((format(printf, 5, 6))) CUSTOS_WUR;
int cer_session_record_as(struct cer_session *s, const char *actor, const char *role,
                          const char *operation, const char *object, const char *result,
                          const char *fmt, ...) __attribute__((format(printf, 7, 8))) CUSTOS_WUR;

/*
 * Records every share offered to q ("share": the custodian as actor, role
 * custodian, "accepted" or "refused" with the reason's message and the word
 * position, never the share).
 */
void cer_session_watch(struct cer_session *s, struct cer_quorum *q);

/*
 * Records how collecting ended and, when the quorum was met, unlocks the
 * key: "quorum" reached (naming the custodians) or refused (collect_result,
 * e.g. CUSTOS_ETHRESHOLD; q may then be NULL), then "unlock" ok or failed.
 * Refuses when an earlier record failed.  Returns 0 with *out set, or the
 * error.
 */
int cer_session_unlock(struct cer_session *s, const struct cer_home *h, struct cer_quorum *q,
                       int collect_result, struct cer_unlocked **out) CUSTOS_WUR;

/*
 * Records an artifact the session produced (a certificate, a CRL, an export):
 * operation "artifact", object its file name, details "sha256 HEX", which
 * the transcript lists with the hash as words.  sha256 (may be NULL)
 * receives the hash.
 */
int cer_session_artifact(struct cer_session *s, const char *name, const uint8_t *data, size_t len,
                         uint8_t sha256[32]) CUSTOS_WUR;

/*
 * Ends the session: records "session-end" with result (0: ok, else the
 * error and its detail); when u (the unlocked key) is given, signs the chain
 * head (the checkpoint) and, when h and transcript are given too, writes
 * the signed transcript of the ceremony (h gives the CA's subject and root
 * fingerprint) and puts its path in transcript (len bytes; "" when none).
 * Call it after the operation's transaction is committed or rolled back.  Returns 0 or the first
 * error of the ending; result itself is not returned.  The session stays
 * allocated: free it with cer_session_free().
 */
int cer_session_end(struct cer_session *s, const struct cer_home *h, const struct cer_unlocked *u,
                    int result, char *transcript, size_t len) CUSTOS_WUR;

/*
 * Records one "share-issued" per custodian of v's share set (as the
 * custodian, role custodian: set, group, member; never the share).
 */
int cer_session_record_share_set(struct cer_session *s, const struct cer_vault *v) CUSTOS_WUR;

/* "2 of 3 custodians" or "2 of 3 groups (officers: 2 of 3, ...)". */
void cer_session_describe_quorum(const struct cer_vault *v, char *buf, size_t len);

/*
 * The audit log of a new CA (cer_init, in its staging directory): records
 * the session's start, "init" (subject, key, root fingerprint, quorum), one
 * "share-issued" per custodian (never the share), the key state and the end,
 * signs them with the new key, and writes the key ceremony's transcript into
 * dir/transcripts (dir: the staging directory; NULL: none).  The session is
 * ended afterwards.
 */
int cer_session_init_log(struct cer_session *s, struct cer_db *db, const char *dir,
                         const struct cer_vault *v, X509 *root, const struct cer_backend *be,
                         EVP_PKEY *key) CUSTOS_WUR;

/*
 * Frees s (NULL is a no-op), closing the database it opened.  A session not
 * ended is recorded as "abandoned" first.
 */
void cer_session_free(struct cer_session *s);

#endif
