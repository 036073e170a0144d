/* store_ops: remember, forget and undo as the person asks for them, one
 * implementation for the CLI and the server: the text made a memory
 * (UTF-8, redacted, named, described), one transaction, one commit whose
 * message has one format whoever asked. */
#include "kairos/store_ops.h"
#include "kairos/err.h"
#include "kairos/history.h"
#include "kairos/journal.h"
#include "kairos/json.h"
#include "kairos/paths.h"
#include "kairos/redact.h"
#include "kairos/text.h"
#include "kairos/time.h"
#include "store_dir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#define DESCRIPTION_MAX 150 /* characters: memory-format.md */

void store_ops_result_dispose(struct store_ops_result *r)
{
	free(r->name);
	free(r->path);
	free(r->uri);
	free(r->undone_subject);
	memset(r, 0, sizeof(*r));
}

#define REPLACEMENT_CHAR "\xEF\xBF\xBD" /* U+FFFD */

/* *out: s with every invalid UTF-8 byte replaced by U+FFFD, then
 * redacted (malloc'd): a memory file is UTF-8 and never holds a secret. */
static int clean_text(const char *s, char **out)
{
	size_t n = strlen(s);
	struct buf b = BUF_INIT_CAP(n * STRLEN_LIT(REPLACEMENT_CHAR) + 1);
	int rc;

	for (size_t i = 0; i < n;) {
		size_t l = text_utf8_seqlen(s + i, n - i);
		if (l) {
			buf_append(&b, s + i, l);
			i += l;
		} else {
			buf_puts(&b, REPLACEMENT_CHAR);
			i++;
		}
	}
	if ((rc = buf_err(&b)))
		return rc;
	*out = redact_str(buf_detach(&b), NULL);
	return 0;
}

/* The first non-blank line of text, trimmed, at most DESCRIPTION_MAX
 * characters: one less and an ellipsis when it is longer. */
static char *first_line(const char *text)
{
	const char *p = text, *e;
	size_t n, chars = 0, cut;
	char *d;

	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	e = strchr(p, '\n');
	n = e ? (size_t)(e - p) : strlen(p);
	while (n && strchr(" \t\r", p[n - 1]))
		n--;
	for (cut = 0; cut < n; cut++)
		if (((unsigned char)p[cut] & 0xc0) != 0x80 && ++chars > DESCRIPTION_MAX)
			break;
	if (cut == n)
		return xstrndup(p, n);
	do /* back to the start of the last character kept */
		cut--;
	while (cut && ((unsigned char)p[cut] & 0xc0) == 0x80);
	/* at most DESCRIPTION_MAX characters: small enough for xmalloc */
	d = xmalloc(cut + sizeof("…"));
	memcpy(d, p, cut);
	memcpy(d + cut, "…", sizeof("…"));
	return d;
}

/* *out: the body, text without its leading blank lines and trailing
 * blanks, ending in one newline (malloc'd). */
static int body_of(const char *text, char **out)
{
	struct buf b;
	size_t n;
	int rc;

	while (*text == '\n' || *text == '\r')
		text++;
	n = strlen(text);
	while (n && strchr(" \t\r\n", text[n - 1]))
		n--;
	buf_init(&b, n + 1);
	buf_append(&b, text, n);
	buf_putc(&b, '\n');
	if ((rc = buf_err(&b)))
		return rc;
	*out = buf_detach(&b);
	return 0;
}

static int pick_type(const struct store_ops_note *note, enum mem_type dflt, enum mem_type *out)
{
	int t;

	*out = dflt;
	if (note->type) {
		if ((t = mem_type_parse(note->type)) < 0)
			return kr_errc(KR_EINVAL, "unknown type '%s' (user, feedback, project, reference)",
				       note->type);
		*out = (enum mem_type)t;
	} else if (note->proposed_type && (t = mem_type_parse(note->proposed_type)) >= 0) {
		*out = (enum mem_type)t;
	}
	return 0;
}

/* The person's name, else the proposal (when usable), else one made
 * from the first line. */
static int pick_name(const struct store *st, const struct store_ops_note *note,
		     const char *first, char **out)
{
	if (note->name)
		return store_name_unique(st, note->name, out);
	if (note->proposed_name && !store_name_unique(st, note->proposed_name, out))
		return 0;
	return store_name_from_text(st, first, out);
}

