/* search: the index and the ranking (search.h, protocol/search.md).
 * Build: every field of every memory is cut into words (NFKC case-folded
 * text; letters, digits and marks; an apostrophe inside a word joins it;
 * each CJK ideograph a word of its own), each word stemmed, and each
 * (word, memory) pair becomes one posting whose BM25F weight is computed
 * once. A query is the sum of its words' postings, an exact name on top,
 * and the best `limit` kept in a heap: no sort of every match. */
#include "kairos/search.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/store.h"
#include "kairos/text.h"

#include <libstemmer.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* BM25F: per field a weight (a word in the name counts most) and a
 * length normalisation b; k1 is BM25's usual saturation. */
enum { F_NAME, F_DESC, F_BODY, F_COUNT };
static const float field_weight[F_COUNT] = {3.0f, 2.0f, 1.0f};
static const float field_b[F_COUNT] = {0.5f, 0.75f, 0.75f};
#define BM25_K1 1.2f

/* A longer word is cut on a character boundary, alike in memories and
 * queries, so it still matches itself. */
#define TOKEN_MAX 64
/* The words of one query that count; the rest are ignored. */
#define QUERY_TERMS_MAX 64
/* The index's caps: postings (the distinct words of each memory, summed)
 * and distinct words, which also bound the strings they hold. */
#define POSTINGS_MAX ((size_t)1 << 27)
#define TERMS_MAX ((size_t)1 << 24)
#define TERM_BYTES_MAX (TERMS_MAX * 16)
/* NFKC may lengthen a text (a ligature is several letters). */
#define NORM_CAP(n) (4 * (n) + 64)

/* Strings with ids 0, 1, ... and an open-addressing table over them. */
struct strtab {
	struct buf arena; /* the strings, NUL-terminated */
	struct buf offs;  /* uint32_t: id -> offset in arena */
	uint32_t n;
	uint32_t *slot;   /* id + 1; 0: empty */
	size_t nslot;     /* a power of two, at least twice n */
};

struct posting {
	uint32_t doc;
	float w; /* the word's BM25F score in that memory */
};

/* One (word, memory) pair while the index is built. */
struct triple {
	uint32_t term, doc;
	uint16_t tf[F_COUNT];
};

