/* reg.c — a Prophet-style regression: piecewise-linear trend, Fourier
 * seasonalities and event regressors, fitted by penalized least squares.
 *
 * The model of Taylor & Letham (2018, "Forecasting at scale", The American
 * Statistician 72:37-45), section 3, solved in closed form:
 *
 *   z(t) = a + b tau + sum_k d_k max(0, tau - c_k)          trend, tau in [0,1]
 *        + sum_j (u_j sin(2 pi j t / P) + v_j cos(...))    P = day, week, year
 *        + sum_e (pre_e + during_e + post_e)                events
 *
 * Changepoints c_k are spread over the first 80% of the history, as Prophet
 * places them, but 12 at most where Prophet puts 25: under the ridge
 * penalty 12 forecast the M4 Hourly dev half as well (sMAPE 9.94 against
 * 9.95 for auto), and X'X costs the square of the columns.  Prophet
 * shrinks the changes d_k with a Laplace prior (a lasso); here the
 * shrinkage is a ridge penalty, so that the whole
 * fit is one Cholesky solve of the normal equations (X'X + N diag(lambda)) beta
 * = X'z with GSL, on z standardized so that the penalties do not depend on
 * the series' units.  The Fourier orders and the changepoint penalty are
 * chosen by a backtest: fitted on the first 80% of the window, scored by the
 * mean absolute error of the last 20% (the candidate feature sets are nested,
 * so X'X is accumulated once for the largest and each candidate solves its
 * own sub-block).  A yearly seasonality (order 10) joins when the window
 * spans two years.
 *
 * Events (pcs_events.h): each name seen in the history gets three
 * regressors, active during its occurrences and in a window of one day
 * (at least one step) before and after them: Prophet's holidays with
 * lower_window = upper_window = 1 day.  A name never seen in the window
 * cannot be learned; its `lift` (when given) multiplies the forecast while
 * it is active.
 *
 * Between fits the regression is a fixed function of time.  Unlike
 * Prophet, the forecast adds the latest residual decayed as an AR(1)
 * process, rho^h e_T (rho: the lag-one autocorrelation of the fitted
 * residuals), so that the short horizons start from where the series is.
 */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_events.h"
#include "pcs_models.h"

#define MAX_CHANGEPOINTS 12
#define CHANGEPOINT_RANGE 0.8
#define YEARLY_ORDER 10
#define MAX_DAILY_ORDER 10
#define MAX_WEEKLY_ORDER 6
#define EVENT_TERMS 3          /* before, during, after */
#define HOLDOUT_SHARE 0.2
#define DAY 86400
#define WEEK 604800
#define YEAR 31557600          /* 365.25 days */

/* The choices of the backtest: Fourier orders (daily, weekly) as shares of
 * their largest, and the changepoint penalty. */
static const double order_share[] = { 0.25, 0.5, 1.0 };
static const double cp_penalty[] = { 10, 0.1 };
#define FOURIER_PENALTY 1e-4
#define EVENT_PENALTY 1e-3
#define BASE_PENALTY 1e-9

struct layout {
	size_t ncp;
	int kd, kw, ky;
	size_t nev;                /* event names with columns */
	size_t p;
};

struct pcs_reg {
	int64_t step, t0;          /* t0: the time of z[0] of the next fit or reset */
	int transform;             /* the caller's scale, for a lift */
	double lambda;
	const pcs_events *events;  /* borrowed; may be NULL */
	int kd_max, kw_max;        /* the largest Fourier orders the cycles allow */
	/* chosen by the fit */
	int kd, kw;
	double lcp, rho;
	int chosen;                /* kd, kw and lcp come from a fit's backtest */
	/* the last solve */
	struct layout lay;         /* its columns */
	size_t ncp;
	double cp[MAX_CHANGEPOINTS];
	double *beta;              /* [p] on the standardized scale */
	double zmean, zsd;
	int64_t base_t;            /* tau = (t - base_t) / span */
	double span;
	size_t *ev_col;            /* per event name: its first column, or SIZE_MAX */
	size_t nev_names;
	/* what the last solve was on, so that a reset on the same window
	 * (a fit's, as the forecaster's final run is) does not solve again */
	const double *solved_z;
	size_t solved_n;
	int64_t solved_t0;
	/* state */
	size_t t;                  /* steps fed since the last fit or reset */
	int64_t state_t0;
	double last_res;
	/* workspace */
	double *row, *xtx, *xty;
	size_t cap;
	/* the fitted values since the state's start, worked out once each:
	 * every calibration origin asks for the same future steps again */
	struct fitted_cache *cache;
	/* sin and cos of every harmonic at every phase of the day and of the
	 * week, when the step divides them (the terms repeat, so they are
	 * worked out once); NULL otherwise */
	double *day_tab, *week_tab;
};

