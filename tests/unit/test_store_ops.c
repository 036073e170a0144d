/* test_store_ops: remember, forget and undo as both front ends call them:
 * one commit each with the one message format, the journal line inside
 * the remember's commit, secrets redacted everywhere, names made unique,
 * descriptions shortened, bad input refused before anything is written,
 * imports never forgotten, undo byte for byte. */
#include "check.h"
#include "testfs.h"

#include "kairos/err.h"
#include "kairos/history.h"
#include "kairos/journal.h"
#include "kairos/store.h"
#include "kairos/store_ops.h"

#include <sys/wait.h>

static int nws;

/* A fresh workspace with its personal store in <ws>/mem, loaded. */
static void open_ws(struct store_set *set, char ws[PATH_MAX])
{
	snprintf(ws, PATH_MAX, "%s/ws%d", testfs_root, ++nws);
	tmkdirs(ws);
	CHECK_INT(store_set_open(set, ws, tpath("%s/mem", ws), false), 0);
	CHECK_INT(store_set_load(set), 0);
}

static struct store *personal(struct store_set *set)
{
	return store_set_get(set, STORE_PERSONAL);
}

/* The newest commit of dir: id and whole message (malloc'd, "" when
 * none); *count (may be NULL) gets how many commits there are. */
static char *top(const char *dir, char id[41], size_t *count)
{
	struct history_entry *e = NULL;
	size_t n = 0;
	char *m = NULL;

	id[0] = '\0';
	if (history_log(dir, &e, &n))
		n = (size_t)-1;
	else if (n) {
		memcpy(id, e[0].id, 41);
		m = xstrdup(e[0].message);
	}
	if (count)
		*count = n;
	history_entries_free(e, n == (size_t)-1 ? 0 : n);
	return m ? m : xstrdup("");
}

static size_t commits(const char *dir)
{
	char id[41];
	size_t n;
	free(top(dir, id, &n));
	return n;
}

/* Remembers note in st; true when the new memory is called name (NULL:
 * whatever) and its file holds want. */
static bool remembered_as(struct store *st, const struct store_ops_note *note, enum mem_type dflt,
			  const char *name, const char *want)
{
	struct store_ops_result r = {0};
	char *file = NULL;
	bool ok = store_ops_remember(&r, st, note, dflt) == 0 && (!name || !strcmp(r.name, name)) &&
		  (file = tread(r.path, NULL)) && strstr(file, want);
	if (!ok)
		fprintf(stderr, "remembered %s, not %s: %s\n", r.name ? r.name : "nothing",
			name ? name : "", file ? file : kr_errmsg());
	free(file);
	store_ops_result_dispose(&r);
	return ok;
}

static char *journal_of(const char *dir)
{
	char *j = tread(tpath("%s/journal.jsonl", dir), NULL);
	return j ? j : xstrdup("");
}

TEST(remember_makes_one_commit_holding_the_journal_line)
{
	struct store_set set;
	struct store_ops_result r = {0};
	struct strv refs = {0};
	char ws[PATH_MAX], id[41], *msg, *file, *j;
	struct store_ops_note note = {
		.text = "\n\nPrefer early returns.  \n\nWhy: easier to review.\n\n\n",
		.uri = "file:///w/src/a.c",
		.refs = &refs,
	};

	open_ws(&set, ws);
	strv_push(&refs, "src/a.c");
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_FEEDBACK), 0);
	CHECK_STR(r.name, "prefer-early-returns");
	CHECK_STR(r.path, tpath("%s/mem/prefer-early-returns.md", ws));
	CHECK_STR(r.uri, tpath("file://%s/mem/prefer-early-returns.md", ws));
	CHECK_INT(r.store, STORE_PERSONAL);
	msg = top(personal(&set)->dir, id, NULL);
	CHECK_STR(r.commit, id);
	CHECK_INT(strlen(r.commit), 40);
	CHECK_STR(msg, "remember: prefer-early-returns\n\n"
		       "feedback memory in the personal store: Prefer early returns.");
	free(msg);
	file = tread(r.path, NULL);
	CHECK(file && strstr(file, "\ndescription: Prefer early returns.\n") &&
	      strstr(file, "\ntype: feedback\n") && strstr(file, "\nsource: user\n") &&
	      strstr(file, "src/a.c"));
	/* the body: leading blank lines and trailing blanks gone, one newline */
	CHECK(file && strstr(file, "---\nPrefer early returns.  \n\nWhy: easier to review.\n") &&
	      !strstr(file, "review.\n\n"));
	free(file);
	j = journal_of(personal(&set)->dir);
	CHECK(strstr(j, "\"kind\":\"remember\",\"name\":\"prefer-early-returns\","
			"\"uri\":\"file:///w/src/a.c\"}\n") != NULL);
	free(j);
	/* that commit holds everything, the journal line too */
	CHECK_INT(history_commit(personal(&set)->dir, "check", id), 0);
	CHECK_STR(id, "");
	store_ops_result_dispose(&r);
	CHECK(r.name == NULL && r.commit[0] == '\0');
	strv_dispose(&refs);
	store_set_dispose(&set);
}

