/* repo: knowledge from the workspace's git repository, through the git
 * plugin. One walk of the recent history (at most REPO_WALK_MAX commits,
 * merges left out, renames detected) records each commit's changed paths
 * once; it is cached until HEAD moves and serves both the co-change hints
 * and rename following. */
#include "kairos/repo.h"

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/gitops.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPO_WALK_MAX 2000  /* commits walked from HEAD */
#define COCHANGE_WINDOW 50  /* last commits touching a file that are counted */
#define COCHANGE_MIN 5      /* commits together, at least */
#define COCHANGE_PCT 60     /* percent of the window, at least */

/* --- the cached walk ---------------------------------------------------- */

struct rename {
	size_t commit; /* walk index: 0 is the newest */
	int from, to;
};

struct walk {
	char *workspace; /* realpath */
	char head[41];
	char **paths; /* interned, repository-relative */
	size_t npaths, pcap;
	int *slots; /* hash table of path ids, -1 empty */
	size_t nslots;
	size_t ncommits;
	size_t *cstart; /* commit i's path ids: ids[cstart[i] .. cstart[i+1]) */
	int *ids;
	size_t nids, idcap, cstartcap;
	struct rename *renames;
	size_t nrenames, rcap;
	size_t *pstart; /* path p's commits (newest first): pcommits[pstart[p] .. pstart[p+1]) */
	size_t *pcommits;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct walk *cache;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int lookup(const struct walk *w, const char *path)
{
	if (!w->nslots)
		return -1;
	for (size_t i = hash_str(path) & (w->nslots - 1);; i = (i + 1) & (w->nslots - 1)) {
		int id = w->slots[i];
		if (id < 0 || !strcmp(w->paths[id], path))
			return id;
	}
}

static void rehash(struct walk *w, size_t nslots)
{
	free(w->slots);
	w->slots = xmalloc(nslots * sizeof(*w->slots));
	memset(w->slots, 0xff, nslots * sizeof(*w->slots));
	w->nslots = nslots;
	for (size_t p = 0; p < w->npaths; p++) {
		size_t i = hash_str(w->paths[p]) & (nslots - 1);
		while (w->slots[i] >= 0)
			i = (i + 1) & (nslots - 1);
		w->slots[i] = (int)p;
	}
}

static int intern(struct walk *w, const char *path)
{
	int id = lookup(w, path);
	size_t i;

	if (id >= 0)
		return id;
	if ((w->npaths + 1) * 2 > w->nslots)
		rehash(w, w->nslots ? w->nslots * 2 : 256);
	if (w->npaths == w->pcap) {
		w->pcap = w->pcap ? w->pcap * 2 : 256;
		w->paths = xrealloc(w->paths, w->pcap * sizeof(*w->paths));
	}
	id = (int)w->npaths;
	w->paths[w->npaths++] = xstrdup(path);
	for (i = hash_str(path) & (w->nslots - 1); w->slots[i] >= 0; i = (i + 1) & (w->nslots - 1))
		;
	w->slots[i] = id;
	return id;
}

static void walk_free(struct walk *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->npaths; i++)
		free(w->paths[i]);
	free(w->paths);
	free(w->slots);
	free(w->cstart);
	free(w->ids);
	free(w->renames);
	free(w->pstart);
	free(w->pcommits);
	free(w->workspace);
	free(w);
}

static void add_id(struct walk *w, int id)
{
	/* a path appears once per commit (a rename's two sides are distinct) */
	for (size_t i = w->cstart[w->ncommits]; i < w->nids; i++)
		if (w->ids[i] == id)
			return;
	if (w->nids == w->idcap) {
		w->idcap = w->idcap ? w->idcap * 2 : 1024;
		w->ids = xrealloc(w->ids, w->idcap * sizeof(*w->ids));
	}
	w->ids[w->nids++] = id;
}

static int walk_cb(void *ctx, const struct gitops_commit *c, const struct gitops_delta *d,
		   size_t nd)
{
	struct walk *w = ctx;

	if (w->ncommits + 2 > w->cstartcap) {
		w->cstartcap = w->cstartcap ? w->cstartcap * 2 : 256;
		w->cstart = xrealloc(w->cstart, w->cstartcap * sizeof(*w->cstart));
	}
	w->cstart[w->ncommits] = w->nids;
	for (size_t i = 0; i < nd; i++) {
		int from = intern(w, d[i].old_path), to = from;
		if (d[i].status == GITOPS_RENAMED && strcmp(d[i].old_path, d[i].new_path)) {
			to = intern(w, d[i].new_path);
			if (w->nrenames == w->rcap) {
				w->rcap = w->rcap ? w->rcap * 2 : 16;
				w->renames = xrealloc(w->renames, w->rcap * sizeof(*w->renames));
			}
			w->renames[w->nrenames++] = (struct rename){w->ncommits, from, to};
			add_id(w, to);
		}
		add_id(w, from);
	}
	w->ncommits++;
	w->cstart[w->ncommits] = w->nids;
	return 0;
}

