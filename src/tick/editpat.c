/* editpat: token-level diff of one line, and a tracker that holds a
 * line's original text until the person is done with it. */
#include "kairos/editpat.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kairos/err.h"

void editpat_dispose(struct editpat *e)
{
	free(e->before);
	free(e->after);
	e->before = e->after = NULL;
}

struct tok {
	size_t s, e;
	bool word;
};

static bool is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c >= 0x80;
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Tokens of s; NULL (n = 0) for an empty line. */
static struct tok *tokenize(const char *s, size_t len, size_t *n)
{
	struct tok *v = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		struct tok t = {i, i + 1, is_word(c)};

		if (is_blank(c)) {
			i++;
			continue;
		}
		if (t.word)
			while (t.e < len && is_word((unsigned char)s[t.e]))
				t.e++;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = t;
		i = t.e;
	}
	return v;
}

static bool tok_eq(const char *a, const struct tok *x, const char *b, const struct tok *y)
{
	return x->e - x->s == y->e - y->s && !memcmp(a + x->s, b + y->s, x->e - x->s);
}

static bool has_word(const struct tok *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].word)
			return true;
	return false;
}

int editpat_diff(struct editpat *out, const char *before, size_t blen, const char *after,
		 size_t alen)
{
	size_t nb, na, p = 0, s = 0, mb, ma, bs, be, as, ae;
	struct tok *tb = tokenize(before, blen, &nb), *ta = tokenize(after, alen, &na);
	int found = 0;

	while (p < nb && p < na && tok_eq(before, &tb[p], after, &ta[p]))
		p++;
	while (s < nb - p && s < na - p && tok_eq(before, &tb[nb - 1 - s], after, &ta[na - 1 - s]))
		s++;
	mb = nb - p - s;
	ma = na - p - s;
	if (!mb || !ma)
		goto out;
	/* punctuation replaced by punctuation between words: take the
	 * words along (foo.bar -> foo->bar) */
	if (!has_word(tb + p, mb) && !has_word(ta + p, ma)) {
		size_t lp = p, ls = s;

		while (lp && !tb[lp - 1].word)
			lp--;
		while (ls && !tb[nb - ls].word)
			ls--;
		if (lp) { /* up to and including the word before */
			mb += p - lp + 1;
			ma += p - lp + 1;
			p = lp - 1;
		}
		if (ls) {
			mb += s - ls + 1;
			ma += s - ls + 1;
			s = ls - 1;
		}
	}
	if (mb > EDITPAT_MAX_TOKENS || ma > EDITPAT_MAX_TOKENS)
		goto out;
	if (!has_word(tb + p, mb) || !has_word(ta + p, ma))
		goto out;
	bs = tb[p].s;
	be = tb[p + mb - 1].e;
	as = ta[p].s;
	ae = ta[p + ma - 1].e;
	if (be - bs > EDITPAT_MAX_BYTES || ae - as > EDITPAT_MAX_BYTES)
		goto out;
	/* typing in progress: one side extends the other */
	if (!memcmp(before + bs, after + as, be - bs < ae - as ? be - bs : ae - as))
		goto out;
	out->before = xstrndup(before + bs, be - bs);
	out->after = xstrndup(after + as, ae - as);
	out->line = 0;
	found = 1;
out:
	free(tb);
	free(ta);
	return found;
}

/* ---- tracker ------------------------------------------------------------ */

#define NEXPECT 4

struct expect {
	bool used;
	size_t line;
	char *text;
	size_t n;
};

struct editpat_tracker {
	bool pending;
	size_t line;
	char *orig, *cur;
	size_t norig, ncur;
	struct expect ex[NEXPECT];
	unsigned next_ex;
};

struct editpat_tracker *editpat_tracker_new(void)
{
	return xcalloc(1, sizeof(struct editpat_tracker));
}

static void drop_pending(struct editpat_tracker *t)
{
	free(t->orig);
	free(t->cur);
	t->orig = t->cur = NULL;
	t->pending = false;
}

void editpat_tracker_free(struct editpat_tracker *t)
{
	if (!t)
		return;
	drop_pending(t);
	for (int i = 0; i < NEXPECT; i++)
		free(t->ex[i].text);
	free(t);
}

int editpat_flush(struct editpat_tracker *t, struct editpat *out)
{
	int r = 0;

	if (!t->pending)
		return 0;
	r = editpat_diff(out, t->orig, t->norig, t->cur, t->ncur);
	if (r)
		out->line = t->line;
	drop_pending(t);
	return r;
}

static bool take_expected(struct editpat_tracker *t, size_t line, const char *s, size_t n)
{
	for (int i = 0; i < NEXPECT; i++) {
		struct expect *e = &t->ex[i];

		if (e->used && e->line == line && e->n == n && !memcmp(e->text, s, n)) {
			free(e->text);
			memset(e, 0, sizeof(*e));
			return true;
		}
	}
	return false;
}

int editpat_change(struct editpat_tracker *t, struct editpat *out, size_t line, const char *before,
		   size_t blen, const char *after, size_t alen)
{
	int r = 0;

	if (take_expected(t, line, after, alen)) {
		/* our own fix: whatever was pending on this line is moot */
		if (t->pending && t->line == line)
			drop_pending(t);
		return 0;
	}
	if (t->pending && t->line != line)
		r = editpat_flush(t, out);
	if (t->pending && (t->ncur != blen || memcmp(t->cur, before, blen))) {
		/* we lost track of this line: start again from here */
		drop_pending(t);
	}
	if (!t->pending) {
		t->pending = true;
		t->line = line;
		t->orig = xstrndup(before, blen);
		t->norig = blen;
	}
	free(t->cur);
	t->cur = xstrndup(after, alen);
	t->ncur = alen;
	return r;
}

void editpat_own_edit(struct editpat_tracker *t, size_t line, const char *expected, size_t n)
{
	struct expect *e;

	if (t->pending && t->line == line && t->ncur == n && !memcmp(t->cur, expected, n)) {
		drop_pending(t);
		return;
	}
	e = &t->ex[t->next_ex++ % NEXPECT];
	free(e->text);
	e->used = true;
	e->line = line;
	e->text = xstrndup(expected, n);
	e->n = n;
}

char *editpat_apply_fix(const char *line, size_t len, size_t start, size_t end, const char *fix,
			size_t *n_out)
{
	size_t fl = fix ? strlen(fix) : 0;
	char *s;

	if (end > len)
		end = len;
	if (start > end)
		start = end;
	s = xmalloc(len - (end - start) + fl + 1);
	memcpy(s, line, start);
	if (fl)
		memcpy(s + start, fix, fl);
	memcpy(s + start + fl, line + end, len - end);
	*n_out = len - (end - start) + fl;
	s[*n_out] = 0;
	return s;
}
