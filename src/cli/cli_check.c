/* cli_check: `kairos check`, the tick engine over files in batch: the
 * same memories and rejections as the server, no per-tick budget. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "kairos/err.h"
#include "kairos/feedback.h"
#include "kairos/fsx.h"
#include "kairos/gitindex.h"
#include "kairos/json.h"
#include "kairos/store.h"
#include "kairos/tick.h"
#include "kairos/trust.h"

#define CHECK_FILE_MAX (64u << 20)
/* One suggestion as JSON: a message from a memory file (MEM_MAX_FILE),
 * escaped, a path and a few fields stay far below this. */
#define CHECK_JSON_ITEM_MAX BUF_CAP_LISTING

struct files {
	char **v;
	size_t n, cap;
};

static void files_push(struct files *f, char *s)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->v = xrealloc(f->v, f->cap * sizeof(char *));
	}
	f->v[f->n++] = s;
}

static void files_dispose(struct files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
}

/* Every regular file under dir (workspace-relative rel), but .git and
 * the team store; symlinks are not followed. */
static void walk(const char *ws, const char *rel, struct files *out)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s%s%s", ws, *rel ? "/" : "", rel);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char sub[PATH_MAX], full[PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, ".git"))
			continue;
		if (!*rel && !strcmp(e->d_name, ".kairos"))
			continue;
		if (snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name) >= (int)sizeof(sub) ||
		    snprintf(full, sizeof(full), "%s/%s", ws, sub) >= (int)sizeof(full))
			continue;
		if (lstat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk(ws, sub, out);
		else if (S_ISREG(st.st_mode))
			files_push(out, xstrdup(sub));
	}
	closedir(d);
}

static void on_rule_problem(void *ctx, const struct mem *m, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "kairos check: memory %s (%s): %s\n", m->name, m->path ? m->path : "?", msg);
}

/* FILE as given -> workspace-relative path (or as given when outside)
 * and the path to read. */
static int resolve(const char *ws, const char *arg, char **rel, char **abs)
{
	char real[PATH_MAX];
	size_t wl = strlen(ws);

	if (!realpath(arg, real)) {
		char alt[PATH_MAX];

		int n = snprintf(alt, sizeof(alt), "%s/%s", ws, arg);
		if (n < 0 || (size_t)n >= sizeof(alt))
			return kr_err("%s: path too long", arg);
		if (arg[0] == '/' || !realpath(alt, real))
			return kr_err("%s: %s", arg, strerror(errno));
	}
	*abs = xstrdup(real);
	if (!strncmp(real, ws, wl) && real[wl] == '/')
		*rel = xstrdup(real + wl + 1);
	else
		*rel = xstrdup(arg);
	return 0;
}

static void print_text(const struct suggestion_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct suggestion *s = &l->v[i];

		printf("%s:%zu:%zu: %s: ", s->path, s->line + 1, s->start + 1,
		       mem_severity_name(s->severity));
		for (const char *p = s->message; *p; p++)
			putchar(*p == '\n' || *p == '\r' ? ' ' : *p);
		printf(" [%s]\n", s->memory ? s->memory : s->kind);
	}
}

/* An untrusted memory offers no edit (protocol.md, Workspace trust): its
 * suggestions keep their place and message, and lose their fix. */
static void withhold_fixes(struct suggestion_list *l, const bool trusted[STORE_COUNT])
{
	for (size_t i = 0; i < l->n; i++) {
		struct suggestion *s = &l->v[i];
		if (s->fix && s->store >= 0 && s->store < STORE_COUNT && !trusted[s->store]) {
			free(s->fix);
			s->fix = NULL;
		}
	}
}

/* The suggestions as one JSON array, one object a line (for readers and
 * diffs). Written object by object: a whole workspace's suggestions have
 * no bound, one suggestion has. */
static int print_json(const struct suggestion_list *l)
{
	struct buf b = BUF_INIT_CAP(CHECK_JSON_ITEM_MAX);
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct suggestion *s = &l->v[i];
		struct jw w;

		buf_reset(&b);
		buf_puts(&b, i ? "\n," : "[");
		jw_init(&w, &b);
		jw_obj(&w);
		jw_kstr(&w, "file", s->path);
		jw_kint(&w, "line", (long long)s->line + 1);
		jw_kint(&w, "column", (long long)s->start + 1);
		jw_kstr(&w, "severity", mem_severity_name(s->severity));
		jw_kstr(&w, "message", s->message);
		jw_kstr(&w, "memory", s->memory);
		if (s->fix)
			jw_kstr(&w, "fix", s->fix);
		jw_kstr(&w, "id", s->id);
		jw_end(&w);
		if ((rc = buf_err(&b))) {
			fprintf(stderr, "kairos check: %s:%zu: %s\n", s->path, s->line + 1, kr_errmsg());
			break;
		}
		fwrite(b.data, 1, b.len, stdout);
	}
	/* an array cut short stays unclosed: no reader takes it for whole */
	if (!rc)
		fputs(l->n ? "]\n" : "[]\n", stdout);
	buf_dispose(&b);
	return rc ? 1 : 0;
}

