/* lsp_memory: the memory commands of workspace/executeCommand:
 * kairos.remember, kairos.forget, kairos.restore, kairos.memories and
 * kairos.undo
 * (protocol.md "Commands"). Each change is one history commit, made
 * before the answer, and then travels as LSP_EVENT_MEMORY_CHANGED. */
#ifndef KAIROS_LSP_MEMORY_H
#define KAIROS_LSP_MEMORY_H

#include "lsp_session.h"

int lsp_memory_remember(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
			const char **err);
int lsp_memory_forget(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		      const char **err);
int lsp_memory_restore(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		       const char **err);
int lsp_memory_list(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		    const char **err);
int lsp_memory_undo(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		    const char **err);

#endif
