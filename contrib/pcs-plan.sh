#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# pcs-plan.sh: one run of the live pcs pipeline,
#
#   pcs-forecast METRICS | pcs-risk -c CAPACITY | pcs-shadow-plan -t TOPOLOGY --state STATE
#
# where forecast and risk run in a pipe under pipefail, and the planner runs
# only once they have succeeded.  It is meant to be started every minute by
# cron (with flock -n, so that runs do not overlap) or by pcs-plan.timer.
# See README beside it and pcs(7).
#
# The inputs are files that commands of your own keep up to date: the recent
# metrics (weeks of them, for the daily and weekly cycles), the capacity
# snapshot and the topology.  The forecast, the risk and the plan of the last
# successful run are kept beside the state, each replaced only when the whole
# pipeline succeeded; a failed run leaves the previous files in place and
# exits non-zero.
#
# Every path and option comes from the environment, with these defaults:
#
#   PCS_BINDIR       /usr/local/bin          where the pcs tools are
#   PCS_STATE_DIR    /var/lib/pcs            state and outputs
#   PCS_METRICS      $PCS_STATE_DIR/metrics.csv
#   PCS_CAPACITY     $PCS_STATE_DIR/capacity.csv
#   PCS_TOPOLOGY     /etc/pcs/topology.csv
#   PCS_STATE        $PCS_STATE_DIR/plan.state
#   PCS_FORECAST     $PCS_STATE_DIR/forecast.csv   last forecast written
#   PCS_RISK         $PCS_STATE_DIR/risk.csv       last risk written
#   PCS_PLAN         $PCS_STATE_DIR/plan.out       last plan written
#   PCS_FORMAT       plan                    -f of pcs-shadow-plan: plan, kubectl or aws-asg
#   PCS_WAIT         30s                     --wait of pcs-shadow-plan
#   PCS_FORECAST_OPTS, PCS_RISK_OPTS, PCS_PLAN_OPTS
#                    more options for each tool, split on blanks
#                    (e.g. PCS_PLAN_OPTS='--warm-at 0.05 --summary');
#                    PCS_RISK_OPTS is --current unless set

set -euo pipefail
umask 027

bindir=${PCS_BINDIR:-/usr/local/bin}
dir=${PCS_STATE_DIR:-/var/lib/pcs}
metrics=${PCS_METRICS:-$dir/metrics.csv}
capacity=${PCS_CAPACITY:-$dir/capacity.csv}
topology=${PCS_TOPOLOGY:-/etc/pcs/topology.csv}
state=${PCS_STATE:-$dir/plan.state}
forecast_out=${PCS_FORECAST:-$dir/forecast.csv}
risk_out=${PCS_RISK:-$dir/risk.csv}
plan_out=${PCS_PLAN:-$dir/plan.out}
format=${PCS_FORMAT:-plan}
wait=${PCS_WAIT:-30s}
read -r -a forecast_opts <<<"${PCS_FORECAST_OPTS:-}"
# --current: a surge already under way counts at once (see pcs-risk(1))
read -r -a risk_opts <<<"${PCS_RISK_OPTS:---current}"
read -r -a plan_opts <<<"${PCS_PLAN_OPTS:-}"

tmp=$(mktemp -d "$dir/.pcs-plan.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$bindir/pcs-forecast" "${forecast_opts[@]}" "$metrics" |
	tee "$tmp/forecast" |
	"$bindir/pcs-risk" -c "$capacity" "${risk_opts[@]}" >"$tmp/risk"
# Plan only from a complete risk stream: fed a failed forecast's short or
# empty output, pcs-shadow-plan would still plan, and with no rows at all it
# would plan at the clock's time instead of the data's.
"$bindir/pcs-shadow-plan" -t "$topology" --state "$state" --wait "$wait" \
	-f "$format" "${plan_opts[@]}" "$tmp/risk" >"$tmp/plan"

# The state already records this plan: publish it, and what it came from.
mv -f "$tmp/forecast" "$forecast_out"
mv -f "$tmp/risk" "$risk_out"
mv -f "$tmp/plan" "$plan_out"
