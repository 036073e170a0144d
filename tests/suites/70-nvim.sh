#!/bin/sh
# Neovim (headless) with editors/nvim against the real server: see
# tests/editors/nvim_test.lua for the steps.
set -u
. "$ROOT/tests/editors/lib.sh"
passed=0; failed=0
editor_need nvim
editor_env
editor_fixture ws
KAIROS="$KAIROS" OUT="$tmp/result" timeout -k 5 240 nvim --headless -u NONE -i NONE -n \
	--cmd "set rtp^=$ROOT/editors/nvim" \
	-c "luafile $ROOT/tests/editors/nvim_test.lua" </dev/null >"$tmp/log" 2>&1
editor_collect "$tmp/result" $? "$tmp/log" nvim
echo "$passed passed, $failed failed"
