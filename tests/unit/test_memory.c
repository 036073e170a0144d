/* test_memory: parsing, validation, formatting and round trips of one
 * memory file. */
#include "check.h"

#include "kairos/err.h"
#include "kairos/mem.h"
#include "kairos/time.h"

#include <stdlib.h>

static struct mem *parse(const char *s)
{
	struct mem *m = NULL;
	if (mem_parse(&m, s, strlen(s)))
		return NULL;
	return m;
}

/* parse -> format -> parse gives the same memory, and formatting that
 * again gives the same bytes. */
static void round_trip(const char *text)
{
	struct mem *a = parse(text), *b = NULL;
	struct buf f1 = BUF_INIT_CAP(BUF_CAP_RPC_BODY), f2 = BUF_INIT_CAP(BUF_CAP_RPC_BODY);

	CHECK(a != NULL);
	if (!a) {
		fprintf(stderr, "parse failed: %s\n%s\n", kr_errmsg(), text);
		return;
	}
	CHECK_INT(mem_write(a, &f1), 0);
	b = parse(buf_cstr(&f1));
	CHECK(b != NULL);
	if (!b)
		fprintf(stderr, "re-parse failed: %s\n%s\n", kr_errmsg(), buf_cstr(&f1));
	if (b) {
		CHECK(mem_equal(a, b));
		if (!mem_equal(a, b))
			fprintf(stderr, "differs after round trip:\n%s\n", buf_cstr(&f1));
		CHECK_INT(mem_write(b, &f2), 0);
		CHECK_STR(buf_cstr(&f2), buf_cstr(&f1));
	}
	mem_free(a);
	mem_free(b);
	buf_dispose(&f1);
	buf_dispose(&f2);
}

static const char *spec_example =
	"---\n"
	"name: indent-with-spaces\n"
	"description: Indent C code with 4 spaces, never tabs\n"
	"type: feedback\n"
	"created: 2026-03-02T10:15:00Z\n"
	"updated: 2026-03-02T10:15:00Z\n"
	"source: user\n"
	"scope: [\"src/**/*.c\", \"include/**/*.h\"]\n"
	"refs: [\"src/lexer.c\"]\n"
	"rule:\n"
	"  pattern: \"^\\t+\"\n"
	"  message: \"Indent with 4 spaces, not tabs\"\n"
	"  severity: information\n"
	"  fix: \"    \"\n"
	"---\n"
	"Indent C code with 4 spaces, never tabs.\n"
	"\n"
	"**Why:** the review tool renders tabs as 8 columns.\n"
	"**How to apply:** every new or edited line under src/ and include/.\n";

TEST(test_spec_example)
{
	struct mem *m = parse(spec_example);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_STR(m->name, "indent-with-spaces");
	CHECK_STR(m->description, "Indent C code with 4 spaces, never tabs");
	CHECK_INT(m->type, MEM_FEEDBACK);
	CHECK_STR(m->created, "2026-03-02T10:15:00Z");
	CHECK_INT(m->created_ts, 1772446500);
	CHECK_INT(m->updated_ts, 1772446500);
	CHECK_STR(m->source, "user");
	CHECK_INT(m->scope.n, 2);
	CHECK_STR(m->scope.v[1], "include/**/*.h");
	CHECK_INT(m->refs.n, 1);
	CHECK_STR(m->refs.v[0], "src/lexer.c");
	CHECK(m->rule != NULL);
	CHECK_STR(m->rule->pattern, "^\t+");
	CHECK(m->rule->literal == NULL);
	CHECK_STR(m->rule->message, "Indent with 4 spaces, not tabs");
	CHECK_INT(m->rule->severity, SEV_INFORMATION);
	CHECK_STR(m->rule->fix, "    ");
	CHECK(m->front == NULL);
	CHECK(!strncmp(m->body, "Indent C code with 4 spaces, never tabs.\n\n**Why:**", 50));
	mem_free(m);
	round_trip(spec_example);
}

