/* dream_snap: the in-memory snapshot a dream works on, the report it
 * fills, and the merge rule every phase (and a model's operations) share:
 * the survivor gains every sentence of the absorbed memory it lacks,
 * scope and refs are united, the absorbed memory is retired (archived by
 * the write step, never deleted); and the small hash map the phases
 * use. */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_name(const void *a, const void *b)
{
	const struct mem *x = *(struct mem *const *)a, *y = *(struct mem *const *)b;
	return strcmp(x->name, y->name);
}

void dream_snap_init(struct dream_snap *s, struct mem_list *l, int64_t now,
		     struct dream_report *rep)
{
	memset(s, 0, sizeof(*s));
	s->mems = *l;
	memset(l, 0, sizeof(*l));
	if (s->mems.n)
		qsort(s->mems.v, s->mems.n, sizeof(*s->mems.v), cmp_name);
	s->nsorted = s->mems.n;
	s->capit = s->mems.n ? s->mems.n : 1;
	s->it = xcalloc(s->capit, sizeof(*s->it));
	s->now = now;
	s->rep = rep;
}

static void stmt_drop(struct dream_item *it);

static void item_dispose(struct dream_item *it)
{
	stmt_drop(it);
	free(it->stale_why);
	free(it->reason);
	free(it->superseded_by);
}

void dream_snap_dispose(struct dream_snap *s)
{
	for (size_t i = 0; i < s->mems.n; i++)
		item_dispose(&s->it[i]);
	free(s->it);
	free(s->consumed);
	mem_list_dispose(&s->mems);
	memset(s, 0, sizeof(*s));
}

size_t dream_snap_add(struct dream_snap *s, struct mem *m)
{
	mem_list_push(&s->mems, m);
	if (s->mems.n > s->capit) {
		size_t old = s->capit;
		s->capit = s->mems.n * 2;
		s->it = xrealloc(s->it, s->capit * sizeof(*s->it));
		memset(s->it + old, 0, (s->capit - old) * sizeof(*s->it));
	}
	return s->mems.n - 1;
}

bool dream_snap_cancelled(const struct dream_snap *s)
{
	return s->cancel && atomic_load(s->cancel);
}

const struct dream_stmt *dream_snap_stmt(struct dream_snap *s, size_t i)
{
	struct dream_item *it = &s->it[i];
	if (!it->stmt) {
		it->stmt = xmalloc(sizeof(*it->stmt));
		if (dream_stmt_of(it->stmt, s->mems.v[i]))
			dream_report_problem(s->rep, s->mems.v[i], "not compared: %s", kr_errmsg());
	}
	return it->stmt->use ? it->stmt : NULL;
}

static void stmt_drop(struct dream_item *it)
{
	if (it->stmt) {
		dream_stmt_dispose(it->stmt);
		free(it->stmt);
		it->stmt = NULL;
	}
}

void dream_snap_stmt_release(struct dream_snap *s)
{
	for (size_t i = 0; i < s->mems.n; i++)
		stmt_drop(&s->it[i]);
}

bool dream_snap_live(const struct dream_snap *s, size_t i)
{
	return s->it[i].state == DS_ACTIVE && !s->it[i].stale && !s->it[i].is_new;
}

bool dream_snap_newer(const struct mem *a, const struct mem *b)
{
	if (a->updated_ts != b->updated_ts)
		return a->updated_ts > b->updated_ts;
	if (a->created_ts != b->created_ts)
		return a->created_ts > b->created_ts;
	return strcmp(a->name, b->name) > 0;
}

void dream_snap_retire(struct dream_snap *s, size_t i, const char *reason,
		       const char *superseded_by)
{
	struct dream_item *it = &s->it[i];
	if (it->state != DS_ACTIVE)
		return;
	it->state = DS_ARCHIVED;
	free(it->reason);
	free(it->superseded_by);
	it->reason = xstrdup(reason ? reason : "retired by a dream");
	it->superseded_by = superseded_by ? xstrdup(superseded_by) : NULL;
	s->rep->archived++;
}

