/*
 * Sessions, the air-gap and clock checks, and transcripts, in process, with
 * an injected interface list and clock: each refusal (unnamed operator,
 * unconfirmed or wrong time, clock set back, interface up, wrong role) is
 * returned, recorded and signs nothing; a whole signing session records every
 * share (never the share itself), unlocks, checkpoints, and writes a
 * transcript that verifies with the root certificate alone and breaks when
 * one byte changes.
 */
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ca/ca_sig.h"
#include "ceremony/cer_audit.h"
#include "ceremony/cer_card.h"
#include "ceremony/cer_env.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_home.h"
#include "ceremony/cer_session.h"
#include "ceremony/cer_transcript.h"
#include "harness.h"

#define N 3
#define T0 1767323045000LL /* 2026-01-02T03:04:05.000Z */

static char tmpdir[] = "/tmp/custos-session-XXXXXX";
static char home[PATH_MAX];
static char mnemonics[N][CER_MNEMONIC_MAX];
static int64_t fake_now = T0;

static int64_t
fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static int
collect(void *ctx, const char *custodian, size_t index, size_t total, const char *mnemonic)
{
	(void)ctx;
	(void)custodian;
	(void)total;
	snprintf(mnemonics[index], CER_MNEMONIC_MAX, "%s", mnemonic);
	return 0;
}

static void
env_with(struct cer_env *e, const char *name, int up, int wireless)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->ifs[0].name, CER_ENV_NAME_MAX, "lo");
	e->ifs[0].up = e->ifs[0].running = e->ifs[0].loopback = 1;
	e->nifs = 1;
	if (name != NULL) {
		snprintf(e->ifs[1].name, CER_ENV_NAME_MAX, "%s", name);
		e->ifs[1].up = up;
		e->ifs[1].wireless = wireless;
		e->nifs = 2;
	}
}

static void
test_env(void)
{
	struct cer_env e, real;
	char buf[512];

	env_with(&e, NULL, 0, 0);
	CHECK(cer_env_airgap(&e, 0) == 0);
	cer_env_describe(&e, buf, sizeof(buf));
	CHECK(strstr(buf, "air-gapped") != NULL && strstr(buf, "no wireless device") != NULL);
	env_with(&e, "eth0", 1, 0);
	CHECK_EQ(cer_env_airgap(&e, 0), CUSTOS_ENETWORK);
	CHECK(strstr(custos_err_detail(), "eth0 is up") != NULL);
	CHECK(cer_env_airgap(&e, 1) == 0);
	CHECK_EQ(cer_env_up(&e, buf, sizeof(buf)), 1);
	CHECK(strcmp(buf, "eth0") == 0);
	env_with(&e, "wlan0", 0, 1);
	snprintf(e.phys[0], CER_ENV_NAME_MAX, "phy0");
	e.nphys = 1;
	CHECK(cer_env_airgap(&e, 0) == 0); /* down: listed, not refused */
	CHECK_EQ(cer_env_wireless(&e, buf, sizeof(buf)), 2);
	CHECK(strcmp(buf, "wlan0, phy0") == 0);
	cer_env_describe(&e, buf, sizeof(buf));
	CHECK(strstr(buf, "wireless devices (down): wlan0, phy0") != NULL);
	env_with(&e, "wlan0", 1, 1);
	CHECK_EQ(cer_env_airgap(&e, 0), CUSTOS_ENETWORK);
	e.truncated = 1;
	e.ifs[1].up = 0;
	CHECK_EQ(cer_env_airgap(&e, 0), CUSTOS_ENETWORK); /* too many to know: not air-gapped */
	/* The real scan works and knows loopback when there is one. */
	CHECK(cer_env_scan(&real) == 0);
	for (size_t i = 0; i < real.nifs; i++)
		if (strcmp(real.ifs[i].name, "lo") == 0)
			CHECK(real.ifs[i].loopback);
}

