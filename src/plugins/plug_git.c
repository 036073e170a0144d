/* plug_git: the git plugin (build/kairos-git.so), the only code that
 * includes git2.h. It implements the primitive operations of
 * kairos/gitops.h with libgit2 and is self-contained: it calls nothing of
 * libkairos (errors go through its own last_error). */
#include "kairos/err.h"
#include "kairos/gitops.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct gitops_repo {
	git_repository *repo;
};

static _Thread_local char errbuf[2 * PATH_MAX + 256];

static const char *pg_last_error(void)
{
	return errbuf[0] ? errbuf : "unknown git error";
}

/* Records a failure of kairos's own (code is a KR_* code). */
__attribute__((format(printf, 2, 3))) static int kfail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return code;
}

/* Records a libgit2 failure (gitrc is a GIT_E* code) with libgit2's reason
 * and returns the matching KR_* code. */
__attribute__((format(printf, 2, 3))) static int gfail(int gitrc, const char *fmt, ...)
{
	va_list ap;
	size_t n;
	const git_error *ge = git_error_last();

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	n = strlen(errbuf);
	if (ge && ge->message && n < sizeof(errbuf) - 3)
		snprintf(errbuf + n, sizeof(errbuf) - n, ": %s", ge->message);
	switch (gitrc) {
	case GIT_ENOTFOUND:
	case GIT_EUNBORNBRANCH:
		return KR_ENOTFOUND;
	case GIT_EEXISTS:
		return KR_EEXISTS;
	case GIT_ELOCKED:
	case GIT_EMODIFIED:
		return KR_EBUSY;
	default:
		return KR_ERR;
	}
}

static int fail_errno(const char *what, const char *path)
{
	snprintf(errbuf, sizeof(errbuf), "%s %s: %s", what, path, strerror(errno));
	return KR_ERR;
}

static const char *pg_version(void)
{
	static char v[32];
	int a, b, c;
	git_libgit2_version(&a, &b, &c);
	snprintf(v, sizeof(v), "libgit2 %d.%d.%d", a, b, c);
	return v;
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return kfail(KR_EINVAL, "path too long: %s", path);
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return fail_errno("cannot create", tmp);
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return fail_errno("cannot create", tmp);
	return 0;
}

static int pg_open(struct gitops_repo **out, const char *path, int flags)
{
	git_repository *repo = NULL;
	int rc;

	*out = NULL;
	if (flags & GITOPS_OPEN_BARE_CREATE) {
		rc = git_repository_open_ext(&repo, path,
					     GIT_REPOSITORY_OPEN_NO_SEARCH | GIT_REPOSITORY_OPEN_BARE,
					     NULL);
		if (rc == GIT_ENOTFOUND) {
			git_repository_init_options o;
			git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
			o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
			o.initial_head = "main";
			rc = git_repository_init_ext(&repo, path, &o);
			if (rc < 0)
				return gfail(rc, "cannot create history repository %s", path);
		} else if (rc < 0) {
			return gfail(rc, "cannot open history repository %s", path);
		}
	} else {
		rc = git_repository_open_ext(&repo, path, 0, NULL);
		if (rc < 0)
			return rc == GIT_ENOTFOUND ? kfail(KR_ENOTFOUND, "%s is not inside a git work tree", path) : gfail(rc,
				    "%s is not inside a git work tree", path);
		if (git_repository_is_bare(repo)) {
			git_repository_free(repo);
			return kfail(KR_ENOTFOUND, "%s is inside a bare repository, not a work tree",
				    path);
		}
	}
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		git_repository_free(repo);
		return kfail(KR_ENOMEM, "out of memory");
	}
	(*out)->repo = repo;
	return 0;
}

static void pg_close(struct gitops_repo *r)
{
	if (!r)
		return;
	git_repository_free(r->repo);
	free(r);
}

static const char *pg_workdir(struct gitops_repo *r)
{
	return git_repository_workdir(r->repo);
}

static int pg_head(struct gitops_repo *r, char *id_out)
{
	git_oid oid;
	int rc = git_reference_name_to_id(&oid, r->repo, "HEAD");

	id_out[0] = '\0';
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH)
		return kfail(KR_ENOTFOUND, "HEAD is unborn");
	if (rc < 0)
		return gfail(rc, "cannot read HEAD");
	git_oid_tostr(id_out, 41, &oid);
	return 0;
}

/* --- snapshots ---------------------------------------------------------- */

/* Temporary files of atomic writes start with this (the store's
 * FSX_TMP_PREFIX, kairos/fsx.h: the store removes leftovers under its lock). */
#define TMP_PREFIX ".kairos-tmp-"

/* Names a snapshot leaves out: the store's lock, kairos's own temporary
 * files, and what git cannot hold. */
static int skipped_name(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".lock") ||
	       !strcmp(name, ".git") || !strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX));
}

static int blob_from_file(git_repository *repo, const char *path, const struct stat *st,
			  git_oid *oid)
{
	int fd, rc;
	void *map;

	if (st->st_size == 0)
		return git_blob_create_from_buffer(oid, repo, "", 0) < 0
			       ? gfail(-1, "cannot store %s", path)
			       : 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return fail_errno("cannot read", path);
	map = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return fail_errno("cannot read", path);
	/* No filters: the blob holds exactly the file's bytes. */
	rc = git_blob_create_from_buffer(oid, repo, map, (size_t)st->st_size);
	munmap(map, (size_t)st->st_size);
	return rc < 0 ? gfail(rc, "cannot store %s", path) : 0;
}

