/* forecast.c — model choice, split-conformal calibration and anomaly score
 * for one series (see pcs_forecast.h for the method). */
#include <gsl/gsl_cdf.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_detector.h"
#include "pcs_forecast.h"
#include "pcs_grow.h"
#include "pcs_models.h"
#include "pcs_quantiles.h"
#include "pcs_time.h"

/* Parameters are fitted on at most this many recent steps (or six of the
 * longest cycle): enough to pin them down, bounded cost per key. */
#define FIT_MIN_SPAN 2016
/* Calibration origins x horizons evaluated per candidate, at most. */
#define MAX_CALIBRATION_WORK 2000000
/* Calibration errors are weighted by exp(-age / (RECENCY x window)), so a
 * drifting series is judged by its recent errors (nonexchangeable conformal
 * prediction, Barber et al. 2023); the effective sample is about a quarter
 * of the calibration window. */
#define RECENCY 0.25
/* Residuals behind the robust scale of the anomaly score. */
#define RUN_WINDOW_MAX 1000
#define RUN_WINDOW_MIN 30

static const char unfit_msg[] =
	"the series cannot hold the configuration (too short for its cycles, or not positive for logs)";

int
pcs_horizons_parse(const char *list, pcs_horizon_spec *spec, pcs_error *err)
{
	char *copy = strdup(list), *tok, *rest;
	size_t cap = 0;

	memset(spec, 0, sizeof *spec);
	if (copy == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	for (rest = *copy ? copy : NULL; rest && (tok = strsep(&rest, ",")) != NULL;) {
		char *dots = strstr(tok, ".."), *slash;
		int64_t a, b, every = 0;

		if (dots) {
			*dots = '\0';
			if ((slash = strchr(dots + 2, '/')) != NULL) {
				*slash = '\0';
				if (pcs_duration_parse(slash + 1, &every, err))
					goto fail;
			}
			if (pcs_duration_parse(tok, &a, err) || pcs_duration_parse(dots + 2, &b, err))
				goto fail;
			if (b < a) {
				pcs_error_set(err, PCS_EUSAGE, 0, NULL,
				              "horizon range ends before it starts: \"%s..%s\"", tok, dots + 2);
				goto fail;
			}
		} else {
			if (pcs_duration_parse(tok, &a, err))
				goto fail;
			b = a;
		}
		if (spec->n == cap) {
			int64_t *nf, *nt = NULL, *ne = NULL;
			cap = cap ? cap * 2 : 8;
			if ((nf = realloc(spec->from, cap * sizeof *nf)) != NULL)
				spec->from = nf;
			if (nf && (nt = realloc(spec->to, cap * sizeof *nt)) != NULL)
				spec->to = nt;
			if (nt && (ne = realloc(spec->every, cap * sizeof *ne)) != NULL)
				spec->every = ne;
			if (ne == NULL) {
				pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
				goto fail;
			}
		}
		spec->from[spec->n] = a;
		spec->to[spec->n] = b;
		spec->every[spec->n] = every;
		spec->n++;
	}
	free(copy);
	if (spec->n == 0)
		return pcs_error_set(err, PCS_EUSAGE, 0, NULL, "empty list of horizons");
	return 0;
fail:
	free(copy);
	pcs_horizons_free(spec);
	return err ? err->code : PCS_EUSAGE;
}

void
pcs_horizons_free(pcs_horizon_spec *spec)
{
	free(spec->from);
	free(spec->to);
	free(spec->every);
	memset(spec, 0, sizeof *spec);
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* Append h to a growing array; 0 or -1. */
static int
push_horizon(size_t **v, size_t *n, size_t *cap, size_t h)
{
	size_t *nv = pcs_grow(*v, *n, cap, sizeof *nv, 16);

	if (nv == NULL)
		return -1;
	*v = nv;
	(*v)[(*n)++] = h;
	return 0;
}

/* How many entries item i of spec expands to at step (before repeats are
 * dropped), at most PCS_MAX_HORIZONS + 1. */
static int64_t
expanded(const pcs_horizon_spec *spec, size_t i, int64_t step)
{
	int64_t from = spec->from[i], to = spec->to[i], every = spec->every[i], k;

	if (from == to)
		k = 1;
	else if (every == 0)
		k = to / step - (from + step - 1) / step + 1;
	else
		k = (to - from) / every + 1;
	return k < 1 ? 1 : k > PCS_MAX_HORIZONS ? PCS_MAX_HORIZONS + 1 : k;
}

size_t
pcs_horizons_resolve(const pcs_horizon_spec *spec, int64_t step, size_t **steps, pcs_error *err)
{
	size_t n = 0, cap = 0, *v = NULL, out = 0;
	int64_t total = 0;

	*steps = NULL;
	for (size_t i = 0; i < spec->n && total <= PCS_MAX_HORIZONS; i++)
		total += expanded(spec, i, step);
	if (total > PCS_MAX_HORIZONS) {
		pcs_error_set(err, PCS_EUSAGE, 0, NULL,
		              "the horizons give more than %d forecasts a key at a step of %lld s",
		              PCS_MAX_HORIZONS, (long long)step);
		return 0;
	}
	for (size_t i = 0; i < spec->n; i++) {
		int64_t from = spec->from[i], to = spec->to[i], every = spec->every[i];
		if (from == to) {
			/* one duration, rounded up to whole steps */
			if (push_horizon(&v, &n, &cap, (size_t)((from + step - 1) / step)) != 0)
				goto nomem;
		} else if (every == 0) {
			/* every step multiple inside [from, to] (at least one) */
			int64_t a = (from + step - 1) / step, b = to / step;
			if (b < a)
				b = a;
			for (int64_t h = a; h <= b; h++)
				if (push_horizon(&v, &n, &cap, (size_t)h) != 0)
					goto nomem;
		} else {
			/* from, from + every, ... <= to, each rounded up to whole steps */
			for (int64_t d = from; d <= to; d += every)
				if (push_horizon(&v, &n, &cap, (size_t)((d + step - 1) / step)) != 0)
					goto nomem;
		}
	}
	if (n > 1)   /* qsort(NULL, 0, ...) is undefined */
		qsort(v, n, sizeof *v, cmp_size);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[i] != v[out - 1])
			v[out++] = v[i];
	*steps = v;
	return out;
nomem:
	free(v);
	pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	return 0;
}

void
pcs_seasonal_periods(int64_t step, int *daily, int *weekly)
{
	*daily = *weekly = 0;
	if (step <= 0)
		return;
	if (86400 % step == 0 && 86400 / step >= 2 && 86400 / step <= PCS_MAX_PERIOD)
		*daily = (int)(86400 / step);
	if (604800 % step == 0 && 604800 / step <= PCS_MAX_PERIOD)
		*weekly = (int)(604800 / step);
}

void
pcs_forecast_result_free(struct pcs_forecast_result *r)
{
	free(r->mean);
	free(r->quantiles);
	r->mean = r->quantiles = NULL;
}

/* ---- one candidate model run through the calibration window ---- */

struct candidate {
	struct pcs_fconfig fc;
	struct pcs_model_spec spec;
	pcs_model *m;
	double *z;          /* the series on the model's scale */
	double **err;       /* per horizon: h-step errors on the model's scale */
	double **weight;    /* per horizon: each error's recency weight */
	size_t *nerr;
	double score;       /* mean absolute error, averaged over horizons */
	/* for the ensemble: the forecast (on the observations' scale) at each
	 * calibration origin and horizon, [slot * nh + j], NaN when none */
	float *paths;
	size_t nslots;
};

struct plan {
	size_t n, train_end, hmax;
	int daily, weekly;
	size_t stride;      /* between calibration origins */
	int64_t start, step;   /* the series' clock, for the models that use it */
};

/* The calibration origin of slot k: t = train_end - 1 + k * stride. */
static size_t
slot_count(const struct plan *p)
{
	return (p->n - p->train_end + p->stride - 1) / p->stride + 1;
}

/* Tell a clock-driven model where z[from] is in time. */
static void
set_clock(pcs_model *m, const struct plan *p, size_t from)
{
	pcs_model_set_time(m, p->start + (int64_t)from * p->step);
}

static void
candidate_free(struct candidate *c, size_t nh)
{
	pcs_model_free(c->m);
	free(c->z);
	if (c->err)
		for (size_t j = 0; j < nh; j++)
			free(c->err[j]);
	if (c->weight)
		for (size_t j = 0; j < nh; j++)
			free(c->weight[j]);
	free(c->err);
	free(c->weight);
	free(c->nerr);
	free(c->paths);
	memset(c, 0, sizeof *c);
}

/* The steps parameters are fitted on (and the final state run over). */
static size_t
fit_span(const struct candidate *c, const struct plan *p, size_t avail)
{
	size_t longest = (size_t)(p->weekly ? p->weekly : p->daily ? p->daily : 1);
	size_t span = 6 * longest > FIT_MIN_SPAN ? 6 * longest : FIT_MIN_SPAN;

	if (c->fc.window)
		span = c->fc.window;
	return span < avail ? span : avail;
}

/* Allocate the per-horizon arrays and the series on the model's scale
 * (c->spec.transform). */
static int
candidate_alloc_arrays(struct candidate *c, const pcs_series *s, size_t nh, size_t nerr_max)
{
	c->z = malloc((s->n ? s->n : 1) * sizeof *c->z);
	c->err = calloc(nh ? nh : 1, sizeof *c->err);
	c->weight = calloc(nh ? nh : 1, sizeof *c->weight);
	c->nerr = calloc(nh ? nh : 1, sizeof *c->nerr);
	if (!c->z || !c->err || !c->weight || !c->nerr)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		c->z[i] = isnan(s->y[i]) ? NAN :
		          pcs_transform_value(c->spec.transform, c->spec.lambda, s->y[i]);
	for (size_t j = 0; j < nh; j++)
		if ((c->err[j] = malloc((nerr_max ? nerr_max : 1) * sizeof **c->err)) == NULL ||
		    (c->weight[j] = malloc((nerr_max ? nerr_max : 1) * sizeof **c->weight)) == NULL)
			return -1;
	return 0;
}

/* The model of c->spec and its arrays. */
static int
candidate_alloc(struct candidate *c, const pcs_series *s, size_t nh, size_t nerr_max)
{
	if ((c->m = pcs_model_new_spec(&c->spec)) == NULL)
		return -1;
	return candidate_alloc_arrays(c, s, nh, nerr_max);
}

/* The mean over horizons of the mean absolute errors (INFINITY when none). */
static double
mean_score(const double *abs_sum, const size_t *abs_cnt, size_t nh)
{
	double score = 0;
	size_t used = 0;

	for (size_t j = 0; j < nh; j++)
		if (abs_cnt[j]) {
			score += abs_sum[j] / (double)abs_cnt[j];
			used++;
		}
	score = used ? score / (double)used : INFINITY;
	return isfinite(score) ? score : INFINITY;
}

/* Recency weights exp(-age / (RECENCY x norigins)), age = n - 1 - h - t,
 * as the product of a factor per origin and one per horizon (one exp per
 * origin instead of one per error).  ahead[j] = exp(h_j / tau). */
static int
recency_init(const struct pcs_forecast_config *cfg, size_t norigins, double **ahead)
{
	double tau = RECENCY * (double)norigins;

	if ((*ahead = malloc((cfg->nhorizons + 1) * sizeof **ahead)) == NULL)
		return -1;
	for (size_t j = 0; j < cfg->nhorizons; j++)
		(*ahead)[j] = exp((double)cfg->horizons[j] / tau);
	return 0;
}

/* The origin's factor: exp(-(n - 1 - t) / tau). */
static double
recency_origin(size_t n, size_t t, size_t norigins)
{
	return exp(-(double)(n - 1 - t) / (RECENCY * (double)norigins));
}

/* The weight of the error of horizon j (h steps) at origin t, from the
 * factors; directly when they overflow or underflow (horizons far longer
 * than a short calibration window). */
static double
recency_weight(double at, const double *ahead, size_t j, size_t n, size_t h, size_t t,
               size_t norigins)
{
	double w = at * ahead[j];

	if (isfinite(w) && w > 0)
		return w;
	return exp(-(double)(n - 1 - h - t) / (RECENCY * (double)norigins));
}

/* Fit on the training part, then walk through the calibration window and
 * collect h-step errors at each origin. */
static int
calibrate(struct candidate *c, const pcs_series *s, const struct plan *p,
          const struct pcs_forecast_config *cfg, int keep_paths, int split)
{
	size_t nh = cfg->nhorizons, from, stride = p->stride, norigins = s->n - p->train_end, slot;
	double *abs_sum = NULL, *path = NULL, *ahead = NULL, at;
	size_t *abs_cnt = NULL;
	int rc = -1;

	abs_sum = calloc(nh ? nh : 1, sizeof *abs_sum);
	abs_cnt = calloc(nh ? nh : 1, sizeof *abs_cnt);
	path = calloc(nh ? nh : 1, sizeof *path);
	if (!path || !abs_sum || !abs_cnt || recency_init(cfg, norigins, &ahead) != 0 ||
	    candidate_alloc(c, s, nh, norigins) != 0)
		goto out;
	if (keep_paths) {
		c->nslots = slot_count(p);
		if ((c->paths = malloc((c->nslots * nh + 1) * sizeof *c->paths)) == NULL)
			goto out;
		for (size_t i = 0; i < c->nslots * nh; i++)
			c->paths[i] = NAN;
	}
	from = p->train_end - fit_span(c, p, p->train_end);
	set_clock(c->m, p, from);
	if (pcs_model_fit(c->m, c->z + from, p->train_end - from) != 0)
		goto out;
	for (size_t t = from; t < s->n; t++) {
		pcs_model_update(c->m, c->z[t]);
		if (t + 1 < p->train_end || (t + 1 - p->train_end) % stride != 0)
			continue;
		pcs_model_forecast_path(c->m, cfg->horizons, nh, path);
		slot = (t + 1 - p->train_end) / stride;
		at = recency_origin(s->n, t, norigins);
		for (size_t j = 0; j < nh; j++) {
			size_t h = cfg->horizons[j];
			double f = path[j];
			if (t + h >= s->n)
				break;
			if (c->paths && !isnan(f))
				c->paths[slot * nh + j] = (float)pcs_model_untransform(c->m, f);
			/* no target, or no forecast yet (a fit window that starts in
			 * a gap): no error */
			if (isnan(c->z[t + h]) || isnan(f))
				continue;
			if (split && slot % 2 == 0) {
				/* an origin that scores the candidate */
				abs_sum[j] += fabs(s->y[t + h] - pcs_model_untransform(c->m, f));
				abs_cnt[j]++;
				continue;
			}
			/* age: steps between this error's target and the latest one possible */
			c->weight[j][c->nerr[j]] = recency_weight(at, ahead, j, s->n, h, t, norigins);
			c->err[j][c->nerr[j]++] = c->z[t + h] - f;
			if (!split) {
				abs_sum[j] += fabs(s->y[t + h] - pcs_model_untransform(c->m, f));
				abs_cnt[j]++;
			}
		}
	}
	c->score = mean_score(abs_sum, abs_cnt, nh);
	rc = 0;
out:
	free(abs_sum);
	free(abs_cnt);
	free(path);
	free(ahead);
	return rc;
}

size_t
pcs_forecast_train_end(size_t n, size_t hmax)
{
	size_t cal = n / 3;

	if (cal < hmax + 2 * PCS_MIN_CALIBRATION)
		cal = hmax + 2 * PCS_MIN_CALIBRATION;
	if (cal > n / 2)
		cal = n / 2;
	return n - cal;
}

static void
make_plan(const pcs_series *s, const struct pcs_forecast_config *cfg, struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->n = s->n;
	p->hmax = cfg->nhorizons ? cfg->horizons[cfg->nhorizons - 1] : 1;
	p->train_end = pcs_forecast_train_end(s->n, p->hmax);
	pcs_seasonal_periods(s->step, &p->daily, &p->weekly);
	if (p->daily && p->train_end < 2 * (size_t)p->daily)
		p->daily = 0;
	if (p->weekly && p->train_end < 2 * (size_t)p->weekly)
		p->weekly = 0;
	p->stride = ((s->n - p->train_end) * (cfg->nhorizons ? cfg->nhorizons : 1)) /
	            MAX_CALIBRATION_WORK + 1;
	p->start = s->start;
	p->step = s->step;
}

/* Add configuration fc to the candidates if the series supports it. */
static void
push_candidate(struct candidate *cands, size_t *k, const struct pcs_fconfig *fc,
               const pcs_series *s, const struct plan *p, const struct pcs_events *events)
{
	struct candidate *c = &cands[*k];

	memset(c, 0, sizeof *c);
	c->fc = *fc;
	/* logs and Box-Cox need a positive series */
	if (fc->transform != PCS_TRANSFORM_NONE && !pcs_series_positive(s))
		return;
	if (pcs_fconfig_spec(fc, s->step, p->train_end, &c->spec) == 0) {
		c->spec.events = events;
		/* Box-Cox's parameter from the training part, as the fit */
		if (fc->transform == PCS_TRANSFORM_BOXCOX)
			c->spec.lambda = pcs_boxcox_lambda(s->y, p->train_end,
			                                   (size_t)(p->daily ? p->daily : p->weekly));
		(*k)++;
	}
}

/* The most candidates tried for one series. */
#define MAX_CANDIDATES 4
/* The ensemble combines the best ENSEMBLE_SIZE candidates. */
#define ENSEMBLE_SIZE 3

/* The candidates tried for this series: the fixed configuration, or the
 * model asked for, or (auto and ensemble) seasonal naive, ets, mstl and reg,
 * the last two on logs for a positive series (relative seasonality and
 * errors: on the M4 Hourly dev half, mstl on logs beat mstl alone and both
 * together; ets on logs added nothing once these were in).  A model
 * without the history for it falls back to seasonal naive. */
static size_t
candidate_list(const pcs_series *s, const struct plan *p, const struct pcs_forecast_config *cfg,
               struct candidate *cands)
{
	struct pcs_fconfig sn = { PCS_MODEL_SNAIVE, PCS_SEASONS_AUTO, PCS_TREND_DAMPED,
	                          PCS_TRANSFORM_NONE, PCS_QM_CONFORMAL, 0 };
	static const int kinds[] = { PCS_MODEL_ETS, PCS_MODEL_MSTL, PCS_MODEL_REG };
	static const int logs[] = { 0, 1, 1 };
	int want = cfg->model, all = want == PCS_MODEL_AUTO || want == PCS_MODEL_ENSEMBLE;
	int positive = pcs_series_positive(s);
	size_t k = 0;

	if (cfg->fixed) {
		push_candidate(cands, &k, cfg->fixed, s, p, cfg->events);
		return k;
	}
	if (!all && want != PCS_MODEL_SNAIVE && want != PCS_MODEL_ETS && want != PCS_MODEL_MSTL &&
	    want != PCS_MODEL_REG)
		return 0;   /* naive and ets-mul are choices, not kinds to ask for */
	if (cfg->transform)
		sn.transform = *cfg->transform;
	if (all || want == PCS_MODEL_SNAIVE)
		push_candidate(cands, &k, &sn, s, p, cfg->events);
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		struct pcs_fconfig fc = sn;
		if (!all && want != kinds[i])
			continue;
		fc.kind = kinds[i];
		/* asked for alone: on the identity, as the model is named */
		if (all && positive && logs[i] && !cfg->transform)
			fc.transform = PCS_TRANSFORM_LOG;
		push_candidate(cands, &k, &fc, s, p, cfg->events);
	}
	if (k == 0) {
		/* a scale the series cannot take (logs of zeros): the identity */
		sn.transform = PCS_TRANSFORM_NONE;
		push_candidate(cands, &k, &sn, s, p, cfg->events);
	}
	return k;
}

