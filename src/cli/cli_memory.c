/* cli_memory: `kairos memory list|show|add|forget`, `kairos log` and
 * `kairos undo`: thin wrappers around the store, its history and
 * store_ops (remember, forget and undo, written once for the CLI and the
 * server). */
#include "cli.h"
#include "kairos/err.h"
#include "kairos/history.h"
#include "kairos/journal.h"
#include "kairos/json.h"
#include "kairos/store.h"
#include "kairos/store_ops.h"
#include "kairos/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct memopts {
	const char *memory_dir, *workspace, *type, *store, *name;
	bool json;
	int type_v, store_v; /* -1: any */
};

static int check_opts(const char *cmd, struct memopts *o)
{
	o->type_v = o->store_v = -1;
	if (o->type && (o->type_v = mem_type_parse(o->type)) < 0) {
		fprintf(stderr, "kairos %s: unknown type '%s' (user, feedback, project, reference)\n",
			cmd, o->type);
		return 2;
	}
	if (o->store && (o->store_v = mem_store_parse(o->store)) < 0) {
		fprintf(stderr, "kairos %s: unknown store '%s' (personal, team, user, import)\n", cmd,
			o->store);
		return 2;
	}
	if (o->memory_dir && o->store_v >= 0 && o->store_v != STORE_PERSONAL) {
		fprintf(stderr, "kairos %s: with --memory-dir only that store is used; drop --store\n",
			cmd);
		return 2;
	}
	return 0;
}

static int open_set(struct store_set *s, const struct memopts *o, bool load)
{
	if (store_set_open(s, o->workspace, o->memory_dir, o->memory_dir != NULL)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		return 1;
	}
	if (!load)
		return 0;
	if (store_set_load(s)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		return 1;
	}
	for (size_t i = 0; i < s->nproblems; i++)
		fprintf(stderr, "kairos: %s: %s\n", s->problems[i].path, s->problems[i].msg);
	return 0;
}

static bool wanted(const struct mem *m, const struct memopts *o)
{
	return (o->type_v < 0 || (int)m->type == o->type_v) &&
	       (o->store_v < 0 || (int)m->store == o->store_v);
}