static void
test_clock(void)
{
	int64_t m;

	CHECK(cer_confirm_time_parse("2026-01-02T03:04Z", &m) == 0);
	CHECK_EQ(m, 1767323040000LL);
	CHECK_EQ(cer_confirm_time_parse("2026-01-02T03:04", &m), CUSTOS_EINVAL);
	CHECK_EQ(cer_confirm_time_parse("2026-01-02T03:04:05Z", &m), CUSTOS_EINVAL);
	CHECK_EQ(cer_confirm_time_parse("2026-13-02T03:04Z", &m), CUSTOS_EINVAL);
	CHECK_EQ(cer_confirm_time_parse("2026-01-02 03:04Z", &m), CUSTOS_EINVAL);
	CHECK_EQ(cer_confirm_time_parse("2026-01-02T3:04Z", &m), CUSTOS_EINVAL);
	m = 1767323040000LL; /* 03:04 covers 03:04:00.000 .. 03:04:59.999 */
	CHECK(cer_clock_confirm(m + 59999, m) == 0);
	CHECK(cer_clock_confirm(m + 59999 + 300000, m) == 0);
	CHECK_EQ(cer_clock_confirm(m + 59999 + 300001, m), CUSTOS_ECLOCK);
	CHECK(strstr(custos_err_detail(), "behind the system clock") != NULL);
	CHECK(cer_clock_confirm(m - 300000, m) == 0);
	CHECK_EQ(cer_clock_confirm(m - 300001, m), CUSTOS_ECLOCK);
	CHECK(strstr(custos_err_detail(), "ahead of the system clock") != NULL);
	CHECK(cer_clock_monotonic(T0, T0, 7) == 0);
	CHECK(cer_clock_monotonic(T0, 0, 0) == 0);
	CHECK_EQ(cer_clock_monotonic(T0 - 1, T0, 7), CUSTOS_ECLOCK);
	CHECK(strstr(custos_err_detail(),
	             "earlier than audit record 7 (2026-01-02T03:04:05.000Z)") != NULL);
}

static void
params(struct cer_session_params *p, const struct cer_env *e, unsigned flags)
{
	memset(p, 0, sizeof(*p));
	p->verb = "sign";
	p->operator_name = "Olivia";
	p->flags = flags;
	p->confirm_time = "2026-01-02T03:04Z";
	p->env = e;
	p->clock = fake_clock;
}

/* The result field of the last record with operation op in the log, into out. */
static void
last_of(const char *op, char *out, size_t len, char *details, size_t dlen)
{
	struct cer_db *db = NULL;
	sqlite3_stmt *st;

	out[0] = '\0';
	if (details != NULL)
		details[0] = '\0';
	if (cer_db_open(home, 0, &db) != 0)
		return;
	if (sqlite3_prepare_v2(cer_db_sqlite(db),
	                       "SELECT result, details FROM audit WHERE "
	                       "operation = ? ORDER BY seq DESC LIMIT 1",
	                       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, op, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(out, len, "%s", sqlite3_column_text(st, 0));
			if (details != NULL)
				snprintf(details, dlen, "%s", sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
	}
	cer_db_close(db);
}

static void
test_refusals(void)
{
	struct cer_session_params p;
	struct cer_session *s = NULL;
	struct cer_env air, net;
	char res[64], det[1024];

	env_with(&air, NULL, 0, 0);
	env_with(&net, "eth0", 1, 0);
	fake_now = T0;

	params(&p, &air, CER_SESSION_KEY | CER_SESSION_SIGNING);
	p.operator_name = NULL;
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_EREFUSED);
	CHECK(s == NULL && strstr(custos_err_detail(), "--operator") != NULL);
	last_of("sign", res, sizeof(res), det, sizeof(det));
	CHECK(strcmp(res, "refused") == 0 && strstr(det, "--operator") != NULL);
	last_of("session-end", res, sizeof(res), NULL, 0);
	CHECK(strcmp(res, "refused") == 0);

	params(&p, &air, CER_SESSION_KEY | CER_SESSION_SIGNING);
	p.confirm_time = NULL;
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_ECLOCK);
	CHECK(strstr(custos_err_detail(), "the system clock reads 2026-01-02T03:04Z") != NULL);

	params(&p, &air, CER_SESSION_KEY | CER_SESSION_SIGNING);
	p.confirm_time = "2026-01-02T03:14Z";
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_ECLOCK);
	CHECK(strstr(custos_err_detail(), "more than 5 minutes apart") != NULL);
	p.confirm_time = "tomorrow";
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_EINVAL);

	params(&p, &net, CER_SESSION_KEY | CER_SESSION_SIGNING);
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_ENETWORK);
	CHECK(strstr(custos_err_detail(), "eth0") != NULL);
	last_of("sign", res, sizeof(res), det, sizeof(det));
	CHECK(strcmp(res, "refused") == 0 && strstr(det, "eth0") != NULL);

	params(&p, &net, CER_SESSION_KEY | CER_SESSION_SIGNING);
	p.allow_network = 1;
	CHECK(cer_session_begin(home, &p, &s) == 0);
	last_of("network", res, sizeof(res), det, sizeof(det));
	CHECK(strcmp(res, "allowed") == 0 && strstr(det, "eth0") != NULL &&
	      strstr(det, "--allow-network") != NULL);
	cer_session_free(s); /* not ended: recorded as abandoned */
	s = NULL;
	last_of("session-end", res, sizeof(res), NULL, 0);
	CHECK(strcmp(res, "abandoned") == 0);

	/* Maintenance with the key: an interface up is recorded, not refused. */
	params(&p, &net, CER_SESSION_KEY);
	p.verb = "key-state";
	CHECK(cer_session_begin(home, &p, &s) == 0);
	CHECK(strstr(cer_session_network(s), "interfaces up: eth0") != NULL);
	CHECK(cer_session_end(s, NULL, NULL, 0, NULL, 0) == 0);
	cer_session_free(s);
	s = NULL;
	last_of("session-start", res, sizeof(res), det, sizeof(det));
	CHECK(strstr(det, "network: interfaces up: eth0") != NULL);

	params(&p, &air, CER_SESSION_KEY | CER_SESSION_SIGNING);
	p.role = "auditor";
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_EREFUSED);
	p.role = "custodian";
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_EINVAL);
	CHECK(strstr(custos_err_detail(), "identified by their share") != NULL);
	p.role = NULL;
	p.operator_name = "bad\nname";
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_EINVAL);

	/* The clock set back an hour: refused, naming the newest record. */
	fake_now = T0 - 3600 * 1000;
	params(&p, &air, CER_SESSION_KEY);
	p.confirm_time = "2026-01-02T02:04Z";
	CHECK_EQ(cer_session_begin(home, &p, &s), CUSTOS_ECLOCK);
	CHECK(strstr(custos_err_detail(), "earlier than audit record") != NULL);
	fake_now = T0;
}