TEST(test_round_trip_every_field)
{
	round_trip("---\n"
		   "name: every_field-1\n"
		   "description: \"Quotes \\\" and: colons # hashes, 'single' and \\\\ backslash\"\n"
		   "type: reference\n"
		   "created: 2025-12-31T23:59:59Z\n"
		   "updated: 2026-01-01T00:00:00.250Z\n"
		   "source: dream\n"
		   "scope: [\"src/**/*.c\", \"a b/c, d.h\", \"x\\\"y\"]\n"
		   "refs: [\"docs/é.md\"]\n"
		   "supersedes: [\"old-one\", \"old_two\"]\n"
		   "rule:\n"
		   "  literal: \"strcpy(\"\n"
		   "  message: \"Use str_copy: it checks the size\"\n"
		   "  severity: error\n"
		   "  fix: \"\"\n"
		   "expires: 2027-01-01\n"
		   "superseded_by: newer-one\n"
		   "archived_reason: \"merged into newer-one\"\n"
		   "archived_at: 2026-02-02T02:02:02Z\n"
		   "custom: value\n"
		   "nested:\n"
		   "  a: 1\n"
		   "  b: [x, y]\n"
		   "listy:\n"
		   "- one\n"
		   "- two\n"
		   "---\n"
		   "Body with --- inside\n---\nand a second delimiter-looking line.\n");
	round_trip("---\nname: a\ndescription: yes\ntype: user\n---\n");
	round_trip("---\nname: a\ndescription: \"null\"\ntype: user\n---\nno newline at end");
	round_trip("---\nname: a\ndescription: 42\ntype: user\n---\n");
	round_trip("---\nname: a\ndescription: \"tab\\there, bell\\a, nel\\N end\"\ntype: user\n---\n");
	round_trip("---\nname: a\ndescription: \"- dash first\"\ntype: user\n---\n");
	round_trip("---\nname: a\ndescription: ' single quoted '\ntype: project\n---\n");
	round_trip("---\n{name: flow, description: flow mapping, type: user, extra: {k: v}}\n---\nx\n");
	round_trip("---\nname: a\ndescription: d\ntype: user\nrule:\n  pattern: \"a|b\"\n---\n");
	round_trip("---\nname: a\ndescription: d\ntype: user\nexpires: 2026-03-02T10:15:00+02:00\n"
		   "source: import\nscope: single/scalar.c\n---\n");
	round_trip("---\r\nname: crlf\r\ndescription: windows\r\ntype: user\r\n---\r\nbody\r\n");
	round_trip("\xEF\xBB\xBF---\nname: bom\ndescription: d\ntype: user\n---\n");
	round_trip("---\nname: a\ndescription: Ünïcödé — “quoted” ✓\ntype: user\n---\n");
}

TEST(test_fields_set_by_code_round_trip)
{
	struct mem *m = mem_new(), *b = NULL;
	struct buf f = BUF_INIT_CAP(BUF_CAP_RPC_BODY);

	m->name = xstrdup("made-in-code");
	m->description = xstrdup("[brackets] {braces} & *star !bang |pipe >gt %pc @at `bt");
	m->type = MEM_USER;
	m->created = xstrdup("2026-03-02T10:15:00Z");
	time_parse(m->created, &m->created_ts);
	m->source = xstrdup("llm");
	strv_push(&m->scope, "*.c");
	m->rule = xcalloc(1, sizeof(*m->rule));
	m->rule->pattern = xstrdup("\\\\[\"']\n");
	m->rule->severity = SEV_HINT;
	m->rule->message = xstrdup("true");
	free(m->body);
	m->body = xstrdup("line\n\n---\n");
	CHECK_INT(mem_write(m, &f), 0);
	CHECK_INT(mem_parse(&b, f.data, f.len), 0);
	CHECK(b && mem_equal(m, b));
	mem_free(m);
	mem_free(b);
	buf_dispose(&f);
}

TEST(test_names)
{
	CHECK(mem_name_valid("a"));
	CHECK(mem_name_valid("0-a_b"));
	CHECK(mem_name_valid("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"));
	CHECK(!mem_name_valid("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij12345"));
	CHECK(!mem_name_valid(""));
	CHECK(!mem_name_valid("-a"));
	CHECK(!mem_name_valid("_a"));
	CHECK(!mem_name_valid("A"));
	CHECK(!mem_name_valid("a.b"));
	CHECK(!mem_name_valid("../x"));
	CHECK(!mem_name_valid("a/b"));
	CHECK(!mem_name_valid(NULL));
}

