#!/usr/bin/env bats
# The live pipeline end to end on the bundled data: forecast | risk |
# shadow-plan, then route-weights with the plan joined, as pcs(7) wires it.

load test_helper

@test "pipeline: a surge at fra warms and activates a shadow on par, and routing gives par a share" {
	local d=$BATS_TEST_TMPDIR
	pcs-forecast testdata/metrics.csv >"$d/forecast.csv"
	pcs-risk -c testdata/capacity.csv "$d/forecast.csv" >"$d/risk.csv"
	run --separate-stderr pcs-shadow-plan -t testdata/topology.csv --state "$d/plan.state" \
		--warm-at 0.02 --release-below 0.01 --reserve 0.4 "$d/risk.csv"
	assert_success
	printf '%s\n' "$output" >"$d/plan.csv"
	assert_line --regexp '^2026-11-24T23:55:00Z,web,edge,par,create_warm,off,warm,[0-9]+,.*,fra$'
	assert_line --regexp '^2026-11-24T23:55:00Z,web,edge,par,scale_up,warm,active,[0-9]+,.*,fra$'
	# health one tick later: par now serves (its shadow counted in its capacity)
	{
		echo ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate,requests
		echo 2026-11-25T00:00:00Z,web,fra,520,500,60,0.001,30000
		echo 2026-11-25T00:00:00Z,web,ams,600,300,40,0.001,18000
		echo 2026-11-25T00:00:00Z,web,par,600,0,35,0,0
	} >"$d/health.csv"
	run --separate-stderr pcs-route-weights --plan "$d/plan.csv" "$d/health.csv"
	assert_success
	assert_line --regexp '^2026-11-25T00:00:00Z,web,par,[1-9][0-9]*,0\.[0-9]+,closed,1,.*active shadow'
	# without the plan, par is no shadow and gets less
	local with without
	with=$(printf '%s\n' "$output" | awk -F, '$3 == "par" { print $5 }')
	without=$(pcs-route-weights "$d/health.csv" | awk -F, '$3 == "par" { print $5 }')
	awk -v a="$with" -v b="$without" 'BEGIN { exit !(a > b) }'
	# and the shares of the group sum to 1
	printf '%s\n' "$output" | awk -F, 'NR > 1 { s += $5 } END { exit !(s > 0.999999 && s < 1.000001) }'
}

@test "pipeline: the same minute again changes nothing: holds only, the state byte for byte" {
	local d=$BATS_TEST_TMPDIR
	pcs-forecast testdata/metrics.csv | pcs-risk -c testdata/capacity.csv >"$d/risk.csv"
	pcs-shadow-plan -t testdata/topology.csv --state "$d/s" --warm-at 0.02 --release-below 0.01 \
		"$d/risk.csv" >/dev/null
	cp "$d/s" "$d/s.before"
	run --separate-stderr pcs-shadow-plan -t testdata/topology.csv --state "$d/s" --warm-at 0.02 \
		--release-below 0.01 "$d/risk.csv"
	assert_success
	refute_output --regexp ',(create_warm|scale_up|scale_down|deactivate),'
	assert_output --partial ',hold,'
	cmp "$d/s" "$d/s.before"
}
