/* dream_dates: relative dates in descriptions and bodies ("yesterday", "this morning",
 * "last week", "3 days ago", "last Monday", ...) become the ISO date
 * (YYYY-MM-DD) they meant, computed from the memory's `created` in UTC.
 * Nothing else in the sentence changes; inline code and fenced code
 * blocks are never touched. `updated` is left as it was: the memory says
 * the same thing. */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum unit { U_DAY, U_MONTH, U_YEAR, U_WEEKDAY };

struct phrase {
	const char *text; /* lower case; "#" stands for a count */
	enum unit unit;
	int n;            /* how many units back (U_WEEKDAY: the weekday 0=Sunday) */
};

/* longest first where one is a prefix of another */
static const struct phrase phrases[] = {
	{"the day before yesterday", U_DAY, 2},
	{"yesterday", U_DAY, 1},
	{"today", U_DAY, 0},
	{"this morning", U_DAY, 0},
	{"this afternoon", U_DAY, 0},
	{"this evening", U_DAY, 0},
	{"tonight", U_DAY, 0},
	{"last night", U_DAY, 1},
	{"last week", U_DAY, 7},
	{"a week ago", U_DAY, 7},
	{"last month", U_MONTH, 1},
	{"a month ago", U_MONTH, 1},
	{"last year", U_YEAR, 1},
	{"a year ago", U_YEAR, 1},
	{"# days ago", U_DAY, 1},
	{"# weeks ago", U_DAY, 7},
	{"# months ago", U_MONTH, 1},
	{"# years ago", U_YEAR, 1},
	{"last sunday", U_WEEKDAY, 0},
	{"last monday", U_WEEKDAY, 1},
	{"last tuesday", U_WEEKDAY, 2},
	{"last wednesday", U_WEEKDAY, 3},
	{"last thursday", U_WEEKDAY, 4},
	{"last friday", U_WEEKDAY, 5},
	{"last saturday", U_WEEKDAY, 6},
};

static const char *const count_words[] = {"zero", "one", "two", "three", "four", "five", "six",
					  "seven", "eight", "nine", "ten", "eleven", "twelve"};

static bool alnum_at(const char *s, size_t n, size_t i)
{
	return i < n && (isalnum((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80 || s[i] == '_');
}

/* A count at s: digits (1..999) or a word; its length, value in *v. */
static size_t count_at(const char *s, size_t n, int *v)
{
	size_t i = 0;
	if (n && isdigit((unsigned char)s[0])) {
		*v = 0;
		while (i < n && i < 3 && isdigit((unsigned char)s[i]))
			*v = *v * 10 + (s[i++] - '0');
		return alnum_at(s, n, i) ? 0 : i;
	}
	for (size_t k = 1; k < ARRAY_LEN(count_words); k++) {
		size_t l = strlen(count_words[k]);
		if (l <= n && !strncasecmp(s, count_words[k], l) && !alnum_at(s, n, l)) {
			*v = (int)k;
			return l;
		}
	}
	return 0;
}

/* Does phrase p match at s[i..n) (word boundaries)? Its length, count in *cnt. */
static size_t match(const char *s, size_t n, size_t i, const struct phrase *p, int *cnt)
{
	size_t j = i;
	*cnt = 1;
	if (i > 0 && alnum_at(s, n, i - 1))
		return 0;
	for (const char *q = p->text; *q; q++) {
		if (*q == '#') {
			size_t l = count_at(s + j, n - j, cnt);
			if (!l)
				return 0;
			j += l;
			continue;
		}
		if (j >= n)
			return 0;
		if (*q == ' ') {
			if (s[j] != ' ')
				return 0;
			j++;
			continue;
		}
		if (tolower((unsigned char)s[j]) != *q)
			return 0;
		j++;
	}
	if (alnum_at(s, n, j))
		return 0;
	return j - i;
}

static void date_of(int64_t created, const struct phrase *p, int cnt, char out[32])
{
	time_t t = (time_t)created;
	struct tm tm;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	gmtime_r(&t, &tm);
	switch (p->unit) {
	case U_DAY:
		t -= (time_t)p->n * cnt * 86400;
		gmtime_r(&t, &tm);
		break;
	case U_WEEKDAY: {
		int back = (tm.tm_wday - p->n + 7) % 7;
		t -= (time_t)(back ? back : 7) * 86400;
		gmtime_r(&t, &tm);
		break;
	}
	case U_MONTH:
	case U_YEAR: {
		int months = p->unit == U_MONTH ? cnt : 12 * cnt;
		int y = tm.tm_year + 1900, m = tm.tm_mon - months, md;
		while (m < 0) {
			m += 12;
			y--;
		}
		md = mdays[m] + (m == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
		tm.tm_year = y - 1900;
		tm.tm_mon = m;
		if (tm.tm_mday > md)
			tm.tm_mday = md;
		break;
	}
	}
	snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* One line outside fenced code: phrases rewritten outside inline code. */
static void fix_line(const char *s, size_t n, int64_t created, struct buf *out, int *count,
		     struct buf *why)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] == '`') {
			size_t run, j = dream_text_code_span(s, n, i, &run);
			if (j < n) { /* a code span: copied as it is */
				buf_append(out, s + i, j + run - i);
				i = j + run;
			} else {
				buf_append(out, s + i, run);
				i += run;
			}
			continue;
		}
		/* phrases start at a word start only */
		for (size_t k = 0; (i == 0 || !alnum_at(s, n, i - 1)) && alnum_at(s, n, i) &&
				   k < ARRAY_LEN(phrases); k++) {
			int cnt;
			size_t l = match(s, n, i, &phrases[k], &cnt);
			char d[32];
			if (!l)
				continue;
			date_of(created, &phrases[k], cnt, d);
			buf_puts(out, d);
			if (why->len)
				buf_puts(why, "; ");
			buf_printf(why, "\"%.*s\" -> %s", (int)l, s + i, d);
			(*count)++;
			i += l;
			goto next;
		}
		buf_putc(out, s[i++]);
next:;
	}
}

