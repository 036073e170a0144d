/* proxy_route: the editor's requests that went to the child (merged
 * with kairos's answer where both speak, or passed through), the child's
 * own requests to the editor under ids of ours ("c:<n>"), and what the
 * child says, routed to where it belongs. */
#include "proxy_int.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/rpc_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The id as a key that survives re-encoding: strings decoded. */
char *proxy_route_id_key(const struct json *j, int i)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	size_t n;
	const char *raw;

	if (json_type(j, i) == JSON_STRING) {
		buf_puts(&b, "s:");
		json_str(j, i, &b);
		return buf_detach(&b);
	}
	raw = json_raw(j, i, &n);
	buf_puts(&b, "n:");
	buf_append(&b, raw, n);
	return buf_detach(&b);
}

struct fwd *proxy_route_add(struct proxy *p, const char *key, const char *id, size_t id_len,
			   enum merge_kind kind, uint64_t timeout)
{
	struct fwd *f;
	if (p->nfwd == p->capfwd) {
		p->capfwd = p->capfwd ? p->capfwd * 2 : 16;
		p->fwd = xrealloc(p->fwd, p->capfwd * sizeof(*p->fwd));
	}
	f = &p->fwd[p->nfwd++];
	memset(f, 0, sizeof(*f));
	f->key = xstrdup(key);
	f->id = xstrndup(id, id_len);
	f->kind = kind;
	if (timeout) {
		f->deadline = loop_now_ms() + timeout;
		if (!p->merge_timer.armed || p->merge_timer.due_ms > f->deadline)
			loop_timer_arm(p->host.loop, &p->merge_timer, timeout);
	}
	return f;
}

ssize_t proxy_route_find(const struct proxy *p, const char *key)
{
	for (size_t i = 0; i < p->nfwd; i++)
		if (!strcmp(p->fwd[i].key, key))
			return (ssize_t)i;
	return -1;
}

void proxy_route_remove(struct proxy *p, size_t i)
{
	struct fwd *f = &p->fwd[i];
	free(f->key);
	free(f->id);
	free(f->mine);
	free(f->child);
	p->fwd[i] = p->fwd[--p->nfwd];
}

static bool is_error_reply(const char *body, size_t len, struct rpc_msg *m)
{
	rpc_msg_parse(m, body, len);
	return m->kind != RPC_RESPONSE || m->error >= 0 || m->result < 0;
}

static void send_result(struct proxy *p, const char *id, const struct buf *result)
{
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	if (rpc_write_result(&b, id, strlen(id), result->data, result->len) == 0)
		proxy_host_send(p, b.data, b.len);
	buf_dispose(&b);
}

static bool offers(const struct json *j, int caps, const char *name)
{
	enum json_type t = json_type(j, json_get(j, caps, name));
	return t != JSON_NONE && t != JSON_FALSE && t != JSON_NULL;
}

/* What the child offers of the merged requests: the others are not sent. */
static void note_caps(struct proxy *p, const struct json *j, int result)
{
	int caps = json_get(j, result, "capabilities");
	p->no_code_actions = !offers(j, caps, "codeActionProvider");
	p->no_pull = !offers(j, caps, "diagnosticProvider");
}

/* Answers the editor once both sides are in (or the child is not). */
void proxy_route_complete(struct proxy *p, size_t i)
{
	struct fwd *f = &p->fwd[i];
	struct rpc_msg cm, mm;
	bool cerr, merr;
	struct buf out = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	int rc = -1;

	if (!f->mine || !f->child_done)
		return;
	if (!f->child || f->kind == FWD_SHUTDOWN) {
		proxy_host_send(p, f->mine, f->mine_len);
		proxy_route_remove(p, i);
		return;
	}
	cerr = is_error_reply(f->child, f->child_len, &cm);
	merr = is_error_reply(f->mine, f->mine_len, &mm);
	if (cerr && merr) {
		proxy_host_send(p, f->child, f->child_len);
	} else if (cerr || (merr && f->kind == FWD_INITIALIZE)) {
		proxy_host_send(p, f->mine, f->mine_len);
	} else {
		/* kairos's error (no such feature yet) merges as nothing */
		size_t cn, mn = 0;
		const char *c = json_raw(&cm.j, cm.result, &cn), *m = NULL;
		if (!merr)
			m = json_raw(&mm.j, mm.result, &mn);
		if (f->kind == FWD_INITIALIZE) {
			enum text_enc enc;
			rc = proxy_merge_initialize(&out, c, cn, m, mn, &enc);
			if (rc == 0)
				p->host.set_encoding(p->host.ud, enc);
			note_caps(p, &cm.j, cm.result);
		} else if (f->kind == FWD_CODE_ACTION) {
			rc = proxy_merge_code_actions(&out, c, cn, m, mn);
		} else {
			rc = proxy_merge_pull(&out, c, cn, m, mn);
		}
		if (rc == 0)
			send_result(p, f->id, &out);
		else
			proxy_host_send(p, f->child, f->child_len);
	}
	rpc_msg_dispose(&cm);
	rpc_msg_dispose(&mm);
	buf_dispose(&out);
	proxy_route_remove(p, i);
}

