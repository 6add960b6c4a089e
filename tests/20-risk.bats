#!/usr/bin/env bats
# pcs-risk against its contract (lib/pcs_risk.h, lib/pcs_qdist.h, --help):
# goldens, numbers checked by hand on small fixtures in testdata/risk/, how
# demand reaches the POPs, derating, levels, every mismatch between the
# forecast and the capacity snapshot, bad input and usage errors.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

setup_file() {
	[ -x "$PCS_BIN/pcs-risk" ] || {
		echo "no executable pcs-risk in PCS_BIN=$PCS_BIN (run make)" >&2
		return 1
	}
}

HEADER=group,pop,horizon_s,target,demand_p50,demand_p99,capacity_rps,headroom_rps,p_exceed,expected_shortfall_rps,risk,level

# --- helpers -------------------------------------------------------------

# assert_bad_forecast NAME
# testdata/bad/NAME.csv (or .ndjson) as the forecast stream, with the
# capacity snapshot ../risk/cap-one.csv unless NAME.args gives the options:
# exactly NAME.err on stderr and the status in NAME.status, read as a file
# operand and again from standard input (named <stdin>).
assert_bad_forecast() {
	local input want_err want_status args

	cd testdata/bad || return 1
	bad_case "$1" "-c ../risk/cap-one.csv"
	run --separate-stderr pcs-risk "${args[@]}" "$input"
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	run_stdin "$input" pcs-risk "${args[@]}"
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
}

# assert_bad_capacity NAME
# testdata/bad/NAME.csv (or .ndjson) as the capacity snapshot for the
# forecast ../risk/one.csv: exactly NAME.err on stderr, the status in
# NAME.status and nothing on stdout, given as -c FILE and again as -c - on
# standard input (named <stdin>).
assert_bad_capacity() {
	local input want_err want_status args

	cd testdata/bad || return 1
	bad_case "$1" ""
	run --separate-stderr pcs-risk "${args[@]}" -c "$input" ../risk/one.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	run_stdin "$input" pcs-risk "${args[@]}" -c - ../risk/one.csv
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
}

# risk FORECAST CAPACITY [OPTION ...]
# pcs-risk --no-header on testdata/risk/FORECAST with -c testdata/risk/CAPACITY.
risk() {
	local fc=$1 cap=$2

	shift 2
	run --separate-stderr pcs-risk --no-header "$@" -c "testdata/risk/$cap" "testdata/risk/$fc"
}

# --- goldens (tests/make-goldens.sh regenerates them) ----------------------

@test "golden: the forecast golden of testdata/metrics.csv against testdata/capacity.csv" {
	assert_golden risk-default.csv
}

@test "golden: -o ndjson" {
	assert_golden risk-ndjson.ndjson
}

@test "golden: --no-derate (with --util-limit 0.8, which it overrides)" {
	assert_golden risk-no-derate.csv
}

@test "golden: --util-limit 0.8" {
	assert_golden risk-util-limit.csv
}

@test "golden: --cuts 0.0000002,0.0001,0.01 (every level occurs)" {
	assert_golden risk-cuts.csv
}

@test "golden: --epoch on a forecast with p2.5,p50,p97.5 and epoch times" {
	assert_golden risk-interval-epoch.csv
}

@test "goldens: every risk-* golden listed is checked here" {
	assert_goldens_checked risk-
}

@test "pipeline: pcs-forecast | pcs-risk gives the default golden" {
	run bash -c 'set -o pipefail; pcs-forecast testdata/metrics.csv | pcs-risk -c testdata/capacity.csv'
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal testdata/golden/risk-default.csv "$BATS_TEST_TMPDIR/got"
}

@test "golden: the capacity snapshot derates nothing at --util-limit 1, so --no-derate changes nothing" {
	cmp -s testdata/golden/risk-default.csv testdata/golden/risk-no-derate.csv ||
		fail "risk-no-derate.csv differs from risk-default.csv"
	run --separate-stderr pcs-risk --no-derate -c testdata/capacity.csv testdata/golden/forecast-default.csv
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal testdata/golden/risk-default.csv "$BATS_TEST_TMPDIR/got"
}

# --- the output contract ---------------------------------------------------

@test "header: the risk columns, in order" {
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_success
	assert_equal "${lines[0]}" "$HEADER"
	assert_equal "${#lines[@]}" 2
}

@test "-o ndjson: numbers as JSON numbers, group, pop, target and level as strings" {
	risk one.csv cap-one.csv -o ndjson
	assert_success
	assert_output '{"group":"g","pop":"a","horizon_s":300,"target":"2026-11-21T00:05:00Z","demand_p50":100,"demand_p99":197.2270623,"capacity_rps":120,"headroom_rps":20,"p_exceed":0.3,"expected_shortfall_rps":6.485339738,"risk":0.3,"level":"high"}'
}

@test "--epoch: target in Unix seconds" {
	risk one.csv cap-one.csv --epoch
	assert_success
	assert_output "g,a,300,1795219500,100,197.2270623,120,20,0.3,6.485339738,0.3,high"
}

@test "rows sorted by group, then pop, then horizon, whatever the order of the capacity file" {
	printf 'pop,group,capacity_rps,load_rps\nz,g,100,1\nb,h,100,1\na,g,100,1\nm,g,100,1\n' \
		>"$BATS_TEST_TMPDIR/cap.csv"
	printf '%s\n' 'group,horizon_s,target,p50,p90' \
		'g,900,2026-11-21T00:15:00Z,1,2' 'g,300,2026-11-21T00:05:00Z,1,2' \
		'h,300,2026-11-21T00:05:00Z,1,2' >"$BATS_TEST_TMPDIR/f.csv"
	run sh -c "pcs-risk --no-header -c '$BATS_TEST_TMPDIR/cap.csv' '$BATS_TEST_TMPDIR/f.csv' | cut -d, -f1-3"
	assert_success
	assert_output "$(printf '%s\n' g,a,300 g,a,900 g,m,300 g,m,900 g,z,300 g,z,900 h,b,300)"
}

