#!/usr/bin/env bash
# bench/memory.sh — peak memory of every pcs tool, and how it scales
# (issue #7: the streaming tools hold constant memory over a 10-million-row
# input; forecast, replay and retrain hold memory in proportion to keys x
# window).
#
#   bench/memory.sh            (`make bench-memory`; part of `make bench`)
#
# Each tool runs twice, on a small and a large input that differ in one
# dimension, and the table shows both peaks (wait4(2), bench/runstat.c) and
# their ratio beside the ratio of the dimension:
#   - pcs-risk: forecast issues of 4 groups x 2 regions x 3 horizons,
#     MEM_ROWS / 10 and MEM_ROWS (10,000,000) rows: constant memory;
#   - pcs-shadow-plan: pcs-risk's output of the large run, a tenth of it and
#     all of it: constant;
#   - pcs-route-weights --each-tick: 8 POPs in 2 groups, MEM_ROWS / 10 and
#     MEM_ROWS health samples: constant;
#   - pcs-forecast: 1000 and 2000 keys, then a 1-day and a 2-day --window
#     over 3 days of 5-minute samples: proportional to keys x window;
#   - pcs-replay --auto-topology: one key, one week and four weeks of
#     1-minute history (the replay's window is the whole history);
#   - pcs-retrain: 50 and 100 hourly keys of 30 days, the default grid.
# Inputs are generated once into bench/build/mem/ (about 1.5 GB at the
# default MEM_ROWS).  Timings are one run each: see the other benchmarks
# for speed.
set -uo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1
no_args "$@"

ROWS=${MEM_ROWS:-10000000}
DIR=$BUILD/mem
mkdir -p "$DIR" || die "cannot create $DIR"
build_helper runstat
build_helper gen_metrics
for t in pcs-forecast pcs-risk pcs-shadow-plan pcs-route-weights pcs-replay pcs-retrain; do
	[[ -x bin/$t ]] || die "bin/$t not found: run 'make' first"
done

# gen FILE AWK_PROGRAM [VAR=VALUE ...]: write FILE once (kept between runs).
gen() {
	local file=$1 prog=$2
	shift 2
	local stamp
	stamp="$* $(printf '%s' "$prog" | cksum)"
	[[ -s $file && $(cat "$file.stamp" 2>/dev/null) == "$stamp" ]] && return 0
	note "generating $file"
	local assign=()
	for a in "$@"; do assign+=(-v "$a"); done
	awk "${assign[@]}" "$prog" >"$file" || die "cannot generate $file"
	printf '%s\n' "$stamp" >"$file.stamp"
}

# 24 rows an issue: 4 groups x 2 regions x 3 horizons, one issue a minute
FORECAST_AWK='BEGIN {
	print "issued,group,region,horizon_s,target,p50,p90,p99"
	for (i = 0; i < n; i++) {
		t = 1795564800 + 60 * i
		for (g = 0; g < 4; g++) for (r = 0; r < 2; r++) for (h = 1; h <= 3; h++)
			printf "%d,g%d,%s,%d,%d,%d,%d,%d\n", t, g, r ? "us" : "eu", 300 * h, t + 300 * h,
				100 + i % 50, 120 + i % 50, 120 + i % 50 + (i * 7) % 90
	}
}'
HEALTH_AWK='BEGIN {
	print "ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate,requests"
	for (i = 0; i < n; i++)
		for (p = 0; p < 8; p++)
			printf "%d,g%d,p%d,%d,%d,%.1f,%.4f,2000\n", 1795564800 + 10 * i, p % 2, p,
				500 + 10 * p, 200 + (7 * i + p) % 300, 30 + (i + p) % 20,
				(i + p) % 997 == 0 ? 0.6 : 0.001
}'
{
	echo "pop,group,region,capacity_rps,load_rps"
	for g in 0 1 2 3; do
		for p in eu1:eu us1:us; do
			echo "${p%%:*},g$g,${p#*:},$((150 + 20 * g)),100"
		done
	done
} >"$DIR/capacity.csv"
{
	echo "pop,group,service,role,region,instance_rps,instances,max_instances,boot_s,warm_s,rtt_ms,cost_per_hour,warm_cost_frac"
	for g in 0 1 2 3; do
		echo "eu1,g$g,svc,primary,eu,10,12,20,120,20,0,0.4,0.1"
		echo "us1,g$g,svc,primary,us,10,12,20,120,20,0,0.4,0.1"
		echo "eu2,g$g,svc,secondary,eu,10,2,30,120,20,5,0.5,0.2"
		echo "us2,g$g,svc,secondary,us,10,2,30,120,20,5,0.5,0.2"
	done
} >"$DIR/topology.csv"

small=$((ROWS / 10))
gen "$DIR/forecast-small.csv" "$FORECAST_AWK" n=$((small / 24))
gen "$DIR/forecast-large.csv" "$FORECAST_AWK" n=$((ROWS / 24))
gen "$DIR/health-small.csv" "$HEALTH_AWK" n=$((small / 8))
gen "$DIR/health-large.csv" "$HEALTH_AWK" n=$((ROWS / 8))

metrics() {   # metrics FILE GROUPS STEPS STEP_S
	[[ -s $1 && $(cat "$1.stamp" 2>/dev/null) == "$2 $3 $4" ]] && return 0
	note "generating $1"
	"$BUILD/gen_metrics" -g "$2" -r 1 -n "$3" -s "$4" >"$1" || die "cannot generate $1"
	echo "$2 $3 $4" >"$1.stamp"
}
metrics "$DIR/m1000.csv" 1000 864 300
metrics "$DIR/m2000.csv" 2000 864 300
metrics "$DIR/replay-1w.csv" 1 10080 60
metrics "$DIR/replay-4w.csv" 1 40320 60
metrics "$DIR/retrain-50.csv" 50 720 3600
metrics "$DIR/retrain-100.csv" 100 720 3600

