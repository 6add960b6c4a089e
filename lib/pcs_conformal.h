/* pcs_conformal.h — upper quantiles of demand from a forecaster's own past
 * errors (split conformal prediction), conditioned on the phase of the
 * target time (Mondrian conformal prediction), with the phase partition
 * chosen from the data.
 *
 * Why: a model's parametric quantile assumes one error shape at every time.
 * Request rates break that in two ways pcs-replay's provisioning pays for:
 * the per-minute noise of a small service is wider than the model's (NASA
 * 1995: about 0.3 of the level, twice Poisson), and flash crowds that start
 * at fixed minutes of the hour (Twitter 2021: :02 and :32) put all of the
 * tail at a few phases.  An empirical quantile of the errors at the target's
 * own phase is as wide as the tail there and no wider elsewhere.
 *
 * Method (Vovk, Gammerman and Shafer 2005, "Algorithmic Learning in a
 * Random World", ch. 4, Mondrian conformal predictors; Papadopoulos et al.
 * 2002 for the split, "inductive" form):
 *  - Bases.  The mean m a bound stands on is the model's forecast mean,
 *    or the mean demand observed over the last 4, 16 or 64 steps before
 *    the forecast was made (the model's when none was observed).  At
 *    horizons of a few steps a series that is noisy at every step around
 *    a slowly moving level (NASA 1995 per minute) is bounded more tightly
 *    by a local mean, whose error is the noise over the window, than by a
 *    seasonal model that follows the last steps' noise; a series whose
 *    level moves with its cycle is not.  The data choose (below).
 *  - Scores.  For each horizon h and base, a forecast mean m made h steps
 *    before target time tau (floored at 1e-3 x the mean demand seen, so
 *    that a zero forecast scales nothing to zero) and the demand y
 *    observed at tau give the score (y - m) / m^w, w a power of the mean:
 *    0 (errors of one size at every level), 0.5 (errors that grow as the
 *    square root of the level, as counts' do) or 1 (errors proportional to
 *    the level).  The last `window` (tau, m per base, y) per horizon are
 *    kept.
 *  - Partitions ("taxonomies").  Pooled (one cell); the step of tau within
 *    a period P of 5, 10, 15, 30 or 60 minutes (P / step cells; only where
 *    P is a multiple of the step and gives 2 cells or more); the hour of the
 *    day (24 cells, where the step divides an hour).
 *  - The quantile of a cell of n scores at level q is the k-th smallest,
 *    k = ceil((n + 1) q): the split-conformal bound, so that a new score
 *    exchangeable with the cell's is at most that with probability >= q.  A
 *    cell needs n >= ceil(q / (1 - q)) scores for k <= n.  The bound of a
 *    forecast m is m + m^w x its cell's quantile.
 *  - Choice, at each pcs_conformal_refit, of the base, the power and the
 *    partition together: the older half of the kept scores gives each
 *    candidate's cell quantiles, the newer half scores them by the pinball
 *    (quantile) loss at level q of the bound, in demand units (m^w x
 *    rho_q(score - quantile)), summed over the horizons; the least loss
 *    wins (on a tie the model's mean, then the shorter local mean, the
 *    lower power, the coarser partition; a candidate with a short cell is
 *    out).  Its table is then rebuilt from all kept scores and used until
 *    the next refit.
 * Memory: (window + the longest horizon) x (2 + bases) values per horizon,
 * and the last 64 demands.  Time: O(4 + 16 + 64) per step for the local
 * means and O(bases) per horizon; a refit groups each candidate's scores
 * by cell and selects each cell's quantile (expected O(window) per horizon
 * and candidate: 4 bases x 3 powers x up to 7 partitions).
 */
#ifndef PCS_CONFORMAL_H
#define PCS_CONFORMAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct pcs_conformal pcs_conformal;

/* nh horizons h[] (in steps, >= 1), the level q in (0, 1), the scores
 * kept per horizon, the series' step in seconds.  NULL when out of memory
 * or when the longest horizon exceeds PCS_CONFORMAL_MAX_H. */
#define PCS_CONFORMAL_MAX_H 100000
pcs_conformal *pcs_conformal_new(const size_t *h, size_t nh, double level, size_t window,
                                 int64_t step);
void pcs_conformal_free(pcs_conformal *c);

/* The demand y at time ts (a NaN is skipped): scores the forecasts made
 * for ts.  Then the forecast means made at ts, one per horizon (NaN: none). */
void pcs_conformal_observe(pcs_conformal *c, int64_t ts, double y);
void pcs_conformal_forecast(pcs_conformal *c, int64_t ts, const double *mean);

/* Choose the partition and rebuild its table from the scores kept.
 * Returns 1 when every horizon has a table, else 0 (too few scores). */
int pcs_conformal_refit(pcs_conformal *c);

/* The level-q upper bound of the demand at ts + h[j] x step, for a
 * forecast mean m made at ts: m' + m'^w x the cell's score quantile, m'
 * the chosen base's mean at ts (m itself, or the local mean of the
 * demands observed up to ts), floored as the scores are.  NaN before the
 * first successful refit. */
double pcs_conformal_upper(const pcs_conformal *c, size_t j, int64_t ts, double m);

/* The choice in use: the partition ("none" before a table, "pooled", "5m",
 * "10m", "15m", "30m", "1h": the step within that period, or "hour": of
 * the day) and the power of the mean (NaN before a table). */
const char *pcs_conformal_partition(const pcs_conformal *c);
double pcs_conformal_power(const pcs_conformal *c);
/* ... and the base: "none" before a table, "model", or "local4",
 * "local16", "local64": the mean demand of the last 4, 16 or 64 steps. */
const char *pcs_conformal_base(const pcs_conformal *c);

#endif
