/* pcs_qdist.h — a distribution known only by a few of its quantiles.
 *
 * The forecast stream gives each prediction as quantiles (p50, p90, ...).
 * pcs_qdist turns them into a whole distribution: the CDF is linear between
 * the given quantiles, and beyond the outermost ones each tail is
 * exponential, with the rate that passes through the two outermost
 * quantiles on that side:
 *
 *   x > q_n:  P(X > x) = (1 - t_n) exp(-(x - q_n) / s_hi),
 *             s_hi = (q_n - q_{n-1}) / ln((1 - t_{n-1}) / (1 - t_n))
 *   x < q_1:  P(X <= x) = t_1 exp(-(q_1 - x) / s_lo),
 *             s_lo = (q_2 - q_1) / ln(t_2 / t_1)
 *
 * and the lower tail is cut at `floor` (0 for rates: no mass below it; the
 * mass the exponential would put there sits at the floor).  An exponential
 * tail is heavier than a normal's, so probabilities of exceeding far beyond
 * the last quantile err on the side of caution.  Tied quantiles are a point
 * mass; a tail whose two quantiles tie has no spread beyond them.
 */
#ifndef PCS_QDIST_H
#define PCS_QDIST_H

#include <stddef.h>

#define PCS_QDIST_MAX 64

typedef struct pcs_qdist {
	size_t n;
	double level[PCS_QDIST_MAX];   /* ascending, in (0,1) */
	double q[PCS_QDIST_MAX];       /* non-decreasing */
	double floor;
	double s_lo, s_hi;             /* tail scales, 0 for no spread */
} pcs_qdist;

/* Build from n >= 2 levels and their quantiles (levels ascending; quantiles
 * are made non-decreasing).  Returns 0, or -1 for n < 2, n > PCS_QDIST_MAX
 * or levels not strictly inside (0,1) and ascending. */
int pcs_qdist_init(pcs_qdist *d, const double *level, const double *q, size_t n,
                   double floor);

/* Multiply the variable by k >= 0 (a POP's share of a group's demand). */
void pcs_qdist_scale(pcs_qdist *d, double k);

/* P(X <= x) and P(X > x). */
double pcs_qdist_cdf(const pcs_qdist *d, double x);
double pcs_qdist_sf(const pcs_qdist *d, double x);

/* The p-quantile, 0 < p < 1 (the inverse of the CDF above). */
double pcs_qdist_quantile(const pcs_qdist *d, double p);

/* E[(X - c)+], the expected excess over c, exactly for this distribution. */
double pcs_qdist_excess(const pcs_qdist *d, double c);

/* The comonotone sum of n distributions with the same levels: quantiles
 * added level by level (the sum if the parts rise and fall together, the
 * cautious assumption for surges).  Returns 0, or -1 if the levels differ. */
int pcs_qdist_add(pcs_qdist *sum, const pcs_qdist *part);

#endif
