/* Unit tests for fsx: atomic replace (content replaced whole, no temporary
 * file left behind, with a mode, of a symlink), capped reads, mkdir -p,
 * and the lock between two processes. */
#include "check.h"
#include "testfs.h"

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/loop.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int ndir;

/* A fresh directory under the test root. */
static const char *new_dir(void)
{
	static char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/fsx%d", testfs_root, ++ndir);
	tmkdirs(dir);
	return dir;
}

/* Files in dir whose name starts with the temporary prefix. */
static int temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, FSX_TMP_PREFIX, STRLEN_LIT(FSX_TMP_PREFIX));
	closedir(d);
	return n;
}

/* The exit status of a child that ran fn, or -1. */
static int in_child(int (*fn)(const void *), const void *arg)
{
	int st;
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(atomic_write_replaces_the_content)
{
	const char *dir = new_dir(), *path = tpath("%s/f.md", dir);
	struct stat st;
	char got[8] = {0};
	int fd;

	CHECK_INT(fsx_write_atomic(path, "old", 3), 0);
	CHECK(tsame(path, "old", 3));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	/* a reader that opened the old file keeps reading it whole */
	fd = open(path, O_RDONLY);
	CHECK_INT(fsx_write_atomic(path, "new content", 11), 0);
	CHECK(tsame(path, "new content", 11));
	CHECK_INT(read(fd, got, sizeof(got) - 1), 3);
	CHECK_STR(got, "old");
	close(fd);
	CHECK_INT(fsx_write_atomic(path, "", 0), 0);
	CHECK(tsame(path, "", 0));
	CHECK_INT(temp_files(dir), 0);
}

struct target {
	const char *dir, *path;
};

static int write_into_read_only(const void *arg)
{
	const struct target *t = arg;
	if (geteuid() == 0 && setuid(65534) != 0) /* root writes anywhere: be nobody */
		return 10;
	if (fsx_write_atomic(t->path, "new", 3) == 0)
		return 11;
	if (!strstr(kr_errmsg(), "Permission denied") || !strstr(kr_errmsg(), t->dir))
		return 12;
	return 0;
}

TEST(a_read_only_directory_fails_readably_and_leaves_nothing)
{
	const char *dir = new_dir();
	struct target t = {dir, tpath("%s/f.md", dir)};

	twrite(t.path, "old", 3);
	chmod(testfs_root, 0711);
	chmod(dir, 0555);
	CHECK_INT(in_child(write_into_read_only, &t), 0);
	chmod(dir, 0755);
	chmod(testfs_root, 0700);
	CHECK(tsame(t.path, "old", 3));
	CHECK_INT(temp_files(dir), 0);
}

TEST(a_failed_rename_leaves_no_temporary_file)
{
	const char *dir = new_dir(), *path = tpath("%s/taken", dir);
	tmkdirs(tpath("%s/inside", path)); /* a directory with something in it */
	CHECK_INT(fsx_write_atomic(path, "x", 1), KR_ERR);
	CHECK(strstr(kr_errmsg(), "rename to") != NULL && strstr(kr_errmsg(), path) != NULL);
	CHECK_INT(temp_files(dir), 0);
	CHECK_INT(fsx_write_atomic(tpath("%s/no/such/dir/f", dir), "x", 1), KR_ERR);
	CHECK(strstr(kr_errmsg(), "No such file") != NULL);
}

TEST(read_is_capped)
{
	const char *dir = new_dir(), *path = tpath("%s/hundred", dir);
	char data[100];
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);

	memset(data, 'x', sizeof(data));
	twrite(path, data, sizeof(data));
	CHECK_INT(fsx_read(path, 100, &b), 0);
	CHECK_INT(b.len, 100);
	CHECK(!memcmp(b.data, data, 100) && b.data[100] == '\0');
	buf_reset(&b);
	CHECK_INT(fsx_read(path, 99, &b), KR_ENOMEM);
	CHECK(strstr(kr_errmsg(), "larger than 99 bytes") != NULL);
	buf_reset(&b);

	/* it appends */
	buf_puts(&b, "head:");
	CHECK_INT(fsx_read(path, 1000, &b), 0);
	CHECK_INT(b.len, 105);
	CHECK(!strncmp(b.data, "head:xxx", 8));
	buf_dispose(&b);

	/* the buffer's own cap holds too, and its error sticks; fsx_read
	 * reserves one byte past the file to see its end, so a buffer for
	 * fsx_read(path, max) is capped at max + 1 */
	struct buf small = BUF_INIT_CAP(100), enough = BUF_INIT_CAP(101);
	CHECK_INT(fsx_read(path, 1000, &small), KR_ENOMEM);
	CHECK_INT(buf_err(&small), KR_ENOMEM);
	CHECK_INT(fsx_read(path, 100, &enough), 0);
	CHECK_INT(enough.len, 100);
	buf_dispose(&small);
	buf_dispose(&enough);

	CHECK_INT(fsx_read(tpath("%s/missing", dir), 100, &b), KR_ENOTFOUND);
	CHECK_INT(fsx_read(tpath("%s/hundred/below", dir), 100, &b), KR_ENOTFOUND);
	CHECK_INT(fsx_read(dir, 100, &b), KR_ERR);
	CHECK(strstr(kr_errmsg(), "not a regular file") != NULL);
	/* a FIFO with no writer is refused, not waited on */
	const char *fifo = tpath("%s/fifo", dir);
	CHECK_INT(mkfifo(fifo, 0600), 0);
	CHECK_INT(fsx_read(fifo, 100, &b), KR_ERR);
	CHECK_INT(b.len, 0);
	buf_dispose(&b);
}

