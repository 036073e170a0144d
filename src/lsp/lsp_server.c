/* lsp_server: the top half of kairos lsp. Reads framed messages from
 * stdin, hands each to the filter when one is installed (proxy mode),
 * dispatches the rest from tables, and runs the lifecycle (initialize,
 * initialized, shutdown, exit). The features are started here, in the
 * order their hooks must run; after that they hear about the session
 * only through the events they subscribed to. Nothing but protocol is
 * ever written to stdout. */
#include "kairos/lsp_server.h"
#include "lsp_actions.h"
#include "lsp_commands.h"
#include "lsp_documents.h"
#include "lsp_dream.h"
#include "lsp_inspect.h"
#include "lsp_model.h"
#include "lsp_session.h"
#include "lsp_stores.h"
#include "lsp_tick.h"
#include "lsp_trust.h"
#include "kairos/err.h"
#include "kairos/journal.h"
#include "kairos/paths.h"
#include "kairos/version.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A message read but not handled yet (a later $/cancelRequest may void it). */
struct queued {
	char *body;
	size_t len;
};

struct lsp_server {
	struct lsp_session s; /* first: handlers get &srv->s */
	struct loop *loop;
	struct rpc_reader rd;
	int in_fd;
	struct queued *queue;
	size_t nqueue, capqueue, qhead;
	struct lsp_filter filter;
	bool filtered;
	bool features_up;
};

/* The features, in the order their hooks run: the stores first (every
 * other feature reads them), the model before the tick that uses it. */
static const struct {
	void (*init)(struct lsp_session *s);
	void (*dispose)(struct lsp_session *s);
} features[] = {
	{lsp_stores_init, lsp_stores_dispose},
	{lsp_trust_init, lsp_trust_dispose},
	{lsp_model_init, lsp_model_dispose},
	{lsp_tick_init, lsp_tick_dispose},
	{lsp_dream_init, lsp_dream_dispose},
};

/* ---- lifecycle ---- */

static bool has_string(const struct json *j, int arr, const char *s)
{
	for (int e = json_first(j, arr); e >= 0; e = json_next(j, arr, e))
		if (json_streq(j, e, s))
			return true;
	return false;
}

