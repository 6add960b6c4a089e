/* ets.c — multi-seasonal exponential smoothing with a damped trend.
 *
 * Taylor's double-seasonal Holt-Winters (J. W. Taylor 2003, JORS 54:799-805)
 * in the error-correction form (Hyndman, Koehler, Ord & Snyder 2008,
 * "Forecasting with Exponential Smoothing", table 2.1, additive damped):
 *
 *   yhat_t = l + phi b + s1[t mod m1] + s2[t mod m2]
 *   e_t    = y_t - yhat_t
 *   l     <- l + phi b + alpha e_t
 *   b     <- phi b + beta e_t
 *   s1[t mod m1] += gamma1 e_t,   s2[t mod m2] += gamma2 e_t
 *
 *   yhat_{T+h|T} = l + (phi + ... + phi^h) b + s1[(T+h) mod m1] + s2[(T+h) mod m2]
 *
 * Parameters are fitted by least squares of the one-step errors (the
 * conditional likelihood under Gaussian errors, up to a constant) with GSL's
 * Nelder-Mead simplex over an unconstrained reparameterization that keeps
 * 0 < alpha < 1, 0 < beta < alpha, 0.8 <= phi <= 0.98 and
 * 0 < gamma < 1 - alpha (the usual admissible region, Hyndman et al. 2008
 * section 10.2).  Initial states come from a classical decomposition of the
 * first two longest cycles.
 *
 * The trend is damped (phi fitted), linear (phi = 1: Holt's trend) or absent
 * (beta = 0 and no initial slope); the parameters a mode fixes are left out
 * of the search.
 */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_models.h"

struct pcs_ets {
	size_t m1, m2;             /* 1 when the component is absent */
	int has1, has2;
	int trend;                 /* PCS_TREND_* */
	struct pcs_ets_params p;
	double l, b;
	double last_err;           /* the latest base error, for the AR(1) term */
	double *s1, *s2;
	size_t t;
	size_t p1, p2;             /* t mod m1, t mod m2, kept without division */
	/* initial state, kept so that fitting can restart cheaply */
	double l0, b0, *s10, *s20;
};

struct pcs_ets *
pcs_ets_new(int period1, int period2, int trend)
{
	struct pcs_ets *e = calloc(1, sizeof *e);

	if (e == NULL)
		return NULL;
	e->has1 = period1 > 1;
	e->has2 = period2 > 1;
	e->trend = trend;
	e->m1 = e->has1 ? (size_t)period1 : 1;
	e->m2 = e->has2 ? (size_t)period2 : 1;
	e->s1 = calloc(e->m1, sizeof *e->s1);
	e->s2 = calloc(e->m2, sizeof *e->s2);
	e->s10 = calloc(e->m1, sizeof *e->s10);
	e->s20 = calloc(e->m2, sizeof *e->s20);
	if (!e->s1 || !e->s2 || !e->s10 || !e->s20) {
		pcs_ets_free(e);
		return NULL;
	}
	e->p.alpha = 0.3;
	e->p.beta = trend == PCS_TREND_NONE ? 0 : 0.01;
	e->p.phi = trend == PCS_TREND_DAMPED ? 0.95 : 1;
	e->p.gamma1 = e->has1 ? 0.05 : 0;
	e->p.gamma2 = e->has2 ? 0.05 : 0;
	e->p.rho = 0.5;
	return e;
}

void
pcs_ets_free(struct pcs_ets *e)
{
	if (e == NULL)
		return;
	free(e->s1);
	free(e->s2);
	free(e->s10);
	free(e->s20);
	free(e);
}

static double
mean_of(const double *z, size_t from, size_t to)
{
	double s = 0;
	size_t c = 0;

	for (size_t i = from; i < to; i++)
		if (!isnan(z[i])) {
			s += z[i];
			c++;
		}
	return c ? s / (double)c : NAN;
}