# measure NAME IN OUT CMD...: one run; prints "wall_s peak_KiB"
measure() {
	local name=$1 in=$2 out=$3
	shift 3
	rm -f "$DIR/$name.stats"
	"$BUILD/runstat" -o "$DIR/$name.stats" -i "$in" -O "$out" "$@" 2>"$DIR/$name.err" ||
		die "$name failed: $(head -n 3 "$DIR/$name.err")"
	awk '{ printf "%s %s\n", $1, $2 }' "$DIR/$name.stats"
}

rows() { wc -l <"$1" | awk '{ print $1 - 1 }'; }

# line TOOL WHAT SMALL LARGE DIM_RATIO KIND (SMALL/LARGE: "wall peak")
table=()
line() {
	read -r w1 k1 <<<"$3"
	read -r w2 k2 <<<"$4"
	table+=("$(awk -v t="$1" -v w="$2" -v k1="$k1" -v k2="$k2" -v d="$5" -v kind="$6" -v w1="$w1" -v w2="$w2" 'BEGIN {
		printf "%-18s %-34s %9.1f %9.1f %7.2fx %7.2fx  %-12s %7.1f %7.1f", t, w, k1 / 1024, k2 / 1024,
			k2 / k1, d, kind, w1, w2 }')")
}

note "pcs-risk"
s=$(measure risk-small "$DIR/forecast-small.csv" "$DIR/risk-small.csv" bin/pcs-risk -c "$DIR/capacity.csv") || exit 1
l=$(measure risk-large "$DIR/forecast-large.csv" "$DIR/risk-large.csv" bin/pcs-risk -c "$DIR/capacity.csv") || exit 1
line pcs-risk "$(rows "$DIR/forecast-small.csv") / $(rows "$DIR/forecast-large.csv") rows" "$s" "$l" 10 constant

note "pcs-shadow-plan"
head -n $(($(rows "$DIR/risk-large.csv") / 10 + 1)) "$DIR/risk-large.csv" >"$DIR/risk-tenth.csv"
s=$(measure plan-small "$DIR/risk-tenth.csv" /dev/null bin/pcs-shadow-plan -t "$DIR/topology.csv" --now 1795564800) || exit 1
l=$(measure plan-large "$DIR/risk-large.csv" /dev/null bin/pcs-shadow-plan -t "$DIR/topology.csv" --now 1795564800) || exit 1
line pcs-shadow-plan "$(rows "$DIR/risk-tenth.csv") / $(rows "$DIR/risk-large.csv") rows" "$s" "$l" 10 constant

note "pcs-route-weights"
s=$(measure route-small "$DIR/health-small.csv" /dev/null bin/pcs-route-weights --each-tick) || exit 1
l=$(measure route-large "$DIR/health-large.csv" /dev/null bin/pcs-route-weights --each-tick) || exit 1
line pcs-route-weights "$(rows "$DIR/health-small.csv") / $(rows "$DIR/health-large.csv") rows" "$s" "$l" 10 constant

note "pcs-forecast"
s=$(measure fc-1000 "$DIR/m1000.csv" /dev/null bin/pcs-forecast --window 1d) || exit 1
l=$(measure fc-2000 "$DIR/m2000.csv" /dev/null bin/pcs-forecast --window 1d) || exit 1
line pcs-forecast "1000 / 2000 keys, --window 1d" "$s" "$l" 2 "keys"
s=$(measure fc-w1 "$DIR/m2000.csv" /dev/null bin/pcs-forecast --window 1d) || exit 1
l=$(measure fc-w2 "$DIR/m2000.csv" /dev/null bin/pcs-forecast --window 2d) || exit 1
line pcs-forecast "2000 keys, --window 1d / 2d" "$s" "$l" 2 "window"

note "pcs-replay"
s=$(measure replay-1w "$DIR/replay-1w.csv" /dev/null bin/pcs-replay --auto-topology --warmup 3d) || exit 1
l=$(measure replay-4w "$DIR/replay-4w.csv" /dev/null bin/pcs-replay --auto-topology --warmup 3d) || exit 1
line pcs-replay "1 key, 1 / 4 weeks of minutes" "$s" "$l" 4 "history"

note "pcs-retrain"
s=$(measure retrain-50 "$DIR/retrain-50.csv" /dev/null bin/pcs-retrain -H 1h,6h,24h --out "$DIR/m50.json") || exit 1
l=$(measure retrain-100 "$DIR/retrain-100.csv" /dev/null bin/pcs-retrain -H 1h,6h,24h --out "$DIR/m100.json") || exit 1
line pcs-retrain "50 / 100 hourly keys of 30 days" "$s" "$l" 2 "keys"

echo "## Peak memory (MiB, from wait4(2)); one run each"
printf '%-18s %-34s %9s %9s %8s %8s  %-12s %7s %7s\n' tool inputs small large ratio dim expected wall_s wall_l
printf '%s\n' "${table[@]}"
echo "ratio: large / small peak; dim: large / small in the dimension that changed;"
echo "expected: 'constant' means the peak should not follow the rows (ratio near 1),"
echo "the others that it follows that dimension (ratio at most dim)."
