/* dream: the pipeline (orient, gather, consolidate, prune, index) over
 * one snapshot, and its write step: one store transaction, one commit.
 * The gates and the lock are dream_gate.c, the phases dream_*.c, the
 * report dream_report.c. See dream.h and protocol/dream.md. */
#include "kairos/dream.h"
#include "dream_snap.h"
#include "kairos/err.h"
#include "kairos/journal.h"
#include "kairos/time.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void dream_opts_init(struct dream_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->min_hours = 24;
	o->min_signals = 5;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void progress(const struct dream_opts *o, const char *phase, int pct, const char *msg)
{
	if (o->progress)
		o->progress(o->progress_ctx, phase, pct, msg);
}

/* ---- the write step --------------------------------------------------- */

static int write_step(struct dream_snap *s, struct store *st)
{
	struct store_txn *t = NULL;
	/* the commit message: the report, a line per action */
	struct buf msg = BUF_INIT_CAP(BUF_CAP_LISTING);
	char ts[TIME_FORMAT_LEN];
	int rc;

	time_format(s->now, ts);
	if ((rc = store_txn_begin(&t, st)))
		return rc;
	/* survivors and new memories first, then archives: killed in between,
	 * every memory is still present and the next dream finishes the job */
	for (size_t i = 0; i < s->mems.n; i++) {
		struct mem *m = s->mems.v[i];
		if (s->it[i].state != DS_ACTIVE || !(s->it[i].dirty || s->it[i].is_new))
			continue;
		if (s->it[i].body_changed) {
			free(m->updated);
			m->updated = xstrdup(ts);
			m->updated_ts = s->now;
		}
		if ((rc = store_txn_write(t, m)))
			goto fail;
	}
	for (size_t i = 0; i < s->mems.n; i++) {
		if (s->it[i].state != DS_ARCHIVED || s->it[i].is_new)
			continue;
		if ((rc = store_txn_archive(t, s->mems.v[i]->name, s->it[i].reason,
					    s->it[i].superseded_by)))
			goto fail;
	}
	if (s->rep->consumed.n && (rc = journal_drop(st->dir, &s->rep->consumed)))
		goto fail;
	if ((rc = dream_report_commit_message(s->rep, &msg)))
		goto fail;
	rc = store_txn_commit(t, msg.data, s->rep->commit);
	buf_dispose(&msg);
	return rc;
fail:
	buf_dispose(&msg);
	store_txn_abort(t);
	return rc;
}

/* ---- the pipeline ----------------------------------------------------- */

static bool anything(const struct dream_report *r)
{
	return r->nactions > 0 || r->consumed.n > 0;
}

static int count_active(const struct dream_snap *s)
{
	int n = 0;
	for (size_t i = 0; i < s->mems.n; i++)
		n += s->it[i].state == DS_ACTIVE;
	return n;
}

/* orient: checks, lock, gates. 1: held back by a gate. */
static int orient(struct dream_report *out, struct store *st, const struct dream_opts *o,
		  struct dream_lock *lk, int64_t now, bool gated)
{
	struct stat sb;
	int rc;

	if (!st || !st->dir)
		return kr_err("no store to dream over");
	if (stat(st->dir, &sb) && errno == ENOENT) {
		out->ran = true; /* no store yet: nothing to dream over */
		return 1;
	}
	if (stat(st->dir, &sb) || !S_ISDIR(sb.st_mode))
		return kr_errc(KR_ENOTFOUND, "the store %s is not a directory", st->dir);
	if (!o->dry_run && (!st->writable || access(st->dir, W_OK)))
		return kr_err("the store %s is read-only", st->dir);
	if (o->dry_run)
		rc = dream_gate_lock_check(st->dir);
	else
		rc = dream_gate_lock(lk, st->dir);
	if (rc)
		return rc;
	if (gated && !o->force && dream_gate_check(out, st, o, now))
		return 1;
	return 0;
}

static int load(struct dream_snap *s, struct dream_report *out, struct store *st, int64_t now)
{
	struct mem_list l = {0};
	int rc = store_load(st, &l, false, &out->problems, &out->nproblems);
	if (rc) {
		mem_list_dispose(&l);
		return rc;
	}
	dream_snap_init(s, &l, now, out);
	s->store_dir = st->dir;
	return 0;
}

static int cmp_mem_name(const void *key, const void *elem)
{
	return strcmp(key, (*(struct mem *const *)elem)->name);
}

/* Is the memory named name active after the dream? */
static bool stays_active(const struct dream_snap *s, size_t sorted, const char *name)
{
	struct mem *const *m = bsearch(name, s->mems.v, sorted, sizeof(*s->mems.v), cmp_mem_name);
	if (m)
		return s->it[m - s->mems.v].state == DS_ACTIVE;
	for (size_t i = sorted; i < s->mems.n; i++) /* promoted by this dream */
		if (!strcmp(s->mems.v[i]->name, name))
			return s->it[i].state == DS_ACTIVE;
	return false;
}

