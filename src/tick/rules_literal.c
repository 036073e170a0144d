/* rules_literal: what a POSIX ERE tells before it runs: the literals one
 * of which every match must contain (a small recursive parse of the
 * pattern; anything it does not understand gives "no requirement"), and
 * for patterns ending in "X$" the bytes a matching line can end with.
 * rules.c builds its one-pass scanner from these. */
#include "rules_literal.h"
#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/text.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- required literals ------------------------------------------------ */

#define REQ_MAX_ALTS 16

/* An OR-set of literals; n == 0 means "no requirement known". */
struct req {
	char *v[REQ_MAX_ALTS];
	size_t n;
};

static void req_clear(struct req *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->v[i]);
	q->n = 0;
}

/* Shortest alternative: what a candidate filter is worth. */
static size_t req_score(const struct req *q)
{
	size_t m = SIZE_MAX;

	if (!q->n)
		return 0;
	for (size_t i = 0; i < q->n; i++) {
		size_t l = strlen(q->v[i]);
		if (l < m)
			m = l;
	}
	return m;
}

/* Keeps the better of *best and *cand in *best; cand is emptied. */
static void req_take_better(struct req *best, struct req *cand)
{
	size_t sb = req_score(best), sc = req_score(cand);

	if (sc > sb || (sc == sb && sc && cand->n < best->n)) {
		req_clear(best);
		*best = *cand;
		cand->n = 0;
	} else {
		req_clear(cand);
	}
}

struct rparse {
	const char *p;
	int depth;
	bool bad; /* something we do not understand: give up on a requirement */
	bool too_long; /* a literal run passed RULES_LITERAL_MAX */
};

static void parse_alt(struct rparse *ps, struct req *out);

/* Skips a bracket expression; ps->p is just after '['. */
static void skip_bracket(struct rparse *ps)
{
	const char *p = ps->p;

	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			char close = p[1];
			p += 2;
			while (*p && !(*p == close && p[1] == ']'))
				p++;
			if (!*p)
				break;
			p += 2;
			continue;
		}
		p++;
	}
	if (*p != ']') {
		ps->bad = true;
		ps->p = p;
		return;
	}
	ps->p = p + 1;
}

/* Parses the quantifiers after an atom: 0 none, 1 "one or more" (+,
 * {n,..} with n >= 1), 2 "may be absent" (?, *, {0,..}, anything odd). */
static int parse_quant(struct rparse *ps)
{
	int q = 0;

	for (;;) {
		const char *p = ps->p;

		if (*p == '*' || *p == '?') {
			q = 2;
			ps->p++;
		} else if (*p == '+') {
			if (q < 1)
				q = 1;
			ps->p++;
		} else if (*p == '{') {
			unsigned long lo = 0;
			bool digits = false;

			p++;
			while (*p >= '0' && *p <= '9') {
				lo = lo * 10 + (unsigned long)(*p - '0');
				if (lo > 100000)
					lo = 100000;
				digits = true;
				p++;
			}
			if (*p == ',') {
				p++;
				while (*p >= '0' && *p <= '9')
					p++;
			}
			if (*p != '}') {
				/* not an interval: treat the atom as optional and
				 * the brace as an unknown atom */
				ps->p++;
				return 2;
			}
			ps->p = p + 1;
			if (!digits || lo == 0)
				q = 2;
			else if (q < 1)
				q = 1;
		} else {
			return q;
		}
	}
}

static void run_finish(struct buf *run, struct req *best)
{
	struct req cand = {0};

	if (!run->len)
		return;
	cand.v[0] = xstrndup(run->data, run->len);
	cand.n = 1;
	req_take_better(best, &cand);
	buf_truncate(run, 0);
}

/* One branch: a sequence of pieces. Its requirement is the best of its
 * literal runs and of its mandatory groups. */
