/* rules: the rule memories of a mem_list compiled into one matcher.
 * A rule is `rule.pattern` (POSIX ERE, compiled with REG_EXTENDED |
 * REG_NEWLINE) or `rule.literal`, limited to the files its `scope` globs
 * (glob.h) select, and matched per line: a match never spans a line
 * break, a line's "\r\n" or final "\r" is not part of the line, every
 * non-overlapping, non-empty match is reported (left to right, as
 * `grep -o` does).
 *
 * Speed: from every pattern the matcher extracts required literals (a
 * set of strings one of which every match must contain; a literal rule's
 * text itself), finds them all in one pass over the text, and runs
 * regexec only on the lines that contain one. Patterns with no required
 * literal are searched over the whole text at once.
 *
 * The compiled set borrows the struct mem objects of the list it was
 * built from: keep that list alive and unchanged while using it. */
#ifndef KAIROS_RULES_H
#define KAIROS_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/mem.h"

struct rules;

struct rule_match {
	const struct mem *mem;
	size_t rule;          /* index in the compiled set (rules_mem) */
	size_t line;          /* 0-based */
	size_t start, end;    /* byte offsets in the line, end exclusive */
};

struct rule_matches {
	struct rule_match *v;
	size_t n, cap;
};

/* Called once per memory whose rule cannot be used (pattern that does
 * not compile, empty or multi-line literal, bad scope glob). */
typedef void (*rules_problem_fn)(void *ctx, const struct mem *m, const char *msg);

/* Compiles every active memory of mems that has a rule. Problems are
 * reported through fn (when not NULL) and the memory is skipped; when
 * prev (an earlier compiled set, may be NULL) already had the same
 * problem for the same memory and rule, it is not reported again, so a
 * server that recompiles after every store reload reports each broken
 * rule once. */
int rules_compile(struct rules **out, const struct mem_list *mems, const struct rules *prev,
		  rules_problem_fn fn, void *ctx);
void rules_free(struct rules *r);

size_t rules_count(const struct rules *r);
const struct mem *rules_mem(const struct rules *r, size_t i);
/* Whether rule i's scope selects path (workspace-relative). */
bool rules_applies(const struct rules *r, size_t i, const char *path);
/* Number of memories skipped because of a problem. */
size_t rules_nproblems(const struct rules *r);

/* Appends to out every match in text (len bytes, need not be
 * NUL-terminated) of the rules whose scope selects path, ordered by line,
 * then start, then end, then rule index. */
int rules_match(const struct rules *r, const char *path, const char *text, size_t len,
		struct rule_matches *out);
void rules_matches_dispose(struct rule_matches *m);

#endif
