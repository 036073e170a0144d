/* lsp_documents: text synchronisation (lsp_documents.h). */
#include "lsp_documents.h"
#include "kairos/err.h"

#include <stdlib.h>
#include <string.h>

bool lsp_documents_read_pos(const struct json *j, int obj, struct doc_pos *out)
{
	long long l, c;
	if (json_int(j, json_get(j, obj, "line"), &l) || json_int(j, json_get(j, obj, "character"), &c))
		return false;
	if (l < 0 || c < 0)
		return false;
	out->line = l > UINT32_MAX ? UINT32_MAX : (uint32_t)l;
	out->col = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
	return true;
}

bool lsp_documents_read_range(const struct json *j, int range, struct doc_pos *a, struct doc_pos *b)
{
	return lsp_documents_read_pos(j, json_get(j, range, "start"), a) &&
	       lsp_documents_read_pos(j, json_get(j, range, "end"), b);
}

static struct doc *find_doc(struct lsp_session *s, struct rpc_msg *m, const char *what)
{
	int td = json_get(&m->j, m->params, "textDocument");
	int u = json_get(&m->j, td, "uri");
	struct buf uri = BUF_INIT_CAP(BUF_CAP_LINE);
	struct doc *d = NULL;

	if (json_str(&m->j, u, &uri) == 0)
		d = doc_set_find(&s->docs, buf_cstr(&uri));
	if (!d)
		lsp_session_log(s, LSP_MSG_LOG, "%s for a document that is not open: %s", what,
			   uri.len ? buf_cstr(&uri) : "(no uri)");
	buf_dispose(&uri);
	return d;
}

void lsp_documents_did_open(struct lsp_session *s, struct rpc_msg *m)
{
	const struct json *j = &m->j;
	int td = json_get(j, m->params, "textDocument");
	char *uri = json_get_str(j, td, "uri");
	struct buf text = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct doc *d;

	if (!uri || json_str(j, json_get(j, td, "text"), &text)) {
		lsp_session_log(s, LSP_MSG_WARNING, "didOpen without a uri or text: ignored");
		goto out;
	}
	d = xcalloc(1, sizeof(*d));
	if (doc_init(d, uri, buf_cstr(&text), text.len)) {
		lsp_session_log(s, LSP_MSG_ERROR, "cannot open %s: %s", uri, kr_errmsg());
		doc_dispose(d);
		free(d);
		goto out;
	}
	d->language = json_get_str(j, td, "languageId");
	d->version = json_get_int(j, td, "version", 0);
	d->changed_ms = loop_now_ms();
	doc_set_put(&s->docs, d);
	lsp_session_emit(s, LSP_EVENT_DOC_CHANGED, &(struct lsp_event_data){.doc = d});
out:
	free(uri);
	buf_dispose(&text);
}

void lsp_documents_did_change(struct lsp_session *s, struct rpc_msg *m)
{
	const struct json *j = &m->j;
	struct doc *d = find_doc(s, m, "didChange");
	int changes = json_get(j, m->params, "contentChanges");
	struct buf text = BUF_INIT_CAP(BUF_CAP_RPC_BODY);

	if (!d)
		return;
	for (int c = json_first(j, changes); c >= 0; c = json_next(j, changes, c)) {
		int range = json_get(j, c, "range");
		struct doc_pos a, b;
		int rc;

		buf_reset(&text);
		if (json_str(j, json_get(j, c, "text"), &text)) {
			lsp_session_log(s, LSP_MSG_WARNING, "didChange without text in %s: ignored", d->uri);
			continue;
		}
		if (range < 0) {
			rc = doc_set_text(d, buf_cstr(&text), text.len);
		} else if (!lsp_documents_read_pos(j, json_get(j, range, "start"), &a) ||
			   !lsp_documents_read_pos(j, json_get(j, range, "end"), &b)) {
			lsp_session_log(s, LSP_MSG_WARNING, "didChange with a malformed range in %s: ignored", d->uri);
			continue;
		} else {
			lsp_session_emit(s, LSP_EVENT_DOC_EDIT,
					 &(struct lsp_event_data){d, a, b, buf_cstr(&text), text.len});
			rc = doc_edit(d, a, b, buf_cstr(&text), text.len, s->enc);
		}
		if (rc)
			lsp_session_log(s, LSP_MSG_ERROR, "cannot apply a change to %s: %s", d->uri, kr_errmsg());
	}
	d->version = json_get_int(j, json_get(j, m->params, "textDocument"), "version", d->version);
	d->changed_ms = loop_now_ms();
	lsp_session_emit(s, LSP_EVENT_DOC_CHANGED, &(struct lsp_event_data){.doc = d});
	buf_dispose(&text);
}

void lsp_documents_did_save(struct lsp_session *s, struct rpc_msg *m)
{
	struct doc *d = find_doc(s, m, "didSave");
	if (d)
		lsp_session_emit(s, LSP_EVENT_DOC_SAVED, &(struct lsp_event_data){.doc = d});
}

void lsp_documents_did_close(struct lsp_session *s, struct rpc_msg *m)
{
	struct doc *d = find_doc(s, m, "didClose");
	if (!d)
		return;
	lsp_session_emit(s, LSP_EVENT_DOC_CLOSED, &(struct lsp_event_data){.doc = d});
	doc_set_remove(&s->docs, d->uri);
}