TEST(type_from_the_person_then_the_proposal_then_the_default)
{
	struct store_set set;
	struct store_ops_result r = {0};
	char ws[PATH_MAX];
	struct store_ops_note note = {.text = "a", .type = "reference", .proposed_type = "user"};

	open_ws(&set, ws);
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, NULL, "\ntype: reference\n"));
	note.type = NULL;
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, NULL, "\ntype: user\n"));
	note.proposed_type = "opinion"; /* a proposal that cannot be used is ignored */
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, NULL, "\ntype: project\n"));
	note.type = "opinion"; /* the person's is checked */
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "unknown type 'opinion'") != NULL);
	CHECK_INT(commits(personal(&set)->dir), 4); /* as found and three remembers */
	store_ops_result_dispose(&r);
	store_set_dispose(&set);
}

TEST(proposals_fill_what_the_person_left_out)
{
	struct store_set set;
	char ws[PATH_MAX];
	struct store_ops_note note = {
		.text = "Before a release: bump the version, tag, push the tag.",
		.proposed_name = "release-steps",
		.proposed_description = "\nHow to release\nmore",
	};

	open_ws(&set, ws);
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, "release-steps",
			    "\ndescription: How to release\n"));
	/* the person's name wins; a proposed name holding a path is ignored */
	note.name = "Mine!";
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, "mine", "\nname: mine\n"));
	note.name = NULL;
	note.proposed_name = "../../etc/passwd";
	note.proposed_description = "   ";
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT,
			    "before-a-release-bump-the-version-tag-push-the",
			    "\ndescription: \"Before a release: bump the version, tag, push the tag.\"\n"));
	store_set_dispose(&set);
}

TEST(secrets_never_reach_the_file_the_journal_or_the_message)
{
	struct store_set set;
	struct store_ops_result r = {0};
	char ws[PATH_MAX], id[41], *file, *msg, *j;
	struct store_ops_note note = {
		.text = "token ghp_16C7e42F292c6912E7710c838347Ae178B4a for CI\nkeep it safe",
		.proposed_description = "CI uses ghp_16C7e42F292c6912E7710c838347Ae178B4a",
	};

	open_ws(&set, ws);
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), 0);
	CHECK(r.name && !strstr(r.name, "ghp") && !strstr(r.name, "16c7"));
	file = tread(r.path, NULL);
	CHECK(file && !strstr(file, "ghp_") && strstr(file, "token [REDACTED] for CI") &&
	      strstr(file, "description: CI uses [REDACTED]"));
	free(file);
	msg = top(personal(&set)->dir, id, NULL);
	CHECK(!strstr(msg, "ghp_") && strstr(msg, "[REDACTED]"));
	free(msg);
	j = journal_of(personal(&set)->dir);
	CHECK(!strstr(j, "ghp_"));
	free(j);
	store_ops_result_dispose(&r);
	store_set_dispose(&set);
}

