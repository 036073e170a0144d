/* redact: finds credential-looking text with hand-written matchers (no
 * regex engine on this path: it runs on every write) and replaces it
 * with [REDACTED]. A matcher looks at one position and, when it fires,
 * names the span to replace: the whole token, or only the value of a
 * `password=...` style assignment (the key stays readable). */
#include "kairos/redact.h"
#include "kairos/err.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MARK "[REDACTED]"

struct span {
	size_t s, e; /* bytes [s, e) are replaced */
};

static bool alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool wordc(unsigned char c)
{
	return alnum(c) || c == '_';
}

static bool upnum(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool b64url(unsigned char c)
{
	return alnum(c) || c == '_' || c == '-';
}

static bool starts(const char *s, size_t n, size_t i, const char *lit)
{
	size_t l = strlen(lit);
	return n - i >= l && !memcmp(s + i, lit, l);
}

static size_t run(const char *s, size_t n, size_t i, bool (*ok)(unsigned char))
{
	size_t j = i;
	while (j < n && ok((unsigned char)s[j]))
		j++;
	return j - i;
}

/* AKIA.../ASIA... followed by 16 upper-case letters or digits. */
static bool m_aws(const char *s, size_t n, size_t i, struct span *sp)
{
	static const char *pfx[] = {"AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA",
				    "ANVA", "ABIA", "ACCA"};
	for (size_t k = 0; k < ARRAY_LEN(pfx); k++) {
		size_t l = strlen(pfx[k]), r;
		if (!starts(s, n, i, pfx[k]))
			continue;
		r = run(s, n, i + l, upnum);
		if (r >= 16 && r <= 20 && (i + l + r == n || !alnum((unsigned char)s[i + l + r]))) {
			sp->s = i, sp->e = i + l + r;
			return true;
		}
	}
	return false;
}

static bool m_prefixed(const char *s, size_t n, size_t i, struct span *sp)
{
	static const struct {
		const char *pfx;
		size_t min;
		bool (*ok)(unsigned char);
	} t[] = {
		{"ghp_", 20, alnum},	 {"gho_", 20, alnum},	  {"ghs_", 20, alnum},
		{"ghu_", 20, alnum},	 {"ghr_", 20, alnum},	  {"github_pat_", 20, wordc},
		{"xoxb-", 10, b64url},	 {"xoxp-", 10, b64url},	  {"xoxa-", 10, b64url},
		{"xoxr-", 10, b64url},	 {"xoxs-", 10, b64url},	  {"xapp-", 10, b64url},
		{"AIza", 30, b64url},	 {"sk_live_", 10, alnum}, {"rk_live_", 10, alnum},
		{"sk_test_", 10, alnum}, {"rk_test_", 10, alnum}, {"glpat-", 20, b64url},
		{"npm_", 36, alnum},
	};
	for (size_t k = 0; k < ARRAY_LEN(t); k++) {
		size_t l = strlen(t[k].pfx), r;
		if (!starts(s, n, i, t[k].pfx))
			continue;
		r = run(s, n, i + l, t[k].ok);
		if (r >= t[k].min) {
			sp->s = i, sp->e = i + l + r;
			return true;
		}
	}
	return false;
}

/* OpenAI / Anthropic style: sk-, sk-ant-..., sk-proj-... A hyphenated
 * phrase ("sk-this-is-a-word") is not a key: the token needs a digit
 * and 16 characters, or one segment of 16 letters and digits. */
static bool m_sk(const char *s, size_t n, size_t i, struct span *sp)
{
	size_t v = i + STRLEN_LIT("sk-"), r, seg = 0, longest = 0, an = 0;
	bool digit = false;

	if (!starts(s, n, i, "sk-"))
		return false;
	r = run(s, n, v, b64url);
	for (size_t k = v; k < v + r; k++) {
		unsigned char c = (unsigned char)s[k];
		if (alnum(c)) {
			an++, seg++;
			digit |= c >= '0' && c <= '9';
			if (seg > longest)
				longest = seg;
		} else {
			seg = 0;
		}
	}
	if ((digit && an >= 16) || longest >= 16) {
		sp->s = i, sp->e = v + r;
		return true;
	}
	return false;
}

static bool m_jwt(const char *s, size_t n, size_t i, struct span *sp)
{
	size_t a, b, c;

	if (!starts(s, n, i, "eyJ"))
		return false;
	a = run(s, n, i, b64url);
	if (a < 10 || i + a >= n || s[i + a] != '.' || !starts(s, n, i + a + 1, "eyJ"))
		return false;
	b = run(s, n, i + a + 1, b64url);
	if (b < 10 || i + a + 1 + b >= n || s[i + a + 1 + b] != '.')
		return false;
	c = run(s, n, i + a + 2 + b, b64url);
	sp->s = i, sp->e = i + a + 2 + b + c;
	return true;
}

/* -----BEGIN ... PRIVATE KEY----- through the matching END line (or the
 * end of the text when the block is cut off: a partial key is a key). */
static bool m_pem(const char *s, size_t n, size_t i, struct span *sp)
{
	const char *hdr, *hdr_end, *body, *end, *close, *stop = s + n;
	size_t e;

	if (!starts(s, n, i, "-----BEGIN "))
		return false;
	hdr = s + i + STRLEN_LIT("-----BEGIN ");
	hdr_end = memmem(hdr, (size_t)(stop - hdr), "-----", STRLEN_LIT("-----"));
	if (!hdr_end || memchr(s + i, '\n', (size_t)(hdr_end - s - i)) ||
	    !memmem(s + i, (size_t)(hdr_end - s - i), "PRIVATE KEY", STRLEN_LIT("PRIVATE KEY")))
		return false;
	body = hdr_end + STRLEN_LIT("-----");
	end = memmem(body, (size_t)(stop - body), "-----END ", STRLEN_LIT("-----END "));
	if (!end) {
		e = n;
	} else {
		end += STRLEN_LIT("-----END ");
		close = memmem(end, (size_t)(stop - end), "-----", STRLEN_LIT("-----"));
		e = close ? (size_t)(close - s) + STRLEN_LIT("-----") : n;
	}
	sp->s = i, sp->e = e;
	return true;
}

/* scheme://user:password@host: only the password goes. */
static bool m_url(const char *s, size_t n, size_t i, struct span *sp)
{
	size_t j = i + STRLEN_LIT("://"), at = 0, colon = 0;

	if (!starts(s, n, i, "://") || i == 0 || !alnum((unsigned char)s[i - 1]))
		return false;
	for (; j < n && !strchr("/?# \t\r\n\"'<>`", s[j]); j++) {
		if (s[j] == '@')
			at = j;
	}
	if (!at)
		return false;
	for (size_t k = i + STRLEN_LIT("://"); k < at; k++)
		if (s[k] == ':') {
			colon = k;
			break;
		}
	if (!colon || colon + 1 == at)
		return false;
	if (at - colon - 1 == STRLEN_LIT(MARK) && !memcmp(s + colon + 1, MARK, STRLEN_LIT(MARK)))
		return false;
	sp->s = colon + 1, sp->e = at;
	return true;
}

static bool literal_value(const char *v, size_t l)
{
	static const char *words[] = {"null", "none", "nil", "true", "false", "undefined",
				      "empty", "changeme"};
	if (l == STRLEN_LIT(MARK) && !memcmp(v, MARK, l))
		return true;
	for (size_t k = 0; k < ARRAY_LEN(words); k++)
		if (strlen(words[k]) == l && !strncasecmp(v, words[k], l))
			return true;
	return false;
}

static bool keychar(unsigned char c)
{
	return wordc(c) || c == '-' || c == '.';
}

static bool secret_key(const char *k, size_t l)
{
	static const char *sfx[] = {"password", "passwd",     "secret",	     "secret_key",
				    "secretkey", "api_key",    "apikey",	     "api-key",
				    "token",	 "access_key", "accesskey",  "private_key",
				    "_pass",	 "-pass",      "client_secret"};
	if (l == STRLEN_LIT("pass") && !strncasecmp(k, "pass", l))
		return true;
	for (size_t i = 0; i < ARRAY_LEN(sfx); i++) {
		size_t sl = strlen(sfx[i]);
		if (l >= sl && !strncasecmp(k + l - sl, sfx[i], sl))
			return true;
	}
	return false;
}

/* An environment variable's name (UPPER_SNAKE_CASE, an underscore in
 * it): "secret: HOLIDAY_API_KEY, NEIS_API_KEY" lists names, not secrets.
 * It is a name when it ends in a secret word itself (GH_TOKEN), or when
 * it stands in a list (more follows after a comma). */
static bool variable_name(const char *v, size_t l, bool in_list)
{
	bool under = false;

	if (!l || v[0] < 'A' || v[0] > 'Z')
		return false;
	for (size_t i = 0; i < l; i++) {
		if (!upnum((unsigned char)v[i]) && v[i] != '_')
			return false;
		under |= v[i] == '_';
	}
	return under && (in_list || secret_key(v, l));
}

/* KEY = VALUE, KEY: VALUE, "KEY": "VALUE" where KEY ends in a secret
 * word (DB_PASSWORD, api_key, GITHUB_TOKEN...). With '=' the value is
 * the next token; with ':' it must be quoted or the only word left on
 * its line, so prose ("token: the lexer emits one per word") stays. */
static bool m_assign(const char *s, size_t n, size_t i, struct span *sp)
{
	size_t k = run(s, n, i, keychar), j, v0, v1;
	char sep;

	if (!k || !secret_key(s + i, k))
		return false;
	j = i + k;
	if (j + 1 < n && s[j] == '\\' && (s[j + 1] == '"' || s[j + 1] == '\''))
		j += 2;
	else if (j < n && (s[j] == '"' || s[j] == '\''))
		j++;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j >= n)
		return false;
	sep = s[j];
	if (sep == ':' && j + 1 < n && s[j + 1] == '=')
		j++, sep = '=';
	if (sep != '=' && sep != ':')
		return false;
	j++;
	if (j < n && (s[j] == '=' || (sep == ':' && s[j] == ':') || (sep == '=' && s[j] == '>')))
		return false;
	if (sep == ':' && j < n && s[j] != ' ' && s[j] != '\t' && s[j] != '"' && s[j] != '\'' &&
	    s[j] != '\\')
		return false;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j >= n)
		return false;
	if (s[j] == '"' || s[j] == '\'' || s[j] == '`' ||
	    (s[j] == '\\' && j + 1 < n && (s[j + 1] == '"' || s[j + 1] == '\''))) {
		bool esc = s[j] == '\\';
		char q = esc ? s[j + 1] : s[j];
		v0 = j + (esc ? 2 : 1);
		for (v1 = v0; v1 < n && s[v1] != '\n'; v1++) {
			if (esc && s[v1] == '\\' && v1 + 1 < n && s[v1 + 1] == q)
				break;
			if (!esc && s[v1] == q)
				break;
		}
	} else {
		v0 = j;
		for (v1 = v0; v1 < n && !isspace((unsigned char)s[v1]) &&
			      !strchr("\"'`\\,;&)}]<>(", s[v1]);
		     v1++)
			;
		if (v1 < n && s[v1] == '(')
			return false; /* a call: token = read_token() */
		if (v0 < n && strchr("$%{<[*", s[v0]))
			return false; /* a reference or a placeholder: ${TOKEN} */
		if (sep == ':') {
			size_t r = v1;
			while (r < n && (s[r] == ' ' || s[r] == '\t' || s[r] == '\r'))
				r++;
			if (r < n && s[r] != '\n' && s[r] != ',' && s[r] != '}')
				return false;
			if (variable_name(s + v0, v1 - v0, r < n && s[r] == ','))
				return false;
		} else if (variable_name(s + v0, v1 - v0, false)) {
			return false; /* API_KEY=OTHER_API_KEY: a reference */
		}
	}
	if (v1 == v0 || literal_value(s + v0, v1 - v0))
		return false;
	sp->s = v0, sp->e = v1;
	return true;
}

