/* history: one bare git repository per store, outside the store, under
 * $XDG_DATA_HOME/kairos/history/<slug> (protocol/history.md). Commits are
 * snapshots of the whole store directory (all but .lock); undo restores
 * the parent snapshot as a new commit. A flock on <repo>.lock serialises
 * writers across processes and threads. */
#include "kairos/history.h"
#include "kairos/fsx.h"
#include "kairos/paths.h"

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/gitops.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define AUTHOR_NAME "kairos"
#define AUTHOR_EMAIL "kairos@localhost"
#define MSG_FOUND "kairos: store as found"
#define MSG_HAND_EDIT "edit: changes made outside kairos"

/* --- repository and lock ------------------------------------------------ */

char *history_repo_path(const char *store_dir)
{
	char *home = paths_data_home(), *slug = paths_slug(store_dir);
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);

	buf_printf(&b, "%s/kairos/history/%s", home, slug);
	free(home);
	free(slug);
	return buf_err(&b) ? NULL : buf_detach(&b);
}

/* An open history: the plugin, the repository, the lock. */
struct hist {
	const struct gitops_vtable *vt;
	struct gitops_repo *repo;
	int lockfd;
};

static void hist_close(struct hist *h)
{
	if (h->repo)
		h->vt->close(h->repo);
	if (h->lockfd >= 0)
		close(h->lockfd); /* releases the flock */
	h->repo = NULL;
	h->lockfd = -1;
}

/* Opens (creating when missing) the history of store_dir and, when lock
 * is true, takes its lock, waiting for other writers. */
static int hist_open(struct hist *h, const char *store_dir, bool lock)
{
	char *path = history_repo_path(store_dir), *dir = NULL, *slash;
	struct buf lp = BUF_INIT_CAP(BUF_CAP_LINE);
	int rc;

	h->vt = NULL;
	h->repo = NULL;
	h->lockfd = -1;
	if (!path) {
		rc = kr_errc(KR_ENOMEM, "the history path of %s: %s", store_dir, kr_errmsg());
		goto out;
	}
	if ((rc = gitops_get(&h->vt)) < 0)
		goto out;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	if ((rc = fsx_mkdirs(dir, 0700)) < 0)
		goto out;
	if (lock) {
		buf_printf(&lp, "%s.lock", path);
		if ((rc = buf_err(&lp)))
			goto out;
		h->lockfd = open(buf_cstr(&lp), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (h->lockfd < 0) {
			rc = kr_err("cannot open %s: %s", buf_cstr(&lp), strerror(errno));
			goto out;
		}
		while ((rc = flock(h->lockfd, LOCK_EX)) < 0 && errno == EINTR)
			;
		if (rc < 0) {
			rc = kr_err("cannot lock %s: %s", buf_cstr(&lp), strerror(errno));
			goto out;
		}
	}
	if ((rc = h->vt->open(&h->repo, path, GITOPS_OPEN_BARE_CREATE)) < 0)
		rc = gitops_fail(h->vt, rc);
out:
	if (rc < 0)
		hist_close(h);
	buf_dispose(&lp);
	free(dir);
	free(path);
	return rc;
}

/* HEAD's commit (id, tree, parent, subject); KR_ENOTFOUND when unborn. */
struct head_info {
	char id[41], tree[41], parent[41];
	char *subject;
	bool found;
};

static int head_cb(void *ctx, const struct gitops_commit *c, const struct gitops_delta *d,
		   size_t nd)
{
	struct head_info *hi = ctx;
	size_t n = strcspn(c->message, "\n");

	memcpy(hi->id, c->id, 41);
	memcpy(hi->tree, c->tree, 41);
	memcpy(hi->parent, c->parent, 41);
	hi->subject = xstrndup(c->message, n);
	hi->found = true;
	return 1;
}

static int head_info(struct hist *h, struct head_info *hi)
{
	int rc;

	memset(hi, 0, sizeof(*hi));
	if ((rc = h->vt->walk(h->repo, 1, GITOPS_WALK_FIRST_PARENT, head_cb, hi)) < 0)
		return gitops_fail(h->vt, rc);
	return hi->found ? 0 : KR_ENOTFOUND;
}

/* Commits the store as it is when it differs from HEAD (or as MSG_FOUND
 * when the history is empty). Lock held. */
static int commit_locked(struct hist *h, const char *store_dir, const char *message,
			 char *id_out)
{
	struct head_info hi;
	char tree[41];
	int rc;

	id_out[0] = '\0';
	if ((rc = h->vt->tree_from_dir(h->repo, store_dir, tree)) < 0)
		return gitops_fail(h->vt, rc);
	rc = head_info(h, &hi);
	if (rc == KR_ENOTFOUND) {
		rc = h->vt->commit(h->repo, tree, NULL, MSG_FOUND, AUTHOR_NAME, AUTHOR_EMAIL, id_out);
	} else if (rc == 0 && strcmp(hi.tree, tree) != 0) {
		rc = h->vt->commit(h->repo, tree, hi.id, message && *message ? message : "kairos: update",
				   AUTHOR_NAME, AUTHOR_EMAIL, id_out);
	} else {
		free(hi.subject);
		return rc;
	}
	free(hi.subject);
	return rc < 0 ? gitops_fail(h->vt, rc) : 0;
}

int history_commit(const char *store_dir, const char *message, char *id_out)
{
	struct hist h;
	int rc;

	id_out[0] = '\0';
	if ((rc = hist_open(&h, store_dir, true)) < 0)
		return rc;
	rc = commit_locked(&h, store_dir, message, id_out);
	hist_close(&h);
	return rc;
}

struct log_ctx {
	struct history_entry *e;
	size_t n, cap;
};

static int log_cb(void *ctx, const struct gitops_commit *c, const struct gitops_delta *d,
		  size_t nd)
{
	struct log_ctx *l = ctx;
	size_t len = strlen(c->message);

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->e = xrealloc(l->e, l->cap * sizeof(*l->e));
	}
	while (len > 0 && (c->message[len - 1] == '\n' || c->message[len - 1] == ' ' ||
			   c->message[len - 1] == '\r' || c->message[len - 1] == '\t'))
		len--;
	memcpy(l->e[l->n].id, c->id, 41);
	l->e[l->n].time = c->time;
	l->e[l->n].message = xstrndup(c->message, len);
	l->n++;
	return 0;
}

