#!/usr/bin/env bats
# Opt-in tests on real data in ../shared/data (make check-data): each public
# per-minute trace replays through pcs-replay with all five policies, on its
# fleet in testdata/replay/ (sized by bench/replay-topology.sh), without an
# error; every policy is offered the same requests, which are the trace's
# own after the warm-up week; the oracle drops nothing; every number is
# finite; on Twitter, --provision-budget holds fewer instance-hours than the
# default level where that level costs more than the budget.  About two
# minutes: the whole NASA trace (51 scored days) is most of it.

load data_helper

# sane SUMMARY WANT: the summary has the five policies once each, the same
# ticks and offered requests for all (WANT within 1e-6 relative: the NASA
# conversion writes requests / 60 to 6 significant digits), finite
# numbers (lead_time_s may be empty: no surge led), and an oracle with no
# drop and no SLO minute.
sane() {
	awk -F, -v want="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; nf = NF; next }
	{
		p = $(c["policy"]); seen[p]++
		for (i = 2; i <= nf; i++)
			if ($i !~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ && !(i == c["lead_time_s"] && $i == "")) {
				print p ": column " i " is \"" $i "\""; bad = 1 }
		if (NR == 2) ticks = $(c["ticks"])
		if ($(c["ticks"]) != ticks) { print p ": " $(c["ticks"]) " ticks, not " ticks; bad = 1 }
		if (NR == 2) offered = $(c["offered"])
		if ($(c["offered"]) != offered) { print p ": offered " $(c["offered"]) ", not " offered; bad = 1 }
		d = $(c["offered"]) - want
		if (d * d > (1e-6 * want) ^ 2) { print p ": offered " $(c["offered"]) ", not " want; bad = 1 }
		if (p == "oracle" && ($(c["dropped"]) > 1e-9 * want || $(c["slo_minutes"]) != 0)) {
			print "the oracle drops " $(c["dropped"]) " requests"; bad = 1 }
	}
	END {
		split("static reactive predictive-scale predictive oracle", all, " ")
		for (k = 1; k <= 5; k++)
			if (seen[all[k]] != 1) { print all[k] ": " seen[all[k]] + 0 " rows"; bad = 1 }
		if (NR != 6) { print NR - 1 " rows, not 5"; bad = 1 }
		exit bad
	}' "$1"
}

# after_week TRACE COLUMN SCALE: the sum of COLUMN x SCALE over the rows of
# the original trace from 7 days after its first timestamp on (the replay's
# default warm-up is not scored); its timestamps are local or UTC but of one
# fixed offset, so adding 7 days is the same in UTC.
after_week() {
	local first cut
	first=$(awk -F, 'NR == 2 { print $1; exit }' "$1")
	cut=$(date -u -d "$(echo "$first" | sed 's/T/ /; s/Z$//') UTC + 7 days" '+%Y-%m-%d %H:%M:%S')
	awk -F, -v cut="$cut" -v col="$2" -v k="$3" \
		'NR > 1 { t = $1; sub(/T/, " ", t); sub(/Z$/, "", t); if (t >= cut) s += $col * k }
		 END { printf "%.6f\n", s }' "$1"
}

@test "NASA HTTP 1995, per minute: every policy, offered the trace's own requests" {
	nasa_metrics "$WORK/nasa.csv"
	run pcs-replay -t "$TESTDATA/replay/nasa-topology.csv" "$WORK/nasa.csv"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$WORK/nasa.out"
	want=$(after_week "$DATA/traces/nasa_http_1995_per_minute.csv" 2 1)
	sane "$WORK/nasa.out" "$want"
}

@test "Twitter stream 2021, per minute: every policy, on its fleet and --auto-topology" {
	twitter_metrics "$WORK/tw.csv"
	want=$(after_week "$DATA/traces/twitter_stream_2021_per_minute.csv" 2 60)
	pcs-replay -t "$TESTDATA/replay/twitter-topology.csv" "$WORK/tw.csv" >"$WORK/tw.out"
	sane "$WORK/tw.out" "$want"
	pcs-replay --auto-topology "$WORK/tw.csv" >"$WORK/tw-auto.out"
	sane "$WORK/tw-auto.out" "$want"
}

@test "the committed fleets are what the sizing rule gives on the traces' first week" {
	nasa_metrics "$WORK/nasa-rule.csv"
	twitter_metrics "$WORK/tw-rule.csv"
	"$BATS_TEST_DIRNAME/../../bench/replay-topology.sh" "$WORK/nasa-rule.csv" |
		diff - "$TESTDATA/replay/nasa-topology.csv"
	"$BATS_TEST_DIRNAME/../../bench/replay-topology.sh" "$WORK/tw-rule.csv" |
		diff - "$TESTDATA/replay/twitter-topology.csv"
}

@test "Twitter stream 2021: --provision-budget 1.15 holds fewer instance-hours than the default level, which costs more than that" {
	local reactive level budget
	twitter_metrics "$WORK/tw-budget.csv"
	pcs-replay -t "$TESTDATA/replay/twitter-topology.csv" -p reactive,predictive "$WORK/tw-budget.csv" \
		>"$WORK/tw-level.out"
	pcs-replay -t "$TESTDATA/replay/twitter-topology.csv" -p predictive --provision-budget 1.15 \
		"$WORK/tw-budget.csv" >"$WORK/tw-budget.out"
	# hours_of FILE POLICY: the policy's instance_hours
	hours_of() { awk -F, -v p="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$(c["policy"]) == p { print $(c["instance_hours"]) }' "$1"; }
	reactive=$(hours_of "$WORK/tw-level.out" reactive)
	level=$(hours_of "$WORK/tw-level.out" predictive)
	budget=$(hours_of "$WORK/tw-budget.out" predictive)
	# the premise: at 0.99 the flash crowds cost more than 1.15x the HPA
	awk -v l="$level" -v r="$reactive" 'BEGIN { exit !(l > 1.15 * r) }'
	awk -v b="$budget" -v l="$level" 'BEGIN { exit !(b < l) }' ||
		{ echo "budget $budget, level 0.99 $level instance-hours" >&2; return 1; }
}
