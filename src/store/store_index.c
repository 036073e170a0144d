/* store_index: MEMORY.md, the one-line-per-memory index of a store (and
 * the one-memory summary the listings share). The index is never the
 * only copy of anything kairos wrote: every line points at a memory
 * file, and when the cap bites the last line says how many were left
 * out. An index kairos did not write is never thrown away: what it held
 * beyond entries for existing memories is kept under "## Notes", or in a
 * memory of its own when that does not fit. */
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/paths.h"
#include "kairos/store.h"
#include "kairos/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* The entries of mems (st's active ones) within max_lines lines and
 * max_bytes bytes, appended to out; *left (may be NULL) gets how many
 * the cap left out. */
static int entries_text(const struct store *st, const struct mem_list *mems, size_t max_lines,
			size_t max_bytes, struct buf *out, size_t *left_out)
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
		if (keep + 1 + (left ? 1 : 0) > max_lines || need > max_bytes)
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
	if (left_out)
		*left_out = n - keep;
	free(v);
	return buf_err(out);
}

int store_index_text(const struct store *st, const struct mem_list *mems, struct buf *out)
{
	return entries_text(st, mems, STORE_INDEX_MAX_LINES, STORE_INDEX_MAX_BYTES, out, NULL);
}

/* ---- an index kairos did not write ---- */

#define NOTES_HEADING "## Notes"
/* what goes between the entries and the kept lines */
#define HEADING "\n" NOTES_HEADING "\n"

/* One line of a text: [p, p + n) without its line end, the next at *next. */
static size_t text_line(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	*next = nl ? nl + 1 : end;
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

static bool blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr(" \t", p[i]))
			return false;
	return true;
}

/* The memory name a line links to ("](name.md)", the last such link),
 * copied to name; false when it links to none. */
static bool linked_name(const char *p, size_t n, char name[MEM_FILE_NAME_MAX])
{
	for (size_t i = n; i-- > 1;) {
		size_t s = i + 1, e = s;
		if (p[i - 1] != ']' || p[i] != '(')
			continue;
		while (e < n && p[e] != ')' && p[e] != '(' && p[e] != ' ')
			e++;
		if (e >= n || p[e] != ')' || e - s <= STRLEN_LIT(".md") || e - s >= MEM_FILE_NAME_MAX ||
		    memcmp(p + e - STRLEN_LIT(".md"), ".md", STRLEN_LIT(".md")))
			continue;
		memcpy(name, p + s, e - s - STRLEN_LIT(".md"));
		name[e - s - STRLEN_LIT(".md")] = '\0';
		return true;
	}
	return false;
}

/* A line kairos writes in an index: "- [description](name.md) — type",
 * or the note that the cap left memories out. */
static bool own_line(const char *p, size_t n)
{
	#define DASH " — "
	char name[MEM_FILE_NAME_MAX];

	if (n >= STRLEN_LIT("- (") && !memcmp(p, "- (", STRLEN_LIT("- (")) &&
	    memmem(p, n, " more memories not listed", STRLEN_LIT(" more memories not listed")))
		return true;
	if (n < STRLEN_LIT("- [") || memcmp(p, "- [", STRLEN_LIT("- [")) || !linked_name(p, n, name) ||
	    !mem_name_valid(name))
		return false;
	for (int t = 0; t < MEM_TYPE_COUNT; t++) {
		const char *tn = mem_type_name((enum mem_type)t);
		size_t tl = strlen(tn), dl = STRLEN_LIT(DASH), nl = strlen(name);
		size_t tail = STRLEN_LIT(".md)") + dl + tl;
		if (n > tail + nl && !memcmp(p + n - tl, tn, tl) &&
		    !memcmp(p + n - tl - dl, DASH, dl) && !memcmp(p + n - tail, ".md)", STRLEN_LIT(".md)")))
			return true;
	}
	return false;
}

/* True when the line is an index entry for an active memory of st. */
static bool entry_of_memory(const struct store *st, const struct mem_list *mems, const char *p,
			    size_t n)
{
	char name[MEM_FILE_NAME_MAX];

	if (!linked_name(p, n, name))
		return false;
	for (size_t i = 0; i < mems->n; i++)
		if (!mems->v[i]->archived && (!st || mems->v[i]->store == st->kind) &&
		    !strcmp(mems->v[i]->name, name))
			return true;
	return false;
}

