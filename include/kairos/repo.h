/* repo: knowledge from the workspace's own git repository (libgit2,
 * loaded on first use through gitops): co-change partners, whether a path
 * exists, renames. Every function fails cleanly (KR_ENOTFOUND) when the
 * workspace is not a git work tree. */
#ifndef KAIROS_REPO_H
#define KAIROS_REPO_H

#include <stdbool.h>
#include <stddef.h>

/* The most of `kairos __cochange`'s JSON output the server reads: the
 * child writes no more, the server's reader holds no more. */
#define REPO_COCHANGE_JSON_MAX ((size_t)4 << 20)

struct repo_cochange {
	char *path;     /* modified in the work tree (workspace-relative) */
	char *partner;  /* usually changes with it, not modified now */
	int together;   /* commits among the last `window` touching path that also touched partner */
	int total;      /* commits among the last `window` touching path (at most 50) */
};

/* Hints for every file modified in the work tree: a partner that changed
 * with it in at least 60% of the last 50 commits that touched it, with at
 * least 5 such commits, and is not modified now. */
int repo_cochange_hints(const char *workspace, struct repo_cochange **out, size_t *n);
void repo_cochange_free(struct repo_cochange *c, size_t n);

/* HEAD's commit id (41 bytes) or KR_ENOTFOUND (no repo / unborn). */
int repo_head_id(const char *workspace, char *id_out);

/* Whether rel exists in HEAD's tree and in the work tree. */
int repo_path_exists(const char *workspace, const char *rel, bool *in_head, bool *in_worktree);

/* Follows rel through every later rename in history (libgit2 rename
 * detection) to its final path; *final_out is NULL when it was never
 * renamed. */
int repo_follow_renames(const char *workspace, const char *rel, char **final_out);

#endif
