/* store_index: MEMORY.md, the one-line-per-memory index of a store (and
 * the one-memory summary the listings share). The index is
 * never the only copy of anything: every line points at a memory file,
 * and when the cap bites the last line says how many were left out. */
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/json.h"
#include "kairos/paths.h"
#include "kairos/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	const struct mem *m;
	int64_t u, c; /* updated, else created, else the file's time */
};

/* Newest first: later updated, then later created, then name. */
static int by_newest(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	if (x->u != y->u)
		return x->u > y->u ? -1 : 1;
	if (x->c != y->c)
		return x->c > y->c ? -1 : 1;
	return strcmp(x->m->name, y->m->name);
}

/* The bytes of m's line, "- [" desc "](" name ".md) — " type "\n". */
static size_t line_len(const struct mem *m)
{
	return STRLEN_LIT("- [") + strlen(m->description) + STRLEN_LIT("](") + strlen(m->name) +
	       STRLEN_LIT(".md) — ") + strlen(mem_type_name(m->type)) + STRLEN_LIT("\n");
}

static int note(char *out, size_t cap, size_t left)
{
	return snprintf(out, cap,
			"- (%zu more memories not listed: the index is capped at %d lines and %d "
			"bytes; see the memory files or `kairos memory list`)\n",
			left, STORE_INDEX_MAX_LINES, STORE_INDEX_MAX_BYTES);
}

int store_index_text(const struct store *st, const struct mem_list *mems, struct buf *out)
{
	struct entry *v = xmalloc((mems->n + 1) * sizeof(*v));
	size_t n = 0, keep, bytes = 0;
	char nt[200];

	for (size_t i = 0; i < mems->n; i++) {
		const struct mem *m = mems->v[i];
		if (m->archived || (st && m->store != st->kind))
			continue;
		v[n].m = m;
		v[n].u = m->updated_ts ? m->updated_ts : m->mtime;
		v[n].c = m->created_ts ? m->created_ts : m->mtime;
		n++;
	}
	qsort(v, n, sizeof(*v), by_newest);
	/* The newest memories that fit together with the note that would
	 * follow them; the rest are counted in that note. */
	for (keep = 0; keep < n; keep++) {
		size_t left = n - keep - 1, need = bytes + line_len(v[keep].m);
		if (left)
			need += (size_t)note(nt, sizeof(nt), left);
		if (keep + 1 + (left ? 1 : 0) > STORE_INDEX_MAX_LINES || need > STORE_INDEX_MAX_BYTES)
			break;
		bytes += line_len(v[keep].m);
	}
	for (int t = 0; t < MEM_TYPE_COUNT; t++)
		for (size_t i = 0; i < keep; i++)
			if ((int)v[i].m->type == t)
				buf_printf(out, "- [%s](%s.md) — %s\n", v[i].m->description,
					   v[i].m->name, mem_type_name(v[i].m->type));
	if (keep < n) {
		note(nt, sizeof(nt), n - keep);
		buf_puts(out, nt);
	}
	free(v);
	return buf_err(out);
}

int store_index_write(const struct store *st, const struct mem_list *mems)
{
	/* the text is capped far below a listing; the old file is read up
	 * to that cap, and one larger is rewritten without a look */
	struct buf text = BUF_INIT_CAP(BUF_CAP_LISTING), old = BUF_INIT_CAP(BUF_CAP_LISTING + 1);
	char *path = NULL;
	int rc;
	size_t n = strlen(st->dir) + sizeof("/MEMORY.md");

	if ((rc = store_index_text(st, mems, &text)))
		goto out;
	path = xmalloc(n);
	snprintf(path, n, "%s/MEMORY.md", st->dir);
	if (!fsx_read(path, BUF_CAP_LISTING, &old) && old.len == text.len &&
	    !memcmp(buf_cstr(&old), buf_cstr(&text), text.len))
		goto out;
	rc = fsx_write_atomic(path, buf_cstr(&text), text.len);
out:
	free(path);
	buf_dispose(&text);
	buf_dispose(&old);
	return rc;
}

void store_index_mem_json(struct jw *w, const struct mem *m)
{
	char *uri = m->path ? paths_to_uri(m->path) : NULL;
	jw_kstr(w, "name", m->name);
	jw_kstr(w, "description", m->description);
	jw_kstr(w, "type", mem_type_name(m->type));
	jw_kstr(w, "store", mem_store_name(m->store));
	jw_kstr(w, "uri", uri);
	free(uri);
}
