/* detector.c — online anomaly and onset detection (see pcs_detector.h). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_detector.h"
#include "pcs_error.h"
#include "pcs_forecast.h"

/* The |z| histogram's bins: 1 + |z| by octave (its binary exponent), each
 * octave in 16 by its mantissa's top four bits, as HdrHistogram does: bins
 * 4.4% to 6.25% wide, found from the bits without a logarithm; |z| up to
 * 2^13 - 1, beyond which everything is in the top bin. */
#define PCS_DET_ZSUB 16
#define PCS_DET_ZBINS (13 * PCS_DET_ZSUB)
#define PCS_DET_ZMIN 100        /* |z| seen before their quantile is a bar */

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
	/* the |z| seen, for the spike's bar: a histogram (z_bin) whose entries
	 * weigh zw, zw growing so that older ones weigh less; zq is the
	 * highest bin at or above which lies at least 1 - spike_q of the
	 * weight, zq_mass the weight at or above it */
	double zhist[PCS_DET_ZBINS];
	double zw, ztotal, zq_mass;
	double zq_value;        /* the upper edge of bin zq: the quantile */
	size_t zq, nz;
	/* the level novelty: the last nlevel points and their means (rings),
	 * their sum, and the range of the means seen before the last nlevel */
	double *ring, *means, ring_sum;
	size_t nlevel, ring_n, ring_head, nmeans, level_warm;
	double mean_lo, mean_hi;
	size_t calm_points;     /* calm_s in points */
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
	p->spike_q = 0.999;
	p->spike_forget = 2e-5;
	p->cusum_k = 0.5;
	p->cusum_h = 25;
	p->novelty = 0.05;
	p->level_s = 3600;
	p->level_novelty = 0.1;
	p->level_warmup_s = 172800;
	p->warmup = 100;
	p->refractory = 200;
	p->calm = 0.5;
	p->calm_s = 3600;
	p->onset_z = 6;
}

/* seconds as a whole number of steps, at least 1 (0 for 0 seconds) */
static size_t
points_of(double seconds, int64_t step_s, int round_up)
{
	double n = seconds / (double)step_s;

	if (!(seconds > 0))
		return 0;
	n = round_up ? ceil(n - 1e-9) : floor(n + 0.5);
	return n < 1 ? 1 : n > 1e15 ? (size_t)1e15 : (size_t)n;
}

