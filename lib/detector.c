/* detector.c — online anomaly and onset detection (see pcs_detector.h). */
#include <math.h>
#include <stdlib.h>

#include "pcs_detector.h"
#include "pcs_error.h"
#include "pcs_forecast.h"

struct pcs_detector {
	struct pcs_detector_params p;
	size_t period;          /* 0: no cycle */
	double *season;         /* [period] */
	double *lastz;          /* [period]: each phase's z in the last cycle */
	double *week;           /* [7 period]: the weekly profile (NULL: none) */
	size_t phase;           /* of the next point */
	size_t wphase;          /* the same in the week */
	size_t steps;           /* points and gaps fed */
	int ready;              /* the baseline is initialized */
	double first_sum;       /* the first cycle, for the initial level */
	size_t first_n;
	double level, mad;      /* mad: weighted mean absolute residual */
	size_t nmad;            /* residuals in mad (its weight starts as 1/n) */
	double cu, cd;          /* CUSUM statistics, in scales */
	double ru, rd;          /* residual sums of the runs that built them */
	size_t nu, nd;
	double lo, hi;          /* range of the points seen (+inf, -inf before any) */
	double last;            /* the latest point (NaN before the first) */
	double zmax;            /* the largest |z| seen, decaying */
	size_t refractory;      /* points left to damp */
	size_t calm_run;        /* calm points in a row since the latest alarm */
	/* the latest upward onset */
	int onset;
	double onset_shift;
	int onset_relevelled;   /* raised by a crossing, which moved the baseline */
	size_t onset_step;
};

void
pcs_detector_defaults(struct pcs_detector_params *p)
{
	p->alpha = 0.05;
	p->gamma = 0.1;
	p->delta = 0.5;
	p->beta = 0.02;
	p->spike_z = 12;
	p->spike_decay = 0.001;
	p->cusum_k = 0.5;
	p->cusum_h = 25;
	p->novelty = 0.05;
	p->warmup = 100;
	p->refractory = 200;
	p->calm = 0.5;
	p->calm_points = 24;
	p->onset_z = 6;
}

pcs_detector *
pcs_detector_new(size_t period, const struct pcs_detector_params *p)
{
	pcs_detector *d = calloc(1, sizeof *d);

	if (d == NULL)
		return NULL;
	if (p)
		d->p = *p;
	else
		pcs_detector_defaults(&d->p);
	d->period = period > 1 ? period : 0;
	d->last = NAN;
	d->lo = INFINITY;
	d->hi = -INFINITY;
	if (d->period && ((d->season = calloc(d->period, sizeof *d->season)) == NULL ||
	                  (d->lastz = calloc(d->period, sizeof *d->lastz)) == NULL))
		goto fail;
	/* the weekly profile costs seven days of memory: only while a week
	 * stays within the longest cycle pcs keeps */
	if (d->period && d->p.delta > 0 && d->period <= PCS_MAX_PERIOD / 7 &&
	    (d->week = calloc(7 * d->period, sizeof *d->week)) == NULL)
		goto fail;
	return d;
fail:
	pcs_detector_free(d);
	return NULL;
}

void
pcs_detector_free(pcs_detector *d)
{
	if (d) {
		free(d->season);
		free(d->lastz);
		free(d->week);
		free(d);
	}
}

static double
clamp(double x, double lim)
{
	return x > lim ? lim : x < -lim ? -lim : x;
}

/* The first cycle (or the first point without one) sets the baseline: the
 * level is its mean, the profile each phase's departure from it. */
static void
learn_first_cycle(pcs_detector *d, double y)
{
	if (!isnan(y)) {
		if (d->period)
			d->season[d->phase] = y;
		d->first_sum += y;
		d->first_n++;
	} else if (d->period) {
		d->season[d->phase] = NAN;
	}
	if (d->first_n == 0 || (d->period && d->steps + 1 < d->period))
		return;
	d->level = d->first_sum / (double)d->first_n;
	for (size_t i = 0; i < d->period; i++)
		d->season[i] = isnan(d->season[i]) ? 0 : d->season[i] - d->level;
	d->ready = 1;
}

/* The scale of a residual: a standard deviation estimated from the mean
 * absolute residual, floored relative to the level. */
static double
scale_of(const pcs_detector *d)
{
	double floor = 1e-6 * (fabs(d->level) + (d->hi - d->lo)) + 1e-12;
	double sd = d->mad * 1.2533141373155;   /* sqrt(pi / 2) */

	return sd > floor ? sd : floor;
}

