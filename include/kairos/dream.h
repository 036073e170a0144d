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
 * nothing. The engine knows nothing of LSP or the command line.
 *
 * This header is the dream's face (what the CLI and the server use); the
 * snapshot and the phases are src/dream/dream_snap.h. */
#ifndef KAIROS_DREAM_H
#define KAIROS_DREAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"
#include "kairos/mem.h"
#include "kairos/store.h"

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

#endif
