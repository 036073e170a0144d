/* memory: parses, validates and writes one memory file (YAML front matter
 * read with libyaml, then a Markdown body), per memory-format.md. A file
 * is either valid, and then parse -> format -> parse gives the same
 * memory, or rejected with a message naming the line and the problem. */
#include "kairos/memory.h"
#include "kairos/err.h"
#include "kairos/paths.h"
#include "kairos/text.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

static const char *const type_names[] = {"user", "feedback", "project", "reference"};
static const char *const store_names[] = {"user", "personal", "team", "import"};
static const char *const sev_names[] = {NULL, "error", "warning", "information", "hint"};
static const char *const source_names[] = {"user", "observation", "git", "dream", "llm", "import"};

const char *mem_type_name(enum mem_type t)
{
	return (unsigned)t < MEM_TYPE_COUNT ? type_names[t] : "?";
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

int mem_type_parse(const char *s)
{
	return lookup(type_names, ARRAY_LEN(type_names), s);
}

const char *mem_store_name(enum mem_store s)
{
	return (unsigned)s < STORE_COUNT ? store_names[s] : "?";
}

int mem_store_parse(const char *s)
{
	return lookup(store_names, ARRAY_LEN(store_names), s);
}

const char *mem_severity_name(int sev)
{
	return sev >= SEV_ERROR && sev <= SEV_HINT ? sev_names[sev] : "information";
}

int mem_severity_parse(const char *s)
{
	return lookup(sev_names, ARRAY_LEN(sev_names), s);
}

bool mem_name_valid(const char *name)
{
	size_t n = 0;

	if (!name)
		return false;
	for (const char *p = name; *p; p++, n++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!ok && (n == 0 || (c != '-' && c != '_')))
			return false;
	}
	return n >= 1 && n <= 64;
}

/* ---- time ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

enum { TIME_DATE = 1, TIME_ZULU = 2 };

/* Parses an RFC 3339 date-time or a bare date; *flags says which and
 * whether it ended in Z. */
static int time_parse(const char *s, int64_t *out, int *flags)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, se = 0, off = 0;
	size_t n = s ? strlen(s) : 0;
	const char *p;

	*flags = 0;
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return KR_EINVAL;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return KR_EINVAL;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return KR_EINVAL;
	if (n == 10) {
		*flags = TIME_DATE;
		goto done;
	}
	if (n < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return KR_EINVAL;
	h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
	if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
		return KR_EINVAL;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return KR_EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		*flags = TIME_ZULU;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return KR_EINVAL;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
	} else {
		return KR_EINVAL;
	}
	if (se == 60)
		se = 59;
done:
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
	return 0;
}

int mem_time_parse(const char *s, int64_t *out)
{
	int flags;
	if (time_parse(s, out, &flags))
		return kr_errc(KR_EINVAL, "'%s' is not an RFC 3339 date or time", s ? s : "");
	return 0;
}

void mem_time_format(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* ---- strv, mem, lists ---- */

void strv_push(struct strv *v, const char *s)
{
	v->v = xrealloc(v->v, (v->n + 1) * sizeof(*v->v));
	v->v[v->n++] = xstrdup(s);
}

bool strv_has(const struct strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], s))
			return true;
	return false;
}

void strv_dispose(struct strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

static void strv_copy(struct strv *dst, const struct strv *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->n; i++)
		strv_push(dst, src->v[i]);
}

struct mem *mem_new(void)
{
	struct mem *m = xcalloc(1, sizeof(*m));
	m->body = xstrdup("");
	m->type = MEM_PROJECT;
	m->store = STORE_PERSONAL;
	return m;
}

