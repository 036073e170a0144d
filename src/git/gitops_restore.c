/* gitops_restore: makes a store directory hold a snapshot from its
 * history. The plugin only reads (tree entries, blob bytes); every file
 * is written here, on the host, with fsx's atomic replace, so the one
 * write path of kairos also covers undo. */
#include "kairos/gitops.h"
#include "kairos/err.h"
#include "kairos/fsx.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct restore {
	const struct gitops_vtable *vt;
	struct gitops_repo *repo;
};

/* One level of a tree, sorted by name for lookups. */
struct ent {
	char *name;
	int kind;
	char id[41];
};

struct ents {
	struct ent *v;
	size_t n, cap;
};

/* Names a snapshot leaves out: the store's lock, kairos's own temporary
 * files, and what git cannot hold. The plugin's tree_from_dir skips the
 * same (it cannot call this: it links nothing of kairos). */
static bool skipped(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".lock") ||
	       !strcmp(name, ".git") || !strncmp(name, FSX_TMP_PREFIX, strlen(FSX_TMP_PREFIX));
}

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

static int list_cb(void *ctx, const struct gitops_entry *e)
{
	struct ents *l = ctx;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].name = xstrdup(e->name);
	l->v[l->n].kind = e->kind;
	memcpy(l->v[l->n].id, e->id, 41);
	l->n++;
	return 0;
}

static void ents_dispose(struct ents *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The entries of tree id (none when id is NULL or ""). */
static int ents_list(struct restore *r, const char *id, struct ents *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (!id || !id[0])
		return 0;
	if ((rc = r->vt->tree_list(r->repo, id, list_cb, out)) < 0) {
		ents_dispose(out);
		return gitops_fail(r->vt, rc);
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), ent_cmp);
	return 0;
}

static const struct ent *ents_find(const struct ents *l, const char *name)
{
	struct ent key = {.name = (char *)name};
	return l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), ent_cmp) : NULL;
}

static int path_join(char out[PATH_MAX], const char *dir, const char *name)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		return kr_errc(KR_EINVAL, "path too long under %s", dir);
	return 0;
}

/* Removes what a snapshot of path would hold (recursively); directories
 * left empty go too, anything else (fifos...) stays. */
static int remove_part(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char sub[PATH_MAX];
	int rc = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : kr_err("cannot stat %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && unlink(path) < 0 &&
		    errno != ENOENT)
			return kr_err("cannot remove %s: %s", path, strerror(errno));
		return 0;
	}
	if (!(d = opendir(path)))
		return kr_err("cannot read directory %s: %s", path, strerror(errno));
	while (rc == 0 && (de = readdir(d))) {
		if (skipped(de->d_name))
			continue;
		if (!(rc = path_join(sub, path, de->d_name)))
			rc = remove_part(sub);
	}
	closedir(d);
	if (rc == 0 && rmdir(path) < 0 && errno != ENOTEMPTY && errno != EEXIST)
		rc = kr_err("cannot remove %s: %s", path, strerror(errno));
	return rc;
}

/* Whether the regular file at path holds exactly data. */
static bool same_content(const char *path, const struct stat *st, const void *data, size_t n)
{
	bool same;
	void *map;
	int fd;

	if (!S_ISREG(st->st_mode) || (size_t)st->st_size != n)
		return false;
	if (n == 0)
		return true;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return false;
	same = memcmp(map, data, n) == 0;
	munmap(map, n);
	return same;
}

/* A file or link entry being written: what blob_cb needs. */
struct put {
	const char *path;
	const struct stat *st; /* NULL when nothing is at path */
	int kind;
	int *changed;
	bool failed; /* the failure is put_cb's (kr_err has its message) */
};

static int put(struct put *p, const void *data, size_t n)
{
	const struct stat *st = p->st;
	int rc;

	if (p->kind == GITOPS_ENTRY_LINK) {
		char target[PATH_MAX], cur[PATH_MAX];
		ssize_t cn;

		if (n >= sizeof(target))
			return kr_errc(KR_EINVAL, "link target too long for %s", p->path);
		memcpy(target, data, n);
		target[n] = '\0';
		if (st && S_ISLNK(st->st_mode) && (cn = readlink(p->path, cur, sizeof(cur))) >= 0 &&
		    (size_t)cn == n && !memcmp(cur, target, n))
			return 0;
		if (st && S_ISDIR(st->st_mode) && (rc = remove_part(p->path)) < 0)
			return rc;
		*p->changed = 1;
		return fsx_symlink_atomic(p->path, target);
	} else {
		bool exec = p->kind == GITOPS_ENTRY_EXEC;
		mode_t mode;

		if (st && same_content(p->path, st, data, n) && !!(st->st_mode & S_IXUSR) == exec)
			return 0;
		if (st && S_ISDIR(st->st_mode) && (rc = remove_part(p->path)) < 0)
			return rc;
		mode = st && S_ISREG(st->st_mode) ? (st->st_mode & 0666) : 0644;
		if (exec)
			mode |= (mode & 0444) >> 2;
		*p->changed = 1;
		return fsx_write_atomic_mode(p->path, data, n, mode);
	}
}