static int blob_from_link(git_repository *repo, const char *path, git_oid *oid)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target));
	int rc;

	if (n < 0 || (size_t)n >= sizeof(target))
		return fail_errno("cannot read link", path);
	rc = git_blob_create_from_buffer(oid, repo, target, (size_t)n);
	return rc < 0 ? gfail(rc, "cannot store %s", path) : 0;
}

/* --- the stat cache ------------------------------------------------------
 * Like git's index: <repo>/kairos-statcache remembers, for each regular
 * file of the last snapshot, its stat data and blob id, so that the next
 * snapshot reads and hashes only files whose stat data changed. An entry
 * is trusted only when the file's mtime is before the second in which the
 * snapshot that recorded it began (a file rewritten within that second
 * with the same size is hashed again: git's "racy clean" rule). Written
 * under the history lock; losing it only costs time. */

#define STATCACHE_FILE "kairos-statcache"
#define STATCACHE_MAGIC "kairos-statcache 1"

struct sc_entry {
	const char *path; /* into statcache.text */
	git_oid oid;
	unsigned long long mode, size, ino;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
};

struct statcache {
	char *text;
	struct sc_entry *e;
	size_t n, cap;
	int *slots;
	size_t nslots;
	long long stamp;
};

/* What a snapshot carries along: the old cache to read, the new to write. */
struct snap {
	git_repository *repo;
	size_t rootlen; /* length of the snapshot's root directory path */
	struct statcache old;
	char *out; /* the new cache's text */
	size_t olen, ocap;
	int out_failed;
};

static size_t sc_hash(const char *s)
{
	size_t h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static const struct sc_entry *sc_find(const struct statcache *c, const char *path)
{
	if (!c->nslots)
		return NULL;
	for (size_t i = sc_hash(path) & (c->nslots - 1);; i = (i + 1) & (c->nslots - 1)) {
		int k = c->slots[i];
		if (k < 0)
			return NULL;
		if (!strcmp(c->e[k].path, path))
			return &c->e[k];
	}
}

static void sc_free(struct statcache *c)
{
	free(c->text);
	free(c->e);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

static char *sc_path(git_repository *repo)
{
	const char *gd = git_repository_path(repo); /* ends with '/' */
	size_t n = strlen(gd) + sizeof(STATCACHE_FILE);
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s", gd, STATCACHE_FILE);
	return p;
}

/* Loads the cache; any problem leaves it empty (everything is hashed). */
static void sc_load(struct statcache *c, git_repository *repo)
{
	char *path = sc_path(repo), *p, *nl;
	FILE *f = path ? fopen(path, "rb") : NULL;
	long size;

	memset(c, 0, sizeof(*c));
	free(path);
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0 ||
	    !(c->text = malloc((size_t)size + 1)) || fread(c->text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		sc_free(c);
		return;
	}
	fclose(f);
	c->text[size] = '\0';
	if (sscanf(c->text, STATCACHE_MAGIC " %lld", &c->stamp) != 1 || !(p = strchr(c->text, '\n'))) {
		sc_free(c);
		return;
	}
	for (p++; *p && (nl = strchr(p, '\n')); p = nl + 1) {
		struct sc_entry e;
		char hex[41];
		int off = 0;

		*nl = '\0';
		if (sscanf(p, "%40s %llo %llu %llu %lld %lld %lld %lld %n", hex, &e.mode, &e.size,
			   &e.ino, &e.mtime_s, &e.mtime_ns, &e.ctime_s, &e.ctime_ns, &off) != 8 ||
		    off == 0 || git_oid_fromstr(&e.oid, hex) < 0)
			continue;
		e.path = p + off;
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 256;
			struct sc_entry *ne = realloc(c->e, cap * sizeof(*ne));
			if (!ne) {
				sc_free(c);
				return;
			}
			c->e = ne;
			c->cap = cap;
		}
		c->e[c->n++] = e;
	}
	for (c->nslots = 16; c->nslots < c->n * 2; c->nslots *= 2)
		;
	if (!(c->slots = malloc(c->nslots * sizeof(*c->slots)))) {
		sc_free(c);
		return;
	}
	memset(c->slots, 0xff, c->nslots * sizeof(*c->slots));
	for (size_t k = 0; k < c->n; k++) {
		size_t i = sc_hash(c->e[k].path) & (c->nslots - 1);
		while (c->slots[i] >= 0)
			i = (i + 1) & (c->nslots - 1);
		c->slots[i] = (int)k;
	}
}

static int sc_matches(const struct sc_entry *e, const struct stat *st, long long stamp)
{
	return e && e->mode == (unsigned long long)st->st_mode &&
	       e->size == (unsigned long long)st->st_size && e->ino == (unsigned long long)st->st_ino &&
	       e->mtime_s == (long long)st->st_mtim.tv_sec &&
	       e->mtime_ns == (long long)st->st_mtim.tv_nsec &&
	       e->ctime_s == (long long)st->st_ctim.tv_sec &&
	       e->ctime_ns == (long long)st->st_ctim.tv_nsec && e->mtime_s < stamp;
}

__attribute__((format(printf, 2, 3))) static void sc_append(struct snap *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->out_failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->out + s->olen, s->ocap - s->olen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < s->ocap - s->olen) {
			s->olen += (size_t)n;
			return;
		}
		size_t cap = s->ocap ? s->ocap * 2 : 65536;
		char *o = realloc(s->out, cap);
		if (!o || n < 0) {
			s->out_failed = 1;
			return;
		}
		s->out = o;
		s->ocap = cap;
	}
}

