/* fsx: file-system primitives with the guarantees the stores need:
 * capped reads, atomic writes (temporary file in the same directory,
 * fsync, rename, fsync of the directory), mkdir -p, an inter-process
 * lock (flock on a lock file), and the same relative to a directory
 * descriptor without ever following a symbolic link (the *at calls: a
 * store writes only through those, so that a link committed into a
 * cloned repository cannot make it write anywhere else). */
#ifndef KAIROS_FSX_H
#define KAIROS_FSX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "kairos/buf.h"

/* Prefix of the temporary files fsx_write_atomic leaves behind when it is
 * killed half way; store_txn_begin removes them under the write lock. */
#define FSX_TMP_PREFIX ".kairos-tmp-"

/* Appends the content of path to out. KR_ENOTFOUND when it does not
 * exist, KR_ENOMEM when it is larger than max bytes, KR_ERR otherwise.
 * Follows symlinks (callers that must not, check with lstat first). */
int fsx_read(const char *path, size_t max, struct buf *out);
/* Replaces path with data atomically: a reader sees the old or the new
 * content, never a mix, also after a crash. The one way kairos replaces
 * a file: a temporary file in the same directory, written whole and
 * fsynced, renamed over path (the rename's result checked), then the
 * directory fsynced; on every failure the temporary file is removed and
 * path is left as it was. The new file is 0644 under the umask. */
int fsx_write_atomic(const char *path, const void *data, size_t len);
/* Same, the new file getting exactly mode (not masked by the umask). */
int fsx_write_atomic_mode(const char *path, const void *data, size_t len, mode_t mode);
/* Replaces path with a symbolic link to target the same way. */
int fsx_symlink_atomic(const char *path, const char *target);
/* strerror(e) said for a person where the C library's words are terse:
 * "the disk is full (No space left on device)", "the file system is
 * read-only (...)", a link refused. */
const char *fsx_strerror(int e);
/* Why nothing can be written at path or its nearest existing parent, in
 * words ("the disk is full", "the file system is read-only", "permission
 * denied"), or NULL when none of those holds. */
const char *fsx_why_unwritable(const char *path);

/* Opens the directory path (following links: it is the caller's own
 * path) for the *at calls; KR_ENOTFOUND when it does not exist. */
int fsx_dir_open(const char *path, int *fd_out);
/* Opens the directory name under dirfd (dir: dirfd's path, for
 * messages) without following a link, creating it with mode when create
 * is true and it is missing; a symbolic link there is an error (KR_ERR)
 * whose message says so; KR_ENOTFOUND when it is missing and not created. */
int fsx_dir_openat(int dirfd, const char *dir, const char *name, bool create, mode_t mode,
		   int *fd_out);
/* fsx_read of name under dirfd, never through a symbolic link (an
 * error saying it is one). */
int fsx_readat(int dirfd, const char *dir, const char *name, size_t max, struct buf *out);
/* fsx_write_atomic of name in dirfd; a symbolic link at name is refused
 * (an error saying so), never replaced or followed. */
int fsx_write_atomicat(int dirfd, const char *dir, const char *name, const void *data, size_t len);
/* Gives the file name in dirfd a second name beside it (a hard link:
 * it needs no room on a full disk), FSX_TMP_PREFIX...; *backup gets it
 * (malloc'd). A change rolls back by renaming it over name, and keeps
 * the change by unlinking it. KR_ENOTFOUND when name does not exist. */
int fsx_keepat(int dirfd, const char *dir, const char *name, char **backup);

/* Like mkdir -p; mode for the directories it creates. */
int fsx_mkdirs(const char *path, mode_t mode);
/* fsync of a directory, so that a rename or unlink in it is durable. */
int fsx_fsync_dir(const char *dir);
/* Directory part of path (malloc'd; "." when there is none). */
char *fsx_dirname(const char *path);
/* Takes an exclusive (or shared) flock on lock_path, creating it and its
 * directory (a symbolic link at lock_path is refused); waits when wait is true, otherwise returns KR_EBUSY when
 * another process holds it. *fd_out gets the descriptor to unlock. */
int fsx_lock(int *fd_out, const char *lock_path, bool shared, bool wait);
void fsx_unlock(int fd);
/* True when path exists (lstat). */
bool fsx_exists(const char *path);

#endif
