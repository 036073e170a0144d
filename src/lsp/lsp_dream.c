/* lsp_dream: dreams seen from the editor (lsp_dream.h). */
#include "lsp_dream.h"
#include "lsp_progress.h"
#include "lsp_stores.h"
#include "kairos/err.h"
#include "kairos/spawn.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lsp_dream {
	struct child child;
	bool running, cancelled, dry_run;
	bool progress_lazy; /* begin the progress only once the gates passed */
	uint64_t failed_ms; /* when a dream last could not run (0: never) */
	struct buf out, err, prog;
	struct lsp_progress progress;
	char **waiters; /* deferred kairos.dream requests */
	size_t nwaiters;
};

static void on_idle(struct lsp_session *s, const struct lsp_event_data *e, void *ud);

void lsp_dream_init(struct lsp_session *s)
{
	struct lsp_dream *d = xcalloc(1, sizeof(*d));
	d->child.pid = 0;
	buf_init(&d->out, BUF_CAP_LISTING);  /* the report */
	buf_init(&d->err, BUF_CAP_MEMFILE);  /* its newest stderr lines */
	buf_init(&d->prog, BUF_CAP_LINE);    /* one progress line at a time */
	s->feat.dream = d;
	lsp_session_on(s, LSP_EVENT_IDLE, on_idle, NULL);
}

void lsp_dream_dispose(struct lsp_session *s)
{
	struct lsp_dream *d = s->feat.dream;
	if (!d)
		return;
	if (d->running) {
		loop_fd_del(s->loop, d->child.out);
		loop_fd_del(s->loop, d->child.err);
		loop_fd_del(s->loop, d->child.extra);
		kill(d->child.pid, SIGTERM);
		spawn_finish(&d->child, true);
	}
	buf_dispose(&d->out);
	buf_dispose(&d->err);
	buf_dispose(&d->prog);
	free(d->waiters);
	free(d);
	s->feat.dream = NULL;
}

/* One line of progress from the child: {"phase": ..., "percentage": N,
 * "message": ...}; anything else is ignored. */
static void progress_line(struct lsp_session *s, struct lsp_dream *d, const char *line, size_t n)
{
	struct json j;
	if (json_parse(&j, line, n) == 0) {
		char *msg = json_get_str(&j, 0, "message");
		char *phase = json_get_str(&j, 0, "phase");
		int pct = (int)json_get_int(&j, 0, "percentage", -1);
		/* an idle report arrives often: a dream its gates hold back
		 * (orient, then done) shows no progress at all */
		if (d->progress_lazy && phase && strcmp(phase, "orient") && strcmp(phase, "done")) {
			d->progress_lazy = false;
			lsp_progress_begin(s, &d->progress, "kairos: dreaming", true);
		}
		lsp_progress_report(s, &d->progress, msg ? msg : phase ? phase : "dreaming", pct);
		free(msg);
		free(phase);
	}
	json_dispose(&j);
}

/* Appends what the child wrote. The report is kept whole or fails (and
 * then says so); stderr keeps its newest part, where the reason is; a
 * progress line longer than its buffer is dropped. */
static void take(struct lsp_dream *d, struct buf *b, const char *p, size_t n)
{
	if (b == &d->err && buf_room(b) < n) {
		size_t drop = b->len / 2 + (n < b->max ? n : b->max);
		buf_consume(b, drop < b->len ? drop : b->len);
		if (n > buf_room(b)) {
			p += n - buf_room(b);
			n = buf_room(b);
		}
	}
	buf_append(b, p, n);
	if (b == &d->prog && buf_err(b))
		buf_reset(b);
}

static void drain(struct lsp_dream *d, int fd, struct buf *b)
{
	char chunk[8192];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof(chunk))) > 0)
		take(d, b, chunk, (size_t)r);
}

static void summary(struct buf *out, const struct json *j)
{
	static const struct {
		const char *key, *one, *many;
	} parts[] = {
		{"merged", "merged %lld", "merged %lld"},
		{"contradictions", "resolved %lld contradiction", "resolved %lld contradictions"},
		{"pruned", "retired %lld stale memory", "retired %lld stale memories"},
		{"datesFixed", "fixed %lld date", "fixed %lld dates"},
		{"promoted", "promoted %lld observation", "promoted %lld observations"},
	};
	bool any = false;
	buf_puts(out, "kairos dreamed:");
	for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
		long long v = json_get_int(j, 0, parts[i].key, 0);
		if (v <= 0)
			continue;
		buf_puts(out, any ? ", " : " ");
		buf_printf(out, v == 1 ? parts[i].one : parts[i].many, v);
		any = true;
	}
	if (!any)
		buf_puts(out, " tidied the index");
}

