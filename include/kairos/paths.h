/* paths: where kairos keeps things (XDG_DATA_HOME, store slugs, state and
 * history directories) and safe path handling. All results malloc'd;
 * each is sized from its input, so none is ever too long, and like
 * xmalloc they abort when memory runs out. */
#ifndef KAIROS_PATHS_H
#define KAIROS_PATHS_H

#include <stdbool.h>

/* $XDG_DATA_HOME or ~/.local/share, without trailing slash. */
char *paths_data_home(void);
/* "<basename>-<8 hex of SHA-1 of the absolute, symlink-resolved path>" */
char *paths_slug(const char *dir);
/* $XDG_DATA_HOME/kairos/state/<slug of store dir>: kairos's own state
 * about a store (last dream, feedback counts, suppressions); created. */
char *paths_state_dir(const char *store_dir);
/* Absolute, normalised (no "." / "..", no trailing slash), symlinks not
 * resolved. */
char *paths_normalize(const char *path);
/* True when rel is a relative path that stays inside its base ("a/b",
 * not "../x", "/x", "a/../../x"). */
bool paths_rel_safe(const char *rel);
/* file:// URI <-> path (percent-decoding / encoding). */
char *paths_from_uri(const char *uri);
char *paths_to_uri(const char *path);

#endif
