/* forecast.c — model choice, split-conformal calibration and anomaly score
 * for one series (see pcs_forecast.h for the method). */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_anomaly.h"
#include "pcs_forecast.h"
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
#define ANOMALY_WINDOW_MAX 1000
#define ANOMALY_WINDOW_MIN 30

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
	if (*n == *cap) {
		size_t *nv = realloc(*v, (*cap = *cap ? *cap * 2 : 16) * sizeof *nv);
		if (nv == NULL)
			return -1;
		*v = nv;
	}
	(*v)[(*n)++] = h;
	return 0;
}

size_t
pcs_horizons_resolve(const pcs_horizon_spec *spec, int64_t step, size_t **steps)
{
	size_t n = 0, cap = 0, *v = NULL, out = 0;

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
	qsort(v, n, sizeof *v, cmp_size);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[i] != v[out - 1])
			v[out++] = v[i];
	*steps = v;
	return out;
nomem:
	free(v);
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
	int kind;
	pcs_model *m;
	double *z;          /* the series on the model's scale */
	double **err;       /* per horizon: h-step errors on the model's scale */
	double **weight;    /* per horizon: each error's recency weight */
	size_t *nerr;
	double score;       /* mean absolute error, averaged over horizons */
};

struct plan {
	size_t n, train_end, hmax;
	int daily, weekly;
};

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
	memset(c, 0, sizeof *c);
}

static size_t
fit_span(const struct plan *p, size_t avail)
{
	size_t longest = (size_t)(p->weekly ? p->weekly : p->daily ? p->daily : 1);
	size_t span = 6 * longest > FIT_MIN_SPAN ? 6 * longest : FIT_MIN_SPAN;

	return span < avail ? span : avail;
}

/* Fit on the training part, then walk through the calibration window and
 * collect h-step errors at each origin. */
static int
calibrate(struct candidate *c, const pcs_series *s, const struct plan *p,
          const struct pcs_forecast_config *cfg)
{
	size_t nh = cfg->nhorizons, from, stride, norigins;
	double *abs_sum = NULL, *path = NULL;
	size_t *abs_cnt = NULL;
	int rc = -1;

	c->m = pcs_model_new(c->kind, p->daily, p->daily ? p->weekly : 0);
	c->z = malloc(s->n * sizeof *c->z);
	c->err = calloc(nh ? nh : 1, sizeof *c->err);
	c->weight = calloc(nh ? nh : 1, sizeof *c->weight);
	c->nerr = calloc(nh ? nh : 1, sizeof *c->nerr);
	abs_sum = calloc(nh ? nh : 1, sizeof *abs_sum);
	abs_cnt = calloc(nh ? nh : 1, sizeof *abs_cnt);
	path = calloc(nh ? nh : 1, sizeof *path);
	if (!path || !c->m || !c->z || !c->err || !c->weight || !c->nerr || !abs_sum || !abs_cnt)
		goto out;
	for (size_t i = 0; i < s->n; i++)
		c->z[i] = isnan(s->y[i]) ? NAN : pcs_model_transform(c->m, s->y[i]);
	norigins = s->n - p->train_end;
	for (size_t j = 0; j < nh; j++)
		if ((c->err[j] = malloc((norigins ? norigins : 1) * sizeof **c->err)) == NULL ||
		    (c->weight[j] = malloc((norigins ? norigins : 1) * sizeof **c->weight)) == NULL)
			goto out;
	stride = (norigins * (nh ? nh : 1)) / MAX_CALIBRATION_WORK + 1;
	from = p->train_end - fit_span(p, p->train_end);
	if (pcs_model_fit(c->m, c->z + from, p->train_end - from) != 0)
		goto out;
	for (size_t t = from; t < s->n; t++) {
		pcs_model_update(c->m, c->z[t]);
		if (t + 1 < p->train_end || (t + 1 - p->train_end) % stride != 0)
			continue;
		pcs_model_forecast_path(c->m, cfg->horizons, nh, path);
		for (size_t j = 0; j < nh; j++) {
			size_t h = cfg->horizons[j];
			double f = path[j];
			if (t + h >= s->n)
				break;
			if (isnan(c->z[t + h]))
				continue;
			/* age: steps between this error's target and the latest one possible */
			c->weight[j][c->nerr[j]] = exp(-(double)(s->n - 1 - h - t) /
			                               (RECENCY * (double)norigins));
			c->err[j][c->nerr[j]++] = c->z[t + h] - f;
			abs_sum[j] += fabs(s->y[t + h] - pcs_model_untransform(c->m, f));
			abs_cnt[j]++;
		}
	}
	c->score = 0;
	{
		size_t used = 0;
		for (size_t j = 0; j < nh; j++)
			if (abs_cnt[j]) {
				c->score += abs_sum[j] / (double)abs_cnt[j];
				used++;
			}
		c->score = used ? c->score / (double)used : INFINITY;
	}
	if (!isfinite(c->score))
		c->score = INFINITY;
	rc = 0;
out:
	free(abs_sum);
	free(abs_cnt);
	free(path);
	return rc;
}

