/* journal: journal.jsonl of a store. Appends are one write() of one
 * whole line on an O_APPEND descriptor, under a shared lock, so
 * concurrent writers never interleave, and they never reach history.
 * journal_roll, called apart by whoever may block, bounds the file: the
 * full journal is committed, then the file keeps only its newer half,
 * and that is committed too, so no line is ever dropped. */
#include "kairos/journal.h"
#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/history.h"
#include "kairos/json.h"
#include "kairos/mem.h"
#include "kairos/paths.h"
#include "kairos/redact.h"
#include "kairos/store.h"
#include "kairos/time.h"
#include "store_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* journal_read and journal_roll read at most this much: far above
 * JOURNAL_MAX_BYTES, since appends go on while no roll is due or able
 * to run, and a journal over it could never be rolled again. */
#define JOURNAL_READ_MAX ((size_t)1 << 30)
/* A buffer that fsx_read fills with a whole journal (the NUL too). */
#define JOURNAL_BUF_CAP (JOURNAL_READ_MAX + 1)

static size_t journal_max = JOURNAL_MAX_BYTES;

void journal_set_max(size_t bytes)
{
	journal_max = bytes ? bytes : JOURNAL_MAX_BYTES;
}

/* dir/name (malloc'd), or NULL when that passes a line's cap. */
static char *path_in(const char *dir, const char *name)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	buf_printf(&b, "%s/%s", dir, name);
	return buf_err(&b) ? NULL : buf_detach(&b);
}

#define JOURNAL_FILE "journal.jsonl"

static char *journal_path(const char *dir)
{
	return path_in(dir, JOURNAL_FILE);
}

static char *journal_lock_path(const char *dir)
{
	char *state = paths_state_dir(dir), *p = path_in(state, "journal.lock");
	free(state);
	return p;
}

/* The error of a path that did not fit. */
static int path_fail(const char *dir)
{
	return kr_errc(KR_ENOMEM, "the journal of %s: %s", dir, kr_errmsg());
}

bool journal_over_limit(const char *store_dir)
{
	char *path = journal_path(store_dir);
	struct stat st;
	bool over = path && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (size_t)st.st_size > journal_max;

	free(path);
	return over;
}

/* Bytes of t up to and including its last newline. */
static size_t whole_lines(const struct buf *t)
{
	size_t n = t->len;
	while (n && t->data[n - 1] != '\n')
		n--;
	return n;
}

int journal_roll(const char *store_dir)
{
	char *wlock = NULL, *jlock = NULL, *path = journal_path(store_dir);
	struct buf seen = BUF_INIT_CAP(JOURNAL_BUF_CAP), now = BUF_INIT_CAP(JOURNAL_BUF_CAP),
		   msg = BUF_INIT_CAP(BUF_CAP_LINE);
	int wfd = -1, jfd = -1, dfd = -1, rc = 0;
	size_t base, cut, lines = 0;
	char id[41];

	if (!path) {
		rc = path_fail(store_dir);
		goto out;
	}
	if (!journal_over_limit(store_dir))
		goto out;
	if ((rc = store_dir_open(store_dir, false, &dfd))) {
		if (rc == KR_ENOTFOUND)
			rc = 0;
		goto out;
	}
	/* the store's write lock first, as every writer takes it; while it is
	 * held, only appends change the journal */
	wlock = store_lock_path(store_dir);
	if ((rc = fsx_lock(&wfd, wlock, false, false)))
		goto out;
	if ((rc = fsx_readat(dfd, store_dir, JOURNAL_FILE, JOURNAL_READ_MAX, &seen))) {
		if (rc == KR_ENOTFOUND)
			rc = 0; /* removed meanwhile: nothing to roll */
		goto out;
	}
	if (seen.len <= journal_max)
		goto out; /* another process rolled it already */
	base = whole_lines(&seen);
	/* this commit holds at least the lines of seen[0, base) */
	if ((rc = history_commit(store_dir, "journal: record it before rolling", id)))
		goto out;
	/* the exclusive journal lock only for the swap: an append waits for
	 * one read and one write, never for history */
	if (!(jlock = journal_lock_path(store_dir))) {
		rc = path_fail(store_dir);
		goto out;
	}
	if ((rc = fsx_lock(&jfd, jlock, false, true)))
		goto out;
	if ((rc = fsx_readat(dfd, store_dir, JOURNAL_FILE, JOURNAL_READ_MAX, &now)))
		goto out;
	if (now.len < base || memcmp(now.data, seen.data, base)) {
		rc = kr_err("%s was rewritten while it was being rolled (left as it is)", path);
		goto out;
	}
	/* the newer half stays; what goes was committed above */
	cut = now.len / 2 < base ? now.len / 2 : base;
	while (cut && cut < base && now.data[cut - 1] != '\n')
		cut++;
	if (!cut)
		goto out; /* not one whole line to roll */
	for (size_t i = 0; i < cut; i++)
		lines += now.data[i] == '\n';
	buf_printf(&msg, "journal: roll it\n\nits %zu oldest lines (%zu bytes) are kept in history, in the "
			 "previous commit",
		   lines, cut);
	if ((rc = buf_err(&msg)))
		goto out;
	if ((rc = fsx_write_atomicat(dfd, store_dir, JOURNAL_FILE, now.data + cut, now.len - cut)))
		goto out;
	fsx_unlock(jfd);
	jfd = -1;
	rc = history_commit(store_dir, msg.data, id);
out:
	if (dfd >= 0)
		close(dfd);
	fsx_unlock(jfd);
	fsx_unlock(wfd);
	buf_dispose(&seen);
	buf_dispose(&now);
	buf_dispose(&msg);
	free(wlock);
	free(jlock);
	free(path);
	return rc;
}