/* Builds the inverted index: for each path, its commits newest first. */
static void index_paths(struct walk *w)
{
	size_t *fill;

	w->pstart = xcalloc(w->npaths + 1, sizeof(*w->pstart));
	for (size_t i = 0; i < w->nids; i++)
		w->pstart[w->ids[i] + 1]++;
	for (size_t p = 0; p < w->npaths; p++)
		w->pstart[p + 1] += w->pstart[p];
	w->pcommits = xmalloc((w->nids ? w->nids : 1) * sizeof(*w->pcommits));
	fill = xcalloc(w->npaths + 1, sizeof(*fill));
	for (size_t c = 0; c < w->ncommits; c++)
		for (size_t i = w->cstart[c]; i < w->cstart[c + 1]; i++) {
			int p = w->ids[i];
			w->pcommits[w->pstart[p] + fill[p]++] = c;
		}
	free(fill);
}

/* --- opening the workspace's repository --------------------------------- */

struct ws {
	const struct gitops_vtable *vt;
	struct gitops_repo *repo;
	char real[PATH_MAX];
	char prefix[PATH_MAX]; /* workspace relative to the work tree: "" or "sub/dir/" */
};

static int ws_open(struct ws *s, const char *workspace)
{
	char wd[PATH_MAX];
	const char *w;
	size_t n;
	int rc;

	s->repo = NULL;
	if (!realpath(workspace, s->real))
		return kr_errc(KR_ENOTFOUND, "workspace %s: %s", workspace, strerror(errno));
	if ((rc = gitops_get(&s->vt)) < 0)
		return rc;
	if ((rc = s->vt->open(&s->repo, s->real, GITOPS_OPEN_DISCOVER)) < 0)
		return gitops_fail(s->vt, rc);
	w = s->vt->workdir(s->repo);
	if (!w || !realpath(w, wd)) {
		s->vt->close(s->repo);
		s->repo = NULL;
		return kr_errc(KR_ENOTFOUND, "%s is not inside a git work tree", workspace);
	}
	n = strlen(wd);
	s->prefix[0] = '\0';
	if (!strcmp(s->real, wd) || !strcmp(wd, "/")) {
		if (!strcmp(wd, "/") && strcmp(s->real, "/"))
			snprintf(s->prefix, sizeof(s->prefix), "%s/", s->real + 1);
	} else if (!strncmp(s->real, wd, n) && s->real[n] == '/') {
		snprintf(s->prefix, sizeof(s->prefix), "%s/", s->real + n + 1);
	}
	return 0;
}

static void ws_close(struct ws *s)
{
	if (s->repo)
		s->vt->close(s->repo);
	s->repo = NULL;
}

/* The workspace-relative form of a repository path, or NULL when it lies
 * outside the workspace. */
static const char *ws_rel(const struct ws *s, const char *repo_path)
{
	size_t n = strlen(s->prefix);
	return strncmp(repo_path, s->prefix, n) ? NULL : repo_path + n;
}

/* The repository path of workspace-relative rel in *out. */
static int ws_repo_path(const struct ws *s, const char *rel, char **out)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	int rc;

	*out = NULL;
	buf_printf(&b, "%s%s", s->prefix, rel);
	if ((rc = buf_err(&b)))
		return rc;
	*out = buf_detach(&b);
	return 0;
}

/* rel normalised ("a/./b//c" -> "a/b/c", "a/../b" -> "b") in *out;
 * KR_EINVAL when it is not a relative path that stays inside its base
 * ("../x", "/x"). */
static int norm_rel(const char *rel, char **out)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	int rc;

	*out = NULL;
	if (!rel || !*rel || rel[0] == '/')
		goto outside;
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash;
			if ((rc = buf_err(&b)))
				return rc;
			if (b.len == 0)
				goto outside;
			slash = strrchr(b.data, '/');
			buf_truncate(&b, slash ? (size_t)(slash - b.data) : 0);
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (b.len)
				buf_putc(&b, '/');
			buf_append(&b, p, n);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if ((rc = buf_err(&b)))
		return rc;
	if (b.len == 0)
		goto outside;
	*out = buf_detach(&b);
	return 0;