static void
make_plan(const pcs_series *s, const struct pcs_forecast_config *cfg, struct plan *p)
{
	size_t cal;

	memset(p, 0, sizeof *p);
	p->n = s->n;
	p->hmax = cfg->nhorizons ? cfg->horizons[cfg->nhorizons - 1] : 1;
	cal = s->n / 3;
	if (cal < p->hmax + 2 * PCS_MIN_CALIBRATION)
		cal = p->hmax + 2 * PCS_MIN_CALIBRATION;
	if (cal > s->n / 2)
		cal = s->n / 2;
	p->train_end = s->n - cal;
	pcs_seasonal_periods(s->step, &p->daily, &p->weekly);
	if (p->daily && p->train_end < 2 * (size_t)p->daily)
		p->daily = 0;
	if (p->weekly && p->train_end < 2 * (size_t)p->weekly)
		p->weekly = 0;
}

static int
all_positive(const pcs_series *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (!isnan(s->y[i]) && !(s->y[i] > 0))
			return 0;
	return 1;
}

/* Which models may be tried for this series. */
static size_t
candidate_kinds(const pcs_series *s, const struct plan *p, int want, int *kinds)
{
	size_t k = 0;
	int ets_ok = p->train_end >= (p->daily ? 2 * (size_t)p->daily : 8);
	int snaive_ok = p->daily > 0;

	if (want == PCS_MODEL_AUTO || want == PCS_MODEL_SNAIVE)
		kinds[k++] = snaive_ok ? PCS_MODEL_SNAIVE : PCS_MODEL_NAIVE;
	if ((want == PCS_MODEL_AUTO || want == PCS_MODEL_ETS) && ets_ok) {
		kinds[k++] = PCS_MODEL_ETS;
		if (want == PCS_MODEL_AUTO && all_positive(s))
			kinds[k++] = PCS_MODEL_ETS_MUL;
	}
	if (want == PCS_MODEL_ETS && !ets_ok)
		kinds[k++] = snaive_ok ? PCS_MODEL_SNAIVE : PCS_MODEL_NAIVE;
	return k;
}

/* Choose among the candidates by calibration error; leaves the winner in
 * best (the others freed).  Returns 0 or -1 on no memory. */
static int
choose(const pcs_series *s, const struct pcs_forecast_config *cfg, const struct plan *p,
       struct candidate *best)
{
	int kinds[3];
	size_t nk = candidate_kinds(s, p, cfg->model, kinds);

	memset(best, 0, sizeof *best);
	for (size_t i = 0; i < nk; i++) {
		struct candidate c = { .kind = kinds[i] };
		if (calibrate(&c, s, p, cfg) != 0) {
			candidate_free(&c, cfg->nhorizons);
			candidate_free(best, cfg->nhorizons);
			return -1;
		}
		if (best->m == NULL || c.score < best->score) {
			candidate_free(best, cfg->nhorizons);
			*best = c;
		} else {
			candidate_free(&c, cfg->nhorizons);
		}
	}
	for (size_t j = 0; j < cfg->nhorizons; j++)
		pcs_sort_pairs(best->err[j], best->weight[j], best->nerr[j]);
	return 0;
}

/* Refit the winner on the most recent history and run it to the end;
 * returns the first index run, and fills resid (working scale) if given. */