/* Whether the file at path contains the first three words of any share. */
static int
leaks_share(const char *path)
{
	uint8_t *data = NULL;
	size_t len, i, k;
	int found = 0;

	if (cer_file_read(path, CER_FILE_MAX, &data, &len) != 0)
		return 1;
	for (k = 0; k < N; k++) {
		char three[64];
		const char *p = mnemonics[k];
		size_t n = 0, words = 0;
		while (p[n] != '\0' && words < 3)
			if (p[n++] == ' ')
				words++;
		snprintf(three, sizeof(three), "%.*s", (int)n, p);
		for (i = 0; i + strlen(three) <= len; i++)
			if (memcmp(data + i, three, strlen(three)) == 0)
				found = 1;
	}
	free(data);
	return found;
}

static void
test_signing_session(void)
{
	struct cer_session_params p;
	struct cer_session *s = NULL;
	struct cer_home *h = NULL;
	struct cer_quorum *q = NULL;
	struct cer_unlocked *u = NULL;
	struct cer_offer_result res;
	struct cer_audit_report rep;
	struct cer_transcript_info ti;
	struct cer_env air;
	struct cer_db *db = NULL;
	char path[PATH_MAX], sigpath[PATH_MAX + 8], typo[CER_MNEMONIC_MAX], dbpath[PATH_MAX + 8];
	char *w;
	uint8_t *text = NULL, *sig = NULL, fp[32], h1[32];
	size_t tlen = 0, slen = 0;
	int i;

	env_with(&air, NULL, 0, 0);
	fake_now = T0 + 10000;
	params(&p, &air, CER_SESSION_KEY | CER_SESSION_SIGNING);
	snprintf(path, sizeof(path), "%s/transcripts", tmpdir);
	p.transcript_dir = path;
	CHECK(cer_home_open(home, &h) == 0);
	CHECK(cer_session_begin(home, &p, &s) == 0);
	if (h == NULL || s == NULL)
		goto out;
	CHECK(strlen(cer_session_id(s)) == CER_SESSION_ID_HEX);
	CHECK(cer_quorum_new(h->vault, &q) == 0);
	cer_session_watch(s, q);
	/* A mistyped word (the ninth replaced): refused and recorded, the share is not. */
	snprintf(typo, sizeof(typo), "%s", mnemonics[1]);
	w = typo;
	for (i = 0; i < 8; i++)
		w = strchr(w, ' ') + 1;
	memcpy(w, "zzzz", 4);
	CHECK_EQ(cer_quorum_offer(q, typo, NULL, NULL, &res), CUSTOS_EWORD);
	CHECK(strstr(custos_err_detail(), "word 9") != NULL); /* the detail survives the record */
	for (i = 0; i < 2; i++)
		CHECK(cer_quorum_offer(q, mnemonics[i], NULL, NULL, &res) == 0);
	CHECK(cer_session_unlock(s, h, q, 0, &u) == 0);
	CHECK(u != NULL);
	if (u == NULL)
		goto out;
	CHECK(cer_session_record(s, "sign", "01ab", "ok", "subject /CN=Test Sub") == 0);
	CHECK(cer_session_artifact(s, "sub.pem", (const uint8_t *)"certificate bytes", 17, h1) ==
	      0);
	fake_now += 5000;
	CHECK(cer_session_end(s, h, u, 0, path, sizeof(path)) == 0);
	CHECK(strstr(path, "/transcripts/20260102T030415Z-sign-") != NULL);

	/* The log: intact, signed through its last record. */
	CHECK(cer_db_open(home, 0, &db) == 0);
	CHECK(db != NULL && cer_audit_verify(db, h->root_pub, &rep) == 0);
	CHECK_EQ(rep.unsigned_count, 0);
	CHECK_EQ(rep.signed_through, rep.head.seq);
	snprintf(dbpath, sizeof(dbpath), "%s/ca.db", home);
	CHECK(!leaks_share(dbpath));

	/* The transcript: verifies with root.pem alone, matches the log, breaks on one byte. */
	snprintf(sigpath, sizeof(sigpath), "%s.sig", path);
	CHECK(cer_file_read(path, CER_TRANSCRIPT_MAX, &text, &tlen) == 0);
	CHECK(cer_file_read(sigpath, CA_SIG_MAX, &sig, &slen) == 0);
	CHECK(cer_root_fingerprint(h, fp) == 0);
	if (text == NULL || sig == NULL)
		goto out;
	CHECK(!leaks_share(path));
	CHECK(cer_transcript_verify(text, tlen, sig, slen, h->root_pub, fp, &ti) == 0);
	CHECK(strcmp(ti.ceremony, "sign") == 0);
	CHECK(strcmp(ti.session, cer_session_id(s)) == 0);
	CHECK_EQ(ti.nartifacts, 1);
	CHECK(strcmp(ti.artifacts[0], "sub.pem") == 0);
	CHECK_MEM(ti.artifact_sha256[0], h1, 32);
	CHECK_EQ(ti.head_seq, rep.head.seq);
	CHECK(cer_transcript_check_log(&ti, db, h->root_pub) == 0);
	CHECK(strstr((char *)text, "operator: Olivia (operator)") != NULL);
	CHECK(strstr((char *)text, "confirmed time: 2026-01-02T03:04Z by the operator") != NULL);
	CHECK(strstr((char *)text, "(unidentified share) (custodian) share: refused; unknown "
	                           "mnemonic word (word 9)") != NULL);
	CHECK(strstr((char *)text, "alice (custodian) share: accepted") != NULL);
	CHECK(strstr((char *)text, "quorum: reached; custodians: alice, bob") != NULL);
	fp[0] ^= 1;
	CHECK_EQ(cer_transcript_verify(text, tlen, sig, slen, h->root_pub, fp, &ti),
	         CUSTOS_EMISMATCH);
	fp[0] ^= 1;
	for (size_t off = 0; off < tlen; off += tlen / 7 + 1) {
		text[off] ^= 0x01;
		CHECK_EQ(cer_transcript_verify(text, tlen, sig, slen, h->root_pub, fp, &ti),
		         CUSTOS_EAUTH);
		text[off] ^= 0x01;
	}
	sig[slen / 2] ^= 0x40;
	CHECK_EQ(cer_transcript_verify(text, tlen, sig, slen, h->root_pub, fp, &ti), CUSTOS_EAUTH);
out:
	free(text);
	free(sig);
	cer_db_close(db);
	cer_unlocked_free(u);
	cer_quorum_free(q);
	cer_session_free(s);
	cer_home_free(h);
}

