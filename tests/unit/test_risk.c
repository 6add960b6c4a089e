/* Unit tests: distributions from quantiles, capacity and per-POP risk. */
#include <gsl/gsl_cdf.h>
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

/* E[(X-c)+] by the midpoint rule on P(X > x), for checking the closed form. */
static double
numeric_excess(const pcs_qdist *d, double c)
{
	double sum = 0, dx = 0.01;

	for (double x = c + dx / 2; x < c + 2000; x += dx)
		sum += pcs_qdist_sf(d, x) * dx;
	return sum;
}

int
main(void)
{
	double lv[4] = { 0.5, 0.9, 0.95, 0.99 }, q[4], worst = 0;
	pcs_qdist d;
	pcs_error err;

	/* a normal's quantiles in, its CDF out */
	for (int i = 0; i < 4; i++)
		q[i] = 100 + 10 * gsl_cdf_ugaussian_Pinv(lv[i]);
	ok(pcs_qdist_init(&d, lv, q, 4, 0) == 0, "init from N(100,10) quantiles");
	for (int i = 0; i < 4; i++)
		worst = fmax(worst, fabs(pcs_qdist_cdf(&d, q[i]) - lv[i]));
	ok(worst < 1e-12, "the CDF passes through the given quantiles");
	worst = 0;
	for (double x = 100; x <= 123; x += 0.5)
		worst = fmax(worst, fabs(pcs_qdist_cdf(&d, x) - gsl_cdf_gaussian_P(x - 100, 10)));
	/* a straight line between p50 and p90 of a normal is off by up to 0.04 */
	ok(worst < 0.045, "between the quantiles the CDF is within 0.045 of the normal's (%.4f)", worst);
	{
		double x = 125, sf = pcs_qdist_sf(&d, x), truth = gsl_cdf_gaussian_Q(x - 100, 10);
		ok(sf >= truth && sf < 3 * truth,
		   "the exponential tail at 2.5 sigma is cautious but close: %.5f vs %.5f", sf, truth);
	}
	ok(pcs_qdist_cdf(&d, -1) == 0, "nothing below the floor");
	is_num(pcs_qdist_cdf(&d, 0), 0.5 * exp(-100 / ((q[1] - q[0]) / log(0.9 / 0.5))), 1e-12,
	       "the mass of the lower tail below 0 sits at the floor");
	is_num(pcs_qdist_quantile(&d, 0.9), q[1], 1e-9, "quantile inverts the CDF at a given level");
	is_num(pcs_qdist_cdf(&d, pcs_qdist_quantile(&d, 0.995)), 0.995, 1e-9, "and in the tail");
	is_num(pcs_qdist_cdf(&d, pcs_qdist_quantile(&d, 0.2)), 0.2, 1e-9, "and below the first");
	for (double c = 60; c <= 140; c += 20)
		if (fabs(pcs_qdist_excess(&d, c) - numeric_excess(&d, c)) > 1e-3)
			worst = -1;
	ok(worst >= 0, "expected excess matches numerical integration from 60 to 140");

	{
		/* the hand example of pcs-risk(1): p50 = 100, p90 = 140 */
		double l2[2] = { 0.5, 0.9 }, q2[2] = { 100, 140 }, s = 40 / log(5);
		pcs_qdist_init(&d, l2, q2, 2, 0);
		is_num(pcs_qdist_sf(&d, 120), 0.3, 1e-12, "P(X > 120) = 0.3 between the quantiles");
		is_num(pcs_qdist_sf(&d, 180), 0.1 * exp(-40 / s), 1e-12, "exponential upper tail");
		pcs_qdist_scale(&d, 0.5);
		is_num(pcs_qdist_sf(&d, 60), 0.3, 1e-12, "scaling moves the quantiles");
	}
	{
		double l2[2] = { 0.5, 0.9 }, a[2] = { 10, 20 }, b[2] = { 5, 8 };
		pcs_qdist x, y;
		pcs_qdist_init(&x, l2, a, 2, 0);
		pcs_qdist_init(&y, l2, b, 2, 0);
		ok(pcs_qdist_add(&x, &y) == 0 && x.q[0] == 15 && x.q[1] == 28, "comonotone sum");
	}
	{
		double l2[2] = { 0.5, 0.9 }, tie[2] = { 50, 50 };
		pcs_qdist_init(&d, l2, tie, 2, 0);
		ok(pcs_qdist_sf(&d, 50) == 0 && pcs_qdist_excess(&d, 60) == 0 &&
		   fabs(pcs_qdist_excess(&d, 40) - 10) < 1e-9, "tied quantiles: a point mass, no tail");
	}
	ok(pcs_qdist_init(&d, lv, q, 1, 0) != 0, "one quantile is not enough");
	{
		/* at a given level the quantile is the given one, never an ulp
		 * past it: 44.539 + (156.71 - 44.539) x 0.4 / 0.4 rounds to
		 * 156.71000000000004, and pcs-risk's demand_p50 passed its
		 * demand_p99 (a regression test) */
		double l3[3] = { 0.1, 0.5, 0.99 }, q3[3] = { 44.539, 156.71, 156.71 };
		pcs_qdist_init(&d, l3, q3, 3, 0);
		ok(pcs_qdist_quantile(&d, 0.5) <= pcs_qdist_quantile(&d, 0.99) &&
		   pcs_qdist_quantile(&d, 0.5) <= pcs_qdist_quantile(&d, 0.7),
		   "quantiles do not cross by rounding (%.17g, %.17g)", pcs_qdist_quantile(&d, 0.5),
		   pcs_qdist_quantile(&d, 0.99));
	}
	{
		/* near DBL_MAX: sums and excesses saturate instead of going Inf (a
		 * regression test: pcs-risk wrote empty demand and shortfall) */
		double l2[2] = { 0.1, 0.5 }, big[2] = { 1e307, 1.7e308 };
		pcs_qdist x, y;
		pcs_qdist_init(&x, l2, big, 2, 0);
		pcs_qdist_init(&y, l2, big, 2, 0);
		ok(isfinite(pcs_qdist_excess(&x, 0)) && pcs_qdist_excess(&x, 0) > 1e307,
		   "the excess of a 1e308 demand is finite (%g)", pcs_qdist_excess(&x, 0));
		ok(pcs_qdist_add(&x, &y) == 0 && isfinite(x.q[1]) && isfinite(pcs_qdist_excess(&x, 600)) &&
		   pcs_qdist_sf(&x, 600) > 0.5, "two of them add up to a finite, saturated demand");
	}

	{
		/* two POPs of one group without regions: load shares */
		pcs_capacity *c = pcs_capacity_new();
		struct pcs_demand dm = { "*", 300, 600, { 0 }, 2 };
		struct pcs_risk_config cfg = { { 0.05, 0.2, 0.5 }, 0 };
		struct pcs_risk_row *rows;
		size_t n;
		double l2[2] = { 0.5, 0.9 }, q2[2] = { 100, 140 };

		pcs_capacity_add(c, "b", "g", "", 1000, 30, 0, 2, &err);
		pcs_capacity_add(c, "a", "g", "", 60, 70, 0, 3, &err);
		ok(pcs_capacity_add(c, "a", "g", "", 1, 1, 0, 4, &err) == PCS_EDATA &&
		   strstr(err.msg, "first on line 3") != NULL, "duplicate capacity row names the first");
		pcs_capacity_add(c, "x", "h", "", 450 * 2, 450, 0.9, 5, &err);
		pcs_capacity_finish(c, 1, 1);
		pcs_qdist_init(&dm.dist, l2, q2, 2, 0);
		ok(pcs_risk_group(c, "g", &dm, 1, &cfg, &rows, &n, &err) == 0 && n == 2, "two POPs");
		is_str(rows[0].pop->pop, "a", "sorted by pop");
		/* a has 70% of the load: demand 0.7 x; P(0.7 X > 60) = P(X > 85.7) */
		is_num(rows[0].p_exceed, pcs_qdist_sf(&dm.dist, 60 / 0.7), 1e-12, "load share");
		ok(rows[0].level == PCS_RISK_CRITICAL && rows[1].level == PCS_RISK_LOW, "levels");
		free(rows);
		ok(pcs_risk_group(c, "nope", &dm, 1, &cfg, &rows, &n, &err) == PCS_EDATA &&
		   err.line == 2, "a group without capacity names the forecast line");
		is_num(pcs_capacity_get(c, 2)->effective_rps, 500, 1e-9,
		       "derated: cpu 0.9 at 450 rps fills at 500 rps, below capacity_rps 900");
		/* --current: horizon 0 first, each POP's own load against capacity */
		cfg.current = 1;
		ok(pcs_risk_group(c, "g", &dm, 1, &cfg, &rows, &n, &err) == 0 && n == 4,
		   "current: a row at horizon 0 per POP");
		ok(rows[0].horizon_s == 0 && rows[0].target == 300 && rows[0].demand_p50 == 70 &&
		   rows[0].demand_p99 == 70 && rows[0].p_exceed == 1 && rows[0].shortfall_rps == 10 &&
		   rows[0].headroom_rps == -10 && rows[1].horizon_s == 300,
		   "a: load 70 over capacity 60 now: p_exceed 1, shortfall 10, at the issue time");
		ok(rows[2].horizon_s == 0 && rows[2].p_exceed == 0 && rows[2].shortfall_rps == 0 &&
		   rows[0].risk == 1 && rows[2].risk == rows[3].p_exceed,
		   "b: load 30 of 1000: no excess now; the risk is the largest over horizons");
		free(rows);
		pcs_capacity_free(c);
	}
	{
		/* reach: what a self-scaling POP can have by the horizon, derated
		 * in the same ratio as its capacity now */
		pcs_capacity *c = pcs_capacity_new();
		struct pcs_demand dm[2] = { { "*", 120, 720, { 0 }, 2 }, { "*", 300, 900, { 0 }, 3 } };
		struct pcs_risk_config cfg = { { 0.05, 0.2, 0.5 }, 1 };
		struct pcs_risk_row *rows;
		size_t n;
		double l2[2] = { 0.5, 0.9 }, q2[2] = { 100, 140 };

		/* cpu 0.9 at 81 rps: full at 90 of its 100 */
		pcs_capacity_add(c, "a", "g", "", 100, 81, 0.9, 1, &err);
		pcs_capacity_reach(c, 400, 300);
		pcs_capacity_finish(c, 1, 1);
		pcs_qdist_init(&dm[0].dist, l2, q2, 2, 0);
		pcs_qdist_init(&dm[1].dist, l2, q2, 2, 0);
		ok(pcs_risk_group(c, "g", dm, 2, &cfg, &rows, &n, &err) == 0 && n == 3, "three horizons");
		ok(fabs(rows[0].capacity_rps - 90) < 1e-9 && fabs(rows[1].capacity_rps - 90) < 1e-9,
		   "now and before scale_s: the capacity it has, derated");
		is_num(rows[2].capacity_rps, 360, 1e-9, "from scale_s on: max_capacity_rps, derated alike");
		ok(rows[1].p_exceed > 0.1 && rows[2].p_exceed < 1e-4, "so only the near horizon is at risk (%g, %g)",
		   rows[1].p_exceed, rows[2].p_exceed);
		free(rows);
		pcs_capacity_free(c);
	}
	ok(pcs_risk_level_of(0.049, (double[]){ 0.05, 0.2, 0.5 }) == PCS_RISK_LOW &&
	   pcs_risk_level_of(0.05, (double[]){ 0.05, 0.2, 0.5 }) == PCS_RISK_ELEVATED &&
	   pcs_risk_level_of(0.5, (double[]){ 0.05, 0.2, 0.5 }) == PCS_RISK_CRITICAL,
	   "cut points are inclusive from below");
	return tap_done();
}
