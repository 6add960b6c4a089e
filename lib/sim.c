/* sim.c — the replay engine and its baseline policies (see pcs_sim.h). */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_budget.h"
#include "pcs_conformal.h"
#include "pcs_forecast.h"
#include "pcs_grow.h"
#include "pcs_sim.h"

#define HPA_PERIOD 15   /* seconds: Kubernetes' scale-up policy period */

const char *
pcs_policy_name(int p)
{
	static const char *const n[] = { "static", "reactive", "predictive-scale", "predictive",
	                                 "oracle" };

	return p >= 0 && p < PCS_NPOLICIES ? n[p] : "?";
}

int
pcs_policy_of(const char *name)
{
	for (int p = 0; p < PCS_NPOLICIES; p++)
		if (strcmp(name, pcs_policy_name(p)) == 0)
			return p;
	return -1;
}

int64_t
pcs_sim_warmup(const struct pcs_sim_params *p, int64_t span)
{
	if (p->warmup >= 0)
		return p->warmup;
	return span / 2 < 7 * 86400 ? span / 2 : 7 * 86400;
}

void
pcs_sim_defaults(struct pcs_sim_params *p)
{
	memset(p, 0, sizeof *p);
	p->warmup = -1;                  /* 7 days, or half the history */
	p->refit = 86400;
	p->window = 8 * 604800;
	p->model = PCS_MODEL_AUTO;
	pcs_risk_defaults(&p->risk);
	p->risk.current = 1;
	pcs_shadow_defaults(&p->shadow);
	pcs_route_defaults(&p->route);
	p->hpa_target = 0.7;
	p->hpa_tolerance = 0.1;
	p->hpa_stabilization = 300;
	p->min_replicas = 1;
	p->buffer = 300;
	p->prov_level = 0.99;
	p->prov_target = 1;
	p->prov_hold = -1;
	p->prov_conformal = 1;
	p->prov_budget = 0;
	p->slo_drop = 0.001;
	p->base_latency_ms = 20;
	p->lead_window = 1800;
	p->surge_gap = 1800;
}

/* ceil(x - 1e-9) as a count of instances, saturated: a demand of 1e300 rps
 * is more instances than a long holds, and converting it would overflow. */
static long
count_of(double x)
{
	double c = ceil(x - 1e-9);

	return c >= (double)LONG_MAX ? LONG_MAX : c <= 0 ? 0 : (long)c;
}

/* ---- instances of one policy on one POP ---- */

enum { TO_WARM, TO_ACTIVE };

struct pend {
	int64_t ready;
	long n;
	int to;
};

struct rec {
	int64_t ts;
	long n;
};

struct unit {
	const struct pcs_topo *t;
	long active, warm;            /* ready */
	struct pend *q;               /* booting or activating */
	size_t nq, cq;
	double routed, served, share, prev_share;
	int breaker;
	long spec;                    /* HPA: the desired replicas last set */
	long extra;                   /* oracle: held for the next boot_s, not yet serving */
	struct rec *rec;              /* HPA: recommendations in the stabilization window */
	size_t nrec, crec;
};

static int
push(struct unit *u, int64_t ready, long n, int to)
{
	struct pend *nq;

	if (n <= 0)
		return 0;
	if ((nq = pcs_grow(u->q, u->nq, &u->cq, sizeof *nq, 8)) == NULL)
		return -1;
	u->q = nq;
	u->q[u->nq++] = (struct pend){ ready, n, to };
	return 0;
}

static long
held(const struct unit *u, int to)
{
	long n = to == TO_ACTIVE ? u->active : u->warm;

	for (size_t i = 0; i < u->nq; i++)
		if (u->q[i].to == to)
			n += u->q[i].n;
	return n;
}

/* Release n instances bound for `to`, the latest to be ready first. */
static void
release(struct unit *u, long n, int to)
{
	while (n > 0) {
		size_t at = u->nq;
		for (size_t i = 0; i < u->nq; i++)
			if (u->q[i].to == to && u->q[i].n > 0 && (at == u->nq || u->q[i].ready >= u->q[at].ready))
				at = i;
		if (at == u->nq)
			break;
		long k = n < u->q[at].n ? n : u->q[at].n;
		u->q[at].n -= k;
		n -= k;
	}
	if (to == TO_ACTIVE)
		u->active -= n < u->active ? n : u->active;
	else
		u->warm -= n < u->warm ? n : u->warm;
}

static void
drop_empty(struct unit *u)
{
	size_t out = 0;

	for (size_t i = 0; i < u->nq; i++)
		if (u->q[i].n > 0)
			u->q[out++] = u->q[i];
	u->nq = out;
}

/* Move toward `active` and `warm` instances held: activation takes warm
 * ones first (warm_s), then those still booting toward warm, then cold
 * ones (boot_s); deactivation to warm keeps the instances. */
static int
reconcile(struct unit *u, long active, long warm, int64_t now)
{
	long ha = held(u, TO_ACTIVE), hw = held(u, TO_WARM);
	int rc = 0;

	if (active < ha && warm > hw) {
		/* back to warm: serving instances stop serving at once */
		long m = ha - active < warm - hw ? ha - active : warm - hw;
		long k = m < u->active ? m : u->active;
		u->active -= k;
		u->warm += k;
		ha -= k;
	}
	if (active > ha) {
		long need = active - ha, k = need < u->warm ? need : u->warm;
		u->warm -= k;
		rc |= push(u, now + (int64_t)u->t->warm_s, k, TO_ACTIVE);
		need -= k;
		for (size_t i = 0; i < u->nq && need > 0; i++)
			if (u->q[i].to == TO_WARM && u->q[i].n > 0) {
				long m = need < u->q[i].n ? need : u->q[i].n;
				u->q[i].n -= m;
				need -= m;
				rc |= push(u, u->q[i].ready + (int64_t)u->t->warm_s, m, TO_ACTIVE);
			}
		rc |= push(u, now + (int64_t)u->t->boot_s, need, TO_ACTIVE);
	} else if (active < ha)
		release(u, ha - active, TO_ACTIVE);
	hw = held(u, TO_WARM);
	if (warm > hw)
		rc |= push(u, now + (int64_t)u->t->boot_s, warm - hw, TO_WARM);
	else if (warm < hw)
		release(u, hw - warm, TO_WARM);
	drop_empty(u);
	return rc;
}

static void
advance(struct unit *u, int64_t now)
{
	for (size_t i = 0; i < u->nq; i++)
		if (u->q[i].ready <= now) {
			if (u->q[i].to == TO_ACTIVE)
				u->active += u->q[i].n;
			else
				u->warm += u->q[i].n;
			u->q[i].n = 0;
		}
	drop_empty(u);
}

/* ---- the replay ---- */

struct surge {
	int64_t onset, end;
};

