#!/bin/sh
# bench/tick.sh: the tick engine's figures (prints, asserts nothing).
#  - a tick over a 5,000-line file with 500 rule memories (median of 101)
#  - kairos check over 100,000 lines (20 files) with the same 500 rules,
#    beside grep -E -f with the same patterns over the same files
# Environment: B (build directory, default build).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/data" HOME="$T/home"
mkdir -p "$HOME"

"$B/tests/tick-bench" tick
"$B/tests/tick-bench" gen "$T/ws" || exit 1
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
runs=7
: >"$T/k"; : >"$T/g"
"$B/kairos" check --workspace "$T/ws" >"$T/kout" 2>/dev/null # warm the cache
for i in $(seq $runs); do
	s=$(now); "$B/kairos" check --workspace "$T/ws" >"$T/kout" 2>/dev/null; e=$(now)
	echo $(((e - s) / 1000)) >>"$T/k"
	s=$(now); grep -E -o -n -f "$T/ws/patterns.txt" "$T/ws"/src/*.c >"$T/gout"; e=$(now)
	echo $(((e - s) / 1000)) >>"$T/g"
done
k=$(median <"$T/k"); g=$(median <"$T/g")
lines=$(cat "$T/ws"/src/*.c | wc -l)
echo "check: $lines lines, 500 rules, $(wc -l <"$T/kout") findings: median $((k / 1000)).$(((k % 1000) / 100)) ms (target <= 1000 ms)"
echo "grep -E -o -n -f (same patterns, same files), $(wc -l <"$T/gout") matches: median $((g / 1000)).$(((g % 1000) / 100)) ms"
awk -v k="$k" -v g="$g" 'BEGIN { printf "ratio kairos check / grep: %.2f\n", k / g }'
