#!/usr/bin/env bats
# The models behind --model and the events feed (pcs-forecast(1), Models;
# pcs-formats(5), events).  testdata/forecast/events-daily.csv is 1048 days
# of a daily series (weekly cycle, slow trend, noise) with a "sale" every 60
# days at 1.6 times the level; events.csv lists the sales (group shop), one
# more sale three days after the history ends, a "launch" for every group
# four days after with lift 2 (never seen before), and an event of group
# web two days after (not the shop's).

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

DAILY=testdata/forecast/events-daily.csv
EVENTS=testdata/forecast/events.csv

# means FILE [OPTION...]: the mean column of reg's forecast for days 1..5
means() {
	pcs-forecast --window 1100d --model reg --no-header -H 1d..5d -q 0.5 "$@" "$DAILY" |
		cut -d, -f6
}

@test "every --model kind forecasts every key and names itself in the model column" {
	local m
	for m in snaive ets mstl reg ensemble; do
		run --separate-stderr pcs-forecast --model "$m" --no-header testdata/metrics.csv
		assert_success
		[ "${#lines[@]}" -eq 12 ] || fail "--model $m: ${#lines[@]} rows"
		run awk -F, -v m="$m" '$11 != m { bad++ } END { print bad + 0 }' <<<"$output"
		assert_output 0
	done
}

@test "auto picks among snaive, ets, mstl, reg and the ensemble" {
	run --separate-stderr pcs-forecast --no-header testdata/metrics.csv
	assert_success
	run awk -F, '$11 !~ /^(naive|snaive|ets|mstl|reg|ensemble)$/ { print "bad model " $11 }' <<<"$output"
	assert_output ""
}

@test "-e: reg learns a recurring event from its past occurrences" {
	local -a without with
	mapfile -t without < <(means)
	mapfile -t with < <(means -e "$EVENTS")
	echo "# day 3 (a sale): ${without[2]} without the events, ${with[2]} with them" >&3
	# the sales run at 1.6 times the level
	awk -v a="${with[2]}" -v b="${without[2]}" 'BEGIN { exit !(a > 1.3 * b && a < 1.9 * b) }' ||
		fail "sale day: ${with[2]} with the events, ${without[2]} without"
}

@test "-e: lift multiplies the forecast for a name never seen; another group's event is ignored" {
	local -a without with
	mapfile -t without < <(means)
	mapfile -t with < <(means -e "$EVENTS")
	# day 4: the launch, lift 2, every group
	awk -v a="${with[3]}" -v b="${without[3]}" 'BEGIN { r = a / b; exit !(r > 1.9 && r < 2.1) }' ||
		fail "launch day: ${with[3]} with the events, ${without[3]} without"
	# day 2: web's event, not the shop's
	awk -v a="${with[1]}" -v b="${without[1]}" 'BEGIN { r = a / b; exit !(r > 0.95 && r < 1.05) }' ||
		fail "web's event day: ${with[1]} with the events, ${without[1]} without"
}

@test "-e: a bad events file names the file, line and column, status 1" {
	local d=$BATS_TEST_TMPDIR
	printf 'start,end,name\n2022-01-02,2022-01-01,sale\n' >"$d/ends-early.csv"
	run --separate-stderr pcs-forecast -e "$d/ends-early.csv" testdata/metrics.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $d/ends-early.csv:2: column 'end': the event does not end after it starts"
	printf 'start,end\n2022-01-01,2022-01-02\n' >"$d/no-name.csv"
	run --separate-stderr pcs-forecast -e "$d/no-name.csv" testdata/metrics.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $d/no-name.csv:1: missing column 'name'"
	printf 'start,end,name,lift\n2022-01-01,2022-01-02,sale,-1\n' >"$d/bad-lift.csv"
	run --separate-stderr pcs-forecast -e "$d/bad-lift.csv" testdata/metrics.csv
	assert_failure 1
	assert_output ""
	[[ $stderr == "pcs-forecast: $d/bad-lift.csv:2: column 'lift'"* ]] || fail "$stderr"
}

# assert_bad_events NAME: testdata/bad/NAME.csv (or .ndjson) as -e, by
# name and on standard input
assert_bad_events() {
	local input want_err want_status

	cd testdata/bad || return 1
	bad_case "$1"
	run --separate-stderr pcs-forecast -e "$input" ../metrics.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	run_stdin "$input" pcs-forecast -e - ../metrics.csv
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
}

@test "bad events: end before start" { assert_bad_events forecast-events-ends-early; }
@test "bad events: end at start" { assert_bad_events forecast-events-zero-length; }
@test "bad events: the second row, named by its line" { assert_bad_events forecast-events-second-row; }
@test "bad events: lift 0" { assert_bad_events forecast-events-lift-zero; }
@test "bad events: lift not a number" { assert_bad_events forecast-events-lift-text; }
@test "bad events: no name column" { assert_bad_events forecast-events-no-name; }
@test "bad events: empty name" { assert_bad_events forecast-events-empty-name; }
@test "bad events: a name over 255 bytes" { assert_bad_events forecast-events-long-name; }
@test "bad events: start not a timestamp" { assert_bad_events forecast-events-bad-start; }
@test "bad events: NDJSON cut short" { assert_bad_events forecast-events-ndjson-broken; }

@test "--transform boxcox: every model on Guerrero's Box-Cox scale; a bad name is a usage error" {
	run --separate-stderr pcs-forecast --transform boxcox --no-header testdata/metrics.csv
	assert_success
	[ "${#lines[@]}" -eq 12 ] || fail "${#lines[@]} rows"
	run --separate-stderr pcs-forecast --transform cube testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --transform: want none, log or boxcox: "cube"'
}

@test "pcs-retrain --transforms boxcox writes lambda in [0, 2], and pcs-forecast -m forecasts with it" {
	local d=$BATS_TEST_TMPDIR
	run --separate-stderr pcs-retrain --models ets --seasons auto --trends damped --transforms boxcox \
		--quantile-methods conformal testdata/metrics.csv
	assert_success
	printf '%s\n' "$output" >"$d/model.json"
	# four keys, each with its lambda (no jq on a bare machine: the JSON as text)
	run awk '{ while (match($0, /"lambda": *[-0-9.eE+]+/)) {
			v = substr($0, RSTART, RLENGTH); sub(/"lambda": */, "", v)
			if (v + 0 >= 0 && v + 0 <= 2) n++
			$0 = substr($0, RSTART + RLENGTH) } } END { print n + 0 }' "$d/model.json"
	assert_output 4
	run --separate-stderr pcs-forecast -m "$d/model.json" --strict testdata/metrics.csv
	assert_success
	[ "${#lines[@]}" -eq 13 ] || fail "${#lines[@]} lines"
}
