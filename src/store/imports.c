/* imports: instruction files of other tools, split into read-only
 * memories. A Markdown section's prose becomes one memory and each of its
 * top-level list items another; names are "<file prefix>-<8 hex of the
 * SHA-1 of section and text>", so they stay the same as long as the item
 * does, whatever happens around it. */
#include "imports.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/paths.h"
#include "kairos/sha1.h"
#include "kairos/text.h"
#include "kairos/time.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IMPORT_MAX_FILE (1u << 20)

struct splitter {
	const char *path, *prefix;
	int64_t mtime;
	struct mem_list *out;
	size_t first;         /* first memory of this file in out */
	struct strv scope;    /* .mdc globs */
	struct buf section;   /* current heading text */
	struct buf prose;     /* prose of the current section */
	struct buf item;      /* current list item */
};

static void trim(const char **s, size_t *n)
{
	while (*n && strchr(" \t\r\n", **s))
		(*s)++, (*n)--;
	while (*n && strchr(" \t\r\n", (*s)[*n - 1]))
		(*n)--;
}

static bool taken_from(const struct mem_list *l, size_t first, const char *name)
{
	for (size_t i = first; i < l->n; i++)
		if (!strcmp(l->v[i]->name, name))
			return true;
	return false;
}

static void emit(struct splitter *sp, struct buf *text)
{
	const char *t = buf_cstr(text), *nl;
	size_t n = text->len, dl;
	struct buf b = BUF_INIT;
	char hex[41], ts[32], name[96];
	struct mem *m;

	trim(&t, &n);
	if (!n) {
		buf_truncate(text, 0);
		return;
	}
	buf_append(&b, buf_cstr(&sp->section), sp->section.len);
	buf_putc(&b, '\n');
	buf_append(&b, t, n);
	sha1_hex(b.data, b.len, hex);
	buf_dispose(&b);
	snprintf(name, sizeof(name), "%s-%.8s", sp->prefix, hex);
	for (int i = 2; taken_from(sp->out, sp->first, name); i++)
		snprintf(name, sizeof(name), "%s-%.8s-%d", sp->prefix, hex, i);
	m = mem_new();
	m->name = xstrdup(name);
	nl = memchr(t, '\n', n);
	dl = nl ? (size_t)(nl - t) : n;
	while (dl && t[dl - 1] == '\r')
		dl--;
	/* the description: first line, at most 150 characters */
	{
		size_t chars = 0, i;
		for (i = 0; i < dl; i++)
			if (((unsigned char)t[i] & 0xc0) != 0x80 && ++chars > 150)
				break;
		m->description = xstrndup(t, i);
	}
	m->type = MEM_PROJECT;
	m->source = xstrdup("import");
	time_format(sp->mtime, ts);
	m->created = xstrdup(ts);
	m->updated = xstrdup(ts);
	m->created_ts = m->updated_ts = sp->mtime;
	for (size_t i = 0; i < sp->scope.n; i++)
		strv_push(&m->scope, sp->scope.v[i]);
	free(m->body);
	m->body = xstrndup(t, n);
	m->store = STORE_IMPORT;
	m->path = xstrdup(sp->path);
	m->mtime = sp->mtime;
	mem_list_push(sp->out, m);
	buf_truncate(text, 0);
}

static bool list_marker(const char *l, size_t n, bool in_item, size_t *content)
{
	size_t i = 0;
	while (i < n && i < 4 && l[i] == ' ')
		i++;
	/* inside an item, an indented marker starts a nested list */
	if (i > 3 || i >= n || (in_item && i >= 2))
		return false;
	if (strchr("-*+", l[i]) && i + 1 < n && (l[i + 1] == ' ' || l[i + 1] == '\t')) {
		*content = i + 2;
		return true;
	}
	size_t d = i;
	while (d < n && l[d] >= '0' && l[d] <= '9')
		d++;
	if (d > i && d < n - 1 && (l[d] == '.' || l[d] == ')') && l[d + 1] == ' ') {
		*content = d + 2;
		return true;
	}
	return false;
}

