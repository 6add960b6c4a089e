/* pcs_quantiles.h — quantile levels, empirical quantiles, split-conformal
 * predictive distributions.
 */
#ifndef PCS_QUANTILES_H
#define PCS_QUANTILES_H

#include <stddef.h>

#include "pcs_error.h"

/* Parse a comma list of levels in (0,1), e.g. "0.5,0.9,0.95,0.99", into a
 * newly allocated ascending array.  Duplicates are an error. */
int pcs_levels_parse(const char *list, double **levels, size_t *n, pcs_error *err);

/* Column name of a level: "p" and the percentage without trailing zeros
 * (0.025 -> "p2.5", 0.5 -> "p50", 0.999 -> "p99.9"). */
void pcs_level_name(double level, char *buf, size_t size);

/* The split-conformal q-quantile of n ascending values: the order statistic
 * ceil(q(n+1)) for q >= 0.5 and floor(q(n+1)) below, clamped to the sample
 * range (the finite-sample rule of split conformal prediction). */
double pcs_quantile_sorted(const double *sorted, size_t n, double q);

/* Sort v ascending, carrying w along. */
void pcs_sort_pairs(double *v, double *w, size_t n);

/* Weighted split-conformal quantile of ascending values v with weights w,
 * the point being predicted weighing 1 (Barber, Candes, Ramdas & Tibshirani
 * 2023, "Conformal prediction beyond exchangeability", Ann. Statist. 51,
 * eq. 8): with all weights 1 this is pcs_quantile_sorted. */
double pcs_quantile_weighted(const double *v, const double *w, size_t n, double q);

/* Median of n values (reorders x); NaN when n is 0. */
double pcs_median(double *x, size_t n);

void pcs_sort_doubles(double *x, size_t n);

/* Make v[0..n) non-decreasing (cumulative maximum) and at least floor. */
void pcs_quantiles_monotone(double *v, size_t n, double floor);

#endif
