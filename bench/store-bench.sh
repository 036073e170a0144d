#!/bin/sh
# store-bench.sh: generates a store of N memories (default 10000) in a
# temporary directory and prints how long loading it and rebuilding its
# index take, and the resident memory with it loaded: once through the
# library (build/tests/store_bench), once as a user sees it
# (`kairos memory list --json`). Prints figures; asserts nothing.
# Targets (issue 3): load <= 150 ms, index <= 50 ms, RSS <= 30 MB.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
N=${N:-10000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/data" HOME="$T/home"
mkdir -p "$T/store" "$T/home"
awk -v n="$N" -v dir="$T/store" 'BEGIN {
	split("user feedback project reference", types, " ")
	for (i = 0; i < n; i++) {
		f = sprintf("%s/memory-%05d.md", dir, i)
		printf("---\nname: memory-%05d\ndescription: Memory number %d about a convention of this codebase\ntype: %s\ncreated: 2026-03-02T10:15:00Z\nupdated: 2026-03-%02dT10:15:00Z\nsource: user\nscope: [\"src/**/*.c\"]\n---\nMemory %d says something worth remembering.\n\n**Why:** a reason.\n**How to apply:** every time.\n", i, i, types[i % 4 + 1], i % 28 + 1, i) > f
		close(f)
	}
}'
echo "store of $N memories in $T/store"
"$B/tests/store_bench" "$T/store"
# the CLI end to end: process start, load, JSON out (median of 5)
runs=""
for r in 1 2 3 4 5; do
	s=$(date +%s%N)
	"$B/kairos" memory list --memory-dir "$T/store" --json >/dev/null
	e=$(date +%s%N)
	runs="$runs $(((e - s) / 1000000))"
done
med=$(echo $runs | tr ' ' '\n' | sort -n | sed -n 3p)
echo "kairos memory list --json: median ${med} ms (runs:$runs)"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f "kairos memory list --json: max RSS %M KB" "$B/kairos" memory list --memory-dir "$T/store" --json >/dev/null
fi
