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
 * h-step forecast is compared with what happened.  When there is a choice
 * (more than one candidate), the origins alternate: the even ones score the
 * candidates (mean absolute error, averaged over horizons), the odd ones
 * give the conformal errors, so that the winner's errors are not the very
 * ones it won on (choosing the smallest errors and then calibrating on them
 * made the intervals too narrow: 92.6% coverage of a 95% interval on the M4
 * Hourly dev half, 95.1% with the split).  With one candidate every origin
 * gives errors.  The candidate with the lowest score, or the ensemble of
 * the best three (pcs_models.h) when it scores lower, is chosen; a single
 * model is refitted on the recent history (at most max(2016 steps, six
 * longest cycles)), an ensemble keeps the parameters its weights and errors
 * were worked out with, and either is run to the end for the point
 * forecast, and the quantile at
 * level q is the point forecast plus the q-quantile of its calibration
 * errors on the model's scale (recency-weighted, pcs_quantile_weighted),
 * back-transformed.  Quantiles never cross and never go below zero.  The
 * mean is the model's point forecast (for a log-scale model, exp of the
 * log-scale forecast), not shifted by the calibration errors.
 * Horizons with fewer than PCS_MIN_CALIBRATION errors borrow the longest
 * calibrated shorter horizon's errors scaled by sqrt(h/h'); with none the
 * interval is a Gaussian random walk from the spread of first differences.
 */
#ifndef PCS_FORECAST_H
#define PCS_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"
#include "pcs_models.h"
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

/* The most horizons a list may resolve to at a step (a week at 1 minute, 10
 * weeks at 5): a forecaster holds a calibration per horizon, about 40 KB
 * each on 3 weeks of 5-minute history, and 1s..5000w at 5 minutes (10
 * million horizons) took 22 GB and hung before this limit. */
#define PCS_MAX_HORIZONS 20160

/* Horizons in whole steps for a given step: each duration rounded up (at
 * least 1), ranges expanded to every step multiple (or every stride, rounded
 * up to whole steps) inside them, ascending, no repeats.
 * Returns the count; 0 with err set when the list would give more than
 * PCS_MAX_HORIZONS entries before repeats are dropped (PCS_EUSAGE), or on no
 * memory (PCS_ENOMEM). */
size_t pcs_horizons_resolve(const pcs_horizon_spec *spec, int64_t step, size_t **steps,
                            pcs_error *err);

/* The daily and weekly cycles for a step, in steps (0 when absent). */
void pcs_seasonal_periods(int64_t step, int *daily, int *weekly);

/* ---- configurations: what pcs-retrain searches over and writes ---- */

/* The cycles a configuration models: as the step and history allow (the
 * daily cycle, and the weekly one with it), or exactly these. */
enum pcs_seasons { PCS_SEASONS_AUTO, PCS_SEASONS_NONE, PCS_SEASONS_DAILY, PCS_SEASONS_WEEKLY,
                   PCS_SEASONS_BOTH };
/* How quantiles come from the calibration errors: weighted split conformal
 * (recent errors weigh more), flat split conformal (every error alike), or a
 * normal distribution with the errors' root mean square. */
enum pcs_qmethod { PCS_QM_CONFORMAL, PCS_QM_FLAT, PCS_QM_NORMAL };

struct pcs_fconfig {
	int kind;          /* PCS_MODEL_SNAIVE (naive with no cycle) or PCS_MODEL_ETS */
	int seasons;       /* PCS_SEASONS_* */
	int trend;         /* PCS_TREND_*, ets only */
	int transform;     /* PCS_TRANSFORM_* */
	int qmethod;       /* PCS_QM_* */
	size_t window;     /* steps the parameters are fitted on; 0: the default rule */
};

/* Names as pcs-retrain's options and model files spell them; each parser
 * returns the value or -1. */
const char *pcs_seasons_name(int seasons);
const char *pcs_trend_name(int trend);
const char *pcs_transform_name(int transform);
const char *pcs_qmethod_name(int qmethod);
int pcs_seasons_parse(const char *name);
int pcs_trend_parse(const char *name);
int pcs_transform_parse(const char *name);
int pcs_qmethod_parse(const char *name);
/* "ets/both/damped/log/conformal" and "/w2016" when a window is set. */
void pcs_fconfig_format(const struct pcs_fconfig *c, char *buf, size_t size);
/* The model spec of c for a series of step `step` whose training part has
 * n_train samples: -1 when a cycle c asks for is not available (the step
 * does not divide it, or fewer than two cycles to learn from). */
