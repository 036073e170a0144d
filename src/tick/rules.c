/* rules: rule memories compiled into one matcher: a one-pass
 * multi-literal scan (exact two-byte bitmap + hashed buckets, memcmp to
 * confirm) over the literals rules_literal.c finds each pattern requires,
 * and regexec only where a required literal occurs. */
#include "kairos/rules.h"
#include "rules_literal.h"

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kairos/err.h"
#include "kairos/glob.h"
#include "kairos/text.h"

/* ---- the compiled set ------------------------------------------------- */

struct crule {
	const struct mem *m;
	struct glob **scope;
	size_t nscope;
	bool is_regex;
	regex_t re;
	const char *lit;   /* literal rules: the text */
	size_t litlen;
	bool has_last;     /* a pattern ending in "X$": the bytes X can be */
	uint8_t last[32];
};

/* A unique literal and the rules that require it. */
struct ulit {
	char *s;
	size_t len;
	size_t *rules;
	size_t nrules;
	size_t anchor;     /* literals >= 4 bytes: offset of the window hashed */
	int next;          /* next literal in the same bucket, -1 */
};

struct problem {
	char *name, *key, *msg;
};

#define NBUCKET 4096

struct rules {
	struct crule *r;
	size_t n;
	size_t *full;      /* regex rules with no required literal */
	size_t nfull;
	struct ulit *lits;
	size_t nlits;
	uint8_t pair[65536 / 8];  /* two-byte prefixes of literals of 2-3 bytes */
	int bucket[NBUCKET];      /* first literal of a hashed prefix, -1 */
	uint8_t quad[65536 / 8];  /* hashed 4-byte anchors of longer literals */
	int qbucket[NBUCKET];
	int one[256];             /* first 1-byte literal with that byte, -1 */
	struct problem *probs;
	size_t nprobs;
};

static unsigned pair_hash(unsigned k) { return (k * 40503u >> 4) & (NBUCKET - 1); }
static unsigned quad_hash(uint32_t k) { return (k * 2654435761u) >> 16; }

static uint32_t load32(const unsigned char *p)
{
	uint32_t k;
	memcpy(&k, p, 4);
	return k;
}

/* How rare a byte is in source text: anchors on rare windows are hit
 * less often by chance. */
static int rarity(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return 3;
	if (c >= 'a' && c <= 'z')
		return 1;
	if (c == ' ' || c == '\t')
		return 0;
	return 2;
}

static size_t best_anchor(const unsigned char *s, size_t len)
{
	size_t best = len - 4;
	int bs = -1;

	for (size_t a = 0; a + 4 <= len; a++) {
		int sc = rarity(s[a]) + rarity(s[a + 1]) + rarity(s[a + 2]) + rarity(s[a + 3]);
		if (sc >= bs) {
			bs = sc;
			best = a;
		}
	}
	return best;
}

size_t rules_count(const struct rules *r) { return r->n; }
const struct mem *rules_mem(const struct rules *r, size_t i) { return r->r[i].m; }
size_t rules_nproblems(const struct rules *r) { return r->nprobs; }

bool rules_applies(const struct rules *r, size_t i, const char *path)
{
	const struct crule *c = &r->r[i];

	if (!c->nscope)
		return true;
	for (size_t k = 0; k < c->nscope; k++)
		if (glob_match(c->scope[k], path))
			return true;
	return false;
}

static bool prev_had(const struct rules *prev, const char *name, const char *key)
{
	if (!prev)
		return false;
	for (size_t i = 0; i < prev->nprobs; i++)
		if (!strcmp(prev->probs[i].name, name) && !strcmp(prev->probs[i].key, key))
			return true;
	return false;
}

static void problem(struct rules *r, const struct rules *prev, const struct mem *m,
		    const char *key, const char *msg, rules_problem_fn fn, void *ctx)
{
	struct problem *p;

	r->probs = xrealloc(r->probs, (r->nprobs + 1) * sizeof(*r->probs));
	p = &r->probs[r->nprobs++];
	p->name = xstrdup(m->name ? m->name : "");
	p->key = xstrdup(key ? key : "");
	p->msg = xstrdup(msg);
	if (fn && !prev_had(prev, p->name, p->key))
		fn(ctx, m, msg);
}

static void crule_dispose(struct crule *c)
{
	for (size_t k = 0; k < c->nscope; k++)
		glob_free(c->scope[k]);
	free(c->scope);
	if (c->is_regex)
		regfree(&c->re);
}

/* Sorting (literal, rule) pairs to merge equal literals. */
struct litpair {
	char *s;
	size_t rule;
};

static int litpair_cmp(const void *a, const void *b)
{
	const struct litpair *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c)
		return c;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static void add_pair(struct litpair **v, size_t *n, size_t *cap, char *s, size_t rule)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].s = s;
	(*v)[(*n)++].rule = rule;
}

