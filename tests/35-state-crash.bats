#!/usr/bin/env bats
# Every writer of a persistent file killed with SIGKILL at random points of
# its run, hundreds of times (lib/pcs_state.h: "a crash at any point leaves
# either the old or the new file, never a torn one").  First pcs-shadow-plan
# on a state file that grows and changes from run to run: after every
# attempt the state file must be absent (only before the first save), or
# byte for byte the old state, or byte for byte the state an uninterrupted
# run makes; it must load (a --dry-run on it exits 0, which also shows the
# lock was not left held); and temporary files must not pile up.  Then the
# same for pcs-route-weights --state, pcs-retrain --out and pcs-retrain
# --update (crash_loop, below), whose files are read back by a run without
# input and by pcs-forecast -m.
#
# The delays are random; PCS_CRASH_SEED=N replays a sequence.  Each test
# stops after KILLS kills (a third as many for the other writers) or LIMIT
# seconds, whichever comes first.  A loaded machine may not reach KILLS in
# time, which is not a failure: only fewer than a quarter of them is (the
# test would then have shown too little).  Under valgrind (PCS_VALGRIND=1)
# the suite is skipped: a kill there mostly lands in valgrind's start-up,
# and the plain and sanitizer runs cover what it checks.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

KILLS=${PCS_CRASH_KILLS:-300}
LIMIT=${PCS_CRASH_SECONDS:-25}
# the loops of the other writers (crash_loop, below) stop at a third as many
KILLS_EACH=$((KILLS / 3))
# fewer kills than these in LIMIT seconds fail the test
MIN_KILLS=$((KILLS / 4))
MIN_KILLS_EACH=$((KILLS_EACH / 4))
# model files hold their creation time: the same run must make the same bytes
export SOURCE_DATE_EPOCH=1795564800

setup() {
	if [ "${PCS_VALGRIND:-0}" = 1 ] && [[ $BATS_TEST_DESCRIPTION == SIGKILL* ]]; then
		skip "SIGKILL loops are not run under valgrind"
	fi
	cd "$PCS_ROOT" || return 1
}

setup_file() {
	local g p k r v


	[ -x "$PCS_BIN/pcs-shadow-plan" ] || {
		echo "no executable pcs-shadow-plan in PCS_BIN=$PCS_BIN (run make)" >&2
		return 1
	}
	# 3 groups of 8 primaries and 4 secondaries: a state of up to 24 shadows
	{
		echo pop,group,service,role,region,instance_rps,instances,max_instances,boot_s,warm_s,rtt_ms,cost_per_hour,warm_cost_frac
		for g in g1 g2 g3; do
			for p in 1 2 3 4 5 6 7 8; do
				echo "p$p,$g,svc,primary,eu,10,5,5,60,10,0,0.4,0.1"
			done
			for p in 1 2 3 4; do
				echo "s$p,$g,svc,secondary,eu,10,1,200,60,10,$p,0.5,0.2"
			done
		done
	} >"$BATS_FILE_TMPDIR/topo.csv"
	# 12 risk streams; in stream k, primary p is overloaded, at risk or calm
	# by (p + k) mod 12, so that played in turn shadows warm, activate, cool
	# down, drain and go off again
	for k in 0 1 2 3 4 5 6 7 8 9 10 11; do
		{
			echo group,pop,horizon_s,target,demand_p50,demand_p99,capacity_rps,headroom_rps,p_exceed,expected_shortfall_rps,risk,level
			for g in g1 g2 g3; do
				for p in 1 2 3 4 5 6 7 8; do
					r=$(((p + k) % 12))
					case $r in
					0 | 1 | 2) v=60,80,50,-10,0.9,12,0.9,critical ;;
					3 | 4 | 5) v=40,70,50,10,0.3,3,0.3,high ;;
					*) v=20,30,50,30,0.01,0.01,0.01,low ;;
					esac
					echo "$g,p$p,600,2026-11-25T00:10:00Z,$v"
				done
			done
		} >"$BATS_FILE_TMPDIR/risk-$k.csv"
	done
}

# plan DIR NOW K [OPTION ...]: one run on DIR/state.json at time NOW (Unix
# seconds) with risk stream K.
plan() {
	local dir=$1 now=$2 k=$3

	shift 3
	pcs-shadow-plan -t "$BATS_FILE_TMPDIR/topo.csv" --state "$dir/state.json" --now "$now" "$@" \
		"$BATS_FILE_TMPDIR/risk-$k.csv"
}

