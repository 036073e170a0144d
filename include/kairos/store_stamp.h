/* store_stamp: a fingerprint of the files a store_set is loaded from, so
 * that a process holding loaded stores (the MCP server) can tell cheaply
 * that another one (the CLI, the language server, an editor saving a
 * memory by hand) changed them: equal stamps, nothing to reload. */
#ifndef KAIROS_STORE_STAMP_H
#define KAIROS_STORE_STAMP_H

#include <stdint.h>

#include "kairos/store.h"

/* Every *.md file (name, size, modification time) of each store of s and
 * of its archive/, and the instruction files and folders the imports
 * read. Takes one stat() per file: take it before a load, so that a
 * change made while loading shows as a difference at the next look. */
uint64_t store_stamp(const struct store_set *s);

#endif
