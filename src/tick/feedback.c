/* feedback: suppressions and counts per store, kept in the store's state
 * directory, and the journal lines that record what the person did. */
#include "kairos/feedback.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/journal.h"
#include "kairos/json.h"
#include "kairos/paths.h"
#include "kairos/time.h"

#define STATE_MAX (16u << 20)

struct reject {
	char id[SUGGESTION_ID_LEN + 1];
	char *memory;
	char *ts;
};

struct count {
	char *memory;
	unsigned accepted, rejected;
};

struct slot {
	bool used;
	char *dir;    /* the store directory */
	char *state;  /* its feedback.json */
	char *lock;
	struct reject *rej; /* sorted by id */
	size_t nrej;
	struct count *cnt;
	size_t ncnt;
};

struct feedback {
	struct slot s[STORE_COUNT];
};

int feedback_open(struct feedback **out)
{
	*out = xcalloc(1, sizeof(struct feedback));
	return 0;
}

static void slot_clear(struct slot *s)
{
	for (size_t i = 0; i < s->nrej; i++) {
		free(s->rej[i].memory);
		free(s->rej[i].ts);
	}
	for (size_t i = 0; i < s->ncnt; i++)
		free(s->cnt[i].memory);
	free(s->rej);
	free(s->cnt);
	s->rej = NULL;
	s->cnt = NULL;
	s->nrej = s->ncnt = 0;
}

void feedback_free(struct feedback *fb)
{
	if (!fb)
		return;
	for (int i = 0; i < STORE_COUNT; i++) {
		slot_clear(&fb->s[i]);
		free(fb->s[i].dir);
		free(fb->s[i].state);
		free(fb->s[i].lock);
	}
	free(fb);
}

static int rej_find(const struct slot *s, const char *id, size_t *pos)
{
	size_t lo = 0, hi = s->nrej;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->rej[mid].id, id);

		if (!c) {
			*pos = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return 0;
}

static void rej_add(struct slot *s, const char *id, const char *memory, const char *ts)
{
	size_t pos;

	if (strlen(id) != SUGGESTION_ID_LEN || rej_find(s, id, &pos))
		return;
	s->rej = xrealloc(s->rej, (s->nrej + 1) * sizeof(*s->rej));
	memmove(&s->rej[pos + 1], &s->rej[pos], (s->nrej - pos) * sizeof(*s->rej));
	memcpy(s->rej[pos].id, id, SUGGESTION_ID_LEN + 1);
	s->rej[pos].memory = memory ? xstrdup(memory) : NULL;
	s->rej[pos].ts = ts ? xstrdup(ts) : NULL;
	s->nrej++;
}

static struct count *cnt_get(struct slot *s, const char *memory)
{
	for (size_t i = 0; i < s->ncnt; i++)
		if (!strcmp(s->cnt[i].memory, memory))
			return &s->cnt[i];
	s->cnt = xrealloc(s->cnt, (s->ncnt + 1) * sizeof(*s->cnt));
	s->cnt[s->ncnt] = (struct count){xstrdup(memory), 0, 0};
	return &s->cnt[s->ncnt++];
}

/* Members of an object: key token k, value k + 1. */
static int obj_first(const struct json *j, int obj)
{
	return json_type(j, obj) == JSON_OBJECT && j->tok[obj].size > 0 ? obj + 1 : -1;
}

static int obj_next(const struct json *j, int obj, int k)
{
	int n = json_skip(j, k + 1);

	return n < j->ntok && j->tok[n].start < j->tok[obj].end ? n : -1;
}

