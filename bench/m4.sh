#!/usr/bin/env bash
# bench/m4.sh — accuracy and speed of pcs-forecast on M4 hourly.
#
#   bench/m4.sh [TRAIN.csv TEST.csv]
#
# Defaults: ../shared/data/m4/Hourly-train-dev.csv and Hourly-test-dev.csv
# relative to the project root (M4 wide format: "V1","V2",... header, rows
# "H1","605",... padded with empty fields; the test file holds the next 48
# values).  Each training row becomes an hourly metrics key (group = series id,
# all series ending at 2026-02-15T23:00:00Z so every key is issued at the same
# instant), and pcs-forecast -H 1h..48h -q 0.025,0.5,0.975 runs with --model
# auto, ets and snaive.  Scores follow M4: sMAPE and MASE (seasonal period 24)
# of the `mean` column, sMAPE of p50, coverage of [p2.5, p97.5] and MSIS
# (alpha 0.05), averaged over series.  Wall time is the median of
# BENCH_REPEAT (3) runs pinned to one CPU; `auto` also runs on all CPUs
# (-j with one thread per CPU).
#
# Environment: PCS_FORECAST (default bin/pcs-forecast), BENCH_REPEAT, CC,
# M4_PUBLISHED (published per-method table; default next to TRAIN).
set -uo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# m4_table: the rows on stdin under the header of the M4 table
m4_table() {
	{
		echo "method|series|sMAPE|sMAPE_p50|MASE|cov95|MSIS|wall_s"
		cat
	} | print_table
}

case ${1-} in
-h | --help)
	sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
esac
m4_inputs m4.sh "$@"
PUBLISHED=${M4_PUBLISHED:-$(dirname "$TRAIN")/published_hourly_results.csv}

OUT="$BUILD/m4"
mkdir -p "$OUT" || die "cannot create $OUT"
build_helper m4tool
build_helper runstat
M4TOOL="$BUILD/m4tool"
STEP=3600
H=48

# ---------------------------------------------------------------------------
# Independent checks of the scorer (awk only, no C): a textbook seasonal naive
# (m = 24) forecast written in pcs's output format, scored by awk and by
# m4tool; then, further down, one series of pcs's own snaive scored by hand.

# m4_long FILE: "id idx value" per value of an M4 wide file.
m4_long() {
	awk -F, 'NR > 1 {
		gsub(/"/, "")
		sub(/\r$/, "")
		n = NF
		while (n > 1 && $n == "") n--
		for (k = 2; k <= n; k++) print $1, k - 1, $k
	}' "$1"
}

# The reference forecast: y[n-24+((h-1)%24)+1], no intervals.
m4_long "$TRAIN" | awk -v H="$H" -v step="$STEP" '
	{ y[$1, $2] = $3; if ($2 > n[$1]) n[$1] = $2; if (!($1 in seen)) { seen[$1] = 1; ids[++m] = $1 } }
	END {
		print "issued,group,region,horizon_s,target,mean,model"
		for (i = 1; i <= m; i++) {
			id = ids[i]
			for (h = 1; h <= H; h++)
				printf "0,%s,*,%d,0,%s,snaive24\n", id, h * step, y[id, n[id] - 24 + (h - 1) % 24 + 1]
		}
	}' >"$OUT/fc-ref-snaive24.csv" || die "reference forecast failed"

