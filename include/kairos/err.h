/* err: the last error message of this thread, libgit2-style.
 * Functions return int: 0 on success, negative on failure, and leave a
 * readable message behind kr_errmsg(). A caller passes a lower layer's
 * error up unchanged by returning its code without calling kr_err again. */
#ifndef KAIROS_ERR_H
#define KAIROS_ERR_H

#include <stddef.h>

enum {
	KR_OK = 0,
	KR_ERR = -1,       /* any failure; see kr_errmsg() */
	KR_ENOTFOUND = -2, /* the thing asked for does not exist */
	KR_EEXISTS = -3,   /* it exists already */
	KR_EINVAL = -4,    /* input is malformed */
	KR_EBUSY = -5,     /* a lock is held by someone else */
	KR_ENOMEM = -6,    /* out of memory or over a hard cap */
	KR_ECANCEL = -7,   /* cancelled */
};

/* Sets the message (printf-style) and returns KR_ERR. */
int kr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, returning the given code. */
int kr_errc(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The message of the last failure of this thread; never NULL. */
const char *kr_errmsg(void);
void kr_err_clear(void);

/* Allocation that aborts on failure: only for small, bounded objects
 * whose absence leaves nothing sensible to do. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* The length of a string literal, counted by the compiler instead of by
 * hand: memmem(p, n, "$/cancelRequest", STRLEN_LIT("$/cancelRequest")).
 * Only a literal compiles (the "" around it paste), so a char * cannot
 * slip in and give sizeof(char *) - 1. Bytes, embedded NULs included. */
#define STRLEN_LIT(s) (sizeof("" s "") - 1)

#endif
