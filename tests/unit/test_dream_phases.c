/* Unit tests for the dream phases on snapshots built by hand. */
#include "check.h"
#include "dream/dream_snap.h"
#include "kairos/err.h"
#include "kairos/time.h"

#include <stdlib.h>

#define NOW 1772445600 /* 2026-03-02T10:00:00Z */

static struct mem *mk(const char *name, const char *desc, const char *body, const char *updated)
{
	struct mem *m = mem_new();
	m->name = xstrdup(name);
	m->description = xstrdup(desc);
	free(m->body);
	m->body = xstrdup(body ? body : "");
	m->type = MEM_FEEDBACK;
	m->created = xstrdup("2026-01-01T00:00:00Z");
	m->updated = xstrdup(updated ? updated : "2026-01-01T00:00:00Z");
	time_parse(m->created, &m->created_ts);
	time_parse(m->updated, &m->updated_ts);
	return m;
}

struct fx {
	struct dream_report rep;
	struct dream_snap s;
};

static void fx_init(struct fx *f, struct mem **ms, size_t n)
{
	struct mem_list l = {0};
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++)
		mem_list_push(&l, ms[i]);
	dream_snap_init(&f->s, &l, NOW, &f->rep);
}

static void fx_dispose(struct fx *f)
{
	dream_snap_dispose(&f->s);
	dream_report_dispose(&f->rep);
}

static size_t idx(struct fx *f, const char *name)
{
	for (size_t i = 0; i < f->s.mems.n; i++)
		if (!strcmp(f->s.mems.v[i]->name, name))
			return i;
	return SIZE_MAX;
}

static bool archived(struct fx *f, const char *name)
{
	size_t i = idx(f, name);
	return i != SIZE_MAX && f->s.it[i].state == DS_ARCHIVED;
}

static const char *by(struct fx *f, const char *name)
{
	size_t i = idx(f, name);
	return i == SIZE_MAX ? NULL : f->s.it[i].superseded_by;
}

/* Runs dedup + contra over two memories; returns 'm' merged, 'c'
 * contradiction, '-' nothing. b is the newer one. */
static char pair(const char *a, const char *b)
{
	struct mem *ms[2] = {mk("aa", a, a, "2026-01-01T00:00:00Z"),
			     mk("bb", b, b, "2026-02-01T00:00:00Z")};
	struct fx f;
	char r = '-';
	fx_init(&f, ms, 2);
	dream_dedup(&f.s);
	dream_contra(&f.s);
	if (f.rep.merged)
		r = 'm';
	else if (f.rep.contradictions)
		r = 'c';
	if (r != '-' && (!archived(&f, "aa") || archived(&f, "bb")))
		r = '!'; /* the older one must go */
	fx_dispose(&f);
	return r;
}

#define CHECK_PAIR(a, b, want)                                                      \
	do {                                                                        \
		char got_ = pair(a, b);                                             \
		if (got_ != (want)) {                                               \
			fprintf(stderr, "%s:%d: [%s] vs [%s]: expected %c, got %c\n", \
				__FILE__, __LINE__, a, b, want, got_);              \
			check_failed_here = 1;                                      \
		}                                                                   \
	} while (0)

TEST(duplicates_by_content_words)
{
	CHECK_PAIR("Indent C code with four spaces, never tabs",
		   "Never tabs: indent the C code with four spaces.", 'm');
	CHECK_PAIR("Don't commit generated files to the repository",
		   "Please do not commit generated files to repository", 'm');
	CHECK_PAIR("Make sure to run the unit tests before you push",
		   "Run unit tests before push", 'm');
	CHECK_PAIR("It's important that the build stays warning free",
		   "It is important: build stays warning-free!", 'm');
	CHECK_PAIR("The parser's errors must name the line number",
		   "Parser errors must name the line number", 'm');
	CHECK_PAIR("\xEF\xBC\xB5se the release build for benchmarks",
		   "use the RELEASE build for benchmarks", 'm');
}

TEST(lookalikes_kept_apart)
{
	CHECK_PAIR("Use snake_case for functions", "Use snake_case for variables", '-');
	CHECK_PAIR("Run the integration tests against the staging database before every deploy",
		   "Run the integration tests against the production database before every deploy", '-');
	CHECK_PAIR("Review every pull request touching the lexer",
		   "Review every pull request touching the parser", '-');
	/* short statements: exact after normalisation only */
	CHECK_PAIR("Use tabs", "Tabs: use", '-');
	CHECK_PAIR("Use tabs.", "use TABS", 'm');
}

