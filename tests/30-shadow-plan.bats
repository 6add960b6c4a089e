#!/usr/bin/env bats
# pcs-shadow-plan against its contract (lib/pcs_shadow.h, lib/pcs_state.h,
# --help): lifecycle scenarios played run after run on one state file
# (testdata/plan/<scenario>/step-NN.csv, played by testdata/plan/run-scenario.sh,
# goldens in testdata/golden/plan-*), no flapping, reruns, --dry-run, the
# kubectl and aws-asg formats, the cost account, state file errors and
# locking, bad topology and risk input, usage errors.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

setup_file() {
	[ -x "$PCS_BIN/pcs-shadow-plan" ] || {
		echo "no executable pcs-shadow-plan in PCS_BIN=$PCS_BIN (run make)" >&2
		return 1
	}
}

HEADER=ts,group,service,pop,action,from_state,to_state,instances,reason,primary
TOPO=testdata/plan/topology.csv

# --- helpers -------------------------------------------------------------

# play SCENARIO
# Play testdata/plan/SCENARIO afresh and set $output to what each step did,
# one line per plan row: "NN action from->to pop instances primary".
play() {
	run --separate-stderr sh -c "sh testdata/plan/run-scenario.sh testdata/plan/$1 |
		awk -F, '/^# step-/ { s = substr(\$0, 8); next }
		{ print s, \$5, \$6 \"->\" \$7, \$4, \$8, \$10 }'"
	assert_success
	assert_equal "$stderr" ""
}

# steps SCENARIO N [OPTION ...]
# Feed steps 01..N of testdata/plan/SCENARIO to pcs-shadow-plan with the state
# file $BATS_TEST_TMPDIR/state.json, output discarded.
steps() {
	local dir=testdata/plan/$1 n=$2 i topo=$TOPO

	shift 2
	[ -f "$dir/topology.csv" ] && topo=$dir/topology.csv
	for ((i = 1; i <= n; i++)); do
		pcs-shadow-plan -t "$topo" --state "$BATS_TEST_TMPDIR/state.json" "$@" \
			"$(printf '%s/step-%02d.csv' "$dir" "$i")" >/dev/null ||
			fail "step $i of $dir failed"
	done
}

# assert_bad_topology NAME
# testdata/bad/NAME.csv as the topology for a risk stream that would warm a
# shadow: exactly NAME.err, the status in NAME.status, nothing on stdout;
# as -t FILE and again as -t - on standard input (named <stdin>).
assert_bad_topology() {
	local input want_err want_status

	cd testdata/bad || return 1
	bad_case "$1"
	run --separate-stderr pcs-shadow-plan -t "$input" ../plan/surge/step-02.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	run_stdin "$input" pcs-shadow-plan -t - ../plan/surge/step-02.csv
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
}

# assert_bad_risk NAME
# testdata/bad/NAME.csv (or .ndjson) as the risk stream, with a state file
# that must not be created: exactly NAME.err and the status in NAME.status,
# read as a file operand and again from standard input (named <stdin>).
assert_bad_risk() {
	local input want_err want_status

	cd testdata/bad || return 1
	bad_case "$1"
	run --separate-stderr pcs-shadow-plan -t ../plan/topology.csv \
		--state "$BATS_TEST_TMPDIR/state.json" "$input"
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	[ ! -e "$BATS_TEST_TMPDIR/state.json" ] || fail "a failed run wrote the state file"
	run_stdin "$input" pcs-shadow-plan -t ../plan/topology.csv
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
}

# assert_bad_state NAME: testdata/bad/NAME.json as the state file
# (assert_bad_state_file)
assert_bad_state() {
	assert_bad_state_file "$1" pcs-shadow-plan -t "$TESTDATA/plan/topology.csv" "$TESTDATA/plan/surge/step-02.csv"
}

# --- goldens: scenarios played run after run on one state file --------------

@test "golden: a surge that builds (warm, active, more, cooldown, draining, off)" {
	assert_golden plan-surge.csv
}

@test "golden: a false alarm (warm, then off without activation)" {
	assert_golden plan-false-alarm.csv
}

@test "golden: risk oscillating between 0.05 and 0.15 for 30 runs" {
	assert_golden plan-oscillate.csv
}

@test "golden: a secondary taken by another primary's shadow: the next one is chosen" {
	assert_golden plan-no-spare.csv
}

@test "golden: the nearest secondary cannot take the whole need: a farther one that can" {
	assert_golden plan-fit.csv
}

@test "golden: a primary already overloaded: create_warm and scale_up in one run" {
	assert_golden plan-overload.csv
}

@test "golden: the need passes every secondary's max_instances: capped" {
	assert_golden plan-capped.csv
}

@test "golden: risk rising again while draining" {
	assert_golden plan-relapse.csv
}

@test "golden: -f kubectl, warm shadows" {
	assert_golden plan-kubectl.txt
}

@test "golden: -f kubectl, an overloaded primary" {
	assert_golden plan-kubectl-active.txt
}

@test "golden: -f aws-asg, warm shadows" {
	assert_golden plan-aws-asg.ndjson
}

@test "golden: -f aws-asg, an overloaded primary" {
	assert_golden plan-aws-asg-active.ndjson
}

@test "golden: -o ndjson --epoch" {
	assert_golden plan-ndjson.ndjson
}

@test "goldens: every plan-* golden listed is checked here" {
	assert_goldens_checked plan-
}

# --- the scenarios, step by step, against the lifecycle in pcs_shadow.h --------

@test "surge: off -> warm -> active -> (more) -> draining -> off, at the right steps" {
	# defaults: warm-at 0.1, release-below 0.02, cooldown 10m, min-dwell 5m,
	# drain 2m, reserve 0.1 (threshold 450 of capacity 500), activate on p50
	play surge
	assert_output "$(printf '%s\n' \
		'02 create_warm off->warm par 3 fra' \
		'03 scale_up warm->active par 3 fra' \
		'04 scale_up active->active par 4 fra' \
		'05 hold active->active par 4 fra' \
		'06 hold active->active par 4 fra' \
		'07 hold active->active par 4 fra' \
		'08 scale_down active->draining par 4 fra' \
		'09 hold draining->draining par 4 fra' \
		'10 deactivate draining->off par 4 fra')"
}

@test "surge: warm size is the larger of the shortfall and the p99 excess, in instances" {
	# step 02: max(2.5, 560 - 450) = 110 rps -> ceil(110/50) = 3 instances;
	# step 04: active need max(200, 520 - 450) = 200 > 150 held -> one more
	run sh -c "sh testdata/plan/run-scenario.sh testdata/plan/surge | grep -v '^#' | cut -d, -f5,8,9"
	assert_line --index 0 'create_warm,3,risk 0.12 >= warm-at 0.1 within 30m at fra; boot 180s fits'
	assert_line --index 1 'scale_up,3,demand p50 470 > 450 (capacity less 10% reserve) at fra in 15m'
	assert_line --index 2 'scale_up,4,demand 520 still passes 450 at fra: 1 more instance'
}

@test "surge: the cooldown and the drain are counted in the reasons" {
	run sh -c "sh testdata/plan/run-scenario.sh testdata/plan/surge | grep -v '^#' | cut -d, -f5,9"
	assert_line --index 3 'hold,risk 0.05 not below release-below 0.02'
	assert_line --index 4 'hold,risk 0.01 below 0.02 for 0s of 10m cooldown'
	assert_line --index 5 'hold,risk 0.01 below 0.02 for 5m of 10m cooldown'
	assert_line --index 6 'scale_down,risk 0.01 below 0.02 for 10m'
	assert_line --index 7 'hold,draining: 1m of 2m'
	assert_line --index 8 'deactivate,drained for 2m'
}

@test "false alarm: warm, then off after the cooldown, never active" {
	play false-alarm
	assert_output "$(printf '%s\n' \
		'01 create_warm off->warm par 2 fra' \
		'02 hold warm->warm par 2 fra' \
		'03 hold warm->warm par 2 fra' \
		'04 deactivate warm->off par 2 fra')"
}

@test "oscillating risk (0.05 / 0.15, 30 runs): one create_warm, then only holds" {
	play oscillate
	assert_equal "${#lines[@]}" 30
	assert_line --index 0 '01 create_warm off->warm par 2 fra'
	run sh -c "sh testdata/plan/run-scenario.sh testdata/plan/oscillate | grep -v '^#' | cut -d, -f5-7 | sort | uniq -c"
	assert_output "$(printf '%s\n' '      1 create_warm,off,warm' '     29 hold,warm,warm')"
}

@test "no spare room on the nearest secondary (taken by another shadow): the next one" {
	play no-spare
	assert_output "$(printf '%s\n' \
		'01 create_warm off->warm par 3 fra' \
		'02 create_warm off->warm lhr 3 ams' \
		'02 hold warm->warm par 3 fra')"
}

@test "a secondary without room for the whole need is passed over for one with room" {
	play fit
	assert_output '01 create_warm off->warm lhr 3 fra'
}

@test "overloaded primary: create_warm and scale_up in the same run, sized for the larger need" {
	# warm need max(110, 700 - 450) = 250 -> 5 instances
	play overload
	assert_output "$(printf '%s\n' \
		'01 create_warm off->warm par 5 fra' \
		'01 scale_up warm->active par 5 fra' \
		'02 hold active->active par 5 fra')"
}

@test "max_instances reached: the roomiest first, capped, and the reason says so" {
	# need max(300, 1400 - 450) = 950 rps = 19 instances; room 6 on par, 4 on lhr
	play capped
	assert_output "$(printf '%s\n' \
		'01 create_warm off->warm par 6 fra' \
		'01 create_warm off->warm lhr 4 fra' \
		'02 hold warm->warm par 6 fra' \
		'02 hold warm->warm lhr 4 fra')"
	run sh -c "sh testdata/plan/run-scenario.sh testdata/plan/capped | sed -n 2p | cut -d, -f9"
	assert_output 'risk 0.45 >= warm-at 0.1 within 15m at fra; boot 180s fits; capped by max_instances'
}

@test "relapse: risk at warm-at while draining goes back to active" {
	play relapse
	assert_output "$(printf '%s\n' \
		'01 create_warm off->warm par 5 fra' \
		'01 scale_up warm->active par 5 fra' \
		'02 hold active->active par 5 fra' \
		'03 scale_down active->draining par 5 fra' \
		'04 scale_up draining->active par 5 fra' \
		'05 hold active->active par 5 fra' \
		'06 scale_down active->draining par 5 fra' \
		'07 deactivate draining->off par 5 fra')"
}

@test "min-dwell: a warm shadow stays warm for min-dwell even after the cooldown" {
	# --cooldown 1m --min-dwell 10m: warm at 00:00, below from 00:02; the
	# cooldown is over at 00:03 but the shadow stays warm until 00:10
	play dwell
	assert_output "$(printf '%s\n' \
		'01 create_warm off->warm par 2 fra' \
		'02 hold warm->warm par 2 fra' \
		'03 hold warm->warm par 2 fra' \
		'04 hold warm->warm par 2 fra' \
		'05 deactivate warm->off par 2 fra')"
}

@test "min-dwell: a hold kept by min-dwell after the cooldown says so" {
	run sh -c "sh testdata/plan/run-scenario.sh testdata/plan/dwell | grep -A1 '^# step-04' | tail -1 | cut -d, -f9"
	assert_success
	# the cooldown (1m) is long over: the reason must name what holds it
	assert_output --partial 'min-dwell'
}

# --- reruns, time, --dry-run ----------------------------------------------------

@test "a rerun with the same input emits only holds, never an action again, and changes no state" {
	local i
	for i in 02 03 04 08 10; do
		rm -f "$BATS_TEST_TMPDIR/state.json"
		steps surge "$((10#$i))"
		cp "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json"
		run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
			"testdata/plan/surge/step-$i.csv"
		assert_success
		refute_output --regexp ',(create_warm|scale_up|scale_down|deactivate),'
		cmp -s "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json" ||
			fail "rerun of step $i changed the state"
	done
	rm -f "$BATS_TEST_TMPDIR/state.json"
	steps surge 4
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-04.csv
	assert_output '2026-11-25T00:15:00Z,web,edge,par,hold,active,active,4,no risk newer than the last run: holding,fra'
}

@test "risk older than the last run (time going backwards): holds, state unchanged" {
	steps surge 4
	cp "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-06.csv --now 2026-11-25T00:01:00Z
	assert_success
	assert_output '2026-11-25T00:01:00Z,web,edge,par,hold,active,active,4,no risk newer than the last run: holding,fra'
	cmp -s "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json" || fail "the state changed"
}

@test "--dry-run: the plan of a real run, and the state file byte for byte as it was" {
	steps surge 2
	cp "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json"
	cp "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/real.json"
	run --separate-stderr pcs-shadow-plan --dry-run -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-03.csv
	assert_success
	local dry=$output
	cmp -s "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/before.json" || fail "--dry-run changed the state"
	run --separate-stderr pcs-shadow-plan -t "$TOPO" --state "$BATS_TEST_TMPDIR/real.json" \
		testdata/plan/surge/step-03.csv
	assert_success
	assert_equal "$dry" "$output"
	cmp -s "$BATS_TEST_TMPDIR/real.json" "$BATS_TEST_TMPDIR/before.json" && fail "the real run changed nothing"
	# a second --dry-run plans the same again
	run --separate-stderr pcs-shadow-plan --dry-run -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-03.csv
	assert_equal "$output" "$dry"
}

@test "--dry-run without a state file does not create one" {
	run --separate-stderr pcs-shadow-plan --dry-run -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-02.csv
	assert_success
	assert_line --index 1 --regexp ',par,create_warm,off,warm,3,'
	[ ! -e "$BATS_TEST_TMPDIR/state.json" ] || fail "--dry-run created the state file"
}

@test "without --state every run starts from off" {
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" testdata/plan/surge/step-03.csv
	assert_success
	# warm need max(20, 620 - 450) = 170 rps -> 4 instances (the surge had 3
	# from step 02 and needed no more)
	assert_output '2026-11-25T00:10:00Z,web,edge,par,create_warm,off,warm,4,risk 0.3 >= warm-at 0.1 within 15m at fra; boot 180s fits,fra
2026-11-25T00:10:00Z,web,edge,par,scale_up,warm,active,4,demand p50 470 > 450 (capacity less 10% reserve) at fra in 15m,fra'
}

@test "the state after each surge step (jq)" {
	command -v jq >/dev/null || skip "no jq"
	local f=$BATS_TEST_TMPDIR/state.json
	steps surge 2
	run jq -c '[.format, .version, .updated, [.shadows[] | [.primary, .state, .since, .alloc]]]' "$f"
	assert_output '["pcs-shadow-plan-state",1,1795565100,[["fra","warm",1795565100,[{"instances":3,"pop":"par"}]]]]'
	rm -f "$f"
	steps surge 4
	run jq -c '[.shadows[] | [.state, .since, .alloc]]' "$f"
	assert_output '[["active",1795565400,[{"instances":4,"pop":"par"}]]]'
	rm -f "$f"
	steps surge 10
	run jq -c '[.shadows[] | [.state, .alloc]]' "$f"
	assert_output '[["off",[]]]'
}

@test "an empty risk stream: the time of the last run, every live shadow holds, the state as it was" {
	local f=$BATS_TEST_TMPDIR/state.json
	steps surge 5
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run_stdin /dev/null pcs-shadow-plan --no-header -t "$TOPO" --state "$f"
	assert_success
	assert_output '2026-11-25T00:20:00Z,web,edge,par,hold,active,active,4,no risk newer than the last run: holding,fra'
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "an empty stream changed the state"
	head -n 1 testdata/plan/surge/step-06.csv >"$BATS_TEST_TMPDIR/header.csv"
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$f" "$BATS_TEST_TMPDIR/header.csv"
	assert_success
	assert_output '2026-11-25T00:20:00Z,web,edge,par,hold,active,active,4,no risk newer than the last run: holding,fra'
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "a header-only stream changed the state"
	# and the next stream with rows goes on where the surge was
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$f" testdata/plan/surge/step-06.csv
	assert_output '2026-11-25T00:25:00Z,web,edge,par,hold,active,active,4,risk 0.01 below 0.02 for 0s of 10m cooldown,fra'
}

@test "an empty risk stream without a state: the header only" {
	run_stdin /dev/null pcs-shadow-plan -t "$TOPO"
	assert_success
	assert_output "$HEADER"
}

@test "secondaries in the primary's region come first, before a nearer one elsewhere" {
	{
		echo pop,group,service,role,region,instance_rps,instances,max_instances,boot_s,warm_s,rtt_ms
		echo fra,web,edge,primary,eu,50,10,10,180,20,0
		echo ord,web,edge,secondary,us,50,2,8,180,20,5
		echo par,web,edge,secondary,eu,50,2,8,180,20,9
	} >"$BATS_TEST_TMPDIR/topo.csv"
	run --separate-stderr pcs-shadow-plan --no-header -t "$BATS_TEST_TMPDIR/topo.csv" testdata/plan/surge/step-02.csv
	assert_success
	assert_output '2026-11-25T00:05:00Z,web,edge,par,create_warm,off,warm,3,risk 0.12 >= warm-at 0.1 within 30m at fra; boot 180s fits,fra'
}

@test "create_warm says when the slowest boot does not fit in the lead time" {
	{
		echo pop,group,service,role,region,instance_rps,instances,max_instances,boot_s,warm_s,rtt_ms
		echo fra,web,edge,primary,eu,50,10,10,180,20,0
		echo par,web,edge,secondary,eu,50,2,4,900,20,9
		echo lhr,web,edge,secondary,eu,50,2,8,901,20,14
	} >"$BATS_TEST_TMPDIR/topo.csv"
	# 250 rps: 2 instances on par (room 2), 3 on lhr; the 15m horizon:
	# par's 900s fits, lhr's 901s does not
	run --separate-stderr pcs-shadow-plan --no-header -t "$BATS_TEST_TMPDIR/topo.csv" testdata/plan/overload/step-01.csv
	assert_success
	assert_line --index 0 --regexp ',create_warm,off,warm,[0-9]+,risk 0.9 >= warm-at 0.1 within 15m at fra; boot 901s is late,fra$'
}

@test "warmed by the activation test alone, below warm-at: the reason says so" {
	printf '%s\n' 'group,pop,horizon_s,target,demand_p50,demand_p99,capacity_rps,headroom_rps,p_exceed,expected_shortfall_rps,risk,level' \
		'web,fra,900,2026-11-25T00:15:00Z,460,480,500,40,0.05,0.1,0.05,elevated' >"$BATS_TEST_TMPDIR/r.csv"
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" "$BATS_TEST_TMPDIR/r.csv"
	assert_success
	# need max(0.1, 480 - 450) = 30 rps: 1 instance
	assert_output '2026-11-25T00:00:00Z,web,edge,par,create_warm,off,warm,1,demand passes the activation threshold within 15m at fra; boot 180s fits,fra
2026-11-25T00:00:00Z,web,edge,par,scale_up,warm,active,1,demand p50 460 > 450 (capacity less 10% reserve) at fra in 15m,fra'
}

@test "the calm of a primary without a shadow is kept in the state: the cooldown of a shadow activation starts counts it" {
	local f=$BATS_TEST_TMPDIR/state.json h='group,pop,horizon_s,target,demand_p50,demand_p99,capacity_rps,headroom_rps,p_exceed,expected_shortfall_rps,risk,level'
	# 00:00: risk 0.01, no shadow: nothing to do, but calm since 00:00
	printf '%s\n' "$h" 'web,fra,900,2026-11-25T00:15:00Z,300,330,500,200,0.01,0.1,0.01,low' >"$BATS_TEST_TMPDIR/r1.csv"
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$f" "$BATS_TEST_TMPDIR/r1.csv"
	assert_success
	assert_output ''
	# 00:05: still calm, but the demand passes the activation threshold
	printf '%s\n' "$h" 'web,fra,900,2026-11-25T00:20:00Z,460,480,500,40,0.01,0.1,0.01,low' >"$BATS_TEST_TMPDIR/r2.csv"
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$f" --now 2026-11-25T00:05:00Z \
		"$BATS_TEST_TMPDIR/r2.csv"
	assert_line --index 1 --regexp ',scale_up,warm,active,1,'
	# 00:10: calm, below the threshold: 10m of calm, the cooldown is over
	printf '%s\n' "$h" 'web,fra,900,2026-11-25T00:25:00Z,300,330,500,200,0.01,0.1,0.01,low' >"$BATS_TEST_TMPDIR/r3.csv"
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$f" --now 2026-11-25T00:10:00Z \
		"$BATS_TEST_TMPDIR/r3.csv"
	assert_output '2026-11-25T00:10:00Z,web,edge,par,scale_down,active,draining,1,risk 0.01 below 0.02 for 10m,fra'
}

@test "--cooldown 0 --min-dwell 0 --drain 0: released at the first low risk, freed at the next run" {
	local f=$BATS_TEST_TMPDIR/state.json
	steps overload 1
	run --separate-stderr pcs-shadow-plan --no-header --cooldown 0 --min-dwell 0 --drain 0 -t "$TOPO" \
		--state "$f" testdata/plan/relapse/step-02.csv
	assert_success
	assert_output '2026-11-25T00:05:00Z,web,edge,par,scale_down,active,draining,5,risk 0.01 below 0.02 for 0s,fra'
	run --separate-stderr pcs-shadow-plan --no-header --cooldown 0 --min-dwell 0 --drain 0 -t "$TOPO" \
		--state "$f" testdata/plan/relapse/step-03.csv
	assert_output '2026-11-25T00:10:00Z,web,edge,par,deactivate,draining,off,5,drained for 0s,fra'
}

@test "--now overrides the risk's issue time" {
	run --separate-stderr pcs-shadow-plan --no-header --now 2026-11-25T07:00:00Z -t "$TOPO" \
		testdata/plan/surge/step-02.csv
	assert_success
	assert_output --regexp '^2026-11-25T07:00:00Z,web,edge,par,create_warm,'
}

@test "a live shadow without risk rows for its primary holds, and says why" {
	steps surge 2
	printf '%s\n' 'group,pop,horizon_s,target,demand_p50,demand_p99,capacity_rps,headroom_rps,p_exceed,expected_shortfall_rps,risk,level' \
		'web,par,900,2026-11-25T00:25:00Z,900,990,100,-800,0.99,800,0.99,critical' >"$BATS_TEST_TMPDIR/r.csv"
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		"$BATS_TEST_TMPDIR/r.csv"
	assert_success
	assert_output '2026-11-25T00:10:00Z,web,edge,par,hold,warm,warm,3,no risk rows for this primary in the input: holding,fra'
}

@test "risk rows for secondaries, unknown POPs and unknown groups are ignored" {
	printf '%s\n' 'group,pop,horizon_s,target,demand_p50,demand_p99,capacity_rps,headroom_rps,p_exceed,expected_shortfall_rps,risk,level' \
		'web,par,900,2026-11-25T00:15:00Z,900,990,100,-800,0.99,800,0.99,critical' \
		'web,xyz,900,2026-11-25T00:15:00Z,900,990,100,-800,0.99,800,0.99,critical' \
		'api,fra,900,2026-11-25T00:15:00Z,900,990,100,-800,0.99,800,0.99,critical' >"$BATS_TEST_TMPDIR/r.csv"
	run --separate-stderr pcs-shadow-plan -t "$TOPO" "$BATS_TEST_TMPDIR/r.csv"
	assert_success
	assert_equal "$stderr" ""
	assert_output "$HEADER"
}

# --- options that move the thresholds --------------------------------------------

@test "--activate-on p99: activation tests the p99 demand" {
	run --separate-stderr pcs-shadow-plan --no-header --activate-on p99 -t "$TOPO" testdata/plan/surge/step-02.csv
	assert_success
	assert_line --index 1 '2026-11-25T00:05:00Z,web,edge,par,scale_up,warm,active,3,demand p99 480 > 450 (capacity less 10% reserve) at fra in 15m,fra'
}

@test "--reserve 0: the threshold is the capacity itself" {
	run --separate-stderr pcs-shadow-plan --no-header --reserve 0 -t "$TOPO" testdata/plan/surge/step-03.csv
	assert_success
	# p50 470 < 500: no activation; warm need max(20, 620 - 500) = 120 -> 3
	assert_output '2026-11-25T00:10:00Z,web,edge,par,create_warm,off,warm,3,risk 0.3 >= warm-at 0.1 within 15m at fra; boot 180s fits,fra'
}

@test "--warm-at 0.5: risk 0.45 warms nothing" {
	run --separate-stderr pcs-shadow-plan --warm-at 0.5 -t "$TOPO" testdata/plan/capped/step-01.csv
	assert_success
	assert_output "$HEADER"
}

@test "--release-below 0.06: risk 0.05 starts the cooldown" {
	steps oscillate 1
	run --separate-stderr pcs-shadow-plan --no-header --release-below 0.06 -t "$TOPO" \
		--state "$BATS_TEST_TMPDIR/state.json" testdata/plan/oscillate/step-02.csv
	assert_success
	assert_output '2026-11-25T00:05:00Z,web,edge,par,hold,warm,warm,2,risk 0.05 below 0.06 for 0s of 10m cooldown,fra'
}

# --- kubectl and aws-asg after a lifecycle ------------------------------------------

@test "-f kubectl on deactivate: the deployment and the HPA back to the topology's instances" {
	steps surge 9
	run --separate-stderr pcs-shadow-plan -f kubectl -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-10.csv
	assert_success
	assert_output "# deactivate web/edge on par for fra: drained for 2m
kubectl --context=prod-par -n edge scale deployment/edge-web --replicas=2
kubectl --context=prod-par -n edge patch hpa/edge-web-hpa --type=merge -p '{\"spec\":{\"minReplicas\":2}}'"
}

@test "-f kubectl and -f aws-asg on a hold: the whole sizes again, so a failed command is made good" {
	steps surge 5
	# active 4 on par, which runs 2 of its own
	run --separate-stderr pcs-shadow-plan --dry-run -f kubectl -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-06.csv
	assert_success
	assert_output "# hold web/edge on par for fra: risk 0.01 below 0.02 for 0s of 10m cooldown
kubectl --context=prod-par -n edge scale deployment/edge-web --replicas=6
kubectl --context=prod-par -n edge patch hpa/edge-web-hpa --type=merge -p '{\"spec\":{\"minReplicas\":6}}'"
	run --separate-stderr pcs-shadow-plan -f aws-asg -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-06.csv
	assert_success
	assert_output '{"command":"put-warm-pool","input":{"AutoScalingGroupName":"edge-par","MinSize":0,"PoolState":"Stopped"}}
{"command":"set-desired-capacity","input":{"AutoScalingGroupName":"edge-par","DesiredCapacity":6,"HonorCooldown":false}}'
}

@test "-f kubectl and -f aws-asg write nothing when the plan has no rows" {
	steps surge 10
	run --separate-stderr pcs-shadow-plan --dry-run -f kubectl -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-11.csv
	assert_success
	assert_output ""
	run --separate-stderr pcs-shadow-plan -f aws-asg -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-11.csv
	assert_success
	assert_output ""
}

@test "-f kubectl quotes names that are not shell-safe" {
	{
		echo pop,group,service,role,instance_rps,instances,max_instances,boot_s,warm_s,rtt_ms,k8s_context,k8s_namespace,k8s_deployment
		echo fra,web,edge,primary,50,10,10,180,20,0,,,
		echo "par,web,edge,secondary,50,2,8,180,20,9,ctx with space,ns;true,dep'x"
	} >"$BATS_TEST_TMPDIR/topo.csv"
	run --separate-stderr pcs-shadow-plan -f kubectl -t "$BATS_TEST_TMPDIR/topo.csv" testdata/plan/surge/step-02.csv
	assert_success
	# the words as the shell reads them (xargs(1) splits quotes the same way)
	printf '%s\n' "${lines[1]}" >"$BATS_TEST_TMPDIR/line"
	run xargs printf '[%s]' <"$BATS_TEST_TMPDIR/line"
	assert_output "[kubectl][--context=ctx with space][-n][ns;true][scale][deployment/dep'x][--replicas=5]"
}

@test "-f aws-asg on activation: the warm pool emptied, the desired capacity raised" {
	steps surge 2
	run --separate-stderr pcs-shadow-plan -f aws-asg -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-03.csv
	assert_success
	assert_output '{"command":"put-warm-pool","input":{"AutoScalingGroupName":"edge-par","MinSize":0,"PoolState":"Stopped"}}
{"command":"set-desired-capacity","input":{"AutoScalingGroupName":"edge-par","DesiredCapacity":5,"HonorCooldown":false}}'
}

# --- the cost account (--summary) -------------------------------------------------------

@test "--summary: cost_per_hour x instances x hours x warm_cost_frac, then full price when active" {
	local f=$BATS_TEST_TMPDIR/state.json
	# 00:05 warm 3 on par (0.50/h, warm 0.2): nothing held before, cost 0
	run --separate-stderr pcs-shadow-plan --summary -t "$TOPO" --state "$f" testdata/plan/surge/step-02.csv
	assert_success
	assert_equal "$stderr" "pcs-shadow-plan: shadows: 1 warm, 0 active, 0 draining; cost this run: 0.0000 warm + 0.0000 active; since the state began: 0.0000 warm + 0.0000 active"
	# 01:05, one hour warm: 0.50 x 3 x 1 x 0.2 = 0.30
	run --separate-stderr pcs-shadow-plan --summary --now 2026-11-25T01:05:00Z -t "$TOPO" --state "$f" \
		testdata/plan/surge/step-02.csv
	assert_equal "$stderr" "pcs-shadow-plan: shadows: 1 warm, 0 active, 0 draining; cost this run: 0.3000 warm + 0.0000 active; since the state began: 0.3000 warm + 0.0000 active"
	# 01:35, half an hour more warm (0.15), then it activates
	run --separate-stderr pcs-shadow-plan --summary --now 2026-11-25T01:35:00Z -t "$TOPO" --state "$f" \
		testdata/plan/surge/step-03.csv
	assert_line --index 1 --regexp ',scale_up,warm,active,3,'
	assert_equal "$stderr" "pcs-shadow-plan: shadows: 0 warm, 1 active, 0 draining; cost this run: 0.1500 warm + 0.0000 active; since the state began: 0.4500 warm + 0.0000 active"
	# 02:05, half an hour active at full price: 0.50 x 3 x 0.5 = 0.75
	run --separate-stderr pcs-shadow-plan --summary --now 2026-11-25T02:05:00Z -t "$TOPO" --state "$f" \
		testdata/plan/surge/step-03.csv
	assert_equal "$stderr" "pcs-shadow-plan: shadows: 0 warm, 1 active, 0 draining; cost this run: 0.0000 warm + 0.7500 active; since the state began: 0.4500 warm + 0.7500 active"
}

@test "--summary: two secondaries, each at its own price and warm fraction" {
	local f=$BATS_TEST_TMPDIR/state.json
	pcs-shadow-plan -t "$TOPO" --state "$f" testdata/plan/capped/step-01.csv >/dev/null
	# two hours: par 6 x 0.50 x 2 x 0.2 = 1.20, lhr 4 x 0.60 x 2 x 0.1 = 0.48
	run --separate-stderr pcs-shadow-plan --summary --now 2026-11-25T02:00:00Z -t "$TOPO" --state "$f" \
		testdata/plan/capped/step-01.csv
	assert_success
	assert_equal "$stderr" "pcs-shadow-plan: shadows: 1 warm, 0 active, 0 draining; cost this run: 1.6800 warm + 0.0000 active; since the state began: 1.6800 warm + 0.0000 active"
}

@test "--summary --dry-run: the run's cost is reported but not added to the state" {
	local f=$BATS_TEST_TMPDIR/state.json
	pcs-shadow-plan -t "$TOPO" --state "$f" testdata/plan/surge/step-02.csv >/dev/null
	run --separate-stderr pcs-shadow-plan --summary --dry-run --now 2026-11-25T01:05:00Z -t "$TOPO" \
		--state "$f" testdata/plan/surge/step-02.csv
	assert_equal "$stderr" "pcs-shadow-plan: shadows: 1 warm, 0 active, 0 draining; cost this run: 0.3000 warm + 0.0000 active; since the state began: 0.3000 warm + 0.0000 active"
	run --separate-stderr pcs-shadow-plan --summary --now 2026-11-25T00:35:00Z -t "$TOPO" \
		--state "$f" testdata/plan/surge/step-02.csv
	assert_equal "$stderr" "pcs-shadow-plan: shadows: 1 warm, 0 active, 0 draining; cost this run: 0.1500 warm + 0.0000 active; since the state began: 0.1500 warm + 0.0000 active"
}

# --- the state file -------------------------------------------------------------------

@test "state file: mode 0600 after a write, even over a file that was 0644; no temporary left" {
	local f=$BATS_TEST_TMPDIR/state.json
	steps surge 2
	assert_equal "$(stat -c %a "$f")" 600
	chmod 644 "$f"
	steps surge 3
	assert_equal "$(stat -c %a "$f")" 600
	run sh -c "ls -A '$BATS_TEST_TMPDIR' | grep '^state\\.json'"
	assert_output "$(printf '%s\n' state.json state.json.lock)"
}

@test "state file: one compact JSON object and a newline" {
	steps surge 2
	run sh -c "wc -l <'$BATS_TEST_TMPDIR/state.json'"
	assert_output 1
	run head -c 1 "$BATS_TEST_TMPDIR/state.json"
	assert_output '{'
}

@test "state file: a symbolic link at the path is refused, its target untouched" {
	steps surge 2
	mv "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/real.json"
	cp "$BATS_TEST_TMPDIR/real.json" "$BATS_TEST_TMPDIR/before.json"
	ln -s real.json "$BATS_TEST_TMPDIR/state.json"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr pcs-shadow-plan -t "$TESTDATA/plan/topology.csv" --state state.json \
		"$TESTDATA/plan/surge/step-03.csv"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: state.json: is a symbolic link (refused)"
	[ -L state.json ] || fail "the link was replaced"
	cmp -s real.json before.json || fail "the link's target was changed"
}

@test "state file: a symbolic link at the lock is refused, not followed" {
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$BATS_TEST_TMPDIR/state.json.lock"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr pcs-shadow-plan -t "$TESTDATA/plan/topology.csv" --state state.json \
		"$TESTDATA/plan/surge/step-02.csv"
	assert_failure 1
	assert_output ""
	[ ! -e elsewhere ] || fail "the lock's link was followed"
	[ ! -e state.json ] || fail "a state was written without the lock"
	assert_equal "$stderr" "pcs-shadow-plan: state.json.lock: is a symbolic link (refused)"
}

@test "state file: a symbolic link at the path is refused even when it points nowhere" {
	ln -s "$BATS_TEST_TMPDIR/nowhere.json" "$BATS_TEST_TMPDIR/state.json"
	run --separate-stderr pcs-shadow-plan -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-02.csv
	assert_failure 1
	assert_output ""
	[ ! -e "$BATS_TEST_TMPDIR/nowhere.json" ] || fail "the link was followed"
}

@test "state file for another topology: status 1, both fingerprints named" {
	local other this
	cd "$BATS_TEST_TMPDIR"
	pcs-shadow-plan -t "$TESTDATA/plan/no-spare/topology.csv" --state state.json \
		"$TESTDATA/plan/no-spare/step-01.csv" >/dev/null
	other=$(sed 's/.*"topology":"\([0-9a-f]*\)".*/\1/' state.json)
	pcs-shadow-plan -t "$TESTDATA/plan/topology.csv" --state mine.json \
		"$TESTDATA/plan/surge/step-02.csv" >/dev/null
	this=$(sed 's/.*"topology":"\([0-9a-f]*\)".*/\1/' mine.json)
	[ "$other" != "$this" ] || fail "two topologies with one fingerprint $this"
	run --separate-stderr pcs-shadow-plan -t "$TESTDATA/plan/topology.csv" --state state.json \
		"$TESTDATA/plan/surge/step-02.csv"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: state.json: state file is for another topology ($other, this one is $this): remove it to start afresh"
}

@test "the topology fingerprint ignores the order of rows and the mapping columns" {
	local f=$BATS_TEST_TMPDIR/state.json
	steps surge 2
	{
		echo pop,group,service,role,region,instance_rps,instances,max_instances,boot_s,warm_s,rtt_ms,cost_per_hour,warm_cost_frac
		echo lhr,web,edge,secondary,eu,50,2,6,180,20,14,0.60,0.1
		echo par,web,edge,secondary,eu,50,2,8,180,20,9,0.50,0.2
		echo fra,web,edge,primary,eu,50,10,10,180,20,0,0.40,0.1
	} >"$BATS_TEST_TMPDIR/topo.csv"
	run --separate-stderr pcs-shadow-plan --no-header -t "$BATS_TEST_TMPDIR/topo.csv" --state "$f" \
		testdata/plan/surge/step-03.csv
	assert_success
	assert_output --regexp ',par,scale_up,warm,active,3,'
}

@test "state file version given as a string: status 1, and the message does not invent a version" {
	cp testdata/plan/state-version-string.json "$BATS_TEST_TMPDIR/state.json"
	run --separate-stderr pcs-shadow-plan -t "$TOPO" --state "$BATS_TEST_TMPDIR/state.json" \
		testdata/plan/surge/step-02.csv
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^pcs-shadow-plan: $BATS_TEST_TMPDIR/state.json: "
	refute_regex "$stderr" 'version -1'
}

@test "bad state: JSON with a syntax error" { assert_bad_state plan-state-corrupt; }
@test "bad state: truncated JSON" { assert_bad_state plan-state-truncated; }
@test "bad state: an empty file" { assert_bad_state plan-state-empty; }
@test "bad state: a duplicate key" { assert_bad_state plan-state-duplicate-key; }
@test "bad state: an array, not an object" { assert_bad_state plan-state-not-an-object; }
@test "bad state: another program's format" { assert_bad_state plan-state-wrong-format; }
@test "bad state: no format" { assert_bad_state plan-state-no-format; }
@test "bad state: a newer version" { assert_bad_state plan-state-newer-version; }
@test "bad state: another topology" { assert_bad_state plan-state-other-topology; }
@test "bad state: no shadows array" { assert_bad_state plan-state-no-shadows; }
@test "bad state: a shadow in an unknown state" { assert_bad_state plan-state-shadow-bad-state; }
@test "bad state: a shadow for a primary not in the topology" { assert_bad_state plan-state-shadow-unknown-primary; }
@test "bad state: an allocation on a primary" { assert_bad_state plan-state-shadow-alloc-on-primary; }
@test "bad state: an allocation of 0 instances" { assert_bad_state plan-state-shadow-alloc-zero; }
@test "bad state: a warm shadow without allocations" { assert_bad_state plan-state-shadow-warm-without-alloc; }
@test "bad state: binary garbage" { assert_bad_state plan-state-binary-garbage; }
@test "bad state: an allocation of -3 instances" { assert_bad_state plan-state-alloc-negative; }
@test "bad state: an allocation too big for an integer" { assert_bad_state plan-state-alloc-huge; }
@test "bad state: since as a string" { assert_bad_state plan-state-since-string; }

# --- locking ------------------------------------------------------------------------

@test "lock held by another process: status 1, a clear message, nothing written, state unchanged" {
	local f=$BATS_TEST_TMPDIR/state.json
	steps surge 2
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	hold_lock "$f.lock" 5
	run --separate-stderr pcs-shadow-plan -t "$TOPO" --state "$f" testdata/plan/surge/step-03.csv
	kill "$lock_pid" 2>/dev/null
	wait "$lock_pid" 2>/dev/null || true
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: $f: locked by another run (waited 0s)"
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "the state changed under another run's lock"
}

@test "--wait 1s on a lock held longer: status 1 after waiting" {
	local f=$BATS_TEST_TMPDIR/state.json
	hold_lock "$f.lock" 5
	run --separate-stderr pcs-shadow-plan --wait 1s -t "$TOPO" --state "$f" testdata/plan/surge/step-02.csv
	kill "$lock_pid" 2>/dev/null
	wait "$lock_pid" 2>/dev/null || true
	assert_failure 1
	assert_equal "$stderr" "pcs-shadow-plan: $f: locked by another run (waited 1s)"
}

@test "--wait 2s with the lock released after 1s: success" {
	local f=$BATS_TEST_TMPDIR/state.json
	hold_lock "$f.lock" 1
	run --separate-stderr pcs-shadow-plan --no-header --wait 2s -t "$TOPO" --state "$f" \
		testdata/plan/surge/step-02.csv
	wait "$lock_pid" 2>/dev/null || true
	assert_success
	assert_equal "$stderr" ""
	assert_output --regexp ',par,create_warm,off,warm,3,'
	[ -s "$f" ] || fail "no state written"
}

@test "--wait 0, the documented default, is accepted" {
	run --separate-stderr pcs-shadow-plan --wait 0 -t "$TOPO" testdata/plan/surge/step-02.csv
	assert_success
	assert_equal "$stderr" ""
}

@test "the lock file is taken next to the state file; a missing directory is an error naming it" {
	run --separate-stderr pcs-shadow-plan -t "$TOPO" --state "$BATS_TEST_TMPDIR/no/such/state.json" \
		testdata/plan/surge/step-02.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: $BATS_TEST_TMPDIR/no/such/state.json.lock: No such file or directory"
}

# --- failures leave the state alone ------------------------------------------------------

@test "a risk file that cannot be read: status 1, no plan, and the state is not advanced" {
	local f=$BATS_TEST_TMPDIR/state.json
	steps surge 2
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr pcs-shadow-plan -t "$TOPO" --state "$f" "$BATS_TEST_TMPDIR/nope.csv" \
		testdata/plan/surge/step-03.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: $BATS_TEST_TMPDIR/nope.csv: No such file or directory
pcs-shadow-plan: no plan: the risk input could not be read"
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "a run without its risk input changed the state"
	# and the next good run still acts on its risk
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$f" testdata/plan/surge/step-03.csv
	assert_success
	assert_output --regexp ',par,scale_up,warm,active,3,'
}

@test "/dev/full as stdout: status 1, a write error, and the state not saved (planned again next run)" {
	[ -w /dev/full ] || skip "no /dev/full"
	local f=$BATS_TEST_TMPDIR/state.json
	steps surge 2
	cp "$f" "$BATS_TEST_TMPDIR/before.json"
	run --separate-stderr bash -c "pcs-shadow-plan -t '$TOPO' --state '$f' testdata/plan/surge/step-03.csv >/dev/full"
	assert_failure 1
	assert_equal "$stderr" "pcs-shadow-plan: write error: No space left on device"
	cmp -s "$f" "$BATS_TEST_TMPDIR/before.json" || fail "the state was saved though the plan was not written"
	run --separate-stderr pcs-shadow-plan --no-header -t "$TOPO" --state "$f" testdata/plan/surge/step-03.csv
	assert_output --regexp ',par,scale_up,warm,active,3,'
}

# --- bad input: topology (testdata/bad/plan-topology-*) --------------------------------------

@test "bad topology: duplicate row, both lines named" { assert_bad_topology plan-topology-duplicate; }
@test "bad topology: role backup" { assert_bad_topology plan-topology-bad-role; }
@test "bad topology: max_instances below instances" { assert_bad_topology plan-topology-max-below-instances; }
@test "bad topology: instance_rps not a number" { assert_bad_topology plan-topology-not-a-number; }
@test "bad topology: instances not whole" { assert_bad_topology plan-topology-instances-not-whole; }
@test "bad topology: instances negative" { assert_bad_topology plan-topology-instances-negative; }
@test "bad topology: instance_rps 0" { assert_bad_topology plan-topology-instance-rps-zero; }
@test "bad topology: warm_cost_frac above 1" { assert_bad_topology plan-topology-warm-cost-frac-above-one; }
@test "bad topology: cost_per_hour negative" { assert_bad_topology plan-topology-cost-negative; }
@test "bad topology: boot_s empty" { assert_bad_topology plan-topology-boot-empty; }
@test "bad topology: too few fields" { assert_bad_topology plan-topology-too-few-fields; }
@test "bad topology: header without role" { assert_bad_topology plan-topology-missing-role; }
@test "bad topology: header without max_instances and no rows" { assert_bad_topology plan-topology-missing-max-instances-header-only; }
@test "bad topology: pop empty" { assert_bad_topology plan-topology-pop-empty; }
@test "bad topology: unterminated quoted field" { assert_bad_topology plan-topology-unterminated-quote; }
@test "bad topology: binary garbage" { assert_bad_topology plan-topology-binary-garbage; }
@test "bad topology: max_instances 1e30" { assert_bad_topology plan-topology-max-instances-huge; }

@test "a missing topology file: status 1, named" {
	run --separate-stderr pcs-shadow-plan -t "$BATS_TEST_TMPDIR/nope.csv" testdata/plan/surge/step-02.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-shadow-plan: $BATS_TEST_TMPDIR/nope.csv: No such file or directory"
}

# --- bad input: the risk stream (testdata/bad/plan-risk-*) ------------------------------------

@test "bad risk: p_exceed 1.5" { assert_bad_risk plan-risk-p-exceed-above-one; }
@test "bad risk: risk negative" { assert_bad_risk plan-risk-risk-negative; }
@test "bad risk: risk 15" { assert_bad_risk plan-risk-risk-above-one; }
@test "bad risk: demand_p50 not a number" { assert_bad_risk plan-risk-demand-not-a-number; }
@test "bad risk: expected_shortfall_rps NaN" { assert_bad_risk plan-risk-shortfall-nan; }
@test "bad risk: capacity_rps negative" { assert_bad_risk plan-risk-capacity-negative; }
@test "bad risk: target unparseable" { assert_bad_risk plan-risk-target-unparseable; }
@test "bad risk: horizon_s empty" { assert_bad_risk plan-risk-horizon-empty; }
@test "bad risk: pop empty" { assert_bad_risk plan-risk-pop-empty; }
@test "bad risk: too few fields" { assert_bad_risk plan-risk-too-few-fields; }
@test "bad risk: header without risk" { assert_bad_risk plan-risk-missing-risk; }
@test "bad risk: header without pop and no rows" { assert_bad_risk plan-risk-missing-pop-header-only; }
@test "bad risk: unterminated quoted field" { assert_bad_risk plan-risk-unterminated-quote; }
@test "bad risk: NDJSON line that is not JSON" { assert_bad_risk plan-risk-ndjson-not-json; }
@test "bad risk: NDJSON object without risk" { assert_bad_risk plan-risk-ndjson-missing-risk; }
@test "bad risk: NDJSON risk \"high\"" { assert_bad_risk plan-risk-ndjson-risk-string; }

@test "bad: every plan-* case in testdata/bad has its .err and .status and a test here" {
	local f name
	for f in testdata/bad/plan-*; do
		name=${f##*/}
		name=${name%.*}
		[ -f "testdata/bad/$name.err" ] || fail "testdata/bad/$name.err missing"
		[ -f "testdata/bad/$name.status" ] || fail "testdata/bad/$name.status missing"
		grep -Eq "assert_bad_(topology|risk|state) $name;" "$BATS_TEST_FILENAME" ||
			fail "no test for testdata/bad/$name"
	done
}

@test "--skip-bad skips a bad risk row, plans from the rest, counts it" {
	printf '%s\n' 'group,pop,horizon_s,target,demand_p50,demand_p99,capacity_rps,headroom_rps,p_exceed,expected_shortfall_rps,risk,level' \
		'web,fra,900,2026-11-25T00:15:00Z,380,540,500,120,0.15,2,0.15,elevated' \
		'web,fra,1800,2026-11-25T00:30:00Z,380,lots,500,120,0.15,2,0.15,elevated' >"$BATS_TEST_TMPDIR/r.csv"
	run --separate-stderr pcs-shadow-plan --skip-bad --no-header -t "$TOPO" "$BATS_TEST_TMPDIR/r.csv"
	assert_success
	assert_output '2026-11-25T00:00:00Z,web,edge,par,create_warm,off,warm,2,risk 0.15 >= warm-at 0.1 within 15m at fra; boot 180s fits,fra'
	assert_equal "$stderr" "$(printf '%s\n' \
		"pcs-shadow-plan: $BATS_TEST_TMPDIR/r.csv:3: column 'demand_p99': not a number: \"lots\" (skipped)" \
		"pcs-shadow-plan: 1 bad row skipped")"
}

@test "the risk stream of pcs-risk goes straight in (pipeline)" {
	run bash -c 'set -o pipefail; pcs-forecast testdata/metrics.csv | pcs-risk -c testdata/capacity.csv | pcs-shadow-plan -t testdata/topology.csv'
	assert_success
	assert_output "$HEADER"
	run bash -c 'set -o pipefail; pcs-risk -o ndjson -c testdata/capacity.csv testdata/golden/forecast-default.csv | pcs-shadow-plan --warm-at 0.01 --release-below 0.001 -t testdata/topology.csv --no-header | cut -d, -f2-8'
	assert_success
	# web fra, risk 0.0236: warm on par (the nearest secondary of web/edge);
	# need: p99 545.0 - 0.9 x 520 = 77 rps -> 2 instances of 50
	assert_output 'web,edge,par,create_warm,off,warm,2'
}

# --- help, version, usage errors ----------------------------------------------------------

@test "-h and --help print the usage on stdout and exit 0" {
	run --separate-stderr pcs-shadow-plan -h
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 'usage: pcs-shadow-plan -t topology [--state file] [options] [file ...]'
	run --separate-stderr pcs-shadow-plan --help
	assert_success
	for opt in --topology --state --wait --dry-run --warm-at --release-below --activate-on --reserve \
		--cooldown --min-dwell --drain --now --format --summary --input-format --output-format \
		--no-header --skip-bad --epoch --help --version; do
		assert_output --partial -- "$opt"
	done
}

@test "-V and --version print the name and the version" {
	local version
	version=$(sed -n 's/^VERSION *= *//p' Makefile)
	run --separate-stderr pcs-shadow-plan -V
	assert_success
	assert_output "pcs-shadow-plan $version"
	run --separate-stderr pcs-shadow-plan --version
	assert_output "pcs-shadow-plan $version"
}

usage() {
	run --separate-stderr pcs-shadow-plan "$@"
}

@test "usage: -t missing" {
	usage testdata/plan/surge/step-02.csv
	assert_usage_error "pcs-shadow-plan: -t: the topology is required" pcs-shadow-plan
}

@test "usage: -t without its argument" {
	usage -t
	assert_usage_error "pcs-shadow-plan: option -t needs an argument" pcs-shadow-plan
}

@test "usage: --release-below equal to --warm-at" {
	usage -t "$TOPO" --release-below 0.1 testdata/plan/surge/step-02.csv
	assert_usage_error "pcs-shadow-plan: --release-below (0.1) must be below --warm-at (0.1)" pcs-shadow-plan
}

@test "usage: --release-below above --warm-at" {
	usage -t "$TOPO" --warm-at 0.2 --release-below 0.3 testdata/plan/surge/step-02.csv
	assert_usage_error "pcs-shadow-plan: --release-below (0.3) must be below --warm-at (0.2)" pcs-shadow-plan
}

@test "usage: --warm-at 0" {
	usage -t "$TOPO" --warm-at 0 testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --warm-at: want a number in (0, 1]: "0"' pcs-shadow-plan
}

@test "usage: --warm-at 1.5" {
	usage -t "$TOPO" --warm-at 1.5 testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --warm-at: want a number in (0, 1]: "1.5"' pcs-shadow-plan
}

@test "usage: --release-below -0.1" {
	usage -t "$TOPO" --release-below -0.1 testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --release-below: want a number in [0, 1]: "-0.1"' pcs-shadow-plan
}

@test "usage: --activate-on p90" {
	usage -t "$TOPO" --activate-on p90 testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --activate-on: want p50 or p99: "p90"' pcs-shadow-plan
}

@test "usage: --reserve 1" {
	usage -t "$TOPO" --reserve 1 testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --reserve: want a number in [0, 1): "1"' pcs-shadow-plan
}

@test "usage: --reserve x names the same range as --reserve 1" {
	usage -t "$TOPO" --reserve x testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --reserve: want a number in [0, 1): "x"' pcs-shadow-plan
}

@test "usage: -f yaml" {
	usage -t "$TOPO" -f yaml testdata/plan/surge/step-02.csv
	assert_usage_error "pcs-shadow-plan: -f: unknown format 'yaml' (plan, kubectl or aws-asg)" pcs-shadow-plan
}

@test "usage: -o xml" {
	usage -t "$TOPO" -o xml testdata/plan/surge/step-02.csv
	assert_usage_error "pcs-shadow-plan: -o: unknown format 'xml' (csv or ndjson)" pcs-shadow-plan
}

@test "usage: --cooldown 5x" {
	usage -t "$TOPO" --cooldown 5x testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --cooldown: not a duration: "5x"' pcs-shadow-plan
}

@test "usage: --cooldown 1.5m" {
	usage -t "$TOPO" --cooldown 1.5m testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --cooldown: not a duration: "1.5m"' pcs-shadow-plan
}

@test "usage: --min-dwell abc" {
	usage -t "$TOPO" --min-dwell abc testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --min-dwell: not a duration: "abc"' pcs-shadow-plan
}

@test "usage: --drain ''" {
	usage -t "$TOPO" --drain '' testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --drain: empty duration' pcs-shadow-plan
}

@test "usage: --wait x" {
	usage -t "$TOPO" --wait x testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --wait: not a duration: "x"' pcs-shadow-plan
}

@test "usage: --now yesterday" {
	usage -t "$TOPO" --now yesterday testdata/plan/surge/step-02.csv
	assert_usage_error 'pcs-shadow-plan: --now: not a timestamp: "yesterday"' pcs-shadow-plan
}

@test "usage: unknown long option" {
	usage -t "$TOPO" --bogus testdata/plan/surge/step-02.csv
	assert_usage_error "pcs-shadow-plan: option --bogus is unknown" pcs-shadow-plan
}

@test "usage: unknown short option" {
	usage -t "$TOPO" -x testdata/plan/surge/step-02.csv
	assert_usage_error "pcs-shadow-plan: option -x is unknown" pcs-shadow-plan
}

@test "usage errors come before the state file is touched" {
	mkdir "$BATS_TEST_TMPDIR/st"
	usage -t "$TOPO" --state "$BATS_TEST_TMPDIR/st/state.json" --activate-on p90 testdata/plan/surge/step-02.csv
	assert_equal "$status" 2
	run ls -A "$BATS_TEST_TMPDIR/st"
	assert_output ""
}

@test "only a primary's latest issue counts: the same risk twice, or an older issue after it, plans as once" {
	local s=testdata/plan/surge
	run pcs-shadow-plan -t testdata/plan/topology.csv "$s/step-03.csv"
	assert_success
	local once=$output
	run pcs-shadow-plan -t testdata/plan/topology.csv "$s/step-03.csv" "$s/step-03.csv"
	assert_success
	assert_equal "$output" "$once"
	# an older, riskier issue read after a newer, calm one does not count
	run pcs-shadow-plan -t testdata/plan/topology.csv "$s/step-10.csv"
	assert_success
	local calm=$output
	[ "$calm" != "$once" ]
	run pcs-shadow-plan -t testdata/plan/topology.csv "$s/step-10.csv" "$s/step-03.csv"
	assert_success
	assert_equal "$output" "$calm"
}

@test "regression: only the writer's own stale temporary files are removed, not a file named state.before" {
	local d=$BATS_TEST_TMPDIR
	echo keep >"$d/s.before"
	echo stale >"$d/s.pcs-tmp.abcdef"
	run pcs-shadow-plan -t testdata/plan/topology.csv --state "$d/s" testdata/plan/surge/step-01.csv
	assert_success
	[ -f "$d/s.before" ]
	[ "$(cat "$d/s.before")" = keep ]
	[ ! -e "$d/s.pcs-tmp.abcdef" ]
	[ -f "$d/s" ]
}