static void finish(struct lsp_session *s, struct lsp_dream *d)
{
	int status;
	struct json j;
	const char *errline;
	bool ok, changed = false;

	loop_fd_del(s->loop, d->child.out);
	loop_fd_del(s->loop, d->child.err);
	loop_fd_del(s->loop, d->child.extra);
	drain(d, d->child.out, &d->out);
	drain(d, d->child.err, &d->err);
	status = spawn_finish(&d->child, true);
	d->running = false;

	ok = status == 0 && !buf_err(&d->out) && json_parse(&j, buf_cstr(&d->out), d->out.len) == 0 &&
	     json_type(&j, 0) == JSON_OBJECT;
	/* the last non-empty stderr line says why a dream could not run */
	errline = buf_cstr(&d->err);
	if (d->err.len) {
		size_t e = d->err.len;
		while (e > 0 && d->err.data[e - 1] == '\n')
			e--;
		d->err.data[e] = '\0';
		const char *nl = strrchr(d->err.data, '\n');
		/* invalid memory files are reported one line each: pass them on */
		for (char *p = d->err.data, *q; p && *p; p = q) {
			q = strchr(p, '\n');
			if (q)
				*q++ = '\0';
			if (*p)
				lsp_session_log(s, ok ? LSP_MSG_WARNING : LSP_MSG_ERROR, "dream: %s", p);
		}
		errline = nl ? nl + 1 : d->err.data;
	}
	if (status == 0 && buf_err(&d->out))
		errline = "its report was larger than kairos reads";
	if (ok) {
		d->failed_ms = 0;
		changed = json_get_bool(&j, 0, "changed", false);
		lsp_progress_end(s, &d->progress, changed ? "memory consolidated" : "nothing to change");
		lsp_session_log(s, LSP_MSG_LOG, "dream report: %.*s", (int)d->out.len, d->out.data);
		for (size_t i = 0; i < d->nwaiters; i++)
			lsp_session_finish(s, d->waiters[i], d->out.data, d->out.len, 0, NULL);
		if (changed && !d->dry_run) {
			struct buf msg = BUF_INIT_CAP(BUF_CAP_LINE);
			summary(&msg, &j);
			lsp_session_show(s, LSP_MSG_INFO, "%s", buf_cstr(&msg));
			buf_dispose(&msg);
			lsp_stores_changed(s);
		}
	} else {
		char msg[600];
		if (d->cancelled)
			snprintf(msg, sizeof(msg), "the dream was cancelled");
		else
			snprintf(msg, sizeof(msg), "the dream could not run: %s",
				 *errline ? errline : "kairos dream failed");
		lsp_progress_end(s, &d->progress, msg);
		for (size_t i = 0; i < d->nwaiters; i++)
			lsp_session_finish(s, d->waiters[i], NULL, 0,
					       d->cancelled ? RPC_REQUEST_CANCELLED : RPC_REQUEST_FAILED,
					       msg);
		if (!d->cancelled && !d->nwaiters)
			lsp_session_log(s, LSP_MSG_WARNING, "%s", msg);
		if (!d->cancelled)
			d->failed_ms = loop_now_ms();
	}
	if (ok || status == 0)
		json_dispose(&j);
	d->nwaiters = 0;
	buf_reset(&d->out);
	buf_reset(&d->err);
	buf_reset(&d->prog);
}

