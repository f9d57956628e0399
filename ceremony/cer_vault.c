/*
 * cer_vault: vault file encoding, parsing and signature (see the header).
 *
 * The parser trusts nothing: every length is checked against the bytes that
 * remain, the header must be strict JSON with exactly the documented fields,
 * and every value is range-checked, before anything else looks at it.
 */
#include "ceremony/cer_vault.h"

#include <jansson.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca/ca_sig.h"

#define KDF_NAME "blake2b-256(key=master_secret, msg=\"custos/vault-key/v1\" || vault_id)"
#define AEAD_NAME "xchacha20poly1305-ietf"
#define PWHASH_NAME "argon2id13"
#define PREFIX_LEN 14 /* magic 8, version 2, header length 4 */

static const char *const state_names[] = {"pre-active", "active", "deactivated", "compromised",
                                          "destroyed"};

const char *
cer_state_name(enum cer_key_state s)
{
	return (unsigned)s < 5 ? state_names[s] : "unknown";
}

int
cer_state_from_name(const char *name, enum cer_key_state *out)
{
	unsigned i;

	for (i = 0; i < 5; i++)
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum cer_key_state)i;
			return 0;
		}
	return custos_err_set(CUSTOS_EFORMAT, "unknown key state '%s'", name);
}

void
cer_time_format(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)snprintf(buf, len, "1970-01-01T00:00:00Z");
}

struct cer_vault *
cer_vault_new(void)
{
	return calloc(1, sizeof(struct cer_vault));
}

struct cer_vault *
cer_vault_clone(const struct cer_vault *v)
{
	struct cer_vault *c = malloc(sizeof(*c));

	if (c == NULL)
		return NULL;
	*c = *v;
	c->header_bytes = NULL;
	c->header_len = 0;
	c->body = NULL;
	c->body_len = 0;
	return c;
}

void
cer_vault_free(struct cer_vault *v)
{
	if (v == NULL)
		return;
	free(v->header_bytes);
	free(v->body);
	free(v);
}

int
cer_commitment(const uint8_t vault_id[CER_VAULT_ID_LEN], uint8_t group_index, uint8_t member_index,
               const uint8_t *value, size_t len, uint8_t out[CER_COMMIT_LEN])
{
	crypto_generichash_state st;
	static const char tag[] = "custos/share/v1";
	uint8_t idx[2] = {group_index, member_index};

	if (crypto_generichash_init(&st, vault_id, CER_VAULT_ID_LEN, CER_COMMIT_LEN) != 0 ||
	    crypto_generichash_update(&st, (const uint8_t *)tag, sizeof(tag) - 1) != 0 ||
	    crypto_generichash_update(&st, idx, sizeof(idx)) != 0 ||
	    crypto_generichash_update(&st, value, len) != 0 ||
	    crypto_generichash_final(&st, out, CER_COMMIT_LEN) != 0) {
		sodium_memzero(&st, sizeof(st));
		return custos_err_set(CUSTOS_ECRYPTO, "BLAKE2b");
	}
	sodium_memzero(&st, sizeof(st));
	return 0;
}

const struct cer_custodian *
cer_vault_custodian(const struct cer_vault *v, uint8_t group_index, uint8_t member_index)
{
	size_t i;

	for (i = 0; i < v->ncustodians; i++)
		if (v->custodians[i].group_index == group_index &&
		    v->custodians[i].member_index == member_index)
			return &v->custodians[i];
	return NULL;
}

/* --- encoding ---------------------------------------------------------- */

static json_t *
hex_json(const uint8_t *bin, size_t len)
{
	char hex[2 * 64 + 1];

	if (len > 64)
		return NULL;
	sodium_bin2hex(hex, sizeof(hex), bin, len);
	return json_string(hex);
}

