/* model_tasks: the four things kairos asks a model (tick, dream,
 * remember, improve): the text sent beside each prompt, and the reply
 * validated before the requester sees it. */
#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/jw.h"
#include "kairos/model.h"
#include "model_provider.h"
#include "kairos/redact.h"

#include <stdlib.h>
#include <string.h>

#define MAX_HUNK 4096       /* bytes of one hunk's text */
#define MAX_TICK_TEXT 16384 /* bytes of all hunks */
#define MAX_BODY 600        /* bytes of a memory's body */
#define MAX_REMEMBER 8192
#define MAX_SELECTION 32768
#define REDACTED "[REDACTED]"
#define MORE_BODY " …" /* after a memory's body cut at MAX_BODY */

static void task_log(void *ud, const char *msg)
{
	model_log(ud, msg);
}

/* Appends at most max bytes of s, cut at a character boundary. */
static void put_capped(struct buf *b, const char *s, size_t max, const char *more)
{
	size_t n = s ? strlen(s) : 0;
	if (n <= max) {
		buf_append(b, s, n);
		return;
	}
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	buf_append(b, s, max);
	buf_puts(b, more);
}

#define MAX_DESCRIPTION 300 /* bytes of a memory's description */

/* A trusted memory, in the prompt's own words: a list item. */
static void put_trusted(struct buf *b, const struct model_memory *m)
{
	buf_printf(b, "- name: %s\n  description: ", m->name ? m->name : "");
	put_capped(b, m->description, MAX_DESCRIPTION, "…");
	buf_puts(b, "\n");
	if (m->body && *m->body) {
		buf_puts(b, "  text: |\n    ");
		struct buf body = BUF_INIT_CAP(MAX_BODY + STRLEN_LIT(MORE_BODY));
		put_capped(&body, m->body, MAX_BODY, MORE_BODY);
		if (buf_err(&body))
			buf_fail(b, buf_err(&body));
		for (const char *p = buf_cstr(&body); *p; p++) {
			buf_putc(b, *p);
			if (*p == '\n' && p[1])
				buf_puts(b, "    ");
		}
		buf_dispose(&body);
		buf_puts(b, "\n");
	}
}

/* One member of a quoted memory: at most max bytes of s as a JSON
 * string, redacted before it is escaped (the whole prompt is redacted
 * again when sent, and a secret cut out of escaped text could take an
 * escape with it and end the string early). */
static void put_quoted_field(struct buf *b, struct jw *w, const char *key, const char *s, size_t max,
			     const char *more)
{
	struct buf cut = BUF_INIT_CAP(max + strlen(more)), clean = BUF_INIT_CAP(REDACT_CAP(max + strlen(more)));

	put_capped(&cut, s ? s : "", max, more);
	if (!buf_err(&cut))
		redact(buf_cstr(&cut), cut.len, &clean, NULL);
	if (buf_err(&cut) || buf_err(&clean))
		buf_fail(b, buf_err(&cut) ? buf_err(&cut) : buf_err(&clean));
	jw_key(w, key);
	jw_strn(w, buf_cstr(&clean), clean.len);
	buf_dispose(&cut);
	buf_dispose(&clean);
}

/* An untrusted memory: one JSON object on one line, every field a string,
 * so that nothing it holds can pass for the prompt's own text. */
static void put_quoted(struct buf *b, const struct model_memory *m)
{
	struct jw w;

	jw_init(&w, b);
	jw_obj(&w);
	put_quoted_field(b, &w, "name", m->name, MAX_DESCRIPTION, "…");
	put_quoted_field(b, &w, "description", m->description, MAX_DESCRIPTION, "…");
	put_quoted_field(b, &w, "text", m->body, MAX_BODY, MORE_BODY);
	jw_end(&w);
	buf_putc(b, '\n');
}

size_t model_tasks_put_memories(struct buf *b, const char *heading, const struct model_memory *mems,
				size_t n)
{
	size_t trusted = 0, quoted = 0;

	for (size_t i = 0; i < n; i++) {
		if (mems[i].untrusted)
			continue;
		if (!trusted++)
			buf_puts(b, heading);
		put_trusted(b, &mems[i]);
	}
	for (size_t i = 0; i < n; i++) {
		if (!mems[i].untrusted)
			continue;
		if (!quoted++)
			buf_puts(b, MODEL_QUOTED_HEADING);
		put_quoted(b, &mems[i]);
	}
	return trusted + quoted;
}

/* ---- tick ---- */

struct tick_task {
	struct model *m;
	model_tick_fn fn;
	void *ud;
	model_line_fn line;
	void *line_ud;
};

