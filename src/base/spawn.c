/* spawn: fork/exec with pipes. */
#include "kairos/spawn.h"
#include "kairos/err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* the child's descriptors 0..3 */
enum { CHILD_FDS = 4 };

static int mkpipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC))
		return kr_err("cannot create a pipe: %s", strerror(errno));
	return 0;
}

static void close_all(int *fd, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (fd[k] >= 0) {
			close(fd[k]);
			fd[k] = -1;
		}
}

/* In the child, before exec: tells the parent why through report (whose
 * close at exec says all went well) and exits. */
static _Noreturn void child_fail(int report)
{
	int e = errno;
	(void)!write(report, &e, sizeof(e));
	_exit(127);
}

/* In the child: makes 0..3 the descriptors of want (-1 for fd 2: keep
 * it; -1 for fd 3: none) and marks every other one close-on-exec, so the
 * program gets what was asked for and nothing more, even from a parent
 * whose 0..2 were closed (its pipes then have those numbers) or from a
 * library that opened something without O_CLOEXEC. Async-signal-safe. */
static void child_setup(const int want[CHILD_FDS], int report)
{
	int moved[CHILD_FDS];

	/* first out of the way of 0..3, so no dup2 below clobbers a source */
	int r = fcntl(report, F_DUPFD_CLOEXEC, CHILD_FDS);
	if (r < 0)
		child_fail(report);
	report = r;
	for (int k = 0; k < CHILD_FDS; k++) {
		moved[k] = -1;
		if (want[k] >= 0 && (moved[k] = fcntl(want[k], F_DUPFD_CLOEXEC, CHILD_FDS)) < 0)
			child_fail(report);
	}
	for (int k = 0; k < CHILD_FDS; k++) {
		if (moved[k] >= 0 && dup2(moved[k], k) < 0)
			child_fail(report);
		if (moved[k] < 0 && k == 3)
			close(3);
	}
#ifdef CLOSE_RANGE_CLOEXEC
	if (close_range(CHILD_FDS, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	for (long fd = CHILD_FDS, max = sysconf(_SC_OPEN_MAX); fd < max && fd < 65536; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
}

/* Waits for the child's exec: 0, or the errno it failed with. */
static int exec_result(int report)
{
	int e = 0;
	ssize_t n;
	while ((n = read(report, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	return n == (ssize_t)sizeof(e) ? e : 0;
}

int spawn_start(struct child *c, char *const argv[], int flags)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, p3[2] = {-1, -1};
	int report[2] = {-1, -1}, null = -1, rc = 0, e;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->in = c->out = c->err = c->extra = -1;
	if (((flags & SPAWN_STDIN) && (rc = mkpipe(pin))) ||
	    ((flags & SPAWN_STDOUT) && (rc = mkpipe(pout))) ||
	    ((flags & SPAWN_STDERR) && (rc = mkpipe(perr))) || ((flags & SPAWN_FD3) && (rc = mkpipe(p3))) ||
	    (rc = mkpipe(report)))
		goto out_close;
	if ((~flags & (SPAWN_STDIN | SPAWN_STDOUT)) &&
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		rc = kr_err("cannot open /dev/null: %s", strerror(errno));
		goto out_close;
	}
	pid = fork();
	if (pid < 0) {
		rc = kr_err("cannot start %s: %s", argv[0], strerror(errno));
		goto out_close;
	}
	if (pid == 0) {
		int want[CHILD_FDS] = {pin[0] >= 0 ? pin[0] : null, pout[1] >= 0 ? pout[1] : null,
				       perr[1], p3[1]};
		child_setup(want, report[1]);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		child_fail(report[1]);
	}
	close(report[1]);
	report[1] = -1;
	if ((e = exec_result(report[0]))) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		rc = kr_errc(e == ENOENT || e == ENOTDIR ? KR_ENOTFOUND : KR_ERR, "cannot run %s: %s",
			     argv[0], strerror(e));
		goto out_close;
	}
	c->pid = pid;
	c->in = pin[1];
	c->out = pout[0];
	c->err = perr[0];
	c->extra = p3[0];
	pin[1] = pout[0] = perr[0] = p3[0] = -1;
	for (int *fd = (int[]){c->out, c->err, c->extra}, k = 0; k < 3; k++)
		if (fd[k] >= 0)
			fcntl(fd[k], F_SETFL, fcntl(fd[k], F_GETFL) | O_NONBLOCK);
out_close:
	/* what the child alone keeps, and everything when it did not start */
	int left[] = {pin[0], pin[1], pout[0], pout[1], perr[0], perr[1], p3[0], p3[1], report[0], report[1], null};
	close_all(left, ARRAY_LEN(left));
	return rc;
}

int spawn_finish(struct child *c, bool wait)
{
	int st = 0, mine[] = {c->in, c->out, c->err, c->extra};
	close_all(mine, ARRAY_LEN(mine));
	c->in = c->out = c->err = c->extra = -1;
	if (c->pid <= 0)
		return -1;
	if (!wait)
		kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &st, 0) < 0)
		if (errno != EINTR) {
			c->pid = 0;
			return -1;
		}
	c->pid = 0;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

char *spawn_self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return xstrdup("kairos");
	buf[n] = '\0';
	return xstrdup(buf);
}
