#!/usr/bin/env bats
# pcs-retrain against its contract (--help, pcs-retrain(1), lib/pcs_backtest.h,
# lib/pcs_modelfile.h) and pcs-forecast -m (--model-file, --arm-split,
# --strict): training on testdata/metrics.csv (the report, the choice, the
# model file, determinism), forecasts from a model file against the searched
# ones, model files that cannot be read (testdata/bad/retrain-model-*.json),
# --update, the offline and online A/B tests, --drift, --capacity on the
# synthetic health streams of testdata/retrain (written by make.sh), bad
# input (testdata/bad/retrain-*) and usage errors, and goldens
# (testdata/golden/retrain-*).
#
# Model files are made with SOURCE_DATE_EPOCH set, so the same input gives
# the same bytes.  The tests that say "a regression test" name a bug that
# this suite found.

# shellcheck disable=SC2154  # status, output, stderr... are set by bats
load test_helper

M=testdata/metrics.csv
RT=testdata/retrain
SOURCE_DATE_EPOCH=1800000000     # 2027-01-15T08:00:00Z
export SOURCE_DATE_EPOCH
REPORT_HEADER=group,region,config,model,seasons,trend,transform,quantiles,window,origins,n,mase,smape,pinball,coverage,msis,chosen
AB_HEADER=metric,a,b,mean_a,mean_b,diff,dm,p_value,n,verdict
DRIFT_HEADER=group,region,config,backtest_mase,recent_mase,ratio,n,drift,reason
CAPACITY_HEADER=pop,group,capacity_rps,instance_rps,load_rps,basis,status,knee_latency_rps,knee_errors_rps,samples,samples_above,max_load_rps

# Shared fixtures, made once in $BATS_FILE_TMPDIR (F in the tests):
#   h3.csv          the first three days of testdata/metrics.csv (4 keys)
#   A.json, B.json  trained on h3.csv: A snaive only (--name A), B the
#                   default grid (--name B)
#   full.json       the default grid on all four days, its --report in
#                   full-report.csv
#   base.json       api eu only, snaive, -H 5m (--name base)
#   log.csv         an online A/B log: pcs-forecast -m A.json,B.json
#                   --arm-split 0.5 -q 0.05,0.5,0.95 on the history up to
#                   every 30 minutes of the fourth day
setup_file() {
	local F=$BATS_FILE_TMPDIR i

	for i in pcs-retrain pcs-forecast; do
		[ -x "$PCS_BIN/$i" ] || {
			echo "no executable $i in PCS_BIN=$PCS_BIN (run make)" >&2
			return 1
		}
	done
	cd "$PCS_ROOT" || return 1
	head -n 3457 $M >"$F/h3.csv" &&
		pcs-retrain --name A --models snaive "$F/h3.csv" >"$F/A.json" &&
		pcs-retrain --name B "$F/h3.csv" >"$F/B.json" &&
		pcs-retrain --report "$F/full-report.csv" $M >"$F/full.json" &&
		grep -E '^ts,|,api,eu,' $M >"$F/api-eu.csv" &&
		pcs-retrain --name base --models snaive -H 5m "$F/api-eu.csv" >"$F/base.json" || return 1
	for i in $(seq 0 6 282); do
		head -n $((3457 + i * 4)) $M >"$F/cur.csv" &&
			pcs-forecast -q 0.05,0.5,0.95 -m "$F/A.json,$F/B.json" --arm-split 0.5 "$F/cur.csv" \
				>"$F/f.csv" || return 1
		if [ "$i" -eq 0 ]; then cat "$F/f.csv"; else sed 1d "$F/f.csv"; fi
	done >"$F/log.csv"
}

# --- helpers -------------------------------------------------------------

need_jq() {
	command -v jq >/dev/null || skip "no jq"
}

# config_names MODEL.json: "group region config" per key, the config named
# as the report names it (model/seasons/trend/transform/quantiles, '-' for
# the trend of snaive)
config_names() {
	jq -r '.keys[] | .config as $c | "\(.group) \(.region) " +
		([$c.model, $c.seasons, (if $c.model == "snaive" then "-" else $c.trend end),
		  $c.transform, $c.quantiles] | join("/"))' "$1"
}

# chosen REPORT: "group region config" of the rows with chosen=1
chosen() {
	awk -F, 'NR > 1 && $17 == 1 { print $1, $2, $3 }' "$1"
}

# assert_lowest REPORT COLUMN
# In every key of the report exactly one row is chosen, and its value in
# COLUMN (a field number) is the lowest of the key's.
assert_lowest() {
	run awk -F, -v c="$2" '
	NR == 1 { next }
	{
		k = $1 " " $2
		if (!(k in low) || $c + 0 < low[k]) low[k] = $c + 0
		if ($17 == 1) { got[k] = $c + 0; n[k]++ }
		else if ($17 != 0) print "line " NR ": chosen is " $17
	}
	END {
		for (k in low) {
			if (n[k] != 1) print k ": " n[k] + 0 " rows chosen"
			else if (got[k] != low[k]) print k ": chosen " got[k] ", lowest " low[k]
		}
	}' "$1"
	assert_success
	assert_output ""
}

# field TABLE ROW COLUMN: the value in a CSV table whose first field is ROW
# (for the A/B tables) or whose first two are ROW (group region, for drift
# and capacity: "web eu", "fra web")
field() {
	awk -F, -v r="$2" -v c="$3" '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i; next }
	$1 == r || $1 " " $2 == r { print $col; found = 1 }
	END { exit !found || !col }' "$1"
}

# near X Y TOL: |X - Y| <= TOL |Y|
near() {
	awk -v x="$1" -v y="$2" -v t="$3" 'BEGIN { d = x - y; if (d < 0) d = -d; a = y < 0 ? -y : y
		exit !(x != "" && d <= t * a) }' || fail "$1 is not within $3 of $2"
}

# assert_bad_retrain NAME
# testdata/bad/NAME.csv with the options of NAME.args: exactly NAME.err and
# the status in NAME.status, nothing on stdout; read as a file operand and
# again from standard input (named <stdin>).
assert_bad_retrain() {
	local input want_err want_status args

	cd testdata/bad || return 1
	bad_case "$1" ""
	run --separate-stderr pcs-retrain "${args[@]}" "$input"
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	run_stdin "$input" pcs-retrain "${args[@]}"
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
}

# assert_bad_log NAME
# testdata/bad/NAME.csv as the forecast log of --ab-log, testdata/metrics.csv
# as the actuals: exactly NAME.err, the status in NAME.status, nothing on
# stdout; the log read as a file and again as --ab-log - (named <stdin>).
assert_bad_log() {
	local input want_err want_status args

	cd testdata/bad || return 1
	bad_case "$1" ""
	run --separate-stderr pcs-retrain --ab-log "$input" "${args[@]}" ../metrics.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	run_stdin "$input" pcs-retrain --ab-log - "${args[@]}" ../metrics.csv
	assert_equal "$stderr" "${want_err//"$input:"/<stdin>:}"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
}

# assert_bad_model NAME
# testdata/bad/NAME.json, a model file that cannot be read: NAME.err holds
# what pcs-forecast -m says, and every reader of model files must say the
# same (with its own name) and exit with NAME.status, writing nothing on
# stdout: pcs-forecast -m, pcs-retrain --drift, --ab (as A and as B) and
# --update, which must leave the file as it was.
assert_bad_model() {
	local input want_err want_status args good=../golden/retrain-model.json

	cd testdata/bad || return 1
	bad_case "$1" ""
	run --separate-stderr pcs-forecast -m "$input" ../metrics.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	want_err=pcs-retrain:${want_err#pcs-forecast:}
	run --separate-stderr pcs-retrain --drift "$input" ../metrics.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	run --separate-stderr pcs-retrain --ab "$input,$good" ../metrics.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	run --separate-stderr pcs-retrain --ab "$good,$input" ../metrics.csv
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	cp "$input" "$BATS_TEST_TMPDIR/"
	cd "$BATS_TEST_TMPDIR" || return 1
	run --separate-stderr pcs-retrain --update "$input" "$TESTDATA/metrics.csv"
	assert_equal "$stderr" "$want_err"
	assert_equal "$status" "$want_status"
	assert_equal "$output" ""
	cmp -s "$input" "$TESTDATA/bad/$input" || fail "--update changed the bad model file"
}

# --- goldens (tests/make-goldens.sh regenerates them) ----------------------

@test "golden: the model file of the default grid on testdata/metrics.csv" {
	assert_golden retrain-model.json
}

@test "golden: a model file of --models snaive" {
	assert_golden retrain-model-snaive.json
}

@test "golden: --global --criterion smape -H 5m,1h -q 0.05,0.5,0.95 --origins 50" {
	assert_golden retrain-model-global.json
}

@test "golden: the --report of the default grid" {
	assert_golden retrain-report.csv
}

@test "golden: pcs-forecast -m with the default model" {
	assert_golden retrain-forecast-m.csv
}

@test "golden: pcs-forecast -m A,B --arm-split 0.5" {
	assert_golden retrain-forecast-ab.csv
}

@test "golden: --ab, snaive only against the default grid" {
	assert_golden retrain-ab.csv
}

@test "golden: --ab-log of a day of forecasts every 30 minutes" {
	assert_golden retrain-ab-log.csv
}

@test "golden: --drift, web eu's fourth day x3" {
	assert_golden retrain-drift.csv
}

@test "golden: --capacity on testdata/retrain/health.csv" {
	assert_golden retrain-capacity.csv
}

@test "golden: --capacity -o ndjson with instance counts" {
	assert_golden retrain-capacity-instances.ndjson
}

@test "goldens: every retrain golden is listed, exists and is checked here" {
	assert_goldens_checked retrain-
}

@test "testdata/retrain: the health streams are what make.sh writes" {
	sh $RT/make.sh "$BATS_TEST_TMPDIR"
	assert_file_equal $RT/health.csv "$BATS_TEST_TMPDIR/health.csv"
	assert_file_equal $RT/health-instances.csv "$BATS_TEST_TMPDIR/health-instances.csv"
}

# --- training: the model file ---------------------------------------------

@test "train: a JSON model file, format pcs-model version 1, one entry per key, sorted" {
	need_jq
	run jq -r '[.format, .version, .name, .created, .criterion, .global,
		.backtest.horizons, .backtest.levels] | map(tostring) | join(" ")' "$BATS_FILE_TMPDIR/full.json"
	assert_success
	assert_output 'pcs-model 1 pcs-retrain 2027-01-15T08:00:00Z mase false [1,3,6] [0.025,0.1,0.5,0.9,0.975]'
	run jq -r '.keys[] | "\(.group) \(.region) \(.fit.step) \(.history.first) \(.history.last) \(.history.samples)"' \
		"$BATS_FILE_TMPDIR/full.json"
	assert_success
	assert_output - <<'EOF'
api eu 300 2026-11-21T00:00:00Z 2026-11-24T23:55:00Z 1152
api us 300 2026-11-21T00:00:00Z 2026-11-24T23:55:00Z 1152
web eu 300 2026-11-21T00:00:00Z 2026-11-24T23:55:00Z 1152
web us 300 2026-11-21T00:00:00Z 2026-11-24T23:55:00Z 1152
EOF
	# a sketch row per horizon of -H, 27 ascending values each
	run jq -r '.keys[] | .calibration | [(.horizons | tostring), (.errors | length),
		(.errors | map(length == 27 and . == sort) | all)] | map(tostring) | join(" ")' \
		"$BATS_FILE_TMPDIR/full.json"
	assert_success
	assert_output - <<'EOF'
