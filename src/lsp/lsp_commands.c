/* lsp_commands: workspace/executeCommand, dispatched from a table. The
 * arguments are one object (protocol.md "Commands"); clients that send
 * none get an empty object. */
#include "kairos/err.h"
#include "lsp.h"

#include <string.h>

typedef int (*command_fn)(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err);

static int cmd_tick(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err)
{
	return tick_lsp_command(s, m, w, err);
}

static int cmd_dream(struct server *s, struct rpc_msg *m, int args, struct jw *w, const char **err)
{
	return dream_lsp_command(s, m, args, err);
}

static const struct {
	const char *name;
	command_fn fn;
} commands[] = {
	{"kairos.remember", memory_lsp_remember},
	{"kairos.forget", memory_lsp_forget},
	{"kairos.memories", memory_lsp_list},
	{"kairos.tick", cmd_tick},
	{"kairos.dream", cmd_dream},
	{"kairos.undo", memory_lsp_undo},
	{"kairos.feedback", tick_lsp_feedback},
};

void commands_lsp_capabilities(struct jw *w)
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

int commands_lsp_execute(struct server *s, struct rpc_msg *m, struct jw *w, const char **err)
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
