#!/usr/bin/env bats
# Property tests of the binaries (issue #7): adversarial metrics streams
# (constant, all zero, one row, two rows, 1e300 and 1e-300 rates, huge and
# tiny mixed, zeros and 1e300 mixed, steps up and down, spikes, gaps of days,
# time going backwards, shuffled rows with duplicate timestamps, a random
# walk, a daily cycle with noise), written in setup_file, each run through
# the live pipeline (pcs-forecast | pcs-risk --current | pcs-shadow-plan,
# then pcs-route-weights --plan in every output format), through pcs-replay,
# and through pcs-retrain (its report, its model file used by pcs-forecast
# -m, --drift).  Whatever the input:
#
#   - no tool crashes (status >= 128) or reports a sanitizer error; a
#     metrics stream in the documented format is read with status 0, and
#     any other failure is the documented one (status 1, a message naming
#     the file and line);
#   - no output holds nan, inf or infinity, and every number a column
#     promises is there (only the columns documented as possibly empty may
#     be: lead_time_s, and the scores without data of the report);
#   - quantile columns are non-negative and non-decreasing on each row;
#     probabilities and anomaly scores are in [0,1];
#   - the shares of each group sum to 1 and its weights to the format's
#     total (1000, Route 53 255, HAProxy 256) when any POP has a share.
#
# The generic unit test is tests/unit/test_property.c, which drives the
# library with the same families and seeded random ones.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

FAMILIES="constant zero one-row two-rows huge tiny huge-tiny zero-huge step-up step-down spikes
	gaps-of-days backwards shuffled-duplicates walk seasonal"

# family NAME: the metrics stream of a family on stdout: ts,group,rps,region,
# two keys (web eu, web us), a 5-minute step, 600 slots (two days and two
# hours); deterministic (awk's srand with a fixed seed).
family() {
	awk -v f="$1" 'BEGIN {
		srand(7); t0 = 1795219200; n = 600; pi = 3.14159265358979
		print "ts,group,rps,region"
		if (f == "one-row") { print t0 ",web,12.5,eu"; exit }
		if (f == "two-rows") { print t0 ",web,0,eu"; print t0 + 300 ",web,1e300,eu"; exit }
		for (i = 0; i < n; i++) {
			d = sin(2 * pi * (i % 288) / 288)
			for (k = 0; k < 2; k++) {
				r = k ? "us" : "eu"
				v = 100 + 50 * d + 10 * k
				if (f == "constant") v = 42
				else if (f == "zero") v = 0
				else if (f == "huge") v = 1e300 * (1.5 + d)
				else if (f == "tiny") v = 1e-300 * (1.5 + d)
				else if (f == "huge-tiny") v = i % 2 ? 1e300 : 1e-300
				else if (f == "zero-huge") v = i % 3 ? 0 : 1e300
				else if (f == "step-up") v = i < 450 ? 100 : 1e5
				else if (f == "step-down") v = i < 450 ? 1e4 : 0
				else if (f == "spikes") v = (i % 97 == 13) ? 1e300 : (i % 41 == 5 ? 1e6 : v)
				else if (f == "walk") { w[k] += 20 * (rand() - 0.5); v = w[k] < 0 ? -w[k] : w[k] }
				else if (f == "seasonal") v = v + 20 * (rand() - 0.5)
				ts = t0 + i * 300
				if (f == "gaps-of-days") {
					if (i >= 100 && i < 500 && i != 300) continue
					ts = t0 + i * 300 + (i >= 300 ? 3 * 86400 : 0) + (i >= 500 ? 2 * 86400 : 0)
				}
				if (f == "backwards") { row[n * 2 - 1 - (i * 2 + k)] = ts "," "web," v "," r; continue }
				if (f == "shuffled-duplicates") {
					row[i * 2 + k] = ts ",web," v "," r
					dup[i * 2 + k] = ts ",web," (v * 2) "," r
					continue
				}
				print ts ",web," v "," r
			}
		}
		if (f == "backwards")
			for (j = 0; j < n * 2; j++) print row[j]
		if (f == "shuffled-duplicates") {
			# each row twice (the second value wins), in a shuffled order
			for (j = 0; j < n * 2; j++) { a = int(rand() * n * 2); x = row[j]; row[j] = row[a]; row[a] = x }
			for (j = 0; j < n * 2; j++) { print row[j]; if (j % 3 == 0) print dup[j] }
		}
	}'
}

