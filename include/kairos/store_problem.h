/* store_problem: a list of files a store could not take as memories (an
 * invalid memory, an unreadable file, an import that is not UTF-8), each
 * with a one-line reason. Below both the store and its imports, which
 * fill the same list. */
#ifndef KAIROS_STORE_PROBLEM_H
#define KAIROS_STORE_PROBLEM_H

#include <stddef.h>

/* A problem with one file; both strings are owned by the list. */
struct store_problem {
	char *path;
	char *msg;
};

/* Appends copies of path and msg to the list *p of *n problems. */
void store_problem_add(struct store_problem **p, size_t *n, const char *path, const char *msg);
/* Frees the list and every string in it. */
void store_problem_free_all(struct store_problem *p, size_t n);

#endif
