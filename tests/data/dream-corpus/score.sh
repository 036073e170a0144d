#!/bin/sh
# score.sh STORE EXPECTATIONS ORIGINAL: compares a dreamt store with the
# labels; prints merge precision/recall and every miss; exits 1 unless
# precision >= 0.98, recall >= 0.95, every contradiction resolved, no
# look-alike merged or contradicted, every expired memory pruned, every
# relative date fixed, and no sentence lost (every body line of every
# input is in an active or archived file; date rewrites aside).
set -u
S=$1; E=$2; O=$3
# one table line per memory: where it is, superseded_by, archived_reason
awk 'FNR == 1 { n = FILENAME; sub(/.*\//, "", n); sub(/\.md$/, "", n)
		where = (FILENAME ~ /\/archive\//) ? "archived" : "active"; fm = 0; sb = "-"; ar = "-" }
	/^---$/ { fm++; if (fm == 2) print n, where, sb, ar; next }
	fm == 1 && /^superseded_by:/ { sb = $2 }
	fm == 1 && /^archived_reason:/ { ar = ($2 ~ /^"?merged$/ && $3 == "into") ? "merged" : "other" }' \
	"$S"/*.md "$S"/archive/*.md 2>/dev/null | grep -v '^MEMORY ' > "$S.tab"
awk -v tab="$S.tab" '
	BEGIN { while ((getline l < tab) > 0) { split(l, f, " "); where[f[1]] = f[2]; sb[f[1]] = f[3]; why[f[1]] = f[4]
		if (f[4] == "merged") pred[f[1]] = f[3] } }
	$1 == "merge" { nexp++; label[$3] = $2; if (pred[$3] == $2) tp++; else { print "missed merge: " $3 " into " $2 } }
	$1 == "supersede" { sx++; if (where[$3] == "archived" && sb[$3] == $2 && where[$2] == "active") sc++
		else { print "missed contradiction: " $2 " over " $3; bad = 1 } }
	$1 == "keep" { kx++; if (where[$2] != "active") { print "look-alike touched: " $2; kb++; bad = 1 } }
	$1 == "prune" { if (where[$2] != "archived") { print "not pruned: " $2; bad = 1 } }
	END {
		for (n in pred) { np++; if (label[n] != pred[n]) print "wrong merge: " n " into " pred[n] }
		p = np ? tp / np : 1; r = nexp ? tp / nexp : 1
		printf "merge precision %.3f (%d/%d), recall %.3f (%d/%d)\n", p, tp, np, r, tp, nexp
		printf "contradictions resolved %d/%d\n", sc, sx
		printf "look-alikes merged or contradicted: %d of %d\n", kb, kx
		if (p < 0.98 || r < 0.95) bad = 1
		exit bad }' "$E"
bad=$?
# relative dates: the phrase is gone outside code
grep '^date ' "$E" | while read -r _ n phrase; do
	sed 's/`[^`]*`//g' "$S/$n.md" | grep -qF "$phrase" && echo "date not fixed: $n"
done > "$S.dates"
cat "$S.dates"; [ -s "$S.dates" ] && bad=1
# sentences: every body line of every input is a line of some output file
awk -v e="$E" '
	BEGIN { while ((getline l < e) > 0) if (l ~ /^date /) { split(l, f, " "); dated[f[2]] = 1 } }
	FNR == 1 { n = FILENAME; sub(/.*\//, "", n); sub(/\.md$/, "", n); fm = 0 }
	!inp { have[$0] = 1; next }
	/^---$/ && fm < 2 { fm++; next }
	fm >= 2 && NF && !($0 in have) && !(n in dated) { print "sentence lost from " n ": " $0; lost++ }
	END { printf "sentences lost: %d\n", lost; exit lost > 0 }' \
	inp=0 "$S"/*.md "$S"/archive/*.md inp=1 "$O"/*.md 2>/dev/null ||
	bad=1
rm -f "$S.tab" "$S.dates"
exit $bad
