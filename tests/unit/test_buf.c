/* Tests of buf: caps chosen at birth, the sticky error of a failed
 * append (and what clears it), growth, detach and consume, and the JSON
 * writer seeing its buffer's failure. */
#include "check.h"

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/mem.h"
#include "kairos/rpc.h"

#include <stdint.h>
#include <stdlib.h>
#include <wchar.h>

/* the named caps are the limits of the layers above, which base cannot include */
_Static_assert(BUF_CAP_RPC_BODY == RPC_DEFAULT_MAX_BODY, "BUF_CAP_RPC_BODY is the RPC body cap");
_Static_assert(BUF_CAP_MEMFILE == MEM_MAX_FILE, "BUF_CAP_MEMFILE is the memory file cap");
_Static_assert(BUF_CAP_RPC_FRAME - BUF_CAP_RPC_BODY >= sizeof("Content-Length: 18446744073709551615\r\n\r\n"),
	       "a frame has room for its header");

/* err.h's literal length, for the lengths passed with buffers' literals */
_Static_assert(STRLEN_LIT("$/cancelRequest") == 15, "STRLEN_LIT counts the bytes");
_Static_assert(STRLEN_LIT("") == 0 && STRLEN_LIT("a\0b") == 3, "STRLEN_LIT counts NULs too");

static bool failed_with_cap(const struct buf *b, int code)
{
	return buf_err(b) == code && b->len == 0 && b->data == NULL && !strcmp(buf_cstr(b), "");
}

TEST(append_exactly_at_the_cap_succeeds)
{
	struct buf b = BUF_INIT_CAP(8);
	CHECK_INT(buf_puts(&b, "1234"), 0);
	CHECK_INT(buf_append(&b, "5678", STRLEN_LIT("5678")), 0);
	CHECK_STR(b.data, "12345678");
	CHECK_INT(b.len, 8);
	CHECK_INT(buf_room(&b), 0);
	CHECK_INT(buf_err(&b), 0);
	CHECK(b.cap <= 9); /* the cap bounds the allocation too */
	CHECK_INT(buf_append(&b, "", 0), 0);
	buf_dispose(&b);
}

TEST(append_past_the_cap_frees_and_sticks)
{
	struct buf b = BUF_INIT_CAP(8);
	CHECK_INT(buf_puts(&b, "12345"), 0);
	CHECK_INT(buf_puts(&b, "6789"), KR_ENOMEM);
	CHECK(strstr(kr_errmsg(), "cap of 8 bytes") != NULL);
	CHECK(failed_with_cap(&b, KR_ENOMEM));
	/* every later append is a no-op with the same error, even one that fits */
	CHECK_INT(buf_putc(&b, 'x'), KR_ENOMEM);
	CHECK_INT(buf_puts(&b, ""), KR_ENOMEM);
	CHECK_INT(buf_append(&b, "ab", 2), KR_ENOMEM);
	CHECK_INT(buf_printf(&b, "%d", 1), KR_ENOMEM);
	CHECK_INT(buf_reserve(&b, 1), KR_ENOMEM);
	CHECK(failed_with_cap(&b, KR_ENOMEM));
	CHECK_INT(buf_room(&b), 0);
	/* the check at the end restates why, whatever happened in between */
	kr_err("something else");
	CHECK_INT(buf_err(&b), KR_ENOMEM);
	CHECK(strstr(kr_errmsg(), "cap of 8 bytes") != NULL);
	buf_dispose(&b);
}

TEST(a_writer_checks_once_at_the_end)
{
	struct buf b = BUF_INIT_CAP(32);
	for (int i = 0; i < 100; i++)
		buf_printf(&b, "%d,", i);
	buf_putc(&b, '}');
	/* no hole: the content is all there or none of it is */
	CHECK_INT(buf_err(&b), KR_ENOMEM);
	CHECK_INT(b.len, 0);

	struct buf ok = BUF_INIT_CAP(BUF_CAP_LINE);
	for (int i = 0; i < 10; i++)
		buf_printf(&ok, "%d,", i);
	CHECK_INT(buf_err(&ok), 0);
	CHECK_STR(ok.data, "0,1,2,3,4,5,6,7,8,9,");
	buf_dispose(&b);
	buf_dispose(&ok);
}

TEST(reset_dispose_truncate_to_zero_and_detach_clear_the_error)
{
	struct buf b = BUF_INIT_CAP(4);
	char *p;

	buf_puts(&b, "too long");
	buf_reset(&b);
	CHECK_INT(buf_err(&b), 0);
	CHECK_INT(buf_puts(&b, "abcd"), 0); /* the cap survives */
	CHECK_INT(buf_putc(&b, 'e'), KR_ENOMEM);

	buf_dispose(&b);
	CHECK_INT(buf_err(&b), 0);
	CHECK_INT(buf_puts(&b, "abcd"), 0);
	CHECK_INT(buf_putc(&b, 'e'), KR_ENOMEM);

	/* truncating to a length > 0 cannot bring the bytes back */
	buf_truncate(&b, 2);
	CHECK_INT(buf_err(&b), KR_ENOMEM);
	buf_consume(&b, 1);
	CHECK_INT(buf_err(&b), KR_ENOMEM);
	buf_consume(&b, 0);
	CHECK_INT(buf_err(&b), KR_ENOMEM);
	buf_truncate(&b, 0);
	CHECK_INT(buf_err(&b), 0);
	CHECK_INT(buf_puts(&b, "wxyz"), 0);

	buf_putc(&b, '!');
	p = buf_detach(&b);
	CHECK_STR(p, "");
	free(p);
	CHECK_INT(buf_err(&b), 0);
	CHECK_INT(buf_puts(&b, "ok"), 0);
	CHECK_STR(b.data, "ok");
	buf_dispose(&b);
}

