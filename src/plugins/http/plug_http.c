/* plug_http: build/kairos-http.so, the asynchronous HTTP client over
 * libcurl's multi interface. The only file of kairos that includes
 * curl.h; the host (src/httpc.c) drives it from its event loop through
 * include/kairos/http_plugin.h. TLS verification is libcurl's default
 * (peer and host verified) and is never turned off. */
#include "kairos/http_plugin.h"
#include "kairos/err.h" /* STRLEN_LIT; the plugin links no libkairos */

#include <curl/curl.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HEADERS_MAX ((size_t)64 * 1024)

struct xfer {
	struct multi *m;
	CURL *easy;
	struct curl_slist *hdrs;
	char *body;
	void *tag;
	char *resp, *head;
	size_t resp_len, resp_cap, head_len, head_cap, max_body;
	int too_big;
	int done;           /* finished, waiting in the done list */
	CURLcode result;
	char errbuf[CURL_ERROR_SIZE];
	char msg[CURL_ERROR_SIZE + 64];
	struct xfer *next, *prev;       /* every transfer of the multi */
	struct xfer *done_next;
};

struct multi {
	CURLM *cm;
	struct http_plugin_host host;
	struct xfer *all;
	struct xfer *done_head, *done_tail;
};

static int global_refs;

static int grow_append(char **p, size_t *len, size_t *cap, size_t max, const char *s, size_t n)
{
	if (n > max - *len)
		return -1;
	if (*len + n + 1 > *cap) {
		size_t c = *cap ? *cap : 1024;
		while (c < *len + n + 1)
			c *= 2;
		char *np = realloc(*p, c);
		if (!np)
			return -1;
		*p = np;
		*cap = c;
	}
	memcpy(*p + *len, s, n);
	*len += n;
	(*p)[*len] = 0;
	return 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (grow_append(&x->resp, &x->resp_len, &x->resp_cap, x->max_body, ptr, n)) {
		x->too_big = 1;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	/* a new status line (after a 100 Continue, say): keep only the last block */
	if (n >= STRLEN_LIT("HTTP/") && !memcmp(ptr, "HTTP/", STRLEN_LIT("HTTP/")))
		x->head_len = 0;
	if (grow_append(&x->head, &x->head_len, &x->head_cap, HEADERS_MAX, ptr, n))
		return 0;
	return n;
}

static int on_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct multi *m = userp;
	int w = HTTP_WATCH_NONE;
	switch (what) {
	case CURL_POLL_IN: w = HTTP_WATCH_IN; break;
	case CURL_POLL_OUT: w = HTTP_WATCH_OUT; break;
	case CURL_POLL_INOUT: w = HTTP_WATCH_INOUT; break;
	default: w = HTTP_WATCH_NONE; break;
	}
	m->host.watch(m->host.ud, (int)s, w);
	return 0;
}

static int on_timer(CURLM *cm, long timeout_ms, void *userp)
{
	struct multi *m = userp;
	m->host.timer(m->host.ud, timeout_ms);
	return 0;
}

static void *multi_new(const struct http_plugin_host *host)
{
	struct multi *m;
	if (global_refs == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	global_refs++;
	m = calloc(1, sizeof(*m));
	if (!m)
		goto out_global;
	m->host = *host;
	m->cm = curl_multi_init();
	if (!m->cm)
		goto out_free;
	curl_multi_setopt(m->cm, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m->cm, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->cm, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(m->cm, CURLMOPT_TIMERDATA, m);
	return m;
out_free:
	free(m);
out_global:
	if (--global_refs == 0)
		curl_global_cleanup();
	return NULL;
}

static void xfer_free(struct xfer *x)
{
	struct multi *m = x->m;
	if (x->prev)
		x->prev->next = x->next;
	else
		m->all = x->next;
	if (x->next)
		x->next->prev = x->prev;
	if (x->easy) {
		if (!x->done)
			curl_multi_remove_handle(m->cm, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->hdrs);
	free(x->body);
	free(x->resp);
	free(x->head);
	free(x);
}

static void multi_free(void *mp)
{
	struct multi *m = mp;
	if (!m)
		return;
	while (m->all)
		xfer_free(m->all);
	curl_multi_cleanup(m->cm);
	free(m);
	if (--global_refs == 0)
		curl_global_cleanup();
}

static int start(void *mp, const struct http_plugin_request *rq, void **out, char *err,
		 size_t errlen)
{
	struct multi *m = mp;
	struct xfer *x = calloc(1, sizeof(*x));
	CURLMcode mc;

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	x->m = m;
	x->tag = rq->tag;
	x->max_body = rq->max_body;
	x->next = m->all;
	if (m->all)
		m->all->prev = x;
	m->all = x;
	x->easy = curl_easy_init();
	x->body = malloc(rq->body_len + 1);
	if (!x->easy || !x->body) {
		snprintf(err, errlen, "could not start an HTTP transfer");
		goto fail;
	}
	memcpy(x->body, rq->body, rq->body_len);
	x->body[rq->body_len] = 0;
	for (const char *const *h = rq->headers; h && *h; h++) {
		struct curl_slist *n = curl_slist_append(x->hdrs, *h);
		if (!n) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		x->hdrs = n;
	}
	/* no "Expect: 100-continue" round trip before the body */
	struct curl_slist *n = curl_slist_append(x->hdrs, "Expect:");
	if (!n) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	x->hdrs = n;

	CURL *e = x->easy;
	curl_easy_setopt(e, CURLOPT_URL, rq->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "kairos");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, rq->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	mc = curl_multi_add_handle(m->cm, e);
	if (mc != CURLM_OK) {
		snprintf(err, errlen, "could not start an HTTP transfer: %s", curl_multi_strerror(mc));
		goto fail;
	}
	*out = x;
	return 0;
fail:
	x->done = 1; /* not in the multi */
	xfer_free(x);
	return -1;
}

static void done_unlink(struct multi *m, struct xfer *x)
{
	struct xfer **pp = &m->done_head, *prev = NULL;
	while (*pp && *pp != x) {
		prev = *pp;
		pp = &(*pp)->done_next;
	}
	if (!*pp)
		return;
	*pp = x->done_next;
	if (m->done_tail == x)
		m->done_tail = prev;
	x->done_next = NULL;
}

static void cancel(void *mp, void *xp)
{
	struct multi *m = mp;
	struct xfer *x = xp;
	if (!x)
		return;
	if (x->done)
		done_unlink(m, x);
	xfer_free(x);
}

static void collect(struct multi *m)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(m->cm, &left))) {
		struct xfer *x = NULL;
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (!x)
			continue;
		x->result = msg->data.result;
		curl_multi_remove_handle(m->cm, x->easy);
		x->done = 1;
		if (m->done_tail)
			m->done_tail->done_next = x;
		else
			m->done_head = x;
		m->done_tail = x;
	}
}

