/* Unit tests: the phase-conditioned conformal bounds (pcs_conformal.h) on
 * synthetic demand with a known error law, fed one minute at a time as
 * pcs-replay feeds them: the demand, then the forecasts made at that
 * minute, a refit every day. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "tap.h"
#include "pcs_conformal.h"

#define STEP 60
#define T0 1795564800   /* a whole hour */
#define DAY 1440

/* The demand law: the mean at minute i, and a draw around it. */
enum { FLAT, MULTIPLICATIVE, CROWDS, NOISY_MODEL, TIES };

static double
mean_at(int law, long i)
{
	double day = sin(2 * M_PI * (double)(i % DAY) / DAY);
	return law == FLAT || law == NOISY_MODEL || law == TIES ? 100 : 100 + 80 * day;
}

/* A standard normal fixed by i (splitmix64, Box-Muller): the same model
 * forecast for minute i whenever it is asked for. */
static double
fixed_gauss(long i)
{
	uint64_t z = (uint64_t)i * 0x9E3779B97F4A7C15u + 0x632BE59BD9B4E019u;
	double u[2];

	for (int k = 0; k < 2; k++) {
		z += 0x9E3779B97F4A7C15u;
		uint64_t x = z;
		x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
		x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
		x ^= x >> 31;
		u[k] = ((double)(x >> 11) + 0.5) / 9007199254740992.0;
	}
	return sqrt(-2 * log(u[0])) * cos(2 * M_PI * u[1]);
}

/* The forecast a model gives for minute i: the true mean, or for
 * NOISY_MODEL one that is off by noise of its own (sd 8, as a model that
 * chases the last steps' noise). */
static double
model_at(int law, long i)
{
	return law == NOISY_MODEL ? mean_at(law, i) + 8 * fixed_gauss(i) : mean_at(law, i);
}

static double
draw(int law, long i)
{
	double m = mean_at(law, i);
	if (law == NOISY_MODEL)
		return m + 10 * gauss();
	if (law == TIES)   /* whole requests: 98 to 102, and 150 one minute in 50 */
		return unif() < 0.02 ? 150 : m + (double)(long)(5 * unif()) - 2;
	if (law == MULTIPLICATIVE)
		return m * (1 + 0.2 * gauss());
	if (law == CROWDS && i % 30 == 2 && unif() < 0.3)   /* :02 and :32 */
		return m * 4;
	return m + 5 * gauss();
}

/* Feed n minutes of the law with the true mean as the forecast at
 * horizons h[], refitting daily; then count how often the demand of the
 * next `test` minutes exceeds the bound at horizon j = 0 (coverage), and
 * return the bound's mean at minute-of-half-hour 2 and elsewhere. */
static pcs_conformal *
feed(int law, const size_t *h, size_t nh, double level, long n)
{
	pcs_conformal *c = pcs_conformal_new(h, nh, level, 7 * DAY, STEP);
	double mean[8];

	for (long i = 0; i < n && c; i++) {
		int64_t ts = T0 + (int64_t)i * STEP;
		pcs_conformal_observe(c, ts, draw(law, i));
		for (size_t j = 0; j < nh; j++)
			mean[j] = model_at(law, i + (long)h[j]);
		pcs_conformal_forecast(c, ts, mean);
		if (i % DAY == DAY - 1)
			pcs_conformal_refit(c);
	}
	return c;
}

/* How often the demand of minutes [from, from + n) is within the bound at
 * horizon h = 1 made a minute before, feeding each minute on (no refit). */
static double
coverage(pcs_conformal *c, int law, long from, long n)
{
	long in = 0;

	for (long i = from; i < from + n; i++) {
		int64_t ts = T0 + (int64_t)(i - 1) * STEP;   /* forecast made a minute before */
		double y = draw(law, i), m = model_at(law, i + 1);
		in += y <= pcs_conformal_upper(c, 0, ts, model_at(law, i));
		pcs_conformal_observe(c, ts + STEP, y);
		pcs_conformal_forecast(c, ts + STEP, &m);
	}
	return (double)in / (double)n;
}