struct run {
	int policy;
	struct unit *u;
	pcs_planner *pl;
	pcs_router *router;
	long *warm_of, *active_of;    /* planner usage per topology row */
	int *status;                  /* shadow status per POP, as the router has it */
	int *named;                   /* the status this tick's plan gives, -1: none */
	long *need;                   /* oracle: instances per POP */
	int routed_once;              /* the group has had a tick */
	/* accounts, over every group */
	struct pcs_sim_summary sum;
	double served, served_latency, d_prev, s_prev, unstable;
	size_t pairs;                 /* consecutive scored ticks of a group */
	int64_t *acts;                /* times of scale-up and warm actions (lead times) */
	size_t nacts, cacts;
	double *leads;
	size_t nleads, cleads;
};

struct pcs_sim {
	const pcs_topology *topo;
	struct pcs_sim_params p;
	size_t *horizons;
	double *levels;
	size_t npol;
	struct run run[PCS_NPOLICIES];
};

/* The levels a budget chooses from (those below prov_level, and
 * prov_level): steps that each cost a few percent more instances on the
 * traces replayed, finer near 1 where the tail is. */
static const double LADDER_LEVELS[] = { 0.9, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.995,
                                        0.999 };
#define LADDER_MAX (sizeof LADDER_LEVELS / sizeof LADDER_LEVELS[0] + 1)

/* A forecaster of the group, what it forecasts, and this tick's forecast. */
struct fcast {
	const size_t *h;              /* horizons, in steps (nh 0: not used) */
	size_t nh;
	const double *lv;             /* levels */
	size_t nl;
	pcs_forecaster *fc;
	struct pcs_forecast_result fr;
	int have;                     /* fr holds this tick's forecast */
};

/* One group's replay: its own topology (so that planners, routers and state
 * ids are per group) and forecasters. */
struct group {
	const char *name;
	pcs_topology *t;
	size_t n;                     /* POPs */
	size_t *order;                /* primaries, then secondaries by rtt_ms */
	double irps_ref, base_rps;    /* the first primary's instance_rps; primaries' capacity */
	const pcs_series *h;
	/* the risk's (pcs-forecast's) forecaster; predictive-scale's at its
	 * buffer when that is not one of the risk's horizons; predictive's
	 * provisioning one, at horizons 1..boot */
	struct fcast main, buffer, prov;
	size_t *prov_h;
	/* prov's calibrations, one per level of the ladder (ascending; the
	 * last is prov_level), the one in use, and the budget that chooses it
	 * (NULL: the ladder is prov_level alone); no ladder: prov's own quantile */
	size_t nladder, pick;
	double ladder[LADDER_MAX];
	pcs_conformal *conf[LADDER_MAX];
	pcs_budget *budget;
	/* the budget's reference: an HPA on the group's demand, its primaries
	 * pooled as instances of the first primary's size */
	struct pcs_topo ref_t;
	struct unit ref;
	size_t buffer_at;             /* index of the buffer horizon in main, or SIZE_MAX */
	int64_t last_fit;
	size_t buffer_steps;
	double boot_max;              /* the primaries' longest boot_s */
};

pcs_sim *
pcs_sim_new(const pcs_topology *t, const struct pcs_sim_params *p, const int *pol, size_t npol,
            pcs_error *err)
{
	pcs_sim *s = calloc(1, sizeof *s);

	if (s == NULL || npol == 0 || npol > PCS_NPOLICIES)
		goto fail;
	s->topo = t;
	s->p = *p;
	s->horizons = malloc((p->nhorizons + 1) * sizeof *s->horizons);
	s->levels = malloc((p->nlevels + 1) * sizeof *s->levels);
	if (s->horizons == NULL || s->levels == NULL)
		goto fail;
	memcpy(s->horizons, p->horizons, p->nhorizons * sizeof *s->horizons);
	memcpy(s->levels, p->levels, p->nlevels * sizeof *s->levels);
	s->p.horizons = s->horizons;
	s->p.levels = s->levels;
	s->npol = npol;
	for (size_t i = 0; i < npol; i++) {
		s->run[i].policy = pol[i];
		s->run[i].sum.policy = pol[i];
	}
	return s;
fail:
	pcs_sim_free(s);
	if (npol == 0 || npol > PCS_NPOLICIES)
		pcs_error_set(err, PCS_EUSAGE, 0, NULL, "want 1 to %d policies, not %zu", PCS_NPOLICIES, npol);
	else
		pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	return NULL;
}

void
pcs_sim_free(pcs_sim *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->npol; i++) {
		free(s->run[i].acts);
		free(s->run[i].leads);
	}
	free(s->horizons);
	free(s->levels);
	free(s);
}

static int
nomem(pcs_error *err)
{
	return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
}

/* A scaling action at ts, for the lead times (r NULL: a counterfactual's,
 * not counted). */
static int
note_action(struct run *r, int64_t ts)
{
	int64_t *na;

	if (r == NULL)
		return 0;
	if ((na = pcs_grow(r->acts, r->nacts, &r->cacts, sizeof *na, 64)) == NULL)
		return -1;
	r->acts = na;
	r->acts[r->nacts++] = ts;
	return 0;
}

static int
failed(const struct pcs_sim_params *p, const char *pop, int64_t ts)
{
	for (size_t i = 0; i < p->nfailures; i++)
		if (ts >= p->failures[i].from && ts < p->failures[i].to &&
		    strcmp(p->failures[i].pop, pop) == 0)
			return 1;
	return 0;
}

static double
capacity(const struct pcs_sim_params *p, const struct unit *u, int64_t ts)
{
	return failed(p, u->t->pop, ts) ? 0 : (double)u->active * u->t->instance_rps;
}

static double
cost_per_hour(const struct pcs_topo *t)
{
	return t->cost_per_hour > 0 ? t->cost_per_hour : 1;
}

/* Primaries before secondaries, then the nearer (rtt_ms) first. */
static int
before(const struct pcs_topo *a, const struct pcs_topo *b)
{
	if (a->primary != b->primary)
		return a->primary;
	return a->rtt_ms < b->rtt_ms;
}

/* The group's own topology: its rows, in the whole topology's order. */
static int
group_topology(const pcs_sim *s, struct group *g, pcs_error *err)
{
	const char *service = NULL;
	double max_rps = 0;

	if ((g->t = pcs_topology_new()) == NULL)
		return nomem(err);
	for (size_t i = 0; i < pcs_topology_count(s->topo); i++) {
		const struct pcs_topo *r = pcs_topology_get(s->topo, i);
		if (strcmp(r->group, g->name) != 0)
			continue;
		if (service && strcmp(service, r->service) != 0)
			return pcs_error_set(err, PCS_EDATA, r->line, "service",
			                     "group '%s' has two services ('%s' and '%s'): a replay "
			                     "carries each group's demand on one service", g->name,
			                     service, r->service);
		service = r->service;
		if (pcs_topology_add(g->t, r, err) != 0)
			return err->code;
		if (r->primary) {
			if (g->irps_ref == 0) {
				g->irps_ref = r->instance_rps;
				g->ref_t = *r;
			}
			g->base_rps += (double)r->instances * r->instance_rps;
			max_rps += (double)r->max_instances * r->instance_rps;
			if (r->boot_s > g->boot_max)
				g->boot_max = r->boot_s;
		}
	}
	if (service == NULL)
		return pcs_error_set(err, PCS_EDATA, 0, NULL, "group '%s' is not in the topology",
		                     g->name);
	if (g->irps_ref == 0)
		return pcs_error_set(err, PCS_EDATA, 0, NULL,
		                     "group '%s' has no primary POP in the topology", g->name);
	if (pcs_topology_finish(g->t, err) != 0)
		return err->code;
	g->ref_t.instances = count_of(g->base_rps / g->irps_ref);
	g->ref_t.max_instances = (long)floor(max_rps / g->irps_ref + 1e-9);
	g->n = pcs_topology_count(g->t);
	if ((g->order = malloc(g->n * sizeof *g->order)) == NULL)
		return nomem(err);
	for (size_t i = 0; i < g->n; i++) {
		size_t j = i;
		g->order[i] = i;
		while (j > 0 && before(pcs_topology_get(g->t, i), pcs_topology_get(g->t, g->order[j - 1]))) {
			g->order[j] = g->order[j - 1];
			g->order[--j] = i;
		}
	}
	return 0;
}

