/* plug_git: the inside of the git plugin (build/kairos-git.so), the only
 * code that includes git2.h. It implements kairos/gitops.h with libgit2
 * and is self-contained: it links nothing of libkairos (errors go through
 * its own last_error). Its files share the prefix pg_: plug_git.c the
 * table, errors and repositories; plug_git_cache.c the stat cache
 * (pg_cache_*); plug_git_tree.c trees and blobs (pg_tree_*, pg_blob_*);
 * plug_git_commit.c commits; plug_git_walk.c history walks. Built with
 * hidden visibility: only kairos_git_plugin leaves the object. */
#ifndef KAIROS_PLUG_GIT_H
#define KAIROS_PLUG_GIT_H

#include "kairos/err.h"
#include "kairos/gitops.h"

#include <git2.h>
#include <stdbool.h>
#include <sys/stat.h>

struct gitops_repo {
	git_repository *repo;
};

/* Failures: each records this thread's message and returns a KR_* code. */
/* A failure of kairos's own (code is a KR_* code). */
__attribute__((format(printf, 2, 3))) int plug_git_kfail(int code, const char *fmt, ...);
/* A libgit2 failure (gitrc is a GIT_E* code), with libgit2's reason. */
__attribute__((format(printf, 2, 3))) int plug_git_gfail(int gitrc, const char *fmt, ...);
/* what path: strerror(errno). */
int plug_git_errno(const char *what, const char *path);

/* Names a snapshot leaves out: the store's lock, kairos's own temporary
 * files (FSX_TMP_PREFIX, kairos/fsx.h: the store removes leftovers under
 * its lock), and what git cannot hold. */
bool plug_git_skipped_name(const char *name);

/* The stat cache of a snapshot: the last snapshot's, read, and this
 * one's, recorded. plug_git_cache_open never fails: a missing or unreadable
 * cache is an empty one (NULL only when out of memory). */
struct pg_cache;
struct pg_cache *plug_git_cache_open(git_repository *repo);
/* The blob id recorded for rel when st says the file has not changed
 * since (NULL: read and hash it). */
const git_oid *plug_git_cache_lookup(const struct pg_cache *c, const char *rel, const struct stat *st);
void plug_git_cache_record(struct pg_cache *c, const char *rel, const struct stat *st, const git_oid *oid);
/* Replaces the cache file with what this snapshot recorded. */
void plug_git_cache_save(struct pg_cache *c);
void plug_git_cache_close(struct pg_cache *c);

/* The table's operations, one file each (see kairos/gitops.h). */
int plug_git_tree_from_dir(struct gitops_repo *r, const char *dir, char *tree_out);
int plug_git_tree_list(struct gitops_repo *r, const char *tree, gitops_entry_cb cb, void *ctx);
int plug_git_tree_blob_read(struct gitops_repo *r, const char *id, gitops_blob_cb cb, void *ctx);
int plug_git_commit(struct gitops_repo *r, const char *tree_id, const char *parent_id,
	      const char *message, const char *name, const char *email, char *id_out);
int plug_git_walk(struct gitops_repo *r, size_t max, int flags, gitops_walk_cb cb, void *ctx);

#endif
