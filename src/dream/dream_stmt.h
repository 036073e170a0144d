/* dream_stmt: what a dream compares of one memory (src/dream only, and
 * unit tests): its statement taken apart into content words, anchors
 * with their roles, values with their classes, and the relations that
 * keep a mirror image apart (memory-format.md "What a dream may change,
 * precisely"; protocol/dream.md says the rules one by one). Duplicates
 * and contradictions are decided on the keys below; every key is two
 * independent 64-bit hashes of the same sorted strings, so a collision
 * never merges or retires anything. */
#ifndef KAIROS_DREAM_STMT_H
#define KAIROS_DREAM_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kairos/buf.h"
#include "kairos/mem.h"

/* A statement with at most this many distinct content tokens is "very
 * short": it merges only when equal after normalisation. */
#define DREAM_STMT_SHORT 3

struct dream_key {
	uint64_t h, check;
};

/* One value of a subject: which (the sentence and the value's class and
 * role) and what it is. */
struct dream_slot {
	uint64_t key;
	uint64_t val;
	bool spaces; /* the indentation "spaces" with no width */
	bool width;  /* an indentation of N spaces */
};

struct dream_stmt {
	bool use;            /* false: the statement could not be taken apart (too long) */
	struct dream_key exact;  /* the whole token sequence (and the rule) */
	struct dream_key dup;    /* content words, anchors with roles, values, relations, rule */
	struct dream_key subj;   /* the subject; h == 0: none (nothing to contradict) */
	uint32_t ncontent;   /* distinct content tokens */
	uint32_t nslot, nfeat;
	struct dream_slot *slot; /* sorted by key */
	uint32_t *feat;      /* the duplicate key's items, hashed, sorted: for "similar" */
};

/* Takes m's statement apart into *out (dispose it). 0, or KR_ENOMEM
 * when a line is too long to normalise (then out->use is false and the
 * memory matches nothing). */
int dream_stmt_of(struct dream_stmt *out, const struct mem *m);
void dream_stmt_dispose(struct dream_stmt *s);

enum dream_stmt_rel {
	DREAM_STMT_OTHER = 0, /* different subjects */
	DREAM_STMT_SAME,      /* one subject, the same values and polarity */
	DREAM_STMT_CONTRA,    /* one subject, one value or the polarity changed */
	DREAM_STMT_UNSURE,    /* one subject, more than one change */
};
/* How a and b (taken apart by dream_stmt_of) relate as subjects. */
enum dream_stmt_rel dream_stmt_relate(const struct dream_stmt *a, const struct dream_stmt *b);
/* Why newer contradicts older, appended to why ("60 seconds instead of
 * 30 seconds", "opposite polarity"): the two are taken apart again. */
void dream_stmt_why(const struct mem *newer, const struct mem *older, struct buf *why);
/* Jaccard similarity of the duplicate keys' items. */
double dream_stmt_jaccard(const struct dream_stmt *a, const struct dream_stmt *b);

#endif
