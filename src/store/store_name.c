/* store_name: names for new memories, made from what a person typed or
 * from a memory's text: valid, unique in their store (active or
 * archived), never a path, never a credential. */
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/redact.h"
#include "kairos/store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void slugify(const char *text, struct buf *b)
{
	bool dash = false;

	for (const unsigned char *p = (const unsigned char *)text; *p && b->len < 200; p++) {
		unsigned char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '_' && b->len)) {
			if (dash && b->len)
				buf_putc(b, '-');
			dash = false;
			buf_putc(b, (char)c);
		} else if (c == '\'' || (c >= 0x80 && (c & 0xc0) == 0x80)) {
			/* apostrophes and continuation bytes join words */
		} else {
			dash = true;
		}
	}
	/* at most 48 characters, cut between words when one ends late enough */
	if (b->len > 48) {
		size_t cut = 48;
		while (cut > 16 && b->data[cut] != '-')
			cut--;
		buf_truncate(b, cut > 16 ? cut : 48);
		while (b->len && (b->data[b->len - 1] == '-' || b->data[b->len - 1] == '_'))
			buf_truncate(b, b->len - 1);
	}
	if (!b->len)
		buf_puts(b, "memory");
}

static bool name_taken(const struct store *st, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.md", st->dir, name);
	if (fsx_exists(path))
		return true;
	snprintf(path, sizeof(path), "%s/archive/%s.md", st->dir, name);
	return fsx_exists(path);
}

int store_name_from_text(const struct store *st, const char *text, char **out)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	char cand[80];
	int rc;

	slugify(text ? text : "", &b);
	if ((rc = buf_err(&b)))
		return rc;
	snprintf(cand, sizeof(cand), "%s", buf_cstr(&b));
	for (int i = 2; name_taken(st, cand); i++) {
		if (i > 100000) {
			rc = kr_err("no free name for '%s' in %s", buf_cstr(&b), st->dir);
			buf_dispose(&b);
			return rc;
		}
		snprintf(cand, sizeof(cand), "%s-%d", buf_cstr(&b), i);
	}
	buf_dispose(&b);
	*out = xstrdup(cand);
	return 0;
}

/* True when redact() finds a secret in s. */
static bool holds_secret(const char *s)
{
	size_t n = strlen(s);
	struct buf b = BUF_INIT_CAP(REDACT_CAP(n));
	int count = 0;
	bool found = redact(s, n, &b, &count) == 0 && count > 0;

	buf_dispose(&b);
	return found;
}

int store_name_unique(const struct store *st, const char *text, char **out)
{
	int rc;

	if (!text || !*text)
		return kr_errc(KR_EINVAL, "a memory name cannot be empty");
	/* a name becomes a file name, an index line and a commit message:
	 * none may hold a credential, and a name cannot be [REDACTED] */
	if (holds_secret(text))
		return kr_errc(KR_EINVAL, "the name given looks like a credential: refused (it "
					  "would be a file name, an index line and a commit; give "
					  "the memory another name)");
	if (strchr(text, '/') || strchr(text, '\\') || strstr(text, ".."))
		return kr_errc(KR_EINVAL, "'%s' is not a memory name: it holds a path (refused)",
			       text);
	if ((rc = store_name_from_text(st, text, out)))
		return rc;
	if (holds_secret(*out)) {
		free(*out);
		*out = NULL;
		return kr_errc(KR_EINVAL, "the name given looks like a credential once made a name: "
					  "refused (give the memory another name)");
	}
	return 0;
}
