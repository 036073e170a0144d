#!/bin/sh
# run.sh: runs every suite in tests/suites/ (in name order) and adds up
# their closing "N passed, M failed" lines. Environment for the suites:
# ROOT (the checkout), B (the build directory), KAIROS (the binary).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
KAIROS="$B/kairos"
export ROOT B KAIROS
passed=0; failed=0; broken=""
for s in "$ROOT"/tests/suites/*.sh; do
	[ -f "$s" ] || continue
	name=$(basename "$s" .sh)
	if [ -n "${SUITES:-}" ]; then
		case " $SUITES " in *" $name "*) ;; *) continue ;; esac
	fi
	echo "== $name"
	out=$(mktemp)
	sh "$s" 2>&1 | tee "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	if [ -z "$line" ]; then
		echo "suite $name printed no result line" >&2
		failed=$((failed + 1)); broken="$broken $name"; continue
	fi
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	passed=$((passed + p)); failed=$((failed + f))
	[ "$f" = 0 ] || broken="$broken $name"
done
[ -z "$broken" ] || echo "failing suites:$broken"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
