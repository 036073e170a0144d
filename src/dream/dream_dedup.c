/* dream_dedup: duplicates (memory-format.md "Near-duplicates").
 *
 * Two memories are duplicates when their statements have the same content
 * words (NFKC casefold, punctuation, word order, contractions and the stop
 * words ignored). Found by hashing, never by comparing every pair:
 *   1. exact: the hash of the whole normalised token sequence;
 *   2. same content words: the hash of the sorted set of content words,
 *      verified word for word (not for very short statements: those
 *      merge only through step 1);
 *   3. MinHash (32 hashes, 8 bands of 4 rows) with LSH buckets over what
 *      is left, with an exact Jaccard check on the candidates: pairs that
 *      are alike but not duplicates (one content word apart, ...) are
 *      listed for a model, never merged.
 * Memories whose rules differ are never merged (a rule is behaviour). */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_WORDS 3   /* at most this many content words: exact match only */
#define MH_K 32
#define MH_BANDS 8
#define MH_ROWS 4
#define BUCKET_CAP 16   /* pairs checked per LSH bucket: bounded work */
#define SIMILAR_MIN 0.5

struct feat {
	uint64_t exact;
	uint64_t setkey;
	uint64_t *set;
	size_t nset;
	bool use;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ULL;
	h ^= h >> 27;
	h *= 0x81dadef4bc2dd44dULL;
	h ^= h >> 33;
	return h;
}

/* The identity of m's rule in *key (0: none); KR_ENOMEM when it is too
 * long to hold, so the memory is compared with none. */
static int rule_key(const struct mem *m, uint64_t *key)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_MEMFILE); /* the parts of a memory file */
	int rc;
	*key = 0;
	if (!m->rule)
		return 0;
	buf_printf(&b, "%s\x1f%s\x1f%s\x1f%s\x1f%d", m->rule->pattern ? m->rule->pattern : "\x01",
		   m->rule->literal ? m->rule->literal : "\x01",
		   m->rule->message ? m->rule->message : "\x01", m->rule->fix ? m->rule->fix : "\x01",
		   m->rule->severity);
	if (!(rc = buf_err(&b)))
		*key = dream_text_hash(b.data, b.len);
	buf_dispose(&b);
	return rc;
}

/* "prefer X over Y" and "prefer Y over X" have the same words but say the
 * opposite: each such sentence adds one token for its order. KR_ENOMEM
 * when one is too long to hold. */
static int prefer_order(const struct dream_toks *t, struct feat *f)
{
	size_t pref = SIZE_MAX;
	int rc = 0;

	for (size_t i = 0; i < t->n; i++) {
		const struct dream_tok *k = &t->v[i];
		if (k->kind == DT_END) {
			pref = SIZE_MAX;
		} else if (k->kind == DT_WORD && (!strcmp(k->s, "prefer") || !strcmp(k->s, "prefers"))) {
			pref = i;
		} else if (pref != SIZE_MAX && k->kind == DT_WORD &&
			   (!strcmp(k->s, "over") || !strcmp(k->s, "than"))) {
			struct buf b = BUF_INIT_CAP(BUF_CAP_MEMFILE); /* a sentence */
			for (size_t j = pref; j < t->n && t->v[j].kind != DT_END; j++) {
				buf_puts(&b, t->v[j].s);
				buf_putc(&b, 0x1f);
			}
			if (!(rc = buf_err(&b)))
				f->set[f->nset++] = dream_text_hash(b.data, b.len) ^ 0x0e0e;
			buf_dispose(&b);
			if (rc)
				return rc;
			pref = SIZE_MAX;
		}
	}
	return rc;
}

/* What dedup compares of m; f->use stays false for a memory it cannot
 * take apart (a text too long to hold), which then matches none. */