# --- numbers by hand: linear CDF between quantiles, exponential tails --------
#
# One POP, no load, so it takes the whole demand.  With p50 = 100 and
# p90 = 140 the upper tail passes through both: P(D > x) = 0.1 exp(-(x-140)/s)
# for x >= 140, s = (140-100)/ln(0.5/0.1) = 40/ln 5 = 24.85339738; the lower
# tail P(D <= x) = 0.5 exp(-(100-x)/s_lo) for x < 100, s_lo = 40/ln(0.9/0.5).
# demand_p99 = 140 + s ln(0.1/0.01) = 197.2270623.

@test "hand: capacity between p50 and p90: p_exceed 0.3, shortfall 6.485339738" {
	# F(120) = 0.5 + 0.4 (120-100)/(140-100) = 0.7
	# E[(D-120)+] = 20 (0.3+0.1)/2 + 0.1 s = 4 + 2.485339738
	risk tails.csv cap-tails.csv
	assert_success
	assert_line --index 0 "lin,a,300,2026-11-21T00:05:00Z,100,197.2270623,120,20,0.3,6.485339738,0.3,high"
}

@test "hand: capacity beyond p90: p_exceed (1-0.9) exp(-(c-140)/s)" {
	# c = 160: 0.1 exp(-20 ln5/40) = 0.1/sqrt(5); E[(D-160)+] = 0.1 s exp(-20/s)
	risk tails.csv cap-tails.csv
	assert_success
	assert_line --index 2 "up,a,300,2026-11-21T00:05:00Z,100,197.2270623,160,60,0.04472135955,1.11147772,0.04472135955,low"
}

@test "hand: capacity below p50: the lower exponential tail" {
	# c = 50: 1 - 0.5 exp(-50/s_lo) = 1 - 0.5 x 1.8^-1.25 = 0.7601833274
	# E[(D-50)+] = 50 - 0.5 s_lo (1 - 1.8^-1.25) + 12 + 0.1 s = 46.77936967
	risk tails.csv cap-tails.csv
	assert_success
	assert_line --index 1 "low,a,300,2026-11-21T00:05:00Z,100,197.2270623,50,-50,0.7601833274,46.77936967,0.7601833274,critical"
	assert_equal "${#lines[@]}" 3
}

@test "hand: the floor at 0: capacity 0 is exceeded unless demand sits at the floor" {
	# P(D > 0) = 1 - 0.5 exp(-100/s_lo) = 1 - 0.5 x 1.8^-2.5; E[D] = 100 - 0.5 s_lo
	# (1 - 1.8^-2.5) + 12 + 0.1 s = 88.28699601
	risk one.csv cap-zero.csv
	assert_success
	assert_output "g,a,300,2026-11-21T00:05:00Z,100,197.2270623,0,-100,0.8849759271,88.28699601,0.8849759271,critical"
	assert_equal "$stderr" "pcs-risk: testdata/risk/cap-zero.csv:2: pop 'a' group 'g' has capacity_rps 0"
}

@test "hand: four quantiles: each tail through the two outermost quantiles on its side" {
	# p50,p90,p95,p99 = 100,140,150,170.  Upper: s_hi = (170-150)/ln(0.05/0.01)
	# = 20/ln 5, so c = 180 gives 0.01 exp(-10/s_hi) = 0.01/sqrt(5); lower
	# through p50,p90: c = 60 gives 1 - 0.5 exp(-ln 1.8) = 1 - 0.5/1.8.
	# c = 145 is inside: 1 - (0.9 + 0.05 x 5/10) = 0.075, and
	# E[(D-145)+] = 5 (0.075+0.05)/2 + 20 (0.05+0.01)/2 + 0.01 s_hi = 1.036766987
	risk four.csv cap-four.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'bot,a,300,2026-11-21T00:05:00Z,100,170,60,-40,0.7222222222,38.35162229,0.7222222222,critical' \
		'mid,a,300,2026-11-21T00:05:00Z,100,170,145,45,0.075,1.036766987,0.075,elevated' \
		'top,a,300,2026-11-21T00:05:00Z,100,170,180,80,0.004472135955,0.05557388602,0.004472135955,low')"
}

@test "hand: capacity exactly at a quantile: p_exceed is one less its level" {
	# p25,p50,p75 = 80,100,120: c = 80, 100, 120 give 0.75, 0.5, 0.25;
	# c = 121 is in the upper tail, s = 20/ln 2: 0.25 x 2^(-1/20)
	risk levels.csv cap-levels.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'c24,a,300,2026-11-21T00:05:00Z,100,212.8771238,121,21,0.2414840822,6.967757758,0.2414840822,high' \
		'c25,a,300,2026-11-21T00:05:00Z,100,212.8771238,120,20,0.25,7.213475204,0.25,high' \
		'c50,a,300,2026-11-21T00:05:00Z,100,212.8771238,100,0,0.5,14.7134752,0.5,critical' \
		'c75,a,300,2026-11-21T00:05:00Z,100,212.8771238,80,-20,0.75,27.2134752,0.75,critical')"
}

@test "hand: p50 in the lower tail when the forecast has no p50 column, cut at the floor" {
	# p90,p99 = 100,110: s_lo = 10/ln(0.99/0.9); p50 = 100 + s_lo ln(0.5/0.9)
	# p90,p99 = 100,200: the same point lies below 0, so the floor: p50 = 0
	printf '%s\n' 'group,horizon_s,target,p90,p99' 'g,300,2026-11-21T00:05:00Z,100,110' \
		'h,300,2026-11-21T00:05:00Z,100,200' >"$BATS_TEST_TMPDIR/f.csv"
	printf 'pop,group,capacity_rps,load_rps\na,g,1000,0\na,h,1000,0\n' >"$BATS_TEST_TMPDIR/cap.csv"
	run sh -c "pcs-risk --no-header -c '$BATS_TEST_TMPDIR/cap.csv' '$BATS_TEST_TMPDIR/f.csv' | cut -d, -f1,5,6,8"
	assert_success
	assert_output "$(printf '%s\n' g,38.32907816,110,961.6709218 h,0,200,1000)"
}

