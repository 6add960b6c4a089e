#!/usr/bin/env bash
# bench/retrain.sh — pcs-retrain on M4 hourly: the per-key choice made by
# backtests, against pcs-forecast's own search (`auto`), one global choice,
# and every configuration of the default grid run alone.
#
#   bench/retrain.sh [TRAIN.csv TEST.csv]
#
# Data as in bench/m4.sh: ../shared/data/m4/Hourly-{train,test}-dev.csv by
# default; the training rows become hourly keys (m4tool convert), the 48
# test values are never shown to any tool and only scored.  Every forecast
# is -H 1h..48h -q 0.025,0.5,0.975 and is scored the M4 way (m4tool score:
# sMAPE and MASE of the mean, sMAPE of p50, coverage of [p2.5, p97.5], MSIS
# with alpha 0.05).  Rows:
#   1. auto: pcs-forecast --model auto, no model file (as bench/m4.sh);
#   2. retrain-chosen: pcs-retrain -H 1h..48h -q ... < train > model.json
#      (default grid, criterion MASE), then pcs-forecast -m model.json;
#   3. pcs-retrain --global: one configuration for every key;
#   4. every configuration of the default grid alone (pcs-retrain with one
#      value per grid option), scored on the test: the best in hindsight
#      and the whole table; and the per-key oracle (each key's best
#      configuration on the test: a ceiling for selection, not a method);
#   5. published anchors (all 414 series; not measured here).
# Beside them, two more retrain-chosen rows: the full grid (every value of
# every grid option), and the default grid with --seasons daily,auto (ties
# go to the configuration listed first: see the `selection` lines).
# Timings: pcs-retrain on the default grid with -j 1 (pinned to one CPU)
# and -j RETRAIN_JOBS (default 2, the cores of the machine this was written
# on), and the forecasts (-j 1, pinned), as the median of BENCH_REPEAT (3)
# runs of wall time and of CPU time (user + system, from wait4(2)); the
# full grid once with each -j; each single configuration once.
# Targets (reported, never a failure): retrain-chosen at least as accurate
# as auto on sMAPE and on MASE; retrain of all keys under 60 s wall.
# Checks (exit 1 when one fails): every series scored; the model file is
# byte-identical across -j 1, -j N and --report runs (SOURCE_DATE_EPOCH is
# fixed); each key's retrain-chosen forecast is the forecast of its chosen
# configuration run alone, and the --global forecast is that of its one.
#
# Environment: PCS_FORECAST (default bin/pcs-forecast), PCS_RETRAIN (default
# bin/pcs-retrain), RETRAIN_JOBS (default 2), BENCH_REPEAT, CC.
set -uo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case ${1-} in
-h | --help)
	sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
esac
m4_inputs retrain.sh "$@"

PCS_RETRAIN=${PCS_RETRAIN:-$ROOT/bin/pcs-retrain}
JOBS=${RETRAIN_JOBS:-2}
[[ $REPEAT =~ ^[1-9][0-9]*$ && $JOBS =~ ^[1-9][0-9]*$ ]] ||
	die "BENCH_REPEAT and RETRAIN_JOBS want positive integers"

OUT="$BUILD/retrain"
mkdir -p "$OUT/cfg" || die "cannot create $OUT"
rm -f "$OUT"/cfg/* "$OUT"/*.csv "$OUT"/*.json "$OUT"/*.txt "$OUT"/*.tsv "$OUT"/stats-*
build_helper m4tool
build_helper runstat
M4TOOL="$BUILD/m4tool"
need_forecast
[[ -x $PCS_RETRAIN ]] || die "$PCS_RETRAIN not found: run 'make' first (or set PCS_RETRAIN)"
RT_RUN="$BUILD/pcs-retrain.${0##*/}.snapshot"
cp "$PCS_RETRAIN" "$RT_RUN" || die "cannot copy $PCS_RETRAIN"
# The model files' "created" field: fixed, so that reruns compare byte for byte.
export SOURCE_DATE_EPOCH=1771200000

STEP=3600
H=48
FC_ARGS=(-H 1h..48h -q '0.025,0.5,0.975')
TARGET_S=60

