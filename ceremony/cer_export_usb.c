/*
 * cer_export_usb: writing an export to a USB stick, reading it back, the
 * SHA256SUMS manifest, and finding the removable mounts (see cer_export.h).
 *
 * USB sticks usually carry FAT file systems, which have no hard links: a
 * file is put in place with renameat2(RENAME_NOREPLACE), falling back to
 * link() and, where neither exists, to a check and rename (a stick is not
 * shared with another writer while custos writes it).
 *
 * Invariants: no existing file is replaced except the manifest, which is
 * replaced atomically by one holding all of its old lines plus the new ones;
 * a failure removes every file this export put in place; the manifest lists
 * only files that were read back from the device and matched.
 */
#include "ceremony/cer_export.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ceremony/cer_file.h"

#define MANIFEST_MAX ((size_t)4 * 1024 * 1024)

static void (*readback_hook)(const char *path, uint8_t *buf, size_t len);

void
cer_export_set_readback_hook(void (*fn)(const char *path, uint8_t *buf, size_t len))
{
	readback_hook = fn;
}

static int
io_fail(const char *what, const char *path, int err)
{
	return custos_err_set(err == ENOSPC || err == EDQUOT ? CUSTOS_ENOSPACE : CUSTOS_EIO,
	                      "%s %s: %s", what, path, strerror(err));
}

/* --- the manifest ------------------------------------------------------------ */

/* Checks an existing SHA256SUMS and whether it lists name (1) or not (0). */
static int
manifest_check(const uint8_t *text, size_t len, const char *path)
{
	size_t i = 0, line = 1, k;

	while (i < len) {
		for (k = 0; k < 64; k++)
			if (i + k >= len || !isxdigit(text[i + k]))
				goto bad;
		i += 64;
		if (i + 2 > len || text[i] != ' ' || (text[i + 1] != ' ' && text[i + 1] != '*'))
			goto bad;
		for (i += 2, k = 0; i < len && text[i] != '\n'; i++, k++)
			if (text[i] == '\0' || text[i] == '/')
				goto bad;
		if (k == 0 || i == len)
			goto bad;
		i++;
		line++;
	}
	return 0;
bad:
	return custos_err_set(CUSTOS_EFORMAT,
	                      "%s line %zu is not a sha256sum line; custos will not add to it",
	                      path, line);
}

/* 1 when a checked manifest has a line for name. */
static int
manifest_lists(const uint8_t *text, size_t len, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i + 66 <= len;) {
		const uint8_t *nm = text + i + 66, *eol = memchr(nm, '\n', len - (i + 66));
		if (eol == NULL)
			return 0;
		if ((size_t)(eol - nm) == n && memcmp(nm, name, n) == 0)
			return 1;
		i = (size_t)(eol - text) + 1;
	}
	return 0;
}

