/* gitindex: the paths tracked in a work tree's git index, read straight
 * from <workspace>/.git/index (versions 2, 3 and 4), without libgit2:
 * `kairos check` lists its files this way at no start-up cost. */
#ifndef KAIROS_GITINDEX_H
#define KAIROS_GITINDEX_H

#include <stddef.h>

/* Regular files (not symlinks or submodules) in index order, each once,
 * workspace-relative; *out is a malloc'd array of malloc'd strings.
 * KR_ENOTFOUND when the workspace has no .git directory with an index. */
int gitindex_list(const char *workspace, char ***out, size_t *n);
void gitindex_free(char **v, size_t n);

#endif
