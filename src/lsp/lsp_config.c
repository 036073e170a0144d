/* lsp_config: the server's configuration (lsp_config.h). */
#include "kairos/err.h"
#include "lsp_config.h"

#include <stdlib.h>
#include <string.h>

void lsp_config_defaults(struct lsp_config *c)
{
	memset(c, 0, sizeof(*c));
	c->proactive = true;
	c->tick_min_inactivity_ms = 1500;
	c->tick_max_suggestions = 20;
	c->cochange = true;
	c->dream_idle_ms = 600000;
	c->dream_min_hours = 24;
	c->dream_min_signals = 5;
	c->editor_trust = -1;
	model_config_init(&c->llm);
}

void lsp_config_dispose(struct lsp_config *c)
{
	free(c->memory_dir);
	model_config_dispose(&c->llm);
	memset(c, 0, sizeof(*c));
}

static void set_str(char **dst, const struct json *j, int obj, const char *path)
{
	char *v = json_get_str(j, obj, path);
	if (v) {
		free(*dst);
		*dst = v;
	}
}

static void set_int(int *dst, const struct json *j, int obj, const char *path, int lo, int hi)
{
	long long v;
	if (json_int(j, json_path(j, obj, path), &v) == 0 && v >= lo && v <= hi)
		*dst = (int)v;
}

void lsp_config_apply(struct lsp_config *c, const struct json *j, int obj)
{
	long long v;
	double d;

	if (json_type(j, obj) != JSON_OBJECT)
		return;
	c->proactive = json_get_bool(j, obj, "proactive", c->proactive);
	set_str(&c->memory_dir, j, obj, "memoryDir");
	set_int(&c->tick_min_inactivity_ms, j, obj, "tick.minInactivityMs", 0, 3600000);
	set_int(&c->tick_max_suggestions, j, obj, "tick.maxSuggestionsPerTick", 0, 100000);
	c->cochange = json_get_bool(j, obj, "tick.coChange", c->cochange);
	if (json_int(j, json_path(j, obj, "dream.idleMs"), &v) == 0 && v >= 0)
		c->dream_idle_ms = v;
	if (json_double(j, json_path(j, obj, "dream.minHours"), &d) == 0 && d >= 0)
		c->dream_min_hours = d;
	set_int(&c->dream_min_signals, j, obj, "dream.minSignals", 0, 1000000);
	switch (json_type(j, json_get(j, obj, "editorTrust"))) {
	case JSON_TRUE: c->editor_trust = 1; break;
	case JSON_FALSE: c->editor_trust = 0; break;
	default: break;
	}
	/* a bad llm key is skipped; lsp_model reports the rest */
	model_config_from_json(&c->llm, j, json_get(j, obj, "llm"));
}
