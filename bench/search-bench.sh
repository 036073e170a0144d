#!/bin/sh
# search-bench.sh: a store of N memories (default 100000) with a varied
# vocabulary, then the search's figures (build/tests/search_bench: load,
# index build, per-query time) and the CLI end to end (`kairos memory
# search`, process start, load, build and one query). Prints figures;
# asserts nothing. Target (issue 14): at most 20 ms per query after load.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
N=${N:-100000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/data" HOME="$T/home"
mkdir -p "$T/store" "$T/home"
awk -v n="$N" -v dir="$T/store" 'BEGIN {
	srand(14)
	split("convention codebase build test tests running deploy release review lint format indent spaces tabs quotes naming header module function error memory cache index store commit branch merge pnpm npm node python rust docker config", common, " ")
	split("user feedback project reference", types, " ")
	for (i = 0; i < n; i++) {
		body = ""
		for (w = 0; w < 14; w++) {
			if (rand() < 0.5)
				word = common[int(rand() * 33) + 1]
			else
				word = sprintf("w%x", int(rand() * 60000))
			body = body " " word
		}
		if (i % 997 == 0)
			body = body " walrus"
		f = sprintf("%s/memory-%05d.md", dir, i)
		printf("---\nname: memory-%05d\ndescription: Memory %d about a convention of this codebase\ntype: %s\ncreated: 2026-03-02T10:15:00Z\nupdated: 2026-03-%02dT10:15:00Z\n---\n%s.\n\n**Why:** a reason.\n", i, i, types[i % 4 + 1], i % 28 + 1, body) > f
		close(f)
	}
}'
echo "store of $N memories in $T/store"
"$B/tests/search_bench" "$T/store"
runs=""
for r in 1 2 3; do
	s=$(date +%s%N)
	"$B/kairos" memory search --memory-dir "$T/store" --json walrus >/dev/null
	e=$(date +%s%N)
	runs="$runs $(((e - s) / 1000000))"
done
med=$(echo $runs | tr ' ' '\n' | sort -n | sed -n 2p)
echo "kairos memory search (start, load, build, one query): median ${med} ms (runs:$runs)"