static int
by_score(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	return (x->score > y->score) - (x->score < y->score);
}

/* The ensemble of the best candidates cands[0..k) (sorted by score), its
 * calibration errors worked out from the members' stored forecasts so
 * that it costs no second pass: weights the inverse of each member's
 * calibration error (Bates & Granger 1969).  Its model is made only when
 * it is chosen (ensemble_take).  0, or -1 on no memory. */
static int
ensemble_errors(struct candidate *e, const struct candidate *cands, size_t k, const pcs_series *s,
                const struct plan *p, const struct pcs_forecast_config *cfg, double *w)
{
	size_t nh = cfg->nhorizons, ns = cands[0].nslots, norigins = s->n - p->train_end;
	double total = 0, *abs_sum = calloc(nh + 1, sizeof *abs_sum), *ahead = NULL;
	size_t *abs_cnt = calloc(nh + 1, sizeof *abs_cnt);
	int logs = pcs_series_positive(s), rc = -1;

	memset(e, 0, sizeof *e);
	e->fc = cands[0].fc;
	e->fc.kind = PCS_MODEL_ENSEMBLE;
	e->fc.transform = logs ? PCS_TRANSFORM_LOG : PCS_TRANSFORM_NONE;
	e->spec = cands[0].spec;
	e->spec.kind = PCS_MODEL_ENSEMBLE;
	e->spec.transform = e->fc.transform;
	for (size_t i = 0; i < k; i++)
		total += (w[i] = 1 / fmax(cands[i].score, DBL_MIN));
	for (size_t i = 0; i < k; i++)
		w[i] /= total;
	if (abs_sum == NULL || abs_cnt == NULL || recency_init(cfg, norigins, &ahead) != 0 ||
	    candidate_alloc_arrays(e, s, nh, norigins) != 0)
		goto out;
	for (size_t slot = 0; slot < ns; slot++) {
		size_t t = p->train_end - 1 + slot * p->stride;
		double at = recency_origin(s->n, t, norigins);
		for (size_t j = 0; j < nh; j++) {
			size_t h = cfg->horizons[j];
			double f = 0;
			int ok = 1;
			if (t + h >= s->n)
				break;
			if (isnan(e->z[t + h]))
				continue;
			for (size_t i = 0; i < k && ok; i++) {
				double v = cands[i].paths[slot * nh + j];
				ok = !isnan(v);
				f += w[i] * pcs_ensemble_demand(v);
			}
			if (!ok)
				continue;
			if (slot % 2 == 0) {
				abs_sum[j] += fabs(s->y[t + h] - f);
				abs_cnt[j]++;
				continue;
			}
			e->weight[j][e->nerr[j]] = recency_weight(at, ahead, j, s->n, h, t, norigins);
			e->err[j][e->nerr[j]++] = e->z[t + h] - pcs_ensemble_scale(e->spec.transform, f);
		}
	}
	e->score = mean_score(abs_sum, abs_cnt, nh);
	rc = 0;
out:
	free(abs_sum);
	free(abs_cnt);
	free(ahead);
	return rc;
}

