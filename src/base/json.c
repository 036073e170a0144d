/* json: a validating layer over jsmn, string decoding and escaping; the
 * writer is jw.c. */
#undef JSMN_HEADER
#define JSMN_STATIC /* jsmn is this file's own: nothing else calls it */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include "kairos/json.h"
#include "kairos/err.h"
#include "kairos/text.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool valid_number(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		return false;
	if (s[i] == '0') {
		i++;
	} else if (s[i] >= '1' && s[i] <= '9') {
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	} else {
		return false;
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

/* s, n is the literal lit */
#define IS_LIT(s, n, lit) ((n) == STRLEN_LIT(lit) && !memcmp((s), lit, STRLEN_LIT(lit)))

static bool valid_primitive(const char *s, size_t n)
{
	if (IS_LIT(s, n, "true") || IS_LIT(s, n, "false") || IS_LIT(s, n, "null"))
		return true;
	return valid_number(s, n);
}

/* Escapes well-formed, no raw control characters, UTF-8 valid. */
static bool valid_string(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++i >= n)
				return false;
			switch (s[i]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				break;
			case 'u':
				if (i + 4 >= n)
					return false;
				for (int k = 1; k <= 4; k++)
					if (hexval(s[i + k]) < 0)
						return false;
				i += 4;
				break;
			default:
				return false;
			}
		}
	}
	return text_utf8_valid(s, n);
}

static size_t raw_start(const jsmntok_t *t)
{
	return (size_t)t->start - (t->type == JSMN_STRING ? 1 : 0);
}

static size_t raw_end(const jsmntok_t *t)
{
	return (size_t)t->end + (t->type == JSMN_STRING ? 1 : 0);
}

/* The bytes in src[a..b) are white space around exactly `want` separators
 * of kind sep (0 or 1). */
static bool gap_ok(const char *src, size_t a, size_t b, char sep, int want)
{
	int seen = 0;
	for (size_t k = a; k < b; k++) {
		if (is_ws(src[k]))
			continue;
		if (src[k] != sep || ++seen > want)
			return false;
	}
	return seen == want;
}

/* jsmn accepts "[1 2]" and "[1,]": check every separator. */
static int check_separators(const struct json *j)
{
	for (int i = 0; i < j->ntok; i++) {
		const jsmntok_t *t = &j->tok[i];
		size_t prev_end;
		int c, m;

		if (t->type != JSMN_OBJECT && t->type != JSMN_ARRAY)
			continue;
		prev_end = (size_t)t->start + 1;
		c = i + 1;
		for (m = 0; m < t->size; m++) {
			if (c >= j->ntok)
				return kr_errc(KR_EINVAL, "malformed JSON container");
			if (!gap_ok(j->src, prev_end, raw_start(&j->tok[c]), ',', m ? 1 : 0))
				return kr_errc(KR_EINVAL, "misplaced separator at byte %zu", prev_end);
			if (t->type == JSMN_OBJECT) {
				int v = c + 1;
				if (v >= j->ntok ||
				    !gap_ok(j->src, raw_end(&j->tok[c]), raw_start(&j->tok[v]), ':', 1))
					return kr_errc(KR_EINVAL, "malformed object member at byte %d",
						       j->tok[c].start);
				c = v;
			}
			prev_end = raw_end(&j->tok[c]);
			if (j->tok[c].type == JSMN_OBJECT || j->tok[c].type == JSMN_ARRAY)
				prev_end = (size_t)j->tok[c].end;
			c = json_skip(j, c);
		}
		if (!gap_ok(j->src, prev_end, (size_t)t->end - 1, ',', 0))
			return kr_errc(KR_EINVAL, "misplaced separator at byte %zu", prev_end);
	}
	return 0;
}