# temporaries DIR: how many files other than the lock sit beside DIR/state.json
temporaries() {
	find "$1" -maxdepth 1 -name 'state.json.*' ! -name state.json.lock | wc -l
}

# killed_run DIR NOW K: plan DIR NOW K under timeout -s KILL after a random
# delay of 0 to 4.9 ms; status 137 when it was killed.  The subshell keeps
# the shell's "Killed" notice out of the test's output.  A process killed
# while it holds the lock lets go of it only once the kernel has closed its
# files, a moment after timeout(1) returns: wait for that (flock(1) on the
# lock file), as the next run after a real crash would find it.
killed_run() {
	local delay rc=0

	delay=$(printf '0.00%d%ds' $((RANDOM % 5)) $((RANDOM % 10)))
	(
		timeout -s KILL "$delay" pcs-shadow-plan -t "$BATS_FILE_TMPDIR/topo.csv" \
			--state "$1/state.json" --now "$2" "$BATS_FILE_TMPDIR/risk-$3.csv" >/dev/null 2>&1
		exit $?
	) 2>/dev/null || rc=$?
	if [ -e "$1/state.json.lock" ]; then
		flock -w 5 "$1/state.json.lock" true || return 99   # the lock stays held
	fi
	return "$rc"
}

@test "SIGKILL at random points: the state is always the old or the new one, and loads" {
	command -v timeout >/dev/null || skip "no timeout(1)"
	command -v flock >/dev/null || skip "no flock(1)"
	local dir=$BATS_TEST_TMPDIR/run ref=$BATS_TEST_TMPDIR/ref seed=${PCS_CRASH_SEED:-$$}
	local i=0 kills=0 done_runs=0 start=$SECONDS now k rc

	RANDOM=$seed
	mkdir -p "$dir" "$ref"
	while [ "$kills" -lt "$KILLS" ] && [ $((SECONDS - start)) -lt "$LIMIT" ]; do
		i=$((i + 1))
		now=$((1795564800 + i * 120))
		k=$((i % 12))
		# the new state: the same run, uninterrupted, on a copy of the old
		rm -f "$ref/state.json" "$dir/old.json"
		if [ -e "$dir/state.json" ]; then
			cp "$dir/state.json" "$ref/state.json"
			cp "$dir/state.json" "$dir/old.json"
		fi
		plan "$ref" "$now" "$k" >/dev/null 2>"$ref/err" ||
			fail "seed $seed, run $i: the uninterrupted run failed: $(cat "$ref/err")"

		rc=0
		killed_run "$dir" "$now" "$k" || rc=$?
		case $rc in
		0) done_runs=$((done_runs + 1)) ;;
		137) kills=$((kills + 1)) ;;
		99) fail "seed $seed, run $i: the lock of a killed run was still held 5s later" ;;
		*) fail "seed $seed, run $i: status $rc, neither success nor SIGKILL" ;;
		esac

		if [ -e "$dir/state.json" ]; then
			cmp -s "$dir/state.json" "$ref/state.json" ||
				{ [ -e "$dir/old.json" ] && cmp -s "$dir/state.json" "$dir/old.json"; } ||
				fail "seed $seed, run $i (status $rc): the state is neither the old nor the new one: $(head -c 300 "$dir/state.json")"
			plan "$dir" "$now" "$k" --dry-run >/dev/null 2>"$dir/err" ||
				fail "seed $seed, run $i (status $rc): the state left behind does not load: $(cat "$dir/err")"
		else
			[ ! -e "$dir/old.json" ] ||
				fail "seed $seed, run $i (status $rc): the state file vanished"
		fi
	done
	echo "# $kills kills and $done_runs complete runs in $i attempts, $((SECONDS - start))s (seed $seed)" >&3
	[ "$kills" -ge "$MIN_KILLS" ] ||
		fail "only $kills kills in ${LIMIT}s (want $KILLS, at least $MIN_KILLS): too slow a machine? PCS_CRASH_SECONDS raises the limit"
	# the state kept growing: many shadows are live by now
	run grep -o '"primary"' "$dir/state.json"
	[ "${#lines[@]}" -ge 10 ] || fail "the scenario did not grow the state: ${#lines[@]} shadows"
}

