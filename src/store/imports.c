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
#define MDC_GLOBS "globs:" /* the .mdc front-matter key kept as scope */

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

/* The text gathered in text becomes one memory (none when it is blank);
 * text is emptied for what comes next. */
static int emit(struct splitter *sp, struct buf *text)
{
	const char *t = buf_cstr(text), *nl;
	size_t n = text->len, dl;
	struct sha1 h;
	unsigned char d[20];
	char hex[9], ts[32], name[96];
	struct mem *m;
	int rc;

	/* before the truncate below, which would clear a failure */
	if ((rc = buf_err(text)) || (rc = buf_err(&sp->section)))
		return rc;
	trim(&t, &n);
	if (!n) {
		buf_truncate(text, 0);
		return 0;
	}
	/* named after "<section>\n<text>" */
	sha1_init(&h);
	sha1_update(&h, buf_cstr(&sp->section), sp->section.len);
	sha1_update(&h, "\n", STRLEN_LIT("\n"));
	sha1_update(&h, t, n);
	sha1_final(&h, d);
	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
	snprintf(name, sizeof(name), "%s-%s", sp->prefix, hex);
	for (int i = 2; taken_from(sp->out, sp->first, name); i++)
		snprintf(name, sizeof(name), "%s-%s-%d", sp->prefix, hex, i);
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
	return 0;
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
	const char *p = l + STRLEN_LIT(MDC_GLOBS), *e = l + n;
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

/* True when the line l (n bytes) starts with the literal lit. */
#define LINE_STARTS(l, n, lit) ((n) >= STRLEN_LIT(lit) && !strncmp((l), lit, STRLEN_LIT(lit)))

int imports_split(const char *path, const char *prefix, const char *text, size_t len,
		  int64_t mtime, struct mem_list *out)
{
	/* each part holds at most every line of text, and a newline more */
	struct splitter sp = {.path = path, .prefix = prefix, .mtime = mtime, .out = out,
			      .section = BUF_INIT_CAP(len + 1), .prose = BUF_INIT_CAP(len + 1),
			      .item = BUF_INIT_CAP(len + 1)};
	const char *p = text, *end = text + len;
	bool fence = false, in_item = false;
	int rc = 0;

	sp.first = out->n;
	/* front matter (.mdc): skipped, its globs kept as scope */
	if (len > STRLEN_LIT("---") && LINE_STARTS(text, len, "---") &&
	    (text[STRLEN_LIT("---")] == '\n' || text[STRLEN_LIT("---")] == '\r')) {
		const char *q = memchr(text, '\n', len);
		for (q = q ? q + 1 : end; q < end;) {
			const char *nl = memchr(q, '\n', (size_t)(end - q));
			size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
			if (LINE_STARTS(q, n, "---")) {
				p = nl ? nl + 1 : end;
				break;
			}
			if (n > STRLEN_LIT(MDC_GLOBS) && LINE_STARTS(q, n, MDC_GLOBS))
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
		if (!fence && (LINE_STARTS(line, n, "```") || LINE_STARTS(line, n, "~~~"))) {
			fence = true;
		} else if (fence) {
			if (LINE_STARTS(line, n, "```") || LINE_STARTS(line, n, "~~~"))
				fence = false;
		} else if (line[0] == '#' && n) {
			size_t h = 0;
			while (h < n && line[h] == '#')
				h++;
			if (h <= 6 && (h == n || line[h] == ' ' || line[h] == '\t')) {
				if ((rc = emit(&sp, &sp.item)) || (rc = emit(&sp, &sp.prose)))
					break;
				in_item = false;
				const char *t = line + h;
				size_t tn = n - h;
				trim(&t, &tn);
				buf_truncate(&sp.section, 0);
				buf_append(&sp.section, t, tn);
				continue;
			}
		} else if (list_marker(line, n, in_item, &c)) {
			if ((rc = emit(&sp, &sp.item)))
				break;
			in_item = true;
			buf_append(&sp.item, line + c, n - c);
			buf_putc(&sp.item, '\n');
			continue;
		} else if (in_item && !blank && (line[0] == ' ' || line[0] == '\t')) {
			/* continuation or nested list of the item */
		} else if (in_item && !blank) {
			if ((rc = emit(&sp, &sp.item)))
				break;
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
	if (!rc && !(rc = emit(&sp, &sp.item)))
		rc = emit(&sp, &sp.prose);
	/* all of a file or none of it */
	while (rc && out->n > sp.first)
		mem_free(out->v[--out->n]);
	strv_dispose(&sp.scope);
	buf_dispose(&sp.section);
	buf_dispose(&sp.prose);
	buf_dispose(&sp.item);
	return rc;
}

/* Reads only a regular file that is inside root (a real path): a link
 * is followed only when what it reaches stays inside (CLAUDE.md ->
 * AGENTS.md), never out of it (CLAUDE.md -> ~/.netrc in a cloned
 * repository must not become memories, nor reach a model). */
static void import_file(const char *path, const char *prefix, const char *root,
			struct mem_list *out, struct store_problem **problems, size_t *nproblems)
{
	struct buf text = BUF_INIT_CAP(IMPORT_MAX_FILE + 1);
	char *real = NULL;
	size_t rl = root ? strlen(root) : 0;
	struct stat st;
	int rc;

	if (lstat(path, &st) < 0)
		return;
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return;
	real = realpath(path, NULL);
	if (!real || (root && rl > 1 && (strncmp(real, root, rl) || real[rl] != '/'))) {
		store_problem_add(problems, nproblems, path,
				  real ? "leads outside the workspace through a symbolic link (not "
					 "imported)"
				       : "a broken symbolic link (not imported)");
		goto out;
	}
	if (stat(real, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	rc = fsx_read(real, IMPORT_MAX_FILE, &text);
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
	if (imports_split(path, prefix, buf_cstr(&text), text.len, (int64_t)st.st_mtime, out))
		store_problem_add(problems, nproblems, path, kr_errmsg());
out:
	free(real);
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

/* p := dir/name; a path that passes a line's cap is a problem of dir. */
static bool path_in(struct buf *p, const char *dir, const char *name,
		    struct store_problem **problems, size_t *nproblems)
{
	buf_reset(p);
	buf_printf(p, "%s/%s", dir, name);
	if (!buf_err(p))
		return true;
	store_problem_add(problems, nproblems, dir, kr_errmsg());
	return false;
}

static int by_dname(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void import_dir(const char *dir, const char *ext, const char *pfx, const char *root,
		       struct mem_list *out, struct store_problem **problems, size_t *nproblems)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, el = strlen(ext);
	struct buf p = BUF_INIT_CAP(BUF_CAP_LINE);

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
		if (path_in(&p, dir, names[i], problems, nproblems)) {
			stem_prefix(prefix, sizeof(prefix), pfx, names[i]);
			import_file(p.data, prefix, root, out, problems, nproblems);
		}
		free(names[i]);
	}
	free(names);
	buf_dispose(&p);
}

char *imports_claude_dir(const char *workspace)
{
	const char *home = getenv("HOME");
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);

	buf_printf(&b, "%s/.claude/projects/", home && *home ? home : "/");
	for (const char *p = workspace; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		buf_putc(&b, ok ? c : '-');
	}
	buf_puts(&b, "/memory");
	return buf_err(&b) ? NULL : buf_detach(&b);
}

/* The other assistant's memory files: taken as they are when they follow
 * this format, split as Markdown otherwise. */
static void import_claude_memory(const char *workspace, struct mem_list *out,
				 struct store_problem **problems, size_t *nproblems)
{
	char *dir = imports_claude_dir(workspace), *real = realpath(workspace, NULL);
	/* a memory file's scratch: see mem_parse_read_file_buf */
	struct buf scratch = BUF_INIT_CAP(2 * BUF_CAP_MEMFILE), p = BUF_INIT_CAP(BUF_CAP_LINE);
	DIR *d = dir ? opendir(dir) : NULL;
	size_t first = out->n;
	struct dirent *e;

	if (!d && real && strcmp(real, workspace)) {
		free(dir);
		dir = imports_claude_dir(real);
		d = dir ? opendir(dir) : NULL;
	}
	free(real);
	if (!d)
		goto out;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		struct mem *m = NULL;

		if (e->d_name[0] == '.' || l <= STRLEN_LIT(".md") ||
		    strcmp(e->d_name + l - STRLEN_LIT(".md"), ".md") || !strcmp(e->d_name, "MEMORY.md"))
			continue;
		if (!path_in(&p, dir, e->d_name, problems, nproblems))
			continue;
		if (!mem_parse_read_file_buf(&m, p.data, &scratch) && !taken_from(out, first, m->name)) {
			m->store = STORE_IMPORT;
			free(m->source);
			m->source = xstrdup("import");
			mem_list_push(out, m);
		} else {
			char prefix[48];
			mem_free(m);
			stem_prefix(prefix, sizeof(prefix), "claude-memory", e->d_name);
			import_file(p.data, prefix, NULL, out, problems, nproblems);
		}
	}
	closedir(d);
out:
	buf_dispose(&scratch);
	buf_dispose(&p);
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
	struct buf p = BUF_INIT_CAP(BUF_CAP_LINE);
	char *root = realpath(workspace, NULL);

	if (!root) /* no workspace, no instruction files */
		goto out;
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		if (path_in(&p, workspace, files[i].file, problems, nproblems))
			import_file(p.data, files[i].prefix, root, out, problems, nproblems);
	if (path_in(&p, workspace, ".cursor/rules", problems, nproblems))
		import_dir(p.data, ".mdc", "cursor", root, out, problems, nproblems);
	if (path_in(&p, workspace, ".claude/rules", problems, nproblems))
		import_dir(p.data, ".md", "claude-rules", root, out, problems, nproblems);
out:
	free(root);
	buf_dispose(&p);
	import_claude_memory(workspace, out, problems, nproblems);
	return 0;
}
