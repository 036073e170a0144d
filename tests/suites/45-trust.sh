#!/bin/sh
# Workspace trust from the command line: kairos trust records, revokes and
# shows the decision, keyed by the real path, under XDG_DATA_HOME only;
# nothing inside the workspace grants it; kairos check --json offers a
# team memory's fix only once the workspace is trusted, and a personal or
# user memory's always. (The server's side: tests/client/trust.test.js.)
set -u
passed=0; failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
check() { if eval "$2"; then ok; else ko "$1"; fi; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/data" HOME="$T/home"
mkdir -p "$HOME"
K="$KAIROS"
cp -R "$ROOT/tests/data/check-ws" "$T/ws"
WS=$(cd "$T/ws" && pwd -P)
EXP="$ROOT/tests/data/check-ws.expected"
# "N FIXES": how many objects of kairos check --json (stdin) are of the
# memory $1, and their distinct fix values (JSON; "-" for no fix)
fixes() { node -e '
const a = JSON.parse(require("fs").readFileSync(0, "utf8")).filter((o) => o.memory === process.argv[1]);
console.log(a.length + " " + [...new Set(a.map((o) => ("fix" in o) ? JSON.stringify(o.fix) : "-"))].join(" "));' "$1"; }
state() { node -e 'const o = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(Object.keys(o).sort().join(",") + " " + o.workspace + " " + o.trusted);'; }

# 1. a fresh workspace is not trusted, and asking changes nothing
out=$("$K" trust --workspace "$WS" --status --json); rc=$?
check "status of a fresh workspace" '[ $rc = 0 ] && [ "$(echo "$out" | state)" = "trusted,workspace $WS false" ]'
check "asking writes nothing" '[ ! -e "$XDG_DATA_HOME/kairos/trust" ]'
"$K" check --workspace "$WS" --json >"$T/untrusted.json" 2>/dev/null
check "untrusted: check --json offers no fix" '[ "$(fixes no-strcpy <"$T/untrusted.json")" = "3 -" ] && [ "$(fixes indent-spaces <"$T/untrusted.json")" = "3 -" ]'
check "untrusted: the diagnostics are all there, as recorded" 'cmp -s "$T/untrusted.json" "$EXP.json"'

# 2. kairos trust records it, outside the workspace
before=$(cd "$WS" && find . -type f | sort | xargs cat | cksum)
out=$(cd "$WS" && "$K" trust --json); rc=$?
check "trust (the current directory) records it" '[ $rc = 0 ] && [ "$(echo "$out" | state)" = "trusted,workspace $WS true" ]'
check "the decision lives under XDG_DATA_HOME/kairos/trust, private" '[ "$(ls "$XDG_DATA_HOME/kairos/trust" | wc -l)" = 1 ] && [ "$(stat -c %a "$XDG_DATA_HOME/kairos/trust"/*)" = 600 ] && [ "$(cat "$XDG_DATA_HOME/kairos/trust"/*)" = "$WS" ]'
check "nothing written into the workspace" '[ "$(cd "$WS" && find . -type f | sort | xargs cat | cksum)" = "$before" ]'
"$K" check --workspace "$WS" --json >"$T/trusted.json" 2>/dev/null
check "trusted: the team memories offer their fixes" '[ "$(fixes no-strcpy <"$T/trusted.json")" = "3 \"str_copy(\"" ] && [ "$(fixes indent-spaces <"$T/trusted.json")" = "3 \"    \"" ]'
check "trusted: memories without a fix still have none" '[ "$(fixes todo-owner <"$T/trusted.json")" = "3 -" ]'
"$K" check --workspace "$WS" >"$T/out" 2>/dev/null
check "the text output does not change with trust" 'cmp -s "$T/out" "$EXP.txt"'
out=$("$K" trust --workspace "$WS"); rc=$?
check "trust without --json says so in words" '[ $rc = 0 ] && echo "$out" | grep -q "^trusted $WS: "'

# 3. the real path is the key: a link reaches the same decision, a copy is another workspace
ln -s "$WS" "$T/link"
check "through a symlink: the same decision" '"$K" trust --workspace "$T/link" --status --json | grep -q "\"workspace\":\"$WS\",\"trusted\":true"'
cp -R "$WS" "$T/copy"
check "a copy is not trusted" '"$K" trust --workspace "$T/copy" --status --json | grep -q "\"trusted\":false"'
check "nor a directory inside it" '"$K" trust --workspace "$WS/src" --status --json | grep -q "\"trusted\":false"'

# 4. --revoke takes it back
out=$("$K" trust --workspace "$WS" --revoke --json); rc=$?
check "revoke" '[ $rc = 0 ] && [ "$(echo "$out" | state)" = "trusted,workspace $WS false" ]'
"$K" check --workspace "$WS" --json >"$T/revoked.json" 2>/dev/null
check "revoked: no fix again" 'cmp -s "$T/revoked.json" "$EXP.json"'
"$K" trust --workspace "$WS" --revoke >/dev/null 2>&1
check "revoking twice is no error" '[ $? = 0 ]'

# 5. nothing inside the workspace grants it
mkdir -p "$T/copy/.vscode" "$T/copy/.kairos"
printf '{"kairos.trust": true, "security.workspace.trust.enabled": false}\n' >"$T/copy/.vscode/settings.json"
printf 'trusted: true\n' >"$T/copy/.kairos/trust"
printf '%s\n' "$(cd "$T/copy" && pwd -P)" >"$T/copy/.kairos/trusted"
check "settings and files in the workspace grant nothing" '"$K" trust --workspace "$T/copy" --status --json | grep -q "\"trusted\":false"'
"$K" check --workspace "$T/copy" --json >"$T/copy.json" 2>/dev/null
check "... and check offers no fix there" '[ "$(fixes no-strcpy <"$T/copy.json")" = "3 -" ]'
other="$T/data2"
"$K" trust --workspace "$WS" >/dev/null
check "another data home holds another person's decisions" 'XDG_DATA_HOME="$other" "$K" trust --workspace "$WS" --status --json | grep -q "\"trusted\":false"'
"$K" trust --workspace "$WS" --revoke >/dev/null

# 6. the personal and user stores are always trusted
mkdir -p "$T/mem"
cp "$WS/.kairos/memory/no-strcpy.md" "$T/mem/"
"$K" check --workspace "$WS" --memory-dir "$T/mem" --json >"$T/personal.json" 2>/dev/null
check "a personal memory offers its fix in an untrusted workspace" '[ "$(fixes no-strcpy <"$T/personal.json")" = "3 \"str_copy(\"" ]'
mkdir -p "$XDG_DATA_HOME/kairos/user"
sed 's/^name: no-strcpy/name: user-strcpy/' "$WS/.kairos/memory/no-strcpy.md" >"$XDG_DATA_HOME/kairos/user/user-strcpy.md"
"$K" check --workspace "$WS" --json >"$T/user.json" 2>/dev/null
check "a user memory offers its fix in an untrusted workspace" '[ "$(fixes user-strcpy <"$T/user.json")" = "3 \"str_copy(\"" ] && [ "$(fixes no-strcpy <"$T/user.json")" = "3 -" ]'
rm -rf "$XDG_DATA_HOME/kairos/user"

# 7. usage and failures
"$K" trust --workspace "$T/no/such" >/dev/null 2>"$T/err"; rc=$?
check "a workspace that does not exist: 1 and one line" '[ $rc = 1 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -q "does not exist" "$T/err" && [ ! -e "$T/no" ]'
"$K" trust "$WS" >/dev/null 2>&1
check "a positional argument: 2" '[ $? = 2 ]'
"$K" trust --revoke --status >/dev/null 2>&1
check "--revoke with --status: 2" '[ $? = 2 ]'
"$K" trust --bogus >/dev/null 2>&1
check "unknown option: 2" '[ $? = 2 ]'
check "listed in --help" '"$K" --help | grep -q "^  trust  *trust a workspace"'
check "its own --help shows its options" '"$K" trust --help | grep -q "kairos trust \[--workspace DIR\] \[--revoke\]"'

echo "$passed passed, $failed failed"
