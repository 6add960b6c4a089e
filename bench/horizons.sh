#!/usr/bin/env bash
# bench/horizons.sh — pcs-forecast at 5, 15 and 30 minutes ahead on the real
# per-minute traces, by rolling origin, against naive and seasonal naive.
#
#   bench/horizons.sh
#
# Traces (PCS_DATA/traces, default ../shared/data/traces):
#   nasa_http_1995_per_minute.csv     local time, labelled Z (only spacing
#                                     matters), rps = requests / 60;
#   twitter_stream_2021_per_minute.csv  rps as is.
# Each becomes a metrics stream (Unix seconds, group, rps).  Origins: one
# every HZ_EVERY seconds (default 3540, 59 minutes) over the last HZ_DAYS
# days (default 7) of the trace, the last one 30 minutes before the end; an
# origin must be an observed minute.  59 rather than 60 minutes so that the
# origins and targets visit every minute of the hour: the Twitter trace has
# an intra-hour pattern (large steps at minutes 2-3 and 31-33), and origins
# at whole hours would score the 5, 15 and 30 minute horizons at three
# fixed minutes of it.  At each origin pcs-forecast sees
# only the rows up to and including it, and at most HZ_WINDOW (default 4w)
# of them (the rows are cut to that span and --window HZ_WINDOW is given):
# one invocation per origin and model, `--model M -H 5m,15m,30m -q
# 0.025,0.5,0.975`, pinned to one CPU, for M = auto and every other model of
# PCS_MODELS (default "auto ensemble reg mstl ets snaive") the binary
# accepts.  Baselines at the same origins: naive (the origin's value) and
# seasonal naive, the same minute one day earlier and one week earlier.
#
# Scored per trace and horizon, on the (origin, horizon) pairs where the
# actual value and every forecast exist: MAE of the `mean` column; MASE =
# MAE / the in-sample MAE of the one-step (one-minute) naive over the
# history before the first origin (pairs of rows 60 s apart only); pcs MAE
# over the naive's and the seasonal naives'; coverage of [p2.5, p97.5].
# CPU seconds: user + system of every invocation, summed (each run once).
#
# Environment: PCS_FORECAST, PCS_MODELS, PCS_DATA, HZ_DAYS, HZ_EVERY,
# HZ_WINDOW, CC.  Exit status 1 when a run fails.  Files:
# bench/build/horizons/.
set -euo pipefail

# shellcheck source=bench/lib.sh disable=SC1091 # followed with shellcheck -x
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

no_args "$@"
cd "$ROOT"
DATA=${PCS_DATA:-../shared/data}/traces
PCS_MODELS=${PCS_MODELS:-auto ensemble reg mstl ets snaive}
HZ_DAYS=${HZ_DAYS:-7}
HZ_EVERY=${HZ_EVERY:-3540}
HZ_WINDOW=${HZ_WINDOW:-4w}
[[ $HZ_DAYS =~ ^[1-9][0-9]*$ ]] || die "HZ_DAYS: a positive number of days"
[[ $HZ_EVERY =~ ^[1-9][0-9]*$ ]] || die "HZ_EVERY: a positive number of seconds"
OUT="$BUILD/horizons"
rm -rf "$OUT"
mkdir -p "$OUT" || die "cannot create $OUT"
build_helper runstat
need_forecast
started=$SECONDS

WIN=$(duration_s "$HZ_WINDOW") || die "HZ_WINDOW: a duration such as 4w, 20d or 480h"

# Models the binary accepts (exit 64, or a usage error naming the model:
# not in this build).
models=()
skipped=()
for model in $PCS_MODELS; do
	rc=0
	printf 'ts,group,rps\n' | "$PCS_RUN" --model "$model" >/dev/null 2>"$OUT/probe-$model.err" || rc=$?
	if ((rc == 0)); then
		models+=("$model")
	elif ((rc == 64)) || grep -qi "unknown model\|model.*unknown\|--model" "$OUT/probe-$model.err"; then
		skipped+=("pcs $model: not in this build (exit $rc: $(head -n 1 "$OUT/probe-$model.err"))")
	else
		die "pcs-forecast --model $model failed on an empty stream (status $rc)"
	fi
done
[[ " ${models[*]} " == *" auto "* ]] || die "pcs-forecast has no --model auto (PCS_MODELS must include auto)"

