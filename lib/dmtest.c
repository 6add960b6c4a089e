/* dmtest.c — Diebold–Mariano test with the Harvey–Leybourne–Newbold correction. */
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_dmtest.h"
#include "pcs_grow.h"

/* The first index at or after i that holds a finite value, n when none does. */
static size_t
next_finite(const double *d, size_t n, size_t i)
{
	while (i < n && !isfinite(d[i]))
		i++;
	return i;
}

/* Lag-k autocovariance of the m finite entries of d, multiplied by scale,
 * taken as one series around mean, with divisor m as R's acf(type =
 * "covariance") has it.  Two cursors k finite entries apart walk past the
 * skipped ones, so nothing is copied; the caller keeps k < m. */
static double
autocov(const double *d, size_t n, double scale, double mean, size_t k, size_t m)
{
	size_t i = next_finite(d, n, 0), j = i;
	double sum = 0;

	for (size_t s = 0; s < k; s++)
		i = next_finite(d, n, i + 1);
	for (; i < n; i = next_finite(d, n, i + 1), j = next_finite(d, n, j + 1))
		sum += (d[i] * scale - mean) * (d[j] * scale - mean);
	return sum / (double)m;
}

/* Diebold & Mariano (1995), "Comparing predictive accuracy", JBES 13, with
 * the modified statistic of Harvey, Leybourne & Newbold (1997), "Testing the
 * equality of prediction mean squared errors", IJF 13, computed as
 * R's forecast::dm.test (R/DM2.R) does: autocovariances with divisor n, their
 * sum up to lag h-1 over n as the variance of the mean, Student t with n-1
 * degrees of freedom, and a retry with h = 1 when that sum is not positive.
 *
 * The values are scaled by a power of two that brings the largest near 1,
 * which is exact (short of values some 2^1000 below the largest) and keeps
 * the squares from overflowing or underflowing; the statistic does not
 * depend on the scale. */
int
pcs_dm_test(const double *d, size_t n, size_t h, struct pcs_dm_result *out)
{
	size_t m = 0, first = 0;
	double big = 0, scale, sum = 0, mean, var;
	int same = 1, e;

	for (size_t i = 0; i < n; i++) {
		if (!isfinite(d[i]))
			continue;
		if (m++ == 0)
			first = i;
		else if (d[i] != d[first])
			same = 0;
		big = fmax(big, fabs(d[i]));
	}
	frexp(big, &e);
	if (e < -1021)
		e = -1021;      /* all subnormal: 2^1074 would overflow */
	scale = ldexp(1, -e);
	for (size_t i = 0; i < n; i++)
		if (isfinite(d[i]))
			sum += d[i] * scale;
	mean = m ? sum / (double)m : NAN;
	out->n = m;
	/* identical values: their mean is the value, not sum/m with its rounding */
	out->mean = m && same ? d[first] : mean / scale;
	out->stat = out->p_value = out->variance = NAN;
	if (h < 1 || m < 3 || h >= m)
		return -1;
	if (same) {
		out->variance = 0;
		out->stat = d[first] == 0 ? 0 : copysign(INFINITY, d[first]);
		out->p_value = d[first] == 0 ? 1 : 0;
		return 0;
	}
	var = 0;
	for (size_t k = 1; k < h; k++)
		var += 2 * autocov(d, n, scale, mean, k, m);
	var = (autocov(d, n, scale, mean, 0, m) + var) / (double)m;
	if (!(var > 0)) {
		/* the rectangular kernel can make the sum negative; dm.test then
		 * warns and tests as for h = 1.  The lag-0 term is positive here:
		 * the values differ and are scaled near 1. */
		h = 1;
		var = autocov(d, n, scale, mean, 0, m) / (double)m;
	}
	/* (n + 1 - 2h + h(h-1)/n) / n is (n-h)(n-h+1) / n^2, free of cancellation */
	out->stat = mean / sqrt(var) * sqrt((double)(m - h) * (double)(m - h + 1)) / (double)m;
	out->p_value = fmin(1, 2 * gsl_cdf_tdist_Q(fabs(out->stat), (double)(m - 1)));
	out->variance = var / scale / scale;
	return 0;
}

int
pcs_dm_verdict(const struct pcs_dm_result *r, double alpha)
{
	if (r == NULL || !(r->p_value < alpha))
		return 0;
	return r->mean < 0 ? -1 : r->mean > 0;
}

/* ---- A/B comparisons over time ---- */

struct ab_loss {
	int64_t t;
	int arm;
	double loss;
};

struct pcs_ab {
	struct ab_loss *v;
	size_t n, cap;
};

pcs_ab *
pcs_ab_new(void)
{
	return calloc(1, sizeof(struct pcs_ab));
}

void
pcs_ab_free(pcs_ab *ab)
{
	if (ab) {
		free(ab->v);
		free(ab);
	}
}

int
pcs_ab_add(pcs_ab *ab, int64_t t, int arm, double loss)
{
	if (!isfinite(loss))
		return 0;
	struct ab_loss *nv = pcs_grow(ab->v, ab->n, &ab->cap, sizeof *nv, 256);

	if (nv == NULL)
		return -1;
	ab->v = nv;
	ab->v[ab->n++] = (struct ab_loss){ t, arm != 0, loss };
	return 0;
}

void
pcs_ab_means(const pcs_ab *ab, double *mean_a, double *mean_b)
{
	double sum[2] = { 0, 0 };
	size_t cnt[2] = { 0, 0 };

	for (size_t i = 0; i < ab->n; i++) {
		sum[ab->v[i].arm] += ab->v[i].loss;
		cnt[ab->v[i].arm]++;
	}
	*mean_a = cnt[0] ? sum[0] / (double)cnt[0] : NAN;
	*mean_b = cnt[1] ? sum[1] / (double)cnt[1] : NAN;
}

static int
cmp_time(const void *a, const void *b)
{
	const struct ab_loss *x = a, *y = b;

	return (x->t > y->t) - (x->t < y->t);
}

int
pcs_ab_test(pcs_ab *ab, size_t h, struct pcs_dm_result *out)
{
	double *d = malloc((ab->n + 1) * sizeof *d);
	size_t nd = 0;
	int rc;

	if (d == NULL) {
		memset(out, 0, sizeof *out);
		out->stat = out->p_value = out->variance = out->mean = NAN;
		return -2;
	}
	if (ab->n > 1)
		qsort(ab->v, ab->n, sizeof *ab->v, cmp_time);
	for (size_t i = 0; i < ab->n;) {
		double sum[2] = { 0, 0 };
		size_t cnt[2] = { 0, 0 }, j = i;
		for (; j < ab->n && ab->v[j].t == ab->v[i].t; j++) {
			sum[ab->v[j].arm] += ab->v[j].loss;
			cnt[ab->v[j].arm]++;
		}
		if (cnt[0] && cnt[1])
			d[nd++] = sum[0] / (double)cnt[0] - sum[1] / (double)cnt[1];
		i = j;
	}
	rc = pcs_dm_test(d, nd, h ? h : 1, out);
	free(d);
	return rc;
}
