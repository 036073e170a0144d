/* test_paths: XDG locations, slugs, normalisation, URIs, traversal, SHA-1. */
#include "check.h"

#include "kairos/err.h"
#include "kairos/paths.h"
#include "kairos/sha1.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(test_sha1_vectors)
{
	char hex[41];
	sha1_hex("", 0, hex);
	CHECK_STR(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	sha1_hex("abc", 3, hex);
	CHECK_STR(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	CHECK_STR(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	{
		char *m = malloc(1000000);
		memset(m, 'a', 1000000);
		sha1_hex(m, 1000000, hex);
		CHECK_STR(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
		free(m);
	}
}

TEST(test_data_home)
{
	char *d;
	setenv("XDG_DATA_HOME", "/tmp/x/data/", 1);
	d = paths_data_home();
	CHECK_STR(d, "/tmp/x/data");
	free(d);
	setenv("XDG_DATA_HOME", "relative/is/ignored", 1);
	setenv("HOME", "/home/someone", 1);
	d = paths_data_home();
	CHECK_STR(d, "/home/someone/.local/share");
	free(d);
	unsetenv("XDG_DATA_HOME");
	d = paths_data_home();
	CHECK_STR(d, "/home/someone/.local/share");
	free(d);
}

TEST(test_normalize)
{
	char *n;
	n = paths_normalize("/a/b/../c/./d//");
	CHECK_STR(n, "/a/c/d");
	free(n);
	n = paths_normalize("/../..");
	CHECK_STR(n, "/");
	free(n);
	n = paths_normalize("/");
	CHECK_STR(n, "/");
	free(n);
	n = paths_normalize("rel");
	CHECK(n[0] == '/' && strlen(n) > 4 && !strcmp(n + strlen(n) - 4, "/rel"));
	free(n);
}

TEST(test_slug)
{
	char tmpl[] = "/tmp/kairos-slug-XXXXXX", path[300], link[300], hex[41], want[64];
	char *dir = mkdtemp(tmpl), *s1, *s2, *s3, *real;

	CHECK(dir != NULL);
	snprintf(path, sizeof(path), "%s/mica", dir);
	mkdir(path, 0755);
	real = realpath(path, NULL);
	sha1_hex(real, strlen(real), hex);
	snprintf(want, sizeof(want), "mica-%.8s", hex);
	s1 = paths_slug(path);
	CHECK_STR(s1, want);
	snprintf(link, sizeof(link), "%s/link", dir);
	CHECK_INT(symlink(path, link), 0);
	s2 = paths_slug(link); /* symlinks resolved: same slug */
	CHECK_STR(s2, want);
	snprintf(path, sizeof(path), "%s/mica/", dir);
	s3 = paths_slug(path); /* no trailing slash */
	CHECK_STR(s3, want);
	free(s1);
	free(s2);
	free(s3);
	snprintf(path, sizeof(path), "%s/we ird:name", dir);
	s1 = paths_slug(path);
	CHECK(!strncmp(s1, "we-ird-name-", 12));
	CHECK_INT(strlen(s1), 12 + 8);
	free(s1);
	/* not existing yet: the same slug it will have once created */
	snprintf(path, sizeof(path), "%s/later/store", dir);
	s1 = paths_slug(path);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/later", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/later/store", dir);
	mkdir(path, 0755);
	s2 = paths_slug(path);
	CHECK_STR(s1, s2);
	free(s1);
	free(s2);
	free(real);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK_INT(system(path), 0);
}

TEST(test_rel_safe)
{
	CHECK(paths_rel_safe("src/lexer.c"));
	CHECK(paths_rel_safe("src/**/*.c"));
	CHECK(paths_rel_safe("a..b/c"));
	CHECK(paths_rel_safe("./a"));
	CHECK(!paths_rel_safe("../x"));
	CHECK(!paths_rel_safe("a/../../x"));
	CHECK(!paths_rel_safe("a/.."));
	CHECK(!paths_rel_safe(".."));
	CHECK(!paths_rel_safe("/etc/passwd"));
	CHECK(!paths_rel_safe("a\\..\\..\\x"));
	CHECK(!paths_rel_safe("C:\\x"));
	CHECK(!paths_rel_safe(""));
	CHECK(!paths_rel_safe(NULL));
	CHECK(!paths_rel_safe("a\nb"));
}

TEST(test_uri)
{
	char *u = paths_to_uri("/home/me/my file#1%.c"), *p;
	CHECK_STR(u, "file:///home/me/my%20file%231%25.c");
	p = paths_from_uri(u);
	CHECK_STR(p, "/home/me/my file#1%.c");
	free(u);
	free(p);
	u = paths_to_uri("/tmp/é");
	CHECK_STR(u, "file:///tmp/%C3%A9");
	free(u);
	p = paths_from_uri("file:///tmp/%c3%a9");
	CHECK_STR(p, "/tmp/é");
	free(p);
	p = paths_from_uri("file://localhost/etc/x");
	CHECK_STR(p, "/etc/x");
	free(p);
	CHECK(paths_from_uri("http://x/y") == NULL);
	CHECK(paths_from_uri("file://otherhost/y") == NULL);
	CHECK(paths_from_uri("file:///a%00b") == NULL);
}

/* Each result is sized from its input, so no path is too long for it:
 * the worst cases, every byte escaped, "." runs, a relative path. */
TEST(test_long_paths)
{
	size_t n = 200000;
	char *path = malloc(n + 1), *u, *p, *norm;

	memset(path, ' ', n);
	path[0] = '/';
	path[n] = '\0';
	u = paths_to_uri(path);
	CHECK(strlen(u) == STRLEN_LIT("file://") + 1 + 3 * (n - 1));
	p = paths_from_uri(u);
	CHECK(p && !strcmp(p, path));
	free(u);
	free(p);
	for (size_t i = 0; i < n; i += 2)
		path[i] = '/', path[i + 1] = 'a';
	norm = paths_normalize(path);
	CHECK(!strcmp(norm, path)); /* "/a/a/.../a" is normal already */
	free(norm);
	norm = paths_normalize(path + 1); /* relative: under the working directory */
	CHECK(norm[0] == '/' && strlen(norm) > n - 1 && !strcmp(norm + strlen(norm) - (n - 1), path + 1));
	free(norm);
	free(path);
}

TEST(test_state_dir)
{
	char tmpl[] = "/tmp/kairos-state-XXXXXX", *dir = mkdtemp(tmpl), *st, *slug, want[400];
	struct stat sb;

	setenv("XDG_DATA_HOME", dir, 1);
	st = paths_state_dir("/some/store");
	slug = paths_slug("/some/store");
	snprintf(want, sizeof(want), "%s/kairos/state/%s", dir, slug);
	CHECK_STR(st, want);
	CHECK(stat(st, &sb) == 0 && S_ISDIR(sb.st_mode));
	free(st);
	free(slug);
	snprintf(want, sizeof(want), "rm -rf '%s'", dir);
	CHECK_INT(system(want), 0);
	unsetenv("XDG_DATA_HOME");
}

int main(void)
{
	RUN(test_sha1_vectors);
	RUN(test_data_home);
	RUN(test_normalize);
	RUN(test_slug);
	RUN(test_rel_safe);
	RUN(test_uri);
	RUN(test_long_paths);
	RUN(test_state_dir);
	CHECK_MAIN_END();
}