/* Cursor rules: "globs: a, b" (or a YAML list) in the .mdc front matter. */
static void mdc_globs(struct splitter *sp, const char *l, size_t n)
{
	const char *p = l + 6, *e = l + n;
	while (p < e) {
		while (p < e && strchr(" \t[],\"'", *p))
			p++;
		const char *s = p;
		while (p < e && !strchr(",]\"'\r", *p))
			p++;
		size_t k = (size_t)(p - s);
		while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			k--;
		if (k) {
			char *g = xstrndup(s, k);
			if (paths_rel_safe(g))
				strv_push(&sp->scope, g);
			free(g);
		}
		if (p < e)
			p++;
	}
}

void imports_split(const char *path, const char *prefix, const char *text, size_t len,
		   int64_t mtime, struct mem_list *out)
{
	struct splitter sp = {.path = path, .prefix = prefix, .mtime = mtime, .out = out};
	const char *p = text, *end = text + len;
	bool fence = false, in_item = false;

	sp.first = out->n;
	/* front matter (.mdc): skipped, its globs kept as scope */
	if (len >= 4 && !strncmp(text, "---", 3) && (text[3] == '\n' || text[3] == '\r')) {
		const char *q = memchr(text, '\n', len);
		for (q = q ? q + 1 : end; q < end;) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
			if (n >= 3 && !strncmp(q, "---", 3)) {
				p = nl ? nl + 1 : end;
				break;
			}
			if (n > 6 && !strncmp(q, "globs:", 6))
				mdc_globs(&sp, q, n);
			q = nl ? nl + 1 : end;
		}
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), c;
		const char *line = p;
		bool blank = true;

		p = nl ? nl + 1 : end;
		for (size_t i = 0; i < n; i++)
			if (!strchr(" \t\r", line[i]))
				blank = false;
		if (!fence && n >= 3 && (!strncmp(line, "```", 3) || !strncmp(line, "~~~", 3))) {
			fence = true;
		} else if (fence) {
			if (n >= 3 && (!strncmp(line, "```", 3) || !strncmp(line, "~~~", 3)))
				fence = false;
		} else if (line[0] == '#' && n) {
			size_t h = 0;
			while (h < n && line[h] == '#')
				h++;
			if (h <= 6 && (h == n || line[h] == ' ' || line[h] == '\t')) {
				emit(&sp, &sp.item);
				emit(&sp, &sp.prose);
				in_item = false;
				const char *t = line + h;
				size_t tn = n - h;
				trim(&t, &tn);
				buf_truncate(&sp.section, 0);
				buf_append(&sp.section, t, tn);
				continue;
			}
		} else if (list_marker(line, n, in_item, &c)) {
			emit(&sp, &sp.item);
			in_item = true;
			buf_append(&sp.item, line + c, n - c);
			buf_putc(&sp.item, '\n');
			continue;
		} else if (in_item && !blank && (line[0] == ' ' || line[0] == '\t')) {
			/* continuation or nested list of the item */
		} else if (in_item && !blank) {
			emit(&sp, &sp.item);
			in_item = false;
		}
		if (in_item) {
			buf_append(&sp.item, line, n);
			buf_putc(&sp.item, '\n');
		} else {
			buf_append(&sp.prose, line, n);
			buf_putc(&sp.prose, '\n');
		}
	}
	emit(&sp, &sp.item);
	emit(&sp, &sp.prose);
	strv_dispose(&sp.scope);
	buf_dispose(&sp.section);
	buf_dispose(&sp.prose);
	buf_dispose(&sp.item);
}

static void import_file(const char *path, const char *prefix, struct mem_list *out,
			struct store_problem **problems, size_t *nproblems)
{
	struct buf text = BUF_INIT;
	struct stat st;
	int rc;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return;
	rc = fsx_read(path, IMPORT_MAX_FILE, &text);
	if (rc == KR_ENOTFOUND)
		goto out;
	if (rc) {
		store_problem_add(problems, nproblems, path, kr_errmsg());
		goto out;
	}
	if (!text_utf8_valid(buf_cstr(&text), text.len) || memchr(buf_cstr(&text), 0, text.len)) {
		store_problem_add(problems, nproblems, path, "not valid UTF-8 text (not imported)");
		goto out;
	}
	imports_split(path, prefix, buf_cstr(&text), text.len, (int64_t)st.st_mtime, out);
out:
	buf_dispose(&text);
}