TEST(names_are_made_unique_and_never_a_path)
{
	struct store_set set;
	struct store_ops_result r = {0}, f = {0};
	char ws[PATH_MAX];
	struct store_ops_note note = {.text = "Use double quotes", .name = "quotes"};

	open_ws(&set, ws);
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, "quotes", "\nname: quotes\n"));
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, "quotes-2", "\nname: quotes-2\n"));
	/* an archived memory keeps its name taken */
	CHECK_INT(store_set_load(&set), 0);
	CHECK_INT(store_ops_forget(&f, &set, "quotes", -1, NULL), 0);
	CHECK(texists(tpath("%s/mem/archive/quotes.md", ws)));
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, "quotes-3", "Use double quotes"));
	/* a derived name too */
	note.name = NULL;
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, "use-double-quotes", "quotes"));
	CHECK(remembered_as(personal(&set), &note, MEM_PROJECT, "use-double-quotes-2", "quotes"));
	note.name = "../../escape";
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "holds a path") != NULL);
	CHECK(!texists(tpath("%s/escape.md", ws)) && !texists(tpath("%s/mem/escape.md", ws)));
	store_ops_result_dispose(&r);
	store_ops_result_dispose(&f);
	store_set_dispose(&set);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

TEST(descriptions_are_one_line_of_150_characters)
{
	struct store_set set;
	struct store_ops_result r = {0};
	char ws[PATH_MAX], text[1024], *file, *d;
	struct store_ops_note note = {.text = text};
	size_t n = 0;

	open_ws(&set, ws);
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", i % 2 ? "é" : "a");
	snprintf(text + n, sizeof(text) - n, "\nsecond line \xff byte");
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), 0);
	file = tread(r.path, NULL);
	d = file ? strstr(file, "\ndescription: ") : NULL;
	if (d) {
		d += 14;
		*strchr(d, '\n') = '\0';
		CHECK_INT(utf8_chars(d), 150);
		CHECK(strlen(d) > 3 && !strcmp(d + strlen(d) - 3, "…"));
		CHECK(!strncmp(d, "aéaé", 6));
		d[strlen(d)] = '\n';
	}
	CHECK(d != NULL);
	/* the invalid byte became U+FFFD */
	CHECK(file && strstr(file, "second line \xEF\xBF\xBD byte\n"));
	free(file);
	store_ops_result_dispose(&r);
	note.text = " \n\t\n ";
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), KR_EINVAL);
	CHECK_STR(kr_errmsg(), "the text is empty");
	note.text = NULL;
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), KR_EINVAL);
	CHECK_INT(commits(personal(&set)->dir), 2);
	store_set_dispose(&set);
}

TEST(bad_scope_rule_or_store_writes_nothing)
{
	struct store_set set;
	struct store_ops_result r = {0};
	struct strv scope = {0};
	struct mem_rule rule = {.literal = "gets(", .message = "gets is unsafe", .severity = SEV_ERROR};
	char ws[PATH_MAX], *file, *j;
	struct store_ops_note note = {.text = "Never use gets", .scope = &scope, .rule = &rule};

	open_ws(&set, ws);
	strv_push(&scope, "src/**/*.c");
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_FEEDBACK), 0);
	file = tread(r.path, NULL);
	CHECK(file && strstr(file, "src/**/*.c") && strstr(file, "literal: \"gets(\"") &&
	      strstr(file, "severity: error"));
	free(file);
	store_ops_result_dispose(&r);
	/* each refused before the store changes: no file, no commit, no line */
	strv_push(&scope, "../outside");
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_FEEDBACK), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "'../outside'") != NULL);
	strv_dispose(&scope);
	rule.pattern = "gets\\(";
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_FEEDBACK), KR_EINVAL);
	rule.pattern = NULL;
	CHECK_INT(store_ops_remember(&r, store_set_get(&set, STORE_IMPORT), &note, MEM_FEEDBACK),
		  KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "cannot be written") != NULL);
	CHECK_INT(store_ops_remember(&r, NULL, &note, MEM_FEEDBACK), KR_EINVAL);
	{
		/* a text whose memory would pass MEM_MAX_FILE */
		char *big = xmalloc(MEM_MAX_FILE + 1);
		struct store_ops_note bn = {.text = big, .name = "big"};
		memset(big, 'x', MEM_MAX_FILE);
		big[MEM_MAX_FILE] = '\0';
		memcpy(big, "Too big\n", STRLEN_LIT("Too big\n"));
		CHECK_INT(store_ops_remember(&r, personal(&set), &bn, MEM_PROJECT), KR_EINVAL);
		CHECK(strstr(kr_errmsg(), "'big' is larger than") != NULL);
		CHECK(!texists(tpath("%s/mem/big.md", ws)));
		free(big);
	}
	CHECK_INT(commits(personal(&set)->dir), 2);
	CHECK(!texists(tpath("%s/mem/never-use-gets-2.md", ws)));
	j = journal_of(personal(&set)->dir);
	CHECK(strstr(j, "never-use-gets\"") && !strstr(j, "never-use-gets-2"));
	free(j);
	store_set_dispose(&set);
}

