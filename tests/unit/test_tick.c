/* The tick engine: suggestions from rule matches, stable ids, budget and
 * ranking, suppression, non-text documents, stale refs, co-change. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "kairos/err.h"
#include "kairos/tick.h"

static struct mem *mk(const char *name, const char *pattern, const char *literal, int sev,
		      const char *scope, const char *ref)
{
	struct mem *m = calloc(1, sizeof(*m));

	m->name = strdup(name);
	m->description = strdup("desc");
	m->store = STORE_PERSONAL;
	m->path = strdup("/mem/x.md");
	m->rule = calloc(1, sizeof(*m->rule));
	m->rule->pattern = pattern ? strdup(pattern) : NULL;
	m->rule->literal = literal ? strdup(literal) : NULL;
	m->rule->severity = sev;
	m->rule->message = strdup(name);
	if (scope) {
		m->scope.v = calloc(1, sizeof(char *));
		m->scope.v[m->scope.n++] = strdup(scope);
	}
	if (ref) {
		m->refs.v = calloc(1, sizeof(char *));
		m->refs.v[m->refs.n++] = strdup(ref);
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
		if (m->scope.n)
			free(m->scope.v[0]);
		if (m->refs.n)
			free(m->refs.v[0]);
		free(m->scope.v);
		free(m->refs.v);
		free(m->rule->pattern);
		free(m->rule->literal);
		free(m->rule->message);
		free(m->rule->fix);
		free(m->rule);
		free(m->name);
		free(m->description);
		free(m->path);
		free(m);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int doc(struct suggestion_list *out, const struct tick_ctx *c, const char *path,
	       const char *text)
{
	return tick_document(out, c, path, text, strlen(text));
}

/* ids set for suppression / known */
struct idset {
	char ids[16][SUGGESTION_ID_LEN + 1];
	int n;
};

static bool in_set(void *ctx, const char *id)
{
	struct idset *s = ctx;
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->ids[i], id))
			return true;
	return false;
}

TEST(test_suggestion_fields)
{
	struct mem_list l = {0};
	struct rules *r;
	struct suggestion_list out = {0};
	struct tick_ctx c = {0};

	add(&l, mk("no-strcpy", "strcpy\\(", NULL, 2, NULL, NULL));
	l.v[0]->rule->fix = strdup("str_copy(");
	rules_compile(&r, &l, NULL, NULL, NULL);
	c.rules = r;
	CHECK_INT(doc(&out, &c, "src/a.c", "int x;\n  y = strcpy(a, b);\n"), 0);
	CHECK_INT(out.n, 1);
	if (out.n == 1) {
		struct suggestion *s = &out.v[0];
		CHECK_STR(s->kind, "rule");
		CHECK_STR(s->memory, "no-strcpy");
		CHECK_INT(s->store, STORE_PERSONAL);
		CHECK_STR(s->path, "src/a.c");
		CHECK_INT(s->line, 1);
		CHECK_INT(s->start, 6);
		CHECK_INT(s->end, 13);
		CHECK_INT(s->severity, 2);
		CHECK_STR(s->message, "no-strcpy");
		CHECK_STR(s->fix, "str_copy(");
		CHECK_STR(s->mem_path, "/mem/x.md");
		CHECK_INT(strlen(s->id), SUGGESTION_ID_LEN);
	}
	tick_suggestion_list_dispose(&out);
	/* no message: the description */
	free(l.v[0]->rule->message);
	l.v[0]->rule->message = NULL;
	doc(&out, &c, "a.c", "strcpy(");
	CHECK(out.n == 1 && !strcmp(out.v[0].message, "desc"));
	tick_suggestion_list_dispose(&out);
	rules_free(r);
	list_free(&l);
}

TEST(test_stable_ids)
{
	struct mem_list l = {0};
	struct rules *r;
	struct suggestion_list a = {0}, b = {0}, c2 = {0}, d = {0};
	struct tick_ctx c = {0};

	add(&l, mk("no-strcpy", "strcpy\\(", NULL, 3, NULL, NULL));
	rules_compile(&r, &l, NULL, NULL, NULL);
	c.rules = r;
	doc(&a, &c, "a.c", "x\nstrcpy(a, b);\n");
	/* moved down, re-indented, spacing retyped, CRLF */
	doc(&b, &c, "a.c", "y\nz\nw\n\t  strcpy(a,  b);  \r\n");
	/* a different line content */
	doc(&c2, &c, "a.c", "strcpy(a, c);\n");
	/* two on one line: distinct ids; the first keeps the single one's id */
	doc(&d, &c, "a.c", "strcpy(a, b);strcpy(a, b);\n");
	CHECK(a.n == 1 && b.n == 1 && c2.n == 1 && d.n == 2);
	if (a.n == 1 && b.n == 1 && c2.n == 1 && d.n == 2) {
		CHECK_INT(b.v[0].line, 3);
		CHECK_STR(a.v[0].id, b.v[0].id);
		CHECK(strcmp(a.v[0].id, c2.v[0].id));
		CHECK(strcmp(d.v[0].id, d.v[1].id));
	}
	tick_suggestion_list_dispose(&a);
	/* another file: another place */
	doc(&a, &c, "b.c", "x\nstrcpy(a, b);\n");
	CHECK(a.n == 1 && b.n == 1 && strcmp(a.v[0].id, b.v[0].id));
	tick_suggestion_list_dispose(&a);
	tick_suggestion_list_dispose(&b);
	tick_suggestion_list_dispose(&c2);
	tick_suggestion_list_dispose(&d);
	rules_free(r);
	list_free(&l);
}

