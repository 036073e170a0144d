/* store: the stores of a workspace, loading them (invalid files become
 * problems and are never touched) and changing them through transactions:
 * under an inter-process lock, hand edits recorded first, files written
 * atomically and redacted, MEMORY.md rebuilt, one history commit. */
#include "kairos/store.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/history.h"
#include "imports.h"
#include "kairos/paths.h"
#include "kairos/redact.h"
#include "kairos/time.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static int pathf(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* *out: the path fmt makes (malloc'd); fails when it passes a line's cap. */
static int pathf(char **out, const char *fmt, ...)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if ((rc = buf_err(&b)))
		return rc;
	*out = buf_detach(&b);
	return 0;
}

int store_set_open(struct store_set *out, const char *workspace, const char *memory_dir,
		   bool only_memory_dir)
{
	char *data = paths_data_home(), *slug;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->workspace = paths_normalize(workspace && *workspace ? workspace : ".");
	for (int k = 0; k < STORE_COUNT; k++)
		out->stores[k].kind = (enum mem_store)k;
	if (memory_dir && *memory_dir) {
		out->stores[STORE_PERSONAL].dir = paths_normalize(memory_dir);
	} else {
		slug = paths_slug(out->workspace);
		rc = pathf(&out->stores[STORE_PERSONAL].dir, "%s/kairos/projects/%s", data, slug);
		free(slug);
		if (rc)
			goto out;
	}
	out->stores[STORE_PERSONAL].writable = true;
	if (!(memory_dir && *memory_dir && only_memory_dir)) {
		if ((rc = pathf(&out->stores[STORE_USER].dir, "%s/kairos/user", data)))
			goto out;
		out->stores[STORE_USER].writable = true;
		out->stores[STORE_TEAM].dir = join(out->workspace, ".kairos/memory");
		out->stores[STORE_TEAM].writable = true;
		out->stores[STORE_IMPORT].dir = xstrdup(out->workspace);
	}
out:
	free(data);
	if (rc)
		store_set_dispose(out);
	return rc;
}

void store_set_dispose(struct store_set *s)
{
	free(s->workspace);
	for (int k = 0; k < STORE_COUNT; k++)
		free(s->stores[k].dir);
	mem_list_dispose(&s->mems);
	store_problem_free_all(s->problems, s->nproblems);
	memset(s, 0, sizeof(*s));
}

struct store *store_set_get(struct store_set *s, enum mem_store kind)
{
	if ((unsigned)kind >= STORE_COUNT || !s->stores[kind].dir)
		return NULL;
	return &s->stores[kind];
}

const struct store_problem *store_set_problem(const struct store_set *s, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < s->nproblems; i++) {
		const char *p = s->problems[i].path, *base = strrchr(p, '/');
		base = base ? base + 1 : p;
		if (!strncmp(base, name, nl) && !strcmp(base + nl, ".md"))
			return &s->problems[i];
	}
	return NULL;
}

int store_set_load(struct store_set *s)
{
	int rc = 0;

	mem_list_dispose(&s->mems);
	store_problem_free_all(s->problems, s->nproblems);
	s->problems = NULL;
	s->nproblems = 0;
	for (int k = 0; k < STORE_COUNT && !rc; k++) {
		if (!s->stores[k].dir)
			continue;
		if (k == STORE_IMPORT)
			rc = imports_load(s->workspace, &s->mems, &s->problems, &s->nproblems);
		else
			rc = store_load(&s->stores[k], &s->mems, false, &s->problems, &s->nproblems);
	}
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct mem *const *)a)->name, (*(struct mem *const *)b)->name);
}

