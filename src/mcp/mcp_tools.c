/* mcp_tools: tools/list and tools/call (protocol/mcp.md "Tools"). One
 * table says each tool's arguments; the same table checks a call's
 * arguments and writes the tool's inputSchema, so the two cannot drift.
 * A call with bad arguments gets a tool result with isError and a
 * sentence saying what is wrong; an unknown tool is the protocol's
 * -32602. Changes go through store_ops, as the CLI's and the server's. */
#include "mcp.h"
#include "kairos/err.h"
#include "kairos/journal.h"
#include "kairos/store_ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a tool's function answers. */
enum { TOOL_OK = 0, TOOL_FAILED = -1, TOOL_DEFERRED = 1 };

/* One call: its arguments, where the structured result goes (an object),
 * and where a failure's sentence goes. */
struct call {
	const struct json *j;
	int args; /* the arguments object, or -1 (none) */
	struct jw *w;
	struct buf *msg;
	const char *id;
	size_t id_len;
};

enum arg_kind { ARG_STRING, ARG_LIMIT, ARG_BOOL, ARG_GLOBS, ARG_RULE };

struct tool_arg {
	const char *name;
	enum arg_kind kind;
	bool required;
	const char *doc;
	const char *choices; /* ARG_STRING: a JSON array of the allowed values, or NULL */
};

struct tool {
	const char *name, *title, *description;
	const struct tool_arg *args;
	size_t nargs;
	const char *output; /* the outputSchema */
	bool read_only, destructive, idempotent;
	int (*fn)(struct mcp *m, struct call *c);
};

static int fail(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct call *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(c->msg, fmt, ap);
	va_end(ap);
	return TOOL_FAILED;
}

/* The keys of object obj: for (k = key_first(j, obj); k >= 0; k = key_next(j, obj, k)),
 * each key's value at k + 1. */
static int key_first(const struct json *j, int obj)
{
	return json_type(j, obj) == JSON_OBJECT && j->tok[obj].size ? obj + 1 : -1;
}

static int key_next(const struct json *j, int obj, int k)
{
	int n = json_skip(j, k + 1);
	return n < j->ntok && j->tok[n].start < j->tok[obj].end ? n : -1;
}

static char *arg_str(const struct call *c, const char *name)
{
	return json_get_str(c->j, c->args, name);
}

/* store: a store's name (mem_store_parse), or -1 when absent; writable
 * stores only unless any is true. */
static int arg_store(struct call *c, const char *tool, bool any, int *kind)
{
	char *s = arg_str(c, "store");
	*kind = -1;
	if (!s)
		return 0;
	*kind = mem_store_parse(s);
	free(s);
	if (*kind < 0 || (!any && *kind == STORE_IMPORT))
		return fail(c, "%s: store must be %s", tool,
			    any ? "personal, team, user or import" : "personal, team or user");
	return 0;
}

/* ---- the tools ---- */

static int tool_search(struct mcp *m, struct call *c)
{
	char *q = arg_str(c, "query");
	long long limit = json_get_int(c->j, c->args, "limit", SEARCH_DEFAULT_LIMIT);
	struct search_hit *hits = NULL;
	struct search_index *ix;
	size_t n = 0;
	int rc = TOOL_OK;

	if (strspn(q, " \t\r\n") == strlen(q)) {
		rc = fail(c, "memory_search needs a query: the words to look for");
		goto out;
	}
	if (!(ix = mcp_stores_index(m)) ||
	    search_index_query(ix, q, (size_t)limit, NULL, NULL, &hits, &n)) {
		rc = fail(c, "memory_search: %s", kr_errmsg());
		goto out;
	}
	jw_key(c->w, "memories");
	jw_arr(c->w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(c->w);
		mcp_stores_mem_json(m, c->w, hits[i].mem, false);
		search_score_json(c->w, hits[i].score);
		jw_end(c->w);
	}
	jw_end(c->w);
out:
	free(hits);
	free(q);
	return rc;
}

