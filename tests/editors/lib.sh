# Shared by the editor suites (tests/suites/7x-*.sh); POSIX sh, sourced.

# editor_env: a temp dir $tmp (removed at exit) holding the home and XDG
# directories, exported, so that no editor touches the real home.
editor_env() {
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT INT TERM
	mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/state" "$tmp/cache"
	HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config"
	XDG_STATE_HOME="$tmp/state" XDG_CACHE_HOME="$tmp/cache"
	export HOME XDG_DATA_HOME XDG_CONFIG_HOME XDG_STATE_HOME XDG_CACHE_HOME
}

# editor_fixture NAME: a git work tree $tmp/NAME copied from
# tests/data/editor-ws ($WS) and a personal store copied from
# tests/data/editor-personal ($PERSONAL), both without symlinks in their path.
editor_fixture() {
	rm -rf "$tmp/$1" "$tmp/$1-personal"
	cp -R "$ROOT/tests/data/editor-ws" "$tmp/$1"
	cp -R "$ROOT/tests/data/editor-personal" "$tmp/$1-personal"
	(cd "$tmp/$1" && git init -q . && git add -A && git -c user.name=t -c user.email=t@t commit -qm fixture) >/dev/null 2>&1
	WS=$(cd "$tmp/$1" && pwd -P); PERSONAL=$(cd "$tmp/$1-personal" && pwd -P)
	export WS PERSONAL
}

# editor_collect RESULT STATUS LOG WHAT: adds the "ok"/"FAIL" lines of an
# editor run's result file to $passed/$failed and shows the others; a run
# without a result file, or one that exited non-zero, is a failure.
editor_collect() {
	if [ ! -f "$1" ]; then
		echo "FAIL $4 ended (status $2) without results; its output:"
		tail -n 40 "$3"
		failed=$((failed + 1))
		return
	fi
	grep -v '^ok ' "$1"
	passed=$((passed + $(grep -c '^ok ' "$1")))
	failed=$((failed + $(grep -c '^FAIL ' "$1")))
	[ "$2" = 0 ] || { echo "FAIL $4 exited with status $2"; failed=$((failed + 1)); }
}

# editor_need CMD: the suite fails at once when CMD is not installed.
editor_need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "FAIL $1 is not installed (scripts/deps.sh test installs it)"
	echo "0 passed, 1 failed"; exit 1
}
