/* lsp_stores: the memory stores as the server holds them (lsp_stores.h). */
#include "lsp_stores.h"
#include "kairos/err.h"
#include "kairos/journal.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct lsp_stores {
	struct store_set set;
	bool open;
	unsigned generation;        /* bumped on every reload */
	uint64_t fingerprint;       /* of the writable stores' files */
	uint64_t dir_stamp;         /* of their directories */
	uint64_t checked_ms;        /* last full check */
	char **reported;            /* problems already logged (path + message) */
	size_t nreported;
};

struct store_set *lsp_stores_set(struct lsp_session *s)
{
	struct lsp_stores *m = s->feat.stores;
	return m && m->open ? &m->set : NULL;
}

unsigned lsp_stores_generation(struct lsp_session *s)
{
	return s->feat.stores ? s->feat.stores->generation : 0;
}

/* Sum over every file of the writable stores of (name, size, mtime): a
 * change anywhere changes it. */
static uint64_t fingerprint(struct lsp_stores *m)
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

static bool was_reported(struct lsp_stores *m, const char *key)
{
	for (size_t i = 0; i < m->nreported; i++)
		if (!strcmp(m->reported[i], key))
			return true;
	m->reported = xrealloc(m->reported, (m->nreported + 1) * sizeof(*m->reported));
	m->reported[m->nreported++] = xstrdup(key);
	return false;
}

static void report_problems(struct lsp_session *s, struct lsp_stores *m)
{
	for (size_t i = 0; i < m->set.nproblems; i++) {
		struct store_problem *p = &m->set.problems[i];
		struct buf key = BUF_INIT_CAP(BUF_CAP_MEMFILE);
		buf_printf(&key, "%s\n%s", p->path, p->msg);
		if (!was_reported(m, buf_cstr(&key)))
			lsp_session_log(s, LSP_MSG_WARNING, "invalid memory file %s: %s (left untouched)", p->path, p->msg);
		buf_dispose(&key);
	}
}

/* The problem with an open memory file, if it has one. */
const char *lsp_stores_problem(struct lsp_session *s, const char *path)
{
	struct lsp_stores *m = s->feat.stores;
	if (!m || !m->open || !path)
		return NULL;
	for (size_t i = 0; i < m->set.nproblems; i++)
		if (!strcmp(m->set.problems[i].path, path))
			return m->set.problems[i].msg;
	return NULL;
}

static int reload(struct lsp_session *s, struct lsp_stores *m)
{
	int rc = store_set_load(&m->set);
	if (rc) {
		lsp_session_log(s, LSP_MSG_ERROR, "cannot load memory: %s", kr_errmsg());
		return rc;
	}
	m->generation++;
	m->fingerprint = fingerprint(m);
	report_problems(s, m);
	return 0;
}

static void store_warning(void *ud, const char *msg)
{
	struct lsp_session *s = ud;
	lsp_session_show(s, LSP_MSG_WARNING, "kairos: %s", msg);
}

static void on_initialized(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	struct lsp_stores *m = s->feat.stores;
	if (m->open)
		return;
	if (store_set_open(&m->set, s->root, s->cfg.memory_dir, false)) {
		lsp_session_log(s, LSP_MSG_ERROR, "cannot open the memory stores: %s", kr_errmsg());
		return;
	}
	m->open = true;
	if (reload(s, m) == 0)
		lsp_session_emit(s, LSP_EVENT_MEMORY_CHANGED, NULL);
}

static void on_saved(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	lsp_stores_check(s, false);
}

void lsp_stores_init(struct lsp_session *s)
{
	s->feat.stores = xcalloc(1, sizeof(struct lsp_stores));
	store_set_warn(store_warning, s);
	lsp_session_on(s, LSP_EVENT_INITIALIZED, on_initialized, NULL);
	lsp_session_on(s, LSP_EVENT_DOC_SAVED, on_saved, NULL);
}

void lsp_stores_dispose(struct lsp_session *s)
{
	struct lsp_stores *m = s->feat.stores;
	if (!m)
		return;
	store_set_warn(NULL, NULL);
	if (m->open)
		store_set_dispose(&m->set);
	for (size_t i = 0; i < m->nreported; i++)
		free(m->reported[i]);
	free(m->reported);
	free(m);
	s->feat.stores = NULL;
}

void lsp_stores_changed(struct lsp_session *s)
{
	struct lsp_stores *m = s->feat.stores;
	if (!m || !m->open || reload(s, m))
		return;
	lsp_session_emit(s, LSP_EVENT_MEMORY_CHANGED, NULL);
	/* a reload frees a whole store's worth of small objects: give the
	 * pages back rather than keep them for the session */
	malloc_trim(0);
}

/* Records hand edits of every writable store in its history: an empty
 * transaction commits what changed outside kairos ("edit: ..."). */
static void record_hand_edits(struct lsp_session *s, struct lsp_stores *m)
{
	for (int k = 0; k < STORE_COUNT; k++) {
		struct store *st = &m->set.stores[k];
		struct store_txn *t;
		struct stat sb;
		char id[41] = "";
		if (!st->dir || !st->writable || stat(st->dir, &sb))
			continue;
		if (store_txn_begin(&t, st) || store_txn_commit(t, "edit: memory files changed outside kairos", id))
			lsp_session_log(s, LSP_MSG_WARNING, "cannot record a hand edit of %s: %s", st->dir, kr_errmsg());
	}
}

/* The writable stores' directories' mtimes, summed: a file added,
 * removed or replaced by rename (how editors save) changes it. */
static uint64_t dir_stamp(struct lsp_stores *m)
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

bool lsp_stores_check(struct lsp_session *s, bool throttled)
{
	struct lsp_stores *m = s->feat.stores;
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
	lsp_stores_changed(s);
	m->dir_stamp = dir_stamp(m);
	return true;
}

void lsp_stores_watched_files(struct lsp_session *s, struct rpc_msg *msg)
{
	lsp_stores_check(s, false);
}

struct store *lsp_stores_writable(struct lsp_session *s, int kind)
{
	struct lsp_stores *m = s->feat.stores;
	struct store *st = m && m->open ? store_set_get(&m->set, (enum mem_store)kind) : NULL;
	return st && st->dir && st->writable ? st : NULL;
}

const struct mem *lsp_stores_find(struct lsp_session *s, const char *name, int kind)
{
	static const int order[] = {STORE_PERSONAL, STORE_TEAM, STORE_USER};
	struct store_set *set = lsp_stores_set(s);
	for (size_t o = 0; set && name && o < ARRAY_LEN(order); o++) {
		if (kind >= 0 && order[o] != kind)
			continue;
		for (size_t i = 0; i < set->mems.n; i++) {
			const struct mem *x = set->mems.v[i];
			if ((int)x->store == order[o] && !strcmp(x->name, name))
				return x;
		}
	}
	return NULL;
}

void lsp_stores_roll_journals(struct lsp_session *s)
{
	for (int k = 0; k < STORE_COUNT; k++) {
		struct store *st = lsp_stores_writable(s, k);
		int rc;
		if (!st || !journal_over_limit(st->dir))
			continue;
		/* busy: a transaction runs; the next tick tries again */
		if ((rc = journal_roll(st->dir)) && rc != KR_EBUSY)
			lsp_session_log(s, LSP_MSG_WARNING, "cannot roll the journal of %s: %s", st->dir,
					kr_errmsg());
	}
}
