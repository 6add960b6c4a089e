#!/bin/sh
# Make the seed corpora of the harnesses from testdata/ (and the few seeds
# committed under fuzz/seeds/): fuzz/seeds.sh OUTDIR writes OUTDIR/<harness>/.
# Big files are cut to their first lines, since the harnesses run with a
# small -max_len.
set -e
cd "$(dirname "$0")/.."
out=${1:-fuzz/build/seeds}
rm -rf "$out"

# put HARNESS FILE...: copy the files (their first 40 lines) as seeds
put() {
	h=$1
	shift
	mkdir -p "$out/$h"
	for f in "$@"; do
		[ -f "$f" ] || continue
		name=$(printf '%s' "$f" | tr '/' '_')
		head -n 40 "$f" >"$out/$h/$name"
	done
}

put csv_reader testdata/*.csv testdata/bad/*.csv testdata/risk/*.csv testdata/forecast/*.csv \
	testdata/golden/*.csv testdata/plan/surge/step-0*.csv testdata/route/plan/*.csv
put ndjson_reader testdata/bad/*.ndjson testdata/golden/*.ndjson
put modelfile testdata/golden/retrain-model*.json testdata/bad/retrain-model-*.json
put state testdata/bad/plan-state-* testdata/bad/route-state-* testdata/plan/state-*.json fuzz/seeds/state/*
put pcs_forecast testdata/forecast/*.csv testdata/metrics.csv testdata/nasa-5m.csv \
	testdata/bad/forecast-*.csv testdata/bad/forecast-*.ndjson testdata/golden/forecast-ndjson.ndjson
put pcs_risk testdata/risk/*.csv testdata/golden/forecast-*.csv testdata/golden/forecast-ndjson.ndjson \
	testdata/bad/risk-forecast-*
put pcs_shadow_plan testdata/plan/*/step-*.csv testdata/golden/risk-*.csv testdata/golden/risk-ndjson.ndjson \
	testdata/bad/plan-risk-*
put pcs_route_weights testdata/health.csv testdata/route/*/health.csv testdata/bad/route-health-*
put pcs_replay testdata/replay/scn-*.csv testdata/replay/pipe-history.csv testdata/metrics.csv \
	testdata/bad/replay-history-*
put pcs_retrain testdata/forecast/*.csv testdata/metrics.csv testdata/bad/retrain-*.csv

# times and durations: every timestamp form the formats allow, and some
# that they do not
mkdir -p "$out/time"
i=0
for s in 2026-11-27T22:00:00Z "2026-11-27 23:00:00.5+01:00" 2026-11-27 1795564800 -62135596800 \
	253402300799 9999-12-31T23:59:59Z 0001-01-01T00:00:00Z 2024-02-29T12:00:00-23:59 \
	2026-02-30T00:00:00Z 30s 5m 1h 7d 2w 1h30m 86400 1w2d3h4m5s 0 -5m; do
	i=$((i + 1))
	printf '%s' "$s" >"$out/time/seed-$i"
done
