/* paths: kairos's directories under XDG_DATA_HOME, store slugs, path
 * normalisation, file:// URIs and the traversal check for workspace
 * relative paths. */
#include "kairos/paths.h"
#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/sha1.h"

#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	if (h && *h)
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : "/";
}

/* Every buffer here is capped at the most its input can become, so no
 * input is too long and only memory can fail; like xmalloc, which the
 * callers of these functions already rely on, that aborts. */
static char *done(struct buf *b)
{
	if (buf_err(b)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		abort();
	}
	return buf_detach(b);
}

char *paths_data_home(void)
{
	const char *x = getenv("XDG_DATA_HOME");
	char *d, *n;

	/* The XDG spec: a relative value is invalid and must be ignored. */
	if (x && x[0] == '/') {
		d = xstrdup(x);
	} else {
		const char *h = home_dir();
		struct buf b = BUF_INIT_CAP(strlen(h) + STRLEN_LIT("/.local/share"));
		buf_printf(&b, "%s/.local/share", h);
		d = done(&b);
	}
	n = paths_normalize(d);
	free(d);
	return n;
}

char *paths_normalize(const char *path)
{
	/* the working directory, a '/', the path; the result is no longer */
	size_t max = PATH_MAX + 1 + strlen(path);
	struct buf b = BUF_INIT_CAP(max);
	size_t *stack = NULL, depth = 0, cap = 0;
	const char *p;

	if (path[0] != '/') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)))
			buf_puts(&b, cwd);
		buf_putc(&b, '/');
	}
	buf_puts(&b, path);
	char *src = done(&b);
	buf_putc(&b, '/');
	for (p = src; *p;) {
		const char *e;
		size_t n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (depth)
				buf_truncate(&b, stack[--depth]);
		} else {
			if (depth == cap) {
				cap = cap ? cap * 2 : 16;
				stack = xrealloc(stack, cap * sizeof(*stack));
			}
			stack[depth++] = b.len;
			buf_append(&b, p, n);
			buf_putc(&b, '/');
		}
		p += n;
	}
	if (b.len > 1)
		buf_truncate(&b, b.len - 1);
	free(stack);
	free(src);
	return done(&b);
}

/* realpath of the longest existing ancestor, with the rest appended, so
 * that a directory's slug is the same before and after it is created. */
static char *resolve(const char *dir)
{
	char *n = paths_normalize(dir), *r;
	size_t len = strlen(n);
	/* a resolved ancestor (realpath stays within PATH_MAX), the rest */
	struct buf b = BUF_INIT_CAP(PATH_MAX + len + 1);

	for (size_t cut = len;;) {
		char save = n[cut];
		n[cut] = '\0';
		r = realpath(cut ? n : "/", NULL);
		n[cut] = save;
		if (r) {
			buf_puts(&b, strcmp(r, "/") ? r : "");
			buf_puts(&b, n + cut);
			free(r);
			break;
		}
		while (cut > 0 && n[--cut] != '/')
			;
	}
	free(n);
	if (!b.len)
		buf_putc(&b, '/');
	return done(&b);
}

char *paths_slug(const char *dir)
{
	char *abs = resolve(dir), hex[41];
	const char *base = strrchr(abs, '/');
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE); /* 64 characters and 9 */

	base = base ? base + 1 : abs;
	if (!*base)
		base = "root";
	sha1_hex(abs, strlen(abs), hex);
	for (const char *c = base; *c && b.len < 64; c++) {
		char ch = *c;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			 (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
		buf_putc(&b, ok ? ch : '-');
	}
	buf_printf(&b, "-%.8s", hex);
	free(abs);
	return done(&b);
}

/* The slug resolves symlinks (a realpath per call): a server asks for
 * the same few stores on every journal line, so the answers are kept. */
#define STATE_CACHE 8
static struct {
	char *home, *store, *state;
} state_cache[STATE_CACHE];
static unsigned state_next;

char *paths_state_dir(const char *store_dir)
{
	char *home = paths_data_home(), *slug, *dir;
	struct buf b;

	for (unsigned i = 0; i < STATE_CACHE; i++)
		if (state_cache[i].store && !strcmp(state_cache[i].store, store_dir) &&
		    !strcmp(state_cache[i].home, home)) {
			fsx_mkdirs(state_cache[i].state, 0700);
			free(home);
			return xstrdup(state_cache[i].state);
		}
	slug = paths_slug(store_dir);
	buf_init(&b, strlen(home) + STRLEN_LIT("/kairos/state/") + strlen(slug));
	buf_printf(&b, "%s/kairos/state/%s", home, slug);
	dir = done(&b);
	fsx_mkdirs(dir, 0700);
	{
		unsigned k = state_next++ % STATE_CACHE;
		free(state_cache[k].home);
		free(state_cache[k].store);
		free(state_cache[k].state);
		state_cache[k].home = home;
		state_cache[k].store = xstrdup(store_dir);
		state_cache[k].state = xstrdup(dir);
	}
	free(slug);
	return dir;
}

bool paths_rel_safe(const char *rel)
{
	const char *p = rel;

	if (!rel || !*rel || rel[0] == '/' || rel[0] == '\\')
		return false;
	/* "C:" style drive prefixes and backslash separators count too. */
	if (((rel[0] >= 'a' && rel[0] <= 'z') || (rel[0] >= 'A' && rel[0] <= 'Z')) && rel[1] == ':')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/\\");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += n;
		if (*p)
			p++;
	}
	return !strchr(rel, '\n');
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *paths_from_uri(const char *uri)
{
	struct buf b = BUF_INIT_CAP(strlen(uri)); /* decoding only shortens */
	const char *p;

	if (strncmp(uri, "file://", STRLEN_LIT("file://")))
		return NULL;
	p = uri + STRLEN_LIT("file://");
	/* file://host/path: only an empty host or localhost is local */
	if (*p != '/') {
		if (strncmp(p, "localhost/", STRLEN_LIT("localhost/")))
			return NULL;
		p += STRLEN_LIT("localhost"); /* keep the '/' */
	}
	for (; *p && *p != '?' && *p != '#'; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			char c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			if (!c) {
				buf_dispose(&b);
				return NULL;
			}
			buf_putc(&b, c);
			p += 2;
		} else {
			buf_putc(&b, *p);
		}
	}
	return done(&b);
}

char *paths_to_uri(const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	char *abs = path[0] == '/' ? xstrdup(path) : paths_normalize(path);
	/* every byte may become %XX */
	struct buf b = BUF_INIT_CAP(STRLEN_LIT("file://") + 3 * strlen(abs));

	buf_puts(&b, "file://");
	for (const unsigned char *p = (const unsigned char *)abs; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("/-._~!$&'()*+,;=:@", c)) {
			buf_putc(&b, (char)c);
		} else {
			buf_putc(&b, '%');
			buf_putc(&b, hex[c >> 4]);
			buf_putc(&b, hex[c & 15]);
		}
	}
	free(abs);
	return done(&b);
}