/* Loads the *.md files of dir (but MEMORY.md) into out. */
static int load_dir(const struct store *st, const char *dir, const char *realroot, bool archived,
		    struct mem_list *out, struct store_problem **problems, size_t *nproblems,
		    struct buf *scratch)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = out->n, dl = strlen(dir);
	char path[PATH_MAX];

	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(path, sizeof(path), "cannot read the store: %s", strerror(errno));
		store_problem_add(problems, nproblems, dir, path);
		return 0;
	}
	while ((e = readdir(d))) {
		const char *fn = e->d_name;
		size_t fl = strlen(fn);
		struct mem *m = NULL;
		const char *readp = path;
		char *resolved = NULL;
		unsigned char type = e->d_type;

		if (fn[0] == '.' || fl <= STRLEN_LIT(".md") ||
		    strcmp(fn + fl - STRLEN_LIT(".md"), ".md") || !strcmp(fn, "MEMORY.md"))
			continue;
		if (dl + 1 + fl >= sizeof(path))
			continue;
		memcpy(path, dir, dl);
		path[dl] = '/';
		memcpy(path + dl + 1, fn, fl + 1);
		if (type == DT_UNKNOWN) {
			struct stat sb;
			if (lstat(path, &sb) < 0)
				continue;
			type = S_ISLNK(sb.st_mode) ? DT_LNK : S_ISDIR(sb.st_mode) ? DT_DIR
				: S_ISREG(sb.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		if (type == DT_DIR)
			continue;
		if (type == DT_LNK) {
			size_t rl = strlen(realroot);
			resolved = realpath(path, NULL);
			if (!resolved || strncmp(resolved, realroot, rl) || resolved[rl] != '/') {
				store_problem_add(problems, nproblems, path,
						  resolved ? "a symbolic link pointing outside the store "
							     "(refused, left as it is)"
							   : "a broken symbolic link (left as it is)");
				free(resolved);
				continue;
			}
			readp = resolved;
		}
		if (readp == path ? mem_parse_read_fileat(&m, dirfd(d), fn, path, scratch,
						    type == DT_REG ? MEM_READ_REGULAR : 0)
				  : mem_parse_read_file_buf(&m, readp, scratch)) {
			store_problem_add(problems, nproblems, path, kr_errmsg());
			free(resolved);
			continue;
		}
		free(resolved);
		if (strlen(m->name) != fl - STRLEN_LIT(".md") ||
		    memcmp(m->name, fn, fl - STRLEN_LIT(".md"))) {
			char msg[PATH_MAX + 128];
			snprintf(msg, sizeof(msg), "'name: %s' differs from the file name '%s'",
				 m->name, fn);
			store_problem_add(problems, nproblems, path, msg);
			mem_free(m);
			continue;
		}
		if (readp != path) {
			free(m->path);
			m->path = xstrdup(path);
		}
		m->store = st->kind;
		m->archived = archived;
		mem_list_push(out, m);
	}
	closedir(d);
	if (out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), by_name);
	return 0;
}

int store_load(const struct store *st, struct mem_list *out, bool archive,
	       struct store_problem **problems, size_t *nproblems)
{
	/* mem_parse_read_fileat doubles it up to just past MEM_MAX_FILE (and
	 * refuses a longer file itself) */
	struct buf scratch = BUF_INIT_CAP(2 * BUF_CAP_MEMFILE);
	char *real = realpath(st->dir, NULL), *adir;
	int rc;

	if (!real)
		return 0; /* a store that does not exist yet is empty */
	rc = load_dir(st, st->dir, real, false, out, problems, nproblems, &scratch);
	if (!rc && archive) {
		adir = join(st->dir, "archive");
		rc = load_dir(st, adir, real, true, out, problems, nproblems, &scratch);
		free(adir);
	}
	free(real);
	buf_dispose(&scratch);
	return rc;
}

/* ---- names ---- */

static void slugify(const char *text, struct buf *b)
{
	bool dash = false;

	for (const unsigned char *p = (const unsigned char *)text; *p && b->len < 200; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '_' && b->len)) {
			if (dash && b->len)
				buf_putc(b, '-');
			dash = false;
			buf_putc(b, (char)c);
		} else if (c == '\'' || (c >= 0x80 && (c & 0xc0) == 0x80)) {
			/* apostrophes and continuation bytes join words */
		} else {
			dash = true;
		}
	}
	/* at most 48 characters, cut between words when one ends late enough */
	if (b->len > 48) {
		size_t cut = 48;
		while (cut > 16 && b->data[cut] != '-')
			cut--;
		buf_truncate(b, cut > 16 ? cut : 48);
		while (b->len && (b->data[b->len - 1] == '-' || b->data[b->len - 1] == '_'))
			buf_truncate(b, b->len - 1);
	}
	if (!b->len)
		buf_puts(b, "memory");
}

static bool name_taken(const struct store *st, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.md", st->dir, name);
	if (fsx_exists(path))
		return true;
	snprintf(path, sizeof(path), "%s/archive/%s.md", st->dir, name);
	return fsx_exists(path);
}

