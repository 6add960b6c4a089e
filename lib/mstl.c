/* mstl.c — multiple seasonal decomposition, then exponential smoothing of
 * the seasonally adjusted series.
 *
 * The approach of R's forecast::stlf on an msts (Hyndman & Athanasopoulos,
 * "Forecasting: Principles and Practice", 3rd ed., sections 3.6 and 5.7)
 * with the decomposition of MSTL (Bandara, Hyndman & Bergmeir 2021, "MSTL:
 * A seasonal-trend decomposition algorithm for time series with multiple
 * seasonal patterns"): each seasonal component, shortest cycle first, is
 * extracted in turn from the series less the others, twice over, and the
 * second pass is robust (bisquare weights on the remainder, as STL's outer
 * loop; Cleveland et al. 1990, J. Official Statistics 6:3-73).  Where STL
 * smooths with loess, this smooths with moving averages: the trend of one
 * pass is a centred moving average over one cycle (2 x m for an even m), and
 * a phase's seasonal value is the weighted mean of that phase over the
 * nearest SEASONAL_CYCLES cycles; each cycle's seasonal values are then
 * centred on zero.
 *
 * The forecast is a damped-trend exponential smoothing with AR(1) errors
 * (ets.c with no seasonal component) of the adjusted series, plus each
 * seasonal component's last cycle, repeated (a seasonal naive forecast of
 * the seasonal part, as stlf does).  Between fits the seasonal components
 * stay fixed and the smoothing follows the adjusted series online.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_models.h"
#include "pcs_quantiles.h"

/* Cycles averaged for each phase's seasonal value (STL's s.window is 7 to
 * 11 cycles in R's mstl; fewer here, for the short histories pcs fits). */
#define SEASONAL_CYCLES 7
#define PASSES 2

struct pcs_mstl {
	size_t m[2];              /* the cycles, shortest first; 0 when absent */
	size_t nm;
	double *season[2];        /* [m]: each component's last cycle */
	size_t phase[2];          /* the next observation's phase */
	struct pcs_ets *adj;      /* the adjusted series' smoothing */
	double *work;
	size_t work_n;
};

struct pcs_mstl *
pcs_mstl_new(int period1, int period2, int trend)
{
	struct pcs_mstl *s = calloc(1, sizeof *s);
	int p[2] = { period1, period2 };

	if (s == NULL)
		return NULL;
	if (p[0] > p[1]) {
		int t = p[0];
		p[0] = p[1];
		p[1] = t;
	}
	for (int i = 0; i < 2; i++)
		if (p[i] > 1) {
			s->m[s->nm] = (size_t)p[i];
			if ((s->season[s->nm] = calloc((size_t)p[i], sizeof *s->season[0])) == NULL) {
				pcs_mstl_free(s);
				return NULL;
			}
			s->nm++;
		}
	if ((s->adj = pcs_ets_new(0, 0, trend)) == NULL) {
		pcs_mstl_free(s);
		return NULL;
	}
	return s;
}

void
pcs_mstl_free(struct pcs_mstl *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < 2; i++)
		free(s->season[i]);
	pcs_ets_free(s->adj);
	free(s->work);
	free(s);
}

/* Centred moving average of x[0..n) over m points (2 x m for an even m),
 * weighted by w.  Where the window would run past an end, the trend is
 * extrapolated linearly from the last half cycle of full windows: a
 * truncated window would take up the seasonal pattern of the partial cycle,
 * and the end is where the forecast starts. */
