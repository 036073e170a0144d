/* model: configuration, and the engine that sends one prompt at a time
 * per purpose through httpc, with redaction, retries, a minimum interval
 * between ticks and a daily budget. The tasks (what is asked, what is
 * accepted) are in model_tasks.c; the APIs in model_anthropic.c and
 * model_openai.c, listed in this file's table of providers. */
#include "kairos/model.h"
#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "httpc.h"
#include "kairos/json.h"
#include "kairos/loop.h"
#include "model_provider.h"
#include "kairos/redact.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RETRY_BASE_MS 1000
#define RETRY_AFTER_MAX_MS 120000 /* a server asking for longer: give up */

/* ---- configuration ---- */

/* Every provider, indexed by enum model_provider: "none" sends nothing. */
static const struct model_api none_api = {"none", NULL, NULL, NULL};
static const struct model_api *const apis[] = {
	[MODEL_PROVIDER_NONE] = &none_api,
	[MODEL_PROVIDER_ANTHROPIC] = &model_anthropic_api,
	[MODEL_PROVIDER_OPENAI] = &model_openai_api,
};

const struct model_api *model_api_of(enum model_provider p)
{
	return (unsigned)p < ARRAY_LEN(apis) ? apis[p] : &none_api;
}

const char *model_provider_name(enum model_provider p)
{
	return model_api_of(p)->name;
}

int model_provider_parse(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_LEN(apis); i++)
		if (!strcmp(s, apis[i]->name))
			return (int)i;
	return -1;
}

void model_config_init(struct model_config *c)
{
	memset(c, 0, sizeof(*c));
	c->provider = MODEL_PROVIDER_NONE;
	c->endpoint = xstrdup("");
	c->model = xstrdup("");
	c->api_key_env = xstrdup("");
	c->timeout_ms = 30000;
	c->min_tick_interval_ms = 5000;
	c->daily_budget = 500;
	c->max_attempts = 3;
	c->max_tokens = 1024;
}

void model_config_dispose(struct model_config *c)
{
	free(c->endpoint);
	free(c->model);
	free(c->api_key_env);
	c->endpoint = c->model = c->api_key_env = NULL;
}

void model_config_copy(struct model_config *dst, const struct model_config *src)
{
	if (dst == src)
		return;
	model_config_dispose(dst);
	*dst = *src;
	dst->endpoint = xstrdup(src->endpoint ? src->endpoint : "");
	dst->model = xstrdup(src->model ? src->model : "");
	dst->api_key_env = xstrdup(src->api_key_env ? src->api_key_env : "");
}

static int take_str(char **dst, const struct json *j, int obj, const char *key, struct buf *bad)
{
	int i = json_get(j, obj, key);
	if (i < 0)
		return 0;
	char *s = json_strdup(j, i);
	if (!s) {
		buf_printf(bad, "%s%s", bad->len ? ", " : "", key);
		return KR_EINVAL;
	}
	free(*dst);
	*dst = s;
	return 0;
}

static int take_num(long *dst, const struct json *j, int obj, const char *key, long lo, long hi,
		    struct buf *bad)
{
	int i = json_get(j, obj, key);
	long long v;
	if (i < 0)
		return 0;
	if (json_type(j, i) != JSON_NUMBER || json_int(j, i, &v) || v < lo || v > hi) {
		buf_printf(bad, "%s%s", bad->len ? ", " : "", key);
		return KR_EINVAL;
	}
	*dst = (long)v;
	return 0;
}

int model_config_from_json(struct model_config *c, const struct json *j, int obj)
{
	struct buf bad = BUF_INIT_CAP(BUF_CAP_LINE); /* the names of bad keys */
	int rc = 0, pi;
	long v;

	if (json_type(j, obj) != JSON_OBJECT)
		return kr_errc(KR_EINVAL, "llm must be an object");
	pi = json_get(j, obj, "provider");
	if (pi >= 0) {
		char *s = json_strdup(j, pi);
		int p = model_provider_parse(s);
		if (p < 0)
			buf_printf(&bad, "%sprovider", bad.len ? ", " : "");
		else
			c->provider = (enum model_provider)p;
		free(s);
	}
	take_str(&c->endpoint, j, obj, "endpoint", &bad);
	take_str(&c->model, j, obj, "model", &bad);
	take_str(&c->api_key_env, j, obj, "apiKeyEnv", &bad);
	take_num(&c->timeout_ms, j, obj, "timeoutMs", 100, 3600000, &bad);
	take_num(&c->min_tick_interval_ms, j, obj, "minTickIntervalMs", 0, 86400000, &bad);
	v = c->daily_budget;
	if (!take_num(&v, j, obj, "dailyBudget", 0, 1000000, &bad))
		c->daily_budget = (int)v;
	v = c->max_attempts;
	if (!take_num(&v, j, obj, "maxAttempts", 3, 10, &bad))
		c->max_attempts = (int)v;
	v = c->max_tokens;
	if (!take_num(&v, j, obj, "maxTokens", 16, 65536, &bad))
		c->max_tokens = (int)v;
	if (buf_err(&bad))
		rc = kr_errc(KR_EINVAL, "llm: ignored invalid values");
	else if (bad.len)
		rc = kr_errc(KR_EINVAL, "llm: ignored invalid value of %s", bad.data);
	buf_dispose(&bad);
	return rc;
}

