#!/bin/sh
# kairos check on the fixture workspace tests/data/check-ws: the recorded
# output (text and --json), named files, rejections that stick when the
# line moves, non-text files, the git index as the file list, usage.
set -u
passed=0; failed=0
ok() { passed=$((passed + 1)); }
ko() { echo "FAIL: $1" >&2; failed=$((failed + 1)); }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export XDG_DATA_HOME="$T/data" HOME="$T/home"
mkdir -p "$HOME"
EXP="$ROOT/tests/data/check-ws.expected"
fresh() { rm -rf "$T/ws" "$XDG_DATA_HOME"; cp -R "$ROOT/tests/data/check-ws" "$T/ws"; }
fresh
WS="$T/ws"

# 1. the recorded text output, exit 0, the broken memory reported once
"$KAIROS" check --workspace "$WS" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && cmp -s "$T/out" "$EXP.txt"; then ok; else ko "text output (rc $rc)"; diff "$EXP.txt" "$T/out" >&2; fi
if [ "$(grep -c 'broken-pattern' "$T/err")" = 1 ] && [ "$(wc -l <"$T/err")" = 1 ]; then ok; else ko "stderr: one line for the broken memory"; cat "$T/err" >&2; fi

# 2. the recorded --json output, and it parses
"$KAIROS" check --workspace "$WS" --json >"$T/out.json" 2>/dev/null
if cmp -s "$T/out.json" "$EXP.json"; then ok; else ko "json output"; diff "$EXP.json" "$T/out.json" >&2; fi
if node -e 'const a = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	if (!Array.isArray(a) || a.length !== 11) process.exit(1);
	for (const o of a) for (const k of ["file", "line", "column", "severity", "message", "memory"])
		if (!(k in o)) process.exit(1);' "$T/out.json" 2>/dev/null; then ok; else ko "json shape"; fi

# 3. named files, relative to the current directory inside the workspace
(cd "$WS" && "$KAIROS" check docs/notes.md src/util/str.c) >"$T/named" 2>/dev/null
grep -E '^(docs/notes.md|src/util/str.c):' "$EXP.txt" >"$T/named.exp"
if cmp -s "$T/named" "$T/named.exp"; then ok; else ko "named files"; diff "$T/named.exp" "$T/named" >&2; fi

# 4. a rejection (feedback state of the team store) sticks, even when
# the line moves and is re-indented
id=$(grep '"file":"src/util/str.c","line":3,"column":5,' "$T/out.json" | sed 's/.*"id":"\([0-9a-f]*\)".*/\1/')
slug="memory-$(printf '%s' "$(cd "$WS/.kairos/memory" && pwd -P)" | sha1sum | cut -c1-8)"
mkdir -p "$XDG_DATA_HOME/kairos/state/$slug"
printf '{"version":1,"rejected":{"%s":{"memory":"no-strcpy","ts":"2026-03-02T10:15:00Z"}},"counts":{"no-strcpy":{"accepted":0,"rejected":1}}}\n' "$id" \
	>"$XDG_DATA_HOME/kairos/state/$slug/feedback.json"
"$KAIROS" check --workspace "$WS" >"$T/out" 2>/dev/null
grep -v '^src/util/str.c:3:5: warning' "$EXP.txt" >"$T/rej.exp"
if [ -n "$id" ] && cmp -s "$T/out" "$T/rej.exp"; then ok; else ko "rejection applied"; diff "$T/rej.exp" "$T/out" >&2; fi
printf '/* moved */\n\nvoid copy(char *d, const char *s)\n{\n\tstrcpy(d,   s);   // TODO: bound it\n}\n' >"$WS/src/util/str.c"
"$KAIROS" check --workspace "$WS" src/util/str.c >"$T/out" 2>/dev/null
printf '%s\n' 'src/util/str.c:5:1: information: Indent with 4 spaces, not tabs [indent-spaces]' \
	'src/util/str.c:5:23: hint: Every TODO names its owner [todo-owner]' >"$T/moved.exp"
if cmp -s "$T/out" "$T/moved.exp"; then ok; else ko "rejection survives a moved, retyped line"; diff "$T/moved.exp" "$T/out" >&2; fi
printf 'void f(char *d)\n{\n    strcpy(d, "other");\n}\n' >"$WS/src/util/str.c"
if "$KAIROS" check --workspace "$WS" src/util/str.c 2>/dev/null | grep -q '^src/util/str.c:3:5: warning: strcpy'; then ok; else ko "another line is not suppressed"; fi

# 5. files that are not text are skipped
fresh
printf 'TODO: \000\001\002 gets(x)' >"$WS/src/blob.bin"
"$KAIROS" check --workspace "$WS" >"$T/out" 2>/dev/null
if cmp -s "$T/out" "$EXP.txt"; then ok; else ko "binary file skipped"; diff "$EXP.txt" "$T/out" >&2; fi

# 6. in a git work tree: the files of the index only (versions 2 and 4)
fresh
(cd "$WS" && git init -q . && git add src/main.c .kairos) >/dev/null 2>&1
"$KAIROS" check --workspace "$WS" >"$T/out" 2>/dev/null
grep '^src/main.c:' "$EXP.txt" >"$T/git.exp"
if cmp -s "$T/out" "$T/git.exp"; then ok; else ko "git index (v2)"; diff "$T/git.exp" "$T/out" >&2; fi
(cd "$WS" && git add src/util/str.c && git update-index --index-version 4) >/dev/null 2>&1
"$KAIROS" check --workspace "$WS" >"$T/out" 2>/dev/null
grep -E '^src/(main|util/str).c:' "$EXP.txt" >"$T/git.exp"
if cmp -s "$T/out" "$T/git.exp"; then ok; else ko "git index (v4)"; diff "$T/git.exp" "$T/out" >&2; fi

# 7. --memory-dir: that store alone
fresh
mkdir -p "$T/mem"
cp "$WS/.kairos/memory/todo-owner.md" "$T/mem/"
"$KAIROS" check --workspace "$WS" --memory-dir "$T/mem" >"$T/out" 2>/dev/null
grep 'todo-owner' "$EXP.txt" >"$T/md.exp"
if cmp -s "$T/out" "$T/md.exp"; then ok; else ko "--memory-dir"; diff "$T/md.exp" "$T/out" >&2; fi

# 8. usage and missing files
"$KAIROS" check --bogus >/dev/null 2>&1; rc=$?
if [ $rc = 2 ]; then ok; else ko "unknown option: exit $rc, want 2"; fi
"$KAIROS" check --workspace "$WS" no/such/file.c >/dev/null 2>"$T/err"; rc=$?
if [ $rc = 1 ] && grep -q 'no/such/file.c' "$T/err"; then ok; else ko "missing file: exit $rc, want 1"; fi
# nothing written into the workspace
if [ -z "$(cd "$WS" && find . -newer "$T/mem/todo-owner.md" -type f | grep -v '^./.git/')" ]; then ok; else ko "check wrote into the workspace"; fi

echo "$passed passed, $failed failed"
