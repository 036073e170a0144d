/* lsp_tick: the Kairos loop in the server. After a document is opened or
 * changed the tick waits until it has been quiet for tick.minInactivityMs,
 * then runs the tick engine (tick.h) over the documents changed since the
 * last tick and makes the result known: pushed (publishDiagnostics) to
 * clients without pull diagnostics, or announced with
 * workspace/diagnostic/refresh and answered from textDocument/diagnostic
 * for clients with it. While changes keep arriving for a document nothing
 * is published for it. Co-change hints come from a child process
 * (`kairos __cochange`), so libgit2 never runs on the typing path. */
#include "kairos/err.h"
#include "kairos/editpat.h"
#include "kairos/feedback.h"
#include "lsp.h"
#include "kairos/repo.h"
#include "kairos/rules.h"
#include "kairos/spawn.h"
#include "kairos/store.h"
#include "kairos/tick.h"
#include "kairos/paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct doc_diag {
	char *uri;
	struct suggestion_list list; /* what the client was last told */
	unsigned long long result;   /* result id (pull) */
	unsigned doc_gen, mem_gen;   /* what list was computed from */
	bool computed;
	struct editpat_tracker *edits;
	long hunk_lo, hunk_hi;       /* lines changed since the last tick, -1: none */
	struct suggestion_list model;/* the model's, valid for doc generation model_gen */
	unsigned model_gen;
};

struct lsp_tick {
	struct rules *rules;
	unsigned rules_gen;
	struct loop_timer timer;
	struct doc_diag *dd;
	size_t ndd;
	unsigned long long next_result;
	struct feedback *fb;
	/* co-change hints, recomputed by a child when HEAD or the files move */
	struct repo_cochange *hints;
	size_t nhints;
	struct child cc;
	bool cc_running, cc_again;
	struct buf cc_out;
};

static void on_tick_timer(struct loop *l, void *ud);

void tick_lsp_init(struct server *s)
{
	struct lsp_tick *t = xcalloc(1, sizeof(*t));
	loop_timer_init(&t->timer, on_tick_timer, s);
	buf_init(&t->cc_out, 4 << 20);
	s->feat->tick = t;
}

static void dd_dispose(struct doc_diag *d)
{
	free(d->uri);
	suggestion_list_dispose(&d->list);
	suggestion_list_dispose(&d->model);
	editpat_tracker_free(d->edits);
}

void tick_lsp_dispose(struct server *s)
{
	struct lsp_tick *t = s->feat->tick;
	if (!t)
		return;
	if (t->cc_running) {
		loop_fd_del(s->loop, t->cc.out);
		spawn_finish(&t->cc, false);
	}
	loop_timer_cancel(s->loop, &t->timer);
	for (size_t i = 0; i < t->ndd; i++)
		dd_dispose(&t->dd[i]);
	free(t->dd);
	rules_free(t->rules);
	repo_cochange_free(t->hints, t->nhints);
	feedback_free(t->fb);
	buf_dispose(&t->cc_out);
	free(t);
	s->feat->tick = NULL;
}

static struct doc_diag *diag_of(struct lsp_tick *t, const char *uri, bool create)
{
	for (size_t i = 0; i < t->ndd; i++)
		if (!strcmp(t->dd[i].uri, uri))
			return &t->dd[i];
	if (!create)
		return NULL;
	t->dd = xrealloc(t->dd, (t->ndd + 1) * sizeof(*t->dd));
	memset(&t->dd[t->ndd], 0, sizeof(*t->dd));
	t->dd[t->ndd].uri = xstrdup(uri);
	t->dd[t->ndd].edits = editpat_tracker_new();
	t->dd[t->ndd].hunk_lo = t->dd[t->ndd].hunk_hi = -1;
	return &t->dd[t->ndd++];
}

/* The feedback state of every store, opened once the stores are. */
static struct feedback *fb(struct server *s)
{
	struct lsp_tick *t = s->feat->tick;
	struct store_set *set = memory_lsp_set(s);
	if (!t->fb && set) {
		if (feedback_open(&t->fb) == 0 && feedback_add_set(t->fb, set))
			server_log(s, 2, "cannot read the feedback state: %s", kr_errmsg());
	}
	return t->fb;
}

