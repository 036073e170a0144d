/* model_reply: the only shapes kairos accepts from a model (protocol.md,
 * "Model replies"), checked field by field. Whatever fails is logged and
 * dropped; nothing a model says is trusted further than this file. */
#include "kairos/model.h"
#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MESSAGE 2000
#define MAX_REASON 2000
#define MAX_PATH 1024
#define MAX_FIND 1000
#define MAX_NAMES 20
#define FENCE "```" /* a Markdown code fence */
#define FENCE_LEN STRLEN_LIT(FENCE)

static void logf_(model_log_fn log, void *ud, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logf_(model_log_fn log, void *ud, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log)
		log(ud, msg);
	else
		fprintf(stderr, "kairos: %s\n", msg);
}

/* Finds the JSON text: the whole reply, or the whole reply's one fenced
 * code block (``` or ```json). */
static int unwrap(const char *text, size_t len, const char **js, size_t *jn)
{
	const char *p = text, *e = text + len;
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		e--;
	if (p == e)
		return kr_errc(KR_EINVAL, "the reply is empty");
	if ((size_t)(e - p) < 2 * FENCE_LEN || memcmp(p, FENCE, FENCE_LEN)) {
		*js = p;
		*jn = (size_t)(e - p);
		return 0;
	}
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	if (!nl)
		return kr_errc(KR_EINVAL, "the reply's code block is not closed");
	size_t tag = (size_t)(nl - p) - FENCE_LEN;
	const char *t = p + FENCE_LEN;
	const char *close = e - FENCE_LEN;
	while (tag && (t[tag - 1] == '\r' || t[tag - 1] == ' '))
		tag--;
	if (!(tag == 0 || (tag == STRLEN_LIT("json") &&
			   (!memcmp(t, "json", tag) || !memcmp(t, "JSON", tag)))))
		return kr_errc(KR_EINVAL, "the reply's code block is not JSON");
	if (memcmp(close, FENCE, FENCE_LEN) || close <= nl || (close[-1] != '\n' && close != nl + 1))
		return kr_errc(KR_EINVAL, "the reply is more than one fenced code block");
	*js = nl + 1;
	*jn = (size_t)(close - (nl + 1));
	for (const char *q = *js; q + FENCE_LEN <= *js + *jn; q++)
		if (!memcmp(q, FENCE, FENCE_LEN))
			return kr_errc(KR_EINVAL, "the reply holds more than one code block");
	return 0;
}

/* Parses the reply into j; root must be an object. */
static int parse(struct json *j, const char *text, size_t len)
{
	const char *js = NULL;
	size_t jn = 0;
	int rc = unwrap(text, len, &js, &jn);
	if (rc)
		return rc;
	if (json_parse(j, js, jn))
		return kr_errc(KR_EINVAL, "the reply is not JSON: %s", kr_errmsg());
	if (json_type(j, 0) != JSON_OBJECT)
		return kr_errc(KR_EINVAL, "the reply is not a JSON object");
	return 0;
}

/* Every key of object obj is one of keys (NULL-terminated), once. */
static int keys_only(const struct json *j, int obj, const char *const *keys)
{
	int k = obj + 1;
	for (int m = 0; m < j->tok[obj].size; m++) {
		bool known = false;
		for (const char *const *q = keys; *q; q++)
			if (json_streq(j, k, *q))
				known = true;
		if (!known) {
			size_t n;
			const char *raw = json_raw(j, k, &n);
			return kr_errc(KR_EINVAL, "unexpected key %.*s", (int)(n > 40 ? 40 : n), raw);
		}
		int k2 = obj + 1;
		for (int m2 = 0; m2 < m; m2++) {
			size_t a, b;
			const char *ra = json_raw(j, k, &a), *rb = json_raw(j, k2, &b);
			if (a == b && !memcmp(ra, rb, a))
				return kr_errc(KR_EINVAL, "duplicate key %.*s", (int)(a > 40 ? 40 : a), ra);
			k2 = json_skip(j, k2 + 1);
		}
		k = json_skip(j, k + 1);
	}
	return 0;
}

/* The decoded string at token i: no NUL, at most max bytes, not empty
 * unless allow_empty. */
