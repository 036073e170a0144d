/* store_stress: crash safety and concurrency of store transactions.
 *   store_stress crash DIR ROUNDS   a writer killed with SIGKILL at a random
 *                                   point, ROUNDS times: every file on disk
 *                                   parses, every memory whose commit the
 *                                   writer reported is on disk and in history
 *   store_stress concurrent DIR N   two processes add N memories each at once:
 *                                   2N memories on disk, all in history
 * Prints "N passed, M failed" like a suite. */
#include "kairos/err.h"
#include "kairos/history.h"
#include "kairos/store.h"
#include "kairos/time.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* how the commits this test makes begin, and what it counts */
#define REMEMBER "remember: "

static int passed, failed;

static void check(bool ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		fprintf(stderr, "FAIL: %s\n", what);
	}
}

static int add_one(struct store *st, const char *prefix, int i, char *name_out, size_t cap)
{
	struct store_txn *t = NULL;
	struct mem *m = mem_new();
	char desc[128], ts[32], id[41];
	int rc;

	snprintf(name_out, cap, "%s-%d", prefix, i);
	snprintf(desc, sizeof(desc), "Memory %d written by %s", i, prefix);
	m->name = xstrdup(name_out);
	m->description = xstrdup(desc);
	time_format((int64_t)time(NULL), ts);
	m->created = xstrdup(ts);
	m->updated = xstrdup(ts);
	free(m->body);
	m->body = xstrdup("A body long enough to take a few writes to reach the disk.\n");
	if ((rc = store_txn_begin(&t, st)) == 0) {
		if ((rc = store_txn_write(t, m)) == 0) {
			char msg[160];
			snprintf(msg, sizeof(msg), REMEMBER "%s", name_out);
			rc = store_txn_commit(t, msg, id);
		} else {
			store_txn_abort(t);
		}
	}
	mem_free(m);
	return rc;
}

/* Adds memories forever (or n of them), writing each committed name to fd. */
static int writer(const char *dir, const char *prefix, int start, int n, int fd)
{
	struct store st = {.kind = STORE_PERSONAL, .dir = (char *)dir, .writable = true};
	char name[96], line[128];

	for (int i = start; n < 0 || i < start + n; i++) {
		if (add_one(&st, prefix, i, name, sizeof(name))) {
			fprintf(stderr, "writer: %s\n", kr_errmsg());
			return 1;
		}
		if (fd >= 0) {
			int l = snprintf(line, sizeof(line), "%s\n", name);
			if (write(fd, line, (size_t)l) != l)
				return 1;
		}
	}
	return 0;
}

static bool on_disk(const char *dir, const char *name)
{
	char p[PATH_MAX];
	struct mem *m = NULL;
	snprintf(p, sizeof(p), "%s/%s.md", dir, name);
	if (mem_parse_read_file(&m, p))
		return false;
	mem_free(m);
	return true;
}

/* Every memory file parses, and history holds exactly what is on disk
 * once a transaction has run (it records what the killed writer left). */
static void verify_store(const char *dir, size_t want_at_least, const char *label)
{
	struct store st = {.kind = STORE_PERSONAL, .dir = (char *)dir, .writable = true};
	struct mem_list l = {0};
	struct store_problem *p = NULL;
	size_t np = 0;
	char msg[256], id[41];
	struct store_txn *t = NULL;

	store_load(&st, &l, true, &p, &np);
	for (size_t i = 0; i < np; i++)
		fprintf(stderr, "%s: %s: %s\n", label, p[i].path, p[i].msg);
	snprintf(msg, sizeof(msg), "%s: every file parses", label);
	check(np == 0, msg);
	snprintf(msg, sizeof(msg), "%s: %zu memories on disk (want >= %zu)", label, l.n,
		 want_at_least);
	check(l.n >= want_at_least, msg);
	/* a transaction records whatever the killed writer left; after it,
	 * nothing is left uncommitted */
	check(store_txn_begin(&t, &st) == 0 && store_txn_commit(t, "check", id) == 0,
	      "recovery transaction");
	check(history_commit(dir, "check", id) == 0 && id[0] == '\0',
	      "history holds exactly what is on disk");
	mem_list_dispose(&l);
	store_problem_free_all(p, np);
}

