/* cli_mcp: `kairos mcp [--workspace DIR] [--memory-dir DIR]`, the Model
 * Context Protocol server on stdin/stdout (protocol/mcp.md). */
#include "cli.h"
#include "kairos/err.h"
#include "kairos/mcp_server.h"

#include <stdio.h>

int cli_mcp(int argc, char **argv)
{
	const char *workspace = NULL, *memory_dir = NULL;
	const struct cli_opt opts[] = {
		{"--workspace", CLI_VALUE, NULL, &workspace},
		{"--memory-dir", CLI_VALUE, NULL, &memory_dir},
	};
	int npos = 0, rc;

	if ((rc = cli_parse("mcp", argc, argv, opts, (int)ARRAY_LEN(opts), &npos)))
		return rc;
	if (npos) {
		fprintf(stderr, "kairos mcp: unexpected argument '%s'\n", argv[0]);
		return 2;
	}
	return mcp_server_run(workspace, memory_dir);
}