pcs_detector *
pcs_detector_new(int64_t step_s, const struct pcs_detector_params *p)
{
	pcs_detector *d;
	size_t period = pcs_detector_period(step_s);

	if (step_s <= 0 || (d = calloc(1, sizeof *d)) == NULL)
		return NULL;
	if (p)
		d->p = *p;
	else
		pcs_detector_defaults(&d->p);
	d->period = period > 1 ? period : 0;
	d->last = NAN;
	d->lo = INFINITY;
	d->hi = -INFINITY;
	d->zw = 1;
	d->calm_points = points_of(d->p.calm_s, step_s, 1);
	d->nlevel = points_of(d->p.level_s, step_s, 0);
	if (d->nlevel > PCS_DET_LEVEL_MAX)
		d->nlevel = PCS_DET_LEVEL_MAX;
	d->level_warm = points_of(d->p.level_warmup_s, step_s, 1);
	if (d->nlevel && ((d->ring = malloc(d->nlevel * sizeof *d->ring)) == NULL ||
	                  (d->means = malloc(d->nlevel * sizeof *d->means)) == NULL))
		goto fail;
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
		free(d->ring);
		free(d->means);
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

/* Whether this phase's residual is a recurring deviation: beyond the clip
 * on the same side as the same phase of the last cycle.  A deviation that
 * comes back at the same time of day is the profile's error (a first cycle
 * that held an outlier, a daily burst), not an outlier: clipped and
 * smoothed it would take dozens of cycles to learn, and the CUSUM would
 * cross on it every day meanwhile.  It is corrected in full by the smaller
 * of the two, so that one spike cannot teach the profile. */
static int
recurring(const pcs_detector *d, double z)
{
	double zl = d->lastz[d->phase];

	return fabs(z) > PCS_DET_CLIP && fabs(zl) > PCS_DET_CLIP && z * zl > 0;
}

/* The bin of |z| (see PCS_DET_ZSUB) */
static size_t
z_bin(double z)
{
	double x = 1 + fabs(z);
	uint64_t bits;
	size_t octave;

	if (!(x < 8192))
		return PCS_DET_ZBINS - 1;
	memcpy(&bits, &x, sizeof bits);
	octave = (size_t)((bits >> 52) & 0x7ff) - 1023;   /* x >= 1: 0 .. 12 */
	return octave * PCS_DET_ZSUB + (size_t)((bits >> 48) & 0xf);
}

/* ... and the upper edge of bin b, in |z| */
static double
z_edge(size_t b)
{
	return ldexp(1 + (double)(b % PCS_DET_ZSUB + 1) / PCS_DET_ZSUB, (int)(b / PCS_DET_ZSUB)) - 1;
}

/* The spike's bar: spike_z, or the spike_q quantile of the |z| seen when
 * higher (the upper edge of its bin), once PCS_DET_ZMIN of them are seen. */
static double
spike_bar(const pcs_detector *d)
{
	double q = d->nz >= PCS_DET_ZMIN ? d->zq_value : 0;

	return q > d->p.spike_z ? q : d->p.spike_z;
}

/* Add |z| to the histogram and move the quantile's bin to it: the weight
 * at or above zq stays at least (1 - spike_q) of the total, and the weight
 * above it less; the bin moves a step or two a point. */
static void
learn_z(pcs_detector *d, double z)
{
	double need;
	size_t b = z_bin(z), was = d->zq;

	d->zhist[b] += d->zw;
	d->ztotal += d->zw;
	if (b >= d->zq)
		d->zq_mass += d->zw;
	d->nz++;
	need = (1 - d->p.spike_q) * d->ztotal;
	while (d->zq + 1 < PCS_DET_ZBINS && d->zq_mass - d->zhist[d->zq] >= need)
		d->zq_mass -= d->zhist[d->zq++];
	while (d->zq > 0 && d->zq_mass < need)
		d->zq_mass += d->zhist[--d->zq];
	if (d->zq != was || d->nz == 1)
		d->zq_value = z_edge(d->zq);
	/* forgetting: the next entry weighs more than this one; rescaled
	 * before the weights overflow */
	d->zw /= 1 - d->p.spike_forget;
	if (d->zw > 1e100) {
		for (size_t i = 0; i < PCS_DET_ZBINS; i++)
			d->zhist[i] /= d->zw;
		d->ztotal /= d->zw;
		d->zq_mass /= d->zw;
		d->zw = 1;
	}
}

/* How far x is beyond [lo, hi] by more than margin, in margins (0 when not
 * beyond it), and which way. */
static double
beyond_range(double x, double lo, double hi, double margin, int *dir)
{
	if (x > hi + margin) {
		*dir = PCS_DIR_UP;
		return (x - hi) / margin;
	}
	if (x < lo - margin) {
		*dir = PCS_DIR_DOWN;
		return (lo - x) / margin;
	}
	return 0;
}

/* The level novelty of the mean of the last nlevel points, y the latest:
 * its excess beyond the range of the means before the last nlevel, over
 * the margin (0 when within it or still warming up).  The range leaves the
 * last nlevel means out, since they overlap this one: a mean climbing a
 * little a point would otherwise move the range up with it and never be
 * beyond it. */
static double
level_novelty(pcs_detector *d, double y, int *dir)
{
	double m, range, margin;
	size_t slot;

	if (d->nlevel == 0)
		return 0;
	if (d->ring_n == d->nlevel)
		d->ring_sum -= d->ring[d->ring_head];
	else
		d->ring_n++;
	d->ring[d->ring_head] = y;
	d->ring_sum += y;
	if (++d->ring_head == d->nlevel)
		d->ring_head = 0;
	if (d->ring_n < d->nlevel)
		return 0;
	if (d->ring_head == 0) {
		/* a fresh sum once a round, so that rounding cannot drift */
		d->ring_sum = 0;
		for (size_t i = 0; i < d->nlevel; i++)
			d->ring_sum += d->ring[i];
	}
	m = d->ring_sum / (double)d->nlevel;
	/* the mean nlevel points old joins the range; this one waits.  Both
	 * rings advance a slot a call once full, so the means' slot is the
	 * points' head */
	slot = d->ring_head;
	if (d->nmeans >= d->nlevel) {
		double old = d->means[slot];
		if (d->nmeans == d->nlevel)
			d->mean_lo = d->mean_hi = old;
		d->mean_lo = fmin(d->mean_lo, old);
		d->mean_hi = fmax(d->mean_hi, old);
	}
	d->means[slot] = m;
	d->nmeans++;
	range = d->mean_hi - d->mean_lo;
	margin = d->p.level_novelty * range;
	if (d->nmeans > d->level_warm && range > 0 && margin > 0)
		return beyond_range(m, d->mean_lo, d->mean_hi, margin, dir);
	return 0;
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

	/* the evidence: spike, shift, novelties.  A spike must also beat a
	 * high quantile of the series' own |z|: on a heavy-tailed series that
	 * spikes every day, a spike like its usual ones is not news, and this
	 * calibrates the test per series without a per-series parameter */
	if (d->nmad >= p->warmup && p->spike_q > 0) {
		ev = fabs(z) / spike_bar(d);
		learn_z(d, z);
	} else {
		ev = fabs(z) / p->spike_z;
	}
	dir = z > 0 ? PCS_DIR_UP : z < 0 ? PCS_DIR_DOWN : PCS_DIR_NONE;
	if (d->cu / p->cusum_h > ev) {
		ev = d->cu / p->cusum_h;
		dir = PCS_DIR_UP;
	}
	if (d->cd / p->cusum_h > ev) {
		ev = d->cd / p->cusum_h;
		dir = PCS_DIR_DOWN;
	}
	if (d->nmad >= p->warmup) {
		int ldir = PCS_DIR_NONE;
		double lev = level_novelty(d, y, &ldir);
		if (lev > ev) {
			ev = lev;
			dir = ldir;
		}
	}
	if (p->novelty >= 0 && d->hi > d->lo) {
		int ndir = PCS_DIR_NONE;
		double beyond = beyond_range(y, d->lo, d->hi, p->novelty * (d->hi - d->lo), &ndir);
		if (beyond > ev) {
			ev = beyond;
			dir = ndir;
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
		if (d->refractory > 0 && d->calm_points > 0) {
			d->calm_run = ev < p->calm ? d->calm_run + 1 : 0;
			if (d->calm_run >= d->calm_points)
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
		double zr = r / s;   /* against the new level after a crossing */
		int again = recurring(d, zr);
		double rs = again ? copysign(fmin(fabs(zr), fabs(d->lastz[d->phase])) * s, r) : rc;
		d->season[d->phase] += (again ? 1 : p->gamma) * (1 - p->alpha) * rs;
		if (d->week)
			d->week[d->wphase] += p->delta * (1 - p->gamma) * (1 - p->alpha) * rs;
		d->lastz[d->phase] = zr;
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
	pcs_detector *d = pcs_detector_new(s->step, p);
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
