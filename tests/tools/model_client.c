/* model_client: drives the model layer (model.h over httpc.h and
 * kairos-http.so) with a real struct loop against the test server of
 * tests/model-server/server.js. Environment: MODEL_TEST_PORT (the
 * server's port), MODEL_TEST_KEY (the key it expects), KAIROS_PLUGIN_DIR.
 * Prints one line per failed check and "N passed, M failed". */
#include "../unit/check.h"

#include "kairos/buf.h"
#include "kairos/err.h"
#include "model/httpc.h"
#include "kairos/json.h"
#include "kairos/loop.h"
#include "kairos/model.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct loop *L;
static char base[64];
static char *tmpdir;
static int nlog;
static char last_log[512];

static void test_log(void *ud, const char *msg)
{
	(void)ud;
	nlog++;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	if (getenv("MODEL_TEST_VERBOSE"))
		fprintf(stderr, "  log: %s\n", msg);
}

/* Runs the loop until *flag or ms have passed; returns *flag. */
static bool run_until(const bool *flag, int ms)
{
	uint64_t end = loop_now_ms() + (uint64_t)ms;
	while (!*flag && loop_now_ms() < end)
		loop_once(L, 50);
	return *flag;
}

static void run_for(int ms)
{
	bool never = false;
	run_until(&never, ms);
}

static bool mapped(const char *what)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	bool found = false;
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, what))
			found = true;
	if (f)
		fclose(f);
	return found;
}

/* ---- raw HTTP to the server (control endpoints) ---- */

struct raw {
	bool done;
	int err;
	long status;
	struct buf body;
};

static void raw_done(void *ud, struct httpc_req *req, const struct httpc_result *r)
{
	struct raw *x = ud;
	(void)req;
	x->done = true;
	x->err = r->err;
	x->status = r->status;
	buf_append(&x->body, r->body, r->body_len);
}

static int post(struct httpc *c, const char *path, const char *const *headers, const char *body,
		struct raw *out)
{
	char url[256];
	snprintf(url, sizeof(url), "%s%s", base, path);
	struct httpc_post p = {url, headers, body, strlen(body), 2000, 5000, 0};
	memset(out, 0, sizeof(*out));
	buf_init(&out->body, HTTPC_MAX_BODY); /* what httpc lets through */
	if (httpc_post(c, NULL, &p, raw_done, out))
		return -1;
	run_until(&out->done, 6000);
	return out->done ? 0 : -1;
}

/* The server's /_stats, parsed; j->src is owned by the caller (free). */
static int stats(struct json *j)
{
	struct httpc *c = httpc_new(L);
	struct raw r;
	int rc = post(c, "/_stats", NULL, "{}", &r);
	httpc_free(c);
	if (rc || r.status != 200 || buf_err(&r.body)) {
		buf_dispose(&r.body);
		return -1;
	}
	char *src = buf_detach(&r.body);
	if (json_parse(j, src, strlen(src))) {
		free(src);
		return -1;
	}
	return 0;
}

static long long stat_int(const char *path)
{
	struct json j = {0};
	long long v = -1;
	if (!stats(&j)) {
		v = json_get_int(&j, 0, path, 0);
		free((char *)j.src);
	}
	json_dispose(&j);
	return v;
}

static int stat_violations(void)
{
	struct json j = {0};
	int n = -1;
	if (!stats(&j)) {
		int v = json_get(&j, 0, "violations");
		n = json_len(&j, v);
		for (int e = json_first(&j, v); e >= 0; e = json_next(&j, v, e)) {
			char *s = json_strdup(&j, e);
			fprintf(stderr, "  server saw: %s\n", s ? s : "?");
			free(s);
		}
		free((char *)j.src);
	}
	json_dispose(&j);
	return n;
}

/* ---- configurations ---- */

static void cfg(struct model_config *c, enum model_provider p, const char *model)
{
	model_config_init(c);
	c->provider = p;
	free(c->endpoint);
	c->endpoint = xstrdup(base);
	free(c->model);
	c->model = xstrdup(model);
	free(c->api_key_env);
	c->api_key_env = xstrdup("MODEL_TEST_KEY");
	c->timeout_ms = 5000;
	c->min_tick_interval_ms = 0;
}

static struct model *mk(enum model_provider p, const char *model)
{
	struct model_config c;
	cfg(&c, p, model);
	struct model *m = model_new(L, &c, NULL);
	model_config_dispose(&c);
	model_set_log(m, test_log, NULL);
	nlog = 0;
	return m;
}

