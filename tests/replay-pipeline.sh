#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# pcs-replay's predictive policy against the live tools, tick by tick: the
# replay runs pcs-forecast | pcs-risk | pcs-shadow-plan and
# pcs-route-weights --plan in process (lib/sim.c), so running the four
# binaries as a real pipeline at every scored tick must give the same plan
# rows and the same routing shares.  Used by tests/55-replay-pipeline.bats.
#
# usage: tests/replay-pipeline.sh DIR HISTORY TOPOLOGY WARMUP FORECAST_OPTS PLAN_OPTS [LEVEL]
#        tests/replay-pipeline.sh --history     (writes the history to stdout)
#
# HISTORY is a metrics stream ts,group,rps of one group with Unix-second
# timestamps on the step; TOPOLOGY that group's fleet.  FORECAST_OPTS (-H,
# -q, --model, --window) and PLAN_OPTS (--warm-at, --cooldown, ...) are
# given, split on blanks, to pcs-replay and to pcs-forecast and
# pcs-shadow-plan respectively.  The replay refits at every tick (--refit
# equal to the step), which is what a fresh pcs-forecast run does.
#
# Per scored tick t, with u the scored tick before it, from the replay's
# --timeline rows (lib/sim.c, pcs_sim_group: at each tick the router runs
# first, then the demand is served, then the plan is made):
#   routing, from the second scored tick on:
#     pcs-route-weights --state route.state --plan plan(u) < health(t)
#     health(t), every POP: ts = t, capacity_rps = its capacity at t (ready
#     now), load_rps = its routed at u, latency_ms = 20 + rtt_ms,
#     error_rate = 1 when it was failed at u and had load, else 0 (load
#     shed at capacity is no error), requests = routed at u x the step;
#     each POP's share must be the timeline's share at t within 1e-6 (the
#     tools pass numbers as text of 10 significant digits), and its
#     breaker the timeline's breaker at t;
#   planning:
#     history rows with ts <= t | pcs-forecast FORECAST_OPTS
#       | pcs-risk --current -c capacity(t)   (the primaries: capacity_rps = the
#                                    timeline's capacity, load_rps = its
#                                    routed, both at t; with LEVEL above 0,
#                                    max_capacity_rps = max_instances x
#                                    instance_rps and scale_s = boot_s)
#       | pcs-shadow-plan -t TOPOLOGY --state plan.state PLAN_OPTS > plan(t)
#     its rows must be the replay's --actions rows at t, byte for byte.
# The first scored tick routes by capacity shares (no router yet).
# A difference is written to standard error with its tick and both sides,
# and the exit status is 1: the first plan that differs ends the run; the
# first weights that differ end the weight comparisons, and the plans are
# still compared to the end.  Standard output ends with a tally, one
# "name value" a line: plan_ticks, weight_ticks (ticks whose shares were
# compared), shares (POP shares compared), max_share_diff, then the count
# of each plan action (create_warm, scale_up, scale_down, deactivate,
# hold).  The work files stay in DIR.

set -u
set -o pipefail

if [ "${1-}" = --history ]; then
	# The bundled testdata/replay/pipe-history.csv: 3 days and 21.5 hours
	# of one group at one sample a minute, a daily cycle (300 +- 100 rps)
	# with noise from a Park-Miller generator (exact in awk's doubles), and
	# an evening surge at 21:00-21:25 every day: +250 rps on the first
	# three days, +400 on the last, which ends at 21:29.
	awk 'BEGIN {
		start = 1795132800; n = 3 * 1440 + 1290; x = 12345; pi = atan2(0, -1)
		print "ts,group,rps"
		for (i = 0; i < n; i++) {
			x = (x * 16807) % 2147483647
			m = i % 1440
			d = 300 + 100 * sin(2 * pi * (m - 720) / 1440) + (x / 2147483647 - 0.5) * 20
			amp = i < 3 * 1440 ? 250 : 400
			if (m >= 1260 && m < 1265) d += amp * (m - 1259) / 5
			else if (m >= 1265 && m < 1280) d += amp
			else if (m >= 1280 && m < 1285) d += amp * (1285 - m) / 5
			printf "%d,web,%.3f\n", start + 60 * i, d
		}
	}'
	exit 0
fi

