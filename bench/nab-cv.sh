#!/usr/bin/env bash
# bench/nab-cv.sh — the NAB score of pcs-forecast --score on two fixed halves
# of the labelled files, so that a change to the detector can be checked on
# data it was not tuned on (a 2-fold cross-validation by file).
#
#   make bench-nab-cv     # = bash bench/nab-cv.sh
#
# The folds: the file names of labels/combined_windows.json sorted
# (LC_ALL=C, "category/name.csv"), the 1st, 3rd, 5th... in fold A, the 2nd,
# 4th... in fold B.  A fixed rule, not a random draw, so that everyone
# scores the same halves; it spreads every category over both folds.
#
# Unless NAB_RESULTS names a results stream (file,timestamp,anomaly_score,
# as bench/nab.sh writes to bench/build/nab/results-pcs.csv), bench/nab.sh
# runs first (BENCH_REPEAT defaults to 1 here: only its scores are used).
# Each fold is scored by bench/nabscore.c alone, with the labels of its
# files only: its own best threshold per profile and its own null detector,
# as if it were the whole corpus.  Output: one line per profile and set
# (all, A, B) with the normalized score, the threshold and the windows
# detected.
#
# Environment: NAB_DATA, NAB_RESULTS, BENCH_REPEAT, PCS_FORECAST, CC.
set -uo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
no_args "$@"
cd "$ROOT" || exit 1

NAB=${NAB_DATA:-../shared/data/nab}
LABELS=$NAB/labels/combined_windows.json
PROFILES=$NAB/config/profiles.json
command -v jq >/dev/null || die "jq is needed to split the labels"
OUT="$BUILD/nab-cv"
mkdir -p "$OUT" || die "cannot create $OUT"

RESULTS=${NAB_RESULTS:-}
if [[ -z $RESULTS ]]; then
	BENCH_REPEAT=${BENCH_REPEAT:-1} bash "$BENCH_DIR/nab.sh" >"$OUT/nab.txt" ||
		die "bench/nab.sh failed (see $OUT/nab.txt)"
	RESULTS=$BUILD/nab/results-pcs.csv
fi
[[ -r $RESULTS ]] || die "cannot read $RESULTS"
NABSCORE="$BUILD/nabscore"
[[ -x $NABSCORE ]] || die "$NABSCORE not built: run bench/nab.sh once"

# The folds, from the sorted names.
jq -r 'keys[]' "$LABELS" | sort >"$OUT/files.txt" || die "cannot read $LABELS"
awk 'NR % 2 == 1' "$OUT/files.txt" >"$OUT/A.txt"
awk 'NR % 2 == 0' "$OUT/files.txt" >"$OUT/B.txt"

# fold NAME: its labels and results, scored into $OUT/score-NAME.txt.
fold() {
	jq --rawfile f "$OUT/$1.txt" 'with_entries(select(.key as $k | ($f | split("\n")) | index($k)))' \
		"$LABELS" >"$OUT/labels-$1.json" || die "cannot split the labels for fold $1"
	awk -F, 'FNR == NR { in_fold[$0] = 1; next } FNR == 1 || ($1 in in_fold)' \
		"$OUT/$1.txt" "$RESULTS" >"$OUT/results-$1.csv"
	"$NABSCORE" "$OUT/labels-$1.json" "$PROFILES" "$OUT/results-$1.csv" >"$OUT/score-$1.txt" ||
		die "scoring fold $1 failed"
}
fold A
fold B
"$NABSCORE" "$LABELS" "$PROFILES" "$RESULTS" >"$OUT/score-all.txt" || die "scoring failed"

echo "== NAB 2-fold by file: $(wc -l <"$OUT/A.txt") files in A, $(wc -l <"$OUT/B.txt") in B ($RESULTS) =="
{
	echo "set|files|standard|reward_low_FP|reward_low_FN|detected (standard)"
	for s in all A B; do
		awk -v s="$s" -v n="$(case $s in all) wc -l <"$OUT/files.txt" ;; *) wc -l <"$OUT/$s.txt" ;; esac)" '
			function get(k,   i, a) { for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] } }
			$1 == "profile=standard" { st = get("score"); det = get("detected") }
			$1 == "profile=reward_low_FP_rate" { fp = get("score") }
			$1 == "profile=reward_low_FN_rate" { fn = get("score") }
			END { printf "%s|%d|%s|%s|%s|%s\n", s, n, st, fp, fn, det }' "$OUT/score-$s.txt"
	done
} | print_table
