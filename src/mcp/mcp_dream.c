/* mcp_dream: memory_dream (protocol/mcp.md "memory_dream"). The dream
 * runs as the language server runs it, as a `kairos dream --json` child:
 * the same gates, lock and report as every other dream; this process
 * stays small (libgit2 and the dream's working set live and die in the
 * child) and keeps answering while the dream runs. One at a time. */
#include "mcp.h"
#include "kairos/err.h"
#include "kairos/rpc_write.h"
#include "kairos/spawn.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mcp_dream {
	struct child child;
	bool running, cancelled, dry_run;
	char *id; /* the call's id (raw JSON) */
	size_t id_len;
	struct buf report; /* the child's stdout */
	struct buf log;    /* its stderr, the newest part */
};

void mcp_dream_init(struct mcp *m)
{
	struct mcp_dream *d = xcalloc(1, sizeof(*d));
	buf_init(&d->report, BUF_CAP_LISTING);
	buf_init(&d->log, BUF_CAP_LINE);
	m->dream = d;
}

static void stop_watching(struct mcp *m, struct mcp_dream *d)
{
	loop_fd_del(m->loop, d->child.out);
	loop_fd_del(m->loop, d->child.err);
}

void mcp_dream_dispose(struct mcp *m)
{
	struct mcp_dream *d = m->dream;
	if (!d)
		return;
	if (d->running) {
		stop_watching(m, d);
		kill(d->child.pid, SIGTERM); /* a dream cancelled writes nothing */
		spawn_finish(&d->child, true);
	}
	buf_dispose(&d->report);
	buf_dispose(&d->log);
	free(d->id);
	free(d);
	m->dream = NULL;
}

bool mcp_dream_running(const struct mcp *m)
{
	return m->dream && m->dream->running;
}

/* The last line the child wrote on stderr: why it could not dream. */
static const char *last_line(struct buf *log)
{
	char *s, *nl;
	if (!log->len)
		return "kairos dream failed";
	s = log->data;
	while (log->len && s[log->len - 1] == '\n')
		s[--log->len] = '\0';
	nl = strrchr(s, '\n');
	return nl ? nl + 1 : s;
}

static void reply(struct mcp *m, struct mcp_dream *d, const char *text, size_t n, bool is_error)
{
	struct buf res = BUF_INIT_CAP(RPC_WRITE_CAP);
	struct jw w;
	jw_init(&w, &res);
	mcp_tools_result(m, &w, text, n, is_error);
	if (buf_err(&res))
		mcp_reply_error(m, d->id, d->id_len, RPC_INTERNAL_ERROR, "the report could not be sent");
	else
		mcp_reply_result(m, d->id, d->id_len, res.data, res.len);
	buf_dispose(&res);
}

static void finish(struct mcp *m, struct mcp_dream *d)
{
	char chunk[4096];
	ssize_t r;
	int status;
	struct json j = {0};
	bool ok;

	stop_watching(m, d);
	while ((r = read(d->child.out, chunk, sizeof(chunk))) > 0)
		buf_append(&d->report, chunk, (size_t)r);
	status = spawn_finish(&d->child, true);
	d->running = false;
	/* one line of JSON and its newline: the newline is not the report's */
	while (d->report.len && strchr(" \t\r\n", d->report.data[d->report.len - 1]))
		buf_truncate(&d->report, d->report.len - 1);
	ok = status == 0 && !buf_err(&d->report) &&
	     json_parse(&j, buf_cstr(&d->report), d->report.len) == 0 && json_type(&j, 0) == JSON_OBJECT;
	if (d->cancelled) {
		/* a cancelled request gets no answer */
	} else if (ok) {
		reply(m, d, d->report.data, d->report.len, false);
		if (!d->dry_run && json_get_bool(&j, 0, "changed", false) && mcp_stores_changed(m))
			fprintf(stderr, "kairos mcp: cannot reload the memory: %s\n", kr_errmsg());
	} else {
		struct buf msg = BUF_INIT_CAP(BUF_CAP_LINE);
		buf_printf(&msg, "memory_dream: the dream could not run: %.2000s",
			   status == 0 && buf_err(&d->report) ? "its report was larger than kairos reads"
							      : last_line(&d->log));
		reply(m, d, buf_cstr(&msg), msg.len, true);
		buf_dispose(&msg);
	}
	json_dispose(&j);
	buf_reset(&d->report);
	buf_reset(&d->log);
	free(d->id);
	d->id = NULL;
	if (m->ending)
		loop_stop(m->loop, 0);
}

static void on_child(struct loop *l, int fd, short revents, void *ud)
{
	struct mcp *m = ud;
	struct mcp_dream *d = m->dream;
	char chunk[8192];
	ssize_t r = read(fd, chunk, sizeof(chunk));

	if (r > 0) {
		if (fd == d->child.out) {
			buf_append(&d->report, chunk, (size_t)r); /* too large: said at the end */
		} else if (buf_append(&d->log, chunk, (size_t)r)) {
			buf_reset(&d->log); /* keep the newest lines: the reason is last */
			buf_append(&d->log, chunk, (size_t)r);
		}
		return;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	loop_fd_del(l, fd);
	if (fd == d->child.out)
		finish(m, d); /* the dream is over when its stdout closes */
}

int mcp_dream_start(struct mcp *m, const char *id, size_t id_len, bool dry_run, bool force)
{
	struct mcp_dream *d = m->dream;
	char *argv[12], *self;
	int argc = 0, rc;

	if (d->running)
		return kr_errc(KR_EBUSY, "a dream asked for by this agent is still running");
	self = spawn_self_path();
	argv[argc++] = self;
	argv[argc++] = "dream";
	argv[argc++] = "--json";
	argv[argc++] = "--workspace";
	argv[argc++] = m->set.workspace;
	if (m->memory_dir) {
		argv[argc++] = "--memory-dir";
		argv[argc++] = m->memory_dir;
	}
	if (dry_run)
		argv[argc++] = "--dry-run";
	if (force)
		argv[argc++] = "--force";
	argv[argc] = NULL;
	rc = spawn_start(&d->child, argv, SPAWN_STDOUT | SPAWN_STDERR);
	free(self);
	if (rc)
		return rc;
	d->running = true;
	d->cancelled = false;
	d->dry_run = dry_run;
	d->id = xstrndup(id, id_len);
	d->id_len = id_len;
	loop_fd_add(m->loop, d->child.out, POLLIN, on_child, m);
	loop_fd_add(m->loop, d->child.err, POLLIN, on_child, m);
	return 0;
}

void mcp_dream_cancel(struct mcp *m, const char *id, size_t id_len)
{
	struct mcp_dream *d = m->dream;
	if (d->running && d->id && d->id_len == id_len && !memcmp(d->id, id, id_len)) {
		d->cancelled = true;
		kill(d->child.pid, SIGTERM);
	}
}
