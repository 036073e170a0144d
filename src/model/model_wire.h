/* model_wire: the parts every provider's request is built from
 * (src/model only): below the providers, which are below the engine. */
#ifndef KAIROS_MODEL_WIRE_H
#define KAIROS_MODEL_WIRE_H

#include "kairos/buf.h"
#include "kairos/model.h"

#define MODEL_HTTP_MAX_HEADERS 6

struct model_http {
	struct buf url;  /* a line */
	struct buf body; /* the JSON request, which quotes the prompt */
	char *headers[MODEL_HTTP_MAX_HEADERS + 1]; /* "Name: value", NULL-terminated */
	size_t nheaders;
};

/* An empty request, its buffers capped by what they hold. */
#define MODEL_HTTP_INIT {.url = BUF_INIT_CAP(BUF_CAP_LINE), .body = BUF_INIT_CAP(BUF_CAP_LISTING)}

/* Adds a header (copied). */
void model_wire_header(struct model_http *h, const char *name, const char *value);
/* Frees h; header values (which may hold the key) are wiped first. The
 * buffers keep their caps, so h can be built again. */
void model_wire_dispose(struct model_http *h);
/* endpoint (llm.endpoint), or public_url when it is empty or NULL,
 * without trailing slashes or a trailing "/v1"; appended to out.
 * KR_EINVAL when it is not an http:// or https:// URL. */
int model_wire_endpoint(struct buf *out, const char *endpoint, const char *public_url);

/* Starts the request object: {"model", "max_tokens", "temperature": 0, */
struct jw;
void model_wire_json_begin(struct jw *w, struct buf *body, const struct model_config *c);
/* {"role": role, "content": content} */
void model_wire_json_message(struct jw *w, const char *role, const char *content);

#endif
