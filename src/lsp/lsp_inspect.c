/* lsp_inspect: kairos/documentState (lsp_inspect.h). */
#include "lsp_inspect.h"
#include "lsp_documents.h"
#include "kairos/err.h"

#include <stdlib.h>

int lsp_inspect_document_state(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	const struct json *j = &m->j;
	char *uri = json_get_str(j, m->params, "textDocument.uri");
	struct doc *d = uri ? doc_set_find(&s->docs, uri) : NULL;
	int pos = json_get(j, m->params, "position");
	struct doc_pos p;
	size_t len;
	const char *text;

	free(uri);
	if (!d) {
		*err = "document is not open";
		return RPC_INVALID_PARAMS;
	}
	text = doc_text(d, &len);
	jw_obj(w);
	jw_kint(w, "version", d->version);
	jw_kint(w, "lineCount", (long long)d->nlines);
	jw_key(w, "text");
	jw_strn(w, text, len);
	if (pos >= 0 && lsp_documents_read_pos(j, pos, &p)) {
		uint32_t line;
		size_t off = doc_pos_to_byte(d, p, s->enc, &line);
		jw_key(w, "position");
		jw_obj(w);
		jw_kint(w, "line", line);
		jw_kint(w, "byte", (long long)off);
		jw_kint(w, "character", doc_byte_to_col(d, line, off, s->enc));
		jw_end(w);
	}
	jw_end(w);
	return 0;
}
