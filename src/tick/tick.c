/* tick: rule matches become suggestions with stable ids; rejected ones
 * and stale memories are left out; the budget keeps the most relevant. */
#include "kairos/tick.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/mem.h"
#include "kairos/text.h"

void tick_suggestion_dispose(struct suggestion *s)
{
	free(s->memory);
	free(s->path);
	free(s->message);
	free(s->fix);
	free(s->mem_path);
	memset(s, 0, sizeof(*s));
}

void tick_suggestion_list_dispose(struct suggestion_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		tick_suggestion_dispose(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

void tick_suggestion_list_remove(struct suggestion_list *l, size_t i)
{
	tick_suggestion_dispose(&l->v[i]);
	memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
	l->n--;
}

static struct suggestion *list_add(struct suggestion_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct suggestion *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(*l->v));
	return &l->v[l->n++];
}

/* ---- ids ---------------------------------------------------------------- */

struct fnv {
	uint64_t h;
};

static void fnv_add(struct fnv *f, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		f->h ^= s[i];
		f->h *= 0x100000001b3ull;
	}
}

static void fnv_str(struct fnv *f, const char *s)
{
	if (s)
		fnv_add(f, s, strlen(s));
	fnv_add(f, "", 1);
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

void tick_make_id(char out[SUGGESTION_ID_LEN + 1], const char *kind, int store, const char *memory,
		  const char *path, const char *line, size_t linelen, unsigned occurrence)
{
	struct fnv f = {0xcbf29ce484222325ull};
	char num[32];
	bool pend = false, any = false;

	fnv_str(&f, kind);
	snprintf(num, sizeof(num), "%d", store);
	fnv_str(&f, num);
	fnv_str(&f, memory);
	fnv_str(&f, path);
	/* the line with white space normalised */
	for (size_t i = 0; line && i < linelen; i++) {
		unsigned char c = (unsigned char)line[i];

		if (is_space(c)) {
			pend = any;
			continue;
		}
		if (pend)
			fnv_add(&f, " ", 1);
		fnv_add(&f, &c, 1);
		pend = false;
		any = true;
	}
	fnv_add(&f, "", 1);
	snprintf(num, sizeof(num), "%u", occurrence);
	fnv_str(&f, num);
	snprintf(out, SUGGESTION_ID_LEN + 1, "%016llx", (unsigned long long)f.h);
}

/* ---- documents ---------------------------------------------------------- */

bool tick_is_text(const char *text, size_t len)
{
	size_t bad = 0;

	if (memchr(text, 0, len))
		return false;
	for (size_t i = 0; i < len;) {
		size_t n;

		if (!((unsigned char)text[i] & 0x80)) {
			i++;
			continue;
		}
		n = text_utf8_seqlen(text + i, len - i);
		if (!n) {
			bad++;
			n = 1;
		}
		i += n;
	}
	return bad * 10 <= len;
}

bool tick_path_ignored(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	return !strncmp(path, ".kairos/", STRLEN_LIT(".kairos/"));
}

/* Whether every ref of m names a file that exists in the workspace. */
static bool refs_present(const char *workspace, const struct mem *m)
{
	char buf[4096];
	struct stat st;

	if (!workspace)
		return true;
	for (size_t i = 0; i < m->refs.n; i++) {
		const char *r = m->refs.v[i];

		if (!*r)
			continue;
		int n = r[0] == '/' ? snprintf(buf, sizeof(buf), "%s", r)
				    : snprintf(buf, sizeof(buf), "%s/%s", workspace, r);
		/* too long to be a path: not a file, and never a truncated one */
		if (n < 0 || (size_t)n >= sizeof(buf) || stat(buf, &st) < 0)
			return false;
	}
	return true;
}

/* Start of line `line` in text, found by walking forward from a known
 * earlier line (matches come in line order). */
struct cursor {
	const char *text;
	size_t len;
	size_t line, off;
};

static void cursor_seek(struct cursor *c, size_t line, const char **s, size_t *n)
{
	const char *e;

	while (c->line < line) {
		const char *nl = memchr(c->text + c->off, '\n', c->len - c->off);

		if (!nl) {
			c->off = c->len;
			break;
		}
		c->off = (size_t)(nl - c->text) + 1;
		c->line++;
	}
	*s = c->text + c->off;
	e = memchr(*s, '\n', c->len - c->off);
	*n = e ? (size_t)(e - *s) : c->len - c->off;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
}

int tick_document(struct suggestion_list *out, const struct tick_ctx *c, const char *path,
		  const char *text, size_t len)
{
	struct rule_matches ms = {0};
	struct cursor cur = {text, len, 0, 0};
	signed char *stale = NULL; /* per rule: 0 unknown, 1 refs present, -1 missing */
	size_t first = out->n;
	int rc;

	if (tick_path_ignored(path) || !tick_is_text(text, len))
		return TICK_SKIPPED;
	if (!c->rules || !rules_count(c->rules))
		return 0;
	rc = rules_match(c->rules, path, text, len, &ms);
	if (rc < 0)
		return rc;
	stale = calloc(rules_count(c->rules), 1);
	if (!stale) {
		rc = kr_errc(KR_ENOMEM, "out of memory in tick");
		goto out;
	}
	for (size_t i = 0; i < ms.n; i++) {
		const struct rule_match *mt = &ms.v[i];
		const struct mem *m = mt->mem;
		const char *ls;
		size_t ln;
		unsigned occ = 0;
		char id[SUGGESTION_ID_LEN + 1];
		struct suggestion *s;

		if (!stale[mt->rule])
			stale[mt->rule] = refs_present(c->workspace, m) ? 1 : -1;
		if (stale[mt->rule] < 0)
			continue;
		/* which match of this memory on this line */
		for (size_t k = i; k-- > 0 && ms.v[k].line == mt->line;)
			if (ms.v[k].rule == mt->rule)
				occ++;
		cursor_seek(&cur, mt->line, &ls, &ln);
		tick_make_id(id, "rule", (int)m->store, m->name, path, ls, ln, occ);
		if (c->suppressed && c->suppressed(c->suppressed_ctx, id))
			continue;
		s = list_add(out);
		if (!s) {
			rc = kr_errc(KR_ENOMEM, "out of memory in tick");
			goto out;
		}
		memcpy(s->id, id, sizeof(id));
		s->kind = "rule";
		s->memory = xstrdup(m->name);
		s->store = (int)m->store;
		s->path = xstrdup(path);
		s->line = mt->line;
		s->start = mt->start;
		s->end = mt->end;
		s->severity = m->rule->severity >= SEV_ERROR && m->rule->severity <= SEV_HINT
				      ? m->rule->severity
				      : SEV_INFORMATION;
		s->message = xstrdup(m->rule->message && *m->rule->message ? m->rule->message
					: m->description ? m->description : m->name);
		s->fix = m->rule->fix ? xstrdup(m->rule->fix) : NULL;
		s->mem_path = m->path ? xstrdup(m->path) : NULL;
		s->specificity = m->scope.n > 0;
	}
	rc = 0;
out:
	if (rc < 0) {
		while (out->n > first)
			tick_suggestion_dispose(&out->v[--out->n]);
	}
	free(stale);
	rules_matches_dispose(&ms);
	return rc;
}

/* ---- ranking and budget ----------------------------------------------- */

static int kind_rank(const char *k)
{
	if (!strcmp(k, "rule"))
		return 0;
	if (!strcmp(k, "co-change"))
		return 1;
	return 2;
}

static int cmp_size(size_t a, size_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int pos_cmp(const struct suggestion *x, const struct suggestion *y)
{
	int c;

	if ((c = cmp_str(x->path, y->path)))
		return c;
	if ((c = cmp_size(x->line, y->line)))
		return c;
	if ((c = cmp_size(x->start, y->start)))
		return c;
	return cmp_size(x->end, y->end);
}

static int rank_cmp(const void *a, const void *b)
{
	const struct suggestion *x = a, *y = b;
	int c;

	if (x->severity != y->severity)
		return x->severity < y->severity ? -1 : 1;
	if (x->specificity != y->specificity)
		return x->specificity > y->specificity ? -1 : 1;
	if ((c = kind_rank(x->kind) - kind_rank(y->kind)))
		return c;
	if ((c = pos_cmp(x, y)))
		return c;
	return strcmp(x->id, y->id);
}

static int sort_cmp(const void *a, const void *b)
{
	const struct suggestion *x = a, *y = b;
	int c;

	if ((c = pos_cmp(x, y)))
		return c;
	if ((c = cmp_str(x->memory, y->memory)))
		return c;
	return strcmp(x->id, y->id);
}

void tick_rank(struct suggestion_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), rank_cmp);
}

