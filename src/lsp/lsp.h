/* lsp: the language server's shared state and the helpers its feature
 * files (lsp_*.c) use. server.c owns the loop, framing, dispatch and
 * lifecycle; each lsp_<area>.c implements the handlers of one area. */
#ifndef KAIROS_LSP_H
#define KAIROS_LSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"
#include "doc.h"
#include "kairos/json.h"
#include "kairos/loop.h"
#include "kairos/model.h"
#include "kairos/rpc.h"
#include "kairos/text.h"

/* What the client said it supports in initialize. */
struct client_caps {
	bool pull_diagnostics;     /* textDocument.diagnostic */
	bool diagnostic_refresh;   /* workspace.diagnostics.refreshSupport */
	bool work_done_progress;   /* window.workDoneProgress */
	bool resolve_edit;         /* codeAction.resolveSupport.properties has "edit" */
	bool code_action_literals; /* codeActionLiteralSupport */
	bool configuration;        /* workspace.configuration */
	bool show_message;
	bool related_info;
};

struct config {
	bool proactive;
	char *memory_dir;
	int tick_min_inactivity_ms;
	int tick_max_suggestions;
	bool cochange;
	int64_t dream_idle_ms;
	double dream_min_hours;
	int dream_min_signals;
	struct model_config llm;
};

struct server;
typedef void (*server_reply_fn)(struct server *s, struct rpc_msg *reply, void *ud);

struct pending_out {
	long long id;
	server_reply_fn fn;
	void *ud;
};

/* A request whose answer comes later (e.g. kairos.dream waiting). */
struct deferred {
	char *id;     /* raw JSON id */
	char *method;
	bool cancelled;
};

struct queued {
	char *body;
	size_t len;
};

struct server {
	struct loop *loop;
	struct rpc_reader rd;
	int in_fd, out_fd;
	bool got_initialize, got_initialized, got_shutdown;
	int exit_code;
	enum text_enc enc;
	struct client_caps caps;
	struct config cfg;
	char *root;          /* workspace root path, normalised */
	struct doc_set docs;
	int trace;           /* 0 off, 1 messages, 2 verbose */
	long long next_id;
	struct pending_out *pending;
	size_t npending, cappending;
	struct queued *queue;
	size_t nqueue, capqueue, qhead;
	struct deferred *deferred;
	size_t ndeferred, capdeferred;
	struct loop_timer idle_timer;
	uint64_t last_activity_ms;
	struct lsp_features *feat; /* per-feature state, see lsp_features.c */
	struct proxy *proxy;       /* proxy mode (kairos lsp -- CMD), else NULL */
};

/* Outgoing messages (body_json is one encoded JSON value, or NULL for null). */
void server_reply(struct server *s, const char *id, size_t id_len, const char *result_json, size_t n);
void server_reply_error(struct server *s, const char *id, size_t id_len, int code, const char *msg);
void server_notify(struct server *s, const char *method, const char *params_json, size_t n);
/* Sends a request to the client; fn (may be NULL) gets the reply. */
long long server_request(struct server *s, const char *method, const char *params_json, size_t n,
			 server_reply_fn fn, void *ud);
/* Keeps m's id for a later answer; returns the handle (the stored id
 * string) to pass to server_finish_deferred, which answers (result JSON,
 * or err_code != 0 with err_msg) unless the client cancelled it meanwhile
 * (then the core has already answered -32800), and forgets it. */
char *server_defer(struct server *s, struct rpc_msg *m);
void server_finish_deferred(struct server *s, const char *handle, const char *result, size_t n,
			    int err_code, const char *err_msg);
/* Frames and writes one message to the editor as it is, past the proxy's
 * merge hook (for the proxy's own output). */
