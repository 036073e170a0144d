/* lsp_memory: the stores as the editor sees them. Loads every store at
 * `initialized`, answers kairos.remember / forget / memories / undo,
 * notices memory files edited by hand (didSave, didChangeWatchedFiles, or
 * a cheap fingerprint check before a tick) and records them in history,
 * and reports invalid memory files: once in the log, and as a diagnostic
 * on the file itself while it is open. */
#include "kairos/err.h"
#include "kairos/history.h"
#include "kairos/journal.h"
#include "lsp.h"
#include "kairos/store.h"
#include "kairos/paths.h"
#include "kairos/redact.h"
#include "kairos/time.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct lsp_memory {
	struct store_set set;
	bool open;
	unsigned generation;        /* bumped on every reload */
	uint64_t fingerprint;       /* of the writable stores' files */
	uint64_t dir_stamp;         /* of their directories */
	uint64_t checked_ms;        /* last full check */
	char **reported;            /* problems already logged (path + message) */
	size_t nreported;
};

struct store_set *memory_lsp_set(struct server *s)
{
	struct lsp_memory *m = s->feat->memory;
	return m && m->open ? &m->set : NULL;
}

unsigned memory_lsp_generation(struct server *s)
{
	return s->feat->memory ? s->feat->memory->generation : 0;
}

/* Sum over every file of the writable stores of (name, size, mtime): a
 * change anywhere changes it. */
static uint64_t fingerprint(struct lsp_memory *m)
{
	uint64_t h = 1469598103934665603ull;
	for (int k = 0; k < STORE_COUNT; k++) {
		struct store *st = &m->set.stores[k];
		if (!st->dir || !st->writable)
			continue;
		const char *sub[] = {"", "/archive"};
		for (size_t i = 0; i < 2; i++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s%s", st->dir, sub[i]);
			DIR *d = opendir(path);
			if (!d)
				continue;
			struct dirent *e;
			while ((e = readdir(d))) {
				size_t n = strlen(e->d_name);
				struct stat sb;
				char f[4096 + 256];
				if (n < 4 || strcmp(e->d_name + n - 3, ".md") || !strcmp(e->d_name, "MEMORY.md"))
					continue;
				snprintf(f, sizeof(f), "%s/%s", path, e->d_name);
				if (stat(f, &sb))
					continue;
				uint64_t x = (uint64_t)sb.st_size * 31u + (uint64_t)sb.st_mtim.tv_sec * 1000003u +
					     (uint64_t)sb.st_mtim.tv_nsec;
				for (size_t c = 0; c < n; c++)
					x = (x ^ (unsigned char)e->d_name[c]) * 1099511628211ull;
				h += x; /* order-independent */
			}
			closedir(d);
		}
	}
	return h;
}

static bool was_reported(struct lsp_memory *m, const char *key)
{
	for (size_t i = 0; i < m->nreported; i++)
		if (!strcmp(m->reported[i], key))
			return true;
	m->reported = xrealloc(m->reported, (m->nreported + 1) * sizeof(*m->reported));
	m->reported[m->nreported++] = xstrdup(key);
	return false;
}

static void report_problems(struct server *s, struct lsp_memory *m)
{
	for (size_t i = 0; i < m->set.nproblems; i++) {
		struct store_problem *p = &m->set.problems[i];
		struct buf key = BUF_INIT;
		buf_printf(&key, "%s\n%s", p->path, p->msg);
		if (!was_reported(m, buf_cstr(&key)))
			server_log(s, 2, "invalid memory file %s: %s (left untouched)", p->path, p->msg);
		buf_dispose(&key);
	}
}

/* The problem with an open memory file, if it has one. */
const char *memory_lsp_problem(struct server *s, const char *path)
{
	struct lsp_memory *m = s->feat->memory;
	if (!m || !m->open || !path)
		return NULL;
	for (size_t i = 0; i < m->set.nproblems; i++)
		if (!strcmp(m->set.problems[i].path, path))
			return m->set.problems[i].msg;
	return NULL;
}

