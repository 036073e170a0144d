/* Rule matching: regex and literal rules, scopes, overlaps, long lines,
 * bad patterns, and the prefilter checked against plain regexec. */
#include <regex.h>
#include <stdlib.h>

#include "check.h"
#include "kairos/err.h"
#include "kairos/rules.h"

/* ---- building memories by hand (the store is another module) ---- */

static struct mem *mk(const char *name, const char *pattern, const char *literal,
		      const char *const *scope)
{
	struct mem *m = calloc(1, sizeof(*m));

	m->name = strdup(name);
	m->description = strdup(name);
	m->rule = calloc(1, sizeof(*m->rule));
	m->rule->pattern = pattern ? strdup(pattern) : NULL;
	m->rule->literal = literal ? strdup(literal) : NULL;
	m->rule->severity = 3;
	for (size_t n = 0; scope && scope[n]; n++) {
		m->scope.v = realloc(m->scope.v, (m->scope.n + 1) * sizeof(char *));
		m->scope.v[m->scope.n++] = strdup(scope[n]);
	}
	return m;
}

static void add(struct mem_list *l, struct mem *m)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = m;
}

static void list_free(struct mem_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct mem *m = l->v[i];
		for (size_t k = 0; k < m->scope.n; k++)
			free(m->scope.v[k]);
		free(m->scope.v);
		free(m->rule->pattern);
		free(m->rule->literal);
		free(m->rule);
		free(m->name);
		free(m->description);
		free(m);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int nproblems;
static char lastproblem[512];

static void on_problem(void *ctx, const struct mem *m, const char *msg)
{
	(void)ctx;
	nproblems++;
	snprintf(lastproblem, sizeof(lastproblem), "%s: %s", m->name, msg);
}

/* Matches text and renders "line:start-end:name ..." */
static char *run(struct rules *r, const char *path, const char *text)
{
	struct rule_matches ms = {0};
	static char out[8192];
	size_t o = 0;

	out[0] = 0;
	CHECK_INT(rules_match(r, path, text, strlen(text), &ms), 0);
	for (size_t i = 0; i < ms.n && o < sizeof(out) - 100; i++)
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%zu:%zu-%zu:%s", i ? " " : "",
				      ms.v[i].line, ms.v[i].start, ms.v[i].end, ms.v[i].mem->name);
	rules_matches_dispose(&ms);
	return out;
}

TEST(test_regex_and_literal)
{
	struct mem_list l = {0};
	struct rules *r;

	add(&l, mk("no-strcpy", "strcpy[[:space:]]*\\(", NULL, NULL));
	add(&l, mk("no-gets", NULL, "gets(", NULL));
	add(&l, mk("tabs", "^\t+", NULL, NULL));
	CHECK_INT(rules_compile(&r, &l, NULL, on_problem, NULL), 0);
	CHECK_INT(rules_count(r), 3);
	CHECK_STR(run(r, "a.c", "int x;\n\tstrcpy (a, b); gets(s);\nfgets(x)\n"),
		  "1:0-1:tabs 1:1-9:no-strcpy 1:16-21:no-gets 2:1-6:no-gets");
	/* a literal is not a pattern: dots and parentheses are themselves */
	CHECK_STR(run(r, "a.c", "getsX\n"), "");
	/* repeated matches on one line, non-overlapping */
	CHECK_STR(run(r, "a.c", "strcpy(strcpy(x))"), "0:0-7:no-strcpy 0:7-14:no-strcpy");
	/* CRLF: the CR is not part of the line */
	CHECK_STR(run(r, "a.c", "x\r\n\tgets(\r\n"), "1:0-1:tabs 1:1-6:no-gets");
	rules_free(r);
	list_free(&l);
}