struct fitted_cache {
	double *v;      /* [n]: the fitted value t steps after the state's start, NaN: not yet */
	size_t n;
};

/* The largest table of harmonics kept (a week of minutes). */
#define MAX_TABLE_PHASES 10080

/* ---- the design ---- */

static size_t
layout_size(struct layout *L)
{
	L->p = 2 + L->ncp + 2 * (size_t)(L->kd + L->kw + L->ky) + EVENT_TERMS * L->nev;
	return L->p;
}

/* sin and cos of j x for j = 1..k into out, pairs in order. */
static void
fourier(double x, int k, double *out)
{
	double s1 = sin(x), c1 = cos(x), s = s1, c = c1;

	for (int j = 0; j < k; j++) {
		double ns = s * c1 + c * s1, nc = c * c1 - s * s1;
		out[2 * j] = s;
		out[2 * j + 1] = c;
		s = ns;
		c = nc;
	}
}

static double
phase(int64_t t, int64_t period)
{
	int64_t r = t % period;

	if (r < 0)
		r += period;
	return 2 * M_PI * (double)r / (double)period;
}

/* The sin and cos of the first k harmonics of period at t: from the table
 * (kmax harmonics per phase) when there is one. */
static void
harmonics(const double *tab, int64_t period, int64_t step, int kmax, int64_t t, int k, double *out)
{
	if (tab != NULL && k > 0) {
		int64_t r = t % period;
		if (r < 0)
			r += period;
		if (r % step == 0) {
			memcpy(out, tab + (size_t)(r / step) * 2 * (size_t)kmax, 2 * (size_t)k * sizeof *out);
			return;
		}
	}
	fourier(phase(t, period), k, out);
}

/* The table of kmax harmonics at every phase of period (a multiple of
 * step), or NULL. */
static double *
harmonic_table(int64_t period, int64_t step, int kmax)
{
	size_t phases = (size_t)(period / step);
	double *tab;

	if (kmax <= 0 || period % step != 0 || phases > MAX_TABLE_PHASES)
		return NULL;
	if ((tab = malloc(phases * 2 * (size_t)kmax * sizeof *tab)) == NULL)
		return NULL;   /* computed on the fly instead */
	for (size_t i = 0; i < phases; i++)
		fourier(phase((int64_t)i * step, period), kmax, tab + i * 2 * (size_t)kmax);
	return tab;
}

/* The window around an event in which its before and after terms act. */
static int64_t
event_margin(const struct pcs_reg *r)
{
	return r->step > DAY ? r->step : DAY;
}

/* Fill the design row at time t for layout L (columns in the order of
 * layout_size).  The event terms use the names' columns in r->ev_col. */
static void
design_row(const struct pcs_reg *r, const struct layout *L, int64_t t, double *x)
{
	double tau = (double)(t - r->base_t) / r->span;
	size_t k = 0;

	x[k++] = 1;
	x[k++] = tau;
	for (size_t i = 0; i < L->ncp; i++)
		x[k++] = tau > r->cp[i] ? tau - r->cp[i] : 0;
	harmonics(r->day_tab, DAY, r->step, r->kd_max, t, L->kd, x + k);
	k += 2 * (size_t)L->kd;
	harmonics(r->week_tab, WEEK, r->step, r->kw_max, t, L->kw, x + k);
	k += 2 * (size_t)L->kw;
	fourier(phase(t, YEAR), L->ky, x + k);
	k += 2 * (size_t)L->ky;
	if (L->nev) {
		size_t n = pcs_events_count(r->events);
		int64_t w = event_margin(r);
		memset(x + k, 0, EVENT_TERMS * L->nev * sizeof *x);
		for (size_t i = 0; i < n; i++) {
			const struct pcs_event *e = pcs_events_get(r->events, i);
			size_t c = r->ev_col[e->name];
			if (e->start - w > t)
				break;   /* sorted by start */
			if (c == SIZE_MAX)
				continue;
			c = k + EVENT_TERMS * c;
			if (t < e->start)
				x[c] = 1;
			else if (t < e->end)
				x[c + 1] = 1;
			else if (t < e->end + w)
				x[c + 2] = 1;
		}
	}
}

