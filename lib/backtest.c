/* backtest.c — rolling-origin backtests (see pcs_backtest.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_backtest.h"

const char *const pcs_loss_names[PCS_NLOSSES] = { "mase", "smape", "pinball", "msis", "coverage" };

int
pcs_central_interval(const double *levels, size_t n, size_t *lo, size_t *hi)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = n; j-- > i + 1;)
			if (fabs(levels[i] + levels[j] - 1) < 1e-9 && levels[i] < 0.5) {
				*lo = i;
				*hi = j;
				return 0;
			}
	return -1;
}

double
pcs_mase_scale(const double *y, size_t n, size_t m)
{
	double sum = 0, level = 0;
	size_t c = 0, cl = 0;

	if (m < 1 || n < 2 * m)
		m = 1;
	for (size_t i = m; i < n; i++)
		if (!isnan(y[i]) && !isnan(y[i - m])) {
			sum += fabs(y[i] - y[i - m]);
			c++;
		}
	if (c && sum > 0)
		return sum / (double)c;
	for (size_t i = 0; i < n; i++)
		if (!isnan(y[i])) {
			level += fabs(y[i]);
			cl++;
		}
	return cl && level > 0 ? level / (double)cl : 1;
}

/* The least history an origin needs: a training part and a calibration
 * window that holds the longest horizon and PCS_MIN_CALIBRATION errors
 * twice over. */
static size_t
min_prefix(size_t hmax)
{
	return 2 * (hmax + 2 * PCS_MIN_CALIBRATION) + 8;
}

/* The least history before an origin for the forecaster to keep the
 * cycles it keeps on the whole of s (so that a configuration is scored with
 * the cycles it will be served with); 0 when s keeps none. */
static size_t
cycles_prefix(const pcs_series *s, size_t hmax)
{
	int daily, weekly;
	size_t longest = 0, train = pcs_forecast_train_end(s->n, hmax), n;

	pcs_seasonal_periods(s->step, &daily, &weekly);
	if (daily && train >= 2 * (size_t)daily)
		longest = (size_t)daily;
	if (longest && weekly && train >= 2 * (size_t)weekly)
		longest = (size_t)weekly;
	if (longest == 0)
		return 0;
	for (n = 2 * longest; pcs_forecast_train_end(n, hmax) < 2 * longest; n++)
		;
	return n;
}

int
pcs_backtest_layout(const pcs_series *s, const struct pcs_backtest_spec *spec,
                    struct pcs_backtest_layout *out, pcs_error *err)
{
	size_t hmax = spec->nh ? spec->horizons[spec->nh - 1] : 1, need = min_prefix(hmax);
	size_t every = spec->every ? spec->every : (hmax + 3) / 4, last, earliest, fit, cyc;
	int daily, weekly;

	memset(out, 0, sizeof *out);
	if (s->n < need + hmax)
		return pcs_error_set(err, PCS_EDATA, 0, NULL,
		                     "history too short for any backtest origin: %zu samples, "
		                     "need at least %zu for horizons up to %zu steps",
		                     s->n, need + hmax, hmax);
	last = s->n - 1 - hmax;
	earliest = need - 1;
	/* by default the origins span the last third, as the calibration
	 * window of pcs-forecast's own choice does */
	if (spec->origins == 0 && 2 * s->n / 3 > need)
		earliest = 2 * s->n / 3 - 1;
	if ((cyc = cycles_prefix(s, hmax)) > earliest + 1 && cyc - 1 <= last)
		earliest = cyc - 1;
	fit = (last - earliest) / every + 1;
	if (spec->origins)
		out->norigins = spec->origins < fit ? spec->origins : fit;
	else
		out->norigins = fit < PCS_BACKTEST_MAX_ORIGINS ? fit : PCS_BACKTEST_MAX_ORIGINS;
	out->every = every;
	out->first = last - (out->norigins - 1) * every;
	pcs_seasonal_periods(s->step, &daily, &weekly);
	out->scale = pcs_mase_scale(s->y, out->first + 1, (size_t)(daily ? daily : 1));
	return 0;
}