TEST(forget_looks_in_personal_team_user_and_never_in_imports)
{
	struct store_set set;
	struct store_ops_result r = {0};
	char ws[PATH_MAX], id[41], *msg, *claude, *arch;
	struct store_ops_note note = {.text = "Shared rule", .name = "shared"};
	struct store *team;
	size_t before;

	open_ws(&set, ws);
	team = store_set_get(&set, STORE_TEAM);
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), 0);
	store_ops_result_dispose(&r);
	CHECK_INT(store_ops_remember(&r, team, &note, MEM_PROJECT), 0);
	store_ops_result_dispose(&r);
	twrite(tpath("%s/CLAUDE.md", ws), "# Rules\n\n- Always run make test\n", (size_t)-1);
	twrite(tpath("%s/mem/broken.md", ws), "---\nname: broken\ntype: user\n---\n", (size_t)-1);
	CHECK_INT(store_set_load(&set), 0);
	/* personal first */
	CHECK_INT(store_ops_forget(&r, &set, "shared", -1, NULL), 0);
	CHECK_INT(r.store, STORE_PERSONAL);
	CHECK_STR(r.name, "shared");
	msg = top(personal(&set)->dir, id, NULL);
	CHECK_STR(r.commit, id);
	CHECK_STR(msg, "forget: shared\n\narchived from the personal store on request: Shared rule");
	free(msg);
	arch = tread(tpath("%s/mem/archive/shared.md", ws), NULL);
	CHECK(arch && strstr(arch, "archived_reason: forgotten at the person's request\n") &&
	      strstr(arch, "archived_at: "));
	free(arch);
	CHECK(!texists(tpath("%s/mem/shared.md", ws)));
	store_ops_result_dispose(&r);
	/* one store asked for */
	CHECK_INT(store_set_load(&set), 0);
	CHECK_INT(store_ops_forget(&r, &set, "shared", STORE_USER, NULL), KR_ENOTFOUND);
	CHECK_INT(store_ops_forget(&r, &set, "shared", STORE_TEAM, "merged by hand"), 0);
	CHECK_INT(r.store, STORE_TEAM);
	arch = tread(tpath("%s/.kairos/memory/archive/shared.md", ws), NULL);
	CHECK(arch && strstr(arch, "archived_reason: merged by hand\n"));
	free(arch);
	store_ops_result_dispose(&r);
	/* imported: refused, naming the file, nothing changed */
	CHECK_INT(store_set_load(&set), 0);
	before = commits(personal(&set)->dir);
	{
		const char *imp = NULL;
		for (size_t i = 0; i < set.mems.n; i++)
			if (set.mems.v[i]->store == STORE_IMPORT)
				imp = set.mems.v[i]->name;
		CHECK(imp != NULL);
		CHECK_INT(store_ops_forget(&r, &set, imp ? imp : "?", -1, NULL), KR_EINVAL);
		CHECK(strstr(kr_errmsg(), "read only") && strstr(kr_errmsg(), "CLAUDE.md"));
	}
	claude = tread(tpath("%s/CLAUDE.md", ws), NULL);
	CHECK_STR(claude, "# Rules\n\n- Always run make test\n");
	free(claude);
	CHECK_INT(commits(personal(&set)->dir), before);
	/* unknown, and invalid: said so */
	CHECK_INT(store_ops_forget(&r, &set, "nothere", -1, NULL), KR_ENOTFOUND);
	CHECK_STR(kr_errmsg(), "no memory named 'nothere'");
	CHECK_INT(store_ops_forget(&r, &set, "broken", -1, NULL), KR_ENOTFOUND);
	CHECK(strstr(kr_errmsg(), "broken.md is not a valid memory: ") != NULL);
	CHECK_INT(store_ops_forget(&r, &set, "", -1, NULL), KR_EINVAL);
	store_ops_result_dispose(&r);
	store_set_dispose(&set);
}