/* --- files ---------------------------------------------------------------------- */

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Puts tmp at path without replacing anything there. */
static int
put_in_place(const char *tmp, const char *path)
{
	struct stat st;

	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return EEXIST;
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return errno;
	if (link(tmp, path) == 0) {
		(void)unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		return EEXIST;
	if (lstat(path, &st) == 0)
		return EEXIST;
	return rename(tmp, path) == 0 ? 0 : errno;
}

/* Writes data to dir/.custos-tmp-*, syncs it, and puts it at path (replace: may replace). */
static int
write_file(const char *dir, const char *path, const uint8_t *data, size_t len, mode_t mode,
           int replace)
{
	char tmp[PATH_MAX], name[32];
	int fd, e = 0, r;

	(void)snprintf(name, sizeof(name), ".custos-tmp-%08x", randombytes_random());
	if ((r = cer_path_join(tmp, sizeof(tmp), dir, name)) != 0)
		return r;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return io_fail("cannot create a file in", dir, errno);
	if ((e = write_all(fd, data, len)) == 0 && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && e == 0)
		e = errno;
	if (e == 0)
		e = replace ? (rename(tmp, path) == 0 ? 0 : errno) : put_in_place(tmp, path);
	if (e != 0) {
		(void)unlink(tmp);
		if (e == EEXIST)
			return custos_err_set(CUSTOS_EEXIST,
			                      "%s already exists; custos never overwrites it",
			                      path);
		return io_fail("cannot write", path, e);
	}
	return 0;
}

int
cer_media_put(const char *dir, const char *name, const uint8_t *data, size_t len, mode_t mode)
{
	char path[PATH_MAX];
	int r;

	if ((r = cer_path_join(path, sizeof(path), dir, name)) != 0)
		return r;
	return write_file(dir, path, data, len, mode, 0);
}

int
cer_media_read(const char *path, size_t max, uint8_t **data, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0, size;
	ssize_t n;
	int fd;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errno == ENOENT ? custos_err_set(CUSTOS_ENOENT, "%s does not exist", path)
		                       : io_fail("cannot read", path, errno);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return custos_err_set(CUSTOS_EIO, "%s is not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return custos_err_set(CUSTOS_ETOOBIG, "%s is larger than %zu bytes", path, max);
	}
	/* The file is synced, so its cached pages are clean: dropping them makes the read go to the
	 * device. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	size = (size_t)st.st_size;
	if ((buf = malloc(size + 1)) == NULL) {
		close(fd);
		return custos_err_set(CUSTOS_ENOMEM, "reading %s", path);
	}
	while (got < size) {
		n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != size) {
		free(buf);
		return custos_err_set(CUSTOS_EIO, "%s: %zu of %zu bytes could be read back", path,
		                      got, size);
	}
	buf[got] = '\0';
	if (readback_hook != NULL)
		readback_hook(path, buf, got);
	*data = buf;
	*len = got;
	return 0;
}

/* Reads path back from the device and compares it with data. */
static int
read_back(const char *path, const uint8_t *data, size_t len)
{
	uint8_t *buf;
	size_t got;
	int r, same;

	if ((r = cer_media_read(path, len, &buf, &got)) != 0)
		return r == CUSTOS_ETOOBIG ? custos_err_set(CUSTOS_EIO,
		                                            "%s read back is longer than "
		                                            "the %zu bytes written",
		                                            path, len)
		                           : r;
	same = got == len && memcmp(buf, data, len) == 0;
	free(buf);
	if (!same)
		return custos_err_set(CUSTOS_EIO,
		                      "%s read back from the device differs from what was written",
		                      path);
	return 0;
}

/* --- checks before writing -------------------------------------------------------- */

static int
check_target(const struct cer_export *x, const char *dir)
{
	struct statvfs vfs;
	struct stat st;
	uint64_t need = 0, avail;
	size_t i;

	if (stat(dir, &st) != 0)
		return errno == ENOENT ? custos_err_set(CUSTOS_ENOENT, "%s does not exist", dir)
		                       : io_fail("cannot use", dir, errno);
	if (!S_ISDIR(st.st_mode))
		return custos_err_set(CUSTOS_EIO, "%s is not a directory", dir);
	if (statvfs(dir, &vfs) != 0)
		return io_fail("cannot use", dir, errno);
	if ((vfs.f_flag & ST_RDONLY) || access(dir, W_OK) != 0)
		return custos_err_set(CUSTOS_EIO, "%s is not writable%s", dir,
		                      (vfs.f_flag & ST_RDONLY) ? " (read-only file system)" : "");
	for (i = 0; i < cer_export_count(x); i++)
		need += cer_export_file(x, i)->len;
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (need > avail)
		return custos_err_set(CUSTOS_ENOSPACE,
		                      "%s has %llu bytes free; the export needs %llu", dir,
		                      (unsigned long long)avail, (unsigned long long)need);
	return 0;
}

/* Refuses when a file of any of the names exists or the manifest lists one. */
static int
check_names(const struct cer_export *x, const char *dir, const uint8_t *manifest, size_t mlen)
{
	const struct cer_export_file *f;
	char path[PATH_MAX];
	struct stat st;
	size_t i;
	int r;

	for (i = 0; i < cer_export_count(x); i++) {
		f = cer_export_file(x, i);
		if (strcmp(f->name, CER_EXPORT_MANIFEST) == 0)
			return custos_err_set(CUSTOS_EINVAL, "an artifact cannot be named %s",
			                      f->name);
		if ((r = cer_path_join(path, sizeof(path), dir, f->name)) != 0)
			return r;
		if (lstat(path, &st) == 0)
			return custos_err_set(CUSTOS_EEXIST,
			                      "%s already exists; custos never overwrites it",
			                      path);
		if (manifest != NULL && manifest_lists(manifest, mlen, f->name))
			return custos_err_set(
			        CUSTOS_EEXIST,
			        "%s/%s lists %s from an earlier export; choose another "
			        "directory",
			        dir, CER_EXPORT_MANIFEST, f->name);
	}
	return 0;
}

/* The old manifest (may be NULL) with a line for each new file. */
static int
manifest_text(const struct cer_export *x, const uint8_t *old, size_t old_len, uint8_t **out,
              size_t *len)
{
	const struct cer_export_file *f;
	size_t i, cap = old_len + 1, off = 0;
	char hex[65];
	uint8_t *t;
	int n;

	for (i = 0; i < cer_export_count(x); i++)
		cap += 64 + 2 + strlen(cer_export_file(x, i)->name) + 1;
	if ((t = malloc(cap + 1)) == NULL)
		return custos_err_set(CUSTOS_ENOMEM, "manifest");
	if (old_len > 0) {
		memcpy(t, old, old_len);
		off = old_len;
	}
	for (i = 0; i < cer_export_count(x); i++) {
		f = cer_export_file(x, i);
		sodium_bin2hex(hex, sizeof(hex), f->sha256, 32);
		n = snprintf((char *)t + off, cap + 1 - off, "%s  %s\n", hex, f->name);
		off += (size_t)n;
	}
	*out = t;
	*len = off;
	return 0;
}

/* Removes the files of x that were put in dir (written[i] set). */
static void
roll_back(const struct cer_export *x, const char *dir, const int *written)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < cer_export_count(x); i++)
		if (written[i] &&
		    cer_path_join(path, sizeof(path), dir, cer_export_file(x, i)->name) == 0)
			(void)unlink(path);
	if (cer_dir_sync(dir) != 0)
		custos_err_clear(); /* best effort: the caller reports the first failure */
}

