/* dream_stmt: a memory's statement taken apart for the dream
 * (memory-format.md "What a dream may change, precisely"):
 *   - values, a closed list: a number that a unit word follows ("30
 *     seconds", "2 reviewers") or that a setting word comes before
 *     ("port 8080", "Node 20", "a timeout of 30"); an indentation (tabs,
 *     spaces, N spaces); a quote style (single/double before quote...);
 *     a naming style; true/false; on/off;
 *   - anchors: code spans, quoted text, paths, file names, identifiers,
 *     versions, flags, and every number that is not a value ("issue 12");
 *   - the role of an anchor or a value: the nearest word before it, in
 *     the same part of its sentence, that is neither a stop word nor a
 *     polarity word;
 *   - relations: each preposition or negation with the token that follows
 *     it ("from>lexer"), which survive moving a phrase to the front but
 *     keep "from the parser to the lexer" apart from its mirror image.
 * The duplicate key is the set of content words, values and anchors
 * (with their roles) and relations of the whole statement; the subject
 * key is, per sentence, the same without polarity words and with every
 * value masked by its class (the values themselves are the slots). */
#include "dream_stmt.h"
#include "dream_text.h"
#include "kairos/err.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum vcls { V_NONE = 0, V_NUM, V_IND, V_QUOTE, V_NAMING, V_BOOL, V_ONOFF, V_ORDER, V_POL };
static const char *const vcls_name[] = {"", "num", "ind", "quote", "naming",
					"bool", "onoff", "order", "pol"};

/* ---- the closed lists ------------------------------------------------------ */

static bool in_list(const char *w, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(w, l[i]))
			return true;
	return false;
}
#define IN(w, l) in_list((w), (l), ARRAY_LEN(l))

static const char *const neg_words[] = {"not", "never", "avoid", "avoids", "avoided", "avoiding",
					"disable", "disables", "disabled", "disabling"};
static const char *const pos_words[] = {"always", "use", "uses", "used", "using", "enable",
					"enables", "enabled", "enabling", "do", "prefer",
					"prefers", "preferred", "preferring"};
static const char *const prefer_words[] = {"prefer", "prefers", "preferred", "preferring"};
static const char *const prefer_links[] = {"over", "than", "to"};

static bool polarity_word(const char *w)
{
	return IN(w, neg_words) || IN(w, pos_words);
}

/* Words after a number that make it a value the statement sets. */
static const char *const unit_words[] = {
	"ms", "millisecond", "milliseconds", "s", "sec", "secs", "second", "seconds", "m", "min",
	"mins", "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "d", "day", "days", "week",
	"weeks", "month", "months", "year", "years", "b", "byte", "bytes", "kb", "kib", "mb", "mib",
	"gb", "gib", "tb", "k", "column", "columns", "col", "cols", "char", "chars", "character",
	"characters", "line", "lines", "row", "rows", "px", "pt", "em", "rem", "%", "percent",
	"digit", "digits", "level", "levels", "tab", "tabs", "reviewer", "reviewers", "approval",
	"approvals", "approver", "approvers", "retry", "retries", "attempt", "attempts", "time",
	"times", "worker", "workers", "thread", "threads", "job", "jobs", "core", "cores", "cpu",
	"cpus", "process", "processes", "connection", "connections", "entry", "entries", "item",
	"items", "file", "files", "request", "requests", "replica", "replicas", "commit", "commits",
	"argument", "arguments", "parameter", "parameters", "step", "steps", "run", "runs",
};
/* Words before a number that make it a setting ("port 8080", "Node 20"). */
static const char *const setting_words[] = {
	"port", "timeout", "node", "nodejs", "python", "java", "jdk", "ruby", "php", "perl", "gcc",
	"clang", "llvm", "postgres", "postgresql", "mysql", "version", "limit", "max", "maximum",
	"min", "minimum", "depth", "width", "length", "size", "workers", "threads", "jobs", "retries",
	"replicas", "concurrency", "parallelism", "ttl", "interval", "delay", "budget", "quota",
	"threshold", "capacity", "cap", "batch",
};
/* What may stand between a setting word and its number. */
static const char *const setting_links[] = {"of", "at", "is", "be", "as", "=", "equals"};
static const char *const naming_values[] = {"snake_case", "camel_case", "pascal_case",
					   "kebab_case", "upper_snake_case"};
