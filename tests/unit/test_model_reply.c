/* Model replies: exactly the shapes of protocol.md "Model replies", the
 * rest logged and dropped. */
#include "check.h"

#include "kairos/err.h"
#include "kairos/model.h"

#include <stdlib.h>
#include <string.h>

static int nlog;
static char last_log[512];

static void count_log(void *ud, const char *msg)
{
	(void)ud;
	nlog++;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

static int tick(struct model_suggestions *s, const char *text)
{
	nlog = 0;
	last_log[0] = 0;
	return model_reply_tick(s, text, strlen(text), count_log, NULL);
}

/* The suggestion wrapped in a valid envelope is dropped, with a log. */
static void expect_item_dropped(const char *item, int line)
{
	char text[2048];
	struct model_suggestions s;
	snprintf(text, sizeof(text), "{\"suggestions\": [%s]}", item);
	int rc = tick(&s, text);
	if (rc != 0 || s.n != 0 || nlog != 1)
		fprintf(stderr, "line %d: item not dropped (rc %d, n %zu, logs %d): %s\n", line, rc, s.n,
			nlog, item);
	CHECK_INT(rc, 0);
	CHECK_INT(s.n, 0);
	CHECK_INT(nlog, 1);
	model_reply_suggestions_dispose(&s);
}

static void expect_item_kept(const char *item, int line)
{
	char text[2048];
	struct model_suggestions s;
	snprintf(text, sizeof(text), "{\"suggestions\": [%s]}", item);
	int rc = tick(&s, text);
	if (rc != 0 || s.n != 1)
		fprintf(stderr, "line %d: item not kept (rc %d, log %s): %s\n", line, rc, last_log, item);
	CHECK_INT(rc, 0);
	CHECK_INT(s.n, 1);
	model_reply_suggestions_dispose(&s);
}

static void expect_envelope_bad(const char *text, int line)
{
	struct model_suggestions s;
	int rc = tick(&s, text);
	if (rc != KR_EINVAL)
		fprintf(stderr, "line %d: envelope accepted: %s\n", line, text);
	CHECK_INT(rc, KR_EINVAL);
	CHECK_INT(s.n, 0);
	CHECK(s.v == NULL);
	CHECK_INT(nlog, 1);
}

#define DROPPED(item) expect_item_dropped(item, __LINE__)
#define KEPT(item) expect_item_kept(item, __LINE__)
#define BAD(text) expect_envelope_bad(text, __LINE__)

#define GOOD "{\"file\":\"src/main.c\",\"line\":12,\"message\":\"Use str_copy\"," \
	     "\"memory\":\"no-strcpy\",\"fix\":{\"find\":\"strcpy(\",\"replace\":\"str_copy(\"}}"

TEST(tick_valid_whole_text)
{
	struct model_suggestions s;
	CHECK_INT(tick(&s, "{ \"suggestions\": [" GOOD "] }"), 0);
	CHECK_INT(s.n, 1);
	if (s.n == 1) {
		CHECK_STR(s.v[0].file, "src/main.c");
		CHECK_INT(s.v[0].line, 12);
		CHECK_STR(s.v[0].message, "Use str_copy");
		CHECK_STR(s.v[0].memory, "no-strcpy");
		CHECK_STR(s.v[0].find, "strcpy(");
		CHECK_STR(s.v[0].replace, "str_copy(");
	}
	CHECK_INT(nlog, 0);
	model_reply_suggestions_dispose(&s);
}

TEST(tick_empty_is_the_usual_answer)
{
	struct model_suggestions s;
	CHECK_INT(tick(&s, "{\"suggestions\": []}"), 0);
	CHECK_INT(s.n, 0);
	CHECK_INT(nlog, 0);
	model_reply_suggestions_dispose(&s);
	CHECK_INT(tick(&s, "\n  {\"suggestions\":[]}  \n\n"), 0);
	model_reply_suggestions_dispose(&s);
}

TEST(tick_fenced_block)
{
	struct model_suggestions s;
	CHECK_INT(tick(&s, "```json\n{\"suggestions\": [" GOOD "]}\n```"), 0);
	CHECK_INT(s.n, 1);
	model_reply_suggestions_dispose(&s);
	CHECK_INT(tick(&s, "\n```\n{\"suggestions\": []}\n```\n"), 0);
	CHECK_INT(s.n, 0);
	model_reply_suggestions_dispose(&s);
	CHECK_INT(tick(&s, "```JSON\r\n{\"suggestions\": []}\r\n```"), 0);
	model_reply_suggestions_dispose(&s);
}

TEST(tick_bad_envelopes)
{
	BAD("");
	BAD("   \n ");
	BAD("Sure! Here is my answer: {\"suggestions\": []}");
	BAD("{\"suggestions\": []} I hope this helps");
	BAD("Here:\n```json\n{\"suggestions\": []}\n```");
	BAD("```json\n{\"suggestions\": []}\n```\nDone.");
	BAD("```json\n{\"suggestions\": []}\n```\n```json\n{\"suggestions\": []}\n```");
	BAD("```python\n{\"suggestions\": []}\n```");
	BAD("```json\n{\"suggestions\": []}");
	BAD("```json {\"suggestions\": []} ```");
	BAD("{\"suggestions\": [}");
	BAD("{\"suggestions\": []");
	BAD("{suggestions: []}");
	BAD("[]");
	BAD("\"suggestions\"");
	BAD("null");
	BAD("{}");
	BAD("{\"suggestions\": null}");
	BAD("{\"suggestions\": {}}");
	BAD("{\"suggestions\": \"none\"}");
	BAD("{\"suggestions\": [], \"note\": \"nothing\"}");
	BAD("{\"suggestions\": [], \"suggestions\": []}");
	BAD("{\"operations\": []}");
	BAD("{\"suggestions\": [\"\xff\"]}");
}

TEST(tick_items_dropped)
{
	DROPPED("42");
	DROPPED("null");
	DROPPED("\"src/a.c:1: fix it\"");
	DROPPED("[]");
	/* line */
	DROPPED("{\"file\":\"a.c\",\"line\":0,\"message\":\"m\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":-3,\"message\":\"m\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":1.5,\"message\":\"m\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":\"12\",\"message\":\"m\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":null,\"message\":\"m\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":1e99,\"message\":\"m\"}");
	DROPPED("{\"file\":\"a.c\",\"message\":\"m\"}");
	/* file */
	DROPPED("{\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"/etc/passwd\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"../secret.c\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"src/../../x.c\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"src/..\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"./a.c\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"src//a.c\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"src/\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"C:\\\\x\\\\a.c\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"file:///etc/passwd\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"a\\u0000.c\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":\"a\\n.c\",\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":7,\"line\":1,\"message\":\"m\"}");
	DROPPED("{\"file\":[\"a.c\"],\"line\":1,\"message\":\"m\"}");
	/* message */
	DROPPED("{\"file\":\"a.c\",\"line\":1}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":null}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":{\"text\":\"m\"}}");
	/* memory */
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"memory\":\"No Strcpy\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"memory\":\"-lead\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"memory\":\"\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"memory\":3}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"memory\":\"../x\"}");
	/* fix */
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":\"str_copy(\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{}}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{\"replace\":\"x\"}}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{\"find\":\"x\"}}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{\"find\":\"\",\"replace\":\"y\"}}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{\"find\":\"x\",\"replace\":2}}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{\"find\":\"x\",\"replace\":null}}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{\"find\":\"a\\nb\",\"replace\":\"y\"}}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{\"find\":\"x\",\"replace\":\"y\",\"all\":true}}");
	/* unknown and duplicate keys */
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"severity\":\"error\"}");
	DROPPED("{\"file\":\"a.c\",\"line\":1,\"line\":2,\"message\":\"m\"}");
}

