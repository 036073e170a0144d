/* httpc: asynchronous HTTP POSTs driven by a struct loop. libcurl lives
 * in build/kairos-http.so, loaded (dlopen) at the first request, so a
 * session that never sends one never pays for it. No call ever blocks:
 * transfers progress inside the loop's fd and timer callbacks. */
#ifndef KAIROS_HTTPC_H
#define KAIROS_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

struct loop;
struct httpc;
struct httpc_req;

#define HTTPC_MAX_BODY ((size_t)4 << 20) /* reply body cap by default: 4 MiB */

struct httpc_post {
	const char *url;            /* http:// or https:// only */
	const char *const *headers; /* "Name: value" strings, NULL-terminated; may be NULL */
	const char *body;
	size_t body_len;
	long connect_timeout_ms;    /* 0: 10 s */
	long timeout_ms;            /* the whole transfer; 0: 30 s */
	size_t max_body;            /* 0: HTTPC_MAX_BODY */
};

struct httpc_result {
	int err;              /* 0: a whole reply arrived (any status); KR_ERR otherwise */
	bool timed_out;       /* err set because a timeout expired */
	const char *errmsg;   /* when err: one line, never a header value */
	long status;          /* HTTP status; 0 when no reply */
	long retry_after_ms;  /* the reply's Retry-After, -1 when absent */
	const char *headers;  /* the reply's header block as received */
	size_t headers_len;
	const char *body;     /* NUL-terminated */
	size_t body_len;
};

/* Called once per request that was neither cancelled nor freed; r and
 * everything it points at are valid during the call only, and req is
 * freed after it returns. The callback may start and cancel requests,
 * but must not free the client. */
typedef void (*httpc_done_fn)(void *ud, struct httpc_req *req, const struct httpc_result *r);

/* A client bound to loop l; loads nothing yet. */
struct httpc *httpc_new(struct loop *l);
/* Aborts every transfer (no callbacks) and frees the client. */
void httpc_free(struct httpc *c);

/* Starts a POST; *out (may be NULL) gets its handle, valid until its
 * callback returns or it is cancelled. Fails when the plugin cannot be
 * loaded (KR_ENOTFOUND) or the transfer cannot start; fn is then never
 * called. */
int httpc_post(struct httpc *c, struct httpc_req **out, const struct httpc_post *p,
	       httpc_done_fn fn, void *ud);
/* Aborts req (the connection is closed); its callback is never called. */
void httpc_cancel(struct httpc *c, struct httpc_req *req);
/* Requests started and not yet completed or cancelled. */
size_t httpc_active(const struct httpc *c);

#endif
