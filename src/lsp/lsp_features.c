/* lsp_features: the table of kairos's own LSP methods and the hooks the
 * core calls (documents, activity, capabilities). Each feature area lives
 * in its own lsp_<area>.c; this file only wires them together. */
#include "kairos/err.h"
#include "lsp.h"

#include <malloc.h>
#include <stdlib.h>

const struct lsp_request_entry features_requests[] = {
	{"kairos/documentState", lsp_document_state},
	{"textDocument/diagnostic", tick_lsp_pull},
	{"textDocument/codeAction", actions_lsp_code_action},
	{"codeAction/resolve", actions_lsp_resolve},
	{"workspace/executeCommand", commands_lsp_execute},
};
const size_t features_nrequests = ARRAY_LEN(features_requests);

static void on_watched_files(struct server *s, struct rpc_msg *m)
{
	if (memory_lsp_check(s))
		tick_lsp_memory_changed(s);
}

const struct lsp_notify_entry features_notifications[] = {
	{"kairos/idle", lsp_idle},
	{"window/workDoneProgress/cancel", lsp_progress_cancel},
	{"workspace/didChangeWatchedFiles", on_watched_files},
};
const size_t features_nnotifications = ARRAY_LEN(features_notifications);

void features_init(struct server *s)
{
	s->feat = xcalloc(1, sizeof(*s->feat));
	memory_lsp_init(s);
	tick_lsp_init(s);
	dream_lsp_init(s);
	model_lsp_init(s);
}

void features_dispose(struct server *s)
{
	if (!s->feat)
		return;
	model_lsp_dispose(s);
	dream_lsp_dispose(s);
	tick_lsp_dispose(s);
	memory_lsp_dispose(s);
	free(s->feat);
	s->feat = NULL;
}

void features_initialized(struct server *s)
{
	memory_lsp_open(s);
	tick_lsp_refresh_cochange(s);
	dream_lsp_activity(s);
	/* documents opened before the stores were loaded */
	if (s->docs.n)
		tick_lsp_memory_changed(s);
}

void features_capabilities(struct server *s, struct jw *w)
{
	jw_key(w, "codeActionProvider");
	jw_obj(w);
	jw_key(w, "codeActionKinds");
	static const char kinds[] = "[\"quickfix\",\"refactor\",\"source\"]";
	jw_raw(w, kinds, sizeof(kinds) - 1);
	jw_kbool(w, "resolveProvider", true);
	jw_end(w);
	commands_lsp_capabilities(w);
	jw_key(w, "diagnosticProvider");
	jw_obj(w);
	jw_kbool(w, "interFileDependencies", false);
	jw_kbool(w, "workspaceDiagnostics", false);
	jw_end(w);
}

void features_doc_changed(struct server *s, struct doc *d)
{
	if (s->feat)
		tick_lsp_doc_changed(s, d);
}

void features_doc_saved(struct server *s, struct doc *d)
{
	if (!s->feat)
		return;
	if (memory_lsp_check(s))
		tick_lsp_memory_changed(s);
	/* what is modified on disk moved: co-change hints again */
	tick_lsp_refresh_cochange(s);
}

void features_doc_closed(struct server *s, const char *uri)
{
	if (s->feat)
		tick_lsp_doc_closed(s, uri);
}

void features_before_edit(struct server *s, struct doc *d, struct doc_pos a, struct doc_pos b,
			  const char *text, size_t len)
{
	if (s->feat)
		tick_lsp_before_edit(s, d, a, b, text, len);
}

void features_activity(struct server *s)
{
	s->last_activity_ms = loop_now_ms();
	if (s->feat)
		dream_lsp_activity(s);
}

void features_config_changed(struct server *s)
{
	if (s->feat)
		model_lsp_configure(s);
}

void features_memory_changed(struct server *s)
{
	memory_lsp_reload(s);
	tick_lsp_memory_changed(s);
	/* a reload frees a whole store's worth of small objects: give the
	 * pages back rather than keep them for the session */
	malloc_trim(0);
}
