#!/usr/bin/env bash
# bench/peers.sh — pcs-forecast against R's forecasting peers on M4 hourly.
#
#   bench/peers.sh [--subset N|all] [--peers LIST] [TRAIN.csv TEST.csv]
#
# Data as in bench/m4.sh: ../shared/data/m4/Hourly-{train,test}-dev.csv by
# default; every method sees the training rows only (each series ends at
# 2026-02-15T23:00:00Z, hourly), the 48 test values are only scored, by the
# same scorer (bench/m4tool score: sMAPE and MASE of the mean, seasonal
# period 24; coverage of the 95% interval; MSIS, alpha 0.05).  Methods:
#   pcs         pcs-forecast --model M -H 1h..48h -q 0.025,0.5,0.975 for each
#               M of PCS_MODELS that the binary accepts (a model it rejects
#               as unknown is reported and skipped); pinned to one CPU,
#               median of BENCH_REPEAT (3) runs;
#   snaive      seasonal naive, m = 24, in awk (interval as forecast::snaive);
#   stlf        R forecast::stlf on msts(24, 168), ETS (MSTL + ETS);
#   mstl_arima  R forecast::stlf(method = "arima") on msts(24, 168);
#   ets         R forecast::ets on ts(frequency = 24)            (slow);
#   tbats       R forecast::tbats on msts(24, 168)               (slow);
#   prophet     R prophet, daily and weekly seasonality, hourly timestamps,
#               interval_width 0.95                              (slow).
# R peers give the mean and the level-95 interval for h = 1..48
# (bench/peers/fit.R); a peer whose R or R package is missing is skipped
# with a line saying why.  Each R process is single-threaded and pinned to
# one CPU; PEER_JOBS (default 2, at most the CPUs) processes share a peer's
# series.  CPU seconds of a peer = the sum over series of R's proc.time
# (user + system) around the fit and the forecast, R start-up excluded.
#
# Options:
#   --subset N   the slow peers (ets, tbats, prophet) fit only the first N
#                series (default 60: the whole script then takes about 16
#                minutes on 2 cores; 20 took 8, but ranked tbats and pcs
#                the other way round from 60, a sample too small to rank
#                them); their rows say "(subset N)" and pcs auto is run and
#                scored on the same N series in a row of its own.
#                --subset all: every peer on every series (tbats alone is
#                then about two hours of CPU on the 207 dev series).
#   --peers LIST comma-separated peers to run (default all of the above).
#
# Environment: PCS_FORECAST, PCS_MODELS (default "auto ensemble reg mstl ets
# snaive"), BENCH_REPEAT, PEER_JOBS, RSCRIPT (default Rscript), CC.
# Exit status: 0 when every run went through (targets missed or not), 1 when
# a run or a check failed.  Files: bench/build/peers/.
set -euo pipefail

# shellcheck source=bench/lib.sh disable=SC1091 # followed with shellcheck -x
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	die "usage: bench/peers.sh [--subset N|all] [--peers LIST] [TRAIN.csv TEST.csv]"
}

SUBSET=60
PEERS=snaive,stlf,mstl_arima,ets,tbats,prophet
SLOW=" ets tbats prophet "
pos=()
while (($#)); do
	case $1 in
	-h | --help)
		sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	--subset)
		(($# >= 2)) || usage
		SUBSET=$2
		shift 2
		;;
	--subset=*)
		SUBSET=${1#--subset=}
		shift
		;;
	--peers)
		(($# >= 2)) || usage
		PEERS=$2
		shift 2
		;;
	--peers=*)
		PEERS=${1#--peers=}
		shift
		;;
	-*) usage ;;
	*)
		pos+=("$1")
		shift
		;;
	esac
done
[[ $SUBSET == all || $SUBSET =~ ^[1-9][0-9]*$ ]] || die "--subset: a positive number or 'all', not '$SUBSET'"
for p in ${PEERS//,/ }; do
	case $p in
	snaive | stlf | mstl_arima | ets | tbats | prophet) ;;
	*) die "--peers: unknown peer '$p' (snaive, stlf, mstl_arima, ets, tbats, prophet)" ;;
	esac
done
m4_inputs peers.sh "${pos[@]}"
TRAIN=${TRAIN:?} TEST=${TEST:?} # set by m4_inputs

