#!/bin/sh
# MCP: `kairos mcp` driven by the official MCP TypeScript SDK client the
# way an agent host drives it (tests/mcp/*.test.js), the one search
# ranking through the CLI, kairos.search and memory_search, and the
# Claude Code plugin's files. Without the SDK (npm could not install it)
# the suite says so and counts as skipped, never as passed.
set -u
cd "$ROOT/tests/mcp" || exit 1
if ! command -v node >/dev/null 2>&1 || [ ! -f node_modules/@modelcontextprotocol/sdk/package.json ]; then
	echo "skipped: @modelcontextprotocol/sdk is not installed in tests/mcp (scripts/npm-deps.sh installs it)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
sh "$ROOT/tests/node-tests.sh" "$ROOT/tests/mcp"
