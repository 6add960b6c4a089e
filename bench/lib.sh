# bench/lib.sh — shared helpers for the benchmark scripts (sourced, not run).
# shellcheck shell=bash

export LC_ALL=C

# Project root: the parent of bench/.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILD="$BENCH_DIR/build"
PCS_FORECAST=${PCS_FORECAST:-$ROOT/bin/pcs-forecast}
REPEAT=${BENCH_REPEAT:-3}
CC=${CC:-cc}

die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

# no_args "$@": --help prints the script's header comment; any other
# argument is a usage error (settings come from the environment).
no_args() {
	case ${1-} in
	-h | --help)
		sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	esac
	(($# == 0)) || die "usage: bench/${0##*/} (settings come from the environment; see --help)"
}

note() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# build_helper NAME: compile bench/NAME.c into bench/build/NAME when stale.
build_helper() {
	local src="$BENCH_DIR/$1.c" bin="$BUILD/$1"
	mkdir -p "$BUILD" || die "cannot create $BUILD"
	if [[ ! -x $bin || $src -nt $bin ]]; then
		"$CC" -O2 -Wall -o "$bin" "$src" -lm || die "cannot compile $src"
	fi
}

# need_forecast: the binary under test must exist.  It is copied into
# bench/build/ so that a rebuild during the runs cannot mix two binaries;
# PCS_RUN is the copy.
need_forecast() {
	[[ -x $PCS_FORECAST ]] ||
		die "$PCS_FORECAST not found: run 'make' first (or set PCS_FORECAST)"
	mkdir -p "$BUILD" || die "cannot create $BUILD"
	PCS_RUN="$BUILD/pcs-forecast.${0##*/}.snapshot"
	cp "$PCS_FORECAST" "$PCS_RUN" || die "cannot copy $PCS_FORECAST"
}

# m4_inputs SCRIPT [TRAIN TEST]: set TRAIN and TEST to the M4 files given
# (relative to the caller's directory) or to the Hourly dev split, move to
# the project root, and check that both can be read.
m4_inputs() {
	local script=$1
	shift
	(($# == 0 || $# == 2)) || die "usage: bench/$script [TRAIN.csv TEST.csv]"
	TRAIN=../shared/data/m4/Hourly-train-dev.csv
	TEST=../shared/data/m4/Hourly-test-dev.csv
	if (($# == 2)); then
		TRAIN=$1 TEST=$2
		[[ $TRAIN == /* ]] || TRAIN=$PWD/$TRAIN
		[[ $TEST == /* ]] || TEST=$PWD/$TEST
	fi
	cd "$ROOT" || exit 1
	[[ -r $TRAIN ]] || die "cannot read $TRAIN"
	[[ -r $TEST ]] || die "cannot read $TEST"
}

# median: the median of the numbers on stdin, one per line (mean of the two
# middle ones for an even count); "-" for none.
median() {
	sort -g | awk '{ v[NR] = $1 }
		END {
			if (NR == 0) { print "-"; exit }
			if (NR % 2) m = v[(NR + 1) / 2]
			else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.3f\n", m
		}'
}

# timed_runs [-i IN] [-s SETUP] [-c CPU] N STATS OUT CMD...: run CMD N times
# with stdout to OUT (and stdin from IN, on CPU alone), appending `wall_s
# maxrss_kb status user_s sys_s` per run to STATS (emptied first) and stderr
# to STATS.stderr; the shell function SETUP is called before every run,
# outside the timing.  Stops at the first failing run.  Unless OUT is
# /dev/null, each later output is compared with the first one (which is
# kept): a difference is reported on stderr and sets TIMED_DIFFERED to 1 (0
# otherwise).
timed_runs() {
	local input=() pin=() setup="" n stats out i rc dest
	while [[ ${1-} == -i || ${1-} == -s || ${1-} == -c ]]; do
		case $1 in
		-i) input=(-i "$2") ;;
		-c) pin=(-c "$2") ;;
		*) setup=$2 ;;
		esac
		shift 2
	done
	n=$1 stats=$2 out=$3
	shift 3
	# shellcheck disable=SC2034 # read by the scripts that source this file
	TIMED_DIFFERED=0
	: >"$stats" || die "cannot write $stats"
	for ((i = 1; i <= n; i++)); do
		[[ -z $setup ]] || "$setup" || die "setup for '$*' failed"
		dest=$out
		if ((i > 1)) && [[ $out != /dev/null ]]; then
			dest="$out.rerun"
		fi
		"$BUILD/runstat" -o "$stats" "${input[@]}" "${pin[@]}" -O "$dest" "$@" 2>"$stats.stderr"
		rc=$?
		if ((rc != 0)); then
			note "run $i of '$*' failed with status $rc:"
			head -n 5 "$stats.stderr" >&2
			return "$rc"
		fi
		if [[ $dest != "$out" ]] && ! cmp -s "$out" "$dest"; then
			note "warning: run $i of '$*' gave a different output"
			# shellcheck disable=SC2034
			TIMED_DIFFERED=1
		fi
	done
	[[ $out == /dev/null ]] || rm -f "$out.rerun"
	return 0
}

# stat_median STATS FIELD: median of column FIELD (1 wall_s, 2 maxrss_kb).
stat_median() {
	awk -v f="$2" '{ print $f }' "$1" | median
}

# stat_max STATS FIELD
stat_max() {
	awk -v f="$2" 'NR == 1 || $f > m { m = $f } END { if (NR) print m; else print "-" }' "$1"
}

# pin1 CMD...: run CMD on one CPU when taskset exists (util-linux).
# shellcheck disable=SC2034 # PIN1 is used by the scripts that source this file
if command -v taskset >/dev/null 2>&1; then
	PIN1=(taskset -c 0)
else
	PIN1=()
fi
# ... and for timed_runs, which pins in runstat itself (no second exec)
# shellcheck disable=SC2034
PIN1_TIMED=(-c 0)

machine_line() {
	local cpus model
	cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
	model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
	printf '# host: %s CPUs%s, %s; %s\n' "$cpus" "${model:+ ($model)}" \
		"$(uname -sr)" "$("$CC" --version 2>/dev/null | head -n 1)"
	local rev sum
	rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) || rev="no commit"
	[[ -z $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] || rev="$rev, modified"
	sum=$(cksum <"$PCS_RUN" | awk '{ print $1 }')
	printf '# pcs-forecast: %s (%s; tree %s; cksum %s)\n' "$PCS_FORECAST" \
		"$("$PCS_RUN" --version 2>/dev/null | head -n 1)" "$rev" "$sum"
	printf '# timings: median of %s runs; shared machine, so compare ratios, not seconds\n' "$REPEAT"
}

# print_table: "|"-separated rows on stdin, the first a header; the first
# column left-aligned, the others right-aligned, a rule under the header.
print_table() {
	awk -F'|' '
		{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n[NR] = NF }
		END {
			for (r = 1; r <= NR; r++) {
				line = sprintf("%-" w[1] "s", c[r, 1])
				for (i = 2; i <= n[r]; i++) line = line sprintf("  %" w[i] "s", c[r, i])
				print line
				if (r == 1) { gsub(/./, "-", line); print line }
			}
		}'
}

# duration_s DUR: a duration (s, m, h, d, w) in seconds; status 1 when it is
# not one.
duration_s() {
	awk -v d="$1" 'BEGIN {
		if (d !~ /^[0-9]+[smhdw]$/) exit 1
		u = substr(d, length(d)); n = substr(d, 1, length(d) - 1) + 0
		print n * (u == "s" ? 1 : u == "m" ? 60 : u == "h" ? 3600 : u == "d" ? 86400 : 604800)
	}'
}

# trace_metrics FILE GROUP DIVISOR [OFFSET_S]: "YYYY-MM-DD[T ]HH:MM:SS[Z],value"
# rows, a clock OFFSET_S seconds east of UTC, to "ts,group,rps" with ts in
# Unix seconds and rps = value / DIVISOR.
trace_metrics() {
	awk -F, -v g="$2" -v div="$3" -v off="${4:-0}" '
		# days from 1970-01-01 of a civil date (proleptic Gregorian;
		# H. Hinnant, "chrono-Compatible Low-Level Date Algorithms")
		function days(y, m, d) {
			y -= m <= 2; era = int(y / 400); yoe = y - era * 400
			doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
			return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
		}
		NR == 1 { print "ts,group,rps"; next }
		{
			sub(/\r$/, "")
			s = $1
			if (s !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][T ][0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z?$/ || $2 !~ /^[0-9.]+$/) {
				printf "%s:%d: not a timestamp and a rate: %s\n", FILENAME, NR, $0 > "/dev/stderr"; exit 1 }
			t = days(substr(s, 1, 4) + 0, substr(s, 6, 2) + 0, substr(s, 9, 2) + 0) * 86400
			t += substr(s, 12, 2) * 3600 + substr(s, 15, 2) * 60 + substr(s, 18, 2) - off
			if (t <= last) { printf "%s:%d: time not increasing\n", FILENAME, NR > "/dev/stderr"; exit 1 }
			last = t
			printf "%d,%s,%.10g\n", t, g, $2 / div
		}' "$1"
}
