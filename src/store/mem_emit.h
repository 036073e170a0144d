/* mem_emit: the YAML text of a memory's known fields in the plain style
 * kairos writes (one line per field, a strings plain when YAML reads it
 * back unchanged and double-quoted otherwise, lists as flow sequences of
 * double-quoted strings, the rule as a block of its own). mem_write puts
 * it in files; mem_parse_fast reads exactly this style back without
 * libyaml. Private to src/store. */
#ifndef KAIROS_STORE_MEM_EMIT_H
#define KAIROS_STORE_MEM_EMIT_H

#include <stdbool.h>

#include "kairos/buf.h"
#include "mem_field.h"

/* True when s can be written as a plain scalar that YAML reads back as
 * exactly s, as a string (not null, a boolean or a number). */
bool mem_emit_plain_ok(const char *s);
/* Appends field f of m (nothing when m lacks it), every line ended by
 * eol; anchor (may be NULL) is written before the value ("key: &a v"),
 * so that an alias to it elsewhere in a front matter stays valid. */
void mem_emit_field(struct buf *out, const struct mem *m, enum mem_field f, const char *eol,
		    const char *anchor);
/* Every field m has, in the order of enum mem_field. */
void mem_emit_fields(struct buf *out, const struct mem *m, const char *eol);

#endif