/* ---- the document the tick is about ---- */

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

static const struct model_memory tick_mems[] = {
	{"no-strcpy", "Never use strcpy; use str_copy", "strcpy overflows. Use str_copy.", false},
};
static const struct model_hunk tick_hunks[] = {
	{"src/main.c", 1, "int main(void)\n{\n\tstrcpy(a, b);\n}\n"},
};

struct tick_out {
	bool done;
	int err;
	struct model_suggestions *s;
};

static void tick_cb(void *ud, int err, struct model_suggestions *s)
{
	struct tick_out *o = ud;
	o->done = true;
	o->err = err;
	o->s = s;
}

static void tick_out_dispose(struct tick_out *o)
{
	model_reply_suggestions_dispose(o->s);
	free(o->s);
	o->s = NULL;
}

static int start_tick(struct model *m, struct tick_out *o)
{
	struct model_tick_req rq = {tick_hunks, 1, tick_mems, 1, doc_line, NULL};
	memset(o, 0, sizeof(*o));
	return model_tasks_tick(m, &rq, tick_cb, o);
}

struct ask_out {
	bool done;
	int err;
	long status;
	int attempts;
	int redacted;
	char *text;
	char *errmsg;
};

static void ask_cb(void *ud, const struct model_result *r)
{
	struct ask_out *o = ud;
	o->done = true;
	o->err = r->err;
	o->status = r->status;
	o->attempts = r->attempts;
	o->redacted = r->redacted;
	o->text = r->text ? xstrdup(r->text) : NULL;
	o->errmsg = r->errmsg ? xstrdup(r->errmsg) : NULL;
}

static void ask_out_dispose(struct ask_out *o)
{
	free(o->text);
	free(o->errmsg);
	memset(o, 0, sizeof(*o));
}

/* ---- tests ---- */

TEST(nothing_loaded_until_first_request)
{
	struct model *m = mk(MODEL_PROVIDER_NONE, "ok");
	struct tick_out o;
	CHECK(!mapped("kairos-http.so"));
	CHECK(!mapped("libcurl"));
	CHECK(!model_enabled(m));
	CHECK_INT(start_tick(m, &o), KR_ENOTFOUND);
	CHECK(!o.done);
	CHECK(!mapped("kairos-http.so"));
	CHECK(!mapped("libcurl"));
	model_free(m);
}

TEST(tick_anthropic)
{
	struct model *m = mk(MODEL_PROVIDER_ANTHROPIC, "ok");
	struct tick_out o;
	CHECK_INT(start_tick(m, &o), 0);
	CHECK(mapped("kairos-http.so"));
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, 0);
	CHECK(o.s != NULL);
	/* the server answers six suggestions; one survives every check */
	if (o.s && o.s->n == 1) {
		CHECK_STR(o.s->v[0].file, "src/main.c");
		CHECK_INT(o.s->v[0].line, 3);
		CHECK_STR(o.s->v[0].memory, "no-strcpy");
		CHECK_STR(o.s->v[0].find, "strcpy(");
		CHECK_STR(o.s->v[0].replace, "str_copy(");
	} else {
		CHECK_INT(o.s ? o.s->n : 99, 1);
	}
	CHECK_INT(nlog, 5); /* each dropped suggestion logged */
	tick_out_dispose(&o);
	CHECK(!model_busy(m, MODEL_TICK));
	model_free(m);
}

TEST(tick_openai_fenced)
{
	struct model *m = mk(MODEL_PROVIDER_OPENAI, "ok");
	struct tick_out o;
	CHECK_INT(start_tick(m, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, 0);
	CHECK(o.s && o.s->n == 1);
	tick_out_dispose(&o);
	model_free(m);
}

TEST(openai_without_key)
{
	struct model_config c;
	cfg(&c, MODEL_PROVIDER_OPENAI, "nokey");
	free(c.api_key_env);
	c.api_key_env = xstrdup("");
	struct model *m = model_new(L, &c, NULL);
	struct ask_out o = {0};
	model_set_log(m, test_log, NULL);
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "sys", "The note to file:\n\nhello", ask_cb, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, 0);
	CHECK_INT(o.status, 200);
	ask_out_dispose(&o);
	model_free(m);
	model_config_dispose(&c);
}