[1,3,6] 3 true
[1,3,6] 3 true
[1,3,6] 3 true
[1,3,6] 3 true
EOF
}

@test "train: without jq, the file is still one line of JSON naming its format and version" {
	run grep -c . "$BATS_FILE_TMPDIR/full.json"
	assert_output 1
	grep -q '"format":"pcs-model"' "$BATS_FILE_TMPDIR/full.json" || fail "no format"
	grep -Eq '"version":1[,}]' "$BATS_FILE_TMPDIR/full.json" || fail "no version 1"
	[ "$(grep -o '"group":' "$BATS_FILE_TMPDIR/full.json" | wc -l)" -eq 4 ] || fail "not 4 keys"
}

@test "train: --out writes the file with mode 0600 and nothing on stdout" {
	local d=$BATS_TEST_TMPDIR/out
	mkdir "$d"
	umask 022
	run --separate-stderr pcs-retrain --out "$d/m.json" $M
	assert_success
	assert_equal "$stderr" ""
	assert_output ""
	run stat -c %a "$d/m.json"
	assert_output 600
	assert_file_equal "$BATS_FILE_TMPDIR/full.json" "$d/m.json"
	# no temporary file left next to it, only the lock
	run ls "$d"
	assert_output "m.json"$'\n'"m.json.lock"
}

@test "train: --out into a directory that does not exist: exit 1, nothing written" {
	run --separate-stderr pcs-retrain --out "$BATS_TEST_TMPDIR/no/m.json" $M
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^pcs-retrain: $BATS_TEST_TMPDIR/no/m\.json[^:]*: No such file or directory\$"
	[ ! -e "$BATS_TEST_TMPDIR/no" ] || fail "the directory was made"
}

@test "train: the same input and SOURCE_DATE_EPOCH give the same bytes, with -j 1 or -j 2" {
	pcs-retrain $M >"$BATS_TEST_TMPDIR/1.json"
	pcs-retrain $M >"$BATS_TEST_TMPDIR/2.json"
	pcs-retrain -j 2 $M >"$BATS_TEST_TMPDIR/j2.json"
	pcs-retrain -j 4 --report "$BATS_TEST_TMPDIR/j4.csv" $M >"$BATS_TEST_TMPDIR/j4.json"
	assert_file_equal "$BATS_TEST_TMPDIR/1.json" "$BATS_TEST_TMPDIR/2.json"
	assert_file_equal "$BATS_TEST_TMPDIR/1.json" "$BATS_TEST_TMPDIR/j2.json"
	assert_file_equal "$BATS_TEST_TMPDIR/1.json" "$BATS_TEST_TMPDIR/j4.json"
	assert_file_equal "$BATS_FILE_TMPDIR/full-report.csv" "$BATS_TEST_TMPDIR/j4.csv"
}

@test "train: SOURCE_DATE_EPOCH is the created time; without it, the clock's" {
	SOURCE_DATE_EPOCH=0 pcs-retrain --models snaive $M >"$BATS_TEST_TMPDIR/0.json"
	grep -q '"created":"1970-01-01T00:00:00Z"' "$BATS_TEST_TMPDIR/0.json" || fail "created is not 1970"
	(unset SOURCE_DATE_EPOCH && pcs-retrain --models snaive $M) >"$BATS_TEST_TMPDIR/now.json"
	created=$(grep -o '"created":"[^"]*"' "$BATS_TEST_TMPDIR/now.json" | cut -d'"' -f4)
	assert_regex "$created" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	age=$(($(date -u +%s) - $(date -u -d "$created" +%s)))
	[ "$age" -ge 0 ] && [ "$age" -lt 120 ] || fail "created $created is not now"
	# and nothing else differs
	run diff <(sed 's/"created":"[^"]*"//' "$BATS_TEST_TMPDIR/0.json") \
		<(sed 's/"created":"[^"]*"//' "$BATS_TEST_TMPDIR/now.json")
	assert_success
}

@test "train: standard input and '-' give the same model as the file operand" {
	run_stdin $M pcs-retrain
	assert_success
	assert_equal "$output" "$(cat "$BATS_FILE_TMPDIR/full.json")"
	run_stdin $M pcs-retrain -
	assert_success
	assert_equal "$output" "$(cat "$BATS_FILE_TMPDIR/full.json")"
}

@test "train: NDJSON input gives the same model as CSV" {
	awk -F, 'NR > 1 { printf "{\"ts\":\"%s\",\"group\":\"%s\",\"region\":\"%s\",\"rps\":%s}\n", $1, $2, $3, $4 }' \
		$M >"$BATS_TEST_TMPDIR/m.ndjson"
	run --separate-stderr pcs-retrain "$BATS_TEST_TMPDIR/m.ndjson"
	assert_success
	assert_equal "$output" "$(cat "$BATS_FILE_TMPDIR/full.json")"
}

@test "train: a key too short is reported and left out, the others written, exit 1" {
	need_jq
	{
		cat "$BATS_FILE_TMPDIR/h3.csv"
		grep ',api,eu,' $M | head -n 40 | sed 's/,api,eu,/,new,eu,/'
	} >"$BATS_TEST_TMPDIR/h.csv"
	run --separate-stderr pcs-retrain --models snaive "$BATS_TEST_TMPDIR/h.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: new eu: history too short for any backtest origin: 40 samples, need at least 66 for horizons up to 6 steps"
	run jq -r '[.keys[] | .group + " " + .region] | join(",")' <<<"$output"
	assert_output "api eu,api us,web eu,web us"
}

@test "train: a write error on stdout is reported, exit 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	# shellcheck disable=SC2016  # $1 is the inner shell's
	run --separate-stderr sh -c 'pcs-retrain --models snaive "$1" >/dev/full' sh $M
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: write error: No space left on device"
}

# --- training: the report and the choice ------------------------------------

@test "report: one row per key and configuration, in the grid's order" {
	# a grid that four days hold whole: 4 snaive and 8 ets configurations
	run --separate-stderr pcs-retrain --seasons auto --trends damped,none --transforms none,log \
		--quantile-methods conformal,flat --report "$BATS_TEST_TMPDIR/r.csv" $M
	assert_success
	run head -n 1 "$BATS_TEST_TMPDIR/r.csv"
	assert_output "$REPORT_HEADER"
	run sh -c 'awk -F, '\''NR > 1 { print $1, $2 }'\'' "$1" | uniq -c' sh "$BATS_TEST_TMPDIR/r.csv"
	assert_output - <<'EOF'
     12 api eu
     12 api us
     12 web eu
     12 web us
EOF
	# ordered by model, seasons, trend, transform, window, quantile method
	run awk -F, '$1 == "web" && $2 == "us" { print $3 }' "$BATS_TEST_TMPDIR/r.csv"
	assert_output - <<'EOF'
snaive/auto/-/none/conformal
snaive/auto/-/none/flat
snaive/auto/-/log/conformal
snaive/auto/-/log/flat
ets/auto/damped/none/conformal
ets/auto/damped/none/flat
ets/auto/damped/log/conformal
ets/auto/damped/log/flat
ets/auto/none/none/conformal
ets/auto/none/none/flat
ets/auto/none/log/conformal
ets/auto/none/log/flat
EOF
	# the columns spell the configuration out
	run awk -F, 'NR > 1 { t = $4 == "snaive" ? "-" : $6; if ($3 != $4 "/" $5 "/" t "/" $7 "/" $8) print }' \
		"$BATS_TEST_TMPDIR/r.csv"
	assert_output ""
}