setup_file() {
	local F=$BATS_FILE_TMPDIR f i

	for i in pcs-forecast pcs-risk pcs-shadow-plan pcs-route-weights pcs-replay pcs-retrain; do
		[ -x "$PCS_BIN/$i" ] || {
			echo "no executable $i in PCS_BIN=$PCS_BIN (run make)" >&2
			return 1
		}
	done
	for f in $FAMILIES; do
		family "$f" >"$F/$f.csv" || return 1
	done
	# POPs with no load, no capacity and a capacity of 1e300
	cat >"$F/capacity.csv" <<-'EOF'
		pop,group,region,capacity_rps,load_rps,cpu,mem,bw
		fra,web,eu,520,430,0.71,0.55,0.40
		ams,web,eu,600,0,0,0,0
		iad,web,us,1e300,1e299,0.5,0.5,0.5
		sfo,web,us,0,0,0,0,0
	EOF
	cat >"$F/topology.csv" <<-'EOF'
		pop,group,service,role,region,instance_rps,instances,max_instances,boot_s,warm_s,rtt_ms,cost_per_hour,warm_cost_frac
		fra,web,edge,primary,eu,50,10,20,180,20,0,0.40,0.1
		ams,web,edge,primary,eu,50,12,16,180,20,0,0.40,0.1
		par,web,edge,secondary,eu,50,2,12,180,20,9,0.42,0.1
		ord,web,edge,secondary,us,1e-3,0,100000,180,20,22,0.33,0.1
	EOF
	# health of the POPs of the plan, over two ticks, with extremes
	cat >"$F/health.csv" <<-'EOF'
		ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate,requests
		2026-11-23T02:00:00Z,web,fra,520,500,1e-300,0.001,30000
		2026-11-23T02:00:00Z,web,ams,1e300,1e300,40,0,1e300
		2026-11-23T02:00:00Z,web,par,0,0,0,0,0
		2026-11-23T02:00:00Z,web,ord,600,0,1e300,1,0
		2026-11-23T02:01:00Z,web,fra,520,500,60,0.001,30000
		2026-11-23T02:01:00Z,web,ams,1e-300,0,1e300,0,0
		2026-11-23T02:01:00Z,web,par,600,0,35,0,0
		2026-11-23T02:01:00Z,web,ord,1e300,1e300,1e-300,0.5,1e300
	EOF
}

# --- checks ----------------------------------------------------------------

# sane TOOL [REGEX]: after `run --separate-stderr`, no crash and no
# sanitizer report; status 0, or 1 with pcs-TOOL: FILE:LINE: as documented,
# or a documented error about the whole input that REGEX matches
sane() {
	[ "$status" -lt 128 ] || fail "$FAM: $1 crashed: status $status"$'\n'"$stderr"
	case $stderr in
	*AddressSanitizer* | *LeakSanitizer* | *"runtime error"*) fail "$FAM: $1: sanitizer report"$'\n'"$stderr" ;;
	esac
	[ "$status" -eq 0 ] && return 0
	[ "$status" -eq 1 ] || fail "$FAM: $1: status $status"$'\n'"$stderr"
	[[ ${stderr_lines[0]} =~ ^$1:\ [^:]+:[0-9]+:\  ]] || [[ -n $2 && $stderr =~ $2 ]] ||
		fail "$FAM: $1: status 1 without FILE:LINE:"$'\n'"$stderr"
}

