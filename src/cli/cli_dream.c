/* cli_dream: `kairos dream [--workspace DIR] [--memory-dir DIR] [--force]
 * [--dry-run] [--json]` (protocol/dream.md). Hidden: --progress-fd N
 * (one JSON line per phase on fd N, for a server running the dream as a
 * child process), --min-hours H and --min-signals N (the gates), --llm
 * JSON (the server's `llm` object; KAIROS_LLM_* apply on top of it).
 * SIGINT/SIGTERM cancel the dream cleanly: nothing is written. */
#include "cli.h"
#include "kairos/dream.h"
#include "kairos/dream_model.h"
#include "kairos/err.h"
#include "kairos/json.h"
#include "kairos/store.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static atomic_int cancel_flag;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&cancel_flag, 1);
}

static void progress_fd(void *ctx, const char *phase, int pct, const char *msg)
{
	int fd = *(int *)ctx;
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
	struct jw w;
	const char *p;
	size_t left;

	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "phase", phase);
	jw_kint(&w, "percentage", pct);
	jw_kstr(&w, "message", msg ? msg : "");
	jw_end(&w);
	buf_putc(&b, '\n');
	/* a progress line that cannot be made is left out: the dream goes on */
	for (p = buf_cstr(&b), left = b.len; left;) {
		ssize_t r = write(fd, p, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		p += r;
		left -= (size_t)r;
	}
	buf_dispose(&b);
}