static int validate(struct json *j)
{
	int *depth = NULL;
	int rc = 0;
	size_t end;

	if (j->ntok <= 0)
		return kr_errc(KR_EINVAL, "empty JSON text");
	depth = calloc((size_t)j->ntok, sizeof(int));
	if (!depth)
		return kr_errc(KR_ENOMEM, "out of memory validating JSON");
	for (int i = 0; i < j->ntok; i++) {
		jsmntok_t *t = &j->tok[i];
		const char *s = j->src + t->start;
		size_t n = (size_t)(t->end - t->start);

		if (t->parent >= 0) {
			depth[i] = depth[t->parent] + 1;
			if (depth[i] > JSON_MAX_DEPTH * 2) {
				rc = kr_errc(KR_EINVAL, "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
				goto out;
			}
		} else if (i > 0) {
			rc = kr_errc(KR_EINVAL, "more than one JSON value");
			goto out;
		}
		switch (t->type) {
		case JSMN_PRIMITIVE:
			if (!valid_primitive(s, n)) {
				rc = kr_errc(KR_EINVAL, "invalid JSON literal at byte %d", t->start);
				goto out;
			}
			break;
		case JSMN_STRING:
			if (!valid_string(s, n)) {
				rc = kr_errc(KR_EINVAL, "invalid JSON string at byte %d", t->start);
				goto out;
			}
			if (t->parent >= 0 && j->tok[t->parent].type == JSMN_OBJECT && t->size != 1) {
				rc = kr_errc(KR_EINVAL, "object key without a value at byte %d", t->start);
				goto out;
			}
			break;
		case JSMN_OBJECT:
		case JSMN_ARRAY:
			break;
		default:
			rc = kr_errc(KR_EINVAL, "invalid JSON token");
			goto out;
		}
		/* keys must be strings; jsmn's strict mode checks most of this */
		if (t->parent >= 0 && j->tok[t->parent].type == JSMN_OBJECT && t->type != JSMN_STRING) {
			rc = kr_errc(KR_EINVAL, "object key is not a string at byte %d", t->start);
			goto out;
		}
		if (t->type == JSMN_STRING && t->size > 1) {
			rc = kr_errc(KR_EINVAL, "malformed object at byte %d", t->start);
			goto out;
		}
	}
	/* only white space after the first value */
	end = (size_t)j->tok[0].end + (j->tok[0].type == JSMN_STRING ? 1 : 0);
	for (size_t k = end; k < j->len; k++)
		if (!is_ws(j->src[k])) {
			rc = kr_errc(KR_EINVAL, "trailing characters after JSON value");
			goto out;
		}
	for (size_t k = 0; k < (size_t)j->tok[0].start - (j->tok[0].type == JSMN_STRING ? 1 : 0); k++)
		if (!is_ws(j->src[k])) {
			rc = kr_errc(KR_EINVAL, "leading characters before JSON value");
			goto out;
		}
	rc = check_separators(j);
out:
	free(depth);
	return rc;
}

int json_parse(struct json *out, const char *src, size_t len)
{
	jsmn_parser p;
	unsigned int cap = 64;
	int r;

	memset(out, 0, sizeof(*out));
	out->src = src;
	out->len = len;
	if (memchr(src, '\0', len))
		return kr_errc(KR_EINVAL, "NUL byte in JSON text");
	if (len > INT32_MAX)
		return kr_errc(KR_EINVAL, "JSON text too large");
	jsmn_init(&p);
	out->tok = malloc(cap * sizeof(jsmntok_t));
	if (!out->tok)
		return kr_errc(KR_ENOMEM, "out of memory parsing JSON");
	for (;;) {
		r = jsmn_parse(&p, src, len, out->tok, cap);
		if (r != JSMN_ERROR_NOMEM)
			break;
		if (cap > (1u << 26))
			return kr_errc(KR_ENOMEM, "JSON text has too many tokens");
		jsmntok_t *t = realloc(out->tok, (size_t)cap * 2 * sizeof(jsmntok_t));
		if (!t)
			return kr_errc(KR_ENOMEM, "out of memory parsing JSON");
		out->tok = t;
		cap *= 2;
	}
	if (r == JSMN_ERROR_PART) {
		/* jsmn's strict mode wants a delimiter after a primitive, so a
		 * top-level 42 or null looks unfinished: take it as one token */
		size_t a = 0, b = len;
		while (a < b && is_ws(src[a]))
			a++;
		while (b > a && is_ws(src[b - 1]))
			b--;
		if (b > a && valid_primitive(src + a, b - a)) {
			out->tok[0] = (jsmntok_t){.type = JSMN_PRIMITIVE, .start = (int)a, .end = (int)b,
						  .size = 0, .parent = -1};
			out->ntok = 1;
			return 0;
		}
		return kr_errc(KR_EINVAL, "JSON text ends early");
	}
	if (r < 0)
		return kr_errc(KR_EINVAL, "invalid JSON at byte %u", p.pos);
	out->ntok = r;
	return validate(out);
}

void json_dispose(struct json *j)
{
	free(j->tok);
	j->tok = NULL;
	j->ntok = 0;
}

enum json_type json_type(const struct json *j, int i)
{
	if (i < 0 || i >= j->ntok)
		return JSON_NONE;
	switch (j->tok[i].type) {
	case JSMN_OBJECT:
		return JSON_OBJECT;
	case JSMN_ARRAY:
		return JSON_ARRAY;
	case JSMN_STRING:
		return JSON_STRING;
	case JSMN_PRIMITIVE:
		switch (j->src[j->tok[i].start]) {
		case 't':
			return JSON_TRUE;
		case 'f':
			return JSON_FALSE;
		case 'n':
			return JSON_NULL;
		default:
			return JSON_NUMBER;
		}
	default:
		return JSON_NONE;
	}
}

int json_skip(const struct json *j, int i)
{
	int k = i + 1;
	if (i < 0 || i >= j->ntok)
		return j->ntok;
	while (k < j->ntok && j->tok[k].start < j->tok[i].end)
		k++;
	return k;
}

int json_get(const struct json *j, int obj, const char *key)
{
	int k;
	if (json_type(j, obj) != JSON_OBJECT)
		return -1;
	k = obj + 1;
	for (int m = 0; m < j->tok[obj].size && k + 1 < j->ntok; m++) {
		if (json_streq(j, k, key))
			return k + 1;
		k = json_skip(j, k + 1);
	}
	return -1;
}

int json_path(const struct json *j, int obj, const char *path)
{
	char part[128];
	const char *p = path;
	int cur = obj;

	while (cur >= 0 && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(part))
			return -1;
		memcpy(part, p, n);
		part[n] = '\0';
		cur = json_get(j, cur, part);
		p += n + (dot ? 1 : 0);
	}
	return cur;
}

