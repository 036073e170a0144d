/* server: kairos lsp. Owns the event loop, reads framed messages from
 * stdin, dispatches them from tables, writes replies to stdout, and runs
 * the lifecycle (initialize, initialized, shutdown, exit). Nothing but
 * protocol is ever written to stdout. */
#include "kairos/server.h"
#include "kairos/version.h"
#include "kairos/err.h"
#include "lsp.h"
#include "kairos/paths.h"
#include "kairos/proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- output ---- */

static void write_all(struct server *s, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(s->out_fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = {s->out_fd, POLLOUT, 0};
				poll(&pfd, 1, 1000);
				continue;
			}
			/* the client is gone: nobody to serve */
			fprintf(stderr, "kairos: cannot write to the client: %s\n", strerror(errno));
			_exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

void server_send_raw(struct server *s, const char *body, size_t len)
{
	struct buf out = BUF_INIT;
	if (rpc_frame(&out, body, len) == 0)
		write_all(s, out.data, out.len);
	buf_dispose(&out);
}

static void send_body(struct server *s, struct buf *body)
{
	/* proxy hook: kairos's replies and diagnostics may be merged with the child's */
	if (s->proxy && proxy_on_server_message(s, buf_cstr(body), body->len))
		return;
	server_send_raw(s, buf_cstr(body), body->len);
}

void server_reply(struct server *s, const char *id, size_t id_len, const char *result, size_t n)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"id\":");
	if (id)
		buf_append(&b, id, id_len);
	else
		buf_puts(&b, "null");
	buf_puts(&b, ",\"result\":");
	if (result)
		buf_append(&b, result, n);
	else
		buf_puts(&b, "null");
	buf_putc(&b, '}');
	send_body(s, &b);
	buf_dispose(&b);
}

void server_reply_error(struct server *s, const char *id, size_t id_len, int code, const char *msg)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"id\":");
	if (id)
		buf_append(&b, id, id_len);
	else
		buf_puts(&b, "null");
	buf_printf(&b, ",\"error\":{\"code\":%d,\"message\":", code);
	json_escape(&b, msg, strlen(msg));
	buf_puts(&b, "}}");
	send_body(s, &b);
	buf_dispose(&b);
}

void server_notify(struct server *s, const char *method, const char *params, size_t n)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":");
	json_escape(&b, method, strlen(method));
	if (params) {
		buf_puts(&b, ",\"params\":");
		buf_append(&b, params, n);
	}
	buf_putc(&b, '}');
	send_body(s, &b);
	buf_dispose(&b);
}

long long server_request(struct server *s, const char *method, const char *params, size_t n,
			 server_reply_fn fn, void *ud)
{
	struct buf b = BUF_INIT;
	long long id = ++s->next_id;

	buf_printf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"method\":", id);
	json_escape(&b, method, strlen(method));
	if (params) {
		buf_puts(&b, ",\"params\":");
		buf_append(&b, params, n);
	}
	buf_putc(&b, '}');
	if (s->npending == s->cappending) {
		s->cappending = s->cappending ? s->cappending * 2 : 8;
		s->pending = xrealloc(s->pending, s->cappending * sizeof(*s->pending));
	}
	s->pending[s->npending++] = (struct pending_out){id, fn, ud};
	send_body(s, &b);
	buf_dispose(&b);
	return id;
}

static void message_v(struct server *s, const char *method, int type, const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT, b = BUF_INIT;
	struct jw w;

	buf_vprintf(&msg, fmt, ap);
	if (!s->got_initialize) {
		fprintf(stderr, "kairos: %s\n", buf_cstr(&msg));
		goto out;
	}
	if (type == 1)
		fprintf(stderr, "kairos: %s\n", buf_cstr(&msg));
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kint(&w, "type", type);
	jw_kstr(&w, "message", buf_cstr(&msg));
	jw_end(&w);
	server_notify(s, method, b.data, b.len);
out:
	buf_dispose(&msg);
	buf_dispose(&b);
}

void server_log(struct server *s, int type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message_v(s, "window/logMessage", type, fmt, ap);
	va_end(ap);
}

