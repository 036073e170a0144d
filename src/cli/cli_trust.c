/* cli_trust: `kairos trust`, the person's decision to trust a workspace's
 * team store and instruction files (trust.h), recorded, taken back
 * (--revoke) or only shown (--status). --json changes how the outcome is
 * printed, never what is done. */
#include "cli.h"
#include "kairos/err.h"
#include "kairos/jw.h"
#include "kairos/trust.h"

#include <stdio.h>
#include <stdlib.h>

static void print_state(const char *real, bool trusted, bool json)
{
	if (json) {
		struct buf b = BUF_INIT_CAP(BUF_CAP_LINE);
		struct jw w;
		jw_init(&w, &b);
		jw_obj(&w);
		jw_kstr(&w, "workspace", real);
		jw_kbool(&w, "trusted", trusted);
		jw_end(&w);
		if (buf_err(&b))
			fprintf(stderr, "kairos trust: %s\n", kr_errmsg());
		else
			printf("%s\n", b.data);
		buf_dispose(&b);
		return;
	}
	if (trusted)
		printf("trusted %s: its team store and instruction files may offer fixes and instruct a model\n",
		       real);
	else
		printf("not trusted %s: its team store and instruction files show diagnostics, offer no "
		       "fixes, and reach a model only as quoted data\n",
		       real);
}

static const char *ws;
static bool revoke, status, json;

static const struct cli_opt opts[] = {
	{"--workspace", CLI_VALUE, NULL, &ws, "DIR", "the workspace (default: the current directory)"},
	{"--revoke", CLI_FLAG, &revoke, NULL, NULL, "take the decision back"},
	{"--status", CLI_FLAG, &status, NULL, NULL, "only show the decision, change nothing"},
	{"--json", CLI_FLAG, &json, NULL, NULL,
	 "print {\"workspace\": PATH, \"trusted\": BOOL} after what was done"},
};

static int run(int argc, char **argv)
{
	bool trusted = false;
	char *real = NULL;
	int npos, rc;

	if ((rc = cli_parse(&cli_trust_cmd, argc, argv, &npos)))
		return rc;
	if (npos)
		return cli_unexpected(&cli_trust_cmd, argv[0], "the workspace is --workspace DIR");
	if (revoke && status) {
		fprintf(stderr, "kairos trust: --revoke and --status exclude each other\n");
		return 2;
	}
	if (!ws)
		ws = ".";
	if (trust_workspace_path(&real, ws) ||
	    (!status && trust_set(real, !revoke)) || trust_get(&trusted, real)) {
		fprintf(stderr, "kairos trust: %s\n", kr_errmsg());
		free(real);
		return 1;
	}
	print_state(real, trusted, json);
	free(real);
	return 0;
}

const struct cli_cmd cli_trust_cmd = {
	.name = "trust",
	.summary = "trust a workspace's team store and instruction files",
	.details = "Record that you trust the workspace: its team store and instruction files "
		   "(CLAUDE.md, AGENTS.md, ...) then offer their fixes and instruct a model. "
		   "Until then their memories show diagnostics only, and reach a model only as "
		   "quoted data. The decision is kept under $XDG_DATA_HOME/kairos/trust/, keyed "
		   "by the workspace's real path; nothing inside a workspace can grant it.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};
