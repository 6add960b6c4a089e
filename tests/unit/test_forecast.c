/* Unit tests: models, horizons, and the forecast engine's guarantees. */
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

/* A small deterministic generator (xorshift64*) and Box-Muller normals. */
static uint64_t rng = 88172645463325252ULL;

static double
uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static double
normal(void)
{
	double u = uniform(), v = uniform();

	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

static pcs_series
make_series(size_t n, int64_t step, double level, double amp, double noise)
{
	pcs_series s = { 0, step, n, malloc(n * sizeof(double)), n, 0 };

	for (size_t i = 0; i < n; i++)
		s.y[i] = level + amp * sin(2 * M_PI * (double)(i % (86400 / step)) /
		                           (double)(86400 / step)) + noise * normal();
	return s;
}

int
main(void)
{
	pcs_horizon_spec hs;
	size_t *h, nh;
	pcs_error err;

	ok(pcs_horizons_parse("5m,15m,30m", &hs, &err) == 0, "default horizons parse");
	nh = pcs_horizons_resolve(&hs, 300, &h, &err);
	ok(nh == 3 && h[0] == 1 && h[1] == 3 && h[2] == 6, "5m,15m,30m at a 5-minute step");
	free(h);
	nh = pcs_horizons_resolve(&hs, 3600, &h, &err);
	ok(nh == 1 && h[0] == 1, "rounded up to one step, repeats dropped");
	free(h);
	pcs_horizons_free(&hs);
	ok(pcs_horizons_parse("1h..48h", &hs, &err) == 0, "range parses");
	nh = pcs_horizons_resolve(&hs, 3600, &h, &err);
	ok(nh == 48 && h[0] == 1 && h[47] == 48, "1h..48h hourly: 48 horizons");
	free(h);
	nh = pcs_horizons_resolve(&hs, 1800, &h, &err);
	ok(nh == 95 && h[0] == 2 && h[94] == 96, "1h..48h half-hourly: every step in range");
	free(h);
	pcs_horizons_free(&hs);
	ok(pcs_horizons_parse("1h..1d/1h", &hs, &err) == 0, "range with a stride parses");
	nh = pcs_horizons_resolve(&hs, 300, &h, &err);
	ok(nh == 24 && h[0] == 12 && h[1] == 24 && h[23] == 288, "1h..1d/1h at 5 minutes: hourly");
	free(h);
	pcs_horizons_free(&hs);
	ok(pcs_horizons_parse("5m..10w", &hs, &err) == 0, "ten weeks parse");
	nh = pcs_horizons_resolve(&hs, 300, &h, &err);
	ok(nh == PCS_MAX_HORIZONS && h[nh - 1] == 20160, "5m..10w at 5 minutes: the most horizons allowed");
	free(h);
	nh = pcs_horizons_resolve(&hs, 60, &h, &err);
	ok(nh == 0 && h == NULL && err.code == PCS_EUSAGE, "5m..10w at 1 minute: too many, a usage error");
	pcs_horizons_free(&hs);
	ok(pcs_horizons_parse("1s..5000w/1s,1h", &hs, &err) == 0 &&
	   pcs_horizons_resolve(&hs, 1, &h, &err) == 0 && err.code == PCS_EUSAGE,
	   "3 billion horizons are refused before any is made");
	pcs_horizons_free(&hs);
	ok(pcs_horizons_parse("5m..20m/7m", &hs, &err) == 0, "odd stride parses");
	nh = pcs_horizons_resolve(&hs, 300, &h, &err);
	ok(nh == 3 && h[0] == 1 && h[1] == 3 && h[2] == 4,
	   "5m..20m/7m: 5, 12, 19 minutes, each rounded up to steps");
	free(h);
	pcs_horizons_free(&hs);
	ok(pcs_horizons_parse("5m,,10m", &hs, &err) == PCS_EUSAGE &&
	   pcs_horizons_parse("5m,", &hs, &err) == PCS_EUSAGE, "empty items rejected");
	ok(pcs_horizons_parse("2h..1h", &hs, &err) == PCS_EUSAGE, "reversed range rejected");
	ok(pcs_horizons_parse("1h..2h/x", &hs, &err) == PCS_EUSAGE, "bad stride rejected");
	ok(pcs_horizons_parse("5m,x", &hs, &err) == PCS_EUSAGE, "bad duration rejected");

	{
		pcs_model *m = pcs_model_new(PCS_MODEL_SNAIVE, 4, 0);
		double y[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		pcs_model_reset(m, y, 10);
		for (int i = 0; i < 10; i++)
			pcs_model_update(m, y[i]);
		ok(pcs_model_forecast(m, 1) == 7 && pcs_model_forecast(m, 4) == 10 &&
		   pcs_model_forecast(m, 5) == 7, "seasonal naive repeats the last season");
		pcs_model_free(m);
	}
	{
		/* a noise-free daily cycle: ets must learn it almost exactly */
		pcs_series s = make_series(24 * 21, 3600, 100, 30, 0);
		pcs_model *m = pcs_model_new(PCS_MODEL_ETS, 24, 168);
		/* 2400 and 3e6 jump past the path's stepwise walk (a boot of years
		 * forecast millions of steps one by one and hung pcs-replay) */
		size_t hh[7] = { 1, 2, 7, 24, 48, 2400, 3000000 };
		double path[7], worst = 0, diff = 0;
		pcs_model_fit(m, s.y, s.n);
		for (size_t i = 0; i < s.n; i++)
			pcs_model_update(m, s.y[i]);
		pcs_model_forecast_path(m, hh, 7, path);
		for (int j = 0; j < 7; j++) {
			double want = 100 + 30 * sin(2 * M_PI * (double)((s.n + hh[j] - 1) % 24) / 24);
			worst = fmax(worst, fabs(pcs_model_forecast(m, hh[j]) - want));
			diff = fmax(diff, fabs(path[j] - pcs_model_forecast(m, hh[j])));
		}
		ok(worst < 0.5, "ets learns a clean daily cycle (worst error %.3g)", worst);
		ok(diff < 1e-9, "forecast_path equals forecast");
		pcs_model_free(m);
		pcs_series_free(&s);
	}
	{
		/* constant series: degenerate but exact; anomaly 0 */
		pcs_series s = make_series(24 * 10, 3600, 42, 0, 0);
		size_t hh[2] = { 1, 12 };
		double lv[3] = { 0.05, 0.5, 0.95 };
		struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, hh, 2, lv, 3, NULL, 0, NULL, NULL };
		struct pcs_forecast_result r;
		ok(pcs_forecast_series(&s, &cfg, &r, &err) == 0, "constant series forecast");
		ok(fabs(r.quantiles[0] - 42) < 1e-6 && fabs(r.quantiles[5] - 42) < 1e-6 &&
		   fabs(r.mean[1] - 42) < 1e-6 && r.anomaly_score == 0, "constant in, constant out");
		pcs_forecast_result_free(&r);
		/* a jump at the end is an anomaly */
		s.y[s.n - 1] = 80;
		pcs_forecast_series(&s, &cfg, &r, &err);
		ok(r.anomaly_score >= PCS_DET_ALARM_SCORE && r.anomaly_score < 1, "a jump after a constant past is an alarm (%.6f)", r.anomaly_score);
		pcs_forecast_result_free(&r);
		pcs_series_free(&s);
	}
	{
		/* calibration: over many noisy series, the 5%-95% interval of the
		 * next values must cover about 90% of them.  Conformal intervals
		 * cover at least their level and at most about 1/(n+1) more; auto
		 * calibrates on every other origin (pcs_forecast.h), with fewer
		 * errors, hence an upper bound above 95% */
		size_t hh[3] = { 1, 3, 6 }, inside = 0, total = 0, negative = 0, crossed = 0;
		double lv[2] = { 0.05, 0.95 };
		struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, hh, 3, lv, 2, NULL, 0, NULL, NULL };
		for (int k = 0; k < 200; k++) {
			pcs_series full = make_series(288 * 5 + 6, 300, 20, 10, 4), s = full;
			struct pcs_forecast_result r;
			s.n -= 6;
			for (size_t i = 0; i < full.n; i++)
				full.y[i] = fmax(0, full.y[i]);
			pcs_forecast_series(&s, &cfg, &r, &err);
			for (int j = 0; j < 3; j++) {
				double y = full.y[s.n + hh[j] - 1], lo = r.quantiles[j * 2], hi = r.quantiles[j * 2 + 1];
				inside += lo <= y && y <= hi;
				total++;
				negative += lo < 0;
				crossed += hi < lo;
			}
			pcs_forecast_result_free(&r);
			pcs_series_free(&full);
		}
		ok(inside >= 0.85 * total && inside <= 0.96 * total,
		   "90%% intervals cover %.1f%% of 600 outcomes", 100.0 * inside / total);
		ok(negative == 0 && crossed == 0, "no negative and no crossed quantiles");
	}
	{
		/* the online forecaster: fit once, then observe and predict */
		pcs_series full = make_series(24 * 21 + 30, 3600, 100, 30, 1), s = full;
		size_t hh[2] = { 1, 6 };
		double lv[2] = { 0.05, 0.95 };
		struct pcs_forecast_config cfg = { PCS_MODEL_ETS, hh, 2, lv, 2, NULL, 0, NULL, NULL };
		struct pcs_forecast_result a, b;
		pcs_forecaster *f;
		double worst = 0, jump;

		s.n -= 30;
		pcs_forecast_series(&s, &cfg, &a, &err);
		f = pcs_forecaster_new(&s, &cfg, &err);
		pcs_forecaster_predict(f, &b, &err);
		ok(f && a.mean[1] == b.mean[1] && a.quantiles[3] == b.quantiles[3] &&
		   a.anomaly_score == b.anomaly_score, "a fresh forecaster predicts as pcs_forecast_series");
		pcs_forecast_result_free(&a);
		pcs_forecast_result_free(&b);
		for (size_t t = s.n; t < s.n + 24; t++) {
			pcs_forecaster_predict(f, &b, &err);
			worst = fmax(worst, fabs(b.mean[0] - full.y[t]));
			pcs_forecast_result_free(&b);
			pcs_forecaster_observe(f, full.y[t]);
		}
		ok(worst < 5, "fed step by step for a day, its one-step forecasts stay within the noise (worst %.2f)", worst);
		ok(pcs_forecaster_observe(f, NAN) == 0, "a gap scores 0 and moves the state on");
		jump = pcs_forecaster_observe(f, 400);
		ok(jump > 0.999, "a jump to four times the level is an anomaly (%.6f)", jump);
		pcs_forecaster_predict(f, &b, &err);
		ok(b.anomaly_score == jump && b.model == PCS_MODEL_ETS, "predict carries the latest score");
		pcs_forecast_result_free(&b);
		pcs_forecaster_free(f);
		pcs_series_free(&full);
	}
	{
		/* short histories degrade to simpler models instead of failing */
		double y[3] = { 5, 6, 7 };
		pcs_series s = { 0, 3600, 3, y, 3, 0 };
		size_t hh[1] = { 2 };
		double lv[1] = { 0.9 };
		struct pcs_forecast_config cfg = { PCS_MODEL_ETS, hh, 1, lv, 1, NULL, 0, NULL, NULL };
		struct pcs_forecast_result r;
		ok(pcs_forecast_series(&s, &cfg, &r, &err) == 0 && r.model == PCS_MODEL_NAIVE &&
		   r.quantiles[0] >= 7, "three points: naive, with a widening interval");
		pcs_forecast_result_free(&r);
		s.n = 1;
		ok(pcs_forecast_series(&s, &cfg, &r, &err) == 0 && r.mean[0] == 5,
		   "one point: its value");
		pcs_forecast_result_free(&r);
	}
	{
		/* a fitted model exported and read back forecasts exactly as the fit,
		 * for every kind of configuration */
		struct pcs_fconfig fcs[7] = {
			{ PCS_MODEL_ETS, PCS_SEASONS_AUTO, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE, PCS_QM_CONFORMAL, 0 },
			{ PCS_MODEL_ETS, PCS_SEASONS_DAILY, PCS_TREND_LINEAR, PCS_TRANSFORM_LOG, PCS_QM_FLAT, 0 },
			{ PCS_MODEL_ETS, PCS_SEASONS_BOTH, PCS_TREND_NONE, PCS_TRANSFORM_NONE, PCS_QM_NORMAL, 500 },
			{ PCS_MODEL_SNAIVE, PCS_SEASONS_WEEKLY, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE, PCS_QM_CONFORMAL, 0 },
			{ PCS_MODEL_SNAIVE, PCS_SEASONS_NONE, PCS_TREND_DAMPED, PCS_TRANSFORM_LOG, PCS_QM_FLAT, 0 },
			{ PCS_MODEL_ETS, PCS_SEASONS_NONE, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE, PCS_QM_CONFORMAL, 0 },
			{ PCS_MODEL_ETS, PCS_SEASONS_AUTO, PCS_TREND_DAMPED, PCS_TRANSFORM_BOXCOX, PCS_QM_CONFORMAL, 0 },
		};
		size_t hh[3] = { 1, 6, 24 }, hh2[2] = { 4, 48 };
		double lv[3] = { 0.05, 0.5, 0.95 }, lv2[1] = { 0.95 };
		pcs_series s = make_series(24 * 7 * 3, 3600, 200, 50, 5);
		for (int k = 0; k < 7; k++) {
			struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, hh, 3, lv, 3, &fcs[k], 0, NULL, NULL };
			struct pcs_forecast_config cfg2 = { PCS_MODEL_AUTO, hh2, 2, lv2, 1, NULL, 0, NULL, NULL };
			struct pcs_forecast_result a, b;
			struct pcs_fitted fm;
			pcs_forecaster *f = pcs_forecaster_new(&s, &cfg, &err), *g;
			char name[96];
			int same = 1;
			pcs_fconfig_format(&fcs[k], name, sizeof name);
			ok(f != NULL && pcs_forecaster_export(f, &fm, &err) == 0 && fm.ncal == 3,
			   "%s: fitted and exported", name);
			fm.step = s.step;
			g = pcs_forecaster_from_fitted(&s, &fm, &cfg, &err);
			pcs_forecaster_predict(f, &a, &err);
			pcs_forecaster_predict(g, &b, &err);
			for (int j = 0; j < 3; j++) {
				same &= a.mean[j] == b.mean[j];
				for (int q = 0; q < 3; q++)
					same &= a.quantiles[j * 3 + q] == b.quantiles[j * 3 + q];
			}
			ok(same && a.model == b.model, "%s: read back, the same forecasts to the bit", name);
			ok(pcs_forecaster_observe(f, 230) == pcs_forecaster_observe(g, 230),
			   "%s: and the same anomaly score after a new observation", name);
			pcs_forecast_result_free(&a);
			pcs_forecast_result_free(&b);
			pcs_forecaster_free(g);
			/* horizons the model was not calibrated for borrow the nearest
			 * shorter one's errors, scaled by sqrt(h/h') */
			g = pcs_forecaster_from_fitted(&s, &fm, &cfg2, &err);
			pcs_forecaster_predict(g, &b, &err);
			ok(b.quantiles[0] > b.mean[0] && b.quantiles[1] > b.mean[1],
			   "%s: uncalibrated horizons still get an upper quantile", name);
			pcs_forecast_result_free(&b);
			pcs_forecaster_free(g);
			pcs_forecaster_free(f);
			pcs_fitted_free(&fm);
		}
		pcs_series_free(&s);
	}
	{
		/* the sketch: exact at its levels, sqrt(h/h') for a longer horizon */
		size_t hh[1] = { 1 }, hh4[1] = { 4 };
		double lv[2] = { 0.5, 0.975 };
		struct pcs_fconfig fc = { PCS_MODEL_SNAIVE, PCS_SEASONS_NONE, PCS_TREND_DAMPED,
		                          PCS_TRANSFORM_NONE, PCS_QM_FLAT, 0 };
		struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, hh, 1, lv, 2, &fc, 0, NULL, NULL };
		struct pcs_forecast_config cfg4 = { PCS_MODEL_AUTO, hh4, 1, lv, 2, NULL, 0, NULL, NULL };
		pcs_series s = make_series(300, 3600, 100, 0, 3);
		pcs_forecaster *f = pcs_forecaster_new(&s, &cfg, &err), *g;
		struct pcs_forecast_result a, b;
		struct pcs_fitted fm;
		pcs_forecaster_export(f, &fm, &err);
		fm.step = 3600;
		g = pcs_forecaster_from_fitted(&s, &fm, &cfg4, &err);
		pcs_forecaster_predict(f, &a, &err);
		pcs_forecaster_predict(g, &b, &err);
		ok(fabs((b.quantiles[1] - b.mean[0]) - 2 * (a.quantiles[1] - a.mean[0])) < 1e-9,
		   "4 steps ahead: the 1-step interval twice as wide (%.4f, %.4f)",
		   b.quantiles[1] - b.mean[0], a.quantiles[1] - a.mean[0]);
		pcs_forecast_result_free(&a);
		pcs_forecast_result_free(&b);
		pcs_forecaster_free(g);
		fm.step = 60;
		ok(pcs_forecaster_from_fitted(&s, &fm, &cfg, &err) == NULL && err.code == PCS_EDATA,
		   "a model fitted at another step is refused: %s", err.msg);
		pcs_forecaster_free(f);
		pcs_fitted_free(&fm);
		/* a configuration whose cycle the history cannot hold */
		fc.seasons = PCS_SEASONS_WEEKLY;
		ok(pcs_forecaster_new(&s, &cfg, &err) == NULL && err.code == PCS_EDATA,
		   "a weekly cycle from 300 hours is refused: %s", err.msg);
		pcs_series_free(&s);
	}
	{
		/* 1e300 rps: the squares of the errors overflow; the normal
		 * quantiles and the random walk of an uncalibrated history must
		 * still be finite and wide (a regression test: they were Inf, and
		 * the random walk's spread 0) */
		size_t hh[1] = { 1 };
		double lv[2] = { 0.5, 0.9 }, y3[3] = { 1e300, 2e300, 1.5e300 };
		struct pcs_fconfig fc = { PCS_MODEL_SNAIVE, PCS_SEASONS_NONE, PCS_TREND_DAMPED,
		                          PCS_TRANSFORM_NONE, PCS_QM_NORMAL, 0 };
		struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, hh, 1, lv, 2, &fc, 0, NULL, NULL };
		struct pcs_forecast_result r;
		pcs_series s = make_series(300, 3600, 100, 0, 3), s3 = { 0, 3600, 3, y3, 3, 0 };
		for (size_t i = 0; i < s.n; i++)
			s.y[i] *= 1e298;
		ok(pcs_forecast_series(&s, &cfg, &r, &err) == 0 && isfinite(r.quantiles[1]) &&
		   r.quantiles[1] > r.quantiles[0], "normal quantiles of a 1e300 series: finite (%g, %g)",
		   r.quantiles[0], r.quantiles[1]);
		pcs_forecast_result_free(&r);
		cfg.fixed = NULL;
		ok(pcs_forecast_series(&s3, &cfg, &r, &err) == 0 && isfinite(r.quantiles[1]) &&
		   r.quantiles[1] > 1.5e300, "three points of 1e300: a random walk as wide as their steps (%g)",
		   r.quantiles[1]);
		pcs_forecast_result_free(&r);
		pcs_series_free(&s);
	}
	{
		/* a log-scale trend that runs past exp(709): 1e-300 for days, then
		 * 1e300; the forecasts saturate instead of going Inf (a regression
		 * test) */
		size_t hh[2] = { 1, 12 };
		double lv[2] = { 0.5, 0.99 };
		struct pcs_fconfig fc = { PCS_MODEL_ETS, PCS_SEASONS_NONE, PCS_TREND_LINEAR,
		                          PCS_TRANSFORM_LOG, PCS_QM_CONFORMAL, 0 };
		struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, hh, 2, lv, 2, &fc, 0, NULL, NULL };
		struct pcs_forecast_result r;
		pcs_series s = make_series(24 * 10, 3600, 100, 30, 1);
		pcs_forecaster *f;
		int finite = 1;
		for (size_t i = 0; i < s.n; i++)
			s.y[i] *= 1e-302;
		f = pcs_forecaster_new(&s, &cfg, &err);
		pcs_forecaster_observe(f, 1e300);
		ok(f != NULL && pcs_forecaster_predict(f, &r, &err) == 0, "1e300 after 1e-300 on logs predicts");
		for (int j = 0; j < 2; j++)
			finite &= isfinite(r.mean[j]) && isfinite(r.quantiles[2 * j]) &&
			          isfinite(r.quantiles[2 * j + 1]) && r.quantiles[2 * j] <= r.quantiles[2 * j + 1];
		ok(finite, "and its forecasts are finite, saturated (mean %g at 12 h)", r.mean[1]);
		pcs_forecast_result_free(&r);
		pcs_forecaster_free(f);
		pcs_series_free(&s);
	}
	{
		/* a fit window that starts in a gap running into the calibration
		 * window: the model has no forecast at the first origins, which
		 * must give no calibration error rather than NaN ones (a regression
		 * test: the sketch of the model file held NaN) */
		size_t hh[1] = { 1 };
		double lv[2] = { 0.05, 0.95 };
		struct pcs_fconfig fc = { PCS_MODEL_SNAIVE, PCS_SEASONS_DAILY, PCS_TREND_DAMPED,
		                          PCS_TRANSFORM_NONE, PCS_QM_CONFORMAL, 50 };
		struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, hh, 1, lv, 2, &fc, 0, NULL, NULL };
		pcs_series s = make_series(450, 3600, 100, 30, 2);
		size_t te = pcs_forecast_train_end(s.n, 1);
		struct pcs_fitted fm;
		pcs_forecaster *f;
		int finite = 1;
		for (size_t i = te - 50; i < te + 10; i++)
			s.y[i] = NAN;
		f = pcs_forecaster_new(&s, &cfg, &err);
		ok(f != NULL && pcs_forecaster_export(f, &fm, &err) == 0 && fm.ncal == 1,
		   "a fit window that starts in a gap: fitted and calibrated");
		for (size_t k = 0; f && k < PCS_SKETCH_NLEVELS; k++)
			finite &= isfinite(fm.sketch[k]);
		ok(finite, "its calibration sketch is finite at every level");
		if (f)
			pcs_fitted_free(&fm);
		pcs_forecaster_free(f);
		pcs_series_free(&s);
	}
	{
		/* names round-trip */
		int good = 1;
		for (int v = 0; v < 5; v++)
			good &= pcs_seasons_parse(pcs_seasons_name(v)) == v;
		for (int v = 0; v < 3; v++)
			good &= pcs_trend_parse(pcs_trend_name(v)) == v && pcs_qmethod_parse(pcs_qmethod_name(v)) == v;
		good &= pcs_transform_parse("log") == PCS_TRANSFORM_LOG && pcs_trend_parse("x") == -1;
		ok(good, "configuration names parse back to their values");
	}
	return tap_done();
}