TEST(contradictions_polarity)
{
	CHECK_PAIR("Always run clang-format before committing",
		   "Never run clang-format before committing", 'c');
	CHECK_PAIR("Run the linter before committing", "Don't run the linter before committing", 'c');
	CHECK_PAIR("Use assertions in release builds", "Avoid assertions in release builds", 'c');
	CHECK_PAIR("Enable LTO in the release build", "Disable LTO in the release build", 'c');
	CHECK_PAIR("Prefer composition over inheritance", "Prefer inheritance over composition", 'c');
	/* less certain: left alone */
	CHECK_PAIR("Always run clang-format before committing", "Never run clang-tidy in CI", '-');
}

TEST(contradictions_values)
{
	CHECK_PAIR("Indent with 4 spaces", "Indent with 2 spaces", 'c');
	CHECK_PAIR("Indent Python code with tabs", "Indent Python code with spaces", 'c');
	CHECK_PAIR("Use single quotes for strings in JavaScript",
		   "Use double quotes for strings in JavaScript", 'c');
	CHECK_PAIR("Name functions in snake_case", "Name functions in camelCase", 'c');
	CHECK_PAIR("Set `strict` to true in tsconfig", "Set `strict` to false in tsconfig", 'c');
	/* code spans are anchors, never values (memory-format.md) */
	CHECK_PAIR("Build with `-O2` for benchmarks", "Build with `-O3` for benchmarks", '-');
	CHECK_PAIR("Turn the cache on for CI runs", "Turn the cache off for CI runs", 'c');
	/* two values changed, or a value and a word: not certain */
	CHECK_PAIR("Indent with 4 spaces in C", "Indent with 2 tabs in C", '-');
	CHECK_PAIR("Indent C with 4 spaces", "Indent Go with 2 spaces", '-');
	/* values alone are no subject */
	CHECK_PAIR("`make`", "`ninja`", '-');
}

/* The near-misses of issue 12: anchors and their roles name what a
 * memory is about; values are a closed list. */
TEST(anchors_keep_lookalikes_apart)
{
	CHECK_PAIR("Indent headers in src/tick/ with 8 spaces, never tabs",
		   "Indent shell scripts in src/lexer/ with 2 spaces, never tabs", '-');
	CHECK_PAIR("Indent headers in src/tick/ with 8 spaces, never tabs",
		   "Indent headers in src/tick/ with 2 spaces, never tabs", 'c');
	CHECK_PAIR("Code in `src/a/` must not include headers from `src/b/`",
		   "Code in `src/b/` must not include headers from `src/a/`", '-');
	CHECK_PAIR("Disable `-Wshadow` for the test target", "Disable `-Wvla` for the test target", '-');
	CHECK_PAIR("Disable -Wshadow for the test target", "Disable -Wvla for the test target", '-');
	CHECK_PAIR("Issue 12 is flaky", "Issue 13 is flaky", '-');
	CHECK_PAIR("Review PR 431 before the release", "Review PR 432 before the release", '-');
	CHECK_PAIR("Ticket #12 blocks the release", "Ticket #13 blocks the release", '-');
	CHECK_PAIR("Run `make docs` before pushing", "Run `make check` before pushing", '-');
	CHECK_PAIR("Keep the lexer tables in lexer.c", "Keep the lexer tables in lexer.h", '-');
	CHECK_PAIR("Use Python 3.11 for the tools", "Use Python 3.12 for the tools", '-');
	/* a code span of one plain word is that word */
	CHECK_PAIR("Use `pnpm`, not `npm`", "Use pnpm, not npm", 'm');
	/* a phrase moved to the front says the same */
	CHECK_PAIR("Before every release, run `make check` in `src/`",
		   "Run `make check` in `src/` before every release", 'm');
}

