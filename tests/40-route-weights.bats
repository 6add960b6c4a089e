#!/usr/bin/env bats
# pcs-route-weights against its contract (lib/pcs_route.h, lib/pcs_state.h,
# --help): scenarios as small health streams in testdata/route/<name>/,
# played with --each-tick and run by run on a state file
# (testdata/route/run-scenario.sh, goldens in testdata/golden/route-*), the
# invariants on every tick (testdata/route/invariants.awk, slew.awk),
# breakers (trip, half-open, backoff, panic, low traffic), shadows from the
# stream and from a plan, reruns, state file errors and locking, bad input,
# usage errors, and the draws of --pick.  The router formats are checked
# against the real routers in 45-routers.bats.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

setup_file() {
	[ -x "$PCS_BIN/pcs-route-weights" ] || {
		echo "no executable pcs-route-weights in PCS_BIN=$PCS_BIN (run make)" >&2
		return 1
	}
}

HEADER=ts,group,pop,weight,share,breaker,shadow,reason
# every scenario under testdata/route; plan is played run by run only
SCENARIOS="latency failing recovery repeated relapse panic shadow plan low-traffic"

# --- helpers -------------------------------------------------------------

# play [--state] SCENARIO
# Play testdata/route/SCENARIO (with --each-tick, or run by run on a state
# file) into $BATS_TEST_TMPDIR/SCENARIO.csv; it must exit 0 and say nothing
# on stderr.
play() {
	local name=${!#} rc=0 opt=()

	[ $# -gt 1 ] && opt=("$1")
	sh testdata/route/run-scenario.sh "${opt[@]}" "testdata/route/$name" >"$BATS_TEST_TMPDIR/$name.csv" \
		2>"$BATS_TEST_TMPDIR/$name.err" || rc=$?
	assert_equal "$(cat "$BATS_TEST_TMPDIR/$name.err")" ""
	assert_equal "$rc" 0
}

# step_of SCENARIO: the --max-step of the scenario's args, else the default
step_of() {
	local s=''

	[ -f "testdata/route/$1/args" ] &&
		s=$(sed -n 's/.*--max-step \([^ ]*\).*/\1/p' "testdata/route/$1/args")
	echo "${s:-0.1}"
}

# track POP FILE: "ts share breaker" of POP at every tick of a weights CSV
track() {
	run awk -F, -v p="$1" '$3 == p { print $1, $5, $6 }' "$2"
	assert_success
}

# weights [OPTION ...] FILE: pcs-route-weights --each-tick OPTION ... FILE
# into $BATS_TEST_TMPDIR/w.csv (exit 0, nothing on stderr)
weights() {
	local rc=0

	pcs-route-weights --each-tick "$@" >"$BATS_TEST_TMPDIR/w.csv" 2>"$BATS_TEST_TMPDIR/w.err" || rc=$?
	assert_equal "$(cat "$BATS_TEST_TMPDIR/w.err")" ""
	assert_equal "$rc" 0
}

# split_ticks SCENARIO: testdata/route/SCENARIO/health.csv as one file per
# tick, $BATS_TEST_TMPDIR/tick-001.csv ..., each with the header
split_ticks() {
	awk -F, -v dir="$BATS_TEST_TMPDIR" '
		NR == 1 { header = $0; next }
		$1 != ts {
			if (f != "") close(f)
			ts = $1; f = sprintf("%s/tick-%03d.csv", dir, ++n); print header >f
		}
		{ print >f }' "testdata/route/$1/health.csv"
}

# feed N [OPTION ...]: ticks 1..N of the last split_ticks, one run each, on
# the state file $BATS_TEST_TMPDIR/state.json, output discarded
feed() {
	local n=$1 i

	shift
	for ((i = 1; i <= n; i++)); do
		pcs-route-weights --state "$BATS_TEST_TMPDIR/state.json" "$@" \
			"$(printf '%s/tick-%03d.csv' "$BATS_TEST_TMPDIR" "$i")" >/dev/null ||
			fail "run $i failed"
	done
}

# tick_rows FILE TS: the header and the rows of tick TS of a weights CSV
tick_rows() {
	awk -F, -v ts="$2" 'NR == 1 || $1 == ts' "$1"
}

# assert_bad_health NAME
# testdata/bad/NAME.csv (or .ndjson) as the health stream, with a state file
# that must not be created: exactly NAME.err and the status in NAME.status,
# read as a file operand and again from standard input (named <stdin>).
assert_bad_health() {
	local input want_err want_status

	cd testdata/bad || return 1
	bad_case "$1"
	run --separate-stderr pcs-route-weights --state "$BATS_TEST_TMPDIR/state.json" "$input"
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	[ ! -e "$BATS_TEST_TMPDIR/state.json" ] || fail "a failed run wrote the state file"
	run_stdin "$input" pcs-route-weights
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
}

# assert_bad_plan NAME
# testdata/bad/NAME.csv as the --plan stream for a good health stream:
# exactly NAME.err, the status in NAME.status, nothing on stdout, no state
# written; as --plan FILE and again as --plan - on standard input.
assert_bad_plan() {
	local input want_err want_status

	cd testdata/bad || return 1
	bad_case "$1"
	run --separate-stderr pcs-route-weights --state "$BATS_TEST_TMPDIR/state.json" --plan "$input" \
		../route/plan/health.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	[ ! -e "$BATS_TEST_TMPDIR/state.json" ] || fail "a failed run wrote the state file"
	run_stdin "$input" pcs-route-weights --plan - ../route/plan/health.csv
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
}

# assert_bad_state NAME: testdata/bad/NAME.json as the state file
# (assert_bad_state_file)
assert_bad_state() {
	assert_bad_state_file "$1" pcs-route-weights "$TESTDATA/route/failing/health.csv"
}

# chi_square WEIGHTS DRAWS
# Pearson's chi-square of the draws of --pick (CSV without header: ts,
# group, draw, pop) against the shares of a weights CSV without header (one
# group): df = POPs with a share - 1, failing above the 0.001 critical value
# (df 1..10, from the chi-square table).  A POP with share 0 must never be
# drawn.  Prints "df D chi2 X critical C".
chi_square() {
	run awk -F, '
		NR == FNR { p[$3] = $5; next }
		{ c[$4]++; n++ }
		END {
			split("10.828 13.816 16.266 18.467 20.515 22.458 24.322 26.124 27.877 29.588", crit, " ")
			for (k in c)
				if (!(k in p) || p[k] == 0) { print "drew " k ", whose share is 0"; bad = 1 }
			for (k in p)
				if (p[k] > 0) { e = n * p[k]; x += (c[k] - e) ^ 2 / e; df++ }
			df--
			printf "df %d chi2 %.3f critical %s\n", df, x, crit[df]
			exit bad || df < 1 || x > crit[df]
		}' "$1" "$2"
}

# --- goldens (tests/make-goldens.sh regenerates them) ----------------------

@test "golden: latency climbing on one POP (--max-step 0.02)" {
	assert_golden route-latency.csv
}

@test "golden: a POP that starts failing" {
	assert_golden route-failing.csv
}

@test "golden: a failing POP that recovers through half_open" {
	assert_golden route-recovery.csv
}

@test "golden: a POP that keeps failing (--sleep 20s --max-sleep 50s)" {
	assert_golden route-repeated.csv
}

@test "golden: relapses soon after closing and long after (--max-sleep 60s)" {
	assert_golden route-relapse.csv
}

@test "golden: every POP failing (panic rule)" {
	assert_golden route-panic.csv
}

@test "golden: a shadow going active through the shadow column (--max-step 0.05)" {
	assert_golden route-shadow.csv
}

@test "golden: a shadow going active through --plan, run by run" {
	assert_golden route-plan.csv
}

@test "golden: a failing POP with too little traffic to trip" {
	assert_golden route-low-traffic.csv
}

@test "golden: the last tick of testdata/health.csv" {
	assert_golden route-default.csv
}

@test "golden: --each-tick on testdata/health.csv" {
	assert_golden route-each-tick.csv
}

@test "golden: -o ndjson --epoch" {
	assert_golden route-ndjson.ndjson
}

@test "golden: -f envoy-eds, an open breaker" {
	assert_golden route-envoy-eds.ndjson
}

@test "golden: -f route53" {
	assert_golden route-route53.ndjson
}

@test "golden: -f haproxy, an open breaker in maint" {
	assert_golden route-haproxy.txt
}

@test "golden: --pick 10 --seed 42" {
	assert_golden route-pick.csv
}

@test "goldens: every route-* golden listed is checked here" {
	assert_goldens_checked route-
}

@test "scenarios: every directory under testdata/route is played here" {
	local d
	for d in testdata/route/*/; do
		d=${d%/}
		d=${d##*/}
		[[ " $SCENARIOS " == *" $d "* ]] || fail "testdata/route/$d is not in SCENARIOS"
		grep -q "^route-$d.csv .*testdata/route/$d\$" testdata/golden/commands ||
			fail "testdata/route/$d has no golden"
	done
}

# --- invariants on every tick of every scenario ------------------------------

@test "invariants: shares in [0,1] summing to 1 per group and tick, weights summing to 1000, in every scenario" {
	local s
	for s in $SCENARIOS; do
		if [ "$s" = plan ]; then play --state plan; else play "$s"; fi
		run awk -f testdata/route/invariants.awk "$BATS_TEST_TMPDIR/$s.csv"
		[ "$status" -eq 0 ] || fail "scenario $s: $output"
	done
	weights testdata/health.csv
	run awk -f testdata/route/invariants.awk "$BATS_TEST_TMPDIR/w.csv"
	[ "$status" -eq 0 ] || fail "testdata/health.csv: $output"
}

@test "invariants: also under the options the scenarios below vary" {
	local opts
	while IFS='|' read -r opts file; do
		# shellcheck disable=SC2086
		weights $opts "$file"
		run awk -f testdata/route/invariants.awk "$BATS_TEST_TMPDIR/w.csv"
		[ "$status" -eq 0 ] || fail "$opts $file: $output"
	done <<-EOF
		--max-ejection 0.25|testdata/route/panic/health.csv
		--max-ejection 0|testdata/route/panic/health.csv
		--probe-share 0.2|testdata/route/recovery/health.csv
		--probe-successes 1|testdata/route/recovery/health.csv
		--window 30s|testdata/route/failing/health.csv
		--min-requests 12|testdata/route/low-traffic/health.csv
		--peak-ewma|testdata/route/latency/health.csv
		--capacity-weight 1 --latency-power 2|testdata/health.csv
		--shadow-bonus 1|testdata/route/shadow/health.csv
	EOF
}

@test "slew: no share moves by more than --max-step a tick, but on a tick where a breaker opens, in every scenario" {
	local s
	for s in $SCENARIOS; do
		if [ "$s" = plan ]; then play --state plan; else play "$s"; fi
		run awk -v step="$(step_of "$s")" -f testdata/route/slew.awk "$BATS_TEST_TMPDIR/$s.csv"
		[ "$status" -eq 0 ] || fail "scenario $s: $output"
	done
	weights testdata/health.csv
	run awk -v step=0.1 -f testdata/route/slew.awk "$BATS_TEST_TMPDIR/w.csv"
	[ "$status" -eq 0 ] || fail "testdata/health.csv: $output"
}

@test "the checkers catch what they are for (a sum of 0.9, weights of 999, a step of 0.2)" {
	printf '%s\n' "$HEADER" 't,g,a,500,0.5,closed,0,x' 't,g,b,400,0.4,closed,0,x' >"$BATS_TEST_TMPDIR/bad.csv"
	run awk -f testdata/route/invariants.awk "$BATS_TEST_TMPDIR/bad.csv"
	assert_failure
	assert_output "$(printf '%s\n' 't g: shares sum to 0.9' 't g: weights sum to 900')"
	printf '%s\n' "$HEADER" 't1,g,a,500,0.5,closed,0,x' 't1,g,b,500,0.5,closed,0,x' \
		't2,g,a,700,0.7,closed,0,x' 't2,g,b,300,0.3,closed,0,x' >"$BATS_TEST_TMPDIR/jump.csv"
	run awk -v step=0.1 -f testdata/route/slew.awk "$BATS_TEST_TMPDIR/jump.csv"
	assert_failure
	assert_line --index 0 --partial 'moved by 0.2'
}

# --- --state run by run is --each-tick -----------------------------------------

@test "--state, one run per tick, writes what --each-tick writes, tick by tick, in every scenario" {
	local s
	for s in $SCENARIOS; do
		[ "$s" = plan ] && continue   # its plans change from run to run
		play "$s"
		mv "$BATS_TEST_TMPDIR/$s.csv" "$BATS_TEST_TMPDIR/$s-each.csv"
		play --state "$s"
		assert_file_equal "$BATS_TEST_TMPDIR/$s-each.csv" "$BATS_TEST_TMPDIR/$s.csv"
	done
}

@test "--state fed a growing prefix of the stream (rows up to the last tick skipped as seen) writes the --each-tick ticks" {
	local i n ticks
	split_ticks recovery
	ticks=("$BATS_TEST_TMPDIR"/tick-*.csv)
	n=${#ticks[@]}
	head -n 1 testdata/route/recovery/health.csv >"$BATS_TEST_TMPDIR/prefix.csv"
	: >"$BATS_TEST_TMPDIR/got.csv"
	for ((i = 1; i <= n; i++)); do
		tail -n +2 "$(printf '%s/tick-%03d.csv' "$BATS_TEST_TMPDIR" "$i")" >>"$BATS_TEST_TMPDIR/prefix.csv"
		pcs-route-weights --no-header --state "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/prefix.csv" \
			>>"$BATS_TEST_TMPDIR/got.csv" || fail "run $i failed"
	done
	play recovery
	tail -n +2 "$BATS_TEST_TMPDIR/recovery.csv" >"$BATS_TEST_TMPDIR/want.csv"
	assert_file_equal "$BATS_TEST_TMPDIR/want.csv" "$BATS_TEST_TMPDIR/got.csv"
}

# --- (a) latency climbing ------------------------------------------------------

@test "latency: b's latency climbs 40 ms a tick; its share falls every tick, by at most --max-step 0.02, and the limit binds" {
	play latency
	track b "$BATS_TEST_TMPDIR/latency.csv"
	run awk -v step=0.02 '
		NR > 1 {
			d = prev - $2
			if (d < -1e-12) { print "rose: " $0; bad = 1 }
			if (d > step + 1e-9) { print "fell too far: " $0; bad = 1 }
			if (d > step - 1e-9) bound++
		}
		$3 != "closed" { print "breaker: " $0; bad = 1 }
		{ prev = $2 }
		END { printf "bound %d last %.4f\n", bound, prev; exit bad }' <<<"$output"
	assert_success
	# from 00:00:30 on, every tick the target is far below: 13 ticks at the limit
	assert_output "bound 13 last 0.0733"
}

@test "latency: a and c, alike, share what b gives up equally" {
	play latency
	run awk -F, '$3 == "a" { a[$1] = $5 } $3 == "c" { c[$1] = $5 }
		END { for (t in a) if (a[t] != c[t]) { print t, a[t], c[t]; bad = 1 } exit bad }' \
		"$BATS_TEST_TMPDIR/latency.csv"
	assert_success
}

@test "latency: the EWMA with tau 30s: 1 - exp(-10/30) of the step to 80 ms in the first tick" {
	# 40 + (80 - 40)(1 - e^(-1/3)) = 51.34 ms; l = 40/51.34 = 0.779;
	# target 0.779/2.779 = 0.2803, 0.053 below 1/3: the default step allows it
	weights testdata/route/latency/health.csv
	run grep '^2026-11-25T00:00:30Z,web,b,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output '2026-11-25T00:00:30Z,web,b,280,0.2803525528,closed,0,"capacity 0.333, headroom 0.333, latency 51.34ms (x0.779), errors 0 (x1)"'
}

@test "latency: --peak-ewma takes a rise at once" {
	weights --peak-ewma testdata/route/latency/health.csv
	run grep '^2026-11-25T00:00:30Z,web,b,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output --partial ',"capacity 0.333, headroom 0.333, latency 80ms (x0.5), errors 0 (x1)"'
}

# --- (b) a POP that starts failing --------------------------------------------------

@test "failing: b's breaker opens on the tick the window's error rate reaches 0.5; share 0; a and c renormalize to 0.5" {
	# b's error rate is 0.75 from 00:01:00; the 60s window holds 6 ticks of
	# 1000 requests: 3 bad at 00:01:20 is 0.375, 4 bad at 00:01:30 is 0.5
	play failing
	track b "$BATS_TEST_TMPDIR/failing.csv"
	assert_line --index 8 '2026-11-25T00:01:20Z 0.03333333333 closed'
	assert_line --index 9 '2026-11-25T00:01:30Z 0 open'
	run tick_rows "$BATS_TEST_TMPDIR/failing.csv" 2026-11-25T00:01:30Z
	assert_output "$HEADER
2026-11-25T00:01:30Z,web,a,500,0.5,closed,0,\"capacity 0.5, headroom 0.5, latency 40ms (x1), errors 0 (x1)\"
2026-11-25T00:01:30Z,web,b,0,0,open,0,\"breaker open: errors 0.5, slow 0 of 6000 requests in 60s; sleep 30s (trip 1)\"
2026-11-25T00:01:30Z,web,c,500,0.5,closed,0,\"capacity 0.5, headroom 0.5, latency 40ms (x1), errors 0 (x1)\""
}

@test "failing: before the trip b's share falls with its smoothed error rate, by the step" {
	play failing
	track b "$BATS_TEST_TMPDIR/failing.csv"
	assert_line --index 5 '2026-11-25T00:00:50Z 0.3333333333 closed'
	assert_line --index 6 '2026-11-25T00:01:00Z 0.2333333333 closed'
	assert_line --index 7 '2026-11-25T00:01:10Z 0.1333333333 closed'
}

@test "failing: --error-threshold 0.51: 0.5 no longer trips, 0.625 (5 bad of 6) does, a tick later" {
	weights --error-threshold 0.51 testdata/route/failing/health.csv
	track b "$BATS_TEST_TMPDIR/w.csv"
	assert_line --index 9 '2026-11-25T00:01:30Z 0 closed'
	assert_line --index 10 '2026-11-25T00:01:40Z 0 open'
	run grep '^2026-11-25T00:01:40Z,web,b,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output --partial '"breaker open: errors 0.625, slow 0 of 6000 requests in 60s; sleep 30s (trip 1)"'
}

@test "failing: --window 30s holds 3 ticks: 2 bad of 3 trip at 00:01:10" {
	weights --window 30s testdata/route/failing/health.csv
	track b "$BATS_TEST_TMPDIR/w.csv"
	assert_line --index 6 '2026-11-25T00:01:00Z 0.2333333333 closed'
	assert_line --index 7 '2026-11-25T00:01:10Z 0 open'
	run grep '^2026-11-25T00:01:10Z,web,b,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output --partial '"breaker open: errors 0.5, slow 0 of 3000 requests in 30s; sleep 30s (trip 1)"'
}

@test "failing: slow calls trip too: latency >= --slow-ms on half the window's requests" {
	# b at 1500 ms from 00:01:00 (errors 0): 3 slow ticks of 6 at 00:01:20
	awk -F, 'BEGIN { OFS = "," } NR > 1 && $3 == "b" && $1 >= "2026-11-25T00:01:00Z" { $7 = 0; $6 = 1500 } 1' \
		testdata/route/failing/health.csv >"$BATS_TEST_TMPDIR/slow.csv"
	weights "$BATS_TEST_TMPDIR/slow.csv"
	track b "$BATS_TEST_TMPDIR/w.csv"
	assert_line --index 7 --regexp '^2026-11-25T00:01:10Z [0-9.]+ closed$'
	assert_line --index 8 '2026-11-25T00:01:20Z 0 open'
	run grep '^2026-11-25T00:01:20Z,web,b,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output --partial '"breaker open: errors 0, slow 0.5 of 6000 requests in 60s; sleep 30s (trip 1)"'
	weights --slow-ms 1501 "$BATS_TEST_TMPDIR/slow.csv"
	run grep -c ',open,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output 0
}

# --- (c) recovery through half_open ---------------------------------------------------

@test "recovery: closed, open for --sleep 30s, half_open for 3 good probes, closed again" {
	play recovery
	run sh -c "awk -F, '\$3 == \"b\" { print \$6 }' '$BATS_TEST_TMPDIR/recovery.csv' | uniq -c | awk '{ print \$1, \$2 }'"
	assert_output "$(printf '%s\n' '9 closed' '3 open' '3 half_open' '11 closed')"
	run awk -F, '$3 == "b" && $6 == "half_open" { print $1, $4, $5, $8 }' "$BATS_TEST_TMPDIR/recovery.csv"
	assert_output "$(printf '%s\n' \
		'2026-11-25T00:02:00Z 50 0.05 half_open: probe 0 of 3 good' \
		'2026-11-25T00:02:10Z 50 0.05 half_open: probe 1 of 3 good' \
		'2026-11-25T00:02:20Z 50 0.05 half_open: probe 2 of 3 good')"
}

@test "recovery: once closed, b's share ramps from the probe share by at most --max-step a tick, up to its target" {
	play recovery
	track b "$BATS_TEST_TMPDIR/recovery.csv"
	run awk '
		$3 == "closed" && seen { n++
			if ($2 - prev > 0.1 + 1e-9) { print "jumped: " $0; bad = 1 }
			if ($2 < prev - 1e-12) { print "fell: " $0; bad = 1 }
			if ($2 > 1/3 + 1e-9) { print "above its target: " $0; bad = 1 }
		}
		$3 == "half_open" { seen = 1 }
		{ prev = $2 }
		END { printf "ramp %d last %.3f\n", n, prev; exit bad }' <<<"$output"
	assert_success
	assert_output "ramp 11 last 0.332"
	track b "$BATS_TEST_TMPDIR/recovery.csv"
	assert_line --index 15 '2026-11-25T00:02:30Z 0.15 closed'
	assert_line --index 16 '2026-11-25T00:02:40Z 0.25 closed'
}

@test "recovery: --probe-share 0.2 gives the half-open POP 0.2; --probe-successes 1 closes it after one good probe" {
	weights --probe-share 0.2 testdata/route/recovery/health.csv
	run awk -F, '$3 == "b" && $6 == "half_open" { print $5 }' "$BATS_TEST_TMPDIR/w.csv"
	assert_output "$(printf '%s\n' 0.2 0.2 0.2)"
	weights --probe-successes 1 testdata/route/recovery/health.csv
	track b "$BATS_TEST_TMPDIR/w.csv"
	assert_line --index 12 '2026-11-25T00:02:00Z 0.05 half_open'
	assert_line --index 13 '2026-11-25T00:02:10Z 0.15 closed'
}

@test "recovery: a failed probe opens the breaker again at once" {
	# b bad at 00:01:00..00:01:30 and again at 00:02:10, its first probe
	awk -F, 'BEGIN { OFS = "," } NR > 1 && $3 == "b" && $1 == "2026-11-25T00:02:10Z" { $7 = 0.75 } 1' \
		testdata/route/recovery/health.csv >"$BATS_TEST_TMPDIR/probe.csv"
	weights "$BATS_TEST_TMPDIR/probe.csv"
	run grep '^2026-11-25T00:02:10Z,web,b,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output '2026-11-25T00:02:10Z,web,b,0,0,open,0,"probe failed (errors 0.75, latency 40ms): open for 60s"'
}

# --- (d) repeated failures --------------------------------------------------------------

@test "repeated: each trip sleeps --sleep x trips, capped at --max-sleep: 20s, 40s, 50s, 50s" {
	pcs-route-weights --each-tick --epoch --sleep 20s --max-sleep 50s testdata/route/repeated/health.csv \
		>"$BATS_TEST_TMPDIR/w.csv"
	# the seconds from each tick that opens b to the tick it goes half_open
	run awk -F, '$3 == "b" {
		if ($6 == "open" && last != "open") t = $1
		if ($6 == "half_open" && last == "open") printf "%d ", $1 - t
		last = $6 }' "$BATS_TEST_TMPDIR/w.csv"
	assert_output '20 40 50 50 '
	run awk -F, '$3 == "b" { if ($6 == "open" && last != "open") print $1 - 1795564800, substr($0, index($0, "\"")); last = $6 }' \
		"$BATS_TEST_TMPDIR/w.csv"
	assert_output "$(printf '%s\n' \
		'90 "breaker open: errors 0.5, slow 0 of 6000 requests in 60s; sleep 20s (trip 1)"' \
		'120 "probe failed (errors 0.75, latency 40ms): open for 40s"' \
		'170 "probe failed (errors 0.75, latency 40ms): open for 50s"' \
		'230 "probe failed (errors 0.75, latency 40ms): open for 50s"' \
		'290 "probe failed (errors 0.75, latency 40ms): open for 50s"')"
}

@test "repeated: with the defaults (30s, 5m) the sleeps are 30s, 60s, 90s" {
	weights --epoch testdata/route/repeated/health.csv
	run awk -F, '$3 == "b" {
		if ($6 == "open" && last != "open") t = $1
		if ($6 == "half_open" && last == "open") printf "%d ", $1 - t
		last = $6 }' "$BATS_TEST_TMPDIR/w.csv"
	assert_output '30 60 90 '
}