static int print_text(const struct dream_report *r, bool dry)
{
	struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);

	if (!r->ran) {
		printf("kairos dream: not now: %s (--force dreams anyway)\n",
		       r->skipped ? r->skipped : "a gate held it back");
		return 0;
	}
	if (dream_report_summary(r, &b) || buf_err(&b)) {
		fprintf(stderr, "kairos dream: the report: %s\n", kr_errmsg());
		buf_dispose(&b);
		return 1;
	}
	printf("kairos dream%s: %s; %d active, %d archived%s%s\n", dry ? " (dry run)" : "",
	       buf_cstr(&b), r->kept, r->archived, r->commit[0] ? ", commit " : "",
	       r->commit[0] ? r->commit : "");
	for (size_t i = 0; i < r->nactions; i++) {
		const struct dream_action *a = &r->actions[i];
		switch (a->op) {
		case DREAM_OP_MERGE:
			printf("  merge into %s:", a->name);
			for (size_t k = 0; k < a->names.n; k++)
				printf(" %s", a->names.v[k]);
			printf("\n");
			break;
		case DREAM_OP_SUPERSEDE:
			printf("  %s supersedes %s (%s)\n", a->name, a->other, a->why);
			break;
		case DREAM_OP_PRUNE:
			printf("  retire %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_DATE:
			printf("  dates in %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_PROMOTE:
			printf("  new memory %s: %s\n", a->name, a->why);
			break;
		case DREAM_OP_REFS:
			printf("  refs of %s: %s -> %s\n", a->name, a->other, a->why);
			break;
		case DREAM_OP_KEEP:
			break;
		}
	}
	if (r->npairs)
		printf("  %zu pair%s alike but left alone (see --json \"similar\")\n", r->npairs,
		       r->npairs == 1 ? "" : "s");
	buf_dispose(&b);
	return 0;
}

static const char *workspace, *memory_dir, *pfd, *min_hours, *min_signals, *llm;
static bool force, dry, json;

static const struct cli_opt opts[] = {
	{"--workspace", CLI_VALUE, NULL, &workspace, "DIR",
	 "the project whose personal store to dream (default: the current directory)"},
	{"--memory-dir", CLI_VALUE, NULL, &memory_dir, "DIR", "dream that one store instead"},
	{"--force", CLI_FLAG, &force, NULL, NULL,
	 "dream now, whatever the gates say (24 hours and 5 signals since the last dream); never past the lock"},
	{"--dry-run", CLI_FLAG, &dry, NULL, NULL, "say what would change, and change nothing"},
	{"--json", CLI_FLAG, &json, NULL, NULL, "print the dream report as one JSON object"},
	/* for a server running the dream as its child */
	{"--progress-fd", CLI_VALUE, NULL, &pfd, "N", NULL},
	{"--min-hours", CLI_VALUE, NULL, &min_hours, "H", NULL},
	{"--min-signals", CLI_VALUE, NULL, &min_signals, "N", NULL},
	{"--llm", CLI_VALUE, NULL, &llm, "JSON", NULL},
};

static int run(int argc, char **argv)
{
	struct model_config mc;
	struct dream_opin *ops = NULL;
	size_t nops = 0;
	int npos = 0, rc, fd = -1, status = 1;
	struct store_set ss;
	struct store *st;
	struct dream_opts o;
	struct dream_report rep;
	char cwd[4096];

	if (cli_parse(&cli_dream_cmd, argc, argv, &npos))
		return 2;
	if (npos)
		return cli_unexpected(&cli_dream_cmd, argv[0], NULL);
	dream_opts_init(&o);
	if (pfd) {
		char *end;
		long v = strtol(pfd, &end, 10);
		if (*end || v < 0 || v > 65535) {
			fprintf(stderr, "kairos dream: --progress-fd needs a file descriptor number\n");
			return 2;
		}
		fd = (int)v;
		o.progress = progress_fd;
		o.progress_ctx = &fd;
	}
	if (min_hours) {
		char *end;
		o.min_hours = strtod(min_hours, &end);
		if (*end || o.min_hours < 0) {
			fprintf(stderr, "kairos dream: --min-hours needs a number\n");
			return 2;
		}
	}
	if (min_signals) {
		char *end;
		o.min_signals = (int)strtol(min_signals, &end, 10);
		if (*end || o.min_signals < 0) {
			fprintf(stderr, "kairos dream: --min-signals needs a number\n");
			return 2;
		}
	}
	if (!workspace)
		workspace = getcwd(cwd, sizeof(cwd)) ? cwd : ".";
	if ((rc = store_set_open(&ss, workspace, memory_dir, memory_dir != NULL))) {
		fprintf(stderr, "kairos dream: %s\n", kr_errmsg());
		return 1;
	}
	st = store_set_get(&ss, STORE_PERSONAL);
	if (!st || !st->dir) {
		fprintf(stderr, "kairos dream: no personal store for %s\n", workspace);
		store_set_dispose(&ss);
		return 1;
	}
	o.force = force;
	o.dry_run = dry;
	o.workspace = ss.workspace;
	o.cancel = &cancel_flag;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	model_config_init(&mc);
	if (llm) {
		struct json j;
		if (json_parse(&j, llm, strlen(llm)) == 0 && model_config_from_json(&mc, &j, 0))
			fprintf(stderr, "kairos dream: model: %s\n", kr_errmsg());
		json_dispose(&j);
	}
	if (model_config_from_env(&mc))
		fprintf(stderr, "kairos dream: model: %s\n", kr_errmsg());
	if (mc.provider != MODEL_PROVIDER_NONE && !dry) {
		/* what would the deterministic pass leave undecided? */
		struct dream_opts pre = o;
		struct dream_report prep;
		pre.dry_run = true;
		pre.progress = NULL;
		if (dream_run(&prep, st, &pre) == 0 && prep.ran && prep.npairs) {
			struct mem_list mems = {0};
			struct store_problem *pr = NULL;
			size_t npr = 0;
			if (store_load(st, &mems, false, &pr, &npr) == 0)
				dream_model_propose(&ops, &nops, &mc, prep.pairs, prep.npairs, &mems);
			store_problem_free_all(pr, npr);
			mem_list_dispose(&mems);
		}
		dream_report_dispose(&prep);
		o.ops = ops;
		o.nops = nops;
	}
	rc = dream_run(&rep, st, &o);
	for (size_t i = 0; i < rep.nproblems; i++)
		fprintf(stderr, "%s: %s\n", rep.problems[i].path, rep.problems[i].msg);
	if (rc) {
		fprintf(stderr, "kairos dream: %s\n", kr_errmsg());
	} else {
		status = 0;
		if (json) {
			struct buf b = BUF_INIT_CAP(BUF_CAP_LISTING);
			if (dream_report_json(&rep, &b) || buf_err(&b)) {
				fprintf(stderr, "kairos dream: the report: %s\n", kr_errmsg());
				status = 1;
			} else {
				printf("%s\n", b.data);
			}
			buf_dispose(&b);
		} else {
			status = print_text(&rep, dry);
		}
	}
	dream_report_dispose(&rep);
	dream_ops_free(ops, nops);
	model_config_dispose(&mc);
	store_set_dispose(&ss);
	return status;
}

const struct cli_cmd cli_dream_cmd = {
	.name = "dream",
	.summary = "consolidate a store's memory (AutoDream)",
	.details = "Merge near-duplicates, retire contradicted, expired and stale memories to "
		   "archive/, rewrite relative dates, promote repeated observations and rebuild "
		   "the index, as one history commit: nothing is deleted, and kairos undo takes "
		   "it back. The report says each change and why, and the pairs it found alike "
		   "but left alone. Exits 0 when the dream ran (invalid memory files are reported "
		   "on stderr, one line each), 1 when it could not.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};
