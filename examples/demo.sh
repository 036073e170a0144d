#!/bin/sh
# make demo: a scripted editor session on a copy of examples/demo, with a
# private XDG_DATA_HOME, no model and no network.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -R "$ROOT/examples/demo" "$tmp/ws"
export WS="$tmp/ws" KAIROS="$B/kairos" XDG_DATA_HOME="$tmp/data" HOME="$tmp/home"
export PERSONAL="$tmp/personal"
mkdir -p "$HOME" "$PERSONAL"

# A history in which src/buffer.c and include/buffer.h change together,
# then buffer.c modified alone: the co-change hint's situation.
(
	cd "$WS"
	git init -q
	git config user.email demo@example.invalid
	git config user.name "kairos demo"
	git add -A
	git commit -qm "buffer: first version"
	for i in 1 2 3 4 5 6; do
		echo "/* revision $i */" >>src/buffer.c
		echo "/* revision $i */" >>include/buffer.h
		git commit -qam "buffer: revision $i"
	done
	echo "/* work in progress */" >>src/buffer.c
)

node "$ROOT/examples/demo-client.js"

echo
echo "== kairos log --memory-dir <personal store>: every change is a commit"
"$KAIROS" log --memory-dir "$PERSONAL"
