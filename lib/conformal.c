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

struct scored {
	size_t cell;
	double r;
};

/* One horizon: the ring of its (target, mean, demand) triples, the
 * forecasts waiting for their target, and the chosen cell quantiles. */
struct horizon {
	size_t h;
	double *mean, *y;        /* mean: floored */
	int64_t *tau;            /* step index of the target */
	size_t n, head;          /* head: the next slot to write */
	double *pend;            /* forecast mean by target step index mod h + 1 */
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
	int part, pow;           /* the choice: indices, -1 before a table */
	size_t maxcells;
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
	c->part = c->pow = -1;
	for (int p = 0; p < (int)NPART; p++)
		if (usable(c, p) && ncells(c, p) > c->maxcells)
			c->maxcells = ncells(c, p);
	for (size_t j = 0; j < nh; j++) {
		struct horizon *z = &c->hz[j];
		z->h = h[j];
		z->mean = malloc(window * sizeof *z->mean);
		z->y = malloc(window * sizeof *z->y);
		z->tau = malloc(window * sizeof *z->tau);
		z->pend = malloc((h[j] + 1) * sizeof *z->pend);
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

void
pcs_conformal_observe(pcs_conformal *c, int64_t ts, double y)
{
	int64_t k = floor_div(ts, c->step);

	if (!isfinite(y))
		return;
	for (size_t j = 0; j < c->nh; j++) {
		struct horizon *z = &c->hz[j];
		size_t slot = (size_t)pos_mod(k, (int64_t)z->h + 1);
		if (z->pend_tau[slot] != k)
			continue;
		z->mean[z->head] = floored(c, z->pend[slot]);
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

	for (size_t j = 0; j < c->nh; j++) {
		struct horizon *z = &c->hz[j];
		int64_t target = k + (int64_t)z->h;
		size_t slot = (size_t)pos_mod(target, (int64_t)z->h + 1);
		z->pend_tau[slot] = isfinite(mean[j]) ? target : INT64_MIN;
		z->pend[slot] = mean[j];
	}
}

static int
by_cell_then_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->cell != y->cell)
		return x->cell < y->cell ? -1 : 1;
	return (x->r > y->r) - (x->r < y->r);
}

/* Ring position i (0: the oldest kept) of z. */
static size_t
at(const pcs_conformal *c, const struct horizon *z, size_t i)
{
	return (z->head + c->window - z->n + i) % c->window;
}

static double
score(const struct horizon *z, size_t a, double power)
{
	return (z->y[a] - z->mean[a]) / pow(z->mean[a], power);
}

/* Each cell's level quantile of the scores at ring positions [0, n) under
 * partition p and power w, in table; buf holds n.  0 when a cell has fewer
 * than the level needs (k = ceil((m + 1) q) <= m). */
static int
cell_quantiles(const pcs_conformal *c, const struct horizon *z, int p, double w, size_t n,
               struct scored *buf, double *table)
{
	size_t cells = ncells(c, p);

	for (size_t i = 0; i < n; i++) {
		size_t a = at(c, z, i);
		buf[i] = (struct scored){ cell_of(c, p, z->tau[a]), score(z, a, w) };
	}
	qsort(buf, n, sizeof *buf, by_cell_then_score);
	for (size_t i = 0, cell = 0; cell < cells; cell++) {
		size_t s = i;
		while (i < n && buf[i].cell == cell)
			i++;
		size_t m = i - s, k = (size_t)ceil((double)(m + 1) * c->level - 1e-9);
		if (m == 0 || k > m)
			return 0;
		table[cell] = buf[s + k - 1].r;
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
	double best = INFINITY;
	int bp = -1, bw = -1;
	struct scored *buf;
	double *table;
	size_t most = 0;

	for (size_t j = 0; j < c->nh; j++)
		if (c->hz[j].n > most)
			most = c->hz[j].n;
	if (most < 2)
		return c->part >= 0;
	buf = malloc(most * sizeof *buf);
	table = malloc(c->maxcells * sizeof *table);
	if (buf == NULL || table == NULL)
		goto done;
	/* every power and partition: cell quantiles from the older half of
	 * every horizon's scores, their loss on the newer half in demand units */
	for (int w = 0; w < (int)NPOW; w++)
		for (int p = 0; p < (int)NPART; p++) {
			double loss = 0;
			int ok = usable(c, p);
			for (size_t j = 0; j < c->nh && ok; j++) {
				const struct horizon *z = &c->hz[j];
				size_t half = z->n / 2;
				if (!(ok = cell_quantiles(c, z, p, powers[w], half, buf, table)))
					break;
				for (size_t i = half; i < z->n; i++) {
					size_t a = at(c, z, i);
					double scale = pow(z->mean[a], powers[w]);
					loss += scale * pinball(score(z, a, powers[w]) -
					                        table[cell_of(c, p, z->tau[a])], c->level);
				}
			}
			/* strictly less: on a tie the earlier (simpler) candidate */
			if (ok && loss < best) {
				best = loss;
				bp = p;
				bw = w;
			}
		}
	if (bp >= 0) {
		/* the chosen candidate's table from every score kept: each cell
		 * holds at least what its older half did */
		for (size_t j = 0; j < c->nh; j++)
			cell_quantiles(c, &c->hz[j], bp, powers[bw], c->hz[j].n, buf, c->hz[j].table);
		c->part = bp;
		c->pow = bw;
	}
done:
	free(buf);
	free(table);
	return c->part >= 0;
}

double
pcs_conformal_upper(const pcs_conformal *c, size_t j, int64_t ts, double m)
{
	if (c->part < 0 || j >= c->nh || !isfinite(m))
		return NAN;
	int64_t target = floor_div(ts, c->step) + (int64_t)c->hz[j].h;
	double f = floored(c, m);
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
