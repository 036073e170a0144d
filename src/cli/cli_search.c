/* cli_search: `kairos memory search QUERY [--limit N] [--json]`
 * (protocol/search.md): the stores loaded, one index built over them, one
 * query; the same ranking as kairos.search and the MCP tool. */
#include "cli.h"
#include "cli_store.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --type and --store narrow what is ranked. */
static bool wanted(const struct mem *m, void *ud)
{
	const struct cli_store_opts *o = ud;
	return (o->type_v < 0 || (int)m->type == o->type_v) &&
	       (o->store_v < 0 || (int)m->store == o->store_v);
}

static int parse_limit(const char *s, size_t *out)
{
	char *end;
	long v;
	if (!s)
		return 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || v < 1 || v > SEARCH_MAX_LIMIT) {
		fprintf(stderr, "kairos memory search: --limit must be a number from 1 to %d\n",
			SEARCH_MAX_LIMIT);
		return 2;
	}
	*out = (size_t)v;
	return 0;
}

static int print_hits(const struct search_hit *h, size_t n, bool json)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING);
	struct jw w;
	int rc;

	if (!json) {
		for (size_t i = 0; i < n; i++)
			printf("%-32s %-9s %-8s %8.4f %s\n", h[i].mem->name, mem_type_name(h[i].mem->type),
			       mem_store_name(h[i].mem->store), h[i].score, h[i].mem->description);
		return 0;
	}
	jw_init(&w, &b);
	jw_arr(&w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(&w);
		search_hit_json(&w, &h[i]);
		jw_end(&w);
	}
	jw_end(&w);
	rc = cli_store_print_json(&b);
	buf_dispose(&b);
	return rc;
}

static struct cli_store_opts o;
static const char *limit_s;

static const struct cli_opt opts[] = {
	{"--limit", CLI_VALUE, NULL, &limit_s, "N", "at most N memories, best first (default 10)"},
	CLI_STORE_OPT_JSON(o, "print the kairos.memories objects with a numeric score"),
	CLI_STORE_OPT_MEMORY_DIR(o),
	CLI_STORE_OPT_WORKSPACE(o),
	CLI_STORE_OPT_TYPE(o, "only memories of that type: user, feedback, project or reference"),
	CLI_STORE_OPT_STORE(o, "only memories of that store: personal, team, user or import"),
};

static int run(int argc, char **argv)
{
	struct buf query = BUF_INIT_CAP(BUF_CAP_LINE);
	struct search_index *ix = NULL;
	struct search_hit *hits = NULL;
	struct store_set s = {0};
	size_t limit = SEARCH_DEFAULT_LIMIT, n = 0;
	int npos = 0, rc;

	if ((rc = cli_parse(&cli_search_cmd, argc, argv, &npos)))
		return rc;
	if (npos < 1) {
		fputs("kairos memory search: what to search for is missing\nusage: ", stderr);
		cli_synopsis(stderr, &cli_search_cmd);
		return 2;
	}
	if ((rc = cli_store_check("memory search", &o)) || (rc = parse_limit(limit_s, &limit)))
		return rc;
	for (int i = 0; i < npos; i++) {
		if (i)
			buf_putc(&query, ' ');
		buf_puts(&query, argv[i]);
	}
	if (buf_err(&query)) {
		fprintf(stderr, "kairos memory search: the query is longer than %zu bytes\n",
			BUF_CAP_LINE);
		return 2;
	}
	if (strspn(buf_cstr(&query), " \t\r\n") == query.len) {
		fprintf(stderr, "kairos memory search: the query is empty\n");
		rc = 2;
		goto out;
	}
	if ((rc = cli_store_open(&s, &o, true)))
		goto out;
	if (search_index_build(&ix, &s.mems) ||
	    search_index_query(ix, buf_cstr(&query), limit, wanted, &o, &hits, &n)) {
		fprintf(stderr, "kairos memory search: %s\n", kr_errmsg());
		rc = 1;
		goto out;
	}
	rc = print_hits(hits, n, o.json);
out:
	free(hits);
	search_index_free(ix);
	store_set_dispose(&s);
	buf_dispose(&query);
	return rc;
}

const struct cli_cmd cli_search_cmd = {
	.name = "memory search",
	.args = "QUERY",
	.summary = "the memories most relevant to QUERY, best first",
	.details = "Rank the active memories of every store by relevance to QUERY (their names, "
		   "descriptions and bodies; words normalised and stemmed), the same ranking as "
		   "the kairos.search command and the MCP memory_search tool.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};