void tick_sort(struct suggestion_list *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), sort_cmp);
}

size_t tick_select(struct suggestion_list *l, size_t budget, bool (*known)(void *ctx, const char *id),
		   void *ctx)
{
	size_t kept = 0, o = 0;

	tick_rank(l);
	for (size_t i = 0; i < l->n; i++) {
		struct suggestion *s = &l->v[i];

		if (!(known && known(ctx, s->id))) {
			if (budget && kept >= budget) {
				tick_suggestion_dispose(s);
				continue;
			}
			kept++;
		}
		if (o != i)
			l->v[o] = *s;
		o++;
	}
	l->n = o;
	tick_sort(l);
	return kept;
}

/* ---- co-change ---------------------------------------------------------- */

int tick_cochange(struct suggestion_list *out, const struct repo_cochange *hints, size_t n,
		  tick_suppressed_fn suppressed, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		const struct repo_cochange *h = &hints[i];
		char id[SUGGESTION_ID_LEN + 1];
		struct suggestion *s;
		struct buf msg = BUF_INIT_CAP(BUF_CAP_LINE);
		int rc;

		if (!h->path || !h->partner)
			continue;
		tick_make_id(id, "co-change", -1, NULL, h->path, h->partner, strlen(h->partner), 0);
		if (suppressed && suppressed(ctx, id))
			continue;
		buf_printf(&msg, "%s usually changes with %s (%d of %d commits)", h->path, h->partner,
			   h->together, h->total);
		if ((rc = buf_err(&msg)))
			return rc;
		s = list_add(out);
		if (!s) {
			buf_dispose(&msg);
			return kr_errc(KR_ENOMEM, "out of memory in tick");
		}
		memcpy(s->id, id, sizeof(id));
		s->kind = "co-change";
		s->store = -1;
		s->path = xstrdup(h->path);
		s->severity = SEV_INFORMATION;
		s->message = buf_detach(&msg);
	}
	return 0;
}
