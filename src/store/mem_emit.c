/* mem_emit: a memory's known fields as YAML in kairos's plain style
 * (mem_emit.h): what mem_write writes and mem_parse_fast reads back. */
#include "mem_emit.h"
#include "kairos/err.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

bool mem_emit_plain_ok(const char *s)
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

/* "indent key: " and the anchor, if any */
static void put_key(struct buf *b, const char *indent, const char *key, const char *anchor)
{
	buf_printf(b, "%s%s:", indent, key);
	if (anchor)
		buf_printf(b, " &%s", anchor);
}

/* key: v, plain when that reads back as v; with quote, always quoted
 * (a pattern, literal or fix, whose white space and escapes matter) */
static void put_kv(struct buf *b, const char *eol, const char *indent, const char *key,
		   const char *v, bool quote, const char *anchor)
{
	if (!v)
		return;
	put_key(b, indent, key, anchor);
	buf_putc(b, ' ');
	if (!quote && mem_emit_plain_ok(v))
		buf_puts(b, v);
	else
		put_quoted(b, v);
	buf_puts(b, eol);
}

static void put_list(struct buf *b, const char *eol, const char *key, const struct strv *v,
		     const char *anchor)
{
	if (!v->n)
		return;
	put_key(b, "", key, anchor);
	buf_puts(b, " [");
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			buf_puts(b, ", ");
		put_quoted(b, v->v[i]);
	}
	buf_putc(b, ']');
	buf_puts(b, eol);
}

static void put_rule(struct buf *b, const char *eol, const struct mem_rule *r, const char *anchor)
{
	if (!r)
		return;
	put_key(b, "", "rule", anchor);
	buf_puts(b, eol);
	put_kv(b, eol, "  ", "pattern", r->pattern, true, NULL);
	put_kv(b, eol, "  ", "literal", r->literal, true, NULL);
	put_kv(b, eol, "  ", "message", r->message, false, NULL);
	put_kv(b, eol, "  ", "severity", mem_severity_name(r->severity), false, NULL);
	put_kv(b, eol, "  ", "fix", r->fix, true, NULL);
}

void mem_emit_field(struct buf *out, const struct mem *m, enum mem_field f, const char *eol,
		    const char *anchor)
{
	const char *key = mem_field_name(f), *v = NULL;

	switch (f) {
	case MEM_F_SCOPE: put_list(out, eol, key, &m->scope, anchor); return;
	case MEM_F_REFS: put_list(out, eol, key, &m->refs, anchor); return;
	case MEM_F_SUPERSEDES: put_list(out, eol, key, &m->supersedes, anchor); return;
	case MEM_F_RULE: put_rule(out, eol, m->rule, anchor); return;
	case MEM_F_NAME: v = m->name; break;
	case MEM_F_DESC: v = m->description; break;
	case MEM_F_TYPE: v = mem_type_name(m->type); break;
	case MEM_F_CREATED: v = m->created; break;
	case MEM_F_UPDATED: v = m->updated; break;
	case MEM_F_SOURCE: v = m->source; break;
	case MEM_F_EXPIRES: v = m->expires; break;
	case MEM_F_SUPERSEDED_BY: v = m->superseded_by; break;
	case MEM_F_ARCHIVED_REASON: v = m->archived_reason; break;
	case MEM_F_ARCHIVED_AT: v = m->archived_at; break;
	case MEM_F_COUNT: return;
	}
	put_kv(out, eol, "", key, v, false, anchor);
}

void mem_emit_fields(struct buf *out, const struct mem *m, const char *eol)
{
	for (int f = 0; f < MEM_F_COUNT; f++)
		mem_emit_field(out, m, (enum mem_field)f, eol, NULL);
}
