/* Unit tests for the document store: edits, clamping, CRLF, speed path. */
#include "check.h"
#include "lsp/doc.h"

#include <stdlib.h>

static struct doc_pos P(uint32_t l, uint32_t c)
{
	return (struct doc_pos){l, c};
}

static const char *text(struct doc *d)
{
	size_t n;
	return doc_text(d, &n);
}

TEST(edits_within_and_across_lines)
{
	struct doc d;
	doc_init(&d, "file:///x/a%20b.c", "hello\nworld\n", 12);
	CHECK_STR(d.path, "/x/a b.c");
	CHECK_INT(d.nlines, 3);
	doc_edit(&d, P(0, 5), P(0, 5), ", there", 7, TEXT_UTF16);
	CHECK_STR(text(&d), "hello, there\nworld\n");
	doc_edit(&d, P(0, 5), P(1, 0), " ", 1, TEXT_UTF16);
	CHECK_STR(text(&d), "hello world\n");
	doc_edit(&d, P(1, 0), P(1, 0), "a\nb\nc", 5, TEXT_UTF16);
	CHECK_STR(text(&d), "hello world\na\nb\nc");
	CHECK_INT(d.nlines, 4);
	CHECK_INT(d.bytes, strlen(text(&d)));
	doc_edit(&d, P(3, 1), P(0, 5), "", 0, TEXT_UTF16); /* reversed range */
	CHECK_STR(text(&d), "hello");
	CHECK_INT(d.bytes, 5);
	doc_dispose(&d);
}

TEST(crlf_kept)
{
	struct doc d;
	doc_init(&d, "file:///c", "a\r\nb\r\nc", 7);
	CHECK_INT(d.nlines, 3);
	CHECK_INT(d.lines[0].len, 1);
	doc_edit(&d, P(0, 1), P(1, 1), "X", 1, TEXT_UTF16);
	CHECK_STR(text(&d), "aX\r\nc");
	CHECK_INT(d.bytes, 5);
	doc_dispose(&d);
}

TEST(clamping)
{
	struct doc d;
	uint32_t line;
	doc_init(&d, "file:///c", "ab\ncd", 5);
	CHECK_INT(doc_pos_to_byte(&d, P(0, 99), TEXT_UTF16, &line), 2);
	CHECK_INT(doc_pos_to_byte(&d, P(99, 0), TEXT_UTF16, &line), 2);
	CHECK_INT(line, 1);
	doc_edit(&d, P(50, 50), P(60, 1), "!", 1, TEXT_UTF16);
	CHECK_STR(text(&d), "ab\ncd!");
	doc_dispose(&d);
}

TEST(many_edits_on_a_big_document_stay_consistent)
{
	struct doc d;
	size_t n = 1 << 20;
	char *s = malloc(n);
	for (size_t i = 0; i < n; i++)
		s[i] = (i % 50 == 49) ? '\n' : (char)('a' + i % 26);
	doc_init(&d, "file:///big", s, n);
	unsigned seed = 7;
	for (int i = 0; i < 10000; i++) {
		seed = seed * 1103515245u + 12345u;
		uint32_t line = (seed >> 8) % (uint32_t)d.nlines;
		doc_edit(&d, P(line, 3), P(line, 3), "x", 1, TEXT_UTF16);
	}
	CHECK_INT(d.bytes, n + 10000);
	size_t len;
	doc_text(&d, &len);
	CHECK_INT(len, n + 10000);
	doc_dispose(&d);
	free(s);
}

int main(void)
{
	RUN(edits_within_and_across_lines);
	RUN(crlf_kept);
	RUN(clamping);
	RUN(many_edits_on_a_big_document_stay_consistent);
	CHECK_MAIN_END();
}
