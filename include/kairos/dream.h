/* dream: the consolidation pass over one writable store (protocol/dream.md,
 * ../shared/spec/memory-format.md "What a dream may change, precisely").
 *
 * A dream is a pipeline over one in-memory snapshot of the store:
 *   orient       lock, gates, load the store
 *   gather       journal, expiry and refs (repository), relative dates
 *   consolidate  duplicates, contradictions, promotion from the journal
 *   prune        expired memories and missing refs
 *   index        the write step: one store transaction, one commit
 * Every phase only records decisions in the snapshot; nothing touches the
 * disk before the write step, so a cancelled or dry-run dream changes
 * nothing. The engine knows nothing of LSP or the command line. */
#ifndef KAIROS_DREAM_H
#define KAIROS_DREAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"
#include "kairos/memory.h"
#include "kairos/store.h"

/* ---- public API -------------------------------------------------------- */

/* Progress between phases: phase is "orient", "gather", "consolidate",
 * "prune", "index" or "done"; pct 0..100. Called on the dreaming thread. */
typedef void (*dream_progress_fn)(void *ctx, const char *phase, int pct, const char *msg);

struct dream_opts {
	bool force;          /* skip the gates (not the lock) */
	bool dry_run;        /* report what would change; write nothing */
	double min_hours;    /* dream.minHours (default 24) */
	int min_signals;     /* dream.minSignals (default 5) */
	int64_t now;         /* the dream's time; 0: time(NULL) */
	const char *workspace; /* for refs (git HEAD + work tree); NULL: refs not checked */
	dream_progress_fn progress;
	void *progress_ctx;
	atomic_int *cancel;  /* set non-zero (any thread) to stop; NULL: never */
	/* operations proposed by a model, applied after the deterministic
	 * consolidation in the same commit (dream_apply's rules) */
	const struct dream_opin *ops;
	size_t nops;
};

/* dream_opts with the defaults of protocol.md. */
void dream_opts_init(struct dream_opts *o);

enum dream_op {
	DREAM_OP_MERGE = 0, /* name: survivor; names: absorbed */
	DREAM_OP_SUPERSEDE, /* name: winner; other: loser; why */
	DREAM_OP_PRUNE,     /* name; why */
	DREAM_OP_DATE,      /* name; why ("yesterday" -> 2026-03-01) */
	DREAM_OP_PROMOTE,   /* name: the new memory; why; names: journal line numbers */
	DREAM_OP_REFS,      /* name; other: old path; why: new path */
	DREAM_OP_KEEP,      /* names (model's keep); why */
};

struct dream_action {
	enum dream_op op;
	char *name;
	char *other;
	char *why;
	struct strv names;
};

/* A pair the deterministic dream could not decide (for a model). */
/* The report lists at most this many undecided pairs. */
#define DREAM_MAX_PAIRS 1000

struct dream_pair {
	char *a, *b;
	char *kind;  /* "similar" (alike, not duplicates) or "conflict?" */
	double score; /* Jaccard of content words */
};

struct dream_report {
	bool ran;            /* false: a gate held it back (skipped says which) */
	char *skipped;       /* NULL, or why it did not run */
	bool changed;
	int merged, contradictions, pruned, dates_fixed, promoted, kept, archived;
	int64_t duration_ms;
	char commit[41];     /* "" when nothing was committed (JSON null) */
	struct dream_action *actions;
	size_t nactions, capactions;
	struct dream_pair *pairs; /* undecided: for a model */
	size_t npairs, cappairs;
	struct store_problem *problems; /* invalid files, left untouched */
	size_t nproblems;
	struct strv consumed; /* journal lines consumed (raw) */
};

/* Runs one dream over st (writable store). Returns 0 when it ran (also
 * when a gate held it back: out->ran false), KR_EBUSY when another dream
 * holds the lock ("a dream is already running (pid N)"), KR_ECANCEL when
 * cancelled (nothing written), another KR_* when it could not run (read
 * only store, ...: the store is left as it was). out is always filled and
 * must be disposed. */
int dream_run(struct dream_report *out, struct store *st, const struct dream_opts *o);
void dream_report_dispose(struct dream_report *r);
/* Appends the report as the JSON object of protocol.md. */
int dream_report_json(const struct dream_report *r, struct buf *out);
/* "merged 3, resolved 1 contradiction, retired 2 stale memories" or
 * "nothing to change" (for showMessage and the CLI). */
int dream_report_summary(const struct dream_report *r, struct buf *out);

/* Operations proposed from outside (a model): applied through the same
 * pipeline and rules (lock, archive never delete, survivor = the newest,
 * keeps every sentence, one commit). */
