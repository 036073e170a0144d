#!/bin/sh
# The command line as a person meets it: every command's --help explains
# every option; the man page is made from the same tables (doc/kairos.1
# must be `kairos __man`'s output: `make man` writes it); errors say which
# argument was wrong; listings fit long names; `kairos lsp` typed in a
# terminal says what it is waiting for.
set -u
passed=0; failed=0
ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
export HOME="$t/home" XDG_DATA_HOME="$t/data"
mkdir -p "$HOME"

# the man page is the tables' (and nobody edited it by hand)
"$KAIROS" __man >"$t/man" 2>"$t/err" || ko "__man failed: $(cat "$t/err")"
if cmp -s "$t/man" "$ROOT/doc/kairos.1"; then ok; else
	ko "doc/kairos.1 differs from kairos __man (run make man): $(diff "$ROOT/doc/kairos.1" "$t/man" | head -5)"
fi

# every listed command: --help exits 0, starts with its usage, and every
# option of its synopsis is explained in its help and in the man page
cmds=$("$KAIROS" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p')
[ -n "$cmds" ] && ok || ko "kairos --help lists no command"
for c in $(echo "$cmds" | tr ' ' '_'); do
	c=$(echo "$c" | tr '_' ' ')
	# shellcheck disable=SC2086
	if "$KAIROS" $c --help >"$t/h" 2>"$t/err" && head -1 "$t/h" | grep -q "^usage: kairos $c"; then ok; else
		ko "kairos $c --help: $(head -2 "$t/h" "$t/err")"
	fi
	for o in $(sed -n '1,/^$/p' "$t/h" | grep -o '\[--[a-z-]*' | tr -d '['); do
		if grep -q "^  $o" "$t/h"; then ok; else ko "kairos $c --help does not explain $o"; fi
		if grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$t/man"; then ok; else ko "the man page lacks $o of $c"; fi
	done
done

# errors name the argument that was wrong, and show the usage
"$KAIROS" memory list extra-arg >/dev/null 2>"$t/err"; rc=$?
if [ $rc = 2 ] && grep -q "unexpected argument 'extra-arg'" "$t/err" && grep -q '^usage: kairos memory' "$t/err"; then ok; else
	ko "memory list extra-arg: rc=$rc $(cat "$t/err")"
fi
"$KAIROS" memory show >/dev/null 2>"$t/err"; rc=$?
if [ $rc = 2 ] && grep -q "NAME of the memory is missing" "$t/err"; then ok; else ko "memory show without NAME: $(cat "$t/err")"; fi
"$KAIROS" dream --frobnicate >/dev/null 2>"$t/err"; rc=$?
if [ $rc = 2 ] && grep -q "unknown option '--frobnicate'" "$t/err"; then ok; else ko "unknown option: $(cat "$t/err")"; fi
"$KAIROS" check --workspace >/dev/null 2>"$t/err"; rc=$?
if [ $rc = 2 ] && grep -q "'--workspace' needs a value (DIR)" "$t/err"; then ok; else ko "missing value: $(cat "$t/err")"; fi

# a listing's columns fit the longest name
m="$t/m"
"$KAIROS" memory add --memory-dir "$m" --name short "A short one" >/dev/null 2>&1
"$KAIROS" memory add --memory-dir "$m" --name this-memory-has-a-name-much-longer-than-thirty-two "A long one" >/dev/null 2>&1
"$KAIROS" memory list --memory-dir "$m" >"$t/list" 2>/dev/null
c1=$(grep '^short ' "$t/list" | awk '{ print index($0, "project") }')
c2=$(grep '^this-memory' "$t/list" | awk '{ print index($0, "project") }')
if [ -n "$c1" ] && [ "$c1" = "$c2" ] && [ "$c1" -gt 34 ]; then ok; else ko "memory list columns: $(cat "$t/list")"; fi

# kairos lsp in a terminal says what it waits for (stderr); from a pipe, nothing
if command -v script >/dev/null 2>&1; then
	printf '\004' | timeout 10 script -q -c "$KAIROS lsp" /dev/null >"$t/tty" 2>&1
	if grep -q "waiting for an editor" "$t/tty"; then ok; else ko "no hint on a terminal: $(cat "$t/tty")"; fi
fi
"$KAIROS" lsp </dev/null >/dev/null 2>"$t/err"
if [ ! -s "$t/err" ]; then ok; else ko "kairos lsp from a pipe wrote to stderr: $(cat "$t/err")"; fi
echo "$passed passed, $failed failed"
