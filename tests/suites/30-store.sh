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


# ---- restore (issue 12): the newest archived copy back, as one commit ----
rd="$T/restore-store"
"$K" memory add --memory-dir "$rd" --name tabs "Indent with tabs" >/dev/null 2>&1
"$K" memory forget --memory-dir "$rd" tabs >/dev/null 2>&1
# a second copy of the same name, typed by hand, then forgotten too
printf -- '---\nname: tabs\ndescription: Indent with tabs, newer\ntype: project\ncreated: 2026-01-01T00:00:00Z\nupdated: 2030-01-01T00:00:00Z\nx-owner: infra # kept\n---\nnewer\n' >"$rd/tabs.md"
"$K" memory forget --memory-dir "$rd" tabs >/dev/null 2>&1
check "a second archived copy is tabs~2.md, its name still tabs" '[ -f "$rd/archive/tabs.md" ] && [ -f "$rd/archive/tabs~2.md" ] && grep -qx "name: tabs" "$rd/archive/tabs~2.md"'
check "archived copies are not invalid files" '"$K" memory list --memory-dir "$rd" 2>&1 >/dev/null | grep -c . | grep -qx 0'
out=$("$K" memory restore --memory-dir "$rd" tabs 2>"$T/err"); rc=$?
check "restore exits 0 and says where" '[ $rc = 0 ] && echo "$out" | grep -q "restored tabs ($rd/tabs.md)"'
check "restore brings back the newest copy" 'grep -q "^newer$" "$rd/tabs.md" && [ ! -e "$rd/archive/tabs~2.md" ] && [ -f "$rd/archive/tabs.md" ]'
check "restore drops archived_reason, archived_at, superseded_by" '! grep -q "^archived_\|^superseded_by" "$rd/tabs.md"'
check "restore keeps the rest as it was" 'grep -qx "x-owner: infra # kept" "$rd/tabs.md" && grep -qx "updated: 2030-01-01T00:00:00Z" "$rd/tabs.md"'
check "restore is one commit" '"$K" log --memory-dir "$rd" | head -n 1 | grep -q "restore: tabs"'
check "the index lists it again" 'grep -q "(tabs.md)" "$rd/MEMORY.md"'
"$K" memory restore --memory-dir "$rd" tabs >/dev/null 2>"$T/err"; rc=$?
check "restore over an active memory fails and says so" '[ $rc = 1 ] && grep -q "already" "$T/err" && grep -q "^newer$" "$rd/tabs.md"'
"$K" memory restore --memory-dir "$rd" nothing-like-it >/dev/null 2>"$T/err"; rc=$?
check "restore of a name never archived: 1, one line" '[ $rc = 1 ] && [ "$(wc -l <"$T/err")" = 1 ]'
"$K" memory forget --memory-dir "$rd" tabs >/dev/null 2>&1
out=$("$K" memory restore --memory-dir "$rd" tabs --json)
check "restore --json prints {name, store, uri}" 'echo "$out" | node -e "
const o = JSON.parse(require(\"fs\").readFileSync(0, \"utf8\"));
if (o.name !== \"tabs\" || o.store !== \"personal\" || !o.uri.startsWith(\"file://\")) process.exit(1);"'

# ---- front matter kairos does not know, kept byte for byte (issue 12) ----
fm="$T/front-store"
mkdir -p "$fm"
printf -- '---\nname: anchored\ndescription: Anchors and aliases\ntype: project\ncreated: &ts 2026-03-02T10:15:00Z\nupdated: 2026-03-02T10:15:00Z\nx-also: *ts\n# a comment\nx-list:\n  - one\n  - two\n---\nbody\n' >"$fm/anchored.md"
head -n 11 "$fm/anchored.md" >"$T/anchored.front"
"$K" memory forget --memory-dir "$fm" anchored >/dev/null 2>"$T/err"; rc=$?
check "forget of a file with anchors and aliases works" '[ $rc = 0 ] && [ -f "$fm/archive/anchored.md" ]'
check "its front matter is kept byte for byte, no blank line before ---" 'head -n 11 "$fm/archive/anchored.md" | cmp -s - "$T/anchored.front" && ! grep -qx "" "$fm/archive/anchored.md" && [ "$(sed -n 12,13p "$fm/archive/anchored.md" | grep -c "^archived_")" = 2 ] && sed -n 14p "$fm/archive/anchored.md" | grep -qx -- "---"'
printf -- '---\r\nname: crlf\r\ndescription: A Windows file\r\ntype: user\r\nx-k: v\r\n---\r\nline one\r\nline two\r\n' >"$fm/crlf.md"
"$K" memory forget --memory-dir "$fm" crlf >/dev/null 2>&1
check "a CRLF file stays CRLF throughout" '[ -f "$fm/archive/crlf.md" ] && [ "$(tr -cd "\n" <"$fm/archive/crlf.md" | wc -c)" = "$(tr -cd "\r" <"$fm/archive/crlf.md" | wc -c)" ] && grep -q "^archived_at: .*$(printf "\r")$" "$fm/archive/crlf.md"'
printf -- '---\nname: complex\ndescription: A complex key\ntype: project\n? key\n: value\n---\nx\n' >"$fm/complex.md"
"$K" memory forget --memory-dir "$fm" complex >/dev/null 2>"$T/err"; rc=$?
check "a front-matter ? key does not make a memory impossible to forget" '[ $rc = 0 ] && [ -f "$fm/archive/complex.md" ] && grep -qx "? key" "$fm/archive/complex.md" && [ ! -s "$T/err" ]'

# ---- a MEMORY.md kairos did not write is never thrown away (issue 12) ----
cm="$T/claude-memory"
mkdir -p "$cm"
printf -- '---\nname: user-role\ndescription: The user is a data scientist\ntype: user\n---\nA data scientist.\n' >"$cm/user-role.md"
printf '# Memory index\n\n- [User role](user-role.md) — who the user is\n- Prefer pnpm over npm (only written here)\n\nSee also the team wiki.\n' >"$cm/MEMORY.md"
cp "$cm/MEMORY.md" "$T/foreign.before"
"$K" memory add --memory-dir "$cm" "Run the linter before pushing" >/dev/null 2>&1
check "the foreign index's own lines are kept under ## Notes" 'grep -qx "## Notes" "$cm/MEMORY.md" && grep -qx "# Memory index" "$cm/MEMORY.md" && grep -qx -- "- Prefer pnpm over npm (only written here)" "$cm/MEMORY.md" && grep -qx "See also the team wiki." "$cm/MEMORY.md"'
check "its entry for an existing memory is rebuilt, not kept" '[ "$(grep -c "(user-role.md)" "$cm/MEMORY.md")" = 1 ] && grep -qx -- "- \[The user is a data scientist\](user-role.md) — user" "$cm/MEMORY.md"'
"$K" undo --memory-dir "$cm" >/dev/null 2>&1
check "undo restores the foreign index byte for byte" 'cmp -s "$cm/MEMORY.md" "$T/foreign.before"'
"$K" undo --memory-dir "$cm" >/dev/null 2>&1 # redo
"$K" memory add --memory-dir "$cm" "Another one" >/dev/null 2>&1
check "the notes stay on the next rebuild" '[ "$(grep -c "only written here" "$cm/MEMORY.md")" = 1 ] && [ "$(grep -c "^## Notes" "$cm/MEMORY.md")" = 1 ] && grep -q "(another-one.md)" "$cm/MEMORY.md"'
big="$T/big-foreign"
mkdir -p "$big"
i=0; while [ $i -lt 400 ]; do echo "- hand-written note number $i, found nowhere else"; i=$((i + 1)); done >"$big/MEMORY.md"
cp "$big/MEMORY.md" "$T/big.before"
"$K" memory add --memory-dir "$big" "Keep the notes" >/dev/null 2>&1
notes=$(ls "$big"/memory-md-notes*.md 2>/dev/null | head -n 1)
check "a foreign index too big for the cap goes into a memory of its own" '[ -n "$notes" ] && grep -qx "type: reference" "$notes" && grep -qx "source: import" "$notes" && [ "$(grep -c "found nowhere else" "$notes")" = 400 ]'
check "which the index lists" 'grep -q "(memory-md-notes.md)" "$big/MEMORY.md" && ! grep -q "found nowhere else" "$big/MEMORY.md"'
"$K" undo --memory-dir "$big" >/dev/null 2>&1
check "undo restores that one byte for byte too" 'cmp -s "$big/MEMORY.md" "$T/big.before" && [ ! -e "$notes" ]'

# ---- no write ever follows a symbolic link (issue 13) ----
sw="$T/symws"
mkdir -p "$sw/.kairos/memory"
echo "# my shell" >"$T/bashrc"; cp "$T/bashrc" "$T/bashrc.before"
ln -s "$T/bashrc" "$sw/.kairos/memory/journal.jsonl"
(cd "$sw" && "$K" memory add --store team "A team convention" >/dev/null 2>"$T/err")
check "a committed journal.jsonl link is refused, its target untouched" 'cmp -s "$T/bashrc" "$T/bashrc.before" && grep -q "symbolic link" "$T/err"'
mkdir -p "$T/elsewhere"
rm -f "$sw/.kairos/memory/journal.jsonl"
ln -s "$T/elsewhere" "$sw/.kairos/memory/archive"
(cd "$sw" && "$K" memory forget --store team a-team-convention >/dev/null 2>"$T/err"); rc=$?
check "a committed archive link makes forget fail, writing nothing there" '[ $rc = 1 ] && [ -z "$(ls -A "$T/elsewhere")" ] && [ -f "$sw/.kairos/memory/a-team-convention.md" ] && grep -q "symbolic link" "$T/err"'
rm -f "$sw/.kairos/memory/archive"
echo "precious" >"$T/precious"; cp "$T/precious" "$T/precious.before"
rm -f "$sw/.kairos/memory/MEMORY.md"; ln -s "$T/precious" "$sw/.kairos/memory/MEMORY.md"
(cd "$sw" && "$K" memory add --store team "Another team convention" >/dev/null 2>"$T/err"); rc=$?
check "a MEMORY.md link is refused with a clear message, nothing changed" '[ $rc = 1 ] && cmp -s "$T/precious" "$T/precious.before" && [ -L "$sw/.kairos/memory/MEMORY.md" ] && [ ! -e "$sw/.kairos/memory/another-team-convention.md" ] && [ "$(ls -A "$sw/.kairos/memory" | sort | tr "\n" " ")" = ".gitignore MEMORY.md a-team-convention.md " ] && grep -q "MEMORY.md is a symbolic link" "$T/err"'
rm -f "$sw/.kairos/memory/MEMORY.md"
pj="$T/personal-link"; mkdir -p "$pj"; ln -s "$T/bashrc" "$pj/journal.jsonl"
"$K" memory add --memory-dir "$pj" "A personal note" >/dev/null 2>"$T/err"
check "the personal store's journal link is refused too" 'cmp -s "$T/bashrc" "$T/bashrc.before" && grep -q "symbolic link" "$T/err"'
lw="$T/linkws"; mkdir -p "$lw" "$T/kairos-elsewhere"; ln -s "$T/kairos-elsewhere" "$lw/.kairos"
(cd "$lw" && "$K" memory add --store team "Through a link" >/dev/null 2>"$T/err"); rc=$?
check "a .kairos link in a workspace is refused" '[ $rc = 1 ] && [ -z "$(ls -A "$T/kairos-elsewhere")" ] && grep -q "symbolic link" "$T/err"'
echo "machine example.com login me password hunter2" >"$T/netrc"
iw="$T/importws"; mkdir -p "$iw"; ln -s "$T/netrc" "$iw/CLAUDE.md"; echo "- Use tabs in Makefiles" >"$iw/AGENTS.md"; ln -s AGENTS.md "$iw/.github-like.md"
out=$(cd "$iw" && "$K" memory list --json 2>"$T/err")
check "an import leading outside the workspace is not read" '! echo "$out" | grep -q "example.com" && grep -q "outside the workspace" "$T/err" && echo "$out" | grep -q "agents-md"'
"$K" memory add --workspace "$T/no/such/ws" --store team "Nowhere" >/dev/null 2>"$T/err"; rc=$?
check "a team remember under a workspace that does not exist creates nothing" '[ $rc != 0 ] && [ ! -e "$T/no" ] && grep -q "does not exist" "$T/err"'

# ---- names: never a credential (issue 13) ----
nd="$T/name-store"
"$K" memory add --memory-dir "$nd" --name "ghp_16C7e42F292c6912E7710c838347Ae178B4a" "CI token" >/dev/null 2>"$T/err"; rc=$?
check "a name holding a credential is refused (2), nothing written" '[ $rc = 2 ] && ! ls "$nd" 2>/dev/null | grep -qi ghp && ! grep -rqi "ghp_16c7" "$nd" 2>/dev/null && ! grep -q ghp_ "$T/err"'
"$K" memory add --memory-dir "$nd" "Cloudflare Worker secret: HOLIDAY_API_KEY, NEIS_API_KEY, …" >/dev/null 2>&1
check "a list of variable names is not redacted" 'grep -rq "HOLIDAY_API_KEY, NEIS_API_KEY" "$nd" && ! grep -rq REDACTED "$nd"'

# ---- failures leave things as they were (issue 13) ----
mnt="$T/small"
mkdir -p "$mnt"
mounted=""
if mount -t tmpfs -o size=1m tmpfs "$mnt" 2>/dev/null; then mounted=yes; fi
if [ -n "$mounted" ]; then
	fd="$T/full-store"
	XDG_DATA_HOME="$mnt" "$K" memory add --memory-dir "$fd" "Before the disk filled" >/dev/null 2>&1
	cp "$fd/MEMORY.md" "$T/full.index"; cp "$fd/journal.jsonl" "$T/full.journal"
	XDG_DATA_HOME="$mnt" "$K" log --memory-dir "$fd" >"$T/full.log"
	dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
	XDG_DATA_HOME="$mnt" "$K" memory add --memory-dir "$fd" "After the disk filled" >/dev/null 2>"$T/err"; rc=$?
	check "disk full: the add fails (1) and says the disk is full" '[ $rc = 1 ] && grep -q "disk is full" "$T/err"'
	check "disk full: the memory is not left in the store" '[ ! -e "$fd/after-the-disk-filled.md" ] && cmp -s "$fd/MEMORY.md" "$T/full.index" && cmp -s "$fd/journal.jsonl" "$T/full.journal" && ! ls -A "$fd" | grep -q "^\.kairos-tmp"'
	rm -f "$mnt/filler"
	check "disk full: history as it was" 'XDG_DATA_HOME="$mnt" "$K" log --memory-dir "$fd" | cmp -s - "$T/full.log"'
	umount "$mnt"
	# a read-only store
	mount -t tmpfs -o size=1m tmpfs "$mnt"
	"$K" memory add --memory-dir "$mnt/ro" "Written while it could be" >/dev/null 2>&1
	cp -a "$mnt/ro" "$T/ro.before"
	mount -o remount,ro "$mnt"
	"$K" memory add --memory-dir "$mnt/ro" "Not any more" >/dev/null 2>"$T/err"; rc=$?
	check "read-only store: add fails (1) and says read-only" '[ $rc = 1 ] && grep -q "read-only" "$T/err"'
	"$K" memory forget --memory-dir "$mnt/ro" written-while-it-could-be >/dev/null 2>"$T/err"; rc=$?
	check "read-only store: forget fails and says read-only, nothing changed" '[ $rc = 1 ] && grep -q "read-only" "$T/err" && diff -r "$mnt/ro" "$T/ro.before" >/dev/null'
	umount "$mnt"
else
	echo "note: cannot mount a tmpfs here: the disk-full and read-only checks did not run" >&2
fi

# ---- the same through a real client (vscode-jsonrpc) ----
if [ -d "$ROOT/tests/client/node_modules" ]; then
	(cd "$ROOT/tests/data" && node store-client.test.js) >"$T/client.out" 2>&1
	grep "^FAIL" "$T/client.out" >&2
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$T/client.out" | tail -n 1)
	if [ -n "$line" ]; then
		passed=$((passed + ${line%% passed*}))
		f=${line#*passed, }; failed=$((failed + ${f%% failed*}))
	else
		ko "the client checks printed no result"; tail -5 "$T/client.out" >&2
	fi
else
	ko "tests/client/node_modules is missing (npm install in tests/client)"
fi

echo "$passed passed, $failed failed"
