#!/bin/sh
# npm-deps.sh: installs the npm packages of the test client (and of the
# VS Code extension, when present) if node_modules is missing or stale.
set -eu
for d in tests/client editors/vscode; do
	[ -f "$d/package.json" ] || continue
	if [ ! -d "$d/node_modules" ] || [ "$d/package.json" -nt "$d/node_modules" ]; then
		echo "kairos: installing npm packages in $d" >&2
		if [ -f "$d/package-lock.json" ]; then
			(cd "$d" && npm ci --no-audit --no-fund --loglevel=error >&2)
		else
			(cd "$d" && npm install --no-audit --no-fund --loglevel=error >&2)
		fi
		touch "$d/node_modules"
	fi
done