/* Make the chosen ensemble's model from the members cands[0..k) (their
 * models move into it).  0 or -1. */
static int
ensemble_take(struct candidate *e, struct candidate *cands, size_t k, const double *w)
{
	pcs_model *members[ENSEMBLE_SIZE];

	for (size_t i = 0; i < k; i++)
		members[i] = cands[i].m;
	if ((e->m = pcs_model_new_ensemble(members, w, k, e->spec.transform)) == NULL)
		return -1;
	for (size_t i = 0; i < k; i++)
		cands[i].m = NULL;
	return 0;
}

/* Choose among the candidates by calibration error; leaves the winner in
 * best (the others freed).  auto weighs the best single candidate against
 * the ensemble of the best ENSEMBLE_SIZE; ensemble takes the ensemble.
 * Returns 0, PCS_EDATA when the fixed configuration does not fit the
 * series, or PCS_ENOMEM. */
static int
choose(const pcs_series *s, const struct pcs_forecast_config *cfg, const struct plan *p,
       struct candidate *best)
{
	struct candidate cands[MAX_CANDIDATES], ens;
	size_t nk = candidate_list(s, p, cfg, cands), k;
	int combine = cfg->model == PCS_MODEL_AUTO || cfg->model == PCS_MODEL_ENSEMBLE;
	double w[ENSEMBLE_SIZE];
	int rc = 0;