TEST(tick_items_kept)
{
	KEPT("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\"}");
	KEPT("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"memory\":null,\"fix\":null}");
	KEPT("{\"file\":\"src/deep/dir/a.c\",\"line\":100000,\"message\":\"m\"}");
	KEPT("{\"file\":\".github/x.yml\",\"line\":1,\"message\":\"m\"}");
	KEPT("{\"file\":\"a.c\",\"line\":1,\"message\":\"m\",\"fix\":{\"find\":\"x\",\"replace\":\"\"}}");
	KEPT("{\"message\":\"m\",\"line\":3,\"file\":\"a.c\",\"memory\":\"a_b-9\"}");
	KEPT("{\"file\":\"sr\\u00e9/a.c\",\"line\":1,\"message\":\"\\u00e9t\\u00e9\"}");
}

/* A message of n "\u00e9" escapes: 6n bytes of JSON, 2n bytes decoded. */
static int tick_message_of(struct model_suggestions *s, size_t n)
{
	size_t cap = 6 * n + 128;
	char *text = malloc(cap), *p = text;
	int rc;
	p += sprintf(p, "{\"suggestions\": [{\"file\":\"a.c\",\"line\":1,\"message\":\"");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "\\u00e9");
	sprintf(p, "\"}]}");
	rc = tick(s, text);
	free(text);
	return rc;
}

