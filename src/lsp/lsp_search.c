/* lsp_search: kairos.search (lsp_search.h). The index is built at the
 * first search after each load of the stores (lsp_stores_generation says
 * when the memories it points into were replaced) and reused until the
 * next one; the server has one session, so one index. */
#include "lsp_search.h"
#include "lsp_stores.h"
#include "kairos/err.h"
#include "kairos/search.h"

#include <stdlib.h>

static struct {
	struct search_index *ix;
	unsigned generation;
} cache;

static struct search_index *index_of(struct lsp_session *s, struct store_set *set)
{
	unsigned gen = lsp_stores_generation(s);
	if (cache.ix && cache.generation == gen)
		return cache.ix;
	search_index_free(cache.ix);
	cache.ix = NULL;
	if (search_index_build(&cache.ix, &set->mems))
		return NULL;
	cache.generation = gen;
	return cache.ix;
}

int lsp_search_command(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		       const char **err)
{
	const struct json *j = &m->j;
	int q = json_get(j, args, "query"), l = json_get(j, args, "limit");
	long long limit = SEARCH_DEFAULT_LIMIT;
	struct search_hit *hits = NULL;
	struct search_index *ix;
	struct store_set *set;
	char *query;
	size_t n = 0;

	if (json_type(j, q) != JSON_STRING) {
		*err = "kairos.search needs a query (a string)";
		return RPC_INVALID_PARAMS;
	}
	if (l >= 0 && (json_int(j, l, &limit) || limit < 1 || limit > SEARCH_MAX_LIMIT)) {
		*err = "kairos.search: limit must be an integer from 1 to 1000";
		return RPC_INVALID_PARAMS;
	}
	lsp_stores_check(s, false);
	if (!(set = lsp_stores_set(s))) {
		*err = "the memory stores are not available";
		return RPC_REQUEST_FAILED;
	}
	if (!(ix = index_of(s, set))) {
		*err = kr_errmsg();
		return RPC_REQUEST_FAILED;
	}
	query = json_strdup(j, q);
	if (search_index_query(ix, query, (size_t)limit, NULL, NULL, &hits, &n)) {
		free(query);
		*err = kr_errmsg();
		return RPC_REQUEST_FAILED;
	}
	free(query);
	jw_arr(w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(w);
		search_hit_json(w, &hits[i]);
		jw_end(w);
	}
	jw_end(w);
	free(hits);
	return 0;
}
