# Check a weights stream (CSV with its header, from pcs-route-weights): in
# every (ts, group), each share is in [0,1], the shares sum to 1 within
# 1e-9, the weights are whole numbers summing to 1000.  Prints what is
# wrong and exits 1; exits 1 on a stream without rows too.
#
# usage: awk -f testdata/route/invariants.awk weights.csv
# (the reason, the only field that may hold a comma, is the last column)
BEGIN { FS = "," }
FNR == 1 { next }
{
	k = $1 " " $2
	if (!(k in sum))
		order[++n] = k
	if (!($5 >= 0 && $5 <= 1)) {
		print "share out of [0,1]: " $0
		bad = 1
	}
	if ($4 !~ /^[0-9]+$/) {
		print "weight not a whole number: " $0
		bad = 1
	}
	sum[k] += $5
	w[k] += $4
}
END {
	for (i = 1; i <= n; i++) {
		k = order[i]
		if (sum[k] - 1 > 1e-9 || 1 - sum[k] > 1e-9) {
			printf "%s: shares sum to %.12g\n", k, sum[k]
			bad = 1
		}
		if (w[k] != 1000) {
			printf "%s: weights sum to %d\n", k, w[k]
			bad = 1
		}
	}
	if (n == 0) {
		print "no rows"
		bad = 1
	}
	exit bad
}
