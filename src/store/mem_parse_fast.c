/* mem_parse_fast: the plain style kairos writes, read line by line
 * (mem_parse_fast.h). Every form it accepts is one libyaml reads the
 * same way (tests/unit/test_memory.c compares the two on every case);
 * anything it is not sure of is MEM_FAST_OTHER, never a guess. */
#include "mem_parse_fast.h"
#include "mem_emit.h"
#include "kairos/err.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The longest value read here: a longer one is libyaml's. */
#define FAST_VALUE_MAX 1024

/* True when fm holds nothing YAML reads in a way the line reader does
 * not: control characters and tabs, a CR that does not end a line, DEL,
 * C1 controls, the line breaks NEL, LS and PS, a BOM, U+FFFE/U+FFFF. */
static bool plain_chars(const char *fm, size_t len)
{
	const unsigned char *u = (const unsigned char *)fm;

	for (size_t i = 0; i < len; i++) {
		unsigned char b = u[i];
		if (b == '\n')
			continue;
		if (b == '\r') {
			if (i + 1 < len && u[i + 1] == '\n')
				continue;
			return false;
		}
		if (b < 0x20 || b == 0x7f)
			return false;
		if (b == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			return false;
		if (b == 0xe2 && i + 2 < len && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0xa8 || u[i + 2] == 0xa9))
			return false;
		if (b == 0xef && i + 2 < len && ((u[i + 1] == 0xbb && u[i + 2] == 0xbf) ||
						 (u[i + 1] == 0xbf && u[i + 2] >= 0xbe)))
			return false;
	}
	return true;
}

/* The code point cp as UTF-8 at out; its length. */
static size_t put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A scalar being decoded into a fixed buffer. */
struct scalar {
	char v[FAST_VALUE_MAX + 8]; /* + one code point and a NUL past the limit */
	size_t n;
};

/* The double-quoted scalar at p (its opening quote) up to end: *next
 * after the closing quote. False when it is not one kairos would write
 * on one line (or the escape is one libyaml refuses). */
static bool dquoted(const char *p, const char *end, struct scalar *s, const char **next)
{
	static const char simple[] = "0abtnvfre \"/\\N_LP";
	static const char *const meaning[] = {"\0", "\a", "\b", "\t", "\n", "\v", "\f", "\r", "\x1b",
					      " ", "\"", "/", "\\", "\xc2\x85", "\xc2\xa0",
					      "\xe2\x80\xa8", "\xe2\x80\xa9"};
	s->n = 0;
	for (p++; p < end && s->n < FAST_VALUE_MAX; p++) {
		if (*p == '"') {
			*next = p + 1;
			return true;
		}
		if (*p != '\\') {
			s->v[s->n++] = *p;
			continue;
		}
		if (++p >= end)
			return false;
		const char *k = memchr(simple, *p, sizeof(simple) - 1);
		if (k) {
			const char *mv = meaning[k - simple];
			size_t ml = *p == '0' ? 1 : strlen(mv);
			memcpy(s->v + s->n, mv, ml);
			s->n += ml;
			continue;
		}
		int digits = *p == 'x' ? 2 : *p == 'u' ? 4 : *p == 'U' ? 8 : 0;
		char hex[9];
		unsigned long cp;
		if (!digits || end - p <= digits)
			return false;
		for (int d = 0; d < digits; d++)
			if (!isxdigit((unsigned char)(hex[d] = p[d + 1])))
				return false;
		hex[digits] = '\0';
		cp = strtoul(hex, NULL, 16);
		if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		s->n += put_utf8(s->v + s->n, cp);
		p += digits;
	}
	return false;
}

static bool squoted(const char *p, const char *end, struct scalar *s, const char **next)
{
	s->n = 0;
	for (p++; p < end && s->n < FAST_VALUE_MAX; p++) {
		if (*p == '\'') {
			if (p + 1 < end && p[1] == '\'') {
				s->v[s->n++] = '\'';
				p++;
				continue;
			}
			*next = p + 1;
			return true;
		}
		s->v[s->n++] = *p;
	}
	return false;
}

/* The scalar that fills [p, end): quoted, or plain when kairos would
 * write it plain (mem_emit_plain_ok: then YAML reads it as exactly that
 * string). */
static bool scalar(const char *p, const char *end, struct scalar *s)
{
	const char *next = NULL;
	size_t n = (size_t)(end - p);

	if (p < end && *p == '"')
		return dquoted(p, end, s, &next) && next == end;
	if (p < end && *p == '\'')
		return squoted(p, end, s, &next) && next == end;
	if (!n || n > FAST_VALUE_MAX)
		return false;
	memcpy(s->v, p, n);
	s->v[n] = '\0';
	s->n = n;
	return mem_emit_plain_ok(s->v);
}

