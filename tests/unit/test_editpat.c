/* Hand replacements: token diff, typing in progress, the tracker and
 * kairos's own edits. */
#include <stdlib.h>

#include "check.h"
#include "kairos/editpat.h"

static char got[512];

static const char *diff(const char *b, const char *a)
{
	struct editpat e = {0};

	if (!editpat_diff(&e, b, strlen(b), a, strlen(a)))
		return "-";
	snprintf(got, sizeof(got), "%s => %s", e.before, e.after);
	editpat_dispose(&e);
	return got;
}

TEST(test_diff)
{
	CHECK_STR(diff("p = malloc(n);", "p = xmalloc(n);"), "malloc => xmalloc");
	CHECK_STR(diff("int foo = 1;", "int bar = 1;"), "foo => bar");
	CHECK_STR(diff("a = foo.bar;", "a = foo->bar;"), "foo.bar => foo->bar");
	CHECK_STR(diff("strcpy(a, b);", "str_copy(a, b);"), "strcpy => str_copy");
	CHECK_STR(diff("x = caf\xc3\xa9;", "x = tea;"), "caf\xc3\xa9 => tea");
	/* pure insertions and deletions of tokens */
	CHECK_STR(diff("f(a, b)", "f(a, c, b)"), "-");
	CHECK_STR(diff("f(a, c, b)", "f(a, b)"), "-");
	CHECK_STR(diff("", "int x;"), "-");
	CHECK_STR(diff("return x;", ""), "-");
	/* white space only */
	CHECK_STR(diff("a = b;", "a  =\tb;   "), "-");
	CHECK_STR(diff("same", "same"), "-");
	/* typing in progress */
	CHECK_STR(diff("p = mal", "p = mall"), "-");
	CHECK_STR(diff("p = mall", "p = mal"), "-");
	/* punctuation between words takes the words along; alone it is none */
	CHECK_STR(diff("if (a == b)", "if (a != b)"), "a == b => a != b");
	CHECK_STR(diff("x;", "x,"), "x; => x,");
	CHECK_STR(diff("(;", "(,"), "-");
	/* too big to be one replacement */
	CHECK_STR(diff("a b c d e f g h i j", "k l m n o p q r s t"), "-");
}

static int change(struct editpat_tracker *t, struct editpat *e, size_t line, const char *b,
		  const char *a)
{
	return editpat_change(t, e, line, b, strlen(b), a, strlen(a));
}

TEST(test_tracker_keystrokes)
{
	struct editpat_tracker *t = editpat_tracker_new();
	struct editpat e = {0};

	/* select "foo", type "bar" one key at a time */
	CHECK_INT(change(t, &e, 3, "x = foo;", "x = b;"), 0);
	CHECK_INT(change(t, &e, 3, "x = b;", "x = ba;"), 0);
	CHECK_INT(change(t, &e, 3, "x = ba;", "x = bar;"), 0);
	CHECK_INT(editpat_flush(t, &e), 1);
	CHECK_STR(e.before, "foo");
	CHECK_STR(e.after, "bar");
	CHECK_INT(e.line, 3);
	editpat_dispose(&e);
	CHECK_INT(editpat_flush(t, &e), 0); /* nothing pending any more */

	/* typing a new word on a line is not a replacement */
	change(t, &e, 5, "p = ;", "p = m");
	change(t, &e, 5, "p = m", "p = ma");
	change(t, &e, 5, "p = ma", "p = mal");
	CHECK_INT(editpat_flush(t, &e), 0);

	/* moving to another line closes the edit on the first */
	change(t, &e, 1, "p = malloc(n);", "p = xmalloc(n);");
	CHECK_INT(change(t, &e, 9, "int a;", "int ab;"), 1);
	CHECK_STR(e.before, "malloc");
	CHECK_STR(e.after, "xmalloc");
	CHECK_INT(e.line, 1);
	editpat_dispose(&e);
	CHECK_INT(editpat_flush(t, &e), 0); /* a -> ab: typing */

	/* a change that does not continue from what we saw starts afresh */
	change(t, &e, 2, "one two", "one three");
	change(t, &e, 2, "zzz two", "zzz two");
	CHECK_INT(editpat_flush(t, &e), 0);
	editpat_tracker_free(t);
}

TEST(test_own_edits)
{
	struct editpat_tracker *t = editpat_tracker_new();
	struct editpat e = {0};
	size_t n;
	char *exp = editpat_apply_fix("  strcpy(a, b);", 15, 2, 9, "str_copy(", &n);

	CHECK_STR(exp, "  str_copy(a, b);");
	CHECK_INT(n, 17);
	/* eglot: the command (accept) first, the change afterwards */
	editpat_own_edit(t, 4, exp, n);
	CHECK_INT(change(t, &e, 4, "  strcpy(a, b);", "  str_copy(a, b);"), 0);
	CHECK_INT(editpat_flush(t, &e), 0);
	/* Neovim: a minimal diff first, in two steps, then the command */
	change(t, &e, 4, "  strcpy(a, b);", "  str(a, b);");
	change(t, &e, 4, "  str(a, b);", "  str_copy(a, b);");
	editpat_own_edit(t, 4, exp, n);
	CHECK_INT(editpat_flush(t, &e), 0);
	/* the same change by hand is journalled */
	change(t, &e, 4, "  strcpy(a, b);", "  str_copy(a, b);");
	CHECK_INT(editpat_flush(t, &e), 1);
	editpat_dispose(&e);
	free(exp);
	exp = editpat_apply_fix("abc", 3, 1, 2, NULL, &n);
	CHECK_STR(exp, "ac");
	free(exp);
	editpat_tracker_free(t);
}

int main(void)
{
	RUN(test_diff);
	RUN(test_tracker_keystrokes);
	RUN(test_own_edits);
	CHECK_MAIN_END();
}