static void features(const struct mem *m, struct feat *f)
{
	char *st = dream_text_statement(m);
	struct dream_toks t = {0};
	struct buf seq = BUF_INIT_CAP(BUF_CAP_MEMFILE); /* the tokens of a memory */
	uint64_t rk;

	memset(f, 0, sizeof(*f));
	if (!st || rule_key(m, &rk) || dream_text_tokenize(st, strlen(st), &t))
		goto out;
	f->set = xmalloc((2 * t.n + 2) * sizeof(*f->set));
	for (size_t i = 0; i < t.n; i++) {
		struct dream_tok *k = &t.v[i];
		if (k->kind == DT_END)
			continue;
		buf_putc(&seq, (char)('0' + k->kind));
		buf_puts(&seq, k->s);
		buf_putc(&seq, 0x1f);
		if (k->kind == DT_WORD && dream_text_stopword(k->s))
			continue;
		f->set[f->nset++] = dream_text_hash(k->s, strlen(k->s)) ^ (uint64_t)k->kind;
	}
	if (prefer_order(&t, f) || buf_err(&seq))
		goto out;
	if (seq.len) {
		size_t o = 0;
		qsort(f->set, f->nset, sizeof(*f->set), cmp_u64);
		for (size_t i = 0; i < f->nset; i++)
			if (!o || f->set[o - 1] != f->set[i])
				f->set[o++] = f->set[i];
		f->nset = o;
		f->exact = mix(dream_text_hash(seq.data, seq.len) ^ rk);
		f->setkey = mix(dream_text_hash((const char *)f->set, f->nset * sizeof(*f->set)) ^ rk) ^ 0x5e7;
		f->use = true;
	}
out:
	buf_dispose(&seq);
	dream_text_toks_dispose(&t);
	free(st);
}

static size_t uf_find(size_t *p, size_t i)
{
	while (p[i] != i) {
		p[i] = p[p[i]];
		i = p[i];
	}
	return i;
}

static void uf_union(size_t *p, size_t a, size_t b)
{
	a = uf_find(p, a);
	b = uf_find(p, b);
	if (a != b)
		p[a > b ? a : b] = a < b ? a : b;
}

static bool same_set(const struct feat *a, const struct feat *b)
{
	return a->nset == b->nset && !memcmp(a->set, b->set, a->nset * sizeof(*a->set));
}

