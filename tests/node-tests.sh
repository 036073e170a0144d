#!/bin/sh
# node-tests.sh DIR: runs every DIR/*.test.js with node, shows what is
# not an "ok" line, and closes with the sum of their "N passed, M failed"
# lines (a file that prints none counts as one failure). The suites of
# the node test clients (20-client, 25-mcp) share it.
set -u
cd "$1" || exit 1
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
