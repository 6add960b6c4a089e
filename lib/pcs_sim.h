/* pcs_sim.h — replay a request history through capacity policies.
 *
 * A replay runs every policy on the same history of a group's demand, one
 * tick per step of the history, and accounts for what each would have
 * served, dropped and cost.  Each tick t:
 *
 *   1. instances whose boot (boot_s) or activation (warm_s) ends by t join;
 *   2. the group's demand D(t) is routed by the policy's current shares; a
 *      POP serves up to its ready capacity (active instances x instance_rps,
 *      0 while it has failed), the rest is dropped;
 *   3. the policy sees what happened at t (and nothing later) and decides
 *      the shares and instances for t + 1 onward.
 *
 * The fleet of a group is its topology rows.  Primaries carry the demand and
 * start with their `instances`; a secondary's `instances` are its own load
 * (never counted here), so what a policy may place there is max_instances
 * minus instances.  Policies:
 *
 *   static            the primaries as given; shares by capacity.
 *   reactive          a Kubernetes HPA on each primary with a requests-per-
 *                     second metric: desired = ceil(load / (target x
 *                     instance_rps)), left alone within the tolerance,
 *                     scale-up at once but at most max(2x, +4) per 15 s,
 *                     scale-down to the highest recommendation of the
 *                     stabilization window, between min_replicas and
 *                     max_instances; new instances useful after boot_s.
 *   predictive-scale  AWS predictive scaling over the same HPA: the forecast
 *                     mean at t + buffer, at the target utilization, is a
 *                     floor on the desired count (it never scales in).
 *   predictive        pcs: primaries provisioned for the forecast's
 *                     prov_level quantile over the next boot (the HPA when
 *                     prov_level is 0), plus per tick the forecast (the
 *                     library's forecaster, refitted every `refit`, updated
 *                     online between), pcs_risk_group on the primaries'
 *                     ready capacity and load, pcs_planner_step for the
 *                     shadows, and pcs_router_tick for the shares, exactly
 *                     as pcs-forecast | pcs-risk | pcs-shadow-plan and
 *                     pcs-route-weights --plan compute them.
 *   oracle            knows D(t) in advance and holds exactly the instances
 *                     it needs (primaries first, then secondaries by rtt_ms),
 *                     ordered boot_s ahead: the cost floor for no drops.
 *
 * Baseline shares are the ready capacity shares of the POPs at the tick
 * (an ideal balancer: it knows at once which instances joined and which
 * POPs failed).  The predictive policy's router sees what a live one does:
 * each POP's ready instances, and the load and errors of the tick before; a
 * failed POP answers errors (so its breaker opens), while load shed at
 * capacity shows as load above capacity, not as errors.  Costs: an instance
 * is paid from the moment it is asked for (booting included; the oracle's
 * from boot_s before it is needed), cost_per_hour each (1 when 0 or not
 * given), warm ones at warm_cost_frac of that.
 */
#ifndef PCS_SIM_H
#define PCS_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"
#include "pcs_risk.h"
#include "pcs_route.h"
#include "pcs_series.h"
#include "pcs_shadow.h"

enum pcs_policy {
	PCS_POLICY_STATIC, PCS_POLICY_REACTIVE, PCS_POLICY_PREDICTIVE_SCALE,
	PCS_POLICY_PREDICTIVE, PCS_POLICY_ORACLE, PCS_NPOLICIES
};

const char *pcs_policy_name(int policy);
/* The policy of a name, or -1. */
int pcs_policy_of(const char *name);

/* A POP down (no capacity at all) from `from` until before `to`. */
struct pcs_failure {
	const char *pop;
	int64_t from, to;
};

