/* glob: scope patterns compiled to a small NFA over path bytes and run
 * as a bit-set simulation, so no pattern can make matching exponential. */
#include "kairos/glob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kairos/err.h"

enum gtok {
	G_CHAR,   /* one byte, c */
	G_ANY,    /* ?: one byte but '/' */
	G_CLASS,  /* [...]: a byte of set (never '/') */
	G_STAR,   /* *: any run without '/' */
	G_DSTAR,  /* trailing **: any run */
	G_DDIR,   /* **: zero or more "component/"; followed by its G_DLOOP */
	G_DLOOP,  /* inside one such component */
};

struct gnode {
	unsigned char kind;
	unsigned char c;
	uint32_t set[8]; /* G_CLASS only */
};

struct glob {
	struct gnode *t;
	size_t n;
	size_t words; /* of a state set of n + 1 bits */
};

static void set_bit(uint32_t *s, unsigned c) { s[c >> 5] |= 1u << (c & 31); }
static bool has_bit(const uint32_t *s, unsigned c) { return s[c >> 5] >> (c & 31) & 1; }

/* Parses a bracket expression at p (just after '['); returns the byte
 * after ']' or NULL when unclosed. */
static const char *parse_class(const char *p, struct gnode *g)
{
	bool neg = false;
	uint32_t s[8] = {0};

	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (bool first = true; *p && (first || *p != ']'); first = false) {
		unsigned char lo = (unsigned char)*p, hi;

		if (lo == '\\' && p[1])
			lo = (unsigned char)*++p;
		p++;
		hi = lo;
		if (*p == '-' && p[1] && p[1] != ']') {
			p++;
			if (*p == '\\' && p[1])
				p++;
			hi = (unsigned char)*p++;
		}
		for (unsigned c = lo; c <= hi; c++)
			set_bit(s, c);
	}
	if (*p != ']')
		return NULL;
	for (int i = 0; i < 8; i++)
		g->set[i] = neg ? ~s[i] : s[i];
	g->set['/' >> 5] &= ~(1u << ('/' & 31));
	return p + 1;
}

int glob_compile(struct glob **out, const char *pattern)
{
	size_t plen = strlen(pattern);
	struct glob *g;
	const char *p = pattern;

	if (plen > GLOB_MAX)
		return kr_errc(KR_EINVAL, "glob longer than %d bytes", GLOB_MAX);
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	g = xcalloc(1, sizeof(*g));
	g->t = xcalloc(plen + 2, sizeof(*g->t));
	while (*p) {
		struct gnode *t = &g->t[g->n];
		bool at_start = p == pattern || p[-1] == '/';

		if (p[0] == '*' && p[1] == '*' && at_start && (p[2] == '/' || !p[2])) {
			t->kind = p[2] ? G_DDIR : G_DSTAR;
			if (t->kind == G_DDIR)
				g->t[++g->n].kind = G_DLOOP;
			p += p[2] ? 3 : 2;
			while (t->kind == G_DDIR && *p == '/')
				p++;
		} else if (*p == '*') {
			t->kind = G_STAR;
			while (*p == '*')
				p++;
		} else if (*p == '?') {
			t->kind = G_ANY;
			p++;
		} else if (*p == '[') {
			t->kind = G_CLASS;
			p = parse_class(p + 1, t);
			if (!p) {
				glob_free(g);
				return kr_errc(KR_EINVAL, "unclosed '[' in glob '%s'", pattern);
			}
		} else {
			if (*p == '\\' && p[1])
				p++;
			t->kind = G_CHAR;
			t->c = (unsigned char)*p++;
		}
		g->n++;
	}
	/* "dir/" means everything below dir */
	if (g->n && g->t[g->n - 1].kind == G_CHAR && g->t[g->n - 1].c == '/' && plen)
		g->t[g->n++].kind = G_DSTAR;
	g->words = (g->n + 1 + 63) / 64;
	*out = g;
	return 0;
}

void glob_free(struct glob *g)
{
	if (!g)
		return;
	free(g->t);
	free(g);
}

/* Adds the states reachable without input (every loop node may be
 * skipped); edges only go forward, so one pass in order suffices. */
static void closure(const struct glob *g, uint64_t *s)
{
	for (size_t i = 0; i < g->n; i++) {
		enum gtok k = g->t[i].kind;
		size_t to = k == G_DDIR ? i + 2 : i + 1;

		if ((s[i >> 6] >> (i & 63) & 1) && (k == G_STAR || k == G_DSTAR || k == G_DDIR))
			s[to >> 6] |= 1ull << (to & 63);
	}
}

bool glob_match(const struct glob *g, const char *path)
{
	uint64_t sbuf[2 * 66];
	uint64_t *cur = sbuf, *nxt = sbuf + g->words;
	bool any = true;

	while (path[0] == '.' && path[1] == '/')
		path += 2;
	memset(sbuf, 0, sizeof(uint64_t) * 2 * g->words);
	cur[0] = 1;
	closure(g, cur);
	for (const unsigned char *p = (const unsigned char *)path; *p && any; p++) {
		unsigned c = *p;

		memset(nxt, 0, sizeof(uint64_t) * g->words);
		any = false;
		for (size_t w = 0; w < g->words; w++) {
			for (uint64_t bits = cur[w]; bits; bits &= bits - 1) {
				size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
				const struct gnode *t;
				size_t to = SIZE_MAX;

				if (i >= g->n)
					continue;
				t = &g->t[i];
				switch ((enum gtok)t->kind) {
				case G_CHAR:
					if (t->c == c)
						to = i + 1;
					break;
				case G_ANY:
					if (c != '/')
						to = i + 1;
					break;
				case G_CLASS:
					if (has_bit(t->set, c))
						to = i + 1;
					break;
				case G_STAR:
					if (c != '/')
						to = i;
					break;
				case G_DSTAR:
					to = i;
					break;
				case G_DDIR:
					if (c != '/')
						to = i + 1;
					break;
				case G_DLOOP:
					to = c == '/' ? i - 1 : i;
					break;
				}
				if (to != SIZE_MAX) {
					nxt[to >> 6] |= 1ull << (to & 63);
					any = true;
				}
			}
		}
		closure(g, nxt);
		uint64_t *tmp = cur;
		cur = nxt;
		nxt = tmp;
	}
	return any && (cur[g->n >> 6] >> (g->n & 63) & 1);
}

bool glob_match_str(const char *pattern, const char *path)
{
	struct glob *g;
	bool r;

	if (glob_compile(&g, pattern) < 0)
		return false;
	r = glob_match(g, path);
	glob_free(g);
	return r;
}
