/* buf: growable, capped byte buffers. */
#include "kairos/buf.h"
#include "kairos/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static size_t cap_of(const struct buf *b)
{
	return b->max ? b->max : BUF_DEFAULT_MAX;
}

int buf_reserve(struct buf *b, size_t n)
{
	size_t need, ncap;
	char *p;

	if (n > cap_of(b) || b->len > cap_of(b) - n)
		return kr_errc(KR_ENOMEM, "buffer over its cap of %zu bytes", cap_of(b));
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = realloc(b->data, ncap);
	if (!p)
		return kr_errc(KR_ENOMEM, "out of memory growing a buffer to %zu bytes", ncap);
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

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return kr_err("bad format string");
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
		buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_dispose(struct buf *b)
{
	size_t max = b->max;
	free(b->data);
	memset(b, 0, sizeof(*b));
	b->max = max;
}

char *buf_detach(struct buf *b)
{
	char *p = b->data;
	size_t max = b->max;
	if (!p)
		p = xstrdup("");
	memset(b, 0, sizeof(*b));
	b->max = max;
	return p;
}

const char *buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}
