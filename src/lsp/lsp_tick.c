/* lsp_tick: the Kairos loop in the server (lsp_tick.h). */
#include "lsp_tick.h"
#include "lsp_cochange.h"
#include "lsp_model.h"
#include "lsp_stores.h"
#include "kairos/err.h"
#include "kairos/editpat.h"
#include "kairos/feedback.h"
#include "kairos/journal.h"
#include "kairos/rules.h"
#include "kairos/store.h"
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
	/* hand replacements seen while the person types, journalled at the
	 * next tick (a keystroke never waits for the journal's lock) */
	struct held_edit *held;
	size_t nheld;
};

struct held_edit {
	struct editpat e;
	char *uri;
};

/* Edits held between two ticks beyond this are not journalled. */
#define HELD_EDITS_MAX 1000

static void on_tick_timer(struct loop *l, void *ud);
static void on_new_hints(struct lsp_session *s, struct doc *d);
static void on_doc_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud);
static void on_doc_edit(struct lsp_session *s, const struct lsp_event_data *e, void *ud);
static void on_doc_closed(struct lsp_session *s, const struct lsp_event_data *e, void *ud);
static void on_memory_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud);
static void write_held_edits(struct lsp_session *s);
static void add_model(struct lsp_session *s, struct doc *d, struct suggestion_list *l, void *ud);

void lsp_tick_init(struct lsp_session *s)
{
	struct lsp_tick *t = xcalloc(1, sizeof(*t));
	loop_timer_init(&t->timer, on_tick_timer, s);
	s->feat.tick = t;
	lsp_cochange_init(s, on_new_hints);
	lsp_session_on(s, LSP_EVENT_DOC_CHANGED, on_doc_changed, NULL);
	lsp_session_on(s, LSP_EVENT_DOC_EDIT, on_doc_edit, NULL);
	lsp_session_on(s, LSP_EVENT_DOC_CLOSED, on_doc_closed, NULL);
	lsp_session_on(s, LSP_EVENT_MEMORY_CHANGED, on_memory_changed, NULL);
}

static void dd_dispose(struct doc_diag *d)
{
	free(d->uri);
	tick_suggestion_list_dispose(&d->list);
	tick_suggestion_list_dispose(&d->model);
	editpat_tracker_free(d->edits);
}