@test "report: the default grid, each configuration once per key, none the history cannot hold" {
	local F=$BATS_FILE_TMPDIR
	run head -n 1 "$F/full-report.csv"
	assert_output "$REPORT_HEADER"
	run sh -c 'awk -F, '\''NR > 1 { print $1, $2, $3 }'\'' "$1" | sort | uniq -d' sh "$F/full-report.csv"
	assert_output ""
	assert_equal "$(awk -F, '$1 == "api" && $2 == "eu" { print $3 }' "$F/full-report.csv")" \
		"$(awk -F, '$1 == "web" && $2 == "us" { print $3 }' "$F/full-report.csv")"
	# four days hold no weekly cycle (it needs two weeks of training)
	run awk -F, 'NR > 1 && $5 ~ /weekly/' "$F/full-report.csv"
	assert_output ""
	run awk -F, 'NR > 1 && $5 == "auto"' "$F/full-report.csv"
	[ "${#lines[@]}" -gt 0 ] || fail "no auto configuration in the default report"
}

@test "report: a grid the history cannot hold at all: every key reported, exit 1" {
	run --separate-stderr pcs-retrain --seasons weekly --report "$BATS_TEST_TMPDIR/r.csv" $M
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-retrain: api eu: no configuration of the grid fits this history
pcs-retrain: api us: no configuration of the grid fits this history
pcs-retrain: web eu: no configuration of the grid fits this history
pcs-retrain: web us: no configuration of the grid fits this history
pcs-retrain: no key could be trained"
}

@test "report: --origins 20 --every 10m: 20 origins per key, every configuration" {
	run --separate-stderr pcs-retrain --origins 20 --every 10m --seasons auto,daily --trends damped,none \
		--quantile-methods conformal,flat --report "$BATS_TEST_TMPDIR/r.csv" $M
	assert_success
	run awk -F, 'NR > 1 { n++; c[$3]++; o[$10 " " $11]++ } END { print n; for (x in c) m++; print m; for (x in o) print "origins, n: " x }' \
		"$BATS_TEST_TMPDIR/r.csv"
	assert_output $'96\n24\norigins, n: 20 60'
	assert_lowest "$BATS_TEST_TMPDIR/r.csv" 12
	jq -e '.backtest.origins == 20 and .backtest.every == 2' <<<"$(pcs-retrain --origins 20 --every 10m --models snaive $M)" >/dev/null ||
		fail "the model file does not keep --origins 20 --every 10m"
}

@test "report: exactly one row chosen per key, with the lowest MASE, and it is the model file's" {
	need_jq
	assert_lowest "$BATS_FILE_TMPDIR/full-report.csv" 12
	assert_equal "$(config_names "$BATS_FILE_TMPDIR/full.json")" "$(chosen "$BATS_FILE_TMPDIR/full-report.csv")"
	# the scores kept in the model file are the chosen row's
	run jq -r '.keys[] | "\(.group) \(.region) \(.backtest.mase) \(.backtest.smape) \(.backtest.n)"' \
		"$BATS_FILE_TMPDIR/full.json"
	paste -d ' ' <(printf '%s\n' "${lines[@]}") <(awk -F, '$17 == 1 { print $12, $13, $11 }' "$BATS_FILE_TMPDIR/full-report.csv") |
		awk '{ for (i = 3; i <= 5; i++) { d = $i - $(i + 3); if (d < 0) d = -d; if (d > 1e-9 * $i) { print "differs: " $0; bad = 1 } } }
			END { exit bad }'
}

@test "report: on equal MASE (quantile methods) the lower pinball loss chooses" {
	# conformal and flat of one configuration share their point forecasts
	run awk -F, 'NR > 1 { k = $1 " " $2 " " $12; n[k]++; if ($17 == 1) ch[k] = $14
			if (!(k in low) || $14 + 0 < low[k]) low[k] = $14 + 0 }
		END { for (k in ch) { if (ch[k] + 0 != low[k]) print k, ch[k], low[k]; if (n[k] < 2) print k, "no tie" } }' \
		"$BATS_FILE_TMPDIR/full-report.csv"
	assert_output ""
}

@test "report: --criterion smape chooses the lowest sMAPE, and not the MASE's choice" {
	need_jq
	run --separate-stderr pcs-retrain --criterion smape --report "$BATS_TEST_TMPDIR/r.csv" $M
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/s.json"
	assert_lowest "$BATS_TEST_TMPDIR/r.csv" 13
	assert_equal "$(jq -r .criterion "$BATS_TEST_TMPDIR/s.json")" smape
	assert_equal "$(config_names "$BATS_TEST_TMPDIR/s.json")" "$(chosen "$BATS_TEST_TMPDIR/r.csv")"
	# the same scores, another choice for some key
	assert_equal "$(cut -d, -f1-16 "$BATS_TEST_TMPDIR/r.csv")" "$(cut -d, -f1-16 "$BATS_FILE_TMPDIR/full-report.csv")"
	[ "$(chosen "$BATS_TEST_TMPDIR/r.csv")" != "$(chosen "$BATS_FILE_TMPDIR/full-report.csv")" ] ||
		fail "sMAPE and MASE chose alike: the test cannot tell them apart"
}

@test "report: --criterion pinball and msis choose by their columns" {
	pcs-retrain --criterion pinball --report "$BATS_TEST_TMPDIR/p.csv" $M >/dev/null
	assert_lowest "$BATS_TEST_TMPDIR/p.csv" 14
	pcs-retrain --criterion msis --report "$BATS_TEST_TMPDIR/m.csv" $M >/dev/null
	assert_lowest "$BATS_TEST_TMPDIR/m.csv" 16
}

