/* glob: workspace-relative path globs as used by a memory's `scope`.
 * `*` matches any run of characters but `/`, `?` one character but `/`,
 * `[abc]`, `[a-z]`, `[!x]` / `[^x]` one character of a set (never `/`),
 * `\x` the character x. `**` as a whole path component matches zero or
 * more components (so "src", "**", "*.c" joined by slashes matches both
 * src/a.c and src/x/y/a.c; a trailing "**" matches everything below);
 * a `**` that is not a whole component acts as `*`. Matching is
 * byte-wise and case-sensitive, in time linear in pattern length times
 * path length (no backtracking blow-up). */
#ifndef KAIROS_GLOB_H
#define KAIROS_GLOB_H

#include <stdbool.h>
#include <stddef.h>

struct glob;

/* Compiles pattern (a leading "./" or "/" is ignored). KR_EINVAL with a
 * message for an unclosed `[` or a pattern over GLOB_MAX bytes. */
#define GLOB_MAX 4096
int glob_compile(struct glob **out, const char *pattern);
bool glob_match(const struct glob *g, const char *path);
void glob_free(struct glob *g);

/* One-shot convenience: compile, match, free (false on a bad pattern). */
bool glob_match_str(const char *pattern, const char *path);

#endif
