/* lsp_session: the bottom half of the language server, what every
 * feature file (lsp_<area>.c) stands on: the session's state (what the
 * client supports, the configuration, the workspace root, the open
 * documents), output to the editor (replies, notifications, requests
 * whose answer comes to a callback, deferred replies), logging, and the
 * events that features subscribe to. It never names a feature: the top
 * half (lsp_server.c) reads, dispatches and runs the lifecycle, features
 * register hooks for the events they care about, and events travel down. */
#ifndef KAIROS_LSP_SESSION_H
#define KAIROS_LSP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "lsp_config.h"
#include "kairos/buf.h"
#include "kairos/json.h"
#include "kairos/loop.h"
#include "kairos/lsp_filter.h"
#include "kairos/rpc.h"
#include "kairos/rpc_out.h"
#include "kairos/text.h"

/* window/logMessage and window/showMessage types (LSP MessageType). */
enum lsp_msg_type {
	LSP_MSG_ERROR = 1,
	LSP_MSG_WARNING = 2,
	LSP_MSG_INFO = 3,
	LSP_MSG_LOG = 4,
};

/* TextDocumentSyncKind */
enum { LSP_SYNC_INCREMENTAL = 2 };

/* What the client said it supports in initialize. */
struct lsp_client_caps {
	bool pull_diagnostics;     /* textDocument.diagnostic */
	bool diagnostic_refresh;   /* workspace.diagnostics.refreshSupport */
	bool work_done_progress;   /* window.workDoneProgress */
	bool resolve_edit;         /* codeAction.resolveSupport.properties has "edit" */
	bool code_action_literals; /* codeActionLiteralSupport */
	bool configuration;        /* workspace.configuration */
	bool show_message;
	bool related_info;
};

/* The events features subscribe to, in the order a session sees them. */
enum lsp_event {
	LSP_EVENT_INITIALIZED,    /* `initialized` arrived */
	LSP_EVENT_DOC_CHANGED,    /* a document was opened or changed (doc) */
	LSP_EVENT_DOC_EDIT,       /* an incremental edit, before it is applied (doc, from, to, text) */
	LSP_EVENT_DOC_SAVED,      /* (doc) */
	LSP_EVENT_DOC_CLOSED,     /* before the document is forgotten (doc) */
	LSP_EVENT_MEMORY_CHANGED, /* the stores were reloaded (lsp_stores_changed) */
	LSP_EVENT_ACTIVITY,       /* a request or notification from the editor */
	LSP_EVENT_IDLE,           /* the person is idle (kairos/idle, or dream.idleMs without activity) */
	LSP_EVENT_CONFIG_CHANGED, /* workspace/didChangeConfiguration applied */
	LSP_EVENT_COUNT
};

struct lsp_event_data {
	struct doc *doc;
	struct doc_pos from, to; /* LSP_EVENT_DOC_EDIT */
	const char *text;
	size_t len;
};

struct lsp_session;
typedef void (*lsp_hook_fn)(struct lsp_session *s, const struct lsp_event_data *e, void *ud);
typedef void (*lsp_reply_fn)(struct lsp_session *s, struct rpc_msg *reply, void *ud);

struct lsp_hook {
	lsp_hook_fn fn;
	void *ud;
};

/* A request to the client awaiting its answer. */
struct lsp_pending {
	long long id;
	lsp_reply_fn fn;
	void *ud;
};

/* A request of the client whose answer comes later (kairos.dream waits). */
struct lsp_deferred {
	char *id; /* raw JSON id; the handle */
	bool cancelled;
};

/* Each feature's state, private to its file (opaque here). */
struct lsp_features {
	struct lsp_stores *stores;
	struct lsp_trust *trust;
	struct lsp_model *model;
	struct lsp_tick *tick;
	struct lsp_cochange *cochange;
	struct lsp_dream *dream;
};

struct lsp_session {
	struct loop *loop;
	struct rpc_out out;        /* to the editor */
	bool got_initialize, got_initialized, got_shutdown;
	enum text_enc enc;         /* negotiated position encoding */
	struct lsp_client_caps caps;
	struct lsp_config cfg;
	char *root;                /* workspace root path, normalised */
	struct doc_set docs;
	int trace;                 /* 0 off, 1 messages, 2 verbose */
	long long next_id;
	struct lsp_pending *pending;
	size_t npending, cappending;
	struct lsp_deferred *deferred;
	size_t ndeferred, capdeferred;
	struct lsp_hook *hooks[LSP_EVENT_COUNT];
	size_t nhooks[LSP_EVENT_COUNT];
	const struct lsp_filter *filter; /* proxy mode: sees every message to the editor */
	struct loop_timer idle_timer;
	struct lsp_features feat;
};

