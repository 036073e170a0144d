/* testfs: file helpers for unit tests that work on real directories:
 * a private temp root with XDG_DATA_HOME and HOME inside it, reading and
 * writing whole files, and finding the plugins of the build directory. */
#ifndef KAIROS_TESTFS_H
#define KAIROS_TESTFS_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Test paths are short temp paths; truncation would show as a failed check. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static char testfs_root[PATH_MAX];

/* printf into a static rotating buffer: for building paths in tests. */
__attribute__((format(printf, 1, 2))) static inline const char *tpath(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 8];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(b, PATH_MAX, fmt, ap);
	va_end(ap);
	return b;
}

static inline void tmkdirs(const char *path)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	mkdir(tmp, 0755);
}

/* Writes n bytes (n == (size_t)-1: strlen) to path, creating parents. */
static inline void twrite(const char *path, const char *data, size_t n)
{
	char dir[PATH_MAX];
	char *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/'))) {
		*slash = '\0';
		tmkdirs(dir);
	}
	if (n == (size_t)-1)
		n = strlen(data);
	f = fopen(path, "wb");
	if (!f) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fwrite(data, 1, n, f);
	fclose(f);
}

/* The whole file (malloc'd, NUL-terminated), its size in *n; NULL when
 * it cannot be read. */
static inline char *tread(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
		}
		r = fread(data + len, 1, cap - len - 1, f);
		len += r;
	} while (r > 0);
	fclose(f);
	data[len] = '\0';
	if (n)
		*n = len;
	return data;
}

/* Whether path holds exactly the n bytes of data. */
static inline int tsame(const char *path, const char *data, size_t n)
{
	size_t len;
	char *got = tread(path, &len);
	int same;
	if (n == (size_t)-1)
		n = strlen(data);
	same = got && len == n && !memcmp(got, data, n);
	free(got);
	return same;
}

static inline int texists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Creates the temp root, points XDG_DATA_HOME and HOME into it, and
 * KAIROS_PLUGIN_DIR at the build directory (the parent of build/tests/)
 * unless the caller set it. */
static inline void tsetup(void)
{
	char exe[PATH_MAX];
	ssize_t n;

	snprintf(testfs_root, sizeof(testfs_root), "/tmp/kairos-test-XXXXXX");
	if (!mkdtemp(testfs_root)) {
		perror("mkdtemp");
		exit(1);
	}
	setenv("XDG_DATA_HOME", tpath("%s/data", testfs_root), 1);
	setenv("HOME", tpath("%s/home", testfs_root), 1);
	tmkdirs(tpath("%s/home", testfs_root));
	if (!getenv("KAIROS_PLUGIN_DIR") && (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		setenv("KAIROS_PLUGIN_DIR", tpath("%s/..", exe), 1);
	}
}

static inline void tcleanup(void)
{
	char cmd[PATH_MAX + 16];
	if (!testfs_root[0] || getenv("KAIROS_KEEP_TEST_DIR"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", testfs_root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", testfs_root);
}

#endif
