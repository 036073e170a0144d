/* model_openai: OpenAI-compatible chat completions
 * (POST {endpoint}/v1/chat/completions): OpenAI, Ollama, llama.cpp's
 * server, vLLM, LM Studio. The key is optional. */
#include "model_provider.h"
#include "kairos/err.h"
#include "kairos/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int model_openai_build(struct model_http *out, const struct model_config *c, const char *key,
		       const char *system, const char *user)
{
	struct jw w;
	int rc;
	if ((rc = model_wire_endpoint(&out->url, c->endpoint, model_openai_api.endpoint)) ||
	    (rc = buf_puts(&out->url, "/v1/chat/completions")))
		return rc;
	model_wire_header(out, "content-type", "application/json");
	if (key && *key) {
		size_t n = STRLEN_LIT("Bearer ") + strlen(key) + 1;
		char *v = xmalloc(n);
		snprintf(v, n, "Bearer %s", key);
		model_wire_header(out, "authorization", v);
		explicit_bzero(v, n);
		free(v);
	}
	model_wire_json_begin(&w, &out->body, c);
	jw_kbool(&w, "stream", false);
	jw_key(&w, "messages");
	jw_arr(&w);
	model_wire_json_message(&w, "system", system);
	model_wire_json_message(&w, "user", user);
	jw_end(&w);
	jw_end(&w);
	return buf_err(&out->body); /* the writer's errors fail the buffer too */
}

int model_openai_parse(struct buf *out, const char *body, size_t len)
{
	struct json j = {0};
	int rc, t;
	if (json_parse(&j, body, len) || json_type(&j, 0) != JSON_OBJECT) {
		rc = kr_errc(KR_EINVAL, "the reply is not a JSON object");
		goto out;
	}
	t = json_path(&j, json_at(&j, json_get(&j, 0, "choices"), 0), "message.content");
	if (json_type(&j, t) != JSON_STRING)
		rc = kr_errc(KR_EINVAL, "the reply has no choices[0].message.content text");
	else
		rc = json_str(&j, t, out); /* fails only when out does */
out:
	json_dispose(&j);
	return rc;
}

const struct model_api model_openai_api = {
	.name = "openai",
	.endpoint = "https://api.openai.com",
	.build = model_openai_build,
	.parse = model_openai_parse,
};