@test "relapse: soon after closing it is trip 2 (sleep 60s); after --max-sleep closed the trips are forgotten (trip 1, 30s)" {
	play relapse
	run awk -F, '$3 == "b" { if ($6 == "open" && last != "open") print $1, substr($0, index($0, "\"")); last = $6 }' \
		"$BATS_TEST_TMPDIR/relapse.csv"
	assert_output "$(printf '%s\n' \
		'2026-11-25T00:01:30Z "breaker open: errors 0.5, slow 0 of 6000 requests in 60s; sleep 30s (trip 1)"' \
		'2026-11-25T00:03:00Z "breaker open: errors 0.5, slow 0 of 3000 requests in 60s; sleep 60s (trip 2)"' \
		'2026-11-25T00:06:30Z "breaker open: errors 0.5, slow 0 of 6000 requests in 60s; sleep 30s (trip 1)"')"
}

# --- (e) all POPs failing: the panic rule ---------------------------------------------

@test "panic: all four fail at once; the worst two (b, d) open, the least bad (a, c) stay closed with a panic: reason" {
	# window error rates at 00:01:30: a 0.5, b 0.6, c 0.533, d 0.567;
	# --max-ejection 0.5 of 4 POPs: 2 may be ejected
	play panic
	run tick_rows "$BATS_TEST_TMPDIR/panic.csv" 2026-11-25T00:01:30Z
	assert_line --index 1 --regexp '^2026-11-25T00:01:30Z,web,a,[0-9]+,[0-9.]+,closed,0,panic: failing \(errors 0\.5\) but kept: at most 0\.5 of the group.s POPs may be ejected$'
	assert_line --index 2 '2026-11-25T00:01:30Z,web,b,0,0,open,0,"breaker open: errors 0.6, slow 0 of 6000 requests in 60s; sleep 30s (trip 1)"'
	assert_line --index 3 --regexp '^2026-11-25T00:01:30Z,web,c,[0-9]+,[0-9.]+,closed,0,panic: failing \(errors 0\.533\) but kept: at most 0\.5 of the group.s POPs may be ejected$'
	assert_line --index 4 '2026-11-25T00:01:30Z,web,d,0,0,open,0,"breaker open: errors 0.567, slow 0 of 6000 requests in 60s; sleep 30s (trip 1)"'
}