PCS_MODELS=${PCS_MODELS:-auto ensemble reg mstl ets snaive}
RSCRIPT=${RSCRIPT:-Rscript}
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
PEER_JOBS=${PEER_JOBS:-2}
[[ $PEER_JOBS =~ ^[1-9][0-9]*$ ]] || die "PEER_JOBS: a positive number"
((PEER_JOBS <= NCPU)) || PEER_JOBS=$NCPU
STEP=3600
H=48
OUT="$BUILD/peers"
rm -rf "$OUT"
mkdir -p "$OUT" || die "cannot create $OUT"
build_helper m4tool
build_helper runstat
M4TOOL="$BUILD/m4tool"
need_forecast
started=$SECONDS

# ---------------------------------------------------------------------------
# Inputs: the full set, and the first N series for the slow peers.

nseries=$(awk -F, 'NR > 1 && $1 != "" { n++ } END { print n + 0 }' "$TEST")
((nseries > 0)) || die "no series in $TEST"
if [[ $SUBSET == all ]] || ((SUBSET >= nseries)); then
	NSUB=$nseries
	SUBTAG=""
else
	NSUB=$SUBSET
	SUBTAG=" (subset $NSUB)"
fi
head -n "$((NSUB + 1))" "$TRAIN" >"$OUT/train-sub.csv"
# The test rows of the same series, whatever their order in TEST.
awk -F, 'NR == FNR { if (FNR > 1) { id = $1; gsub(/"/, "", id); want[id] = 1 } next }
	FNR == 1 { print; next }
	{ id = $1; gsub(/"/, "", id); if (id in want) print }' "$OUT/train-sub.csv" "$TEST" >"$OUT/test-sub.csv"
[[ $(($(wc -l <"$OUT/test-sub.csv") - 1)) == "$NSUB" ]] || die "the first $NSUB series of $TRAIN are not all in $TEST"
"$M4TOOL" convert -s "$STEP" "$TRAIN" >"$OUT/metrics.csv" || die "conversion failed"
"$M4TOOL" convert -s "$STEP" "$OUT/train-sub.csv" >"$OUT/metrics-sub.csv" || die "conversion failed"

# score FORECAST NAME SET: m4tool score into $OUT/score-NAME.txt (per series
# in series-NAME.tsv); SET is "all" or "sub".  Every series must be scored.
score() {
	local train=$TRAIN test=$TEST bad
	if [[ $3 == sub ]]; then train=$OUT/train-sub.csv test=$OUT/test-sub.csv; fi
	"$M4TOOL" score -s "$STEP" -m 24 -H "$H" -a 0.05 -l p2.5 -u p97.5 -p p50 \
		-o "$OUT/series-$2.tsv" "$train" "$test" "$1" >"$OUT/score-$2.txt" ||
		die "scoring $1 failed"
	bad=$(awk '$1 ~ /^(incomplete|zero_scale|crossed_intervals)$/ && $2 != 0 { printf "%s%s=%s", sep, $1, $2; sep = ", " }
		$1 == "series" { s = $2 } $1 == "expected" { e = $2 }
		END { if (s != e) printf "%sscored %s of %s", sep, s, e }' "$OUT/score-$2.txt")
	[[ -z $bad ]] || die "$2: $bad (see $OUT/score-$2.txt)"
}

# get NAME KEY: a figure from a score file.
get() {
	awk -v k="$2" '$1 == k { print $2; exit }' "$OUT/score-$1.txt"
}

# Rows of the table, collected as "label|name|cpu_s|set" (set: all or sub).
rows=()
skipped=()
failed=()
notes=()

# ---------------------------------------------------------------------------
# pcs: every model of PCS_MODELS that the binary knows, on all series; auto
# also on the subset.  A model is probed on an empty stream first: exit
# status 64, or a usage error naming the model, means "not in this build".

PCS_ARGS=(-H 1h..48h -q '0.025,0.5,0.975')
declare -A pcs_cpu pcs_wall
# pcs_run NAME MODEL METRICS: timed runs, pinned; CPU = median user + sys.
pcs_run() {
	note "pcs-forecast --model $2 on $3 ($REPEAT runs, one CPU)"
	timed_runs "$REPEAT" "$OUT/stats-$1" "$OUT/fc-$1.csv" \
		"${PIN1[@]}" "$PCS_RUN" "${PCS_ARGS[@]}" --model "$2" "$3" ||
		die "pcs-forecast --model $2 failed (see $OUT/stats-$1.stderr)"
	pcs_cpu[$1]=$(awk '{ print $4 + $5 }' "$OUT/stats-$1" | median)
	pcs_wall[$1]=$(stat_median "$OUT/stats-$1" 1)
}
have_auto=0
for model in $PCS_MODELS; do
	rc=0
	printf 'ts,group,rps\n' | "$PCS_RUN" --model "$model" >/dev/null 2>"$OUT/probe-$model.err" || rc=$?
	if ((rc != 0)); then
		if ((rc == 64)) || grep -qi "unknown model\|model.*unknown\|--model" "$OUT/probe-$model.err"; then
			skipped+=("pcs $model: not in this build (pcs-forecast --model $model exits $rc: $(head -n 1 "$OUT/probe-$model.err"))")
			continue
		fi
		die "pcs-forecast --model $model failed on an empty stream (status $rc): $(head -n 1 "$OUT/probe-$model.err")"
	fi
	pcs_run "pcs-$model" "$model" "$OUT/metrics.csv"
	score "$OUT/fc-pcs-$model.csv" "pcs-$model" all
	rows+=("pcs $model|pcs-$model|${pcs_cpu[pcs-$model]}|all")
	if [[ $model == auto ]]; then
		have_auto=1
		# the whole machine: one thread per CPU, unpinned (the speed target
		# is "on one machine"); the output must not depend on -j
		note "pcs-forecast --model auto -j $NCPU on $OUT/metrics.csv ($REPEAT runs, all CPUs)"
		timed_runs "$REPEAT" "$OUT/stats-pcs-auto-all" "$OUT/fc-pcs-auto-all.csv" \
			"$PCS_RUN" "${PCS_ARGS[@]}" --model auto -j "$NCPU" "$OUT/metrics.csv" ||
			die "pcs-forecast --model auto -j $NCPU failed (see $OUT/stats-pcs-auto-all.stderr)"
		cmp -s "$OUT/fc-pcs-auto.csv" "$OUT/fc-pcs-auto-all.csv" ||
			die "pcs-forecast --model auto -j $NCPU wrote other forecasts than on one CPU"
		pcs_wall[pcs-auto-all]=$(stat_median "$OUT/stats-pcs-auto-all" 1)
		if [[ -n $SUBTAG ]]; then
			pcs_run pcs-auto-sub auto "$OUT/metrics-sub.csv"
			score "$OUT/fc-pcs-auto-sub.csv" pcs-auto-sub sub
			rows+=("pcs auto$SUBTAG|pcs-auto-sub|${pcs_cpu[pcs-auto-sub]}|sub")
		fi
	fi
done
((have_auto)) || die "pcs-forecast has no --model auto (PCS_MODELS must include auto)"
AUTO_ALL=pcs-auto
AUTO_SUB=pcs-auto
[[ -z $SUBTAG ]] || AUTO_SUB=pcs-auto-sub

# ---------------------------------------------------------------------------
# Seasonal naive, m = 24, in awk: f(h) = y[n - 24 + ((h - 1) % 24) + 1],
# 95% interval f -/+ 1.959964 sigma sqrt(floor((h - 1) / 24) + 1), sigma^2 =
# mean of the squared seasonal differences (as forecast::snaive).

# shellcheck disable=SC2016 # an awk program
SNAIVE_AWK='
	BEGIN { FS = ","; print "issued,group,region,horizon_s,target,mean,p2.5,p97.5,model" }
	NR == 1 { next }
	{
		gsub(/"/, ""); sub(/\r$/, "")
		n = NF
		while (n > 1 && $n == "") n--
		n--
		for (k = 1; k <= n; k++) y[k] = $(k + 1) + 0
		ss = 0
		for (k = 25; k <= n; k++) ss += (y[k] - y[k - 24]) ^ 2
		sigma = sqrt(ss / (n - 24))
		for (h = 1; h <= H; h++) {
			f = y[n - 24 + (h - 1) % 24 + 1]
			w = 1.959964 * sigma * sqrt(int((h - 1) / 24) + 1)
			printf "2026-02-15T23:00:00Z,%s,*,%d,-,%.10g,%.10g,%.10g,snaive24\n", $1, h * step, f, f - w, f + w
		}
	}'

peer_on() {
	[[ ",$PEERS," == *",$1,"* ]]
}

if peer_on snaive; then
	note "seasonal naive (awk)"
	# Timed: the whole awk process, once, pinned.
	"$BUILD/runstat" -o "$OUT/stats-snaive" -O "$OUT/fc-snaive.csv" \
		"${PIN1[@]}" awk -v H="$H" -v step="$STEP" "$SNAIVE_AWK" "$TRAIN" ||
		die "seasonal naive failed"
	score "$OUT/fc-snaive.csv" snaive all
	rows+=("seasonal naive m=24 (awk)|snaive|$(awk '{ print $4 + $5 }' "$OUT/stats-snaive")|all")
fi

# ---------------------------------------------------------------------------
# R peers.

declare -A label=(
	[ets]="R forecast::ets"
	[stlf]="R stlf (MSTL + ETS)"
	[mstl_arima]="R mstl + auto.arima"
	[tbats]="R forecast::tbats"
	[prophet]="R prophet"
)
r_ok=1
r_why=""
if ! command -v "$RSCRIPT" >/dev/null 2>&1; then
	r_ok=0 r_why="$RSCRIPT not found (apt-get install r-base-core r-cran-forecast r-cran-prophet)"
elif ! "$RSCRIPT" -e 'quit(status = !requireNamespace("forecast", quietly = TRUE))' >/dev/null 2>&1; then
	r_ok=0 r_why="R package forecast not installed (apt-get install r-cran-forecast)"
fi
prophet_ok=1
if ((r_ok)) && peer_on prophet &&
	! "$RSCRIPT" -e 'quit(status = !requireNamespace("prophet", quietly = TRUE))' >/dev/null 2>&1; then
	prophet_ok=0
fi

peer_fail=0
# r_peer PEER LAST SET: fit.R on series 1..LAST in PEER_JOBS processes, each
# pinned to its own CPU, then merge and score.
r_peer() {
	local peer=$1 last=$2 set=$3 k pids=() rc=0 pid
	note "$peer on series 1..$last ($PEER_JOBS processes)"
	for ((k = 1; k <= PEER_JOBS; k++)); do
		local pin=()
		if ((${#PIN1[@]})); then pin=(taskset -c "$(((k - 1) % NCPU))"); fi
		TZ=UTC OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
			"$BUILD/runstat" -o "$OUT/stats-$peer.$k" "${pin[@]}" \
			"$RSCRIPT" --vanilla "$BENCH_DIR/peers/fit.R" "$peer" "$TRAIN" 1 "$last" \
			"$k" "$PEER_JOBS" "$OUT/fc-$peer.$k.csv" "$OUT/times-$peer.$k.tsv" \
			>"$OUT/log-$peer.$k.txt" 2>&1 &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		wait "$pid" || rc=$?
	done
	if ((rc != 0)); then
		note "$peer failed (status $rc); see $OUT/log-$peer.*.txt:"
		tail -n 5 "$OUT"/log-"$peer".*.txt >&2
		peer_fail=1
		failed+=("${label[$peer]}: status $rc, see $OUT/log-$peer.*.txt")
		return 0
	fi
	{
		head -n 1 "$OUT/fc-$peer.1.csv"
		for ((k = 1; k <= PEER_JOBS; k++)); do tail -n +2 "$OUT/fc-$peer.$k.csv"; done
	} >"$OUT/fc-$peer.csv"
	cat "$OUT"/times-"$peer".*.tsv >"$OUT/times-$peer.tsv"
	score "$OUT/fc-$peer.csv" "$peer" "$set"
	local cpu proc tag=""
	[[ $set == all ]] || tag=$SUBTAG
	cpu=$(awk '{ s += $2 } END { printf "%.3f", s }' "$OUT/times-$peer.tsv")
	proc=$(cat "$OUT"/stats-"$peer".* | awk '{ s += $4 + $5 } END { printf "%.1f", s }')
	rows+=("${label[$peer]}$tag|$peer|$cpu|$set")
	notes+=("$(awk -v p="${label[$peer]}" -v proc="$proc" -F'\t' '
		{ n++; if ($3 != "ok") f++; if ($4 > 0) w++; if (max == "" || $2 > max) { max = $2; id = $1 } }
		END { printf "%s: %d series, %d fell back to snaive (fit failed), %d with warnings; slowest %s %.1f CPU s; R processes %.1f CPU s in all (start-up included)",
			p, n, f, w, id, max, proc }' "$OUT/times-$peer.tsv")")
}

for peer in stlf mstl_arima ets tbats prophet; do
	peer_on "$peer" || continue
	if ((!r_ok)); then
		skipped+=("${label[$peer]}: $r_why")
		continue
	fi
	if [[ $peer == prophet ]] && ((!prophet_ok)); then
		skipped+=("${label[$peer]}: R package prophet not installed (apt-get install r-cran-prophet)")
		continue
	fi
	if [[ $SLOW == *" $peer "* ]]; then
		r_peer "$peer" "$NSUB" sub
	else
		r_peer "$peer" "$nseries" all
	fi
done

# ---------------------------------------------------------------------------
# Report.

elapsed=$((SECONDS - started))
echo "== pcs-forecast and its peers, M4 hourly: $nseries series ($TRAIN), h = 1..$H, seasonal periods 24 and 168 =="
machine_line
echo "# slow peers (ets, tbats, prophet) on the first $NSUB series$([[ -n $SUBTAG ]] || echo ' (all)'); R peers run once, $PEER_JOBS processes, one CPU each"
echo
# Per row: label|series|sMAPE|MASE|cov95|MSIS|CPU s|CPU s/series|x pcs auto
{
	echo "method|series|sMAPE|MASE|cov95|MSIS|CPU s|CPU s/series|CPU / pcs auto"
	for r in "${rows[@]}"; do
		IFS='|' read -r lab name cpu set <<<"$r"
		ref=$AUTO_ALL
		[[ $set == all ]] || ref=$AUTO_SUB
		awk -v lab="$lab" -v n="$(get "$name" series)" -v s="$(get "$name" smape)" \
			-v m="$(get "$name" mase)" -v c="$(get "$name" cov95)" -v i="$(get "$name" msis)" \
			-v cpu="$cpu" -v ref="${pcs_cpu[$ref]}" -v self="$([[ $name == "$ref" ]] && echo 1 || echo 0)" 'BEGIN {
				printf "%s|%d|%.3f|%.3f|%.1f%%|%.3f|%.3f|%.4f|%s\n", lab, n, s, m, c, i, cpu, cpu / n,
					self ? "1" : (ref > 0 ? sprintf(cpu / ref >= 10 ? "%.0fx" : cpu / ref >= 1 ? "%.1fx" : "%.2fx", cpu / ref) : "-")
			}'
	done
} | print_table
echo
echo "CPU s: pcs = median of $REPEAT runs of user + system CPU (process start-up included);"
echo "R peers = sum over series of proc.time user + system around fit and forecast (R start-up"
echo "excluded); awk snaive = the whole awk process.  CPU / pcs auto: against pcs auto on the same series."
for s in "${skipped[@]}"; do echo "skipped: $s"; done
for s in "${failed[@]}"; do echo "FAILED: $s"; done
for s in "${notes[@]}"; do echo "$s"; done
echo
echo "anchors (all 414 M4 hourly series; published or measured elsewhere, not in this run):"
{
	echo "method|sMAPE|MASE|cov95|MSIS"
	echo "seasonal naive|13.91|1.19|-|-"
	echo "R forecast::ets|17.31|1.82|95.1%|17.49"
	echo "R stlf (MSTL + ETS)|13.84|1.13|89.6%|10.16"
	echo "R mstl + auto.arima|11.96|1.09|82.3%|12.27"
	echo "R prophet|18.08|1.63|65.5% (80% interval)|-"
	echo "R tbats (45-series subset)|11.4|1.32|-|-"
	pub=$(dirname "$TRAIN")/published_hourly_results.csv
	if [[ -r $pub ]]; then
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ gsub(/"/, "") }
			$c["first_author"] == "Jurgen Doornik" { printf "best M4 hourly entry, Doornik (published csv)|%s|%s|-|-\n", $c["smape_hourly"], $c["mase_hourly"] }
			$c["first_author"] == "Slawek Smyl" { printf "M4 winner, Smyl (published csv)|%s|%s|-|-\n", $c["smape_hourly"], $c["mase_hourly"] }' "$pub"
	else
		echo "best M4 hourly entry, Doornik|8.913|0.801|-|-"
		echo "M4 winner, Smyl|9.328|0.893|-|-"
	fi
} | print_table

# ---------------------------------------------------------------------------
# Targets for pcs auto.  A peer is compared with pcs auto on its own series.

echo
echo "targets for pcs auto ($nseries series unless noted):"
fig() { get "$1" "$2"; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo PASS; else echo MISS; fi; }
as=$(fig "$AUTO_ALL" smape) am=$(fig "$AUTO_ALL" mase) ac=$(fig "$AUTO_ALL" cov95) ai=$(fig "$AUTO_ALL" msis)
acpu=${pcs_cpu[$AUTO_ALL]}
printf '  %-4s sMAPE <= 10.5: %.3f\n' "$(verdict "$as <= 10.5")" "$as"
printf '  %-4s MASE <= 0.90: %.3f\n' "$(verdict "$am <= 0.90")" "$am"
behind=() best="" best_rel="" best_ratio=""
for r in "${rows[@]}"; do
	IFS='|' read -r lab name cpu set <<<"$r"
	[[ $name != pcs-* ]] || continue
	ref=$AUTO_ALL
	[[ $set == all ]] || ref=$AUTO_SUB
	ps=$(fig "$name" smape) pm=$(fig "$name" mase) rs=$(fig "$ref" smape) rm=$(fig "$ref" mase)
	if ! awk "BEGIN { exit !($rs < $ps && $rm < $pm) }"; then
		behind+=("$(awk -v l="$lab" -v a="$ps" -v b="$pm" -v c="$rs" -v d="$rm" \
			'BEGIN { printf "%s: sMAPE %.3f, MASE %.3f; pcs auto on the same series %.3f, %.3f", l, a, b, c, d }')")
	fi
	rel=$(awk -v a="$ps" -v b="$rs" 'BEGIN { printf "%.6f", a / b }')
	if [[ -z $best_rel ]] || awk "BEGIN { exit !($rel < $best_rel) }"; then
		best=$lab best_rel=$rel
		best_ratio=$(awk -v a="$cpu" -v b="${pcs_cpu[$ref]}" 'BEGIN { printf "%.3g", (b > 0 ? a / b : 0) }')
	fi
done
npeers=0
for r in "${rows[@]}"; do [[ $r == *"|pcs-"* ]] || npeers=$((npeers + 1)); done
if ((npeers == 0)); then
	echo "  -    ahead of every peer on sMAPE and MASE: no peer measured"
elif ((${#behind[@]} == 0)); then
	echo "  PASS ahead of every peer measured ($npeers) on sMAPE and MASE, each on its own series"
else
	echo "  MISS ahead of every peer measured on sMAPE and MASE; not ahead of:"
	printf '         %s\n' "${behind[@]}"
fi
printf '  %-4s 95%% coverage in [94, 96]%%: %.1f%%\n' "$(verdict "$ac >= 94 && $ac <= 96")" "$ac"
printf '  %-4s MSIS <= 8: %.3f\n' "$(verdict "$ai <= 8")" "$ai"
awall=${pcs_wall[pcs-auto-all]}
printf '  %-4s all %s series in <= 1 s on this machine: %.3f s wall with -j %s (one CPU: %.3f CPU s, %.3f s wall)\n' \
	"$(verdict "$awall <= 1")" "$nseries" "$awall" "$NCPU" "$acpu" "${pcs_wall[$AUTO_ALL]}"
if [[ -n $best ]]; then
	printf '  %-4s >= 100x faster than the most accurate peer measured, %s (lowest sMAPE relative to pcs auto on its series): %sx\n' \
		"$(verdict "$best_ratio >= 100")" "$best" "$best_ratio"
else
	echo "  -    >= 100x faster than the most accurate peer: no peer measured"
fi
echo
echo "run time: $elapsed s wall in all.  Files: $OUT/ (forecasts fc-*.csv, scores score-*.txt,"
echo "per series series-*.tsv, R per-series CPU and warnings times-*.tsv, R logs log-*.txt)."
((peer_fail == 0)) || exit 1
exit 0
