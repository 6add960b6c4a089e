/* shadow.c — the shadow lifecycle planner (see pcs_shadow.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcs_grow.h"
#include "pcs_shadow.h"
#include "pcs_state.h"
#include "pcs_strset.h"

#define STATE_FORMAT "pcs-shadow-plan-state"
#define STATE_VERSION 1

const char *
pcs_shadow_state_name(int s)
{
	static const char *const n[] = { "off", "warm", "active", "draining" };

	return s >= 0 && s <= 3 ? n[s] : "?";
}

const char *
pcs_shadow_action_name(int a)
{
	static const char *const n[] = { "create_warm", "scale_up", "scale_down", "deactivate", "hold" };

	return a >= 0 && a <= 4 ? n[a] : "?";
}

int
pcs_shadow_state_of(const char *s)
{
	for (int i = 0; i <= PCS_SHADOW_DRAINING; i++)
		if (strcmp(s, pcs_shadow_state_name(i)) == 0)
			return i;
	return -1;
}

void
pcs_shadow_defaults(struct pcs_shadow_params *p)
{
	memset(p, 0, sizeof *p);
	p->warm_at = 0.1;
	p->release_below = 0.02;
	p->reserve = 0.1;
	p->cooldown = 600;
	p->min_dwell = 300;
	p->drain = 120;
}

/* ---- topology ---- */

struct pcs_topology {
	struct pcs_topo *row;
	size_t n, cap;
	pcs_strset *keys;
	char id[17];
};

