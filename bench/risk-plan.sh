#!/usr/bin/env bash
# bench/risk-plan.sh — rows per second and peak memory of pcs-risk and
# pcs-shadow-plan.
#
#   bench/risk-plan.sh
#
# Generates (once, cached in bench/build/rp/) with bench/gen_risk_input.c:
# RP_GROUPS (100000) groups, each served by RP_POPS (5) POPs, of which
# RP_PRIMARIES (2) are primaries and the others secondaries in the topology;
# a forecast stream of 3 horizons (5m, 15m, 30m) per group, one region per
# group or `*` (300,000 rows), the next minute's stream, a capacity snapshot
# (500,000 rows) and a topology (500,000 rows).  RP_SURGE (0.05) of the
# groups are in a surge, so that the planner warms and activates shadows.
# Then:
#   - floors: `cat` of what each tool reads (stream and table);
#   - pcs-risk over the whole stream: wall time (median of BENCH_REPEAT = 3
#     runs), rows/s, peak RSS; its output, the risk stream (1,500,000 rows),
#     is the planner's input; one run on the next minute's stream;
#   - pcs-shadow-plan --state in a temporary directory: first run from no
#     state, then a run on the next minute's risk with that state present
#     (the state is reset before every repeat);
#   - peak RSS of pcs-risk on 1/RP_FRACTION (1/10) of the groups (stream and
#     capacity), and with the full capacity but 1/10 of the stream, and of
#     pcs-shadow-plan with the full topology on 1/10 of the risk stream:
#     memory should follow the tables, not the stream.
#
# Environment: PCS_RISK, PCS_SHADOW_PLAN (default bin/...), BENCH_REPEAT,
# CC, RP_GROUPS, RP_POPS, RP_PRIMARIES, RP_SURGE, RP_FRACTION, TMPDIR.
set -uo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT" || exit 1

no_args "$@"

GROUPS_N=${RP_GROUPS:-100000}
POPS_N=${RP_POPS:-5}
PRIMARIES_N=${RP_PRIMARIES:-2}
SURGE=${RP_SURGE:-0.05}
FRACTION=${RP_FRACTION:-10}
PCS_RISK=${PCS_RISK:-$ROOT/bin/pcs-risk}
PCS_SHADOW_PLAN=${PCS_SHADOW_PLAN:-$ROOT/bin/pcs-shadow-plan}
HORIZONS=3   # gen_risk_input writes 300, 900 and 1800 s

[[ $GROUPS_N =~ ^[1-9][0-9]*$ && $POPS_N =~ ^[1-9][0-9]*$ && $PRIMARIES_N =~ ^[1-9][0-9]*$ &&
	$FRACTION =~ ^[1-9][0-9]*$ ]] || die "RP_GROUPS, RP_POPS, RP_PRIMARIES and RP_FRACTION want positive integers"
((PRIMARIES_N < POPS_N && POPS_N <= 12)) || die "want RP_PRIMARIES < RP_POPS <= 12"
((GROUPS_N >= FRACTION)) || die "RP_GROUPS must be at least RP_FRACTION"

OUT="$BUILD/rp"
mkdir -p "$OUT" || die "cannot create $OUT"
build_helper gen_risk_input
build_helper runstat

sub_groups=$((GROUPS_N / FRACTION))
fc_rows=$((GROUPS_N * HORIZONS))
sub_fc_rows=$((sub_groups * HORIZONS))
table_rows=$((GROUPS_N * POPS_N))
sub_table_rows=$((sub_groups * POPS_N))
risk_rows=$((GROUPS_N * POPS_N * HORIZONS))
sub_risk_rows=$((sub_groups * POPS_N * HORIZONS))

CAP="$OUT/capacity.csv"
TOPO="$OUT/topology.csv"
FC0="$OUT/forecast-0.csv"
FC1="$OUT/forecast-1.csv"
SUB_CAP="$OUT/capacity-sub.csv"
SUB_FC="$OUT/forecast-sub.csv"
SUB_TOPO="$OUT/topology-sub.csv"
stamp="groups=$GROUPS_N pops=$POPS_N primaries=$PRIMARIES_N surge=$SURGE fraction=$FRACTION"
fresh=0
for f in "$CAP" "$TOPO" "$FC0" "$FC1" "$SUB_CAP" "$SUB_FC" "$SUB_TOPO"; do
	[[ -s $f && ! $BENCH_DIR/gen_risk_input.c -nt $f ]] || fresh=1