static int
start_run(const pcs_sim *s, const struct group *g, struct run *r, pcs_error *err)
{
	if ((r->u = calloc(g->n, sizeof *r->u)) == NULL ||
	    (r->warm_of = calloc(g->n, sizeof *r->warm_of)) == NULL ||
	    (r->active_of = calloc(g->n, sizeof *r->active_of)) == NULL ||
	    (r->status = calloc(g->n, sizeof *r->status)) == NULL ||
	    (r->named = calloc(g->n, sizeof *r->named)) == NULL ||
	    (r->need = calloc(g->n, sizeof *r->need)) == NULL)
		return nomem(err);
	for (size_t i = 0; i < g->n; i++) {
		struct unit *u = &r->u[i];
		u->t = pcs_topology_get(g->t, i);
		if (u->t->primary && r->policy != PCS_POLICY_ORACLE)
			u->active = u->spec = u->t->instances;
	}
	if (r->policy == PCS_POLICY_PREDICTIVE &&
	    ((r->pl = pcs_planner_new(g->t, &s->p.shadow)) == NULL ||
	     (r->router = pcs_router_new(&s->p.route)) == NULL))
		return nomem(err);
	r->routed_once = 0;
	return 0;
}

static void
end_run(const struct group *g, struct run *r)
{
	if (r->u)
		for (size_t i = 0; i < g->n; i++) {
			free(r->u[i].q);
			free(r->u[i].rec);
		}
	free(r->u);
	free(r->warm_of);
	free(r->active_of);
	free(r->status);
	free(r->named);
	free(r->need);
	r->need = NULL;
	pcs_planner_free(r->pl);
	pcs_router_free(r->router);
	r->u = NULL;
	r->warm_of = r->active_of = NULL;
	r->status = r->named = NULL;
	r->pl = NULL;
	r->router = NULL;
}

/* Shares by ready capacity: what an ideal load balancer does. */
static void
capacity_shares(const pcs_sim *s, struct run *r, size_t n, int64_t ts)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += capacity(&s->p, &r->u[i], ts);
	for (size_t i = 0; i < n; i++)
		r->u[i].share = sum > 0 ? capacity(&s->p, &r->u[i], ts) / sum : 0;
}

/* What demand d needs at ts, per POP (out[i]): primaries first, then
 * secondaries by rtt_ms (g->order), each within its room, none that has
 * failed. */
static void
oracle_fill(const pcs_sim *s, const struct group *g, const struct unit *u, double d, int64_t ts,
            long *out)
{
	for (size_t i = 0; i < g->n; i++)
		out[i] = 0;
	for (size_t k = 0; k < g->n && d > 0; k++) {
		size_t i = g->order[k];
		const struct pcs_topo *t = u[i].t;
		long room = t->primary ? t->max_instances : t->max_instances - t->instances;
		long need = count_of(d / t->instance_rps);
		if (failed(&s->p, t->pop, ts))
			continue;
		out[i] = need < room ? need : room;
		d -= (double)out[i] * t->instance_rps;
	}
}

/* The oracle serves with exactly what slot i needs, and holds besides what
 * the next boot_s will need (asked for boot_s ahead, paid from then). */
static int
oracle_provision(const pcs_sim *s, struct run *r, const struct group *g, size_t i, int64_t ts)
{
	const pcs_series *h = g->h;
	long before = 0, after = 0;

	for (size_t j = 0; j < g->n; j++) {
		before += r->u[j].active + r->u[j].extra;
		r->u[j].extra = 0;
	}
	oracle_fill(s, g, r->u, isnan(h->y[i]) ? 0 : h->y[i], ts, r->need);
	for (size_t j = 0; j < g->n; j++)
		r->u[j].active = r->need[j];
	for (size_t k = 1; i + k < h->n; k++) {
		int64_t at = ts + (int64_t)k * h->step;
		int any = 0;
		oracle_fill(s, g, r->u, isnan(h->y[i + k]) ? 0 : h->y[i + k], at, r->need);
		for (size_t j = 0; j < g->n; j++) {
			struct unit *u = &r->u[j];
			if ((double)(at - ts) > u->t->boot_s)
				continue;
			any = 1;
			if (r->need[j] - u->active > u->extra)
				u->extra = r->need[j] - u->active;
		}
		if (!any)
			break;
	}
	for (size_t j = 0; j < g->n; j++)
		after += r->u[j].active + r->u[j].extra;
	/* a rise is asked for boot_s before it is needed */
	if (after > before && note_action(r, ts) != 0)
		return -1;
	return 0;
}

/* Add the recommendation n made at now to u's, drop those older than
 * window, and give the largest left in *max.  0, or -1 out of memory. */
static int
window_max(struct unit *u, int64_t now, int64_t window, long n, long *max)
{
	struct rec *nr;
	size_t keep = 0;

	for (size_t i = 0; i < u->nrec; i++)
		if (u->rec[i].ts > now - window)
			u->rec[keep++] = u->rec[i];
	u->nrec = keep;
	if ((nr = pcs_grow(u->rec, u->nrec, &u->crec, sizeof *nr, 16)) == NULL)
		return -1;
	u->rec = nr;
	u->rec[u->nrec++] = (struct rec){ now, n };
	*max = n;
	for (size_t i = 0; i < u->nrec; i++)
		if (u->rec[i].n > *max)
			*max = u->rec[i].n;
	return 0;
}

/* Kubernetes HPA on a primary, with requests per second (load) as the
 * metric; floor_n is a lower bound from a forecast (0: none). */