static char *dupn(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void rule_free(struct mem_rule *r)
{
	if (!r)
		return;
	free(r->pattern);
	free(r->literal);
	free(r->message);
	free(r->fix);
	free(r);
}

struct mem *mem_dup(const struct mem *m)
{
	struct mem *d = xcalloc(1, sizeof(*d));

	*d = *m;
	d->name = dupn(m->name);
	d->description = dupn(m->description);
	d->created = dupn(m->created);
	d->updated = dupn(m->updated);
	d->source = dupn(m->source);
	strv_copy(&d->scope, &m->scope);
	strv_copy(&d->refs, &m->refs);
	strv_copy(&d->supersedes, &m->supersedes);
	if (m->rule) {
		d->rule = xcalloc(1, sizeof(*d->rule));
		d->rule->pattern = dupn(m->rule->pattern);
		d->rule->literal = dupn(m->rule->literal);
		d->rule->message = dupn(m->rule->message);
		d->rule->fix = dupn(m->rule->fix);
		d->rule->severity = m->rule->severity;
	}
	d->expires = dupn(m->expires);
	d->superseded_by = dupn(m->superseded_by);
	d->archived_reason = dupn(m->archived_reason);
	d->archived_at = dupn(m->archived_at);
	d->extra = dupn(m->extra);
	d->body = dupn(m->body ? m->body : "");
	d->path = dupn(m->path);
	return d;
}

void mem_free(struct mem *m)
{
	if (!m)
		return;
	free(m->name);
	free(m->description);
	free(m->created);
	free(m->updated);
	free(m->source);
	strv_dispose(&m->scope);
	strv_dispose(&m->refs);
	strv_dispose(&m->supersedes);
	rule_free(m->rule);
	free(m->expires);
	free(m->superseded_by);
	free(m->archived_reason);
	free(m->archived_at);
	free(m->extra);
	free(m->body);
	free(m->path);
	free(m);
}

static bool streq0(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool strv_eq(const struct strv *a, const struct strv *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

bool mem_equal(const struct mem *a, const struct mem *b)
{
	if (!streq0(a->name, b->name) || !streq0(a->description, b->description) ||
	    a->type != b->type || !streq0(a->created, b->created) ||
	    !streq0(a->updated, b->updated) || a->created_ts != b->created_ts ||
	    a->updated_ts != b->updated_ts || !streq0(a->source, b->source) ||
	    !strv_eq(&a->scope, &b->scope) || !strv_eq(&a->refs, &b->refs) ||
	    !strv_eq(&a->supersedes, &b->supersedes) || !streq0(a->expires, b->expires) ||
	    a->expires_ts != b->expires_ts || !streq0(a->superseded_by, b->superseded_by) ||
	    !streq0(a->archived_reason, b->archived_reason) ||
	    !streq0(a->archived_at, b->archived_at) || !streq0(a->extra, b->extra) ||
	    !streq0(a->body, b->body) || !a->rule != !b->rule)
		return false;
	if (a->rule)
		return streq0(a->rule->pattern, b->rule->pattern) &&
		       streq0(a->rule->literal, b->rule->literal) &&
		       streq0(a->rule->message, b->rule->message) &&
		       streq0(a->rule->fix, b->rule->fix) && a->rule->severity == b->rule->severity;
	return true;
}

void mem_list_push(struct mem_list *l, struct mem *m)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = m;
}

void mem_list_dispose(struct mem_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		mem_free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct mem *mem_list_find(const struct mem_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i]->name, name))
			return l->v[i];
	return NULL;
}

/* ---- parsing ---- */

struct pctx {
	yaml_document_t *doc;
	const char *fm;      /* front matter text */
	struct buf extra;
	char err[256];
	int line;            /* file line of the current field */
};

static int perr(struct pctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct pctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, sizeof(c->err), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return KR_EINVAL;
}

static int node_line(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 2; /* the opening "---" is line 1 */
}

