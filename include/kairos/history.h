/* history: one git repository per store, outside the store directory
 * (memory-format.md "History"), written with libgit2 loaded on first use
 * (gitops.h). */
#ifndef KAIROS_HISTORY_H
#define KAIROS_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct history_entry {
	char id[41];
	int64_t time;
	char *message;
};

/* Path of store_dir's history repository (malloc'd), or NULL when it
 * does not fit a line's cap (kr_errmsg() says so). */
char *history_repo_path(const char *store_dir);
/* Commits the store directory as it is now (all files but .lock), when it
 * differs from the last commit. id_out (41 bytes) gets the new commit, or
 * "" when nothing changed. The first call also records the store as it
 * was found. */
int history_commit(const char *store_dir, const char *message, char *id_out);
/* Newest first; free with history_entries_free. */
int history_log(const char *store_dir, struct history_entry **out, size_t *n);
void history_entries_free(struct history_entry *e, size_t n);
/* Restores the store to its state before the last commit, byte for byte,
 * and records that as a new commit (undoing an undo redoes). */
int history_undo(const char *store_dir, char *id_out);

#endif
