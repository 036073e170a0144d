/* rpc: JSON-RPC 2.0 over LSP's Content-Length framing.
 * The reader is incremental (partial reads, several messages per read),
 * with hard caps: header blocks over RPC_MAX_HEADER are dropped, bodies
 * over the body cap are read and thrown away as they arrive, and a length
 * over RPC_FATAL_BODY (or one that overflows) makes the stream untrusted. */
#ifndef KAIROS_RPC_H
#define KAIROS_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/buf.h"
#include "kairos/json.h"

#define RPC_MAX_HEADER 8192
#define RPC_DEFAULT_MAX_BODY ((size_t)64 << 20)
#define RPC_FATAL_BODY ((size_t)1 << 30)

enum {
	RPC_NEED_MORE = 0,
	RPC_MESSAGE = 1,
	RPC_FATAL = -1,
};

struct rpc_reader {
	struct buf in;
	size_t max_body;
	size_t body_len;  /* length of the body being read */
	size_t discard;   /* bytes of an oversized body still to throw away */
	size_t consume;   /* bytes of the body last handed out */
	bool in_body;
	/* called with one line about each framing fault */
	void (*log)(void *ud, const char *msg);
	void *log_ud;
};

void rpc_reader_init(struct rpc_reader *r, size_t max_body);
void rpc_reader_dispose(struct rpc_reader *r);
/* Adds n bytes read from the stream. */
int rpc_reader_feed(struct rpc_reader *r, const char *data, size_t n);
/* What rpc_reader_read found. */
enum rpc_read {
	RPC_READ_BYTES = 1, /* bytes arrived: take the messages with rpc_reader_next */
	RPC_READ_AGAIN = 0, /* nothing yet (EAGAIN, EINTR) */
	RPC_READ_END = -1,  /* the peer closed its end */
	RPC_READ_FAIL = -2, /* reading or buffering failed (kr_errmsg()) */
};
/* One read() of what fd holds now, fed to r: the one way kairos reads a
 * framed peer (the editor, a proxied server). */
enum rpc_read rpc_reader_read(struct rpc_reader *r, int fd);
/* Extracts the next complete body: RPC_MESSAGE with body and len pointing
 * into the reader (valid until the next call), RPC_NEED_MORE, or
 * RPC_FATAL (message in kr_errmsg()). */
int rpc_reader_next(struct rpc_reader *r, const char **body, size_t *len);

/* Appends a framed message (header + body) to out. */
int rpc_frame(struct buf *out, const char *body, size_t len);

/* JSON-RPC error codes */
enum {
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL_ERROR = -32603,
	RPC_SERVER_NOT_INITIALIZED = -32002,
	RPC_REQUEST_FAILED = -32803,
	RPC_CONTENT_MODIFIED = -32801,
	RPC_REQUEST_CANCELLED = -32800,
};

enum rpc_kind {
	RPC_REQUEST,
	RPC_NOTIFICATION,
	RPC_RESPONSE,
	RPC_INVALID, /* answer with error code/id below */
};

/* One decoded message. The json keeps pointers into the body. */
struct rpc_msg {
	struct json j;
	enum rpc_kind kind;
	char *method;     /* requests and notifications */
	const char *id;   /* raw JSON of the id ("7", "\"a\"") or NULL */
	size_t id_len;
	int params;       /* token index, -1 when absent or null */
	int result, error;/* responses */
	int err_code;     /* RPC_INVALID: the error to answer with */
	const char *err_msg;
};

/* Classifies body. Always fills *m (kind RPC_INVALID with err_code set when
 * the body is not a valid message); dispose with rpc_msg_dispose. */
void rpc_msg_parse(struct rpc_msg *m, const char *body, size_t len);
void rpc_msg_dispose(struct rpc_msg *m);

#endif