@test "panic: at no tick are more than --max-ejection of the POPs out (open or half_open), and a and c are never ejected" {
	play panic
	run awk -F, 'NR > 1 { if ($6 != "closed") out[$1]++; if (($3 == "a" || $3 == "c") && $6 != "closed") { print; bad = 1 } }
		END { for (t in out) if (out[t] > 2) { print t, out[t]; bad = 1 } exit bad }' "$BATS_TEST_TMPDIR/panic.csv"
	assert_success
	run grep -c ',panic: ' "$BATS_TEST_TMPDIR/panic.csv"
	assert_output 22   # a and c from 00:01:30 to the end, 11 ticks
}

@test "panic: --max-ejection 0.25 ejects one of four (b); --max-ejection 0 none" {
	weights --max-ejection 0.25 testdata/route/panic/health.csv
	run awk -F, '$6 != "closed" && NR > 1 { print $3 }' "$BATS_TEST_TMPDIR/w.csv"
	refute_output --regexp '[acd]'
	run grep -c '^2026-11-25T00:01:30Z,web,[acd],.*,panic: failing .* at most 0.25 of the group' "$BATS_TEST_TMPDIR/w.csv"
	assert_output 3
	weights --max-ejection 0 testdata/route/panic/health.csv
	run grep -c ',closed,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output 80
	run grep -c '^2026-11-25T00:01:30Z,web,.*,panic: ' "$BATS_TEST_TMPDIR/w.csv"
	assert_output 4
}