static int
hpa(const pcs_sim *s, struct run *r, struct unit *u, double load, int64_t now, int64_t step,
    long floor_n)
{
	const struct pcs_sim_params *p = &s->p;
	double raw = load / (p->hpa_target * u->t->instance_rps);
	long rec, next, lo = p->min_replicas, hi = u->t->max_instances;

	if (u->spec > 0 && fabs(raw / (double)u->spec - 1) <= p->hpa_tolerance)
		rec = u->spec;
	else
		rec = count_of(raw);
	if (rec < floor_n)
		rec = floor_n;
	rec = rec < lo ? lo : rec > hi ? hi : rec;
	long stab;
	if (window_max(u, now, p->hpa_stabilization, rec, &stab) != 0)
		return -1;
	if (rec > u->spec) {
		long allowed = u->spec;
		/* no further than rec: an hour's 240 doublings overflow a long */
		for (int64_t t = 0; t < step && allowed < rec; t += HPA_PERIOD)
			allowed = allowed >= rec / 2 ? rec : allowed * 2 > allowed + 4 ? allowed * 2 : allowed + 4;
		next = rec < allowed ? rec : allowed;
	} else {
		next = stab < u->spec ? stab : u->spec;
	}
	if (next > u->spec && note_action(r, now) != 0)
		return -1;
	u->spec = next;
	return reconcile(u, next, 0, now);
}

/* The most horizons predictive's provisioning forecasts. */
#define PROV_HORIZONS 60
/* The provisioning forecast's errors kept for its calibration: a week,
 * so that every hour of the day and every minute of the hour has 7 or
 * more days of scores (seconds). */
#define CALIBRATION_WINDOW (7 * 86400.0)
/* ... but at most this many scores a horizon (two weeks at 1 minute): at
 * a 1 s step a week is 604,800 scores for each of up to 60 horizons, 870
 * MB and minutes of sorting at every refit */
#define CALIBRATION_MAX_SCORES 20160.0

/* Are predictive's primaries provisioned on the forecast this tick (the
 * HPA's otherwise)? */
static int
provisioned(const pcs_sim *s, const struct group *g)
{
	return s->p.prov_level > 0 && g->prov.have;
}

/* The most demand the provisioning forecast bounds at any horizon within a
 * boot: c's bound (conformal), or the model's quantile where c has none. */
static double
prov_bound(const struct group *g, const pcs_conformal *c, int64_t now)
{
	double q = 0;

	for (size_t j = 0; j < g->prov.nh; j++) {
		double b = c ? pcs_conformal_upper(c, j, now, g->prov.fr.mean[j]) : NAN;
		q = fmax(q, isnan(b) ? g->prov.fr.quantiles[j] : b);
	}
	return q;
}

/* The instances a provisioned POP t wants for a bound q on its demand:
 * q at prov_target utilization, never fewer than the load now needs. */
static long
prov_want(const pcs_sim *s, const struct pcs_topo *t, double q, double load)
{
	long want = count_of(q / (s->p.prov_target * t->instance_rps));
	long for_load = count_of(load / t->instance_rps);

	if (want < for_load)
		want = for_load;
	return want < s->p.min_replicas ? s->p.min_replicas :
	       want > t->max_instances ? t->max_instances : want;
}

/* predictive's primaries: enough instances for the prov_level quantile
 * of the demand at every step until an instance asked for now could serve
 * (horizons 1..boot), at prov_target utilization, and never fewer than the
 * load now needs.  The quantile is the forecast's own past errors' at the
 * target's phase (pcs_conformal.h) once a week of them is kept, the
 * model's before.  New instances are asked for at once; what is no longer
 * wanted is released a boot (prov_hold) after it last was.  Without a
 * forecast, the HPA. */
static int
provision(const pcs_sim *s, const struct group *g, struct run *r, struct unit *u, double part,
          double load, int64_t now, int64_t step)
{
	long want;

	if (!provisioned(s, g))
		return hpa(s, r, u, load, now, step, 0);
	want = prov_want(s, u->t, prov_bound(g, g->nladder ? g->conf[g->pick] : NULL, now) * part,
	                 load);
	/* hold what was wanted within the last boot: an instance released
	 * and asked for again within a boot is paid for a boot without
	 * serving, so it is kept for as long as getting it back would cost
	 * (the ski-rental rule, 2-competitive) */
	if (window_max(u, now, s->p.prov_hold >= 0 ? s->p.prov_hold : (int64_t)u->t->boot_s, want,
	               &want) != 0)
		return -1;
	if (want > u->spec && note_action(r, now) != 0)
		return -1;
	u->spec = want;
	return reconcile(u, want, 0, now);
}

/* A forecaster's view of the history up to slot i, within the window, from
 * its first observed slot to its last (as pcs-forecast would see it). */
static int
history_view(const pcs_series *h, size_t i, int64_t window, pcs_series *v)
{
	size_t first = 0, last = i;

	if (window > 0) {
		size_t k = (size_t)((window - 1) / h->step);
		if (i > k)
			first = i - k;
	}
	while (first <= last && isnan(h->y[first]))
		first++;
	while (last > first && isnan(h->y[last]))
		last--;
	if (first > last)
		return -1;
	memset(v, 0, sizeof *v);
	v->start = h->start + (int64_t)first * h->step;
	v->step = h->step;
	v->n = last - first + 1;
	v->y = h->y + first;
	for (size_t j = 0; j < v->n; j++)
		v->samples += !isnan(v->y[j]);
	return 0;
}

static pcs_forecaster *
fit(const pcs_sim *s, const struct group *g, size_t i, const struct fcast *f, pcs_error *err)
{
	struct pcs_forecast_config cfg = { s->p.model, f->h, f->nh, f->lv, f->nl, NULL, 0, NULL, NULL };
	pcs_series v;

	if (history_view(g->h, i, s->p.window, &v) != 0) {
		pcs_error_set(err, PCS_EDATA, 0, NULL, "no history to fit");
		return NULL;
	}
	return pcs_forecaster_new(&v, &cfg, err);
}

/* Is the policy one of the replay's? */
static int
runs(const pcs_sim *s, int policy)
{
	for (size_t k = 0; k < s->npol; k++)
		if (s->run[k].policy == policy)
			return 1;
	return 0;
}

/* Does the policy use the forecast? */
static int
forecasts(int policy)
{
	return policy == PCS_POLICY_PREDICTIVE || policy == PCS_POLICY_PREDICTIVE_SCALE;
}

/* Drop the forecast of the tick before. */
static void
fcast_clear(struct fcast *f)
{
	if (f->have)
		pcs_forecast_result_free(&f->fr);
	f->have = 0;
}

static void
fcast_free(struct fcast *f)
{
	fcast_clear(f);
	pcs_forecaster_free(f->fc);
	f->fc = NULL;
}

/* One forecaster to slot i: refitted from the history up to i when refit
 * (and fit allowed), else stepped online; then this tick's forecast. */
static void
fcast_step(const pcs_sim *s, const struct group *g, struct fcast *f, size_t i, int refit,
           int fit_ok)
{
	pcs_error err;

	fcast_clear(f);
	if (refit) {
		pcs_forecaster_free(f->fc);
		f->fc = fit_ok ? fit(s, g, i, f, &err) : NULL;
	} else if (f->fc) {
		pcs_forecaster_observe(f->fc, g->h->y[i]);
	}
	f->have = f->fc && pcs_forecaster_predict(f->fc, &f->fr, &err) == 0;
}

