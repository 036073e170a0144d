/* mem_field: the front-matter fields kairos knows (memory-format.md), in
 * the order mem_write writes them, for the files that read (mem_check,
 * mem_parse, mem_parse_fast), write (mem_emit, mem_write) and compare
 * (mem.c) memory files. Private to src/store. */
#ifndef KAIROS_STORE_MEM_FIELD_H
#define KAIROS_STORE_MEM_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/mem.h"

enum mem_field {
	MEM_F_NAME,
	MEM_F_DESC,
	MEM_F_TYPE,
	MEM_F_CREATED,
	MEM_F_UPDATED,
	MEM_F_SOURCE,
	MEM_F_SCOPE,
	MEM_F_REFS,
	MEM_F_SUPERSEDES,
	MEM_F_RULE,
	MEM_F_EXPIRES,
	MEM_F_SUPERSEDED_BY,
	MEM_F_ARCHIVED_REASON,
	MEM_F_ARCHIVED_AT,
	MEM_F_COUNT
};

/* "name", "description", ... */
const char *mem_field_name(enum mem_field f);
/* The field whose key is the n bytes at key, or -1 (a key kairos does
 * not know). */
int mem_field_lookup(const char *key, size_t n);
/* True when m has field f (a string set, a list not empty, a rule); the
 * required name, description and type always count. */
bool mem_field_present(const struct mem *m, enum mem_field f);
/* True when a and b hold the same value for f (its parsed value, not
 * its text: `"a"` and `a` are the same). */
bool mem_field_equal(const struct mem *a, const struct mem *b, enum mem_field f);

/* One top-level entry of a front matter, in bytes of its text: the
 * lines from the one that holds its key up to the next entry's, the
 * value's own lines [start, vend) and after them [vend, end) the blank
 * lines and comments that follow it. field: the field it sets, or -1 for
 * a key kairos does not know (kept as it is written). */
struct mem_entry {
	size_t start, vend, end;
	int field;
};

#endif
