/* dream_text: what the dream phases share to read a memory's text: the
 * statement (description + body without the **Why:** and **How to
 * apply:** lines), a tokenizer over normalised text (NFKC casefold,
 * contractions expanded, punctuation dropped, code and quoted spans kept
 * whole), the stop words of memory-format.md, and a string hash. */
#include "dream_text.h"
#include "kairos/err.h"
#include "kairos/text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

uint64_t dream_text_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1;
}

uint64_t dream_text_mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ULL;
	h ^= h >> 27;
	h *= 0x81dadef4bc2dd44dULL;
	h ^= h >> 33;
	return h;
}

/* exactly the list of memory-format.md */
static const char *const stop_words[] = {
	"a", "an", "the", "please", "just", "also", "really", "make",
	"sure", "do", "does", "you", "your", "to", "that",
};

bool dream_text_stopword(const char *w)
{
	for (size_t i = 0; i < ARRAY_LEN(stop_words); i++)
		if (!strcmp(w, stop_words[i]))
			return true;
	return false;
}

/* A **Why:** or **How to apply:** line (after indentation / a list mark). */
static bool why_line(const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	if (n >= 2 && (*p == '-' || *p == '*') && p[1] == ' ') {
		p += 2;
		n -= 2;
	}
	return DREAM_STARTS_CASE(p, n, "**why:**") || DREAM_STARTS_CASE(p, n, "**how to apply:**");
}

bool dream_text_fence_line(const char *p, size_t n)
{
	while (n && *p == ' ') {
		p++;
		n--;
	}
	return DREAM_STARTS(p, n, DREAM_FENCE) || DREAM_STARTS(p, n, "~~~");
}

char *dream_text_statement(const struct mem *m)
{
	const char *p = m->body ? m->body : "", *d = m->description ? m->description : "";
	/* the description, the body's lines, a newline after each */
	struct buf b = BUF_INIT_CAP(strlen(d) + 1 + strlen(p) + 1);

	buf_puts(&b, d);
	buf_putc(&b, '\n');
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (!why_line(p, n)) {
			buf_append(&b, p, n);
			buf_putc(&b, '\n');
		}
		p += n + (e ? 1 : 0);
	}
	return buf_err(&b) ? NULL : buf_detach(&b);
}

static void tok_push(struct dream_toks *t, enum dream_tok_kind k, const char *s, size_t n)
{
	/* breaks and ends mark what is between tokens: one at a time, an end
	 * over a break, none at the start */
	if ((k == DT_END || k == DT_BREAK) && (!t->n || t->v[t->n - 1].kind == DT_END))
		return;
	if (k == DT_BREAK && t->v[t->n - 1].kind == DT_BREAK)
		return;
	if (k == DT_END && t->v[t->n - 1].kind == DT_BREAK) {
		t->v[t->n - 1].kind = DT_END;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n].kind = k;
	t->v[t->n].s = xstrndup(s ? s : "", n);
	t->n++;
}

void dream_text_toks_dispose(struct dream_toks *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].s);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Length of a word character at s (0 when it is not one): letters,
 * digits, marks and '_'. */
static size_t word_char(const char *s, size_t n)
{
	unsigned char c = (unsigned char)*s;
	utf8proc_int32_t cp;
	utf8proc_ssize_t l;

	if (c < 0x80)
		return (isalnum(c) || c == '_') ? 1 : 0;
	l = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
	if (l <= 0)
		return 0;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return (size_t)l;
	default:
		return 0;
	}
}

/* Typographic quotes in UTF-8 (all of one length) */
#define LSQUO "\xE2\x80\x98" /* U+2018 */
#define RSQUO "\xE2\x80\x99" /* U+2019 */
#define LDQUO "\xE2\x80\x9C" /* U+201C */
#define RDQUO "\xE2\x80\x9D" /* U+201D */
#define QUO_LEN STRLEN_LIT(RSQUO)

/* An apostrophe (' or U+2019) at s: its length, else 0. */
static size_t apostrophe(const char *s, size_t n)
{
	if (n >= 1 && *s == '\'')
		return 1;
	if (DREAM_STARTS(s, n, RSQUO))
		return QUO_LEN;
	return 0;
}

static size_t dquote(const char *s, size_t n)
{
	if (n >= 1 && *s == '"')
		return 1;
	if (DREAM_STARTS(s, n, LDQUO) || DREAM_STARTS(s, n, RDQUO))
		return QUO_LEN;
	return 0;
}

static size_t squote(const char *s, size_t n)
{
	if (DREAM_STARTS(s, n, LSQUO))
		return QUO_LEN;
	return apostrophe(s, n);
}

