/* search_bench STORE-DIR: the search's own figures over one store: the
 * load, the index build, and each of a set of queries (the median, the
 * 95th percentile and the slowest of its runs, in ms), with the peak
 * resident memory. Target (issue 14): at most 20 ms per query after load
 * over 100,000 memories. Prints figures; asserts nothing. */
#include "kairos/err.h"
#include "kairos/search.h"
#include "kairos/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define RUNS 25

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	/* a rare word, common words, an exact name, a stemmed phrase, no match */
	static const char *const queries[] = {
		"walrus", "convention codebase", "memory-04242", "running the tests before pushing",
		"indent spaces tabs", "zebra-quokka-nothing", "the",
	};
	struct store st = {.kind = STORE_PERSONAL, .writable = true};
	struct mem_list l = {0};
	struct store_problem *p = NULL;
	struct search_index *ix = NULL;
	struct rusage ru;
	size_t np = 0;
	uint64_t t0, t1, t2;

	if (argc != 2) {
		fprintf(stderr, "usage: search_bench STORE-DIR\n");
		return 2;
	}
	st.dir = argv[1];
	t0 = now_ns();
	store_load(&st, &l, false, &p, &np);
	t1 = now_ns();
	if (search_index_build(&ix, &l)) {
		fprintf(stderr, "search_bench: %s\n", kr_errmsg());
		return 1;
	}
	t2 = now_ns();
	printf("search: %zu memories: load %.1f ms, index build %.1f ms\n", l.n, (double)(t1 - t0) / 1e6,
	       (double)(t2 - t1) / 1e6);
	for (size_t q = 0; q < ARRAY_LEN(queries); q++) {
		uint64_t runs[RUNS];
		size_t n = 0;
		for (int r = 0; r < RUNS; r++) {
			struct search_hit *h = NULL;
			uint64_t s = now_ns();
			search_index_query(ix, queries[q], SEARCH_DEFAULT_LIMIT, NULL, NULL, &h, &n);
			runs[r] = now_ns() - s;
			free(h);
		}
		qsort(runs, RUNS, sizeof(runs[0]), by_value);
		printf("search: query %-36s %2zu hits: median %.3f ms, p95 %.3f ms, max %.3f ms (target <= 20 ms)\n",
		       queries[q], n, (double)runs[RUNS / 2] / 1e6, (double)runs[RUNS * 95 / 100] / 1e6,
		       (double)runs[RUNS - 1] / 1e6);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("search: peak RSS with the memories and the index loaded: %ld KB\n", ru.ru_maxrss);
	search_index_free(ix);
	mem_list_dispose(&l);
	store_problem_free_all(p, np);
	return 0;
}