static void
moving_average(const double *x, const double *w, size_t n, size_t m, double *out)
{
	size_t half = m / 2, lo = half, hi, run;

	if (n <= 2 * half + 1) {
		/* no full window: one mean */
		double s = 0, ws = 0;
		for (size_t i = 0; i < n; i++)
			if (!isnan(x[i])) {
				s += w[i] * x[i];
				ws += w[i];
			}
		for (size_t i = 0; i < n; i++)
			out[i] = ws > 0 ? s / ws : NAN;
		return;
	}
	hi = n - 1 - half;
	/* running sums over the window: O(n) whatever the cycle (a week of
	 * minutes is 10080 points wide) */
	{
		double s = 0, ws = 0;
		for (size_t j = lo - half; j <= lo + half; j++)
			if (!isnan(x[j])) {
				s += w[j] * x[j];
				ws += w[j];
			}
		for (size_t i = lo;; i++) {
			double es = 0, ew = 0;
			/* an even cycle: the two end points weigh half */
			if (m % 2 == 0) {
				size_t a = i - half, b = i + half;
				if (!isnan(x[a])) {
					es += 0.5 * w[a] * x[a];
					ew += 0.5 * w[a];
				}
				if (!isnan(x[b])) {
					es += 0.5 * w[b] * x[b];
					ew += 0.5 * w[b];
				}
			}
			/* weights are in [0, 1]: a sum this small is rounding, not data */
			out[i] = ws - ew > 1e-9 ? (s - es) / (ws - ew) : NAN;
			if (i == hi)
				break;
			/* slide: drop i - half, take i + half + 1 */
			if (!isnan(x[i - half])) {
				s -= w[i - half] * x[i - half];
				ws -= w[i - half];
			}
			if (!isnan(x[i + half + 1])) {
				s += w[i + half + 1] * x[i + half + 1];
				ws += w[i + half + 1];
			}
		}
	}
	run = hi - lo < half ? hi - lo : half;
	for (size_t i = 0; i < lo; i++)
		out[i] = run && !isnan(out[lo + run]) ?
		         out[lo] - (out[lo + run] - out[lo]) / (double)run * (double)(lo - i) : out[lo];
	for (size_t i = hi + 1; i < n; i++)
		out[i] = run && !isnan(out[hi - run]) ?
		         out[hi] + (out[hi] - out[hi - run]) / (double)run * (double)(i - hi) : out[hi];
}

/* Seasonal values of period m from the detrended d[0..n): each phase of
 * each cycle is that phase's weighted mean (weights w) over the nearest
 * SEASONAL_CYCLES cycles, and each cycle's m values are centred on zero
 * (a partial last cycle too, from all its phases). */
static void
seasonal(const double *d, const double *w, size_t n, size_t m, double *out, double *cycle)
{
	size_t reach = SEASONAL_CYCLES / 2, ncycles = (n + m - 1) / m;

	for (size_t c = 0; c < ncycles; c++) {
		double mean = 0;
		for (size_t p = 0; p < m; p++) {
			/* the nearest cycles that hold phase p */
			size_t last = (n - 1 - p % n) / m, lo = c >= reach ? c - reach : 0, hi = c + reach;
			double s = 0, ws = 0;
			if (p >= n)
				last = 0;
			if (hi > last) {
				hi = last;
				lo = last >= 2 * reach ? last - 2 * reach : 0;
			}
			for (size_t k = lo; k <= hi; k++) {
				size_t j = k * m + p;
				if (j >= n || isnan(d[j]))
					continue;
				s += w[j] * d[j];
				ws += w[j];
			}
			cycle[p] = ws > 0 ? s / ws : 0;
			mean += cycle[p];
		}
		mean /= (double)m;
		for (size_t p = 0; p < m && c * m + p < n; p++)
			out[c * m + p] = cycle[p] - mean;
	}
}

/* Bisquare robustness weights from the remainder r (STL's outer loop). */
static void
robustness(const double *r, size_t n, double *w, double *sorted)
{
	size_t c = 0;
	double h;

	for (size_t i = 0; i < n; i++)
		if (!isnan(r[i]))
			sorted[c++] = fabs(r[i]);
	if (c > 1)
		pcs_sort_doubles(sorted, c);
	h = c ? 6 * sorted[c / 2] : 0;
	for (size_t i = 0; i < n; i++) {
		double u = h > 0 && !isnan(r[i]) ? fabs(r[i]) / h : 0;
		w[i] = u < 1 ? (1 - u * u) * (1 - u * u) : 0;
	}
}

static double *
work(struct pcs_mstl *s, size_t n)
{
	if (n > s->work_n) {
		double *w = realloc(s->work, n * sizeof *w);
		if (w == NULL)
			return NULL;
		s->work = w;
		s->work_n = n;
	}
	return s->work;
}

/* Decompose z[0..n): the seasonal components' last cycles into
 * s->season, the adjusted series into adj (the caller's buffer of n). */
