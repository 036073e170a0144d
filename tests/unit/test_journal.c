/* test_journal: appending (one JSON object per line, redacted, lines that
 * do not parse kept), the bound (appends never roll, journal_roll does,
 * keeping every line in history and the newer half in the file, never
 * while a transaction holds the store), and concurrent writers: two
 * appenders and a roller in three processes lose and mix no line. */
#include "check.h"
#include "testfs.h"

#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/time.h"
#include "kairos/history.h"
#include "kairos/journal.h"
#include "kairos/json.h"
#include "kairos/mem.h"
#include "kairos/store.h"

#include <sys/wait.h>

static int nstore;

/* A fresh store directory (not created). */
static const char *new_store(void)
{
	static char dir[PATH_MAX + 64];
	snprintf(dir, sizeof(dir), "%s/stores/j%d", testfs_root, ++nstore);
	return dir;
}

static const char *journal_file(const char *dir)
{
	return tpath("%s/journal.jsonl", dir);
}

static size_t history_count(const char *dir)
{
	struct history_entry *e = NULL;
	size_t n = 0;
	if (history_log(dir, &e, &n))
		return (size_t)-1;
	history_entries_free(e, n);
	return n;
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : st.st_size;
}

TEST(append_writes_one_object_per_line)
{
	char dir[PATH_MAX + 64];
	struct journal_entry *e = NULL;
	size_t n = 0;
	struct json j;

	snprintf(dir, sizeof(dir), "%s", new_store());
	CHECK_INT(journal_append(dir, "edit_pattern", "\"before\":\"a\",\"after\":\"b\",\"line\":3"), 0);
	CHECK_INT(journal_append(dir, "remember", NULL), 0);
	CHECK_INT(journal_append(dir, "bad", "\"x\":"), KR_EINVAL);     /* not JSON */
	CHECK_INT(journal_append(dir, "bad", "\"x\":1,\n\"y\":2"), KR_EINVAL); /* two lines */
	CHECK_INT(journal_append(dir, "", NULL), KR_EINVAL);
	CHECK_INT(journal_read(dir, &e, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(json_parse(&j, e[0].line, strlen(e[0].line)), 0);
		CHECK(json_streq(&j, json_get(&j, 0, "kind"), "edit_pattern"));
		CHECK(json_streq(&j, json_get(&j, 0, "after"), "b"));
		{
			char *ts = json_get_str(&j, 0, "ts");
			int64_t t = 0;
			CHECK(ts && time_parse(ts, &t) == 0 && t > 0);
			free(ts);
		}
		json_dispose(&j);
		CHECK_INT(e[1].lineno, 2);
	}
	journal_entries_free(e, n);
	/* appending never made history */
	CHECK_INT(history_count(dir), 0);
}

TEST(append_redacts_secrets)
{
	char dir[PATH_MAX + 64];
	char *all;

	snprintf(dir, sizeof(dir), "%s", new_store());
	CHECK_INT(journal_append(dir, "remember", "\"text\":\"key AKIAIOSFODNN7EXAMPLE ok\""), 0);
	all = tread(journal_file(dir), NULL);
	CHECK(all && !strstr(all, "AKIA") && strstr(all, "[REDACTED]") && strstr(all, " ok\"}\n"));
	free(all);
}

/* A journal line is one line (BUF_CAP_LINE, its newline too): longer
 * fields are refused and nothing reaches the file. */
TEST(append_refuses_a_line_over_the_cap)
{
	char dir[PATH_MAX + 64], *fields = xmalloc(BUF_CAP_LINE + 16);
	struct journal_entry *e = NULL;
	size_t n = 0, k = BUF_CAP_LINE - 100;

	snprintf(dir, sizeof(dir), "%s", new_store());
	memcpy(fields, "\"t\":\"", STRLEN_LIT("\"t\":\""));
	memset(fields + STRLEN_LIT("\"t\":\""), 'x', BUF_CAP_LINE);
	strcpy(fields + STRLEN_LIT("\"t\":\"") + BUF_CAP_LINE, "\"");
	CHECK_INT(journal_append(dir, "big", fields), KR_ENOMEM);
	CHECK(!texists(journal_file(dir)));
	strcpy(fields + STRLEN_LIT("\"t\":\"") + k, "\"");
	CHECK_INT(journal_append(dir, "big", fields), 0);
	CHECK_INT(journal_read(dir, &e, &n), 0);
	CHECK_INT(n, 1);
	CHECK(n == 1 && strlen(e[0].line) > k && strlen(e[0].line) < BUF_CAP_LINE);
	journal_entries_free(e, n);
	free(fields);
}

TEST(lines_that_do_not_parse_are_kept)
{
	char dir[PATH_MAX + 64];
	struct journal_entry *e = NULL;
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s", new_store());
	twrite(journal_file(dir),
	       "{\"ts\":\"2026-03-02T10:15:00Z\",\"kind\":\"remember\"}\nnot json at all\n\n{\"half\":", (size_t)-1);
	CHECK_INT(journal_append(dir, "remember", NULL), 0);
	CHECK_INT(journal_read(dir, &e, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(e[1].line, "not json at all");
		CHECK_INT(e[1].lineno, 2);
		/* the unfinished line and the append that followed it */
		CHECK(!strncmp(e[2].line, "{\"half\":{\"ts\":", 14));
		CHECK_INT(e[2].lineno, 4);
	}
	journal_entries_free(e, n);
	/* a missing journal is empty */
	CHECK_INT(journal_read(new_store(), &e, &n), 0);
	CHECK_INT(n, 0);
}

/* Appends lines of about 100 bytes until the journal is past max. */
static int fill_past(const char *dir, size_t max)
{
	int i = 0;
	char f[128];
	while (file_size(journal_file(dir)) <= (off_t)max) {
		snprintf(f, sizeof(f), "\"seq\":%d,\"pad\":\"%060d\"", i, i);
		if (journal_append(dir, "observation", f))
			return -1;
		i++;
	}
	return i;
}

TEST(appends_only_report_the_bound)
{
	char dir[PATH_MAX + 64];
	int lines;

	snprintf(dir, sizeof(dir), "%s", new_store());
	journal_set_max(4096);
	CHECK(!journal_over_limit(dir)); /* no journal yet */
	lines = fill_past(dir, 4096);
	CHECK(lines > 30);
	CHECK(journal_over_limit(dir));
	/* far past the bound, an append still only appends */
	for (int i = 0; i < 100; i++)
		CHECK_INT(journal_append(dir, "observation", "\"more\":true"), 0);
	CHECK(file_size(journal_file(dir)) > 4096 + 100 * 40);
	CHECK_INT(history_count(dir), 0);
	journal_set_max(0);
	CHECK(!journal_over_limit(dir));
}

TEST(roll_keeps_every_line)
{
	char dir[PATH_MAX + 64], id[41];
	char *before, *after;
	size_t blen = 0, alen = 0;
	struct history_entry *h = NULL;
	size_t nh = 0;

	snprintf(dir, sizeof(dir), "%s", new_store());
	journal_set_max(4096);
	/* under the bound: nothing to do, no history */
	CHECK_INT(journal_append(dir, "observation", "\"seq\":-1"), 0);
	CHECK_INT(journal_roll(dir), 0);
	CHECK_INT(history_count(dir), 0);
	CHECK_INT(history_commit(dir, "x", id), 0); /* the store as found */
	CHECK(fill_past(dir, 4096) > 0);
	before = tread(journal_file(dir), &blen);
	CHECK_INT(journal_roll(dir), 0);
	after = tread(journal_file(dir), &alen);
	CHECK(!journal_over_limit(dir));
	/* the file keeps its newer half, from a line start */
	CHECK(before && after && alen < blen && alen >= blen / 2 - 200 && alen <= blen / 2 + 200);
	CHECK(after && before && !memcmp(before + blen - alen, after, alen));
	CHECK(before && alen < blen && before[blen - alen - 1] == '\n');
	/* both states are in history */
	CHECK_INT(history_log(dir, &h, &nh), 0);
	CHECK_INT(nh, 3); /* as found, then record, then roll */
	if (nh == 3) {
		CHECK(!strncmp(h[0].message, "journal: roll it", 16));
		CHECK(strstr(h[0].message, "oldest lines") != NULL);
		CHECK_STR(h[1].message, "journal: record it before rolling");
	}
	history_entries_free(h, nh);
	/* the commit before the roll holds every line, byte for byte */
	CHECK_INT(history_undo(dir, id), 0);
	CHECK(before && tsame(journal_file(dir), before, blen));
	free(before);
	free(after);
	journal_set_max(0);
}

TEST(roll_never_waits_for_a_transaction)
{
	char dir[PATH_MAX + 64];
	char *lock, *before;
	size_t blen = 0;
	int fd = -1;

	snprintf(dir, sizeof(dir), "%s", new_store());
	journal_set_max(2048);
	CHECK(fill_past(dir, 2048) > 0);
	before = tread(journal_file(dir), &blen);
	lock = store_lock_path(dir);
	CHECK_INT(fsx_lock(&fd, lock, false, true), 0);
	CHECK_INT(journal_roll(dir), KR_EBUSY);
	CHECK(before && tsame(journal_file(dir), before, blen));
	CHECK_INT(history_count(dir), 0);
	fsx_unlock(fd);
	CHECK_INT(journal_roll(dir), 0);
	CHECK(!journal_over_limit(dir));
	free(lock);
	free(before);
	journal_set_max(0);
}

/* Writer w appends count lines {"w":w,"seq":i,"pad":...}, long enough
 * that an interleaving would show. */
static int append_many(const char *dir, int w, int count)
{
	char f[1200], pad[1001];
	memset(pad, 'a' + w, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	for (int i = 0; i < count; i++) {
		snprintf(f, sizeof(f), "\"w\":%d,\"seq\":%d,\"pad\":\"%s\"", w, i, pad);
		if (journal_append(dir, "observation", f)) {
			fprintf(stderr, "writer %d: %s\n", w, kr_errmsg());
			return 1;
		}
		usleep(300); /* so that the roller rolls while we write */
	}
	return 0;
}

/* Rolls times times, a millisecond apart: while the writers write, and
 * after. */
static int roll_many(const char *dir, int times)
{
	for (int i = 0; i < times; i++) {
		int rc = journal_roll(dir);
		if (rc && rc != KR_EBUSY) {
			fprintf(stderr, "roller: %s\n", kr_errmsg());
			return 1;
		}
		usleep(1000);
	}
	return 0;
}

static bool exited_zero(pid_t pid)
{
	int st;
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Marks seen[w][seq] for every writer's line of text (the "start" line
 * aside); returns how many lines are not whole lines of a writer. */
static int mark_lines(const char *text, bool seen[2][400])
{
	static const char start[] = "\"kind\":\"start\"";
	int bad = 0;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		struct json j;
		if (l && !memmem(p, l, start, strlen(start))) {
			if (json_parse(&j, p, l) == 0) {
				int w = (int)json_get_int(&j, 0, "w", -1), s = (int)json_get_int(&j, 0, "seq", -1);
				char *pad = json_get_str(&j, 0, "pad");
				if (w < 0 || w > 1 || s < 0 || s >= 400 || !pad || strlen(pad) != 1000 ||
				    pad[0] != 'a' + w || pad[999] != 'a' + w)
					bad++;
				else
					seen[w][s] = true;
				free(pad);
				json_dispose(&j);
			} else {
				json_dispose(&j);
				bad++;
			}
		}
		p += l + (nl ? 1 : 0);
	}
	return bad;
}

TEST(two_appenders_and_a_roller_lose_and_mix_nothing)
{
	char dir[PATH_MAX + 64], cmd[PATH_MAX * 8];
	pid_t kids[3];
	bool seen[2][400] = {{false}}, ok = true;
	int bad, missing = 0;
	char *text, *repo;

	snprintf(dir, sizeof(dir), "%s", new_store());
	journal_set_max(64 * 1024);
	CHECK_INT(journal_append(dir, "start", NULL), 0);
	for (int k = 0; k < 3; k++)
		if (!(kids[k] = fork()))
			_exit(k < 2 ? append_many(dir, k, 400) : roll_many(dir, 300));
	for (int k = 0; k < 3; k++)
		ok &= exited_zero(kids[k]);
	CHECK(ok);
	/* the writers wrote 800 KB: the roller rolled it down to the bound */
	CHECK(!journal_over_limit(dir));
	CHECK(history_count(dir) >= 3);
	/* the file: whole lines, nothing mixed */
	text = tread(journal_file(dir), NULL);
	CHECK(text != NULL);
	CHECK_INT(text ? mark_lines(text, seen) : -1, 0);
	free(text);
	/* the file and every version of it in history hold every line */
	repo = history_repo_path(dir);
	snprintf(cmd, sizeof(cmd),
		 /* a commit taken while a line was being appended may end in part
		  * of it (the line is whole in the file and in a later commit):
		  * that last part of a version is left out */
		 "for c in $(git --git-dir='%s' rev-list main); do git --git-dir='%s' show \"$c:journal.jsonl\" "
		 "2>/dev/null > '%s/v'; [ -z \"$(tail -c1 '%s/v')\" ] || sed -i '$d' '%s/v'; cat '%s/v'; "
		 "done > '%s/all-versions'",
		 repo, repo, testfs_root, testfs_root, testfs_root, testfs_root, testfs_root);
	CHECK_INT(system(cmd), 0);
	text = tread(tpath("%s/all-versions", testfs_root), NULL);
	bad = text ? mark_lines(text, seen) : -1;
	CHECK_INT(bad, 0);
	for (int w = 0; w < 2; w++)
		for (int s = 0; s < 400; s++)
			missing += !seen[w][s];
	CHECK_INT(missing, 0);
	free(text);
	free(repo);
	journal_set_max(0);
}

int main(void)
{
	tsetup();
	RUN(append_writes_one_object_per_line);
	RUN(append_redacts_secrets);
	RUN(append_refuses_a_line_over_the_cap);
	RUN(lines_that_do_not_parse_are_kept);
	RUN(appends_only_report_the_bound);
	RUN(roll_keeps_every_line);
	RUN(roll_never_waits_for_a_transaction);
	RUN(two_appenders_and_a_roller_lose_and_mix_nothing);
	tcleanup();
	CHECK_MAIN_END();
}