/* prefix + "-" + the file's stem made name-safe */
static void stem_prefix(char *out, size_t cap, const char *pfx, const char *file)
{
	size_t k = strlen(pfx), fl = strlen(file);
	const char *dot = strrchr(file, '.');

	snprintf(out, cap, "%s-", pfx);
	k++;
	if (dot)
		fl = (size_t)(dot - file);
	for (size_t i = 0; i < fl && k < 40 && k + 1 < cap; i++) {
		char c = file[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && out[k - 1] == '-')
			continue;
		out[k++] = c;
	}
	while (k > 1 && out[k - 1] == '-')
		k--;
	out[k] = '\0';
}

static int by_dname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void import_dir(const char *dir, const char *ext, const char *pfx, struct mem_list *out,
		       struct store_problem **problems, size_t *nproblems)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, el = strlen(ext);

	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l <= el || strcmp(e->d_name + l - el, ext))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_dname);
	for (size_t i = 0; i < n; i++) {
		char prefix[48];
		struct buf p = BUF_INIT;
		buf_printf(&p, "%s/%s", dir, names[i]);
		stem_prefix(prefix, sizeof(prefix), pfx, names[i]);
		import_file(p.data, prefix, out, problems, nproblems);
		buf_dispose(&p);
		free(names[i]);
	}
	free(names);
}

char *imports_claude_dir(const char *workspace)
{
	const char *home = getenv("HOME");
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s/.claude/projects/", home && *home ? home : "/");
	for (const char *p = workspace; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		buf_putc(&b, ok ? c : '-');
	}
	buf_puts(&b, "/memory");
	return buf_detach(&b);
}

/* The other assistant's memory files: taken as they are when they follow
 * this format, split as Markdown otherwise. */
static void import_claude_memory(const char *workspace, struct mem_list *out,
				 struct store_problem **problems, size_t *nproblems)
{
	char *dir = imports_claude_dir(workspace), *real = realpath(workspace, NULL);
	struct buf scratch = BUF_INIT;
	DIR *d = opendir(dir);
	size_t first = out->n;
	struct dirent *e;

	if (!d && real && strcmp(real, workspace)) {
		free(dir);
		dir = imports_claude_dir(real);
		d = opendir(dir);
	}
	free(real);
	if (!d)
		goto out;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		struct mem *m = NULL;
		struct buf p = BUF_INIT;

		if (e->d_name[0] == '.' || l < 4 || strcmp(e->d_name + l - 3, ".md") ||
		    !strcmp(e->d_name, "MEMORY.md"))
			continue;
		buf_printf(&p, "%s/%s", dir, e->d_name);
		if (!mem_read_file_buf(&m, p.data, &scratch) && !taken_from(out, first, m->name)) {
			m->store = STORE_IMPORT;
			free(m->source);
			m->source = xstrdup("import");
			mem_list_push(out, m);
		} else {
			char prefix[48];
			mem_free(m);
			stem_prefix(prefix, sizeof(prefix), "claude-memory", e->d_name);
			import_file(p.data, prefix, out, problems, nproblems);
		}
		buf_dispose(&p);
	}
	closedir(d);
out:
	buf_dispose(&scratch);
	free(dir);
}

int imports_load(const char *workspace, struct mem_list *out, struct store_problem **problems,
		 size_t *nproblems)
{
	static const struct {
		const char *file, *prefix;
	} files[] = {
		{"CLAUDE.md", "claude-md"},
		{"AGENTS.md", "agents-md"},
		{".github/copilot-instructions.md", "copilot"},
	};
	struct buf p = BUF_INIT;

	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		buf_truncate(&p, 0);
		buf_printf(&p, "%s/%s", workspace, files[i].file);
		import_file(p.data, files[i].prefix, out, problems, nproblems);
	}
	buf_truncate(&p, 0);
	buf_printf(&p, "%s/.cursor/rules", workspace);
	import_dir(p.data, ".mdc", "cursor", out, problems, nproblems);
	buf_truncate(&p, 0);
	buf_printf(&p, "%s/.claude/rules", workspace);
	import_dir(p.data, ".md", "claude-rules", out, problems, nproblems);
	buf_dispose(&p);
	import_claude_memory(workspace, out, problems, nproblems);
	return 0;
}
