/* rpc: Content-Length framing and JSON-RPC message classification. */
#include "kairos/rpc.h"
#include "kairos/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void rpc_reader_init(struct rpc_reader *r, size_t max_body)
{
	memset(r, 0, sizeof(*r));
	r->max_body = max_body ? max_body : RPC_DEFAULT_MAX_BODY;
	buf_init(&r->in, r->max_body + RPC_MAX_HEADER + 65536);
}

void rpc_reader_dispose(struct rpc_reader *r)
{
	buf_dispose(&r->in);
}

static void say(struct rpc_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct rpc_reader *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->log)
		r->log(r->log_ud, msg);
	else
		fprintf(stderr, "kairos: %s\n", msg);
}

int rpc_reader_feed(struct rpc_reader *r, const char *data, size_t n)
{
	if (r->discard) {
		size_t d = n < r->discard ? n : r->discard;
		r->discard -= d;
		data += d;
		n -= d;
		if (!n)
			return 0;
	}
	return buf_append(&r->in, data, n);
}

/* Finds the end of a header block: the index just past "\r\n\r\n" (or
 * "\n\n"), or 0 when not there yet. */
static size_t header_end(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] != '\n')
			continue;
		if (s[i + 1] == '\n')
			return i + 2;
		if (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

enum { LEN_NONE = -1, LEN_BAD = -2, LEN_HUGE = -3 };

#define CONTENT_LENGTH "content-length"

/* Parses the Content-Length value: LEN_BAD when not a plain number,
 * LEN_HUGE when over RPC_FATAL_BODY or overflowing. */
static long long parse_length(const char *v, size_t n)
{
	size_t i = 0;
	unsigned long long x = 0;
	bool digits = false;

	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	while (i < n && v[i] >= '0' && v[i] <= '9') {
		digits = true;
		if (x > (RPC_FATAL_BODY * 16ULL))
			return LEN_HUGE;
		x = x * 10 + (unsigned long long)(v[i] - '0');
		i++;
	}
	while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\r'))
		i++;
	if (!digits || i != n)
		return LEN_BAD;
	if (x > RPC_FATAL_BODY)
		return LEN_HUGE;
	return (long long)x;
}

/* Content-Length of the block, or LEN_*. A line whose name only ends in
 * "content-length" (junk glued in front of a header) still counts, so a
 * stray body does not swallow the next message's header. */
static long long block_length(const char *s, size_t n)
{
	long long len = LEN_NONE;
	size_t i = 0;

	while (i < n) {
		const char *line = s + i;
		const char *nl = memchr(line, '\n', n - i);
		size_t ll = nl ? (size_t)(nl - line) : n - i;
		const char *name = NULL;
		i += ll + 1;
		for (size_t k = 0; k + STRLEN_LIT(CONTENT_LENGTH) <= ll; k++)
			if (!strncasecmp(line + k, CONTENT_LENGTH, STRLEN_LIT(CONTENT_LENGTH)))
				name = line + k;
		if (!name)
			continue;
		const char *p = name + STRLEN_LIT(CONTENT_LENGTH);
		while (p < line + ll && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= line + ll || *p != ':')
			continue;
		p++;
		len = parse_length(p, (size_t)(line + ll - p));
		if (len == LEN_HUGE)
			return len;
	}
	return len;
}

int rpc_reader_next(struct rpc_reader *r, const char **body, size_t *len)
{
	for (;;) {
		if (r->in_body) {
			if (r->in.len < r->body_len)
				return RPC_NEED_MORE;
			/* the caller reads the body before the next call consumes it */
			*body = r->in.data;
			*len = r->body_len;
			r->in_body = false;
			r->consume = r->body_len;
			return RPC_MESSAGE;
		}
		if (r->consume) {
			buf_consume(&r->in, r->consume);
			r->consume = 0;
		}
		if (r->discard)
			return RPC_NEED_MORE;
		/* skip blank lines between messages */
		size_t skip = 0;
		while (skip < r->in.len && (r->in.data[skip] == '\r' || r->in.data[skip] == '\n'))
			skip++;
		if (skip)
			buf_consume(&r->in, skip);
		if (!r->in.len)
			return RPC_NEED_MORE;
		size_t he = header_end(r->in.data, r->in.len);
		if (!he) {
			if (r->in.len > RPC_MAX_HEADER) {
				say(r, "header block over %d bytes dropped", RPC_MAX_HEADER);
				/* keep a tail that could start the next header */
				buf_consume(&r->in, r->in.len - 64);
			}
			return RPC_NEED_MORE;
		}
		if (he > RPC_MAX_HEADER) {
			say(r, "header block over %d bytes dropped", RPC_MAX_HEADER);
			buf_consume(&r->in, he);
			continue;
		}
		long long l = block_length(r->in.data, he);
		buf_consume(&r->in, he);
		if (l == LEN_HUGE) {
			kr_err("Content-Length over %zu bytes: the stream cannot be trusted",
			       (size_t)RPC_FATAL_BODY);
			return RPC_FATAL;
		}
		if (l < 0) {
			say(r, "header block without a usable Content-Length dropped");
			continue;
		}
		if ((size_t)l > r->max_body) {
			size_t have = r->in.len < (size_t)l ? r->in.len : (size_t)l;
			say(r, "message of %lld bytes over the %zu-byte cap skipped", l, r->max_body);
			buf_consume(&r->in, have);
			r->discard = (size_t)l - have;
			continue;
		}
		r->body_len = (size_t)l;
		r->in_body = true;
	}
}

enum rpc_read rpc_reader_read(struct rpc_reader *r, int fd)
{
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return RPC_READ_AGAIN;
	if (n == 0)
		return RPC_READ_END;
	if (n < 0) {
		kr_err("cannot read: %s", strerror(errno));
		return RPC_READ_FAIL;
	}
	return rpc_reader_feed(r, chunk, (size_t)n) ? RPC_READ_FAIL : RPC_READ_BYTES;
}

int rpc_frame(struct buf *out, const char *body, size_t len)
{
	buf_printf(out, "Content-Length: %zu\r\n\r\n", len);
	buf_append(out, body, len);
	return buf_err(out);
}

static void invalid(struct rpc_msg *m, int code, const char *msg)
{
	m->kind = RPC_INVALID;
	m->err_code = code;
	m->err_msg = msg;
}

void rpc_msg_parse(struct rpc_msg *m, const char *body, size_t len)
{
	int id, method, ver;

	memset(m, 0, sizeof(*m));
	m->params = m->result = m->error = -1;
	if (json_parse(&m->j, body, len)) {
		invalid(m, RPC_PARSE_ERROR, "parse error: not valid JSON");
		return;
	}
	if (json_type(&m->j, 0) == JSON_ARRAY) {
		invalid(m, RPC_INVALID_REQUEST, "batches are not supported by LSP");
		return;
	}
	if (json_type(&m->j, 0) != JSON_OBJECT) {
		invalid(m, RPC_INVALID_REQUEST, "a message must be a JSON object");
		return;
	}
	id = json_get(&m->j, 0, "id");
	if (id >= 0) {
		enum json_type t = json_type(&m->j, id);
		long long v;
		if (t == JSON_STRING || (t == JSON_NUMBER && !json_int(&m->j, id, &v))) {
			m->id = json_raw(&m->j, id, &m->id_len);
		} else if (t != JSON_NULL) {
			invalid(m, RPC_INVALID_REQUEST, "id must be a string or an integer");
			return;
		}
	}
	ver = json_get(&m->j, 0, "jsonrpc");
	method = json_get(&m->j, 0, "method");
	if (method >= 0) {
		if (json_type(&m->j, method) != JSON_STRING) {
			invalid(m, RPC_INVALID_REQUEST, "method must be a string");
			return;
		}
		m->method = json_strdup(&m->j, method);
		m->kind = id >= 0 ? RPC_REQUEST : RPC_NOTIFICATION;
		if (id >= 0 && !m->id) {
			invalid(m, RPC_INVALID_REQUEST, "a request id must not be null");
			return;
		}
	} else if (id >= 0) {
		m->result = json_get(&m->j, 0, "result");
		m->error = json_get(&m->j, 0, "error");
		if (m->result < 0 && m->error < 0) {
			invalid(m, RPC_INVALID_REQUEST, "a message with an id needs a method");
			return;
		}
		m->kind = RPC_RESPONSE;
	} else {
		invalid(m, RPC_INVALID_REQUEST, "a message needs a method or an id");
		return;
	}
	if (!json_streq(&m->j, ver, "2.0")) {
		invalid(m, RPC_INVALID_REQUEST, "jsonrpc must be \"2.0\"");
		return;
	}
	m->params = json_get(&m->j, 0, "params");
	if (m->params >= 0) {
		enum json_type t = json_type(&m->j, m->params);
		if (t == JSON_NULL)
			m->params = -1;
		else if (t != JSON_OBJECT && t != JSON_ARRAY && m->kind != RPC_RESPONSE)
			invalid(m, RPC_INVALID_PARAMS, "params must be an object or an array");
	}
}

void rpc_msg_dispose(struct rpc_msg *m)
{
	json_dispose(&m->j);
	free(m->method);
	m->method = NULL;
}