outside:
	buf_dispose(&b);
	return kr_errc(KR_EINVAL, "not a path inside the workspace: %s", rel ? rel : "(null)");
}

/* The cached walk of s at HEAD, building it when HEAD moved. Call with
 * cache_lock held; the result stays valid while it is held. */
static int cached_walk(struct ws *s, struct walk **out)
{
	char head[41];
	struct walk *w;
	int rc;

	*out = NULL;
	if ((rc = s->vt->head(s->repo, head)) < 0)
		return gitops_fail(s->vt, rc);
	if (cache && !strcmp(cache->head, head) && !strcmp(cache->workspace, s->real)) {
		*out = cache;
		return 0;
	}
	w = xcalloc(1, sizeof(*w));
	w->workspace = xstrdup(s->real);
	memcpy(w->head, head, sizeof(head));
	rc = s->vt->walk(s->repo, REPO_WALK_MAX,
			 GITOPS_WALK_NO_MERGES | GITOPS_WALK_DIFF | GITOPS_WALK_RENAMES, walk_cb, w);
	if (rc < 0) {
		rc = gitops_fail(s->vt, rc);
		walk_free(w);
		return rc;
	}
	if (!w->cstart) {
		w->cstart = xcalloc(1, sizeof(*w->cstart));
		w->cstartcap = 1;
	}
	index_paths(w);
	walk_free(cache);
	cache = w;
	*out = w;
	return 0;
}

/* --- co-change ---------------------------------------------------------- */

struct modified {
	char **paths;
	unsigned *flags;
	size_t n, cap;
};

static void status_cb(void *ctx, const char *path, unsigned flags)
{
	struct modified *m = ctx;
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->paths = xrealloc(m->paths, m->cap * sizeof(*m->paths));
		m->flags = xrealloc(m->flags, m->cap * sizeof(*m->flags));
	}
	m->paths[m->n] = xstrdup(path);
	m->flags[m->n++] = flags;
}

static void modified_free(struct modified *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->paths[i]);
	free(m->paths);
	free(m->flags);
}

static bool is_modified(const struct modified *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->paths[i], path))
			return true;
	return false;
}

static int cmp_hint(const void *a, const void *b)
{
	const struct repo_cochange *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	long long l, r;

	if (c)
		return c;
	l = (long long)y->together * x->total; /* higher share first */
	r = (long long)x->together * y->total;
	if (l != r)
		return l < r ? -1 : 1;
	return strcmp(x->partner, y->partner);
}

struct hints {
	struct repo_cochange *c;
	size_t n, cap;
};

/* Adds the partners of the modified file m (repository path). */
static int hints_for(struct ws *s, const struct walk *w, const struct modified *mod,
		     const char *m, int *counts, int *touched, struct hints *h)
{
	int id = lookup(w, m), ntouched = 0, total, rc = 0;
	size_t first, last;

	if (id < 0)
		return 0;
	first = w->pstart[id];
	last = w->pstart[id + 1];
	if (last - first > COCHANGE_WINDOW)
		last = first + COCHANGE_WINDOW;
	total = (int)(last - first);
	for (size_t k = first; k < last; k++) {
		size_t c = w->pcommits[k];
		for (size_t i = w->cstart[c]; i < w->cstart[c + 1]; i++) {
			int p = w->ids[i];
			if (p == id)
				continue;
			if (counts[p]++ == 0)
				touched[ntouched++] = p;
		}
	}
	for (int t = 0; t < ntouched && rc == 0; t++) {
		int p = touched[t], together = counts[p];
		const char *partner = w->paths[p], *rel_m, *rel_p;
		bool in_head;

		counts[p] = 0;
		if (together < COCHANGE_MIN || together * 100 < COCHANGE_PCT * total)
			continue;
		if (is_modified(mod, partner))
			continue;
		rel_m = ws_rel(s, m);
		rel_p = ws_rel(s, partner);
		if (!rel_m || !rel_p)
			continue;
		if ((rc = s->vt->head_has(s->repo, partner, &in_head)) < 0) {
			rc = gitops_fail(s->vt, rc);
			break;
		}
		if (!in_head)
			continue; /* deleted since: nothing to change with it */
		if (h->n == h->cap) {
			h->cap = h->cap ? h->cap * 2 : 8;
			h->c = xrealloc(h->c, h->cap * sizeof(*h->c));
		}
		h->c[h->n++] = (struct repo_cochange){xstrdup(rel_m), xstrdup(rel_p), together, total};
	}
	for (int t = 0; t < ntouched; t++)
		counts[touched[t]] = 0;
	return rc;
}

