/* lsp_documents: text synchronisation (didOpen, didChange incremental and
 * full, didSave, didClose) into the session's document set, and the
 * document events features hear about (LSP_EVENT_DOC_*). Malformed
 * notifications are logged and ignored; positions are clamped by doc.c. */
#ifndef KAIROS_LSP_DOCUMENTS_H
#define KAIROS_LSP_DOCUMENTS_H

#include <stdbool.h>

#include "lsp_session.h"

void lsp_documents_did_open(struct lsp_session *s, struct rpc_msg *m);
void lsp_documents_did_change(struct lsp_session *s, struct rpc_msg *m);
void lsp_documents_did_save(struct lsp_session *s, struct rpc_msg *m);
void lsp_documents_did_close(struct lsp_session *s, struct rpc_msg *m);
/* Reads a Position object; false when malformed. */
bool lsp_documents_read_pos(const struct json *j, int obj, struct doc_pos *out);
/* The range object at index range; false when malformed. */
bool lsp_documents_read_range(const struct json *j, int range, struct doc_pos *a, struct doc_pos *b);

#endif
