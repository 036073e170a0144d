#!/bin/sh
# deps.sh LEVEL: installs the Debian packages kairos needs for LEVEL
# (build, test, bench) when they are missing, with apt-get (as root,
# through sudo otherwise), and says what it installs.
set -eu
level=${1:-build}
pkgs="gcc make pkg-config libjsmn-dev libcurl4-openssl-dev libgit2-dev libutf8proc-dev libyaml-dev libstemmer-dev"
case "$level" in
build) ;;
test) pkgs="$pkgs git nodejs npm neovim emacs-nox elpa-eglot clangd ca-certificates" ;;
bench) pkgs="$pkgs git nodejs npm clangd hyperfine" ;;
*) echo "deps.sh: unknown level '$level' (build, test, bench)" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
	# node from another source (nodesource) provides npm itself
	if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
	if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -n "$missing" ] || exit 0
echo "kairos: installing missing Debian packages:$missing" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then sudo=sudo; else
		echo "kairos: not root and no sudo: install$missing by hand" >&2; exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || true
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >&2
