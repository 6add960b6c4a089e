/* risk.c — capacity table and per-POP exceedance risk (see pcs_risk.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_grow.h"
#include "pcs_risk.h"
#include "pcs_strset.h"

struct pcs_capacity {
	struct pcs_pop *pops;
	size_t n, cap;
	int sorted;
	pcs_strset *keys;   /* "pop\x1fgroup" -> line, for duplicates */
};

const char *
pcs_risk_level_name(int level)
{
	static const char *const names[] = { "low", "elevated", "high", "critical" };

	return level >= 0 && level <= 3 ? names[level] : "?";
}

void
pcs_risk_defaults(struct pcs_risk_config *c)
{
	c->cut[0] = 0.05;
	c->cut[1] = 0.2;
	c->cut[2] = 0.5;
	c->current = 0;
}

int
pcs_risk_level_of(double risk, const double cut[3])
{
	int level = PCS_RISK_LOW;

	while (level < PCS_RISK_CRITICAL && risk >= cut[level])
		level++;
	return level;
}

pcs_capacity *
pcs_capacity_new(void)
{
	pcs_capacity *c = calloc(1, sizeof *c);

	if (c && (c->keys = pcs_strset_new()) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
pcs_capacity_free(pcs_capacity *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->pops[i].pop);
		free(c->pops[i].group);
		free(c->pops[i].region);
	}
	free(c->pops);
	pcs_strset_free(c->keys);
	free(c);
}

int
pcs_capacity_add(pcs_capacity *c, const char *pop, const char *group, const char *region,
                 double capacity_rps, double load_rps, double util, long line, pcs_error *err)
{
	struct pcs_pop *p, *np;
	char key[1024];
	size_t first;

	snprintf(key, sizeof key, "%s\x1f%s", pop, group);
	if (pcs_strset_get(c->keys, key, &first))
		return pcs_error_set(err, PCS_EDATA, line, NULL,
		                     "duplicate capacity row for pop '%s' group '%s' (first on line %zu)",
		                     pop, group, first);
	if (pcs_strset_put(c->keys, key, (size_t)line) != 0)
		return pcs_error_set(err, PCS_ENOMEM, line, NULL, "out of memory");
	if ((np = pcs_grow(c->pops, c->n, &c->cap, sizeof *np, 16)) == NULL)
		return pcs_error_set(err, PCS_ENOMEM, line, NULL, "out of memory");
	c->pops = np;
	p = &c->pops[c->n];
	memset(p, 0, sizeof *p);
	p->pop = strdup(pop);
	p->group = strdup(group);
	p->region = strdup(region ? region : "");
	if (!p->pop || !p->group || !p->region) {
		free(p->pop);
		free(p->group);
		free(p->region);
		return pcs_error_set(err, PCS_ENOMEM, line, NULL, "out of memory");
	}
	p->capacity_rps = capacity_rps;
	p->load_rps = load_rps;
	p->util = util;
	p->effective_rps = capacity_rps;
	p->line = line;
	c->n++;
	c->sorted = 0;
	return 0;
}

static int
cmp_pop(const void *a, const void *b)
{
	const struct pcs_pop *x = a, *y = b;
	int r = strcmp(x->group, y->group);

	return r ? r : strcmp(x->pop, y->pop);
}

void
pcs_capacity_finish(pcs_capacity *c, int derate, double util_limit)
{
	qsort(c->pops, c->n, sizeof *c->pops, cmp_pop);
	c->sorted = 1;
	for (size_t i = 0; i < c->n; i++) {
		struct pcs_pop *p = &c->pops[i];
		p->effective_rps = p->capacity_rps;
		if (derate && p->util > 0 && p->load_rps > 0) {
			double at_limit = p->load_rps * util_limit / p->util;
			if (at_limit < p->effective_rps)
				p->effective_rps = at_limit;
		}
		p->effective_max_rps = p->capacity_rps > 0 ?
		        p->max_capacity_rps * (p->effective_rps / p->capacity_rps) : p->max_capacity_rps;
	}
}