# --- which demand reaches which POP ----------------------------------------

@test "regions: a region's demand goes to its POPs, split by load share" {
	# eu (p50 100, p90 140) to a and b by load 300:100, so 0.75 and 0.25:
	# a: 75..105 against 90 -> 0.3; b: 25..35 against 25 -> 0.5.
	# us (80, 120) whole to c: against 120 -> 0.1.
	risk regions.csv cap-regions.csv
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,75,147.9202967,90,15,0.3,4.864004804,0.3,high' \
		'g,b,300,2026-11-21T00:05:00Z,25,49.30676558,25,0,0.5,3.621334935,0.5,critical' \
		'g,c,300,2026-11-21T00:05:00Z,80,177.2270623,120,40,0.1,2.485339738,0.1,elevated')"
}

@test "no regions in the capacity: the group's demand split by load share" {
	risk total.csv cap-noregion.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,75,147.9202967,90,15,0.3,4.864004804,0.3,high' \
		'g,b,300,2026-11-21T00:05:00Z,25,49.30676558,25,0,0.5,3.621334935,0.5,critical')"
}

@test "a group-wide forecast (region '*') against regional capacity: split over all POPs by load" {
	# loads 300:100:50 -> 2/3, 2/9, 1/9 of (100, 140)
	risk total.csv cap-regions.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,66.66666667,131.4847082,90,23.33333333,0.15,2.073559825,0.15,elevated' \
		'g,b,300,2026-11-21T00:05:00Z,22.22222222,43.82823607,25,2.777777778,0.375,2.003686608,0.375,high' \
		'g,c,300,2026-11-21T00:05:00Z,11.11111111,21.91411804,120,108.8888889,3.751499545e-18,1.035972322e-17,3.751499545e-18,low')"
}

@test "no load anywhere: shares by capacity" {
	# capacities 300:100 -> 0.75 and 0.25 of (100, 140): 75..105 and 25..35
	risk total.csv cap-noload.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,75,147.9202967,300,225,2.862167011e-06,5.335093058e-05,2.862167011e-06,low' \
		'g,b,300,2026-11-21T00:05:00Z,25,49.30676558,100,75,2.862167011e-06,1.778364353e-05,2.862167011e-06,low')"
}

@test "no load and no capacity anywhere: equal shares, and a warning for each zero capacity" {
	risk total.csv cap-nothing.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,50,98.61353116,0,-50,0.8849759271,44.14349801,0.8849759271,critical' \
		'g,b,300,2026-11-21T00:05:00Z,50,98.61353116,0,-50,0.8849759271,44.14349801,0.8849759271,critical')"
	assert_equal "$stderr" "$(printf '%s\n' \
		"pcs-risk: testdata/risk/cap-nothing.csv:2: pop 'a' group 'g' has capacity_rps 0" \
		"pcs-risk: testdata/risk/cap-nothing.csv:3: pop 'b' group 'g' has capacity_rps 0")"
}

@test "regional forecast, capacity without regions: quantiles summed level by level" {
	# eu (100, 140) + us (80, 120) = (180, 260); against 220: 1 - 0.7
	risk regions.csv cap-sum.csv
	assert_success
	assert_output "g,a,300,2026-11-21T00:05:00Z,180,374.4541246,220,40,0.3,12.97067948,0.3,high"
}

@test "regional forecast, capacity without regions, two POPs: the sum split by load" {
	# (180, 260) x 0.75 = (135, 195) against 90; x 0.25 = (45, 65) against 25
	risk regions.csv cap-noregion.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,135,280.8405935,90,-45,0.6782521708,48.53241096,0.6782521708,critical' \
		'g,b,300,2026-11-21T00:05:00Z,45,93.61353116,25,-20,0.7222222222,19.68134752,0.7222222222,critical')"
}

@test "regional rows and a whole-group row add up, level by level, at each POP" {
	# '*' (45, 90) goes to all three POPs by load 300:100:50, eu to a and b by
	# 300:100, us to c:  a: (75, 105) + 2/3 (45, 90) = (105, 165), 90 in the
	# lower tail: 1 - 0.5 exp(-15 ln 1.8/60);  b: (25, 35) + (10, 20) = (35, 55),
	# 1 - 0.5 x 1.8^-0.5;  c: (80, 120) + (5, 10) = (85, 130), 1 - (0.5 + 0.4 x 35/45)
	risk mixed.csv cap-regions.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,105,250.8405935,90,-15,0.5683299893,29.75303109,0.5683299893,critical' \
		'g,b,300,2026-11-21T00:05:00Z,35,83.61353116,25,-10,0.6273220038,12.91041766,0.6273220038,critical' \
		'g,c,300,2026-11-21T00:05:00Z,85,194.3804451,120,35,0.1888888889,4.24045165,0.1888888889,elevated')"
}

@test "a POP no forecast row reaches: zero demand, p_exceed 0, its whole capacity as headroom" {
	risk regions.csv cap-unreached.csv
	assert_success
	assert_line --index 3 'g,d,300,2026-11-21T00:05:00Z,0,0,70,70,0,0,0,low'
	assert_line --index 0 'g,a,300,2026-11-21T00:05:00Z,75,147.9202967,90,15,0.3,4.864004804,0.3,high'
}

@test "-i ndjson applies to the forecast only: the capacity's format is always detected" {
	printf '%s\n' '{"group":"g","horizon_s":300,"target":"2026-11-21T00:05:00Z","p50":100,"p90":140}' \
		>"$BATS_TEST_TMPDIR/f.ndjson"
	run --separate-stderr pcs-risk -i ndjson --no-header -c testdata/risk/cap-one.csv "$BATS_TEST_TMPDIR/f.ndjson"
	assert_success
	assert_output "g,a,300,2026-11-21T00:05:00Z,100,197.2270623,120,20,0.3,6.485339738,0.3,high"
}