/* Parses text after replacing the first occurrence of from with to. */
static int
parse_edited(const char *text, const char *from, const char *to)
{
	struct cer_transcript_info ti;
	char *buf = malloc(strlen(text) + strlen(to) + 1), *p;
	int r;

	if (buf == NULL)
		return -100;
	if ((p = strstr(text, from)) == NULL) {
		free(buf);
		return -101;
	}
	memcpy(buf, text, (size_t)(p - text));
	memcpy(buf + (p - text), to, strlen(to));
	memcpy(buf + (p - text) + strlen(to), p + strlen(from), strlen(p + strlen(from)) + 1);
	r = cer_transcript_parse((const uint8_t *)buf, strlen(buf), &ti);
	free(buf);
	return r;
}

static void
test_transcript_parse(void)
{
	static const char good[] =
	        "custos ceremony transcript v1\n"
	        "ceremony: sign\n"
	        "root certificate sha256: "
	        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
	        "session: 00112233445566778899aabbccddeeff\n"
	        "\n"
	        "artifacts:\n"
	        "  artifact: sub.pem\n"
	        "    sha256: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
	        "    words: able acid also apex / aqua arch atom aunt / away axis back bald / barn "
	        "belt "
	        "beta bias / blue body brag brew / bulb buzz calm cash / cats chef city claw / "
	        "code cola "
	        "cook cost\n"
	        "\n"
	        "audit chain head: record 42\n"
	        "  sha256: 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
	        "  words: able acid also apex / aqua arch atom aunt / away axis back bald / barn "
	        "belt "
	        "beta bias / blue body brag brew / bulb buzz calm cash / cats chef city claw / "
	        "code cola "
	        "cook cost\n"
	        "end of transcript\n";
	struct cer_transcript_info ti;
	char words[CER_TRANSCRIPT_WORDS_LEN];
	uint8_t h[32];

	for (int i = 0; i < 32; i++)
		h[i] = (uint8_t)i;
	cer_transcript_words(h, words);
	CHECK(strncmp(words, "able acid also apex / aqua", 26) == 0);
	CHECK(cer_transcript_parse((const uint8_t *)good, strlen(good), &ti) == 0);
	CHECK_EQ(ti.head_seq, 42);
	CHECK_EQ(ti.nartifacts, 1);
	CHECK_EQ(parse_edited(good, "v1\n", "v2\n"), CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "end of transcript\n", ""), CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "end of transcript\n", "end of transcript\nmore\n"),
	         CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "cook cost\n\naudit", "cook cast\n\naudit"), CUSTOS_EFORMAT);
	CHECK(strstr(custos_err_detail(), "the words do not spell") != NULL);
	CHECK_EQ(parse_edited(good, "  sha256: 0001", "  sha256: 0101"), CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "  sha256: 0001", "  sha256: 0A01"), CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "ceremony: sign\n", "ceremony: sign\r\n"), CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "ceremony: sign\n", "ceremony: s\xc0\xafgn\n"), CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "ceremony: sign\n", "ceremony: sign\nceremony: crl\n"),
	         CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "session: 0011", "sessions: 0011"), CUSTOS_EFORMAT);
	CHECK(strstr(custos_err_detail(), "lacks its session line") != NULL);
	CHECK_EQ(parse_edited(good, "record 42", "record 042"), CUSTOS_EFORMAT);
	CHECK_EQ(parse_edited(good, "record 42", "record 99999999999999999999999"), CUSTOS_EFORMAT);
	CHECK_EQ(cer_transcript_parse((const uint8_t *)good, strlen(good) - 1, &ti),
	         CUSTOS_EFORMAT);
	CHECK_EQ(cer_transcript_parse((const uint8_t *)"", 0, &ti), CUSTOS_EFORMAT);
}

int
main(void)
{
	static const char *const names[N] = {"alice", "bob", "carol"};
	struct cer_init_params p;
	char cmd[PATH_MAX + 16];

	if (mkdtemp(tmpdir) == NULL || sodium_init() < 0)
		return 1;
	snprintf(home, sizeof(home), "%s/ca", tmpdir);
	memset(&p, 0, sizeof(p));
	p.home = home;
	p.subject = "/CN=Session Test Root";
	p.alg = CA_ALG_EC_P256;
	p.days = 3653;
	p.now = time(NULL);
	p.deliver = collect;
	if (cer_plan_simple(&p.plan, 2, names, N) != 0 || cer_init(&p) != 0)
		return 1;
	RUN(test_env);
	RUN(test_clock);
	RUN(test_refusals);
	RUN(test_signing_session);
	RUN(test_transcript_parse);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return HARNESS_END();
}
