/* Tests of repo: co-change hints with their exact thresholds, HEAD, paths
 * in HEAD and in the work tree, renames followed, on repositories built
 * here with the git command. */
#include "check.h"
#include "testfs.h"

#include "kairos/buf.h"
#include "kairos/err.h"
#include "kairos/repo.h"

static char repo[PATH_MAX + 64];
static long gitdate = 1700000000;

__attribute__((format(printf, 1, 2))) static int git(const char *fmt, ...)
{
	char args[4096], cmd[PATH_MAX + 4200], date[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	/* distinct, increasing dates: "the last N commits" is unambiguous */
	snprintf(date, sizeof(date), "@%ld +0000", gitdate++);
	setenv("GIT_AUTHOR_DATE", date, 1);
	setenv("GIT_COMMITTER_DATE", date, 1);
	snprintf(cmd, sizeof(cmd), "cd '%s' && git %s >/dev/null 2>&1", repo, args);
	return system(cmd);
}

/* One commit that changes each of the NULL-terminated files. */
static void commit_files(const char *first, ...)
{
	static int serial;
	va_list ap;
	char content[64];

	serial++;
	va_start(ap, first);
	for (const char *f = first; f; f = va_arg(ap, const char *)) {
		snprintf(content, sizeof(content), "change %d\n", serial);
		twrite(tpath("%s/%s", repo, f), content, (size_t)-1);
	}
	va_end(ap);
	if (git("add -A") != 0 || git("commit -q -m 'change %d'", serial) != 0)
		fprintf(stderr, "git commit failed in %s\n", repo);
}

static void new_repo(const char *name)
{
	snprintf(repo, sizeof(repo), "%s/%s", testfs_root, name);
	tmkdirs(repo);
	if (git("init -q -b main .") != 0)
		fprintf(stderr, "git init failed in %s\n", repo);
}

static int find_hint(const struct repo_cochange *c, size_t n, const char *path,
		     const char *partner)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].path, path) && !strcmp(c[i].partner, partner))
			return (int)i;
	return -1;
}

TEST(cochange_thresholds)
{
	struct repo_cochange *c = NULL;
	size_t n = 0;
	int i;

	new_repo("cochange");
	/* m1: 10 commits, 6 with p1: exactly 60% and 6 >= 5 -> a hint */
	for (int k = 0; k < 10; k++)
		k < 6 ? commit_files("m1.c", "p1.c", NULL) : commit_files("m1.c", NULL);
	/* m2: 4 commits, all with p2: 100% but only 4 -> none */
	for (int k = 0; k < 4; k++)
		commit_files("m2.c", "p2.c", NULL);
	/* m3: 17 commits, 10 with p3: 58.8% -> none */
	for (int k = 0; k < 17; k++)
		k < 10 ? commit_files("m3.c", "p3.c", NULL) : commit_files("m3.c", NULL);
	/* m4: 6 of 6 with p4, but p4 is modified now too -> none */
	for (int k = 0; k < 6; k++)
		commit_files("m4.c", "p4.c", NULL);
	/* m5: 60 commits; the oldest 30 without p5, the newest 30 with it:
	 * the last 50 hold 30 (60%) -> a hint counted over a window of 50 */
	for (int k = 0; k < 60; k++)
		k < 30 ? commit_files("m5.c", "q5.c", NULL) : commit_files("m5.c", "p5.c", NULL);
	/* m6: 5 of 5 with p6, but p6 was deleted since -> none */
	for (int k = 0; k < 5; k++)
		commit_files("m6.c", "p6.c", NULL);
	CHECK_INT(git("rm -q p6.c"), 0);
	CHECK_INT(git("commit -q -m 'drop p6'"), 0);

	/* before anything is modified: no hints */
	CHECK_INT(repo_cochange_hints(repo, &c, &n), 0);
	CHECK_INT(n, 0);
	repo_cochange_free(c, n);

	for (int k = 1; k <= 6; k++)
		twrite(tpath("%s/m%d.c", repo, k), "edited now\n", (size_t)-1);
	twrite(tpath("%s/p4.c", repo), "edited now\n", (size_t)-1);
	twrite(tpath("%s/untracked.c", repo), "new\n", (size_t)-1);

	CHECK_INT(repo_cochange_hints(repo, &c, &n), 0);
	CHECK_INT(n, 2);
	i = find_hint(c, n, "m1.c", "p1.c");
	CHECK(i >= 0);
	if (i >= 0) {
		CHECK_INT(c[i].together, 6);
		CHECK_INT(c[i].total, 10);
	}
	i = find_hint(c, n, "m5.c", "p5.c");
	CHECK(i >= 0);
	if (i >= 0) {
		CHECK_INT(c[i].together, 30);
		CHECK_INT(c[i].total, 50);
	}
	CHECK(find_hint(c, n, "m2.c", "p2.c") < 0);
	CHECK(find_hint(c, n, "m3.c", "p3.c") < 0);
	CHECK(find_hint(c, n, "m4.c", "p4.c") < 0);
	CHECK(find_hint(c, n, "p4.c", "m4.c") < 0);
	CHECK(find_hint(c, n, "m5.c", "q5.c") < 0); /* only 20 of the last 50 */
	CHECK(find_hint(c, n, "m6.c", "p6.c") < 0);
	if (n == 2) /* sorted by path */
		CHECK(strcmp(c[0].path, c[1].path) < 0);
	repo_cochange_free(c, n);

	/* a workspace below the repository's root sees its own paths */
	tmkdirs(tpath("%s/sub", repo));
	commit_files("sub/a.c", "sub/b.c", "m1.c", NULL); /* moves HEAD, renews the cache */
	for (int k = 0; k < 5; k++)
		commit_files("sub/a.c", "sub/b.c", NULL);
	twrite(tpath("%s/sub/a.c", repo), "edited now\n", (size_t)-1);
	CHECK_INT(repo_cochange_hints(tpath("%s/sub", repo), &c, &n), 0);
	CHECK_INT(n, 1); /* m1.c lies outside the workspace */
	if (n == 1) {
		CHECK_STR(c[0].path, "a.c");
		CHECK_STR(c[0].partner, "b.c");
		CHECK_INT(c[0].together, 6);
		CHECK_INT(c[0].total, 6);
	}
	repo_cochange_free(c, n);
}

