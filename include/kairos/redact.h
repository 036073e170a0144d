/* redact: replaces credential-looking text with [REDACTED] before it is
 * written to a store or journal or sent to a model. */
#ifndef KAIROS_REDACT_H
#define KAIROS_REDACT_H

#include <stddef.h>

#include "kairos/buf.h"

/* Appends s with every secret replaced; *count (may be NULL) gets how
 * many were replaced. */
int redact(const char *s, size_t n, struct buf *out, int *count);
/* In place on a malloc'd string: returns the same or a new pointer. */
char *redact_str(char *s, int *count);

#endif