static const char *ws_opt, *memdir;
static bool json;

static const struct cli_opt opts[] = {
	{"--workspace", CLI_VALUE, NULL, &ws_opt, "DIR",
	 "the project to check (default: the current directory)"},
	{"--memory-dir", CLI_VALUE, NULL, &memdir, "DIR",
	 "use that one store alone: no other store is read"},
	{"--json", CLI_FLAG, &json, NULL, NULL,
	 "print one JSON array of {file, line, column, severity, message, memory, fix}"},
};

static int run(int argc, char **argv)
{
	struct store_set ss = {0};
	struct rules *rules = NULL;
	struct feedback *fb = NULL;
	struct files rel = {0}, abs = {0};
	struct suggestion_list all = {0};
	struct tick_ctx ctx = {0};
	char ws[PATH_MAX];
	bool ws_trusted = false, trusted[STORE_COUNT];
	int npos, rc, status = 0;

	rc = cli_parse(&cli_check_cmd, argc, argv, &npos);
	if (rc)
		return rc;
	if (!realpath(ws_opt ? ws_opt : ".", ws)) {
		fprintf(stderr, "kairos check: workspace %s: %s\n", ws_opt ? ws_opt : ".", strerror(errno));
		return 1;
	}
	if ((rc = store_set_open(&ss, ws, memdir, memdir != NULL)) ||
	    (rc = store_set_load(&ss))) {
		fprintf(stderr, "kairos check: %s\n", kr_errmsg());
		status = 1;
		goto out;
	}
	for (size_t i = 0; i < ss.nproblems; i++)
		fprintf(stderr, "kairos check: %s: %s\n", ss.problems[i].path, ss.problems[i].msg);
	if (trust_get(&ws_trusted, ws))
		fprintf(stderr, "kairos check: %s (the workspace is taken as not trusted)\n", kr_errmsg());
	/* --memory-dir is the person's own choice on the command line */
	trust_stores(trusted, &ss, ws_trusted, false);
	rules_compile(&rules, &ss.mems, NULL, on_rule_problem, NULL);
	feedback_open(&fb);
	if (feedback_add_set(fb, &ss))
		fprintf(stderr, "kairos check: %s (rejections not applied)\n", kr_errmsg());

	if (npos) {
		for (int i = 0; i < npos; i++) {
			char *r = NULL, *a = NULL;

			if (resolve(ws, argv[i], &r, &a)) {
				fprintf(stderr, "kairos check: %s\n", kr_errmsg());
				status = 1;
				continue;
			}
			files_push(&rel, r);
			files_push(&abs, a);
		}
	} else {
		char **v;
		size_t n;

		if (!gitindex_list(ws, &v, &n)) {
			for (size_t i = 0; i < n; i++)
				files_push(&rel, v[i]);
			free(v);
		} else {
			walk(ws, "", &rel);
		}
		for (size_t i = 0; i < rel.n; i++) {
			char *a = xmalloc(strlen(ws) + strlen(rel.v[i]) + 2);

			sprintf(a, "%s/%s", ws, rel.v[i]);
			files_push(&abs, a);
		}
	}

	ctx.rules = rules;
	ctx.suppressed = feedback_suppressed;
	ctx.suppressed_ctx = fb;
	ctx.workspace = ws;
	for (size_t i = 0; i < rel.n; i++) {
		struct buf text = BUF_INIT_CAP(CHECK_FILE_MAX + 1);
		struct stat st;

		/* tracked files deleted from the work tree, or not regular */
		if (lstat(abs.v[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (tick_path_ignored(rel.v[i]))
			continue;
		rc = fsx_read(abs.v[i], CHECK_FILE_MAX, &text);
		if (rc) {
			fprintf(stderr, "kairos check: %s: %s\n", rel.v[i], kr_errmsg());
			if (npos)
				status = 1;
			buf_dispose(&text);
			continue;
		}
		rc = tick_document(&all, &ctx, rel.v[i], buf_cstr(&text), text.len);
		buf_dispose(&text);
		if (rc < 0) {
			fprintf(stderr, "kairos check: %s: %s\n", rel.v[i], kr_errmsg());
			status = 1;
		}
	}
	tick_sort(&all);
	withhold_fixes(&all, trusted);
	if (json) {
		if (print_json(&all))
			status = 1;
	} else {
		print_text(&all);
	}
	fflush(stdout);
out:
	tick_suggestion_list_dispose(&all);
	files_dispose(&rel);
	files_dispose(&abs);
	feedback_free(fb);
	rules_free(rules);
	store_set_dispose(&ss);
	return status;
}

const struct cli_cmd cli_check_cmd = {
	.name = "check",
	.args = "[FILE...]",
	.summary = "memories checked against files, as the tick does, for scripts and CI",
	.details = "Run the tick's engine over FILEs in batch (default: the files in the "
		   "workspace's git index, else every regular file but .git), with the same "
		   "memories and rejections as the server and no per-tick budget. Each "
		   "suggestion is one line FILE:LINE:COL: SEVERITY: MESSAGE [MEMORY] (1-based "
		   "line, byte column), sorted. Exits 0 when it ran, whatever it found.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};