int history_log(const char *store_dir, struct history_entry **out, size_t *n)
{
	struct log_ctx l = {0};
	struct hist h;
	char *path = history_repo_path(store_dir);
	struct stat st;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!path)
		return kr_errc(KR_ENOMEM, "the history path of %s: %s", store_dir, kr_errmsg());
	if (stat(path, &st) < 0) { /* no history yet: nothing to list */
		free(path);
		return 0;
	}
	free(path);
	if ((rc = hist_open(&h, store_dir, false)) < 0)
		return rc;
	rc = h.vt->walk(h.repo, 0, GITOPS_WALK_FIRST_PARENT, log_cb, &l);
	if (rc < 0) {
		rc = gitops_fail(h.vt, rc);
		history_entries_free(l.e, l.n);
	} else {
		*out = l.e;
		*n = l.n;
	}
	hist_close(&h);
	return rc;
}

void history_entries_free(struct history_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].message);
	free(e);
}

/* First-parent commit before HEAD (its tree). */
static int parent_tree_cb(void *ctx, const struct gitops_commit *c, const struct gitops_delta *d,
			  size_t nd)
{
	struct head_info *hi = ctx;
	if (!hi->found) { /* HEAD itself */
		hi->found = true;
		return 0;
	}
	memcpy(hi->tree, c->tree, 41);
	return 1;
}

int history_undo(const char *store_dir, char *id_out)
{
	struct hist h;
	struct head_info hi = {0}, prev = {0};
	struct buf msg = BUF_INIT_CAP(BUF_CAP_LINE);
	char tmp[41];
	int rc;

	id_out[0] = '\0';
	if ((rc = hist_open(&h, store_dir, true)) < 0)
		return rc;
	/* A hand edit not yet recorded is committed first: undo never loses it. */
	if ((rc = commit_locked(&h, store_dir, MSG_HAND_EDIT, tmp)) < 0)
		goto out;
	if ((rc = head_info(&h, &hi)) < 0)
		goto out;
	if (!hi.parent[0]) {
		rc = kr_errc(KR_ENOTFOUND, "nothing to undo: the history of %s holds only the store "
					   "as kairos first found it",
			     store_dir);
		goto out;
	}
	if ((rc = h.vt->walk(h.repo, 2, GITOPS_WALK_FIRST_PARENT, parent_tree_cb, &prev)) < 0) {
		rc = gitops_fail(h.vt, rc);
		goto out;
	}
	if (!prev.tree[0]) {
		rc = kr_err("cannot read the commit before %s", hi.id);
		goto out;
	}
	/* "undo: X" undone reads "redo: X"; "redo: X" undone reads "undo: X".
	 * Made before the restore, so that a message that cannot be made
	 * leaves the store as it was. */
	if (!strncmp(hi.subject, "undo: ", STRLEN_LIT("undo: ")))
		buf_printf(&msg, "redo: %s", hi.subject + STRLEN_LIT("undo: "));
	else if (!strncmp(hi.subject, "redo: ", STRLEN_LIT("redo: ")))
		buf_printf(&msg, "undo: %s", hi.subject + STRLEN_LIT("redo: "));
	else
		buf_printf(&msg, "undo: %s", hi.subject);
	if ((rc = buf_err(&msg)))
		goto out;
	if ((rc = gitops_restore(h.vt, h.repo, prev.tree, hi.tree, store_dir)) < 0)
		goto out;
	rc = h.vt->commit(h.repo, prev.tree, hi.id, msg.data, AUTHOR_NAME, AUTHOR_EMAIL,
			  id_out);
	if (rc < 0)
		rc = gitops_fail(h.vt, rc);
out:
	free(hi.subject);
	buf_dispose(&msg);
	hist_close(&h);
	return rc;
}
