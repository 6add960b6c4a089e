#!/bin/sh
# make demo: run the pipeline that exists so far on the bundled data and
# print the result in a readable form.
cd "$(dirname "$0")/.." || exit 1
PATH=$PWD/bin:$PATH
set -e

show() {
	# align CSV columns for reading (column(1) is not on every system)
	awk -F, '{ for (i = 1; i <= NF; i++) { w[NR, i] = $i; if (length($i) > m[i]) m[i] = length($i) }
	           if (NF > nf) nf = NF; nr = NR }
	     END { for (r = 1; r <= nr; r++) { line = ""
	             for (i = 1; i <= nf; i++) line = line sprintf("%-" m[i] + 2 "s", w[r, i])
	             sub(/ +$/, "", line); print line } }'
}

echo "== pcs-forecast on 3 weeks of real NASA HTTP traffic (testdata/nasa-5m.csv)"
echo "   requests/s forecast 5, 15 and 30 minutes ahead, with its 50/90/95/99% quantiles:"
echo
pcs-forecast testdata/nasa-5m.csv |
	cut -d, -f1,4,6-11 | awk -F, 'NR == 1 { print; next }
	  { printf "%s,%s", $1, $2; for (i = 3; i <= 7; i++) printf ",%.3f", $i; printf ",%s\n", $8 }' | show
echo
echo "== the next day hour by hour (-H 1h..24h/1h), median and 90% interval:"
echo
pcs-forecast -H 1h..24h/1h -q 0.05,0.5,0.95 testdata/nasa-5m.csv |
	awk -F, 'NR == 1 { print "target,p5,p50,p95"; next }
	  { printf "%s,%.3f,%.3f,%.3f\n", $5, $7, $8, $9 }' | show
echo
echo "== four keys (group x region) of a synthetic CDN feed (testdata/metrics.csv);"
echo "   web/eu ends in a rising surge, which the anomaly columns flag:"
echo
pcs-forecast -H 15m testdata/metrics.csv |
	cut -d, -f2,3,4,6,7,10,11,12,13 | awk -F, 'NR == 1 { print; next }
	  { printf "%s,%s,%s,%.1f,%.1f,%.1f,%s,%.4f,%s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' | show
echo
echo "== the live pipeline on the same feed: forecast | risk | shadow-plan"
echo "   pcs-risk: probability that each POP's demand passes its capacity (testdata/capacity.csv):"
echo
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
pcs-forecast testdata/metrics.csv | pcs-risk -c testdata/capacity.csv >"$state/risk.csv"
awk -F, 'NR == 1 || $3 == 900' "$state/risk.csv" | cut -d, -f1-3,5-7,9,11,12 |
	awk -F, 'NR == 1 { print; next }
	  { printf "%s,%s,%s,%.1f,%.1f,%s,%.4f,%.4f,%s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' | show
echo
echo "   pcs-shadow-plan (testdata/topology.csv), warming at risk >= 0.02 for the demo:"
echo
pcs-shadow-plan -t testdata/topology.csv --state "$state/plan.state" --warm-at 0.02 \
	--release-below 0.01 --summary <"$state/risk.csv" 2>"$state/summary" | cut -d, -f1-9 | show
echo
sed 's/^pcs-shadow-plan: /   /' "$state/summary"
echo
echo "   the same plan as kubectl commands:"
echo
pcs-shadow-plan -t testdata/topology.csv --warm-at 0.02 --release-below 0.01 -f kubectl \
	<"$state/risk.csv"
echo
echo "== pcs-route-weights on 5 minutes of health samples (testdata/health.csv):"
echo "   fra's latency climbs, ams fails for a minute (its breaker opens, then"
echo "   half-opens and closes), par becomes an active shadow; the last tick:"
echo
pcs-route-weights testdata/health.csv | cut -d, -f2-7 |
	awk -F, -v OFS=, 'NR > 1 { $4 = sprintf("%.3f", $4) } { print }' | show
echo
echo "   the same weights as HAProxy runtime commands:"
echo
pcs-route-weights -f haproxy testdata/health.csv
echo
echo "== pcs-replay: the bundled metrics (4 days) replayed through five capacity policies"
echo "   (testdata/topology.csv; the first half trains the forecast, the rest is scored):"
echo
pcs-replay -t testdata/topology.csv --pretty testdata/metrics.csv
echo
echo "See man/pcs.7 (man -l man/pcs.7) for the pipeline and each tool's page for more."