# --- (f) a shadow going active -------------------------------------------------------

@test "shadow column: s goes active at 00:00:50; its share rises by --max-step 0.05 a tick to (1/3 + 0.2)/1.2, and falls back after" {
	# three equal POPs: raw 1/3 each, s gets the bonus 0.2: 0.5333/1.2 = 0.4444
	play shadow
	run awk -F, '$3 == "s" { print $1, $5, $7 }' "$BATS_TEST_TMPDIR/shadow.csv"
	assert_line --index 4 '2026-11-25T00:00:40Z 0.3333333333 0'
	assert_line --index 5 '2026-11-25T00:00:50Z 0.3833333333 1'
	assert_line --index 6 '2026-11-25T00:01:00Z 0.4333333333 1'
	assert_line --index 7 '2026-11-25T00:01:10Z 0.4444444444 1'
	assert_line --index 12 '2026-11-25T00:02:00Z 0.4444444444 1'
	assert_line --index 13 '2026-11-25T00:02:10Z 0.3944444444 0'
	assert_line --index 15 '2026-11-25T00:02:30Z 0.3333333333 0'
	run grep -c ',web,s,.*, active shadow"$' "$BATS_TEST_TMPDIR/shadow.csv"
	assert_output 8
}

@test "shadow column absent from a tick's row: the last known status is kept" {
	# the same stream in NDJSON, s's shadow key left out after 00:01:00
	awk -F, 'NR > 1 { printf "{\"ts\":\"%s\",\"group\":\"%s\",\"pop\":\"%s\",\"capacity_rps\":%s,\"load_rps\":%s,\"latency_ms\":%s,\"error_rate\":%s,\"requests\":%s", $1, $2, $3, $4, $5, $6, $7, $8
		if (!($3 == "s" && $1 > "2026-11-25T00:01:00Z")) printf ",\"shadow\":%s", $9
		print "}" }' testdata/route/shadow/health.csv >"$BATS_TEST_TMPDIR/h.ndjson"
	weights "$BATS_TEST_TMPDIR/h.ndjson"
	run awk -F, '$3 == "s" { print $7 }' "$BATS_TEST_TMPDIR/w.csv"
	assert_output "$(printf '0\n0\n0\n0\n0\n'; for _ in $(seq 15); do echo 1; done)"
}

@test "--plan: par's shadow follows to_state active of pcs-shadow-plan (runs 3 to 7), its share rising by the step" {
	play --state plan
	run awk -F, '$3 == "par" { print $1, $5, $7 }' "$BATS_TEST_TMPDIR/plan.csv"
	assert_output "$(printf '%s\n' \
		'2026-11-25T00:00:00Z 0.3333333333 0' \
		'2026-11-25T00:00:10Z 0.3333333333 0' \
		'2026-11-25T00:00:20Z 0.3833333333 1' \
		'2026-11-25T00:00:30Z 0.4333333333 1' \
		'2026-11-25T00:00:40Z 0.4444444444 1' \
		'2026-11-25T00:00:50Z 0.4444444444 1' \
		'2026-11-25T00:01:00Z 0.4444444444 1' \
		'2026-11-25T00:01:10Z 0.3944444444 0' \
		'2026-11-25T00:01:20Z 0.3444444444 0' \
		'2026-11-25T00:01:30Z 0.3333333333 0')"
}

@test "--plan: the plans in testdata/route/plan are what pcs-shadow-plan writes for the surge" {
	local i
	[ -x "$PCS_BIN/pcs-shadow-plan" ] || skip "no pcs-shadow-plan in PCS_BIN"
	for i in 01 02 03 04 05 06 07 08 09 10; do
		pcs-shadow-plan -t testdata/plan/topology.csv --state "$BATS_TEST_TMPDIR/plan.json" \
			"testdata/plan/surge/step-$i.csv" >"$BATS_TEST_TMPDIR/plan-$i.csv"
		assert_file_equal "testdata/route/plan/plan-$i.csv" "$BATS_TEST_TMPDIR/plan-$i.csv"
	done
	# warm (02) is not active, draining (08) no longer
	run awk -F, 'FNR > 1 { print FILENAME ": " $7 }' testdata/route/plan/plan-02.csv testdata/route/plan/plan-08.csv
	assert_output "$(printf '%s\n' 'testdata/route/plan/plan-02.csv: warm' 'testdata/route/plan/plan-08.csv: draining')"
}