void server_send_raw(struct server *s, const char *body, size_t len);
/* window/logMessage (type 1 error .. 4 log) and stderr for errors. */
void server_log(struct server *s, int type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void server_show(struct server *s, int type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Handlers. A request handler writes exactly one JSON value into res and
 * returns 0, or returns an RPC error code (negative) with *err set to a
 * static or kr_errmsg() message, or SERVER_DEFERRED (it keeps the id and
 * answers later with server_reply). */
#define SERVER_DEFERRED 1
typedef int (*lsp_request_fn)(struct server *s, struct rpc_msg *m, struct jw *res, const char **err);
typedef void (*lsp_notify_fn)(struct server *s, struct rpc_msg *m);

/* lsp_config.c */
void config_defaults(struct config *c);
void config_dispose(struct config *c);
/* Applies the keys present in object obj (absent keys keep their value). */
void config_apply(struct config *c, const struct json *j, int obj);

/* lsp_documents.c */
void lsp_did_open(struct server *s, struct rpc_msg *m);
void lsp_did_change(struct server *s, struct rpc_msg *m);
void lsp_did_save(struct server *s, struct rpc_msg *m);
void lsp_did_close(struct server *s, struct rpc_msg *m);
/* Reads a Position object; false when malformed. */
bool lsp_read_pos(const struct json *j, int obj, struct doc_pos *out);

/* Per-area state, each defined privately by its lsp_<area>.c. */
struct lsp_features {
	struct lsp_dream *dream;
	struct lsp_memory *memory;
	struct lsp_tick *tick;
	struct lsp_model *model;
};

/* lsp_progress.c: one work done progress; inactive (and silent) when the
 * client did not advertise window.workDoneProgress. */
struct progress {
	char token[32];
	bool active;
};
bool progress_begin(struct server *s, struct progress *p, const char *title, bool cancellable);
void progress_report(struct server *s, struct progress *p, const char *message, int percentage);
void progress_end(struct server *s, struct progress *p, const char *message);

/* lsp_dream.c */
void dream_lsp_init(struct server *s);
void dream_lsp_dispose(struct server *s);
bool dream_lsp_running(struct server *s);
void dream_lsp_activity(struct server *s);
/* Starts a dream child (or joins the running one); waiter is a deferred
 * handle (server_defer) to answer with the report, or NULL. */
int dream_lsp_start(struct server *s, bool force, bool dry_run, const char *waiter);
int dream_lsp_command(struct server *s, struct rpc_msg *m, int args, const char **err);
void lsp_idle(struct server *s, struct rpc_msg *m);
void lsp_progress_cancel(struct server *s, struct rpc_msg *m);

/* lsp_memory.c */
struct store_set;
void memory_lsp_init(struct server *s);
void memory_lsp_open(struct server *s);
void memory_lsp_dispose(struct server *s);
struct store_set *memory_lsp_set(struct server *s); /* NULL until open */
unsigned memory_lsp_generation(struct server *s);
bool memory_lsp_check(struct server *s);
bool memory_lsp_check_throttled(struct server *s, bool throttled);
void memory_lsp_reload(struct server *s);
const char *memory_lsp_problem(struct server *s, const char *path);
int memory_lsp_remember(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err);
/* The remember command's work, with an optional proposal from a model
 * (name, description, type; any may be NULL). */
int memory_lsp_remember_with(struct server *s, const struct json *j, int args, const char *pname,
			     const char *pdesc, const char *ptype, struct jw *w, const char **err);
int memory_lsp_forget(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err);
int memory_lsp_list(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err);
int memory_lsp_undo(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err);

/* lsp_tick.c */
struct suggestion;
struct suggestion_list;
void tick_lsp_init(struct server *s);
void tick_lsp_dispose(struct server *s);
void tick_lsp_doc_changed(struct server *s, struct doc *d);
void tick_lsp_doc_closed(struct server *s, const char *uri);
void tick_lsp_memory_changed(struct server *s);
void tick_lsp_before_edit(struct server *s, struct doc *d, struct doc_pos a, struct doc_pos b,
			  const char *text, size_t len);
void tick_lsp_refresh_cochange(struct server *s);
/* Adds a model's suggestions to d (dropped at d's next change). */
void tick_lsp_add_model(struct server *s, struct doc *d, struct suggestion_list *l);
/* The relative path kairos uses for d (NULL for non-file URIs). */
const char *tick_lsp_rel_path(struct server *s, const struct doc *d);
struct suggestion *tick_lsp_find(struct server *s, const char *id, struct doc **doc_out);
struct suggestion *tick_lsp_nth_on_line(struct server *s, const struct doc *d, size_t line, size_t k);
void tick_lsp_write_diagnostic(struct server *s, struct jw *w, const struct doc *d,
			       const struct suggestion *g);
int tick_lsp_pull(struct server *s, struct rpc_msg *m, struct jw *w, const char **err);
int tick_lsp_command(struct server *s, struct rpc_msg *m, struct jw *w, const char **err);
int tick_lsp_feedback(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err);

/* lsp_actions.c */
int actions_lsp_code_action(struct server *s, struct rpc_msg *m, struct jw *w, const char **err);
int actions_lsp_resolve(struct server *s, struct rpc_msg *m, struct jw *w, const char **err);

/* lsp_commands.c */
void commands_lsp_capabilities(struct jw *w);
int commands_lsp_execute(struct server *s, struct rpc_msg *m, struct jw *w, const char **err);

/* lsp_model.c: the optional language model (model.h) in the server. */
void model_lsp_init(struct server *s);
void model_lsp_dispose(struct server *s);
void model_lsp_configure(struct server *s);
struct model *model_lsp_engine(struct server *s); /* NULL when none is configured */
/* After a tick computed d: asks the model about d's changed lines. */
void model_lsp_after_tick(struct server *s, struct doc *d, long lo, long hi);
void model_lsp_doc_changed(struct server *s, struct doc *d);
/* The at most n memories most relevant to text in file (rel path). */
size_t model_lsp_pick(struct server *s, const char *rel, const char *text,
		      struct model_memory *out, size_t n);
int model_lsp_remember(struct server *s, struct rpc_msg *m, int args);
bool model_lsp_offers_improve(struct server *s);
int model_lsp_improve(struct server *s, struct rpc_msg *m, const char **err);

/* lsp_inspect.c */
int lsp_document_state(struct server *s, struct rpc_msg *m, struct jw *res, const char **err);

/* Feature hooks (lsp_features.c): called by the core. */
void features_init(struct server *s);
void features_dispose(struct server *s);
void features_initialized(struct server *s);
void features_doc_changed(struct server *s, struct doc *d);
void features_doc_closed(struct server *s, const char *uri);
void features_doc_saved(struct server *s, struct doc *d);
/* Before an incremental edit is applied (to learn hand replacements). */
void features_before_edit(struct server *s, struct doc *d, struct doc_pos a, struct doc_pos b,
			  const char *text, size_t len);
void features_activity(struct server *s);
/* Memory changed (remember, forget, undo, a dream, a hand edit): reload
 * the stores and republish what depends on them. */
void features_memory_changed(struct server *s);
/* The configuration changed (workspace/didChangeConfiguration). */
void features_config_changed(struct server *s);
/* Adds feature capabilities to the initialize result (inside the
 * capabilities object). */
void features_capabilities(struct server *s, struct jw *w);
extern const struct lsp_request_entry {
	const char *method;
	lsp_request_fn fn;
} features_requests[];
extern const size_t features_nrequests;
extern const struct lsp_notify_entry {
	const char *method;
	lsp_notify_fn fn;
} features_notifications[];
extern const size_t features_nnotifications;

#endif