TEST(a_forgotten_cap_holds_nothing)
{
	struct buf z = {0}, b = BUF_INIT_CAP(BUF_CAP_LISTING), c;
	/* no default: a buffer nobody gave a cap fails at its first append */
	CHECK_INT(buf_room(&z), 0);
	CHECK_INT(buf_puts(&z, "x"), KR_ENOMEM);
	CHECK_INT(buf_err(&z), KR_ENOMEM);
	CHECK_STR(buf_cstr(&z), "");
	buf_dispose(&z);
	buf_init(&c, 0);
	CHECK_INT(buf_room(&c), 0);
	buf_init(&c, 100);
	CHECK_INT(buf_room(&c), 100);
	/* a length that would overflow is over the cap, not a wrap-around */
	CHECK_INT(buf_append(&b, "x", SIZE_MAX), KR_ENOMEM);
	CHECK_INT(buf_err(&b), KR_ENOMEM);
	CHECK_INT(buf_reserve(&c, SIZE_MAX), KR_ENOMEM);
	buf_dispose(&b);
	buf_dispose(&c);
}

TEST(printf_grows_past_the_first_allocation)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	char big[3000];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(buf_printf(&b, "<%s>", "x"), 0);
	CHECK_INT(buf_printf(&b, "[%s|%d]", big, 42), 0);
	CHECK_INT(b.len, 3 + 1 + 2999 + 4);
	CHECK(b.cap >= b.len + 1);
	CHECK(!memcmp(b.data, "<x>[aaa", 7));
	CHECK_STR(b.data + b.len - 4, "|42]");
	CHECK_INT(strlen(b.data), b.len);
	buf_dispose(&b);
}

TEST(printf_exactly_at_the_cap)
{
	struct buf b = BUF_INIT_CAP(10);
	CHECK_INT(buf_printf(&b, "%s-%d", "abcd", 12345), 0);
	CHECK_STR(b.data, "abcd-12345");
	CHECK_INT(buf_printf(&b, "%s", ""), 0);
	CHECK_INT(buf_printf(&b, "%c", 'z'), KR_ENOMEM);
	CHECK(failed_with_cap(&b, KR_ENOMEM));
	buf_dispose(&b);
}

TEST(a_bad_format_sticks_as_einval)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	/* a wide character the C locale cannot encode */
	static const wchar_t bad[] = {0x2603, 0};
	buf_puts(&b, "kept?");
	if (buf_printf(&b, "%ls", bad) == 0) {
		buf_dispose(&b); /* this libc encodes it anyway: nothing to test */
		return;
	}
	CHECK_INT(buf_err(&b), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "format") != NULL);
	CHECK_INT(buf_puts(&b, "x"), KR_EINVAL);
	CHECK_INT(b.len, 0);
	buf_dispose(&b);
}

TEST(reserve_makes_room_without_changing_len)
{
	struct buf b = BUF_INIT_CAP(100);
	buf_puts(&b, "ab");
	CHECK_INT(buf_reserve(&b, 50), 0);
	CHECK_INT(b.len, 2);
	CHECK(b.cap >= 53);
	CHECK_STR(b.data, "ab");
	CHECK_INT(buf_reserve(&b, 98), 0); /* 2 + 98 is the cap */
	CHECK_INT(buf_reserve(&b, 99), KR_ENOMEM);
	CHECK(failed_with_cap(&b, KR_ENOMEM));
	buf_dispose(&b);

	/* a reserve of 0 gives an empty buffer its data */
	struct buf e = BUF_INIT_CAP(4);
	CHECK_INT(buf_reserve(&e, 0), 0);
	CHECK(e.data != NULL && e.data[0] == '\0');
	buf_dispose(&e);
}

TEST(detach_hands_over_the_data)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	char *p = buf_detach(&b);
	CHECK_STR(p, ""); /* never NULL */
	free(p);
	buf_puts(&b, "hello");
	p = buf_detach(&b);
	CHECK_STR(p, "hello");
	free(p);
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	CHECK_INT(buf_room(&b), BUF_CAP_LINE); /* the cap stays */
	buf_dispose(&b);
}