int json_len(const struct json *j, int i)
{
	enum json_type t = json_type(j, i);
	return (t == JSON_OBJECT || t == JSON_ARRAY) ? j->tok[i].size : 0;
}

int json_first(const struct json *j, int arr)
{
	if (json_type(j, arr) != JSON_ARRAY || j->tok[arr].size == 0)
		return -1;
	return arr + 1;
}

int json_next(const struct json *j, int arr, int e)
{
	int n = json_skip(j, e);
	if (n < j->ntok && j->tok[n].start < j->tok[arr].end)
		return n;
	return -1;
}

int json_at(const struct json *j, int arr, int k)
{
	int e = json_first(j, arr);
	while (e >= 0 && k-- > 0)
		e = json_next(j, arr, e);
	return e;
}

static int put_cp(struct buf *out, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return buf_append(out, u, n);
}

static uint32_t hex4(const char *s)
{
	uint32_t v = 0;
	for (int k = 0; k < 4; k++)
		v = v * 16 + (uint32_t)hexval(s[k]);
	return v;
}

int json_str(const struct json *j, int i, struct buf *out)
{
	const char *s;
	size_t n, k, run;
	int rc = 0;

	if (json_type(j, i) != JSON_STRING)
		return kr_errc(KR_EINVAL, "expected a string");
	s = j->src + j->tok[i].start;
	n = (size_t)(j->tok[i].end - j->tok[i].start);
	for (k = 0; k < n && !rc;) {
		run = k;
		while (run < n && s[run] != '\\')
			run++;
		if (run > k) {
			rc = buf_append(out, s + k, run - k);
			k = run;
			continue;
		}
		k++; /* the backslash */
		switch (s[k]) {
		case 'b': rc = buf_putc(out, '\b'); k++; break;
		case 'f': rc = buf_putc(out, '\f'); k++; break;
		case 'n': rc = buf_putc(out, '\n'); k++; break;
		case 'r': rc = buf_putc(out, '\r'); k++; break;
		case 't': rc = buf_putc(out, '\t'); k++; break;
		case 'u': {
			uint32_t cp = hex4(s + k + 1);
			k += 5;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (k + 6 <= n && s[k] == '\\' && s[k + 1] == 'u') {
					uint32_t lo = hex4(s + k + 2);
					if (lo >= 0xDC00 && lo <= 0xDFFF) {
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						k += 6;
					} else {
						cp = 0xFFFD;
					}
				} else {
					cp = 0xFFFD;
				}
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				cp = 0xFFFD;
			}
			rc = put_cp(out, cp);
			break;
		}
		default: /* " \ / */
			rc = buf_putc(out, s[k]);
			k++;
			break;
		}
	}
	return rc;
}

/* Unescaping never lengthens a string: its token's length caps it. */
static size_t str_max(const struct json *j, int i)
{
	return (size_t)(j->tok[i].end - j->tok[i].start) + 1;
}

char *json_strdup(const struct json *j, int i)
{
	struct buf b;
	if (json_type(j, i) != JSON_STRING)
		return NULL;
	buf_init(&b, str_max(j, i));
	if (json_str(j, i, &b)) {
		buf_dispose(&b);
		return NULL;
	}
	return buf_detach(&b);
}

