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
mkdir -p "$HOME"
node "$ROOT/examples/demo-client.js"
