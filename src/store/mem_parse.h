/* mem_parse (private part): a kept front matter read again, entry by
 * entry, for mem_write to rewrite only the fields that changed. */
#ifndef KAIROS_STORE_MEM_PARSE_H
#define KAIROS_STORE_MEM_PARSE_H

#include <stddef.h>

#include "mem_field.h"

/* Parses fm (len bytes, as kept in m->front): *old gets the memory its
 * fields make (no body), *entries its top-level entries in order (*n,
 * malloc'd) and *text, when not NULL, the text they index in place of
 * fm (a flow mapping made block lines; malloc'd). KR_EINVAL when fm does
 * not parse or cannot be kept entry by entry. */
int mem_parse_front(const char *fm, size_t len, struct mem **old, struct mem_entry **entries,
		    size_t *n, char **text);

#endif
