#!/bin/sh
# The pcs-retrain goldens that take more than one command (see
# testdata/golden/commands), run from the root of the checkout with the
# binaries on PATH; model files are made with SOURCE_DATE_EPOCH set, so that
# they are the same bytes every time.
#
#   sh testdata/retrain/run.sh report   the --report of the default grid on
#                                       testdata/metrics.csv
#   sh testdata/retrain/run.sh drift    a model of the first three days of
#                                       testdata/metrics.csv checked against
#                                       all four, web eu's fourth day x3
#   sh testdata/retrain/run.sh ab-log   a forecast log of an online test
#                                       (pcs-forecast -m A,B --arm-split 0.5
#                                       every 30 minutes through the fourth
#                                       day; A snaive only, B the default
#                                       grid), tested against the actuals
#
# usage: sh testdata/retrain/run.sh report|drift|ab-log

m=testdata/metrics.csv
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
SOURCE_DATE_EPOCH=1800000000
export SOURCE_DATE_EPOCH

# the first three days: the header and 3 x 288 rows for each of 4 keys
head -n 3457 "$m" >"$tmp/h3.csv" || exit 1

case $1 in
report)
	pcs-retrain --report "$tmp/report.csv" "$m" >/dev/null || exit 1
	cat "$tmp/report.csv"
	;;
drift)
	pcs-retrain "$tmp/h3.csv" >"$tmp/model.json" || exit 1
	awk -F, -v OFS=, 'NR > 1 && $1 >= "2026-11-24" && $2 == "web" && $3 == "eu" { $4 *= 3 } 1' \
		"$m" >"$tmp/x3.csv" || exit 1
	pcs-retrain --drift "$tmp/model.json" "$tmp/x3.csv"
	[ $? -eq 3 ] || exit 1
	;;
ab-log)
	pcs-retrain --name A --models snaive "$tmp/h3.csv" >"$tmp/A.json" &&
		pcs-retrain --name B "$tmp/h3.csv" >"$tmp/B.json" || exit 1
	i=0
	while [ $i -le 282 ]; do
		head -n $((3457 + i * 4)) "$m" >"$tmp/cur.csv" &&
			pcs-forecast -q 0.05,0.5,0.95 -m "$tmp/A.json,$tmp/B.json" --arm-split 0.5 \
				"$tmp/cur.csv" >"$tmp/f.csv" || exit 1
		if [ $i -eq 0 ]; then cat "$tmp/f.csv"; else sed 1d "$tmp/f.csv"; fi
		i=$((i + 6))
	done >"$tmp/log.csv"
	pcs-retrain --ab-log "$tmp/log.csv" "$m"
	;;
*)
	echo "usage: sh testdata/retrain/run.sh report|drift|ab-log" >&2
	exit 2
	;;
esac