	memset(best, 0, sizeof *best);
	memset(&ens, 0, sizeof ens);
	if (nk == 0)
		return PCS_EDATA;
	for (size_t i = 0; i < nk; i++)
		if (calibrate(&cands[i], s, p, cfg, combine && nk > 1, nk > 1) != 0) {
			for (size_t j = 0; j < nk; j++)
				candidate_free(&cands[j], cfg->nhorizons);
			return PCS_ENOMEM;
		}
	if (nk > 1)
		qsort(cands, nk, sizeof *cands, by_score);
	for (k = 0; k < nk && k < ENSEMBLE_SIZE && isfinite(cands[k].score); k++)
		;
	if (combine && k > 1 && ensemble_errors(&ens, cands, k, s, p, cfg, w) != 0)
		rc = PCS_ENOMEM;
	if (rc == 0 && k > 1 && combine &&
	    (cfg->model == PCS_MODEL_ENSEMBLE || ens.score < cands[0].score)) {
		if (ensemble_take(&ens, cands, k, w) != 0)
			rc = PCS_ENOMEM;
		*best = ens;
		memset(&ens, 0, sizeof ens);
	} else {
		*best = cands[0];
		memset(&cands[0], 0, sizeof cands[0]);
	}
	candidate_free(&ens, cfg->nhorizons);
	for (size_t i = 0; i < nk; i++)
		candidate_free(&cands[i], cfg->nhorizons);
	if (rc != 0) {
		candidate_free(best, cfg->nhorizons);
		return rc;
	}
	for (size_t j = 0; j < cfg->nhorizons; j++)
		pcs_sort_pairs(best->err[j], best->weight[j], best->nerr[j]);
	return 0;
}

