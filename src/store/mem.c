/* mem: one memory in memory (memory-format.md): the names of its
 * enumerations, copying, freeing and comparing it, and lists of them.
 * Reading a file is mem_parse.c, writing one mem_write.c. */
#include "kairos/mem.h"
#include "kairos/err.h"
#include "mem_field.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {"user", "feedback", "project", "reference"};
static const char *const store_names[] = {"user", "personal", "team", "import"};
static const char *const sev_names[] = {NULL, "error", "warning", "information", "hint"};
static const char *const source_names[] = {"user", "observation", "git", "dream", "llm", "import"};

const char *mem_type_name(enum mem_type t)
{
	return (unsigned)t < MEM_TYPE_COUNT ? type_names[t] : "?";
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

int mem_type_parse(const char *s)
{
	return lookup(type_names, ARRAY_LEN(type_names), s);
}

const char *mem_store_name(enum mem_store s)
{
	return (unsigned)s < STORE_COUNT ? store_names[s] : "?";
}

int mem_store_parse(const char *s)
{
	return lookup(store_names, ARRAY_LEN(store_names), s);
}

const char *mem_severity_name(int sev)
{
	return sev >= SEV_ERROR && sev <= SEV_HINT ? sev_names[sev] : "information";
}

int mem_severity_parse(const char *s)
{
	return lookup(sev_names, ARRAY_LEN(sev_names), s);
}

int mem_source_parse(const char *s)
{
	return lookup(source_names, ARRAY_LEN(source_names), s);
}

bool mem_name_valid(const char *name)
{
	size_t n = 0;

	if (!name)
		return false;
	for (const char *p = name; *p; p++, n++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!ok && (n == 0 || (c != '-' && c != '_')))
			return false;
	}
	return n >= 1 && n <= 64;
}

/* ---- line endings, appended sentences ---- */

const char *mem_eol(const struct mem *m)
{
	return m && m->crlf ? "\r\n" : "\n";
}

int mem_body_append(struct buf *body, const struct mem *m, const char *text, size_t n,
		    bool paragraph)
{
	const char *eol = mem_eol(m);
	size_t end = body->len;

	if (paragraph) {
		while (end && (body->data[end - 1] == '\n' || body->data[end - 1] == '\r'))
			end--;
		buf_truncate(body, end);
		if (end) {
			buf_puts(body, eol);
			buf_puts(body, eol);
		}
	} else if (end && body->data[end - 1] != '\n') {
		buf_puts(body, eol);
	}
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\r' || text[i] == '\n') {
			if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n')
				i++;
			buf_puts(body, eol);
			continue;
		}
		size_t run = i;
		while (run < n && text[run] != '\r' && text[run] != '\n')
			run++;
		buf_append(body, text + i, run - i);
		i = run - 1;
	}
	/* the text's own last line end, if any, was written above */
	if (!n || (text[n - 1] != '\n' && text[n - 1] != '\r'))
		buf_puts(body, eol);
	return buf_err(body);
}

/* ---- mem, lists ---- */

struct mem *mem_new(void)
{
	struct mem *m = xcalloc(1, sizeof(*m));
	m->body = xstrdup("");
	m->type = MEM_PROJECT;
	m->store = STORE_PERSONAL;
	return m;
}

static char *dupn(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void mem_rule_free(struct mem_rule *r)
{
	if (!r)
		return;
	free(r->pattern);
	free(r->literal);
	free(r->message);
	free(r->fix);
	free(r);
}

struct mem *mem_dup(const struct mem *m)
{
	struct mem *d = xcalloc(1, sizeof(*d));

	*d = *m;
	d->name = dupn(m->name);
	d->description = dupn(m->description);
	d->created = dupn(m->created);
	d->updated = dupn(m->updated);
	d->source = dupn(m->source);
	strv_copy(&d->scope, &m->scope);
	strv_copy(&d->refs, &m->refs);
	strv_copy(&d->supersedes, &m->supersedes);
	if (m->rule) {
		d->rule = xcalloc(1, sizeof(*d->rule));
		d->rule->pattern = dupn(m->rule->pattern);
		d->rule->literal = dupn(m->rule->literal);
		d->rule->message = dupn(m->rule->message);
		d->rule->fix = dupn(m->rule->fix);
		d->rule->severity = m->rule->severity;
	}
	d->expires = dupn(m->expires);
	d->superseded_by = dupn(m->superseded_by);
	d->archived_reason = dupn(m->archived_reason);
	d->archived_at = dupn(m->archived_at);
	d->front = dupn(m->front);
	d->body = dupn(m->body ? m->body : "");
	d->path = dupn(m->path);
	return d;
}

void mem_free(struct mem *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->description);
	free(m->created);
	free(m->updated);
	free(m->source);
	strv_dispose(&m->scope);
	strv_dispose(&m->refs);
	strv_dispose(&m->supersedes);
	mem_rule_free(m->rule);
	free(m->expires);
	free(m->superseded_by);
	free(m->archived_reason);
	free(m->archived_at);
	free(m->front);
	free(m->body);
	free(m->path);
	free(m);
}

