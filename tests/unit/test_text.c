/* Unit tests for positions in utf-8/16/32 and normalisation. */
#include "check.h"
#include "kairos/text.h"

/* "aé😀b" : a(1) é(2 bytes) 😀(4 bytes) b */
static const char L[] = "a\xc3\xa9\xf0\x9f\x98\x80" "b";

TEST(utf16_columns)
{
	size_t n = strlen(L);
	CHECK_INT(text_col_to_byte(L, n, 0, TEXT_UTF16), 0);
	CHECK_INT(text_col_to_byte(L, n, 1, TEXT_UTF16), 1);
	CHECK_INT(text_col_to_byte(L, n, 2, TEXT_UTF16), 3);
	CHECK_INT(text_col_to_byte(L, n, 3, TEXT_UTF16), 3); /* inside the pair */
	CHECK_INT(text_col_to_byte(L, n, 4, TEXT_UTF16), 7);
	CHECK_INT(text_col_to_byte(L, n, 5, TEXT_UTF16), 8);
	CHECK_INT(text_col_to_byte(L, n, 99, TEXT_UTF16), 8);
	CHECK_INT(text_byte_to_col(L, n, 7, TEXT_UTF16), 4);
	CHECK_INT(text_byte_to_col(L, n, 8, TEXT_UTF16), 5);
	CHECK_INT(text_byte_to_col(L, n, 5, TEXT_UTF16), 2); /* inside: start */
}

TEST(utf32_and_utf8_columns)
{
	size_t n = strlen(L);
	CHECK_INT(text_col_to_byte(L, n, 3, TEXT_UTF32), 7);
	CHECK_INT(text_byte_to_col(L, n, 8, TEXT_UTF32), 4);
	CHECK_INT(text_col_to_byte(L, n, 5, TEXT_UTF8), 3); /* inside 😀 -> its start */
	CHECK_INT(text_col_to_byte(L, n, 2, TEXT_UTF8), 1); /* inside é */
	CHECK_INT(text_col_to_byte(L, n, 7, TEXT_UTF8), 7);
	CHECK_INT(text_byte_to_col(L, n, 7, TEXT_UTF8), 7);
}

TEST(invalid_bytes_count_as_one_unit)
{
	const char s[] = "a\xff\xfe" "b";
	CHECK_INT(text_col_to_byte(s, 4, 3, TEXT_UTF16), 3);
	CHECK_INT(text_byte_to_col(s, 4, 4, TEXT_UTF16), 4);
	CHECK(!text_utf8_valid(s, 4));
	CHECK(text_utf8_valid(L, strlen(L)));
	CHECK(!text_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	CHECK(!text_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
}

TEST(normalize_folds_case_width_space)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	const char *in = "  Hello\t\tWORLD  \xef\xbc\xa1 ";
	CHECK_INT(text_normalize(in, strlen(in), &b), 0);
	CHECK_STR(b.data, "hello world a");
	buf_reset(&b);
	CHECK_INT(text_normalize("Stra\xc3\x9f" "e", 7, &b), 0);
	CHECK_STR(b.data, "strasse");
	buf_dispose(&b);
}

int main(void)
{
	RUN(utf16_columns);
	RUN(utf32_and_utf8_columns);
	RUN(invalid_bytes_count_as_one_unit);
	RUN(normalize_folds_case_width_space);
	CHECK_MAIN_END();
}
