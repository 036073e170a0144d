/* dream_model: after the deterministic pass, the pairs it could not
 * decide go to a language model in small batches (model.h); its
 * operations come back validated and are applied by dream_run under the
 * deterministic rules, in the dream's one commit. Used by `kairos dream`
 * (the server runs it as a child), which has no event loop of its own:
 * each batch is waited for with model_wait. */
#include "kairos/dream_model.h"
#include "kairos/err.h"
#include "kairos/loop.h"
#include "kairos/model.h"
#include "kairos/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_PAIRS 8
#define MAX_BATCHES 4
#define MAX_OPS 20

struct batch_ctx {
	struct model_ops *ops;
	int err;
	bool done;
};

static void on_ops(void *ud, int err, struct model_ops *ops)
{
	struct batch_ctx *c = ud;
	c->err = err;
	c->ops = ops;
	c->done = true;
}

static void log_stderr(void *ud, const char *msg)
{
	(void)ud;
	fprintf(stderr, "model: %s\n", msg);
}

static const struct mem *find(const struct mem_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i]->name, name))
			return l->v[i];
	return NULL;
}

static size_t index_of(struct model_memory *mm, size_t *n, const struct mem *m)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(mm[i].name, m->name))
			return i;
	mm[*n] = (struct model_memory){m->name, m->description, m->body, false}; /* the personal store */
	return (*n)++;
}

static void take(struct dream_opin **out, size_t *n, const struct model_op *op)
{
	struct dream_opin *d;
	if (*n >= MAX_OPS)
		return;
	*out = xrealloc(*out, (*n + 1) * sizeof(**out));
	d = &(*out)[(*n)++];
	memset(d, 0, sizeof(*d));
	d->op = op->kind == MODEL_OP_MERGE ? DREAM_OP_MERGE
		: op->kind == MODEL_OP_SUPERSEDE ? DREAM_OP_SUPERSEDE : DREAM_OP_KEEP;
	d->into = op->into ? xstrdup(op->into) : NULL;
	d->winner = op->winner ? xstrdup(op->winner) : NULL;
	d->loser = op->loser ? xstrdup(op->loser) : NULL;
	d->reason = op->reason ? xstrdup(op->reason) : NULL;
	for (size_t i = 0; i < op->nnames; i++)
		strv_push(&d->from, op->names[i]);
}

int dream_model_propose(struct dream_opin **out, size_t *nout, const struct model_config *cfg,
			const struct dream_pair *pairs, size_t npairs, const struct mem_list *mems)
{
	struct loop *l;
	struct model *m;
	char *home, *state;
	size_t done = 0;
	int rc = 0;

	*out = NULL;
	*nout = 0;
	if (cfg->provider == MODEL_PROVIDER_NONE || !npairs)
		return 0;
	home = paths_data_home();
	state = xmalloc(strlen(home) + 32);
	sprintf(state, "%s/kairos/state", home);
	l = loop_new();
	m = model_new(l, cfg, state);
	model_set_log(m, log_stderr, NULL);
	for (int b = 0; b < MAX_BATCHES && done < npairs && *nout < MAX_OPS; b++) {
		struct model_memory mm[2 * BATCH_PAIRS];
		struct model_pair mp[BATCH_PAIRS];
		size_t nm = 0, np = 0;
		struct batch_ctx c = {0};

		while (done < npairs && np < BATCH_PAIRS) {
			const struct mem *a = find(mems, pairs[done].a), *bm = find(mems, pairs[done].b);
			done++;
			if (!a || !bm)
				continue;
			mp[np].a = index_of(mm, &nm, a);
			mp[np].b = index_of(mm, &nm, bm);
			np++;
		}
		if (!np)
			continue;
		rc = model_tasks_dream(m, &(struct model_dream_req){mm, nm, mp, np}, on_ops, &c);
		if (rc) {
			fprintf(stderr, "model: not asked: %s\n", kr_errmsg());
			rc = 0; /* the deterministic result stands */
			break;
		}
		model_wait(m, MODEL_DREAM);
		if (c.done && !c.err && c.ops) {
			for (size_t i = 0; i < c.ops->n; i++)
				take(out, nout, &c.ops->v[i]);
		}
		if (c.ops) {
			model_reply_ops_dispose(c.ops);
			free(c.ops);
		}
		if (c.done && c.err)
			break; /* the model failed: keep what came before */
	}
	model_free(m);
	loop_free(l);
	free(home);
	free(state);
	return rc;
}
