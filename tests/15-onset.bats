#!/usr/bin/env bats
# The online detector and the forecast's reaction to an upward onset
# (pcs-forecast(1), "Anomaly score and onsets").  testdata/forecast/onset.csv
# is three days of a 5-minute daily cycle around 1000 rps (noise of sd 20)
# and then a surge: six slots, each 15% of the level above the one before,
# to about twice the level; onset-capacity.csv gives the POP 2400 rps.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

ONSET=testdata/forecast/onset.csv
CAP=testdata/forecast/onset-capacity.csv

# prefix K: the history up to the K-th slot of the surge (0: none of it)
prefix() {
	local n
	n=$(wc -l <"$ONSET")
	head -n $((n - 6 + $1)) "$ONSET" >"$BATS_TEST_TMPDIR/p$1.csv"
	echo "$BATS_TEST_TMPDIR/p$1.csv"
}

@test "golden: --score on the surge fixture" {
	assert_golden forecast-onset-score.csv
}

@test "the surge raises one alarm, up, within its first three slots, and nothing before" {
	run --separate-stderr pcs-forecast --score --no-header "$ONSET"
	assert_success
	# the alarms: slot index from the end (1 = last) and direction
	run awk -F, '{ line[NR] = $0 } END { for (i = 1; i <= NR; i++) { split(line[i], f, ",");
		if (f[7] == 1) print NR - i + 1, f[8] } }' <<<"$output"
	assert_output "4 up"
}

@test "an upward onset lifts every horizon by the same amount; --no-onset does not" {
	local p
	p=$(prefix 6)
	pcs-forecast --no-header -H 5m,15m,30m "$p" >"$BATS_TEST_TMPDIR/on"
	pcs-forecast --no-header --no-onset -H 5m,15m,30m "$p" >"$BATS_TEST_TMPDIR/off"
	run paste -d, "$BATS_TEST_TMPDIR/on" "$BATS_TEST_TMPDIR/off"
	# fields 6..10 are mean and quantiles; the second file's start at 19
	# (printed to 4 decimals: the outputs have 10 significant digits)
	run awk -F, '{ for (j = 0; j < 5; j++) printf "%.4f ", $(6 + j) - $(19 + j); print "" }' \
		<<<"$output"
	assert_success
	# one lift, the same for every column and horizon, and positive
	run awk '{ for (i = 1; i <= NF; i++) v[$i] = 1 } END { n = 0; for (k in v) { n++; x = k }
		print n, (x > 0 ? "positive" : "not positive") }' <<<"$output"
	assert_output "1 positive"
	# before the surge nothing is lifted
	p=$(prefix 0)
	pcs-forecast --no-header -H 5m,15m,30m "$p" >"$BATS_TEST_TMPDIR/on"
	pcs-forecast --no-header --no-onset -H 5m,15m,30m "$p" >"$BATS_TEST_TMPDIR/off"
	assert_file_equal "$BATS_TEST_TMPDIR/off" "$BATS_TEST_TMPDIR/on"
}

# first_high [OPTION]: the first surge slot at which pcs-risk puts the POP at
# high or critical, forecasting with OPTION
first_high() {
	local k p
	for k in 0 1 2 3 4 5 6; do
		p=$(prefix "$k")
		if pcs-forecast "$@" -H 5m,15m,30m "$p" | pcs-risk -c "$CAP" --no-header |
			awk -F, '$12 == "high" || $12 == "critical" { found = 1 } END { exit !found }'; then
			echo "$k"
			return
		fi
	done
	echo never
}

# max_of K COLUMN [OPTION]: the largest value of pcs-risk's COLUMN (5:
# demand_p50, 9: p_exceed) at surge slot K
max_of() {
	local k=$1 col=$2
	shift 2
	pcs-forecast "$@" -H 5m,15m,30m "$(prefix "$k")" | pcs-risk -c "$CAP" --no-header |
		awk -F, -v c="$col" '$c > m { m = $c } END { printf "%.12g\n", m }'
}

# above A B: A > B
above() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'
}

@test "pcs-risk reaches high no later with the onset lift, which raises the demand it sees from the onset on" {
	local on off k a b
	on=$(first_high)
	off=$(first_high --no-onset)
	echo "# high at surge slot $on with the lift, $off without" >&3
	[ "$on" != never ] || fail "never high with the lift"
	[ "$off" = never ] || [ "$on" -le "$off" ] || fail "with the lift at slot $on, without at $off"
	# the alarm is raised within the first three slots (the test above)
	for k in 3 4 5; do
		a=$(max_of "$k" 5)
		b=$(max_of "$k" 5 --no-onset)
		echo "# slot $k: demand_p50 $a with the lift, $b without" >&3
		above "$a" "$b" || fail "slot $k: demand_p50 $a with the lift, not above $b without"
	done
	a=$(max_of 5 9)
	b=$(max_of 5 9 --no-onset)
	echo "# slot 5: p_exceed $a with the lift, $b without" >&3
	above "$a" "$b" || fail "slot 5: p_exceed $a with the lift, not above $b without"
}

@test "--no-onset leaves --score alone" {
	run --separate-stderr pcs-forecast --score --no-onset "$ONSET"
	assert_success
	assert_equal "$output" "$(cat testdata/golden/forecast-onset-score.csv)"
}