static void parse_branch(struct rparse *ps, struct req *out)
{
	struct buf run = BUF_INIT_CAP(RULES_LITERAL_MAX);
	struct req best = {0};

	while (*ps->p && *ps->p != '|' && !(*ps->p == ')' && ps->depth > 0) && !ps->bad) {
		const char *p = ps->p;
		char atom[4];
		size_t alen = 0;
		int q;

		if (*p == '(') {
			struct req inner = {0};

			ps->p++;
			ps->depth++;
			parse_alt(ps, &inner);
			ps->depth--;
			if (*ps->p != ')') {
				ps->bad = true;
				req_clear(&inner);
				break;
			}
			ps->p++;
			q = parse_quant(ps);
			run_finish(&run, &best);
			if (q == 2)
				req_clear(&inner);
			else
				req_take_better(&best, &inner);
			continue;
		}
		if (*p == '[') {
			ps->p++;
			skip_bracket(ps);
			parse_quant(ps);
			run_finish(&run, &best);
			continue;
		}
		if (*p == '.' || *p == '^' || *p == '$' || *p == '*' || *p == '+' || *p == '?' ||
		    *p == '{' || *p == ')') {
			ps->p++;
			parse_quant(ps);
			run_finish(&run, &best);
			continue;
		}
		if (*p == '\\') {
			unsigned char d = (unsigned char)p[1];

			if (!d) {
				ps->bad = true;
				break;
			}
			if ((d >= '0' && d <= '9') || (d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') ||
			    d == '<' || d == '>' || d == '`' || d == '\'' || d >= 0x80) {
				/* \w, \s, \b, back-references, ...: not a literal */
				ps->p += 2;
				parse_quant(ps);
				run_finish(&run, &best);
				continue;
			}
			atom[alen++] = (char)d;
			ps->p += 2;
		} else {
			size_t sl = text_utf8_seqlen(p, strnlen(p, 4));

			if (sl == 0)
				sl = 1;
			memcpy(atom, p, sl);
			alen = sl;
			ps->p += sl;
		}
		q = parse_quant(ps);
		if (q == 2) {
			run_finish(&run, &best);
		} else if (q == 1) {
			buf_append(&run, atom, alen);
			run_finish(&run, &best);
			buf_append(&run, atom, alen);
		} else {
			buf_append(&run, atom, alen);
		}
	}
	if (buf_err(&run)) { /* the run lost its bytes: no requirement */
		ps->too_long = ps->bad = true;
		req_clear(&best);
	}
	run_finish(&run, &best);
	buf_dispose(&run);
	*out = best;
}

static void parse_alt(struct rparse *ps, struct req *out)
{
	struct req acc = {0};
	bool none = false;

	for (;;) {
		struct req br = {0};

		parse_branch(ps, &br);
		if (!br.n || acc.n + br.n > REQ_MAX_ALTS)
			none = true;
		if (!none) {
			for (size_t i = 0; i < br.n; i++)
				acc.v[acc.n++] = br.v[i];
			br.n = 0;
		}
		req_clear(&br);
		if (*ps->p != '|' || ps->bad)
			break;
		ps->p++;
	}
	if (none || ps->bad)
		req_clear(&acc);
	*out = acc;
}

int rules_literal_required(const char *pattern, char ***out, size_t *n)
{
	struct rparse ps = {.p = pattern};
	struct req q = {0};

	parse_alt(&ps, &q);
	if (*ps.p || ps.bad) /* stray ')' at the top or a parse we gave up on */
		req_clear(&q);
	*n = q.n;
	*out = q.n ? xcalloc(q.n, sizeof(char *)) : NULL;
	for (size_t i = 0; i < q.n; i++)
		(*out)[i] = q.v[i];
	if (ps.too_long)
		return kr_errc(KR_ENOMEM, "rule.pattern holds a literal longer than %zu bytes",
			       RULES_LITERAL_MAX);
	return 0;
}

void rules_literal_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- the last byte of "X$" patterns ------------------------------------ */

bool rules_literal_last_byte(const char *pat, uint8_t set[32])
{
	const char *atom = NULL, *p = pat;
	size_t alen = 0;
	bool mandatory = true;
	char src[300];
	regex_t re;

	while (*p) {
		if (*p == '(' || *p == '|' || *p == ')') {
			return false;
		} else if (*p == '^') {
			if (p != pat)
				return false;
			p++;
		} else if (*p == '$') {
			if (p[1])
				return false;
			break;
		} else if (*p == '*' || *p == '?') {
			mandatory = false;
			p++;
		} else if (*p == '+') {
			p++;
		} else if (*p == '{') {
			if (!(p[1] >= '1' && p[1] <= '9'))
				mandatory = false;
			while (*p && *p != '}')
				p++;
			if (!*p)
				return false;
			p++;
		} else {
			const char *s = p;

			if (*p == '[') {
				struct rparse ps = {.p = p + 1};
				skip_bracket(&ps);
				if (ps.bad)
					return false;
				p = ps.p;
			} else if (*p == '\\') {
				if (!p[1])
					return false;
				p += 2;
			} else {
				p++;
			}
			atom = s;
			alen = (size_t)(p - s);
			mandatory = true;
		}
	}
	if (*p != '$' || !atom || !mandatory || alen > 256 || (unsigned char)atom[alen - 1] >= 0x80)
		return false;
	snprintf(src, sizeof(src), "^%.*s$", (int)alen, atom);
	if (regcomp(&re, src, REG_EXTENDED | REG_NEWLINE))
		return false;
	memset(set, 0, 32);
	for (unsigned b = 0; b < 256; b++) {
		char one[2] = {(char)b, 0};
		regmatch_t m[1] = {{0, 1}};

		if (b == 0 || b >= 0x80 || (b != '\n' && !regexec(&re, one, 1, m, REG_STARTEND)))
			set[b >> 3] |= (uint8_t)(1u << (b & 7));
	}
	regfree(&re);
	return true;
}