static void sc_record(struct snap *s, const char *rel, const struct stat *st, const git_oid *oid)
{
	char hex[41];

	if (strchr(rel, '\n'))
		return;
	git_oid_tostr(hex, sizeof(hex), oid);
	sc_append(s, "%s %llo %llu %llu %lld %lld %lld %lld %s\n", hex,
		  (unsigned long long)st->st_mode, (unsigned long long)st->st_size,
		  (unsigned long long)st->st_ino, (long long)st->st_mtim.tv_sec,
		  (long long)st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
		  (long long)st->st_ctim.tv_nsec, rel);
}

/* Replaces the cache file with what this snapshot recorded. */
static void sc_save(struct snap *s)
{
	char *path = sc_path(s->repo), tmp[PATH_MAX];
	FILE *f;
	int ok;

	if (!path || s->out_failed || !s->out ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		free(path);
		return;
	}
	f = fopen(tmp, "wb");
	ok = f && fwrite(s->out, 1, s->olen, f) == s->olen;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) < 0)
		unlink(tmp);
	free(path);
}

/* Writes dir as a tree into *oid; *count gets its number of entries. */
static int tree_of_dir(struct snap *s, const char *dir, git_oid *oid, size_t *count)
{
	git_repository *repo = s->repo;
	git_treebuilder *tb = NULL;
	DIR *d = NULL;
	struct dirent *de;
	char path[PATH_MAX];
	int rc = 0;

	*count = 0;
	if ((rc = git_treebuilder_new(&tb, repo, NULL)) < 0) {
		rc = gfail(rc, "cannot build a tree");
		goto out;
	}
	d = opendir(dir);
	if (!d && errno != ENOENT) {
		rc = fail_errno("cannot read directory", dir);
		goto out;
	}
	while (d && (errno = 0, de = readdir(d))) {
		struct stat st;
		git_oid eoid;
		git_filemode_t mode;
		size_t sub = 0;

		if (skipped_name(de->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path)) {
			rc = kfail(KR_EINVAL, "path too long under %s", dir);
			goto out;
		}
		if (lstat(path, &st) < 0) {
			if (errno == ENOENT)
				continue; /* removed while we read */
			rc = fail_errno("cannot stat", path);
			goto out;
		}
		if (S_ISREG(st.st_mode)) {
			mode = (st.st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE
						      : GIT_FILEMODE_BLOB;
			const char *rel = path + s->rootlen + 1;
			const struct sc_entry *ce = sc_find(&s->old, rel);
			if (sc_matches(ce, &st, s->old.stamp))
				eoid = ce->oid;
			else
				rc = blob_from_file(repo, path, &st, &eoid);
			if (rc == 0)
				sc_record(s, rel, &st, &eoid);
		} else if (S_ISLNK(st.st_mode)) {
			mode = GIT_FILEMODE_LINK;
			rc = blob_from_link(repo, path, &eoid);
		} else if (S_ISDIR(st.st_mode)) {
			mode = GIT_FILEMODE_TREE;
			rc = tree_of_dir(s, path, &eoid, &sub);
			if (rc == 0 && sub == 0)
				continue; /* git holds no empty directories */
		} else {
			continue; /* fifos, sockets, devices: not memory */
		}
		if (rc < 0)
			goto out;
		if ((rc = git_treebuilder_insert(NULL, tb, de->d_name, &eoid, mode)) < 0) {
			rc = gfail(rc, "cannot add %s to the snapshot", path);
			goto out;
		}
		(*count)++;
	}
	if (d && errno) {
		rc = fail_errno("cannot read directory", dir);
		goto out;
	}
	if ((rc = git_treebuilder_write(oid, tb)) < 0)
		rc = gfail(rc, "cannot write the tree of %s", dir);
out:
	if (d)
		closedir(d);
	git_treebuilder_free(tb);
	return rc;
}

static int pg_tree_from_dir(struct gitops_repo *r, const char *dir, char *tree_out)
{
	struct snap s = {0};
	git_oid oid;
	size_t n;
	int rc;

	tree_out[0] = '\0';
	s.repo = r->repo;
	s.rootlen = strlen(dir);
	sc_load(&s.old, r->repo);
	sc_append(&s, STATCACHE_MAGIC " %lld\n", (long long)time(NULL));
	if ((rc = tree_of_dir(&s, dir, &oid, &n)) == 0) {
		git_oid_tostr(tree_out, 41, &oid);
		sc_save(&s);
	}
	sc_free(&s.old);
	free(s.out);
	return rc;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return fail_errno("cannot open directory", dir);
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = fail_errno("cannot sync directory", dir);
	close(fd);
	return rc;
}

/* Whether the regular file at path holds exactly data. */
static int same_content(const char *path, const struct stat *st, const void *data, size_t n)
{
	int fd, same = 0;
	void *map;

	if (!S_ISREG(st->st_mode) || (size_t)st->st_size != n)
		return 0;
	if (n == 0)
		return 1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return 0;
	same = memcmp(map, data, n) == 0;
	munmap(map, n);
	return same;
}

static int tmp_name(char *out, size_t cap, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, cap, "%s/" TMP_PREFIX "%s.XXXXXX", dir, name) >= cap)
		return kfail(KR_EINVAL, "path too long under %s", dir);
	return 0;
}