int store_name_from_text(const struct store *st, const char *text, char **out)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	char cand[80];
	int rc;

	slugify(text ? text : "", &b);
	if ((rc = buf_err(&b)))
		return rc;
	snprintf(cand, sizeof(cand), "%s", buf_cstr(&b));
	for (int i = 2; name_taken(st, cand); i++) {
		if (i > 100000) {
			rc = kr_err("no free name for '%s' in %s", buf_cstr(&b), st->dir);
			buf_dispose(&b);
			return rc;
		}
		snprintf(cand, sizeof(cand), "%s-%d", buf_cstr(&b), i);
	}
	buf_dispose(&b);
	*out = xstrdup(cand);
	return 0;
}

int store_unique_name(const struct store *st, const char *text, char **out)
{
	if (!text || !*text)
		return kr_errc(KR_EINVAL, "a memory name cannot be empty");
	if (strchr(text, '/') || strchr(text, '\\') || strstr(text, ".."))
		return kr_errc(KR_EINVAL, "'%s' is not a memory name: it holds a path (refused)",
			       text);
	return store_name_from_text(st, text, out);
}

/* ---- transactions ---- */

struct store_txn {
	struct store st;
	int lockfd;
};

char *store_lock_path(const char *store_dir)
{
	char *state = paths_state_dir(store_dir), *p = join(state, "write.lock");
	free(state);
	return p;
}

/* Temporary files left by a writer killed half way: only writers holding
 * the lock create them, so under the lock they are all stale. */
static void remove_stale_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, FSX_TMP_PREFIX, STRLEN_LIT(FSX_TMP_PREFIX))) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	closedir(d);
}

/* A writer killed inside libgit2 leaves git's own lock files in the history
 * repository (refs/heads/main.lock), and libgit2 then refuses every later
 * commit. History is only written under the store's write lock (every
 * caller goes through a transaction or store_undo), so under that lock
 * they are all stale. TODO: history.c should own this clean-up. */
static void remove_stale_git_locks(const char *store_dir)
{
	static const char *const locks[] = {"refs/heads/main.lock", "HEAD.lock", "packed-refs.lock",
					    "config.lock", "index.lock"};
	char *repo = history_repo_path(store_dir);

	if (!repo)
		return;
	for (size_t i = 0; i < ARRAY_LEN(locks); i++) {
		char *p = join(repo, locks[i]);
		unlink(p);
		free(p);
	}
	free(repo);
}

int store_txn_begin(struct store_txn **out, struct store *st)
{
	struct store_txn *t;
	char *lock, *adir, id[41];
	int rc;

	if (!st || !st->dir || !st->writable)
		return kr_errc(KR_EINVAL, "the %s store is read only",
			       st ? mem_store_name(st->kind) : "?");
	if ((rc = fsx_mkdirs(st->dir, 0755)))
		return rc;
	t = xcalloc(1, sizeof(*t));
	t->st = *st;
	t->st.dir = xstrdup(st->dir);
	lock = store_lock_path(st->dir);
	rc = fsx_lock(&t->lockfd, lock, false, true);
	free(lock);
	if (rc) {
		free(t->st.dir);
		free(t);
		return rc;
	}
	remove_stale_tmp(t->st.dir);
	adir = join(t->st.dir, "archive");
	remove_stale_tmp(adir);
	free(adir);
	remove_stale_git_locks(t->st.dir);
	if ((rc = history_commit(t->st.dir, "edit: changes made outside kairos",
				 id))) {
		store_txn_abort(t);
		return rc;
	}
	*out = t;
	return 0;
}

void store_txn_abort(struct store_txn *t)
{
	if (!t)
		return;
	fsx_unlock(t->lockfd);
	free(t->st.dir);
	free(t);
}

static void now_str(char out[32], int64_t *ts)
{
	*ts = (int64_t)time(NULL);
	time_format(*ts, out);
}

static void redact_field(char **s, int *total)
{
	int c = 0;
	*s = redact_str(*s, &c);
	*total += c;
}

/* Shortens s to at most max characters (UTF-8), on a character boundary. */
static void clip_chars(char *s, size_t max)
{
	size_t chars = 0;
	for (char *p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && ++chars > max) {
			*p = '\0';
			return;
		}
	}
}

/* ---- warnings, and secrets typed by hand ---- */

