/* snaive.c — naive and seasonal naive forecasts.
 *
 * Seasonal naive (Hyndman & Athanasopoulos, "Forecasting: Principles and
 * Practice", 3rd ed., section 5.2): the forecast for h steps ahead is the last
 * observed value of the same phase of the season, y[T + h - m*(floor((h-1)/m)+1)].
 * With period 1 it is the naive forecast.  A phase never observed (a gap)
 * falls back to the last observed value.
 */
#include <math.h>
#include <stdlib.h>

#include "pcs_models.h"

struct pcs_snaive {
	size_t m, t;   /* t observations fed */
	double last;
	double *ring;  /* ring[i % m] = latest observation of phase i % m */
};

struct pcs_snaive *
pcs_snaive_new(int period)
{
	struct pcs_snaive *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->m = period > 1 ? (size_t)period : 1;
	if ((s->ring = malloc(s->m * sizeof *s->ring)) == NULL) {
		free(s);
		return NULL;
	}
	pcs_snaive_reset(s);
	return s;
}

void
pcs_snaive_free(struct pcs_snaive *s)
{
	if (s) {
		free(s->ring);
		free(s);
	}
}

void
pcs_snaive_reset(struct pcs_snaive *s)
{
	s->t = 0;
	s->last = NAN;
	for (size_t i = 0; i < s->m; i++)
		s->ring[i] = NAN;
}

double
pcs_snaive_update(struct pcs_snaive *s, double z)
{
	double f = pcs_snaive_forecast(s, 1);

	if (!isnan(z)) {
		s->ring[s->t % s->m] = z;
		s->last = z;
	}
	s->t++;
	return f;
}

double
pcs_snaive_forecast(const struct pcs_snaive *s, size_t h)
{
	double v = s->ring[(s->t + h - 1) % s->m];

	return isnan(v) ? s->last : v;
}