/* Writes data to dir/name atomically (temporary file, fsync, rename). */
static int write_file_atomic(const char *dir, const char *name, const void *data, size_t n,
			     mode_t mode)
{
	char tmp[PATH_MAX], path[PATH_MAX];
	const char *p = data;
	int fd, rc = 0;

	if (tmp_name(tmp, sizeof(tmp), dir, name) < 0)
		return KR_EINVAL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fail_errno("cannot create a file in", dir);
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = fail_errno("cannot write", path);
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	if (rc == 0 && fchmod(fd, mode) < 0)
		rc = fail_errno("cannot set the mode of", path);
	if (rc == 0 && fsync(fd) < 0)
		rc = fail_errno("cannot sync", path);
	if (close(fd) < 0 && rc == 0)
		rc = fail_errno("cannot write", path);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = fail_errno("cannot replace", path);
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int write_link_atomic(const char *dir, const char *name, const char *target)
{
	char tmp[PATH_MAX], path[PATH_MAX];

	for (int tries = 0;; tries++) {
		if (tmp_name(tmp, sizeof(tmp), dir, name) < 0)
			return KR_EINVAL;
		/* mkstemp only to pick a free name; the link replaces it */
		int fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0)
			return fail_errno("cannot create a file in", dir);
		close(fd);
		unlink(tmp);
		if (symlink(target, tmp) == 0)
			break;
		if (errno != EEXIST || tries > 10)
			return fail_errno("cannot create link", tmp);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		return fail_errno("cannot replace", path);
	}
	return 0;
}

/* Removes what a snapshot of path would hold (recursively); directories
 * left empty go too, anything else (fifos...) stays. */
static int remove_snapshot_part(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char sub[PATH_MAX];
	int rc = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : fail_errno("cannot stat", path);
	if (!S_ISDIR(st.st_mode)) {
		if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && unlink(path) < 0 &&
		    errno != ENOENT)
			return fail_errno("cannot remove", path);
		return 0;
	}
	if (!(d = opendir(path)))
		return fail_errno("cannot read directory", path);
	while (rc == 0 && (de = readdir(d))) {
		if (skipped_name(de->d_name))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= sizeof(sub))
			rc = kfail(KR_EINVAL, "path too long under %s", path);
		else
			rc = remove_snapshot_part(sub);
	}
	closedir(d);
	if (rc == 0 && rmdir(path) < 0 && errno != ENOTEMPTY && errno != EEXIST)
		rc = fail_errno("cannot remove", path);
	return rc;
}

static int apply_tree(git_repository *repo, const git_tree *tree, const git_tree *base,
		      const char *dir);

/* Makes dir/<e's name> what e holds; be is the same name in the base tree
 * (NULL when absent or unknown). */
static int apply_entry(git_repository *repo, const git_tree_entry *e, const git_tree_entry *be,
		       const char *dir, int *changed)
{
	git_tree *bsub = NULL;
	const char *name = git_tree_entry_name(e);
	git_filemode_t mode = git_tree_entry_filemode(e);
	char path[PATH_MAX];
	struct stat st;
	int exists, rc = 0;
	git_object *obj = NULL;

	if (skipped_name(name) || strchr(name, '/'))
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return kfail(KR_EINVAL, "path too long under %s", dir);
	exists = lstat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		return fail_errno("cannot stat", path);
	if (mode == GIT_FILEMODE_COMMIT)
		return 0;
	if ((rc = git_tree_entry_to_object(&obj, repo, e)) < 0)
		return gfail(rc, "cannot read the snapshot of %s", path);

	if (mode == GIT_FILEMODE_TREE) {
		if (exists && !S_ISDIR(st.st_mode)) {
			if ((rc = remove_snapshot_part(path)) < 0)
				goto out;
			exists = 0;
		}
		if (!exists) {
			if (mkdir(path, 0755) < 0) {
				rc = fail_errno("cannot create", path);
				goto out;
			}
			*changed = 1;
		}
		if (be && git_tree_entry_filemode(be) == GIT_FILEMODE_TREE &&
		    (rc = git_tree_lookup(&bsub, repo, git_tree_entry_id(be))) < 0) {
			rc = gfail(rc, "cannot read the snapshot of %s", path);
			goto out;
		}
		rc = apply_tree(repo, (git_tree *)obj, bsub, path);
	} else if (mode == GIT_FILEMODE_LINK) {
		const git_blob *b = (git_blob *)obj;
		size_t n = (size_t)git_blob_rawsize(b);
		char target[PATH_MAX], cur[PATH_MAX];
		ssize_t cn;

		if (n >= sizeof(target)) {
			rc = kfail(KR_EINVAL, "link target too long for %s", path);
			goto out;
		}
		memcpy(target, git_blob_rawcontent(b), n);
		target[n] = '\0';
		if (exists && S_ISLNK(st.st_mode) && (cn = readlink(path, cur, sizeof(cur))) >= 0 &&
		    (size_t)cn == n && !memcmp(cur, target, n))
			goto out;
		if (exists && S_ISDIR(st.st_mode) && (rc = remove_snapshot_part(path)) < 0)
			goto out;
		rc = write_link_atomic(dir, name, target);
		*changed = 1;
	} else {
		const git_blob *b = (git_blob *)obj;
		size_t n = (size_t)git_blob_rawsize(b);
		const void *data = git_blob_rawcontent(b);
		int exec = mode == GIT_FILEMODE_BLOB_EXECUTABLE;
		mode_t fmode;

		if (exists && same_content(path, &st, data, n) && !!(st.st_mode & S_IXUSR) == exec)
			goto out;
		if (exists && S_ISDIR(st.st_mode) && (rc = remove_snapshot_part(path)) < 0)
			goto out;
		fmode = exists && S_ISREG(st.st_mode) ? (st.st_mode & 0666) : 0644;
		if (exec)
			fmode |= (fmode & 0444) >> 2;
		rc = write_file_atomic(dir, name, data, n, fmode);
		*changed = 1;
	}
out:
	git_object_free(obj);
	git_tree_free(bsub);
	return rc;
}

