/* Tests of history: commits of a store into its own repository, the log,
 * undo and redo, byte for byte, and two processes committing at once. */
#include "check.h"
#include "testfs.h"

#include "kairos/err.h"
#include "kairos/gitops.h"
#include "kairos/history.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

static int nstore;

/* A fresh store directory (not created). */
static const char *new_store(void)
{
	static char dir[PATH_MAX + 64];
	snprintf(dir, sizeof(dir), "%s/stores/s%d/memory", testfs_root, ++nstore);
	return dir;
}

static size_t log_count(const char *store)
{
	struct history_entry *e;
	size_t n = 0;
	if (history_log(store, &e, &n) < 0)
		return (size_t)-1;
	history_entries_free(e, n);
	return n;
}

/* The newest message of the store's log ("" when none). */
static char *top_message(const char *store)
{
	struct history_entry *e;
	size_t n;
	char *m;
	if (history_log(store, &e, &n) < 0 || n == 0)
		return xstrdup("");
	m = xstrdup(e[0].message);
	history_entries_free(e, n);
	return m;
}

TEST(repo_path_is_under_data_home_with_slug)
{
	const char *store = tpath("%s/proj/mica", testfs_root);
	char *p, *q, expect[PATH_MAX * 2], cmd[PATH_MAX * 2], hex[16] = "";
	FILE *f;

	tmkdirs(store);
	tmkdirs(tpath("%s/other/mica", testfs_root));
	p = history_repo_path(store);
	/* the slug: base name, dash, first 8 hex of SHA-1 of the real path */
	snprintf(cmd, sizeof(cmd), "printf '%%s' '%s' | sha1sum", store);
	f = popen(cmd, "r");
	CHECK(f && fread(hex, 1, 8, f) == 8);
	if (f)
		pclose(f);
	hex[8] = '\0';
	snprintf(expect, sizeof(expect), "%s/data/kairos/history/mica-%s", testfs_root, hex);
	CHECK_STR(p, expect);
	/* same base name elsewhere: another repository */
	q = history_repo_path(tpath("%s/other/mica", testfs_root));
	CHECK(strcmp(p, q) != 0);
	free(q);
	/* a trailing slash names the same store */
	q = history_repo_path(tpath("%s/", store));
	CHECK_STR(q, p);
	free(q);
	/* a store not created yet keeps its name once it exists */
	q = history_repo_path(tpath("%s/later/store", testfs_root));
	tmkdirs(tpath("%s/later/store", testfs_root));
	{
		char *q2 = history_repo_path(tpath("%s/later/store", testfs_root));
		CHECK_STR(q2, q);
		free(q2);
	}
	free(q);
	free(p);
}