/* Refit the winner on the most recent history when asked (a single model;
 * an ensemble, and a model from a model file, keep the parameters they
 * were calibrated with), then run it to the end from the fit span's start
 * or from `from`, whichever is earlier; returns the first index run, and
 * fills resid (working scale) and expected if given. */
static size_t
final_run(struct candidate *c, const pcs_series *s, const struct plan *p, size_t from, int refit,
          double *resid, double *expected)
{
	struct plan all = *p;
	size_t span, start;

	all.train_end = s->n;
	span = fit_span(c, &all, s->n);
	start = s->n - span;
	if (from < start)
		start = from;
	if (refit) {
		set_clock(c->m, p, s->n - span);
		pcs_model_fit(c->m, c->z + (s->n - span), span);
	}
	set_clock(c->m, p, start);
	pcs_model_reset(c->m, c->z + start, s->n - start);
	for (size_t t = start; t < s->n; t++) {
		double f = pcs_model_update(c->m, c->z[t]);
		if (resid)
			resid[t] = isnan(c->z[t]) ? NAN : c->z[t] - f;
		if (expected)
			expected[t] = pcs_model_untransform(c->m, f);
	}
	return start;
}

/* The steps the state is run over before the fit span at least: a day (288
 * steps without a daily cycle), within [30, 1000].  It once sized the ring
 * of residuals the first anomaly score used; kept so that forecasts, and
 * the model files that reproduce them, stay as they were. */
static size_t
run_window(const struct plan *p)
{
	size_t w = p->daily ? (size_t)p->daily : 288;

	return w > RUN_WINDOW_MAX ? RUN_WINDOW_MAX : w < RUN_WINDOW_MIN ? RUN_WINDOW_MIN : w;
}

/* The standard deviation of the first differences of z, the differences
 * divided by `by` (1; or their largest when the squares overflow, as they
 * do on series of 1e300). */