static bool is_null(const yaml_node_t *n)
{
	const char *v;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

/* The string of a scalar (a copy), or an error naming the field. */
static int get_str(struct pctx *c, const yaml_node_t *n, const char *field, char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return perr(c, node_line(n), "'%s' must be a string", field);
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return perr(c, node_line(n), "'%s' holds a NUL character", field);
	*out = xstrndup((const char *)n->data.scalar.value, n->data.scalar.length);
	return 0;
}

static int get_time(struct pctx *c, const yaml_node_t *n, const char *field, bool need_zulu,
		    char **out, int64_t *ts)
{
	int flags, rc;

	if ((rc = get_str(c, n, field, out)))
		return rc;
	if (time_parse(*out, ts, &flags) || (need_zulu && !(flags & TIME_ZULU)))
		return perr(c, node_line(n), "'%s' must be an RFC 3339 %s, not '%s'", field,
			    need_zulu ? "UTC time ending in Z (2026-03-02T10:15:00Z)" : "date or time",
			    *out);
	return 0;
}

static int get_strv(struct pctx *c, const yaml_node_t *n, const char *field, struct strv *out,
		    bool paths, bool names)
{
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
		char *s = NULL;
		int rc = get_str(c, n, field, &s);
		if (rc)
			return rc;
		strv_push(out, s);
		free(s);
	} else if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(c->doc, *it);
			if (!e || e->type != YAML_SCALAR_NODE)
				return perr(c, e ? node_line(e) : node_line(n),
					    "'%s' must be a list of strings", field);
			strv_push(out, (const char *)e->data.scalar.value);
		}
	} else if (!is_null(n)) {
		return perr(c, node_line(n), "'%s' must be a list of strings", field);
	}
	for (size_t i = 0; i < out->n; i++) {
		if (paths && !paths_rel_safe(out->v[i]))
			return perr(c, node_line(n),
				    "'%s' entry '%s' must be a path relative to the workspace, "
				    "inside it", field, out->v[i]);
		if (names && !mem_name_valid(out->v[i]))
			return perr(c, node_line(n), "'%s' entry '%s' is not a valid memory name",
				    field, out->v[i]);
	}
	return 0;
}

static int parse_rule(struct pctx *c, const yaml_node_t *n, struct mem_rule **out)
{
	struct mem_rule *r = xcalloc(1, sizeof(*r));
	yaml_node_pair_t *pr;
	int rc = 0;

	r->severity = SEV_INFORMATION;
	if (n->type != YAML_MAPPING_NODE) {
		rc = perr(c, node_line(n), "'rule' must be a mapping (pattern or literal, message, "
					   "severity, fix)");
		goto out;
	}
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
		const char *key;
		char **slot = NULL;

		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			rc = perr(c, node_line(n), "'rule' keys must be strings");
			goto out;
		}
		key = (const char *)k->data.scalar.value;
		if (!strcmp(key, "pattern"))
			slot = &r->pattern;
		else if (!strcmp(key, "literal"))
			slot = &r->literal;
		else if (!strcmp(key, "message"))
			slot = &r->message;
		else if (!strcmp(key, "fix"))
			slot = &r->fix;
		else if (strcmp(key, "severity")) {
			rc = perr(c, node_line(k), "unknown key 'rule.%s' (pattern, literal, message, "
						   "severity, fix)", key);
			goto out;
		}
		if (is_null(v))
			continue;
		if (!slot) {
			char *s = NULL;
			if ((rc = get_str(c, v, "rule.severity", &s)))
				goto out;
			r->severity = mem_severity_parse(s);
			free(s);
			if (r->severity < 0) {
				rc = perr(c, node_line(v), "'rule.severity' must be error, warning, "
							   "information or hint");
				goto out;
			}
			continue;
		}
		if (*slot) {
			rc = perr(c, node_line(k), "duplicate key 'rule.%s'", key);
			goto out;
		}
		if ((rc = get_str(c, v, key, slot)))
			goto out;
	}
	if (!r->pattern == !r->literal) {
		rc = perr(c, node_line(n), "'rule' needs exactly one of 'pattern' and 'literal'");
		goto out;
	}
	if (r->literal && !*r->literal) {
		rc = perr(c, node_line(n), "'rule.literal' is empty");
		goto out;
	}
	if (r->pattern) {
		regex_t re;
		int e = regcomp(&re, r->pattern, REG_EXTENDED | REG_NOSUB);
		if (e) {
			char msg[128];
			regerror(e, &re, msg, sizeof(msg));
			rc = perr(c, node_line(n), "'rule.pattern' is not a POSIX extended regex: %s",
				  msg);
			goto out;
		}
		regfree(&re);
	}
out:
	if (rc)
		rule_free(r);
	else
		*out = r;
	return rc;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* libyaml marks count characters, not bytes. */
