/* test_store: loading stores (invalid files reported, never touched),
 * transactions with history, the index and its cap, names and imports
 * (the journal: test_journal.c). */
#include "check.h"
#include "testfs.h"

#include "kairos/err.h"
#include "kairos/fsx.h"
#include "kairos/history.h"
#include "store/imports.h"
#include "kairos/paths.h"
#include "kairos/store.h"
#include "kairos/time.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *valid(const char *name, const char *desc)
{
	return tpath("---\nname: %s\ndescription: %s\ntype: project\n"
		     "created: 2026-03-02T10:15:00Z\nupdated: 2026-03-02T10:15:00Z\n---\nbody of %s\n",
		     name, desc, name);
}

static struct store mkstore(const char *dir, enum mem_store kind)
{
	struct store st = {.kind = kind, .dir = (char *)dir, .writable = true};
	return st;
}

static struct mem *newmem(const char *name, const char *desc, int64_t t)
{
	struct mem *m = mem_new();
	char ts[32];
	m->name = xstrdup(name);
	m->description = xstrdup(desc);
	time_format(t, ts);
	m->created = xstrdup(ts);
	m->updated = xstrdup(ts);
	m->created_ts = m->updated_ts = t;
	return m;
}

/* ---- malformed files: reported, never changed ---- */

struct snap {
	char path[PATH_MAX];
	char *data;
	size_t len;
	struct timespec mtime;
	bool link;
};

static void take(struct snap *s, const char *path)
{
	struct stat st;
	snprintf(s->path, sizeof(s->path), "%s", path);
	lstat(path, &st);
	s->link = S_ISLNK(st.st_mode);
	s->mtime = st.st_mtim;
	s->data = s->link ? NULL : tread(path, &s->len);
}

static bool unchanged(const struct snap *s)
{
	struct stat st;
	size_t len;
	char *d;
	bool same;

	if (lstat(s->path, &st) < 0 || S_ISLNK(st.st_mode) != s->link ||
	    st.st_mtim.tv_sec != s->mtime.tv_sec || st.st_mtim.tv_nsec != s->mtime.tv_nsec)
		return false;
	if (s->link)
		return true;
	d = tread(s->path, &len);
	same = d && len == s->len && !memcmp(d, s->data, len);
	free(d);
	return same;
}