/* Invalid texts: each is rejected with a message that says why. */
TEST(test_invalid)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"", "no front matter"},
		{"name: x\n", "no front matter"},
		{"---\nname: a\ndescription: d\ntype: user\n", "not closed"},
		{"---\n---\nbody", "empty"},
		{"---\n- a\n- b\n---\n", "mapping"},
		{"---\njust a string\n---\n", "mapping"},
		{"---\nname: [a\n---\n", "not valid YAML"},
		{"---\nname: a\n\tdescription: tab\n---\n", "not valid YAML"},
		{"---\ndescription: d\ntype: user\n---\n", "'name'"},
		{"---\nname: a\ntype: user\n---\n", "'description'"},
		{"---\nname: a\ndescription: d\n---\n", "'type'"},
		{"---\nname: Bad Name\ndescription: d\ntype: user\n---\n", "'name' must match"},
		{"---\nname: ../etc\ndescription: d\ntype: user\n---\n", "'name' must match"},
		{"---\nname: a\ndescription: d\ntype: opinion\n---\n", "'type' must be"},
		{"---\nname: a\ndescription: \"two\\nlines\"\ntype: user\n---\n", "one line"},
		{"---\nname: a\ndescription: \"\"\ntype: user\n---\n", "empty"},
		{"---\nname: a\ndescription: d\ntype: user\ncreated: 2026-03-02\n---\n", "'created'"},
		{"---\nname: a\ndescription: d\ntype: user\nupdated: 2026-03-02T10:15:00+01:00\n---\n",
		 "'updated'"},
		{"---\nname: a\ndescription: d\ntype: user\ncreated: last tuesday\n---\n", "'created'"},
		{"---\nname: a\ndescription: d\ntype: user\nsource: rumour\n---\n", "'source'"},
		{"---\nname: a\ndescription: d\ntype: user\nrefs: [\"../../etc/passwd\"]\n---\n", "'refs'"},
		{"---\nname: a\ndescription: d\ntype: user\nscope: [\"/etc/*\"]\n---\n", "'scope'"},
		{"---\nname: a\ndescription: d\ntype: user\nscope: {a: b}\n---\n", "'scope'"},
		{"---\nname: a\ndescription: d\ntype: user\nsupersedes: [\"Not A Name\"]\n---\n",
		 "'supersedes'"},
		{"---\nname: a\ndescription: d\ntype: user\nrule: text\n---\n", "'rule'"},
		{"---\nname: a\ndescription: d\ntype: user\nrule:\n  message: m\n---\n", "exactly one"},
		{"---\nname: a\ndescription: d\ntype: user\nrule:\n  pattern: a\n  literal: b\n---\n",
		 "exactly one"},
		{"---\nname: a\ndescription: d\ntype: user\nrule:\n  pattern: \"(\"\n---\n", "regex"},
		{"---\nname: a\ndescription: d\ntype: user\nrule:\n  literal: x\n  severity: fatal\n---\n",
		 "severity"},
		{"---\nname: a\ndescription: d\ntype: user\nrule:\n  literal: x\n  sevrity: hint\n---\n",
		 "unknown key"},
		{"---\nname: a\nname: b\ndescription: d\ntype: user\n---\n", "duplicate"},
		{"---\nname: a\ndescription: d\ntype: user\nexpires: soon\n---\n", "'expires'"},
		{"---\nname: a\ndescription: d\ntype: [user]\n---\n", "'type'"},
		{"---\nname: a\ndescription: \xff\xfe\ntype: user\n---\n", "UTF-8"},
		{"---\nname: a\ndescription: d\ntype: user\n---\n\xc0\xaf", "UTF-8"},
		{"---\nname: a\ndescription: d\ntype: user\narchived_at: never\n---\n", "'archived_at'"},
		{"---\nname: a\ndescription: d\ntype: user\nsuperseded_by: \"A B\"\n---\n",
		 "'superseded_by'"},
		{"---\nname: a\ndescription: *alias\ntype: user\n---\n", "not valid YAML"},
		{"---\nname: a\n...\n---\n", "'description'"},
		{"---\nname: a\n...\nmore: x\n---\n", "YAML"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct mem *m = NULL;
		int rc = mem_parse(&m, bad[i].text, strlen(bad[i].text));
		CHECK_INT(rc, KR_EINVAL);
		CHECK(m == NULL);
		if (!strstr(kr_errmsg(), bad[i].want))
			fprintf(stderr, "case %zu: message \"%s\" lacks \"%s\"\n", i, kr_errmsg(),
				bad[i].want);
		CHECK(strstr(kr_errmsg(), bad[i].want) != NULL);
		mem_free(m);
	}
	{
		/* a NUL byte in the middle */
		static const char t[] = "---\nname: a\0\ndescription: d\ntype: user\n---\n";
		struct mem *m = NULL;
		CHECK_INT(mem_parse(&m, t, sizeof(t) - 1), KR_EINVAL);
	}
}

