/* dream: the pipeline (orient, gather, consolidate, prune, index), its
 * gates and lock, the write step and the report. See dream.h and
 * protocol/dream.md. */
#include "kairos/dream.h"
#include "kairos/err.h"
#include "kairos/journal.h"
#include "kairos/json.h"
#include "kairos/paths.h"
#include "kairos/time.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_STALE_SECS 3600

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

/* ---- lock ------------------------------------------------------------- */

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* pid and start time of a lock file's content (0 when unreadable). */
static void lock_read(int fd, long *pid, int64_t *started)
{
	char text[256];
	ssize_t r = pread(fd, text, sizeof(text) - 1, 0);
	struct json j = {0};

	*pid = 0;
	*started = 0;
	if (r <= 0)
		return;
	text[r] = 0;
	if (json_parse(&j, text, strlen(text)) == 0) {
		char *s = json_get_str(&j, 0, "started");
		*pid = (long)json_get_int(&j, 0, "pid", 0);
		if (s)
			time_parse(s, started);
		free(s);
	}
	json_dispose(&j);
}

static int lock_busy(long pid)
{
	if (pid > 0)
		return kr_errc(KR_EBUSY, "a dream is already running (pid %ld)", pid);
	return kr_errc(KR_EBUSY, "a dream is already running");
}

int dream_lock_take(struct dream_lock *l, const char *store_dir)
{
	char *path = join(store_dir, ".lock");

	l->fd = -1;
	l->path = NULL;
	for (int attempt = 0; attempt < 8; attempt++) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		struct stat a, b;
		long pid;
		int64_t started;

		if (fd < 0) {
			int e = errno;
			free(path);
			if (e == EACCES || e == EROFS || e == EPERM)
				return kr_err("the store %s is read-only", store_dir);
			return kr_err("cannot create the dream lock in %s: %s", store_dir, strerror(e));
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			char text[128], ts[32];
			int n;
			/* the path must still name the file we locked (a releaser unlinks it) */
			if (fstat(fd, &a) || stat(path, &b) || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
				close(fd);
				continue;
			}
			time_format((int64_t)time(NULL), ts);
			n = snprintf(text, sizeof(text), "{\"pid\": %ld, \"started\": \"%s\"}\n",
				     (long)getpid(), ts);
			if (ftruncate(fd, 0) || pwrite(fd, text, (size_t)n, 0) != n) {
				int e = errno;
				unlink(path);
				close(fd);
				free(path);
				return kr_err("cannot write the dream lock in %s: %s", store_dir, strerror(e));
			}
			l->fd = fd;
			l->path = path;
			return 0;
		}
		lock_read(fd, &pid, &started);
		close(fd);
		/* held: stale when older than 60 minutes or its process is gone */
		if ((started && (int64_t)time(NULL) - started > LOCK_STALE_SECS) ||
		    (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
			unlink(path);
			continue;
		}
		free(path);
		return lock_busy(pid);
	}
	free(path);
	return kr_errc(KR_EBUSY, "a dream is already running");
}

void dream_lock_release(struct dream_lock *l)
{
	if (l->fd >= 0) {
		unlink(l->path);
		close(l->fd);
	}
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}

int dream_lock_check(const char *store_dir)
{
	char *path = join(store_dir, ".lock");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = 0;
	long pid;
	int64_t started;

	free(path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	lock_read(fd, &pid, &started);
	close(fd);
	if (!(started && (int64_t)time(NULL) - started > LOCK_STALE_SECS))
		rc = lock_busy(pid);
	return rc;
}

/* ---- gates ------------------------------------------------------------ */

static char *state_path(const char *store_dir)
{
	char *d = paths_state_dir(store_dir), *p;
	if (!d)
		return NULL;
	p = join(d, "dream.json");
	free(d);
	return p;
}

static int64_t last_dream(const char *store_dir)
{
	char *p = state_path(store_dir);
	char text[512];
	int64_t t = 0;
	FILE *f = p ? fopen(p, "r") : NULL;

	if (f) {
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		struct json j = {0};
		text[n] = 0;
		if (json_parse(&j, text, n) == 0) {
			char *s = json_get_str(&j, 0, "lastDream");
			if (s)
				time_parse(s, &t);
			free(s);
		}
		json_dispose(&j);
		fclose(f);
	}
	free(p);
	return t;
}

static void save_state(const char *store_dir, int64_t when, const struct dream_report *r)
{
	char *p = state_path(store_dir), *tmp;
	char ts[32];
	FILE *f;

	if (!p)
		return;
	tmp = xmalloc(strlen(p) + 8);
	sprintf(tmp, "%s.tmp", p);
	time_format(when, ts);
	f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "{\"lastDream\": \"%s\", \"changed\": %s, \"commit\": ", ts,
			r->changed ? "true" : "false");
		if (r->commit[0])
			fprintf(f, "\"%s\"}\n", r->commit);
		else
			fprintf(f, "null}\n");
		if (fclose(f) == 0)
			rename(tmp, p);
		else
			unlink(tmp);
	}
	free(tmp);
	free(p);
}

