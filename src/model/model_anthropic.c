/* model_anthropic: the Messages API (POST {endpoint}/v1/messages). */
#include "model_provider.h"
#include "kairos/err.h"
#include "kairos/json.h"

int model_anthropic_build(struct model_http *out, const struct model_config *c, const char *key,
			  const char *system, const char *user)
{
	struct jw w;
	int rc;
	if (!key || !*key)
		return kr_errc(KR_ENOTFOUND, "anthropic needs a key: set llm.apiKeyEnv to the name "
					     "of an environment variable that holds it");
	if ((rc = model_wire_endpoint(&out->url, c->endpoint, model_anthropic_api.endpoint)) ||
	    (rc = buf_puts(&out->url, "/v1/messages")))
		return rc;
	model_wire_header(out, "content-type", "application/json");
	model_wire_header(out, "anthropic-version", "2023-06-01");
	model_wire_header(out, "x-api-key", key);
	model_wire_json_begin(&w, &out->body, c);
	jw_kstr(&w, "system", system);
	jw_key(&w, "messages");
	jw_arr(&w);
	model_wire_json_message(&w, "user", user);
	jw_end(&w);
	jw_end(&w);
	return buf_err(&out->body); /* the writer's errors fail the buffer too */
}

int model_anthropic_parse(struct buf *out, const char *body, size_t len)
{
	struct json j = {0};
	int rc, content, n = 0;
	if (json_parse(&j, body, len) || json_type(&j, 0) != JSON_OBJECT) {
		rc = kr_errc(KR_EINVAL, "the reply is not a JSON object");
		goto out;
	}
	content = json_get(&j, 0, "content");
	if (json_type(&j, content) != JSON_ARRAY) {
		rc = kr_errc(KR_EINVAL, "the reply has no \"content\" array");
		goto out;
	}
	for (int e = json_first(&j, content); e >= 0; e = json_next(&j, content, e)) {
		if (!json_streq(&j, json_get(&j, e, "type"), "text"))
			continue;
		int t = json_get(&j, e, "text");
		if (json_type(&j, t) != JSON_STRING) {
			rc = kr_errc(KR_EINVAL, "a text block of the reply has no text");
			goto out;
		}
		if ((rc = json_str(&j, t, out))) /* fails only when out does */
			goto out;
		n++;
	}
	rc = n ? 0 : kr_errc(KR_EINVAL, "the reply holds no text");
out:
	json_dispose(&j);
	return rc;
}

const struct model_api model_anthropic_api = {
	.name = "anthropic",
	.endpoint = "https://api.anthropic.com",
	.build = model_anthropic_build,
	.parse = model_anthropic_parse,
};
