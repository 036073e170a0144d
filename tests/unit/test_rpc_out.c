/* Unit tests for the JSON-RPC envelopes (rpc_write) and the framed,
 * non-blocking output queue (rpc_out) that the server, the proxy and the
 * MCP server write through. */
#include "check.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/rpc.h"
#include "kairos/rpc_out.h"
#include "kairos/rpc_write.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

static bool valid_json(const struct buf *b)
{
	struct json j;
	bool ok = json_parse(&j, b->data, b->len) == 0 && json_type(&j, 0) == JSON_OBJECT;
	json_dispose(&j);
	return ok;
}

TEST(envelopes)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);

	CHECK_INT(rpc_write_result(&b, "7", 1, "{\"a\":1}", 7), 0);
	CHECK_STR(buf_cstr(&b), "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"a\":1}}");
	buf_reset(&b);
	CHECK_INT(rpc_write_result(&b, NULL, 0, NULL, 0), 0);
	CHECK_STR(buf_cstr(&b), "{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":null}");
	buf_reset(&b);
	/* the message is escaped */
	CHECK_INT(rpc_write_error(&b, "\"x\"", 3, RPC_INVALID_PARAMS, "bad \"name\"\n"), 0);
	CHECK_STR(buf_cstr(&b), "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"error\":{\"code\":-32602,"
				"\"message\":\"bad \\\"name\\\"\\n\"}}");
	CHECK(valid_json(&b));
	buf_reset(&b);
	CHECK_INT(rpc_write_notification(&b, "exit", NULL, 0), 0);
	CHECK_STR(buf_cstr(&b), "{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}");
	buf_reset(&b);
	CHECK_INT(rpc_write_request(&b, "3", 1, "window/workDoneProgress/create", "{}", 2), 0);
	CHECK_STR(buf_cstr(&b), "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":"
				"\"window/workDoneProgress/create\",\"params\":{}}");
	CHECK(valid_json(&b));
	buf_dispose(&b);
}

/* Reads everything the pipe holds now. */
static void slurp(int fd, struct buf *into)
{
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(into, chunk, (size_t)n);
}

static int errors;
static char last_error[256];
static void on_error(void *ud, const char *why)
{
	(void)ud;
	errors++;
	snprintf(last_error, sizeof(last_error), "%s", why);
}

/* A stream on a fresh pipe whose read end never blocks. */
struct fixture {
	int fds[2];
	struct rpc_out o;
	struct buf got;
};

static void fixture_open(struct fixture *f, struct loop *l, enum rpc_out_framing framing, size_t max)
{
	CHECK(pipe(f->fds) == 0);
	fcntl(f->fds[0], F_SETFL, O_NONBLOCK);
	buf_init(&f->got, BUF_CAP_RPC_BODY);
	rpc_out_init(&f->o, l, f->fds[1], framing, max, on_error, NULL);
}

static void fixture_close(struct fixture *f)
{
	rpc_out_dispose(&f->o);
	close(f->fds[0]);
	close(f->fds[1]);
	buf_dispose(&f->got);
}

TEST(frames_and_writes_at_once)
{
	struct fixture f;

	fixture_open(&f, NULL, RPC_OUT_HEADERS, 0);
	CHECK_INT(rpc_out_send(&f.o, "{}", 2), 0);
	CHECK_INT(rpc_out_pending(&f.o), 0);
	slurp(f.fds[0], &f.got);
	CHECK_STR(buf_cstr(&f.got), "Content-Length: 2\r\n\r\n{}");
	fixture_close(&f);
}

TEST(lines_framing)
{
	struct fixture f;

	fixture_open(&f, NULL, RPC_OUT_LINES, 0);
	CHECK_INT(rpc_out_send(&f.o, "{\"a\":1}", 7), 0);
	CHECK_INT(rpc_out_send(&f.o, "{}", 2), 0);
	/* a body with a newline cannot be one line: refused, stream intact */
	CHECK(rpc_out_send(&f.o, "{\n}", 3) == KR_EINVAL);
	CHECK(!f.o.failed);
	slurp(f.fds[0], &f.got);
	CHECK_STR(buf_cstr(&f.got), "{\"a\":1}\n{}\n");
	fixture_close(&f);
}

/* A peer that reads slowly: what the pipe cannot take waits in the
 * queue, the loop writes it when the pipe drains, nothing is lost and
 * order is kept. */