TEST(undo_restores_byte_for_byte_and_says_what_it_undid)
{
	struct store_set set;
	struct store_ops_result r = {0}, f = {0}, u = {0};
	char ws[PATH_MAX], id[41], *before, *msg;
	struct store_ops_note note = {.text = "Tabs are 8 columns\n\nin the review tool."};
	size_t blen = 0;

	open_ws(&set, ws);
	CHECK_INT(store_ops_undo(&u, &set, -1), KR_ENOTFOUND); /* nothing changed yet */
	CHECK(strstr(kr_errmsg(), "nothing to undo") != NULL);
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), 0);
	before = tread(r.path, &blen);
	CHECK_INT(store_set_load(&set), 0);
	CHECK_INT(store_ops_forget(&f, &set, r.name, -1, NULL), 0);
	CHECK(!texists(r.path));
	CHECK_INT(store_ops_undo(&u, &set, STORE_PERSONAL), 0);
	CHECK(before && tsame(r.path, before, blen));
	CHECK_STR(u.undone, f.commit);
	CHECK_STR(u.undone_subject, "forget: tabs-are-8-columns");
	msg = top(personal(&set)->dir, id, NULL);
	CHECK_STR(u.commit, id);
	CHECK_STR(msg, "undo: forget: tabs-are-8-columns");
	free(msg);
	CHECK_INT(u.store, STORE_PERSONAL);
	store_ops_result_dispose(&u);
	/* the newest change among the stores: the team's, a second later */
	sleep(1);
	note.text = "team convention";
	store_ops_result_dispose(&f);
	CHECK_INT(store_ops_remember(&f, store_set_get(&set, STORE_TEAM), &note, MEM_PROJECT), 0);
	CHECK_INT(store_ops_undo(&u, &set, -1), 0);
	CHECK_INT(u.store, STORE_TEAM);
	CHECK_STR(u.undone_subject, "remember: team-convention");
	CHECK(!texists(f.path) && tsame(r.path, before, blen));
	store_ops_result_dispose(&u);
	/* a store that cannot be written */
	CHECK_INT(store_ops_undo(&u, &set, STORE_IMPORT), KR_EINVAL);
	free(before);
	store_ops_result_dispose(&r);
	store_ops_result_dispose(&f);
	store_ops_result_dispose(&u);
	store_set_dispose(&set);
}

/* Two processes remembering the same text at once: every memory gets a
 * name of its own, none overwrites another. */
TEST(concurrent_remembers_never_share_a_name)
{
	struct store_set set;
	char ws[PATH_MAX];
	pid_t kids[2];
	bool ok = true;
	int files = 0;

	open_ws(&set, ws);
	for (int k = 0; k < 2; k++) {
		if (!(kids[k] = fork())) {
			struct store_ops_note note = {.text = "Same text"};
			int bad = 0;
			for (int i = 0; i < 15; i++)
				bad |= !remembered_as(personal(&set), &note, MEM_PROJECT, NULL, "Same text");
			_exit(bad);
		}
	}
	for (int k = 0; k < 2; k++) {
		int st;
		ok &= waitpid(kids[k], &st, 0) == kids[k] && WIFEXITED(st) && !WEXITSTATUS(st);
	}
	CHECK(ok);
	/* a name taken meanwhile gets a suffix of its own: same-text-5-2 */
	CHECK_INT(store_set_load(&set), 0);
	for (size_t i = 0; i < set.mems.n; i++)
		files += !strncmp(set.mems.v[i]->name, "same-text", 9);
	CHECK_INT(files, 30);
	CHECK_INT(commits(personal(&set)->dir), 31);
	store_set_dispose(&set);
}

