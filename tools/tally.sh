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

for t in tests/unit/test_*; do
	case $t in *.c) continue ;; esac
	[ -x "$t" ] || continue
	if [ "$VALGRIND" = 1 ]; then
		run "$t (valgrind)" valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite,indirect "$t"
	else
		run "$t" "$t"
	fi
done
run "bats" bats --tap tests
run "man lint" sh tests/man-lint.sh
run "man examples" bash tests/man-examples.sh
run "symbol prefix" sh tests/symbols.sh

passed=$(grep -c '^ok' "$log")
failed=$(grep -c '^not ok' "$log")
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