static int str_field(char **out, const struct json *j, int i, const char *what, size_t max,
		     bool allow_empty)
{
	/* the field's own limit: a longer string stops at the cap */
	struct buf b = BUF_INIT_CAP(max);
	int rc = 0;
	if (json_type(j, i) == JSON_NONE)
		return kr_errc(KR_EINVAL, "%s is missing", what);
	if (json_type(j, i) != JSON_STRING)
		return kr_errc(KR_EINVAL, "%s must be a string", what);
	if ((rc = json_str(j, i, &b))) {
		if (rc == KR_ENOMEM)
			rc = kr_errc(KR_EINVAL, "%s is longer than %zu bytes", what, max);
		else
			rc = kr_errc(KR_EINVAL, "%s is not a valid string", what);
		goto out;
	}
	if (memchr(buf_cstr(&b), 0, b.len)) {
		rc = kr_errc(KR_EINVAL, "%s holds a NUL character", what);
		goto out;
	}
	if (!b.len && !allow_empty) {
		rc = kr_errc(KR_EINVAL, "%s is empty", what);
		goto out;
	}
	*out = buf_detach(&b);
out:
	buf_dispose(&b);
	return rc;
}

static int name_field(char **out, const struct json *j, int i, const char *what)
{
	char *s = NULL;
	int rc = str_field(&s, j, i, what, 64 * 4, false);
	if (rc)
		return rc;
	if (!mem_name_valid(s)) {
		rc = kr_errc(KR_EINVAL, "%s \"%.64s\" is not a valid memory name", what, s);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* Workspace-relative and inside the workspace: no leading '/', no '\',
 * no empty, "." or ".." component, no control character, no scheme. */
static bool path_ok(const char *s)
{
	const char *c = s;
	if (!*s || *s == '/' || strchr(s, '\\') || strchr(s, ':'))
		return false;
	for (const char *q = s; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return false;
	while (*c) {
		const char *slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!slash)
			break;
		c = slash + 1;
		if (!*c)
			return false; /* trailing slash: a directory */
	}
	return true;
}

static void suggestion_dispose(struct model_suggestion *s)
{
	free(s->file);
	free(s->message);
	free(s->memory);
	free(s->find);
	free(s->replace);
	memset(s, 0, sizeof(*s));
}

void model_reply_suggestions_dispose(struct model_suggestions *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		suggestion_dispose(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int one_suggestion(struct model_suggestion *s, const struct json *j, int o)
{
	static const char *const keys[] = {"file", "line", "message", "memory", "fix", NULL};
	static const char *const fix_keys[] = {"find", "replace", NULL};
	long long line;
	int rc, fix;

	memset(s, 0, sizeof(*s));
	if (json_type(j, o) != JSON_OBJECT)
		return kr_errc(KR_EINVAL, "not an object");
	if ((rc = keys_only(j, o, keys)))
		return rc;
	if ((rc = str_field(&s->file, j, json_get(j, o, "file"), "file", MAX_PATH, false)))
		return rc;
	if (!path_ok(s->file))
		return kr_errc(KR_EINVAL, "file \"%.100s\" is not a safe workspace-relative path",
			       s->file);
	int li = json_get(j, o, "line");
	if (li < 0)
		return kr_errc(KR_EINVAL, "line is missing");
	if (json_type(j, li) != JSON_NUMBER || json_int(j, li, &line) || line < 1 ||
	    line > 100000000)
		return kr_errc(KR_EINVAL, "line must be an integer of at least 1");
	s->line = (long)line;
	if ((rc = str_field(&s->message, j, json_get(j, o, "message"), "message", MAX_MESSAGE,
			    false)))
		return rc;
	int mi = json_get(j, o, "memory");
	if (mi >= 0 && json_type(j, mi) != JSON_NULL && (rc = name_field(&s->memory, j, mi, "memory")))
		return rc;
	fix = json_get(j, o, "fix");
	if (fix >= 0 && json_type(j, fix) != JSON_NULL) {
		if (json_type(j, fix) != JSON_OBJECT)
			return kr_errc(KR_EINVAL, "fix must be an object or null");
		if ((rc = keys_only(j, fix, fix_keys)))
			return kr_errc(KR_EINVAL, "fix: %s", kr_errmsg());
		if ((rc = str_field(&s->find, j, json_get(j, fix, "find"), "fix.find", MAX_FIND,
				    false)))
			return rc;
		if (memchr(s->find, '\n', strlen(s->find)))
			return kr_errc(KR_EINVAL, "fix.find spans more than one line");
		if ((rc = str_field(&s->replace, j, json_get(j, fix, "replace"), "fix.replace",
				    MAX_FIND * 4, true)))
			return rc;
	}
	return 0;
}

int model_reply_tick(struct model_suggestions *out, const char *text, size_t len,
		     model_log_fn log, void *ud)
{
	static const char *const keys[] = {"suggestions", NULL};
	struct json j = {0};
	int rc, arr, k = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = parse(&j, text, len)))
		goto bad;
	if ((rc = keys_only(&j, 0, keys)))
		goto bad;
	arr = json_get(&j, 0, "suggestions");
	if (json_type(&j, arr) != JSON_ARRAY) {
		rc = kr_errc(KR_EINVAL, "\"suggestions\" must be an array");
		goto bad;
	}
	out->v = xcalloc((size_t)json_len(&j, arr) + 1, sizeof(*out->v));
	for (int e = json_first(&j, arr); e >= 0; e = json_next(&j, arr, e), k++) {
		struct model_suggestion s;
		if (out->n >= MODEL_MAX_SUGGESTIONS) {
			logf_(log, ud, "model reply: suggestions past the first %d dropped",
			      MODEL_MAX_SUGGESTIONS);
			break;
		}
		if (one_suggestion(&s, &j, e)) {
			logf_(log, ud, "model reply: suggestion %d dropped: %s", k + 1, kr_errmsg());
			suggestion_dispose(&s);
			continue;
		}
		out->v[out->n++] = s;
	}
	json_dispose(&j);
	return 0;
bad:
	logf_(log, ud, "model reply (tick) ignored: %s", kr_errmsg());
	json_dispose(&j);
	model_reply_suggestions_dispose(out);
	return KR_EINVAL;
}

void model_reply_suggestions_check(struct model_suggestions *s, model_line_fn line, void *lud,
			     model_log_fn log, void *ud)
{
	size_t w = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct model_suggestion *g = &s->v[i];
		const char *text = NULL;
		size_t n = 0;
		if (line(lud, g->file, g->line, &text, &n) != 0 || !text) {
			logf_(log, ud, "model suggestion dropped: %.200s has no line %ld", g->file,
			      g->line);
			suggestion_dispose(g);
			continue;
		}
		if (g->find && !memmem(text, n, g->find, strlen(g->find))) {
			logf_(log, ud, "model suggestion dropped: fix.find does not occur on %.200s:%ld",
			      g->file, g->line);
			suggestion_dispose(g);
			continue;
		}
		s->v[w++] = *g;
	}
	s->n = w;
}

static void op_dispose(struct model_op *o)
{
	free(o->into);
	free(o->winner);
	free(o->loser);
	for (size_t i = 0; i < o->nnames; i++)
		free(o->names[i]);
	free(o->names);
	free(o->reason);
	memset(o, 0, sizeof(*o));
}

void model_reply_ops_dispose(struct model_ops *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		op_dispose(&o->v[i]);
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

static int names_field(struct model_op *o, const struct json *j, int arr, const char *what)
{
	int rc;
	if (arr < 0)
		return kr_errc(KR_EINVAL, "%s is missing", what);
	if (json_type(j, arr) != JSON_ARRAY)
		return kr_errc(KR_EINVAL, "%s must be an array of names", what);
	if (json_len(j, arr) < 1 || json_len(j, arr) > MAX_NAMES)
		return kr_errc(KR_EINVAL, "%s must hold 1 to %d names", what, MAX_NAMES);
	o->names = xcalloc((size_t)json_len(j, arr), sizeof(char *));
	for (int e = json_first(j, arr); e >= 0; e = json_next(j, arr, e)) {
		char *s = NULL;
		if ((rc = name_field(&s, j, e, what)))
			return rc;
		for (size_t i = 0; i < o->nnames; i++)
			if (!strcmp(o->names[i], s)) {
				rc = kr_errc(KR_EINVAL, "%s names \"%s\" twice", what, s);
				free(s);
				return rc;
			}
		o->names[o->nnames++] = s;
	}
	return 0;
}

static int one_op(struct model_op *o, const struct json *j, int e)
{
	static const char *const merge_keys[] = {"op", "into", "from", "reason", NULL};
	static const char *const sup_keys[] = {"op", "winner", "loser", "reason", NULL};
	static const char *const keep_keys[] = {"op", "names", "reason", NULL};
	int rc, op;

	memset(o, 0, sizeof(*o));
	if (json_type(j, e) != JSON_OBJECT)
		return kr_errc(KR_EINVAL, "not an object");
	op = json_get(j, e, "op");
	if (json_streq(j, op, "merge")) {
		o->kind = MODEL_OP_MERGE;
		if ((rc = keys_only(j, e, merge_keys)) ||
		    (rc = name_field(&o->into, j, json_get(j, e, "into"), "into")) ||
		    (rc = names_field(o, j, json_get(j, e, "from"), "from")))
			return rc;
		for (size_t i = 0; i < o->nnames; i++)
			if (!strcmp(o->names[i], o->into))
				return kr_errc(KR_EINVAL, "merges \"%s\" into itself", o->into);
	} else if (json_streq(j, op, "supersede")) {
		o->kind = MODEL_OP_SUPERSEDE;
		if ((rc = keys_only(j, e, sup_keys)) ||
		    (rc = name_field(&o->winner, j, json_get(j, e, "winner"), "winner")) ||
		    (rc = name_field(&o->loser, j, json_get(j, e, "loser"), "loser")))
			return rc;
		if (!strcmp(o->winner, o->loser))
			return kr_errc(KR_EINVAL, "\"%s\" supersedes itself", o->winner);
	} else if (json_streq(j, op, "keep")) {
		o->kind = MODEL_OP_KEEP;
		if ((rc = keys_only(j, e, keep_keys)) ||
		    (rc = names_field(o, j, json_get(j, e, "names"), "names")))
			return rc;
	} else {
		return kr_errc(KR_EINVAL, "\"op\" must be \"merge\", \"supersede\" or \"keep\"");
	}
	return str_field(&o->reason, j, json_get(j, e, "reason"), "reason", MAX_REASON, false);
}

/* Every name the operation touches, for existence and conflict checks. */
static size_t op_names(const struct model_op *o, const char **v, size_t max)
{
	size_t n = 0;
	if (o->into && n < max)
		v[n++] = o->into;
	if (o->winner && n < max)
		v[n++] = o->winner;
	if (o->loser && n < max)
		v[n++] = o->loser;
	for (size_t i = 0; i < o->nnames && n < max; i++)
		v[n++] = o->names[i];
	return n;
}

static bool in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

int model_reply_dream(struct model_ops *out, const char *text, size_t len,
		      model_exists_fn exists, void *eud, model_log_fn log, void *ud)
{
	static const char *const keys[] = {"operations", NULL};
	struct json j = {0};
	char **retired = NULL, **survivors = NULL;
	size_t nret = 0, nsurv = 0;
	int rc, arr, k = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = parse(&j, text, len)))
		goto bad;
	if ((rc = keys_only(&j, 0, keys)))
		goto bad;
	arr = json_get(&j, 0, "operations");
	if (json_type(&j, arr) != JSON_ARRAY) {
		rc = kr_errc(KR_EINVAL, "\"operations\" must be an array");
		goto bad;
	}
	out->v = xcalloc((size_t)json_len(&j, arr) + 1, sizeof(*out->v));
	retired = xcalloc((size_t)MODEL_MAX_OPS * (MAX_NAMES + 1), sizeof(char *));
	survivors = xcalloc((size_t)MODEL_MAX_OPS, sizeof(char *));
	for (int e = json_first(&j, arr); e >= 0; e = json_next(&j, arr, e), k++) {
		struct model_op o;
		const char *names[MAX_NAMES + 3];
		size_t nn;
		if (out->n >= MODEL_MAX_OPS) {
			logf_(log, ud, "model reply: operations past the first %d dropped", MODEL_MAX_OPS);
			break;
		}
		if (one_op(&o, &j, e)) {
			logf_(log, ud, "model reply: operation %d dropped: %s", k + 1, kr_errmsg());
			op_dispose(&o);
			continue;
		}
		nn = op_names(&o, names, ARRAY_LEN(names));
		const char *why = NULL, *who = NULL;
		for (size_t i = 0; i < nn && !why; i++) {
			if (exists && !exists(eud, names[i]))
				why = "names a memory that does not exist", who = names[i];
			else if (in_list(retired, nret, names[i]))
				why = "names a memory an earlier operation retires", who = names[i];
		}
		if (!why && o.kind != MODEL_OP_KEEP) {
			const char *const *gone = o.kind == MODEL_OP_MERGE ? (const char *const *)o.names
									  : (const char *const *)&o.loser;
			size_t ngone = o.kind == MODEL_OP_MERGE ? o.nnames : 1;
			for (size_t i = 0; i < ngone && !why; i++)
				if (in_list(survivors, nsurv, gone[i]))
					why = "retires a memory an earlier operation keeps", who = gone[i];
		}
		if (why) {
			logf_(log, ud, "model reply: operation %d dropped: %s (\"%s\")", k + 1, why, who);
			op_dispose(&o);
			continue;
		}
		if (o.kind == MODEL_OP_MERGE) {
			for (size_t i = 0; i < o.nnames; i++)
				retired[nret++] = o.names[i];
			survivors[nsurv++] = o.into;
		} else if (o.kind == MODEL_OP_SUPERSEDE) {
			retired[nret++] = o.loser;
			survivors[nsurv++] = o.winner;
		}
		out->v[out->n++] = o;
	}
	free(retired);
	free(survivors);
	json_dispose(&j);
	return 0;
bad:
	logf_(log, ud, "model reply (dream) ignored: %s", kr_errmsg());
	free(retired);
	free(survivors);
	json_dispose(&j);
	model_reply_ops_dispose(out);
	return KR_EINVAL;
}

