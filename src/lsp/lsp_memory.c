/* lsp_memory: the memory commands: kairos.remember (a model's proposal
 * first when one is configured and the name or type is missing, then
 * the write), kairos.forget, kairos.memories and kairos.undo. */
#include "lsp_memory.h"
#include "lsp_model.h"
#include "lsp_stores.h"
#include "kairos/err.h"
#include "kairos/history.h"
#include "kairos/journal.h"
#include "kairos/paths.h"
#include "kairos/redact.h"
#include "kairos/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void first_line(const char *text, char *out, size_t cap)
{
	const char *p = text;
	size_t n;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	n = strcspn(p, "\r\n");
	if (n >= cap)
		n = cap - 1;
	/* do not cut a UTF-8 sequence in two */
	while (n > 0 && n < strlen(p) && ((unsigned char)p[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, p, n);
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
}

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

/* The remember command's write: the memory from args, with the model's
 * proposal p (name, description, type; any may be NULL) when there is one. */
static int write_memory(struct lsp_session *s, const struct json *j, int args,
			const struct model_proposal *p, struct jw *w, const char **err)
{
	const char *pname = p ? p->name : NULL, *pdesc = p ? p->description : NULL;
	const char *ptype = p ? p->type : NULL;
	char *text = json_get_str(j, args, "text"), *name_in = json_get_str(j, args, "name");
	char *type_s = json_get_str(j, args, "type"), *store_s = json_get_str(j, args, "store");
	char *uri = json_get_str(j, args, "uri"), *path = NULL, *rel = NULL, *name = NULL;
	char desc[160], commit[41] = "", tbuf[32];
	struct mem *mem = NULL;
	struct store *st;
	struct store_txn *t = NULL;
	int kind = STORE_PERSONAL, type = -1, rc = RPC_INVALID_PARAMS;

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
	if (type_s && (type = mem_type_parse(type_s)) < 0) {
		*err = "type must be user, feedback, project or reference";
		goto out;
	}
	if (!type_s && ptype)
		type = mem_type_parse(ptype); /* validated by the model layer */
	if (!name_in && pname)
		name_in = xstrdup(pname);
	{
		/* names and descriptions never carry a secret */
		int nred = 0;
		text = redact_str(text, &nred);
	}
	if (name_in ? store_unique_name(st, name_in, &name) : store_name_from_text(st, text, &name)) {
		*err = kr_errmsg();
		goto out;
	}
	mem = mem_new();
	mem->name = name;
	name = NULL;
	first_line(pdesc ? pdesc : text, desc, 151);
	mem->description = xstrdup(*desc ? desc : mem->name);
	mem->type = type >= 0 ? (enum mem_type)type : uri ? MEM_PROJECT : MEM_FEEDBACK;
	time_format((int64_t)time(NULL), tbuf);
	mem->created = xstrdup(tbuf);
	mem->updated = xstrdup(tbuf);
	mem->created_ts = mem->updated_ts = (int64_t)time(NULL);
	mem->source = xstrdup("user");
	mem->store = (enum mem_store)kind;
	{
		size_t n = strlen(text);
		free(mem->body);
		mem->body = xmalloc(n + 2);
		memcpy(mem->body, text, n);
		mem->body[n] = n && text[n - 1] == '\n' ? '\0' : '\n';
		mem->body[n + 1] = '\0';
	}
	read_strv(j, json_get(j, args, "scope"), &mem->scope);
	for (size_t i = 0; i < mem->scope.n; i++)
		if (!paths_rel_safe(mem->scope.v[i])) {
			*err = "a scope must stay inside the workspace";
			goto out;
		}
	if (uri && (path = paths_from_uri(uri)) && (rel = relative_to_root(s, path)))
		strv_push(&mem->refs, rel);
	if ((rc = read_rule(j, json_get(j, args, "rule"), &mem->rule, err)))
		goto out;
	rc = RPC_REQUEST_FAILED;
	if (store_txn_begin(&t, st) || store_txn_write(t, mem)) {
		*err = kr_errmsg();
		goto out;
	}
	{
		/* journalled inside the transaction, so its commit holds the line */
		struct buf f = BUF_INIT;
		struct jw fw;
		jw_init(&fw, &f);
		jw_kstr(&fw, "name", mem->name);
		if (uri)
			jw_kstr(&fw, "uri", uri);
		journal_append(st->dir, "remember", buf_cstr(&f));
		buf_dispose(&f);
	}
	{
		struct buf cm = BUF_INIT;
		buf_printf(&cm, "remember %s: %s", mem->name, mem->description);
		int crc = store_txn_commit(t, buf_cstr(&cm), commit);
		t = NULL;
		buf_dispose(&cm);
		if (crc) {
			*err = kr_errmsg();
			goto out;
		}
	}
	{
		struct buf fp = BUF_INIT;
		char *furi;
		buf_printf(&fp, "%s/%s.md", st->dir, mem->name);
		furi = paths_to_uri(buf_cstr(&fp));
		jw_obj(w);
		jw_kstr(w, "name", mem->name);
		jw_kstr(w, "uri", furi);
		jw_end(w);
		free(furi);
		buf_dispose(&fp);
	}
	lsp_stores_changed(s);
	rc = 0;
out:
	if (t)
		store_txn_abort(t);
	mem_free(mem);
	free(text);
	free(name_in);
	free(name);
	free(type_s);
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
	const struct mem *x;
	struct store_txn *t = NULL;
	struct buf cm = BUF_INIT;
	char commit[41];
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
	x = lsp_stores_find(s, name, kind);
	if (!x) {
		*err = "no memory of that name";
		goto out;
	}
	rc = RPC_REQUEST_FAILED;
	buf_printf(&cm, "forget %s: archived at the person's request", name);
	if (store_txn_begin(&t, lsp_stores_writable(s, (int)x->store)) ||
	    store_txn_archive(t, name, "forgotten at the person's request", NULL)) {
		*err = kr_errmsg();
		goto out;
	}
	rc = store_txn_commit(t, buf_cstr(&cm), commit);
	t = NULL;
	if (rc) {
		*err = kr_errmsg();
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	jw_obj(w);
	jw_kbool(w, "archived", true);
	jw_end(w);
	lsp_stores_changed(s);
out:
	if (t)
		store_txn_abort(t);
	buf_dispose(&cm);
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
		store_mem_json(w, set->mems.v[i]);
		jw_end(w);
	}
	jw_end(w);
	return 0;
}

/* Undoes the newest change among the writable stores. */
int lsp_memory_undo(struct lsp_session *s, struct rpc_msg *msg, int args, struct jw *w,
		    const char **err)
{
	struct store *best = NULL;
	int64_t best_t = -1;
	char id[41] = "", undone[41] = "";

	if (!lsp_stores_set(s)) {
		*err = "the memory stores are not available";
		return RPC_REQUEST_FAILED;
	}
	lsp_stores_check(s, false);
	for (int k = 0; k < STORE_COUNT; k++) {
		struct store *st = lsp_stores_writable(s, k);
		struct history_entry *e = NULL;
		size_t n = 0;
		if (!st || history_log(st->dir, &e, &n) || n < 2) {
			if (e)
				history_entries_free(e, n);
			continue;
		}
		if (e[0].time > best_t) {
			best_t = e[0].time;
			best = st;
			memcpy(undone, e[0].id, sizeof(undone));
		}
		history_entries_free(e, n);
	}
	if (!best) {
		*err = "nothing to undo: no store has a recorded change";
		return RPC_REQUEST_FAILED;
	}
	if (store_undo(best, id)) {
		*err = kr_errmsg();
		return RPC_REQUEST_FAILED;
	}
	jw_obj(w);
	jw_kstr(w, "reverted", undone);
	jw_end(w);
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
	struct buf res = BUF_INIT;
	struct json j;
	struct jw w;
	const char *e = NULL;
	int rc;

	if (json_parse(&j, c->args, strlen(c->args)) == 0) {
		jw_init(&w, &res);
		rc = write_memory(s, &j, 0, p, &w, &e);
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
