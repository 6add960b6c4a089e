/* Unit tests: rolling-origin backtests, model files, A/B aggregation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "pcs.h"

static pcs_series
ramp(size_t n, double slope)
{
	pcs_series s = { 0, 3600, n, malloc(n * sizeof(double)), n, 0 };

	for (size_t i = 0; i < n; i++)
		s.y[i] = 100 + slope * (double)i;
	return s;
}

int
main(void)
{
	pcs_error err;

	{
		/* the layout: origins in the last third, the last leaving room for
		 * the longest horizon */
		size_t hh[2] = { 1, 4 };
		double lv[3] = { 0.1, 0.5, 0.9 };
		struct pcs_backtest_spec spec = { hh, 2, lv, 3, 0, 0 };
		struct pcs_backtest_layout lay;
		pcs_series s = ramp(400, 1);
		ok(pcs_backtest_layout(&s, &spec, &lay, &err) == 0 && lay.every == 1 &&
		   lay.first + (lay.norigins - 1) * lay.every == 400 - 1 - 4 && lay.first == 265,
		   "default layout: every step from 2n/3 to n-1-hmax (first %zu, %zu origins)",
		   lay.first, lay.norigins);
		{
			/* 700 hours keep a weekly cycle (trained on 467 >= 2 x 168);
			 * so must the history before the first origin: 503 samples */
			pcs_series w = ramp(700, 1);
			pcs_backtest_layout(&w, &spec, &lay, &err);
			ok(lay.first == 502, "the first origin waits for two weeks of training (%zu)",
			   lay.first);
			pcs_series_free(&w);
		}
		spec.origins = 5;
		spec.every = 10;
		pcs_backtest_layout(&s, &spec, &lay, &err);
		ok(lay.norigins == 5 && lay.first == 395 - 40, "5 origins 10 steps apart end at n-1-hmax");
		/* a naive forecast of a unit ramp is off by h at horizon h; hourly
		 * data are scaled by the daily seasonal difference, 24 on a unit
		 * ramp, so MASE = mean(1, 4) / 24 */
		{
			struct pcs_fconfig fc = { PCS_MODEL_SNAIVE, PCS_SEASONS_NONE, PCS_TREND_DAMPED,
			                          PCS_TRANSFORM_NONE, PCS_QM_FLAT, 0 };
			struct pcs_backtest_run run;
			ok(pcs_backtest(&s, &spec, &lay, &fc, 1, &run, &err) == 0 && run.valid,
			   "naive backtests on a ramp");
			ok(fabs(lay.scale - 24) < 1e-12 && fabs(run.scores.mase - 2.5 / 24) < 1e-12 &&
			   run.scores.n == 10, "naive on a unit ramp: MASE %.6f = (1 + 4) / 2 / 24 over %zu pairs",
			   run.scores.mase, run.scores.n);
			/* every error is the same, so the conformal interval is a point
			 * at the error: the 80% interval covers nothing it should not */
			ok(fabs(run.scores.coverage - 1) < 1e-12,
			   "constant errors: the calibrated interval holds every target (%.3f)",
			   run.scores.coverage);
			pcs_backtest_run_free(&run);
		}
		pcs_series_free(&s);
	}
	{
		size_t hh[1] = { 24 };
		struct pcs_backtest_spec spec = { hh, 1, NULL, 0, 0, 0 };
		struct pcs_backtest_layout lay;
		pcs_series s = ramp(60, 1);
		ok(pcs_backtest_layout(&s, &spec, &lay, &err) == PCS_EDATA &&
		   strstr(err.msg, "too short") != NULL, "too short for any origin: %s", err.msg);
		pcs_series_free(&s);
	}
	{
		/* configurations that share point forecasts share a fit and differ
		 * only in their intervals; an impossible one is marked invalid */
		size_t hh[2] = { 1, 6 };
		double lv[2] = { 0.025, 0.975 };
		struct pcs_backtest_spec spec = { hh, 2, lv, 2, 20, 3 };
		struct pcs_backtest_layout lay;
		struct pcs_fconfig fc[3] = {
			{ PCS_MODEL_ETS, PCS_SEASONS_AUTO, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE, PCS_QM_CONFORMAL, 0 },
			{ PCS_MODEL_ETS, PCS_SEASONS_AUTO, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE, PCS_QM_NORMAL, 0 },
			{ PCS_MODEL_ETS, PCS_SEASONS_WEEKLY, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE, PCS_QM_FLAT, 0 },
		};
		struct pcs_backtest_run run[3];
		pcs_series s = ramp(24 * 12, 0);
		for (size_t i = 0; i < s.n; i++)
			s.y[i] = 100 + 30 * sin(2 * M_PI * (double)(i % 24) / 24) + 3 * sin((double)i * 7.1);
		pcs_backtest_layout(&s, &spec, &lay, &err);
		ok(pcs_backtest(&s, &spec, &lay, fc, 3, run, &err) == 0, "three configurations backtest");
		ok(run[0].valid && run[1].valid && !run[2].valid,
		   "a weekly cycle in 12 days of history is refused, the others run");
		ok(run[0].scores.mase == run[1].scores.mase && run[0].scores.msis != run[1].scores.msis,
		   "same point forecasts (MASE %.4f), different intervals (MSIS %.3f, %.3f)",
		   run[0].scores.mase, run[0].scores.msis, run[1].scores.msis);
		/* the scale is seasonal naive's in-sample error; ets averages the
		 * cycle over days and so beats it out of sample */
		ok(run[0].scores.mase < 0.9, "ets beats seasonal naive on a noisy cycle: MASE %.3f",
		   run[0].scores.mase);
		for (int i = 0; i < 3; i++)
			pcs_backtest_run_free(&run[i]);
		pcs_series_free(&s);
	}
	{
		double lv[5] = { 0.025, 0.1, 0.5, 0.9, 0.975 }, odd[3] = { 0.1, 0.5, 0.8 };
		size_t lo, hi;
		ok(pcs_central_interval(lv, 5, &lo, &hi) == 0 && lo == 0 && hi == 4,
		   "the widest central interval of 2.5..97.5 is 95%%");
		ok(pcs_central_interval(odd, 3, &lo, &hi) == -1, "0.1, 0.5, 0.8 hold no central interval");
	}
	{
		/* a model file written and read back forecasts to the bit */
		size_t hh[3] = { 1, 2, 12 };
		double lv[3] = { 0.1, 0.5, 0.95 };
		struct pcs_fconfig fc = { PCS_MODEL_ETS, PCS_SEASONS_DAILY, PCS_TREND_DAMPED,
		                          PCS_TRANSFORM_LOG, PCS_QM_CONFORMAL, 0 };
		struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, hh, 3, lv, 3, &fc, 0, NULL, NULL };
		pcs_series s = ramp(24 * 10, 0);
		struct pcs_model_file mf, back;
		struct pcs_model_entry e;
		struct pcs_forecast_result a, b;
		pcs_forecaster *f, *g;
		char path[] = "/tmp/pcs-test-model-XXXXXX";
		int fd = mkstemp(path), same = 1;
		json_t *j;
		for (size_t i = 0; i < s.n; i++)
			s.y[i] = 100 + 30 * sin(2 * M_PI * (double)(i % 24) / 24) + 3 * cos((double)i * 3.3);
		f = pcs_forecaster_new(&s, &cfg, &err);
		memset(&e, 0, sizeof e);
		pcs_forecaster_export(f, &e.fit, &err);
		e.fit.step = 3600;
		e.group = strdup("web");
		e.region = strdup("eu");
		e.scores.mase = 0.5;
		e.scores.scale = 2;
		e.scores.smape = e.scores.pinball = e.scores.coverage = e.scores.msis = NAN;
		pcs_model_file_init(&mf);
		mf.name = strdup("t");
		mf.created = strdup("2026-11-28T00:00:00Z");
		mf.criterion = strdup("mase");
		mf.nh = 3;
		mf.horizons = malloc(3 * sizeof(size_t));
		memcpy(mf.horizons, hh, sizeof hh);
		pcs_model_file_add(&mf, &e);
		j = pcs_model_file_json(&mf);
		close(fd);
		ok(j && pcs_state_write(path, j, &err) == 0, "a model file is written");
		ok(pcs_model_file_read(path, &back, &err) == 0 && back.n == 1, "and read back");
		ok(pcs_model_file_find(&back, "web", "eu") != NULL &&
		   pcs_model_file_find(&back, "web", "us") == NULL, "keys are found by group and region");
		g = pcs_forecaster_from_fitted(&s, &back.e[0].fit, &cfg, &err);
		pcs_forecaster_predict(f, &a, &err);
		pcs_forecaster_predict(g, &b, &err);
		for (int k = 0; k < 3; k++) {
			same &= a.mean[k] == b.mean[k];
			for (int q = 0; q < 3; q++)
				same &= a.quantiles[k * 3 + q] == b.quantiles[k * 3 + q];
		}
		ok(same, "the model read from the file forecasts to the bit as the one fitted");
		ok(isnan(back.e[0].scores.smape) && back.e[0].scores.mase == 0.5,
		   "a score without data is stored as null and read back as NaN");
		pcs_forecast_result_free(&a);
		pcs_forecast_result_free(&b);
		pcs_forecaster_free(g);
		pcs_model_file_free(&back);
		/* a file from a later version is refused, naming its version */
		json_object_set_new(j, "version", json_integer(PCS_MODEL_VERSION + 1));
		pcs_state_write(path, j, &err);
		ok(pcs_model_file_read(path, &back, &err) == PCS_EDATA && strstr(err.msg, "future"),
		   "a newer version: %s", err.msg);
		json_object_set_new(j, "version", json_integer(PCS_MODEL_VERSION));
		json_object_set_new(json_object_get(json_object_get(json_array_get(json_object_get(j, "keys"), 0),
		                                                    "fit"), "params"),
		                    "alpha", json_real(1.5));
		pcs_state_write(path, j, &err);
		ok(pcs_model_file_read(path, &back, &err) == PCS_EDATA && strstr(err.msg, "key 1") &&
		   strstr(err.msg, "alpha"), "a parameter out of range names the key and field: %s",
		   err.msg);
		json_decref(j);
		unlink(path);
		pcs_forecaster_free(f);
		pcs_model_file_free(&mf);
		pcs_series_free(&s);
	}
	{
		/* A/B over time: per time, mean(A) - mean(B) over whatever losses
		 * each arm has; times with one arm only are left out */
		pcs_ab *ab = pcs_ab_new();
		struct pcs_dm_result r;
		double ma, mb;
		for (int t = 0; t < 40; t++) {
			pcs_ab_add(ab, t, 0, 2 + (t % 3));
			pcs_ab_add(ab, t, 0, 4 + (t % 3));
			pcs_ab_add(ab, t, 1, 1 + (t % 2));
		}
		pcs_ab_add(ab, 99, 0, 100);      /* A alone: no differential */
		pcs_ab_add(ab, 5, 1, NAN);       /* ignored */
		pcs_ab_means(ab, &ma, &mb);
		ok(fabs(mb - 1.5) < 1e-12, "arm B's mean loss 1.5 (%.4f)", mb);
		ok(pcs_ab_test(ab, 1, &r) == 0 && r.n == 40 && r.mean > 0 && r.p_value < 1e-6 &&
		   pcs_dm_verdict(&r, 0.05) == 1,
		   "40 shared times, A worse by %.3f: B better (p %.2g)", r.mean, r.p_value);
		pcs_ab_free(ab);
	}
	return tap_done();
}