TEST(first_commit_records_store_as_found)
{
	const char *s = new_store();
	char id[41] = "x", id2[41];
	struct history_entry *e = NULL;
	size_t n = 0;

	twrite(tpath("%s/a.md", s), "alpha\n", (size_t)-1);
	CHECK_INT(log_count(s), 0);
	CHECK_INT(history_commit(s, "remember: a", id), 0);
	CHECK_INT(strlen(id), 40);
	CHECK_INT(history_log(s, &e, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(e[0].message, "kairos: store as found");
		CHECK_STR(e[0].id, id);
		CHECK(e[0].time > 1600000000);
	}
	history_entries_free(e, n);

	twrite(tpath("%s/b.md", s), "beta\n", (size_t)-1);
	CHECK_INT(history_commit(s, "remember: b (asked by the user)", id2), 0);
	CHECK_INT(strlen(id2), 40);
	CHECK(strcmp(id, id2) != 0);
	CHECK_INT(history_log(s, &e, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) { /* newest first */
		CHECK_STR(e[0].message, "remember: b (asked by the user)");
		CHECK_STR(e[0].id, id2);
		CHECK_STR(e[1].message, "kairos: store as found");
		CHECK(e[0].time >= e[1].time);
	}
	history_entries_free(e, n);
}

TEST(unchanged_store_commits_nothing)
{
	const char *s = new_store();
	char id[41];

	twrite(tpath("%s/a.md", s), "alpha\n", (size_t)-1);
	CHECK_INT(history_commit(s, "first", id), 0);
	CHECK_INT(history_commit(s, "nothing changed", id), 0);
	CHECK_STR(id, "");
	/* .lock is never part of history */
	twrite(tpath("%s/.lock", s), "123 456\n", (size_t)-1);
	CHECK_INT(history_commit(s, "only the lock", id), 0);
	CHECK_STR(id, "");
	/* nor the leftover of a write killed half way */
	twrite(tpath("%s/.kairos-tmp-a.md.123.0", s), "half", (size_t)-1);
	CHECK_INT(history_commit(s, "only a temporary file", id), 0);
	CHECK_STR(id, "");
	/* a byte changed is a change */
	twrite(tpath("%s/a.md", s), "alphA\n", (size_t)-1);
	CHECK_INT(history_commit(s, "edit a", id), 0);
	CHECK_INT(strlen(id), 40);
	CHECK_INT(log_count(s), 2);
}

static const char bin[] = "bytes\0with NUL\r\nand CRLF\xff\xfe no final newline";

TEST(same_size_edit_with_old_mtime_is_seen)
{
	const char *s = new_store();
	const char *f = tpath("%s/a.md", s);
	struct timespec old[2] = {{1500000000, 0}, {1500000000, 0}};
	char id[41];

	twrite(f, "aaaa\n", (size_t)-1);
	utimensat(AT_FDCWD, f, old, 0); /* long ago: the stat cache trusts it */
	CHECK_INT(history_commit(s, "x", id), 0);
	CHECK_INT(history_commit(s, "x", id), 0);
	CHECK_STR(id, "");
	/* same size, mtime put back: only the inode change time tells */
	twrite(f, "bbbb\n", (size_t)-1);
	utimensat(AT_FDCWD, f, old, 0);
	CHECK_INT(history_commit(s, "edit", id), 0);
	CHECK_INT(strlen(id), 40);
	CHECK_INT(history_undo(s, id), 0);
	CHECK(tsame(f, "aaaa\n", (size_t)-1));
}

TEST(undo_restores_bytes_deletions_and_archive_moves)
{
	const char *s = new_store();
	char id[41], *m;

	/* the state before the change */
	twrite(tpath("%s/a.md", s), bin, sizeof(bin) - 1);
	twrite(tpath("%s/c.md", s), "to be archived\n", (size_t)-1);
	twrite(tpath("%s/notes/deep/x.md", s), "nested\n", (size_t)-1);
	twrite(tpath("%s/empty.md", s), "", 0);
	CHECK_INT(history_commit(s, "found", id), 0);

	/* a change of every kind, as a dream makes it */
	twrite(tpath("%s/a.md", s), "rewritten\n", (size_t)-1);
	unlink(tpath("%s/notes/deep/x.md", s));
	tmkdirs(tpath("%s/archive", s));
	rename(tpath("%s/c.md", s), tpath("%s/archive/c.md", s));
	twrite(tpath("%s/d.md", s), "new\n", (size_t)-1);
	twrite(tpath("%s/.lock", s), "4242 1700000000\n", (size_t)-1);
	CHECK_INT(history_commit(s, "dream: merged 1, archived c", id), 0);
	CHECK_INT(strlen(id), 40);

	CHECK_INT(history_undo(s, id), 0);
	CHECK_INT(strlen(id), 40);
	CHECK(tsame(tpath("%s/a.md", s), bin, sizeof(bin) - 1));
	CHECK(tsame(tpath("%s/c.md", s), "to be archived\n", (size_t)-1));
	CHECK(tsame(tpath("%s/notes/deep/x.md", s), "nested\n", (size_t)-1));
	CHECK(tsame(tpath("%s/empty.md", s), "", 0));
	CHECK(!texists(tpath("%s/d.md", s)));
	CHECK(!texists(tpath("%s/archive/c.md", s)));
	CHECK(!texists(tpath("%s/archive", s))); /* emptied directory removed */
	/* the lock of a running process is not kairos's history to restore */
	CHECK(tsame(tpath("%s/.lock", s), "4242 1700000000\n", (size_t)-1));
	/* no temporary file left behind */
	CHECK(system(tpath("ls -A '%s' | grep -q kairos-tmp", s)) != 0);
	m = top_message(s);
	CHECK_STR(m, "undo: dream: merged 1, archived c");
	free(m);
	CHECK_INT(log_count(s), 3);
	/* the undone state is what history now holds */
	CHECK_INT(history_commit(s, "nothing", id), 0);
	CHECK_STR(id, "");
}

TEST(undo_of_undo_redoes)
{
	const char *s = new_store();
	char id[41], *m;

	twrite(tpath("%s/a.md", s), "one\n", (size_t)-1);
	CHECK_INT(history_commit(s, "x", id), 0);
	twrite(tpath("%s/a.md", s), "two\n", (size_t)-1);
	twrite(tpath("%s/archive/b.md", s), "old b\n", (size_t)-1);
	CHECK_INT(history_commit(s, "forget: b", id), 0);

	CHECK_INT(history_undo(s, id), 0);
	CHECK(tsame(tpath("%s/a.md", s), "one\n", (size_t)-1));
	CHECK(!texists(tpath("%s/archive/b.md", s)));
	CHECK_INT(history_undo(s, id), 0); /* redo */
	CHECK(tsame(tpath("%s/a.md", s), "two\n", (size_t)-1));
	CHECK(tsame(tpath("%s/archive/b.md", s), "old b\n", (size_t)-1));
	m = top_message(s);
	CHECK_STR(m, "redo: forget: b");
	free(m);
	CHECK_INT(history_undo(s, id), 0); /* and undo again */
	CHECK(tsame(tpath("%s/a.md", s), "one\n", (size_t)-1));
	m = top_message(s);
	CHECK_STR(m, "undo: forget: b");
	free(m);
	CHECK_INT(log_count(s), 5);
}

TEST(undo_records_a_hand_edit_first)
{
	const char *s = new_store();
	char id[41], *m;
	struct history_entry *e;
	size_t n;

	twrite(tpath("%s/a.md", s), "kairos wrote this\n", (size_t)-1);
	CHECK_INT(history_commit(s, "x", id), 0);
	twrite(tpath("%s/a.md", s), "the person edited this\n", (size_t)-1);
	CHECK_INT(history_undo(s, id), 0);
	CHECK(tsame(tpath("%s/a.md", s), "kairos wrote this\n", (size_t)-1));
	CHECK_INT(history_log(s, &e, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(e[0].message, "undo: edit: changes made outside kairos");
		CHECK_STR(e[1].message, "edit: changes made outside kairos");
	}
	history_entries_free(e, n);
	/* the hand edit is not lost: redo brings it back */
	CHECK_INT(history_undo(s, id), 0);
	CHECK(tsame(tpath("%s/a.md", s), "the person edited this\n", (size_t)-1));
	m = top_message(s);
	CHECK_STR(m, "redo: edit: changes made outside kairos");
	free(m);
}

TEST(nothing_to_undo)
{
	const char *s = new_store();
	char id[41] = "x";

	twrite(tpath("%s/a.md", s), "a\n", (size_t)-1);
	CHECK_INT(history_undo(s, id), KR_ENOTFOUND); /* records the store as found, no more */
	CHECK_STR(id, "");
	CHECK(strstr(kr_errmsg(), "nothing to undo") != NULL);
	CHECK(tsame(tpath("%s/a.md", s), "a\n", (size_t)-1));
	CHECK_INT(log_count(s), 1);
}

TEST(missing_store_is_an_empty_snapshot)
{
	const char *s = new_store();
	char id[41];

	CHECK_INT(history_commit(s, "x", id), 0); /* found: nothing */
	twrite(tpath("%s/first.md", s), "first\n", (size_t)-1);
	CHECK_INT(history_commit(s, "remember: first", id), 0);
	CHECK_INT(strlen(id), 40);
	CHECK_INT(history_undo(s, id), 0);
	CHECK(!texists(tpath("%s/first.md", s)));
	CHECK(texists(s)); /* the directory itself stays */
}

TEST(links_and_modes_survive_undo)
{
	const char *s = new_store();
	char id[41], target[64];
	struct stat st;
	ssize_t n;

	tmkdirs(s);
	twrite(tpath("%s/run.sh", s), "#!/bin/sh\n", (size_t)-1);
	chmod(tpath("%s/run.sh", s), 0755);
	CHECK_INT(symlink("../elsewhere.md", tpath("%s/link.md", s)), 0);
	CHECK_INT(history_commit(s, "x", id), 0);
	unlink(tpath("%s/link.md", s));
	chmod(tpath("%s/run.sh", s), 0644);
	CHECK_INT(history_commit(s, "y", id), 0);
	CHECK_INT(strlen(id), 40); /* the mode change alone is a change */
	CHECK_INT(history_undo(s, id), 0);
	n = readlink(tpath("%s/link.md", s), target, sizeof(target) - 1);
	CHECK_INT(n, 15);
	if (n > 0) {
		target[n] = '\0';
		CHECK_STR(target, "../elsewhere.md");
	}
	CHECK(stat(tpath("%s/run.sh", s), &st) == 0 && (st.st_mode & 0100));
}

/* Two processes each add 15 files, committing after each. */
TEST(two_processes_commit_at_once)
{
	const char *s = new_store();
	char id[41], sdir[PATH_MAX + 64];
	pid_t kids[2];
	struct history_entry *e;
	size_t n;
	int ok = 1;

	snprintf(sdir, sizeof(sdir), "%s", s);
	tmkdirs(sdir);
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			int bad = 0;
			for (int i = 0; i < 15; i++) {
				char msg[64], cid[41];
				twrite(tpath("%s/p%d-%02d.md", sdir, k, i), "memory\n", (size_t)-1);
				snprintf(msg, sizeof(msg), "remember: p%d-%02d", k, i);
				if (history_commit(sdir, msg, cid) < 0) {
					fprintf(stderr, "child %d: %s\n", k, kr_errmsg());
					bad = 1;
				}
			}
			_exit(bad);
		}
	}
	for (int k = 0; k < 2; k++) {
		int st;
		waitpid(kids[k], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			ok = 0;
	}
	CHECK(ok);
	/* everything on disk is in history: one more commit finds nothing */
	CHECK_INT(history_commit(sdir, "check", id), 0);
	CHECK_STR(id, "");
	CHECK_INT(history_log(sdir, &e, &n), 0);
	CHECK(n >= 2 && n <= 31);
	history_entries_free(e, n);
	/* and the newest commit holds all 30: undo removes only the last */
	CHECK_INT(history_undo(sdir, id), 0);
	{
		int present = 0;
		for (int k = 0; k < 2; k++)
			for (int i = 0; i < 15; i++)
				present += texists(tpath("%s/p%d-%02d.md", sdir, k, i));
		CHECK(present >= 28 && present < 30); /* a commit adds at most one file per process */
	}
}

TEST(missing_plugin_is_a_clear_error)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		const struct gitops_vtable *vt;
		char id[41];
		int rc;
		setenv("KAIROS_PLUGIN_DIR", "/nonexistent-kairos-plugins", 1);
		rc = gitops_get(&vt);
		if (rc != KR_ENOTFOUND || !strstr(kr_errmsg(), "kairos-git.so was not found") ||
		    !strstr(kr_errmsg(), "/nonexistent-kairos-plugins"))
			_exit(1);
		if (history_commit("/tmp", "x", id) != KR_ENOTFOUND)
			_exit(2);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
}

int main(void)
{
	tsetup();
	RUN(missing_plugin_is_a_clear_error);
	RUN(repo_path_is_under_data_home_with_slug);
	RUN(first_commit_records_store_as_found);
	RUN(unchanged_store_commits_nothing);
	RUN(same_size_edit_with_old_mtime_is_seen);
	RUN(undo_restores_bytes_deletions_and_archive_moves);
	RUN(undo_of_undo_redoes);
	RUN(undo_records_a_hand_edit_first);
	RUN(nothing_to_undo);
	RUN(missing_store_is_an_empty_snapshot);
	RUN(links_and_modes_survive_undo);
	RUN(two_processes_commit_at_once);
	tcleanup();
	CHECK_MAIN_END();
}