static void on_merge_timer(struct loop *l, void *ud)
{
	struct proxy *p = ud;
	uint64_t now = loop_now_ms(), next = 0;

	for (size_t i = 0; i < p->nfwd;) {
		struct fwd *f = &p->fwd[i];
		if (f->deadline && !f->child_done && f->deadline <= now) {
			if (f->kind != FWD_SHUTDOWN)
				fprintf(stderr, "kairos: %s did not answer request %s in time; kairos answers alone\n",
					p->name, f->id);
			f->child_done = true;
			if (f->mine) {
				proxy_route_complete(p, i);
				continue;
			}
		}
		if (f->deadline && !f->child_done && (!next || f->deadline < next))
			next = f->deadline;
		i++;
	}
	if (next)
		loop_timer_arm(l, &p->merge_timer, next - now);
}

/* Appends body with token tok (an id or data) replaced by raw JSON id. */
int proxy_route_splice_id(struct buf *out, const char *body, size_t len, const struct json *j, int tok,
		      const char *id, size_t idn)
{
	size_t rn;
	const char *r = json_raw(j, tok, &rn);
	size_t at = (size_t)(r - body);
	buf_append(out, body, at);
	buf_append(out, id, idn);
	buf_append(out, r + rn, len - at - rn);
	return buf_err(out);
}

/* A document kairos holds, opened again in a restarted child. */
static void reopen_doc(void *ud, const char *uri, const char *language, long long version,
		       const char *text, size_t len)
{
	struct proxy *p = ud;
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct jw w;

	if (p->pid <= 0)
		return;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "textDocument");
	jw_obj(&w);
	jw_kstr(&w, "uri", uri);
	jw_kstr(&w, "languageId", language ? language : "plaintext");
	jw_kint(&w, "version", version);
	jw_key(&w, "text");
	jw_strn(&w, text, len);
	jw_end(&w);
	jw_end(&w);
	if (!buf_err(&b))
		proxy_child_notify(p, "textDocument/didOpen", b.data, b.len);
	buf_dispose(&b);
}

static void own_reply(struct proxy *p, const char *key)
{
	if (!p->init_key || strcmp(key, p->init_key))
		return;
	free(p->init_key);
	p->init_key = NULL;
	p->starting = false;
	proxy_child_notify(p, "initialized", "{}", STRLEN_LIT("{}"));
	if (p->last_config)
		proxy_child_send(p, p->last_config, strlen(p->last_config));
	p->host.each_doc(p->host.ud, reopen_doc, p);
	{
		/* detached first: a send may find the child dead and clear the list */
		char **held = p->held;
		size_t *held_len = p->held_len, nheld = p->nheld;
		p->held = NULL;
		p->held_len = NULL;
		p->nheld = 0;
		for (size_t i = 0; i < nheld; i++) {
			proxy_child_send(p, held[i], held_len[i]);
			free(held[i]);
		}
		free(held);
		free(held_len);
	}
	proxy_host_say(p, MSG_INFO, false, "%s restarted", p->name);
}

