/* anomaly.c — robust residual scores. */
#include <math.h>

#include "pcs_anomaly.h"
#include "pcs_quantiles.h"

void
pcs_robust_scale(double *x, size_t n, double *center, double *scale)
{
	double med;

	if (n == 0) {
		*center = 0;
		*scale = 0;
		return;
	}
	med = pcs_median(x, n);
	for (size_t i = 0; i < n; i++)
		x[i] = fabs(x[i] - med);
	*center = med;
	*scale = 1.4826 * pcs_median(x, n);
}

double
pcs_anomaly_score(double r, double center, double scale)
{
	double z;

	if (!isfinite(r))
		return 0;
	if (!(scale > 0)) {
		/* a constant past: any departure from it is as abnormal as it gets */
		return fabs(r - center) > 1e-9 * (fabs(center) + 1) ? 1 : 0;
	}
	z = (r - center) / scale;
	return erf(fabs(z) / M_SQRT2);
}