void server_show(struct server *s, int type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message_v(s, "window/showMessage", type, fmt, ap);
	va_end(ap);
}

/* ---- deferred requests ---- */

char *server_defer(struct server *s, struct rpc_msg *m)
{
	if (s->ndeferred == s->capdeferred) {
		s->capdeferred = s->capdeferred ? s->capdeferred * 2 : 4;
		s->deferred = xrealloc(s->deferred, s->capdeferred * sizeof(*s->deferred));
	}
	struct deferred *d = &s->deferred[s->ndeferred++];
	d->id = xstrndup(m->id, m->id_len);
	d->method = xstrdup(m->method);
	d->cancelled = false;
	return d->id;
}

void server_finish_deferred(struct server *s, const char *id, const char *result, size_t n,
			    int err_code, const char *err_msg)
{
	for (size_t i = 0; i < s->ndeferred; i++) {
		struct deferred *d = &s->deferred[i];
		if (d->id != id)
			continue;
		if (!d->cancelled) {
			if (err_code)
				server_reply_error(s, d->id, strlen(d->id), err_code, err_msg);
			else
				server_reply(s, d->id, strlen(d->id), result, n);
		}
		free(d->id);
		free(d->method);
		s->deferred[i] = s->deferred[--s->ndeferred];
		return;
	}
}

/* ---- lifecycle ---- */

static bool has_string(const struct json *j, int arr, const char *s)
{
	for (int e = json_first(j, arr); e >= 0; e = json_next(j, arr, e))
		if (json_streq(j, e, s))
			return true;
	return false;
}

static void read_caps(struct server *s, const struct json *j, int p)
{
	int caps = json_get(j, p, "capabilities");
	int encs = json_path(j, caps, "general.positionEncodings");
	struct client_caps *c = &s->caps;

	s->enc = TEXT_UTF16;
	if (json_type(j, encs) == JSON_ARRAY) {
		if (has_string(j, encs, "utf-8"))
			s->enc = TEXT_UTF8;
		else if (has_string(j, encs, "utf-16"))
			s->enc = TEXT_UTF16;
		else if (has_string(j, encs, "utf-32"))
			s->enc = TEXT_UTF32;
	}
	c->pull_diagnostics = json_type(j, json_path(j, caps, "textDocument.diagnostic")) == JSON_OBJECT;
	c->diagnostic_refresh = json_get_bool(j, caps, "workspace.diagnostics.refreshSupport", false);
	c->work_done_progress = json_get_bool(j, caps, "window.workDoneProgress", false);
	c->configuration = json_get_bool(j, caps, "workspace.configuration", false);
	c->show_message = json_type(j, json_path(j, caps, "window.showMessage")) == JSON_OBJECT;
	c->code_action_literals =
		json_type(j, json_path(j, caps, "textDocument.codeAction.codeActionLiteralSupport")) ==
		JSON_OBJECT;
	c->resolve_edit = has_string(
		j, json_path(j, caps, "textDocument.codeAction.resolveSupport.properties"), "edit");
	c->related_info = json_get_bool(j, caps, "textDocument.publishDiagnostics.relatedInformation", false);
}

/* The workspace root: the first workspace folder, else rootUri, else
 * rootPath, else the current directory; normalised without a trailing
 * slash (eglot's rootPath ends in one). */
static char *read_root(const struct json *j, int p)
{
	char *uri = NULL, *path = NULL, *norm;
	int folders = json_get(j, p, "workspaceFolders");

	if (json_first(j, folders) >= 0)
		uri = json_get_str(j, json_first(j, folders), "uri");
	if (!uri)
		uri = json_get_str(j, p, "rootUri");
	if (uri) {
		path = paths_from_uri(uri);
		free(uri);
	}
	if (!path)
		path = json_get_str(j, p, "rootPath");
	if (!path) {
		char cwd[4096];
		path = xstrdup(getcwd(cwd, sizeof(cwd)) ? cwd : ".");
	}
	norm = realpath(path, NULL);
	if (!norm) {
		size_t n = strlen(path);
		while (n > 1 && path[n - 1] == '/')
			path[--n] = '\0';
		return path;
	}
	free(path);
	return norm;
}

