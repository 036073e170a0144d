#!/bin/sh
# make install: the binary, its plugins and the man page land where
# PREFIX and DESTDIR say, and the installed binary finds its plugins
# (../lib/kairos) and works without the build tree.
set -u
passed=0; failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
make -s -C "$ROOT" install B="$B" PREFIX=/opt/kairos DESTDIR="$t/root" >"$t/log" 2>&1 || { cat "$t/log"; ko "make install failed"; }
for f in bin/kairos lib/kairos/kairos-git.so lib/kairos/kairos-http.so share/man/man1/kairos.1; do
	if [ -f "$t/root/opt/kairos/$f" ]; then ok; else ko "$f not installed"; fi
done
k="$t/root/opt/kairos/bin/kairos"
export HOME="$t/home" XDG_DATA_HOME="$t/data" KAIROS_PLUGIN_DIR=
mkdir -p "$HOME"
if "$k" --version | grep -q '^kairos [0-9]'; then ok; else ko "--version"; fi
if "$k" memory add "Installed kairos keeps history" --memory-dir "$t/m" >/dev/null 2>"$t/err"; then ok; else cat "$t/err"; ko "memory add"; fi
if "$k" log --memory-dir "$t/m" 2>&1 | grep -q "remember"; then ok; else ko "log after install (plugin not found?)"; fi
if command -v man >/dev/null 2>&1; then
	if MANPAGER=cat man -l "$t/root/opt/kairos/share/man/man1/kairos.1" 2>/dev/null | grep -q "kairos dream"; then ok; else ko "man page"; fi
fi
echo "$passed passed, $failed failed"