static json_t *
shares_json(const struct cer_vault *v)
{
	json_t *groups = json_array(), *custodians = json_array(), *retired = json_array();
	size_t i;

	for (i = 0; i < v->ngroups; i++)
		json_array_append_new(groups, json_pack("{s:s, s:i, s:i}", "name", v->groups[i].name,
		                                        "threshold", v->groups[i].threshold, "count",
		                                        v->groups[i].count));
	for (i = 0; i < v->ncustodians; i++) {
		const struct cer_custodian *c = &v->custodians[i];
		json_t *pp = c->has_passphrase ? json_pack("{s:o}", "salt", hex_json(c->salt, CER_SALT_LEN))
		                               : json_null();

		json_array_append_new(custodians,
		                      json_pack("{s:s, s:i, s:i, s:o, s:o}", "name", c->name, "group",
		                                c->group_index, "member", c->member_index, "commitment",
		                                hex_json(c->commitment, CER_COMMIT_LEN), "passphrase",
		                                pp));
	}
	for (i = 0; i < v->nretired; i++)
		json_array_append_new(retired, json_pack("{s:i, s:s}", "identifier",
		                                         v->retired[i].identifier, "retired",
		                                         v->retired[i].when));
	return json_pack("{s:s, s:i, s:b, s:i, s:i, s:o, s:o, s:{s:s, s:I, s:I}, s:o}", "scheme",
	                 "slip39", "identifier", v->identifier, "extendable", 1,
	                 "iteration_exponent", v->iteration_exponent, "group_threshold",
	                 v->group_threshold, "groups", groups, "custodians", custodians,
	                 "passphrase_kdf", "algorithm", PWHASH_NAME, "opslimit",
	                 (json_int_t)v->pwhash_opslimit, "memlimit", (json_int_t)v->pwhash_memlimit,
	                 "retired", retired);
}

