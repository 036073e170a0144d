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

static void put_kv(struct buf *b, const char *eol, const char *indent, const char *key,
		   const char *v)
{
	if (!v)
		return;
	buf_printf(b, "%s%s: ", indent, key);
	if (plain_ok(v))
		buf_puts(b, v);
	else
		put_quoted(b, v);
	buf_puts(b, eol);
}

/* key: "v" for the strings a pattern, literal or fix holds: always
 * quoted, so that white space and escapes survive */
static void put_kq(struct buf *b, const char *eol, const char *key, const char *v)
{
	if (!v)
		return;
	buf_printf(b, "  %s: ", key);
	put_quoted(b, v);
	buf_puts(b, eol);
}

static void put_list(struct buf *b, const char *eol, const char *key, const struct strv *v)
{
	if (!v->n)
		return;
	buf_printf(b, "%s: [", key);
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			buf_puts(b, ", ");
		put_quoted(b, v->v[i]);
	}
	buf_putc(b, ']');
	buf_puts(b, eol);
}

int mem_write(const struct mem *m, struct buf *out)
{
	size_t start = out->len;
	int rc;

	const char *eol = mem_eol(m);

	if (!m->name || !m->description)
		return kr_errc(KR_EINVAL, "a memory needs a name and a description");
	buf_puts(out, "---");
	buf_puts(out, eol);
	put_kv(out, eol, "", "name", m->name);
	put_kv(out, eol, "", "description", m->description);
	put_kv(out, eol, "", "type", mem_type_name(m->type));
	put_kv(out, eol, "", "created", m->created);
	put_kv(out, eol, "", "updated", m->updated);
	put_kv(out, eol, "", "source", m->source);
	put_list(out, eol, "scope", &m->scope);
	put_list(out, eol, "refs", &m->refs);
	put_list(out, eol, "supersedes", &m->supersedes);
	if (m->rule) {
		const struct mem_rule *r = m->rule;
		buf_puts(out, "rule:");
		buf_puts(out, eol);
		put_kq(out, eol, "pattern", r->pattern);
		put_kq(out, eol, "literal", r->literal);
		put_kv(out, eol, "  ", "message", r->message);
		put_kv(out, eol, "  ", "severity", mem_severity_name(r->severity));
		put_kq(out, eol, "fix", r->fix);
	}
	put_kv(out, eol, "", "expires", m->expires);
	put_kv(out, eol, "", "superseded_by", m->superseded_by);
	put_kv(out, eol, "", "archived_reason", m->archived_reason);
	put_kv(out, eol, "", "archived_at", m->archived_at);
	if (m->extra && *m->extra) {
		buf_puts(out, m->extra);
		buf_puts(out, eol);
	}
	buf_puts(out, "---");
	buf_puts(out, eol);
	buf_puts(out, m->body ? m->body : "");
	/* no half memory stays behind: the caller gets the error and stops */
	if ((rc = buf_err(out)))
		buf_truncate(out, start);
	return rc;
}
