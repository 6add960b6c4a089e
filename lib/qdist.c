/* qdist.c — distributions from quantiles: linear CDF inside, exponential
 * tails outside (see pcs_qdist.h). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "pcs_qdist.h"

static void
tails(pcs_qdist *d)
{
	size_t n = d->n;
	double dq;

	dq = d->q[n - 1] - d->q[n - 2];
	d->s_hi = dq > 0 ? dq / log((1 - d->level[n - 2]) / (1 - d->level[n - 1])) : 0;
	dq = d->q[1] - d->q[0];
	d->s_lo = dq > 0 ? dq / log(d->level[1] / d->level[0]) : 0;
}

int
pcs_qdist_init(pcs_qdist *d, const double *level, const double *q, size_t n, double floor)
{
	if (n < 2 || n > PCS_QDIST_MAX)
		return -1;
	memset(d, 0, sizeof *d);
	for (size_t i = 0; i < n; i++) {
		if (!(level[i] > 0 && level[i] < 1) || (i > 0 && !(level[i] > level[i - 1])) ||
		    !isfinite(q[i]))
			return -1;
		d->level[i] = level[i];
		d->q[i] = q[i] < floor ? floor : q[i];
		if (i > 0 && d->q[i] < d->q[i - 1])
			d->q[i] = d->q[i - 1];
	}
	d->n = n;
	d->floor = floor;
	tails(d);
	return 0;
}

void
pcs_qdist_scale(pcs_qdist *d, double k)
{
	for (size_t i = 0; i < d->n; i++)
		d->q[i] *= k;
	d->floor *= k;
	d->s_lo *= k;
	d->s_hi *= k;
}

double
pcs_qdist_cdf(const pcs_qdist *d, double x)
{
	size_t n = d->n, i;

	if (x < d->floor)
		return 0;
	if (x < d->q[0])
		return d->s_lo > 0 ? d->level[0] * exp(-(d->q[0] - x) / d->s_lo) : 0;
	if (x >= d->q[n - 1])
		return d->s_hi > 0 ? 1 - (1 - d->level[n - 1]) * exp(-(x - d->q[n - 1]) / d->s_hi) : 1;
	for (i = 1; i < n && d->q[i] <= x; i++)
		;
	/* q[i-1] <= x < q[i] */
	return d->level[i - 1] + (d->level[i] - d->level[i - 1]) *
	       (x - d->q[i - 1]) / (d->q[i] - d->q[i - 1]);
}

double
pcs_qdist_sf(const pcs_qdist *d, double x)
{
	size_t n = d->n;

	/* computed directly in the upper tail, where 1 - cdf would lose digits */
	if (x >= d->q[n - 1])
		return d->s_hi > 0 ? (1 - d->level[n - 1]) * exp(-(x - d->q[n - 1]) / d->s_hi) : 0;
	return 1 - pcs_qdist_cdf(d, x);
}

double
pcs_qdist_quantile(const pcs_qdist *d, double p)
{
	size_t n = d->n, i;
	double x;

	if (p <= d->level[0]) {
		if (d->s_lo <= 0)
			return d->q[0];
		x = d->q[0] + d->s_lo * log(p / d->level[0]);
		return x < d->floor ? d->floor : x;
	}
	if (p >= d->level[n - 1])
		return d->s_hi > 0 ? d->q[n - 1] - d->s_hi * log((1 - p) / (1 - d->level[n - 1]))
		                   : d->q[n - 1];
	for (i = 1; i < n && d->level[i] < p; i++)
		;
	x = d->q[i - 1] + (d->q[i] - d->q[i - 1]) * (p - d->level[i - 1]) / (d->level[i] - d->level[i - 1]);
	/* a + (b - a) may round past b: quantiles must not cross */
	return x > d->q[i] ? d->q[i] : x;
}

/* E[(X-c)+] = integral from c to infinity of P(X > x) dx, piece by piece:
 * trapezoids where the CDF is linear, closed forms in the tails. */
double
pcs_qdist_excess(const pcs_qdist *d, double c)
{
	size_t n = d->n;
	double total = 0, from;

	if (c < d->floor) {
		/* below the floor P(X > x) = 1 */
		total += d->floor - c;
		c = d->floor;
	}
	/* lower tail [floor, q0): P(X > x) = 1 - t0 exp(-(q0 - x)/s) */
	if (c < d->q[0]) {
		double a = c, b = d->q[0];
		total += b - a;
		if (d->s_lo > 0)
			total -= d->level[0] * d->s_lo * (1 - exp(-(b - a) / d->s_lo));
		c = d->q[0];
	}
	/* linear pieces */
	for (size_t i = 1; i < n; i++) {
		double a = d->q[i - 1], b = d->q[i];
		if (b <= c || b == a)
			continue;
		from = a > c ? a : c;
		{
			double fa = 1 - pcs_qdist_cdf(d, from), fb = 1 - d->level[i];
			total += (b - from) * ((fa + fb) / 2);   /* halved first: b near DBL_MAX */
		}
	}
	/* upper tail */
	from = c > d->q[n - 1] ? c : d->q[n - 1];
	if (d->s_hi > 0)
		total += (1 - d->level[n - 1]) * d->s_hi * exp(-(from - d->q[n - 1]) / d->s_hi);
	return fmin(total, DBL_MAX);
}

int
pcs_qdist_add(pcs_qdist *sum, const pcs_qdist *part)
{
	if (sum->n != part->n)
		return -1;
	for (size_t i = 0; i < sum->n; i++)
		if (sum->level[i] != part->level[i])
			return -1;
	/* saturated: two parts near DBL_MAX would add up to Inf */
	for (size_t i = 0; i < sum->n; i++)
		sum->q[i] = fmin(sum->q[i] + part->q[i], DBL_MAX);
	sum->floor = fmin(sum->floor + part->floor, DBL_MAX);
	tails(sum);
	return 0;
}