TEST(head_id_matches_git)
{
	char id[41] = "", want[64] = "";
	FILE *f;

	new_repo("head");
	CHECK_INT(repo_head_id(repo, id), KR_ENOTFOUND); /* unborn */
	commit_files("a.c", NULL);
	CHECK_INT(repo_head_id(repo, id), 0);
	f = popen(tpath("cd '%s' && git rev-parse HEAD", repo), "r");
	CHECK(f && fgets(want, sizeof(want), f));
	if (f)
		pclose(f);
	want[strcspn(want, "\n")] = '\0';
	CHECK_STR(id, want);
}

TEST(path_exists_in_head_and_work_tree)
{
	bool h, w;

	new_repo("paths");
	commit_files("src/kept.c", "src/gone.c", NULL);
	unlink(tpath("%s/src/gone.c", repo));
	twrite(tpath("%s/src/new.c", repo), "new\n", (size_t)-1);

	CHECK_INT(repo_path_exists(repo, "src/kept.c", &h, &w), 0);
	CHECK(h && w);
	CHECK_INT(repo_path_exists(repo, "src/gone.c", &h, &w), 0);
	CHECK(h && !w);
	CHECK_INT(repo_path_exists(repo, "src/new.c", &h, &w), 0);
	CHECK(!h && w);
	CHECK_INT(repo_path_exists(repo, "src/never.c", &h, &w), 0);
	CHECK(!h && !w);
	CHECK_INT(repo_path_exists(repo, "src", &h, &w), 0); /* a directory */
	CHECK(h && w);
	CHECK_INT(repo_path_exists(repo, "./src//x/../kept.c", &h, &w), 0);
	CHECK(h && w);
	CHECK_INT(repo_path_exists(repo, "../paths/src/kept.c", &h, &w), KR_EINVAL);
	CHECK_INT(repo_path_exists(repo, "/etc/passwd", &h, &w), KR_EINVAL);
	{ /* a path longer than any line: a clean error, nothing looked up */
		size_t n = BUF_CAP_LINE + 16;
		char *lng = malloc(n + 1);
		memset(lng, 'a', n);
		lng[n] = '\0';
		h = w = true;
		CHECK_INT(repo_path_exists(repo, lng, &h, &w), KR_ENOMEM);
		CHECK(!h && !w);
		CHECK(strstr(kr_errmsg(), "cap") != NULL);
		free(lng);
	}
	/* a workspace below the root */
	CHECK_INT(repo_path_exists(tpath("%s/src", repo), "kept.c", &h, &w), 0);
	CHECK(h && w);

	/* not a git work tree: KR_ENOTFOUND, the work tree still answered */
	tmkdirs(tpath("%s/plain", testfs_root));
	twrite(tpath("%s/plain/x.c", testfs_root), "x\n", (size_t)-1);
	CHECK_INT(repo_path_exists(tpath("%s/plain", testfs_root), "x.c", &h, &w), KR_ENOTFOUND);
	CHECK(!h && w);
}

