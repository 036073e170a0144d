/* mcp_server: `kairos mcp`, a Model Context Protocol server on stdin and
 * stdout (protocol/mcp.md): coding agents search, read, add, forget and
 * consolidate the same memory the language server keeps, through the
 * same stores, locks and history. */
#ifndef KAIROS_MCP_SERVER_H
#define KAIROS_MCP_SERVER_H

/* Serves one client until it closes stdin (or SIGTERM); the process's
 * exit status. workspace NULL: the current directory. memory_dir, when
 * not NULL, is the one store served (as the CLI's --memory-dir). */
int mcp_server_run(const char *workspace, const char *memory_dir);

#endif
