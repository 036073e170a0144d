/* mcp: what the files of src/mcp/ share. mcp_server is the top (the
 * process, lifecycle, dispatch); mcp_tools, mcp_resources and mcp_dream
 * answer their requests; mcp_stores below them holds the memory. The
 * contract is ../shared/spec/protocol.md "The MCP server"; what kairos
 * decides beyond it is in protocol/mcp.md. */
#ifndef KAIROS_MCP_H
#define KAIROS_MCP_H

#include <stdbool.h>
#include <stdint.h>

#include "mcp_lines.h"
#include "kairos/json.h"
#include "kairos/loop.h"
#include "kairos/rpc.h"
#include "kairos/rpc_out.h"
#include "kairos/search.h"
#include "kairos/store.h"

/* A request handler's answer: 0 (the result is in the writer), a
 * JSON-RPC error code (message in *err), or MCP_DEFERRED: the handler
 * keeps the request's id and answers later (mcp_reply_*). */
#define MCP_DEFERRED 1

struct mcp_dream;

struct mcp {
	struct loop *loop;
	struct rpc_out out;
	struct mcp_lines in;
	bool initialized;          /* initialize was answered */
	bool ending;               /* the client closed stdin: stop once the dream is over */
	const char *version;       /* the protocol version agreed on */
	/* the memory: mcp_stores */
	struct store_set set;
	bool open;                 /* set was opened (and loaded once) */
	bool trusted[STORE_COUNT]; /* per store: the person trusts it (trust_stores) */
	uint64_t stamp;            /* store_stamp() before the last load */
	uint64_t listing;          /* which memories the last load held */
	struct search_index *ix;   /* built at the first search after a load */
	struct loop_timer poll;    /* looks for changes made by others */
	struct mcp_dream *dream;
	char *memory_dir;          /* --memory-dir, or NULL */
};

typedef int (*mcp_request_fn)(struct mcp *m, struct rpc_msg *msg, struct jw *w, const char **err);

/* mcp_server: answers sent later, and notifications. id is raw JSON. */
void mcp_reply_result(struct mcp *m, const char *id, size_t id_len, const char *json, size_t n);
void mcp_reply_error(struct mcp *m, const char *id, size_t id_len, int code, const char *msg);
void mcp_notify(struct mcp *m, const char *method, const char *params);
/* True when the agreed protocol version is v or a later one. */
bool mcp_version_at_least(const struct mcp *m, const char *v);

/* mcp_stores: the stores of the workspace, loaded at start and again
 * whenever their files changed (mcp_stores_refresh, before every request
 * that reads them, and every MCP_POLL_MS while the client is quiet). */
#define MCP_POLL_MS 2000
int mcp_stores_open(struct mcp *m, const char *workspace, const char *memory_dir);
void mcp_stores_dispose(struct mcp *m);
/* Reloads when any file changed since the last load; 0 or the load's error. */
int mcp_stores_refresh(struct mcp *m);
/* kairos itself changed the stores: reload now. */
int mcp_stores_changed(struct mcp *m);
/* The index of what is loaded (built now if the load was new), or NULL. */
struct search_index *mcp_stores_index(struct mcp *m);
/* The active memory of that name: in store kind (>= 0), or the first of
 * the personal, team, user and imported ones. */
const struct mem *mcp_stores_find(struct mcp *m, const char *name, int kind);
/* Whether a memory may be taken as instructions: the personal and user
 * stores always; the team store and the imports only in a workspace the
 * person trusts (protocol.md "Workspace trust"). */
bool mcp_stores_trusted(const struct mcp *m, const struct mem *mem);
/* "kairos://STORE/NAME" (malloc'd), and back: the store kind and the
 * name (malloc'd), or -1 when uri is not one. */
char *mcp_stores_uri(enum mem_store store, const char *name);
int mcp_stores_parse_uri(const char *uri, char **name);
/* The members of a memory in the tools' results: name, store, type,
 * description, uri, path, trusted (and, with full, body, created,
 * updated, scope, refs, rule, and a notice when it is not trusted). */
void mcp_stores_mem_json(const struct mcp *m, struct jw *w, const struct mem *mem, bool full);

/* The text members of a rule (struct mem_rule) by their JSON keys: one
 * table for reading a rule from a call and for writing one out. */
struct mcp_rule_text {
	const char *key;
	size_t off; /* of the char * in struct mem_rule */
};
extern const struct mcp_rule_text mcp_rule_texts[];
extern const size_t mcp_rule_ntexts;

/* mcp_tools: tools/list and tools/call. */
int mcp_tools_list(struct mcp *m, struct rpc_msg *msg, struct jw *w, const char **err);
int mcp_tools_call(struct mcp *m, struct rpc_msg *msg, struct jw *w, const char **err);
/* A tools/call result: structured (JSON text of an object) as
 * structuredContent and as the text of one content item; or, with
 * is_error, text as the message. */
void mcp_tools_result(const struct mcp *m, struct jw *w, const char *text, size_t n, bool is_error);

/* mcp_resources: resources/list, resources/read, resources/templates/list. */
int mcp_resources_list(struct mcp *m, struct rpc_msg *msg, struct jw *w, const char **err);
int mcp_resources_read(struct mcp *m, struct rpc_msg *msg, struct jw *w, const char **err);
int mcp_resources_templates(struct mcp *m, struct rpc_msg *msg, struct jw *w, const char **err);

/* mcp_dream: memory_dream runs `kairos dream --json` as a child and
 * answers the call (id, raw JSON) when it ends; cancel stops it. */
void mcp_dream_init(struct mcp *m);
void mcp_dream_dispose(struct mcp *m);
int mcp_dream_start(struct mcp *m, const char *id, size_t id_len, bool dry_run, bool force);
void mcp_dream_cancel(struct mcp *m, const char *id, size_t id_len);
bool mcp_dream_running(const struct mcp *m);

#endif