TEST(consume_and_truncate_shorten)
{
	static const struct {
		char op; /* 'a'ppend text, 'c'onsume n, 't'runcate to n */
		size_t n;
		const char *text, *want;
	} steps[] = {
		{'a', 0, "Content-Length: 2\r\n\r\n{}rest", "Content-Length: 2\r\n\r\n{}rest"},
		{'c', 21, NULL, "{}rest"},
		{'c', 0, NULL, "{}rest"},
		{'c', 2, NULL, "rest"},
		{'t', 10, NULL, "rest"},
		{'t', 2, NULL, "re"},
		{'c', 100, NULL, ""},
		{'a', 0, "again", "again"},
		{'c', 5, NULL, ""},
		{'a', 0, "abc", "abc"},
		{'t', 0, NULL, ""},
	};
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE), e = BUF_INIT_CAP(BUF_CAP_LINE);

	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		if (steps[i].op == 'a')
			CHECK_INT(buf_puts(&b, steps[i].text), 0);
		else if (steps[i].op == 'c')
			buf_consume(&b, steps[i].n);
		else
			buf_truncate(&b, steps[i].n);
		CHECK_STR(buf_cstr(&b), steps[i].want);
		CHECK_INT(b.len, strlen(steps[i].want));
	}
	buf_dispose(&b);
	buf_consume(&e, 3); /* a buffer never written */
	buf_truncate(&e, 3);
	CHECK_INT(e.len, 0);
	buf_dispose(&e);
}

TEST(room_keeps_the_head_of_a_stream)
{
	struct buf b = BUF_INIT_CAP(10);
	const char *chunks[] = {"abcd", "efgh", "ijkl", "mnop"};
	for (size_t i = 0; i < ARRAY_LEN(chunks); i++) {
		size_t n = strlen(chunks[i]), room = buf_room(&b);
		CHECK_INT(buf_append(&b, chunks[i], n < room ? n : room), 0);
	}
	CHECK_STR(b.data, "abcdefghij");
	CHECK_INT(buf_err(&b), 0);
	buf_dispose(&b);
}

TEST(fail_marks_a_buffer_broken)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	buf_puts(&b, "partial");
	buf_fail(&b, KR_EINVAL);
	CHECK(failed_with_cap(&b, KR_EINVAL));
	CHECK(strstr(kr_errmsg(), "earlier write") != NULL);
	buf_fail(&b, KR_ENOMEM); /* the first error stays */
	CHECK_INT(buf_err(&b), KR_EINVAL);
	CHECK_INT(buf_putc(&b, 'x'), KR_EINVAL);
	buf_reset(&b);
	CHECK_INT(buf_err(&b), 0);
	buf_fail(&b, 0); /* not an error code: still a failure */
	CHECK_INT(buf_err(&b), KR_ERR);
	buf_dispose(&b);
}

TEST(json_writer_sees_its_buffer_fail)
{
	struct buf b = BUF_INIT_CAP(16);
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "message", "a string longer than the cap");
	jw_kint(&w, "n", 1);
	jw_end(&w);
	CHECK_INT(w.err, KR_ENOMEM);
	CHECK_INT(buf_err(&b), KR_ENOMEM);
	CHECK_INT(b.len, 0);

	/* a buffer that failed before the writer began */
	jw_init(&w, &b);
	CHECK_INT(w.err, KR_ENOMEM);

	/* the buffer failing under direct appends between writer calls */
	buf_dispose(&b);
	jw_init(&w, &b);
	jw_arr(&w);
	buf_puts(&b, "01234567890123456789");
	jw_int(&w, 1);
	jw_end(&w);
	CHECK_INT(w.err, KR_ENOMEM);
	buf_dispose(&b);
}

TEST(json_writer_errors_fail_its_buffer)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	struct jw w;
	jw_init(&w, &b);
	for (int i = 0; i < JW_MAX_DEPTH + 1; i++)
		jw_arr(&w);
	CHECK_INT(w.err, KR_EINVAL);
	CHECK_INT(buf_err(&b), KR_EINVAL); /* the sender's one check sees it */
	buf_dispose(&b);

	jw_init(&w, &b);
	jw_end(&w);
	CHECK_INT(w.err, KR_EINVAL);
	CHECK_INT(buf_err(&b), KR_EINVAL);
	buf_dispose(&b);

	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "k", "v");
	jw_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_INT(buf_err(&b), 0);
	CHECK_STR(b.data, "{\"k\":\"v\"}");
	buf_dispose(&b);
}

int main(void)
{
	RUN(append_exactly_at_the_cap_succeeds);
	RUN(append_past_the_cap_frees_and_sticks);
	RUN(a_writer_checks_once_at_the_end);
	RUN(reset_dispose_truncate_to_zero_and_detach_clear_the_error);
	RUN(a_forgotten_cap_holds_nothing);
	RUN(printf_grows_past_the_first_allocation);
	RUN(printf_exactly_at_the_cap);
	RUN(a_bad_format_sticks_as_einval);
	RUN(reserve_makes_room_without_changing_len);
	RUN(detach_hands_over_the_data);
	RUN(consume_and_truncate_shorten);
	RUN(room_keeps_the_head_of_a_stream);
	RUN(fail_marks_a_buffer_broken);
	RUN(json_writer_sees_its_buffer_fail);
	RUN(json_writer_errors_fail_its_buffer);
	CHECK_MAIN_END();
}
