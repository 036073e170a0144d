/* lsp_actions: code actions (lsp_actions.h). */
#include "lsp_actions.h"
#include "lsp_documents.h"
#include "lsp_model.h"
#include "lsp_tick.h"
#include "lsp_trust.h"
#include "kairos/err.h"

#include <stdlib.h>
#include <string.h>

static bool kind_wanted(const struct json *j, int only, const char *kind)
{
	if (only < 0)
		return true;
	for (int e = json_first(j, only); e >= 0; e = json_next(j, only, e)) {
		char *k = json_strdup(j, e);
		size_t n = k ? strlen(k) : 0;
		bool hit = k && !strncmp(kind, k, n) && (kind[n] == '\0' || kind[n] == '.');
		free(k);
		if (hit)
			return true;
	}
	return false;
}

static void write_edit(struct lsp_session *s, struct jw *w, const struct doc *d, const struct suggestion *g)
{
	uint32_t line = (uint32_t)g->line;
	jw_key(w, "edit");
	jw_obj(w);
	jw_key(w, "changes");
	jw_obj(w);
	jw_key(w, d->uri);
	jw_arr(w);
	jw_obj(w);
	jw_key(w, "range");
	jw_obj(w);
	jw_key(w, "start");
	jw_obj(w);
	jw_kint(w, "line", line);
	jw_kint(w, "character", doc_byte_to_col(d, line, g->start, s->enc));
	jw_end(w);
	jw_key(w, "end");
	jw_obj(w);
	jw_kint(w, "line", line);
	jw_kint(w, "character", doc_byte_to_col(d, line, g->end, s->enc));
	jw_end(w);
	jw_end(w);
	jw_kstr(w, "newText", g->fix);
	jw_end(w);
	jw_end(w);
	jw_end(w);
	jw_end(w);
}

static void write_feedback_command(struct jw *w, const char *title, const char *id, const char *verdict)
{
	jw_key(w, "command");
	jw_obj(w);
	jw_kstr(w, "title", title);
	jw_kstr(w, "command", "kairos.feedback");
	jw_key(w, "arguments");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "id", id);
	jw_kstr(w, "verdict", verdict);
	jw_end(w);
	jw_end(w);
	jw_end(w);
}

static void actions_for(struct lsp_session *s, struct jw *w, struct doc *d, const struct suggestion *g,
			int diag, const struct json *j, int only)
{
	/* an untrusted memory offers no edit (protocol.md, Workspace trust) */
	if (g->fix && kind_wanted(j, only, "quickfix") && lsp_trust_store(s, g->store)) {
		struct buf title = BUF_INIT_CAP(BUF_CAP_MEMFILE);
		buf_printf(&title, "Fix: %s", g->message);
		jw_obj(w);
		jw_kstr(w, "title", buf_err(&title) ? g->message : buf_cstr(&title));
		jw_kstr(w, "kind", "quickfix");
		jw_kbool(w, "isPreferred", true);
		if (diag >= 0) {
			size_t n;
			const char *raw = json_raw(j, diag, &n);
			jw_key(w, "diagnostics");
			jw_arr(w);
			jw_raw(w, raw, n);
			jw_end(w);
		}
		if (s->caps.resolve_edit) {
			jw_key(w, "data");
			jw_obj(w);
			jw_kstr(w, "id", g->id);
			jw_kstr(w, "uri", d->uri);
			jw_end(w);
		} else {
			write_edit(s, w, d, g);
		}
		write_feedback_command(w, "kairos: accepted", g->id, "accept");
		jw_end(w);
		buf_dispose(&title);
	}
	if (kind_wanted(j, only, "quickfix")) {
		jw_obj(w);
		jw_kstr(w, "title", g->memory ? "Don't suggest this again (kairos)" : "Don't show this hint again (kairos)");
		jw_kstr(w, "kind", "quickfix");
		write_feedback_command(w, "kairos: rejected", g->id, "reject");
		jw_end(w);
	}
}

static bool range_nonempty(const struct json *j, int range)
{
	return json_get_int(j, range, "start.line", 0) != json_get_int(j, range, "end.line", 0) ||
	       json_get_int(j, range, "start.character", 0) != json_get_int(j, range, "end.character", 0);
}