TEST(test_scopes_exclude_files)
{
	static const char *const src[] = {"src/**/*.c", NULL};
	static const char *const two[] = {"*.h", "include/**", NULL};
	struct mem_list l = {0};
	struct rules *r;

	add(&l, mk("c-only", NULL, "TODO", src));
	add(&l, mk("headers", NULL, "TODO", two));
	add(&l, mk("all", "TO+DO", NULL, NULL));
	CHECK_INT(rules_compile(&r, &l, NULL, NULL, NULL), 0);
	CHECK_STR(run(r, "src/a.c", "TODO"), "0:0-4:c-only 0:0-4:all");
	CHECK_STR(run(r, "src/x/y.c", "TODO"), "0:0-4:c-only 0:0-4:all");
	CHECK_STR(run(r, "tests/a.c", "TODO"), "0:0-4:all");
	CHECK_STR(run(r, "a.h", "TODO"), "0:0-4:headers 0:0-4:all");
	CHECK_STR(run(r, "include/k/a.txt", "TODO"), "0:0-4:headers 0:0-4:all");
	CHECK(rules_applies(r, 0, "src/main.c"));
	CHECK(!rules_applies(r, 0, "src/main.h"));
	rules_free(r);
	list_free(&l);
}

TEST(test_overlapping_rules)
{
	struct mem_list l = {0};
	struct rules *r;

	add(&l, mk("wide", "malloc\\([^)]*\\)", NULL, NULL));
	add(&l, mk("narrow", NULL, "malloc", NULL));
	add(&l, mk("size", "sizeof", NULL, NULL));
	add(&l, mk("any-call", "[a-z]+\\(", NULL, NULL)); /* no required literal but "(" */
	CHECK_INT(rules_compile(&r, &l, NULL, NULL, NULL), 0);
	CHECK_STR(run(r, "x.c", "p = malloc(sizeof x);"),
		  "0:4-10:narrow 0:4-11:any-call 0:4-20:wide 0:11-17:size");
	rules_free(r);
	list_free(&l);
}

TEST(test_invalid_regex_reported_once)
{
	struct mem_list l = {0};
	struct rules *r1, *r2, *r3;

	add(&l, mk("broken", "foo(", NULL, NULL));
	add(&l, mk("fine", "foo", NULL, NULL));
	add(&l, mk("empty-lit", NULL, "", NULL));
	nproblems = 0;
	CHECK_INT(rules_compile(&r1, &l, NULL, on_problem, NULL), 0);
	CHECK_INT(nproblems, 2);
	CHECK_INT(rules_nproblems(r1), 2);
	CHECK_INT(rules_count(r1), 1);
	CHECK_STR(run(r1, "a", "foo(x)"), "0:0-3:fine");
	/* recompiled after a reload: not reported again */
	CHECK_INT(rules_compile(&r2, &l, r1, on_problem, NULL), 0);
	CHECK_INT(nproblems, 2);
	/* the broken memory edited by hand: a new problem, reported */
	free(l.v[0]->rule->pattern);
	l.v[0]->rule->pattern = strdup("bar[");
	CHECK_INT(rules_compile(&r3, &l, r2, on_problem, NULL), 0);
	CHECK_INT(nproblems, 3);
	CHECK(strstr(lastproblem, "broken: rule.pattern does not compile") == lastproblem);
	rules_free(r1);
	rules_free(r2);
	rules_free(r3);
	list_free(&l);
}

/* A pattern whose literal is longer than a rule may be is reported like
 * one that does not compile, and the other rules still work. */
TEST(test_rule_over_its_cap_reported)
{
	struct mem_list l = {0};
	struct rules *r;
	size_t n = 70000;
	char *pat = malloc(n + 1);

	memset(pat, 'x', n);
	pat[n] = '\0';
	add(&l, mk("huge", pat, NULL, NULL));
	add(&l, mk("fine", "foo", NULL, NULL));
	nproblems = 0;
	CHECK_INT(rules_compile(&r, &l, NULL, on_problem, NULL), 0);
	CHECK_INT(nproblems, 1);
	CHECK(strstr(lastproblem, "huge: rule.pattern holds a literal longer than") == lastproblem);
	CHECK_INT(rules_count(r), 1);
	CHECK_STR(run(r, "a", "foo"), "0:0-3:fine");
	rules_free(r);
	list_free(&l);
	free(pat);
}

