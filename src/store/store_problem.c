/* store_problem: the list of files a store or its imports could not
 * take, shared by store.c and imports.c so that neither calls the other
 * for it. */
#include "kairos/store_problem.h"
#include "kairos/err.h"

#include <stdlib.h>

void store_problem_add(struct store_problem **p, size_t *n, const char *path, const char *msg)
{
	*p = xrealloc(*p, (*n + 1) * sizeof(**p));
	(*p)[*n].path = xstrdup(path);
	(*p)[*n].msg = xstrdup(msg);
	(*n)++;
}

void store_problem_free_all(struct store_problem *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].path);
		free(p[i].msg);
	}
	free(p);
}