TEST(test_malformed_files)
{
	static const struct {
		const char *name, *text;
	} bad[] = {
		{"empty", ""},
		{"no-front", "just some text\n"},
		{"unclosed", "---\nname: unclosed\ndescription: d\ntype: user\n"},
		{"empty-front", "---\n---\n"},
		{"list-front", "---\n- a\n- b\n---\n"},
		{"scalar-front", "---\nhello\n---\n"},
		{"bad-yaml", "---\nname: [bad-yaml\n---\n"},
		{"tab-yaml", "---\nname: tab-yaml\n\tdescription: x\n---\n"},
		{"no-name", "---\ndescription: d\ntype: user\n---\n"},
		{"no-desc", "---\nname: no-desc\ntype: user\n---\n"},
		{"no-type", "---\nname: no-type\ndescription: d\n---\n"},
		{"bad-type", "---\nname: bad-type\ndescription: d\ntype: gossip\n---\n"},
		{"Bad-Name", "---\nname: Bad-Name\ndescription: d\ntype: user\n---\n"},
		{"other-name", "---\nname: not-the-file\ndescription: d\ntype: user\n---\n"},
		{"bad-created", "---\nname: bad-created\ndescription: d\ntype: user\ncreated: 2026-02-30T00:00:00Z\n---\n"},
		{"bad-updated", "---\nname: bad-updated\ndescription: d\ntype: user\nupdated: tomorrow\n---\n"},
		{"offset-time", "---\nname: offset-time\ndescription: d\ntype: user\ncreated: 2026-03-02T10:15:00+01:00\n---\n"},
		{"bad-utf8", "---\nname: bad-utf8\ndescription: caf\xe9\ntype: user\n---\n"},
		{"overlong", "---\nname: overlong\ndescription: \xc0\xaf\ntype: user\n---\n"},
		{"two-lines", "---\nname: two-lines\ndescription: \"a\\nb\"\ntype: user\n---\n"},
		{"bad-source", "---\nname: bad-source\ndescription: d\ntype: user\nsource: dream2\n---\n"},
		{"bad-scope", "---\nname: bad-scope\ndescription: d\ntype: user\nscope: [\"../../x\"]\n---\n"},
		{"bad-refs", "---\nname: bad-refs\ndescription: d\ntype: user\nrefs: [\"/etc/passwd\"]\n---\n"},
		{"bad-rule", "---\nname: bad-rule\ndescription: d\ntype: user\nrule:\n  pattern: \"[\"\n---\n"},
		{"rule-both", "---\nname: rule-both\ndescription: d\ntype: user\nrule: {pattern: a, literal: b}\n---\n"},
		{"rule-sev", "---\nname: rule-sev\ndescription: d\ntype: user\nrule: {literal: a, severity: loud}\n---\n"},
		{"dup-key", "---\nname: dup-key\ntype: user\ndescription: d\ntype: user\n---\n"},
		{"bad-expires", "---\nname: bad-expires\ndescription: d\ntype: user\nexpires: someday\n---\n"},
		{"supersedes-bad", "---\nname: supersedes-bad\ndescription: d\ntype: user\nsupersedes: [\"../x\"]\n---\n"},
		{"only-dashes", "---"},
		{"crlf-unclosed", "---\r\nname: crlf-unclosed\r\n"},
		{"alias", "---\nname: alias\ndescription: *x\ntype: user\n---\n"},
	};
	struct snap snaps[64];
	size_t ns = 0;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", tpath("%s/malformed", testfs_root));
	struct store st = mkstore(dir, STORE_PERSONAL);
	struct mem_list mems = {0};
	struct store_problem *probs = NULL;
	size_t np = 0, nbad = ARRAY_LEN(bad);
	char outside[PATH_MAX], ids[41];
	struct store_txn *t = NULL;

	tmkdirs(dir);
	for (size_t i = 0; i < nbad; i++) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "%s", tpath("%s/%s.md", dir, bad[i].name));
		twrite(p, bad[i].text, (size_t)-1);
	}
	{
		/* binary junk, NUL bytes, a huge file */
		unsigned char junk[512];
		srand(7);
		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (unsigned char)rand();
		twrite(tpath("%s/junk.md", dir), (const char *)junk, sizeof(junk));
		twrite(tpath("%s/nul.md", dir), "---\nname: nul\0\ndescription: d\ntype: user\n---\n", 44);
		size_t big = MEM_MAX_FILE + 10;
		char *h = malloc(big);
		memset(h, 'x', big);
		memcpy(h, "---\nname: huge\ndescription: d\ntype: user\n---\n", 44);
		twrite(tpath("%s/huge.md", dir), h, big);
		free(h);
		nbad += 3;
	}
	/* symlinks: one out of the store (refused), one broken, one inside (loaded) */
	snprintf(outside, sizeof(outside), "%s/outside.md", testfs_root);
	twrite(outside, valid("escape", "points outside"), (size_t)-1);
	CHECK_INT(symlink(outside, tpath("%s/escape.md", dir)), 0);
	CHECK_INT(symlink(tpath("%s/nowhere.md", testfs_root), tpath("%s/broken.md", dir)), 0);
	twrite(tpath("%s/good.md", dir), valid("good", "A good memory"), (size_t)-1);
	CHECK_INT(symlink("good.md", tpath("%s/alias-good.md", dir)), 0);
	nbad += 3; /* escape, broken, alias-good (its name field says good) */
	/* not memories: ignored, not reported */
	twrite(tpath("%s/notes.txt", dir), "hello", (size_t)-1);
	tmkdirs(tpath("%s/dir.md", dir));
	CHECK(nbad >= 30);

	{
		/* snapshot everything */
		const char *names[] = {"junk", "nul", "huge", "escape", "broken", "alias-good"};
		for (size_t i = 0; i < ARRAY_LEN(bad); i++)
			take(&snaps[ns++], tpath("%s/%s.md", dir, bad[i].name));
		for (size_t i = 0; i < ARRAY_LEN(names); i++)
			take(&snaps[ns++], tpath("%s/%s.md", dir, names[i]));
		take(&snaps[ns++], outside);
		take(&snaps[ns++], tpath("%s/notes.txt", dir));
	}
	CHECK_INT(store_load(&st, &mems, true, &probs, &np), 0);
	CHECK_INT(mems.n, 1);
	CHECK(mems.n && !strcmp(mems.v[0]->name, "good"));
	CHECK_INT(np, nbad);
	for (size_t i = 0; i < np; i++) {
		CHECK(probs[i].msg[0] != '\0');
		CHECK(strstr(probs[i].path, dir) == probs[i].path);
	}
	/* a transaction in that store leaves every one of them alone */
	CHECK_INT(store_txn_begin(&t, &st), 0);
	if (t) {
		struct mem *m = newmem("fresh", "A fresh memory", 1772446500);
		CHECK_INT(store_txn_write(t, m), 0);
		mem_free(m);
		CHECK_INT(store_txn_archive(t, "bad-type", "test", NULL), KR_EINVAL);
		CHECK_INT(store_txn_archive(t, "other-name", "test", NULL), KR_EINVAL);
		CHECK_INT(store_txn_archive(t, "escape", "test", NULL), KR_EINVAL);
		CHECK_INT(store_txn_archive(t, "missing", "test", NULL), KR_ENOTFOUND);
		CHECK_INT(store_txn_commit(t, "remember: fresh", ids), 0);
	}
	for (size_t i = 0; i < ns; i++) {
		if (!unchanged(&snaps[i]))
			fprintf(stderr, "changed: %s\n", snaps[i].path);
		CHECK(unchanged(&snaps[i]));
		free(snaps[i].data);
	}
	CHECK(texists(tpath("%s/fresh.md", dir)));
	mem_list_dispose(&mems);
	store_problem_free_all(probs, np);
}