void
pcs_capacity_reach(pcs_capacity *c, double max_capacity_rps, double scale_s)
{
	struct pcs_pop *p;

	if (c->n == 0)
		return;
	p = &c->pops[c->n - 1];
	p->max_capacity_rps = fmax(max_capacity_rps, p->capacity_rps);
	p->scale_s = scale_s;
}

/* The capacity a POP has for demand horizon_s ahead: what it can reach by
 * then if it scales itself, else what it has. */
static double
capacity_at(const struct pcs_pop *p, int64_t horizon_s)
{
	if (p->max_capacity_rps > 0 && horizon_s > 0 && (double)horizon_s >= p->scale_s)
		return fmax(p->effective_rps, p->effective_max_rps);
	return p->effective_rps;
}

size_t
pcs_capacity_count(const pcs_capacity *c)
{
	return c->n;
}

const struct pcs_pop *
pcs_capacity_get(const pcs_capacity *c, size_t i)
{
	return &c->pops[i];
}

/* The run of rows of group in the sorted table: [*first, *first + count). */
static size_t
group_rows(const pcs_capacity *c, const char *group, size_t *first)
{
	size_t lo = 0, hi = c->n, n = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(c->pops[mid].group, group) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < c->n && strcmp(c->pops[lo + n].group, group) == 0)
		n++;
	return n;
}

/* Shares of the POPs selected by mask among rows [first, first+n). */
static void
shares(const struct pcs_pop *p, size_t n, const int *mask, double *share)
{
	double load = 0, cap = 0, cnt = 0;

	for (size_t i = 0; i < n; i++)
		if (mask[i]) {
			load += p[i].load_rps;
			cap += p[i].effective_rps;
			cnt++;
		}
	for (size_t i = 0; i < n; i++)
		share[i] = !mask[i] ? 0 : load > 0 ? p[i].load_rps / load :
		           cap > 0 ? p[i].effective_rps / cap : 1 / cnt;
}