@test "report: --global gives every key the configuration with the lowest summed criterion" {
	need_jq
	run --separate-stderr pcs-retrain --global --criterion smape --report "$BATS_TEST_TMPDIR/r.csv" $M
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/g.json"
	assert_equal "$(jq -r .global "$BATS_TEST_TMPDIR/g.json")" true
	# one configuration, in the report and in the file, for the 4 keys
	run sh -c 'awk -F, '\''$17 == 1 { print $3 }'\'' "$1" | sort | uniq -c' sh "$BATS_TEST_TMPDIR/r.csv"
	assert_regex "$output" '^ +4 [a-z/-]+$'
	run sh -c 'jq -c "[.keys[].config] | unique | length" "$1"' sh "$BATS_TEST_TMPDIR/g.json"
	assert_output 1
	# the lowest sum of sMAPE over the keys; ties to the lower pinball sum,
	# then to the first in the grid
	want=$(awk -F, 'NR > 1 { if (!($3 in s)) order[++n] = $3; s[$3] += $13; p[$3] += $14 }
		END { b = order[1]; for (i = 2; i <= n; i++) { c = order[i]
			if (s[c] < s[b] || (s[c] == s[b] && p[c] < p[b])) b = c }; print b }' "$BATS_TEST_TMPDIR/r.csv")
	assert_equal "$(awk -F, '$17 == 1 { print $3; exit }' "$BATS_TEST_TMPDIR/r.csv")" "$want"
	# without --global, sMAPE chooses more than one configuration here
	pcs-retrain --criterion smape --report "$BATS_TEST_TMPDIR/k.csv" $M >/dev/null
	[ "$(awk -F, '$17 == 1 { print $3 }' "$BATS_TEST_TMPDIR/k.csv" | sort -u | wc -l)" -gt 1 ] ||
		fail "the keys chose alike without --global: the test cannot tell"
}

@test "report: --models snaive yields snaive only, scored as in the whole grid" {
	need_jq
	run --separate-stderr pcs-retrain --models snaive --report "$BATS_TEST_TMPDIR/r.csv" $M
	assert_success
	run jq -r '[.keys[] | .config.model + "," + .fit.kind] | unique | join(" ")' <<<"$output"
	assert_output snaive,snaive
	run awk -F, 'NR > 1 && ($4 != "snaive" || $6 != "")' "$BATS_TEST_TMPDIR/r.csv"
	assert_output ""
	# the rows of the default grid's snaive configurations, chosen aside
	assert_equal "$(cut -d, -f1-16 "$BATS_TEST_TMPDIR/r.csv" | sed 1d)" \
		"$(awk -F, '$4 == "snaive"' "$BATS_FILE_TMPDIR/full-report.csv" | cut -d, -f1-16)"
	assert_lowest "$BATS_TEST_TMPDIR/r.csv" 12
}

@test "report: -o ndjson writes the report as NDJSON" {
	pcs-retrain -o ndjson --models snaive --report "$BATS_TEST_TMPDIR/r.ndjson" $M >/dev/null
	run head -n 1 "$BATS_TEST_TMPDIR/r.ndjson"
	assert_regex "$output" '^\{"group":"api","region":"eu","config":"snaive/auto/-/none/conformal","model":"snaive",.*"chosen":[01]\}$'
}

# --- pcs-forecast -m ------------------------------------------------------

@test "-m: the mean is --model ets's when trained on ets/auto/damped/none" {
	pcs-retrain --models ets --seasons auto --trends damped --transforms none $M >"$BATS_TEST_TMPDIR/e.json"
	run --separate-stderr pcs-forecast -m "$BATS_TEST_TMPDIR/e.json" $M
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(cut -d, -f1-6 <<<"$output")" "$(pcs-forecast --model ets $M | cut -d, -f1-6)"
	[ "${#lines[@]}" -eq 13 ] || fail "want 12 forecasts"
}

@test "-m: quantiles at sketch levels are --model ets's when trained with conformal quantiles" {
	local q
	pcs-retrain --models ets --seasons auto --trends damped --transforms none --quantile-methods conformal \
		$M >"$BATS_TEST_TMPDIR/c.json"
	# 0.5, 0.9, 0.95, 0.99 (the default) and others among the sketch's levels
	for q in 0.5,0.9,0.95,0.99 0.001,0.025,0.1,0.5,0.975,0.999; do
		run --separate-stderr pcs-forecast -q $q -m "$BATS_TEST_TMPDIR/c.json" $M
		assert_success
		# every column but anomaly_score and anomaly: the quantiles and the model
		# shellcheck disable=SC2001
		assert_equal "$(sed 's/,[^,]*,[^,]*$//' <<<"$output")" \
			"$(pcs-forecast -q $q --model ets $M | sed 's/,[^,]*,[^,]*$//')"
	done
}

@test "-m: trained with flat quantiles, the mean is the same and the quantiles are not" {
	pcs-retrain --models ets --seasons auto --trends damped --transforms none --quantile-methods flat \
		$M >"$BATS_TEST_TMPDIR/f.json"
	pcs-forecast -m "$BATS_TEST_TMPDIR/f.json" $M >"$BATS_TEST_TMPDIR/m.csv"
	pcs-forecast --model ets $M >"$BATS_TEST_TMPDIR/e.csv"
	assert_equal "$(cut -d, -f1-6 "$BATS_TEST_TMPDIR/m.csv")" "$(cut -d, -f1-6 "$BATS_TEST_TMPDIR/e.csv")"
	[ "$(cut -d, -f7-10 "$BATS_TEST_TMPDIR/m.csv")" != "$(cut -d, -f7-10 "$BATS_TEST_TMPDIR/e.csv")" ] ||
		fail "flat and conformal quantiles are alike: -m may not use the file's quantile method"
}

@test "-m: the same output with -j 3" {
	run --separate-stderr pcs-forecast -j 3 -m "$BATS_FILE_TMPDIR/full.json" $M
	assert_success
	assert_equal "$output" "$(pcs-forecast -m "$BATS_FILE_TMPDIR/full.json" $M)"
}

@test "-m: a key missing from the model file is forecast as without -m, with a warning" {
	run --separate-stderr pcs-forecast -m "$BATS_FILE_TMPDIR/base.json" $M
	assert_success
	assert_equal "$stderr" "pcs-forecast: api us: not in the model file base: forecast without it
pcs-forecast: web eu: not in the model file base: forecast without it
pcs-forecast: web us: not in the model file base: forecast without it"
	# the keys it lacks are forecast exactly as without -m
	assert_equal "$(grep -v ',api,eu,' <<<"$output")" "$(pcs-forecast $M | grep -v ',api,eu,')"
	assert_equal "$(grep -c ',api,eu,.*,snaive,' <<<"$output")" 3
}

@test "-m --strict: a key missing from the model file is an error naming the key" {
	run --separate-stderr pcs-forecast --strict -m "$BATS_FILE_TMPDIR/base.json" $M
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: api us: not in the model file base (--strict)"
	# every key held: --strict changes nothing
	run --separate-stderr pcs-forecast --strict -m "$BATS_FILE_TMPDIR/full.json" $M
	assert_success
	assert_equal "$output" "$(pcs-forecast -m "$BATS_FILE_TMPDIR/full.json" $M)"
}

@test "-m: a history of another step than the model's is an error" {
	awk -F, 'NR == 1 || substr($1, 15, 2) % 10 == 0' $M >"$BATS_TEST_TMPDIR/m10.csv"
	run --separate-stderr pcs-forecast -m "$BATS_FILE_TMPDIR/full.json" "$BATS_TEST_TMPDIR/m10.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-forecast: api eu: the model was fitted at a step of 300s, the series has 600s"
}

@test "-m: a model file that does not exist" {
	run --separate-stderr pcs-forecast -m "$BATS_TEST_TMPDIR/none.json" $M
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-forecast: $BATS_TEST_TMPDIR/none.json: No such file or directory"
}

@test "-m A,B --arm-split: the model column names the arm, one arm per key for good" {
	local F=$BATS_FILE_TMPDIR
	run --separate-stderr pcs-forecast -m "$F/A.json,$F/B.json" --arm-split 0.5 $M
	assert_success
	assert_equal "$stderr" ""
	# the same arm for a key whatever the history's length (the log was
	# made on 48 prefixes)
	run sh -c 'awk -F, '\''NR > 1 { print $2, $3, $(NF - 2) }'\'' "$1" | sort -u' sh "$F/log.csv"
	assert_output - <<'EOF'
api eu A
api us A
web eu B
web us A
EOF
}

@test "-m A,B --arm-split 0 is A for every key, 1 is B for every key" {
	local F=$BATS_FILE_TMPDIR
	run --separate-stderr pcs-forecast -m "$F/A.json,$F/B.json" --arm-split 0 $M
	assert_success
	assert_equal "$(cut -d, -f11 <<<"$output" | sort | uniq -c)" "$(printf '%7d A\n%7d model' 12 1)"
	assert_equal "$(cut -d, -f1-10 <<<"$output")" "$(pcs-forecast -m "$F/A.json" $M | cut -d, -f1-10)"
	run --separate-stderr pcs-forecast -m "$F/A.json,$F/B.json" --arm-split 1 $M
	assert_success
	assert_equal "$(cut -d, -f11 <<<"$output" | sort | uniq -c)" "$(printf '%7d B\n%7d model' 12 1)"
	assert_equal "$(cut -d, -f1-10 <<<"$output")" "$(pcs-forecast -m "$F/B.json" $M | cut -d, -f1-10)"
}

@test "-m A,B --arm-split: raising the share moves keys from A to B only" {
	local F=$BATS_TEST_TMPDIR s prev='' cur counts=''
	# 16 keys, two days of api eu each
	grep ',api,eu,' $M | head -n 576 | awk -F, -v OFS=, 'BEGIN { print "ts,group,region,rps" }
		{ for (i = 1; i <= 16; i++) print $1, "g" i, "eu", $4 }' >"$F/k.csv"
	pcs-retrain --name A --models snaive --seasons none --transforms none --quantile-methods flat -H 5m "$F/k.csv" >"$F/A.json"
	pcs-retrain --name B --models snaive --seasons none --transforms none --quantile-methods conformal -H 5m "$F/k.csv" >"$F/B.json"
	for s in 0 0.25 0.5 0.75 1; do
		cur=$(pcs-forecast --strict -H 5m -m "$F/A.json,$F/B.json" --arm-split $s "$F/k.csv" |
			awk -F, '$11 == "B" { print $2 }' | sort)
		case $s in
		0) [ -z "$cur" ] || fail "--arm-split 0 puts keys in B: $cur" ;;
		1) [ "$(wc -l <<<"$cur")" -eq 16 ] || fail "--arm-split 1 leaves keys in A" ;;
		esac
		# every key of B at a lower share is still in B
		! comm -23 <(printf '%s\n' "$prev") <(printf '%s\n' "$cur") | grep -q . ||
			fail "a key left B when the share rose to $s"
		counts="$counts $(grep -c . <<<"$cur" || :)"
		prev=$cur
	done
	# B grows with the share: from none to all, by more than one step
	assert_regex "$counts" '^ 0 [0-9]+ [0-9]+ [0-9]+ 16$'
	run awk -v c="$counts" 'BEGIN { n = split(c, v, " "); for (i = 2; i <= n; i++) if (v[i] > v[i - 1]) up++; exit !(up >= 3) }'
	assert_success
	# some keys in each arm at 0.5
	cur=$(pcs-forecast -H 5m -m "$F/A.json,$F/B.json" --arm-split 0.5 "$F/k.csv" | awk -F, 'NR > 1 { print $11 }' | sort -u)
	assert_equal "$cur" $'A\nB'
}

@test "-m A,B: a key that its arm's file lacks is warned about by that file's name" {
	run --separate-stderr pcs-forecast -m "$BATS_FILE_TMPDIR/A.json,$BATS_FILE_TMPDIR/base.json" --arm-split 1 $M
	assert_success
	assert_equal "${stderr_lines[0]}" "pcs-forecast: api us: not in the model file base: forecast without it"
	[ "${#stderr_lines[@]}" -eq 3 ] || fail "want 3 warnings: $stderr"
}

@test "-m A,B: two files of one name cannot be told apart" {
	run --separate-stderr pcs-forecast -m "$BATS_FILE_TMPDIR/A.json,$BATS_FILE_TMPDIR/A.json" --arm-split 0.5 $M
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-forecast: both model files are named 'A': the arms must differ by name (pcs-retrain --name)"
}

@test "usage: pcs-forecast --arm-split without -m" {
	run --separate-stderr pcs-forecast --arm-split 0.5 $M
	assert_usage_error 'pcs-forecast: --arm-split and --strict go with -m'
}

@test "usage: pcs-forecast --strict without -m" {
	run --separate-stderr pcs-forecast --strict $M
	assert_usage_error 'pcs-forecast: --arm-split and --strict go with -m'
}

@test "usage: pcs-forecast -m A,B without --arm-split" {
	run --separate-stderr pcs-forecast -m "$BATS_FILE_TMPDIR/A.json,$BATS_FILE_TMPDIR/B.json" $M
	assert_usage_error 'pcs-forecast: -m with two model files is an A/B test: give --arm-split'
}

@test "usage: pcs-forecast -m A --arm-split (one file)" {
	run --separate-stderr pcs-forecast -m "$BATS_FILE_TMPDIR/A.json" --arm-split 0.5 $M
	assert_usage_error 'pcs-forecast: --arm-split needs two model files: -m A.json,B.json'
}

@test "usage: pcs-forecast -m with three files, or an empty name" {
	local F=$BATS_FILE_TMPDIR
	run --separate-stderr pcs-forecast -m "$F/A.json,$F/B.json,$F/A.json" --arm-split 0.5 $M
	assert_usage_error "pcs-forecast: -m: want FILE or A.json,B.json: \"$F/A.json,$F/B.json,$F/A.json\""
	run --separate-stderr pcs-forecast -m ",$F/A.json" $M
	assert_usage_error "pcs-forecast: -m: want FILE or A.json,B.json: \",$F/A.json\""
}

