/* search: ranked retrieval over memories (protocol/search.md), the one
 * ranking behind `kairos memory search`, the server's kairos.search and
 * the MCP tool memory_search. BM25F over three fields (name, description,
 * body), after Unicode normalisation (NFKC, case folded) and Snowball's
 * English stemmer (libstemmer); a memory whose name is the query comes
 * first. The index is built once per load of the memories and reused by
 * every query until they are loaded again. */
#ifndef KAIROS_SEARCH_H
#define KAIROS_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/mem.h"

/* What a query returns when it names no limit, and the most it may ask. */
#define SEARCH_DEFAULT_LIMIT 10
#define SEARCH_MAX_LIMIT 1000

struct search_index;

struct search_hit {
	const struct mem *mem; /* borrowed from the list the index was built on */
	double score;          /* > 0; higher is better */
};

/* Builds the index of every memory in mems. The list and its memories are
 * borrowed: they must stay as they are while the index is used (build a
 * new index after each load; freeing an index never touches them).
 * KR_ENOMEM past the index's caps or when memory runs out. */
int search_index_build(struct search_index **out, const struct mem_list *mems);
void search_index_free(struct search_index *ix);
/* How many memories the index holds. */
size_t search_index_count(const struct search_index *ix);

/* Which memories a query may return; NULL keeps all. */
typedef bool (*search_keep_fn)(const struct mem *m, void *ud);

/* The at most limit (1..SEARCH_MAX_LIMIT, clamped) memories that match
 * query, best first: a higher score first, then the newer, then by name
 * and store. *out is malloc'd (free() it), NULL when nothing matches;
 * a query that matches nothing is not an error (*n = 0). A query with
 * no word in it (empty, or only punctuation) matches nothing. */
int search_index_query(struct search_index *ix, const char *query, size_t limit,
		       search_keep_fn keep, void *ud, struct search_hit **out, size_t *n);

/* The members of a hit as kairos.search and `kairos memory search --json`
 * show it: the kairos.memories members (store_index_mem_json) and
 * "score", inside an object the caller opens and closes. */
struct jw;
void search_hit_json(struct jw *w, const struct search_hit *h);
/* "score": the score as JSON, rounded to 4 decimals (every front end
 * prints the same figure). */
void search_score_json(struct jw *w, double score);

#endif