/* ---- transactions and history ---- */

TEST(test_txn_write_archive_undo)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", tpath("%s/personal", testfs_root));
	struct store st = mkstore(dir, STORE_PERSONAL);
	struct store_txn *t = NULL;
	struct mem_list mems = {0};
	struct history_entry *e = NULL;
	size_t n = 0;
	char id[41], id2[41];
	struct mem *m = newmem("tabs", "Indent with tabs", 1772446500), *r = NULL;

	free(m->body);
	m->body = xstrdup("Tabs. Also the key AKIAIOSFODNN7EXAMPLE must not be kept.\n");
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_write(t, m), 0);
	CHECK_INT(store_txn_commit(t, "remember: tabs", id), 0);
	CHECK(strlen(id) == 40);
	CHECK_INT(mem_parse_read_file(&r, tpath("%s/tabs.md", dir)), 0);
	CHECK(r && strstr(r->body, "[REDACTED]") && !strstr(r->body, "AKIA"));
	mem_free(r);
	r = NULL;
	CHECK(tsame(tpath("%s/MEMORY.md", dir), "- [Indent with tabs](tabs.md) — project\n", (size_t)-1));

	/* a hand edit is committed before the next change */
	twrite(tpath("%s/hand.md", dir), valid("hand", "Written by hand"), (size_t)-1);
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_archive(t, "tabs", "forgotten", "spaces"), 0);
	CHECK_INT(store_txn_commit(t, "forget: tabs", id2), 0);
	CHECK(!texists(tpath("%s/tabs.md", dir)));
	CHECK_INT(mem_parse_read_file(&r, tpath("%s/archive/tabs.md", dir)), 0);
	CHECK(r && r->archived_at && !strcmp(r->archived_reason, "forgotten") &&
	      !strcmp(r->superseded_by, "spaces"));
	mem_free(r);
	r = NULL;
	CHECK_INT(history_log(dir, &e, &n), 0);
	CHECK_INT(n, 4); /* as found, remember, hand edit, forget */
	if (n == 4) {
		CHECK(!strncmp(e[0].message, "forget: tabs", 12));
		CHECK(!strncmp(e[1].message, "edit:", 5));
		CHECK(!strncmp(e[2].message, "remember: tabs", 14));
	}
	history_entries_free(e, n);
	/* undo brings tabs back, byte for byte, and keeps the hand edit */
	CHECK_INT(store_undo(&st, id), 0);
	CHECK(texists(tpath("%s/tabs.md", dir)));
	CHECK(!texists(tpath("%s/archive/tabs.md", dir)));
	CHECK(texists(tpath("%s/hand.md", dir)));
	/* archiving the same name again keeps the older archive copy */
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_archive(t, "tabs", "again", NULL), 0);
	CHECK_INT(store_txn_commit(t, "forget: tabs", id), 0);
	CHECK_INT(store_undo(&st, id), 0);
	twrite(tpath("%s/archive/tabs.md", dir), "not even a memory", (size_t)-1);
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_archive(t, "tabs", "again", NULL), 0);
	CHECK_INT(store_txn_commit(t, "forget: tabs", id), 0);
	CHECK(tsame(tpath("%s/archive/tabs.md", dir), "not even a memory", (size_t)-1));
	/* memory-format.md "Archive names": the next copy is tabs~2.md, and
	 * its name stays tabs (superseded_by keeps pointing at it) */
	CHECK_INT(mem_parse_read_file(&r, tpath("%s/archive/tabs~2.md", dir)), 0);
	CHECK(r && !strcmp(r->name, "tabs"));
	mem_free(r);
	r = NULL;
	CHECK_INT(store_undo(&st, id), 0);
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_archive(t, "tabs", "third", NULL), 0);
	CHECK_INT(store_txn_commit(t, "forget: tabs", id), 0);
	CHECK(texists(tpath("%s/archive/tabs~2.md", dir)));
	CHECK_INT(mem_parse_read_file(&r, tpath("%s/archive/tabs~2.md", dir)), 0);
	CHECK(r && !strcmp(r->name, "tabs") && !strcmp(r->archived_reason, "third"));
	mem_free(r);
	/* the copies load as archived memories named tabs, not as problems */
	{
		struct mem_list l = {0};
		struct store_problem *pr = NULL;
		size_t np = 0, tabs = 0;
		CHECK_INT(store_load(&st, &l, true, &pr, &np), 0);
		for (size_t i = 0; i < l.n; i++)
			tabs += !strcmp(l.v[i]->name, "tabs") && l.v[i]->archived;
		CHECK_INT(tabs, 1); /* tabs.md is "not even a memory": a problem */
		CHECK_INT(np, 1); /* archive/tabs.md, "not even a memory" */
		CHECK(np == 1 && strstr(pr[0].path, "archive/tabs.md"));
		mem_list_dispose(&l);
		store_problem_free_all(pr, np);
	}
	mem_free(m);
	mem_list_dispose(&mems);
}

