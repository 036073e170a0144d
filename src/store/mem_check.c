/* mem_check: the values of a front matter checked into a memory
 * (mem_check.h), one set of rules and messages whichever reader found
 * them. */
#include "mem_check.h"
#include "kairos/err.h"
#include "kairos/paths.h"
#include "kairos/time.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESCRIPTION_MAX_CHARS 150 /* memory-format.md */

int mem_check_fail(struct mem_check *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->err, sizeof(c->err), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return KR_EINVAL;
}

/* *out: a copy of the string v (which must be one), or an error naming
 * the field. */
static int get_str(struct mem_check *c, const struct mem_value *v, const char *field, char **out)
{
	if (v->kind != MEM_V_STR)
		return mem_check_fail(c, v->line, "'%s' must be a string", field);
	if (memchr(v->s, '\0', v->n))
		return mem_check_fail(c, v->line, "'%s' holds a NUL character", field);
	*out = xstrndup(v->s, v->n);
	return 0;
}

static int get_time(struct mem_check *c, const struct mem_value *v, const char *field,
		    bool need_zulu, char **out, int64_t *ts)
{
	int kind, rc;

	if ((rc = get_str(c, v, field, out)))
		return rc;
	if (time_parse_kind(*out, ts, &kind) || (need_zulu && !(kind & TIME_ZULU)))
		return mem_check_fail(c, v->line, "'%s' must be an RFC 3339 %s, not '%s'", field,
				      need_zulu ? "UTC time ending in Z (2026-03-02T10:15:00Z)"
						: "date or time",
				      *out);
	return 0;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int get_strv(struct mem_check *c, const struct mem_value *v, const char *field,
		    struct strv *out, bool paths, bool names)
{
	if (v->kind == MEM_V_STR) {
		char *s = NULL;
		int rc = get_str(c, v, field, &s);
		if (rc)
			return rc;
		strv_push(out, s);
		free(s);
	} else if (v->kind == MEM_V_LIST) {
		for (size_t i = 0; i < v->list->n; i++)
			strv_push(out, v->list->v[i]);
	} else {
		return mem_check_fail(c, v->line, "'%s' must be a list of strings", field);
	}
	for (size_t i = 0; i < out->n; i++) {
		if (paths && !paths_rel_safe(out->v[i]))
			return mem_check_fail(c, v->line,
					      "'%s' entry '%s' must be a path relative to the "
					      "workspace, inside it", field, out->v[i]);
		if (names && !mem_name_valid(out->v[i]))
			return mem_check_fail(c, v->line, "'%s' entry '%s' is not a valid memory name",
					      field, out->v[i]);
	}
	return 0;
}

int mem_check_key(struct mem_check *c, enum mem_field f, int key_line)
{
	if (c->seen[f])
		return mem_check_fail(c, key_line, "duplicate key '%s'", mem_field_name(f));
	c->seen[f] = true;
	return 0;
}

int mem_check_value(struct mem_check *c, enum mem_field f, const struct mem_value *v)
{
	struct mem *m = c->m;
	char *s = NULL;
	int rc = 0;

	/* an optional field set to null is absent; a required one is wrong */
	if (v->kind == MEM_V_STR && v->null && f != MEM_F_NAME && f != MEM_F_DESC &&
	    f != MEM_F_TYPE)
		return 0;
	switch (f) {
	case MEM_F_NAME:
		if ((rc = get_str(c, v, "name", &m->name)))
			return rc;
		if (!mem_name_valid(m->name))
			return mem_check_fail(c, v->line, "'name' must match "
						  "[a-z0-9][a-z0-9_-]{0,63}, not '%s'", m->name);
		return 0;
	case MEM_F_DESC:
		if ((rc = get_str(c, v, "description", &m->description)))
			return rc;
		if (strpbrk(m->description, "\r\n"))
			return mem_check_fail(c, v->line, "'description' must be one line");
		if (!*m->description)
			return mem_check_fail(c, v->line, "'description' is empty");
		if (utf8_chars(m->description) > DESCRIPTION_MAX_CHARS)
			return mem_check_fail(c, v->line, "'description' is longer than %d characters",
					      DESCRIPTION_MAX_CHARS);
		return 0;
	case MEM_F_TYPE:
		if ((rc = get_str(c, v, "type", &s)))
			return rc;
		rc = mem_type_parse(s);
		free(s);
		if (rc < 0)
			return mem_check_fail(c, v->line, "'type' must be user, feedback, project or "
						  "reference");
		m->type = (enum mem_type)rc;
		return 0;
	case MEM_F_CREATED:
		return get_time(c, v, "created", true, &m->created, &m->created_ts);
	case MEM_F_UPDATED:
		return get_time(c, v, "updated", true, &m->updated, &m->updated_ts);
	case MEM_F_SOURCE:
		if ((rc = get_str(c, v, "source", &m->source)))
			return rc;
		if (mem_source_parse(m->source) < 0)
			return mem_check_fail(c, v->line, "'source' must be user, observation, git, "
						  "dream, llm or import, not '%s'", m->source);
		return 0;
	case MEM_F_SCOPE:
		return get_strv(c, v, "scope", &m->scope, true, false);
	case MEM_F_REFS:
		return get_strv(c, v, "refs", &m->refs, true, false);
	case MEM_F_SUPERSEDES:
		return get_strv(c, v, "supersedes", &m->supersedes, false, true);
	case MEM_F_EXPIRES:
		return get_time(c, v, "expires", false, &m->expires, &m->expires_ts);
	case MEM_F_SUPERSEDED_BY:
		if ((rc = get_str(c, v, "superseded_by", &m->superseded_by)))
			return rc;
		if (!mem_name_valid(m->superseded_by))
			return mem_check_fail(c, v->line, "'superseded_by' is not a valid memory name");
		return 0;
	case MEM_F_ARCHIVED_REASON:
		if ((rc = get_str(c, v, "archived_reason", &m->archived_reason)))
			return rc;
		if (strpbrk(m->archived_reason, "\r\n"))
			return mem_check_fail(c, v->line, "'archived_reason' must be one line");
		return 0;
	case MEM_F_ARCHIVED_AT: {
		int64_t ts;
		return get_time(c, v, "archived_at", true, &m->archived_at, &ts);
	}
	case MEM_F_RULE:
	case MEM_F_COUNT:
		break;
	}
	return mem_check_fail(c, v->line, "'%s' is not a plain field", mem_field_name(f));
}

int mem_check_rule_begin(struct mem_check *c, struct mem_rule **r, bool mapping, int line)
{
	*r = NULL;
	if (!mapping)
		return mem_check_fail(c, line, "'rule' must be a mapping (pattern or literal, "
					       "message, severity, fix)");
	*r = xcalloc(1, sizeof(**r));
	(*r)->severity = SEV_INFORMATION;
	return 0;
}

static int rule_fail(struct mem_rule *r, int rc)
{
	mem_rule_free(r);
	return rc;
}

int mem_check_rule_key(struct mem_check *c, struct mem_rule *r, const char *key, size_t keyn,
		       int key_line, const struct mem_value *v)
{
	static const char *const keys[] = {"pattern", "literal", "message", "fix", "severity"};
	char **slots[] = {&r->pattern, &r->literal, &r->message, &r->fix, NULL};
	size_t k;
	char *s = NULL;
	int rc;

	for (k = 0; k < ARRAY_LEN(keys); k++)
		if (strlen(keys[k]) == keyn && !memcmp(keys[k], key, keyn))
			break;
	if (k == ARRAY_LEN(keys))
		return rule_fail(r, mem_check_fail(c, key_line, "unknown key 'rule.%.*s' (pattern, "
							"literal, message, severity, fix)",
						   (int)keyn, key));
	if (v->kind == MEM_V_STR && v->null)
		return 0;
	if (!slots[k]) {
		if ((rc = get_str(c, v, "rule.severity", &s)))
			return rule_fail(r, rc);
		r->severity = mem_severity_parse(s);
		free(s);
		if (r->severity < 0)
			return rule_fail(r, mem_check_fail(c, v->line, "'rule.severity' must be error, "
								"warning, information or hint"));
		return 0;
	}
	if (*slots[k])
		return rule_fail(r, mem_check_fail(c, key_line, "duplicate key 'rule.%s'", keys[k]));
	if ((rc = get_str(c, v, keys[k], slots[k])))
		return rule_fail(r, rc);
	return 0;
}

int mem_check_rule_end(struct mem_check *c, struct mem_rule *r, int line)
{
	if (!r->pattern == !r->literal)
		return rule_fail(r, mem_check_fail(c, line, "'rule' needs exactly one of 'pattern' "
							 "and 'literal'"));
	if (r->literal && !*r->literal)
		return rule_fail(r, mem_check_fail(c, line, "'rule.literal' is empty"));
	if (r->pattern) {
		regex_t re;
		int e = regcomp(&re, r->pattern, REG_EXTENDED | REG_NOSUB);
		if (e) {
			char msg[128];
			regerror(e, &re, msg, sizeof(msg));
			return rule_fail(r, mem_check_fail(c, line, "'rule.pattern' is not a POSIX "
								 "extended regex: %s", msg));
		}
		regfree(&re);
	}
	c->m->rule = r;
	return 0;
}

int mem_check_end(struct mem_check *c, int line)
{
	if (!c->m->name)
		return mem_check_fail(c, line, "missing required field 'name'");
	if (!c->m->description)
		return mem_check_fail(c, line, "missing required field 'description'");
	if (!c->seen[MEM_F_TYPE])
		return mem_check_fail(c, line, "missing required field 'type'");
	return 0;
}
