/*
 * The vault and the quorum, in process: every 3-subset of a 3-of-5 set opens
 * the vault and every pair is refused; every single-byte change of a vault
 * file is detected; no file in the home holds the private key or the master
 * secret; rotation retires the old set; the key-state machine.
 */
#include <dirent.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "ca/ca_key.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_card.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_selftest.h"
#include "harness.h"

#define N 5

struct issued {
	size_t n;
	char names[CER_MAX_CUSTODIANS][CER_NAME_MAX];
	char mnemonics[CER_MAX_CUSTODIANS][CER_MNEMONIC_MAX];
};

static int
collect(void *ctx, const char *custodian, size_t index, size_t total, const char *mnemonic)
{
	struct issued *is = ctx;

	(void)total;
	snprintf(is->names[index], CER_NAME_MAX, "%s", custodian);
	snprintf(is->mnemonics[index], CER_MNEMONIC_MAX, "%s", mnemonic);
	is->n = index + 1;
	return 0;
}

static char tmpdir[] = "/tmp/custos-test-XXXXXX";
static char home[PATH_MAX];
static struct issued shares;

static int
make_ca(const char *path, struct issued *is, enum ca_alg alg)
{
	static const char *const names[N] = {"alice", "bob", "carol", "dave", "erin"};
	struct cer_init_params p;

	memset(&p, 0, sizeof(p));
	memset(is, 0, sizeof(*is));
	p.home = path;
	p.subject = "/C=US/O=Example/CN=Example Test Root";
	p.alg = alg;
	p.days = 3653;
	p.now = time(NULL);
	p.deliver = collect;
	p.deliver_ctx = is;
	if (cer_plan_simple(&p.plan, 3, names, N) != 0)
		return -1;
	return cer_init(&p);
}

/* Offers the listed custodians' shares; returns cer_unlock's result. */
static int
unlock_with(const struct cer_home *h, const struct issued *is, const int *who, size_t k,
            struct cer_unlocked **u, size_t *needed)
{
	struct cer_quorum *q;
	struct cer_offer_result res;
	size_t i;
	int r;

	*u = NULL;
	if (cer_quorum_new(h->vault, &q) != 0)
		return -1;
	for (i = 0; i < k; i++)
		if ((r = cer_quorum_offer(q, is->mnemonics[who[i]], NULL, NULL, &res)) != 0) {
			cer_quorum_free(q);
			return r;
		}
	*needed = cer_quorum_needed(q);
	r = cer_unlock(h, q, u);
	cer_quorum_free(q);
	return r;
}

static void
test_subsets(void)
{
	struct cer_home *h = NULL;
	struct cer_unlocked *u;
	int who[3], opened = 0, refused = 0, named = 0;
	size_t needed;

	CHECK(cer_home_open(home, &h) == 0);
	if (h == NULL)
		return;
	for (who[0] = 0; who[0] < N; who[0]++)
		for (who[1] = who[0] + 1; who[1] < N; who[1]++) {
			int r = unlock_with(h, &shares, who, 2, &u, &needed);
			refused += r == CUSTOS_ETHRESHOLD && needed == 1;
			named += strstr(custos_err_detail(), "1 more share is needed") != NULL;
			cer_unlocked_free(u);
			for (who[2] = who[1] + 1; who[2] < N; who[2]++) {
				r = unlock_with(h, &shares, who, 3, &u, &needed);
				opened += r == 0 && u != NULL && ca_key_matches(u->key, h->root_pub) == 0;
				cer_unlocked_free(u);
			}
		}
	CHECK_EQ(opened, 10);
	CHECK_EQ(refused, 10);
	CHECK_EQ(named, 10);
	cer_home_free(h);
}

static void
test_offer_errors(void)
{
	struct cer_home *h = NULL;
	struct cer_quorum *q = NULL;
	struct cer_offer_result res;
	char typo[CER_MNEMONIC_MAX], *p;

	CHECK(cer_home_open(home, &h) == 0 && cer_quorum_new(h->vault, &q) == 0);
	if (q == NULL)
		return;
	CHECK(cer_quorum_offer(q, shares.mnemonics[1], NULL, NULL, &res) == 0);
	CHECK(strcmp(res.custodian, "bob") == 0);
	CHECK_EQ(res.still_needed, 2);
	CHECK_EQ(cer_quorum_offer(q, shares.mnemonics[1], NULL, NULL, &res), CUSTOS_EDUPLICATE);
	CHECK(strstr(custos_err_detail(), "bob") != NULL);
	/* Replace the fifth word with an unknown one: named by position. */
	snprintf(typo, sizeof(typo), "%s", shares.mnemonics[2]);
	p = typo;
	for (int i = 0; i < 4; i++)
		p = strchr(p, ' ') + 1;
	memcpy(p, "qqqq", 4);
	CHECK_EQ(cer_quorum_offer(q, typo, NULL, NULL, &res), CUSTOS_EWORD);
	CHECK_EQ(res.bad_word, 5);
	CHECK_EQ(cer_quorum_have(q), 1);
	cer_quorum_free(q);
	cer_home_free(h);
}