/* A memory whose file would pass MEM_MAX_FILE is refused whole, and
 * nothing is written: by a write, or by an archive whose added fields
 * would take the file past what a load accepts. */
TEST(test_txn_file_cap)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", tpath("%s/caps", testfs_root));
	struct store st = mkstore(dir, STORE_PERSONAL);
	struct store_txn *t = NULL;
	struct mem *m = newmem("big", "A big memory", 1772446500), *r = NULL;
	struct buf text = BUF_INIT_CAP(MEM_MAX_FILE);
	size_t head, len = 0;
	char id[41], *d;

	/* the front matter alone, so that the body makes the file exactly
	 * MEM_MAX_FILE bytes, then one more */
	CHECK_INT(mem_write(m, &text), 0);
	head = text.len - strlen(m->body);
	buf_dispose(&text);
	free(m->body);
	m->body = xmalloc(MEM_MAX_FILE - head + 2);
	memset(m->body, 'x', MEM_MAX_FILE - head + 1);
	m->body[MEM_MAX_FILE - head + 1] = '\0';
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_write(t, m), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "'big' is larger than 1048576 bytes") != NULL);
	CHECK(!texists(tpath("%s/big.md", dir)));
	m->body[MEM_MAX_FILE - head] = '\0';
	CHECK_INT(store_txn_write(t, m), 0);
	CHECK_INT(store_txn_commit(t, "remember: big", id), 0);
	d = tread(tpath("%s/big.md", dir), &len);
	CHECK_INT(len, MEM_MAX_FILE);
	free(d);
	CHECK_INT(mem_parse_read_file(&r, tpath("%s/big.md", dir)), 0);
	mem_free(r);

	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_archive(t, "big", "too big to archive", NULL), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "larger than 1048576 bytes") != NULL);
	store_txn_abort(t);
	CHECK(texists(tpath("%s/big.md", dir)));
	CHECK(!texists(tpath("%s/archive/big.md", dir)));
	mem_free(m);
}

TEST(test_fill_missing_times)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", tpath("%s/times", testfs_root));
	struct store st = mkstore(dir, STORE_PERSONAL);
	struct store_txn *t = NULL;
	struct mem *m = NULL;
	char id[41];
	const char *text = "---\nname: old\ndescription: no times\ntype: user\n---\nb\n";

	twrite(tpath("%s/old.md", dir), text, (size_t)-1);
	/* loading never adds them */
	{
		struct mem_list l = {0};
		struct store_problem *p = NULL;
		size_t np = 0;
		CHECK_INT(store_load(&st, &l, false, &p, &np), 0);
		CHECK_INT(l.n, 1);
		CHECK_INT(np, 0);
		mem_list_dispose(&l);
	}
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_commit(t, "nothing", id), 0);
	CHECK(tsame(tpath("%s/old.md", dir), text, (size_t)-1));
	/* written for another reason (archived): filled from the file's time */
	CHECK_INT(mem_parse_read_file(&m, tpath("%s/old.md", dir)), 0);
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_archive(t, "old", "test", NULL), 0);
	CHECK_INT(store_txn_commit(t, "forget: old", id), 0);
	{
		struct mem *a = NULL;
		char want[32];
		time_format(m->mtime, want);
		CHECK_INT(mem_parse_read_file(&a, tpath("%s/archive/old.md", dir)), 0);
		CHECK(a && a->created && !strcmp(a->created, want) && !strcmp(a->updated, want));
		mem_free(a);
	}
	mem_free(m);
}