int
main(void)
{
	size_t h1[1] = { 1 }, h3[3] = { 1, 2, 3 };
	pcs_conformal *c;

	ok(pcs_conformal_new(h1, 1, 1, 100, STEP) == NULL && pcs_conformal_new(h1, 1, 0, 100, STEP) == NULL,
	   "a level of 0 or 1 is refused");
	{
		size_t far[1] = { PCS_CONFORMAL_MAX_H + 1 };
		ok(pcs_conformal_new(far, 1, 0.9, 100, STEP) == NULL,
		   "a horizon past PCS_CONFORMAL_MAX_H is refused (its forecasts are not kept)");
	}

	reseed(1);
	c = feed(FLAT, h1, 1, 0.9, 100);
	ok(c && isnan(pcs_conformal_upper(c, 0, T0, 100)) && isnan(pcs_conformal_power(c)),
	   "no bound before a refit");
	ok(pcs_conformal_refit(c) == 1, "a refit on 99 scores at 0.9 makes a table");
	is_str(pcs_conformal_partition(c), "pooled", "too few scores a cell for any phase: pooled");
	pcs_conformal_free(c);

	reseed(2);
	c = feed(FLAT, h1, 1, 0.99, 150);
	ok(pcs_conformal_refit(c) == 0 && isnan(pcs_conformal_upper(c, 0, T0, 100)),
	   "0.99 on 74 scores a half: no table (a cell needs 99)");
	pcs_conformal_free(c);

	/* constant noise (sd 5) around 100: the 0.9 bound is near 100 + 1.28 x 5 */
	reseed(3);
	c = feed(FLAT, h1, 1, 0.9, 8 * DAY);
	{
		double b = pcs_conformal_upper(c, 0, T0, 100), cov = coverage(c, FLAT, 8 * DAY, 20000);
		is_str(pcs_conformal_base(c), "model", "an exact model: its mean is the base");
		ok(fabs(b - 106.4) < 0.6, "flat series: the 0.9 bound is 100 + 1.28 sd (%.2f)", b);
		ok(cov > 0.885 && cov < 0.915, "flat series: coverage of new demand is 0.9 (%.4f)", cov);
	}
	pcs_conformal_free(c);

	/* errors proportional to the level over a daily cycle (20 to 180):
	 * power 1 wins, and the bound keeps its coverage at the peak and at
	 * the trough alike */
	reseed(4);
	c = feed(MULTIPLICATIVE, h3, 3, 0.95, 8 * DAY);
	ok(pcs_conformal_power(c) == 1, "errors proportional to the level: power 1 (%g)",
	   pcs_conformal_power(c));
	{
		double lo = pcs_conformal_upper(c, 0, T0, 20), hi = pcs_conformal_upper(c, 0, T0, 180);
		ok(fabs(lo / 20 - hi / 180) < 0.02, "its bound is the same share above the mean "
		   "at 20 and 180 (%.3f, %.3f)", lo / 20, hi / 180);
	}
	pcs_conformal_free(c);
	reseed(5);
	c = feed(FLAT, h3, 3, 0.95, 8 * DAY);
	ok(pcs_conformal_power(c) == 0 || pcs_conformal_power(c) == 0.5,
	   "errors of one size on a flat series: not power 1 (%g)", pcs_conformal_power(c));
	pcs_conformal_free(c);

	/* crowds 4x the level at :02 and :32, in 3 half-hours of 10: a phase
	 * partition that tells minute 2 of the half-hour from the rest wins,
	 * and the bound is crowd-sized there and near the noise elsewhere */
	reseed(6);
	c = feed(CROWDS, h1, 1, 0.95, 8 * DAY);
	{
		const char *p = pcs_conformal_partition(c);
		int64_t before_02 = T0 + 60, before_15 = T0 + 14 * 60;   /* forecasts for :02, :15 */
		double b02 = pcs_conformal_upper(c, 0, before_02, 100);
		double b15 = pcs_conformal_upper(c, 0, before_15, 100);
		ok(p && (strcmp(p, "30m") == 0 || strcmp(p, "1h") == 0),
		   "crowds at :02 and :32: the minute of the half-hour or the hour (%s)", p);
		ok(b02 > 250 && b15 < 130, "the 0.95 bound at :02 holds the crowd (%.0f), at :15 not (%.0f)",
		   b02, b15);
		double cov = coverage(c, CROWDS, 8 * DAY, 30000);
		ok(cov > 0.94, "coverage of new demand, crowds included: %.4f", cov);
	}
	pcs_conformal_free(c);

	/* a model off by noise of its own (sd 8) around a flat level with
	 * noise sd 10: the mean of the last 16 or 64 minutes is the sharper
	 * base (its error sd 2.5 or 1.25), and the 0.95 bound stands on it,
	 * near 100 + 1.645 x 10, where the model's would be 21 above its mean */
	reseed(8);
	c = feed(NOISY_MODEL, h1, 1, 0.95, 8 * DAY);
	{
		const char *base = pcs_conformal_base(c);
		double cov = coverage(c, NOISY_MODEL, 8 * DAY, 20000);
		double b = pcs_conformal_upper(c, 0, T0 + (int64_t)(8 * DAY + 20000 - 1) * STEP, 130);
		ok(strcmp(base, "local16") == 0 || strcmp(base, "local64") == 0,
		   "a noisy model: a local mean of 16 or 64 steps is the base (%s)", base);
		ok(b > 110 && b < 123, "its 0.95 bound ignores the model's 130 and is near 116 (%.1f)", b);
		ok(cov > 0.935 && cov < 0.965, "noisy model: coverage of new demand is 0.95 (%.4f)", cov);
	}
	pcs_conformal_free(c);

	/* whole numbers: most scores tie, which the cells' selection must
	 * order like a sort; the 0.9 bound is the 90th percentile of 98 to
	 * 102 and bursts (one minute in 50): 102 */
	reseed(9);
	c = feed(TIES, h1, 1, 0.9, 8 * DAY);
	{
		double b = pcs_conformal_upper(c, 0, T0, 100);
		ok(b == 102, "ties: the 0.9 bound of 98-102 with 2%% bursts is 102 (%g)", b);
	}
	pcs_conformal_free(c);

	/* a gap in the demand scores nothing and moves nothing */
	reseed(7);
	c = feed(FLAT, h1, 1, 0.9, 8 * DAY);
	{
		double before = pcs_conformal_upper(c, 0, T0, 100);
		pcs_conformal_observe(c, T0 + 8 * DAY * STEP, NAN);
		pcs_conformal_refit(c);
		ok(pcs_conformal_upper(c, 0, T0, 100) == before, "a NaN demand is skipped");
	}
	pcs_conformal_free(c);

	return tap_done();
}