static bool streq0(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* ---- the known fields ---- */

static const char *const field_names[MEM_F_COUNT] = {
	"name", "description", "type", "created", "updated", "source", "scope", "refs",
	"supersedes", "rule", "expires", "superseded_by", "archived_reason", "archived_at",
};

const char *mem_field_name(enum mem_field f)
{
	return (unsigned)f < MEM_F_COUNT ? field_names[f] : "?";
}

int mem_field_lookup(const char *key, size_t n)
{
	for (int f = 0; f < MEM_F_COUNT; f++)
		if (strlen(field_names[f]) == n && !memcmp(field_names[f], key, n))
			return f;
	return -1;
}

bool mem_field_present(const struct mem *m, enum mem_field f)
{
	switch (f) {
	case MEM_F_NAME: case MEM_F_DESC: case MEM_F_TYPE: return true;
	case MEM_F_CREATED: return m->created != NULL;
	case MEM_F_UPDATED: return m->updated != NULL;
	case MEM_F_SOURCE: return m->source != NULL;
	case MEM_F_SCOPE: return m->scope.n > 0;
	case MEM_F_REFS: return m->refs.n > 0;
	case MEM_F_SUPERSEDES: return m->supersedes.n > 0;
	case MEM_F_RULE: return m->rule != NULL;
	case MEM_F_EXPIRES: return m->expires != NULL;
	case MEM_F_SUPERSEDED_BY: return m->superseded_by != NULL;
	case MEM_F_ARCHIVED_REASON: return m->archived_reason != NULL;
	case MEM_F_ARCHIVED_AT: return m->archived_at != NULL;
	case MEM_F_COUNT: break;
	}
	return false;
}

static bool rule_equal(const struct mem_rule *a, const struct mem_rule *b)
{
	if (!a || !b)
		return !a && !b;
	return streq0(a->pattern, b->pattern) && streq0(a->literal, b->literal) &&
	       streq0(a->message, b->message) && streq0(a->fix, b->fix) &&
	       a->severity == b->severity;
}

bool mem_field_equal(const struct mem *a, const struct mem *b, enum mem_field f)
{
	switch (f) {
	case MEM_F_NAME: return streq0(a->name, b->name);
	case MEM_F_DESC: return streq0(a->description, b->description);
	case MEM_F_TYPE: return a->type == b->type;
	case MEM_F_CREATED: return streq0(a->created, b->created) && a->created_ts == b->created_ts;
	case MEM_F_UPDATED: return streq0(a->updated, b->updated) && a->updated_ts == b->updated_ts;
	case MEM_F_SOURCE: return streq0(a->source, b->source);
	case MEM_F_SCOPE: return strv_equal(&a->scope, &b->scope);
	case MEM_F_REFS: return strv_equal(&a->refs, &b->refs);
	case MEM_F_SUPERSEDES: return strv_equal(&a->supersedes, &b->supersedes);
	case MEM_F_RULE: return rule_equal(a->rule, b->rule);
	case MEM_F_EXPIRES: return streq0(a->expires, b->expires) && a->expires_ts == b->expires_ts;
	case MEM_F_SUPERSEDED_BY: return streq0(a->superseded_by, b->superseded_by);
	case MEM_F_ARCHIVED_REASON: return streq0(a->archived_reason, b->archived_reason);
	case MEM_F_ARCHIVED_AT: return streq0(a->archived_at, b->archived_at);
	case MEM_F_COUNT: break;
	}
	return false;
}

bool mem_equal(const struct mem *a, const struct mem *b)
{
	for (int f = 0; f < MEM_F_COUNT; f++)
		if (!mem_field_equal(a, b, (enum mem_field)f))
			return false;
	return streq0(a->front, b->front) && streq0(a->body, b->body) && a->crlf == b->crlf;
}

void mem_list_push(struct mem_list *l, struct mem *m)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = m;
}

void mem_list_dispose(struct mem_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		mem_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct mem *mem_list_find(const struct mem_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i]->name, name))
			return l->v[i];
	return NULL;
}