/* A field is capped by its decoded length (2000 bytes for a message): one
 * that decodes to more is dropped with a log that says so, however long. */
TEST(tick_field_at_its_cap)
{
	struct model_suggestions s;
	CHECK_INT(tick_message_of(&s, 1000), 0);
	CHECK_INT(s.n, 1);
	CHECK_INT(strlen(s.v[0].message), 2000);
	model_reply_suggestions_dispose(&s);
	CHECK_INT(tick_message_of(&s, 1001), 0);
	CHECK_INT(s.n, 0);
	CHECK(strstr(last_log, "message is longer than 2000 bytes") != NULL);
	model_reply_suggestions_dispose(&s);
	CHECK_INT(tick_message_of(&s, 200000), 0);
	CHECK_INT(s.n, 0);
	CHECK(strstr(last_log, "message is longer than 2000 bytes") != NULL);
	model_reply_suggestions_dispose(&s);
}

TEST(tick_mixed_keeps_valid_ones)
{
	struct model_suggestions s;
	CHECK_INT(tick(&s, "{\"suggestions\": [" GOOD ", {\"file\":\"/x\",\"line\":1,\"message\":\"m\"}, "
			   "{\"file\":\"b.c\",\"line\":2,\"message\":\"n\"}]}"),
		  0);
	CHECK_INT(s.n, 2);
	CHECK_INT(nlog, 1);
	CHECK(strstr(last_log, "suggestion 2") != NULL);
	if (s.n == 2) {
		CHECK_STR(s.v[1].file, "b.c");
		CHECK(s.v[1].memory == NULL);
		CHECK(s.v[1].find == NULL);
		CHECK(s.v[1].replace == NULL);
	}
	model_reply_suggestions_dispose(&s);
}

TEST(tick_capped)
{
	char text[8192] = "{\"suggestions\": [";
	for (int i = 0; i < 30; i++)
		strcat(text, i ? ",{\"file\":\"a.c\",\"line\":1,\"message\":\"m\"}"
			       : "{\"file\":\"a.c\",\"line\":1,\"message\":\"m\"}");
	strcat(text, "]}");
	struct model_suggestions s;
	CHECK_INT(tick(&s, text), 0);
	CHECK_INT(s.n, MODEL_MAX_SUGGESTIONS);
	CHECK_INT(nlog, 1);
	model_reply_suggestions_dispose(&s);
}

static const char *const doc[] = {"int main(void)", "{", "\tstrcpy(a, b);", "}"};

