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

int dream_journal_drop(const char *dir, const struct strv *consumed)
{
	struct buf path = BUF_INIT, in = BUF_INIT, out = BUF_INIT;
	bool *used = xcalloc(consumed->n + 1, sizeof(*used));
	int rc;

	buf_printf(&path, "%s/journal.jsonl", dir);
	rc = fsx_read(buf_cstr(&path), SIZE_MAX, &in);
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
	rc = fsx_write_atomic(buf_cstr(&path), out.data, out.len);
out:
	free(used);
	buf_dispose(&in);
	buf_dispose(&out);
	buf_dispose(&path);
	return rc;
}
