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

static int mkpipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC))
		return kr_err("cannot create a pipe: %s", strerror(errno));
	return 0;
}

int spawn_start(struct child *c, char *const argv[], int flags)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, p3[2] = {-1, -1};
	int rc = 0;
	pid_t pid;

	memset(c, 0, sizeof(*c));
	c->in = c->out = c->err = c->extra = -1;
	if (((flags & SPAWN_STDIN) && (rc = mkpipe(pin))) ||
	    ((flags & SPAWN_STDOUT) && (rc = mkpipe(pout))) ||
	    ((flags & SPAWN_STDERR) && (rc = mkpipe(perr))) || ((flags & SPAWN_FD3) && (rc = mkpipe(p3))))
		goto fail;
	pid = fork();
	if (pid < 0) {
		rc = kr_err("cannot start %s: %s", argv[0], strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(pin[0] >= 0 ? pin[0] : null, 0);
		dup2(pout[1] >= 0 ? pout[1] : null, 1);
		if (perr[1] >= 0)
			dup2(perr[1], 2);
		if (p3[1] >= 0)
			dup2(p3[1], 3);
		else
			close(3);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	c->pid = pid;
	c->in = pin[1];
	c->out = pout[0];
	c->err = perr[0];
	c->extra = p3[0];
	for (int *fd = (int[]){pin[0], pout[1], perr[1], p3[1]}, k = 0; k < 4; k++)
		if (fd[k] >= 0)
			close(fd[k]);
	for (int *fd = (int[]){c->out, c->err, c->extra}, k = 0; k < 3; k++)
		if (fd[k] >= 0)
			fcntl(fd[k], F_SETFL, fcntl(fd[k], F_GETFL) | O_NONBLOCK);
	return 0;
fail:
	for (int *fd = (int[]){pin[0], pin[1], pout[0], pout[1], perr[0], perr[1], p3[0], p3[1]}, k = 0;
	     k < 8; k++)
		if (fd[k] >= 0)
			close(fd[k]);
	return rc;
}

int spawn_finish(struct child *c, bool wait)
{
	int st = 0;
	for (int *fd = (int[]){c->in, c->out, c->err, c->extra}, k = 0; k < 4; k++)
		if (fd[k] >= 0)
			close(fd[k]);
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