/* The lift of names never learned, active at t (1 when none). */
static double
unlearned_lift(const struct pcs_reg *r, int64_t t)
{
	size_t n = pcs_events_count(r->events);
	double lift = 1;

	for (size_t i = 0; i < n; i++) {
		const struct pcs_event *e = pcs_events_get(r->events, i);
		if (e->start > t)
			break;
		if (t < e->end && !isnan(e->lift) && r->ev_col[e->name] == SIZE_MAX)
			lift *= e->lift;
	}
	return lift;
}

/* ---- lifetime ---- */

struct pcs_reg *
pcs_reg_new(int transform, double lambda, int64_t step, const pcs_events *events)
{
	struct pcs_reg *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->step = step > 0 ? step : 1;
	r->transform = transform;
	r->lambda = lambda;
	r->events = events;
	/* a cycle of m steps holds at most m/2 harmonics */
	r->kd_max = (int)(DAY / r->step / 2);
	r->kw_max = (int)(WEEK / r->step / 2);
	if (r->kd_max > MAX_DAILY_ORDER)
		r->kd_max = MAX_DAILY_ORDER;
	if (r->kw_max > MAX_WEEKLY_ORDER)
		r->kw_max = MAX_WEEKLY_ORDER;
	r->kd = r->kd_max;
	r->kw = r->kw_max;
	if ((r->cache = calloc(1, sizeof *r->cache)) == NULL) {
		free(r->ev_col);
		free(r);
		return NULL;
	}
	r->day_tab = harmonic_table(DAY, r->step, r->kd_max);
	r->week_tab = harmonic_table(WEEK, r->step, r->kw_max);
	r->lcp = cp_penalty[0];
	r->nev_names = pcs_events_names(events);
	r->ev_col = malloc((r->nev_names ? r->nev_names : 1) * sizeof *r->ev_col);
	if (r->ev_col == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
pcs_reg_free(struct pcs_reg *r)
{
	if (r == NULL)
		return;
	free(r->beta);
	free(r->ev_col);
	free(r->row);
	free(r->xtx);
	free(r->xty);
	free(r->day_tab);
	free(r->week_tab);
	if (r->cache)
		free(r->cache->v);
	free(r->cache);
	free(r);
}

void
pcs_reg_set_time(struct pcs_reg *r, int64_t t0)
{
	r->t0 = t0;
}

static int
reserve(struct pcs_reg *r, size_t p)
{
	if (p <= r->cap)
		return 0;
	free(r->row);
	free(r->xtx);
	free(r->xty);
	r->row = malloc(p * sizeof *r->row);
	r->xtx = malloc(p * p * sizeof *r->xtx);
	r->xty = malloc(p * sizeof *r->xty);
	r->cap = r->row && r->xtx && r->xty ? p : 0;
	return r->cap ? 0 : -1;
}

/* ---- solving ---- */

/* Set the trend's scale, the changepoints and the event columns for a
 * window of n steps from t0, and the layout at the largest orders. */
static void
prepare(struct pcs_reg *r, const double *z, size_t n, struct layout *L)
{
	size_t obs = 0, nev = 0;

	r->base_t = r->t0;
	r->span = (double)(n > 1 ? n - 1 : 1) * (double)r->step;
	for (size_t i = 0; i < n; i++)
		obs += !isnan(z[i]);
	/* a changepoint every four steps at most, so each one has data */
	r->ncp = obs / 4 < MAX_CHANGEPOINTS ? obs / 4 : MAX_CHANGEPOINTS;
	for (size_t i = 0; i < r->ncp; i++)
		r->cp[i] = CHANGEPOINT_RANGE * (double)(i + 1) / (double)(r->ncp + 1);
	/* an event name gets columns when one of its occurrences is observed */
	for (size_t k = 0; k < r->nev_names; k++)
		r->ev_col[k] = SIZE_MAX;
	for (size_t i = 0; i < pcs_events_count(r->events); i++) {
		const struct pcs_event *e = pcs_events_get(r->events, i);
		int seen = 0;
		for (int64_t t = e->start; t < e->end && !seen; t += r->step) {
			int64_t k = (t - r->t0 + r->step - 1) / r->step;
			if (t >= r->t0 && k >= 0 && (size_t)k < n && !isnan(z[k]))
				seen = 1;
		}
		if (seen && r->ev_col[e->name] == SIZE_MAX)
			r->ev_col[e->name] = nev++;
	}
	L->ncp = r->ncp;
	/* a cycle is modelled when the window holds two of it */
	L->kd = (double)n * (double)r->step >= 2.0 * DAY ? r->kd_max : 0;
	L->kw = (double)n * (double)r->step >= 2.0 * WEEK ? r->kw_max : 0;
	L->ky = (double)n * (double)r->step >= 2.0 * YEAR && r->step <= WEEK ? YEARLY_ORDER : 0;
	L->nev = nev;
	layout_size(L);
}

/* Accumulate X'X (upper triangle) and X'z over z[from..to) at layout L;
 * z standardized by r->zmean and r->zsd.  Returns the rows used. */
static size_t
accumulate(struct pcs_reg *r, const struct layout *L, const double *z, size_t from, size_t to)
{
	size_t p = L->p, used = 0;

	memset(r->xtx, 0, p * p * sizeof *r->xtx);
	memset(r->xty, 0, p * sizeof *r->xty);
	for (size_t i = from; i < to; i++) {
		double y;
		if (isnan(z[i]))
			continue;
		y = (z[i] - r->zmean) / r->zsd;
		design_row(r, L, r->t0 + (int64_t)i * r->step, r->row);
		for (size_t a = 0; a < p; a++) {
			double xa = r->row[a];
			double *line = r->xtx + a * p;
			if (xa == 0)
				continue;
			for (size_t b = a; b < p; b++)
				line[b] += xa * r->row[b];
			r->xty[a] += xa * y;
		}
		used++;
	}
	return used;
}

/* The columns of the sub-layout S inside the full layout L. */
static size_t
sub_columns(const struct layout *L, const struct layout *S, size_t *idx)
{
	size_t k = 0, base = 0;

	for (size_t i = 0; i < 2 + L->ncp; i++)
		idx[k++] = base++;
	for (int j = 0; j < 2 * L->kd; j++, base++)
		if (j < 2 * S->kd)
			idx[k++] = base;
	for (int j = 0; j < 2 * L->kw; j++, base++)
		if (j < 2 * S->kw)
			idx[k++] = base;
	for (int j = 0; j < 2 * L->ky; j++, base++)
		idx[k++] = base;
	for (size_t j = 0; j < EVENT_TERMS * L->nev; j++)
		idx[k++] = base++;
	return k;
}

/* The penalty of full-layout column c. */
static double
penalty(const struct layout *L, size_t c, double lcp)
{
	size_t fourier_end = 2 + L->ncp + 2 * (size_t)(L->kd + L->kw + L->ky);

	if (c < 2)
		return BASE_PENALTY;
	if (c < 2 + L->ncp)
		return lcp;
	if (c < fourier_end)
		return FOURIER_PENALTY;
	return EVENT_PENALTY;
}

/* Solve the penalized normal equations on the columns idx[0..k) of the
 * accumulated full-layout system; beta[k].  0 or -1. */
static int
solve(const struct pcs_reg *r, const struct layout *L, const size_t *idx, size_t k, size_t rows,
      double lcp, double *beta)
{
	gsl_matrix *A = gsl_matrix_alloc(k, k);
	gsl_vector *b = gsl_vector_alloc(k), *x = gsl_vector_alloc(k);
	gsl_error_handler_t *old = gsl_set_error_handler_off();
	int rc = -1;

	if (A && b && x) {
		for (size_t i = 0; i < k; i++) {
			for (size_t j = i; j < k; j++) {
				double v = r->xtx[idx[i] * L->p + idx[j]];
				gsl_matrix_set(A, i, j, v);
				gsl_matrix_set(A, j, i, v);
			}
			*gsl_matrix_ptr(A, i, i) += (double)rows * penalty(L, idx[i], lcp);
			gsl_vector_set(b, i, r->xty[idx[i]]);
		}
		if (gsl_linalg_cholesky_decomp1(A) == GSL_SUCCESS &&
		    gsl_linalg_cholesky_solve(A, b, x) == GSL_SUCCESS) {
			for (size_t i = 0; i < k; i++)
				beta[i] = gsl_vector_get(x, i);
			rc = 0;
		}
	}
	gsl_set_error_handler(old);
	gsl_matrix_free(A);
	gsl_vector_free(b);
	gsl_vector_free(x);
	return rc;
}

static void
standardize(struct pcs_reg *r, const double *z, size_t n)
{
	double s = 0, s2 = 0;
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(z[i])) {
			s += z[i];
			c++;
		}
	r->zmean = c ? s / (double)c : 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(z[i]))
			s2 += (z[i] - r->zmean) * (z[i] - r->zmean);
	r->zsd = c > 1 ? sqrt(s2 / (double)(c - 1)) : 0;
	if (!(r->zsd > 0) || !isfinite(r->zsd))
		r->zsd = fabs(r->zmean) > 0 && isfinite(r->zmean) ? fabs(r->zmean) : 1;
}

