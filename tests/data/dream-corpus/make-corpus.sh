#!/bin/sh
# make-corpus.sh: writes the labelled dream corpus (store/ and
# expectations.txt) next to itself. Deterministic; the output is committed,
# this script documents how it was made. Labels:
#   merge SURVIVOR ABSORBED   lexical near-duplicates (the newer survives)
#   supersede WINNER LOSER    a contradiction on the same subject
#   keep NAME                 must stay active (look-alikes, distinct facts)
#   prune NAME                expired
#   date NAME PHRASE DATE     relative date rewritten
set -eu
D=$(cd "$(dirname "$0")" && pwd)
S="$D/store"
rm -rf "$S"; mkdir -p "$S"
E="$D/expectations.txt"; : > "$E"

mem() { # name description created body [extra front matter]
	{
		printf -- '---\nname: %s\ndescription: "%s"\ntype: feedback\n' "$1" "$2"
		printf 'created: %s\nupdated: %s\n' "$3" "$3"
		[ -z "${5:-}" ] || printf '%s\n' "$5"
		printf -- '---\n%s\n' "$4"
	} > "$S/$1.md"
}
OLD=2026-01-10T09:00:00Z
NEW=2026-02-20T09:00:00Z

tools="clang-format clang-tidy cppcheck shellcheck eslint prettier mypy black rustfmt gofmt valgrind iwyu codespell hadolint yamllint markdownlint stylua ktlint swiftlint rubocop"
mods="parser lexer scheduler allocator renderer tokenizer resolver linker loader profiler"
events="commit push release merge deploy"

i=0
for t in $tools; do
	for m in $mods; do
		i=$((i + 1))
		[ $i -le 120 ] || break 2
		e=$(echo $events | cut -d' ' -f$((i % 5 + 1)))
		n="f$i-$t-$m"
		case $((i % 6)) in
		0) # near-duplicate: reordered, stop words, punctuation, case
			mem "$n" "Run $t on the $m module before every $e" $OLD \
				"Run $t on the $m module before every $e.

**Why:** the $m review found style drift."
			mem "$n-dup" "Before every $e, please make sure you run $t on the $m module" $NEW \
				"Before EVERY $e, please make sure you run $t on the $m module!

**How to apply:** locally, not only in CI."
			echo "merge $n-dup $n" >> "$E" ;;
		1) # near-duplicate: contractions
			mem "$n" "Don't skip $t for the $m when you $e" $NEW \
				"Don't skip $t for the $m when you $e."
			mem "$n-dup" "Do not skip $t for the $m when you $e" $OLD \
				"Do not skip $t for the $m when you $e.

**Why:** it is cheap."
			echo "merge $n $n-dup" >> "$E" ;;
		2) # look-alike: one word differs
			mem "$n" "Run $t on the $m module before every $e" $OLD \
				"Run $t on the $m module before every $e."
			mem "$n-alike" "Run $t on the $m tests before every $e" $NEW \
				"Run $t on the $m tests before every $e."
			echo "keep $n" >> "$E"; echo "keep $n-alike" >> "$E" ;;
		3) # long look-alike: one important word in a long text
			mem "$n" "The $m owner reviews $t findings before each $e" $OLD \
				"The $m owner reviews every $t finding by hand before each $e, because the automated triage misses regressions in error handling paths and in the code that frees memory after failures."
			mem "$n-alike" "The $m owner ignores $t findings before each $e" $NEW \
				"The $m owner ignores every $t finding by hand before each $e, because the automated triage misses regressions in error handling paths and in the code that frees memory after failures."
			echo "keep $n" >> "$E"; echo "keep $n-alike" >> "$E" ;;
		4) # plain distinct fact
			mem "$n" "The $m keeps its $t configuration in the repository root" $OLD \
				"The $m keeps its $t configuration in the repository root."
			echo "keep $n" >> "$E" ;;
		5) # possessive and case folding duplicate
			mem "$n" "The $m's $t report goes to the $e channel" $OLD \
				"The $m's $t report goes to the $e channel."
			mem "$n-dup" "the $m $t report goes to the $e channel" $NEW \
				"THE $m $t REPORT GOES TO THE $e CHANNEL."
			echo "merge $n-dup $n" >> "$E" ;;
		esac
	done