static const char *const is_words[] = {"it", "that", "there", "what", "he", "she",
				       "here", "who", "where", "how", "this"};

/* A number: digits with at most one decimal point between digits. */
static bool is_number(const char *w, size_t n)
{
	bool dot = false;
	if (!n || !isdigit((unsigned char)w[0]) || !isdigit((unsigned char)w[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '.' && !dot)
			dot = true;
		else if (!isdigit((unsigned char)w[i]))
			return false;
	}
	return true;
}

static void push_word(struct dream_toks *t, const char *w, size_t n)
{
	if (n)
		tok_push(t, is_number(w, n) ? DT_NUM : DT_WORD, w, n);
}

#define PUSH_LIT(t, lit) push_word((t), lit, STRLEN_LIT(lit))

/* word w followed by an apostrophe and suffix x */
static void push_contraction(struct dream_toks *t, const char *w, size_t wn, const char *x,
			     size_t xn)
{
	if (xn == 1 && *x == 't' && wn >= 2 && w[wn - 1] == 'n') {
		size_t bn = wn - 1;
		if (DREAM_IS(w, bn, "ca"))
			PUSH_LIT(t, "can");
		else if (DREAM_IS(w, bn, "wo"))
			PUSH_LIT(t, "will");
		else if (DREAM_IS(w, bn, "sha"))
			PUSH_LIT(t, "shall");
		else
			push_word(t, w, bn);
		PUSH_LIT(t, "not");
		return;
	}
	if (xn == 1 && *x == 's') {
		push_word(t, w, wn);
		if (DREAM_IS(w, wn, "let")) {
			PUSH_LIT(t, "us");
			return;
		}
		for (size_t i = 0; i < ARRAY_LEN(is_words); i++)
			if (strlen(is_words[i]) == wn && !memcmp(w, is_words[i], wn)) {
				PUSH_LIT(t, "is");
				return;
			}
		return; /* possessive 's dropped */
	}
	{
		static const char *const sfx[][2] = {
			{"re", "are"}, {"ll", "will"}, {"ve", "have"}, {"m", "am"}, {"d", "would"},
		};
		for (size_t i = 0; i < ARRAY_LEN(sfx); i++)
			if (strlen(sfx[i][0]) == xn && !memcmp(x, sfx[i][0], xn)) {
				push_word(t, w, wn);
				push_word(t, sfx[i][1], strlen(sfx[i][1]));
				return;
			}
	}
	{
		char *j = xmalloc(wn + xn + 1);
		memcpy(j, w, wn);
		memcpy(j + wn, x, xn);
		push_word(t, j, wn + xn);
		free(j);
	}
}

size_t dream_text_code_span(const char *s, size_t n, size_t i, size_t *run)
{
	size_t r0 = 0, j;
	while (i + r0 < n && s[i + r0] == '`')
		r0++;
	for (j = i + r0; j < n; j++) {
		size_t r = 0;
		while (j + r < n && s[j + r] == '`')
			r++;
		if (r == r0)
			break;
		if (r)
			j += r - 1;
	}
	*run = r0;
	return j;
}

/* Naming styles, spelled as they arrive case folded, and as they are kept. */
static const char *const naming_styles[][2] = {
	{"snake_case", "snake_case"},   {"camelcase", "camel_case"},
	{"camel_case", "camel_case"},   {"pascalcase", "pascal_case"},
	{"pascal_case", "pascal_case"}, {"kebab_case", "kebab_case"},
	{"kebab-case", "kebab_case"},   {"upper_snake_case", "upper_snake_case"},
	{"screaming_snake_case", "upper_snake_case"},
};

static const char *naming_style(const char *w, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(naming_styles); i++)
		if (strlen(naming_styles[i][0]) == n && !memcmp(w, naming_styles[i][0], n))
			return naming_styles[i][1];
	return NULL;
}

/* Unit words that may be glued to a number ("30s", "10ms", "80%"). */
static const char *const glued_units[] = {"ms", "s", "m", "h", "d", "px", "pt", "em",
					  "kb", "mb", "gb", "kib", "mib", "gib", "%"};

/* Is s[i] a word character with a word character on both sides? */
static bool between_words(const char *s, size_t a, size_t b, size_t i)
{
	return i > a && i + 1 < b && word_char(s + i - 1, 1) && word_char(s + i + 1, b - i - 1);
}

/* One whitespace-delimited token core s[a, b) without its outer
 * punctuation: an anchor, a number, or words (memory-format.md
 * "Statements and anchors"). */
