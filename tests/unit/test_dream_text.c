/* Unit tests for the dream's text helpers: tokens, statements, dates. */
#include "check.h"
#include "dream/dream_text.h"
#include "kairos/err.h"
#include "kairos/time.h"

#include <stdlib.h>

/* the tokens of s joined by spaces, sentence ends as "|" */
static char *toks(const char *s)
{
	struct dream_toks t = {0};
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	dream_text_tokenize(s, strlen(s), &t);
	for (size_t i = 0; i < t.n; i++) {
		if (b.len)
			buf_putc(&b, ' ');
		if (t.v[i].kind == DT_END)
			buf_putc(&b, '|');
		else if (t.v[i].kind == DT_BREAK)
			buf_putc(&b, ',');
		else if (t.v[i].kind == DT_ANCHOR)
			buf_printf(&b, "<%s>", t.v[i].s);
		else if (t.v[i].kind == DT_CODE)
			buf_printf(&b, "`%s`", t.v[i].s);
		else if (t.v[i].kind == DT_QUOTE)
			buf_printf(&b, "\"%s\"", t.v[i].s);
		else
			buf_puts(&b, t.v[i].s);
	}
	dream_text_toks_dispose(&t);
	return buf_detach(&b);
}

#define CHECK_TOKS(in, want)          \
	do {                          \
		char *got_ = toks(in); \
		CHECK_STR(got_, want); \
		free(got_);           \
	} while (0)

TEST(tokens_contractions)
{
	CHECK_TOKS("Don't use tabs.", "do not use tabs |");
	CHECK_TOKS("It's the user's choice", "it is the user choice |");
	CHECK_TOKS("We can't, won't; they're", "we can not , will not | they are |");
	CHECK_TOKS("It\xE2\x80\x99s fine", "it is fine |");
	CHECK_TOKS("Let's go", "let us go |");
}

TEST(tokens_case_punctuation_unicode)
{
	CHECK_TOKS("USE  Tabs,  now!! Then", "use tabs , now | then |");
	CHECK_TOKS("\xEF\xBC\xA6ULL width", "full width |"); /* NFKC: fullwidth F */
	CHECK_TOKS("Stra\xC3\x9F" "e", "strasse |");          /* case folding */
	CHECK_TOKS("version 2.5 of c11", "version 2.5 of <c11> |");
}

TEST(tokens_code_and_quotes)
{
	CHECK_TOKS("Run `make check` before", "run `make check` before |");
	CHECK_TOKS("Use \"kr_\" as prefix", "use \"kr_\" as prefix |");
	CHECK_TOKS("Use 'single' here", "use \"single\" here |");
	CHECK_TOKS("the users' files", "the users files |");
}

TEST(tokens_naming_styles)
{
	CHECK_TOKS("Use camelCase and snake case", "use camel_case and snake_case |");
	CHECK_TOKS("kebab-case names", "kebab_case names |");
	CHECK_TOKS("snake_case for functions", "snake_case for functions |");
}

TEST(stop_words_exact)
{
	const char *yes[] = {"a", "an", "the", "please", "just", "also", "really", "make",
			     "sure", "do", "does", "you", "your", "to", "that"};
	for (size_t i = 0; i < ARRAY_LEN(yes); i++)
		CHECK(dream_text_stopword(yes[i]));
	CHECK(!dream_text_stopword("not"));
	CHECK(!dream_text_stopword("is"));
	CHECK(!dream_text_stopword("for"));
}

TEST(statement_leaves_out_why)
{
	struct mem *m = mem_new();
	char *s;
	m->description = xstrdup("Indent with spaces");
	free(m->body);
	m->body = xstrdup("Indent with 4 spaces.\n\n**Why:** tabs look odd.\n"
			  "- **How to apply:** everywhere.\nMore.\n");
	s = dream_text_statement(m);
	CHECK_STR(s, "Indent with spaces\nIndent with 4 spaces.\n\nMore.\n");
	free(s);
	mem_free(m);
}

