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
#include <sys/statvfs.h>
#include <unistd.h>

const char *fsx_strerror(int e)
{
	switch (e) {
	case ENOSPC: return "the disk is full (No space left on device)";
	case EDQUOT: return "the disk quota is used up (Disk quota exceeded)";
	case EROFS: return "the file system is read-only (Read-only file system)";
	case EIO: return "the disk failed to read or write (Input/output error)";
	case ELOOP: return "it is a symbolic link, and kairos never follows one there";
	default: return strerror(e);
	}
}

const char *fsx_why_unwritable(const char *path)
{
	char *p = xstrdup(path), *slash;
	struct statvfs v;
	const char *why = NULL;

	while (access(p, F_OK) < 0 && (slash = strrchr(p, '/')) && slash != p)
		*slash = '\0';
	if (statvfs(p, &v) == 0) {
		if (v.f_flag & ST_RDONLY)
			why = "the file system is read-only";
		else if (v.f_bavail == 0 || (v.f_favail == 0 && v.f_files))
			why = "the disk is full";
	}
	if (!why && access(p, W_OK) < 0 && errno == EACCES)
		why = "permission denied";
	free(p);
	return why;
}

/* Appends what fd holds (a regular file of at most max bytes) to out;
 * name says which file in messages. */
static int read_fd(int fd, const char *dir, const char *name, size_t max, struct buf *out)
{
	const char *sep = dir ? "/" : "";
	struct stat st;

	dir = dir ? dir : "";
	if (fstat(fd, &st) < 0)
		return kr_err("%s%s%s: %s", dir, sep, name, fsx_strerror(errno));
	if (!S_ISREG(st.st_mode))
		return kr_err("%s%s%s: not a regular file", dir, sep, name);
	if ((size_t)st.st_size > max)
		return kr_errc(KR_ENOMEM, "%s%s%s: larger than %zu bytes", dir, sep, name, max);
	if (buf_reserve(out, (size_t)st.st_size + 1))
		return buf_err(out);
	for (;;) {
		ssize_t n;
		if (out->cap - out->len < 2 && buf_reserve(out, 4096))
			return buf_err(out);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return kr_err("%s%s%s: %s", dir, sep, name, fsx_strerror(errno));
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len > max)
			return kr_errc(KR_ENOMEM, "%s%s%s: larger than %zu bytes", dir, sep, name, max);
	}
	out->data[out->len] = '\0';
	return 0;
}

int fsx_read(const char *path, size_t max, struct buf *out)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return kr_errc(KR_ENOTFOUND, "%s: no such file", path);
		return kr_err("%s: %s", path, fsx_strerror(errno));
	}
	rc = read_fd(fd, NULL, path, max, out);
	close(fd);
	return rc;
}

/* The error of an *at call on dir/name that failed with errno. */
static int at_error(const char *what, const char *dir, const char *name)
{
	int e = errno;
	if (e == ELOOP)
		return kr_err("%s/%s is a symbolic link: refused (kairos never reads or writes "
			      "through a link in a store)", dir, name);
	if (e == ENOENT || e == ENOTDIR)
		return kr_errc(KR_ENOTFOUND, "%s/%s: no such file", dir, name);
	return kr_err("%s%s/%s: %s", what, dir, name, fsx_strerror(e));
}

int fsx_readat(int dirfd, const char *dir, const char *name, size_t max, struct buf *out)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW), rc;

	if (fd < 0)
		return at_error("", dir, name);
	rc = read_fd(fd, dir, name, max, out);
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

static int fsync_fd_dir(int dirfd, const char *dir)
{
	if (fsync(dirfd) < 0 && errno != EINVAL)
		return kr_err("fsync %s: %s", dir, fsx_strerror(errno));
	return 0;
}