int model_config_from_env(struct model_config *c)
{
	const char *p = getenv("KAIROS_LLM_PROVIDER");
	const char *e = getenv("KAIROS_LLM_ENDPOINT");
	const char *m = getenv("KAIROS_LLM_MODEL");
	int rc = 0;
	if (p && *p) {
		int v = model_provider_parse(p);
		if (v < 0)
			rc = kr_errc(KR_EINVAL, "KAIROS_LLM_PROVIDER: unknown provider \"%.40s\" "
						"(none, anthropic, openai)", p);
		else
			c->provider = (enum model_provider)v;
	}
	if (e && *e) {
		free(c->endpoint);
		c->endpoint = xstrdup(e);
	}
	if (m && *m) {
		free(c->model);
		c->model = xstrdup(m);
	}
	return rc;
}

/* ---- the engine ---- */

struct slot {
	struct model *m;
	enum model_purpose p;
	bool busy;
	struct httpc_req *req;
	struct loop_timer retry;
	struct model_http http;
	int attempts;
	int redacted;
	long status;
	model_done_fn fn;
	void *ud;
	void (*ud_free)(void *ud); /* frees ud when no callback will */
};

struct model {
	struct loop *l;
	struct httpc *http;
	struct model_config cfg;
	char *budget_path;  /* NULL: in memory only */
	char day[16];
	int used;
	bool budget_warned;
	uint64_t last_tick_ms;
	bool ticked;
	model_log_fn log;
	void *log_ud;
	uint64_t rng;
	struct slot slots[MODEL_PURPOSE_COUNT];
};

static const char *const purpose_names[] = {"tick", "dream", "remember", "improve"};

static void mlog(struct model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void mlog(struct model *m, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m->log)
		m->log(m->log_ud, msg);
	else
		fprintf(stderr, "kairos: %s\n", msg);
}

static void slot_retry_fire(struct loop *l, void *ud);

struct model *model_new(struct loop *l, const struct model_config *cfg, const char *state_dir)
{
	struct model *m = xcalloc(1, sizeof(*m));
	m->l = l;
	model_config_init(&m->cfg);
	model_config_copy(&m->cfg, cfg);
	if (state_dir && *state_dir) {
		struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
		buf_printf(&b, "%s/model-budget", state_dir);
		if (buf_err(&b)) /* the count is kept in memory only */
			mlog(m, "model: no file for the daily count: %s", kr_errmsg());
		else
			m->budget_path = buf_detach(&b);
	}
	m->rng = loop_now_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)m;
	for (int p = 0; p < MODEL_PURPOSE_COUNT; p++) {
		m->slots[p].m = m;
		m->slots[p].p = (enum model_purpose)p;
		m->slots[p].http = (struct model_http)MODEL_HTTP_INIT;
		loop_timer_init(&m->slots[p].retry, slot_retry_fire, &m->slots[p]);
	}
	return m;
}

/* Forgets a slot's request without calling anyone. */
static void slot_clear(struct slot *s)
{
	if (s->req)
		httpc_cancel(s->m->http, s->req);
	s->req = NULL;
	loop_timer_cancel(s->m->l, &s->retry);
	model_wire_dispose(&s->http);
	if (s->ud_free && s->ud)
		s->ud_free(s->ud);
	s->ud_free = NULL;
	s->busy = false;
	s->attempts = 0;
	s->redacted = 0;
	s->status = 0;
	s->fn = NULL;
	s->ud = NULL;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	for (int p = 0; p < MODEL_PURPOSE_COUNT; p++)
		slot_clear(&m->slots[p]);
	httpc_free(m->http);
	model_config_dispose(&m->cfg);
	free(m->budget_path);
	free(m);
}