TEST(test_suppression)
{
	struct mem_list l = {0};
	struct rules *r;
	struct suggestion_list a = {0};
	struct tick_ctx c = {0};
	struct idset rejected = {0};

	add(&l, mk("no-gets", NULL, "gets(", 3, NULL, NULL));
	rules_compile(&r, &l, NULL, NULL, NULL);
	c.rules = r;
	c.suppressed = in_set;
	c.suppressed_ctx = &rejected;
	doc(&a, &c, "a.c", "gets(x);\ngets(y);\n");
	CHECK_INT(a.n, 2);
	strcpy(rejected.ids[rejected.n++], a.v[0].id);
	tick_suggestion_list_dispose(&a);
	/* the rejected one stays away, moved and retyped; the other stays */
	doc(&a, &c, "a.c", "// new\ngets(y);\n  gets(x);\n");
	CHECK_INT(a.n, 1);
	if (a.n == 1)
		CHECK_INT(a.v[0].line, 1);
	tick_suggestion_list_dispose(&a);
	rules_free(r);
	list_free(&l);
}

TEST(test_budget_and_ranking)
{
	struct mem_list l = {0};
	struct rules *r;
	struct suggestion_list a = {0};
	struct tick_ctx c = {0};
	struct idset known = {0};
	char text[512] = "";
	size_t kept;

	add(&l, mk("info", NULL, "i", 3, NULL, NULL));
	add(&l, mk("err", NULL, "e", 1, NULL, NULL));
	add(&l, mk("warn-scoped", NULL, "w", 2, "**/*.c", NULL));
	add(&l, mk("warn", NULL, "W", 2, NULL, NULL));
	add(&l, mk("hint", NULL, "h", 4, NULL, NULL));
	rules_compile(&r, &l, NULL, NULL, NULL);
	c.rules = r;
	for (int i = 0; i < 5; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "h%d\ni%d\nW%d\nw%d\ne%d\n", i, i, i, i, i);
	doc(&a, &c, "x.c", text);
	CHECK_INT(a.n, 25);
	tick_rank(&a);
	CHECK_STR(a.v[0].memory, "err");
	CHECK_INT(a.v[0].line, 4); /* then by position */
	CHECK_STR(a.v[5].memory, "warn-scoped");
	CHECK_STR(a.v[10].memory, "warn");
	CHECK_STR(a.v[24].memory, "hint");

	/* the three most relevant new ones; already-shown ones don't count */
	strcpy(known.ids[known.n++], a.v[24].id); /* a hint shown earlier */
	kept = tick_select(&a, 3, in_set, &known);
	CHECK_INT(kept, 3);
	CHECK_INT(a.n, 4);
	if (a.n == 4) {
		/* position order afterwards */
		CHECK_STR(a.v[0].memory, "err");
		CHECK_INT(a.v[0].line, 4);
		CHECK_INT(a.v[1].line, 9);
		CHECK_INT(a.v[2].line, 14);
		CHECK_STR(a.v[3].memory, "hint");
		CHECK_INT(a.v[3].line, 20);
	}
	tick_suggestion_list_dispose(&a);
	doc(&a, &c, "x.c", text);
	CHECK_INT(tick_select(&a, 0, NULL, NULL), 25); /* no limit */
	tick_suggestion_list_dispose(&a);
	rules_free(r);
	list_free(&l);
}