@test "SIGKILL at random points: temporary files do not pile up (at most one)" {
	command -v timeout >/dev/null || skip "no timeout(1)"
	command -v flock >/dev/null || skip "no flock(1)"
	local dir=$BATS_TEST_TMPDIR/run seed=${PCS_CRASH_SEED:-$$}
	local i=0 kills=0 start=$SECONDS rc n

	RANDOM=$seed
	mkdir -p "$dir"
	while [ "$kills" -lt "$KILLS" ] && [ $((SECONDS - start)) -lt "$LIMIT" ]; do
		i=$((i + 1))
		rc=0
		killed_run "$dir" $((1795564800 + i * 120)) $((i % 12)) || rc=$?
		[ "$rc" = 99 ] && fail "seed $seed, run $i: the lock of a killed run was still held 5s later"
		[ "$rc" = 137 ] && kills=$((kills + 1))
		n=$(temporaries "$dir")
		[ "$n" -le 1 ] ||
			fail "seed $seed, run $i: $n temporary files after $kills kills: $(cd "$dir" && echo state.json.*)"
	done
	echo "# $kills kills in $i attempts, $((SECONDS - start))s (seed $seed)" >&3
	[ "$kills" -ge "$KILLS" ] || fail "only $kills kills in ${LIMIT}s (want $KILLS)"
	# and a complete run afterwards leaves none of its own
	n=$(temporaries "$dir")
	plan "$dir" $((1795564800 + (i + 1) * 120)) 0 >/dev/null
	[ "$(temporaries "$dir")" -le "$n" ] || fail "a complete run left a temporary file"
}

@test "a state file cut short (what a non-atomic write would leave) is refused with status 1" {
	local dir=$BATS_TEST_TMPDIR len size step
	plan "$dir" 1795564920 1 >/dev/null
	plan "$dir" 1795565040 2 >/dev/null
	cp "$dir/state.json" "$dir/full.json"
	size=$(wc -c <"$dir/full.json")
	[ "$size" -gt 1000 ] || fail "a small state: $size bytes"
	# proper prefixes, some 200 of them, but not the one that only drops the
	# final newline
	step=$((size / 200 + 1))
	for ((len = 0; len < size - 1; len += step)); do
		head -c "$len" "$dir/full.json" >"$dir/state.json"
		run --separate-stderr plan "$dir" 1795565160 3 --dry-run
		[ "$status" -eq 1 ] || fail "a state cut to $len of $size bytes: status $status"
		assert_regex "$stderr" "^pcs-shadow-plan: $dir/state.json(:[0-9]+)?: "
	done
	head -c $((size - 1)) "$dir/full.json" >"$dir/state.json"
	run --separate-stderr plan "$dir" 1795565160 3 --dry-run
	assert_success
}

# --- every other writer of a persistent file ---------------------------------
#
# pcs-route-weights --state, pcs-retrain --out and pcs-retrain --update run
# through one loop, crash_loop, which hooks into the writer:
#
#	WRITER_input I     writes the input of attempt I, if it has its own
#	WRITER_cmd DIR I   sets cmd to the command of attempt I on DIR/FILE
#	WRITER_load DIR    reads DIR/FILE back with the cheapest real reader
#
# Each attempt runs the command once uninterrupted on a copy of the file (the
# new one) and once under SIGKILL after a delay drawn from RANDOM between 0
# and 1.25 times the quickest of three uninterrupted runs timed before the
# loop (so that kills land anywhere in a run, its write included, and some
# runs complete).  Afterwards the file must be absent (only when it was), or
# the old or the new one byte for byte; a new one must load (the old one
# did); the lock must not stay held; and at most one temporary file may sit
# beside it.  Every fork counts under bats, so the loop makes few.

# killed DELAY_US FILE CMD ...: CMD under timeout -s KILL after DELAY_US
# microseconds (status 137 when it was killed); then, as killed_run does,
# wait for the kernel to let go of FILE.lock after a kill: 99 when it stays
# held.
killed() {
	local delay=$1 file=$2 rc=0

	shift 2
	(
		timeout -s KILL "$(printf '%d.%06ds' $((delay / 1000000)) $((delay % 1000000)))" "$@" \
			>/dev/null 2>&1
		exit $?
	) 2>/dev/null || rc=$?
	if [ "$rc" = 137 ] && [ -e "$file.lock" ]; then
		flock -w 5 "$file.lock" true || return 99
	fi
	return "$rc"
}