struct pcs_sim_params {
	int64_t warmup;               /* seconds from the history's start: training only */
	int64_t refit;                /* seconds between forecaster refits */
	int64_t window;               /* history a refit sees, seconds (as pcs-forecast --window) */
	int model;                    /* PCS_MODEL_AUTO or a kind */
	const size_t *horizons;       /* risk horizons, in steps, ascending */
	size_t nhorizons;
	const double *levels;         /* forecast quantile levels, ascending */
	size_t nlevels;
	struct pcs_risk_config risk;
	struct pcs_shadow_params shadow;
	struct pcs_route_params route;
	double hpa_target, hpa_tolerance;
	int64_t hpa_stabilization;    /* seconds */
	long min_replicas;
	int64_t buffer;               /* predictive-scale scheduling buffer, seconds */
	double prov_level;            /* predictive's primaries: the demand quantile provisioned
	                                 for (0.99; 0: the HPA instead) */
	double prov_target;           /* ... at this utilization */
	int64_t prov_hold;            /* ... keeping an instance this long (seconds) after
	                                 the last tick that wanted it; -1: the primary's
	                                 boot_s (the default, the ski-rental rule) */
	int prov_conformal;           /* ... the quantile from the forecast's own past errors
	                                 at the target's phase (pcs_conformal.h; 1), or
	                                 the model's own (0) */
	double prov_budget;           /* ... or, when > 0, the level chosen at every refit: the
	                                 highest of a ladder (up to prov_level) whose
	                                 provisioning would have held at most this many
	                                 times the instances of an HPA (hpa_target) on the
	                                 same demand over the last week (pcs_budget.h);
	                                 0: prov_level always */
	double slo_drop;              /* a tick violates the SLO above this dropped fraction */
	double base_latency_ms;       /* a POP's latency before rtt_ms */
	int64_t lead_window;          /* how far before a surge an action counts as a lead */
	int64_t surge_gap;            /* a surge ends after this long below the primaries' capacity */
	const struct pcs_failure *failures;
	size_t nfailures;
};

void pcs_sim_defaults(struct pcs_sim_params *p);

/* The warm-up of a history span seconds long: p->warmup, or when that is
 * < 0, 7 days or half the history, whichever is shorter. */
int64_t pcs_sim_warmup(const struct pcs_sim_params *p, int64_t span);

/* One row of the timeline: a POP of a group under a policy at a tick. */
struct pcs_sim_tick {
	int64_t ts;
	int policy;
	const char *group, *pop;
	double demand;                /* the group's, rps */
	double routed, capacity, served, dropped, share;
	long instances, ready, warm;  /* held (booting included), serving, warm */
	int failed, breaker;
};

/* Per policy, over all groups and scored ticks. */
struct pcs_sim_summary {
	int policy;
	size_t ticks;
	double offered, dropped, dropped_pct;   /* requests */
	double slo_minutes;
	double instance_hours, warm_hours, cost;
	double theta_u, theta_o, tau_u, tau_o, instability;   /* percent */
	long breaker_trips;
	double churn;                 /* mean per tick of half the sum of |share change| */
	size_t surges, surges_led;    /* surges, and those with an action before onset */
	double lead_time_s;           /* median over surges (NaN when none) */
	double latency_ms;            /* served-weighted mean of base + rtt_ms */
	size_t refits, forecast_errors;
};

struct pcs_sim_output {
	void *ctx;
	/* Each timeline row (NULL: none kept).  Non-zero stops the replay. */
	int (*tick)(void *ctx, const struct pcs_sim_tick *row);
	/* Each plan action of the predictive policy, hold rows included, as
	 * pcs-shadow-plan writes them (NULL: none). */
	int (*action)(void *ctx, const struct pcs_action *a);
};

typedef struct pcs_sim pcs_sim;

/* A replay of the policies pol[0..npol) over topology t (kept by the
 * caller until pcs_sim_free). */
pcs_sim *pcs_sim_new(const pcs_topology *t, const struct pcs_sim_params *p, const int *pol,
                     size_t npol, pcs_error *err);
void pcs_sim_free(pcs_sim *s);

/* Replay one group's demand history (a regularized series of rps; NaN gaps
 * count as no demand).  PCS_EDATA when the topology has no primary for the
 * group, or the group has more than one service. */
int pcs_sim_group(pcs_sim *s, const char *group, const pcs_series *demand,
                  const struct pcs_sim_output *out, pcs_error *err);

/* The summaries, one per policy in the order given, over the groups replayed. */
void pcs_sim_summaries(pcs_sim *s, struct pcs_sim_summary *sum);

#endif
