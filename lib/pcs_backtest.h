/* pcs_backtest.h — rolling-origin backtests of forecasting configurations.
 *
 * Protocol (Tashman 2000, "Out-of-sample tests of forecasting accuracy",
 * IJF 16: rolling origins with fixed parameters, the way pcs runs between
 * nightly retrains): the origins are every `every` steps, the last one
 * leaving room for the longest horizon.  At the first origin each
 * configuration is fitted and calibrated on the history before it (exactly
 * as pcs-forecast would fit it then); from there the model's state is
 * updated one observation at a time, and at each origin its forecasts for
 * every horizon are scored against what happened.  Nothing after an origin
 * is seen by the forecast made there.
 *
 * By default the origins span the last third of the history (the window
 * pcs-forecast's own choice is calibrated on), starting later if need be
 * so that the history before the first origin holds the cycles the whole
 * history does.  A configuration is scored only as it will be served: one
 * whose cycles at the first origin differ from those of its final fit, or
 * a log one on a series that is not positive, is not valid there.
 *
 * Scores, averaged over every (origin, horizon) whose target was observed:
 *   mase      |y - mean| / scale, scale = the in-sample mean absolute
 *             seasonal difference (daily cycle, else lag 1) of the history
 *             before the first origin (Hyndman & Koehler 2006);
 *   smape     200 |y - mean| / (|y| + |mean|), 0 when both are 0 (M4);
 *   pinball   the mean over the levels of the pinball loss, / scale;
 *   coverage  the share of targets inside the widest central interval the
 *             levels hold (levels a/2 and 1 - a/2), NaN without one;
 *   msis      that interval's score (Gneiting & Raftery 2007), / scale (M4).
 */
#ifndef PCS_BACKTEST_H
#define PCS_BACKTEST_H

#include "pcs_forecast.h"
#include "pcs_modelfile.h"

#define PCS_BACKTEST_MAX_ORIGINS 200

struct pcs_backtest_spec {
	const size_t *horizons;   /* in steps, ascending */
	size_t nh;
	const double *levels;     /* ascending */
	size_t nl;
	size_t origins;           /* at most this many; 0: those that fit in the last third
	                             of the history, up to PCS_BACKTEST_MAX_ORIGINS */
	size_t every;             /* steps between origins; 0: a quarter of the longest horizon */
};

struct pcs_backtest_layout {
	size_t first;             /* index of the first origin (its observation included) */
	size_t norigins, every;
	double scale;             /* the MASE scale */
};

/* Where the origins of s fall: PCS_EDATA when the history is too short
 * for a single origin (the message says how many samples it needs). */
int pcs_backtest_layout(const pcs_series *s, const struct pcs_backtest_spec *spec,
                        struct pcs_backtest_layout *out, pcs_error *err);

/* The loss terms of one configuration at each origin and horizon, row per
 * origin ([norigins * nh], NaN where the target was a gap). */
enum { PCS_LOSS_MASE, PCS_LOSS_SMAPE, PCS_LOSS_PINBALL, PCS_LOSS_MSIS, PCS_LOSS_COVERED,
       PCS_NLOSSES };
extern const char *const pcs_loss_names[PCS_NLOSSES];

struct pcs_backtest_run {
	int valid;                /* 0: the series cannot hold this configuration */
	struct pcs_scores scores;
	double *loss[PCS_NLOSSES];
};

/* Backtest the configurations fc[0..nfc) on s with one layout; those that
 * differ only in the quantile method share one fit.  out[nfc] is filled
 * (free each with pcs_backtest_run_free).  0, PCS_EDATA (too short) or
 * PCS_ENOMEM. */
int pcs_backtest(const pcs_series *s, const struct pcs_backtest_spec *spec,
                 const struct pcs_backtest_layout *lay, const struct pcs_fconfig *fc, size_t nfc,
                 struct pcs_backtest_run *out, pcs_error *err);
void pcs_backtest_run_free(struct pcs_backtest_run *r);

/* The quantile levels forecasts are scored at, with their widest central
 * interval found once (pcs_central_interval). */
struct pcs_loss_levels {
	const double *levels;
	size_t nl;
	int interval;             /* 0 when the levels hold none */
	size_t lo, hi;
};

void pcs_loss_levels_init(struct pcs_loss_levels *L, const double *levels, size_t nl);

/* The loss terms of one forecast of y (its mean, and quantiles q at L's
 * levels) as the backtest scores them, scale being the MASE scale:
 * loss[PCS_NLOSSES]. */
void pcs_forecast_losses(double y, double mean, const double *q, const struct pcs_loss_levels *L,
                         double scale, double *loss);

/* The widest central interval in levels: indices lo < hi with
 * levels[lo] + levels[hi] == 1; -1 when there is none. */
int pcs_central_interval(const double *levels, size_t n, size_t *lo, size_t *hi);

/* The MASE scale of y[0..n): mean absolute difference at lag m (1 when the
 * history is shorter than 2m); the mean absolute value when that is 0 (a
 * constant series), and 1 when both are. */
double pcs_mase_scale(const double *y, size_t n, size_t m);

#endif
