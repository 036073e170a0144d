/* cli_lsp: `kairos lsp [--stdio] [-- CMD ARGS...]`: the language server,
 * with the proxy installed as its filter when a command follows `--`. */
#include "cli.h"
#include "kairos/lsp_server.h"
#include "kairos/proxy.h"

#include <stdio.h>
#include <string.h>

int cli_lsp(int argc, char **argv)
{
	bool stdio_flag = false;
	int npos = 0, child = -1, code;
	const struct cli_opt opts[] = {
		{"--stdio", CLI_FLAG, &stdio_flag, NULL},
	};
	struct lsp_server *srv;

	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			child = i + 1;
			argc = i;
			break;
		}
	if (cli_parse("lsp", argc, argv, opts, 1, &npos))
		return 2;
	if (npos) {
		fprintf(stderr, "kairos lsp: unexpected argument '%s'\n", argv[0]);
		return 2;
	}
	if (child >= 0 && !argv[child]) {
		fprintf(stderr, "kairos lsp: '--' must be followed by a command\n");
		return 2;
	}
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
