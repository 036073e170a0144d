/* lsp_dream: dreams seen from the editor. A dream runs as a child process
 * (`kairos dream --json --progress-fd 3`, the same code path as the
 * command line), so the server keeps answering requests while it runs and
 * never holds the dream's memory. Triggers: LSP_EVENT_IDLE (kairos/idle,
 * or dream.idleMs without activity) and kairos.dream. Progress goes out
 * as work done progress; window/workDoneProgress/cancel stops the child
 * (SIGTERM: the dream writes in one transaction, so nothing is
 * half-written). */
#ifndef KAIROS_LSP_DREAM_H
#define KAIROS_LSP_DREAM_H

#include "lsp_session.h"

/* Registers the idle hook. */
void lsp_dream_init(struct lsp_session *s);
void lsp_dream_dispose(struct lsp_session *s);
/* kairos.dream {force?, dryRun?}: LSP_DEFERRED; the report when it is over. */
int lsp_dream_command(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		      const char **err);
/* window/workDoneProgress/cancel {token} */
void lsp_dream_progress_cancel(struct lsp_session *s, struct rpc_msg *m);

#endif
