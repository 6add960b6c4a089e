#!/usr/bin/env bats
# Opt-in tests on real data in ../shared/data (make check-data): every public
# trace goes through pcs-forecast without an error, and every output row is
# sane: finite numbers, quantiles that never cross or go negative.

load data_helper

# sane FILE: the forecast CSV has rows, finite numbers, ordered quantiles >= 0
sane() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^p[0-9.]+$/) q[++nq] = i; next }
	  { rows++
	    if ($6 !~ /^-?[0-9.e+-]+$/) { print "bad mean on line " NR ": " $6; bad = 1 }
	    for (k = 1; k <= nq; k++) {
	      v = $(q[k]) + 0
	      if ($(q[k]) !~ /^[0-9.e+-]+$/ || v < 0) { print "bad quantile on line " NR; bad = 1 }
	      if (k > 1 && v < $(q[k - 1]) + 0) { print "crossed quantiles on line " NR; bad = 1 }
	    } }
	  END { if (rows == 0) { print "no rows"; bad = 1 } exit bad }' "$1"
}

@test "NASA HTTP 1995, per minute, local time with an offset added" {
	nasa_metrics "$WORK/nasa.csv"
	run pcs-forecast -H 5m,15m,30m,1h..24h/1h "$WORK/nasa.csv"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$WORK/nasa.out"
	[ "$(wc -l <"$WORK/nasa.out")" -eq 28 ]
	sane "$WORK/nasa.out"
}

@test "Twitter stream 2021, per minute" {
	twitter_metrics "$WORK/tw.csv"
	pcs-forecast -q 0.025,0.5,0.975 "$WORK/tw.csv" >"$WORK/tw.out"
	sane "$WORK/tw.out"
	pcs-forecast --score "$WORK/tw.csv" | awk -F, 'NR > 1 && $6 != "" && ($6 < 0 || $6 > 1) { exit 1 }'
}

@test "Azure LLM inference arrivals: raw per-request rows summed into a rate" {
	for f in code conv; do
		awk -F, -v g=$f 'NR == 1 { next } { print substr($1, 1, 16) ":00Z," g ",0.0166666667" }' \
			"$DATA/traces/AzureLLMInferenceTrace_$f.csv"
	done | sed 's/ /T/' | { echo ts,group,rps; cat; } >"$WORK/azure.csv"
	pcs-forecast --sum-duplicates --step 1m "$WORK/azure.csv" >"$WORK/azure.out"
	sane "$WORK/azure.out"
	[ "$(cut -d, -f2 "$WORK/azure.out" | sort -u | tr '\n' ' ')" = "code conv group " ]
}

@test "Prophet examples: daily page views, daily pedestrians, monthly sales with CR line ends" {
	echo ts,group,rps >"$WORK/prophet.csv"
	for f in example_wp_log_peyton_manning example_pedestrians_covid example_retail_sales example_air_passengers; do
		tr '\r' '\n' <"$DATA/prophet/$f.csv" | tr -d '"' |
			awk -F, -v g=$f 'NR > 1 && NF == 2 { print $1 "," g "," $2 }'
	done >>"$WORK/prophet.csv"
	pcs-forecast -H 1d..7d/1d "$WORK/prophet.csv" >"$WORK/prophet.out"
	sane "$WORK/prophet.out"
	# the monthly series with its old-Mac CR-only line ends, read as it is
	tr '\r' '\n' <"$DATA/prophet/example_air_passengers.csv" |
		awk -F, 'NR == 1 { print "ts,group,rps"; next } { print $1 ",air," $2 }' |
		tr '\n' '\r' >"$WORK/air.csv"
	pcs-forecast -H 31d "$WORK/air.csv" >"$WORK/air.out"
	sane "$WORK/air.out"
}

@test "M4 Hourly dev: every series forecast, 48 horizons each" {
	awk -F, 'NR > 1 { gsub(/"/, ""); for (i = 2; i <= NF && $i != ""; i++)
	           print 1767225600 + 3600 * (i - 2) "," $1 "," $i }
	         NR == 1 { print "ts,group,rps" }' "$DATA/m4/Hourly-train-dev.csv" >"$WORK/m4.csv"
	pcs-forecast -H 1h..48h -q 0.025,0.5,0.975 "$WORK/m4.csv" >"$WORK/m4.out"
	sane "$WORK/m4.out"
	[ "$(tail -n +2 "$WORK/m4.out" | wc -l)" -eq $((48 * $(tail -n +2 "$DATA/m4/Hourly-train-dev.csv" | wc -l))) ]
}
