/* buf: a growable byte buffer with a hard cap.
 * The data is always NUL-terminated after a successful append, so
 * buf.data can be read as a C string when the content holds no NUL.
 * A zero-initialised struct buf is an empty buffer with the default cap. */
#ifndef KAIROS_BUF_H
#define KAIROS_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_DEFAULT_MAX ((size_t)1 << 30) /* 1 GiB */

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* 0 means BUF_DEFAULT_MAX */
};

#define BUF_INIT {0}

void buf_init(struct buf *b, size_t max);
/* Appends; returns KR_ENOMEM (and leaves b unchanged) past the cap. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Makes room for n more bytes without changing len. */
int buf_reserve(struct buf *b, size_t n);
/* Removes the first n bytes. */
void buf_consume(struct buf *b, size_t n);
void buf_truncate(struct buf *b, size_t len);
void buf_reset(struct buf *b);
/* Frees what b holds; b is an empty buffer afterwards. */
void buf_dispose(struct buf *b);
/* Hands the NUL-terminated data to the caller (free() it); b is emptied.
 * Never NULL. */
char *buf_detach(struct buf *b);
/* The data as a C string ("" when empty). */
const char *buf_cstr(const struct buf *b);

#endif