void
pcs_backtest_run_free(struct pcs_backtest_run *r)
{
	for (int k = 0; k < PCS_NLOSSES; k++)
		free(r->loss[k]);
	memset(r, 0, sizeof *r);
}

static double
pinball(double y, double q, double level)
{
	return y >= q ? (y - q) * level : (q - y) * (1 - level);
}

void
pcs_loss_levels_init(struct pcs_loss_levels *L, const double *levels, size_t nl)
{
	L->levels = levels;
	L->nl = nl;
	L->lo = L->hi = 0;
	L->interval = pcs_central_interval(levels, nl, &L->lo, &L->hi) == 0;
}

void
pcs_forecast_losses(double y, double mean, const double *q, const struct pcs_loss_levels *L,
                    double scale, double *loss)
{
	double pb = 0;

	loss[PCS_LOSS_MASE] = fabs(y - mean) / scale;
	loss[PCS_LOSS_SMAPE] = fabs(y) + fabs(mean) > 0 ?
	                       200 * fabs(y - mean) / (fabs(y) + fabs(mean)) : 0;
	for (size_t k = 0; k < L->nl; k++)
		pb += pinball(y, q[k], L->levels[k]);
	loss[PCS_LOSS_PINBALL] = L->nl ? pb / (double)L->nl / scale : NAN;
	if (L->interval) {
		double a = 1 - (L->levels[L->hi] - L->levels[L->lo]), l = q[L->lo], u = q[L->hi];
		loss[PCS_LOSS_MSIS] = ((u - l) + (2 / a) * fmax(0, l - y) + (2 / a) * fmax(0, y - u)) /
		                      scale;
		loss[PCS_LOSS_COVERED] = y >= l && y <= u;
	} else {
		loss[PCS_LOSS_MSIS] = loss[PCS_LOSS_COVERED] = NAN;
	}
}

/* Score one forecast (mean and quantiles of every horizon) made at origin
 * t into row o of r. */
static void
score_origin(const pcs_series *s, const struct pcs_backtest_spec *spec,
             const struct pcs_backtest_layout *lay, size_t t, size_t o,
             const struct pcs_forecast_result *fc, struct pcs_backtest_run *r)
{
	struct pcs_loss_levels L;

	pcs_loss_levels_init(&L, spec->levels, spec->nl);
	for (size_t j = 0; j < spec->nh; j++) {
		size_t cell = o * spec->nh + j, tt = t + spec->horizons[j];
		double y = tt < s->n ? s->y[tt] : NAN, loss[PCS_NLOSSES];
		if (isnan(y))
			for (int k = 0; k < PCS_NLOSSES; k++)
				loss[k] = NAN;
		else
			pcs_forecast_losses(y, fc->mean[j], fc->quantiles + j * spec->nl, &L, lay->scale,
			                    loss);
		for (int k = 0; k < PCS_NLOSSES; k++)
			r->loss[k][cell] = loss[k];
	}
}

static double
mean_of(const double *v, size_t n, size_t *count)
{
	double sum = 0;
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i])) {
			sum += v[i];
			c++;
		}
	if (count)
		*count = c;
	return c ? sum / (double)c : NAN;
}

static void
summarize(struct pcs_backtest_run *r, size_t cells)
{
	r->scores.mase = mean_of(r->loss[PCS_LOSS_MASE], cells, &r->scores.n);
	r->scores.smape = mean_of(r->loss[PCS_LOSS_SMAPE], cells, NULL);
	r->scores.pinball = mean_of(r->loss[PCS_LOSS_PINBALL], cells, NULL);
	r->scores.msis = mean_of(r->loss[PCS_LOSS_MSIS], cells, NULL);
	r->scores.coverage = mean_of(r->loss[PCS_LOSS_COVERED], cells, NULL);
}