static int copy_paths(struct strv *out, const struct strv *in, const char *what)
{
	for (size_t i = 0; in && i < in->n; i++) {
		if (!paths_rel_safe(in->v[i]))
			return kr_errc(KR_EINVAL, "a %s must stay inside the workspace: '%s'", what,
				       in->v[i]);
		strv_push(out, in->v[i]);
	}
	return 0;
}

/* The memory the note describes, named in st (not written). */
static int build(struct mem **out, const struct store *st, const struct store_ops_note *note,
		 enum mem_type default_type)
{
	struct mem *m = mem_new();
	char *text = NULL, *first = NULL, ts[32];
	int rc;

	if (!note->text) {
		rc = kr_errc(KR_EINVAL, "the text is empty");
		goto out;
	}
	if ((rc = clean_text(note->text, &text)))
		goto out;
	first = first_line(text);
	if (!*first) {
		rc = kr_errc(KR_EINVAL, "the text is empty");
		goto out;
	}
	if ((rc = pick_type(note, default_type, &m->type)))
		goto out;
	if ((rc = copy_paths(&m->scope, note->scope, "scope")) ||
	    (rc = copy_paths(&m->refs, note->refs, "ref")))
		goto out;
	if ((rc = pick_name(st, note, first, &m->name)))
		goto out;
	if (note->proposed_description) {
		char *pd = NULL, *line;
		if ((rc = clean_text(note->proposed_description, &pd)))
			goto out;
		line = first_line(pd);
		free(pd);
		if (*line) {
			free(first);
			first = line;
		} else {
			free(line);
		}
	}
	m->description = first;
	first = NULL;
	free(m->body);
	m->body = NULL;
	if ((rc = body_of(text, &m->body)))
		goto out;
	time_format((int64_t)time(NULL), ts);
	m->created = xstrdup(ts);
	m->updated = xstrdup(ts);
	time_parse(ts, &m->created_ts);
	m->updated_ts = m->created_ts;
	m->source = xstrdup("user");
	m->store = st->kind;
	/* borrowed: build's caller clears it before freeing m */
	m->rule = (struct mem_rule *)note->rule;
	*out = m;
	m = NULL;
out:
	mem_free(m);
	free(first);
	free(text);
	return rc;
}

/* The journal line of a remember: {"name": ..., "uri": ...} members;
 * *mark says where it went, for a change that cannot be committed to
 * take it back. */
static void journal_remember(const struct store *st, const char *name, const char *uri,
			     struct journal_mark *mark)
{
	struct buf f = BUF_INIT_CAP(BUF_CAP_LINE);
	struct jw w;

	jw_init(&w, &f);
	jw_obj(&w);
	jw_kstr(&w, "name", name);
	if (uri)
		jw_kstr(&w, "uri", uri);
	jw_end(&w);
	/* members only: the braces go */
	if (buf_err(&f) || f.len < 2) {
		store_warn("cannot journal the remember of %s: %s", name, kr_errmsg());
	} else {
		f.data[f.len - 1] = '\0';
		if (journal_append_mark(st->dir, "remember", f.data + 1, mark))
			store_warn("cannot journal the remember of %s: %s", name, kr_errmsg());
	}
	buf_dispose(&f);
}

/* Commits t with a message redacted like every other text; msg was
 * checked (buf_err) before anything was written. */
static int commit(struct store_txn *t, struct buf *msg, char *id_out)
{
	char *red = redact_str(buf_detach(msg), NULL);
	int rc = store_txn_commit(t, red, id_out);
	free(red);
	return rc;
}

/* commit, and on success out gets the store and the name changed. */
static int commit_named(struct store_ops_result *out, struct store_txn *t, struct buf *msg,
			const struct store *st, const char *name)
{
	int rc = commit(t, msg, out->commit);

	if (!rc) {
		out->store = st->kind;
		out->name = xstrdup(name);
	}
	return rc;
}