/* Memory files of the store changed since `since` (and how many there are). */
static int count_files(const char *dir, int64_t since, int *changed)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int total = 0;

	*changed = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat sb;
		char *p;
		if (n < 4 || strcmp(e->d_name + n - 3, ".md") || !strcmp(e->d_name, "MEMORY.md") ||
		    e->d_name[0] == '.')
			continue;
		p = join(dir, e->d_name);
		if (!lstat(p, &sb) && S_ISREG(sb.st_mode)) {
			total++;
			if ((int64_t)sb.st_mtime > since)
				(*changed)++;
		}
		free(p);
	}
	closedir(d);
	return total;
}

static int journal_signals(const char *dir, int64_t since)
{
	struct journal_entry *e = NULL;
	size_t n = 0;
	int cnt = 0;

	if (journal_read(dir, &e, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct json j = {0};
		if (json_parse(&j, e[i].line, strlen(e[i].line)) == 0) {
			char *ts = json_get_str(&j, 0, "ts");
			int64_t t = 0;
			if (ts && !time_parse(ts, &t) && t > since)
				cnt++;
			free(ts);
		}
		json_dispose(&j);
	}
	journal_entries_free(e, n);
	return cnt;
}

/* 1 when a gate holds the dream back (out->skipped says why). */
static int gates(struct dream_report *out, const struct store *st, const struct dream_opts *o,
		 int64_t now)
{
	int64_t last = last_dream(st->dir);
	struct buf why = BUF_INIT;
	int files, fchanged, signals;

	if (last && (double)(now - last) < o->min_hours * 3600.0) {
		buf_printf(&why, "last dream %.1f hours ago (dream.minHours is %g)",
			   (double)(now - last) / 3600.0, o->min_hours);
		goto held;
	}
	files = count_files(st->dir, last, &fchanged);
	signals = fchanged + journal_signals(st->dir, last);
	if (signals < o->min_signals) {
		out->kept = files;
		buf_printf(&why, "%d new signals since the last dream (dream.minSignals is %d)", signals,
			   o->min_signals);
		goto held;
	}
	buf_dispose(&why);
	return 0;
held:
	if (!out->kept)
		out->kept = count_files(st->dir, 0, &fchanged);
	out->skipped = buf_detach(&why);
	return 1;
}

/* ---- the write step --------------------------------------------------- */

/* Rewrites journal.jsonl without the consumed lines (each removed once,
 * by content, so lines appended meanwhile stay). */
static int journal_drop(const char *dir, const struct strv *consumed)
{
	char *path = join(dir, "journal.jsonl"), *tmp = join(dir, ".journal.jsonl.dream-tmp");
	struct buf in = BUF_INIT, out = BUF_INIT;
	bool *used = xcalloc(consumed->n + 1, sizeof(*used));
	char chunk[65536];
	size_t n;
	int rc = 0, fd;
	FILE *f = fopen(path, "r");

	if (!f)
		goto out;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((rc = buf_append(&in, chunk, n)))
			break;
	fclose(f);
	if (rc)
		goto out;
	for (const char *p = buf_cstr(&in); *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		bool drop = false;
		for (size_t k = 0; k < consumed->n && !drop; k++)
			if (!used[k] && strlen(consumed->v[k]) == l && !memcmp(consumed->v[k], p, l))
				drop = used[k] = true;
		if (!drop) {
			buf_append(&out, p, l);
			buf_putc(&out, '\n');
		}
		p += l + (e ? 1 : 0);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (out.len && write(fd, out.data, out.len) != (ssize_t)out.len) || fsync(fd)) {
		rc = kr_err("cannot rewrite %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path)) {
		rc = kr_err("cannot rewrite %s: %s", path, strerror(errno));
		unlink(tmp);
	}
out:
	free(used);
	buf_dispose(&in);
	buf_dispose(&out);
	free(path);
	free(tmp);
	return rc;
}

static void summary_counts(const struct dream_report *r, struct buf *b)
{
	bool any = false;
#define PART(cond, ...)                          \
	do {                                     \
		if (cond) {                      \
			if (any)                 \
				buf_puts(b, ", "); \
			buf_printf(b, __VA_ARGS__); \
			any = true;              \
		}                                \
	} while (0)
	PART(r->merged, "merged %d", r->merged);
	PART(r->contradictions, "resolved %d contradiction%s", r->contradictions,
	     r->contradictions == 1 ? "" : "s");
	PART(r->pruned, "retired %d stale memor%s", r->pruned, r->pruned == 1 ? "y" : "ies");
	PART(r->dates_fixed, "fixed %d date%s", r->dates_fixed, r->dates_fixed == 1 ? "" : "s");
	PART(r->promoted, "promoted %d observation%s", r->promoted, r->promoted == 1 ? "" : "s");
	if (!any) {
		int refs = 0;
		for (size_t i = 0; i < r->nactions; i++)
			refs += r->actions[i].op == DREAM_OP_REFS;
		if (refs)
			PART(1, "followed %d rename%s", refs, refs == 1 ? "" : "s");
		else if (r->consumed.n)
			PART(1, "consumed %zu journal line%s", r->consumed.n, r->consumed.n == 1 ? "" : "s");
	}
#undef PART
	if (!any)
		buf_puts(b, "nothing to change");
}

int dream_report_summary(const struct dream_report *r, struct buf *out)
{
	summary_counts(r, out);
	return 0;
}

static void commit_message(const struct dream_report *r, struct buf *b)
{
	buf_puts(b, "dream: ");
	summary_counts(r, b);
	buf_puts(b, "\n\n");
	for (size_t i = 0; i < r->nactions; i++) {
		const struct dream_action *a = &r->actions[i];
		switch (a->op) {
		case DREAM_OP_MERGE:
			buf_printf(b, "- merge into %s:", a->name);
			for (size_t k = 0; k < a->names.n; k++)
				buf_printf(b, " %s", a->names.v[k]);
			buf_putc(b, '\n');
			break;
		case DREAM_OP_SUPERSEDE:
			buf_printf(b, "- %s supersedes %s (%s)\n", a->name, a->other, a->why);
			break;
		case DREAM_OP_PRUNE:
			buf_printf(b, "- retire %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_DATE:
			buf_printf(b, "- dates in %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_PROMOTE:
			buf_printf(b, "- new %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_REFS:
			buf_printf(b, "- refs of %s: %s -> %s\n", a->name, a->other, a->why);
			break;
		case DREAM_OP_KEEP:
			buf_printf(b, "- keep: %s\n", a->why ? a->why : "");
			break;
		}
	}
	if (r->consumed.n) {
		buf_puts(b, "\nconsumed journal lines:\n");
		for (size_t i = 0; i < r->consumed.n && b->len < 60000; i++) {
			buf_puts(b, r->consumed.v[i]);
			buf_putc(b, '\n');
		}
	}
}

static int write_step(struct dream_snap *s, struct store *st)
{
	struct store_txn *t = NULL;
	struct buf msg = BUF_INIT;
	char ts[32];
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
	commit_message(s->rep, &msg);
	rc = store_txn_commit(t, buf_cstr(&msg), s->rep->commit);
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
		rc = dream_lock_check(st->dir);
	else
		rc = dream_lock_take(lk, st->dir);
	if (rc)
		return rc;
	if (gated && !o->force && gates(out, st, o, now))
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

static int finish(struct dream_snap *s, struct dream_report *out, struct store *st,
		  const struct dream_opts *o)
{
	int rc = 0;

	progress(o, "index", 85, o->dry_run ? "dry run: nothing written" : "writing");
	if (dream_cancelled(s))
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
		if (dream_cancelled(&s)) {   \
			rc = kr_errc(KR_ECANCEL, "dream cancelled"); \
			goto out;            \
		}                            \
	} while (0)

static void apply_ops(struct dream_snap *sp, struct dream_report *out, const struct dream_opin *ops,
		      size_t n);

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
	PHASE(dream_mark_stale(&s));

	progress(o, "consolidate", 40, "merging duplicates and resolving contradictions");
	PHASE(dream_dates(&s));
	PHASE(dream_dedup(&s));
	PHASE(dream_contra(&s));
	PHASE(dream_promote(&s, lines, linenos, nje));

	if (o->ops && o->nops) {
		progress(o, "consolidate", 60, "applying the model's proposals");
		apply_ops(&s, out, o->ops, o->nops);
	}

	progress(o, "prune", 70, "retiring stale memories");
	PHASE(dream_prune(&s));

	rc = finish(&s, out, st, o);
	if (!rc && !o->dry_run)
		save_state(st->dir, (int64_t)time(NULL) > now ? (int64_t)time(NULL) : now, out);
out:
	if (have_snap)
		dream_snap_dispose(&s);
	free(lines);
	free(linenos);
	if (je)
		journal_entries_free(je, nje);
	dream_lock_release(&lk);
	out->duration_ms = mono_ms() - t0;
	if (!rc)
		progress(o, "done", 100, out->ran ? "done" : out->skipped);
	return rc;
}

/* ---- operations from outside (a model) -------------------------------- */

static size_t find_active(const struct dream_snap *s, const char *name)
{
	for (size_t i = 0; name && i < s->mems.n; i++)
		if (s->it[i].state == DS_ACTIVE && !strcmp(s->mems.v[i]->name, name))
			return i;
	return SIZE_MAX;
}

/* Applies operations proposed from outside (a model) to the snapshot,
 * under the deterministic dream's rules: names that are not active are
 * dropped, the survivor is the newest, a supersede needs the newer as
 * winner. */
static void apply_ops(struct dream_snap *sp, struct dream_report *out, const struct dream_opin *ops,
		      size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct dream_opin *op = &ops[k];
		if (op->op == DREAM_OP_MERGE) {
			size_t idx[64], ni = 0, sv;
			size_t i = find_active(sp, op->into);
			struct dream_action *a;
			if (i != SIZE_MAX)
				idx[ni++] = i;
			for (size_t f = 0; f < op->from.n && ni < 64; f++)
				if ((i = find_active(sp, op->from.v[f])) != SIZE_MAX) {
					bool dup = false;
					for (size_t q = 0; q < ni; q++)
						dup |= idx[q] == i;
					if (!dup)
						idx[ni++] = i;
				}
			if (ni < 2)
				continue; /* names that do not exist: dropped */
			sv = idx[0];
			for (size_t q = 1; q < ni; q++)
				if (dream_newer(sp->mems.v[idx[q]], sp->mems.v[sv]))
					sv = idx[q];
			dream_report_action(out, DREAM_OP_MERGE, sp->mems.v[sv]->name, NULL,
					    op->reason ? op->reason : "proposed");
			a = dream_report_last(out);
			for (size_t q = 0; q < ni; q++) {
				if (idx[q] == sv)
					continue;
				dream_snap_merge(sp, sv, idx[q]);
				strv_push(&a->names, sp->mems.v[idx[q]]->name);
				out->merged++;
			}
		} else if (op->op == DREAM_OP_SUPERSEDE) {
			size_t w = find_active(sp, op->winner), l = find_active(sp, op->loser);
			struct buf r = BUF_INIT;
			if (w == SIZE_MAX || l == SIZE_MAX || w == l ||
			    !dream_newer(sp->mems.v[w], sp->mems.v[l]))
				continue;
			buf_printf(&r, "contradicted by %s: %s", sp->mems.v[w]->name,
				   op->reason ? op->reason : "proposed");
			dream_snap_retire(sp, l, buf_cstr(&r), sp->mems.v[w]->name);
			dream_report_action(out, DREAM_OP_SUPERSEDE, sp->mems.v[w]->name, sp->mems.v[l]->name,
					    "contradiction");
			out->contradictions++;
			buf_dispose(&r);
		} else if (op->op == DREAM_OP_KEEP) {
			dream_report_action(out, DREAM_OP_KEEP, NULL, NULL,
					    op->reason ? op->reason : "keep");
			for (size_t f = 0; f < op->from.n; f++)
				strv_push(&dream_report_last(out)->names, op->from.v[f]);
		}
	}
}

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
	apply_ops(&s, out, ops, n);
	rc = finish(&s, out, st, o);
	/* a keep alone changes nothing */
	if (!rc && out->changed && !out->merged && !out->contradictions)
		out->changed = false;
out:
	if (have_snap)
		dream_snap_dispose(&s);
	dream_lock_release(&lk);
	out->duration_ms = mono_ms() - t0;
	if (!rc)
		progress(o, "done", 100, "done");
	return rc;
}

/* ---- report ----------------------------------------------------------- */

void dream_report_dispose(struct dream_report *r)
{
	for (size_t i = 0; i < r->nactions; i++) {
		free(r->actions[i].name);
		free(r->actions[i].other);
		free(r->actions[i].why);
		strv_dispose(&r->actions[i].names);
	}
	free(r->actions);
	for (size_t i = 0; i < r->npairs; i++) {
		free(r->pairs[i].a);
		free(r->pairs[i].b);
		free(r->pairs[i].kind);
	}
	free(r->pairs);
	for (size_t i = 0; i < r->nproblems; i++) {
		free(r->problems[i].path);
		free(r->problems[i].msg);
	}
	free(r->problems);
	strv_dispose(&r->consumed);
	free(r->skipped);
	memset(r, 0, sizeof(*r));
}

static const char *op_name(enum dream_op op)
{
	switch (op) {
	case DREAM_OP_MERGE: return "merge";
	case DREAM_OP_SUPERSEDE: return "supersede";
	case DREAM_OP_PRUNE: return "prune";
	case DREAM_OP_DATE: return "date";
	case DREAM_OP_PROMOTE: return "promote";
	case DREAM_OP_REFS: return "refs";
	case DREAM_OP_KEEP: return "keep";
	}
	return "?";
}

static void jw_strv(struct jw *w, const char *key, const struct strv *v)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < v->n; i++)
		jw_str(w, v->v[i]);
	jw_end(w);
}

int dream_report_json(const struct dream_report *r, struct buf *out)
{
	struct jw w;

	jw_init(&w, out);
	jw_obj(&w);
	jw_kbool(&w, "changed", r->changed);
	jw_kint(&w, "merged", r->merged);
	jw_kint(&w, "contradictions", r->contradictions);
	jw_kint(&w, "pruned", r->pruned);
	jw_kint(&w, "datesFixed", r->dates_fixed);
	jw_kint(&w, "promoted", r->promoted);
	jw_kint(&w, "kept", r->kept);
	jw_kint(&w, "archived", r->archived);
	jw_kint(&w, "durationMs", r->duration_ms);
	jw_key(&w, "commit");
	if (r->commit[0])
		jw_str(&w, r->commit);
	else
		jw_null(&w);
	jw_kbool(&w, "ran", r->ran);
	if (r->skipped)
		jw_kstr(&w, "skipped", r->skipped);
	jw_key(&w, "actions");
	jw_arr(&w);
	for (size_t i = 0; i < r->nactions; i++) {
		const struct dream_action *a = &r->actions[i];
		jw_obj(&w);
		jw_kstr(&w, "op", op_name(a->op));
		switch (a->op) {
		case DREAM_OP_MERGE:
			jw_kstr(&w, "into", a->name);
			jw_strv(&w, "from", &a->names);
			jw_kstr(&w, "why", a->why);
			break;
		case DREAM_OP_SUPERSEDE:
			jw_kstr(&w, "winner", a->name);
			jw_kstr(&w, "loser", a->other);
			jw_kstr(&w, "why", a->why);
			break;
		case DREAM_OP_REFS:
			jw_kstr(&w, "name", a->name);
			jw_kstr(&w, "from", a->other);
			jw_kstr(&w, "to", a->why);
			break;
		case DREAM_OP_PROMOTE:
			jw_kstr(&w, "name", a->name);
			jw_kstr(&w, "why", a->why);
			jw_key(&w, "journalLines");
			jw_arr(&w);
			for (size_t k = 0; k < a->names.n; k++)
				jw_int(&w, atoll(a->names.v[k]));
			jw_end(&w);
			break;
		case DREAM_OP_KEEP:
			jw_strv(&w, "names", &a->names);
			jw_kstr(&w, "why", a->why);
			break;
		default:
			jw_kstr(&w, "name", a->name);
			jw_kstr(&w, "why", a->why);
			break;
		}
		jw_end(&w);
	}
	jw_end(&w);
	jw_key(&w, "similar");
	jw_arr(&w);
	for (size_t i = 0; i < r->npairs; i++) {
		jw_obj(&w);
		jw_kstr(&w, "a", r->pairs[i].a);
		jw_kstr(&w, "b", r->pairs[i].b);
		jw_kstr(&w, "kind", r->pairs[i].kind);
		jw_key(&w, "score");
		jw_double(&w, (double)(int)(r->pairs[i].score * 1000 + 0.5) / 1000.0);
		jw_end(&w);
	}
	jw_end(&w);
	jw_key(&w, "invalid");
	jw_arr(&w);
	for (size_t i = 0; i < r->nproblems; i++) {
		jw_obj(&w);
		jw_kstr(&w, "path", r->problems[i].path);
		jw_kstr(&w, "message", r->problems[i].msg);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	return w.err;
}

/* ---- parsing a model's operations ------------------------------------- */

static void opin_strv(const struct json *j, int obj, const char *key, struct strv *v)
{
	int a = json_get(j, obj, key);
	if (json_type(j, a) != JSON_ARRAY)
		return;
	for (int e = json_first(j, a); e >= 0; e = json_next(j, a, e)) {
		char *s = json_strdup(j, e);
		if (s && mem_name_valid(s))
			strv_push(v, s);
		free(s);
	}
}

int dream_ops_parse(struct dream_opin **out, size_t *n, const char *text, size_t len)
{
	struct json j = {0};
	const char *p = text, *e = text + len;
	int rc, arr;

	*out = NULL;
	*n = 0;
	/* optionally inside one fenced code block */
	{
		const char *f = memmem(text, len, "```", 3);
		if (f) {
			const char *nl = memchr(f, '\n', (size_t)(e - f));
			const char *end = nl ? memmem(nl, (size_t)(e - nl), "```", 3) : NULL;
			if (nl && end) {
				p = nl + 1;
				e = end;
			}
		}
	}
	rc = json_parse(&j, p, (size_t)(e - p));
	if (rc)
		goto out;
	arr = json_get(&j, 0, "operations");
	if (json_type(&j, arr) != JSON_ARRAY) {
		rc = kr_errc(KR_EINVAL, "no \"operations\" array");
		goto out;
	}
	for (int el = json_first(&j, arr); el >= 0; el = json_next(&j, arr, el)) {
		struct dream_opin op;
		char *kind = json_get_str(&j, el, "op");
		memset(&op, 0, sizeof(op));
		if (kind && !strcmp(kind, "merge")) {
			op.op = DREAM_OP_MERGE;
			op.into = json_get_str(&j, el, "into");
			opin_strv(&j, el, "from", &op.from);
			if (!op.into || !op.from.n)
				goto skip;
		} else if (kind && !strcmp(kind, "supersede")) {
			op.op = DREAM_OP_SUPERSEDE;
			op.winner = json_get_str(&j, el, "winner");
			op.loser = json_get_str(&j, el, "loser");
			if (!op.winner || !op.loser)
				goto skip;
		} else if (kind && !strcmp(kind, "keep")) {
			op.op = DREAM_OP_KEEP;
			opin_strv(&j, el, "names", &op.from);
		} else {
			goto skip;
		}
		op.reason = json_get_str(&j, el, "reason");
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = op;
		free(kind);
		continue;
skip:
		free(kind);
		free(op.into);
		free(op.winner);
		free(op.loser);
		strv_dispose(&op.from);
	}
out:
	json_dispose(&j);
	return rc;
}

void dream_ops_free(struct dream_opin *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ops[i].into);
		free(ops[i].winner);
		free(ops[i].loser);
		free(ops[i].reason);
		strv_dispose(&ops[i].from);
	}
	free(ops);
}
