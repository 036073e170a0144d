/* dream_ops: operations proposed from outside the dream (a model's
 * merges, supersedes and keeps): parsed from the reply of
 * protocol/dream.md, then applied to the snapshot under the
 * deterministic dream's rules. */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"
#include "kairos/json.h"

#include <stdlib.h>
#include <string.h>

static size_t find_active(const struct dream_snap *s, const char *name)
{
	for (size_t i = 0; name && i < s->mems.n; i++)
		if (s->it[i].state == DS_ACTIVE && !strcmp(s->mems.v[i]->name, name))
			return i;
	return SIZE_MAX;
}

/* Applies operations proposed from outside (a model) to the snapshot,
 * under the deterministic dream's rules: names that are not active are
 * dropped, the survivor is the newest, a supersede needs the newer as
 * winner. */
void dream_ops_apply(struct dream_snap *sp, struct dream_report *out, const struct dream_opin *ops,
		     size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct dream_opin *op = &ops[k];
		if (op->op == DREAM_OP_MERGE) {
			size_t idx[64], ni = 0, sv;
			size_t i = find_active(sp, op->into);
			struct dream_action *a;
			if (i != SIZE_MAX)
				idx[ni++] = i;
			for (size_t f = 0; f < op->from.n && ni < 64; f++)
				if ((i = find_active(sp, op->from.v[f])) != SIZE_MAX) {
					bool dup = false;
					for (size_t q = 0; q < ni; q++)
						dup |= idx[q] == i;
					if (!dup)
						idx[ni++] = i;
				}
			if (ni < 2)
				continue; /* names that do not exist: dropped */
			sv = idx[0];
			for (size_t q = 1; q < ni; q++)
				if (dream_snap_newer(sp->mems.v[idx[q]], sp->mems.v[sv]))
					sv = idx[q];
			dream_report_action(out, DREAM_OP_MERGE, sp->mems.v[sv]->name, NULL,
					    op->reason ? op->reason : "proposed");
			a = dream_report_last(out);
			for (size_t q = 0; q < ni; q++) {
				if (idx[q] == sv || dream_snap_merge(sp, sv, idx[q]))
					continue; /* a merge too big to hold is a problem */
				strv_push(&a->names, sp->mems.v[idx[q]]->name);
				out->merged++;
			}
			if (!a->names.n)
				dream_report_drop_last(out);
		} else if (op->op == DREAM_OP_SUPERSEDE) {
			size_t w = find_active(sp, op->winner), l = find_active(sp, op->loser);
			struct buf r = BUF_INIT_CAP(BUF_CAP_LINE); /* the archive reason */
			if (w == SIZE_MAX || l == SIZE_MAX || w == l ||
			    !dream_snap_newer(sp->mems.v[w], sp->mems.v[l]))
				continue;
			buf_printf(&r, "contradicted by %s: %s", sp->mems.v[w]->name,
				   op->reason ? op->reason : "proposed");
			dream_snap_retire(sp, l, buf_err(&r) ? "contradicted" : r.data, sp->mems.v[w]->name);
			dream_report_action(out, DREAM_OP_SUPERSEDE, sp->mems.v[w]->name, sp->mems.v[l]->name,
					    "contradiction");
			out->contradictions++;
			buf_dispose(&r);
		} else if (op->op == DREAM_OP_KEEP) {
			dream_report_action(out, DREAM_OP_KEEP, NULL, NULL,
					    op->reason ? op->reason : "keep");
			for (size_t f = 0; f < op->from.n; f++)
				strv_push(&dream_report_last(out)->names, op->from.v[f]);
		}
	}
}

/* ---- parsing a model's reply ------------------------------------------ */

static void opin_strv(const struct json *j, int obj, const char *key, struct strv *v)
{
	int a = json_get(j, obj, key);
	if (json_type(j, a) != JSON_ARRAY)
		return;
	for (int e = json_first(j, a); e >= 0; e = json_next(j, a, e)) {
		char *s = json_strdup(j, e);
		if (s && mem_name_valid(s))
			strv_push(v, s);
		free(s);
	}
}

int dream_ops_parse(struct dream_opin **out, size_t *n, const char *text, size_t len)
{
	struct json j = {0};
	const char *p = text, *e = text + len;
	int rc, arr;

	*out = NULL;
	*n = 0;
	/* optionally inside one fenced code block */
	{
		const char *f = memmem(text, len, DREAM_FENCE, STRLEN_LIT(DREAM_FENCE));
		if (f) {
			const char *nl = memchr(f, '\n', (size_t)(e - f));
			const char *end =
				nl ? memmem(nl, (size_t)(e - nl), DREAM_FENCE, STRLEN_LIT(DREAM_FENCE)) : NULL;
			if (nl && end) {
				p = nl + 1;
				e = end;
			}
		}
	}
	rc = json_parse(&j, p, (size_t)(e - p));
	if (rc)
		goto out;
	arr = json_get(&j, 0, "operations");
	if (json_type(&j, arr) != JSON_ARRAY) {
		rc = kr_errc(KR_EINVAL, "no \"operations\" array");
		goto out;
	}
	for (int el = json_first(&j, arr); el >= 0; el = json_next(&j, arr, el)) {
		struct dream_opin op;
		char *kind = json_get_str(&j, el, "op");
		memset(&op, 0, sizeof(op));
		if (kind && !strcmp(kind, "merge")) {
			op.op = DREAM_OP_MERGE;
			op.into = json_get_str(&j, el, "into");
			opin_strv(&j, el, "from", &op.from);
			if (!op.into || !op.from.n)
				goto skip;
		} else if (kind && !strcmp(kind, "supersede")) {
			op.op = DREAM_OP_SUPERSEDE;
			op.winner = json_get_str(&j, el, "winner");
			op.loser = json_get_str(&j, el, "loser");
			if (!op.winner || !op.loser)
				goto skip;
		} else if (kind && !strcmp(kind, "keep")) {
			op.op = DREAM_OP_KEEP;
			opin_strv(&j, el, "names", &op.from);
		} else {
			goto skip;
		}
		op.reason = json_get_str(&j, el, "reason");
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = op;
		free(kind);
		continue;
skip:
		free(kind);
		free(op.into);
		free(op.winner);
		free(op.loser);
		strv_dispose(&op.from);
	}
out:
	json_dispose(&j);
	return rc;
}

void dream_ops_free(struct dream_opin *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ops[i].into);
		free(ops[i].winner);
		free(ops[i].loser);
		free(ops[i].reason);
		strv_dispose(&ops[i].from);
	}
	free(ops);
}
