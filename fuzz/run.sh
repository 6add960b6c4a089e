#!/usr/bin/env bash
# Run the fuzz harnesses one after another: fuzz/run.sh SECONDS HARNESS...
# (after make fuzz-build).  Each runs SECONDS of wall-clock time on its
# working corpus fuzz/build/corpus/HARNESS, seeded from fuzz/build/seeds/ and
# from the regression inputs in fuzz/regressions/; what it finds goes to
# fuzz/build/crashes/HARNESS/ and its log to fuzz/build/logs/HARNESS.log.
# Prints a line per harness (executions, CPU seconds, result) and exits 1 if
# any harness found a crash, a leak, a time-out or an out-of-memory.
set -u
cd "$(dirname "$0")/.."
secs=${1:?usage: fuzz/run.sh SECONDS HARNESS...}
shift
b=fuzz/build
mkdir -p "$b/logs"
status=0
total_cpu=0
summary=""

for h in "$@"; do
	bin=$b/fuzz_$h
	[ -x "$bin" ] || { echo "fuzz: no $bin (make fuzz-build)" >&2; exit 2; }
	mkdir -p "$b/corpus/$h" "$b/crashes/$h"
	opts=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
	      -artifact_prefix="$b/crashes/$h/" -close_fd_mask=3)
	case $h in
	time) opts+=(-max_len=64 -dict=fuzz/time.dict) ;;
	csv_reader) opts+=(-max_len=2048 -dict=fuzz/csv.dict) ;;
	ndjson_reader) opts+=(-max_len=2048 -dict=fuzz/json.dict) ;;
	modelfile) opts+=(-max_len=16384 -dict=fuzz/json.dict) ;;
	state) opts+=(-max_len=8192 -dict=fuzz/json.dict) ;;
	# the tools: their exit() is a longjmp back into the harness, so what a
	# run that ended in an error had allocated in libcsv, GSL or libc is
	# lost on purpose (the rest is released, see fuzz/tool_harness.c); a
	# leak report would be about the harness, not the tool
	pcs_*) opts+=(-max_len=4096 -detect_leaks=0 -dict=fuzz/csv.dict) ;;
	esac
	dirs=("$b/corpus/$h" "$b/seeds/$h")
	[ -d "fuzz/regressions/$h" ] && dirs+=("fuzz/regressions/$h")
	log=$b/logs/$h.log
	before=$(find "$b/crashes/$h" -type f | wc -l)
	TIMEFORMAT='%U %S'
	{ time "$bin" "${opts[@]}" "${dirs[@]}" >"$log" 2>&1; } 2>"$b/logs/$h.time"
	rc=$?
	read -r u s <"$b/logs/$h.time"
	cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')
	total_cpu=$(awk -v a="$total_cpu" -v c="$cpu" 'BEGIN { printf "%.1f", a + c }')
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	after=$(find "$b/crashes/$h" -type f | wc -l)
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
		result="FOUND: $(grep -m 1 -E '^==[0-9]+==ERROR|runtime error|^SUMMARY|ERROR: libFuzzer' "$log" || echo "status $rc")"
		status=1
	else
		result="nothing found"
	fi
	line=$(printf '%-18s %10s execs %8s CPU s  %s' "$h" "${runs:-?}" "$cpu" "$result")
	echo "fuzz: $line"
	summary+="$line"$'\n'
done
printf '\nfuzz summary (%s s per harness):\n%s%-18s %16s %8s CPU s\n' "$secs" "$summary" total "" "$total_cpu"
exit $status
