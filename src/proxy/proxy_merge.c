/* proxy_merge: the pure JSON merges of proxy mode (no I/O, no state):
 * initialize capabilities, code action lists, pull and push diagnostics,
 * and the masked shape of a compiler message. */
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/proxy.h"

#include <ctype.h>
#include <string.h>

/* Iterates over the members of an object: k is the key token. */
#define FOR_MEMBERS(j, obj, k, n)                                                 \
	for (int k = (obj) + 1, n = 0; json_type(j, obj) == JSON_OBJECT &&             \
				       n < (j)->tok[obj].size && k < (j)->ntok;       \
	     n++, k = json_skip(j, k + 1))

static void raw(struct jw *w, const struct json *j, int i)
{
	size_t n;
	const char *p = json_raw(j, i, &n);
	jw_raw(w, p, n);
}

static bool same_raw(const struct json *a, int ai, const struct json *b, int bi)
{
	size_t an, bn;
	const char *ap = json_raw(a, ai, &an), *bp = json_raw(b, bi, &bn);
	return an == bn && !memcmp(ap, bp, an);
}

/* Decodes member name k into name (capped at a line); a name that does
 * not fit fails the writer, so no merge is ever sent with a wrong key. */
static void member_name(struct jw *w, const struct json *j, int k, struct buf *name)
{
	json_str(j, k, name);
	if (buf_err(name)) {
		buf_fail(w->b, buf_err(name));
		w->err = KR_ENOMEM;
	}
}

static void key(struct jw *w, const struct json *j, int k)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	member_name(w, j, k, &b);
	jw_key(w, buf_cstr(&b));
	buf_dispose(&b);
}

static bool key_is(const struct json *j, int k, const char *name)
{
	return json_streq(j, k, name);
}

/* c is the child's value, m kairos's (either may be -1): objects are
 * united member by member, arrays element by element (the child's
 * first, kairos's not already there), an object beats true, anything
 * beats false, and otherwise the child wins. */
static void merge_value(struct jw *w, const struct json *cj, int c, const struct json *mj, int m)
{
	enum json_type ct = json_type(cj, c), mt = json_type(mj, m);

	if (ct == JSON_NONE) {
		raw(w, mj, m);
	} else if (mt == JSON_NONE) {
		raw(w, cj, c);
	} else if (ct == JSON_OBJECT && mt == JSON_OBJECT) {
		jw_obj(w);
		FOR_MEMBERS(cj, c, k, n)
		{
			struct buf name = BUF_INIT_CAP(BUF_CAP_LINE);
			member_name(w, cj, k, &name);
			key(w, cj, k);
			merge_value(w, cj, k + 1, mj, json_get(mj, m, buf_cstr(&name)));
			buf_dispose(&name);
		}
		FOR_MEMBERS(mj, m, k, n)
		{
			struct buf name = BUF_INIT_CAP(BUF_CAP_LINE);
			member_name(w, mj, k, &name);
			if (json_get(cj, c, buf_cstr(&name)) < 0) {
				key(w, mj, k);
				raw(w, mj, k + 1);
			}
			buf_dispose(&name);
		}
		jw_end(w);
	} else if (ct == JSON_ARRAY && mt == JSON_ARRAY) {
		jw_arr(w);
		for (int e = json_first(cj, c); e >= 0; e = json_next(cj, c, e))
			raw(w, cj, e);
		for (int e = json_first(mj, m); e >= 0; e = json_next(mj, m, e)) {
			bool dup = false;
			for (int f = json_first(cj, c); f >= 0 && !dup; f = json_next(cj, c, f))
				dup = same_raw(cj, f, mj, e);
			if (!dup)
				raw(w, mj, e);
		}
		jw_end(w);
	} else if (ct == JSON_TRUE && mt == JSON_OBJECT) {
		raw(w, mj, m);
	} else if (ct == JSON_FALSE || ct == JSON_NULL) {
		raw(w, mj, m);
	} else {
		raw(w, cj, c);
	}
}

static int finish(struct jw *w, struct json *a, struct json *b)
{
	json_dispose(a);
	json_dispose(b);
	if (buf_err(w->b) || w->err || w->depth)
		return kr_errc(KR_EINVAL, "could not merge the results");
	return 0;
}

static int parse_both(struct json *cj, const char *child, size_t cn, struct json *mj,
		      const char *mine, size_t mn)
{
	memset(cj, 0, sizeof(*cj));
	memset(mj, 0, sizeof(*mj));
	if (json_parse(cj, child ? child : "null", child ? cn : 4) ||
	    json_parse(mj, mine ? mine : "null", mine ? mn : 4)) {
		json_dispose(cj);
		json_dispose(mj);
		return kr_errc(KR_EINVAL, "a result to merge is not JSON");
	}
	return 0;
}