static const char *const number_words[] = {"zero", "one", "two", "three", "four", "five", "six",
					   "seven", "eight", "nine", "ten", "eleven", "twelve"};
/* Words that relate what follows them to the rest of the sentence. */
static const char *const relation_words[] = {
	"about", "above", "across", "after", "against", "along", "among", "around", "as", "at",
	"before", "behind", "below", "beneath", "beside", "between", "beyond", "by", "during",
	"except", "for", "from", "in", "inside", "into", "like", "near", "of", "off", "on", "onto",
	"out", "outside", "over", "past", "per", "since", "than", "through", "toward",
	"towards", "under", "unlike", "until", "upon", "via", "versus", "vs", "with", "within",
	"without", "instead", "rather", "not", "never", "avoid", "unless", "if", "when",
	"whenever", "while", "where", "whether", "because", "but",
};

/* ---- string sets --------------------------------------------------------- */

struct items {
	char **v;
	size_t n, cap;
};

#define SEP "\x1f"

static void items_add(struct items *it, const char *a, const char *b, const char *c,
		      const char *d)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0, ld = d ? strlen(d) : 0;
	char *s = xmalloc(la + lb + lc + ld + 4), *p = s;
	memcpy(p, a, la);
	p += la;
	*p++ = 0x1f;
	memcpy(p, b, lb);
	p += lb;
	if (c) {
		*p++ = 0x1f;
		memcpy(p, c, lc);
		p += lc;
	}
	if (d) {
		*p++ = 0x1f;
		memcpy(p, d, ld);
		p += ld;
	}
	*p = 0;
	if (it->n == it->cap) {
		it->cap = it->cap ? it->cap * 2 : 16;
		it->v = xrealloc(it->v, it->cap * sizeof(*it->v));
	}
	it->v[it->n++] = s;
}

