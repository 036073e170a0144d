/* mem_parse_fast: reads, without libyaml, a front matter written in the
 * plain style kairos writes itself (mem_emit.h): one "key: value" line
 * per known field, values plain, single- or double-quoted on one line,
 * lists as flow sequences of double-quoted strings, the rule as a block
 * of "  key: value" lines. That is nearly every file of a store, and
 * reading it this way costs no parser allocation at all. Anything else
 * (a key kairos does not know, a comment, a blank line, an anchor, a
 * block list, a tab, a character YAML treats specially...) is left to
 * libyaml, which reads every form. Private to src/store. */
#ifndef KAIROS_STORE_MEM_PARSE_FAST_H
#define KAIROS_STORE_MEM_PARSE_FAST_H

#include <stddef.h>

#include "mem_check.h"

/* What mem_parse_fast returns when fm is not in the plain style; c and
 * its memory may then hold part of the fields: start again. */
#define MEM_FAST_OTHER 1

/* Checks the fields of fm (len bytes: the lines between the --- lines,
 * which are the file's lines 2...) into c: 0, KR_EINVAL (c->err says
 * why), or MEM_FAST_OTHER. With entries (may be NULL), *entries gets
 * one entry per key (malloc'd, *n of them). */
int mem_parse_fast(struct mem_check *c, const char *fm, size_t len, struct mem_entry **entries,
		   size_t *n);

#endif
