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
#include "store_dir.h"
#include "store_prepare.h"

#include <dirent.h>
#include <fcntl.h>
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

/* True when the file stem (n bytes) names the memory name: itself, or
 * in archive/ also "<name>~N", an older copy of the same name. */
static bool stem_names(const char *stem, size_t n, const char *name, bool archived)
{
	size_t nl = strlen(name);

	if (n < nl || memcmp(stem, name, nl))
		return false;
	if (n == nl)
		return true;
	if (!archived || stem[nl] != '~' || n == nl + 1)
		return false;
	for (size_t i = nl + 1; i < n; i++)
		if (stem[i] < '0' || stem[i] > '9')
			return false;
	return true;
}

/* Loads the *.md files (but MEMORY.md) of the directory dfd (dir: its
 * path) into out; dfd is closed. */
static int load_dir(const struct store *st, const char *dir, int dfd, const char *realroot,
		    bool archived, struct mem_list *out, struct store_problem **problems,
		    size_t *nproblems, struct buf *scratch)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	size_t first = out->n, dl = strlen(dir);
	char path[PATH_MAX];

	if (!d) {
		snprintf(path, sizeof(path), "cannot read the store: %s", fsx_strerror(errno));
		store_problem_add(problems, nproblems, dir, path);
		close(dfd);
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
		if (!stem_names(fn, fl - STRLEN_LIT(".md"), m->name, archived)) {
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
	char *real, *adir;
	int rc, dfd, afd = -1;

	if ((rc = store_dir_open(st->dir, false, &dfd))) {
		if (rc != KR_ENOTFOUND) /* a link where the store should be: said, not read */
			store_problem_add(problems, nproblems, st->dir, kr_errmsg());
		return 0; /* a store that does not exist yet is empty */
	}
	if (!(real = realpath(st->dir, NULL))) {
		close(dfd);
		return 0;
	}
	if (archive && (rc = store_dir_archive(dfd, st->dir, false, &afd))) {
		if (rc != KR_ENOTFOUND)
			store_problem_add(problems, nproblems, st->dir, kr_errmsg());
		afd = -1;
	}
	rc = load_dir(st, st->dir, dfd, real, false, out, problems, nproblems, &scratch);
	if (afd >= 0) {
		adir = join(st->dir, "archive");
		rc = load_dir(st, adir, afd, real, true, out, problems, nproblems, &scratch);
		free(adir);
	}
	free(real);
	buf_dispose(&scratch);
	return rc;
}

/* ---- transactions ---- */

/* One change a transaction made on disk, so that it can be undone when
 * the change cannot be committed (memory-store.md "Failures"). */
struct txn_change {
	bool archive; /* in archive/, else in the store directory */
	char *name;   /* the file changed */
	char *backup; /* its content before, under a second name beside it; NULL: it was absent */
};

struct store_txn {
	struct store st;
	int lockfd;
	int dirfd;  /* the store directory (store_dir_open) */
	int afd;    /* archive/, or -1 until a change needs it */
	char *adir; /* archive/'s path, for messages */
	struct txn_change *changes;
	size_t nchanges;
};

char *store_lock_path(const char *store_dir)
{
	char *state = paths_state_dir(store_dir), *p = join(state, "write.lock");
	free(state);
	return p;
}

/* Temporary files left by a writer killed half way (and the copies of a
 * transaction killed before it committed): only writers holding the
 * lock create them, so under the lock they are all stale. */
static void remove_stale_tmp(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, FSX_TMP_PREFIX, STRLEN_LIT(FSX_TMP_PREFIX)))
			unlinkat(dirfd, e->d_name, 0);
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

static void txn_free(struct store_txn *t)
{
	for (size_t i = 0; i < t->nchanges; i++) {
		free(t->changes[i].name);
		free(t->changes[i].backup);
	}
	free(t->changes);
	if (t->afd >= 0)
		close(t->afd);
	if (t->dirfd >= 0)
		close(t->dirfd);
	fsx_unlock(t->lockfd);
	free(t->adir);
	free(t->st.dir);
	free(t);
}

