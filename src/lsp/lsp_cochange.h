/* lsp_cochange: hints about files that usually change together, from the
 * workspace's git history. They are computed in a child process
 * (`kairos __cochange WORKSPACE`), so libgit2 never runs on the typing
 * path and never in the server's memory; again at `initialized` and
 * after each save (what is modified on disk moved). */
#ifndef KAIROS_LSP_COCHANGE_H
#define KAIROS_LSP_COCHANGE_H

#include "lsp_session.h"
#include "kairos/tick.h"

/* Called for each open document that has hints after they changed. */
typedef void (*lsp_cochange_fn)(struct lsp_session *s, struct doc *d);

/* Registers the hooks; fn hears about new hints. */
void lsp_cochange_init(struct lsp_session *s, lsp_cochange_fn fn);
void lsp_cochange_dispose(struct lsp_session *s);
/* Adds the hints about the file rel to l (none when tick.coChange is off). */
void lsp_cochange_add(struct lsp_session *s, const char *rel, struct suggestion_list *l,
		      tick_suppressed_fn suppressed, void *ud);

#endif