static int tool_list(struct mcp *m, struct call *c)
{
	char *type_s = arg_str(c, "type");
	int kind, type = -1;

	if (arg_store(c, "memory_list", true, &kind))
		goto bad;
	if (type_s && (type = mem_type_parse(type_s)) < 0) {
		fail(c, "memory_list: type must be user, feedback, project or reference");
		goto bad;
	}
	free(type_s);
	jw_key(c->w, "memories");
	jw_arr(c->w);
	for (size_t i = 0; i < m->set.mems.n; i++) {
		const struct mem *x = m->set.mems.v[i];
		if ((kind >= 0 && (int)x->store != kind) || (type >= 0 && (int)x->type != type))
			continue;
		jw_obj(c->w);
		mcp_stores_mem_json(m, c->w, x, false);
		jw_end(c->w);
	}
	jw_end(c->w);
	return TOOL_OK;
bad:
	free(type_s);
	return TOOL_FAILED;
}

/* No memory of that name: why, as the CLI says it. */
static int not_found(struct mcp *m, struct call *c, const char *tool, const char *name)
{
	const struct store_problem *p = store_set_problem(&m->set, name);
	if (p)
		return fail(c, "%s: %s is not a valid memory: %s", tool, p->path, p->msg);
	return fail(c, "%s: no memory named '%s' (memory_list or memory_search shows the names)",
		    tool, name);
}

static int tool_get(struct mcp *m, struct call *c)
{
	char *name = arg_str(c, "name");
	const struct mem *x;
	int kind, rc = TOOL_OK;

	if ((rc = arg_store(c, "memory_get", true, &kind)))
		goto out;
	if (!(x = mcp_stores_find(m, name, kind))) {
		rc = not_found(m, c, "memory_get", name);
		goto out;
	}
	mcp_stores_mem_json(m, c->w, x, true);
out:
	free(name);
	return rc;
}

/* scope: one glob or an array of them. */
static int read_globs(struct call *c, struct strv *out)
{
	int v = json_get(c->j, c->args, "scope");
	if (v < 0)
		return 0;
	if (json_type(c->j, v) == JSON_STRING) {
		char *s = json_strdup(c->j, v);
		strv_push(out, s);
		free(s);
		return 0;
	}
	for (int e = json_first(c->j, v); e >= 0; e = json_next(c->j, v, e)) {
		char *s = json_strdup(c->j, e);
		if (!s)
			return fail(c, "memory_add: scope must be a glob or an array of globs (strings)");
		strv_push(out, s);
		free(s);
	}
	return 0;
}

static int read_severity(struct call *c, const struct json *j, int v, struct mem_rule *rule)
{
	char *s = json_strdup(j, v);
	rule->severity = mem_severity_parse(s);
	free(s);
	if (rule->severity < 0)
		return fail(c, "memory_add: rule.severity must be error, warning, information or hint");
	return 0;
}

/* rule: the front matter's rule object. Every key is checked: a key
 * kairos does not know is an error, not silently dropped. */
static int read_rule(struct call *c, struct mem_rule **out)
{
	const struct json *j = c->j;
	int r = json_get(j, c->args, "rule"), rc = 0;
	struct mem_rule *rule;

	*out = NULL;
	if (r < 0)
		return 0;
	rule = xcalloc(1, sizeof(*rule));
	rule->severity = SEV_INFORMATION;
	for (int k = key_first(j, r); k >= 0 && !rc; k = key_next(j, r, k)) {
		char **text = NULL;
		for (size_t i = 0; i < mcp_rule_ntexts && !text; i++)
			if (json_streq(j, k, mcp_rule_texts[i].key))
				text = (char **)((char *)rule + mcp_rule_texts[i].off);
		if (json_type(j, k + 1) != JSON_STRING || (!text && !json_streq(j, k, "severity")))
			rc = fail(c, "memory_add: rule takes the strings pattern or literal, and message, "
				     "severity, fix; '%.*s' is not one of them",
				  (int)(j->tok[k].end - j->tok[k].start), j->src + j->tok[k].start);
		else if (text)
			*text = json_strdup(j, k + 1);
		else
			rc = read_severity(c, j, k + 1, rule);
	}
	if (!rc && !rule->pattern == !rule->literal)
		rc = fail(c, "memory_add: rule needs exactly one of pattern (a POSIX extended regular "
			     "expression) and literal (plain text)");
	if (rc)
		mem_rule_free(rule);
	else
		*out = rule;
	return rc;
}

