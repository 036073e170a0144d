#!/bin/sh
# make bench: every benchmark under bench/, in name order. Each prints its
# figures and ratios against peers; nothing here asserts.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
export ROOT B KAIROS="$B/kairos"
for f in "$ROOT"/bench/*; do
	case "$f" in
	*/run.sh) continue ;;
	*.js) echo "== $(basename "$f")"; node "$f" ;;
	*.sh) echo "== $(basename "$f")"; sh "$f" ;;
	esac
done