/* textDocument/codeAction */
int lsp_actions_code_action(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	const struct json *j = &m->j;
	char *uri = json_get_str(j, m->params, "textDocument.uri");
	struct doc *d = uri ? doc_set_find(&s->docs, uri) : NULL;
	int range = json_get(j, m->params, "range");
	int diags = json_path(j, m->params, "context.diagnostics");
	int only = json_path(j, m->params, "context.only");
	bool any_kairos = false;

	free(uri);
	jw_arr(w);
	if (!d) {
		jw_end(w);
		return 0;
	}
	for (int e = json_first(j, diags); e >= 0; e = json_next(j, diags, e)) {
		char *id = json_get_str(j, e, "data.id");
		struct suggestion *g = id ? lsp_tick_find(s, id, NULL) : NULL;
		if (g) {
			any_kairos = true;
			actions_for(s, w, d, g, e, j, only);
		}
		free(id);
	}
	/* clients that send no diagnostics: the kairos suggestions on the
	 * requested lines */
	if (!any_kairos && json_len(j, diags) == 0) {
		long long l1 = json_get_int(j, range, "start.line", -1);
		long long l2 = json_get_int(j, range, "end.line", -1);
		struct suggestion *g;
		for (long long l = l1; l >= 0 && l <= l2; l++)
			for (size_t k = 0; (g = lsp_tick_nth_on_line(s, d, (size_t)l, k)); k++)
				actions_for(s, w, d, g, -1, j, only);
	}
	if (range >= 0 && range_nonempty(j, range) && kind_wanted(j, only, "source")) {
		struct doc_pos a, b;
		if (lsp_documents_read_pos(j, json_get(j, range, "start"), &a) &&
		    lsp_documents_read_pos(j, json_get(j, range, "end"), &b)) {
			/* a selection that does not fit is offered nothing (len 0) */
			struct buf text = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
			doc_range_text(d, a, b, s->enc, &text);
			if (text.len && lsp_model_offers_improve(s) && kind_wanted(j, only, "refactor")) {
				size_t rn;
				const char *rraw = json_raw(j, range, &rn);
				jw_obj(w);
				jw_kstr(w, "title", "Improve this per memory… (kairos)");
				jw_kstr(w, "kind", "refactor.rewrite");
				jw_key(w, "data");
				jw_obj(w);
				jw_kstr(w, "kind", "improve");
				jw_kstr(w, "uri", d->uri);
				jw_key(w, "range");
				jw_raw(w, rraw, rn);
				jw_end(w);
				jw_end(w);
			}
			if (text.len) {
				size_t rn;
				const char *rraw = json_raw(j, range, &rn);
				jw_obj(w);
				jw_kstr(w, "title", "Remember this… (kairos)");
				jw_kstr(w, "kind", "source");
				jw_key(w, "command");
				jw_obj(w);
				jw_kstr(w, "title", "Remember this");
				jw_kstr(w, "command", "kairos.remember");
				jw_key(w, "arguments");
				jw_arr(w);
				jw_obj(w);
				jw_kstr(w, "text", buf_cstr(&text));
				jw_kstr(w, "uri", d->uri);
				jw_key(w, "range");
				jw_raw(w, rraw, rn);
				jw_end(w);
				jw_end(w);
				jw_end(w);
				jw_end(w);
			}
			buf_dispose(&text);
		}
	}
	jw_end(w);
	return 0;
}

/* codeAction/resolve: fills in the edit of a quick fix. */
int lsp_actions_resolve(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	const struct json *j = &m->j;
	char *id = json_get_str(j, m->params, "data.id");
	struct doc *d = NULL;
	struct suggestion *g = id ? lsp_tick_find(s, id, &d) : NULL;
	int rc = 0;

	if (json_type(j, m->params) != JSON_OBJECT) {
		*err = "codeAction/resolve needs a code action";
		rc = RPC_INVALID_PARAMS;
		goto out;
	}
	if (json_streq(j, json_path(j, m->params, "data.kind"), "improve")) {
		rc = lsp_model_improve(s, m, err);
		goto out;
	}
	if (!g || !d || !g->fix || !lsp_trust_store(s, g->store)) {
		/* the suggestion went stale, or its memory is no longer
		 * trusted: give the action back unchanged */
		size_t n;
		const char *raw = json_raw(j, m->params, &n);
		jw_raw(w, raw, n);
		goto out;
	}
	jw_obj(w);
	for (int k = m->params + 1, i = 0; i < json_len(j, m->params); i++) {
		size_t vn;
		const char *vraw = json_raw(j, k + 1, &vn);
		if (!json_streq(j, k, "edit")) {
			char *key = json_strdup(j, k);
			jw_key(w, key);
			jw_raw(w, vraw, vn);
			free(key);
		}
		k = json_skip(j, k + 1);
	}
	write_edit(s, w, d, g);
	jw_end(w);
out:
	free(id);
	return rc;
}
