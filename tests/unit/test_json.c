/* Unit tests for the JSON layer: parsing, validation, decoding, writing. */
#include "check.h"
#include "kairos/err.h"
#include "kairos/json.h"

#include <stdlib.h>

static int parse(struct json *j, const char *s)
{
	return json_parse(j, s, strlen(s));
}

TEST(parses_object_and_paths)
{
	struct json j;
	const char *s = "{\"a\":{\"b\":[1,2,{\"c\":\"x\"}]},\"n\":-12,\"t\":true,\"z\":null}";
	CHECK_INT(parse(&j, s), 0);
	CHECK_INT(json_type(&j, 0), JSON_OBJECT);
	CHECK_INT(json_get_int(&j, 0, "n", 0), -12);
	CHECK(json_get_bool(&j, 0, "t", false));
	CHECK_INT(json_type(&j, json_get(&j, 0, "z")), JSON_NULL);
	int arr = json_path(&j, 0, "a.b");
	CHECK_INT(json_len(&j, arr), 3);
	CHECK(json_streq(&j, json_get(&j, json_at(&j, arr, 2), "c"), "x"));
	CHECK_INT(json_path(&j, 0, "a.missing"), -1);
	CHECK_INT(json_path(&j, 0, "n.x"), -1);
	json_dispose(&j);
}

TEST(rejects_malformed)
{
	static const char *bad[] = {
		"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{\"a\",\"b\"}", "[1,]", "tru",
		"nul", "01", "1.", "-", "+1", "{a:1}", "\"\\x\"", "\"\\u12\"", "[1] [2]", "{} x",
		"\"a\nb\"", "'a'", "[1 2]",
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct json j;
		int rc = parse(&j, bad[i]);
		if (rc == 0)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(rc != 0);
		json_dispose(&j);
	}
}

TEST(rejects_nul_and_bad_utf8)
{
	struct json j;
	CHECK(json_parse(&j, "{\"a\":\"x\0\"}", 10) != 0);
	json_dispose(&j);
	CHECK(parse(&j, "{\"a\":\"\xff\"}") != 0);
	json_dispose(&j);
	CHECK(parse(&j, "{\"a\":\"\xc0\xaf\"}") != 0);
	json_dispose(&j);
}

TEST(decodes_escapes_and_surrogates)
{
	struct json j;
	CHECK_INT(parse(&j, "[\"a\\n\\t\\\"\\\\\\/\\u00e9\\ud83d\\ude00\\ud800x\"]"), 0);
	char *s = json_strdup(&j, json_at(&j, 0, 0));
	CHECK_STR(s, "a\n\t\"\\/\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx");
	free(s);
	json_dispose(&j);
}

TEST(deep_nesting_is_refused_not_crashed)
{
	size_t n = 10000;
	char *s = malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		s[i] = '[';
		s[2 * n - 1 - i] = ']';
	}
	s[2 * n] = '\0';
	struct json j;
	CHECK(parse(&j, s) != 0);
	json_dispose(&j);
	free(s);
}

TEST(grows_token_array)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	buf_putc(&b, '[');
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "%s%d", i ? "," : "", i);
	buf_putc(&b, ']');
	struct json j;
	CHECK_INT(json_parse(&j, b.data, b.len), 0);
	CHECK_INT(json_len(&j, 0), 5000);
	long long v = 0;
	CHECK_INT(json_int(&j, json_at(&j, 0, 4999), &v), 0);
	CHECK_INT(v, 4999);
	json_dispose(&j);
	buf_dispose(&b);
}

TEST(writer_escapes_and_nests)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "s", "q\"\\\n\x01\xff");
	jw_key(&w, "a");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_bool(&w, false);
	jw_null(&w);
	jw_obj(&w);
	jw_end(&w);
	jw_end(&w);
	jw_kint(&w, "n", -3);
	jw_end(&w);
	CHECK_INT(w.err, 0);
	CHECK_STR(b.data, "{\"s\":\"q\\\"\\\\\\n\\u0001\\ufffd\",\"a\":[1,false,null,{}],\"n\":-3}");
	struct json j;
	CHECK_INT(json_parse(&j, b.data, b.len), 0);
	json_dispose(&j);
	buf_dispose(&b);
}

TEST(ints_and_raw)
{
	struct json j;
	long long v;
	size_t n;
	CHECK_INT(parse(&j, "{\"id\":\"7\",\"x\":1e3,\"y\":1.5,\"big\":99999999999999999999}"), 0);
	const char *r = json_raw(&j, json_get(&j, 0, "id"), &n);
	CHECK(n == 3 && !memcmp(r, "\"7\"", 3));
	CHECK_INT(json_int(&j, json_get(&j, 0, "x"), &v), 0);
	CHECK_INT(v, 1000);
	CHECK(json_int(&j, json_get(&j, 0, "y"), &v) != 0);
	CHECK(json_int(&j, json_get(&j, 0, "big"), &v) != 0);
	json_dispose(&j);
}

TEST(top_level_primitives)
{
	struct json j;
	CHECK_INT(parse(&j, " 42 "), 0);
	CHECK_INT(json_type(&j, 0), JSON_NUMBER);
	json_dispose(&j);
	CHECK_INT(parse(&j, "null"), 0);
	CHECK_INT(json_type(&j, 0), JSON_NULL);
	json_dispose(&j);
	CHECK(parse(&j, "42 43") != 0);
	json_dispose(&j);
}

int main(void)
{
	RUN(top_level_primitives);
	RUN(parses_object_and_paths);
	RUN(rejects_malformed);
	RUN(rejects_nul_and_bad_utf8);
	RUN(decodes_escapes_and_surrogates);
	RUN(deep_nesting_is_refused_not_crashed);
	RUN(grows_token_array);
	RUN(writer_escapes_and_nests);
	RUN(ints_and_raw);
	CHECK_MAIN_END();
}