/* Replaces s's state with the file's. */
static int slot_load(struct slot *s)
{
	struct buf b = BUF_INIT_CAP(STATE_MAX + 1); /* as fsx_read needs */
	struct json j = {0};
	int rc, rj, cj;

	slot_clear(s);
	rc = fsx_read(s->state, STATE_MAX, &b);
	if (rc == KR_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (json_parse(&j, buf_cstr(&b), b.len) || json_type(&j, 0) != JSON_OBJECT) {
		rc = kr_errc(KR_EINVAL, "%s: not a feedback state file: %s", s->state, kr_errmsg());
		goto out;
	}
	rj = json_get(&j, 0, "rejected");
	for (int k = obj_first(&j, rj); k >= 0; k = obj_next(&j, rj, k)) {
		char *id = json_strdup(&j, k), *mem = json_get_str(&j, k + 1, "memory"),
		     *ts = json_get_str(&j, k + 1, "ts");

		if (id)
			rej_add(s, id, mem, ts);
		free(id);
		free(mem);
		free(ts);
	}
	cj = json_get(&j, 0, "counts");
	for (int k = obj_first(&j, cj); k >= 0; k = obj_next(&j, cj, k)) {
		char *mem = json_strdup(&j, k);
		struct count *c;

		if (!mem)
			continue;
		c = cnt_get(s, mem);
		c->accepted = (unsigned)json_get_int(&j, k + 1, "accepted", 0);
		c->rejected = (unsigned)json_get_int(&j, k + 1, "rejected", 0);
		free(mem);
	}
out:
	json_dispose(&j);
	buf_dispose(&b);
	return rc;
}

static int slot_save(struct slot *s)
{
	/* no bigger than slot_load reads back: a state that outgrew it fails
	 * here, instead of being written and then dropped as corrupt */
	struct buf b = BUF_INIT_CAP(STATE_MAX);
	struct jw w;
	int rc;

	jw_init(&w, &b);
	jw_obj(&w);
	jw_kint(&w, "version", 1);
	jw_key(&w, "rejected");
	jw_obj(&w);
	for (size_t i = 0; i < s->nrej; i++) {
		jw_key(&w, s->rej[i].id);
		jw_obj(&w);
		jw_kstr(&w, "memory", s->rej[i].memory);
		jw_kstr(&w, "ts", s->rej[i].ts);
		jw_end(&w);
	}
	jw_end(&w);
	jw_key(&w, "counts");
	jw_obj(&w);
	for (size_t i = 0; i < s->ncnt; i++) {
		jw_key(&w, s->cnt[i].memory);
		jw_obj(&w);
		jw_kint(&w, "accepted", s->cnt[i].accepted);
		jw_kint(&w, "rejected", s->cnt[i].rejected);
		jw_end(&w);
	}
	jw_end(&w);
	jw_end(&w);
	buf_putc(&b, '\n');
	if (!(rc = buf_err(&b)))
		rc = fsx_write_atomic(s->state, b.data, b.len);
	buf_dispose(&b);
	return rc;
}

int feedback_add_store(struct feedback *fb, int store, const char *store_dir)
{
	struct slot *s;
	char *sd;

	if (store < 0 || store >= STORE_COUNT || !store_dir)
		return kr_errc(KR_EINVAL, "feedback: bad store");
	s = &fb->s[store];
	slot_clear(s);
	free(s->dir);
	free(s->state);
	free(s->lock);
	sd = paths_state_dir(store_dir);
	s->used = true;
	s->dir = xstrdup(store_dir);
	s->state = xmalloc(strlen(sd) + 32);
	sprintf(s->state, "%s/feedback.json", sd);
	s->lock = xmalloc(strlen(sd) + 32);
	sprintf(s->lock, "%s/feedback.lock", sd);
	free(sd);
	return slot_load(s);
}

int feedback_add_set(struct feedback *fb, const struct store_set *ss)
{
	int rc = 0;

	for (int i = 0; i < STORE_COUNT; i++) {
		int r;

		if (i == STORE_IMPORT || !ss->stores[i].dir)
			continue;
		r = feedback_add_store(fb, i, ss->stores[i].dir);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

int feedback_reload(struct feedback *fb)
{
	int rc = 0;

	for (int i = 0; i < STORE_COUNT; i++) {
		int r;

		if (!fb->s[i].used)
			continue;
		r = slot_load(&fb->s[i]);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

bool feedback_suppressed(void *ctx, const char *id)
{
	const struct feedback *fb = ctx;
	size_t pos;

	for (int i = 0; i < STORE_COUNT; i++)
		if (fb->s[i].used && rej_find(&fb->s[i], id, &pos))
			return true;
	return false;
}

/* The slot for a store, or the personal one, or any. */
static struct slot *slot_for(struct feedback *fb, int store)
{
	if (store >= 0 && store < STORE_COUNT && fb->s[store].used)
		return &fb->s[store];
	if (fb->s[STORE_PERSONAL].used)
		return &fb->s[STORE_PERSONAL];
	for (int i = 0; i < STORE_COUNT; i++)
		if (fb->s[i].used)
			return &fb->s[i];
	return NULL;
}

static void journal_fields(struct buf *b, const char *id, const char *memory, const char *uri,
			   long line)
{
	struct jw w;

	/* members only: written as an object, then unwrapped */
	jw_init(&w, b);
	jw_obj(&w);
	if (id)
		jw_kstr(&w, "id", id);
	jw_kstr(&w, "memory", memory);
	jw_kstr(&w, "uri", uri);
	jw_kint(&w, "line", line);
	jw_end(&w);
}

static int journal(struct slot *s, const char *kind, struct buf *obj)
{
	int rc;

	if ((rc = buf_err(obj)))
		return rc;
	/* strip the braces of the object the writer made */
	if (obj->len < 2)
		return kr_errc(KR_EINVAL, "empty journal entry");
	obj->data[obj->len - 1] = 0;
	rc = journal_append(s->dir, kind, obj->data + 1);
	return rc;
}

int feedback_record(struct feedback *fb, enum feedback_verdict v, const char *id,
		    const char *memory, int store, const char *uri, long line)
{
	struct slot *s = slot_for(fb, memory ? store : -1);
	struct buf fields = BUF_INIT_CAP(BUF_CAP_LINE); /* one journal line */
	char ts[32];
	int lfd = -1, rc;

	if (!s)
		return kr_errc(KR_ENOTFOUND, "feedback: no store to record in");
	if (!id || strlen(id) != SUGGESTION_ID_LEN)
		return kr_errc(KR_EINVAL, "feedback: not a suggestion id: %s", id ? id : "(null)");
	if ((rc = fsx_lock(&lfd, s->lock, false, true)))
		return rc;
	slot_load(s); /* a corrupt file is replaced */
	time_format((int64_t)time(NULL), ts);
	if (v == FEEDBACK_REJECT)
		rej_add(s, id, memory, ts);
	if (memory) {
		struct count *c = cnt_get(s, memory);

		if (v == FEEDBACK_REJECT)
			c->rejected++;
		else
			c->accepted++;
	}
	rc = slot_save(s);
	fsx_unlock(lfd);
	if (rc)
		return rc;
	journal_fields(&fields, id, memory, uri, line);
	rc = journal(s, v == FEEDBACK_REJECT ? "suggestion_rejected" : "suggestion_accepted", &fields);
	buf_dispose(&fields);
	return rc;
}

int feedback_suggestion(struct feedback *fb, enum feedback_verdict v, const struct suggestion *s,
			const char *uri)
{
	return feedback_record(fb, v, s->id, s->memory, s->store, uri, (long)s->line);
}

int feedback_shown(struct feedback *fb, const struct suggestion *sg, const char *uri)
{
	struct slot *s = slot_for(fb, sg->memory ? sg->store : -1);
	struct buf fields = BUF_INIT_CAP(BUF_CAP_LINE); /* one journal line */
	int rc;

	if (!s)
		return kr_errc(KR_ENOTFOUND, "feedback: no store to record in");
	journal_fields(&fields, sg->id, sg->memory, uri, (long)sg->line);
	rc = journal(s, "suggestion_shown", &fields);
	buf_dispose(&fields);
	return rc;
}

int feedback_edit_pattern(struct feedback *fb, const struct editpat *e, const char *uri)
{
	struct slot *s = slot_for(fb, -1);
	struct buf fields = BUF_INIT_CAP(BUF_CAP_LINE); /* one journal line */
	struct jw w;
	int rc;

	if (!s)
		return kr_errc(KR_ENOTFOUND, "feedback: no store to record in");
	jw_init(&w, &fields);
	jw_obj(&w);
	jw_kstr(&w, "before", e->before);
	jw_kstr(&w, "after", e->after);
	jw_kstr(&w, "uri", uri);
	jw_kint(&w, "line", (long long)e->line);
	jw_end(&w);
	rc = journal(s, "edit_pattern", &fields);
	buf_dispose(&fields);
	return rc;
}

void feedback_counts(const struct feedback *fb, int store, const char *memory, unsigned *accepted,
		     unsigned *rejected)
{
	*accepted = *rejected = 0;
	if (store < 0 || store >= STORE_COUNT || !fb->s[store].used)
		return;
	for (size_t i = 0; i < fb->s[store].ncnt; i++) {
		if (!strcmp(fb->s[store].cnt[i].memory, memory)) {
			*accepted = fb->s[store].cnt[i].accepted;
			*rejected = fb->s[store].cnt[i].rejected;
		}
	}
}
