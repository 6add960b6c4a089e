/* Unit tests: the models of pcs-forecast's auto beyond ets and snaive
 * (mstl, reg with events, ensemble; pcs_models.h) and the events list
 * (pcs_events.h), on series whose right forecast is known exactly. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tap.h"
#include "pcs_events.h"
#include "pcs_models.h"

#define H 3600          /* an hourly step */
#define DAY 24
#define WEEK 168
#define T0 1767225600   /* 2026-01-01T00:00:00Z, a Thursday */

/* A daily and a weekly cycle on a level, hour i (a smooth weekly cycle:
 * moving averages smear a step between days over both components). */
static double
cycles(size_t i)
{
	return 500 + 100 * sin(2 * M_PI * (double)i / DAY) + 40 * cos(4 * M_PI * (double)i / DAY) +
	       60 * cos(2 * M_PI * (double)i / WEEK);
}

/* Fit m on y[0..n) from T0, run it over y, and return the largest absolute
 * error of its forecasts for the next 48 hours against truth(). */
static double
worst_error(pcs_model *m, const double *y, size_t n, double (*truth)(size_t))
{
	double worst = 0;

	pcs_model_set_time(m, T0);
	pcs_model_fit(m, y, n);
	for (size_t i = 0; i < n; i++)
		pcs_model_update(m, y[i]);
	for (size_t h = 1; h <= 48; h++)
		worst = fmax(worst, fabs(pcs_model_forecast(m, h) - truth(n + h - 1)));
	return worst;
}

static double
trend_and_day(size_t i)
{
	return 200 + 0.5 * (double)i + 30 * sin(2 * M_PI * (double)i / DAY) +
	       10 * cos(2 * M_PI * (double)i / DAY);
}

