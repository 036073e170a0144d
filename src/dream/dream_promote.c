/* dream_promote: repeated observations in the journal become memories.
 *   - an edit_pattern ({"before","after","uri","line"}) seen at least 3
 *     times in distinct places (uri + line) becomes a `feedback` rule
 *     memory (source: observation, rule.literal = before, rule.fix =
 *     after), unless an active memory already has that rule;
 *   - a suggestion_rejected ({"memory": NAME}) seen at least 3 times for a
 *     memory of this store becomes a `feedback` memory that silences it:
 *     it names the memory in `supersedes`, and the memory is archived
 *     with superseded_by (undo brings it back).
 * The lines used are consumed (listed in the commit); every other line,
 * and every line that does not parse, stays in the journal. */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROMOTE_MIN 3

struct group {
	char *a, *b;           /* edit: before, after; reject: memory name */
	struct dream_map places;
	size_t nplaces;
	size_t *lines;         /* indexes into the caller's arrays */
	size_t nlines;
};

struct groups {
	struct dream_map idx;
	struct group *v;
	size_t n, cap;
};

/* The group of (a, b); NULL when the two are too long to be one line's. */
static struct group *group_get(struct groups *g, const char *a, const char *b)
{
	struct buf k = BUF_INIT_CAP(BUF_CAP_LINE); /* from one journal line */
	bool isnew;
	size_t *slot;

	buf_printf(&k, "%s\x1f%s", a, b ? b : "");
	if (buf_err(&k))
		return NULL;
	slot = dream_snap_map_put(&g->idx, dream_text_hash(k.data, k.len), &isnew);
	buf_dispose(&k);
	if (!isnew)
		return &g->v[*slot];
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->v = xrealloc(g->v, g->cap * sizeof(*g->v));
	}
	memset(&g->v[g->n], 0, sizeof(g->v[g->n]));
	g->v[g->n].a = xstrdup(a);
	g->v[g->n].b = b ? xstrdup(b) : NULL;
	*slot = g->n;
	return &g->v[g->n++];
}

/* Adds journal line `line`, seen at place (may be NULL), to gr (may be
 * NULL: the line stays out of every group). */
static void group_line(struct group *gr, size_t line, const char *place)
{
	bool isnew = true;
	if (!gr)
		return;
	if (place)
		dream_snap_map_put(&gr->places, dream_text_hash(place, strlen(place)), &isnew);
	if (isnew)
		gr->nplaces++;
	gr->lines = xrealloc(gr->lines, (gr->nlines + 1) * sizeof(*gr->lines));
	gr->lines[gr->nlines++] = line;
}

static void groups_dispose(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->v[i].a);
		free(g->v[i].b);
		free(g->v[i].lines);
		dream_snap_map_dispose(&g->v[i].places);
	}
	free(g->v);
	dream_snap_map_dispose(&g->idx);
}

static bool name_taken(const struct dream_snap *s, const char *name)
{
	struct stat sb;
	char path[4096];
	if (mem_list_find(&s->mems, name))
		return true;
	if (!s->store_dir)
		return false;
	snprintf(path, sizeof(path), "%s/%s.md", s->store_dir, name);
	if (!lstat(path, &sb))
		return true;
	snprintf(path, sizeof(path), "%s/archive/%s.md", s->store_dir, name);
	return !lstat(path, &sb);
}

/* A valid, unused name from text ("Write x" -> "write-x", "write-x-2"). */
static char *unique_name(const struct dream_snap *s, const char *text)
{
	char base[56], *out = xmalloc(72);
	size_t n = 0;
	bool dash = false;

	for (const char *p = text; *p && n < 48; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n)
				base[n++] = '-';
			dash = false;
			base[n++] = c;
		} else {
			dash = true;
		}
	}
	base[n] = 0;
	if (!n)
		strcpy(base, "observation");
	snprintf(out, 72, "%s", base);
	for (int k = 2; name_taken(s, out); k++)
		snprintf(out, 72, "%s-%d", base, k);
	return out;
}

/* The first max bytes of s, not cutting a UTF-8 sequence. */
static void put_capped(struct buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	buf_append(b, s, n);
}

static void now_str(int64_t now, char out[32])
{
	time_format(now, out);
}