static size_t char_to_byte(const char *s, size_t chars)
{
	size_t b = 0;
	while (chars && s[b]) {
		b++;
		while (((unsigned char)s[b] & 0xc0) == 0x80)
			b++;
		chars--;
	}
	return b;
}

/* Unknown keys are kept as the YAML text they were written as: in a block
 * mapping, the key's text through the end of its value (nested lines keep
 * their indentation); in a flow mapping, "key: value". */
static void keep_extra(struct pctx *c, const yaml_node_t *root, const yaml_node_t *k,
		       const yaml_node_t *v)
{
	size_t s = char_to_byte(c->fm, k->start_mark.index);
	size_t e = char_to_byte(c->fm, v->end_mark.index);

	while (e > s && strchr(" \t\r\n", c->fm[e - 1]))
		e--;
	if (c->extra.len)
		buf_putc(&c->extra, '\n');
	if (root->data.mapping.style != YAML_FLOW_MAPPING_STYLE) {
		buf_append(&c->extra, c->fm + s, e - s);
		return;
	}
	size_t ke = char_to_byte(c->fm, k->end_mark.index);
	size_t vs = char_to_byte(c->fm, v->start_mark.index);
	buf_append(&c->extra, c->fm + s, ke - s);
	buf_puts(&c->extra, ": ");
	if (e > vs)
		buf_append(&c->extra, c->fm + vs, e - vs);
}

enum field {
	F_NAME, F_DESC, F_TYPE, F_CREATED, F_UPDATED, F_SOURCE, F_SCOPE, F_REFS, F_SUPERSEDES,
	F_RULE, F_EXPIRES, F_SUPERSEDED_BY, F_ARCHIVED_REASON, F_ARCHIVED_AT, F_COUNT
};

static const char *const field_names[F_COUNT] = {
	"name", "description", "type", "created", "updated", "source", "scope", "refs",
	"supersedes", "rule", "expires", "superseded_by", "archived_reason", "archived_at",
};

static int parse_field(struct pctx *c, struct mem *m, int f, const yaml_node_t *v)
{
	char *s = NULL;
	int rc = 0;

	switch (f) {
	case F_NAME:
		if ((rc = get_str(c, v, "name", &m->name)))
			return rc;
		if (!mem_name_valid(m->name))
			return perr(c, node_line(v), "'name' must match [a-z0-9][a-z0-9_-]{0,63}, "
						     "not '%s'", m->name);
		return 0;
	case F_DESC:
		if ((rc = get_str(c, v, "description", &m->description)))
			return rc;
		if (strpbrk(m->description, "\r\n"))
			return perr(c, node_line(v), "'description' must be one line");
		if (!*m->description)
			return perr(c, node_line(v), "'description' is empty");
		if (utf8_chars(m->description) > 150)
			return perr(c, node_line(v), "'description' is longer than 150 characters");
		return 0;
	case F_TYPE:
		if ((rc = get_str(c, v, "type", &s)))
			return rc;
		rc = mem_type_parse(s);
		free(s);
		if (rc < 0)
			return perr(c, node_line(v), "'type' must be user, feedback, project or "
						     "reference");
		m->type = (enum mem_type)rc;
		return 0;
	case F_CREATED:
		return get_time(c, v, "created", true, &m->created, &m->created_ts);
	case F_UPDATED:
		return get_time(c, v, "updated", true, &m->updated, &m->updated_ts);
	case F_SOURCE:
		if ((rc = get_str(c, v, "source", &m->source)))
			return rc;
		if (lookup(source_names, ARRAY_LEN(source_names), m->source) < 0)
			return perr(c, node_line(v), "'source' must be user, observation, git, "
						     "dream, llm or import, not '%s'", m->source);
		return 0;
	case F_SCOPE:
		return get_strv(c, v, "scope", &m->scope, true, false);
	case F_REFS:
		return get_strv(c, v, "refs", &m->refs, true, false);
	case F_SUPERSEDES:
		return get_strv(c, v, "supersedes", &m->supersedes, false, true);
	case F_RULE:
		return parse_rule(c, v, &m->rule);
	case F_EXPIRES:
		return get_time(c, v, "expires", false, &m->expires, &m->expires_ts);
	case F_SUPERSEDED_BY:
		if ((rc = get_str(c, v, "superseded_by", &m->superseded_by)))
			return rc;
		if (!mem_name_valid(m->superseded_by))
			return perr(c, node_line(v), "'superseded_by' is not a valid memory name");
		return 0;
	case F_ARCHIVED_REASON:
		if ((rc = get_str(c, v, "archived_reason", &m->archived_reason)))
			return rc;
		if (strpbrk(m->archived_reason, "\r\n"))
			return perr(c, node_line(v), "'archived_reason' must be one line");
		return 0;
	case F_ARCHIVED_AT: {
		int64_t ts;
		return get_time(c, v, "archived_at", true, &m->archived_at, &ts);
	}
	}
	return 0;
}