/* The line {"ts":...,"kind":kind,<fields>} and its newline, redacted
 * and checked, into red (a line's cap). */
static int journal_line(const char *kind, const char *fields, struct buf *red)
{
	struct buf line = BUF_INIT_CAP(BUF_CAP_LINE);
	struct json j = {0};
	char ts[32];
	int rc;

	if (!kind || !*kind)
		return kr_errc(KR_EINVAL, "a journal line needs a kind");
	time_format((int64_t)time(NULL), ts);
	buf_printf(&line, "{\"ts\":\"%s\",\"kind\":", ts);
	json_escape(&line, kind, strlen(kind));
	if (fields && *fields) {
		buf_putc(&line, ',');
		buf_puts(&line, fields);
	}
	buf_putc(&line, '}');
	if ((rc = buf_err(&line)))
		goto out;
	if ((rc = redact(line.data, line.len, red, NULL)))
		goto out;
	if (json_parse(&j, red->data, red->len) || json_type(&j, 0) != JSON_OBJECT) {
		char why[256];
		snprintf(why, sizeof(why), "%s", kr_errmsg());
		rc = kr_errc(KR_EINVAL, "journal line is not one JSON object: %s", why);
		goto out;
	}
	if (memchr(red->data, '\n', red->len)) {
		rc = kr_errc(KR_EINVAL, "journal line holds a newline");
		goto out;
	}
	buf_putc(red, '\n');
	rc = buf_err(red);
out:
	json_dispose(&j);
	buf_dispose(&line);
	return rc;
}

/* journal.jsonl of the directory dfd opened to append: never through a
 * link (a cloned repository's journal.jsonl -> ~/.bashrc), only a
 * regular file (a FIFO would block). */
static int open_for_append(int dfd, const char *dir, int *fd_out, bool *created)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	struct stat st;
	int fd = openat(dfd, JOURNAL_FILE, flags | O_CREAT | O_EXCL, 0644);

	*created = fd >= 0;
	if (fd < 0 && errno == EEXIST)
		fd = openat(dfd, JOURNAL_FILE, flags);
	if (fd < 0) {
		if (errno == ELOOP || errno == EEXIST)
			return kr_err("%s/" JOURNAL_FILE " is a symbolic link: refused (kairos never "
				      "writes through a link in a store)", dir);
		return kr_err("%s/" JOURNAL_FILE ": %s", dir, fsx_strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return kr_err("%s/" JOURNAL_FILE " is not a regular file: refused", dir);
	}
	*fd_out = fd;
	return 0;
}

int journal_append_mark(const char *store_dir, const char *kind, const char *fields,
			struct journal_mark *mark)
{
	struct buf red = BUF_INIT_CAP(BUF_CAP_LINE);
	char *lock = NULL;
	int fd = -1, lfd = -1, dfd = -1, rc;
	bool created = false;

	if (mark)
		memset(mark, 0, sizeof(*mark));
	if ((rc = journal_line(kind, fields, &red)))
		goto out;
	if ((rc = store_dir_open(store_dir, true, &dfd)))
		goto out;
	if (!(lock = journal_lock_path(store_dir))) {
		rc = path_fail(store_dir);
		goto out;
	}
	if ((rc = fsx_lock(&lfd, lock, true, true)) || (rc = open_for_append(dfd, store_dir, &fd, &created)))
		goto out;
	for (;;) {
		ssize_t w = write(fd, red.data, red.len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w != (ssize_t)red.len) {
			rc = kr_err("%s/" JOURNAL_FILE ": short write: %s", store_dir,
				    w < 0 ? fsx_strerror(errno) : "the disk is full?");
			goto out;
		}
		break;
	}
	if (mark) {
		off_t end = lseek(fd, 0, SEEK_CUR);
		mark->at = end >= (off_t)red.len ? (long long)(end - (off_t)red.len) : -1;
		mark->line = buf_detach(&red);
		mark->created = created;
	}
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	fsx_unlock(lfd);
	buf_dispose(&red);
	free(lock);
	return rc;
}

int journal_append(const char *store_dir, const char *kind, const char *fields)
{
	return journal_append_mark(store_dir, kind, fields, NULL);
}

