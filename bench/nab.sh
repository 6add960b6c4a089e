#!/usr/bin/env bash
# bench/nab.sh — pcs-forecast --score on the Numenta Anomaly Benchmark (NAB),
# scored the NAB way (bench/nabscore.c), beside the published leaderboard.
#
#   make bench-nab     # = bash bench/nab.sh
#
# Data: NAB_DATA (default ../shared/data/nab from the project root): every
# data/<category>/<file>.csv (timestamp,value) that labels/combined_windows.json
# names, and config/profiles.json.  Each file becomes a metrics stream of its
# own (one group; `2014-07-01 00:00:00` is written `2014-07-01T00:00:00Z`, the
# value is rps) and is run alone, `pcs-forecast --score --window 520w --epoch`
# (the window holds the whole file, so every row is scored; one run per file
# because the files have different steps and pcs detects one step per run),
# pinned to CPU 0 by bench/runstat.c itself (sched_setaffinity before the
# exec: `taskset -c 0` would add an exec, about 1.5 ms, to every timed run).
# Each NAB row gets the anomaly_score of the pcs step slot that holds its
# timestamp (an empty score, where pcs has no prediction yet, counts as 0).
# --score reads any finite value, negative ones included, so every file is
# scored; pcs failing on a file stops the bench.
#
# Rows of the table: pcs; NAB's null detector (0.5 everywhere; 0 by
# definition) and the window-start detector (100 by definition); two
# baselines computed here in awk on the same files: a rolling z-score of the
# last 100 values (score 1 - 1/(1+|z|)) and a seeded random score; and the
# published leaderboard (NAB README, full 58-file corpus: not measured here).
# Scores: standard, reward_low_FP_rate and reward_low_FN_rate, normalized as
# NAB does (null 0, perfect 100), the threshold chosen per profile to maximize
# the corpus score.  Speed: NAB rows / wall time of pcs-forecast alone (sum
# over files of the median of BENCH_REPEAT runs, process start-up included),
# with CPU time (user + sys) beside it; also the largest file alone and all
# the files as one stream in one process (no start-up per file).
# Targets (reported as MET or MISSED, never a failure): standard >= 72,
# reward_low_FN >= 77, >= 1,000,000 points/s on one core.
# Checks (exit 1): every labelled file found and scored, the windows scored
# equal to the labels' count, every pcs slot matched by a NAB row, the null
# detector 0, the window-start detector 100, the same detector scored twice
# gives the same figures.
#
# Environment: NAB_DATA, PCS_FORECAST, BENCH_REPEAT, CC.
set -uo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
no_args "$@"
cd "$ROOT" || exit 1

NAB=${NAB_DATA:-../shared/data/nab}
LABELS=$NAB/labels/combined_windows.json
PROFILES=$NAB/config/profiles.json
[[ -r $LABELS && -r $PROFILES && -d $NAB/data ]] ||
	die "cannot read the NAB data in $NAB (labels/combined_windows.json, config/profiles.json, data/)"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT wants a positive integer"

