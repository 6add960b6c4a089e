#!/usr/bin/env bash
# bench/onset.sh — how many minutes earlier pcs-risk reaches its high level
# before the surges of the real traces when pcs-forecast lifts its forecast
# on an upward onset, against the same forecast with --no-onset (issue 9).
#
#   make bench-onset      # = bash bench/onset.sh
#
# Traces (PCS_DATA/traces, default ../shared/data/traces), converted into
# metrics streams `ts,group,rps` with ts in Unix seconds:
#   nasa_http_1995_per_minute.csv     requests per minute, local time UTC-4:
#                                     the clock + 4 h, rps = requests / 60
#                                     (as bench/replay.sh: ts + "-04:00");
#   twitter_stream_2021_per_minute.csv  records per second: as is.
#
# Capacity and surges, from each trace alone by a rule fixed before any pcs
# run and never changed after (the sizing rule of bench/replay-topology.sh
# and the surge rule of pcs-replay(1), "Surges and lead time"):
#   L       = the 95th percentile of rps over the trace's first 7 days
#             (sorted values v[0..n-1], v[floor(0.95 (n - 1))]): the
#             capacity of the one POP of the capacity snapshot given to
#             pcs-risk (pop iad, capacity_rps L, load_rps the rps at the
#             origin);
#   surge   = a minute whose rps is above L after at least ON_QUIET_MIN (30)
#             observed minutes in a row at or below L; its onset is that
#             minute, offset 0.  Only onsets at least 7 days + ON_BEFORE
#             minutes after the first row (so every origin is past the first
#             week, the warm-up of pcs-replay).  With more than ON_SURGES
#             (20) such surges, ON_SURGES of them evenly spread by rank over
#             the trace (the i-th of n kept for i = floor((j + 0.5) n /
#             ON_SURGES), j = 0..ON_SURGES-1), so that the whole trace is
#             sampled and not its first days.
#
# Rolling origin: for each surge, origins at the rows ON_BEFORE (30) before
# its onset to ON_AFTER (10) after, in order.  At each origin pcs-forecast
# sees the rows up to and including it, at most ON_WINDOW (4w, as
# bench/horizons.sh) of them, and runs twice, `--window 4w -H 5m,15m,30m`
# (default quantiles 0.5, 0.9, 0.95, 0.99) with and without --no-onset; each
# forecast goes to pcs-risk (default cuts 0.05, 0.2, 0.5) twice, alone and
# with --current.  The level is "high" when pcs-risk puts the POP at high
# or critical (risk >= 0.2 at some horizon).  A surge's crossing is the
# first origin whose level is high; after the origin where both forecasts
# (without --current) have crossed, the surge's later origins are skipped,
# since they cannot change a first crossing.
#
# Reported per surge and in total per trace: the offset of the first high
# origin with the onset lift (on) and without (off), the minutes earlier
# (off - on; positive when the lift is earlier), and over the surges where
# both crossed their median and mean and the counts earlier / same / later;
# surges crossed only with the lift, only without, neither; how many were
# already high at the first origin (left-censored: "same" says nothing
# there); the first offset at which the lift was on (the forecast with the
# lift differs from the one without).  The same with --current.  The
# baseline is the naive alarm "load now > capacity", which fires at offset
# 0 on every surge by the definition of a surge (checked).
#
# False alarms, the price of alarming earlier: ON_CALM (40) calm origins
# per trace, evenly spread by rank over the minutes after the first week
# whose rps and the next 30 minutes' are all at or below L; the share of
# them that pcs-risk (without --current, which says nothing there) puts at
# high, with and without the lift.
#
# CPU seconds: user + system of every pcs-forecast invocation, with and
# without the lift, and of pcs-risk.  Runs go ON_JOBS (2) at a time.  The
# warnings the tools wrote, counted (a warning does not fail the script).
#
# Exit status 1: a trace cannot be read, a run fails or writes no level,
# a trace has no surge, or a check fails.
#
# Environment: PCS_FORECAST, PCS_RISK (default bin/...), PCS_DATA,
# ON_WINDOW, ON_BEFORE, ON_AFTER, ON_QUIET_MIN, ON_SURGES, ON_CALM, ON_JOBS,
# CC.  Files: bench/build/onset/.
set -euo pipefail

