#!/bin/sh
# Emacs (batch) with eglot 1.9 and editors/emacs/kairos.el against the real
# server: see tests/editors/emacs_test.el for the steps. Also checks that
# kairos.el byte-compiles without warnings.
set -u
passed=0; failed=0
if ! command -v emacs >/dev/null 2>&1; then
	echo "FAIL emacs is not installed (scripts/deps.sh test installs it)"
	echo "0 passed, 1 failed"; exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache"
export HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"

# Byte-compilation: no warning at all (Debian's site-start puts eglot on
# the load path, as it does for every user of elpa-eglot).
cp "$ROOT/editors/emacs/kairos.el" "$tmp/kairos.el"
if timeout -k 5 60 emacs --batch --eval '(setq byte-compile-error-on-warn t)' \
	-f batch-byte-compile "$tmp/kairos.el" >"$tmp/compile.log" 2>&1 && [ -f "$tmp/kairos.elc" ] \
	&& ! grep -q 'Warning' "$tmp/compile.log"; then
	passed=$((passed + 1))
else
	echo "FAIL kairos.el does not byte-compile cleanly:"; cat "$tmp/compile.log"
	failed=$((failed + 1))
fi

cp -R "$ROOT/tests/data/editor-ws" "$tmp/ws"
cp -R "$ROOT/tests/data/editor-personal" "$tmp/personal"
(cd "$tmp/ws" && git init -q . && git add -A && git -c user.name=t -c user.email=t@t commit -qm fixture) \
	|| { echo "FAIL git init of the fixture"; failed=$((failed + 1)); }
WS=$(cd "$tmp/ws" && pwd -P); PERSONAL=$(cd "$tmp/personal" && pwd -P)
out="$tmp/result"
ROOT="$ROOT" KAIROS="$KAIROS" WS="$WS" PERSONAL="$PERSONAL" OUT="$out" \
	timeout -k 5 150 emacs --batch -l "$ROOT/tests/editors/emacs_test.el" </dev/null >"$tmp/log" 2>&1
rc=$?
if [ ! -f "$out" ]; then
	echo "FAIL emacs ended (status $rc) without results; its output:"
	tail -n 40 "$tmp/log"
	failed=$((failed + 1))
else
	grep -v '^ok ' "$out"
	passed=$((passed + $(grep -c '^ok ' "$out")))
	failed=$((failed + $(grep -c '^FAIL ' "$out")))
	[ "$rc" = 0 ] || { echo "FAIL emacs exited with status $rc"; failed=$((failed + 1)); }
fi
# kairos.el as an lsp-mode add-on beside clangd, where lsp-mode is
# installed (Debian: elpa-lsp-mode; not among the test dependencies).
if emacs --batch --eval '(kill-emacs (if (locate-library "lsp-mode") 0 1))' >/dev/null 2>&1 \
	&& command -v clangd >/dev/null 2>&1; then
	rm -rf "$tmp/ws2"; cp -R "$ROOT/tests/data/editor-ws" "$tmp/ws2"
	(cd "$tmp/ws2" && git init -q .)
	ROOT="$ROOT" KAIROS="$KAIROS" WS="$(cd "$tmp/ws2" && pwd -P)" OUT="$tmp/result-lsp" \
		timeout -k 5 90 emacs --batch -l "$ROOT/tests/editors/emacs_lsp_test.el" </dev/null >"$tmp/log-lsp" 2>&1
	if [ -f "$tmp/result-lsp" ]; then
		grep -v '^ok ' "$tmp/result-lsp"
		passed=$((passed + $(grep -c '^ok ' "$tmp/result-lsp")))
		failed=$((failed + $(grep -c '^FAIL ' "$tmp/result-lsp")))
	else
		echo "FAIL the lsp-mode run ended without results:"; tail -n 30 "$tmp/log-lsp"
		failed=$((failed + 1))
	fi
else
	echo "skip lsp-mode add-on: lsp-mode or clangd is not installed"
fi
echo "$passed passed, $failed failed"