/* Journals are bounded before a change, as the CLI does (cli_memory.c):
 * the change stays the newest commit, so undo undoes it, not the roll. */
static void roll_journal(const struct store *st)
{
	int rc = journal_roll(st->dir);
	if (rc && rc != KR_EBUSY)
		fprintf(stderr, "kairos mcp: warning: %s\n", kr_errmsg());
}

static void put_written(struct call *c, enum mem_store store, const char *name, const char *file)
{
	char *uri = mcp_stores_uri(store, name);
	jw_kstr(c->w, "name", name);
	jw_kstr(c->w, "store", mem_store_name(store));
	jw_kstr(c->w, "uri", uri);
	jw_kstr(c->w, "file", file);
	free(uri);
}

static int tool_add(struct mcp *m, struct call *c)
{
	char *text = arg_str(c, "text"), *name = arg_str(c, "name"), *type = arg_str(c, "type");
	struct store_ops_result r = {0};
	struct mem_rule *rule = NULL;
	struct strv scope = {0};
	struct store *st;
	int kind, rc;

	if ((rc = arg_store(c, "memory_add", false, &kind)))
		goto out;
	if (strspn(text, " \t\r\n") == strlen(text)) {
		rc = fail(c, "memory_add needs a text: what to remember");
		goto out;
	}
	if (type && mem_type_parse(type) < 0) {
		rc = fail(c, "memory_add: type must be user, feedback, project or reference");
		goto out;
	}
	st = store_set_get(&m->set, kind >= 0 ? (enum mem_store)kind : STORE_PERSONAL);
	if (!st || !st->writable) {
		rc = fail(c, "memory_add: the %s store is not served here (kairos mcp --memory-dir "
			     "serves that one store)", mem_store_name(kind >= 0 ? kind : STORE_PERSONAL));
		goto out;
	}
	if ((rc = read_globs(c, &scope)) || (rc = read_rule(c, &rule)))
		goto out;
	roll_journal(st);
	if (store_ops_remember(&r, st,
			       &(struct store_ops_note){.text = text, .name = name, .type = type,
							 .scope = &scope, .rule = rule},
			       MEM_PROJECT)) {
		rc = fail(c, "memory_add: %s", kr_errmsg());
		goto out;
	}
	if (mcp_stores_changed(m))
		fprintf(stderr, "kairos mcp: cannot reload the memory: %s\n", kr_errmsg());
	put_written(c, r.store, r.name, r.uri);
out:
	store_ops_result_dispose(&r);
	mem_rule_free(rule);
	strv_dispose(&scope);
	free(text);
	free(name);
	free(type);
	return rc;
}

static int tool_forget(struct mcp *m, struct call *c)
{
	char *name = arg_str(c, "name");
	struct store_ops_result r = {0};
	int kind, rc;

	if ((rc = arg_store(c, "memory_forget", false, &kind)))
		goto out;
	if (store_ops_forget(&r, &m->set, name, kind,
			     "forgotten at the agent's request (MCP memory_forget)")) {
		rc = fail(c, "memory_forget: %s", kr_errmsg());
		goto out;
	}
	if (mcp_stores_changed(m))
		fprintf(stderr, "kairos mcp: cannot reload the memory: %s\n", kr_errmsg());
	jw_kbool(c->w, "archived", true);
	jw_kstr(c->w, "name", name);
	jw_kstr(c->w, "store", mem_store_name(r.store));
out:
	store_ops_result_dispose(&r);
	free(name);
	return rc;
}

