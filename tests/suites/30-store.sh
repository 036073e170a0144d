#!/bin/sh
# Memory store from the command line: kairos memory list|show|add|forget,
# log and undo, invalid files, exit codes; then crash safety (a writer
# killed 200 times) and two concurrent writers (tests/tools/store_stress).
set -u
passed=0; failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
check() { if eval "$2"; then ok; else ko "$1"; fi; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/data" HOME="$T/home" KAIROS_PLUGIN_DIR="$B"
mkdir -p "$T/home" "$T/ws"
cd "$T/ws" || exit 1
K="$KAIROS"
MD="$T/mem"

# add, list, show
out=$("$K" memory add --memory-dir "$MD" "Indent C code with 4 spaces, never tabs.
Why: the review tool renders tabs as 8 columns." 2>"$T/err"); rc=$?
check "add exits 0" '[ $rc = 0 ]'
check "add names the memory" 'echo "$out" | grep -q "indent-c-code-with-4-spaces-never-tabs"'
f="$MD/indent-c-code-with-4-spaces-never-tabs.md"
check "memory file written" '[ -f "$f" ]'
check "description is the first line" 'grep -qx "description: Indent C code with 4 spaces, never tabs." "$f"'
check "body keeps every line" 'grep -q "^Why: the review tool" "$f"'
check "type defaults to project" 'grep -qx "type: project" "$f"'
check "created is RFC 3339 Z" 'grep -Eq "^created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$" "$f"'
check "index written" 'grep -qx -- "- \[Indent C code with 4 spaces, never tabs.\](indent-c-code-with-4-spaces-never-tabs.md) — project" "$MD/MEMORY.md"'
"$K" memory add --memory-dir "$MD" --type feedback --name "quotes" "Use double quotes" >/dev/null 2>&1
check "--name and --type honoured" 'grep -qx "type: feedback" "$MD/quotes.md"'
"$K" memory add --memory-dir "$MD" --name "quotes" "Use double quotes again" >/dev/null 2>&1
check "names made unique" '[ -f "$MD/quotes-2.md" ]'
"$K" memory add --memory-dir "$MD" --name "../../escape" "nope" >/dev/null 2>"$T/err"; rc=$?
check "traversal in a name refused with 2" '[ $rc = 2 ] && [ ! -e "$T/escape.md" ] && [ -s "$T/err" ]'
"$K" memory add --memory-dir "$MD" "token ghp_16C7e42F292c6912E7710c838347Ae178B4a for CI" >/dev/null 2>&1
check "secrets redacted on add" '! grep -rq ghp_16C7 "$MD" && grep -rq "\[REDACTED\]" "$MD"'
long=$(printf 'x%.0s' $(seq 1 200))
"$K" memory add --memory-dir "$MD" --name long "$long" >/dev/null 2>&1
d=$(sed -n 's/^description: //p' "$MD/long.md")
check "description shortened to 150 characters" '[ "$(printf %s "$d" | LC_ALL=C.UTF-8 wc -m)" -le 150 ] && [ "$(printf %s "$d" | LC_ALL=C.UTF-8 wc -m)" -ge 140 ]'

out=$("$K" memory list --memory-dir "$MD" --json); rc=$?
check "list --json exits 0" '[ $rc = 0 ]'
check "list --json is an array of objects" 'echo "$out" | node -e "
const a = JSON.parse(require(\"fs\").readFileSync(0, \"utf8\"));
if (!Array.isArray(a) || a.length !== 5) process.exit(1);
for (const m of a) for (const k of [\"name\",\"description\",\"type\",\"store\",\"uri\"])
  if (typeof m[k] !== \"string\") process.exit(1);
const q = a.find(m => m.name === \"quotes\");
if (!q || q.type !== \"feedback\" || q.store !== \"personal\" || !q.uri.startsWith(\"file://\")) process.exit(1);
"'
out=$("$K" memory list --memory-dir "$MD" --type feedback)
check "--type filters" '[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "^quotes "'
out=$("$K" memory show --memory-dir "$MD" quotes); rc=$?
check "show prints the memory" '[ $rc = 0 ] && echo "$out" | grep -qx "name: quotes"'
"$K" memory show --memory-dir "$MD" nope >/dev/null 2>"$T/err"; rc=$?
check "show of an unknown name exits 1 with one line" '[ $rc = 1 ] && [ "$(wc -l <"$T/err")" = 1 ]'

# invalid files: one line each on stderr, never changed
printf -- '---\nname: broken\ntype: user\n---\n' >"$MD/broken.md"
printf 'junk\001\002' >"$MD/junk.md"
cp "$MD/broken.md" "$T/broken.before"; cp "$MD/junk.md" "$T/junk.before"
"$K" memory list --memory-dir "$MD" >/dev/null 2>"$T/err"; rc=$?
check "list with invalid files exits 0" '[ $rc = 0 ]'
check "one line per invalid file" '[ "$(wc -l <"$T/err")" = 2 ] && grep -q "broken.md: .*description" "$T/err"'
"$K" memory forget --memory-dir "$MD" broken >/dev/null 2>"$T/err"; rc=$?
check "forget of an invalid file fails and says why" '[ $rc = 1 ] && grep -q "not a valid memory" "$T/err"'
"$K" memory add --memory-dir "$MD" "another one" >/dev/null 2>&1
check "invalid files untouched" 'cmp -s "$MD/broken.md" "$T/broken.before" && cmp -s "$MD/junk.md" "$T/junk.before"'

# forget, log, undo
"$K" memory forget --memory-dir "$MD" quotes >/dev/null 2>&1; rc=$?
check "forget exits 0" '[ $rc = 0 ]'
check "forget archives" '[ ! -e "$MD/quotes.md" ] && grep -q "^archived_reason: " "$MD/archive/quotes.md" && grep -q "^archived_at: " "$MD/archive/quotes.md"'
check "index no longer lists it" '! grep -q "(quotes.md)" "$MD/MEMORY.md"'
"$K" memory forget --memory-dir "$MD" quotes >/dev/null 2>&1; rc=$?
check "forget of an unknown name exits 1" '[ $rc = 1 ]'
out=$("$K" log --memory-dir "$MD"); rc=$?
check "log exits 0" '[ $rc = 0 ]'
check "log lists the forget first" 'echo "$out" | head -n 1 | grep -q "forget: quotes"'
check "log holds the store as found" 'echo "$out" | tail -n 1 | grep -q "store as found"'
check "log holds the hand edits" 'echo "$out" | grep -q "edit: changes made outside kairos"'
"$K" undo --memory-dir "$MD" >"$T/out" 2>&1; rc=$?
check "undo exits 0" '[ $rc = 0 ]'
check "undo restores the forgotten memory" '[ -f "$MD/quotes.md" ] && [ ! -e "$MD/archive/quotes.md" ]'
"$K" undo --memory-dir "$MD" >/dev/null 2>&1
check "undoing the undo forgets again" '[ ! -e "$MD/quotes.md" ] && [ -f "$MD/archive/quotes.md" ]'
check "invalid files still untouched" 'cmp -s "$MD/broken.md" "$T/broken.before" && cmp -s "$MD/junk.md" "$T/junk.before"'

# usage errors
"$K" memory >/dev/null 2>&1; check "memory without action: 2" '[ $? = 2 ]'
"$K" memory list --bogus >/dev/null 2>&1; check "unknown option: 2" '[ $? = 2 ]'
"$K" memory list --type opinion >/dev/null 2>&1; check "unknown type: 2" '[ $? = 2 ]'
"$K" memory frobnicate >/dev/null 2>&1; check "unknown action: 2" '[ $? = 2 ]'
"$K" memory add --memory-dir "$MD" "   " >/dev/null 2>&1; check "empty text: 2" '[ $? = 2 ]'
"$K" log extra >/dev/null 2>&1; check "log with an argument: 2" '[ $? = 2 ]'

# the default stores: personal under XDG_DATA_HOME, team in the workspace, imports
printf '# Rules\n\n- Always run make test\n' >"$T/ws/CLAUDE.md"
"$K" memory add "personal note" >/dev/null 2>&1
"$K" memory add --store team "team convention" >/dev/null 2>&1
check "personal store under XDG_DATA_HOME" 'ls "$XDG_DATA_HOME"/kairos/projects/ws-*/personal-note.md >/dev/null 2>&1'
check "team store in the workspace" '[ -f "$T/ws/.kairos/memory/team-convention.md" ] && [ -f "$T/ws/.kairos/memory/.gitignore" ]'
out=$("$K" memory list --json)
check "list shows personal, team and imports" 'echo "$out" | node -e "
const a = JSON.parse(require(\"fs\").readFileSync(0, \"utf8\"));
const s = new Set(a.map(m => m.store));
if (!s.has(\"personal\") || !s.has(\"team\") || !s.has(\"import\")) process.exit(1);
"'
name=$(echo "$out" | node -e 'const a = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(a.find(m => m.store === "import").name)')
"$K" memory forget "$name" >/dev/null 2>"$T/err"; rc=$?
check "imports are read only" '[ $rc = 1 ] && grep -q "read only" "$T/err" && grep -q "Always run make test" "$T/ws/CLAUDE.md"'
check "no history or state inside the stores" '[ ! -e "$T/ws/.kairos/memory/.git" ] && ! ls "$MD" | grep -q "lock"'
if command -v git >/dev/null 2>&1; then
	(cd "$T/ws" && git init -q . && git add -A >/dev/null 2>&1)
	st=$(cd "$T/ws" && git status --porcelain --untracked-files=all | grep kairos | grep -v "\.md$" | grep -v "\.gitignore$")
	check "team store adds only memory files to git status" '[ -z "$st" ]'
fi

# crash safety and concurrency
"$B/tests/store_stress" crash "$T/crash" 200 >"$T/crash.out" 2>&1; rc=$?
check "writer killed 200 times: nothing lost, every file parses" '[ $rc = 0 ]'
[ $rc = 0 ] || tail -5 "$T/crash.out" >&2
"$B/tests/store_stress" concurrent "$T/conc" 100 >"$T/conc.out" 2>&1; rc=$?
check "two writers, 100 memories each: 200 on disk and in history" '[ $rc = 0 ]'
[ $rc = 0 ] || tail -5 "$T/conc.out" >&2

# a secret typed into a memory file by hand: the next write redacts it
# and warns that older history still holds it
sd="$T/secret-store"
mkdir -p "$sd"
printf -- '---\nname: deploy-note\ndescription: How we deploy\ntype: project\n---\nDeploy with token ghp_abcdefghijklmnopqrstuvwxyz0123456789 from the vault.\n' >"$sd/deploy-note.md"
err=$("$K" memory forget deploy-note --memory-dir "$sd" 2>&1 >/dev/null)
check "forget of a file holding a hand-typed secret warns about older history" 'echo "$err" | grep -q "older history"'
check "the archived copy is redacted" 'grep -q "\[REDACTED\]" "$sd/archive/deploy-note.md" && ! grep -q "ghp_abcdef" "$sd/archive/deploy-note.md"'
check "history really holds it (the warning is true)" '"$K" log --memory-dir "$sd" | grep -q "edit\|as found"'

echo "$passed passed, $failed failed"
