#!/usr/bin/env bats
# bench/nabscore.c, the NAB scorer of bench/nab.sh, on the hand-made fixtures
# of testdata/nab (see its README): file a has 200 rows, probation rows 0-29,
# windows at rows 40-44 and 55-59; file b has 100 rows, probation rows 0-14,
# a window at rows 20-23 (rows counted from 0).  Three windows in all, so
# perfect = 3 * tpWeight and null = -3 * fnWeight.  Needs a C compiler and
# jansson, not ../shared/data.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

NT=testdata/nab

setup_file() {
	cd "$BATS_TEST_DIRNAME/.." || return 1
	"${CC:-cc}" -O2 -Wall -o "$BATS_FILE_TMPDIR/nabscore" bench/nabscore.c -ljansson -lm
}

# det 'AWK EXPRESSION': a detector's results in $R, the anomaly score of
# each row the expression of f ("a" or "b") and i (the row, from 0).
det() {
	R=$BATS_TEST_TMPDIR/results.csv
	{
		echo file,timestamp,anomaly_score
		for f in a b; do
			awk -F, -v f="$f" "NR > 1 { i = NR - 2; printf \"synth/%s.csv,%s,%s\\n\", f, \$1, ($1) }" \
				"$NT/data/synth/$f.csv"
		done
	} >"$R"
}

# nabscore [ARGS]: run the scorer on $R.
nabscore() {
	run --separate-stderr "$BATS_FILE_TMPDIR/nabscore" "$@" "$NT/labels.json" "$NT/profiles.json" "$R"
}

# field PROFILE KEY: a figure of the profile's line in $output.
field() {
	printf '%s\n' "$output" | awk -v p="$1" -v k="$2" '$1 == "profile=" p {
		for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }'
}

# file_raw FILE PROFILE: the raw score of one file (-v lines).
file_raw() {
	printf '%s\n' "$output" | awk -v f="synth/$1.csv" -v p="$2" '$1 == "file=" f && $2 == "profile=" p {
		split($3, a, "="); print a[2] }'
}

PROFILES=(standard reward_low_FP_rate reward_low_FN_rate)
# The first row of every window, as an awk condition.
START='((f == "a" && (i == 40 || i == 55)) || (f == "b" && i == 20))'

@test "nab: the null detector (0.5 everywhere) and an all-zero detector score 0 on every profile" {
	det '0.5'
	nabscore
	assert_success
	for p in "${PROFILES[@]}"; do
		assert_equal "$(field "$p" score)" 0.000
	done
	assert_equal "$(field standard null)" -3.000000
	assert_equal "$(field reward_low_FN_rate null)" -6.000000
	det '0'
	nabscore
	assert_success
	for p in "${PROFILES[@]}"; do
		assert_equal "$(field "$p" score)" 0.000
	done
}

@test "nab: a detector firing only at the start of every window scores 100 on every profile" {
	det "$START ? 1 : 0"
	nabscore
	assert_success
	assert_line --index 0 --partial 'files=2 rows=300 probation_rows=45 windows=3 scorable_windows=3'
	for p in "${PROFILES[@]}"; do
		assert_equal "$(field "$p" score)" 100.000
		assert_equal "$(field "$p" start_score)" 100.000
		assert_equal "$(field "$p" detected)" 3/3
		assert_equal "$(field "$p" fp_rows)" 0
	done
	assert_equal "$(field standard perfect)" 3.000000
	# One window missed (b's): (raw - null) / (perfect - null) = (1 + 1 - 1 + 3) / 6 = 66.667.
	det '(f == "a" && (i == 40 || i == 55)) ? 1 : 0'
	nabscore
	assert_equal "$(field standard score)" 66.667
}

@test "nab: a detection late in a window scores less than an early one" {
	det "$START ? 1 : 0"
	nabscore
	early=$(field standard raw)
	# Row 43 of [40, 44]: S(-(44 - 43 + 1) / 5) / S(-1) = 0.761594 / 0.986614 = 0.771927.
	det '(f == "a" && (i == 43 || i == 58)) || (f == "b" && i == 22) ? 1 : 0'
	nabscore -v
	assert_success
	late=$(field standard raw)
	awk -v e="$early" -v l="$late" 'BEGIN { exit !(l < e) }'
	# a: two windows at 0.771927 each (1.543854 from the unrounded terms);
	# b: row 22 of [20, 23], S(-(23 - 22 + 1) / 4) / S(-1) = 0.848284 / 0.986614 = 0.859793.
	assert_equal "$(file_raw a standard)" 1.543854
	assert_equal "$(file_raw b standard)" 0.859793
}

@test "nab: a false positive costs fpWeight times the scaled sigmoid of its distance from the last window" {
	# One detection, at row 46 of a: two rows after window [40, 44] of width
	# W = 5, so x = (46 - 44) / (W - 1) = 0.5 and S(0.5) = 2 / (1 + e^2.5) - 1
	# = 2 / 13.182494 - 1 = -0.848284.  Standard (fpWeight 0.11): -0.093311;
	# with both windows of a missed (-2), a's raw score is -2.093311.
	# reward_low_FP_rate (0.22): -2.186622.
	det 'f == "a" && i == 46 ? 1 : 0'
	nabscore -v -t 0.5
	assert_success
	assert_equal "$(file_raw a standard)" -2.093311
	assert_equal "$(file_raw a reward_low_FP_rate)" -2.186622
	assert_equal "$(file_raw b standard)" -1.000000
	assert_equal "$(field standard fp_rows)" 1
	# Before any window (row 37, after the probation): -fpWeight, -0.11 exactly.
	det 'f == "a" && i == 37 ? 1 : 0'
	nabscore -v -t 0.5
	assert_equal "$(file_raw a standard)" -2.110000
	# Past the second window: row 65, x = (65 - 59) / 4 = 1.5.
	det 'f == "a" && i == 65 ? 1 : 0'
	nabscore -v -t 0.5
	# S(1.5) = 2 / (1 + e^7.5) - 1 = -0.998894; times 0.11: -0.109878.
	assert_equal "$(file_raw a standard)" -2.109878
}

