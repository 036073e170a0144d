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
passed=0; failed=0
for t in *.test.js; do
	echo "-- $t"
	out=$(node "$t" 2>&1); echo "$out" | grep -v '^ok ' | tail -n 40
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then echo "$t: no result line"; failed=$((failed + 1)); continue; fi
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
done
echo "$passed passed, $failed failed"
