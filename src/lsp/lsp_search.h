/* lsp_search: kairos.search {query, limit?} (protocol/search.md): the
 * memories of every store ranked by relevance, as the kairos.memories
 * objects with a score, best first. */
#ifndef KAIROS_LSP_SEARCH_H
#define KAIROS_LSP_SEARCH_H

#include "lsp_session.h"

int lsp_search_command(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		       const char **err);

#endif
