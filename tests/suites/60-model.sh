#!/bin/sh
# The model layer (httpc + kairos-http.so + model.h) against the local
# test server tests/model-server/server.js on a loopback port: both APIs,
# retries, invalid replies, a hanging model, cancellation, secrets. The
# server is always stopped (trap), and any violation it saw fails the suite.
set -u
passed=0; failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

tmp=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# loopback only: no proxy may take the requests elsewhere
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data"
mkdir -p "$HOME" "$XDG_DATA_HOME"
export MODEL_TEST_KEY="kairos-test-key-$$"
export KAIROS_PLUGIN_DIR="$B"

# libcurl stays out of the main binary
if [ -x "$KAIROS" ] && readelf -d "$KAIROS" | grep NEEDED | grep -q curl; then
	ko "build/kairos links libcurl"
else ok; fi
if [ -f "$B/kairos-http.so" ] && readelf -d "$B/kairos-http.so" | grep NEEDED | grep -q curl; then ok
else ko "kairos-http.so missing or not linked with libcurl"; fi

if ! command -v node >/dev/null 2>&1; then
	ko "node is not installed (scripts/deps.sh test)"
	echo "$passed passed, $failed failed"; exit 1
fi
node "$ROOT/tests/model-server/server.js" --port-file "$tmp/port" >"$tmp/server.out" 2>"$tmp/server.err" &
pid=$!
i=0
while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if [ ! -s "$tmp/port" ]; then
	ko "the test server did not start"; cat "$tmp/server.err" >&2
	echo "$passed passed, $failed failed"; exit 1
fi

MODEL_TEST_PORT=$(cat "$tmp/port") "$B/tests/model_client" >"$tmp/client.out" 2>&1
rc=$?
cat "$tmp/client.out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/client.out" | tail -n 1)
if [ -z "$line" ]; then
	ko "model_client crashed or printed no result (exit $rc)"
else
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
	[ "$rc" = 0 ] || [ "$f" != 0 ] || ko "model_client exited $rc"
fi

if grep -q '^VIOLATION' "$tmp/server.err"; then
	ko "the test server saw violations:"; grep '^VIOLATION' "$tmp/server.err" >&2
else ok; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
