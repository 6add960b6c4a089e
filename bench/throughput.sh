#!/usr/bin/env bash
# bench/throughput.sh — rows per second and peak memory of pcs-forecast.
#
#   bench/throughput.sh
#
# Generates (once, cached in bench/build/tp/) a synthetic live feed with
# bench/gen_metrics.c: TP_GROUPS (1000) groups x TP_REGIONS (2) regions,
# TP_STEPS (2880) instants TP_STEP (60) seconds apart, i.e. 2 days of
# 1-minute samples for 2000 keys = 5,760,000 rows, interleaved by time.
# Then, with the default options of the live pipeline (-H 5m,15m,30m):
#   - floors: `cat FILE >/dev/null` and `wc -l FILE`;
#   - pcs-forecast --model snaive and --model auto: wall time (median of
#     BENCH_REPEAT = 3 runs, all CPUs), rows/s and peak RSS;
#   - peak RSS on the same keys with the first 1/TP_FRACTION (1/5) of the rows,
#     with the default --window and with --window TP_WINDOW (6h, shorter than
#     both spans): with a binding window, memory should not grow with rows.
#
# Environment: PCS_FORECAST, BENCH_REPEAT, CC, TP_GROUPS, TP_REGIONS,
# TP_STEPS, TP_STEP, TP_WINDOW, TP_FRACTION, TP_MODELS ("snaive auto").
set -uo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

no_args "$@"

GROUPS_N=${TP_GROUPS:-1000}
REGIONS_N=${TP_REGIONS:-2}
STEPS_N=${TP_STEPS:-2880}
STEP_S=${TP_STEP:-60}
WINDOW=${TP_WINDOW:-6h}
FRACTION=${TP_FRACTION:-5}
read -r -a MODELS <<<"${TP_MODELS:-snaive auto}"

OUT="$BUILD/tp"
mkdir -p "$OUT" || die "cannot create $OUT"
build_helper gen_metrics
build_helper runstat

# dur_s DURATION: seconds of 30s, 5m, 6h, 2d, 1w or plain seconds.
dur_s() {
	awk -v d="$1" 'BEGIN {
		u = substr(d, length(d)); n = d + 0
		m = u == "s" ? 1 : u == "m" ? 60 : u == "h" ? 3600 : u == "d" ? 86400 : u == "w" ? 604800 : 1
		print int(n * m)
	}'
}

keys=$((GROUPS_N * REGIONS_N))
rows=$((keys * STEPS_N))
fifth_steps=$((STEPS_N / FRACTION))
fifth_rows=$((keys * fifth_steps))
FULL="$OUT/metrics.csv"
FIFTH="$OUT/metrics-fifth.csv"
stamp="groups=$GROUPS_N regions=$REGIONS_N steps=$STEPS_N step=$STEP_S fraction=$FRACTION"
if [[ ! -s $FULL || ! -s $FIFTH || $BENCH_DIR/gen_metrics.c -nt $FULL ||
	$(cat "$OUT/stamp" 2>/dev/null) != "$stamp" ]]; then
	note "generating $rows rows ($keys keys x $STEPS_N steps of ${STEP_S}s) into $FULL"
	"$BUILD/gen_metrics" -g "$GROUPS_N" -r "$REGIONS_N" -n "$STEPS_N" -s "$STEP_S" >"$FULL" ||
		die "generator failed"
	# Rows are interleaved by time, so a prefix holds every key.
	head -n "$((1 + fifth_rows))" "$FULL" >"$FIFTH" || die "cannot write $FIFTH"
	printf '%s\n' "$stamp" >"$OUT/stamp"
fi
need_forecast
bytes=$(wc -c <"$FULL")

# Floors.  A first read warms the page cache, as for the runs below.
cat "$FULL" >/dev/null
timed_runs "$REPEAT" "$OUT/stats-cat" /dev/null cat "$FULL" || die "cat failed"
timed_runs "$REPEAT" "$OUT/stats-wc" "$OUT/wc.out" wc -l "$FULL" || die "wc failed"

# row LABEL ROWS WINDOW STATS: one table row.
row() {
	local wall rss
	wall=$(stat_median "$4" 1)
	rss=$(stat_max "$4" 2)
	awk -v l="$1" -v r="$2" -v w="$3" -v t="$wall" -v m="$rss" -v k="$keys" -v n="$(wc -l <"$4")" 'BEGIN {
		printf "%s|%d|%s|%s|%.3f|%s|%s|%s\n", l, r, w, n, t,
			(t > 0 ? sprintf("%.0f", r / t) : "-"),
			(m == "-" ? "-" : sprintf("%.1f", m / 1024)),
			(m == "-" ? "-" : sprintf("%.2f", m / k))
	}'
}