static void on_child_fd(struct loop *l, int fd, short revents, void *ud)
{
	struct lsp_session *s = ud;
	struct lsp_dream *d = s->feat.dream;
	char chunk[8192];
	ssize_t r = read(fd, chunk, sizeof(chunk));

	if (r > 0) {
		struct buf *b = fd == d->child.out ? &d->out : fd == d->child.err ? &d->err : &d->prog;
		take(d, b, chunk, (size_t)r);
		if (b == &d->prog) {
			char *nl;
			while (d->prog.len && (nl = memchr(d->prog.data, '\n', d->prog.len))) {
				progress_line(s, d, d->prog.data, (size_t)(nl - d->prog.data));
				buf_consume(&d->prog, (size_t)(nl - d->prog.data) + 1);
			}
		}
		return;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* end of one stream; the dream is over when stdout closes */
	loop_fd_del(l, fd);
	if (fd == d->child.out)
		finish(s, d);
}

/* The `llm` configuration for the dream child (it reads the key from the
 * environment it inherits; the key itself is never on a command line). */
static char *llm_json(const struct model_config *c)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "provider", model_provider_name(c->provider));
	jw_kstr(&w, "endpoint", c->endpoint ? c->endpoint : "");
	jw_kstr(&w, "model", c->model ? c->model : "");
	jw_kstr(&w, "apiKeyEnv", c->api_key_env ? c->api_key_env : "");
	jw_kint(&w, "timeoutMs", c->timeout_ms);
	jw_kint(&w, "dailyBudget", c->daily_budget);
	jw_kint(&w, "maxAttempts", c->max_attempts);
	jw_kint(&w, "maxTokens", c->max_tokens);
	jw_end(&w);
	if (buf_err(&b)) {
		buf_dispose(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static int start(struct lsp_session *s, bool force, bool dry_run, const char *waiter)
{
	struct lsp_dream *d = s->feat.dream;
	char *self, *argv[24], hours[32], signals[32], *llm = NULL;
	int argc = 0, rc;

	if (d->running) {
		if (waiter) {
			d->waiters = xrealloc(d->waiters, (d->nwaiters + 1) * sizeof(*d->waiters));
			d->waiters[d->nwaiters++] = (char *)waiter;
		}
		return 0;
	}
	self = spawn_self_path();
	argv[argc++] = self;
	argv[argc++] = "dream";
	argv[argc++] = "--json";
	argv[argc++] = "--progress-fd";
	argv[argc++] = "3";
	argv[argc++] = "--workspace";
	argv[argc++] = s->root;
	if (s->cfg.memory_dir && *s->cfg.memory_dir) {
		argv[argc++] = "--memory-dir";
		argv[argc++] = s->cfg.memory_dir;
	}
	snprintf(hours, sizeof(hours), "%g", s->cfg.dream_min_hours);
	snprintf(signals, sizeof(signals), "%d", s->cfg.dream_min_signals);
	argv[argc++] = "--min-hours";
	argv[argc++] = hours;
	argv[argc++] = "--min-signals";
	argv[argc++] = signals;
	if (s->cfg.llm.provider != MODEL_PROVIDER_NONE) {
		if (!(llm = llm_json(&s->cfg.llm))) {
			free(self);
			return kr_err("the llm configuration is too long to pass to a dream");
		}
		argv[argc++] = "--llm";
		argv[argc++] = llm;
	}
	if (force)
		argv[argc++] = "--force";
	if (dry_run)
		argv[argc++] = "--dry-run";
	argv[argc] = NULL;
	rc = spawn_start(&d->child, argv, SPAWN_STDOUT | SPAWN_STDERR | SPAWN_FD3);
	free(self);
	free(llm);
	if (rc)
		return rc;
	d->running = true;
	d->cancelled = false;
	d->dry_run = dry_run;
	if (waiter) {
		d->waiters = xrealloc(d->waiters, (d->nwaiters + 1) * sizeof(*d->waiters));
		d->waiters[d->nwaiters++] = (char *)waiter;
	}
	loop_fd_add(s->loop, d->child.out, POLLIN, on_child_fd, s);
	loop_fd_add(s->loop, d->child.err, POLLIN, on_child_fd, s);
	loop_fd_add(s->loop, d->child.extra, POLLIN, on_child_fd, s);
	/* asked for: progress at once; on idle: once the gates passed */
	d->progress_lazy = !waiter && !force;
	if (!d->progress_lazy)
		lsp_progress_begin(s, &d->progress, dry_run ? "kairos: dreaming (dry run)" : "kairos: dreaming",
			       true);
	return 0;
}

/* A dream that could not run is not retried on every idle report: an
 * editor reporting idleness each pause would otherwise start one failing
 * dream after another. */
static bool backing_off(struct lsp_session *s)
{
	struct lsp_dream *d = s->feat.dream;
	return d->failed_ms && loop_now_ms() - d->failed_ms < 60000;
}

/* The person is idle: a dream, when its gates pass (the child checks them). */
static void on_idle(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	struct lsp_dream *d = s->feat.dream;
	if (d->running || backing_off(s) || s->got_shutdown)
		return;
	if (start(s, false, false, NULL))
		lsp_session_log(s, LSP_MSG_WARNING, "cannot start a dream: %s", kr_errmsg());
}

/* window/workDoneProgress/cancel {token} */
void lsp_dream_progress_cancel(struct lsp_session *s, struct rpc_msg *m)
{
	struct lsp_dream *d = s->feat.dream;
	char *token = json_get_str(&m->j, m->params, "token");
	if (token && d->running && d->progress.active && !strcmp(token, d->progress.token)) {
		d->cancelled = true;
		kill(d->child.pid, SIGTERM);
	}
	free(token);
}

/* kairos.dream {force?, dryRun?}: the report, when the dream is over. */
int lsp_dream_command(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		      const char **err)
{
	bool force = json_get_bool(&m->j, args, "force", false);
	bool dry = json_get_bool(&m->j, args, "dryRun", false);
	char *handle = lsp_session_defer(s, m);
	if (start(s, force, dry, handle)) {
		lsp_session_finish(s, handle, NULL, 0, RPC_REQUEST_FAILED, kr_errmsg());
		return LSP_DEFERRED;
	}
	return LSP_DEFERRED;
}