# shellcheck source=bench/lib.sh disable=SC1091 # followed with shellcheck -x
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

no_args "$@"
cd "$ROOT"
DATA=${PCS_DATA:-../shared/data}/traces
PCS_RISK=${PCS_RISK:-$ROOT/bin/pcs-risk}
ON_WINDOW=${ON_WINDOW:-4w}
ON_BEFORE=${ON_BEFORE:-30}
ON_AFTER=${ON_AFTER:-10}
ON_QUIET_MIN=${ON_QUIET_MIN:-30}
ON_SURGES=${ON_SURGES:-20}
ON_CALM=${ON_CALM:-40}
ON_JOBS=${ON_JOBS:-2}
for v in ON_BEFORE ON_AFTER ON_QUIET_MIN ON_SURGES ON_JOBS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v: a positive integer"
done
[[ $ON_CALM =~ ^[0-9]+$ ]] || die "ON_CALM: a number"
((ON_BEFORE <= ON_QUIET_MIN)) || die "ON_BEFORE must not exceed ON_QUIET_MIN (the origins before an onset are its quiet minutes)"
NASA=$DATA/nasa_http_1995_per_minute.csv
TWITTER=$DATA/twitter_stream_2021_per_minute.csv
for f in "$NASA" "$TWITTER"; do
	[[ -r $f ]] || die "cannot read $f: the traces are in ../shared/data/traces (see ../shared/data/README.md; PCS_DATA moves the data)"
done
[[ -x $PCS_RISK ]] || die "$PCS_RISK not found: run 'make' first (or set PCS_RISK)"

OUT="$BUILD/onset"
rm -rf "$OUT"
mkdir -p "$OUT" || die "cannot create $OUT"
build_helper runstat
need_forecast
RISK_RUN="$BUILD/pcs-risk.onset.sh.snapshot"
cp "$PCS_RISK" "$RISK_RUN" || die "cannot copy $PCS_RISK"
started=$SECONDS

WIN=$(duration_s "$ON_WINDOW") || die "ON_WINDOW: a duration such as 4w, 20d or 480h"

