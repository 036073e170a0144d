#!/bin/sh
# kairos dream from the command line: the labelled corpus (precision,
# recall, look-alikes, sentences), idempotence, undo, dry run, gates,
# progress, lock contention, SIGKILL at random points, read-only store,
# promotion from the journal, refs and renames.
set -u
passed=0; failed=0
ok() { passed=$((passed + 1)); echo "ok $1 ($(( $(date +%s) - S0 ))s)"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { if [ "$2" = 0 ]; then ok "$1"; else bad "$1"; fi; }
S0=$(date +%s)
T=$(mktemp -d); trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/home" HOME="$T/home"
mkdir -p "$T/home" "$T/ws"
CORPUS="$ROOT/tests/data/dream-corpus"
D() { "$KAIROS" dream --workspace "$T/ws" "$@"; }
field() { sed -n "s/^\"$2\":\(.*\)/\1/p" "$1"; }
js() { # js FILE KEY: a top-level scalar of a one-line JSON object
	tr ',' '\n' < "$1" | sed -n "s/^{*\"$2\": *\"*\([^\"]*\)\"*}*$/\1/p" | head -n 1
}
snap() { # bytes and modification times of every file under $1
	(cd "$1" && find . -type f -printf '%p %s %T@ %m\n' | sort && find . -type f -exec md5sum {} + | sort)
}

# ---- corpus ---------------------------------------------------------------
cp -r "$CORPUS/store" "$T/c"
D --memory-dir "$T/c" --force --json > "$T/c.json" 2> "$T/c.err"
check "corpus dream runs" $?
sh "$CORPUS/score.sh" "$T/c" "$CORPUS/expectations.txt" "$CORPUS/store"
check "corpus: precision>=0.98 recall>=0.95, no look-alike touched, no sentence lost" $?
[ "$(js "$T/c.json" changed)" = true ] && [ -n "$(js "$T/c.json" commit)" ]
check "corpus: report says changed, with a commit" $?

# ---- the generated look-alike corpus (SCALE memories, 10,000 by default) -------
S1=$(date +%s)
sh "$CORPUS/score-generated.sh" "${SCALE:-10000}"
check "generated corpus of ${SCALE:-10000}: no wrong merge, false contradiction, lost sentence, missed label; date traps untouched; second dream idle; dry run = real ($(( $(date +%s) - S1 ))s)" $?

# ---- idempotence ------------------------------------------------------------
before=$(snap "$T/c"); logn=$("$KAIROS" log --memory-dir "$T/c" | wc -l)
D --memory-dir "$T/c" --force --json > "$T/c2.json" 2>/dev/null
[ "$(js "$T/c2.json" changed)" = false ] && [ "$(js "$T/c2.json" commit)" = null ] &&
	[ "$(snap "$T/c")" = "$before" ] && [ "$("$KAIROS" log --memory-dir "$T/c" | wc -l)" = "$logn" ]
check "second dream: changed false, commit null, nothing written" $?

# ---- undo -----------------------------------------------------------------------
"$KAIROS" undo --memory-dir "$T/c" > /dev/null 2>&1
diff -r "$T/c" "$CORPUS/store" > /dev/null
check "undo restores the store byte for byte" $?

# ---- dry run ----------------------------------------------------------------------
cp -r "$CORPUS/store" "$T/d"
before=$(snap "$T/d"); dirs=$(find "$T/d" -type d -printf '%p %T@\n')
D --memory-dir "$T/d" --force --dry-run --json > "$T/d.json"
rc=$?
[ $rc = 0 ] && [ "$(snap "$T/d")" = "$before" ] && [ ! -e "$T/d/.lock" ] &&
	[ "$(find "$T/d" -type d -printf '%p %T@\n')" = "$dirs" ] &&
	[ "$(js "$T/d.json" changed)" = true ] && [ "$(js "$T/d.json" commit)" = null ] &&
	[ "$(js "$T/d.json" merged)" = 60 ]
check "dry run reports what would change and changes nothing (bytes, mtimes)" $?
[ -z "$("$KAIROS" log --memory-dir "$T/d" 2>/dev/null)" ]
check "dry run makes no history" $?

# ---- report shape, invalid files, text output --------------------------------------
mkdir -p "$T/r"
printf -- '---\nname: a1\ndescription: Run unit tests before pushing\ntype: feedback\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\nRun unit tests before pushing.\n' > "$T/r/a1.md"
printf -- '---\nname: a2\ndescription: Before pushing run the unit tests\ntype: feedback\ncreated: 2026-01-02T00:00:00Z\nupdated: 2026-01-02T00:00:00Z\n---\nBefore pushing, run the unit tests.\n\n**Why:** CI is slow.\n' > "$T/r/a2.md"
printf 'no front matter here\n' > "$T/r/broken.md"
cp "$T/r/broken.md" "$T/broken.orig"
D --memory-dir "$T/r" --force --json > "$T/r.json" 2> "$T/r.err"
rc=$?
[ $rc = 0 ] && grep -q 'broken.md' "$T/r.err" && [ "$(wc -l < "$T/r.err")" = 1 ] &&
	cmp -s "$T/r/broken.md" "$T/broken.orig"
check "invalid file: one line on stderr, untouched, exit 0" $?
grep -q '"actions":\[{"op":"merge","into":"a2","from":\["a1"\]' "$T/r.json" &&
	grep -q '"merged":1,' "$T/r.json" && grep -q '"kept":1,' "$T/r.json" &&
	grep -q '"archived":1,' "$T/r.json" && grep -q '"durationMs":[0-9]' "$T/r.json" &&
	grep -q '"commit":"[0-9a-f]\{40\}"' "$T/r.json"
check "report: counts, merge action, commit id" $?
[ -f "$T/r/archive/a1.md" ] && grep -q '^superseded_by: a2' "$T/r/archive/a1.md" &&
	grep -q '^archived_reason:' "$T/r/archive/a1.md" && grep -q 'Run unit tests before pushing.' "$T/r/a2.md" &&
	! grep -q '^updated: 2026-01-02T00:00:00Z' "$T/r/a2.md"
check "merge: absorbed archived with superseded_by, survivor gains its sentence and a new updated" $?
out=$(D --memory-dir "$T/r" --force 2>/dev/null)
echo "$out" | grep -q '^kairos dream: nothing to change'
check "text output: one-line summary" $?
D --bogus > /dev/null 2>&1
check "bad usage exits 2" $([ $? = 2 ]; echo $?)

# ---- gates and progress ----------------------------------------------------------------
cp -r "$CORPUS/store" "$T/g"
D --memory-dir "$T/g" --json --progress-fd 3 3> "$T/g.progress" > "$T/g.json" 2>/dev/null
[ "$(js "$T/g.json" ran)" = true ] && [ "$(js "$T/g.json" changed)" = true ]
check "gates pass on a store never dreamt over with many signals" $?
for p in orient gather consolidate prune index done; do
	grep -q "\"phase\":\"$p\"" "$T/g.progress" || { bad "progress line for $p"; continue; }
done
[ "$(wc -l < "$T/g.progress")" = 6 ] && grep -q '"percentage":100' "$T/g.progress"
check "progress: one JSON line per phase on --progress-fd" $?
D --memory-dir "$T/g" --json > "$T/g2.json" 2>/dev/null
[ "$(js "$T/g2.json" ran)" = false ] && grep -q '"skipped":"last dream' "$T/g2.json"
check "minHours gate holds a second dream back; --force skips it" $?

# ---- lock ---------------------------------------------------------------------------------
cp -r "$CORPUS/store" "$T/l"
before=$(snap "$T/l")
flock "$T/l/.lock" sh -c 'printf "{\"pid\": %s, \"started\": \"2099-01-01T00:00:00Z\"}\n" $$ > "$1"; sleep 3' sh "$T/l/.lock" &
holder=$!
sleep 0.5
D --memory-dir "$T/l" --force --json > /dev/null 2> "$T/l.err"
rc=$?
[ $rc = 1 ] && grep -q 'a dream is already running (pid [0-9]*)' "$T/l.err"
check "a second process: 'a dream is already running (pid N)', exit 1" $?
wait $holder
rm -f "$T/l/.lock"
[ "$(snap "$T/l")" = "$before" ]
check "the store is unchanged by the refused dream" $?
sh -c 'exit 0' & dead=$!; wait $dead
printf '{"pid": %s, "started": "2026-01-01T00:00:00Z"}\n' $dead > "$T/l/.lock"
D --memory-dir "$T/l" --force --json > "$T/l.json" 2>/dev/null
[ $? = 0 ] && [ "$(js "$T/l.json" changed)" = true ] && [ ! -e "$T/l/.lock" ]
check "a stale lock (dead process) is taken over and removed at the end" $?
# two real dreams at once: never both write
cp -r "$CORPUS/store" "$T/l2"
D --memory-dir "$T/l2" --force --json > "$T/l2a.json" 2> "$T/l2a.err" &
a=$!
D --memory-dir "$T/l2" --force --json > "$T/l2b.json" 2> "$T/l2b.err"
rb=$?
wait $a; ra=$?
n=$("$KAIROS" log --memory-dir "$T/l2" | grep -c '^[0-9a-f]* .* dream:')
[ $ra = 0 ] || [ $rb = 0 ]
[ $? = 0 ] && [ "$n" = 1 ] && { [ $ra = 0 ] || grep -q 'already running' "$T/l2a.err"; } &&
	{ [ $rb = 0 ] || grep -q 'already running' "$T/l2b.err"; }
check "two concurrent dreams: one commit, the other refused or finding nothing" $?

# ---- SIGKILL at random points --------------------------------------------------------------
mkdir -p "$T/k0"
for f in "$CORPUS"/store/f1[0-9]-*.md "$CORPUS"/store/c1-timeout* "$CORPUS"/store/c1-[an]*.md \
	"$CORPUS"/store/d1-*.md "$CORPUS"/store/x1-*.md; do cp "$f" "$T/k0/"; done
names=$(cd "$T/k0" && ls *.md | sed 's/\.md$//')
# the store has a history already (the copy is then a hand edit, committed
# first): a kill during the very first history commit is a gap of history.c
cp -r "$T/k0" "$T/k"; D --memory-dir "$T/k" --force > /dev/null 2>&1
runs=${DREAM_KILL_RUNS:-100}; kfail=0; i=0
start=$(date +%s)
while [ $i -lt $runs ]; do
	i=$((i + 1))
	rm -rf "$T/k"; cp -r "$T/k0" "$T/k"
	"$KAIROS" dream --workspace "$T/ws" --memory-dir "$T/k" --force > /dev/null 2>&1 &
	p=$!
	sleep "$(printf '0.%03d' $(( (i * 37) % 250 )))"
	kill -9 $p 2>/dev/null; wait $p 2>/dev/null
	for n in $names; do
		[ -f "$T/k/$n.md" ] || [ -f "$T/k/archive/$n.md" ] || { echo "run $i: $n lost"; kfail=1; }
	done
	if "$KAIROS" memory list --memory-dir "$T/k" --json > /dev/null 2> "$T/k.err" && [ -s "$T/k.err" ]; then
		echo "run $i: invalid files after the kill:"; cat "$T/k.err"; kfail=1
	fi
	D --memory-dir "$T/k" --force --json > "$T/k.json" 2>&1 || { echo "run $i: next dream failed"; cat "$T/k.json"; kfail=1; }
	D --memory-dir "$T/k" --force --json > "$T/k2.json" 2>&1
	[ "$(js "$T/k2.json" changed)" = false ] || { echo "run $i: not settled after the next dream"; kfail=1; }
	[ $kfail = 0 ] || break
done
echo "SIGKILL: $i runs in $(( $(date +%s) - start )) s"
check "SIGKILL at $runs random points: every memory present and readable, the next dream completes" $kfail

# ---- read-only store ---------------------------------------------------------------------------
cp -r "$CORPUS/store" "$T/ro"
if [ "$(id -u)" = 0 ]; then
	# root writes anywhere: run kairos as nobody over a store it cannot write
	chmod 755 "$T/ro"; chmod 777 "$T/home"; chmod 755 "$T" "$T/ws"
	before=$(snap "$T/ro")
	setpriv --reuid=65534 --regid=65534 --clear-groups env XDG_DATA_HOME="$T/home" HOME="$T/home" \
		"$KAIROS" dream --workspace "$T/ws" --memory-dir "$T/ro" --force --json > /dev/null 2> "$T/ro.err"
	rc=$?
else
	chmod -R a-w "$T/ro"
	before=$(snap "$T/ro")
	D --memory-dir "$T/ro" --force --json > /dev/null 2> "$T/ro.err"
	rc=$?
fi
[ $rc = 1 ] && grep -q 'read-only' "$T/ro.err" && [ "$(wc -l < "$T/ro.err")" = 1 ] &&
	[ "$(snap "$T/ro")" = "$before" ]
check "read-only store: one clear line, exit 1, unchanged" $?

# ---- promotion from the journal -------------------------------------------------------------------
mkdir -p "$T/p"
printf -- '---\nname: keep-me\ndescription: Keep the journal tidy\ntype: user\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\n---\nKeep the journal tidy.\n' > "$T/p/keep-me.md"
for l in 3 9 14; do
	printf '{"ts":"2026-03-01T00:00:00Z","kind":"edit_pattern","before":"NULL","after":"nullptr","uri":"file:///w/a.cc","line":%s}\n' $l >> "$T/p/journal.jsonl"
done
echo 'this line is not JSON' >> "$T/p/journal.jsonl"
printf '{"ts":"2026-03-01T00:00:00Z","kind":"remember","text":"x"}\n' >> "$T/p/journal.jsonl"
D --memory-dir "$T/p" --force --json > "$T/p.json" 2>/dev/null
f=$(ls "$T/p"/*.md 2>/dev/null | grep -v -e MEMORY.md -e keep-me.md)
[ "$(js "$T/p.json" promoted)" = 1 ] && [ -n "$f" ] && grep -q '^type: feedback' $f &&
	grep -q '^source: observation' $f && grep -q 'literal: "*NULL' $f && grep -q 'fix: "*nullptr' $f
check "edit_pattern seen 3 times in distinct places becomes a feedback rule memory" $?
[ "$(grep -c edit_pattern "$T/p/journal.jsonl")" = 0 ] && grep -q 'not JSON' "$T/p/journal.jsonl" &&
	grep -q '"kind":"remember"' "$T/p/journal.jsonl"
check "consumed journal lines removed; unparsable and other lines kept" $?
"$KAIROS" undo --memory-dir "$T/p" > /dev/null 2>&1
[ "$(grep -c edit_pattern "$T/p/journal.jsonl")" = 3 ]
check "undo brings the consumed journal lines back" $?

# ---- refs and renames ---------------------------------------------------------------------------------
W="$T/gw"; mkdir -p "$W/src" "$T/q"
(cd "$W" && git init -q && echo a > src/lexer.c && echo b > src/gone.c && git add . &&
	git -c user.email=t@t -c user.name=t commit -qm one &&
	git mv src/lexer.c src/scanner.c && git rm -q src/gone.c &&
	git -c user.email=t@t -c user.name=t commit -qm two)
printf -- '---\nname: lexer-note\ndescription: The lexer keeps state\ntype: project\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\nrefs: ["src/lexer.c"]\n---\nThe lexer keeps state.\n' > "$T/q/lexer-note.md"
printf -- '---\nname: gone-note\ndescription: The gone file is special\ntype: project\ncreated: 2026-01-01T00:00:00Z\nupdated: 2026-01-01T00:00:00Z\nrefs: ["src/gone.c"]\n---\nThe gone file is special.\n' > "$T/q/gone-note.md"
"$KAIROS" dream --workspace "$W" --memory-dir "$T/q" --force --json > "$T/q.json" 2>"$T/q.err"
grep -q 'src/scanner.c' "$T/q/lexer-note.md" && [ -f "$T/q/archive/gone-note.md" ] &&
	grep -q '"op":"prune","name":"gone-note","why":"refs missing: src/gone.c"' "$T/q.json"
check "refs: a renamed file is followed, a deleted one retires the memory" $?

echo "$passed passed, $failed failed"