static void
evaluate(const pcs_qdist *demand, double capacity, struct pcs_risk_row *r)
{
	r->capacity_rps = capacity;
	r->demand_p50 = pcs_qdist_quantile(demand, 0.5);
	r->demand_p99 = pcs_qdist_quantile(demand, 0.99);
	r->headroom_rps = capacity - r->demand_p50;
	r->p_exceed = pcs_qdist_sf(demand, capacity);
	r->shortfall_rps = pcs_qdist_excess(demand, capacity);
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
pcs_risk_group(pcs_capacity *c, const char *group, const struct pcs_demand *d, size_t nd,
               const struct pcs_risk_config *cfg, struct pcs_risk_row **rows,
               size_t *nrows, pcs_error *err)
{
	size_t first, np = group_rows(c, group, &first), nh = 0, out = 0;
	struct pcs_pop *p = c->pops + first;
	int64_t *hz = malloc((nd + 1) * sizeof *hz);
	struct pcs_risk_row *r = NULL;
	int *mask = calloc(np ? np : 1, sizeof *mask), regional = 0, rc = 0;
	double *share = calloc(np ? np : 1, sizeof *share);
	pcs_qdist *pd = calloc(np ? np : 1, sizeof *pd);

	*rows = NULL;
	*nrows = 0;
	if (!hz || !mask || !share || !pd) {
		rc = pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		goto out;
	}
	if (np == 0) {
		rc = pcs_error_set(err, PCS_EDATA, nd ? d[0].line : 0, NULL,
		                   "group '%s' has a forecast but no capacity row", group);
		goto out;
	}
	/* one row per region and horizon */
	for (size_t i = 1; i < nd; i++)
		for (size_t j = 0; j < i; j++)
			if (d[i].horizon_s == d[j].horizon_s && strcmp(d[i].region, d[j].region) == 0) {
				rc = pcs_error_set(err, PCS_EDATA, d[i].line, NULL,
				                   "group '%s' region '%s' horizon %lld again (first on line %ld)",
				                   group, d[i].region, (long long)d[i].horizon_s, d[j].line);
				goto out;
			}
	for (size_t i = 0; i < np; i++)
		regional |= p[i].region[0] != '\0';
	/* the distinct horizons, ascending; 0 for the load now */
	for (size_t i = 0; i < nd; i++)
		hz[nh++] = d[i].horizon_s;
	if (cfg->current && nd > 0)
		hz[nh++] = 0;
	qsort(hz, nh, sizeof *hz, cmp_i64);
	{
		size_t u = 0;
		for (size_t i = 0; i < nh; i++)
			if (u == 0 || hz[i] != hz[u - 1])
				hz[u++] = hz[i];
		nh = u;
	}
	if ((r = calloc(np * nh, sizeof *r)) == NULL) {
		rc = pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t h = 0; h < nh; h++) {
		int64_t target = 0;

		for (size_t i = 0; i < np; i++) {
			r[i * nh + h].pop = &p[i];
			r[i * nh + h].horizon_s = hz[h];
			/* until a demand reaches it, a POP's demand is zero */
			memset(&pd[i], 0, sizeof pd[i]);
		}
		if (hz[h] == 0) {
			/* now: each POP's own load, known exactly */
			for (size_t k = 0; k < np; k++) {
				struct pcs_risk_row *row = &r[k * nh + h];
				double cap = p[k].effective_rps, load = p[k].load_rps;
				row->target = d[0].target - d[0].horizon_s;
				row->demand_p50 = row->demand_p99 = load;
				row->capacity_rps = cap;
				row->headroom_rps = cap - load;
				row->p_exceed = load > cap ? 1 : 0;
				row->shortfall_rps = fmax(0, load - cap);
			}
			continue;
		}
		for (size_t i = 0; i < nd; i++) {
			int whole = !regional || strcmp(d[i].region, "*") == 0, any = 0;

			if (d[i].horizon_s != hz[h])
				continue;
			target = d[i].target;
			/* a region's demand goes to its POPs; a whole group's to all */
			for (size_t k = 0; k < np; k++)
				any |= mask[k] = whole || strcmp(p[k].region, d[i].region) == 0;
			if (!any) {
				rc = pcs_error_set(err, PCS_EDATA, d[i].line, NULL,
				                   "group '%s' region '%s' has a forecast but no capacity row",
				                   group, d[i].region);
				goto out;
			}
			shares(p, np, mask, share);
			for (size_t k = 0; k < np; k++) {
				pcs_qdist part;
				if (!mask[k])
					continue;
				part = d[i].dist;
				pcs_qdist_scale(&part, share[k]);
				/* parts that reach one POP add up level by level */
				if (pd[k].n == 0)
					pd[k] = part;
				else if (pcs_qdist_add(&pd[k], &part) != 0) {
					rc = pcs_error_set(err, PCS_EDATA, d[i].line, NULL,
					                   "rows of group '%s' have different quantile levels", group);
					goto out;
				}
			}
		}
		for (size_t k = 0; k < np; k++) {
			struct pcs_risk_row *row = &r[k * nh + h];
			row->target = target;
			if (pd[k].n == 0) {
				/* no demand reaches this POP at this horizon */
				row->capacity_rps = row->headroom_rps = capacity_at(&p[k], hz[h]);
				continue;
			}
			evaluate(&pd[k], capacity_at(&p[k], hz[h]), row);
		}
	}
	for (size_t k = 0; k < np; k++) {
		double risk = 0;
		for (size_t h = 0; h < nh; h++)
			risk = fmax(risk, r[k * nh + h].p_exceed);
		for (size_t h = 0; h < nh; h++) {
			r[k * nh + h].risk = risk;
			r[k * nh + h].level = pcs_risk_level_of(risk, cfg->cut);
		}
		p[k].used = 1;
	}
	out = np * nh;
out:
	free(hz);
	free(mask);
	free(share);
	free(pd);
	if (rc != 0) {
		free(r);
		return rc;
	}
	*rows = r;
	*nrows = out;
	return 0;
}
