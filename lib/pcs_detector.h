/* pcs_detector.h — an online anomaly and surge-onset detector.
 *
 * One pass, O(1) work per point (amortized), memory O(period) per key (the
 * profiles) plus a fixed 208-bin histogram and two rings of an hour of
 * points (at most PCS_DET_LEVEL_MAX each), no look-ahead: the score of a
 * point uses only the points before it and the point itself.  Four tests
 * share one baseline:
 *
 * - the baseline is additive Holt-Winters without trend (Holt 1957,
 *   Winters 1960) over one daily cycle, plus a weekly profile that learns
 *   the share delta of what the daily one leaves (Taylor 2003's double
 *   seasonal form; only while a week is at most PCS_MAX_PERIOD points),
 *   with fixed smoothing, updated with residuals clipped at PCS_DET_CLIP
 *   scales so that an outlier does not drag it; except that a phase whose
 *   residual is beyond the clip on the same side as in the last cycle
 *   is corrected by the smaller of the two, unclipped and in full (not
 *   at the profile's smoothing), since a deviation that comes back daily
 *   is the profile's error; its one-step-ahead forecast is the point's
 *   expectation;
 * - the scale is an exponentially weighted mean absolute residual (clipped
 *   the same way), times sqrt(pi/2) to estimate a standard deviation, and
 *   floored relative to the level so that a flat series does not make
 *   every wiggle infinite;
 * - a spike is a standardized residual z beyond both spike_z and the
 *   spike_q quantile of the |z| seen (a histogram in bins about 5% wide,
 *   forgetting spike_forget a point): on a series that spikes every day a
 *   spike like its usual ones is not news, and the quantile, unlike the
 *   largest |z| seen, is neither set by one outlier nor forgotten within
 *   days;
 * - a level shift or onset is a two-sided CUSUM (Page 1954) of z with
 *   allowance k and decision interval h: S+ = max(0, S+ + z - k) and
 *   S- = max(0, S- - z - k); a crossing is an onset, up or down, and the
 *   baseline is moved to the mean residual of the run that crossed, so that
 *   the new level is the normal one from then on;
 * - a value beyond everything seen (by a margin of the range seen) is a
 *   novelty, scored as a spike; so is the mean of the last level_s
 *   seconds' worth of points (gaps skipped) beyond every earlier such
 *   mean (by level_novelty of their range), once level_warmup_s seconds'
 *   worth of them are seen: a sustained rise to a level never held
 *   before, which no single point need show when an earlier spike set the
 *   range.
 *
 * The evidence E of a point is the largest of the spike's |z| over its
 * threshold, S / h and the novelties' excess; E >= 1 is an alarm.  The score
 * is q E below an alarm and 1 - (1 - q) / E above, q = PCS_DET_ALARM_SCORE,
 * so that an alarm scores at least q and the score orders the evidence.
 * After an alarm the detector is refractory for at most `refractory`
 * points, ended early by `calm_s` seconds in a row of evidence below
 * `calm`: scores are damped to a tenth, since one event should be told
 * once, and early (the Numenta Anomaly Benchmark's scoring, which pcs is
 * measured by, rewards the first detection in a window and charges every
 * later one outside it), while the next event should be told too.
 *
 * The first cycle (the first point without one) initializes the baseline;
 * then `warmup` residuals teach it the scale; until then it scores 0.
 */
#ifndef PCS_DETECTOR_H
#define PCS_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "pcs_series.h"

#define PCS_DET_CLIP 4.0
#define PCS_DET_ALARM_SCORE 0.9995
#define PCS_DET_LEVEL_MAX 128   /* the most points in a level mean */

enum { PCS_DIR_NONE = 0, PCS_DIR_UP = 1, PCS_DIR_DOWN = -1 };

struct pcs_detector_params {
	double alpha;         /* level smoothing (default 0.05) */
	double gamma;         /* daily profile smoothing (0.1) */
	double delta;         /* weekly profile smoothing, of the residual share
	                       * the daily one leaves (0.5); 0: no weekly profile */
	double beta;          /* scale smoothing (0.02) */
	double spike_z;       /* least |z| of a spike (12) */
	double spike_q;       /* quantile of the |z| seen that a spike must beat
	                       * too (0.999); 0: spike_z alone */
	double spike_forget;  /* per-point forgetting of those |z| (2e-5) */
	double cusum_k;       /* allowance, in scales (0.5) */
	double cusum_h;       /* decision interval, in scales (25) */
	double novelty;       /* margin beyond the range seen, as a share of it (0.05); < 0: off */
	double level_s;       /* seconds of the mean whose novelty is tested (3600),
	                       * at most PCS_DET_LEVEL_MAX points; 0: off */
	double level_novelty; /* its margin beyond the range of those means (0.1) */
	double level_warmup_s; /* seconds of means seen before it is tested (172800) */
	size_t warmup;        /* residuals learnt before the first score (100) */
	size_t refractory;    /* most points damped after an alarm (200) */
	double calm;          /* evidence below which a point is calm (0.5) */
	double calm_s;        /* calm seconds in a row that end the refractory
	                       * period early (3600); 0: it runs its length */
	double onset_z;       /* least z of an upward jump that raises an onset
	                       * without an alarm (6); 0: alarms and CUSUM only */
};

void pcs_detector_defaults(struct pcs_detector_params *p);

typedef struct pcs_detector pcs_detector;

/* A detector for a series of step step_s seconds (> 0), with the daily
 * cycle of that step (pcs_detector_period); NULL when out of memory or
 * step_s <= 0. */
pcs_detector *pcs_detector_new(int64_t step_s, const struct pcs_detector_params *p);
void pcs_detector_free(pcs_detector *d);

struct pcs_detection {
	double expected;      /* the baseline's one-step forecast; until the
	                       * warm-up is over, the latest point (NaN before it) */
	double score;         /* in [0,1]; NaN at a gap or without an expectation */
	int alarm;            /* 1 when this point raised an alarm */
	int direction;        /* PCS_DIR_*: of the alarm, or of the evidence */
	double shift;         /* an onset's estimated level shift (0 otherwise) */
};

/* Feed the next point (NaN: a gap, which only moves the cycle on). */
void pcs_detector_step(pcs_detector *d, double y, struct pcs_detection *out);

/* The latest upward onset that is still going: 1 and its shift and the
 * number of points since it was raised, when an upward onset was raised
 * within the last `within` points (an upward alarm, an upward CUSUM
 * crossing, or a point at least onset_z scales above its expectation,
 * refractory or not) and the points since have stayed above the old level
 * (within half the shift); else 0. */
int pcs_detector_onset(const pcs_detector *d, size_t within, double *shift, size_t *age);

/* The daily cycle in points of a step of step_s seconds: 0 when a day is not
 * a whole number of steps, or is longer than PCS_MAX_PERIOD steps. */
size_t pcs_detector_period(int64_t step_s);

/* Run a detector (p NULL: the defaults) over s, with the daily cycle of its
 * step: expected, score and direction get s->n entries (NaN, NaN and
 * PCS_DIR_NONE at gaps).  0, or PCS_ENOMEM. */
int pcs_detect_series(const pcs_series *s, const struct pcs_detector_params *p,
                      double *expected, double *score, int *direction);

#endif