# step FAMILY: the option a family needs: one row has no step to detect
# (pcs-forecast(1): "When no key has two distinct timestamps, the step
# cannot be detected and --step must be given"; checked below)
step() {
	[ "$1" = one-row ] && echo --step=5m
	return 0
}

# finite FILE: no nan, inf or infinity token anywhere
finite() {
	if grep -Eiw -m 3 'nan|[-+]?inf|[-+]?infinity' "$1"; then
		fail "$FAM: non-finite numbers in $1"
	fi
}

# columns FILE AWK-PROGRAM: run the program over a CSV file with -F, and
# with c[NAME] the index of each header column; it prints what is wrong
columns() {
	local bad

	bad=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		function num(x) { return x != "" && x + 0 == x + 0 && x ~ /^[-+0-9.eE]+$/ }
		'"$2" "$1" | head -n 5)
	[ -z "$bad" ] || fail "$FAM: $1:"$'\n'"$bad"
}

check_forecast() {
	finite "$1"
	columns "$1" 'FNR == 2 { for (n in c) if (n ~ /^p[0-9.]+$/) q[c[n]] = 1 }
	{
		prev = -1
		for (i = 1; i <= NF; i++) if (i in q) {
			if (!num($i) || $i < 0) print NR ": quantile in column " i " not a number >= 0: " $i
			else if ($i + 0 < prev) print NR ": quantiles cross at column " i ": " $0
			prev = $i + 0
		}
		if (!num($c["mean"]) || $c["mean"] < 0) print NR ": mean " $c["mean"]
		s = $c["anomaly_score"]; if (!num(s) || s < 0 || s > 1) print NR ": anomaly_score " s
	}'
}

check_risk() {
	finite "$1"
	columns "$1" '{
		for (n in c) if (n != "group" && n != "pop" && n != "target" && n != "level" && !num($c[n]))
			print NR ": " n " empty or not a number: " $c[n]
		if ($c["p_exceed"] < 0 || $c["p_exceed"] > 1 || $c["risk"] < 0 || $c["risk"] > 1) print NR ": " $0
		if ($c["demand_p50"] < 0 || $c["demand_p50"] + 0 > $c["demand_p99"] + 0) print NR ": demand " $0
		if ($c["expected_shortfall_rps"] < 0) print NR ": shortfall " $0
	}'
}

check_plan() {
	finite "$1"
	# instances, the 8th column, comes before the quoted reason
	columns "$1" '{ if ($8 !~ /^[0-9]+$/) print NR ": instances " $8 }'
}

# check_weights FILE: shares in [0,1] summing to 1 per (ts, group), weights
# to 1000, when any POP has a share
check_weights() {
	finite "$1"
	columns "$1" '{
		if (!num($5) || $5 < 0 || $5 > 1 + 1e-12) print NR ": share " $5
		if ($4 !~ /^[0-9]+$/) print NR ": weight " $4
		k = $1 SUBSEP $2; s[k] += $5; w[k] += $4
	}
	END { for (k in s) if (s[k] > 0 && (s[k] < 1 - 1e-9 || s[k] > 1 + 1e-9 || w[k] != 1000))
		print "shares sum to " s[k] ", weights to " w[k] }'
}

