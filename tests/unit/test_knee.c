/* Unit tests: the capacity knee (pcs_knee.h) on synthetic latency curves. */
#include <stdint.h>
#include <stdlib.h>

#include "rng.h"
#include "tap.h"
#include "pcs_knee.h"

#define KNEE 800.0   /* rps, where the synthetic curves break */
#define N    2000

enum { LINEAR, EXPO, MM1, STEADY, CAPPED, FALLING };

/* Knuth's product of uniforms; fine for the small means used here. */
static double
poisson(double mean)
{
	double l = exp(-mean), p = unif();
	int k = 0;

	while (p > l) {
		p *= unif();
		k++;
	}
	return k;
}

/* Median latency in ms at load x rps. */
static double
curve(int kind, double x)
{
	switch (kind) {
	case LINEAR:    /* 40 ms, then +0.5 ms per rps: 240 ms at 1200 */
		return 40 + (x > KNEE ? 0.5 * (x - KNEE) : 0);
	case EXPO:      /* 40 ms, then e-fold every 133 rps: 20x at 1200 */
		return 40 * exp(fmax(0, x - KNEE) / 133);
	case MM1:       /* service 40 ms at 1000 rps: 40 / (1 - rho) */
		return 40 / (1 - x / 1000);
	case CAPPED:    /* climbs to a 100 ms timeout at 600 rps */
		return fmin(40 + 0.1 * x, 100);
	case FALLING:   /* warms up: 80 ms falling to 40 at 800 rps */
		return fmax(80 - 0.05 * x, 40);
	}
	return 40;
}

/* n loads uniform on [lo, hi] and the curve times lognormal noise. */
static void
make(int kind, double lo, double hi, double sigma, uint64_t s, double *x, double *y, size_t n)
{
	reseed(s);
	for (size_t i = 0; i < n; i++) {
		x[i] = lo + (hi - lo) * unif();
		y[i] = curve(kind, x[i]) * exp(sigma * gauss());
	}
}

static struct pcs_knee
fit(const double *x, const double *y, size_t n, const struct pcs_knee_params *p)
{
	struct pcs_knee k;

	if (pcs_knee_fit(x, y, n, p, &k) != 0)
		k.status = -1;
	return k;
}

/* Over seeds 1..nseeds: the range [*lo, *top] of the knees, and whether
 * all were found. */
static int
knee_range(int kind, double hi, double sigma, int nseeds, double *lo, double *top,
           double *x, double *y)
{
	*lo = INFINITY;
	*top = -INFINITY;
	for (int s = 1; s <= nseeds; s++) {
		struct pcs_knee k;
		make(kind, 50, hi, sigma, (uint64_t)s, x, y, N);
		k = fit(x, y, N, NULL);
		if (k.status != PCS_KNEE_FOUND)
			return 0;
		*lo = fmin(*lo, k.knee);
		*top = fmax(*top, k.knee);
	}
	return 1;
}

/* Fit seeds 1..nseeds of one curve and noise; the largest |knee - want|,
 * or INFINITY if any fit found no knee. */
static double
worst_error(int kind, double hi, double sigma, int nseeds, double want, double *x, double *y)
{
	double lo, top;

	if (!knee_range(kind, hi, sigma, nseeds, &lo, &top, x, y))
		return INFINITY;
	return fmax(fabs(lo - want), fabs(top - want));
}

/* How many of seeds 1..nseeds end with status want and no knee. */
static int
count_status(int kind, double hi, double sigma, int nseeds, int want, double *x, double *y)
{
	int cnt = 0;

	for (int s = 1; s <= nseeds; s++) {
		struct pcs_knee k;
		make(kind, 50, hi, sigma, (uint64_t)s, x, y, N);
		k = fit(x, y, N, NULL);
		cnt += k.status == want && isnan(k.knee);
	}
	return cnt;
}