static void consume(struct dream_snap *s, const struct group *gr, const size_t *linenos,
		    const char *const *lines, struct dream_action *a)
{
	for (size_t i = 0; i < gr->nlines; i++) {
		char num[32];
		size_t k = gr->lines[i];
		s->consumed = xrealloc(s->consumed, (s->nconsumed + 1) * sizeof(*s->consumed));
		s->consumed[s->nconsumed++] = linenos[k];
		strv_push(&s->rep->consumed, lines[k]);
		if (a) {
			snprintf(num, sizeof(num), "%zu", linenos[k]);
			strv_push(&a->names, num);
		}
	}
}

static bool has_rule(const struct dream_snap *s, const char *before, const char *after)
{
	for (size_t i = 0; i < s->mems.n; i++) {
		const struct mem_rule *r = s->mems.v[i]->rule;
		if (s->it[i].state == DS_ACTIVE && r && r->literal && r->fix &&
		    !strcmp(r->literal, before) && !strcmp(r->fix, after))
			return true;
	}
	return false;
}

static struct mem *new_feedback(const struct dream_snap *s, const char *desc, const char *body)
{
	struct mem *m = mem_new();
	char ts[32];
	now_str(s->now, ts);
	m->type = MEM_FEEDBACK;
	m->description = xstrdup(desc);
	free(m->body);
	m->body = xstrdup(body);
	m->created = xstrdup(ts);
	m->updated = xstrdup(ts);
	m->created_ts = m->updated_ts = s->now;
	m->source = xstrdup("observation");
	m->store = STORE_PERSONAL;
	return m;
}

/* 0 when each text of a memory to promote is whole (each is a line, but
 * for the body); else the group is not promoted, and its lines stay in
 * the journal. */
static int promoted_err(const struct buf *desc, const struct buf *body, const struct buf *nm,
			const struct buf *why)
{
	int rc;
	if ((rc = buf_err(desc)) || (rc = buf_err(body)) || (rc = buf_err(nm)) || (rc = buf_err(why)))
		return rc;
	return 0;
}

static void promote_edit(struct dream_snap *s, struct group *gr, const size_t *linenos,
			 const char *const *lines)
{
	struct buf desc = BUF_INIT_CAP(BUF_CAP_LINE), body = BUF_INIT_CAP(BUF_CAP_MEMFILE);
	struct buf nm = BUF_INIT_CAP(BUF_CAP_LINE), why = BUF_INIT_CAP(BUF_CAP_LINE);
	struct mem *m;
	size_t i;

	if (has_rule(s, gr->a, gr->b)) {
		consume(s, gr, linenos, lines, NULL);
		return;
	}
	buf_puts(&desc, "Write \"");
	put_capped(&desc, gr->b, 50);
	buf_puts(&desc, "\" instead of \"");
	put_capped(&desc, gr->a, 50);
	buf_puts(&desc, "\"");
	buf_printf(&body, "%s.\n\n**Why:** you made this edit by hand %zu times in %zu places.\n",
		   buf_cstr(&desc), gr->nlines, gr->nplaces);
	buf_printf(&nm, "prefer %s over %s", gr->b, gr->a);
	buf_printf(&why, "edit_pattern seen %zu times in %zu places", gr->nlines, gr->nplaces);
	if (promoted_err(&desc, &body, &nm, &why))
		goto out;
	m = new_feedback(s, desc.data, body.data);
	m->name = unique_name(s, nm.data);
	m->rule = xcalloc(1, sizeof(*m->rule));
	m->rule->literal = xstrdup(gr->a);
	m->rule->fix = xstrdup(gr->b);
	m->rule->message = xstrdup(desc.data);
	m->rule->severity = SEV_INFORMATION;
	i = dream_snap_add(s, m);
	s->it[i].is_new = true;
	s->it[i].dirty = true;
	dream_report_action(s->rep, DREAM_OP_PROMOTE, m->name, NULL, why.data);
	consume(s, gr, linenos, lines, dream_report_last(s->rep));
	s->rep->promoted++;
out:
	buf_dispose(&desc);
	buf_dispose(&body);
	buf_dispose(&nm);
	buf_dispose(&why);
}

