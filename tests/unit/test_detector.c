/* Unit tests: the online detector (pcs_detector.h) on synthetic series with
 * a daily cycle of 288 points, noise, and planted spikes, shifts and gaps. */
#include <stdint.h>
#include <stdlib.h>

#include "rng.h"
#include "tap.h"
#include "pcs_detector.h"
#include "pcs_forecast.h"

#define STEP 300       /* 5-minute points */
#define P 288          /* a day of them */
#define N (8 * P)

/* roughly normal: the sum of 12 uniforms, centred */
static double
noise(void)
{
	double s = 0;

	for (int i = 0; i < 12; i++)
		s += unif();
	return s - 6;
}

/* A daily cycle around 100 with noise of sd 2. */
static void
make_series(double *y, size_t n, uint64_t seed)
{
	reseed(seed);
	for (size_t t = 0; t < n; t++)
		y[t] = 100 + 20 * sin(2 * M_PI * (double)(t % P) / P) + 2 * noise();
}

struct run {
	size_t alarms, first_alarm, alarms_before;
	int first_dir;
	double first_shift, max_score_before;
	int bad;                  /* a score outside [0,1] or NaN on a point */
};

/* Run a fresh detector over y; alarms_before and max_score_before count up
 * to `at` (excluded). */
static void
run(const double *y, size_t n, size_t at, pcs_detector **keep, struct run *r)
{
	pcs_detector *d = pcs_detector_new(STEP, NULL);
	struct pcs_detection o;

	memset(r, 0, sizeof *r);
	r->first_alarm = (size_t)-1;
	for (size_t t = 0; t < n; t++) {
		pcs_detector_step(d, y[t], &o);
		/* only the very first point has no expectation, so no score */
		if (!isnan(y[t]) && !(o.score >= 0 && o.score <= 1) && !(t == 0 && isnan(o.score)))
			r->bad = 1;
		if (t < at) {
			r->alarms_before += o.alarm;
			if (o.score > r->max_score_before)
				r->max_score_before = o.score;
		}
		if (o.alarm) {
			if (r->first_alarm == (size_t)-1 && t >= at) {
				r->first_alarm = t;
				r->first_dir = o.direction;
				r->first_shift = o.shift;
			}
			r->alarms++;
		}
	}
	if (keep)
		*keep = d;
	else
		pcs_detector_free(d);
}

/* Alarms from point `from` on, of a fresh detector with parameters p
 * (NULL: the defaults). */
static size_t
count_alarms(const double *y, size_t n, size_t from, const struct pcs_detector_params *p)
{
	pcs_detector *d = pcs_detector_new(STEP, p);
	struct pcs_detection o;
	size_t alarms = 0;

	for (size_t t = 0; t < n; t++) {
		pcs_detector_step(d, y[t], &o);
		if (t >= from)
			alarms += o.alarm;
	}
	pcs_detector_free(d);
	return alarms;
}