@test "usage: pcs-forecast --arm-split 1.5 and -m with --score" {
	run --separate-stderr pcs-forecast -m "$BATS_FILE_TMPDIR/A.json,$BATS_FILE_TMPDIR/B.json" --arm-split 1.5 $M
	assert_usage_error 'pcs-forecast: --arm-split: want a number in [0, 1]: "1.5"'
	run --separate-stderr pcs-forecast -m "$BATS_FILE_TMPDIR/A.json" --score $M
	assert_usage_error 'pcs-forecast: --score runs the online detector: it does not take -m'
}

# --- model files that cannot be read: testdata/bad/retrain-model-* ----------

@test "bad model: corrupt JSON names the line and column" { assert_bad_model retrain-model-corrupt; }
@test "bad model: truncated" { assert_bad_model retrain-model-truncated; }
@test "bad model: empty" { assert_bad_model retrain-model-empty; }
@test "bad model: version 2, from the future" { assert_bad_model retrain-model-future; }
@test "bad model: version 0, retrain" { assert_bad_model retrain-model-version-0; }
@test "bad model: version \"1\", a string" { assert_bad_model retrain-model-version-string; }
@test "bad model: another tool's format" { assert_bad_model retrain-model-wrong-format; }
@test "bad model: an array, not an object" { assert_bad_model retrain-model-not-an-object; }
@test "bad model: sketch levels of another version" { assert_bad_model retrain-model-sketch-levels; }
@test "bad model: a key's model is not a known name" { assert_bad_model retrain-model-key-bad-model; }
@test "bad model: a key's fit.kind is not its config.model" { assert_bad_model retrain-model-kind-mismatch; }
@test "bad model: a key's alpha above 1" { assert_bad_model retrain-model-alpha-above-one; }
@test "bad model: Box-Cox without its lambda" { assert_bad_model retrain-model-boxcox-no-lambda; }
@test "bad model: Box-Cox with a negative lambda" { assert_bad_model retrain-model-boxcox-lambda-negative; }
@test "bad model: a key's fit.step 0" { assert_bad_model retrain-model-step-zero; }
@test "bad model: a key's history.last not a timestamp" { assert_bad_model retrain-model-history-bad-time; }
@test "bad model: a sketch row not ascending" { assert_bad_model retrain-model-sketch-not-ascending; }
@test "bad model: a sketch row of 20 values" { assert_bad_model retrain-model-sketch-short; }
@test "bad model: calibration horizons and errors of different lengths" { assert_bad_model retrain-model-calibration-lengths; }
@test "bad model: a key twice" { assert_bad_model retrain-model-duplicate-key; }
@test "bad model: binary garbage" { assert_bad_model retrain-model-binary-garbage; }
@test "bad model: a negative step" { assert_bad_model retrain-model-step-negative; }
@test "bad model: samples 1e300" { assert_bad_model retrain-model-samples-huge; }
@test "bad model: a window too big for an integer" { assert_bad_model retrain-model-window-overflow; }

# --- --update ---------------------------------------------------------------

@test "update: 3 days, then 4: every key refitted, in place, as trained afresh" {
	need_jq
	local F=$BATS_FILE_TMPDIR
	cp "$F/A.json" "$BATS_TEST_TMPDIR/m.json"
	chmod 644 "$BATS_TEST_TMPDIR/m.json"
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" $M
	assert_success
	assert_output ""
	assert_equal "$stderr" "pcs-retrain: 4 keys refitted, 0 kept"
	run jq -r '.name + " " + ([.keys[].history.last] | unique | join(" "))' "$BATS_TEST_TMPDIR/m.json"
	assert_output "A 2026-11-24T23:55:00Z"
	run stat -c %a "$BATS_TEST_TMPDIR/m.json"
	assert_output 600
	# the name kept, each key chosen afresh over this run's grid: the file
	# is that of training on the four days under the old name
	pcs-retrain --name A $M >"$BATS_TEST_TMPDIR/fresh.json"
	assert_file_equal "$BATS_TEST_TMPDIR/fresh.json" "$BATS_TEST_TMPDIR/m.json"
}

@test "update: a history without new data keeps every key, and the file's bytes" {
	cp "$BATS_FILE_TMPDIR/B.json" "$BATS_TEST_TMPDIR/m.json"
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" "$BATS_FILE_TMPDIR/h3.csv"
	assert_success
	assert_equal "$stderr" "pcs-retrain: 0 keys refitted, 4 kept"
	assert_file_equal "$BATS_FILE_TMPDIR/B.json" "$BATS_TEST_TMPDIR/m.json"
	# so does an older part of the history
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" <(head -n 2000 $M)
	assert_success
	assert_equal "$stderr" "pcs-retrain: 0 keys refitted, 4 kept"
	assert_file_equal "$BATS_FILE_TMPDIR/B.json" "$BATS_TEST_TMPDIR/m.json"
}

@test "update: new data for one key refits that key only" {
	need_jq
	cp "$BATS_FILE_TMPDIR/B.json" "$BATS_TEST_TMPDIR/m.json"
	{
		cat "$BATS_FILE_TMPDIR/h3.csv"
		sed -n '3458,$p' $M | grep ',api,eu,'
	} >"$BATS_TEST_TMPDIR/h.csv"
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" "$BATS_TEST_TMPDIR/h.csv"
	assert_success
	assert_equal "$stderr" "pcs-retrain: 1 key refitted, 3 kept"
	run jq -r '.keys[] | "\(.group) \(.region) \(.history.last)"' "$BATS_TEST_TMPDIR/m.json"
	assert_output - <<'EOF'
api eu 2026-11-24T23:55:00Z
api us 2026-11-23T23:55:00Z
web eu 2026-11-23T23:55:00Z
web us 2026-11-23T23:55:00Z
EOF
	# the kept entries are as they were
	assert_equal "$(jq -c '.keys[1:]' "$BATS_TEST_TMPDIR/m.json")" "$(jq -c '.keys[1:]' "$BATS_FILE_TMPDIR/B.json")"
}

@test "update: a key only in the old model is kept as it was" {
	need_jq
	{
		cat "$BATS_FILE_TMPDIR/h3.csv"
		grep ',api,eu,' "$BATS_FILE_TMPDIR/h3.csv" | sed 's/,api,eu,/,old,eu,/'
	} >"$BATS_TEST_TMPDIR/h.csv"
	pcs-retrain --models snaive "$BATS_TEST_TMPDIR/h.csv" >"$BATS_TEST_TMPDIR/old.json"
	cp "$BATS_TEST_TMPDIR/old.json" "$BATS_TEST_TMPDIR/m.json"
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" $M
	assert_success
	assert_equal "$stderr" "pcs-retrain: 4 keys refitted, 0 kept"
	run jq -r '[.keys[] | .group + " " + .region] | join(",")' "$BATS_TEST_TMPDIR/m.json"
	assert_output "api eu,api us,old eu,web eu,web us"
	assert_equal "$(jq -c '.keys[] | select(.group == "old")' "$BATS_TEST_TMPDIR/m.json")" \
		"$(jq -c '.keys[] | select(.group == "old")' "$BATS_TEST_TMPDIR/old.json")"
}

@test "update: the refitted keys are scored as the file's were: its horizons, levels, origins, criterion" {
	need_jq
	pcs-retrain --name H -H 5m,1h -q 0.05,0.5,0.95 --origins 50 --criterion smape --report "$BATS_TEST_TMPDIR/old.csv" \
		"$BATS_FILE_TMPDIR/h3.csv" >"$BATS_TEST_TMPDIR/m.json"
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" -H 15m -q 0.5 --origins 10 --criterion mase \
		--report "$BATS_TEST_TMPDIR/r.csv" $M
	assert_success
	assert_equal "$stderr" "pcs-retrain: 4 keys refitted, 0 kept"
	run jq -c '[.criterion, .backtest.horizons, .backtest.levels, .backtest.origins, (.keys[0].calibration.horizons)]' \
		"$BATS_TEST_TMPDIR/m.json"
	assert_output '["smape",[1,12],[0.05,0.5,0.95],50,[1,12]]'
	# chosen by sMAPE over 50 origins
	assert_lowest "$BATS_TEST_TMPDIR/r.csv" 13
	assert_equal "$(awk -F, 'NR > 1 { print $10 }' "$BATS_TEST_TMPDIR/r.csv" | sort -u)" 50
}

@test "update: a --global file stays global, with its one configuration" {
	need_jq
	pcs-retrain --global --criterion smape "$BATS_FILE_TMPDIR/h3.csv" >"$BATS_TEST_TMPDIR/g.json"
	cp "$BATS_TEST_TMPDIR/g.json" "$BATS_TEST_TMPDIR/m.json"
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" $M
	assert_success
	assert_equal "$stderr" "pcs-retrain: 4 keys refitted, 0 kept"
	run jq -c '[.global, .criterion, ([.keys[].config] | unique | length), ([.keys[].history.last] | unique)]' \
		"$BATS_TEST_TMPDIR/m.json"
	assert_output '[true,"smape",1,["2026-11-24T23:55:00Z"]]'
	assert_equal "$(jq -c '.keys[0].config' "$BATS_TEST_TMPDIR/m.json")" "$(jq -c '.keys[0].config' "$BATS_TEST_TMPDIR/g.json")"
}

@test "update: --out writes elsewhere and leaves the file; --name renames" {
	need_jq
	cp "$BATS_FILE_TMPDIR/A.json" "$BATS_TEST_TMPDIR/m.json"
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" --out "$BATS_TEST_TMPDIR/new.json" $M
	assert_success
	assert_output ""
	assert_file_equal "$BATS_FILE_TMPDIR/A.json" "$BATS_TEST_TMPDIR/m.json"
	assert_equal "$(jq -r .name "$BATS_TEST_TMPDIR/new.json")" A
	pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" --name Z $M 2>/dev/null
	assert_equal "$(jq -r .name "$BATS_TEST_TMPDIR/m.json")" Z
}