TEST(test_very_long_line)
{
	struct mem_list l = {0};
	struct rules *r;
	struct rule_matches ms = {0};
	size_t n = 1 << 20;
	char *t = malloc(n + 16);

	add(&l, mk("lit", NULL, "needle", NULL));
	add(&l, mk("re", "nee+dle;", NULL, NULL));
	add(&l, mk("full", "[0-9]{3}", NULL, NULL));
	CHECK_INT(rules_compile(&r, &l, NULL, NULL, NULL), 0);
	memset(t, 'x', n);
	memcpy(t + 10, "needle;", 7);
	memcpy(t + n - 20, "needle;", 7);
	memcpy(t + n / 2, "123", 3);
	strcpy(t + n, "\nneedle\n");
	CHECK_INT(rules_match(r, "big.txt", t, strlen(t), &ms), 0);
	CHECK_INT(ms.n, 6);
	if (ms.n == 6) {
		CHECK_INT(ms.v[0].start, 10);
		CHECK_STR(ms.v[0].mem->name, "lit");
		CHECK_STR(ms.v[1].mem->name, "re");
		CHECK_INT(ms.v[1].end, 17);
		CHECK_INT(ms.v[2].start, n / 2);
		CHECK_STR(ms.v[2].mem->name, "full");
		CHECK_INT(ms.v[3].start, n - 20);
		CHECK_INT(ms.v[5].line, 1);
	}
	rules_matches_dispose(&ms);
	rules_free(r);
	list_free(&l);
	free(t);
}

TEST(test_no_rules_and_empty_text)
{
	struct mem_list l = {0};
	struct rules *r;

	CHECK_INT(rules_compile(&r, &l, NULL, NULL, NULL), 0);
	CHECK_STR(run(r, "a", "anything"), "");
	rules_free(r);
	add(&l, mk("x", "^", NULL, NULL)); /* only empty matches: none reported */
	add(&l, mk("y", NULL, "y", NULL));
	CHECK_INT(rules_compile(&r, &l, NULL, NULL, NULL), 0);
	CHECK_STR(run(r, "a", ""), "");
	CHECK_STR(run(r, "a", "\n\ny"), "2:0-1:y");
	rules_free(r);
	list_free(&l);
}

/* ---- randomized: the prefilter never changes the result ---- */

static unsigned long rng = 12345;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)(rng >> 33) % n;
}

static const char *const pieces[] = {
	"a", "b", "ab", "ba", "c", "foo", "(", "\\(", ")", ".", "[ab]", "[^a]", "x*", "y+", "a?",
	"(a|b)", "(ab|cd)", "(foo)+", "(b)?", "^", "$", "\\<", "\\>", "\\b", "a{2}", "b{1,2}",
	"[ \t]+$", "\\s$", ".$", "[^a]{2,}$", "b+$",
	"c{0,2}", " ", "\t", "[[:space:]]+", "\\w", "\\.", "|", "z", "\xc3\xa9", "\xc3\xa9?",
};

static const char *const words[] = {
	"a", "b", "ab", "ba", "c", "cd", "foo", "(", ")", ".", " ", "  ", "\t", "x", "yy", "z",
	"\xc3\xa9", "aab", "foofoo", "_", "bar", "  ", "b\t",
};