static int parse_front(struct pctx *c, struct mem *m, yaml_node_t *root)
{
	bool seen[F_COUNT] = {0};
	yaml_node_pair_t *pr;
	int rc;

	if (root->type != YAML_MAPPING_NODE)
		return perr(c, node_line(root), "the front matter must be a YAML mapping");
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, pr->value);
		int f = -1;

		if (!k || !v)
			return perr(c, node_line(root), "malformed front matter");
		if (k->type == YAML_SCALAR_NODE)
			f = lookup(field_names, F_COUNT, (const char *)k->data.scalar.value);
		if (f < 0) {
			keep_extra(c, root, k, v);
			continue;
		}
		if (seen[f])
			return perr(c, node_line(k), "duplicate key '%s'", field_names[f]);
		seen[f] = true;
		if (is_null(v) && f != F_NAME && f != F_DESC && f != F_TYPE)
			continue;
		if ((rc = parse_field(c, m, f, v)))
			return rc;
	}
	if (!m->name)
		return perr(c, node_line(root), "missing required field 'name'");
	if (!m->description)
		return perr(c, node_line(root), "missing required field 'description'");
	if (!seen[F_TYPE])
		return perr(c, node_line(root), "missing required field 'type'");
	return 0;
}

/* Length of the line at p (without its end) and where the next starts. */
static size_t line_at(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	*next = nl ? nl + 1 : end;
	return n;
}

static bool is_delim(const char *p, size_t n)
{
	while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 3 && !memcmp(p, "---", 3);
}

int mem_parse(struct mem **out, const char *text, size_t len)
{
	const char *end = text + len, *p = text, *next, *fm, *fm_end = NULL, *body = NULL;
	struct pctx c = {0};
	yaml_parser_t parser;
	yaml_document_t doc;
	struct mem *m = NULL;
	yaml_node_t *root;
	int rc = KR_EINVAL, lineno = 1;
	size_t n;

	if (memchr(text, '\0', len))
		return kr_errc(KR_EINVAL, "the file holds NUL bytes (binary?)");
	if (!text_utf8_valid(text, len))
		return kr_errc(KR_EINVAL, "the file is not valid UTF-8");
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	n = line_at(p, end, &next);
	if (!is_delim(p, n))
		return kr_errc(KR_EINVAL, "line 1: no front matter (the file must start with a "
					  "line '---')");
	fm = next;
	for (p = next; p < end; p = next) {
		lineno++;
		n = line_at(p, end, &next);
		if (is_delim(p, n)) {
			fm_end = p;
			body = next;
			break;
		}
	}
	if (!fm_end)
		return kr_errc(KR_EINVAL, "line 1: the front matter is not closed by a line '---'");
	if (!yaml_parser_initialize(&parser))
		return kr_errc(KR_ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)fm, (size_t)(fm_end - fm));
	if (!yaml_parser_load(&parser, &doc)) {
		rc = kr_errc(KR_EINVAL, "line %d: front matter is not valid YAML: %s%s%s",
			     (int)parser.problem_mark.line + 2,
			     parser.problem ? parser.problem : "parse error",
			     parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return rc;
	}
	c.doc = &doc;
	c.fm = fm;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		rc = kr_errc(KR_EINVAL, "line 2: the front matter is empty (it must be a YAML "
					"mapping with name, description and type)");
		goto out;
	}
	{
		yaml_document_t doc2;
		if (!yaml_parser_load(&parser, &doc2)) {
			rc = kr_errc(KR_EINVAL, "front matter is not valid YAML: %s",
				     parser.problem ? parser.problem : "parse error");
			goto out;
		}
		bool more = yaml_document_get_root_node(&doc2) != NULL;
		yaml_document_delete(&doc2);
		if (more) {
			rc = kr_errc(KR_EINVAL, "the front matter holds more than one YAML document");
			goto out;
		}
	}
	m = mem_new();
	if ((rc = parse_front(&c, m, root))) {
		kr_errc(KR_EINVAL, "%s", c.err);
		goto out;
	}
	m->extra = c.extra.len ? buf_detach(&c.extra) : NULL;
	free(m->body);
	m->body = xstrndup(body, (size_t)(end - body));
	*out = m;
	m = NULL;
	rc = 0;