/* ---- index ---- */

TEST(test_index_groups_and_order)
{
	struct mem_list l = {0};
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	struct mem *m;

	m = newmem("p-old", "old project fact", 1000);
	mem_list_push(&l, m);
	m = newmem("f-new", "new feedback", 3000);
	m->type = MEM_FEEDBACK;
	mem_list_push(&l, m);
	m = newmem("p-new", "new project fact", 2000);
	mem_list_push(&l, m);
	m = newmem("u", "who I am", 10);
	m->type = MEM_USER;
	mem_list_push(&l, m);
	m = newmem("r", "the wiki", 5000);
	m->type = MEM_REFERENCE;
	mem_list_push(&l, m);
	m = newmem("gone", "archived", 9000);
	m->archived = true;
	mem_list_push(&l, m);
	CHECK_INT(store_index_text(NULL, &l, &b), 0);
	CHECK_STR(buf_cstr(&b), "- [who I am](u.md) — user\n"
				"- [new feedback](f-new.md) — feedback\n"
				"- [new project fact](p-new.md) — project\n"
				"- [old project fact](p-old.md) — project\n"
				"- [the wiki](r.md) — reference\n");
	buf_dispose(&b);
	mem_list_dispose(&l);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TEST(test_index_cap)
{
	struct mem_list l = {0};
	struct buf b = BUF_INIT_CAP(BUF_CAP_RPC_BODY);
	char name[32], desc[160];

	/* 300 short memories: the line cap bites */
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "m%03d", i);
		snprintf(desc, sizeof(desc), "memory number %d", i);
		mem_list_push(&l, newmem(name, desc, 1000 + i));
	}
	CHECK_INT(store_index_text(NULL, &l, &b), 0);
	CHECK_INT(count_lines(buf_cstr(&b)), 200);
	CHECK(strstr(buf_cstr(&b), "101 more memories not listed") != NULL);
	CHECK(strstr(buf_cstr(&b), "(m299.md)") != NULL); /* newest kept */
	CHECK(strstr(buf_cstr(&b), "(m100.md)") == NULL); /* oldest left out */
	CHECK(b.len <= STORE_INDEX_MAX_BYTES);
	buf_dispose(&b);
	mem_list_dispose(&l);

	/* 199 long descriptions: the byte cap bites first */
	for (int i = 0; i < 199; i++) {
		snprintf(name, sizeof(name), "long-%03d", i);
		memset(desc, 'a' + i % 26, 150);
		desc[150] = '\0';
		mem_list_push(&l, newmem(name, desc, 1000 + i));
	}
	CHECK_INT(store_index_text(NULL, &l, &b), 0);
	CHECK(b.len <= STORE_INDEX_MAX_BYTES);
	CHECK(b.len > STORE_INDEX_MAX_BYTES - 400);
	{
		size_t lines = count_lines(buf_cstr(&b));
		char want[64];
		snprintf(want, sizeof(want), "- (%zu more memories not listed", 199 - (lines - 1));
		CHECK(strstr(buf_cstr(&b), want) != NULL);
	}
	buf_dispose(&b);
	mem_list_dispose(&l);

	/* exactly 200 fit without a note */
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "x%03d", i);
		mem_list_push(&l, newmem(name, "d", 1000 + i));
	}
	CHECK_INT(store_index_text(NULL, &l, &b), 0);
	CHECK_INT(count_lines(buf_cstr(&b)), 200);
	CHECK(strstr(buf_cstr(&b), "not listed") == NULL);
	buf_dispose(&b);
	mem_list_dispose(&l);

	/* lines that fill the byte cap exactly all fit, without a note:
	 * "- [" + 224 + "](" + 4 + ".md) — " + "project" + "\n" is 250 bytes */
	{
		char wide[2 * 112 + 1] = "";
		for (int i = 0; i < 112; i++)
			strcat(wide, "\xc3\xa9");
		for (int i = 0; i < 100; i++) {
			snprintf(name, sizeof(name), "e%03d", i);
			mem_list_push(&l, newmem(name, wide, 1000 + i));
		}
	}
	CHECK_INT(store_index_text(NULL, &l, &b), 0);
	CHECK_INT(b.len, STORE_INDEX_MAX_BYTES);
	CHECK_INT(count_lines(buf_cstr(&b)), 100);
	CHECK(strstr(buf_cstr(&b), "not listed") == NULL);
	buf_dispose(&b);
	mem_list_dispose(&l);

	/* a caller's buffer too small for the index fails whole */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		mem_list_push(&l, newmem(name, "d", 1000 + i));
	}
	buf_init(&b, 100);
	CHECK_INT(store_index_text(NULL, &l, &b), KR_ENOMEM);
	CHECK_INT(b.len, 0);
	buf_dispose(&b);
	mem_list_dispose(&l);
}

