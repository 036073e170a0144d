#!/bin/sh
# score-generated.sh N: generates the labelled look-alike corpus of N
# memories (tests/tools/dream_corpus.c), runs a dry run, a real dream and
# a second dream over it, and scores them (tests/tools/dream_score.c):
# prints one line of figures, exits 1 unless every error count is 0.
# The dream suite runs it at 10,000 (SCALE); run it by hand at 100,000:
#   B=build sh tests/data/dream-corpus/score-generated.sh 100000
# Environment: ROOT, B (as tests/run.sh sets them), KAIROS.
set -u
N=${1:-10000}
ROOT=${ROOT:-$(cd "$(dirname "$0")/../../.." && pwd)}
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
KAIROS=${KAIROS:-$B/kairos}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
export XDG_DATA_HOME="$W/home" HOME="$W/home"
"$B/tests/dream_corpus" "$W/c" "$N" > /dev/null || exit 2
cp -r "$W/c/store" "$W/s"
t0=$(date +%s.%N)
"$KAIROS" dream --memory-dir "$W/s" --force --dry-run --json > "$W/dry.json" || exit 2
t1=$(date +%s.%N)
"$KAIROS" dream --memory-dir "$W/s" --force --json > "$W/real.json" || exit 2
t2=$(date +%s.%N)
"$KAIROS" dream --memory-dir "$W/s" --force --json > "$W/second.json" || exit 2
"$B/tests/dream_score" "$W/c/labels.txt" "$W/c/store" "$W/s" "$W/real.json" "$W/second.json" \
	"$W/dry.json" 2> "$W/why.txt"
rc=$?
head -n 20 "$W/why.txt"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$N" \
	'BEGIN { printf "dry run %.2f s, real dream %.2f s (%s memories)\n", b - a, c - b, n }'
# the scorer must be able to fail: the store as generated misses every label
if "$B/tests/dream_score" "$W/c/labels.txt" "$W/c/store" "$W/c/store" "$W/real.json" \
	> /dev/null 2>&1; then
	echo "the scorer passed an undreamt store"
	rc=1
fi
exit $rc
