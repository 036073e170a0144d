/* proxy: `kairos lsp -- CMD`, a filter between the editor and kairos's
 * own server (proxy.h). Each message of the editor goes to the child, to
 * kairos or to both; protocol/proxy.md is the contract. */
#include "proxy_int.h"
#include "kairos/err.h"
#include "kairos/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_kairos_only(struct rpc_msg *m)
{
	if (!strncmp(m->method, KAIROS_METHODS, STRLEN_LIT(KAIROS_METHODS)))
		return true;
	if (!strcmp(m->method, "workspace/executeCommand")) {
		int c = json_get(&m->j, m->params, "command");
		size_t n;
		const char *raw = json_raw(&m->j, c, &n);
		return json_type(&m->j, c) == JSON_STRING && n > STRLEN_LIT(KAIROS_COMMANDS) &&
		       !memcmp(raw, KAIROS_COMMANDS, STRLEN_LIT(KAIROS_COMMANDS));
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
	proxy_host_reply_error(p, m->id, m->id_len, p->gave_up ? RPC_INTERNAL_ERROR : RPC_CONTENT_MODIFIED,
			   msg);
}

/* codeAction/resolve: the child's actions carry {"kairosProxy":"child"}. */
static bool resolve(struct proxy *p, struct rpc_msg *m, const char *body, size_t len)
{
	const struct json *j = &m->j;
	int data = json_get(j, m->params, "data");
	int inner = json_get(j, data, "data");
	struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
	size_t n;
	const char *raw;

	if (data >= 0 && !json_streq(j, json_get(j, data, "kairosProxy"), "child"))
		return false; /* kairos's own action */
	if (!proxy_child_up(p)) {
		refuse(p, m);
		return true;
	}
	if (data < 0) {
		proxy_route_forward(p, m, body, len, FWD_CHILD, 0);
		return true;
	}
	raw = json_raw(j, inner, &n);
	if (proxy_route_splice_id(&b, body, len, j, data, inner >= 0 ? raw : "null",
				  inner >= 0 ? n : STRLEN_LIT("null")))
		proxy_host_reply_error(p, m->id, m->id_len, RPC_INTERNAL_ERROR, kr_errmsg());
	else
		proxy_route_forward(p, m, b.data, b.len, FWD_CHILD, 0);
	buf_dispose(&b);
	return true;
}

static bool on_request(struct proxy *p, struct rpc_msg *m, const char *body, size_t len)
{
	const char *meth = m->method;

	if (!strcmp(meth, "initialize")) {
		if (proxy_host_initialized(p))
			return false; /* kairos refuses a second one */
		free(p->init_params);
		p->init_params = NULL;
		if (m->params >= 0) {
			size_t n;
			const char *raw = json_raw(&m->j, m->params, &n);
			p->init_params = xstrndup(raw, n);
		}
		if (p->pid > 0 && !p->starting)
			proxy_route_forward(p, m, body, len, FWD_INITIALIZE, INIT_TIMEOUT_MS);
		return false;
	}
	if (!proxy_host_initialized(p) || proxy_host_shutdown(p))
		return false; /* kairos answers with the error */
	if (!strcmp(meth, "shutdown")) {
		if (proxy_child_up(p))
			proxy_route_forward(p, m, body, len, FWD_SHUTDOWN, SHUTDOWN_TIMEOUT_MS);
		return false;
	}
	if (is_kairos_only(m))
		return false;
	if (!strcmp(meth, "textDocument/codeAction") || !strcmp(meth, "textDocument/diagnostic")) {
		enum merge_kind k = meth[13] == 'c' ? FWD_CODE_ACTION : FWD_PULL;
		if (proxy_child_up(p) && !(k == FWD_CODE_ACTION ? p->no_code_actions : p->no_pull))
			proxy_route_forward(p, m, body, len, k, MERGE_TIMEOUT_MS);
		return false;
	}
	if (!strcmp(meth, "codeAction/resolve"))
		return resolve(p, m, body, len);
	p->host.activity(p->host.ud); /* the person is at work, whoever answers */
	if (!proxy_child_up(p))
		refuse(p, m);
	else
		proxy_route_forward(p, m, body, len, FWD_CHILD, 0);
	return true;
}

static bool on_notification(struct proxy *p, struct rpc_msg *m, const char *body, size_t len)
{
	const char *meth = m->method;

	if (!strcmp(meth, "exit")) {
		proxy_child_send(p, body, len);
		return false;
	}
	if (!proxy_host_initialized(p) || proxy_host_shutdown(p) ||
	    !strncmp(meth, KAIROS_METHODS, STRLEN_LIT(KAIROS_METHODS)))
		return false;
	if (!strcmp(meth, "initialized") && p->start_error) {
		proxy_host_say(p, MSG_ERROR, true, "kairos: %s; kairos runs without it", p->start_error);
		free(p->start_error);
		p->start_error = NULL;
	}
	if (!strcmp(meth, "$/cancelRequest")) {
		char *key = proxy_route_id_key(&m->j, json_get(&m->j, m->params, "id"));
		ssize_t i = proxy_route_find(p, key);
		free(key);
		if (i < 0)
			return false; /* kairos's */
		proxy_child_send(p, body, len);
		return p->fwd[i].kind == FWD_CHILD;
	}
	if (!strcmp(meth, "workspace/didChangeConfiguration"))
		proxy_set_str(&p->last_config, body, len);
	if (p->pid <= 0)
		return false;
	if (p->starting) {
		/* documents are re-opened from kairos's copy once it is up */
		if (strncmp(meth, DID_PREFIX, STRLEN_LIT(DID_PREFIX)) && strcmp(meth, "initialized"))
			hold(p, body, len);
		return false;
	}
	proxy_child_send(p, body, len);
	return false;
}

static bool on_response(struct proxy *p, struct rpc_msg *m, const char *body, size_t len)
{
	int t = json_get(&m->j, 0, "id");
	char *key;
	long long n;

	if (!m->id || m->id_len < STRLEN_LIT(CHILD_ID) + 2 || memcmp(m->id, CHILD_ID, STRLEN_LIT(CHILD_ID)))
		return false; /* kairos's own */
	key = proxy_route_id_key(&m->j, t);
	/* the key is "s:c:<n>" */
	n = strtoll(key + STRLEN_LIT("s:c:"), NULL, 10);
	free(key);
	for (size_t i = 0; i < p->nremap; i++)
		if (p->remap[i].n == n) {
			struct buf b = BUF_INIT_CAP(RPC_WRITE_CAP);
			if (proxy_route_splice_id(&b, body, len, &m->j, t, p->remap[i].orig,
						  strlen(p->remap[i].orig)) == 0)
				proxy_child_send(p, b.data, b.len);
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

	if (!p->nfwd && !memmem(body, len, PUBLISH, STRLEN_LIT(PUBLISH)))
		return false;
	rpc_msg_parse(&m, body, len);
	if (m.kind == RPC_RESPONSE && m.id) {
		char *key = proxy_route_id_key(&m.j, json_get(&m.j, 0, "id"));
		ssize_t i = proxy_route_find(p, key);
		free(key);
		if (i >= 0 && p->fwd[i].kind != FWD_CHILD && !p->fwd[i].mine) {
			p->fwd[i].mine = xstrndup(body, len);
			p->fwd[i].mine_len = len;
			proxy_route_complete(p, (size_t)i);
			took = true;
		}
	} else if (m.kind == RPC_NOTIFICATION && !strcmp(m.method, "textDocument/publishDiagnostics")) {
		proxy_diag_publish(p, &m, body, len, false);
		took = true;
	}
	rpc_msg_dispose(&m);
	return took;
}

/* The filter's end (lsp_filter.free). */
static void filter_free(void *ud)
{
	struct proxy *p = ud;

	proxy_child_stop(p);
	loop_timer_cancel(p->host.loop, &p->restart_timer);
	proxy_route_free(p);
	proxy_diag_free(p);
	for (size_t i = 0; p->argv[i]; i++)
		free(p->argv[i]);
	free(p->argv);
	free(p->name);
	free(p->start_error);
	free(p);
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
	p->on_message = proxy_route_child_message;
	p->on_gone = proxy_life_died;
	rpc_reader_init(&p->rd, 0);
	proxy_life_init(p);
	proxy_route_init(p);
	proxy_life_start(p);
	*out = (struct lsp_filter){from_client, to_client, filter_free, p};
}
