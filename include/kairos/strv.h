/* strv: a growable vector of owned strings (a memory's scope, refs and
 * supersedes; names in a dream's report). A zeroed struct strv is empty;
 * every string pushed is copied, and strv_dispose frees them all. */
#ifndef KAIROS_STRV_H
#define KAIROS_STRV_H

#include <stdbool.h>
#include <stddef.h>

struct strv {
	char **v;
	size_t n;
};

/* Appends a copy of s. */
void strv_push(struct strv *v, const char *s);
bool strv_has(const struct strv *v, const char *s);
/* dst (whatever it held is not freed) becomes a copy of src. */
void strv_copy(struct strv *dst, const struct strv *src);
/* Same strings in the same order. */
bool strv_equal(const struct strv *a, const struct strv *b);
/* Frees the strings and the array; v is empty again. */
void strv_dispose(struct strv *v);

#endif
