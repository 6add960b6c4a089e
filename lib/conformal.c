/* conformal.c — phase-conditioned (Mondrian) split-conformal upper bounds
 * of demand (see pcs_conformal.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_conformal.h"

/* The partitions tried: pooled, the step within a period, the hour. */
static const struct partition {
	const char *name;
	int64_t period_s;   /* 0: pooled */
	int hour;           /* the hour of the day */
} partitions[] = {
	{ "pooled", 0, 0 }, { "5m", 300, 0 }, { "10m", 600, 0 }, { "15m", 900, 0 },
	{ "30m", 1800, 0 }, { "1h", 3600, 0 }, { "hour", 86400, 1 },
};
#define NPART (sizeof partitions / sizeof partitions[0])

/* The powers of the mean that scale an error: constant spread, Poisson-like
 * (the spread of a count grows as its square root), proportional. */
static const double powers[] = { 0, 0.5, 1 };
#define NPOW (sizeof powers / sizeof powers[0])

/* The point forecasts a bound may stand on: the model's mean (0), or the
 * mean of the demand over the last locals[b] steps (b >= 1), which is
 * sharper than a seasonal model's at short horizons when the per-step
 * noise is wide and the level moves slowly. */
static const size_t locals[] = { 0, 4, 16, 64 };
static const char *const base_names[] = { "model", "local4", "local16", "local64" };
#define NBASE (sizeof locals / sizeof locals[0])
_Static_assert(sizeof base_names / sizeof base_names[0] == NBASE, "a name for every base");
#define LOCAL_MAX 64   /* the demands kept: the longest local mean */

/* One horizon: the ring of its (target, mean, demand) triples, the
 * forecasts waiting for their target, and the chosen cell quantiles. */
struct horizon {
	size_t h;
	double *mean, *y;        /* mean: NBASE a score, one a base, floored */
	int64_t *tau;            /* step index of the target */
	size_t n, head;          /* head: the next slot to write */
	double *pend;            /* forecast means (NBASE) by target step index mod h + 1 */
	int64_t *pend_tau;
	double *table;
};