TEST(mirror_images_never_merge)
{
	CHECK_PAIR("Copy the fixtures from staging to production",
		   "Copy the fixtures from production to staging", '-');
	CHECK_PAIR("Use tabs instead of spaces in Makefiles", "Use spaces instead of tabs in Makefiles", '-');
	CHECK_PAIR("Run the linter, not the formatter", "Run the formatter, not the linter", '-');
	CHECK_PAIR("Run lint before tests", "Run tests before lint", '-');
	CHECK_PAIR("Run the tests, but do not run the benchmarks",
		   "Run the benchmarks, but do not run the tests", '-');
	/* words bind within their sentence: the same words in other sentences differ */
	CHECK_PAIR("Use tabs in `src/a/`. Use spaces in `src/b/`.",
		   "Use spaces in `src/a/`. Use tabs in `src/b/`.", '-');
}

TEST(values_are_a_closed_list)
{
	CHECK_PAIR("Use port 8080 for the dev server", "Use port 3000 for the dev server", 'c');
	CHECK_PAIR("Use Node 20 in CI", "Use Node 22 in CI", 'c');
	CHECK_PAIR("Set a timeout of 30 for the API client", "Set a timeout of 60 for the API client", 'c');
	CHECK_PAIR("Require 2 reviewers for the parser", "Require 1 reviewers for the parser", 'c');
	CHECK_PAIR("Wrap lines at 80 columns", "Wrap lines at 100 columns", 'c');
	CHECK_PAIR("Indent with tabs", "Indent with 4 spaces", 'c');
	/* spaces and 4 spaces: one says more, neither is wrong */
	CHECK_PAIR("Indent the parser with spaces", "Indent the parser with 4 spaces", '-');
	/* quoted text is never a value */
	CHECK_PAIR("Call the flag \"fast\" in the docs", "Call the flag \"quick\" in the docs", '-');
}

TEST(merge_keeps_every_sentence)
{
	struct mem *a = mk("old", "Run unit tests before pushing",
			   "Run unit tests before pushing.\n\n**Why:** CI is slow.\n",
			   "2026-01-01T00:00:00Z");
	struct mem *b = mk("new", "Before pushing, run the unit tests",
			   "Before pushing, run the unit tests.\n", "2026-02-01T00:00:00Z");
	struct mem *ms[2] = {a, b};
	struct fx f;
	size_t i;
	strv_push(&a->scope, "src/**");
	strv_push(&b->scope, "tests/**");
	strv_push(&a->refs, "Makefile");
	fx_init(&f, ms, 2);
	CHECK_INT(dream_dedup(&f.s), 0);
	CHECK_INT(f.rep.merged, 1);
	CHECK(archived(&f, "old"));
	CHECK_STR(by(&f, "old"), "new");
	i = idx(&f, "new");
	CHECK_STR(f.s.mems.v[i]->body,
		  "Before pushing, run the unit tests.\n\nRun unit tests before pushing.\n"
		  "**Why:** CI is slow.\n");
	CHECK(f.s.it[i].body_changed);
	CHECK_INT(f.s.mems.v[i]->scope.n, 2);
	CHECK_INT(f.s.mems.v[i]->refs.n, 1);
	CHECK_INT(f.rep.nactions, 1);
	CHECK_INT(f.rep.actions[0].op, DREAM_OP_MERGE);
	CHECK_STR(f.rep.actions[0].name, "new");
	CHECK_STR(f.rep.actions[0].names.v[0], "old");
	fx_dispose(&f);
}

/* ~600 KB of sentences none of the other memory has */
static char *big_body(char tag)
{
	size_t lines = 600, len = 1000;
	char *b = malloc(lines * len + 1), *p = b;
	for (size_t i = 0; i < lines; i++) {
		int k = sprintf(p, "%c%zu ", tag, i);
		memset(p + k, tag, len - (size_t)k - 2);
		memcpy(p + len - 2, ".\n", 2);
		p += len;
	}
	*p = '\0';
	return b;
}

/* A merge whose survivor would outgrow a memory file changes nothing and
 * says so among the report's problems. */