# usecs: the time now in microseconds
usecs() {
	local t=${EPOCHREALTIME/./}
	echo $((10#$t))
}

# crash_loop WRITER FILE [FIRST]: the loop on DIR/FILE, with FIRST copied
# there first when the writer needs a file to start from.
crash_loop() {
	local writer=$1 file=$2 first=${3:-} seed=${PCS_CRASH_SEED:-$$}
	local dir=$BATS_TEST_TMPDIR/run ref=$BATS_TEST_TMPDIR/ref cal=$BATS_TEST_TMPDIR/cal
	local i=0 kills=0 done_runs=0 changed=0 start=$SECONDS range=0 rc t delay
	local -a cmd tmps

	command -v timeout >/dev/null || skip "no timeout(1)"
	command -v flock >/dev/null || skip "no flock(1)"
	shopt -s nullglob
	mkdir -p "$dir" "$ref" "$cal"
	[ -z "$first" ] || cp "$first" "$dir/$file"
	for i in 1 2 3; do
		rm -f "$cal/$file"
		[ -z "$first" ] || cp "$first" "$cal/$file"
		! declare -F "${writer}_input" >/dev/null || "${writer}_input" "$i"
		"${writer}_cmd" "$cal" "$i"
		t=$(usecs)
		"${cmd[@]}" >/dev/null 2>"$cal/err" || fail "$writer: an uninterrupted run failed: $(cat "$cal/err")"
		t=$(($(usecs) - t))
		[ "$range" -gt 0 ] && [ "$t" -ge "$range" ] || range=$t
	done
	range=$((range * 5 / 4 + 1))
	i=0
	RANDOM=$seed
	while [ "$kills" -lt "$KILLS_EACH" ] && [ $((SECONDS - start)) -lt "$LIMIT" ]; do
		i=$((i + 1))
		# the new file: the same run, uninterrupted, on a copy of the old
		if [ -e "$dir/$file" ]; then
			cp "$dir/$file" "$ref/$file"
			cp "$dir/$file" "$dir/old"
		else
			rm -f "$ref/$file" "$dir/old"
		fi
		! declare -F "${writer}_input" >/dev/null || "${writer}_input" "$i"
		"${writer}_cmd" "$ref" "$i"
		"${cmd[@]}" >/dev/null 2>"$ref/err" ||
			fail "$writer, seed $seed, run $i: the uninterrupted run failed: $(cat "$ref/err")"

		delay=$(((RANDOM * 32768 + RANDOM) % range))
		"${writer}_cmd" "$dir" "$i"
		rc=0
		killed "$delay" "$dir/$file" "${cmd[@]}" || rc=$?
		case $rc in
		0) done_runs=$((done_runs + 1)) ;;
		137) kills=$((kills + 1)) ;;
		99) fail "$writer, seed $seed, run $i: the lock of a killed run was still held 5s later" ;;
		*) fail "$writer, seed $seed, run $i: status $rc, neither success nor SIGKILL" ;;
		esac

		if [ ! -e "$dir/$file" ]; then
			[ ! -e "$dir/old" ] ||
				fail "$writer, seed $seed, run $i (status $rc, ${delay}us): the file vanished"
		elif ! { [ -e "$dir/old" ] && cmp -s "$dir/$file" "$dir/old"; }; then
			cmp -s "$dir/$file" "$ref/$file" ||
				fail "$writer, seed $seed, run $i (status $rc, ${delay}us): the file is neither the old nor the new one: $(head -c 300 "$dir/$file")"
			changed=$((changed + 1))
			"${writer}_load" "$dir" >/dev/null 2>"$dir/err" ||
				fail "$writer, seed $seed, run $i (status $rc, ${delay}us): the file left behind does not load: $(cat "$dir/err")"
		fi
		tmps=("$dir/$file".pcs-tmp.*)
		[ "${#tmps[@]}" -le 1 ] ||
			fail "$writer, seed $seed, run $i: ${#tmps[@]} temporary files after $kills kills: ${tmps[*]##*/}"
	done
	echo "# $writer: $kills kills and $done_runs complete runs in $i attempts (delays 0 to ${range}us), $((SECONDS - start))s (seed $seed)" >&3
	[ "$kills" -ge "$MIN_KILLS_EACH" ] ||
		fail "$writer: only $kills kills in ${LIMIT}s (want $KILLS_EACH, at least $MIN_KILLS_EACH): too slow a machine? PCS_CRASH_SECONDS raises the limit"
	# the file did change from run to run, so old and new were told apart
	[ "$changed" -ge 10 ] || fail "$writer: the file changed only $changed times"
	# the lock is free, and a complete run leaves no temporary file behind
	"${writer}_cmd" "$dir" "$i"
	"${cmd[@]}" >/dev/null 2>"$dir/err" || fail "$writer: the run after the loop failed: $(cat "$dir/err")"
	tmps=("$dir/$file".pcs-tmp.*)
	[ "${#tmps[@]}" -eq 0 ] || fail "$writer: temporary files left after a complete run: ${tmps[*]##*/}"
}