int store_txn_begin(struct store_txn **out, struct store *st)
{
	struct store_txn *t;
	char *lock, id[41];
	int rc, fd;

	if (!st || !st->dir || !st->writable)
		return kr_errc(KR_EINVAL, "the %s store is read only",
			       st ? mem_store_name(st->kind) : "?");
	t = xcalloc(1, sizeof(*t));
	t->lockfd = t->dirfd = t->afd = -1;
	t->st = *st;
	t->st.dir = xstrdup(st->dir);
	t->adir = join(st->dir, "archive");
	if ((rc = store_dir_open(t->st.dir, true, &t->dirfd)))
		goto fail;
	lock = store_lock_path(st->dir);
	rc = fsx_lock(&t->lockfd, lock, false, true);
	free(lock);
	if (rc)
		goto fail;
	remove_stale_tmp(t->dirfd);
	if (!store_dir_archive(t->dirfd, t->st.dir, false, &fd)) {
		remove_stale_tmp(fd);
		close(fd);
	}
	remove_stale_git_locks(t->st.dir);
	if ((rc = history_commit(t->st.dir, "edit: changes made outside kairos", id)))
		goto fail;
	*out = t;
	return 0;
fail:
	txn_free(t);
	return rc;
}

static int txn_fd(struct store_txn *t, bool archive, const char **dir)
{
	*dir = archive ? t->adir : t->st.dir;
	return archive ? t->afd : t->dirfd;
}

/* Undoes every change t made, newest first: each file gets back its
 * old content (its second name renamed over it: nothing to write, so
 * it works on a full disk too), or goes when it was not there. */
static void txn_rollback(struct store_txn *t)
{
	for (size_t i = t->nchanges; i-- > 0;) {
		struct txn_change *c = &t->changes[i];
		const char *dir;
		int fd = txn_fd(t, c->archive, &dir);
		int r = c->backup ? renameat(fd, c->backup, fd, c->name) : unlinkat(fd, c->name, 0);
		if (r < 0 && errno != ENOENT)
			store_warn("could not put %s/%s back as it was: %s", dir, c->name,
				   fsx_strerror(errno));
		free(c->backup);
		free(c->name);
	}
	t->nchanges = 0;
	fsync(t->dirfd);
	if (t->afd >= 0)
		fsync(t->afd);
}

/* The change is committed: the old contents' second names go. */
static void txn_keep_changes(struct store_txn *t)
{
	for (size_t i = 0; i < t->nchanges; i++) {
		const char *dir;
		if (t->changes[i].backup)
			unlinkat(txn_fd(t, t->changes[i].archive, &dir), t->changes[i].backup, 0);
	}
}

void store_txn_abort(struct store_txn *t)
{
	if (!t)
		return;
	txn_rollback(t);
	txn_free(t);
}

/* Records that name (in archive/ or not) is about to change, keeping
 * its content under a second name first. */
static int txn_note(struct store_txn *t, bool archive, const char *name)
{
	const char *dir;
	int fd = txn_fd(t, archive, &dir), rc;
	char *backup = NULL;

	if ((rc = fsx_keepat(fd, dir, name, &backup)) && rc != KR_ENOTFOUND)
		return rc;
	t->changes = xrealloc(t->changes, (t->nchanges + 1) * sizeof(*t->changes));
	t->changes[t->nchanges++] = (struct txn_change){archive, xstrdup(name), backup};
	return 0;
}

/* Writes text as name (in archive/ or not) atomically, recorded for a
 * rollback; nothing when it holds exactly that already. */