int
main(void)
{
	static double x[N + 400], y[N + 400], x2[N + 400], y2[N + 400];
	struct pcs_knee_params p;
	struct pcs_knee k;
	double worst, lo, hi;
	size_t above;

	pcs_knee_defaults(&p);
	ok(p.min_samples == 50 && p.min_above == 10 && p.alpha == 0.001 && p.min_rise == 0.5,
	   "defaults: 50 samples, 10 above, alpha 0.001, +50%%");
	ok(strcmp(pcs_knee_status_name(PCS_KNEE_FOUND), "found") == 0 &&
	   strcmp(pcs_knee_status_name(PCS_KNEE_TOO_FEW), "too-few") == 0 &&
	   strcmp(pcs_knee_status_name(PCS_KNEE_NOT_REACHED), "not-reached") == 0 &&
	   strcmp(pcs_knee_status_name(PCS_KNEE_FLAT), "flat") == 0 &&
	   strcmp(pcs_knee_status_name(4), "?") == 0, "status names");

	/* Noiseless: the hinge is the model, so the fit is all but exact; the knee
	 * lies between two bin loads (about 13 rps apart): only the refinement
	 * gets it to within 0.01. */
	make(LINEAR, 50, 1200, 0, 1, x, y, N);
	k = fit(x, y, N, NULL);
	above = 0;
	hi = -INFINITY;
	for (size_t i = 0; i < N; i++) {
		above += x[i] > KNEE;
		hi = fmax(hi, x[i]);
	}
	ok(k.status == PCS_KNEE_FOUND && fabs(k.knee - KNEE) < 0.01,
	   "noiseless hinge: knee %.4f, exact", k.knee);
	/* not to the last digit: the median of an even bin straddling the knee
	 * averages two points on either side of it */
	ok(fabs(k.baseline - 40) < 1e-5 && fabs(k.slope_below) < 1e-7 &&
	   fabs(k.slope_above - 0.5) < 1e-5 && k.p_value < 1e-12,
	   "noiseless hinge: baseline %.6f, slopes %.2g and %.6f, p %.2g", k.baseline,
	   k.slope_below, k.slope_above, k.p_value);
	ok(k.n == N && k.n_above == above && k.max_load == hi,
	   "noiseless hinge: n %zu, n_above %zu (%zu above 800), max_load %.1f", k.n, k.n_above,
	   above, k.max_load);

	/* Flat at 40 ms, then +0.5 ms/rps, 2000 samples to 1200 rps, lognormal
	 * noise from 5% to 40%: within 5% (40 rps) of the knee. */
	worst = worst_error(LINEAR, 1200, 0.05, 8, KNEE, x, y);
	ok(worst <= 0.05 * KNEE, "linear rise, noise 5%%, 8 seeds: knee within %.1f rps", worst);
	worst = worst_error(LINEAR, 1200, 0.2, 8, KNEE, x, y);
	ok(worst <= 0.05 * KNEE, "linear rise, noise 20%%, 8 seeds: knee within %.1f rps", worst);
	worst = worst_error(LINEAR, 1200, 0.4, 8, KNEE, x, y);
	ok(worst <= 0.05 * KNEE, "linear rise, noise 40%%, 8 seeds: knee within %.1f rps", worst);
	make(LINEAR, 50, 1200, 0.2, 3, x, y, N);
	k = fit(x, y, N, NULL);
	ok(fabs(k.baseline - 40) < 2 && fabs(k.slope_above - 0.5) < 0.05 && k.p_value < 1e-10,
	   "linear rise, noise 20%%: baseline %.2f, slope above %.3f, p %.2g", k.baseline,
	   k.slope_above, k.p_value);

	/* Most samples at low load, as a POP's history has them: loads 50 +
	 * 1150 u^2, a fifth of them above the knee. */
	worst = 0;
	for (int s = 1; s <= 8; s++) {
		reseed((uint64_t)s);
		for (size_t i = 0; i < N; i++) {
			double u = unif();
			x[i] = 50 + 1150 * u * u;
			y[i] = curve(LINEAR, x[i]) * exp(0.3 * gauss());
		}
		k = fit(x, y, N, NULL);
		worst = k.status == PCS_KNEE_FOUND ? fmax(worst, fabs(k.knee - KNEE)) : INFINITY;
	}
	ok(worst <= 0.05 * KNEE, "loads mostly low, noise 30%%, 8 seeds: knee within %.1f rps", worst);

	/* Exponential past the knee (20x by 1200 rps): a hinge follows it with
	 * a straight line, so the break lands after the onset; allowed: from
	 * 5% before it to one e-folding (133 rps) after, where latency is at
	 * most e times the baseline. */
	ok(knee_range(EXPO, 1200, 0.1, 8, &lo, &hi, x, y) && lo >= 0.95 * KNEE && hi <= KNEE + 133,
	   "exponential rise, noise 10%%: knees %.1f to %.1f, in [760, 933]", lo, hi);
	ok(knee_range(EXPO, 1200, 0.3, 8, &lo, &hi, x, y) && lo >= 0.95 * KNEE && hi <= KNEE + 133,
	   "exponential rise, noise 30%%: knees %.1f to %.1f, in [760, 933]", lo, hi);

	/* M/M/1 to rho 0.95 has no kink.  The knee must come after rho 0.5,
	 * where latency has doubled (Kleinrock's power optimum, the textbook
	 * knee of this curve), and before rho 0.8, where it is 5x. */
	ok(knee_range(MM1, 950, 0.1, 8, &lo, &hi, x, y) && lo >= 500 && hi <= 800,
	   "M/M/1, noise 10%%: knees %.1f to %.1f, rho 0.5 to 0.8", lo, hi);
	ok(knee_range(MM1, 950, 0.3, 8, &lo, &hi, x, y) && lo >= 500 && hi <= 800,
	   "M/M/1, noise 30%%: knees %.1f to %.1f, rho 0.5 to 0.8", lo, hi);

	/* No break at all: no estimate, and the data never reached a knee. */
	ok(count_status(STEADY, 1200, 0.05, 20, PCS_KNEE_NOT_REACHED, x, y) == 20,
	   "flat curve, noise 5%%: not reached, 20 seeds of 20");
	ok(count_status(STEADY, 1200, 0.4, 20, PCS_KNEE_NOT_REACHED, x, y) == 20,
	   "flat curve, noise 40%%: not reached, 20 seeds of 20");
	/* the linear rise, but the data stop short of its knee */
	ok(count_status(LINEAR, 780, 0.05, 20, PCS_KNEE_NOT_REACHED, x, y) == 20,
	   "data stopping at 780 rps, noise 5%%: not reached, 20 seeds of 20");
	ok(count_status(LINEAR, 780, 0.3, 20, PCS_KNEE_NOT_REACHED, x, y) == 20,
	   "data stopping at 780 rps, noise 30%%: not reached, 20 seeds of 20");

	/* Data stopping at 850: about 125 samples above the knee and latency
	 * up 62% by the last load: found, unless either is asked more of. */
	make(LINEAR, 50, 850, 0.1, 1, x, y, N);
	k = fit(x, y, N, NULL);
	ok(k.status == PCS_KNEE_FOUND && fabs(k.knee - KNEE) <= 0.05 * KNEE && k.n_above > 100,
	   "data stopping at 850 rps: knee %.1f with %zu above", k.knee, k.n_above);
	p.min_above = 300;
	k = fit(x, y, N, &p);
	ok(k.status == PCS_KNEE_NOT_REACHED && isnan(k.knee) && k.n_above > 0 && k.n_above < 300,
	   "min_above 300: not reached, %zu above the break", k.n_above);
	pcs_knee_defaults(&p);
	p.min_rise = 1;
	k = fit(x, y, N, &p);
	ok(k.status == PCS_KNEE_NOT_REACHED && isnan(k.knee), "min_rise +100%%: not reached");
	pcs_knee_defaults(&p);

	/* Levelling off is not a knee; falling to a floor is not one either. */
	make(CAPPED, 50, 1200, 0.1, 1, x, y, N);
	k = fit(x, y, N, NULL);
	ok(k.status == PCS_KNEE_FLAT && isnan(k.knee) && fabs(k.slope_below - 0.1) < 0.01 &&
	   fabs(k.slope_above) < 0.01, "capped at 100 ms from 600 rps: flat, slopes %.3f and %.3f",
	   k.slope_below, k.slope_above);
	make(FALLING, 50, 1200, 0.1, 1, x, y, N);
	k = fit(x, y, N, NULL);
	ok(k.status == PCS_KNEE_NOT_REACHED && isnan(k.knee) && k.p_value < p.alpha,
	   "falling to 40 ms at 800 rps: a break (p %.2g) but no rise: not reached", k.p_value);

	/* An error rate: 0.02% until 800 rps, +0.01% per rps after, counted
	 * over 1000 requests, so most bins below the knee are exactly 0. */
	reseed(7);
	for (size_t i = 0; i < N; i++) {
		x[i] = 50 + 1150 * unif();
		y[i] = poisson(1000 * (0.0002 + (x[i] > KNEE ? 0.0001 * (x[i] - KNEE) : 0))) / 1000;
	}
	k = fit(x, y, N, NULL);
	ok(k.status == PCS_KNEE_FOUND && fabs(k.knee - KNEE) <= 0.05 * KNEE && fabs(k.baseline) < 0.001,
	   "error rate from 0: knee %.1f, baseline %.5f", k.knee, k.baseline);

	/* Too few, and degenerate loads. */
	make(LINEAR, 50, 1200, 0, 1, x, y, 49);
	k = fit(x, y, 49, NULL);
	ok(k.status == PCS_KNEE_TOO_FEW && isnan(k.knee) && isnan(k.p_value) && k.n == 49,
	   "49 samples: too few");
	make(LINEAR, 50, 1200, 0, 1, x, y, 50);
	k = fit(x, y, 50, NULL);
	ok(k.status == PCS_KNEE_FOUND && fabs(k.knee - KNEE) < 1, "50 noiseless samples: knee %.2f",
	   k.knee);
	for (size_t i = 0; i < 100; i++)
		x2[i] = 500;
	k = fit(x2, y, 100, NULL);
	ok(k.status == PCS_KNEE_TOO_FEW && k.max_load == 500, "one load only: too few");
	k = fit(NULL, NULL, 0, NULL);
	ok(k.status == PCS_KNEE_TOO_FEW && k.n == 0 && isnan(k.max_load), "no data: too few");

	/* NaN and infinite pairs are skipped: 300 of them give the same fit. */
	make(LINEAR, 50, 1200, 0.2, 5, x, y, N);
	k = fit(x, y, N, NULL);
	{
		struct pcs_knee k2;
		size_t j = 0;
		for (size_t i = 0; i < N; i++) {
			if (i % 7 == 3 && j < N + 300 - 1) {
				x2[j] = i % 2 ? NAN : 900;
				y2[j++] = i % 3 ? NAN : INFINITY;
			}
			x2[j] = x[i];
			y2[j++] = y[i];
		}
		k2 = fit(x2, y2, j, NULL);
		ok(j > N + 250 && k2.status == PCS_KNEE_FOUND && k2.n == N && k2.knee == k.knee &&
		   k2.max_load == k.max_load, "%zu unusable pairs skipped: n %zu, knee %.1f",
		   j - N, k2.n, k2.knee);
	}

	/* Heavy tails: 1% of samples 10x, anywhere, or packed just below the
	 * knee where they would pull a least-squares break early. */
	worst = 0;
	for (int s = 1; s <= 8; s++) {
		struct pcs_knee clean, spiked;
		make(LINEAR, 50, 1200, 0.1, (uint64_t)s, x, y, N);
		clean = fit(x, y, N, NULL);
		for (size_t i = 0; i < N; i += 100)
			y[i] *= 10;
		spiked = fit(x, y, N, NULL);
		if (clean.status != PCS_KNEE_FOUND || spiked.status != PCS_KNEE_FOUND)
			worst = INFINITY;
		else
			worst = fmax(worst, fabs(spiked.knee - clean.knee));
	}
	ok(worst <= 0.01 * KNEE, "1%% of samples 10x, 8 seeds: knee moves %.2f rps at most", worst);
	worst = 0;
	for (int s = 1; s <= 8; s++) {
		struct pcs_knee clean, spiked;
		size_t cnt = 0;
		make(LINEAR, 50, 1200, 0.1, (uint64_t)s, x, y, N);
		clean = fit(x, y, N, NULL);
		for (size_t i = 0; i < N && cnt < 20; i++)
			if (x[i] > 700 && x[i] < KNEE) {
				y[i] *= 10;
				cnt++;
			}
		spiked = fit(x, y, N, NULL);
		if (clean.status != PCS_KNEE_FOUND || spiked.status != PCS_KNEE_FOUND)
			worst = INFINITY;
		else
			worst = fmax(worst, fabs(spiked.knee - clean.knee));
	}
	ok(worst <= 0.02 * KNEE, "20 spikes of 10x in 700-800 rps, 8 seeds: knee moves %.2f rps at most",
	   worst);

	/* Arguments. */
	make(LINEAR, 50, 1200, 0.2, 1, x, y, N);
	k = fit(x, y, N, NULL);
	{
		struct pcs_knee k2 = fit(x, y, N, &p);
		ok(k2.status == k.status && k2.knee == k.knee, "NULL params are the defaults");
	}
	p.alpha = 0;
	ok(pcs_knee_fit(x, y, N, &p, &k) == PCS_EUSAGE && k.status == PCS_KNEE_TOO_FEW &&
	   isnan(k.knee), "alpha 0 is a usage error");
	pcs_knee_defaults(&p);
	p.min_rise = NAN;
	ok(pcs_knee_fit(x, y, N, &p, &k) == PCS_EUSAGE, "min_rise NaN is a usage error");
	ok(pcs_knee_fit(NULL, y, N, NULL, &k) == PCS_EUSAGE &&
	   pcs_knee_fit(x, y, N, NULL, NULL) == PCS_EUSAGE, "NULL data or result: usage error");
	return tap_done();
}
