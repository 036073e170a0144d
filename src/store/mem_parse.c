/* mem_parse: reads one memory file (YAML front matter, then a Markdown
 * body) and validates it against memory-format.md. The plain style
 * kairos writes is read line by line (mem_parse_fast); any other front
 * matter by libyaml, and then kept as it is written (m->front) so that a
 * rewrite loses nothing of it. A file is either valid, and then parse ->
 * format -> parse gives the same memory, or rejected with a message
 * naming the line and the problem. */
#include "kairos/mem.h"
#include "kairos/err.h"
#include "kairos/text.h"
#include "mem_check.h"
#include "mem_parse.h"
#include "mem_parse_fast.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define UTF8_BOM "\xEF\xBB\xBF"

/* ---- libyaml's tree ---- */

/* Where the lines of a front matter start, as libyaml counts lines
 * (LF, CRLF, a lone CR, NEL, LS and PS each end one). */
struct lines {
	size_t *start; /* start[i]: byte offset of line i; start[n] == the text's length */
	size_t n;
};

static void lines_init(struct lines *l, const char *s, size_t len)
{
	size_t cap = 16;

	l->start = xmalloc(cap * sizeof(*l->start));
	l->start[0] = 0;
	l->n = 0;
	for (size_t i = 0; i < len;) {
		size_t w = 0;
		if (s[i] == '\n')
			w = 1;
		else if (s[i] == '\r')
			w = i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
		else if (len - i >= 2 && !memcmp(s + i, "\xc2\x85", 2))
			w = 2;
		else if (len - i >= 3 && (!memcmp(s + i, "\xe2\x80\xa8", 3) ||
					  !memcmp(s + i, "\xe2\x80\xa9", 3)))
			w = 3;
		if (!w) {
			i++;
			continue;
		}
		i += w;
		if (l->n + 2 > cap) {
			cap *= 2;
			l->start = xrealloc(l->start, cap * sizeof(*l->start));
		}
		l->start[++l->n] = i;
	}
	if (!l->n || l->start[l->n] != len) {
		if (l->n + 2 > cap)
			l->start = xrealloc(l->start, (cap + 2) * sizeof(*l->start));
		l->start[++l->n] = len;
	}
}

/* The byte where line i starts (the text's end past the last line). */
static size_t line_start(const struct lines *l, size_t i)
{
	return i < l->n ? l->start[i] : l->start[l->n];
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

/* n as a value for mem_check; a sequence's strings go to list. */
static void to_value(yaml_document_t *doc, const yaml_node_t *n, struct mem_value *v,
		     struct strv *list)
{
	memset(v, 0, sizeof(*v));
	v->line = node_line(n);
	v->kind = MEM_V_OTHER;
	if (n->type == YAML_SCALAR_NODE) {
		v->kind = MEM_V_STR;
		v->s = (const char *)n->data.scalar.value;
		v->n = n->data.scalar.length;
		v->null = is_null(n);
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *e = yaml_document_get_node(doc, *it);
		if (!e || e->type != YAML_SCALAR_NODE) {
			if (e)
				v->line = node_line(e);
			return;
		}
		strv_push(list, (const char *)e->data.scalar.value);
	}
	v->kind = MEM_V_LIST;
	v->list = list;
}

static int tree_rule(struct mem_check *c, yaml_document_t *doc, const yaml_node_t *n)
{
	struct mem_rule *r = NULL;
	struct strv list = {0};
	int rc;

	if ((rc = mem_check_rule_begin(c, &r, n->type == YAML_MAPPING_NODE, node_line(n))))
		return rc;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(doc, pr->value);
		struct mem_value val;

		if (!k || !v || k->type != YAML_SCALAR_NODE) {
			mem_rule_free(r);
			rc = mem_check_fail(c, node_line(n), "'rule' keys must be strings");
			goto out;
		}
		strv_dispose(&list);
		to_value(doc, v, &val, &list);
		if ((rc = mem_check_rule_key(c, r, (const char *)k->data.scalar.value,
					     k->data.scalar.length, node_line(k), &val)))
			goto out; /* r freed */
	}
	rc = mem_check_rule_end(c, r, node_line(n));
out:
	strv_dispose(&list);
	return rc;
}

