/* dream_contra: contradictions (memory-format.md "Contradictions"). Only
 * on the same subject, found by hashing:
 *   - explicit `supersedes` (not when both name each other);
 *   - two rules with the same pattern (or literal) and different fixes;
 *   - the same statement with opposite polarity or with one value of one
 *     value class changed. Each statement gets a "subject key": its
 *     content words per sentence with the polarity words (not, never,
 *     always, use, avoid, enable, disable) left out and every value
 *     (numbers, code or quoted spans, tabs/spaces, single/double quotes,
 *     naming styles, true/false, on/off) masked by its class, and
 *     "prefer X over Y" written in one order. Memories with the same key
 *     are compared slot by slot (one polarity slot per sentence, one slot
 *     per value): a contradiction is a single substitution (the same
 *     a -> b wherever they differ).
 * The newer memory (updated, created, name) wins; the loser is retired
 * with superseded_by. Anything less certain is listed, not changed. */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKET_CAP 64

struct subj {
	uint64_t key;
	size_t anchors; /* plain content words, and tabs/spaces, quote or naming values */
	char **slot;  /* "class:value" */
	size_t nslot;
	bool use;
};

static const char *const neg_words[] = {"not", "never", "avoid", "avoids", "avoiding",
					"disable", "disabled", "disables", "disabling"};
static const char *const pos_words[] = {"always", "use", "uses", "using", "used",
					"enable", "enabled", "enables", "enabling"};

static bool in_list(const char *w, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w, l[i]))
			return true;
	return false;
}

/* The value class of token i, or NULL. */
static const char *value_class(const struct dream_toks *t, size_t i)
{
	const struct dream_tok *k = &t->v[i];
	const char *w = k->s;
	static const char *const naming[] = {"snake_case", "camel_case", "pascal_case",
					     "kebab_case", "screaming_snake_case", "upper_snake_case"};
	if (k->kind == DT_NUM)
		return "num";
	if (k->kind == DT_CODE || k->kind == DT_QUOTE)
		return "code";
	if (k->kind != DT_WORD)
		return NULL;
	if (!strcmp(w, "tab") || !strcmp(w, "tabs") || !strcmp(w, "space") || !strcmp(w, "spaces"))
		return "ws";
	if ((!strcmp(w, "single") || !strcmp(w, "double")) && i + 1 < t->n &&
	    t->v[i + 1].kind == DT_WORD && DREAM_PREFIX(t->v[i + 1].s, "quot"))
		return "quote";
	if (in_list(w, naming, ARRAY_LEN(naming)))
		return "naming";
	if (!strcmp(w, "true") || !strcmp(w, "false"))
		return "bool";
	if (!strcmp(w, "on") || !strcmp(w, "off"))
		return "onoff";
	return NULL;
}

static void slot_push(struct subj *sj, const char *cls, const char *val)
{
	size_t n = strlen(cls) + strlen(val) + 2;
	sj->slot = xrealloc(sj->slot, (sj->nslot + 1) * sizeof(*sj->slot));
	sj->slot[sj->nslot] = xmalloc(n);
	snprintf(sj->slot[sj->nslot], n, "%s:%s", cls, val);
	sj->nslot++;
}

/* Canonical value of a whitespace word (tabs -> tab). */
static const char *canon_value(const char *cls, const char *w)
{
	if (!strcmp(cls, "ws"))
		return w[0] == 't' ? "tab" : "space";
	return w;
}

/* Appends one sentence [a, b) of t to the key and slots. */
static void sentence(const struct dream_toks *t, size_t a, size_t b, struct buf *key,
		     struct subj *sj)
{
	int sign = 1;
	size_t nvalues = 0;
	size_t pref = SIZE_MAX, over = SIZE_MAX;

	for (size_t i = a; i < b; i++) {
		const char *w = t->v[i].s;
		if (t->v[i].kind != DT_WORD)
			continue;
		if (pref == SIZE_MAX && (!strcmp(w, "prefer") || !strcmp(w, "prefers")))
			pref = i;
		else if (pref != SIZE_MAX && over == SIZE_MAX &&
			 (!strcmp(w, "over") || !strcmp(w, "than") || !strcmp(w, "to")))
			over = i;
	}
	if (pref != SIZE_MAX && (over == SIZE_MAX || over == pref + 1 || over + 1 >= b))
		pref = SIZE_MAX;
	/* with two values or more, a code span names the subject ("set `x` to
	 * true"), it is not the value in question */
	for (size_t i = a; i < b; i++)
		nvalues += value_class(t, i) != NULL;