struct search_index {
	const struct mem **docs;
	size_t ndocs;
	struct strtab terms;   /* stems */
	struct strtab surface; /* words as written -> surf_term */
	struct buf surf_term;  /* uint32_t: surface id -> term id */
	uint32_t *start;       /* nterms + 1: the postings of term t */
	struct posting *post;
	float *maxw;           /* the most term t can add to a score */
	uint32_t *by_name;     /* docs by name, for the exact name */
	struct sb_stemmer *stem;
	float *acc;            /* per doc, for a query; all 0 between queries */
	uint32_t *touched;
	struct buf norm;       /* scratch: a normalised text */
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static const char *strtab_get(const struct strtab *t, uint32_t id)
{
	return t->arena.data + ((const uint32_t *)t->offs.data)[id];
}

/* The id of s[0..n), or -1. */
static int64_t strtab_find(const struct strtab *t, const char *s, size_t n)
{
	if (!t->nslot)
		return -1;
	for (size_t i = hash_bytes(s, n) & (t->nslot - 1);; i = (i + 1) & (t->nslot - 1)) {
		uint32_t v = t->slot[i];
		const char *k;
		if (!v)
			return -1;
		k = strtab_get(t, v - 1);
		if (!strncmp(k, s, n) && k[n] == '\0')
			return v - 1;
	}
}

static void strtab_place(struct strtab *t, uint32_t id)
{
	const char *k = strtab_get(t, id);
	size_t i = hash_bytes(k, strlen(k)) & (t->nslot - 1);
	while (t->slot[i])
		i = (i + 1) & (t->nslot - 1);
	t->slot[i] = id + 1;
}

/* Adds s[0..n) (not there yet); *id its new id. */
static int strtab_add(struct strtab *t, const char *s, size_t n, uint32_t *id)
{
	uint32_t off = (uint32_t)t->arena.len;
	int rc;

	if (t->n >= TERMS_MAX)
		return kr_errc(KR_ENOMEM, "the search index holds at most %zu distinct words",
			       TERMS_MAX);
	if ((size_t)(t->n + 1) * 2 > t->nslot) {
		size_t ns = t->nslot ? t->nslot * 2 : 1024;
		uint32_t *slot = calloc(ns, sizeof(*slot));
		if (!slot)
			return kr_errc(KR_ENOMEM, "out of memory for the search index");
		free(t->slot);
		t->slot = slot;
		t->nslot = ns;
		for (uint32_t k = 0; k < t->n; k++)
			strtab_place(t, k);
	}
	buf_append(&t->arena, s, n);
	buf_putc(&t->arena, '\0');
	buf_append(&t->offs, &off, sizeof(off));
	if ((rc = buf_err(&t->arena)) || (rc = buf_err(&t->offs)))
		return rc;
	*id = t->n++;
	strtab_place(t, *id);
	return 0;
}

static void strtab_dispose(struct strtab *t)
{
	buf_dispose(&t->arena);
	buf_dispose(&t->offs);
	free(t->slot);
}

/* ---- words ---- */

typedef int (*token_fn)(struct search_index *ix, const char *tok, size_t n, void *ud);

static bool ideograph(utf8proc_int32_t c)
{
	return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	       (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0x20000 && c <= 0x2FFFF);
}

static bool word_char(utf8proc_int32_t c)
{
	switch (utf8proc_category(c)) {
	case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
	case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
		return true;
	default:
		return false;
	}
}

/* The code point at s[i..n) (*len its bytes; a bad byte is one U+FFFD). */
static utf8proc_int32_t next_cp(const char *s, size_t i, size_t n, size_t *len)
{
	utf8proc_int32_t c;
	utf8proc_ssize_t l;
	if ((unsigned char)s[i] < 0x80) {
		*len = 1;
		return (unsigned char)s[i];
	}
	l = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
	*len = l > 0 ? (size_t)l : 1;
	return l > 0 ? c : 0xFFFD;
}

static bool apostrophe(utf8proc_int32_t c)
{
	return c == '\'' || c == 0x2019;
}

/* Calls fn with each word of s[0..n). */
static int tokens(struct search_index *ix, const char *s, size_t n, token_fn fn, void *ud)
{
	char tok[TOKEN_MAX];
	size_t tl = 0;
	bool ascii = true;
	int rc = 0;

	for (size_t i = 0; i < n && ascii; i++)
		ascii = (unsigned char)s[i] < 0x80;
	if (!ascii) {
		/* NFKC case-folded; a text that cannot be is read as it is */
		buf_init(&ix->norm, NORM_CAP(n));
		if (text_normalize(s, n, &ix->norm) == 0) {
			s = buf_cstr(&ix->norm);
			n = ix->norm.len;
		}
	}
	for (size_t i = 0, len; i < n && !rc; i += len) {
		utf8proc_int32_t c = next_cp(s, i, n, &len);
		if (c < 0x80 && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (tl && apostrophe(c) && i + len < n) {
			size_t l2;
			if (word_char(next_cp(s, i + len, n, &l2)))
				continue; /* don't, it's: one word */
		}
		if (word_char(c) && !ideograph(c)) {
			if (tl + len <= sizeof(tok)) {
				if (c < 0x80) {
					tok[tl++] = (char)c;
				} else {
					memcpy(tok + tl, s + i, len);
					tl += len;
				}
			}
			continue;
		}
		if (tl)
			rc = fn(ix, tok, tl, ud);
		tl = 0;
		if (!rc && ideograph(c) && word_char(c))
			rc = fn(ix, s + i, len, ud);
	}
	if (!rc && tl)
		rc = fn(ix, tok, tl, ud);
	buf_dispose(&ix->norm);
	return rc;
}

/* The stem of a word; *out points into the stemmer, valid until its next call. */
static int stem(struct search_index *ix, const char *w, size_t n, const char **out, size_t *outn)
{
	const sb_symbol *s = sb_stemmer_stem(ix->stem, (const sb_symbol *)w, (int)n);
	if (!s)
		return kr_errc(KR_ENOMEM, "out of memory while stemming");
	*out = (const char *)s;
	*outn = (size_t)sb_stemmer_length(ix->stem);
	if (*outn > TOKEN_MAX)
		*outn = TOKEN_MAX;
	return 0;
}

/* The term of a word as written: -1 when the index has none and add is
 * false; else the term, added when new. */
static int term_of(struct search_index *ix, const char *w, size_t n, bool add, int64_t *term)
{
	int64_t sid = strtab_find(&ix->surface, w, n);
	const char *st = NULL;
	size_t sn = 0;
	uint32_t id, tid;
	int rc;

	if (sid >= 0) {
		*term = ((const uint32_t *)ix->surf_term.data)[sid];
		return 0;
	}
	if ((rc = stem(ix, w, n, &st, &sn)))
		return rc;
	*term = strtab_find(&ix->terms, st, sn);
	if (!add)
		return 0;
	if (*term < 0) {
		if ((rc = strtab_add(&ix->terms, st, sn, &tid)))
			return rc;
		*term = tid;
	}
	tid = (uint32_t)*term;
	if ((rc = strtab_add(&ix->surface, w, n, &id)))
		return rc;
	buf_append(&ix->surf_term, &tid, sizeof(tid));
	return buf_err(&ix->surf_term);
}

/* ---- building ---- */

struct doc_word {
	uint32_t term;
	uint32_t field;
};

struct build {
	struct buf words;   /* struct doc_word: the current memory's */
	struct buf triples; /* struct triple: every memory's */
	uint32_t *len;      /* ndocs * F_COUNT words per field */
	uint32_t field;
	uint32_t doc;
};

static int add_word(struct search_index *ix, const char *w, size_t n, void *ud)
{
	struct build *b = ud;
	int64_t term;
	int rc = term_of(ix, w, n, true, &term);
	struct doc_word dw = {(uint32_t)term, b->field};

	if (rc)
		return rc;
	b->len[b->doc * F_COUNT + b->field]++;
	return buf_append(&b->words, &dw, sizeof(dw));
}

static int by_term(const void *a, const void *b)
{
	const struct doc_word *x = a, *y = b;
	return x->term < y->term ? -1 : x->term > y->term;
}

/* The current memory's words, counted per field, as triples. */
static int flush_doc(struct build *b)
{
	struct doc_word *v = (struct doc_word *)b->words.data;
	size_t n = b->words.len / sizeof(*v);

	qsort(v, n, sizeof(*v), by_term);
	for (size_t i = 0; i < n;) {
		struct triple t = {.term = v[i].term, .doc = b->doc};
		for (; i < n && v[i].term == t.term; i++)
			if (t.tf[v[i].field] < UINT16_MAX)
				t.tf[v[i].field]++;
		buf_append(&b->triples, &t, sizeof(t));
	}
	buf_reset(&b->words);
	return buf_err(&b->triples);
}

static int index_doc(struct search_index *ix, struct build *b, const struct mem *m)
{
	const char *fields[F_COUNT] = {m->name, m->description, m->body};
	int rc = 0;
	for (b->field = 0; b->field < F_COUNT && !rc; b->field++)
		if (fields[b->field])
			rc = tokens(ix, fields[b->field], strlen(fields[b->field]), add_word, b);
	return rc ? rc : flush_doc(b);
}

/* The postings, grouped by term, each with its weight. */
static int make_postings(struct search_index *ix, struct build *b)
{
	const struct triple *t = (const struct triple *)b->triples.data;
	size_t nt = b->triples.len / sizeof(*t), nterms = ix->terms.n;
	double avg[F_COUNT] = {0};
	uint32_t *cur;

	ix->start = calloc(nterms + 1, sizeof(*ix->start));
	ix->post = malloc((nt ? nt : 1) * sizeof(*ix->post));
	ix->maxw = malloc((nterms ? nterms : 1) * sizeof(*ix->maxw));
	cur = malloc((nterms ? nterms : 1) * sizeof(*cur));
	if (!ix->start || !ix->post || !ix->maxw || !cur) {
		free(cur);
		return kr_errc(KR_ENOMEM, "out of memory for the search index");
	}
	for (size_t d = 0; d < ix->ndocs; d++)
		for (int f = 0; f < F_COUNT; f++)
			avg[f] += b->len[d * F_COUNT + f];
	for (int f = 0; f < F_COUNT; f++)
		avg[f] = ix->ndocs ? avg[f] / (double)ix->ndocs : 0;
	for (size_t i = 0; i < nt; i++)
		ix->start[t[i].term + 1]++;
	for (size_t k = 0; k < nterms; k++) {
		uint32_t df = ix->start[k + 1];
		float idf = logf(1.0f + ((float)ix->ndocs - (float)df + 0.5f) / ((float)df + 0.5f));
		ix->maxw[k] = idf * (BM25_K1 + 1.0f);
		ix->start[k + 1] += ix->start[k];
		cur[k] = ix->start[k];
	}
	/* the triples come memory by memory, so each term's postings are in
	 * memory order */
	for (size_t i = 0; i < nt; i++) {
		float tfn = 0, idf = ix->maxw[t[i].term] / (BM25_K1 + 1.0f);
		for (int f = 0; f < F_COUNT; f++) {
			double rel = avg[f] > 0 ? b->len[t[i].doc * F_COUNT + f] / avg[f] : 1.0;
			tfn += field_weight[f] * t[i].tf[f] / (float)(1.0 - field_b[f] + field_b[f] * rel);
		}
		ix->post[cur[t[i].term]++] =
			(struct posting){t[i].doc, idf * tfn * (BM25_K1 + 1.0f) / (BM25_K1 + tfn)};
	}
	free(cur);
	return 0;
}

static int name_order(const void *a, const void *b, void *ud)
{
	const struct search_index *ix = ud;
	const struct mem *x = ix->docs[*(const uint32_t *)a];
	const struct mem *y = ix->docs[*(const uint32_t *)b];
	int c = strcmp(x->name, y->name);
	return c ? c : (int)x->store - (int)y->store;
}

int search_index_build(struct search_index **out, const struct mem_list *mems)
{
	struct search_index *ix = xcalloc(1, sizeof(*ix));
	struct build b = {
		.words = BUF_INIT_CAP(MEM_MAX_FILE * sizeof(struct doc_word)),
		.triples = BUF_INIT_CAP(POSTINGS_MAX * sizeof(struct triple)),
	};
	int rc = 0;

	*out = NULL;
	ix->ndocs = mems->n;
	buf_init(&ix->terms.arena, TERM_BYTES_MAX);
	buf_init(&ix->terms.offs, TERMS_MAX * sizeof(uint32_t));
	buf_init(&ix->surface.arena, TERM_BYTES_MAX);
	buf_init(&ix->surface.offs, TERMS_MAX * sizeof(uint32_t));
	buf_init(&ix->surf_term, TERMS_MAX * sizeof(uint32_t));
	ix->docs = malloc((mems->n ? mems->n : 1) * sizeof(*ix->docs));
	ix->by_name = malloc((mems->n ? mems->n : 1) * sizeof(*ix->by_name));
	ix->acc = calloc(mems->n ? mems->n : 1, sizeof(*ix->acc));
	ix->touched = malloc((mems->n ? mems->n : 1) * sizeof(*ix->touched));
	b.len = calloc((mems->n ? mems->n : 1) * F_COUNT, sizeof(*b.len));
	ix->stem = sb_stemmer_new("english", NULL);
	if (!ix->docs || !ix->by_name || !ix->acc || !ix->touched || !b.len || !ix->stem) {
		rc = kr_errc(KR_ENOMEM, "out of memory for the search index");
		goto out;
	}
	for (size_t i = 0; i < mems->n && !rc; i++) {
		ix->docs[i] = mems->v[i];
		ix->by_name[i] = (uint32_t)i;
		b.doc = (uint32_t)i;
		rc = index_doc(ix, &b, mems->v[i]);
	}
	if (rc || (rc = make_postings(ix, &b)))
		goto out;
	qsort_r(ix->by_name, ix->ndocs, sizeof(*ix->by_name), name_order, ix);
	*out = ix;
	ix = NULL;
out:
	buf_dispose(&b.words);
	buf_dispose(&b.triples);
	free(b.len);
	search_index_free(ix);
	return rc;
}

void search_index_free(struct search_index *ix)
{
	if (!ix)
		return;
	strtab_dispose(&ix->terms);
	strtab_dispose(&ix->surface);
	buf_dispose(&ix->surf_term);
	buf_dispose(&ix->norm);
	free(ix->start);
	free(ix->post);
	free(ix->maxw);
	free(ix->by_name);
	free(ix->docs);
	free(ix->acc);
	free(ix->touched);
	sb_stemmer_delete(ix->stem);
	free(ix);
}

size_t search_index_count(const struct search_index *ix)
{
	return ix ? ix->ndocs : 0;
}

/* ---- queries ---- */

struct query {
	uint32_t term[QUERY_TERMS_MAX];
	size_t n;
};

static int add_query_word(struct search_index *ix, const char *w, size_t n, void *ud)
{
	struct query *q = ud;
	int64_t term;
	int rc = term_of(ix, w, n, false, &term);

	if (rc || term < 0 || q->n == QUERY_TERMS_MAX)
		return rc;
	for (size_t i = 0; i < q->n; i++)
		if (q->term[i] == (uint32_t)term)
			return 0;
	q->term[q->n++] = (uint32_t)term;
	return 0;
}

/* The query as a memory name would spell it ("Indent with spaces" ->
 * "indent-with-spaces"), in out (at least TOKEN_MAX * 2 bytes). */
static void query_slug(const char *q, char *out, size_t cap)
{
	size_t n = 0;
	bool dash = false;
	for (const unsigned char *p = (const unsigned char *)q; *p && n + 2 < cap; p++) {
		unsigned char c = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p - 'A' + 'a') : *p;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
			if (dash && n)
				out[n++] = '-';
			dash = false;
			out[n++] = (char)c;
		} else {
			dash = true;
		}
	}
	out[n] = '\0';
}

