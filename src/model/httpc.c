/* httpc: the host side of kairos-http.so, wired to struct loop. */
#include "httpc.h"
#include "kairos/err.h"
#include "kairos/http_plugin.h"
#include "kairos/loop.h"
#include "kairos/plugin.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct httpc_req {
	struct httpc *c;
	void *xfer;
	httpc_done_fn fn;
	void *ud;
	struct httpc_req *next, *prev;
};

struct httpc {
	struct loop *l;
	void *multi;
	struct loop_timer timer;
	struct httpc_req *reqs;
	size_t active;
	int draining;
};

static const struct http_plugin_ops *ops;

static int load_plugin(void)
{
	void *sym;
	int rc;
	if (ops)
		return 0;
	rc = plugin_load(&sym, "http", HTTP_PLUGIN_SYMBOL);
	if (rc)
		return rc;
	http_plugin_fn fn;
	memcpy(&fn, &sym, sizeof(fn));
	const struct http_plugin_ops *o = fn();
	if (!o || o->abi != HTTP_PLUGIN_ABI)
		return kr_errc(KR_ERR, "kairos-http.so is of another version (ABI %d, want %d)",
			       o ? o->abi : -1, HTTP_PLUGIN_ABI);
	ops = o;
	return 0;
}

static void req_unlink(struct httpc *c, struct httpc_req *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		c->reqs = r->next;
	if (r->next)
		r->next->prev = r->prev;
	c->active--;
}

static void drain(struct httpc *c)
{
	struct http_plugin_done d;
	void *xfer;
	if (c->draining)
		return;
	c->draining = 1;
	while (ops->next_done(c->multi, &d, &xfer)) {
		struct httpc_req *r = d.tag;
		struct httpc_result res = {
			.err = d.ok ? 0 : KR_ERR,
			.timed_out = d.timed_out != 0,
			.errmsg = d.ok ? NULL : (d.error ? d.error : "transfer failed"),
			.status = d.status,
			.retry_after_ms = d.retry_after_s < 0 ? -1 : d.retry_after_s * 1000,
			.headers = d.headers,
			.headers_len = d.headers_len,
			.body = d.body,
			.body_len = d.body_len,
		};
		req_unlink(c, r);
		r->fn(r->ud, r, &res);
		ops->release(c->multi, xfer);
		free(r);
	}
	c->draining = 0;
}

static void on_fd(struct loop *l, int fd, short revents, void *ud)
{
	struct httpc *c = ud;
	int ev = 0;
	if (revents & (POLLIN | POLLERR | POLLHUP))
		ev |= HTTP_EV_IN;
	if (revents & (POLLOUT | POLLERR))
		ev |= HTTP_EV_OUT;
	if (revents & (POLLERR | POLLNVAL))
		ev |= HTTP_EV_ERR;
	if (revents & POLLNVAL)
		loop_fd_del(l, fd); /* closed behind our back: stop spinning on it */
	ops->socket_action(c->multi, fd, ev);
	drain(c);
}

static void on_timer(struct loop *l, void *ud)
{
	struct httpc *c = ud;
	ops->socket_action(c->multi, -1, 0);
	drain(c);
}

static void host_watch(void *ud, int fd, int what)
{
	struct httpc *c = ud;
	short ev = 0;
	if (what & HTTP_WATCH_IN)
		ev |= POLLIN;
	if (what & HTTP_WATCH_OUT)
		ev |= POLLOUT;
	if (ev)
		loop_fd_add(c->l, fd, ev, on_fd, c);
	else
		loop_fd_del(c->l, fd);
}

static void host_timer(void *ud, long ms)
{
	struct httpc *c = ud;
	if (ms < 0)
		loop_timer_cancel(c->l, &c->timer);
	else
		loop_timer_arm(c->l, &c->timer, (uint64_t)ms);
}

struct httpc *httpc_new(struct loop *l)
{
	struct httpc *c = xcalloc(1, sizeof(*c));
	c->l = l;
	loop_timer_init(&c->timer, on_timer, c);
	return c;
}

void httpc_free(struct httpc *c)
{
	if (!c)
		return;
	while (c->reqs) {
		struct httpc_req *r = c->reqs;
		req_unlink(c, r);
		free(r);
	}
	if (c->multi)
		ops->multi_free(c->multi);
	loop_timer_cancel(c->l, &c->timer);
	free(c);
}

int httpc_post(struct httpc *c, struct httpc_req **out, const struct httpc_post *p,
	       httpc_done_fn fn, void *ud)
{
	char err[256];
	int rc = load_plugin();
	if (rc)
		return rc;
	if (!c->multi) {
		struct http_plugin_host host = {c, host_watch, host_timer};
		c->multi = ops->multi_new(&host);
		if (!c->multi)
			return kr_err("could not initialise libcurl");
	}
	struct httpc_req *r = xcalloc(1, sizeof(*r));
	struct http_plugin_request rq = {
		.url = p->url,
		.headers = p->headers,
		.body = p->body ? p->body : "",
		.body_len = p->body ? p->body_len : 0,
		.connect_timeout_ms = p->connect_timeout_ms > 0 ? p->connect_timeout_ms : 10000,
		.timeout_ms = p->timeout_ms > 0 ? p->timeout_ms : 30000,
		.max_body = p->max_body ? p->max_body : HTTPC_MAX_BODY,
		.tag = r,
	};
	r->c = c;
	r->fn = fn;
	r->ud = ud;
	if (ops->start(c->multi, &rq, &r->xfer, err, sizeof(err))) {
		free(r);
		return kr_err("%s", err);
	}
	r->next = c->reqs;
	if (c->reqs)
		c->reqs->prev = r;
	c->reqs = r;
	c->active++;
	if (out)
		*out = r;
	return 0;
}

void httpc_cancel(struct httpc *c, struct httpc_req *r)
{
	if (!r)
		return;
	req_unlink(c, r);
	ops->cancel(c->multi, r->xfer);
	free(r);
}

size_t httpc_active(const struct httpc *c)
{
	return c->active;
}
