#!/usr/bin/env bats
# The documented limits (pcs-formats(5) LIMITS): --max-keys in every tool,
# and memory that does not grow with the rows of a stream in the streaming
# tools (pcs-risk, pcs-shadow-plan, pcs-route-weights).  The record and field
# limits of the readers are in 10-forecast.bats.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

# A metrics history of 5 keys (g0..g4) over a day of 5-minute steps.
five_keys() {
	awk 'BEGIN {
		print "ts,group,rps"
		for (t = 0; t < 288; t++)
			for (k = 0; k < 5; k++)
				printf "%d,g%d,%d\n", 1795564800 + 300 * t, k, 100 + k + (t % 12)
	}'
}

@test "--max-keys: pcs-replay stops past the limit with status 1 and the line" {
	five_keys >"$BATS_TEST_TMPDIR/h.csv"
	run --separate-stderr pcs-replay --auto-topology --max-keys 3 "$BATS_TEST_TMPDIR/h.csv"
	assert_failure 1
	assert_equal "$output" ""
	assert_equal "$stderr" "pcs-replay: $BATS_TEST_TMPDIR/h.csv:5: more than 3 keys (group and region): raise --max-keys"
}

@test "--max-keys: pcs-retrain stops past the limit, in training and in --capacity" {
	five_keys >"$BATS_TEST_TMPDIR/h.csv"
	run --separate-stderr pcs-retrain -H 5m --max-keys 4 --out "$BATS_TEST_TMPDIR/m.json" "$BATS_TEST_TMPDIR/h.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $BATS_TEST_TMPDIR/h.csv:6: more than 4 keys (group and region): raise --max-keys"
	[ ! -e "$BATS_TEST_TMPDIR/m.json" ] || fail "a model file was written"
	run --separate-stderr pcs-retrain --capacity --max-keys 2 testdata/retrain/health.csv
	assert_failure 1
	assert_regex "$stderr" "^pcs-retrain: testdata/retrain/health.csv:[0-9]+: more than 2 POPs \(group and pop\): raise --max-keys$"
}

@test "--max-keys: pcs-risk limits capacity rows and forecast groups" {
	run --separate-stderr pcs-risk -c testdata/capacity.csv --max-keys 2 testdata/risk/one.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: testdata/capacity.csv:4: more than 2 capacity rows: raise --max-keys"
	# groups without capacity count too: g has capacity, h does not
	printf '%s\n' 'issued,group,region,horizon_s,target,p50,p90' \
		'2026-11-21T00:00:00Z,g,*,300,2026-11-21T00:05:00Z,100,140' \
		'2026-11-21T00:00:00Z,h,*,300,2026-11-21T00:05:00Z,100,140' >"$BATS_TEST_TMPDIR/f.csv"
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv --skip-bad --max-keys 1 "$BATS_TEST_TMPDIR/f.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-risk: $BATS_TEST_TMPDIR/f.csv:3: more than 1 groups: raise --max-keys"
}

@test "--max-keys: pcs-shadow-plan limits topology rows" {
	run --separate-stderr pcs-shadow-plan -t testdata/topology.csv --max-keys 3 </dev/null
	assert_failure 1
	assert_equal "$stderr" "pcs-shadow-plan: testdata/topology.csv:5: more than 3 topology rows: raise --max-keys"
	run --separate-stderr pcs-shadow-plan -t testdata/topology.csv --max-keys 0 </dev/null
	assert_success
}

@test "--max-keys: pcs-route-weights limits the POPs of the health stream" {
	run --separate-stderr pcs-route-weights --max-keys 3 testdata/health.csv
	assert_failure 1
	assert_equal "$stderr" "pcs-route-weights: testdata/health.csv:5: more than 3 POPs (group and pop): raise --max-keys"
}

@test "--max-keys takes whole numbers only, in every tool" {
	local t
	for t in pcs-forecast pcs-risk pcs-shadow-plan pcs-route-weights pcs-replay pcs-retrain; do
		run --separate-stderr "$t" --max-keys -5
		assert_usage_error 'pcs-'"${t#pcs-}"': --max-keys: want a whole number (0: no limit): "-5"' "$t"
		run --separate-stderr "$t" --max-keys 99999999999999999999999
		assert_equal "$status" 2
	done
}

