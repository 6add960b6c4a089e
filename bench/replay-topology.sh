#!/usr/bin/env bash
# bench/replay-topology.sh — the fleet bench/replay.sh replays a trace on,
# sized by a fixed rule from the trace's first week only.
#
#   bench/replay-topology.sh METRICS.csv > topology.csv
#
# METRICS.csv is a metrics stream `ts,group,rps` of one group (RFC 3339
# timestamps with Z or a +hh:mm offset, or Unix seconds).  The rule, chosen
# before any replay was run and the same for every trace:
#
#   L            = 95th percentile of rps over the first 7 days of the
#                  trace (from its first timestamp): the replay's default
#                  warm-up, which is never scored; later days are not read.
#                  Percentile as --auto-topology takes it: sorted values
#                  v[0..n-1], v[floor(0.95 (n - 1))].
#   primary      iad, 8 instances of instance_rps = L / 8 rounded to two
#                  significant digits (so 8 x instance_rps is L within 5%);
#                  max_instances 24 = 3 x 8: room for the HPA to triple.
#   secondaries  ord (rtt 20 ms) and dfw (rtt 35 ms), same region and
#                  instance size; 2 instances of their own load each and
#                  max_instances 6, so 4 each (8 together, one primary's
#                  worth) are free for shadows.
#   all POPs     boot_s 180, warm_s 20, warm_cost_frac 0.1 (a stopped
#                  instance of a warm pool pays for its disk, not its CPU);
#                  cost_per_hour 0.40 on the primary (about an m5.2xlarge
#                  on demand), 0.42 and 0.45 on the farther secondaries.
# Exit status: 0, or 1 when the file cannot be read or has no demand in
# its first week, 2 on bad usage.
set -uo pipefail
export LC_ALL=C

case ${1-} in
-h | --help)
	sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
esac
(($# == 1)) || {
	echo "usage: bench/replay-topology.sh METRICS.csv" >&2
	exit 2
}
[[ -r $1 ]] || {
	echo "replay-topology.sh: cannot read $1" >&2
	exit 1
}

awk -F, '
# Unix seconds of an RFC 3339 timestamp (days from civil: H. Hinnant,
# "chrono-Compatible Low-Level Date Algorithms"), or of Unix seconds.
function epoch(s,    y, m, d, era, yoe, doy, doe, t, off, sign, z) {
	if (s ~ /^-?[0-9]+$/)
		return s + 0
	y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
	t = substr(s, 12, 2) * 3600 + substr(s, 15, 2) * 60 + substr(s, 18, 2)
	z = substr(s, 20)
	sub(/^\.[0-9]*/, "", z)
	off = 0
	if (z ~ /^[+-][0-9][0-9]:[0-9][0-9]$/) {
		sign = substr(z, 1, 1) == "-" ? -1 : 1
		off = sign * (substr(z, 2, 2) * 3600 + substr(z, 5, 2) * 60)
	}
	y -= m <= 2
	era = int((y >= 0 ? y : y - 399) / 400)
	yoe = y - era * 400
	doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return (era * 146097 + doe - 719468) * 86400 + t - off
}
NR == 1 { next }
{
	t = epoch($1)
	if (n == 0) { start = t; group = $2 }
	if (t - start >= 7 * 86400) exit
	if ($3 != "" && $3 == $3 + 0) v[n++] = $3 + 0
}
END {
	if (n == 0) { print "replay-topology.sh: no rows" > "/dev/stderr"; exit 1 }
	# heap sort: mawk has no sort of its own
	for (i = int(n / 2) - 1; i >= 0; i--) sift(i, n)
	for (e = n - 1; e > 0; e--) { x = v[0]; v[0] = v[e]; v[e] = x; sift(0, e) }
	L = v[int(0.95 * (n - 1))]
	if (!(L > 0)) { print "replay-topology.sh: no demand in the first week" > "/dev/stderr"; exit 1 }
	u = L / 8
	mag = 10 ^ (int(log(u) / log(10) + (u < 1 ? -1 : 0)) - 1)
	while (u / mag >= 100) mag *= 10
	while (u / mag < 10) mag /= 10
	u = int(u / mag + 0.5) * mag
	print "pop,group,service,role,region,instance_rps,instances,max_instances,boot_s,warm_s,rtt_ms,cost_per_hour,warm_cost_frac"
	printf "iad,%s,web,primary,us,%.6g,8,24,180,20,0,0.40,0.1\n", group, u
	printf "ord,%s,web,secondary,us,%.6g,2,6,180,20,20,0.42,0.1\n", group, u
	printf "dfw,%s,web,secondary,us,%.6g,2,6,180,20,35,0.45,0.1\n", group, u
}
function sift(i, len,    c, x) {
	while ((c = 2 * i + 1) < len) {
		if (c + 1 < len && v[c + 1] > v[c]) c++
		if (v[i] >= v[c]) return
		x = v[i]; v[i] = v[c]; v[c] = x; i = c
	}
}' "$1"