/* The whole history of dir as text (every commit's patch), malloc'd. */
static char *history_text(const char *dir)
{
	char *repo = history_repo_path(dir), cmd[PATH_MAX * 3], *t;
	snprintf(cmd, sizeof(cmd), "git --git-dir='%s' log -p main > '%s/hist.txt' 2>/dev/null", repo,
		 testfs_root);
	free(repo);
	if (system(cmd) != 0)
		return xstrdup("");
	t = tread(tpath("%s/hist.txt", testfs_root), NULL);
	return t ? t : xstrdup("");
}

/* A message made from the message before it says each once (it was
 * formatted in place, repeated and cut off: "would not be valid" twice). */
TEST(an_error_built_on_the_last_one_reads_once)
{
	kr_err("line 5: the inner reason");
	kr_errc(KR_EINVAL, "memory 'x' would not be valid: %s", kr_errmsg());
	CHECK_STR(kr_errmsg(), "memory 'x' would not be valid: line 5: the inner reason");
}

TEST(rule_pattern_and_scope_are_redacted_in_the_file_and_history)
{
	struct store_set set;
	struct store_ops_result r = {0};
	struct strv scope = {0};
	struct mem_rule rule = {.pattern = "AKIAIOSFODNN7EXAMPLE", .severity = SEV_WARNING};
	char ws[PATH_MAX], *file, *hist;
	struct store_ops_note note = {.text = "Never commit the deploy key", .scope = &scope,
				      .rule = &rule};

	open_ws(&set, ws);
	strv_push(&scope, "deploy/ghp_16C7e42F292c6912E7710c838347Ae178B4a/*.yml");
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), 0);
	file = tread(r.path ? r.path : "", NULL);
	CHECK(file && !strstr(file, "AKIAIOSFODNN7EXAMPLE") && !strstr(file, "ghp_16C7"));
	CHECK(file && strstr(file, "pattern: \"[REDACTED]\"") && strstr(file, "deploy/[REDACTED]/*.yml"));
	hist = history_text(personal(&set)->dir);
	CHECK(*hist && !strstr(hist, "AKIAIOSFODNN7EXAMPLE") && !strstr(hist, "ghp_16C7"));
	free(hist);
	free(file);
	strv_dispose(&scope);
	store_ops_result_dispose(&r);
	store_set_dispose(&set);
}

TEST(a_name_holding_a_credential_or_a_nul_is_refused_whole)
{
	struct store_set set;
	struct store_ops_result r = {0};
	char ws[PATH_MAX], *idx;
	static const char nul_name[] = "ok\0../../escape";
	struct store_ops_note note = {.text = "CI token rotation",
				      .name = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"};

	open_ws(&set, ws);
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "credential") && !strstr(kr_errmsg(), "ghp_"));
	/* lower-cased into a name it would still be one */
	note.name = "GHP_16C7E42F292C6912E7710C838347AE178B4A";
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), KR_EINVAL);
	note.name = nul_name;
	note.name_len = sizeof(nul_name) - 1;
	CHECK_INT(store_ops_remember(&r, personal(&set), &note, MEM_PROJECT), KR_EINVAL);
	CHECK(strstr(kr_errmsg(), "NUL") != NULL);
	/* nothing: no file, no index line, no commit */
	CHECK(!texists(tpath("%s/mem/ok.md", ws)));
	idx = tread(tpath("%s/mem/MEMORY.md", ws), NULL);
	CHECK(!idx || !strstr(idx, "ghp"));
	free(idx);
	CHECK_INT(commits(personal(&set)->dir), 0);
	store_ops_result_dispose(&r);
	store_set_dispose(&set);
}