static int on_initialize(struct server *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	const struct json *j = &m->j;
	int p = m->params;

	if (s->got_initialize) {
		*err = "initialize was already received";
		return RPC_INVALID_REQUEST;
	}
	if (json_type(j, p) != JSON_OBJECT) {
		*err = "initialize needs params";
		return RPC_INVALID_PARAMS;
	}
	s->got_initialize = true;
	read_caps(s, j, p);
	s->root = read_root(j, p);
	config_apply(&s->cfg, j, json_get(j, p, "initializationOptions"));
	{
		const char *tr = NULL;
		int t = json_get(j, p, "trace");
		if (json_streq(j, t, "messages"))
			tr = "messages";
		else if (json_streq(j, t, "verbose"))
			tr = "verbose";
		s->trace = tr ? (tr[0] == 'm' ? 1 : 2) : 0;
	}
	features_init(s);

	jw_obj(w);
	jw_key(w, "capabilities");
	jw_obj(w);
	jw_kstr(w, "positionEncoding", text_enc_name(s->enc));
	jw_key(w, "textDocumentSync");
	jw_obj(w);
	jw_kbool(w, "openClose", true);
	jw_kint(w, "change", 2);
	jw_key(w, "save");
	jw_obj(w);
	jw_kbool(w, "includeText", false);
	jw_end(w);
	jw_end(w);
	features_capabilities(s, w);
	jw_end(w);
	jw_key(w, "serverInfo");
	jw_obj(w);
	jw_kstr(w, "name", "kairos");
	jw_kstr(w, "version", KAIROS_VERSION);
	jw_end(w);
	jw_end(w);
	return 0;
}

static int on_shutdown(struct server *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	s->got_shutdown = true;
	jw_null(w);
	return 0;
}

static void on_initialized(struct server *s, struct rpc_msg *m)
{
	if (s->got_initialized)
		return;
	s->got_initialized = true;
	features_initialized(s);
}

static void on_exit_notification(struct server *s, struct rpc_msg *m)
{
	loop_stop(s->loop, s->got_shutdown ? 0 : 1);
}

static void on_cancel(struct server *s, struct rpc_msg *m)
{
	int id = json_get(&m->j, m->params, "id");
	size_t n;
	const char *raw = json_raw(&m->j, id, &n);

	for (size_t i = 0; i < s->ndeferred; i++) {
		struct deferred *d = &s->deferred[i];
		if (strlen(d->id) == n && !memcmp(d->id, raw, n)) {
			d->cancelled = true;
			server_reply_error(s, d->id, n, RPC_REQUEST_CANCELLED, "request cancelled");
		}
	}
}

static void on_set_trace(struct server *s, struct rpc_msg *m)
{
	int v = json_get(&m->j, m->params, "value");
	s->trace = json_streq(&m->j, v, "verbose") ? 2 : json_streq(&m->j, v, "messages") ? 1 : 0;
}

static void on_did_change_configuration(struct server *s, struct rpc_msg *m)
{
	/* eglot sends {settings: {}} right after initialized: absent keys keep
	 * what initializationOptions said */
	int settings = json_get(&m->j, m->params, "settings");
	int k = json_get(&m->j, settings, "kairos");
	config_apply(&s->cfg, &m->j, k >= 0 ? k : settings);
	features_config_changed(s);
}

static const struct lsp_request_entry core_requests[] = {
	{"initialize", on_initialize},
	{"shutdown", on_shutdown},
};

static const struct lsp_notify_entry core_notifications[] = {
	{"initialized", on_initialized},
	{"exit", on_exit_notification},
	{"$/cancelRequest", on_cancel},
	{"$/setTrace", on_set_trace},
	{"textDocument/didOpen", lsp_did_open},
	{"textDocument/didChange", lsp_did_change},
	{"textDocument/didSave", lsp_did_save},
	{"textDocument/didClose", lsp_did_close},
	{"workspace/didChangeConfiguration", on_did_change_configuration},
};

