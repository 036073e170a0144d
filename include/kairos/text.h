/* text: UTF-8 validation, LSP position encodings and Unicode
 * normalisation (utf8proc). Invalid UTF-8 bytes in a document count as
 * one code unit each in every encoding, as if each were U+FFFD in the
 * BMP, so positions never fall inside a broken sequence. */
#ifndef KAIROS_TEXT_H
#define KAIROS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"

enum text_enc {
	TEXT_UTF8 = 0,
	TEXT_UTF16,
	TEXT_UTF32,
};

const char *text_enc_name(enum text_enc e); /* "utf-8", ... */
/* -1 when name is none of the three */
int text_enc_parse(const char *name);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or
 * code points past U+10FFFF). */
bool text_utf8_valid(const char *s, size_t n);
/* Length of the well-formed sequence at s (1..4), or 0 when invalid. */
size_t text_utf8_seqlen(const char *s, size_t n);

/* Byte offset in line[0..len) of the character column col counted in
 * enc; a column past the end clamps to len, one inside a character
 * (the middle of a surrogate pair) to that character's start. */
size_t text_col_to_byte(const char *line, size_t len, uint32_t col, enum text_enc enc);
/* Column in enc of byte offset off in line (clamped to len). */
uint32_t text_byte_to_col(const char *line, size_t len, size_t off, enum text_enc enc);

/* Appends the NFKC + case-folded form of s with runs of white space
 * folded to one space and trimmed. Invalid UTF-8 is replaced. */
int text_normalize(const char *s, size_t n, struct buf *out);

#endif
