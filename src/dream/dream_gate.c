/* dream_gate: what decides whether a dream may run. The lock of a store
 * (<dir>/.lock: one dream at a time, across processes, a stale lock
 * taken over) and the gates (dream.minHours since the last dream,
 * dream.minSignals new signals), read from and recorded in the state
 * file dream.json (protocol/dream.md "When a dream runs"). */
#include "dream_snap.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/journal.h"
#include "kairos/json.h"
#include "kairos/paths.h"
#include "kairos/time.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LOCK_STALE_SECS 3600

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

/* pid and start time of a lock file's content (0 when unreadable). */
static void lock_read(int fd, long *pid, int64_t *started)
{
	char text[256];
	ssize_t r = pread(fd, text, sizeof(text) - 1, 0);
	struct json j = {0};

	*pid = 0;
	*started = 0;
	if (r <= 0)
		return;
	text[r] = 0;
	if (json_parse(&j, text, strlen(text)) == 0) {
		char *s = json_get_str(&j, 0, "started");
		*pid = (long)json_get_int(&j, 0, "pid", 0);
		if (s)
			time_parse(s, started);
		free(s);
	}
	json_dispose(&j);
}

static int lock_busy(long pid)
{
	if (pid > 0)
		return kr_errc(KR_EBUSY, "a dream is already running (pid %ld)", pid);
	return kr_errc(KR_EBUSY, "a dream is already running");
}

int dream_gate_lock(struct dream_lock *l, const char *store_dir)
{
	char *path = join(store_dir, ".lock");

	l->fd = -1;
	l->path = NULL;
	for (int attempt = 0; attempt < 8; attempt++) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		struct stat a, b;
		long pid;
		int64_t started;

		if (fd < 0) {
			int e = errno;
			free(path);
			if (e == EACCES || e == EROFS || e == EPERM)
				return kr_err("the store %s is read-only", store_dir);
			return kr_err("cannot create the dream lock in %s: %s", store_dir, strerror(e));
		}
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			char text[128], ts[TIME_FORMAT_LEN];
			int n;
			/* the path must still name the file we locked (a releaser unlinks it) */
			if (fstat(fd, &a) || stat(path, &b) || a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
				close(fd);
				continue;
			}
			time_format((int64_t)time(NULL), ts);
			n = snprintf(text, sizeof(text), "{\"pid\": %ld, \"started\": \"%s\"}\n",
				     (long)getpid(), ts);
			if (ftruncate(fd, 0) || pwrite(fd, text, (size_t)n, 0) != n) {
				int e = errno;
				unlink(path);
				close(fd);
				free(path);
				return kr_err("cannot write the dream lock in %s: %s", store_dir, strerror(e));
			}
			l->fd = fd;
			l->path = path;
			return 0;
		}
		lock_read(fd, &pid, &started);
		close(fd);
		/* held: stale when older than 60 minutes or its process is gone */
		if ((started && (int64_t)time(NULL) - started > LOCK_STALE_SECS) ||
		    (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)) {
			unlink(path);
			continue;
		}
		free(path);
		return lock_busy(pid);
	}
	free(path);
	return kr_errc(KR_EBUSY, "a dream is already running");
}

void dream_gate_unlock(struct dream_lock *l)
{
	if (l->fd >= 0) {
		unlink(l->path);
		close(l->fd);
	}
	free(l->path);
	l->fd = -1;
	l->path = NULL;
}

int dream_gate_lock_check(const char *store_dir)
{
	char *path = join(store_dir, ".lock");
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), rc = 0;
	long pid;
	int64_t started;

	free(path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		close(fd);
		return 0;
	}
	lock_read(fd, &pid, &started);
	close(fd);
	if (!(started && (int64_t)time(NULL) - started > LOCK_STALE_SECS))
		rc = lock_busy(pid);
	return rc;
}

/* ---- gates ------------------------------------------------------------ */