@test "an empty region field in the forecast is the group as a whole ('*')" {
	printf '%s\n' 'group,region,horizon_s,target,p50,p90' 'g,,300,2026-11-21T00:05:00Z,100,140' \
		>"$BATS_TEST_TMPDIR/f.csv"
	run --separate-stderr pcs-risk --no-header -c testdata/risk/cap-noregion.csv "$BATS_TEST_TMPDIR/f.csv"
	assert_success
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,75,147.9202967,90,15,0.3,4.864004804,0.3,high' \
		'g,b,300,2026-11-21T00:05:00Z,25,49.30676558,25,0,0.5,3.621334935,0.5,critical')"
}

# --- derating ---------------------------------------------------------------

@test "derating: u = max(cpu, mem, bw) = 0.9 at load 450 gives 450/0.9 = 500 of capacity 1000" {
	# g1: mem 0.9 is the largest -> 500, and (400, 600) against 500 -> 0.3
	# g2: cpu 0.2 -> 2250, more than capacity_rps: 1000 -> 0.1/25 = 0.004
	# g3: no load, nothing to scale from: 1000
	risk derate.csv cap-derate.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'g1,a,300,2026-11-21T00:05:00Z,400,886.1353116,500,100,0.3,32.42669869,0.3,high' \
		'g2,a,300,2026-11-21T00:05:00Z,400,886.1353116,1000,600,0.004,0.4970679476,0.004,low' \
		'g3,a,300,2026-11-21T00:05:00Z,400,886.1353116,1000,600,0.004,0.4970679476,0.004,low')"
}

@test "derating: --util-limit 0.8 gives 450 x 0.8/0.9 = 400" {
	risk derate.csv cap-derate.csv --util-limit 0.8
	assert_success
	assert_output "$(printf '%s\n' \
		'g1,a,300,2026-11-21T00:05:00Z,400,886.1353116,400,0,0.5,72.42669869,0.5,critical' \
		'g2,a,300,2026-11-21T00:05:00Z,400,886.1353116,1000,600,0.004,0.4970679476,0.004,low' \
		'g3,a,300,2026-11-21T00:05:00Z,400,886.1353116,1000,600,0.004,0.4970679476,0.004,low')"
}

@test "derating: --no-derate keeps capacity_rps as given" {
	risk derate.csv cap-derate.csv --no-derate
	assert_success
	run sh -c 'pcs-risk --no-header --no-derate -c testdata/risk/cap-derate.csv testdata/risk/derate.csv | cut -d, -f1,7,9'
	assert_output "$(printf '%s\n' g1,1000,0.004 g2,1000,0.004 g3,1000,0.004)"
}

@test "derating changes the shares when there is no load (capacity share uses the derated capacity)" {
	# a: 100 at cpu 0.5 with no load is not derated (nothing to scale from);
	# shares by capacity 100:300
	printf 'pop,group,capacity_rps,load_rps,cpu\na,g,100,0,0.5\nb,g,300,0,\n' >"$BATS_TEST_TMPDIR/cap.csv"
	run sh -c "pcs-risk --no-header -c '$BATS_TEST_TMPDIR/cap.csv' testdata/risk/total.csv | cut -d, -f2,5,7"
	assert_success
	assert_output "$(printf '%s\n' a,25,100 b,75,300)"
}

# --- risk and level ----------------------------------------------------------

@test "risk is the largest p_exceed over the horizons, on every row of the POP" {
	# 300: (100, 140) -> 0.3; 900: (110, 150) -> 0.4; 1800: (60, 100) -> 0.1/sqrt(5)
	risk horizons.csv cap-one.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'g,a,300,2026-11-21T00:05:00Z,100,197.2270623,120,20,0.3,6.485339738,0.4,high' \
		'g,a,900,2026-11-21T00:15:00Z,110,207.2270623,120,10,0.4,9.985339738,0.4,high' \
		'g,a,1800,2026-11-21T00:30:00Z,60,157.2270623,120,60,0.04472135955,1.11147772,0.4,high')"
}

@test "levels at the cut points: a risk equal to a cut takes the higher level" {
	run sh -c 'pcs-risk --no-header --cuts 0.25,0.5,0.75 -c testdata/risk/cap-levels.csv testdata/risk/levels.csv | cut -d, -f1,11,12'
	assert_success
	assert_output "$(printf '%s\n' c24,0.2414840822,low c25,0.25,elevated c50,0.5,high c75,0.75,critical)"
}

@test "levels with the default cuts 0.05,0.2,0.5" {
	printf 'pop,group,capacity_rps,load_rps\n' >"$BATS_TEST_TMPDIR/cap.csv"
	printf 'group,horizon_s,target,p50,p95\n' >"$BATS_TEST_TMPDIR/f.csv"
	# p50,p95 = 100,200: capacity c at 0.5 + 0.45 (c-100)/100 gives p_exceed
	# 0.5 - 0.45 (c-100)/100: c = 100 -> 0.5, 140 -> 0.32, 200 -> 0.05 (the
	# top quantile), 210 -> 0.05 exp(-10 ln 10/100), below 0.05
	for c in 100 140 200 210; do
		printf 'a,g%s,%s,0\n' "$c" "$c" >>"$BATS_TEST_TMPDIR/cap.csv"
		printf 'g%s,300,2026-11-21T00:05:00Z,100,200\n' "$c" >>"$BATS_TEST_TMPDIR/f.csv"
	done
	run sh -c "pcs-risk --no-header -c '$BATS_TEST_TMPDIR/cap.csv' '$BATS_TEST_TMPDIR/f.csv' | cut -d, -f1,11,12"
	assert_success
	assert_output "$(printf '%s\n' g100,0.5,critical g140,0.32,high g200,0.05,elevated g210,0.03971641174,low)"
}

# --- mismatches between the forecast and the capacity ---------------------------

@test "a group without capacity: status 1, the message names the forecast line and the capacity file" {
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv testdata/bad/risk-forecast-no-capacity.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-forecast-no-capacity.csv:3: group 'h' has a forecast but no capacity row in testdata/risk/cap-one.csv"
}