static enum text_enc child_encoding(const struct json *cj, int caps)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	int e = json_get(cj, caps, "positionEncoding");
	int r;

	if (e < 0)
		e = json_get(cj, 0, "offsetEncoding"); /* clangd's extension */
	if (json_str(cj, e, &b))
		r = TEXT_UTF16;
	else
		r = text_enc_parse(buf_cstr(&b));
	buf_dispose(&b);
	return r < 0 ? TEXT_UTF16 : (enum text_enc)r;
}

int proxy_merge_initialize(struct buf *out, const char *child, size_t cn, const char *mine,
			   size_t mn, enum text_enc *enc)
{
	struct json cj, mj;
	struct jw w;
	int ccaps, mcaps;

	if (parse_both(&cj, child, cn, &mj, mine, mn))
		return KR_EINVAL;
	ccaps = json_get(&cj, 0, "capabilities");
	mcaps = json_get(&mj, 0, "capabilities");
	*enc = child_encoding(&cj, ccaps);
	jw_init(&w, out);
	jw_obj(&w);
	/* the child's other top-level members (clangd's offsetEncoding) */
	FOR_MEMBERS(&cj, 0, k, n)
	{
		if (key_is(&cj, k, "capabilities") || key_is(&cj, k, "serverInfo"))
			continue;
		key(&w, &cj, k);
		raw(&w, &cj, k + 1);
	}
	jw_key(&w, "capabilities");
	jw_obj(&w);
	jw_kstr(&w, "positionEncoding", text_enc_name(*enc));
	jw_key(&w, "textDocumentSync");
	if (json_get(&cj, ccaps, "textDocumentSync") >= 0)
		raw(&w, &cj, json_get(&cj, ccaps, "textDocumentSync"));
	else
		raw(&w, &mj, json_get(&mj, mcaps, "textDocumentSync"));
	FOR_MEMBERS(&cj, ccaps, k, n)
	{
		int mv;
		if (key_is(&cj, k, "positionEncoding") || key_is(&cj, k, "textDocumentSync"))
			continue;
		{
			struct buf name = BUF_INIT_CAP(BUF_CAP_LINE);
			member_name(&w, &cj, k, &name);
			mv = json_get(&mj, mcaps, buf_cstr(&name));
			buf_dispose(&name);
		}
		key(&w, &cj, k);
		if (key_is(&cj, k, "codeActionProvider") && json_type(&cj, k + 1) == JSON_TRUE &&
		    json_type(&mj, mv) == JSON_OBJECT) {
			/* the child offers every kind: so does the union */
			jw_obj(&w);
			FOR_MEMBERS(&mj, mv, mk, mn2)
			{
				if (key_is(&mj, mk, "codeActionKinds"))
					continue;
				key(&w, &mj, mk);
				raw(&w, &mj, mk + 1);
			}
			jw_end(&w);
		} else {
			merge_value(&w, &cj, k + 1, &mj, mv);
		}
	}
	FOR_MEMBERS(&mj, mcaps, k, n)
	{
		struct buf name = BUF_INIT_CAP(BUF_CAP_LINE);
		member_name(&w, &mj, k, &name);
		if (json_get(&cj, ccaps, buf_cstr(&name)) < 0 && !key_is(&mj, k, "positionEncoding") &&
		    !key_is(&mj, k, "textDocumentSync")) {
			key(&w, &mj, k);
			raw(&w, &mj, k + 1);
		}
		buf_dispose(&name);
	}
	jw_end(&w);
	if (json_get(&mj, 0, "serverInfo") >= 0) {
		jw_key(&w, "serverInfo");
		raw(&w, &mj, json_get(&mj, 0, "serverInfo"));
	}
	jw_end(&w);
	return finish(&w, &cj, &mj);
}

/* One child code action, its data wrapped so that resolve comes back. */
static void child_action(struct jw *w, const struct json *j, int a)
{
	if (json_type(j, a) != JSON_OBJECT || json_get(j, a, "data") < 0) {
		raw(w, j, a);
		return;
	}
	jw_obj(w);
	FOR_MEMBERS(j, a, k, n)
	{
		key(w, j, k);
		if (key_is(j, k, "data")) {
			jw_obj(w);
			jw_kstr(w, "kairosProxy", "child");
			jw_key(w, "data");
			raw(w, j, k + 1);
			jw_end(w);
		} else {
			raw(w, j, k + 1);
		}
	}
	jw_end(w);
}

