/* store_bench: times the store's own work on a store directory:
 * store_load of every memory, the index rebuild, and the resident memory
 * with everything loaded. Prints figures; asserts nothing. */
#include "kairos/err.h"
#include "kairos/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", STRLEN_LIT("VmRSS:")))
			kb = atol(line + STRLEN_LIT("VmRSS:"));
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	struct store st = {.kind = STORE_PERSONAL, .writable = true};
	struct mem_list l = {0};
	struct store_problem *p = NULL;
	size_t np = 0;
	struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING); /* MEMORY.md */
	double t0, t1, t2;

	if (argc != 2) {
		fprintf(stderr, "usage: store_bench STORE-DIR\n");
		return 2;
	}
	st.dir = argv[1];
	t0 = ms();
	store_load(&st, &l, false, &p, &np);
	t1 = ms();
	if (store_index_text(&st, &l, &b)) {
		fprintf(stderr, "store_bench: index: %s\n", kr_errmsg());
		return 1;
	}
	t2 = ms();
	printf("store_load: %zu memories, %zu problems in %.1f ms\n", l.n, np, t1 - t0);
	printf("index rebuild: %zu bytes in %.1f ms\n", b.len, t2 - t1);
	printf("resident memory with them loaded: %.1f MB\n", (double)rss_kb() / 1024.0);
	buf_dispose(&b);
	mem_list_dispose(&l);
	store_problem_free_all(p, np);
	return 0;
}
