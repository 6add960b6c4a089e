/* pcs_knee.h — a POP's effective capacity from its performance data: the
 * load at which latency (or error rate) breaks away from its baseline, the
 * "knee".
 *
 * Method: segmented ("hinge", broken-stick) least squares (Hudson 1966,
 * "Fitting segmented curves whose join points have to be estimated", JASA
 * 61, 1097-1129; Muggeo 2003, "Estimating regression models with unknown
 * break-points", Statist. Med. 22, 3055-3071):
 *
 *	y = a + b x + c max(0, x - k)
 *
 *  1. Pairs with a NaN or infinite member are skipped; n counts the rest.
 *  2. The pairs are sorted by load and cut into m equal-count bins of
 *     s = max(5, floor(sqrt(n) / 2)) samples; the fit is made on each bin's
 *     median load and median metric, by least squares weighted by the
 *     inverse of each median's variance, estimated from its bin's median
 *     absolute deviation about the local trend (see knee.c).  Medians
 *     rather than iteratively reweighted least squares because latency is
 *     heavy-tailed: a bin median ignores anything in less than half its bin
 *     (a few 10x spikes move nothing), it is close to normal where raw
 *     latency is not, so the F test below is fair, and since the median
 *     commutes with a monotone curve, binning does not bend it.  The
 *     weights because latency also spreads more as load grows: unweighted,
 *     the noisy bins far past the knee would drag the line below it.
 *  3. For a given k the model is linear; c and the residual sum of squares
 *     come from the added-variable form over the straight line's residuals
 *     (Frisch-Waugh-Lovell).  k is searched over the bin loads from the 5%
 *     quantile of the load (and at least the second bin's) up to the bin
 *     load that leaves two bins above it, and the best is refined by
 *     golden-section search between its neighbours.
 *  4. Significance: F = ((RSS_line - RSS_hinge) / 2) / (RSS_hinge / (m - 4))
 *     against F(2, m - 4), k counted as a parameter.  The nominal p-value is
 *     still optimistic: k is chosen to make F large and does not exist
 *     under the straight line (Davies 1987, "Hypothesis testing when a
 *     nuisance parameter is present only under the alternative",
 *     Biometrika 74, 33-43); hence the strict alpha, and min_rise, not the
 *     p-value, is what keeps noise from passing for a knee.
 *
 * Status, decided in this order:
 *
 *   TOO_FEW      fewer than min_samples usable pairs, fewer than 6 bins, or
 *                loads too alike to leave any candidate k.
 *   NOT_REACHED  p >= alpha: no break; one straight line (flat or rising)
 *                explains the data, so a knee, if there is one, lies beyond
 *                the loads seen.
 *   FLAT         a significant break with c <= 0 after the fitted curve
 *                has risen at least min_rise |baseline| up to it: the metric
 *                rises and then levels off or falls (a timeout caps it, an
 *                error rate saturates).  A change of regime, not a knee, and
 *                no lack of load explains it.
 *   NOT_REACHED  any other significant break: c <= 0 without such a rise
 *                before it (the metric never rose); or c > 0 with fewer than
 *                min_above samples above the break, or with the fitted curve
 *                at max_load below baseline + min_rise |baseline|: the data
 *                stop before the metric has clearly broken away.
 *   FOUND        otherwise: knee = k.
 *
 * The search itself leaves at least two bins (2s >= 10 samples) above k, so
 * min_above matters when it asks for more than that.
 *
 * A convex rise is fitted by a straight line past the break, so the break
 * lands past where the metric first leaves its baseline: on an exponential
 * rise by about half to one e-folding when the data span three or four;
 * on a smooth curve without a kink, such as an M/M/1 queue's 1/(1 - rho),
 * where the best two-line approximation bends, which moves up as the data
 * reach higher loads (test_knee.c measures both).  Read the knee as where
 * the metric is clearly climbing, not where it first stirs.
 */
#ifndef PCS_KNEE_H
#define PCS_KNEE_H

#include <stddef.h>

#include "pcs_error.h"

struct pcs_knee_params {
	size_t min_samples;      /* samples needed at all (default 50) */
	size_t min_above;        /* samples needed above the knee (default 10) */
	double alpha;            /* significance of the break (default 0.001) */
	double min_rise;         /* the fitted curve must rise at least this
	                          * fraction above baseline by the largest load
	                          * seen (default 0.5, i.e. +50%) */
};

void pcs_knee_defaults(struct pcs_knee_params *p);

enum pcs_knee_status { PCS_KNEE_FOUND, PCS_KNEE_TOO_FEW, PCS_KNEE_NOT_REACHED, PCS_KNEE_FLAT };

/* Unless TOO_FEW (when all but n and max_load are NaN or 0), baseline and
 * the slopes are the hinge's when the break is significant and the straight
 * line's (both slopes alike) when it is not; n_above counts the samples
 * above the best break when it is significant, else 0. */
struct pcs_knee {
	int status;             /* enum pcs_knee_status */
	double knee;            /* the load at the knee (NaN unless FOUND) */
	double baseline;        /* the fitted metric at the lowest bin's load */
	double slope_below, slope_above;  /* of the metric against load */
	size_t n, n_above;      /* samples used; samples above the knee */
	double p_value;         /* of the break against a straight line */
	double max_load;        /* the largest load seen (NaN when n is 0) */
};

/* Fit metric y against load x over n points (NaN pairs skipped).  p NULL
 * means the defaults.  Returns 0 with out filled, PCS_EUSAGE for a bad
 * argument (alpha outside (0,1), min_rise negative or NaN, NULL arrays) or
 * PCS_ENOMEM; out then holds status TOO_FEW and no estimate. */
int pcs_knee_fit(const double *x, const double *y, size_t n,
                 const struct pcs_knee_params *p, struct pcs_knee *out);

/* "found", "too-few", "not-reached", "flat"; "?" for anything else. */
const char *pcs_knee_status_name(int status);

#endif