static void items_dispose(struct items *it)
{
	for (size_t i = 0; i < it->n; i++)
		free(it->v[i]);
	free(it->v);
	memset(it, 0, sizeof(*it));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops repeats. */
static void items_set(struct items *it)
{
	size_t o = 0;
	if (it->n > 1)
		qsort(it->v, it->n, sizeof(*it->v), cmp_str);
	for (size_t i = 0; i < it->n; i++) {
		if (o && !strcmp(it->v[o - 1], it->v[i])) {
			free(it->v[i]);
			continue;
		}
		it->v[o++] = it->v[i];
	}
	it->n = o;
}


/* A second hash, independent of dream_text_hash. */
static uint64_t hash2(const char *s, size_t n)
{
	uint64_t h = 0x243f6a8885a308d3ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL + (h >> 29);
	return dream_text_mix(h) | 1;
}

static void key_add(struct dream_key *k, const char *s)
{
	size_t n = strlen(s);
	k->h = dream_text_mix(k->h * 0x9e3779b97f4a7c15ULL ^ dream_text_hash(s, n));
	k->check = dream_text_mix(k->check * 0xc2b2ae3d27d4eb4fULL ^ hash2(s, n));
}

/* The key of a sorted set. */
static struct dream_key items_key(const struct items *it, uint64_t seed)
{
	struct dream_key k = {seed, ~seed};
	for (size_t i = 0; i < it->n; i++)
		key_add(&k, it->v[i]);
	if (!k.h)
		k.h = 1;
	return k;
}

/* ---- one sentence --------------------------------------------------------- */

struct tinfo {
	enum vcls cls;
	bool anchor, unit, skip, in_prefer;
	char val[48]; /* a value's text */
	const char *role;
};

struct vslot {
	uint64_t key;
	enum vcls cls;
	char *val;
};

struct sent {
	struct dream_key key;
	struct vslot *slot;
	size_t nslot;
	bool content; /* a word, an anchor, or an indentation/quote/naming value */
};

struct an {
	struct items dup, exact; /* dup: every sentence's items, for "similar" */
	struct items sdup;       /* one item per sentence: its duplicate key */
	struct sent *sent;
	size_t nsent, capsent;
	bool undecidable;
};

static const char *number_value(const struct dream_tok *k)
{
	if (k->kind == DT_NUM)
		return k->s;
	for (size_t i = 0; i < ARRAY_LEN(number_words); i++)
		if (!strcmp(k->s, number_words[i])) {
			static const char *const digits[] = {"0", "1", "2", "3", "4", "5", "6",
							     "7", "8", "9", "10", "11", "12"};
			return digits[i];
		}
	return NULL;
}

static bool is_word(const struct dream_tok *k, const struct tinfo *ti)
{
	return k->kind == DT_WORD && !ti->skip;
}

/* A number after a setting word, perhaps across "of", "at", ...? */
static bool setting_before(const struct dream_tok *t, size_t a, size_t i)
{
	while (i-- > a) {
		const struct dream_tok *k = &t[i];
		if (k->kind != DT_WORD)
			return false;
		if (IN(k->s, setting_words))
			return true;
		if (!dream_text_stopword(k->s) && !IN(k->s, setting_links))
			return false;
	}
	return false;
}

/* Does an object follow t[i] in its part of the sentence ("on linux",
 * "off the main thread")? Then "on"/"off" is a preposition, not a value
 * ("turn the cache on for CI"). */
static bool object_follows(const struct dream_tok *t, size_t e, size_t i)
{
	for (size_t j = i + 1; j < e && t[j].kind != DT_BREAK; j++) {
		if (t[j].kind == DT_WORD && dream_text_stopword(t[j].s))
			continue;
		return !(t[j].kind == DT_WORD && IN(t[j].s, relation_words));
	}
	return false;
}

/* Values and anchors of the sentence t[a, e). */
static void classify(const struct dream_tok *t, struct tinfo *ti, size_t a, size_t e)
{
	for (size_t i = a; i < e; i++) {
		const struct dream_tok *k = &t[i];
		const char *nv;
		if (ti[i].skip || ti[i].unit || k->kind == DT_BREAK)
			continue;
		if (k->kind == DT_CODE || k->kind == DT_QUOTE || k->kind == DT_ANCHOR) {
			ti[i].anchor = true;
			continue;
		}
		nv = (k->kind == DT_NUM || k->kind == DT_WORD) ? number_value(k) : NULL;
		if (nv && i + 1 < e && t[i + 1].kind == DT_WORD) {
			const char *u = t[i + 1].s;
			if (!strcmp(u, "space") || !strcmp(u, "spaces")) {
				ti[i].cls = V_IND;
				snprintf(ti[i].val, sizeof(ti[i].val), "%.30s spaces", nv);
				ti[i + 1].skip = true;
				continue;
			}
			if (IN(u, unit_words)) {
				ti[i].cls = V_NUM;
				snprintf(ti[i].val, sizeof(ti[i].val), "%.40s", nv);
				ti[i + 1].unit = true;
				continue;
			}
		}
		if (k->kind == DT_NUM) {
			/* "Node 20" is a setting; "Python 3.11" a version: an anchor */
			if (!strchr(k->s, '.') && setting_before(t, a, i)) {
				ti[i].cls = V_NUM;
				snprintf(ti[i].val, sizeof(ti[i].val), "%.40s", k->s);
			} else {
				ti[i].anchor = true; /* a number that names a thing */
			}
			continue;
		}
		if (k->kind != DT_WORD)
			continue;
		if (!strcmp(k->s, "tab") || !strcmp(k->s, "tabs"))
			ti[i].cls = V_IND, snprintf(ti[i].val, sizeof(ti[i].val), "tabs");
		else if (!strcmp(k->s, "space") || !strcmp(k->s, "spaces"))
			ti[i].cls = V_IND, snprintf(ti[i].val, sizeof(ti[i].val), "spaces");
		else if ((!strcmp(k->s, "single") || !strcmp(k->s, "double")) && i + 1 < e &&
			 t[i + 1].kind == DT_WORD && DREAM_PREFIX(t[i + 1].s, "quot"))
			ti[i].cls = V_QUOTE, snprintf(ti[i].val, sizeof(ti[i].val), "%s", k->s);
		else if (IN(k->s, naming_values))
			ti[i].cls = V_NAMING, snprintf(ti[i].val, sizeof(ti[i].val), "%.40s", k->s);
		else if (!strcmp(k->s, "true") || !strcmp(k->s, "false"))
			ti[i].cls = V_BOOL, snprintf(ti[i].val, sizeof(ti[i].val), "%s", k->s);
		else if ((!strcmp(k->s, "on") || !strcmp(k->s, "off")) && !object_follows(t, e, i))
			ti[i].cls = V_ONOFF, snprintf(ti[i].val, sizeof(ti[i].val), "%s", k->s);
	}
	/* roles: the nearest word before, in the same part of the sentence,
	 * that is neither a stop word nor a polarity word */
	for (size_t i = a; i < e; i++) {
		if (!ti[i].anchor && !ti[i].cls)
			continue;
		ti[i].role = "^";
		for (size_t j = i; j-- > a && t[j].kind != DT_BREAK;)
			if (is_word(&t[j], &ti[j]) && !dream_text_stopword(t[j].s) &&
			    !polarity_word(t[j].s)) {
				ti[i].role = t[j].s;
				break;
			}
	}
}

/* The identity of token i, masked to its class for a subject. */
static void ident(const struct dream_tok *t, const struct tinfo *ti, size_t i, bool mask,
		  char *out, size_t cap)
{
	if (ti[i].cls)
		snprintf(out, cap, "v:%s:%s", vcls_name[ti[i].cls], mask ? "" : ti[i].val);
	else
		snprintf(out, cap, "%c:%.200s", ti[i].anchor ? 'a' : 'w', t[i].s);
}

/* The first token after i in its part of the sentence that a relation
 * points at, or SIZE_MAX. */
static size_t next_of(const struct dream_tok *t, const struct tinfo *ti, size_t i, size_t e,
		      bool subject)
{
	for (size_t j = i + 1; j < e && t[j].kind != DT_BREAK; j++) {
		if (ti[j].skip)
			continue;
		if (t[j].kind == DT_WORD && !ti[j].cls &&
		    (dream_text_stopword(t[j].s) || (subject && polarity_word(t[j].s))))
			continue;
		return j;
	}
	return SIZE_MAX;
}

static void slot_add(struct sent *s, const char *cls_role, enum vcls cls, const char *val)
{
	s->slot = xrealloc(s->slot, (s->nslot + 1) * sizeof(*s->slot));
	s->slot[s->nslot].key = dream_text_hash(cls_role, strlen(cls_role));
	s->slot[s->nslot].cls = cls;
	s->slot[s->nslot].val = xstrdup(val);
	s->nslot++;
}

static int cmp_vslot(const void *a, const void *b)
{
	const struct vslot *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* "prefer X over Y": the bounds of X and Y in t[a, e), or false. */
static bool prefer_span(const struct dream_tok *t, const struct tinfo *ti, size_t a, size_t e,
			size_t *p, size_t *o, size_t *y_end)
{
	size_t nx = 0, ny = 0, j;
	for (*p = a; *p < e && !(t[*p].kind == DT_WORD && IN(t[*p].s, prefer_words)); (*p)++)
		;
	if (*p >= e)
		return false;
	for (*o = *p + 1; *o < e && t[*o].kind != DT_BREAK; (*o)++) {
		if (t[*o].kind == DT_WORD && IN(t[*o].s, prefer_links) && nx)
			break;
		if (!ti[*o].skip && !(t[*o].kind == DT_WORD && dream_text_stopword(t[*o].s)))
			nx++;
	}
	if (*o >= e || t[*o].kind == DT_BREAK || !nx)
		return false;
	for (j = *o + 1; j < e && t[j].kind != DT_BREAK && ny < nx; j++)
		if (!ti[j].skip && !(t[j].kind == DT_WORD && dream_text_stopword(t[j].s)))
			ny++;
	*y_end = j;
	return ny == nx;
}

static void sentence(struct an *an, const struct dream_tok *t, struct tinfo *ti, size_t a,
		     size_t e)
{
	struct items subj = {0}, dup = {0};
	struct sent s = {0};
	char id[256], pid[256], role[256];
	size_t p = 0, o = 0, ye = 0;
	bool pref;
	int neg = 0;

	classify(t, ti, a, e);
	pref = prefer_span(t, ti, a, e, &p, &o, &ye);
	if (pref) {
		/* X and Y: one subject whichever comes first, the order a slot */
		struct buf x = BUF_INIT_CAP(BUF_CAP_LINE), y = BUF_INIT_CAP(BUF_CAP_LINE);
		for (size_t j = p + 1; j < ye; j++) {
			if (j == o || ti[j].skip || (t[j].kind == DT_WORD && dream_text_stopword(t[j].s)))
				continue;
			ident(t, ti, j, false, id, sizeof(id));
			buf_puts(j < o ? &x : &y, id);
			buf_putc(j < o ? &x : &y, ' ');
			ti[j].in_prefer = true;
		}
		if (buf_err(&x) || buf_err(&y)) {
			an->undecidable = true;
		} else {
			bool xy = strcmp(buf_cstr(&x), buf_cstr(&y)) <= 0;
			items_add(&subj, "p", xy ? buf_cstr(&x) : buf_cstr(&y), xy ? buf_cstr(&y) : buf_cstr(&x),
				  NULL);
			items_add(&subj, "s", vcls_name[V_ORDER], NULL, NULL);
			slot_add(&s, "order", V_ORDER, xy ? "xy" : "yx");
		}
		buf_dispose(&x);
		buf_dispose(&y);
	}
	for (size_t i = a; i < e; i++) {
		const struct dream_tok *k = &t[i];
		bool stop = k->kind == DT_WORD && !ti[i].cls && dream_text_stopword(k->s);
		bool polar = k->kind == DT_WORD && !ti[i].cls && polarity_word(k->s);
		size_t j;

		if (k->kind == DT_BREAK || ti[i].skip)
			continue;
		/* the exact sequence: every token */
		items_add(&an->exact, k->kind == DT_WORD ? "w" : k->kind == DT_NUM ? "n" : "a", k->s, NULL, NULL);
		if (polar && IN(k->s, neg_words))
			neg++;
		/* the duplicate key: content words, values, anchors with roles */
		if (ti[i].cls) {
			items_add(&dup, "v", vcls_name[ti[i].cls], ti[i].val, ti[i].role);
		} else if (ti[i].anchor) {
			items_add(&dup, "a", k->s, ti[i].role, NULL);
		} else if (!stop) {
			items_add(&dup, "w", k->s, NULL, NULL);
		}
		if (k->kind == DT_WORD && IN(k->s, relation_words)) {
			size_t j2 = SIZE_MAX;
			j = next_of(t, ti, i, e, false);
			if (j == SIZE_MAX)
				snprintf(id, sizeof(id), "$");
			else
				ident(t, ti, j, false, id, sizeof(id));
			/* a negation reaches its verb and what follows: "do not
			 * run benchmarks" is not "do not run tests" */
			if (j != SIZE_MAX && IN(k->s, neg_words))
				j2 = next_of(t, ti, j, e, false);
			if (j2 != SIZE_MAX)
				ident(t, ti, j2, false, pid, sizeof(pid));
			items_add(&dup, "r", k->s, id, j2 != SIZE_MAX ? pid : NULL);
		}
		/* the subject: no polarity word, values as their class */
		snprintf(role, sizeof(role), "%.200s", ti[i].in_prefer ? "<prefer>" : ti[i].role ? ti[i].role : "^");
		if (ti[i].cls) {
			snprintf(pid, sizeof(pid), "%s" SEP "%.200s", vcls_name[ti[i].cls], role);
			items_add(&subj, "s", pid, NULL, NULL);
			slot_add(&s, pid, ti[i].cls, ti[i].val);
			s.content |= ti[i].cls == V_IND || ti[i].cls == V_QUOTE || ti[i].cls == V_NAMING;
			continue;
		}
		if (ti[i].anchor) {
			items_add(&subj, "a", k->s, role, NULL);
			s.content = true;
			continue;
		}
		if (stop || polar)
			continue;
		items_add(&subj, "w", k->s, NULL, NULL);
		s.content = true;
		if (IN(k->s, relation_words) && !(pref && i == o)) {
			j = next_of(t, ti, i, e, true);
			if (j == SIZE_MAX)
				snprintf(id, sizeof(id), "$");
			else
				ident(t, ti, j, true, id, sizeof(id));
			items_add(&subj, "r", k->s, id, NULL);
		}
	}
	slot_add(&s, vcls_name[V_POL], V_POL, neg & 1 ? "-" : "+");
	/* the sentence's duplicate key: what it says binds within it */
	items_set(&dup);
	if (dup.n) {
		struct dream_key dk = items_key(&dup, 0xd5);
		char hex[40];
		snprintf(hex, sizeof(hex), "%016llx%016llx", (unsigned long long)dk.h,
			 (unsigned long long)dk.check);
		items_add(&an->sdup, "S", hex, NULL, NULL);
		for (size_t i = 0; i < dup.n; i++) {
			items_add(&an->dup, dup.v[i], "", NULL, NULL);
		}
	}
	items_dispose(&dup);
	items_set(&subj);
	if (!subj.n && !s.nslot) {
		items_dispose(&subj);
		free(s.slot);
		return;
	}
	s.key = items_key(&subj, 0x5b);
	qsort(s.slot, s.nslot, sizeof(*s.slot), cmp_vslot);
	for (size_t i = 1; i < s.nslot; i++)
		if (s.slot[i].key == s.slot[i - 1].key)
			an->undecidable = true; /* two values of one class and role */
	if (an->nsent == an->capsent) {
		an->capsent = an->capsent ? an->capsent * 2 : 8;
		an->sent = xrealloc(an->sent, an->capsent * sizeof(*an->sent));
	}
	an->sent[an->nsent++] = s;
	items_dispose(&subj);
}

static void sent_dispose(struct sent *s)
{
	for (size_t i = 0; i < s->nslot; i++)
		free(s->slot[i].val);
	free(s->slot);
}

static void an_dispose(struct an *an)
{
	items_dispose(&an->dup);
	items_dispose(&an->sdup);
	items_dispose(&an->exact);
	for (size_t i = 0; i < an->nsent; i++)
		sent_dispose(&an->sent[i]);
	free(an->sent);
	memset(an, 0, sizeof(*an));
}

static bool same_slots(const struct sent *a, const struct sent *b)
{
	if (a->nslot != b->nslot)
		return false;
	for (size_t i = 0; i < a->nslot; i++)
		if (a->slot[i].key != b->slot[i].key || strcmp(a->slot[i].val, b->slot[i].val))
			return false;
	return true;
}

static int cmp_sent(const void *a, const void *b)
{
	const struct sent *x = a, *y = b;
	if (x->key.h != y->key.h)
		return x->key.h < y->key.h ? -1 : 1;
	return x->key.check < y->key.check ? -1 : x->key.check > y->key.check;
}

/* Takes m apart: the token analysis every key is built from. */
static int analyse(struct an *an, const struct mem *m)
{
	char *st = dream_text_statement(m);
	struct dream_toks t = {0};
	struct tinfo *ti = NULL;
	size_t a = 0, o = 0;
	int rc;

	memset(an, 0, sizeof(*an));
	if (!st)
		return KR_ENOMEM;
	if ((rc = dream_text_tokenize(st, strlen(st), &t)))
		goto out;
	ti = xcalloc(t.n + 1, sizeof(*ti));
	for (size_t i = 0; i <= t.n; i++) {
		if (i < t.n && t.v[i].kind != DT_END)
			continue;
		if (i > a)
			sentence(an, t.v, ti, a, i);
		a = i + 1;
	}
	/* a sentence said twice (the description again in the body) is one;
	 * one subject said with two values cannot be decided */
	if (an->nsent > 1)
		qsort(an->sent, an->nsent, sizeof(*an->sent), cmp_sent);
	for (size_t i = 0; i < an->nsent; i++) {
		if (o && !cmp_sent(&an->sent[o - 1], &an->sent[i])) {
			if (!same_slots(&an->sent[o - 1], &an->sent[i]))
				an->undecidable = true;
			sent_dispose(&an->sent[i]);
			continue;
		}
		an->sent[o++] = an->sent[i];
	}
	an->nsent = o;
out:
	free(ti);
	dream_text_toks_dispose(&t);
	free(st);
	return rc;
}

/* The identity of m's rule ("" when none): memories whose rules differ
 * are never merged (a rule is behaviour). */
static void rule_item(const struct mem *m, struct items *it)
{
	const struct mem_rule *r = m->rule;
	char sev[16];
	if (!r)
		return;
	snprintf(sev, sizeof(sev), "%d", r->severity);
	items_add(it, "R", r->pattern ? r->pattern : "\x01", r->literal ? r->literal : "\x01", sev);
	items_add(it, "F", r->message ? r->message : "\x01", r->fix ? r->fix : "\x01", NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	const struct dream_slot *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int dream_stmt_of(struct dream_stmt *out, const struct mem *m)
{
	struct an an;
	int rc;
	bool content = false;

	memset(out, 0, sizeof(*out));
	if ((rc = analyse(&an, m))) {
		an_dispose(&an);
		return rc;
	}
	rule_item(m, &an.exact);
	rule_item(m, &an.dup);
	rule_item(m, &an.sdup);
	if (!an.exact.n)
		goto out;
	out->use = true;
	/* the exact sequence keeps its order; the rest are sets */
	out->exact = items_key(&an.exact, 0xe1);
	items_set(&an.dup);
	items_set(&an.sdup);
	out->dup = items_key(&an.sdup, 0xd1);
	for (size_t i = 0; i < an.dup.n; i++)
		out->ncontent += an.dup.v[i][0] == 'w' || an.dup.v[i][0] == 'v' || an.dup.v[i][0] == 'a';
	out->feat = xmalloc((an.dup.n + 1) * sizeof(*out->feat));
	for (size_t i = 0; i < an.dup.n; i++)
		out->feat[out->nfeat++] = (uint32_t)dream_text_hash(an.dup.v[i], strlen(an.dup.v[i]));
	qsort(out->feat, out->nfeat, sizeof(*out->feat), cmp_u32);
	/* the subject: every sentence's key, and each value as a slot */
	for (size_t i = 0; i < an.nsent; i++) {
		content |= an.sent[i].content;
		out->nslot += (uint32_t)an.sent[i].nslot;
	}
	if (an.undecidable || !content || !an.nsent) {
		out->nslot = 0;
		goto out;
	}
	out->subj.h = 0x5ee;
	out->subj.check = 0xa11;
	out->slot = xmalloc((out->nslot + 1) * sizeof(*out->slot));
	out->nslot = 0;
	for (size_t i = 0; i < an.nsent; i++) {
		const struct sent *s = &an.sent[i];
		out->subj.h = dream_text_mix(out->subj.h * 0x9e3779b97f4a7c15ULL ^ s->key.h);
		out->subj.check = dream_text_mix(out->subj.check * 0xc2b2ae3d27d4eb4fULL ^ s->key.check);
		for (size_t k = 0; k < s->nslot; k++) {
			out->slot[out->nslot].key = dream_text_mix(s->key.h ^ dream_text_mix(s->slot[k].key));
			out->slot[out->nslot].val = dream_text_hash(s->slot[k].val, strlen(s->slot[k].val));
			out->slot[out->nslot].spaces = s->slot[k].cls == V_IND && !strcmp(s->slot[k].val, "spaces");
			out->slot[out->nslot].width = s->slot[k].cls == V_IND && isdigit((unsigned char)s->slot[k].val[0]);
			out->nslot++;
		}
	}
	if (!out->subj.h)
		out->subj.h = 1;
	qsort(out->slot, out->nslot, sizeof(*out->slot), cmp_u64);
out:
	an_dispose(&an);
	return 0;
}

void dream_stmt_dispose(struct dream_stmt *s)
{
	free(s->slot);
	free(s->feat);
	memset(s, 0, sizeof(*s));
}

enum dream_stmt_rel dream_stmt_relate(const struct dream_stmt *a, const struct dream_stmt *b)
{
	uint64_t va = 0, vb = 0;
	size_t diffs = 0;

	if (!a->subj.h || a->subj.h != b->subj.h || a->subj.check != b->subj.check ||
	    a->nslot != b->nslot)
		return DREAM_STMT_OTHER;
	for (size_t i = 0; i < a->nslot; i++) {
		if (a->slot[i].key != b->slot[i].key)
			return DREAM_STMT_OTHER;
		if (a->slot[i].val == b->slot[i].val)
			continue;
		/* "spaces" and "4 spaces" do not contradict: one says more */
		if ((a->slot[i].spaces && b->slot[i].width) || (a->slot[i].width && b->slot[i].spaces))
			return DREAM_STMT_UNSURE;
		if (diffs && (a->slot[i].val != va || b->slot[i].val != vb))
			return DREAM_STMT_UNSURE; /* a second, different change */
		va = a->slot[i].val;
		vb = b->slot[i].val;
		diffs++;
	}
	return diffs ? DREAM_STMT_CONTRA : DREAM_STMT_SAME;
}

void dream_stmt_why(const struct mem *newer, const struct mem *older, struct buf *why)
{
	struct an x, y;
	bool said = false;

	memset(&y, 0, sizeof(y));
	if (analyse(&x, newer) || analyse(&y, older)) {
		buf_puts(why, "another value");
		goto out;
	}
	for (size_t i = 0; i < x.nsent && !said; i++)
		for (size_t j = 0; j < y.nsent && !said; j++) {
			if (cmp_sent(&x.sent[i], &y.sent[j]) || x.sent[i].nslot != y.sent[j].nslot)
				continue;
			for (size_t k = 0; k < x.sent[i].nslot && !said; k++) {
				const struct vslot *p = &x.sent[i].slot[k], *q = &y.sent[j].slot[k];
				if (!strcmp(p->val, q->val))
					continue;
				if (p->cls == V_POL)
					buf_puts(why, "opposite polarity");
				else if (p->cls == V_ORDER)
					buf_puts(why, "opposite preference");
				else
					buf_printf(why, "%s instead of %s", p->val, q->val);
				said = true;
			}
		}
	if (!said)
		buf_puts(why, "another value");
out:
	an_dispose(&x);
	an_dispose(&y);
}

double dream_stmt_jaccard(const struct dream_stmt *a, const struct dream_stmt *b)
{
	size_t i = 0, j = 0, both = 0;
	if (!a->nfeat && !b->nfeat)
		return 0;
	while (i < a->nfeat && j < b->nfeat) {
		if (a->feat[i] == b->feat[j]) {
			both++;
			i++;
			j++;
		} else if (a->feat[i] < b->feat[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)both / (double)(a->nfeat + b->nfeat - both);
}