TEST(merge_past_a_memory_file_refused)
{
	char *ba = big_body('a'), *bb = big_body('b');
	struct mem *ms[2] = {mk("a", "Same thing", ba, "2026-01-01T00:00:00Z"),
			     mk("b", "Same thing", bb, "2026-02-01T00:00:00Z")};
	struct dream_opin op = {.op = DREAM_OP_MERGE, .into = (char *)"b", .reason = (char *)"same"};
	struct fx f;

	strv_push(&op.from, "a");
	fx_init(&f, ms, 2);
	dream_ops_apply(&f.s, &f.rep, &op, 1);
	CHECK_INT(f.rep.merged, 0);
	CHECK_INT(f.rep.nactions, 0);
	CHECK(!archived(&f, "a") && !archived(&f, "b"));
	CHECK_STR(f.s.mems.v[idx(&f, "b")]->body, bb);
	CHECK(!f.s.it[idx(&f, "b")].dirty);
	CHECK_INT(f.rep.nproblems, 1);
	if (f.rep.nproblems)
		CHECK(strstr(f.rep.problems[0].msg, "not merged into b: buffer over its cap") ==
		      f.rep.problems[0].msg);
	strv_dispose(&op.from);
	fx_dispose(&f);
	free(ba);
	free(bb);
}

TEST(merge_scope_all_wins)
{
	struct mem *a = mk("a1", "Run unit tests before pushing", NULL, "2026-01-01T00:00:00Z");
	struct mem *b = mk("b1", "Run unit tests before pushing", NULL, "2026-02-01T00:00:00Z");
	struct mem *ms[2] = {a, b};
	struct fx f;
	strv_push(&b->scope, "src/**");
	fx_init(&f, ms, 2);
	dream_dedup(&f.s);
	CHECK(archived(&f, "a1"));
	CHECK_INT(f.s.mems.v[idx(&f, "b1")]->scope.n, 0); /* a1 applied everywhere */
	CHECK(!f.s.it[idx(&f, "b1")].body_changed);
	fx_dispose(&f);
}

TEST(survivor_tie_breaks)
{
	struct mem *a = mk("zeta", "Run unit tests before pushing", NULL, "2026-01-01T00:00:00Z");
	struct mem *b = mk("alpha", "run unit tests before pushing", NULL, "2026-01-01T00:00:00Z");
	struct mem *c = mk("mid", "Run unit tests, before pushing", NULL, "2026-01-01T00:00:00Z");
	struct mem *ms[3] = {a, b, c};
	struct fx f;
	fx_init(&f, ms, 3);
	dream_dedup(&f.s);
	CHECK_INT(f.rep.merged, 2);
	CHECK(!archived(&f, "zeta")); /* same times: the name that sorts last */
	CHECK(archived(&f, "alpha") && archived(&f, "mid"));
	fx_dispose(&f);
}

TEST(rules_block_merge_and_conflict)
{
	struct mem *a = mk("r1", "No strcpy", "Use str_copy instead of strcpy.", "2026-01-01T00:00:00Z");
	struct mem *b = mk("r2", "No strcpy", "Use str_copy instead of strcpy.", "2026-02-01T00:00:00Z");
	struct mem *c = mk("r3", "Avoid sprintf", "Avoid sprintf.", "2026-03-01T00:00:00Z");
	struct mem *d = mk("r4", "Sprintf is unsafe", "Sprintf is unsafe here.", "2026-01-01T00:00:00Z");
	struct mem *ms[4] = {a, b, c, d};
	struct fx f;
	a->rule = xcalloc(1, sizeof(*a->rule));
	a->rule->literal = xstrdup("strcpy(");
	a->rule->fix = xstrdup("str_copy(");
	b->rule = xcalloc(1, sizeof(*b->rule));
	b->rule->literal = xstrdup("strcpy(");
	b->rule->fix = xstrdup("strlcpy(");
	c->rule = xcalloc(1, sizeof(*c->rule));
	c->rule->pattern = xstrdup("sprintf\\(");
	c->rule->fix = xstrdup("snprintf(");
	d->rule = xcalloc(1, sizeof(*d->rule));
	d->rule->literal = xstrdup("sprintf\\("); /* a literal, not the same rule */
	d->rule->fix = xstrdup("xsprintf(");
	fx_init(&f, ms, 4);
	dream_dedup(&f.s);
	CHECK_INT(f.rep.merged, 0); /* same text, different rules: not duplicates */
	dream_contra(&f.s);
	CHECK_INT(f.rep.contradictions, 1);
	CHECK(archived(&f, "r1"));
	CHECK_STR(by(&f, "r1"), "r2");
	CHECK(!archived(&f, "r3") && !archived(&f, "r4"));
	fx_dispose(&f);
}