out:
	mem_free(m);
	buf_dispose(&c.extra);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

int mem_read_file_buf(struct mem **out, const char *path, struct buf *scratch)
{
	return mem_read_fileat(out, AT_FDCWD, path, path, scratch, 0);
}

int mem_read_fileat(struct mem **out, int dirfd, const char *name, const char *path,
		    struct buf *scratch, unsigned flags)
{
	struct stat st;
	bool have_st = false;
	int fd, rc = 0;
	size_t got = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return kr_errc(KR_EINVAL, "a symbolic link (refused)");
		if (errno == ENOENT)
			return kr_errc(KR_ENOTFOUND, "no such file");
		return kr_err("cannot open: %s", strerror(errno));
	}
	/* a store load knows from readdir that the file is regular: it saves
	 * the fstat (a quarter of the syscalls of a 10,000-file load) */
	if (!(flags & MEM_READ_REGULAR)) {
		if (fstat(fd, &st) < 0) {
			rc = kr_err("cannot stat: %s", strerror(errno));
			goto out;
		}
		have_st = true;
		if (!S_ISREG(st.st_mode)) {
			rc = kr_errc(KR_EINVAL, "not a regular file");
			goto out;
		}
		if ((uint64_t)st.st_size > MEM_MAX_FILE) {
			rc = kr_errc(KR_EINVAL, "larger than %u bytes (refused)", MEM_MAX_FILE);
			goto out;
		}
	}
	buf_truncate(scratch, 0);
	if ((rc = buf_reserve(scratch, have_st ? (size_t)st.st_size + 1 : 16384)))
		goto out;
	for (;;) {
		size_t want = scratch->cap - got - 1;
		ssize_t r = read(fd, scratch->data + got, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = kr_err("cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got > MEM_MAX_FILE) {
			rc = kr_errc(KR_EINVAL, "larger than %u bytes (refused)", MEM_MAX_FILE);
			goto out;
		}
		/* a regular file's short read is its end */
		if ((size_t)r < want)
			break;
		scratch->len = got;
		if ((rc = buf_reserve(scratch, scratch->cap)))
			goto out;
	}
	scratch->len = got;
	scratch->data[got] = '\0';
	if ((rc = mem_parse(out, scratch->data, got)))
		goto out;
	(*out)->path = xstrdup(path);
	/* the file's time stands in for a missing created/updated */
	if (!have_st && (!(*out)->created_ts || !(*out)->updated_ts) && fstat(fd, &st) == 0)
		have_st = true;
	(*out)->mtime = have_st ? (int64_t)st.st_mtime : 0;
out:
	close(fd);
	return rc;
}

int mem_read_file(struct mem **out, const char *path)
{
	struct buf b = BUF_INIT;
	int rc = mem_read_file_buf(out, path, &b);
	buf_dispose(&b);
	return rc;
}

/* ---- formatting ---- */

