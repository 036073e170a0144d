/* lsp_model: the optional language model in the server (lsp_model.h).
 * - After a tick: the changed lines and the few most relevant memories;
 *   the suggestions that pass validation go to the tick's callback.
 * - kairos.remember without a name or type: the model proposes them.
 * - "Improve this per memory…": an action whose edit the model writes in
 *   codeAction/resolve. */
#include "lsp_model.h"
#include "lsp_documents.h"
#include "lsp_stores.h"
#include "lsp_trust.h"
#include "kairos/err.h"
#include "kairos/paths.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lsp_model {
	struct model *m;
	char *tick_uri; /* document of the tick request in flight */
	/* the callback context of each purpose's request in flight: a
	 * cancelled request's callback never runs, so it is freed here */
	void *pending[MODEL_PURPOSE_COUNT];
	void (*pending_free[MODEL_PURPOSE_COUNT])(void *);
};

static void forget_pending(struct lsp_model *lm, enum model_purpose p, void *ctx)
{
	if (lm && lm->pending[p] == ctx)
		lm->pending[p] = NULL;
}

static void drop_pending(struct lsp_model *lm, enum model_purpose p)
{
	if (lm->pending[p] && lm->pending_free[p])
		lm->pending_free[p](lm->pending[p]);
	lm->pending[p] = NULL;
}

static void log_line(void *ud, const char *msg)
{
	lsp_session_log((struct lsp_session *)ud, LSP_MSG_INFO, "model: %s", msg);
}

static void effective_config(struct lsp_session *s, struct model_config *c)
{
	model_config_init(c);
	model_config_copy(c, &s->cfg.llm);
	if (model_config_from_env(c))
		lsp_session_log(s, LSP_MSG_WARNING, "model: %s", kr_errmsg());
}

static void on_doc_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud);
static void on_config_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud);

void lsp_model_init(struct lsp_session *s)
{
	struct lsp_model *lm = xcalloc(1, sizeof(*lm));
	struct model_config c;
	char *home = paths_data_home(), *state = NULL;
	size_t n = strlen(home) + 32;

	state = xmalloc(n);
	snprintf(state, n, "%s/kairos/state", home);
	effective_config(s, &c);
	lm->m = model_new(s->loop, &c, state);
	model_set_log(lm->m, log_line, s);
	model_config_dispose(&c);
	free(home);
	free(state);
	s->feat.model = lm;
	lsp_session_on(s, LSP_EVENT_DOC_CHANGED, on_doc_changed, NULL);
	lsp_session_on(s, LSP_EVENT_CONFIG_CHANGED, on_config_changed, NULL);
}

void lsp_model_dispose(struct lsp_session *s)
{
	struct lsp_model *lm = s->feat.model;
	if (!lm)
		return;
	model_free(lm->m);
	for (int p = 0; p < MODEL_PURPOSE_COUNT; p++)
		drop_pending(lm, (enum model_purpose)p);
	free(lm->tick_uri);
	free(lm);
	s->feat.model = NULL;
}

static void on_config_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	struct lsp_model *lm = s->feat.model;
	struct model_config c;
	if (!lm)
		return;
	effective_config(s, &c);
	model_configure(lm->m, &c);
	model_config_dispose(&c);
}

struct model *lsp_model_engine(struct lsp_session *s)
{
	struct lsp_model *lm = s->feat.model;
	return lm && model_enabled(lm->m) ? lm->m : NULL;
}

/* ---- choosing memories ---- */

/* Words of text (lower-cased, 3+ letters) found in hay. */
static int overlap(const char *text, const char *hay)
{
	char w[64];
	int hits = 0;
	size_t n = 0;
	if (!text || !hay)
		return 0;
	for (const char *p = text;; p++) {
		if (*p && (isalnum((unsigned char)*p) || *p == '_')) {
			if (n + 1 < sizeof(w))
				w[n++] = (char)tolower((unsigned char)*p);
			continue;
		}
		if (n >= 3) {
			w[n] = '\0';
			if (strcasestr(hay, w))
				hits++;
		}
		n = 0;
		if (!*p)
			break;
	}
	return hits;
}

/* The n memories most relevant to text; untrusted ones are marked (the
 * model sees them only as quoted data), or left out when the model is to
 * follow the memories (trusted_only: it writes an edit). */
static size_t pick(struct lsp_session *s, const char *rel, const char *text,
		      struct model_memory *out, size_t n, bool trusted_only)
{
	struct store_set *set = lsp_stores_set(s);
	bool trusted[STORE_COUNT];
	size_t got = 0;
	int *score;

