#!/usr/bin/env bats
# pcs-shadow-plan killed with SIGKILL at random points of its run, hundreds
# of times, on a state file that grows and changes from run to run
# (lib/pcs_state.h: "a crash at any point leaves either the old or the new
# file, never a torn one").  After every attempt the state file must be
# absent (only before the first save), or byte for byte the old state, or
# byte for byte the state an uninterrupted run makes; it must load (a
# --dry-run on it exits 0, which also shows the lock was not left held);
# and temporary files must not pile up.
#
# The delays are random; PCS_CRASH_SEED=N replays a sequence.  Each test
# stops after KILLS kills or LIMIT seconds, whichever comes first.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

KILLS=${PCS_CRASH_KILLS:-300}
LIMIT=${PCS_CRASH_SECONDS:-25}

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
	[ "$kills" -ge "$KILLS" ] ||
		fail "only $kills kills in ${LIMIT}s (want $KILLS): too slow a machine? PCS_CRASH_SECONDS raises the limit"
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
