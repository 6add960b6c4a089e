#!/usr/bin/env bash
# bench/events.sh — what an events stream buys on Prophet's Peyton Manning
# series: pcs-forecast with and without -e, beside R prophet with and
# without the same holidays.
#
#   make bench-events     # = bash bench/events.sh
#
# Data: PCS_DATA (default ../shared/data from the project root)
# prophet/example_wp_log_peyton_manning.csv: daily log page views (ds,y),
# 2007-12-10 to 2016-01-20, some days missing.  It becomes a metrics stream,
# one row a day: ts = the day at 00:00 UTC, group = peyton-manning, rps = y
# (already log scale, all positive).  Events: testdata/events/peyton-manning.csv
# (the playoff and Super Bowl dates of Prophet's documentation for this
# series; see testdata/events/README.md).
#
# Rolling origin: for every event that starts on or after EV_FROM (2010-01-01)
# and inside the data, one origin EV_LEADS (1 7 14) days before its start;
# when that day is missing from the data, the last day before it that is
# there.  At each origin every method sees the rows up to the origin only,
# and forecasts the next EV_H (30) days (pcs: -H 1d..30d, the mean column;
# prophet: yhat).  The events file is given whole at every origin (events
# are announced in advance, as holidays are in Prophet's example).
#
# Scores, on the log scale as in Prophet's example: MAE and RMSE over all
# (origin, target day) pairs that have an observation, split into event days
# (each day of an event and the day after it: Prophet's lower_window 0,
# upper_window 1) and all other days.  Every method must score exactly the
# same pairs, or the script fails.
#
# Rows: pcs-forecast --model reg, --model reg -e EVENTS, --model auto, --model
# auto -e EVENTS (all --step 1d --window 520w -q 0.5, pinned to one CPU with
# taskset when it exists); R prophet (Rscript bench/events/prophet.R: yearly
# and weekly seasonality, no daily, MAP fit; pinned to one CPU as well)
# without holidays and with the
# events as holidays (lower_window 0, upper_window 1).  A pcs-forecast that
# refuses --model reg or -e with a usage error (exit status 2 or 64) has its
# rows skipped with a message; without Rscript or the prophet package
# (Debian: r-cran-prophet) the prophet rows are skipped likewise.
# CPU seconds: pcs, user + system of all its runs (one process per origin),
# the median of BENCH_REPEAT (3) repetitions; prophet, the fits and
# predictions as R's proc.time() counts them (one repetition), and the whole
# Rscript process beside it (start-up and package loading included).
#
# Environment: PCS_FORECAST, PCS_DATA, BENCH_REPEAT, CC, EV_FROM, EV_LEADS,
# EV_H, RSCRIPT (default Rscript; EV_PROPHET=0 skips prophet).
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
no_args "$@"
cd "$ROOT" || exit 1

