/* time: RFC 3339 parsing and formatting, and their round trip. */
#include "check.h"
#include "kairos/err.h"
#include "kairos/time.h"

#include <stdint.h>

TEST(test_times)
{
	int64_t t = 0;
	char out[32];

	CHECK_INT(time_parse("1970-01-01T00:00:00Z", &t), 0);
	CHECK_INT(t, 0);
	CHECK_INT(time_parse("2000-02-29", &t), 0);
	CHECK_INT(t, 951782400);
	CHECK_INT(time_parse("2026-03-02T12:15:00+02:00", &t), 0);
	CHECK_INT(t, 1772446500);
	CHECK(time_parse("2001-02-29", &t) != 0);
	CHECK(time_parse("2026-13-01", &t) != 0);
	CHECK(time_parse("2026-03-02 10:15:00Z", &t) != 0);
	CHECK(time_parse("2026-03-02T25:00:00Z", &t) != 0);
	CHECK(time_parse("yesterday", &t) != 0);
	time_format(1772446500, out);
	CHECK_STR(out, "2026-03-02T10:15:00Z");
}

/* format -> parse gives the same second, across leap days, centuries and
 * the far side of the epoch. */
TEST(test_round_trip)
{
	static const int64_t ts[] = {
		0, 1, 59, 86399, 86400, 951782400 /* 2000-02-29 */, 951868799,
		4107542400 /* 2100-03-01 */, 1772446500, 253402300799 /* 9999-12-31T23:59:59 */,
		-1, -86400, -2208988800 /* 1900-01-01 */,
	};
	for (size_t i = 0; i < ARRAY_LEN(ts); i++) {
		char out[TIME_FORMAT_LEN];
		int64_t back = 12345;
		int kind = 0;
		time_format(ts[i], out);
		CHECK_INT(time_parse_kind(out, &back, &kind), 0);
		CHECK_INT(back, ts[i]);
		CHECK_INT(kind, TIME_ZULU);
	}
}

TEST(test_kinds)
{
	int64_t t;
	int kind;

	CHECK_INT(time_parse_kind("2026-03-02", &t, &kind), 0);
	CHECK_INT(kind, TIME_DATE);
	CHECK_INT(time_parse_kind("2026-03-02t10:15:00z", &t, &kind), 0);
	CHECK_INT(kind, TIME_ZULU);
	CHECK_INT(time_parse_kind("2026-03-02T10:15:00.250Z", &t, &kind), 0);
	CHECK_INT(t, 1772446500);
	CHECK_INT(time_parse_kind("2026-03-02T10:15:00-01:30", &t, &kind), 0);
	CHECK_INT(kind, 0);
	CHECK_INT(t, 1772446500 + 90 * 60);
	/* a leap second reads as the second before it */
	CHECK_INT(time_parse_kind("2016-12-31T23:59:60Z", &t, &kind), 0);
	CHECK_INT(t, 1483228799);
	CHECK(time_parse_kind("2026-03-02T10:15:00.Z", &t, &kind) != 0);
	CHECK(time_parse_kind("2026-03-02T10:15:00+0200", &t, &kind) != 0);
	CHECK(time_parse_kind("2026-03-02T10:15:00", &t, &kind) != 0);
	CHECK(time_parse_kind(NULL, &t, &kind) != 0);
}

/* time_parse names the text it refused; time_parse_kind is silent. */
TEST(test_messages)
{
	int64_t t;
	int kind;

	kr_err_clear();
	CHECK_INT(time_parse("soon", &t), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "'soon'") != NULL);
	kr_err_clear();
	CHECK_INT(time_parse_kind("soon", &t, &kind), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "soon") == NULL);
}

int main(void)
{
	RUN(test_times);
	RUN(test_round_trip);
	RUN(test_kinds);
	RUN(test_messages);
	CHECK_MAIN_END();
}