static void build_scanner(struct rules *r, struct litpair *pairs, size_t npairs)
{
	if (npairs)
		qsort(pairs, npairs, sizeof(*pairs), litpair_cmp);
	r->lits = npairs ? xcalloc(npairs, sizeof(*r->lits)) : NULL;
	for (size_t i = 0; i < npairs;) {
		size_t j = i;
		struct ulit *u = &r->lits[r->nlits++];

		while (j < npairs && !strcmp(pairs[j].s, pairs[i].s))
			j++;
		u->s = pairs[i].s;
		u->len = strlen(u->s);
		u->rules = xcalloc(j - i, sizeof(size_t));
		for (size_t k = i; k < j; k++) {
			if (!u->nrules || u->rules[u->nrules - 1] != pairs[k].rule)
				u->rules[u->nrules++] = pairs[k].rule;
			if (k > i)
				free(pairs[k].s);
		}
		i = j;
	}
	memset(r->bucket, -1, sizeof(r->bucket));
	memset(r->qbucket, -1, sizeof(r->qbucket));
	memset(r->one, -1, sizeof(r->one));
	for (size_t i = r->nlits; i-- > 0;) {
		struct ulit *u = &r->lits[i];
		const unsigned char *s = (const unsigned char *)u->s;

		if (u->len == 1) {
			u->next = r->one[s[0]];
			r->one[s[0]] = (int)i;
		} else if (u->len >= 4) {
			unsigned h;

			u->anchor = best_anchor(s, u->len);
			h = quad_hash(load32(s + u->anchor));
			r->quad[h >> 3] |= (uint8_t)(1u << (h & 7));
			u->next = r->qbucket[h & (NBUCKET - 1)];
			r->qbucket[h & (NBUCKET - 1)] = (int)i;
		} else {
			unsigned k = (unsigned)s[0] << 8 | s[1];
			unsigned h = pair_hash(k);

			r->pair[k >> 3] |= (uint8_t)(1u << (k & 7));
			u->next = r->bucket[h];
			r->bucket[h] = (int)i;
		}
	}
}

int rules_compile(struct rules **out, const struct mem_list *mems, const struct rules *prev,
		  rules_problem_fn fn, void *ctx)
{
	struct rules *r = xcalloc(1, sizeof(*r));
	struct litpair *pairs = NULL;
	size_t npairs = 0, cappairs = 0;
	char msg[512];

	r->r = mems->n ? xcalloc(mems->n, sizeof(*r->r)) : NULL;
	r->full = mems->n ? xcalloc(mems->n, sizeof(size_t)) : NULL;
	for (size_t i = 0; i < mems->n; i++) {
		const struct mem *m = mems->v[i];
		const struct mem_rule *mr = m->rule;
		struct crule c = {.m = m};
		bool ok = true;

		if (!mr || m->archived || (!mr->pattern && !mr->literal))
			continue;
		if (m->scope.n)
			c.scope = xcalloc(m->scope.n, sizeof(*c.scope));
		for (size_t k = 0; k < m->scope.n && ok; k++) {
			if (glob_compile(&c.scope[c.nscope], m->scope.v[k]) < 0) {
				snprintf(msg, sizeof(msg), "scope: %s", kr_errmsg());
				problem(r, prev, m, m->scope.v[k], msg, fn, ctx);
				ok = false;
			} else {
				c.nscope++;
			}
		}
		if (ok && mr->pattern) {
			int e = regcomp(&c.re, mr->pattern, REG_EXTENDED | REG_NEWLINE);

			if (e) {
				char eb[256];

				regerror(e, &c.re, eb, sizeof(eb));
				snprintf(msg, sizeof(msg), "rule.pattern does not compile: %s", eb);
				problem(r, prev, m, mr->pattern, msg, fn, ctx);
				ok = false;
			} else if (!*mr->pattern) {
				regfree(&c.re);
				problem(r, prev, m, mr->pattern, "rule.pattern is empty", fn, ctx);
				ok = false;
			} else {
				c.is_regex = true;
			}
		} else if (ok) {
			c.lit = mr->literal;
			c.litlen = strlen(c.lit);
			if (!c.litlen || strpbrk(c.lit, "\r\n")) {
				problem(r, prev, m, mr->literal,
					c.litlen ? "rule.literal spans lines and can never match"
						 : "rule.literal is empty",
					fn, ctx);
				ok = false;
			}
		}
		if (!ok) {
			crule_dispose(&c);
			continue;
		}
		if (c.is_regex) {
			char **lits;
			size_t nl;

			size_t kept = 0;

			if (rules_literal_required(mr->pattern, &lits, &nl)) {
				/* too long to be one rule: said, like a pattern that
				 * does not compile */
				snprintf(msg, sizeof(msg), "%s", kr_errmsg());
				problem(r, prev, m, mr->pattern, msg, fn, ctx);
				crule_dispose(&c);
				continue;
			}
			/* an alternative with a line break never occurs in a line:
			 * a match must hold one of the others */
			for (size_t k = 0; k < nl; k++) {
				if (strchr(lits[k], '\n')) {
					free(lits[k]);
					continue;
				}
				add_pair(&pairs, &npairs, &cappairs, lits[k], r->n);
				kept++;
			}
			if (!kept) {
				r->full[r->nfull++] = r->n;
				c.has_last = rules_literal_last_byte(mr->pattern, c.last);
			}
			free(lits);
		} else {
			add_pair(&pairs, &npairs, &cappairs, xstrdup(c.lit), r->n);
		}
		r->r[r->n++] = c;
	}
	build_scanner(r, pairs, npairs);
	free(pairs);
	*out = r;
	return 0;
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		crule_dispose(&r->r[i]);
	for (size_t i = 0; i < r->nlits; i++) {
		free(r->lits[i].s);
		free(r->lits[i].rules);
	}
	for (size_t i = 0; i < r->nprobs; i++) {
		free(r->probs[i].name);
		free(r->probs[i].key);
		free(r->probs[i].msg);
	}
	free(r->probs);
	free(r->lits);
	free(r->full);
	free(r->r);
	free(r);
}