static int put_cb(void *ctx, const void *data, size_t n)
{
	struct put *p = ctx;
	int rc = put(p, data, n);
	p->failed = rc < 0;
	return rc;
}

static int apply_tree(struct restore *r, const char *tree, const char *base, const char *dir);

/* Makes dir/<e's name> what e holds; be is the same name in the base tree
 * (NULL when absent or unknown). */
static int apply_entry(struct restore *r, const struct ent *e, const struct ent *be,
		       const char *dir, int *changed)
{
	char path[PATH_MAX];
	struct stat st;
	bool exists;
	int rc;

	if (skipped(e->name) || strchr(e->name, '/') || e->kind == GITOPS_ENTRY_OTHER)
		return 0;
	if ((rc = path_join(path, dir, e->name)))
		return rc;
	exists = lstat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		return kr_err("cannot stat %s: %s", path, strerror(errno));
	if (e->kind == GITOPS_ENTRY_TREE) {
		if (exists && !S_ISDIR(st.st_mode)) {
			if ((rc = remove_part(path)) < 0)
				return rc;
			exists = false;
		}
		if (!exists) {
			if (mkdir(path, 0755) < 0)
				return kr_err("cannot create %s: %s", path, strerror(errno));
			*changed = 1;
		}
		return apply_tree(r, e->id, be && be->kind == GITOPS_ENTRY_TREE ? be->id : NULL, path);
	}
	struct put p = {path, exists ? &st : NULL, e->kind, changed, false};
	rc = r->vt->blob_read(r->repo, e->id, put_cb, &p);
	return rc < 0 && !p.failed ? gitops_fail(r->vt, rc) : rc;
}

/* Makes dir hold exactly tree. With base (the tree dir holds now), only
 * what differs between the two is touched: entries with the same id in
 * both are skipped unread, and only base's entries that tree lacks are
 * removed. Without base, every file is compared and every extra entry
 * removed. */
static int apply_tree(struct restore *r, const char *tree, const char *base, const char *dir)
{
	struct ents t, b = {0};
	char path[PATH_MAX];
	int changed = 0, rc;
	DIR *d = NULL;
	struct dirent *de;

	if ((rc = ents_list(r, tree, &t)) < 0)
		return rc;
	if (base && (rc = ents_list(r, base, &b)) < 0)
		goto out;
	for (size_t i = 0; i < t.n && rc == 0; i++) {
		const struct ent *be = base ? ents_find(&b, t.v[i].name) : NULL;
		if (be && !strcmp(be->id, t.v[i].id) && be->kind == t.v[i].kind)
			continue;
		rc = apply_entry(r, &t.v[i], be, dir, &changed);
	}
	if (rc < 0)
		goto out;
	if (base) {
		for (size_t i = 0; i < b.n && rc == 0; i++) {
			if (skipped(b.v[i].name) || strchr(b.v[i].name, '/') || ents_find(&t, b.v[i].name))
				continue;
			if (!(rc = path_join(path, dir, b.v[i].name)))
				rc = remove_part(path);
			changed = 1;
		}
		goto synced;
	}
	if (!(d = opendir(dir))) {
		rc = kr_err("cannot read directory %s: %s", dir, strerror(errno));
		goto out;
	}
	while (rc == 0 && (de = readdir(d))) {
		struct stat st;
		if (skipped(de->d_name) || ents_find(&t, de->d_name))
			continue;
		if ((rc = path_join(path, dir, de->d_name)))
			break;
		if (lstat(path, &st) == 0 &&
		    (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode) || S_ISDIR(st.st_mode))) {
			rc = remove_part(path);
			changed = 1;
		}
	}
synced:
	if (rc == 0 && changed)
		rc = fsx_fsync_dir(dir);
out:
	if (d)
		closedir(d);
	ents_dispose(&t);
	ents_dispose(&b);
	return rc;
}

int gitops_restore(const struct gitops_vtable *vt, struct gitops_repo *repo, const char *tree,
		   const char *base, const char *dir)
{
	struct restore r = {vt, repo};
	int rc;

	if ((rc = fsx_mkdirs(dir, 0755)))
		return rc;
	return apply_tree(&r, tree, base && base[0] ? base : NULL, dir);
}
