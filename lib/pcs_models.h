/* pcs_models.h — forecasting models over a regularized series.
 *
 * Every model works on its own scale (ets-mul on log values; the caller
 * transforms with pcs_model_transform) and is driven the same way: reset its
 * state from the start of a series, feed observations one at a time
 * (NaN = a gap: the state moves on without a correction), and ask for the
 * h-step-ahead point forecast from the state after the last observation.
 *
 *   naive    the last observed value
 *   snaive   the value one season earlier (the daily cycle)
 *   ets      multi-seasonal exponential smoothing: level, damped trend,
 *            daily and weekly additive seasonal components (Taylor 2003,
 *            "Short-term electricity demand forecasting using double
 *            seasonal exponential smoothing", JORS 54, in the error-correction
 *            form of Hyndman et al. 2008, "Forecasting with Exponential
 *            Smoothing", ch. 3)
 *            with an AR(1) correction of the errors: Taylor's double
 *            seasonal Holt-Winters with the error adjustment of Taylor 2003
 *   ets-mul  the same on log values: multiplicative seasonality and trend
 *   reg      a Prophet-style regression: piecewise-linear trend, Fourier
 *            seasonalities, event regressors (reg.c)
 *   mstl     a multiple seasonal decomposition, then damped exponential
 *            smoothing of the adjusted series (mstl.c)
 *   ensemble a weighted combination of fitted models (ensemble.c)
 *
 * A model is built from a spec: the kind, its cycles, the ets trend mode and
 * the working scale (log for ets-mul; any kind may run on logs, which makes
 * its errors, and so its intervals, relative).
 */
#ifndef PCS_MODELS_H
#define PCS_MODELS_H

#include <stddef.h>
#include <stdint.h>

enum pcs_model_kind {
	PCS_MODEL_NAIVE,
	PCS_MODEL_SNAIVE,
	PCS_MODEL_ETS,
	PCS_MODEL_ETS_MUL,
	PCS_MODEL_REG,
	PCS_MODEL_MSTL,
	PCS_MODEL_ENSEMBLE
};

struct pcs_events;

const char *pcs_model_name(int kind);

enum pcs_trend { PCS_TREND_DAMPED, PCS_TREND_LINEAR, PCS_TREND_NONE };
enum pcs_transform { PCS_TRANSFORM_NONE, PCS_TRANSFORM_LOG, PCS_TRANSFORM_BOXCOX };

/* A value on a working scale and back (transform.c): log and Box-Cox take
 * positive values only (anything else becomes NaN, a gap). */
double pcs_transform_value(int transform, double lambda, double y);
double pcs_transform_inverse(int transform, double lambda, double z);
/* Guerrero's Box-Cox parameter for the positive y[0..n) with seasons of
 * `period` steps, in [0, 2] on a grid of 0.05; 1 when the series is too
 * short to tell. */
double pcs_boxcox_lambda(const double *y, size_t n, size_t period);

struct pcs_model_spec {
	int kind;                 /* PCS_MODEL_NAIVE, SNAIVE, ETS, REG or MSTL */
	int period1, period2;     /* in steps, 0 when absent; snaive uses period1 */
	int trend;                /* ets, mstl: PCS_TREND_* */
	int transform;            /* PCS_TRANSFORM_* */
	int64_t step;             /* reg: the series' step in seconds */
	const struct pcs_events *events;  /* reg: borrowed, sorted by start
	                                   * (pcs_events_for_group); may be NULL */
	double lambda;            /* PCS_TRANSFORM_BOXCOX's parameter */
};

typedef struct pcs_model pcs_model;

pcs_model *pcs_model_new_spec(const struct pcs_model_spec *spec);
/* The classic kinds: period1 (daily) and period2 (weekly) in steps, 0 when
 * absent; ets with a damped trend, ets-mul the same on logs. */
pcs_model *pcs_model_new(int kind, int period1, int period2);
void pcs_model_free(pcs_model *m);
/* An ensemble of fitted models (taking them over) with weights (normalized
 * here), combined on the observations' scale; the ensemble works on logs
 * (transform PCS_TRANSFORM_LOG) or on the identity. */
pcs_model *pcs_model_new_ensemble(pcs_model **members, const double *weights, size_t n,
                                  int transform);
/* Models whose terms depend on the clock (reg): the time of z[0] of the
 * next fit or reset (the step is the spec's).  The others ignore it. */
void pcs_model_set_time(pcs_model *m, int64_t t0);
/* The kind as named in output: ets on logs is ets-mul. */
int pcs_model_kind_of(const pcs_model *m);

/* The model's working scale: log for ets-mul (and any model with the log
 * transform; a value that is not positive becomes NaN, a gap), identity
 * otherwise. */
double pcs_model_transform(const pcs_model *m, double y);
double pcs_model_untransform(const pcs_model *m, double z);