done

# contradictions, one per value class and polarity kind; and look-alikes
k=0
for m in $mods; do
	k=$((k + 1))
	mem "c$k-timeout-old" "Set the $m timeout to 30 seconds" $OLD "Set the $m timeout to 30 seconds."
	mem "c$k-timeout-new" "Set the $m timeout to 60 seconds" $NEW "Set the $m timeout to 60 seconds."
	echo "supersede c$k-timeout-new c$k-timeout-old" >> "$E"
	mem "c$k-indent-old" "Indent the $m sources with tabs" $OLD "Indent the $m sources with tabs."
	mem "c$k-indent-new" "Indent the $m sources with spaces" $NEW "Indent the $m sources with spaces."
	echo "supersede c$k-indent-new c$k-indent-old" >> "$E"
	mem "c$k-always" "Always rebuild the $m cache on $m changes" $OLD "Always rebuild the $m cache on $m changes."
	mem "c$k-never" "Never rebuild the $m cache on $m changes" $NEW "Never rebuild the $m cache on $m changes."
	echo "supersede c$k-never c$k-always" >> "$E"
	mem "c$k-prefer-a" "Prefer arenas over malloc in the $m" $NEW "Prefer arenas over malloc in the $m."
	mem "c$k-prefer-b" "Prefer malloc over arenas in the $m" $OLD "Prefer malloc over arenas in the $m."
	echo "supersede c$k-prefer-a c$k-prefer-b" >> "$E"
	mem "c$k-naming-old" "Name the $m helpers in camelCase" $OLD "Name the $m helpers in camelCase."
	mem "c$k-naming-new" "Name the $m helpers in snake_case" $NEW "Name the $m helpers in snake_case."
	echo "supersede c$k-naming-new c$k-naming-old" >> "$E"
	mem "c$k-flag-old" "Set \`${m}_debug\` to true in CI" $OLD "Set \`${m}_debug\` to true in CI."
	mem "c$k-flag-new" "Set \`${m}_debug\` to false in CI" $NEW "Set \`${m}_debug\` to false in CI."
	echo "supersede c$k-flag-new c$k-flag-old" >> "$E"
	mem "c$k-run" "Run the $m fuzzer nightly" $OLD "Run the $m fuzzer nightly."
	mem "c$k-dont" "Don't run the $m fuzzer nightly" $NEW "Don't run the $m fuzzer nightly."
	echo "supersede c$k-dont c$k-run" >> "$E"
	# look-alikes of contradictions: a value and a word differ, or only the subject
	mem "l$k-snake-fn" "Use snake_case for $m functions" $OLD "Use snake_case for $m functions."
	mem "l$k-snake-var" "Use snake_case for $m variables" $NEW "Use snake_case for $m variables."
	echo "keep l$k-snake-fn" >> "$E"; echo "keep l$k-snake-var" >> "$E"
	mem "l$k-two" "Indent $m headers with 2 spaces" $OLD "Indent $m headers with 2 spaces."
	# (tests, not sources: "sources with 4 spaces" would contradict c$k-indent-old)
	mem "l$k-four" "Indent $m tests with 4 spaces" $NEW "Indent $m tests with 4 spaces."
	echo "keep l$k-two" >> "$E"; echo "keep l$k-four" >> "$E"
done

# relative dates (never inside code) and expired memories
for d in 1 2 3 4 5 6; do
	mem "d$d-yesterday" "The $d-th outage note" 2026-03-0${d}T10:00:00Z \
		"Yesterday the build broke in stage $d; \`git log --since yesterday\` shows why."
	echo "date d$d-yesterday Yesterday" >> "$E"
	mem "d$d-lastweek" "Release train note $d" 2026-03-1${d}T10:00:00Z \
		"We switched the release train last week (batch $d)."
	echo "date d$d-lastweek last week" >> "$E"
	mem "x$d-expired" "Code freeze number $d is on" 2026-01-0${d}T10:00:00Z \
		"Code freeze number $d is on." "expires: 2026-02-0${d}T00:00:00Z"
	echo "prune x$d-expired" >> "$E"
done
echo "$(ls "$S" | wc -l) memories, $(wc -l < "$E") labels"
