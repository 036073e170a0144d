/* test_search: the one ranking (protocol/search.md) at the library: an
 * exact name first, stems, case folding and NFKC, no match empty, the
 * limit and the filter, the order of ties, an index reused by queries;
 * and MCP's capped line reader. */
#include "check.h"

#include "kairos/err.h"
#include "kairos/jw.h"
#include "kairos/search.h"
#include "mcp/mcp_lines.h"

#include <stdlib.h>

static struct mem *mk(const char *name, const char *desc, const char *body, int64_t updated)
{
	struct mem *m = mem_new();
	m->name = xstrdup(name);
	m->description = xstrdup(desc);
	free(m->body);
	m->body = xstrdup(body);
	m->updated_ts = updated;
	m->store = STORE_PERSONAL;
	return m;
}

static void corpus(struct mem_list *l)
{
	mem_list_push(l, mk("use-pnpm-not-npm", "Use pnpm, not npm", "Use pnpm, not npm.", 10));
	mem_list_push(l, mk("indent-with-spaces", "Indent C code with 4 spaces", "Never tabs.", 10));
	mem_list_push(l, mk("spaces-note", "Spaces, spaces, spaces", "Spaces around operators, spaces everywhere.", 10));
	mem_list_push(l, mk("running-tests", "Run the test suites before pushing", "make test", 10));
	mem_list_push(l, mk("cafe", "Le café de l'équipe", "au deuxième étage", 10));
	mem_list_push(l, mk("dont-push", "Don't push on Fridays", "", 10));
}

/* The names query returns, joined by spaces. */
static char *names(struct search_index *ix, const char *q, size_t limit)
{
	struct search_hit *h = NULL;
	size_t n = 0;
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	CHECK_INT(search_index_query(ix, q, limit, NULL, NULL, &h, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(&b, ' ');
		buf_puts(&b, h[i].mem->name);
		if (i)
			CHECK(h[i - 1].score >= h[i].score);
		CHECK(h[i].score > 0);
	}
	free(h);
	return buf_detach(&b);
}

#define CHECK_NAMES(ix, q, limit, want)                 \
	do {                                            \
		char *got_ = names(ix, q, limit);       \
		CHECK_STR(got_, want);                  \
		free(got_);                             \
	} while (0)

TEST(test_exact_name_first)
{
	struct mem_list l = {0};
	struct search_index *ix;
	corpus(&l);
	CHECK_INT(search_index_build(&ix, &l), 0);
	/* spaces-note says "spaces" five times; the name still wins */
	CHECK_NAMES(ix, "indent-with-spaces", 1, "indent-with-spaces");
	CHECK_NAMES(ix, "Indent with spaces", 1, "indent-with-spaces");
	CHECK_NAMES(ix, "spaces", 1, "spaces-note");
	search_index_free(ix);
	mem_list_dispose(&l);
}

TEST(test_words_stems_unicode)
{
	struct mem_list l = {0};
	struct search_index *ix;
	corpus(&l);
	CHECK_INT(search_index_build(&ix, &l), 0);
	CHECK_NAMES(ix, "npm", 10, "use-pnpm-not-npm");
	CHECK_NAMES(ix, "running tested", 10, "running-tests");
	CHECK_NAMES(ix, "CAFÉ", 10, "cafe");
	CHECK_NAMES(ix, "ＣＡＦÉ", 10, "cafe");
	CHECK_NAMES(ix, "don't", 10, "dont-push");
	CHECK_NAMES(ix, "zebra", 10, "");
	CHECK_NAMES(ix, "", 10, "");
	CHECK_NAMES(ix, "?!, ...", 10, "");
	/* the index serves query after query */
	CHECK_NAMES(ix, "npm", 10, "use-pnpm-not-npm");
	search_index_free(ix);
	mem_list_dispose(&l);
}

static bool only_feedback(const struct mem *m, void *ud)
{
	return m->type == MEM_FEEDBACK;
}

TEST(test_limit_filter_ties)
{
	struct mem_list l = {0};
	struct search_index *ix;
	struct search_hit *h = NULL;
	size_t n = 0;

	mem_list_push(&l, mk("b-old", "walrus", "", 1));
	mem_list_push(&l, mk("a-new", "walrus", "", 5));
	mem_list_push(&l, mk("c-new", "walrus", "", 5));
	l.v[2]->type = MEM_FEEDBACK;
	CHECK_INT(search_index_build(&ix, &l), 0);
	CHECK_INT(search_index_count(ix), 3);
	/* equal scores: the newer first, then by name */
	CHECK_NAMES(ix, "walrus", 10, "a-new c-new b-old");
	CHECK_NAMES(ix, "walrus", 2, "a-new c-new");
	CHECK_NAMES(ix, "walrus", 0, "a-new");
	CHECK_INT(search_index_query(ix, "walrus", 10, only_feedback, NULL, &h, &n), 0);
	CHECK_INT(n, 1);
	CHECK_STR(n ? h[0].mem->name : "", "c-new");
	free(h);
	search_index_free(ix);
	mem_list_dispose(&l);
}

TEST(test_empty_index)
{
	struct mem_list l = {0};
	struct search_index *ix;
	CHECK_INT(search_index_build(&ix, &l), 0);
	CHECK_NAMES(ix, "anything", 10, "");
	search_index_free(ix);
}

TEST(test_score_json)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	search_score_json(&w, 2.5);
	jw_end(&w);
	CHECK_STR(buf_cstr(&b), "{\"score\":2.5}");
	buf_reset(&b);
	jw_init(&w, &b);
	jw_obj(&w);
	search_score_json(&w, 3.0);
	jw_end(&w);
	CHECK_STR(buf_cstr(&b), "{\"score\":3}");
	buf_dispose(&b);
}

