/* rules_literal: the literals a pattern requires (each case: a pattern
 * and the OR-set expected, "" for none) and the last byte of "X$"
 * patterns. */
#include <stdlib.h>

#include "check.h"
#include "kairos/err.h"
#include "tick/rules_literal.h"

static char *lits(const char *pattern)
{
	static char out[512];
	char **v;
	size_t n, o = 0;

	out[0] = 0;
	rules_literal_required(pattern, &v, &n);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? "|" : "", v[i]);
	rules_literal_free(v, n);
	return out;
}

TEST(test_required_literals)
{
	CHECK_STR(lits("strcpy\\("), "strcpy(");
	CHECK_STR(lits("\\bstrcpy[[:space:]]*\\("), "strcpy");
	CHECK_STR(lits("(malloc|calloc)\\("), "malloc|calloc");
	CHECK_STR(lits("a+bc"), "abc");
	CHECK_STR(lits("colou?r"), "colo");
	CHECK_STR(lits("x{2}yz"), "xyz");
	CHECK_STR(lits("x{0,3}yz"), "yz");
	CHECK_STR(lits("x{,3}yz"), "yz");
	CHECK_STR(lits("(ab)*cd"), "cd");
	CHECK_STR(lits("(abc)+d"), "abc");
	CHECK_STR(lits("[abc]def"), "def");
	CHECK_STR(lits("[]abc]def"), "def");
	CHECK_STR(lits("[[:alpha:]]+_tmp"), "_tmp");
	CHECK_STR(lits("foo|bar"), "foo|bar");
	CHECK_STR(lits("x\\.y"), "x.y");
	CHECK_STR(lits("h\xc3\xa9llo?"), "h\xc3\xa9ll");
	CHECK_STR(lits("caf\xc3\xa9?s"), "caf");
	CHECK_STR(lits("^\t+"), "\t");
	/* nothing required */
	CHECK_STR(lits(".*"), "");
	CHECK_STR(lits("^\\t+"), "");  /* \t is not a tab in POSIX */
	CHECK_STR(lits("foo|"), "");
	CHECK_STR(lits("foo|.*"), "");
	CHECK_STR(lits("(foo)?"), "");
	CHECK_STR(lits("\\w+\\s+$"), "");
	CHECK_STR(lits("a\\1"), "a");
}

/* Patterns the extractor does not understand, or that are malformed,
 * give no requirement rather than a wrong one. */
/* A run of literal bytes up to RULES_LITERAL_MAX is kept whole; a longer
 * one is an error, with no requirement rather than a cut one. */
TEST(test_literal_at_its_cap)
{
	char *pat = malloc(RULES_LITERAL_MAX + 8), **v;
	size_t n;

	memset(pat, 'a', RULES_LITERAL_MAX);
	strcpy(pat + RULES_LITERAL_MAX, "|b");
	CHECK_INT(rules_literal_required(pat, &v, &n), 0);
	CHECK_INT(n, 2);
	CHECK(n == 2 && strlen(v[0]) == RULES_LITERAL_MAX && !strcmp(v[1], "b"));
	rules_literal_free(v, n);
	strcpy(pat + RULES_LITERAL_MAX, "a|b");
	CHECK_INT(rules_literal_required(pat, &v, &n), KR_ENOMEM);
	CHECK_INT(n, 0);
	CHECK(v == NULL);
	CHECK(strstr(kr_errmsg(), "literal longer than") != NULL);
	strcpy(pat + RULES_LITERAL_MAX, "(a)b"); /* in a group too */
	CHECK_INT(rules_literal_required(pat + 1, &v, &n), 0);
	rules_literal_free(v, n);
	memmove(pat + 1, pat, RULES_LITERAL_MAX + 5);
	pat[0] = '(';
	strcpy(pat + RULES_LITERAL_MAX + 1, "aa)b");
	CHECK_INT(rules_literal_required(pat, &v, &n), KR_ENOMEM);
	CHECK_INT(n, 0);
	free(pat);
}

TEST(test_malformed_gives_nothing)
{
	CHECK_STR(lits("(abc"), "");
	CHECK_STR(lits("[abc"), "");
	CHECK_STR(lits(""), "");
	CHECK_STR(lits("a\\"), ""); /* a trailing backslash */
	/* a stray ')' is no group: what precedes it is still required */
	CHECK_STR(lits("abc)"), "abc");
}

/* Alternatives: the whole OR-set, the best branch of a sequence, and no
 * set at all beyond its cap. */
TEST(test_alternatives)
{
	CHECK_STR(lits("(get|set)_value"), "_value");
	CHECK_STR(lits("x(get|set)"), "get|set");
	CHECK_STR(lits("(a|b)(cdef|ghij)"), "cdef|ghij");
	CHECK_STR(lits("a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p"),
		  "a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p");
	CHECK_STR(lits("a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q"), ""); /* over 16 */
}

static int ends(const char *pat, const char *bytes, const char *not)
{
	uint8_t set[32];
	if (!rules_literal_last_byte(pat, set))
		return -1;
	for (const char *b = bytes; *b; b++)
		if (!(set[(unsigned char)*b >> 3] & (1u << ((unsigned char)*b & 7))))
			return 0;
	for (const char *b = not; *b; b++)
		if (set[(unsigned char)*b >> 3] & (1u << ((unsigned char)*b & 7)))
			return 0;
	return 1;
}

TEST(test_last_byte)
{
	/* in a bracket a backslash is itself: space, "\" and "t" */
	CHECK_INT(ends("[ \\t]+$", " t\\", "x"), 1);
	CHECK_INT(ends("[[:space:]]+$", " \t", "ax"), 1);
	CHECK_INT(ends(";$", ";", "a "), 1);
	CHECK_INT(ends("^foo.$", "ab ", "\n"), 1);
	CHECK_INT(ends("x{2}$", "x", "y"), 1);
	/* not "one mandatory atom then $" */
	CHECK_INT(ends("a*$", "", ""), -1);
	CHECK_INT(ends("a?$", "", ""), -1);
	CHECK_INT(ends("x{0,2}$", "", ""), -1);
	CHECK_INT(ends("(a|b)$", "", ""), -1);
	CHECK_INT(ends("abc", "", ""), -1);
	CHECK_INT(ends("a$b", "", ""), -1);
}

int main(void)
{
	RUN(test_required_literals);
	RUN(test_literal_at_its_cap);
	RUN(test_malformed_gives_nothing);
	RUN(test_alternatives);
	RUN(test_last_byte);
	CHECK_MAIN_END();
}
