/* proxy_child: the proxied language server as a process: started on two
 * pipes (its stderr is kairos's), written to through a capped queue,
 * read as framed messages, reaped. What its messages mean and what a
 * crash means are the callers' (p->on_message, p->on_gone). */
#include "proxy_int.h"
#include "kairos/err.h"
#include "kairos/rpc_write.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

bool proxy_child_up(const struct proxy *p)
{
	return p->pid > 0 && !p->starting;
}

static void on_child_out_error(void *ud, const char *why)
{
	struct proxy *p = ud;
	p->on_gone(p, "its input closed");
}

void proxy_child_send(struct proxy *p, const char *body, size_t len)
{
	if (p->pid > 0)
		rpc_out_send(&p->out, body, len);
}

/* Sends a request of kairos's own to the child; returns its key. */
char *proxy_child_request(struct proxy *p, const char *method, const char *params)
{
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	long long n = ++p->next_own;
	char id[40], key[48];
	int idn = snprintf(id, sizeof(id), "\"kairos:%lld\"", n);

	if (rpc_write_request(&b, id, (size_t)idn, method, params ? params : "null",
			      params ? strlen(params) : STRLEN_LIT("null")) == 0)
		proxy_child_send(p, b.data, b.len);
	buf_dispose(&b);
	snprintf(key, sizeof(key), OWN_KEY "%lld", n);
	return xstrdup(key);
}

void proxy_child_notify(struct proxy *p, const char *method, const char *params, size_t n)
{
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	if (rpc_write_notification(&b, method, params, n) == 0)
		proxy_child_send(p, b.data, b.len);
	buf_dispose(&b);
}

static void reader_log(void *ud, const char *msg)
{
	struct proxy *p = ud;
	fprintf(stderr, "kairos: from %s: %s\n", p->name, msg);
}

static void on_child_readable(struct loop *l, int fd, short revents, void *ud)
{
	struct proxy *p = ud;
	const char *body;
	size_t len;
	int r = RPC_NEED_MORE;
	pid_t pid = p->pid;

	switch (rpc_reader_read(&p->rd, fd)) {
	case RPC_READ_AGAIN:
		return;
	case RPC_READ_END:
		p->on_gone(p, NULL);
		return;
	case RPC_READ_FAIL:
		p->on_gone(p, "its output could not be read");
		return;
	case RPC_READ_BYTES:
		break;
	}
	while (p->pid == pid && (r = rpc_reader_next(&p->rd, &body, &len)) == RPC_MESSAGE)
		p->on_message(p, body, len);
	if (p->pid == pid && r == RPC_FATAL) {
		fprintf(stderr, "kairos: %s: %s\n", p->name, kr_errmsg());
		p->on_gone(p, "its output can no longer be trusted");
	}
}

int proxy_child_spawn(struct proxy *p)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
	int e = 0;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		e = errno;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		goto fail;
	}
	if (pid == 0) {
		/* the child: stdin and stdout on the pipes, stderr shared */
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(127);
		execvp(p->argv[0], p->argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	while (read(err[0], &e, sizeof(e)) < 0 && errno == EINTR)
		;
	close(err[0]);
	if (e) {
		close(in[1]);
		close(out[0]);
		waitpid(pid, NULL, 0);
		return kr_err("cannot run %s: %s", p->argv[0], strerror(e));
	}
	p->pid = pid;
	p->to_fd = in[1];
	p->from_fd = out[0];
	rpc_out_init(&p->out, p->host.loop, p->to_fd, RPC_OUT_HEADERS, OUTQ_MAX, on_child_out_error, p);
	set_nonblock(p->from_fd);
	rpc_reader_dispose(&p->rd);
	rpc_reader_init(&p->rd, 0);
	p->rd.log = reader_log;
	p->rd.log_ud = p;
	loop_fd_add(p->host.loop, p->from_fd, POLLIN, on_child_readable, p);
	return 0;
fail:
	for (int k = 0; k < 2; k++) {
		if (in[k] >= 0)
			close(in[k]);
		if (out[k] >= 0)
			close(out[k]);
		if (err[k] >= 0)
			close(err[k]);
	}
	return kr_err("cannot start %s: %s", p->argv[0], strerror(e));
}

static void describe_status(char *out, size_t n, int st)
{
	if (WIFEXITED(st))
		snprintf(out, n, "exit status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(out, n, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(out, n, "status %d", st);
}

/* Stops watching and reaps the child (killing it if it still runs). */
void proxy_child_reap(struct proxy *p, char *status, size_t n)
{
	int st = 0;
	pid_t r;

	loop_fd_del(p->host.loop, p->from_fd);
	rpc_out_dispose(&p->out);
	close(p->from_fd);
	close(p->to_fd);
	p->from_fd = p->to_fd = -1;
	r = waitpid(p->pid, &st, WNOHANG);
	if (r == 0) {
		/* output closed but alive: give it a moment, then kill it */
		for (int k = 0; k < 20 && r == 0; k++) {
			struct timespec ts = {0, 5 * 1000000};
			nanosleep(&ts, NULL);
			r = waitpid(p->pid, &st, WNOHANG);
		}
		if (r == 0) {
			kill(p->pid, SIGKILL);
			r = waitpid(p->pid, &st, 0);
		}
	}
	if (r > 0)
		describe_status(status, n, st);
	else
		snprintf(status, n, "gone");
	p->pid = 0;
}

static void wait_child(struct proxy *p)
{
	uint64_t until = loop_now_ms() + 1000;
	int st;
	pid_t r = 0;

	while ((r = waitpid(p->pid, &st, WNOHANG)) == 0 && loop_now_ms() < until) {
		struct timespec ts = {0, 5 * 1000000};
		nanosleep(&ts, NULL);
	}
	if (r == 0) {
		kill(p->pid, SIGTERM);
		until = loop_now_ms() + 500;
		while ((r = waitpid(p->pid, &st, WNOHANG)) == 0 && loop_now_ms() < until) {
			struct timespec ts = {0, 5 * 1000000};
			nanosleep(&ts, NULL);
		}
		if (r == 0) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &st, 0);
		}
	}
	p->pid = 0;
}

void proxy_child_stop(struct proxy *p)
{
	if (p->pid > 0)
		rpc_out_drain(&p->out, 500);
	if (p->pid > 0) {
		loop_fd_del(p->host.loop, p->from_fd);
		rpc_out_dispose(&p->out);
		close(p->to_fd);
		close(p->from_fd);
		wait_child(p);
	}
	rpc_reader_dispose(&p->rd);
	rpc_out_dispose(&p->out);
}
