/* lsp_features: the table of kairos's own LSP features and the hooks the
 * core calls (documents changed, activity, capabilities). Each feature
 * area lives in its own lsp_<area>.c; this file only wires them. */
#include "kairos/err.h"
#include "kairos/lsp.h"

#include <stdlib.h>

struct lsp_features {
	int unused;
};

const struct lsp_request_entry features_requests[] = {
	{"kairos/documentState", lsp_document_state},
};
const size_t features_nrequests = ARRAY_LEN(features_requests);

const struct lsp_notify_entry features_notifications[] = {
	{NULL, NULL},
};
const size_t features_nnotifications = 0;

void features_init(struct server *s)
{
	s->feat = xcalloc(1, sizeof(*s->feat));
}

void features_dispose(struct server *s)
{
	free(s->feat);
	s->feat = NULL;
}

void features_initialized(struct server *s)
{
}

void features_capabilities(struct server *s, struct jw *w)
{
}

void features_doc_changed(struct server *s, struct doc *d)
{
}

void features_doc_saved(struct server *s, struct doc *d)
{
}

void features_doc_closed(struct server *s, const char *uri)
{
}

void features_before_edit(struct server *s, struct doc *d, struct doc_pos a, struct doc_pos b,
			  const char *text, size_t len)
{
}

void features_activity(struct server *s)
{
	s->last_activity_ms = loop_now_ms();
}