/* ---- sentences -------------------------------------------------------- */

struct unit {
	const char *p;
	size_t n;
};

struct units {
	struct unit *v;
	size_t n, cap;
};

static void unit_push(struct units *u, const char *p, size_t n)
{
	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	if (!n)
		return;
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 16;
		u->v = xrealloc(u->v, u->cap * sizeof(*u->v));
	}
	u->v[u->n].p = p;
	u->v[u->n].n = n;
	u->n++;
}

/* Splits text into sentences: lines, then [.!?] followed by a space
 * outside inline code; a fenced code block is one unit. */
static void split_units(const char *text, struct units *u)
{
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (dream_text_fence_line(p, n)) {
			const char *start = p, *q = p + n + (e ? 1 : 0);
			size_t len;
			while (*q) {
				const char *e2 = strchr(q, '\n'), *line = q;
				size_t n2 = e2 ? (size_t)(e2 - q) : strlen(q);
				q += n2 + (e2 ? 1 : 0);
				if (dream_text_fence_line(line, n2))
					break;
			}
			len = (size_t)(q - start);
			if (len && start[len - 1] == '\n')
				len--;
			unit_push(u, start, len);
			p = q;
			continue;
		}
		{
			size_t a = 0;
			bool code = false;
			for (size_t i = 0; i < n; i++) {
				if (p[i] == '`')
					code = !code;
				else if (!code && (p[i] == '.' || p[i] == '!' || p[i] == '?') &&
					 (i + 1 == n || p[i + 1] == ' ')) {
					unit_push(u, p + a, i + 1 - a);
					a = i + 1;
				}
			}
			unit_push(u, p + a, n - a);
		}
		p += n + (e ? 1 : 0);
	}
}

/* The identity of a sentence in *key: its token sequence (0 when it has
 * none). KR_ENOMEM when the sentence is too long to take apart. */
static int unit_key(const char *p, size_t n, uint64_t *key)
{
	struct dream_toks t = {0};
	struct buf b = BUF_INIT_CAP(BUF_CAP_MEMFILE); /* a sentence of a memory */
	int rc;

	*key = 0;
	if (!(rc = dream_text_tokenize(p, n, &t))) {
		for (size_t i = 0; i < t.n; i++) {
			if (t.v[i].kind == DT_END)
				continue;
			buf_putc(&b, (char)('0' + t.v[i].kind));
			buf_puts(&b, t.v[i].s);
			buf_putc(&b, 0x1f);
		}
		if (!(rc = buf_err(&b)) && b.len)
			*key = dream_text_hash(b.data, b.len);
	}
	buf_dispose(&b);
	dream_text_toks_dispose(&t);
	return rc;
}

/* Appends one sentence a survivor gains to its new body: after one
 * blank line the first time, then one per line. Every append of a
 * merge goes through here. */
static bool key_has(const uint64_t *v, size_t n, uint64_t k)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == k)
			return true;
	return false;
}

static void strv_union(struct strv *into, const struct strv *from, bool *changed)
{
	for (size_t i = 0; i < from->n; i++)
		if (!strv_has(into, from->v[i])) {
			strv_push(into, from->v[i]);
			*changed = true;
		}
}

