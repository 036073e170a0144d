/* cli_lsp: `kairos lsp [--stdio] [-- CMD ARGS...]`: the language server,
 * with the proxy installed as its filter when a command follows `--`. */
#include "cli.h"
#include "kairos/err.h"
#include "kairos/lsp_server.h"
#include "kairos/proxy.h"

#include <string.h>
#include <unistd.h>

static bool stdio_flag;

static const struct cli_opt opts[] = {
	{"--stdio", CLI_FLAG, &stdio_flag, NULL, NULL,
	 "accepted and ignored: the server always speaks on stdin and stdout"},
};

static int run(int argc, char **argv)
{
	int npos = 0, child = -1, code;
	struct lsp_server *srv;

	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			child = i + 1;
			argc = i;
			break;
		}
	if (cli_parse(&cli_lsp_cmd, argc, argv, &npos))
		return 2;
	if (npos)
		return cli_unexpected(&cli_lsp_cmd, argv[0], NULL);
	if (child >= 0 && !argv[child]) {
		fprintf(stderr, "kairos lsp: '--' must be followed by a command\n");
		return 2;
	}
	/* typed in a terminal by mistake: say what is waiting, on stderr */
	if (isatty(0))
		fprintf(stderr, "kairos lsp: a language server, waiting for an editor to speak LSP on "
				"stdin (see kairos lsp --help; Ctrl-D ends it)\n");
	srv = lsp_server_new();
	if (child >= 0) {
		/* proxy mode: the child starts now, in front of the editor */
		struct lsp_filter_host host;
		struct lsp_filter f;
		lsp_server_host(srv, &host);
		proxy_new(&f, &host, argv + child);
		lsp_server_set_filter(srv, &f);
	}
	code = lsp_server_run(srv);
	lsp_server_free(srv);
	return code;
}

const struct cli_cmd cli_lsp_cmd = {
	.name = "lsp",
	.args = "[-- CMD ARGS...]",
	.summary = "the language server, on stdin and stdout",
	.details = "Serve the Language Server Protocol until the editor sends exit or closes "
		   "stdin; an editor starts this command (kairos(1), the editors/ folder). "
		   "Nothing but protocol is written to stdout.\n\n"
		   "With -- CMD ARGS... kairos runs the language server CMD as its child and "
		   "stands between it and the editor (proxy mode), so that one connection "
		   "gives both: for example kairos lsp -- clangd.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};
