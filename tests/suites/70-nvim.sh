#!/bin/sh
# Neovim (headless) with editors/nvim against the real server: see
# tests/editors/nvim_test.lua for the steps.
set -u
passed=0; failed=0
if ! command -v nvim >/dev/null 2>&1; then
	echo "FAIL nvim is not installed (scripts/deps.sh test installs it)"
	echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/state" "$tmp/cache"
cp -R "$ROOT/tests/data/editor-ws" "$tmp/ws"
cp -R "$ROOT/tests/data/editor-personal" "$tmp/personal"
WS=$(cd "$tmp/ws" && pwd -P); PERSONAL=$(cd "$tmp/personal" && pwd -P)
out="$tmp/result"
HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" \
XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache" \
KAIROS="$KAIROS" WS="$WS" PERSONAL="$PERSONAL" OUT="$out" \
	timeout -k 5 120 nvim --headless -u NONE -i NONE -n \
	--cmd "set rtp^=$ROOT/editors/nvim" \
	-c "luafile $ROOT/tests/editors/nvim_test.lua" </dev/null >"$tmp/log" 2>&1
rc=$?
if [ ! -f "$out" ]; then
	echo "FAIL nvim ended (status $rc) without results; its output:"
	tail -n 40 "$tmp/log"
	failed=$((failed + 1))
else
	grep -v '^ok ' "$out"
	passed=$(grep -c '^ok ' "$out")
	failed=$(grep -c '^FAIL ' "$out")
	[ "$rc" = 0 ] || { echo "FAIL nvim exited with status $rc"; failed=$((failed + 1)); }
fi
echo "$passed passed, $failed failed"