struct ref_match {
	size_t line, start, end, rule;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref_match *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

TEST(test_prefilter_equals_regexec)
{
	for (int round = 0; round < 20; round++) {
		struct mem_list l = {0};
		struct rules *r;
		struct rule_matches ms = {0};
		struct ref_match *ref = NULL;
		size_t nref = 0, cap = 0;
		char text[16384];
		size_t tl = 0;

		for (int i = 0; i < 60; i++) {
			char pat[128] = "", name[32];
			int np = 1 + (int)rnd(5);

			for (int k = 0; k < np; k++)
				strcat(pat, pieces[rnd(ARRAY_LEN(pieces))]);
			snprintf(name, sizeof(name), "r%d", i);
			if (rnd(5) == 0) {
				const char *w = words[rnd(ARRAY_LEN(words))];
				add(&l, mk(name, NULL, w, NULL));
			} else {
				add(&l, mk(name, pat, NULL, NULL));
			}
		}
		for (int ln = 0; ln < 300 && tl < sizeof(text) - 200; ln++) {
			int nw = (int)rnd(12);
			for (int k = 0; k < nw; k++) {
				const char *w = words[rnd(ARRAY_LEN(words))];
				memcpy(text + tl, w, strlen(w));
				tl += strlen(w);
			}
			if (rnd(7) == 0)
				text[tl++] = '\r';
			text[tl++] = '\n';
		}
		text[tl] = 0;
		CHECK_INT(rules_compile(&r, &l, NULL, NULL, NULL), 0);
		CHECK_INT(rules_match(r, "f", text, tl, &ms), 0);

		/* reference: every rule on every line, no prefilter */
		for (size_t ri = 0; ri < rules_count(r); ri++) {
			const struct mem *m = rules_mem(r, ri);
			regex_t re;
			bool isre = m->rule->pattern != NULL;
			const char *p = text;

			if (isre && regcomp(&re, m->rule->pattern, REG_EXTENDED | REG_NEWLINE))
				continue;
			for (size_t line = 0; p < text + tl || line == 0; line++) {
				const char *e = memchr(p, '\n', (size_t)(text + tl - p));
				size_t n = e ? (size_t)(e - p) : (size_t)(text + tl - p);
				char buf[512];
				size_t off = 0;

				if (n && p[n - 1] == '\r')
					n--;
				memcpy(buf, p, n);
				buf[n] = 0;
				while (off <= n) {
					regmatch_t mm[1] = {{(regoff_t)off, (regoff_t)n}};
					size_t s, en;

					if (isre) {
						if (regexec(&re, buf, 1, mm, REG_STARTEND))
							break;
						s = (size_t)mm[0].rm_so;
						en = (size_t)mm[0].rm_eo;
					} else {
						char *f = strstr(buf + off, m->rule->literal);
						if (!f)
							break;
						s = (size_t)(f - buf);
						en = s + strlen(m->rule->literal);
					}
					if (en > s) {
						if (nref == cap) {
							cap = cap ? cap * 2 : 256;
							ref = realloc(ref, cap * sizeof(*ref));
						}
						ref[nref++] = (struct ref_match){line, s, en, ri};
						off = en;
					} else {
						off = s + 1;
					}
				}
				if (!e)
					break;
				p = e + 1;
			}
			if (isre)
				regfree(&re);
		}
		qsort(ref, nref, sizeof(*ref), ref_cmp);
		CHECK_INT(ms.n, nref);
		for (size_t i = 0; i < ms.n && i < nref; i++) {
			if (ms.v[i].line != ref[i].line || ms.v[i].start != ref[i].start ||
			    ms.v[i].end != ref[i].end || ms.v[i].rule != ref[i].rule) {
				fprintf(stderr, "round %d: match %zu differs: %zu:%zu-%zu r%zu (%s) vs %zu:%zu-%zu r%zu\n",
					round, i, ms.v[i].line, ms.v[i].start, ms.v[i].end, ms.v[i].rule,
					ms.v[i].mem->rule->pattern ? ms.v[i].mem->rule->pattern : ms.v[i].mem->rule->literal,
					ref[i].line, ref[i].start, ref[i].end, ref[i].rule);
				CHECK(0);
				break;
			}
		}
		CHECK(nref > 0);
		free(ref);
		rules_matches_dispose(&ms);
		rules_free(r);
		list_free(&l);
	}
}

int main(void)
{
	RUN(test_regex_and_literal);
	RUN(test_scopes_exclude_files);
	RUN(test_overlapping_rules);
	RUN(test_invalid_regex_reported_once);
	RUN(test_rule_over_its_cap_reported);
	RUN(test_very_long_line);
	RUN(test_no_rules_and_empty_text);
	RUN(test_prefilter_equals_regexec);
	CHECK_MAIN_END();
}