int fsx_fsync_dir(const char *dir)
{
	int fd, rc;

	if ((rc = fsx_dir_open(dir, &fd)))
		return rc;
	rc = fsync_fd_dir(fd, dir);
	close(fd);
	return rc;
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

/* A fresh temporary name for base (FSX_TMP_PREFIX, so that a store
 * removes what a killed writer left), malloc'd. */
static char *tmp_name(const char *base)
{
	static atomic_uint counter;
	size_t n = strlen(base) + 64;
	char *tmp = xmalloc(n);

	snprintf(tmp, n, FSX_TMP_PREFIX "%s.%ld.%u", base, (long)getpid(),
		 atomic_fetch_add(&counter, 1));
	return tmp;
}

/* A fresh temporary name beside path; *dir gets path's directory. */
static char *tmp_beside(const char *path, char **dir)
{
	const char *base = strrchr(path, '/');
	char *t = tmp_name(base ? base + 1 : path), *full;
	size_t n;

	*dir = fsx_dirname(path);
	n = strlen(*dir) + strlen(t) + 2;
	full = xmalloc(n);
	snprintf(full, n, "%s/%s", *dir, t);
	free(t);
	return full;
}

/* Replaces name in dirfd (dir: its path, for messages) with data: a
 * temporary file beside it, written whole and fsynced, renamed over it,
 * the directory fsynced. mode < 0: created 0644 under the umask; else
 * exactly mode. With no_link, a symbolic link at name is refused. */
static int replace_at(int dirfd, const char *dir, const char *name, const void *data, size_t len,
		      int mode, bool no_link)
{
	char *tmp = tmp_name(name);
	struct stat st;
	int fd, rc = 0;

	if (no_link && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		rc = at_error("", dir, name);
		goto out;
	}
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		    mode < 0 ? 0644 : 0600);
	if (fd < 0) {
		rc = kr_err("%s/%s: %s", dir, tmp, fsx_strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) < 0 || (mode >= 0 && fchmod(fd, (mode_t)mode) < 0) ||
	    fsync(fd) < 0) {
		rc = kr_err("writing %s/%s: %s", dir, tmp, fsx_strerror(errno));
		close(fd);
		goto out_unlink;
	}
	if (close(fd) < 0) {
		rc = kr_err("writing %s/%s: %s", dir, tmp, fsx_strerror(errno));
		goto out_unlink;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		rc = kr_err("rename to %s/%s: %s", dir, name, fsx_strerror(errno));
		goto out_unlink;
	}
	rc = fsync_fd_dir(dirfd, dir);
	goto out;
out_unlink:
	unlinkat(dirfd, tmp, 0);
out:
	free(tmp);
	return rc;
}

static int replace_file(const char *path, const void *data, size_t len, int mode)
{
	const char *base = strrchr(path, '/');
	char *dir = fsx_dirname(path);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (dfd < 0) {
		rc = kr_err("%s: %s", dir, fsx_strerror(errno));
		free(dir);
		return rc;
	}
	rc = replace_at(dfd, dir, base ? base + 1 : path, data, len, mode, false);
	close(dfd);
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

int fsx_write_atomicat(int dirfd, const char *dir, const char *name, const void *data, size_t len)
{
	return replace_at(dirfd, dir, name, data, len, -1, true);
}

int fsx_keepat(int dirfd, const char *dir, const char *name, char **backup)
{
	*backup = NULL;
	for (int tries = 0;; tries++) {
		char *t = tmp_name(name);
		if (linkat(dirfd, name, dirfd, t, 0) == 0) {
			*backup = t;
			return 0;
		}
		free(t);
		if (errno != EEXIST || tries > 10)
			return at_error("keeping a copy of ", dir, name);
	}
}

int fsx_dir_open(const char *path, int *fd_out)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return kr_errc(KR_ENOTFOUND, "%s: no such directory", path);
		return kr_err("%s: %s", path, fsx_strerror(errno));
	}
	*fd_out = fd;
	return 0;
}

int fsx_dir_openat(int dirfd, const char *dir, const char *name, bool create, mode_t mode,
		   int *fd_out)
{
	int fd;

	for (int tries = 0;; tries++) {
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			break;
		if (errno == ENOTDIR) {
			struct stat st;
			if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				errno = ELOOP;
		}
		if (errno != ENOENT || !create || tries > 2)
			return at_error("", dir, name);
		if (mkdirat(dirfd, name, mode) < 0 && errno != EEXIST)
			return at_error("mkdir ", dir, name);
	}
	*fd_out = fd;
	return 0;
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
			rc = kr_err("mkdir %s: %s", p, fsx_strerror(errno));
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
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			return kr_err("%s is a symbolic link: refused (kairos never takes a lock "
				      "through a link)", lock_path);
		return kr_err("%s: %s", lock_path, fsx_strerror(errno));
	}
	while (flock(fd, (shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR)
			continue;
		int e = errno;
		close(fd);
		if (e == EWOULDBLOCK)
			return kr_errc(KR_EBUSY, "%s is held by another process", lock_path);
		return kr_err("lock %s: %s", lock_path, fsx_strerror(e));
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
