/* pcs_risk.h — the probability that a POP's demand exceeds its capacity.
 *
 * A capacity table holds one row per (pop, group): capacity_rps, the current
 * load_rps, utilizations and an optional region.  For a group's forecast
 * (one predictive distribution per region and horizon), pcs_risk_group
 * gives every POP of the group its demand distribution and scores it:
 *
 *  - demand: when the capacity has regions, a region's demand goes to the
 *    POPs that serve it and a whole group's ("*") to all its POPs; without
 *    regions in the capacity every row goes to all the group's POPs.  A
 *    POP's share within its set is its load_rps share (capacity share when
 *    no POP has load, equal shares when none has capacity either); the parts
 *    that reach one POP add up level by level (pcs_qdist_add: comonotone,
 *    surges that coincide).  Two rows for one region and horizon are an
 *    error.
 *  - capacity: derated by utilization.  With u = max(cpu, mem, bw) > 0 and
 *    load_rps > 0, a POP whose utilization grows with load reaches
 *    util_limit at load_rps * util_limit / u; the effective capacity is the
 *    smaller of that and capacity_rps.
 *  - reach (pcs_capacity_reach): a POP that scales itself (an autoscaler)
 *    up to max_capacity_rps, whose new capacity serves scale_s after it is
 *    asked for, is tested at horizons of scale_s or more (and above 0)
 *    against max_capacity_rps, derated in the same ratio: what it cannot
 *    reach in time is the risk, not what it has now.  Nearer horizons and
 *    the load now are tested against the capacity it has.
 *  - p_exceed = P(D > C), expected_shortfall = E[(D - C)+] (pcs_qdist),
 *    headroom = C - median demand.
 *  - with cfg->current, a row at horizon 0 (target: the issue time) per
 *    POP compares its own load_rps now with its effective capacity: demand
 *    p50 = p99 = load, p_exceed 1 or 0, the shortfall load - capacity; so
 *    a surge already under way that the forecast did not see still counts.
 *  - risk, per POP: the largest p_exceed over the horizons; level: low
 *    below cut[0], elevated below cut[1], high below cut[2], else critical.
 */
#ifndef PCS_RISK_H
#define PCS_RISK_H

#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"
#include "pcs_qdist.h"

enum pcs_risk_level { PCS_RISK_LOW, PCS_RISK_ELEVATED, PCS_RISK_HIGH, PCS_RISK_CRITICAL };

const char *pcs_risk_level_name(int level);
int pcs_risk_level_of(double risk, const double cut[3]);

typedef struct pcs_capacity pcs_capacity;

struct pcs_pop {
	char *pop, *group, *region;   /* region "" when not given */
	double capacity_rps, load_rps, util;   /* util: max(cpu, mem, bw), 0 if none */
	double effective_rps;         /* after derating */
	double max_capacity_rps;      /* what it can scale to (0: capacity_rps) ... */
	double scale_s;               /* ... at horizons of this or more */
	double effective_max_rps;     /* max_capacity_rps after derating */
	long line;
	int used;                     /* a forecast referred to it */
};

pcs_capacity *pcs_capacity_new(void);
void pcs_capacity_free(pcs_capacity *c);

/* Add a row; a second row for the same (pop, group) is a PCS_EDATA error
 * naming the first one's line. */
int pcs_capacity_add(pcs_capacity *c, const char *pop, const char *group,
                     const char *region, double capacity_rps, double load_rps,
                     double util, long line, pcs_error *err);

/* The row added last can scale itself to max_capacity_rps (at least its
 * capacity_rps), scale_s seconds after it asks (see above); before
 * pcs_capacity_finish.  Nothing when no row was added. */
void pcs_capacity_reach(pcs_capacity *c, double max_capacity_rps, double scale_s);

/* Compute effective capacities (derate = 0 keeps capacity_rps). */
void pcs_capacity_finish(pcs_capacity *c, int derate, double util_limit);

size_t pcs_capacity_count(const pcs_capacity *c);
const struct pcs_pop *pcs_capacity_get(const pcs_capacity *c, size_t i);

/* One predictive distribution of a group's demand. */
struct pcs_demand {
	const char *region;           /* "*" for the whole group */
	int64_t horizon_s, target;
	pcs_qdist dist;
	long line;
};

struct pcs_risk_row {
	const struct pcs_pop *pop;
	int64_t horizon_s, target;
	double demand_p50, demand_p99, capacity_rps, headroom_rps;
	double p_exceed, shortfall_rps, risk;
	int level;
};

struct pcs_risk_config {
	double cut[3];                /* elevated, high, critical */
	int current;                  /* add horizon 0: each POP's load_rps now */
};

/* Cuts 0.05, 0.2, 0.5; no horizon 0. */
void pcs_risk_defaults(struct pcs_risk_config *c);

/* Score every POP of group for the demands d[0..nd).  rows (allocated here,
 * free with free()) come sorted by pop, then horizon.  PCS_EDATA when the
 * group or a region has no capacity row (err->line is the demand's line). */
int pcs_risk_group(pcs_capacity *c, const char *group, const struct pcs_demand *d,
                   size_t nd, const struct pcs_risk_config *cfg,
                   struct pcs_risk_row **rows, size_t *nrows, pcs_error *err);

#endif