static double
diff_spread_by(const double *z, size_t n, double by)
{
	double s = 0, s2 = 0, prev = NAN, m = 0;
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isnan(z[i]) && !isnan(prev)) {
			double d = (z[i] - prev) / by;
			s += d;
			s2 += d * d;
			m = fmax(m, fabs(d));
			c++;
		}
		if (!isnan(z[i]))
			prev = z[i];
	}
	if (c < 2)
		return 0;
	if (!isfinite(s2) || !isfinite(s * s))
		return by == 1 && isfinite(m) ? diff_spread_by(z, n, m) : 0;
	return by * sqrt(fmax(0, (s2 - s * s / (double)c) / (double)(c - 1)));
}

static double
diff_spread(const double *z, size_t n)
{
	return diff_spread_by(z, n, 1);
}

const double pcs_sketch_levels[PCS_SKETCH_NLEVELS] = {
	0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
	0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999
};

/* The q-quantile of a sketch row, linear between its levels, flat beyond. */
static double
sketch_quantile(const double *row, double q)
{
	const double *L = pcs_sketch_levels;
	size_t i = 0;

	if (q <= L[0])
		return row[0];
	if (q >= L[PCS_SKETCH_NLEVELS - 1])
		return row[PCS_SKETCH_NLEVELS - 1];
	while (L[i + 1] < q)
		i++;
	if (q == L[i + 1])
		return row[i + 1];
	return row[i] + (row[i + 1] - row[i]) * (q - L[i]) / (L[i + 1] - L[i]);
}

struct pcs_forecaster {
	struct pcs_forecast_config cfg;   /* with its own copies of the arrays */
	size_t *horizons;
	double *levels;
	struct candidate c;
	struct pcs_fconfig fixed;
	struct plan plan;
	int qmethod;
	double rw_sd;
	/* from a model file: per horizon, a sketch row and its sqrt(h/h') scale
	 * (row NULL: no calibration, a random walk) */
	double *sketch;
	const double **sk_row;
	double *sk_scale;
	/* per quantile method, [nh * nl]: the error quantiles of each horizon
	 * and level (worked out when first needed) */
	double *offset[3];
	pcs_detector *det;         /* the online detector over the series */
	double score;              /* of the latest observation */
	double excess;             /* latest observation - its one-step forecast */
};

void
pcs_forecaster_free(pcs_forecaster *f)
{
	if (f == NULL)
		return;
	candidate_free(&f->c, f->cfg.nhorizons);
	free(f->horizons);
	free(f->levels);
	free(f->sketch);
	free(f->sk_row);
	free(f->sk_scale);
	for (int m = 0; m < 3; m++)
		free(f->offset[m]);
	pcs_detector_free(f->det);
	free(f);
}

/* The calibration errors' quantiles at levels L[0..nl) for horizon j, on
 * the model's scale.  Horizons with fewer than PCS_MIN_CALIBRATION errors
 * borrow the longest calibrated shorter horizon's errors scaled by
 * sqrt(h/h'); with none the interval is a Gaussian random walk. */
static void
error_quantiles(const pcs_forecaster *f, size_t j, const double *L, size_t nl, double *out)
{
	const struct candidate *c = &f->c;
	size_t h = f->cfg.horizons[j], jj = j, ne;
	const double *e;
	double scale = 1;

	if (f->sk_row) {
		for (size_t k = 0; k < nl; k++)
			out[k] = f->sk_row[j] ? f->sk_scale[j] * sketch_quantile(f->sk_row[j], L[k]) :
			         f->rw_sd * sqrt((double)h) * gsl_cdf_ugaussian_Pinv(L[k]);
		return;
	}
	while (c->nerr[jj] < PCS_MIN_CALIBRATION && jj > 0)
		jj--;
	if (c->nerr[jj] < PCS_MIN_CALIBRATION) {
		double sd = f->rw_sd * sqrt((double)h);
		for (size_t k = 0; k < nl; k++)
			out[k] = sd * gsl_cdf_ugaussian_Pinv(L[k]);
		return;
	}
	if (jj != j)
		scale = sqrt((double)h / (double)f->cfg.horizons[jj]);
	e = c->err[jj];
	ne = c->nerr[jj];
	if (f->qmethod == PCS_QM_NORMAL) {
		double ss = 0, rms, m = 0;
		for (size_t i = 0; i < ne; i++)
			ss += e[i] * e[i];
		rms = sqrt(ss / (double)ne);
		if (!isfinite(rms)) {
			/* errors of 1e300 overflow the squares: divide by the largest */
			for (size_t i = 0; i < ne; i++)
				m = fmax(m, fabs(e[i]));
			ss = 0;
			for (size_t i = 0; i < ne; i++)
				ss += (e[i] / m) * (e[i] / m);
			rms = m * sqrt(ss / (double)ne);
		}
		for (size_t k = 0; k < nl; k++)
			out[k] = scale * (rms * gsl_cdf_ugaussian_Pinv(L[k]));
		return;
	}
	for (size_t k = 0; k < nl; k++)
		out[k] = scale * (f->qmethod == PCS_QM_FLAT ? pcs_quantile_sorted(e, ne, L[k]) :
		                  pcs_quantile_weighted(e, c->weight[jj], ne, L[k]));
}

/* Between refits the calibration is fixed, so each horizon's error
 * quantiles are worked out once per quantile method. */
static const double *
offsets(pcs_forecaster *f)
{
	size_t nl = f->cfg.nlevels;
	double **o = &f->offset[f->qmethod];

	if (*o == NULL) {
		if ((*o = malloc((f->cfg.nhorizons * nl + 1) * sizeof **o)) == NULL)
			return NULL;
		for (size_t j = 0; j < f->cfg.nhorizons; j++)
			error_quantiles(f, j, f->cfg.levels, nl, *o + j * nl);
	}
	return *o;
}

