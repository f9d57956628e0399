/*
 * cer_home: opening a CA home, unlocking its key, the key lifecycle, and
 * replacing the vault (see the header for the invariants).
 */
#include "ceremony/cer_home.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ca/ca_key.h"
#include "ceremony/cer_file.h"

#define VAULT_FILE_MAX (CER_HEADER_MAX + CER_BODY_MAX + 2048)

static int
load_root(const char *home, X509 **out)
{
	char path[PATH_MAX];
	uint8_t *pem = NULL;
	size_t len;
	BIO *bio;
	int r;

	*out = NULL;
	if ((r = cer_path_join(path, sizeof(path), home, "root.pem")) != 0 ||
	    (r = cer_file_read(path, 64 * 1024, &pem, &len)) != 0)
		return r;
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		free(pem);
		return custos_err_set(CUSTOS_ENOMEM, "root.pem");
	}
	*out = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free(pem);
	if (*out == NULL)
		return custos_err_set_openssl(CUSTOS_EFORMAT, "root.pem is not a PEM certificate");
	return 0;
}

/*
 * An interrupted vault replacement leaves the old file (vault.retired) or the
 * unfinished new one (vault.tmp-*) behind; once the vault in place has been
 * checked, both are shredded.
 */
static int
finish_interrupted(const char *home)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int r = 0;

	if ((d = opendir(home)) == NULL)
		return custos_err_set(CUSTOS_EIO, "cannot read %s: %s", home, strerror(errno));
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, "vault.retired") != 0 &&
		    strncmp(e->d_name, "vault.tmp-", 10) != 0)
			continue;
		if ((r = cer_path_join(path, sizeof(path), home, e->d_name)) == 0)
			r = cer_file_shred(path);
	}
	closedir(d);
	return r;
}

int
cer_home_open(const char *path, struct cer_home **out)
{
	struct cer_home *h;
	char vpath[PATH_MAX];
	uint8_t *data = NULL;
	size_t len;
	int r, n;

	*out = NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "home");
	n = snprintf(h->path, sizeof(h->path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(h->path)) {
		r = custos_err_set(CUSTOS_ETOOBIG, "home path too long");
		goto fail;
	}
	if ((r = cer_path_join(vpath, sizeof(vpath), path, "vault")) != 0)
		goto fail;
	if (access(path, F_OK) != 0 || access(vpath, F_OK) != 0) {
		r = custos_err_set(CUSTOS_ENOENT, "no CA at %s (create one with custos init)", path);
		goto fail;
	}
	if ((r = cer_file_read(vpath, VAULT_FILE_MAX, &data, &len)) != 0 ||
	    (r = cer_vault_parse(data, len, &h->vault)) != 0 || (r = load_root(path, &h->root)) != 0)
		goto fail;
	if ((h->root_pub = X509_get0_pubkey(h->root)) == NULL) {
		r = custos_err_set_openssl(CUSTOS_EFORMAT, "root.pem has no usable public key");
		goto fail;
	}
	if ((r = cer_vault_verify(h->vault, data, len, h->root_pub)) != 0)
		goto fail;
	if ((r = finish_interrupted(path)) != 0)
		goto fail;
	free(data);
	*out = h;
	return 0;
fail:
	free(data);
	cer_home_free(h);
	return r;
}

void
cer_home_free(struct cer_home *h)
{
	if (h == NULL)
		return;
	cer_vault_free(h->vault);
	X509_free(h->root);
	free(h);
}

int
cer_root_fingerprint(const struct cer_home *h, uint8_t out[32])
{
	unsigned int n = 0;

	if (X509_digest(h->root, EVP_sha256(), out, &n) != 1 || n != 32)
		return custos_err_set_openssl(CUSTOS_ECRYPTO, "root fingerprint");
	return 0;
}

/* --- unlocking ------------------------------------------------------------ */

void
cer_unlocked_free(struct cer_unlocked *u)
{
	if (u == NULL)
		return;
	EVP_PKEY_free(u->key);
	if (u->master != NULL) {
		sodium_memzero(u->master, CER_MASTER_LEN);
		sodium_free(u->master);
	}
	sodium_memzero(u, sizeof(*u));
	free(u);
}