@test "pcs-risk reads successive forecast issues of the same groups as one stream" {
	local f=testdata/risk/one.csv
	# the issue at 00:00, then the same group issued at 00:05
	{
		cat "$f"
		sed -n '2,$p' "$f" | sed 's/2026-11-21T00:05:00Z/2026-11-21T00:10:00Z/; s/^2026-11-21T00:00:00Z/2026-11-21T00:05:00Z/'
	} >"$BATS_TEST_TMPDIR/two.csv"
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv --no-header "$BATS_TEST_TMPDIR/two.csv"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" '^g,a,300,2026-11-21T00:05:00Z,'
	assert_regex "${lines[1]}" '^g,a,300,2026-11-21T00:10:00Z,'
	# each part scores as it does alone
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv --no-header "$f"
	assert_equal "$output" "${lines[0]}"
	# an older issue after a newer one is out of order
	{
		head -n 1 "$f"
		sed -n '2,$p' "$BATS_TEST_TMPDIR/two.csv" | tac
	} >"$BATS_TEST_TMPDIR/back.csv"
	run --separate-stderr pcs-risk -c testdata/risk/cap-one.csv "$BATS_TEST_TMPDIR/back.csv"
	assert_failure 1
	assert_regex "$stderr" "back.csv:3: group 'g' again, after other groups"
}

# --- memory ------------------------------------------------------------------

# peak_kb COMMAND...: run COMMAND (its stdout as given) and print its peak
# resident set in KiB, from GNU time, on descriptor 3.
peak_kb() {
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$@" || return 1
	tail -n 1 "$BATS_TEST_TMPDIR/rss" >&3
}

# Memory figures mean nothing under AddressSanitizer (its quarantine grows
# with what was freed) or valgrind: skip there.
need_plain_build() {
	[ -x /usr/bin/time ] || skip "GNU time (/usr/bin/time) is not installed"
	[ "${PCS_VALGRIND:-0}" = 1 ] && skip "memory is not measured under valgrind"
	if sanitized_build; then
		skip "memory is not measured in a sanitizer build"
	fi
	return 0
}

# assert_flat SMALL LARGE [WHAT HOW]: the peak for the larger input (10x the
# rows, unless WHAT and HOW say what grew) is within 10% + 1 MiB.
assert_flat() {
	[ "$2" -le $(($1 + $1 / 10 + 1024)) ] ||
		fail "peak memory grew ${3:-with the rows}: ${1} KiB, then ${2} KiB ${4:-for ten times the rows}"
}

# Forecast issues of 2 groups x 2 regions x 3 horizons, one issue a minute.
forecast_stream() {
	awk -v n="$1" 'BEGIN {
		print "issued,group,region,horizon_s,target,p50,p90,p99"
		for (i = 0; i < n; i++) {
			t = 1795564800 + 60 * i
			for (g = 0; g < 2; g++) for (r = 0; r < 2; r++) for (h = 1; h <= 3; h++)
				printf "%d,%s,%s,%d,%d,%d,%d,%d\n", t, g ? "api" : "web", r ? "us" : "eu",
					300 * h, t + 300 * h, 100 + i % 50, 120 + i % 50, 140 + i % 50
		}
	}'
}

@test "pcs-risk and pcs-shadow-plan: peak memory does not grow with the rows" {
	need_plain_build
	local n small large
	for n in 2000 20000; do
		forecast_stream "$n" >"$BATS_TEST_TMPDIR/f$n.csv"
	done
	small=$(peak_kb pcs-risk -c testdata/capacity.csv "$BATS_TEST_TMPDIR/f2000.csv" 3>&1 >"$BATS_TEST_TMPDIR/r2000.csv")
	large=$(peak_kb pcs-risk -c testdata/capacity.csv "$BATS_TEST_TMPDIR/f20000.csv" 3>&1 >"$BATS_TEST_TMPDIR/r20000.csv")
	assert_flat "$small" "$large"
	# web has 4 POPs and api 2 in the capacity file: 18 rows an issue
	[ "$(wc -l <"$BATS_TEST_TMPDIR/r20000.csv")" -eq $((20000 * 18 + 1)) ] || fail "pcs-risk lost rows"
	small=$(peak_kb pcs-shadow-plan -t testdata/topology.csv --now 1795564800 "$BATS_TEST_TMPDIR/r2000.csv" 3>&1 >/dev/null)
	large=$(peak_kb pcs-shadow-plan -t testdata/topology.csv --now 1795564800 "$BATS_TEST_TMPDIR/r20000.csv" 3>&1 >/dev/null)
	assert_flat "$small" "$large"
}