/* Average the values of each phase of period m over z[0..n), centred. */
static void
phase_means(const double *x, size_t n, size_t m, double *out)
{
	double total = 0;
	size_t used = 0;

	for (size_t j = 0; j < m; j++) {
		double s = 0;
		size_t c = 0;
		for (size_t i = j; i < n; i += m)
			if (!isnan(x[i])) {
				s += x[i];
				c++;
			}
		out[j] = c ? s / (double)c : 0;
		if (c) {
			total += out[j];
			used++;
		}
	}
	if (used)
		for (size_t j = 0; j < m; j++)
			out[j] -= total / (double)used;
}

void
pcs_ets_reset(struct pcs_ets *e, const double *z, size_t n)
{
	size_t M = e->m1 > e->m2 ? e->m1 : e->m2, span;
	double first, second, *x;

	if (M < 2)
		M = n < 8 ? (n > 1 ? n / 2 : 1) : 4;
	span = 2 * M <= n ? 2 * M : n;
	first = mean_of(z, 0, M < n ? M : n);
	second = 2 * M <= n ? mean_of(z, M, 2 * M) : NAN;
	if (isnan(first))
		first = 0;
	e->b0 = isnan(second) || e->trend == PCS_TREND_NONE ? 0 : (second - first) / (double)M;
	/* the level just before z[0], given that first is the mean of cycle one */
	e->l0 = first - e->b0 * (double)(M + 1) / 2;
	memset(e->s10, 0, e->m1 * sizeof *e->s10);
	memset(e->s20, 0, e->m2 * sizeof *e->s20);
	x = e->has1 || e->has2 ? calloc(span ? span : 1, sizeof *x) : NULL;
	if (x != NULL) {
		for (size_t i = 0; i < span; i++)
			x[i] = z[i] - (e->l0 + e->b0 * (double)(i + 1));
		if (e->has1)
			phase_means(x, span, e->m1, e->s10);
		if (e->has2) {
			for (size_t i = 0; i < span; i++)
				if (!isnan(x[i]))
					x[i] -= e->s10[i % e->m1];
			phase_means(x, span, e->m2, e->s20);
		}
	}
	free(x);
	e->l = e->l0;
	e->b = e->b0;
	memcpy(e->s1, e->s10, e->m1 * sizeof *e->s1);
	memcpy(e->s2, e->s20, e->m2 * sizeof *e->s2);
	e->t = e->p1 = e->p2 = 0;
	e->last_err = 0;
}

double
pcs_ets_update(struct pcs_ets *e, double z)
{
	size_t p1 = e->p1, p2 = e->p2;
	double trend = e->p.phi * e->b;
	double base = e->l + trend + e->s1[p1] + e->s2[p2];
	double yhat = base + e->p.rho * e->last_err;

	if (isnan(z)) {
		e->l += trend;
		e->b = trend;
		e->last_err *= e->p.rho;
	} else {
		double err = z - base;
		e->last_err = err;
		e->l += trend + e->p.alpha * err;
		e->b = trend + e->p.beta * err;
		e->s1[p1] += e->p.gamma1 * err;
		e->s2[p2] += e->p.gamma2 * err;
	}
	e->t++;
	if (++e->p1 == e->m1)
		e->p1 = 0;
	if (++e->p2 == e->m2)
		e->p2 = 0;
	return yhat;
}

double
pcs_ets_forecast(const struct pcs_ets *e, size_t h)
{
	double phi = e->p.phi, damp;
	size_t i = e->t + h - 1;

	/* phi + phi^2 + ... + phi^h */
	damp = phi < 1 ? phi * (1 - pow(phi, (double)h)) / (1 - phi) : (double)h;
	return e->l + damp * e->b + e->s1[i % e->m1] + e->s2[i % e->m2] +
	       pow(e->p.rho, (double)h) * e->last_err;
}

/* longest gap between successive horizons walked one step at a time */
#define ETS_PATH_STEPWISE 1024