	if (!set || !n)
		return 0;
	lsp_trust_stores(s, trusted);
	score = xcalloc(n, sizeof(*score));
	for (size_t i = 0; i < set->mems.n; i++) {
		const struct mem *x = set->mems.v[i];
		bool untrusted = !trusted[x->store];
		if (untrusted && trusted_only)
			continue;
		int sc = overlap(x->description, text) * 2 + overlap(x->body, text);
		if (x->scope.n)
			sc += 3; /* scoped memories are about particular files */
		if (x->rule)
			sc += 1;
		if (sc <= 0)
			continue;
		(void)rel;
		/* insert, best first */
		size_t k = got < n ? got++ : n - 1;
		if (k == n - 1 && got == n && score[k] >= sc)
			continue;
		while (k > 0 && score[k - 1] < sc) {
			out[k] = out[k - 1];
			score[k] = score[k - 1];
			k--;
		}
		out[k] = (struct model_memory){x->name, x->description, x->body, untrusted};
		score[k] = sc;
	}
	free(score);
	return got;
}

/* ---- tick ---- */

struct tick_call {
	struct lsp_session *s;
	char *uri;
	lsp_model_suggest_fn fn;
	void *ud;
	bool quoted; /* the request quoted untrusted memories */
};

static void tick_call_free(void *p)
{
	struct tick_call *c = p;
	free(c->uri);
	free(c);
}

static int line_of(void *ud, const char *file, long line, const char **text, size_t *len)
{
	struct doc *d = lsp_session_doc_by_rel(ud, file);
	if (!d || line < 1 || (size_t)line > d->nlines)
		return -1;
	*text = d->lines[line - 1].s;
	*len = d->lines[line - 1].len;
	return 0;
}

/* The memory a model's suggestion names, in any store (imports too). */
static const struct mem *mem_named(struct lsp_session *s, const char *name)
{
	struct store_set *set = lsp_stores_set(s);
	for (size_t i = 0; set && name && i < set->mems.n; i++)
		if (!strcmp(set->mems.v[i]->name, name))
			return set->mems.v[i];
	return NULL;
}

/* The model's suggestions about d as tick suggestions (kind "model").
 * After a request that quoted untrusted memories, a fix that no memory
 * stands behind may come from them: it is dropped (a fix of an untrusted
 * memory is withheld where actions are offered). */
static void to_suggestions(struct lsp_session *s, struct doc *d, const struct model_suggestions *ms,
			   bool quoted, struct suggestion_list *l)
{
	const char *rel = lsp_session_rel_path(s, d);
	for (size_t i = 0; rel && i < ms->n; i++) {
		const struct model_suggestion *x = &ms->v[i];
		const struct mem *mem = mem_named(s, x->memory);
		const struct doc_line *L;
		struct suggestion g;

		if (strcmp(rel, x->file) || x->line < 1 || (size_t)x->line > d->nlines)
			continue; /* about another document: its own tick asks */
		L = &d->lines[x->line - 1];
		memset(&g, 0, sizeof(g));
		g.kind = "model";
		g.memory = mem ? xstrdup(mem->name) : NULL;
		g.store = mem ? (int)mem->store : -1;
		g.path = xstrdup(rel);
		g.line = (size_t)x->line - 1;
		if (x->find) {
			const char *hit = memmem(L->s, L->len, x->find, strlen(x->find));
			g.start = hit ? (size_t)(hit - L->s) : 0;
			g.end = hit ? g.start + strlen(x->find) : 0;
			g.fix = hit && x->replace && (mem || !quoted) ? xstrdup(x->replace) : NULL;
		}
		g.severity = SEV_INFORMATION;
		g.message = xstrdup(x->message);
		g.mem_path = mem && mem->path ? xstrdup(mem->path) : NULL;
		tick_make_id(g.id, "model", g.store, g.memory, rel, L->s, L->len, (unsigned)i);
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 4;
			l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
		}
		l->v[l->n++] = g;
	}
}

static void on_tick_reply(void *ud, int err, struct model_suggestions *ms)
{
	struct tick_call *c = ud;
	struct lsp_session *s = c->s;
	struct lsp_model *lm = s->feat.model;
	struct doc *d = doc_set_find(&s->docs, c->uri);
	struct suggestion_list l = {0};

	forget_pending(lm, MODEL_TICK, c);
	if (lm && lm->tick_uri && !strcmp(lm->tick_uri, c->uri)) {
		free(lm->tick_uri);
		lm->tick_uri = NULL;
	}
	if (!err && d && ms)
		to_suggestions(s, d, ms, c->quoted, &l);
	if (d && l.n)
		c->fn(s, d, &l, c->ud);
	tick_suggestion_list_dispose(&l);
	if (ms) {
		model_reply_suggestions_dispose(ms);
		free(ms);
	}
	tick_call_free(c);
}