TEST(explicit_supersedes)
{
	struct mem *a = mk("old-build", "Build with make", NULL, "2026-02-01T00:00:00Z");
	struct mem *b = mk("new-build", "Build with meson", NULL, "2026-01-01T00:00:00Z");
	struct mem *c = mk("x", "Something about x", NULL, NULL);
	struct mem *d = mk("y", "Something about y", NULL, NULL);
	struct mem *ms[4] = {a, b, c, d};
	struct fx f;
	strv_push(&b->supersedes, "old-build");
	strv_push(&c->supersedes, "y");
	strv_push(&d->supersedes, "x"); /* each names the other: left alone */
	fx_init(&f, ms, 4);
	dream_contra(&f.s);
	CHECK(archived(&f, "old-build"));
	CHECK_STR(by(&f, "old-build"), "new-build");
	CHECK(!archived(&f, "x") && !archived(&f, "y"));
	fx_dispose(&f);
}

TEST(similar_listed_not_merged)
{
	struct mem *a = mk("s1", "Run the integration tests against staging before every deploy", NULL, NULL);
	struct mem *b = mk("s2", "Run the integration tests against production before every deploy", NULL, NULL);
	struct mem *ms[2] = {a, b};
	struct fx f;
	fx_init(&f, ms, 2);
	dream_dedup(&f.s);
	dream_contra(&f.s);
	dream_dedup_similar(&f.s);
	CHECK_INT(f.rep.merged, 0);
	CHECK_INT(f.rep.npairs, 1);
	if (f.rep.npairs)
		CHECK_STR(f.rep.pairs[0].kind, "similar");
	fx_dispose(&f);
}

TEST(expired_pruned)
{
	struct mem *a = mk("gone", "Freeze until the release", NULL, NULL);
	struct mem *b = mk("later", "Freeze until the next release", NULL, NULL);
	struct mem *ms[2] = {a, b};
	struct fx f;
	a->expires = xstrdup("2026-02-01");
	time_parse(a->expires, &a->expires_ts);
	b->expires = xstrdup("2027-02-01");
	time_parse(b->expires, &b->expires_ts);
	fx_init(&f, ms, 2);
	dream_prune_mark_stale(&f.s);
	dream_prune(&f.s);
	CHECK_INT(f.rep.pruned, 1);
	CHECK(archived(&f, "gone") && !archived(&f, "later"));
	fx_dispose(&f);
}

TEST(promote_edit_patterns)
{
	const char *lines[] = {
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"edit_pattern\",\"before\":\"NULL\",\"after\":\"nullptr\",\"uri\":\"file:///a.cc\",\"line\":3}",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"edit_pattern\",\"before\":\"NULL\",\"after\":\"nullptr\",\"uri\":\"file:///a.cc\",\"line\":3}",
		"not json at all",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"edit_pattern\",\"before\":\"NULL\",\"after\":\"nullptr\",\"uri\":\"file:///a.cc\",\"line\":9}",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"edit_pattern\",\"before\":\"NULL\",\"after\":\"nullptr\",\"uri\":\"file:///b.cc\",\"line\":3}",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"edit_pattern\",\"before\":\"foo\",\"after\":\"bar\",\"uri\":\"file:///b.cc\",\"line\":3}",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"edit_pattern\",\"before\":\"foo\",\"after\":\"bar\",\"uri\":\"file:///b.cc\",\"line\":3}",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"edit_pattern\",\"before\":\"foo\",\"after\":\"bar\",\"uri\":\"file:///b.cc\",\"line\":3}",
	};
	size_t nos[] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct fx f;
	struct mem *m;
	fx_init(&f, NULL, 0);
	CHECK_INT(dream_promote(&f.s, lines, nos, 8), 0);
	CHECK_INT(f.rep.promoted, 1); /* foo->bar: 3 times in one place only */
	CHECK_INT(f.s.mems.n, 1);
	m = f.s.mems.v[0];
	CHECK_INT(m->type, MEM_FEEDBACK);
	CHECK_STR(m->source, "observation");
	CHECK(m->rule != NULL);
	if (m->rule) {
		CHECK_STR(m->rule->literal, "NULL");
		CHECK_STR(m->rule->fix, "nullptr");
	}
	CHECK(mem_name_valid(m->name));
	CHECK_INT(f.rep.consumed.n, 4); /* the four NULL lines; the bad line stays */
	CHECK_INT(f.s.nconsumed, 4);
	fx_dispose(&f);
}