/* Feed the detector one observation (NaN: a gap); the forecaster keeps its
 * score, 0 for a gap or a point without an expectation. */
static void
detect(pcs_forecaster *f, double y)
{
	struct pcs_detection d;

	pcs_detector_step(f->det, y, &d);
	f->score = isnan(d.score) ? 0 : d.score;
}

/* A forecaster with its own copies of cfg's arrays and its plan for s. */
static pcs_forecaster *
forecaster_alloc(const pcs_series *s, const struct pcs_forecast_config *cfg)
{
	pcs_forecaster *f = calloc(1, sizeof *f);
	size_t nh = cfg->nhorizons, nl = cfg->nlevels;

	if (f == NULL)
		return NULL;
	f->cfg = *cfg;
	if (cfg->fixed) {
		f->fixed = *cfg->fixed;
		f->cfg.fixed = &f->fixed;
		f->qmethod = cfg->fixed->qmethod;
	}
	f->horizons = malloc((nh + 1) * sizeof *f->horizons);
	f->levels = malloc((nl + 1) * sizeof *f->levels);
	if (f->horizons == NULL || f->levels == NULL) {
		pcs_forecaster_free(f);
		return NULL;
	}
	memcpy(f->horizons, cfg->horizons, nh * sizeof *f->horizons);
	memcpy(f->levels, cfg->levels, nl * sizeof *f->levels);
	f->cfg.horizons = f->horizons;
	f->cfg.levels = f->levels;
	make_plan(s, &f->cfg, &f->plan);
	return f;
}

/* Run the chosen model over the end of s and the detector over all of s:
 * the latest observation's score, and its excess over the model's one-step
 * forecast. */
static int
forecaster_start(pcs_forecaster *f, const pcs_series *s, int refit)
{
	double *expected = malloc((s->n ? s->n : 1) * sizeof *expected);
	size_t w = run_window(&f->plan);

	f->det = pcs_detector_new(s->step, NULL);
	if (expected == NULL || f->det == NULL) {
		free(expected);
		return -1;
	}
	final_run(&f->c, s, &f->plan, s->n > w + 1 ? s->n - w - 1 : 0, refit, NULL, expected);
	for (size_t t = 0; t < s->n; t++)
		detect(f, s->y[t]);
	f->excess = s->n ? s->y[s->n - 1] - expected[s->n - 1] : NAN;
	f->rw_sd = diff_spread(f->c.z, s->n);
	free(expected);
	return 0;
}

static pcs_forecaster *
forecaster_fail(pcs_forecaster *f, int code, pcs_error *err)
{
	pcs_forecaster_free(f);
	if (code == PCS_EDATA)
		pcs_error_set(err, PCS_EDATA, 0, NULL,
		              "%s", unfit_msg);
	else
		pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	return NULL;
}

pcs_forecaster *
pcs_forecaster_new(const pcs_series *s, const struct pcs_forecast_config *cfg, pcs_error *err)
{
	pcs_forecaster *f = forecaster_alloc(s, cfg);
	int rc;

	if (f == NULL)
		return forecaster_fail(f, PCS_ENOMEM, err);
	if ((rc = choose(s, &f->cfg, &f->plan, &f->c)) != 0)
		return forecaster_fail(f, rc, err);
	/* a single model is refitted on the recent history; an ensemble keeps
	 * the parameters its weights and errors were worked out with (on the
	 * M4 Hourly dev half: sMAPE 9.87 against 9.94 with its members
	 * refitted, and three fits fewer) */
	if (forecaster_start(f, s, pcs_model_kind_of(f->c.m) != PCS_MODEL_ENSEMBLE) != 0)
		return forecaster_fail(f, PCS_ENOMEM, err);
	return f;
}

int
pcs_forecaster_model(const pcs_forecaster *f)
{
	return pcs_model_kind_of(f->c.m);
}

void
pcs_forecaster_set_qmethod(pcs_forecaster *f, int qmethod)
{
	if (qmethod >= 0 && qmethod < 3)
		f->qmethod = qmethod;
}

double
pcs_forecaster_observe(pcs_forecaster *f, double y)
{
	double z = isnan(y) ? NAN : pcs_model_transform(f->c.m, y);
	double e = pcs_model_untransform(f->c.m, pcs_model_forecast(f->c.m, 1));

	pcs_model_update(f->c.m, z);
	detect(f, y);
	f->excess = y - e;
	return f->score;
}

/* The level reset of an upward onset: while the detector holds one raised
 * within the last PCS_ONSET_HOLD steps (and the series has not fallen back
 * below its old level), every horizon is raised by the latest
 * observation's excess over the model's one-step forecast, as if the
 * model's level were reset to the observation; the model then catches up
 * on its own.  0 otherwise. */
static double
onset_lift(const pcs_forecaster *f)
{
	double shift;
	size_t age;

	if (f->cfg.no_onset || !(f->excess > 0) ||
	    !pcs_detector_onset(f->det, PCS_ONSET_HOLD, &shift, &age))
		return 0;
	return f->excess;
}