/* Every file under dir must not contain needle. */
static int
scan_dir(const char *dir, const uint8_t *needle, size_t nlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];
	int found = 0;

	if (d == NULL)
		return 1;
	while ((e = readdir(d)) != NULL) {
		uint8_t *data;
		size_t len, i;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			found |= scan_dir(path, needle, nlen);
			continue;
		}
		if (cer_file_read(path, CER_FILE_MAX, &data, &len) != 0)
			return 1;
		for (i = 0; i + nlen <= len; i++)
			if (memcmp(data + i, needle, nlen) == 0)
				found = 1;
		free(data);
	}
	closedir(d);
	return found;
}

static void
test_no_secret_on_disk(void)
{
	struct cer_home *h = NULL;
	struct cer_unlocked *u = NULL;
	int who[3] = {0, 2, 4};
	size_t needed, derlen = 0, privlen = 0, i;
	unsigned char *der = NULL, priv[80];
	BIGNUM *bn = NULL;

	CHECK(cer_home_open(home, &h) == 0);
	CHECK(unlock_with(h, &shares, who, 3, &u, &needed) == 0);
	if (u == NULL) {
		cer_home_free(h);
		return;
	}
	CHECK(ca_key_to_pkcs8(u->key, &der, &derlen) == 0);
	CHECK(EVP_PKEY_get_bn_param(u->key, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1);
	privlen = (size_t)BN_num_bytes(bn);
	CHECK(privlen >= 40 && privlen <= sizeof(priv));
	BN_bn2bin(bn, priv);
	CHECK_EQ(scan_dir(home, u->master, CER_MASTER_LEN), 0);
	CHECK_EQ(scan_dir(home, der, derlen), 0);
	CHECK_EQ(scan_dir(home, priv, privlen), 0);
	/* The scan does find what is there: the vault's own magic. */
	CHECK_EQ(scan_dir(home, (const uint8_t *)"CUSTOSVT", 8), 1);
	for (i = 0; i < shares.n; i++)
		CHECK_EQ(scan_dir(home, (const uint8_t *)shares.mnemonics[i], 40), 0);
	BN_clear_free(bn);
	sodium_free(der);
	cer_unlocked_free(u);
	cer_home_free(h);
}

/* Every single-byte change of a vault file is refused when it is opened. */
static void
test_byte_flips(void)
{
	char path[PATH_MAX], vpath[PATH_MAX + 8];
	struct cer_home *h = NULL;
	struct issued is;
	uint8_t *orig = NULL, *copy;
	size_t len = 0, i, missed = 0;

	snprintf(path, sizeof(path), "%s/flip", tmpdir);
	snprintf(vpath, sizeof(vpath), "%s/vault", path);
	CHECK(make_ca(path, &is, CA_ALG_EC_P256) == 0);
	CHECK(cer_file_read(vpath, CER_FILE_MAX, &orig, &len) == 0);
	if (orig == NULL)
		return;
	copy = malloc(len);
	for (i = 0; i < len; i++) {
		memcpy(copy, orig, len);
		copy[i] ^= (uint8_t)(1u << (i % 8));
		if (cer_file_write(vpath, copy, len, 0600, 0) != 0)
			break;
		if (cer_home_open(path, &h) == 0) {
			missed++;
			fprintf(stderr, "byte %zu flipped went unnoticed\n", i);
			cer_home_free(h);
			h = NULL;
		}
	}
	CHECK_EQ(missed, 0);
	CHECK(len > 500);
	/* Truncated and extended files too. */
	CHECK(cer_file_write(vpath, orig, len - 1, 0600, 0) == 0);
	CHECK(cer_home_open(path, &h) != 0);
	memcpy(copy, orig, len);
	CHECK(cer_file_write(vpath, orig, len, 0600, 0) == 0);
	CHECK(cer_home_open(path, &h) == 0);
	cer_home_free(h);
	free(copy);
	free(orig);
}

static void
test_rotation(void)
{
	struct cer_home *h = NULL;
	struct cer_unlocked *u = NULL, *u2 = NULL;
	struct issued fresh;
	int who[3] = {1, 2, 3};
	size_t needed;
	struct cer_quorum *q = NULL;
	struct cer_offer_result res;
	uint16_t old;

	memset(&fresh, 0, sizeof(fresh));
	CHECK(cer_home_open(home, &h) == 0);
	CHECK(unlock_with(h, &shares, who, 3, &u, &needed) == 0);
	if (u == NULL)
		return;
	old = h->vault->identifier;
	CHECK(cer_rotate(h, u, NULL, collect, &fresh, NULL, NULL, time(NULL)) == 0);
	CHECK_EQ(fresh.n, N);
	CHECK(h->vault->identifier != old);
	cer_unlocked_free(u);
	cer_home_free(h);
	/* Reopened from disk: old shares are refused and named as retired. */
	CHECK(cer_home_open(home, &h) == 0);
	CHECK(cer_quorum_new(h->vault, &q) == 0);
	CHECK_EQ(cer_quorum_offer(q, shares.mnemonics[0], NULL, NULL, &res), CUSTOS_EMISMATCH);
	CHECK(strstr(custos_err_detail(), "retired") != NULL);
	cer_quorum_free(q);
	CHECK(unlock_with(h, &shares, who, 3, &u2, &needed) == CUSTOS_EMISMATCH);
	CHECK(unlock_with(h, &fresh, who, 3, &u2, &needed) == 0);
	cer_unlocked_free(u2);
	cer_home_free(h);
	memcpy(&shares, &fresh, sizeof(shares));
}

static void
test_state_machine(void)
{
	static const int ok[5][5] = {
		/* to: pre  act  deac comp dest */
		{0, 1, 0, 1, 1}, /* from pre-active */
		{0, 0, 1, 1, 1}, /* from active */
		{0, 0, 0, 1, 1}, /* from deactivated */
		{0, 0, 0, 0, 1}, /* from compromised */
		{0, 0, 0, 0, 0}, /* from destroyed */
	};
	struct cer_home *h = NULL;
	struct cer_unlocked *u = NULL;
	int from, to, who[3] = {0, 1, 4};
	size_t needed;

	for (from = 0; from < 5; from++)
		for (to = 0; to < 5; to++)
			CHECK_EQ(cer_state_transition_ok((enum cer_key_state)from,
			                                 (enum cer_key_state)to) == 0,
			         ok[from][to]);
	CHECK(cer_home_open(home, &h) == 0);
	CHECK(unlock_with(h, &shares, who, 3, &u, &needed) == 0);
	if (u == NULL)
		return;
	CHECK(cer_key_set_state(h, u, CER_STATE_ACTIVE, time(NULL)) == 0);
	CHECK_EQ(cer_key_set_state(h, u, CER_STATE_PRE_ACTIVE, time(NULL)), CUSTOS_ESTATE);
	CHECK(cer_key_set_state(h, u, CER_STATE_DEACTIVATED, time(NULL)) == 0);
	CHECK_EQ(cer_key_set_state(h, u, CER_STATE_ACTIVE, time(NULL)), CUSTOS_ESTATE);
	CHECK(cer_key_set_state(h, u, CER_STATE_DESTROYED, time(NULL)) == 0);
	cer_unlocked_free(u);
	cer_home_free(h);
	/* After destruction the vault opens (public data) but never unlocks. */
	CHECK(cer_home_open(home, &h) == 0);
	if (h == NULL)
		return;
	CHECK_EQ(h->vault->state, CER_STATE_DESTROYED);
	CHECK(h->vault->body == NULL);
	CHECK_EQ(unlock_with(h, &shares, who, 3, &u, &needed), CUSTOS_ESTATE);
	cer_home_free(h);
}

static void
test_init_refusals(void)
{
	static const char *const two[2] = {"alice", "bob"};
	static const char *const dup[3] = {"alice", "bob", "ALICE"};
	struct cer_init_params p;
	struct issued is;
	char path[PATH_MAX];

	memset(&p, 0, sizeof(p));
	snprintf(path, sizeof(path), "%s/refused", tmpdir);
	p.home = path;
	p.subject = "/CN=Refused";
	p.alg = CA_ALG_EC_P256;
	p.days = 3653;
	p.deliver = collect;
	p.deliver_ctx = &is;
	CHECK(cer_plan_simple(&p.plan, 3, two, 2) == 0);
	CHECK_EQ(cer_init(&p), CUSTOS_EINVAL); /* M > N */
	CHECK(cer_plan_simple(&p.plan, 1, two, 2) == 0);
	CHECK_EQ(cer_init(&p), CUSTOS_EINVAL); /* M < 2 */
	CHECK(cer_plan_simple(&p.plan, 2, dup, 3) == 0);
	CHECK_EQ(cer_init(&p), CUSTOS_EINVAL); /* a name twice */
	CHECK(cer_plan_simple(&p.plan, 2, two, 2) == 0);
	p.days = 100;
	CHECK_EQ(cer_init(&p), CUSTOS_EINVAL); /* validity */
	p.days = 3653;
	p.home = home;
	CHECK_EQ(cer_init(&p), CUSTOS_EEXIST); /* never over an existing home */
	CHECK(access(path, F_OK) != 0);
}

int
main(void)
{
	struct cer_hardening hd;

	if (cer_harden(&hd) != 0 || mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(home, sizeof(home), "%s/ca", tmpdir);
	if (make_ca(home, &shares, CA_ALG_EC_P384) != 0) {
		fprintf(stderr, "init failed: %s\n", custos_err_detail());
		return 1;
	}
	RUN(test_subsets);
	RUN(test_offer_errors);
	RUN(test_no_secret_on_disk);
	RUN(test_byte_flips);
	RUN(test_init_refusals);
	RUN(test_rotation);
	RUN(test_state_machine);
	{
		char cmd[PATH_MAX + 16];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return HARNESS_END();
}