void lsp_model_after_tick(struct lsp_session *s, struct doc *d, long lo, long hi,
			  lsp_model_suggest_fn fn, void *ud)
{
	struct lsp_model *lm = s->feat.model;
	struct model *m = lsp_model_engine(s);
	const char *rel = lsp_session_rel_path(s, d);
	struct model_memory mems[MODEL_MAX_TICK_MEMORIES];
	struct model_hunk h;
	struct buf text = BUF_INIT_CAP(BUF_CAP_MEMFILE);
	struct tick_call *c;
	size_t nm;
	int rc;

	if (!m || !rel || lo < 0 || model_busy(m, MODEL_TICK))
		return;
	if (lo > 2)
		lo -= 2;
	else
		lo = 0;
	hi += 2;
	if ((size_t)hi >= d->nlines)
		hi = (long)d->nlines - 1;
	if (hi - lo > 80)
		hi = lo + 80;
	for (long i = lo; i <= hi; i++) {
		buf_append(&text, d->lines[i].s, d->lines[i].len);
		buf_putc(&text, '\n');
	}
	if (buf_err(&text)) {
		lsp_session_log(s, LSP_MSG_INFO, "model tick skipped: %s", kr_errmsg());
		return;
	}
	nm = pick(s, rel, buf_cstr(&text), mems, MODEL_MAX_TICK_MEMORIES, false);
	h = (struct model_hunk){rel, lo + 1, buf_cstr(&text)};
	c = xcalloc(1, sizeof(*c));
	*c = (struct tick_call){s, xstrdup(d->uri), fn, ud, false};
	for (size_t i = 0; i < nm; i++)
		c->quoted |= mems[i].untrusted;
	rc = model_tasks_tick(m, &(struct model_tick_req){&h, 1, mems, nm, line_of, s}, on_tick_reply, c);
	if (rc) {
		tick_call_free(c);
		if (rc != KR_EBUSY && rc != KR_ENOMEM)
			lsp_session_log(s, LSP_MSG_INFO, "model tick skipped: %s", kr_errmsg());
	} else {
		free(lm->tick_uri);
		lm->tick_uri = xstrdup(d->uri);
		lm->pending[MODEL_TICK] = c;
		lm->pending_free[MODEL_TICK] = tick_call_free;
	}
	buf_dispose(&text);
}

/* A change to the document a tick request is about makes its answer stale. */
static void on_doc_changed(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	struct lsp_model *lm = s->feat.model;
	if (lm && lm->tick_uri && !strcmp(lm->tick_uri, e->doc->uri)) {
		model_cancel(lm->m, MODEL_TICK);
		drop_pending(lm, MODEL_TICK);
		free(lm->tick_uri);
		lm->tick_uri = NULL;
	}
}

/* ---- remember ---- */

struct propose_call {
	struct lsp_session *s;
	lsp_model_proposal_fn fn;
	void *ud;
	void (*free_ud)(void *);
};

static void propose_call_free(void *p)
{
	struct propose_call *c = p;
	if (c->free_ud)
		c->free_ud(c->ud);
	free(c);
}

static void on_remember_reply(void *ud, int err, struct model_proposal *p)
{
	struct propose_call *c = ud;

	forget_pending(c->s->feat.model, MODEL_REMEMBER, c);
	/* on a model error the memory is made as without a model */
	c->fn(c->s, p && !err ? p : NULL, c->ud);
	if (p) {
		model_reply_proposal_dispose(p);
		free(p);
	}
	free(c);
}

int lsp_model_propose(struct lsp_session *s, const char *text, lsp_model_proposal_fn fn, void *ud,
		      void (*free_ud)(void *))
{
	struct model *mm = lsp_model_engine(s);
	struct propose_call *c;

	if (!mm)
		return KR_ENOTFOUND;
	c = xcalloc(1, sizeof(*c));
	*c = (struct propose_call){s, fn, ud, free_ud};
	if (model_tasks_remember(mm, text, on_remember_reply, c)) {
		/* busy or over budget: answer now, without the model */
		on_remember_reply(c, KR_EBUSY, NULL);
	} else {
		s->feat.model->pending[MODEL_REMEMBER] = c;
		s->feat.model->pending_free[MODEL_REMEMBER] = propose_call_free;
	}
	return 0;
}

/* ---- improve ---- */

bool lsp_model_offers_improve(struct lsp_session *s)
{
	return lsp_model_engine(s) && s->caps.resolve_edit;
}

