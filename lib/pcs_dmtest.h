/* pcs_dmtest.h — the Diebold–Mariano test of equal predictive accuracy, with
 * the Harvey–Leybourne–Newbold small-sample correction.
 */
#ifndef PCS_DMTEST_H
#define PCS_DMTEST_H

#include <stddef.h>
#include <stdint.h>

struct pcs_dm_result {
	size_t n;          /* differentials used (finite entries) */
	double mean;       /* mean loss differential d = loss_A - loss_B */
	double stat;       /* HLN-corrected DM statistic (positive: A has larger loss, so B is better) */
	double p_value;    /* two-sided, Student t with n-1 degrees of freedom */
	double variance;   /* the long-run variance estimate used */
};

/* Diebold & Mariano (1995) test of equal predictive accuracy on loss
 * differentials d[0..n) of h-step-ahead forecasts (h >= 1), as R's
 * forecast::dm.test computes it:
 *
 *   gamma_k  = (1/n) sum_{t=k+1..n} (d_t - dbar)(d_{t-k} - dbar)
 *   variance = (gamma_0 + 2 sum_{k=1..h-1} gamma_k) / n   (R's d.var: the
 *              estimated variance of dbar, rectangular kernel)
 *   stat     = dbar / sqrt(variance) * sqrt((n + 1 - 2h + h(h-1)/n) / n)
 *
 * the last factor being the Harvey, Leybourne & Newbold (1997) correction;
 * p_value is two-sided from Student's t with n-1 degrees of freedom.
 *
 * Entries that are NaN or infinite are skipped: n counts the rest and the lags
 * run over them as one series (R's acf with na.omit).  Returns 0, or -1 when
 * h is 0, fewer than 3 values are usable or h >= that count; then out->stat,
 * out->p_value and out->variance are NaN (out->n and out->mean still set).
 *
 * When the estimate with h-1 lags is not positive the test is redone with
 * h = 1, lag-0 variance and correction factor both, as dm.test does.  When
 * every differential is the same there is no variance: a mean of 0 gives
 * stat 0 and p 1, any other mean stat +-Inf and p 0, variance 0. */
int pcs_dm_test(const double *d, size_t n, size_t h, struct pcs_dm_result *out);

/* The verdict at significance alpha (p_value < alpha): -1 when A is
 * significantly better (mean < 0), +1 when B is, 0 otherwise, also for a NULL
 * or failed result. */
int pcs_dm_verdict(const struct pcs_dm_result *r, double alpha);

/* An A/B comparison over time.  Losses of the two arms are added with the
 * time of the forecast that made them (arm 0: A, 1: B; NaN losses are
 * ignored); the test takes, at every time where both arms have losses, the
 * mean loss of A minus the mean loss of B (over keys and horizons), and
 * runs pcs_dm_test on those differentials in time order, h being the
 * number of forecast times a forecast's errors overlap with.  Offline, both
 * arms forecast every key at the same origins; online, each key belongs to
 * one arm and the differential compares the arms' mean scaled losses at the
 * same time. */
typedef struct pcs_ab pcs_ab;

pcs_ab *pcs_ab_new(void);
void pcs_ab_free(pcs_ab *ab);
/* 0, or -1 when out of memory. */
int pcs_ab_add(pcs_ab *ab, int64_t t, int arm, double loss);
/* Mean loss of each arm over all its losses (NaN without any). */
void pcs_ab_means(const pcs_ab *ab, double *mean_a, double *mean_b);
/* As pcs_dm_test; -2 when out of memory. */
int pcs_ab_test(pcs_ab *ab, size_t h, struct pcs_dm_result *out);

#endif
