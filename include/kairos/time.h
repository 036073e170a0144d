/* time: RFC 3339 timestamps as the memory format writes them
 * (memory-format.md "Dates"): parsed to seconds since the epoch, written
 * as UTC with a Z. */
#ifndef KAIROS_TIME_H
#define KAIROS_TIME_H

#include <stdint.h>

/* What time_parse_kind found. */
enum time_kind {
	TIME_DATE = 1, /* a bare date, "2026-03-02" (midnight UTC) */
	TIME_ZULU = 2, /* a date-time ending in Z */
};

/* A formatted time: "2026-03-02T10:15:00Z" and its NUL. */
#define TIME_FORMAT_LEN 32

/* Parses "2026-03-02T10:15:00Z" (also a bare date, fractions of a
 * second, and offsets) to epoch seconds. KR_EINVAL with a message naming
 * s when it is not one. */
int time_parse(const char *s, int64_t *out);
/* Same without a message; *kind is a set of enum time_kind (0 for a
 * date-time with an offset). */
int time_parse_kind(const char *s, int64_t *out, int *kind);
/* t as UTC with Z, "1970-01-01T00:00:00Z" when it cannot be shown. */
void time_format(int64_t t, char out[TIME_FORMAT_LEN]);

#endif