static int txn_put(struct store_txn *t, bool archive, const char *name, const struct buf *text)
{
	struct buf old = BUF_INIT_CAP(BUF_CAP_LISTING + 1);
	const char *dir;
	int fd = txn_fd(t, archive, &dir), rc;
	bool same = !fsx_readat(fd, dir, name, BUF_CAP_LISTING, &old) && old.len == text->len &&
		    !memcmp(buf_cstr(&old), buf_cstr(text), text->len);

	buf_dispose(&old);
	if (same)
		return 0;
	if ((rc = txn_note(t, archive, name)))
		return rc;
	return fsx_write_atomicat(fd, dir, name, buf_cstr(text), text->len);
}

/* Writes text as dst (in archive/ when into_archive, else in the store
 * directory), then removes src from the other one: the move of a memory
 * in or out of archive/, each step recorded for a rollback. */
static int txn_move(struct store_txn *t, bool into_archive, const char *dst,
		    const struct buf *text, const char *src)
{
	const char *ddir, *sdir;
	int dfd = txn_fd(t, into_archive, &ddir), sfd = txn_fd(t, !into_archive, &sdir), rc;

	if ((rc = txn_note(t, into_archive, dst)) ||
	    (rc = fsx_write_atomicat(dfd, ddir, dst, text->data, text->len)) ||
	    (rc = txn_note(t, !into_archive, src)))
		return rc;
	if (unlinkat(sfd, src, 0) < 0)
		return kr_err("%s/%s: %s", sdir, src, fsx_strerror(errno));
	if (fsync(sfd) < 0 && errno != EINVAL)
		return kr_err("fsync %s: %s", sdir, fsx_strerror(errno));
	return 0;
}

/* archive/, opened (and created, with create) the first time a change
 * needs it. */
static int txn_archive_dir(struct store_txn *t, bool create)
{
	int rc;

	if (t->afd >= 0)
		return 0;
	if ((rc = store_dir_archive(t->dirfd, t->st.dir, create, &t->afd)))
		t->afd = -1;
	return rc;
}

/* ---- warnings ---- */

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

int store_txn_write(struct store_txn *t, const struct mem *m)
{
	struct buf text = BUF_INIT_CAP(MEM_MAX_FILE);
	char file[MEM_FILE_NAME_MAX];
	int rc;

	if (!m->name || !mem_name_valid(m->name))
		return kr_errc(KR_EINVAL, "'%s' is not a valid memory name", m->name ? m->name : "");
	if ((rc = store_prepare(m, &text)))
		goto out;
	snprintf(file, sizeof(file), "%s.md", m->name);
	store_prepare_warn_secret(t->dirfd, t->st.dir, file);
	rc = txn_put(t, false, file, &text);
out:
	buf_dispose(&text);
	return rc;
}

/* The file name for an archived copy of name: <name>.md, or, when that
 * is taken, <name>~N.md with the smallest free N from 2. */
static int archive_name(const struct store_txn *t, const char *name, char out[MEM_FILE_NAME_MAX])
{
	struct stat sb;

	snprintf(out, MEM_FILE_NAME_MAX, "%s.md", name);
	for (int i = 2; fstatat(t->afd, out, &sb, AT_SYMLINK_NOFOLLOW) == 0; i++) {
		if (i > STORE_ARCHIVE_COPIES_MAX)
			return kr_err("archive/ of %s holds %d copies of '%s' already", t->st.dir,
				      STORE_ARCHIVE_COPIES_MAX, name);
		snprintf(out, MEM_FILE_NAME_MAX, "%s~%d.md", name, i);
	}
	return 0;
}

/* *out: the memory named name read from file (in archive/ when archive
 * is true), never through a link; errors name the file. */
static int txn_read(struct store_txn *t, bool archive, const char *file, const char *name,
		    struct mem **out)
{
	struct buf scratch = BUF_INIT_CAP(2 * BUF_CAP_MEMFILE); /* mem_parse_read_fileat's */
	const char *dir;
	int fd = txn_fd(t, archive, &dir), rc;
	char *path = join(dir, file), why[512];

