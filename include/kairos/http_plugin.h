/* http_plugin: the boundary between src/model/httpc.c (in the binary) and
 * build/kairos-http.so (src/plugins/http/plug_http.c, the only code that
 * sees libcurl).
 * The plugin knows nothing of the event loop: it tells the host which
 * descriptors to watch and when to call back, through struct
 * http_plugin_host, and the host feeds readiness back with socket_action.
 * Plain C types only, so neither side includes the other's headers. */
#ifndef KAIROS_HTTP_PLUGIN_H
#define KAIROS_HTTP_PLUGIN_H

#include <stddef.h>

#define HTTP_PLUGIN_ABI 1
#define HTTP_PLUGIN_SYMBOL "kairos_http_plugin"

/* what a descriptor should be watched for */
enum {
	HTTP_WATCH_NONE = 0, /* stop watching */
	HTTP_WATCH_IN = 1,
	HTTP_WATCH_OUT = 2,
	HTTP_WATCH_INOUT = 3,
};

/* readiness reported back to the plugin (bit set) */
enum {
	HTTP_EV_IN = 1,
	HTTP_EV_OUT = 2,
	HTTP_EV_ERR = 4,
};

struct http_plugin_host {
	void *ud;
	/* Watch fd for `what` (HTTP_WATCH_*). */
	void (*watch)(void *ud, int fd, int what);
	/* Call socket_action(m, -1, 0) in ms milliseconds (0: as soon as
	 * possible, but never from inside this callback); -1 disarms. */
	void (*timer)(void *ud, long ms);
};

struct http_plugin_request {
	const char *url;
	const char *const *headers; /* "Name: value", NULL-terminated */
	const char *body;
	size_t body_len;
	long connect_timeout_ms;
	long timeout_ms;            /* the whole transfer */
	size_t max_body;            /* reply bodies past this fail the transfer */
	void *tag;                  /* handed back in the completion */
};

struct http_plugin_done {
	void *tag;
	int ok;                 /* 1: a complete HTTP reply arrived (any status) */
	int timed_out;          /* 1: the transfer hit a timeout */
	long status;            /* HTTP status, 0 when no reply */
	long retry_after_s;     /* Retry-After in seconds, -1 when absent */
	const char *error;      /* when !ok: what went wrong (no secrets) */
	const char *headers;    /* the reply's header block, as received */
	size_t headers_len;
	const char *body;
	size_t body_len;
};

struct http_plugin_ops {
	int abi; /* HTTP_PLUGIN_ABI */
	/* A multi handle bound to host (copied); NULL on failure. */
	void *(*multi_new)(const struct http_plugin_host *host);
	/* Aborts every transfer without completions. */
	void (*multi_free)(void *m);
	/* Starts a POST; *out is the transfer's handle. 0 or -1 (err names
	 * the reason, at most errlen bytes). */
	int (*start)(void *m, const struct http_plugin_request *rq, void **out, char *err,
		     size_t errlen);
	/* Aborts a transfer that has not completed yet; no completion
	 * follows. The handle is invalid afterwards. */
	void (*cancel)(void *m, void *xfer);
	/* Readiness of fd (HTTP_EV_* bits), or fd -1 when the timer fired. */
	void (*socket_action)(void *m, int fd, int ev);
	/* Takes the next completed transfer: 1 and *out filled (valid until
	 * release), 0 when none. */
	int (*next_done)(void *m, struct http_plugin_done *out, void **xfer);
	void (*release)(void *m, void *xfer);
};

typedef const struct http_plugin_ops *(*http_plugin_fn)(void);

#endif