int dream_dates_fix(char **out_body, const char *body, int64_t created, int *count,
		    struct buf *why)
{
	struct buf out = BUF_INIT_CAP(BUF_CAP_MEMFILE); /* as it can be read back */
	const char *p = body;
	bool in_fence = false;
	int before = *count, rc;

	*out_body = NULL;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (dream_text_fence_line(p, n)) {
			in_fence = !in_fence;
			buf_append(&out, p, n);
		} else if (in_fence) {
			buf_append(&out, p, n);
		} else {
			fix_line(p, n, created, &out, count, why);
		}
		if (e)
			buf_putc(&out, '\n');
		p += n + (e ? 1 : 0);
	}
	if ((rc = buf_err(&out))) {
		*count = before;
		return rc;
	}
	if (*count != before)
		*out_body = buf_detach(&out);
	buf_dispose(&out);
	return 0;
}

/* A description's limit (memory-format.md "A memory file"). */
#define DESCRIPTION_MAX 150

/* Characters of UTF-8 text (the description's limit counts them). */
static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int dream_dates(struct dream_snap *s)
{
	for (size_t i = 0; i < s->mems.n; i++) {
		struct mem *m = s->mems.v[i];
		struct buf why = BUF_INIT_CAP(BUF_CAP_LINE); /* the phrases replaced */
		int cnt = 0, dcnt = 0;
		int64_t base = m->created_ts ? m->created_ts : m->mtime;
		char *nb = NULL, *nd = NULL;

		if (s->it[i].state != DS_ACTIVE || s->it[i].stale || s->it[i].is_new || !base)
			continue;
		if ((i & 1023) == 0 && dream_snap_cancelled(s))
			return KR_ECANCEL;
		/* the description too: the index shows the absolute date */
		if (m->description && dream_dates_fix(&nd, m->description, base, &dcnt, &why))
			dream_report_problem(s->rep, m, "dates not fixed: %s", kr_errmsg());
		if (nd && utf8_chars(nd) > DESCRIPTION_MAX) {
			dream_report_problem(s->rep, m, "dates not fixed in the description: it would pass "
				"%d characters", DESCRIPTION_MAX);
			free(nd);
			nd = NULL;
			dcnt = 0;
			buf_reset(&why);
		}
		if (m->body && dream_dates_fix(&nb, m->body, base, &cnt, &why))
			dream_report_problem(s->rep, m, "dates not fixed: %s", kr_errmsg());
		if (nd) {
			free(m->description);
			m->description = nd;
		}
		if (nb) {
			free(m->body);
			m->body = nb;
		}
		if (nd || nb) {
			s->it[i].dirty = true;
			s->rep->dates_fixed += cnt + dcnt;
			dream_report_action(s->rep, DREAM_OP_DATE, m->name, NULL,
					    buf_err(&why) ? "too many phrases to list" : buf_cstr(&why));
		}
		buf_dispose(&why);
	}
	return 0;
}