static void warn_stderr(void *ud, const char *msg)
{
	(void)ud;
	fprintf(stderr, "kairos: warning: %s\n", msg);
}

static store_warn_fn warn_fn = warn_stderr;
static void *warn_ud;

void store_set_warn(store_warn_fn fn, void *ud)
{
	warn_fn = fn ? fn : warn_stderr;
	warn_ud = ud;
}

void store_warn(const char *fmt, ...)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (buf_err(&b))
		warn_fn(warn_ud, "a warning could not be said in full: the text is too long");
	else
		warn_fn(warn_ud, buf_cstr(&b));
	buf_dispose(&b);
}

/* A file about to be rewritten that holds a secret was committed to
 * history as it was (hand edits are recorded first): the rewrite redacts
 * it, but the person must know that older history still holds it. */
static void warn_if_secret(const struct store_txn *t, const char *path)
{
	struct buf old = BUF_INIT_CAP(MEM_MAX_FILE + 1), red = BUF_INIT_CAP(REDACT_CAP(MEM_MAX_FILE));
	int n = 0;
	if (fsx_read(path, MEM_MAX_FILE, &old) == 0 && redact(old.data, old.len, &red, &n) == 0 && n > 0) {
		char *hist = history_repo_path(t->st.dir);
		store_warn("%s held %d secret%s typed by hand: the file now says [REDACTED], but older "
			   "history (%s) still holds %s",
			   path, n, n == 1 ? "" : "s", hist ? hist : "the store's history",
			   n == 1 ? "it" : "them");
		free(hist);
	}
	buf_dispose(&old);
	buf_dispose(&red);
}

/* Redacts, fills missing times, formats and checks m; the text to write
 * goes to out, whose cap is the most a memory file may hold. */
static int prepare(const struct mem *in, struct buf *out)
{
	struct mem *m = mem_dup(in), *check = NULL;
	char ts[32];
	int n = 0, rc;

	if (!m->created) {
		if (m->mtime)
			time_format(m->mtime, ts);
		else
			now_str(ts, &m->created_ts);
		m->created = xstrdup(ts);
		time_parse(ts, &m->created_ts);
	}
	if (!m->updated) {
		m->updated = xstrdup(m->created);
		m->updated_ts = m->created_ts;
	}
	redact_field(&m->description, &n);
	redact_field(&m->body, &n);
	redact_field(&m->front, &n);
	redact_field(&m->archived_reason, &n);
	if (m->rule) {
		redact_field(&m->rule->message, &n);
		redact_field(&m->rule->fix, &n);
		redact_field(&m->rule->literal, &n);
	}
	clip_chars(m->description, 150);
	if ((rc = mem_write(m, out))) {
		/* the one way mem_write fails so: its text passes out's cap */
		if (rc == KR_ENOMEM)
			rc = kr_errc(KR_EINVAL, "memory '%s' is larger than %zu bytes", m->name,
				     out->max);
		goto out;
	}
	/* libyaml itself checks what is about to be written */
	if (mem_parse_flags(&check, out->data, out->len, MEM_PARSE_YAML)) {
		rc = kr_errc(KR_EINVAL, "memory '%s' would not be valid: %s", m->name, kr_errmsg());
		goto out;
	}
out:
	mem_free(check);
	mem_free(m);
	return rc;
}

/* Writes text to path unless it already holds exactly that. */
static int write_if_changed(const char *path, const struct buf *text)
{
	struct buf old = BUF_INIT_CAP(MEM_MAX_FILE + 1);
	int same = !fsx_read(path, MEM_MAX_FILE, &old) && old.len == text->len &&
		   !memcmp(old.data, text->data, text->len);
	buf_dispose(&old);
	return same ? 0 : fsx_write_atomic(path, text->data, text->len);
}

int store_txn_write(struct store_txn *t, const struct mem *m)
{
	struct buf text = BUF_INIT_CAP(MEM_MAX_FILE);
	char path[PATH_MAX];
	int rc;

	if (!m->name || !mem_name_valid(m->name))
		return kr_errc(KR_EINVAL, "'%s' is not a valid memory name", m->name ? m->name : "");
	if ((rc = prepare(m, &text)))
		goto out;
	snprintf(path, sizeof(path), "%s/%s.md", t->st.dir, m->name);
	warn_if_secret(t, path);
	rc = write_if_changed(path, &text);
out:
	buf_dispose(&text);
	return rc;
}

