#!/bin/sh
# Client tests: the real binary driven through vscode-jsonrpc and raw bytes.
set -u
sh "$ROOT/tests/node-tests.sh" "$ROOT/tests/client"
