/* dream_prune: stale memories. A memory is stale when its `expires` is
 * past, or when one of its `refs` exists neither in HEAD nor in the work
 * tree; a ref whose file was renamed (followed through every later
 * rename) is updated to the final path instead, and the memory is stale
 * only when that final path no longer exists. Without a git repository,
 * the work tree alone decides. Stale memories are archived, never
 * deleted. Each distinct path is looked up once. */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"
#include "kairos/paths.h"
#include "kairos/repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum ref_state { REF_OK = 1, REF_MISSING, REF_RENAMED, REF_UNKNOWN };

struct ref_info {
	enum ref_state st;
	char *path;  /* the ref */
	char *final; /* REF_RENAMED */
};

static bool exists_now(const char *ws, const char *rel, bool *git)
{
	bool in_head = false, in_wt = false;
	if (*git) {
		int rc = repo_path_exists(ws, rel, &in_head, &in_wt);
		if (rc == 0)
			return in_head || in_wt;
		if (rc == KR_ENOMEM)
			return false; /* too long to be a path: it exists nowhere */
		*git = false; /* not a git work tree (or git unavailable): the work tree decides */
	}
	{
		struct stat sb;
		size_t n = strlen(ws) + strlen(rel) + 2;
		char *p = xmalloc(n);
		bool ok;
		snprintf(p, n, "%s/%s", ws, rel);
		ok = lstat(p, &sb) == 0;
		free(p);
		return ok;
	}
}

static void lookup(const char *ws, struct ref_info *ri, bool *git)
{
	char *final = NULL;

	if (!paths_rel_safe(ri->path)) {
		ri->st = REF_UNKNOWN; /* not a workspace path: not ours to judge */
		return;
	}
	if (exists_now(ws, ri->path, git)) {
		ri->st = REF_OK;
		return;
	}
	ri->st = REF_MISSING;
	if (*git && repo_follow_renames(ws, ri->path, &final) == 0 && final) {
		if (strcmp(final, ri->path) && exists_now(ws, final, git)) {
			ri->st = REF_RENAMED;
			ri->final = final;
			return;
		}
		free(final);
	}
}

int dream_prune_mark_stale(struct dream_snap *s)
{
	struct dream_map cache = {0};
	struct ref_info *infos = NULL;
	size_t ninfo = 0, capinfo = 0;
	bool git = true;
	int rc = 0;

	for (size_t i = 0; i < s->mems.n; i++) {
		struct mem *m = s->mems.v[i];
		struct buf missing = BUF_INIT_CAP(BUF_CAP_LINE); /* the refs missing, listed */
		bool stale = false;

		if (s->it[i].state != DS_ACTIVE || s->it[i].is_new)
			continue;
		if ((i & 255) == 0 && dream_snap_cancelled(s)) {
			rc = KR_ECANCEL;
			break;
		}
		if (m->expires && m->expires_ts && m->expires_ts <= s->now) {
			struct buf w = BUF_INIT_CAP(BUF_CAP_LINE);
			buf_printf(&w, "expired %s", m->expires);
			s->it[i].stale = true;
			s->it[i].stale_why = buf_err(&w) ? xstrdup("expired") : buf_detach(&w);
			continue;
		}
		if (!s->workspace || !m->refs.n)
			continue;
		for (size_t r = 0; r < m->refs.n; r++) {
			const char *ref = m->refs.v[r];
			bool isnew;
			size_t *slot = dream_snap_map_put(&cache, dream_text_hash(ref, strlen(ref)), &isnew);
			struct ref_info *ri;
			if (isnew) {
				if (ninfo == capinfo) {
					capinfo = capinfo ? capinfo * 2 : 64;
					infos = xrealloc(infos, capinfo * sizeof(*infos));
				}
				memset(&infos[ninfo], 0, sizeof(infos[ninfo]));
				infos[ninfo].path = xstrdup(ref);
				lookup(s->workspace, &infos[ninfo], &git);
				*slot = ninfo++;
			}
			ri = &infos[*slot];
			if (ri->st == REF_MISSING) {
				buf_puts(&missing, stale ? ", " : "refs missing: ");
				buf_puts(&missing, ref);
				stale = true;
			}
		}
		/* renamed refs follow their file, unless the memory is stale anyway */
		for (size_t r = 0; !stale && r < m->refs.n; r++) {
			size_t *slot = dream_snap_map_get(&cache, dream_text_hash(m->refs.v[r], strlen(m->refs.v[r])));
			struct ref_info *ri = &infos[*slot];
			if (ri->st != REF_RENAMED || strv_has(&m->refs, ri->final))
				continue;
			dream_report_action(s->rep, DREAM_OP_REFS, m->name, m->refs.v[r], ri->final);
			free(m->refs.v[r]);
			m->refs.v[r] = xstrdup(ri->final);
			s->it[i].dirty = true;
		}
		if (stale) {
			s->it[i].stale = true;
			s->it[i].stale_why = buf_err(&missing) ? xstrdup("refs missing (too many to list)")
							       : buf_detach(&missing);
		}
		buf_dispose(&missing);
	}
	for (size_t i = 0; i < ninfo; i++) {
		free(infos[i].path);
		free(infos[i].final);
	}
	free(infos);
	dream_snap_map_dispose(&cache);
	return rc;
}

int dream_prune(struct dream_snap *s)
{
	for (size_t i = 0; i < s->mems.n; i++) {
		if (s->it[i].state != DS_ACTIVE || !s->it[i].stale)
			continue;
		dream_snap_retire(s, i, s->it[i].stale_why, NULL);
		s->it[i].dirty = false; /* archived as found: a renamed ref is not worth a write */
		dream_report_action(s->rep, DREAM_OP_PRUNE, s->mems.v[i]->name, NULL,
				    s->it[i].stale_why);
		s->rep->pruned++;
	}
	return 0;
}
