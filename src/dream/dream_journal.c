/* dream_journal: the journal surgery of a dream's write step: the
 * journal lines a dream consumed leave journal.jsonl, and nothing else
 * does (protocol/dream.md "Consuming the journal"). */
#include "dream_snap.h"
#include "kairos/err.h"
#include "kairos/fsx.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most of journal.jsonl a dream reads, as journal.c does: the file
 * rolls at JOURNAL_MAX_BYTES, this only keeps a runaway one out. */
#define JOURNAL_READ_MAX ((size_t)1 << 30)

int dream_journal_drop(const char *dir, const struct strv *consumed)
{
	struct buf path = BUF_INIT_CAP(BUF_CAP_LINE), in = BUF_INIT_CAP(JOURNAL_READ_MAX + 1);
	/* the lines kept, each ending in a newline: one byte more at most */
	struct buf out = BUF_INIT_CAP(JOURNAL_READ_MAX + 1);
	bool *used = xcalloc(consumed->n + 1, sizeof(*used));
	int rc;

	buf_printf(&path, "%s/journal.jsonl", dir);
	if ((rc = buf_err(&path)))
		goto out;
	rc = fsx_read(path.data, JOURNAL_READ_MAX, &in);
	if (rc == KR_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	for (const char *p = buf_cstr(&in); *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		bool drop = false;
		for (size_t k = 0; k < consumed->n && !drop; k++)
			if (!used[k] && strlen(consumed->v[k]) == l && !memcmp(consumed->v[k], p, l))
				drop = used[k] = true;
		if (!drop) {
			buf_append(&out, p, l);
			buf_putc(&out, '\n');
		}
		p += l + (e ? 1 : 0);
	}
	if (!(rc = buf_err(&out)))
		rc = fsx_write_atomic(path.data, buf_cstr(&out), out.len);
out:
	free(used);
	buf_dispose(&in);
	buf_dispose(&out);
	buf_dispose(&path);
	return rc;
}