static int
same_cycles(const struct pcs_fconfig *fc, const pcs_series *s, size_t prefix,
            const struct pcs_backtest_spec *spec)
{
	size_t hmax = spec->nh ? spec->horizons[spec->nh - 1] : 1;
	struct pcs_model_spec a, b;

	if (pcs_fconfig_spec(fc, s->step, pcs_forecast_train_end(prefix, hmax), &a) != 0 ||
	    pcs_fconfig_spec(fc, s->step, pcs_forecast_train_end(s->n, hmax), &b) != 0)
		return 0;
	return a.kind == b.kind && a.period1 == b.period1 && a.period2 == b.period2;
}

static int
same_point_config(const struct pcs_fconfig *a, const struct pcs_fconfig *b)
{
	return a->kind == b->kind && a->seasons == b->seasons && a->trend == b->trend &&
	       a->transform == b->transform && a->window == b->window;
}

int
pcs_backtest(const pcs_series *s, const struct pcs_backtest_spec *spec,
             const struct pcs_backtest_layout *lay, const struct pcs_fconfig *fc, size_t nfc,
             struct pcs_backtest_run *out, pcs_error *err)
{
	size_t cells = lay->norigins * spec->nh;
	pcs_series prefix = *s;
	int *done = calloc(nfc ? nfc : 1, sizeof *done);

	if (done == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	memset(out, 0, nfc * sizeof *out);
	prefix.n = lay->first + 1;
	for (size_t i = 0; i < nfc; i++) {
		struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, spec->horizons, spec->nh, spec->levels,
		                                   spec->nl, &fc[i], 1, NULL, NULL };
		pcs_forecaster *f;
		pcs_error ferr;

		if (done[i])
			continue;
		/* a configuration is scored only as it will be served: a log
		 * or Box-Cox one needs the later samples positive too, and the cycles
		 * modelled at the first origin must be those of the final fit */
		if ((fc[i].transform != PCS_TRANSFORM_NONE && !pcs_series_positive(s)) ||
		    !same_cycles(&fc[i], s, lay->first + 1, spec)) {
			done[i] = 1;
			continue;
		}
		/* the configurations that share this one's point forecasts */
		for (size_t k = i; k < nfc; k++)
			if (!done[k] && same_point_config(&fc[i], &fc[k])) {
				done[k] = 1;
				for (int l = 0; l < PCS_NLOSSES; l++)
					if ((out[k].loss[l] = malloc((cells + 1) * sizeof(double))) == NULL)
						goto nomem;
			}
		if ((f = pcs_forecaster_new(&prefix, &cfg, &ferr)) == NULL) {
			if (ferr.code == PCS_ENOMEM)
				goto nomem;
			continue;   /* the history cannot hold it: out[k].valid stays 0 */
		}
		for (size_t o = 0, t = lay->first; o < lay->norigins; o++) {
			for (; t < lay->first + o * lay->every; t++)
				pcs_forecaster_observe(f, s->y[t + 1]);
			for (size_t k = i; k < nfc; k++) {
				struct pcs_forecast_result r;
				if (!same_point_config(&fc[i], &fc[k]) || out[k].loss[0] == NULL)
					continue;
				pcs_forecaster_set_qmethod(f, fc[k].qmethod);
				if (pcs_forecaster_predict(f, &r, err) != 0) {
					pcs_forecaster_free(f);
					goto fail;
				}
				score_origin(s, spec, lay, t, o, &r, &out[k]);
				pcs_forecast_result_free(&r);
			}
		}
		pcs_forecaster_free(f);
		for (size_t k = i; k < nfc; k++)
			if (same_point_config(&fc[i], &fc[k]) && out[k].loss[0]) {
				out[k].valid = 1;
				summarize(&out[k], cells);
				out[k].scores.scale = lay->scale;
			}
	}
	free(done);
	return 0;
nomem:
	pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
fail:
	for (size_t k = 0; k < nfc; k++)
		pcs_backtest_run_free(&out[k]);
	free(done);
	return err ? err->code : PCS_ENOMEM;
}