static void slot_finish(struct slot *s, int err, const char *errmsg, const char *text, size_t len)
{
	struct model_result r = {
		.err = err,
		.errmsg = err ? errmsg : NULL,
		.text = err ? NULL : text,
		.len = err ? 0 : len,
		.status = s->status,
		.attempts = s->attempts,
		.redacted = s->redacted,
	};
	model_done_fn fn = s->fn;
	void *ud = s->ud;
	s->ud_free = NULL; /* the callback owns ud now */
	if (err && err != KR_ECANCEL)
		mlog(s->m, "model request (%s) failed: %s", purpose_names[s->p], errmsg);
	slot_clear(s); /* the callback may start the next request */
	if (fn)
		fn(ud, &r);
}

static bool config_same(const struct model_config *a, const struct model_config *b)
{
	return a->provider == b->provider && !strcmp(a->endpoint, b->endpoint) &&
	       !strcmp(a->model, b->model) && !strcmp(a->api_key_env, b->api_key_env) &&
	       a->timeout_ms == b->timeout_ms && a->min_tick_interval_ms == b->min_tick_interval_ms &&
	       a->daily_budget == b->daily_budget && a->max_attempts == b->max_attempts &&
	       a->max_tokens == b->max_tokens;
}

void model_configure(struct model *m, const struct model_config *cfg)
{
	if (config_same(&m->cfg, cfg))
		return;
	for (int p = 0; p < MODEL_PURPOSE_COUNT; p++)
		if (m->slots[p].busy)
			slot_finish(&m->slots[p], KR_ECANCEL, "the model configuration changed", NULL, 0);
	model_config_copy(&m->cfg, cfg);
}

void model_set_log(struct model *m, model_log_fn fn, void *ud)
{
	m->log = fn;
	m->log_ud = ud;
}

bool model_enabled(const struct model *m)
{
	return m->cfg.provider != MODEL_PROVIDER_NONE;
}

bool model_busy(const struct model *m, enum model_purpose p)
{
	return (unsigned)p < MODEL_PURPOSE_COUNT && m->slots[p].busy;
}

/* ---- the daily budget ---- */

static void today(char out[16])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

/* Loads the count of today from the file (other processes count too). */
static void budget_load(struct model *m)
{
	char day[16];
	today(day);
	if (strcmp(day, m->day)) {
		memcpy(m->day, day, sizeof(day));
		m->used = 0;
	}
	if (!m->budget_path)
		return;
	FILE *f = fopen(m->budget_path, "r");
	if (!f)
		return;
	char fday[16];
	int n;
	if (fscanf(f, "%15s %d", fday, &n) == 2 && !strcmp(fday, m->day) && n > m->used)
		m->used = n;
	fclose(f);
}

static void budget_save(struct model *m)
{
	struct buf text = BUF_INIT_CAP(BUF_CAP_LINE);
	char *dir;
	int rc;

	if (!m->budget_path)
		return;
	dir = fsx_dirname(m->budget_path);
	buf_printf(&text, "%s %d\n", m->day, m->used);
	if (!(rc = buf_err(&text)) && !(rc = fsx_mkdirs(dir, 0700)))
		rc = fsx_write_atomic(m->budget_path, text.data, text.len);
	if (rc && !m->budget_warned) {
		mlog(m, "model: could not save the daily count in %s: %s (kept in memory)",
		     m->budget_path, kr_errmsg());
		m->budget_warned = true;
	}
	free(dir);
	buf_dispose(&text);
}

/* Counts one request; KR_ENOMEM when today's budget is spent. */
static int budget_take(struct model *m)
{
	budget_load(m);
	if (m->used >= m->cfg.daily_budget)
		return kr_errc(KR_ENOMEM, "the daily budget of %d model requests is spent",
			       m->cfg.daily_budget);
	m->used++;
	budget_save(m);
	return 0;
}

int model_budget_used(struct model *m)
{
	budget_load(m);
	return m->used;
}

/* ---- sending and retrying ---- */

static void slot_http_done(void *ud, struct httpc_req *req, const struct httpc_result *r);

static int slot_send(struct slot *s)
{
	struct model *m = s->m;
	struct httpc_post p = {
		.url = buf_cstr(&s->http.url),
		.headers = (const char *const *)s->http.headers,
		.body = buf_cstr(&s->http.body),
		.body_len = s->http.body.len,
		.connect_timeout_ms = m->cfg.timeout_ms < 10000 ? m->cfg.timeout_ms : 10000,
		.timeout_ms = m->cfg.timeout_ms,
	};
	int rc = budget_take(m);
	if (rc)
		return rc;
	if (!m->http)
		m->http = httpc_new(m->l);
	s->attempts++;
	return httpc_post(m->http, &s->req, &p, slot_http_done, s);
}