@test "--skip-bad: a group without capacity is skipped and counted, the others written, status 0" {
	run --separate-stderr pcs-risk --skip-bad --no-header -c testdata/risk/cap-one.csv \
		testdata/bad/risk-forecast-no-capacity.csv
	assert_success
	assert_output "g,a,300,2026-11-21T00:05:00Z,100,197.2270623,120,20,0.3,6.485339738,0.3,high"
	assert_equal "$stderr" "$(printf '%s\n' \
		"pcs-risk: testdata/bad/risk-forecast-no-capacity.csv:3: group 'h' has a forecast but no capacity row in testdata/risk/cap-one.csv (skipped)" \
		"pcs-risk: 1 bad row skipped")"
}

@test "the capacity file read from standard input is named <stdin> in a mismatch" {
	run --separate-stderr pcs-risk -c - testdata/bad/risk-forecast-no-capacity.csv <testdata/risk/cap-one.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-forecast-no-capacity.csv:3: group 'h' has a forecast but no capacity row in <stdin>"
}

@test "capacity_rps 0: a warning naming the line, status 0" {
	risk one.csv cap-zero.csv
	assert_success
	assert_equal "$stderr" "pcs-risk: testdata/risk/cap-zero.csv:2: pop 'a' group 'g' has capacity_rps 0"
}

@test "duplicate capacity rows: status 1, the message names both lines, nothing written" {
	run --separate-stderr pcs-risk -c testdata/bad/risk-capacity-duplicate.csv testdata/risk/one.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-capacity-duplicate.csv:4: duplicate capacity row for pop 'a' group 'g' (first on line 2)"
}

@test "a capacity group without forecast: a warning naming its line, the rest written, status 0" {
	printf 'pop,group,capacity_rps,load_rps\na,g,120,0\nb,zz,50,0\na,zz,50,0\n' >"$BATS_TEST_TMPDIR/cap.csv"
	run --separate-stderr pcs-risk --no-header -c "$BATS_TEST_TMPDIR/cap.csv" testdata/risk/one.csv
	assert_success
	assert_output "g,a,300,2026-11-21T00:05:00Z,100,197.2270623,120,20,0.3,6.485339738,0.3,high"
	# once for the group, with "the line of its first POP in byte order"
	# (pcs-risk(1)): pop 'a' on line 4, not 'b' on line 3
	assert_equal "$stderr" "pcs-risk: $BATS_TEST_TMPDIR/cap.csv:4: group 'zz' has capacity but no forecast"
}

@test "a group appearing again after other groups: status 1 and a message saying how to fix it" {
	run --separate-stderr pcs-risk -c testdata/risk/cap-gh.csv testdata/bad/risk-forecast-group-again.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-forecast-group-again.csv:4: group 'g' again, after other groups: pcs-risk takes the rows of a group's forecast issue together (as pcs-forecast writes them); merge sharded forecasts sorted by group"
}

@test "a group appearing again is an error even with --skip-bad" {
	run --separate-stderr pcs-risk --skip-bad -c testdata/risk/cap-gh.csv testdata/bad/risk-forecast-group-again.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-forecast-group-again.csv:4: group 'g' again, after other groups: pcs-risk takes the rows of a group's forecast issue together (as pcs-forecast writes them); merge sharded forecasts sorted by group"
}

@test "a group split across two files counts as appearing again" {
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv testdata/risk/one.csv testdata/risk/one.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/risk/one.csv:2: group 'g' again, after other groups: pcs-risk takes the rows of a group's forecast issue together (as pcs-forecast writes them); merge sharded forecasts sorted by group"
}

@test "two rows for one region and horizon: status 1, the first named, and no capacity file blamed" {
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv testdata/bad/risk-forecast-repeated-row.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-forecast-repeated-row.csv:4: group 'g' region '*' horizon 300 again (first on line 2)"
}

@test "a region in the forecast without a capacity row: status 1, region named" {
	run --separate-stderr pcs-risk -c testdata/risk/cap-regions.csv testdata/bad/risk-forecast-region-no-capacity.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-forecast-region-no-capacity.csv:2: group 'g' region 'ap' has a forecast but no capacity row in testdata/risk/cap-regions.csv"
}

# --- bad input: the forecast stream (testdata/bad/risk-forecast-*) ------------

@test "bad forecast: unterminated quoted field" { assert_bad_forecast risk-forecast-unterminated-quote; }
@test "bad forecast: too few fields" { assert_bad_forecast risk-forecast-too-few-fields; }
@test "bad forecast: line number with CRLF line ends" { assert_bad_forecast risk-forecast-line-crlf; }
@test "bad forecast: header without group" { assert_bad_forecast risk-forecast-missing-group; }
@test "bad forecast: header without horizon_s" { assert_bad_forecast risk-forecast-missing-horizon; }
@test "bad forecast: header without target" { assert_bad_forecast risk-forecast-missing-target; }
@test "bad forecast: header without group and no rows" { assert_bad_forecast risk-forecast-missing-group-header-only; }
@test "bad forecast: one quantile column" { assert_bad_forecast risk-forecast-one-quantile; }
@test "bad forecast: no quantile column (q50, p100, p050 are not quantile names)" { assert_bad_forecast risk-forecast-no-quantiles; }
@test "bad forecast: quantile not a number" { assert_bad_forecast risk-forecast-quantile-not-a-number; }
@test "bad forecast: quantile negative" { assert_bad_forecast risk-forecast-quantile-negative; }
@test "bad forecast: quantile NaN" { assert_bad_forecast risk-forecast-quantile-nan; }
@test "bad forecast: quantile inf" { assert_bad_forecast risk-forecast-quantile-inf; }
@test "bad forecast: quantile empty" { assert_bad_forecast risk-forecast-quantile-empty; }
@test "bad forecast: quantiles cross" { assert_bad_forecast risk-forecast-quantiles-cross; }
@test "bad forecast: quantiles cross, columns not in level order" { assert_bad_forecast risk-forecast-quantiles-cross-columns-reordered; }
@test "bad forecast: target unparseable" { assert_bad_forecast risk-forecast-target-unparseable; }
@test "bad forecast: horizon_s negative" { assert_bad_forecast risk-forecast-horizon-negative; }
@test "bad forecast: horizon_s 0" { assert_bad_forecast risk-forecast-horizon-zero; }
@test "bad forecast: horizon_s with a fraction" { assert_bad_forecast risk-forecast-horizon-fraction; }
@test "bad forecast: two rows for one region and horizon" { assert_bad_forecast risk-forecast-repeated-row; }
@test "bad forecast: horizon_s a duration, not seconds" { assert_bad_forecast risk-forecast-horizon-duration; }
@test "bad forecast: group empty" { assert_bad_forecast risk-forecast-group-empty; }
@test "bad forecast: -i ndjson on CSV" { assert_bad_forecast risk-forecast-forced-ndjson; }
@test "bad forecast: NDJSON line that is not JSON" { assert_bad_forecast risk-forecast-ndjson-not-json; }
@test "bad forecast: NDJSON line that is not an object" { assert_bad_forecast risk-forecast-ndjson-not-object; }
@test "bad forecast: NDJSON object without a quantile of the first" { assert_bad_forecast risk-forecast-ndjson-missing-quantile; }
@test "bad forecast: NDJSON quantile \"lots\"" { assert_bad_forecast risk-forecast-ndjson-quantile-string; }
@test "bad forecast: NDJSON with one quantile" { assert_bad_forecast risk-forecast-ndjson-one-quantile; }
@test "bad forecast: group without capacity" { assert_bad_forecast risk-forecast-no-capacity; }
@test "bad forecast: region without capacity" { assert_bad_forecast risk-forecast-region-no-capacity; }
@test "bad forecast: group again after another" { assert_bad_forecast risk-forecast-group-again; }

