/* dream_contra: contradictions (memory-format.md "Contradictions"),
 * only between two memories about the same subject, pairwise:
 *   - explicit `supersedes` (not when both name each other);
 *   - two rules with the same pattern (or literal) and different fixes;
 *   - two statements with the same subject key (dream_stmt.h: the same
 *     content words and anchors with the same roles, sentence by
 *     sentence, polarity words left out and values masked by their
 *     class) whose values and polarity differ by one change, the same
 *     a -> b wherever they differ.
 * The newer memory (updated, created, name) retires the one older
 * memory it contradicts, with superseded_by; only an active memory
 * retires, and a group is never resolved as a cluster. Same subject
 * with more than one change: listed as "conflict?", changed in nothing. */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUP_CAP 512 /* memories of one subject compared pairwise: bounded work */

static void retire(struct dream_snap *s, size_t winner, size_t loser, const char *detail,
		   const char *why)
{
	struct buf r = BUF_INIT_CAP(BUF_CAP_LINE); /* the archive reason */
	buf_printf(&r, "contradicted by %s: %s", s->mems.v[winner]->name, detail);
	dream_snap_retire(s, loser, buf_err(&r) ? "contradicted" : r.data, s->mems.v[winner]->name);
	dream_report_action(s->rep, DREAM_OP_SUPERSEDE, s->mems.v[winner]->name,
			    s->mems.v[loser]->name, why);
	s->rep->contradictions++;
	buf_dispose(&r);
}

static bool live(const struct dream_snap *s, size_t i)
{
	return dream_snap_live(s, i);
}

static void explicit_supersedes(struct dream_snap *s, struct dream_map *byname)
{
	for (size_t i = 0; i < s->mems.n; i++) {
		const struct mem *m = s->mems.v[i];
		if (!live(s, i))
			continue;
		for (size_t k = 0; k < m->supersedes.n; k++) {
			const char *nm = m->supersedes.v[k];
			size_t *j = dream_snap_map_get(byname, dream_text_hash(nm, strlen(nm)));
			if (!j || *j == i || strcmp(s->mems.v[*j]->name, nm) || !live(s, *j))
				continue;
			if (strv_has(&s->mems.v[*j]->supersedes, m->name))
				continue; /* each names the other: not certain */
			retire(s, i, *j, "explicit supersedes", "supersedes");
		}
	}
}

static uint64_t rule_subject(const struct mem *m)
{
	const char *p;
	if (!m->rule || !m->rule->fix)
		return 0;
	p = m->rule->pattern ? m->rule->pattern : m->rule->literal;
	if (!p)
		return 0;
	return dream_text_hash(p, strlen(p)) ^ (m->rule->pattern ? 0x11 : 0x22);
}

static bool same_rule_subject(const struct mem *a, const struct mem *b)
{
	const char *pa = a->rule->pattern ? a->rule->pattern : a->rule->literal;
	const char *pb = b->rule->pattern ? b->rule->pattern : b->rule->literal;
	return !strcmp(pa, pb) && !a->rule->pattern == !b->rule->pattern;
}

static int cmp_newest(const void *x, const void *y, void *ctx)
{
	const struct dream_snap *s = ctx;
	const struct mem *a = s->mems.v[*(const size_t *)x], *b = s->mems.v[*(const size_t *)y];
	return dream_snap_newer(a, b) ? -1 : dream_snap_newer(b, a) ? 1 : 0;
}

/* Groups items by key (chains), newest first within a group, and calls
 * fn(s, members, n, ctx) per group of two or more. */