# awk_score FORECAST.csv [ID]: "sMAPE MASE series cov95 MSIS" of the mean
# column and the [p2.5, p97.5] interval (alpha 0.05, so 2/alpha = 40), in awk
# straight from the definitions; with ID, for that one series only.
awk_score() {
	{
		m4_long "$TRAIN" | sed 's/^/train /'
		m4_long "$TEST" | sed 's/^/test /'
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			{ lo = ("p2.5" in c) ? $c["p2.5"] : "-"; hi = ("p97.5" in c) ? $c["p97.5"] : "-"
			  print "fc", $c["group"], $c["horizon_s"] / 3600, $c["mean"], lo, hi }' "$1"
	} | awk -v only="${2-}" '
		$1 == "train" { y[$2, $3] = $4; if ($3 > n[$2]) n[$2] = $3; next }
		$1 == "test" { t[$2, $3] = $4; if (!($2 in ts)) { ts[$2] = 1; ids[++m] = $2 } next }
		$1 == "fc" { f[$2, $3] = $4; lo[$2, $3] = $5; hi[$2, $3] = $6; if ($5 == "-") noint = 1 }
		END {
			for (i = 1; i <= m; i++) {
				id = ids[i]
				if (only != "" && id != only) continue
				sc = 0
				for (k = 25; k <= n[id]; k++) { d = y[id, k] - y[id, k - 24]; sc += d < 0 ? -d : d }
				sc /= n[id] - 24
				s = 0; a = 0; cv = 0; is = 0
				for (h = 1; h <= 48; h++) {
					d = t[id, h] - f[id, h]; d = d < 0 ? -d : d
					den = (t[id, h] < 0 ? -t[id, h] : t[id, h]) + (f[id, h] < 0 ? -f[id, h] : f[id, h])
					s += den > 0 ? 200 * d / den : 0
					a += d
					if (noint) continue
					L = lo[id, h] + 0; U = hi[id, h] + 0; Y = t[id, h] + 0
					if (L <= Y && Y <= U) cv++
					is += U - L
					if (Y < L) is += 40 * (L - Y)
					if (Y > U) is += 40 * (Y - U)
				}
				S += s / 48; M += a / 48 / sc; C += cv / 48; I += is / 48 / sc; N++
			}
			if (N && noint) printf "%.6f %.6f %d - -\n", S / N, M / N, N
			else if (N) printf "%.6f %.6f %d %.6f %.6f\n", S / N, M / N, N, 100 * C / N, I / N
		}'
}

# close A B: A and B agree to 1e-6 relative.
close() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; s = (a < 0 ? -a : a) + 1e-12; exit !(d <= 1e-6 * s) }'
}

# score FORECAST NAME: m4tool score into $OUT/score-NAME.txt and per series
# into $OUT/series-NAME.tsv.
score() {
	"$M4TOOL" score -s "$STEP" -m 24 -H "$H" -a 0.05 -l p2.5 -u p97.5 -p p50 \
		-o "$OUT/series-$2.tsv" "$TRAIN" "$TEST" "$1" >"$OUT/score-$2.txt" ||
		die "scoring $1 failed"
}

# get NAME KEY: a figure from a score file.
get() {
	awk -v k="$2" '$1 == k { print $2; exit }' "$OUT/score-$1.txt"
}

checks=()
score "$OUT/fc-ref-snaive24.csv" ref
read -r a_smape a_mase a_n _ < <(awk_score "$OUT/fc-ref-snaive24.csv")
if close "$a_smape" "$(get ref smape)" && close "$a_mase" "$(get ref mase)" &&
	[[ $a_n == "$(get ref series)" ]]; then
	checks+=("ok   scorer = awk on reference snaive24, all $a_n series (sMAPE $a_smape, MASE $a_mase)")
else
	checks+=("FAIL scorer != awk on reference snaive24: awk $a_smape/$a_mase/$a_n, scorer $(get ref smape)/$(get ref mase)/$(get ref series)")
fi

# ---------------------------------------------------------------------------
# Anchors (published figures on all 414 hourly series; the dev files may be a
# subset, so the reference snaive24 row above is the like-for-like baseline).

anchors() {
	cat <<'EOF'
M4 sNaive (414)|414|13.912|-|1.193|-|-|-
M4 Naive2 (414)|414|18.383|-|2.395|-|-|-
M4 best hourly, Doornik (414)|414|8.913|-|0.801|-|-|-
M4 winner, Smyl (414)|414|9.328|-|0.893|-|-|-
R forecast::stlf (peer, 414)|414|13.84|-|1.13|89.6%|10.16|-
R forecast::ets (peer, 414)|414|17.31|-|1.82|95.1%|17.49|-
EOF
}


# row LABEL NAME WALL: a table row from a score file.
row() {
	local f
	printf '%s|%s' "$1" "$(get "$2" series)"
	for f in smape smape_p50 mase cov95 msis; do
		local v
		v=$(get "$2" "$f")
		case $f in
		cov95) [[ $v == - ]] || v=$(awk -v x="$v" 'BEGIN { printf "%.1f%%", x }') ;;
		*) [[ $v == - ]] || v=$(awk -v x="$v" 'BEGIN { printf "%.3f", x }') ;;
		esac
		printf '|%s' "$v"
	done
	printf '|%s\n' "$3"
}