	*out = NULL;
	if ((rc = mem_parse_read_fileat(out, fd, file, path, &scratch, 0))) {
		snprintf(why, sizeof(why), "%s", kr_errmsg());
		if (rc == KR_ENOTFOUND)
			rc = kr_errc(rc, "no memory named '%s' in the %s store", name,
				     mem_store_name(t->st.kind));
		else
			rc = kr_errc(rc, "%s: %s (left as it is)", path, why);
	} else if (strcmp((*out)->name, name)) {
		rc = kr_errc(KR_EINVAL, "%s: 'name: %s' is not '%s' (left as it is)", path,
			     (*out)->name, name);
		mem_free(*out);
		*out = NULL;
	}
	free(path);
	buf_dispose(&scratch);
	return rc;
}

int store_txn_archive(struct store_txn *t, const char *name, const char *reason,
		      const char *superseded_by)
{
	struct mem *m = NULL;
	/* the archived file must load again, so it is held to a memory's cap */
	struct buf text = BUF_INIT_CAP(MEM_MAX_FILE);
	char src[MEM_FILE_NAME_MAX], dst[MEM_FILE_NAME_MAX], ts[32];
	int rc;

	if (!mem_name_valid(name))
		return kr_errc(KR_ENOTFOUND, "no memory named '%s'", name);
	snprintf(src, sizeof(src), "%s.md", name);
	if ((rc = txn_read(t, false, src, name, &m)))
		goto out;
	time_format((int64_t)time(NULL), ts);
	free(m->archived_at);
	m->archived_at = xstrdup(ts);
	free(m->archived_reason);
	m->archived_reason = xstrdup(reason && *reason ? reason : "archived");
	free(m->superseded_by);
	m->superseded_by = superseded_by ? xstrdup(superseded_by) : NULL;
	if ((rc = store_prepare(m, &text)) || (rc = txn_archive_dir(t, true)))
		goto out;
	/* an older archived copy of the same name stays: this one is name~N,
	 * its name unchanged, so that superseded_by keeps pointing at it */
	if ((rc = archive_name(t, name, dst)))
		goto out;
	store_prepare_warn_secret(t->dirfd, t->st.dir, src);
	rc = txn_move(t, true, dst, &text, src);
out:
	buf_dispose(&text);
	mem_free(m);
	return rc;
}

