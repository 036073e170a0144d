/* cli_lsp: `kairos lsp [--stdio] [-- CMD ARGS...]`. */
#include "cli.h"
#include "kairos/server.h"

#include <stdio.h>
#include <string.h>

int cli_lsp(int argc, char **argv)
{
	bool stdio_flag = false;
	int npos = 0, child = -1;
	const struct cli_opt opts[] = {
		{"--stdio", CLI_FLAG, &stdio_flag, NULL},
	};

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
	return server_main(child >= 0 ? argv + child : NULL);
}
