/* lsp_tick: the Kairos loop in the server. After a document is opened or
 * changed the tick waits until it has been quiet for tick.minInactivityMs,
 * then runs the tick engine (tick.h) over the documents changed since the
 * last tick and makes the result known: pushed (publishDiagnostics) to
 * clients without pull diagnostics, or announced with
 * workspace/diagnostic/refresh and answered from textDocument/diagnostic
 * for clients with it. While changes keep arriving for a document nothing
 * is published for it, and nothing slow runs: hand edits are noticed on
 * the keystroke and journalled at the tick. Co-change hints come from a
 * child process (`kairos __cochange`), so libgit2 never runs on the
 * typing path. */
#ifndef KAIROS_LSP_TICK_H
#define KAIROS_LSP_TICK_H

#include <stddef.h>

#include "lsp_session.h"
#include "kairos/tick.h"

/* Registers the hooks: documents, memory changes, initialized. */
void lsp_tick_init(struct lsp_session *s);
void lsp_tick_dispose(struct lsp_session *s);
/* The suggestion with this id among the open documents (and its document). */
struct suggestion *lsp_tick_find(struct lsp_session *s, const char *id, struct doc **doc_out);
/* The k-th suggestion on line of d, or NULL. */
struct suggestion *lsp_tick_nth_on_line(struct lsp_session *s, const struct doc *d, size_t line,
					size_t k);
/* textDocument/diagnostic */
int lsp_tick_pull(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err);
/* kairos.tick: a tick now over every open document, published. */
int lsp_tick_command(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		     const char **err);
/* kairos.feedback {id, verdict} */
int lsp_tick_feedback(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		      const char **err);

#endif