# run_trace NAME: origins, then every model at every origin.
run_trace() {
	local name=$1 metrics="$OUT/$1.csv" t0 a b model k=0 n
	# "t0 first_line last_line" per origin (line numbers in the metrics file,
	# header = line 1), oldest first.
	awk -F, -v days="$HZ_DAYS" -v every="$HZ_EVERY" -v win="$WIN" '
		NR > 1 { ts[NR] = $1; at[$1] = NR; n = NR }
		END {
			lastorg = int((ts[n] - 1800) / 60) * 60
			for (t = lastorg - (int(days * 86400 / every) - 1) * every; t <= lastorg; t += every) {
				if (!(t in at)) continue
				e = at[t]; s = e
				while (s > 2 && ts[s - 1] > t - win) s--
				print t, s, e
			}
		}' "$metrics" >"$OUT/$name.origins"
	n=$(wc -l <"$OUT/$name.origins")
	((n > 0)) || die "$name: no origin"
	note "$name: $n origins x ${#models[@]} models"
	for model in "${models[@]}"; do : >"$OUT/$name.$model.fc" && : >"$OUT/$name.$model.stats"; done
	while read -r t0 a b; do
		k=$((k + 1))
		{
			echo "ts,group,rps"
			sed -n "${a},${b}p;${b}q" "$metrics"
		} >"$OUT/$name.slice"
		for model in "${models[@]}"; do
			"$BUILD/runstat" -o "$OUT/$name.$model.stats" -i "$OUT/$name.slice" -O "$OUT/$name.out" \
				"${PIN1[@]}" "$PCS_RUN" --model "$model" --window "$HZ_WINDOW" -H 5m,15m,30m \
				-q 0.025,0.5,0.975 --epoch 2>"$OUT/$name.err" ||
				die "$name: pcs-forecast --model $model failed at origin $t0: $(head -n 3 "$OUT/$name.err")"
			cat "$OUT/$name.err" >>"$OUT/$name.$model.stderr"
			# issued,group,region,horizon_s,target,mean,p2.5,p50,p97.5,...
			awk -F, -v t0="$t0" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
				{ if ($c["issued"] != t0) { print "issued " $c["issued"] " != origin " t0 > "/dev/stderr"; exit 1 }
				  print t0, $c["horizon_s"], $c["mean"], $c["p2.5"], $c["p97.5"] }' "$OUT/$name.out" \
				>>"$OUT/$name.$model.fc" || die "$name: bad pcs-forecast output at origin $t0"
		done
	done <"$OUT/$name.origins"
}