if [ $# -ne 6 ] && [ $# -ne 7 ]; then
	echo "usage: $0 DIR HISTORY TOPOLOGY WARMUP FORECAST_OPTS PLAN_OPTS [LEVEL]" >&2
	exit 2
fi
dir=$1 history=$2 topology=$3 warmup=$4 level=${7:-0}
# 1 when the primaries are provisioned on the forecast: the risk tests
# them at their reach
reach=$(awk -v l="$level" 'BEGIN { print (l > 0) }')
read -ra fopts <<<"$5"
read -ra popts <<<"$6"

die() {
	printf 'replay-pipeline: %s\n' "$*" >&2
	exit 1
}

step=$(awk -F, 'NR == 2 { a = $1 } NR == 3 { print $1 - a; exit }' "$history")
if ! [ "${step:-0}" -gt 0 ] 2>/dev/null; then
	die "$history: cannot tell the step from its first two rows (Unix-second timestamps)"
fi

# --provision-level LEVEL, 0 by default: the primaries follow the HPA.  How
# the replay sizes them is not the live tools' business (they read the
# primaries' capacity from the timeline either way), and the scenario of
# tests/55-replay-pipeline.bats was drawn for the HPA.  Above 0 the
# forecast sizes them, and the risk tests them at what they can reach.
pcs-replay -t "$topology" -p predictive --refit "${step}s" --warmup "$warmup" \
	--provision-level "$level" "${fopts[@]}" "${popts[@]}" --timeline "$dir/timeline.csv" \
	--actions "$dir/actions.csv" --epoch "$history" >"$dir/summary.csv" || die "pcs-replay failed"

# the timeline's predictive rows, the scored ticks in order
awk -F, 'NR > 1 && $2 == "predictive"' "$dir/timeline.csv" >"$dir/tl.csv"
awk -F, '$1 != last { print $1; last = $1 }' "$dir/tl.csv" >"$dir/ticks"
[ -s "$dir/ticks" ] || die "the replay scored no tick"

# pop, role, rtt_ms, the most it can serve and boot_s of every topology
# row, by the header's names
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $c["pop"] "," $c["role"] "," $c["rtt_ms"] "," $c["max_instances"] * $c["instance_rps"] \
	        "," $c["boot_s"] }' "$topology" >"$dir/pops"