static int doc_line(void *ud, const char *file, long line, const char **text, size_t *len)
{
	(void)ud;
	if (strcmp(file, "src/main.c") || line < 1 || line > 4)
		return -1;
	*text = doc[line - 1];
	*len = strlen(doc[line - 1]);
	return 0;
}

TEST(tick_check_against_document)
{
	struct model_suggestions s;
	CHECK_INT(tick(&s, "{\"suggestions\": ["
			   "{\"file\":\"src/main.c\",\"line\":3,\"message\":\"ok\",\"fix\":{\"find\":\"strcpy(\",\"replace\":\"str_copy(\"}},"
			   "{\"file\":\"src/main.c\",\"line\":2,\"message\":\"wrong line\",\"fix\":{\"find\":\"strcpy(\",\"replace\":\"x\"}},"
			   "{\"file\":\"src/main.c\",\"line\":5,\"message\":\"past the end\"},"
			   "{\"file\":\"src/other.c\",\"line\":1,\"message\":\"unknown file\"},"
			   "{\"file\":\"src/main.c\",\"line\":1,\"message\":\"no fix, line exists\"}]}"),
		  0);
	CHECK_INT(s.n, 5);
	nlog = 0;
	model_reply_suggestions_check(&s, doc_line, NULL, count_log, NULL);
	CHECK_INT(s.n, 2);
	CHECK_INT(nlog, 3);
	if (s.n == 2) {
		CHECK_STR(s.v[0].message, "ok");
		CHECK_STR(s.v[1].message, "no fix, line exists");
	}
	model_reply_suggestions_dispose(&s);
}

/* ---- dream ---- */