int store_ops_remember(struct store_ops_result *out, struct store *st,
		       const struct store_ops_note *note, enum mem_type default_type)
{
	struct mem *m = NULL;
	struct store_txn *t = NULL;
	struct buf msg = BUF_INIT_CAP(BUF_CAP_LINE);
	struct journal_mark mark = {0};
	char *name = NULL, *path = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!st || !st->dir || !st->writable)
		return kr_errc(KR_EINVAL, "the %s store cannot be written",
			       st ? mem_store_name(st->kind) : "chosen");
	if (note->name && note->name_len && memchr(note->name, '\0', note->name_len))
		return kr_errc(KR_EINVAL, "a memory name cannot hold a NUL character (refused, not "
					  "cut short)");
	if ((rc = build(&m, st, note, default_type)))
		return rc;
	if ((rc = store_txn_begin(&t, st)))
		goto out;
	/* unique again under the lock: another writer may have taken the
	 * name since (a valid name is its own slug, so it stays when free) */
	if ((rc = store_name_from_text(st, m->name, &name)))
		goto out;
	free(m->name);
	m->name = name;
	/* the message and the path before the write: once the file is
	 * there, only the commit may fail */
	buf_printf(&msg, "%s/%s.md", st->dir, m->name);
	if ((rc = buf_err(&msg)))
		goto out;
	path = buf_detach(&msg);
	buf_printf(&msg, "remember: %s\n\n%s memory in the %s store: %s", m->name,
		   mem_type_name(m->type), mem_store_name(st->kind), m->description);
	if ((rc = buf_err(&msg)))
		goto out;
	if ((rc = store_txn_write(t, m)))
		goto out;
	/* inside the transaction, so that its commit holds the line */
	journal_remember(st, m->name, note->uri, &mark);
	rc = commit(t, &msg, out->commit);
	t = NULL; /* freed by the commit in every case */
	if (rc) {
		/* the files are back as they were: so is the journal */
		char why[512];
		snprintf(why, sizeof(why), "%s", kr_errmsg());
		if (journal_retract(st->dir, &mark))
			store_warn("the journal line of the remember of %s stays: %s", m->name,
				   kr_errmsg());
		kr_errc(rc, "%s", why);
		goto out;
	}
	out->store = st->kind;
	out->name = xstrdup(m->name);
	out->path = path;
	path = NULL;
	out->uri = paths_to_uri(out->path);
out:
	journal_mark_dispose(&mark);
	free(path);
	store_txn_abort(t);
	m->rule = NULL; /* the note's */
	mem_free(m);
	buf_dispose(&msg);
	return rc;
}

/* The active memory named name in the first writable store (of order)
 * that holds it; its store in *st. */
static const struct mem *find_writable(struct store_set *set, const char *name, int store,
				       struct store **st)
{
	static const enum mem_store order[] = {STORE_PERSONAL, STORE_TEAM, STORE_USER};
	for (size_t k = 0; k < ARRAY_LEN(order); k++) {
		if (store >= 0 && (int)order[k] != store)
			continue;
		for (size_t i = 0; i < set->mems.n; i++) {
			const struct mem *m = set->mems.v[i];
			if (m->store == order[k] && !strcmp(m->name, name)) {
				*st = store_set_get(set, order[k]);
				return m;
			}
		}
	}
	return NULL;
}

static int not_forgettable(const struct store_set *set, const char *name)
{
	const struct store_problem *p = store_set_problem(set, name);

	for (size_t i = 0; i < set->mems.n; i++) {
		const struct mem *m = set->mems.v[i];
		if (m->store == STORE_IMPORT && !strcmp(m->name, name))
			return kr_errc(KR_EINVAL, "'%s' is imported from %s (read only): edit that file "
						  "instead", name, m->path);
	}
	if (p)
		return kr_errc(KR_ENOTFOUND, "%s is not a valid memory: %s", p->path, p->msg);
	return kr_errc(KR_ENOTFOUND, "no memory named '%s'", name);
}