@test "--plan -: pcs-shadow-plan piped in; the health stream from a file" {
	[ -x "$PCS_BIN/pcs-shadow-plan" ] || skip "no pcs-shadow-plan in PCS_BIN"
	run --separate-stderr bash -c 'set -o pipefail; pcs-shadow-plan -t testdata/plan/topology.csv --now 2026-11-25T00:10:00Z testdata/plan/surge/step-03.csv |
		pcs-route-weights --no-header --plan - testdata/route/plan/health.csv | cut -d, -f3,7'
	assert_success
	assert_output "$(printf '%s\n' fra,0 lhr,0 par,1)"
}

@test "--plan: two primaries' shadows on one POP: active when any plan row says so, whatever the order" {
	local p=$BATS_TEST_TMPDIR/plan.csv
	printf '%s\n' 'ts,group,service,pop,action,from_state,to_state,instances,reason,primary' \
		'2026-11-25T00:10:00Z,web,edge,par,scale_up,warm,active,3,x,fra' \
		'2026-11-25T00:10:00Z,web,edge,par,deactivate,draining,off,2,x,ams' >"$p"
	run --separate-stderr pcs-route-weights --no-header --plan "$p" testdata/route/plan/health.csv
	assert_success
	assert_line --index 2 --regexp '^2026-11-25T00:01:30Z,web,par,[0-9]+,[0-9.]+,closed,1,'
	printf '%s\n' 'ts,group,service,pop,action,from_state,to_state,instances,reason,primary' \
		'2026-11-25T00:10:00Z,web,edge,par,deactivate,draining,off,2,x,ams' \
		'2026-11-25T00:10:00Z,web,edge,par,scale_up,warm,active,3,x,fra' >"$p"
	run --separate-stderr pcs-route-weights --no-header --plan "$p" testdata/route/plan/health.csv
	assert_line --index 2 --regexp ',par,[0-9]+,[0-9.]+,closed,1,'
	# and the latest row of one primary wins: active, then off
	printf '%s\n' 'ts,group,service,pop,action,from_state,to_state,instances,reason,primary' \
		'2026-11-25T00:10:00Z,web,edge,par,scale_up,warm,active,3,x,fra' \
		'2026-11-25T00:15:00Z,web,edge,par,scale_down,active,draining,3,x,fra' >"$p"
	run --separate-stderr pcs-route-weights --no-header --plan "$p" testdata/route/plan/health.csv
	assert_line --index 2 --regexp ',par,[0-9]+,[0-9.]+,closed,0,'
}

# --- (g) low traffic ----------------------------------------------------------------

@test "low traffic: b fails at 0.9 on 2 requests a tick; 12 in the window < --min-requests 20: never tripped" {
	play low-traffic
	run awk -F, '$3 == "b" { print $6 }' "$BATS_TEST_TMPDIR/low-traffic.csv"
	assert_output "$(for _ in $(seq 14); do echo closed; done)"
	refute_output --partial 'breaker open'
	# its smoothed error rate still takes its share away
	run grep '^2026-11-25T00:02:10Z,web,b,' "$BATS_TEST_TMPDIR/low-traffic.csv"
	assert_output '2026-11-25T00:02:10Z,web,b,0,0,closed,0,"capacity 0.333, headroom 0.333, latency 40ms (x1), errors 0.837 (x0)"'
}

@test "low traffic: --min-requests 12 trips at 12 requests in the window (4 bad of 6), --min-requests 12.5 never" {
	weights --min-requests 12 testdata/route/low-traffic/health.csv
	track b "$BATS_TEST_TMPDIR/w.csv"
	assert_line --index 8 '2026-11-25T00:01:20Z 0.03333333333 closed'
	assert_line --index 9 '2026-11-25T00:01:30Z 0 open'
	run grep '^2026-11-25T00:01:30Z,web,b,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output --partial '"breaker open: errors 0.6, slow 0 of 12 requests in 60s; sleep 30s (trip 1)"'
	weights --min-requests 12.5 testdata/route/low-traffic/health.csv
	run grep -c ',open,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output 0
}

@test "low traffic without a requests column: load_rps x the 10s tick is the count" {
	local i load t
	for load in 0.35 0.3; do
		{
			echo ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate
			for ((i = 0; i < 14; i++)); do
				t=$(printf '2026-11-25T00:%02d:%02dZ' $((i / 6)) $((i % 6 * 10)))
				echo "$t,web,a,500,200,40,0"
				if ((i >= 4)); then echo "$t,web,b,500,$load,40,0.9"; else echo "$t,web,b,500,$load,40,0"; fi
				echo "$t,web,c,500,200,40,0"
			done
		} >"$BATS_TEST_TMPDIR/h-$load.csv"
	done
	# 0.35 rps: 3.5 a tick, 21 in a full window; bad from 00:00:40, 4 of 6 at 00:01:10
	weights "$BATS_TEST_TMPDIR/h-0.35.csv"
	run grep ',web,b,0,0,open,' "$BATS_TEST_TMPDIR/w.csv"
	assert_line --index 0 '2026-11-25T00:01:10Z,web,b,0,0,open,0,"breaker open: errors 0.6, slow 0 of 21 requests in 60s; sleep 30s (trip 1)"'
	# 0.3 rps: 18 in a window, below 20
	weights "$BATS_TEST_TMPDIR/h-0.3.csv"
	run grep -c ',open,' "$BATS_TEST_TMPDIR/w.csv"
	assert_output 0
}

# --- reruns and the state file ----------------------------------------------------------

@test "a rerun with no new input (the same tick, no input, a header only) writes the same weights; the state stays byte for byte" {
	local n ts
	play recovery
	split_ticks recovery
	for n in 10 13 16 26; do   # open, half_open, just closed, the end
		rm -f "$BATS_TEST_TMPDIR/state.json"
		feed "$n"
		ts=$(sed -n 2p "$(printf '%s/tick-%03d.csv' "$BATS_TEST_TMPDIR" "$n")" | cut -d, -f1)
		tick_rows "$BATS_TEST_TMPDIR/recovery.csv" "$ts" >"$BATS_TEST_TMPDIR/want.csv"
		cp "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json"
		for input in "$(printf '%s/tick-%03d.csv' "$BATS_TEST_TMPDIR" "$n")" /dev/null "$BATS_TEST_TMPDIR/header.csv"; do
			head -n 1 testdata/route/recovery/health.csv >"$BATS_TEST_TMPDIR/header.csv"
			run --separate-stderr pcs-route-weights --state "$BATS_TEST_TMPDIR/state.json" "$input"
			assert_success
			assert_equal "$stderr" ""
			printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got.csv"
			assert_file_equal "$BATS_TEST_TMPDIR/want.csv" "$BATS_TEST_TMPDIR/got.csv"
			cmp -s "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json" ||
				fail "a rerun after tick $n on $input changed the state"
		done
	done
}

@test "an older stream on a newer state: its rows are taken as seen, the weights of the last tick, the state unchanged" {
	play failing
	split_ticks failing
	feed 12
	cp "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr pcs-route-weights --state "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/tick-005.csv"
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(tick_rows "$BATS_TEST_TMPDIR/failing.csv" 2026-11-25T00:01:50Z)"
	cmp -s "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json" || fail "the state changed"
}

@test "the state after the trip (jq): format, version, last tick, breakers and trips" {
	command -v jq >/dev/null || skip "no jq"
	split_ticks failing
	feed 10
	run jq -c '[.format, .version, .last_tick, [.pops[] | [.group, .pop, .breaker, .trips, .open_until]]]' \
		"$BATS_TEST_TMPDIR/state.json"
	assert_output '["pcs-route-weights-state",1,1795564890,[["web","a","closed",0,0],["web","b","open",1,1795564920],["web","c","closed",0,0]]]'
}

@test "state file: one compact JSON object with its keys sorted and a newline, mode 0600 even over a 0644 file" {
	split_ticks failing
	feed 2
	run sh -c "wc -l <'$BATS_TEST_TMPDIR/state.json'"
	assert_output 1
	run head -c 1 "$BATS_TEST_TMPDIR/state.json"
	assert_output '{'
	if command -v jq >/dev/null; then   # "with the keys sorted"
		run jq '[.. | objects | keys_unsorted == keys] | all' "$BATS_TEST_TMPDIR/state.json"
		assert_output true
	fi
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/state.json")" 600
	chmod 644 "$BATS_TEST_TMPDIR/state.json"
	pcs-route-weights --state "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/tick-003.csv" >/dev/null
	assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/state.json")" 600
	run sh -c "ls -A '$BATS_TEST_TMPDIR' | grep '^state\\.json'"
	assert_output "$(printf '%s\n' state.json state.json.lock)"
}

