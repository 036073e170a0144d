/* history: one bare git repository per store, outside the store, under
 * $XDG_DATA_HOME/kairos/history/<slug> (protocol/history.md). Commits are
 * snapshots of the whole store directory (all but .lock); undo restores
 * the parent snapshot as a new commit. A flock on <repo>.lock serialises
 * writers across processes and threads. */
#include "kairos/history.h"

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

/* --- slug (TODO: replace with paths_data_home()/paths_slug() from
 * src/paths.c once branch `store` is merged) ----------------------------- */

struct sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char block[64];
	size_t used;
};

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1 *s, const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;
		if (i < 20)
			f = (b & c) | (~b & d), k = 0x5A827999;
		else if (i < 40)
			f = b ^ c ^ d, k = 0x6ED9EBA1;
		else if (i < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
		else
			f = b ^ c ^ d, k = 0xCA62C1D6;
		t = rol(a, 5) + f + e + k + w[i];
		e = d, d = c, c = rol(b, 30), b = a, a = t;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e;
}

static void sha1_update(struct sha1 *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	s->len += n;
	while (n--) {
		s->block[s->used++] = *p++;
		if (s->used == 64) {
			sha1_block(s, s->block);
			s->used = 0;
		}
	}
}

static void sha1_hex8(const void *data, size_t n, char out[9])
{
	struct sha1 s = {{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}, 0, {0}, 0};
	uint64_t bits;
	unsigned char pad = 0x80, zero = 0, lenb[8];

	sha1_update(&s, data, n);
	bits = s.len * 8;
	sha1_update(&s, &pad, 1);
	while (s.used != 56)
		sha1_update(&s, &zero, 1);
	for (int i = 0; i < 8; i++)
		lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(&s, lenb, 8);
	snprintf(out, 9, "%08x", (unsigned)s.h[0]);
}

/* dir made absolute with symlinks resolved in its longest existing
 * prefix, so that a store's slug is the same before and after it is
 * created (as paths_slug does). */
static void resolve(const char *dir, char *out, size_t cap)
{
	char abs[PATH_MAX], *r;
	size_t cut;

	if (dir[0] == '/' || !getcwd(abs, sizeof(abs)))
		snprintf(abs, sizeof(abs), "%s", dir);
	else
		snprintf(abs + strlen(abs), sizeof(abs) - strlen(abs), "/%s", dir);
	cut = strlen(abs);
	while (cut > 1 && abs[cut - 1] == '/')
		abs[--cut] = '\0';
	for (;;) {
		char save = abs[cut];
		abs[cut] = '\0';
		r = realpath(cut ? abs : "/", NULL);
		abs[cut] = save;
		if (r || cut == 0)
			break;
		while (cut > 0 && abs[--cut] != '/')
			;
	}
	snprintf(out, cap, "%s%s", r && strcmp(r, "/") ? r : "", abs + cut);
	if (!out[0])
		snprintf(out, cap, "/");
	free(r);
}

static char *slug_of(const char *dir)
{
	char real[PATH_MAX], hex[9];
	const char *base;
	struct buf b = BUF_INIT;

	resolve(dir, real, sizeof(real));
	base = strrchr(real, '/');
	base = base && base[1] ? base + 1 : "root";
	for (const char *p = base; *p && b.len < 64; p++) {
		char c = *p;
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-';
		buf_putc(&b, ok ? c : '-');
	}
	sha1_hex8(real, strlen(real), hex);
	buf_printf(&b, "-%s", hex);
	return buf_detach(&b);
}

static char *data_home(void)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	struct buf b = BUF_INIT;

	if (x && x[0] == '/')
		buf_puts(&b, x);
	else
		buf_printf(&b, "%s/.local/share", home && *home ? home : "/tmp");
	while (b.len > 1 && b.data[b.len - 1] == '/')
		buf_truncate(&b, b.len - 1);
	return buf_detach(&b);
}

/* --- repository and lock ------------------------------------------------ */

char *history_repo_path(const char *store_dir)
{
	char *home = data_home(), *slug = slug_of(store_dir);
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s/kairos/history/%s", home, slug);
	free(home);
	free(slug);
	return buf_detach(&b);
}

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return kr_errc(KR_EINVAL, "path too long: %s", path);
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return kr_err("cannot create %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return kr_err("cannot create %s: %s", tmp, strerror(errno));
	return 0;
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
	struct buf lp = BUF_INIT;
	int rc;

	h->vt = NULL;
	h->repo = NULL;
	h->lockfd = -1;
	if ((rc = gitops_get(&h->vt)) < 0)
		goto out;
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')))
		*slash = '\0';
	if ((rc = mkdirs(dir)) < 0)
		goto out;
	if (lock) {
		buf_printf(&lp, "%s.lock", path);
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
	struct buf msg = BUF_INIT;
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
	if ((rc = h.vt->tree_to_dir(h.repo, prev.tree, hi.tree, store_dir)) < 0) {
		rc = gitops_fail(h.vt, rc);
		goto out;
	}
	/* "undo: X" undone reads "redo: X"; "redo: X" undone reads "undo: X". */
	if (!strncmp(hi.subject, "undo: ", 6))
		buf_printf(&msg, "redo: %s", hi.subject + 6);
	else if (!strncmp(hi.subject, "redo: ", 6))
		buf_printf(&msg, "undo: %s", hi.subject + 6);
	else
		buf_printf(&msg, "undo: %s", hi.subject);
	rc = h.vt->commit(h.repo, prev.tree, hi.id, buf_cstr(&msg), AUTHOR_NAME, AUTHOR_EMAIL,
			  id_out);
	if (rc < 0)
		rc = gitops_fail(h.vt, rc);
out:
	free(hi.subject);
	buf_dispose(&msg);
	hist_close(&h);
	return rc;
}
