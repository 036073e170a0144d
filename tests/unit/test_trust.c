/* test_trust: the trust decisions under XDG_DATA_HOME: recorded, taken
 * back, keyed by the real path, never granted by anything inside the
 * workspace or by a file that is not kairos's own; which stores wait
 * for it. */
#include "check.h"
#include "testfs.h"

#include "kairos/err.h"
#include "kairos/sha1.h"
#include "kairos/store.h"
#include "kairos/trust.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static bool trusted(const char *ws)
{
	bool t = true;
	CHECK_INT(trust_get(&t, ws), 0);
	return t;
}

/* The decision file about the real path real. */
static const char *decision(const char *real)
{
	char hex[41];
	sha1_hex(real, strlen(real), hex);
	return tpath("%s/data/kairos/trust/%s", testfs_root, hex);
}

TEST(test_record_and_revoke)
{
	char ws[PATH_MAX], *real = NULL;
	struct stat st;

	snprintf(ws, sizeof(ws), "%s/ws1", testfs_root);

	tmkdirs(ws);
	CHECK(!trusted(ws));
	CHECK_INT(trust_set(ws, true), 0);
	CHECK(trusted(ws));
	CHECK_INT(trust_workspace_path(&real, ws), 0);
	/* kept under XDG_DATA_HOME, holding the path, private */
	CHECK(tsame(decision(real), tpath("%s\n", real), (size_t)-1));
	CHECK(stat(decision(real), &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK_INT(trust_set(ws, true), 0); /* twice is once */
	CHECK(trusted(ws));
	CHECK_INT(trust_set(ws, false), 0);
	CHECK(!trusted(ws));
	CHECK(!texists(decision(real)));
	CHECK_INT(trust_set(ws, false), 0); /* nothing to take back: no error */
	CHECK(!trusted(ws));
	free(real);
}

TEST(test_keyed_by_real_path)
{
	char ws[PATH_MAX], link[PATH_MAX], copy[PATH_MAX];

	snprintf(ws, sizeof(ws), "%s/ws2", testfs_root);
	snprintf(link, sizeof(link), "%s/ws2-link", testfs_root);
	snprintf(copy, sizeof(copy), "%s/ws2-copy", testfs_root);

	tmkdirs(ws);
	tmkdirs(copy);
	CHECK(symlink(ws, link) == 0);
	CHECK_INT(trust_set(link, true), 0);
	CHECK(trusted(ws));
	CHECK(trusted(link));
	CHECK(trusted(tpath("%s/ws2/.", testfs_root)));
	CHECK(!trusted(copy));
	CHECK(!trusted(tpath("%s/ws2", copy))); /* not a subdirectory's either */
	tmkdirs(tpath("%s/sub", ws));
	CHECK(!trusted(tpath("%s/sub", ws)));
	CHECK_INT(trust_set(ws, false), 0);
	CHECK(!trusted(link));
}

TEST(test_missing_workspace)
{
	char ws[PATH_MAX];

	snprintf(ws, sizeof(ws), "%s/no/such/ws", testfs_root);
	CHECK(!trusted(ws));
	CHECK_INT(trust_set(ws, true), KR_ENOTFOUND);
	CHECK(strstr(kr_errmsg(), "does not exist") != NULL);
	CHECK(!texists(tpath("%s/no", testfs_root)));
	/* a file is no workspace */
	twrite(tpath("%s/afile", testfs_root), "x", (size_t)-1);
	CHECK(!trusted(tpath("%s/afile", testfs_root)));
	CHECK(trust_set(tpath("%s/afile", testfs_root), true) < 0);
}

TEST(test_nothing_inside_grants_it)
{
	char ws[PATH_MAX], other[PATH_MAX]; /* tpath's buffers rotate */
	char *real = NULL, *oreal = NULL;

	snprintf(ws, sizeof(ws), "%s/ws3", testfs_root);
	snprintf(other, sizeof(other), "%s/ws3-other", testfs_root);

	tmkdirs(tpath("%s/.kairos/memory", ws));
	tmkdirs(other);
	CHECK_INT(trust_workspace_path(&real, ws), 0);
	CHECK_INT(trust_workspace_path(&oreal, other), 0);
	/* whatever the workspace holds, however it is named */
	twrite(tpath("%s/.kairos/trust", ws), "true\n", (size_t)-1);
	twrite(tpath("%s/.kairos/trusted", ws), tpath("%s\n", real), (size_t)-1);
	twrite(tpath("%s/.vscode/settings.json", ws), "{\"kairos.trust\": true}\n", (size_t)-1);
	CHECK(!trusted(ws));
	/* a file at the right place that names another workspace */
	twrite(decision(real), tpath("%s\n", oreal), (size_t)-1);
	CHECK(!trusted(ws));
	/* a link at the right place, even to a file that names it */
	unlink(decision(real));
	twrite(tpath("%s/forged", ws), tpath("%s\n", real), (size_t)-1);
	CHECK(symlink(tpath("%s/forged", ws), decision(real)) == 0);
	CHECK(!trusted(ws));
	/* recording replaces the link, never writes through it */
	CHECK_INT(trust_set(ws, true), 0);
	CHECK(trusted(ws));
	CHECK(tsame(tpath("%s/forged", ws), tpath("%s\n", real), (size_t)-1));
	/* a directory there is no decision either, and no crash */
	CHECK_INT(trust_set(ws, false), 0);
	tmkdirs(decision(real));
	CHECK(!trusted(ws));
	rmdir(decision(real));
	/* another person (another data home) has not decided */
	CHECK_INT(trust_set(ws, true), 0);
	setenv("XDG_DATA_HOME", tpath("%s/data2", testfs_root), 1);
	CHECK(!trusted(ws));
	setenv("XDG_DATA_HOME", tpath("%s/data", testfs_root), 1);
	CHECK(trusted(ws));
	free(real);
	free(oreal);
}

TEST(test_stores)
{
	char ws[PATH_MAX];
	struct store_set s;
	bool ok[STORE_COUNT];

	snprintf(ws, sizeof(ws), "%s/ws4", testfs_root);

	tmkdirs(ws);
	CHECK(trust_store_needs(STORE_TEAM));
	CHECK(trust_store_needs(STORE_IMPORT));
	CHECK(!trust_store_needs(STORE_PERSONAL));
	CHECK(!trust_store_needs(STORE_USER));

	CHECK_INT(store_set_open(&s, ws, NULL, false), 0);
	trust_stores(ok, &s, false, true);
	CHECK(ok[STORE_USER] && ok[STORE_PERSONAL]);
	CHECK(!ok[STORE_TEAM] && !ok[STORE_IMPORT]);
	trust_stores(ok, &s, true, true);
	CHECK(ok[STORE_USER] && ok[STORE_PERSONAL] && ok[STORE_TEAM] && ok[STORE_IMPORT]);
	store_set_dispose(&s);

	/* a personal store that settings put inside the workspace (its
	 * team store, say) is the workspace's own text */
	CHECK_INT(store_set_open(&s, ws, tpath("%s/.kairos/memory", ws), false), 0);
	trust_stores(ok, &s, false, true);
	CHECK(!ok[STORE_PERSONAL] && !ok[STORE_TEAM]);
	CHECK(ok[STORE_USER]);
	trust_stores(ok, &s, true, true);
	CHECK(ok[STORE_PERSONAL]);
	/* the command line's --memory-dir is the person's own choice */
	trust_stores(ok, &s, false, false);
	CHECK(ok[STORE_PERSONAL] && !ok[STORE_TEAM]);
	store_set_dispose(&s);

	/* reached through a link, still inside */
	tmkdirs(tpath("%s/mem", ws));
	CHECK(symlink(tpath("%s/mem", ws), tpath("%s/mem-link", testfs_root)) == 0);
	CHECK_INT(store_set_open(&s, ws, tpath("%s/mem-link", testfs_root), false), 0);
	trust_stores(ok, &s, false, true);
	CHECK(!ok[STORE_PERSONAL]);
	store_set_dispose(&s);

	/* beside the workspace, not inside it (a common prefix is not enough) */
	tmkdirs(tpath("%s/ws4-personal", testfs_root));
	CHECK_INT(store_set_open(&s, ws, tpath("%s/ws4-personal", testfs_root), false), 0);
	trust_stores(ok, &s, false, true);
	CHECK(ok[STORE_PERSONAL]);
	store_set_dispose(&s);
}

int main(void)
{
	tsetup();
	RUN(test_record_and_revoke);
	RUN(test_keyed_by_real_path);
	RUN(test_missing_workspace);
	RUN(test_nothing_inside_grants_it);
	RUN(test_stores);
	tcleanup();
	CHECK_MAIN_END();
}