/* What predictive holds on the secondaries (its shadows), a warm instance
 * as its cost's fraction of one; 0 when it is not replayed. */
static double
shadows_held(const pcs_sim *s, const struct group *g)
{
	double n = 0;

	for (size_t k = 0; k < s->npol; k++) {
		const struct run *r = &s->run[k];
		if (r->policy != PCS_POLICY_PREDICTIVE || r->u == NULL)
			continue;
		for (size_t j = 0; j < g->n; j++)
			if (!r->u[j].t->primary)
				n += (double)held(&r->u[j], TO_ACTIVE) +
				     r->u[j].t->warm_cost_frac * (double)held(&r->u[j], TO_WARM);
	}
	return n;
}

/* Has every level of the ladder a table (until then each level's bound
 * is the model's one quantile, and the levels' costs do not differ)? */
static int
ladder_ready(const struct group *g)
{
	for (size_t k = 0; k < g->nladder; k++)
		if (isnan(pcs_conformal_power(g->conf[k])))
			return 0;
	return 1;
}

/* The provisioning forecast's calibrations at slot i: score the forecasts
 * made for it, record this tick's, and choose each table anew at a refit;
 * with a budget, account what each level and the reference would hold,
 * and choose the level at a refit.  0, or -1 out of memory. */
static int
calibration_tick(const pcs_sim *s, struct group *g, size_t i, int64_t ts, int refit)
{
	double d = isnan(g->h->y[i]) ? 0 : g->h->y[i];
	long want[LADDER_MAX];

	for (size_t k = 0; k < g->nladder; k++) {
		pcs_conformal_observe(g->conf[k], ts, g->h->y[i]);
		if (g->prov.have)
			pcs_conformal_forecast(g->conf[k], ts, g->prov.fr.mean);
		if (refit)
			pcs_conformal_refit(g->conf[k]);
	}
	if (g->budget == NULL)
		return 0;
	advance(&g->ref, ts);
	if (hpa(s, NULL, &g->ref, d, ts, g->h->step, 0) != 0)
		return -1;
	/* what each level would hold, on the whole group's demand; a tick
	 * with no observation is left out: a gap in the history is not a
	 * minute without demand, and would price every level's forecast
	 * against an HPA shrunk to its floor */
	if (g->prov.have && !isnan(g->h->y[i]) && ladder_ready(g)) {
		for (size_t k = 0; k < g->nladder; k++)
			want[k] = prov_want(s, &g->ref_t, prov_bound(g, g->conf[k], ts), d);
		pcs_budget_tick(g->budget, want, shadows_held(s, g), g->ref.spec);
	}
	if (refit)
		g->pick = pcs_budget_choice(g->budget);
	return 0;
}

/* The provisioning calibrations, one per level of the ladder, and the
 * budget with its reference HPA when the ladder has more than one level.
 * A calibration that cannot be made (a boot too long to keep its
 * forecasts) leaves none: the model's quantile.  0, or -1 out of memory. */
static int
ladder_new(const pcs_sim *s, struct group *g, size_t window)
{
	size_t n = 0, hold;
	double hold_s = s->p.prov_hold >= 0 ? (double)s->p.prov_hold : g->boot_max;

	if (s->p.prov_budget > 0)
		for (size_t k = 0; k < sizeof LADDER_LEVELS / sizeof *LADDER_LEVELS; k++)
			if (LADDER_LEVELS[k] < s->p.prov_level)
				g->ladder[n++] = LADDER_LEVELS[k];
	g->ladder[n++] = s->p.prov_level;
	for (size_t k = 0; k < n; k++)
		if ((g->conf[k] = pcs_conformal_new(g->prov_h, g->prov.nh, g->ladder[k], window,
		                                    g->h->step)) == NULL) {
			while (k-- > 0)
				pcs_conformal_free(g->conf[k]);
			return 0;
		}
	g->nladder = n;
	g->pick = n - 1;
	if (n == 1)
		return 0;
	/* window_max keeps what was wanted at the ticks less than hold_s ago */
	hold = (size_t)fmax(1, ceil(hold_s / (double)g->h->step));
	if ((g->budget = pcs_budget_new(n, s->p.prov_budget, window, hold)) == NULL)
		return -1;
	g->ref.t = &g->ref_t;
	g->ref.active = g->ref.spec = g->ref_t.instances;
	return 0;
}

/* Calibrate the provisioning forecast over the second half of the warm-up
 * [from, to), so that its table is ready when scoring starts: the same
 * forecaster, refitted on the same schedule, from the history it would
 * have had then. */
static int
calibrate(pcs_sim *s, struct group *g, size_t from, size_t to)
{
	int64_t last_fit = 0;

	for (size_t i = from; i < to; i++) {
		int64_t ts = g->h->start + (int64_t)i * g->h->step;
		int refit = g->prov.fc == NULL || ts - last_fit >= s->p.refit;
		if (refit)
			last_fit = ts;
		fcast_step(s, g, &g->prov, i, refit, 1);
		if (calibration_tick(s, g, i, ts, refit) != 0)
			return -1;
	}
	fcast_clear(&g->prov);
	return 0;
}

/* Bring the group's forecasters to slot i: a refit on schedule, else one
 * online step; then forecast. */
static int
forecast_tick(pcs_sim *s, struct group *g, size_t i, int64_t ts)
{
	struct fcast *all[] = { &g->main, &g->buffer, &g->prov };
	int refit = g->main.fc == NULL || ts - g->last_fit >= s->p.refit;

	/* the others only when the risk's forecaster could be fitted */
	for (size_t k = 0; k < 3; k++)
		fcast_step(s, g, all[k], i, refit, k == 0 || (all[k]->nh > 0 && g->main.fc));
	if (calibration_tick(s, g, i, ts, refit) != 0)
		return -1;
	if (refit) {
		g->last_fit = ts;
		for (size_t k = 0; k < s->npol; k++)
			s->run[k].sum.refits += forecasts(s->run[k].policy);
	}
	if (!g->main.have)
		for (size_t k = 0; k < s->npol; k++)
			s->run[k].sum.forecast_errors += forecasts(s->run[k].policy);
	return 0;
}

/* The forecast mean at the scheduling buffer, or -1 when there is none. */
static double
buffer_mean(const struct group *g)
{
	if (g->buffer_at != SIZE_MAX)
		return g->main.have ? g->main.fr.mean[g->buffer_at] : -1;
	return g->buffer.have ? g->buffer.fr.mean[0] : -1;
}

/* pcs-risk, in process: the primaries' risk from this tick's forecast,
 * with their ready capacity and the load routed to them.  rows (free())
 * come by POP, then horizon, and point into cap (pcs_capacity_free). */
