/* tick-bench: figures for the tick engine (prints, asserts nothing).
 *   tick-bench tick            median tick over a 5,000-line file, 500 rules
 *   tick-bench gen DIR         writes a workspace for `kairos check`: 20
 *                              files of 5,000 lines, 500 rule memories in
 *                              DIR/.kairos/memory/, and DIR/patterns.txt
 *                              (the same rules for grep -E -f) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/tick.h"

#define NRULES 500
#define NLINES 5000

static unsigned long rng = 42;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ul + 1442695040888963407ul;
	return (unsigned)(rng >> 33) % n;
}

static const char *const vocab[] = {
	"int", "char", "size_t", "return", "if", "for", "while", "struct", "buf", "len",
	"ptr", "count", "node", "list", "next", "value", "key", "err", "out", "ctx",
	"memcpy", "strlen", "printf", "free", "data", "item", "state", "flags", "index", "total",
};

/* Rule i: its pattern (ERE) and whether it is a literal rule. Most have a
 * rare identifier as required literal; a few have none. */
static void rule_text(int i, char *pat, size_t n, bool *literal)
{
	*literal = false;
	switch (i % 10) {
	case 0:
		snprintf(pat, n, "deprecated_fn_%d(", i);
		*literal = true;
		break;
	case 1:
		snprintf(pat, n, "\\bold_api_%d[[:space:]]*\\(", i);
		break;
	case 2:
		snprintf(pat, n, "(legacy_%d|compat_%d)_init\\(", i, i);
		break;
	case 3:
		snprintf(pat, n, "unsafe_copy_%d\\([^)]*\\)", i);
		break;
	case 4:
		snprintf(pat, n, "TODO_%d:? +.*", i);
		break;
	case 5:
		snprintf(pat, n, "g_config_%d *= *[0-9]+", i);
		break;
	case 6:
		snprintf(pat, n, "#define +OLD_MACRO_%d", i);
		break;
	case 7:
		snprintf(pat, n, "raw_alloc_%d(_zero)?\\(", i);
		break;
	case 8:
		snprintf(pat, n, "struct old_type_%d *\\*", i);
		break;
	default:
		if (getenv("NOFULL") == NULL && i % 50 == 9) /* ten rules with no required literal */
			snprintf(pat, n, i % 100 == 9 ? "^\t+ {%d}[^ ]" : "[[:space:]]{%d,}$", 3 + i / 100);
		else
			snprintf(pat, n, "%s_bad_%d", vocab[i % 30], i);
		break;
	}
}

static void gen_text(struct buf *b, size_t lines)
{
	for (size_t l = 0; l < lines; l++) {
		int words = 2 + (int)rnd(8);

		buf_puts(b, rnd(4) ? "\t" : "    ");
		for (int w = 0; w < words; w++) {
			buf_puts(b, vocab[rnd(30)]);
			buf_puts(b, rnd(3) ? " " : "(");
		}
		if (rnd(200) == 0) { /* about one line in 200 hits a rule */
			int r = (int)rnd(NRULES);
			switch (r % 10) {
			case 0: buf_printf(b, "deprecated_fn_%d(x)", r); break;
			case 1: buf_printf(b, "old_api_%d (y)", r); break;
			case 3: buf_printf(b, "unsafe_copy_%d(a, b)", r); break;
			case 5: buf_printf(b, "g_config_%d = 42", r); break;
			default: buf_printf(b, "compat_%d_init(", r); break;
			}
		}
		buf_puts(b, ";\n");
	}
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void build_mems(struct mem_list *l)
{
	for (int i = 0; i < NRULES; i++) {
		struct mem *m = xcalloc(1, sizeof(*m));
		char pat[128], name[32];
		bool lit;

		rule_text(i, pat, sizeof(pat), &lit);
		snprintf(name, sizeof(name), "rule-%d", i);
		m->name = xstrdup(name);
		m->description = xstrdup(name);
		m->rule = xcalloc(1, sizeof(*m->rule));
		if (lit)
			m->rule->literal = xstrdup(pat);
		else
			m->rule->pattern = xstrdup(pat);
		m->rule->severity = SEV_INFORMATION;
		l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
		l->v[l->n++] = m;
	}
}

static void free_mems(struct mem_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]->name);
		free(l->v[i]->description);
		free(l->v[i]->rule->literal);
		free(l->v[i]->rule->pattern);
		free(l->v[i]->rule);
		free(l->v[i]);
	}
	free(l->v);
}