static void read_caps(struct lsp_session *s, const struct json *j, int p)
{
	int caps = json_get(j, p, "capabilities");
	int encs = json_path(j, caps, "general.positionEncodings");
	struct lsp_client_caps *c = &s->caps;

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

static int read_trace(const struct json *j, int v)
{
	return json_streq(j, v, "verbose") ? 2 : json_streq(j, v, "messages") ? 1 : 0;
}

static void write_capabilities(struct lsp_session *s, struct jw *w)
{
	static const char kinds[] = "[\"quickfix\",\"refactor\",\"source\"]";

	jw_obj(w);
	jw_kstr(w, "positionEncoding", text_enc_name(s->enc));
	jw_key(w, "textDocumentSync");
	jw_obj(w);
	jw_kbool(w, "openClose", true);
	jw_kint(w, "change", LSP_SYNC_INCREMENTAL);
	jw_key(w, "save");
	jw_obj(w);
	jw_kbool(w, "includeText", false);
	jw_end(w);
	jw_end(w);
	jw_key(w, "codeActionProvider");
	jw_obj(w);
	jw_key(w, "codeActionKinds");
	jw_raw(w, kinds, sizeof(kinds) - 1);
	jw_kbool(w, "resolveProvider", true);
	jw_end(w);
	lsp_commands_capabilities(w);
	jw_key(w, "diagnosticProvider");
	jw_obj(w);
	jw_kbool(w, "interFileDependencies", false);
	jw_kbool(w, "workspaceDiagnostics", false);
	jw_end(w);
	jw_end(w);
}

static int on_initialize(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	struct lsp_server *srv = (struct lsp_server *)s;
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
	lsp_config_apply(&s->cfg, j, json_get(j, p, "initializationOptions"));
	s->trace = read_trace(j, json_get(j, p, "trace"));
	for (size_t i = 0; i < ARRAY_LEN(features); i++)
		features[i].init(s);
	srv->features_up = true;

	jw_obj(w);
	jw_key(w, "capabilities");
	write_capabilities(s, w);
	jw_key(w, "serverInfo");
	jw_obj(w);
	jw_kstr(w, "name", "kairos");
	jw_kstr(w, "version", KAIROS_VERSION);
	jw_end(w);
	jw_end(w);
	return 0;
}

static int on_shutdown(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	s->got_shutdown = true;
	jw_null(w);
	return 0;
}

static void on_initialized(struct lsp_session *s, struct rpc_msg *m)
{
	if (s->got_initialized)
		return;
	s->got_initialized = true;
	lsp_session_emit(s, LSP_EVENT_INITIALIZED, NULL);
}

static void on_exit_notification(struct lsp_session *s, struct rpc_msg *m)
{
	loop_stop(s->loop, s->got_shutdown ? 0 : 1);
}

static void on_cancel(struct lsp_session *s, struct rpc_msg *m)
{
	size_t n;
	const char *raw = json_raw(&m->j, json_get(&m->j, m->params, "id"), &n);
	if (raw)
		lsp_session_cancel(s, raw, n);
}

static void on_set_trace(struct lsp_session *s, struct rpc_msg *m)
{
	s->trace = read_trace(&m->j, json_get(&m->j, m->params, "value"));
}

static void on_did_change_configuration(struct lsp_session *s, struct rpc_msg *m)
{
	/* eglot sends {settings: {}} right after initialized: absent keys keep
	 * what initializationOptions said */
	int settings = json_get(&m->j, m->params, "settings");
	int k = json_get(&m->j, settings, "kairos");
	lsp_config_apply(&s->cfg, &m->j, k >= 0 ? k : settings);
	lsp_session_emit(s, LSP_EVENT_CONFIG_CHANGED, NULL);
}

/* kairos/idle {idleMs}: the editor says the person is idle. */
static void on_idle(struct lsp_session *s, struct rpc_msg *m)
{
	lsp_session_emit(s, LSP_EVENT_IDLE, NULL);
}

static const struct {
	const char *method;
	lsp_request_fn fn;
} requests[] = {
	{"initialize", on_initialize},
	{"shutdown", on_shutdown},
	{"kairos/documentState", lsp_inspect_document_state},
	{"textDocument/diagnostic", lsp_tick_pull},
	{"textDocument/codeAction", lsp_actions_code_action},
	{"codeAction/resolve", lsp_actions_resolve},
	{"workspace/executeCommand", lsp_commands_execute},
};

/* quiet: not the person's activity (protocol housekeeping) */
static const struct {
	const char *method;
	lsp_notify_fn fn;
	bool quiet;
} notifications[] = {
	{"initialized", on_initialized, false},
	{"exit", on_exit_notification, false},
	{"$/cancelRequest", on_cancel, true},
	{"$/setTrace", on_set_trace, true},
	{"textDocument/didOpen", lsp_documents_did_open, false},
	{"textDocument/didChange", lsp_documents_did_change, false},
	{"textDocument/didSave", lsp_documents_did_save, false},
	{"textDocument/didClose", lsp_documents_did_close, false},
	{"workspace/didChangeConfiguration", on_did_change_configuration, false},
	{"workspace/didChangeWatchedFiles", lsp_stores_watched_files, false},
	{"kairos/idle", on_idle, false},
	{"window/workDoneProgress/cancel", lsp_dream_progress_cancel, false},
};

static lsp_request_fn find_request(const char *method)
{
	for (size_t i = 0; i < ARRAY_LEN(requests); i++)
		if (!strcmp(requests[i].method, method))
			return requests[i].fn;
	return NULL;
}

/* ---- reading and dispatch ---- */

#define CANCEL_METHOD "$/cancelRequest"

/* True when a $/cancelRequest for id waits later in the queue. */
static bool cancelled_in_queue(struct lsp_server *srv, const char *id, size_t n)
{
	for (size_t i = srv->qhead; i < srv->nqueue; i++) {
		struct queued *q = &srv->queue[i];
		struct rpc_msg c;
		bool hit = false;
		if (!memmem(q->body, q->len, CANCEL_METHOD, sizeof(CANCEL_METHOD) - 1) ||
		    !memmem(q->body, q->len, id, n))
			continue;
		rpc_msg_parse(&c, q->body, q->len);
		if (c.kind == RPC_NOTIFICATION && !strcmp(c.method, CANCEL_METHOD)) {
			size_t rn;
			const char *raw = json_raw(&c.j, json_get(&c.j, c.params, "id"), &rn);
			hit = raw && rn == n && !memcmp(raw, id, n);
		}
		rpc_msg_dispose(&c);
		if (hit)
			return true;
	}
	return false;
}

static void handle_request(struct lsp_server *srv, struct rpc_msg *m)
{
	struct lsp_session *s = &srv->s;
	struct buf res = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct jw w;
	const char *err = NULL;
	lsp_request_fn fn;
	int rc;

	if (s->got_shutdown) {
		lsp_session_reply_error(s, m->id, m->id_len, RPC_INVALID_REQUEST,
					"the server is shutting down");
		return;
	}
	if (!s->got_initialize && strcmp(m->method, "initialize")) {
		lsp_session_reply_error(s, m->id, m->id_len, RPC_SERVER_NOT_INITIALIZED,
					"the server is not initialized");
		return;
	}
	fn = find_request(m->method);
	if (!fn) {
		lsp_session_reply_error(s, m->id, m->id_len, RPC_METHOD_NOT_FOUND, "unknown method");
		return;
	}
	if (cancelled_in_queue(srv, m->id, m->id_len)) {
		lsp_session_reply_error(s, m->id, m->id_len, RPC_REQUEST_CANCELLED, "request cancelled");
		return;
	}
	jw_init(&w, &res);
	kr_err_clear();
	rc = fn(s, m, &w, &err);
	if (rc == LSP_DEFERRED) {
		/* the handler answers later */
	} else if (rc < 0) {
		lsp_session_reply_error(s, m->id, m->id_len, rc, err ? err : kr_errmsg());
	} else if (buf_err(&res) || w.depth != 0) {
		lsp_session_reply_error(s, m->id, m->id_len, RPC_INTERNAL_ERROR,
					"could not encode the result");
	} else {
		lsp_session_reply(s, m->id, m->id_len, res.data, res.len);
	}
	buf_dispose(&res);
}

static void handle_notification(struct lsp_server *srv, struct rpc_msg *m)
{
	struct lsp_session *s = &srv->s;

	if (!s->got_initialize && strcmp(m->method, "exit"))
		return; /* dropped before initialize */
	if (s->got_shutdown && strcmp(m->method, "exit"))
		return;
	for (size_t i = 0; i < ARRAY_LEN(notifications); i++)
		if (!strcmp(notifications[i].method, m->method)) {
			if (!notifications[i].quiet)
				lsp_session_activity(s);
			notifications[i].fn(s, m);
			return;
		}
	/* unknown notifications are ignored */
}

static void handle_body(struct lsp_server *srv, const char *body, size_t len)
{
	struct lsp_session *s = &srv->s;
	struct rpc_msg m;

	rpc_msg_parse(&m, body, len);
	if (s->trace)
		fprintf(stderr, "kairos: <- %.*s\n", (int)(len < 2000 ? len : 2000), body);
	/* proxy mode: forwards to the child; true when the message is the child's alone */
	if (srv->filtered && srv->filter.from_client(srv->filter.ud, &m, body, len)) {
		rpc_msg_dispose(&m);
		return;
	}
	switch (m.kind) {
	case RPC_INVALID:
		if (m.method && !m.id)
			break; /* a notification with bad params: nothing to answer */
		lsp_session_reply_error(s, m.err_code == RPC_PARSE_ERROR ? NULL : m.id, m.id_len,
					m.err_code, m.err_msg);
		break;
	case RPC_RESPONSE:
		lsp_session_response(s, &m);
		break;
	case RPC_REQUEST:
		lsp_session_activity(s);
		handle_request(srv, &m);
		break;
	case RPC_NOTIFICATION:
		handle_notification(srv, &m);
		break;
	}
	rpc_msg_dispose(&m);
}

static void drain_queue(struct lsp_server *srv)
{
	while (srv->qhead < srv->nqueue && !loop_stopped(srv->loop)) {
		struct queued q = srv->queue[srv->qhead++];
		handle_body(srv, q.body, q.len);
		free(q.body);
	}
	if (srv->qhead >= srv->nqueue)
		srv->qhead = srv->nqueue = 0;
}

static void on_stdin(struct loop *l, int fd, short revents, void *ud)
{
	struct lsp_server *srv = ud;
	const char *body;
	size_t len;
	int r;

	switch (rpc_reader_read(&srv->rd, fd)) {
	case RPC_READ_AGAIN:
		return;
	case RPC_READ_END:
		/* the client closed our input: nobody left to serve */
		loop_stop(l, srv->s.got_shutdown ? 0 : 1);
		return;
	case RPC_READ_FAIL:
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		loop_stop(l, 1);
		return;
	case RPC_READ_BYTES:
		break;
	}
	while ((r = rpc_reader_next(&srv->rd, &body, &len)) == RPC_MESSAGE) {
		if (srv->nqueue == srv->capqueue) {
			srv->capqueue = srv->capqueue ? srv->capqueue * 2 : 16;
			srv->queue = xrealloc(srv->queue, srv->capqueue * sizeof(*srv->queue));
		}
		srv->queue[srv->nqueue++] = (struct queued){xstrndup(body, len), len};
	}
	drain_queue(srv);
	if (r == RPC_FATAL) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		loop_stop(l, 1);
	}
}