nseries=$(get ref expected)
if [[ ! -x $PCS_FORECAST ]]; then
	note "$PCS_FORECAST not found: run 'make' first (or set PCS_FORECAST); showing the scorer checks and anchors only"
	{
		row "ref snaive m=24 (awk, same data)" ref -
		anchors
	} | m4_table
	printf '%s\n' "${checks[@]}"
	exit 1
fi
need_forecast

# ---------------------------------------------------------------------------
# Runs.

"$M4TOOL" convert -s "$STEP" "$TRAIN" >"$OUT/metrics.csv" || die "conversion failed"
nrows=$(($(wc -l <"$OUT/metrics.csv") - 1))

PCS_ARGS=(-H 1h..48h -q '0.025,0.5,0.975')
declare -A wall rss
for model in auto ets snaive; do
	note "running --model $model on one CPU ($REPEAT runs)"
	timed_runs "$REPEAT" "$OUT/stats-$model" "$OUT/fc-$model.csv" \
		"${PIN1[@]}" "$PCS_RUN" "${PCS_ARGS[@]}" --model "$model" "$OUT/metrics.csv" ||
		die "pcs-forecast --model $model failed (see $OUT/stats-$model.stderr)"
	wall[$model]=$(stat_median "$OUT/stats-$model" 1)
	rss[$model]=$(stat_max "$OUT/stats-$model" 2)
	score "$OUT/fc-$model.csv" "$model"
done
NCPU=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
note "running --model auto -j $NCPU on all CPUs ($REPEAT runs)"
timed_runs "$REPEAT" "$OUT/stats-auto-all" "$OUT/fc-auto-all.csv" \
	"$PCS_RUN" "${PCS_ARGS[@]}" --model auto -j "$NCPU" "$OUT/metrics.csv" ||
	die "pcs-forecast --model auto failed"
wall_all=$(stat_median "$OUT/stats-auto-all" 1)
score "$OUT/fc-auto-all.csv" auto-all
if cmp -s "$OUT/fc-auto.csv" "$OUT/fc-auto-all.csv"; then
	checks+=("ok   auto output is the same on one CPU and on all CPUs")
else
	checks+=("FAIL auto output differs between one CPU and all CPUs")
fi

# By hand: the first series of pcs's snaive, from the definitions in awk.
first=$(awk -F, 'NR == 2 { gsub(/"/, "", $1); print $1; exit }' "$TEST")
read -r h_smape h_mase _ < <(awk_score "$OUT/fc-snaive.csv" "$first")
read -r s_smape s_mase < <(awk -F'\t' -v id="$first" '$1 == id { print $2, $4 }' "$OUT/series-snaive.tsv")
if [[ -n ${h_smape-} && -n ${s_smape-} ]] && close "$h_smape" "$s_smape" && close "$h_mase" "$s_mase"; then
	checks+=("ok   pcs snaive series $first by hand: sMAPE $h_smape MASE $h_mase (scorer $s_smape $s_mase)")
else
	checks+=("FAIL pcs snaive series $first by hand: sMAPE ${h_smape-?} MASE ${h_mase-?}, scorer ${s_smape-?} ${s_mase-?}")
fi
# Whole-set awk cross-check of the headline run too.
read -r a_smape a_mase a_n a_cov a_msis < <(awk_score "$OUT/fc-auto.csv")
if [[ -n ${a_msis-} ]] && close "$a_smape" "$(get auto smape)" && close "$a_mase" "$(get auto mase)" &&
	close "$a_cov" "$(get auto cov95)" && close "$a_msis" "$(get auto msis)"; then
	checks+=("ok   scorer = awk on pcs auto, all series: sMAPE, MASE, cov95, MSIS")
else
	checks+=("FAIL scorer != awk on pcs auto: awk ${a_smape-?}/${a_mase-?}/${a_cov-?}/${a_msis-?}, scorer $(get auto smape)/$(get auto mase)/$(get auto cov95)/$(get auto msis)")
