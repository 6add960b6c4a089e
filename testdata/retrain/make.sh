#!/bin/sh
# Write the synthetic health streams that tests/65-retrain.bats feeds to
# pcs-retrain --capacity (one row a minute, loads and noise from a
# Park-Miller generator, so that any awk writes the same bytes):
#
#   health.csv            group web; POP fra: 300 samples at loads uniform in
#                         100..1200 rps, latency 40 ms +-2 up to 800 rps and
#                         rising 0.5 ms per rps above (a knee at 800); POP
#                         lis: 300 samples at 100..500 rps, latency flat (the
#                         knee, if any, is beyond the loads seen); POP osl:
#                         30 samples only (fewer than --min-samples 50)
#   health-instances.csv  no group column; POP fra on 2 to 4 instances, load
#                         30..300 rps per instance, latency flat up to 200 rps
#                         per instance and rising 2 ms per rps above; the last
#                         row has 3 instances
#
# Error rates stay flat (0.1% +-0.02) throughout.  The tests check that
# these files are what this script writes.
#
# usage: sh testdata/retrain/make.sh [DIR]     (default testdata/retrain)

dir=${1:-testdata/retrain}

awk -v x=20261121 '
function rnd() {
	x = (x * 16807) % 2147483647
	return x / 2147483647
}
function row(i, pop, load, lat) {
	printf "%d,web,%s,%.1f,%.1f,%.5f\n", 1795564800 + 60 * i, pop, load, lat,
		0.001 + 0.0002 * rnd()
}
BEGIN {
	print "ts,group,pop,load_rps,latency_ms,error_rate"
	for (i = 0; i < 300; i++) {
		load = 100 + 1100 * rnd()
		row(i, "fra", load, 40 + 4 * (rnd() - 0.5) + (load > 800 ? 0.5 * (load - 800) : 0))
		row(i, "lis", 100 + 400 * rnd(), 40 + 4 * (rnd() - 0.5))
		if (i < 30)
			row(i, "osl", 100 + 1100 * rnd(), 40 + 4 * (rnd() - 0.5))
	}
}' >"$dir/health.csv" || exit 1

awk -v x=7 '
function rnd() {
	x = (x * 16807) % 2147483647
	return x / 2147483647
}
BEGIN {
	print "ts,pop,instances,load_rps,latency_ms,error_rate"
	for (i = 0; i < 300; i++) {
		inst = 2 + int(3 * rnd())
		per = 30 + 270 * rnd()
		if (i == 299)
			inst = 3
		printf "%d,fra,%d,%.1f,%.1f,%.5f\n", 1795564800 + 60 * i, inst, per * inst,
			40 + 4 * (rnd() - 0.5) + (per > 200 ? 2 * (per - 200) : 0), 0.001 + 0.0002 * rnd()
	}
}' >"$dir/health-instances.csv"