int
main(void)
{
	double *y = malloc(N * sizeof *y);
	struct run r;
	pcs_detector *d;
	struct pcs_detection o;
	double shift;
	size_t age;

	/* --- no anomaly: no alarm, over several seeds --- */
	{
		size_t alarms = 0, bad = 0;
		for (uint64_t seed = 1; seed <= 10; seed++) {
			make_series(y, N, seed);
			run(y, N, N, NULL, &r);
			alarms += r.alarms;
			bad += r.bad;
		}
		ok(alarms == 0, "a noisy daily cycle raises no alarm in 10 series of 8 days (%zu)", alarms);
		ok(bad == 0, "every score is in [0,1]");
	}

	/* --- learning: nothing is scored before a cycle and the warm-up --- */
	{
		struct pcs_detector_params p;
		int quiet = 1;
		pcs_detector_defaults(&p);
		make_series(y, N, 3);
		y[50] = 1e6;   /* would alarm if scored */
		d = pcs_detector_new(STEP, NULL);
		for (size_t t = 0; t < P; t++) {
			pcs_detector_step(d, y[t], &o);
			quiet &= (o.score == 0 || (t == 0 && isnan(o.score))) && !o.alarm;
		}
		ok(quiet, "no score during the first cycle, even for a spike of 1e6");
		pcs_detector_free(d);
		ok(p.warmup <= P, "the default warm-up (%zu points) is within a day of 5-minute points", p.warmup);
	}

	/* --- an upward step of 15 sd: an onset, up, soon; re-levelled --- */
	make_series(y, N, 4);
	for (size_t t = 5 * P; t < N; t++)
		y[t] += 30;
	run(y, N, 5 * P, &d, &r);
	ok(r.alarms_before == 0, "no alarm before the step");
	ok(r.first_alarm != (size_t)-1 && r.first_alarm - 5 * P <= 3,
	   "the step is raised within 3 points (at %zu after it)", r.first_alarm - 5 * P);
	ok(r.first_dir == PCS_DIR_UP, "its direction is up");
	ok(r.alarms == 1, "one alarm for one step (%zu): the new level becomes the normal one", r.alarms);
	ok(pcs_detector_onset(d, 10 * P, &shift, &age) == 1, "the onset is still going at the end");
	ok(shift > 15 && shift < 45, "its shift is about the step: %g", shift);
	ok(pcs_detector_onset(d, age, &shift, &age) == 0, "but not within fewer points than its age");
	pcs_detector_free(d);

	/* --- a downward step: down --- */
	make_series(y, N, 5);
	for (size_t t = 5 * P; t < N; t++)
		y[t] -= 30;
	run(y, N, 5 * P, &d, &r);
	ok(r.first_alarm != (size_t)-1 && r.first_alarm - 5 * P <= 3 && r.first_dir == PCS_DIR_DOWN,
	   "a downward step is raised soon, direction down");
	ok(pcs_detector_onset(d, 10 * P, &shift, &age) == 0, "a downward step is no upward onset");
	pcs_detector_free(d);

	/* --- a ramp: a slow surge is raised while it rises --- */
	make_series(y, N, 6);
	for (size_t t = 5 * P; t < N; t++)
		y[t] += t < 5 * P + 60 ? (double)(t - 5 * P) : 60;
	run(y, N, 5 * P, NULL, &r);
	ok(r.first_alarm != (size_t)-1 && r.first_alarm - 5 * P < 60 && r.first_dir == PCS_DIR_UP,
	   "a ramp of 1 a point (0.5 sd) up to 60 is raised before its top (at %zu of 60)",
	   r.first_alarm - 5 * P);

	/* --- a spike: one alarm, no re-levelling --- */
	make_series(y, N, 7);
	y[5 * P] += 200;
	run(y, N, 5 * P, &d, &r);
	ok(r.first_alarm == 5 * P && r.first_dir == PCS_DIR_UP, "a spike is raised at once, up");
	ok(r.alarms == 1, "and once");
	ok(pcs_detector_onset(d, N, &shift, &age) == 0,
	   "a spike that fell back is no onset going on, however long the hold");
	pcs_detector_free(d);

	/* --- a step soon after a spike's alarm, while refractory: the alarm
	 * is damped, but the onset is raised at once (onset_z), where
	 * without onset_z only the CUSUM raises it, points later --- */
	{
		struct pcs_detector_params p;
		size_t at[2] = { 0, 0 };
		pcs_detector_defaults(&p);
		for (int k = 0; k < 2; k++) {
			make_series(y, N, 8);
			y[5 * P] += 200;
			for (size_t t = 5 * P + 10; t < N; t++)
				y[t] += 30;
			p.onset_z = k == 0 ? 6 : 0;
			d = pcs_detector_new(STEP, &p);
			at[k] = (size_t)-1;
			for (size_t t = 0; t < N && at[k] == (size_t)-1; t++) {
				pcs_detector_step(d, y[t], &o);
				if (t >= 5 * P + 10 && pcs_detector_onset(d, 60, &shift, &age))
					at[k] = t - (5 * P + 10);
			}
			pcs_detector_free(d);
		}
		ok(at[0] == 0, "a step of 15 sd while refractory raises an onset at once (at %zu)", at[0]);
		ok(at[1] != (size_t)-1 && at[1] > at[0],
		   "without onset_z the onset comes later, from the CUSUM (at %zu)", at[1]);
	}

	/* --- spikes calibrated per series: after a spike of 30 sd, spikes
	 * of 20 sd every 100 points are not beyond the 99.9% of this series'
	 * |z| and not told; without the calibration (spike_q 0) each of them
	 * alarms; a spike beyond them alarms either way --- */
	{
		struct pcs_detector_params p;
		size_t with, without;
		pcs_detector_defaults(&p);
		make_series(y, N, 10);
		y[2 * P] += 60;
		for (size_t t = 2 * P + 100; t <= 2 * P + 300; t += 100)
			y[t] += 40;
		y[2 * P + 400] += 100;
		with = count_alarms(y, 2 * P + 350, 2 * P + 1, NULL);
		p.spike_q = 0;
		without = count_alarms(y, 2 * P + 350, 2 * P + 1, &p);
		ok(with == 0 && without == 3, "three spikes smaller than a recent one: %zu alarms, %zu without the calibration",
		   with, without);
		with = count_alarms(y, 2 * P + 450, 2 * P + 350, NULL);
		ok(with == 1, "a spike of 50 sd after them alarms");
	}

	/* --- the calibration has a long memory: after a spike of 20 sd on
	 * each of days 2 to 5 (at different times, so that the profile does
	 * not learn them), one of 15 sd five quiet days later is still this
	 * series' usual and not told (a maximum decaying 0.1% a point would
	 * have fallen to about 5 sd by then); without the calibration it alarms --- */
	{
		struct pcs_detector_params p;
		size_t ln = 11 * P, with, without;
		double *w = malloc(ln * sizeof *w);
		reseed(15);
		for (size_t t = 0; t < ln; t++)
			w[t] = 100 + 20 * sin(2 * M_PI * (double)(t % P) / P) + 2 * noise();
		for (size_t day = 2; day <= 5; day++)
			w[day * P + 40 * day] += 40;
		w[10 * P + 150] += 30;
		with = count_alarms(w, ln, 10 * P, NULL);
		pcs_detector_defaults(&p);
		p.spike_q = 0;
		without = count_alarms(w, ln, 10 * P, &p);
		ok(with == 0 && without == 1, "a spike like those of five days before: %zu alarms, %zu without the calibration",
		   with, without);
		free(w);
	}

	/* --- the refractory period ends when the evidence has calmed: a
	 * second spike 60 points after the first is told too, and is not
	 * when the refractory period runs its length (calm_s 0) --- */
	{
		struct pcs_detector_params p;
		size_t with, without;
		pcs_detector_defaults(&p);
		make_series(y, N, 11);
		y[5 * P] += 200;
		y[5 * P + 60] += 200;
		with = count_alarms(y, N, 5 * P, NULL);
		p.calm_s = 0;
		without = count_alarms(y, N, 5 * P, &p);
		ok(with == 2 && without == 1, "two spikes 60 points apart: %zu alarms, %zu without the calm rule",
		   with, without);
	}

	/* --- a first cycle with an outlier: the profile unlearns it fast,
	 * since the same phase deviates the same way day after day --- */
	{
		double err;
		make_series(y, N, 12);
		y[50] += 400;
		d = pcs_detector_new(STEP, NULL);
		err = NAN;
		for (size_t t = 0; t < N; t++) {
			pcs_detector_step(d, y[t], &o);
			if (t == 7 * P + 50)
				err = o.expected - (100 + 20 * sin(2 * M_PI * 50.0 / P));
		}
		pcs_detector_free(d);
		/* clipped at 4 sd alone, the profile would still be ~360 off, and
		 * smoothed at gamma ~100 */
		ok(fabs(err) < 20, "an outlier of 400 in the first cycle is unlearnt: %g off after 6 days", err);
		ok(count_alarms(y, N, 2 * P + 60, NULL) == 0, "and raises no alarm from the third day on");
	}

	/* --- the level novelty: with the spike, CUSUM and point novelty
	 * tests off, three hours 8 sd above the daily peak are told by the
	 * hourly mean (up), and not with level_s 0 --- */
	{
		struct pcs_detector_params p;
		pcs_detector *dl;
		size_t first = (size_t)-1, without;
		int dir = PCS_DIR_NONE;
		make_series(y, N, 14);
		for (size_t t = 5 * P + P / 4 - 18; t < 5 * P + P / 4 + 18; t++)
			y[t] += 16;
		pcs_detector_defaults(&p);
		p.spike_z = 1e9;
		p.cusum_h = 1e9;
		p.novelty = -1;
		dl = pcs_detector_new(STEP, &p);
		for (size_t t = 0; t < N; t++) {
			pcs_detector_step(dl, y[t], &o);
			if (o.alarm && first == (size_t)-1) {
				first = t;
				dir = o.direction;
			}
		}
		pcs_detector_free(dl);
		ok(first >= 5 * P + P / 4 - 18 && first < 5 * P + P / 4 + 18 && dir == PCS_DIR_UP,
		   "a sustained rise is told by the level novelty, up, %zu points in",
		   first - (5 * P + P / 4 - 18));
		p.level_s = 0;
		without = count_alarms(y, N, 0, &p);
		ok(without == 0, "and nothing is told without it (%zu alarms)", without);
	}

	/* --- a weekly pattern (a bump of 4 sd for 6 hours every seventh
	 * day) is learnt by the weekly profile: no alarm in weeks 4 to 6,
	 * where the daily profile alone (delta 0) alarms --- */
	{
		struct pcs_detector_params p;
		size_t wn = 42 * P, with, without;
		double *w = malloc(wn * sizeof *w);
		reseed(13);
		for (size_t t = 0; t < wn; t++)
			w[t] = 100 + 20 * sin(2 * M_PI * (double)(t % P) / P) + 2 * noise() +
			       ((t / P) % 7 == 5 && t % P >= 100 && t % P < 172 ? 8 : 0);
		pcs_detector_defaults(&p);
		with = count_alarms(w, wn, 21 * P, NULL);
		p.delta = 0;
		without = count_alarms(w, wn, 21 * P, &p);
		ok(with == 0 && without > 0, "a weekly bump: %zu alarms in weeks 4 to 6, %zu without the weekly profile",
		   with, without);
		/* the weekly profile costs 7 days: not kept beyond PCS_MAX_PERIOD points */
		d = pcs_detector_new(9, NULL);   /* a day of 9600 points, PCS_MAX_PERIOD at most */
		ok(pcs_detector_period(9) <= PCS_MAX_PERIOD && d != NULL,
		   "a detector with the longest cycle is made (without a weekly profile)");
		pcs_detector_free(d);
		free(w);
	}

	/* --- a gap: NaN scores, the cycle goes on --- */
	make_series(y, N, 8);
	for (size_t t = 4 * P; t < 4 * P + 100; t++)
		y[t] = NAN;
	d = pcs_detector_new(STEP, NULL);
	{
		int nan_ok = 1;
		size_t alarms = 0;
		for (size_t t = 0; t < N; t++) {
			pcs_detector_step(d, y[t], &o);
			if (isnan(y[t]))
				nan_ok &= isnan(o.score) && !o.alarm;
			alarms += o.alarm;
		}
		ok(nan_ok, "a gap scores NaN and raises nothing");
		ok(alarms == 0, "and the cycle stays in phase after it (%zu alarms)", alarms);
	}
	pcs_detector_free(d);

	/* --- extreme values stay finite --- */
	{
		int fin = 1;
		ok(pcs_detector_new(0, NULL) == NULL && pcs_detector_new(-300, NULL) == NULL,
		   "no detector without a step");
		d = pcs_detector_new(7, NULL);   /* no daily cycle */
		for (size_t t = 0; t < 1000; t++) {
			pcs_detector_step(d, t % 2 ? 1e300 : 1e-300, &o);
			fin &= t == 0 || (isfinite(o.score) && o.score >= 0 && o.score <= 1);
		}
		pcs_detector_free(d);
		ok(fin, "values alternating 1e300 and 1e-300 give finite scores in [0,1]");
		d = pcs_detector_new(7, NULL);
		for (size_t t = 0; t < 1000; t++) {
			pcs_detector_step(d, 5, &o);
			fin &= o.score == 0 || t < 100;
		}
		pcs_detector_step(d, 5.001, &o);
		ok(fin && o.alarm, "a constant series scores 0, and its first change alarms");
		pcs_detector_free(d);
	}

	/* --- pcs_detect_series is the detector stepped over the series --- */
	{
		pcs_series s = { .start = 0, .step = 300, .n = N, .y = y };
		double *e = malloc(N * sizeof *e), *sc = malloc(N * sizeof *sc);
		int *dir = malloc(N * sizeof *dir), same = 1;
		make_series(y, N, 9);
		y[6 * P] += 100;
		ok(pcs_detect_series(&s, NULL, e, sc, dir) == 0, "pcs_detect_series runs");
		d = pcs_detector_new(300, NULL);
		for (size_t t = 0; t < N; t++) {
			pcs_detector_step(d, y[t], &o);
			same &= (o.score == sc[t] || (isnan(o.score) && isnan(sc[t]))) &&
			        o.direction == dir[t] &&
			        (o.expected == e[t] || (isnan(o.expected) && isnan(e[t])));
		}
		ok(same, "and gives the same expectations, scores and directions");
		pcs_detector_free(d);
		free(e);
		free(sc);
		free(dir);
	}
	ok(pcs_detector_period(300) == 288 && pcs_detector_period(60) == 1440 &&
	   pcs_detector_period(7) == 0 && pcs_detector_period(1) == 0 &&
	   pcs_detector_period(86400) == 0,
	   "the daily cycle: 288 points at 5 minutes, 1440 at 1 minute, none at 7 s, 1 s or 1 day");
	free(y);
	return tap_done();
}