@test "update: a history of another step is an error, the file untouched" {
	cp "$BATS_FILE_TMPDIR/A.json" "$BATS_TEST_TMPDIR/m.json"
	awk -F, 'NR == 1 || substr($1, 15, 2) % 10 == 0' $M >"$BATS_TEST_TMPDIR/m10.csv"
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/m.json" "$BATS_TEST_TMPDIR/m10.csv"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-retrain: $BATS_TEST_TMPDIR/m.json: fitted at a step of 300s, the history has 600s"
	assert_file_equal "$BATS_FILE_TMPDIR/A.json" "$BATS_TEST_TMPDIR/m.json"
}

@test "update: a model file that does not exist" {
	run --separate-stderr pcs-retrain --update "$BATS_TEST_TMPDIR/none.json" $M
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $BATS_TEST_TMPDIR/none.json: No such file or directory"
	[ ! -e "$BATS_TEST_TMPDIR/none.json" ] || fail "--update made the file"
}

# --- --ab -----------------------------------------------------------------

@test "ab: snaive only against the default grid: B better on MASE" {
	pcs-retrain --name A --models snaive $M >"$BATS_TEST_TMPDIR/a.json"
	run --separate-stderr pcs-retrain --ab "$BATS_TEST_TMPDIR/a.json,$BATS_FILE_TMPDIR/full.json" $M
	assert_success
	assert_equal "$stderr" ""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/ab.csv"
	assert_equal "$(cut -d, -f1-3 "$BATS_TEST_TMPDIR/ab.csv")" "$(printf '%s\n' metric,a,b \
		mase,A,pcs-retrain smape,A,pcs-retrain pinball,A,pcs-retrain msis,A,pcs-retrain coverage,A,pcs-retrain)"
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" mase verdict)" b-better
	# a differential per origin: as many as the backtest of training has
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" mase n)" "$(awk -F, 'NR == 2 { print $10 }' "$BATS_FILE_TMPDIR/full-report.csv")"
	# coverage is reported, not tested
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" coverage verdict)" ""
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" coverage p_value)" ""
}

@test "ab: a model against itself: no difference, diff 0" {
	run --separate-stderr pcs-retrain --ab "$BATS_FILE_TMPDIR/full.json,$BATS_FILE_TMPDIR/full.json" $M
	assert_success
	run awk -F, 'NR > 1 { print $1, $4 == $5, $6, $10 }' <<<"$output"
	assert_output - <<'EOF'
mase 1 0 no-difference
smape 1 0 no-difference
pinball 1 0 no-difference
msis 1 0 no-difference
coverage 1 0 
EOF
}

@test "ab: swapping A and B swaps the means and the verdict" {
	local a=$BATS_TEST_TMPDIR/a.json b=$BATS_FILE_TMPDIR/full.json
	pcs-retrain --name A --models snaive $M >"$a"
	pcs-retrain --ab "$a,$b" $M >"$BATS_TEST_TMPDIR/ab.csv"
	pcs-retrain --ab "$b,$a" $M >"$BATS_TEST_TMPDIR/ba.csv"
	assert_equal "$(field "$BATS_TEST_TMPDIR/ba.csv" mase verdict)" a-better
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" mase mean_a)" "$(field "$BATS_TEST_TMPDIR/ba.csv" mase mean_b)"
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" mase p_value)" "$(field "$BATS_TEST_TMPDIR/ba.csv" mase p_value)"
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" mase diff)" "-$(field "$BATS_TEST_TMPDIR/ba.csv" mase diff)"
	run awk -v x="$(field "$BATS_TEST_TMPDIR/ab.csv" mase dm)" -v y="$(field "$BATS_TEST_TMPDIR/ba.csv" mase dm)" \
		'BEGIN { exit !(x != "" && x + y == 0) }'
	assert_success
}

