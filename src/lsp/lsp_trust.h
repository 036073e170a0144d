/* lsp_trust: workspace trust in the server (trust.h; protocol/trust.md).
 * Which stores' memories may offer edits and instruct a model now, the
 * kairos.trust command, and one window/showMessage per session when the
 * workspace holds team memories and is not trusted. The decision is read
 * from disk each time it is asked (one small file: `kairos trust` in a
 * terminal counts at once). The editor's own trust (editorTrust) can
 * only withhold trust for the session, never grant it; granting takes
 * kairos.trust or `kairos trust`, which record it. Part of the bottom
 * half, beside lsp_stores: features ask it, it names none of them. */
#ifndef KAIROS_LSP_TRUST_H
#define KAIROS_LSP_TRUST_H

#include <stdbool.h>

#include "lsp_session.h"
#include "kairos/mem.h"

/* Registers the hook that says, once, that the workspace is not trusted. */
void lsp_trust_init(struct lsp_session *s);
void lsp_trust_dispose(struct lsp_session *s);
/* out[kind], for every enum mem_store: whether that store's memories may
 * offer edits and speak to a model as instructions now. */
void lsp_trust_stores(struct lsp_session *s, bool out[STORE_COUNT]);
/* The same for one store kind; a suggestion with no memory (-1) is
 * kairos's own and trusted. */
bool lsp_trust_store(struct lsp_session *s, int kind);
/* kairos.trust {revoke?: true} -> {trusted: BOOL} for the server's
 * workspace, recorded for every later session and tool. */
int lsp_trust_command(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		      const char **err);

#endif