int store_ops_forget(struct store_ops_result *out, struct store_set *set, const char *name,
		     int store, const char *reason)
{
	struct store *st = NULL;
	struct store_txn *t = NULL;
	struct buf msg = BUF_INIT_CAP(BUF_CAP_LINE);
	const struct mem *m;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!name || !*name)
		return kr_errc(KR_EINVAL, "forget needs the name of a memory");
	if (!(m = find_writable(set, name, store, &st)))
		return not_forgettable(set, name);
	/* the message before the archive: m belongs to the set's list */
	buf_printf(&msg, "forget: %s\n\narchived from the %s store on request: %s", name,
		   mem_store_name(st->kind), m->description);
	if ((rc = buf_err(&msg)))
		goto out;
	if ((rc = store_txn_begin(&t, st)))
		goto out;
	if ((rc = store_txn_archive(t, name, reason ? reason : "forgotten at the person's request",
				    NULL)))
		goto out;
	rc = commit_named(out, t, &msg, st, name);
	t = NULL; /* freed by the commit in every case */
out:
	store_txn_abort(t);
	buf_dispose(&msg);
	return rc;
}

/* ---- restore ---- */

/* *out: dir/name.md (malloc'd), or an error past a line's cap. */
static int pathf_name(char **out, const char *dir, const char *name)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	int rc;

	buf_printf(&b, "%s/%s.md", dir, name);
	if ((rc = buf_err(&b)))
		return rc;
	*out = buf_detach(&b);
	return 0;
}

/* True when archived copy a (archive/<name>~an.md; 1 for <name>.md) is
 * newer than b: later updated, then later archived_at, then larger N. */
static bool newer_copy(const struct mem *a, long an, const struct mem *b, long bn)
{
	int at;

	if (a->updated_ts != b->updated_ts)
		return a->updated_ts > b->updated_ts;
	at = strcmp(a->archived_at ? a->archived_at : "", b->archived_at ? b->archived_at : "");
	return at ? at > 0 : an > bn;
}

/* The newest archived copy of name in st (archive/<name>.md or
 * archive/<name>~N.md, read through the store's own directory): its file
 * name in file and its description (malloc'd) in *desc. KR_ENOTFOUND
 * when there is none. */
static int newest_copy(const struct store *st, const char *name, char file[MEM_FILE_NAME_MAX],
		       char **desc)
{
	struct buf scratch = BUF_INIT_CAP(2 * BUF_CAP_MEMFILE);
	struct mem *best = NULL;
	long best_n = 0;
	size_t nl = strlen(name);
	struct dirent *e;
	DIR *d = NULL;
	int dfd, afd = -1, rc;

	*desc = NULL;
	if ((rc = store_dir_open(st->dir, false, &dfd)))
		return rc;
	rc = store_dir_archive(dfd, st->dir, false, &afd);
	close(dfd);
	if (rc || !(d = fdopendir(afd))) {
		if (!rc)
			close(afd);
		return rc ? rc : kr_err("%s/archive: %s", st->dir, strerror(errno));
	}
	while ((e = readdir(d))) {
		const char *fn = e->d_name, *tail = fn + nl;
		struct mem *m = NULL;
		char *end = NULL, *path;
		long n = 1;

		if (strncmp(fn, name, nl))
			continue;
		if (*tail == '~') {
			n = strtol(tail + 1, &end, 10);
			if (n < 2 || end == tail + 1 || strcmp(end, ".md"))
				continue;
		} else if (strcmp(tail, ".md")) {
			continue;
		}
		path = xstrdup(fn);
		if (mem_parse_read_fileat(&m, dirfd(d), fn, path, &scratch, 0) || strcmp(m->name, name)) {
			mem_free(m);
			free(path);
			continue;
		}
		free(path);
		if (strlen(fn) < MEM_FILE_NAME_MAX && (!best || newer_copy(m, n, best, best_n))) {
			mem_free(best);
			best = m;
			best_n = n;
			memcpy(file, fn, strlen(fn) + 1);
		} else {
			mem_free(m);
		}
	}
	closedir(d);
	buf_dispose(&scratch);
	if (!best)
		return kr_errc(KR_ENOTFOUND, "no archived memory named '%s' in the %s store", name,
			       mem_store_name(st->kind));
	*desc = xstrdup(best->description);
	mem_free(best);
	return 0;
}

static bool active_there(const struct store *st, const char *name)
{
	struct stat sb;
	char *p = NULL;
	bool there;

	if (pathf_name(&p, st->dir, name))
		return false;
	there = lstat(p, &sb) == 0;
	free(p);
	return there;
}