static uint64_t rng_next(struct model *m)
{
	/* xorshift64*: jitter only, nothing secret */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 2685821657736338717ull;
}

static void slot_retry_fire(struct loop *l, void *ud)
{
	struct slot *s = ud;
	int rc = slot_send(s);
	if (rc)
		slot_finish(s, rc, kr_errmsg(), NULL, 0);
}

/* The provider's own words about a failed request, shortened. */
static void api_error(char *out, size_t n, const struct httpc_result *r)
{
	struct json j = {0};
	char *msg = NULL;
	out[0] = 0;
	if (!json_parse(&j, r->body, r->body_len)) {
		msg = json_get_str(&j, 0, "error.message");
		if (!msg)
			msg = json_get_str(&j, 0, "error");
	}
	if (msg)
		snprintf(out, n, ": %.200s", msg);
	free(msg);
	json_dispose(&j);
}

static void slot_http_done(void *ud, struct httpc_req *req, const struct httpc_result *r)
{
	struct slot *s = ud;
	struct model *m = s->m;
	char msg[400], api[256];
	/* the reply's text is no longer than its body, which httpc caps */
	struct buf text = BUF_INIT_CAP(HTTPC_MAX_BODY);
	int rc;

	s->req = NULL;
	s->status = r->status;
	if (r->err) {
		if (r->timed_out)
			snprintf(msg, sizeof(msg), "no complete reply within %ld ms", m->cfg.timeout_ms);
		else
			snprintf(msg, sizeof(msg), "%s", r->errmsg);
		slot_finish(s, KR_ERR, msg, NULL, 0);
		return;
	}
	if (r->status >= 200 && r->status < 300) {
		if (!(rc = model_api_of(m->cfg.provider)->parse(&text, r->body, r->body_len)))
			rc = buf_err(&text);
		if (rc)
			slot_finish(s, rc, kr_errmsg(), NULL, 0);
		else
			slot_finish(s, 0, NULL, buf_cstr(&text), text.len);
		buf_dispose(&text);
		return;
	}
	api_error(api, sizeof(api), r);
	if ((r->status == 429 || r->status >= 500) && s->attempts < m->cfg.max_attempts) {
		uint64_t base = (uint64_t)RETRY_BASE_MS << (s->attempts - 1);
		uint64_t wait = base / 2 + rng_next(m) % (base + 1);
		if (r->retry_after_ms > RETRY_AFTER_MAX_MS) {
			snprintf(msg, sizeof(msg), "HTTP %ld, and the server asks to wait %ld s", r->status,
				 r->retry_after_ms / 1000);
			slot_finish(s, KR_ERR, msg, NULL, 0);
			return;
		}
		if (r->retry_after_ms >= 0 && (uint64_t)r->retry_after_ms > wait)
			wait = (uint64_t)r->retry_after_ms;
		mlog(m, "model request (%s): HTTP %ld%s; attempt %d of %d in %llu ms",
		     purpose_names[s->p], r->status, api, s->attempts + 1, m->cfg.max_attempts,
		     (unsigned long long)wait);
		loop_timer_arm(m->l, &s->retry, wait);
		return;
	}
	snprintf(msg, sizeof(msg), "HTTP %ld%s%s", r->status, api,
		 s->attempts > 1 ? " (last of all attempts)" : "");
	slot_finish(s, KR_ERR, msg, NULL, 0);
}

/* The text to send with its secrets replaced; NULL when it is too long. */
static char *redacted_copy(const char *s, int *count)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING); /* a prompt */
	int n = 0;
	if (redact(s ? s : "", s ? strlen(s) : 0, &b, &n) || buf_err(&b)) {
		buf_dispose(&b);
		return NULL;
	}
	*count += n;
	return buf_detach(&b);
}

void model_log(struct model *m, const char *msg)
{
	mlog(m, "%s", msg);
}

int model_ask(struct model *m, enum model_purpose p, const char *system, const char *user,
	      model_done_fn fn, void *ud)
{
	return model_ask_owned(m, p, system, user, fn, ud, NULL);
}