@test "ab: the means are the models' backtest scores, averaged over the keys" {
	local m
	pcs-retrain --name A --models snaive --report "$BATS_TEST_TMPDIR/a.csv" $M >"$BATS_TEST_TMPDIR/a.json"
	pcs-retrain --ab "$BATS_TEST_TMPDIR/a.json,$BATS_FILE_TMPDIR/full.json" $M >"$BATS_TEST_TMPDIR/ab.csv"
	for m in mase:12 smape:13 pinball:14; do
		near "$(field "$BATS_TEST_TMPDIR/ab.csv" "${m%:*}" mean_a)" \
			"$(awk -F, -v c="${m#*:}" '$17 == 1 { s += $c; n++ } END { printf "%.10g", s / n }' "$BATS_TEST_TMPDIR/a.csv")" 1e-8
		near "$(field "$BATS_TEST_TMPDIR/ab.csv" "${m%:*}" mean_b)" \
			"$(awk -F, -v c="${m#*:}" '$17 == 1 { s += $c; n++ } END { printf "%.10g", s / n }' "$BATS_FILE_TMPDIR/full-report.csv")" 1e-8
	done
}

@test "ab: keys missing from one file are reported and not compared" {
	run --separate-stderr pcs-retrain --ab "$BATS_FILE_TMPDIR/base.json,$BATS_FILE_TMPDIR/full.json" $M
	assert_success
	assert_equal "$stderr" "pcs-retrain: api us: not in $BATS_FILE_TMPDIR/base.json: not compared
pcs-retrain: web eu: not in $BATS_FILE_TMPDIR/base.json: not compared
pcs-retrain: web us: not in $BATS_FILE_TMPDIR/base.json: not compared"
	assert_line --index 1 --regexp '^mase,base,pcs-retrain,'
}

@test "ab: no key in common: exit 1" {
	grep -E '^ts,|,web,us,' $M >"$BATS_TEST_TMPDIR/wu.csv"
	run --separate-stderr pcs-retrain --ab "$BATS_FILE_TMPDIR/base.json,$BATS_FILE_TMPDIR/full.json" "$BATS_TEST_TMPDIR/wu.csv"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-retrain: web us: not in $BATS_FILE_TMPDIR/base.json: not compared
pcs-retrain: no key could be compared"
}

# --- --ab-log ---------------------------------------------------------------

@test "ab-log: the table of an online test, arms A and B" {
	run --separate-stderr pcs-retrain --ab-log "$BATS_FILE_TMPDIR/log.csv" $M
	assert_success
	assert_equal "$stderr" ""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/t.csv"
	assert_equal "$(cut -d, -f1-3 "$BATS_TEST_TMPDIR/t.csv")" "$(printf '%s\n' metric,a,b mase,A,B smape,A,B pinball,A,B msis,A,B coverage,A,B)"
	assert_line --index 0 "$AB_HEADER"
	# a forecast every 30 minutes for a day: 48 differentials
	assert_equal "$(field "$BATS_TEST_TMPDIR/t.csv" mase n)" 48
	assert_regex "$(field "$BATS_TEST_TMPDIR/t.csv" mase verdict)" '^(a-better|b-better|no-difference)$'
	# -q 0.05,0.5,0.95 has a central interval: msis and coverage are scored
	assert_equal "$(field "$BATS_TEST_TMPDIR/t.csv" msis n)" 48
	run awk -v c="$(field "$BATS_TEST_TMPDIR/t.csv" coverage mean_a)" 'BEGIN { exit !(c > 0.5 && c <= 1) }'
	assert_success
}

@test "ab-log: the means are the log's scaled errors against the actuals (checked by awk)" {
	local t=$BATS_TEST_TMPDIR/t.csv want
	pcs-retrain --ab-log "$BATS_FILE_TMPDIR/log.csv" $M >"$t"
	# the MASE scale: the mean absolute daily (288-step) difference of the
	# key's whole history in the actuals
	want=$(awk -F, '
	NR == FNR { if (FNR > 1) { k = $2 " " $3; n[k]++; y[k, n[k]] = $4; at[k, $1] = $4 }; next }
	FNR == 1 {
		for (i = 1; i <= NF; i++) c[$i] = i
		for (k in n) { s = 0; m = 0
			for (i = 289; i <= n[k]; i++) { d = y[k, i] - y[k, i - 288]; s += d < 0 ? -d : d; m++ }
			scale[k] = s / m }
		next
	}
	{
		k = $c["group"] " " $c["region"]
		if (!((k, $c["target"]) in at)) next
		a = $c["model"]; o = at[k, $c["target"]]; f = $c["mean"]; e = o - f; if (e < 0) e = -e
		mase[a] += e / scale[k]; smape[a] += o + f > 0 ? 200 * e / (o + f) : 0; cnt[a]++
	}
	END { printf "%.9g %.9g %.9g %.9g", mase["A"] / cnt["A"], mase["B"] / cnt["B"], smape["A"] / cnt["A"], smape["B"] / cnt["B"] }
	' $M "$BATS_FILE_TMPDIR/log.csv")
	read -r ma mb sa sb <<<"$want"
	near "$(field "$t" mase mean_a)" "$ma" 1e-8
	near "$(field "$t" mase mean_b)" "$mb" 1e-8
	near "$(field "$t" smape mean_a)" "$sa" 1e-8
	near "$(field "$t" smape mean_b)" "$sb" 1e-8
}

@test "ab-log: --arms B,A swaps the columns" {
	pcs-retrain --ab-log "$BATS_FILE_TMPDIR/log.csv" $M >"$BATS_TEST_TMPDIR/ab.csv"
	run --separate-stderr pcs-retrain --ab-log "$BATS_FILE_TMPDIR/log.csv" --arms B,A $M
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/ba.csv"
	assert_line --index 1 --regexp '^mase,B,A,'
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" mase mean_a)" "$(field "$BATS_TEST_TMPDIR/ba.csv" mase mean_b)"
	assert_equal "$(field "$BATS_TEST_TMPDIR/ab.csv" smape p_value)" "$(field "$BATS_TEST_TMPDIR/ba.csv" smape p_value)"
}

@test "ab-log: a third arm is an error without --arms; --arms picks two and ignores it" {
	local F=$BATS_FILE_TMPDIR
	pcs-retrain --name C --models ets --trends none "$F/h3.csv" >"$BATS_TEST_TMPDIR/C.json"
	{
		cat "$F/log.csv"
		head -n 3600 $M | pcs-forecast --no-header -q 0.05,0.5,0.95 -m "$F/A.json,$BATS_TEST_TMPDIR/C.json" --arm-split 1
	} >"$BATS_TEST_TMPDIR/log3.csv"
	run --separate-stderr pcs-retrain --ab-log "$BATS_TEST_TMPDIR/log3.csv" $M
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-retrain: $BATS_TEST_TMPDIR/log3.csv:$(($(wc -l <"$F/log.csv") + 1)): column 'model': a third arm 'C': the log holds A and B; choose two with --arms"
	run --separate-stderr pcs-retrain --ab-log "$BATS_TEST_TMPDIR/log3.csv" --arms A,B $M
	assert_success
	assert_equal "$output" "$(pcs-retrain --ab-log "$F/log.csv" $M)"
	run --separate-stderr pcs-retrain --ab-log "$BATS_TEST_TMPDIR/log3.csv" --arms A,C $M
	assert_success
	assert_line --index 1 --regexp '^mase,A,C,'
}

@test "ab-log: the log of a single model has one arm: the documented error" {
	pcs-forecast -m "$BATS_FILE_TMPDIR/A.json" "$BATS_FILE_TMPDIR/h3.csv" >"$BATS_TEST_TMPDIR/one.csv"
	run --separate-stderr pcs-retrain --ab-log "$BATS_TEST_TMPDIR/one.csv" $M
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-retrain: $BATS_TEST_TMPDIR/one.csv: the model column names one arm; an A/B test needs two (pcs-forecast -m A.json,B.json --arm-split)"
}

@test "ab-log: keys of the log without actuals are counted in a warning" {
	{
		cat "$BATS_FILE_TMPDIR/log.csv"
		sed -n 2p "$BATS_FILE_TMPDIR/log.csv" | sed 's/,api,eu,/,gone,eu,/'
	} >"$BATS_TEST_TMPDIR/log.csv"
	run --separate-stderr pcs-retrain --ab-log "$BATS_TEST_TMPDIR/log.csv" $M
	assert_success
	assert_equal "$stderr" "pcs-retrain: $BATS_TEST_TMPDIR/log.csv: 1 forecast for keys without actuals ignored"
	assert_equal "$output" "$(pcs-retrain --ab-log "$BATS_FILE_TMPDIR/log.csv" $M)"
}

@test "ab-log: an NDJSON log gives the same table" {
	local F=$BATS_FILE_TMPDIR
	for i in 0 36 72 108 144; do
		head -n $((3457 + i * 4)) $M | pcs-forecast -o ndjson -q 0.05,0.5,0.95 -m "$F/A.json,$F/B.json" --arm-split 0.5
	done >"$BATS_TEST_TMPDIR/log.ndjson"
	for i in 0 36 72 108 144; do
		head -n $((3457 + i * 4)) $M | pcs-forecast --no-header -q 0.05,0.5,0.95 -m "$F/A.json,$F/B.json" --arm-split 0.5
	done | cat <(head -n 1 "$F/log.csv") - >"$BATS_TEST_TMPDIR/log.csv"
	run --separate-stderr pcs-retrain --ab-log "$BATS_TEST_TMPDIR/log.ndjson" $M
	assert_success
	assert_equal "$output" "$(pcs-retrain --ab-log "$BATS_TEST_TMPDIR/log.csv" $M)"
}

@test "ab-log: the log on standard input is named <stdin>" {
	# a regression test: the messages about the whole log named it '-'
	run --separate-stderr pcs-retrain --ab-log - $M <testdata/bad/retrain-log-one-arm.csv
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "pcs-retrain: <stdin>: the model column names one arm; an A/B test needs two (pcs-forecast -m A.json,B.json --arm-split)"
	# and the same table as from the file
	run --separate-stderr pcs-retrain --ab-log - $M <"$BATS_FILE_TMPDIR/log.csv"
	assert_success
	assert_equal "$output" "$(pcs-retrain --ab-log "$BATS_FILE_TMPDIR/log.csv" $M)"
}

@test "ab-log: --arms naming an arm that the log does not hold is an error" {
	# a regression test: it was a table of A against nothing, exit 0
	# (pcs-retrain(1), EXIT STATUS: "a forecast log with one arm")
	run --separate-stderr pcs-retrain --ab-log "$BATS_FILE_TMPDIR/log.csv" --arms A,X $M
	assert_failure 1
	assert_output ""
	assert_regex "$stderr" "^pcs-retrain: $BATS_FILE_TMPDIR/log\.csv: .*'X'"
	run --separate-stderr pcs-retrain --ab-log "$BATS_FILE_TMPDIR/log.csv" --arms X,B $M
	assert_failure 1
	assert_output ""
}

# --- --drift ----------------------------------------------------------------

@test "drift: a fourth day like the first three: every key ok, exit 0" {
	run --separate-stderr pcs-retrain --drift "$BATS_FILE_TMPDIR/B.json" $M
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 "$DRIFT_HEADER"
	run awk -F, 'NR > 1 { print $1, $2, $8, $9, ($7 >= 30), ($6 <= 1.5) }' <<<"$output"
	assert_output - <<'EOF'
api eu 0 ok 1 1
api us 0 ok 1 1
web eu 0 ok 1 1
web us 0 ok 1 1
EOF
}

@test "drift: web eu's fourth day x3 is degraded, exit 3" {
	awk -F, -v OFS=, 'NR > 1 && $1 >= "2026-11-24" && $2 == "web" && $3 == "eu" { $4 *= 3 } 1' $M \
		>"$BATS_TEST_TMPDIR/x3.csv"
	run --separate-stderr pcs-retrain --drift "$BATS_FILE_TMPDIR/B.json" "$BATS_TEST_TMPDIR/x3.csv"
	assert_failure 3
	assert_equal "$stderr" ""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/d.csv"
	run awk -F, 'NR > 1 { print $1, $2, $8, $9 }' "$BATS_TEST_TMPDIR/d.csv"
	assert_output - <<'EOF'
api eu 0 ok
api us 0 ok
web eu 1 degraded
web us 0 ok
EOF
	# the ratio is recent over backtest MASE
	near "$(field "$BATS_TEST_TMPDIR/d.csv" "web eu" ratio)" \
		"$(awk -v r="$(field "$BATS_TEST_TMPDIR/d.csv" "web eu" recent_mase)" -v b="$(field "$BATS_TEST_TMPDIR/d.csv" "web eu" backtest_mase)" \
			'BEGIN { printf "%.10g", r / b }')" 1e-8
	# a --drift-ratio above that ratio lets it pass
	run --separate-stderr pcs-retrain --drift "$BATS_FILE_TMPDIR/B.json" --drift-ratio 1000 "$BATS_TEST_TMPDIR/x3.csv"
	assert_success
	assert_equal "$(awk -F, 'NR > 1 { print $9 }' <<<"$output" | sort -u)" ok
}

@test "drift: a history that ends where the model's does: no-new-data, exit 0" {
	run --separate-stderr pcs-retrain --drift "$BATS_FILE_TMPDIR/B.json" "$BATS_FILE_TMPDIR/h3.csv"
	assert_success
	run awk -F, 'NR > 1 { print $1, $2, $5, $6, $7, $8, $9 }' <<<"$output"
	assert_output - <<'EOF'
api eu   0 0 no-new-data
api us   0 0 no-new-data
web eu   0 0 no-new-data
web us   0 0 no-new-data
EOF
}

@test "drift: a few new steps: too-few, not judged" {
	run --separate-stderr pcs-retrain --drift "$BATS_FILE_TMPDIR/B.json" <(head -n 3477 $M)
	assert_success
	assert_equal "$(awk -F, 'NR > 1 { print ($7 < 30), $8, $9 }' <<<"$output" | sort -u)" "1 0 too-few"
}

@test "drift: a key the model does not hold: no-model, drift 1, exit 3" {
	{
		cat $M
		grep ',web,eu,' $M | sed 's/,web,eu,/,new,eu,/'
	} >"$BATS_TEST_TMPDIR/h.csv"
	run --separate-stderr pcs-retrain --drift "$BATS_FILE_TMPDIR/B.json" "$BATS_TEST_TMPDIR/h.csv"
	assert_failure 3
	assert_line --index 3 'new,eu,,,,,0,1,no-model'
	[ "$(awk -F, 'NR > 1 && $9 == "ok"' <<<"$output" | wc -l)" -eq 4 ] || fail "the other keys are not ok"
}

@test "drift: a history of another step is an error" {
	awk -F, 'NR == 1 || substr($1, 15, 2) % 10 == 0' $M >"$BATS_TEST_TMPDIR/m10.csv"
	run --separate-stderr pcs-retrain --drift "$BATS_FILE_TMPDIR/B.json" "$BATS_TEST_TMPDIR/m10.csv"
	assert_failure 1
	assert_equal "$stderr" "pcs-retrain: $BATS_FILE_TMPDIR/B.json: fitted at a step of 300s, the history has 600s"
}

# --- --capacity -------------------------------------------------------------

@test "capacity: the knee at 800 rps is found within 10%" {
	run --separate-stderr pcs-retrain --capacity $RT/health.csv
	assert_success
	assert_equal "$stderr" ""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.csv"
	assert_line --index 0 "$CAPACITY_HEADER"
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "fra web" status)" found
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "fra web" basis)" latency
	near "$(field "$BATS_TEST_TMPDIR/c.csv" "fra web" capacity_rps)" 800 0.1
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "fra web" samples)" 300
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "fra web" instance_rps)" ""
	# the error rate stays flat: no knee of its own
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "fra web" knee_errors_rps)" ""
}

