/* store_prepare: a memory's text as it may enter a store (redacted,
 * its times filled, checked by libyaml), and the warning about a secret
 * typed by hand into the file it replaces. */
#include "store_prepare.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/history.h"
#include "kairos/redact.h"
#include "kairos/store.h"
#include "kairos/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void now_str(char out[32], int64_t *ts)
{
	*ts = (int64_t)time(NULL);
	time_format(*ts, out);
}

static void redact_field(char **s, int *total)
{
	int c = 0;
	*s = redact_str(*s, &c);
	*total += c;
}

static void redact_list(struct strv *v, int *total)
{
	for (size_t i = 0; i < v->n; i++)
		redact_field(&v->v[i], total);
}

/* Shortens s to at most max characters (UTF-8), on a character boundary. */
static void clip_chars(char *s, size_t max)
{
	size_t chars = 0;
	for (char *p = s; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && ++chars > max) {
			*p = '\0';
			return;
		}
	}
}


/* A file about to be rewritten that holds a secret was committed to
 * history as it was (hand edits are recorded first): the rewrite redacts
 * it, but the person must know that older history still holds it. */
void store_prepare_warn_secret(int dirfd, const char *dir, const char *name)
{
	struct buf old = BUF_INIT_CAP(MEM_MAX_FILE + 1), red = BUF_INIT_CAP(REDACT_CAP(MEM_MAX_FILE));
	int n = 0;
	if (fsx_readat(dirfd, dir, name, MEM_MAX_FILE, &old) == 0 &&
	    redact(old.data, old.len, &red, &n) == 0 && n > 0) {
		char *hist = history_repo_path(dir);
		store_warn("%s/%s held %d secret%s typed by hand: the file now says [REDACTED], but "
			   "older history (%s) still holds %s",
			   dir, name, n, n == 1 ? "" : "s", hist ? hist : "the store's history",
			   n == 1 ? "it" : "them");
		free(hist);
	}
	buf_dispose(&old);
	buf_dispose(&red);
}

/* Redacts, fills missing times, formats and checks m; the text to write
 * goes to out, whose cap is the most a memory file may hold. */
int store_prepare(const struct mem *in, struct buf *out)
{
	struct mem *m = mem_dup(in), *check = NULL;
	char ts[32], why[256];
	int n = 0, rc;

	if (!m->created) {
		if (m->mtime)
			time_format(m->mtime, ts);
		else
			now_str(ts, &m->created_ts);
		m->created = xstrdup(ts);
		time_parse(ts, &m->created_ts);
	}
	if (!m->updated) {
		m->updated = xstrdup(m->created);
		m->updated_ts = m->created_ts;
	}
	redact_field(&m->description, &n);
	redact_field(&m->body, &n);
	redact_field(&m->front, &n);
	redact_field(&m->archived_reason, &n);
	redact_list(&m->scope, &n);
	redact_list(&m->refs, &n);
	if (m->rule) {
		redact_field(&m->rule->pattern, &n);
		redact_field(&m->rule->message, &n);
		redact_field(&m->rule->fix, &n);
		redact_field(&m->rule->literal, &n);
	}
	clip_chars(m->description, 150);
	if ((rc = mem_write(m, out))) {
		/* the one way mem_write fails so: its text passes out's cap */
		if (rc == KR_ENOMEM)
			rc = kr_errc(KR_EINVAL, "memory '%s' is larger than %zu bytes", m->name,
				     out->max);
		goto out;
	}
	/* libyaml itself checks what is about to be written */
	if (mem_parse_flags(&check, out->data, out->len, MEM_PARSE_YAML)) {
		snprintf(why, sizeof(why), "%s", kr_errmsg());
		rc = kr_errc(KR_EINVAL, "memory '%s' would not be valid: %s", m->name, why);
		goto out;
	}
out:
	mem_free(check);
	mem_free(m);
	return rc;
}