"$M4TOOL" convert -s "$STEP" "$TRAIN" >"$OUT/metrics.csv" || die "conversion failed"
nrows=$(($(wc -l <"$OUT/metrics.csv") - 1))
nkeys=$(awk -F, 'NR > 1 && !($2 in k) { k[$2]; n++ } END { print n + 0 }' "$OUT/metrics.csv")

# cpu_runs N STATS IN OUT CMD...: timed_runs with stdin from IN; a rerun
# whose output differs from the first run's fails the checks.
cpu_runs() {
	local n=$1 stats=$2 from=$3 out=$4 rc
	shift 4
	timed_runs -i "$from" "$n" "$stats" "$out" "$@"
	rc=$?
	((TIMED_DIFFERED)) && checks+=("FAIL a rerun of ${*##*/} gave a different output")
	return "$rc"
}

# wall STATS / cpu STATS: medians of wall time and of user + system time.
wall() { stat_median "$1" 1; }
cpu() { awk '{ print $4 + $5 }' "$1" | median; }

# score FORECAST NAME: m4tool score into $OUT/score-NAME.txt, per series
# into $OUT/series-NAME.tsv; checks that every series was scored.
score() {
	"$M4TOOL" score -s "$STEP" -m 24 -H "$H" -a 0.05 -l p2.5 -u p97.5 -p p50 \
		-o "$OUT/series-$2.tsv" "$TRAIN" "$TEST" "$1" >"$OUT/score-$2.txt" ||
		die "scoring $1 failed"
	local bad
	bad=$(awk '$1 ~ /^(incomplete|zero_scale|unknown_rows|crossed_intervals)$/ && $2 != 0 { printf "%s%s=%s", sep, $1, $2; sep = ", " }
		$1 == "series" { s = $2 } $1 == "expected" { e = $2 }
		END { if (s != e) printf "%sscored %s of %s", sep, s, e }' "$OUT/score-$2.txt")
	[[ -z $bad ]] || checks+=("FAIL $2: $bad")
}

# get NAME KEY: a figure from a score file.
get() {
	awk -v k="$2" '$1 == k { print $2; exit }' "$OUT/score-$1.txt"
}

# fmt X DIGITS: X rounded ("-" stays).
fmt() {
	[[ $1 == - || -z $1 ]] && { printf '%s' -; return; }
	awk -v x="$1" -v d="$2" 'BEGIN { printf "%.*f", d, x }'
}

# scores NAME: "sMAPE|sMAPE_p50|MASE|cov95|MSIS|series" of a score file.
scores() {
	local c
	c=$(get "$1" cov95)
	[[ $c == - ]] || c="$(fmt "$c" 1)%"
	printf '%s|%s|%s|%s|%s|%s' "$(fmt "$(get "$1" smape)" 3)" "$(fmt "$(get "$1" smape_p50)" 3)" \
		"$(fmt "$(get "$1" mase)" 3)" "$c" "$(fmt "$(get "$1" msis)" 3)" "$(get "$1" series)"
}


checks=()

# ---------------------------------------------------------------------------
# 1. auto.

note "pcs-forecast --model auto, -j 1 on one CPU ($REPEAT runs)"
cpu_runs "$REPEAT" "$OUT/stats-auto" "$OUT/metrics.csv" "$OUT/fc-auto.csv" \
	"${PIN1[@]}" "$PCS_RUN" "${FC_ARGS[@]}" --model auto ||
	die "pcs-forecast --model auto failed (see $OUT/stats-auto.stderr)"
score "$OUT/fc-auto.csv" auto

# ---------------------------------------------------------------------------
# 2. retrain-chosen: -j 1 pinned, then -j JOBS; the report from one more run.

RT_ARGS=("$RT_RUN" "${FC_ARGS[@]}")
note "pcs-retrain, default grid, -j 1 on one CPU ($REPEAT runs)"
cpu_runs "$REPEAT" "$OUT/stats-retrain-j1" "$OUT/metrics.csv" "$OUT/model-j1.json" \
	"${PIN1[@]}" "${RT_ARGS[@]}" -j 1 ||
	die "pcs-retrain failed (see $OUT/stats-retrain-j1.stderr)"
note "pcs-retrain, default grid, -j $JOBS ($REPEAT runs)"
cpu_runs "$REPEAT" "$OUT/stats-retrain" "$OUT/metrics.csv" "$OUT/model.json" \
	"${RT_ARGS[@]}" -j "$JOBS" ||
	die "pcs-retrain failed (see $OUT/stats-retrain.stderr)"
"${RT_ARGS[@]}" -j "$JOBS" --report "$OUT/report.csv" <"$OUT/metrics.csv" >"$OUT/model-report.json" ||
	die "pcs-retrain --report failed"
if cmp -s "$OUT/model.json" "$OUT/model-j1.json" && cmp -s "$OUT/model.json" "$OUT/model-report.json"; then
	checks+=("ok   model file identical with -j 1, -j $JOBS and --report")
else
	checks+=("FAIL model file differs between -j 1, -j $JOBS and --report")
fi
model_keys=$(grep -o '"group":' "$OUT/model.json" | wc -l)
[[ $model_keys == "$nkeys" ]] || checks+=("FAIL model.json holds $model_keys keys, the history $nkeys")

note "pcs-forecast -m model.json, -j 1 on one CPU ($REPEAT runs)"
cpu_runs "$REPEAT" "$OUT/stats-fc-retrain" "$OUT/metrics.csv" "$OUT/fc-retrain.csv" \
	"${PIN1[@]}" "$PCS_RUN" "${FC_ARGS[@]}" --strict -m "$OUT/model.json" ||
	die "pcs-forecast -m failed (see $OUT/stats-fc-retrain.stderr)"
score "$OUT/fc-retrain.csv" retrain

# ---------------------------------------------------------------------------
# 3. --global.

note "pcs-retrain --global, -j $JOBS ($REPEAT runs)"
cpu_runs "$REPEAT" "$OUT/stats-global" "$OUT/metrics.csv" "$OUT/model-global.json" \
	"${RT_ARGS[@]}" -j "$JOBS" --global ||
	die "pcs-retrain --global failed (see $OUT/stats-global.stderr)"
"${RT_ARGS[@]}" -j "$JOBS" --global --report "$OUT/report-global.csv" <"$OUT/metrics.csv" >/dev/null ||
	die "pcs-retrain --global --report failed"
"$PCS_RUN" "${FC_ARGS[@]}" --strict -m "$OUT/model-global.json" "$OUT/metrics.csv" >"$OUT/fc-global.csv" ||
	die "pcs-forecast -m model-global.json failed"
score "$OUT/fc-global.csv" global
global_cfg=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["chosen"] == 1 { print $c["config"] }' "$OUT/report-global.csv" | sort -u)
[[ -n $global_cfg && $global_cfg != *$'\n'* ]] ||
	checks+=("FAIL --global report does not name one configuration: ${global_cfg:-none}")

# The default grid with its seasons listed daily first.  Ties go to the
# configuration listed first; where the history before the first origin is
# shorter than two weeks, `auto` is backtested without its weekly cycle (the
# same forecasts as `daily`) but fitted with it on the whole history.
note "pcs-retrain --seasons daily,auto, -j $JOBS (1 run)"
"${RT_ARGS[@]}" -j "$JOBS" --seasons daily,auto <"$OUT/metrics.csv" >"$OUT/model-daily-first.json" ||
	die "pcs-retrain --seasons daily,auto failed"
"$PCS_RUN" "${FC_ARGS[@]}" --strict -m "$OUT/model-daily-first.json" "$OUT/metrics.csv" >"$OUT/fc-daily-first.csv" ||
	die "pcs-forecast -m model-daily-first.json failed"
score "$OUT/fc-daily-first.csv" daily-first
# Keys whose choice has seasons auto and the same backtest MASE as its daily
# twin; keys whose fitted model has a weekly cycle (period2).
n_tie=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ cf = $c["config"]; m[$c["group"], cf] = $c["mase"]; if ($c["chosen"] == 1) ch[$c["group"]] = cf }
	END { for (g in ch) { cf = ch[g]; if (split(cf, p, "/") < 5 || p[2] != "auto") continue
		tw = p[1] "/daily/" p[3] "/" p[4] "/" p[5]; if ((g, tw) in m && m[g, tw] == m[g, cf]) n++ }
		print n + 0 }' "$OUT/report.csv")
