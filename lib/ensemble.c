/* ensemble.c — a weighted combination of fitted models.
 *
 * The combination is made on the scale of the observations: each member
 * works on its own scale (ets-mul on logs, say), and the ensemble's forecast
 * is sum_i w_i * untransform_i(f_i), with the weights summing to one.  The
 * ensemble itself then works on logs (for a positive series) or on the
 * identity, so that its calibration errors, and so its intervals, are
 * relative or absolute as the caller chose.
 *
 * Why combine: in the M4 competition the combinations of a few simple
 * statistical models beat almost every single model (Makridakis, Spiliotis
 * & Assimakopoulos 2020, "The M4 Competition: 100,000 time series and 61
 * forecasting methods", IJF 36, sections 4-5); weighting each member by the
 * inverse of its out-of-sample error is the classic scheme of Bates &
 * Granger (1969), which the caller applies (see forecast.c).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_models.h"

struct pcs_ensemble {
	pcs_model **m;
	double *w;
	size_t n;
	int transform;      /* the ensemble's own scale: PCS_TRANSFORM_* */
	double *scratch;    /* a member's series on its own scale */
	size_t scratch_n;
};

double
pcs_ensemble_scale(int transform, double y)
{
	if (transform != PCS_TRANSFORM_LOG)
		return y;
	/* a sum of additive members can dip to zero or below: floor it, so the
	 * log stays finite (and the error it makes is large, as it should be) */
	return log(y > DBL_MIN ? y : DBL_MIN);
}

static double
to_scale(const struct pcs_ensemble *e, double y)
{
	return pcs_ensemble_scale(e->transform, y);
}

/* A member's forecast as demand: never below zero (an additive member can
 * forecast below it; a negative part would drag the others down). */
double
pcs_ensemble_demand(double f)
{
	return f < 0 ? 0 : f;
}

static double
from_scale(const struct pcs_ensemble *e, double z)
{
	return pcs_transform_inverse(e->transform, 0, z);
}

struct pcs_ensemble *
pcs_ensemble_new(pcs_model **members, const double *weights, size_t n, int transform)
{
	struct pcs_ensemble *e = calloc(1, sizeof *e);
	double total = 0;

	if (e == NULL)
		return NULL;
	e->m = malloc((n ? n : 1) * sizeof *e->m);
	e->w = malloc((n ? n : 1) * sizeof *e->w);
	if (e->m == NULL || e->w == NULL) {
		free(e->m);
		free(e->w);
		free(e);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		total += weights[i];
	for (size_t i = 0; i < n; i++) {
		e->m[i] = members[i];
		e->w[i] = total > 0 ? weights[i] / total : 1.0 / (double)n;
	}
	e->n = n;
	e->transform = transform;
	return e;
}

void
pcs_ensemble_free(struct pcs_ensemble *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->n; i++)
		pcs_model_free(e->m[i]);
	free(e->m);
	free(e->w);
	free(e->scratch);
	free(e);
}

static double *
scratch(struct pcs_ensemble *e, size_t n)
{
	if (n > e->scratch_n) {
		double *s = realloc(e->scratch, n * sizeof *s);
		if (s == NULL)
			return NULL;
		e->scratch = s;
		e->scratch_n = n;
	}
	return e->scratch;
}

void
pcs_ensemble_set_time(struct pcs_ensemble *e, int64_t t0)
{
	for (size_t i = 0; i < e->n; i++)
		pcs_model_set_time(e->m[i], t0);
}

/* Fit (fit = 1) or reset every member on z[0..n) given on the ensemble's
 * scale, each on its own scale. */
static int
each_member(struct pcs_ensemble *e, const double *z, size_t n, int fit)
{
	double *x = scratch(e, n ? n : 1);
	int rc = 0;

	if (x == NULL)
		return -1;
	for (size_t i = 0; i < e->n; i++) {
		for (size_t t = 0; t < n; t++)
			x[t] = isnan(z[t]) ? NAN : pcs_model_transform(e->m[i], from_scale(e, z[t]));
		if (fit)
			rc |= pcs_model_fit(e->m[i], x, n);
		else
			pcs_model_reset(e->m[i], x, n);
	}
	return rc;
}

int
pcs_ensemble_fit(struct pcs_ensemble *e, const double *z, size_t n)
{
	return each_member(e, z, n, 1);
}

void
pcs_ensemble_reset(struct pcs_ensemble *e, const double *z, size_t n)
{
	each_member(e, z, n, 0);
}

double
pcs_ensemble_update(struct pcs_ensemble *e, double z)
{
	double y = isnan(z) ? NAN : from_scale(e, z), sum = 0;

	for (size_t i = 0; i < e->n; i++) {
		pcs_model *m = e->m[i];
		double f = pcs_model_update(m, isnan(y) ? NAN : pcs_model_transform(m, y));
		sum += e->w[i] * pcs_ensemble_demand(pcs_model_untransform(m, f));
	}
	return to_scale(e, sum);
}

double
pcs_ensemble_forecast(const struct pcs_ensemble *e, size_t h)
{
	double sum = 0;

	for (size_t i = 0; i < e->n; i++)
		sum += e->w[i] * pcs_ensemble_demand(pcs_model_untransform(e->m[i],
		                                                           pcs_model_forecast(e->m[i], h)));
	return to_scale(e, sum);
}

void
pcs_ensemble_forecast_path(const struct pcs_ensemble *e, const size_t *h, size_t n, double *out)
{
	double *path = malloc((n ? n : 1) * sizeof *path);

	if (path == NULL) {
		for (size_t j = 0; j < n; j++)
			out[j] = pcs_ensemble_forecast(e, h[j]);
		return;
	}
	for (size_t j = 0; j < n; j++)
		out[j] = 0;
	for (size_t i = 0; i < e->n; i++) {
		pcs_model_forecast_path(e->m[i], h, n, path);
		for (size_t j = 0; j < n; j++)
			out[j] += e->w[i] * pcs_ensemble_demand(pcs_model_untransform(e->m[i], path[j]));
	}
	for (size_t j = 0; j < n; j++)
		out[j] = to_scale(e, out[j]);
	free(path);
}