/* Authorization: Bearer <token> */
static bool m_bearer(const char *s, size_t n, size_t i, struct span *sp)
{
	size_t j, r = 0;

	if (!starts(s, n, i, "Bearer ") && !starts(s, n, i, "bearer "))
		return false;
	j = i + STRLEN_LIT("Bearer ");
	while (j + r < n && (alnum((unsigned char)s[j + r]) || strchr("._~+/=-", s[j + r])))
		r++;
	if (r < 16 || (r == STRLEN_LIT(MARK) && !memcmp(s + j, MARK, r)))
		return false;
	sp->s = j, sp->e = j + r;
	return true;
}

int redact(const char *s, size_t n, struct buf *out, int *count)
{
	static bool (*const at_word[])(const char *, size_t, size_t, struct span *) = {
		m_aws, m_prefixed, m_sk, m_jwt, m_bearer, m_assign,
	};
	size_t i = 0, copied = 0;
	int found = 0, rc = 0;

	while (i < n) {
		struct span sp;
		bool hit = false;
		unsigned char c = (unsigned char)s[i];

		if (c == '-')
			hit = m_pem(s, n, i, &sp);
		else if (c == ':')
			hit = m_url(s, n, i, &sp);
		else if (alnum(c) && (i == 0 || !wordc((unsigned char)s[i - 1])))
			for (size_t k = 0; !hit && k < ARRAY_LEN(at_word); k++)
				hit = at_word[k](s, n, i, &sp);
		if (!hit) {
			i++;
			continue;
		}
		if ((rc = buf_append(out, s + copied, sp.s - copied)) ||
		    (rc = buf_puts(out, MARK)))
			return rc;
		found++;
		copied = i = sp.e > i ? sp.e : i + 1;
	}
	if ((rc = buf_append(out, s + copied, n - copied)))
		return rc;
	if (!out->data && (rc = buf_reserve(out, 0)))
		return rc;
	if (count)
		*count = found;
	return 0;
}

char *redact_str(char *s, int *count)
{
	struct buf b;
	size_t n;
	int c = 0;

	if (!s) {
		if (count)
			*count = 0;
		return s;
	}
	n = strlen(s);
	buf_init(&b, REDACT_CAP(n));
	if (redact(s, n, &b, &c) || !c) {
		buf_dispose(&b);
		if (count)
			*count = 0;
		return s;
	}
	free(s);
	if (count)
		*count = c;
	return buf_detach(&b);
}