static size_t
final_run(struct candidate *c, const pcs_series *s, const struct plan *p, size_t from,
          double *resid, double *expected)
{
	struct plan all = *p;
	size_t start;

	all.train_end = s->n;
	start = s->n - fit_span(&all, s->n);
	if (from < start)
		start = from;
	pcs_model_fit(c->m, c->z + (s->n - fit_span(&all, s->n)), fit_span(&all, s->n));
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

/* Robust score of resid[t] against the residuals before it. */
static double
score_at(const double *resid, size_t first, size_t t, size_t window, double *scratch)
{
	size_t k = 0;
	double center, scale;

	for (size_t i = t; i > first && k < window; i--)
		if (!isnan(resid[i - 1]))
			scratch[k++] = resid[i - 1];
	if (k < ANOMALY_WINDOW_MIN || isnan(resid[t]))
		return isnan(resid[t]) ? NAN : 0;
	pcs_robust_scale(scratch, k, &center, &scale);
	return pcs_anomaly_score(resid[t], center, scale);
}

static size_t
anomaly_window(const struct plan *p)
{
	size_t w = p->daily ? (size_t)p->daily : 288;

	return w > ANOMALY_WINDOW_MAX ? ANOMALY_WINDOW_MAX : w < ANOMALY_WINDOW_MIN ?
	       ANOMALY_WINDOW_MIN : w;
}

static double
diff_spread(const double *z, size_t n)
{
	double s = 0, s2 = 0, prev = NAN;
	size_t c = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isnan(z[i]) && !isnan(prev)) {
			double d = z[i] - prev;
			s += d;
			s2 += d * d;
			c++;
		}
		if (!isnan(z[i]))
			prev = z[i];
	}
	if (c < 2)
		return 0;
	return sqrt(fmax(0, (s2 - s * s / (double)c) / (double)(c - 1)));
}

/* Quantiles and mean of horizon j from the calibration errors. */
static void
predictive(const struct candidate *c, const struct pcs_forecast_config *cfg, size_t j,
           double point, double rw_sd, double *mean, double *q)
{
	size_t h = cfg->horizons[j], jj = j, ne;
	const double *e;
	double scale = 1;

	while (c->nerr[jj] < PCS_MIN_CALIBRATION && jj > 0)
		jj--;
	if (c->nerr[jj] < PCS_MIN_CALIBRATION) {
		/* no calibration at all: a Gaussian random walk */
		double sd = rw_sd * sqrt((double)h);
		for (size_t k = 0; k < cfg->nlevels; k++)
			q[k] = pcs_model_untransform(c->m, point + sd * gsl_cdf_ugaussian_Pinv(cfg->levels[k]));
		goto done;
	}
	if (jj != j)
		scale = sqrt((double)h / (double)cfg->horizons[jj]);
	e = c->err[jj];
	ne = c->nerr[jj];
	for (size_t k = 0; k < cfg->nlevels; k++)
		q[k] = pcs_model_untransform(c->m, point + scale *
		       pcs_quantile_weighted(e, c->weight[jj], ne, cfg->levels[k]));
done:
	/* The point forecast, not shifted by the mean calibration error: on the
	 * M4 Hourly dev half that shift made auto worse (sMAPE 11.62 against
	 * 11.28, MASE 0.943 against 0.917), and it would move snaive off the
	 * textbook baseline. */
	*mean = pcs_model_untransform(c->m, point);
	pcs_quantiles_monotone(q, cfg->nlevels, 0);
	if (!(*mean >= 0))
		*mean = 0;
}

struct pcs_forecaster {
	struct pcs_forecast_config cfg;   /* with its own copies of the arrays */
	size_t *horizons;
	double *levels;
	struct candidate c;
	double rw_sd;
	double *ring;              /* the last `window` one-step residuals */
	size_t window, nring, next;
	double score;              /* of the latest observation */
	double *scratch;
};

void
pcs_forecaster_free(pcs_forecaster *f)
{
	if (f == NULL)
		return;
	candidate_free(&f->c, f->cfg.nhorizons);
	free(f->horizons);
	free(f->levels);
	free(f->ring);
	free(f->scratch);
	free(f);
}

/* The robust score of r against the residuals in the ring. */
static double
ring_score(pcs_forecaster *f, double r)
{
	double center, scale;

	if (isnan(r))
		return 0;
	if (f->nring < ANOMALY_WINDOW_MIN)
		return 0;
	memcpy(f->scratch, f->ring, f->nring * sizeof *f->ring);
	pcs_robust_scale(f->scratch, f->nring, &center, &scale);
	return pcs_anomaly_score(r, center, scale);
}

static void
ring_push(pcs_forecaster *f, double r)
{
	if (isnan(r))
		return;
	f->ring[f->next] = r;
	f->next = (f->next + 1) % f->window;
	if (f->nring < f->window)
		f->nring++;
}