int
cer_export_write(struct cer_export *x, const char *dir, int (*commit)(void *ctx), void *ctx)
{
	const struct cer_export_file *f;
	char path[PATH_MAX], mpath[PATH_MAX], detail[512];
	uint8_t *old = NULL, *manifest = NULL;
	size_t i, old_len = 0, mlen = 0, n = cer_export_count(x);
	int *written = NULL, manifest_written = 0, r;

	if ((r = check_target(x, dir)) != 0 ||
	    (r = cer_path_join(mpath, sizeof(mpath), dir, CER_EXPORT_MANIFEST)) != 0)
		return r;
	r = cer_file_read(mpath, MANIFEST_MAX, &old, &old_len);
	if (r == CUSTOS_ENOENT)
		r = 0;
	if (r != 0 || (old != NULL && (r = manifest_check(old, old_len, mpath)) != 0) ||
	    (r = check_names(x, dir, old, old_len)) != 0)
		goto out;
	if ((written = calloc(n + 1, sizeof(*written))) == NULL) {
		r = custos_err_set(CUSTOS_ENOMEM, "export");
		goto out;
	}
	for (i = 0; i < n && r == 0; i++) {
		f = cer_export_file(x, i);
		if ((r = cer_path_join(path, sizeof(path), dir, f->name)) == 0 &&
		    (r = write_file(dir, path, f->data, f->len, 0644, 0)) == 0)
			written[i] = 1;
	}
	if (r == 0)
		r = cer_dir_sync(dir);
	for (i = 0; i < n && r == 0; i++) {
		f = cer_export_file(x, i);
		if ((r = cer_path_join(path, sizeof(path), dir, f->name)) == 0)
			r = read_back(path, f->data, f->len);
	}
	if (r == 0 && commit != NULL)
		r = commit(ctx);
	if (r == 0 && (r = manifest_text(x, old, old_len, &manifest, &mlen)) == 0 &&
	    (r = write_file(dir, mpath, manifest, mlen, 0644, 1)) == 0) {
		manifest_written = 1;
		if ((r = cer_dir_sync(dir)) == 0)
			r = read_back(mpath, manifest, mlen);
	}
	if (r != 0) {
		/* Keep the first failure's detail: the clean-up must not overwrite it. */
		(void)snprintf(detail, sizeof(detail), "%s; nothing of this export was left in %s",
		               custos_err_detail(), dir);
		if (manifest_written && old != NULL)
			(void)write_file(dir, mpath, old, old_len, 0644, 1);
		else if (manifest_written)
			(void)unlink(mpath);
		roll_back(x, dir, written);
		(void)custos_err_set(r, "%s", detail);
	}
out:
	free(written);
	free(old);
	free(manifest);
	return r;
}

