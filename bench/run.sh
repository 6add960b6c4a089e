#!/usr/bin/env bash
# bench/run.sh — all benchmarks: M4 hourly accuracy/speed, pcs-retrain's
# per-key choice on M4 hourly, forecast throughput, risk and planning
# throughput, routing throughput, replays of the real traces through the
# capacity policies, peak memory of every tool, forecasts 5 to 30 minutes
# ahead on the real traces (bench/horizons.sh).  Not bench/peers.sh (R's
# peers on M4: about ten minutes; `make bench-peers`).
#
#   bench/run.sh            (what `make bench` runs; `make bench-m4` runs
#                           bench/m4.sh, `make bench-retrain` bench/retrain.sh)
#
# Needs bin/pcs-forecast and bin/pcs-retrain (run `make` first) and a C
# compiler for the helpers under bench/, which are built into bench/build/.
# Environment variables of bench/m4.sh, bench/retrain.sh and
# bench/throughput.sh pass through (see their --help).
# Exit status: 1 if either benchmark failed or a check failed.
set -uo pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case ${1-} in
-h | --help)
	sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
esac
(($# == 0)) || {
	echo "usage: bench/run.sh" >&2
	exit 2
}

rc=0
"$dir/m4.sh" || rc=1
{ echo; "$dir/retrain.sh"; } || rc=1
echo
"$dir/throughput.sh" || rc=1
{ echo; "$dir/risk-plan.sh"; } || rc=1
{ echo; "$dir/route.sh"; } || rc=1
{ echo; "$dir/replay.sh"; } || rc=1
{ echo; "$dir/memory.sh"; } || rc=1
{ echo; "$dir/horizons.sh"; } || rc=1
exit "$rc"
