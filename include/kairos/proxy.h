/* proxy: kairos in front of another language server (`kairos lsp -- CMD`).
 * The child runs on two pipes; what the editor and the child send passes
 * through unchanged except where kairos merges its own answers in
 * (initialize, publishDiagnostics, pull diagnostics, code actions).
 * protocol/proxy.md is the contract; server.c calls the three hooks. */
#ifndef KAIROS_PROXY_H
#define KAIROS_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/buf.h"
#include "kairos/rpc.h"
#include "kairos/text.h"

struct server;
struct proxy;

/* Starts the child (argv[0] looked up in PATH). A child that cannot be
 * started is reported once the editor is connected; kairos serves its own
 * features without it. Never NULL. */
struct proxy *proxy_new(struct server *s, char **argv);
/* Flushes what is queued for the child, waits briefly for it to exit,
 * then kills it; frees p. */
void proxy_free(struct proxy *p);

/* Hook for every message from the editor, before kairos handles it.
 * Forwards what the child must see; returns true when kairos must not
 * handle m itself (it was the child's alone). */
bool proxy_on_client_message(struct server *s, struct rpc_msg *m, const char *body, size_t len);
/* Hook for every message kairos is about to send to the editor; returns
 * true when the proxy took it (held for a merge, or sent merged). */
bool proxy_on_server_message(struct server *s, const char *body, size_t len);

/* ---- pure merges (proxy_merge.c); child and mine are JSON texts ---- */

/* The initialize result: the child's capabilities united with kairos's
 * (the child's positionEncoding and textDocumentSync win, command lists
 * and code action kinds are united), kairos's serverInfo. *enc gets the
 * child's position encoding. */
int proxy_merge_initialize(struct buf *out, const char *child, size_t cn, const char *mine,
			   size_t mn, enum text_enc *enc);
/* textDocument/codeAction results (arrays or null): the child's items
 * first, each child item's data wrapped as {"kairosProxy":"child","data":D}
 * so that codeAction/resolve finds its way back. */
int proxy_merge_code_actions(struct buf *out, const char *child, size_t cn, const char *mine,
			     size_t mn);
/* textDocument/diagnostic reports: one full report with both sides' items
 * (no resultId, so the editor never asks for "unchanged"). */
int proxy_merge_pull(struct buf *out, const char *child, size_t cn, const char *mine, size_t mn);
/* publishDiagnostics params {uri, version?, diagnostics} from both sides'
 * last arrays (either may be NULL). version (raw JSON) may be NULL. */
int proxy_merge_publish(struct buf *out, const char *uri_json, size_t un, const char *version,
			size_t vn, const char *child, size_t cn, const char *mine, size_t mn);
/* The shape of a compiler message: quoted text ('x', "x", ‘x’) and
 * numbers masked as _, so that errors of one kind share one shape. The
 * masked quoted texts are appended to names (a JSON array's members,
 * comma separated, at most max_names) when names is not NULL. */
void proxy_error_shape(struct buf *out, struct buf *names, int max_names, const char *msg,
		       size_t n);

#endif
