/* lsp_session: the bottom half of the language server (lsp_session.h):
 * output, deferred replies, logging and the event hooks. Nothing here
 * blocks: output is queued (rpc_out) and written as the editor reads. */
#include "lsp_session.h"
#include "kairos/err.h"
#include "kairos/rpc_write.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAIN_AT_EXIT_MS 1000

static void on_out_error(void *ud, const char *why)
{
	struct lsp_session *s = ud;
	/* the client is gone or stuck: nobody left to serve */
	fprintf(stderr, "kairos: cannot write to the client: %s\n", why);
	loop_stop(s->loop, 1);
}

static void on_idle_timer(struct loop *l, void *ud)
{
	struct lsp_session *s = ud;
	if (s->got_initialized && !s->got_shutdown)
		lsp_session_emit(s, LSP_EVENT_IDLE, NULL);
}

void lsp_session_init(struct lsp_session *s, struct loop *l, int out_fd)
{
	memset(s, 0, sizeof(*s));
	s->loop = l;
	s->enc = TEXT_UTF16;
	rpc_out_init(&s->out, l, out_fd, RPC_OUT_HEADERS, 0, on_out_error, s);
	lsp_config_defaults(&s->cfg);
	loop_timer_init(&s->idle_timer, on_idle_timer, s);
}

void lsp_session_dispose(struct lsp_session *s)
{
	rpc_out_drain(&s->out, DRAIN_AT_EXIT_MS);
	rpc_out_dispose(&s->out);
	loop_timer_cancel(s->loop, &s->idle_timer);
	for (size_t i = 0; i < s->ndeferred; i++)
		free(s->deferred[i].id);
	free(s->deferred);
	free(s->pending);
	for (int e = 0; e < LSP_EVENT_COUNT; e++)
		free(s->hooks[e]);
	doc_set_dispose(&s->docs);
	lsp_config_dispose(&s->cfg);
	free(s->root);
}

/* ---- events ---- */

void lsp_session_on(struct lsp_session *s, enum lsp_event ev, lsp_hook_fn fn, void *ud)
{
	s->hooks[ev] = xrealloc(s->hooks[ev], (s->nhooks[ev] + 1) * sizeof(*s->hooks[ev]));
	s->hooks[ev][s->nhooks[ev]++] = (struct lsp_hook){fn, ud};
}

void lsp_session_emit(struct lsp_session *s, enum lsp_event ev, const struct lsp_event_data *e)
{
	static const struct lsp_event_data none;
	/* a hook may subscribe others; those run from the next event on */
	size_t n = s->nhooks[ev];
	for (size_t i = 0; i < n; i++)
		s->hooks[ev][i].fn(s, e ? e : &none, s->hooks[ev][i].ud);
}

void lsp_session_activity(struct lsp_session *s)
{
	if (s->cfg.dream_idle_ms > 0)
		loop_timer_arm(s->loop, &s->idle_timer, (uint64_t)s->cfg.dream_idle_ms);
	lsp_session_emit(s, LSP_EVENT_ACTIVITY, NULL);
}

/* ---- output ---- */

void lsp_session_send_raw(struct lsp_session *s, const char *body, size_t len)
{
	rpc_out_send(&s->out, body, len);
}

void lsp_session_send(struct lsp_session *s, const char *body, size_t len)
{
	/* proxy mode: kairos's replies and diagnostics may be merged with the child's */
	if (s->filter && s->filter->to_client(s->filter->ud, body, len))
		return;
	lsp_session_send_raw(s, body, len);
}

/* Sends what b holds, or says why it cannot (a reply that could not be
 * written whole is never sent in part). */
static void send_buf(struct lsp_session *s, struct buf *b, int rc, const char *what)
{
	if (rc)
		fprintf(stderr, "kairos: cannot encode %s: %s\n", what, kr_errmsg());
	else
		lsp_session_send(s, b->data, b->len);
	buf_dispose(b);
}

void lsp_session_reply(struct lsp_session *s, const char *id, size_t id_len, const char *result,
		       size_t n)
{
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	send_buf(s, &b, rpc_write_result(&b, id, id_len, result, n), "a reply");
}

void lsp_session_reply_error(struct lsp_session *s, const char *id, size_t id_len, int code,
			     const char *msg)
{
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	send_buf(s, &b, rpc_write_error(&b, id, id_len, code, msg), "an error reply");
}

void lsp_session_notify(struct lsp_session *s, const char *method, const char *params, size_t n)
{
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	send_buf(s, &b, rpc_write_notification(&b, method, params, n), method);
}

void lsp_session_notify_buf(struct lsp_session *s, const char *method, struct buf *params)
{
	if (buf_err(params))
		fprintf(stderr, "kairos: cannot encode %s: %s\n", method, kr_errmsg());
	else
		lsp_session_notify(s, method, params->data, params->len);
	buf_dispose(params);
}