/* ---- names ---- */

TEST(test_unique_names)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", tpath("%s/names", testfs_root));
	struct store st = mkstore(dir, STORE_TEAM);
	char *n = NULL;

	tmkdirs(tpath("%s/archive", dir));
	CHECK_INT(store_name_unique(&st, "Use 4 spaces!", &n), 0);
	CHECK_STR(n, "use-4-spaces");
	free(n);
	twrite(tpath("%s/use-4-spaces.md", dir), "x", 1);
	twrite(tpath("%s/archive/use-4-spaces-2.md", dir), "x", 1);
	CHECK_INT(store_name_unique(&st, "use 4 spaces", &n), 0);
	CHECK_STR(n, "use-4-spaces-3");
	free(n);
	n = NULL;
	CHECK_INT(store_name_unique(&st, "../../etc/passwd", &n), KR_EINVAL);
	CHECK_INT(store_name_unique(&st, "a/b", &n), KR_EINVAL);
	CHECK_INT(store_name_unique(&st, "/abs", &n), KR_EINVAL);
	CHECK_INT(store_name_unique(&st, "..", &n), KR_EINVAL);
	CHECK_INT(store_name_unique(&st, "", &n), KR_EINVAL);
	CHECK(n == NULL);
	CHECK_INT(store_name_from_text(&st, "¡¿!!", &n), 0);
	CHECK_STR(n, "memory");
	free(n);
	CHECK_INT(store_name_from_text(&st, "Don't push to main on Fridays, because the deploy "
					    "pipeline freezes over the weekend", &n), 0);
	CHECK(mem_name_valid(n) && strlen(n) <= 48 && !strncmp(n, "dont-push-to-main", 17));
	free(n);
}

/* ---- store sets ---- */

TEST(test_store_set_dirs)
{
	struct store_set s;
	char ws[PATH_MAX];
	snprintf(ws, sizeof(ws), "%s", tpath("%s/ws", testfs_root));
	char *slug;

	tmkdirs(ws);
	CHECK_INT(store_set_open(&s, ws, NULL, false), 0);
	slug = paths_slug(ws);
	CHECK_STR(s.stores[STORE_PERSONAL].dir, tpath("%s/data/kairos/projects/%s", testfs_root, slug));
	CHECK_STR(s.stores[STORE_USER].dir, tpath("%s/data/kairos/user", testfs_root));
	CHECK_STR(s.stores[STORE_TEAM].dir, tpath("%s/ws/.kairos/memory", testfs_root));
	CHECK(store_set_get(&s, STORE_IMPORT) != NULL);
	free(slug);
	store_set_dispose(&s);
	CHECK_INT(store_set_open(&s, ws, tpath("%s/only", testfs_root), true), 0);
	CHECK_STR(s.stores[STORE_PERSONAL].dir, tpath("%s/only", testfs_root));
	CHECK(store_set_get(&s, STORE_USER) == NULL);
	CHECK(store_set_get(&s, STORE_TEAM) == NULL);
	CHECK(store_set_get(&s, STORE_IMPORT) == NULL);
	store_set_dispose(&s);
}