static void socket_action(void *mp, int fd, int ev)
{
	struct multi *m = mp;
	int running = 0, flags = 0;
	if (ev & HTTP_EV_IN)
		flags |= CURL_CSELECT_IN;
	if (ev & HTTP_EV_OUT)
		flags |= CURL_CSELECT_OUT;
	if (ev & HTTP_EV_ERR)
		flags |= CURL_CSELECT_ERR;
	curl_multi_socket_action(m->cm, fd < 0 ? CURL_SOCKET_TIMEOUT : (curl_socket_t)fd, flags,
				 &running);
	collect(m);
}

/* Retry-After of the last header block: delay-seconds or an HTTP-date. */
static long retry_after(const struct xfer *x)
{
	const char *p = x->head, *end = x->head ? x->head + x->head_len : NULL;
	long found = -1;
	static const char key[] = "retry-after:";
	while (p && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if (n > sizeof(key) - 1 && !strncasecmp(p, key, sizeof(key) - 1)) {
			char val[128];
			size_t k = n - (sizeof(key) - 1);
			const char *v = p + sizeof(key) - 1;
			while (k && (*v == ' ' || *v == '\t'))
				v++, k--;
			while (k && isspace((unsigned char)v[k - 1]))
				k--;
			if (k && k < sizeof(val)) {
				memcpy(val, v, k);
				val[k] = 0;
				if (isdigit((unsigned char)val[0])) {
					char *e;
					long s = strtol(val, &e, 10);
					if (!*e && s >= 0)
						found = s;
				} else {
					time_t t = curl_getdate(val, NULL);
					if (t != -1) {
						time_t now = time(NULL);
						found = t > now ? (long)(t - now) : 0;
					}
				}
			}
		}
		p = eol ? eol + 1 : end;
	}
	return found;
}

static int next_done(void *mp, struct http_plugin_done *out, void **xp)
{
	struct multi *m = mp;
	struct xfer *x = m->done_head;
	if (!x)
		return 0;
	m->done_head = x->done_next;
	if (!m->done_head)
		m->done_tail = NULL;
	x->done_next = NULL;
	memset(out, 0, sizeof(*out));
	out->tag = x->tag;
	out->retry_after_s = -1;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &out->status);
	if (x->result == CURLE_OK) {
		out->ok = 1;
		out->retry_after_s = retry_after(x);
	} else if (x->too_big) {
		snprintf(x->msg, sizeof(x->msg), "reply larger than %zu bytes", x->max_body);
		out->error = x->msg;
	} else {
		out->timed_out = x->result == CURLE_OPERATION_TIMEDOUT;
		snprintf(x->msg, sizeof(x->msg), "%s%s%s", curl_easy_strerror(x->result),
			 x->errbuf[0] ? ": " : "", x->errbuf);
		out->error = x->msg;
	}
	out->headers = x->head ? x->head : "";
	out->headers_len = x->head_len;
	out->body = x->resp ? x->resp : "";
	out->body_len = x->resp_len;
	*xp = x;
	return 1;
}

static void release(void *mp, void *xp)
{
	if (xp)
		xfer_free(xp);
}

static const struct http_plugin_ops ops = {
	.abi = HTTP_PLUGIN_ABI,
	.multi_new = multi_new,
	.multi_free = multi_free,
	.start = start,
	.cancel = cancel,
	.socket_action = socket_action,
	.next_done = next_done,
	.release = release,
};

/* The plugin's one exported symbol. */
__attribute__((visibility("default"))) const struct http_plugin_ops *kairos_http_plugin(void);

const struct http_plugin_ops *kairos_http_plugin(void)
{
	return &ops;
}