/* ---- matching --------------------------------------------------------- */

struct mctx {
	const struct rules *r;
	const char *t;      /* text, "\r\n" folded to "\n" */
	size_t len;
	size_t *ls;         /* line starts, nlines + 1 entries (ls[nlines] = len + 1) */
	size_t nlines;
	struct rule_matches *out;
	int err;
};

static void push(struct mctx *c, size_t rule, size_t line, size_t s, size_t e)
{
	struct rule_matches *o = c->out;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;
		struct rule_match *v = realloc(o->v, cap * sizeof(*v));

		if (!v) {
			c->err = kr_errc(KR_ENOMEM, "out of memory collecting rule matches");
			return;
		}
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = (struct rule_match){c->r->r[rule].m, rule, line, s, e};
}

static size_t line_end(const struct mctx *c, size_t line)
{
	return c->ls[line + 1] - 1;
}

/* Every non-empty, non-overlapping match of rule on one line. */
static void match_line(struct mctx *c, size_t rule, size_t line)
{
	const regex_t *re = &c->r->r[rule].re;
	const char *s = c->t + c->ls[line];
	size_t n = line_end(c, line) - c->ls[line];
	size_t off = 0;

	while (off <= n) {
		regmatch_t m[1] = {{(regoff_t)off, (regoff_t)n}};

		if (regexec(re, s, 1, m, REG_STARTEND))
			break;
		if (m[0].rm_eo > m[0].rm_so) {
			push(c, rule, line, (size_t)m[0].rm_so, (size_t)m[0].rm_eo);
			off = (size_t)m[0].rm_eo;
		} else {
			off = (size_t)m[0].rm_so + 1;
		}
	}
}