static void
put_be(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t
get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int
cer_vault_encode_header(struct cer_vault *v)
{
	json_t *h;
	char *text = NULL;
	size_t tlen;
	uint8_t *buf;

	h = json_pack("{s:s, s:i, s:o, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:o}", "format",
	              "custos-vault", "version", CER_VAULT_VERSION, "vault_id",
	              hex_json(v->vault_id, CER_VAULT_ID_LEN), "subject", v->subject,
	              "key_algorithm", v->key_alg, "backend", v->backend, "spki_sha256",
	              hex_json(v->spki_sha256, 32), "created", v->created, "key_state",
	              cer_state_name(v->state), "key_state_changed", v->state_changed, "kdf",
	              KDF_NAME, "aead", AEAD_NAME, "shares", shares_json(v));
	if (h != NULL)
		text = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	json_decref(h);
	if (text == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "vault header");
	tlen = strlen(text);
	if (tlen > CER_HEADER_MAX) {
		free(text);
		return custos_err_set(CUSTOS_ETOOBIG, "vault header of %zu bytes", tlen);
	}
	if ((buf = malloc(PREFIX_LEN + tlen)) == NULL) {
		free(text);
		return custos_err_set(CUSTOS_ENOMEM, "vault header");
	}
	memcpy(buf, CER_VAULT_MAGIC, 8);
	put_be(buf + 8, CER_VAULT_VERSION, 2);
	put_be(buf + 10, tlen, 4);
	memcpy(buf + PREFIX_LEN, text, tlen);
	free(text);
	free(v->header_bytes);
	v->header_bytes = buf;
	v->header_len = PREFIX_LEN + tlen;
	return 0;
}

int
cer_vault_serialize(const struct cer_vault *v, EVP_PKEY *key, uint8_t **out, size_t *len)
{
	uint8_t sig[CA_SIG_MAX], *buf;
	size_t siglen, signed_len, total;
	int r;

	*out = NULL;
	*len = 0;
	if (v->header_bytes == NULL || v->body_len > CER_BODY_MAX)
		return custos_err_set(CUSTOS_EINTERNAL, "vault not ready to write");
	signed_len = v->header_len + 4 + v->body_len;
	total = signed_len + 2 + CA_SIG_MAX;
	if ((buf = malloc(total)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "vault file");
	memcpy(buf, v->header_bytes, v->header_len);
	put_be(buf + v->header_len, v->body_len, 4);
	if (v->body_len > 0)
		memcpy(buf + v->header_len + 4, v->body, v->body_len);
	if ((r = ca_sig_sign(key, buf, signed_len, sig, &siglen)) != 0) {
		free(buf);
		return r;
	}
	put_be(buf + signed_len, siglen, 2);
	memcpy(buf + signed_len + 2, sig, siglen);
	*out = buf;
	*len = signed_len + 2 + siglen;
	return 0;
}

/* --- parsing ----------------------------------------------------------- */

static int
unhex(const char *hex, uint8_t *out, size_t want, const char *field)
{
	size_t got = 0;

	if (hex == NULL || strlen(hex) != 2 * want ||
	    sodium_hex2bin(out, want, hex, strlen(hex), NULL, &got, NULL) != 0 || got != want)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: %s is not %zu hex bytes", field,
		                      want);
	return 0;
}

static int
copy_str(char *dst, size_t cap, const char *src, const char *field)
{
	size_t n = strlen(src);

	if (n == 0 || n >= cap)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: %s is empty or too long", field);
	memcpy(dst, src, n + 1);
	return 0;
}

static int
parse_custodian(struct cer_vault *v, json_t *j, size_t i)
{
	struct cer_custodian *c = &v->custodians[i];
	json_error_t e;
	const char *name, *commit, *salt = NULL;
	int group, member, r;
	json_t *pp;

	if (json_unpack_ex(j, &e, JSON_STRICT, "{s:s, s:i, s:i, s:s, s:o}", "name", &name, "group",
	                   &group, "member", &member, "commitment", &commit, "passphrase", &pp) != 0)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: custodian %zu: %s", i + 1, e.text);
	if ((r = copy_str(c->name, sizeof(c->name), name, "custodian name")) != 0)
		return r;
	if (group < 0 || group >= (int)v->ngroups || member < 0 || member >= 16)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: custodian %s has bad indices",
		                      c->name);
	c->group_index = (uint8_t)group;
	c->member_index = (uint8_t)member;
	if ((r = unhex(commit, c->commitment, CER_COMMIT_LEN, "commitment")) != 0)
		return r;
	if (json_is_null(pp))
		return 0;
	if (json_unpack_ex(pp, &e, JSON_STRICT, "{s:s}", "salt", &salt) != 0)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: custodian %s passphrase: %s",
		                      c->name, e.text);
	c->has_passphrase = 1;
	return unhex(salt, c->salt, CER_SALT_LEN, "passphrase salt");
}