static void tick_done(void *ud, const struct model_result *r)
{
	struct tick_task *t = ud;
	struct model_suggestions *s = NULL;
	int err = r->err;
	if (!err) {
		s = xcalloc(1, sizeof(*s));
		err = model_reply_tick(s, r->text, r->len, task_log, t->m);
		if (!err && t->line)
			model_reply_suggestions_check(s, t->line, t->line_ud, task_log, t->m);
		if (err) {
			model_reply_suggestions_dispose(s);
			free(s);
			s = NULL;
		}
	}
	t->fn(t->ud, err, s);
	free(t);
}

int model_tasks_tick(struct model *m, const struct model_tick_req *rq, model_tick_fn fn, void *ud)
{
	struct buf u = BUF_INIT_CAP(BUF_CAP_LISTING); /* a prompt that quotes memories */
	struct tick_task *t;
	int rc;

	buf_puts(&u, "Lines changed since the last tick, each behind its 1-based line number:\n");
	for (size_t i = 0; i < rq->nhunks && !buf_err(&u); i++) {
		const struct model_hunk *h = &rq->hunks[i];
		struct buf text = BUF_INIT_CAP(MAX_HUNK + STRLEN_LIT("\n"));
		long ln = h->line > 0 ? h->line : 1;
		if (u.len > MAX_TICK_TEXT) {
			buf_printf(&u, "\n(%zu more changed regions not shown)\n", rq->nhunks - i);
			break;
		}
		buf_printf(&u, "\nfile: %s\n", h->file ? h->file : "");
		put_capped(&text, h->text, MAX_HUNK, "\n");
		if (buf_err(&text))
			buf_fail(&u, buf_err(&text));
		for (const char *p = buf_cstr(&text); *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			buf_printf(&u, "%6ld| ", ln++);
			buf_append(&u, p, n);
			buf_putc(&u, '\n');
			p += n + (nl ? 1 : 0);
		}
		buf_dispose(&text);
	}
	if (!model_tasks_put_memories(&u, "\nMemories that may apply:\n", rq->mems,
				      rq->nmems < MODEL_MAX_TICK_MEMORIES ? rq->nmems : MODEL_MAX_TICK_MEMORIES))
		buf_puts(&u, "\nNo memory applies to these files.\n");
	buf_puts(&u, "\nAnswer with the JSON object described.\n");
	if ((rc = buf_err(&u)))
		goto out;

	t = xcalloc(1, sizeof(*t));
	*t = (struct tick_task){m, fn, ud, rq->line, rq->line_ud};
	rc = model_ask_owned(m, MODEL_TICK, model_prompt(MODEL_TICK), u.data, tick_done, t, free);
	if (rc)
		free(t);
out:
	buf_dispose(&u);
	return rc;
}

/* ---- dream ---- */

struct dream_task {
	struct model *m;
	model_dream_fn fn;
	void *ud;
	char **names;
	size_t n;
};

static void dream_task_free(void *ud)
{
	struct dream_task *t = ud;
	for (size_t i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	free(t);
}

static bool dream_exists(void *ud, const char *name)
{
	struct dream_task *t = ud;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->names[i], name))
			return true;
	return false;
}

static void dream_done(void *ud, const struct model_result *r)
{
	struct dream_task *t = ud;
	struct model_ops *ops = NULL;
	int err = r->err;
	if (!err) {
		ops = xcalloc(1, sizeof(*ops));
		err = model_reply_dream(ops, r->text, r->len, dream_exists, t, task_log, t->m);
		if (err) {
			free(ops);
			ops = NULL;
		}
	}
	t->fn(t->ud, err, ops);
	dream_task_free(t);
}

int model_tasks_dream(struct model *m, const struct model_dream_req *rq, model_dream_fn fn, void *ud)
{
	struct buf u = BUF_INIT_CAP(BUF_CAP_LISTING); /* a prompt that quotes memories */
	struct dream_task *t;
	int rc;

	if (!rq->npairs)
		return kr_errc(KR_EINVAL, "no pair to ask about");
	model_tasks_put_memories(&u, "Memories:\n", rq->mems, rq->nmems);
	buf_puts(&u, "\nPairs to decide:\n");
	for (size_t i = 0; i < rq->npairs; i++) {
		if (rq->pairs[i].a >= rq->nmems || rq->pairs[i].b >= rq->nmems) {
			buf_dispose(&u);
			return kr_errc(KR_EINVAL, "pair %zu names no memory of the request", i + 1);
		}
		buf_printf(&u, "- %s and %s\n", rq->mems[rq->pairs[i].a].name,
			   rq->mems[rq->pairs[i].b].name);
	}
	buf_puts(&u, "\nAnswer with the JSON object described.\n");
	if ((rc = buf_err(&u)))
		goto out;

	t = xcalloc(1, sizeof(*t));
	t->m = m;
	t->fn = fn;
	t->ud = ud;
	t->names = xcalloc(rq->nmems + 1, sizeof(char *));
	for (size_t i = 0; i < rq->nmems; i++)
		if (rq->mems[i].name)
			t->names[t->n++] = xstrdup(rq->mems[i].name);
	rc = model_ask_owned(m, MODEL_DREAM, model_prompt(MODEL_DREAM), u.data, dream_done, t,
			     dream_task_free);
	if (rc)
		dream_task_free(t);
out:
	buf_dispose(&u);
	return rc;
}

