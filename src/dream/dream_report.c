/* dream_report: what a dream did: the actions and undecided pairs the
 * phases record, the JSON object of protocol/dream.md, the one-line
 * summary and the commit message. */
#include "dream_snap.h"
#include "kairos/err.h"
#include "kairos/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dream_report_action(struct dream_report *r, enum dream_op op, const char *name,
			 const char *other, const char *why)
{
	struct dream_action *a;
	if (r->nactions == r->capactions) {
		r->capactions = r->capactions ? r->capactions * 2 : 16;
		r->actions = xrealloc(r->actions, r->capactions * sizeof(*r->actions));
	}
	a = &r->actions[r->nactions++];
	memset(a, 0, sizeof(*a));
	a->op = op;
	a->name = name ? xstrdup(name) : NULL;
	a->other = other ? xstrdup(other) : NULL;
	a->why = why ? xstrdup(why) : NULL;
}

struct dream_action *dream_report_last(struct dream_report *r)
{
	return r->nactions ? &r->actions[r->nactions - 1] : NULL;
}

void dream_report_drop_last(struct dream_report *r)
{
	struct dream_action *a = dream_report_last(r);
	if (!a)
		return;
	free(a->name);
	free(a->other);
	free(a->why);
	strv_dispose(&a->names);
	r->nactions--;
}

void dream_report_problem(struct dream_report *r, const struct mem *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_problem_add(&r->problems, &r->nproblems, m->path ? m->path : m->name, msg);
}

void dream_report_pair(struct dream_report *r, const char *a, const char *b, const char *kind,
		       double score)
{
	struct dream_pair *p;
	if (r->npairs >= DREAM_MAX_PAIRS)
		return;
	if (r->npairs == r->cappairs) {
		r->cappairs = r->cappairs ? r->cappairs * 2 : 16;
		r->pairs = xrealloc(r->pairs, r->cappairs * sizeof(*r->pairs));
	}
	p = &r->pairs[r->npairs++];
	p->a = xstrdup(a);
	p->b = xstrdup(b);
	p->kind = xstrdup(kind);
	p->score = score;
}

void dream_report_dispose(struct dream_report *r)
{
	for (size_t i = 0; i < r->nactions; i++) {
		free(r->actions[i].name);
		free(r->actions[i].other);
		free(r->actions[i].why);
		strv_dispose(&r->actions[i].names);
	}
	free(r->actions);
	for (size_t i = 0; i < r->npairs; i++) {
		free(r->pairs[i].a);
		free(r->pairs[i].b);
		free(r->pairs[i].kind);
	}
	free(r->pairs);
	for (size_t i = 0; i < r->nproblems; i++) {
		free(r->problems[i].path);
		free(r->problems[i].msg);
	}
	free(r->problems);
	strv_dispose(&r->consumed);
	free(r->skipped);
	memset(r, 0, sizeof(*r));
}

static const char *op_name(enum dream_op op)
{
	switch (op) {
	case DREAM_OP_MERGE: return "merge";
	case DREAM_OP_SUPERSEDE: return "supersede";
	case DREAM_OP_PRUNE: return "prune";
	case DREAM_OP_DATE: return "date";
	case DREAM_OP_PROMOTE: return "promote";
	case DREAM_OP_REFS: return "refs";
	case DREAM_OP_KEEP: return "keep";
	}
	return "?";
}

static void jw_strv(struct jw *w, const char *key, const struct strv *v)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < v->n; i++)
		jw_str(w, v->v[i]);
	jw_end(w);
}