static char *state_path(const char *store_dir)
{
	char *d = paths_state_dir(store_dir), *p;
	if (!d)
		return NULL;
	p = join(d, "dream.json");
	free(d);
	return p;
}

static int64_t last_dream(const char *store_dir)
{
	char *p = state_path(store_dir);
	char text[512];
	int64_t t = 0;
	FILE *f = p ? fopen(p, "r") : NULL;

	if (f) {
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		struct json j = {0};
		text[n] = 0;
		if (json_parse(&j, text, n) == 0) {
			char *s = json_get_str(&j, 0, "lastDream");
			if (s)
				time_parse(s, &t);
			free(s);
		}
		json_dispose(&j);
		fclose(f);
	}
	free(p);
	return t;
}

int dream_gate_record(const char *store_dir, int64_t when, const struct dream_report *r)
{
	char *p = state_path(store_dir);
	char ts[TIME_FORMAT_LEN];
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE); /* dream.json: one line */
	int rc;

	if (!p)
		return kr_err("no state directory for %s", store_dir);
	time_format(when, ts);
	buf_printf(&b, "{\"lastDream\": \"%s\", \"changed\": %s, \"commit\": ", ts,
		   r->changed ? "true" : "false");
	if (r->commit[0])
		buf_printf(&b, "\"%s\"}\n", r->commit);
	else
		buf_puts(&b, "null}\n");
	if (!(rc = buf_err(&b)))
		rc = fsx_write_atomic(p, b.data, b.len);
	buf_dispose(&b);
	free(p);
	return rc;
}

/* Memory files of the store changed since `since` (and how many there are). */
static int count_files(const char *dir, int64_t since, int *changed)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int total = 0;

	*changed = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct stat sb;
		char *p;
		if (n <= STRLEN_LIT(".md") || strcmp(e->d_name + n - STRLEN_LIT(".md"), ".md") ||
		    !strcmp(e->d_name, "MEMORY.md") ||
		    e->d_name[0] == '.')
			continue;
		p = join(dir, e->d_name);
		if (!lstat(p, &sb) && S_ISREG(sb.st_mode)) {
			total++;
			if ((int64_t)sb.st_mtime > since)
				(*changed)++;
		}
		free(p);
	}
	closedir(d);
	return total;
}

static int journal_signals(const char *dir, int64_t since)
{
	struct journal_entry *e = NULL;
	size_t n = 0;
	int cnt = 0;

	if (journal_read(dir, &e, &n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct json j = {0};
		if (json_parse(&j, e[i].line, strlen(e[i].line)) == 0) {
			char *ts = json_get_str(&j, 0, "ts");
			int64_t t = 0;
			if (ts && !time_parse(ts, &t) && t > since)
				cnt++;
			free(ts);
		}
		json_dispose(&j);
	}
	journal_entries_free(e, n);
	return cnt;
}

int dream_gate_check(struct dream_report *out, const struct store *st, const struct dream_opts *o,
		     int64_t now)
{
	int64_t last = last_dream(st->dir);
	struct buf why = BUF_INIT_CAP(BUF_CAP_LINE);
	int files, fchanged, signals;

	if (last && (double)(now - last) < o->min_hours * 3600.0) {
		buf_printf(&why, "last dream %.1f hours ago (dream.minHours is %g)",
			   (double)(now - last) / 3600.0, o->min_hours);
		goto held;
	}
	files = count_files(st->dir, last, &fchanged);
	signals = fchanged + journal_signals(st->dir, last);
	if (signals < o->min_signals) {
		out->kept = files;
		buf_printf(&why, "%d new signals since the last dream (dream.minSignals is %d)", signals,
			   o->min_signals);
		goto held;
	}
	buf_dispose(&why);
	return 0;
held:
	if (!out->kept)
		out->kept = count_files(st->dir, 0, &fchanged);
	out->skipped = buf_err(&why) ? xstrdup("held back by a gate") : buf_detach(&why);
	return 1;
}