/* The chosen layout: the largest, cut to the chosen orders. */
static void
chosen_layout(const struct pcs_reg *r, const struct layout *full, struct layout *S)
{
	*S = *full;
	S->kd = r->kd < full->kd ? r->kd : full->kd;
	S->kw = r->kw < full->kw ? r->kw : full->kw;
	layout_size(S);
}

/* The fitted value at t (on the caller's scale), for the chosen layout. */
static double
fitted(const struct pcs_reg *r, int64_t t)
{
	double v = 0;

	design_row(r, &r->lay, t, r->row);
	for (size_t i = 0; i < r->lay.p; i++)
		v += r->beta[i] * r->row[i];
	return r->zmean + r->zsd * v;
}

/* Solve at the chosen orders on z[0..n) from r->t0; on failure the model
 * forecasts the mean.  Sets the residual autocorrelation when asked. */
static int
solve_window(struct pcs_reg *r, const double *z, size_t n, int set_rho)
{
	struct layout full, S;
	size_t *idx, rows, k;
	int rc = -1;

	standardize(r, z, n);
	prepare(r, z, n, &full);
	chosen_layout(r, &full, &S);
	if (reserve(r, full.p) != 0)
		return -1;
	free(r->beta);
	r->beta = calloc(full.p, sizeof *r->beta);
	idx = malloc(full.p * sizeof *idx);
	if (r->beta == NULL || idx == NULL) {
		free(idx);
		return -1;
	}
	rows = accumulate(r, &full, z, 0, n);
	k = sub_columns(&full, &S, idx);
	r->lay = S;
	if (rows > 0 && solve(r, &full, idx, k, rows, r->lcp, r->beta) == 0)
		rc = 0;
	else
		memset(r->beta, 0, full.p * sizeof *r->beta);
	r->solved_z = z;
	r->solved_n = n;
	r->solved_t0 = r->t0;
	free(idx);
	if (set_rho) {
		/* lag-one autocorrelation of the residuals */
		double prev = NAN, num = 0, den = 0;
		for (size_t i = 0; i < n; i++) {
			double e = isnan(z[i]) ? NAN : z[i] - fitted(r, r->t0 + (int64_t)i * r->step);
			if (!isnan(e)) {
				den += e * e;
				if (!isnan(prev))
					num += e * prev;
			}
			prev = e;
		}
		r->rho = den > 0 ? num / den : 0;
		r->rho = r->rho < 0 ? 0 : r->rho > 0.98 ? 0.98 : r->rho;
	}
	return rc;
}

