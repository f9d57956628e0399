/*
 * cer_env: network interfaces, wireless devices and clock checks (see the
 * header).
 */
#include "ceremony/cer_env.h"

#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ceremony/cer_audit.h"

/* Wireless Extensions' "get name" (linux/wireless.h, not included: it clashes with net/if.h). */
#define CUSTOS_SIOCGIWNAME 0x8B01

static int
is_wireless(int sock, const char *name)
{
	struct ifreq req;
	char path[128];
	struct stat st;

	memset(&req, 0, sizeof(req));
	(void)snprintf(req.ifr_name, sizeof(req.ifr_name), "%s", name);
	if (sock >= 0 && ioctl(sock, CUSTOS_SIOCGIWNAME, &req) == 0)
		return 1;
	/* cfg80211 drivers without the old ioctls: sysfs names them (this namespace's names). */
	(void)snprintf(path, sizeof(path), "/sys/class/net/%s/phy80211", name);
	if (lstat(path, &st) == 0)
		return 1;
	(void)snprintf(path, sizeof(path), "/sys/class/net/%s/wireless", name);
	return lstat(path, &st) == 0;
}

static struct cer_netif *
find_or_add(struct cer_env *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->nifs; i++)
		if (strcmp(e->ifs[i].name, name) == 0)
			return &e->ifs[i];
	if (e->nifs == CER_ENV_MAX_IFS) {
		e->truncated = 1;
		return NULL;
	}
	(void)snprintf(e->ifs[e->nifs].name, CER_ENV_NAME_MAX, "%s", name);
	return &e->ifs[e->nifs++];
}

static void
scan_phys(struct cer_env *e)
{
	DIR *d = opendir("/sys/class/ieee80211");
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (e->nphys == CER_ENV_MAX_PHYS) {
			e->truncated = 1;
			break;
		}
		(void)snprintf(e->phys[e->nphys++], CER_ENV_NAME_MAX, "%.31s", de->d_name);
	}
	closedir(d);
}

int
cer_env_scan(struct cer_env *out)
{
	struct ifaddrs *list = NULL, *a;
	struct cer_netif *n;
	int sock;

	memset(out, 0, sizeof(*out));
	if (getifaddrs(&list) != 0)
		return custos_err_set(CUSTOS_EIO, "cannot list the network interfaces: %s",
		                      strerror(errno));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (a = list; a != NULL; a = a->ifa_next) {
		if (a->ifa_name == NULL || (n = find_or_add(out, a->ifa_name)) == NULL)
			continue;
		n->up |= (a->ifa_flags & IFF_UP) != 0;
		n->running |= (a->ifa_flags & IFF_RUNNING) != 0;
		n->loopback |= (a->ifa_flags & IFF_LOOPBACK) != 0;
	}
	for (size_t i = 0; i < out->nifs; i++)
		out->ifs[i].wireless = is_wireless(sock, out->ifs[i].name);
	if (sock >= 0)
		close(sock);
	freeifaddrs(list);
	scan_phys(out);
	return 0;
}

/* Appends name to buf as a ", "-separated list. */
static void
list_add(char *buf, size_t len, const char *name)
{
	size_t used = strlen(buf);

	if (used < len)
		(void)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", name);
}

size_t
cer_env_up(const struct cer_env *e, char *buf, size_t len)
{
	size_t i, n = 0;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < e->nifs; i++)
		if (e->ifs[i].up && !e->ifs[i].loopback) {
			list_add(buf, len, e->ifs[i].name);
			n++;
		}
	if (e->truncated)
		list_add(buf, len, "(more)");
	return n;
}

size_t
cer_env_wireless(const struct cer_env *e, char *buf, size_t len)
{
	size_t i, n = 0;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < e->nifs; i++)
		if (e->ifs[i].wireless) {
			list_add(buf, len, e->ifs[i].name);
			n++;
		}
	for (i = 0; i < e->nphys; i++) {
		list_add(buf, len, e->phys[i]);
		n++;
	}
	return n;
}

void
cer_env_describe(const struct cer_env *e, char *buf, size_t len)
{
	char up[512], wl[512];
	size_t nup = cer_env_up(e, up, sizeof(up)), nwl = cer_env_wireless(e, wl, sizeof(wl));

	if (nup == 0 && !e->truncated)
		(void)snprintf(buf, len, "air-gapped: no interface up but loopback; %s%s",
		               nwl ? "wireless devices (down): " : "no wireless device", wl);
	else
		(void)snprintf(buf, len, "interfaces up: %s; %s%s", up,
		               nwl ? "wireless: " : "no wireless device", wl);
}

int
cer_env_airgap(const struct cer_env *e, int allow_network)
{
	char up[512];
	size_t n = cer_env_up(e, up, sizeof(up));

	if ((n == 0 && !e->truncated) || allow_network)
		return 0;
	return custos_err_set(CUSTOS_ENETWORK,
	                      "%s %s up; custos signs only on an air-gapped machine (take %s down, "
	                      "or pass --allow-network, which the audit log records)",
	                      up[0] ? up : "too many interfaces", n == 1 ? "is" : "are",
	                      n == 1 ? "it" : "them");
}

int64_t
cer_clock_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
cer_confirm_time_parse(const char *s, int64_t *ms)
{
	char full[CER_AUDIT_TIME_LEN];

	*ms = 0;
	/* YYYY-MM-DDTHH:MMZ: the audit time form up to the minutes, then Z. */
	if (strlen(s) != 17 || s[16] != 'Z' || s[10] != 'T') {
		custos_err_set(CUSTOS_EINVAL, "'%.40s' is not a UTC time like 2026-01-02T03:04Z",
		               s);
		return CUSTOS_EINVAL;
	}
	(void)snprintf(full, sizeof(full), "%.16s:00.000Z", s);
	if (cer_audit_time_parse(full, ms) != 0)
		return custos_err_set(CUSTOS_EINVAL,
		                      "'%.40s' is not a valid UTC time like "
		                      "2026-01-02T03:04Z",
		                      s);
	return 0;
}

int
cer_clock_confirm(int64_t now_ms, int64_t confirmed_ms)
{
	char now[CER_AUDIT_TIME_LEN];
	int64_t d = 0;

	/* A confirmation names a whole minute, [confirmed, confirmed + 60 s). */
	if (now_ms < confirmed_ms)
		d = confirmed_ms - now_ms;
	else if (now_ms >= confirmed_ms + 60000)
		d = now_ms - (confirmed_ms + 59999);
	if (d <= CER_CLOCK_TOLERANCE_MS)
		return 0;
	cer_audit_time_format(now_ms, now);
	return custos_err_set(CUSTOS_ECLOCK,
	                      "the confirmed time is %lld min %lld s %s the system clock (%s): "
	                      "more than 5 minutes apart; set the clock, or check the time you "
	                      "confirmed",
	                      (long long)(d / 60000), (long long)(d % 60000 / 1000),
	                      now_ms < confirmed_ms ? "ahead of" : "behind", now);
}

int
cer_clock_monotonic(int64_t now_ms, int64_t newest_ms, uint64_t newest_seq)
{
	char now[CER_AUDIT_TIME_LEN], newest[CER_AUDIT_TIME_LEN];

	if (newest_seq == 0 || now_ms >= newest_ms)
		return 0;
	cer_audit_time_format(now_ms, now);
	cer_audit_time_format(newest_ms, newest);
	return custos_err_set(CUSTOS_ECLOCK,
	                      "the system clock (%s) is earlier than audit record %llu (%s): the "
	                      "clock went backwards; set it right before anything is signed",
	                      now, (unsigned long long)newest_seq, newest);
}