/* ---- what the server lends a filter ---- */

static void host_send(void *ud, const char *body, size_t len)
{
	lsp_session_send_raw(ud, body, len);
}

static void host_say(void *ud, int type, bool show, const char *msg)
{
	if (show)
		lsp_session_show(ud, (enum lsp_msg_type)type, "%s", msg);
	else
		lsp_session_log(ud, (enum lsp_msg_type)type, "%s", msg);
}

static unsigned host_state(void *ud)
{
	struct lsp_session *s = ud;
	return (s->got_initialize ? LSP_HOST_INITIALIZED : 0u) | (s->got_shutdown ? LSP_HOST_SHUTDOWN : 0u);
}

static void host_each_doc(void *ud, lsp_filter_doc_fn fn, void *fud)
{
	struct lsp_session *s = ud;
	for (size_t i = 0; i < s->docs.n; i++) {
		struct doc *d = s->docs.v[i];
		size_t n;
		const char *text = doc_text(d, &n);
		fn(fud, d->uri, d->language, d->version, text, n);
	}
}

static void host_activity(void *ud)
{
	lsp_session_activity(ud);
}

static void host_set_encoding(void *ud, enum text_enc enc)
{
	((struct lsp_session *)ud)->enc = enc;
}

static void host_journal(void *ud, const char *kind, const char *fields)
{
	struct store_set *set = lsp_stores_set(ud);
	struct store *st = set ? store_set_get(set, STORE_PERSONAL) : NULL;
	if (st && st->dir && journal_append(st->dir, kind, fields))
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
}

