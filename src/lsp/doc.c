/* doc: documents as line arrays with incremental edits. */
#include "doc.h"
#include "kairos/err.h"
#include "kairos/paths.h"

#include <stdlib.h>
#include <string.h>

static int line_set(struct doc_line *l, const char *s, size_t n)
{
	if (n > UINT32_MAX - 1)
		return kr_errc(KR_ENOMEM, "line too long");
	if (n + 1 > l->cap) {
		uint32_t cap = (uint32_t)(n + 1 < 16 ? 16 : n + 1 + n / 4);
		char *p = realloc(l->s, cap);
		if (!p)
			return kr_errc(KR_ENOMEM, "out of memory");
		l->s = p;
		l->cap = cap;
	}
	memcpy(l->s, s, n);
	l->s[n] = '\0';
	l->len = (uint32_t)n;
	return 0;
}

static void free_lines(struct doc_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].s);
}

/* Splits text into a fresh line array. */
static int split(const char *text, size_t len, struct doc_line **out, size_t *n)
{
	size_t count = 1, k = 0;
	struct doc_line *v;

	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			count++;
	v = calloc(count, sizeof(*v));
	if (!v)
		return kr_errc(KR_ENOMEM, "out of memory");
	for (size_t i = 0; k < count; k++) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) : len;
		size_t le = e;
		bool crlf = false;
		if (nl && le > i && text[le - 1] == '\r') {
			le--;
			crlf = true;
		}
		if (line_set(&v[k], text + i, le - i)) {
			free_lines(v, k);
			free(v);
			return KR_ENOMEM;
		}
		v[k].crlf = crlf;
		i = e + 1;
	}
	*out = v;
	*n = count;
	return 0;
}

static void touch(struct doc *d)
{
	d->generation++;
	d->dirty = true;
}

int doc_set_text(struct doc *d, const char *text, size_t len)
{
	struct doc_line *v;
	size_t n;
	int rc = split(text, len, &v, &n);
	if (rc)
		return rc;
	free_lines(d->lines, d->nlines);
	free(d->lines);
	d->lines = v;
	d->nlines = d->cap = n;
	d->bytes = len;
	touch(d);
	return 0;
}

int doc_init(struct doc *d, const char *uri, const char *text, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->uri = xstrdup(uri);
	d->path = paths_from_uri(uri);
	buf_init(&d->joined, DOC_MAX_BYTES + 1);
	return doc_set_text(d, text, len);
}

void doc_dispose(struct doc *d)
{
	free_lines(d->lines, d->nlines);
	free(d->lines);
	free(d->uri);
	free(d->path);
	free(d->language);
	buf_dispose(&d->joined);
	memset(d, 0, sizeof(*d));
	buf_init(&d->joined, DOC_MAX_BYTES + 1);
}

size_t doc_pos_to_byte(const struct doc *d, struct doc_pos p, enum text_enc enc, uint32_t *line_out)
{
	if (p.line >= d->nlines) {
		*line_out = (uint32_t)(d->nlines - 1);
		return d->lines[d->nlines - 1].len;
	}
	*line_out = p.line;
	return text_col_to_byte(d->lines[p.line].s, d->lines[p.line].len, p.col, enc);
}

uint32_t doc_byte_to_col(const struct doc *d, uint32_t line, size_t off, enum text_enc enc)
{
	if (line >= d->nlines)
		return 0;
	return text_byte_to_col(d->lines[line].s, d->lines[line].len, off, enc);
}

int doc_range_text(const struct doc *d, struct doc_pos a, struct doc_pos b, enum text_enc enc,
		   struct buf *out)
{
	uint32_t la, lb;
	size_t ba = doc_pos_to_byte(d, a, enc, &la), bb = doc_pos_to_byte(d, b, enc, &lb);
	int rc = 0;

	for (uint32_t l = la; l <= lb && !rc; l++) {
		size_t from = l == la ? ba : 0, to = l == lb ? bb : d->lines[l].len;
		if (to > from)
			rc = buf_append(out, d->lines[l].s + from, to - from);
		if (!rc && l < lb)
			rc = buf_putc(out, '\n');
	}
	return rc;
}

static int grow(struct doc *d, size_t need)
{
	if (need <= d->cap)
		return 0;
	size_t cap = d->cap ? d->cap : 8;
	while (cap < need)
		cap *= 2;
	struct doc_line *v = realloc(d->lines, cap * sizeof(*v));
	if (!v)
		return kr_errc(KR_ENOMEM, "out of memory");
	memset(v + d->cap, 0, (cap - d->cap) * sizeof(*v));
	d->lines = v;
	d->cap = cap;
	return 0;
}