done
if ((fresh)) || [[ $(cat "$OUT/stamp" 2>/dev/null) != "$stamp" ]]; then
	note "generating $GROUPS_N groups x $POPS_N POPs ($fc_rows forecast rows, $table_rows capacity and topology rows) into $OUT"
	gen=("$BUILD/gen_risk_input")
	opts=(-g "$GROUPS_N" -p "$POPS_N" -P "$PRIMARIES_N" -s "$SURGE")
	sub=(-g "$sub_groups" -p "$POPS_N" -P "$PRIMARIES_N" -s "$SURGE")
	if ! { "${gen[@]}" capacity "${opts[@]}" >"$CAP" &&
		"${gen[@]}" topology "${opts[@]}" >"$TOPO" &&
		"${gen[@]}" forecast "${opts[@]}" -m 0 >"$FC0" &&
		"${gen[@]}" forecast "${opts[@]}" -m 1 >"$FC1" &&
		"${gen[@]}" capacity "${sub[@]}" >"$SUB_CAP" &&
		"${gen[@]}" forecast "${sub[@]}" -m 0 >"$SUB_FC" &&
		"${gen[@]}" topology "${sub[@]}" >"$SUB_TOPO"; }; then
		rm -f "$OUT/stamp"
		die "generator failed"
	fi
	printf '%s\n' "$stamp" >"$OUT/stamp"
fi

# snapshot PATH: copy a binary under test into bench/build/ so that a rebuild
# during the runs cannot mix two binaries; prints the copy's path.
snapshot() {
	local copy
	[[ -x $1 ]] || die "$1 not found: run 'make' first (or set PCS_RISK / PCS_SHADOW_PLAN)"
	copy="$BUILD/${1##*/}.${0##*/}.snapshot"
	cp "$1" "$copy" || die "cannot copy $1"
	printf '%s\n' "$copy"
}
RISK_RUN=$(snapshot "$PCS_RISK") || exit 1
PLAN_RUN=$(snapshot "$PCS_SHADOW_PLAN") || exit 1

STATE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/pcs-risk-plan.XXXXXX") || die "cannot make a temporary directory"
trap 'rm -rf "$STATE_DIR"' EXIT
STATE="$STATE_DIR/shadow.state"

# shellcheck disable=SC2317 # called by timed_runs -s
no_state() { rm -f "$STATE"; }
# shellcheck disable=SC2317
saved_state() { cp "$OUT/state-after-first" "$STATE"; }

# Floors: what each tool reads.  A first read warms the page cache.
cat "$FC0" "$CAP" "$TOPO" "$FC1" "$SUB_CAP" "$SUB_FC" "$SUB_TOPO" >/dev/null
timed_runs "$REPEAT" "$OUT/stats-cat-risk" /dev/null cat "$FC0" "$CAP" || die "cat failed"

rc=0
note "pcs-risk: $fc_rows forecast rows, $table_rows capacity rows ($REPEAT runs)"
timed_runs "$REPEAT" "$OUT/stats-risk" "$OUT/risk-0.csv" "$RISK_RUN" -c "$CAP" "$FC0" ||
	die "pcs-risk failed (see $OUT/stats-risk.stderr)"
note "pcs-risk: the next minute's stream (1 run)"
timed_runs 1 "$OUT/stats-risk-next" "$OUT/risk-1.csv" "$RISK_RUN" -c "$CAP" "$FC1" ||
	die "pcs-risk failed (see $OUT/stats-risk-next.stderr)"
note "pcs-risk: 1/$FRACTION of the groups (1 run)"
timed_runs 1 "$OUT/stats-risk-sub" "$OUT/risk-sub.csv" "$RISK_RUN" -c "$SUB_CAP" "$SUB_FC" ||
	die "pcs-risk failed (see $OUT/stats-risk-sub.stderr)"
note "pcs-risk: full capacity, 1/$FRACTION of the stream (1 run)"
timed_runs 1 "$OUT/stats-risk-subfc" "$OUT/risk-subfc.csv" "$RISK_RUN" -c "$CAP" "$SUB_FC" ||
	die "pcs-risk failed (see $OUT/stats-risk-subfc.stderr)"

for f in risk-0 risk-1 risk-sub risk-subfc; do
	n=$(($(wc -l <"$OUT/$f.csv") - 1))
	want=$risk_rows
	[[ $f != risk-sub* ]] || want=$sub_risk_rows
	((n == want)) || {
		note "error: $f.csv has $n rows, want $want"
		rc=1
	}
done
timed_runs "$REPEAT" "$OUT/stats-cat-plan" /dev/null cat "$OUT/risk-0.csv" "$TOPO" || die "cat failed"

