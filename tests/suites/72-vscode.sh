#!/bin/sh
# The VS Code extension (editors/vscode) without VS Code: type-check, lint,
# package a .vsix offline and check its contents, then run its client logic
# against the real server (editors/vscode/test/logic.test.js).
set -u
passed=0; failed=0
dir="$ROOT/editors/vscode"
. "$ROOT/tests/editors/lib.sh"
editor_env
export npm_config_cache="$tmp/npm-cache" npm_config_update_notifier=false
if [ ! -d "$dir/node_modules" ]; then
	echo "FAIL $dir/node_modules is missing: run sh scripts/npm-deps.sh (make test does)"
	echo "0 passed, 1 failed"; exit 1
fi
cd "$dir" || exit 1

run() { # NAME TIMEOUT CMD...: one check
	name=$1; t=$2; shift 2
	if timeout -k 5 "$t" "$@" >"$tmp/out" 2>&1; then
		passed=$((passed + 1))
	else
		echo "FAIL $name:"; grep -v 'Unknown user config' "$tmp/out" | tail -n 30
		failed=$((failed + 1))
	fi
}
run "type-check (tsc --noEmit)" 120 npm run --silent typecheck
run "lint (eslint)" 120 npm run --silent lint
run "npm run package produces a .vsix" 180 npm run --silent package -- --out "$tmp/kairos.vsix"
if [ -f "$tmp/kairos.vsix" ]; then
	run "the .vsix holds the extension" 30 node test/vsix.js "$tmp/kairos.vsix"
else
	echo "FAIL no .vsix to inspect"; failed=$((failed + 1))
fi
run "compile (tsc)" 120 npm run --silent compile
# logic.test.js: the plain modules, alone and against the server;
# activate.test.js: the extension itself, activated with a stand-in for the
# vscode module, the real vscode-languageclient and the real server.
for t in logic activate; do
	KAIROS="$KAIROS" ROOT="$ROOT" timeout -k 5 150 node "test/$t.test.js" >"$tmp/$t" 2>&1
	grep -v '^ok ' "$tmp/$t" | grep -v '^[0-9]* passed, [0-9]* failed' | tail -n 40
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/$t" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $t.test.js printed no result line"; failed=$((failed + 1))
	else
		p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
		passed=$((passed + p)); failed=$((failed + f))
	fi
done
echo "$passed passed, $failed failed"