TEST(restore_brings_back_the_newest_archived_copy)
{
	struct store_set set;
	struct store_ops_result r = {0};
	char ws[PATH_MAX], id[41], *file, *msg;
	const char *dir;

	open_ws(&set, ws);
	dir = personal(&set)->dir;
	/* two archived copies of "tabs", the second newer, with a key
	 * kairos does not know that must come back as it was */
	twrite(tpath("%s/archive/tabs.md", dir),
	       "---\nname: tabs\ndescription: Old tabs\ntype: project\n"
	       "updated: 2026-01-01T00:00:00Z\narchived_reason: old\narchived_at: 2026-01-02T00:00:00Z\n---\nold\n",
	       (size_t)-1);
	twrite(tpath("%s/archive/tabs~2.md", dir),
	       "---\nname: tabs\ndescription: New tabs\ntype: project\nx-team: infra # ours\n"
	       "created: 2026-01-01T00:00:00Z\nupdated: 2026-02-01T00:00:00Z\nsuperseded_by: spaces\narchived_reason: merged\n"
	       "archived_at: 2026-02-02T00:00:00Z\n---\nnew\n",
	       (size_t)-1);
	CHECK_INT(store_set_load(&set), 0);
	CHECK_INT(store_ops_restore(&r, &set, "tabs", -1), 0);
	CHECK_STR(r.name, "tabs");
	CHECK_STR(r.path, tpath("%s/tabs.md", dir));
	CHECK(r.uri && !strncmp(r.uri, "file://", 7));
	file = tread(tpath("%s/tabs.md", dir), NULL);
	CHECK_STR(file, "---\nname: tabs\ndescription: New tabs\ntype: project\nx-team: infra # ours\n"
			"created: 2026-01-01T00:00:00Z\nupdated: 2026-02-01T00:00:00Z\n---\nnew\n");
	free(file);
	CHECK(!texists(tpath("%s/archive/tabs~2.md", dir)) && texists(tpath("%s/archive/tabs.md", dir)));
	msg = top(dir, id, NULL);
	CHECK(!strncmp(msg, "restore: tabs\n\nback in the personal store from archive/tabs~2.md: New tabs",
		       strlen("restore: tabs\n\nback in the personal store from archive/tabs~2.md")));
	free(msg);
	store_ops_result_dispose(&r);
	/* an active memory of that name is never replaced */
	CHECK_INT(store_set_load(&set), 0);
	CHECK_INT(store_ops_restore(&r, &set, "tabs", -1), KR_EEXISTS);
	CHECK(strstr(kr_errmsg(), "tabs.md is there already") != NULL);
	store_ops_result_dispose(&r);
	CHECK_INT(store_ops_restore(&r, &set, "nope", -1), KR_ENOTFOUND);
	CHECK_INT(store_ops_restore(&r, &set, "../x", -1), KR_EINVAL);
	CHECK_INT(store_ops_restore(&r, &set, "tabs", STORE_TEAM), KR_ENOTFOUND);
	/* undo puts the copy back in archive/ */
	CHECK_INT(store_ops_undo(&r, &set, -1), 0);
	CHECK(!texists(tpath("%s/tabs.md", dir)) && texists(tpath("%s/archive/tabs~2.md", dir)));
	store_ops_result_dispose(&r);
	store_set_dispose(&set);
}

int main(void)
{
	tsetup();
	RUN(remember_makes_one_commit_holding_the_journal_line);
	RUN(type_from_the_person_then_the_proposal_then_the_default);
	RUN(proposals_fill_what_the_person_left_out);
	RUN(secrets_never_reach_the_file_the_journal_or_the_message);
	RUN(names_are_made_unique_and_never_a_path);
	RUN(descriptions_are_one_line_of_150_characters);
	RUN(bad_scope_rule_or_store_writes_nothing);
	RUN(forget_looks_in_personal_team_user_and_never_in_imports);
	RUN(undo_restores_byte_for_byte_and_says_what_it_undid);
	RUN(concurrent_remembers_never_share_a_name);
	RUN(an_error_built_on_the_last_one_reads_once);
	RUN(rule_pattern_and_scope_are_redacted_in_the_file_and_history);
	RUN(a_name_holding_a_credential_or_a_nul_is_refused_whole);
	RUN(restore_brings_back_the_newest_archived_copy);
	tcleanup();
	CHECK_MAIN_END();
}