static int
risk_tick(pcs_sim *s, const struct group *g, const struct run *r, int64_t ts,
          pcs_capacity *cap, struct pcs_risk_row **rows, size_t *nrows, pcs_error *err)
{
	struct pcs_demand *d;
	size_t nh = s->p.nhorizons;
	int rc = 0;

	*rows = NULL;
	*nrows = 0;
	if ((d = calloc(nh + 1, sizeof *d)) == NULL)
		return nomem(err);
	for (size_t i = 0; i < g->n && rc == 0; i++) {
		const struct unit *u = &r->u[i];
		if (!u->t->primary)
			continue;
		rc = pcs_capacity_add(cap, u->t->pop, g->name, "", capacity(&s->p, u, ts),
		                      u->routed, 0, 0, err);
		/* a primary provisioned on the forecast reaches, a boot ahead,
		 * whatever the forecast sees up to its max_instances: the
		 * shadows are for what it cannot reach */
		if (rc == 0 && provisioned(s, g) && !failed(&s->p, u->t->pop, ts))
			pcs_capacity_reach(cap, (double)u->t->max_instances * u->t->instance_rps,
			                   u->t->boot_s);
	}
	for (size_t j = 0; j < nh && rc == 0; j++) {
		d[j].region = "*";
		d[j].horizon_s = (int64_t)s->horizons[j] * g->h->step;
		d[j].target = ts + d[j].horizon_s;
		pcs_qdist_init(&d[j].dist, s->levels, g->main.fr.quantiles + j * s->p.nlevels,
		               s->p.nlevels, 0);
	}
	if (rc == 0) {
		pcs_capacity_finish(cap, 1, 1);
		rc = pcs_risk_group(cap, g->name, d, nh, &s->p.risk, rows, nrows, err);
	}
	free(d);
	return rc;
}

/* pcs-shadow-plan, in process: the risk rows as one observation per
 * primary, a planning run, and its actions carried out. */
static int
plan_tick(pcs_sim *s, const struct group *g, struct run *r, int64_t ts,
          const struct pcs_sim_output *out, pcs_error *err)
{
	struct pcs_risk_row *rows = NULL;
	struct pcs_risk_obs *obs = NULL;
	struct pcs_risk_horizon *hz = NULL;
	size_t nrows = 0, nobs = 0, nacts;
	const struct pcs_action *acts;
	pcs_capacity *cap = pcs_capacity_new();
	int rc;

	if (cap == NULL)
		return nomem(err);
	if (g->main.have && (rc = risk_tick(s, g, r, ts, cap, &rows, &nrows, err)) != 0)
		goto done;
	if ((obs = calloc(nrows + 1, sizeof *obs)) == NULL || (hz = calloc(nrows + 1, sizeof *hz)) == NULL) {
		rc = nomem(err);
		goto done;
	}
	for (size_t k = 0; k < nrows; k++) {
		const struct pcs_risk_row *w = &rows[k];
		if (nobs == 0 || strcmp(obs[nobs - 1].pop, w->pop->pop) != 0)
			obs[nobs++] = (struct pcs_risk_obs){ g->name, w->pop->pop, 0, &hz[k], 0 };
		struct pcs_risk_obs *o = &obs[nobs - 1];
		hz[k] = (struct pcs_risk_horizon){ w->horizon_s, w->demand_p50, w->demand_p99,
		                                   w->capacity_rps, w->shortfall_rps, w->p_exceed };
		o->nh++;
		o->risk = fmax(o->risk, fmax(w->p_exceed, w->risk));
	}
	if ((rc = pcs_planner_step(r->pl, ts, obs, nobs, &acts, &nacts, err)) != 0)
		goto done;
	/* as pcs-route-weights --plan reads a plan: the POPs named are no
	 * shadow, then warm, then active, the strongest winning */
	for (size_t i = 0; i < g->n; i++)
		r->named[i] = -1;
	for (size_t k = 0; k < nacts; k++) {
		size_t at = (size_t)(acts[k].secondary - pcs_topology_get(g->t, 0));
		int st = pcs_route_shadow_status(acts[k].to);
		if (r->named[at] < 0 || st == PCS_SHADOW_ACTIVE_POP ||
		    (st == PCS_SHADOW_WARM_POP && r->named[at] == PCS_SHADOW_NONE_POP))
			r->named[at] = st;
		if ((acts[k].action == PCS_ACT_CREATE_WARM || acts[k].action == PCS_ACT_SCALE_UP) &&
		    note_action(r, ts) != 0) {
			rc = nomem(err);
			goto done;
		}
		if (out && out->action && out->action(out->ctx, &acts[k]) != 0) {
			rc = pcs_error_set(err, PCS_EIO, 0, NULL, "the replay was stopped");
			goto done;
		}
	}
	for (size_t i = 0; i < g->n; i++)
		if (r->named[i] >= 0 && r->named[i] != r->status[i]) {
			r->status[i] = r->named[i];
			if ((rc = pcs_router_set_shadow(r->router, g->name, r->u[i].t->pop, r->status[i], err)) != 0)
				goto done;
		}
	pcs_planner_usage(r->pl, r->warm_of, r->active_of);
	for (size_t i = 0; i < g->n; i++)
		if (!r->u[i].t->primary && reconcile(&r->u[i], r->active_of[i], r->warm_of[i], ts) != 0) {
			rc = nomem(err);
			goto done;
		}
done:
	free(rows);
	free(obs);
	free(hz);
	pcs_capacity_free(cap);
	return rc;
}

/* pcs-route-weights, in process, at the start of a tick: every POP's
 * health (its ready instances' capacity now; the load routed to it and its
 * errors over the tick before), then the shares to route this tick with.  Load shed at
 * capacity shows as load above capacity, not as errors: errors are what a
 * failed POP answers, so that breakers isolate failures, not busy POPs. */
static int
route_tick(pcs_sim *s, const struct group *g, struct run *r, int64_t ts, pcs_error *err)
{
	const struct pcs_route_out *o;
	size_t n;
	int rc;

	for (size_t i = 0; i < g->n; i++) {
		const struct unit *u = &r->u[i];
		/* a failed POP still reports its instances (its monitoring does
		 * not know); its errors give it away, and its breaker opens */
		struct pcs_health h = {
			g->name, u->t->pop, ts, (double)u->active * u->t->instance_rps, u->routed,
			s->p.base_latency_ms + u->t->rtt_ms,
			u->routed > 0 && failed(&s->p, u->t->pop, ts - g->h->step) ? 1 : 0,
			u->routed * (double)g->h->step, -1
		};
		if ((rc = pcs_router_observe(r->router, &h, err)) != 0)
			return rc;
	}
	if ((rc = pcs_router_tick(r->router, ts, &o, &n, err)) != 0)
		return rc;
	for (size_t i = 0; i < g->n; i++) {
		struct unit *u = &r->u[i];
		u->share = 0;
		for (size_t k = 0; k < n; k++)
			if (strcmp(o[k].pop, u->t->pop) == 0) {
				u->share = o[k].share;
				if (o[k].breaker == PCS_BREAKER_OPEN && u->breaker != PCS_BREAKER_OPEN)
					r->sum.breaker_trips++;
				u->breaker = o[k].breaker;
			}
	}
	return 0;
}

