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

int cli_trust(int argc, char **argv)
{
	const char *ws = NULL;
	bool revoke = false, status = false, json = false, trusted = false;
	struct cli_opt opts[] = {
		{"--workspace", CLI_VALUE, NULL, &ws},
		{"--revoke", CLI_FLAG, &revoke, NULL},
		{"--status", CLI_FLAG, &status, NULL},
		{"--json", CLI_FLAG, &json, NULL},
	};
	char *real = NULL;
	int npos, rc;

	if ((rc = cli_parse("trust", argc, argv, opts, (int)ARRAY_LEN(opts), &npos)))
		return rc;
	if (npos) {
		fprintf(stderr, "kairos trust: unexpected argument '%s' (the workspace is --workspace DIR)\n",
			argv[0]);
		return 2;
	}
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
