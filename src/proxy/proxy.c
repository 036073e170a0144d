/* proxy: `kairos lsp -- CMD`. Runs the language server CMD as a child on
 * two pipes (its stderr is kairos's), routes each message of the editor
 * to the child, to kairos or to both, merges the answers where both speak,
 * remaps the child's own requests to the editor, restarts a child that
 * dies, and journals the compiler errors that keep coming back.
 * protocol/proxy.md is the contract. */
#include "kairos/proxy.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/rpc_out.h"
#include "kairos/rpc_write.h"

#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MERGE_TIMEOUT_MS 5000     /* code actions, pull diagnostics */
#define INIT_TIMEOUT_MS 10000     /* the editor's initialize */
#define SHUTDOWN_TIMEOUT_MS 1000  /* the editor waits for shutdown's reply */
#define CRASH_WINDOW_MS 60000
#define CRASH_LIMIT 5             /* crashes within the window before giving up */
#define BACKOFF_FIRST_MS 250
#define BACKOFF_MAX_MS 8000
#define OUTQ_MAX ((size_t)64 << 20) /* a child that reads nothing is hung */
/* LSP MessageType */
enum { MSG_ERROR = 1, MSG_WARNING = 2, MSG_INFO = 3 };
#define JOURNAL_FIRST 3           /* journal a kind of error on its 3rd appearance */
#define JOURNAL_EVERY 10          /* and on every 10th after that */
#define MAX_SHAPES 1000           /* kinds of error counted per session */

enum merge_kind {
	FWD_CHILD = 0, /* the child's alone: its reply passes through */
	FWD_INITIALIZE,
	FWD_SHUTDOWN,
	FWD_CODE_ACTION,
	FWD_PULL,
};

/* A request of the editor that went to the child. */
struct fwd {
	char *key;        /* normalised id (id_key) */
	char *id;         /* raw JSON id */
	enum merge_kind kind;
	char *mine;       /* kairos's reply body */
	size_t mine_len;
	char *child;      /* the child's reply body */
	size_t child_len;
	bool child_done;  /* replied, died or timed out */
	uint64_t deadline;
};

/* A request of the child to the editor, sent as "c:<n>". */
struct remap {
	long long n;
	char *orig;       /* the child's raw id */
};

/* The last diagnostics each side published for one document. */
struct diagset {
	char *uri;        /* raw JSON string */
	char *child, *mine; /* raw JSON arrays, NULL when none */
	char *child_ver, *mine_ver;
	uint64_t *errs;   /* hashes of the child's current errors */
	size_t nerrs;
};

struct shape {
	char *key;
	char *fields;     /* what the journal line says about it */
	int count;
};

struct proxy {
	struct lsp_filter_host host;
	char **argv;
	char *name;       /* argv[0]'s base name, for messages */
	pid_t pid;
	int to_fd, from_fd;
	struct rpc_reader rd;
	struct rpc_out out; /* to the child */
	bool starting;    /* restarted: our initialize is unanswered */
	bool gave_up;
	bool no_code_actions, no_pull; /* the child said it has none */
	char *start_error; /* told to the editor once it is initialized */
	char *init_params;
	char *last_config; /* the last didChangeConfiguration body */
	long long next_own;
	char *init_key;
	uint64_t crashes[CRASH_LIMIT];
	int ncrashes;
	struct loop_timer restart_timer, merge_timer;
	struct fwd *fwd;
	size_t nfwd, capfwd;
	struct remap *remap;
	size_t nremap, capremap;
	long long next_remap;
	char **held;      /* notifications held while the child starts */
	size_t *held_len;
	size_t nheld;
	struct diagset *diags;
	size_t ndiags, capdiags;
	struct shape *shapes;
	size_t nshapes, capshapes;
};

static void child_died(struct proxy *p, const char *why);
static void complete(struct proxy *p, size_t i);

/* ---- small helpers ---- */

static void send_editor(struct proxy *p, const char *body, size_t len)
{
	p->host.send(p->host.ud, body, len);
}