int journal_retract(const char *store_dir, const struct journal_mark *mark)
{
	struct buf text = BUF_INIT_CAP(JOURNAL_BUF_CAP), out = BUF_INIT_CAP(JOURNAL_BUF_CAP);
	char *lock = NULL;
	int lfd = -1, dfd = -1, rc;
	size_t at, n;

	if (!mark || !mark->line || mark->at < 0)
		return 0;
	at = (size_t)mark->at;
	n = strlen(mark->line);
	if ((rc = store_dir_open(store_dir, false, &dfd)))
		goto out;
	if (!(lock = journal_lock_path(store_dir))) {
		rc = path_fail(store_dir);
		goto out;
	}
	/* exclusive, as a roll's swap: no append runs meanwhile */
	if ((rc = fsx_lock(&lfd, lock, false, true)))
		goto out;
	if ((rc = fsx_readat(dfd, store_dir, JOURNAL_FILE, JOURNAL_READ_MAX, &text)))
		goto out;
	/* gone already (rolled, consumed): nothing of it to take back */
	if (at + n > text.len || memcmp(text.data + at, mark->line, n))
		goto out;
	buf_append(&out, text.data, at);
	buf_append(&out, text.data + at + n, text.len - at - n);
	if ((rc = buf_err(&out)))
		goto out;
	if (!out.len && mark->created) /* it was not there before */
		rc = unlinkat(dfd, JOURNAL_FILE, 0) < 0 ? kr_err("%s/" JOURNAL_FILE ": %s", store_dir,
								 fsx_strerror(errno))
							: 0;
	else
		rc = fsx_write_atomicat(dfd, store_dir, JOURNAL_FILE, buf_cstr(&out), out.len);
out:
	if (dfd >= 0)
		close(dfd);
	fsx_unlock(lfd);
	buf_dispose(&text);
	buf_dispose(&out);
	free(lock);
	return rc;
}

void journal_mark_dispose(struct journal_mark *mark)
{
	free(mark->line);
	memset(mark, 0, sizeof(*mark));
}

int journal_read(const char *store_dir, struct journal_entry **out, size_t *n)
{
	struct buf text = BUF_INIT_CAP(JOURNAL_BUF_CAP);
	struct journal_entry *v = NULL;
	size_t cnt = 0, lineno = 0;
	int rc, dfd;

	*out = NULL;
	*n = 0;
	if ((rc = store_dir_open(store_dir, false, &dfd)))
		return rc == KR_ENOTFOUND ? 0 : rc;
	rc = fsx_readat(dfd, store_dir, JOURNAL_FILE, JOURNAL_READ_MAX, &text);
	close(dfd);
	if (rc == KR_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	for (const char *p = buf_cstr(&text), *end = p + text.len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		lineno++;
		if (l) {
			v = xrealloc(v, (cnt + 1) * sizeof(*v));
			v[cnt].line = xstrndup(p, l);
			v[cnt].lineno = lineno;
			cnt++;
		}
		p = nl ? nl + 1 : end;
	}
	buf_dispose(&text);
	*out = v;
	*n = cnt;
	return 0;
}

void journal_entries_free(struct journal_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].line);
	free(e);
}

int journal_drop(const char *store_dir, const struct strv *consumed)
{
	char *lock = journal_lock_path(store_dir);
	struct buf in = BUF_INIT_CAP(JOURNAL_BUF_CAP);
	/* the lines kept, each ending in a newline: one byte more at most */
	struct buf out = BUF_INIT_CAP(JOURNAL_BUF_CAP);
	bool *used = xcalloc(consumed->n + 1, sizeof(*used));
	int lfd = -1, dfd = -1, rc;

	if (!lock) {
		rc = path_fail(store_dir);
		goto out;
	}
	/* through the store's own directory, never a link (as every write) */
	if ((rc = store_dir_open(store_dir, false, &dfd)))
		goto out;
	/* exclusive: no append lands between the read and the rewrite */
	if ((rc = fsx_lock(&lfd, lock, false, true)))
		goto out;
	rc = fsx_readat(dfd, store_dir, JOURNAL_FILE, JOURNAL_READ_MAX, &in);
	if (rc == KR_ENOTFOUND) {
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	for (const char *p = buf_cstr(&in); *p;) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		bool drop = false;
		for (size_t k = 0; k < consumed->n && !drop; k++)
			if (!used[k] && strlen(consumed->v[k]) == l && !memcmp(consumed->v[k], p, l))
				drop = used[k] = true;
		if (!drop) {
			buf_append(&out, p, l);
			buf_putc(&out, '\n');
		}
		p += l + (e ? 1 : 0);
	}
	if (!(rc = buf_err(&out)))
		rc = fsx_write_atomicat(dfd, store_dir, JOURNAL_FILE, buf_cstr(&out), out.len);
out:
	if (dfd >= 0)
		close(dfd);
	fsx_unlock(lfd);
	free(used);
	buf_dispose(&in);
	buf_dispose(&out);
	free(lock);
	return rc;
}
