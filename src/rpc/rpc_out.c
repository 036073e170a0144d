/* rpc_out: framed, queued, non-blocking output to one peer (rpc_out.h). */
#include "kairos/rpc_out.h"
#include "kairos/err.h"
#include "kairos/rpc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static void on_writable(struct loop *l, int fd, short revents, void *ud);

void rpc_out_init(struct rpc_out *o, struct loop *l, int fd, enum rpc_out_framing framing,
		  size_t max, rpc_out_error_fn on_error, void *ud)
{
	memset(o, 0, sizeof(*o));
	o->loop = l;
	o->fd = fd;
	o->framing = framing;
	o->max = max ? max : RPC_OUT_DEFAULT_MAX;
	o->on_error = on_error;
	o->ud = ud;
	/* what is queued is capped below; the buffer also holds what was
	 * written and not yet consumed (at most 1 MiB, or half of it) */
	buf_init(&o->q, 2 * o->max + BUF_CAP_RPC_FRAME);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void unwatch(struct rpc_out *o)
{
	if (o->watching)
		loop_fd_del(o->loop, o->fd);
	o->watching = false;
}

/* Marks the stream failed and tells the owner, who may dispose it: the
 * caller must not touch o afterwards. */
static int fail(struct rpc_out *o, const char *why)
{
	rpc_out_error_fn fn = o->on_error;
	void *ud = o->ud;

	unwatch(o);
	o->failed = true;
	buf_reset(&o->q);
	o->off = 0;
	if (fn)
		fn(ud, why);
	return kr_err("%s", why);
}

/* Writes as much as the descriptor takes. 0, or fail()'s code. */
static int flush(struct rpc_out *o)
{
	while (o->off < o->q.len) {
		ssize_t w = write(o->fd, o->q.data + o->off, o->q.len - o->off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return fail(o, strerror(errno));
		}
		o->off += (size_t)w;
	}
	if (o->off == o->q.len) {
		buf_reset(&o->q);
		o->off = 0;
		unwatch(o);
		return 0;
	}
	/* keep the written part from growing the buffer for ever */
	if (o->off > ((size_t)1 << 20) && o->off > o->q.len / 2) {
		buf_consume(&o->q, o->off);
		o->off = 0;
	}
	if (!o->watching && o->loop) {
		if (loop_fd_add(o->loop, o->fd, POLLOUT, on_writable, o))
			return fail(o, kr_errmsg());
		o->watching = true;
	}
	return 0;
}

static void on_writable(struct loop *l, int fd, short revents, void *ud)
{
	struct rpc_out *o = ud;
	if (revents & (POLLERR | POLLNVAL)) {
		fail(o, "the peer closed its input");
		return;
	}
	flush(o);
}

int rpc_out_send(struct rpc_out *o, const char *body, size_t len)
{
	bool idle = o->off == o->q.len;

	if (o->failed)
		return kr_err("the output stream has failed");
	if (o->q.len - o->off + len > o->max)
		return fail(o, "the peer stopped reading what kairos sends");
	if (o->framing == RPC_OUT_HEADERS) {
		rpc_frame(&o->q, body, len);
	} else {
		if (memchr(body, '\n', len))
			return kr_errc(KR_EINVAL, "a newline-delimited message holds a newline");
		buf_append(&o->q, body, len);
		buf_putc(&o->q, '\n');
	}
	if (buf_err(&o->q))
		return fail(o, kr_errmsg());
	/* while a write is pending the loop flushes; otherwise write now */
	return idle || !o->loop ? flush(o) : 0;
}

size_t rpc_out_pending(const struct rpc_out *o)
{
	return o->q.len - o->off;
}

int rpc_out_drain(struct rpc_out *o, int timeout_ms)
{
	uint64_t until = loop_now_ms() + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0);

	while (!o->failed && rpc_out_pending(o)) {
		uint64_t now = loop_now_ms();
		struct pollfd pfd = {o->fd, POLLOUT, 0};
		if (now >= until)
			return kr_err("the peer did not read the last %zu bytes in time", rpc_out_pending(o));
		if (poll(&pfd, 1, (int)(until - now)) > 0 && flush(o))
			return KR_ERR;
	}
	return o->failed ? KR_ERR : 0;
}

void rpc_out_dispose(struct rpc_out *o)
{
	unwatch(o);
	buf_dispose(&o->q);
	o->off = 0;
	o->failed = false;
}