int repo_cochange_hints(const char *workspace, struct repo_cochange **out, size_t *n)
{
	struct ws s;
	struct modified mod = {0};
	struct hints h = {0};
	struct walk *w;
	int *counts = NULL, *touched = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = ws_open(&s, workspace)) < 0)
		return rc;
	if ((rc = s.vt->status(s.repo, status_cb, &mod)) < 0) {
		rc = gitops_fail(s.vt, rc);
		goto out;
	}
	if (mod.n == 0)
		goto out;
	pthread_mutex_lock(&cache_lock);
	rc = cached_walk(&s, &w);
	if (rc == 0) {
		counts = xcalloc(w->npaths + 1, sizeof(*counts));
		touched = xcalloc(w->npaths + 1, sizeof(*touched));
		for (size_t i = 0; i < mod.n && rc == 0; i++)
			if (!(mod.flags[i] & GITOPS_STATUS_DELETED))
				rc = hints_for(&s, w, &mod, mod.paths[i], counts, touched, &h);
	} else if (rc == KR_ENOTFOUND) {
		rc = 0; /* unborn HEAD: no history, no hints */
	}
	pthread_mutex_unlock(&cache_lock);
	if (rc < 0) {
		repo_cochange_free(h.c, h.n);
		goto out;
	}
	if (h.n > 1)
		qsort(h.c, h.n, sizeof(*h.c), cmp_hint);
	*out = h.c;
	*n = h.n;
out:
	free(counts);
	free(touched);
	modified_free(&mod);
	ws_close(&s);
	return rc;
}

void repo_cochange_free(struct repo_cochange *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].path);
		free(c[i].partner);
	}
	free(c);
}

/* --- HEAD, paths, renames ----------------------------------------------- */

int repo_head_id(const char *workspace, char *id_out)
{
	struct ws s;
	int rc;

	id_out[0] = '\0';
	if ((rc = ws_open(&s, workspace)) < 0)
		return rc;
	if ((rc = s.vt->head(s.repo, id_out)) < 0)
		rc = gitops_fail(s.vt, rc);
	ws_close(&s);
	return rc;
}

int repo_path_exists(const char *workspace, const char *rel, bool *in_head, bool *in_worktree)
{
	struct ws s;
	struct buf full = BUF_INIT_CAP(BUF_CAP_LINE);
	struct stat st;
	char *nrel = NULL, *rp = NULL;
	int rc;

	*in_head = false;
	*in_worktree = false;
	if ((rc = norm_rel(rel, &nrel)))
		return rc;
	buf_printf(&full, "%s/%s", workspace, nrel);
	if ((rc = buf_err(&full)))
		goto out;
	*in_worktree = lstat(full.data, &st) == 0;
	buf_dispose(&full);
	if ((rc = ws_open(&s, workspace)) < 0)
		goto out;
	if ((rc = ws_repo_path(&s, nrel, &rp)) == 0 && (rc = s.vt->head_has(s.repo, rp, in_head)) < 0)
		rc = gitops_fail(s.vt, rc);
	ws_close(&s);
out:
	free(rp);
	free(nrel);
	return rc;
}

int repo_follow_renames(const char *workspace, const char *rel, char **final_out)
{
	struct ws s;
	struct walk *w;
	char *nrel = NULL, *rp = NULL;
	int rc;

	*final_out = NULL;
	if ((rc = norm_rel(rel, &nrel)))
		return rc;
	if ((rc = ws_open(&s, workspace)) < 0)
		goto out;
	if ((rc = ws_repo_path(&s, nrel, &rp))) {
		ws_close(&s);
		goto out;
	}
	pthread_mutex_lock(&cache_lock);
	rc = cached_walk(&s, &w);
	if (rc == 0) {
		int cur = lookup(w, rp);
		bool renamed = false;
		/* oldest commit first; at most one step per commit */
		for (size_t i = w->nrenames; cur >= 0 && i-- > 0;) {
			size_t c = w->renames[i].commit;
			if (w->renames[i].from != cur)
				continue;
			cur = w->renames[i].to;
			renamed = true;
			while (i > 0 && w->renames[i - 1].commit == c)
				i--;
		}
		if (renamed) {
			const char *r = ws_rel(&s, w->paths[cur]);
			if (r)
				*final_out = xstrdup(r);
		}
	} else if (rc == KR_ENOTFOUND) {
		rc = 0; /* unborn HEAD: nothing was ever renamed */
	}
	pthread_mutex_unlock(&cache_lock);
	ws_close(&s);
out:
	free(rp);
	free(nrel);
	return rc;
}
