/* transform.c — the working scales of the models: identity, log and
 * Box-Cox, and the choice of the Box-Cox parameter.
 *
 * Box-Cox (Box & Cox 1964, JRSS B 26:211-252): z = (y^lambda - 1) / lambda,
 * log y at lambda = 0; for positive series only.  lambda is chosen by
 * Guerrero's method (1993, "Time-series analysis supported by power
 * transformations", J. Forecasting 12:37-48), as R's forecast::BoxCox.lambda
 * does by default: cut the series into subseries of one season, and take
 * the lambda that makes sd_i / mean_i^(1 - lambda) most nearly constant
 * across them (smallest coefficient of variation).  R searches [-1, 2];
 * here [0, 2]: below 0 the transformed scale is bounded above (by
 * -1/lambda), so an upper quantile beyond the bound has no value on the
 * scale of requests, and would be infinite.
 */
#include <math.h>
#include <stdlib.h>

#include "pcs_models.h"

#define LAMBDA_LO 0.0
#define LAMBDA_HI 2.0
#define LAMBDA_STEP 0.05

double
pcs_transform_value(int transform, double lambda, double y)
{
	/* a sample that is not positive carries no information on these
	 * scales: it is a gap */
	switch (transform) {
	case PCS_TRANSFORM_LOG:
		return y > 0 ? log(y) : NAN;
	case PCS_TRANSFORM_BOXCOX:
		if (!(y > 0))
			return NAN;
		return fabs(lambda) < 1e-12 ? log(y) : (pow(y, lambda) - 1) / lambda;
	}
	return y;
}

double
pcs_transform_inverse(int transform, double lambda, double z)
{
	switch (transform) {
	case PCS_TRANSFORM_LOG:
		return exp(z);
	case PCS_TRANSFORM_BOXCOX: {
		double base;
		if (fabs(lambda) < 1e-12)
			return exp(z);
		base = lambda * z + 1;
		/* beyond the range of the transform: the nearest end */
		if (!(base > 0))
			return lambda > 0 ? 0 : INFINITY;
		return pow(base, 1 / lambda);
	}
	}
	return z;
}

double
pcs_boxcox_lambda(const double *y, size_t n, size_t period)
{
	size_t m = period >= 2 ? period : 2, groups = n / m, used = 0;
	double *mean, *sd, best = 1, best_cv = INFINITY;

	if (groups < 2)
		return 1;
	mean = malloc(groups * sizeof *mean);
	sd = malloc(groups * sizeof *sd);
	if (mean == NULL || sd == NULL) {
		free(mean);
		free(sd);
		return 1;
	}
	/* the latest whole seasons, each with enough positive samples */
	for (size_t g = 0; g < groups; g++) {
		const double *x = y + (n - (g + 1) * m);
		double s = 0, s2 = 0;
		size_t c = 0;
		for (size_t i = 0; i < m; i++)
			if (x[i] > 0) {
				s += x[i];
				c++;
			}
		if (c < 2 || c < m / 2)
			continue;
		s /= (double)c;
		for (size_t i = 0; i < m; i++)
			if (x[i] > 0)
				s2 += (x[i] - s) * (x[i] - s);
		mean[used] = s;
		sd[used] = sqrt(s2 / (double)(c - 1));
		used++;
	}
	for (double lam = LAMBDA_LO; used >= 2 && lam <= LAMBDA_HI + 1e-9; lam += LAMBDA_STEP) {
		double s = 0, s2 = 0, cv;
		for (size_t g = 0; g < used; g++) {
			double r = sd[g] / pow(mean[g], 1 - lam);
			s += r;
			s2 += r * r;
		}
		s /= (double)used;
		cv = s > 0 ? sqrt(fmax(0, s2 / (double)used - s * s)) / s : INFINITY;
		if (isfinite(cv) && cv < best_cv - 1e-12) {
			best_cv = cv;
			best = lam;
		}
	}
	free(mean);
	free(sd);
	/* the grid's own rounding: 0.05 steps from 0 */
	return round(best / LAMBDA_STEP) * LAMBDA_STEP;
}
