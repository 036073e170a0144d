/* lsp_documents: text synchronisation (didOpen, didChange incremental and
 * full, didSave, didClose). Malformed notifications are logged and
 * ignored; positions are clamped by doc.c. */
#include "kairos/err.h"
#include "lsp.h"

#include <stdlib.h>
#include <string.h>

bool lsp_read_pos(const struct json *j, int obj, struct doc_pos *out)
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

static struct doc *find_doc(struct server *s, struct rpc_msg *m, const char *what)
{
	int td = json_get(&m->j, m->params, "textDocument");
	int u = json_get(&m->j, td, "uri");
	struct buf uri = BUF_INIT;
	struct doc *d = NULL;

	if (json_str(&m->j, u, &uri) == 0)
		d = doc_set_find(&s->docs, buf_cstr(&uri));
	if (!d)
		server_log(s, 4, "%s for a document that is not open: %s", what,
			   uri.len ? buf_cstr(&uri) : "(no uri)");
	buf_dispose(&uri);
	return d;
}

void lsp_did_open(struct server *s, struct rpc_msg *m)
{
	const struct json *j = &m->j;
	int td = json_get(j, m->params, "textDocument");
	char *uri = json_get_str(j, td, "uri");
	struct buf text = BUF_INIT;
	struct doc *d;

	if (!uri || json_str(j, json_get(j, td, "text"), &text)) {
		server_log(s, 2, "didOpen without a uri or text: ignored");
		goto out;
	}
	d = xcalloc(1, sizeof(*d));
	if (doc_init(d, uri, buf_cstr(&text), text.len)) {
		server_log(s, 1, "cannot open %s: %s", uri, kr_errmsg());
		doc_dispose(d);
		free(d);
		goto out;
	}
	d->language = json_get_str(j, td, "languageId");
	d->version = json_get_int(j, td, "version", 0);
	d->changed_ms = loop_now_ms();
	doc_set_put(&s->docs, d);
	features_doc_changed(s, d);
out:
	free(uri);
	buf_dispose(&text);
}

void lsp_did_change(struct server *s, struct rpc_msg *m)
{
	const struct json *j = &m->j;
	struct doc *d = find_doc(s, m, "didChange");
	int changes = json_get(j, m->params, "contentChanges");
	struct buf text = BUF_INIT;

	if (!d)
		return;
	for (int c = json_first(j, changes); c >= 0; c = json_next(j, changes, c)) {
		int range = json_get(j, c, "range");
		struct doc_pos a, b;
		int rc;

		buf_reset(&text);
		if (json_str(j, json_get(j, c, "text"), &text)) {
			server_log(s, 2, "didChange without text in %s: ignored", d->uri);
			continue;
		}
		if (range < 0) {
			rc = doc_set_text(d, buf_cstr(&text), text.len);
		} else if (!lsp_read_pos(j, json_get(j, range, "start"), &a) ||
			   !lsp_read_pos(j, json_get(j, range, "end"), &b)) {
			server_log(s, 2, "didChange with a malformed range in %s: ignored", d->uri);
			continue;
		} else {
			features_before_edit(s, d, a, b, buf_cstr(&text), text.len);
			rc = doc_edit(d, a, b, buf_cstr(&text), text.len, s->enc);
		}
		if (rc)
			server_log(s, 1, "cannot apply a change to %s: %s", d->uri, kr_errmsg());
	}
	d->version = json_get_int(j, json_get(j, m->params, "textDocument"), "version", d->version);
	d->changed_ms = loop_now_ms();
	features_doc_changed(s, d);
	buf_dispose(&text);
}

void lsp_did_save(struct server *s, struct rpc_msg *m)
{
	struct doc *d = find_doc(s, m, "didSave");
	if (d)
		features_doc_saved(s, d);
}

void lsp_did_close(struct server *s, struct rpc_msg *m)
{
	struct doc *d = find_doc(s, m, "didClose");
	if (!d)
		return;
	features_doc_closed(s, d->uri);
	doc_set_remove(&s->docs, d->uri);
}