n_weekly=$(grep -o '"period2":[1-9]' "$OUT/model.json" | wc -l)

# ---------------------------------------------------------------------------
# 4. Every configuration of the default grid alone, in the report's order.

mapfile -t configs < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	!($c["config"] in seen) { seen[$c["config"]]; print $c["config"] }' "$OUT/report.csv")
ncfg=${#configs[@]}
((ncfg > 0)) || die "the report lists no configuration"
# key -> chosen configuration, from the report.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["chosen"] == 1 { print $c["group"], $c["config"] }' "$OUT/report.csv" >"$OUT/chosen.txt"

note "every configuration alone: $ncfg retrains (-j $JOBS) and forecasts"
: >"$OUT/cfg/names.txt"
for ((i = 0; i < ncfg; i++)); do
	IFS=/ read -r m s t x q w <<<"${configs[i]}"
	[[ -z ${w-} ]] || die "configuration ${configs[i]} has a window: not handled"
	[[ $t == - ]] && t=damped # snaive has no trend; any one value
	printf '%d %s\n' "$i" "${configs[i]}" >>"$OUT/cfg/names.txt"
	cpu_runs 1 "$OUT/cfg/stats-rt-$i" "$OUT/metrics.csv" "$OUT/cfg/$i.json" \
		"${RT_ARGS[@]}" -j "$JOBS" --models "$m" --seasons "$s" --trends "$t" \
		--transforms "$x" --quantile-methods "$q" ||
		die "pcs-retrain for ${configs[i]} failed (see $OUT/cfg/stats-rt-$i.stderr)"
	cpu_runs 1 "$OUT/cfg/stats-fc-$i" "$OUT/metrics.csv" "$OUT/cfg/$i.csv" \
		"$PCS_RUN" "${FC_ARGS[@]}" --strict -m "$OUT/cfg/$i.json" ||
		die "pcs-forecast -m for ${configs[i]} failed"
	score "$OUT/cfg/$i.csv" "cfg-$i"
done

# Each key's retrain-chosen forecast = its configuration's forecast alone.
{
	head -n 1 "$OUT/fc-retrain.csv"
	for ((i = 0; i < ncfg; i++)); do
		awk -F, -v cfg="${configs[i]}" 'NR == FNR { split($0, a, " "); if (a[2] == cfg) want[a[1]]; next }
			FNR > 1 && ($2 in want)' \
			"$OUT/chosen.txt" "$OUT/cfg/$i.csv"
	done
} >"$OUT/fc-spliced.csv"
if cmp -s <(sort "$OUT/fc-spliced.csv") <(sort "$OUT/fc-retrain.csv"); then
	checks+=("ok   each key's retrain-chosen forecast = its configuration run alone (all $nkeys keys)")
else
	checks+=("FAIL retrain-chosen forecasts differ from their configurations run alone ($OUT/fc-spliced.csv)")
fi
gi=-1
for ((i = 0; i < ncfg; i++)); do [[ ${configs[i]} == "$global_cfg" ]] && gi=$i; done
if ((gi >= 0)) && cmp -s "$OUT/fc-global.csv" "$OUT/cfg/$gi.csv"; then
	checks+=("ok   --global forecast = $global_cfg run alone")
else
	checks+=("FAIL --global forecast differs from $global_cfg run alone")
fi

# Per configuration: "index mase smape" sorted, the best by MASE first.
for ((i = 0; i < ncfg; i++)); do
	printf '%d %s %s\n' "$i" "$(get "cfg-$i" mase)" "$(get "cfg-$i" smape)"
done | sort -k2,2g -k1,1n >"$OUT/cfg/ranked.txt"
best=$(awk 'NR == 1 { print $1 }' "$OUT/cfg/ranked.txt")
best_smape=$(sort -k3,3g -k1,1n "$OUT/cfg/ranked.txt" | awk 'NR == 1 { print $1 }')

# Per key, over the configurations' per-series scores: the oracle (lowest
# test MASE), and where retrain's choice ranks.  Ties take the first listed.
for ((i = 0; i < ncfg; i++)); do
	awk -F'\t' -v i="$i" -v cfg="${configs[i]}" 'NR > 1 { print $1, i, $4, $2, $5, $6, cfg }' "$OUT/series-cfg-$i.tsv"
done >"$OUT/per-key.txt"
read -r o_mase o_smape o_cov o_msis o_n picked_best med_rank < <(
	awk 'NR == FNR { chosen[$1] = $2; next }
		{ k = $1; if (!(k in bm) || $3 < bm[k]) { bm[k] = $3; bs[k] = $4; bc[k] = $5; bi[k] = $6 }
		  all[k, $2] = $3; if ($7 == chosen[k]) cm[k] = $3; keys[k] }
		END {
			for (k in keys) {
				M += bm[k]; S += bs[k]; C += bc[k]; I += bi[k]; n++
				r = 1; for (j = 0; (k, j) in all; j++) if (all[k, j] < cm[k]) r++
				if (r == 1) top++
				rank[n] = r
			}
			# median rank
			for (a = 1; a <= n; a++) for (b = a + 1; b <= n; b++) if (rank[b] < rank[a]) { t = rank[a]; rank[a] = rank[b]; rank[b] = t }
			med = n % 2 ? rank[(n + 1) / 2] : (rank[n / 2] + rank[n / 2 + 1]) / 2
			printf "%.6f %.6f %.4f %.6f %d %d %s\n", M / n, S / n, C / n, I / n, n, top, med
		}' "$OUT/chosen.txt" "$OUT/per-key.txt"
)
# retrain against auto, key by key (MASE).
read -r kb kw ke < <(awk -F'\t' 'NR == FNR { if (FNR > 1) a[$1] = $4; next }
	FNR > 1 { if ($4 < a[$1] - 1e-9) b++; else if ($4 > a[$1] + 1e-9) w++; else e++ }
	END { print b + 0, w + 0, e + 0 }' "$OUT/series-auto.tsv" "$OUT/series-retrain.tsv")

# ---------------------------------------------------------------------------
# Grid options for speed: the full grid (every value of every option), once
# with -j 1 pinned and once with -j JOBS; its choice is scored too.

FULL=(--models 'snaive,ets' --seasons 'auto,none,daily,weekly,daily+weekly' --trends 'damped,linear,none'
	--transforms 'none,log' --quantile-methods 'conformal,flat,normal')
note "pcs-retrain, full grid, -j 1 on one CPU and -j $JOBS (1 run each)"
cpu_runs 1 "$OUT/stats-full-j1" "$OUT/metrics.csv" "$OUT/model-full-j1.json" \
	"${PIN1[@]}" "${RT_ARGS[@]}" -j 1 "${FULL[@]}" || die "pcs-retrain, full grid, failed"
cpu_runs 1 "$OUT/stats-full" "$OUT/metrics.csv" "$OUT/model-full.json" \
	"${RT_ARGS[@]}" -j "$JOBS" "${FULL[@]}" --report "$OUT/report-full.csv" ||
	die "pcs-retrain, full grid, failed"
if cmp -s "$OUT/model-full.json" "$OUT/model-full-j1.json"; then
	checks+=("ok   full-grid model file identical with -j 1 and -j $JOBS")
else
	checks+=("FAIL full-grid model file differs between -j 1 and -j $JOBS")
fi
"$PCS_RUN" "${FC_ARGS[@]}" --strict -m "$OUT/model-full.json" "$OUT/metrics.csv" >"$OUT/fc-full.csv" ||
	die "pcs-forecast -m model-full.json failed"
score "$OUT/fc-full.csv" full
# Grid size: snaive takes no trend.
full_n=$(awk -v s="${FULL[3]}" -v t="${FULL[5]}" -v x="${FULL[7]}" -v q="${FULL[9]}" 'BEGIN {
	ns = split(s, a, ","); nt = split(t, a, ","); nx = split(x, a, ","); nq = split(q, a, ",")
	print ns * nx * nq * (1 + nt) }')
read -r full_some full_all < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ if (!($c["group"] in k)) { k[$c["group"]]; nk++ } if (!($c["config"] in n)) na++; n[$c["config"]]++ }
	END { for (x in n) if (n[x] == nk) v++; print na + 0, v + 0 }' "$OUT/report-full.csv")
origins=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	NR == 2 || $c["origins"] < lo { lo = $c["origins"] } NR == 2 || $c["origins"] > hi { hi = $c["origins"] }
	END { print (lo == hi ? lo : lo ".." hi) }' "$OUT/report.csv")

# ---------------------------------------------------------------------------
# Report.

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
echo "== pcs-retrain on M4 hourly: $nkeys series ($TRAIN), $nrows metrics rows, horizons 1..$H h =="
machine_line
printf '# pcs-retrain: %s (cksum %s); pcs-retrain -j %s on this %s-CPU machine\n' "$PCS_RETRAIN" \
	"$(cksum <"$RT_RUN" | awk '{ print $1 }')" "$JOBS" "$ncpu"
printf '# grid: default = %d configurations (pcs-retrain defaults; criterion mase; %s origins per key, every 12 h, in the second half);\n' "$ncfg" "$origins"
printf '#       full = every value of every grid option: %s configurations, %s fit some key, %s fit every key\n' \
	"$full_n" "$full_some" "$full_all"
echo
echo "accuracy (test = the 48 held-out values; scores as M4 defines them)"
{
	echo "method|sMAPE|sMAPE_p50|MASE|cov95|MSIS|series"
	echo "1. auto (pcs-forecast, no model file)|$(scores auto)"
	echo "2. retrain-chosen per key (default grid)|$(scores retrain)"
	echo "3. retrain --global: $global_cfg|$(scores global)"
	echo "4. best single config in hindsight: ${configs[best]}|$(scores "cfg-$best")"
	((best_smape == best)) ||
		echo "   best single config by sMAPE: ${configs[best_smape]}|$(scores "cfg-$best_smape")"
	echo "   retrain-chosen per key, full grid|$(scores full)"
	echo "   retrain-chosen per key, --seasons daily,auto|$(scores daily-first)"
	printf '   per-key oracle (test picks; not a method)|%s|-|%s|%s%%|%s|%s\n' "$(fmt "$o_smape" 3)" \
		"$(fmt "$o_mase" 3)" "$(fmt "$o_cov" 1)" "$(fmt "$o_msis" 3)" "$o_n"
	echo "5. published, not measured here (414 series):|||||"
	echo "   seasonal naive|13.91|-|1.19|-|-|414"
	echo "   R forecast::ets|17.31|-|1.82|95.1%|17.49|414"
	echo "   R forecast::stlf|13.84|-|1.13|89.6%|10.16|414"
	echo "   mstl + auto.arima|11.96|-|1.09|82.3%|12.27|414"
	echo "   M4 winner (Smyl)|9.328|-|0.893|-|-|414"
	echo "   best hourly entry (Doornik)|8.913|-|0.801|-|-|414"
} | print_table
echo

rt_wall=$(wall "$OUT/stats-retrain")
echo "time (wall and CPU = user + system; median of $REPEAT runs, except rows marked '1 run')"
{
	echo "step|jobs|wall_s|cpu_s|keys/s (wall)"
	trow() { # LABEL JOBS STATS
		local w
		w=$(wall "$3")
		printf '%s|%s|%s|%s|%s\n' "$1" "$2" "$w" "$(cpu "$3")" \
			"$(awk -v n="$nkeys" -v w="$w" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')"
	}
	trow "pcs-forecast --model auto" "1 (CPU 0)" "$OUT/stats-auto"
	trow "pcs-retrain, default grid ($ncfg)" "1 (CPU 0)" "$OUT/stats-retrain-j1"
	trow "pcs-retrain, default grid ($ncfg)" "$JOBS" "$OUT/stats-retrain"
	trow "pcs-forecast -m model.json" "1 (CPU 0)" "$OUT/stats-fc-retrain"
	trow "pcs-retrain --global, default grid" "$JOBS" "$OUT/stats-global"
	trow "pcs-retrain, full grid ($full_n), 1 run" "1 (CPU 0)" "$OUT/stats-full-j1"
	trow "pcs-retrain, full grid ($full_n), 1 run" "$JOBS" "$OUT/stats-full"
	cat "$OUT"/cfg/stats-rt-* >"$OUT/stats-cfg-rt-all"
	cat "$OUT"/cfg/stats-fc-* >"$OUT/stats-cfg-fc-all"
	printf 'pcs-retrain, one config (median of the %d)|%s|%s|%s|-\n' "$ncfg" "$JOBS" \
		"$(wall "$OUT/stats-cfg-rt-all")" "$(cpu "$OUT/stats-cfg-rt-all")"
	printf 'pcs-forecast -m, one config (median of the %d)|1|%s|%s|-\n' "$ncfg" \
		"$(wall "$OUT/stats-cfg-fc-all")" "$(cpu "$OUT/stats-cfg-fc-all")"
} | print_table
awk -v a="$(wall "$OUT/stats-retrain-j1")" -v b="$rt_wall" -v ca="$(cpu "$OUT/stats-retrain-j1")" \
	-v cb="$(cpu "$OUT/stats-retrain")" -v j="$JOBS" -v f="$(wall "$OUT/stats-fc-retrain")" \
	-v au="$(wall "$OUT/stats-auto")" 'BEGIN {
	printf "retrain -j 1 / -j %s wall: %.2fx faster (CPU -j %s / -j 1: %.2fx); forecast -m / auto wall: %.2fx\n",
		j, (b > 0 ? a / b : 0), j, (ca > 0 ? cb / ca : 0), (au > 0 ? f / au : 0)
}'
echo

