/* route.c — routing weights, smoothing, slew limit and circuit breakers
 * (see pcs_route.h). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_grow.h"
#include "pcs_route.h"
#include "pcs_shadow.h"
#include "pcs_state.h"
#include "pcs_strset.h"

#define STATE_FORMAT "pcs-route-weights-state"
#define STATE_VERSION 1

const char *
pcs_breaker_name(int b)
{
	static const char *const n[] = { "closed", "open", "half_open" };

	return b >= 0 && b <= 2 ? n[b] : "?";
}

static int
breaker_of(const char *s)
{
	for (int i = 0; i <= 2; i++)
		if (strcmp(s, pcs_breaker_name(i)) == 0)
			return i;
	return -1;
}

int
pcs_route_shadow_status(int shadow_state)
{
	return shadow_state == PCS_SHADOW_ACTIVE ? PCS_SHADOW_ACTIVE_POP :
	       shadow_state == PCS_SHADOW_WARM ? PCS_SHADOW_WARM_POP : PCS_SHADOW_NONE_POP;
}

void
pcs_route_defaults(struct pcs_route_params *p)
{
	memset(p, 0, sizeof *p);
	p->capacity_weight = 0.5;
	p->latency_power = 1;
	p->shadow_bonus = 0.2;
	p->latency_tau = 30;
	p->max_step = 0.1;
	p->window = 60;
	p->min_requests = 20;      /* Hystrix requestVolumeThreshold, resilience4j minimumNumberOfCalls */
	p->error_threshold = 0.5;  /* Hystrix errorThresholdPercentage, resilience4j failureRateThreshold */
	p->slow_threshold = 0.5;   /* resilience4j slowCallRateThreshold is 1.0; half is cautious */
	p->slow_ms = 1000;
	p->sleep = 30;             /* Envoy base_ejection_time */
	p->max_sleep = 300;        /* Envoy max_ejection_time */
	p->probe_share = 0.05;
	p->probe_successes = 3;
	p->max_ejection = 0.5;
}

struct bucket {
	int64_t ts;
	double requests, errors, slow;
};

struct entry {
	char *group, *pop;
	/* this tick's sample */
	int fresh;
	struct pcs_health s;
	/* smoothed */
	double lat, err, cap, load;
	int have;                  /* lat/err hold a value */
	int64_t last_ts;
	/* breaker */
	int breaker, trips, probe_ok, panic;
	int64_t open_until, closed_since;
	struct bucket *b;
	size_t nb, cap_b;
	char *labels;              /* the caller's, kept in the state */
	/* output */
	int shadow;
	double share;
	char reason[160];
};

struct pcs_router {
	struct pcs_route_params p;
	struct entry *e;
	size_t n, cap;
	pcs_strset *index;         /* "group\x1fpop" -> entry index */
	size_t *order;             /* entries sorted by group, pop */
	int sorted;
	int64_t last_tick, tick_ts;
	int have_tick;             /* tick_ts holds the time of gathered samples */
	int64_t now;               /* the tick being closed */
	struct pcs_route_out *out;
	size_t max_targets;        /* 0: no limit */
};

pcs_router *
pcs_router_new(const struct pcs_route_params *p)
{
	pcs_router *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->p = *p;
	r->last_tick = PCS_NO_TICK;
	if ((r->index = pcs_strset_new()) == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void
pcs_router_free(pcs_router *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->e[i].group);
		free(r->e[i].pop);
		free(r->e[i].b);
		free(r->e[i].labels);
	}
	free(r->e);
	free(r->order);
	free(r->out);
	pcs_strset_free(r->index);
	free(r);
}

int64_t
pcs_router_last_tick(const pcs_router *r)
{
	return r->last_tick;
}

static struct entry *
entry_for(pcs_router *r, const char *group, const char *pop, int create)
{
	char key[1024];
	size_t at;

	snprintf(key, sizeof key, "%s\x1f%s", group, pop);
	if (pcs_strset_get(r->index, key, &at))
		return &r->e[at];
	if (!create || (r->max_targets && r->n >= r->max_targets))
		return NULL;
	struct entry *ne = pcs_grow(r->e, r->n, &r->cap, sizeof *ne, 64);
	if (ne == NULL)
		return NULL;
	r->e = ne;
	memset(&r->e[r->n], 0, sizeof r->e[0]);
	r->e[r->n].group = strdup(group);
	r->e[r->n].pop = strdup(pop);
	if (!r->e[r->n].group || !r->e[r->n].pop || pcs_strset_put(r->index, key, r->n) != 0) {
		free(r->e[r->n].group);
		free(r->e[r->n].pop);
		return NULL;
	}
	r->sorted = 0;
	return &r->e[r->n++];
}