TEST(promote_rejections_silence)
{
	const char *lines[] = {
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"suggestion_rejected\",\"memory\":\"no-printf\"}",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"suggestion_rejected\",\"memory\":\"no-printf\"}",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"suggestion_rejected\",\"memory\":\"no-printf\"}",
		"{\"ts\":\"2026-03-01T00:00:00Z\",\"kind\":\"suggestion_rejected\",\"memory\":\"other\"}",
	};
	size_t nos[] = {1, 2, 3, 4};
	struct mem *ms[1] = {mk("no-printf", "Avoid printf in the library", NULL, NULL)};
	struct fx f;
	fx_init(&f, ms, 1);
	dream_promote(&f.s, lines, nos, 4);
	CHECK_INT(f.rep.promoted, 1);
	CHECK(archived(&f, "no-printf"));
	CHECK_INT(f.s.mems.n, 2);
	CHECK(f.s.mems.n == 2 && strv_has(&f.s.mems.v[1]->supersedes, "no-printf"));
	CHECK_STR(by(&f, "no-printf"), f.s.mems.v[1]->name);
	CHECK_INT(f.rep.consumed.n, 3);
	fx_dispose(&f);
}

TEST(dates_in_the_description_too)
{
	struct mem *ms[1] = {mk("outage", "Yesterday the build broke, see `git log --since yesterday`",
				"Yesterday the build broke.\n```\nyesterday\n```\n", NULL)};
	struct fx f;
	fx_init(&f, ms, 1);
	CHECK_INT(dream_dates(&f.s), 0);
	CHECK_STR(f.s.mems.v[0]->description, "2025-12-31 the build broke, see `git log --since yesterday`");
	CHECK_STR(f.s.mems.v[0]->body, "2025-12-31 the build broke.\n```\nyesterday\n```\n");
	CHECK_INT(f.rep.dates_fixed, 2);
	CHECK(f.s.it[0].dirty);
	fx_dispose(&f);
}

TEST(cancel_stops_phases)
{
	struct mem *ms[2] = {mk("a", "Run unit tests before pushing", NULL, NULL),
			     mk("b", "Run unit tests before pushing", NULL, NULL)};
	atomic_int c = 1;
	struct fx f;
	fx_init(&f, ms, 2);
	f.s.cancel = &c;
	CHECK_INT(dream_dedup(&f.s), KR_ECANCEL);
	CHECK_INT(f.rep.merged, 0);
	fx_dispose(&f);
}

TEST(ops_parse)
{
	const char *t = "Here:\n```json\n{\"operations\": [\n"
			"{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"b\",\"../x\"],\"reason\":\"same\"},\n"
			"{\"op\":\"supersede\",\"winner\":\"c\",\"loser\":\"d\"},\n"
			"{\"op\":\"keep\",\"names\":[\"e\",\"f\"]}, {\"op\":\"delete\",\"name\":\"a\"}]}\n```\n";
	struct dream_opin *ops;
	size_t n;
	CHECK_INT(dream_ops_parse(&ops, &n, t, strlen(t)), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(ops[0].op, DREAM_OP_MERGE);
		CHECK_INT(ops[0].from.n, 1); /* "../x" is no name */
		CHECK_STR(ops[1].loser, "d");
		CHECK_INT(ops[2].from.n, 2);
	}
	dream_ops_free(ops, n);
}

int main(void)
{
	RUN(duplicates_by_content_words);
	RUN(lookalikes_kept_apart);
	RUN(contradictions_polarity);
	RUN(contradictions_values);
	RUN(anchors_keep_lookalikes_apart);
	RUN(mirror_images_never_merge);
	RUN(values_are_a_closed_list);
	RUN(merge_keeps_every_sentence);
	RUN(merge_past_a_memory_file_refused);
	RUN(merge_scope_all_wins);
	RUN(survivor_tie_breaks);
	RUN(rules_block_merge_and_conflict);
	RUN(explicit_supersedes);
	RUN(similar_listed_not_merged);
	RUN(expired_pruned);
	RUN(promote_edit_patterns);
	RUN(promote_rejections_silence);
	RUN(dates_in_the_description_too);
	RUN(cancel_stops_phases);
	RUN(ops_parse);
	CHECK_MAIN_END();
}
