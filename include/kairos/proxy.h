/* proxy: kairos in front of another language server (`kairos lsp -- CMD`).
 * The child runs on two pipes; what the editor and the child send passes
 * through unchanged except where kairos merges its own answers in
 * (initialize, publishDiagnostics, pull diagnostics, code actions).
 * protocol/proxy.md is the contract. The proxy is a filter between the
 * editor's connection and kairos's own server (lsp_filter.h), installed
 * by the command line; it knows the server only through the host. */
#ifndef KAIROS_PROXY_H
#define KAIROS_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/buf.h"
#include "kairos/lsp_filter.h"
#include "kairos/rpc.h"
#include "kairos/text.h"

/* Starts the child (argv[0] looked up in PATH) and fills *out with the
 * filter to install: from_client forwards what the child must see (true
 * when the message was the child's alone), to_client holds kairos's
 * answers for a merge, free flushes what is queued for the child, waits
 * briefly for it to exit, then kills it. A child that cannot be started
 * is reported once the editor is connected; kairos serves its own
 * features without it. host is copied. */
void proxy_new(struct lsp_filter *out, const struct lsp_filter_host *host, char **argv);

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
void proxy_merge_error_shape(struct buf *out, struct buf *names, int max_names, const char *msg,
		       size_t n);

#endif
