/* lsp_actions: code actions. For a kairos diagnostic whose memory has a
 * fix: a quickfix with the edit, whose command reports the acceptance;
 * for every kairos diagnostic: "Don't suggest this again"; for a
 * non-empty selection: "Remember this…" (and, with a model, "Improve this
 * per memory…"). Diagnostics are matched by their data.id, never by range
 * (Neovim 0.7 sends ranges in bytes). The edit is left to
 * codeAction/resolve only for clients that resolve "edit" (eglot 1.9
 * never resolves). */
#ifndef KAIROS_LSP_ACTIONS_H
#define KAIROS_LSP_ACTIONS_H

#include "lsp_session.h"

/* textDocument/codeAction */
int lsp_actions_code_action(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err);
/* codeAction/resolve */
int lsp_actions_resolve(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err);

#endif