echo "every configuration of the default grid alone (best in hindsight by MASE first)"
{
	echo "config|sMAPE|sMAPE_p50|MASE|cov95|MSIS|series|retrain_s|keys chosen"
	while read -r i _; do
		printf '%s|%s|%s|%s\n' "${configs[i]}" "$(scores "cfg-$i")" "$(awk '{ print $1 }' "$OUT/cfg/stats-rt-$i")" \
			"$(awk -v c="${configs[i]}" '$2 == c { n++ } END { print n + 0 }' "$OUT/chosen.txt")"
	done <"$OUT/cfg/ranked.txt"
} | print_table
echo "(keys chosen: keys for which the default-grid retrain chose that configuration)"
echo

echo "selection:"
printf "  retrain's choice was the key's best configuration on the test (MASE) for %s of %s keys; median rank %s of %s\n" \
	"$picked_best" "$o_n" "$med_rank" "$ncfg"
printf '  %s of %s keys chose seasons auto on a backtest tie with daily (auto backtested without its\n' "$n_tie" "$nkeys"
printf '  weekly cycle: too little history before the first origin); %s keys were fitted with a weekly cycle\n' "$n_weekly"
printf '  retrain-chosen against auto, key by key (MASE): better on %s keys, worse on %s, equal on %s\n' "$kb" "$kw" "$ke"
echo "  auto: keys per model (horizon-1 rows):"
awk '$1 == "model" { printf "    %-22s %s\n", $2, $3 }' "$OUT/score-auto.txt"
echo

