#!/bin/sh
# Unit tests: every build/tests/test_* binary.
set -u
passed=0; failed=0
for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	line=$("$t" 2>&1 | tee /dev/stderr | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	if [ -z "$line" ]; then
		echo "$(basename "$t"): crashed or printed no result" >&2; failed=$((failed + 1)); continue
	fi
	p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
	passed=$((passed + p)); failed=$((failed + f))
done
echo "$passed passed, $failed failed"