int doc_edit(struct doc *d, struct doc_pos start, struct doc_pos end, const char *text,
	     size_t len, enum text_enc enc)
{
	uint32_t sl, el;
	size_t sb, eb;
	int rc;

	if (start.line > end.line || (start.line == end.line && start.col > end.col)) {
		struct doc_pos t = start;
		start = end;
		end = t;
	}
	sb = doc_pos_to_byte(d, start, enc, &sl);
	eb = doc_pos_to_byte(d, end, enc, &el);
	if (sl == el && eb < sb)
		eb = sb;

	/* fast path: no newline inserted, within one line */
	if (sl == el && !memchr(text, '\n', len)) {
		struct doc_line *l = &d->lines[sl];
		size_t nlen = l->len - (eb - sb) + len;
		if (nlen > UINT32_MAX - 1)
			return kr_errc(KR_ENOMEM, "line too long");
		if (nlen + 1 > l->cap) {
			uint32_t cap = (uint32_t)(nlen + 1 + nlen / 4);
			char *p = realloc(l->s, cap);
			if (!p)
				return kr_errc(KR_ENOMEM, "out of memory");
			l->s = p;
			l->cap = cap;
		}
		memmove(l->s + sb + len, l->s + eb, l->len - eb + 1);
		memcpy(l->s + sb, text, len);
		d->bytes = d->bytes - l->len + nlen;
		l->len = (uint32_t)nlen;
		touch(d);
		return 0;
	}

	/* general case: prefix of line sl + text + suffix of line el */
	struct buf joined = BUF_INIT_CAP(DOC_MAX_BYTES + 1);
	struct doc_line *nv;
	size_t nn, removed_bytes = 0;
	bool last_crlf = d->lines[el].crlf;

	buf_append(&joined, d->lines[sl].s, sb);
	buf_append(&joined, text, len);
	buf_append(&joined, d->lines[el].s + eb, d->lines[el].len - eb);
	rc = buf_err(&joined);
	if (!rc)
		rc = split(buf_cstr(&joined), joined.len, &nv, &nn);
	buf_dispose(&joined);
	if (rc)
		return rc;
	nv[nn - 1].crlf = last_crlf;
	for (uint32_t i = sl; i <= el; i++)
		removed_bytes += d->lines[i].len + (i < el ? 1 + d->lines[i].crlf : 0);
	size_t added_bytes = 0;
	for (size_t i = 0; i < nn; i++)
		added_bytes += nv[i].len + (i + 1 < nn ? 1 + nv[i].crlf : 0);
	size_t old = (size_t)(el - sl) + 1;
	if (nn > old && (rc = grow(d, d->nlines + nn - old))) {
		free_lines(nv, nn);
		free(nv);
		return rc;
	}
	free_lines(d->lines + sl, old);
	memmove(d->lines + sl + nn, d->lines + el + 1, (d->nlines - el - 1) * sizeof(*d->lines));
	memcpy(d->lines + sl, nv, nn * sizeof(*nv));
	free(nv);
	d->nlines = d->nlines - old + nn;
	d->bytes = d->bytes - removed_bytes + added_bytes;
	touch(d);
	return 0;
}

const char *doc_text(struct doc *d, size_t *len)
{
	if (d->joined_gen != d->generation || !d->joined.data) {
		buf_reset(&d->joined);
		if (buf_reserve(&d->joined, d->bytes + 1) == 0) {
			for (size_t i = 0; i < d->nlines; i++) {
				buf_append(&d->joined, d->lines[i].s, d->lines[i].len);
				if (i + 1 < d->nlines)
					buf_append(&d->joined, d->lines[i].crlf ? "\r\n" : "\n",
						   d->lines[i].crlf ? 2 : 1);
			}
		}
		d->joined_gen = d->generation;
	}
	*len = d->joined.len;
	return buf_cstr(&d->joined);
}

struct doc *doc_set_find(const struct doc_set *s, const char *uri)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i]->uri, uri))
			return s->v[i];
	return NULL;
}

void doc_set_put(struct doc_set *s, struct doc *d)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i]->uri, d->uri)) {
			doc_dispose(s->v[i]);
			free(s->v[i]);
			s->v[i] = d;
			return;
		}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = d;
}

void doc_set_remove(struct doc_set *s, const char *uri)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i]->uri, uri)) {
			doc_dispose(s->v[i]);
			free(s->v[i]);
			s->v[i] = s->v[--s->n];
			return;
		}
}

void doc_set_dispose(struct doc_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		doc_dispose(s->v[i]);
		free(s->v[i]);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}
