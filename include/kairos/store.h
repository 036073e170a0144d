/* store: the memory stores of a workspace (user, personal, team, and the
 * read-only imports), loading them and changing them safely. Every change
 * goes through a transaction: files written atomically, MEMORY.md rebuilt,
 * one history commit, under a write lock that serialises processes. */
#ifndef KAIROS_STORE_H
#define KAIROS_STORE_H

#include <stdbool.h>

#include "kairos/mem.h"
#include "kairos/store_problem.h"

struct store {
	enum mem_store kind;
	char *dir;        /* absolute; may not exist yet */
	bool writable;
};

struct store_set {
	char *workspace;               /* absolute, normalised, no trailing slash */
	struct store stores[STORE_COUNT]; /* indexed by enum mem_store; dir NULL when unused */
	struct mem_list mems;          /* active memories of every store and import */
	struct store_problem *problems;
	size_t nproblems;
};

/* Resolves the store directories of workspace (see memory-format.md):
 * memory_dir, when not NULL, replaces the personal store; only_memory_dir
 * (the CLI's --memory-dir) leaves every other store out. */
int store_set_open(struct store_set *out, const char *workspace, const char *memory_dir,
		   bool only_memory_dir);
/* (Re)loads every store and import into s->mems, replacing what it held;
 * invalid files are listed in s->problems, never changed. */
int store_set_load(struct store_set *s);
void store_set_dispose(struct store_set *s);
struct store *store_set_get(struct store_set *s, enum mem_store kind);
/* The problem of an invalid file <name>.md in any store of s as last
 * loaded (to say why no memory of that name is there), or NULL. */
const struct store_problem *store_set_problem(const struct store_set *s, const char *name);

/* Loads one store's active memories (and, when archive is true, also the
 * memories under archive/ with m->archived set). */
int store_load(const struct store *st, struct mem_list *out, bool archive,
	       struct store_problem **problems, size_t *nproblems);

struct store_txn;
/* Takes the store's write lock (waiting for other processes) and commits
 * any hand edit not yet recorded, so that nothing is lost. */
int store_txn_begin(struct store_txn **out, struct store *st);
/* Writes m as <dir>/<m->name>.md (redacted, atomically). */
int store_txn_write(struct store_txn *t, const struct mem *m);
/* Moves the memory named name to archive/<name>.md, adding archived_at,
 * archived_reason and (when not NULL) superseded_by. When that file is
 * there already (an older archived copy), the new one is
 * archive/<name>~N.md with the smallest free N from 2; the name inside
 * stays <name> either way (memory-format.md "Archive names"). */
#define STORE_ARCHIVE_COPIES_MAX 100000
int store_txn_archive(struct store_txn *t, const char *name, const char *reason,
		      const char *superseded_by);
/* Moves the archived copy archive/<archived_file> (whose name must be
 * name) back to <name>.md without archived_reason, archived_at and
 * superseded_by, the rest of it as it was. KR_EEXISTS when <name>.md is
 * there already (an active memory, or a file of that name). */
int store_txn_restore(struct store_txn *t, const char *name, const char *archived_file);
/* Rebuilds MEMORY.md, commits everything to history with message, and
 * releases the lock. commit_out (41 bytes) gets the commit id, or "" when
 * nothing changed. When anything fails (the index, the commit: a full
 * disk, a read-only file system), every file the transaction changed is
 * put back as it was, and the message says what failed. The transaction
 * is freed in every case. */
int store_txn_commit(struct store_txn *t, const char *message, char *commit_out);
/* Puts every file the transaction changed back as it was, and frees it
 * (a change abandoned half way leaves nothing behind). */
void store_txn_abort(struct store_txn *t);
/* The text of that index (appended to out); MEMORY.md holds exactly this.
 * Lines: "- [description](name.md) — type", grouped by type in the order
 * user, feedback, project, reference, newest first; at most
 * STORE_INDEX_MAX_LINES lines and STORE_INDEX_MAX_BYTES bytes, the last
 * line naming how many memories were left out when the cap bites. */
#define STORE_INDEX_MAX_LINES 200
#define STORE_INDEX_MAX_BYTES 25000
int store_index_text(const struct store *st, const struct mem_list *mems, struct buf *out);
/* The text MEMORY.md gets when it holds old (len bytes; NULL: nothing)
 * now (memory-format.md "The index", protocol/memory-store.md): kairos's
 * own index (every line an entry or the cap's note, up to an optional
 * "## Notes" heading) is rebuilt, what follows its heading kept as it is;
 * any other index keeps every line that is not an entry for an active
 * memory of st, under "## Notes" after the entries when the whole fits
 * the cap. When it does not, out is left as it was and *notes gets a new
 * memory holding those lines (type reference, source import): the caller
 * writes it and builds again from the store with old NULL. */
int store_index_build(const struct store *st, const struct mem_list *mems, const char *old,
		      size_t len, struct buf *out, struct mem **notes);

/* Turns a name a person gave (or free text) into a valid name unique in
 * st ("Use 4 spaces!" -> "use-4-spaces"; "x" -> "x-2" when x exists,
 * active or archived); refuses (KR_EINVAL) text that holds a path
 * traversal ("../x", "a/b", "/x") or looks like a credential (redact.h:
 * a name is a file name, an index line and a commit message, and cannot
 * be [REDACTED]). out is malloc'd. (store_name.c) */
int store_name_unique(const struct store *st, const char *text, char **out);

/* Reverts the store's last history commit (history_undo) under the write
 * lock, after recording any hand edit, so that undo never loses one.
 * id_out (41 bytes) gets the new commit. */
int store_undo(struct store *st, char *id_out);

/* Turns free text into a valid, unique name without refusing anything
 * (used for names derived from a memory's text); out is malloc'd. */
int store_name_from_text(const struct store *st, const char *text, char **out);

/* Where the write lock of a store lives (outside the store, beside its
 * state); malloc'd. */
char *store_lock_path(const char *store_dir);

/* The members {name, description, type, store, uri} of a memory as
 * kairos.memories and `kairos memory list --json` show it (inside an
 * object the caller opens and closes). */
struct jw;
void store_index_mem_json(struct jw *w, const struct mem *m);

/* Where the store's warnings go (default: one line on stderr): today, a
 * memory file about to be rewritten held a secret typed by hand, which
 * the rewrite redacts but older history still holds. */
typedef void (*store_warn_fn)(void *ud, const char *msg);
void store_set_warn(store_warn_fn fn, void *ud);
/* Sends one warning there (printf-style). */
void store_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
