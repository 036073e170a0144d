/* proxy_diag: diagnostics in proxy mode. Each side's last set per
 * document is kept, and every publish sends both merged; the child's
 * errors that keep coming back go to the personal store's journal,
 * where a dream can turn them into memories. */
#include "proxy_int.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/rpc_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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


/* One side published for a document: keep its set, send both. */
void proxy_diag_publish(struct proxy *p, struct rpc_msg *m, const char *body, size_t len, bool from_child)
{
	const struct json *j = &m->j;
	int u = json_get(j, m->params, "uri"), v = json_get(j, m->params, "version");
	int dg = json_get(j, m->params, "diagnostics");
	size_t un, vn, dn;
	const char *uri = json_raw(j, u, &un), *ver = json_raw(j, v, &vn), *diags = json_raw(j, dg, &dn);
	struct diagset *d;
	const char *other, *over;

	if (json_type(j, u) != JSON_STRING || json_type(j, dg) != JSON_ARRAY) {
		proxy_host_send(p, body, len);
		return;
	}
	d = diagset_get(p, uri, un);
	proxy_set_str(from_child ? &d->child : &d->mine, diags, dn);
	proxy_set_str(from_child ? &d->child_ver : &d->mine_ver, v >= 0 ? ver : NULL, vn);
	other = from_child ? d->mine : d->child;
	over = from_child ? d->mine_ver : d->child_ver;
	if (empty_array(other)) {
		proxy_host_send(p, body, len); /* nothing to merge: unchanged */
	} else {
		struct buf params = BUF_INIT_CAP(BUF_CAP_RPC_BODY), b = BUF_INIT_CAP(RPC_WRITE_CAP);
		bool same_ver = v >= 0 && (!over || (strlen(over) == vn && !memcmp(over, ver, vn)));
		if (proxy_merge_publish(&params, uri, un, same_ver ? ver : NULL, vn, d->child,
					d->child ? strlen(d->child) : 0, d->mine,
					d->mine ? strlen(d->mine) : 0) == 0) {
			if (rpc_write_notification(&b, PUBLISH, params.data, params.len) == 0)
				proxy_host_send(p, b.data, b.len);
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
	struct buf line = BUF_INIT_CAP(BUF_CAP_MEMFILE);
	if (buf_printf(&line, "%s,\"count\":%d", sh->fields, sh->count) == 0)
		p->host.journal(p->host.ud, "compiler_error", buf_cstr(&line));
	buf_dispose(&line);
}

static void record_error(struct proxy *p, const struct json *j, int dg, const char *uri)
{
	/* a message longer than a memory file is not counted */
	struct buf shape = BUF_INIT_CAP(BUF_CAP_MEMFILE), names = BUF_INIT_CAP(BUF_CAP_MEMFILE);
	struct buf key = BUF_INIT_CAP(BUF_CAP_MEMFILE), msg = BUF_INIT_CAP(BUF_CAP_MEMFILE);
	struct buf code = BUF_INIT_CAP(BUF_CAP_LINE), fields = BUF_INIT_CAP(4 * BUF_CAP_MEMFILE);
	int c = json_get(j, dg, "code"), src = json_get(j, dg, "source");
	struct shape *sh = NULL;
	size_t n;
	const char *r;

	json_str(j, json_get(j, dg, "message"), &msg);
	proxy_merge_error_shape(&shape, &names, 4, buf_cstr(&msg), msg.len);
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
	if (buf_err(&msg) || buf_err(&shape) || buf_err(&names) || buf_err(&code) || buf_err(&key))
		goto out;
	for (size_t i = 0; i < p->nshapes && !sh; i++)
		if (!strcmp(p->shapes[i].key, buf_cstr(&key)))
			sh = &p->shapes[i];
	if (!sh && p->nshapes >= MAX_SHAPES)
		goto out;
	if (!sh) {
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
		if (buf_err(&fields))
			goto out;
		if (p->nshapes == p->capshapes) {
			p->capshapes = p->capshapes ? p->capshapes * 2 : 16;
			p->shapes = xrealloc(p->shapes, p->capshapes * sizeof(*p->shapes));
		}
		sh = &p->shapes[p->nshapes++];
		sh->key = buf_detach(&key);
		sh->count = 0;
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
void proxy_diag_watch_errors(struct proxy *p, struct rpc_msg *m)
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
		if (json_get_int(j, e, "severity", 0) != DIAG_SEVERITY_ERROR)
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

void proxy_diag_free(struct proxy *p)
{
	for (size_t i = 0; i < p->ndiags; i++)
		diagset_dispose(&p->diags[i]);
	free(p->diags);
	for (size_t i = 0; i < p->nshapes; i++) {
		free(p->shapes[i].key);
		free(p->shapes[i].fields);
	}
	free(p->shapes);
}
