/* mem_write: a memory as its file's text (memory-format.md). A memory
 * read from a file whose front matter was kept (m->front: keys kairos
 * does not know, comments, anchors...) is written back entry by entry:
 * every entry whose field did not change, and every key kairos does not
 * know, byte for byte; a changed field rewritten in place; a new one
 * added at the end. Any other memory gets the plain style of mem_emit. */
#include "kairos/mem.h"
#include "kairos/err.h"
#include "mem_emit.h"
#include "mem_parse.h"

#include <stdlib.h>
#include <string.h>

/* The anchor of an entry's value ("key: &a value", also after a tag),
 * copied to out; NULL when it has none. */
static const char *entry_anchor(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0, a;

	if (i < n && (s[i] == '"' || s[i] == '\'')) {
		char q = s[i++];
		while (i < n && s[i] != q && s[i] != '\n')
			i++;
		i++;
	}
	while (i < n && s[i] != '\n' && !(s[i] == ':' && (i + 1 == n || strchr(" \t\r\n", s[i + 1]))))
		i++;
	if (i >= n || s[i] != ':')
		return NULL;
	for (i++;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < n && s[i] == '!') { /* a tag first */
			while (i < n && !strchr(" \t\r\n", s[i]))
				i++;
			continue;
		}
		break;
	}
	if (i >= n || s[i] != '&')
		return NULL;
	for (a = ++i; i < n && !strchr(" \t\r\n,[]{}", s[i]); i++)
		;
	if (i == a || i - a >= cap)
		return NULL;
	memcpy(out, s + a, i - a);
	out[i - a] = '\0';
	return out;
}

/* The front matter kept in m->front, with m's fields where they differ
 * from what it says. */
static int write_kept(const struct mem *m, struct buf *out, const char *eol)
{
	struct mem *old = NULL;
	struct mem_entry *e = NULL;
	bool done[MEM_F_COUNT] = {0};
	char *text = NULL, anchor[256];
	const char *t;
	size_t n = 0;
	int rc;

	if ((rc = mem_parse_front(m->front, strlen(m->front), &old, &e, &n, &text)))
		return kr_errc(rc, "its front matter cannot be kept: %s", kr_errmsg());
	t = text ? text : m->front;
	if (n)
		buf_append(out, t, e[0].start); /* comments before the first key */
	for (size_t i = 0; i < n; i++) {
		int f = e[i].field;
		if (f < 0 || mem_field_equal(old, m, (enum mem_field)f)) {
			buf_append(out, t + e[i].start, e[i].end - e[i].start);
		} else {
			if (mem_field_present(m, (enum mem_field)f))
				mem_emit_field(out, m, (enum mem_field)f, eol,
					       entry_anchor(t + e[i].start, e[i].vend - e[i].start,
							    anchor, sizeof(anchor)));
			buf_append(out, t + e[i].vend, e[i].end - e[i].vend);
		}
		if (f >= 0)
			done[f] = true;
	}
	for (int f = 0; f < MEM_F_COUNT; f++)
		if (!done[f] && mem_field_present(m, (enum mem_field)f))
			mem_emit_field(out, m, (enum mem_field)f, eol, NULL);
	free(e);
	free(text);
	mem_free(old);
	return 0;
}

int mem_write(const struct mem *m, struct buf *out)
{
	size_t start = out->len;
	const char *eol = mem_eol(m);
	int rc;

	if (!m->name || !m->description)
		return kr_errc(KR_EINVAL, "a memory needs a name and a description");
	buf_puts(out, "---");
	buf_puts(out, eol);
	if (m->front) {
		if ((rc = write_kept(m, out, eol))) {
			buf_truncate(out, start);
			return rc;
		}
	} else {
		mem_emit_fields(out, m, eol);
	}
	buf_puts(out, "---");
	buf_puts(out, eol);
	buf_puts(out, m->body ? m->body : "");
	/* no half memory stays behind: the caller gets the error and stops */
	if ((rc = buf_err(out)))
		buf_truncate(out, start);
	return rc;
}