TEST(mkdirs_creates_every_level)
{
	const char *dir = new_dir(), *deep = tpath("%s/a/b/c", dir);
	struct stat st;

	CHECK_INT(fsx_mkdirs(deep, 0700), 0);
	CHECK(stat(deep, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	CHECK_INT(fsx_mkdirs(deep, 0700), 0); /* there already */
	CHECK_INT(fsx_mkdirs(tpath("%s/a/b/", dir), 0700), 0);

	twrite(tpath("%s/file", dir), "x", 1);
	CHECK_INT(fsx_mkdirs(tpath("%s/file", dir), 0700), KR_ERR);
	CHECK(strstr(kr_errmsg(), "not a directory") != NULL);
	CHECK_INT(fsx_mkdirs(tpath("%s/file/below", dir), 0700), KR_ERR);
	CHECK(strstr(kr_errmsg(), "mkdir") != NULL && strstr(kr_errmsg(), "Not a directory") != NULL);
}

TEST(dirname_and_exists)
{
	struct {
		const char *path, *dir;
	} cases[] = {{"a/b/c", "a/b"}, {"/a", "/"}, {"a", "."}, {"/x/y", "/x"}};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *d = fsx_dirname(cases[i].path);
		CHECK_STR(d, cases[i].dir);
		free(d);
	}
	const char *dir = new_dir(), *link = tpath("%s/dangling", dir);
	CHECK(!fsx_exists(link));
	CHECK_INT(symlink("nowhere", link), 0);
	CHECK(fsx_exists(link)); /* lstat: the link itself */
}

/* ---- the lock, between two processes ---- */

struct lock_try {
	const char *path;
	bool shared, wait;
};

/* 0 when the lock was taken, 1 when busy (with the right message), 2 else */
static int try_lock(const void *arg)
{
	const struct lock_try *t = arg;
	int fd, rc = fsx_lock(&fd, t->path, t->shared, t->wait);
	if (rc == 0) {
		fsx_unlock(fd);
		return 0;
	}
	return rc == KR_EBUSY && strstr(kr_errmsg(), "held by another process") ? 1 : 2;
}

TEST(lock_exclusive_and_shared_between_processes)
{
	const char *path = tpath("%s/locks/sub/store.lock", new_dir());
	struct lock_try ex = {path, false, false}, sh = {path, true, false};
	int fd;

	/* exclusive: nobody else */
	CHECK_INT(fsx_lock(&fd, path, false, false), 0); /* creates the directories */
	CHECK_INT(in_child(try_lock, &ex), 1);
	CHECK_INT(in_child(try_lock, &sh), 1);
	fsx_unlock(fd);
	CHECK_INT(in_child(try_lock, &ex), 0);

	/* shared: other readers, no writer */
	CHECK_INT(fsx_lock(&fd, path, true, false), 0);
	CHECK_INT(in_child(try_lock, &sh), 0);
	CHECK_INT(in_child(try_lock, &ex), 1);
	fsx_unlock(fd);
	fsx_unlock(-1); /* harmless */
}

TEST(a_waiting_lock_gets_it_when_released)
{
	const char *path = tpath("%s/store.lock", new_dir());
	int fd, st, sync[2];
	uint64_t t0;
	pid_t pid;

	CHECK_INT(fsx_lock(&fd, path, false, false), 0);
	CHECK_INT(pipe(sync), 0);
	pid = fork();
	if (pid == 0) {
		int cfd;
		close(sync[0]);
		close(fd);
		(void)!write(sync[1], "w", 1);
		_exit(fsx_lock(&cfd, path, false, true) == 0 ? 0 : 2);
	}
	close(sync[1]);
	{
		char c;
		CHECK_INT(read(sync[0], &c, 1), 1);
	}
	close(sync[0]);
	t0 = loop_now_ms();
	struct timespec ts = {0, 100 * 1000000L};
	nanosleep(&ts, NULL);
	CHECK_INT(waitpid(pid, &st, WNOHANG), 0); /* still waiting */
	fsx_unlock(fd);
	CHECK_INT(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(loop_now_ms() - t0 >= 100);
}

TEST(atomic_write_with_a_mode)
{
	const char *p = tpath("%s/mode/run.sh", testfs_root);
	struct stat st;
	mode_t old = umask(077);

	tmkdirs(tpath("%s/mode", testfs_root));
	CHECK_INT(fsx_write_atomic_mode(p, "#!/bin/sh\n", 10, 0755), 0);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0755); /* not masked */
	CHECK_INT(fsx_write_atomic(p, "x", 1), 0);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600); /* 0644 under the umask */
	umask(old);
}