TEST(anthropic_needs_a_key)
{
	struct model_config c;
	struct ask_out o = {0};
	long long before = stat_int("counts.ok");
	cfg(&c, MODEL_PROVIDER_ANTHROPIC, "ok");
	free(c.api_key_env);
	c.api_key_env = xstrdup("");
	struct model *m = model_new(L, &c, NULL);
	model_set_log(m, test_log, NULL);
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &o), KR_ENOTFOUND);
	free(c.api_key_env);
	c.api_key_env = xstrdup("KAIROS_TEST_UNSET_VARIABLE");
	unsetenv("KAIROS_TEST_UNSET_VARIABLE");
	model_configure(m, &c);
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &o), KR_ENOTFOUND);
	CHECK(strstr(kr_errmsg(), "KAIROS_TEST_UNSET_VARIABLE") != NULL);
	CHECK(!o.done);
	CHECK_INT(stat_int("counts.ok"), before);
	model_free(m);
	model_config_dispose(&c);
}

TEST(retry_429_honours_retry_after)
{
	struct model *m = mk(MODEL_PROVIDER_ANTHROPIC, "429-then-ok");
	struct ask_out o = {0};
	uint64_t t0 = loop_now_ms();
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "The note to file:\n\nx", ask_cb, &o), 0);
	CHECK(run_until(&o.done, 10000));
	uint64_t took = loop_now_ms() - t0;
	CHECK_INT(o.err, 0);
	CHECK_INT(o.attempts, 3);
	CHECK(took >= 4000);
	CHECK(nlog >= 2); /* each retry logged */
	struct json j = {0};
	if (!stats(&j)) {
		int t = json_path(&j, 0, "times.429-then-ok");
		long long a = 0, b = 0, c = 0;
		CHECK_INT(json_len(&j, t), 3);
		json_int(&j, json_at(&j, t, 0), &a);
		json_int(&j, json_at(&j, t, 1), &b);
		json_int(&j, json_at(&j, t, 2), &c);
		/* Retry-After: 2 means at least two seconds between attempts */
		CHECK(b - a >= 1990);
		CHECK(c - b >= 1990);
		free((char *)j.src);
	} else {
		CHECK(!"stats");
	}
	json_dispose(&j);
	ask_out_dispose(&o);
	model_free(m);
}

TEST(retry_429_gives_up_after_three)
{
	struct model *m = mk(MODEL_PROVIDER_OPENAI, "429");
	struct ask_out o = {0};
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &o), 0);
	CHECK(run_until(&o.done, 10000));
	CHECK_INT(o.err, KR_ERR);
	CHECK_INT(o.attempts, 3);
	CHECK_INT(o.status, 429);
	CHECK(o.errmsg && strstr(o.errmsg, "429"));
	CHECK_INT(stat_int("counts.429"), 3);
	ask_out_dispose(&o);
	model_free(m);
}

TEST(retry_500)
{
	struct model *m = mk(MODEL_PROVIDER_OPENAI, "500-then-ok");
	struct ask_out o = {0};
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &o), 0);
	CHECK(run_until(&o.done, 8000));
	CHECK_INT(o.err, 0);
	CHECK_INT(o.attempts, 2);
	ask_out_dispose(&o);
	model_free(m);
}

TEST(no_retry_on_401_or_long_retry_after)
{
	struct model *m = mk(MODEL_PROVIDER_ANTHROPIC, "401");
	struct ask_out o = {0};
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, KR_ERR);
	CHECK_INT(o.attempts, 1);
	CHECK(o.errmsg && strstr(o.errmsg, "HTTP 401") && strstr(o.errmsg, "invalid x-api-key"));
	/* the key itself never appears in what is reported */
	CHECK(o.errmsg && !strstr(o.errmsg, getenv("MODEL_TEST_KEY")));
	CHECK(!strstr(last_log, getenv("MODEL_TEST_KEY")));
	ask_out_dispose(&o);
	model_free(m);

	m = mk(MODEL_PROVIDER_ANTHROPIC, "retry-long");
	uint64_t t0 = loop_now_ms();
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, KR_ERR);
	CHECK_INT(o.attempts, 1);
	CHECK(loop_now_ms() - t0 < 1000);
	ask_out_dispose(&o);
	model_free(m);
}

