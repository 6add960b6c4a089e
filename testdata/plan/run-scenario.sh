#!/bin/sh
# Play a pcs-shadow-plan scenario: feed DIR/step-*.csv (risk streams with
# rising issue times) in turn to one pcs-shadow-plan, one run each, keeping
# the lifecycle in one state file; write "# step-NN" and then that run's
# plan (no header), for every step.  The topology is DIR/topology.csv if
# there is one, else testdata/plan/topology.csv; DIR/args holds options to
# add.  Stops at the first run that fails, with its status.
#
# usage: sh testdata/plan/run-scenario.sh testdata/plan/NAME   (from the root)

dir=${1:?usage: run-scenario.sh DIR}
topo=$dir/topology.csv
[ -f "$topo" ] || topo=testdata/plan/topology.csv
args=
[ -f "$dir/args" ] && args=$(cat "$dir/args")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for f in "$dir"/step-*.csv; do
	step=${f##*/}
	echo "# ${step%.csv}"
	# shellcheck disable=SC2086  # args are split on blanks
	pcs-shadow-plan --no-header -t "$topo" --state "$tmp/state.json" $args "$f" || exit
done
