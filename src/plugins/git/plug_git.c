/* plug_git: the git plugin's table (kairos/gitops.h), its errors, and
 * opening repositories; the operations on trees, commits and history are
 * the other plug_git_*.c files (plug_git.h). */
#include "plug_git.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char errbuf[2 * PATH_MAX + 256];

static const char *pg_last_error(void)
{
	return errbuf[0] ? errbuf : "unknown git error";
}

int plug_git_kfail(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return code;
}

int plug_git_gfail(int gitrc, const char *fmt, ...)
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

int plug_git_errno(const char *what, const char *path)
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
				return plug_git_gfail(rc, "cannot create history repository %s", path);
		} else if (rc < 0) {
			return plug_git_gfail(rc, "cannot open history repository %s", path);
		}
	} else {
		rc = git_repository_open_ext(&repo, path, 0, NULL);
		if (rc < 0)
			return rc == GIT_ENOTFOUND ? plug_git_kfail(KR_ENOTFOUND, "%s is not inside a git work tree", path) : plug_git_gfail(rc,
				    "%s is not inside a git work tree", path);
		if (git_repository_is_bare(repo)) {
			git_repository_free(repo);
			return plug_git_kfail(KR_ENOTFOUND, "%s is inside a bare repository, not a work tree",
				    path);
		}
	}
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		git_repository_free(repo);
		return plug_git_kfail(KR_ENOMEM, "out of memory");
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
		return plug_git_kfail(KR_ENOTFOUND, "HEAD is unborn");
	if (rc < 0)
		return plug_git_gfail(rc, "cannot read HEAD");
	git_oid_tostr(id_out, 41, &oid);
	return 0;
}

/* The store's FSX_TMP_PREFIX (kairos/fsx.h). */
#define TMP_PREFIX ".kairos-tmp-"

bool plug_git_skipped_name(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".lock") ||
	       !strcmp(name, ".git") || !strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX));
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
		return plug_git_gfail(rc, "cannot read the work tree's status");
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
		return plug_git_gfail(rc, "cannot read HEAD's tree");
	rc = git_tree_entry_bypath(&e, (git_tree *)obj, path);
	if (rc == 0)
		*found = true;
	else if (rc != GIT_ENOTFOUND)
		rc = plug_git_gfail(rc, "cannot look up %s in HEAD", path);
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
	.tree_from_dir = plug_git_tree_from_dir,
	.tree_list = plug_git_tree_list,
	.blob_read = plug_git_tree_blob_read,
	.commit = plug_git_commit,
	.walk = plug_git_walk,
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
