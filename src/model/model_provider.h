/* model_provider: the model layer's internal interface (model*.c only):
 * the table of model APIs, each a {name, build, parse} entry from one
 * file per provider (model_anthropic.c, model_openai.c, built on
 * model_wire.h); and the engine's hooks for the tasks of model_tasks.c. */
#ifndef KAIROS_MODEL_PROVIDER_H
#define KAIROS_MODEL_PROVIDER_H

#include "kairos/buf.h"
#include "kairos/model.h"
#include "model_wire.h"

/* A model API: how a request is built and a successful reply read. */
struct model_api {
	const char *name;     /* as llm.provider names it: "anthropic" */
	const char *endpoint; /* the public API, used when llm.endpoint is "" */
	/* key may be NULL or "" (openai only). system and user are sent as
	 * they are: the caller has redacted them. */
	int (*build)(struct model_http *out, const struct model_config *c, const char *key,
		     const char *system, const char *user);
	/* Appends the reply's text to out; KR_EINVAL when body is not a reply
	 * of this API. */
	int (*parse)(struct buf *out, const char *body, size_t len);
};

/* The API of provider p (model.c's table); "none" has no build or parse. */
const struct model_api *model_api_of(enum model_provider p);

/* One file per provider, each exporting its table entry. */
extern const struct model_api model_anthropic_api;
int model_anthropic_build(struct model_http *out, const struct model_config *c, const char *key,
			  const char *system, const char *user);
int model_anthropic_parse(struct buf *out, const char *body, size_t len);

extern const struct model_api model_openai_api;
int model_openai_build(struct model_http *out, const struct model_config *c, const char *key,
		       const char *system, const char *user);
int model_openai_parse(struct buf *out, const char *body, size_t len);

/* model_ask, and when the request ends without calling fn (cancelled,
 * engine freed) ud_free(ud) is called instead; when model_ask_owned
 * fails, ud stays the caller's. */
int model_ask_owned(struct model *m, enum model_purpose p, const char *system, const char *user,
		    model_done_fn fn, void *ud, void (*ud_free)(void *ud));
/* One line to the engine's log. */
void model_log(struct model *m, const char *msg);

#endif
