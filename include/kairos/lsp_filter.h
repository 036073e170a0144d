/* lsp_filter: what stands between the editor's connection and the
 * language server, and what the server lends it. The one filter kairos
 * has is the proxy (`kairos lsp -- CMD`, proxy.h), installed by the
 * command line; the server knows only this interface, the proxy only
 * the host, so neither reaches into the other's state. */
#ifndef KAIROS_LSP_FILTER_H
#define KAIROS_LSP_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/loop.h"
#include "kairos/rpc.h"
#include "kairos/text.h"

struct lsp_filter {
	/* Every message from the editor, before the server handles it;
	 * true when it was the filter's alone (the server must not handle it). */
	bool (*from_client)(void *ud, struct rpc_msg *m, const char *body, size_t len);
	/* Every message the server is about to send to the editor; true when
	 * the filter took it (held for a merge, or sent merged). */
	bool (*to_client)(void *ud, const char *body, size_t len);
	/* At the end of the session, before the server's features go. */
	void (*free)(void *ud);
	void *ud;
};

/* lsp_filter_host.state bits */
enum {
	LSP_HOST_INITIALIZED = 1, /* the server accepted initialize */
	LSP_HOST_SHUTDOWN = 2,    /* the server got shutdown */
};

typedef void (*lsp_filter_doc_fn)(void *fud, const char *uri, const char *language,
				  long long version, const char *text, size_t len);

/* The server's services for a filter; every function gets ud. */
struct lsp_filter_host {
	struct loop *loop;
	void *ud;
	/* One JSON-RPC body to the editor, past the filter. */
	void (*send)(void *ud, const char *body, size_t len);
	/* window/logMessage (show false) or window/showMessage; type as in LSP. */
	void (*say)(void *ud, int type, bool show, const char *msg);
	unsigned (*state)(void *ud);
	/* Calls fn for every open document, as the server holds it. */
	void (*each_doc)(void *ud, lsp_filter_doc_fn fn, void *fud);
	/* The person is at work (a request only the filter answers). */
	void (*activity)(void *ud);
	/* The position encoding both sides now speak. */
	void (*set_encoding)(void *ud, enum text_enc enc);
	/* One observation for the personal store's journal (fields as for
	 * journal_append); ignored when there is no personal store. */
	void (*journal)(void *ud, const char *kind, const char *fields);
};

#endif