@test "capacity: a POP whose load never passes 500: no estimate, not-reached" {
	run --separate-stderr pcs-retrain --capacity $RT/health.csv
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.csv"
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "lis web" capacity_rps)" ""
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "lis web" status)" not-reached
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "lis web" samples)" 300
	run awk -v m="$(field "$BATS_TEST_TMPDIR/c.csv" "lis web" max_load_rps)" 'BEGIN { exit !(m < 500) }'
	assert_success
}

@test "capacity: fewer samples than --min-samples: too-few" {
	run --separate-stderr pcs-retrain --capacity $RT/health.csv
	assert_success
	assert_line --index 3 --regexp '^osl,web,,,[0-9.]+,,too-few,,,30,0,[0-9.]+$'
	# --min-samples 20: 30 samples are enough to be judged
	run --separate-stderr pcs-retrain --capacity --min-samples 20 $RT/health.csv
	assert_success
	refute_line --index 3 --regexp ',too-few,'
}

@test "capacity: with an instances column, the knee per instance times the latest count" {
	run --separate-stderr pcs-retrain --capacity $RT/health-instances.csv
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.csv"
	# no group column: group '*'
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "fra *" status)" found
	near "$(field "$BATS_TEST_TMPDIR/c.csv" "fra *" instance_rps)" 200 0.1
	# the last row has 3 instances
	near "$(field "$BATS_TEST_TMPDIR/c.csv" "fra *" capacity_rps)" \
		"$(awk -v k="$(field "$BATS_TEST_TMPDIR/c.csv" "fra *" instance_rps)" 'BEGIN { printf "%.10g", 3 * k }')" 1e-8
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "fra *" load_rps)" "$(tail -n 1 $RT/health-instances.csv | cut -d, -f4)"
}

@test "capacity: -o ndjson writes null for no estimate" {
	run --separate-stderr pcs-retrain --capacity -o ndjson $RT/health.csv
	assert_success
	assert_line --index 1 --regexp '^\{"pop":"lis","group":"web","capacity_rps":null,"instance_rps":null,.*"status":"not-reached",'
}

@test "capacity: standard input, and --no-header" {
	run_stdin $RT/health.csv pcs-retrain --capacity --no-header
	assert_success
	assert_equal "$output" "$(pcs-retrain --capacity $RT/health.csv | sed 1d)"
}

@test "capacity: a POP without instance counts, in a stream where others have them, is fitted on its load" {
	# health.csv with an instances column that only fra fills: lis keeps
	# its 300 samples and its verdict (a regression test: it once lost
	# every sample, as the load per instance of every POP was used as soon
	# as one row of the stream had a count)
	awk -F, -v OFS=, 'NR == 1 { print $0, "instances"; next } { print $0, ($3 == "fra" ? 4 : "") }' \
		$RT/health.csv >"$BATS_TEST_TMPDIR/h.csv"
	run --separate-stderr pcs-retrain --capacity "$BATS_TEST_TMPDIR/h.csv"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/c.csv"
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "fra web" status)" found
	near "$(field "$BATS_TEST_TMPDIR/c.csv" "fra web" instance_rps)" 200 0.1
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "lis web" samples)" 300
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "lis web" status)" not-reached
	assert_equal "$(field "$BATS_TEST_TMPDIR/c.csv" "lis web" instance_rps)" ""
	# and the two streams given together say what each says alone
	run --separate-stderr pcs-retrain --capacity $RT/health.csv $RT/health-instances.csv
	assert_success
	assert_equal "$output" "$(pcs-retrain --capacity $RT/health-instances.csv; pcs-retrain --capacity --no-header $RT/health.csv)"
}

# --- bad input: testdata/bad/retrain-* ----------------------------------------

@test "bad: history too short for any backtest origin" { assert_bad_retrain retrain-too-short; }
@test "bad: a header and no rows" { assert_bad_retrain retrain-header-only; }
@test "bad: one timestamp per key, so no step" { assert_bad_retrain retrain-step-undetectable; }
@test "bad: binary garbage" { assert_bad_retrain retrain-binary-garbage; }
@test "bad capacity: no latency_ms column" { assert_bad_retrain retrain-capacity-missing-latency; }
@test "bad capacity: error_rate above 1" { assert_bad_retrain retrain-capacity-error-rate-above-one; }
@test "bad capacity: load_rps negative" { assert_bad_retrain retrain-capacity-load-negative; }
@test "bad capacity: latency_ms empty" { assert_bad_retrain retrain-capacity-latency-empty; }
@test "bad capacity: a header and no rows" { assert_bad_retrain retrain-capacity-header-only; }
@test "bad log: one arm" { assert_bad_log retrain-log-one-arm; }
@test "bad log: no arm (a header only)" { assert_bad_log retrain-log-header-only; }
@test "bad log: a third arm" { assert_bad_log retrain-log-third-arm; }
@test "bad log: no model column" { assert_bad_log retrain-log-no-model-column; }
@test "bad log: no target observed yet" { assert_bad_log retrain-log-not-observed; }
@test "bad log: a negative mean" { assert_bad_log retrain-log-mean-negative; }
@test "bad log: a target that is not a timestamp" { assert_bad_log retrain-log-target-unparseable; }
@test "bad usage: two modes at once" { assert_bad_retrain retrain-usage-two-modes; }
@test "bad usage: --ab without a comma" { assert_bad_retrain retrain-usage-ab-no-comma; }
@test "bad usage: an unknown --models name" { assert_bad_retrain retrain-usage-models-unknown; }
@test "bad usage: --criterion coverage" { assert_bad_retrain retrain-usage-criterion-coverage; }
@test "bad usage: --global with --update" { assert_bad_retrain retrain-usage-global-update; }
@test "bad usage: --report with --drift" { assert_bad_retrain retrain-usage-report-in-drift; }
@test "bad usage: --arms with one name" { assert_bad_retrain retrain-usage-arms-one; }
@test "bad usage: --origins 2.5" { assert_bad_retrain retrain-usage-origins-fraction; }

@test "bad: every retrain case in testdata/bad has its .err and .status and a test here" {
	local f name
	for f in testdata/bad/retrain-*; do
		name=${f##*/}
		name=${name%.*}
		[ -f "testdata/bad/$name.err" ] || fail "testdata/bad/$name.err missing"
		[ -f "testdata/bad/$name.status" ] || fail "testdata/bad/$name.status missing"
		grep -Eq "assert_bad_(retrain|log|model) $name;" "$BATS_TEST_FILENAME" ||
			fail "no test for testdata/bad/$name"
	done
}

# --- usage ----------------------------------------------------------------

@test "usage: --help on stdout, exit 0; -V" {
	run --separate-stderr pcs-retrain --help
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 'usage: pcs-retrain [options] [file ...]'
	assert_line --partial -- '--ab-log FILE'
	run --separate-stderr pcs-retrain -V
	assert_success
	assert_regex "$output" '^pcs-retrain '
}

@test "usage: --ab with three files, or an empty one" {
	run --separate-stderr pcs-retrain --ab a.json,b.json,c.json $M
	assert_usage_error 'pcs-retrain: --ab: more than 2 items' pcs-retrain
	run --separate-stderr pcs-retrain --ab ,b.json $M
	assert_usage_error 'pcs-retrain: --ab: empty item in ",b.json"' pcs-retrain
}

@test "usage: --ab and --ab-log at once; --global with --drift" {
	run --separate-stderr pcs-retrain --ab a.json,b.json --ab-log log.csv $M
	assert_usage_error 'pcs-retrain: --ab, --ab-log, --drift and --capacity are separate modes: give one' pcs-retrain
	run --separate-stderr pcs-retrain --drift m.json --global $M
	assert_usage_error 'pcs-retrain: --update, --global and --report belong to training, not to this mode' pcs-retrain
}

@test "usage: unknown names in --seasons, --trends, --transforms, --quantile-methods" {
	run --separate-stderr pcs-retrain --seasons hourly $M
	assert_usage_error "pcs-retrain: --seasons: unknown 'hourly' (auto, none, daily, weekly, daily+weekly)" pcs-retrain
	run --separate-stderr pcs-retrain --trends steep $M
	assert_usage_error "pcs-retrain: --trends: unknown 'steep' (damped, linear, none)" pcs-retrain
	run --separate-stderr pcs-retrain --transforms sqrt $M
	assert_usage_error "pcs-retrain: --transforms: unknown 'sqrt' (none, log, boxcox)" pcs-retrain
	run --separate-stderr pcs-retrain --quantile-methods bootstrap $M
	assert_usage_error "pcs-retrain: --quantile-methods: unknown 'bootstrap' (conformal, flat, normal)" pcs-retrain
}

@test "usage: --drift-ratio below 1, --min-samples below 10, --alpha above 0.5" {
	run --separate-stderr pcs-retrain --drift m.json --drift-ratio 0.5 $M
	assert_usage_error 'pcs-retrain: --drift-ratio: want a number in [1, 1e+06]: "0.5"' pcs-retrain
	run --separate-stderr pcs-retrain --capacity --min-samples 5 $M
	assert_usage_error 'pcs-retrain: --min-samples: want a number in [10, 1e+09]: "5"' pcs-retrain
	run --separate-stderr pcs-retrain --ab a.json,b.json --alpha 0.7 $M
	assert_usage_error 'pcs-retrain: --alpha: want a number in (0, 0.5]: "0.7"' pcs-retrain
}
