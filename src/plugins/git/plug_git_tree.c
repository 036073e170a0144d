/* plug_git_tree: trees and blobs. A store directory becomes a tree
 * (every regular file and symlink, the stat cache sparing the unchanged
 * ones a read), and a tree's entries and blobs are handed back to the
 * host, which writes them (gitops_restore: the plugin never writes a
 * store). */
#include "plug_git.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* What a snapshot carries along. */
struct snap {
	git_repository *repo;
	size_t rootlen; /* length of the snapshot's root directory path */
	struct pg_cache *cache;
};

static int blob_from_file(git_repository *repo, const char *path, const struct stat *st,
			  git_oid *oid)
{
	int fd, rc;
	void *map;

	if (st->st_size == 0)
		return git_blob_create_from_buffer(oid, repo, "", 0) < 0
			       ? plug_git_gfail(-1, "cannot store %s", path)
			       : 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return plug_git_errno("cannot read", path);
	map = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return plug_git_errno("cannot read", path);
	/* No filters: the blob holds exactly the file's bytes. */
	rc = git_blob_create_from_buffer(oid, repo, map, (size_t)st->st_size);
	munmap(map, (size_t)st->st_size);
	return rc < 0 ? plug_git_gfail(rc, "cannot store %s", path) : 0;
}

static int blob_from_link(git_repository *repo, const char *path, git_oid *oid)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target));
	int rc;

	if (n < 0 || (size_t)n >= sizeof(target))
		return plug_git_errno("cannot read link", path);
	rc = git_blob_create_from_buffer(oid, repo, target, (size_t)n);
	return rc < 0 ? plug_git_gfail(rc, "cannot store %s", path) : 0;
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
		rc = plug_git_gfail(rc, "cannot build a tree");
		goto out;
	}
	d = opendir(dir);
	if (!d && errno != ENOENT) {
		rc = plug_git_errno("cannot read directory", dir);
		goto out;
	}
	while (d && (errno = 0, de = readdir(d))) {
		struct stat st;
		git_oid eoid;
		git_filemode_t mode;
		size_t sub = 0;

		if (plug_git_skipped_name(de->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path)) {
			rc = plug_git_kfail(KR_EINVAL, "path too long under %s", dir);
			goto out;
		}
		if (lstat(path, &st) < 0) {
			if (errno == ENOENT)
				continue; /* removed while we read */
			rc = plug_git_errno("cannot stat", path);
			goto out;
		}
		if (S_ISREG(st.st_mode)) {
			mode = (st.st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE
						      : GIT_FILEMODE_BLOB;
			const char *rel = path + s->rootlen + 1;
			const git_oid *cached = plug_git_cache_lookup(s->cache, rel, &st);
			if (cached)
				eoid = *cached;
			else
				rc = blob_from_file(repo, path, &st, &eoid);
			if (rc == 0)
				plug_git_cache_record(s->cache, rel, &st, &eoid);
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
			rc = plug_git_gfail(rc, "cannot add %s to the snapshot", path);
			goto out;
		}
		(*count)++;
	}
	if (d && errno) {
		rc = plug_git_errno("cannot read directory", dir);
		goto out;
	}
	if ((rc = git_treebuilder_write(oid, tb)) < 0)
		rc = plug_git_gfail(rc, "cannot write the tree of %s", dir);
out:
	if (d)
		closedir(d);
	git_treebuilder_free(tb);
	return rc;
}

int plug_git_tree_from_dir(struct gitops_repo *r, const char *dir, char *tree_out)
{
	struct snap s = {0};
	git_oid oid;
	size_t n;
	int rc;

	tree_out[0] = '\0';
	s.repo = r->repo;
	s.rootlen = strlen(dir);
	if (!(s.cache = plug_git_cache_open(r->repo)))
		return plug_git_kfail(KR_ENOMEM, "out of memory");
	if ((rc = tree_of_dir(&s, dir, &oid, &n)) == 0) {
		git_oid_tostr(tree_out, 41, &oid);
		plug_git_cache_save(s.cache);
	}
	plug_git_cache_close(s.cache);
	return rc;
}

static int entry_kind(git_filemode_t mode)
{
	switch (mode) {
	case GIT_FILEMODE_BLOB:
		return GITOPS_ENTRY_FILE;
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return GITOPS_ENTRY_EXEC;
	case GIT_FILEMODE_LINK:
		return GITOPS_ENTRY_LINK;
	case GIT_FILEMODE_TREE:
		return GITOPS_ENTRY_TREE;
	default:
		return GITOPS_ENTRY_OTHER;
	}
}

int plug_git_tree_list(struct gitops_repo *r, const char *tree_id, gitops_entry_cb cb, void *ctx)
{
	git_oid oid;
	git_tree *tree = NULL;
	int rc = 0;

	if (git_oid_fromstr(&oid, tree_id) < 0)
		return plug_git_kfail(KR_EINVAL, "not a tree id: %s", tree_id);
	if ((rc = git_tree_lookup(&tree, r->repo, &oid)) < 0)
		return plug_git_gfail(rc, "cannot read tree %s", tree_id);
	for (size_t i = 0, n = git_tree_entrycount(tree); i < n && rc == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		struct gitops_entry ge;

		ge.name = git_tree_entry_name(e);
		ge.kind = entry_kind(git_tree_entry_filemode(e));
		git_oid_tostr(ge.id, sizeof(ge.id), git_tree_entry_id(e));
		rc = cb(ctx, &ge);
	}
	git_tree_free(tree);
	return rc;
}

int plug_git_tree_blob_read(struct gitops_repo *r, const char *id, gitops_blob_cb cb, void *ctx)
{
	git_oid oid;
	git_blob *b = NULL;
	int rc;

	if (git_oid_fromstr(&oid, id) < 0)
		return plug_git_kfail(KR_EINVAL, "not a blob id: %s", id);
	if ((rc = git_blob_lookup(&b, r->repo, &oid)) < 0)
		return plug_git_gfail(rc, "cannot read the snapshot's blob %s", id);
	rc = cb(ctx, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
	return rc;
}