static void expect_tick_fails(enum model_provider p, const char *model, const char *what)
{
	struct model *m = mk(p, model);
	struct tick_out o;
	CHECK_INT(start_tick(m, &o), 0);
	CHECK(run_until(&o.done, 5000));
	if (o.err == 0)
		fprintf(stderr, "  %s: tick succeeded\n", model);
	CHECK(o.err != 0);
	CHECK(o.s == NULL);
	CHECK(nlog >= 1);
	if (what && !strstr(last_log, what))
		fprintf(stderr, "  %s: log \"%s\" lacks \"%s\"\n", model, last_log, what);
	CHECK(!what || strstr(last_log, what));
	tick_out_dispose(&o);
	model_free(m);
}

TEST(invalid_replies_dropped)
{
	expect_tick_fails(MODEL_PROVIDER_ANTHROPIC, "malformed", "not a JSON object");
	expect_tick_fails(MODEL_PROVIDER_OPENAI, "malformed", "not a JSON object");
	expect_tick_fails(MODEL_PROVIDER_ANTHROPIC, "wrong-api-shape", "content");
	expect_tick_fails(MODEL_PROVIDER_OPENAI, "wrong-api-shape", "choices");
	expect_tick_fails(MODEL_PROVIDER_ANTHROPIC, "wrong-shape", "ignored");
	expect_tick_fails(MODEL_PROVIDER_OPENAI, "prose", "ignored");
	expect_tick_fails(MODEL_PROVIDER_OPENAI, "big", "larger than");
	expect_tick_fails(MODEL_PROVIDER_ANTHROPIC, "reset", NULL);
}

struct ticker {
	struct loop_timer t;
	int fired;
	uint64_t last, max_gap;
};

static void ticker_fire(struct loop *l, void *ud)
{
	struct ticker *k = ud;
	uint64_t now = loop_now_ms();
	if (k->fired && now - k->last > k->max_gap)
		k->max_gap = now - k->last;
	k->last = now;
	k->fired++;
	loop_timer_arm(l, &k->t, 20);
}

TEST(hanging_model_never_blocks_the_loop)
{
	struct model_config c;
	cfg(&c, MODEL_PROVIDER_ANTHROPIC, "hang");
	c.timeout_ms = 1500;
	struct model *m = model_new(L, &c, NULL);
	struct ticker k = {0};
	struct tick_out o;
	struct ask_out r = {0};
	model_set_log(m, test_log, NULL);
	loop_timer_init(&k.t, ticker_fire, &k);
	loop_timer_arm(L, &k.t, 20);
	uint64_t t0 = loop_now_ms();
	CHECK_INT(start_tick(m, &o), 0);
	/* one tick at a time; other purposes go on meanwhile */
	struct tick_out o2;
	CHECK_INT(start_tick(m, &o2), KR_EBUSY);
	c.timeout_ms = 5000;
	free(c.model);
	c.model = xstrdup("ok");
	struct model *m2 = model_new(L, &c, NULL);
	model_set_log(m2, test_log, NULL);
	CHECK_INT(model_ask(m2, MODEL_REMEMBER, "s", "The note to file:\n\nx", ask_cb, &r), 0);
	CHECK(run_until(&r.done, 1000));
	CHECK_INT(r.err, 0);
	CHECK(!o.done);
	CHECK(run_until(&o.done, 5000));
	uint64_t took = loop_now_ms() - t0;
	loop_timer_cancel(L, &k.t);
	CHECK(o.err != 0);
	CHECK(strstr(last_log, "no complete reply within 1500 ms") != NULL);
	CHECK(took >= 1400 && took < 4000);
	/* a 20 ms timer kept firing all along */
	CHECK(k.fired >= (int)(took / 20) / 2);
	CHECK(k.max_gap < 250);
	if (k.max_gap >= 250 || k.fired < (int)(took / 20) / 2)
		fprintf(stderr, "  timer fired %d times in %llu ms, max gap %llu ms\n", k.fired,
			(unsigned long long)took, (unsigned long long)k.max_gap);
	ask_out_dispose(&r);
	model_free(m2);
	model_free(m);
	model_config_dispose(&c);
}

