/* store_prepare: a memory made ready to be written into a store: its
 * text redacted, missing times filled, formatted, and checked by
 * libyaml to read back as a valid memory. Private to src/store. */
#ifndef KAIROS_STORE_STORE_PREPARE_H
#define KAIROS_STORE_STORE_PREPARE_H

#include "kairos/mem.h"

/* The file text of m, redacted (description, body, kept front matter,
 * archive reason, scope, refs, rule pattern, literal, message, fix),
 * with created/updated filled when missing (from the file's time, else
 * now), appended to out (whose cap is the most a memory file may hold:
 * KR_EINVAL when it passes it). KR_EINVAL when it would not be valid. */
int store_prepare(const struct mem *m, struct buf *out);
/* Warns (store_warn) when the file name in dirfd (dir: its path) holds a
 * secret typed by hand, which history holds from before the rewrite. */
void store_prepare_warn_secret(int dirfd, const char *dir, const char *name);

#endif
