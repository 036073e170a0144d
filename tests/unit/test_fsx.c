/* fsx: the atomic replacement every file write goes through: content
 * replaced whole, no temporary file left behind on any failure, a failed
 * rename reported; and its mode and symlink forms. */
#include "check.h"
#include "testfs.h"

#include "kairos/err.h"
#include "kairos/fsx.h"

#include <dirent.h>

/* Entries of dir that start with FSX_TMP_PREFIX. */
static int leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, FSX_TMP_PREFIX, strlen(FSX_TMP_PREFIX));
	closedir(d);
	return n;
}

TEST(test_replaces_content)
{
	const char *dir = tpath("%s/replace", testfs_root), *p = tpath("%s/replace/f.json", testfs_root);

	tmkdirs(dir);
	CHECK_INT(fsx_write_atomic(p, "first version, longer", 21), 0);
	CHECK(tsame(p, "first version, longer", 21));
	CHECK_INT(fsx_write_atomic(p, "second", 6), 0);
	CHECK(tsame(p, "second", 6));
	CHECK_INT(fsx_write_atomic(p, "", 0), 0);
	CHECK(tsame(p, "", 0));
	CHECK_INT(leftovers(dir), 0);
}

TEST(test_mode)
{
	const char *p = tpath("%s/mode/run.sh", testfs_root);
	struct stat st;
	mode_t old = umask(077);

	tmkdirs(tpath("%s/mode", testfs_root));
	CHECK_INT(fsx_write_atomic_mode(p, "#!/bin/sh\n", 10, 0755), 0);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0755); /* not masked */
	CHECK_INT(fsx_write_atomic(p, "x", 1), 0);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0600); /* 0644 under the umask */
	umask(old);
}

/* The rename fails (path is a non-empty directory): reported, the
 * directory untouched, the temporary file gone. */
TEST(test_rename_failure)
{
	const char *dir = tpath("%s/rename", testfs_root);
	const char *p = tpath("%s/rename/target", testfs_root);

	twrite(tpath("%s/rename/target/inside", testfs_root), "keep", 4);
	kr_err_clear();
	CHECK(fsx_write_atomic(p, "data", 4) < 0);
	CHECK(strstr(kr_errmsg(), "rename") != NULL);
	CHECK(tsame(tpath("%s/rename/target/inside", testfs_root), "keep", 4));
	CHECK_INT(leftovers(dir), 0);
	CHECK(fsx_symlink_atomic(p, "elsewhere") < 0);
	CHECK_INT(leftovers(dir), 0);
}

/* No temporary file can be made: reported, nothing left, the old file
 * kept. A read-only directory does not stop root, so root sees a
 * directory that does not exist instead. */
TEST(test_unwritable_directory)
{
	const char *dir = tpath("%s/ro", testfs_root), *p = tpath("%s/ro/f", testfs_root);

	twrite(p, "old", 3);
	chmod(dir, 0555);
	if (access(dir, W_OK) == 0) {
		CHECK(fsx_write_atomic(tpath("%s/ro/missing/f", testfs_root), "new", 3) < 0);
	} else {
		CHECK(fsx_write_atomic(p, "new", 3) < 0);
		CHECK(fsx_write_atomic_mode(p, "new", 3, 0644) < 0);
		CHECK(fsx_symlink_atomic(p, "new") < 0);
	}
	CHECK(tsame(p, "old", 3));
	CHECK_INT(leftovers(dir), 0);
	chmod(dir, 0755);
}

TEST(test_symlink)
{
	const char *dir = tpath("%s/link", testfs_root), *p = tpath("%s/link/l", testfs_root);
	char target[64];
	ssize_t n;

	twrite(p, "a file first", (size_t)-1);
	CHECK_INT(fsx_symlink_atomic(p, "../somewhere"), 0);
	n = readlink(p, target, sizeof(target) - 1);
	CHECK_INT(n, 12);
	target[n > 0 ? n : 0] = '\0';
	CHECK_STR(target, "../somewhere");
	CHECK_INT(fsx_symlink_atomic(p, "other"), 0);
	n = readlink(p, target, sizeof(target) - 1);
	CHECK_INT(n, 5);
	CHECK_INT(leftovers(dir), 0);
}

int main(void)
{
	tsetup();
	RUN(test_replaces_content);
	RUN(test_mode);
	RUN(test_rename_failure);
	RUN(test_unwritable_directory);
	RUN(test_symlink);
	tcleanup();
	CHECK_MAIN_END();
}