/* true when a ranks before b */
static bool better(const struct search_hit *a, const struct search_hit *b)
{
	int c;
	if (a->score != b->score)
		return a->score > b->score;
	if (a->mem->updated_ts != b->mem->updated_ts)
		return a->mem->updated_ts > b->mem->updated_ts;
	if ((c = strcmp(a->mem->name, b->mem->name)))
		return c < 0;
	return a->mem->store < b->mem->store;
}

static int hit_order(const void *a, const void *b)
{
	return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

/* A min-heap of the best hits so far: heap[0] is the worst kept. */
static void heap_offer(struct search_hit *heap, size_t *n, size_t limit, struct search_hit h)
{
	size_t i;
	if (*n < limit) {
		for (i = (*n)++; i && better(&heap[(i - 1) / 2], &h); i = (i - 1) / 2)
			heap[i] = heap[(i - 1) / 2];
		heap[i] = h;
		return;
	}
	if (!better(&h, &heap[0]))
		return;
	for (i = 0;;) {
		size_t c = 2 * i + 1;
		if (c >= *n)
			break;
		if (c + 1 < *n && better(&heap[c], &heap[c + 1]))
			c++;
		if (!better(&h, &heap[c]))
			break;
		heap[i] = heap[c];
		i = c;
	}
	heap[i] = h;
}

static void touch(struct search_index *ix, size_t *nt, uint32_t d, float w)
{
	if (ix->acc[d] == 0.0f)
		ix->touched[(*nt)++] = d;
	ix->acc[d] += w;
}

/* The memories named exactly as the query, each raised above every
 * score words alone can reach. */
static void exact_names(struct search_index *ix, const char *query, float bonus, size_t *nt)
{
	char slug[2 * TOKEN_MAX + 2];
	size_t lo = 0, hi = ix->ndocs;

	query_slug(query, slug, sizeof(slug));
	if (!*slug)
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->docs[ix->by_name[mid]]->name, slug) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->ndocs && !strcmp(ix->docs[ix->by_name[lo]]->name, slug); lo++)
		touch(ix, nt, ix->by_name[lo], bonus);
}