struct improve_call {
	struct lsp_session *s;
	char *handle;
	char *action; /* the code action as the client sent it */
	char *uri;
};

static void improve_call_free(void *p)
{
	struct improve_call *c = p;
	free(c->action);
	free(c->uri);
	free(c);
}

static void on_improve_reply(void *ud, int err, char *replacement)
{
	struct improve_call *c = ud;
	struct lsp_session *s = c->s;
	struct json j;
	struct buf res = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct jw w;

	forget_pending(s->feat.model, MODEL_ACTION, c);

	if (err || !replacement || json_parse(&j, c->action, strlen(c->action))) {
		lsp_session_finish(s, c->handle, NULL, 0, RPC_REQUEST_FAILED,
				       err ? "the model could not improve this" : "bad code action");
		if (!err && replacement)
			json_dispose(&j);
		goto out;
	}
	jw_init(&w, &res);
	jw_obj(&w);
	for (int k = 1, i = 0; i < json_len(&j, 0); i++) {
		size_t vn;
		const char *v = json_raw(&j, k + 1, &vn);
		char *key = json_strdup(&j, k);
		if (key && strcmp(key, "edit")) {
			jw_key(&w, key);
			jw_raw(&w, v, vn);
		}
		free(key);
		k = json_skip(&j, k + 1);
	}
	{
		size_t rn;
		const char *range = json_raw(&j, json_path(&j, 0, "data.range"), &rn);
		jw_key(&w, "edit");
		jw_obj(&w);
		jw_key(&w, "changes");
		jw_obj(&w);
		jw_key(&w, c->uri);
		jw_arr(&w);
		jw_obj(&w);
		jw_key(&w, "range");
		jw_raw(&w, range, rn);
		jw_kstr(&w, "newText", replacement);
		jw_end(&w);
		jw_end(&w);
		jw_end(&w);
		jw_end(&w);
	}
	jw_end(&w);
	if (buf_err(&res))
		lsp_session_finish(s, c->handle, NULL, 0, RPC_INTERNAL_ERROR, kr_errmsg());
	else
		lsp_session_finish(s, c->handle, res.data, res.len, 0, NULL);
	json_dispose(&j);
out:
	buf_dispose(&res);
	free(replacement);
	free(c->action);
	free(c->uri);
	free(c);
}

/* codeAction/resolve of an "improve" action: the model writes the edit. */
int lsp_model_improve(struct lsp_session *s, struct rpc_msg *m, const char **err)
{
	const struct json *j = &m->j;
	struct model *mm = lsp_model_engine(s);
	char *uri = json_get_str(j, m->params, "data.uri");
	struct doc *d = uri ? doc_set_find(&s->docs, uri) : NULL;
	int range = json_path(j, m->params, "data.range");
	struct doc_pos a, b;
	struct buf sel = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct model_memory mems[MODEL_MAX_TICK_MEMORIES];
	struct improve_call *c;
	const char *raw, *rel;
	size_t n, nm;
	int rc;

	if (!mm || !d || !lsp_documents_read_pos(j, json_get(j, range, "start"), &a) ||
	    !lsp_documents_read_pos(j, json_get(j, range, "end"), &b)) {
		free(uri);
		*err = "nothing to improve: no model, or the document is not open";
		return RPC_REQUEST_FAILED;
	}
	if (doc_range_text(d, a, b, s->enc, &sel) || buf_err(&sel)) {
		free(uri);
		buf_dispose(&sel);
		*err = "the selection is too large to send to a model";
		return RPC_REQUEST_FAILED;
	}
	rel = lsp_session_rel_path(s, d);
	nm = pick(s, rel, buf_cstr(&sel), mems, MODEL_MAX_TICK_MEMORIES, true);
	c = xcalloc(1, sizeof(*c));
	c->s = s;
	raw = json_raw(j, m->params, &n);
	c->action = xstrndup(raw, n);
	c->uri = uri;
	rc = model_tasks_improve(mm, &(struct model_improve_req){rel ? rel : d->uri, buf_cstr(&sel), mems, nm},
			   on_improve_reply, c);
	buf_dispose(&sel);
	if (rc) {
		*err = rc == KR_EINVAL ? "the selection holds a secret: it is not sent to the model"
					: kr_errmsg();
		free(c->action);
		free(c->uri);
		free(c);
		return RPC_REQUEST_FAILED;
	}
	c->handle = lsp_session_defer(s, m);
	s->feat.model->pending[MODEL_ACTION] = c;
	s->feat.model->pending_free[MODEL_ACTION] = improve_call_free;
	return LSP_DEFERRED;
}
