/* mem_parse: reads one memory file (YAML front matter read with
 * libyaml, then a Markdown body) and validates it against
 * memory-format.md. A file is either valid, and then parse -> format ->
 * parse gives the same memory, or rejected with a message naming the line
 * and the problem. */
#include "kairos/mem.h"
#include "kairos/err.h"
#include "kairos/paths.h"
#include "kairos/text.h"
#include "kairos/time.h"

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define UTF8_BOM "\xEF\xBB\xBF"

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
	int kind, rc;

	if ((rc = get_str(c, n, field, out)))
		return rc;
	if (time_parse_kind(*out, ts, &kind) || (need_zulu && !(kind & TIME_ZULU)))
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
		mem_rule_free(r);
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

static int field_lookup(const char *key)
{
	for (int f = 0; f < F_COUNT; f++)
		if (!strcmp(field_names[f], key))
			return f;
	return -1;
}

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
		if (mem_source_parse(m->source) < 0)
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
			f = field_lookup((const char *)k->data.scalar.value);
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
	return n == STRLEN_LIT("---") && !memcmp(p, "---", n);
}

int mem_parse(struct mem **out, const char *text, size_t len)
{
	const char *end = text + len, *p = text, *next, *fm, *fm_end = NULL, *body = NULL;
	/* the unknown keys as written: at most twice the text ("{a,b}" keeps
	 * "a: \nb: ") */
	struct pctx c = {.extra = BUF_INIT_CAP(2 * len + 64)};
	yaml_parser_t parser;
	yaml_document_t doc;
	struct mem *m = NULL;
	yaml_node_t *root;
	int rc = KR_EINVAL, lineno = 1;
	bool crlf;
	size_t n;

	if (memchr(text, '\0', len))
		return kr_errc(KR_EINVAL, "the file holds NUL bytes (binary?)");
	if (!text_utf8_valid(text, len))
		return kr_errc(KR_EINVAL, "the file is not valid UTF-8");
	if (len >= STRLEN_LIT(UTF8_BOM) && !memcmp(p, UTF8_BOM, STRLEN_LIT(UTF8_BOM)))
		p += STRLEN_LIT(UTF8_BOM);
	n = line_at(p, end, &next);
	if (!is_delim(p, n))
		return kr_errc(KR_EINVAL, "line 1: no front matter (the file must start with a "
					  "line '---')");
	/* the first line's end is the file's (mem_eol) */
	crlf = n && p[n - 1] == '\r';
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
	m->crlf = crlf;
	if ((rc = parse_front(&c, m, root))) {
		kr_errc(KR_EINVAL, "%s", c.err);
		goto out;
	}
	if ((rc = buf_err(&c.extra)))
		goto out;
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

int mem_parse_read_file_buf(struct mem **out, const char *path, struct buf *scratch)
{
	return mem_parse_read_fileat(out, AT_FDCWD, path, path, scratch, 0);
}

int mem_parse_read_fileat(struct mem **out, int dirfd, const char *name, const char *path,
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

int mem_parse_read_file(struct mem **out, const char *path)
{
	struct buf b = BUF_INIT_CAP(2 * BUF_CAP_MEMFILE); /* see mem_parse_read_fileat */
	int rc = mem_parse_read_file_buf(out, path, &b);
	buf_dispose(&b);
	return rc;
}