static int reload(struct server *s, struct lsp_memory *m)
{
	int rc = store_set_load(&m->set);
	if (rc) {
		server_log(s, 1, "cannot load memory: %s", kr_errmsg());
		return rc;
	}
	m->generation++;
	m->fingerprint = fingerprint(m);
	report_problems(s, m);
	return 0;
}

static void store_warning(void *ud, const char *msg)
{
	struct server *s = ud;
	server_show(s, 2, "kairos: %s", msg);
}

void memory_lsp_init(struct server *s)
{
	s->feat->memory = xcalloc(1, sizeof(struct lsp_memory));
	store_set_warn(store_warning, s);
}

void memory_lsp_open(struct server *s)
{
	struct lsp_memory *m = s->feat->memory;
	if (m->open)
		return;
	if (store_set_open(&m->set, s->root, s->cfg.memory_dir, false)) {
		server_log(s, 1, "cannot open the memory stores: %s", kr_errmsg());
		return;
	}
	m->open = true;
	reload(s, m);
}

void memory_lsp_dispose(struct server *s)
{
	struct lsp_memory *m = s->feat->memory;
	if (!m)
		return;
	store_set_warn(NULL, NULL);
	if (m->open)
		store_set_dispose(&m->set);
	for (size_t i = 0; i < m->nreported; i++)
		free(m->reported[i]);
	free(m->reported);
	free(m);
	s->feat->memory = NULL;
}

/* Records hand edits of every writable store in its history: an empty
 * transaction commits what changed outside kairos ("edit: ..."). */
static void record_hand_edits(struct server *s, struct lsp_memory *m)
{
	for (int k = 0; k < STORE_COUNT; k++) {
		struct store *st = &m->set.stores[k];
		struct store_txn *t;
		struct stat sb;
		char id[41] = "";
		if (!st->dir || !st->writable || stat(st->dir, &sb))
			continue;
		if (store_txn_begin(&t, st) || store_txn_commit(t, "edit: memory files changed outside kairos", id))
			server_log(s, 2, "cannot record a hand edit of %s: %s", st->dir, kr_errmsg());
	}
}

/* The writable stores' directories' mtimes, summed: a file added,
 * removed or replaced by rename (how editors save) changes it. */
static uint64_t dir_stamp(struct lsp_memory *m)
{
	uint64_t h = 0;
	for (int k = 0; k < STORE_COUNT; k++) {
		struct store *st = &m->set.stores[k];
		struct stat sb;
		if (st->dir && st->writable && stat(st->dir, &sb) == 0)
			h += (uint64_t)sb.st_mtim.tv_sec * 1000000007u + (uint64_t)sb.st_mtim.tv_nsec;
	}
	return h;
}

/* When a store's files changed outside kairos, record the change and
 * reload; returns true when it reloaded. The full check reads every
 * file's size and mtime; a throttled check (before each tick) looks at
 * the directories alone, and at every file at most every 2 s. */
bool memory_lsp_check_throttled(struct server *s, bool throttled)
{
	struct lsp_memory *m = s->feat->memory;
	uint64_t now = loop_now_ms(), stamp;
	if (!m || !m->open)
		return false;
	stamp = dir_stamp(m);
	if (throttled && stamp == m->dir_stamp && now - m->checked_ms < 2000)
		return false;
	m->checked_ms = now;
	m->dir_stamp = stamp;
	if (fingerprint(m) == m->fingerprint)
		return false;
	record_hand_edits(s, m);
	reload(s, m);
	m->dir_stamp = dir_stamp(m);
	return true;
}

bool memory_lsp_check(struct server *s)
{
	return memory_lsp_check_throttled(s, false);
}

/* A memory changed through kairos: reload (history is already written). */
void memory_lsp_reload(struct server *s)
{
	struct lsp_memory *m = s->feat->memory;
	if (m && m->open)
		reload(s, m);
}