DATA=${PCS_DATA:-../shared/data}/prophet/example_wp_log_peyton_manning.csv
EVENTS=$ROOT/testdata/events/peyton-manning.csv
FROM=${EV_FROM:-2010-01-01}
LEADS=${EV_LEADS:-1 7 14}
H=${EV_H:-30}
RSCRIPT=${RSCRIPT:-Rscript}
GROUP=peyton-manning
[[ -r $DATA ]] || die "cannot read $DATA"
[[ -r $EVENTS ]] || die "cannot read $EVENTS"
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPEAT wants a positive integer"
[[ $H =~ ^[1-9][0-9]*$ ]] || die "EV_H wants a positive integer"
[[ $FROM =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "EV_FROM wants a date (YYYY-MM-DD)"
for k in $LEADS; do
	[[ $k =~ ^[0-9]+$ ]] || die "EV_LEADS wants whole numbers of days"
done

OUT="$BUILD/events"
mkdir -p "$OUT/hist" "$OUT/fc" || die "cannot create $OUT"
rm -f "$OUT"/hist/* "$OUT"/fc/* "$OUT"/*.csv "$OUT"/*.txt
build_helper runstat
need_forecast

# Day numbers (days since 1970-01-01) to and from YYYY-MM-DD, for awk.
DATES_AWK='
function dnum(s,  y, m, d, a) {
	y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
	if (m <= 2) { y--; m += 12 }
	a = int(y / 100)
	return 365 * y + int(y / 4) - a + int(a / 4) + int((153 * (m - 3) + 2) / 5) + d - 719469
}
function dstr(n,  y, m, d, doy, mp, yoe, era, doe) {
	n += 719468
	era = int(n / 146097); doe = n - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	if (m <= 2) y++
	return sprintf("%04d-%02d-%02d", y, m, d)
}'

# The series: "day y" (quotes and CRs dropped), sorted, and as metrics.
awk -F, 'NR > 1 { gsub(/["\r]/, ""); if ($1 != "" && $2 != "") print $1, $2 }' "$DATA" |
	sort >"$OUT/series.txt"
[[ -s $OUT/series.txt ]] || die "$DATA holds no rows"
awk -v g="$GROUP" 'BEGIN { print "ts,group,rps" } { printf "%sT00:00:00Z,%s,%s\n", $1, g, $2 }' \
	"$OUT/series.txt" >"$OUT/metrics.csv"
awk 'BEGIN { print "ds,y" } { print $1 "," $2 }' "$OUT/series.txt" >"$OUT/prophet-data.csv"
first=$(head -n 1 "$OUT/series.txt" | cut -d' ' -f1)
last=$(tail -n 1 "$OUT/series.txt" | cut -d' ' -f1)

# Event days: every day of [start, end) and the day after it.  Origins:
# LEADS days before each start in [FROM, last], moved back to a day with data.
awk -F, "$DATES_AWK"'
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ s = dnum($c["start"]); e = dnum($c["end"]); if (e <= s) e = s + 1
	  for (d = s; d <= e; d++) print dstr(d) }' "$EVENTS" | sort -u >"$OUT/event-days.txt"
awk -F, -v from="$FROM" -v last="$last" -v first="$first" -v leads="$LEADS" "$DATES_AWK"'
	FNR == NR { split($0, f, " "); have[f[1]] = 1; next }
	FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ s = substr($c["start"], 1, 10)
	  if (s < from || s > last) next
	  nl = split(leads, L, " ")
	  for (i = 1; i <= nl; i++) {
		o = dnum(s) - L[i]
		while (!(dstr(o) in have) && dstr(o) >= first) o--
		if (dstr(o) >= first) print dstr(o)
	  } }' "$OUT/series.txt" "$EVENTS" | sort -u >"$OUT/origins.txt"
mapfile -t origins <"$OUT/origins.txt"
((${#origins[@]} > 0)) || die "no event starts on or after $FROM inside the data ($first to $last)"
nev=$(awk -F, -v from="$FROM" -v last="$last" 'NR > 1 { s = substr($1, 1, 10); if (s >= from && s <= last) n++ } END { print n + 0 }' "$EVENTS")

# One history file per origin: the rows up to that day.
for o in "${origins[@]}"; do
	awk -F, -v o="$o" 'NR == 1 || substr($1, 1, 10) <= o' "$OUT/metrics.csv" >"$OUT/hist/$o.csv"
done

printf '# Prophet example_wp_log_peyton_manning: %s to %s, %s days; %s events from %s (%s), leads %s d -> %s origins; horizons 1..%s d\n' \
	"$first" "$last" "$(wc -l <"$OUT/series.txt")" "$nev" "$FROM" "${EVENTS#"$ROOT"/}" \
	"${LEADS// /,}" "${#origins[@]}" "$H"
machine_line

PCS_BASE=(--step 1d --window 520w -H "1d..${H}d" -q 0.5)
rows=()    # "label|events|method-file"
skipped=() # messages

# pcs_supported LABEL ARGS...: run ARGS on the first history; 0 when it works,
# 1 on a usage error (status 2 or 64: the binary lacks an option or model),
# dies on any other failure.
pcs_supported() {
	local label=$1 rc=0
	shift
	"$PCS_RUN" "${PCS_BASE[@]}" "$@" "$OUT/hist/${origins[0]}.csv" >/dev/null 2>"$OUT/probe.err" || rc=$?
	case $rc in
	0) return 0 ;;
	2 | 64)
		skipped+=("$label: skipped, pcs-forecast refuses it (status $rc: $(head -n 1 "$OUT/probe.err"))")
		return 1
		;;
	*)
		note "$label failed with status $rc:"
		head -n 5 "$OUT/probe.err" >&2
		exit 1
		;;
	esac
}

# pcs_method NAME ARGS...: every origin once for the forecasts ("origin target
# value" lines in fc/NAME.txt), then BENCH_REPEAT times for the CPU seconds.
pcs_method() {
	local name=$1 o r stats
	stats="$OUT/fc/$name.stats"
	shift
	: >"$OUT/fc/$name.txt"
	for ((r = 1; r <= REPEAT; r++)); do
		: >"$stats"
		for o in "${origins[@]}"; do
			if ! "$BUILD/runstat" -o "$stats" -O "$OUT/fc/$name.out" \
				"${PIN1[@]}" "$PCS_RUN" "${PCS_BASE[@]}" "$@" "$OUT/hist/$o.csv" 2>"$OUT/fc/$name.err"; then
				note "pcs-forecast $* failed at origin $o:"
				head -n 5 "$OUT/fc/$name.err" >&2
				exit 1
			fi
			((r > 1)) || awk -F, -v o="$o" '
				NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
				{ print o, substr($c["target"], 1, 10), $c["mean"], substr($c["issued"], 1, 10) }' \
				"$OUT/fc/$name.out" >>"$OUT/fc/$name.txt"
		done
		awk '{ s += $4 + $5 } END { printf "%.3f\n", s }' "$stats" >>"$OUT/fc/$name.cpu"
	done
	# the forecast must be issued at the origin
	awk '$4 != $1 { print "origin " $1 ": issued " $4; bad = 1; exit } END { exit bad }' "$OUT/fc/$name.txt" ||
		die "pcs-forecast $* was not issued at the origin"
	median <"$OUT/fc/$name.cpu" >"$OUT/fc/$name.cpu_s"
}

if pcs_supported "pcs reg" --model reg; then
	pcs_method reg --model reg
	rows+=("pcs --model reg|no|reg")
	if pcs_supported "pcs reg -e" --model reg -e "$EVENTS"; then
		pcs_method reg-e --model reg -e "$EVENTS"
		rows+=("pcs --model reg -e|yes|reg-e")
	fi
else
	skipped+=("pcs reg -e: skipped with pcs reg")
fi
pcs_supported "pcs auto" --model auto || die "pcs-forecast --model auto is refused"
pcs_method auto --model auto
rows+=("pcs --model auto|no|auto")
if pcs_supported "pcs auto -e" --model auto -e "$EVENTS"; then
	pcs_method auto-e --model auto -e "$EVENTS"
	rows+=("pcs --model auto -e|yes|auto-e")
fi

# prophet: both variants, if R and the package are there.
prophet_ok=1
if [[ ${EV_PROPHET:-1} == 0 ]]; then
	skipped+=("prophet: skipped (EV_PROPHET=0)")
	prophet_ok=0
elif ! command -v "$RSCRIPT" >/dev/null 2>&1; then
	skipped+=("prophet: skipped, $RSCRIPT not found (Debian: apt-get install r-cran-prophet)")
	prophet_ok=0
elif ! TZ=UTC "$RSCRIPT" -e 'suppressPackageStartupMessages(library(prophet))' >"$OUT/probe.err" 2>&1; then
	skipped+=("prophet: skipped, the R package prophet is not installed (Debian: r-cran-prophet)")
	prophet_ok=0
fi
if ((prophet_ok)); then
	for mode in none holidays; do
		if ! TZ=UTC "$BUILD/runstat" -o "$OUT/fc/prophet-$mode.stats" -O "$OUT/fc/prophet-$mode.log" \
			"${PIN1[@]}" "$RSCRIPT" "$BENCH_DIR/events/prophet.R" "$OUT/prophet-data.csv" "$EVENTS" \
			"$OUT/origins.txt" "$H" "$mode" "$OUT/fc/prophet-$mode.csv" 2>"$OUT/fc/prophet-$mode.err"; then
			note "prophet ($mode) failed:"
			tail -n 5 "$OUT/fc/prophet-$mode.err" >&2
			exit 1
		fi
		awk -F, 'NR > 1 { print $1, $2, $3, $1 }' "$OUT/fc/prophet-$mode.csv" >"$OUT/fc/prophet-$mode.txt"
		awk '$1 == "cpu_s" { print $2 }' "$OUT/fc/prophet-$mode.log" >"$OUT/fc/prophet-$mode.cpu_s"
		awk '{ printf "%.3f\n", $4 + $5 }' "$OUT/fc/prophet-$mode.stats" >"$OUT/fc/prophet-$mode.proc_s"
	done
	rows+=("prophet|no|prophet-none" "prophet, holidays|yes|prophet-holidays")
fi

# score NAME: "n_ev mae_ev rmse_ev n_other mae_other rmse_other pairs" over
# the forecasts of fc/NAME.txt whose target has an observation and lies in
# (origin, origin + H]; the pairs' checksum goes to fc/NAME.pairs.
score() {
	{
		sed 's/^/y /' "$OUT/series.txt"
		sed 's/^/e /' "$OUT/event-days.txt"
		sed 's/^/f /' "$OUT/fc/$1.txt"
	} | awk -v H="$H" -v pairs="$OUT/fc/$1.pairs" "$DATES_AWK"'
		$1 == "y" { y[$2] = $3; next }
		$1 == "e" { ev[$2] = 1; next }
		{ o = $2; t = $3; f = $4
		  h = dnum(t) - dnum(o)
		  if (h < 1 || h > H || !(t in y)) next
		  if ((o, t) in seen) { dup = 1; next }
		  seen[o, t] = 1
		  print o, t > pairs
		  d = f - y[t]; k = (t in ev) ? "e" : "o"
		  n[k]++; a[k] += d < 0 ? -d : d; s[k] += d * d }
		END {
			if (dup) { print "duplicate forecasts" > "/dev/stderr"; exit 1 }
			for (i = 1; i <= 2; i++) {
				k = i == 1 ? "e" : "o"
				if (n[k]) printf "%d %.4f %.4f ", n[k], a[k] / n[k], sqrt(s[k] / n[k])
				else printf "0 - - "
			}
			print ""
		}'
}

# A reference without any model, in awk: the seasonal naive of period 7
# (the value of the same weekday in the last week before the origin, or the
# last observed day before that one when it is missing).
awk -v H="$H" "$DATES_AWK"'
	FNR == NR { y[$1] = $2; next }
	{ o = dnum($1)
	  for (h = 1; h <= H; h++) {
		d = o - 7 + (h - 1) % 7 + 1
		while (!(dstr(d) in y) && d > o - 400) d--
		if (dstr(d) in y) print $1, dstr(o + h), y[dstr(d)], $1
	  } }' "$OUT/series.txt" "$OUT/origins.txt" >"$OUT/fc/snaive7.txt"
echo - >"$OUT/fc/snaive7.cpu_s"
rows=("ref snaive 7d (awk)|no|snaive7" "${rows[@]}")

# Checks of the scorer: the observations themselves score 0, and the
# observations + 0.25 score MAE = RMSE = 0.25 on both parts, on the pairs of
# the reference.
awk -v H="$H" "$DATES_AWK"'
	FNR == NR { y[$1] = $2; next }
	{ o = dnum($1); for (h = 1; h <= H; h++) if (dstr(o + h) in y) print $1, dstr(o + h), y[dstr(o + h)], $1 }' \
	"$OUT/series.txt" "$OUT/origins.txt" >"$OUT/fc/check-exact.txt"
awk '{ printf "%s %s %.10g %s\n", $1, $2, $3 + 0.25, $4 }' "$OUT/fc/check-exact.txt" >"$OUT/fc/check-offset.txt"
read -r c_ne c_me c_re c_no c_mo c_ro < <(score check-exact) || die "scoring the check failed"
[[ $c_me == 0.0000 && $c_re == 0.0000 && $c_mo == 0.0000 && $c_ro == 0.0000 ]] ||
	die "scorer check: the observations score $c_me $c_re $c_mo $c_ro, not 0"
read -r c_ne2 c_me c_re c_no2 c_mo c_ro < <(score check-offset) || die "scoring the check failed"
[[ $c_me == 0.2500 && $c_re == 0.2500 && $c_mo == 0.2500 && $c_ro == 0.2500 &&
	$c_ne2 == "$c_ne" && $c_no2 == "$c_no" ]] ||
	die "scorer check: the observations + 0.25 score $c_me $c_re $c_mo $c_ro, not 0.25"

table=("method|events|event pts|MAE event|RMSE event|other pts|MAE other|RMSE other|CPU s")
declare -A mae_ev rmse_ev
ref_pairs=""
for row in "${rows[@]}"; do
	IFS='|' read -r label ev name <<<"$row"
	read -r ne me re no mo ro < <(score "$name") || die "scoring $label failed"
	sort -o "$OUT/fc/$name.pairs" "$OUT/fc/$name.pairs"
	if [[ -z $ref_pairs ]]; then
		ref_pairs=$OUT/fc/$name.pairs
	elif ! cmp -s "$ref_pairs" "$OUT/fc/$name.pairs"; then
		die "$label scored other (origin, day) pairs than ${rows[0]%%|*}: see $OUT/fc/"
	fi
	cpu=$(cat "$OUT/fc/$name.cpu_s")
	[[ ! -f $OUT/fc/$name.proc_s ]] || cpu="$cpu ($(cat "$OUT/fc/$name.proc_s") process)"
	table+=("$label|$ev|$ne|$me|$re|$no|$mo|$ro|$cpu")
	mae_ev[$name]=$me
	rmse_ev[$name]=$re
done
echo
printf '%s\n' "${table[@]}" | print_table
for s in "${skipped[@]}"; do
	echo "$s"
done

# reduction WITHOUT WITH: the change of the event-day MAE and RMSE.
reduction() {
	awk -v a="${mae_ev[$1]}" -v b="${mae_ev[$2]}" -v c="${rmse_ev[$1]}" -v d="${rmse_ev[$2]}" '
		function pct(x, y) { return x > 0 ? 100 * (y - x) / x : 0 }
		BEGIN { p = pct(a, b); q = pct(c, d); printf "MAE %s -> %s (%+.1f%%), RMSE %s -> %s (%+.1f%%)", a, b, p, c, d, q }'
}
line="event days, without -> with the events:"
sep=""
if [[ -n ${mae_ev[reg-e]-} ]]; then
	line="$line pcs reg $(reduction reg reg-e)"
	sep=";"
fi
if [[ -n ${mae_ev[auto-e]-} ]]; then
	line="$line$sep pcs auto $(reduction auto auto-e)"
	sep=";"
fi
if [[ -n ${mae_ev[prophet-holidays]-} ]]; then
	line="$line$sep prophet $(reduction prophet-none prophet-holidays)"
	sep=";"
fi
[[ -n $sep ]] || line="$line nothing to compare (no method ran with and without them)"
echo
echo "$line"
echo "# CPU s: pcs, all ${#origins[@]} origins (median of $REPEAT repetitions); prophet, fit + predict in R (one repetition; the whole Rscript process in parentheses)"