/* ["a", "b"] filling [p, end), into out. */
static bool flow_list(const char *p, const char *end, struct strv *out)
{
	struct scalar s;

	if (p >= end || *p++ != '[')
		return false;
	if (p < end && *p == ']')
		return p + 1 == end;
	for (;;) {
		if (p >= end || *p != '"' || !dquoted(p, end, &s, &p))
			return false;
		s.v[s.n] = '\0';
		if (memchr(s.v, '\0', s.n))
			return false; /* libyaml's tree cuts such an item: leave it to it */
		strv_push(out, s.v);
		if (p < end && *p == ']')
			return p + 1 == end;
		if (end - p < 2 || p[0] != ',' || p[1] != ' ')
			return false;
		p += 2;
	}
}

/* One line of fm: [p, e) without its line end, the next at *next. */
static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;
	*next = nl ? nl + 1 : end;
	if (e > p && e[-1] == '\r')
		e--;
	return e;
}

/* "key: value" (value may be empty: "key:"): *key_n and *val point in
 * [p, e). False when the line does not start with a key of [a-z_]. */
static bool key_line(const char *p, const char *e, size_t *key_n, const char **val)
{
	const char *k = p;

	while (k < e && ((*k >= 'a' && *k <= 'z') || *k == '_'))
		k++;
	if (k == p || k >= e || *k != ':')
		return false;
	*key_n = (size_t)(k - p);
	if (k + 1 == e) {
		*val = e;
		return true;
	}
	if (k[1] != ' ')
		return false;
	*val = k + 2;
	return true;
}

/* The rule's lines after "rule:", from *pp: "  key: value" each. */
static int rule_block(struct mem_check *c, const char **pp, const char *end, int *line)
{
	int rule_line = *line; /* libyaml's mapping starts at its first key */
	struct mem_rule *r = NULL;
	const char *p = *pp, *next, *e, *val;
	struct scalar s;
	size_t kn;
	int rc;

	/* "rule:" alone is null in YAML (no rule): libyaml's to say */
	if (p >= end || *p != ' ')
		return MEM_FAST_OTHER;
	if ((rc = mem_check_rule_begin(c, &r, true, rule_line)))
		return rc;
	for (; p < end && *p == ' '; p = next, (*line)++) {
		e = line_end(p, end, &next);
		if (e - p < 3 || p[1] != ' ' || !key_line(p + 2, e, &kn, &val) || val == e ||
		    !scalar(val, e, &s)) {
			mem_rule_free(r);
			return MEM_FAST_OTHER;
		}
		struct mem_value v = {.kind = MEM_V_STR, .s = s.v, .n = s.n, .line = *line};
		if ((rc = mem_check_rule_key(c, r, p + 2, kn, *line, &v)))
			return rc; /* r freed */
	}
	*pp = p;
	return mem_check_rule_end(c, r, rule_line);
}

static void add_entry(struct mem_entry **v, size_t *n, size_t start, size_t end, int field)
{
	if (!v)
		return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n] = (struct mem_entry){.start = start, .vend = end, .end = end, .field = field};
	(*n)++;
}

int mem_parse_fast(struct mem_check *c, const char *fm, size_t len, struct mem_entry **entries,
		   size_t *n)
{
	const char *p = fm, *end = fm + len, *next, *e, *val;
	struct strv list = {0};
	struct scalar s;
	int line = 2, rc = 0;
	size_t kn;

	if (entries) {
		*entries = NULL;
		*n = 0;
	}
	if (!len || !plain_chars(fm, len))
		return MEM_FAST_OTHER;
	while (p < end && !rc) {
		const char *start = p;
		int f;

		e = line_end(p, end, &next);
		if (!key_line(p, e, &kn, &val) || (f = mem_field_lookup(p, kn)) < 0) {
			rc = MEM_FAST_OTHER;
			break;
		}
		if ((rc = mem_check_key(c, (enum mem_field)f, line)))
			break;
		if (f == MEM_F_RULE) {
			line++;
			if (val != e) {
				rc = MEM_FAST_OTHER;
				break;
			}
			p = next;
			rc = rule_block(c, &p, end, &line);
			add_entry(entries, n, (size_t)(start - fm), (size_t)(p - fm), f);
			continue;
		}
		if (val == e) {
			rc = MEM_FAST_OTHER;
			break;
		}
		if (*val == '[') {
			strv_dispose(&list);
			if (!flow_list(val, e, &list)) {
				rc = MEM_FAST_OTHER;
				break;
			}
			struct mem_value v = {.kind = MEM_V_LIST, .list = &list, .line = line};
			rc = mem_check_value(c, (enum mem_field)f, &v);
		} else {
			if (!scalar(val, e, &s)) {
				rc = MEM_FAST_OTHER;
				break;
			}
			struct mem_value v = {.kind = MEM_V_STR, .s = s.v, .n = s.n, .line = line};
			rc = mem_check_value(c, (enum mem_field)f, &v);
		}
		add_entry(entries, n, (size_t)(start - fm), (size_t)(next - fm), f);
		p = next;
		line++;
	}
	strv_dispose(&list);
	if (!rc)
		rc = mem_check_end(c, 2);
	if (rc && entries) {
		free(*entries);
		*entries = NULL;
		*n = 0;
	}
	return rc;
}