struct pcs_conformal {
	struct horizon *hz;
	size_t nh, window;
	double level;
	int64_t step;
	double sum_y;            /* for the floor: the mean demand seen */
	size_t n_y;
	int part, pow, base;     /* the choice: indices, -1 before a table */
	size_t maxcells;
	double recent[LOCAL_MAX];  /* the demand by step index mod LOCAL_MAX */
	int64_t recent_k[LOCAL_MAX];
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t
pos_mod(int64_t a, int64_t b)
{
	int64_t m = a % b;
	return m < 0 ? m + b : m;
}

static size_t
ncells(const pcs_conformal *c, int p)
{
	const struct partition *t = &partitions[p];
	if (t->period_s == 0)
		return 1;
	return t->hour ? 24 : (size_t)(t->period_s / c->step);
}

/* A whole number of steps per cell, and at least two cells. */
static int
usable(const pcs_conformal *c, int p)
{
	const struct partition *t = &partitions[p];
	if (t->period_s == 0)
		return 1;
	if (t->hour)
		return c->step <= 3600 && 3600 % c->step == 0;
	return t->period_s % c->step == 0 && t->period_s / c->step >= 2;
}

/* The cell of target step index k under partition p. */
static size_t
cell_of(const pcs_conformal *c, int p, int64_t k)
{
	const struct partition *t = &partitions[p];
	if (t->period_s == 0)
		return 0;
	int64_t s = pos_mod(k * c->step, t->period_s);
	return (size_t)(t->hour ? s / 3600 : s / c->step);
}

static double
floored(const pcs_conformal *c, double m)
{
	double f = c->n_y ? 1e-3 * c->sum_y / (double)c->n_y : 0;
	return m > f ? m : f > 0 ? f : 1e-12;
}

pcs_conformal *
pcs_conformal_new(const size_t *h, size_t nh, double level, size_t window, int64_t step)
{
	pcs_conformal *c;

	if (nh == 0 || window < 2 || step <= 0 || !(level > 0 && level < 1))
		return NULL;
	for (size_t j = 0; j < nh; j++)
		if (h[j] < 1 || h[j] > PCS_CONFORMAL_MAX_H)
			return NULL;
	if ((c = calloc(1, sizeof *c)) == NULL || (c->hz = calloc(nh, sizeof *c->hz)) == NULL) {
		free(c);
		return NULL;
	}
	c->nh = nh;
	c->window = window;
	c->level = level;
	c->step = step;
	c->part = c->pow = c->base = -1;
	for (size_t i = 0; i < LOCAL_MAX; i++)
		c->recent_k[i] = INT64_MIN;
	for (int p = 0; p < (int)NPART; p++)
		if (usable(c, p) && ncells(c, p) > c->maxcells)
			c->maxcells = ncells(c, p);
	for (size_t j = 0; j < nh; j++) {
		struct horizon *z = &c->hz[j];
		z->h = h[j];
		z->mean = malloc(window * NBASE * sizeof *z->mean);
		z->y = malloc(window * sizeof *z->y);
		z->tau = malloc(window * sizeof *z->tau);
		z->pend = malloc((h[j] + 1) * NBASE * sizeof *z->pend);
		z->pend_tau = malloc((h[j] + 1) * sizeof *z->pend_tau);
		z->table = malloc(c->maxcells * sizeof *z->table);
		if (!z->mean || !z->y || !z->tau || !z->pend || !z->pend_tau || !z->table) {
			pcs_conformal_free(c);
			return NULL;
		}
		for (size_t i = 0; i <= h[j]; i++)
			z->pend_tau[i] = INT64_MIN;
	}
	return c;
}

void
pcs_conformal_free(pcs_conformal *c)
{
	if (c == NULL)
		return;
	for (size_t j = 0; j < c->nh; j++) {
		struct horizon *z = &c->hz[j];
		free(z->mean);
		free(z->y);
		free(z->tau);
		free(z->pend);
		free(z->pend_tau);
		free(z->table);
	}
	free(c->hz);
	free(c);
}

/* The mean demand over the m steps up to step index k, or fallback when
 * none of them was seen. */
static double
local_mean(const pcs_conformal *c, int64_t k, size_t m, double fallback)
{
	double sum = 0;
	size_t n = 0;

	for (size_t i = 0; i < m; i++) {
		size_t slot = (size_t)pos_mod(k - (int64_t)i, LOCAL_MAX);
		if (c->recent_k[slot] == k - (int64_t)i) {
			sum += c->recent[slot];
			n++;
		}
	}
	return n ? sum / (double)n : fallback;
}

/* Base b's forecast at step index k, given the model's mean m. */
static double
base_mean(const pcs_conformal *c, size_t b, int64_t k, double m)
{
	return b == 0 ? m : local_mean(c, k, locals[b], m);
}

void
pcs_conformal_observe(pcs_conformal *c, int64_t ts, double y)
{
	int64_t k = floor_div(ts, c->step);

	if (!isfinite(y))
		return;
	c->recent[pos_mod(k, LOCAL_MAX)] = y;
	c->recent_k[pos_mod(k, LOCAL_MAX)] = k;
	for (size_t j = 0; j < c->nh; j++) {
		struct horizon *z = &c->hz[j];
		size_t slot = (size_t)pos_mod(k, (int64_t)z->h + 1);
		if (z->pend_tau[slot] != k)
			continue;
		for (size_t b = 0; b < NBASE; b++)
			z->mean[z->head * NBASE + b] = floored(c, z->pend[slot * NBASE + b]);
		z->y[z->head] = y;
		z->tau[z->head] = k;
		z->head = (z->head + 1) % c->window;
		if (z->n < c->window)
			z->n++;
		z->pend_tau[slot] = INT64_MIN;
	}
	c->sum_y += y;
	c->n_y++;
}

void
pcs_conformal_forecast(pcs_conformal *c, int64_t ts, const double *mean)
{
	int64_t k = floor_div(ts, c->step);
	double local[NBASE];

	/* the local means are the same at every horizon (NaN: none seen) */
	for (size_t b = 1; b < NBASE; b++)
		local[b] = local_mean(c, k, locals[b], NAN);
	for (size_t j = 0; j < c->nh; j++) {
		struct horizon *z = &c->hz[j];
		int64_t target = k + (int64_t)z->h;
		size_t slot = (size_t)pos_mod(target, (int64_t)z->h + 1);
		z->pend_tau[slot] = isfinite(mean[j]) ? target : INT64_MIN;
		z->pend[slot * NBASE] = mean[j];
		for (size_t b = 1; b < NBASE; b++)
			z->pend[slot * NBASE + b] = isnan(local[b]) ? mean[j] : local[b];
	}
}

/* Ring position i (0: the oldest kept) of z. */
static size_t
at(const pcs_conformal *c, const struct horizon *z, size_t i)
{
	return (z->head + c->window - z->n + i) % c->window;
}

/* Base b's scores under power w at ring positions [0, z->n), in sc, and
 * their scales m^w, in sw (NULL: not wanted): computed once for every
 * partition the refit tries. */
static void
scores_of(const pcs_conformal *c, const struct horizon *z, size_t b, double w, double *sc,
          double *sw)
{
	for (size_t i = 0; i < z->n; i++) {
		size_t a = at(c, z, i);
		double m = z->mean[a * NBASE + b], scale = pow(m, w);
		sc[i] = (z->y[a] - m) / scale;
		if (sw)
			sw[i] = scale;
	}
}

/* The k-th smallest (from 0) of a[0..n), k < n; a is reordered
 * (Hoare's selection: expected O(n), where sorting a cell was O(n log n)
 * for each of the refit's candidates). */
static double
kth_smallest(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double x = a[lo + (hi - lo) / 2], t;
		size_t i = lo, j = hi;
		for (;;) {
			while (a[i] < x)
				i++;
			while (a[j] > x)
				j--;
			if (i >= j)
				break;
			t = a[i];
			a[i++] = a[j];
			a[j--] = t;
		}
		/* a[lo..j] <= x <= a[j+1..hi] */
		if (k <= j)
			hi = j;
		else
			lo = j + 1;
	}
	return a[k];
}