OUT="$BUILD/nab"
mkdir -p "$OUT/in" "$OUT/pcs" || die "cannot create $OUT"
rm -f "$OUT"/in/* "$OUT"/pcs/* "$OUT"/*.csv "$OUT"/*.txt
build_helper runstat
NABSCORE="$BUILD/nabscore"
if [[ ! -x $NABSCORE || $BENCH_DIR/nabscore.c -nt $NABSCORE ]]; then
	"$CC" -O2 -Wall -o "$NABSCORE" "$BENCH_DIR/nabscore.c" -ljansson -lm ||
		die "cannot compile bench/nabscore.c (it needs jansson: libjansson-dev)"
fi
need_forecast
PCS_ARGS=(--score --window 520w --epoch)

# The labelled files, in the labels' order, and their number of windows.
mapfile -t files < <(grep -o '"[^"]*\.csv"' "$LABELS" | tr -d '"')
nfiles=${#files[@]}
((nfiles > 0)) || die "$LABELS names no file"
nwin_labels=$(grep -cE '^ *"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.]+" *,? *$' "$LABELS")
((nwin_labels % 2 == 0)) || die "$LABELS: cannot count the windows"
nwin_labels=$((nwin_labels / 2))
for f in "${files[@]}"; do
	[[ -r $NAB/data/$f ]] || die "$NAB/data/$f is named by the labels but cannot be read"
done

checks=()
fail() { checks+=("FAIL $*"); }
ok() { checks+=("ok   $*"); }

# to_metrics NAB.csv: the file as a metrics stream, rps = value.
to_metrics() {
	awk -F, -v g="$(basename "$1" .csv)" '
		NR == 1 { print "ts,group,rps"; next }
		NF != 2 { printf "%s:%d: %d fields\n", FILENAME, NR, NF > "/dev/stderr"; exit 1 }
		{ t = $1; sub(/ /, "T", t); sub(/\.0+$/, "", t); print t "Z," g "," $2 }' "$1"
}

# to_results NAB_NAME NAB.csv PCS_OUT: file,timestamp,anomaly_score, one row
# per NAB row in the file's order, the score of the pcs step slot that holds
# the row (slots are multiples of the step since the epoch; the step is the
# least spacing of pcs's slots).  NAB rows with the same timestamp share a
# slot (pcs keeps the last of duplicates).  On stderr: "EMPTY UNHIT STEP",
# rows whose slot has no score yet, slots that no row falls in, the step.
to_results() {
	awk -F, -v name="$1" '
		function epoch(s,   y, m, d, era, yoe, doy) { # "YYYY-MM-DD HH:MM:SS" as UTC
			y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
			if (m <= 2) y--
			era = int((y >= 0 ? y : y - 399) / 400); yoe = y - era * 400
			doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
			return (era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468) * 86400 \
				+ substr(s, 12, 2) * 3600 + substr(s, 15, 2) * 60 + substr(s, 18, 2)
		}
		FNR == NR { if (FNR > 1) { t = $1 + 0; sc[t] = $6; n++
			if (n > 1 && t > prev && (step == 0 || t - prev < step)) step = t - prev; prev = t } next }
		FNR == 1 { if (step <= 0) { printf "%s: pcs wrote fewer than two slots\n", name > "/dev/stderr"; bad = 1; exit 1 }
			print "file,timestamp,anomaly_score"; next }
		{ t = epoch($1); slot = t - t % step
		  if (!(slot in sc)) { printf "%s: row %d (%s) is in no slot of the pcs output\n", name, FNR, $1 > "/dev/stderr"; bad = 1; exit 1 }
		  hit[slot] = 1; s = sc[slot]; if (s == "") { s = 0; empty++ }
		  print name "," $1 "," s }
		END { if (bad) exit 1
			for (k in sc) if (!(k in hit)) unhit++
			printf "%d %d %d\n", empty + 0, unhit + 0, step > "/dev/stderr" }' "$3" "$2"
}

# Baseline detectors, each a results stream on stdout for every file.
zscore() { # rolling z-score over the previous W values
	awk -F, -v name="$1" -v W=100 '
		FNR == 1 { print "file,timestamp,anomaly_score"; next }
		{ x = $2 + 0; s = 0
		  if (n >= 2) { m = sum / n; var = sq / n - m * m; if (var < 0) var = 0
			if (var > 0) { z = (x - m) / sqrt(var); if (z < 0) z = -z; s = 1 - 1 / (1 + z) }
			else s = (x == m ? 0 : 1) }
		  printf "%s,%s,%.9f\n", name, $1, s
		  if (n == W) { o = buf[i % W]; sum -= o; sq -= o * o } else n++
		  buf[i % W] = x; sum += x; sq += x * x; i++ }' "$2"
}
random_det() {
	awk -F, -v name="$1" -v seed="$3" 'BEGIN { srand(seed) }
		FNR == 1 { print "file,timestamp,anomaly_score"; next }
		{ printf "%s,%s,%.6f\n", name, $1, rand() }' "$2"
}
null_det() {
	awk -F, -v name="$1" 'FNR == 1 { print "file,timestamp,anomaly_score"; next }
		{ print name "," $1 ",0.5" }' "$2"
}

# cat_results KIND: every file's results of KIND ($OUT/pcs/<i>.KIND.csv) as one stream.
cat_results() {
	local i
	echo "file,timestamp,anomaly_score"
	for ((i = 0; i < nfiles; i++)); do
		tail -n +2 "$OUT/pcs/$i.$1.csv" || return 1
	done
}

# ---------------------------------------------------------------------------
# Convert, run pcs (timed), map its scores to the NAB rows; baselines.

npoints=0
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
note "pcs-forecast --score on $nfiles files, one CPU, $REPEAT runs each"
for ((i = 0; i < nfiles; i++)); do
	f=${files[i]}
	src=$NAB/data/$f
	rows=$(awk 'END { print NR - 1 }' "$src") # some files lack a final newline
	npoints=$((npoints + rows))
	to_metrics "$src" >"$OUT/in/$i.csv" || die "cannot convert $f"
	timed_runs -i "$OUT/in/$i.csv" "${PIN1_TIMED[@]}" "$REPEAT" "$OUT/pcs/$i.stats" \
		"$OUT/pcs/$i.out" "$PCS_RUN" "${PCS_ARGS[@]}" 2>"$OUT/pcs/$i.err" ||
		die "pcs-forecast failed on $f: $(grep -m 1 'pcs-forecast:' "$OUT/pcs/$i.stats.stderr" 2>/dev/null ||
			echo "see $OUT/pcs/$i.stats.stderr")"
	((TIMED_DIFFERED)) && fail "a rerun of pcs on $f gave a different output"
	to_results "$f" "$src" "$OUT/pcs/$i.out" >"$OUT/pcs/$i.pcs.csv" 2>"$OUT/pcs/$i.map" ||
		die "$(cat "$OUT/pcs/$i.map")"
	read -r empty unhit step <"$OUT/pcs/$i.map"
	((unhit == 0)) || fail "$f: $unhit pcs slots match no NAB row"
	printf '%s\t%s\t%s\t%s\n' "$f" "$rows" "$empty" "$step" >>"$OUT/slots.txt"
	zscore "$f" "$src" >"$OUT/pcs/$i.zscore.csv"
	random_det "$f" "$src" $((i + 1)) >"$OUT/pcs/$i.random.csv"
	null_det "$f" "$src" >"$OUT/pcs/$i.null.csv"
	# The window-start detector is computed by nabscore itself (start_score).
done

# score KIND: nabscore over every file's results of KIND into $OUT/score-KIND.txt.
score() {
	cat_results "$1" >"$OUT/results-$1.csv" || die "cannot gather the $1 results"
	"$NABSCORE" -v "$LABELS" "$PROFILES" "$OUT/results-$1.csv" >"$OUT/score-$1.txt" ||
		die "scoring $1 failed"
}
for kind in pcs zscore random null; do
	score "$kind"
done
# The same detector scored twice, from a fresh run of the awk detector.
for ((i = 0; i < nfiles; i++)); do
	zscore "${files[i]}" "$NAB/data/${files[i]}" >"$OUT/pcs/$i.zscore2.csv"
done
score zscore2

# get KIND PROFILE KEY: a figure of a profile line.
get() {
	awk -v p="$2" -v k="$3" '$1 == "profile=" p {
		for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) { print a[2]; exit } } }' \
		"$OUT/score-$1.txt"
}
head_get() { # KIND KEY: a figure of the "#" line
	awk -v k="$2" 'NR == 1 { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' \
		"$OUT/score-$1.txt"
}
PROFILE_NAMES=(standard reward_low_FP_rate reward_low_FN_rate)

# ---------------------------------------------------------------------------
# Checks.

[[ $(head_get pcs files) == "$nfiles" ]] || fail "nabscore scored $(head_get pcs files) files, not $nfiles"
if [[ $(head_get pcs windows) == "$nwin_labels" && $(head_get pcs scorable_windows) == "$nwin_labels" ]]; then
	ok "$nfiles files, $npoints rows, $nwin_labels windows scored (the labels' count; none inside a probation period)"
else
	fail "windows scored $(head_get pcs windows) ($(head_get pcs scorable_windows) outside probation), labels $nwin_labels"
fi
[[ $(head_get pcs rows) == "$npoints" ]] || fail "nabscore read $(head_get pcs rows) rows, the files hold $npoints"
nfail=${#checks[@]}
for p in "${PROFILE_NAMES[@]}"; do
	[[ -n $(get pcs "$p" score) ]] || fail "profile $p missing from $PROFILES"
	[[ $(get null "$p" score) == 0.000 ]] || fail "null detector scores $(get null "$p" score) on $p, not 0"
	[[ $(get pcs "$p" start_score) == 100.000 ]] || fail "window-start detector scores $(get pcs "$p" start_score) on $p, not 100"
done
((${#checks[@]} > nfail)) || ok "null detector 0 and window-start detector 100 on every profile"
if cmp -s <(grep -v '^file=' "$OUT/score-zscore.txt") <(grep -v '^file=' "$OUT/score-zscore2.txt") &&
	cmp -s "$OUT/score-zscore.txt" "$OUT/score-zscore2.txt"; then
	ok "the z-score detector scored twice gives the same figures"
else
	fail "the z-score detector scored twice gives different figures"
fi

# ---------------------------------------------------------------------------
# Speed: sum over files of the median wall (and CPU) time of pcs alone.

read -r wall cpu < <(for ((i = 0; i < nfiles; i++)); do
	printf '%s %s\n' "$(stat_median "$OUT/pcs/$i.stats" 1)" \
		"$(awk '{ print $4 + $5 }' "$OUT/pcs/$i.stats" | median)"
done | awk '{ w += $1; c += $2 } END { printf "%.3f %.3f\n", w, c }')
timed_points=$(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$OUT/slots.txt")
pps=$(awk -v n="$timed_points" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
pps_cpu=$(awk -v n="$timed_points" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')
big=$(awk -F'\t' '$2 > m { m = $2; f = $1 } END { print f }' "$OUT/slots.txt")
for ((i = 0; i < nfiles; i++)); do [[ ${files[i]} == "$big" ]] && bi=$i; done
big_rows=$(awk -F'\t' -v f="$big" '$1 == f { print $2 }' "$OUT/slots.txt")
big_wall=$(stat_median "$OUT/pcs/$bi.stats" 1)
big_cpu=$(awk '{ print $4 + $5 }' "$OUT/pcs/$bi.stats" | median)

# The same rows in one process: every file pcs read, one key each, as one
# stream (pcs detects one step for all, 300 s: the hourly files leave empty
# slots, which are not written).  Speed only; the scores above are per file.
{
	echo "ts,group,rps"
	for ((i = 0; i < nfiles; i++)); do
		tail -n +2 "$OUT/in/$i.csv"
	done
} >"$OUT/in/all.csv"
timed_runs -i "$OUT/in/all.csv" "${PIN1_TIMED[@]}" "$REPEAT" "$OUT/pcs/all.stats" /dev/null \
	"$PCS_RUN" "${PCS_ARGS[@]}" 2>"$OUT/pcs/all.err" ||
	die "pcs-forecast failed on the files in one stream: see $OUT/pcs/all.stats.stderr"
all_wall=$(stat_median "$OUT/pcs/all.stats" 1)
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
all_cpu=$(awk '{ print $4 + $5 }' "$OUT/pcs/all.stats" | median)

# ---------------------------------------------------------------------------
# Report.

row() { # LABEL KIND
	printf '%s|%s|%s|%s|%s\n' "$1" "$(get "$2" standard score)" "$(get "$2" reward_low_FP_rate score)" \
		"$(get "$2" reward_low_FN_rate score)" "$nfiles"
}

echo "== NAB: pcs-forecast --score on $nfiles of NAB's 58 files ($npoints rows, $nwin_labels windows; $NAB) =="
machine_line
echo "# pcs: ${PCS_ARGS[*]}, one run per file, each NAB row scored by its pcs slot"
echo
{
	echo "detector|standard|reward_low_FP|reward_low_FN|files"
	row "pcs-forecast --score (this tree)" pcs
	row "null detector (0.5 everywhere)" null
	printf 'window-start detector (perfect)|%s|%s|%s|%s\n' "$(get pcs standard start_score)" \
		"$(get pcs reward_low_FP_rate start_score)" "$(get pcs reward_low_FN_rate start_score)" "$nfiles"
	row "baseline: rolling z-score, 100 rows (awk)" zscore
	row "baseline: random score, seeded (awk)" random
	echo "published, full 58-file corpus (NAB README; not measured here):||||"
	echo "  ARTime|74.9|65.1|80.4|58"
	echo "  Numenta HTM|70.5|62.6|75.2|58"
	echo "  CAD OSE|69.9|67.0|73.2|58"
	echo "  Twitter ADVec|47.1|33.6|53.5|58"
} | print_table
echo
echo "pcs per profile (threshold chosen over the $nfiles files; raw = NAB's unnormalized sum):"
{
	echo "profile|threshold|raw|null|perfect|windows detected|FP rows"
	for p in "${PROFILE_NAMES[@]}"; do
		printf '%s|%s|%s|%s|%s|%s|%s\n' "$p" "$(awk -v t="$(get pcs "$p" threshold)" 'BEGIN { printf "%.6g", t }')" "$(get pcs "$p" raw)" \
			"$(get pcs "$p" null)" "$(get pcs "$p" perfect)" "$(get pcs "$p" detected)" "$(get pcs "$p" fp_rows)"
	done
} | print_table
echo
echo "speed (pcs-forecast alone, one CPU, median of $REPEAT runs per file, summed over files):"
printf '  %s points in %s s wall (%s s CPU): %s points/s wall, %s points/s CPU\n' \
	"$timed_points" "$wall" "$cpu" "$pps" "$pps_cpu"
# wall time counts the waits for a CPU that other work holds: the load says
# how busy the machine was while pcs ran
[[ -z $load_before ]] ||
	printf '  load average (1, 5, 15 min) before the runs: %s; after: %s\n' "$load_before" "$load_after"
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
printf '  largest file alone: %s, %s rows in %s s wall (%s s CPU): %s points/s wall, %s points/s CPU\n' \
	"$big" "$big_rows" "$big_wall" "$big_cpu" "$(rate "$big_rows" "$big_wall")" "$(rate "$big_rows" "$big_cpu")"
printf '  the %s points in one process (the files as one stream): %s s wall (%s s CPU): %s points/s wall, %s points/s CPU\n' \
	"$timed_points" "$all_wall" "$all_cpu" "$(rate "$timed_points" "$all_wall")" "$(rate "$timed_points" "$all_cpu")"
# the detector alone, without reading CSV or writing rows (bench/detspeed.c)
"$CC" -O2 -Wall -I"$ROOT/lib" -o "$BUILD/detspeed" "$BENCH_DIR/detspeed.c" "$ROOT/lib/libpcs.a" \
	-ljansson -lgsl -lgslcblas -lm || die "cannot compile bench/detspeed.c"
read -r det_n det_cpu det_pps _ < <("${PIN1[@]}" "$BUILD/detspeed")
printf '  the detector alone (bench/detspeed.c, one CPU): %s points in %s s CPU: %s points/s\n' \
	"$det_n" "$det_cpu" "$det_pps"
echo
echo "data:"
printf '  rows scored 0 because pcs had no prediction yet (empty anomaly_score): %s\n' \
	"$(awk -F'\t' '{ n += $3 } END { print n + 0 }' "$OUT/slots.txt")"
awk -F, 'NR > 1 { n++; if ($3 == 1) one++ } END { printf "  pcs rows with anomaly_score exactly 1 (ties no threshold can split): %d of %d\n", one, n }' \
	"$OUT/results-pcs.csv"
printf '  step slots detected by pcs: %s\n' \
	"$(awk -F'\t' '{ s[$4]++ } END { for (k in s) printf "%s s x %d files; ", k, s[k] }' "$OUT/slots.txt")"
echo
echo "targets (on these $nfiles files):"
awk -v s="$(get pcs standard score)" -v fnr="$(get pcs reward_low_FN_rate score)" -v pps="$pps" -v det="$det_pps" '
	function ok(x) { return x ? "MET" : "MISSED" }
	BEGIN {
		printf "  standard >= 72: %s (%.1f)\n", ok(s >= 72), s
		printf "  reward_low_FN >= 77: %s (%.1f)\n", ok(fnr >= 77), fnr
		printf "  >= 1,000,000 points/s on one core: %s (%d with CSV in and out; the detector alone %d)\n", ok(pps >= 1000000), pps, det
	}'
echo
echo "checks:"
printf '  %s\n' "${checks[@]}"
echo
echo "notes: scoring by bench/nabscore.c (see its header and bench/README.md); the published rows"
echo "are on all 58 files, these on $nfiles, so compare them with care.  Files: $OUT/."
for c in "${checks[@]}"; do
	[[ $c == FAIL* ]] && exit 1
done
exit 0
