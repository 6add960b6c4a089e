/* pcs_forecast.h — probabilistic forecasts of one regularized series.
 *
 * The engine behind pcs-forecast (and, later, replay): pick the seasonal
 * cycles the step and history allow, choose a model per key by rolling-origin
 * backtest, calibrate split-conformal quantiles per horizon, and score the
 * latest observation for anomalies.
 *
 * Split conformal, per key: the history is cut into a training part and a
 * calibration window (its last third, at least the longest horizon plus 20
 * steps, at most half).  Each candidate model is fitted on the training part
 * only, then run through the calibration window; at every origin t there its
 * h-step forecast is compared with what happened, giving per horizon an
 * empirical distribution of errors on the model's scale.  The candidate with
 * the lowest mean absolute error (averaged over horizons) is chosen; it is
 * refitted on the recent history (at most max(2016 steps, six longest
 * cycles)) and run to the end for the point forecast, and the quantile at
 * level q is the point forecast plus the q-quantile of its calibration errors
 * (recency-weighted, pcs_quantile_weighted), back-transformed.  Quantiles
 * never cross and never go below zero.  The mean is the model's point
 * forecast (for ets-mul, exp of the log-scale forecast), not shifted by the
 * calibration errors.
 * Horizons with fewer than PCS_MIN_CALIBRATION errors borrow the longest
 * calibrated shorter horizon's errors scaled by sqrt(h/h'); with none the
 * interval is a Gaussian random walk from the spread of first differences.
 */
#ifndef PCS_FORECAST_H
#define PCS_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"
#include "pcs_series.h"

#define PCS_MODEL_AUTO (-1)
#define PCS_MIN_CALIBRATION 10
/* The longest cycle modelled, in steps (a week of minutes). */
#define PCS_MAX_PERIOD 10080

/* A horizon list as given: durations, ranges "A..B" (every step from A to
 * B) and "A..B/S" (every S from A to B). */
typedef struct pcs_horizon_spec {
	size_t n;
	int64_t *from, *to;   /* from == to for a single duration */
	int64_t *every;       /* the stride of a range, 0 for every step */
} pcs_horizon_spec;

int pcs_horizons_parse(const char *list, pcs_horizon_spec *spec, pcs_error *err);
void pcs_horizons_free(pcs_horizon_spec *spec);

/* Horizons in whole steps for a given step: each duration rounded up (at
 * least 1), ranges expanded to every step multiple (or every stride, rounded
 * up to whole steps) inside them, ascending, no repeats.
 * Returns the count, 0 on no memory. */
size_t pcs_horizons_resolve(const pcs_horizon_spec *spec, int64_t step, size_t **steps);

/* The daily and weekly cycles for a step, in steps (0 when absent). */
void pcs_seasonal_periods(int64_t step, int *daily, int *weekly);

struct pcs_forecast_config {
	int model;                  /* PCS_MODEL_AUTO or a PCS_MODEL_* kind */
	const size_t *horizons;     /* in steps, ascending */
	size_t nhorizons;
	const double *levels;       /* ascending, in (0,1) */
	size_t nlevels;
};

struct pcs_forecast_result {
	int model;                  /* the PCS_MODEL_* kind used */
	double *mean;               /* [nhorizons]: the point forecast, >= 0 */
	double *quantiles;          /* [nhorizons * nlevels], row per horizon */
	double anomaly_score;       /* of the latest observation, in [0,1] */
};

/* Forecast s.  out's arrays are allocated here; free them with
 * pcs_forecast_result_free.  Returns 0, or an error code. */
int pcs_forecast_series(const pcs_series *s, const struct pcs_forecast_config *cfg,
                        struct pcs_forecast_result *out, pcs_error *err);
void pcs_forecast_result_free(struct pcs_forecast_result *r);

/* A forecaster fitted once and then fed new observations one at a time, so
 * that forecasts between refits cost O(1) per step (replay, live loops):
 * pcs_forecaster_new fits as pcs_forecast_series does and keeps the chosen
 * model at the end of s with its calibration errors; each observe moves the
 * model's state on by one step (NaN: a gap) and returns that observation's
 * anomaly score; predict forecasts from the current state.  Parameters and
 * calibration stay those of the fit until the next pcs_forecaster_new. */
typedef struct pcs_forecaster pcs_forecaster;

pcs_forecaster *pcs_forecaster_new(const pcs_series *s, const struct pcs_forecast_config *cfg,
                                   pcs_error *err);
void pcs_forecaster_free(pcs_forecaster *f);
double pcs_forecaster_observe(pcs_forecaster *f, double y);
int pcs_forecaster_predict(pcs_forecaster *f, struct pcs_forecast_result *out, pcs_error *err);
int pcs_forecaster_model(const pcs_forecaster *f);

/* One-step-ahead expectation and anomaly score of every slot of s, with the
 * model chosen as for a forecast (cfg->horizons may be empty).  expected and
 * score have s->n entries; gaps get NaN.  *model receives the kind used. */
int pcs_score_series(const pcs_series *s, const struct pcs_forecast_config *cfg,
                     double *expected, double *score, int *model, pcs_error *err);

#endif