long long lsp_session_request(struct lsp_session *s, const char *method, const char *params,
			      size_t n, lsp_reply_fn fn, void *ud)
{
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	char id[24];
	long long k = ++s->next_id;
	int idn = snprintf(id, sizeof(id), "%lld", k);

	if (s->npending == s->cappending) {
		s->cappending = s->cappending ? s->cappending * 2 : 8;
		s->pending = xrealloc(s->pending, s->cappending * sizeof(*s->pending));
	}
	s->pending[s->npending++] = (struct lsp_pending){k, fn, ud};
	send_buf(s, &b, rpc_write_request(&b, id, (size_t)idn, method, params, n), method);
	return k;
}

void lsp_session_response(struct lsp_session *s, struct rpc_msg *m)
{
	long long id;
	if (json_int(&m->j, json_get(&m->j, 0, "id"), &id))
		return; /* not one of ours (ours are integers) */
	for (size_t i = 0; i < s->npending; i++)
		if (s->pending[i].id == id) {
			struct lsp_pending p = s->pending[i];
			s->pending[i] = s->pending[--s->npending];
			if (p.fn)
				p.fn(s, m, p.ud);
			return;
		}
	/* a response to an id the server never used is ignored */
}

/* ---- deferred requests ---- */

char *lsp_session_defer(struct lsp_session *s, struct rpc_msg *m)
{
	struct lsp_deferred *d;
	if (s->ndeferred == s->capdeferred) {
		s->capdeferred = s->capdeferred ? s->capdeferred * 2 : 4;
		s->deferred = xrealloc(s->deferred, s->capdeferred * sizeof(*s->deferred));
	}
	d = &s->deferred[s->ndeferred++];
	d->id = xstrndup(m->id, m->id_len);
	d->cancelled = false;
	return d->id;
}

void lsp_session_finish(struct lsp_session *s, const char *handle, const char *result, size_t n,
			int err_code, const char *err_msg)
{
	for (size_t i = 0; i < s->ndeferred; i++) {
		struct lsp_deferred *d = &s->deferred[i];
		if (d->id != handle)
			continue;
		if (!d->cancelled) {
			if (err_code)
				lsp_session_reply_error(s, d->id, strlen(d->id), err_code, err_msg);
			else
				lsp_session_reply(s, d->id, strlen(d->id), result, n);
		}
		free(d->id);
		s->deferred[i] = s->deferred[--s->ndeferred];
		return;
	}
}

void lsp_session_cancel(struct lsp_session *s, const char *id, size_t n)
{
	for (size_t i = 0; i < s->ndeferred; i++) {
		struct lsp_deferred *d = &s->deferred[i];
		if (!d->cancelled && strlen(d->id) == n && !memcmp(d->id, id, n)) {
			d->cancelled = true;
			lsp_session_reply_error(s, d->id, n, RPC_REQUEST_CANCELLED, "request cancelled");
		}
	}
}

/* ---- messages for the person ---- */

static void message_v(struct lsp_session *s, const char *method, enum lsp_msg_type type,
		      const char *fmt, va_list ap)
{
	struct buf msg = BUF_INIT_CAP(BUF_CAP_LISTING), b = BUF_INIT_CAP(RPC_WRITE_CAP);
	struct jw w;

	if (buf_vprintf(&msg, fmt, ap)) {
		buf_reset(&msg);
		buf_printf(&msg, "(a message too long to log: %s)", kr_errmsg());
	}
	if (!s->got_initialize || type == LSP_MSG_ERROR)
		fprintf(stderr, "kairos: %s\n", buf_cstr(&msg));
	if (s->got_initialize) {
		jw_init(&w, &b);
		jw_obj(&w);
		jw_kint(&w, "type", type);
		jw_kstr(&w, "message", buf_cstr(&msg));
		jw_end(&w);
		if (!buf_err(&b))
			lsp_session_notify(s, method, b.data, b.len);
	}
	buf_dispose(&msg);
	buf_dispose(&b);
}

void lsp_session_log(struct lsp_session *s, enum lsp_msg_type type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message_v(s, "window/logMessage", type, fmt, ap);
	va_end(ap);
}

void lsp_session_show(struct lsp_session *s, enum lsp_msg_type type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	message_v(s, "window/showMessage", type, fmt, ap);
	va_end(ap);
}

/* ---- documents ---- */

const char *lsp_session_rel_path(const struct lsp_session *s, const struct doc *d)
{
	size_t n = s->root ? strlen(s->root) : 0;
	if (!d->path)
		return NULL;
	if (n && !strncmp(d->path, s->root, n) && d->path[n] == '/')
		return d->path + n + 1;
	return d->path;
}

struct doc *lsp_session_doc_by_rel(const struct lsp_session *s, const char *rel)
{
	for (size_t i = 0; rel && i < s->docs.n; i++) {
		const char *r = lsp_session_rel_path(s, s->docs.v[i]);
		if (r && !strcmp(r, rel))
			return s->docs.v[i];
	}
	return NULL;
}