static bool is_suppressed(void *ctx, const char *id)
{
	struct server *s = ctx;
	struct feedback *f = fb(s);
	return f && feedback_suppressed(f, id);
}

static void rule_problem(void *ctx, const struct mem *m, const char *msg)
{
	server_log((struct server *)ctx, 2, "memory %s: %s (the rule is skipped)", m->name, msg);
}

static const struct rules *current_rules(struct server *s)
{
	struct lsp_tick *t = s->feat->tick;
	struct store_set *set = memory_lsp_set(s);
	struct rules *r = NULL;

	if (!set)
		return NULL;
	if (t->rules && t->rules_gen == memory_lsp_generation(s))
		return t->rules;
	if (rules_compile(&r, &set->mems, t->rules, rule_problem, s)) {
		server_log(s, 1, "cannot compile the rules: %s", kr_errmsg());
		return t->rules;
	}
	rules_free(t->rules);
	t->rules = r;
	t->rules_gen = memory_lsp_generation(s);
	return r;
}

/* The document's path relative to the workspace, or its absolute path
 * (only unscoped rules apply there); NULL for non-file URIs. */
const char *tick_lsp_rel_path(struct server *s, const struct doc *d)
{
	size_t n = strlen(s->root);
	if (!d->path)
		return NULL;
	if (!strncmp(d->path, s->root, n) && d->path[n] == '/')
		return d->path + n + 1;
	return d->path;
}

/* A set of suggestion ids (16 hex digits: 64 bits), so that asking
 * whether each of thousands of matches was already shown stays linear. */
struct idset {
	uint64_t *keys; /* 0 marks an empty slot; id 0 is kept apart */
	size_t cap;
	bool zero;
};