@test "bad state: JSON with a syntax error" { assert_bad_state route-state-corrupt; }
@test "bad state: truncated JSON" { assert_bad_state route-state-truncated; }
@test "bad state: an empty file" { assert_bad_state route-state-empty; }
@test "bad state: a duplicate key" { assert_bad_state route-state-duplicate-key; }
@test "bad state: an array, not an object" { assert_bad_state route-state-not-an-object; }
@test "bad state: another program's format (pcs-shadow-plan's)" { assert_bad_state route-state-wrong-format; }
@test "bad state: no format" { assert_bad_state route-state-no-format; }
@test "bad state: a newer version" { assert_bad_state route-state-newer-version; }
@test "bad state: the version as a string" { assert_bad_state route-state-version-string; }
@test "bad state: no pops array" { assert_bad_state route-state-no-pops; }
@test "bad state: last_tick not a number" { assert_bad_state route-state-last-tick-string; }
@test "bad state: a breaker state that does not exist" { assert_bad_state route-state-bad-breaker; }
@test "bad state: a window bucket of two numbers" { assert_bad_state route-state-bad-window; }
@test "bad state: a share above 1" { assert_bad_state route-state-share-above-one; }
@test "bad state: an entry without its pop" { assert_bad_state route-state-pop-missing; }
@test "bad state: binary garbage" { assert_bad_state route-state-binary-garbage; }
@test "bad state: trips -1" { assert_bad_state route-state-trips-negative; }
@test "bad state: latency_ms negative" { assert_bad_state route-state-latency-negative; }
@test "bad state: last_tick too big for an integer" { assert_bad_state route-state-last-tick-huge; }

@test "bad state: the same POP twice is refused, not merged" {
	command -v jq >/dev/null || skip "no jq"
	split_ticks failing
	feed 3
	jq -c '.pops += [.pops[1]]' "$BATS_TEST_TMPDIR/state.json" >"$BATS_TEST_TMPDIR/dup.json"
	cp "$BATS_TEST_TMPDIR/dup.json" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr pcs-route-weights --state "$BATS_TEST_TMPDIR/dup.json" "$BATS_TEST_TMPDIR/tick-004.csv"
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^pcs-route-weights: $BATS_TEST_TMPDIR/dup.json: state file: entry 3 "
	cmp -s "$BATS_TEST_TMPDIR/dup.json" "$BATS_TEST_TMPDIR/before.json" || fail "the bad state was changed"
}

@test "bad state: a latency_ms that is not a number is refused, not read as 0" {
	command -v jq >/dev/null || skip "no jq"
	split_ticks failing
	feed 3
	jq -c '.pops[0].latency_ms = "fast"' "$BATS_TEST_TMPDIR/state.json" >"$BATS_TEST_TMPDIR/lat.json"
	run --separate-stderr pcs-route-weights --state "$BATS_TEST_TMPDIR/lat.json" "$BATS_TEST_TMPDIR/tick-004.csv"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: $BATS_TEST_TMPDIR/lat.json: state file: entry 0: latency_ms is not a number"
}

@test "bad: every route-* case in testdata/bad has its .err and .status and a test here" {
	local f name
	for f in testdata/bad/route-*; do
		name=${f##*/}
		name=${name%.*}
		[ -f "testdata/bad/$name.err" ] || fail "testdata/bad/$name.err missing"
		[ -f "testdata/bad/$name.status" ] || fail "testdata/bad/$name.status missing"
		grep -Eq "assert_bad_(health|plan|state) $name;" "$BATS_TEST_FILENAME" ||
			fail "no test for testdata/bad/$name"
	done
}

@test "state file: a symbolic link at the path is refused, its target untouched" {
	split_ticks failing
	feed 2
	mv "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/real.json"
	cp "$BATS_TEST_TMPDIR/real.json" "$BATS_TEST_TMPDIR/before.json"
	ln -s real.json "$BATS_TEST_TMPDIR/state.json"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr pcs-route-weights --state state.json tick-003.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: state.json: is a symbolic link (refused)"
	[ -L state.json ] || fail "the link was replaced"
	cmp -s real.json before.json || fail "the link's target was changed"
}

@test "state file: a dangling symbolic link at the path is refused, not followed" {
	ln -s "$BATS_TEST_TMPDIR/nowhere.json" "$BATS_TEST_TMPDIR/state.json"
	run --separate-stderr pcs-route-weights --state "$BATS_TEST_TMPDIR/state.json" testdata/route/failing/health.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: $BATS_TEST_TMPDIR/state.json: is a symbolic link (refused)"
	[ ! -e "$BATS_TEST_TMPDIR/nowhere.json" ] || fail "the link was followed"
}

@test "state file: a symbolic link at the lock is refused, not followed" {
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$BATS_TEST_TMPDIR/state.json.lock"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr pcs-route-weights --state state.json "$TESTDATA/route/failing/health.csv"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: state.json.lock: is a symbolic link (refused)"
	[ ! -e elsewhere ] || fail "the lock's link was followed"
	[ ! -e state.json ] || fail "a state was written without the lock"
}

@test "lock held by another process: status 1, a clear message, nothing written, state unchanged" {
	local f=$BATS_TEST_TMPDIR/state.json
	split_ticks failing
	feed 2
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	hold_lock "$f.lock" 5
	run --separate-stderr pcs-route-weights --state "$f" "$BATS_TEST_TMPDIR/tick-003.csv"
	kill "$lock_pid" 2>/dev/null
	wait "$lock_pid" 2>/dev/null || true
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: $f: locked by another run (waited 0s)"
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "the state changed under another run's lock"
}

@test "--wait 1s on a lock held longer: status 1 after waiting" {
	local f=$BATS_TEST_TMPDIR/state.json start
	hold_lock "$f.lock" 5
	start=$(date +%s)
	run --separate-stderr pcs-route-weights --wait 1s --state "$f" testdata/route/failing/health.csv
	kill "$lock_pid" 2>/dev/null
	wait "$lock_pid" 2>/dev/null || true
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: $f: locked by another run (waited 1s)"
	(($(date +%s) - start >= 1)) || fail "did not wait"
}

@test "--wait 3s with the lock released after 1s: success" {
	local f=$BATS_TEST_TMPDIR/state.json
	hold_lock "$f.lock" 1
	run --separate-stderr pcs-route-weights --no-header --wait 3s --state "$f" testdata/route/failing/health.csv
	wait "$lock_pid" 2>/dev/null || true
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 1 --partial ',web,b,0,0,open,'
	[ -s "$f" ] || fail "no state written"
}

@test "the lock file is taken next to the state file; a missing directory is an error naming it" {
	run --separate-stderr pcs-route-weights --state "$BATS_TEST_TMPDIR/no/such/state.json" testdata/route/failing/health.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-route-weights: $BATS_TEST_TMPDIR/no/such/state.json.lock: No such file or directory"
}

@test "a bad row on a state run: status 1 and the state as it was" {
	local f=$BATS_TEST_TMPDIR/state.json
	split_ticks failing
	feed 3
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	{
		cat "$BATS_TEST_TMPDIR/tick-004.csv"
		tail -n +2 "$BATS_TEST_TMPDIR/tick-005.csv" | sed '2s/,40,/,-40,/'
	} >"$BATS_TEST_TMPDIR/bad.csv"
	run --separate-stderr pcs-route-weights --state "$f" "$BATS_TEST_TMPDIR/bad.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-route-weights: $BATS_TEST_TMPDIR/bad.csv:6: column 'latency_ms': negative value: \"-40\""
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "a failed run changed the state"
}

@test "/dev/full as stdout: status 1, a write error, and the state not saved" {
	[ -w /dev/full ] || skip "no /dev/full"
	local f=$BATS_TEST_TMPDIR/state.json
	split_ticks failing
	feed 3
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr bash -c "pcs-route-weights --state '$f' '$BATS_TEST_TMPDIR/tick-004.csv' >/dev/full"
	assert_failure 1
	assert_equal "$stderr" "pcs-route-weights: write error: No space left on device"
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "the state was saved though the weights were not written"
}

@test "| head: a closed stdout ends quietly with status 0" {
	# shellcheck disable=SC2016  # expanded by the inner bash
	run --separate-stderr bash -c 'pcs-route-weights --each-tick testdata/route/relapse/health.csv | head -n 1; exit "${PIPESTATUS[0]}"'
	assert_success
	assert_equal "$stderr" ""
	assert_output "$HEADER"
}

@test "a health file that cannot be read: status 1, named, no weights, and the state not advanced" {
	local f=$BATS_TEST_TMPDIR/state.json
	split_ticks failing
	feed 3
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr pcs-route-weights --state "$f" "$BATS_TEST_TMPDIR/nope.csv" "$BATS_TEST_TMPDIR/tick-004.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-route-weights: $BATS_TEST_TMPDIR/nope.csv: No such file or directory
pcs-route-weights: no weights: the health input could not be read"
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "a run without its health input changed the state"
	# no weights at all, as pcs-shadow-plan writes no plan
	assert_output ""
	# and the next good run takes tick 4
	run --separate-stderr pcs-route-weights --no-header --state "$f" "$BATS_TEST_TMPDIR/tick-004.csv"
	assert_success
	assert_line --index 0 --regexp '^2026-11-25T00:00:30Z,web,a,'
}

@test "an empty stream and a header-only stream without a state: the header only" {
	run_stdin /dev/null pcs-route-weights
	assert_success
	assert_output "$HEADER"
	head -n 1 testdata/health.csv >"$BATS_TEST_TMPDIR/h.csv"
	run --separate-stderr pcs-route-weights -f haproxy "$BATS_TEST_TMPDIR/h.csv"
	assert_success
	assert_output ""
}

# --- bad input: the health stream (testdata/bad/route-health-*) -----------------------

@test "bad health: header without ts" { assert_bad_health route-health-missing-ts; }
@test "bad health: header without pop" { assert_bad_health route-health-missing-pop; }
@test "bad health: header without capacity_rps" { assert_bad_health route-health-missing-capacity; }
@test "bad health: header without latency_ms" { assert_bad_health route-health-missing-latency; }
@test "bad health: header without error_rate and no rows" { assert_bad_health route-health-missing-error-rate-header-only; }
@test "bad health: capacity_rps not a number" { assert_bad_health route-health-capacity-not-a-number; }
@test "bad health: capacity_rps inf" { assert_bad_health route-health-capacity-inf; }
@test "bad health: latency_ms negative" { assert_bad_health route-health-latency-negative; }
@test "bad health: load_rps negative" { assert_bad_health route-health-load-negative; }
@test "bad health: requests negative" { assert_bad_health route-health-requests-negative; }
@test "bad health: error_rate 1.5" { assert_bad_health route-health-error-rate-above-one; }
@test "bad health: error_rate NaN" { assert_bad_health route-health-error-rate-nan; }
@test "bad health: error_rate empty" { assert_bad_health route-health-error-rate-empty; }
@test "bad health: shadow 2" { assert_bad_health route-health-shadow-two; }
@test "bad health: shadow 0.5" { assert_bad_health route-health-shadow-half; }
@test "bad health: time going backwards" { assert_bad_health route-health-time-backwards; }
@test "bad health: ts unparseable" { assert_bad_health route-health-ts-unparseable; }
@test "bad health: pop empty" { assert_bad_health route-health-pop-empty; }
@test "bad health: group empty (as in pcs-forecast)" { assert_bad_health route-health-group-empty; }
@test "bad health: too few fields" { assert_bad_health route-health-too-few-fields; }
@test "bad health: unterminated quoted field" { assert_bad_health route-health-unterminated-quote; }
@test "bad health: NDJSON line that is not JSON" { assert_bad_health route-health-ndjson-not-json; }
@test "bad health: NDJSON object without error_rate" { assert_bad_health route-health-ndjson-missing-error-rate; }
@test "bad health: NDJSON error_rate \"high\"" { assert_bad_health route-health-ndjson-error-rate-string; }
@test "bad health: NDJSON shadow true" { assert_bad_health route-health-ndjson-shadow-true; }
@test "bad health: binary garbage" { assert_bad_health route-health-binary-garbage; }

@test "bad plan: to_state hot" { assert_bad_plan route-plan-bad-state; }
@test "bad plan: header without to_state" { assert_bad_plan route-plan-missing-to-state; }
@test "bad plan: pop empty" { assert_bad_plan route-plan-pop-empty; }
@test "bad plan: too few fields" { assert_bad_plan route-plan-too-few-fields; }

@test "--skip-bad skips a bad health row, weighs the rest, counts it" {
	run --separate-stderr pcs-route-weights --skip-bad --no-header testdata/bad/route-health-capacity-not-a-number.csv
	assert_success
	assert_output '2026-11-25T00:00:00Z,web,a,1000,1,closed,0,"capacity 1, headroom 1, latency 40ms (x1), errors 0 (x1)"'
	assert_equal "$stderr" "$(printf '%s\n' \
		"pcs-route-weights: testdata/bad/route-health-capacity-not-a-number.csv:3: column 'capacity_rps': not a number: \"lots\" (skipped)" \
		"pcs-route-weights: 1 bad row skipped")"
}