/* Route D, count, and write the timeline rows of one policy's tick. */
static int
serve(pcs_sim *s, const struct group *g, struct run *r, int64_t ts, double d,
      const struct pcs_sim_output *out)
{
	const struct pcs_sim_params *p = &s->p;
	double step = (double)g->h->step, served = 0, supply = 0, churn = 0;

	for (size_t i = 0; i < g->n; i++) {
		struct unit *u = &r->u[i];
		double c = capacity(p, u, ts);
		long ha = held(u, TO_ACTIVE) + u->extra, hw = held(u, TO_WARM);
		u->routed = d * u->share;
		u->served = fmin(u->routed, c);
		served += u->served;
		supply += (double)ha * u->t->instance_rps;
		churn += fabs(u->share - u->prev_share);
		u->prev_share = u->share;
		r->sum.instance_hours += (double)ha * step / 3600;
		r->sum.warm_hours += (double)hw * step / 3600;
		r->sum.cost += ((double)ha + (double)hw * u->t->warm_cost_frac) * cost_per_hour(u->t) *
		               step / 3600;
		r->served_latency += u->served * step * (p->base_latency_ms + u->t->rtt_ms);
		if (out && out->tick) {
			struct pcs_sim_tick row = { ts, r->policy, g->name, u->t->pop, d, u->routed, c,
			                            u->served, u->routed - u->served, u->share, ha,
			                            u->active, hw, failed(p, u->t->pop, ts), u->breaker };
			if (out->tick(out->ctx, &row) != 0)
				return -1;
		}
	}
	r->sum.ticks++;
	r->sum.offered += d * step;
	/* rounding of the shares leaves residues: nothing under a billionth */
	double lost = d - served > 1e-9 * d ? d - served : 0;
	r->sum.dropped += lost * step;
	r->served += served * step;
	if (d > 0 && lost / d > p->slo_drop)
		r->sum.slo_minutes += step / 60;
	/* SPEC RG elasticity, in instances of the first primary: demand is
	 * what D needs, supply what is allocated (booting included, warm not) */
	double dd = ceil(d / g->irps_ref - 1e-9), ss = supply / g->irps_ref;
	if (dd > 0) {
		r->sum.theta_u += fmax(dd - ss, 0) / dd;
		r->sum.theta_o += fmax(ss - dd, 0) / dd;
	}
	r->sum.tau_u += dd > ss + 1e-9;
	r->sum.tau_o += ss > dd + 1e-9;
	/* churn and instability compare with the group's tick before */
	if (r->routed_once) {
		int sd = (dd > r->d_prev) - (dd < r->d_prev);
		int sv = (ss > r->s_prev + 1e-9) - (ss < r->s_prev - 1e-9);
		r->sum.churn += churn / 2;
		r->unstable += abs(sv - sd) >= 1;
		r->pairs++;
	}
	r->routed_once = 1;
	r->d_prev = dd;
	r->s_prev = ss;
	return 0;
}

/* Surges: runs of demand above the primaries' capacity as the topology
 * gives it, merged across dips shorter than surge_gap. */
