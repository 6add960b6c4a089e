#!/usr/bin/env bash
# bench/route.sh — pcs-route-weights throughput: health samples per second in
# streaming mode (--each-tick) for 10,000 groups x 20 POPs, peak memory, and
# picks per second for --pick.  Prints a table with `cat` as the floor.
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	echo "usage: bench/route.sh   (RT_GROUPS, RT_POPS, RT_TICKS, RT_PICKS, BENCH_REPEAT)"
	exit 0
fi

GROUPS_N=${RT_GROUPS:-10000}
POPS=${RT_POPS:-20}
TICKS=${RT_TICKS:-10}
PICKS=${RT_PICKS:-1000000}
BIN=$ROOT/bin/pcs-route-weights
[[ -x $BIN ]] || die "$BIN not found: run 'make' first"
build_helper runstat
DIR=$BUILD/route
mkdir -p "$DIR" || die "cannot create $DIR"
RUN=$BUILD/pcs-route-weights.route.sh.snapshot
cp "$BIN" "$RUN" || die "cannot copy $BIN"
PCS_RUN=$RUN   # read by machine_line (lib.sh)
export PCS_RUN

# health samples, ticks of 10 s, rows interleaved by time as a collector
# writes them; one POP in fifty fails from the middle on, so breakers work
health=$DIR/health-$GROUPS_N-$POPS-$TICKS.csv
if [[ ! -s $health ]]; then
	note "generating $((GROUPS_N * POPS * TICKS)) health samples"
	awk -v G="$GROUPS_N" -v P="$POPS" -v T="$TICKS" 'BEGIN {
		print "ts,group,pop,capacity_rps,load_rps,latency_ms,error_rate,requests"
		for (t = 0; t < T; t++)
			for (g = 0; g < G; g++)
				for (p = 0; p < P; p++) {
					bad = (g * P + p) % 50 == 0 && t >= T / 2
					printf "%d,g%05d,p%02d,%d,%d,%.1f,%.3f,%d\n", 1795564800 + 10 * t, g, p,
					       1000 + 37 * p, 400 + 13 * ((g + p + t) % 17), 30 + (p * 7 + t) % 40,
					       bad ? 0.8 : 0.002, 4000 + 100 * p
				}
	}' >"$health" || die "cannot write $health"
fi
rows=$((GROUPS_N * POPS * TICKS))

floor_stats=$DIR/stats-cat
timed_runs "$REPEAT" "$floor_stats" /dev/null cat "$health" || die "cat failed"
stream_stats=$DIR/stats-stream
timed_runs "$REPEAT" "$stream_stats" "$DIR/weights.csv" "$RUN" --each-tick "$health" ||
	die "pcs-route-weights failed"
one=$DIR/one-group.csv
awk -F, 'NR == 1 || $2 == "g00000"' "$health" >"$one"
pick_stats=$DIR/stats-pick
timed_runs "$REPEAT" "$pick_stats" /dev/null "$RUN" --pick "$PICKS" --seed 1 "$one" ||
	die "pcs-route-weights --pick failed"
# the same with no picks: the time of reading and weighing, to subtract
nopick_stats=$DIR/stats-nopick
timed_runs "$REPEAT" "$nopick_stats" /dev/null "$RUN" "$one" || die "pcs-route-weights failed"

machine_line | sed 's/pcs-forecast/pcs-route-weights/g'
printf '\n== pcs-route-weights: %d groups x %d POPs x %d ticks = %d samples ==\n\n' \
	"$GROUPS_N" "$POPS" "$TICKS" "$rows"
printf '%-36s %12s %9s %14s %12s\n' run rows wall_s rows/s peak_RSS_MB
printf -- '-%.0s' {1..87}
printf '\n'
row() {
	local name=$1 n=$2 stats=$3 wall rss
	wall=$(stat_median "$stats" 1)
	rss=$(stat_max "$stats" 2)
	awk -v name="$name" -v n="$n" -v w="$wall" -v r="$rss" 'BEGIN {
		printf "%-36s %12d %9.3f %14.0f %12.1f\n", name, n, w, (w > 0 ? n / w : 0), r / 1024 }'
}
row "cat (floor)" "$rows" "$floor_stats"
row "pcs-route-weights --each-tick" "$rows" "$stream_stats"
awk -v p="$PICKS" -v a="$(stat_median "$pick_stats" 1)" -v b="$(stat_median "$nopick_stats" 1)" 'BEGIN {
	d = a - b
	printf "\n--pick %d on one group of %s POPs: %.3f s with picks, %.3f s without: %.0f picks/s\n",
	       p, "'"$POPS"'", a, b, (d > 0 ? p / d : 0) }'
awk -F, 'NR > 1 { n[$1 FS $2]++; s[$1 FS $2] += $5; w[$1 FS $2] += $4 }
	END { bad = 0; for (k in n) if (s[k] < 0.999999 || s[k] > 1.000001 || w[k] != 1000) bad++
	      printf "check: %d group-ticks written, %d with shares not summing to 1 or weights not to 1000\n",
	             length(n), bad; exit bad > 0 }' "$DIR/weights.csv" ||
	die "the weights do not add up"