int pcs_fconfig_spec(const struct pcs_fconfig *c, int64_t step, size_t n_train,
                     struct pcs_model_spec *spec);

/* Where a history of n samples is cut into training and calibration, for
 * horizons up to hmax steps (see the top of this file). */
size_t pcs_forecast_train_end(size_t n, size_t hmax);

struct pcs_events;

struct pcs_forecast_config {
	int model;                  /* PCS_MODEL_AUTO, or the kind asked for: SNAIVE, ETS,
	                               MSTL, REG or ENSEMBLE (naive and ets-mul are
	                               fallbacks and choices, not asked for) */
	const size_t *horizons;     /* in steps, ascending */
	size_t nhorizons;
	const double *levels;       /* ascending, in (0,1) */
	size_t nlevels;
	const struct pcs_fconfig *fixed;   /* when set: this configuration, no choice */
	int no_onset;               /* 1: no level reset on an upward onset */
	const struct pcs_events *events;   /* the key's known events (pcs_events_for_group),
	                                      for reg; NULL for none */
	const int *transform;       /* NULL: each candidate on its own scale (auto: logs
	                               for mstl and reg on a positive series); else this
	                               PCS_TRANSFORM_* for every candidate */
};

/* How long after an upward onset is raised the forecast is lifted, in steps
 * (see pcs_forecast_result.onset). */
#define PCS_ONSET_HOLD 60

struct pcs_forecast_result {
	int model;                  /* the PCS_MODEL_* kind used */
	double *mean;               /* [nhorizons]: the point forecast, >= 0 */
	double *quantiles;          /* [nhorizons * nlevels], row per horizon */
	double anomaly_score;       /* of the latest observation, in [0,1] (pcs_detector.h) */
	double onset;               /* the lift added to every horizon for an upward
	                             * onset (level reset), 0 when there is none */
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
/* Switch how quantiles are made (the calibration errors are kept, so every
 * method is available without a refit). */
void pcs_forecaster_set_qmethod(pcs_forecaster *f, int qmethod);

/* ---- fitted models: what a model file holds per key ---- */

/* Calibration is kept as a sketch: per calibrated horizon, the error
 * quantiles (on the model's scale) at PCS_SKETCH_NLEVELS fixed levels, from
 * which any level is interpolated linearly (exact at the sketch's own
 * levels, which include the usual 0.5, 0.9, 0.95, 0.975, 0.99). */
#define PCS_SKETCH_NLEVELS 27
extern const double pcs_sketch_levels[PCS_SKETCH_NLEVELS];

struct pcs_fitted {
	struct pcs_fconfig config;
	struct pcs_model_spec spec;       /* the cycles actually fitted */
	int64_t step;
	struct pcs_ets_params params;     /* ets only */
	size_t window;                    /* the steps the final state is run over */
	size_t ncal;                      /* calibrated horizons */
	size_t *cal_h;                    /* [ncal], in steps, ascending */
	double *sketch;                   /* [ncal * PCS_SKETCH_NLEVELS] */
};

void pcs_fitted_free(struct pcs_fitted *fm);

/* The fitted model of f, with its calibration as a sketch. */
int pcs_forecaster_export(const pcs_forecaster *f, struct pcs_fitted *out, pcs_error *err);

/* A forecaster from a fitted model: no search, no fit, no calibration; the
 * state is run over the end of s as the fit's was, so that on the history
 * it was fitted on it forecasts exactly as the exported forecaster (at the
 * sketch's levels).  cfg->horizons missing from the sketch borrow the
 * nearest calibrated one's errors scaled by sqrt(h/h').  A step other than
 * the fit's is an error (PCS_EDATA). */
pcs_forecaster *pcs_forecaster_from_fitted(const pcs_series *s, const struct pcs_fitted *fm,
                                           const struct pcs_forecast_config *cfg, pcs_error *err);


#endif
