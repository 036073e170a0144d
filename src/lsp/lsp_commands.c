/* lsp_commands: workspace/executeCommand (lsp_commands.h). */
#include "lsp_commands.h"
#include "lsp_dream.h"
#include "lsp_memory.h"
#include "lsp_search.h"
#include "lsp_tick.h"
#include "lsp_trust.h"
#include "kairos/err.h"

#include <string.h>

static const struct {
	const char *name;
	lsp_command_fn fn;
} commands[] = {
	{"kairos.remember", lsp_memory_remember},
	{"kairos.forget", lsp_memory_forget},
	{"kairos.restore", lsp_memory_restore},
	{"kairos.memories", lsp_memory_list},
	{"kairos.tick", lsp_tick_command},
	{"kairos.dream", lsp_dream_command},
	{"kairos.undo", lsp_memory_undo},
	{"kairos.feedback", lsp_tick_feedback},
	{"kairos.trust", lsp_trust_command},
	{"kairos.search", lsp_search_command},
};

void lsp_commands_capabilities(struct jw *w)
{
	jw_key(w, "executeCommandProvider");
	jw_obj(w);
	jw_key(w, "commands");
	jw_arr(w);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		jw_str(w, commands[i].name);
	jw_end(w);
	jw_end(w);
}

int lsp_commands_execute(struct lsp_session *s, struct rpc_msg *m, struct jw *w, const char **err)
{
	const struct json *j = &m->j;
	int cmd = json_get(j, m->params, "command");
	int args = json_get(j, m->params, "arguments");
	int obj = -1;

	if (json_type(j, cmd) != JSON_STRING) {
		*err = "executeCommand needs a command";
		return RPC_INVALID_PARAMS;
	}
	if (json_type(j, args) == JSON_ARRAY) {
		obj = json_first(j, args);
		if (obj >= 0 && json_type(j, obj) != JSON_OBJECT && json_type(j, obj) != JSON_NULL) {
			*err = "command arguments must be one object";
			return RPC_INVALID_PARAMS;
		}
	} else if (json_type(j, args) == JSON_OBJECT) {
		obj = args; /* lenient: an object instead of [object] */
	}
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (json_streq(j, cmd, commands[i].name))
			return commands[i].fn(s, m, obj, w, err);
	*err = "unknown command";
	return RPC_INVALID_PARAMS;
}