static uint64_t id_key(const char *id)
{
	uint64_t v = 0;
	for (int i = 0; i < SUGGESTION_ID_LEN && id[i]; i++) {
		char c = id[i];
		v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

static void idset_init(struct idset *set, const struct suggestion_list *l)
{
	set->cap = 16;
	while (set->cap < l->n * 2 + 2)
		set->cap *= 2;
	set->keys = xcalloc(set->cap, sizeof(*set->keys));
	set->zero = false;
	for (size_t i = 0; i < l->n; i++) {
		uint64_t k = id_key(l->v[i].id);
		if (!k) {
			set->zero = true;
			continue;
		}
		size_t h = (size_t)(k * 0x9E3779B97F4A7C15ull) & (set->cap - 1);
		while (set->keys[h] && set->keys[h] != k)
			h = (h + 1) & (set->cap - 1);
		set->keys[h] = k;
	}
}

static bool was_shown(void *ctx, const char *id)
{
	const struct idset *set = ctx;
	uint64_t k = id_key(id);
	if (!k)
		return set->zero;
	size_t h = (size_t)(k * 0x9E3779B97F4A7C15ull) & (set->cap - 1);
	while (set->keys[h]) {
		if (set->keys[h] == k)
			return true;
		h = (h + 1) & (set->cap - 1);
	}
	return false;
}

static void journal_shown(struct server *s, const struct doc *d, const struct suggestion *g)
{
	struct feedback *f = fb(s);
	if (f && feedback_shown(f, g, d->uri))
		server_log(s, 4, "cannot journal a shown suggestion: %s", kr_errmsg());
}

static char *dup_or_null(const char *x)
{
	return x ? xstrdup(x) : NULL;
}

static void push_copy(struct suggestion_list *l, const struct suggestion *g)
{
	struct suggestion c = *g;
	c.memory = dup_or_null(g->memory);
	c.path = dup_or_null(g->path);
	c.message = dup_or_null(g->message);
	c.fix = dup_or_null(g->fix);
	c.mem_path = dup_or_null(g->mem_path);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = c;
}

/* Recomputes the suggestions of d; budget 0 means no limit. Returns how
 * many suggestions are new. */
static size_t compute(struct server *s, struct doc *d, size_t budget)
{
	struct lsp_tick *t = s->feat->tick;
	struct doc_diag *dd = diag_of(t, d->uri, true);
	struct suggestion_list list = {0};
	const char *rel = tick_lsp_rel_path(s, d);
	struct tick_ctx ctx = {current_rules(s), is_suppressed, s, s->root};
	size_t len, fresh = 0;
	const char *text = doc_text(d, &len);

	if (rel) {
		int rc = tick_document(&list, &ctx, rel, text, len);
		if (rc < 0)
			server_log(s, 1, "tick failed on %s: %s", d->uri, kr_errmsg());
		if (rc == 0 && s->cfg.cochange && t->nhints) {
			for (size_t i = 0; i < t->nhints; i++)
				if (!strcmp(t->hints[i].path, rel))
					tick_cochange(&list, &t->hints[i], 1, is_suppressed, s);
		}
	}
	if (dd->model.n && dd->model_gen == d->generation)
		for (size_t i = 0; i < dd->model.n; i++)
			push_copy(&list, &dd->model.v[i]);
	{
		struct idset shown;
		idset_init(&shown, &dd->list);
		fresh = tick_select(&list, budget, was_shown, &shown);
		for (size_t i = 0; i < list.n; i++)
			if (!was_shown(&shown, list.v[i].id))
				journal_shown(s, d, &list.v[i]);
		free(shown.keys);
	}
	suggestion_list_dispose(&dd->list);
	dd->list = list;
	dd->doc_gen = d->generation;
	dd->mem_gen = memory_lsp_generation(s);
	dd->computed = true;
	dd->result = ++t->next_result;
	return fresh;
}

static void write_range(struct jw *w, const struct doc *d, const struct suggestion *g,
			enum text_enc enc)
{
	uint32_t line = g->line < d->nlines ? (uint32_t)g->line : (uint32_t)(d->nlines - 1);
	size_t a = g->start, b = g->end;
	if (a == 0 && b == 0 && strcmp(g->kind, "rule"))
		b = d->lines[line].len; /* a whole-line hint */
	jw_key(w, "range");
	jw_obj(w);
	jw_key(w, "start");
	jw_obj(w);
	jw_kint(w, "line", line);
	jw_kint(w, "character", doc_byte_to_col(d, line, a, enc));
	jw_end(w);
	jw_key(w, "end");
	jw_obj(w);
	jw_kint(w, "line", line);
	jw_kint(w, "character", doc_byte_to_col(d, line, b, enc));
	jw_end(w);
	jw_end(w);
}

void tick_lsp_write_diagnostic(struct server *s, struct jw *w, const struct doc *d,
			       const struct suggestion *g)
{
	jw_obj(w);
	write_range(w, d, g, s->enc);
	jw_kint(w, "severity", g->severity);
	jw_kstr(w, "source", "kairos");
	jw_kstr(w, "code", g->memory ? g->memory : g->kind);
	if (g->memory && g->mem_path) {
		char *href = paths_to_uri(g->mem_path);
		jw_key(w, "codeDescription");
		jw_obj(w);
		jw_kstr(w, "href", href);
		jw_end(w);
		free(href);
	}
	jw_kstr(w, "message", g->message);
	jw_key(w, "data");
	jw_obj(w);
	jw_kstr(w, "memory", g->memory);
	if (g->memory && g->store >= 0)
		jw_kstr(w, "store", mem_store_name((enum mem_store)g->store));
	else
		jw_kstr(w, "store", NULL);
	jw_kstr(w, "id", g->id);
	if (!strcmp(g->kind, "model"))
		jw_kstr(w, "origin", "model");
	jw_end(w);
	jw_end(w);
}

/* The items of d: its suggestions, or the problem of an invalid memory file. */
static void write_items(struct server *s, struct jw *w, struct doc *d)
{
	struct doc_diag *dd = diag_of(s->feat->tick, d->uri, false);
	const char *problem = memory_lsp_problem(s, d->path);
	jw_arr(w);
	if (problem) {
		jw_obj(w);
		jw_key(w, "range");
		static const char top[] =
			"{\"start\":{\"line\":0,\"character\":0},\"end\":{\"line\":0,\"character\":0}}";
		jw_raw(w, top, sizeof(top) - 1);
		jw_kint(w, "severity", SEV_ERROR);
		jw_kstr(w, "source", "kairos");
		jw_kstr(w, "code", "invalid-memory");
		jw_kstr(w, "message", problem);
		jw_end(w);
	}
	for (size_t i = 0; dd && i < dd->list.n; i++)
		tick_lsp_write_diagnostic(s, w, d, &dd->list.v[i]);
	jw_end(w);
}

static void publish(struct server *s, struct doc *d)
{
	struct buf b = BUF_INIT;
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "uri", d->uri);
	jw_kint(&w, "version", d->version);
	jw_key(&w, "diagnostics");
	write_items(s, &w, d);
	jw_end(&w);
	server_notify(s, "textDocument/publishDiagnostics", b.data, b.len);
	buf_dispose(&b);
}

/* Makes the new results of the ticked documents known. */
static void announce(struct server *s, struct doc **ticked, size_t n)
{
	if (s->caps.pull_diagnostics) {
		if (s->caps.diagnostic_refresh)
			server_request(s, "workspace/diagnostic/refresh", NULL, 0, NULL, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++)
		publish(s, ticked[i]);
}

static void flush_edits(struct server *s, struct doc *d);

/* One tick over the quiet, changed documents; returns how many new
 * suggestions it made. force: every changed document, quiet or not. */
static size_t run_tick(struct server *s, bool force, bool publish_it)
{
	struct lsp_tick *t = s->feat->tick;
	uint64_t now = loop_now_ms(), wait = 0;
	size_t budget = (size_t)s->cfg.tick_max_suggestions, fresh = 0, n = 0;
	struct doc **ticked = xcalloc(s->docs.n + 1, sizeof(*ticked));

	if (memory_lsp_check_throttled(s, true))
		tick_lsp_memory_changed(s); /* hand edit: every document again */
	for (size_t i = 0; i < s->docs.n; i++) {
		struct doc *d = s->docs.v[i];
		uint64_t quiet = now - d->changed_ms;
		if (!d->dirty)
			continue;
		if (!force && quiet < (uint64_t)s->cfg.tick_min_inactivity_ms) {
			uint64_t left = (uint64_t)s->cfg.tick_min_inactivity_ms - quiet;
			wait = wait && wait < left ? wait : left;
			continue;
		}
		flush_edits(s, d);
		size_t f = compute(s, d, budget ? (fresh < budget ? budget - fresh : 1) : 0);
		fresh += f;
		d->dirty = false;
		ticked[n++] = d;
		struct doc_diag *dd = diag_of(t, d->uri, true);
		if (publish_it && dd->hunk_lo >= 0)
			model_lsp_after_tick(s, d, dd->hunk_lo, dd->hunk_hi);
		dd->hunk_lo = dd->hunk_hi = -1;
	}
	if (n && publish_it)
		announce(s, ticked, n);
	free(ticked);
	if (wait)
		loop_timer_arm(s->loop, &t->timer, wait);
	return fresh;
}

static void on_tick_timer(struct loop *l, void *ud)
{
	struct server *s = ud;
	/* proactive: false: nothing runs on its own; pulls, code actions and
	 * kairos.tick compute what they need */
	if (s->got_shutdown || !s->cfg.proactive)
		return;
	run_tick(s, false, true);
}

void tick_lsp_doc_changed(struct server *s, struct doc *d)
{
	struct lsp_tick *t = s->feat->tick;
	model_lsp_doc_changed(s, d);
	if (s->got_initialized || s->got_initialize)
		loop_timer_arm(s->loop, &t->timer, (uint64_t)s->cfg.tick_min_inactivity_ms);
}

void tick_lsp_doc_closed(struct server *s, const char *uri)
{
	struct lsp_tick *t = s->feat->tick;
	struct doc *d = doc_set_find(&s->docs, uri);
	for (size_t i = 0; i < t->ndd; i++)
		if (!strcmp(t->dd[i].uri, uri)) {
			if (d)
				flush_edits(s, d);
			dd_dispose(&t->dd[i]);
			t->dd[i] = t->dd[--t->ndd];
			break;
		}
	/* clear what was pushed for it */
	if (!s->caps.pull_diagnostics) {
		struct buf b = BUF_INIT;
		struct jw w;
		jw_init(&w, &b);
		jw_obj(&w);
		jw_kstr(&w, "uri", uri);
		jw_key(&w, "diagnostics");
		jw_arr(&w);
		jw_end(&w);
		jw_end(&w);
		server_notify(s, "textDocument/publishDiagnostics", b.data, b.len);
		buf_dispose(&b);
	}
}

/* Memory changed: recompute every open document at once and republish. */
void tick_lsp_memory_changed(struct server *s)
{
	struct doc **all = xcalloc(s->docs.n + 1, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < s->docs.n; i++) {
		struct doc *d = s->docs.v[i];
		struct doc_diag *dd = diag_of(s->feat->tick, d->uri, false);
		if (d->dirty && !(dd && dd->computed))
			continue; /* never ticked and still being typed in: wait */
		compute(s, d, 0);
		all[n++] = d;
	}
	if (n)
		announce(s, all, n);
	free(all);
}

/* ---- edit patterns ---- */

static void journal_edit(struct server *s, struct doc *d, const struct editpat *e)
{
	struct feedback *f = fb(s);
	if (f && feedback_edit_pattern(f, e, d->uri))
		server_log(s, 4, "cannot journal an edit pattern: %s", kr_errmsg());
}

static void flush_edits(struct server *s, struct doc *d)
{
	struct doc_diag *dd = diag_of(s->feat->tick, d->uri, true);
	struct editpat e;
	if (editpat_flush(dd->edits, &e) == 1) {
		journal_edit(s, d, &e);
		editpat_dispose(&e);
	}
}

/* Before an incremental change: a change inside one line feeds the edit
 * pattern tracker with the line before and after; one that spans lines
 * closes what is pending (line numbers move). */
void tick_lsp_before_edit(struct server *s, struct doc *d, struct doc_pos a, struct doc_pos b,
			  const char *text, size_t len)
{
	struct doc_diag *dd = diag_of(s->feat->tick, d->uri, true);
	uint32_t la, lb;
	size_t ba = doc_pos_to_byte(d, a, s->enc, &la), bb = doc_pos_to_byte(d, b, s->enc, &lb);
	struct editpat e;

	{
		long added = 0;
		for (size_t i = 0; i < len; i++)
			added += text[i] == '\n';
		long lo = (long)la, hi = (long)la + added;
		if (dd->hunk_lo < 0 || lo < dd->hunk_lo)
			dd->hunk_lo = lo;
		if (hi > dd->hunk_hi)
			dd->hunk_hi = hi;
	}
	if (la != lb || memchr(text, '\n', len)) {
		flush_edits(s, d);
		return;
	}
	if (bb < ba) {
		size_t x = ba;
		ba = bb;
		bb = x;
	}
	const struct doc_line *L = &d->lines[la];
	size_t nlen;
	char *after = editpat_apply_fix(L->s, L->len, ba, bb, text, &nlen);
	/* editpat_apply_fix copies len bytes of a NUL-terminated fix: text is
	 * a decoded JSON string, NUL-free by the parser's rules */
	if (editpat_change(dd->edits, &e, la, L->s, L->len, after, nlen) == 1) {
		journal_edit(s, d, &e);
		editpat_dispose(&e);
	}
	free(after);
}

/* ---- requests ---- */

/* textDocument/diagnostic */
int tick_lsp_pull(struct server *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	char *uri = json_get_str(&m->j, m->params, "textDocument.uri");
	char *prev = json_get_str(&m->j, m->params, "previousResultId");
	struct doc *d = uri ? doc_set_find(&s->docs, uri) : NULL;
	struct doc_diag *dd;
	char rid[32];
	int rc = 0;

	if (!d) {
		/* not open: nothing to say about it */
		jw_obj(w);
		jw_kstr(w, "kind", "full");
		jw_key(w, "items");
		jw_arr(w);
		jw_end(w);
		jw_end(w);
		goto out;
	}
	dd = diag_of(s->feat->tick, d->uri, true);
	/* the person asked: compute unless a tick will (proactive and typing) */
	if (!dd->computed || dd->mem_gen != memory_lsp_generation(s) ||
	    (!s->cfg.proactive && dd->doc_gen != d->generation)) {
		compute(s, d, s->cfg.proactive ? (size_t)s->cfg.tick_max_suggestions : 0);
		if (!s->cfg.proactive)
			d->dirty = false;
	}
	snprintf(rid, sizeof(rid), "%llu", dd->result);
	jw_obj(w);
	if (prev && !strcmp(prev, rid)) {
		jw_kstr(w, "kind", "unchanged");
		jw_kstr(w, "resultId", rid);
	} else {
		jw_kstr(w, "kind", "full");
		jw_kstr(w, "resultId", rid);
		jw_key(w, "items");
		write_items(s, w, d);
	}
	jw_end(w);
out:
	free(uri);
	free(prev);
	return rc;
}

/* kairos.tick: a tick now over every open document, published. */
int tick_lsp_command(struct server *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	struct lsp_tick *t = s->feat->tick;
	size_t total = 0;
	for (size_t i = 0; i < s->docs.n; i++)
		s->docs.v[i]->dirty = true;
	run_tick(s, true, true);
	for (size_t i = 0; i < t->ndd; i++)
		total += t->dd[i].list.n;
	jw_obj(w);
	jw_kint(w, "suggestions", (long long)total);
	jw_end(w);
	return 0;
}

/* The suggestion with this id among the open documents. */
struct suggestion *tick_lsp_find(struct server *s, const char *id, struct doc **doc_out)
{
	struct lsp_tick *t = s->feat->tick;
	for (size_t i = 0; i < t->ndd; i++)
		for (size_t k = 0; k < t->dd[i].list.n; k++)
			if (!strcmp(t->dd[i].list.v[k].id, id)) {
				if (doc_out)
					*doc_out = doc_set_find(&s->docs, t->dd[i].uri);
				return &t->dd[i].list.v[k];
			}
	return NULL;
}

void tick_lsp_add_model(struct server *s, struct doc *d, struct suggestion_list *l)
{
	struct lsp_tick *t = s->feat->tick;
	struct doc_diag *dd = diag_of(t, d->uri, true);
	size_t before = dd->list.n;

	suggestion_list_dispose(&dd->model);
	memset(&dd->model, 0, sizeof(dd->model));
	for (size_t i = 0; i < l->n; i++)
		if (!is_suppressed(s, l->v[i].id))
			push_copy(&dd->model, &l->v[i]);
	dd->model_gen = d->generation;
	struct idset shown;
	idset_init(&shown, &dd->list);
	for (size_t i = 0; i < dd->model.n; i++)
		if (!was_shown(&shown, dd->model.v[i].id)) {
			journal_shown(s, d, &dd->model.v[i]);
			push_copy(&dd->list, &dd->model.v[i]);
		}
	free(shown.keys);
	if (dd->list.n != before) {
		tick_sort(&dd->list);
		dd->result = ++t->next_result;
		if (s->cfg.proactive)
			announce(s, &d, 1);
	}
}

/* The k-th suggestion on line of d, or NULL. */
struct suggestion *tick_lsp_nth_on_line(struct server *s, const struct doc *d, size_t line, size_t k)
{
	struct doc_diag *dd = diag_of(s->feat->tick, d->uri, false);
	for (size_t i = 0; dd && i < dd->list.n; i++)
		if (dd->list.v[i].line == line && k-- == 0)
			return &dd->list.v[i];
	return NULL;
}

/* kairos.feedback {id, verdict}: counts, journal, and for a reject the
 * suggestion is gone at once and for good. */
int tick_lsp_feedback(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err)
{
	struct lsp_tick *t = s->feat->tick;
	char *id = json_get_str(&m->j, args, "id"), *verdict = json_get_str(&m->j, args, "verdict");
	struct doc *d = NULL;
	struct suggestion *g;
	struct feedback *f = fb(s);
	bool reject;
	int rc = RPC_INVALID_PARAMS;

	if (!id || !verdict || (strcmp(verdict, "accept") && strcmp(verdict, "reject"))) {
		*err = "kairos.feedback needs an id and a verdict (accept or reject)";
		goto out;
	}
	reject = !strcmp(verdict, "reject");
	g = tick_lsp_find(s, id, &d);
	if (!f) {
		*err = "no personal store to keep feedback in";
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	if (g ? feedback_suggestion(f, reject ? FEEDBACK_REJECT : FEEDBACK_ACCEPT, g, d ? d->uri : NULL)
	      : feedback_record(f, reject ? FEEDBACK_REJECT : FEEDBACK_ACCEPT, id, NULL, -1, NULL, -1)) {
		*err = kr_errmsg();
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	if (!reject && g && d && g->fix && g->line < d->nlines) {
		/* the quick fix is kairos's edit, not the person's: whichever
		 * order the client uses, it must not become an edit pattern */
		struct doc_diag *dd = diag_of(t, d->uri, true);
		const struct doc_line *L = &d->lines[g->line];
		size_t fl = strlen(g->fix), n = L->len;
		if (g->start + fl <= L->len && !memcmp(L->s + g->start, g->fix, fl)) {
			editpat_own_edit(dd->edits, g->line, L->s, L->len);
		} else {
			char *expected = editpat_apply_fix(L->s, L->len, g->start, g->end, g->fix, &n);
			editpat_own_edit(dd->edits, g->line, expected, n);
			free(expected);
		}
	}
	if (reject && g && d) {
		struct doc_diag *dd = diag_of(t, d->uri, false);
		for (size_t k = 0; dd && k < dd->list.n; k++)
			if (&dd->list.v[k] == g) {
				suggestion_list_remove(&dd->list, k);
				break;
			}
		if (dd)
			dd->result = ++t->next_result;
		announce(s, &d, 1);
	}
	jw_null(w);
	rc = 0;
out:
	free(id);
	free(verdict);
	return rc;
}

/* ---- co-change ---- */

static void cc_done(struct server *s)
{
	struct lsp_tick *t = s->feat->tick;
	struct json j;
	int status;

	loop_fd_del(s->loop, t->cc.out);
	status = spawn_finish(&t->cc, true);
	t->cc_running = false;
	if (status == 0 && json_parse(&j, buf_cstr(&t->cc_out), t->cc_out.len) == 0) {
		int arr = json_get(&j, 0, "hints");
		repo_cochange_free(t->hints, t->nhints);
		t->hints = NULL;
		t->nhints = 0;
		t->hints = xcalloc((size_t)json_len(&j, arr) + 1, sizeof(*t->hints));
		for (int e = json_first(&j, arr); e >= 0; e = json_next(&j, arr, e)) {
			struct repo_cochange *h = &t->hints[t->nhints];
			h->path = json_get_str(&j, e, "path");
			h->partner = json_get_str(&j, e, "partner");
			h->together = (int)json_get_int(&j, e, "together", 0);
			h->total = (int)json_get_int(&j, e, "total", 0);
			if (h->path && h->partner)
				t->nhints++;
			else {
				free(h->path);
				free(h->partner);
			}
		}
		json_dispose(&j);
		/* the documents that have a hint get it at their next tick */
		for (size_t i = 0; i < s->docs.n; i++)
			for (size_t k = 0; k < t->nhints; k++) {
				const char *rel = tick_lsp_rel_path(s, s->docs.v[i]);
				if (rel && !strcmp(rel, t->hints[k].path)) {
					s->docs.v[i]->dirty = true;
					tick_lsp_doc_changed(s, s->docs.v[i]);
				}
			}
	} else if (status != 0 && status != 3) {
		server_log(s, 4, "co-change hints unavailable (status %d)", status);
	}
	buf_reset(&t->cc_out);
	if (t->cc_again) {
		t->cc_again = false;
		tick_lsp_refresh_cochange(s);
	}
}

static void on_cc_fd(struct loop *l, int fd, short revents, void *ud)
{
	struct server *s = ud;
	struct lsp_tick *t = s->feat->tick;
	char chunk[8192];
	ssize_t r = read(fd, chunk, sizeof(chunk));
	if (r > 0) {
		buf_append(&t->cc_out, chunk, (size_t)r);
		return;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	cc_done(s);
}

/* Recomputes the co-change hints in a child process (`kairos __cochange
 * WORKSPACE`), off the typing path. */
void tick_lsp_refresh_cochange(struct server *s)
{
	struct lsp_tick *t = s->feat->tick;
	char *self, *argv[4];

	if (!s->cfg.cochange || !s->root)
		return;
	if (t->cc_running) {
		t->cc_again = true;
		return;
	}
	self = spawn_self_path();
	argv[0] = self;
	argv[1] = "__cochange";
	argv[2] = s->root;
	argv[3] = NULL;
	if (spawn_start(&t->cc, argv, SPAWN_STDOUT) == 0) {
		t->cc_running = true;
		loop_fd_add(s->loop, t->cc.out, POLLIN, on_cc_fd, s);
	}
	free(self);
}