@test "nab: only the first detection in a window counts" {
	# Every row of every window detected: the first one counts, the others add nothing.
	det '(f == "a" && ((i >= 40 && i <= 44) || (i >= 55 && i <= 59))) || (f == "b" && i >= 20 && i <= 23) ? 1 : 0'
	nabscore
	assert_success
	for p in "${PROFILES[@]}"; do
		assert_equal "$(field "$p" score)" 100.000
	done
	# The start at 0.9, the later rows at 1: at threshold 0.9 the window
	# counts from its start, whatever the later rows' scores.
	det "$START"' ? 0.9 : ((f == "a" && ((i > 40 && i <= 44) || (i > 55 && i <= 59))) || (f == "b" && i > 20 && i <= 23) ? 1 : 0)'
	nabscore
	assert_equal "$(field standard score)" 100.000
	assert_equal "$(field standard threshold)" 0.90000000000000002
}

@test "nab: detections in the probationary period are ignored" {
	det "$START"' || (f == "a" && i < 30) || (f == "b" && i < 15) ? 1 : 0'
	nabscore
	assert_success
	for p in "${PROFILES[@]}"; do
		assert_equal "$(field "$p" score)" 100.000
		assert_equal "$(field "$p" fp_rows)" 0
	done
	# Only in probation: the null detector's score.
	det '(f == "a" && i < 30) || (f == "b" && i < 15) ? 1 : 0'
	nabscore -t 0.5
	assert_equal "$(field standard score)" 0.000
	# Without a probation period the same 45 rows are false positives before
	# any window (-0.11 each): -3 - 4.95.
	nabscore -t 0.5 -P 0
	assert_equal "$(field standard fp_rows)" 45
	assert_equal "$(field standard raw)" -7.950000
}

@test "nab: the same input scored twice gives the same figures" {
	det '(i * 7919 % 101) / 100'
	nabscore -v
	assert_success
	first=$output
	nabscore -v
	assert_success
	assert_equal "$output" "$first"
	[[ -n $(field standard score) ]]
}

@test "nab: the threshold sweep picks the best threshold" {
	# Window starts at 0.8; false positives at 0.9 (a, rows 46-50) and 0.6
	# (b, rows 25-29); the rest 0.1.  Threshold 0.9 only pays for false
	# positives, 0.8 detects every window, lower ones add false positives.
	det "$START"' ? 0.8 : ((f == "a" && i >= 46 && i <= 50) ? 0.9 : ((f == "b" && i >= 25 && i <= 29) ? 0.6 : 0.1))'
	for p in "${PROFILES[@]}"; do
		nabscore
		assert_success
		swept=$(field "$p" raw)
		assert_equal "$(field "$p" threshold)" 0.80000000000000004
		# Brute force: every candidate threshold, scored alone.
		best=
		for t in 1.1 0.9 0.8 0.6 0.1; do
			nabscore -t "$t"
			assert_success
			r=$(field "$p" raw)
			if [[ -z $best ]] || awk -v a="$r" -v b="$best" 'BEGIN { exit !(a > b) }'; then
				best=$r
			fi
		done
		assert_equal "$swept" "$best"
	done
	nabscore -t 0.9
	awk -v a="$(field standard raw)" -v b="$swept" 'BEGIN { exit !(a < b) }'
	# A tie: the later rows of the windows at 0.6 add nothing to 0.8's
	# score; NAB keeps the higher threshold of equal scores.
	det "$START"' ? 0.8 : ((f == "a" && ((i > 40 && i <= 44) || (i > 55 && i <= 59))) || (f == "b" && i > 20 && i <= 23) ? 0.6 : 0.1)'
	nabscore
	assert_equal "$(field standard threshold)" 0.80000000000000004
	assert_equal "$(field standard score)" 100.000
}

@test "nab: bad input is an error" {
	det '0'
	sed 's/2020-01-01 03:20:00.000000/2020-01-01 03:22:00.000000/' "$NT/labels.json" >"$BATS_TEST_TMPDIR/labels.json"
	run --separate-stderr "$BATS_FILE_TMPDIR/nabscore" "$BATS_TEST_TMPDIR/labels.json" "$NT/profiles.json" "$R"
	assert_failure 1
	assert_equal "$stderr" "nabscore: synth/a.csv: the start of window 1 is not a timestamp of the file"
	grep -v '^synth/b' "$R" >"$BATS_TEST_TMPDIR/r.csv"
	run --separate-stderr "$BATS_FILE_TMPDIR/nabscore" "$NT/labels.json" "$NT/profiles.json" "$BATS_TEST_TMPDIR/r.csv"
	assert_failure 1
	assert_equal "$stderr" "nabscore: $BATS_TEST_TMPDIR/r.csv: no rows for synth/b.csv, which the labels name"
	det 'i == 3 ? 1.5 : 0'
	nabscore
	assert_failure 1
	assert_equal "$stderr" "nabscore: $R:5: anomaly_score '1.5' is not a number in [0, 1]"
}
