/* dream_text: what the phases share to read a memory's text (src/dream
 * only, and unit tests). */
#ifndef KAIROS_DREAM_TEXT_H
#define KAIROS_DREAM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/mem.h"

/* Text against a string literal, its length counted by the compiler: s
 * (n bytes) starts with lit, in any case, or is lit; NUL-terminated s
 * starts with lit. */
#define DREAM_STARTS(s, n, lit) ((n) >= STRLEN_LIT(lit) && !memcmp((s), lit, STRLEN_LIT(lit)))
#define DREAM_STARTS_CASE(s, n, lit) \
	((n) >= STRLEN_LIT(lit) && !strncasecmp((s), lit, STRLEN_LIT(lit)))
#define DREAM_IS(s, n, lit) ((n) == STRLEN_LIT(lit) && !memcmp((s), lit, STRLEN_LIT(lit)))
#define DREAM_PREFIX(s, lit) (!strncmp((s), lit, STRLEN_LIT(lit)))

/* A Markdown code fence, and whether line p (n bytes) opens or closes a
 * fenced block (``` or ~~~ after spaces). */
#define DREAM_FENCE "```"
bool dream_text_fence_line(const char *p, size_t n);

/* The statement: description + body without **Why:** / **How to apply:**
 * lines (malloc'd); NULL only when memory runs out (its cap follows from
 * the memory's text). */
char *dream_text_statement(const struct mem *m);
/* Tokens of normalised text (NFKC casefold; contractions expanded, a
 * possessive 's dropped). A token is a plain word (hyphenated words are
 * split into their words; a code span of one plain word of letters is
 * that word), a number (digits, one decimal point at most), or an
 * anchor (memory-format.md "Statements and anchors"): a code span, a
 * quoted text, or a token holding a '/', a digit, or a '.', '_' or ':'
 * between letters or digits, a flag (-Wall, --force), #12. Naming styles
 * are words, in one spelling (camelCase -> camel_case, snake case ->
 * snake_case). DT_END ends a sentence (. ! ? ; and every line end),
 * DT_BREAK a part of one (, : a dash, a parenthesis). */
enum dream_tok_kind {
	DT_WORD = 0,
	DT_NUM,
	DT_CODE,   /* anchor: an inline code span */
	DT_QUOTE,  /* anchor: quoted text */
	DT_ANCHOR, /* anchor: a path, file name, identifier, version, flag */
	DT_END,
	DT_BREAK,
};
struct dream_tok {
	enum dream_tok_kind kind;
	char *s;
};
struct dream_toks {
	struct dream_tok *v;
	size_t n, cap;
};
/* Appends the tokens of text to out; a line that normalises to more than
 * BUF_CAP_MEMFILE fails it (out then holds the lines before it), and the
 * caller must not take out for the text's tokens. */
int dream_text_tokenize(const char *text, size_t len, struct dream_toks *out);
/* An inline code span opening at s[i] (a run of backticks, *run of
 * them): the index of its closing run of the same length, or n when it
 * never closes (then the backticks are plain text). */
size_t dream_text_code_span(const char *s, size_t n, size_t i, size_t *run);
void dream_text_toks_dispose(struct dream_toks *t);
bool dream_text_stopword(const char *w);
/* Relative dates rewritten in body text: *out gets a malloc'd new body,
 * or NULL when nothing changed; *count phrases, why (appended) lists
 * them. KR_ENOMEM, *out NULL and *count as it was, when the new body
 * would pass BUF_CAP_MEMFILE, a memory file's size. */
int dream_dates_fix(char **out, const char *body, int64_t created, int *count, struct buf *why);
/* 64-bit string hash (FNV-1a then mixed). */
uint64_t dream_text_hash(const char *s, size_t n);
/* A 64-bit finaliser (to combine hashes). */
uint64_t dream_text_mix(uint64_t h);

#endif
