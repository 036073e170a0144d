/* jw: a JSON writer over a capped buffer (buf.h). */
#ifndef KAIROS_JW_H
#define KAIROS_JW_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/buf.h"

/* Appends to a caller-owned buf; commas are inserted for you. Errors
 * are sticky and fail the buffer too: check buf_err(b) (or w.err) once
 * at the end. A writer started on a buffer that already failed has
 * failed. */
#define JW_MAX_DEPTH 64
struct jw {
	struct buf *b;
	int depth;
	bool first[JW_MAX_DEPTH];
	char close[JW_MAX_DEPTH];
	bool after_key;
	int err;
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w);
void jw_arr(struct jw *w);
void jw_end(struct jw *w); /* closes the innermost object or array */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, long long v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Inserts already-encoded JSON text as one value. */
void jw_raw(struct jw *w, const char *json, size_t n);
/* Key-value shorthands */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, long long v);
void jw_kbool(struct jw *w, const char *key, bool v);

#endif