void
pcs_ets_forecast_path(const struct pcs_ets *e, const size_t *h, size_t n, double *out)
{
	double phi_k = 1, rho_k = 1, damp = 0;
	size_t k = 0;

	for (size_t j = 0; j < n; j++) {
		size_t i = e->t + h[j] - 1;
		/* advance phi^k, rho^k and phi + ... + phi^k to k = h[j]: step by
		 * step over a short gap, in closed form over a long one, so that
		 * a horizon of millions of steps costs what one of ten does */
		if (h[j] > k && h[j] - k > ETS_PATH_STEPWISE) {
			phi_k *= pow(e->p.phi, (double)(h[j] - k));
			rho_k *= pow(e->p.rho, (double)(h[j] - k));
			k = h[j];
			damp = e->p.phi < 1 ? e->p.phi * (1 - phi_k) / (1 - e->p.phi) : (double)k;
		}
		for (; k < h[j]; k++) {
			phi_k *= e->p.phi;
			rho_k *= e->p.rho;
			damp += phi_k;
		}
		out[j] = e->l + damp * e->b + e->s1[i % e->m1] + e->s2[i % e->m2] +
		         rho_k * e->last_err;
	}
}

/* ---- fitting ---- */

struct fit_data {
	struct pcs_ets *e;
	const double *z;
	size_t n;
	int gaps;           /* z holds a NaN */
};

static double
logistic(double x)
{
	return 1 / (1 + exp(-x));
}

static double
logit(double p)
{
	return log(p / (1 - p));
}

static void
to_params(const struct pcs_ets *e, const gsl_vector *x, struct pcs_ets_params *p)
{
	size_t k = 0;

	p->alpha = 0.001 + 0.998 * logistic(gsl_vector_get(x, k++));
	p->beta = e->trend == PCS_TREND_NONE ? 0 : p->alpha * 0.999 * logistic(gsl_vector_get(x, k++));
	p->phi = e->trend == PCS_TREND_DAMPED ? 0.8 + 0.18 * logistic(gsl_vector_get(x, k++)) : 1;
	p->gamma1 = e->has1 ? (1 - p->alpha) * 0.999 * logistic(gsl_vector_get(x, k++)) : 0;
	p->gamma2 = e->has2 ? (1 - p->alpha) * 0.999 * logistic(gsl_vector_get(x, k++)) : 0;
	p->rho = 0.99 * logistic(gsl_vector_get(x, k++));
}

static double
clampp(double p)
{
	return p < 1e-6 ? 1e-6 : p > 1 - 1e-6 ? 1 - 1e-6 : p;
}

static void
from_params(const struct pcs_ets *e, const struct pcs_ets_params *p, gsl_vector *x)
{
	size_t k = 0;

	gsl_vector_set(x, k++, logit(clampp((p->alpha - 0.001) / 0.998)));
	if (e->trend != PCS_TREND_NONE)
		gsl_vector_set(x, k++, logit(clampp(p->beta / (p->alpha * 0.999))));
	if (e->trend == PCS_TREND_DAMPED)
		gsl_vector_set(x, k++, logit(clampp((p->phi - 0.8) / 0.18)));
	if (e->has1)
		gsl_vector_set(x, k++, logit(clampp(p->gamma1 / ((1 - p->alpha) * 0.999))));
	if (e->has2)
		gsl_vector_set(x, k++, logit(clampp(p->gamma2 / ((1 - p->alpha) * 0.999))));
	gsl_vector_set(x, k++, logit(clampp(p->rho / 0.99)));
}

/* The one-step squared errors of a series without gaps and without
 * seasonal components (mstl's adjusted series): the recursion below with
 * what it does not need taken out, since fitting spends its time here. */
static double
sse_plain(const double *z, size_t n, double l, double b, const struct pcs_ets_params *p,
          size_t *cnt)
{
	double alpha = p->alpha, beta = p->beta, phi = p->phi, rho = p->rho, last = 0, sse = 0;

	for (size_t i = 0; i < n; i++) {
		double trend = phi * b, err = z[i] - (l + trend), resid = err - rho * last;
		sse += resid * resid;
		l += trend + alpha * err;
		b = trend + beta * err;
		last = err;
	}
	*cnt = n;
	return sse;
}

/* The one-step error variance of parameters x: the same recursion as
 * pcs_ets_update, with the state in locals so that the compiler can keep it
 * in registers (this loop is where fitting spends its time). */
