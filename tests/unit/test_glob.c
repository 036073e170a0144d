/* Scope globs: components, stars, classes, escapes, and no blow-up. */
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "kairos/err.h"
#include "kairos/glob.h"

#define M(p, s) glob_match_str(p, s)

TEST(test_literal_and_star)
{
	CHECK(M("src/main.c", "src/main.c"));
	CHECK(!M("src/main.c", "src/main.h"));
	CHECK(!M("src/main.c", "src/main.cc"));
	CHECK(M("*.c", "main.c"));
	CHECK(!M("*.c", "src/main.c")); /* * never crosses a slash */
	CHECK(M("src/*.c", "src/a.c"));
	CHECK(!M("src/*.c", "src/x/a.c"));
	CHECK(M("src/*", "src/a.c"));
	CHECK(M("*", "Makefile"));
	CHECK(!M("*", "a/b"));
	CHECK(M("a*b*c", "axxbyyc"));
	CHECK(!M("a*b*c", "axxbyy"));
	CHECK(M("*.test.*", "x.test.js"));
	CHECK(M("", ""));
	CHECK(!M("", "a"));
}

TEST(test_double_star)
{
	CHECK(M("src/**/*.c", "src/a.c"));
	CHECK(M("src/**/*.c", "src/x/a.c"));
	CHECK(M("src/**/*.c", "src/x/y/z/a.c"));
	CHECK(!M("src/**/*.c", "lib/a.c"));
	CHECK(!M("src/**/*.c", "src/a.h"));
	CHECK(M("**/*.c", "a.c"));
	CHECK(M("**/*.c", "deep/er/a.c"));
	CHECK(M("**", "anything/at/all"));
	CHECK(M("src/**", "src/a/b.c"));
	CHECK(!M("src/**", "srcx/a.c"));
	CHECK(M("a/**/b", "a/b"));
	CHECK(M("a/**/b", "a/x/y/b"));
	CHECK(!M("a/**/b", "a/xb"));
	CHECK(!M("a/**/b", "a/x/yb"));
	CHECK(M("**/test/**", "x/test/y.c"));
	CHECK(M("**/test/**", "test/y.c"));
	/* not a whole component: acts as * */
	CHECK(M("a**b", "axxb"));
	CHECK(!M("a**b", "a/b"));
	/* a trailing slash means everything below */
	CHECK(M("include/", "include/kairos/x.h"));
	CHECK(!M("include/", "src/x.h"));
}

TEST(test_question_and_classes)
{
	CHECK(M("?.c", "a.c"));
	CHECK(!M("?.c", "ab.c"));
	CHECK(!M("a?b", "a/b"));
	CHECK(M("[abc].c", "b.c"));
	CHECK(!M("[abc].c", "d.c"));
	CHECK(M("[a-c]x", "bx"));
	CHECK(!M("[a-c]x", "dx"));
	CHECK(M("[!a-c]x", "dx"));
	CHECK(M("[^a-c]x", "dx"));
	CHECK(!M("[!a-c]x", "ax"));
	CHECK(!M("a[!x]b", "a/b")); /* a class never matches / */
	CHECK(M("[]]", "]"));
	CHECK(M("*.[ch]", "x.h"));
	CHECK(!M("*.[ch]", "x.o"));
}

TEST(test_escapes_and_prefixes)
{
	CHECK(M("a\\*b", "a*b"));
	CHECK(!M("a\\*b", "axb"));
	CHECK(M("\\[x]", "[x]"));
	CHECK(M("./src/*.c", "src/a.c"));
	CHECK(M("/src/*.c", "src/a.c"));
	CHECK(M("src/*.c", "./src/a.c"));
	CHECK(M("caf\xc3\xa9/*.md", "caf\xc3\xa9/x.md"));
	CHECK(!M("Src/*.c", "src/a.c")); /* case-sensitive */
}

TEST(test_bad_patterns)
{
	struct glob *g = NULL;

	CHECK_INT(glob_compile(&g, "src/[abc"), KR_EINVAL);
	CHECK(g == NULL);
	CHECK(!M("src/[abc", "src/[abc"));
}

TEST(test_no_blowup)
{
	char pat[200], path[4000];
	size_t n = 0;
	clock_t t0 = clock();

	for (int i = 0; i < 40; i++) {
		pat[n++] = '*';
		pat[n++] = 'a';
	}
	pat[n++] = 'b';
	pat[n] = 0;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = 0;
	for (int i = 0; i < 20; i++)
		CHECK(!M(pat, path));
	CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);

	/* many ** components */
	CHECK(M("**/**/**/**/**/**/x", "a/b/c/d/e/f/g/h/x"));
	CHECK(!M("**/**/**/**/**/**/x", "a/b/c/d/e/f/g/h/y"));
}

TEST(test_compiled_reuse)
{
	struct glob *g;

	CHECK_INT(glob_compile(&g, "src/**/*.[ch]"), 0);
	CHECK(glob_match(g, "src/a.c"));
	CHECK(glob_match(g, "src/b/c.h"));
	CHECK(!glob_match(g, "tests/a.c"));
	glob_free(g);
}

int main(void)
{
	RUN(test_literal_and_star);
	RUN(test_double_star);
	RUN(test_question_and_classes);
	RUN(test_escapes_and_prefixes);
	RUN(test_bad_patterns);
	RUN(test_no_blowup);
	RUN(test_compiled_reuse);
	CHECK_MAIN_END();
}
