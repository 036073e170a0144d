/* cli_memory: `kairos memory list|show|add|forget|restore`: thin wrappers around
 * the store and store_ops (remember, forget and restore, written once for the CLI
 * and the server). */
#include "cli.h"
#include "cli_store.h"
#include "kairos/err.h"
#include "kairos/journal.h"
#include "kairos/json.h"
#include "kairos/store.h"
#include "kairos/store_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool wanted(const struct mem *m, const struct cli_store_opts *o)
{
	return (o->type_v < 0 || (int)m->type == o->type_v) &&
	       (o->store_v < 0 || (int)m->store == o->store_v);
}

static void put_mem_json(struct jw *w, const struct mem *m, bool full)
{
	jw_obj(w);
	store_index_mem_json(w, m);
	if (full) {
		jw_kstr(w, "created", m->created);
		jw_kstr(w, "updated", m->updated);
		jw_kstr(w, "source", m->source);
		jw_key(w, "scope");
		jw_arr(w);
		for (size_t i = 0; i < m->scope.n; i++)
			jw_str(w, m->scope.v[i]);
		jw_end(w);
		jw_key(w, "refs");
		jw_arr(w);
		for (size_t i = 0; i < m->refs.n; i++)
			jw_str(w, m->refs.v[i]);
		jw_end(w);
		if (m->rule) {
			jw_key(w, "rule");
			jw_obj(w);
			if (m->rule->pattern)
				jw_kstr(w, "pattern", m->rule->pattern);
			if (m->rule->literal)
				jw_kstr(w, "literal", m->rule->literal);
			if (m->rule->message)
				jw_kstr(w, "message", m->rule->message);
			jw_kstr(w, "severity", mem_severity_name(m->rule->severity));
			if (m->rule->fix)
				jw_kstr(w, "fix", m->rule->fix);
			jw_end(w);
		}
		jw_kstr(w, "body", m->body);
	}
	jw_end(w);
}

static int do_list(struct cli_store_opts *o)
{
	struct store_set s;
	struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING);
	struct jw w;
	int rc;

	if ((rc = cli_store_open(&s, o, true)))
		goto out;
	if (o->json) {
		jw_init(&w, &b);
		jw_arr(&w);
		for (size_t i = 0; i < s.mems.n; i++)
			if (wanted(s.mems.v[i], o))
				put_mem_json(&w, s.mems.v[i], false);
		jw_end(&w);
		rc = cli_store_print_json(&b);
	} else {
		/* the name column as wide as the longest name listed */
		int w = 4;
		for (size_t i = 0; i < s.mems.n; i++)
			if (wanted(s.mems.v[i], o) && (int)strlen(s.mems.v[i]->name) > w)
				w = (int)strlen(s.mems.v[i]->name);
		for (size_t i = 0; i < s.mems.n; i++) {
			const struct mem *m = s.mems.v[i];
			if (wanted(m, o))
				printf("%-*s  %-9s %-8s %s\n", w, m->name, mem_type_name(m->type),
				       mem_store_name(m->store), m->description);
		}
	}
out:
	buf_dispose(&b);
	store_set_dispose(&s);
	return rc;
}

static int not_found(const struct store_set *s, const char *cmd, const char *name)
{
	const struct store_problem *p = store_set_problem(s, name);
	if (p)
		fprintf(stderr, "kairos memory %s: %s is not a valid memory: %s\n", cmd, p->path,
			p->msg);
	else
		fprintf(stderr, "kairos memory %s: no memory named '%s'\n", cmd, name);
	return 1;
}

static int do_show(struct cli_store_opts *o, const char *name)
{
	struct store_set s;
	struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING);
	const struct mem *m = NULL;
	int rc;

	if ((rc = cli_store_open(&s, o, true)))
		goto out;
	for (size_t i = 0; i < s.mems.n && !m; i++)
		if (!strcmp(s.mems.v[i]->name, name) && wanted(s.mems.v[i], o))
			m = s.mems.v[i];
	if (!m) {
		rc = not_found(&s, "show", name);
		goto out;
	}
	if (o->json) {
		struct jw w;
		jw_init(&w, &b);
		put_mem_json(&w, m, true);
		rc = cli_store_print_json(&b);
	} else {
		if (m->store == STORE_IMPORT)
			printf("# imported (read only) from %s\n", m->path);
		if (mem_write(m, &b)) {
			fprintf(stderr, "kairos memory show: %s\n", kr_errmsg());
			rc = 1;
			goto out;
		}
		fwrite(buf_cstr(&b), 1, b.len, stdout);
	}