/* The fields of the tree's root mapping into c; with entries, one entry
 * per key, found by the lines of text (fm) that libyaml read. */
static int tree_front(struct mem_check *c, yaml_document_t *doc, yaml_node_t *root,
		      const char *fm, size_t len, struct mem_entry **entries, size_t *nentries)
{
	struct strv list = {0};
	struct lines lines = {0};
	size_t count = 0;
	int rc = 0;

	if (root->type != YAML_MAPPING_NODE)
		return mem_check_fail(c, node_line(root), "the front matter must be a YAML mapping");
	if (entries) {
		lines_init(&lines, fm, len);
		count = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
		*entries = xcalloc(count + 1, sizeof(**entries));
		*nentries = count;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top && !rc; pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(doc, pr->value);
		struct mem_value val;
		int f = -1;

		if (!k || !v) {
			rc = mem_check_fail(c, node_line(root), "malformed front matter");
			break;
		}
		if (k->type == YAML_SCALAR_NODE)
			f = mem_field_lookup((const char *)k->data.scalar.value, k->data.scalar.length);
		if (entries) {
			struct mem_entry *e = &(*entries)[pr - root->data.mapping.pairs.start];
			size_t vl = v->end_mark.line + (v->end_mark.column ? 1 : 0);
			e->start = line_start(&lines, k->start_mark.line);
			e->vend = line_start(&lines, vl);
			e->field = f;
		}
		if (f < 0)
			continue; /* kept as written, in m->front */
		if ((rc = mem_check_key(c, (enum mem_field)f, node_line(k))))
			break;
		if (f == MEM_F_RULE) {
			if (!is_null(v))
				rc = tree_rule(c, doc, v);
			continue;
		}
		strv_dispose(&list);
		to_value(doc, v, &val, &list);
		rc = mem_check_value(c, (enum mem_field)f, &val);
	}
	/* an entry ends where the next begins; the blank lines and comments
	 * between the value and the next key are its own */
	for (size_t i = 0; entries && i < count; i++) {
		struct mem_entry *e = &(*entries)[i];
		e->end = i + 1 < count ? (*entries)[i + 1].start : len;
		if (e->vend > e->end)
			e->vend = e->end;
		if (e->vend < e->start)
			e->vend = e->start;
	}
	strv_dispose(&list);
	free(lines.start);
	if (!rc)
		rc = mem_check_end(c, node_line(root));
	if (rc && entries) {
		free(*entries);
		*entries = NULL;
		*nentries = 0;
	}
	return rc;
}

/* libyaml marks count characters, not bytes. */
static size_t char_to_byte(const char *s, size_t len, size_t chars)
{
	size_t b = 0;
	while (chars && b < len) {
		b++;
		while (b < len && ((unsigned char)s[b] & 0xc0) == 0x80)
			b++;
		chars--;
	}
	return b;
}

/* A flow mapping's pairs as block lines ("key: value", a value's later
 * lines indented), so that its entries can be kept one by one; NULL when
 * that passes a memory's cap. */
static char *flow_as_block(yaml_document_t *doc, const yaml_node_t *root, const char *fm,
			   size_t len)
{
	struct buf b = BUF_INIT_CAP(2 * len + 64);

	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(doc, pr->value);
		size_t ks, ke, vs, ve;
		if (!k || !v)
			continue;
		ks = char_to_byte(fm, len, k->start_mark.index);
		ke = char_to_byte(fm, len, k->end_mark.index);
		vs = char_to_byte(fm, len, v->start_mark.index);
		ve = char_to_byte(fm, len, v->end_mark.index);
		buf_append(&b, fm + ks, ke > ks ? ke - ks : 0);
		buf_puts(&b, ": ");
		for (size_t i = vs; i < ve; i++) {
			buf_putc(&b, fm[i]);
			if (fm[i] == '\n')
				buf_puts(&b, "  ");
		}
		buf_putc(&b, '\n');
	}
	return buf_err(&b) ? NULL : buf_detach(&b);
}

/* Parses fm with libyaml into c (and entries, when not NULL). A flow
 * mapping's front matter is read as it is, and *text (when not NULL)
 * gets it as block lines for a rewrite to keep entry by entry (NULL
 * when that does not read back the same). */