# --- bad input: the capacity snapshot (testdata/bad/risk-capacity-*) -----------

@test "bad capacity: unterminated quoted field" { assert_bad_capacity risk-capacity-unterminated-quote; }
@test "bad capacity: too few fields" { assert_bad_capacity risk-capacity-too-few-fields; }
@test "bad capacity: too many fields" { assert_bad_capacity risk-capacity-too-many-fields; }
@test "bad capacity: header without pop" { assert_bad_capacity risk-capacity-missing-pop; }
@test "bad capacity: header without group" { assert_bad_capacity risk-capacity-missing-group; }
@test "bad capacity: header without capacity_rps" { assert_bad_capacity risk-capacity-missing-capacity; }
@test "bad capacity: header without load_rps" { assert_bad_capacity risk-capacity-missing-load; }
@test "bad capacity: header without load_rps and no rows" { assert_bad_capacity risk-capacity-missing-load-header-only; }
@test "bad capacity: capacity_rps not a number" { assert_bad_capacity risk-capacity-capacity-not-a-number; }
@test "bad capacity: capacity_rps negative" { assert_bad_capacity risk-capacity-capacity-negative; }
@test "bad capacity: capacity_rps nan" { assert_bad_capacity risk-capacity-capacity-nan; }
@test "bad capacity: capacity_rps empty" { assert_bad_capacity risk-capacity-capacity-empty; }
@test "bad capacity: load_rps negative" { assert_bad_capacity risk-capacity-load-negative; }
@test "bad capacity: load_rps Infinity" { assert_bad_capacity risk-capacity-load-inf; }
@test "bad capacity: cpu 1.2, above 1" { assert_bad_capacity risk-capacity-cpu-above-one; }
@test "bad capacity: cpu 71, a percentage" { assert_bad_capacity risk-capacity-cpu-percent; }
@test "bad capacity: mem negative" { assert_bad_capacity risk-capacity-mem-negative; }
@test "bad capacity: bw not a number" { assert_bad_capacity risk-capacity-bw-not-a-number; }
@test "bad capacity: max_capacity_rps not a number" { assert_bad_capacity risk-capacity-max-not-a-number; }
@test "bad capacity: scale_s negative" { assert_bad_capacity risk-capacity-scale-negative; }
@test "bad capacity: pop empty" { assert_bad_capacity risk-capacity-pop-empty; }
@test "bad capacity: group empty" { assert_bad_capacity risk-capacity-group-empty; }
@test "bad capacity: duplicate row" { assert_bad_capacity risk-capacity-duplicate; }
@test "bad capacity: NDJSON line that is not JSON" { assert_bad_capacity risk-capacity-ndjson-not-json; }
@test "bad capacity: NDJSON object without load_rps" { assert_bad_capacity risk-capacity-ndjson-missing-load; }
@test "bad capacity: NDJSON cpu 2" { assert_bad_capacity risk-capacity-ndjson-cpu-above-one; }
@test "bad capacity: NDJSON capacity_rps \"lots\"" { assert_bad_capacity risk-capacity-ndjson-capacity-string; }
@test "bad capacity: binary garbage" { assert_bad_capacity risk-capacity-binary-garbage; }