static double jaccard(const struct feat *a, const struct feat *b)
{
	size_t i = 0, j = 0, both = 0;
	while (i < a->nset && j < b->nset) {
		if (a->set[i] == b->set[j]) {
			both++;
			i++;
			j++;
		} else if (a->set[i] < b->set[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)both / (double)(a->nset + b->nset - both);
}

/* Groups by key (exact or set), verifying the content words. */
static void group_by(struct feat *f, size_t n, size_t *parent, bool sets,
		     const struct dream_snap *s)
{
	struct dream_map m = {0};
	for (size_t i = 0; i < n; i++) {
		bool isnew;
		size_t *v;
		if (!f[i].use || (sets && f[i].nset <= SHORT_WORDS))
			continue;
		v = dream_snap_map_put(&m, sets ? f[i].setkey : f[i].exact, &isnew);
		if (isnew)
			*v = i;
		else if (same_set(&f[*v], &f[i]))
			uf_union(parent, *v, i);
	}
	dream_snap_map_dispose(&m);
	(void)s;
}

/* LSH over the group roots: alike pairs go to the report for a model. */
static void similar_pairs(struct dream_snap *s, struct feat *f, size_t n, size_t *parent)
{
	struct dream_map buckets = {0}, seen = {0};
	size_t *next = NULL, *who = NULL, nent = 0;
	uint64_t sig[MH_K];

	next = xmalloc((n * MH_BANDS + 1) * sizeof(*next));
	who = xmalloc((n * MH_BANDS + 1) * sizeof(*who));
	for (size_t i = 0; i < n; i++) {
		if (!f[i].use || f[i].nset < 2 || uf_find(parent, i) != i)
			continue;
		if ((i & 1023) == 0 && dream_snap_cancelled(s))
			goto out;
		for (int k = 0; k < MH_K; k++)
			sig[k] = UINT64_MAX;
		for (size_t w = 0; w < f[i].nset; w++)
			for (int k = 0; k < MH_K; k++) {
				uint64_t h = mix(f[i].set[w] ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(k + 1)));
				if (h < sig[k])
					sig[k] = h;
			}
		for (int b = 0; b < MH_BANDS; b++) {
			bool isnew;
			uint64_t bk = dream_text_hash((const char *)&sig[b * MH_ROWS], MH_ROWS * sizeof(uint64_t)) +
				      (uint64_t)b;
			size_t *head = dream_snap_map_put(&buckets, bk, &isnew);
			who[nent] = i;
			next[nent] = isnew ? SIZE_MAX : *head;
			*head = nent++;
		}
	}
	for (size_t j = 0; j < buckets.cap && s->rep->npairs < DREAM_MAX_PAIRS; j++) {
		size_t members[BUCKET_CAP], nm = 0;
		if (!buckets.k[j])
			continue;
		for (size_t e = buckets.v[j]; e != SIZE_MAX && nm < BUCKET_CAP; e = next[e])
			members[nm++] = who[e];
		for (size_t a = 0; a < nm; a++)
			for (size_t b = a + 1; b < nm; b++) {
				size_t x = members[a] < members[b] ? members[a] : members[b];
				size_t y = members[a] < members[b] ? members[b] : members[a];
				bool isnew;
				double jc;
				dream_snap_map_put(&seen, mix((uint64_t)x * 0x100000001b3ULL ^ mix(y + 1)), &isnew);
				if (!isnew)
					continue;
				jc = jaccard(&f[x], &f[y]);
				if (jc >= SIMILAR_MIN)
					dream_report_pair(s->rep, s->mems.v[x]->name, s->mems.v[y]->name,
							  "similar", jc);
			}
	}
out:
	free(next);
	free(who);
	dream_snap_map_dispose(&buckets);
	dream_snap_map_dispose(&seen);
}

int dream_dedup(struct dream_snap *s)
{
	size_t n = s->mems.n;
	struct feat *f = xcalloc(n ? n : 1, sizeof(*f));
	size_t *parent = xmalloc((n ? n : 1) * sizeof(*parent));
	size_t *order = NULL;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		parent[i] = i;
		if (s->it[i].state != DS_ACTIVE || s->it[i].stale || s->it[i].is_new)
			continue;
		if ((i & 255) == 0 && dream_snap_cancelled(s)) {
			rc = KR_ECANCEL;
			goto out;
		}
		features(s->mems.v[i], &f[i]);
	}
	group_by(f, n, parent, false, s);
	group_by(f, n, parent, true, s);
	similar_pairs(s, f, n, parent);
	if (dream_snap_cancelled(s)) {
		rc = KR_ECANCEL;
		goto out;
	}

	/* each group: the newest survives, the others (in name order) merge into it */
	{
		size_t *head = xmalloc(n * sizeof(*head) + 1), *nxt = xmalloc(n * sizeof(*nxt) + 1);
		for (size_t i = 0; i < n; i++)
			head[i] = SIZE_MAX;
		for (size_t i = n; i-- > 0;) {
			size_t r = uf_find(parent, i);
			nxt[i] = head[r];
			head[r] = i;
		}
		for (size_t r = 0; r < n; r++) {
			size_t sv = SIZE_MAX, cnt = 0;
			struct dream_action *a;
			if (head[r] == SIZE_MAX || nxt[head[r]] == SIZE_MAX)
				continue;
			for (size_t i = head[r]; i != SIZE_MAX; i = nxt[i]) {
				cnt++;
				if (sv == SIZE_MAX || dream_snap_newer(s->mems.v[i], s->mems.v[sv]))
					sv = i;
			}
			dream_report_action(s->rep, DREAM_OP_MERGE, s->mems.v[sv]->name, NULL,
					    "same content words");
			a = dream_report_last(s->rep);
			for (size_t i = head[r]; i != SIZE_MAX; i = nxt[i]) {
				if (i == sv || dream_snap_merge(s, sv, i))
					continue; /* a merge too big to hold is a problem */
				strv_push(&a->names, s->mems.v[i]->name);
				s->rep->merged++;
			}
			if (!a->names.n)
				dream_report_drop_last(s->rep);
			(void)cnt;
		}
		free(head);
		free(nxt);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(f[i].set);
	free(f);
	free(parent);
	free(order);
	return rc;
}