/* ---- remember ---- */

struct remember_task {
	struct model *m;
	model_remember_fn fn;
	void *ud;
};

static void remember_done(void *ud, const struct model_result *r)
{
	struct remember_task *t = ud;
	struct model_proposal *p = NULL;
	int err = r->err;
	if (!err) {
		p = xcalloc(1, sizeof(*p));
		err = model_reply_remember(p, r->text, r->len, task_log, t->m);
		if (err) {
			free(p);
			p = NULL;
		}
	}
	t->fn(t->ud, err, p);
	free(t);
}

int model_tasks_remember(struct model *m, const char *text, model_remember_fn fn, void *ud)
{
	struct buf u = BUF_INIT_CAP(BUF_CAP_LISTING); /* a prompt */
	struct remember_task *t;
	int rc;

	buf_puts(&u, "The note to file:\n\n");
	put_capped(&u, text, MAX_REMEMBER, " …");
	buf_puts(&u, "\n\nAnswer with the JSON object described.\n");
	if ((rc = buf_err(&u)))
		goto out;
	t = xcalloc(1, sizeof(*t));
	*t = (struct remember_task){m, fn, ud};
	rc = model_ask_owned(m, MODEL_REMEMBER, model_prompt(MODEL_REMEMBER), u.data,
			     remember_done, t, free);
	if (rc)
		free(t);
out:
	buf_dispose(&u);
	return rc;
}

/* ---- improve ---- */

struct improve_task {
	struct model *m;
	model_improve_fn fn;
	void *ud;
};

static void improve_done(void *ud, const struct model_result *r)
{
	struct improve_task *t = ud;
	char *rep = NULL;
	int err = r->err;
	if (!err && !(err = model_reply_improve(&rep, r->text, r->len, task_log, t->m)) &&
	    strstr(rep, REDACTED)) {
		model_log(t->m, "model reply (improve) ignored: it writes " REDACTED);
		free(rep);
		rep = NULL;
		err = KR_EINVAL;
	}
	t->fn(t->ud, err, rep);
	free(t);
}

int model_tasks_improve(struct model *m, const struct model_improve_req *rq, model_improve_fn fn,
		  void *ud)
{
	/* a prompt; the selection (at most MAX_SELECTION) redacted */
	struct buf u = BUF_INIT_CAP(BUF_CAP_LISTING), probe = BUF_INIT_CAP(BUF_CAP_MEMFILE);
	struct improve_task *t;
	int rc, secrets = 0;

	if (!rq->selection || !*rq->selection)
		return kr_errc(KR_EINVAL, "the selection is empty");
	if (strlen(rq->selection) > MAX_SELECTION)
		return kr_errc(KR_EINVAL, "the selection is longer than %d bytes", MAX_SELECTION);
	/* a secret would come back as [REDACTED] and be lost: don't ask */
	rc = redact(rq->selection, strlen(rq->selection), &probe, &secrets);
	buf_dispose(&probe);
	if (rc)
		return rc;
	if (secrets)
		return kr_errc(KR_EINVAL, "the selection holds a secret; it is not sent to the model");
	buf_printf(&u, "file: %s\n", rq->file ? rq->file : "");
	model_tasks_put_memories(&u, "\nMemories to follow:\n", rq->mems,
				 rq->nmems < MODEL_MAX_TICK_MEMORIES ? rq->nmems : MODEL_MAX_TICK_MEMORIES);
	buf_puts(&u, "\nThe selection, between the markers:\n<<<SELECTION\n");
	buf_puts(&u, rq->selection);
	buf_puts(&u, "\nSELECTION>>>\n\nAnswer with the JSON object described.\n");
	if ((rc = buf_err(&u)))
		goto out;
	t = xcalloc(1, sizeof(*t));
	*t = (struct improve_task){m, fn, ud};
	rc = model_ask_owned(m, MODEL_ACTION, model_prompt(MODEL_ACTION), u.data, improve_done,
			     t, free);
	if (rc)
		free(t);
out:
	buf_dispose(&u);
	return rc;
}