out:
	buf_dispose(&b);
	store_set_dispose(&s);
	return rc;
}

/* The CLI may block, so it bounds the journal of the store it writes
 * (journal_roll). It does so before its change rather than after, so
 * that the change stays the newest commit and `kairos undo` undoes it,
 * not the roll; the one line the change journals is rolled next time. A
 * transaction of another process holding the store skips it. */
static void roll_journal(const struct store *st)
{
	int rc = journal_roll(st->dir);
	if (rc && rc != KR_EBUSY)
		fprintf(stderr, "kairos: warning: %s\n", kr_errmsg());
}

/* The memory a change wrote: "VERB NAME (PATH)", or with --json
 * {name, store, uri}. */
static int print_written(const struct cli_store_opts *o, const struct store_ops_result *r,
			 const char *verb)
{
	struct buf jb = BUF_INIT_CAP(BUF_CAP_LINE);
	struct jw w;
	int rc;

	if (!o->json) {
		printf("%s %s (%s)\n", verb, r->name, r->path);
		return 0;
	}
	jw_init(&w, &jb);
	jw_obj(&w);
	jw_kstr(&w, "name", r->name);
	jw_kstr(&w, "store", mem_store_name(r->store));
	jw_kstr(&w, "uri", r->uri);
	jw_end(&w);
	rc = cli_store_print_json(&jb);
	buf_dispose(&jb);
	return rc;
}

static int do_add(struct cli_store_opts *o, const char *text)
{
	struct store_set s;
	struct store_ops_result r = {0};
	struct store_ops_note note = {.text = text, .name = o->name, .type = o->type};
	struct store *st;
	int rc, e;

	if ((rc = cli_store_open(&s, o, false)))
		goto out;
	if (!(st = cli_store_pick(&s, o, "memory add"))) {
		rc = 2;
		goto out;
	}
	roll_journal(st);
	if ((e = store_ops_remember(&r, st, &note, MEM_PROJECT))) {
		fprintf(stderr, "kairos memory add: %s\n", kr_errmsg());
		rc = e == KR_EINVAL ? 2 : 1;
		goto out;
	}
	rc = print_written(o, &r, "remembered");
out:
	store_ops_result_dispose(&r);
	store_set_dispose(&s);
	return rc;
}

static int do_forget(struct cli_store_opts *o, const char *name)
{
	struct store_set s;
	struct store_ops_result r = {0};
	int rc;

	if ((rc = cli_store_open(&s, o, true)))
		goto out;
	if (store_ops_forget(&r, &s, name, o->store_v,
			     "forgotten by the user (kairos memory forget)")) {
		fprintf(stderr, "kairos memory forget: %s\n", kr_errmsg());
		rc = 1;
		goto out;
	}
	if (o->json)
		printf("{\"archived\":true}\n");
	else
		printf("forgot %s (kept in %s/archive/)\n", name, store_set_get(&s, r.store)->dir);
out:
	store_ops_result_dispose(&r);
	store_set_dispose(&s);
	return rc;
}

/* `kairos memory restore NAME`: the newest archived copy of NAME active
 * again, as one commit (store_ops_restore). */
static int do_restore(struct cli_store_opts *o, const char *name)
{
	struct store_set s;
	struct store_ops_result r = {0};
	int rc, e;

	if ((rc = cli_store_open(&s, o, true)))
		goto out;
	if ((e = store_ops_restore(&r, &s, name, o->store_v))) {
		fprintf(stderr, "kairos memory restore: %s\n", kr_errmsg());
		rc = e == KR_EINVAL ? 2 : 1;
		goto out;
	}
	rc = print_written(o, &r, "restored");
out:
	store_ops_result_dispose(&r);
	store_set_dispose(&s);
	return rc;
}

static struct cli_store_opts opt;

