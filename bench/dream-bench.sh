#!/bin/sh
# dream-bench.sh: a dream over 10,000 and 100,000 memories, beside the
# time to simply read every file of the store (cat). Prints figures and
# ratios; asserts nothing. Needs build/kairos and build/tests/dream_gen.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
B=${B:-$ROOT/build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
KAIROS=${KAIROS:-$B/kairos}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/home" HOME="$T/home"
mkdir -p "$T/home" "$T/ws"
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
# quality on the labelled corpus
cp -r "$ROOT/tests/data/dream-corpus/store" "$T/corpus"
"$KAIROS" dream --workspace "$T/ws" --memory-dir "$T/corpus" --force > /dev/null 2>&1
echo "labelled corpus ($(ls "$ROOT/tests/data/dream-corpus/store" | wc -l) memories):"
sh "$ROOT/tests/data/dream-corpus/score.sh" "$T/corpus" "$ROOT/tests/data/dream-corpus/expectations.txt" \
	"$ROOT/tests/data/dream-corpus/store" | sed 's/^/  /'
prev=""
for n in ${DREAM_BENCH_SIZES:-10000 100000}; do
	S="$T/s$n"
	"$B/tests/dream_gen" "$S" "$n"
	sync
	t0=$(now); find "$S" -name '*.md' -exec cat {} + > /dev/null; t1=$(now)
	cat_ms=$(ms $t0 $t1)
	t0=$(now); "$KAIROS" dream --workspace "$T/ws" --memory-dir "$S" --force --dry-run --json > "$T/dry.json"; t1=$(now)
	dry_ms=$(ms $t0 $t1)
	t0=$(now); "$KAIROS" dream --workspace "$T/ws" --memory-dir "$S" --force --json > "$T/r.json"; t1=$(now)
	full_ms=$(ms $t0 $t1)
	t0=$(now); "$KAIROS" dream --workspace "$T/ws" --memory-dir "$S" --force --json > "$T/r2.json"; t1=$(now)
	again_ms=$(ms $t0 $t1)
	engine=$(tr ',' '\n' < "$T/r.json" | sed -n 's/^"durationMs":\([0-9]*\)/\1/p')
	counts=$(tr ',' '\n' < "$T/r.json" | grep -E '^"(merged|contradictions|datesFixed|kept|archived)"' | tr '\n' ' ')
	echo "dream over $n memories: cat all files ${cat_ms} ms; dry run ${dry_ms} ms ($(awk -v a=$dry_ms -v b=$cat_ms 'BEGIN{printf "%.1f", b ? a/b : 0}')x cat);"
	echo "  full dream ${full_ms} ms (engine durationMs $engine, writes and one history commit included; $(awk -v a=$full_ms -v b=$cat_ms 'BEGIN{printf "%.1f", b ? a/b : 0}')x cat); second dream ${again_ms} ms"
	echo "  $counts"
	if [ -n "$prev" ]; then
		echo "  growth of the dry run from the previous size: $(awk -v a=$dry_ms -v b=$prev 'BEGIN{printf "%.1f", b ? a/b : 0}')x"
	fi
	prev=$dry_ms
	rm -rf "$S"
done