echo "targets:"
awk -v rs="$(get retrain smape)" -v rm="$(get retrain mase)" -v as="$(get auto smape)" \
	-v am="$(get auto mase)" -v w="$rt_wall" -v lim="$TARGET_S" -v j="$JOBS" -v n="$nkeys" '
	function ok(x) { return x ? "MET" : "MISSED" }
	BEGIN {
		printf "  retrain-chosen at least as accurate as auto on sMAPE and MASE: %s\n", ok(rs <= as && rm <= am)
		printf "    sMAPE %.3f vs %.3f (%+.3f, %+.1f%%), MASE %.3f vs %.3f (%+.3f, %+.1f%%)\n",
			rs, as, rs - as, 100 * (rs - as) / as, rm, am, rm - am, 100 * (rm - am) / am
		printf "  retrain all keys in seconds (< %d s): %s\n", lim, ok(w < lim)
		printf "    %.2f s wall, median, -j %s, %d keys (M4 hourly has 414: time grows about linearly with keys)\n", w, j, n
	}'
echo

echo "checks:"
printf '  %s\n' "${checks[@]}"
echo
echo "notes: MASE and MSIS scaled by the in-sample mean |y_t - y_(t-24)|; cov95 = share"
echo "of test points in [p2.5, p97.5].  pcs-retrain picks per key by backtest MASE on its"
echo "training history only; the hindsight rows and the oracle use the test and bound"
echo "what a choice among these configurations could reach.  Published figures are on all"
echo "414 series; this data set may be a subset.  Files: $OUT/."
for c in "${checks[@]}"; do
	[[ $c == FAIL* ]] && exit 1
done
exit 0