static void put_mem_json(struct jw *w, const struct mem *m, bool full)
{
	jw_obj(w);
	store_mem_json(w, m);
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

/* Prints what w wrote into b and a newline; or, when b failed (the JSON
 * writer fails it too), says why and prints nothing. */
static int print_json(struct buf *b)
{
	buf_putc(b, '\n');
	if (buf_err(b)) {
		fprintf(stderr, "kairos: %s\n", kr_errmsg());
		return 1;
	}
	fwrite(b->data, 1, b->len, stdout);
	return 0;
}

static int do_list(struct memopts *o)
{
	struct store_set s;
	struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING);
	struct jw w;
	int rc;

	if ((rc = open_set(&s, o, true)))
		goto out;
	if (o->json) {
		jw_init(&w, &b);
		jw_arr(&w);
		for (size_t i = 0; i < s.mems.n; i++)
			if (wanted(s.mems.v[i], o))
				put_mem_json(&w, s.mems.v[i], false);
		jw_end(&w);
		rc = print_json(&b);
	} else {
		for (size_t i = 0; i < s.mems.n; i++) {
			const struct mem *m = s.mems.v[i];
			if (wanted(m, o))
				printf("%-32s %-9s %-8s %s\n", m->name, mem_type_name(m->type),
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

static int do_show(struct memopts *o, const char *name)
{
	struct store_set s;
	struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING);
	const struct mem *m = NULL;
	int rc;

	if ((rc = open_set(&s, o, true)))
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
		rc = print_json(&b);
	} else {
		if (m->store == STORE_IMPORT)
			printf("# imported (read only) from %s\n", m->path);
		if (mem_format(m, &b)) {
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

static struct store *pick_store(struct store_set *s, const struct memopts *o, const char *cmd)
{
	struct store *st = store_set_get(s, o->store_v >= 0 ? (enum mem_store)o->store_v
							  : STORE_PERSONAL);
	if (!st || !st->writable) {
		fprintf(stderr, "kairos %s: the %s store cannot be written\n", cmd,
			o->store ? o->store : "personal");
		return NULL;
	}
	return st;
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

static int do_add(struct memopts *o, const char *text)
{
	struct store_set s;
	struct store_ops_result r = {0};
	struct store_ops_note note = {.text = text, .name = o->name, .type = o->type};
	struct store *st;
	int rc, e;

	if ((rc = open_set(&s, o, false)))
		goto out;
	if (!(st = pick_store(&s, o, "memory add"))) {
		rc = 2;
		goto out;
	}
	roll_journal(st);
	if ((e = store_ops_remember(&r, st, &note, MEM_PROJECT))) {
		fprintf(stderr, "kairos memory add: %s\n", kr_errmsg());
		rc = e == KR_EINVAL ? 2 : 1;
		goto out;
	}
	if (o->json) {
		struct buf jb = BUF_INIT_CAP(BUF_CAP_LINE);
		struct jw w;
		jw_init(&w, &jb);
		jw_obj(&w);
		jw_kstr(&w, "name", r.name);
		jw_kstr(&w, "uri", r.uri);
		jw_end(&w);
		rc = print_json(&jb);
		buf_dispose(&jb);
	} else {
		printf("remembered %s (%s)\n", r.name, r.path);
	}
out:
	store_ops_result_dispose(&r);
	store_set_dispose(&s);
	return rc;
}

static int do_forget(struct memopts *o, const char *name)
{
	struct store_set s;
	struct store_ops_result r = {0};
	int rc;

	if ((rc = open_set(&s, o, true)))
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

static const char memory_usage[] =
	"usage: kairos memory list|show NAME|add TEXT|forget NAME [--memory-dir DIR] "
	"[--workspace DIR] [--type T] [--store S] [--name NAME] [--json]\n";

int cli_memory(int argc, char **argv)
{
	struct memopts o = {0};
	const struct cli_opt opts[] = {
		{"--memory-dir", CLI_VALUE, NULL, &o.memory_dir},
		{"--workspace", CLI_VALUE, NULL, &o.workspace},
		{"--type", CLI_VALUE, NULL, &o.type},
		{"--store", CLI_VALUE, NULL, &o.store},
		{"--name", CLI_VALUE, NULL, &o.name},
		{"--json", CLI_FLAG, &o.json, NULL},
	};
	int npos = 0, rc;

	if ((rc = cli_parse("memory", argc, argv, opts, (int)ARRAY_LEN(opts), &npos)))
		return rc;
	if (npos < 1) {
		fputs(memory_usage, stderr);
		return 2;
	}
	if ((rc = check_opts("memory", &o)))
		return rc;
	if (!strcmp(argv[0], "list") && npos == 1)
		return do_list(&o);
	if (!strcmp(argv[0], "show") && npos == 2)
		return do_show(&o, argv[1]);
	if (!strcmp(argv[0], "forget") && npos == 2)
		return do_forget(&o, argv[1]);
	if (!strcmp(argv[0], "add") && npos >= 2) {
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
		rc = do_add(&o, buf_cstr(&text));
		buf_dispose(&text);
		return rc;
	}
	if (strcmp(argv[0], "list") && strcmp(argv[0], "show") && strcmp(argv[0], "add") &&
	    strcmp(argv[0], "forget"))
		fprintf(stderr, "kairos memory: unknown action '%s'\n", argv[0]);
	fputs(memory_usage, stderr);
	return 2;
}

/* log and undo work on one store: --memory-dir, or --store (personal). */
static int one_store(const char *cmd, int argc, char **argv, struct store_set *s,
		     struct store **st, bool *json)
{
	struct memopts o = {0};
	const struct cli_opt opts[] = {
		{"--memory-dir", CLI_VALUE, NULL, &o.memory_dir},
		{"--workspace", CLI_VALUE, NULL, &o.workspace},
		{"--store", CLI_VALUE, NULL, &o.store},
		{"--json", CLI_FLAG, &o.json, NULL},
	};
	int npos = 0, rc;

	if ((rc = cli_parse(cmd, argc, argv, opts, (int)ARRAY_LEN(opts), &npos)))
		return rc;
	if (npos) {
		fprintf(stderr, "kairos %s: unexpected argument '%s'\n", cmd, argv[0]);
		return 2;
	}
	if ((rc = check_opts(cmd, &o)))
		return rc;
	if (open_set(s, &o, false))
		return 1;
	if (!(*st = pick_store(s, &o, cmd))) {
		store_set_dispose(s);
		return 2;
	}
	*json = o.json;
	return 0;
}

int cli_log(int argc, char **argv)
{
	struct store_set s;
	struct store *st;
	struct history_entry *e = NULL;
	size_t n = 0;
	bool json = false;
	int rc;

	if ((rc = one_store("log", argc, argv, &s, &st, &json)))
		return rc;
	if (history_log(st->dir, &e, &n)) {
		fprintf(stderr, "kairos log: %s\n", kr_errmsg());
		store_set_dispose(&s);
		return 1;
	}
	if (json) {
		struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING);
		struct jw w;
		jw_init(&w, &b);
		jw_arr(&w);
		for (size_t i = 0; i < n; i++) {
			char ts[32];
			time_format(e[i].time, ts);
			jw_obj(&w);
			jw_kstr(&w, "id", e[i].id);
			jw_kstr(&w, "time", ts);
			jw_kstr(&w, "message", e[i].message);
			jw_end(&w);
		}
		jw_end(&w);
		rc = print_json(&b);
		buf_dispose(&b);
	} else {
		if (!n)
			fprintf(stderr, "kairos log: no history yet for %s\n", st->dir);
		for (size_t i = 0; i < n; i++) {
			char ts[32];
			const char *msg = e[i].message ? e[i].message : "";
			int l = (int)strcspn(msg, "\n");
			time_format(e[i].time, ts);
			printf("%.12s %s %.*s\n", e[i].id, ts, l, msg);
		}
	}
	history_entries_free(e, n);
	store_set_dispose(&s);
	return rc;
}

int cli_undo(int argc, char **argv)
{
	struct store_set s;
	struct store *st;
	struct store_ops_result r = {0};
	bool json = false;
	int rc;

	if ((rc = one_store("undo", argc, argv, &s, &st, &json)))
		return rc;
	if (store_ops_undo(&r, &s, (int)st->kind)) {
		fprintf(stderr, "kairos undo: %s\n", kr_errmsg());
		rc = 1;
	} else if (json) {
		printf("{\"reverted\":\"%s\",\"commit\":\"%s\"}\n", r.undone, r.commit);
	} else {
		printf("undid %.12s (%s); now at %.12s\n", r.undone,
		       r.undone_subject ? r.undone_subject : "?", r.commit);
	}
	store_ops_result_dispose(&r);
	store_set_dispose(&s);
	return rc;
}