/* out_fd: the editor's end (made non-blocking). Never fails. */
void lsp_session_init(struct lsp_session *s, struct loop *l, int out_fd);
/* Writes what is still queued for the editor (up to a second), frees the rest. */
void lsp_session_dispose(struct lsp_session *s);

/* ---- events ---- */

/* Subscribes fn to ev; hooks run in the order they were added. */
void lsp_session_on(struct lsp_session *s, enum lsp_event ev, lsp_hook_fn fn, void *ud);
void lsp_session_emit(struct lsp_session *s, enum lsp_event ev, const struct lsp_event_data *e);
/* The editor did something: LSP_EVENT_ACTIVITY, and the idle clock
 * (dream.idleMs) starts again. */
void lsp_session_activity(struct lsp_session *s);

/* ---- output (every message passes the filter, when one is installed) ---- */

/* One JSON-RPC body to the editor. */
void lsp_session_send(struct lsp_session *s, const char *body, size_t len);
/* The same, past the filter (the filter's own output). */
void lsp_session_send_raw(struct lsp_session *s, const char *body, size_t len);
/* id is the raw JSON id; result one encoded JSON value (NULL: null). */
void lsp_session_reply(struct lsp_session *s, const char *id, size_t id_len, const char *result,
		       size_t n);
void lsp_session_reply_error(struct lsp_session *s, const char *id, size_t id_len, int code,
			     const char *msg);
void lsp_session_notify(struct lsp_session *s, const char *method, const char *params, size_t n);
/* The same with params in a buffer, which it disposes; a buffer that
 * failed (buf_err) is not sent: the reason goes to stderr. */
void lsp_session_notify_buf(struct lsp_session *s, const char *method, struct buf *params);
/* A request to the client; fn (may be NULL) gets the reply. Returns its id. */
long long lsp_session_request(struct lsp_session *s, const char *method, const char *params,
			      size_t n, lsp_reply_fn fn, void *ud);
/* A response from the client: to the callback of its request, if ours. */
void lsp_session_response(struct lsp_session *s, struct rpc_msg *m);

/* Keeps m's id for a later answer and returns the handle to pass to
 * lsp_session_finish, which answers (result JSON, or err_code != 0 with
 * err_msg) unless the client cancelled it meanwhile (then -32800 went out
 * already), and forgets it. */
char *lsp_session_defer(struct lsp_session *s, struct rpc_msg *m);
void lsp_session_finish(struct lsp_session *s, const char *handle, const char *result, size_t n,
			int err_code, const char *err_msg);
/* $/cancelRequest for the raw id: a deferred request gets -32800 now. */
void lsp_session_cancel(struct lsp_session *s, const char *id, size_t n);

/* window/logMessage (and stderr for errors, or before initialize). */
void lsp_session_log(struct lsp_session *s, enum lsp_msg_type type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* window/showMessage. */
void lsp_session_show(struct lsp_session *s, enum lsp_msg_type type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- documents ---- */

/* The document's path relative to the workspace, or its absolute path
 * outside it (only unscoped rules apply there); NULL for non-file URIs. */
const char *lsp_session_rel_path(const struct lsp_session *s, const struct doc *d);
/* The open document whose workspace-relative path is rel, or NULL. */
struct doc *lsp_session_doc_by_rel(const struct lsp_session *s, const char *rel);

/* Handlers, called by the top half's dispatch tables. A request handler
 * writes exactly one JSON value into res and returns 0, or returns an
 * RPC error code (negative) with *err set to a static or kr_errmsg()
 * message, or LSP_DEFERRED (it keeps the id and answers later). A
 * command handler gets the index of its one argument object (-1: none). */
#define LSP_DEFERRED 1
typedef int (*lsp_request_fn)(struct lsp_session *s, struct rpc_msg *m, struct jw *res, const char **err);
typedef void (*lsp_notify_fn)(struct lsp_session *s, struct rpc_msg *m);
typedef int (*lsp_command_fn)(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *res,
			      const char **err);

#endif