static int
parse_shares(struct cer_vault *v, json_t *s)
{
	json_error_t e;
	json_t *groups, *custodians, *retired, *x;
	const char *scheme, *alg;
	int ident, ext, iexp, gt, r;
	json_int_t ops, mem;
	size_t i;

	if (json_unpack_ex(s, &e, JSON_STRICT,
	                   "{s:s, s:i, s:b, s:i, s:i, s:o, s:o, s:{s:s, s:I, s:I}, s:o}", "scheme",
	                   &scheme, "identifier", &ident, "extendable", &ext, "iteration_exponent",
	                   &iexp, "group_threshold", &gt, "groups", &groups, "custodians",
	                   &custodians, "passphrase_kdf", "algorithm", &alg, "opslimit", &ops,
	                   "memlimit", &mem, "retired", &retired) != 0)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: shares: %s", e.text);
	if (strcmp(scheme, "slip39") != 0 || !ext || strcmp(alg, PWHASH_NAME) != 0)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: unknown share scheme");
	if (ident < 0 || ident > 0x7fff || iexp < 0 || iexp > 15 || ops < 1 || mem < 8192)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: share parameters out of range");
	v->identifier = (uint16_t)ident;
	v->iteration_exponent = (uint8_t)iexp;
	v->pwhash_opslimit = (uint64_t)ops;
	v->pwhash_memlimit = (uint64_t)mem;
	if (!json_is_array(groups) || json_array_size(groups) < 1 ||
	    json_array_size(groups) > CER_MAX_GROUPS || gt < 1 || (size_t)gt > json_array_size(groups))
		return custos_err_set(CUSTOS_EFORMAT, "vault header: bad groups");
	v->group_threshold = (uint8_t)gt;
	v->ngroups = json_array_size(groups);
	json_array_foreach(groups, i, x) {
		const char *name;
		int t, n;

		if (json_unpack_ex(x, &e, JSON_STRICT, "{s:s, s:i, s:i}", "name", &name, "threshold",
		                   &t, "count", &n) != 0 || t < 1 || n < t || n > 16 ||
		    strlen(name) >= CER_NAME_MAX)
			return custos_err_set(CUSTOS_EFORMAT, "vault header: group %zu is invalid", i + 1);
		memcpy(v->groups[i].name, name, strlen(name) + 1);
		v->groups[i].threshold = (uint8_t)t;
		v->groups[i].count = (uint8_t)n;
	}
	if (!json_is_array(custodians) || json_array_size(custodians) < 1 ||
	    json_array_size(custodians) > CER_MAX_CUSTODIANS)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: bad custodian list");
	v->ncustodians = json_array_size(custodians);
	json_array_foreach(custodians, i, x)
		if ((r = parse_custodian(v, x, i)) != 0)
			return r;
	if (!json_is_array(retired) || json_array_size(retired) > CER_MAX_RETIRED)
		return custos_err_set(CUSTOS_EFORMAT, "vault header: bad retired list");
	v->nretired = json_array_size(retired);
	json_array_foreach(retired, i, x) {
		const char *when;
		int id;

		if (json_unpack_ex(x, &e, JSON_STRICT, "{s:i, s:s}", "identifier", &id, "retired",
		                   &when) != 0 || id < 0 || id > 0x7fff ||
		    strlen(when) >= sizeof(v->retired[i].when))
			return custos_err_set(CUSTOS_EFORMAT, "vault header: retired set %zu", i + 1);
		v->retired[i].identifier = (uint16_t)id;
		memcpy(v->retired[i].when, when, strlen(when) + 1);
	}
	return 0;
}

static int
parse_header(struct cer_vault *v, const char *text, size_t len)
{
	json_error_t e;
	json_t *h, *shares;
	const char *format, *id, *subject, *alg, *backend, *spki, *created, *state, *changed, *kdf,
		*aead;
	int version, r;

	h = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (h == NULL)
		return custos_err_set(CUSTOS_EFORMAT, "vault header is not valid JSON: %s", e.text);
	r = json_unpack_ex(h, &e, JSON_STRICT,
	                   "{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
	                   "format", &format, "version", &version, "vault_id", &id, "subject",
	                   &subject, "key_algorithm", &alg, "backend", &backend, "spki_sha256", &spki,
	                   "created", &created, "key_state", &state, "key_state_changed", &changed,
	                   "kdf", &kdf, "aead", &aead, "shares", &shares);
	if (r != 0) {
		r = custos_err_set(CUSTOS_EFORMAT, "vault header: %s", e.text);
		goto out;
	}
	if (strcmp(format, "custos-vault") != 0 || version != CER_VAULT_VERSION ||
	    strcmp(kdf, KDF_NAME) != 0 || strcmp(aead, AEAD_NAME) != 0) {
		r = custos_err_set(CUSTOS_EFORMAT, "vault header: unknown format, KDF or AEAD");
		goto out;
	}
	if ((r = unhex(id, v->vault_id, CER_VAULT_ID_LEN, "vault_id")) != 0 ||
	    (r = unhex(spki, v->spki_sha256, 32, "spki_sha256")) != 0 ||
	    (r = copy_str(v->subject, sizeof(v->subject), subject, "subject")) != 0 ||
	    (r = copy_str(v->key_alg, sizeof(v->key_alg), alg, "key_algorithm")) != 0 ||
	    (r = copy_str(v->backend, sizeof(v->backend), backend, "backend")) != 0 ||
	    (r = copy_str(v->created, sizeof(v->created), created, "created")) != 0 ||
	    (r = copy_str(v->state_changed, sizeof(v->state_changed), changed, "key_state_changed")) !=
	            0 ||
	    (r = cer_state_from_name(state, &v->state)) != 0)
		goto out;
	r = parse_shares(v, shares);
out:
	json_decref(h);
	return r;
}

