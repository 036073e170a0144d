/* journal: journal.jsonl, short-term observations of a store, one JSON
 * object per line, appended atomically (O_APPEND, one write per line),
 * bounded in size (old lines rolled into history). */
#ifndef KAIROS_JOURNAL_H
#define KAIROS_JOURNAL_H

#include <stddef.h>

#include "kairos/buf.h"

/* Appends {"ts": now, "kind": kind, <fields>} where fields is a list of
 * already-encoded JSON members without braces ("\"uri\":\"x\",\"line\":3")
 * or NULL. Text in fields is redacted first. */
int journal_append(const char *store_dir, const char *kind, const char *fields);

struct journal_entry {
	char *line;     /* the raw line, without newline */
	size_t lineno;  /* 1-based */
};

/* Reads every line; lines that do not parse are returned too (the caller
 * decides), never dropped. */
int journal_read(const char *store_dir, struct journal_entry **out, size_t *n);
void journal_entries_free(struct journal_entry *e, size_t n);

/* Past this size the older half is rolled into history. */
#define JOURNAL_MAX_BYTES ((size_t)1 << 20)
/* Changes that bound (0: back to JOURNAL_MAX_BYTES); for tests. */
void journal_set_max(size_t bytes);

#endif