static void say(struct proxy *p, int type, bool show, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void say(struct proxy *p, int type, bool show, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->host.say(p->host.ud, type, show, msg);
}

static void reply_error(struct proxy *p, const char *id, size_t id_len, int code, const char *msg)
{
	struct buf b = BUF_INIT;
	if (rpc_write_error(&b, id, id_len, code, msg) == 0)
		send_editor(p, b.data, b.len);
	buf_dispose(&b);
}

static bool host_initialized(const struct proxy *p)
{
	return p->host.state(p->host.ud) & LSP_HOST_INITIALIZED;
}

static bool host_shutdown(const struct proxy *p)
{
	return p->host.state(p->host.ud) & LSP_HOST_SHUTDOWN;
}

/* The id as a key that survives re-encoding: strings decoded. */
static char *id_key(const struct json *j, int i)
{
	struct buf b = BUF_INIT;
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

static bool child_up(const struct proxy *p)
{
	return p->pid > 0 && !p->starting;
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* ---- writing to the child ---- */

static void on_child_out_error(void *ud, const char *why)
{
	child_died(ud, "its input closed");
}

static void child_send(struct proxy *p, const char *body, size_t len)
{
	if (p->pid > 0)
		rpc_out_send(&p->out, body, len);
}

/* Sends a request of kairos's own to the child; returns its key. */
static char *child_request(struct proxy *p, const char *method, const char *params)
{
	struct buf b = BUF_INIT, k = BUF_INIT;
	long long n = ++p->next_own;
	char id[40];
	int idn = snprintf(id, sizeof(id), "\"kairos:%lld\"", n);

	if (rpc_write_request(&b, id, (size_t)idn, method, params ? params : "null",
			      params ? strlen(params) : 4) == 0)
		child_send(p, b.data, b.len);
	buf_dispose(&b);
	buf_printf(&k, "s:kairos:%lld", n);
	return buf_detach(&k);
}

static void child_notify(struct proxy *p, const char *method, const char *params, size_t n)
{
	struct buf b = BUF_INIT;
	if (rpc_write_notification(&b, method, params, n) == 0)
		child_send(p, b.data, b.len);
	buf_dispose(&b);
}

/* ---- the table of forwarded requests ---- */

static struct fwd *fwd_add(struct proxy *p, const char *key, const char *id, size_t id_len,
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

static ssize_t fwd_find(const struct proxy *p, const char *key)
{
	for (size_t i = 0; i < p->nfwd; i++)
		if (!strcmp(p->fwd[i].key, key))
			return (ssize_t)i;
	return -1;
}

static void fwd_remove(struct proxy *p, size_t i)
{
	struct fwd *f = &p->fwd[i];
	free(f->key);
	free(f->id);
	free(f->mine);
	free(f->child);
	p->fwd[i] = p->fwd[--p->nfwd];
}

/* ---- merges ---- */

static bool is_error_reply(const char *body, size_t len, struct rpc_msg *m)
{
	rpc_msg_parse(m, body, len);
	return m->kind != RPC_RESPONSE || m->error >= 0 || m->result < 0;
}

static void send_result(struct proxy *p, const char *id, const struct buf *result)
{
	struct buf b = BUF_INIT;
	if (rpc_write_result(&b, id, strlen(id), result->data, result->len) == 0)
		send_editor(p, b.data, b.len);
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
static void complete(struct proxy *p, size_t i)
{
	struct fwd *f = &p->fwd[i];
	struct rpc_msg cm, mm;
	bool cerr, merr;
	struct buf out = BUF_INIT;
	int rc = -1;

	if (!f->mine || !f->child_done)
		return;
	if (!f->child || f->kind == FWD_SHUTDOWN) {
		send_editor(p, f->mine, f->mine_len);
		fwd_remove(p, i);
		return;
	}
	cerr = is_error_reply(f->child, f->child_len, &cm);
	merr = is_error_reply(f->mine, f->mine_len, &mm);
	if (cerr && merr) {
		send_editor(p, f->child, f->child_len);
	} else if (cerr || (merr && f->kind == FWD_INITIALIZE)) {
		send_editor(p, f->mine, f->mine_len);
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
			send_editor(p, f->child, f->child_len);
	}
	rpc_msg_dispose(&cm);
	rpc_msg_dispose(&mm);
	buf_dispose(&out);
	fwd_remove(p, i);
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
				complete(p, i);
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

/* ---- diagnostics ---- */

static struct diagset *diagset_get(struct proxy *p, const char *uri, size_t n)
{
	struct diagset *d;
	for (size_t i = 0; i < p->ndiags; i++)
		if (strlen(p->diags[i].uri) == n && !memcmp(p->diags[i].uri, uri, n))
			return &p->diags[i];
	if (p->ndiags == p->capdiags) {
		p->capdiags = p->capdiags ? p->capdiags * 2 : 16;
		p->diags = xrealloc(p->diags, p->capdiags * sizeof(*p->diags));
	}
	d = &p->diags[p->ndiags++];
	memset(d, 0, sizeof(*d));
	d->uri = xstrndup(uri, n);
	return d;
}

static void diagset_dispose(struct diagset *d)
{
	free(d->uri);
	free(d->child);
	free(d->mine);
	free(d->child_ver);
	free(d->mine_ver);
	free(d->errs);
}

static bool empty_array(const char *a)
{
	if (!a)
		return true;
	while (*a == ' ' || *a == '\n' || *a == '\t' || *a == '\r' || *a == '[')
		a++;
	return *a == ']';
}

static void set_str(char **dst, const char *p, size_t n)
{
	free(*dst);
	*dst = p ? xstrndup(p, n) : NULL;
}

/* One side published for a document: keep its set, send both. */
static void publish(struct proxy *p, struct rpc_msg *m, const char *body, size_t len, bool from_child)
{
	const struct json *j = &m->j;
	int u = json_get(j, m->params, "uri"), v = json_get(j, m->params, "version");
	int dg = json_get(j, m->params, "diagnostics");
	size_t un, vn, dn;
	const char *uri = json_raw(j, u, &un), *ver = json_raw(j, v, &vn), *diags = json_raw(j, dg, &dn);
	struct diagset *d;
	const char *other, *over;

	if (json_type(j, u) != JSON_STRING || json_type(j, dg) != JSON_ARRAY) {
		send_editor(p, body, len);
		return;
	}
	d = diagset_get(p, uri, un);
	set_str(from_child ? &d->child : &d->mine, diags, dn);
	set_str(from_child ? &d->child_ver : &d->mine_ver, v >= 0 ? ver : NULL, vn);
	other = from_child ? d->mine : d->child;
	over = from_child ? d->mine_ver : d->child_ver;
	if (empty_array(other)) {
		send_editor(p, body, len); /* nothing to merge: unchanged */
	} else {
		struct buf params = BUF_INIT, b = BUF_INIT;
		bool same_ver = v >= 0 && (!over || (strlen(over) == vn && !memcmp(over, ver, vn)));
		if (proxy_merge_publish(&params, uri, un, same_ver ? ver : NULL, vn, d->child,
					d->child ? strlen(d->child) : 0, d->mine,
					d->mine ? strlen(d->mine) : 0) == 0) {
			if (rpc_write_notification(&b, "textDocument/publishDiagnostics", params.data,
						   params.len) == 0)
				send_editor(p, b.data, b.len);
		}
		buf_dispose(&params);
		buf_dispose(&b);
	}
	if (empty_array(d->child) && empty_array(d->mine) && !d->nerrs) {
		size_t i = (size_t)(d - p->diags);
		diagset_dispose(d);
		p->diags[i] = p->diags[--p->ndiags];
	}
}

/* ---- journal: recurring compiler errors ---- */

static uint64_t fnv(const char *s, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Recurring compiler errors go to the personal store's journal, where a
 * dream can turn them into memories. */
static void journal_error(struct proxy *p, const struct shape *sh)
{
	struct buf line = BUF_INIT;
	if (buf_printf(&line, "%s,\"count\":%d", sh->fields, sh->count) == 0)
		p->host.journal(p->host.ud, "compiler_error", buf_cstr(&line));
	buf_dispose(&line);
}

static void record_error(struct proxy *p, const struct json *j, int dg, const char *uri)
{
	struct buf shape = BUF_INIT, names = BUF_INIT, key = BUF_INIT, msg = BUF_INIT, code = BUF_INIT;
	struct buf fields = BUF_INIT;
	int c = json_get(j, dg, "code"), src = json_get(j, dg, "source");
	struct shape *sh = NULL;
	size_t n;
	const char *r;

	json_str(j, json_get(j, dg, "message"), &msg);
	proxy_error_shape(&shape, &names, 4, buf_cstr(&msg), msg.len);
	if (json_type(j, c) == JSON_STRING) {
		json_str(j, c, &code);
	} else if (json_type(j, c) == JSON_NUMBER) {
		r = json_raw(j, c, &n);
		buf_append(&code, r, n);
	}
	if (code.len)
		buf_printf(&key, "code:%s", buf_cstr(&code));
	else
		buf_printf(&key, "shape:%s", buf_cstr(&shape));
	for (size_t i = 0; i < p->nshapes && !sh; i++)
		if (!strcmp(p->shapes[i].key, buf_cstr(&key)))
			sh = &p->shapes[i];
	if (!sh && p->nshapes >= MAX_SHAPES)
		goto out;
	if (!sh) {
		if (p->nshapes == p->capshapes) {
			p->capshapes = p->capshapes ? p->capshapes * 2 : 16;
			p->shapes = xrealloc(p->shapes, p->capshapes * sizeof(*p->shapes));
		}
		sh = &p->shapes[p->nshapes++];
		sh->key = buf_detach(&key);
		sh->count = 0;
		/* "source":..,"code":..,"shape":..,"names":[..],"uri":.. of the first one */
		buf_puts(&fields, "\"source\":");
		if (json_type(j, src) == JSON_STRING) {
			r = json_raw(j, src, &n);
			buf_append(&fields, r, n);
		} else {
			json_escape(&fields, p->name, strlen(p->name));
		}
		buf_puts(&fields, ",\"code\":");
		if (code.len)
			json_escape(&fields, code.data, code.len);
		else
			buf_puts(&fields, "null");
		buf_puts(&fields, ",\"shape\":");
		json_escape(&fields, buf_cstr(&shape), shape.len);
		buf_puts(&fields, ",\"names\":[");
		buf_append(&fields, names.data, names.len);
		buf_puts(&fields, "],\"uri\":");
		buf_puts(&fields, uri);
		sh->fields = buf_detach(&fields);
	}
	sh->count++;
	if (sh->count == JOURNAL_FIRST ||
	    (sh->count > JOURNAL_FIRST && (sh->count - JOURNAL_FIRST) % JOURNAL_EVERY == 0))
		journal_error(p, sh);
out:
	buf_dispose(&shape);
	buf_dispose(&names);
	buf_dispose(&key);
	buf_dispose(&msg);
	buf_dispose(&code);
	buf_dispose(&fields);
}

/* Counts each error that newly appears in a document's set (one that
 * stays across republishes counts once). */
static void watch_errors(struct proxy *p, struct rpc_msg *m)
{
	const struct json *j = &m->j;
	int u = json_get(j, m->params, "uri"), dg = json_get(j, m->params, "diagnostics");
	size_t un, n = 0;
	const char *uri = json_raw(j, u, &un);
	struct diagset *d;
	uint64_t *now;

	if (json_type(j, u) != JSON_STRING || json_type(j, dg) != JSON_ARRAY)
		return;
	d = diagset_get(p, uri, un);
	now = xcalloc((size_t)json_len(j, dg) + 1, sizeof(*now));
	for (int e = json_first(j, dg); e >= 0; e = json_next(j, dg, e)) {
		size_t mn;
		const char *msg;
		uint64_t h;
		bool seen = false;
		if (json_get_int(j, e, "severity", 0) != 1)
			continue;
		msg = json_raw(j, json_get(j, e, "message"), &mn);
		h = fnv(msg, mn, 0xcbf29ce484222325ull);
		for (size_t k = 0; k < d->nerrs && !seen; k++)
			seen = d->errs[k] == h;
		for (size_t k = 0; k < n && !seen; k++)
			seen = now[k] == h;
		if (!seen)
			record_error(p, j, e, d->uri);
		now[n++] = h;
	}
	free(d->errs);
	d->errs = now;
	d->nerrs = n;
}

/* ---- messages from the child ---- */

/* Appends body with token tok (an id or data) replaced by raw JSON id. */
static void splice_id(struct buf *out, const char *body, size_t len, const struct json *j, int tok,
		      const char *id, size_t idn)
{
	size_t rn;
	const char *r = json_raw(j, tok, &rn);
	size_t at = (size_t)(r - body);
	buf_append(out, body, at);
	buf_append(out, id, idn);
	buf_append(out, r + rn, len - at - rn);
}

/* A document kairos holds, opened again in a restarted child. */
static void reopen_doc(void *ud, const char *uri, const char *language, long long version,
		       const char *text, size_t len)
{
	struct proxy *p = ud;
	struct buf b = BUF_INIT;
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
	if (!w.err)
		child_notify(p, "textDocument/didOpen", b.data, b.len);
	buf_dispose(&b);
}

static void own_reply(struct proxy *p, const char *key)
{
	if (!p->init_key || strcmp(key, p->init_key))
		return;
	free(p->init_key);
	p->init_key = NULL;
	p->starting = false;
	child_notify(p, "initialized", "{}", 2);
	if (p->last_config)
		child_send(p, p->last_config, strlen(p->last_config));
	p->host.each_doc(p->host.ud, reopen_doc, p);
	{
		/* detached first: a send may find the child dead and clear the list */
		char **held = p->held;
		size_t *held_len = p->held_len, nheld = p->nheld;
		p->held = NULL;
		p->held_len = NULL;
		p->nheld = 0;
		for (size_t i = 0; i < nheld; i++) {
			child_send(p, held[i], held_len[i]);
			free(held[i]);
		}
		free(held);
		free(held_len);
	}
	say(p, MSG_INFO, false, "%s restarted", p->name);
}

static void child_message(struct proxy *p, const char *body, size_t len)
{
	struct rpc_msg m;
	struct buf b = BUF_INIT;
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
		key = id_key(&m.j, json_get(&m.j, 0, "id"));
		if (!strncmp(key, "s:kairos:", 9)) {
			own_reply(p, key);
			break;
		}
		i = fwd_find(p, key);
		if (i < 0)
			break; /* answered already (timed out) */
		if (p->fwd[i].kind == FWD_CHILD) {
			send_editor(p, body, len);
			fwd_remove(p, (size_t)i);
		} else if (!p->fwd[i].child_done) {
			p->fwd[i].child = xstrndup(body, len);
			p->fwd[i].child_len = len;
			p->fwd[i].child_done = true;
			complete(p, (size_t)i);
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
		splice_id(&b, body, len, &m.j, json_get(&m.j, 0, "id"), id, (size_t)n);
		send_editor(p, b.data, b.len);
		break;
	}
	case RPC_NOTIFICATION:
		if (!strcmp(m.method, "textDocument/publishDiagnostics")) {
			watch_errors(p, &m);
			publish(p, &m, body, len, true);
		} else if (!strcmp(m.method, "$/cancelRequest")) {
			/* the child cancels one of its requests: use our id for it */
			int t = json_get(&m.j, m.params, "id");
			size_t rn;
			const char *raw = json_raw(&m.j, t, &rn);
			for (size_t k = 0; k < p->nremap; k++)
				if (strlen(p->remap[k].orig) == rn && !memcmp(p->remap[k].orig, raw, rn)) {
					char id[40];
					int n = snprintf(id, sizeof(id), "\"c:%lld\"", p->remap[k].n);
					splice_id(&b, body, len, &m.j, t, id, (size_t)n);
					send_editor(p, b.data, b.len);
					break;
				}
		} else {
			send_editor(p, body, len);
		}
		break;
	}
	free(key);
	buf_dispose(&b);
	rpc_msg_dispose(&m);
}

static void reader_log(void *ud, const char *msg)
{
	struct proxy *p = ud;
	fprintf(stderr, "kairos: from %s: %s\n", p->name, msg);
}

static void on_child_readable(struct loop *l, int fd, short revents, void *ud)
{
	struct proxy *p = ud;
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	const char *body;
	size_t len;
	int r = RPC_NEED_MORE;
	pid_t pid = p->pid;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		child_died(p, NULL);
		return;
	}
	if (rpc_reader_feed(&p->rd, chunk, (size_t)n)) {
		child_died(p, "its output could not be read");
		return;
	}
	while (p->pid == pid && (r = rpc_reader_next(&p->rd, &body, &len)) == RPC_MESSAGE)
		child_message(p, body, len);
	if (p->pid == pid && r == RPC_FATAL) {
		fprintf(stderr, "kairos: %s: %s\n", p->name, kr_errmsg());
		child_died(p, "its output can no longer be trusted");
	}
}

/* ---- the child's life ---- */

static int spawn(struct proxy *p)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
	int e = 0;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		e = errno;
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		e = errno;
		goto fail;
	}
	if (pid == 0) {
		/* the child: stdin and stdout on the pipes, stderr shared */
		signal(SIGPIPE, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(127);
		execvp(p->argv[0], p->argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	while (read(err[0], &e, sizeof(e)) < 0 && errno == EINTR)
		;
	close(err[0]);
	if (e) {
		close(in[1]);
		close(out[0]);
		waitpid(pid, NULL, 0);
		return kr_err("cannot run %s: %s", p->argv[0], strerror(e));
	}
	p->pid = pid;
	p->to_fd = in[1];
	p->from_fd = out[0];
	rpc_out_init(&p->out, p->host.loop, p->to_fd, RPC_OUT_HEADERS, OUTQ_MAX, on_child_out_error, p);
	set_nonblock(p->from_fd);
	rpc_reader_dispose(&p->rd);
	rpc_reader_init(&p->rd, 0);
	p->rd.log = reader_log;
	p->rd.log_ud = p;
	loop_fd_add(p->host.loop, p->from_fd, POLLIN, on_child_readable, p);
	return 0;
fail:
	for (int k = 0; k < 2; k++) {
		if (in[k] >= 0)
			close(in[k]);
		if (out[k] >= 0)
			close(out[k]);
		if (err[k] >= 0)
			close(err[k]);
	}
	return kr_err("cannot start %s: %s", p->argv[0], strerror(e));
}

static void describe_status(char *out, size_t n, int st)
{
	if (WIFEXITED(st))
		snprintf(out, n, "exit status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(out, n, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(out, n, "status %d", st);
}

/* Stops watching and reaps the child (killing it if it still runs). */
static void reap(struct proxy *p, char *status, size_t n)
{
	int st = 0;
	pid_t r;

	loop_fd_del(p->host.loop, p->from_fd);
	rpc_out_dispose(&p->out);
	close(p->from_fd);
	close(p->to_fd);
	p->from_fd = p->to_fd = -1;
	r = waitpid(p->pid, &st, WNOHANG);
	if (r == 0) {
		/* output closed but alive: give it a moment, then kill it */
		for (int k = 0; k < 20 && r == 0; k++) {
			struct timespec ts = {0, 5 * 1000000};
			nanosleep(&ts, NULL);
			r = waitpid(p->pid, &st, WNOHANG);
		}
		if (r == 0) {
			kill(p->pid, SIGKILL);
			r = waitpid(p->pid, &st, 0);
		}
	}
	if (r > 0)
		describe_status(status, n, st);
	else
		snprintf(status, n, "gone");
	p->pid = 0;
}

static void start_child(struct proxy *p);

static void on_restart_timer(struct loop *l, void *ud)
{
	start_child(ud);
}

/* Counts a crash; restarts with backoff or gives up. */
static void crashed(struct proxy *p, const char *what)
{
	uint64_t now = loop_now_ms();
	int recent = 0;
	unsigned delay;

	if (p->ncrashes == CRASH_LIMIT) {
		memmove(p->crashes, p->crashes + 1, (CRASH_LIMIT - 1) * sizeof(*p->crashes));
		p->ncrashes--;
	}
	p->crashes[p->ncrashes++] = now;
	for (int k = 0; k < p->ncrashes; k++)
		if (now - p->crashes[k] <= CRASH_WINDOW_MS)
			recent++;
	if (recent >= CRASH_LIMIT) {
		p->gave_up = true;
		say(p, MSG_ERROR, true,
		    "kairos: %s %s; it failed %d times within %d s, so kairos stopped restarting it "
		    "(kairos's own features go on)",
		    p->name, what, recent, CRASH_WINDOW_MS / 1000);
		return;
	}
	delay = BACKOFF_FIRST_MS << (recent - 1);
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	say(p, MSG_WARNING, true, "kairos: %s %s; restarting it in %u ms", p->name, what, delay);
	loop_timer_arm(p->host.loop, &p->restart_timer, delay);
}

static void start_child(struct proxy *p)
{
	if (spawn(p)) {
		if (!host_initialized(p)) {
			/* told once the editor is connected; kairos serves alone */
			free(p->start_error);
			p->start_error = xstrdup(kr_errmsg());
			p->gave_up = true;
			fprintf(stderr, "kairos: %s\n", kr_errmsg());
			return;
		}
		crashed(p, "could not be started");
		return;
	}
	if (host_initialized(p) && p->init_params) {
		p->starting = true;
		free(p->init_key);
		p->init_key = child_request(p, "initialize", p->init_params);
	}
}

static void child_died(struct proxy *p, const char *why)
{
	char status[64], what[160];

	if (p->pid <= 0)
		return;
	reap(p, status, sizeof(status));
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
			reply_error(p, f->id, strlen(f->id), RPC_CONTENT_MODIFIED,
					   "the language server exited; kairos restarts it");
			fwd_remove(p, i);
			continue;
		}
		if (!f->child_done) {
			f->child_done = true;
			if (f->mine) {
				complete(p, i);
				continue;
			}
		}
		i++;
	}
	if (host_shutdown(p) || loop_stopped(p->host.loop))
		return;
	snprintf(what, sizeof(what), "stopped (%s%s%s)", status, why ? ": " : "", why ? why : "");
	fprintf(stderr, "kairos: %s %s\n", p->name, what);
	crashed(p, what);
}

static void wait_child(struct proxy *p)
{
	uint64_t until = loop_now_ms() + 1000;
	int st;
	pid_t r = 0;

	while ((r = waitpid(p->pid, &st, WNOHANG)) == 0 && loop_now_ms() < until) {
		struct timespec ts = {0, 5 * 1000000};
		nanosleep(&ts, NULL);
	}
	if (r == 0) {
		kill(p->pid, SIGTERM);
		until = loop_now_ms() + 500;
		while ((r = waitpid(p->pid, &st, WNOHANG)) == 0 && loop_now_ms() < until) {
			struct timespec ts = {0, 5 * 1000000};
			nanosleep(&ts, NULL);
		}
		if (r == 0) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &st, 0);
		}
	}
	p->pid = 0;
}

/* The filter's end: what is queued for the child (exit, most likely)
 * still reaches it; then it gets a moment to exit before it is killed. */
static void filter_free(void *ud)
{
	struct proxy *p = ud;

	if (p->pid > 0)
		rpc_out_drain(&p->out, 500);
	if (p->pid > 0) {
		loop_fd_del(p->host.loop, p->from_fd);
		rpc_out_dispose(&p->out);
		close(p->to_fd);
		close(p->from_fd);
		wait_child(p);
	}
	loop_timer_cancel(p->host.loop, &p->restart_timer);
	loop_timer_cancel(p->host.loop, &p->merge_timer);
	for (size_t i = 0; p->argv[i]; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->name);
	rpc_reader_dispose(&p->rd);
	rpc_out_dispose(&p->out);
	free(p->start_error);
	free(p->init_params);
	free(p->last_config);
	free(p->init_key);
	while (p->nfwd)
		fwd_remove(p, p->nfwd - 1);
	free(p->fwd);
	for (size_t i = 0; i < p->nremap; i++)
		free(p->remap[i].orig);
	free(p->remap);
	for (size_t i = 0; i < p->nheld; i++)
		free(p->held[i]);
	free(p->held);
	free(p->held_len);
	for (size_t i = 0; i < p->ndiags; i++)
		diagset_dispose(&p->diags[i]);
	free(p->diags);
	for (size_t i = 0; i < p->nshapes; i++) {
		free(p->shapes[i].key);
		free(p->shapes[i].fields);
	}
	free(p->shapes);
	free(p);
}

/* ---- messages from the editor ---- */

static bool is_kairos_only(struct rpc_msg *m)
{
	if (!strncmp(m->method, "kairos/", 7))
		return true;
	if (!strcmp(m->method, "workspace/executeCommand")) {
		int c = json_get(&m->j, m->params, "command");
		size_t n;
		const char *raw = json_raw(&m->j, c, &n);
		return json_type(&m->j, c) == JSON_STRING && n > 8 && !memcmp(raw, "\"kairos.", 8);
	}
	return false;
}

static void hold(struct proxy *p, const char *body, size_t len)
{
	p->held = xrealloc(p->held, (p->nheld + 1) * sizeof(*p->held));
	p->held_len = xrealloc(p->held_len, (p->nheld + 1) * sizeof(*p->held_len));
	p->held[p->nheld] = xstrndup(body, len);
	p->held_len[p->nheld++] = len;
}

/* A request for the child while it is down: answered at once. */
static void refuse(struct proxy *p, struct rpc_msg *m)
{
	char msg[200];
	if (p->gave_up)
		snprintf(msg, sizeof(msg), "the language server %s is not running", p->name);
	else
		snprintf(msg, sizeof(msg), "the language server %s is restarting", p->name);
	reply_error(p, m->id, m->id_len, p->gave_up ? RPC_INTERNAL_ERROR : RPC_CONTENT_MODIFIED,
			   msg);
}

static void forward(struct proxy *p, struct rpc_msg *m, const char *body, size_t len,
		    enum merge_kind kind, uint64_t timeout)
{
	char *key = id_key(&m->j, json_get(&m->j, 0, "id"));
	fwd_add(p, key, m->id, m->id_len, kind, timeout);
	free(key);
	child_send(p, body, len);
}

/* codeAction/resolve: the child's actions carry {"kairosProxy":"child"}. */
static bool resolve(struct proxy *p, struct rpc_msg *m, const char *body, size_t len)
{
	const struct json *j = &m->j;
	int data = json_get(j, m->params, "data");
	int inner = json_get(j, data, "data");
	struct buf b = BUF_INIT;
	size_t n;
	const char *raw;

	if (data >= 0 && !json_streq(j, json_get(j, data, "kairosProxy"), "child"))
		return false; /* kairos's own action */
	if (!child_up(p)) {
		refuse(p, m);
		return true;
	}
	if (data < 0) {
		forward(p, m, body, len, FWD_CHILD, 0);
		return true;
	}
	raw = json_raw(j, inner, &n);
	splice_id(&b, body, len, j, data, inner >= 0 ? raw : "null", inner >= 0 ? n : 4);
	forward(p, m, b.data, b.len, FWD_CHILD, 0);
	buf_dispose(&b);
	return true;
}

static bool on_request(struct proxy *p, struct rpc_msg *m, const char *body, size_t len)
{
	const char *meth = m->method;

	if (!strcmp(meth, "initialize")) {
		if (host_initialized(p))
			return false; /* kairos refuses a second one */
		free(p->init_params);
		p->init_params = NULL;
		if (m->params >= 0) {
			size_t n;
			const char *raw = json_raw(&m->j, m->params, &n);
			p->init_params = xstrndup(raw, n);
		}
		if (p->pid > 0 && !p->starting)
			forward(p, m, body, len, FWD_INITIALIZE, INIT_TIMEOUT_MS);
		return false;
	}
	if (!host_initialized(p) || host_shutdown(p))
		return false; /* kairos answers with the error */
	if (!strcmp(meth, "shutdown")) {
		if (child_up(p))
			forward(p, m, body, len, FWD_SHUTDOWN, SHUTDOWN_TIMEOUT_MS);
		return false;
	}
	if (is_kairos_only(m))
		return false;
	if (!strcmp(meth, "textDocument/codeAction") || !strcmp(meth, "textDocument/diagnostic")) {
		enum merge_kind k = meth[13] == 'c' ? FWD_CODE_ACTION : FWD_PULL;
		if (child_up(p) && !(k == FWD_CODE_ACTION ? p->no_code_actions : p->no_pull))
			forward(p, m, body, len, k, MERGE_TIMEOUT_MS);
		return false;
	}
	if (!strcmp(meth, "codeAction/resolve"))
		return resolve(p, m, body, len);
	p->host.activity(p->host.ud); /* the person is at work, whoever answers */
	if (!child_up(p))
		refuse(p, m);
	else
		forward(p, m, body, len, FWD_CHILD, 0);
	return true;
}

static bool on_notification(struct proxy *p, struct rpc_msg *m, const char *body, size_t len)
{
	const char *meth = m->method;

	if (!strcmp(meth, "exit")) {
		child_send(p, body, len);
		return false;
	}
	if (!host_initialized(p) || host_shutdown(p) || !strncmp(meth, "kairos/", 7))
		return false;
	if (!strcmp(meth, "initialized") && p->start_error) {
		say(p, MSG_ERROR, true, "kairos: %s; kairos runs without it", p->start_error);
		free(p->start_error);
		p->start_error = NULL;
	}
	if (!strcmp(meth, "$/cancelRequest")) {
		char *key = id_key(&m->j, json_get(&m->j, m->params, "id"));
		ssize_t i = fwd_find(p, key);
		free(key);
		if (i < 0)
			return false; /* kairos's */
		child_send(p, body, len);
		return p->fwd[i].kind == FWD_CHILD;
	}
	if (!strcmp(meth, "workspace/didChangeConfiguration"))
		set_str(&p->last_config, body, len);
	if (p->pid <= 0)
		return false;
	if (p->starting) {
		/* documents are re-opened from kairos's copy once it is up */
		if (strncmp(meth, "textDocument/did", 16) && strcmp(meth, "initialized"))
			hold(p, body, len);
		return false;
	}
	child_send(p, body, len);
	return false;
}

static bool on_response(struct proxy *p, struct rpc_msg *m, const char *body, size_t len)
{
	int t = json_get(&m->j, 0, "id");
	char *key;
	long long n;

	if (!m->id || m->id_len < 5 || memcmp(m->id, "\"c:", 3))
		return false; /* kairos's own */
	key = id_key(&m->j, t);
	n = strtoll(key + 4, NULL, 10);
	free(key);
	for (size_t i = 0; i < p->nremap; i++)
		if (p->remap[i].n == n) {
			struct buf b = BUF_INIT;
			splice_id(&b, body, len, &m->j, t, p->remap[i].orig, strlen(p->remap[i].orig));
			child_send(p, b.data, b.len);
			buf_dispose(&b);
			free(p->remap[i].orig);
			p->remap[i] = p->remap[--p->nremap];
			break;
		}
	return true; /* an old child's: nobody waits for it */
}

static bool from_client(void *ud, struct rpc_msg *m, const char *body, size_t len)
{
	struct proxy *p = ud;

	switch (m->kind) {
	case RPC_REQUEST:
		return on_request(p, m, body, len);
	case RPC_NOTIFICATION:
		return on_notification(p, m, body, len);
	case RPC_RESPONSE:
		return on_response(p, m, body, len);
	default:
		return false;
	}
}

static bool to_client(void *ud, const char *body, size_t len)
{
	struct proxy *p = ud;
	struct rpc_msg m;
	bool took = false;

	if (!p->nfwd && !memmem(body, len, "textDocument/publishDiagnostics", 31))
		return false;
	rpc_msg_parse(&m, body, len);
	if (m.kind == RPC_RESPONSE && m.id) {
		char *key = id_key(&m.j, json_get(&m.j, 0, "id"));
		ssize_t i = fwd_find(p, key);
		free(key);
		if (i >= 0 && p->fwd[i].kind != FWD_CHILD && !p->fwd[i].mine) {
			p->fwd[i].mine = xstrndup(body, len);
			p->fwd[i].mine_len = len;
			complete(p, (size_t)i);
			took = true;
		}
	} else if (m.kind == RPC_NOTIFICATION && !strcmp(m.method, "textDocument/publishDiagnostics")) {
		publish(p, &m, body, len, false);
		took = true;
	}
	rpc_msg_dispose(&m);
	return took;
}

void proxy_new(struct lsp_filter *out, const struct lsp_filter_host *host, char **argv)
{
	struct proxy *p = xcalloc(1, sizeof(*p));
	const char *slash;
	size_t n = 0;

	while (argv[n])
		n++;
	p->argv = xcalloc(n + 1, sizeof(*p->argv));
	for (size_t i = 0; i < n; i++)
		p->argv[i] = xstrdup(argv[i]);
	slash = strrchr(argv[0], '/');
	p->name = xstrdup(slash ? slash + 1 : argv[0]);
	p->host = *host;
	p->to_fd = p->from_fd = -1;
	rpc_reader_init(&p->rd, 0);
	loop_timer_init(&p->restart_timer, on_restart_timer, p);
	loop_timer_init(&p->merge_timer, on_merge_timer, p);
	start_child(p);
	*out = (struct lsp_filter){from_client, to_client, filter_free, p};
}
