#!/bin/sh
# Write the synthetic per-minute histories that tests/60-replay.bats replays
# (ts,group,rps; integer rps with a deterministic noise of +-10 from a
# Park-Miller generator, so that any awk writes the same bytes):
#
#   scn-step.csv      4 days from 2026-11-22; web at 280 rps, stepping to 700
#                     from 12:00 to 13:00 every day (a daily release)
#   scn-ramp.csv      4 days; web at 280 rps, climbing 5 rps a minute from
#                     10:00 to 880 at 12:00, held to 12:30, down by 13:00
#   scn-flash.csv     3 hours; web at 280 rps, 900 at 02:45 and 02:46 only:
#                     a flash crowd of 2 minutes, shorter than boot_s (180 s)
#   scn-failover.csv  6 hours; web at 560 rps on two primaries, 1100 from
#                     04:00 to 05:00; api at 100 rps throughout
#
# The fleets are scn-topology.csv (step, ramp, flash: primary fra carries
# 400 rps, up to 1000) and scn-topology-failover.csv.  The tests check that
# these files are what this script writes.
#
# usage: sh testdata/replay/scn-make.sh [DIR]     (default testdata/replay)

dir=${1:-testdata/replay}

# gen NAME MINUTES SEED: write NAME, a row a minute (and a group) from
# 2026-11-22T00:00:00Z; the awk statements on stdin set the rps of web (and
# of api, else none) at minute m of the day, before the noise is added
gen() {
	awk -v minutes="$2" -v x="$3" '
	function noise() {
		x = (x * 16807) % 2147483647
		return x % 21 - 10
	}
	function row(i, group, v) {
		printf "2026-11-%02dT%02d:%02d:00Z,%s,%d\n", 22 + int(i / 1440),
			int(i % 1440 / 60), i % 60, group, v
	}
	BEGIN {
		print "ts,group,rps"
		for (i = 0; i < minutes; i++) {
			m = i % 1440
			web = 280
			api = -1
			'"$(cat)"'
			row(i, "web", web + noise())
			if (api >= 0)
				row(i, "api", api + noise())
		}
	}' >"$dir/$1"
}

gen scn-step.csv 5760 11 <<'EOF'
if (m >= 720 && m < 780) web = 700
EOF

gen scn-ramp.csv 5760 22 <<'EOF'
if (m >= 600 && m < 720) web = 280 + 5 * (m - 600)
else if (m >= 720 && m < 750) web = 880
else if (m >= 750 && m < 780) web = 880 - 20 * (m - 750)
EOF

gen scn-flash.csv 180 33 <<'EOF'
if (m == 165 || m == 166) web = 900
EOF

gen scn-failover.csv 360 44 <<'EOF'
web = m >= 240 && m < 300 ? 1100 : 560
api = 100
EOF
