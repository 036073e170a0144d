/* lsp_stores: the memory stores as the server holds them, shared by every
 * feature below the commands: loaded at `initialized`, reloaded when
 * kairos changed them (lsp_stores_changed) or when their files changed
 * outside kairos (didSave, didChangeWatchedFiles, a cheap check before a
 * tick: lsp_stores_check records the hand edit in history first). Each
 * reload is followed by LSP_EVENT_MEMORY_CHANGED: the one way "memory
 * changed" travels. Invalid memory files are reported once in the log,
 * and as a diagnostic on the file itself while it is open. */
#ifndef KAIROS_LSP_STORES_H
#define KAIROS_LSP_STORES_H

#include <stdbool.h>

#include "lsp_session.h"
#include "kairos/store.h"

/* Registers the hooks (initialized, didSave). */
void lsp_stores_init(struct lsp_session *s);
void lsp_stores_dispose(struct lsp_session *s);
/* NULL until the stores are open. */
struct store_set *lsp_stores_set(struct lsp_session *s);
/* Bumped on every reload: what was computed from an older one is stale. */
unsigned lsp_stores_generation(struct lsp_session *s);
/* A writable store of that kind (enum mem_store), or NULL. */
struct store *lsp_stores_writable(struct lsp_session *s, int kind);
/* The active memory of that name: in the given store (kind >= 0), or the
 * first of personal, team, user. */
const struct mem *lsp_stores_find(struct lsp_session *s, const char *name, int kind);
/* The problem of an invalid memory file at path, or NULL. */
const char *lsp_stores_problem(struct lsp_session *s, const char *path);
/* kairos changed the stores: reload, then LSP_EVENT_MEMORY_CHANGED. */
void lsp_stores_changed(struct lsp_session *s);
/* When files of a writable store changed outside kairos: records the
 * change in history, then as lsp_stores_changed; true when it did. A
 * throttled check looks at the directories alone, and at every file at
 * most every 2 s. */
bool lsp_stores_check(struct lsp_session *s, bool throttled);
/* Rolls the journals that grew past their bound into history (at the
 * tick or when idle, never on a keystroke: it commits). */
void lsp_stores_roll_journals(struct lsp_session *s);
/* workspace/didChangeWatchedFiles */
void lsp_stores_watched_files(struct lsp_session *s, struct rpc_msg *m);

#endif
