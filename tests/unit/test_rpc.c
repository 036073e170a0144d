/* Unit tests for framing and JSON-RPC classification. */
#include "check.h"
#include "kairos/err.h"
#include "kairos/rpc.h"

#include <stdlib.h>

static int quiet_calls;
static void quiet(void *ud, const char *msg)
{
	(void)ud;
	(void)msg;
	quiet_calls++;
}

static void init(struct rpc_reader *r, size_t max)
{
	rpc_reader_init(r, max);
	r->log = quiet;
}

TEST(split_and_joined_messages)
{
	struct rpc_reader r;
	const char *b;
	size_t n;
	const char *in = "Content-Length: 2\r\n\r\n{}content-length:3\r\n\r\n[1]";
	init(&r, 0);
	/* byte by byte */
	for (size_t i = 0; i < 10; i++) {
		rpc_reader_feed(&r, in + i, 1);
		CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_NEED_MORE);
	}
	rpc_reader_feed(&r, in + 10, strlen(in) - 10);
	CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_MESSAGE);
	CHECK(n == 2 && !memcmp(b, "{}", 2));
	CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_MESSAGE);
	CHECK(n == 3 && !memcmp(b, "[1]", 3));
	CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_NEED_MORE);
	rpc_reader_dispose(&r);
}

TEST(bad_lengths_dropped_and_huge_fatal)
{
	struct rpc_reader r;
	const char *b;
	size_t n;
	init(&r, 0);
	quiet_calls = 0;
	const char *in = "Content-Length: -1\r\n\r\nContent-Length: 4x\r\n\r\nContent-Length: 1\r\n\r\nZ";
	rpc_reader_feed(&r, in, strlen(in));
	CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_MESSAGE);
	CHECK(n == 1 && b[0] == 'Z');
	CHECK_INT(quiet_calls, 2);
	rpc_reader_dispose(&r);

	init(&r, 0);
	in = "Content-Length: 1073741825\r\n\r\n";
	rpc_reader_feed(&r, in, strlen(in));
	CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_FATAL);
	rpc_reader_dispose(&r);

	init(&r, 0);
	in = "Content-Length: 18446744073709551617\r\n\r\n";
	rpc_reader_feed(&r, in, strlen(in));
	CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_FATAL);
	rpc_reader_dispose(&r);
}

TEST(oversized_body_is_discarded_as_it_arrives)
{
	struct rpc_reader r;
	const char *b;
	size_t n;
	char chunk[1000];
	init(&r, 100);
	memset(chunk, 'x', sizeof(chunk));
	const char *h = "Content-Length: 5000\r\n\r\n";
	rpc_reader_feed(&r, h, strlen(h));
	CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_NEED_MORE);
	for (int i = 0; i < 5; i++) {
		rpc_reader_feed(&r, chunk, sizeof(chunk));
		CHECK(r.in.len <= sizeof(chunk));
		CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_NEED_MORE);
	}
	const char *next = "Content-Length: 2\r\n\r\nok";
	rpc_reader_feed(&r, next, strlen(next));
	CHECK_INT(rpc_reader_next(&r, &b, &n), RPC_MESSAGE);
	CHECK(n == 2 && !memcmp(b, "ok", 2));
	rpc_reader_dispose(&r);
}

static enum rpc_kind kind_of(const char *s, int *code)
{
	struct rpc_msg m;
	rpc_msg_parse(&m, s, strlen(s));
	enum rpc_kind k = m.kind;
	*code = m.err_code;
	rpc_msg_dispose(&m);
	return k;
}

TEST(classifies_messages)
{
	int code;
	CHECK_INT(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"}", &code), RPC_REQUEST);
	CHECK_INT(kind_of("{\"jsonrpc\":\"2.0\",\"method\":\"a\"}", &code), RPC_NOTIFICATION);
	CHECK_INT(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":null}", &code), RPC_RESPONSE);
	CHECK_INT(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1}", &code), RPC_INVALID);
	CHECK_INT(code, RPC_INVALID_REQUEST);
	CHECK_INT(kind_of("[]", &code), RPC_INVALID);
	CHECK_INT(code, RPC_INVALID_REQUEST);
	CHECK_INT(kind_of("{", &code), RPC_INVALID);
	CHECK_INT(code, RPC_PARSE_ERROR);
	CHECK_INT(kind_of("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"a\"}", &code), RPC_INVALID);
	CHECK_INT(kind_of("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"a\",\"params\":3}", &code), RPC_INVALID);
	CHECK_INT(code, RPC_INVALID_PARAMS);
	CHECK_INT(kind_of("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"a\",\"params\":null}", &code), RPC_REQUEST);
}

TEST(frame_writes_header)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	rpc_frame(&b, "{}", 2);
	CHECK_STR(b.data, "Content-Length: 2\r\n\r\n{}");
	buf_dispose(&b);
}

int main(void)
{
	RUN(split_and_joined_messages);
	RUN(bad_lengths_dropped_and_huge_fatal);
	RUN(oversized_body_is_discarded_as_it_arrives);
	RUN(classifies_messages);
	RUN(frame_writes_header);
	CHECK_MAIN_END();
}
