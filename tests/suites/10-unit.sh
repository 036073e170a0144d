#!/bin/sh
# Unit tests: every build/tests/test_* binary. A binary that exits non-zero
# (a sanitizer report, a crash) fails even if its checks passed.
set -u
passed=0; failed=0
out=$(mktemp)
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	"$t" >"$out" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ $rc -ne 0 ] || [ -z "$line" ]; then cat "$out"; fi
	echo "$(basename "$t"): ${line:-no result} (exit $rc)"
	if [ -z "$line" ]; then failed=$((failed + 1)); continue; fi
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then failed=$((failed + 1)); fi
done
rm -f "$out"
echo "$passed passed, $failed failed"