@test "a sample older than a tick already closed in this run is an error, not skipped (a regression test)" {
	# only samples the state had taken in may be skipped without a word;
	# the first tick of this run, once closed, is not one of them
	printf '%s\n' ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate \
		2026-11-25T00:00:00Z,web,a,500,200,40,0 2026-11-25T00:00:10Z,web,a,500,200,40,0 \
		2026-11-25T00:00:00Z,web,b,500,200,40,0 >"$BATS_TEST_TMPDIR/h.csv"
	run --separate-stderr pcs-route-weights "$BATS_TEST_TMPDIR/h.csv"
	assert_failure 1
	assert_equal "$stderr" \
		"pcs-route-weights: $BATS_TEST_TMPDIR/h.csv:4: column 'ts': time went backwards: the stream must be in time order"
}

@test "--skip-bad skips a row whose time went backwards and goes on" {
	run --separate-stderr pcs-route-weights --skip-bad --no-header testdata/bad/route-health-time-backwards.csv
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^2026-11-25T00:00:10Z,web,a,500,0.5,'
	assert_equal "$stderr" "$(printf '%s\n' \
		"pcs-route-weights: testdata/bad/route-health-time-backwards.csv:4: column 'ts': time went backwards: the stream must be in time order (skipped)" \
		"pcs-route-weights: 1 bad row skipped")"
}

# --- --pick ----------------------------------------------------------------------------

@test "--pick: the same --seed draws the same POPs; another seed others; the default seed is 1" {
	local a b
	run --separate-stderr pcs-route-weights --pick 200 --seed 9 testdata/health.csv
	assert_success
	assert_equal "${lines[0]}" ts,group,draw,pop
	assert_equal "${#lines[@]}" 201
	a=$output
	run --separate-stderr pcs-route-weights --pick 200 --seed 9 testdata/health.csv
	assert_equal "$output" "$a"
	run --separate-stderr pcs-route-weights --pick 200 --seed 10 testdata/health.csv
	[ "$output" != "$a" ] || fail "--seed 10 drew what --seed 9 drew"
	run --separate-stderr pcs-route-weights --pick 200 testdata/health.csv
	b=$output
	run --separate-stderr pcs-route-weights --pick 200 --seed 1 testdata/health.csv
	assert_equal "$output" "$b"
}

@test "--pick 20000: chi-square against the shares of the last tick below the 0.001 critical value (df 3)" {
	pcs-route-weights --no-header testdata/health.csv >"$BATS_TEST_TMPDIR/shares.csv"
	pcs-route-weights --no-header --pick 20000 --seed 7 testdata/health.csv >"$BATS_TEST_TMPDIR/draws.csv"
	chi_square "$BATS_TEST_TMPDIR/shares.csv" "$BATS_TEST_TMPDIR/draws.csv"
	assert_success
	assert_output --regexp '^df 3 chi2 [0-9.]+ critical 16.266$'
}

@test "--pick 20000 with an open breaker: the open POP is never drawn, the rest fit their shares (df 1)" {
	pcs-route-weights --no-header testdata/route/failing/health.csv >"$BATS_TEST_TMPDIR/shares.csv"
	pcs-route-weights --no-header --pick 20000 --seed 3 testdata/route/failing/health.csv >"$BATS_TEST_TMPDIR/draws.csv"
	chi_square "$BATS_TEST_TMPDIR/shares.csv" "$BATS_TEST_TMPDIR/draws.csv"
	assert_success
	assert_output --regexp '^df 1 chi2 [0-9.]+ critical 10.828$'
}