void lsp_server_host(struct lsp_server *srv, struct lsp_filter_host *out)
{
	*out = (struct lsp_filter_host){
		.loop = srv->loop,
		.ud = &srv->s,
		.send = host_send,
		.say = host_say,
		.state = host_state,
		.each_doc = host_each_doc,
		.activity = host_activity,
		.set_encoding = host_set_encoding,
		.journal = host_journal,
	};
}

void lsp_server_set_filter(struct lsp_server *srv, const struct lsp_filter *f)
{
	srv->filter = *f;
	srv->filtered = true;
	srv->s.filter = &srv->filter;
}

/* ---- the process ---- */

struct lsp_server *lsp_server_new(void)
{
	struct lsp_server *srv = xcalloc(1, sizeof(*srv));
	int out_fd = 1, fd;

	signal(SIGPIPE, SIG_IGN);
	/* stdout is the protocol channel: anything else printed by mistake
	 * must go to stderr, so keep fd 1 private */
	fd = dup(1);
	if (fd >= 0) {
		out_fd = fd;
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		dup2(2, 1);
	}
	srv->loop = loop_new();
	srv->in_fd = 0;
	rpc_reader_init(&srv->rd, 0);
	lsp_session_init(&srv->s, srv->loop, out_fd);
	return srv;
}

int lsp_server_run(struct lsp_server *srv)
{
	if (loop_fd_add(srv->loop, srv->in_fd, POLLIN, on_stdin, srv)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		return 1;
	}
	return loop_run(srv->loop);
}

void lsp_server_free(struct lsp_server *srv)
{
	struct lsp_session *s;
	if (!srv)
		return;
	s = &srv->s;
	if (srv->filtered && srv->filter.free)
		srv->filter.free(srv->filter.ud); /* proxy mode: lets the child exit */
	srv->filtered = false;
	s->filter = NULL;
	for (size_t i = ARRAY_LEN(features); srv->features_up && i-- > 0;)
		features[i].dispose(s);
	for (size_t i = srv->qhead; i < srv->nqueue; i++)
		free(srv->queue[i].body);
	free(srv->queue);
	rpc_reader_dispose(&srv->rd);
	lsp_session_dispose(s);
	if (s->out.fd > 2)
		close(s->out.fd);
	loop_free(srv->loop);
	free(srv);
}