int store_txn_archive(struct store_txn *t, const char *name, const char *reason,
		      const char *superseded_by)
{
	struct mem *m = NULL;
	/* the archived file must load again, so it is held to a memory's cap */
	struct buf text = BUF_INIT_CAP(MEM_MAX_FILE);
	char src[PATH_MAX], ts[32], *orig = NULL, *adir = NULL, *dst = NULL;
	int64_t now;
	int rc;

	if (!mem_name_valid(name))
		return kr_errc(KR_ENOTFOUND, "no memory named '%s'", name);
	snprintf(src, sizeof(src), "%s/%s.md", t->st.dir, name);
	if ((rc = mem_parse_read_file(&m, src))) {
		if (rc == KR_ENOTFOUND)
			return kr_errc(KR_ENOTFOUND, "no memory named '%s' in the %s store", name,
				       mem_store_name(t->st.kind));
		return kr_errc(rc, "%s: %s (left as it is)", src, kr_errmsg());
	}
	if (strcmp(m->name, name)) {
		rc = kr_errc(KR_EINVAL, "%s: 'name: %s' differs from the file name (left as it is)",
			     src, m->name);
		goto out;
	}
	now_str(ts, &now);
	free(m->archived_at);
	m->archived_at = xstrdup(ts);
	free(m->archived_reason);
	m->archived_reason = xstrdup(reason && *reason ? reason : "archived");
	free(m->superseded_by);
	m->superseded_by = superseded_by ? xstrdup(superseded_by) : NULL;
	adir = join(t->st.dir, "archive");
	if ((rc = fsx_mkdirs(adir, 0755)))
		goto out;
	/* An archived memory of the same name stays; this one gets name-N. */
	orig = xstrdup(name);
	if ((rc = pathf(&dst, "%s/%s.md", adir, name)))
		goto out;
	for (int i = 2; fsx_exists(dst); i++) {
		char cand[80];
		snprintf(cand, sizeof(cand), "%.58s-%d", orig, i);
		free(m->name);
		m->name = xstrdup(cand);
		free(dst);
		dst = NULL;
		if ((rc = pathf(&dst, "%s/%s.md", adir, cand)))
			goto out;
	}
	if ((rc = prepare(m, &text)))
		goto out;
	warn_if_secret(t, src);
	if ((rc = fsx_write_atomic(dst, text.data, text.len)))
		goto out;
	if (unlink(src) < 0) {
		rc = kr_err("%s: %s", src, strerror(errno));
		goto out;
	}
	rc = fsx_fsync_dir(t->st.dir);
out:
	free(orig);
	free(adir);
	free(dst);
	buf_dispose(&text);
	mem_free(m);
	return rc;
}

static int team_gitignore(const struct store *st)
{
	static const char text[] = "# written by kairos: keep its journal and dream lock out of git\n"
				   "journal.jsonl\n.lock\n";
	char *p = join(st->dir, ".gitignore");
	int rc = 0;

	if (!fsx_exists(p))
		rc = fsx_write_atomic(p, text, sizeof(text) - 1);
	free(p);
	return rc;
}

int store_txn_commit(struct store_txn *t, const char *message, char *commit_out)
{
	struct mem_list mems = {0};
	struct store_problem *probs = NULL;
	size_t nprobs = 0;
	char id[41] = "";
	int rc;

	if ((rc = store_load(&t->st, &mems, false, &probs, &nprobs)))
		goto out;
	if ((rc = store_index_write(&t->st, &mems)))
		goto out;
	if (t->st.kind == STORE_TEAM && (rc = team_gitignore(&t->st)))
		goto out;
	rc = history_commit(t->st.dir, message && *message ? message : "Change memories", id);
out:
	if (commit_out)
		memcpy(commit_out, id, sizeof(id));
	mem_list_dispose(&mems);
	store_problem_free_all(probs, nprobs);
	store_txn_abort(t);
	return rc;
}

int store_undo(struct store *st, char *id_out)
{
	struct store_txn *t = NULL;
	int rc;

	id_out[0] = '\0';
	if ((rc = store_txn_begin(&t, st)))
		return rc;
	rc = history_undo(t->st.dir, id_out);
	store_txn_abort(t);
	return rc;
}