	for (size_t i = a; i < b; i++) {
		const struct dream_tok *k = &t->v[i];
		const char *cls;
		if (pref != SIZE_MAX && i == pref) {
			/* prefer X over Y: the key holds both in one order, a slot the order */
			struct buf x = BUF_INIT_CAP(BUF_CAP_MEMFILE), y = BUF_INIT_CAP(BUF_CAP_MEMFILE);
			int c;
			for (size_t j = pref + 1; j < over; j++) {
				buf_puts(&x, t->v[j].s);
				buf_putc(&x, ' ');
			}
			size_t yend = over + 1 + (over - pref - 1);
			if (yend > b)
				yend = b;
			/* Y: as many words as X; what follows is the rest of the sentence */
			for (size_t j = over + 1; j < yend; j++) {
				buf_puts(&y, t->v[j].s);
				buf_putc(&y, ' ');
			}
			/* a side too long to hold fails the key: no subject */
			if (buf_err(&x) || buf_err(&y))
				buf_fail(key, KR_ENOMEM);
			c = strcmp(buf_cstr(&x), buf_cstr(&y));
			buf_printf(key, "prefer{%s|%s}", c <= 0 ? buf_cstr(&x) : buf_cstr(&y),
				   c <= 0 ? buf_cstr(&y) : buf_cstr(&x));
			slot_push(sj, "order", c <= 0 ? "xy" : "yx");
			sj->anchors++;
			buf_dispose(&x);
			buf_dispose(&y);
			i = yend - 1;
			continue;
		}
		if (k->kind == DT_WORD && dream_text_stopword(k->s))
			continue;
		if (k->kind == DT_WORD && in_list(k->s, neg_words, ARRAY_LEN(neg_words))) {
			sign = -sign;
			continue;
		}
		if (k->kind == DT_WORD && in_list(k->s, pos_words, ARRAY_LEN(pos_words)))
			continue;
		cls = value_class(t, i);
		if (cls && !strcmp(cls, "code") && nvalues >= 2)
			cls = NULL;
		if (cls) {
			if (!strcmp(cls, "ws") || !strcmp(cls, "quote") || !strcmp(cls, "naming"))
				sj->anchors++;
			buf_printf(key, "<%s> ", cls);
			slot_push(sj, cls, canon_value(cls, k->s));
			continue;
		}
		buf_puts(key, k->s);
		buf_putc(key, ' ');
		sj->anchors++;
	}
	buf_puts(key, "| ");
	slot_push(sj, "polarity", sign > 0 ? "+" : "-");
}

/* What m says about what, in sj; sj->use stays false for a memory with
 * no subject, or one too long to take apart. */
static void subject(const struct mem *m, struct subj *sj)
{
	char *st = dream_text_statement(m);
	struct dream_toks t = {0};
	struct buf key = BUF_INIT_CAP(BUF_CAP_MEMFILE); /* from the text of a memory */
	uint64_t *seen = NULL;
	size_t nseen = 0, a = 0;

	memset(sj, 0, sizeof(*sj));
	if (!st || dream_text_tokenize(st, strlen(st), &t))
		buf_fail(&key, KR_ENOMEM);
	seen = xmalloc((t.n + 1) * sizeof(*seen));
	for (size_t i = 0; i <= t.n && !buf_err(&key); i++) {
		struct buf one = BUF_INIT_CAP(BUF_CAP_MEMFILE); /* one sentence */
		uint64_t h;
		bool dup = false, any = false;
		if (i < t.n && t.v[i].kind != DT_END)
			continue;
		/* a repeated sentence (the description again in the body) counts once */
		for (size_t j = a; j < i; j++) {
			buf_puts(&one, t.v[j].s);
			buf_putc(&one, 0x1f);
			if (!(t.v[j].kind == DT_WORD && dream_text_stopword(t.v[j].s)))
				any = true;
		}
		if (buf_err(&one)) {
			buf_fail(&key, KR_ENOMEM);
			buf_dispose(&one);
			break;
		}
		h = dream_text_hash(buf_cstr(&one), one.len);
		for (size_t j = 0; j < nseen; j++)
			dup |= seen[j] == h;
		if (any && !dup) {
			seen[nseen++] = h;
			sentence(&t, a, i, &key, sj);
		}
		buf_dispose(&one);
		a = i + 1;
	}
	/* a statement of values alone ("use `x`") has no subject to compare */
	if (!buf_err(&key) && key.len && sj->anchors) {
		sj->key = dream_text_hash(key.data, key.len);
		sj->use = true;
	}
	free(seen);
	buf_dispose(&key);
	dream_text_toks_dispose(&t);
	free(st);
}