static int
decompose(struct pcs_mstl *s, const double *z, size_t n, double *adj)
{
	size_t longest = s->nm ? s->m[s->nm - 1] : 1;
	double *buf = work(s, 6 * (n ? n : 1) + longest), *x, *w, *trend, *comp[2], *tmp;

	if (buf == NULL)
		return -1;
	x = buf;
	w = buf + n;
	trend = buf + 2 * n;
	comp[0] = buf + 3 * n;
	comp[1] = buf + 4 * n;
	tmp = buf + 5 * n;
	for (size_t i = 0; i < n; i++) {
		w[i] = 1;
		comp[0][i] = comp[1][i] = 0;
	}
	for (int pass = 0; pass < PASSES; pass++) {
		for (size_t k = 0; k < s->nm; k++) {
			size_t m = s->m[k];
			if (n < 2 * m) {
				memset(comp[k], 0, n * sizeof *comp[k]);
				continue;
			}
			/* the series less the other components */
			for (size_t i = 0; i < n; i++)
				x[i] = isnan(z[i]) ? NAN : z[i] - (k == 0 ? comp[1][i] : comp[0][i]);
			moving_average(x, w, n, m, trend);
			for (size_t i = 0; i < n; i++)
				x[i] = isnan(x[i]) || isnan(trend[i]) ? NAN : x[i] - trend[i];
			seasonal(x, w, n, m, comp[k], buf + 6 * n);
		}
		if (pass + 1 < PASSES) {
			/* remainder against the trend of the adjusted series */
			for (size_t i = 0; i < n; i++)
				x[i] = isnan(z[i]) ? NAN : z[i] - comp[0][i] - comp[1][i];
			moving_average(x, w, n, longest, trend);
			for (size_t i = 0; i < n; i++)
				x[i] = isnan(x[i]) || isnan(trend[i]) ? NAN : x[i] - trend[i];
			robustness(x, n, w, tmp);
		}
	}
	for (size_t k = 0; k < s->nm; k++) {
		size_t m = s->m[k];
		/* the last full cycle, by phase (z[0] has phase 0) */
		for (size_t j = n >= m ? n - m : 0; j < n; j++)
			s->season[k][j % m] = comp[k][j];
		s->phase[k] = 0;
	}
	for (size_t i = 0; i < n; i++)
		adj[i] = isnan(z[i]) ? NAN : z[i] - comp[0][i] - comp[1][i];
	return 0;
}

/* Fit (fit = 1) or reset: decompose z, then fit or reset the smoothing of
 * the adjusted series; the state is left at the start of z, as for every
 * model (the caller feeds z again). */
static int
start(struct pcs_mstl *s, const double *z, size_t n, int fit)
{
	double *adj = malloc((n ? n : 1) * sizeof *adj);
	int rc = -1;

	if (adj == NULL)
		return -1;
	if (decompose(s, z, n, adj) == 0) {
		if (fit)
			rc = pcs_ets_fit(s->adj, adj, n);   /* leaves the state reset */
		else {
			pcs_ets_reset(s->adj, adj, n);
			rc = 0;
		}
	}
	free(adj);
	return rc;
}

int
pcs_mstl_fit(struct pcs_mstl *s, const double *z, size_t n)
{
	return start(s, z, n, 1);
}

void
pcs_mstl_reset(struct pcs_mstl *s, const double *z, size_t n)
{
	start(s, z, n, 0);
}

static double
season_at(const struct pcs_mstl *s, size_t ahead)
{
	double v = 0;

	for (size_t k = 0; k < s->nm; k++)
		v += s->season[k][(s->phase[k] + ahead) % s->m[k]];
	return v;
}

double
pcs_mstl_update(struct pcs_mstl *s, double z)
{
	double seas = season_at(s, 0);
	double f = pcs_ets_update(s->adj, isnan(z) ? NAN : z - seas) + seas;

	for (size_t k = 0; k < s->nm; k++)
		if (++s->phase[k] == s->m[k])
			s->phase[k] = 0;
	return f;
}

double
pcs_mstl_forecast(const struct pcs_mstl *s, size_t h)
{
	return pcs_ets_forecast(s->adj, h) + season_at(s, h - 1);
}

void
pcs_mstl_forecast_path(const struct pcs_mstl *s, const size_t *h, size_t n, double *out)
{
	pcs_ets_forecast_path(s->adj, h, n, out);
	for (size_t j = 0; j < n; j++)
		out[j] += season_at(s, h[j] - 1);
}

void
pcs_mstl_get_params(const struct pcs_mstl *s, struct pcs_ets_params *p)
{
	pcs_ets_get_params(s->adj, p);
}

void
pcs_mstl_set_params(struct pcs_mstl *s, const struct pcs_ets_params *p)
{
	pcs_ets_set_params(s->adj, p);
}
