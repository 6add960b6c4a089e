#!/bin/sh
# Run every test suite (each prints TAP), show their output, and end with one
# line "N passed, M failed".  Exit status 1 if anything failed.
cd "$(dirname "$0")/.." || exit 1
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
status=0

run() {
	# $1: suite name, rest: command
	name=$1
	shift
	echo "# $name"
	if ! "$@" >"$log.out" 2>&1; then
		status=1
		# a suite that died without saying which test failed still counts
		grep -q '^not ok' "$log.out" || echo "not ok - $name exited with an error" >>"$log.out"
	fi
	cat "$log.out"
	cat "$log.out" >>"$log"
	rm -f "$log.out"
}

# VALGRIND=1: every test runs under memcheck, the unit tests directly and
# the bats suites through wrappers that PCS_BIN points at; an error or a
# definite or indirect leak makes the run exit 99, which fails the test.
VG="$(command -v valgrind 2>/dev/null || echo valgrind) -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect"
if [ "$VALGRIND" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 || { echo "tally: VALGRIND=1 needs valgrind" >&2; exit 1; }
	vgbin=$(mktemp -d) || exit 1
	trap 'rm -f "$log"; rm -rf "$vgbin"' EXIT
	for b in bin/pcs-*; do
		# valgrind's own temporary files go to a directory of their own
		printf '#!/bin/sh\nTMPDIR=%s exec %s "%s/%s" "$@"\n' "$vgbin" "$VG" "$(pwd)" "$b" \
			>"$vgbin/${b#bin/}"
		chmod +x "$vgbin/${b#bin/}"
	done
	PCS_BIN=$vgbin
	PCS_VALGRIND=1
	export PCS_BIN PCS_VALGRIND
fi

for t in tests/unit/test_*; do
	case $t in *.c) continue ;; esac
	[ -x "$t" ] || continue
	if [ "$VALGRIND" = 1 ]; then
		# shellcheck disable=SC2086 # VG is a command line
		run "$t (valgrind)" $VG "$t"
	else
		run "$t" "$t"
	fi
done
# Under valgrind the suites are slow: run the files on every CPU when GNU
# parallel is there (bats needs it for --jobs); the tests of a file stay in
# order, and the ones sensitive to load (SIGKILL loops, peak memory) skip.
jobs=""
if [ "$VALGRIND" = 1 ] && command -v parallel >/dev/null 2>&1; then
	jobs="--jobs $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2) --no-parallelize-within-files"
fi
# shellcheck disable=SC2086 # jobs is a list of options
run "bats" bats $jobs --tap tests
run "man lint" sh tests/man-lint.sh
run "man examples" bash tests/man-examples.sh
run "symbol prefix" sh tests/symbols.sh
run "cppcheck" sh tools/cppcheck.sh

passed=$(grep -c '^ok' "$log")
failed=$(grep -c '^not ok' "$log")
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
