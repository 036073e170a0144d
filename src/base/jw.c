/* jw: the JSON writer (jw.h): values appended to a capped buffer, with
 * the nesting checked; its first failure fails the buffer too, so one
 * buf_err() at the end tells a sender the JSON is whole. */
#include "kairos/jw.h"
#include "kairos/err.h"
#include "kairos/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void jw_init(struct jw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
	w->first[0] = true;
	w->err = buf_err(b); /* a buffer that failed already */
}

/* The writer's own errors make its buffer fail too, so that whoever
 * sends the buffer needs only buf_err() to know the JSON is whole. */
static void writer_fail(struct jw *w, int rc)
{
	w->err = rc;
	buf_fail(w->b, rc);
}

static void pre_value(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth] && !w->err)
		w->err = buf_putc(w->b, ',');
	w->first[w->depth] = false;
}

static void open(struct jw *w, char c)
{
	pre_value(w);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		writer_fail(w, kr_errc(KR_EINVAL, "JSON writer nested too deep"));
		return;
	}
	if (!w->err)
		w->err = buf_putc(w->b, c);
	w->depth++;
	w->first[w->depth] = true;
	w->close[w->depth] = c == '{' ? '}' : ']';
}

void jw_obj(struct jw *w)
{
	open(w, '{');
}

void jw_arr(struct jw *w)
{
	open(w, '[');
}

void jw_end(struct jw *w)
{
	if (w->depth <= 0) {
		writer_fail(w, kr_errc(KR_EINVAL, "JSON writer: end without begin"));
		return;
	}
	if (!w->err)
		w->err = buf_putc(w->b, w->close[w->depth]);
	w->depth--;
}

void jw_key(struct jw *w, const char *key)
{
	pre_value(w);
	if (!w->err)
		w->err = json_escape(w->b, key, strlen(key));
	if (!w->err)
		w->err = buf_putc(w->b, ':');
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	pre_value(w);
	if (!w->err)
		w->err = json_escape(w->b, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, long long v)
{
	pre_value(w);
	if (!w->err)
		w->err = buf_printf(w->b, "%lld", v);
}

void jw_double(struct jw *w, double v)
{
	pre_value(w);
	if (!w->err)
		w->err = isfinite(v) ? buf_printf(w->b, "%.17g", v) : buf_puts(w->b, "null");
}

void jw_bool(struct jw *w, bool v)
{
	pre_value(w);
	if (!w->err)
		w->err = buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	pre_value(w);
	if (!w->err)
		w->err = buf_puts(w->b, "null");
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
	pre_value(w);
	if (!w->err)
		w->err = buf_append(w->b, json, n);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *key, long long v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}