int proxy_merge_code_actions(struct buf *out, const char *child, size_t cn, const char *mine,
			     size_t mn)
{
	struct json cj, mj;
	struct jw w;

	if (parse_both(&cj, child, cn, &mj, mine, mn))
		return KR_EINVAL;
	jw_init(&w, out);
	if (json_type(&cj, 0) != JSON_ARRAY && json_type(&mj, 0) != JSON_ARRAY) {
		jw_null(&w);
		return finish(&w, &cj, &mj);
	}
	jw_arr(&w);
	for (int e = json_first(&cj, 0); e >= 0; e = json_next(&cj, 0, e))
		child_action(&w, &cj, e);
	for (int e = json_first(&mj, 0); e >= 0; e = json_next(&mj, 0, e))
		raw(&w, &mj, e);
	jw_end(&w);
	return finish(&w, &cj, &mj);
}

static void items(struct jw *w, const struct json *j, int arr)
{
	for (int e = json_first(j, arr); e >= 0; e = json_next(j, arr, e))
		raw(w, j, e);
}

int proxy_merge_pull(struct buf *out, const char *child, size_t cn, const char *mine, size_t mn)
{
	struct json cj, mj;
	struct jw w;
	int rel;

	if (parse_both(&cj, child, cn, &mj, mine, mn))
		return KR_EINVAL;
	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "kind", "full");
	jw_key(&w, "items");
	jw_arr(&w);
	items(&w, &cj, json_get(&cj, 0, "items"));
	items(&w, &mj, json_get(&mj, 0, "items"));
	jw_end(&w);
	rel = json_get(&cj, 0, "relatedDocuments");
	if (json_type(&cj, rel) == JSON_OBJECT) {
		jw_key(&w, "relatedDocuments");
		raw(&w, &cj, rel);
	}
	jw_end(&w);
	return finish(&w, &cj, &mj);
}

int proxy_merge_publish(struct buf *out, const char *uri_json, size_t un, const char *version,
			size_t vn, const char *child, size_t cn, const char *mine, size_t mn)
{
	struct json cj, mj;
	struct jw w;

	if (parse_both(&cj, child, cn, &mj, mine, mn))
		return KR_EINVAL;
	jw_init(&w, out);
	jw_obj(&w);
	jw_key(&w, "uri");
	jw_raw(&w, uri_json, un);
	if (version) {
		jw_key(&w, "version");
		jw_raw(&w, version, vn);
	}
	jw_key(&w, "diagnostics");
	jw_arr(&w);
	items(&w, &cj, 0);
	items(&w, &mj, 0);
	jw_end(&w);
	jw_end(&w);
	return finish(&w, &cj, &mj);
}

/* Length of a closing quote for opening quote q at s, or 0. */
static size_t quote_open(const char *s, size_t n, const char **close)
{
	if (s[0] == '\'') {
		*close = "'";
		return 1;
	}
	if (s[0] == '"') {
		*close = "\"";
		return 1;
	}
	if (n >= STRLEN_LIT("‘") && !memcmp(s, "‘", STRLEN_LIT("‘"))) { /* ‘ … ’ (gcc) */
		*close = "’";
		return STRLEN_LIT("‘");
	}
	if (n >= STRLEN_LIT("“") && !memcmp(s, "“", STRLEN_LIT("“"))) { /* “ … ” */
		*close = "”";
		return STRLEN_LIT("“");
	}
	return 0;
}

void proxy_merge_error_shape(struct buf *out, struct buf *names, int max_names, const char *msg,
		       size_t n)
{
	int nnames = 0;
	size_t i = 0;

	while (i < n) {
		const char *close;
		size_t ol = quote_open(msg + i, n - i, &close);
		if (ol) {
			size_t cl = strlen(close);
			const char *end = memmem(msg + i + ol, n - i - ol, close, cl);
			if (end && end - (msg + i + ol) < 200) {
				size_t inner = (size_t)(end - (msg + i + ol));
				buf_append(out, msg + i, ol);
				buf_putc(out, '_');
				buf_append(out, close, cl);
				if (names && nnames < max_names && inner) {
					if (names->len)
						buf_putc(names, ',');
					json_escape(names, msg + i + ol, inner);
					nnames++;
				}
				i = (size_t)(end - msg) + cl;
				continue;
			}
		}
		if (isdigit((unsigned char)msg[i]) &&
		    (i == 0 || !(isalnum((unsigned char)msg[i - 1]) || msg[i - 1] == '_'))) {
			size_t e = i;
			while (e < n && (isdigit((unsigned char)msg[e]) || msg[e] == '.'))
				e++;
			if (e == n || !(isalnum((unsigned char)msg[e]) || msg[e] == '_')) {
				buf_putc(out, '_');
				i = e;
				continue;
			}
		}
		buf_putc(out, msg[i]);
		i++;
	}
}