rm -f "$dir/plan.state" "$dir/route.state"
: >"$dir/plans.csv"
# A plan that differs ends the run: the planner states have parted, and
# with them every later plan and weight.  Weights that differ end only the
# weight comparisons (the router's state has parted; the plans have not).
nplans=0 nweights=0 nshares=0 maxdiff=0 weights_bad=0
mapfile -t ticks <"$dir/ticks"
for ((k = 0; k < ${#ticks[@]}; k++)); do
	t=${ticks[k]}
	at="tick $t (scored tick $((k + 1)) of ${#ticks[@]})"

	if [ "$k" -gt 0 ] && [ "$weights_bad" = 0 ]; then
		u=${ticks[k - 1]}
		# every POP's health at t: capacity now, load and failure over u
		awk -F, -v t="$t" -v u="$u" -v step="$step" '
			FILENAME == ARGV[1] { rtt[$1] = $3; next }
			$1 == u { routed[$4] = $6; failed[$4] = $14 }
			$1 == t { cap[$4] = $7; group[$4] = $3; pop[++n] = $4 }
			END {
				print "ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate,requests"
				for (i = 1; i <= n; i++) {
					p = pop[i]
					printf "%s,%s,%s,%s,%s,%.17g,%d,%.17g\n", t, group[p], p, cap[p],
						routed[p], 20 + rtt[p], (routed[p] > 0 && failed[p] + 0), routed[p] * step
				}
			}' "$dir/pops" "$dir/tl.csv" >"$dir/health.csv"
		pcs-route-weights --state "$dir/route.state" --plan "$dir/plan.csv" --epoch \
			"$dir/health.csv" >"$dir/weights.csv" || die "$at: pcs-route-weights failed"
		# ts,group,pop,weight,share,breaker,... against the timeline at t
		if out=$(awk -F, -v t="$t" '
			FILENAME == ARGV[1] { if ($1 == t) { share[$4] = $10; brk[$4] = $15; row[$4] = $0 }; next }
			FNR == 1 { next }
			{
				n++
				seen[$3] = 1
				if (!($3 in share)) { bad = bad "  no timeline row at " t " for " $3 "\n"; next }
				d = $5 - share[$3]
				if (d < 0) d = -d
				if (d > max) max = d
				if (d > 1e-6 || $6 != brk[$3])
					bad = bad "  pcs-route-weights: " $0 "\n  pcs-replay --timeline: " row[$3] "\n"
			}
			END {
				for (p in share) if (!(p in seen)) bad = bad "  no weight for " p "\n"
				if (bad != "") { printf "%s", bad; exit 1 }
				printf "%d %.17g\n", n, max
			}' "$dir/tl.csv" "$dir/weights.csv"); then
			read -r n d <<<"$out"
			nweights=$((nweights + 1))
			nshares=$((nshares + n))
			maxdiff=$(awk -v a="$maxdiff" -v b="$d" 'BEGIN { print (b > a ? b : a) }')
		else
			{
				echo "$at: the weights differ from the replay's shares"
				echo "the plan at $u (pcs-route-weights --plan, the same as the replay's):"
				sed 's/^/  /' "$dir/plan-rows"
				echo "the health at $t (pcs-route-weights' input, from the timeline at $u and $t):"
				sed 's/^/  /' "$dir/health.csv"
				printf '%s\n' "$out"
			} >&2
			weights_bad=1
		fi
	fi

	# the forecast: what a fresh pcs-forecast run at t sees; it is issued
	# at t, so pcs-shadow-plan's --now (the risk's issue time) is t too
	awk -F, -v t="$t" 'NR == 1 || $1 <= t' "$history" |
		pcs-forecast --epoch "${fopts[@]}" >"$dir/forecast.csv" || die "$at: pcs-forecast failed"
	issued=$(awk -F, 'NR == 2 { print $1 }' "$dir/forecast.csv")
	[ "$issued" = "$t" ] || die "$at: pcs-forecast issued its forecast at '$issued'"
	# the primaries' capacity snapshot at t
	awk -F, -v t="$t" -v reach="$reach" '
		FILENAME == ARGV[1] { role[$1] = $2; most[$1] = $4; boot[$1] = $5; next }
		FNR == 1 { print "pop,group,capacity_rps,load_rps" (reach ? ",max_capacity_rps,scale_s" : "") }
		$1 == t && role[$4] == "primary" {
			print $4 "," $3 "," $7 "," $6 (reach ? "," most[$4] "," boot[$4] : "") }' \
		"$dir/pops" "$dir/tl.csv" >"$dir/capacity.csv"
	pcs-risk --current -c "$dir/capacity.csv" --epoch "$dir/forecast.csv" >"$dir/risk.csv" ||
		die "$at: pcs-risk failed"
	pcs-shadow-plan -t "$topology" --state "$dir/plan.state" --epoch "${popts[@]}" \
		"$dir/risk.csv" >"$dir/plan.csv" || die "$at: pcs-shadow-plan failed"

	# the plan rows against the replay's actions at t, byte for byte
	tail -n +2 "$dir/plan.csv" >"$dir/plan-rows"
	awk -F, -v t="$t" 'NR > 1 && $1 == t' "$dir/actions.csv" >"$dir/replay-rows"
	if ! cmp -s "$dir/plan-rows" "$dir/replay-rows"; then
		{
			echo "$at: the plan differs from the replay's actions"
			echo "pcs-shadow-plan:"
			sed 's/^/  /' "$dir/plan-rows"
			echo "pcs-replay --actions:"
			sed 's/^/  /' "$dir/replay-rows"
		} >&2
		exit 1
	fi
	nplans=$((nplans + 1))
	cat "$dir/plan-rows" >>"$dir/plans.csv"
done
# every action the replay wrote was met at some tick
[ "$(awk 'END { print NR }' "$dir/plans.csv")" = "$(awk 'END { print NR - 1 }' "$dir/actions.csv")" ] ||
	die "the replay wrote actions at times that are no scored tick"

echo "plan_ticks $nplans"
echo "weight_ticks $nweights"
echo "shares $nshares"
echo "max_share_diff $maxdiff"
for a in create_warm scale_up scale_down deactivate hold; do
	echo "$a $(awk -F, -v a="$a" '$5 == a { n++ } END { print n + 0 }' "$dir/plans.csv")"
done
exit "$weights_bad"
