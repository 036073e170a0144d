/* store_dir: opening a store's directory (store_dir.h): a team store's
 * two levels under the workspace one at a time, never through a link. */
#include "store_dir.h"
#include "kairos/err.h"
#include "kairos/fsx.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int store_dir_open(const char *dir, bool create, int *fd)
{
	size_t n = strlen(dir), tl = STRLEN_LIT("/" STORE_DIR_TEAM);
	char *root, *kdir;
	int rfd, kfd, rc;

	if (n <= tl || strcmp(dir + n - tl, "/" STORE_DIR_TEAM)) {
		if (create && (rc = fsx_mkdirs(dir, 0755)))
			return rc;
		return fsx_dir_open(dir, fd);
	}
	root = xstrndup(dir, n - tl);
	if ((rc = fsx_dir_open(root, &rfd))) {
		if (rc == KR_ENOTFOUND && create)
			rc = kr_errc(KR_ENOTFOUND, "the workspace %s does not exist: kairos creates a "
						   "team store only inside an existing one", root);
		free(root);
		return rc;
	}
	kdir = xstrndup(dir, n - STRLEN_LIT("/memory"));
	rc = fsx_dir_openat(rfd, root, ".kairos", create, 0755, &kfd);
	close(rfd);
	if (!rc) {
		rc = fsx_dir_openat(kfd, kdir, "memory", create, 0755, fd);
		close(kfd);
	}
	free(kdir);
	free(root);
	return rc;
}

int store_dir_archive(int dirfd, const char *dir, bool create, int *fd)
{
	return fsx_dir_openat(dirfd, dir, "archive", create, 0755, fd);
}
