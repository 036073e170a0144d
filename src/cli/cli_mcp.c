/* cli_mcp: `kairos mcp [--workspace DIR] [--memory-dir DIR]`, the Model
 * Context Protocol server on stdin/stdout (protocol/mcp.md). */
#include "cli.h"
#include "kairos/err.h"
#include "kairos/mcp_server.h"

static const char *workspace, *memory_dir;

static const struct cli_opt opts[] = {
	{"--workspace", CLI_VALUE, NULL, &workspace, "DIR",
	 "the project whose memory to serve (default: the current directory)"},
	{"--memory-dir", CLI_VALUE, NULL, &memory_dir, "DIR",
	 "serve that one store instead of the project's stores"},
};

static int run(int argc, char **argv)
{
	int npos = 0, rc;

	if ((rc = cli_parse(&cli_mcp_cmd, argc, argv, &npos)))
		return rc;
	if (npos)
		return cli_unexpected(&cli_mcp_cmd, argv[0], NULL);
	return mcp_server_run(workspace, memory_dir);
}

const struct cli_cmd cli_mcp_cmd = {
	.name = "mcp",
	.summary = "the Model Context Protocol server, for coding agents",
	.details = "Serve the memory to an agent over MCP (one JSON-RPC message per line on "
		   "stdin and stdout): tools to search, list, read, add, forget and restore "
		   "memories and to dream, and every memory as a resource. It shares the "
		   "stores, locks and history with the editor's server.",
	.opts = opts,
	.nopts = ARRAY_LEN(opts),
	.run = run,
};