/* --- removable mounts ------------------------------------------------------------ */

/* Undoes /proc/mounts' octal escapes (\040 for a space) in place. */
static void
unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* 1 when SYS/block/DISK says removable, or the disk hangs off a USB bus; -1: no such disk. */
static int
disk_removable(const char *sys, const char *disk)
{
	char path[PATH_MAX], real[PATH_MAX], flag = '0';
	int n, fd;

	n = snprintf(path, sizeof(path), "%s/block/%s/removable", sys, disk);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (read(fd, &flag, 1) != 1)
		flag = '0';
	close(fd);
	if (flag == '1')
		return 1;
	n = snprintf(path, sizeof(path), "%s/block/%s/device", sys, disk);
	if (n > 0 && (size_t)n < sizeof(path) && realpath(path, real) != NULL &&
	    strstr(real, "/usb") != NULL)
		return 1;
	return 0;
}

/* Whether /dev/NAME is on a removable disk: NAME itself, else NAME less its partition suffix. */
static int
device_removable(const char *sys, const char *dev)
{
	char disk[64];
	size_t n;
	int r;

	if (strncmp(dev, "/dev/", 5) != 0 || strchr(dev + 5, '/') != NULL ||
	    (n = strlen(dev + 5)) == 0 || n >= sizeof(disk))
		return 0;
	memcpy(disk, dev + 5, n + 1);
	if ((r = disk_removable(sys, disk)) >= 0)
		return r;
	while (n > 0 && isdigit((unsigned char)disk[n - 1]))
		disk[--n] = '\0';
	if (n > 1 && disk[n - 1] == 'p' && isdigit((unsigned char)disk[n - 2]))
		disk[--n] = '\0'; /* mmcblk0p1, nvme0n1p1 */
	return n > 0 && disk_removable(sys, disk) == 1;
}

static int
add_mount(struct cer_mount **list, size_t *n, size_t *cap, const char *dev, const char *dir,
          const char *type, const char *opts)
{
	struct cer_mount *m = NULL, *grown;
	struct statvfs vfs;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i].dir, dir) == 0)
			m = &(*list)[i]; /* mounted over: the later mount is the one seen */
	if (m == NULL) {
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 4;
			if ((grown = realloc(*list, *cap * sizeof(**list))) == NULL)
				return custos_err_set(CUSTOS_ENOMEM, "mount list");
			*list = grown;
		}
		m = &(*list)[(*n)++];
	}
	memset(m, 0, sizeof(*m));
	(void)snprintf(m->dir, sizeof(m->dir), "%s", dir);
	(void)snprintf(m->device, sizeof(m->device), "%.*s", (int)sizeof(m->device) - 1, dev);
	(void)snprintf(m->fstype, sizeof(m->fstype), "%.*s", (int)sizeof(m->fstype) - 1, type);
	m->read_only = strncmp(opts, "ro", 2) == 0 && (opts[2] == ',' || opts[2] == '\0');
	if (statvfs(dir, &vfs) == 0) {
		m->total_bytes = (uint64_t)vfs.f_blocks * vfs.f_frsize;
		m->free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		m->read_only |= (vfs.f_flag & ST_RDONLY) != 0;
	}
	return 0;
}

int
cer_mounts_removable(const char *proc_mounts, const char *sys, struct cer_mount **out, size_t *n)
{
	char line[4 * PATH_MAX], dev[PATH_MAX], dir[PATH_MAX], type[64], opts[PATH_MAX];
	struct cer_mount *list = NULL;
	size_t cap = 0;
	FILE *f;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (proc_mounts == NULL)
		proc_mounts = "/proc/mounts";
	if (sys == NULL)
		sys = "/sys";
	if ((f = fopen(proc_mounts, "re")) == NULL)
		return io_fail("cannot read", proc_mounts, errno);
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%4095s %4095s %63s %4095s", dev, dir, type, opts) != 4)
			continue;
		unescape(dev);
		unescape(dir);
		if (device_removable(sys, dev))
			r = add_mount(&list, n, &cap, dev, dir, type, opts);
	}
	fclose(f);
	if (r != 0) {
		free(list);
		*n = 0;
		return r;
	}
	*out = list;
	return 0;
}
