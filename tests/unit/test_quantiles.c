/* Unit tests: levels, conformal quantiles, medians, robust scores. */
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

int
main(void)
{
	double *lv, x[9] = { 5, 1, 4, 2, 3, 9, 8, 7, 6 }, s[20], w[20], v[4];
	size_t n;
	char name[32];
	pcs_error err;

	ok(pcs_levels_parse("0.99,0.5,0.9", &lv, &n, &err) == 0 && n == 3 && lv[0] == 0.5 &&
	   lv[2] == 0.99, "levels parsed and sorted");
	free(lv);
	ok(pcs_levels_parse("0.5,0.5", &lv, &n, &err) == PCS_EUSAGE, "duplicate level rejected");
	ok(pcs_levels_parse("0", &lv, &n, &err) == PCS_EUSAGE &&
	   pcs_levels_parse("1", &lv, &n, &err) == PCS_EUSAGE &&
	   pcs_levels_parse("x", &lv, &n, &err) == PCS_EUSAGE &&
	   pcs_levels_parse("", &lv, &n, &err) == PCS_EUSAGE &&
	   pcs_levels_parse("0.5,", &lv, &n, &err) == PCS_EUSAGE, "0, 1, junk and empty rejected");
	pcs_level_name(0.025, name, sizeof name);
	is_str(name, "p2.5", "0.025 -> p2.5");
	pcs_level_name(0.5, name, sizeof name);
	is_str(name, "p50", "0.5 -> p50");
	pcs_level_name(0.999, name, sizeof name);
	is_str(name, "p99.9", "0.999 -> p99.9");
	pcs_level_name(0.07, name, sizeof name);
	is_str(name, "p7", "0.07 -> p7 (no binary noise)");

	for (int i = 0; i < 19; i++) {
		s[i] = i + 1;
		w[i] = 1;
	}
	/* n = 19: the 0.95 conformal quantile is order statistic ceil(0.95 * 20) = 19 */
	is_num(pcs_quantile_sorted(s, 19, 0.95), 19, 0, "upper conformal order statistic");
	is_num(pcs_quantile_sorted(s, 19, 0.9), 18, 0, "ceil(0.9 * 20) = 18");
	is_num(pcs_quantile_sorted(s, 19, 0.05), 1, 0, "floor(0.05 * 20) = 1");
	is_num(pcs_quantile_sorted(s, 19, 0.5), 10, 0, "median");
	is_num(pcs_quantile_sorted(s, 19, 0.999), 19, 0, "beyond the sample: clamped to the max");
	is_num(pcs_quantile_sorted(s, 19, 0.001), 1, 0, "below the sample: clamped to the min");
	{
		int same = 1;
		for (double q = 0.01; q < 1; q += 0.01)
			if (pcs_quantile_weighted(s, w, 19, q) != pcs_quantile_sorted(s, 19, q))
				same = 0;
		ok(same, "equal weights: the weighted quantile is the conformal one");
	}
	for (int i = 0; i < 19; i++)
		w[i] = i < 10 ? 1e-9 : 1;   /* only the nine largest values count */
	is_num(pcs_quantile_weighted(s, w, 19, 0.5), 15, 0, "weights move the quantile");

	is_num(pcs_median(x, 9), 5, 0, "median of 9");
	{
		double y[4] = { 4, 1, 3, 2 };
		is_num(pcs_median(y, 4), 2.5, 0, "median of 4");
	}
	v[0] = -1;
	v[1] = 3;
	v[2] = 2;
	v[3] = 5;
	pcs_quantiles_monotone(v, 4, 0);
	ok(v[0] == 0 && v[1] == 3 && v[2] == 3 && v[3] == 5, "monotone and floored");

	return tap_done();
}