TEST(test_team_store_gitignore_and_load_all)
{
	struct store_set s;
	char ws[PATH_MAX];
	snprintf(ws, sizeof(ws), "%s", tpath("%s/ws2", testfs_root));
	struct store_txn *t = NULL;
	struct mem *m = newmem("team-rule", "A team rule", 1772446500);
	char id[41];

	tmkdirs(ws);
	twrite(tpath("%s/AGENTS.md", ws), "# Build\n\nRun `make` first.\n\n- Use C11\n- No VLAs\n",
	       (size_t)-1);
	CHECK_INT(store_set_open(&s, ws, NULL, false), 0);
	CHECK_INT(store_txn_begin(&t, store_set_get(&s, STORE_TEAM)), 0);
	CHECK_INT(store_txn_write(t, m), 0);
	CHECK_INT(store_txn_commit(t, "remember: team-rule", id), 0);
	CHECK(tsame(tpath("%s/.kairos/memory/.gitignore", ws),
		    "# written by kairos: keep its journal and dream lock out of git\n"
		    "journal.jsonl\n.lock\n", (size_t)-1));
	CHECK_INT(store_set_load(&s), 0);
	CHECK_INT(s.mems.n, 4);
	{
		struct mem *tm = mem_list_find(&s.mems, "team-rule");
		CHECK(tm && tm->store == STORE_TEAM);
		size_t imports = 0;
		for (size_t i = 0; i < s.mems.n; i++)
			if (s.mems.v[i]->store == STORE_IMPORT) {
				imports++;
				CHECK_STR(s.mems.v[i]->source, "import");
			}
		CHECK_INT(imports, 3);
	}
	/* imports are read only */
	CHECK(store_txn_begin(&t, store_set_get(&s, STORE_IMPORT)) != 0);
	mem_free(m);
	store_set_dispose(&s);
}

/* ---- imports ---- */

TEST(test_imports_split)
{
	struct mem_list l = {0}, l2 = {0};
	const char *md = "Intro prose line.\n\n# Style\n\nPrefer clarity.\nAlways.\n\n"
			 "- Use 4 spaces\n- Never push to main\n  without review\n"
			 "  - nested stays inside\n1. numbered item\n\n"
			 "```\n# not a heading\n- not an item\n```\n\n## Empty\n\n";

	CHECK_INT(imports_split("/w/CLAUDE.md", "claude-md", md, strlen(md), 1772446500, &l), 0);
	CHECK_INT(l.n, 5);
	if (l.n == 5) {
		CHECK_STR(l.v[0]->description, "Intro prose line.");
		CHECK_STR(l.v[1]->description, "Use 4 spaces");
		CHECK_STR(l.v[2]->description, "Never push to main");
		CHECK(strstr(l.v[2]->body, "without review") && strstr(l.v[2]->body, "nested stays"));
		CHECK_STR(l.v[3]->description, "numbered item");
		CHECK(strstr(l.v[3]->body, "# not a heading") != NULL); /* the fence joined the item */
		CHECK_STR(l.v[4]->description, "Prefer clarity.");
		for (size_t i = 0; i < l.n; i++) {
			CHECK(mem_name_valid(l.v[i]->name));
			CHECK(!strncmp(l.v[i]->name, "claude-md-", 10));
			CHECK(l.v[i]->store == STORE_IMPORT);
			CHECK_STR(l.v[i]->path, "/w/CLAUDE.md");
		}
	}
	/* names are stable when other items change */
	const char *md2 = "# Style\n\n- A new first item\n- Use 4 spaces\n";
	CHECK_INT(imports_split("/w/CLAUDE.md", "claude-md", md2, strlen(md2), 1, &l2), 0);
	CHECK_INT(l2.n, 2);
	if (l.n == 5 && l2.n == 2)
		CHECK_STR(l2.v[1]->name, l.v[1]->name);
	mem_list_dispose(&l);
	mem_list_dispose(&l2);
}

TEST(test_imports_load)
{
	char ws[PATH_MAX];
	snprintf(ws, sizeof(ws), "%s", tpath("%s/imp", testfs_root));
	struct mem_list l = {0};
	struct store_problem *p = NULL;
	size_t np = 0;
	char *cdir;

	twrite(tpath("%s/.github/copilot-instructions.md", ws), "- Prefer const\n", (size_t)-1);
	twrite(tpath("%s/.cursor/rules/C Style.mdc", ws),
	       "---\ndescription: C style\nglobs: src/**/*.c, include/**/*.h\nalwaysApply: false\n---\n"
	       "- No tabs\n", (size_t)-1);
	twrite(tpath("%s/.claude/rules/testing.md", ws), "Write tests first.\n", (size_t)-1);
	twrite(tpath("%s/CLAUDE.md", ws), "bad \xff utf8\n", (size_t)-1);
	cdir = imports_claude_dir(ws);
	CHECK(strstr(cdir, "/.claude/projects/-tmp-kairos-test-") != NULL);
	CHECK(strstr(cdir, "-imp/memory") != NULL);
	twrite(tpath("%s/user_role.md", cdir),
	       "---\nname: user-role\ndescription: The user is a C programmer\ntype: user\n---\nC.\n",
	       (size_t)-1);
	twrite(tpath("%s/Other Notes.md", cdir), "Some free notes\n", (size_t)-1);
	CHECK_INT(imports_load(ws, &l, &p, &np), 0);
	CHECK_INT(np, 1); /* the bad UTF-8 CLAUDE.md */
	CHECK_INT(l.n, 5);
	{
		struct mem *c = NULL, *cl = NULL, *cr = NULL;
		for (size_t i = 0; i < l.n; i++) {
			if (!strncmp(l.v[i]->name, "cursor-c-style-", 15))
				c = l.v[i];
			if (!strcmp(l.v[i]->name, "user-role"))
				cl = l.v[i];
			if (!strncmp(l.v[i]->name, "claude-rules-testing-", 21))
				cr = l.v[i];
		}
		CHECK(c && c->scope.n == 2 && !strcmp(c->scope.v[0], "src/**/*.c") &&
		      !strcmp(c->description, "No tabs"));
		CHECK(cl && cl->store == STORE_IMPORT && cl->type == MEM_USER);
		CHECK(cr != NULL);
	}
	free(cdir);
	mem_list_dispose(&l);
	store_problem_free_all(p, np);
}