TEST(renames_followed_to_the_final_path)
{
	char *final = NULL;
	static const char body[] = "int lexer(void)\n{\n\treturn 42;\n}\n/* a body long enough "
				   "for rename detection to be sure */\n";

	new_repo("renames");
	twrite(tpath("%s/src/lexer.c", repo), body, (size_t)-1);
	twrite(tpath("%s/other.c", repo), "other\n", (size_t)-1);
	CHECK_INT(git("add -A"), 0);
	CHECK_INT(git("commit -q -m init"), 0);
	CHECK_INT(git("mv src/lexer.c src/scan.c"), 0);
	CHECK_INT(git("commit -q -m 'rename 1'"), 0);
	commit_files("other.c", NULL);
	/* second rename, with a small edit: similarity, not identity */
	tmkdirs(tpath("%s/lib", repo));
	CHECK_INT(git("mv src/scan.c lib/scanner.c"), 0);
	{
		char both[512];
		snprintf(both, sizeof(both), "/* moved */\n%s", body);
		twrite(tpath("%s/lib/scanner.c", repo), both, (size_t)-1);
	}
	CHECK_INT(git("add -A"), 0);
	CHECK_INT(git("commit -q -m 'rename 2'"), 0);

	CHECK_INT(repo_follow_renames(repo, "src/lexer.c", &final), 0);
	CHECK_STR(final, "lib/scanner.c");
	free(final);
	CHECK_INT(repo_follow_renames(repo, "src/scan.c", &final), 0);
	CHECK_STR(final, "lib/scanner.c");
	free(final);
	CHECK_INT(repo_follow_renames(repo, "lib/scanner.c", &final), 0);
	CHECK(final == NULL);
	CHECK_INT(repo_follow_renames(repo, "other.c", &final), 0);
	CHECK(final == NULL);
	CHECK_INT(repo_follow_renames(repo, "never/was.c", &final), 0);
	CHECK(final == NULL);

	/* HEAD moves: the cached walk is renewed */
	CHECK_INT(git("mv lib/scanner.c lib/scan2.c"), 0);
	CHECK_INT(git("commit -q -m 'rename 3'"), 0);
	CHECK_INT(repo_follow_renames(repo, "src/lexer.c", &final), 0);
	CHECK_STR(final, "lib/scan2.c");
	free(final);
	CHECK_INT(repo_follow_renames(repo, "../x", &final), KR_EINVAL);
}

TEST(not_a_work_tree)
{
	struct repo_cochange *c = NULL;
	size_t n = 7;
	char *final = (char *)"x";
	char id[41];
	const char *plain = tpath("%s/plain2", testfs_root);

	tmkdirs(plain);
	CHECK_INT(repo_cochange_hints(plain, &c, &n), KR_ENOTFOUND);
	CHECK(c == NULL && n == 0);
	CHECK_INT(repo_head_id(plain, id), KR_ENOTFOUND);
	CHECK_INT(repo_follow_renames(plain, "a.c", &final), KR_ENOTFOUND);
	CHECK(final == NULL);
	CHECK_INT(repo_cochange_hints(tpath("%s/does-not-exist", testfs_root), &c, &n),
		  KR_ENOTFOUND);
}

int main(void)
{
	tsetup();
	setenv("GIT_AUTHOR_NAME", "t", 1);
	setenv("GIT_AUTHOR_EMAIL", "t@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "t", 1);
	setenv("GIT_COMMITTER_EMAIL", "t@example.com", 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	RUN(not_a_work_tree);
	RUN(cochange_thresholds);
	RUN(head_id_matches_git);
	RUN(path_exists_in_head_and_work_tree);
	RUN(renames_followed_to_the_final_path);
	tcleanup();
	CHECK_MAIN_END();
}
