/* journal: journal.jsonl, short-term observations of a store, one JSON
 * object per line. Appending is cheap and never touches history, so it
 * may run on the keystroke path; keeping the file bounded (rolling its
 * older half into history) is a separate step, journal_roll, for callers
 * that are allowed to block. */
#ifndef KAIROS_JOURNAL_H
#define KAIROS_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/buf.h"
#include "kairos/strv.h"

/* Appends {"ts": now, "kind": kind, <fields>} where fields is a list of
 * already-encoded JSON members without braces ("\"uri\":\"x\",\"line\":3")
 * or NULL. Text in fields is redacted first; KR_EINVAL when the result is
 * not one JSON object on one line. Only appends: one write() on an
 * O_APPEND descriptor under the shared journal lock (held exclusively
 * only while a roll swaps the file: one read and one atomic write), so
 * concurrent writers never interleave. Never takes the store's write
 * lock and never reaches history, however large the file grows. */
int journal_append(const char *store_dir, const char *kind, const char *fields);
/* journal.jsonl is opened relative to the store directory and never
 * through a symbolic link (refused: an error saying so), and only a
 * regular file; a team store's directory is created only inside an
 * existing workspace. */

/* Where journal_append_mark put its line, to take it back. */
struct journal_mark {
	long long at; /* byte offset of the line in the file */
	char *line;   /* the line as written, newline included (owned) */
	bool created; /* the append created the file */
};
/* journal_append, and *mark (may be NULL) says where the line went. */
int journal_append_mark(const char *store_dir, const char *kind, const char *fields,
			struct journal_mark *mark);
/* Takes the line of mark out of the journal (a change that could not be
 * committed leaves no trace): under the exclusive journal lock, only when
 * it is still where it was put (a roll or a dream may have taken it
 * already); every other line stays. */
int journal_retract(const char *store_dir, const struct journal_mark *mark);
void journal_mark_dispose(struct journal_mark *mark);

/* True when the journal of store_dir is larger than the bound, so a
 * journal_roll is due: one stat(), cheap enough for any path. */
bool journal_over_limit(const char *store_dir);

/* When the journal is over the bound: commits it whole to history
 * ("journal: record it before rolling"), keeps its newer half (cut at a
 * line end; lines appended meanwhile stay), and commits that ("journal:
 * roll it"). No line is ever dropped: each line leaves the file only
 * after a commit holds it. Returns 0 when it rolled or nothing was due;
 * KR_EBUSY, changing nothing, when a transaction holds the store's write
 * lock (it never waits for it: try again later). It reaches libgit2, so
 * call it where blocking is allowed (the CLI after its writes, the
 * server at its tick or when idle), never on the keystroke path. */
int journal_roll(const char *store_dir);

struct journal_entry {
	char *line;     /* the raw line, without newline */
	size_t lineno;  /* 1-based */
};

/* Reads every line; lines that do not parse are returned too (the caller
 * decides), never dropped. */
int journal_read(const char *store_dir, struct journal_entry **out, size_t *n);
void journal_entries_free(struct journal_entry *e, size_t n);

/* Rewrites journal.jsonl without the lines in consumed (each removed
 * once, by content), under the exclusive journal lock that appends
 * wait for: a line appended meanwhile is never lost. A dream calls it
 * inside its store transaction. */
int journal_drop(const char *store_dir, const struct strv *consumed);

/* The bound journal_over_limit and journal_roll use. */
#define JOURNAL_MAX_BYTES ((size_t)1 << 20)
/* Changes that bound (0: back to JOURNAL_MAX_BYTES); for tests. */
void journal_set_max(size_t bytes);

#endif