# plan_trace NAME: $OUT/NAME.L (capacity), NAME.surges (one line per surge
# kept: id onset_ts onset_rps peak_rps span_min, span = onset to the last
# minute above L before 30 minutes at or below it) and NAME.origins (one
# line per origin: job offset_min ts first_line last_line load_rps; job is
# the surge id, or c<N> for a calm origin).  Line numbers are in
# NAME.csv, header = line 1.
plan_trace() {
	local name=$1
	awk -F, -v name="$name" -v before="$ON_BEFORE" -v after="$ON_AFTER" -v quiet="$ON_QUIET_MIN" \
		-v maxs="$ON_SURGES" -v ncalm="$ON_CALM" -v win="$WIN" -v out="$OUT/$name" '
		NR > 1 { n++; t[n] = $1 + 0; v[n] = $3 + 0 }
		END {
			start = t[1]
			for (i = 1; i <= n && t[i] - start < 7 * 86400; i++) w[m++] = v[i]
			for (i = int(m / 2) - 1; i >= 0; i--) sift(i, m)
			for (e = m - 1; e > 0; e--) { x = w[0]; w[0] = w[e]; w[e] = x; sift(0, e) }
			L = w[int(0.95 * (m - 1))]
			if (!(L > 0)) { print name ": no demand in the first week" > "/dev/stderr"; exit 1 }
			printf "%.10g\n", L > (out ".L")
			# surges: the run of minutes at or below L before i, observed
			# one minute apart
			below = 0
			for (i = 1; i <= n; i++) {
				if (i > 1 && t[i] - t[i - 1] != 60) below = 0
				if (v[i] > L) {
					if (below >= quiet && i - before >= 1 && t[i - before] >= start + 7 * 86400)
						cand[++ns] = i
					below = 0
				} else below++
			}
			if (ns == 0) { printf "%s: no surge after the first week (L = %g)\n", name, L > "/dev/stderr"; exit 1 }
			k = ns <= maxs ? ns : maxs
			for (j = 0; j < k; j++) {
				i = ns <= maxs ? cand[j + 1] : cand[int((j + 0.5) * ns / maxs) + 1]
				id = sprintf("s%02d", j + 1)
				last = i; peak = 0
				for (q = i; q <= n && t[q] - t[last] <= 1800; q++)
					if (v[q] > L) { last = q; if (v[q] > peak) peak = v[q] }
				printf "%s %d %.6g %.6g %d\n", id, t[i], v[i], peak, (t[last] - t[i]) / 60 + 1 > (out ".surges")
				for (q = i - before; q <= i + after && q <= n; q++)
					origin(id, (t[q] - t[i]) / 60, q)
			}
			# calm origins: after the first week, rps at or below L at the
			# origin and over the next 30 minutes, which must be observed
			nc = 0
			for (i = 1; i <= n; i++) {
				if (t[i] < start + 7 * 86400) continue
				ok = v[i] <= L
				for (q = i + 1; ok && q <= n && t[q] <= t[i] + 1800; q++) ok = v[q] <= L
				if (ok && q <= n && t[q - 1] == t[i] + 1800) calm[++nc] = i
			}
			k = nc <= ncalm ? nc : ncalm
			for (j = 0; j < k; j++) {
				i = nc <= ncalm ? calm[j + 1] : calm[int((j + 0.5) * nc / ncalm) + 1]
				origin(sprintf("c%02d", j + 1), 0, i)
			}
			printf "%s: L = %g rps; %d surges after the first week, %d kept; %d calm minutes, %d kept\n",
				name, L, ns, (ns <= maxs ? ns : maxs), nc, k > "/dev/stderr"
		}
		# the rows from the first one less than win before t[q] to q; +1
		# for the header line
		function origin(id, off, q,    s) {
			s = q
			while (s > 1 && t[s - 1] > t[q] - win) s--
			printf "%s %d %d %d %d %.10g\n", id, off, t[q], s + 1, q + 1, v[q] > (out ".origins")
		}
		function sift(i, len,    c, x) {
			while ((c = 2 * i + 1) < len) {
				if (c + 1 < len && w[c + 1] > w[c]) c++
				if (w[i] >= w[c]) return
				x = w[i]; w[i] = w[c]; w[c] = x; i = c
			}
		}' "$OUT/$name.csv"
}

# level_of FILE: "level risk" of pcs-risk's output (one POP: every row has
# the same), or nothing.
level_of() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		NR == 2 { print $(c["level"]), $(c["risk"]); exit }' "$1"
}

# mean_at FILE H T: the mean column of pcs-forecast's output at horizon H
# s, or nothing when the forecast was not issued at T (the origin).
mean_at() {
	awk -F, -v h="$2" -v t="$3" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$(c["issued"]) != t { exit }
		$(c["horizon_s"]) == h { print $(c["mean"]); exit }' "$1"
}