TEST(cancel_aborts_the_transfer)
{
	struct model *m = mk(MODEL_PROVIDER_OPENAI, "hang");
	struct tick_out o;
	long long closed = stat_int("closedEarly"), hanging = stat_int("hanging");
	CHECK_INT(start_tick(m, &o), 0);
	/* wait until the server holds the request */
	for (int i = 0; i < 40 && stat_int("hanging") == hanging; i++)
		run_for(25);
	CHECK_INT(stat_int("hanging"), hanging + 1);
	CHECK(model_busy(m, MODEL_TICK));
	model_cancel(m, MODEL_TICK);
	CHECK(!model_busy(m, MODEL_TICK));
	/* the server sees the connection go */
	for (int i = 0; i < 40 && stat_int("closedEarly") == closed; i++)
		run_for(25);
	CHECK_INT(stat_int("closedEarly"), closed + 1);
	run_for(200);
	CHECK(!o.done); /* a cancelled request never calls back */
	/* and the purpose is free again */
	struct model_config c;
	cfg(&c, MODEL_PROVIDER_OPENAI, "ok");
	model_configure(m, &c);
	CHECK_INT(start_tick(m, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, 0);
	tick_out_dispose(&o);
	model_config_dispose(&c);
	model_free(m);
}

TEST(configure_cancels_with_callback)
{
	struct model *m = mk(MODEL_PROVIDER_OPENAI, "hang");
	struct tick_out o;
	CHECK_INT(start_tick(m, &o), 0);
	run_for(100);
	struct model_config c;
	/* the same configuration again (eglot's empty settings) changes nothing */
	cfg(&c, MODEL_PROVIDER_OPENAI, "hang");
	model_configure(m, &c);
	CHECK(!o.done);
	CHECK(model_busy(m, MODEL_TICK));
	model_config_dispose(&c);
	cfg(&c, MODEL_PROVIDER_NONE, "");
	model_configure(m, &c);
	CHECK(o.done);
	CHECK_INT(o.err, KR_ECANCEL);
	CHECK_INT(start_tick(m, &o), KR_ENOTFOUND);
	model_config_dispose(&c);
	model_free(m);
}

TEST(min_tick_interval)
{
	struct model_config c;
	cfg(&c, MODEL_PROVIDER_ANTHROPIC, "ok");
	c.min_tick_interval_ms = 5000;
	struct model *m = model_new(L, &c, NULL);
	struct tick_out o;
	model_set_log(m, test_log, NULL);
	CHECK_INT(start_tick(m, &o), 0);
	CHECK(run_until(&o.done, 5000));
	tick_out_dispose(&o);
	CHECK_INT(start_tick(m, &o), KR_EBUSY);
	CHECK(strstr(kr_errmsg(), "minimum 5000 ms") != NULL);
	/* other purposes are not limited */
	struct ask_out r = {0};
	CHECK_INT(model_ask(m, MODEL_DREAM, "s", "u", ask_cb, &r), 0);
	CHECK(run_until(&r.done, 5000));
	ask_out_dispose(&r);
	model_free(m);
	model_config_dispose(&c);
}

TEST(daily_budget_persists)
{
	struct model_config c;
	struct buf path = BUF_INIT_CAP(BUF_CAP_LINE), dir = BUF_INIT_CAP(BUF_CAP_LINE);
	cfg(&c, MODEL_PROVIDER_OPENAI, "ok");
	c.daily_budget = 2;
	buf_printf(&dir, "%s/state/kairos", tmpdir); /* created on first use */
	CHECK_INT(buf_err(&dir), 0);
	struct model *m = model_new(L, &c, dir.data);
	struct ask_out r = {0};
	model_set_log(m, test_log, NULL);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &r), 0);
		CHECK(run_until(&r.done, 5000));
		CHECK_INT(r.err, 0);
		ask_out_dispose(&r);
	}
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &r), KR_ENOMEM);
	CHECK_INT(model_budget_used(m), 2);
	model_free(m);
	/* another process (here: engine) sees the same count */
	m = model_new(L, &c, dir.data);
	CHECK_INT(model_budget_used(m), 2);
	CHECK_INT(model_ask(m, MODEL_TICK, "s", "u", ask_cb, &r), KR_ENOMEM);
	model_free(m);
	buf_printf(&path, "%s/model-budget", dir.data);
	CHECK_INT(buf_err(&path), 0);
	FILE *f = fopen(buf_cstr(&path), "r");
	char day[32] = "", want[32];
	int n = 0;
	time_t now = time(NULL);
	strftime(want, sizeof(want), "%Y-%m-%d", gmtime(&now));
	CHECK(f && fscanf(f, "%31s %d", day, &n) == 2);
	if (f)
		fclose(f);
	CHECK_STR(day, want);
	CHECK_INT(n, 2);
	/* retries count: a 429 three times spends three */
	unlink(path.data);
	c.daily_budget = 10;
	free(c.model);
	c.model = xstrdup("429");
	m = model_new(L, &c, dir.data);
	model_set_log(m, test_log, NULL);
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "s", "u", ask_cb, &r), 0);
	CHECK(run_until(&r.done, 10000));
	CHECK_INT(model_budget_used(m), 3);
	ask_out_dispose(&r);
	model_free(m);
	unlink(path.data);
	rmdir(dir.data);
	buf_truncate(&dir, dir.len - STRLEN_LIT("/kairos"));
	rmdir(dir.data);
	buf_dispose(&dir);
	buf_dispose(&path);
	model_config_dispose(&c);
}