/* Makes dir hold exactly tree. With base (the tree dir holds now), only
 * what differs between the two is touched: entries with the same id in
 * both are skipped unread, and only base's entries that tree lacks are
 * removed. Without base, every file is compared and every extra entry
 * removed. */
static int apply_tree(git_repository *repo, const git_tree *tree, const git_tree *base,
		      const char *dir)
{
	size_t n = git_tree_entrycount(tree);
	int changed = 0, rc = 0;
	DIR *d = NULL;
	struct dirent *de;
	char path[PATH_MAX];

	for (size_t i = 0; i < n && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const git_tree_entry *be = base ? git_tree_entry_byname(base, git_tree_entry_name(e)) : NULL;
		if (be && git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(be)) &&
		    git_tree_entry_filemode(e) == git_tree_entry_filemode(be))
			continue;
		rc = apply_entry(repo, e, be, dir, &changed);
	}
	if (rc < 0)
		goto out;
	if (base) {
		for (size_t i = 0, bn = git_tree_entrycount(base); i < bn && rc == 0; i++) {
			const char *name = git_tree_entry_name(git_tree_entry_byindex(base, i));
			if (skipped_name(name) || strchr(name, '/') || git_tree_entry_byname(tree, name))
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
				rc = kfail(KR_EINVAL, "path too long under %s", dir);
			else
				rc = remove_snapshot_part(path);
			changed = 1;
		}
		goto synced;
	}
	if (!(d = opendir(dir))) {
		rc = fail_errno("cannot read directory", dir);
		goto out;
	}
	while (rc == 0 && (de = readdir(d))) {
		struct stat st;
		if (skipped_name(de->d_name) || git_tree_entry_byname(tree, de->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path)) {
			rc = kfail(KR_EINVAL, "path too long under %s", dir);
			break;
		}
		if (lstat(path, &st) == 0 &&
		    (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))) {
			rc = remove_snapshot_part(path);
			changed = 1;
		}
	}
synced:
	if (rc == 0 && changed)
		rc = fsync_dir(dir);
out:
	if (d)
		closedir(d);
	return rc;
}

static int pg_tree_to_dir(struct gitops_repo *r, const char *tree_id, const char *base_id,
			  const char *dir)
{
	git_oid oid;
	git_tree *tree = NULL, *base = NULL;
	int rc;

	if (git_oid_fromstr(&oid, tree_id) < 0)
		return kfail(KR_EINVAL, "not a tree id: %s", tree_id);
	if ((rc = git_tree_lookup(&tree, r->repo, &oid)) < 0)
		return gfail(rc, "cannot read tree %s", tree_id);
	if (base_id && base_id[0]) {
		if (git_oid_fromstr(&oid, base_id) < 0) {
			rc = kfail(KR_EINVAL, "not a tree id: %s", base_id);
			goto out;
		}
		if ((rc = git_tree_lookup(&base, r->repo, &oid)) < 0) {
			rc = gfail(rc, "cannot read tree %s", base_id);
			goto out;
		}
	}
	if ((rc = mkdir_p(dir)) == 0)
		rc = apply_tree(r->repo, tree, base, dir);
out:
	git_tree_free(base);
	git_tree_free(tree);
	return rc;
}