int model_ask_owned(struct model *m, enum model_purpose p, const char *system, const char *user,
		    model_done_fn fn, void *ud, void (*ud_free)(void *ud))
{
	struct slot *s;
	char *sys = NULL, *usr = NULL, *key = NULL;
	const char *kv;
	int rc = 0, redacted = 0;
	uint64_t now = loop_now_ms();

	if ((unsigned)p >= MODEL_PURPOSE_COUNT)
		return kr_errc(KR_EINVAL, "no such model purpose");
	s = &m->slots[p];
	if (m->cfg.provider == MODEL_PROVIDER_NONE)
		return kr_errc(KR_ENOTFOUND, "no model is configured (llm.provider is none)");
	if (!m->cfg.model || !*m->cfg.model)
		return kr_errc(KR_ENOTFOUND, "llm.model is not set");
	if (s->busy)
		return kr_errc(KR_EBUSY, "a model request (%s) is already in flight", purpose_names[p]);
	if (p == MODEL_TICK && m->ticked &&
	    now - m->last_tick_ms < (uint64_t)m->cfg.min_tick_interval_ms)
		return kr_errc(KR_EBUSY, "the last tick request was %llu ms ago (minimum %ld ms)",
			       (unsigned long long)(now - m->last_tick_ms),
			       m->cfg.min_tick_interval_ms);
	sys = redacted_copy(system, &redacted);
	usr = redacted_copy(user, &redacted);
	if (!sys || !usr) {
		rc = kr_errc(KR_ENOMEM, "the text to send is too large");
		goto out;
	}
	kv = m->cfg.api_key_env && *m->cfg.api_key_env ? getenv(m->cfg.api_key_env) : NULL;
	if (m->cfg.api_key_env && *m->cfg.api_key_env && (!kv || !*kv)) {
		rc = kr_errc(KR_ENOTFOUND, "the environment variable %.64s named by llm.apiKeyEnv is "
					   "not set", m->cfg.api_key_env);
		goto out;
	}
	key = kv ? xstrdup(kv) : NULL;
	rc = model_api_of(m->cfg.provider)->build(&s->http, &m->cfg, key, sys, usr);
	if (rc)
		goto out_clear;
	s->busy = true;
	s->fn = fn;
	s->ud = ud;
	s->ud_free = ud_free;
	s->redacted = redacted;
	if (redacted)
		mlog(m, "model request (%s): %d secret%s redacted before sending", purpose_names[p],
		     redacted, redacted == 1 ? "" : "s");
	rc = slot_send(s);
	if (rc)
		goto out_clear;
	if (p == MODEL_TICK) {
		m->last_tick_ms = now;
		m->ticked = true;
	}
	goto out;
out_clear:
	s->ud_free = NULL; /* ud stays the caller's */
	slot_clear(s);
out:
	if (key) {
		explicit_bzero(key, strlen(key));
		free(key);
	}
	free(sys);
	free(usr);
	return rc;
}

void model_cancel(struct model *m, enum model_purpose p)
{
	if ((unsigned)p < MODEL_PURPOSE_COUNT && m->slots[p].busy)
		slot_clear(&m->slots[p]);
}

int model_wait(struct model *m, enum model_purpose p)
{
	while (model_busy(m, p))
		if (loop_once(m->l, -1))
			return KR_ERR;
	return 0;
}

/* ---- prompts (generated from protocol/prompts/ by the Makefile) ---- */

extern const char model_prompt_tick[];
extern const char model_prompt_dream[];
extern const char model_prompt_remember[];
extern const char model_prompt_improve[];

/* A prompt file may open with a comment line that gives its version,
 * "<!-- kairos prompt: dream, version 1 -->", which is not sent. */
#define PROMPT_HEAD "<!--"
#define PROMPT_VERSION "version "

static const char *prompt_file(enum model_purpose p)
{
	switch (p) {
	case MODEL_TICK: return model_prompt_tick;
	case MODEL_DREAM: return model_prompt_dream;
	case MODEL_REMEMBER: return model_prompt_remember;
	case MODEL_ACTION: return model_prompt_improve;
	default: return "";
	}
}

const char *model_prompt(enum model_purpose p)
{
	const char *s = prompt_file(p);
	if (!strncmp(s, PROMPT_HEAD, STRLEN_LIT(PROMPT_HEAD))) {
		const char *nl = strchr(s, '\n');
		s = nl ? nl + 1 : s + strlen(s);
	}
	return s;
}

int model_prompt_version(enum model_purpose p)
{
	const char *s = prompt_file(p), *v = strstr(s, PROMPT_VERSION);
	const char *nl = strchr(s, '\n');
	if (strncmp(s, PROMPT_HEAD, STRLEN_LIT(PROMPT_HEAD)) || !v || (nl && v > nl))
		return 0;
	return atoi(v + STRLEN_LIT(PROMPT_VERSION));
}