@test "bad: every risk-* case in testdata/bad has its .err and .status and a test here" {
	local f name
	for f in testdata/bad/risk-*; do
		name=${f##*/}
		name=${name%.*}
		[ -f "testdata/bad/$name.err" ] || fail "testdata/bad/$name.err missing"
		[ -f "testdata/bad/$name.status" ] || fail "testdata/bad/$name.status missing"
		grep -Eq "assert_bad_(forecast|capacity) $name;" "$BATS_TEST_FILENAME" ||
			fail "no test for testdata/bad/$name"
	done
}

@test "--skip-bad skips bad forecast rows but never a bad capacity snapshot" {
	run --separate-stderr pcs-risk --skip-bad --no-header -c testdata/risk/cap-one.csv \
		testdata/bad/risk-forecast-quantiles-cross.csv
	assert_success
	assert_output "g,a,300,2026-11-21T00:05:00Z,100,197.2270623,120,20,0.3,6.485339738,0.3,high"
	assert_equal "$stderr" "$(printf '%s\n' \
		"pcs-risk: testdata/bad/risk-forecast-quantiles-cross.csv:3: column 'p90': quantiles cross: 140 is below the level before it (skipped)" \
		"pcs-risk: 1 bad row skipped")"
	run --separate-stderr pcs-risk --skip-bad -c testdata/bad/risk-capacity-cpu-above-one.csv testdata/risk/one.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-capacity-cpu-above-one.csv:3: column 'cpu': out of range [0, 1]: \"1.2\""
}

@test "--skip-bad does not skip a forecast header without a required column" {
	run --separate-stderr pcs-risk --skip-bad -c testdata/risk/cap-one.csv testdata/bad/risk-forecast-missing-target.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/bad/risk-forecast-missing-target.csv:1: missing column 'target'"
}

@test "a missing capacity file: status 1, named" {
	run --separate-stderr pcs-risk -c "$BATS_TEST_TMPDIR/nope.csv" testdata/risk/one.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-risk: $BATS_TEST_TMPDIR/nope.csv: No such file or directory"
}

@test "a missing forecast file is reported, the other operands are read, status 1" {
	printf 'pop,group,capacity_rps,load_rps\na,g,120,0\na,lin,120,0\na,low,50,0\na,up,160,0\n' \
		>"$BATS_TEST_TMPDIR/cap.csv"
	run --separate-stderr pcs-risk --no-header -c "$BATS_TEST_TMPDIR/cap.csv" testdata/risk/one.csv \
		"$BATS_TEST_TMPDIR/nope.csv" testdata/risk/tails.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: $BATS_TEST_TMPDIR/nope.csv: No such file or directory"
	assert_equal "${#lines[@]}" 4
	assert_line --index 0 --regexp '^g,a,300,'
	assert_line --index 3 --regexp '^up,a,300,'
}

# --- empty input ---------------------------------------------------------------

@test "empty forecast: the header only, and a warning for each capacity group" {
	run_stdin /dev/null pcs-risk -c testdata/risk/cap-one.csv
	assert_success
	assert_output "$HEADER"
	assert_equal "$stderr" "pcs-risk: testdata/risk/cap-one.csv:2: group 'g' has capacity but no forecast"
	run_stdin /dev/null pcs-risk -o ndjson -c testdata/risk/cap-one.csv
	assert_success
	assert_output ""
}

@test "header-only forecast: the header only" {
	printf 'group,horizon_s,target,p50,p90\n' >"$BATS_TEST_TMPDIR/f.csv"
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv "$BATS_TEST_TMPDIR/f.csv"
	assert_success
	assert_output "$HEADER"
}

@test "CRLF line ends and a byte order mark in both inputs: the same output as LF" {
	printf '\357\273\277' >"$BATS_TEST_TMPDIR/f.csv"
	sed 's/$/\r/' testdata/risk/regions.csv >>"$BATS_TEST_TMPDIR/f.csv"
	printf '\357\273\277' >"$BATS_TEST_TMPDIR/cap.csv"
	sed 's/$/\r/' testdata/risk/cap-regions.csv >>"$BATS_TEST_TMPDIR/cap.csv"
	pcs-risk -c testdata/risk/cap-regions.csv testdata/risk/regions.csv >"$BATS_TEST_TMPDIR/want"
	pcs-risk -c "$BATS_TEST_TMPDIR/cap.csv" "$BATS_TEST_TMPDIR/f.csv" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "NDJSON forecast and capacity give the same output as the CSV" {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[i] = $i; next }
	{ s = "{"; for (i = 1; i <= NF; i++) s = s (i > 1 ? "," : "") "\"" k[i] "\":" ($i ~ /^[0-9.]+$/ ? $i : "\"" $i "\""); print s "}" }' \
		testdata/risk/regions.csv >"$BATS_TEST_TMPDIR/f.ndjson"
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) k[i] = $i; next }
	{ s = "{"; for (i = 1; i <= NF; i++) s = s (i > 1 ? "," : "") "\"" k[i] "\":" ($i ~ /^[0-9.]+$/ ? $i : "\"" $i "\""); print s "}" }' \
		testdata/risk/cap-regions.csv >"$BATS_TEST_TMPDIR/cap.ndjson"
	pcs-risk -c testdata/risk/cap-regions.csv testdata/risk/regions.csv >"$BATS_TEST_TMPDIR/want"
	pcs-risk -c "$BATS_TEST_TMPDIR/cap.ndjson" "$BATS_TEST_TMPDIR/f.ndjson" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

# --- standard output -----------------------------------------------------------

@test "a closed stdout (| head -1) ends quietly with status 0" {
	# 5000 groups, 3 POPs each: some 1.4 MB of output, more than a pipe holds
	awk 'BEGIN { print "pop,group,capacity_rps,load_rps"
		for (g = 0; g < 5000; g++) for (p = 0; p < 3; p++) printf "p%d,g%05d,100,%d\n", p, g, p + 1 }' \
		>"$BATS_TEST_TMPDIR/cap.csv"
	awk 'BEGIN { print "group,horizon_s,target,p50,p90"
		for (g = 0; g < 5000; g++) printf "g%05d,300,2026-11-21T00:05:00Z,100,140\n", g }' \
		>"$BATS_TEST_TMPDIR/f.csv"
	run bash -c "set -o pipefail; pcs-risk -c '$BATS_TEST_TMPDIR/cap.csv' '$BATS_TEST_TMPDIR/f.csv' | head -1"
	assert_success
	assert_output "$HEADER"
}

@test "/dev/full as stdout: status 1 and a write error" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c 'pcs-risk -c testdata/capacity.csv testdata/golden/forecast-default.csv >/dev/full'
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: write error: No space left on device"
}

# --- help, version, usage errors ---------------------------------------------------

@test "-h and --help print the usage on stdout and exit 0" {
	run --separate-stderr pcs-risk -h
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 'usage: pcs-risk -c capacity [options] [file ...]'
	run --separate-stderr pcs-risk --help
	assert_success
	for opt in --capacity --cuts --util-limit --no-derate --input-format --output-format \
		--no-header --skip-bad --epoch --help --version; do
		assert_output --partial -- "$opt"
	done
}

