#!/usr/bin/env bats
# pcs-replay's predictive policy is the live pipeline run in process
# (lib/pcs_sim.h): so the four live tools, run as a real pipeline at every
# scored tick of a short trace, must write the replay's plan rows and the
# replay's routing shares.  tests/replay-pipeline.sh does the ticks; see
# its header for what each tool is fed.
#
# The trace (testdata/replay/pipe-history.csv, made by
# `tests/replay-pipeline.sh --history`) is 3 days and 21.5 hours of one
# group at a sample a minute with an evening surge every day, larger on the
# last; the fleet (pipe-topology.csv) is one primary and two secondaries.
# The replay scores the last hour, 20:30 to 21:29, with a refit at every
# tick: the seasonal naive forecast sees the surge coming from the day
# before, so a shadow is warmed at 20:33, activated at 20:57 (not before:
# --activate-within 10m), grown at 20:59 as the surge comes in larger than
# the day before, scaled down at 21:22 and deactivated at 21:24 (a short
# --cooldown, --min-dwell and --drain).
# The router runs at the start of every tick after the first, as the
# engine's does: its health is the capacity at that tick and the load of
# the tick before, its plan the tick before's; the deactivation's tick is
# where a router fed the capacity before the plan released it would part
# from the replay.  --window 3d is shorter than the history, so the
# window's cut is checked too.  The plans are compared byte for byte, reasons included: the risk
# the live tools compute from forecasts printed with 10 significant digits
# differs from the in-process one in the last digits at most, and the
# reasons print 3 or 4.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

HISTORY=testdata/replay/pipe-history.csv
TOPOLOGY=testdata/replay/pipe-topology.csv
WARMUP=333000s   # 3 days and 20.5 hours: 60 scored ticks
FORECAST_OPTS="--model snaive --window 3d -H 5m,15m,30m -q 0.5,0.9,0.95,0.99"
PLAN_OPTS="--activate-within 10m --cooldown 5m --min-dwell 5m --drain 2m"

# One run for the file: about 60 x 5 processes.
setup_file() {
	local d=$BATS_FILE_TMPDIR/run rc=0

	mkdir -p "$d"
	cd "$PCS_ROOT" || return 1
	bash tests/replay-pipeline.sh "$d" "$HISTORY" "$TOPOLOGY" "$WARMUP" "$FORECAST_OPTS" \
		"$PLAN_OPTS" >"$d.out" 2>"$d.err" || rc=$?
	echo "$rc" >"$d.status"
}

# tally NAME: the value the run's tally gives NAME
tally() {
	awk -v n="$1" '$1 == n { print $2 }' "$BATS_FILE_TMPDIR/run.out"
}

@test "replay-pipeline: the bundled trace is what the generator writes" {
	bash tests/replay-pipeline.sh --history >"$BATS_TEST_TMPDIR/history.csv"
	assert_file_equal "$HISTORY" "$BATS_TEST_TMPDIR/history.csv"
}

@test "replay-pipeline: pcs-forecast | pcs-risk | pcs-shadow-plan writes the replay's plan at each of the 60 ticks" {
	local err
	err=$(cat "$BATS_FILE_TMPDIR/run.err")
	if grep -q 'the plan differs\|failed\|replay-pipeline:' "$BATS_FILE_TMPDIR/run.err"; then
		fail "$err"
	fi
	assert_equal "$(tally plan_ticks)" 60
	# not vacuous: the shadow went through its whole life
	for a in create_warm scale_up scale_down deactivate; do
		[ "$(tally $a)" -ge 1 ] || fail "no $a in the plans:"$'\n'"$(cat "$BATS_FILE_TMPDIR/run.out")"
	done
	[ "$(tally hold)" -ge 20 ] || fail "too few hold rows: $(tally hold)"
}

@test "replay-pipeline: pcs-route-weights --plan gives the replay's shares at each of the 59 ticks after the first" {
	if [ "$(cat "$BATS_FILE_TMPDIR/run.status")" != 0 ]; then
		fail "$(cat "$BATS_FILE_TMPDIR/run.err")"
	fi
	assert_equal "$(tally weight_ticks)" 59
	assert_equal "$(tally shares)" $((59 * 3))
	# the shares moved: the active shadow took part of the traffic
	awk -F, '$2 == "predictive" && $4 == "near" && $10 > 0.1 { n++ } END { exit !(n >= 10) }' \
		"$BATS_FILE_TMPDIR/run/timeline.csv" || fail "the shadow POP never had a share above 0.1"
}

# With the primaries provisioned on the forecast, pcs-risk is given what
# they can reach (max_capacity_rps, scale_s): the plans and shares must
# still be the replay's.  The primary's 13 instances (650 rps) cannot reach
# the last evening's surge, so shadows still come and go.
@test "replay-pipeline: with --provision-level 0.99 (risk at the primary's reach), the same plans and shares" {
	local d=$BATS_TEST_TMPDIR/run
	mkdir -p "$d"
	run --separate-stderr bash tests/replay-pipeline.sh "$d" "$HISTORY" "$TOPOLOGY" "$WARMUP" \
		"$FORECAST_OPTS" "$PLAN_OPTS" 0.99
	[ "$status" -eq 0 ] || fail "$stderr"
	assert_line 'plan_ticks 60'
	assert_line 'weight_ticks 59'
	head -1 "$d/capacity.csv" | grep -q ',max_capacity_rps,scale_s$' || fail "no reach in the capacity"
	for a in create_warm scale_up scale_down deactivate; do
		assert_line --regexp "^$a [1-9]"
	done
}

# The comparison itself: a pipeline that plans or routes differently must
# fail, at the first tick that differs, showing both sides.
@test "replay-pipeline: a plan that differs fails, with the tick and both rows" {
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/bin" "$d/run"
	printf '#!/bin/sh\nexec "%s/pcs-shadow-plan" --reserve 0.3 "$@"\n' "$PCS_BIN" >"$d/bin/pcs-shadow-plan"
	chmod +x "$d/bin/pcs-shadow-plan"
	PATH=$d/bin:$PATH run bash tests/replay-pipeline.sh "$d/run" "$HISTORY" "$TOPOLOGY" "$WARMUP" \
		"$FORECAST_OPTS" "$PLAN_OPTS"
	assert_failure 1
	assert_line --regexp '^tick [0-9]+ \(scored tick [0-9]+ of 60\): the plan differs from the replay.s actions$'
	assert_line 'pcs-shadow-plan:'
	assert_line 'pcs-replay --actions:'
	assert_line --regexp '^  [0-9]+,web,edge,near,'
	refute_line --regexp '^plan_ticks '
}

@test "replay-pipeline: weights that differ fail, with the tick and both rows" {
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/bin" "$d/run"
	printf '#!/bin/sh\nexec "%s/pcs-route-weights" --shadow-bonus 0.5 "$@"\n' "$PCS_BIN" \
		>"$d/bin/pcs-route-weights"
	chmod +x "$d/bin/pcs-route-weights"
	PATH=$d/bin:$PATH run bash tests/replay-pipeline.sh "$d/run" "$HISTORY" "$TOPOLOGY" "$WARMUP" \
		"$FORECAST_OPTS" "$PLAN_OPTS"
	assert_failure 1
	assert_line --regexp '^tick [0-9]+ \(scored tick [0-9]+ of 60\): the weights differ from the replay.s shares$'
	assert_line --regexp '^  pcs-route-weights: [0-9]+,web,near,'
	assert_line --regexp '^  pcs-replay --timeline: [0-9]+,predictive,web,near,'
	# the plans are still compared to the end
	assert_line 'plan_ticks 60'
}
