/* dream_dedup: near-duplicates (memory-format.md "Near-duplicates",
 * "Merges are pairwise"), and the pairs alike enough for a model.
 *
 * Two memories are duplicates when their duplicate keys (dream_stmt.h:
 * the same content words, values and anchors with the same roles, the
 * same relations, the same rule) are equal; a very short statement
 * (DREAM_STMT_SHORT content tokens or fewer) also needs the same token
 * sequence. Key equality is an equivalence, so a group of equal keys is
 * a group of memories each a duplicate of every other: the newest
 * survives and absorbs each of the others directly, never through a
 * chain; and a survivor that gained the sentences of what it absorbed
 * keeps its key, so a second dream finds nothing more to merge.
 *
 * Similar pairs: MinHash (32 hashes, 8 bands of 4 rows) over the
 * duplicate keys' items, LSH buckets, an exact Jaccard check; only
 * pairs of memories still active after dedup and contra. */
#include "dream_snap.h"
#include "dream_text.h"
#include "kairos/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MH_K 32
#define MH_BANDS 8
#define MH_ROWS 4
#define BUCKET_CAP 16 /* pairs checked per LSH bucket: bounded work */
#define SIMILAR_MIN 0.5
#define MAX_CHECKS ((size_t)1 << 20) /* pairs compared in all: bounded work */

struct entry {
	struct dream_key k1, k2; /* what must be equal */
	size_t i;
	const struct mem *m;
};

static int cmp_key(const struct dream_key *a, const struct dream_key *b)
{
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->check < b->check ? -1 : a->check > b->check;
}

/* Equal keys together, newest first among them. */
static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = x, *b = y;
	int c = cmp_key(&a->k1, &b->k1);
	if (!c)
		c = cmp_key(&a->k2, &b->k2);
	if (c)
		return c;
	return dream_snap_newer(a->m, b->m) ? -1 : dream_snap_newer(b->m, a->m) ? 1 : 0;
}

int dream_dedup(struct dream_snap *s)
{
	size_t n = s->mems.n, ne = 0;
	struct entry *e = xmalloc((n + 1) * sizeof(*e));

	for (size_t i = 0; i < n; i++) {
		const struct dream_stmt *st;
		if (!dream_snap_live(s, i))
			continue;
		if ((i & 255) == 0 && dream_snap_cancelled(s)) {
			free(e);
			return KR_ECANCEL;
		}
		if (!(st = dream_snap_stmt(s, i)))
			continue;
		e[ne].k1 = st->dup;
		/* very short statements: only when equal after normalisation */
		e[ne].k2 = st->ncontent <= DREAM_STMT_SHORT ? st->exact : (struct dream_key){0, 0};
		e[ne].i = i;
		e[ne].m = s->mems.v[i];
		ne++;
	}
	if (ne > 1)
		qsort(e, ne, sizeof(*e), cmp_entry);
	for (size_t a = 0, b; a < ne; a = b) {
		struct dream_action *act;
		for (b = a + 1; b < ne && !cmp_key(&e[a].k1, &e[b].k1) && !cmp_key(&e[a].k2, &e[b].k2); b++)
			;
		if (b - a < 2)
			continue;
		/* e[a] is the newest: every other one of the group is its duplicate */
		dream_report_action(s->rep, DREAM_OP_MERGE, s->mems.v[e[a].i]->name, NULL,
				    "same content words and anchors");
		act = dream_report_last(s->rep);
		for (size_t k = a + 1; k < b; k++) {
			if (dream_snap_merge(s, e[a].i, e[k].i))
				continue; /* a merge too big to hold is a problem */
			strv_push(&act->names, s->mems.v[e[k].i]->name);
			s->rep->merged++;
		}
		if (!act->names.n)
			dream_report_drop_last(s->rep);
	}
	free(e);
	return 0;
}

/* ---- similar pairs ----------------------------------------------------- */


/* Bucket members of one band: memory indexes, chained. */
struct band {
	struct dream_map heads;
	size_t *next, *who, n;
};

static void band_fill(struct dream_snap *s, struct band *bd, int b)
{
	for (size_t i = 0; i < s->mems.n; i++) {
		const struct dream_stmt *st;
		uint64_t sig[MH_ROWS];
		bool isnew;
		size_t *head;
		if (!dream_snap_live(s, i) || !(st = dream_snap_stmt(s, i)) || st->nfeat < 2)
			continue;
		for (int r = 0; r < MH_ROWS; r++) {
			uint64_t seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(b * MH_ROWS + r + 1);
			sig[r] = UINT64_MAX;
			for (size_t w = 0; w < st->nfeat; w++) {
				uint64_t h = dream_text_mix(st->feat[w] ^ seed);
				if (h < sig[r])
					sig[r] = h;
			}
		}
		head = dream_snap_map_put(&bd->heads, dream_text_hash((const char *)sig, sizeof(sig)), &isnew);
		bd->who[bd->n] = i;
		bd->next[bd->n] = isnew ? SIZE_MAX : *head;
		*head = bd->n++;
	}
}

int dream_dedup_similar(struct dream_snap *s)
{
	struct dream_map seen = {0};
	struct band bd = {0};
	size_t checks = 0;
	int rc = 0;

	bd.next = xmalloc((s->mems.n + 1) * sizeof(*bd.next));
	bd.who = xmalloc((s->mems.n + 1) * sizeof(*bd.who));
	for (int b = 0; b < MH_BANDS && s->rep->npairs < DREAM_MAX_PAIRS && checks < MAX_CHECKS; b++) {
		if (dream_snap_cancelled(s)) {
			rc = KR_ECANCEL;
			break;
		}
		bd.n = 0;
		dream_snap_map_dispose(&bd.heads);
		band_fill(s, &bd, b);
		for (size_t j = 0; j < bd.heads.cap && s->rep->npairs < DREAM_MAX_PAIRS; j++) {
			size_t members[BUCKET_CAP], nm = 0;
			if (!bd.heads.k[j])
				continue;
			for (size_t e = bd.heads.v[j]; e != SIZE_MAX && nm < BUCKET_CAP; e = bd.next[e])
				members[nm++] = bd.who[e];
			for (size_t x = 0; x < nm; x++)
				for (size_t y = x + 1; y < nm; y++) {
					size_t p = members[x] < members[y] ? members[x] : members[y];
					size_t q = members[x] < members[y] ? members[y] : members[x];
					bool isnew;
					double jc = dream_stmt_jaccard(s->it[p].stmt, s->it[q].stmt);
					checks++;
					if (jc < SIMILAR_MIN)
						continue;
					dream_snap_map_put(&seen, dream_text_mix((uint64_t)p * 0x100000001b3ULL ^ dream_text_mix(q + 1)),
							   &isnew);
					if (isnew)
						dream_report_pair(s->rep, s->mems.v[p]->name, s->mems.v[q]->name,
								  "similar", jc);
				}
		}
	}
	free(bd.next);
	free(bd.who);
	dream_snap_map_dispose(&bd.heads);
	dream_snap_map_dispose(&seen);
	return rc;
}