TEST(symlink_replaced_atomically)
{
	const char *dir = tpath("%s/link", testfs_root), *p = tpath("%s/link/l", testfs_root);
	char target[64];
	ssize_t n;

	twrite(p, "a file first", (size_t)-1);
	CHECK_INT(fsx_symlink_atomic(p, "../somewhere"), 0);
	n = readlink(p, target, sizeof(target) - 1);
	CHECK_INT(n, 12);
	target[n > 0 ? n : 0] = '\0';
	CHECK_STR(target, "../somewhere");
	CHECK_INT(fsx_symlink_atomic(p, "other"), 0);
	n = readlink(p, target, sizeof(target) - 1);
	CHECK_INT(n, 5);
	CHECK_INT(temp_files(dir), 0);
}

int main(void)
{
	tsetup();
	RUN(atomic_write_replaces_the_content);
	RUN(a_read_only_directory_fails_readably_and_leaves_nothing);
	RUN(a_failed_rename_leaves_no_temporary_file);
	RUN(read_is_capped);
	RUN(mkdirs_creates_every_level);
	RUN(dirname_and_exists);
	RUN(lock_exclusive_and_shared_between_processes);
	RUN(a_waiting_lock_gets_it_when_released);
	RUN(atomic_write_with_a_mode);
	RUN(symlink_replaced_atomically);
	tcleanup();
	CHECK_MAIN_END();
}