static void core_token(struct dream_toks *t, const char *s, size_t a, size_t b)
{
	const char *w = s + a, *ns;
	size_t n = b - a, d = 0;
	bool digit = false, joined = false, other = false, apos = false;

	if (!n)
		return;
	if ((ns = naming_style(w, n))) {
		tok_push(t, DT_WORD, ns, strlen(ns));
		return;
	}
	if (memchr(w, '/', n) || (w[0] == '-' && n > 1 && (isalpha((unsigned char)w[1]) || w[1] == '-')) ||
	    (w[0] == '#' && n > 1 && isdigit((unsigned char)w[1]))) {
		tok_push(t, DT_ANCHOR, w, n); /* a path, a flag, #12 */
		return;
	}
	if (is_number(w, n)) {
		tok_push(t, DT_NUM, w, n);
		return;
	}
	while (d < n && (isdigit((unsigned char)w[d]) || w[d] == '.'))
		d++;
	if (d && is_number(w, d))
		for (size_t u = 0; u < ARRAY_LEN(glued_units); u++)
			if (strlen(glued_units[u]) == n - d && !memcmp(w + d, glued_units[u], n - d)) {
				tok_push(t, DT_NUM, w, d);
				tok_push(t, DT_WORD, w + d, n - d);
				return;
			}
	for (size_t i = 0; i < n;) {
		size_t l = word_char(w + i, n - i), q;
		if (l) {
			digit |= isdigit((unsigned char)w[i]) != 0;
			joined |= w[i] == '_' && between_words(s, a, b, a + i);
			i += l;
			continue;
		}
		if ((w[i] == '.' || w[i] == ':') && between_words(s, a, b, a + i))
			joined = true;
		else if (w[i] == '-' && between_words(s, a, b, a + i))
			; /* a hyphenated word: its words */
		else if ((q = apostrophe(w + i, n - i)) && i && i + q < n && word_char(w + i + q, n - i - q))
			apos = true;
		else
			other = true;
		q = text_utf8_seqlen(w + i, n - i);
		i += q ? q : 1;
	}
	if (digit || joined || other) {
		/* file names, identifiers, versions, calls: what a memory is about */
		tok_push(t, DT_ANCHOR, w, n);
		return;
	}
	/* words: hyphenated words are ordinary words, contractions expanded */
	for (size_t i = 0; i < n;) {
		size_t st = i, l, q;
		while (i < n && (l = word_char(w + i, n - i)))
			i += l;
		if (apos && (q = apostrophe(w + i, n - i)) && i > st && i + q < n &&
		    word_char(w + i + q, n - i - q)) {
			size_t xa = i + q;
			i = xa;
			while (i < n && (l = word_char(w + i, n - i)))
				i += l;
			push_contraction(t, w + st, xa - q - st, w + xa, i - xa);
		} else {
			push_word(t, w + st, i - st);
		}
		if (i < n) {
			q = text_utf8_seqlen(w + i, n - i);
			i += q ? q : 1;
		}
	}
}

/* Characters that open or close a token without being part of it. */
static bool lead_punct(char c)
{
	return c == '(' || c == '[' || c == '{' || c == '<' || c == '*' || c == '_' || c == '\'' ||
	       c == '~' || c == '>';
}

static bool trail_punct(char c)
{
	return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' ||
	       c == ']' || c == '}' || c == '>' || c == '*' || c == '_' || c == '\'' || c == '~';
}

/* One whitespace-delimited token s[0, n): its core, then what its
 * closing punctuation says (a sentence end, or a break in it). */
static void raw_token(struct dream_toks *t, const char *s, size_t n)
{
	size_t a = 0, b = n, q;
	enum dream_tok_kind after = DT_WORD; /* none */

	while (a < b && lead_punct(s[a])) {
		if (s[a] == '(' || s[a] == '[')
			tok_push(t, DT_BREAK, NULL, 0);
		a++;
	}
	while (b > a) {
		char c = s[b - 1];
		if (c == ')' && b - a >= 2 && s[b - 2] == '(' && b - a > 2)
			break; /* f(): a call */
		if ((q = b - a >= QUO_LEN && !memcmp(s + b - QUO_LEN, RSQUO, QUO_LEN) ? QUO_LEN : 0)) {
			b -= q;
			continue;
		}
		if (!trail_punct(c))
			break;
		if (c == '.' || c == '!' || c == '?' || c == ';')
			after = DT_END;
		else if (after != DT_END && (c == ',' || c == ':' || c == ')' || c == ']'))
			after = DT_BREAK;
		b--;
	}
	if (a == b) {
		/* punctuation alone: a dash is a break */
		if (after == DT_WORD && n && (s[0] == '-' || (unsigned char)s[0] >= 0x80))
			after = DT_BREAK;
	} else {
		core_token(t, s, a, b);
	}
	if (after != DT_WORD)
		tok_push(t, after, NULL, 0);
}

