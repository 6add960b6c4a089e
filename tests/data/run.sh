#!/bin/sh
# make check-data: the opt-in suites on ../shared/data, tallied like make check.
cd "$(dirname "$0")/../.." || exit 1
out=$(bats --tap tests/data)
status=$?
echo "$out"
echo "$(echo "$out" | grep -c '^ok') passed, $(echo "$out" | grep -c '^not ok') failed"
exit $status