static int crash(const char *dir, int rounds)
{
	int next = 0;
	char **committed = NULL;
	size_t ncommitted = 0;

	srand((unsigned)getpid());
	for (int r = 0; r < rounds; r++) {
		int fds[2];
		pid_t pid;
		char buf[8192];
		ssize_t n;
		size_t have = 0;

		if (pipe(fds) < 0)
			return 1;
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			_exit(writer(dir, "crash", next, -1, fds[1]));
		}
		close(fds[1]);
		/* a random point: 0 to 80 ms into the writer's life (loading the git
		 * plugin and the first commit take about 20 ms) */
		usleep((useconds_t)(rand() % 80000));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while ((n = read(fds[0], buf + have, sizeof(buf) - 1 - have)) > 0)
			have += (size_t)n;
		close(fds[0]);
		buf[have] = '\0';
		for (char *s = buf, *nl; (nl = strchr(s, '\n')); s = nl + 1) {
			*nl = '\0';
			committed = realloc(committed, (ncommitted + 1) * sizeof(*committed));
			committed[ncommitted++] = strdup(s);
			next++;
		}
		next++; /* the one that may have been half written gets skipped */
		/* every file parses; every committed memory is there */
		{
			struct store st = {.kind = STORE_PERSONAL, .dir = (char *)dir, .writable = true};
			struct mem_list l = {0};
			struct store_problem *p = NULL;
			size_t np = 0;
			bool all = true;
			store_load(&st, &l, false, &p, &np);
			for (size_t i = 0; i < np; i++)
				fprintf(stderr, "round %d: %s: %s\n", r, p[i].path, p[i].msg);
			for (size_t i = 0; i < ncommitted; i++)
				if (!mem_list_find(&l, committed[i])) {
					fprintf(stderr, "round %d: committed %s is missing\n", r,
						committed[i]);
					all = false;
				}
			check(np == 0 && all, "after a kill: files parse, committed memories present");
			mem_list_dispose(&l);
			store_problem_free_all(p, np);
		}
	}
	verify_store(dir, ncommitted, "crash");
	{
		/* every committed memory is in history too */
		struct history_entry *e = NULL;
		size_t n = 0, found = 0;
		history_log(dir, &e, &n);
		for (size_t i = 0; i < ncommitted; i++) {
			check(on_disk(dir, committed[i]), "committed memory still on disk");
			found++;
		}
		check(n >= 2, "history has commits");
		history_entries_free(e, n);
		printf("crash: %d rounds, %zu memories committed before a kill\n", rounds, found);
	}
	for (size_t i = 0; i < ncommitted; i++)
		free(committed[i]);
	free(committed);
	return 0;
}

static int concurrent(const char *dir, int n)
{
	pid_t a, b;
	int sa = 0, sb = 0;
	struct history_entry *e = NULL;
	size_t ne = 0, remembers = 0;

	if ((a = fork()) == 0)
		_exit(writer(dir, "left", 0, n, -1));
	if ((b = fork()) == 0)
		_exit(writer(dir, "right", 0, n, -1));
	waitpid(a, &sa, 0);
	waitpid(b, &sb, 0);
	check(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "first writer succeeded");
	check(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "second writer succeeded");
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "left-%d", i);
		check(on_disk(dir, name), "left memory on disk");
		snprintf(name, sizeof(name), "right-%d", i);
		check(on_disk(dir, name), "right memory on disk");
	}
	check(history_log(dir, &e, &ne) == 0, "history readable");
	for (size_t i = 0; i < ne; i++)
		remembers += !strncmp(e[i].message, REMEMBER, STRLEN_LIT(REMEMBER));
	{
		char msg[128];
		snprintf(msg, sizeof(msg), "%zu remember commits (want %d)", remembers, 2 * n);
		check(remembers == (size_t)(2 * n), msg);
	}
	history_entries_free(e, ne);
	verify_store(dir, (size_t)(2 * n), "concurrent");
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;

	if (argc == 4 && !strcmp(argv[1], "crash"))
		rc = crash(argv[2], atoi(argv[3]));
	else if (argc == 4 && !strcmp(argv[1], "concurrent"))
		rc = concurrent(argv[2], atoi(argv[3]));
	else
		fprintf(stderr, "usage: store_stress crash|concurrent DIR N\n");
	if (rc == 2)
		return 2;
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : rc;
}