void
pcs_router_set_max_targets(pcs_router *r, size_t max)
{
	r->max_targets = max;
}

int
pcs_router_observe(pcs_router *r, const struct pcs_health *h, pcs_error *err)
{
	struct entry *e;

	if (h->ts < r->last_tick || (r->have_tick && h->ts < r->tick_ts))
		return pcs_error_set(err, PCS_EDATA, 0, "ts", "time went backwards");
	if ((e = entry_for(r, h->group, h->pop, 1)) == NULL) {
		if (r->max_targets && r->n >= r->max_targets)
			return pcs_error_set(err, PCS_ELIMIT, 0, NULL,
			                     "more than %zu POPs (group and pop): raise --max-keys",
			                     r->max_targets);
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	}
	e->s = *h;
	e->s.group = e->group;
	e->s.pop = e->pop;
	e->fresh = 1;
	if (h->shadow >= 0)
		e->shadow = h->shadow;
	r->tick_ts = h->ts;
	r->have_tick = 1;
	return 0;
}

int
pcs_router_set_shadow(pcs_router *r, const char *group, const char *pop, int active,
                      pcs_error *err)
{
	struct entry *e = entry_for(r, group, pop, 1);

	if (e == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	e->shadow = active;
	return 0;
}

int
pcs_router_set_labels(pcs_router *r, const char *group, const char *pop, const char *labels,
                      pcs_error *err)
{
	struct entry *e = entry_for(r, group, pop, 1);
	char *copy;

	if (e == NULL || (copy = strdup(labels)) == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	free(e->labels);
	e->labels = copy;
	return 0;
}

const char *
pcs_router_labels(pcs_router *r, const char *group, const char *pop)
{
	struct entry *e = entry_for(r, group, pop, 0);

	return e ? e->labels : NULL;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
	int c = strcmp(x->group, y->group);

	return c ? c : strcmp(x->pop, y->pop);
}

static int
sort_entries(pcs_router *r)
{
	size_t *o;
	struct entry **p;

	if (r->sorted)
		return 0;
	if ((o = realloc(r->order, (r->n + 1) * sizeof *o)) == NULL ||
	    (p = malloc((r->n + 1) * sizeof *p)) == NULL) {
		if (o)
			r->order = o;
		return -1;
	}
	r->order = o;
	for (size_t i = 0; i < r->n; i++)
		p[i] = &r->e[i];
	qsort(p, r->n, sizeof *p, cmp_entry);
	for (size_t i = 0; i < r->n; i++)
		o[i] = (size_t)(p[i] - r->e);
	free(p);
	r->sorted = 1;
	return 0;
}

/* Exponential smoothing over irregular time: the weight of the new sample
 * is 1 - exp(-dt / tau) (the continuous-time EWMA); the first sample is
 * taken as it is. */
static void
smooth(const pcs_router *r, struct entry *e)
{
	const struct pcs_health *s = &e->s;
	double dt = e->have ? (double)(s->ts - e->last_ts) : 0;
	double a = e->have ? 1 - exp(-fmax(dt, 1) / r->p.latency_tau) : 1;

	if (r->p.peak_ewma && s->latency_ms > e->lat)
		e->lat = s->latency_ms;   /* Finagle's peak EWMA: up at once, down slowly */
	else
		e->lat += a * (s->latency_ms - e->lat);
	e->err += a * (s->error_rate - e->err);
	e->cap = s->capacity_rps;
	e->load = s->load_rps;
	e->have = 1;
	e->last_ts = s->ts;
}

/* Drop the buckets that left the window ending at now. */
static void
trim(const pcs_router *r, struct entry *e, int64_t now)
{
	size_t keep = 0;

	for (size_t i = 0; i < e->nb; i++)
		if (e->b[i].ts > now - r->p.window)
			e->b[keep++] = e->b[i];
	e->nb = keep;
}

static int
push_bucket(const pcs_router *r, struct entry *e, double dt)
{
	const struct pcs_health *s = &e->s;
	double req = s->requests >= 0 ? s->requests : s->load_rps * fmax(dt, 1);

	trim(r, e, s->ts);
	struct bucket *nb = pcs_grow(e->b, e->nb, &e->cap_b, sizeof *nb, 8);
	if (nb == NULL)
		return -1;
	e->b = nb;
	e->b[e->nb].ts = s->ts;
	e->b[e->nb].requests = req;
	e->b[e->nb].errors = req * s->error_rate;
	e->b[e->nb].slow = s->latency_ms >= r->p.slow_ms ? req : 0;
	e->nb++;
	return 0;
}

static void
window_totals(const struct entry *e, double *req, double *errors, double *slow)
{
	*req = *errors = *slow = 0;
	for (size_t i = 0; i < e->nb; i++) {
		*req += e->b[i].requests;
		*errors += e->b[i].errors;
		*slow += e->b[i].slow;
	}
}

static int64_t
sleep_for(const pcs_router *r, int trips)
{
	int64_t s = r->p.sleep * (trips > 0 ? trips : 1);   /* Envoy: base x times ejected */

	return s < r->p.max_sleep ? s : r->p.max_sleep;
}

static void
trip(const pcs_router *r, struct entry *e, int64_t now)
{
	e->breaker = PCS_BREAKER_OPEN;
	e->trips++;
	e->open_until = now + sleep_for(r, e->trips);
	e->probe_ok = 0;
	e->nb = 0;
}

/* The breakers of one group, entries g[0..n). */
static void
breakers(pcs_router *r, struct entry **g, size_t n, int64_t now)
{
	/* open counts the ejected: open or half-open; the panic rule's base is
	 * the POPs that could serve: ejected, or with capacity (a POP with none,
	 * such as a shadow not yet booted, cannot take an ejected one's load) */
	size_t open = 0, cand = 0, serving = 0, allowed;
	struct entry **want = malloc((n ? n : 1) * sizeof *want);

	for (size_t i = 0; i < n; i++)
		serving += g[i]->breaker != PCS_BREAKER_CLOSED || g[i]->cap > 0;
	allowed = (size_t)floor(r->p.max_ejection * (double)serving + 1e-9);

	for (size_t i = 0; i < n; i++) {
		struct entry *e = g[i];
		double req, errs, slow;

		e->panic = 0;
		switch (e->breaker) {
		case PCS_BREAKER_OPEN:
			if (now >= e->open_until) {
				e->breaker = PCS_BREAKER_HALF_OPEN;
				e->probe_ok = 0;
			}
			break;
		case PCS_BREAKER_HALF_OPEN:
			if (!e->fresh)
				break;
			if (e->s.error_rate >= r->p.error_threshold || e->s.latency_ms >= r->p.slow_ms) {
				trip(r, e, now);   /* a failed probe: open again, longer */
				snprintf(e->reason, sizeof e->reason,
				         "probe failed (errors %.3g, latency %.4gms): open for %llds",
				         e->s.error_rate, e->s.latency_ms, (long long)sleep_for(r, e->trips));
			} else if (++e->probe_ok >= r->p.probe_successes) {
				e->breaker = PCS_BREAKER_CLOSED;
				e->closed_since = now;
				e->nb = 0;
			}
			break;
		case PCS_BREAKER_CLOSED:
			if (e->trips > 0 && now - e->closed_since >= r->p.max_sleep)
				e->trips = 0;   /* a long healthy spell forgives old trips */
			window_totals(e, &req, &errs, &slow);
			if (req >= r->p.min_requests && req > 0 &&
			    (errs / req >= r->p.error_threshold || slow / req >= r->p.slow_threshold))
				want[cand++] = e;
			break;
		}
		/* half-open POPs are still out of full service: they count */
		if (e->breaker != PCS_BREAKER_CLOSED)
			open++;
	}
	/* the worst first: by error rate over the window, then slow share */
	for (size_t i = 1; i < cand; i++)
		for (size_t j = i; j > 0; j--) {
			double ra, ea, sa, rb, eb, sb;
			window_totals(want[j], &ra, &ea, &sa);
			window_totals(want[j - 1], &rb, &eb, &sb);
			if (ea / ra + 1e-9 * sa / ra <= eb / rb + 1e-9 * sb / rb)
				break;
			struct entry *t = want[j];
			want[j] = want[j - 1];
			want[j - 1] = t;
		}
	for (size_t i = 0; i < cand; i++) {
		struct entry *e = want[i];
		double req, errs, slow;
		window_totals(e, &req, &errs, &slow);
		if (open < allowed) {
			trip(r, e, now);
			open++;
			snprintf(e->reason, sizeof e->reason,
			         "breaker open: errors %.3g, slow %.3g of %.0f requests in %llds; "
			         "sleep %llds (trip %d)", errs / req, slow / req, req,
			         (long long)r->p.window, (long long)sleep_for(r, e->trips), e->trips);
		} else {
			e->panic = 1;
			snprintf(e->reason, sizeof e->reason,
			         "panic: failing (errors %.3g) but kept: at most %g of the group's POPs "
			         "may be ejected", errs / req, r->p.max_ejection);
		}
	}
	free(want);
}

/* Move shares toward their targets by at most max_step each, keeping their
 * sum at mass (see pcs_route.h).  A POP over its capacity may shed at once
 * the part of its share that it could not serve. */
static double
step_down(const pcs_router *r, const struct entry *e, double prev)
{
	double step = r->p.max_step;

	if (e->load > e->cap && e->load > 0)
		return fmax(step, prev * (1 - e->cap / e->load));
	return step;
}

/* How much of the rest (need) a POP can take (or give): within its step
 * on pass 0, up to its target (or down to 0) on pass 1. */
static double
room_in(const pcs_router *r, const struct entry *e, int pass, double need, double target,
        double prev)
{
	double lim;

	if (pass == 0 && need > 0 && e->load > e->cap)
		lim = 0;   /* what an overloaded POP shed goes elsewhere first */
	else if (pass == 0)
		lim = need > 0 ? prev + r->p.max_step - e->share
		               : e->share - fmax(0, prev - step_down(r, e, prev));
	else
		lim = need > 0 ? target + 1e-12 : e->share;
	return fmax(0, lim);
}

static void
slew(const pcs_router *r, struct entry **g, size_t n, const double *target, const double *prev,
     double mass)
{
	double step = r->p.max_step, sum = 0;

	for (size_t i = 0; i < n; i++) {
		double d = target[i] - prev[i], dn = step_down(r, g[i], prev[i]);
		g[i]->share = prev[i] + (d > step ? step : d < -dn ? -dn : d);
		sum += g[i]->share;
	}
	/* the slewed shares may not add up: spread the rest within each POP's
	 * step, and beyond it only if nothing else can take it */
	for (int pass = 0; pass < 2 && fabs(mass - sum) > 1e-12; pass++) {
		double need = mass - sum, room = 0;
		for (size_t i = 0; i < n; i++)
			room += room_in(r, g[i], pass, need, target[i], prev[i]);
		if (room <= 0)
			continue;
		double f = fmin(1, fabs(need) / room);
		sum = 0;
		for (size_t i = 0; i < n; i++) {
			g[i]->share += (need > 0 ? 1 : -1) * f * room_in(r, g[i], pass, need, target[i], prev[i]);
			sum += g[i]->share;
		}
	}
	if (sum > 0 && fabs(mass - sum) > 1e-12)
		for (size_t i = 0; i < n; i++)
			g[i]->share *= mass / sum;
}

/* A POP silent for longer than the window is not routed to: what the router
 * knows of it is too old to stand for its health. */
static int
stale(const pcs_router *r, const struct entry *e)
{
	return e->have && r->now - e->last_ts > r->p.window;
}

/* When the group's POPs can carry its load (sum of the last samples'
 * load), no target asks a POP for more than FIT_UTIL of its capacity at
 * that load (or than the group's utilization, when that is higher), so a
 * tick's growth does not overflow a POP filled to the brim: the excess goes
 * to the POPs under their limits in proportion to their targets
 * (water-filling). */
#define FIT_UTIL 0.9

static void
fit_capacity(struct entry **use, size_t nu, double *target, double mass)
{
	double load = 0, cap = 0, util;

	for (size_t i = 0; i < nu; i++) {
		load += use[i]->load;
		cap += use[i]->cap;
	}
	if (!(load > 0) || cap < load)
		return;
	util = load / cap > FIT_UTIL ? load / cap : FIT_UTIL;
	for (size_t round = 0; round < nu; round++) {
		double excess = 0, open = 0;
		for (size_t i = 0; i < nu; i++) {
			double lim = mass * util * use[i]->cap / load;
			if (target[i] > lim) {
				excess += target[i] - lim;
				target[i] = lim;
			} else if (target[i] < lim)
				open += target[i] > 0 ? target[i] : 1e-12;
		}
		if (excess <= 1e-15 || open <= 0)
			return;
		for (size_t i = 0; i < nu; i++)
			if (target[i] < mass * util * use[i]->cap / load)
				target[i] += excess * (target[i] > 0 ? target[i] : 1e-12) / open;
	}
}

/* Targets and shares of one group. */
static int
shares(pcs_router *r, struct entry **g, size_t n)
{
	double *target = calloc(n, sizeof *target), *prev = calloc(n, sizeof *prev);
	struct entry **use = calloc(n, sizeof *use);
	double sum_cap = 0, sum_head = 0, best_lat = INFINITY, probe = 0, raw_sum = 0;
	size_t nu = 0, nshadow = 0, nhalf = 0;

	if (!target || !prev || !use) {
		free(target);
		free(prev);
		free(use);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		/* a half-open POP with no capacity cannot take its probes */
		if (g[i]->breaker == PCS_BREAKER_HALF_OPEN && g[i]->cap > 0)
			nhalf++;
		if (g[i]->breaker != PCS_BREAKER_CLOSED || !g[i]->have || stale(r, g[i]) ||
		    !(g[i]->cap > 0))
			continue;
		use[nu++] = g[i];
		sum_cap += g[i]->cap;
		sum_head += fmax(0, g[i]->cap - g[i]->load);
		if (g[i]->lat > 0 && g[i]->lat < best_lat)
			best_lat = g[i]->lat;
		nshadow += g[i]->shadow == PCS_SHADOW_ACTIVE_POP;
	}
	probe = nu ? fmin(0.5, r->p.probe_share * (double)nhalf) : 1;
	for (size_t i = 0; i < n; i++) {
		if (!g[i]->have) {
			g[i]->share = 0;
			snprintf(g[i]->reason, sizeof g[i]->reason, "no health samples yet");
		} else if (stale(r, g[i]) && g[i]->breaker == PCS_BREAKER_CLOSED) {
			g[i]->share = 0;
			snprintf(g[i]->reason, sizeof g[i]->reason, "stale: no sample for %llds",
			         (long long)(r->now - g[i]->last_ts));
		} else if (g[i]->breaker == PCS_BREAKER_OPEN)
			g[i]->share = 0;
		else if (!(g[i]->cap > 0)) {
			/* nothing to serve with (down, or a shadow still booting): no
			 * traffic at once, not a slew down */
			g[i]->share = 0;
			snprintf(g[i]->reason, sizeof g[i]->reason, "no capacity");
		} else if (g[i]->breaker == PCS_BREAKER_HALF_OPEN)
			g[i]->share = probe / (double)nhalf;
	}
	for (size_t i = 0; i < nu; i++) {
		struct entry *e = use[i];
		double c = sum_cap > 0 ? e->cap / sum_cap : 1.0 / (double)nu;
		double h = sum_head > 0 ? fmax(0, e->cap - e->load) / sum_head : c;
		double l = e->lat > 0 && isfinite(best_lat) ? pow(best_lat / e->lat, r->p.latency_power) : 1;
		double q = fmax(0, 1 - e->err / r->p.error_threshold);
		target[i] = (r->p.capacity_weight * c + (1 - r->p.capacity_weight) * h) * l * q;
		if (e->shadow == PCS_SHADOW_ACTIVE_POP)
			target[i] += r->p.shadow_bonus / (double)nshadow;
		raw_sum += target[i];
		prev[i] = e->share;
		if (!e->panic)
			snprintf(e->reason, sizeof e->reason,
			         "capacity %.3g, headroom %.3g, latency %.4gms (x%.3g), errors %.3g (x%.3g)%s",
			         c, h, e->lat, l, e->err, q,
			         e->shadow == PCS_SHADOW_ACTIVE_POP ? ", active shadow" :
			         e->shadow == PCS_SHADOW_WARM_POP ? ", warm shadow (standby)" : "");
	}
	for (size_t i = 0; i < nu; i++)
		target[i] = (raw_sum > 0 ? target[i] / raw_sum : 1.0 / (double)nu) * (1 - probe);
	fit_capacity(use, nu, target, 1 - probe);
	if (nu > 0) {
		/* a group's first tick starts at its targets: there is nothing to slew from */
		double prev_sum = 0;
		for (size_t i = 0; i < nu; i++)
			prev_sum += prev[i];
		if (prev_sum <= 0)
			memcpy(prev, target, nu * sizeof *prev);
		slew(r, use, nu, target, prev, 1 - probe);
	}
	free(target);
	free(prev);
	free(use);
	return 0;
}

static int
fill_out(pcs_router *r, const struct pcs_route_out **out, size_t *n, pcs_error *err)
{
	struct pcs_route_out *o;

	if (sort_entries(r) != 0 || (o = realloc(r->out, (r->n + 1) * sizeof *o)) == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	r->out = o;
	for (size_t i = 0; i < r->n; i++) {
		const struct entry *e = &r->e[r->order[i]];
		o[i].group = e->group;
		o[i].pop = e->pop;
		o[i].share = e->share;
		o[i].breaker = e->breaker;
		o[i].shadow = e->shadow;
		o[i].latency_ms = e->lat;
		o[i].error_rate = e->err;
		if (e->breaker == PCS_BREAKER_OPEN && strncmp(e->reason, "breaker open", 12) != 0 &&
		    strncmp(e->reason, "probe failed", 12) != 0)
			snprintf(o[i].reason, sizeof o[i].reason, "breaker open until %lld",
			         (long long)e->open_until);
		else if (e->breaker == PCS_BREAKER_HALF_OPEN)
			snprintf(o[i].reason, sizeof o[i].reason, "half_open: probe %d of %d good",
			         e->probe_ok, r->p.probe_successes);
		else
			snprintf(o[i].reason, sizeof o[i].reason, "%s", e->reason);
	}
	*out = o;
	*n = r->n;
	return 0;
}

int
pcs_router_tick(pcs_router *r, int64_t now, const struct pcs_route_out **out, size_t *n,
                pcs_error *err)
{
	struct entry **g;

	if (sort_entries(r) != 0 || (g = malloc((r->n + 1) * sizeof *g)) == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	r->now = now;
	for (size_t i = 0; i < r->n; i++) {
		struct entry *e = &r->e[i];
		double dt = e->have ? (double)(e->s.ts - e->last_ts) : 0;
		if (!e->fresh) {
			trim(r, e, now);   /* old errors leave the window with time, not samples */
			continue;
		}
		smooth(r, e);
		if (push_bucket(r, e, dt) != 0) {
			free(g);
			return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		}
	}
	for (size_t i = 0; i < r->n;) {
		size_t k = 0;
		const char *group = r->e[r->order[i]].group;
		while (i + k < r->n && strcmp(r->e[r->order[i + k]].group, group) == 0) {
			g[k] = &r->e[r->order[i + k]];
			k++;
		}
		breakers(r, g, k, now);
		if (shares(r, g, k) != 0) {
			free(g);
			return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		}
		i += k;
	}
	free(g);
	for (size_t i = 0; i < r->n; i++)
		r->e[i].fresh = 0;
	r->last_tick = now;
	r->have_tick = 0;
	return fill_out(r, out, n, err);
}

int
pcs_router_current(pcs_router *r, const struct pcs_route_out **out, size_t *n, pcs_error *err)
{
	return fill_out(r, out, n, err);
}

/* ---- state ---- */

json_t *
pcs_router_save(const pcs_router *r)
{
	json_t *st = json_object(), *es = json_array();

	json_object_set_new(st, "format", json_string(STATE_FORMAT));
	json_object_set_new(st, "version", json_integer(STATE_VERSION));
	json_object_set_new(st, "last_tick", json_integer(r->last_tick));
	for (size_t i = 0; i < r->n; i++) {
		const struct entry *e = &r->e[i];
		json_t *o = json_object(), *bs = json_array();
		json_object_set_new(o, "group", json_string(e->group));
		json_object_set_new(o, "pop", json_string(e->pop));
		json_object_set_new(o, "have", json_boolean(e->have));
		json_object_set_new(o, "latency_ms", json_real(e->lat));
		json_object_set_new(o, "error_rate", json_real(e->err));
		json_object_set_new(o, "capacity_rps", json_real(e->cap));
		json_object_set_new(o, "load_rps", json_real(e->load));
		json_object_set_new(o, "last_ts", json_integer(e->last_ts));
		json_object_set_new(o, "breaker", json_string(pcs_breaker_name(e->breaker)));
		json_object_set_new(o, "trips", json_integer(e->trips));
		json_object_set_new(o, "probe_ok", json_integer(e->probe_ok));
		json_object_set_new(o, "open_until", json_integer(e->open_until));
		json_object_set_new(o, "closed_since", json_integer(e->closed_since));
		json_object_set_new(o, "shadow", json_integer(e->shadow));
		json_object_set_new(o, "share", json_real(e->share));
		json_object_set_new(o, "reason", json_string(e->reason));
		if (e->labels)
			json_object_set_new(o, "labels", json_string(e->labels));
		for (size_t k = 0; k < e->nb; k++)
			json_array_append_new(bs, json_pack("[I,f,f,f]", (json_int_t)e->b[k].ts,
			                                    e->b[k].requests, e->b[k].errors, e->b[k].slow));
		json_object_set_new(o, "window", bs);
		json_array_append_new(es, o);
	}
	json_object_set_new(st, "pops", es);
	return st;
}

int
pcs_router_load(pcs_router *r, const json_t *st, pcs_error *err)
{
	const json_t *es, *o;
	size_t i;

	if (st == NULL)
		return 0;
	if (pcs_state_check(st, STATE_FORMAT, STATE_VERSION, "pcs-route-weights", err) != 0)
		return err->code;
	es = json_object_get(st, "pops");
	if (!json_is_array(es) || !json_is_integer(json_object_get(st, "last_tick")))
		return pcs_error_set(err, PCS_EDATA, 0, NULL, "state file: malformed");
	r->last_tick = json_integer_value(json_object_get(st, "last_tick"));
	json_array_foreach(es, i, o) {
		const char *g = json_string_value(json_object_get(o, "group"));
		const char *p = json_string_value(json_object_get(o, "pop"));
		const char *b = json_string_value(json_object_get(o, "breaker"));
		const json_t *bs = json_object_get(o, "window"), *bk;
		struct entry *e;
		size_t k;
		double share = json_number_value(json_object_get(o, "share"));

		static const char *const nums[] = { "latency_ms", "error_rate", "capacity_rps",
		                                    "load_rps", "share" };
		static const char *const ints[] = { "last_ts", "trips", "probe_ok", "open_until",
		                                    "closed_since", "shadow" };
		/* kept in ints, and never negative */
		static const char *const counts[] = { "trips", "probe_ok", "shadow" };
		if (!g || !p || !b || breaker_of(b) < 0 || !json_is_array(bs) || !(share >= 0 && share <= 1))
			return pcs_error_set(err, PCS_EDATA, 0, NULL, "state file: entry %zu is malformed", i);
		for (size_t k2 = 0; k2 < sizeof nums / sizeof *nums; k2++)
			if (!json_is_number(json_object_get(o, nums[k2])))
				return pcs_error_set(err, PCS_EDATA, 0, NULL,
				                     "state file: entry %zu: %s is not a number", i, nums[k2]);
			else if (json_number_value(json_object_get(o, nums[k2])) < 0)
				return pcs_error_set(err, PCS_EDATA, 0, NULL,
				                     "state file: entry %zu: %s is negative", i, nums[k2]);
		for (size_t k2 = 0; k2 < sizeof ints / sizeof *ints; k2++)
			if (!json_is_integer(json_object_get(o, ints[k2])))
				return pcs_error_set(err, PCS_EDATA, 0, NULL,
				                     "state file: entry %zu: %s is not a whole number", i, ints[k2]);
		for (size_t k2 = 0; k2 < sizeof counts / sizeof *counts; k2++) {
			json_int_t v = json_integer_value(json_object_get(o, counts[k2]));
			if (v < 0 || v > INT_MAX)
				return pcs_error_set(err, PCS_EDATA, 0, NULL,
				                     "state file: entry %zu: %s out of range: %lld", i,
				                     counts[k2], (long long)v);
		}
		if (entry_for(r, g, p, 0) != NULL)
			return pcs_error_set(err, PCS_EDATA, 0, NULL,
			                     "state file: entry %zu repeats group '%s' pop '%s'", i, g, p);
		if ((e = entry_for(r, g, p, 1)) == NULL)
			return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		e->have = json_is_true(json_object_get(o, "have"));
		e->lat = json_number_value(json_object_get(o, "latency_ms"));
		e->err = json_number_value(json_object_get(o, "error_rate"));
		e->cap = json_number_value(json_object_get(o, "capacity_rps"));
		e->load = json_number_value(json_object_get(o, "load_rps"));
		e->last_ts = json_integer_value(json_object_get(o, "last_ts"));
		e->breaker = breaker_of(b);
		e->trips = (int)json_integer_value(json_object_get(o, "trips"));
		e->probe_ok = (int)json_integer_value(json_object_get(o, "probe_ok"));
		e->open_until = json_integer_value(json_object_get(o, "open_until"));
		e->closed_since = json_integer_value(json_object_get(o, "closed_since"));
		e->shadow = (int)json_integer_value(json_object_get(o, "shadow"));
		e->share = share;
		snprintf(e->reason, sizeof e->reason, "%s",
		         json_string_value(json_object_get(o, "reason")) ?
		         json_string_value(json_object_get(o, "reason")) : "");
		if (json_is_string(json_object_get(o, "labels")) &&
		    (e->labels = strdup(json_string_value(json_object_get(o, "labels")))) == NULL)
			return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
		json_array_foreach(bs, k, bk) {
			if (!json_is_array(bk) || json_array_size(bk) != 4)
				return pcs_error_set(err, PCS_EDATA, 0, NULL,
				                     "state file: entry %zu has a bad window", i);
			struct bucket *nb = pcs_grow(e->b, e->nb, &e->cap_b, sizeof *nb, 8);
			if (nb == NULL)
				return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
			e->b = nb;
			e->b[e->nb].ts = json_integer_value(json_array_get(bk, 0));
			e->b[e->nb].requests = json_number_value(json_array_get(bk, 1));
			e->b[e->nb].errors = json_number_value(json_array_get(bk, 2));
			e->b[e->nb].slow = json_number_value(json_array_get(bk, 3));
			e->nb++;
		}
	}
	return 0;
}

/* ---- alias method ---- */

struct pcs_alias {
	size_t n;
	double *prob;
	size_t *alias;
};

/* Vose's alias method (M. D. Vose, "A linear algorithm for generating
 * random numbers with a given distribution", IEEE TSE 17(9), 1991): split
 * the scaled weights into small and large, and pair each small column with
 * a large one that tops it up to 1. */
pcs_alias *
pcs_alias_new(const double *w, size_t n)
{
	pcs_alias *a;
	double sum = 0, *p;
	size_t *small, *large, ns = 0, nl = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(w[i] >= 0) || !isfinite(w[i]))
			return NULL;
		sum += w[i];
	}
	if (n == 0 || !(sum > 0))
		return NULL;
	a = calloc(1, sizeof *a);
	p = malloc(n * sizeof *p);
	small = malloc(n * sizeof *small);
	large = malloc(n * sizeof *large);
	if (a == NULL || p == NULL || small == NULL || large == NULL ||
	    (a->prob = malloc(n * sizeof *a->prob)) == NULL ||
	    (a->alias = malloc(n * sizeof *a->alias)) == NULL) {
		free(p);
		free(small);
		free(large);
		pcs_alias_free(a);
		return NULL;
	}
	a->n = n;
	for (size_t i = 0; i < n; i++) {
		p[i] = w[i] * (double)n / sum;
		if (p[i] < 1)
			small[ns++] = i;
		else
			large[nl++] = i;
	}
	while (ns > 0 && nl > 0) {
		size_t s = small[--ns], l = large[--nl];
		a->prob[s] = p[s];
		a->alias[s] = l;
		p[l] = (p[l] + p[s]) - 1;
		if (p[l] < 1)
			small[ns++] = l;
		else
			large[nl++] = l;
	}
	while (nl > 0) {
		size_t l = large[--nl];
		a->prob[l] = 1;
		a->alias[l] = l;
	}
	while (ns > 0) {   /* only rounding leaves these */
		size_t s = small[--ns];
		a->prob[s] = 1;
		a->alias[s] = s;
	}
	free(p);
	free(small);
	free(large);
	return a;
}

void
pcs_alias_free(pcs_alias *a)
{
	if (a) {
		free(a->prob);
		free(a->alias);
		free(a);
	}
}

size_t
pcs_alias_draw(const pcs_alias *a, double u1, double u2)
{
	size_t i = (size_t)(u1 * (double)a->n);

	if (i >= a->n)
		i = a->n - 1;
	return u2 < a->prob[i] ? i : a->alias[i];
}

/* splitmix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), top 53 bits as a double in [0,1). */
double
pcs_uniform(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

void
pcs_integer_weights(const double *share, size_t n, long total, long *out)
{
	double *rem = malloc((n ? n : 1) * sizeof *rem);
	long used = 0;

	for (size_t i = 0; i < n; i++) {
		double x = fmax(0, share[i]) * (double)total;
		out[i] = (long)floor(x);
		used += out[i];
		if (rem)
			rem[i] = x - floor(x);
	}
	/* hand the leftover units to the largest remainders, ties to the first */
	while (rem && used < total) {
		size_t best = n;
		for (size_t i = 0; i < n; i++)
			if (share[i] > 0 && (best == n || rem[i] > rem[best]))
				best = i;
		if (best == n)
			break;
		out[best]++;
		rem[best] = -1;
		used++;
	}
	free(rem);
}