TEST(test_long_description)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct mem *m = NULL;

	buf_puts(&b, "---\nname: a\ntype: user\ndescription: ");
	for (int i = 0; i < 150; i++)
		buf_puts(&b, "é");
	buf_puts(&b, "\n---\n");
	CHECK_INT(mem_parse(&m, b.data, b.len), 0);
	mem_free(m);
	m = NULL;
	buf_truncate(&b, 0);
	buf_puts(&b, "---\nname: a\ntype: user\ndescription: ");
	for (int i = 0; i < 151; i++)
		buf_puts(&b, "x");
	buf_puts(&b, "\n---\n");
	CHECK_INT(mem_parse(&m, b.data, b.len), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "150") != NULL);
	buf_dispose(&b);
}

TEST(test_missing_times_are_valid)
{
	struct mem *m = parse("---\nname: a\ndescription: d\ntype: user\n---\n");
	CHECK(m != NULL);
	if (m) {
		CHECK(m->created == NULL);
		CHECK_INT(m->created_ts, 0);
		CHECK_STR(m->body, "");
	}
	mem_free(m);
}

TEST(test_error_lines)
{
	struct mem *m = NULL;
	const char *t = "---\nname: a\ndescription: d\ntype: nope\n---\n";
	CHECK_INT(mem_parse(&m, t, strlen(t)), KR_EINVAL);
	CHECK(!strncmp(kr_errmsg(), "line 4:", 7));
}

/* A CRLF file is written back CRLF, and sentences appended to its body
 * take its line ending; an LF file keeps LF. */
TEST(test_crlf_and_body_append)
{
	const char *t = "---\r\nname: crlf\r\ndescription: windows\r\ntype: user\r\n---\r\n"
			"First.\r\n\r\n";
	struct mem *m = parse(t), *lf = parse("---\nname: a\ndescription: d\ntype: user\n---\nA.");
	struct buf f = BUF_INIT_CAP(MEM_MAX_FILE), b = BUF_INIT_CAP(MEM_MAX_FILE);

	CHECK(m && lf);
	if (!m || !lf)
		goto out;
	CHECK(m->crlf && !lf->crlf);
	CHECK_STR(mem_eol(m), "\r\n");
	CHECK_INT(mem_write(m, &f), 0);
	CHECK_STR(buf_cstr(&f), t);
	buf_puts(&b, m->body);
	mem_body_append(&b, m, "Second,\nover two lines.", 23, true);
	mem_body_append(&b, m, "Third.", 6, false);
	CHECK_INT(buf_err(&b), 0);
	CHECK_STR(buf_cstr(&b), "First.\r\n\r\nSecond,\r\nover two lines.\r\nThird.\r\n");
	buf_reset(&b);
	buf_puts(&b, lf->body);
	mem_body_append(&b, lf, "B.\r\n", 4, false);
	mem_body_append(&b, lf, "C.", 2, true);
	CHECK_STR(buf_cstr(&b), "A.\nB.\n\nC.\n");
	buf_reset(&b);
	mem_body_append(&b, lf, "Only.", 5, true);
	CHECK_STR(buf_cstr(&b), "Only.\n");
	/* the failure sticks: a body over its cap stays failed */
	{
		struct buf small = BUF_INIT_CAP(4);
		mem_body_append(&small, lf, "too long", 8, true);
		CHECK(mem_body_append(&small, lf, "x", 1, false) != 0);
		CHECK(buf_err(&small) != 0);
		buf_dispose(&small);
	}
out:
	mem_free(m);
	mem_free(lf);
	buf_dispose(&f);
	buf_dispose(&b);
}

