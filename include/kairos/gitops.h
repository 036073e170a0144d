/* gitops: kairos's narrow interface to git. The implementation lives in a
 * plugin, build/kairos-git.so (src/plugins/git/, the only code that
 * includes git2.h), loaded with dlopen on first use so that the main
 * binary never links libgit2 (field-notes.md: ~6 ms and ~6 MB at every
 * start). The plugin reads the file system but never writes a store:
 * restoring a snapshot is gitops_restore, on the host, through fsx.
 *
 * The plugin exports one symbol, GITOPS_SYMBOL, returning the table below
 * for the ABI version asked for (NULL when it cannot serve it). Every
 * operation returns 0 or a negative KR_* code (kairos/err.h); the message
 * of the last failure is vt->last_error(), which gitops_fail() copies into
 * kr_err. Callers outside history.c and repo.c should use those modules
 * rather than this table. Plugin search order: $KAIROS_PLUGIN_DIR, the
 * directory of the running executable, <exe dir>/../lib/kairos. */
#ifndef KAIROS_GITOPS_H
#define KAIROS_GITOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GITOPS_ABI 2
#define GITOPS_SYMBOL "kairos_git_plugin"
#define GITOPS_PLUGIN_FILE "kairos-git.so"

struct gitops_repo; /* opaque, owned by the plugin */

enum gitops_open_flags {
	GITOPS_OPEN_BARE_CREATE = 1, /* a bare repository at path, created when missing */
	GITOPS_OPEN_DISCOVER = 2,    /* the work tree repository containing path */
};

enum gitops_walk_flags {
	GITOPS_WALK_FIRST_PARENT = 1, /* follow first parents only */
	GITOPS_WALK_NO_MERGES = 2,    /* skip commits with several parents */
	GITOPS_WALK_DIFF = 4,         /* give each commit's changes against its first parent */
	GITOPS_WALK_RENAMES = 8,      /* with DIFF: detect renames (GITOPS_RENAMED) */
};

enum gitops_delta_status {
	GITOPS_ADDED = 1,
	GITOPS_DELETED,
	GITOPS_MODIFIED,
	GITOPS_RENAMED,
	GITOPS_OTHER,
};

struct gitops_delta {
	int status;           /* enum gitops_delta_status */
	const char *old_path; /* repository-relative */
	const char *new_path; /* == old_path unless renamed */
};

struct gitops_commit {
	char id[41];
	char tree[41];
	char parent[41]; /* first parent, "" for a root commit */
	unsigned nparents;
	int64_t time;        /* committer time, seconds since the epoch */
	const char *message; /* valid during the callback only */
};

/* What a tree entry is. */
enum gitops_entry_kind {
	GITOPS_ENTRY_FILE = 1, /* a regular file */
	GITOPS_ENTRY_EXEC,     /* an executable regular file */
	GITOPS_ENTRY_LINK,     /* a symbolic link; its blob is the target */
	GITOPS_ENTRY_TREE,     /* a directory */
	GITOPS_ENTRY_OTHER,    /* a submodule: nothing a store holds */
};

struct gitops_entry {
	const char *name; /* valid during the callback only */
	int kind;         /* enum gitops_entry_kind */
	char id[41];      /* the blob or tree */
};

/* Return nonzero to stop; the listing or read then returns that value. */
typedef int (*gitops_entry_cb)(void *ctx, const struct gitops_entry *e);
/* data is valid during the callback only. */
typedef int (*gitops_blob_cb)(void *ctx, const void *data, size_t n);

/* Return nonzero to stop the walk (the walk then returns 0). */
typedef int (*gitops_walk_cb)(void *ctx, const struct gitops_commit *c,
			      const struct gitops_delta *d, size_t nd);
/* flags: GITOPS_STATUS_* */
typedef void (*gitops_status_cb)(void *ctx, const char *path, unsigned flags);

enum gitops_status_flags {
	GITOPS_STATUS_MODIFIED = 1, /* content differs from HEAD (index or work tree) */
	GITOPS_STATUS_DELETED = 2,  /* gone from the work tree or the index */
	GITOPS_STATUS_NEW = 4,      /* in the index, not in HEAD */
};

struct gitops_vtable {
	int abi;
	const char *(*version)(void);
	/* Message of this thread's last failure; never NULL. */
	const char *(*last_error)(void);

	int (*open)(struct gitops_repo **out, const char *path, int flags);
	void (*close)(struct gitops_repo *r);
	/* Work tree with a trailing slash, NULL for a bare repository. */
	const char *(*workdir)(struct gitops_repo *r);
	/* HEAD's commit; KR_ENOTFOUND when HEAD is unborn. */
	int (*head)(struct gitops_repo *r, char *id_out);

	/* Writes every regular file and symlink under dir (recursively,
	 * skipping entries named ".lock") as a tree; a missing dir is an empty
	 * tree. */
	int (*tree_from_dir)(struct gitops_repo *r, const char *dir, char *tree_out);
	/* The entries of tree, one level, in git's order. */
	int (*tree_list)(struct gitops_repo *r, const char *tree, gitops_entry_cb cb, void *ctx);
	/* The bytes of blob id, given to cb. */
	int (*blob_read)(struct gitops_repo *r, const char *id, gitops_blob_cb cb, void *ctx);
	/* Commits tree with parent (NULL or "" for a root) and moves HEAD's
	 * branch to it; fails (KR_EBUSY) when HEAD is no longer parent. */
	int (*commit)(struct gitops_repo *r, const char *tree, const char *parent,
		      const char *message, const char *name, const char *email, char *id_out);
	/* Commits reachable from HEAD, newest first (topological), at most max
	 * (0: all). An unborn HEAD walks nothing. */
	int (*walk)(struct gitops_repo *r, size_t max, int flags, gitops_walk_cb cb, void *ctx);
	/* Files that differ from HEAD in the index or the work tree (untracked
	 * files left out). */
	int (*status)(struct gitops_repo *r, gitops_status_cb cb, void *ctx);
	/* Whether HEAD's tree has path (a file or a directory); false when
	 * HEAD is unborn. */
	int (*head_has)(struct gitops_repo *r, const char *path, bool *found);
};

typedef const struct gitops_vtable *(*gitops_plugin_fn)(int abi_version);

/* The plugin's table, loading it (and initialising libgit2) on first
 * use; thread-safe. On failure: a KR_* code and kr_errmsg() says which
 * directories were searched. */
int gitops_get(const struct gitops_vtable **out);
/* Whether the plugin has been loaded in this process. */
bool gitops_loaded(void);
/* Copies vt->last_error() into kr_err and returns rc. */
int gitops_fail(const struct gitops_vtable *vt, int rc);

/* Makes dir (created when missing) hold exactly tree, byte for byte: each
 * changed file or link replaced with fsx's atomic replace, files and
 * links the tree lacks removed, ".lock" and kairos's temporary files
 * kept (gitops_restore.c). base (NULL or "": unknown) is the tree dir
 * holds now: only what differs from it is touched, and only its entries
 * are removed. */
int gitops_restore(const struct gitops_vtable *vt, struct gitops_repo *repo, const char *tree,
		   const char *base, const char *dir);

#endif