static lsp_request_fn find_request(const char *method)
{
	for (size_t i = 0; i < ARRAY_LEN(core_requests); i++)
		if (!strcmp(core_requests[i].method, method))
			return core_requests[i].fn;
	for (size_t i = 0; i < features_nrequests; i++)
		if (!strcmp(features_requests[i].method, method))
			return features_requests[i].fn;
	return NULL;
}

static lsp_notify_fn find_notification(const char *method)
{
	for (size_t i = 0; i < ARRAY_LEN(core_notifications); i++)
		if (!strcmp(core_notifications[i].method, method))
			return core_notifications[i].fn;
	for (size_t i = 0; i < features_nnotifications; i++)
		if (!strcmp(features_notifications[i].method, method))
			return features_notifications[i].fn;
	return NULL;
}

/* True when a $/cancelRequest for id waits later in the queue. */
static bool cancelled_in_queue(struct server *s, const char *id, size_t n)
{
	for (size_t i = s->qhead; i < s->nqueue; i++) {
		struct queued *q = &s->queue[i];
		const char *p = q->body;
		if (!memmem(p, q->len, "$/cancelRequest", 15) || !memmem(p, q->len, id, n))
			continue;
		struct rpc_msg c;
		bool hit = false;
		rpc_msg_parse(&c, q->body, q->len);
		if (c.kind == RPC_NOTIFICATION && !strcmp(c.method, "$/cancelRequest")) {
			size_t rn;
			const char *raw = json_raw(&c.j, json_get(&c.j, c.params, "id"), &rn);
			hit = rn == n && !memcmp(raw, id, n);
		}
		rpc_msg_dispose(&c);
		if (hit)
			return true;
	}
	return false;
}

static void handle_response(struct server *s, struct rpc_msg *m)
{
	long long id;
	int idt = json_get(&m->j, 0, "id");
	if (json_int(&m->j, idt, &id))
		return; /* not one of ours (ours are integers) */
	for (size_t i = 0; i < s->npending; i++)
		if (s->pending[i].id == id) {
			struct pending_out p = s->pending[i];
			s->pending[i] = s->pending[--s->npending];
			if (p.fn)
				p.fn(s, m, p.ud);
			return;
		}
	/* a response to an id the server never used is ignored */
}

static void handle_request(struct server *s, struct rpc_msg *m)
{
	struct buf res = BUF_INIT;
	struct jw w;
	const char *err = NULL;
	lsp_request_fn fn;
	int rc;

	if (s->got_shutdown) {
		server_reply_error(s, m->id, m->id_len, RPC_INVALID_REQUEST,
				   "the server is shutting down");
		return;
	}
	if (!s->got_initialize && strcmp(m->method, "initialize")) {
		server_reply_error(s, m->id, m->id_len, RPC_SERVER_NOT_INITIALIZED,
				   "the server is not initialized");
		return;
	}
	fn = find_request(m->method);
	if (!fn) {
		server_reply_error(s, m->id, m->id_len, RPC_METHOD_NOT_FOUND, "unknown method");
		return;
	}
	if (cancelled_in_queue(s, m->id, m->id_len)) {
		server_reply_error(s, m->id, m->id_len, RPC_REQUEST_CANCELLED, "request cancelled");
		return;
	}
	jw_init(&w, &res);
	kr_err_clear();
	rc = fn(s, m, &w, &err);
	if (rc == SERVER_DEFERRED) {
		/* the handler answers later */
	} else if (rc < 0) {
		server_reply_error(s, m->id, m->id_len, rc, err ? err : kr_errmsg());
	} else if (w.err || w.depth != 0) {
		server_reply_error(s, m->id, m->id_len, RPC_INTERNAL_ERROR, "could not encode the result");
	} else {
		server_reply(s, m->id, m->id_len, res.data, res.len);
	}
	buf_dispose(&res);
}

