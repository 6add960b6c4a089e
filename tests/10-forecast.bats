#!/usr/bin/env bats
# pcs-forecast against its manual, pcs-forecast(1): goldens, the output
# contract, bad input and usage errors, and the filter's I/O behaviour.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

setup_file() {
	[ -x "$PCS_BIN/pcs-forecast" ] || {
		echo "no executable pcs-forecast in PCS_BIN=$PCS_BIN (run make)" >&2
		return 1
	}
}

# --- helpers -------------------------------------------------------------

# assert_bad NAME
# The table of bad inputs: testdata/bad/NAME.csv (or .ndjson) must make
# pcs-forecast exit with the status in NAME.status and write exactly NAME.err
# on stderr, read as a file operand and again from standard input (named
# <stdin>).  NAME.args, if present, holds options to add.
assert_bad() {
	local name=$1 input='' f want_err want_status args=()

	cd testdata/bad || return 1
	for f in "$name".*; do
		case $f in *.err | *.status | *.args) ;; *) input=$f ;; esac
	done
	[ -f "$input" ] || fail "no input testdata/bad/$name.*"
	[ -f "$name.args" ] && read -ra args <"$name.args"
	want_err=$(cat "$name.err")
	want_status=$(cat "$name.status")

	run --separate-stderr pcs-forecast "${args[@]}" "$input"
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"

	run_stdin "$input" pcs-forecast "${args[@]}"
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
}

# check_quantiles FILE
# Every row of a forecast CSV has its quantile columns (p...) non-decreasing
# from left to right, none below zero, and mean not below zero.
check_quantiles() {
	awk -F, '
	NR == 1 {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^p[0-9]/) q[++n] = i
			if ($i == "mean") m = i
		}
		if (n < 2 || !m) { print "no quantile or mean columns: " $0; bad = 1; exit }
		next
	}
	{
		rows++
		if ($m + 0 < 0) { print "line " NR ": mean below zero: " $0; bad = 1 }
		for (j = 1; j <= n; j++) {
			if ($q[j] == "" || $q[j] + 0 < 0) { print "line " NR ": quantile below zero or empty: " $0; bad = 1 }
			if (j > 1 && $q[j] + 0 < $q[j - 1] + 0) { print "line " NR ": quantiles cross: " $0; bad = 1 }
		}
	}
	END { if (!bad && rows == 0) { print "no rows"; bad = 1 }; exit bad }' "$1"
}

# metrics_ndjson
# testdata/metrics.csv as NDJSON on stdout, rps a JSON number.
metrics_ndjson() {
	awk -F, 'NR > 1 { printf "{\"ts\":\"%s\",\"group\":\"%s\",\"region\":\"%s\",\"rps\":%s}\n", $1, $2, $3, $4 }' \
		testdata/metrics.csv
}

# --- goldens (tests/make-goldens.sh regenerates them) ----------------------

@test "golden: default run on testdata/metrics.csv" {
	assert_golden forecast-default.csv
}

@test "golden: -H 1h..2h -q 0.025,0.5,0.975 --epoch" {
	assert_golden forecast-interval-epoch.csv
}

@test "golden: -o ndjson" {
	assert_golden forecast-ndjson.ndjson
}

@test "golden: --model snaive" {
	assert_golden forecast-snaive.csv
}

@test "golden: --model ets" {
	assert_golden forecast-ets.csv
}

@test "golden: --no-header" {
	assert_golden forecast-no-header.csv
}

@test "golden: NASA log, -H 1h,6h,24h,48h with a 95% interval" {
	assert_golden forecast-nasa.csv
}

@test "golden: --score on a small fixture" {
	assert_golden forecast-score.csv
}

@test "golden: --score -o ndjson --epoch" {
	assert_golden forecast-score.ndjson
}

@test "golden: forecasts of the small fixture (gap, spike, empty region)" {
	assert_golden forecast-small.csv
}

@test "goldens: every listed golden exists and some suite checks it" {
	local name
	while read -r name _; do
		case $name in '' | '#'*) continue ;; esac
		[ -f "testdata/golden/$name" ] || fail "testdata/golden/$name missing (make goldens)"
		grep -q "assert_golden $name\$" "$BATS_TEST_DIRNAME"/*.bats ||
			fail "no test checks testdata/golden/$name"
	done <testdata/golden/commands
	for name in testdata/golden/*; do
		name=${name##*/}
		[ "$name" = commands ] && continue
		grep -q "^$name " testdata/golden/commands ||
			fail "testdata/golden/$name is not listed in testdata/golden/commands"
	done
}

# --- the output contract -------------------------------------------------

@test "--score: expected and anomaly_score empty in CSV, null in NDJSON, without a prediction" {
	run --separate-stderr pcs-forecast --score testdata/forecast/window.csv
	assert_success
	assert_line --index 1 '2026-11-21T00:00:00Z,web,*,1,,,0,'
	run --separate-stderr pcs-forecast --score -o ndjson testdata/forecast/window.csv
	assert_success
	assert_line --index 0 \
		'{"ts":"2026-11-21T00:00:00Z","group":"web","region":"*","rps":1,"expected":null,"anomaly_score":null,"anomaly":0,"direction":null}'
}

@test "header: the forecast columns, in order" {
	run --separate-stderr pcs-forecast testdata/metrics.csv
	assert_success
	assert_equal "${lines[0]}" \
		"issued,group,region,horizon_s,target,mean,p50,p90,p95,p99,model,anomaly_score,anomaly"
}

@test "header: --score columns, in order" {
	run --separate-stderr pcs-forecast --score testdata/nasa-5m.csv
	assert_success
	assert_equal "${lines[0]}" "ts,group,region,rps,expected,anomaly_score,anomaly,direction"
	assert_equal "${#lines[@]}" 6049
}

