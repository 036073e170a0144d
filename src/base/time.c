/* time: RFC 3339 parsing and formatting without the C library's locale
 * or time zone (the civil-date arithmetic is Howard Hinnant's). */
#include "kairos/time.h"
#include "kairos/err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int time_parse_kind(const char *s, int64_t *out, int *kind)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, se = 0, off = 0;
	size_t n = s ? strlen(s) : 0;
	const char *p;

	*kind = 0;
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return KR_EINVAL;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return KR_EINVAL;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return KR_EINVAL;
	if (n == 10) {
		*kind = TIME_DATE;
		goto done;
	}
	if (n < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return KR_EINVAL;
	h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return KR_EINVAL;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return KR_EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		*kind = TIME_ZULU;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return KR_EINVAL;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
	} else {
		return KR_EINVAL;
	}
	if (se == 60)
		se = 59;
done:
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
	return 0;
}

int time_parse(const char *s, int64_t *out)
{
	int kind;
	if (time_parse_kind(s, out, &kind))
		return kr_errc(KR_EINVAL, "'%s' is not an RFC 3339 date or time", s ? s : "");
	return 0;
}

void time_format(int64_t t, char out[TIME_FORMAT_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, TIME_FORMAT_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, TIME_FORMAT_LEN, "1970-01-01T00:00:00Z");
}
