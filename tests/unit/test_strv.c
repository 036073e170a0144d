/* strv: push copies, has, copy, equal, dispose. */
#include "check.h"
#include "kairos/strv.h"

#include <stdlib.h>

TEST(test_push_copies)
{
	struct strv v = {0};
	char s[] = "scope";

	strv_push(&v, s);
	s[0] = 'X';
	strv_push(&v, "refs");
	CHECK_INT(v.n, 2);
	CHECK_STR(v.v[0], "scope");
	CHECK_STR(v.v[1], "refs");
	CHECK(strv_has(&v, "refs"));
	CHECK(!strv_has(&v, "Xcope"));
	strv_dispose(&v);
	CHECK_INT(v.n, 0);
	CHECK(v.v == NULL);
	strv_dispose(&v); /* disposing an empty vector is harmless */
}

TEST(test_copy_and_equal)
{
	struct strv a = {0}, b = {0}, e = {0};

	for (int i = 0; i < 100; i++) {
		char s[16];
		snprintf(s, sizeof(s), "s%d", i);
		strv_push(&a, s);
	}
	strv_copy(&b, &a);
	CHECK(strv_equal(&a, &b));
	CHECK(a.v[7] != b.v[7]);
	free(b.v[99]);
	b.v[99] = strdup("other");
	CHECK(!strv_equal(&a, &b));
	b.n--; /* the changed string is not compared; the lengths differ */
	CHECK(!strv_equal(&a, &b));
	b.n++;
	CHECK(strv_equal(&e, &e));
	CHECK(!strv_equal(&a, &e));
	strv_dispose(&a);
	strv_dispose(&b);
}

int main(void)
{
	RUN(test_push_copies);
	RUN(test_copy_and_equal);
	CHECK_MAIN_END();
}