TEST(queued_while_the_peer_is_slow)
{
	int fds[2];
	struct loop *l = loop_new();
	struct rpc_out o;
	struct buf got = BUF_INIT_CAP(BUF_CAP_RPC_BODY), want = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	char body[1000];

	CHECK(pipe(fds) == 0);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	rpc_out_init(&o, l, fds[1], RPC_OUT_HEADERS, 0, on_error, NULL);
	for (int i = 0; i < 400; i++) {
		int n = snprintf(body, sizeof(body), "{\"n\":%d,\"pad\":\"%0900d\"}", i, 0);
		CHECK_INT(rpc_out_send(&o, body, (size_t)n), 0);
		rpc_frame(&want, body, (size_t)n);
	}
	/* more than a pipe holds (64 KiB): some of it is queued */
	CHECK(rpc_out_pending(&o) > 0);
	CHECK(o.watching);
	for (int k = 0; k < 1000 && (rpc_out_pending(&o) || got.len < want.len); k++) {
		slurp(fds[0], &got);
		loop_once(l, 10);
	}
	slurp(fds[0], &got);
	CHECK_INT(rpc_out_pending(&o), 0);
	CHECK(!o.watching);
	CHECK_INT(got.len, want.len);
	CHECK(got.len == want.len && !memcmp(got.data, want.data, got.len));
	rpc_out_dispose(&o);
	loop_free(l);
	close(fds[0]);
	close(fds[1]);
	buf_dispose(&got);
	buf_dispose(&want);
}

/* A peer that never reads: past the cap the stream fails once, says
 * why, and refuses everything after; the writer never blocks. */
TEST(a_peer_that_stops_reading)
{
	int fds[2];
	struct loop *l = loop_new();
	struct rpc_out o;
	char body[4096];
	int rc = 0, sent = 0;

	memset(body, 'x', sizeof(body));
	body[0] = '"';
	body[sizeof(body) - 1] = '"';
	CHECK(pipe(fds) == 0);
	errors = 0;
	rpc_out_init(&o, l, fds[1], RPC_OUT_HEADERS, 256 << 10, on_error, NULL);
	while (sent < 10000 && (rc = rpc_out_send(&o, body, sizeof(body))) == 0)
		sent++;
	CHECK(rc != 0);
	CHECK(sent < 10000);
	CHECK_INT(errors, 1);
	CHECK(strstr(last_error, "stopped reading") != NULL);
	CHECK(o.failed);
	CHECK(rpc_out_send(&o, "{}", 2) != 0);
	CHECK_INT(errors, 1);
	rpc_out_dispose(&o);
	loop_free(l);
	close(fds[0]);
	close(fds[1]);
}

/* A peer that went away: the write fails, once, with the reason. */
TEST(a_peer_that_is_gone)
{
	int fds[2];
	struct rpc_out o;

	CHECK(pipe(fds) == 0);
	close(fds[0]);
	errors = 0;
	rpc_out_init(&o, NULL, fds[1], RPC_OUT_HEADERS, 0, on_error, NULL);
	CHECK(rpc_out_send(&o, "{}", 2) != 0);
	CHECK_INT(errors, 1);
	CHECK(strlen(last_error) > 0);
	CHECK(rpc_out_send(&o, "{}", 2) != 0);
	CHECK_INT(errors, 1);
	rpc_out_dispose(&o);
	close(fds[1]);
}

/* At exit what is queued is written within the time given, or the
 * drain says it was not. */
TEST(drain_at_exit)
{
	int fds[2];
	struct loop *l = loop_new();
	struct rpc_out o;
	struct buf got = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	char body[8192];

	memset(body, ' ', sizeof(body));
	body[0] = '{';
	body[sizeof(body) - 1] = '}';
	CHECK(pipe(fds) == 0);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	rpc_out_init(&o, l, fds[1], RPC_OUT_HEADERS, 0, on_error, NULL);
	for (int i = 0; i < 20; i++)
		rpc_out_send(&o, body, sizeof(body));
	CHECK(rpc_out_pending(&o) > 0);
	/* nobody reads: the drain gives up in time */
	CHECK(rpc_out_drain(&o, 50) != 0);
	CHECK(rpc_out_pending(&o) > 0);
	pid_t pid = fork();
	if (pid == 0) {
		/* a reader that comes back */
		struct buf sink = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
		fcntl(fds[0], F_SETFL, 0);
		close(fds[1]);
		slurp(fds[0], &sink);
		_exit(0);
	}
	close(fds[0]);
	CHECK_INT(rpc_out_drain(&o, 5000), 0);
	CHECK_INT(rpc_out_pending(&o), 0);
	rpc_out_dispose(&o);
	close(fds[1]);
	waitpid(pid, NULL, 0);
	loop_free(l);
	buf_dispose(&got);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as the server: a gone peer is an error, not a signal */
	RUN(envelopes);
	RUN(frames_and_writes_at_once);
	RUN(lines_framing);
	RUN(queued_while_the_peer_is_slow);
	RUN(a_peer_that_stops_reading);
	RUN(a_peer_that_is_gone);
	RUN(drain_at_exit);
	CHECK_MAIN_END();
}
