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

/* The q-quantile of n ascending values, at plotting position q(n+1) (the
 * Weibull position, Hyndman & Fan 1996 definition 6), linearly interpolated
 * and clamped to the sample range.  This is the finite-sample split-conformal
 * quantile of Vovk et al., interpolated between order statistics. */
double pcs_quantile_sorted(const double *sorted, size_t n, double q);

/* Median of n values (reorders x); NaN when n is 0. */
double pcs_median(double *x, size_t n);

void pcs_sort_doubles(double *x, size_t n);

/* Make v[0..n) non-decreasing (cumulative maximum) and at least floor. */
void pcs_quantiles_monotone(double *v, size_t n, double floor);

#endif
