#!/usr/bin/env bats
# The events file of bench/events.sh, testdata/events/peyton-manning.csv (the
# playoff and Super Bowl dates of Prophet's Peyton Manning example; see
# testdata/events/README.md), read by pcs-forecast -e with --model reg.
# testdata/events/peyton-manning-3y.csv is the first three years of the
# series (2007-12-10 to 2010-12-09, log page views as rps), whose history
# holds five playoff games and one Super Bowl; the next playoff game,
# 2011-01-08, falls 30 days after its last day.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

EVENTS=testdata/events/peyton-manning.csv
SERIES=testdata/events/peyton-manning-3y.csv
ARGS=(--model reg --step 1d --window 520w -H 1d..31d)

@test "pcs-forecast -e reads the Peyton Manning events and raises the playoff days" {
	run --separate-stderr pcs-forecast "${ARGS[@]}" "$SERIES"
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/plain.csv"

	run --separate-stderr pcs-forecast -e "$EVENTS" "${ARGS[@]}" "$SERIES"
	assert_success
	assert_equal "$stderr" ""
	echo "$output" >"$BATS_TEST_TMPDIR/events.csv"
	# a header and one row a day for 31 days, issued at the last day, all
	# for the one group, every mean a number
	assert_equal "${#lines[@]}" 32
	run awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["issued"] != "2010-12-09T00:00:00Z" || $c["group"] != "peyton-manning" ||
		$c["horizon_s"] != (NR - 1) * 86400 || $c["mean"] !~ /^[0-9.]+$/ { print "bad row " NR ": " $0 }
	' "$BATS_TEST_TMPDIR/events.csv"
	assert_output ""
	# the playoff game (2011-01-08) and the day after are forecast higher
	# with the events than without
	run awk -F, '
		FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["target"] ~ /^2011-01-0[89]T/ { m[FILENAME == ARGV[1], $c["target"]] = $c["mean"]; t[$c["target"]] = 1 }
		END { for (d in t) print d, (m[0, d] > m[1, d]) ? "higher" : "not higher" }
	' "$BATS_TEST_TMPDIR/plain.csv" "$BATS_TEST_TMPDIR/events.csv"
	assert_success
	assert_line "2011-01-08T00:00:00Z higher"
	assert_line "2011-01-09T00:00:00Z higher"
	assert_equal "${#lines[@]}" 2
}
