/* Unit tests: the Diebold–Mariano test with the HLN correction. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tap.h"
#include "pcs_dmtest.h"

#define LEN(a) (sizeof (a) / sizeof (a)[0])

/* The share of nrep series of n differentials with p < 0.05: each value of
 * the series is the sum of ma + 1 consecutive N(0,1) draws plus shift, so
 * the series is MA(ma) and its autocovariances vanish from lag ma + 1. */
static double
rejection_rate(gsl_rng *rng, int nrep, size_t n, size_t ma, size_t h, double shift)
{
	double e[8], d[512];
	struct pcs_dm_result r;
	int rejected = 0;

	for (int rep = 0; rep < nrep; rep++) {
		for (size_t i = 0; i < ma; i++)
			e[i] = gsl_ran_gaussian(rng, 1);
		for (size_t t = 0; t < n; t++) {
			e[ma] = gsl_ran_gaussian(rng, 1);
			d[t] = shift;
			for (size_t i = 0; i <= ma; i++)
				d[t] += e[i];
			for (size_t i = 0; i < ma; i++)
				e[i] = e[i + 1];
		}
		if (pcs_dm_test(d, n, h, &r) == 0 && r.p_value < 0.05)
			rejected++;
	}
	return (double)rejected / nrep;
}

int
main(void)
{
	struct pcs_dm_result r, s;

	/*
	 * Published values: the dieboldmariano package for Python (E. Annunziata,
	 * github.com/edoannunziata/dieboldmariano), whose dm_test follows
	 * forecast::dm.test: same autocovariances, HLN factor, t with n-1 df.
	 * Its README: T = 10 20 30 40 50, F = 11 21 29 42 53, G = 13 26 24 40 59,
	 * squared error, dm_test(T, F, G, one_sided=True) prints
	 * (-2.2229922805746782, 0.04515565862099125); the two-sided p is twice
	 * that.  The differentials (T-F)^2 - (T-G)^2 are -8 -35 -35 4 -72.
	 */
	double readme[] = { -8, -35, -35, 4, -72 };
	ok(pcs_dm_test(readme, 5, 1, &r) == 0 && r.n == 5, "the README example is tested");
	is_num(r.mean, -29.2, 1e-12, "README: mean differential -29.2");
	is_num(r.stat, -2.2229922805746782, 1e-12, "README: DM = -2.2229922805746782");
	is_num(r.p_value, 2 * 0.04515565862099125, 1e-12, "README: two-sided p = 0.0903113172419825");

	/*
	 * Its tests/dieboldmarianotest.py, test_diebold_mariano_1: actual 0,
	 * forecasts 0..5 and 0 2 3 3 5 6, squared error: stat -2.4905 and
	 * two-sided p 0.05513 to 4 places.  d = 0 -3 -5 0 -9 -11.  By hand
	 * (python3 without scipy: the formulas of pcs_dmtest.h in plain
	 * floats, p as 1 - 2 * the integral of the t density from 0 to |stat|
	 * by Simpson's rule with 200000 panels, which reproduces the README's
	 * p to 1e-13): dbar = -14/3, gamma_0 = 158/9,
	 * V = gamma_0/6 = 2.925925..., factor sqrt(5*6)/6, stat
	 * -2.490488234376871, p 0.055128119902906.
	 */
	double t1[] = { 0, -3, -5, 0, -9, -11 };
	ok(pcs_dm_test(t1, 6, 1, &r) == 0, "test_diebold_mariano_1 is tested");
	is_num(r.stat, -2.4905, 5e-5, "test 1: DM = -2.4905 as published");
	is_num(r.p_value, 0.05513, 5e-5, "test 1: p = 0.05513 as published");
	is_num(r.stat, -2.490488234376871, 1e-12, "test 1: DM to 1e-12 by hand");
	is_num(r.p_value, 0.055128119902906, 1e-10, "test 1: p to 1e-10 by hand");
	is_num(r.variance, 158.0 / 9 / 6, 1e-12, "test 1: variance gamma_0/n = 2.9259");

	/*
	 * test_diebold_mariano_2: h = 3, absolute error, actual 0, so
	 * d = |P1| - |P2| below; published stat 1.2109 and one-sided p 0.877
	 * (to 4 places), so the two-sided p is 2(1 - 0.877) = 0.246.  By hand:
	 * stat 1.210945301758227, two-sided p 0.2459625098602367, factor
	 * sqrt(12*13)/15 = 0.8326663997864531.
	 */
	static const double p1[] = {
		0.3675225224615024, 0.5450608127223211, 0.22044990720021074,
		0.8688743471040006, 0.6072512228948467, 0.8582283746501538,
		0.41662295816718187, 0.3812100211114714, 0.7185133356116706,
		0.30827323290318875, 0.4297093624074402, 0.8615974488577858,
		0.7240514514808826, 0.3450839595261038, 0.19675301374013598,
	};
	static const double p2[] = {
		0.12794132529988733, 0.3679643204341153, 0.768715420996091,
		0.09972248964114683, 0.27197653636654284, 0.28797629010039505,
		0.9160213458582482, 0.6112628048698798, 0.5452873235576241,
		0.06785907231746158, 0.6072666485541124, 0.6241575753989782,
		0.39998026828867217, 0.19895665605941748, 0.8094941215215619,
	};
	double t2[LEN(p1)];
	for (size_t i = 0; i < LEN(p1); i++)
		t2[i] = p1[i] - p2[i];
	ok(pcs_dm_test(t2, LEN(t2), 3, &r) == 0 && r.n == 15, "test_diebold_mariano_2 (h = 3) is tested");
	is_num(r.stat, 1.2109, 5e-5, "test 2: DM = 1.2109 as published");
	is_num(1 - r.p_value / 2, 0.877, 5e-5, "test 2: one-sided p = 0.877 as published");
	is_num(r.stat, 1.210945301758227, 1e-12, "test 2: DM to 1e-12 by hand");
	is_num(r.p_value, 0.2459625098602367, 1e-10, "test 2: p to 1e-10 by hand");
	is_num(r.stat / (r.mean / sqrt(r.variance)), 0.8326663997864531, 1e-12,
	       "HLN factor for n = 15, h = 3: sqrt((n + 1 - 2h + h(h-1)/n) / n) = 0.83267");
	ok(pcs_dm_test(t2, LEN(t2), 1, &s) == 0 && fabs(s.stat - r.stat) > 0.01,
	   "h = 1 on the same data gives another statistic (%.4f vs %.4f)", s.stat, r.stat);
	is_num(s.stat / (s.mean / sqrt(s.variance)), sqrt(14.0 / 15), 1e-12,
	       "HLN factor for h = 1 is sqrt((n-1)/n)");

	/*
	 * The autocovariances: github.com/echosun1996/DieboldMarianoTest
	 * (diebold_mariano_test_test.py) lists, for d = 1 -4 -8 -16, gamma_k
	 * with divisor n and dbar = -6.75 subtracted as 38.6875, 7.359375,
	 * -8.78125 for k = 0, 1, 2.  So with h = 3 the variance is
	 * (38.6875 + 2(7.359375 - 8.78125)) / 4 = 8.9609375 and the factor
	 * sqrt(1*2)/4; with h = 2, (38.6875 + 2 * 7.359375) / 4 = 13.3515625.
	 */
	double g[] = { 1, -4, -8, -16 };
	ok(pcs_dm_test(g, 4, 3, &r) == 0, "h = n - 1 is allowed");
	is_num(r.variance, 8.9609375, 1e-12, "variance with lags 1 and 2: 8.9609375");
	is_num(r.stat, -6.75 / sqrt(8.9609375) * sqrt(2.0) / 4, 1e-12, "and its statistic");
	ok(pcs_dm_test(g, 4, 2, &r) == 0, "h = 2");
	is_num(r.variance, 13.3515625, 1e-12, "variance with lag 1: 13.3515625");

	/* h = 1 is the one-sample t test: gamma_0 (n-1)/n^2 = s^2/n */
	{
		double x[] = { 0.3, -1.2, 2.5, 0.7, 1.1, -0.4, 0.9 }, m = 0, ss = 0;
		size_t n = LEN(x);
		for (size_t i = 0; i < n; i++)
			m += x[i] / n;
		for (size_t i = 0; i < n; i++)
			ss += (x[i] - m) * (x[i] - m);
		pcs_dm_test(x, n, 1, &r);
		is_num(r.stat, m / sqrt(ss / (n - 1) / n), 1e-12, "h = 1: the one-sample t statistic");
		is_num(r.p_value, 2 * gsl_cdf_tdist_Q(fabs(r.stat), n - 1), 1e-15,
		       "p is two-sided with n-1 df");
	}

	/* NaN and infinite entries are skipped, the lags run over the rest */
	double nan5[] = { NAN, -8, -35, INFINITY, -35, 4, NAN, NAN, -72, -INFINITY };
	{
		ok(pcs_dm_test(nan5, LEN(nan5), 1, &r) == 0 && r.n == 5 &&
		   fabs(r.stat - -2.2229922805746782) < 1e-12 && fabs(r.mean - -29.2) < 1e-12,
		   "NaN and Inf skipped: the README example again, n = 5");
		double t2n[2 * LEN(t2) + 1];
		size_t k = 0;
		t2n[k++] = NAN;
		for (size_t i = 0; i < LEN(t2); i++) {
			t2n[k++] = t2[i];
			if (i % 3 == 1)
				t2n[k++] = NAN;
		}
		ok(pcs_dm_test(t2n, k, 3, &r) == 0 && r.n == 15 &&
		   fabs(r.stat - 1.210945301758227) < 1e-12 && fabs(r.p_value - 0.2459625098602367) < 1e-10,
		   "NaNs between values: h = 3 pairs lags over the skipped entries");
	}

	/* the scale does not matter: squares of 2^1000 overflow, of 2^-1060 vanish */
	{
		double big[LEN(readme)], tiny[LEN(readme)];
		for (size_t i = 0; i < LEN(readme); i++) {
			big[i] = ldexp(readme[i], 1000);
			tiny[i] = ldexp(readme[i], -1060);
		}
		ok(pcs_dm_test(big, 5, 2, &r) == 0 && pcs_dm_test(readme, 5, 2, &s) == 0 &&
		   r.stat == s.stat && r.p_value == s.p_value && isfinite(r.stat),
		   "differentials near 2^1006: the same test as unscaled");
		ok(pcs_dm_test(tiny, 5, 2, &r) == 0 && r.stat == s.stat && r.p_value == s.p_value &&
		   r.mean == ldexp(s.mean, -1060), "subnormal differentials: the same test, mean scaled");
	}

	/* too short, h out of range */
	{
		double two[] = { 1, NAN, 2 }, none[] = { NAN, NAN, NAN, NAN };
		ok(pcs_dm_test(two, 3, 1, &r) == -1 && r.n == 2 && isnan(r.stat) && isnan(r.p_value),
		   "two usable values: -1, stat and p NaN");
		ok(pcs_dm_test(none, 4, 1, &r) == -1 && r.n == 0 && isnan(r.stat) && isnan(r.p_value),
		   "no usable values: -1");
		ok(pcs_dm_test(readme, 5, 5, &r) == -1 && isnan(r.stat) && isnan(r.p_value),
		   "h = n: -1");
		ok(pcs_dm_test(readme, 5, 0, &r) == -1 && isnan(r.stat), "h = 0: -1");
		ok(pcs_dm_test(readme, 3, 1, &r) == 0 && r.n == 3, "three values are enough");
		ok(pcs_dm_test(nan5, 10, 5, &r) == -1, "h is checked against the usable count");
	}

	/* every differential the same: no variance */
	{
		double z[] = { 0, 0, 0, 0 }, c[] = { 0.1, 0.1, NAN, 0.1 }, neg[] = { -2, -2, -2 };
		ok(pcs_dm_test(z, 4, 1, &r) == 0 && r.stat == 0 && r.p_value == 1 && r.variance == 0,
		   "all zero: stat 0, p 1");
		ok(pcs_dm_verdict(&r, 0.05) == 0, "all zero: no verdict");
		ok(pcs_dm_test(c, 4, 2, &r) == 0 && isinf(r.stat) && r.stat > 0 && r.p_value == 0 &&
		   r.mean == 0.1 && r.n == 3,
		   "all 0.1: stat +Inf, p 0, mean exactly 0.1 (sum / 3 is not)");
		ok(pcs_dm_verdict(&r, 0.05) == 1, "all 0.1: B is better");
		ok(pcs_dm_test(neg, 3, 1, &r) == 0 && isinf(r.stat) && r.stat < 0 && r.p_value == 0,
		   "all -2: stat -Inf, p 0");
		ok(pcs_dm_verdict(&r, 0.05) == -1, "all -2: A is better");
	}

	/*
	 * A negative long-run variance: 3 -1 repeated has gamma_0 = 4 and
	 * gamma_1 = -7 * 4 / 8 = -3.5, so with h = 2 the sum 4 - 7 < 0; the test
	 * is then the one with h = 1, variance gamma_0 / n = 0.5.
	 */
	{
		double alt[] = { 3, -1, 3, -1, 3, -1, 3, -1 };
		ok(pcs_dm_test(alt, 8, 2, &r) == 0 && pcs_dm_test(alt, 8, 1, &s) == 0,
		   "alternating series, h = 2 and h = 1");
		is_num(r.variance, 0.5, 1e-12, "h = 2 falls back to the lag-0 variance 0.5");
		ok(r.stat == s.stat && r.p_value == s.p_value,
		   "and to the h = 1 correction factor, as dm.test does (%.6f vs %.6f)", r.stat, s.stat);
	}

	/* the sign: d = loss_A - loss_B; swapping A and B negates the statistic */
	{
		double flip[LEN(readme)];
		for (size_t i = 0; i < LEN(readme); i++)
			flip[i] = -readme[i];
		pcs_dm_test(readme, 5, 1, &r);
		pcs_dm_test(flip, 5, 1, &s);
		ok(r.stat < 0 && s.stat == -r.stat && s.p_value == r.p_value,
		   "A with smaller losses: negative stat; swapped: positive, same p");
		ok(pcs_dm_verdict(&r, 0.10) == -1, "p = 0.090 at alpha 0.10: A is better");
		ok(pcs_dm_verdict(&s, 0.10) == 1, "swapped: B is better");
		ok(pcs_dm_verdict(&r, 0.05) == 0 && pcs_dm_verdict(&s, 0.05) == 0,
		   "at alpha 0.05: no verdict either way");
		ok(pcs_dm_verdict(&r, r.p_value) == 0, "alpha equal to p: not significant (p < alpha)");
		ok(pcs_dm_verdict(NULL, 0.05) == 0, "NULL result: no verdict");
		pcs_dm_test(readme, 2, 1, &r);
		ok(pcs_dm_verdict(&r, 1.5) == 0, "failed test (p NaN): no verdict");
	}

	/* noise and shift, and the size of the test */
	{
		gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
		double x[200];
		double rate;

		gsl_rng_set(rng, 42);
		for (size_t i = 0; i < LEN(x); i++)
			x[i] = gsl_ran_gaussian(rng, 1);
		pcs_dm_test(x, LEN(x), 1, &r);
		ok(r.p_value > 0.3, "noise around 0: p well above 0.05 (%.3f)", r.p_value);
		for (size_t i = 0; i < LEN(x); i++)
			x[i] += 0.5;
		pcs_dm_test(x, LEN(x), 1, &r);
		ok(r.p_value < 0.001 && pcs_dm_verdict(&r, 0.001) == 1,
		   "noise shifted by half its sd: p < 0.001 (%.2g), B better", r.p_value);

		rate = rejection_rate(rng, 2000, 50, 0, 1, 0);
		ok(rate > 0.035 && rate < 0.065, "white noise, h = 1: rejects 5%% of the time (%.3f)", rate);
		/* MA(2), as the errors of 3-step forecasts: the lags are needed */
		rate = rejection_rate(rng, 2000, 100, 2, 3, 0);
		ok(rate > 0.03 && rate < 0.09, "MA(2) noise, h = 3: rejects near 5%% (%.3f)", rate);
		rate = rejection_rate(rng, 2000, 100, 2, 1, 0);
		ok(rate > 0.2, "MA(2) noise tested as if h = 1 rejects far too often (%.3f)", rate);
		rate = rejection_rate(rng, 500, 100, 2, 3, 1.5);
		ok(rate > 0.95, "MA(2) shifted by 1.5 (5 se): rejected nearly always with h = 3 (%.3f)", rate);
		gsl_rng_free(rng);
	}
	return tap_done();
}
