/* pcs_route.h — routing weights and circuit breakers per (group, POP).
 *
 * Weights.  For the usable POPs of a group (breaker closed, or held closed
 * by the panic rule), every term is a dimensionless number in [0,1]:
 *
 *   c_i = capacity_i / sum capacity              capacity share
 *   h_i = headroom_i / sum headroom              headroom share,
 *         headroom = max(0, capacity - load)     (c_i when no POP has any)
 *   l_i = (min_j L_j / L_i) ^ latency_power       latency against the best,
 *         L = the smoothed latency (EWMA or peak-EWMA)
 *   e_i = max(0, 1 - E_i / error_threshold)       E = the smoothed error rate
 *   s_i = 1 for an active shadow, else 0
 *
 *   raw_i   = (capacity_weight c_i + (1 - capacity_weight) h_i) l_i e_i
 *             + shadow_bonus s_i / (number of active shadows)
 *   target_i = raw_i / sum raw                     (equal shares if sum is 0)
 *
 * so the shadow bonus is a share of the group's traffic, not a number added
 * to a capacity in rps.  Half-open POPs get probe_share each, taken off the
 * top; open POPs, POPs with no sample for longer than `window`, and POPs
 * with no capacity (down, or a shadow still booting) get nothing at once.
 * When the group can carry its load, no target asks a POP for more than
 * max(0.9, the group's utilization) of its capacity at that load.
 * Shares then move toward the target by at most max_step per tick (slew
 * limit).  When that cannot make them sum to 1 (a breaker opened and
 * its share must go somewhere), the rest is spread first over what is left
 * of each POP's step, then beyond the steps in proportion to the targets:
 * share always sums to 1 over the usable POPs, at the price of a larger
 * move.
 *
 * Breakers (after Hystrix and resilience4j, with Envoy's outlier-detection
 * backoff): closed -> open when, over the last `window` seconds, the group
 * POP served at least min_requests and its error rate or its share of slow
 * requests (latency >= slow_ms) reached the threshold; open for
 * sleep x (number of trips), at most max_sleep; then half_open, with a probe
 * share; probe_successes good ticks in a row close it, one bad tick opens it
 * again with a longer sleep.  Trips are forgotten after max_sleep closed.
 * Panic rule: at most max_ejection of a group's POPs that could serve
 * (ejected already, or with capacity) may be open; when more fail, the
 * least bad (lowest error rate) stay closed and say so.
 */
#ifndef PCS_ROUTE_H
#define PCS_ROUTE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "pcs_error.h"

enum pcs_breaker { PCS_BREAKER_CLOSED, PCS_BREAKER_OPEN, PCS_BREAKER_HALF_OPEN };
const char *pcs_breaker_name(int b);

struct pcs_route_params {
	double capacity_weight, latency_power, shadow_bonus;
	double latency_tau;        /* seconds, the EWMA time constant */
	int peak_ewma;             /* latency jumps up at once, decays slowly */
	double max_step;           /* largest share change per tick */
	int64_t window;            /* breaker window, seconds */
	double min_requests, error_threshold, slow_threshold, slow_ms;
	int64_t sleep, max_sleep;  /* seconds */
	double probe_share;
	int probe_successes;
	double max_ejection;       /* fraction of a group's POPs */
};

void pcs_route_defaults(struct pcs_route_params *p);

/* One health sample. */
struct pcs_health {
	const char *group, *pop;
	int64_t ts;
	double capacity_rps, load_rps, latency_ms, error_rate;
	double requests;           /* < 0: unknown (load_rps x the tick is used) */
	int shadow;                /* < 0: unknown (keep the last known) */
};

struct pcs_route_out {
	const char *group, *pop;
	double share;
	int breaker, shadow;             /* shadow: PCS_SHADOW_*_POP */
	double latency_ms, error_rate;   /* the smoothed values */
	char reason[160];
};

typedef struct pcs_router pcs_router;

#define PCS_NO_TICK INT64_MIN

pcs_router *pcs_router_new(const struct pcs_route_params *p);
void pcs_router_free(pcs_router *r);

/* The time of the last tick (PCS_NO_TICK before the first). */
int64_t pcs_router_last_tick(const pcs_router *r);

/* Refuse (group, pop) targets past max (0: no limit): pcs_router_observe
 * then fails with PCS_ELIMIT instead of growing without bound. */
void pcs_router_set_max_targets(pcs_router *r, size_t max);

/* Feed a sample of the current tick (the samples of one tick share a ts;
 * a ts before the last tick is PCS_EDATA). */
int pcs_router_observe(pcs_router *r, const struct pcs_health *h, pcs_error *err);

/* Shadow status of a (group, pop): none, active (it gets the bonus) or warm
 * (standby: no bonus; routers that have failover tiers list it below). */
enum { PCS_SHADOW_NONE_POP, PCS_SHADOW_ACTIVE_POP, PCS_SHADOW_WARM_POP };

/* The status a plan's shadow state (PCS_SHADOW_* of pcs_shadow.h) gives
 * its secondary POP: active, warm, or none (off and draining take no
 * bonus). */
int pcs_route_shadow_status(int shadow_state);

/* Set the shadow status of (group, pop) from a plan. */
int pcs_router_set_shadow(pcs_router *r, const char *group, const char *pop, int status,
                          pcs_error *err);

/* Keep an opaque string with (group, pop), saved in the state (the caller
 * keeps its router names there); NULL when none. */
int pcs_router_set_labels(pcs_router *r, const char *group, const char *pop,
                          const char *labels, pcs_error *err);
const char *pcs_router_labels(pcs_router *r, const char *group, const char *pop);

/* Close the tick at time now: update smoothing, breakers and shares of
 * every group.  out: one row per (group, pop) known, sorted by group then
 * pop, valid until the next call. */
int pcs_router_tick(pcs_router *r, int64_t now, const struct pcs_route_out **out,
                    size_t *n, pcs_error *err);

/* The current shares, without a new tick (for a rerun with no new input). */
int pcs_router_current(pcs_router *r, const struct pcs_route_out **out, size_t *n,
                       pcs_error *err);

int pcs_router_load(pcs_router *r, const json_t *state, pcs_error *err);
json_t *pcs_router_save(const pcs_router *r);

/* ---- weighted random choice: Vose's alias method (O(1) per draw) ---- */

typedef struct pcs_alias pcs_alias;

/* From n >= 1 non-negative weights with a positive sum; NULL otherwise. */
pcs_alias *pcs_alias_new(const double *w, size_t n);
void pcs_alias_free(pcs_alias *a);
/* A draw from two uniforms in [0,1). */
size_t pcs_alias_draw(const pcs_alias *a, double u1, double u2);

/* A small seeded generator (splitmix64) for reproducible draws. */
double pcs_uniform(uint64_t *state);

/* Integer weights summing to total, by the largest remainder (Hamilton)
 * method, from shares summing to 1. */
void pcs_integer_weights(const double *share, size_t n, long total, long *out);

#endif