static char *dates(const char *body, const char *created, int *cnt)
{
	int64_t t = 0;
	struct buf why = BUF_INIT_CAP(BUF_CAP_LINE);
	char *r;
	time_parse(created, &t);
	*cnt = 0;
	CHECK_INT(dream_dates_fix(&r, body, t, cnt, &why), 0);
	buf_dispose(&why);
	return r;
}

/* A body whose dates, made absolute, would no longer fit a memory file
 * is left as it was, with an error. */
TEST(dates_past_a_memory_file)
{
	size_t n = BUF_CAP_MEMFILE / STRLEN_LIT("today ") - 1; /* each becomes 2026-03-02 */
	char *body = malloc(n * STRLEN_LIT("today ") + 1), *r = (char *)"x";
	struct buf why = BUF_INIT_CAP(BUF_CAP_LINE);
	int64_t t = 0;
	int cnt = 7;

	for (size_t i = 0; i < n; i++)
		memcpy(body + i * STRLEN_LIT("today "), "today ", STRLEN_LIT("today "));
	body[n * STRLEN_LIT("today ")] = '\0';
	CHECK(strlen(body) < BUF_CAP_MEMFILE);
	time_parse("2026-03-02T10:15:00Z", &t);
	CHECK_INT(dream_dates_fix(&r, body, t, &cnt, &why), KR_ENOMEM);
	CHECK(r == NULL);
	CHECK_INT(cnt, 7);
	buf_dispose(&why);
	free(body);
}

TEST(dates_relative)
{
	int n;
	char *r;
	r = dates("Yesterday we moved to CMake.", "2026-03-02T10:15:00Z", &n);
	CHECK_STR(r, "2026-03-01 we moved to CMake.");
	CHECK_INT(n, 1);
	free(r);
	r = dates("Decided this morning, tested last week and 3 days ago.", "2026-03-02T10:15:00Z", &n);
	CHECK_STR(r, "Decided 2026-03-02, tested 2026-02-23 and 2026-02-27.");
	CHECK_INT(n, 3);
	free(r);
	r = dates("Changed last month, two weeks ago and last year.", "2026-03-31T23:59:59Z", &n);
	CHECK_STR(r, "Changed 2026-02-28, 2026-03-17 and 2025-03-31.");
	free(r);
	/* 2026-03-02 is a Monday: last Monday is a week before, last Friday 3 days */
	r = dates("Seen last Monday and last Friday; today too.", "2026-03-02T08:00:00Z", &n);
	CHECK_STR(r, "Seen 2026-02-23 and 2026-02-27; 2026-03-02 too.");
	free(r);
	r = dates("the day before yesterday, tonight", "2024-03-01T00:00:00Z", &n);
	CHECK_STR(r, "2024-02-28, 2024-03-01");
	free(r);
}

TEST(dates_never_in_code_or_words)
{
	int n;
	char *r;
	CHECK(!dates("Run `git log --since yesterday` often.", "2026-03-02T10:15:00Z", &n));
	CHECK(!dates("```\nyesterday\n```\n", "2026-03-02T10:15:00Z", &n));
	CHECK(!dates("Todays and the last weekend, nowadays", "2026-03-02T10:15:00Z", &n));
	r = dates("```sh\ntoday\n```\nbut today `today` today\n", "2026-03-02T10:15:00Z", &n);
	CHECK_STR(r, "```sh\ntoday\n```\nbut 2026-03-02 `today` 2026-03-02\n");
	CHECK_INT(n, 2);
	free(r);
}

int main(void)
{
	RUN(tokens_contractions);
	RUN(tokens_case_punctuation_unicode);
	RUN(tokens_code_and_quotes);
	RUN(tokens_naming_styles);
	RUN(stop_words_exact);
	RUN(statement_leaves_out_why);
	RUN(dates_relative);
	RUN(dates_never_in_code_or_words);
	RUN(dates_past_a_memory_file);
	CHECK_MAIN_END();
}