static int pg_commit(struct gitops_repo *r, const char *tree_id, const char *parent_id,
		     const char *message, const char *name, const char *email, char *id_out)
{
	git_oid toid, poid, coid;
	git_tree *tree = NULL;
	git_commit *parent = NULL;
	git_signature *sig = NULL;
	char *msg = NULL;
	size_t ml = strlen(message);
	int rc;

	id_out[0] = '\0';
	if (git_oid_fromstr(&toid, tree_id) < 0)
		return kfail(KR_EINVAL, "not a tree id: %s", tree_id);
	if ((rc = git_tree_lookup(&tree, r->repo, &toid)) < 0) {
		rc = gfail(rc, "cannot read tree %s", tree_id);
		goto out;
	}
	if (parent_id && parent_id[0]) {
		if (git_oid_fromstr(&poid, parent_id) < 0) {
			rc = kfail(KR_EINVAL, "not a commit id: %s", parent_id);
			goto out;
		}
		if ((rc = git_commit_lookup(&parent, r->repo, &poid)) < 0) {
			rc = gfail(rc, "cannot read commit %s", parent_id);
			goto out;
		}
	}
	if ((rc = git_signature_now(&sig, name, email)) < 0) {
		rc = gfail(rc, "bad author");
		goto out;
	}
	if (!(msg = malloc(ml + 2))) {
		rc = kfail(KR_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(msg, message, ml);
	if (ml == 0 || message[ml - 1] != '\n')
		msg[ml++] = '\n';
	msg[ml] = '\0';
	{
		const git_commit *parents[1] = {parent};
		rc = git_commit_create(&coid, r->repo, "HEAD", sig, sig, NULL, msg, tree,
				       parent ? 1 : 0, parents);
	}
	if (rc < 0) {
		rc = gfail(rc, "cannot commit");
		goto out;
	}
	git_oid_tostr(id_out, 41, &coid);
out:
	free(msg);
	git_signature_free(sig);
	git_commit_free(parent);
	git_tree_free(tree);
	return rc;
}

/* --- walking ------------------------------------------------------------ */

static int diff_commit(git_repository *repo, git_commit *c, int flags, git_diff **out)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_commit *parent = NULL;
	git_diff_options o;
	int rc;

	*out = NULL;
	git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
	o.flags = GIT_DIFF_SKIP_BINARY_CHECK;
	if ((rc = git_commit_tree(&tree, c)) < 0)
		goto out;
	if (git_commit_parentcount(c) > 0 && (rc = git_commit_parent(&parent, c, 0)) < 0)
		goto out;
	if (parent && (rc = git_commit_tree(&ptree, parent)) < 0)
		goto out;
	if ((rc = git_diff_tree_to_tree(out, repo, ptree, tree, &o)) < 0)
		goto out;
	if (flags & GITOPS_WALK_RENAMES) {
		git_diff_find_options fo;
		git_diff_find_options_init(&fo, GIT_DIFF_FIND_OPTIONS_VERSION);
		fo.flags = GIT_DIFF_FIND_RENAMES;
		rc = git_diff_find_similar(*out, &fo);
	}
out:
	if (rc < 0) {
		git_diff_free(*out);
		*out = NULL;
	}
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	return rc;
}

static int delta_status(git_delta_t s)
{
	switch (s) {
	case GIT_DELTA_ADDED:
	case GIT_DELTA_COPIED:
		return GITOPS_ADDED;
	case GIT_DELTA_DELETED:
		return GITOPS_DELETED;
	case GIT_DELTA_MODIFIED:
		return GITOPS_MODIFIED;
	case GIT_DELTA_RENAMED:
		return GITOPS_RENAMED;
	default:
		return GITOPS_OTHER;
	}
}

/* One commit's changes; the paths of the fast tree comparison live in pool. */
struct deltas {
	struct gitops_delta *d;
	size_t *off;
	size_t n, cap;
	char *pool;
	size_t plen, pcap;
	size_t nadd, ndel;
};

static int push_delta(struct deltas *ds, int status, const char *path)
{
	size_t len = strlen(path) + 1;

	if (ds->n == ds->cap) {
		size_t cap = ds->cap ? ds->cap * 2 : 64;
		struct gitops_delta *d = realloc(ds->d, cap * sizeof(*d));
		size_t *off;
		if (!d)
			return kfail(KR_ENOMEM, "out of memory");
		ds->d = d;
		if (!(off = realloc(ds->off, cap * sizeof(*off))))
			return kfail(KR_ENOMEM, "out of memory");
		ds->off = off;
		ds->cap = cap;
	}
	if (ds->plen + len > ds->pcap) {
		size_t cap = ds->pcap ? ds->pcap * 2 : 4096;
		char *p;
		while (cap < ds->plen + len)
			cap *= 2;
		if (!(p = realloc(ds->pool, cap)))
			return kfail(KR_ENOMEM, "out of memory");
		ds->pool = p;
		ds->pcap = cap;
	}
	memcpy(ds->pool + ds->plen, path, len);
	ds->off[ds->n] = ds->plen;
	ds->plen += len;
	ds->d[ds->n++].status = status;
	ds->nadd += status == GITOPS_ADDED;
	ds->ndel += status == GITOPS_DELETED;
	return 0;
}

static int is_tree(const git_tree_entry *e)
{
	return e && git_tree_entry_filemode(e) == GIT_FILEMODE_TREE;
}

/* The changes from tree a to tree b (either may be NULL: empty) below
 * path[0..plen), as git diff-tree finds them: subtrees with the same id
 * are skipped without being read. */
static int tree_changes(git_repository *repo, const git_tree *a, const git_tree *b, char *path,
			size_t plen, struct deltas *ds)
{
	size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
	size_t i = 0, j = 0;
	int rc = 0;

	while (rc == 0 && (i < na || j < nb)) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int cmp = !ea ? 1 : !eb ? -1 : git_tree_entry_cmp(ea, eb);
		const git_tree_entry *e = cmp <= 0 ? ea : eb;
		const char *name = git_tree_entry_name(e);
		size_t nl = strlen(name);
		git_tree *sa = NULL, *sb = NULL;

		if (cmp <= 0)
			i++;
		if (cmp >= 0)
			j++;
		if (cmp == 0 && git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
		    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
			continue;
		if (plen + nl + 2 > PATH_MAX)
			return kfail(KR_EINVAL, "path too long in history: %.*s%s", (int)plen, path, name);
		memcpy(path + plen, name, nl + 1);
		if (is_tree(e)) { /* same name, same kind when cmp == 0 */
			if (cmp <= 0 && (rc = git_tree_lookup(&sa, repo, git_tree_entry_id(ea))) < 0)
				return gfail(rc, "cannot read a tree");
			if (cmp >= 0 && (rc = git_tree_lookup(&sb, repo, git_tree_entry_id(eb))) < 0) {
				git_tree_free(sa);
				return gfail(rc, "cannot read a tree");
			}
			path[plen + nl] = '/';
			rc = tree_changes(repo, sa, sb, path, plen + nl + 1, ds);
			git_tree_free(sa);
			git_tree_free(sb);
		} else {
			rc = push_delta(ds, cmp == 0 ? GITOPS_MODIFIED : cmp < 0 ? GITOPS_DELETED
										  : GITOPS_ADDED,
					path);
		}
		path[plen] = '\0';
	}
	return rc;
}

/* Fills ds with c's changes against its first parent. */
static int commit_changes(git_repository *repo, git_commit *c, int flags, struct deltas *ds,
			  git_diff **diff)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_commit *parent = NULL;
	char path[PATH_MAX] = "";
	int rc;

	*diff = NULL;
	ds->n = ds->plen = ds->nadd = ds->ndel = 0;
	if ((rc = git_commit_tree(&tree, c)) < 0 ||
	    (git_commit_parentcount(c) > 0 && (rc = git_commit_parent(&parent, c, 0)) < 0) ||
	    (parent && (rc = git_commit_tree(&ptree, parent)) < 0)) {
		rc = gfail(rc, "cannot read a commit's trees");
		goto out;
	}
	if ((rc = tree_changes(repo, ptree, tree, path, 0, ds)) < 0)
		goto out;
	for (size_t k = 0; k < ds->n; k++)
		ds->d[k].old_path = ds->d[k].new_path = ds->pool + ds->off[k];
	if ((flags & GITOPS_WALK_RENAMES) && ds->nadd && ds->ndel) {
		/* adds and deletes together: let libgit2 pair renames */
		if ((rc = diff_commit(repo, c, flags, diff)) < 0) {
			rc = gfail(rc, "cannot diff a commit");
			goto out;
		}
		ds->n = 0;
		for (size_t k = 0, nd = git_diff_num_deltas(*diff); k < nd; k++) {
			const git_diff_delta *dd = git_diff_get_delta(*diff, k);
			if ((rc = push_delta(ds, delta_status(dd->status), "")) < 0)
				goto out;
			ds->d[k].old_path = dd->old_file.path;
			ds->d[k].new_path = dd->new_file.path;
		}
	}
out:
	git_tree_free(ptree);
	git_tree_free(tree);
	git_commit_free(parent);
	return rc;
}