/* 1, said, when b failed */
static int broken(const struct buf *b)
{
	if (!buf_err(b))
		return 0;
	fprintf(stderr, "tick-bench: %s\n", kr_errmsg());
	return 1;
}

static int bench_tick(void)
{
	struct mem_list l = {0};
	struct rules *r;
	struct buf text = BUF_INIT_CAP(BUF_CAP_RPC_BODY); /* an open document */
	struct tick_ctx c = {0};
	double t[101], t0;
	size_t found = 0;
	int runs = 101;

	build_mems(&l);
	t0 = now_ms();
	rules_compile(&r, &l, NULL, NULL, NULL);
	printf("compile 500 rules: %.2f ms\n", now_ms() - t0);
	gen_text(&text, NLINES);
	if (broken(&text))
		return 1;
	c.rules = r;
	for (int i = 0; i < runs; i++) {
		struct suggestion_list out = {0};

		t0 = now_ms();
		tick_document(&out, &c, "src/file.c", text.data, text.len);
		t[i] = now_ms() - t0;
		found = out.n;
		tick_suggestion_list_dispose(&out);
	}
	qsort(t, (size_t)runs, sizeof(double), dcmp);
	printf("tick: %d lines (%zu bytes), %d rules, %zu suggestions: median %.3f ms, "
	       "min %.3f ms, max %.3f ms (target <= 5 ms)\n",
	       NLINES, text.len, NRULES, found, t[runs / 2], t[0], t[runs - 1]);
	rules_free(r);
	free_mems(&l);
	buf_dispose(&text);
	return 0;
}

static int write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "tick-bench: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* YAML single-quoted scalar */
static void yq(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_putc(b, '\'');
		if (*s == '\t')
			buf_puts(b, "'\"\\t\"'"); /* never happens inside a quote below */
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

static int gen(const char *dir)
{
	char path[4096];
	struct buf pats = BUF_INIT_CAP(BUF_CAP_LISTING); /* every rule's pattern */

	snprintf(path, sizeof(path), "%s/.kairos", dir);
	mkdir(dir, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/.kairos/memory", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/src", dir);
	mkdir(path, 0755);
	for (int i = 0; i < NRULES; i++) {
		char pat[128];
		bool lit;
		struct buf m = BUF_INIT_CAP(BUF_CAP_MEMFILE);

		rule_text(i, pat, sizeof(pat), &lit);
		buf_printf(&m, "---\nname: rule-%d\ndescription: bench rule %d\ntype: feedback\n"
			       "created: 2026-03-02T10:15:00Z\nupdated: 2026-03-02T10:15:00Z\nrule:\n  %s: ",
			   i, i, lit ? "literal" : "pattern");
		if (strchr(pat, '\t')) {
			buf_putc(&m, '"');
			for (const char *p = pat; *p; p++) {
				if (*p == '\t')
					buf_puts(&m, "\\t");
				else if (*p == '\\' || *p == '"')
					buf_printf(&m, "\\%c", *p);
				else
					buf_putc(&m, *p);
			}
			buf_putc(&m, '"');
		} else {
			yq(&m, pat);
		}
		buf_printf(&m, "\n  message: 'bench rule %d'\n---\nBench rule %d.\n", i, i);
		snprintf(path, sizeof(path), "%s/.kairos/memory/rule-%d.md", dir, i);
		if (broken(&m) || write_file(path, m.data, m.len))
			return 1;
		buf_dispose(&m);
		if (lit) { /* grep -E needs the literal escaped */
			for (const char *p = pat; *p; p++) {
				if (strchr(".[]()*+?{}|^$\\", *p))
					buf_putc(&pats, '\\');
				buf_putc(&pats, *p);
			}
			buf_putc(&pats, '\n');
		} else {
			buf_printf(&pats, "%s\n", pat);
		}
	}
	snprintf(path, sizeof(path), "%s/patterns.txt", dir);
	if (broken(&pats) || write_file(path, pats.data, pats.len))
		return 1;
	buf_dispose(&pats);
	for (int f = 0; f < 20; f++) {
		struct buf t = BUF_INIT_CAP(BUF_CAP_RPC_BODY); /* a document */

		gen_text(&t, NLINES);
		snprintf(path, sizeof(path), "%s/src/file%02d.c", dir, f);
		if (broken(&t) || write_file(path, t.data, t.len))
			return 1;
		buf_dispose(&t);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "tick"))
		return bench_tick();
	if (argc >= 3 && !strcmp(argv[1], "gen"))
		return gen(argv[2]);
	fprintf(stderr, "usage: tick-bench tick | gen DIR\n");
	return 2;
}
