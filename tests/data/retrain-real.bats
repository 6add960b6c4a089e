#!/usr/bin/env bats
# Opt-in tests on real data in ../shared/data (make check-data): pcs-retrain
# on the per-minute traces chooses the configuration with the lowest
# backtest MASE, pcs-forecast -m serves it, and a drift check on the history
# it was fitted on finds no new data.

load data_helper

# retrain_trace NAME: train on $WORK/NAME.csv, check the choice and serve it
retrain_trace() {
	run pcs-retrain --report "$WORK/$1.report" --out "$WORK/$1.json" "$WORK/$1.csv"
	[ "$status" -eq 0 ]
	# the chosen configuration has the lowest MASE of the grid
	awk -F, 'NR > 1 && $17 == 1 { chosen = $12; n++ }
	         NR > 1 && (best == "" || $12 + 0 < best + 0) { best = $12 }
	         END { if (n != 1 || chosen + 0 != best + 0) { print "chosen " chosen " best " best; exit 1 } }' \
		"$WORK/$1.report"
	run pcs-forecast -m "$WORK/$1.json" --strict "$WORK/$1.csv"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	run pcs-retrain --drift "$WORK/$1.json" "$WORK/$1.csv"
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" == *,no-new-data ]]
}

@test "NASA HTTP 1995: retrain, serve, no drift on its own history" {
	nasa_metrics "$WORK/nasa.csv"
	retrain_trace nasa
}

@test "Twitter stream 2021: retrain, serve, no drift on its own history" {
	twitter_metrics "$WORK/twitter.csv"
	retrain_trace twitter
}
