/*
 * cer_vault: the vault file: public metadata (authenticated) and the sealed
 * root key.  The format is specified in docs/vault-format.md; in short:
 *
 *   magic "CUSTOSVT" | version u16 | header length u32 | header (JSON)
 *   | body length u32 | body (backend blob) | signature length u16 | signature
 *
 * All integers big-endian.  The "header bytes" (magic through header) are the
 * AEAD associated data of the software backend's body; the signature, by the
 * root key, covers every byte before it, so anyone holding root.pem can check
 * the whole file without a share.
 *
 * Invariant: struct cer_vault holds public data only.  Share values, master
 * secrets and keys never enter it.
 */
#ifndef CER_VAULT_H
#define CER_VAULT_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CER_VAULT_MAGIC "CUSTOSVT"
#define CER_VAULT_VERSION 1
#define CER_VAULT_ID_LEN 32
#define CER_COMMIT_LEN 32
#define CER_SALT_LEN 16
#define CER_MASTER_LEN 32
#define CER_MAX_CUSTODIANS 16
#define CER_MAX_GROUPS 16
#define CER_MAX_RETIRED 32
#define CER_NAME_MAX 64      /* custodian and group names, bytes with NUL */
#define CER_SUBJECT_MAX 1024
#define CER_HEADER_MAX (64 * 1024)
#define CER_BODY_MAX (64 * 1024)

enum cer_key_state {
	CER_STATE_PRE_ACTIVE,
	CER_STATE_ACTIVE,
	CER_STATE_DEACTIVATED,
	CER_STATE_COMPROMISED,
	CER_STATE_DESTROYED,
};

struct cer_custodian {
	char name[CER_NAME_MAX];
	uint8_t group_index;  /* SLIP-0039 group index */
	uint8_t member_index; /* SLIP-0039 member index within the group */
	uint8_t commitment[CER_COMMIT_LEN];
	uint8_t has_passphrase;
	uint8_t salt[CER_SALT_LEN]; /* Argon2id salt when has_passphrase */
};

struct cer_group {
	char name[CER_NAME_MAX];
	uint8_t threshold;
	uint8_t count;
};

struct cer_retired {
	uint16_t identifier;
	char when[32];
};

struct cer_vault {
	uint16_t version;
	uint8_t vault_id[CER_VAULT_ID_LEN];
	char subject[CER_SUBJECT_MAX];
	char key_alg[16];
	char backend[16];
	uint8_t spki_sha256[32];
	char created[32];
	enum cer_key_state state;
	char state_changed[32];
	/* the share set */
	uint16_t identifier;
	uint8_t iteration_exponent;
	uint8_t group_threshold;
	size_t ngroups;
	struct cer_group groups[CER_MAX_GROUPS];
	size_t ncustodians;
	struct cer_custodian custodians[CER_MAX_CUSTODIANS];
	uint64_t pwhash_opslimit;
	uint64_t pwhash_memlimit;
	size_t nretired;
	struct cer_retired retired[CER_MAX_RETIRED];
	/* the file's own bytes */
	uint8_t *header_bytes; /* magic .. header: the AEAD associated data */
	size_t header_len;
	uint8_t *body;         /* backend blob; NULL once destroyed */
	size_t body_len;
};

/* "pre-active", "active", ... */
const char *cer_state_name(enum cer_key_state s);
int cer_state_from_name(const char *name, enum cer_key_state *out) CUSTOS_WUR;

/*
 * Parses a vault file: layout, version, header fields (strictly: unknown or
 * missing fields, bad values), and lengths.  Does not check the signature.
 * Returns 0, CUSTOS_EFORMAT (what is wrong), CUSTOS_EVERSION, CUSTOS_ENOMEM.
 */
int cer_vault_parse(const uint8_t *data, size_t len, struct cer_vault **out) CUSTOS_WUR;

/*
 * Checks that the signature at the end of data (a whole vault file) is the
 * root key's, and that the header's key fingerprint is root_pub's.  Returns 0
 * or CUSTOS_EAUTH.
 */
int cer_vault_verify(const struct cer_vault *v, const uint8_t *data, size_t len,
                     EVP_PKEY *root_pub) CUSTOS_WUR;

/* Encodes v's metadata into v->header_bytes (replacing them).  Returns 0 or an error. */
int cer_vault_encode_header(struct cer_vault *v) CUSTOS_WUR;

/*
 * Writes the whole file for v (header bytes, v->body, signature by key) into a
 * new malloc'd buffer.  Call cer_vault_encode_header() first and seal the body
 * against those header bytes.
 */
int cer_vault_serialize(const struct cer_vault *v, EVP_PKEY *key, uint8_t **out,
                        size_t *len) CUSTOS_WUR;

/* Allocates an empty vault; NULL on failure. */
struct cer_vault *cer_vault_new(void);

/* A copy of v's metadata without its file bytes (header and body NULL); NULL on failure. */
struct cer_vault *cer_vault_clone(const struct cer_vault *v);

/* Frees v; NULL is a no-op. */
void cer_vault_free(struct cer_vault *v);

/*
 * The commitment to one custodian's share value:
 * BLAKE2b-256(key = vault_id, msg = "custos/share/v1" || group || member || value).
 */
int cer_commitment(const uint8_t vault_id[CER_VAULT_ID_LEN], uint8_t group_index,
                   uint8_t member_index, const uint8_t *value, size_t len,
                   uint8_t out[CER_COMMIT_LEN]) CUSTOS_WUR;

/* Finds the custodian with these SLIP-0039 indices; NULL when none. */
const struct cer_custodian *cer_vault_custodian(const struct cer_vault *v, uint8_t group_index,
                                                uint8_t member_index);

/* Formats a UTC time as 2026-12-03T16:00:00Z into buf (at least 21 bytes). */
void cer_time_format(time_t t, char *buf, size_t len);

#endif
