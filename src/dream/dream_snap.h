/* dream_snap: the inside of a dream (src/dream only, and unit tests):
 * the in-memory snapshot every phase works on, the phases, the report
 * they fill, and the pieces of the pipeline (gates and lock, journal
 * surgery, operations from outside). kairos/dream.h is the outside. */
#ifndef KAIROS_DREAM_SNAP_H
#define KAIROS_DREAM_SNAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/dream.h"
#include "dream_stmt.h"

enum dream_state {
	DS_ACTIVE = 0,
	DS_ARCHIVED, /* retired by this dream */
};

struct dream_item {
	enum dream_state state;
	bool dirty;        /* to be written */
	bool body_changed; /* survivor gained sentences: updated = now */
	bool is_new;       /* promoted by this dream */
	bool stale;        /* to be pruned (gather decides, prune archives) */
	char *stale_why;
	char *reason;      /* archive reason */
	char *superseded_by;
	struct dream_stmt *stmt; /* taken apart on first use (dream_snap_stmt) */
};

struct dream_snap {
	struct mem_list mems;  /* active memories, sorted by name (owned) */
	size_t nsorted;        /* the first nsorted are (the rest are new) */
	struct dream_item *it; /* parallel to mems.v */
	size_t capit;
	int64_t now;
	struct dream_report *rep;
	atomic_int *cancel;
	const char *store_dir; /* for promoted names; may be NULL */
	const char *workspace;
	/* journal lines consumed (line numbers, 1-based) */
	size_t *consumed;
	size_t nconsumed, capconsumed;
};

/* Takes ownership of the memories in l (l is emptied). */
void dream_snap_init(struct dream_snap *s, struct mem_list *l, int64_t now,
		     struct dream_report *rep);
void dream_snap_dispose(struct dream_snap *s);
/* Adds a memory (owned) and returns its index. */
size_t dream_snap_add(struct dream_snap *s, struct mem *m);
bool dream_snap_cancelled(const struct dream_snap *s);
/* Archives item i (reason, superseded_by may be NULL). */
void dream_snap_retire(struct dream_snap *s, size_t i, const char *reason,
		       const char *superseded_by);
/* Merges absorbed into survivor: sentences the survivor lacks appended,
 * scope and refs united; absorbed retired. KR_ENOMEM, changing nothing
 * and recording why as a problem of absorbed, when the survivor's body
 * would pass BUF_CAP_MEMFILE (a memory file that could not be read back)
 * or a sentence is too long to compare. */
int dream_snap_merge(struct dream_snap *s, size_t survivor, size_t absorbed);
/* Memory i taken apart (dream_stmt.h), computed once and kept until
 * its text changes; NULL when it cannot be compared (too long). */
const struct dream_stmt *dream_snap_stmt(struct dream_snap *s, size_t i);
/* Frees every kept analysis (they are rebuilt on demand). */
void dream_snap_stmt_release(struct dream_snap *s);
/* True when memory i is active and a phase may judge it (not stale, not
 * new). */
bool dream_snap_live(const struct dream_snap *s, size_t i);
/* True when a is newer than b (updated, then created, then name). */
bool dream_snap_newer(const struct mem *a, const struct mem *b);

void dream_report_action(struct dream_report *r, enum dream_op op, const char *name,
			 const char *other, const char *why);
struct dream_action *dream_report_last(struct dream_report *r);
/* Forgets the last action recorded (one that came to nothing). */
void dream_report_drop_last(struct dream_report *r);
/* Records that the dream left memory m as it was, and why (printf-style),
 * among the report's invalid files, which a dream never changes. */
void dream_report_problem(struct dream_report *r, const struct mem *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void dream_report_pair(struct dream_report *r, const char *a, const char *b, const char *kind,
		       double score);

/* Phases. Each returns 0 or KR_ECANCEL. */
int dream_dates(struct dream_snap *s);    /* relative dates -> YYYY-MM-DD */
int dream_dedup(struct dream_snap *s);    /* near duplicates, pairwise */
int dream_contra(struct dream_snap *s);   /* contradictions, pairwise */
/* Pairs alike but left both active (for a model): the report's
 * `similar`, after dedup and contra. */
int dream_dedup_similar(struct dream_snap *s);
int dream_prune_mark_stale(struct dream_snap *s); /* expires, refs (renames followed) */
int dream_prune(struct dream_snap *s);    /* archives what mark_stale found */
/* journal lines (raw, in order; lineno 1-based) -> promotions */
int dream_promote(struct dream_snap *s, const char *const *lines, const size_t *linenos,
		  size_t n);

/* uint64 -> size_t map (key 0 is stored as 1). put: *isnew tells whether
 * the key was inserted (its value is then SIZE_MAX). */
struct dream_map {
	uint64_t *k;
	size_t *v;
	size_t cap, n;
};
size_t *dream_snap_map_put(struct dream_map *m, uint64_t key, bool *isnew);
size_t *dream_snap_map_get(const struct dream_map *m, uint64_t key);
void dream_snap_map_dispose(struct dream_map *m);

/* ---- the pipeline's pieces ---- */

/* The lock of a store (<dir>/.lock, "pid start\n"; flock held while the
 * dream runs; stale when its process is dead or it is over 60 min old). */
struct dream_lock {
	int fd;
	char *path;
};
int dream_gate_lock(struct dream_lock *l, const char *store_dir);
void dream_gate_unlock(struct dream_lock *l);
/* KR_EBUSY (with the message) when a live dream holds the lock, else 0.
 * Creates nothing. */
int dream_gate_lock_check(const char *store_dir);
/* 1 when a gate (dream.minHours, dream.minSignals) holds the dream back:
 * out->skipped says why, out->kept counts the memories; else 0. */
int dream_gate_check(struct dream_report *out, const struct store *st, const struct dream_opts *o,
		     int64_t now);
/* Records a dream that ran at when in the store's dream.json. */
int dream_gate_record(const char *store_dir, int64_t when, const struct dream_report *r);

/* Applies operations proposed from outside (a model) to the snapshot,
 * under the deterministic dream's rules: names that are not active are
 * dropped, the survivor is the newest, a supersede needs the newer as
 * winner. */
void dream_ops_apply(struct dream_snap *sp, struct dream_report *out, const struct dream_opin *ops,
		     size_t n);

/* Appends "dream: <summary>" then one line per action and the consumed
 * lines; buf_err(b). */
int dream_report_commit_message(const struct dream_report *r, struct buf *b);

#endif