TEST(test_non_text_skipped)
{
	struct mem_list l = {0};
	struct rules *r;
	struct suggestion_list a = {0};
	struct tick_ctx c = {0};
	char bin[64] = "gets(\0\0\x01gets(";
	char latin1[] = "caf\xe9 gets(x); /* na\xefve */ and a long enough line of ascii text";
	char junk[64];

	add(&l, mk("g", NULL, "gets(", 3, NULL, NULL));
	rules_compile(&r, &l, NULL, NULL, NULL);
	c.rules = r;
	CHECK_INT(tick_document(&a, &c, "a.bin", bin, 16), TICK_SKIPPED);
	CHECK_INT(a.n, 0);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(0x80 + (i * 7) % 0x3f);
	memcpy(junk, "gets(", 5);
	CHECK_INT(tick_document(&a, &c, "a.dat", junk, sizeof(junk)), TICK_SKIPPED);
	CHECK_INT(a.n, 0);
	/* a few stray Latin-1 bytes are still text */
	CHECK_INT(doc(&a, &c, "l.c", latin1), 0);
	CHECK_INT(a.n, 1);
	tick_suggestion_list_dispose(&a);
	/* the team store's own files are never ticked */
	CHECK_INT(doc(&a, &c, ".kairos/memory/g.md", "gets("), TICK_SKIPPED);
	CHECK(tick_is_text("", 0));
	rules_free(r);
	list_free(&l);
}

TEST(test_refs_missing)
{
	struct mem_list l = {0};
	struct rules *r;
	struct suggestion_list a = {0};
	struct tick_ctx c = {0};
	char ws[] = "/tmp/kairos-tick-XXXXXX", path[600];
	FILE *f;

	CHECK(mkdtemp(ws) != NULL);
	snprintf(path, sizeof(path), "%s/present.c", ws);
	f = fopen(path, "w");
	fclose(f);
	add(&l, mk("stale", NULL, "x", 3, NULL, "src/gone.c"));
	add(&l, mk("fresh", NULL, "x", 3, NULL, "present.c"));
	rules_compile(&r, &l, NULL, NULL, NULL);
	c.rules = r;
	c.workspace = ws;
	doc(&a, &c, "a.c", "x\n");
	CHECK_INT(a.n, 1);
	CHECK(a.n == 1 && !strcmp(a.v[0].memory, "fresh"));
	tick_suggestion_list_dispose(&a);
	/* the file comes back: the memory does too */
	snprintf(path, sizeof(path), "%s/src", ws);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/src/gone.c", ws);
	f = fopen(path, "w");
	fclose(f);
	doc(&a, &c, "a.c", "x\n");
	CHECK_INT(a.n, 2);
	tick_suggestion_list_dispose(&a);
	unlink(path);
	snprintf(path, sizeof(path), "%s/src", ws);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/present.c", ws);
	unlink(path);
	rmdir(ws);
	rules_free(r);
	list_free(&l);
}

TEST(test_memory_edited_between_ticks)
{
	struct mem_list l = {0};
	struct rules *r1, *r2;
	struct suggestion_list a = {0};
	struct tick_ctx c = {0};

	add(&l, mk("m", NULL, "foo", 3, NULL, NULL));
	rules_compile(&r1, &l, NULL, NULL, NULL);
	c.rules = r1;
	doc(&a, &c, "a.c", "foo bar\n");
	CHECK(a.n == 1 && a.v[0].start == 0);
	tick_suggestion_list_dispose(&a);
	free(l.v[0]->rule->literal);
	l.v[0]->rule->literal = strdup("bar");
	rules_compile(&r2, &l, r1, NULL, NULL);
	c.rules = r2;
	doc(&a, &c, "a.c", "foo bar\n");
	CHECK(a.n == 1 && a.v[0].start == 4);
	tick_suggestion_list_dispose(&a);
	rules_free(r1);
	rules_free(r2);
	list_free(&l);
}

TEST(test_cochange)
{
	struct repo_cochange h[2] = {{"src/a.c", "include/a.h", 8, 10}, {"src/b.c", "doc/b.md", 5, 6}};
	struct suggestion_list a = {0};
	struct idset rej = {0};

	CHECK_INT(tick_cochange(&a, h, 2, NULL, NULL), 0);
	CHECK_INT(a.n, 2);
	if (a.n == 2) {
		CHECK_STR(a.v[0].kind, "co-change");
		CHECK(a.v[0].memory == NULL);
		CHECK_INT(a.v[0].store, -1);
		CHECK_STR(a.v[0].path, "src/a.c");
		CHECK_INT(a.v[0].line, 0);
		CHECK_INT(a.v[0].severity, 3);
		CHECK_STR(a.v[0].message, "src/a.c usually changes with include/a.h (8 of 10 commits)");
		strcpy(rej.ids[rej.n++], a.v[0].id);
	}
	tick_suggestion_list_dispose(&a);
	CHECK_INT(tick_cochange(&a, h, 2, in_set, &rej), 0);
	CHECK(a.n == 1 && !strcmp(a.v[0].path, "src/b.c"));
	tick_suggestion_list_dispose(&a);
}

int main(void)
{
	RUN(test_suggestion_fields);
	RUN(test_stable_ids);
	RUN(test_suppression);
	RUN(test_budget_and_ranking);
	RUN(test_non_text_skipped);
	RUN(test_refs_missing);
	RUN(test_memory_edited_between_ticks);
	RUN(test_cochange);
	CHECK_MAIN_END();
}