/* Files in dir whose name starts with kairos's temporary prefix. */
static int temp_files_in(const char *dir)
{
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -q '^" FSX_TMP_PREFIX "'", dir);
	return system(cmd) == 0;
}

/* A transaction whose commit fails (here: a file stands where the
 * history repository must be, once the transaction began) puts every
 * file it changed back as it was: a write, an archive, the index. */
TEST(test_txn_rolls_back_what_it_cannot_commit)
{
	char dir[PATH_MAX], id[41], *repo, *idx0, *idx1, *keep0, *keep1;
	snprintf(dir, sizeof(dir), "%s", tpath("%s/rollback", testfs_root));
	struct store st = mkstore(dir, STORE_PERSONAL);
	struct store_txn *t = NULL;
	struct mem *a = newmem("kept", "A memory that stays", 1772446500),
		   *b = newmem("fresh", "A memory never committed", 1772446600);

	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_write(t, a), 0);
	CHECK_INT(store_txn_commit(t, "remember: kept", id), 0);
	idx0 = tread(tpath("%s/MEMORY.md", dir), NULL);
	keep0 = tread(tpath("%s/kept.md", dir), NULL);
	repo = history_repo_path(dir);

	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK(system(tpath("mv '%s' '%s.away' && echo x > '%s'", repo, repo, repo)) == 0);
	CHECK_INT(store_txn_write(t, b), 0);
	CHECK_INT(store_txn_archive(t, "kept", "gone", NULL), 0);
	CHECK(texists(tpath("%s/fresh.md", dir)) && !texists(tpath("%s/kept.md", dir)));
	CHECK(store_txn_commit(t, "remember: fresh", id) != 0);
	CHECK(strstr(kr_errmsg(), "cannot commit the change to history") &&
	      strstr(kr_errmsg(), "nothing was changed"));
	CHECK_STR(id, "");
	/* as it was: byte for byte, no archive copy, no new file, no copies left */
	CHECK(!texists(tpath("%s/fresh.md", dir)));
	CHECK(!texists(tpath("%s/archive/kept.md", dir)));
	idx1 = tread(tpath("%s/MEMORY.md", dir), NULL);
	keep1 = tread(tpath("%s/kept.md", dir), NULL);
	CHECK(idx0 && idx1 && !strcmp(idx0, idx1));
	CHECK(keep0 && keep1 && !strcmp(keep0, keep1));
	CHECK(!temp_files_in(dir) && !temp_files_in(tpath("%s/archive", dir)));
	/* an abort puts things back too */
	CHECK(system(tpath("rm -f '%s' && mv '%s.away' '%s'", repo, repo, repo)) == 0);
	CHECK_INT(store_txn_begin(&t, &st), 0);
	CHECK_INT(store_txn_write(t, b), 0);
	store_txn_abort(t);
	CHECK(!texists(tpath("%s/fresh.md", dir)));
	free(repo);
	free(idx0);
	free(idx1);
	free(keep0);
	free(keep1);
	mem_free(a);
	mem_free(b);
}

int main(void)
{
	tsetup();
	RUN(test_malformed_files);
	RUN(test_txn_write_archive_undo);
	RUN(test_txn_file_cap);
	RUN(test_fill_missing_times);
	RUN(test_index_groups_and_order);
	RUN(test_index_cap);
	RUN(test_unique_names);
	RUN(test_store_set_dirs);
	RUN(test_team_store_gitignore_and_load_all);
	RUN(test_imports_split);
	RUN(test_imports_load);
	RUN(test_txn_rolls_back_what_it_cannot_commit);
	tcleanup();
	CHECK_MAIN_END();
}