# run_job NAME JOB: the origins of one surge (or calm origin) of trace NAME,
# in order; a line per origin run to $OUT/res/NAME-JOB.res:
#   trace job offset ts load level_on level_off levelc_on levelc_off
#   risk_on risk_off lift
# (levelc: with --current; lift: the mean at 5 minutes with the lift less
# the one without).  Exit status 1 on the first failed run.
run_job() {
	local name=$1 job=$2 dir="$OUT/work/$1-$2" res="$OUT/res/$1-$2" j off ts a b load
	local v extra lev risk levc lev2 risk2 levc2 mean_on mean_off done_on=0 done_off=0
	mkdir -p "$dir" || return 1
	: >"$res.res"
	while read -r j off ts a b load; do
		[[ $j == "$job" ]] || continue
		{
			echo "ts,group,rps"
			sed -n "${a},${b}p;${b}q" "$OUT/$name.csv"
		} >"$dir/slice"
		printf 'pop,group,capacity_rps,load_rps\niad,%s,%s,%s\n' "$name" "$(cat "$OUT/$name.L")" "$load" \
			>"$dir/cap"
		for v in on off; do
			extra=()
			[[ $v == off ]] && extra=(--no-onset)
			"$BUILD/runstat" -o "$res.fc-$v.stats" -i "$dir/slice" -O "$dir/fc-$v" \
				"$PCS_RUN" "${extra[@]}" --window "$ON_WINDOW" -H 5m,15m,30m --epoch 2>"$dir/err" || {
				note "$name $job: pcs-forecast${extra[*]:+ ${extra[*]}} failed (status $?) at origin $ts (offset $off): $(head -n 3 "$dir/err")"
				return 1
			}
			cat "$dir/err" >>"$res.warnings"
			if ! "$BUILD/runstat" -o "$res.risk.stats" -i "$dir/fc-$v" -O "$dir/risk-$v" \
				"$RISK_RUN" -c "$dir/cap" 2>"$dir/err" ||
				! "$BUILD/runstat" -o "$res.risk.stats" -i "$dir/fc-$v" -O "$dir/riskc-$v" \
					"$RISK_RUN" -c "$dir/cap" --current 2>>"$dir/err"; then
				note "$name $job: pcs-risk failed at origin $ts (offset $off): $(head -n 3 "$dir/err")"
				return 1
			fi
			cat "$dir/err" >>"$res.warnings"
		done
		lev="" lev2="" levc="" levc2=""
		read -r lev risk < <(level_of "$dir/risk-on") || true
		read -r lev2 risk2 < <(level_of "$dir/risk-off") || true
		read -r levc _ < <(level_of "$dir/riskc-on") || true
		read -r levc2 _ < <(level_of "$dir/riskc-off") || true
		mean_on=$(mean_at "$dir/fc-on" 300 "$ts")
		mean_off=$(mean_at "$dir/fc-off" 300 "$ts")
		if [[ -z $lev || -z $lev2 || -z $levc || -z $levc2 || -z $mean_on || -z $mean_off ]]; then
			note "$name $job: no level, or no forecast issued at the origin, at origin $ts (offset $off)"
			return 1
		fi
		echo "$name $job $off $ts $load $lev $lev2 $levc $levc2 $risk $risk2 $(awk -v a="$mean_on" -v b="$mean_off" 'BEGIN { printf "%.6g", a - b }')" \
			>>"$res.res"
		# a surge's first crossings are known once both forecasts crossed
		[[ $lev == high || $lev == critical ]] && done_on=1
		[[ $lev2 == high || $lev2 == critical ]] && done_off=1
		if ((done_on && done_off)); then break; fi
	done <"$OUT/$name.origins"
	rm -rf "$dir"
}

trace_metrics "$NASA" nasa 60 -14400 >"$OUT/nasa.csv" || die "cannot convert $NASA"
trace_metrics "$TWITTER" twitter 1 >"$OUT/twitter.csv" || die "cannot convert $TWITTER"
for name in nasa twitter; do
	plan_trace "$name" 2>>"$OUT/plan.notes" || { cat "$OUT/plan.notes" >&2; die "$name: no surge to measure"; }
done
cat "$OUT/plan.notes" >&2
note "$(cat "$OUT"/*.origins | wc -l) origins at most, two forecasts each, $ON_JOBS at a time"

# The jobs, ON_JOBS at a time, each started as soon as one ends (the
# surges that never cross run all their origins, the others stop early).
mkdir -p "$OUT/res" "$OUT/work" || die "cannot create $OUT/res"
failed=0
for name in nasa twitter; do
	mapfile -t job_list < <(awk '!seen[$1]++ { print $1 }' "$OUT/$name.origins")
	for job in "${job_list[@]}"; do
		while (($(jobs -pr | wc -l) >= ON_JOBS)); do
			wait -n || failed=1
		done
		((failed == 0)) || break 2
		run_job "$name" "$job" &
	done