static void subj_dispose(struct subj *sj)
{
	for (size_t i = 0; i < sj->nslot; i++)
		free(sj->slot[i]);
	free(sj->slot);
}

/* 1: one substitution a -> b (a contradiction); 0: equal; -1: otherwise. */
static int compare(const struct subj *x, const struct subj *y, const char **from, const char **to)
{
	const char *a = NULL, *b = NULL;
	if (x->nslot != y->nslot)
		return -1;
	for (size_t i = 0; i < x->nslot; i++) {
		if (!strcmp(x->slot[i], y->slot[i]))
			continue;
		if (!a) {
			const char *cx = strchr(x->slot[i], ':'), *cy = strchr(y->slot[i], ':');
			if (cx - x->slot[i] != cy - y->slot[i] ||
			    strncmp(x->slot[i], y->slot[i], (size_t)(cx - x->slot[i])))
				return -1;
			a = x->slot[i];
			b = y->slot[i];
		} else if (strcmp(a, x->slot[i]) || strcmp(b, y->slot[i])) {
			return -1;
		}
	}
	*from = a;
	*to = b;
	return a ? 1 : 0;
}

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
	return s->it[i].state == DS_ACTIVE && !s->it[i].stale && !s->it[i].is_new;
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
		/* newest first (insertion sort: groups are small) */
		for (size_t a = 1; a < cnt; a++)
			for (size_t b = a; b > 0 && dream_snap_newer(s->mems.v[grp[b]], s->mems.v[grp[b - 1]]); b--) {
				size_t tmp = grp[b];
				grp[b] = grp[b - 1];
				grp[b - 1] = tmp;
			}
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
	struct subj *sj = ctx;
	if (n > BUCKET_CAP)
		n = BUCKET_CAP; /* bounded work: the newest ones */
	for (size_t j = 1; j < n; j++) {
		for (size_t i = 0; i < j; i++) {
			const char *from = NULL, *to = NULL;
			int c;
			if (!live(s, g[i]) || !live(s, g[j]))
				continue;
			c = compare(&sj[g[i]], &sj[g[j]], &from, &to);
			if (c == 1) {
				struct buf d = BUF_INIT_CAP(BUF_CAP_LINE);
				if (DREAM_PREFIX(from, "polarity:") || DREAM_PREFIX(from, "order:"))
					buf_printf(&d, "opposite %s",
						   DREAM_PREFIX(from, "order:") ? "preference" : "polarity");
				else
					buf_printf(&d, "%s instead of %s", strchr(from, ':') + 1, strchr(to, ':') + 1);
				retire(s, g[i], g[j], buf_err(&d) ? "another value" : d.data, "contradiction");
				buf_dispose(&d);
				break;
			}
			if (c == -1)
				dream_report_pair(s->rep, s->mems.v[g[i]]->name, s->mems.v[g[j]]->name,
						  "conflict?", 0);
		}
	}
}

int dream_contra(struct dream_snap *s)
{
	size_t n = s->mems.n;
	struct dream_map byname = {0};
	uint64_t *keys = xcalloc(n + 1, sizeof(*keys));
	struct subj *sj = xcalloc(n + 1, sizeof(*sj));
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
		keys[i] = 0;
		if (!live(s, i))
			continue;
		if ((i & 255) == 0 && dream_snap_cancelled(s)) {
			rc = KR_ECANCEL;
			goto out;
		}
		subject(s->mems.v[i], &sj[i]);
		if (sj[i].use)
			keys[i] = sj[i].key;
	}
	by_key(s, keys, subject_group, sj);
out:
	for (size_t i = 0; i < n; i++)
		subj_dispose(&sj[i]);
	free(sj);
	free(keys);
	dream_snap_map_dispose(&byname);
	return rc;
}