struct dream_opin {
	enum dream_op op;   /* DREAM_OP_MERGE, DREAM_OP_SUPERSEDE or DREAM_OP_KEEP */
	char *into;         /* merge */
	struct strv from;   /* merge; keep: names */
	char *winner, *loser; /* supersede */
	char *reason;
};
/* Parses the model reply of protocol.md ({"operations": [...]}, optionally
 * inside one fenced code block). Malformed operations are skipped. */
int dream_ops_parse(struct dream_opin **out, size_t *n, const char *text, size_t len);
void dream_ops_free(struct dream_opin *ops, size_t n);
/* Applies ops (names that do not exist are dropped; a supersede whose
 * winner is older than its loser is dropped). No gates. */
int dream_apply(struct dream_report *out, struct store *st, const struct dream_opts *o,
		const struct dream_opin *ops, size_t n);

/* The lock of a store (<dir>/.lock, "pid start\n"; flock held while the
 * dream runs; stale when its process is dead or it is over 60 min old). */
struct dream_lock {
	int fd;
	char *path;
};
int dream_lock_take(struct dream_lock *l, const char *store_dir);
void dream_lock_release(struct dream_lock *l);
/* KR_EBUSY (with the message) when a live dream holds the lock, else 0.
 * Creates nothing. */
int dream_lock_check(const char *store_dir);

/* ---- the snapshot and the phases (internal, exposed for unit tests) ---- */

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
};

struct dream_snap {
	struct mem_list mems;  /* active memories, sorted by name (owned) */
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
bool dream_cancelled(const struct dream_snap *s);
/* Archives item i (reason, superseded_by may be NULL). */
void dream_snap_retire(struct dream_snap *s, size_t i, const char *reason,
		       const char *superseded_by);
/* Merges absorbed into survivor: sentences the survivor lacks appended,
 * scope and refs united; absorbed retired. */
void dream_snap_merge(struct dream_snap *s, size_t survivor, size_t absorbed);
/* True when a is newer than b (updated, then created, then name). */
bool dream_newer(const struct mem *a, const struct mem *b);

void dream_report_action(struct dream_report *r, enum dream_op op, const char *name,
			 const char *other, const char *why);
struct dream_action *dream_report_last(struct dream_report *r);
void dream_report_pair(struct dream_report *r, const char *a, const char *b, const char *kind,
		       double score);

/* Phases. Each returns 0 or KR_ECANCEL. */
int dream_dates(struct dream_snap *s);    /* relative dates -> YYYY-MM-DD */
int dream_dedup(struct dream_snap *s);    /* exact + near duplicates */
int dream_contra(struct dream_snap *s);   /* contradictions */
int dream_mark_stale(struct dream_snap *s); /* expires, refs (renames followed) */
int dream_prune(struct dream_snap *s);    /* archives what mark_stale found */
/* journal lines (raw, in order; lineno 1-based) -> promotions */
int dream_promote(struct dream_snap *s, const char *const *lines, const size_t *linenos,
		  size_t n);

/* Text helpers shared by the phases. */
/* The statement: description + body without **Why:** / **How to apply:**
 * lines (malloc'd). */
char *dream_statement(const struct mem *m);
/* Tokens of normalised text (NFKC casefold; contractions expanded;
 * punctuation dropped; code and quoted spans one token each). */
enum dream_tok_kind { DT_WORD = 0, DT_NUM, DT_CODE, DT_QUOTE, DT_END /* sentence end */ };
struct dream_tok {
	enum dream_tok_kind kind;
	char *s;
};
struct dream_toks {
	struct dream_tok *v;
	size_t n, cap;
};
int dream_tokenize(const char *text, size_t len, struct dream_toks *out);
/* An inline code span opening at s[i] (a run of backticks, *run of
 * them): the index of its closing run of the same length, or n when it
 * never closes (then the backticks are plain text). */
size_t dream_code_span(const char *s, size_t n, size_t i, size_t *run);
void dream_toks_dispose(struct dream_toks *t);
bool dream_stopword(const char *w);
/* Relative dates rewritten in body text; returns a malloc'd new body or
 * NULL when nothing changed; *count phrases, why (appended) lists them. */
char *dream_fix_dates(const char *body, int64_t created, int *count, struct buf *why);
/* uint64 -> size_t map (key 0 is stored as 1). put: *isnew tells whether
 * the key was inserted (its value is then SIZE_MAX). */
struct dream_map {
	uint64_t *k;
	size_t *v;
	size_t cap, n;
};
size_t *dream_map_put(struct dream_map *m, uint64_t key, bool *isnew);
size_t *dream_map_get(const struct dream_map *m, uint64_t key);
void dream_map_dispose(struct dream_map *m);
/* 64-bit string hash (FNV-1a then mixed). */
uint64_t dream_hash(const char *s, size_t n);

#endif
