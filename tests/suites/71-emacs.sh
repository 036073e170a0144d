#!/bin/sh
# Emacs (batch) with eglot 1.9 and editors/emacs/kairos.el against the real
# server (tests/editors/emacs_test.el); kairos.el as an lsp-mode add-on
# beside clangd where lsp-mode is installed (tests/editors/emacs_lsp_test.el);
# and kairos.el byte-compiles without a warning.
set -u
. "$ROOT/tests/editors/lib.sh"
passed=0; failed=0
editor_need emacs
editor_env

# Debian's site-start puts eglot on the load path, as for every user of
# elpa-eglot; --batch loads it (it skips only the user's init file).
cp "$ROOT/editors/emacs/kairos.el" "$tmp/kairos.el"
if timeout -k 5 60 emacs --batch --eval '(setq byte-compile-error-on-warn t)' \
	-f batch-byte-compile "$tmp/kairos.el" >"$tmp/compile.log" 2>&1 && [ -f "$tmp/kairos.elc" ] \
	&& ! grep -q 'Warning' "$tmp/compile.log"; then
	passed=$((passed + 1))
else
	echo "FAIL kairos.el does not byte-compile cleanly:"; cat "$tmp/compile.log"
	failed=$((failed + 1))
fi

editor_fixture ws
ROOT="$ROOT" KAIROS="$KAIROS" OUT="$tmp/result" \
	timeout -k 5 240 emacs --batch -l "$ROOT/tests/editors/emacs_test.el" </dev/null >"$tmp/log" 2>&1
editor_collect "$tmp/result" $? "$tmp/log" "emacs (eglot)"

# Proxy mode (kairos-use-proxy): eglot runs kairos lsp -- clangd.
if command -v clangd >/dev/null 2>&1; then
	editor_fixture ws-proxy
	ROOT="$ROOT" KAIROS="$KAIROS" OUT="$tmp/result-proxy" \
		timeout -k 5 90 emacs --batch -l "$ROOT/tests/editors/emacs_proxy_test.el" </dev/null >"$tmp/log-proxy" 2>&1
	editor_collect "$tmp/result-proxy" $? "$tmp/log-proxy" "emacs (eglot, proxy mode)"
else
	echo "FAIL clangd is not installed (scripts/deps.sh test installs it)"; failed=$((failed + 1))
fi

# lsp-mode is not among the test dependencies (Debian: elpa-lsp-mode).
if emacs --batch --eval '(kill-emacs (if (locate-library "lsp-mode") 0 1))' >/dev/null 2>&1 \
	&& command -v clangd >/dev/null 2>&1; then
	editor_fixture ws-lsp
	ROOT="$ROOT" KAIROS="$KAIROS" OUT="$tmp/result-lsp" \
		timeout -k 5 90 emacs --batch -l "$ROOT/tests/editors/emacs_lsp_test.el" </dev/null >"$tmp/log-lsp" 2>&1
	editor_collect "$tmp/result-lsp" $? "$tmp/log-lsp" "emacs (lsp-mode)"
else
	echo "skip lsp-mode add-on: lsp-mode or clangd is not installed"
fi
echo "$passed passed, $failed failed"