int dream_report_json(const struct dream_report *r, struct buf *out)
{
	struct jw w;

	jw_init(&w, out);
	jw_obj(&w);
	jw_kbool(&w, "changed", r->changed);
	jw_kint(&w, "merged", r->merged);
	jw_kint(&w, "contradictions", r->contradictions);
	jw_kint(&w, "pruned", r->pruned);
	jw_kint(&w, "datesFixed", r->dates_fixed);
	jw_kint(&w, "promoted", r->promoted);
	jw_kint(&w, "kept", r->kept);
	jw_kint(&w, "archived", r->archived);
	jw_kint(&w, "durationMs", r->duration_ms);
	jw_key(&w, "commit");
	if (r->commit[0])
		jw_str(&w, r->commit);
	else
		jw_null(&w);
	jw_kbool(&w, "ran", r->ran);
	if (r->skipped)
		jw_kstr(&w, "skipped", r->skipped);
	jw_key(&w, "actions");
	jw_arr(&w);
	for (size_t i = 0; i < r->nactions; i++) {
		const struct dream_action *a = &r->actions[i];
		jw_obj(&w);
		jw_kstr(&w, "op", op_name(a->op));
		switch (a->op) {
		case DREAM_OP_MERGE:
			jw_kstr(&w, "into", a->name);
			jw_strv(&w, "from", &a->names);
			jw_kstr(&w, "why", a->why);
			break;
		case DREAM_OP_SUPERSEDE:
			jw_kstr(&w, "winner", a->name);
			jw_kstr(&w, "loser", a->other);
			jw_kstr(&w, "why", a->why);
			break;
		case DREAM_OP_REFS:
			jw_kstr(&w, "name", a->name);
			jw_kstr(&w, "from", a->other);
			jw_kstr(&w, "to", a->why);
			break;
		case DREAM_OP_PROMOTE:
			jw_kstr(&w, "name", a->name);
			jw_kstr(&w, "why", a->why);
			jw_key(&w, "journalLines");
			jw_arr(&w);
			for (size_t k = 0; k < a->names.n; k++)
				jw_int(&w, atoll(a->names.v[k]));
			jw_end(&w);
			break;
		case DREAM_OP_KEEP:
			jw_strv(&w, "names", &a->names);
			jw_kstr(&w, "why", a->why);
			break;
		default:
			jw_kstr(&w, "name", a->name);
			jw_kstr(&w, "why", a->why);
			break;
		}
		jw_end(&w);
	}
	jw_end(&w);
	jw_key(&w, "similar");
	jw_arr(&w);
	for (size_t i = 0; i < r->npairs; i++) {
		jw_obj(&w);
		jw_kstr(&w, "a", r->pairs[i].a);
		jw_kstr(&w, "b", r->pairs[i].b);
		jw_kstr(&w, "kind", r->pairs[i].kind);
		jw_key(&w, "score");
		jw_double(&w, (double)(int)(r->pairs[i].score * 1000 + 0.5) / 1000.0);
		jw_end(&w);
	}
	jw_end(&w);
	jw_key(&w, "invalid");
	jw_arr(&w);
	for (size_t i = 0; i < r->nproblems; i++) {
		jw_obj(&w);
		jw_kstr(&w, "path", r->problems[i].path);
		jw_kstr(&w, "message", r->problems[i].msg);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	return buf_err(out); /* the writer's errors fail out too */
}

static void summary_counts(const struct dream_report *r, struct buf *b)
{
	bool any = false;
#define PART(cond, ...)                          \
	do {                                     \
		if (cond) {                      \
			if (any)                 \
				buf_puts(b, ", "); \
			buf_printf(b, __VA_ARGS__); \
			any = true;              \
		}                                \
	} while (0)
	PART(r->merged, "merged %d", r->merged);
	PART(r->contradictions, "resolved %d contradiction%s", r->contradictions,
	     r->contradictions == 1 ? "" : "s");
	PART(r->pruned, "retired %d stale memor%s", r->pruned, r->pruned == 1 ? "y" : "ies");
	PART(r->dates_fixed, "fixed %d date%s", r->dates_fixed, r->dates_fixed == 1 ? "" : "s");
	PART(r->promoted, "promoted %d observation%s", r->promoted, r->promoted == 1 ? "" : "s");
	if (!any) {
		int refs = 0;
		for (size_t i = 0; i < r->nactions; i++)
			refs += r->actions[i].op == DREAM_OP_REFS;
		if (refs)
			PART(1, "followed %d rename%s", refs, refs == 1 ? "" : "s");
		else if (r->consumed.n)
			PART(1, "consumed %zu journal line%s", r->consumed.n, r->consumed.n == 1 ? "" : "s");
	}
#undef PART
	if (!any)
		buf_puts(b, "nothing to change");
}

int dream_report_summary(const struct dream_report *r, struct buf *out)
{
	summary_counts(r, out);
	return buf_err(out);
}

/* The consumed journal lines are listed until the message is this long. */
#define COMMIT_CONSUMED_UNTIL 60000

int dream_report_commit_message(const struct dream_report *r, struct buf *b)
{
	buf_puts(b, "dream: ");
	summary_counts(r, b);
	buf_puts(b, "\n\n");
	for (size_t i = 0; i < r->nactions; i++) {
		const struct dream_action *a = &r->actions[i];
		switch (a->op) {
		case DREAM_OP_MERGE:
			buf_printf(b, "- merge into %s:", a->name);
			for (size_t k = 0; k < a->names.n; k++)
				buf_printf(b, " %s", a->names.v[k]);
			buf_putc(b, '\n');
			break;
		case DREAM_OP_SUPERSEDE:
			buf_printf(b, "- %s supersedes %s (%s)\n", a->name, a->other, a->why);
			break;
		case DREAM_OP_PRUNE:
			buf_printf(b, "- retire %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_DATE:
			buf_printf(b, "- dates in %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_PROMOTE:
			buf_printf(b, "- new %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_REFS:
			buf_printf(b, "- refs of %s: %s -> %s\n", a->name, a->other, a->why);
			break;
		case DREAM_OP_KEEP:
			buf_printf(b, "- keep: %s\n", a->why ? a->why : "");
			break;
		}
	}
	if (r->consumed.n) {
		buf_puts(b, "\nconsumed journal lines:\n");
		for (size_t i = 0; i < r->consumed.n && b->len < COMMIT_CONSUMED_UNTIL; i++) {
			buf_puts(b, r->consumed.v[i]);
			buf_putc(b, '\n');
		}
	}
	return buf_err(b);
}