@test "--pick 20000 on uneven shares (a probe share of 0.05 and a shadow): chi-square below the critical value" {
	# the recovery at 00:02:00: b half_open at 0.05
	awk -F, 'NR == 1 || $1 <= "2026-11-25T00:02:00Z"' testdata/route/recovery/health.csv >"$BATS_TEST_TMPDIR/h.csv"
	pcs-route-weights --no-header "$BATS_TEST_TMPDIR/h.csv" >"$BATS_TEST_TMPDIR/shares.csv"
	run cut -d, -f3,5,6 "$BATS_TEST_TMPDIR/shares.csv"
	assert_line --index 1 b,0.05,half_open
	pcs-route-weights --no-header --pick 20000 --seed 11 "$BATS_TEST_TMPDIR/h.csv" >"$BATS_TEST_TMPDIR/draws.csv"
	chi_square "$BATS_TEST_TMPDIR/shares.csv" "$BATS_TEST_TMPDIR/draws.csv"
	assert_success
	assert_output --regexp '^df 2 chi2 [0-9.]+ critical 13.816$'
}

@test "the chi-square check fails on draws that do not fit (all on one POP)" {
	pcs-route-weights --no-header testdata/health.csv >"$BATS_TEST_TMPDIR/shares.csv"
	for _ in $(seq 100); do echo '2026-11-25T00:04:50Z,web,1,fra'; done >"$BATS_TEST_TMPDIR/draws.csv"
	chi_square "$BATS_TEST_TMPDIR/shares.csv" "$BATS_TEST_TMPDIR/draws.csv"
	assert_failure
}

# --- help, version, usage errors ----------------------------------------------------

@test "-h and --help print the usage on stdout and exit 0" {
	run --separate-stderr pcs-route-weights -h
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 'usage: pcs-route-weights [--state file] [--plan file] [options] [file ...]'
	run --separate-stderr pcs-route-weights --help
	assert_success
	for opt in --state --wait --plan --each-tick --format --pick --seed --capacity-weight --latency-power \
		--shadow-bonus --latency-tau --peak-ewma --max-step --window --min-requests --error-threshold \
		--slow-threshold --slow-ms --sleep --max-sleep --probe-share --probe-successes --max-ejection \
		--overprovisioning --r53-name --r53-type --r53-ttl --input-format --output-format --no-header \
		--skip-bad --epoch --help --version; do
		assert_output --partial -- "$opt"
	done
}

@test "-V and --version print the name and the version" {
	local version
	version=$(sed -n 's/^VERSION *= *//p' Makefile)
	run --separate-stderr pcs-route-weights -V
	assert_success
	assert_output "pcs-route-weights $version"
	run --separate-stderr pcs-route-weights --version
	assert_output "pcs-route-weights $version"
}

usage() {
	run --separate-stderr pcs-route-weights "$@" testdata/health.csv
}

@test "usage: -f yaml" {
	usage -f yaml
	assert_usage_error "pcs-route-weights: -f: unknown format 'yaml' (csv, ndjson, envoy-eds, route53 or haproxy)" pcs-route-weights
}

@test "usage: -o xml" {
	usage -o xml
	assert_usage_error "pcs-route-weights: -o: unknown format 'xml' (csv or ndjson)" pcs-route-weights
}

@test "usage: -f without its argument" {
	run --separate-stderr pcs-route-weights -f
	assert_usage_error "pcs-route-weights: option -f needs an argument" pcs-route-weights
}

@test "usage: --max-sleep shorter than --sleep" {
	usage --sleep 30s --max-sleep 10s
	assert_usage_error "pcs-route-weights: --max-sleep (10s) is shorter than --sleep (30s)" pcs-route-weights
}

@test "usage: --sleep 6m above the default --max-sleep 5m" {
	usage --sleep 6m
	assert_usage_error "pcs-route-weights: --max-sleep (300s) is shorter than --sleep (360s)" pcs-route-weights
}

@test "--max-sleep equal to --sleep is accepted" {
	usage --sleep 30s --max-sleep 30s
	assert_success
	assert_equal "$stderr" ""
}

@test "usage: --max-step 0" {
	usage --max-step 0
	assert_usage_error 'pcs-route-weights: --max-step: want a number in [0.001, 1]: "0"' pcs-route-weights
}

@test "usage: --max-step 1.5" {
	usage --max-step 1.5
	assert_usage_error 'pcs-route-weights: --max-step: want a number in [0.001, 1]: "1.5"' pcs-route-weights
}

@test "usage: --max-step abc" {
	usage --max-step abc
	assert_usage_error 'pcs-route-weights: --max-step: want a number in [0.001, 1]: "abc"' pcs-route-weights
}

@test "usage: --error-threshold 0" {
	usage --error-threshold 0
	assert_usage_error 'pcs-route-weights: --error-threshold: want a number in [0.001, 1]: "0"' pcs-route-weights
}

@test "usage: --probe-share 0.6" {
	usage --probe-share 0.6
	assert_usage_error 'pcs-route-weights: --probe-share: want a number in [0, 0.5]: "0.6"' pcs-route-weights
}

@test "usage: --max-ejection 1.1" {
	usage --max-ejection 1.1
	assert_usage_error 'pcs-route-weights: --max-ejection: want a number in [0, 1]: "1.1"' pcs-route-weights
}

@test "usage: --capacity-weight -0.1" {
	usage --capacity-weight -0.1
	assert_usage_error 'pcs-route-weights: --capacity-weight: want a number in [0, 1]: "-0.1"' pcs-route-weights
}

@test "usage: --shadow-bonus 2" {
	usage --shadow-bonus 2
	assert_usage_error 'pcs-route-weights: --shadow-bonus: want a number in [0, 1]: "2"' pcs-route-weights
}

@test "usage: --latency-power 11" {
	usage --latency-power 11
	assert_usage_error 'pcs-route-weights: --latency-power: want a number in [0, 10]: "11"' pcs-route-weights
}

@test "usage: --min-requests -1" {
	usage --min-requests -1
	assert_usage_error 'pcs-route-weights: --min-requests: want a number in [0, 1e+12]: "-1"' pcs-route-weights
}

@test "usage: --probe-successes 0" {
	usage --probe-successes 0
	assert_usage_error 'pcs-route-weights: --probe-successes: want a number in [1, 1000]: "0"' pcs-route-weights
}

@test "usage: --pick 0" {
	usage --pick 0
	assert_usage_error 'pcs-route-weights: --pick: want a number in [1, 1e+09]: "0"' pcs-route-weights
}

@test "usage: --pick 1.5 is not a whole number of draws" {
	usage --pick 1.5
	assert_usage_error 'pcs-route-weights: --pick: want a whole number: "1.5"' pcs-route-weights
}

@test "usage: --probe-successes 2.5 is not a whole number of probes" {
	usage --probe-successes 2.5
	assert_usage_error 'pcs-route-weights: --probe-successes: want a whole number: "2.5"' pcs-route-weights
}

@test "usage: --pick with -f haproxy names the format given" {
	usage --pick 5 -f haproxy
	assert_usage_error "pcs-route-weights: --pick writes a stream: it does not go with -f haproxy" pcs-route-weights
}

@test "--pick with -f ndjson is a stream: accepted" {
	usage --pick 2 -f ndjson
	assert_success
	assert_line --index 0 --regexp '^\{"ts":"2026-11-25T00:04:50Z","group":"web","draw":1,"pop":"[a-z]+"\}$'
}

@test "usage: --sleep 5x" {
	usage --sleep 5x
	assert_usage_error 'pcs-route-weights: --sleep: not a duration: "5x"' pcs-route-weights
}

@test "usage: --window 0" {
	usage --window 0
	assert_usage_error 'pcs-route-weights: --window: duration must be positive: "0"' pcs-route-weights
}

@test "usage: --latency-tau 0" {
	usage --latency-tau 0
	assert_usage_error 'pcs-route-weights: --latency-tau: duration must be positive: "0"' pcs-route-weights
}

@test "usage: --wait x" {
	usage --wait x
	assert_usage_error 'pcs-route-weights: --wait: not a duration: "x"' pcs-route-weights
}

@test "usage: --overprovisioning 0" {
	usage --overprovisioning 0
	assert_usage_error 'pcs-route-weights: --overprovisioning: want a number in [1, 1e+06]: "0"' pcs-route-weights
}

@test "usage: unknown long option" {
	usage --bogus
	assert_usage_error "pcs-route-weights: option --bogus is unknown" pcs-route-weights
}

@test "usage: unknown short option" {
	usage -x
	assert_usage_error "pcs-route-weights: option -x is unknown" pcs-route-weights
}

@test "usage errors come before the state file is touched" {
	mkdir "$BATS_TEST_TMPDIR/st"
	usage --state "$BATS_TEST_TMPDIR/st/state.json" --max-step 2
	assert_equal "$status" 2
	run ls -A "$BATS_TEST_TMPDIR/st"
	assert_output ""
}
