/* check: a tiny test harness. Each test file defines tests with TEST()
 * and lists them in a RUN_TESTS() main. Every run prints one line per
 * failed check and a closing "N passed, M failed" line. */
#ifndef KAIROS_CHECK_H
#define KAIROS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_here;
static int check_passed, check_failed;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			check_failed_here = 1;                                        \
		}                                                                     \
	} while (0)

#define CHECK_STR(a, b)                                                                \
	do {                                                                           \
		const char *check_a_ = (a), *check_b_ = (b);                            \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_)) {            \
			fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\" (%s)\n", __FILE__, \
				__LINE__, check_b_ ? check_b_ : "(null)",              \
				check_a_ ? check_a_ : "(null)", #a);                    \
			check_failed_here = 1;                                         \
		}                                                                      \
	} while (0)

#define CHECK_INT(a, b)                                                                  \
	do {                                                                             \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);            \
		if (check_a_ != check_b_) {                                              \
			fprintf(stderr, "%s:%d: expected %lld, got %lld (%s)\n", __FILE__, __LINE__, \
				check_b_, check_a_, #a);                                  \
			check_failed_here = 1;                                           \
		}                                                                        \
	} while (0)

#define TEST(name) static void name(void)

static inline void check_run(const char *name, void (*fn)(void))
{
	check_failed_here = 0;
	fn();
	if (check_failed_here) {
		check_failed++;
		fprintf(stderr, "FAIL %s\n", name);
	} else {
		check_passed++;
	}
}

#define RUN(fn) check_run(#fn, fn)

#define CHECK_MAIN_END()                                                      \
	do {                                                                  \
		printf("%d passed, %d failed\n", check_passed, check_failed); \
		return check_failed ? 1 : 0;                                  \
	} while (0)

#endif