static int
find_surges(const pcs_sim *s, const struct group *g, size_t i0, struct surge **out, size_t *nout)
{
	size_t n = 0, cap = 0;
	struct surge *v = NULL;

	for (size_t i = i0; i < g->h->n; i++) {
		double d = isnan(g->h->y[i]) ? 0 : g->h->y[i];
		int64_t ts = g->h->start + (int64_t)i * g->h->step;
		if (d <= g->base_rps)
			continue;
		if (n > 0 && ts - v[n - 1].end < s->p.surge_gap) {
			v[n - 1].end = ts;
			continue;
		}
		struct surge *nv = pcs_grow(v, n, &cap, sizeof *nv, 16);
		if (nv == NULL) {
			free(v);
			return -1;
		}
		v = nv;
		v[n++] = (struct surge){ ts, ts };
	}
	*out = v;
	*nout = n;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Per surge, the first scale-up or warm action from lead_window before
 * the onset (and after the surge before) to the surge's end. */
static int
lead_times(const pcs_sim *s, struct run *r, const struct surge *sv, size_t ns)
{
	if (r->nacts > 1)
		qsort(r->acts, r->nacts, sizeof *r->acts, cmp_i64);
	for (size_t k = 0; k < ns; k++) {
		int64_t from = sv[k].onset - s->p.lead_window;
		if (k > 0 && sv[k - 1].end >= from)
			from = sv[k - 1].end + 1;
		r->sum.surges++;
		for (size_t a = 0; a < r->nacts; a++) {
			if (r->acts[a] < from)
				continue;
			if (r->acts[a] > sv[k].end)
				break;
			double lead = (double)(sv[k].onset - r->acts[a]);
			double *nl = pcs_grow(r->leads, r->nleads, &r->cleads, sizeof *nl, 16);
			if (nl == NULL)
				return -1;
			r->leads = nl;
			r->leads[r->nleads++] = lead;
			r->sum.surges_led += lead > 0;
			break;
		}
	}
	r->nacts = 0;
	return 0;
}

/* After slot i is served: what a policy does for the ticks to come. */
static int
decide(pcs_sim *s, const struct group *g, struct run *r, size_t i,
       const struct pcs_sim_output *out, pcs_error *err)
{
	int64_t ts = g->h->start + (int64_t)i * g->h->step;
	double d = isnan(g->h->y[i]) ? 0 : g->h->y[i], pcap = 0, nprim = 0;
	int rc;

	if (r->policy == PCS_POLICY_STATIC || r->policy == PCS_POLICY_ORACLE)
		return 0;
	if (r->policy == PCS_POLICY_PREDICTIVE && (rc = plan_tick(s, g, r, ts, out, err)) != 0)
		return rc;
	/* the primaries' capacity, to split the group's demand */
	for (size_t j = 0; j < g->n; j++)
		if (r->u[j].t->primary) {
			pcap += capacity(&s->p, &r->u[j], ts);
			nprim++;
		}
	for (size_t j = 0; j < g->n; j++) {
		struct unit *u = &r->u[j];
		double part = pcap > 0 ? capacity(&s->p, u, ts) / pcap : 1 / nprim;
		/* predictive scales the primaries on the group's demand (what the
		 * global balancer sees), as if the shadows were not there: shadows
		 * bridge the boot time, they do not replace the HPA; so do the
		 * baselines when no primary can serve (nothing was routed, but the
		 * demand is there) */
		double load = r->policy == PCS_POLICY_PREDICTIVE || pcap <= 0 ? d * part : u->routed;
		long floor_n = 0;
		if (!u->t->primary)
			continue;
		if (r->policy == PCS_POLICY_PREDICTIVE_SCALE) {
			double m = buffer_mean(g);
			if (m >= 0)
				floor_n = count_of(m * part / (s->p.hpa_target * u->t->instance_rps));
		}
		if (r->policy == PCS_POLICY_PREDICTIVE && s->p.prov_level > 0) {
			if (provision(s, g, r, u, part, load, ts, g->h->step) != 0)
				return nomem(err);
		} else if (hpa(s, r, u, load, ts, g->h->step, floor_n) != 0)
			return nomem(err);
	}
	return 0;
}

int
pcs_sim_group(pcs_sim *s, const char *group, const pcs_series *demand,
              const struct pcs_sim_output *out, pcs_error *err)
{
	struct group g;
	struct surge *sv = NULL;
	size_t i0, ns = 0;
	int64_t span = (int64_t)demand->n * demand->step, warmup = pcs_sim_warmup(&s->p, span);
	int need_fc = 0, rc = 0;

	memset(&g, 0, sizeof g);
	g.name = group;
	g.h = demand;
	g.buffer_at = SIZE_MAX;
	if ((rc = group_topology(s, &g, err)) != 0)
		goto done;
	if (warmup >= span) {
		rc = pcs_error_set(err, PCS_EDATA, 0, NULL,
		                   "group '%s': %lld s of history leave nothing after the %lld s warm-up",
		                   group, (long long)span, (long long)warmup);
		goto done;
	}
	i0 = (size_t)((warmup + demand->step - 1) / demand->step);
	if (i0 == 0)
		i0 = 1;   /* a forecast needs a history */
	for (size_t k = 0; k < s->npol; k++) {
		need_fc |= forecasts(s->run[k].policy);
		if ((rc = start_run(s, &g, &s->run[k], err)) != 0)
			goto done;
	}
	if (need_fc) {
		size_t b = (size_t)((s->p.buffer + demand->step - 1) / demand->step);
		if (b == 0)
			b = 1;
		g.main = (struct fcast){ .h = s->horizons, .nh = s->p.nhorizons, .lv = s->levels, .nl = s->p.nlevels };
		for (size_t j = 0; j < s->p.nhorizons; j++)
			if (s->horizons[j] == b)
				g.buffer_at = j;
		if (g.buffer_at == SIZE_MAX && runs(s, PCS_POLICY_PREDICTIVE_SCALE)) {
			g.buffer_steps = b;
			g.buffer = (struct fcast){ .h = &g.buffer_steps, .nh = 1, .lv = s->levels, .nl = s->p.nlevels };
		}
	}
	if (s->p.prov_level > 0 && runs(s, PCS_POLICY_PREDICTIVE)) {
		/* every step of a boot; a boot of more than PROV_HORIZONS steps is
		 * sampled at that many, evenly, so that a boot of years costs what
		 * one of hours does */
		double b = fmax(1, ceil(g.boot_max / (double)demand->step));
		size_t n = b < PROV_HORIZONS ? (size_t)b : PROV_HORIZONS;
		if ((g.prov_h = malloc(n * sizeof *g.prov_h)) == NULL) {
			rc = nomem(err);
			goto done;
		}
		for (size_t j = 0; j < n; j++)
			g.prov_h[j] = (size_t)ceil(b * (double)(j + 1) / (double)n);
		g.prov = (struct fcast){ .h = g.prov_h, .nh = n, .lv = &s->p.prov_level, .nl = 1 };
		if (s->p.prov_conformal && s->p.prov_level < 1) {
			size_t window = (size_t)fmax(2, fmin(CALIBRATION_MAX_SCORES,
			                                     CALIBRATION_WINDOW / demand->step));
			if (ladder_new(s, &g, window) != 0 ||
			    (g.nladder && calibrate(s, &g, i0 / 2, i0) != 0)) {
				rc = nomem(err);
				goto done;
			}
		}
	}
	if (find_surges(s, &g, i0, &sv, &ns) != 0) {
		rc = nomem(err);
		goto done;
	}

	for (size_t i = i0; i < demand->n; i++) {
		int64_t ts = demand->start + (int64_t)i * demand->step;
		double d = isnan(demand->y[i]) ? 0 : demand->y[i];

		for (size_t k = 0; k < s->npol; k++) {
			struct run *r = &s->run[k];
			for (size_t j = 0; j < g.n; j++)
				advance(&r->u[j], ts);
			if (r->policy == PCS_POLICY_ORACLE && oracle_provision(s, r, &g, i, ts) != 0) {
				rc = nomem(err);
				goto done;
			}
			if (r->policy != PCS_POLICY_PREDICTIVE || !r->routed_once)
				capacity_shares(s, r, g.n, ts);
			else if ((rc = route_tick(s, &g, r, ts, err)) != 0)
				goto done;
			if (serve(s, &g, r, ts, d, out) != 0) {
				rc = pcs_error_set(err, PCS_EIO, 0, NULL, "the replay was stopped");
				goto done;
			}
		}
		if (need_fc && forecast_tick(s, &g, i, ts) != 0) {
			rc = nomem(err);
			goto done;
		}
		for (size_t k = 0; k < s->npol; k++)
			if ((rc = decide(s, &g, &s->run[k], i, out, err)) != 0)
				goto done;
	}
	for (size_t k = 0; k < s->npol; k++)
		if (lead_times(s, &s->run[k], sv, ns) != 0) {
			rc = nomem(err);
			goto done;
		}
done:
	for (size_t k = 0; k < s->npol; k++)
		end_run(&g, &s->run[k]);
	fcast_free(&g.main);
	fcast_free(&g.buffer);
	fcast_free(&g.prov);
	free(g.prov_h);
	for (size_t k = 0; k < g.nladder; k++)
		pcs_conformal_free(g.conf[k]);
	pcs_budget_free(g.budget);
	free(g.ref.q);
	free(g.ref.rec);
	pcs_topology_free(g.t);
	free(g.order);
	free(sv);
	return rc;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void
pcs_sim_summaries(pcs_sim *s, struct pcs_sim_summary *sum)
{
	for (size_t k = 0; k < s->npol; k++) {
		struct run *r = &s->run[k];
		struct pcs_sim_summary *o = &sum[k];
		double t = (double)r->sum.ticks;

		*o = r->sum;
		o->dropped_pct = o->offered > 0 ? 100 * o->dropped / o->offered : 0;
		o->theta_u = t > 0 ? 100 * r->sum.theta_u / t : 0;
		o->theta_o = t > 0 ? 100 * r->sum.theta_o / t : 0;
		o->tau_u = t > 0 ? 100 * r->sum.tau_u / t : 0;
		o->tau_o = t > 0 ? 100 * r->sum.tau_o / t : 0;
		o->instability = r->pairs ? 100 * r->unstable / (double)r->pairs : 0;
		o->churn = r->pairs ? r->sum.churn / (double)r->pairs : 0;
		o->latency_ms = r->served > 0 ? r->served_latency / r->served : 0;
		o->lead_time_s = NAN;
		if (r->nleads > 0) {
			qsort(r->leads, r->nleads, sizeof *r->leads, cmp_double);
			o->lead_time_s = r->nleads % 2 ? r->leads[r->nleads / 2] :
			                 (r->leads[r->nleads / 2 - 1] + r->leads[r->nleads / 2]) / 2;
		}
	}
}
