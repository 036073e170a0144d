/* store_stamp: the fingerprint of a store set's files (store_stamp.h). */
#include "kairos/store_stamp.h"
#include "kairos/err.h"
#include "imports.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FNV_OFFSET 1469598103934665603ull
#define FNV_PRIME 1099511628211ull

/* One file's part: its name, size and modification time mixed. Parts are
 * added, so the order in which a directory lists its files is no matter. */
static uint64_t part(const char *name, const struct stat *sb)
{
	uint64_t h = FNV_OFFSET;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * FNV_PRIME;
	h = (h ^ (uint64_t)sb->st_size) * FNV_PRIME;
	h = (h ^ (uint64_t)sb->st_mtim.tv_sec) * FNV_PRIME;
	return (h ^ (uint64_t)sb->st_mtim.tv_nsec) * FNV_PRIME;
}

static uint64_t stamp_file(const char *path)
{
	struct stat sb;
	return stat(path, &sb) ? 0 : part(path, &sb);
}

/* The files of dir whose names end in suffix, and dir itself (a file
 * added or removed changes its time). */
static uint64_t stamp_dir(const char *dir, const char *suffix)
{
	size_t sl = strlen(suffix);
	uint64_t h = stamp_file(dir);
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return h;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat sb;
		if (n <= sl || strcmp(e->d_name + n - sl, suffix) || !strcmp(e->d_name, "MEMORY.md"))
			continue;
		if (fstatat(dirfd(d), e->d_name, &sb, 0) == 0)
			h += part(e->d_name, &sb);
	}
	closedir(d);
	return h;
}

static uint64_t stamp_in(const char *base, const char *rel, const char *suffix)
{
	struct buf p = BUF_INIT_CAP(BUF_CAP_LINE);
	uint64_t h = 0;
	buf_printf(&p, "%s/%s", base, rel);
	if (!buf_err(&p))
		h = suffix ? stamp_dir(p.data, suffix) : stamp_file(p.data);
	buf_dispose(&p);
	return h;
}

/* Where imports_load reads (imports.c): keep the two lists alike. */
static uint64_t stamp_imports(const char *workspace)
{
	static const struct {
		const char *rel, *suffix; /* suffix NULL: one file */
	} places[] = {
		{"CLAUDE.md", NULL},
		{"AGENTS.md", NULL},
		{".github/copilot-instructions.md", NULL},
		{".cursor/rules", ".mdc"},
		{".claude/rules", ".md"},
	};
	char *claude = imports_claude_dir(workspace);
	uint64_t h = 0;

	for (size_t i = 0; i < ARRAY_LEN(places); i++)
		h += stamp_in(workspace, places[i].rel, places[i].suffix) * (i + 1);
	if (claude)
		h += stamp_dir(claude, ".md");
	free(claude);
	return h;
}

uint64_t store_stamp(const struct store_set *s)
{
	uint64_t h = FNV_OFFSET;
	for (int k = 0; k < STORE_COUNT; k++) {
		const struct store *st = &s->stores[k];
		if (!st->dir)
			continue;
		if (k == STORE_IMPORT) {
			h += stamp_imports(s->workspace);
			continue;
		}
		h += stamp_dir(st->dir, ".md") * (uint64_t)(2 * k + 3);
		h += stamp_in(st->dir, "archive", ".md") * (uint64_t)(2 * k + 5);
	}
	return h;
}