/* Gives c to cb (with its changes when asked): 1 when cb stops the walk,
 * 2 when c was skipped, 0 to go on, <0 on failure. */
static int visit(struct gitops_repo *r, git_commit *c, int flags, struct deltas *ds,
		 gitops_walk_cb cb, void *ctx)
{
	struct gitops_commit gc;
	git_diff *diff = NULL;
	int rc;

	gc.nparents = git_commit_parentcount(c);
	if ((flags & GITOPS_WALK_NO_MERGES) && gc.nparents > 1)
		return 2;
	git_oid_tostr(gc.id, sizeof(gc.id), git_commit_id(c));
	git_oid_tostr(gc.tree, sizeof(gc.tree), git_commit_tree_id(c));
	gc.parent[0] = '\0';
	if (gc.nparents > 0)
		git_oid_tostr(gc.parent, sizeof(gc.parent), git_commit_parent_id(c, 0));
	gc.time = (int64_t)git_commit_time(c);
	gc.message = git_commit_message(c);
	if (!gc.message)
		gc.message = "";
	ds->n = 0;
	if ((flags & GITOPS_WALK_DIFF) && (rc = commit_changes(r->repo, c, flags, ds, &diff)) < 0) {
		git_diff_free(diff);
		return rc;
	}
	rc = cb(ctx, &gc, ds->d, ds->n) ? 1 : 0;
	git_diff_free(diff);
	return rc;
}

/* First parents only: followed by hand, exact even when commits share a
 * timestamp (a revwalk sorted by time is not). */
static int walk_first_parent(struct gitops_repo *r, size_t max, int flags, gitops_walk_cb cb,
			     void *ctx, struct deltas *ds)
{
	git_commit *c = NULL, *next = NULL;
	git_oid oid;
	size_t seen = 0;
	int rc;

	if (git_repository_head_unborn(r->repo) == 1)
		return 0;
	if ((rc = git_reference_name_to_id(&oid, r->repo, "HEAD")) < 0 ||
	    (rc = git_commit_lookup(&c, r->repo, &oid)) < 0)
		return gfail(rc, "cannot read HEAD");
	while (c && (max == 0 || seen < max)) {
		rc = visit(r, c, flags, ds, cb, ctx);
		if (rc < 0 || rc == 1)
			break;
		if (rc == 0)
			seen++;
		rc = 0;
		if (git_commit_parentcount(c) == 0)
			break;
		if ((rc = git_commit_parent(&next, c, 0)) < 0) {
			rc = gfail(rc, "cannot read the parent of a commit");
			break;
		}
		git_commit_free(c);
		c = next;
		next = NULL;
	}
	git_commit_free(c);
	return rc < 0 ? rc : 0;
}

