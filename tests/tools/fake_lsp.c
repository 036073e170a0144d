/* fake_lsp: a small language server for the proxy tests. It answers
 * hover, completion, code actions (with resolve), pull diagnostics and
 * executeCommand, publishes an error for every line holding "ERR", and
 * misbehaves on demand:
 *   --crash-after N     exit 3 after N messages (every incarnation)
 *   --crash-on METHOD   exit 3 on a message with that method
 *   --hang-on METHOD    stop reading and answering on that method
 *   --garbage-on METHOD write malformed frames, then answer normally
 *   --encoding ENC      the positionEncoding of its initialize result
 *   --log FILE          append every body received, one per line
 *   --no-diagnostics    never publish
 * Requests of its own: fake/ask sends workspace/configuration (id 1) and
 * window/workDoneProgress/create (id "w1") to the editor and answers
 * with the replies it got back; fake/slow answers after 3 s unless
 * cancelled; fake/docs lists the documents opened in this process. */
#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/mem.h" /* SEV_*: LSP DiagnosticSeverity */
#include "kairos/rpc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *crash_on, *hang_on, *garbage_on, *encoding, *log_path;
static long crash_after = -1;
static int no_diags;
static long nmsgs;

static struct buf docs_json;    /* members of the fake/docs array */
static char *ask_id;            /* raw id of a pending fake/ask */
static struct buf ask_replies;  /* replies got for it */
static int nask;
static char *slow_id;           /* raw id of a pending fake/slow */
static long long slow_due;

/* TextDocumentSyncKind */
enum { SYNC_FULL = 1 };
/* a line holding this gets an error */
#define ERR_MARK "ERR"

/* A body that could not be built is a bug of the test: say so and stop. */
static void whole(const struct buf *b)
{
	if (buf_err(b)) {
		fprintf(stderr, "fake_lsp: %s\n", kr_errmsg());
		exit(2);
	}
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void out(const char *body, size_t n)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_FRAME);
	rpc_frame(&b, body, n);
	whole(&b);
	for (size_t off = 0; off < b.len;) {
		ssize_t w = write(1, b.data + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			exit(0);
		off += (size_t)w;
	}
	buf_dispose(&b);
}

/* out() of a string literal */
#define OUT_LIT(s) out(s, STRLEN_LIT(s))

/* out() of a whole buffer, disposed */
static void out_buf(struct buf *b)
{
	whole(b);
	out(b->data, b->len);
	buf_dispose(b);
}

static void reply(const char *id, size_t idn, const char *result)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	buf_printf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"result\":%s}", (int)idn, id, result);
	out_buf(&b);
}

/* reply() with a result built in r, disposed */
static void reply_buf(const char *id, size_t idn, struct buf *r)
{
	whole(r);
	reply(id, idn, r->data);
	buf_dispose(r);
}

static void reply_error(const char *id, size_t idn, int code, const char *msg)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	buf_printf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%.*s,\"error\":{\"code\":%d,\"message\":\"%s\"}}",
		   (int)idn, id, code, msg);
	out_buf(&b);
}

static void notify(const char *method, const char *params)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	buf_printf(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"%s\",\"params\":%s}", method, params);
	out_buf(&b);
}

/* One error per line holding "ERR": code "fake_err", the identifier
 * after ERR quoted in the message. */