# score_trace NAME: rows of the trace's table, "|"-separated.
score_trace() {
	local name=$1 model args=()
	for model in "${models[@]}"; do args+=("$OUT/$name.$model.fc"); done
	awk -v names="${models[*]}" -v days="$HZ_DAYS" '
		BEGIN { nm = split(names, mname, " ") }
		FILENAME ~ /\.origins$/ { org[++no] = $1; next }
		FILENAME ~ /\.csv$/ { if (FNR > 1) { split($0, f, ","); y[f[1]] = f[3] + 0; have[f[1]] = 1; ts[++nt] = f[1] } next }
		{ for (j = 1; j <= nm; j++) if (FILENAME ~ ("\\." mname[j] "\\.fc$")) break
		  F[j, $1, $2] = $3; L[j, $1, $2] = $4; U[j, $1, $2] = $5 }
		END {
			first = org[1]
			for (i = 2; i <= nt; i++) if (ts[i] <= first && ts[i] - ts[i - 1] == 60) { sc += abs(y[ts[i]] - y[ts[i - 1]]); nsc++ }
			scale = sc / nsc
			printf "# %s: MASE scale = %.6g rps (one-minute naive MAE over %d pairs before the first origin)\n", FILENAME, scale, nsc > "/dev/stderr"
			split("300 900 1800", hs, " ")
			for (k = 1; k <= 3; k++) {
				h = hs[k]; n = 0; drop = 0
				delete e
				for (o = 1; o <= no; o++) {
					t = org[o]; tt = t + h
					ok = have[tt] && have[t] && have[tt - 86400] && have[tt - 604800]
					for (j = 1; j <= nm; j++) ok = ok && ((j, t, h) in F)
					if (!ok) { drop++; continue }
					n++; a = y[tt]
					e["naive"] += abs(a - y[t])
					e["snaive1d"] += abs(a - y[tt - 86400])
					e["snaive1w"] += abs(a - y[tt - 604800])
					for (j = 1; j <= nm; j++) {
						e["m" j] += abs(a - F[j, t, h])
						if (L[j, t, h] <= a && a <= U[j, t, h]) cov[j, h]++
					}
				}
				if (n == 0) { printf "%dm|0|-|-|-|-|-|-\n", h / 60; continue }
				nv = e["naive"] / n; s1 = e["snaive1d"] / n; s7 = e["snaive1w"] / n
				row(h, n, "naive (last value)", nv, nv, s1, s7, "-")
				row(h, n, "snaive, 1 day earlier", s1, nv, s1, s7, "-")
				row(h, n, "snaive, 1 week earlier", s7, nv, s1, s7, "-")
				for (j = 1; j <= nm; j++)
					row(h, n, "pcs " mname[j], e["m" j] / n, nv, s1, s7, sprintf("%.1f%%", 100 * cov[j, h] / n))
				if (drop) printf "# %dm: %d origins without the actual value, a baseline or a forecast left out\n", h / 60, drop > "/dev/stderr"
			}
		}
		function abs(x) { return x < 0 ? -x : x }
		function ratio(a, b) { return b > 0 ? sprintf("%.3f", a / b) : "-" }
		function row(h, n, lab, m, nv, s1, s7, cv) {
			printf "%dm|%s|%d|%.4g|%.3f|%s|%s|%s|%s\n", h / 60, lab, n, m, m / scale, ratio(m, nv), ratio(m, s1), ratio(m, s7), cv
		}' "$OUT/$name.origins" "$OUT/$name.csv" "${args[@]}"
}

# cpu_line NAME: CPU of every model's invocations on the trace.
cpu_line() {
	local model s=""
	for model in "${models[@]}"; do
		s+=$(awk -v m="$model" '{ c = $4 + $5; t += c; v[NR] = c } END {
			printf "%s%s %.2f s (%.1f ms per origin)", (m == "auto" ? "" : ", "), m, t, NR ? 1000 * t / NR : 0 }' "$OUT/$1.$model.stats")
	done
	echo "CPU: $s"
}

trace_metrics "$DATA/nasa_http_1995_per_minute.csv" nasa 60 >"$OUT/nasa.csv" || die "cannot convert the NASA trace"
trace_metrics "$DATA/twitter_stream_2021_per_minute.csv" twitter 1 >"$OUT/twitter.csv" || die "cannot convert the Twitter trace"
# The two traces are run one after the other (timings pinned to CPU 0).
run_trace nasa
run_trace twitter

elapsed=$((SECONDS - started))
echo "== pcs-forecast at 5, 15, 30 minutes, rolling origin every ${HZ_EVERY} s over the last $HZ_DAYS days =="
machine_line | sed '$d'
echo "# history per origin: at most $HZ_WINDOW (rows cut, --window $HZ_WINDOW); one run per origin and model"
for name in nasa twitter; do
	echo
	case $name in
	nasa) echo "NASA HTTP 1995 ($DATA/nasa_http_1995_per_minute.csv, rps = requests/60):" ;;
	twitter) echo "Twitter stream 2021 ($DATA/twitter_stream_2021_per_minute.csv, rps):" ;;
	esac
	{
		echo "h|method|points|MAE (rps)|MASE|MAE/naive|MAE/snaive 1d|MAE/snaive 1w|cov95"
		score_trace "$name" 2>"$OUT/$name.notes"
	} | print_table
	sed 's/^# [^:]*: /  /; s/^# /  /' "$OUT/$name.notes"
	cpu_line "$name"
	if [[ -s $OUT/$name.auto.stderr ]]; then
		echo "  pcs auto warnings: $(sort "$OUT/$name.auto.stderr" | uniq -c | sort -rn | head -n 3 | sed 's/^ *//' | paste -sd ';' -)"
	fi
done
echo
for s in "${skipped[@]}"; do echo "skipped: $s"; done
echo "run time: $elapsed s wall.  Files: $OUT/"
