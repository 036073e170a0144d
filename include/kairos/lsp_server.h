/* lsp_server: the language server (kairos lsp) as the command line sees
 * it: made, optionally given a filter between it and the editor (the
 * proxy of `kairos lsp -- CMD`), run until exit or the end of input. */
#ifndef KAIROS_LSP_SERVER_H
#define KAIROS_LSP_SERVER_H

#include "kairos/lsp_filter.h"

struct lsp_server;

/* A server on stdin/stdout; from here on fd 1 is the server's alone
 * (what else writes to stdout goes to stderr). Never NULL. */
struct lsp_server *lsp_server_new(void);
/* What the server lends a filter (valid until lsp_server_free). */
void lsp_server_host(struct lsp_server *srv, struct lsp_filter_host *out);
/* Installs f (copied); its free runs at the end of the session. */
void lsp_server_set_filter(struct lsp_server *srv, const struct lsp_filter *f);
/* Serves until exit or end of input; returns the process exit code. */
int lsp_server_run(struct lsp_server *srv);
void lsp_server_free(struct lsp_server *srv);

#endif
