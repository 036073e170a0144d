/* mem_check: the rules a memory's front-matter values must follow
 * (memory-format.md, and protocol/memory-store.md "Loading"), applied to
 * values as either reader found them (libyaml's tree in mem_parse, the
 * plain-style lines in mem_parse_fast), so that both accept and refuse
 * exactly the same files with the same messages. Private to src/store. */
#ifndef KAIROS_STORE_MEM_CHECK_H
#define KAIROS_STORE_MEM_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "mem_field.h"

enum mem_value_kind {
	MEM_V_STR,   /* a scalar */
	MEM_V_LIST,  /* a sequence of scalars */
	MEM_V_OTHER, /* a mapping, or a sequence holding something else */
};

/* One value, borrowed for the call. */
struct mem_value {
	enum mem_value_kind kind;
	bool null;               /* MEM_V_STR: a plain "", "~" or "null": the field is absent */
	const char *s;           /* MEM_V_STR: n bytes, which may hold a NUL (refused) */
	size_t n;
	const struct strv *list; /* MEM_V_LIST */
	int line;                /* the file's line of the value, or of the item at fault */
};

/* The state of one front matter being checked into m. */
struct mem_check {
	struct mem *m;
	bool seen[MEM_F_COUNT];
	char err[256]; /* "line N: what is wrong", when a call failed */
};

/* Each returns 0, or KR_EINVAL with c->err set. */
/* Formats c->err ("line N: ...") and returns KR_EINVAL. */
int mem_check_fail(struct mem_check *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Field f's key at key_line: a second one is an error. */
int mem_check_key(struct mem_check *c, enum mem_field f, int key_line);
/* Sets field f (any but rule) of c->m from v; a null value leaves an
 * optional field absent. */
int mem_check_value(struct mem_check *c, enum mem_field f, const struct mem_value *v);
/* The rule: begin (a rule that is not a mapping is an error), one call
 * per key of it, end (exactly one of pattern and literal, a pattern that
 * compiles), which sets c->m->rule. *r is freed on every failure. */
int mem_check_rule_begin(struct mem_check *c, struct mem_rule **r, bool mapping, int line);
int mem_check_rule_key(struct mem_check *c, struct mem_rule *r, const char *key, size_t keyn,
		       int key_line, const struct mem_value *v);
int mem_check_rule_end(struct mem_check *c, struct mem_rule *r, int line);
/* The required fields are there (line: of the front matter's start). */
int mem_check_end(struct mem_check *c, int line);

#endif