int
cer_unlock(const struct cer_home *h, struct cer_quorum *q, struct cer_unlocked **out)
{
	const struct cer_vault *v = h->vault;
	struct cer_unlocked *u;
	int r;

	*out = NULL;
	if (v->state == CER_STATE_DESTROYED)
		return custos_err_set(CUSTOS_ESTATE, "the root key was destroyed on %s",
		                      v->state_changed);
	if ((u = calloc(1, sizeof(*u))) == NULL || (u->master = sodium_malloc(CER_MASTER_LEN)) == NULL) {
		free(u);
		return custos_err_set(CUSTOS_ENOMEM, "unlocking");
	}
	if ((u->backend = cer_backend_find(v->backend)) == NULL) {
		r = custos_err_set(CUSTOS_EFORMAT, "unknown vault backend '%s'", v->backend);
		goto fail;
	}
	if ((r = cer_quorum_master(q, u->master)) != 0 ||
	    (r = u->backend->unseal(v->body, v->body_len, u->master, v->vault_id, v->header_bytes,
	                            v->header_len, &u->key)) != 0)
		goto fail;
	if (ca_key_matches(u->key, h->root_pub) != 0) {
		r = custos_err_set(CUSTOS_EAUTH, "the vault's key is not the root certificate's key");
		goto fail;
	}
	*out = u;
	return 0;
fail:
	cer_unlocked_free(u);
	return r;
}

/* --- lifecycle ------------------------------------------------------------- */

int
cer_state_transition_ok(enum cer_key_state from, enum cer_key_state to)
{
	/* allowed[from] is a bit set of the states `to` reachable in one step. */
	static const unsigned allowed[] = {
		[CER_STATE_PRE_ACTIVE] = 1u << CER_STATE_ACTIVE | 1u << CER_STATE_COMPROMISED |
		                         1u << CER_STATE_DESTROYED,
		[CER_STATE_ACTIVE] = 1u << CER_STATE_DEACTIVATED | 1u << CER_STATE_COMPROMISED |
		                     1u << CER_STATE_DESTROYED,
		[CER_STATE_DEACTIVATED] = 1u << CER_STATE_COMPROMISED | 1u << CER_STATE_DESTROYED,
		[CER_STATE_COMPROMISED] = 1u << CER_STATE_DESTROYED,
		[CER_STATE_DESTROYED] = 0,
	};

	if ((unsigned)from > CER_STATE_DESTROYED || (unsigned)to > CER_STATE_DESTROYED)
		return custos_err_set(CUSTOS_EINVAL, "unknown key state");
	if (from == to)
		return custos_err_set(CUSTOS_ESTATE, "the key is already %s", cer_state_name(from));
	if ((allowed[from] & (1u << to)) == 0)
		return custos_err_set(CUSTOS_ESTATE, "a %s key cannot become %s", cer_state_name(from),
		                      cer_state_name(to));
	return 0;
}

/*
 * Makes next (a modified clone of h->vault) the vault: encodes its header,
 * re-seals the key under master (unless destroyed), signs, and replaces the
 * file: the old file is linked aside, the new one renamed over it, then the
 * old one shredded.  On success h->vault becomes next; on failure next is
 * freed and h is unchanged, on disk and in memory.
 */
int
cer_home_replace_vault(struct cer_home *h, struct cer_unlocked *u, const uint8_t *master,
                       struct cer_vault *next)
{
	char vpath[PATH_MAX], retired[PATH_MAX];
	uint8_t *file = NULL;
	size_t flen = 0;
	int r;

	if ((r = cer_path_join(vpath, sizeof(vpath), h->path, "vault")) != 0 ||
	    (r = cer_path_join(retired, sizeof(retired), h->path, "vault.retired")) != 0 ||
	    (r = cer_vault_encode_header(next)) != 0)
		goto out;
	if (next->state != CER_STATE_DESTROYED &&
	    (r = u->backend->seal(u->key, master, next->vault_id, next->header_bytes,
	                          next->header_len, &next->body, &next->body_len)) != 0)
		goto out;
	if ((r = cer_vault_serialize(next, u->key, &file, &flen)) != 0)
		goto out;
	if (access(retired, F_OK) == 0 && (r = cer_file_shred(retired)) != 0)
		goto out;
	if (link(vpath, retired) != 0) {
		r = custos_err_set(CUSTOS_EIO, "cannot set the old vault aside: %s", strerror(errno));
		goto out;
	}
	if ((r = cer_file_write(vpath, file, flen, 0600, 0)) != 0) {
		(void)unlink(retired);
		goto out;
	}
	cer_vault_free(h->vault);
	h->vault = next;
	next = NULL; /* transferred */
	r = cer_file_shred(retired);
out:
	cer_vault_free(next);
	free(file);
	return r;
}

int
cer_key_set_state(struct cer_home *h, struct cer_unlocked *u, enum cer_key_state to, time_t now)
{
	struct cer_vault *next;
	int r;

	if ((r = cer_state_transition_ok(h->vault->state, to)) != 0)
		return r;
	if ((next = cer_vault_clone(h->vault)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "vault");
	next->state = to;
	cer_time_format(now, next->state_changed, sizeof(next->state_changed));
	if (to == CER_STATE_DESTROYED &&
	    (r = u->backend->destroy(h->vault->body, h->vault->body_len)) != 0) {
		cer_vault_free(next);
		return r;
	}
	return cer_home_replace_vault(h, u, u->master, next);
}
