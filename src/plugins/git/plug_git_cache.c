/* plug_git_cache: the stat cache of snapshots.
 *
 * Like git's index: <repo>/kairos-statcache remembers, for each regular
 * file of the last snapshot, its stat data and blob id, so that the next
 * snapshot reads and hashes only files whose stat data changed. An entry
 * is trusted only when the file's mtime is before the second in which the
 * snapshot that recorded it began (a file rewritten within that second
 * with the same size is hashed again: git's "racy clean" rule). Written
 * under the history lock; losing it only costs time. */
#include "plug_git.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATCACHE_FILE "kairos-statcache"
#define STATCACHE_MAGIC "kairos-statcache 1"

struct sc_entry {
	const char *path; /* into statcache.text */
	git_oid oid;
	unsigned long long mode, size, ino;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
};

struct statcache {
	char *text;
	struct sc_entry *e;
	size_t n, cap;
	int *slots;
	size_t nslots;
	long long stamp;
};

/* What a snapshot carries along: the old cache to read, the new to write. */
struct pg_cache {
	git_repository *repo;
	struct statcache old;
	char *out; /* the new cache's text */
	size_t olen, ocap;
	int out_failed;
};

static size_t sc_hash(const char *s)
{
	size_t h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static const struct sc_entry *sc_find(const struct statcache *c, const char *path)
{
	if (!c->nslots)
		return NULL;
	for (size_t i = sc_hash(path) & (c->nslots - 1);; i = (i + 1) & (c->nslots - 1)) {
		int k = c->slots[i];
		if (k < 0)
			return NULL;
		if (!strcmp(c->e[k].path, path))
			return &c->e[k];
	}
}

static void sc_free(struct statcache *c)
{
	free(c->text);
	free(c->e);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

static char *sc_path(git_repository *repo)
{
	const char *gd = git_repository_path(repo); /* ends with '/' */
	size_t n = strlen(gd) + sizeof(STATCACHE_FILE);
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s", gd, STATCACHE_FILE);
	return p;
}

/* Loads the cache; any problem leaves it empty (everything is hashed). */
static void sc_load(struct statcache *c, git_repository *repo)
{
	char *path = sc_path(repo), *p, *nl;
	FILE *f = path ? fopen(path, "rb") : NULL;
	long size;

	memset(c, 0, sizeof(*c));
	free(path);
	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) < 0 ||
	    !(c->text = malloc((size_t)size + 1)) || fread(c->text, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		sc_free(c);
		return;
	}
	fclose(f);
	c->text[size] = '\0';
	if (sscanf(c->text, STATCACHE_MAGIC " %lld", &c->stamp) != 1 || !(p = strchr(c->text, '\n'))) {
		sc_free(c);
		return;
	}
	for (p++; *p && (nl = strchr(p, '\n')); p = nl + 1) {
		struct sc_entry e;
		char hex[41];
		int off = 0;

		*nl = '\0';
		if (sscanf(p, "%40s %llo %llu %llu %lld %lld %lld %lld %n", hex, &e.mode, &e.size,
			   &e.ino, &e.mtime_s, &e.mtime_ns, &e.ctime_s, &e.ctime_ns, &off) != 8 ||
		    off == 0 || git_oid_fromstr(&e.oid, hex) < 0)
			continue;
		e.path = p + off;
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 256;
			struct sc_entry *ne = realloc(c->e, cap * sizeof(*ne));
			if (!ne) {
				sc_free(c);
				return;
			}
			c->e = ne;
			c->cap = cap;
		}
		c->e[c->n++] = e;
	}
	for (c->nslots = 16; c->nslots < c->n * 2; c->nslots *= 2)
		;
	if (!(c->slots = malloc(c->nslots * sizeof(*c->slots)))) {
		sc_free(c);
		return;
	}
	memset(c->slots, 0xff, c->nslots * sizeof(*c->slots));
	for (size_t k = 0; k < c->n; k++) {
		size_t i = sc_hash(c->e[k].path) & (c->nslots - 1);
		while (c->slots[i] >= 0)
			i = (i + 1) & (c->nslots - 1);
		c->slots[i] = (int)k;
	}
}

static int sc_matches(const struct sc_entry *e, const struct stat *st, long long stamp)
{
	return e && e->mode == (unsigned long long)st->st_mode &&
	       e->size == (unsigned long long)st->st_size && e->ino == (unsigned long long)st->st_ino &&
	       e->mtime_s == (long long)st->st_mtim.tv_sec &&
	       e->mtime_ns == (long long)st->st_mtim.tv_nsec &&
	       e->ctime_s == (long long)st->st_ctim.tv_sec &&
	       e->ctime_ns == (long long)st->st_ctim.tv_nsec && e->mtime_s < stamp;
}

__attribute__((format(printf, 2, 3))) static void sc_append(struct pg_cache *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->out_failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->out + s->olen, s->ocap - s->olen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < s->ocap - s->olen) {
			s->olen += (size_t)n;
			return;
		}
		size_t cap = s->ocap ? s->ocap * 2 : 65536;
		char *o = realloc(s->out, cap);
		if (!o || n < 0) {
			s->out_failed = 1;
			return;
		}
		s->out = o;
		s->ocap = cap;
	}
}

void plug_git_cache_record(struct pg_cache *s, const char *rel, const struct stat *st, const git_oid *oid)
{
	char hex[41];

	if (strchr(rel, '\n'))
		return;
	git_oid_tostr(hex, sizeof(hex), oid);
	sc_append(s, "%s %llo %llu %llu %lld %lld %lld %lld %s\n", hex,
		  (unsigned long long)st->st_mode, (unsigned long long)st->st_size,
		  (unsigned long long)st->st_ino, (long long)st->st_mtim.tv_sec,
		  (long long)st->st_mtim.tv_nsec, (long long)st->st_ctim.tv_sec,
		  (long long)st->st_ctim.tv_nsec, rel);
}

/* The one file the plugin replaces itself, not through the host's
 * fsx_write_atomic (the plugin links nothing of kairos): a cache inside
 * the repository, never in a store, read by the plugin alone. A torn
 * write loses entries, never forges one (a line counts only when whole
 * and well-formed, and its stat data must still match), so it costs a
 * rehash, not a wrong snapshot, and needs no fsync. */
void plug_git_cache_save(struct pg_cache *s)
{
	char *path = sc_path(s->repo), tmp[PATH_MAX];
	FILE *f;
	int ok;

	if (!path || s->out_failed || !s->out ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		free(path);
		return;
	}
	f = fopen(tmp, "wb");
	ok = f && fwrite(s->out, 1, s->olen, f) == s->olen;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) < 0)
		unlink(tmp);
	free(path);
}

struct pg_cache *plug_git_cache_open(git_repository *repo)
{
	struct pg_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->repo = repo;
	sc_load(&c->old, repo);
	sc_append(c, STATCACHE_MAGIC " %lld\n", (long long)time(NULL));
	return c;
}

const git_oid *plug_git_cache_lookup(const struct pg_cache *c, const char *rel, const struct stat *st)
{
	const struct sc_entry *e = sc_find(&c->old, rel);
	return sc_matches(e, st, c->old.stamp) ? &e->oid : NULL;
}

void plug_git_cache_close(struct pg_cache *c)
{
	if (!c)
		return;
	sc_free(&c->old);
	free(c->out);
	free(c);
}
