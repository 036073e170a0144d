/* tick: the engine that turns memory into suggestions for one document,
 * with no protocol in sight. The server runs it on a tick, `kairos check`
 * over files; both get the same results for the same text and memories.
 *
 * A suggestion's id is stable: a hash of its kind, the memory (store and
 * name), the document's workspace-relative path, the matched line's
 * content with white space normalised (runs folded to one space, ends
 * trimmed) and which match of that memory on that line it is. Moving the
 * line, re-indenting or retyping it keeps the id; so a rejection (keyed
 * by id) sticks to "this memory at this place". See protocol/tick.md. */
#ifndef KAIROS_TICK_H
#define KAIROS_TICK_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/repo.h"
#include "kairos/rules.h"

#define SUGGESTION_ID_LEN 16 /* hex digits */

struct suggestion {
	char id[SUGGESTION_ID_LEN + 1];
	const char *kind;   /* "rule", "co-change" or "model" (static strings) */
	char *memory;       /* memory name; NULL for a suggestion with no memory */
	int store;          /* enum mem_store of the memory; -1 when memory is NULL */
	char *path;         /* the document, workspace-relative */
	size_t line;        /* 0-based */
	size_t start, end;  /* byte offsets in the line, end exclusive */
	int severity;       /* enum mem_severity (LSP DiagnosticSeverity) */
	char *message;
	char *fix;          /* replacement text for [start, end), or NULL */
	char *mem_path;     /* absolute path of the memory file, or NULL */
	int specificity;    /* 1 when the memory has a scope, else 0 (ranking) */
};

struct suggestion_list {
	struct suggestion *v;
	size_t n, cap;
};

void tick_suggestion_dispose(struct suggestion *s);
void tick_suggestion_list_dispose(struct suggestion_list *l);
/* Removes element i (disposing it), keeping the order of the rest. */
void tick_suggestion_list_remove(struct suggestion_list *l, size_t i);

/* Answers whether the suggestion with this id was rejected for good
 * (feedback_suppressed fits). */
typedef bool (*tick_suppressed_fn)(void *ctx, const char *id);

struct tick_ctx {
	const struct rules *rules;     /* may be NULL: no rule suggestions */
	tick_suppressed_fn suppressed; /* may be NULL: nothing suppressed */
	void *suppressed_ctx;
	const char *workspace;         /* absolute; refs are checked against it; NULL: not checked */
};

#define TICK_SKIPPED 1 /* tick_document: the document is not text, or not for us */

/* Appends every suggestion for the document at path (workspace-relative)
 * holding text[0..len): one per rule match, except rejected ones and
 * those of memories whose refs name a file missing from the workspace.
 * Returns 0, TICK_SKIPPED (nothing appended) for a document that is not
 * text or lies in the team store (.kairos/), or a negative error. The
 * list is in position order (line, start). */
int tick_document(struct suggestion_list *out, const struct tick_ctx *c, const char *path,
		  const char *text, size_t len);

/* Not text: holds a NUL byte, or more than a tenth of it is not UTF-8. */
bool tick_is_text(const char *text, size_t len);
/* Paths the tick never looks at (the team store's own files). */
bool tick_path_ignored(const char *path);

/* Sorts most relevant first: severity (error first), then memories with
 * a scope before those without, then kind (rule, co-change, model), then
 * position (path, line, start), then id. */
void tick_rank(struct suggestion_list *l);
/* The per-tick budget: keeps every suggestion for which known(ctx, id)
 * is true (already shown, so not new) and the `budget` most relevant
 * others, drops the rest. known may be NULL (nothing is known); budget 0
 * means no limit. Leaves the list in position order (tick_sort) and
 * returns how many new suggestions it kept. */
size_t tick_select(struct suggestion_list *l, size_t budget, bool (*known)(void *ctx, const char *id),
		   void *ctx);
/* Position order: path, line, start, end, memory name, id. */
void tick_sort(struct suggestion_list *l);

/* Co-change hints (repo_cochange_hints) as suggestions: one per hint, on
 * the first line of the modified file (line 0, start = end = 0: the
 * server may widen it to the line), kind "co-change", severity
 * information, message "X usually changes with Y (N of M commits)".
 * Rejected ones (suppressed) are left out. */
int tick_cochange(struct suggestion_list *out, const struct repo_cochange *hints, size_t n,
		  tick_suppressed_fn suppressed, void *ctx);

/* The id for kind/memory/path/line content/occurrence, as described
 * above (for suggestions made elsewhere, e.g. from a model's reply).
 * out gets SUGGESTION_ID_LEN hex digits and a NUL. */
void tick_make_id(char out[SUGGESTION_ID_LEN + 1], const char *kind, int store, const char *memory,
		  const char *path, const char *line, size_t linelen, unsigned occurrence);

#endif