void lsp_tick_dispose(struct lsp_session *s)
{
	struct lsp_tick *t = s->feat.tick;
	if (!t)
		return;
	write_held_edits(s);
	free(t->held);
	lsp_cochange_dispose(s);
	loop_timer_cancel(s->loop, &t->timer);
	for (size_t i = 0; i < t->ndd; i++)
		dd_dispose(&t->dd[i]);
	free(t->dd);
	rules_free(t->rules);
	feedback_free(t->fb);
	free(t);
	s->feat.tick = NULL;
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
static struct feedback *fb(struct lsp_session *s)
{
	struct lsp_tick *t = s->feat.tick;
	struct store_set *set = lsp_stores_set(s);
	if (!t->fb && set) {
		if (feedback_open(&t->fb) == 0 && feedback_add_set(t->fb, set))
			lsp_session_log(s, LSP_MSG_WARNING, "cannot read the feedback state: %s", kr_errmsg());
	}
	return t->fb;
}

static bool is_suppressed(void *ctx, const char *id)
{
	struct lsp_session *s = ctx;
	struct feedback *f = fb(s);
	return f && feedback_suppressed(f, id);
}

static void rule_problem(void *ctx, const struct mem *m, const char *msg)
{
	lsp_session_log((struct lsp_session *)ctx, LSP_MSG_WARNING, "memory %s: %s (the rule is skipped)", m->name, msg);
}

static const struct rules *current_rules(struct lsp_session *s)
{
	struct lsp_tick *t = s->feat.tick;
	struct store_set *set = lsp_stores_set(s);
	struct rules *r = NULL;

	if (!set)
		return NULL;
	if (t->rules && t->rules_gen == lsp_stores_generation(s))
		return t->rules;
	if (rules_compile(&r, &set->mems, t->rules, rule_problem, s)) {
		lsp_session_log(s, LSP_MSG_ERROR, "cannot compile the rules: %s", kr_errmsg());
		return t->rules;
	}
	rules_free(t->rules);
	t->rules = r;
	t->rules_gen = lsp_stores_generation(s);
	return r;
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

static void journal_shown(struct lsp_session *s, const struct doc *d, const struct suggestion *g)
{
	struct feedback *f = fb(s);
	if (f && feedback_shown(f, g, d->uri))
		lsp_session_log(s, LSP_MSG_LOG, "cannot journal a shown suggestion: %s", kr_errmsg());
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
static size_t compute(struct lsp_session *s, struct doc *d, size_t budget)
{
	struct lsp_tick *t = s->feat.tick;
	struct doc_diag *dd = diag_of(t, d->uri, true);
	struct suggestion_list list = {0};
	const char *rel = lsp_session_rel_path(s, d);
	struct tick_ctx ctx = {current_rules(s), is_suppressed, s, s->root};
	size_t len, fresh = 0;
	const char *text = doc_text(d, &len);

	if (rel) {
		int rc = tick_document(&list, &ctx, rel, text, len);
		if (rc < 0)
			lsp_session_log(s, LSP_MSG_ERROR, "tick failed on %s: %s", d->uri, kr_errmsg());
		if (rc == 0)
			lsp_cochange_add(s, rel, &list, is_suppressed, s);
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
	tick_suggestion_list_dispose(&dd->list);
	dd->list = list;
	dd->doc_gen = d->generation;
	dd->mem_gen = lsp_stores_generation(s);
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

static void write_diagnostic(struct lsp_session *s, struct jw *w, const struct doc *d,
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
static void write_items(struct lsp_session *s, struct jw *w, struct doc *d)
{
	struct doc_diag *dd = diag_of(s->feat.tick, d->uri, false);
	const char *problem = lsp_stores_problem(s, d->path);
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
		write_diagnostic(s, w, d, &dd->list.v[i]);
	jw_end(w);
}

static void publish(struct lsp_session *s, struct doc *d)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "uri", d->uri);
	jw_kint(&w, "version", d->version);
	jw_key(&w, "diagnostics");
	write_items(s, &w, d);
	jw_end(&w);
	lsp_session_notify_buf(s, "textDocument/publishDiagnostics", &b);
}

/* Makes the new results of the ticked documents known. */
static void announce(struct lsp_session *s, struct doc **ticked, size_t n)
{
	if (s->caps.pull_diagnostics) {
		if (s->caps.diagnostic_refresh)
			lsp_session_request(s, "workspace/diagnostic/refresh", NULL, 0, NULL, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++)
		publish(s, ticked[i]);
}

static void flush_edits(struct lsp_session *s, struct doc *d);

/* One tick over the quiet, changed documents; returns how many new
 * suggestions it made. force: every changed document, quiet or not. */
static size_t run_tick(struct lsp_session *s, bool force, bool publish_it)
{
	struct lsp_tick *t = s->feat.tick;
	uint64_t now = loop_now_ms(), wait = 0;
	size_t budget = (size_t)s->cfg.tick_max_suggestions, fresh = 0, n = 0;
	struct doc **ticked = xcalloc(s->docs.n + 1, sizeof(*ticked));

	/* a hand edit of a memory file: every document again (the hook) */
	lsp_stores_check(s, true);
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
			lsp_model_after_tick(s, d, dd->hunk_lo, dd->hunk_hi, add_model, NULL);
		dd->hunk_lo = dd->hunk_hi = -1;
	}
	if (n && publish_it)
		announce(s, ticked, n);
	free(ticked);
	write_held_edits(s);
	lsp_stores_roll_journals(s);
	if (wait)
		loop_timer_arm(s->loop, &t->timer, wait);
	return fresh;
}

static void on_tick_timer(struct loop *l, void *ud)
{
	struct lsp_session *s = ud;
	/* proactive: false: nothing runs on its own; pulls, code actions and
	 * kairos.tick compute what they need */
	if (s->got_shutdown || !s->cfg.proactive)
		return;
	run_tick(s, false, true);
}

static void arm(struct lsp_session *s)
{
	if (s->got_initialized || s->got_initialize)
		loop_timer_arm(s->loop, &s->feat.tick->timer, (uint64_t)s->cfg.tick_min_inactivity_ms);
}

static void on_doc_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	arm(s);
}

static void on_doc_closed(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	struct lsp_tick *t = s->feat.tick;
	const char *uri = e->doc->uri;
	for (size_t i = 0; i < t->ndd; i++)
		if (!strcmp(t->dd[i].uri, uri)) {
			flush_edits(s, e->doc);
			dd_dispose(&t->dd[i]);
			t->dd[i] = t->dd[--t->ndd];
			break;
		}
	write_held_edits(s);
	/* clear what was pushed for it */
	if (!s->caps.pull_diagnostics) {
		struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
		struct jw w;
		jw_init(&w, &b);
		jw_obj(&w);
		jw_kstr(&w, "uri", uri);
		jw_key(&w, "diagnostics");
		jw_arr(&w);
		jw_end(&w);
		jw_end(&w);
		lsp_session_notify_buf(s, "textDocument/publishDiagnostics", &b);
	}
}

/* Memory changed: recompute every open document at once and republish. */
static void on_memory_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	struct doc **all = xcalloc(s->docs.n + 1, sizeof(*all));
	size_t n = 0;
	for (size_t i = 0; i < s->docs.n; i++) {
		struct doc *d = s->docs.v[i];
		struct doc_diag *dd = diag_of(s->feat.tick, d->uri, false);
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

/* Holds a hand replacement (taking e's strings) for the next tick. */
static void journal_edit(struct lsp_session *s, struct doc *d, struct editpat *e)
{
	struct lsp_tick *t = s->feat.tick;
	if (t->nheld >= HELD_EDITS_MAX) {
		editpat_dispose(e);
		return;
	}
	t->held = xrealloc(t->held, (t->nheld + 1) * sizeof(*t->held));
	t->held[t->nheld++] = (struct held_edit){*e, xstrdup(d->uri)};
	memset(e, 0, sizeof(*e));
}

/* The held replacements go to the journal (at the tick, at close). */
static void write_held_edits(struct lsp_session *s)
{
	struct lsp_tick *t = s->feat.tick;
	struct feedback *f = t->nheld ? fb(s) : NULL;
	for (size_t i = 0; i < t->nheld; i++) {
		if (f && feedback_edit_pattern(f, &t->held[i].e, t->held[i].uri))
			lsp_session_log(s, LSP_MSG_LOG, "cannot journal an edit pattern: %s", kr_errmsg());
		editpat_dispose(&t->held[i].e);
		free(t->held[i].uri);
	}
	t->nheld = 0;
}

static void flush_edits(struct lsp_session *s, struct doc *d)
{
	struct doc_diag *dd = diag_of(s->feat.tick, d->uri, true);
	struct editpat e;
	if (editpat_flush(dd->edits, &e) == 1) {
		journal_edit(s, d, &e);
		editpat_dispose(&e);
	}
}

/* Before an incremental change: a change inside one line feeds the edit
 * pattern tracker with the line before and after; one that spans lines
 * closes what is pending (line numbers move). */
static void on_doc_edit(struct lsp_session *s, const struct lsp_event_data *ev, void *ud)
{
	struct doc *d = ev->doc;
	struct doc_pos a = ev->from, b = ev->to;
	const char *text = ev->text;
	size_t len = ev->len;
	struct doc_diag *dd = diag_of(s->feat.tick, d->uri, true);
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
int lsp_tick_pull(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err)
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
	dd = diag_of(s->feat.tick, d->uri, true);
	/* the person asked: compute unless a tick will (proactive and typing) */
	if (!dd->computed || dd->mem_gen != lsp_stores_generation(s) ||
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
int lsp_tick_command(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		     const char **err)
{
	struct lsp_tick *t = s->feat.tick;
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
struct suggestion *lsp_tick_find(struct lsp_session *s, const char *id, struct doc **doc_out)
{
	struct lsp_tick *t = s->feat.tick;
	for (size_t i = 0; i < t->ndd; i++)
		for (size_t k = 0; k < t->dd[i].list.n; k++)
			if (!strcmp(t->dd[i].list.v[k].id, id)) {
				if (doc_out)
					*doc_out = doc_set_find(&s->docs, t->dd[i].uri);
				return &t->dd[i].list.v[k];
			}
	return NULL;
}

/* The model's suggestions for d join its own (until d changes). */
static void add_model(struct lsp_session *s, struct doc *d, struct suggestion_list *l, void *ud)
{
	struct lsp_tick *t = s->feat.tick;
	struct doc_diag *dd = diag_of(t, d->uri, true);
	size_t before = dd->list.n;

	tick_suggestion_list_dispose(&dd->model);
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
struct suggestion *lsp_tick_nth_on_line(struct lsp_session *s, const struct doc *d, size_t line, size_t k)
{
	struct doc_diag *dd = diag_of(s->feat.tick, d->uri, false);
	for (size_t i = 0; dd && i < dd->list.n; i++)
		if (dd->list.v[i].line == line && k-- == 0)
			return &dd->list.v[i];
	return NULL;
}

/* kairos.feedback {id, verdict}: counts, journal, and for a reject the
 * suggestion is gone at once and for good. */
int lsp_tick_feedback(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
		      const char **err)
{
	struct lsp_tick *t = s->feat.tick;
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
	g = lsp_tick_find(s, id, &d);
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
				tick_suggestion_list_remove(&dd->list, k);
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

/* New co-change hints for d: it gets them at its next tick. */
static void on_new_hints(struct lsp_session *s, struct doc *d)
{
	d->dirty = true;
	arm(s);
}