void proxy_route_child_message(struct proxy *p, const char *body, size_t len)
{
	struct rpc_msg m;
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	char *key = NULL;
	ssize_t i;

	rpc_msg_parse(&m, body, len);
	switch (m.kind) {
	case RPC_INVALID:
		fprintf(stderr, "kairos: %s sent an invalid message (%s): dropped\n", p->name, m.err_msg);
		break;
	case RPC_RESPONSE:
		if (!m.id)
			break; /* an error about something unreadable: nobody to tell */
		key = proxy_route_id_key(&m.j, json_get(&m.j, 0, "id"));
		if (!strncmp(key, OWN_KEY, STRLEN_LIT(OWN_KEY))) {
			own_reply(p, key);
			break;
		}
		i = proxy_route_find(p, key);
		if (i < 0)
			break; /* answered already (timed out) */
		if (p->fwd[i].kind == FWD_CHILD) {
			proxy_host_send(p, body, len);
			proxy_route_remove(p, (size_t)i);
		} else if (!p->fwd[i].child_done) {
			p->fwd[i].child = xstrndup(body, len);
			p->fwd[i].child_len = len;
			p->fwd[i].child_done = true;
			proxy_route_complete(p, (size_t)i);
		}
		break;
	case RPC_REQUEST: {
		struct remap *r;
		char id[40];
		int n;
		if (p->nremap == p->capremap) {
			p->capremap = p->capremap ? p->capremap * 2 : 8;
			p->remap = xrealloc(p->remap, p->capremap * sizeof(*p->remap));
		}
		r = &p->remap[p->nremap++];
		r->n = ++p->next_remap;
		r->orig = xstrndup(m.id, m.id_len);
		n = snprintf(id, sizeof(id), "\"c:%lld\"", r->n);
		if (proxy_route_splice_id(&b, body, len, &m.j, json_get(&m.j, 0, "id"), id, (size_t)n) == 0)
			proxy_host_send(p, b.data, b.len);
		break;
	}
	case RPC_NOTIFICATION:
		if (!strcmp(m.method, PUBLISH)) {
			proxy_diag_watch_errors(p, &m);
			proxy_diag_publish(p, &m, body, len, true);
		} else if (!strcmp(m.method, "$/cancelRequest")) {
			/* the child cancels one of its requests: use our id for it */
			int t = json_get(&m.j, m.params, "id");
			size_t rn;
			const char *raw = json_raw(&m.j, t, &rn);
			for (size_t k = 0; k < p->nremap; k++)
				if (strlen(p->remap[k].orig) == rn && !memcmp(p->remap[k].orig, raw, rn)) {
					char id[40];
					int n = snprintf(id, sizeof(id), "\"c:%lld\"", p->remap[k].n);
					if (proxy_route_splice_id(&b, body, len, &m.j, t, id, (size_t)n) == 0)
						proxy_host_send(p, b.data, b.len);
					break;
				}
		} else {
			proxy_host_send(p, body, len);
		}
		break;
	}
	free(key);
	buf_dispose(&b);
	rpc_msg_dispose(&m);
}

void proxy_route_forward(struct proxy *p, struct rpc_msg *m, const char *body, size_t len,
		    enum merge_kind kind, uint64_t timeout)
{
	char *key = proxy_route_id_key(&m->j, json_get(&m->j, 0, "id"));
	proxy_route_add(p, key, m->id, m->id_len, kind, timeout);
	free(key);
	proxy_child_send(p, body, len);
}

void proxy_route_child_gone(struct proxy *p)
{
	p->starting = false;
	free(p->init_key);
	p->init_key = NULL;
	for (size_t i = 0; i < p->nheld; i++)
		free(p->held[i]);
	p->nheld = 0;
	for (size_t i = 0; i < p->nremap; i++)
		free(p->remap[i].orig);
	p->nremap = 0;
	/* nothing the child owed is left unanswered */
	for (size_t i = 0; i < p->nfwd;) {
		struct fwd *f = &p->fwd[i];
		if (f->kind == FWD_CHILD) {
			proxy_host_reply_error(p, f->id, strlen(f->id), RPC_CONTENT_MODIFIED,
					       "the language server exited; kairos restarts it");
			proxy_route_remove(p, i);
			continue;
		}
		if (!f->child_done) {
			f->child_done = true;
			if (f->mine) {
				proxy_route_complete(p, i);
				continue;
			}
		}
		i++;
	}
}

void proxy_route_init(struct proxy *p)
{
	loop_timer_init(&p->merge_timer, on_merge_timer, p);
}

void proxy_route_free(struct proxy *p)
{
	loop_timer_cancel(p->host.loop, &p->merge_timer);
	free(p->init_params);
	free(p->last_config);
	free(p->init_key);
	while (p->nfwd)
		proxy_route_remove(p, p->nfwd - 1);
	free(p->fwd);
	for (size_t i = 0; i < p->nremap; i++)
		free(p->remap[i].orig);
	free(p->remap);
	for (size_t i = 0; i < p->nheld; i++)
		free(p->held[i]);
	free(p->held);
	free(p->held_len);
}