pcs_forecaster *
pcs_forecaster_new(const pcs_series *s, const struct pcs_forecast_config *cfg, pcs_error *err)
{
	pcs_forecaster *f = calloc(1, sizeof *f);
	struct plan p;
	double *resid = NULL;
	size_t start;

	if (f == NULL)
		goto nomem;
	f->cfg = *cfg;
	f->horizons = malloc((cfg->nhorizons + 1) * sizeof *f->horizons);
	f->levels = malloc((cfg->nlevels + 1) * sizeof *f->levels);
	if (f->horizons == NULL || f->levels == NULL)
		goto nomem;
	memcpy(f->horizons, cfg->horizons, cfg->nhorizons * sizeof *f->horizons);
	memcpy(f->levels, cfg->levels, cfg->nlevels * sizeof *f->levels);
	f->cfg.horizons = f->horizons;
	f->cfg.levels = f->levels;
	make_plan(s, &f->cfg, &p);
	if (choose(s, &f->cfg, &p, &f->c) != 0)
		goto nomem;
	f->window = anomaly_window(&p);
	f->ring = malloc(f->window * sizeof *f->ring);
	f->scratch = malloc(f->window * sizeof *f->scratch);
	resid = malloc(s->n * sizeof *resid);
	if (f->ring == NULL || f->scratch == NULL || resid == NULL)
		goto nomem;
	start = final_run(&f->c, s, &p, s->n > f->window + 1 ? s->n - f->window - 1 : 0, resid, NULL);
	/* the residuals before the latest fill the ring; the latest is scored */
	for (size_t t = start; t + 1 < s->n; t++)
		ring_push(f, resid[t]);
	f->score = ring_score(f, resid[s->n - 1]);
	ring_push(f, resid[s->n - 1]);
	f->rw_sd = diff_spread(f->c.z, s->n);
	free(resid);
	return f;
nomem:
	free(resid);
	pcs_forecaster_free(f);
	pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	return NULL;
}

int
pcs_forecaster_model(const pcs_forecaster *f)
{
	return f->c.kind;
}

double
pcs_forecaster_observe(pcs_forecaster *f, double y)
{
	double z = isnan(y) ? NAN : pcs_model_transform(f->c.m, y);
	double r = isnan(z) ? NAN : z - pcs_model_forecast(f->c.m, 1);

	pcs_model_update(f->c.m, z);
	f->score = ring_score(f, r);
	ring_push(f, r);
	return f->score;
}

int
pcs_forecaster_predict(pcs_forecaster *f, struct pcs_forecast_result *out, pcs_error *err)
{
	size_t nh = f->cfg.nhorizons;

	memset(out, 0, sizeof *out);
	out->mean = calloc(nh ? nh : 1, sizeof *out->mean);
	out->quantiles = calloc(nh * f->cfg.nlevels + 1, sizeof *out->quantiles);
	if (out->mean == NULL || out->quantiles == NULL) {
		pcs_forecast_result_free(out);
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	}
	out->model = f->c.kind;
	out->anomaly_score = f->score;
	for (size_t j = 0; j < nh; j++)
		predictive(&f->c, &f->cfg, j, pcs_model_forecast(f->c.m, f->cfg.horizons[j]), f->rw_sd,
		           &out->mean[j], out->quantiles + j * f->cfg.nlevels);
	return 0;
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

int
pcs_score_series(const pcs_series *s, const struct pcs_forecast_config *cfg,
                 double *expected, double *score, int *model, pcs_error *err)
{
	struct plan p;
	struct candidate c;
	double *resid, *scratch;
	size_t w;

	make_plan(s, cfg, &p);
	if (choose(s, cfg, &p, &c) != 0)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	*model = c.kind;
	w = anomaly_window(&p);
	resid = malloc(s->n * sizeof *resid);
	scratch = malloc(w * sizeof *scratch);
	if (resid == NULL || scratch == NULL) {
		free(resid);
		free(scratch);
		candidate_free(&c, cfg->nhorizons);
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	}
	final_run(&c, s, &p, 0, resid, expected);
	for (size_t t = 0; t < s->n; t++) {
		score[t] = score_at(resid, 0, t, w, scratch);
		if (isnan(s->y[t]))
			expected[t] = NAN;
	}
	candidate_free(&c, cfg->nhorizons);
	free(resid);
	free(scratch);
	return 0;
}