#define GHP "ghp_" "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"
#define AKIA "AKIA" "IOSFODNN7EXAMPLE"
#define XOXB "xoxb-" "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"
#define PEM "-----BEGIN RSA " "PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----"

TEST(secrets_never_leave)
{
	struct model *m = mk(MODEL_PROVIDER_ANTHROPIC, "ok");
	struct ask_out r = {0};
	CHECK_INT(model_ask(m, MODEL_REMEMBER, "system with " AKIA,
			    "The note to file:\n\ntoken " GHP " and " XOXB "\n" PEM "\npassword=hunter22\n",
			    ask_cb, &r),
		  0);
	CHECK(run_until(&r.done, 5000));
	CHECK_INT(r.err, 0); /* the server answers 400 when it sees a secret */
	CHECK(r.redacted >= 5);
	CHECK(strstr(last_log, "redacted") || nlog >= 1);
	ask_out_dispose(&r);
	model_free(m);

	/* through the tick too: a secret in a changed line and in a memory */
	m = mk(MODEL_PROVIDER_OPENAI, "ok");
	struct model_hunk h = {"src/main.c", 1, "const char *k = \"" GHP "\";\n"};
	struct model_memory mem = {"aws", "AWS account", "the key is " AKIA, false};
	struct model_tick_req rq = {&h, 1, &mem, 1, doc_line, NULL};
	struct tick_out o = {0};
	CHECK_INT(model_tasks_tick(m, &rq, tick_cb, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, 0);
	tick_out_dispose(&o);

	/* improve refuses to send a selection holding a secret at all */
	struct model_improve_req ir = {"src/main.c", "k = \"" GHP "\";", tick_mems, 1};
	CHECK_INT(model_tasks_improve(m, &ir, NULL, NULL), KR_EINVAL);
	model_free(m);
}

TEST(server_detects_secrets)
{
	/* the control: the same text sent raw, unredacted, is caught */
	struct httpc *c = httpc_new(L);
	struct raw r;
	char key[256];
	snprintf(key, sizeof(key), "x-api-key: %s", getenv("MODEL_TEST_KEY"));
	const char *hdrs[] = {"content-type: application/json", "anthropic-version: 2023-06-01", key,
			      "x-test-expect-violation: 1", NULL};
	CHECK_INT(post(c, "/v1/messages", hdrs,
		       "{\"model\":\"ok\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"" GHP "\"}]}",
		       &r),
		  0);
	CHECK_INT(r.status, 400);
	CHECK(strstr(buf_cstr(&r.body), "secret-looking") != NULL);
	buf_dispose(&r.body);
	/* and so is a wrong key */
	const char *bad[] = {"content-type: application/json", "anthropic-version: 2023-06-01",
			     "x-api-key: wrong", "x-test-expect-violation: 1", NULL};
	CHECK_INT(post(c, "/v1/messages", bad,
		       "{\"model\":\"ok\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
		       &r),
		  0);
	CHECK_INT(r.status, 400);
	CHECK(strstr(buf_cstr(&r.body), "x-api-key") != NULL);
	buf_dispose(&r.body);
	httpc_free(c);
}

struct dream_out {
	bool done;
	int err;
	struct model_ops *ops;
};

static void dream_cb(void *ud, int err, struct model_ops *ops)
{
	struct dream_out *o = ud;
	o->done = true;
	o->err = err;
	o->ops = ops;
}

TEST(dream_operations)
{
	static const struct model_memory mems[] = {
		{"indent-with-spaces", "Indent with spaces", "Indent C with 4 spaces.", false},
		{"indent-four", "Four-space indent", "Use four spaces per level.", false},
		{"quotes-double", "Double quotes", "Prefer double quotes.", false},
		{"quotes-single", "Single quotes", "Prefer single quotes.", false},
	};
	static const struct model_pair pairs[] = {{0, 1}, {2, 3}};
	struct model_dream_req rq = {mems, 4, pairs, 2};
	struct model *m = mk(MODEL_PROVIDER_OPENAI, "ok");
	struct dream_out o = {0};
	CHECK_INT(model_tasks_dream(m, &rq, dream_cb, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, 0);
	CHECK(o.ops && o.ops->n == 2);
	if (o.ops && o.ops->n == 2) {
		CHECK_INT(o.ops->v[0].kind, MODEL_OP_MERGE);
		CHECK_STR(o.ops->v[0].into, "indent-with-spaces");
		CHECK_STR(o.ops->v[0].names[0], "indent-four");
		CHECK_INT(o.ops->v[1].kind, MODEL_OP_SUPERSEDE);
		CHECK_STR(o.ops->v[1].loser, "quotes-single");
	}
	CHECK_INT(nlog, 3); /* unknown memory, unknown op, keep without reason */
	model_reply_ops_dispose(o.ops);
	free(o.ops);
	model_free(m);
}

struct rem_out {
	bool done;
	int err;
	struct model_proposal *p;
	char *rep;
};

static void rem_cb(void *ud, int err, struct model_proposal *p)
{
	struct rem_out *o = ud;
	o->done = true;
	o->err = err;
	o->p = p;
}

static void imp_cb(void *ud, int err, char *rep)
{
	struct rem_out *o = ud;
	o->done = true;
	o->err = err;
	o->rep = rep;
}

TEST(remember_and_improve)
{
	struct model *m = mk(MODEL_PROVIDER_ANTHROPIC, "ok");
	struct rem_out o = {0};
	CHECK_INT(model_tasks_remember(m, "Before a release: bump the version, tag, push.", rem_cb, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, 0);
	if (o.p) {
		CHECK_STR(o.p->name, "release-checklist");
		CHECK_STR(o.p->type, "project");
		CHECK_STR(o.p->description, "Steps to cut a release");
	}
	model_reply_proposal_dispose(o.p);
	free(o.p);
	memset(&o, 0, sizeof(o));
	struct model_improve_req ir = {"src/main.c", "\tstrcpy(a, b);", tick_mems, 1};
	CHECK_INT(model_tasks_improve(m, &ir, imp_cb, &o), 0);
	CHECK(run_until(&o.done, 5000));
	CHECK_INT(o.err, 0);
	CHECK_STR(o.rep, "\tstr_copy(a, b);");
	free(o.rep);
	model_free(m);
}

TEST(no_violations_seen_by_the_server)
{
	CHECK_INT(stat_violations(), 0);
}

int main(void)
{
	const char *port = getenv("MODEL_TEST_PORT");
	char tmpl[] = "/tmp/kairos-model-XXXXXX";
	if (!port || !getenv("MODEL_TEST_KEY")) {
		fprintf(stderr, "model_client: set MODEL_TEST_PORT and MODEL_TEST_KEY\n");
		return 2;
	}
	snprintf(base, sizeof(base), "http://127.0.0.1:%s", port);
	tmpdir = mkdtemp(tmpl);
	L = loop_new();
	RUN(nothing_loaded_until_first_request);
	RUN(tick_anthropic);
	RUN(tick_openai_fenced);
	RUN(openai_without_key);
	RUN(anthropic_needs_a_key);
	RUN(retry_429_honours_retry_after);
	RUN(retry_429_gives_up_after_three);
	RUN(retry_500);
	RUN(no_retry_on_401_or_long_retry_after);
	RUN(invalid_replies_dropped);
	RUN(hanging_model_never_blocks_the_loop);
	RUN(cancel_aborts_the_transfer);
	RUN(configure_cancels_with_callback);
	RUN(min_tick_interval);
	RUN(daily_budget_persists);
	RUN(secrets_never_leave);
	RUN(server_detects_secrets);
	RUN(dream_operations);
	RUN(remember_and_improve);
	RUN(no_violations_seen_by_the_server);
	loop_free(L);
	if (tmpdir && rmdir(tmpdir) != 0)
		fprintf(stderr, "model_client: %s is not empty\n", tmpdir);
	CHECK_MAIN_END();
}