pcs_topology *
pcs_topology_new(void)
{
	pcs_topology *t = calloc(1, sizeof *t);

	if (t && (t->keys = pcs_strset_new()) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

static void
topo_row_free(struct pcs_topo *r)
{
	free(r->pop);
	free(r->group);
	free(r->service);
	free(r->region);
	free(r->k8s_context);
	free(r->k8s_namespace);
	free(r->k8s_deployment);
	free(r->k8s_hpa);
	free(r->asg);
}

void
pcs_topology_free(pcs_topology *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		topo_row_free(&t->row[i]);
	free(t->row);
	pcs_strset_free(t->keys);
	free(t);
}

static char *
dup_or(const char *s, const char *dflt)
{
	return strdup(s && *s ? s : dflt);
}

int
pcs_topology_add(pcs_topology *t, const struct pcs_topo *in, pcs_error *err)
{
	struct pcs_topo *r, *nr;
	char key[1024], asg[512];
	int added;

	if (!(in->instance_rps > 0))
		return pcs_error_set(err, PCS_EDATA, in->line, "instance_rps", "must be positive");
	if (in->max_instances < in->instances)
		return pcs_error_set(err, PCS_EDATA, in->line, "max_instances",
		                     "%ld is below instances (%ld)", in->max_instances, in->instances);
	if (!(in->warm_cost_frac >= 0 && in->warm_cost_frac <= 1))
		return pcs_error_set(err, PCS_EDATA, in->line, "warm_cost_frac", "must be in [0,1]");
	snprintf(key, sizeof key, "%s\x1f%s\x1f%s", in->pop, in->group, in->service);
	{
		size_t first;
		if (pcs_strset_get(t->keys, key, &first))
			return pcs_error_set(err, PCS_EDATA, in->line, NULL,
			                     "duplicate topology row for pop '%s' group '%s' service '%s' "
			                     "(first on line %zu)", in->pop, in->group, in->service, first);
	}
	if ((added = pcs_strset_put(t->keys, key, (size_t)in->line)) < 0)
		return pcs_error_set(err, PCS_ENOMEM, in->line, NULL, "out of memory");
	if ((nr = pcs_grow(t->row, t->n, &t->cap, sizeof *nr, 16)) == NULL)
		return pcs_error_set(err, PCS_ENOMEM, in->line, NULL, "out of memory");
	t->row = nr;
	r = &t->row[t->n];
	*r = *in;
	snprintf(asg, sizeof asg, "%s-%s", in->service, in->pop);
	r->pop = strdup(in->pop);
	r->group = strdup(in->group);
	r->service = strdup(in->service);
	r->region = dup_or(in->region, "");
	r->k8s_context = dup_or(in->k8s_context, in->pop);
	r->k8s_namespace = dup_or(in->k8s_namespace, "default");
	r->k8s_deployment = dup_or(in->k8s_deployment, in->service);
	r->k8s_hpa = dup_or(in->k8s_hpa, "");
	r->asg = dup_or(in->asg, asg);
	if (!r->pop || !r->group || !r->service || !r->region || !r->k8s_context ||
	    !r->k8s_namespace || !r->k8s_deployment || !r->k8s_hpa || !r->asg) {
		topo_row_free(r);
		return pcs_error_set(err, PCS_ENOMEM, in->line, NULL, "out of memory");
	}
	t->n++;
	return 0;
}

static int
cmp_topo(const void *a, const void *b)
{
	const struct pcs_topo *x = a, *y = b;
	int c = strcmp(x->group, y->group);

	if (c == 0)
		c = strcmp(x->service, y->service);
	return c ? c : strcmp(x->pop, y->pop);
}

int
pcs_topology_finish(pcs_topology *t, pcs_error *err)
{
	uint64_t h = UINT64_C(14695981039346656037);

	(void)err;
	qsort(t->row, t->n, sizeof *t->row, cmp_topo);
	for (size_t i = 0; i < t->n; i++) {
		const struct pcs_topo *r = &t->row[i];
		const char *parts[4] = { r->pop, r->group, r->service, r->primary ? "P" : "S" };
		for (int k = 0; k < 4; k++) {
			for (const unsigned char *p = (const unsigned char *)parts[k]; *p; p++)
				h = (h ^ *p) * UINT64_C(1099511628211);
			h = (h ^ 0x1f) * UINT64_C(1099511628211);
		}
	}
	snprintf(t->id, sizeof t->id, "%016llx", (unsigned long long)h);
	return 0;
}

size_t
pcs_topology_count(const pcs_topology *t)
{
	return t->n;
}

const struct pcs_topo *
pcs_topology_get(const pcs_topology *t, size_t i)
{
	return &t->row[i];
}

const char *
pcs_topology_id(const pcs_topology *t)
{
	return t->id;
}

/* ---- planner ---- */

struct alloc {
	size_t sec;      /* topology index of the secondary */
	long inst;
};

struct record {
	size_t primary;  /* topology index */
	int state;
	int64_t since, below_since;   /* below_since < 0: risk not below release */
	int64_t quiet_since;          /* active, and the activation test has not held
	                                 since (< 0: it holds, or not active) */
	struct alloc *alloc;
	size_t nalloc;
	double cost_warm, cost_active;
};

struct pcs_planner {
	const pcs_topology *t;
	struct pcs_shadow_params p;
	struct record *rec;
	size_t nrec;
	long *used;      /* per topology row: instances allocated to shadows */
	int64_t last_now;
	double run_warm, run_active, total_warm, total_active;
	struct pcs_action *act;
	size_t nact, act_cap;
};

pcs_planner *
pcs_planner_new(const pcs_topology *t, const struct pcs_shadow_params *p)
{
	pcs_planner *pl = calloc(1, sizeof *pl);
	size_t n = 0;

	if (pl == NULL)
		return NULL;
	pl->t = t;
	pl->p = *p;
	for (size_t i = 0; i < t->n; i++)
		n += t->row[i].primary;
	pl->rec = calloc(n ? n : 1, sizeof *pl->rec);
	pl->used = calloc(t->n ? t->n : 1, sizeof *pl->used);
	if (pl->rec == NULL || pl->used == NULL) {
		pcs_planner_free(pl);
		return NULL;
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->row[i].primary) {
			pl->rec[pl->nrec].primary = i;
			pl->rec[pl->nrec].below_since = -1;
			pl->rec[pl->nrec].quiet_since = -1;
			pl->nrec++;
		}
	return pl;
}

void
pcs_planner_free(pcs_planner *pl)
{
	if (pl == NULL)
		return;
	if (pl->rec)
		for (size_t i = 0; i < pl->nrec; i++)
			free(pl->rec[i].alloc);
	free(pl->rec);
	free(pl->used);
	free(pl->act);
	free(pl);
}

/* The record of (group, service, primary pop), by binary search: records
 * follow the topology's sorted order. */
static struct record *
find_record(pcs_planner *pl, const char *group, const char *service, const char *pop)
{
	size_t lo = 0, hi = pl->nrec;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct pcs_topo *r = &pl->t->row[pl->rec[mid].primary];
		struct pcs_topo key = { .pop = (char *)pop, .group = (char *)group,
		                        .service = (char *)service };
		int c = cmp_topo(r, &key);
		if (c == 0)
			return &pl->rec[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static long
find_row(const pcs_topology *t, const char *group, const char *service, const char *pop)
{
	struct pcs_topo key = { .pop = (char *)pop, .group = (char *)group, .service = (char *)service };
	const struct pcs_topo *r = bsearch(&key, t->row, t->n, sizeof *t->row, cmp_topo);

	return r ? (long)(r - t->row) : -1;
}

static int
alloc_add(struct record *rc, size_t sec, long inst)
{
	struct alloc *na;

	for (size_t i = 0; i < rc->nalloc; i++)
		if (rc->alloc[i].sec == sec) {
			rc->alloc[i].inst += inst;
			return 0;
		}
	if ((na = realloc(rc->alloc, (rc->nalloc + 1) * sizeof *na)) == NULL)
		return -1;
	rc->alloc = na;
	rc->alloc[rc->nalloc].sec = sec;
	rc->alloc[rc->nalloc].inst = inst;
	rc->nalloc++;
	return 0;
}

int
pcs_planner_load(pcs_planner *pl, const json_t *st, pcs_error *err)
{
	const json_t *v, *shadows, *s;
	size_t i;

	if (st == NULL)
		return 0;
	if (pcs_state_check(st, STATE_FORMAT, STATE_VERSION, "pcs-shadow-plan", err) != 0)
		return err->code;
	v = json_object_get(st, "topology");
	if (!json_is_string(v) || strcmp(json_string_value(v), pl->t->id) != 0)
		return pcs_error_set(err, PCS_EDATA, 0, NULL,
		                     "state file is for another topology (%s, this one is %s): "
		                     "remove it to start afresh",
		                     json_is_string(v) ? json_string_value(v) : "?", pl->t->id);
	pl->last_now = json_integer_value(json_object_get(st, "updated"));
	pl->total_warm = json_number_value(json_object_get(st, "cost_warm"));
	pl->total_active = json_number_value(json_object_get(st, "cost_active"));
	shadows = json_object_get(st, "shadows");
	if (!json_is_array(shadows))
		return pcs_error_set(err, PCS_EDATA, 0, NULL, "state file: no shadows array");
	json_array_foreach(shadows, i, s) {
		const char *g = json_string_value(json_object_get(s, "group"));
		const char *sv = json_string_value(json_object_get(s, "service"));
		const char *pr = json_string_value(json_object_get(s, "primary"));
		const char *state = json_string_value(json_object_get(s, "state"));
		const json_t *allocs = json_object_get(s, "alloc"), *a;
		struct record *rc;
		size_t k;

		if (!g || !sv || !pr || !state || pcs_shadow_state_of(state) < 0 || !json_is_array(allocs) ||
		    !json_is_integer(json_object_get(s, "since")))
			return pcs_error_set(err, PCS_EDATA, 0, NULL, "state file: shadow %zu is malformed", i);
		if ((rc = find_record(pl, g, sv, pr)) == NULL)
			return pcs_error_set(err, PCS_EDATA, 0, NULL,
			                     "state file: shadow %zu is for a primary not in the topology", i);
		rc->state = pcs_shadow_state_of(state);
		rc->since = json_integer_value(json_object_get(s, "since"));
		v = json_object_get(s, "below_since");
		rc->below_since = json_is_integer(v) ? json_integer_value(v) : -1;
		v = json_object_get(s, "quiet_since");
		rc->quiet_since = json_is_integer(v) ? json_integer_value(v) : -1;
		rc->cost_warm = json_number_value(json_object_get(s, "cost_warm"));
		rc->cost_active = json_number_value(json_object_get(s, "cost_active"));
		json_array_foreach(allocs, k, a) {
			const char *pop = json_string_value(json_object_get(a, "pop"));
			json_t *n = json_object_get(a, "instances");
			long row = pop ? find_row(pl->t, g, sv, pop) : -1;
			if (row < 0 || pl->t->row[row].primary || !json_is_integer(n) ||
			    json_integer_value(n) < 1)
				return pcs_error_set(err, PCS_EDATA, 0, NULL,
				                     "state file: shadow %zu has a bad allocation", i);
			if (alloc_add(rc, (size_t)row, (long)json_integer_value(n)) != 0)
				return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
			pl->used[row] += (long)json_integer_value(n);
		}
		if ((rc->state == PCS_SHADOW_OFF) != (rc->nalloc == 0))
			return pcs_error_set(err, PCS_EDATA, 0, NULL,
			                     "state file: shadow %zu is %s with %zu allocations", i, state,
			                     rc->nalloc);
	}
	return 0;
}

int64_t
pcs_planner_last_run(const pcs_planner *pl)
{
	return pl->last_now;
}

json_t *
pcs_planner_save(const pcs_planner *pl)
{
	json_t *st = json_object(), *shadows = json_array();

	json_object_set_new(st, "format", json_string(STATE_FORMAT));
	json_object_set_new(st, "version", json_integer(STATE_VERSION));
	json_object_set_new(st, "topology", json_string(pl->t->id));
	json_object_set_new(st, "updated", json_integer(pl->last_now));
	json_object_set_new(st, "cost_warm", json_real(pl->total_warm));
	json_object_set_new(st, "cost_active", json_real(pl->total_active));
	for (size_t i = 0; i < pl->nrec; i++) {
		const struct record *rc = &pl->rec[i];
		const struct pcs_topo *p = &pl->t->row[rc->primary];
		json_t *s, *allocs;
		/* skip a primary with nothing to remember: no shadow, no cost,
		 * no calm (its start counts in the cooldown of a shadow that
		 * the activation test starts later) */
		if (rc->state == PCS_SHADOW_OFF && rc->cost_warm == 0 && rc->cost_active == 0 &&
		    rc->below_since < 0)
			continue;
		s = json_object();
		allocs = json_array();
		json_object_set_new(s, "group", json_string(p->group));
		json_object_set_new(s, "service", json_string(p->service));
		json_object_set_new(s, "primary", json_string(p->pop));
		json_object_set_new(s, "state", json_string(pcs_shadow_state_name(rc->state)));
		json_object_set_new(s, "since", json_integer(rc->since));
		if (rc->below_since >= 0)
			json_object_set_new(s, "below_since", json_integer(rc->below_since));
		if (rc->quiet_since >= 0)
			json_object_set_new(s, "quiet_since", json_integer(rc->quiet_since));
		json_object_set_new(s, "cost_warm", json_real(rc->cost_warm));
		json_object_set_new(s, "cost_active", json_real(rc->cost_active));
		for (size_t k = 0; k < rc->nalloc; k++) {
			json_t *a = json_object();
			json_object_set_new(a, "pop", json_string(pl->t->row[rc->alloc[k].sec].pop));
			json_object_set_new(a, "instances", json_integer(rc->alloc[k].inst));
			json_array_append_new(allocs, a);
		}
		json_object_set_new(s, "alloc", allocs);
		json_array_append_new(shadows, s);
	}
	json_object_set_new(st, "shadows", shadows);
	return st;
}

/* ---- one run ---- */

static struct pcs_action *
emit(pcs_planner *pl, int64_t now, const struct record *rc, size_t sec, int action,
     int from, int to, long inst, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));

static struct pcs_action *
emit(pcs_planner *pl, int64_t now, const struct record *rc, size_t sec, int action,
     int from, int to, long inst, const char *fmt, ...)
{
	struct pcs_action *a;
	va_list ap;

	if ((a = pcs_grow(pl->act, pl->nact, &pl->act_cap, sizeof *a, 64)) == NULL)
		return NULL;
	pl->act = a;
	a = &pl->act[pl->nact++];
	a->ts = now;
	a->primary = &pl->t->row[rc->primary];
	a->secondary = &pl->t->row[sec];
	a->action = action;
	a->from = from;
	a->to = to;
	a->instances = inst;
	va_start(ap, fmt);
	vsnprintf(a->reason, sizeof a->reason, fmt, ap);
	va_end(ap);
	return a;
}

/* What the risk says about one primary. */
struct assessment {
	double risk;
	int activate;              /* some horizon's demand passes the threshold */
	int64_t act_h, warm_h;     /* the first horizon that activates / warms */
	double need_warm, need_active;   /* rps to cover */
	double demand_at, threshold;     /* at act_h, for the reason text */
};

static void
assess(const pcs_planner *pl, const struct pcs_risk_obs *o, struct assessment *a)
{
	memset(a, 0, sizeof *a);
	a->risk = o->risk;
	a->act_h = a->warm_h = -1;
	for (size_t i = 0; i < o->nh; i++) {
		const struct pcs_risk_horizon *h = &o->h[i];
		double thr = h->capacity_rps * (1 - pl->p.reserve);
		double q = pl->p.activate_p99 ? h->demand_p99 : h->demand_p50;
		double warm_excess = fmax(h->shortfall_rps, h->demand_p99 - thr);
		double act_excess = fmax(h->shortfall_rps, q - thr);
		a->need_warm = fmax(a->need_warm, warm_excess);
		if (q > thr && (pl->p.activate_within <= 0 || h->horizon_s <= pl->p.activate_within)) {
			a->need_active = fmax(a->need_active, act_excess);
			if (!a->activate || h->horizon_s < a->act_h) {
				a->act_h = h->horizon_s;
				a->demand_at = q;
				a->threshold = thr;
			}
			a->activate = 1;
		}
		if (h->p_exceed >= pl->p.warm_at && (a->warm_h < 0 || h->horizon_s < a->warm_h))
			a->warm_h = h->horizon_s;
	}
	if (a->activate && a->need_active > a->need_warm)
		a->need_warm = a->need_active;
}

static long
spare(const pcs_planner *pl, size_t sec)
{
	const struct pcs_topo *s = &pl->t->row[sec];
	long room = s->max_instances - s->instances - pl->used[sec];

	return room > 0 ? room : 0;
}

struct cand {
	size_t sec;
	double spare_rps, rtt;
	int other_region;          /* not the primary's region */
};

static int
cmp_fit(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->other_region != y->other_region)
		return x->other_region - y->other_region;
	if (x->rtt != y->rtt)
		return x->rtt < y->rtt ? -1 : 1;
	return (x->sec > y->sec) - (x->sec < y->sec);
}

static int
cmp_spare(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->spare_rps != y->spare_rps)
		return x->spare_rps > y->spare_rps ? -1 : 1;
	return cmp_fit(a, b);
}

static int
same_service(const struct pcs_topo *a, const struct pcs_topo *b)
{
	return strcmp(a->group, b->group) == 0 && strcmp(a->service, b->service) == 0;
}

/* Add allocations to rc for `need` rps beyond what it holds; returns the
 * instances added (0 when no secondary has room), and via *short_rps what
 * could not be placed. */
static long
allocate(pcs_planner *pl, struct record *rc, double need, double *short_rps)
{
	const struct pcs_topo *p = &pl->t->row[rc->primary];
	struct cand *c;
	size_t nc = 0, nfit = 0;
	long added = 0;
	double held = 0;

	for (size_t k = 0; k < rc->nalloc; k++)
		held += (double)rc->alloc[k].inst * pl->t->row[rc->alloc[k].sec].instance_rps;
	need -= held;
	*short_rps = 0;
	if (need <= 0 && rc->nalloc > 0)
		return 0;
	if (need <= 0)
		need = 1e-9;   /* a shadow has at least one instance */
	/* the rows of (group, service) are contiguous around the primary */
	size_t lo = rc->primary, hi = rc->primary + 1;
	while (lo > 0 && same_service(&pl->t->row[lo - 1], p))
		lo--;
	while (hi < pl->t->n && same_service(&pl->t->row[hi], p))
		hi++;
	if ((c = malloc((hi - lo) * sizeof *c)) == NULL)
		return -1;
	for (size_t i = lo; i < hi; i++) {
		const struct pcs_topo *s = &pl->t->row[i];
		if (s->primary || spare(pl, i) == 0)
			continue;
		c[nc].sec = i;
		c[nc].spare_rps = (double)spare(pl, i) * s->instance_rps;
		c[nc].rtt = s->rtt_ms;
		c[nc].other_region = p->region[0] && s->region[0] && strcmp(p->region, s->region) != 0;
		nc++;
	}
	/* those that can take it all, nearest first; then the roomiest */
	for (size_t i = 0; i < nc; i++)
		if (c[i].spare_rps >= need) {
			struct cand t = c[nfit];
			c[nfit++] = c[i];
			c[i] = t;
		}
	qsort(c, nfit, sizeof *c, cmp_fit);
	qsort(c + nfit, nc - nfit, sizeof *c, cmp_spare);
	for (size_t i = 0; i < nc && need > 0; i++) {
		const struct pcs_topo *s = &pl->t->row[c[i].sec];
		/* compared as doubles: a need of 1e300 rps is more instances than
		 * a long holds */
		double want = ceil(need / s->instance_rps - 1e-9);
		long take = spare(pl, c[i].sec);
		if (want < 1)
			want = 1;
		if ((double)take > want)
			take = (long)want;
		if (alloc_add(rc, c[i].sec, take) != 0) {
			free(c);
			return -1;
		}
		pl->used[c[i].sec] += take;
		need -= (double)take * s->instance_rps;
		added += take;
	}
	free(c);
	*short_rps = need > 0 ? need : 0;
	return added;
}

static void
release(pcs_planner *pl, struct record *rc)
{
	for (size_t k = 0; k < rc->nalloc; k++)
		pl->used[rc->alloc[k].sec] -= rc->alloc[k].inst;
	free(rc->alloc);
	rc->alloc = NULL;
	rc->nalloc = 0;
}

static void
fmt_dur(int64_t s, char *buf, size_t n)
{
	if (s % 3600 == 0 && s >= 3600)
		snprintf(buf, n, "%lldh", (long long)(s / 3600));
	else if (s % 60 == 0 && s >= 60)
		snprintf(buf, n, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, n, "%llds", (long long)s);
}

/* Emit one row per allocation of rc. */
static int
emit_all(pcs_planner *pl, int64_t now, const struct record *rc, int action, int from, int to,
         const char *reason)
{
	for (size_t k = 0; k < rc->nalloc; k++)
		if (!emit(pl, now, rc, rc->alloc[k].sec, action, from, to, rc->alloc[k].inst, "%s", reason))
			return -1;
	return 0;
}

static int
step_record(pcs_planner *pl, struct record *rc, int64_t now, const struct pcs_risk_obs *o)
{
	struct assessment a;
	char why[192], h1[32], h2[32];
	const struct pcs_topo *p = &pl->t->row[rc->primary];
	int from = rc->state;
	double short_rps;
	long added;

	if (o == NULL) {
		if (rc->state != PCS_SHADOW_OFF)
			return emit_all(pl, now, rc, PCS_ACT_HOLD, from, from,
			                "no risk rows for this primary in the input: holding");
		return 0;
	}
	assess(pl, o, &a);
	if (rc->state != PCS_SHADOW_ACTIVE)
		rc->quiet_since = -1;   /* counted only while active */
	if (a.risk < pl->p.release_below) {
		if (rc->below_since < 0)
			rc->below_since = now;
	} else {
		rc->below_since = -1;
	}
	switch (rc->state) {
	case PCS_SHADOW_OFF:
		if (a.risk < pl->p.warm_at && !a.activate)
			return 0;
		added = allocate(pl, rc, a.need_warm, &short_rps);
		if (added < 0)
			return -1;
		if (added == 0) {
			/* nowhere to put it: say so on a row of its own */
			return emit(pl, now, rc, rc->primary, PCS_ACT_HOLD, from, from, 0,
			            "risk %.3g at %s but no secondary POP has spare capacity", a.risk, p->pop)
			       ? 0 : -1;
		}
		{
			/* the lead time: the earliest horizon that calls for it, against
			 * the slowest boot among the chosen secondaries */
			int64_t lead = a.warm_h >= 0 ? a.warm_h : a.act_h;
			double boot = 0;
			for (size_t k = 0; k < rc->nalloc; k++)
				boot = fmax(boot, pl->t->row[rc->alloc[k].sec].boot_s);
			fmt_dur(lead, h1, sizeof h1);
			if (a.risk >= pl->p.warm_at)
				snprintf(why, sizeof why, "risk %.3g >= warm-at %g within %s at %s; boot %gs %s%s",
				         a.risk, pl->p.warm_at, h1, p->pop, boot,
				         boot <= (double)lead ? "fits" : "is late",
				         short_rps > 0 ? "; capped by max_instances" : "");
			else
				snprintf(why, sizeof why, "demand passes the activation threshold within %s at %s; "
				         "boot %gs %s%s", h1, p->pop, boot, boot <= (double)lead ? "fits" : "is late",
				         short_rps > 0 ? "; capped by max_instances" : "");
		}
		if (emit_all(pl, now, rc, PCS_ACT_CREATE_WARM, from, PCS_SHADOW_WARM, why) != 0)
			return -1;
		rc->state = PCS_SHADOW_WARM;
		rc->since = now;
		if (!a.activate)
			return 0;
		from = PCS_SHADOW_WARM;
		/* already overloaded: activate in the same run */
		__attribute__((fallthrough));
	case PCS_SHADOW_WARM:
		if (a.activate) {
			if (allocate(pl, rc, a.need_active, &short_rps) < 0)
				return -1;
			fmt_dur(a.act_h, h1, sizeof h1);
			snprintf(why, sizeof why, "demand %s %.4g > %.4g (capacity less %g%% reserve) at %s in %s%s",
			         pl->p.activate_p99 ? "p99" : "p50", a.demand_at, a.threshold,
			         pl->p.reserve * 100, p->pop, h1,
			         short_rps > 0 ? "; capped by max_instances" : "");
			if (emit_all(pl, now, rc, PCS_ACT_SCALE_UP, from, PCS_SHADOW_ACTIVE, why) != 0)
				return -1;
			rc->state = PCS_SHADOW_ACTIVE;
			rc->since = now;
			return 0;
		}
		break;
	case PCS_SHADOW_ACTIVE:
		if (!a.activate) {
			/* the surge is past but risk is not low enough to release:
			 * back to warm (cheap) after min_dwell without activation */
			if (rc->quiet_since < 0)
				rc->quiet_since = now;
			if (a.risk >= pl->p.release_below && now - rc->quiet_since >= pl->p.min_dwell &&
			    now - rc->since >= pl->p.min_dwell) {
				fmt_dur(now - rc->quiet_since, h1, sizeof h1);
				snprintf(why, sizeof why, "demand below the activation threshold for %s at %s; "
				         "risk %.3g keeps it warm", h1, p->pop, a.risk);
				if (emit_all(pl, now, rc, PCS_ACT_SCALE_DOWN, from, PCS_SHADOW_WARM, why) != 0)
					return -1;
				rc->state = PCS_SHADOW_WARM;
				rc->since = now;
				rc->quiet_since = -1;
				return 0;
			}
			break;
		}
		rc->quiet_since = -1;
		added = allocate(pl, rc, a.need_active, &short_rps);
		if (added < 0)
			return -1;
		if (added > 0) {
			snprintf(why, sizeof why, "demand %.4g still passes %.4g at %s: %ld more instance%s",
			         a.demand_at, a.threshold, p->pop, added, added == 1 ? "" : "s");
			return emit_all(pl, now, rc, PCS_ACT_SCALE_UP, from, PCS_SHADOW_ACTIVE, why);
		}
		return emit_all(pl, now, rc, PCS_ACT_HOLD, from, from,
		                "active: demand still passes the activation threshold");
	case PCS_SHADOW_DRAINING:
		if (a.activate || a.risk >= pl->p.warm_at) {
			if (a.activate && allocate(pl, rc, a.need_active, &short_rps) < 0)
				return -1;
			if (a.activate)
				snprintf(why, sizeof why, "demand %.4g passes %.4g again at %s while draining",
				         a.demand_at, a.threshold, p->pop);
			else
				snprintf(why, sizeof why, "risk rose again to %.3g at %s while draining", a.risk,
				         p->pop);
			if (emit_all(pl, now, rc, PCS_ACT_SCALE_UP, from, PCS_SHADOW_ACTIVE, why) != 0)
				return -1;
			rc->state = PCS_SHADOW_ACTIVE;
			rc->since = now;
			return 0;
		}
		if (now - rc->since >= pl->p.drain) {
			fmt_dur(pl->p.drain, h1, sizeof h1);
			snprintf(why, sizeof why, "drained for %s", h1);
			if (emit_all(pl, now, rc, PCS_ACT_DEACTIVATE, from, PCS_SHADOW_OFF, why) != 0)
				return -1;
			release(pl, rc);
			rc->state = PCS_SHADOW_OFF;
			rc->since = now;
			return 0;
		}
		fmt_dur(now - rc->since, h1, sizeof h1);
		fmt_dur(pl->p.drain, h2, sizeof h2);
		snprintf(why, sizeof why, "draining: %s of %s", h1, h2);
		return emit_all(pl, now, rc, PCS_ACT_HOLD, from, from, why);
	}
	/* warm or active, and no escalation: release after a cooldown below */
	if (rc->below_since >= 0 && now - rc->below_since >= pl->p.cooldown &&
	    now - rc->since >= pl->p.min_dwell) {
		fmt_dur(now - rc->below_since, h1, sizeof h1);
		snprintf(why, sizeof why, "risk %.3g below %g for %s", a.risk, pl->p.release_below, h1);
		if (rc->state == PCS_SHADOW_WARM) {
			if (emit_all(pl, now, rc, PCS_ACT_DEACTIVATE, from, PCS_SHADOW_OFF, why) != 0)
				return -1;
			release(pl, rc);
			rc->state = PCS_SHADOW_OFF;
		} else {
			if (emit_all(pl, now, rc, PCS_ACT_SCALE_DOWN, from, PCS_SHADOW_DRAINING, why) != 0)
				return -1;
			rc->state = PCS_SHADOW_DRAINING;
		}
		rc->since = now;
		rc->below_since = -1;
		return 0;
	}
	if (rc->below_since >= 0 && now - rc->below_since >= pl->p.cooldown) {
		/* the cooldown is over; the minimum dwell is not */
		fmt_dur(now - rc->since, h1, sizeof h1);
		fmt_dur(pl->p.min_dwell, h2, sizeof h2);
		snprintf(why, sizeof why, "risk %.3g below %g past the cooldown; %s of %s min-dwell in %s",
		         a.risk, pl->p.release_below, h1, h2, pcs_shadow_state_name(rc->state));
	} else if (rc->below_since >= 0) {
		fmt_dur(now - rc->below_since, h1, sizeof h1);
		fmt_dur(pl->p.cooldown, h2, sizeof h2);
		snprintf(why, sizeof why, "risk %.3g below %g for %s of %s cooldown", a.risk,
		         pl->p.release_below, h1, h2);
	} else {
		snprintf(why, sizeof why, "risk %.3g not below release-below %g", a.risk,
		         pl->p.release_below);
	}
	return emit_all(pl, now, rc, PCS_ACT_HOLD, from, from, why);
}

static int
cmp_obs(const void *a, const void *b)
{
	const struct pcs_risk_obs *x = *(const struct pcs_risk_obs *const *)a;
	const struct pcs_risk_obs *y = *(const struct pcs_risk_obs *const *)b;
	int c = strcmp(x->group, y->group);

	return c ? c : strcmp(x->pop, y->pop);
}

int
pcs_planner_step(pcs_planner *pl, int64_t now, const struct pcs_risk_obs *obs, size_t nobs,
                 const struct pcs_action **acts, size_t *nacts, pcs_error *err)
{
	const struct pcs_risk_obs **idx = malloc((nobs ? nobs : 1) * sizeof *idx);
	int fresh = now > pl->last_now;
	double dt = pl->last_now > 0 && fresh ? (double)(now - pl->last_now) : 0;

	pl->nact = 0;
	pl->run_warm = pl->run_active = 0;
	if (idx == NULL)
		return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
	for (size_t i = 0; i < nobs; i++)
		idx[i] = &obs[i];
	qsort(idx, nobs, sizeof *idx, cmp_obs);
	for (size_t i = 0; i < pl->nrec; i++) {
		struct record *rc = &pl->rec[i];
		const struct pcs_topo *p = &pl->t->row[rc->primary];
		struct pcs_risk_obs key = { .group = p->group, .pop = p->pop }, *kp = &key;
		const struct pcs_risk_obs **hit;
		int rcode;

		/* cost of what the shadow held since the last run */
		for (size_t k = 0; k < rc->nalloc; k++) {
			const struct pcs_topo *s = &pl->t->row[rc->alloc[k].sec];
			double full = (double)rc->alloc[k].inst * s->cost_per_hour * dt / 3600;
			if (rc->state == PCS_SHADOW_WARM) {
				rc->cost_warm += full * s->warm_cost_frac;
				pl->run_warm += full * s->warm_cost_frac;
			} else {
				rc->cost_active += full;
				pl->run_active += full;
			}
		}
		if (!fresh) {
			if (rc->state != PCS_SHADOW_OFF &&
			    emit_all(pl, now, rc, PCS_ACT_HOLD, rc->state, rc->state,
			             "no risk newer than the last run: holding") != 0)
				goto nomem;
			continue;
		}
		hit = bsearch(&kp, idx, nobs, sizeof *idx, cmp_obs);
		rcode = step_record(pl, rc, now, hit ? *hit : NULL);
		if (rcode != 0)
			goto nomem;
	}
	free(idx);
	pl->total_warm += pl->run_warm;
	pl->total_active += pl->run_active;
	if (fresh)
		pl->last_now = now;
	*acts = pl->act;
	*nacts = pl->nact;
	return 0;
nomem:
	free(idx);
	return pcs_error_set(err, PCS_ENOMEM, 0, NULL, "out of memory");
}

void
pcs_planner_usage(const pcs_planner *pl, long *warm, long *active)
{
	memset(warm, 0, pl->t->n * sizeof *warm);
	memset(active, 0, pl->t->n * sizeof *active);
	for (size_t i = 0; i < pl->nrec; i++)
		for (size_t k = 0; k < pl->rec[i].nalloc; k++) {
			const struct alloc *a = &pl->rec[i].alloc[k];
			if (pl->rec[i].state == PCS_SHADOW_WARM)
				warm[a->sec] += a->inst;
			else
				active[a->sec] += a->inst;
		}
}

void
pcs_planner_cost(const pcs_planner *pl, struct pcs_shadow_cost *c)
{
	memset(c, 0, sizeof *c);
	c->warm_run = pl->run_warm;
	c->active_run = pl->run_active;
	c->warm_total = pl->total_warm;
	c->active_total = pl->total_active;
	for (size_t i = 0; i < pl->nrec; i++)
		switch (pl->rec[i].state) {
		case PCS_SHADOW_WARM: c->warm++; break;
		case PCS_SHADOW_ACTIVE: c->active++; break;
		case PCS_SHADOW_DRAINING: c->draining++; break;
		}
}
