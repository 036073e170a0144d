/* lsp_inspect: kairos/documentState, the server's view of an open
 * document, for editor integration tests and for debugging a client's
 * synchronisation ("what does kairos think my buffer holds?"). */
#ifndef KAIROS_LSP_INSPECT_H
#define KAIROS_LSP_INSPECT_H

#include "lsp_session.h"

int lsp_inspect_document_state(struct lsp_session *s, struct rpc_msg *m, struct jw *w,
			       const char **err);

#endif
