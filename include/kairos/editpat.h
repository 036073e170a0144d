/* editpat: hand replacements seen in a document's incremental changes,
 * for the journal's `edit_pattern` entries. A replacement is one
 * sequence of tokens (word-like runs of letters, digits, `_` and
 * non-ASCII bytes; every other non-blank byte is a token of its own)
 * replaced by another, each side holding at least one word-like token
 * (`malloc` -> `xmalloc`; punctuation replaced by punctuation takes the
 * nearest words on both sides along: `foo.bar` -> `foo->bar`). Not replacements:
 * pure insertions or deletions of tokens, white-space-only changes, and
 * typing in progress (one side a prefix of the other: `mal` -> `mall`).
 *
 * Typing arrives one keystroke at a time, so a per-document tracker
 * compares a line as it was before the person started on it with the
 * line as it is when they stop (leave the line, pause for a tick, close
 * the document): selecting `foo` and typing `bar` is foo -> bar, not
 * foo -> b. Edits kairos made itself (an applied quick fix) are never
 * reported. */
#ifndef KAIROS_EDITPAT_H
#define KAIROS_EDITPAT_H

#include <stddef.h>

#define EDITPAT_MAX_TOKENS 8    /* per side */
#define EDITPAT_MAX_BYTES 200   /* per side */

struct editpat {
	char *before, *after; /* malloc'd */
	size_t line;          /* 0-based line of the change */
};

void editpat_dispose(struct editpat *e);

/* Compares one line before and after: 1 and *out filled (out->line 0)
 * when it is a replacement, else 0. */
int editpat_diff(struct editpat *out, const char *before, size_t blen, const char *after,
		 size_t alen);

struct editpat_tracker;

struct editpat_tracker *editpat_tracker_new(void);
void editpat_tracker_free(struct editpat_tracker *t);

/* A change confined to one line: its text before and after (without
 * the line break). Returns 1 with *out filled when the change moved to
 * another line and the edit left behind there is a replacement. */
int editpat_change(struct editpat_tracker *t, struct editpat *out, size_t line, const char *before,
		   size_t blen, const char *after, size_t alen);
/* Closes the pending edit: call when the document has been quiet (at
 * the tick), before a change that spans lines (line numbers move), and
 * when the document closes. Returns 1 with *out when it is a
 * replacement. */
int editpat_flush(struct editpat_tracker *t, struct editpat *out);

/* kairos itself changed `line` (an applied quick fix), which reads
 * `expected` afterwards. Works in both orders clients use: the change
 * already seen (it is then forgotten) or still to come (the change that
 * makes the line read `expected` is then not the person's). */
void editpat_own_edit(struct editpat_tracker *t, size_t line, const char *expected, size_t n);
/* The expected line of a quick fix: line with [start, end) replaced by
 * fix (malloc'd, *n_out its length). */
char *editpat_apply_fix(const char *line, size_t len, size_t start, size_t end, const char *fix,
			size_t *n_out);

#endif