/* Fit the parameters to z[0..n) (working scale; ets: least squares of
 * one-step errors with GSL's Nelder-Mead simplex, started from the current
 * parameters), then leave the state reset to the start of z.  0 or -1. */
int pcs_model_fit(pcs_model *m, const double *z, size_t n);

/* Initialize the state from the first cycles of z[0..n) (n >= min history). */
void pcs_model_reset(pcs_model *m, const double *z, size_t n);

/* Feed the next observation; returns the one-step forecast made before it. */
double pcs_model_update(pcs_model *m, double z);

/* Point forecast h >= 1 steps after the last observation fed. */
double pcs_model_forecast(const pcs_model *m, size_t h);

/* Point forecasts for ascending horizons h[0..n) at once (cheaper than n
 * calls of pcs_model_forecast). */
void pcs_model_forecast_path(const pcs_model *m, const size_t *h, size_t n, double *out);

/* The ets smoothing parameters (rho: the AR(1) coefficient of the errors). */
struct pcs_ets_params {
	double alpha, beta, phi, gamma1, gamma2, rho;
};

/* The fitted parameters of an ets or mstl model (0; -1 for other kinds), and
 * parameters restored from a model file instead of a fit. */
int pcs_model_get_params(const pcs_model *m, struct pcs_ets_params *p);
int pcs_model_set_params(pcs_model *m, const struct pcs_ets_params *p);

/* Internal to the model files. */
struct pcs_ets;
struct pcs_snaive;
struct pcs_ets *pcs_ets_new(int period1, int period2, int trend);
void pcs_ets_get_params(const struct pcs_ets *e, struct pcs_ets_params *p);
void pcs_ets_set_params(struct pcs_ets *e, const struct pcs_ets_params *p);
void pcs_ets_free(struct pcs_ets *e);
int pcs_ets_fit(struct pcs_ets *e, const double *z, size_t n);
void pcs_ets_reset(struct pcs_ets *e, const double *z, size_t n);
double pcs_ets_update(struct pcs_ets *e, double z);
double pcs_ets_forecast(const struct pcs_ets *e, size_t h);
void pcs_ets_forecast_path(const struct pcs_ets *e, const size_t *h, size_t n, double *out);
struct pcs_reg;
struct pcs_mstl;
struct pcs_ensemble;
struct pcs_reg *pcs_reg_new(int transform, double lambda, int64_t step,
                            const struct pcs_events *events);
void pcs_reg_free(struct pcs_reg *r);
void pcs_reg_set_time(struct pcs_reg *r, int64_t t0);
int pcs_reg_fit(struct pcs_reg *r, const double *z, size_t n);
void pcs_reg_reset(struct pcs_reg *r, const double *z, size_t n);
double pcs_reg_update(struct pcs_reg *r, double z);
double pcs_reg_forecast(const struct pcs_reg *r, size_t h);
struct pcs_mstl *pcs_mstl_new(int period1, int period2, int trend);
void pcs_mstl_free(struct pcs_mstl *s);
int pcs_mstl_fit(struct pcs_mstl *s, const double *z, size_t n);
void pcs_mstl_reset(struct pcs_mstl *s, const double *z, size_t n);
double pcs_mstl_update(struct pcs_mstl *s, double z);
double pcs_mstl_forecast(const struct pcs_mstl *s, size_t h);
void pcs_mstl_forecast_path(const struct pcs_mstl *s, const size_t *h, size_t n, double *out);
void pcs_mstl_get_params(const struct pcs_mstl *s, struct pcs_ets_params *p);
void pcs_mstl_set_params(struct pcs_mstl *s, const struct pcs_ets_params *p);
struct pcs_ensemble *pcs_ensemble_new(pcs_model **members, const double *weights, size_t n,
                                      int transform);
void pcs_ensemble_free(struct pcs_ensemble *e);
/* A member's forecast as demand (never below zero), and a demand on the
 * ensemble's scale (logs floored at DBL_MIN): what forecast.c's stored
 * calibration forecasts are combined with, as the ensemble combines. */
double pcs_ensemble_demand(double f);
double pcs_ensemble_scale(int transform, double y);
void pcs_ensemble_set_time(struct pcs_ensemble *e, int64_t t0);
int pcs_ensemble_fit(struct pcs_ensemble *e, const double *z, size_t n);
void pcs_ensemble_reset(struct pcs_ensemble *e, const double *z, size_t n);
double pcs_ensemble_update(struct pcs_ensemble *e, double z);
double pcs_ensemble_forecast(const struct pcs_ensemble *e, size_t h);
void pcs_ensemble_forecast_path(const struct pcs_ensemble *e, const size_t *h, size_t n,
                                double *out);
struct pcs_snaive *pcs_snaive_new(int period);
void pcs_snaive_free(struct pcs_snaive *s);
void pcs_snaive_reset(struct pcs_snaive *s);
double pcs_snaive_update(struct pcs_snaive *s, double z);
double pcs_snaive_forecast(const struct pcs_snaive *s, size_t h);

#endif