TEST(test_lines)
{
	struct mcp_lines r;
	const char *line;
	size_t n;
	char big[40];

	mcp_lines_init(&r, 16);
	CHECK_INT(mcp_lines_feed(&r, "{\"a\":1}\r\n{\"b\"", 14), 0);
	CHECK_INT(mcp_lines_next(&r, &line, &n), MCP_LINE);
	CHECK_INT(n, 7);
	CHECK(!memcmp(line, "{\"a\":1}", 7));
	CHECK_INT(mcp_lines_next(&r, &line, &n), MCP_LINE_NONE);
	CHECK_INT(mcp_lines_feed(&r, ":2}\n", 4), 0);
	CHECK_INT(mcp_lines_next(&r, &line, &n), MCP_LINE);
	CHECK_INT(n, 8);
	/* a line over the cap is reported once and dropped up to its newline */
	memset(big, 'x', sizeof(big));
	CHECK_INT(mcp_lines_feed(&r, big, sizeof(big)), 0);
	CHECK_INT(mcp_lines_feed(&r, big, sizeof(big)), 0);
	CHECK_INT(mcp_lines_feed(&r, "xx\nok\n", 6), 0);
	CHECK_INT(mcp_lines_next(&r, &line, &n), MCP_LINE_TOO_LONG);
	CHECK_INT(mcp_lines_next(&r, &line, &n), MCP_LINE);
	CHECK_INT(n, 2);
	CHECK(!memcmp(line, "ok", 2));
	CHECK_INT(mcp_lines_next(&r, &line, &n), MCP_LINE_NONE);
	/* after the end, a last line without its newline is a line */
	CHECK_INT(mcp_lines_feed(&r, "last", 4), 0);
	r.ended = true;
	CHECK_INT(mcp_lines_next(&r, &line, &n), MCP_LINE);
	CHECK_INT(n, 4);
	CHECK_INT(mcp_lines_next(&r, &line, &n), MCP_LINE_NONE);
	mcp_lines_dispose(&r);
}

int main(void)
{
	RUN(test_exact_name_first);
	RUN(test_words_stems_unicode);
	RUN(test_limit_filter_ties);
	RUN(test_empty_index);
	RUN(test_score_json);
	RUN(test_lines);
	CHECK_MAIN_END();
}