static void
state_reset(struct pcs_reg *r)
{
	r->t = 0;
	r->state_t0 = r->t0;
	r->last_res = 0;
	r->cache->n = 0;   /* new coefficients, or a new start */
}

/* A step more than the cache's length plus this past its end is computed,
 * not cached (the cache grows at most geometrically), so that a forecast
 * years ahead (a horizon of 100 years at a 1 s step, a boot of 1e12 s in
 * pcs-replay) does not allocate one double per step up to it. */
#define FITTED_CACHE_REACH 65536

/* The fitted value t steps after the state's start, from the cache. */
static double
fitted_after(const struct pcs_reg *r, size_t t)
{
	struct fitted_cache *c = r->cache;

	if (t >= c->n && t - c->n >= c->n + FITTED_CACHE_REACH)
		return fitted(r, r->state_t0 + (int64_t)t * r->step);
	if (t >= c->n) {
		size_t want = t + 1 > 2 * c->n ? t + 1 + 1024 : 2 * c->n;
		double *v = realloc(c->v, want * sizeof *v);
		if (v == NULL)
			return fitted(r, r->state_t0 + (int64_t)t * r->step);
		for (size_t i = c->n; i < want; i++)
			v[i] = NAN;
		c->v = v;
		c->n = want;
	}
	if (isnan(c->v[t]))
		c->v[t] = fitted(r, r->state_t0 + (int64_t)t * r->step);
	return c->v[t];
}