/* What of the index old must be kept (memory-store.md "The index"):
 * kairos's own index (every line one it writes, up to a "## Notes"
 * heading) keeps what follows that heading; any other keeps each line
 * that is not an entry for an active memory. Appended to kept, lines
 * and line ends as they were; nothing when only blank lines are left. */
static void kept_lines(const struct store *st, const struct mem_list *mems, const char *old,
		       size_t len, struct buf *kept)
{
	const char *end = old + len, *p, *next, *notes = NULL;
	bool own = true, any = false;

	for (p = old; p < end; p = next) {
		size_t n = text_line(p, end, &next);
		if (n == STRLEN_LIT(NOTES_HEADING) && !memcmp(p, NOTES_HEADING, n)) {
			notes = next;
			break;
		}
		if (!blank(p, n) && !own_line(p, n)) {
			own = false;
			break;
		}
	}
	if (own) {
		if (notes)
			buf_append(kept, notes, (size_t)(end - notes));
	} else {
		for (p = old; p < end; p = next) {
			size_t n = text_line(p, end, &next);
			if (!entry_of_memory(st, mems, p, n))
				buf_append(kept, p, (size_t)(next - p));
		}
	}
	for (p = buf_cstr(kept), end = p + kept->len; p < end; p = next) {
		size_t n = text_line(p, end, &next);
		any |= !blank(p, n);
	}
	if (!any)
		buf_truncate(kept, 0);
}

static size_t count_lines(const struct buf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n + (b->len && b->data[b->len - 1] != '\n');
}

/* The memory that keeps an old index's lines when they do not fit in
 * the new one. */
static int notes_memory(const struct store *st, const struct buf *kept, struct mem **out)
{
	struct mem *m = mem_new();
	char ts[32];
	int rc;

	if ((rc = store_name_from_text(st, "memory-md-notes", &m->name))) {
		mem_free(m);
		return rc;
	}
	m->description = xstrdup("Notes kept from the MEMORY.md that kairos found in this store");
	m->type = MEM_REFERENCE;
	m->source = xstrdup("import");
	time_format((int64_t)time(NULL), ts);
	m->created = xstrdup(ts);
	m->updated = xstrdup(ts);
	time_parse(ts, &m->created_ts);
	m->updated_ts = m->created_ts;
	m->store = st ? st->kind : STORE_PERSONAL;
	free(m->body);
	m->body = xmalloc(kept->len + 2);
	memcpy(m->body, buf_cstr(kept), kept->len);
	m->body[kept->len] = '\0';
	if (kept->len && kept->data[kept->len - 1] != '\n')
		strcat(m->body, "\n");
	*out = m;
	return 0;
}

int store_index_build(const struct store *st, const struct mem_list *mems, const char *old,
		      size_t len, struct buf *out, struct mem **notes)
{
	/* kept lines are at most the old index */
	struct buf kept = BUF_INIT_CAP(len + 1);
	size_t nl, left = 0, start = out->len;
	int rc;

	*notes = NULL;
	if (old)
		kept_lines(st, mems, old, len, &kept);
	if ((rc = buf_err(&kept)))
		goto out;
	if (!kept.len) {
		rc = store_index_text(st, mems, out);
		goto out;
	}
	/* under "## Notes" when the whole index fits the cap with them */
	nl = count_lines(&kept) + 2;
	if (nl < STORE_INDEX_MAX_LINES && kept.len + STRLEN_LIT(HEADING) < STORE_INDEX_MAX_BYTES &&
	    !(rc = entries_text(st, mems, STORE_INDEX_MAX_LINES - nl,
				STORE_INDEX_MAX_BYTES - kept.len - STRLEN_LIT(HEADING), out, &left)) &&
	    !left) {
		buf_puts(out, HEADING);
		buf_append(out, kept.data, kept.len);
		if (kept.data[kept.len - 1] != '\n')
			buf_putc(out, '\n');
		rc = buf_err(out);
		goto out;
	}
	if (rc)
		goto out;
	/* otherwise in a memory of their own, which the index then lists */
	buf_truncate(out, start);
	rc = notes_memory(st, &kept, notes);
out:
	buf_dispose(&kept);
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
