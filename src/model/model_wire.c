/* model_wire: what every provider's request is made of (model_*.c
 * only): the HTTP request object, its headers, the endpoint as
 * configured, and the JSON both chat APIs start with. */
#include "model_wire.h"
#include "kairos/err.h"
#include "kairos/json.h"

#include <stdlib.h>
#include <string.h>

void model_wire_header(struct model_http *h, const char *name, const char *value)
{
	struct buf b = BUF_INIT;
	if (h->nheaders >= MODEL_HTTP_MAX_HEADERS)
		abort(); /* programmer error: raise MODEL_HTTP_MAX_HEADERS */
	buf_printf(&b, "%s: %s", name, value);
	h->headers[h->nheaders++] = buf_detach(&b);
	h->headers[h->nheaders] = NULL;
}

void model_wire_dispose(struct model_http *h)
{
	for (size_t i = 0; i < h->nheaders; i++) {
		explicit_bzero(h->headers[i], strlen(h->headers[i]));
		free(h->headers[i]);
		h->headers[i] = NULL;
	}
	h->nheaders = 0;
	buf_dispose(&h->url);
	buf_dispose(&h->body);
}

int model_wire_endpoint(struct buf *out, const char *endpoint, const char *public_url)
{
	const char *e = endpoint && *endpoint ? endpoint : public_url;
	size_t n = strlen(e);

	while (n && e[n - 1] == '/')
		n--;
	if (n >= 3 && !memcmp(e + n - 3, "/v1", 3))
		n -= 3;
	while (n && e[n - 1] == '/')
		n--;
	if (!((n > 7 && !strncmp(e, "http://", 7)) || (n > 8 && !strncmp(e, "https://", 8))))
		return kr_errc(KR_EINVAL, "llm.endpoint must start with http:// or https://");
	return buf_append(out, e, n);
}

void model_wire_json_begin(struct jw *w, struct buf *body, const struct model_config *c)
{
	jw_init(w, body);
	jw_obj(w);
	jw_kstr(w, "model", c->model);
	jw_kint(w, "max_tokens", c->max_tokens);
	jw_kint(w, "temperature", 0);
}

void model_wire_json_message(struct jw *w, const char *role, const char *content)
{
	jw_obj(w);
	jw_kstr(w, "role", role);
	jw_kstr(w, "content", content);
	jw_end(w);
}