/* A code span's text: one plain word of letters is that word, anything
 * else an anchor (memory-format.md). */
static void code_token(struct dream_toks *t, const char *s, size_t n)
{
	bool letters = n > 0;
	for (size_t i = 0; i < n && letters;) {
		size_t l = word_char(s + i, n - i);
		if (!l || isdigit((unsigned char)s[i]) || s[i] == '_')
			letters = false;
		i += l ? l : 1;
	}
	tok_push(t, letters ? DT_WORD : DT_CODE, s, n);
}

/* Tokens of one normalised line. */
static void tokenize_line(const char *s, size_t n, struct dream_toks *t)
{
	size_t i = 0;

	while (i < n) {
		size_t q, j;
		unsigned char c = (unsigned char)s[i];

		if (c == ' ') {
			i++;
			continue;
		}
		if (c == '`') {
			size_t run;
			j = dream_text_code_span(s, n, i, &run);
			if (j < n) {
				size_t a = i + run, b = j;
				while (a < b && s[a] == ' ')
					a++;
				while (b > a && s[b - 1] == ' ')
					b--;
				code_token(t, s + a, b - a);
				i = j + run;
				continue;
			}
			i += run;
			continue;
		}
		if ((q = dquote(s + i, n - i))) {
			size_t cl = 0;
			j = i + q;
			while (j < n && j - i < 200 && !(cl = dquote(s + j, n - j)))
				j++;
			if (cl && j < n) {
				tok_push(t, DT_QUOTE, s + i + q, j - i - q);
				i = j + cl;
				continue;
			}
			i += q;
			continue;
		}
		if ((q = squote(s + i, n - i)) && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '(') &&
		    i + q < n && s[i + q] != ' ') {
			/* a quoted span: closing quote not followed by a word char */
			size_t cl = 0;
			for (j = i + q; j < n && j - i < 200; j++) {
				cl = squote(s + j, n - j);
				if (cl && s[j - 1] != ' ' && (j + cl >= n || !word_char(s + j + cl, n - j - cl)))
					break;
				cl = 0;
			}
			if (cl) {
				tok_push(t, DT_QUOTE, s + i + q, j - i - q);
				i = j + cl;
				continue;
			}
		}
		/* a whitespace-delimited token, up to a code span or a double quote */
		for (j = i; j < n && s[j] != ' ' && s[j] != '`' && !dquote(s + j, n - j);) {
			size_t l = text_utf8_seqlen(s + j, n - j);
			j += l ? l : 1;
		}
		raw_token(t, s + i, j - i);
		i = j;
	}
	tok_push(t, DT_END, NULL, 0);
}

/* "snake case" / "kebab case" (two words) -> snake_case, kebab_case */
static void canon_naming(struct dream_toks *t)
{
	static const char *const stems[] = {"snake", "camel", "pascal", "kebab"};
	size_t o = 0;

	for (size_t i = 0; i < t->n; i++) {
		struct dream_tok k = t->v[i];
		if (k.kind == DT_WORD && i + 1 < t->n && t->v[i + 1].kind == DT_WORD &&
		    !strcmp(t->v[i + 1].s, "case")) {
			for (size_t s = 0; s < ARRAY_LEN(stems); s++) {
				size_t sl = strlen(stems[s]);
				if (strcmp(k.s, stems[s]))
					continue;
				free(k.s);
				k.s = xmalloc(sl + sizeof("_case"));
				memcpy(k.s, stems[s], sl);
				memcpy(k.s + sl, "_case", sizeof("_case"));
				free(t->v[++i].s);
				break;
			}
		}
		t->v[o++] = k;
	}
	t->n = o;
}

int dream_text_tokenize(const char *text, size_t len, struct dream_toks *out)
{
	struct buf norm = BUF_INIT_CAP(BUF_CAP_MEMFILE); /* one line of a memory */
	size_t i = 0;
	int rc = 0;

	while (i < len) {
		const char *e = memchr(text + i, '\n', len - i);
		size_t n = e ? (size_t)(e - (text + i)) : len - i;
		buf_reset(&norm);
		rc = text_normalize(text + i, n, &norm);
		if (rc)
			break;
		tokenize_line(buf_cstr(&norm), norm.len, out);
		i += n + 1;
	}
	buf_dispose(&norm);
	canon_naming(out);
	return rc;
}