# pipeline FAMILY: forecast, risk, plan, weights in every format
pipeline() {
	local F=$BATS_FILE_TMPDIR d=$BATS_TEST_TMPDIR in=$BATS_FILE_TMPDIR/$1.csv fmt

	# shellcheck disable=SC2046  # step's option, or nothing
	run --separate-stderr pcs-forecast $(step "$1") "$in"
	sane pcs-forecast
	assert_equal "$status" 0
	printf '%s\n' "$output" >"$d/forecast.csv"
	check_forecast "$d/forecast.csv"
	[ "${#lines[@]}" -gt 1 ] || fail "no forecast rows"

	run_stdin "$d/forecast.csv" pcs-risk --current -c "$F/capacity.csv"
	sane pcs-risk
	assert_equal "$status" 0
	printf '%s\n' "$output" >"$d/risk.csv"
	check_risk "$d/risk.csv"

	run --separate-stderr pcs-shadow-plan -t "$F/topology.csv" --state "$d/plan.state" "$d/risk.csv"
	sane pcs-shadow-plan
	assert_equal "$status" 0
	printf '%s\n' "$output" >"$d/plan.csv"
	check_plan "$d/plan.csv"

	run --separate-stderr pcs-route-weights --each-tick --plan "$d/plan.csv" "$F/health.csv"
	sane pcs-route-weights
	assert_equal "$status" 0
	printf '%s\n' "$output" >"$d/weights.csv"
	check_weights "$d/weights.csv"
	for fmt in envoy-eds route53 haproxy ndjson; do
		run --separate-stderr pcs-route-weights -f "$fmt" --plan "$d/plan.csv" "$F/health.csv"
		sane pcs-route-weights
		assert_equal "$status" 0
		printf '%s\n' "$output" >"$d/weights.$fmt"
		finite "$d/weights.$fmt"
	done
	# HAProxy: the weights of the servers in service sum to 256
	awk '$1 == "set" && $4 == "weight" { split($3, b, "/"); s[b[1]] += $5 }
		END { for (k in s) if (s[k] != 256 && s[k] != 0) { print k ": " s[k]; bad = 1 } exit bad }' \
		"$d/weights.haproxy" || fail "HAProxy weights do not sum to 256"
	# Route 53: the weights of a change batch sum to 255
	grep -o '"Weight":[0-9]*' "$d/weights.route53" | awk -F: '{ s += $2 } END { exit !(s == 255 || s == 0) }' ||
		fail "Route 53 weights do not sum to 255"
}

@test "families: the live pipeline: no crash, finite numbers, quantiles in order, shares summing to 1" {
	# (FAM names the family in the messages: a function called with ||
	# would run without set -e, so the checks are called bare)
	for FAM in $FAMILIES; do
		pipeline "$FAM"
	done
}

@test "families: pcs-replay: finite summaries, dropped within offered, or the documented warm-up error" {
	local f F=$BATS_FILE_TMPDIR

	for f in $FAMILIES; do
		FAM=$f
		# shellcheck disable=SC2046
		run --separate-stderr pcs-replay $(step "$f") -t "$F/topology.csv" "$F/$f.csv"
		sane pcs-replay
		if [ "$status" -ne 0 ]; then
			# one or two rows leave nothing after the warm-up
			case $f in one-row | two-rows) assert_regex "$stderr" 'warm-up' && continue ;; esac
			fail "$f: $stderr"
		fi
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/$f.summary"
		finite "$BATS_TEST_TMPDIR/$f.summary"
		columns "$BATS_TEST_TMPDIR/$f.summary" '{
			for (n in c) if (n != "policy" && n != "lead_time_s" && (!num($c[n]) || $c[n] < 0))
				print NR ": " n " " $c[n]
			if ($c["dropped"] > $c["offered"] * (1 + 1e-9) || $c["dropped_pct"] > 100 + 1e-9) print NR ": " $0
		}'
	done
}

@test "families: pcs-retrain, pcs-forecast -m and --drift: finite, quantiles in order" {
	local f F=$BATS_FILE_TMPDIR d=$BATS_TEST_TMPDIR

	for f in $FAMILIES; do
		FAM=$f
		# shellcheck disable=SC2046
		run --separate-stderr pcs-retrain $(step "$f") --report "$d/$f.report" --out "$d/$f.json" "$F/$f.csv"
		sane pcs-retrain 'too short for any backtest origin'
		if [ "$status" -ne 0 ]; then
			# too short for a single backtest origin (pcs-retrain(1))
			case $f in one-row | two-rows) assert_regex "$stderr" 'too short' && continue ;; esac
			fail "$f: $stderr"
		fi
		finite "$d/$f.report"
		finite "$d/$f.json"
		# shellcheck disable=SC2046
		run --separate-stderr pcs-forecast $(step "$f") -m "$d/$f.json" "$F/$f.csv"
		sane pcs-forecast
		assert_equal "$status" 0
		printf '%s\n' "$output" >"$d/$f.forecast"
		check_forecast "$d/$f.forecast"
		# shellcheck disable=SC2046
		run --separate-stderr pcs-retrain $(step "$f") --drift "$d/$f.json" "$F/$f.csv"
		sane pcs-retrain
		[ "$status" -eq 0 ] || [ "$status" -eq 3 ] || fail "$f: --drift status $status: $stderr"
		printf '%s\n' "$output" >"$d/$f.drift"
		finite "$d/$f.drift"
	done
}