@test "pcs-route-weights --each-tick: peak memory does not grow with the ticks" {
	need_plain_build
	local n small large
	for n in 2000 20000; do
		awk -v n="$n" 'BEGIN {
			print "ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate,requests"
			for (i = 0; i < n; i++)
				for (p = 0; p < 4; p++)
					printf "%d,web,p%d,%d,%d,%.1f,%.4f,2000\n", 1795564800 + 10 * i, p,
						500 + 10 * p, 200 + (7 * i + p) % 300, 30 + (i + p) % 20,
						(i + p) % 97 == 0 ? 0.6 : 0.001
		}' >"$BATS_TEST_TMPDIR/h$n.csv"
	done
	small=$(peak_kb pcs-route-weights --each-tick "$BATS_TEST_TMPDIR/h2000.csv" 3>&1 >/dev/null)
	large=$(peak_kb pcs-route-weights --each-tick "$BATS_TEST_TMPDIR/h20000.csv" 3>&1 >"$BATS_TEST_TMPDIR/w.csv")
	assert_flat "$small" "$large"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/w.csv")" -eq $((20000 * 4 + 1)) ] || fail "pcs-route-weights lost rows"
}

@test "pcs-replay: a boot of 1e9 s replays: the provisioning forecast samples 60 horizons of it (it hung forecasting 16 million)" {
	local R=testdata/replay
	sed 's/,180,20,/,1e9,20,/' "$R/scn-topology.csv" >"$BATS_TEST_TMPDIR/topo.csv"
	run --separate-stderr timeout 60 pcs-replay -t "$BATS_TEST_TMPDIR/topo.csv" -p predictive \
		--warmup 2h30m "$R/scn-flash.csv"
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 1 --regexp '^predictive,30,'
}

@test "pcs-forecast: a horizon of 5000 weeks does not take memory by the step (reg's fitted values were cached up to it)" {
	need_plain_build
	local near far
	near=$(peak_kb timeout 60 pcs-forecast --model reg -H 1h testdata/nasa-5m.csv 3>&1 >/dev/null)
	far=$(peak_kb timeout 60 pcs-forecast --model reg -H 1h,5000w testdata/nasa-5m.csv 3>&1 \
		>"$BATS_TEST_TMPDIR/f.csv")
	assert_flat "$near" "$far" "with the horizon" "for 5000 weeks"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/f.csv")" -eq 3 ] || fail "want a header and 2 forecasts"
}

@test "pcs-replay: a boot of 1e12 s takes the memory a boot of 180 s does (it took 12 GB and hung)" {
	need_plain_build
	local R=testdata/replay short long
	sed 's/,180,20,/,1e12,20,/' "$R/scn-topology.csv" >"$BATS_TEST_TMPDIR/topo.csv"
	short=$(peak_kb timeout 60 pcs-replay -t "$R/scn-topology.csv" -p predictive,oracle \
		--warmup 2h30m "$R/scn-flash.csv" 3>&1 >/dev/null)
	long=$(peak_kb timeout 60 pcs-replay -t "$BATS_TEST_TMPDIR/topo.csv" -p predictive,oracle \
		--warmup 2h30m "$R/scn-flash.csv" 3>&1 >"$BATS_TEST_TMPDIR/s.csv")
	assert_flat "$short" "$long" "with the boot" "for 1e12 s"
	grep -q '^predictive,30,' "$BATS_TEST_TMPDIR/s.csv" || fail "no predictive row"
}

@test "-H resolving to more than 20160 horizons a key: a usage error naming it in every tool, nothing written" {
	local tool
	for tool in "pcs-forecast" "pcs-retrain" "pcs-replay --auto-topology"; do
		# shellcheck disable=SC2086 # the tool and its options
		run --separate-stderr timeout 60 $tool -H 5m..10w,11w testdata/nasa-5m.csv
		assert_failure 2
		assert_output ""
		[[ $stderr == *"-H: the horizons give more than 20160 forecasts a key at a step of 300 s"* ]] ||
			fail "$tool: $stderr"
	done
	# the most allowed, on a short series (about 500 MB: a calibration each)
	awk 'BEGIN { print "ts,group,rps"
		for (i = 0; i < 600; i++) printf "%d,g,%d\n", 1795564800 + 300 * i, 100 + (i * 37) % 23 }' \
		>"$BATS_TEST_TMPDIR/short.csv"
	run --separate-stderr pcs-forecast -H 5m..10w "$BATS_TEST_TMPDIR/short.csv"
	assert_success
	[ "${#lines[@]}" -eq 20161 ] || fail "want a header and 20160 forecasts, got ${#lines[@]} lines"
}
