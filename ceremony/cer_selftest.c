/*
 * cer_selftest: hardening and known-answer tests (see the header).
 *
 * The known answers come from outside custos: the SLIP-0039 vector is the
 * official one (python-shamir-mnemonic), the BLAKE2b answer was computed with
 * Python's hashlib.
 */
#include "ceremony/cer_selftest.h"

#include <openssl/crypto.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ca/ca_key.h"
#include "shares/shr_slip39.h"

/* Official vector 4: "Basic sharing 2-of-3 (128 bits)", passphrase "TREZOR". */
static const char *const kat_mnemonics[2] = {
	"shadow pistol academic always adequate wildlife fancy gross oasis cylinder mustang wrist "
	"rescue view short owner flip making coding armed",
	"shadow pistol academic acid actress prayer class unknown daughter sweater depict flip "
	"twice unkind craft early superior advocate guest smoking",
};
static const uint8_t kat_master[16] = {0xb4, 0x3c, 0xeb, 0x7e, 0x57, 0xa0, 0xea, 0x87,
                                       0x66, 0x22, 0x16, 0x24, 0xd0, 0x1b, 0x08, 0x64};

/* BLAKE2b-256(key = 32 x 'k', msg = "custos") */
static const uint8_t kat_blake2b[32] = {
	0xf0, 0xaf, 0x9f, 0x67, 0xea, 0xf0, 0xc3, 0x94, 0xcb, 0x65, 0xee, 0xf3, 0xad, 0x1c, 0x54, 0x02,
	0xe7, 0xc4, 0xf1, 0xab, 0x41, 0x3c, 0x5e, 0x8e, 0x0a, 0x8a, 0x4f, 0xcf, 0x3d, 0xfc, 0x47, 0x85};

static int
selftest_slip39(void)
{
	struct shr_share s[2];
	uint8_t master[SHR_VALUE_MAX];
	size_t len = 0;
	int ok;

	ok = shr_share_parse(kat_mnemonics[0], strlen(kat_mnemonics[0]), SHR_KIND_STANDARD, &s[0]) == 0 &&
	     shr_share_parse(kat_mnemonics[1], strlen(kat_mnemonics[1]), SHR_KIND_STANDARD, &s[1]) == 0 &&
	     shr_combine(s, 2, "TREZOR", master, &len) == 0 && len == 16 &&
	     memcmp(master, kat_master, 16) == 0;
	/* and a single share is not enough */
	ok = ok && shr_combine(s, 1, "TREZOR", master, &len) == CUSTOS_ETHRESHOLD;
	shr_share_wipe(&s[0]);
	shr_share_wipe(&s[1]);
	sodium_memzero(master, sizeof(master));
	return ok ? 0 : custos_err_set(CUSTOS_ESELFTEST, "SLIP-0039 known answer");
}

static int
selftest_aead(void)
{
	uint8_t key[32], nonce[24], msg[64], ct[64 + 16], pt[64];
	unsigned long long clen, plen;
	int ok;

	memset(key, 0x42, sizeof(key));
	memset(nonce, 0x24, sizeof(nonce));
	memset(msg, 0x5a, sizeof(msg));
	ok = crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, msg, sizeof(msg), (const uint8_t *)"ad",
	                                                2, NULL, nonce, key) == 0 &&
	     clen == sizeof(ct) && memcmp(ct, msg, sizeof(msg)) != 0 &&
	     crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen, NULL, ct, clen,
	                                                (const uint8_t *)"ad", 2, nonce, key) == 0 &&
	     plen == sizeof(msg) && memcmp(pt, msg, sizeof(msg)) == 0;
	ct[7] ^= 1;
	ok = ok && crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen, NULL, ct, clen,
	                                                      (const uint8_t *)"ad", 2, nonce, key) != 0;
	ct[7] ^= 1;
	ok = ok && crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &plen, NULL, ct, clen,
	                                                      (const uint8_t *)"da", 2, nonce, key) != 0;
	return ok ? 0 : custos_err_set(CUSTOS_ESELFTEST, "XChaCha20-Poly1305 round trip");
}

static int
selftest_blake2b(void)
{
	uint8_t key[32], out[32];

	memset(key, 'k', sizeof(key));
	if (crypto_generichash(out, sizeof(out), (const uint8_t *)"custos", 6, key, sizeof(key)) != 0 ||
	    memcmp(out, kat_blake2b, sizeof(out)) != 0)
		return custos_err_set(CUSTOS_ESELFTEST, "BLAKE2b known answer");
	return 0;
}

int
cer_selftest(void)
{
	int r;

	if ((r = selftest_slip39()) != 0 || (r = selftest_aead()) != 0 ||
	    (r = selftest_blake2b()) != 0)
		return r;
	if (ca_selftest() != 0)
		return custos_err_set(CUSTOS_ESELFTEST, "key sign/verify: %s", custos_err_detail());
	return 0;
}

static void
warn(struct cer_hardening *h, const char *msg)
{
	if (h->nwarnings < CER_WARNINGS_MAX)
		(void)snprintf(h->warnings[h->nwarnings++], sizeof(h->warnings[0]), "%s", msg);
}

/* Swap on means a page of secrets could reach the disk if locking ever fails. */
static int
swap_is_on(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int lines = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		lines++;
	fclose(f);
	return lines > 1; /* the first line is the header */
}

/*
 * Locks every page of the process, present and future, when the limit
 * allows it: OpenSSL 3.0 keeps copies of RSA private numbers in ordinary heap
 * while a key is in use (ca_key.c says where), and locking all memory keeps
 * those out of swap too.  Under AddressSanitizer the shadow memory is far too
 * large to lock, so only the probe is tried there.
 */
static void
lock_all_memory(struct cer_hardening *out, void *probe, size_t len)
{
	struct rlimit lim;

#if defined(__SANITIZE_ADDRESS__)
	int all = 0;
#else
	/* root (CAP_IPC_LOCK) locks past the limit */
	int all = geteuid() == 0 ||
	          (getrlimit(RLIMIT_MEMLOCK, &lim) == 0 && lim.rlim_cur == RLIM_INFINITY);
#endif
	(void)lim;
	if (all && mlockall(MCL_CURRENT | MCL_FUTURE) == 0)
		return;
	if (mlock(probe, len) != 0) {
		warn(out, "memory locking is not available (RLIMIT_MEMLOCK): secrets could be swapped");
		return;
	}
	(void)munlock(probe, len);
	if (!all)
		warn(out, "only secret buffers are locked in memory (RLIMIT_MEMLOCK is limited); "
		          "turn swap off on the ceremony laptop");
}

int
cer_harden(struct cer_hardening *out)
{
	struct rlimit none = {0, 0};
	static uint8_t probe[4096] __attribute__((aligned(4096)));
	int r;

	memset(out, 0, sizeof(*out));
	if (setrlimit(RLIMIT_CORE, &none) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return custos_err_set(CUSTOS_ESELFTEST, "cannot turn core dumps off");
	if (sodium_init() < 0)
		return custos_err_set(CUSTOS_ECRYPTO, "libsodium failed to initialise");
	r = ca_secure_heap_init();
	if (r == CUSTOS_EREFUSED)
		warn(out, "OpenSSL's secure heap could not be locked in memory (raise RLIMIT_MEMLOCK)");
	else if (r != 0)
		return custos_err_set(CUSTOS_ECRYPTO, "OpenSSL's secure heap: %s", custos_err_detail());
	lock_all_memory(out, probe, sizeof(probe));
	if (swap_is_on())
		warn(out, "swap is on: turn it off on the ceremony laptop (swapoff -a)");
	return cer_selftest();
}
