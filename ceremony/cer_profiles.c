/*
 * cer_profiles: see the header.
 */
#include "ceremony/cer_profiles.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ca/ca_sig.h"
#include "ceremony/cer_file.h"

int
cer_profiles_write(const char *dir, const struct ca_profile_set *set, const struct cer_backend *be,
                   EVP_PKEY *key, int exclusive)
{
	char path[PATH_MAX], sigpath[PATH_MAX];
	uint8_t sig[CA_SIG_MAX];
	size_t len = 0, siglen = 0;
	char *json = NULL;
	int r;

	if ((r = cer_path_join(path, sizeof(path), dir, "profiles.json")) != 0 ||
	    (r = cer_path_join(sigpath, sizeof(sigpath), dir, "profiles.json.sig")) != 0 ||
	    (r = ca_profile_serialize(set, &json, &len)) != 0)
		return r;
	/* The signature goes first: a crash in between leaves a file that does
	   not verify, which refuses signing instead of signing with it. */
	if ((r = be->sign(key, (const uint8_t *)json, len, sig, &siglen)) == 0 &&
	    (r = cer_file_write(sigpath, sig, siglen, 0644, exclusive)) == 0)
		r = cer_file_write(path, json, len, 0644, exclusive);
	free(json);
	return r;
}

int
cer_profiles_load(const struct cer_home *h, struct ca_profile_set **out)
{
	char path[PATH_MAX], sigpath[PATH_MAX];
	uint8_t *json = NULL, *sig = NULL;
	size_t len = 0, siglen = 0;
	int r;

	*out = NULL;
	if ((r = cer_path_join(path, sizeof(path), h->path, "profiles.json")) != 0 ||
	    (r = cer_path_join(sigpath, sizeof(sigpath), h->path, "profiles.json.sig")) != 0 ||
	    (r = cer_file_read(path, CA_PROFILE_FILE_MAX, &json, &len)) != 0 ||
	    (r = cer_file_read(sigpath, CA_SIG_MAX, &sig, &siglen)) != 0)
		goto out;
	if (ca_sig_verify(h->root_pub, json, len, sig, siglen) != 0) {
		r = custos_err_set(CUSTOS_EAUTH, "%s does not match its signature by the root key: it "
		                                 "was changed outside custos", path);
		goto out;
	}
	r = ca_profile_parse((const char *)json, len, out);
out:
	free(json);
	free(sig);
	return r;
}

int
cer_profiles_replace(struct cer_home *h, struct cer_unlocked *u, const char *json, size_t len)
{
	struct ca_profile_set *set = NULL;
	int r;

	if ((r = ca_profile_parse(json, len, &set)) != 0)
		return r;
	r = cer_profiles_write(h->path, set, u->backend, u->key, 0);
	ca_profile_set_free(set);
	return r;
}
