/* mem_write: a memory as its file's text (memory-format.md): front
 * matter in a fixed key order, every string plain when YAML reads it back
 * unchanged and double-quoted otherwise, then the body. */
#include "kairos/mem.h"
#include "kairos/err.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

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

int mem_write(const struct mem *m, struct buf *out)
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
	buf_puts(out, m->body ? m->body : "");
	/* no half memory stays behind: the caller gets the error and stops */
	if ((rc = buf_err(out)))
		buf_truncate(out, start);
	return rc;
}