note "pcs-shadow-plan: $risk_rows risk rows, $table_rows topology rows, no state ($REPEAT runs)"
timed_runs -s no_state "$REPEAT" "$OUT/stats-plan-1" "$OUT/plan-1.csv" \
	"$PLAN_RUN" -t "$TOPO" --state "$STATE" --summary "$OUT/risk-0.csv" ||
	die "pcs-shadow-plan failed (see $OUT/stats-plan-1.stderr)"
cp "$STATE" "$OUT/state-after-first" || die "pcs-shadow-plan left no state file"
note "pcs-shadow-plan: the next minute, state present ($REPEAT runs)"
timed_runs -s saved_state "$REPEAT" "$OUT/stats-plan-2" "$OUT/plan-2.csv" \
	"$PLAN_RUN" -t "$TOPO" --state "$STATE" --summary "$OUT/risk-1.csv" ||
	die "pcs-shadow-plan failed (see $OUT/stats-plan-2.stderr)"
note "pcs-shadow-plan: 1/$FRACTION of the groups, no state (1 run)"
timed_runs -s no_state 1 "$OUT/stats-plan-sub" "$OUT/plan-sub.csv" \
	"$PLAN_RUN" -t "$SUB_TOPO" --state "$STATE" --summary "$OUT/risk-sub.csv" ||
	die "pcs-shadow-plan failed (see $OUT/stats-plan-sub.stderr)"
note "pcs-shadow-plan: full topology, 1/$FRACTION of the risk stream, no state (1 run)"
timed_runs -s no_state 1 "$OUT/stats-plan-subrisk" "$OUT/plan-subrisk.csv" \
	"$PLAN_RUN" -t "$TOPO" --state "$STATE" --summary "$OUT/risk-subfc.csv" ||
	die "pcs-shadow-plan failed (see $OUT/stats-plan-subrisk.stderr)"

# actions FILE: "create_warm N, scale_up N, ..." from a plan.
actions() {
	awk -F, 'NR > 1 { n[$5]++ } END {
		s = ""
		split("create_warm scale_up scale_down deactivate hold", a, " ")
		for (i = 1; i <= 5; i++) if (n[a[i]]) s = s (s == "" ? "" : ", ") a[i] " " n[a[i]]
		print (s == "" ? "no actions" : s)
	}' "$1"
}
count_action() {
	awk -F, -v a="$2" 'NR > 1 && $5 == a { n++ } END { print n + 0 }' "$1"
}
for f in plan-1 plan-2; do
	if (($(count_action "$OUT/$f.csv" create_warm) == 0 || $(count_action "$OUT/$f.csv" scale_up) == 0)); then
		note "error: $f.csv warms or activates nothing ($(actions "$OUT/$f.csv"))"
		rc=1
	fi
done

# row LABEL ROWS TABLE STATS: one table row.
row() {
	local wall rss
	wall=$(stat_median "$4" 1)
	rss=$(stat_max "$4" 2)
	awk -v l="$1" -v r="$2" -v tb="$3" -v t="$wall" -v m="$rss" -v n="$(wc -l <"$4")" 'BEGIN {
		printf "%s|%d|%d|%s|%.3f|%s|%s\n", l, r, tb, n, t,
			(t > 0 ? sprintf("%.0f", r / t) : "-"),
			(m == "-" ? "-" : sprintf("%.1f", m / 1024))
	}'
}
results=(
	"$(row "cat forecast+capacity (floor)" "$fc_rows" "$table_rows" "$OUT/stats-cat-risk")"
	"$(row "pcs-risk" "$fc_rows" "$table_rows" "$OUT/stats-risk")"
	"$(row "pcs-risk, next minute" "$fc_rows" "$table_rows" "$OUT/stats-risk-next")"
	"$(row "pcs-risk, 1/$FRACTION groups" "$sub_fc_rows" "$sub_table_rows" "$OUT/stats-risk-sub")"
	"$(row "pcs-risk, full capacity, 1/$FRACTION stream" "$sub_fc_rows" "$table_rows" "$OUT/stats-risk-subfc")"
	"$(row "cat risk+topology (floor)" "$risk_rows" "$table_rows" "$OUT/stats-cat-plan")"
	"$(row "pcs-shadow-plan, no state" "$risk_rows" "$table_rows" "$OUT/stats-plan-1")"
	"$(row "pcs-shadow-plan, next minute, state" "$risk_rows" "$table_rows" "$OUT/stats-plan-2")"
	"$(row "pcs-shadow-plan, 1/$FRACTION groups, no state" "$sub_risk_rows" "$sub_table_rows" "$OUT/stats-plan-sub")"
	"$(row "pcs-shadow-plan, full topology, 1/$FRACTION stream" "$sub_risk_rows" "$table_rows" "$OUT/stats-plan-subrisk")"
)

