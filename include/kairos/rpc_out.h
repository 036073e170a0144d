/* rpc_out: the one way kairos writes messages to a peer (the editor, a
 * proxied language server, an MCP client): each body is framed
 * (Content-Length header, or one line for newline-delimited JSON-RPC)
 * and queued; the queue is written as far as the descriptor takes it
 * without blocking, and the rest when the event loop says it is
 * writable. A peer that stops reading cannot freeze kairos: past the
 * queue's cap, or when a write fails, the stream fails once (on_error is
 * called, and may dispose the stream) and every later send is refused. */
#ifndef KAIROS_RPC_OUT_H
#define KAIROS_RPC_OUT_H

#include <stdbool.h>
#include <stddef.h>

#include "kairos/buf.h"
#include "kairos/loop.h"

enum rpc_out_framing {
	RPC_OUT_HEADERS, /* Content-Length: N\r\n\r\n BODY (LSP) */
	RPC_OUT_LINES,   /* BODY \n (MCP's stdio transport) */
};

/* Queued bytes beyond this mean the peer has stopped reading. */
#define RPC_OUT_DEFAULT_MAX ((size_t)64 << 20)

typedef void (*rpc_out_error_fn)(void *ud, const char *why);

struct rpc_out {
	struct loop *loop;
	int fd;                /* made non-blocking by rpc_out_init */
	enum rpc_out_framing framing;
	struct buf q;          /* framed bytes not yet written, from off */
	size_t off;
	size_t max;
	bool watching;         /* a POLLOUT watch is armed */
	bool failed;
	rpc_out_error_fn on_error;
	void *ud;
};

/* fd stays the caller's (never closed here). max 0: RPC_OUT_DEFAULT_MAX. */
void rpc_out_init(struct rpc_out *o, struct loop *l, int fd, enum rpc_out_framing framing,
		  size_t max, rpc_out_error_fn on_error, void *ud);
/* Frames body and queues it; writes what the descriptor takes now.
 * KR_ERR once the stream has failed (on_error has been called). */
int rpc_out_send(struct rpc_out *o, const char *body, size_t len);
/* Bytes queued and not yet written. */
size_t rpc_out_pending(const struct rpc_out *o);
/* Writes what is queued, waiting up to timeout_ms in all (at exit, so
 * that the last replies still reach the peer); 0 when all was written. */
int rpc_out_drain(struct rpc_out *o, int timeout_ms);
/* Stops watching and drops what is queued; o can be initialised again. */
void rpc_out_dispose(struct rpc_out *o);

#endif