/* RESTORE HOOK: store_ops_restore (protocol.md: "memory restore NAME
 * brings back the newest archived copy of NAME ... as one commit") is
 * being written in the store; until it lands this says so. Wired, it is
 * store_ops_restore(&r, &m->set, name, kind), then mcp_stores_changed()
 * and put_written(c, r.store, r.name, r.uri). */
static int tool_restore(struct mcp *m, struct call *c)
{
	char *name = arg_str(c, "name");
	int kind, rc;

	if (!(rc = arg_store(c, "memory_restore", false, &kind)))
		rc = fail(c, "memory_restore is not available in this build of kairos yet: restoring "
			     "'%s' from the archive needs store_ops_restore; the archived copy is "
			     "kept under archive/ of its store", name);
	free(name);
	return rc;
}

static int tool_dream(struct mcp *m, struct call *c)
{
	bool dry = json_get_bool(c->j, c->args, "dryRun", true);
	bool force = json_get_bool(c->j, c->args, "force", false);
	if (mcp_dream_start(m, c->id, c->id_len, dry, force))
		return fail(c, "memory_dream: %s", kr_errmsg());
	return TOOL_DEFERRED;
}

/* ---- the table ---- */

#define STORES_ALL "[\"personal\",\"team\",\"user\",\"import\"]"
#define STORES_WRITABLE "[\"personal\",\"team\",\"user\"]"
#define TYPES "[\"user\",\"feedback\",\"project\",\"reference\"]"

/* The members every memory has in a result, as JSON Schema. */
#define MEM_PROPS                                                                         \
	"\"name\":{\"type\":\"string\"},\"store\":{\"type\":\"string\"},"                 \
	"\"type\":{\"type\":\"string\"},\"description\":{\"type\":\"string\"},"           \
	"\"uri\":{\"type\":\"string\"},\"file\":{\"type\":[\"string\",\"null\"]},"       \
	"\"trusted\":{\"type\":\"boolean\"}"
#define MEM_REQUIRED "\"name\",\"store\",\"type\",\"description\",\"uri\",\"trusted\""
#define MEM_LIST(extra_props, extra_req)                                                  \
	"{\"type\":\"object\",\"properties\":{\"memories\":{\"type\":\"array\",\"items\":"  \
	"{\"type\":\"object\",\"properties\":{" MEM_PROPS extra_props "},\"required\":["   \
	MEM_REQUIRED extra_req "]}}},\"required\":[\"memories\"]}"
#define WRITTEN                                                                           \
	"{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"            \
	"\"store\":{\"type\":\"string\"},\"uri\":{\"type\":\"string\"},"                  \
	"\"file\":{\"type\":[\"string\",\"null\"]}},\"required\":[\"name\",\"store\",\"uri\"]}"

static const struct tool_arg search_args[] = {
	{"query", ARG_STRING, true, "What to look for, in plain words (a name, a word, a phrase).", NULL},
	{"limit", ARG_LIMIT, false, "At most this many memories (1 to 1000; default 10).", NULL},
};
static const struct tool_arg list_args[] = {
	{"store", ARG_STRING, false, "Only this store's memories.", STORES_ALL},
	{"type", ARG_STRING, false, "Only memories of this type.", TYPES},
};
static const struct tool_arg get_args[] = {
	{"name", ARG_STRING, true, "The memory's name.", NULL},
	{"store", ARG_STRING, false, "The store to look in (default: personal, team, user, import, "
				     "the first that has it).", STORES_ALL},
};
static const struct tool_arg add_args[] = {
	{"text", ARG_STRING, true, "What to remember; its first line becomes the description.", NULL},
	{"name", ARG_STRING, false, "A name for it (made unique; default: from the text).", NULL},
	{"type", ARG_STRING, false, "user (who the person is), feedback (a correction or "
				    "confirmation), project (a fact about this codebase; the default), "
				    "reference (a pointer elsewhere).", TYPES},
	{"store", ARG_STRING, false, "personal (the default: this person, this project), team "
				     "(committed with the project) or user (every project).",
	 STORES_WRITABLE},
	{"scope", ARG_GLOBS, false, "Globs (workspace-relative) of the files it applies to.", NULL},
	{"rule", ARG_RULE, false, "Makes it checkable in code: exactly one of pattern (POSIX ERE) "
				  "or literal, and message, severity, fix.", NULL},
};
static const struct tool_arg name_args[] = {
	{"name", ARG_STRING, true, "The memory's name.", NULL},
	{"store", ARG_STRING, false, "Only this store (default: personal, team, user, the first "
				     "that has it).", STORES_WRITABLE},
};
static const struct tool_arg dream_args[] = {
	{"dryRun", ARG_BOOL, false, "Only report what would change (the default: true).", NULL},
	{"force", ARG_BOOL, false, "Dream even when the gates (time since the last dream, new "
				   "signals) say not yet.", NULL},
};

