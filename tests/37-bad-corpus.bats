#!/usr/bin/env bats
# The bad-input corpus, testdata/bad, as a whole.  A case is NAME.csv,
# NAME.ndjson or NAME.json (the input), NAME.err (the exact message),
# NAME.status (the exit status) and optionally NAME.args; the suite of the
# tool its name starts with runs it (an assert_bad* function of
# 10-forecast.bats ... 65-retrain.bats).  Here: every case is complete and
# run by some test (no orphans), every one of the six tools and every kind
# of state, model and configuration file has cases, and there are at least
# 60 in all.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

# tool PREFIX: the program whose cases are named PREFIX-*
tool() {
	case $1 in
	forecast) echo pcs-forecast ;;
	risk) echo pcs-risk ;;
	plan) echo pcs-shadow-plan ;;
	route) echo pcs-route-weights ;;
	replay) echo pcs-replay ;;
	retrain) echo pcs-retrain ;;
	esac
}

# cases: the case names, one a line
cases() {
	local f

	for f in testdata/bad/*; do
		f=${f##*/}
		echo "${f%.*}"
	done | sort -u
}

@test "every case in testdata/bad has one input, its .err and its .status, and names a tool" {
	local name f n prefix want

	for f in testdata/bad/*; do
		case $f in
		*.csv | *.ndjson | *.json | *.err | *.status | *.args) ;;
		*) fail "$f: not a case file (.csv, .ndjson, .json, .err, .status, .args)" ;;
		esac
	done
	while read -r name; do
		n=0
		for f in "testdata/bad/$name".csv "testdata/bad/$name".ndjson "testdata/bad/$name".json; do
			[ -f "$f" ] && n=$((n + 1))
		done
		[ "$n" -eq 1 ] || fail "testdata/bad/$name: $n inputs, want 1"
		[ -s "testdata/bad/$name.err" ] || fail "testdata/bad/$name.err missing or empty"
		[ -f "testdata/bad/$name.status" ] || fail "testdata/bad/$name.status missing"
		grep -Exq '[12]' "testdata/bad/$name.status" ||
			fail "testdata/bad/$name.status: $(cat "testdata/bad/$name.status"), want 1 or 2"
		prefix=${name%%-*}
		want=$(tool "$prefix")
		[ -n "$want" ] || fail "testdata/bad/$name: the name starts with no tool's prefix"
		# a model file's message is pcs-forecast -m's (assert_bad_model)
		case $name in retrain-model-*) want=pcs-forecast ;; esac
		grep -q "^$want: " "testdata/bad/$name.err" ||
			fail "testdata/bad/$name.err is not a message of $want: $(head -n 1 "testdata/bad/$name.err")"
	done < <(cases)
}

@test "every case in testdata/bad is run by a test (no orphans)" {
	local name suites=() f

	for f in tests/*.bats; do
		[ "$f" = tests/37-bad-corpus.bats ] || suites+=("$f")
	done
	while read -r name; do
		grep -Eq "assert_bad[a-z_]* $name;" "${suites[@]}" ||
			fail "testdata/bad/$name is run by no test (want 'assert_bad... $name;' in a suite)"
	done < <(cases)
}

# shellcheck disable=SC2016  # the helpers' code, $input and all, is matched as written
@test "the model cases go through pcs-forecast -m and pcs-retrain --update, the state cases through --state" {
	# the helpers that run them, as their suites define them
	run sed -n '/^assert_bad_model()/,/^}/p' tests/65-retrain.bats
	assert_output --partial 'pcs-forecast -m "$input"'
	assert_output --partial 'pcs-retrain --update "$input"'
	run sed -n '/^assert_bad_state_file()/,/^}/p' tests/test_helper.bash
	assert_output --partial '--state "$input"'
	run grep -c 'assert_bad_state_file "$1" pcs-shadow-plan' tests/30-shadow-plan.bats
	assert_output 1
	run grep -c 'assert_bad_state_file "$1" pcs-route-weights' tests/40-route-weights.bats
	assert_output 1
}

@test "at least 60 cases, at least 10 for each of the six tools and for each kind of state, model and configuration file" {
	local name prefix p k total=0
	local -A per_tool=() per_kind=()

	while read -r name; do
		total=$((total + 1))
		prefix=${name%%-*}
		per_tool[$prefix]=$((${per_tool[$prefix]:-0} + 1))
		case $name in
		plan-state-*) k="shadow-plan state files" ;;
		route-state-*) k="route-weights state files" ;;
		retrain-model-*) k="model files (-m, --update, --drift, --ab)" ;;
		plan-topology-* | replay-topology-*) k="topology files" ;;
		risk-capacity-*) k="capacity files" ;;
		*) k='' ;;
		esac
		[ -z "$k" ] || per_kind[$k]=$((${per_kind[$k]:-0} + 1))
	done < <(cases)
	for p in forecast risk plan route replay retrain; do
		echo "# $(tool "$p"): ${per_tool[$p]:-0} cases" >&3
		[ "${per_tool[$p]:-0}" -ge 10 ] || fail "$(tool "$p"): ${per_tool[$p]:-0} cases, want 10 or more"
	done
	for k in "shadow-plan state files" "route-weights state files" "model files (-m, --update, --drift, --ab)" \
		"topology files" "capacity files"; do
		echo "# $k: ${per_kind[$k]:-0} cases" >&3
		[ "${per_kind[$k]:-0}" -ge 10 ] || fail "$k: ${per_kind[$k]:-0} cases, want 10 or more"
	done
	echo "# $total cases in all" >&3
	[ "$total" -ge 60 ] || fail "$total cases in testdata/bad, want 60 or more"
}