static void by_key(struct dream_snap *s, const uint64_t *keys,
		   void (*fn)(struct dream_snap *, size_t *, size_t, void *), void *ctx)
{
	size_t n = s->mems.n;
	struct dream_map m = {0};
	size_t *next = xmalloc((n + 1) * sizeof(*next)), *grp = xmalloc((n + 1) * sizeof(*grp));

	for (size_t i = 0; i < n; i++) {
		bool isnew;
		size_t *h;
		if (!keys[i])
			continue;
		h = dream_snap_map_put(&m, keys[i], &isnew);
		next[i] = isnew ? SIZE_MAX : *h;
		*h = i;
	}
	for (size_t j = 0; j < m.cap; j++) {
		size_t cnt = 0;
		if (!m.k[j])
			continue;
		for (size_t e = m.v[j]; e != SIZE_MAX; e = next[e])
			grp[cnt++] = e;
		if (cnt < 2)
			continue;
		qsort_r(grp, cnt, sizeof(*grp), cmp_newest, s);
		fn(s, grp, cnt, ctx);
	}
	free(next);
	free(grp);
	dream_snap_map_dispose(&m);
}

static void rule_group(struct dream_snap *s, size_t *g, size_t n, void *ctx)
{
	(void)ctx;
	for (size_t j = 1; j < n; j++) {
		for (size_t i = 0; i < j; i++) {
			const struct mem *w = s->mems.v[g[i]], *l = s->mems.v[g[j]];
			struct buf d = BUF_INIT_CAP(BUF_CAP_LINE);
			if (!live(s, g[i]) || !live(s, g[j]) || !same_rule_subject(w, l) ||
			    !strcmp(w->rule->fix, l->rule->fix))
				continue;
			buf_printf(&d, "same rule, fix \"%s\" instead of \"%s\"", w->rule->fix, l->rule->fix);
			retire(s, g[i], g[j], buf_err(&d) ? "same rule, another fix" : d.data,
			       "contradiction");
			buf_dispose(&d);
			break;
		}
	}
}

static void subject_group(struct dream_snap *s, size_t *g, size_t n, void *ctx)
{
	(void)ctx;
	if (n > GROUP_CAP)
		n = GROUP_CAP; /* the newest ones */
	/* newest first: each active memory retires the older ones it contradicts */
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			const struct dream_stmt *a, *b;
			enum dream_stmt_rel rel;
			if (!live(s, g[i]) || !live(s, g[j]))
				continue;
			a = dream_snap_stmt(s, g[i]);
			b = dream_snap_stmt(s, g[j]);
			if (!a || !b)
				continue;
			rel = dream_stmt_relate(a, b);
			if (rel == DREAM_STMT_CONTRA) {
				struct buf d = BUF_INIT_CAP(BUF_CAP_LINE); /* the archive reason */
				dream_stmt_why(s->mems.v[g[i]], s->mems.v[g[j]], &d);
				retire(s, g[i], g[j], buf_err(&d) ? "another value" : buf_cstr(&d),
				       "contradiction");
				buf_dispose(&d);
			} else if (rel == DREAM_STMT_UNSURE) {
				dream_report_pair(s->rep, s->mems.v[g[i]]->name, s->mems.v[g[j]]->name,
						  "conflict?", 0);
			}
		}
	}
}

int dream_contra(struct dream_snap *s)
{
	size_t n = s->mems.n;
	struct dream_map byname = {0};
	uint64_t *keys = xcalloc(n + 1, sizeof(*keys));
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		bool isnew;
		*dream_snap_map_put(&byname, dream_text_hash(s->mems.v[i]->name, strlen(s->mems.v[i]->name)),
			       &isnew) = i;
	}
	explicit_supersedes(s, &byname);

	for (size_t i = 0; i < n; i++)
		keys[i] = live(s, i) ? rule_subject(s->mems.v[i]) : 0;
	by_key(s, keys, rule_group, NULL);

	for (size_t i = 0; i < n; i++) {
		const struct dream_stmt *st;
		keys[i] = 0;
		if (!live(s, i))
			continue;
		if ((i & 255) == 0 && dream_snap_cancelled(s)) {
			rc = KR_ECANCEL;
			goto out;
		}
		if ((st = dream_snap_stmt(s, i)) && st->subj.h)
			keys[i] = st->subj.h; /* by_key groups; relate checks the rest */
	}
	by_key(s, keys, subject_group, NULL);
out:
	free(keys);
	dream_snap_map_dispose(&byname);
	return rc;
}
