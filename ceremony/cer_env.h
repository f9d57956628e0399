/*
 * cer_env: the machine custos runs on, as far as a ceremony must trust it:
 * is it air-gapped (no network interface up but loopback, which wireless
 * devices exist), and does its clock agree with the operator and with the
 * audit log.
 *
 * The scan asks the kernel through netlink (getifaddrs) and ioctls on a
 * socket, which see the caller's network namespace: `unshare -n custos ...`
 * sees only its own loopback.  /sys/class/ieee80211 adds wireless devices
 * that have no interface.  Tests pass a hand-made struct cer_env instead of
 * scanning; nothing in the environment (variables, files) can replace the
 * real scan, which is what every front-end does by default.
 *
 * Invariant: a decision (refuse or allow) is taken from a struct cer_env
 * alone, so what was checked is exactly what is recorded in the audit log.
 */
#ifndef CER_ENV_H
#define CER_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define CER_ENV_MAX_IFS 64
#define CER_ENV_MAX_PHYS 16
#define CER_ENV_NAME_MAX 32
#define CER_CLOCK_TOLERANCE_MS (5 * 60 * 1000) /* confirmed time vs. system clock */

struct cer_netif {
	char name[CER_ENV_NAME_MAX];
	int up;       /* IFF_UP */
	int running;  /* IFF_RUNNING (carrier) */
	int loopback; /* IFF_LOOPBACK */
	int wireless; /* answers the wireless ioctl, or has /sys/class/net/NAME/wireless */
};

struct cer_env {
	size_t nifs;
	struct cer_netif ifs[CER_ENV_MAX_IFS];
	size_t nphys; /* wireless devices (/sys/class/ieee80211), up or not */
	char phys[CER_ENV_MAX_PHYS][CER_ENV_NAME_MAX];
	int truncated; /* more interfaces than fit: treated as not air-gapped */
};

/* Scans this machine (its network namespace).  Returns 0 or CUSTOS_EIO. */
int cer_env_scan(struct cer_env *out) CUSTOS_WUR;

/* Interfaces up other than loopback, ", "-separated, into buf; returns how many. */
size_t cer_env_up(const struct cer_env *e, char *buf, size_t len);

/* Wireless interfaces and devices, ", "-separated, into buf; returns how many. */
size_t cer_env_wireless(const struct cer_env *e, char *buf, size_t len);

/*
 * One line for the operator and the audit log: "air-gapped: no interface up
 * but loopback; no wireless device" or "interfaces up: eth0; wireless: phy0".
 */
void cer_env_describe(const struct cer_env *e, char *buf, size_t len);

/*
 * The air-gap rule: 0 when no interface but loopback is up, or when
 * allow_network; else CUSTOS_ENETWORK naming the interfaces.
 */
int cer_env_airgap(const struct cer_env *e, int allow_network) CUSTOS_WUR;

/* The system clock: milliseconds since the epoch (UTC). */
int64_t cer_clock_now_ms(void);

/* A clock the core asks instead of the system's (tests). */
typedef int64_t (*cer_clock_fn)(void *ctx);

/*
 * Parses the operator's confirmation of the time, "YYYY-MM-DDTHH:MMZ"
 * (exactly that form: UTC, minutes), into *ms.  0 or CUSTOS_EINVAL.
 */
int cer_confirm_time_parse(const char *s, int64_t *ms) CUSTOS_WUR;

/*
 * 0 when the confirmed time is within CER_CLOCK_TOLERANCE_MS of now (the
 * confirmation names a minute: it may be up to a minute behind); else
 * CUSTOS_ECLOCK saying by how much they differ.
 */
int cer_clock_confirm(int64_t now_ms, int64_t confirmed_ms) CUSTOS_WUR;

/*
 * 0 when now is not earlier than the newest audit record (newest_ms, record
 * newest_seq; 0 for an empty log); else CUSTOS_ECLOCK naming the record.
 */
int cer_clock_monotonic(int64_t now_ms, int64_t newest_ms, uint64_t newest_seq) CUSTOS_WUR;

#endif
