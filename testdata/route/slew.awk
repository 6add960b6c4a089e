# Check the slew limit in a weights stream (CSV with its header, ticks in
# order): from one tick to the next no POP's share moves by more than step
# (-v step=X), except on a tick where a breaker of its group opens: the
# opened POP drops to 0 at once and the others take up its share
# (lib/pcs_route.h).  Prints the rows that moved too far and exits 1.
#
# usage: awk -v step=0.1 -f testdata/route/slew.awk weights.csv
BEGIN { FS = "," }
FNR == 1 { next }
{
	n++
	row[n] = $0
	pop[n] = $2 " " $3
	tick[n] = $1 " " $2
	share[n] = $5
	if ($6 == "open" && ($2 " " $3) in last && last[$2 " " $3] != "open")
		opened[$1 " " $2] = 1
	last[$2 " " $3] = $6
}
END {
	for (i = 1; i <= n; i++) {
		k = pop[i]
		if (k in prev && !(tick[i] in opened)) {
			d = share[i] - prev[k]
			if (d > step + 1e-9 || -d > step + 1e-9) {
				printf "moved by %.12g (step %s): %s\n", d, step, row[i]
				bad = 1
			}
		}
		prev[k] = share[i]
	}
	exit bad
}
