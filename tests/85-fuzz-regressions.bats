#!/usr/bin/env bats
# The inputs the libFuzzer harnesses (fuzz/) found something with, kept in
# fuzz/regressions/HARNESS/NAME (named after what they found), fed through
# the normally built tools on the path each harness fuzzes: every one must
# end in a clean status (0, or 1 or 2 with a message naming the tool), never
# a signal or a sanitizer report.  The argv are those of the harnesses
# (fuzz/fuzz_*.c); the library harnesses' inputs go through the tool that
# reads that kind of file.  fuzz/README.md says what each input found.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats

load test_helper

REG=fuzz/regressions

# regression_cmd HARNESS FILE: the command that reads FILE as the harness does
regression_cmd() {
	local h=$1 f=$2
	case $h in
	csv_reader) echo pcs-forecast -i csv --skip-bad "$f" ;;
	ndjson_reader) echo pcs-forecast -i ndjson --skip-bad "$f" ;;
	time) echo pcs-shadow-plan -t testdata/plan/topology.csv --dry-run --now "$(cat "$f")" \
		testdata/plan/surge/step-01.csv ;;
	modelfile) echo pcs-forecast -m "$f" testdata/forecast/small.csv ;;
	state)
		cp "$f" "$BATS_TEST_TMPDIR/state"
		echo pcs-shadow-plan -t testdata/plan/topology.csv --dry-run --state "$BATS_TEST_TMPDIR/state" \
			testdata/plan/surge/step-01.csv ;;
	pcs_forecast) echo pcs-forecast -j 1 -H 5m,15m --window 2d --skip-bad "$f" ;;
	pcs_risk) echo pcs-risk -c testdata/capacity.csv --current --skip-bad "$f" ;;
	pcs_shadow_plan) echo pcs-shadow-plan -t testdata/plan/topology.csv --summary --skip-bad "$f" ;;
	pcs_route_weights) echo pcs-route-weights --plan testdata/route/plan/plan-03.csv --each-tick \
		--skip-bad "$f" ;;
	pcs_replay) echo pcs-replay -t testdata/topology.csv --model snaive --warmup 1h --refit 1d \
		--window 2d --provision-budget 1.15 --skip-bad "$f" ;;
	pcs_retrain) echo pcs-retrain -j 1 -H 5m --origins 3 --models snaive,ets --seasons daily \
		--trends damped --transforms none --quantile-methods conformal --window 2d --skip-bad "$f" ;;
	*) return 1 ;;
	esac
}

# assert_clean HARNESS: every input of fuzz/regressions/HARNESS ends cleanly
assert_clean() {
	local h=$1 f cmd tool n=0

	[ -d "$REG/$h" ] || skip "no regression inputs for $h"
	for f in "$REG/$h"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		# shellcheck disable=SC2207  # the command is split into words on purpose
		cmd=($(regression_cmd "$h" "$f")) || fail "no command for harness $h"
		tool=${cmd[0]}
		run --separate-stderr timeout 60 "${cmd[@]}"
		case $status in
		0) ;;
		1 | 2) [[ $stderr == "$tool: "* ]] ||
			fail "$f: status $status without a message from $tool: $stderr" ;;
		*) fail "$f: status $status (a crash, a sanitizer report or a time-out): $stderr" ;;
		esac
		[[ $stderr != *Sanitizer* && $stderr != *"runtime error"* ]] || fail "$f: $stderr"
	done
	[ "$n" -gt 0 ] || skip "no regression inputs for $h"
}

@test "fuzz regressions: csv_reader" { assert_clean csv_reader; }
@test "fuzz regressions: ndjson_reader" { assert_clean ndjson_reader; }
@test "fuzz regressions: time" { assert_clean time; }
@test "fuzz regressions: modelfile" { assert_clean modelfile; }
@test "fuzz regressions: state" { assert_clean state; }
@test "fuzz regressions: pcs_forecast" { assert_clean pcs_forecast; }
@test "fuzz regressions: pcs_risk" { assert_clean pcs_risk; }
@test "fuzz regressions: pcs_shadow_plan" { assert_clean pcs_shadow_plan; }
@test "fuzz regressions: pcs_route_weights" { assert_clean pcs_route_weights; }
@test "fuzz regressions: pcs_replay" { assert_clean pcs_replay; }
@test "fuzz regressions: pcs_retrain" { assert_clean pcs_retrain; }

# What the pcs_replay harness found: a history whose samples span more
# steps than a series can hold is refused with a message, before anything
# is allocated for it (it used to ask malloc for terabytes).
@test "fuzz regressions: samples centuries apart at a 1 s step are a data error" {
	run --separate-stderr pcs-replay -t testdata/topology.csv \
		$REG/pcs_replay/span-of-centuries-at-1s-asks-for-terabytes.csv
	assert_equal "$status" 1
	assert_equal "$output" ""
	assert_regex "$stderr" "^pcs-replay: the samples span [0-9]+ steps of 1s, more than 67108864: give a larger step or a shorter history\$"
}