# pcs-route-weights: 10 groups of 6 POPs whose latency and errors rise and
# fall with the tick, so that breakers trip and shares move; tick I at
# 10 s x I (made by awk: a loop in the shell is slow under bats)
route_input() {
	awk -v ts=$((1795564800 + $1 * 10)) -v i="$1" 'BEGIN {
		print "ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate,requests"
		for (g = 1; g <= 10; g++)
			for (p = 1; p <= 6; p++) {
				r = (p + g + i) % 12
				row = r < 2 ? "400,1,1000" : r < 4 ? "120,0.05,1000" : 30 + p * 5 ",0,1000"
				print ts ",g" g ",p" p ",500," 100 + r * 20 "," row
			}
	}' >"$BATS_TEST_TMPDIR/health.csv"
}

route_cmd() {
	cmd=(pcs-route-weights --state "$1/route.json" "$BATS_TEST_TMPDIR/health.csv")
}

# a run with no health input reads the state and writes the weights it holds
route_load() {
	pcs-route-weights --state "$1/route.json" </dev/null
}

# pcs-retrain --out: four histories of different lengths in turn, so that
# the model changes at every run
retrain_out_cmd() {
	cmd=(pcs-retrain --models snaive --origins 20 --out "$1/model.json"
		"$BATS_FILE_TMPDIR/history-$(($2 % 4)).csv")
}

# pcs-forecast -m on a short history reads the whole model file
retrain_out_load() {
	pcs-forecast -m "$1/model.json" -H 5m "$BATS_FILE_TMPDIR/history-short.csv"
}

# pcs-retrain --update: a history that grows by a step from run to run (and
# starts over after 900 runs), so that the keys are refitted
retrain_update_input() {
	head -n $((601 + ($1 % 900) * 4)) "$TESTDATA/metrics.csv" >"$BATS_TEST_TMPDIR/history.csv"
}

retrain_update_cmd() {
	cmd=(pcs-retrain --models snaive --update "$1/model.json" "$BATS_TEST_TMPDIR/history.csv")
}

retrain_update_load() {
	retrain_out_load "$@"
}

# history-0 ... history-3: the first 1000 + 200 j rows of testdata/metrics.csv;
# history-short: its last 200 rows; first.json: a model of the first 600
# rows, where the history of retrain_update_cmd starts
retrain_histories() {
	local j

	[ -e "$BATS_FILE_TMPDIR/history-short.csv" ] && return
	for j in 0 1 2 3; do
		head -n $((1001 + j * 200)) "$TESTDATA/metrics.csv" >"$BATS_FILE_TMPDIR/history-$j.csv"
	done
	{
		head -n 1 "$TESTDATA/metrics.csv"
		tail -n 200 "$TESTDATA/metrics.csv"
	} >"$BATS_FILE_TMPDIR/history-short.csv"
	head -n 601 "$TESTDATA/metrics.csv" >"$BATS_FILE_TMPDIR/history-first.csv"
	pcs-retrain --models snaive --origins 20 \
		--out "$BATS_FILE_TMPDIR/first.json" "$BATS_FILE_TMPDIR/history-first.csv" 2>/dev/null
}

@test "SIGKILL at random points: pcs-route-weights --state is always the old or the new state, and loads" {
	crash_loop route route.json
}

@test "SIGKILL at random points: pcs-retrain --out leaves the old or the new model file, which loads" {
	retrain_histories
	crash_loop retrain_out model.json
}

@test "SIGKILL at random points: pcs-retrain --update leaves the old or the new model file, which loads" {
	retrain_histories
	crash_loop retrain_update model.json "$BATS_FILE_TMPDIR/first.json"
}
