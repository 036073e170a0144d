/* dream_gen DIR N: writes N memory files into DIR for the dream bench:
 * distinct facts, with about 5% near-duplicates, 2% contradictions and
 * 1% relative dates, the way a store that grew for years might look. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const w1[] = {"parser", "lexer", "scheduler", "allocator", "renderer",
				 "tokenizer", "resolver", "linker", "loader", "profiler",
				 "indexer", "planner", "decoder", "encoder", "mapper", "router"};
static const char *const w2[] = {"cache", "queue", "buffer", "table", "tree", "graph", "pool",
				 "arena", "log", "stream", "socket", "thread", "timer", "lock"};
static const char *const w3[] = {"commit", "push", "release", "merge", "deploy", "review",
				 "refactor", "benchmark", "profile", "debug"};

static void put(const char *dir, const char *name, const char *desc, const char *created,
		const char *body)
{
	char path[4096];
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s.md", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fprintf(f, "---\nname: %s\ndescription: \"%s\"\ntype: project\ncreated: %s\nupdated: %s\n---\n%s\n\n**Why:** noted while working on it.\n",
		name, desc, created, created, body);
	fclose(f);
}

/* an id as a word (numbers would be values, not subjects) */
static const char *idw(long id)
{
	static char b[4][16];
	static int k;
	char *p = b[k++ & 3];
	int n = 0;
	do {
		p[n++] = (char)('a' + id % 26);
		id /= 26;
	} while (id && n < 14);
	p[n] = 0;
	return p;
}

int main(int argc, char **argv)
{
	long n;
	char name[64], desc[256], ts[32];
	if (argc != 3) {
		fprintf(stderr, "usage: dream_gen DIR N\n");
		return 2;
	}
	n = atol(argv[2]);
	mkdir(argv[1], 0755);
	for (long i = 0; i < n; i++) {
		const char *a = w1[i % 16], *b = w2[(i / 16) % 14], *c = w3[(i / 224) % 10];
		long id = i;
		snprintf(ts, sizeof(ts), "2025-%02ld-%02ldT%02ld:%02ld:00Z", i % 12 + 1, i % 28 + 1,
			 i % 24, i % 60);
		snprintf(name, sizeof(name), "m%ld", i);
		if (i % 100 < 5 && i > 0) { /* a near-duplicate of the previous fact */
			long j = i - 1;
			snprintf(desc, sizeof(desc), "Before every %s, check the %s %s of item %s",
				 w3[(j / 224) % 10], w1[j % 16], w2[(j / 16) % 14], idw(j));
		} else if (i % 100 < 7 && i > 0) { /* a contradiction of the previous one */
			snprintf(desc, sizeof(desc), "Keep the %s %s of item %s under 64 entries", w1[(i - 1) % 16],
				 w2[((i - 1) / 16) % 14], idw(i - 1));
		} else if (i % 100 == 7) {
			snprintf(desc, sizeof(desc), "Yesterday the %s %s of item %s broke on %s", a, b, idw(id), c);
		} else if (i % 100 < 12) {
			snprintf(desc, sizeof(desc), "Keep the %s %s of item %s under 128 entries", a, b, idw(id));
		} else {
			snprintf(desc, sizeof(desc), "Check the %s %s of item %s before every %s", a, b, idw(id), c);
		}
		put(argv[1], name, desc, ts, desc);
	}
	return 0;
}
