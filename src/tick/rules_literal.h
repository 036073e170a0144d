/* rules_literal: the analysis of a rule's pattern that lets rules.c skip
 * regexec on most lines (src/tick only, and unit tests and benchmarks). */
#ifndef KAIROS_RULES_LITERAL_H
#define KAIROS_RULES_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"

/* The longest run of literal bytes a pattern may hold: a rule is a line. */
#define RULES_LITERAL_MAX BUF_CAP_LINE

/* The required literals of an ERE: sets *out to a malloc'd array of n
 * malloc'd strings, one of which occurs in every match (n == 0: none
 * could be found). KR_ENOMEM, with n == 0, for a pattern that holds a
 * literal run longer than RULES_LITERAL_MAX. */
int rules_literal_required(const char *pattern, char ***out, size_t *n);
void rules_literal_free(char **v, size_t n);

/* For a pattern that is one top-level branch with no group, ending in
 * "X$" where X is one atom (a byte, ".", a bracket expression or a
 * backslash escape) that its quantifier keeps mandatory, the set of
 * bytes a matching line can end with. Such patterns (trailing white
 * space, say) have no required literal and are slow to search over
 * the whole text; checking each line's last byte first is not. */
bool rules_literal_last_byte(const char *pat, uint8_t set[32]);

#endif