static void diagnostics_of(struct buf *arr, const char *text)
{
	int line = 0;
	bool first = true;
	buf_putc(arr, '[');
	for (const char *p = text; *p; line++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *e = memmem(p, n, ERR_MARK, STRLEN_LIT(ERR_MARK));
		if (e) {
			char word[64];
			size_t k = 0;
			const char *q = e + STRLEN_LIT(ERR_MARK);
			while (q < p + n && *q == ' ')
				q++;
			while (q < p + n && k + 1 < sizeof(word) &&
			       (*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
				word[k++] = *q++;
			word[k] = '\0';
			buf_printf(arr,
				   "%s{\"range\":{\"start\":{\"line\":%d,\"character\":%d},\"end\":{\"line\":%d,"
				   "\"character\":%d}},\"severity\":%d,\"code\":\"fake_err\",\"source\":\"fake\","
				   "\"message\":\"use of undeclared identifier '%s'\"}",
				   first ? "" : ",", line, (int)(e - p), line,
				   (int)(e - p) + (int)STRLEN_LIT(ERR_MARK), SEV_ERROR, word);
			first = false;
		}
		p = nl ? nl + 1 : p + n;
	}
	buf_putc(arr, ']');
}

static void publish(const struct json *j, int td, const char *text)
{
	struct buf params = BUF_INIT_CAP(BUF_CAP_RPC_BODY), arr = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	size_t un;
	const char *uri = json_raw(j, json_get(j, td, "uri"), &un);
	if (no_diags)
		return;
	diagnostics_of(&arr, text);
	whole(&arr);
	buf_printf(&params, "{\"uri\":%.*s,\"version\":%lld,\"diagnostics\":%s}", (int)un, uri,
		   json_get_int(j, td, "version", 0), arr.data);
	whole(&params);
	notify("textDocument/publishDiagnostics", params.data);
	buf_dispose(&params);
	buf_dispose(&arr);
}

static void garbage(void)
{
	static const char g[] = "this is not a header\r\n\r\n"
				"Content-Length: banana\r\n\r\n"
				"Content-Length: 9\r\n\r\nnot json!"
				"Content-Length: 2\r\n\r\n[]"
				"Content-Length: 31\r\n\r\n{\"jsonrpc\":\"2.0\",\"result\":true}";
	if (write(1, g, sizeof(g) - 1) < 0)
		exit(0);
}

static void handle(const char *body, size_t len)
{
	struct rpc_msg m;
	const struct json *j = &m.j;

	rpc_msg_parse(&m, body, len);
	nmsgs++;
	if (log_path) {
		FILE *f = fopen(log_path, "a");
		if (f) {
			fprintf(f, "%.*s\n", (int)len, body);
			fclose(f);
		}
	}
	if (m.method && crash_on && !strcmp(m.method, crash_on))
		_exit(3);
	if (m.method && hang_on && !strcmp(m.method, hang_on))
		for (;;)
			pause();
	if (m.method && garbage_on && !strcmp(m.method, garbage_on))
		garbage();
	if (m.kind == RPC_RESPONSE) {
		if (ask_id) {
			size_t rn;
			const char *r = json_raw(j, m.result >= 0 ? m.result : m.error, &rn);
			buf_printf(&ask_replies, "%s{\"id\":%.*s,\"result\":%.*s}", nask ? "," : "",
				   (int)m.id_len, m.id ? m.id : "null", (int)rn, r);
			if (++nask == 2) {
				buf_putc(&ask_replies, ']');
				whole(&ask_replies);
				reply(ask_id, strlen(ask_id), ask_replies.data);
				free(ask_id);
				ask_id = NULL;
			}
		}
	} else if (m.kind == RPC_REQUEST) {
		const char *meth = m.method;
		if (!strcmp(meth, "initialize")) {
			struct buf r = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
			buf_puts(&r, "{\"capabilities\":{");
			if (encoding)
				buf_printf(&r, "\"positionEncoding\":\"%s\",", encoding);
			buf_printf(&r, "\"textDocumentSync\":{\"openClose\":true,\"change\":%d},", SYNC_FULL);
			buf_puts(&r, "\"hoverProvider\":true,\"completionProvider\":{\"triggerCharacters\":[\".\"]},"
				     "\"codeActionProvider\":{\"codeActionKinds\":[\"quickfix\",\"refactor.extract\"],"
				     "\"resolveProvider\":true},"
				     "\"executeCommandProvider\":{\"commands\":[\"fake.apply\"]},"
				     "\"diagnosticProvider\":{\"interFileDependencies\":true,\"workspaceDiagnostics\":false},"
				     "\"experimental\":{\"fake\":true}},"
				     "\"serverInfo\":{\"name\":\"fake\",\"version\":\"1\"}}");
			reply_buf(m.id, m.id_len, &r);
		} else if (!strcmp(meth, "shutdown")) {
			reply(m.id, m.id_len, "null");
		} else if (!strcmp(meth, "textDocument/hover")) {
			struct buf r = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
			int pos = json_get(j, m.params, "position");
			buf_printf(&r, "{\"contents\":{\"kind\":\"plaintext\",\"value\":\"fake hover %lld:%lld\"}}",
				   json_get_int(j, pos, "line", -1), json_get_int(j, pos, "character", -1));
			reply_buf(m.id, m.id_len, &r);
		} else if (!strcmp(meth, "textDocument/completion")) {
			reply(m.id, m.id_len, "{\"isIncomplete\":false,\"items\":[{\"label\":\"fakeItem\"}]}");
		} else if (!strcmp(meth, "textDocument/codeAction")) {
			reply(m.id, m.id_len,
			      "[{\"title\":\"fake fix\",\"kind\":\"quickfix\",\"data\":{\"n\":1}},"
			      "{\"title\":\"fake command\",\"command\":\"fake.apply\",\"arguments\":[1]}]");
		} else if (!strcmp(meth, "codeAction/resolve")) {
			size_t dn;
			const char *d = json_raw(j, json_get(j, m.params, "data"), &dn);
			struct buf r = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
			buf_printf(&r, "{\"title\":\"fake fix\",\"kind\":\"quickfix\",\"edit\":{\"changes\":{}},"
				       "\"data\":%.*s}", (int)dn, dn ? d : "null");
			reply_buf(m.id, m.id_len, &r);
		} else if (!strcmp(meth, "textDocument/diagnostic")) {
			struct buf r = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
			buf_printf(&r,
				   "{\"kind\":\"full\",\"resultId\":\"r1\",\"items\":[{\"range\":{\"start\":{\"line\":0,"
				   "\"character\":0},\"end\":{\"line\":0,\"character\":1}},\"severity\":%d,"
				   "\"source\":\"fake\",\"message\":\"pulled\"}]}",
				   SEV_WARNING);
			reply_buf(m.id, m.id_len, &r);
		} else if (!strcmp(meth, "workspace/executeCommand")) {
			size_t cn;
			const char *c = json_raw(j, json_get(j, m.params, "command"), &cn);
			struct buf r = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
			buf_printf(&r, "{\"executed\":%.*s}", (int)cn, c);
			reply_buf(m.id, m.id_len, &r);
		} else if (!strcmp(meth, "fake/echo")) {
			size_t pn;
			const char *pr = json_raw(j, m.params, &pn);
			struct buf r = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
			if (m.params >= 0)
				buf_append(&r, pr, pn);
			else
				buf_puts(&r, "null");
			reply_buf(m.id, m.id_len, &r);
		} else if (!strcmp(meth, "fake/docs")) {
			struct buf r = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
			whole(&docs_json);
			buf_printf(&r, "[%s]", buf_cstr(&docs_json));
			reply_buf(m.id, m.id_len, &r);
		} else if (!strcmp(meth, "fake/ask")) {
			free(ask_id);
			ask_id = xstrndup(m.id, m.id_len);
			buf_reset(&ask_replies);
			buf_putc(&ask_replies, '[');
			nask = 0;
			OUT_LIT("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"workspace/configuration\","
				"\"params\":{\"items\":[{\"section\":\"fake\"}]}}");
			OUT_LIT("{\"jsonrpc\":\"2.0\",\"id\":\"w1\",\"method\":\"window/workDoneProgress/create\","
				"\"params\":{\"token\":\"fake-token\"}}");
		} else if (!strcmp(meth, "fake/slow")) {
			free(slow_id);
			slow_id = xstrndup(m.id, m.id_len);
			slow_due = now_ms() + 3000;
		} else {
			reply_error(m.id, m.id_len, -32601, "unknown method");
		}
	} else if (m.kind == RPC_NOTIFICATION) {
		const char *meth = m.method;
		if (!strcmp(meth, "exit")) {
			exit(0);
		} else if (!strcmp(meth, "textDocument/didOpen")) {
			int td = json_get(j, m.params, "textDocument");
			size_t un;
			const char *uri = json_raw(j, json_get(j, td, "uri"), &un);
			char *text = json_get_str(j, td, "text");
			if (docs_json.len)
				buf_putc(&docs_json, ',');
			buf_append(&docs_json, uri, un);
			publish(j, td, text ? text : "");
			free(text);
		} else if (!strcmp(meth, "textDocument/didChange")) {
			int td = json_get(j, m.params, "textDocument");
			int ch = json_get(j, m.params, "contentChanges");
			int last = -1;
			for (int e = json_first(j, ch); e >= 0; e = json_next(j, ch, e))
				last = e;
			if (last >= 0) {
				char *text = json_get_str(j, last, "text");
				publish(j, td, text ? text : "");
				free(text);
			}
		} else if (!strcmp(meth, "$/cancelRequest") && slow_id) {
			size_t n;
			const char *id = json_raw(j, json_get(j, m.params, "id"), &n);
			if (n == strlen(slow_id) && !memcmp(id, slow_id, n)) {
				reply_error(slow_id, strlen(slow_id), -32800, "cancelled");
				free(slow_id);
				slow_id = NULL;
			}
		}
	}
	rpc_msg_dispose(&m);
	if (crash_after >= 0 && nmsgs >= crash_after)
		_exit(3);
}

int main(int argc, char **argv)
{
	struct rpc_reader rd;
	char chunk[65536];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-diagnostics")) {
			no_diags = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "fake_lsp: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--crash-after"))
			crash_after = atol(v);
		else if (!strcmp(a, "--crash-on"))
			crash_on = v;
		else if (!strcmp(a, "--hang-on"))
			hang_on = v;
		else if (!strcmp(a, "--garbage-on"))
			garbage_on = v;
		else if (!strcmp(a, "--encoding"))
			encoding = v;
		else if (!strcmp(a, "--log"))
			log_path = v;
		else {
			fprintf(stderr, "fake_lsp: unknown option %s\n", a);
			return 2;
		}
	}
	buf_init(&docs_json, BUF_CAP_RPC_BODY);   /* becomes a reply */
	buf_init(&ask_replies, BUF_CAP_RPC_BODY); /* becomes a reply */
	rpc_reader_init(&rd, 0);
	for (;;) {
		struct pollfd pfd = {0, POLLIN, 0};
		int timeout = slow_id ? (int)(slow_due - now_ms()) : -1;
		const char *body;
		size_t len;
		ssize_t n;

		if (slow_id && timeout <= 0) {
			reply(slow_id, strlen(slow_id), "\"slow done\"");
			free(slow_id);
			slow_id = NULL;
			continue;
		}
		if (poll(&pfd, 1, timeout) == 0)
			continue;
		n = read(0, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		if (rpc_reader_feed(&rd, chunk, (size_t)n))
			return 1;
		while (rpc_reader_next(&rd, &body, &len) == RPC_MESSAGE)
			handle(body, len);
	}
}