/* ---- commands ---- */

static struct store *writable(struct lsp_memory *m, int kind)
{
	struct store *st = store_set_get(&m->set, (enum mem_store)kind);
	return st && st->dir && st->writable ? st : NULL;
}

static void first_line(const char *text, char *out, size_t cap)
{
	const char *p = text;
	size_t n;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	n = strcspn(p, "\r\n");
	if (n >= cap)
		n = cap - 1;
	/* do not cut a UTF-8 sequence in two */
	while (n > 0 && n < strlen(p) && ((unsigned char)p[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, p, n);
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
}

static void read_strv(const struct json *j, int arr, struct strv *out)
{
	for (int e = json_first(j, arr); e >= 0; e = json_next(j, arr, e)) {
		char *v = json_strdup(j, e);
		if (v)
			strv_push(out, v);
		free(v);
	}
}

static int read_rule(const struct json *j, int r, struct mem_rule **out, const char **err)
{
	struct mem_rule *rule;
	char *sev;
	if (r < 0)
		return 0;
	if (json_type(j, r) != JSON_OBJECT) {
		*err = "rule must be an object";
		return RPC_INVALID_PARAMS;
	}
	rule = xcalloc(1, sizeof(*rule));
	rule->pattern = json_get_str(j, r, "pattern");
	rule->literal = json_get_str(j, r, "literal");
	rule->message = json_get_str(j, r, "message");
	rule->fix = json_get_str(j, r, "fix");
	rule->severity = SEV_INFORMATION;
	sev = json_get_str(j, r, "severity");
	if (sev) {
		int v = mem_severity_parse(sev);
		free(sev);
		if (v < 0)
			goto bad;
		rule->severity = v;
	}
	if (!rule->pattern == !rule->literal) {
		*err = "rule needs exactly one of pattern and literal";
		goto fail;
	}
	*out = rule;
	return 0;
bad:
	*err = "rule.severity must be error, warning, information or hint";
fail:
	free(rule->pattern);
	free(rule->literal);
	free(rule->message);
	free(rule->fix);
	free(rule);
	if (!*err)
		*err = "bad rule";
	return RPC_INVALID_PARAMS;
}

static char *relative_to_root(struct server *s, const char *path)
{
	size_t n = strlen(s->root);
	if (path && !strncmp(path, s->root, n) && path[n] == '/')
		return xstrdup(path + n + 1);
	return NULL;
}

int memory_lsp_remember(struct server *s, struct rpc_msg *msg, int args, struct jw *w, const char **err)
{
	if (model_lsp_remember(s, msg, args) == SERVER_DEFERRED)
		return SERVER_DEFERRED;
	return memory_lsp_remember_with(s, &msg->j, args, NULL, NULL, NULL, w, err);
}

int memory_lsp_remember_with(struct server *s, const struct json *j, int args, const char *pname,
			     const char *pdesc, const char *ptype, struct jw *w, const char **err)
{
	struct lsp_memory *m = s->feat->memory;
	char *text = json_get_str(j, args, "text"), *name_in = json_get_str(j, args, "name");
	char *type_s = json_get_str(j, args, "type"), *store_s = json_get_str(j, args, "store");
	char *uri = json_get_str(j, args, "uri"), *path = NULL, *rel = NULL, *name = NULL;
	char desc[160], commit[41] = "", tbuf[32];
	struct mem *mem = NULL;
	struct store *st;
	struct store_txn *t = NULL;
	int kind = STORE_PERSONAL, type = -1, rc = RPC_INVALID_PARAMS;

	if (!m->open) {
		*err = "the memory stores are not available";
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	if (!text || !*text) {
		*err = "kairos.remember needs a non-empty text";
		goto out;
	}
	if (store_s && (kind = mem_store_parse(store_s)) < 0) {
		*err = "store must be personal, team or user";
		goto out;
	}
	if (!(st = writable(m, kind))) {
		*err = "that store is not writable here";
		goto out;
	}
	if (type_s && (type = mem_type_parse(type_s)) < 0) {
		*err = "type must be user, feedback, project or reference";
		goto out;
	}
	if (!type_s && ptype)
		type = mem_type_parse(ptype); /* validated by the model layer */
	if (!name_in && pname)
		name_in = xstrdup(pname);
	{
		/* names and descriptions never carry a secret */
		int nred = 0;
		text = redact_str(text, &nred);
	}
	if (name_in ? store_unique_name(st, name_in, &name) : store_name_from_text(st, text, &name)) {
		*err = kr_errmsg();
		goto out;
	}
	mem = mem_new();
	mem->name = name;
	name = NULL;
	first_line(pdesc ? pdesc : text, desc, 151);
	mem->description = xstrdup(*desc ? desc : mem->name);
	mem->type = type >= 0 ? (enum mem_type)type : uri ? MEM_PROJECT : MEM_FEEDBACK;
	time_format((int64_t)time(NULL), tbuf);
	mem->created = xstrdup(tbuf);
	mem->updated = xstrdup(tbuf);
	mem->created_ts = mem->updated_ts = (int64_t)time(NULL);
	mem->source = xstrdup("user");
	mem->store = (enum mem_store)kind;
	{
		size_t n = strlen(text);
		free(mem->body);
		mem->body = xmalloc(n + 2);
		memcpy(mem->body, text, n);
		mem->body[n] = n && text[n - 1] == '\n' ? '\0' : '\n';
		mem->body[n + 1] = '\0';
	}
	read_strv(j, json_get(j, args, "scope"), &mem->scope);
	for (size_t i = 0; i < mem->scope.n; i++)
		if (!paths_rel_safe(mem->scope.v[i])) {
			*err = "a scope must stay inside the workspace";
			goto out;
		}
	if (uri && (path = paths_from_uri(uri)) && (rel = relative_to_root(s, path)))
		strv_push(&mem->refs, rel);
	if ((rc = read_rule(j, json_get(j, args, "rule"), &mem->rule, err)))
		goto out;
	rc = RPC_REQUEST_FAILED;
	if (store_txn_begin(&t, st) || store_txn_write(t, mem)) {
		*err = kr_errmsg();
		goto out;
	}
	{
		/* journalled inside the transaction, so its commit holds the line */
		struct buf f = BUF_INIT;
		struct jw fw;
		jw_init(&fw, &f);
		jw_kstr(&fw, "name", mem->name);
		if (uri)
			jw_kstr(&fw, "uri", uri);
		journal_append(st->dir, "remember", buf_cstr(&f));
		buf_dispose(&f);
	}
	{
		struct buf cm = BUF_INIT;
		buf_printf(&cm, "remember %s: %s", mem->name, mem->description);
		int crc = store_txn_commit(t, buf_cstr(&cm), commit);
		t = NULL;
		buf_dispose(&cm);
		if (crc) {
			*err = kr_errmsg();
			goto out;
		}
	}
	{
		struct buf fp = BUF_INIT;
		char *furi;
		buf_printf(&fp, "%s/%s.md", st->dir, mem->name);
		furi = paths_to_uri(buf_cstr(&fp));
		jw_obj(w);
		jw_kstr(w, "name", mem->name);
		jw_kstr(w, "uri", furi);
		jw_end(w);
		free(furi);
		buf_dispose(&fp);
	}
	features_memory_changed(s);
	rc = 0;
out:
	if (t)
		store_txn_abort(t);
	mem_free(mem);
	free(text);
	free(name_in);
	free(name);
	free(type_s);
	free(store_s);
	free(uri);
	free(path);
	free(rel);
	return rc;
}

static const struct mem *find_mem(struct lsp_memory *m, const char *name, int kind)
{
	static const int order[] = {STORE_PERSONAL, STORE_TEAM, STORE_USER};
	for (size_t o = 0; o < ARRAY_LEN(order); o++) {
		if (kind >= 0 && order[o] != kind)
			continue;
		for (size_t i = 0; i < m->set.mems.n; i++) {
			const struct mem *x = m->set.mems.v[i];
			if ((int)x->store == order[o] && !strcmp(x->name, name))
				return x;
		}
	}
	return NULL;
}

int memory_lsp_forget(struct server *s, struct rpc_msg *msg, int args, struct jw *w, const char **err)
{
	struct lsp_memory *m = s->feat->memory;
	char *name = json_get_str(&msg->j, args, "name"), *store_s = json_get_str(&msg->j, args, "store");
	const struct mem *x;
	struct store_txn *t = NULL;
	struct buf cm = BUF_INIT;
	char commit[41];
	int kind = -1, rc = RPC_INVALID_PARAMS;

	if (!m->open) {
		*err = "the memory stores are not available";
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	if (!name) {
		*err = "kairos.forget needs a name";
		goto out;
	}
	if (store_s && (kind = mem_store_parse(store_s)) < 0) {
		*err = "store must be personal, team or user";
		goto out;
	}
	memory_lsp_check(s);
	x = find_mem(m, name, kind);
	if (!x) {
		*err = "no memory of that name";
		goto out;
	}
	rc = RPC_REQUEST_FAILED;
	buf_printf(&cm, "forget %s: archived at the person's request", name);
	if (store_txn_begin(&t, writable(m, (int)x->store)) ||
	    store_txn_archive(t, name, "forgotten at the person's request", NULL)) {
		*err = kr_errmsg();
		goto out;
	}
	rc = store_txn_commit(t, buf_cstr(&cm), commit);
	t = NULL;
	if (rc) {
		*err = kr_errmsg();
		rc = RPC_REQUEST_FAILED;
		goto out;
	}
	jw_obj(w);
	jw_kbool(w, "archived", true);
	jw_end(w);
	features_memory_changed(s);
out:
	if (t)
		store_txn_abort(t);
	buf_dispose(&cm);
	free(name);
	free(store_s);
	return rc;
}

int memory_lsp_list(struct server *s, struct rpc_msg *msg, int args, struct jw *w, const char **err)
{
	struct lsp_memory *m = s->feat->memory;
	memory_lsp_check(s);
	jw_arr(w);
	for (size_t i = 0; m->open && i < m->set.mems.n; i++) {
		jw_obj(w);
		store_mem_json(w, m->set.mems.v[i]);
		jw_end(w);
	}
	jw_end(w);
	return 0;
}

/* Undoes the newest change among the writable stores. */
int memory_lsp_undo(struct server *s, struct rpc_msg *msg, int args, struct jw *w, const char **err)
{
	struct lsp_memory *m = s->feat->memory;
	struct store *best = NULL;
	int64_t best_t = -1;
	char id[41] = "", undone[41] = "";

	if (!m->open) {
		*err = "the memory stores are not available";
		return RPC_REQUEST_FAILED;
	}
	memory_lsp_check(s);
	for (int k = 0; k < STORE_COUNT; k++) {
		struct store *st = writable(m, k);
		struct history_entry *e = NULL;
		size_t n = 0;
		if (!st || history_log(st->dir, &e, &n) || n < 2) {
			if (e)
				history_entries_free(e, n);
			continue;
		}
		if (e[0].time > best_t) {
			best_t = e[0].time;
			best = st;
			memcpy(undone, e[0].id, sizeof(undone));
		}
		history_entries_free(e, n);
	}
	if (!best) {
		*err = "nothing to undo: no store has a recorded change";
		return RPC_REQUEST_FAILED;
	}
	if (store_undo(best, id)) {
		*err = kr_errmsg();
		return RPC_REQUEST_FAILED;
	}
	jw_obj(w);
	jw_kstr(w, "reverted", undone);
	jw_end(w);
	features_memory_changed(s);
	return 0;
}