@test "--score reads values below zero, and alarms as on the same series lifted above it" {
	# three days of a 5-minute metric around -50 (a temperature, say) with
	# one dip; forecasting it is refused, since a forecast reads rates
	for off in 0 1000; do
		awk -v off="$off" 'BEGIN { print "ts,group,rps"
			for (t = 0; t < 864; t++) {
				y = -50 + 10 * sin(6.283185307 * t / 288) + ((t * 7919) % 13 - 6) * 0.3
				if (t == 700) y -= 80
				printf "%d,temp,%.4f\n", 1700000100 + 300 * t, y + off } }' \
			>"$BATS_TEST_TMPDIR/s$off.csv"
	done
	run --separate-stderr sh -c "pcs-forecast --no-header --score --epoch '$BATS_TEST_TMPDIR/s0.csv' |
		awk -F, '\$7 == 1 { print \$1, \$4, \$8 }'"
	assert_success
	assert_output "1700210100 -124.8738 down"
	run --separate-stderr sh -c "pcs-forecast --no-header --score --epoch '$BATS_TEST_TMPDIR/s1000.csv' |
		awk -F, '\$7 == 1 { print \$1, \$8 }'"
	assert_success
	assert_output "1700210100 down"
	run --separate-stderr pcs-forecast "$BATS_TEST_TMPDIR/s0.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $BATS_TEST_TMPDIR/s0.csv:2: column 'rps': negative value: \"-51.8000\""
}

@test "-o ndjson: the CSV column names as keys, in order, with the same values" {
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/csv"
	pcs-forecast -o ndjson testdata/metrics.csv >"$BATS_TEST_TMPDIR/ndjson"
	# keys of every line, joined with commas, against the CSV header
	run sh -c "sed -E 's/\"([a-z0-9_.]+)\":(\"[^\"]*\"|[^,}]*)[,}]/\\1,/g; s/^\\{//; s/,\$//' '$BATS_TEST_TMPDIR/ndjson' | sort -u"
	assert_output "$(head -n 1 "$BATS_TEST_TMPDIR/csv")"
	# values of every line against the CSV rows (no field here needs quoting)
	sed -E 's/"[a-z0-9_.]+"://g; s/^\{//; s/\}$//; s/"//g' "$BATS_TEST_TMPDIR/ndjson" >"$BATS_TEST_TMPDIR/values"
	tail -n +2 "$BATS_TEST_TMPDIR/csv" >"$BATS_TEST_TMPDIR/rows"
	assert_file_equal "$BATS_TEST_TMPDIR/rows" "$BATS_TEST_TMPDIR/values"
}

@test "one row per key and horizon, horizons ascending within each key" {
	run --separate-stderr pcs-forecast --no-header -H 5m..20m testdata/metrics.csv
	assert_success
	assert_equal "${#lines[@]}" 16
	run sh -c 'pcs-forecast --no-header -H 5m..20m testdata/metrics.csv | cut -d, -f2-4'
	assert_output "$(printf '%s\n' \
		api,eu,300 api,eu,600 api,eu,900 api,eu,1200 \
		api,us,300 api,us,600 api,us,900 api,us,1200 \
		web,eu,300 web,eu,600 web,eu,900 web,eu,1200 \
		web,us,300 web,us,600 web,us,900 web,us,1200)"
}

@test "keys sorted bytewise by group, then region" {
	run sh -c 'pcs-forecast --no-header -H 5m testdata/forecast/keys.csv | cut -d, -f2,3'
	assert_success
	# uppercase before '_' before lowercase; '*' before 'E'; a prefix first
	assert_output "$(printf '%s\n' B,eu Zeta,eu _x,eu 'a,*' a,EU a,eu 'a b,eu' 'a-,*' ab,eu)"
}

@test "quantiles: non-decreasing across levels and never below zero (auto)" {
	pcs-forecast -H 5m,1h,6h,24h,48h -q 0.001,0.01,0.025,0.1,0.25,0.5,0.75,0.9,0.975,0.99,0.999 \
		testdata/metrics.csv testdata/nasa-5m.csv testdata/forecast/small.csv >"$BATS_TEST_TMPDIR/out"
	run check_quantiles "$BATS_TEST_TMPDIR/out"
	assert_success
}

@test "quantiles: non-decreasing across levels and never below zero (snaive)" {
	pcs-forecast --model snaive -H 5m,1h,6h,24h,48h -q 0.001,0.01,0.5,0.99,0.999 \
		testdata/metrics.csv testdata/nasa-5m.csv testdata/forecast/small.csv >"$BATS_TEST_TMPDIR/out"
	run check_quantiles "$BATS_TEST_TMPDIR/out"
	assert_success
}

@test "quantiles: non-decreasing across levels and never below zero (ets)" {
	pcs-forecast --model ets -H 5m,1h,6h,24h,48h -q 0.001,0.01,0.5,0.99,0.999 \
		testdata/metrics.csv testdata/nasa-5m.csv testdata/forecast/small.csv >"$BATS_TEST_TMPDIR/out"
	run check_quantiles "$BATS_TEST_TMPDIR/out"
	assert_success
}

@test "-q 0.025,0.5,0.999 names the columns p2.5,p50,p99.9" {
	run --separate-stderr pcs-forecast -q 0.025,0.5,0.999 testdata/metrics.csv
	assert_success
	assert_equal "${lines[0]}" \
		"issued,group,region,horizon_s,target,mean,p2.5,p50,p99.9,model,anomaly_score,anomaly"
}

@test "-q levels are sorted ascending and named without trailing zeros" {
	run --separate-stderr pcs-forecast -q 0.9999,0.10,0.12345 testdata/metrics.csv
	assert_success
	assert_equal "${lines[0]}" \
		"issued,group,region,horizon_s,target,mean,p10,p12.345,p99.99,model,anomaly_score,anomaly"
}

@test "-H 7m on a 5-minute step: horizon_s 600" {
	run sh -c 'pcs-forecast --no-header -H 7m testdata/metrics.csv | cut -d, -f4 | sort -u'
	assert_success
	assert_output 600
}

@test "-H 5m..20m: horizon_s 300,600,900,1200" {
	run sh -c 'pcs-forecast --no-header -H 5m..20m testdata/nasa-5m.csv | cut -d, -f4'
	assert_success
	assert_output "$(printf '%s\n' 300 600 900 1200)"
}

@test "-H: a range takes the multiples of the step inside it; equal horizons are written once" {
	run sh -c 'pcs-forecast --no-header -H 7m..22m testdata/nasa-5m.csv | cut -d, -f4'
	assert_output "$(printf '%s\n' 600 900 1200)"
	run sh -c 'pcs-forecast --no-header -H 8m,7m,10m,1s testdata/nasa-5m.csv | cut -d, -f4'
	assert_output "$(printf '%s\n' 300 600)"
}

@test "-H a..b/s: every s from a to b" {
	run sh -c 'pcs-forecast --no-header -H 1h..3h/1h testdata/nasa-5m.csv | cut -d, -f4'
	assert_success
	assert_output "$(printf '%s\n' 3600 7200 10800)"
}