static size_t line_of(const struct mctx *c, size_t pos)
{
	size_t lo = 0, hi = c->nlines; /* ls[lo] <= pos < ls[hi] */

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->ls[mid] <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* A rule with no required literal: search the whole text, and on each
 * hit settle that one line with the per-line search, then go on from the
 * next line (a per-line match is always a whole-text match at the same
 * place, so no line is missed). */
static void match_full(struct mctx *c, size_t rule)
{
	const struct crule *cr = &c->r->r[rule];
	const regex_t *re = &cr->re;
	size_t p = 0;

	if (cr->has_last) {
		for (size_t l = 0; l < c->nlines && !c->err; l++) {
			size_t e = line_end(c, l);
			unsigned char b;

			if (e == c->ls[l])
				continue;
			b = (unsigned char)c->t[e - 1];
			if (cr->last[b >> 3] >> (b & 7) & 1)
				match_line(c, rule, l);
		}
		return;
	}

	while (p <= c->len && !c->err) {
		regmatch_t m[1] = {{(regoff_t)p, (regoff_t)c->len}};
		size_t line;

		if (regexec(re, c->t, 1, m, REG_STARTEND))
			break;
		line = line_of(c, (size_t)m[0].rm_so);
		match_line(c, rule, line);
		if (line + 1 >= c->nlines)
			break;
		p = c->ls[line + 1];
	}
}

static int match_cmp(const void *a, const void *b)
{
	const struct rule_match *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

struct cand {
	size_t rule, line;
};

int rules_match(const struct rules *r, const char *path, const char *text, size_t len,
		struct rule_matches *out)
{
	struct mctx c = {.r = r, .out = out};
	char *folded = NULL;
	unsigned char *active = NULL;
	size_t *lastline = NULL, *lastend = NULL;
	struct cand *cand = NULL;
	size_t ncand = 0, capcand = 0, first = out->n;
	bool any = false;
	int rc = 0;

	if (!r->n)
		return 0;
	active = calloc(r->n, 1);
	lastline = malloc(r->n * sizeof(size_t));
	lastend = calloc(r->n, sizeof(size_t));
	if (!active || !lastline || !lastend) {
		rc = kr_errc(KR_ENOMEM, "out of memory matching rules");
		goto out;
	}
	for (size_t i = 0; i < r->n; i++) {
		active[i] = rules_applies(r, i, path);
		any |= active[i];
		lastline[i] = SIZE_MAX;
	}
	if (!any)
		goto out;

	/* a NUL-terminated copy (regexec must never read past the text,
	 * whatever a sanitizer's interceptor assumes of REG_STARTEND), with
	 * CR LF (and a final CR) folded so that lines never hold their CR */
	folded = malloc(len + 1);
	if (!folded) {
		rc = kr_errc(KR_ENOMEM, "out of memory matching rules");
		goto out;
	}
	if (memchr(text, '\r', len)) {
		size_t k = 0;

		for (size_t i = 0; i < len; i++)
			if (!(text[i] == '\r' && (i + 1 == len || text[i + 1] == '\n')))
				folded[k++] = text[i];
		c.len = k;
	} else {
		memcpy(folded, text, len);
		c.len = len;
	}
	folded[c.len] = 0;
	c.t = folded;
	c.nlines = 1;
	for (const char *p = c.t; (p = memchr(p, '\n', (size_t)(c.t + c.len - p))); p++)
		c.nlines++;
	c.ls = malloc((c.nlines + 1) * sizeof(size_t));
	if (!c.ls) {
		rc = kr_errc(KR_ENOMEM, "out of memory matching rules");
		goto out;
	}
	c.ls[0] = 0;
	{
		size_t l = 1;
		for (size_t i = 0; i < c.len; i++)
			if (c.t[i] == '\n')
				c.ls[l++] = i + 1;
		c.ls[c.nlines] = c.len + 1;
	}

	/* one pass for every required literal */
	{
		const unsigned char *t = (const unsigned char *)c.t;
		size_t line = 0, lstart = 0;

		for (size_t i = 0; i < c.len; i++) {
			unsigned ch = t[i];
			int lits[3] = {r->one[ch], -1, -1};

			if (ch == '\n') {
				line++;
				lstart = i + 1;
				continue;
			}
			if (i + 1 < c.len) {
				unsigned k = ch << 8 | t[i + 1];

				if (r->pair[k >> 3] >> (k & 7) & 1)
					lits[1] = r->bucket[pair_hash(k)];
			}
			if (i + 4 <= c.len) {
				unsigned h = quad_hash(load32(t + i));

				if (r->quad[h >> 3] >> (h & 7) & 1)
					lits[2] = r->qbucket[h & (NBUCKET - 1)];
			}
			for (int w = 0; w < 3; w++) {
				for (int li = lits[w]; li >= 0; li = r->lits[li].next) {
					const struct ulit *u = &r->lits[li];
					size_t at;

					if (w < 2) {
						at = i;
					} else {
						if (u->anchor > i - lstart)
							continue;
						at = i - u->anchor;
					}
					if (u->len > c.len - at || memcmp(u->s, t + at, u->len))
						continue;
					for (size_t k = 0; k < u->nrules; k++) {
						size_t ri = u->rules[k];

						if (!active[ri])
							continue;
						if (!r->r[ri].is_regex) {
							if (at >= lastend[ri]) {
								push(&c, ri, line, at - lstart, at - lstart + u->len);
								lastend[ri] = at + u->len;
							}
						} else if (lastline[ri] != line) {
							lastline[ri] = line;
							if (ncand == capcand) {
								capcand = capcand ? capcand * 2 : 64;
								cand = xrealloc(cand, capcand * sizeof(*cand));
							}
							cand[ncand++] = (struct cand){ri, line};
						}
					}
				}
			}
		}
	}
	for (size_t i = 0; i < ncand && !c.err; i++)
		match_line(&c, cand[i].rule, cand[i].line);
	for (size_t i = 0; i < r->nfull && !c.err; i++)
		if (active[r->full[i]])
			match_full(&c, r->full[i]);
	rc = c.err;
	if (!rc && out->n > first)
		qsort(out->v + first, out->n - first, sizeof(*out->v), match_cmp);
	else
		out->n = first;
out:
	free(cand);
	free(c.ls);
	free(folded);
	free(active);
	free(lastline);
	free(lastend);
	return rc;
}

void rules_matches_dispose(struct rule_matches *m)
{
	free(m->v);
	m->v = NULL;
	m->n = m->cap = 0;
}
