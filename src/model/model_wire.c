/* model_wire: what every provider's request is made of (model_*.c
 * only): the HTTP request object, its headers, the endpoint as
 * configured, and the JSON both chat APIs start with. */
#include "model_wire.h"
#include "kairos/err.h"
#include "kairos/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void model_wire_header(struct model_http *h, const char *name, const char *value)
{
	size_t n = strlen(name) + STRLEN_LIT(": ") + strlen(value) + 1;
	char *v;
	if (h->nheaders >= MODEL_HTTP_MAX_HEADERS)
		abort(); /* programmer error: raise MODEL_HTTP_MAX_HEADERS */
	v = xmalloc(n);
	snprintf(v, n, "%s: %s", name, value);
	h->headers[h->nheaders++] = v;
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

/* e, n is the literal scheme and something after it */
#define HAS_SCHEME(e, n, scheme) ((n) > STRLEN_LIT(scheme) && !strncmp((e), scheme, STRLEN_LIT(scheme)))
#define V1 "/v1" /* the version both APIs put first; the providers add it back */

int model_wire_endpoint(struct buf *out, const char *endpoint, const char *public_url)
{
	const char *e = endpoint && *endpoint ? endpoint : public_url;
	size_t n = strlen(e);

	while (n && e[n - 1] == '/')
		n--;
	if (n >= STRLEN_LIT(V1) && !memcmp(e + n - STRLEN_LIT(V1), V1, STRLEN_LIT(V1)))
		n -= STRLEN_LIT(V1);
	while (n && e[n - 1] == '/')
		n--;
	if (!(HAS_SCHEME(e, n, "http://") || HAS_SCHEME(e, n, "https://")))
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