int
pcs_forecaster_predict(pcs_forecaster *f, struct pcs_forecast_result *out, pcs_error *err)
{
	size_t nh = f->cfg.nhorizons, nl = f->cfg.nlevels;
	const double *off = offsets(f);

	memset(out, 0, sizeof *out);
	out->mean = calloc(nh ? nh : 1, sizeof *out->mean);
	out->quantiles = calloc(nh * nl + 1, sizeof *out->quantiles);
	if (off == NULL || out->mean == NULL || out->quantiles == NULL) {
		pcs_forecast_result_free(out);
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	}
	out->model = pcs_model_kind_of(f->c.m);
	out->anomaly_score = f->score;
	out->onset = onset_lift(f);
	for (size_t j = 0; j < nh; j++) {
		double point = pcs_model_forecast(f->c.m, f->cfg.horizons[j]), *q = out->quantiles + j * nl;
		for (size_t k = 0; k < nl; k++)
			q[k] = pcs_model_untransform(f->c.m, point + off[j * nl + k]);
		/* The point forecast, not shifted by the mean calibration error: on
		 * the M4 Hourly dev half that shift made auto worse (sMAPE 11.62
		 * against 11.28, MASE 0.943 against 0.917), and it would move
		 * snaive off the textbook baseline. */
		out->mean[j] = pcs_model_untransform(f->c.m, point);
		pcs_quantiles_monotone(q, nl, 0);
		if (!(out->mean[j] >= 0))
			out->mean[j] = 0;
		/* a log-scale model whose trend runs past exp(709) (1e300 after
		 * 1e-300) overflows: saturate, so that every number is finite */
		out->mean[j] = fmin(out->mean[j] + out->onset, DBL_MAX);
		for (size_t k = 0; k < nl; k++)
			q[k] = fmin(q[k] + out->onset, DBL_MAX);
	}
	return 0;
}

/* ---- fitted models ---- */

void
pcs_fitted_free(struct pcs_fitted *fm)
{
	free(fm->cal_h);
	free(fm->sketch);
	fm->cal_h = NULL;
	fm->sketch = NULL;
	fm->ncal = 0;
}

int
pcs_forecaster_export(const pcs_forecaster *f, struct pcs_fitted *out, pcs_error *err)
{
	const struct candidate *c = &f->c;
	struct plan all = f->plan;
	size_t nh = f->cfg.nhorizons, K = PCS_SKETCH_NLEVELS;

	memset(out, 0, sizeof *out);
	if (f->sk_row)
		return pcs_error_set(err, PCS_EUSAGE, 0, NULL, "a model read from a file is not exported again");
	out->config = c->fc;
	out->config.qmethod = f->qmethod;
	out->spec = c->spec;
	out->step = 0;
	pcs_model_get_params(c->m, &out->params);
	all.train_end = all.n;
	out->window = fit_span(c, &all, all.n);
	out->cal_h = malloc((nh + 1) * sizeof *out->cal_h);
	out->sketch = malloc((nh * K + 1) * sizeof *out->sketch);
	if (out->cal_h == NULL || out->sketch == NULL) {
		pcs_fitted_free(out);
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	}
	for (size_t j = 0; j < nh; j++)
		if (c->nerr[j] >= PCS_MIN_CALIBRATION) {
			out->cal_h[out->ncal] = f->cfg.horizons[j];
			error_quantiles(f, j, pcs_sketch_levels, K, out->sketch + out->ncal * K);
			out->ncal++;
		}
	return 0;
}

pcs_forecaster *
pcs_forecaster_from_fitted(const pcs_series *s, const struct pcs_fitted *fm,
                           const struct pcs_forecast_config *cfg, pcs_error *err)
{
	struct pcs_forecast_config fixed = *cfg;
	pcs_forecaster *f;
	size_t nh = cfg->nhorizons, K = PCS_SKETCH_NLEVELS;

	if (fm->step != s->step) {
		pcs_error_set(err, PCS_EDATA, 0, NULL,
		              "the model was fitted at a step of %llds, the series has %llds",
		              (long long)fm->step, (long long)s->step);
		return NULL;
	}
	fixed.fixed = &fm->config;
	if ((f = forecaster_alloc(s, &fixed)) == NULL)
		return forecaster_fail(f, PCS_ENOMEM, err);
	f->c.fc = fm->config;
	f->c.fc.window = fm->window;
	f->c.spec = fm->spec;
	f->sketch = malloc((fm->ncal * K + 1) * sizeof *f->sketch);
	f->sk_row = calloc(nh + 1, sizeof *f->sk_row);
	f->sk_scale = calloc(nh + 1, sizeof *f->sk_scale);
	if (f->sketch == NULL || f->sk_row == NULL || f->sk_scale == NULL ||
	    candidate_alloc(&f->c, s, nh, 0) != 0)
		return forecaster_fail(f, PCS_ENOMEM, err);
	memcpy(f->sketch, fm->sketch, fm->ncal * K * sizeof *f->sketch);
	pcs_model_set_params(f->c.m, &fm->params);
	/* each horizon takes the longest calibrated one not beyond it */
	for (size_t j = 0; j < nh; j++) {
		size_t h = cfg->horizons[j];
		for (size_t i = fm->ncal; i-- > 0;)
			if (fm->cal_h[i] <= h) {
				f->sk_row[j] = f->sketch + i * K;
				f->sk_scale[j] = fm->cal_h[i] == h ? 1 : sqrt((double)h / (double)fm->cal_h[i]);
				break;
			}
	}
	if (forecaster_start(f, s, 0) != 0)
		return forecaster_fail(f, PCS_ENOMEM, err);
	return f;
}

int
pcs_forecast_series(const pcs_series *s, const struct pcs_forecast_config *cfg,
                    struct pcs_forecast_result *out, pcs_error *err)
{
	pcs_forecaster *f = pcs_forecaster_new(s, cfg, err);
	int rc;

	memset(out, 0, sizeof *out);
	if (f == NULL)
		return err ? err->code : PCS_ENOMEM;
	rc = pcs_forecaster_predict(f, out, err);
	pcs_forecaster_free(f);
	return rc;
}