static const struct tool tools[] = {
	{"memory_search", "Search memory",
	 "Finds memories by relevance to a query (names, descriptions, bodies; stemmed, "
	 "Unicode-normalised, BM25), best first.",
	 search_args, ARRAY_LEN(search_args),
	 MEM_LIST(",\"score\":{\"type\":\"number\"}", ",\"score\""), true, false, true, tool_search},
	{"memory_list", "List memories", "Lists the active memories of every store, or of one store or type.",
	 list_args, ARRAY_LEN(list_args), MEM_LIST("", ""), true, false, true, tool_list},
	{"memory_get", "Read a memory", "One memory in full: its body, scope, rule and times.",
	 get_args, ARRAY_LEN(get_args),
	 "{\"type\":\"object\",\"properties\":{" MEM_PROPS ",\"body\":{\"type\":\"string\"}},"
	 "\"required\":[" MEM_REQUIRED ",\"body\"]}",
	 true, false, true, tool_get},
	{"memory_add", "Remember", "Remembers something as a new memory: one commit in the store's "
				   "history, undoable with `kairos undo`.",
	 add_args, ARRAY_LEN(add_args), WRITTEN, false, false, false, tool_add},
	{"memory_forget", "Forget", "Archives a memory (to archive/ of its store; nothing is deleted).",
	 name_args, ARRAY_LEN(name_args),
	 "{\"type\":\"object\",\"properties\":{\"archived\":{\"type\":\"boolean\"}},"
	 "\"required\":[\"archived\"]}",
	 false, true, false, tool_forget},
	{"memory_restore", "Restore", "Makes the newest archived copy of a memory active again.",
	 name_args, ARRAY_LEN(name_args), WRITTEN, false, false, false, tool_restore},
	{"memory_dream", "Consolidate memory",
	 "Runs AutoDream: merges near-duplicates, retires contradicted and stale memories, fixes "
	 "relative dates. A dry run (only the report) unless dryRun is false.",
	 dream_args, ARRAY_LEN(dream_args),
	 "{\"type\":\"object\",\"properties\":{\"changed\":{\"type\":\"boolean\"},"
	 "\"commit\":{\"type\":[\"string\",\"null\"]},\"actions\":{\"type\":\"array\"}},"
	 "\"required\":[\"changed\",\"actions\"]}",
	 false, true, false, tool_dream},
};

/* ---- tools/list ---- */