int store_ops_restore(struct store_ops_result *out, struct store_set *set, const char *name,
		      int store)
{
	static const enum mem_store order[] = {STORE_PERSONAL, STORE_TEAM, STORE_USER};
	struct buf msg = BUF_INIT_CAP(BUF_CAP_LINE);
	struct store_txn *t = NULL;
	struct store *st = NULL;
	char file[MEM_FILE_NAME_MAX], *desc = NULL;
	int rc = KR_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (!name || !*name)
		return kr_errc(KR_EINVAL, "restore needs the name of a memory");
	if (!mem_name_valid(name))
		return kr_errc(KR_EINVAL, "'%s' is not a memory name", name);
	for (size_t k = 0; k < ARRAY_LEN(order) && rc == KR_ENOTFOUND; k++) {
		if (store >= 0 && (int)order[k] != store)
			continue;
		st = store_set_get(set, order[k]);
		if (!st || !st->writable)
			continue;
		rc = newest_copy(st, name, file, &desc);
		/* restored or never archived, the memory is there: say so */
		if (rc == KR_ENOTFOUND && active_there(st, name))
			rc = kr_errc(KR_EEXISTS, "%s/%s.md is there already: an active memory named "
						 "'%s' exists, and no archived copy of it", st->dir, name,
				     name);
	}
	if (rc == KR_ENOTFOUND)
		rc = kr_errc(KR_ENOTFOUND, "no archived memory named '%s'%s%s", name,
			     store >= 0 ? " in the " : "",
			     store >= 0 ? mem_store_name((enum mem_store)store) : "");
	if (rc)
		goto out;
	if ((rc = store_txn_begin(&t, st)))
		goto out;
	/* again under the lock: another writer may have changed archive/ */
	free(desc);
	desc = NULL;
	if ((rc = newest_copy(st, name, file, &desc)))
		goto out;
	if ((rc = pathf_name(&out->path, st->dir, name)))
		goto out;
	buf_printf(&msg, "restore: %s\n\nback in the %s store from archive/%s: %s", name,
		   mem_store_name(st->kind), file, desc);
	if ((rc = buf_err(&msg)) || (rc = store_txn_restore(t, name, file)))
		goto out;
	rc = commit_named(out, t, &msg, st, name);
	t = NULL; /* freed by the commit in every case */
	if (!rc)
		out->uri = paths_to_uri(out->path);
out:
	store_txn_abort(t);
	if (rc) {
		free(out->path);
		out->path = NULL;
	}
	free(desc);
	buf_dispose(&msg);
	return rc;
}

/* The writable store of set whose last change is the newest, among
 * those with a change to undo. */
static struct store *newest_change(struct store_set *set)
{
	struct store *best = NULL;
	int64_t best_t = -1;

	for (int k = 0; k < STORE_COUNT; k++) {
		struct store *st = store_set_get(set, (enum mem_store)k);
		struct history_entry *e = NULL;
		size_t n = 0;
		if (!st || !st->writable || history_log(st->dir, &e, &n))
			continue;
		if (n >= 2 && e[0].time > best_t) {
			best_t = e[0].time;
			best = st;
		}
		history_entries_free(e, n);
	}
	return best;
}

int store_ops_undo(struct store_ops_result *out, struct store_set *set, int store)
{
	struct store *st;
	struct history_entry *e = NULL;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store >= 0) {
		st = store_set_get(set, (enum mem_store)store);
		if (!st || !st->writable)
			return kr_errc(KR_EINVAL, "the %s store cannot be written",
				       mem_store_name((enum mem_store)store));
	} else if (!(st = newest_change(set))) {
		return kr_errc(KR_ENOTFOUND, "nothing to undo: no store has a recorded change");
	}
	if ((rc = store_undo(st, out->commit)))
		return rc;
	out->store = st->kind;
	/* the commit undone is the one before the new commit (store_undo may
	 * have recorded a hand edit first: that is what it undid) */
	if (!history_log(st->dir, &e, &n) && n >= 2) {
		const char *m = e[1].message ? e[1].message : "";
		memcpy(out->undone, e[1].id, sizeof(out->undone));
		out->undone_subject = xstrndup(m, strcspn(m, "\n"));
	}
	history_entries_free(e, n);
	return 0;
}
