/* lsp_memory: the memory commands: kairos.remember (a model's proposal
 * first when one is configured and the name or type is missing, then
 * the write), kairos.forget, kairos.memories and kairos.undo. */
#include "lsp_memory.h"
#include "lsp_model.h"
#include "lsp_stores.h"
#include "kairos/err.h"
#include "kairos/paths.h"
#include "kairos/store_ops.h"

#include <stdlib.h>
#include <string.h>

static void read_strv(const struct json *j, int arr, struct strv *out)
{
	for (int e = json_first(j, arr); e >= 0; e = json_next(j, arr, e)) {
		char *v = json_strdup(j, e);
		if (v)
			strv_push(out, v);
		free(v);
	}
}

static int read_rule(const struct json *j, int r, struct mem_rule **out, const char **err)
{
	struct mem_rule *rule;
	char *sev;
	if (r < 0)
		return 0;
	if (json_type(j, r) != JSON_OBJECT) {
		*err = "rule must be an object";
		return RPC_INVALID_PARAMS;
	}
	rule = xcalloc(1, sizeof(*rule));
	rule->pattern = json_get_str(j, r, "pattern");
	rule->literal = json_get_str(j, r, "literal");
	rule->message = json_get_str(j, r, "message");
	rule->fix = json_get_str(j, r, "fix");
	rule->severity = SEV_INFORMATION;
	sev = json_get_str(j, r, "severity");
	if (sev) {
		int v = mem_severity_parse(sev);
		free(sev);
		if (v < 0)
			goto bad;
		rule->severity = v;
	}
	if (!rule->pattern == !rule->literal) {
		*err = "rule needs exactly one of pattern and literal";
		goto fail;
	}
	*out = rule;
	return 0;
bad:
	*err = "rule.severity must be error, warning, information or hint";
fail:
	free(rule->pattern);
	free(rule->literal);
	free(rule->message);
	free(rule->fix);
	free(rule);
	if (!*err)
		*err = "bad rule";
	return RPC_INVALID_PARAMS;
}

static char *relative_to_root(struct lsp_session *s, const char *path)
{
	size_t n = strlen(s->root);
	if (path && !strncmp(path, s->root, n) && path[n] == '/')
		return xstrdup(path + n + 1);
	return NULL;
}

/* store_ops' errors as the protocol's: the person's input, or the store. */
static int ops_error(int rc, const char **err)
{
	*err = kr_errmsg();
	return rc == KR_EINVAL || rc == KR_ENOTFOUND ? RPC_INVALID_PARAMS : RPC_REQUEST_FAILED;
}

/* The remember command's write: the memory from args, with the model's
 * proposal p (name, description, type; any may be NULL) when there is one. */