static void promote_reject(struct dream_snap *s, struct group *gr, const size_t *linenos,
			   const char *const *lines)
{
	struct buf desc = BUF_INIT_CAP(BUF_CAP_LINE), body = BUF_INIT_CAP(BUF_CAP_MEMFILE);
	struct buf nm = BUF_INIT_CAP(BUF_CAP_LINE), why = BUF_INIT_CAP(BUF_CAP_LINE);
	struct buf reason = BUF_INIT_CAP(BUF_CAP_LINE);
	struct mem *m, *old = NULL;
	size_t i, oi = 0;

	for (i = 0; i < s->mems.n; i++)
		if (!strcmp(s->mems.v[i]->name, gr->a) && s->it[i].state == DS_ACTIVE &&
		    !s->it[i].is_new) {
			old = s->mems.v[i];
			oi = i;
		}
	if (!old)
		return; /* not a memory of this store (or already retired): lines stay */
	buf_puts(&desc, "Stop suggesting: ");
	put_capped(&desc, old->description ? old->description : old->name, 120);
	buf_printf(&body,
		   "The suggestion of `%s` was rejected %zu times, so it is silenced.\n\n"
		   "**Why:** you rejected it every time it was shown.\n",
		   old->name, gr->nlines);
	buf_printf(&nm, "%s silenced", old->name);
	buf_printf(&why, "suggestion of %s rejected %zu times", old->name, gr->nlines);
	buf_printf(&reason, "silenced: suggestion rejected %zu times", gr->nlines);
	if (promoted_err(&desc, &body, &nm, &why) || buf_err(&reason))
		goto out;
	m = new_feedback(s, desc.data, body.data);
	m->name = unique_name(s, nm.data);
	strv_push(&m->supersedes, old->name);
	i = dream_snap_add(s, m);
	s->it[i].is_new = true;
	s->it[i].dirty = true;
	dream_report_action(s->rep, DREAM_OP_PROMOTE, m->name, NULL, why.data);
	consume(s, gr, linenos, lines, dream_report_last(s->rep));
	s->rep->promoted++;
	dream_snap_retire(s, oi, reason.data, m->name);
	dream_report_action(s->rep, DREAM_OP_SUPERSEDE, m->name, old->name, "rejected");
out:
	buf_dispose(&desc);
	buf_dispose(&body);
	buf_dispose(&nm);
	buf_dispose(&why);
	buf_dispose(&reason);
}

int dream_promote(struct dream_snap *s, const char *const *lines, const size_t *linenos,
		  size_t n)
{
	struct groups edits = {0}, rejects = {0};

	for (size_t i = 0; i < n; i++) {
		struct json j = {0};
		if ((i & 1023) == 0 && dream_snap_cancelled(s)) {
			groups_dispose(&edits);
			groups_dispose(&rejects);
			return KR_ECANCEL;
		}
		if (json_parse(&j, lines[i], strlen(lines[i])) == 0 && json_type(&j, 0) == JSON_OBJECT) {
			char *kind = json_get_str(&j, 0, "kind");
			if (kind && !strcmp(kind, "edit_pattern")) {
				char *before = json_get_str(&j, 0, "before");
				char *after = json_get_str(&j, 0, "after");
				char *uri = json_get_str(&j, 0, "uri");
				long long line = json_get_int(&j, 0, "line", -1);
				if (before && after && uri && *before && strcmp(before, after) &&
				    !strchr(before, '\n') && !strchr(after, '\n')) {
					struct buf place = BUF_INIT_CAP(BUF_CAP_LINE);
					buf_printf(&place, "%s\x1f%lld", uri, line);
					if (!buf_err(&place)) /* else too long for a journal line */
						group_line(group_get(&edits, before, after), i, place.data);
					buf_dispose(&place);
				}
				free(before);
				free(after);
				free(uri);
			} else if (kind && !strcmp(kind, "suggestion_rejected")) {
				char *memn = json_get_str(&j, 0, "memory");
				if (memn && *memn)
					group_line(group_get(&rejects, memn, NULL), i, NULL);
				free(memn);
			}
			free(kind);
		}
		json_dispose(&j);
	}
	for (size_t g = 0; g < edits.n; g++)
		if (edits.v[g].nplaces >= PROMOTE_MIN)
			promote_edit(s, &edits.v[g], linenos, lines);
	for (size_t g = 0; g < rejects.n; g++)
		if (rejects.v[g].nlines >= PROMOTE_MIN)
			promote_reject(s, &rejects.v[g], linenos, lines);
	groups_dispose(&edits);
	groups_dispose(&rejects);
	return 0;
}
