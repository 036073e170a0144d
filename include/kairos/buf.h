/* buf: a growable byte buffer with a hard cap chosen where it is born,
 * and a sticky error (curl's dynbuf): an append that fails frees the
 * data and makes every later append a no-op that fails the same way, so
 * a writer appends without checking and asks buf_err() once at the end.
 *
 *	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
 *	buf_puts(&b, "{\"id\":");
 *	buf_append(&b, id, id_len);
 *	buf_putc(&b, '}');
 *	if ((rc = buf_err(&b)))
 *		goto out_dispose;  (kr_errmsg() says why)
 *
 * The data is NUL-terminated after every successful append or reserve,
 * so buf.data can be read as a C string when the content holds no NUL.
 * A buffer that was never appended to, or that failed, has data == NULL
 * and len == 0: read it through buf_cstr() or check buf_err() before
 * touching data. */
#ifndef KAIROS_BUF_H
#define KAIROS_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* Caps by what a buffer holds; choose the kind that names its content.
 * Where a module has a limit of its own (HTTPC_MAX_BODY, INDEX_MAX, a
 * child's output), that limit is the cap instead. */
/* One line or name: a path, URI, key, memory name, title, a commit or
 * progress message, one journal or log line (redis caps an inline
 * command at 64 KiB for the same reason). */
#define BUF_CAP_LINE ((size_t)64 << 10)
/* The text of one memory file, or one imported rules file, or a part of
 * one (its body, its redacted copy); equal to MEM_MAX_FILE. */
#define BUF_CAP_MEMFILE ((size_t)1 << 20)
/* Text about a whole store: MEMORY.md, a `kairos memory list`, a model
 * prompt that quotes memories, a dream's report, the feedback state. */
#define BUF_CAP_LISTING ((size_t)16 << 20)
/* One JSON-RPC body kairos writes or forwards (a reply, notification,
 * request) and the text of an open document, which arrives in one;
 * equal to RPC_DEFAULT_MAX_BODY. */
#define BUF_CAP_RPC_BODY ((size_t)64 << 20)
/* One framed message: a body and its Content-Length header. */
#define BUF_CAP_RPC_FRAME (BUF_CAP_RPC_BODY + 64)

struct buf {
	char *data;
	size_t len;
	size_t cap; /* bytes allocated */
	size_t max; /* the hard cap on len; 0: nothing fits (a cap was forgotten) */
	int err;    /* 0, or the sticky error; read it with buf_err() */
	unsigned char why; /* private: what err means, for buf_err's message */
};

/* Every buffer says its cap where it is born; there is no default. A
 * zeroed struct buf (a cap forgotten) holds nothing: its first append
 * fails, so the mistake shows at once instead of growing without bound. */
#define BUF_INIT_CAP(c) {.max = (c)}

/* An empty buffer capped at max bytes. */
void buf_init(struct buf *b, size_t max);

/* Appends. 0, or the sticky error: KR_ENOMEM when the content would pass
 * the cap or memory runs out, KR_EINVAL for a bad format. On the first
 * failure the data is freed and len becomes 0; later appends do nothing
 * and return the same error, each leaving its message in kr_errmsg().
 * An append that ends exactly at the cap succeeds. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Makes room for n more bytes (plus the NUL) without changing len, so a
 * caller may read() into data + len. Fails, stickily, like an append. */
int buf_reserve(struct buf *b, size_t n);

/* 0, or the error that stuck (its message restated in kr_errmsg()). */
int buf_err(const struct buf *b);
/* Makes b fail with code (< 0) as if an append had: for a writer that
 * finds its own output broken (the JSON writer nested too deep), so the
 * one check of buf_err() at the end sees it. The first error stays. */
void buf_fail(struct buf *b, int code);
/* Bytes that can still be appended before the cap (0 once failed): for
 * a reader that keeps the head of a stream and drops the rest. */
size_t buf_room(const struct buf *b);

/* Removes the first n bytes; a failed buffer stays failed. */
void buf_consume(struct buf *b, size_t n);
/* Shortens the content to len bytes. Truncating to 0 empties b on
 * purpose and clears its error; to len > 0 leaves a failed buffer
 * failed, since the bytes it would keep are gone. */
void buf_truncate(struct buf *b, size_t len);
/* Empties b and clears its error, keeping the memory and the cap. */
void buf_reset(struct buf *b);
/* Frees what b holds and clears its error; b is an empty buffer with
 * the same cap afterwards. */
void buf_dispose(struct buf *b);
/* Hands the NUL-terminated data to the caller (free() it); b is emptied
 * and its error cleared. Never NULL: a failed buffer detaches as "", so
 * check buf_err() first. */
char *buf_detach(struct buf *b);
/* The data as a C string ("" when empty or failed). */
const char *buf_cstr(const struct buf *b);

#endif