/* Choose the orders and the changepoint penalty by the backtest, then
 * solve on the whole window.  A refit keeps the choice of the first fit:
 * the structure was chosen on the same series, and the backtest is most of
 * the fit's cost. */
int
pcs_reg_fit(struct pcs_reg *r, const double *z, size_t n)
{
	size_t cut = n - (size_t)((double)n * HOLDOUT_SHARE), rows, *idx;
	double *beta, best = INFINITY;
	struct layout full;

	if (r->chosen) {
		solve_window(r, z, n, 1);
		state_reset(r);
		return 0;
	}
	standardize(r, z, cut);
	prepare(r, z, cut, &full);
	if (reserve(r, full.p) != 0)
		return -1;
	idx = malloc(full.p * sizeof *idx);
	beta = malloc(full.p * sizeof *beta);
	if (idx == NULL || beta == NULL) {
		free(idx);
		free(beta);
		return -1;
	}
	rows = accumulate(r, &full, z, 0, cut);
	for (size_t a = 0; a < sizeof order_share / sizeof *order_share && rows > 0; a++) {
		for (size_t b = 0; b < sizeof cp_penalty / sizeof *cp_penalty; b++) {
			struct layout S = full;
			double mae = 0;
			size_t k, cnt = 0;
			S.kd = (int)ceil(order_share[a] * full.kd);
			S.kw = (int)ceil(order_share[a] * full.kw);
			layout_size(&S);
			k = sub_columns(&full, &S, idx);
			if (solve(r, &full, idx, k, rows, cp_penalty[b], beta) != 0)
				continue;
			for (size_t i = cut; i < n; i++) {
				double v = 0;
				if (isnan(z[i]))
					continue;
				design_row(r, &full, r->t0 + (int64_t)i * r->step, r->row);
				for (size_t c = 0; c < k; c++)
					v += beta[c] * r->row[idx[c]];
				mae += fabs(z[i] - (r->zmean + r->zsd * v));
				cnt++;
			}
			mae = cnt ? mae / (double)cnt : INFINITY;
			if (mae < best) {
				best = mae;
				r->kd = S.kd;
				r->kw = S.kw;
				r->lcp = cp_penalty[b];
			}
		}
	}
	free(idx);
	free(beta);
	r->chosen = 1;
	/* a degenerate window leaves beta zero: the forecast is the mean */
	solve_window(r, z, n, 1);
	state_reset(r);
	return 0;
}

void
pcs_reg_reset(struct pcs_reg *r, const double *z, size_t n)
{
	if (r->beta == NULL || z != r->solved_z || n != r->solved_n || r->t0 != r->solved_t0)
		solve_window(r, z, n, 0);
	state_reset(r);
}

/* The forecast at the step t steps after the state's start. */
static double
value_at(const struct pcs_reg *r, size_t t, size_t h)
{
	int64_t when = r->state_t0 + (int64_t)t * r->step;
	double v = (r->beta ? fitted_after(r, t) : 0) + pow(r->rho, (double)h) * r->last_res;

	if (pcs_events_count(r->events)) {
		double lift = unlearned_lift(r, when);
		if (lift != 1)
			v = pcs_transform_value(r->transform, r->lambda,
			                        lift * pcs_transform_inverse(r->transform, r->lambda, v));
	}
	return v;
}

double
pcs_reg_update(struct pcs_reg *r, double z)
{
	double f = value_at(r, r->t, 1);

	if (isnan(z))
		r->last_res *= r->rho;
	else
		r->last_res = z - (f - r->rho * r->last_res);
	r->t++;
	return f;
}

double
pcs_reg_forecast(const struct pcs_reg *r, size_t h)
{
	return value_at(r, r->t + h - 1, h);
}
