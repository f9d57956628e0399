/*
 * cer_file: atomic writes and bounded reads (see the header).
 */
#include "ceremony/cer_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int
io_error(const char *what, const char *path, int err)
{
	int code = (err == ENOSPC || err == EDQUOT) ? CUSTOS_ENOSPACE : CUSTOS_EIO;

	return custos_err_set(code, "%s %s: %s", what, path, strerror(err));
}

int
cer_path_join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len)
		return custos_err_set(CUSTOS_ETOOBIG, "path %s/%s is too long", dir, name);
	return 0;
}

/* The directory part of path, into buf. */
static int
dir_of(const char *path, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return custos_err_set(CUSTOS_ETOOBIG, "path %s is too long", path);
	n = snprintf(buf, len, "%s", dirname(tmp));
	if (n < 0 || (size_t)n >= len)
		return custos_err_set(CUSTOS_ETOOBIG, "path %s is too long", path);
	return 0;
}

int
cer_dir_sync(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return io_error("cannot open directory", dir, errno);
	if (fsync(fd) != 0) {
		int e = errno;
		close(fd);
		return io_error("cannot sync directory", dir, e);
	}
	close(fd);
	return 0;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
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

/*
 * Moves tmp to path only if path does not exist: link() (the tmp name is then
 * removed), or, on file systems without hard links (FAT sticks),
 * renameat2(RENAME_NOREPLACE).  Returns 0 or an errno.
 */
static int
place_exclusive(const char *tmp, const char *path)
{
	int e;

	if (link(tmp, path) == 0) {
		unlink(tmp);
		return 0;
	}
	e = errno;
	if (e != EPERM && e != EOPNOTSUPP && e != ENOTSUP && e != ENOSYS)
		return e;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	return errno;
}

int
cer_file_write(const char *path, const void *data, size_t len, mode_t mode, int exclusive)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 32];
	uint32_t rnd;
	int fd, e, r, n;

	if ((r = dir_of(path, dir, sizeof(dir))) != 0)
		return r;
	if (exclusive && access(path, F_OK) == 0)
		return custos_err_set(CUSTOS_EEXIST, "%s already exists; custos never overwrites it",
		                      path);
	rnd = randombytes_random();
	n = snprintf(tmp, sizeof(tmp), "%s.tmp-%08x", path, rnd);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return custos_err_set(CUSTOS_ETOOBIG, "path %s is too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return io_error("cannot create", tmp, errno);
	if ((e = write_all(fd, data, len)) != 0 || (fsync(fd) != 0 && (e = errno) != 0)) {
		close(fd);
		unlink(tmp);
		return io_error("cannot write", path, e);
	}
	if (close(fd) != 0) {
		e = errno;
		unlink(tmp);
		return io_error("cannot write", path, e);
	}
	if ((e = exclusive ? place_exclusive(tmp, path) : (rename(tmp, path) == 0 ? 0 : errno)) != 0) {
		unlink(tmp);
		if (e == EEXIST)
			return custos_err_set(CUSTOS_EEXIST,
			                      "%s already exists; custos never overwrites it", path);
		return io_error("cannot put in place", path, e);
	}
	return cer_dir_sync(dir);
}

static int
read_into(const char *path, size_t max, uint8_t **data, size_t *len, int secret)
{
	struct stat st;
	uint8_t *buf;
	size_t got = 0;
	ssize_t n;
	int fd, e;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			return custos_err_set(CUSTOS_ENOENT, "%s does not exist", path);
		return io_error("cannot open", path, e);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return custos_err_set(CUSTOS_EIO, "%s is not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return custos_err_set(CUSTOS_ETOOBIG, "%s is larger than %zu bytes", path, max);
	}
	buf = secret ? sodium_malloc((size_t)st.st_size + 1) : malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return custos_err_set(CUSTOS_ENOMEM, "reading %s", path);
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		if (secret)
			sodium_free(buf);
		else
			free(buf);
		return custos_err_set(CUSTOS_EIO, "%s changed while it was read", path);
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

int
cer_file_read(const char *path, size_t max, uint8_t **data, size_t *len)
{
	return read_into(path, max, data, len, 0);
}

int
cer_file_read_secret(const char *path, size_t max, uint8_t **data, size_t *len)
{
	return read_into(path, max, data, len, 1);
}

int
cer_dir_create(const char *path)
{
	if (mkdir(path, 0700) != 0) {
		if (errno == EEXIST)
			return custos_err_set(CUSTOS_EEXIST,
			                      "%s already exists; custos never reuses a CA home", path);
		return io_error("cannot create directory", path, errno);
	}
	return 0;
}

int
cer_file_shred(const char *path)
{
	uint8_t zeros[4096];
	struct stat st;
	off_t left;
	char dir[PATH_MAX];
	int fd, r;

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return io_error("cannot open", path, errno);
	if (fstat(fd, &st) != 0) {
		close(fd);
		return io_error("cannot stat", path, errno);
	}
	memset(zeros, 0, sizeof(zeros));
	for (left = st.st_size; left > 0; left -= (off_t)sizeof(zeros)) {
		size_t chunk = left < (off_t)sizeof(zeros) ? (size_t)left : sizeof(zeros);
		if (write_all(fd, zeros, chunk) != 0)
			break;
	}
	(void)fsync(fd);
	close(fd);
	if (unlink(path) != 0)
		return io_error("cannot remove", path, errno);
	if ((r = dir_of(path, dir, sizeof(dir))) != 0)
		return r;
	return cer_dir_sync(dir);
}

int
cer_dir_create_parents(const char *path)
{
	char buf[PATH_MAX];
	size_t i;
	int n = snprintf(buf, sizeof(buf), "%s", path);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return custos_err_set(CUSTOS_ETOOBIG, "path %s is too long", path);
	for (i = 1; buf[i] != '\0'; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return custos_err_set(CUSTOS_EIO, "cannot create %s: %s", buf, strerror(errno));
		buf[i] = '/';
	}
	return 0;
}