static int write_memory(struct lsp_session *s, const struct json *j, int args,
			const struct model_proposal *p, struct jw *w, const char **err)
{
	char *text = json_get_str(j, args, "text"), *name = json_get_str(j, args, "name");
	char *type = json_get_str(j, args, "type"), *store_s = json_get_str(j, args, "store");
	char *uri = json_get_str(j, args, "uri"), *path = NULL, *rel = NULL;
	struct strv scope = {0}, refs = {0};
	struct mem_rule *rule = NULL;
	struct store_ops_result r = {0};
	struct store *st;
	int kind = STORE_PERSONAL, rc = RPC_INVALID_PARAMS;

	if (!lsp_stores_set(s)) {
		*err = "the memory stores are not available";
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	if (!text || !*text) {
		*err = "kairos.remember needs a non-empty text";
		goto out;
	}
	if (store_s && (kind = mem_store_parse(store_s)) < 0) {
		*err = "store must be personal, team or user";
		goto out;
	}
	if (!(st = lsp_stores_writable(s, kind))) {
		*err = "that store is not writable here";
		goto out;
	}
	read_strv(j, json_get(j, args, "scope"), &scope);
	if (uri && (path = paths_from_uri(uri)) && (rel = relative_to_root(s, path)))
		strv_push(&refs, rel);
	if ((rc = read_rule(j, json_get(j, args, "rule"), &rule, err)))
		goto out;
	rc = store_ops_remember(&r, st,
				&(struct store_ops_note){
					.text = text,
					.name = name,
					.type = type,
					.proposed_name = p ? p->name : NULL,
					.proposed_description = p ? p->description : NULL,
					.proposed_type = p ? p->type : NULL,
					.scope = &scope,
					.refs = &refs,
					.rule = rule,
					.uri = uri,
				},
				uri ? MEM_PROJECT : MEM_FEEDBACK);
	if (rc) {
		rc = ops_error(rc, err);
		goto out;
	}
	jw_obj(w);
	jw_kstr(w, "name", r.name);
	jw_kstr(w, "uri", r.uri);
	jw_end(w);
	lsp_stores_changed(s);
out:
	store_ops_result_dispose(&r);
	mem_rule_free(rule);
	strv_dispose(&scope);
	strv_dispose(&refs);
	free(text);
	free(name);
	free(type);
	free(store_s);
	free(uri);
	free(path);
	free(rel);
	return rc;
}

int lsp_memory_forget(struct lsp_session *s, struct rpc_msg *msg, int args, struct jw *w,
		      const char **err)
{
	char *name = json_get_str(&msg->j, args, "name"), *store_s = json_get_str(&msg->j, args, "store");
	struct store_ops_result r = {0};
	int kind = -1, rc = RPC_INVALID_PARAMS;

	if (!lsp_stores_set(s)) {
		*err = "the memory stores are not available";
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	if (!name) {
		*err = "kairos.forget needs a name";
		goto out;
	}
	if (store_s && (kind = mem_store_parse(store_s)) < 0) {
		*err = "store must be personal, team or user";
		goto out;
	}
	lsp_stores_check(s, false);
	if ((rc = store_ops_forget(&r, lsp_stores_set(s), name, kind, NULL))) {
		rc = ops_error(rc, err);
		goto out;
	}
	jw_obj(w);
	jw_kbool(w, "archived", true);
	jw_end(w);
	lsp_stores_changed(s);
out:
	store_ops_result_dispose(&r);
	free(name);
	free(store_s);
	return rc;
}

/* kairos.restore {name, store?} -> {name, uri}: the newest archived copy
 * of name active again, as one commit (store_ops_restore). */
int lsp_memory_restore(struct lsp_session *s, struct rpc_msg *msg, int args, struct jw *w,
		       const char **err)
{
	const struct json *j = &msg->j;
	int tok = json_get(j, args, "name");
	char *name = json_get_str(j, args, "name"), *store_s = json_get_str(j, args, "store");
	struct buf raw = BUF_INIT_CAP(BUF_CAP_LINE);
	struct store_ops_result r = {0};
	int kind = -1, rc = RPC_INVALID_PARAMS;

	if (!lsp_stores_set(s)) {
		*err = "the memory stores are not available";
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	/* the decoded bytes: a name holding "\u0000" is refused, not cut */
	if (!name || json_str(j, tok, &raw) || memchr(buf_cstr(&raw), '\0', raw.len)) {
		*err = name ? "kairos.restore: a memory name cannot hold a NUL character"
			    : "kairos.restore needs a name";
		goto out;
	}
	if (store_s && (kind = mem_store_parse(store_s)) < 0) {
		*err = "store must be personal, team or user";
		goto out;
	}
	lsp_stores_check(s, false);
	if ((rc = store_ops_restore(&r, lsp_stores_set(s), name, kind))) {
		rc = rc == KR_EEXISTS ? (*err = kr_errmsg(), RPC_INVALID_PARAMS) : ops_error(rc, err);
		goto out;
	}
	jw_obj(w);
	jw_kstr(w, "name", r.name);
	jw_kstr(w, "uri", r.uri);
	jw_kstr(w, "store", mem_store_name(r.store));
	jw_end(w);
	lsp_stores_changed(s);
out:
	store_ops_result_dispose(&r);
	buf_dispose(&raw);
	free(name);
	free(store_s);
	return rc;
}

int lsp_memory_list(struct lsp_session *s, struct rpc_msg *msg, int args, struct jw *w,
		    const char **err)
{
	struct store_set *set;
	lsp_stores_check(s, false);
	set = lsp_stores_set(s);
	jw_arr(w);
	for (size_t i = 0; set && i < set->mems.n; i++) {
		jw_obj(w);
		store_index_mem_json(w, set->mems.v[i]);
		jw_end(w);
	}
	jw_end(w);
	return 0;
}

/* Undoes the newest change among the writable stores. */
int lsp_memory_undo(struct lsp_session *s, struct rpc_msg *msg, int args, struct jw *w,
		    const char **err)
{
	struct store_ops_result r = {0};
	int rc;

	if (!lsp_stores_set(s)) {
		*err = "the memory stores are not available";
		return RPC_REQUEST_FAILED;
	}
	lsp_stores_check(s, false);
	if ((rc = store_ops_undo(&r, lsp_stores_set(s), -1))) {
		*err = kr_errmsg();
		store_ops_result_dispose(&r);
		return RPC_REQUEST_FAILED;
	}
	jw_obj(w);
	jw_kstr(w, "reverted", r.undone);
	jw_end(w);
	store_ops_result_dispose(&r);
	lsp_stores_changed(s);
	return 0;
}

/* ---- remember: the proposal, then the write ---- */

/* A remember waiting for the model: its arguments, re-read at the answer. */
struct remember_call {
	char *args; /* the argument object's JSON */
	char *handle;
};

static void remember_call_free(void *p)
{
	struct remember_call *c = p;
	free(c->args);
	free(c);
}

static void on_proposal(struct lsp_session *s, const struct model_proposal *p, void *ud)
{
	struct remember_call *c = ud;
	struct buf res = BUF_INIT_CAP(BUF_CAP_LINE);
	struct json j;
	struct jw w;
	const char *e = NULL;
	int rc;

	if (json_parse(&j, c->args, strlen(c->args)) == 0) {
		jw_init(&w, &res);
		rc = write_memory(s, &j, 0, p, &w, &e);
		if (!rc && buf_err(&res))
			rc = RPC_INTERNAL_ERROR, e = kr_errmsg();
		if (rc)
			lsp_session_finish(s, c->handle, NULL, 0, rc, e ? e : kr_errmsg());
		else
			lsp_session_finish(s, c->handle, res.data, res.len, 0, NULL);
		json_dispose(&j);
	} else {
		lsp_session_finish(s, c->handle, NULL, 0, RPC_INTERNAL_ERROR, kr_errmsg());
	}
	buf_dispose(&res);
	remember_call_free(c);
}

int lsp_memory_remember(struct lsp_session *s, struct rpc_msg *m, int args, struct jw *w,
			const char **err)
{
	const struct json *j = &m->j;
	char *text = json_get_str(j, args, "text");
	bool ask = text && *text && lsp_model_engine(s) &&
		   (json_get(j, args, "name") < 0 || json_get(j, args, "type") < 0);
	struct remember_call *c;
	size_t n;
	const char *raw;

	if (!ask) {
		free(text);
		return write_memory(s, j, args, NULL, w, err);
	}
	c = xcalloc(1, sizeof(*c));
	raw = json_raw(j, args, &n);
	c->args = xstrndup(raw, n);
	c->handle = lsp_session_defer(s, m);
	lsp_model_propose(s, text, on_proposal, c, remember_call_free);
	free(text);
	return LSP_DEFERRED;
}
