/* json: parsing with jsmn (strict, validated) and a writer with correct
 * escaping. A parsed document keeps pointers into the caller's source
 * text, which must outlive it. Token indexes are ints; -1 means "none". */
#ifndef KAIROS_JSON_H
#define KAIROS_JSON_H

#define JSMN_HEADER
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include <stdbool.h>
#include <stddef.h>

#include "kairos/buf.h"

enum json_type {
	JSON_NONE = 0, /* index -1 or out of range */
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
};

struct json {
	const char *src;
	size_t len;
	jsmntok_t *tok;
	int ntok;
};

/* Parses one JSON value that fills src (white space around it allowed).
 * Rejects NUL bytes, invalid UTF-8 inside strings, bad escapes, bad
 * literals and numbers, and nesting deeper than JSON_MAX_DEPTH.
 * Returns 0 or KR_EINVAL with a message. json_dispose frees it either way. */
#define JSON_MAX_DEPTH 512
int json_parse(struct json *out, const char *src, size_t len);
void json_dispose(struct json *j);

enum json_type json_type(const struct json *j, int i);
/* Index of the token after i and everything inside it. */
int json_skip(const struct json *j, int i);
/* Value of key in object obj, or -1. */
int json_get(const struct json *j, int obj, const char *key);
/* Follows a dotted path of keys ("textDocument.uri") from obj; -1 when
 * any step is missing or not an object. */
int json_path(const struct json *j, int obj, const char *path);
/* Number of elements of an array / members of an object (0 otherwise). */
int json_len(const struct json *j, int i);
/* Index of element k of array arr, or -1. */
int json_at(const struct json *j, int arr, int k);
/* Iterate over an array: for (int e = json_first(j, a); e >= 0; e = json_next(j, a, e)) */
int json_first(const struct json *j, int arr);
int json_next(const struct json *j, int arr, int e);

/* Decodes string token i (escapes, \uXXXX, surrogate pairs) into out
 * (appended). KR_EINVAL when i is not a string. */
int json_str(const struct json *j, int i, struct buf *out);
/* Decoded copy of string token i (malloc'd), or NULL when not a string. */
char *json_strdup(const struct json *j, int i);
/* True when token i is a string equal to s after decoding. */
bool json_streq(const struct json *j, int i, const char *s);
/* Integer value; KR_EINVAL when not an integral number in range. */
int json_int(const struct json *j, int i, long long *out);
int json_double(const struct json *j, int i, double *out);
/* 1 for true, 0 for false, KR_EINVAL otherwise. */
int json_bool(const struct json *j, int i);
/* The raw source text of token i, quotes included for strings. */
const char *json_raw(const struct json *j, int i, size_t *len);
/* Convenience lookups with a default when missing or of another type. */
long long json_get_int(const struct json *j, int obj, const char *path, long long dflt);
bool json_get_bool(const struct json *j, int obj, const char *path, bool dflt);
/* malloc'd string at path, or NULL */
char *json_get_str(const struct json *j, int obj, const char *path);

/* Appends s (n bytes) as a JSON string literal with quotes. Invalid UTF-8
 * bytes become U+FFFD so the output is always valid JSON. */
int json_escape(struct buf *out, const char *s, size_t n);

/* The writer lives in jw.h; most users of JSON want both. */
#include "kairos/jw.h"

#endif
