/* model_provider: the model layer's internal interface (model*.c only):
 * what each model API needs, the request (URL, headers, JSON body) and
 * the text of a successful reply, one file per provider
 * (model_anthropic.c, model_openai.c); and the engine's hooks for the
 * tasks of model_tasks.c. */
#ifndef KAIROS_MODEL_PROVIDER_H
#define KAIROS_MODEL_PROVIDER_H

#include "kairos/buf.h"
#include "kairos/model.h"

#define MODEL_HTTP_MAX_HEADERS 6

struct model_http {
	struct buf url;
	struct buf body;
	char *headers[MODEL_HTTP_MAX_HEADERS + 1]; /* "Name: value", NULL-terminated */
	size_t nheaders;
};

/* Adds a header (copied). */
void model_http_header(struct model_http *h, const char *name, const char *value);
/* Frees h; header values (which may hold the key) are wiped first. */
void model_http_dispose(struct model_http *h);
/* The configured endpoint, or the provider's public one, without
 * trailing slashes or a trailing "/v1"; appended to out. */
int model_endpoint(struct buf *out, const struct model_config *c);

/* Starts the request object: {"model", "max_tokens", "temperature": 0, */
struct jw;
void model_json_begin(struct jw *w, struct buf *body, const struct model_config *c);
/* {"role": role, "content": content} */
void model_json_message(struct jw *w, const char *role, const char *content);

/* key may be NULL or "" (openai only). system and user are sent as they
 * are: the caller has redacted them. */
int model_anthropic_build(struct model_http *out, const struct model_config *c, const char *key,
			  const char *system, const char *user);
/* Appends the reply's text to out; KR_EINVAL when the body is not a
 * Messages API reply. */
int model_anthropic_text(struct buf *out, const char *body, size_t len);

int model_openai_build(struct model_http *out, const struct model_config *c, const char *key,
		       const char *system, const char *user);
int model_openai_text(struct buf *out, const char *body, size_t len);

/* model_ask, and when the request ends without calling fn (cancelled,
 * engine freed) ud_free(ud) is called instead; when model_ask_owned
 * fails, ud stays the caller's. */
int model_ask_owned(struct model *m, enum model_purpose p, const char *system, const char *user,
		    model_done_fn fn, void *ud, void (*ud_free)(void *ud));
/* One line to the engine's log. */
void model_log(struct model *m, const char *msg);

#endif