int
cer_vault_parse(const uint8_t *data, size_t len, struct cer_vault **out)
{
	struct cer_vault *v;
	size_t hlen, blen, slen, off;
	int r;

	*out = NULL;
	if (len < PREFIX_LEN || memcmp(data, CER_VAULT_MAGIC, 8) != 0)
		return custos_err_set(CUSTOS_EFORMAT, "not a custos vault (bad magic)");
	if (get_be(data + 8, 2) != CER_VAULT_VERSION)
		return custos_err_set(CUSTOS_EVERSION,
		                      "vault format version %u; this custos reads version %d",
		                      (unsigned)get_be(data + 8, 2), CER_VAULT_VERSION);
	hlen = (size_t)get_be(data + 10, 4);
	if (hlen > CER_HEADER_MAX)
		return custos_err_set(CUSTOS_EFORMAT, "vault header length %zu is over the limit (%d)",
		                      hlen, CER_HEADER_MAX);
	if (hlen > len - PREFIX_LEN || len - PREFIX_LEN - hlen < 4)
		return custos_err_set(CUSTOS_EFORMAT, "vault is truncated (header)");
	off = PREFIX_LEN + hlen;
	blen = (size_t)get_be(data + off, 4);
	off += 4;
	if (blen > CER_BODY_MAX || blen > len - off || len - off - blen < 2)
		return custos_err_set(CUSTOS_EFORMAT, "vault is truncated (body)");
	off += blen;
	slen = (size_t)get_be(data + off, 2);
	off += 2;
	if (slen == 0 || slen > CA_SIG_MAX || slen != len - off)
		return custos_err_set(CUSTOS_EFORMAT, "vault %s (signature)",
		                      slen > len - off ? "is truncated" : "has trailing bytes");
	if ((v = cer_vault_new()) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "vault");
	v->version = CER_VAULT_VERSION;
	if ((r = parse_header(v, (const char *)data + PREFIX_LEN, hlen)) != 0)
		goto fail;
	v->header_len = PREFIX_LEN + hlen;
	v->body_len = blen;
	if ((v->header_bytes = malloc(v->header_len)) == NULL ||
	    (blen > 0 && (v->body = malloc(blen)) == NULL)) {
		r = custos_err_set(CUSTOS_ENOMEM, "vault");
		goto fail;
	}
	memcpy(v->header_bytes, data, v->header_len);
	if (blen > 0)
		memcpy(v->body, data + v->header_len + 4, blen);
	if ((v->state == CER_STATE_DESTROYED) != (blen == 0)) {
		r = custos_err_set(CUSTOS_EFORMAT, "vault body does not match the key state");
		goto fail;
	}
	*out = v;
	return 0;
fail:
	cer_vault_free(v);
	return r;
}

int
cer_vault_verify(const struct cer_vault *v, const uint8_t *data, size_t len, EVP_PKEY *root_pub)
{
	size_t signed_len = v->header_len + 4 + v->body_len;
	uint8_t *spki = NULL, digest[32];
	int n;

	if (len < signed_len + 2)
		return custos_err_set(CUSTOS_EAUTH, "vault is truncated");
	n = i2d_PUBKEY(root_pub, &spki);
	if (n <= 0)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "root public key");
	crypto_hash_sha256(digest, spki, (unsigned long long)n);
	OPENSSL_free(spki);
	if (sodium_memcmp(digest, v->spki_sha256, 32) != 0)
		return custos_err_set(CUSTOS_EAUTH, "the vault belongs to another root key than root.pem");
	if (ca_sig_verify(root_pub, data, signed_len, data + signed_len + 2, len - signed_len - 2) !=
	    0)
		return custos_err_set(CUSTOS_EAUTH,
		                      "the vault's signature does not verify: the file was altered");
	return 0;
}
