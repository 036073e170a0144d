/* dream_score LABELS ORIGINAL STORE REPORT [SECOND [DRY]]: scores a dream
 * over a corpus of dream_corpus against its labels. ORIGINAL is the
 * store as generated, STORE the store after the dream, REPORT its JSON
 * report, SECOND the report of a second dream over STORE, DRY the report
 * of a dry run over ORIGINAL. Prints one line of figures and exits 1
 * unless every error count is 0:
 *   wrong merges          archived as merged, not labelled so
 *   false contradictions  archived as contradicted, not labelled so
 *   wrongly archived      any archived memory not labelled to go
 *   lost sentences        a line of an original body (or its description)
 *                         found in no file afterwards, active or archived
 *   missed contradictions, missed duplicates  labels not carried out
 *   date traps touched    a relative date in code changed
 *   dates missed          a real relative date left in a description or body
 *   similar not active    a `similar` pair one of which is archived
 *   second-dream changes  actions of the second dream
 *   dry run differs       the dry run's actions are not the real ones */
#include "dream/dream_text.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/json.h"
#include "kairos/mem.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FILE_CAP ((size_t)1 << 24)

struct seen {
	char *name;
	bool archived;
	char *by, *reason, *desc, *raw;
};

static struct seen *mems;
static size_t nmems, capmems;
static uint64_t *lines; /* open addressing set of line hashes */
static size_t caplines = (size_t)1 << 22, nlines;

static void line_add(const char *p, size_t n)
{
	uint64_t h;
	size_t j;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	if (!n)
		return;
	h = dream_text_hash(p, n);
	if (nlines * 2 >= caplines) {
		fprintf(stderr, "too many lines\n");
		exit(2);
	}
	for (j = h & (caplines - 1); lines[j]; j = (j + 1) & (caplines - 1))
		if (lines[j] == h)
			return;
	lines[j] = h;
	nlines++;
}

static bool line_has(const char *p, size_t n)
{
	uint64_t h;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	if (!n)
		return true;
	h = dream_text_hash(p, n);
	for (size_t j = h & (caplines - 1); lines[j]; j = (j + 1) & (caplines - 1))
		if (lines[j] == h)
			return true;
	return false;
}

static void lines_of(const char *t)
{
	while (*t) {
		const char *e = strchr(t, '\n');
		size_t n = e ? (size_t)(e - t) : strlen(t);
		line_add(t, n);
		t += n + (e ? 1 : 0);
	}
}

static char *slurp(const char *path)
{
	struct buf b = BUF_INIT_CAP(FILE_CAP);
	if (fsx_read(path, FILE_CAP - 1, &b)) {
		fprintf(stderr, "%s: %s\n", path, kr_errmsg());
		exit(2);
	}
	return buf_detach(&b);
}

/* Every memory file of dir (and of dir/archive when archive). */
static void load(const char *dir, bool archived)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096];
		struct mem *m;
		size_t l = strlen(de->d_name);
		if (l < 4 || strcmp(de->d_name + l - 3, ".md") || !strcmp(de->d_name, "MEMORY.md"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (mem_parse_read_file(&m, path)) {
			fprintf(stderr, "%s: %s\n", path, kr_errmsg());
			continue;
		}
		if (nmems == capmems) {
			capmems = capmems ? capmems * 2 : 1024;
			mems = xrealloc(mems, capmems * sizeof(*mems));
		}
		mems[nmems].name = xstrdup(m->name);
		mems[nmems].archived = archived;
		mems[nmems].by = m->superseded_by ? xstrdup(m->superseded_by) : NULL;
		mems[nmems].reason = m->archived_reason ? xstrdup(m->archived_reason) : NULL;
		mems[nmems].desc = xstrdup(m->description ? m->description : "");
		mems[nmems].raw = slurp(path);
		lines_of(mems[nmems].raw);
		line_add(mems[nmems].desc, strlen(mems[nmems].desc));
		nmems++;
		mem_free(m);
	}
	closedir(d);
}

static int cmp_seen(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name, ((const struct seen *)b)->name);
}

/* The active copy of name, else an archived one. */
static struct seen *find(const char *name)
{
	struct seen key = {.name = (char *)name}, *s = bsearch(&key, mems, nmems, sizeof(*mems), cmp_seen);
	if (!s)
		return NULL;
	while (s > mems && !strcmp(s[-1].name, name))
		s--;
	for (struct seen *t = s; t < mems + nmems && !strcmp(t->name, name); t++)
		if (!t->archived)
			return t;
	return s;
}

