/* buf: growable, capped byte buffers whose first failure sticks. */
#include "kairos/buf.h"
#include "kairos/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* what b->err means */
enum { WHY_CAP = 1, WHY_OOM, WHY_FORMAT, WHY_WRITER };

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static size_t cap_of(const struct buf *b)
{
	/* room for the NUL and the doubling arithmetic */
	return b->max < SIZE_MAX / 2 ? b->max : SIZE_MAX / 2;
}

/* Sets the message of b's error and returns it. */
static int say(const struct buf *b)
{
	switch (b->why) {
	case WHY_CAP: return kr_errc(b->err, "buffer over its cap of %zu bytes", cap_of(b));
	case WHY_OOM: return kr_errc(b->err, "out of memory growing a buffer");
	case WHY_FORMAT: return kr_errc(b->err, "bad format string");
	default: return kr_errc(b->err, "an earlier write into this buffer failed");
	}
}

/* The first failure: frees the data, keeps the cap, records why. */
static void stick(struct buf *b, int code, unsigned char why)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = code;
	b->why = why;
}

int buf_err(const struct buf *b)
{
	return b->err ? say(b) : 0;
}

void buf_fail(struct buf *b, int code)
{
	if (!b->err)
		stick(b, code < 0 ? code : KR_ERR, WHY_WRITER);
}

size_t buf_room(const struct buf *b)
{
	return b->err ? 0 : cap_of(b) - b->len;
}

int buf_reserve(struct buf *b, size_t n)
{
	size_t need, ncap, max = cap_of(b);
	char *p;

	if (b->err)
		return say(b);
	if (n > max || b->len > max - n) {
		stick(b, KR_ENOMEM, WHY_CAP);
		return say(b);
	}
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap *= 2;
	/* the cap bounds the allocation too */
	if (ncap > max + 1)
		ncap = max + 1;
	p = realloc(b->data, ncap);
	if (!p) {
		stick(b, KR_ENOMEM, WHY_OOM);
		return kr_errc(KR_ENOMEM, "out of memory growing a buffer to %zu bytes", ncap);
	}
	p[b->len] = '\0'; /* a reserve alone still leaves a C string */
	b->data = p;
	b->cap = ncap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, rc;

	if (b->err)
		return say(b);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		stick(b, KR_EINVAL, WHY_FORMAT);
		return say(b);
	}
	rc = buf_reserve(b, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		if (b->data)
			b->data[0] = '\0';
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len == 0) {
		buf_reset(b);
	} else if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	b->why = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_dispose(struct buf *b)
{
	size_t max = b->max;
	free(b->data);
	buf_init(b, max);
}

char *buf_detach(struct buf *b)
{
	char *p = b->data;
	if (!p)
		p = xstrdup("");
	b->data = NULL;
	buf_dispose(b);
	return p;
}

const char *buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}