static const struct cli_opt opts[] = {
	CLI_STORE_OPT_MEMORY_DIR(opt),
	CLI_STORE_OPT_WORKSPACE(opt),
	CLI_STORE_OPT_TYPE(opt, "list: only that type; add: the new memory's type (user, feedback, "
				"project or reference; default project)"),
	CLI_STORE_OPT_STORE(opt, "list: only that store; add, forget and restore: that store (personal, "
				 "team or user; default personal, forget and restore look in all three)"),
	{"--name", CLI_VALUE, NULL, &opt.name, "NAME",
	 "add: the new memory's name (default: made from the text's first line)"},
	CLI_STORE_OPT_JSON(opt, "print JSON: the kairos.memories objects (show: the whole memory)"),
};

/* Says what is wrong with the action's arguments, and the synopsis. */
static int bad_args(const char *action, int npos, int want, char **argv)
{
	if (npos < want)
		fprintf(stderr, "kairos memory %s: %s is missing\nusage: ", action,
			!strcmp(action, "add") ? "the TEXT to remember" : "the NAME of the memory");
	else
		fprintf(stderr, "kairos memory %s: unexpected argument '%s'\nusage: ", action,
			argv[want]);
	cli_synopsis(stderr, &cli_memory_cmd);
	return 2;
}

static int run(int argc, char **argv)
{
	struct cli_store_opts *o = &opt;
	int npos = 0, rc;

	if ((rc = cli_parse(&cli_memory_cmd, argc, argv, &npos)))
		return rc;
	if (npos < 1) {
		fputs("kairos memory: the action is missing (list, show, add, forget or restore)\nusage: ", stderr);
		cli_synopsis(stderr, &cli_memory_cmd);
		return 2;
	}
	if ((rc = cli_store_check("memory", o)))
		return rc;
	if (!strcmp(argv[0], "list"))
		return npos == 1 ? do_list(o) : bad_args("list", npos, 1, argv);
	if (!strcmp(argv[0], "show"))
		return npos == 2 ? do_show(o, argv[1]) : bad_args("show", npos, 2, argv);
	if (!strcmp(argv[0], "forget"))
		return npos == 2 ? do_forget(o, argv[1]) : bad_args("forget", npos, 2, argv);
	if (!strcmp(argv[0], "restore"))
		return npos == 2 ? do_restore(o, argv[1]) : bad_args("restore", npos, 2, argv);
	if (!strcmp(argv[0], "add")) {
		if (npos < 2)
			return bad_args("add", npos, 2, argv);
		/* the limit the CLI has always set on a text: half a memory file */
		struct buf text = BUF_INIT_CAP(MEM_MAX_FILE / 2);
		if (npos == 2 && !strcmp(argv[1], "-")) {
			char chunk[4096];
			size_t n;
			while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
				if (buf_append(&text, chunk, n))
					break; /* over the cap: said below */
		} else {
			for (int i = 1; i < npos; i++) {
				if (i > 1)
					buf_putc(&text, ' ');
				buf_puts(&text, argv[i]);
			}
		}
		if (buf_err(&text)) {
			fprintf(stderr, "kairos memory add: text longer than %u bytes\n",
				MEM_MAX_FILE / 2);
			buf_dispose(&text);
			return 2;
		}
		rc = do_add(o, buf_cstr(&text));
		buf_dispose(&text);
		return rc;
	}
	fprintf(stderr, "kairos memory: unknown action '%s' (list, show, add, forget, restore or search)\nusage: ",
		argv[0]);
	cli_synopsis(stderr, &cli_memory_cmd);
	return 2;
}

const struct cli_cmd cli_memory_cmd = {
	.name = "memory",
	.args = "list | show NAME | add TEXT | forget NAME | restore NAME",
	.summary = "list, show, add, forget or restore memories",
	.details = "list: every active memory of every store (name, type, store, description). "
		   "show NAME: one memory as its file. add TEXT: a new memory (TEXT - reads it "
		   "from stdin); its description is the text's first line, and credentials in it "
		   "become [REDACTED]. forget NAME: the memory is archived (never deleted) and the "
		   "index rebuilt. Each change is one history commit, so kairos undo takes it "
		   "back. kairos memory search has its own options.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};

