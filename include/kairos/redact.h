/* redact: replaces credential-looking text with [REDACTED] before it is
 * written to a store or journal or sent to a model. */
#ifndef KAIROS_REDACT_H
#define KAIROS_REDACT_H

#include <stddef.h>

#include "kairos/buf.h"

/* Appends s with every secret replaced; *count (may be NULL) gets how
 * many were replaced. Fails like the append into out that failed. */
int redact(const char *s, size_t n, struct buf *out, int *count);
/* The most redact() can make of n bytes, the cap of a buffer that holds
 * only that: "[REDACTED]" (10 bytes) replaces at least one byte, and a
 * match spans at least 5 ("://:p" of a URL with a one-letter password,
 * "pass=x"), so the text grows by under 9/5 of n. */
#define REDACT_CAP(n) (3 * (size_t)(n) + 64)
/* In place on a malloc'd string: returns the same or a new pointer (the
 * same, unredacted, only when memory runs out). */
char *redact_str(char *s, int *count);

#endif