bool json_streq(const struct json *j, int i, const char *s)
{
	size_t n, sl = strlen(s);
	const char *p;
	struct buf b;
	bool eq;

	if (json_type(j, i) != JSON_STRING)
		return false;
	p = j->src + j->tok[i].start;
	n = (size_t)(j->tok[i].end - j->tok[i].start);
	if (!memchr(p, '\\', n))
		return n == sl && !memcmp(p, s, n);
	buf_init(&b, str_max(j, i));
	if (json_str(j, i, &b)) {
		buf_dispose(&b);
		return false;
	}
	eq = b.len == sl && !memcmp(buf_cstr(&b), s, sl);
	buf_dispose(&b);
	return eq;
}

int json_double(const struct json *j, int i, double *out)
{
	char tmp[64];
	size_t n;
	if (json_type(j, i) != JSON_NUMBER)
		return kr_errc(KR_EINVAL, "expected a number");
	n = (size_t)(j->tok[i].end - j->tok[i].start);
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, j->src + j->tok[i].start, n);
	tmp[n] = '\0';
	*out = strtod(tmp, NULL);
	return 0;
}

int json_int(const struct json *j, int i, long long *out)
{
	char tmp[64];
	size_t n;
	char *end;
	long long v;

	if (json_type(j, i) != JSON_NUMBER)
		return kr_errc(KR_EINVAL, "expected a number");
	n = (size_t)(j->tok[i].end - j->tok[i].start);
	if (n >= sizeof(tmp))
		return kr_errc(KR_EINVAL, "number out of range");
	memcpy(tmp, j->src + j->tok[i].start, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (*end != '\0') {
		/* 1.0 or 1e3: accept when integral */
		double d = strtod(tmp, NULL);
		if (!isfinite(d) || d != floor(d) || d > 9.2e18 || d < -9.2e18)
			return kr_errc(KR_EINVAL, "expected an integer");
		v = (long long)d;
	} else if (errno == ERANGE) {
		return kr_errc(KR_EINVAL, "integer out of range");
	}
	*out = v;
	return 0;
}

int json_bool(const struct json *j, int i)
{
	switch (json_type(j, i)) {
	case JSON_TRUE:
		return 1;
	case JSON_FALSE:
		return 0;
	default:
		return KR_EINVAL;
	}
}

const char *json_raw(const struct json *j, int i, size_t *len)
{
	int s, e;
	if (i < 0 || i >= j->ntok) {
		*len = 0;
		return "";
	}
	s = j->tok[i].start;
	e = j->tok[i].end;
	if (j->tok[i].type == JSMN_STRING) {
		s--;
		e++;
	}
	*len = (size_t)(e - s);
	return j->src + s;
}

long long json_get_int(const struct json *j, int obj, const char *path, long long dflt)
{
	long long v;
	if (json_int(j, json_path(j, obj, path), &v))
		return dflt;
	return v;
}

bool json_get_bool(const struct json *j, int obj, const char *path, bool dflt)
{
	int v = json_bool(j, json_path(j, obj, path));
	return v < 0 ? dflt : v == 1;
}

char *json_get_str(const struct json *j, int obj, const char *path)
{
	return json_strdup(j, json_path(j, obj, path));
}

int json_escape(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run;
	int rc = buf_putc(out, '"');

	while (!rc && i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			run = i;
			while (run < n) {
				unsigned char d = (unsigned char)s[run];
				if (d < 0x20 || d == '"' || d == '\\' || d >= 0x80)
					break;
				run++;
			}
			rc = buf_append(out, s + i, run - i);
			i = run;
			continue;
		}
		if (c >= 0x80) {
			size_t l = text_utf8_seqlen(s + i, n - i);
			if (l == 0) {
				rc = buf_puts(out, "\\ufffd");
				i++;
			} else {
				rc = buf_append(out, s + i, l);
				i += l;
			}
			continue;
		}
		switch (c) {
		case '"': rc = buf_puts(out, "\\\""); break;
		case '\\': rc = buf_puts(out, "\\\\"); break;
		case '\n': rc = buf_puts(out, "\\n"); break;
		case '\r': rc = buf_puts(out, "\\r"); break;
		case '\t': rc = buf_puts(out, "\\t"); break;
		case '\b': rc = buf_puts(out, "\\b"); break;
		case '\f': rc = buf_puts(out, "\\f"); break;
		default: {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			rc = buf_append(out, e, sizeof(e));
		}
		}
		i++;
	}
	if (!rc)
		rc = buf_putc(out, '"');
	return rc;
}
