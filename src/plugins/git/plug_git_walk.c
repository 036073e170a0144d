/* plug_git_walk: history newest first, each commit with its changes
 * against its first parent when asked: a tree comparison that skips
 * identical subtrees, and libgit2's rename detection only when a commit
 * both adds and deletes. */
#include "plug_git.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

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
			return plug_git_kfail(KR_ENOMEM, "out of memory");
		ds->d = d;
		if (!(off = realloc(ds->off, cap * sizeof(*off))))
			return plug_git_kfail(KR_ENOMEM, "out of memory");
		ds->off = off;
		ds->cap = cap;
	}
	if (ds->plen + len > ds->pcap) {
		size_t cap = ds->pcap ? ds->pcap * 2 : 4096;
		char *p;
		while (cap < ds->plen + len)
			cap *= 2;
		if (!(p = realloc(ds->pool, cap)))
			return plug_git_kfail(KR_ENOMEM, "out of memory");
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
			return plug_git_kfail(KR_EINVAL, "path too long in history: %.*s%s", (int)plen, path, name);
		memcpy(path + plen, name, nl + 1);
		if (is_tree(e)) { /* same name, same kind when cmp == 0 */
			if (cmp <= 0 && (rc = git_tree_lookup(&sa, repo, git_tree_entry_id(ea))) < 0)
				return plug_git_gfail(rc, "cannot read a tree");
			if (cmp >= 0 && (rc = git_tree_lookup(&sb, repo, git_tree_entry_id(eb))) < 0) {
				git_tree_free(sa);
				return plug_git_gfail(rc, "cannot read a tree");
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
		rc = plug_git_gfail(rc, "cannot read a commit's trees");
		goto out;
	}
	if ((rc = tree_changes(repo, ptree, tree, path, 0, ds)) < 0)
		goto out;
	for (size_t k = 0; k < ds->n; k++)
		ds->d[k].old_path = ds->d[k].new_path = ds->pool + ds->off[k];
	if ((flags & GITOPS_WALK_RENAMES) && ds->nadd && ds->ndel) {
		/* adds and deletes together: let libgit2 pair renames */
		if ((rc = diff_commit(repo, c, flags, diff)) < 0) {
			rc = plug_git_gfail(rc, "cannot diff a commit");
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
		return plug_git_gfail(rc, "cannot read HEAD");
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
			rc = plug_git_gfail(rc, "cannot read the parent of a commit");
			break;
		}
		git_commit_free(c);
		c = next;
		next = NULL;
	}
	git_commit_free(c);
	return rc < 0 ? rc : 0;
}

int plug_git_walk(struct gitops_repo *r, size_t max, int flags, gitops_walk_cb cb, void *ctx)
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
		rc = plug_git_gfail(rc, "cannot walk history");
		goto out;
	}
	/* newest first by commit time, incrementally: no full topological
	 * pass over a large history */
	git_revwalk_sorting(w, GIT_SORT_TIME);
	if ((rc = git_revwalk_push_head(w)) < 0) {
		rc = plug_git_gfail(rc, "cannot walk history");
		goto out;
	}
	while ((max == 0 || seen < max) && (rc = git_revwalk_next(&oid, w)) == 0) {
		git_commit *c = NULL;

		if ((rc = git_commit_lookup(&c, r->repo, &oid)) < 0) {
			rc = plug_git_gfail(rc, "cannot read a commit");
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
		rc = plug_git_gfail(rc, "cannot walk history");
out:
	free(ds.d);
	free(ds.off);
	free(ds.pool);
	git_revwalk_free(w);
	return rc;
}
