/* store_dir: a store's directory opened for the *at calls of fsx, the
 * one way the store reaches the files it writes, so that no write
 * follows a symbolic link inside a store or out of a workspace
 * (protocol/memory-store.md "Links"). Private to src/store. */
#ifndef KAIROS_STORE_STORE_DIR_H
#define KAIROS_STORE_STORE_DIR_H

#include <stdbool.h>

/* The name of the team store's directory under a workspace. */
#define STORE_DIR_TEAM ".kairos/memory"

/* Opens the store directory dir into *fd. A team store (dir ends in
 * /.kairos/memory): the workspace must exist (a rootUri that does not
 * is never created), and .kairos and memory are opened without
 * following a link (refused: an error saying so), created inside the workspace
 * when create is true. Any other store (kairos's data directory, or the
 * one the person named) is created with its parents when create is
 * true. KR_ENOTFOUND when it does not exist and create is false. */
int store_dir_open(const char *dir, bool create, int *fd);
/* Opens dir/archive (archive: 0 when created, never through a link). */
int store_dir_archive(int dirfd, const char *dir, bool create, int *fd);

#endif