/* Each cell's level quantile of the scores sc at ring positions [0, n)
 * under partition p, in table; vals holds n scores, start maxcells + 1
 * offsets.  0 when a cell has fewer than the level needs (k = ceil((m +
 * 1) q) <= m). */
static int
cell_quantiles(const pcs_conformal *c, const struct horizon *z, const double *sc, int p,
               size_t n, double *vals, size_t *start, double *table)
{
	size_t cells = ncells(c, p);

	/* the scores grouped by cell (a counting sort): start[cell] is first
	 * the cell's first slot, then, once the cell is filled, its end */
	memset(start, 0, (cells + 1) * sizeof *start);
	for (size_t i = 0; i < n; i++)
		start[cell_of(c, p, z->tau[at(c, z, i)]) + 1]++;
	for (size_t cell = 0; cell < cells; cell++)
		start[cell + 1] += start[cell];
	for (size_t i = 0; i < n; i++)
		vals[start[cell_of(c, p, z->tau[at(c, z, i)])]++] = sc[i];
	for (size_t cell = 0, s = 0; cell < cells; cell++) {
		size_t m = start[cell] - s, k = (size_t)ceil((double)(m + 1) * c->level - 1e-9);
		if (m == 0 || k > m)
			return 0;
		table[cell] = kth_smallest(vals + s, m, k - 1);
		s = start[cell];
	}
	return 1;
}

static double
pinball(double u, double q)
{
	return u >= 0 ? q * u : (q - 1) * u;
}

int
pcs_conformal_refit(pcs_conformal *c)
{
	double best = INFINITY, loss[NPART];
	int bp = -1, bw = -1, bb = -1, ok[NPART];
	double *vals, *sc, *sw, *table;
	size_t *start;
	size_t most = 0;

	for (size_t j = 0; j < c->nh; j++)
		if (c->hz[j].n > most)
			most = c->hz[j].n;
	if (most < 2)
		return c->part >= 0;
	vals = malloc(most * sizeof *vals);
	sc = malloc(most * sizeof *sc);
	sw = malloc(most * sizeof *sw);
	start = malloc((c->maxcells + 1) * sizeof *start);
	table = malloc(c->maxcells * sizeof *table);
	if (vals == NULL || sc == NULL || sw == NULL || start == NULL || table == NULL)
		goto done;
	/* every base, power and partition: cell quantiles from the older half
	 * of every horizon's scores, their loss on the newer half in demand
	 * units; a horizon's scores are computed once for all partitions */
	for (int b = 0; b < (int)NBASE; b++)
		for (int w = 0; w < (int)NPOW; w++) {
			for (int p = 0; p < (int)NPART; p++) {
				loss[p] = 0;
				ok[p] = usable(c, p);
			}
			for (size_t j = 0; j < c->nh; j++) {
				const struct horizon *z = &c->hz[j];
				size_t half = z->n / 2;
				scores_of(c, z, (size_t)b, powers[w], sc, sw);
				for (int p = 0; p < (int)NPART; p++) {
					if (!ok[p] || !(ok[p] = cell_quantiles(c, z, sc, p, half, vals, start, table)))
						continue;
					for (size_t i = half; i < z->n; i++)
						loss[p] += sw[i] * pinball(sc[i] - table[cell_of(c, p, z->tau[at(c, z, i)])],
						                           c->level);
				}
			}
			/* strictly less: on a tie the earlier (simpler) candidate */
			for (int p = 0; p < (int)NPART; p++)
				if (ok[p] && loss[p] < best) {
					best = loss[p];
					bp = p;
					bw = w;
					bb = b;
				}
		}
	if (bp >= 0) {
		/* the chosen candidate's table from every score kept: each cell
		 * holds at least what its older half did */
		for (size_t j = 0; j < c->nh; j++) {
			scores_of(c, &c->hz[j], (size_t)bb, powers[bw], sc, NULL);
			cell_quantiles(c, &c->hz[j], sc, bp, c->hz[j].n, vals, start, c->hz[j].table);
		}
		c->part = bp;
		c->pow = bw;
		c->base = bb;
	}
done:
	free(vals);
	free(sc);
	free(sw);
	free(start);
	free(table);
	return c->part >= 0;
}

double
pcs_conformal_upper(const pcs_conformal *c, size_t j, int64_t ts, double m)
{
	if (c->part < 0 || j >= c->nh || !isfinite(m))
		return NAN;
	int64_t k = floor_div(ts, c->step), target = k + (int64_t)c->hz[j].h;
	double f = floored(c, base_mean(c, (size_t)c->base, k, m));
	return f + pow(f, powers[c->pow]) * c->hz[j].table[cell_of(c, c->part, target)];
}

const char *
pcs_conformal_partition(const pcs_conformal *c)
{
	return c->part < 0 ? "none" : partitions[c->part].name;
}

double
pcs_conformal_power(const pcs_conformal *c)
{
	return c->pow < 0 ? NAN : powers[c->pow];
}

const char *
pcs_conformal_base(const pcs_conformal *c)
{
	return c->base < 0 ? "none" : base_names[c->base];
}
