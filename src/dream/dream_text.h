/* dream_text: what the phases share to read a memory's text (src/dream
 * only, and unit tests). */
#ifndef KAIROS_DREAM_TEXT_H
#define KAIROS_DREAM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"
#include "kairos/memory.h"

/* The statement: description + body without **Why:** / **How to apply:**
 * lines (malloc'd). */
char *dream_statement(const struct mem *m);
/* Tokens of normalised text (NFKC casefold; contractions expanded;
 * punctuation dropped; code and quoted spans one token each). */
enum dream_tok_kind { DT_WORD = 0, DT_NUM, DT_CODE, DT_QUOTE, DT_END /* sentence end */ };
struct dream_tok {
	enum dream_tok_kind kind;
	char *s;
};
struct dream_toks {
	struct dream_tok *v;
	size_t n, cap;
};
int dream_tokenize(const char *text, size_t len, struct dream_toks *out);
/* An inline code span opening at s[i] (a run of backticks, *run of
 * them): the index of its closing run of the same length, or n when it
 * never closes (then the backticks are plain text). */
size_t dream_code_span(const char *s, size_t n, size_t i, size_t *run);
void dream_toks_dispose(struct dream_toks *t);
bool dream_stopword(const char *w);
/* Relative dates rewritten in body text; returns a malloc'd new body or
 * NULL when nothing changed; *count phrases, why (appended) lists them. */
char *dream_fix_dates(const char *body, int64_t created, int *count, struct buf *why);
/* 64-bit string hash (FNV-1a then mixed). */
uint64_t dream_hash(const char *s, size_t n);

#endif
