#!/bin/sh
# Play a pcs-route-weights scenario: DIR/health.csv is a health stream of
# several ticks in time order (ts in the first column), DIR/args holds
# options to add (split on blanks).
#
#   sh testdata/route/run-scenario.sh DIR
#	one run over the whole stream with --each-tick
#   sh testdata/route/run-scenario.sh --state DIR
#	one run per tick (the stream split on ts) on one state file, the
#	header from the first run only; run NN (01, 02, ...) also gets
#	--plan DIR/plan-NN.csv when there is one
#
# Both write the weights of every tick, so the two must be the same.  Stops
# at the first run that fails, with its status.  Run from the root.

state=
if [ "$1" = --state ]; then
	state=1
	shift
fi
dir=${1:?usage: run-scenario.sh [--state] DIR}
args=
[ -f "$dir/args" ] && args=$(cat "$dir/args")
if [ -z "$state" ]; then
	# shellcheck disable=SC2086  # args are split on blanks
	exec pcs-route-weights --each-tick $args "$dir/health.csv"
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# tick-001.csv, tick-002.csv, ...: the header and the rows of one ts each
awk -F, -v dir="$tmp" '
	NR == 1 { header = $0; next }
	$1 != ts {
		if (f != "") close(f)
		ts = $1; f = sprintf("%s/tick-%03d.csv", dir, ++n); print header >f
	}
	{ print >f }' "$dir/health.csv" || exit
n=0 head=
for f in "$tmp"/tick-*.csv; do
	n=$((n + 1))
	plan=
	p=$(printf '%s/plan-%02d.csv' "$dir" "$n")
	[ -f "$p" ] && plan="--plan $p"
	# shellcheck disable=SC2086
	pcs-route-weights $head --state "$tmp/state.json" $plan $args "$f" || exit
	head=--no-header
done
