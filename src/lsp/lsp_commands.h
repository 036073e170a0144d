/* lsp_commands: workspace/executeCommand, dispatched from one table of
 * every kairos.* command (part of the server's top half). The arguments
 * are one object (protocol.md "Commands"); clients that send none get -1. */
#ifndef KAIROS_LSP_COMMANDS_H
#define KAIROS_LSP_COMMANDS_H

#include "lsp_session.h"

/* executeCommandProvider, inside the capabilities object. */
void lsp_commands_capabilities(struct jw *w);
int lsp_commands_execute(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err);

#endif