@test "-V and --version print the name and the version" {
	local version
	version=$(sed -n 's/^VERSION *= *//p' Makefile)
	run --separate-stderr pcs-risk -V
	assert_success
	assert_output "pcs-risk $version"
	run --separate-stderr pcs-risk --version
	assert_success
	assert_output "pcs-risk $version"
}

@test "usage: -c missing" {
	run --separate-stderr pcs-risk testdata/risk/one.csv
	assert_usage_error "pcs-risk: -c: the capacity snapshot is required" pcs-risk
}

@test "usage: -c without its argument" {
	run --separate-stderr pcs-risk -c
	assert_usage_error "pcs-risk: option -c needs an argument" pcs-risk
}

@test "usage: --cuts with two numbers" {
	run --separate-stderr pcs-risk --cuts 0.1,0.2 -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --cuts: want three ascending numbers in (0,1): "0.1,0.2"' pcs-risk
}

@test "usage: --cuts with four numbers" {
	run --separate-stderr pcs-risk --cuts 0.1,0.2,0.3,0.4 -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --cuts: want three ascending numbers in (0,1): "0.1,0.2,0.3,0.4"' pcs-risk
}

@test "usage: --cuts not ascending (0.5,0.2,0.9) is refused, not reordered" {
	run --separate-stderr pcs-risk --cuts 0.5,0.2,0.9 -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --cuts: want three ascending numbers in (0,1): "0.5,0.2,0.9"' pcs-risk
}

@test "usage: --cuts with a repeated number" {
	run --separate-stderr pcs-risk --cuts 0.1,0.1,0.5 -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --cuts: want three ascending numbers in (0,1): "0.1,0.1,0.5"' pcs-risk
}

@test "usage: --cuts 0,0.2,0.5 (0 is outside (0,1))" {
	run --separate-stderr pcs-risk --cuts 0,0.2,0.5 -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --cuts: want three ascending numbers in (0,1): "0,0.2,0.5"' pcs-risk
}

@test "usage: --cuts 0.1,0.2,1 (1 is outside (0,1))" {
	run --separate-stderr pcs-risk --cuts 0.1,0.2,1 -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --cuts: want three ascending numbers in (0,1): "0.1,0.2,1"' pcs-risk
}

@test "usage: --cuts x" {
	run --separate-stderr pcs-risk --cuts x -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --cuts: want three ascending numbers in (0,1): "x"' pcs-risk
}

@test "usage: --util-limit 0" {
	run --separate-stderr pcs-risk --util-limit 0 -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --util-limit: want a number in (0, 1]: "0"' pcs-risk
}

@test "usage: --util-limit 1.5" {
	run --separate-stderr pcs-risk --util-limit 1.5 -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --util-limit: want a number in (0, 1]: "1.5"' pcs-risk
}

@test "usage: --util-limit x" {
	run --separate-stderr pcs-risk --util-limit x -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error 'pcs-risk: --util-limit: want a number in (0, 1]: "x"' pcs-risk
}

@test "usage: -o xml" {
	run --separate-stderr pcs-risk -o xml -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error "pcs-risk: -o: unknown format 'xml' (csv or ndjson)" pcs-risk
}

@test "usage: -i xml" {
	run --separate-stderr pcs-risk -i xml -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error "pcs-risk: -i: unknown format 'xml' (csv or ndjson)" pcs-risk
}

@test "usage: unknown long option" {
	run --separate-stderr pcs-risk --bogus -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error "pcs-risk: option --bogus is unknown" pcs-risk
}

@test "usage: unknown short option" {
	run --separate-stderr pcs-risk -x -c testdata/risk/cap-one.csv testdata/risk/one.csv
	assert_usage_error "pcs-risk: option -x is unknown" pcs-risk
}

@test "usage: --cuts without its argument" {
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv --cuts
	assert_usage_error "pcs-risk: option --cuts needs an argument" pcs-risk
}

@test "max_capacity_rps, scale_s: a POP that scales itself is tested at what it can reach in time" {
	risk one.csv cap-reach.csv --current
	assert_success
	# a (half the load: p50 50) reaches 400 by 300 s: no risk there; now it
	# carries 150 of its 120, so its risk is still 1
	assert_line --index 0 'g,a,0,2026-11-21T00:00:00Z,150,150,120,-30,1,30,1,critical'
	assert_line --index 1 --regexp '^g,a,300,2026-11-21T00:05:00Z,50,[0-9.]+,400,350,[0-9.e-]+,'
	# b has no max_capacity_rps: its 200
	assert_line --index 3 --regexp '^g,b,300,[^,]+,[^,]+,[^,]+,200,'
	# c takes 600 s to scale: at 300 s it has its 100 (p_exceed 0.00016)
	assert_line --index 5 --regexp '^g,c,300,[^,]+,[^,]+,[^,]+,100,66.66666667,0.00016,'
	# d's max_capacity_rps 50 is below its capacity: its 100
	assert_line --index 7 --regexp '^g,d,300,[^,]+,[^,]+,[^,]+,100,'
	# without the columns, a is tested at its 120 at 300 s as well
	risk one.csv cap-current.csv --current
	assert_line --index 1 --regexp '^g,a,300,[^,]+,[^,]+,[^,]+,120,'
}

@test "--current: a row at horizon 0 per POP, its own load now against its capacity, first" {
	risk one.csv cap-current.csv --current
	assert_success
	# a carries 150 of its 120 now: certain excess, shortfall 30, risk 1, critical
	assert_line --index 0 'g,a,0,2026-11-21T00:00:00Z,150,150,120,-30,1,30,1,critical'
	assert_line --index 2 --regexp '^g,b,0,2026-11-21T00:00:00Z,50,50,200,150,0,0,'
	[ "${#lines[@]}" -eq 4 ]
	# without --current, no horizon 0 and a's risk is the forecast's alone
	risk one.csv cap-current.csv
	[ "${#lines[@]}" -eq 2 ]
	refute_output --regexp ',0,2026-11-21T00:00:00Z,'
}