static void write_arg_schema(struct jw *w, const struct tool_arg *a)
{
	static const char rule[] =
		"{\"type\":\"object\",\"properties\":{\"pattern\":{\"type\":\"string\"},"
		"\"literal\":{\"type\":\"string\"},\"message\":{\"type\":\"string\"},"
		"\"severity\":{\"enum\":[\"error\",\"warning\",\"information\",\"hint\"]},"
		"\"fix\":{\"type\":\"string\"}},\"additionalProperties\":false}";
	static const char globs[] = "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}";

	if (a->kind == ARG_RULE || a->kind == ARG_GLOBS) {
		/* their doc goes in the tool's description of the argument below */
		jw_raw(w, a->kind == ARG_RULE ? rule : globs,
		       a->kind == ARG_RULE ? sizeof(rule) - 1 : sizeof(globs) - 1);
		return;
	}
	jw_obj(w);
	jw_kstr(w, "type", a->kind == ARG_BOOL ? "boolean" : a->kind == ARG_LIMIT ? "integer" : "string");
	if (a->kind == ARG_LIMIT) {
		jw_kint(w, "minimum", 1);
		jw_kint(w, "maximum", SEARCH_MAX_LIMIT);
	}
	if (a->choices) {
		jw_key(w, "enum");
		jw_raw(w, a->choices, strlen(a->choices));
	}
	jw_kstr(w, "description", a->doc);
	jw_end(w);
}

static void write_tool(const struct mcp *m, struct jw *w, const struct tool *t)
{
	bool v0618 = mcp_version_at_least(m, "2025-06-18");

	jw_obj(w);
	jw_kstr(w, "name", t->name);
	if (v0618)
		jw_kstr(w, "title", t->title);
	jw_kstr(w, "description", t->description);
	jw_key(w, "inputSchema");
	jw_obj(w);
	jw_kstr(w, "type", "object");
	jw_key(w, "properties");
	jw_obj(w);
	for (size_t i = 0; i < t->nargs; i++) {
		jw_key(w, t->args[i].name);
		write_arg_schema(w, &t->args[i]);
	}
	jw_end(w);
	jw_key(w, "required");
	jw_arr(w);
	for (size_t i = 0; i < t->nargs; i++)
		if (t->args[i].required)
			jw_str(w, t->args[i].name);
	jw_end(w);
	jw_kbool(w, "additionalProperties", false);
	jw_end(w);
	if (v0618) {
		jw_key(w, "outputSchema");
		jw_raw(w, t->output, strlen(t->output));
	}
	if (mcp_version_at_least(m, "2025-03-26")) {
		jw_key(w, "annotations");
		jw_obj(w);
		jw_kstr(w, "title", t->title);
		jw_kbool(w, "readOnlyHint", t->read_only);
		jw_kbool(w, "destructiveHint", t->destructive);
		jw_kbool(w, "idempotentHint", t->idempotent);
		jw_kbool(w, "openWorldHint", false);
		jw_end(w);
	}
	jw_end(w);
}

int mcp_tools_list(struct mcp *m, struct rpc_msg *msg, struct jw *w, const char **err)
{
	jw_obj(w);
	jw_key(w, "tools");
	jw_arr(w);
	for (size_t i = 0; i < ARRAY_LEN(tools); i++)
		write_tool(m, w, &tools[i]);
	jw_end(w);
	jw_end(w);
	return 0;
}

/* ---- tools/call ---- */

static const char *kind_name(enum arg_kind k)
{
	switch (k) {
	case ARG_LIMIT: return "an integer from 1 to 1000";
	case ARG_BOOL: return "true or false";
	case ARG_GLOBS: return "a glob or an array of globs";
	case ARG_RULE: return "an object";
	default: return "a string";
	}
}

static bool arg_fits(const struct json *j, int v, enum arg_kind k)
{
	enum json_type t = json_type(j, v);
	long long n;
	switch (k) {
	case ARG_LIMIT:
		return json_int(j, v, &n) == 0 && n >= 1 && n <= SEARCH_MAX_LIMIT;
	case ARG_BOOL:
		return t == JSON_TRUE || t == JSON_FALSE;
	case ARG_GLOBS:
		return t == JSON_STRING || t == JSON_ARRAY;
	case ARG_RULE:
		return t == JSON_OBJECT;
	default:
		return t == JSON_STRING;
	}
}

/* The arguments against the tool's table: every key known and of its
 * kind, every required one there. 0, or TOOL_FAILED with the sentence. */
