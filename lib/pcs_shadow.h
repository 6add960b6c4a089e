/* pcs_shadow.h — shadow capacity on secondary POPs, planned from risk.
 *
 * For every (group, service, primary POP) of the topology a shadow moves
 * through off -> warm -> active -> draining -> off:
 *
 *   off      -> warm      risk >= warm_at: warm instances on the best
 *                         secondary POPs (create_warm); if the activation
 *                         test already holds, on to active in the same run
 *   warm     -> active    the activation test holds: predicted demand at
 *                         the chosen quantile passes the primary's capacity
 *                         less the reserve, at some horizon (up to
 *                         activate_within when that is set) (scale_up)
 *   active   -> active    more is needed than is allocated (scale_up)
 *   active   -> warm      the activation test has not held for `min_dwell`,
 *                         the shadow has been active that long, and risk is
 *                         still >= release_below: the surge is past, the
 *                         risk is not (scale_down to warm, which is cheap)
 *   active   -> draining  risk < release_below for `cooldown` and the shadow
 *                         has been active for `min_dwell` (scale_down)
 *   draining -> active    risk >= warm_at or the activation test (scale_up)
 *   draining -> off       `drain` after scale_down (deactivate)
 *   warm     -> off       risk < release_below for `cooldown` and warm for
 *                         `min_dwell`: a false alarm (deactivate)
 *
 * Between warm_at and release_below nothing moves (hysteresis), so a risk
 * that oscillates makes no oscillating plan.  Sizes: warm, the larger of
 * the expected shortfall and the p99 excess over the threshold; active, the
 * larger of the expected shortfall and the excess at the chosen quantile;
 * in instances of each secondary's instance_rps, at least one, within each
 * secondary's max_instances.  Secondaries are chosen among the group's and
 * service's secondary POPs: those with spare room for the whole need, in the
 * primary's region first, then by rtt_ms; failing that, the most spare
 * first, spreading the need.  The reason of create_warm says whether the
 * slowest chosen boot_s fits in the lead time (the earliest horizon that
 * called for it).
 */
#ifndef PCS_SHADOW_H
#define PCS_SHADOW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"

enum pcs_shadow_state { PCS_SHADOW_OFF, PCS_SHADOW_WARM, PCS_SHADOW_ACTIVE, PCS_SHADOW_DRAINING };
enum pcs_shadow_action {
	PCS_ACT_CREATE_WARM, PCS_ACT_SCALE_UP, PCS_ACT_SCALE_DOWN, PCS_ACT_DEACTIVATE, PCS_ACT_HOLD
};

const char *pcs_shadow_state_name(int state);
/* The state of a name (off, warm, active, draining), or -1. */
int pcs_shadow_state_of(const char *name);
const char *pcs_shadow_action_name(int action);

/* ---- topology ---- */

struct pcs_topo {
	char *pop, *group, *service, *region;
	int primary;                   /* role: primary (1) or secondary (0) */
	double instance_rps;
	long instances, max_instances;
	double boot_s, warm_s, rtt_ms, cost_per_hour, warm_cost_frac;
	char *k8s_context, *k8s_namespace, *k8s_deployment, *k8s_hpa, *asg;
	long line;
};

typedef struct pcs_topology pcs_topology;

pcs_topology *pcs_topology_new(void);
void pcs_topology_free(pcs_topology *t);
/* Add a row (strings are copied; NULL mapping fields take their defaults:
 * context = pop, namespace = "default", deployment = service, no HPA,
 * asg = "<service>-<pop>").  Duplicate (pop, group, service) and numbers
 * out of range are PCS_EDATA. */
int pcs_topology_add(pcs_topology *t, const struct pcs_topo *row, pcs_error *err);
/* Check the whole (a group and service with a primary but no secondary is
 * allowed: nothing can be planned for it) and fix the order. */
int pcs_topology_finish(pcs_topology *t, pcs_error *err);
size_t pcs_topology_count(const pcs_topology *t);
const struct pcs_topo *pcs_topology_get(const pcs_topology *t, size_t i);
/* A hash of the fleet's identity (pop, group, service, role of every row),
 * so that a state file is not applied to another fleet. */
const char *pcs_topology_id(const pcs_topology *t);

/* ---- risk, as the planner sees it ---- */

struct pcs_risk_horizon {
	int64_t horizon_s;
	double demand_p50, demand_p99, capacity_rps, shortfall_rps, p_exceed;
};

/* All the horizons of one (group, pop) in one run. */
struct pcs_risk_obs {
	const char *group, *pop;
	double risk;
	const struct pcs_risk_horizon *h;
	size_t nh;
};

/* ---- the planner ---- */

struct pcs_shadow_params {
	double warm_at, release_below, reserve;
	int activate_p99;              /* 0: the p50 demand, 1: the p99 */
	int64_t cooldown, min_dwell, drain;
	int64_t activate_within;       /* the activation test looks only at horizons up to
	                                  this (seconds); 0: at every horizon */
};

/* warm_at 0.1, release_below 0.02, reserve 0.1, p50, cooldown 10m,
 * min_dwell 5m, drain 2m, every horizon. */
void pcs_shadow_defaults(struct pcs_shadow_params *p);

struct pcs_action {
	int64_t ts;
	const struct pcs_topo *primary, *secondary;
	int action, from, to;
	long instances;                /* the shadow's instances on secondary that the action
	                                  concerns (for deactivate: those released) */
	char reason[192];
};

typedef struct pcs_planner pcs_planner;

pcs_planner *pcs_planner_new(const pcs_topology *t, const struct pcs_shadow_params *p);
void pcs_planner_free(pcs_planner *pl);

/* Load a saved state (NULL: start with every shadow off).  A state of
 * another format or version, or for another topology, is PCS_EDATA. */
int pcs_planner_load(pcs_planner *pl, const json_t *state, pcs_error *err);
/* The time of the last planning run (0 before the first). */
int64_t pcs_planner_last_run(const pcs_planner *pl);

/* The state to save (a new reference). */
json_t *pcs_planner_save(const pcs_planner *pl);

/* One planning run at time now with the risk observations of this run.
 * Actions (one per shadow and secondary touched; hold rows for shadows that
 * stay on) are valid until the next step.  A run whose now is not later
 * than the last one changes nothing: every live shadow holds. */
int pcs_planner_step(pcs_planner *pl, int64_t now, const struct pcs_risk_obs *obs,
                     size_t nobs, const struct pcs_action **acts, size_t *nacts,
                     pcs_error *err);

/* Instances the shadows hold on every topology row (index as in
 * pcs_topology_get), warm and otherwise (active or draining). */
void pcs_planner_usage(const pcs_planner *pl, long *warm, long *active);

struct pcs_shadow_cost {
	double warm_run, active_run;       /* this run's share, in cost units */
	double warm_total, active_total;   /* since the state began */
	size_t warm, active, draining;     /* shadows in each state now */
};
void pcs_planner_cost(const pcs_planner *pl, struct pcs_shadow_cost *c);

#endif
