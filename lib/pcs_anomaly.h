/* pcs_anomaly.h — anomaly scores from model residuals.
 *
 * The first detector: a residual is standardized by a robust scale (1.4826
 * times the median absolute deviation of recent residuals, a consistent
 * estimate of the standard deviation under normality; Rousseeuw & Croux
 * 1993), z = (r - median) / scale, and mapped to [0,1] by
 * score = erf(|z| / sqrt 2), the probability mass of a normal within +-|z|.
 */
#ifndef PCS_ANOMALY_H
#define PCS_ANOMALY_H

#include <stddef.h>

#define PCS_ANOMALY_THRESHOLD 0.9995   /* |z| >= 3.48 */

/* Robust location and scale of x[0..n), which is reordered.  scale is 0 when
 * more than half the values are equal. */
void pcs_robust_scale(double *x, size_t n, double *center, double *scale);

/* Score of residual r against (center, scale). */
double pcs_anomaly_score(double r, double center, double scale);

#endif