static int yaml_front(struct mem_check *c, const char *fm, size_t len, struct mem_entry **entries,
		      size_t *n, char **text)
{
	yaml_parser_t parser;
	yaml_document_t doc, doc2;
	yaml_node_t *root;
	bool flow, more;
	int rc = KR_EINVAL;

	if (text)
		*text = NULL;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(c->err, sizeof(c->err), "out of memory");
		return KR_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)fm, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(c->err, sizeof(c->err), "line %d: front matter is not valid YAML: %s%s%s",
			 (int)parser.problem_mark.line + 2, parser.problem ? parser.problem : "parse error",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return KR_EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(c->err, sizeof(c->err), "line 2: the front matter is empty (it must be a YAML "
						 "mapping with name, description and type)");
		goto out;
	}
	if (!yaml_parser_load(&parser, &doc2)) {
		snprintf(c->err, sizeof(c->err), "front matter is not valid YAML: %s",
			 parser.problem ? parser.problem : "parse error");
		goto out;
	}
	more = yaml_document_get_root_node(&doc2) != NULL;
	yaml_document_delete(&doc2);
	if (more) {
		snprintf(c->err, sizeof(c->err), "the front matter holds more than one YAML document");
		goto out;
	}
	flow = root->type == YAML_MAPPING_NODE && root->data.mapping.style == YAML_FLOW_MAPPING_STYLE;
	if ((rc = tree_front(c, &doc, root, fm, len, flow ? NULL : entries, n)))
		goto out;
	if (flow && text) {
		char *block = flow_as_block(&doc, root, fm, len);
		struct mem *check = mem_new();
		struct mem_check c2 = {.m = check};
		if (block && !yaml_front(&c2, block, strlen(block), entries, n, NULL) &&
		    mem_equal(check, c->m))
			*text = block;
		else
			free(block);
		mem_free(check);
	}
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

/* ---- the file ---- */

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

int mem_parse_front(const char *fm, size_t len, struct mem **old, struct mem_entry **entries,
		    size_t *n, char **text)
{
	struct mem *m = mem_new();
	struct mem_check c = {.m = m};
	int rc;

	*text = NULL;
	rc = mem_parse_fast(&c, fm, len, entries, n);
	if (rc == MEM_FAST_OTHER) {
		mem_free(m);
		m = mem_new();
		c = (struct mem_check){.m = m};
		*entries = NULL;
		*n = 0;
		if (!(rc = yaml_front(&c, fm, len, entries, n, text)) && !*entries)
			rc = mem_check_fail(&c, 2, "the front matter cannot be rewritten field by field");
	}
	if (rc) {
		mem_free(m);
		free(*text);
		*text = NULL;
		return kr_errc(rc, "%s", c.err);
	}
	*old = m;
	return 0;
}

int mem_parse_flags(struct mem **out, const char *text, size_t len, unsigned flags)
{
	const char *end = text + len, *p = text, *next, *fm, *fm_end = NULL, *body = NULL;
	struct mem *m = NULL;
	struct mem_check c;
	char *block = NULL;
	int rc;
	bool crlf;
	size_t n, fl;

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
		n = line_at(p, end, &next);
		if (is_delim(p, n)) {
			fm_end = p;
			body = next;
			break;
		}
	}
	if (!fm_end)
		return kr_errc(KR_EINVAL, "line 1: the front matter is not closed by a line '---'");
	fl = (size_t)(fm_end - fm);
	m = mem_new();
	c = (struct mem_check){.m = m};
	rc = flags & MEM_PARSE_YAML ? MEM_FAST_OTHER : mem_parse_fast(&c, fm, fl, NULL, NULL);
	if (rc == MEM_FAST_OTHER) {
		/* not the plain style: libyaml reads it, and it is kept as written */
		mem_free(m);
		m = mem_new();
		c = (struct mem_check){.m = m};
		if (!(rc = yaml_front(&c, fm, fl, NULL, NULL, &block)))
			m->front = block ? block : xstrndup(fm, fl);
	}
	if (rc) {
		mem_free(m);
		return kr_errc(rc, "%s", c.err);
	}
	m->crlf = crlf;
	free(m->body);
	m->body = xstrndup(body, (size_t)(end - body));
	*out = m;
	return 0;
}

int mem_parse(struct mem **out, const char *text, size_t len)
{
	return mem_parse_flags(out, text, len, 0);
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