static int pg_walk(struct gitops_repo *r, size_t max, int flags, gitops_walk_cb cb, void *ctx)
{
	git_revwalk *w = NULL;
	git_oid oid;
	struct deltas ds = {0};
	size_t seen = 0;
	int rc;

	if (flags & GITOPS_WALK_FIRST_PARENT) {
		rc = walk_first_parent(r, max, flags, cb, ctx, &ds);
		goto out;
	}
	if (git_repository_head_unborn(r->repo) == 1)
		return 0; /* nothing to walk */
	if ((rc = git_revwalk_new(&w, r->repo)) < 0) {
		rc = gfail(rc, "cannot walk history");
		goto out;
	}
	/* newest first by commit time, incrementally: no full topological
	 * pass over a large history */
	git_revwalk_sorting(w, GIT_SORT_TIME);
	if ((rc = git_revwalk_push_head(w)) < 0) {
		rc = gfail(rc, "cannot walk history");
		goto out;
	}
	while ((max == 0 || seen < max) && (rc = git_revwalk_next(&oid, w)) == 0) {
		git_commit *c = NULL;

		if ((rc = git_commit_lookup(&c, r->repo, &oid)) < 0) {
			rc = gfail(rc, "cannot read a commit");
			goto out;
		}
		rc = visit(r, c, flags, &ds, cb, ctx);
		git_commit_free(c);
		if (rc < 0)
			goto out;
		if (rc == 1)
			break;
		if (rc == 0)
			seen++;
	}
	if (rc == GIT_ITEROVER || rc > 0)
		rc = 0;
	else if (rc < 0)
		rc = gfail(rc, "cannot walk history");
out:
	free(ds.d);
	free(ds.off);
	free(ds.pool);
	git_revwalk_free(w);
	return rc;
}

static int pg_status(struct gitops_repo *r, gitops_status_cb cb, void *ctx)
{
	git_status_list *sl = NULL;
	git_status_options o;
	int rc;

	git_status_options_init(&o, GIT_STATUS_OPTIONS_VERSION);
	o.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	o.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if ((rc = git_status_list_new(&sl, r->repo, &o)) < 0)
		return gfail(rc, "cannot read the work tree's status");
	for (size_t i = 0, n = git_status_list_entrycount(sl); i < n; i++) {
		const git_status_entry *e = git_status_byindex(sl, i);
		const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir
							      : e->head_to_index;
		unsigned f = 0;

		if (!d || !d->new_file.path)
			continue;
		if (e->status & (GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_WT_MODIFIED |
				 GIT_STATUS_INDEX_TYPECHANGE | GIT_STATUS_WT_TYPECHANGE |
				 GIT_STATUS_INDEX_RENAMED | GIT_STATUS_WT_RENAMED))
			f |= GITOPS_STATUS_MODIFIED;
		if (e->status & (GIT_STATUS_INDEX_DELETED | GIT_STATUS_WT_DELETED))
			f |= GITOPS_STATUS_DELETED;
		if (e->status & GIT_STATUS_INDEX_NEW)
			f |= GITOPS_STATUS_NEW;
		if (f)
			cb(ctx, d->new_file.path, f);
	}
	git_status_list_free(sl);
	return 0;
}

static int pg_head_has(struct gitops_repo *r, const char *path, bool *found)
{
	git_object *obj = NULL;
	git_tree_entry *e = NULL;
	int rc;

	*found = false;
	rc = git_revparse_single(&obj, r->repo, "HEAD^{tree}");
	if (rc == GIT_ENOTFOUND || rc == GIT_EUNBORNBRANCH)
		return 0;
	if (rc < 0)
		return gfail(rc, "cannot read HEAD's tree");
	rc = git_tree_entry_bypath(&e, (git_tree *)obj, path);
	if (rc == 0)
		*found = true;
	else if (rc != GIT_ENOTFOUND)
		rc = gfail(rc, "cannot look up %s in HEAD", path);
	else
		rc = 0;
	git_tree_entry_free(e);
	git_object_free(obj);
	return rc;
}

static const struct gitops_vtable vtable = {
	.abi = GITOPS_ABI,
	.version = pg_version,
	.last_error = pg_last_error,
	.open = pg_open,
	.close = pg_close,
	.workdir = pg_workdir,
	.head = pg_head,
	.tree_from_dir = pg_tree_from_dir,
	.tree_to_dir = pg_tree_to_dir,
	.commit = pg_commit,
	.walk = pg_walk,
	.status = pg_status,
	.head_has = pg_head_has,
};

/* The plugin's one exported symbol. The loader calls it once, under its
 * own lock, so libgit2 is initialised exactly once per process. */
__attribute__((visibility("default"))) const struct gitops_vtable *
kairos_git_plugin(int abi_version);

const struct gitops_vtable *kairos_git_plugin(int abi_version)
{
	static int inited;

	if (abi_version != GITOPS_ABI)
		return NULL;
	if (!inited) {
		if (git_libgit2_init() < 0)
			return NULL;
		/* objects read back are not re-hashed: the walk of a large history
		 * is several times faster, and git itself does not either */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
		/* tree entries are written right after their blobs: no need to look
		 * each one up again */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, 0);
		inited = 1;
	}
	return &vtable;
}