void model_reply_proposal_dispose(struct model_proposal *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->description);
	free(p->type);
	memset(p, 0, sizeof(*p));
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int model_reply_remember(struct model_proposal *out, const char *text, size_t len,
			 model_log_fn log, void *ud)
{
	static const char *const keys[] = {"name", "description", "type", NULL};
	static const char *const types[] = {"user", "feedback", "project", "reference"};
	struct json j = {0};
	int rc;
	bool type_ok = false;

	memset(out, 0, sizeof(*out));
	if ((rc = parse(&j, text, len)) || (rc = keys_only(&j, 0, keys)) ||
	    (rc = name_field(&out->name, &j, json_get(&j, 0, "name"), "name")) ||
	    (rc = str_field(&out->description, &j, json_get(&j, 0, "description"), "description",
			    150 * 4, false)) ||
	    (rc = str_field(&out->type, &j, json_get(&j, 0, "type"), "type", 16, false)))
		goto bad;
	if (strchr(out->description, '\n') || strchr(out->description, '\r') ||
	    utf8_chars(out->description) > 150) {
		rc = kr_errc(KR_EINVAL, "description must be one line of at most 150 characters");
		goto bad;
	}
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		if (!strcmp(out->type, types[i]))
			type_ok = true;
	if (!type_ok) {
		rc = kr_errc(KR_EINVAL, "type \"%.20s\" is not user, feedback, project or reference",
			     out->type);
		goto bad;
	}
	json_dispose(&j);
	return 0;
bad:
	logf_(log, ud, "model reply (remember) ignored: %s", kr_errmsg());
	json_dispose(&j);
	model_reply_proposal_dispose(out);
	return KR_EINVAL;
}

int model_reply_improve(char **out, const char *text, size_t len, model_log_fn log, void *ud)
{
	static const char *const keys[] = {"replacement", NULL};
	struct json j = {0};
	int rc;

	*out = NULL;
	if ((rc = parse(&j, text, len)) || (rc = keys_only(&j, 0, keys)) ||
	    (rc = str_field(out, &j, json_get(&j, 0, "replacement"), "replacement",
			    MODEL_MAX_REPLACEMENT, true)))
		goto bad;
	json_dispose(&j);
	return 0;
bad:
	logf_(log, ud, "model reply (improve) ignored: %s", kr_errmsg());
	json_dispose(&j);
	free(*out);
	*out = NULL;
	return KR_EINVAL;
}