int search_index_query(struct search_index *ix, const char *query, size_t limit,
		       search_keep_fn keep, void *ud, struct search_hit **out, size_t *n)
{
	struct query q = {0};
	struct search_hit *heap;
	size_t nt = 0, nh = 0;
	float bonus = 1.0f;
	int rc;

	*out = NULL;
	*n = 0;
	if (limit < 1)
		limit = 1;
	if (limit > SEARCH_MAX_LIMIT)
		limit = SEARCH_MAX_LIMIT;
	if (!query || !ix->ndocs)
		return 0;
	if ((rc = tokens(ix, query, strlen(query), add_query_word, &q)))
		return rc;
	for (size_t i = 0; i < q.n; i++) {
		uint32_t t = q.term[i];
		bonus += ix->maxw[t];
		for (uint32_t p = ix->start[t]; p < ix->start[t + 1]; p++)
			touch(ix, &nt, ix->post[p].doc, ix->post[p].w);
	}
	exact_names(ix, query, bonus, &nt);
	heap = malloc((limit < nt ? limit : nt ? nt : 1) * sizeof(*heap));
	if (!heap) {
		rc = kr_errc(KR_ENOMEM, "out of memory for search results");
		goto out;
	}
	for (size_t i = 0; i < nt; i++) {
		const struct mem *m = ix->docs[ix->touched[i]];
		if (!keep || keep(m, ud))
			heap_offer(heap, &nh, limit, (struct search_hit){m, ix->acc[ix->touched[i]]});
	}
	qsort(heap, nh, sizeof(*heap), hit_order);
	if (nh) {
		*out = heap;
		*n = nh;
	} else {
		free(heap);
	}
out:
	for (size_t i = 0; i < nt; i++)
		ix->acc[ix->touched[i]] = 0.0f;
	return rc;
}

/* ---- JSON ---- */

void search_score_json(struct jw *w, double score)
{
	char s[48];
	int n = snprintf(s, sizeof(s), "%.4f", score);
	/* 2.5000 -> 2.5, 3.0000 -> 3 */
	while (n > 1 && s[n - 1] == '0')
		s[--n] = '\0';
	if (n > 1 && s[n - 1] == '.')
		s[--n] = '\0';
	jw_key(w, "score");
	jw_raw(w, s, (size_t)n);
}

void search_hit_json(struct jw *w, const struct search_hit *h)
{
	store_index_mem_json(w, h->mem);
	search_score_json(w, h->score);
}