declare -A rss_full rss_fifth rss_wfull rss_wfifth
results=()
results+=("$(row "cat >/dev/null (floor)" "$rows" - "$OUT/stats-cat")")
results+=("$(row "wc -l (floor)" "$rows" - "$OUT/stats-wc")")
for model in "${MODELS[@]}"; do
	note "--model $model, $rows rows, default window ($REPEAT runs)"
	timed_runs "$REPEAT" "$OUT/stats-$model" "$OUT/fc-$model.csv" \
		"$PCS_RUN" --model "$model" "$FULL" ||
		die "pcs-forecast --model $model failed (see $OUT/stats-$model.stderr)"
	results+=("$(row "pcs $model" "$rows" default "$OUT/stats-$model")")
	rss_full[$model]=$(stat_max "$OUT/stats-$model" 2)

	note "--model $model, $fifth_rows rows, default window (1 run)"
	timed_runs 1 "$OUT/stats-$model-fifth" "$OUT/fc-$model-fifth.csv" \
		"$PCS_RUN" --model "$model" "$FIFTH" || die "pcs-forecast failed"
	results+=("$(row "pcs $model, 1/$FRACTION rows" "$fifth_rows" default "$OUT/stats-$model-fifth")")
	rss_fifth[$model]=$(stat_max "$OUT/stats-$model-fifth" 2)

	note "--model $model --window $WINDOW, full and 1/$FRACTION rows (1 run each)"
	timed_runs 1 "$OUT/stats-$model-w" "$OUT/fc-$model-w.csv" \
		"$PCS_RUN" --model "$model" --window "$WINDOW" "$FULL" || die "pcs-forecast failed"
	results+=("$(row "pcs $model" "$rows" "$WINDOW" "$OUT/stats-$model-w")")
	rss_wfull[$model]=$(stat_max "$OUT/stats-$model-w" 2)
	timed_runs 1 "$OUT/stats-$model-wfifth" "$OUT/fc-$model-wfifth.csv" \
		"$PCS_RUN" --model "$model" --window "$WINDOW" "$FIFTH" || die "pcs-forecast failed"
	results+=("$(row "pcs $model, 1/$FRACTION rows" "$fifth_rows" "$WINDOW" "$OUT/stats-$model-wfifth")")
	rss_wfifth[$model]=$(stat_max "$OUT/stats-$model-wfifth" 2)

	outrows=$(($(wc -l <"$OUT/fc-$model.csv") - 1))
	[[ $outrows -gt 0 ]] || die "--model $model wrote no forecast rows"
done

if ((fifth_steps * STEP_S <= $(dur_s "$WINDOW"))); then
	note "warning: 1/$FRACTION of the rows spans $((fifth_steps * STEP_S))s, not more than --window $WINDOW: the RSS comparison proves nothing"
fi
echo "== throughput: $rows rows ($((bytes / 1048576)) MiB), $keys keys ($GROUPS_N groups x $REGIONS_N regions), ${STEP_S}s step, $STEPS_N steps =="
machine_line
echo "# pcs runs use all CPUs and the default -H/-q; 1/$FRACTION = first $fifth_steps steps of every key"
echo
{
	echo "run|rows|window|runs|wall_s|rows/s|peak_RSS_MB|RSS_KB/key"
	printf '%s\n' "${results[@]}"
} | awk -F'|' '
	{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } nf = NF }
	END {
		for (r = 1; r <= NR; r++) {
			line = sprintf("%-" w[1] "s", c[r, 1])
			for (i = 2; i <= nf; i++) line = line sprintf("  %" w[i] "s", c[r, i])
			print line
			if (r == 1) { gsub(/./, "-", line); print line }
		}
	}'
echo
catwall=$(stat_median "$OUT/stats-cat" 1)
for model in "${MODELS[@]}"; do
	awk -v m="$model" -v t="$(stat_median "$OUT/stats-$model" 1)" -v c="$catwall" \
		-v f="${rss_full[$model]}" -v q="${rss_fifth[$model]}" \
		-v wf="${rss_wfull[$model]}" -v wq="${rss_wfifth[$model]}" -v w="$WINDOW" -v fr="$FRACTION" 'BEGIN {
		printf "%s: %.0fx the cat floor; peak RSS full/(1/%s rows): %.2fx with the default window, %.2fx with --window %s\n",
			m, (c > 0 ? t / c : 0), fr, (q > 0 ? f / q : 0), (wq > 0 ? wf / wq : 0), w
	}'
done
echo
echo "notes: rows/s = input rows / median wall time; peak RSS from wait4(2) (bench/runstat.c)."
echo "With --window $WINDOW both inputs span more than the window, so a ratio near 1 means memory"
echo "is bounded by keys x window, not by rows.  Inputs and outputs: $OUT/ (kept for reruns)."
