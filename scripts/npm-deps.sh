#!/bin/sh
# npm-deps.sh: installs the npm packages of the test clients (and of the
# VS Code extension, when present) if node_modules is missing or stale.
# The MCP tests' SDK is optional: when it cannot be installed, their
# suite says it is skipped.
set -eu
install() {
	if [ -f "$1/package-lock.json" ]; then
		(cd "$1" && npm ci --no-audit --no-fund --loglevel=error >&2)
	else
		(cd "$1" && npm install --no-audit --no-fund --loglevel=error >&2)
	fi
}
for d in tests/client tests/mcp editors/vscode; do
	[ -f "$d/package.json" ] || continue
	if [ ! -d "$d/node_modules" ] || [ "$d/package.json" -nt "$d/node_modules" ]; then
		echo "kairos: installing npm packages in $d" >&2
		if install "$d"; then
			touch "$d/node_modules"
		elif [ "$d" = tests/mcp ]; then
			echo "kairos: could not install $d's npm packages: the MCP suite will be skipped" >&2
		else
			exit 1
		fi
	fi
done