@test "-H 5m..20m/7m: horizons 5m, 12m and 19m, each rounded up to whole steps" {
	run sh -c 'pcs-forecast --no-header -H 5m..20m/7m testdata/nasa-5m.csv | cut -d, -f4'
	assert_success
	assert_output "$(printf '%s\n' 300 900 1200)"
}

@test "a date alone is read as midnight UTC" {
	printf 'ts,group,rps\n2026-11-21,web,1\n2026-11-22,web,2\n2026-11-23T00:00:00Z,web,3\n' \
		>"$BATS_TEST_TMPDIR/daily.csv"
	run --separate-stderr pcs-forecast --no-header --score --epoch "$BATS_TEST_TMPDIR/daily.csv"
	assert_success
	assert_output "$(printf '%s\n' 1795219200,web,*,1,,,0, 1795305600,web,*,2,1,0,0, 1795392000,web,*,3,2,0,0,)"
}

@test "target = issued + horizon_s on every row, and --epoch agrees with RFC 3339" {
	pcs-forecast --no-header --epoch -H 5m,1h,48h testdata/metrics.csv testdata/nasa-5m.csv \
		>"$BATS_TEST_TMPDIR/epoch"
	run awk -F, '$1 + $4 != $5 { print "line " NR ": " $0 }' "$BATS_TEST_TMPDIR/epoch"
	assert_success
	assert_output ""
	# the same rows with the two time columns written by date(1)
	while IFS=, read -r issued rest; do
		target=${rest#*,*,*,}
		target=${target%%,*}
		printf '%s,%s\n' "$(date -u -d "@$issued" +%Y-%m-%dT%H:%M:%SZ)" \
			"$(date -u -d "@$target" +%Y-%m-%dT%H:%M:%SZ)"
	done < <(sort -u -t, -k1,1 -k5,5 "$BATS_TEST_TMPDIR/epoch") | sort -u >"$BATS_TEST_TMPDIR/want"
	pcs-forecast --no-header -H 5m,1h,48h testdata/metrics.csv testdata/nasa-5m.csv |
		cut -d, -f1,5 | sort -u >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "issued is the start of the step slot of each key's latest observation" {
	run sh -c 'pcs-forecast --no-header -H 5m,10m testdata/forecast/issued.csv | cut -d, -f1-5'
	assert_success
	assert_output "$(printf '%s\n' \
		'2026-11-21T00:10:00Z,early,*,300,2026-11-21T00:15:00Z' \
		'2026-11-21T00:10:00Z,early,*,600,2026-11-21T00:20:00Z' \
		'2026-11-21T00:20:00Z,late,*,300,2026-11-21T00:25:00Z' \
		'2026-11-21T00:20:00Z,late,*,600,2026-11-21T00:30:00Z')"
}

@test "region is '*' without a region column" {
	run sh -c 'pcs-forecast --no-header testdata/nasa-5m.csv | cut -d, -f2,3 | sort -u'
	assert_success
	assert_output 'web,*'
}

@test "region is '*' when the field is empty, and '*' given explicitly is the same key" {
	run sh -c 'pcs-forecast --no-header --score testdata/forecast/keys.csv | grep "^[^,]*,a,\\*,"'
	assert_success
	assert_output "$(printf '%s\n' '2026-11-21T00:00:00Z,a,*,1,,,0,' '2026-11-21T00:05:00Z,a,*,2,1,0,0,')"
}

@test "NDJSON input gives the same output as the CSV of the same rows" {
	metrics_ndjson >"$BATS_TEST_TMPDIR/metrics.ndjson"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	run --separate-stderr pcs-forecast "$BATS_TEST_TMPDIR/metrics.ndjson"
	assert_success
	assert_equal "$stderr" ""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "NDJSON input: values as strings, keys in any order, other keys ignored" {
	awk -F, 'NR > 1 { printf "{\"rps\":\"%s\",\"latency_ms\":%s,\"region\":\"%s\",\"group\":\"%s\",\"ts\":\"%s\"}\n", $4, $5, $3, $2, $1 }' \
		testdata/metrics.csv >"$BATS_TEST_TMPDIR/metrics.ndjson"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast "$BATS_TEST_TMPDIR/metrics.ndjson" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "out-of-order rows (sorted on rps) with --step give the same output as ordered rows" {
	# the manual asks for --step when the first rows of a key are not
	# neighbours in time, as here
	{ head -n 1 testdata/metrics.csv; tail -n +2 testdata/metrics.csv | sort -t, -k4,4; } \
		>"$BATS_TEST_TMPDIR/shuffled.csv"
	pcs-forecast --step 5m testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast --step 5m "$BATS_TEST_TMPDIR/shuffled.csv" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# and with the 5-minute step given, that is the default output
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/default"
	assert_file_equal "$BATS_TEST_TMPDIR/default" "$BATS_TEST_TMPDIR/got"
}

@test "rows out of order within each block of 40 give the same output, step detected" {
	{
		head -n 1 testdata/metrics.csv
		tail -n +2 testdata/metrics.csv |
			awk '{ b[n++] = $0 } n == 40 { while (n) print b[--n] } END { while (n) print b[--n] }'
	} >"$BATS_TEST_TMPDIR/blocks.csv"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast "$BATS_TEST_TMPDIR/blocks.csv" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "rows in reverse order give the same output as ordered rows" {
	{ head -n 1 testdata/metrics.csv; tail -n +2 testdata/metrics.csv | sort -r; } \
		>"$BATS_TEST_TMPDIR/reversed.csv"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast "$BATS_TEST_TMPDIR/reversed.csv" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "duplicates: the last row read wins by default" {
	run --separate-stderr pcs-forecast --no-header --score testdata/forecast/duplicates.csv
	assert_success
	assert_output "$(printf '%s\n' \
		2026-11-21T00:00:00Z,web,eu,10,,,0, \
		2026-11-21T00:05:00Z,web,eu,1,10,0,0, \
		2026-11-21T00:10:00Z,web,eu,30,1,0,0, \
		2026-11-21T00:00:00Z,web,us,1,,,0, \
		2026-11-21T00:05:00Z,web,us,7,1,0,0, \
		2026-11-21T00:10:00Z,web,us,2,7,0,0,)"
}

@test "duplicates: --sum-duplicates sums them" {
	run --separate-stderr pcs-forecast --no-header --score --sum-duplicates testdata/forecast/duplicates.csv
	assert_success
	assert_output "$(printf '%s\n' \
		2026-11-21T00:00:00Z,web,eu,10,,,0, \
		2026-11-21T00:05:00Z,web,eu,26,10,0,0, \
		2026-11-21T00:10:00Z,web,eu,30,26,0,0, \
		2026-11-21T00:00:00Z,web,us,1,,,0, \
		2026-11-21T00:05:00Z,web,us,7,1,0,0, \
		2026-11-21T00:10:00Z,web,us,2,7,0,0,)"
}

@test "distinct timestamps in one step slot are averaged, after duplicates" {
	run sh -c 'pcs-forecast --no-header --score --step 10m testdata/forecast/duplicates.csv | cut -d, -f1-4'
	assert_output "$(printf '%s\n' 2026-11-21T00:00:00Z,web,eu,5.5 2026-11-21T00:10:00Z,web,eu,30 \
		2026-11-21T00:00:00Z,web,us,4 2026-11-21T00:10:00Z,web,us,2)"
	run sh -c 'pcs-forecast --no-header --score --step 10m --sum-duplicates testdata/forecast/duplicates.csv | cut -d, -f1-4'
	assert_output "$(printf '%s\n' 2026-11-21T00:00:00Z,web,eu,18 2026-11-21T00:10:00Z,web,eu,30 \
		2026-11-21T00:00:00Z,web,us,4 2026-11-21T00:10:00Z,web,us,2)"
}

@test "--window shorter than the history changes the forecasts" {
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/all"
	pcs-forecast --window 1d testdata/metrics.csv >"$BATS_TEST_TMPDIR/day"
	run cmp -s "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/day"
	assert_failure 1
	# and a window longer than the history changes nothing
	pcs-forecast --window 5d testdata/metrics.csv >"$BATS_TEST_TMPDIR/5d"
	assert_file_equal "$BATS_TEST_TMPDIR/all" "$BATS_TEST_TMPDIR/5d"
}

@test "--window drops the samples older than the window before the newest" {
	run --separate-stderr pcs-forecast --no-header --score --window 10m testdata/forecast/window.csv
	assert_success
	# 00:20 sits on the boundary; the man page and the code should agree on it
	refute_output --regexp '00:(00|05|10|15):00Z'
	assert_line --index -2 --regexp '^2026-11-21T00:25:00Z,web,\*,6,'
	assert_line --index -1 --regexp '^2026-11-21T00:30:00Z,web,\*,7,'
}

@test "--shard 1/3 2/3 3/3 together hold exactly the unsharded rows, each key in one shard" {
	local k
	for k in 1 2 3; do
		pcs-forecast --no-header --shard $k/3 testdata/metrics.csv testdata/nasa-5m.csv \
			>"$BATS_TEST_TMPDIR/shard$k"
	done
	sort "$BATS_TEST_TMPDIR"/shard[123] >"$BATS_TEST_TMPDIR/got"
	pcs-forecast --no-header testdata/metrics.csv testdata/nasa-5m.csv | sort >"$BATS_TEST_TMPDIR/want"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# each key (group,region) appears in exactly one shard
	for k in 1 2 3; do
		cut -d, -f2,3 "$BATS_TEST_TMPDIR/shard$k" | sort -u
	done | sort | uniq -d >"$BATS_TEST_TMPDIR/dups"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/dups")" ""
	assert_equal "$(cut -d, -f2,3 "$BATS_TEST_TMPDIR/want" | sort -u | wc -l)" 5
}

@test "--shard: the step is detected over every key, so shards agree when spacings differ" {
	# fast-1m.csv is one key sampled every minute; alone, it would detect a
	# 1-minute step, but the median over all keys is 5 minutes
	local k
	for k in 1 2 3 4 5; do
		pcs-forecast --no-header --shard $k/5 testdata/metrics.csv testdata/forecast/fast-1m.csv \
			>"$BATS_TEST_TMPDIR/shard$k"
	done
	# the case is only a test while some shard holds the fast key alone
	run sh -c "for k in 1 2 3 4 5; do cut -d, -f2 '$BATS_TEST_TMPDIR'/shard\$k | sort -u | paste -sd' '; done"
	assert_line fast
	# and alone, the fast key would be read at a 1-minute step (issued 23:59)
	run pcs-forecast --no-header testdata/forecast/fast-1m.csv
	assert_line --partial "2026-11-24T23:59:00Z,fast,*,300,"
	run cat "$BATS_TEST_TMPDIR"/shard[12345]
	assert_line --partial "2026-11-24T23:55:00Z,fast,*,300,"
	sort "$BATS_TEST_TMPDIR"/shard[12345] >"$BATS_TEST_TMPDIR/got"
	pcs-forecast --no-header testdata/metrics.csv testdata/forecast/fast-1m.csv | sort >"$BATS_TEST_TMPDIR/want"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "--shard 1/1 is the unsharded output" {
	pcs-forecast testdata/metrics.csv testdata/nasa-5m.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast --shard 1/1 testdata/metrics.csv testdata/nasa-5m.csv >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "-j 4 writes the same output as one thread, forecasts and --score" {
	local inputs="testdata/metrics.csv testdata/nasa-5m.csv testdata/forecast/small.csv testdata/forecast/keys.csv"
	# shellcheck disable=SC2086
	pcs-forecast -H 5m..2h $inputs >"$BATS_TEST_TMPDIR/want"
	# shellcheck disable=SC2086
	pcs-forecast -j 4 -H 5m..2h $inputs >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# shellcheck disable=SC2086
	pcs-forecast --score $inputs >"$BATS_TEST_TMPDIR/want"
	# shellcheck disable=SC2086
	pcs-forecast --jobs=3 --score $inputs >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "--anomaly-threshold: anomaly is 1 exactly when anomaly_score reaches it" {
	local x
	for x in '' 0.5 0.9 0.9999999; do
		pcs-forecast ${x:+--anomaly-threshold $x} testdata/metrics.csv testdata/forecast/small.csv \
			>"$BATS_TEST_TMPDIR/out"
		run awk -F, -v x="${x:-0.9995}" \
			'NR > 1 && ($12 + 0 >= x + 0) != ($13 + 0) { print x ": " $0 }' "$BATS_TEST_TMPDIR/out"
		assert_output ""
	done
	# the surge at the end of web,eu (+50% in half an hour) scores highest of
	# the keys, though below the alarm the detector keeps for larger events
	run sh -c "pcs-forecast --no-header -H 5m testdata/metrics.csv | sort -t, -k12,12g | tail -n 1 | cut -d, -f2,3"
	assert_output web,eu
}

@test "file operands are read in turn, each with its own header; '-' is stdin" {
	printf 'ts,group,rps\n2026-11-21T00:00:00Z,web,1\n2026-11-21T00:05:00Z,web,2\n' >"$BATS_TEST_TMPDIR/a.csv"
	printf 'rps,region,group,ts\n3,,web,2026-11-21T00:10:00Z\n' >"$BATS_TEST_TMPDIR/b.csv"
	printf '{"ts":"2026-11-21T00:15:00Z","group":"web","rps":4}\n' >"$BATS_TEST_TMPDIR/c.ndjson"
	run_stdin "$BATS_TEST_TMPDIR/b.csv" \
		pcs-forecast --no-header --score "$BATS_TEST_TMPDIR/a.csv" - "$BATS_TEST_TMPDIR/c.ndjson"
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf '%s\n' 2026-11-21T00:00:00Z,web,*,1,,,0, 2026-11-21T00:05:00Z,web,*,2,1,0,0, \
		2026-11-21T00:10:00Z,web,*,3,2,0,0, 2026-11-21T00:15:00Z,web,*,4,3,0,0,)"
}

@test "CSV output quotes a field only when it needs it" {
	printf '%s\n' 'ts,group,region,rps' \
		'2026-11-21T00:00:00Z,"a,b","x""y",1' '2026-11-21T00:05:00Z,"a,b","x""y",2' \
		'2026-11-21T00:00:00Z,"plain",,3' '2026-11-21T00:05:00Z,plain,"",4' >"$BATS_TEST_TMPDIR/q.csv"
	run --separate-stderr pcs-forecast --no-header --score "$BATS_TEST_TMPDIR/q.csv"
	assert_success
	assert_output "$(printf '%s\n' \
		'2026-11-21T00:00:00Z,"a,b","x""y",1,,,0,' '2026-11-21T00:05:00Z,"a,b","x""y",2,1,0,0,' \
		'2026-11-21T00:00:00Z,plain,*,3,,,0,' '2026-11-21T00:05:00Z,plain,*,4,3,0,0,')"
}

@test "a group name of 255 bytes (the limit) goes through; one of 256 is a bad row" {
	local g
	g=$(head -c 255 /dev/zero | tr '\0' g)
	printf 'ts,group,rps\n2026-11-21T00:00:00Z,%s,1\n2026-11-21T00:05:00Z,%s,2\n' "$g" "$g" \
		>"$BATS_TEST_TMPDIR/long.csv"
	run --separate-stderr pcs-forecast --no-header --score "$BATS_TEST_TMPDIR/long.csv"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[1]}" "2026-11-21T00:05:00Z,$g,*,2,1,0,0,"
	printf 'ts,group,rps\n2026-11-21T00:00:00Z,%sg,1\n' "$g" >"$BATS_TEST_TMPDIR/longer.csv"
	run --separate-stderr pcs-forecast --score "$BATS_TEST_TMPDIR/longer.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $BATS_TEST_TMPDIR/longer.csv:2: column 'group': longer than 255 bytes (the limit)"
}

@test "a record longer than 1 MiB ends the stream with status 1, CSV or NDJSON" {
	{
		echo ts,group,rps
		printf '2026-11-21T00:00:00Z,"'
		head -c 1100000 /dev/zero | tr '\0' '\n'
		echo '",1'
	} >"$BATS_TEST_TMPDIR/long.csv"
	run --separate-stderr pcs-forecast --skip-bad "$BATS_TEST_TMPDIR/long.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $BATS_TEST_TMPDIR/long.csv:2: a record longer than 1048576 bytes (the limit)"
	{
		echo '{"ts":"2026-11-21T00:00:00Z","group":"g","rps":1}'
		printf '{"ts":"2026-11-21T00:05:00Z","group":"'
		head -c 1100000 /dev/zero | tr '\0' g
		echo '","rps":1}'
	} >"$BATS_TEST_TMPDIR/long.ndjson"
	run --separate-stderr pcs-forecast --skip-bad "$BATS_TEST_TMPDIR/long.ndjson"
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $BATS_TEST_TMPDIR/long.ndjson:2: a record longer than 1048576 bytes (the limit)"
}

@test "--max-keys: a key past the limit ends the run with status 1; 0 lifts it" {
	awk 'BEGIN { print "ts,group,rps"; for (i = 0; i < 5; i++) print "2026-11-21T00:00:00Z,g" i ",1" }' \
		>"$BATS_TEST_TMPDIR/keys.csv"
	run --separate-stderr pcs-forecast --step 5m --max-keys 4 "$BATS_TEST_TMPDIR/keys.csv"
	assert_failure 1
	assert_equal "$output" ""
	assert_equal "$stderr" "pcs-forecast: $BATS_TEST_TMPDIR/keys.csv:6: more than 4 keys (group and region): raise --max-keys"
	run --separate-stderr pcs-forecast --step 5m --max-keys 5 --no-header -H 5m "$BATS_TEST_TMPDIR/keys.csv"
	assert_success
	assert_equal "${#lines[@]}" 5
	run --separate-stderr pcs-forecast --step 5m --max-keys 0 --no-header -H 5m "$BATS_TEST_TMPDIR/keys.csv"
	assert_success
	assert_equal "${#lines[@]}" 5
	run --separate-stderr pcs-forecast --max-keys 1e3 "$BATS_TEST_TMPDIR/keys.csv"
	assert_usage_error 'pcs-forecast: --max-keys: want a whole number (0: no limit): "1e3"'
}

@test "-i csv reads CSV as detected; -i ndjson on CSV is an error" {
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast -i csv testdata/metrics.csv >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	metrics_ndjson | pcs-forecast -i ndjson >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "--step makes a key with a single timestamp forecastable" {
	run --separate-stderr pcs-forecast --no-header --step 5m -H 5m testdata/bad/forecast-step-undetectable.csv
	assert_success
	assert_output "$(printf '%s\n' \
		'2026-11-21T00:00:00Z,api,*,300,2026-11-21T00:05:00Z,2,2,2,2,2,naive,0,0' \
		'2026-11-21T00:00:00Z,web,*,300,2026-11-21T00:05:00Z,1,1,1,1,1,naive,0,0')"
}

# --- help and version ----------------------------------------------------

@test "-h prints the usage on stdout and exits 0" {
	run --separate-stderr pcs-forecast -h
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^usage: pcs-forecast '
	run --separate-stderr pcs-forecast --help
	assert_success
	assert_line --index 0 --regexp '^usage: pcs-forecast '
}

@test "--help names every option of the manual" {
	local opt
	run --separate-stderr pcs-forecast --help
	assert_success
	# shellcheck disable=SC2013
	for opt in $(sed -n 's/^\.It Fl Fl \([a-z-]*\).*/\1/p; s/^\.It Fl [a-zA-Z].*Fl Fl \([a-z-]*\).*/\1/p' \
		man/pcs-forecast.1); do
		assert_output --partial -- "--$opt"
	done
	assert_output --partial -- "--sum-duplicates"
}

@test "-V and --version print the name and the version" {
	local version
	version=$(sed -n 's/^VERSION *= *//p' Makefile)
	run --separate-stderr pcs-forecast -V
	assert_success
	assert_equal "$stderr" ""
	assert_output "pcs-forecast $version"
	run --separate-stderr pcs-forecast --version
	assert_success
	assert_output "pcs-forecast $version"
}

# --- usage errors: status 2, one message, the usage line and the hint -----

@test "usage: unknown long option" {
	run --separate-stderr pcs-forecast --bogus testdata/metrics.csv
	assert_usage_error "pcs-forecast: option --bogus is unknown"
}

@test "usage: unknown short option" {
	run --separate-stderr pcs-forecast -x testdata/metrics.csv
	assert_usage_error "pcs-forecast: option -x is unknown"
}

@test "usage: an unknown option run by its path is reported as pcs-forecast, not the path" {
	run --separate-stderr "$PCS_BIN/pcs-forecast" --bogus testdata/metrics.csv
	assert_usage_error "pcs-forecast: option --bogus is unknown"
}

@test "usage: option without its argument" {
	run --separate-stderr pcs-forecast testdata/metrics.csv --step
	assert_usage_error "pcs-forecast: option --step needs an argument"
}

@test "usage: -H 5x is not a duration" {
	run --separate-stderr pcs-forecast -H 5x testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -H: not a duration: "5x"'
}

@test "usage: -H 1.5h is not a duration" {
	run --separate-stderr pcs-forecast -H 1.5h testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -H: not a duration: "1.5h"'
}

@test "usage: -H 0 is not positive" {
	run --separate-stderr pcs-forecast -H 0 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -H: duration must be positive: "0"'
}

@test "usage: -H 1h..3h/0, a stride that is not positive" {
	run --separate-stderr pcs-forecast -H 1h..3h/0 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -H: duration must be positive: "0"'
}

@test "usage: -H 5m..1m ends before it starts" {
	run --separate-stderr pcs-forecast -H 5m..1m testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -H: horizon range ends before it starts: "5m..1m"'
}

@test "usage: -H with a duration too long" {
	run --separate-stderr pcs-forecast -H 99999999999999999999 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -H: duration too long: "99999999999999999999"'
}

@test "usage: --step abc is not a duration" {
	run --separate-stderr pcs-forecast --step abc testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --step: not a duration: "abc"'
}

@test "usage: --step 0 is not positive" {
	run --separate-stderr pcs-forecast --step 0 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --step: duration must be positive: "0"'
}

@test "usage: --window 5q is not a duration" {
	run --separate-stderr pcs-forecast --window 5q testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --window: not a duration: "5q"'
}

@test "usage: --window '' is empty" {
	run --separate-stderr pcs-forecast --window '' testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --window: empty duration'
}

@test "usage: -q 0 is not a level" {
	run --separate-stderr pcs-forecast -q 0 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -q: not a quantile level in (0,1): "0"'
}

@test "usage: -q 1 is not a level" {
	run --separate-stderr pcs-forecast -q 0.5,1 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -q: not a quantile level in (0,1): "1"'
}

@test "usage: -q 1.5 is not a level" {
	run --separate-stderr pcs-forecast -q 1.5 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -q: not a quantile level in (0,1): "1.5"'
}

@test "usage: -q x is not a level" {
	run --separate-stderr pcs-forecast -q x testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -q: not a quantile level in (0,1): "x"'
}

@test "usage: -q with a level given twice" {
	run --separate-stderr pcs-forecast -q 0.5,0.9,.50 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -q: quantile level 0.5 given twice'
}

@test "usage: -q '' is an empty list" {
	run --separate-stderr pcs-forecast -q '' testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -q: empty list of quantile levels'
}

@test "usage: --model foo" {
	run --separate-stderr pcs-forecast --model foo testdata/metrics.csv
	assert_usage_error "pcs-forecast: --model: unknown model 'foo' (auto, ensemble, ets, mstl, reg or snaive)"
}

@test "usage: --shard 0/3" {
	run --separate-stderr pcs-forecast --shard 0/3 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --shard: want K/N with 1 <= K <= N: "0/3"'
}

@test "usage: --shard 4/3" {
	run --separate-stderr pcs-forecast --shard 4/3 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --shard: want K/N with 1 <= K <= N: "4/3"'
}

@test "usage: --shard x" {
	run --separate-stderr pcs-forecast --shard x testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --shard: want K/N with 1 <= K <= N: "x"'
}

@test "usage: --shard 1/0" {
	run --separate-stderr pcs-forecast --shard 1/0 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --shard: want K/N with 1 <= K <= N: "1/0"'
}

@test "usage: --shard 1/-3 (a negative N)" {
	run --separate-stderr pcs-forecast --shard 1/-3 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --shard: want K/N with 1 <= K <= N: "1/-3"'
}

@test "usage: -i xml" {
	run --separate-stderr pcs-forecast -i xml testdata/metrics.csv
	assert_usage_error "pcs-forecast: -i: unknown format 'xml' (csv or ndjson)"
}

@test "usage: -o xml" {
	run --separate-stderr pcs-forecast -o xml testdata/metrics.csv
	assert_usage_error "pcs-forecast: -o: unknown format 'xml' (csv or ndjson)"
}

@test "usage: -j 0" {
	run --separate-stderr pcs-forecast -j 0 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -j: want a number of threads from 1 to 256: "0"'
}

@test "usage: -j 257" {
	run --separate-stderr pcs-forecast -j 257 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -j: want a number of threads from 1 to 256: "257"'
}

@test "usage: -j x" {
	run --separate-stderr pcs-forecast --jobs x testdata/metrics.csv
	assert_usage_error 'pcs-forecast: -j: want a number of threads from 1 to 256: "x"'
}

@test "usage: --anomaly-threshold 2" {
	run --separate-stderr pcs-forecast --anomaly-threshold 2 testdata/metrics.csv
	assert_usage_error 'pcs-forecast: --anomaly-threshold: want a number in [0, 1]: "2"'
}

# --- bad input: the table in testdata/bad/ --------------------------------

@test "bad: unterminated quoted field" { assert_bad forecast-unterminated-quote; }
@test "bad: too many fields" { assert_bad forecast-too-many-fields; }
@test "bad: too few fields" { assert_bad forecast-too-few-fields; }
@test "bad: no header row" { assert_bad forecast-no-header; }
@test "bad: header without ts" { assert_bad forecast-missing-ts; }
@test "bad: header without group" { assert_bad forecast-missing-group; }
@test "bad: header without rps" { assert_bad forecast-missing-rps; }
@test "bad: header without rps and no rows" { assert_bad forecast-missing-rps-header-only; }
@test "bad: NDJSON line that is not JSON" { assert_bad forecast-ndjson-not-json; }
@test "bad: NDJSON line that is not an object" { assert_bad forecast-ndjson-not-object; }
@test "bad: NDJSON object without rps" { assert_bad forecast-ndjson-missing-rps; }
@test "bad: NDJSON rps \"abc\"" { assert_bad forecast-ndjson-rps-string; }
@test "bad: -i ndjson on CSV" { assert_bad forecast-forced-ndjson; }
@test "bad: rps abc" { assert_bad forecast-rps-not-a-number; }
@test "bad: rps empty" { assert_bad forecast-rps-empty; }
@test "bad: rps NaN" { assert_bad forecast-rps-nan; }
@test "bad: rps Inf" { assert_bad forecast-rps-inf; }
@test "bad: rps negative" { assert_bad forecast-rps-negative; }
@test "bad: group empty" { assert_bad forecast-group-empty; }
@test "bad: ts unparseable" { assert_bad forecast-ts-unparseable; }
@test "bad: ts without a UTC offset" { assert_bad forecast-ts-no-zone; }
@test "bad: ts in year 10000" { assert_bad forecast-ts-year-10000; }
@test "bad: ts in month 13" { assert_bad forecast-ts-month-13; }
@test "bad: ts on February 30" { assert_bad forecast-ts-february-30; }
@test "bad: ts in Unix seconds past 9999" { assert_bad forecast-ts-epoch-out-of-range; }
@test "bad: line number counts a newline inside quotes" { assert_bad forecast-line-after-quoted-newline; }
@test "bad: line number with CRLF line ends" { assert_bad forecast-line-crlf; }
@test "bad: line number with bare CR line ends" { assert_bad forecast-line-cr; }
@test "bad: line number after a byte order mark" { assert_bad forecast-line-bom; }
@test "bad: NDJSON line number counts blank lines" { assert_bad forecast-ndjson-blank-lines; }
@test "bad: NDJSON line number with CRLF line ends" { assert_bad forecast-ndjson-line-crlf; }
@test "bad: NDJSON line number with bare CR line ends" { assert_bad forecast-ndjson-line-cr; }
@test "bad: one timestamp per key, so no step to detect" { assert_bad forecast-step-undetectable; }
@test "bad: binary garbage (a PNG header, NUL bytes)" { assert_bad forecast-binary-garbage; }
@test "bad: rps 1e400, beyond a double" { assert_bad forecast-rps-overflow; }

@test "bad: every case in testdata/bad has its .err and .status and a test here" {
	local f name
	for f in testdata/bad/forecast-*; do
		name=${f##*/}
		name=${name%.*}
		# events files (-e) are run by tests/12-models.bats
		case $name in forecast-events-*) continue ;; esac
		[ -f "testdata/bad/$name.err" ] || fail "testdata/bad/$name.err missing"
		[ -f "testdata/bad/$name.status" ] || fail "testdata/bad/$name.status missing"
		grep -q "assert_bad $name;" "$BATS_TEST_FILENAME" || fail "no test for testdata/bad/$name"
	done
}

# --- empty input, line ends, byte order mark ------------------------------

@test "empty input: status 0, the header only" {
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr pcs-forecast "$BATS_TEST_TMPDIR/empty"
	assert_success
	assert_equal "$stderr" ""
	assert_output "issued,group,region,horizon_s,target,mean,p50,p90,p95,p99,model,anomaly_score,anomaly"
	run_stdin /dev/null pcs-forecast
	assert_success
	assert_output "issued,group,region,horizon_s,target,mean,p50,p90,p95,p99,model,anomaly_score,anomaly"
	run_stdin /dev/null pcs-forecast -o ndjson
	assert_success
	assert_output ""
	run_stdin /dev/null pcs-forecast --no-header
	assert_success
	assert_output ""
}

@test "header-only input: status 0, the header only" {
	printf 'ts,group,region,rps\n' >"$BATS_TEST_TMPDIR/header.csv"
	run --separate-stderr pcs-forecast -q 0.1,0.9 "$BATS_TEST_TMPDIR/header.csv"
	assert_success
	assert_equal "$stderr" ""
	assert_output "issued,group,region,horizon_s,target,mean,p10,p90,model,anomaly_score,anomaly"
	run --separate-stderr pcs-forecast --score "$BATS_TEST_TMPDIR/header.csv"
	assert_success
	assert_output "ts,group,region,rps,expected,anomaly_score,anomaly,direction"
	run --separate-stderr pcs-forecast -o ndjson "$BATS_TEST_TMPDIR/header.csv"
	assert_success
	assert_output ""
}

@test "CRLF line ends: the same output as LF" {
	sed 's/$/\r/' testdata/metrics.csv >"$BATS_TEST_TMPDIR/crlf.csv"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast "$BATS_TEST_TMPDIR/crlf.csv" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "bare CR line ends: the same output as LF" {
	tr '\n' '\r' <testdata/metrics.csv >"$BATS_TEST_TMPDIR/cr.csv"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast "$BATS_TEST_TMPDIR/cr.csv" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "a UTF-8 byte order mark: the same output as without" {
	{ printf '\357\273\277'; cat testdata/metrics.csv; } >"$BATS_TEST_TMPDIR/bom.csv"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast "$BATS_TEST_TMPDIR/bom.csv" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "NDJSON with CRLF line ends and a byte order mark: the same output as LF" {
	{ printf '\357\273\277'; metrics_ndjson | sed 's/$/\r/'; } >"$BATS_TEST_TMPDIR/crlf.ndjson"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast "$BATS_TEST_TMPDIR/crlf.ndjson" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "NDJSON with bare CR line ends: the same output as LF" {
	metrics_ndjson | tr '\n' '\r' >"$BATS_TEST_TMPDIR/cr.ndjson"
	pcs-forecast testdata/metrics.csv >"$BATS_TEST_TMPDIR/want"
	pcs-forecast "$BATS_TEST_TMPDIR/cr.ndjson" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

# --- standard output, --skip-bad, unreadable operands ---------------------

@test "a closed stdout (| head -1) ends quietly with status 0" {
	run bash -c 'set -o pipefail; pcs-forecast --score testdata/metrics.csv testdata/nasa-5m.csv | head -1'
	assert_success
	assert_output "ts,group,region,rps,expected,anomaly_score,anomaly,direction"
}

@test "a closed stdout in NDJSON forecasts ends quietly with status 0" {
	run bash -c 'set -o pipefail; pcs-forecast -o ndjson -H 5m..48h testdata/metrics.csv testdata/nasa-5m.csv | head -1'
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^\{"issued":"2026-11-24T23:55:00Z","group":"api","region":"eu","horizon_s":300,.*\}$'
}

@test "/dev/full as stdout: status 1 and a write error" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c 'pcs-forecast --score testdata/metrics.csv >/dev/full'
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: write error: No space left on device"
}

@test "/dev/full as stdout with only a header to write: status 1 and a write error" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c 'pcs-forecast /dev/null >/dev/full'
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: write error: No space left on device"
}

@test "--skip-bad reports and skips each bad row, counts them, exits 0" {
	cd testdata/forecast
	# --score reads values below zero: the row of -2 is scored
	run --separate-stderr pcs-forecast --skip-bad --no-header --score skip-bad.csv
	assert_success
	assert_output "$(printf '%s\n' '2026-11-21T00:00:00Z,web,*,1,,,0,' \
		'2026-11-21T00:05:00Z,web,*,-2,1,0,0,' '2026-11-21T00:10:00Z,web,*,3,-2,0,0,')"
	assert_equal "${stderr##*$'\n'}" "pcs-forecast: 5 bad rows skipped"
	# a forecast reads rates: the row of -2 is skipped with the others
	run --separate-stderr pcs-forecast --skip-bad --no-header --step 5m -H 5m skip-bad.csv
	assert_success
	assert_equal "$stderr" "$(cat <<'EOF'
pcs-forecast: skip-bad.csv:3: column 'rps': not a number: "abc" (skipped)
pcs-forecast: skip-bad.csv:4: expected 3 fields, found 4 (skipped)
pcs-forecast: skip-bad.csv:5: column 'rps': negative value: "-2" (skipped)
pcs-forecast: skip-bad.csv:6: column 'ts': not a timestamp: "yesterday" (skipped)
pcs-forecast: skip-bad.csv:7: column 'rps': not a finite number: "NaN" (skipped)
pcs-forecast: skip-bad.csv:8: column 'group': empty (skipped)
pcs-forecast: 6 bad rows skipped
EOF
)"
}

@test "--skip-bad: one bad row is counted in the singular" {
	run_stdin testdata/bad/forecast-rps-nan.csv pcs-forecast --skip-bad --no-header --step 5m -H 5m
	assert_success
	assert_output '2026-11-21T00:00:00Z,web,*,300,2026-11-21T00:05:00Z,1,1,1,1,1,naive,0,0'
	assert_equal "$stderr" "$(printf '%s\n' \
		'pcs-forecast: <stdin>:3: column '\''rps'\'': not a finite number: "NaN" (skipped)' \
		'pcs-forecast: 1 bad row skipped')"
}

@test "--skip-bad skips NDJSON lines that are not JSON objects" {
	printf '%s\n' '{"ts":"2026-11-21T00:00:00Z","group":"web","rps":1}' '{oops' '[1]' '' \
		'{"ts":"2026-11-21T00:05:00Z","group":"web","rps":3}' >"$BATS_TEST_TMPDIR/in.ndjson"
	run_stdin "$BATS_TEST_TMPDIR/in.ndjson" pcs-forecast --skip-bad --no-header --score
	assert_success
	assert_output "$(printf '%s\n' '2026-11-21T00:00:00Z,web,*,1,,,0,' '2026-11-21T00:05:00Z,web,*,3,1,0,0,')"
	assert_equal "${#stderr_lines[@]}" 3
	assert_regex "${stderr_lines[0]}" "^pcs-forecast: <stdin>:2: not JSON: .* \\(skipped\\)\$"
	assert_equal "${stderr_lines[1]}" "pcs-forecast: <stdin>:3: not a JSON object (skipped)"
	assert_equal "${stderr_lines[2]}" "pcs-forecast: 2 bad rows skipped"
}

@test "--skip-bad does not skip a header without a required column" {
	cd testdata/bad
	run --separate-stderr pcs-forecast --skip-bad forecast-missing-group.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: forecast-missing-group.csv:1: missing column 'group'"
}

@test "a missing input file is reported, the other operands are read, status 1" {
	pcs-forecast testdata/nasa-5m.csv testdata/forecast/small.csv >"$BATS_TEST_TMPDIR/want"
	run --separate-stderr pcs-forecast testdata/nasa-5m.csv "$BATS_TEST_TMPDIR/nope.csv" testdata/forecast/small.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: $BATS_TEST_TMPDIR/nope.csv: No such file or directory"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "an unreadable operand (a directory) is reported, the other operands are read, status 1" {
	pcs-forecast testdata/nasa-5m.csv >"$BATS_TEST_TMPDIR/want"
	run --separate-stderr pcs-forecast testdata/forecast testdata/nasa-5m.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: testdata/forecast: read error: Is a directory"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
	assert_file_equal "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}