echo "== risk-plan: $GROUPS_N groups x $POPS_N POPs x $HORIZONS horizons; $fc_rows forecast rows -> $risk_rows risk rows; $table_rows capacity and topology rows =="
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
printf '# host: %s CPUs%s, %s; %s\n' "$cpus" "${model:+ ($model)}" "$(uname -sr)" \
	"$("$CC" --version 2>/dev/null | head -n 1)"
tree=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null) || tree="no commit"
[[ -z $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] || tree="$tree, modified"
for pair in "$PCS_RISK|$RISK_RUN" "$PCS_SHADOW_PLAN|$PLAN_RUN"; do
	bin=${pair%%|*}
	copy=${pair#*|}
	printf '# %s: %s (%s; tree %s; cksum %s)\n' "${bin##*/}" "$bin" \
		"$("$copy" --version 2>/dev/null | head -n 1)" "$tree" \
		"$(cksum <"$copy" | awk '{ print $1 }')"
done
printf '# timings: median of %s runs (1 where runs = 1); shared machine, so compare ratios, not seconds\n' "$REPEAT"
echo "# surge: $SURGE of the groups (+0.002 the next minute); planner state in ${TMPDIR:-/tmp} ($(stat -f -c %T "$STATE_DIR" 2>/dev/null || echo '?'))"
echo
{
	echo "run|rows_in|table_rows|runs|wall_s|rows/s|peak_RSS_MB"
	printf '%s\n' "${results[@]}"
} | awk -F'|' '
	{ for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } nf = NF }
	END {
		for (r = 1; r <= NR; r++) {
			line = sprintf("%-" w[1] "s", c[r, 1])
			for (i = 2; i <= nf; i++) line = line sprintf("  %" w[i] "s", c[r, i])
			print line
			if (r == 1) { gsub(/./, "-", line); print line }
		}
	}'
echo
# memory TOOL STATS_FULL STATS_GROUPS STATS_STREAM TABLE: the peak RSS ratios.
memory() {
	awk -v tool="$1" -v full="$(stat_max "$2" 2)" -v part="$(stat_max "$3" 2)" \
		-v stream="$(stat_max "$4" 2)" -v fr="$FRACTION" -v tab="$5" \
		-v rows="$((table_rows - sub_table_rows))" 'BEGIN {
		printf "%s peak RSS: full / 1/%s of the groups %.2fx; full / (full %s, 1/%s of the stream) %.2fx;", \
			tool, fr, (part > 0 ? full / part : 0), tab, fr, (stream > 0 ? full / stream : 0)
		printf " %.0f B more per %s row\n", (full - part) * 1024 / rows, tab
	}'
}
# floor TOOL STATS CAT_STATS
floor() {
	awk -v tool="$1" -v t="$(stat_median "$2" 1)" -v c="$(stat_median "$3" 1)" 'BEGIN {
		printf "%s: %.0fx the cat floor\n", tool, (c > 0 ? t / c : 0)
	}'
}
floor pcs-risk "$OUT/stats-risk" "$OUT/stats-cat-risk"
floor "pcs-shadow-plan, no state" "$OUT/stats-plan-1" "$OUT/stats-cat-plan"
floor "pcs-shadow-plan, state" "$OUT/stats-plan-2" "$OUT/stats-cat-plan"
memory pcs-risk "$OUT/stats-risk" "$OUT/stats-risk-sub" "$OUT/stats-risk-subfc" capacity
memory pcs-shadow-plan "$OUT/stats-plan-1" "$OUT/stats-plan-sub" "$OUT/stats-plan-subrisk" topology
echo "(memory that follows the tables: near $FRACTION, then near 1, once fixed costs are small)"
echo "plan, no state:   $(actions "$OUT/plan-1.csv")"
echo "plan, next minute: $(actions "$OUT/plan-2.csv")"
for f in plan-1 plan-2; do
	grep -h 'shadows:' "$OUT/stats-$f.stderr" | sed 's/^pcs-shadow-plan: /  /'
done
echo "state file after the first run: $(wc -c <"$OUT/state-after-first") bytes"
awk -F, 'NR > 1 { n[$12]++ } END {
	printf "risk levels (risk-0): low %d, elevated %d, high %d, critical %d\n", n["low"], n["elevated"], n["high"], n["critical"]
}' "$OUT/risk-0.csv"
echo
echo "notes: rows/s = stream rows in / median wall time (tables are loaded inside that time);"
echo "peak RSS from wait4(2) (bench/runstat.c).  Each planner run writes its state (fsync) into"
echo "a fresh temporary directory.  Inputs and outputs: $OUT/ (kept for reruns)."
exit "$rc"