fi
for name in auto ets snaive; do
	bad=$(awk '$1 ~ /^(incomplete|zero_scale|unknown_rows|crossed_intervals)$/ && $2 != 0 { printf "%s%s=%s", sep, $1, $2; sep = ", " }' "$OUT/score-$name.txt")
	[[ -z $bad ]] || checks+=("FAIL pcs $name output: $bad")
done

# ---------------------------------------------------------------------------
# Report.

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo all)
echo "== M4 hourly: $nseries series ($TRAIN), $nrows metrics rows, horizons 1..$H h =="
machine_line
echo
{
	row "pcs auto, 1 CPU (headline)" auto "${wall[auto]}"
	row "pcs auto, $ncpu CPUs" auto-all "${wall_all}"
	row "pcs ets, 1 CPU" ets "${wall[ets]}"
	row "pcs snaive, 1 CPU" snaive "${wall[snaive]}"
	row "ref snaive m=24 (awk, same data)" ref -
	anchors
} | m4_table
echo
awk -v a="${wall[auto]}" -v e="${wall[ets]}" -v s="${wall[snaive]}" -v all="${wall_all}" -v n="$nseries" '
	BEGIN {
		printf "speed: auto %.0f series/s on 1 CPU; auto/snaive time %.1fx, ets/snaive %.1fx, auto 1 CPU / all CPUs %.2fx\n",
			(a > 0 ? n / a : 0), (s > 0 ? a / s : 0), (s > 0 ? e / s : 0), (all > 0 ? a / all : 0)
	}'
printf 'peak RSS (KB): auto %s, ets %s, snaive %s\n' "${rss[auto]}" "${rss[ets]}" "${rss[snaive]}"
echo
echo "auto: series per chosen model (horizon-1 rows)"
awk '$1 == "model" { printf "  %-24s %s\n", $2, $3 }' "$OUT/score-auto.txt"

if [[ -r $PUBLISHED ]]; then
	echo
	echo "published M4 hourly results (all 414 series; $PUBLISHED):"
	# Quote-aware CSV split; rows picked by first_author.
	awk '
		function splitcsv(s, f,    n, q, c, i, cur) {
			n = 0; q = 0; cur = ""
			for (i = 1; i <= length(s); i++) {
				c = substr(s, i, 1)
				if (q) { if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { cur = cur c; i++ } else q = 0 } else cur = cur c }
				else if (c == "\"") q = 1
				else if (c == ",") { f[++n] = cur; cur = "" }
				else cur = cur c
			}
			f[++n] = cur
			return n
		}
		BEGIN {
			want["Jurgen Doornik"]; want["Slawek Smyl"]; want["Pablo Montero-Manso"]
			want["sNaive"]; want["Naive2"]; want["Theta"]; want["SES"]; want["Damped"]
			want["Holt"]; want["Com"]; want["MLP"]; want["RNN"]; want["Naive"]
		}
		{ sub(/\r$/, "") }
		NR == 1 { n = splitcsv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i
			printf "  %4s  %-22s %-22s %8s %7s %7s\n", "rank", "method", "type", "sMAPE", "MASE", "OWA"; next }
		{
			splitcsv($0, f)
			if (!(f[col["first_author"]] in want)) next
			printf "  %4s  %-22s %-22s %8s %7s %7s\n", f[col["hourly_rank_by_owa"]], f[col["first_author"]],
				f[col["method_type"]], f[col["smape_hourly"]], f[col["mase_hourly"]], f[col["owa_hourly"]]
		}' "$PUBLISHED"
fi

echo
echo "checks:"
printf '  %s\n' "${checks[@]}"
echo
echo "notes: point forecast = mean column; sMAPE_p50 uses p50; cov95 = share of test"
echo "points in [p2.5, p97.5]; MSIS and MASE scaled by the in-sample mean |y_t - y_(t-24)|."
echo "Anchors are on all 414 series; compare pcs with the same-data snaive rows first."
echo "Files: $OUT/ (forecasts, per-series scores series-*.tsv, run stats)."
for c in "${checks[@]}"; do
	[[ $c == FAIL* ]] && exit 1
done
exit 0
