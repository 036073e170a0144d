/* lsp_cochange: co-change hints from a child process (lsp_cochange.h). */
#include "lsp_cochange.h"
#include "kairos/err.h"
#include "kairos/repo.h"
#include "kairos/spawn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lsp_cochange {
	struct repo_cochange *hints;
	size_t nhints;
	struct child cc;
	bool cc_running, cc_again;
	struct buf cc_out;
	lsp_cochange_fn fn;
};

static void refresh_cochange(struct lsp_session *s);

static void cc_done(struct lsp_session *s)
{
	struct lsp_cochange *t = s->feat.cochange;
	struct json j;
	int status;

	loop_fd_del(s->loop, t->cc.out);
	status = spawn_finish(&t->cc, true);
	t->cc_running = false;
	if (status == 0 && !buf_err(&t->cc_out) &&
	    json_parse(&j, buf_cstr(&t->cc_out), t->cc_out.len) == 0) {
		int arr = json_get(&j, 0, "hints");
		repo_cochange_free(t->hints, t->nhints);
		t->hints = NULL;
		t->nhints = 0;
		t->hints = xcalloc((size_t)json_len(&j, arr) + 1, sizeof(*t->hints));
		for (int e = json_first(&j, arr); e >= 0; e = json_next(&j, arr, e)) {
			struct repo_cochange *h = &t->hints[t->nhints];
			h->path = json_get_str(&j, e, "path");
			h->partner = json_get_str(&j, e, "partner");
			h->together = (int)json_get_int(&j, e, "together", 0);
			h->total = (int)json_get_int(&j, e, "total", 0);
			if (h->path && h->partner)
				t->nhints++;
			else {
				free(h->path);
				free(h->partner);
			}
		}
		json_dispose(&j);
		/* the documents that have a hint get it at their next tick */
		for (size_t i = 0; i < s->docs.n; i++)
			for (size_t k = 0; k < t->nhints; k++) {
				const char *rel = lsp_session_rel_path(s, s->docs.v[i]);
				if (rel && !strcmp(rel, t->hints[k].path)) {
					t->fn(s, s->docs.v[i]);
					break;
				}
			}
	} else if (status != 3) {
		lsp_session_log(s, LSP_MSG_LOG, "co-change hints unavailable (status %d%s)", status,
				buf_err(&t->cc_out) ? ", output too long" : "");
	}
	buf_reset(&t->cc_out);
	if (t->cc_again) {
		t->cc_again = false;
		refresh_cochange(s);
	}
}

static void on_cc_fd(struct loop *l, int fd, short revents, void *ud)
{
	struct lsp_session *s = ud;
	struct lsp_cochange *t = s->feat.cochange;
	char chunk[8192];
	ssize_t r = read(fd, chunk, sizeof(chunk));
	if (r > 0) {
		buf_append(&t->cc_out, chunk, (size_t)r);
		return;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	cc_done(s);
}

/* Recomputes the co-change hints in a child process (`kairos __cochange
 * WORKSPACE`), off the typing path. */
static void refresh_cochange(struct lsp_session *s)
{
	struct lsp_cochange *t = s->feat.cochange;
	char *self, *argv[4];

	if (!s->cfg.cochange || !s->root)
		return;
	if (t->cc_running) {
		t->cc_again = true;
		return;
	}
	self = spawn_self_path();
	argv[0] = self;
	argv[1] = "__cochange";
	argv[2] = s->root;
	argv[3] = NULL;
	if (spawn_start(&t->cc, argv, SPAWN_STDOUT) == 0) {
		t->cc_running = true;
		loop_fd_add(s->loop, t->cc.out, POLLIN, on_cc_fd, s);
	}
	free(self);
}

static void on_refresh(struct lsp_session *s, const struct lsp_event_data *e, void *ud)
{
	refresh_cochange(s);
}

void lsp_cochange_init(struct lsp_session *s, lsp_cochange_fn fn)
{
	struct lsp_cochange *t = xcalloc(1, sizeof(*t));
	buf_init(&t->cc_out, REPO_COCHANGE_JSON_MAX);
	t->fn = fn;
	s->feat.cochange = t;
	lsp_session_on(s, LSP_EVENT_INITIALIZED, on_refresh, NULL);
	lsp_session_on(s, LSP_EVENT_DOC_SAVED, on_refresh, NULL);
}

void lsp_cochange_dispose(struct lsp_session *s)
{
	struct lsp_cochange *t = s->feat.cochange;
	if (!t)
		return;
	if (t->cc_running) {
		loop_fd_del(s->loop, t->cc.out);
		spawn_finish(&t->cc, false);
	}
	repo_cochange_free(t->hints, t->nhints);
	buf_dispose(&t->cc_out);
	free(t);
	s->feat.cochange = NULL;
}

void lsp_cochange_add(struct lsp_session *s, const char *rel, struct suggestion_list *l,
		      tick_suppressed_fn suppressed, void *ud)
{
	struct lsp_cochange *t = s->feat.cochange;
	if (!t || !s->cfg.cochange)
		return;
	for (size_t i = 0; i < t->nhints; i++)
		if (!strcmp(t->hints[i].path, rel))
			tick_cochange(l, &t->hints[i], 1, suppressed, ud);
}