static double
score_of(double e)
{
	/* q e below an alarm, 1 - (1 - q) / e above: q at e = 1, never 1, so
	 * that any two levels of evidence stay apart */
	const double q = PCS_DET_ALARM_SCORE;

	return e < 1 ? q * e : 1 - (1 - q) / e;
}

/* The baseline's expectation of the current phase. */
static double
expectation(const pcs_detector *d)
{
	return d->level + (d->period ? d->season[d->phase] : 0) + (d->week ? d->week[d->wphase] : 0);
}

/* The residual that teaches the profiles: clipped like every other, unless
 * the same phase of the last cycle was beyond the clip on the same side.
 * A deviation that comes back at the same time of day is the profile's
 * error (a first cycle that held an outlier, a daily burst), not an
 * outlier, and clipped it would take dozens of cycles to learn; it is
 * learnt by the smaller of the two, so that one spike cannot. */
static double
profile_residual(const pcs_detector *d, double r, double rc, double s)
{
	double z = r / s, zl = d->lastz[d->phase];

	if (fabs(z) > PCS_DET_CLIP && fabs(zl) > PCS_DET_CLIP && z * zl > 0)
		return (z > 0 ? 1 : -1) * fmin(fabs(z), fabs(zl)) * s;
	return rc;
}

void
pcs_detector_step(pcs_detector *d, double y, struct pcs_detection *out)
{
	const struct pcs_detector_params *p = &d->p;
	double s, e, r, rc, z, ev, shift = 0;
	int dir = PCS_DIR_NONE, crossed = 0;

	out->expected = NAN;
	out->score = NAN;
	out->alarm = 0;
	out->direction = PCS_DIR_NONE;
	out->shift = 0;
	if (!d->ready) {
		/* learning the cycle: the expectation is the latest point (naive) */
		out->expected = d->last;
		if (!isnan(y) && !isnan(d->last))
			out->score = 0;
		learn_first_cycle(d, y);
		goto next;
	}
	e = expectation(d);
	/* until the scale is learnt, the baseline is not to be trusted: the
	 * expectation shown is the latest point */
	out->expected = d->nmad >= p->warmup ? e : d->last;
	if (isnan(y))
		goto next;
	out->score = 0;
	s = scale_of(d);
	r = y - e;
	z = r / s;

	/* CUSUM of the clipped z: a spike adds at most PCS_DET_CLIP */
	{
		double zc = clamp(z, PCS_DET_CLIP);
		d->cu = fmax(0, d->cu + zc - p->cusum_k);
		d->cd = fmax(0, d->cd - zc - p->cusum_k);
		if (d->cu > 0) {
			d->ru += r;
			d->nu++;
		} else {
			d->ru = 0;
			d->nu = 0;
		}
		if (d->cd > 0) {
			d->rd += r;
			d->nd++;
		} else {
			d->rd = 0;
			d->nd = 0;
		}
	}

	/* the evidence: spike, shift, novelty.  A spike must also reach the
	 * largest |z| of the recent past (decaying): on a heavy-tailed series
	 * that spikes every day, a spike like yesterday's is not news, and
	 * this calibrates the test per series without a per-series
	 * parameter */
	ev = fabs(z) / fmax(p->spike_z, d->zmax);
	if (d->nmad >= p->warmup && p->spike_decay > 0)
		d->zmax = fmax(d->zmax * (1 - p->spike_decay), fabs(z));
	dir = z > 0 ? PCS_DIR_UP : z < 0 ? PCS_DIR_DOWN : PCS_DIR_NONE;
	if (d->cu / p->cusum_h > ev) {
		ev = d->cu / p->cusum_h;
		dir = PCS_DIR_UP;
	}
	if (d->cd / p->cusum_h > ev) {
		ev = d->cd / p->cusum_h;
		dir = PCS_DIR_DOWN;
	}
	if (p->novelty >= 0 && d->hi > d->lo) {
		double range = d->hi - d->lo, m = p->novelty * range;
		double beyond = y > d->hi + m ? (y - d->hi) / m : y < d->lo - m ? (d->lo - y) / m : 0;
		if (beyond > ev) {
			ev = beyond;
			dir = y > d->hi ? PCS_DIR_UP : PCS_DIR_DOWN;
		}
	}

	/* a CUSUM crossing re-levels the baseline, refractory or not: the
	 * shifted level is the normal one from now on */
	if (d->cu >= p->cusum_h && d->nu > 0) {
		shift = d->ru / (double)d->nu;
		crossed = PCS_DIR_UP;
	} else if (d->cd >= p->cusum_h && d->nd > 0) {
		shift = d->rd / (double)d->nd;
		crossed = PCS_DIR_DOWN;
	}
	if (crossed) {
		d->level += shift;
		d->cu = d->cd = d->ru = d->rd = 0;
		d->nu = d->nd = 0;
		r -= shift;   /* the point is judged against the new level below */
	}

	if (d->nmad >= p->warmup) {
		out->score = score_of(ev);
		out->direction = dir;
		/* the event is over when the evidence has stayed low for a while:
		 * the refractory period ends there, so that the next event, which
		 * may come soon on a short series, is told too */
		if (d->refractory > 0 && p->calm_points > 0) {
			d->calm_run = ev < p->calm ? d->calm_run + 1 : 0;
			if (d->calm_run >= p->calm_points)
				d->refractory = 0;
		}
		if (d->refractory > 0) {
			out->score *= 0.1;
		} else if (ev >= 1) {
			out->alarm = 1;
			d->refractory = p->refractory + 1;
			d->calm_run = 0;
			out->shift = crossed ? shift : r;
		}
		/* an upward alarm or crossing raises an onset, and so does a jump
		 * the alarm does not tell (refractory, or like the recent spikes):
		 * the forecast should follow it while it holds, since the alarm is
		 * news and the onset is load */
		if ((dir == PCS_DIR_UP && (out->alarm || crossed == PCS_DIR_UP)) ||
		    (p->onset_z > 0 && z >= p->onset_z)) {
			d->onset = 1;
			d->onset_relevelled = dir == PCS_DIR_UP && crossed == PCS_DIR_UP;
			d->onset_shift = d->onset_relevelled ? shift : r;
			d->onset_step = d->steps;
		}
	}
	/* fell back to within half the shift of the old level: over (a
	 * crossing moved the baseline by the shift, an alarm did not) */
	if (d->onset && y - expectation(d) + (d->onset_relevelled ? d->onset_shift : 0) <
	    d->onset_shift / 2)
		d->onset = 0;

	/* learn from the point, clipped so that an outlier does not drag the
	 * baseline or the scale; the weekly profile learns the share of the
	 * residual that the daily one leaves (Taylor 2003's double seasonal
	 * Holt-Winters, additive) */
	rc = d->nmad >= p->warmup ? clamp(r, PCS_DET_CLIP * s) : r;
	d->level += p->alpha * rc;
	if (d->period) {
		double rs = profile_residual(d, r, rc, s);
		d->season[d->phase] += p->gamma * (1 - p->alpha) * rs;
		if (d->week)
			d->week[d->wphase] += p->delta * (1 - p->gamma) * (1 - p->alpha) * rs;
		d->lastz[d->phase] = r / s;
	}
	d->nmad++;
	{
		double w = 1.0 / (double)d->nmad;
		if (w < p->beta)
			w = p->beta;
		d->mad += w * (fabs(rc) - d->mad);
	}
	if (d->refractory > 0)
		d->refractory--;
next:
	if (!isnan(y)) {
		d->last = y;
		d->lo = fmin(d->lo, y);
		d->hi = fmax(d->hi, y);
	}
	d->steps++;
	if (d->period) {
		d->phase = (d->phase + 1) % d->period;
		if (d->week)
			d->wphase = (d->wphase + 1) % (7 * d->period);
	}
}

int
pcs_detector_onset(const pcs_detector *d, size_t within, double *shift, size_t *age)
{
	if (!d->onset || d->steps - 1 - d->onset_step >= within)
		return 0;
	*shift = d->onset_shift;
	*age = d->steps - 1 - d->onset_step;
	return 1;
}

size_t
pcs_detector_period(int64_t step_s)
{
	if (step_s <= 0 || 86400 % step_s != 0 || 86400 / step_s > PCS_MAX_PERIOD ||
	    86400 / step_s < 2)
		return 0;
	return (size_t)(86400 / step_s);
}

int
pcs_detect_series(const pcs_series *s, const struct pcs_detector_params *p, double *expected,
                  double *score, int *direction)
{
	pcs_detector *d = pcs_detector_new(pcs_detector_period(s->step), p);
	struct pcs_detection out;

	if (d == NULL)
		return PCS_ENOMEM;
	for (size_t t = 0; t < s->n; t++) {
		pcs_detector_step(d, s->y[t], &out);
		expected[t] = out.expected;
		score[t] = out.score;
		direction[t] = out.direction;
	}
	pcs_detector_free(d);
	return 0;
}