done
if ((failed)); then
	# stop the jobs still running (ours, by process id): the run has failed
	mapfile -t running < <(jobs -pr)
	((${#running[@]} == 0)) || kill "${running[@]}" 2>/dev/null || true
fi
while (($(jobs -pr | wc -l) > 0)); do
	wait -n || failed=1
done
((failed == 0)) || die "a run failed (files: $OUT/)"
cat "$OUT"/res/*.res >"$OUT/all.res"

# ---- report ----
elapsed=$((SECONDS - started))
echo "== the onset lift: minutes earlier that pcs-risk reaches high before a surge =="
machine_line | sed '$d'
echo "# origins $ON_BEFORE minutes before each onset to $ON_AFTER after; history at most $ON_WINDOW (--window $ON_WINDOW);"
echo "# pcs-forecast -H 5m,15m,30m, with the lift (on) and --no-onset (off); pcs-risk -c (one POP of capacity L), cuts 0.05,0.2,0.5"

# summary NAME: the per-surge table ("|"-separated), then lines "T|text"
# for the totals and "S|trace|mode|surge|on|off" for the table of both
# traces.  Exit 1 when a check fails.
summary() {
	local name=$1
	awk -v name="$name" -v before="$ON_BEFORE" -v L="$(cat "$OUT/$name.L")" '
		function hi(l) { return l == "high" || l == "critical" }
		function utc(s,    d, y, m, doe, yoe, doy, mp, era, z) {
			# civil from days (H. Hinnant)
			z = int(s / 86400) + 719468; era = int(z / 146097); doe = z - era * 146097
			yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
			y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
			mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
			m = mp + (mp < 10 ? 3 : -9); y += m <= 2
			return sprintf("%04d-%02d-%02d %02d:%02d", y, m, d, int((s % 86400) / 3600), int((s % 3600) / 60))
		}
		FILENAME ~ /\.surges$/ { ns++; id[ns] = $1; ots[$1] = $2; orps[$1] = $3; peak[$1] = $4; span[$1] = $5; next }
		$1 != name { next }
		{
			j = $2; off = $3 + 0
			if (j ~ /^c/) { nc++; con += hi($6); coff += hi($7); next }
			if (off == -before) { first[j] = 1; if ($5 > L) { printf "check: %s %s: rps above L at offset %d\n", name, j, off > "/dev/stderr"; bad = 1 } }
			if (off == 0 && !($5 > L)) { printf "check: %s %s: rps not above L at the onset\n", name, j > "/dev/stderr"; bad = 1 }
			if (!(j in fon) && hi($6)) fon[j] = off
			if (!(j in foff) && hi($7)) foff[j] = off
			if (!(j in fcon) && hi($8)) fcon[j] = off
			if (!(j in fcoff) && hi($9)) fcoff[j] = off
			if (!(j in flift) && ($12 > 1e-9 || $12 < -1e-9)) flift[j] = off
		}
		function show(a, j) { return (j in a) ? (a[j] == -before ? "<=" a[j] : a[j]) : "never" }
		function diff(a, b, j) { return (j in a && j in b) ? sprintf("%+d", b[j] - a[j]) : "-" }
		function raw(a, j) { return (j in a) ? a[j] : "never" }
		END {
			printf "surge|onset (UTC)|rps at onset|peak|minutes|on|off|earlier|on, --current|off, --current|earlier|lift from\n"
			for (i = 1; i <= ns; i++) {
				j = id[i]
				if (!(j in first)) { printf "check: %s %s: no result at offset %d\n", name, j, -before > "/dev/stderr"; bad = 1 }
				printf "%s|%s|%.4g|%.4g|%d|%s|%s|%s|%s|%s|%s|%s\n", j, utc(ots[j]), orps[j], peak[j], span[j],
					show(fon, j), show(foff, j), diff(fon, foff, j), show(fcon, j), show(fcoff, j), diff(fcon, fcoff, j),
					(j in flift) ? flift[j] : "-"
				printf "S|%s|forecast|%s|%s|%s\n", name, j, raw(fon, j), raw(foff, j)
				printf "S|%s|--current|%s|%s|%s\n", name, j, raw(fcon, j), raw(fcoff, j)
			}
			nl = 0; for (i = 1; i <= ns; i++) if (id[i] in flift) { nl++; ls = ls " " id[i] " " flift[id[i]] "," }
			sub(/,$/, "", ls)
			printf "T|the lift on (forecast with it != without) at an origin run: %d of %d surges; from offset:%s\n", nl, ns, (nl ? ls : " -")
			if (nc) printf "T|calm origins (rps at or below L from the origin to 30 minutes after): high at %d of %d with the lift (%.1f%%), %d (%.1f%%) without\n", con, nc, 100 * con / nc, coff, 100 * coff / nc
			exit bad
		}' "$OUT/$name.surges" "$OUT/all.res"
}

# totals: "S|trace|mode|surge|on|off" lines on stdin, the table of totals
# per trace and mode and over both traces.
totals() {
	awk -F'|' -v before="$ON_BEFORE" '
		{ key = $2 "|" $3; add(key); add("both|" $3) }
		function add(k) {
			if (!(k in ns)) order[++nk] = k
			ns[k]++
			if ($5 != "never" && $6 != "never") {
				d = $6 - $5; nb[k]++; sum[k] += d; v[k, nb[k]] = d
				if (d > 0) e[k]++; else if (d < 0) l[k]++; else s[k]++
				if ($5 == -before && $6 == -before) cen[k]++
			} else if ($5 != "never") oa[k]++
			else if ($6 != "never") ob[k]++
			else ne[k]++
		}
		END {
			print "trace|risk from|surges|high with and without|median|mean|earlier/same/later|already high|only with|only without|neither"
			for (q = 1; q <= 2; q++) for (i = 1; i <= nk; i++) {
				k = order[i]
				if ((q == 1) != (k !~ /^both\|/)) continue
				n = nb[k] + 0
				for (a = 2; a <= n; a++) { x = v[k, a]; for (b = a - 1; b >= 1 && v[k, b] > x; b--) v[k, b + 1] = v[k, b]; v[k, b + 1] = x }
				med = n == 0 ? "-" : (n % 2 ? v[k, (n + 1) / 2] : (v[k, n / 2] + v[k, n / 2 + 1]) / 2)
				split(k, kk, "|")
				printf "%s|%s|%d|%d|%s|%s|%d/%d/%d|%d|%d|%d|%d\n", kk[1], (kk[2] == "forecast" ? "forecast alone" : "forecast + --current"),
					ns[k], n, med, n ? sprintf("%.2f", sum[k] / n) : "-", e[k], s[k], l[k], cen[k], oa[k], ob[k], ne[k]
			}
		}'
}

rc=0
for name in nasa twitter; do
	echo
	case $name in
	nasa) echo "NASA HTTP 1995 ($NASA, rps = requests/60), L = $(cat "$OUT/nasa.L") rps:" ;;
	twitter) echo "Twitter stream 2021 ($TWITTER, rps), L = $(cat "$OUT/twitter.L") rps:" ;;
	esac
	summary "$name" >"$OUT/$name.summary" || rc=1
	grep -v '^[TS]|' "$OUT/$name.summary" | print_table
	echo "  (offsets in minutes from the onset, the first origin at which pcs-risk says high or critical;"
	echo "  \"<=-$ON_BEFORE\": already high at the first origin; earlier = off - on, > 0 when the lift is earlier)"
	sed -n 's/^T|/  /p' "$OUT/$name.summary"
done

echo
echo "Minutes earlier with the lift than with --no-onset, over the surges where both reached high:"
cat "$OUT"/nasa.summary "$OUT"/twitter.summary | grep '^S|' | totals | print_table
echo "  (baseline, the naive alarm \"load now > L\": high at offset 0 on every surge, by the surge rule;"
echo "  --current adds it to pcs-risk, so with --current no surge is later than 0)"

# CPU seconds
cpu() { cat "$OUT"/res/*."$1".stats | awk '{ t += $4 + $5; n++ } END { printf "%.1f s over %d runs (%.0f ms each)", t, n, n ? 1000 * t / n : 0 }'; }
echo
echo "CPU: pcs-forecast with the lift $(cpu fc-on); --no-onset $(cpu fc-off); pcs-risk $(cpu risk)"
cat "$OUT"/res/*.warnings >"$OUT/warnings"
if [[ -s $OUT/warnings ]]; then
	echo "warnings ($(wc -l <"$OUT/warnings") lines, the most frequent): $(sort "$OUT/warnings" | uniq -c | sort -rn | head -n 3 | sed 's/^ *//' | paste -sd ';' -)"
else
	echo "warnings: none"
fi
echo "run time: $elapsed s wall, $ON_JOBS runs at a time.  Files: $OUT/"
((rc == 0)) || die "a check failed (above)"