int store_txn_restore(struct store_txn *t, const char *name, const char *archived_file)
{
	struct mem *m = NULL;
	struct buf text = BUF_INIT_CAP(MEM_MAX_FILE);
	char dst[MEM_FILE_NAME_MAX];
	struct stat sb;
	int rc;

	if (!mem_name_valid(name))
		return kr_errc(KR_ENOTFOUND, "no memory named '%s'", name);
	snprintf(dst, sizeof(dst), "%s.md", name);
	if (fstatat(t->dirfd, dst, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return kr_errc(KR_EEXISTS, "%s/%s is there already: an active memory named '%s' "
					   "exists (forget it first, or give the archived copy "
					   "another name)", t->st.dir, dst, name);
	if ((rc = txn_archive_dir(t, false)))
		return rc == KR_ENOTFOUND ? kr_errc(rc, "no archived memory named '%s' in the %s "
							"store", name, mem_store_name(t->st.kind))
					  : rc;
	if ((rc = txn_read(t, true, archived_file, name, &m)))
		goto out;
	free(m->archived_reason);
	free(m->archived_at);
	free(m->superseded_by);
	m->archived_reason = m->archived_at = m->superseded_by = NULL;
	if ((rc = store_prepare(m, &text)))
		goto out;
	rc = txn_move(t, false, dst, &text, archived_file);
out:
	buf_dispose(&text);
	mem_free(m);
	return rc;
}

static int team_gitignore(struct store_txn *t)
{
	static const char text[] = "# written by kairos: keep its journal and dream lock out of git\n"
				   "journal.jsonl\n.lock\n";
	struct buf b = BUF_INIT_CAP(sizeof(text));
	struct stat sb;
	int rc;

	if (fstatat(t->dirfd, ".gitignore", &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return 0; /* the team's own, or kairos's: either way left as it is */
	buf_puts(&b, text);
	if (!(rc = buf_err(&b)))
		rc = txn_put(t, false, ".gitignore", &b);
	buf_dispose(&b);
	return rc;
}

/* The store's active memories as they are now, into mems (emptied first). */
static int load_now(struct store_txn *t, struct mem_list *mems)
{
	struct store_problem *probs = NULL;
	size_t nprobs = 0;
	int rc;

	mem_list_dispose(mems);
	rc = store_load(&t->st, mems, false, &probs, &nprobs);
	store_problem_free_all(probs, nprobs);
	return rc;
}

/* MEMORY.md rebuilt from the store as it is now, keeping what an index
 * kairos did not write holds (store_index_build): under "## Notes", or
 * in a memory of its own written first. */
static int write_index(struct store_txn *t)
{
	struct mem_list mems = {0};
	/* the text is capped far below a listing; so is an old one kept */
	struct buf text = BUF_INIT_CAP(BUF_CAP_LISTING), old = BUF_INIT_CAP(BUF_CAP_LISTING + 1);
	struct mem *notes = NULL;
	bool had = true;
	int rc;

	if ((rc = fsx_readat(t->dirfd, t->st.dir, "MEMORY.md", BUF_CAP_LISTING, &old))) {
		if (rc != KR_ENOTFOUND) {
			char why[512];
			snprintf(why, sizeof(why), "%s", kr_errmsg());
			rc = kr_errc(rc, "MEMORY.md cannot be read, so it is not rebuilt (what it holds "
					 "is never thrown away): %s", why);
			goto out;
		}
		had = false;
		rc = 0;
	}
	if ((rc = load_now(t, &mems)) ||
	    (rc = store_index_build(&t->st, &mems, had ? buf_cstr(&old) : NULL, old.len, &text,
				    &notes)))
		goto out;
	if (notes) {
		struct mem *none = NULL;
		if ((rc = store_txn_write(t, notes)) || (rc = load_now(t, &mems)) ||
		    (rc = store_index_build(&t->st, &mems, NULL, 0, &text, &none)))
			goto out;
	}
	rc = txn_put(t, false, "MEMORY.md", &text);
out:
	mem_free(notes);
	buf_dispose(&text);
	buf_dispose(&old);
	mem_list_dispose(&mems);
	return rc;
}

/* What failed, said for a person: the message, and why nothing could be
 * written where history lives (full, read-only, no permission) when the
 * message does not say it itself. */
static int commit_failed(const struct store_txn *t, int rc)
{
	char msg[512], *repo = history_repo_path(t->st.dir);
	const char *why = repo ? fsx_why_unwritable(repo) : NULL;

	snprintf(msg, sizeof(msg), "%s", kr_errmsg());
	rc = kr_errc(rc, "cannot commit the change to history: %s%s%s; nothing was changed (every "
			 "file is back as it was)",
		     msg, why && !strstr(msg, why) ? ": " : "", why && !strstr(msg, why) ? why : "");
	free(repo);
	return rc;
}

int store_txn_commit(struct store_txn *t, const char *message, char *commit_out)
{
	char id[41] = "";
	int rc;

	if ((rc = write_index(t)))
		goto out;
	if (t->st.kind == STORE_TEAM && (rc = team_gitignore(t)))
		goto out;
	if ((rc = history_commit(t->st.dir, message && *message ? message : "Change memories", id)))
		rc = commit_failed(t, rc);
out:
	if (commit_out)
		memcpy(commit_out, rc ? "" : id, rc ? 1 : sizeof(id));
	if (rc)
		txn_rollback(t);
	else
		txn_keep_changes(t);
	txn_free(t);
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