static bool known(void *ud, const char *name)
{
	static const char *const names[] = {"a", "b", "c", "d", "indent-with-spaces", "indent-four",
					    "quotes-double", "quotes-single"};
	(void)ud;
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

static int dream(struct model_ops *o, const char *text)
{
	nlog = 0;
	return model_reply_dream(o, text, strlen(text), known, NULL, count_log, NULL);
}

TEST(dream_valid)
{
	struct model_ops o;
	CHECK_INT(dream(&o, "```json\n{ \"operations\": [\n"
			    "{ \"op\": \"merge\", \"into\": \"indent-with-spaces\", \"from\": [\"indent-four\"], \"reason\": \"same\" },\n"
			    "{ \"op\": \"supersede\", \"winner\": \"quotes-double\", \"loser\": \"quotes-single\", \"reason\": \"newer\" },\n"
			    "{ \"op\": \"keep\", \"names\": [\"a\", \"b\"], \"reason\": \"different\" } ] }\n```"),
		  0);
	CHECK_INT(o.n, 3);
	CHECK_INT(nlog, 0);
	if (o.n == 3) {
		CHECK_INT(o.v[0].kind, MODEL_OP_MERGE);
		CHECK_STR(o.v[0].into, "indent-with-spaces");
		CHECK_INT(o.v[0].nnames, 1);
		CHECK_STR(o.v[0].names[0], "indent-four");
		CHECK_STR(o.v[0].reason, "same");
		CHECK_INT(o.v[1].kind, MODEL_OP_SUPERSEDE);
		CHECK_STR(o.v[1].winner, "quotes-double");
		CHECK_STR(o.v[1].loser, "quotes-single");
		CHECK_INT(o.v[2].kind, MODEL_OP_KEEP);
		CHECK_INT(o.v[2].nnames, 2);
		CHECK_STR(o.v[2].names[1], "b");
	}
	model_reply_ops_dispose(&o);
	CHECK_INT(dream(&o, "{\"operations\": []}"), 0);
	CHECK_INT(o.n, 0);
	model_reply_ops_dispose(&o);
}

static void dream_dropped(const char *op, int line)
{
	char text[2048];
	struct model_ops o;
	snprintf(text, sizeof(text), "{\"operations\": [%s]}", op);
	int rc = dream(&o, text);
	if (rc || o.n || nlog != 1)
		fprintf(stderr, "line %d: op not dropped (rc %d, n %zu, logs %d): %s\n", line, rc, o.n,
			nlog, op);
	CHECK_INT(rc, 0);
	CHECK_INT(o.n, 0);
	CHECK_INT(nlog, 1);
	model_reply_ops_dispose(&o);
}
#define OP_DROPPED(op) dream_dropped(op, __LINE__)

TEST(dream_ops_dropped)
{
	OP_DROPPED("{\"op\":\"delete\",\"names\":[\"a\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"MERGE\",\"into\":\"a\",\"from\":[\"b\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"into\":\"a\",\"from\":[\"b\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"a\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":[],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":\"b\",\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"b\",\"b\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"b\"]}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"b\"],\"reason\":\"\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"b\"],\"reason\":7}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":[\"a\"],\"from\":[\"b\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"A\",\"from\":[\"b\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"b\"],\"reason\":\"r\",\"confidence\":0.9}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"ghost\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"merge\",\"into\":\"ghost\",\"from\":[\"a\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"supersede\",\"winner\":\"a\",\"loser\":\"a\",\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"supersede\",\"winner\":\"a\",\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"supersede\",\"winner\":\"a\",\"loser\":null,\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"supersede\",\"winner\":\"a\",\"loser\":\"ghost\",\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"supersede\",\"winner\":\"a\",\"loser\":\"b\",\"from\":[\"c\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"keep\",\"names\":[],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"keep\",\"names\":[\"a\",\"ghost\"],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"keep\",\"names\":[\"a\", 2],\"reason\":\"r\"}");
	OP_DROPPED("{\"op\":\"keep\",\"reason\":\"r\"}");
	OP_DROPPED("[\"merge\",\"a\",\"b\"]");
}

TEST(dream_conflicts_dropped)
{
	struct model_ops o;
	/* b is merged away, then the model also makes b win: the second goes */
	CHECK_INT(dream(&o, "{\"operations\": ["
			    "{\"op\":\"merge\",\"into\":\"a\",\"from\":[\"b\"],\"reason\":\"r\"},"
			    "{\"op\":\"supersede\",\"winner\":\"b\",\"loser\":\"c\",\"reason\":\"r\"},"
			    "{\"op\":\"supersede\",\"winner\":\"c\",\"loser\":\"a\",\"reason\":\"r\"},"
			    "{\"op\":\"supersede\",\"winner\":\"c\",\"loser\":\"d\",\"reason\":\"r\"}]}"),
		  0);
	CHECK_INT(o.n, 2);
	CHECK_INT(nlog, 2);
	if (o.n == 2) {
		CHECK_INT(o.v[0].kind, MODEL_OP_MERGE);
		CHECK_STR(o.v[1].loser, "d");
	}
	model_reply_ops_dispose(&o);
}

TEST(dream_bad_envelopes)
{
	struct model_ops o;
	CHECK_INT(dream(&o, "{\"suggestions\": []}"), KR_EINVAL);
	CHECK_INT(dream(&o, "{\"operations\": {}}"), KR_EINVAL);
	CHECK_INT(dream(&o, "{\"operations\": [], \"summary\": \"x\"}"), KR_EINVAL);
	CHECK_INT(dream(&o, "I merged them."), KR_EINVAL);
	CHECK_INT(o.n, 0);
	CHECK(o.v == NULL);
}

/* ---- remember ---- */

static int remember(struct model_proposal *p, const char *text)
{
	nlog = 0;
	return model_reply_remember(p, text, strlen(text), count_log, NULL);
}

TEST(remember_valid)
{
	struct model_proposal p;
	CHECK_INT(remember(&p, "{\"name\": \"indent-with-spaces\", \"description\": \"Indent C code "
			       "with 4 spaces\", \"type\": \"feedback\"}"),
		  0);
	CHECK_STR(p.name, "indent-with-spaces");
	CHECK_STR(p.description, "Indent C code with 4 spaces");
	CHECK_STR(p.type, "feedback");
	model_reply_proposal_dispose(&p);
	/* 150 two-byte characters are 150 characters */
	char text[1024], desc[400] = "";
	for (int i = 0; i < 150; i++)
		strcat(desc, "\xc3\xa9");
	snprintf(text, sizeof(text), "{\"name\":\"e\",\"description\":\"%s\",\"type\":\"user\"}", desc);
	CHECK_INT(remember(&p, text), 0);
	model_reply_proposal_dispose(&p);
}

TEST(remember_invalid)
{
	static const char *const bad[] = {
		"{\"name\":\"Indent With Spaces\",\"description\":\"d\",\"type\":\"feedback\"}",
		"{\"name\":\"\",\"description\":\"d\",\"type\":\"feedback\"}",
		"{\"name\":\"a/b\",\"description\":\"d\",\"type\":\"feedback\"}",
		"{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"description\":\"d\",\"type\":\"user\"}",
		"{\"name\":\"a\",\"description\":\"\",\"type\":\"feedback\"}",
		"{\"name\":\"a\",\"description\":\"two\\nlines\",\"type\":\"feedback\"}",
		"{\"name\":\"a\",\"description\":\"d\",\"type\":\"idea\"}",
		"{\"name\":\"a\",\"description\":\"d\",\"type\":\"Feedback\"}",
		"{\"name\":\"a\",\"description\":\"d\"}",
		"{\"name\":\"a\",\"description\":\"d\",\"type\":\"user\",\"scope\":[\"*.c\"]}",
		"{\"name\":\"a\",\"description\":[\"d\"],\"type\":\"user\"}",
		"[\"a\",\"d\",\"user\"]",
		"name: a",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct model_proposal p;
		int rc = remember(&p, bad[i]);
		if (rc != KR_EINVAL)
			fprintf(stderr, "remember accepted: %s\n", bad[i]);
		CHECK_INT(rc, KR_EINVAL);
		CHECK(p.name == NULL && p.description == NULL && p.type == NULL);
		CHECK_INT(nlog, 1);
	}
	char text[1024], desc[200];
	memset(desc, 'x', 151);
	desc[151] = 0;
	snprintf(text, sizeof(text), "{\"name\":\"a\",\"description\":\"%s\",\"type\":\"user\"}", desc);
	struct model_proposal p;
	CHECK_INT(remember(&p, text), KR_EINVAL);
}

/* ---- improve ---- */

TEST(improve_shapes)
{
	char *r = NULL;
	const char *ok = "{\"replacement\": \"str_copy(a, b);\\n\"}";
	CHECK_INT(model_reply_improve(&r, ok, strlen(ok), count_log, NULL), 0);
	CHECK_STR(r, "str_copy(a, b);\n");
	free(r);
	static const char *const bad[] = {"{\"replacement\": 3}", "{\"replacement\": null}",
					  "{\"replacement\": \"x\", \"why\": \"y\"}", "{}",
					  "str_copy(a, b);"};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		r = (char *)1;
		CHECK_INT(model_reply_improve(&r, bad[i], strlen(bad[i]), count_log, NULL), KR_EINVAL);
		CHECK(r == NULL);
	}
}

int main(void)
{
	RUN(tick_valid_whole_text);
	RUN(tick_empty_is_the_usual_answer);
	RUN(tick_fenced_block);
	RUN(tick_bad_envelopes);
	RUN(tick_items_dropped);
	RUN(tick_field_at_its_cap);
	RUN(tick_items_kept);
	RUN(tick_mixed_keeps_valid_ones);
	RUN(tick_capped);
	RUN(tick_check_against_document);
	RUN(dream_valid);
	RUN(dream_ops_dropped);
	RUN(dream_conflicts_dropped);
	RUN(dream_bad_envelopes);
	RUN(remember_valid);
	RUN(remember_invalid);
	RUN(improve_shapes);
	CHECK_MAIN_END();
}
