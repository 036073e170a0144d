/* rpc_write: the JSON-RPC 2.0 envelopes, written once for every speaker
 * (the language server, the proxy, the MCP server). Each appends one
 * complete message body to out; framing (Content-Length or a newline) is
 * the transport's business. Ids, results and params are raw JSON texts
 * (an id "7" or "\"a\""; NULL for null); method names and messages are
 * plain strings, escaped here. On failure (the buffer's cap) the error
 * sticks in out and is returned. */
#ifndef KAIROS_RPC_WRITE_H
#define KAIROS_RPC_WRITE_H

#include <stddef.h>

#include "kairos/buf.h"

/* The cap of a buffer that holds one envelope: a body of at most
 * BUF_CAP_RPC_BODY and what goes around it. */
#define RPC_WRITE_CAP (BUF_CAP_RPC_BODY + BUF_CAP_LINE)

/* {"jsonrpc":"2.0","id":ID,"result":RESULT} (RESULT NULL: null) */
int rpc_write_result(struct buf *out, const char *id, size_t id_len, const char *result, size_t n);
/* {"jsonrpc":"2.0","id":ID,"error":{"code":CODE,"message":MSG}} */
int rpc_write_error(struct buf *out, const char *id, size_t id_len, int code, const char *msg);
/* {"jsonrpc":"2.0","method":METHOD[,"params":PARAMS]} (PARAMS NULL: left out) */
int rpc_write_notification(struct buf *out, const char *method, const char *params, size_t n);
/* {"jsonrpc":"2.0","id":ID,"method":METHOD[,"params":PARAMS]} */
int rpc_write_request(struct buf *out, const char *id, size_t id_len, const char *method,
		      const char *params, size_t n);

#endif