@test "families: --score: scores in [0,1], empty only together with expected" {
	local f F=$BATS_FILE_TMPDIR

	for f in $FAMILIES; do
		FAM=$f
		# shellcheck disable=SC2046
		run --separate-stderr pcs-forecast $(step "$f") --score "$F/$f.csv"
		sane pcs-forecast
		assert_equal "$status" 0
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/$f.score"
		finite "$BATS_TEST_TMPDIR/$f.score"
		columns "$BATS_TEST_TMPDIR/$f.score" '{
			e = $c["expected"]; s = $c["anomaly_score"]
			if ((e == "") != (s == "")) print NR ": expected \"" e "\" but anomaly_score \"" s "\""
			if (s != "" && (!num(s) || s < 0 || s > 1)) print NR ": anomaly_score " s
			if (e != "" && !num(e)) print NR ": expected " e
		}'
	done
}

@test "one row and no --step: the documented error of every tool that detects the step" {
	local t

	for t in pcs-forecast pcs-replay pcs-retrain; do
		FAM=one-row
		if [ "$t" = pcs-replay ]; then
			run --separate-stderr "$t" -t "$BATS_FILE_TMPDIR/topology.csv" "$BATS_FILE_TMPDIR/one-row.csv"
		else
			run --separate-stderr "$t" "$BATS_FILE_TMPDIR/one-row.csv"
		fi
		assert_equal "$status" 1
		assert_equal "${stderr_lines[0]}" "$t: cannot detect the step from one timestamp per key; give --step"
	done
}

@test "health going backwards after a closed tick: status 1 naming the line, not a silent skip" {
	local h=$BATS_TEST_TMPDIR/back.csv

	{
		cat "$BATS_FILE_TMPDIR/health.csv"
		echo 2026-11-23T02:00:30Z,web,fra,520,500,60,0.001,30000
	} >"$h"
	run --separate-stderr pcs-route-weights "$h"
	sane pcs-route-weights
	assert_equal "$status" 1
	assert_equal "$stderr" \
		"pcs-route-weights: $h:10: column 'ts': time went backwards: the stream must be in time order"
}

@test "a forecast stream of 1e308 quantiles: pcs-risk stays finite" {
	local d=$BATS_TEST_TMPDIR

	{
		echo issued,group,region,horizon_s,target,mean,p50,p90,p95,p99,model,anomaly_score,anomaly
		echo 2026-11-23T01:55:00Z,web,eu,300,2026-11-23T02:00:00Z,1,1e308,1.5e308,1.7e308,1.79e308,naive,0,0
		echo 2026-11-23T01:55:00Z,web,us,300,2026-11-23T02:00:00Z,1,1e308,1.5e308,1.7e308,1.79e308,naive,0,0
	} >"$d/f.csv"
	printf '%s\n' pop,group,capacity_rps,load_rps fra,web,520,430 ams,web,600,0 >"$d/c.csv"
	run --separate-stderr pcs-risk -c "$d/c.csv" "$d/f.csv"
	sane pcs-risk
	assert_equal "$status" 0
	printf '%s\n' "$output" >"$d/risk.csv"
	check_risk "$d/risk.csv"
}