static void handle_body(struct server *s, const char *body, size_t len)
{
	struct rpc_msg m;
	lsp_notify_fn nf;

	rpc_msg_parse(&m, body, len);
	if (s->trace)
		fprintf(stderr, "kairos: <- %.*s\n", (int)(len < 2000 ? len : 2000), body);
	/* proxy hook: forwards to the child; true when the message is the child's alone */
	if (s->proxy && proxy_on_client_message(s, &m, body, len)) {
		rpc_msg_dispose(&m);
		return;
	}
	switch (m.kind) {
	case RPC_INVALID:
		if (m.method && !m.id)
			break; /* a notification with bad params: nothing to answer */
		server_reply_error(s, m.err_code == RPC_PARSE_ERROR ? NULL : m.id, m.id_len,
				   m.err_code, m.err_msg);
		break;
	case RPC_RESPONSE:
		handle_response(s, &m);
		break;
	case RPC_REQUEST:
		features_activity(s);
		handle_request(s, &m);
		break;
	case RPC_NOTIFICATION:
		if (!s->got_initialize && strcmp(m.method, "exit"))
			break; /* dropped before initialize */
		if (s->got_shutdown && strcmp(m.method, "exit"))
			break;
		nf = find_notification(m.method);
		if (nf) {
			if (strcmp(m.method, "$/cancelRequest") && strcmp(m.method, "$/setTrace"))
				features_activity(s);
			nf(s, &m);
		}
		/* unknown notifications are ignored */
		break;
	}
	rpc_msg_dispose(&m);
}

static void drain_queue(struct server *s)
{
	while (s->qhead < s->nqueue && !loop_stopped(s->loop)) {
		struct queued q = s->queue[s->qhead++];
		handle_body(s, q.body, q.len);
		free(q.body);
	}
	if (s->qhead >= s->nqueue) {
		s->qhead = s->nqueue = 0;
	}
}

static void on_stdin(struct loop *l, int fd, short revents, void *ud)
{
	struct server *s = ud;
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	const char *body;
	size_t len;
	int r;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* the client closed our input: nobody left to serve */
		loop_stop(l, s->got_shutdown ? 0 : 1);
		return;
	}
	if (rpc_reader_feed(&s->rd, chunk, (size_t)n)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		loop_stop(l, 1);
		return;
	}
	while ((r = rpc_reader_next(&s->rd, &body, &len)) == RPC_MESSAGE) {
		if (s->nqueue == s->capqueue) {
			s->capqueue = s->capqueue ? s->capqueue * 2 : 16;
			s->queue = xrealloc(s->queue, s->capqueue * sizeof(*s->queue));
		}
		s->queue[s->nqueue++] = (struct queued){xstrndup(body, len), len};
	}
	drain_queue(s);
	if (r == RPC_FATAL) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		loop_stop(l, 1);
	}
}

static void server_dispose(struct server *s)
{
	proxy_free(s->proxy); /* proxy mode: lets the child exit */
	features_dispose(s);
	for (size_t i = s->qhead; i < s->nqueue; i++)
		free(s->queue[i].body);
	free(s->queue);
	for (size_t i = 0; i < s->ndeferred; i++) {
		free(s->deferred[i].id);
		free(s->deferred[i].method);
	}
	free(s->deferred);
	free(s->pending);
	doc_set_dispose(&s->docs);
	config_dispose(&s->cfg);
	rpc_reader_dispose(&s->rd);
	free(s->root);
	loop_free(s->loop);
}

int server_main(char **child_argv)
{
	struct server s;
	int code;

	signal(SIGPIPE, SIG_IGN);
	memset(&s, 0, sizeof(s));
	s.in_fd = 0;
	s.out_fd = 1;
	s.enc = TEXT_UTF16;
	s.loop = loop_new();
	rpc_reader_init(&s.rd, 0);
	config_defaults(&s.cfg);
	/* stdout is the protocol channel: anything else printed by mistake
	 * must go to stderr, so keep fd 1 private */
	{
		int fd = dup(1);
		if (fd >= 0) {
			s.out_fd = fd;
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			dup2(2, 1);
		}
	}
	if (child_argv)
		s.proxy = proxy_new(&s, child_argv); /* proxy mode: starts the child */
	loop_fd_add(s.loop, s.in_fd, POLLIN, on_stdin, &s);
	code = loop_run(s.loop);
	server_dispose(&s);
	return code;
}
