# shellcheck shell=bash disable=SC2154  # status, output, stderr... are set by bats
# Shared setup for the bats suites: load bats-support and bats-assert, find
# the binaries and the test data.  Load it at the top of a .bats file with
# `load test_helper`.
#
# PCS_BIN names the directory holding the pcs-* binaries; it defaults to the
# bin/ of this checkout, and can point at an installed copy instead:
#
#	PCS_BIN=/usr/local/bin bats tests
#
# The tests run from the root of the checkout, so they name their inputs
# testdata/...; TESTDATA is the same directory as an absolute path.

bats_require_minimum_version 1.5.0

PCS_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
TESTDATA=$PCS_ROOT/testdata
PCS_BIN=${PCS_BIN:-$PCS_ROOT/bin}
PATH=$PCS_BIN:$PATH
# messages from strerror(3) and the order of sort(1) are part of what we check
LC_ALL=C
export PCS_ROOT TESTDATA PCS_BIN PATH LC_ALL

_pcs_load_lib() {
	local dir

	for dir in /usr/lib/bats ${BATS_LIB_PATH//:/ }; do
		if [ -f "$dir/$1/load.bash" ]; then
			load "$dir/$1/load.bash"
			return
		fi
	done
	echo "test_helper: cannot find $1 in /usr/lib/bats or BATS_LIB_PATH" >&2
	return 1
}
_pcs_load_lib bats-support
_pcs_load_lib bats-assert

# sanitized_build: whether bin/ was built with SANITIZE=1 (the flags of the
# last build are in .build-flags)
sanitized_build() {
	grep -q fsanitize "$PCS_ROOT/.build-flags" 2>/dev/null
}

# Every test starts at the root of the checkout.
setup() {
	cd "$PCS_ROOT" || return 1
}

# run_stdin FILE COMMAND [ARG ...]
# Like `run --separate-stderr COMMAND ...`, with standard input read from
# FILE: sets $status, $output, $lines, $stderr and $stderr_lines.
run_stdin() {
	local file=$1

	shift
	run --separate-stderr "$@" <"$file"
}

# assert_file_equal EXPECTED ACTUAL
# Fail with a unified diff unless the two files are byte for byte the same.
assert_file_equal() {
	local diff

	if ! diff=$(diff -u -- "$1" "$2"); then
		{
			echo "files differ: $1 $2"
			printf '%s\n' "$diff" | head -n 40
		} | fail
	fi
}

# assert_usage_error MESSAGE [PROGRAM]
# After `run --separate-stderr`, check the shape of a usage error: status 2,
# nothing on standard output, and exactly MESSAGE, a usage line and the
# help hint on standard error.
assert_usage_error() {
	local prog=${2:-pcs-forecast}

	assert_equal "$status" 2
	assert_equal "$output" ""
	[ "${#stderr_lines[@]}" -eq 3 ] ||
		fail "want 3 lines on standard error, got ${#stderr_lines[@]}:"$'\n'"$stderr"
	assert_equal "${stderr_lines[0]}" "$1"
	assert_regex "${stderr_lines[1]}" "^usage: $prog "
	assert_equal "${stderr_lines[2]}" "try '$prog --help'"
}

# assert_golden NAME
# Run the command listed for NAME in testdata/golden/commands and compare its
# output with testdata/golden/NAME; it must exit 0 and say nothing on stderr.
assert_golden() {
	local name=$1 cmd rc=0

	cmd=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ +/, ""); print }' \
		testdata/golden/commands)
	[ -n "$cmd" ] || fail "no command for $name in testdata/golden/commands"
	[ -f "testdata/golden/$name" ] || fail "missing golden testdata/golden/$name (make goldens)"
	set -f
	# shellcheck disable=SC2086
	$cmd >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	set +f
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
	assert_equal "$rc" 0
	assert_file_equal "testdata/golden/$name" "$BATS_TEST_TMPDIR/out"
}

# bad_case NAME: sets input (NAME.csv or NAME.ndjson), want_err, want_status
# and args (NAME.args split on blanks, or the default given) for a case in
# testdata/bad, where the caller has already cd'ed.
# shellcheck disable=SC2034 # input, want_err, want_status and args are for the caller
bad_case() {
	local f

	input=''
	for f in "$1".*; do
		case $f in *.err | *.status | *.args) ;; *) input=$f ;; esac
	done
	[ -f "$input" ] || fail "no input testdata/bad/$1.*"
	want_err=$(cat "$1.err")
	want_status=$(cat "$1.status")
	args=()
	if [ -f "$1.args" ]; then
		read -ra args <"$1.args"
	else
		read -ra args <<<"$2"
	fi
}

# assert_bad_state_file NAME TOOL [ARG ...]
# testdata/bad/NAME.json copied as TOOL's --state, TOOL run with ARGs:
# exactly NAME.err (which names the file as NAME.json), the status in
# NAME.status, nothing on stdout, and the state file left as it was.
assert_bad_state_file() {
	local name=$1 input want_err want_status args

	shift
	cd "$TESTDATA/bad" || return 1
	bad_case "$name"
	cp "$input" "$BATS_TEST_TMPDIR/"
	cd "$BATS_TEST_TMPDIR" || return 1
	run --separate-stderr "$1" --state "$input" "${@:2}"
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	cmp -s "$input" "$TESTDATA/bad/$input" || fail "the bad state file was changed"
}

# hold_lock FILE SECONDS
# Hold an exclusive flock(1) on FILE for SECONDS in the background; returns
# once it is held, with the pid of the holder (a sleep(1) that has the
# locked descriptor, so that killing it frees the lock) in $lock_pid.
hold_lock() {
	rm -f "$BATS_TEST_TMPDIR/held"
	(
		exec 9>>"$1"
		flock 9
		touch "$BATS_TEST_TMPDIR/held"
		exec sleep "$2"
	) 3>&- &
	lock_pid=$!
	for _ in $(seq 100); do
		[ -e "$BATS_TEST_TMPDIR/held" ] && return 0
		sleep 0.02
	done
	fail "flock did not take $1"
}

# assert_goldens_checked PREFIX
# Every golden named PREFIX* in testdata/golden/commands exists and is
# checked by the calling suite, and every PREFIX* golden file is listed.
assert_goldens_checked() {
	local prefix=$1 name

	while read -r name _; do
		case $name in "$prefix"*) ;; *) continue ;; esac
		[ -f "testdata/golden/$name" ] || fail "testdata/golden/$name missing (make goldens)"
		grep -q "assert_golden $name\$" "$BATS_TEST_FILENAME" ||
			fail "no test checks testdata/golden/$name"
	done <testdata/golden/commands
	for name in testdata/golden/"$prefix"*; do
		name=${name##*/}
		grep -q "^$name " testdata/golden/commands ||
			fail "testdata/golden/$name is not listed in testdata/golden/commands"
	done
}