int
main(void)
{
	size_t n = 6 * WEEK;
	double *y = malloc(n * sizeof *y);
	struct pcs_model_spec spec = { PCS_MODEL_MSTL, DAY, WEEK, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE,
	                               H, NULL, 1 };
	pcs_model *m;
	pcs_error err;

	/* mstl: a noiseless daily and weekly cycle is forecast to within 4% of
	 * its daily swing */
	for (size_t i = 0; i < n; i++)
		y[i] = cycles(i);
	m = pcs_model_new_spec(&spec);
	{
		double e = worst_error(m, y, n, cycles);
		ok(e < 8, "mstl: a pure daily and weekly cycle, worst error %.3f of a swing of 200", e);
	}
	pcs_model_free(m);

	/* reg: a linear trend plus a daily cycle is a regression it can fit
	 * exactly */
	for (size_t i = 0; i < n; i++)
		y[i] = trend_and_day(i);
	spec.kind = PCS_MODEL_REG;
	m = pcs_model_new_spec(&spec);
	{
		double e = worst_error(m, y, n, trend_and_day);
		ok(e < 1, "reg: trend and daily cycle, worst error %.4f over 48 h", e);
	}
	pcs_model_free(m);

	/* reg with events: +80 during a weekly four-hour event, learned from
	 * its past occurrences; an unseen name with lift 1.5 multiplies */
	{
		pcs_events *all = pcs_events_new(), *mine;
		size_t next = n + 10, launch = n + 30;
		double base, with;
		for (size_t k = 10; k < n + 48; k += WEEK)
			pcs_events_add(all, T0 + (int64_t)k * H, T0 + (int64_t)(k + 4) * H, "promo", "shop", NAN,
			               &err);
		pcs_events_add(all, T0 + (int64_t)launch * H, T0 + (int64_t)(launch + 2) * H, "launch", NULL,
		               1.5, &err);
		pcs_events_add(all, T0 + (int64_t)next * H, T0 + (int64_t)(next + 4) * H, "other", "web", 3,
		               &err);
		ok(pcs_events_add(all, T0 + 10, T0, "late", NULL, NAN, &err) == PCS_EDATA,
		   "events: an end before the start is refused");
		ok(pcs_events_add(all, T0, T0 + 10, "neg", NULL, -1, &err) == PCS_EDATA,
		   "events: a lift not above 0 is refused");
		mine = pcs_events_for_group(all, "shop");
		ok(pcs_events_count(mine) == pcs_events_count(all) - 1,
		   "events: the shop's events and everyone's, not web's (%zu of %zu)",
		   pcs_events_count(mine), pcs_events_count(all));
		{
			int sorted = 1;
			for (size_t i = 1; i < pcs_events_count(mine); i++)
				sorted &= pcs_events_get(mine, i - 1)->start <= pcs_events_get(mine, i)->start;
			ok(sorted, "events: sorted by start");
		}
		for (size_t i = 0; i < n; i++)
			y[i] = trend_and_day(i) + ((i % WEEK) >= 10 && (i % WEEK) < 14 ? 80 : 0);
		spec.events = mine;
		m = pcs_model_new_spec(&spec);
		pcs_model_set_time(m, T0);
		pcs_model_fit(m, y, n);
		for (size_t i = 0; i < n; i++)
			pcs_model_update(m, y[i]);
		base = trend_and_day(next + 1);
		with = pcs_model_forecast(m, next + 1 - n + 1);
		ok(fabs(with - base - 80) < 8, "reg: a promo learned from its past: +%.2f (want +80)",
		   with - base);
		base = trend_and_day(launch);
		with = pcs_model_forecast(m, launch - n + 1);
		ok(fabs(with / base - 1.5) < 0.02, "reg: an unseen launch with lift 1.5: x%.4f", with / base);
		pcs_model_free(m);
		pcs_events_free(mine);
		pcs_events_free(all);
	}

	/* ensemble: the weighted mean of its members on the demand scale */
	{
		pcs_model *a = pcs_model_new(PCS_MODEL_NAIVE, 0, 0), *b = pcs_model_new(PCS_MODEL_SNAIVE, DAY, 0);
		pcs_model *members[2] = { a, b }, *e;
		double w[2] = { 3, 1 }, fa, fb;
		for (size_t i = 0; i < n; i++)
			y[i] = cycles(i);
		e = pcs_model_new_ensemble(members, w, 2, PCS_TRANSFORM_LOG);
		ok(e != NULL && pcs_model_kind_of(e) == PCS_MODEL_ENSEMBLE, "ensemble: made, and named so");
		{
			double *z = malloc(n * sizeof *z);
			for (size_t i = 0; i < n; i++)
				z[i] = pcs_model_transform(e, y[i]);
			pcs_model_fit(e, z, n);
			for (size_t i = 0; i < n; i++)
				pcs_model_update(e, z[i]);
			free(z);
		}
		fa = y[n - 1];              /* naive */
		fb = y[n - DAY + 4];        /* snaive, 5 hours ahead */
		is_num(pcs_model_untransform(e, pcs_model_forecast(e, 5)), 0.75 * fa + 0.25 * fb, 1e-9,
		       "ensemble: weights 3:1 normalized, combined on the demand scale");
		{
			size_t hs[2] = { 1, 5 };
			double path[2];
			pcs_model_forecast_path(e, hs, 2, path);
			is_num(path[1], pcs_model_forecast(e, 5), 1e-12, "ensemble: the path is the forecasts");
		}
		pcs_model_free(e);
	}
	/* Box-Cox: Guerrero's lambda is about 0 when the spread of each season
	 * grows with its level, about 1 when it does not; a value goes there
	 * and back */
	{
		size_t season = DAY, seasons = 20;
		double *g = malloc(season * seasons * sizeof *g), lam;
		for (size_t c = 0; c < seasons; c++)
			for (size_t i = 0; i < season; i++) {
				double level = 100 * (double)(c + 1), wave = sin(2 * M_PI * (double)i / (double)season);
				g[c * season + i] = level * (1 + 0.3 * wave);
			}
		lam = pcs_boxcox_lambda(g, season * seasons, season);
		ok(lam <= 0.1, "boxcox: spread in proportion to the level: lambda %.2f (about 0)", lam);
		for (size_t c = 0; c < seasons; c++)
			for (size_t i = 0; i < season; i++)
				g[c * season + i] = 100 * (double)(c + 1) + 30 * sin(2 * M_PI * (double)i / (double)season);
		lam = pcs_boxcox_lambda(g, season * seasons, season);
		ok(fabs(lam - 1) <= 0.1, "boxcox: the same spread at every level: lambda %.2f (about 1)", lam);
		ok(pcs_boxcox_lambda(g, season, season) == 1, "boxcox: one season is too short to tell: 1");
		is_num(pcs_transform_inverse(PCS_TRANSFORM_BOXCOX, 0.35,
		                             pcs_transform_value(PCS_TRANSFORM_BOXCOX, 0.35, 123.4)),
		       123.4, 1e-9, "boxcox: there and back at lambda 0.35");
		ok(isnan(pcs_transform_value(PCS_TRANSFORM_BOXCOX, 0.5, 0)), "boxcox: 0 is a gap");
		free(g);
	}
	free(y);
	return tap_done();
}