int dream_snap_merge(struct dream_snap *s, size_t survivor, size_t absorbed)
{
	struct mem *sv = s->mems.v[survivor], *ab = s->mems.v[absorbed];
	struct units su = {0}, au = {0};
	uint64_t *keys = NULL;
	size_t nkeys = 0;
	/* the survivor's new body, which must stay a memory file */
	struct buf body = BUF_INIT_CAP(BUF_CAP_MEMFILE);
	bool body_changed = false, changed = false;
	char *why;
	int rc = 0;

	/* what the survivor already says */
	if (sv->description)
		unit_push(&su, sv->description, strlen(sv->description));
	split_units(sv->body ? sv->body : "", &su);
	keys = xmalloc((su.n + 1) * sizeof(*keys));
	for (size_t i = 0; i < su.n && !rc; i++)
		rc = unit_key(su.v[i].p, su.v[i].n, &keys[nkeys++]);

	/* the body first: when the description repeats a sentence of it, the
	 * sentence is carried as the body wrote it */
	split_units(ab->body ? ab->body : "", &au);
	if (ab->description)
		unit_push(&au, ab->description, strlen(ab->description));
	buf_puts(&body, sv->body ? sv->body : "");
	for (size_t i = 0; i < au.n && !rc; i++) {
		uint64_t k;
		if ((rc = unit_key(au.v[i].p, au.v[i].n, &k)) || !k || key_has(keys, nkeys, k))
			continue;
		/* in the survivor's own line ending: a CRLF file stays CRLF */
		mem_body_append(&body, sv, au.v[i].p, au.v[i].n, !body_changed);
		body_changed = true;
		keys = xrealloc(keys, (nkeys + 1) * sizeof(*keys));
		keys[nkeys++] = k;
	}
	if (!rc)
		rc = buf_err(&body);
	if (rc) { /* nothing is changed yet: the two stay as they are */
		dream_report_problem(s->rep, ab, "not merged into %s: %s", sv->name, kr_errmsg());
		goto out;
	}
	if (body_changed) {
		free(sv->body);
		sv->body = buf_detach(&body);
		s->it[survivor].body_changed = true;
		stmt_drop(&s->it[survivor]); /* it says more now */
		changed = true;
	}
	buf_dispose(&body);

	/* an empty scope means every file: the union of "all" and anything is "all" */
	if (sv->scope.n && !ab->scope.n) {
		strv_dispose(&sv->scope);
		changed = true;
	} else if (sv->scope.n) {
		strv_union(&sv->scope, &ab->scope, &changed);
	}
	strv_union(&sv->refs, &ab->refs, &changed);
	if (changed)
		s->it[survivor].dirty = true;

	why = xmalloc(strlen(sv->name) + 32);
	sprintf(why, "merged into %s", sv->name);
	dream_snap_retire(s, absorbed, why, sv->name);
	free(why);
out:
	buf_dispose(&body);
	free(keys);
	free(su.v);
	free(au.v);
	return rc;
}

/* ---- a small hash map uint64 -> size_t (open addressing) -------------- */

static void map_grow(struct dream_map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 64;
	uint64_t *nk = xcalloc(ncap, sizeof(*nk));
	size_t *nv = xmalloc(ncap * sizeof(*nv));

	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->k[i])
			continue;
		for (j = m->k[i] & (ncap - 1); nk[j]; j = (j + 1) & (ncap - 1))
			;
		nk[j] = m->k[i];
		nv[j] = m->v[i];
	}
	free(m->k);
	free(m->v);
	m->k = nk;
	m->v = nv;
	m->cap = ncap;
}

size_t *dream_snap_map_put(struct dream_map *m, uint64_t key, bool *isnew)
{
	size_t j;
	if (!key)
		key = 1;
	if ((m->n + 1) * 2 > m->cap)
		map_grow(m);
	for (j = key & (m->cap - 1); m->k[j]; j = (j + 1) & (m->cap - 1))
		if (m->k[j] == key) {
			*isnew = false;
			return &m->v[j];
		}
	m->k[j] = key;
	m->v[j] = SIZE_MAX;
	m->n++;
	*isnew = true;
	return &m->v[j];
}

size_t *dream_snap_map_get(const struct dream_map *m, uint64_t key)
{
	if (!key)
		key = 1;
	if (!m->cap)
		return NULL;
	for (size_t j = key & (m->cap - 1); m->k[j]; j = (j + 1) & (m->cap - 1))
		if (m->k[j] == key)
			return &m->v[j];
	return NULL;
}

void dream_snap_map_dispose(struct dream_map *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}