/* Both readers (the plain-style line reader and libyaml) make the same
 * memory of a text, or refuse it alike. */
static void same_either_way(const char *text)
{
	struct mem *a = NULL, *b = NULL;
	int ra = mem_parse(&a, text, strlen(text));
	char ea[512];

	snprintf(ea, sizeof(ea), "%s", kr_errmsg());
	int rb = mem_parse_flags(&b, text, strlen(text), MEM_PARSE_YAML);
	CHECK_INT(ra, rb);
	if (ra != rb || (ra && strcmp(ea, kr_errmsg())))
		fprintf(stderr, "readers differ on:\n%s\n(%s / %s)\n", text, ea, kr_errmsg());
	CHECK(!ra || !strcmp(ea, kr_errmsg()));
	if (!ra && !rb) {
		free(a->front);
		free(b->front);
		a->front = b->front = NULL;
		CHECK(mem_equal(a, b));
		if (!mem_equal(a, b))
			fprintf(stderr, "readers differ on:\n%s\n", text);
	}
	mem_free(a);
	mem_free(b);
}

TEST(test_plain_reader_matches_libyaml)
{
	static const char *const texts[] = {
		"---\nname: a\ndescription: d\ntype: user\n---\n",
		"---\nname: a\ndescription: \"q \\\" \\\\ \\t \\x41 \\u00e9 \\U0001F600 \\N \\_ \\L\"\ntype: user\n---\n",
		"---\nname: a\ndescription: 'it''s single'\ntype: user\n---\n",
		"---\nname: a\ndescription: a:b, c {d} [e] #f\ntype: user\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nscope: [\"a/*.c\", \"b\"]\nrefs: []\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nrule:\n  pattern: \"^\\t+\"\n  severity: hint\n  fix: \"\"\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nrule:\n  literal: x\n  sevrity: hint\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nrule:\n  message: m\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nrule:\n---\n",
		"---\nname: a\ndescription: d\ntype: opinion\n---\n",
		"---\nname: a\nname: b\ndescription: d\ntype: user\n---\n",
		"---\nname: Bad\ndescription: d\ntype: user\n---\n",
		"---\nname: a\ndescription: \"two\\nlines\"\ntype: user\n---\n",
		"---\nname: a\ndescription: \"nul \\0 here\"\ntype: user\n---\n",
		"---\nname: a\ndescription: d\ntype: user\ncreated: 2026-03-02\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nsource: \"import\"\nexpires: 2027-01-01\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nsupersedes: [\"Not A Name\"]\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nscope: [\"../x\"]\n---\n",
		"---\r\nname: a\r\ndescription: d\r\ntype: user\r\n---\r\nbody\r\n",
		"---\nname: a\ndescription: yes\ntype: user\n---\n",
		"---\nname: a\ndescription: d\ntype: user\nx-tool: 1\n---\n",
		"---\nname: a\ndescription: d\ntype: user\narchived_reason: merged\narchived_at: 2026-01-01T00:00:00Z\nsuperseded_by: b\n---\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(texts); i++)
		same_either_way(texts[i]);
}

/* A rewrite keeps what kairos does not know byte for byte (unknown keys,
 * anchors and aliases, comments, block scalars, a complex key, CRLF) and
 * changes only the fields that changed. */
static void rewrite(const char *in, void (*change)(struct mem *), const char *want)
{
	struct mem *m = parse(in), *back = NULL;
	struct buf f = BUF_INIT_CAP(MEM_MAX_FILE);

	CHECK(m != NULL);
	if (!m)
		return;
	change(m);
	CHECK_INT(mem_write(m, &f), 0);
	CHECK_STR(buf_cstr(&f), want);
	CHECK_INT(mem_parse_flags(&back, f.data, f.len, MEM_PARSE_YAML), 0);
	mem_free(back);
	mem_free(m);
	buf_dispose(&f);
}

static void archive_it(struct mem *m)
{
	m->archived_reason = xstrdup("forgotten");
	m->archived_at = xstrdup("2026-04-01T00:00:00Z");
}

static void unarchive_it(struct mem *m)
{
	free(m->archived_reason);
	free(m->archived_at);
	free(m->superseded_by);
	m->archived_reason = m->archived_at = m->superseded_by = NULL;
}

static void touch_it(struct mem *m)
{
	free(m->updated);
	m->updated = xstrdup("2026-05-05T05:05:05Z");
	time_parse(m->updated, &m->updated_ts);
	free(m->description);
	m->description = xstrdup("new: words");
}

static void nothing(struct mem *m)
{
	(void)m;
}

#define KEPT_FM "name: a\ndescription: d\ntype: project\n" \
		"created: &ts 2026-03-02T10:15:00Z\n" \
		"updated: &u 2026-03-02T10:15:00Z\n" \
		"x-also: *ts\n" \
		"# a comment kairos does not write\n" \
		"x-block: |\n  line one\n\n  line two\n" \
		"? [complex, key]\n: value\n" \
		"x-seen: *u\n"

TEST(test_rewrite_keeps_what_kairos_does_not_know)
{
	rewrite("---\n" KEPT_FM "---\nbody\n", nothing, "---\n" KEPT_FM "---\nbody\n");
	rewrite("---\n" KEPT_FM "---\nbody\n", archive_it,
		"---\n" KEPT_FM "archived_reason: forgotten\narchived_at: 2026-04-01T00:00:00Z\n---\nbody\n");
	rewrite("---\n" KEPT_FM "archived_reason: forgotten # why\n"
		"archived_at: 2026-04-01T00:00:00Z\nsuperseded_by: b\n---\nbody\n",
		unarchive_it, "---\n" KEPT_FM "---\nbody\n");
	/* a changed field is rewritten where it stands, its anchor kept */
	rewrite("---\n" KEPT_FM "---\n", touch_it,
		"---\nname: a\ndescription: \"new: words\"\ntype: project\n"
		"created: &ts 2026-03-02T10:15:00Z\nupdated: &u 2026-05-05T05:05:05Z\n"
		"x-also: *ts\n# a comment kairos does not write\n"
		"x-block: |\n  line one\n\n  line two\n? [complex, key]\n: value\nx-seen: *u\n---\n");
	/* CRLF throughout: kept lines as they are, new ones CRLF */
	rewrite("---\r\nname: a\r\ndescription: d\r\ntype: user\r\nx-k: v # c\r\n---\r\nb\r\n",
		archive_it,
		"---\r\nname: a\r\ndescription: d\r\ntype: user\r\nx-k: v # c\r\n"
		"archived_reason: forgotten\r\narchived_at: 2026-04-01T00:00:00Z\r\n---\r\nb\r\n");
	/* a flow mapping is kept key by key, as block lines */
	rewrite("---\n{name: a, description: d, type: user, x-k: {k: v}}\n---\n", archive_it,
		"---\nname: a\ndescription: d\ntype: user\nx-k: {k: v}\n"
		"archived_reason: forgotten\narchived_at: 2026-04-01T00:00:00Z\n---\n");
}

int main(void)
{
	RUN(test_spec_example);
	RUN(test_round_trip_every_field);
	RUN(test_fields_set_by_code_round_trip);
	RUN(test_names);
	RUN(test_invalid);
	RUN(test_long_description);
	RUN(test_missing_times_are_valid);
	RUN(test_error_lines);
	RUN(test_crlf_and_body_append);
	RUN(test_plain_reader_matches_libyaml);
	RUN(test_rewrite_keeps_what_kairos_does_not_know);
	CHECK_MAIN_END();
}