/* The similar list holds only pairs the dream left both active. */
static void drop_decided_pairs(struct dream_snap *s, struct dream_report *r)
{
	size_t o = 0;
	for (size_t i = 0; i < r->npairs; i++) {
		struct dream_pair *p = &r->pairs[i];
		if (stays_active(s, s->nsorted, p->a) && stays_active(s, s->nsorted, p->b)) {
			r->pairs[o++] = *p;
			continue;
		}
		free(p->a);
		free(p->b);
		free(p->kind);
	}
	r->npairs = o;
}

static int finish(struct dream_snap *s, struct dream_report *out, struct store *st,
		  const struct dream_opts *o)
{
	int rc = 0;

	drop_decided_pairs(s, out);

	progress(o, "index", 85, o->dry_run ? "dry run: nothing written" : "writing");
	if (dream_snap_cancelled(s))
		return kr_errc(KR_ECANCEL, "dream cancelled");
	out->changed = anything(out);
	out->kept = count_active(s);
	if (out->changed && !o->dry_run)
		rc = write_step(s, st);
	return rc;
}

#define PHASE(call)                          \
	do {                                 \
		if ((rc = (call)))           \
			goto out;            \
		if (dream_snap_cancelled(&s)) {   \
			rc = kr_errc(KR_ECANCEL, "dream cancelled"); \
			goto out;            \
		}                            \
	} while (0)

int dream_run(struct dream_report *out, struct store *st, const struct dream_opts *o)
{
	struct dream_lock lk = {-1, NULL};
	struct dream_snap s;
	struct journal_entry *je = NULL;
	size_t nje = 0;
	const char **lines = NULL;
	size_t *linenos = NULL;
	int64_t t0 = mono_ms(), now = o->now ? o->now : (int64_t)time(NULL);
	bool have_snap = false;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	progress(o, "orient", 0, "orienting");
	rc = orient(out, st, o, &lk, now, true);
	if (rc == 1) { /* held back by a gate, or no store */
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if ((rc = load(&s, out, st, now)))
		goto out;
	have_snap = true;
	s.cancel = o->cancel;
	s.workspace = o->workspace;
	out->ran = true;

	progress(o, "gather", 20, "reading the journal and checking refs");
	if (journal_read(st->dir, &je, &nje) == 0 && nje) {
		lines = xmalloc(nje * sizeof(*lines));
		linenos = xmalloc(nje * sizeof(*linenos));
		for (size_t i = 0; i < nje; i++) {
			lines[i] = je[i].line;
			linenos[i] = je[i].lineno;
		}
	}
	PHASE(dream_prune_mark_stale(&s));

	progress(o, "consolidate", 40, "merging duplicates and resolving contradictions");
	PHASE(dream_dates(&s));
	PHASE(dream_dedup(&s));
	PHASE(dream_contra(&s));
	PHASE(dream_promote(&s, lines, linenos, nje));

	if (o->ops && o->nops) {
		progress(o, "consolidate", 60, "applying the model's proposals");
		dream_ops_apply(&s, out, o->ops, o->nops);
	}

	progress(o, "prune", 70, "retiring stale memories");
	PHASE(dream_prune(&s));
	/* what is left undecided, among what stays active */
	PHASE(dream_dedup_similar(&s));
	dream_snap_stmt_release(&s);

	rc = finish(&s, out, st, o);
	if (!rc && !o->dry_run)
		/* the dream is committed: a state file that cannot be written
		 * only lets the next gate open early */
		(void)dream_gate_record(st->dir, (int64_t)time(NULL) > now ? (int64_t)time(NULL) : now,
					out);
out:
	if (have_snap)
		dream_snap_dispose(&s);
	free(lines);
	free(linenos);
	if (je)
		journal_entries_free(je, nje);
	dream_gate_unlock(&lk);
	out->duration_ms = mono_ms() - t0;
	if (!rc)
		progress(o, "done", 100, out->ran ? "done" : out->skipped);
	return rc;
}

/* ---- operations from outside (a model) -------------------------------- */

int dream_apply(struct dream_report *out, struct store *st, const struct dream_opts *o,
		const struct dream_opin *ops, size_t n)
{
	struct dream_lock lk = {-1, NULL};
	struct dream_snap s;
	int64_t t0 = mono_ms(), now = o->now ? o->now : (int64_t)time(NULL);
	bool have_snap = false;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	if ((rc = orient(out, st, o, &lk, now, false))) {
		if (rc == 1)
			rc = 0;
		goto out;
	}
	if ((rc = load(&s, out, st, now)))
		goto out;
	have_snap = true;
	s.cancel = o->cancel;
	out->ran = true;
	progress(o, "consolidate", 40, "applying proposed operations");
	dream_ops_apply(&s, out, ops, n);
	rc = finish(&s, out, st, o);
	/* a keep alone changes nothing */
	if (!rc && out->changed && !out->merged && !out->contradictions)
		out->changed = false;
out:
	if (have_snap)
		dream_snap_dispose(&s);
	dream_gate_unlock(&lk);
	out->duration_ms = mono_ms() - t0;
	if (!rc)
		progress(o, "done", 100, "done");
	return rc;
}