static double
objective(const gsl_vector *x, void *arg)
{
	struct fit_data *d = arg;
	struct pcs_ets *e = d->e;
	double *restrict s1 = e->s1, *restrict s2 = e->s2;
	double l = e->l0, b = e->b0, last = 0, sse = 0;
	double alpha, beta, phi, g1, g2, rho;
	size_t p1 = 0, p2 = 0, m1 = e->m1, m2 = e->m2, cnt = 0;

	to_params(e, x, &e->p);
	if (!d->gaps && !e->has1 && !e->has2) {
		sse = sse_plain(d->z, d->n, l, b, &e->p, &cnt);
		return isfinite(sse) && cnt ? sse / (double)cnt : 1e300;
	}
	alpha = e->p.alpha;
	beta = e->p.beta;
	phi = e->p.phi;
	g1 = e->p.gamma1;
	g2 = e->p.gamma2;
	rho = e->p.rho;
	memcpy(s1, e->s10, m1 * sizeof *s1);
	memcpy(s2, e->s20, m2 * sizeof *s2);
	for (size_t i = 0; i < d->n; i++) {
		double z = d->z[i], trend = phi * b, base = l + trend + s1[p1] + s2[p2];
		if (isnan(z)) {
			l += trend;
			b = trend;
			last *= rho;
		} else {
			double err = z - base, resid = err - rho * last;
			sse += resid * resid;
			cnt++;
			l += trend + alpha * err;
			b = trend + beta * err;
			s1[p1] += g1 * err;
			s2[p2] += g2 * err;
			last = err;
		}
		if (++p1 == m1)
			p1 = 0;
		if (++p2 == m2)
			p2 = 0;
	}
	if (!isfinite(sse) || cnt == 0)
		return 1e300;
	return sse / (double)cnt;
}

int
pcs_ets_fit(struct pcs_ets *e, const double *z, size_t n)
{
	size_t np = 2 + (size_t)(e->trend != PCS_TREND_NONE) + (size_t)(e->trend == PCS_TREND_DAMPED) +
	            (size_t)e->has1 + (size_t)e->has2;
	const gsl_multimin_fminimizer_type *T = gsl_multimin_fminimizer_nmsimplex2;
	gsl_multimin_fminimizer *s;
	gsl_vector *x, *step;
	gsl_multimin_function f;
	struct fit_data d = { e, z, n, 0 };
	struct pcs_ets_params start = e->p;
	int rc = 0;

	pcs_ets_reset(e, z, n);
	for (size_t i = 0; i < n && !d.gaps; i++)
		d.gaps = isnan(z[i]);
	x = gsl_vector_alloc(np);
	step = gsl_vector_alloc(np);
	s = gsl_multimin_fminimizer_alloc(T, np);
	if (x == NULL || step == NULL || s == NULL) {
		rc = -1;
		goto out;
	}
	from_params(e, &start, x);
	gsl_vector_set_all(step, 1.0);
	f.n = np;
	f.f = objective;
	f.params = &d;
	gsl_multimin_fminimizer_set(s, &f, x, step);
	for (int iter = 0; iter < 300; iter++) {
		if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS)
			break;
		if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-3) == GSL_SUCCESS)
			break;
	}
	to_params(e, gsl_multimin_fminimizer_x(s), &e->p);
out:
	gsl_multimin_fminimizer_free(s);
	gsl_vector_free(x);
	gsl_vector_free(step);
	pcs_ets_reset(e, z, n);
	return rc;
}

void
pcs_ets_get_params(const struct pcs_ets *e, struct pcs_ets_params *p)
{
	*p = e->p;
}

/* Parameters from a model file: the trend mode and the seasonal components
 * decide which may be nonzero. */
void
pcs_ets_set_params(struct pcs_ets *e, const struct pcs_ets_params *p)
{
	e->p = *p;
	if (e->trend == PCS_TREND_NONE)
		e->p.beta = 0;
	if (e->trend != PCS_TREND_DAMPED)
		e->p.phi = 1;
	if (!e->has1)
		e->p.gamma1 = 0;
	if (!e->has2)
		e->p.gamma2 = 0;
}