static bool starts(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

/* text without its code spans and fenced blocks */
static char *outside_code(const char *t)
{
	char *o = xmalloc(strlen(t) + 1), *q = o;
	bool fence = false, code = false;
	for (const char *p = t; *p; p++) {
		if ((p == t || p[-1] == '\n') && !strncmp(p, "```", 3))
			fence = !fence;
		if (*p == '`')
			code = !code;
		if (*p == '\n')
			code = false;
		if (!fence && !code && *p != '`')
			*q++ = *p;
	}
	*q = 0;
	return o;
}

/* s with every "from" replaced by "to" */
static char *replace(const char *s, const char *from, const char *to)
{
	struct buf b = BUF_INIT_CAP(FILE_CAP);
	const char *p = s, *h;
	while ((h = strstr(p, from))) {
		buf_append(&b, p, (size_t)(h - p));
		buf_puts(&b, to);
		p = h + strlen(from);
	}
	buf_puts(&b, p);
	return buf_detach(&b);
}

struct label {
	char kind[8], a[96], b[96], text[256];
};

static struct label *lab;
static size_t nlab;

static const struct label *date_label(const char *name)
{
	for (size_t i = 0; i < nlab; i++)
		if (!strcmp(lab[i].kind, "date") && !strcmp(lab[i].a, name))
			return &lab[i];
	return NULL;
}

/* Is name labelled to be archived with superseded_by by, and how? */
static const char *expected_fate(const char *name, const char *by)
{
	for (size_t i = 0; i < nlab; i++)
		if ((!strcmp(lab[i].kind, "dup") || !strcmp(lab[i].kind, "contra")) &&
		    !strcmp(lab[i].b, name) && by && !strcmp(lab[i].a, by))
			return lab[i].kind;
	return NULL;
}

static char *json_text(const char *path)
{
	return path ? slurp(path) : NULL;
}

/* The "actions" array of a report, as text. */
static char *actions_of(const char *report)
{
	const char *a = strstr(report, "\"actions\":"), *e = a ? strstr(a, ",\"similar\":") : NULL;
	return a && e ? xstrndup(a, (size_t)(e - a)) : xstrdup("");
}

int main(int argc, char **argv)
{
	long wrong_merge = 0, false_contra = 0, wrong_arch = 0, lost = 0, missed_contra = 0,
	     missed_dup = 0, traps = 0, dates = 0, sim_inactive = 0, second = 0, dry = 0;
	char line[1024], path[4096], *report;
	FILE *lf;
	struct json j = {0};
	DIR *d;
	struct dirent *de;
	int bad;

	if (argc < 5) {
		fprintf(stderr, "usage: dream_score LABELS ORIGINAL STORE REPORT [SECOND [DRY]]\n");
		return 2;
	}
	lines = xcalloc(caplines, sizeof(*lines));
	if (!(lf = fopen(argv[1], "r"))) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), lf)) {
		struct label l = {0};
		int off = 0;
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%7s %95s %n", l.kind, l.a, &off) < 2)
			continue;
		if (!strcmp(l.kind, "dup") || !strcmp(l.kind, "contra"))
			sscanf(line + off, "%95s", l.b);
		else if (!strcmp(l.kind, "date"))
			sscanf(line + off, "%95s %255s", l.b, l.text);
		else
			snprintf(l.text, sizeof(l.text), "%s", line + off);
		lab = xrealloc(lab, (nlab + 1) * sizeof(*lab));
		lab[nlab++] = l;
	}
	fclose(lf);
	load(argv[3], false);
	snprintf(path, sizeof(path), "%s/archive", argv[3]);
	load(path, true);
	qsort(mems, nmems, sizeof(*mems), cmp_seen);

	/* what was archived, and whether it was meant to be */
	for (size_t i = 0; i < nmems; i++) {
		const struct seen *s = &mems[i];
		const char *fate;
		if (!s->archived || !find(s->name)->archived)
			continue;
		fate = expected_fate(s->name, s->by);
		if (fate && ((!strcmp(fate, "dup") && starts(s->reason, "merged")) ||
			     (!strcmp(fate, "contra") && starts(s->reason, "contradicted"))))
			continue;
		wrong_arch++;
		if (starts(s->reason, "merged"))
			wrong_merge++;
		else if (starts(s->reason, "contradicted"))
			false_contra++;
		fprintf(stderr, "wrongly archived: %s (%s)\n", s->name, s->reason ? s->reason : "?");
	}
	for (size_t i = 0; i < nlab; i++) {
		const struct label *l = &lab[i];
		const struct seen *s = find(!strcmp(l->kind, "dup") || !strcmp(l->kind, "contra") ? l->b : l->a);
		if (!s) {
			fprintf(stderr, "missing: %s\n", l->a);
			wrong_arch++;
			continue;
		}
		if (!strcmp(l->kind, "dup") &&
		    !(s->archived && s->by && !strcmp(s->by, l->a) && starts(s->reason, "merged"))) {
			missed_dup++;
			fprintf(stderr, "missed duplicate: %s into %s\n", l->b, l->a);
		} else if (!strcmp(l->kind, "contra") &&
			   !(s->archived && s->by && !strcmp(s->by, l->a) && starts(s->reason, "contradicted"))) {
			missed_contra++;
			fprintf(stderr, "missed contradiction: %s over %s\n", l->a, l->b);
		} else if (!strcmp(l->kind, "trap") && !strstr(s->raw, l->text)) {
			traps++;
			fprintf(stderr, "date trap touched: %s: %s\n", l->a, l->text);
		} else if (!strcmp(l->kind, "date")) {
			char *o = outside_code(s->raw);
			if (strstr(o, l->b) || !strstr(s->desc, l->text) || strstr(s->desc, l->b)) {
				dates++;
				fprintf(stderr, "date missed: %s\n", l->a);
			}
			free(o);
		}
	}

	/* every line of every original memory is still somewhere */
	if (!(d = opendir(argv[2]))) {
		perror(argv[2]);
		return 2;
	}
	while ((de = readdir(d))) {
		struct mem *m;
		const struct label *dl;
		char *body, *desc;
		size_t l = strlen(de->d_name);
		if (l < 4 || strcmp(de->d_name + l - 3, ".md") || !strcmp(de->d_name, "MEMORY.md"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[2], de->d_name);
		if (mem_parse_read_file(&m, path))
			continue;
		dl = date_label(m->name);
		body = dl ? replace(m->body, dl->b, dl->text) : xstrdup(m->body);
		desc = dl ? replace(m->description, dl->b, dl->text) : xstrdup(m->description);
		if (!line_has(desc, strlen(desc))) {
			lost++;
			fprintf(stderr, "description lost from %s: %s\n", m->name, desc);
		}
		for (const char *t = body; *t;) {
			const char *e = strchr(t, '\n');
			size_t n = e ? (size_t)(e - t) : strlen(t);
			if (!line_has(t, n)) {
				lost++;
				fprintf(stderr, "sentence lost from %s: %.*s\n", m->name, (int)n, t);
			}
			t += n + (e ? 1 : 0);
		}
		free(body);
		free(desc);
		mem_free(m);
	}
	closedir(d);

	/* the report's similar pairs: both active */
	report = json_text(argv[4]);
	if (json_parse(&j, report, strlen(report))) {
		fprintf(stderr, "%s: %s\n", argv[4], kr_errmsg());
		return 2;
	}
	{
		int sim = json_get(&j, 0, "similar");
		for (int e = json_first(&j, sim); e >= 0; e = json_next(&j, sim, e)) {
			char *a = json_get_str(&j, e, "a"), *b = json_get_str(&j, e, "b");
			const struct seen *x = a ? find(a) : NULL, *y = b ? find(b) : NULL;
			if (!x || !y || x->archived || y->archived) {
				sim_inactive++;
				fprintf(stderr, "similar but not active: %s %s\n", a ? a : "?", b ? b : "?");
			}
			free(a);
			free(b);
		}
	}
	json_dispose(&j);
	if (argc > 5) {
		char *r2 = json_text(argv[5]);
		struct json j2 = {0};
		if (json_parse(&j2, r2, strlen(r2)))
			second = 1;
		else
			second = json_len(&j2, json_get(&j2, 0, "actions")) +
				 (json_get_bool(&j2, 0, "changed", true) && !json_len(&j2, json_get(&j2, 0, "actions")));
		json_dispose(&j2);
		free(r2);
	}
	if (argc > 6) {
		char *r3 = json_text(argv[6]), *a1 = actions_of(report), *a3 = actions_of(r3);
		dry = strcmp(a1, a3) != 0 || !*a1;
		free(r3);
		free(a1);
		free(a3);
	}
	free(report);

	printf("dream corpus: %zu memories, %zu labels: wrong merges %ld, false contradictions %ld, "
	       "wrongly archived %ld, lost sentences %ld, missed contradictions %ld, missed duplicates "
	       "%ld, date traps touched %ld, dates missed %ld, similar not active %ld, second-dream "
	       "changes %ld, dry run differs %ld\n",
	       nmems, nlab, wrong_merge, false_contra, wrong_arch, lost, missed_contra, missed_dup,
	       traps, dates, sim_inactive, second, dry);
	bad = wrong_merge || false_contra || wrong_arch || lost || missed_contra || missed_dup || traps ||
	      dates || sim_inactive || second || dry;
	return bad ? 1 : 0;
}