static int check_args(const struct tool *t, struct call *c)
{
	const struct json *j = c->j;

	if (c->args >= 0 && json_type(j, c->args) != JSON_OBJECT)
		return fail(c, "%s: arguments must be an object", t->name);
	for (int k = key_first(j, c->args); k >= 0; k = key_next(j, c->args, k)) {
		const struct tool_arg *a = NULL;
		for (size_t i = 0; i < t->nargs && !a; i++)
			if (json_streq(j, k, t->args[i].name))
				a = &t->args[i];
		if (!a) {
			fail(c, "%s: unknown argument '%.*s'; it takes", t->name,
			     (int)(j->tok[k].end - j->tok[k].start), j->src + j->tok[k].start);
			for (size_t i = 0; i < t->nargs; i++)
				buf_printf(c->msg, "%s %s", i ? "," : "", t->args[i].name);
			return TOOL_FAILED;
		}
		if (!arg_fits(j, k + 1, a->kind))
			return fail(c, "%s: %s must be %s", t->name, a->name, kind_name(a->kind));
	}
	for (size_t i = 0; i < t->nargs; i++)
		if (t->args[i].required && json_get(j, c->args, t->args[i].name) < 0)
			return fail(c, "%s needs %s (%s)", t->name, t->args[i].name,
				    kind_name(t->args[i].kind));
	return 0;
}

void mcp_tools_result(const struct mcp *m, struct jw *w, const char *text, size_t n, bool is_error)
{
	jw_obj(w);
	jw_key(w, "content");
	jw_arr(w);
	jw_obj(w);
	jw_kstr(w, "type", "text");
	jw_key(w, "text");
	jw_strn(w, text, n);
	jw_end(w);
	jw_end(w);
	if (!is_error && mcp_version_at_least(m, "2025-06-18")) {
		jw_key(w, "structuredContent");
		jw_raw(w, text, n);
	}
	jw_kbool(w, "isError", is_error);
	jw_end(w);
}

int mcp_tools_call(struct mcp *m, struct rpc_msg *msg, struct jw *w, const char **err)
{
	const struct json *j = &msg->j;
	int name = json_get(j, msg->params, "name");
	struct buf out = BUF_INIT_CAP(BUF_CAP_LISTING), why = BUF_INIT_CAP(BUF_CAP_LINE);
	const struct tool *t = NULL;
	struct jw ow;
	struct call c = {j, json_get(j, msg->params, "arguments"), &ow, &why, msg->id, msg->id_len};
	int rc;

	if (json_type(j, name) != JSON_STRING) {
		*err = "tools/call needs the name of a tool";
		return RPC_INVALID_PARAMS;
	}
	for (size_t i = 0; i < ARRAY_LEN(tools) && !t; i++)
		if (json_streq(j, name, tools[i].name))
			t = &tools[i];
	if (!t) {
		*err = "unknown tool (tools/list names them)";
		return RPC_INVALID_PARAMS;
	}
	if (json_type(j, c.args) == JSON_NULL)
		c.args = -1;
	jw_init(&ow, &out);
	if (!(rc = check_args(t, &c)) && mcp_stores_refresh(m))
		rc = fail(&c, "%s: cannot load the memory: %s", t->name, kr_errmsg());
	if (!rc) {
		jw_obj(&ow);
		rc = t->fn(m, &c);
		jw_end(&ow);
	}
	if (rc == TOOL_DEFERRED) {
		rc = MCP_DEFERRED;
	} else if (rc == TOOL_OK && (buf_err(&out) || ow.depth)) {
		buf_reset(&why);
		buf_printf(&why, "%s: the result is larger than kairos sends", t->name);
		mcp_tools_result(m, w, buf_cstr(&why), why.len, true);
		rc = 0;
	} else {
		if (buf_err(&why)) {
			buf_reset(&why);
			buf_puts(&why, "the error message was too long to send");
		}
		mcp_tools_result(m, w, rc ? buf_cstr(&why) : buf_cstr(&out), rc ? why.len : out.len,
				 rc != TOOL_OK);
		rc = 0;
	}
	buf_dispose(&out);
	buf_dispose(&why);
	return rc;
}
