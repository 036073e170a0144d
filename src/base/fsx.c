/* fsx: capped reads, atomic replacement, mkdir -p and flock-based locks. */
#include "kairos/fsx.h"
#include "kairos/err.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int fsx_read(const char *path, size_t max, struct buf *out)
{
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return kr_errc(KR_ENOTFOUND, "%s: no such file", path);
		return kr_err("%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		rc = kr_err("%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = kr_err("%s: not a regular file", path);
		goto out;
	}
	if ((size_t)st.st_size > max) {
		rc = kr_errc(KR_ENOMEM, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	if ((rc = buf_reserve(out, (size_t)st.st_size + 1)))
		goto out;
	for (;;) {
		ssize_t n;
		if (out->cap - out->len < 2 && (rc = buf_reserve(out, 4096)))
			goto out;
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = kr_err("%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > max) {
			rc = kr_errc(KR_ENOMEM, "%s: larger than %zu bytes", path, max);
			goto out;
		}
	}
	out->data[out->len] = '\0';
out:
	close(fd);
	return rc;
}

char *fsx_dirname(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

int fsx_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kr_err("%s: %s", dir, strerror(errno));
	if (fsync(fd) < 0 && errno != EINVAL) {
		int e = errno;
		close(fd);
		return kr_err("fsync %s: %s", dir, strerror(e));
	}
	close(fd);
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w, n -= (size_t)w;
	}
	return 0;
}

/* A fresh temporary name beside path (FSX_TMP_PREFIX, so that a store
 * removes what a killed writer left); *dir gets path's directory. */
static char *tmp_beside(const char *path, char **dir)
{
	static atomic_uint counter;
	const char *base = strrchr(path, '/');
	size_t n;
	char *tmp;

	*dir = fsx_dirname(path);
	base = base ? base + 1 : path;
	n = strlen(*dir) + strlen(base) + 64;
	tmp = xmalloc(n);
	snprintf(tmp, n, "%s/" FSX_TMP_PREFIX "%s.%ld.%u", *dir, base, (long)getpid(),
		 atomic_fetch_add(&counter, 1));
	return tmp;
}

/* mode < 0: created 0644 under the umask; else exactly mode. */
static int replace_file(const char *path, const void *data, size_t len, int mode)
{
	char *dir, *tmp = tmp_beside(path, &dir);
	int fd, rc = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode < 0 ? 0644 : 0600);
	if (fd < 0) {
		rc = kr_err("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) < 0 || (mode >= 0 && fchmod(fd, (mode_t)mode) < 0) ||
	    fsync(fd) < 0) {
		rc = kr_err("writing %s: %s", tmp, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	if (close(fd) < 0) {
		rc = kr_err("writing %s: %s", tmp, strerror(errno));
		goto out_unlink;
	}
	if (rename(tmp, path) < 0) {
		rc = kr_err("rename to %s: %s", path, strerror(errno));
		goto out_unlink;
	}
	rc = fsx_fsync_dir(dir);
	goto out;
out_unlink:
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return rc;
}

int fsx_write_atomic(const char *path, const void *data, size_t len)
{
	return replace_file(path, data, len, -1);
}

int fsx_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode)
{
	return replace_file(path, data, len, (int)(mode & 07777));
}

int fsx_symlink_atomic(const char *path, const char *target)
{
	char *dir = NULL, *tmp = NULL;
	int rc = 0;

	for (int tries = 0;; tries++) {
		free(tmp);
		free(dir);
		tmp = tmp_beside(path, &dir);
		if (symlink(target, tmp) == 0)
			break;
		if (errno != EEXIST || tries > 10) {
			rc = kr_err("cannot create link %s: %s", tmp, strerror(errno));
			goto out;
		}
	}
	if (rename(tmp, path) < 0) {
		rc = kr_err("rename to %s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = fsx_fsync_dir(dir);
out:
	free(tmp);
	free(dir);
	return rc;
}

int fsx_mkdirs(const char *path, mode_t mode)
{
	struct stat st0;
	char *p;
	int rc = 0;

	/* the common case, on every journal line: it is there already */
	if (stat(path, &st0) == 0 && S_ISDIR(st0.st_mode))
		return 0;
	p = xstrdup(path);

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			rc = kr_err("mkdir %s: %s", p, strerror(errno));
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	if (!rc) {
		struct stat st;
		if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
			rc = kr_err("%s: not a directory", path);
	}
	free(p);
	return rc;
}

int fsx_lock(int *fd_out, const char *lock_path, bool shared, bool wait)
{
	char *dir = fsx_dirname(lock_path);
	int fd, rc;

	rc = fsx_mkdirs(dir, 0700);
	free(dir);
	if (rc)
		return rc;
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return kr_err("%s: %s", lock_path, strerror(errno));
	while (flock(fd, (shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return kr_errc(KR_EBUSY, "%s is held by another process", lock_path);
		return kr_err("lock %s: %s", lock_path, strerror(e));
	}
	*fd_out = fd;
	return 0;
}

void fsx_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

bool fsx_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}
