/* err: per-thread last error message and aborting allocators. */
#include "kairos/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char errbuf[512];

static void set(const char *fmt, va_list ap)
{
	/* formatted apart: an argument may be kr_errmsg() itself, which
	 * formatting in place garbles (the text repeated, then cut off) */
	char tmp[sizeof(errbuf)];

	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	memcpy(errbuf, tmp, sizeof(errbuf));
}

int kr_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(fmt, ap);
	va_end(ap);
	return KR_ERR;
}

int kr_errc(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(fmt, ap);
	va_end(ap);
	return code;
}

const char *kr_errmsg(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

void kr_err_clear(void)
{
	errbuf[0] = '\0';
}

static void oom(size_t n)
{
	fprintf(stderr, "kairos: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		oom(n * sz);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