static bool plain_ok(const char *s)
{
	size_t n = strlen(s);
	const unsigned char *u = (const unsigned char *)s;
	static const char *special[] = {"null", "~", "true", "false", "yes", "no", "on", "off",
					"y", "n"};
	bool numeric = true;

	if (!n || s[0] == ' ' || s[n - 1] == ' ' || s[n - 1] == ':' ||
	    strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) || strstr(s, ": ") || strstr(s, " #"))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return false;
		if (u[i] == 0xc2 && u[i + 1] == 0x85)
			return false; /* NEL */
		if (u[i] == 0xe2 && u[i + 1] == 0x80 && (u[i + 2] == 0xa8 || u[i + 2] == 0xa9))
			return false; /* LS, PS */
		if (u[i] == 0xef && u[i + 1] == 0xbb && u[i + 2] == 0xbf)
			return false; /* BOM */
		if (!strchr("0123456789.+-eE_:xXoO", s[i]))
			numeric = false;
	}
	if (numeric)
		return false;
	for (size_t i = 0; i < ARRAY_LEN(special); i++)
		if (!strcasecmp(s, special[i]))
			return false;
	return true;
}

static void put_quoted(struct buf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	buf_putc(b, '"');
	for (; *u; u++) {
		switch (*u) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\r': buf_puts(b, "\\r"); break;
		default:
			if (*u < 0x20 || *u == 0x7f) {
				buf_printf(b, "\\x%02x", *u);
			} else if (u[0] == 0xc2 && u[1] == 0x85) {
				buf_puts(b, "\\N");
				u++;
			} else if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)) {
				buf_puts(b, u[2] == 0xa8 ? "\\L" : "\\P");
				u += 2;
			} else if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
				buf_puts(b, "\\uFEFF");
				u += 2;
			} else {
				buf_putc(b, (char)*u);
			}
		}
	}
	buf_putc(b, '"');
}

static void put_kv(struct buf *b, const char *indent, const char *key, const char *v)
{
	if (!v)
		return;
	buf_printf(b, "%s%s: ", indent, key);
	if (plain_ok(v))
		buf_puts(b, v);
	else
		put_quoted(b, v);
	buf_putc(b, '\n');
}

static void put_list(struct buf *b, const char *key, const struct strv *v)
{
	if (!v->n)
		return;
	buf_printf(b, "%s: [", key);
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			buf_puts(b, ", ");
		put_quoted(b, v->v[i]);
	}
	buf_puts(b, "]\n");
}

int mem_format(const struct mem *m, struct buf *out)
{
	size_t start = out->len;
	int rc;

	if (!m->name || !m->description)
		return kr_errc(KR_EINVAL, "a memory needs a name and a description");
	buf_puts(out, "---\n");
	put_kv(out, "", "name", m->name);
	put_kv(out, "", "description", m->description);
	put_kv(out, "", "type", mem_type_name(m->type));
	put_kv(out, "", "created", m->created);
	put_kv(out, "", "updated", m->updated);
	put_kv(out, "", "source", m->source);
	put_list(out, "scope", &m->scope);
	put_list(out, "refs", &m->refs);
	put_list(out, "supersedes", &m->supersedes);
	if (m->rule) {
		const struct mem_rule *r = m->rule;
		buf_puts(out, "rule:\n");
		if (r->pattern) {
			buf_puts(out, "  pattern: ");
			put_quoted(out, r->pattern);
			buf_putc(out, '\n');
		}
		if (r->literal) {
			buf_puts(out, "  literal: ");
			put_quoted(out, r->literal);
			buf_putc(out, '\n');
		}
		put_kv(out, "  ", "message", r->message);
		put_kv(out, "  ", "severity", mem_severity_name(r->severity));
		if (r->fix) {
			buf_puts(out, "  fix: ");
			put_quoted(out, r->fix);
			buf_putc(out, '\n');
		}
	}
	put_kv(out, "", "expires", m->expires);
	put_kv(out, "", "superseded_by", m->superseded_by);
	put_kv(out, "", "archived_reason", m->archived_reason);
	put_kv(out, "", "archived_at", m->archived_at);
	if (m->extra && *m->extra) {
		buf_puts(out, m->extra);
		buf_putc(out, '\n');
	}
	buf_puts(out, "---\n");
	rc = buf_puts(out, m->body ? m->body : "");
	if (rc)
		buf_truncate(out, start);
	return rc;
}
