/* Unit tests: the shadow lifecycle planner. */
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

static pcs_topology *
topology(long par_max)
{
	pcs_topology *t = pcs_topology_new();
	pcs_error err;
	struct pcs_topo r = { 0 };

	r.group = "web";
	r.service = "edge";
	r.instance_rps = 50;
	r.warm_cost_frac = 0.1;
	r.cost_per_hour = 1;
	r.pop = "fra", r.primary = 1, r.instances = 10, r.max_instances = 10;
	pcs_topology_add(t, &r, &err);
	r.pop = "par", r.primary = 0, r.instances = 2, r.max_instances = par_max, r.rtt_ms = 9;
	pcs_topology_add(t, &r, &err);
	r.pop = "lhr", r.primary = 0, r.instances = 2, r.max_instances = 20, r.rtt_ms = 14;
	pcs_topology_add(t, &r, &err);
	pcs_topology_finish(t, &err);
	return t;
}

/* One run with the same risk at horizons 5m and 15m. */
static size_t
run(pcs_planner *pl, int64_t now, double risk, double p50, const struct pcs_action **a)
{
	struct pcs_risk_horizon h[2] = {
		{ 300, p50, p50 * 1.3, 500, risk > 0.1 ? 20 : 0, risk },
		{ 900, p50, p50 * 1.3, 500, risk > 0.1 ? 20 : 0, risk },
	};
	struct pcs_risk_obs o = { "web", "fra", risk, h, 2 };
	size_t n;
	pcs_error err;

	if (pcs_planner_step(pl, now, &o, 1, a, &n, &err) != 0)
		return (size_t)-1;
	return n;
}

static int
is(const struct pcs_action *a, int action, int from, int to, const char *pop)
{
	return a->action == action && a->from == from && a->to == to &&
	       strcmp(a->secondary->pop, pop) == 0;
}

int
main(void)
{
	struct pcs_shadow_params p = { 0.1, 0.02, 0.1, 0, 600, 300, 120, 0 };
	pcs_topology *t = topology(12);
	pcs_planner *pl = pcs_planner_new(t, &p);
	const struct pcs_action *a;
	size_t n;
	int64_t now = 1800000000;
	pcs_error err;

	n = run(pl, now, 0.01, 200, &a);
	ok(n == 0, "low risk, off: nothing to say");
	n = run(pl, now += 60, 0.3, 300, &a);
	ok(n == 1 && is(&a[0], PCS_ACT_CREATE_WARM, PCS_SHADOW_OFF, PCS_SHADOW_WARM, "par"),
	   "risk 0.3: warm on the nearest secondary with room (par)");
	/* need: max(es 20, p99 390 - 450) = 20 rps -> 1 instance */
	ok(n == 1 && a[0].instances == 1, "sized from the shortfall: 1 instance");
	n = run(pl, now, 0.3, 300, &a);
	ok(n == 1 && a[0].action == PCS_ACT_HOLD, "a rerun at the same time only holds");
	n = run(pl, now += 60, 0.6, 480, &a);
	/* p50 480 > 500 x 0.9: active; need max(20, 30) = 30 rps -> still 1 */
	ok(n == 1 && is(&a[0], PCS_ACT_SCALE_UP, PCS_SHADOW_WARM, PCS_SHADOW_ACTIVE, "par"),
	   "demand past capacity less the reserve: scale_up");
	n = run(pl, now += 60, 0.01, 200, &a);
	ok(n == 1 && a[0].action == PCS_ACT_HOLD, "risk drops: the cooldown starts, hold");
	n = run(pl, now += 540, 0.01, 200, &a);
	ok(n == 1 && a[0].action == PCS_ACT_HOLD, "9 minutes below: still holding");
	n = run(pl, now += 60, 0.01, 200, &a);
	ok(n == 1 && is(&a[0], PCS_ACT_SCALE_DOWN, PCS_SHADOW_ACTIVE, PCS_SHADOW_DRAINING, "par"),
	   "10 minutes below: scale_down");
	n = run(pl, now += 60, 0.01, 200, &a);
	ok(n == 1 && a[0].action == PCS_ACT_HOLD, "draining");
	n = run(pl, now += 60, 0.01, 200, &a);
	ok(n == 1 && is(&a[0], PCS_ACT_DEACTIVATE, PCS_SHADOW_DRAINING, PCS_SHADOW_OFF, "par"),
	   "drained: deactivate");
	{
		struct pcs_shadow_cost c;
		pcs_planner_cost(pl, &c);
		/* 1 instance at 1/h: warm 60 s x 0.1, then active 60+540+60+60+60 s */
		is_num(c.warm_total, 60.0 / 3600 * 0.1, 1e-12, "warm cost");
		is_num(c.active_total, 780.0 / 3600, 1e-12, "active and draining cost");
	}

	/* oscillating between 0.05 and 0.15: one create_warm, then holds */
	{
		int creates = 0, others = 0;
		for (int i = 0; i < 40; i++) {
			n = run(pl, now += 60, i % 2 ? 0.05 : 0.15, 200, &a);
			for (size_t k = 0; k < n; k++) {
				creates += a[k].action == PCS_ACT_CREATE_WARM;
				others += a[k].action != PCS_ACT_CREATE_WARM && a[k].action != PCS_ACT_HOLD;
			}
		}
		ok(creates == 1 && others == 0, "oscillating risk: no flapping (%d create, %d other)",
		   creates, others);
	}
	/* save, load into a fresh planner, save again: the same state */
	{
		json_t *s1 = pcs_planner_save(pl), *s2;
		pcs_planner *pl2 = pcs_planner_new(t, &p);
		char *a1, *a2;
		ok(pcs_planner_load(pl2, s1, &err) == 0, "state loads");
		s2 = pcs_planner_save(pl2);
		a1 = json_dumps(s1, JSON_SORT_KEYS);
		a2 = json_dumps(s2, JSON_SORT_KEYS);
		ok(strcmp(a1, a2) == 0, "save -> load -> save is the identity");
		free(a1);
		free(a2);
		json_decref(s2);
		pcs_planner_free(pl2);
		{
			pcs_topology *other = topology(30);
			pcs_topology *t3 = pcs_topology_new();
			struct pcs_topo r = { .pop = "zzz", .group = "web", .service = "edge",
			                      .instance_rps = 1, .instances = 1, .max_instances = 1 };
			pcs_topology_add(t3, &r, &err);
			pcs_topology_finish(t3, &err);
			pl2 = pcs_planner_new(other, &p);
			ok(pcs_planner_load(pl2, s1, &err) == 0,
			   "the same fleet with other sizes keeps its state");
			pcs_planner_free(pl2);
			pl2 = pcs_planner_new(t3, &p);
			ok(pcs_planner_load(pl2, s1, &err) == PCS_EDATA &&
			   strstr(err.msg, "another topology") != NULL, "another fleet is refused");
			pcs_planner_free(pl2);
			pcs_topology_free(other);
			pcs_topology_free(t3);
		}
		json_object_set_new(s1, "version", json_integer(99));
		pl2 = pcs_planner_new(t, &p);
		ok(pcs_planner_load(pl2, s1, &err) == PCS_EDATA && strstr(err.msg, "version 99"),
		   "a newer version is refused");
		pcs_planner_free(pl2);
		json_decref(s1);
	}
	pcs_planner_free(pl);
	pcs_topology_free(t);

	/* no room on the nearest secondary: the next one; overloaded: at once */
	t = topology(2);
	pl = pcs_planner_new(t, &p);
	n = run(pl, now, 0.9, 600, &a);
	ok(n == 2 && is(&a[0], PCS_ACT_CREATE_WARM, PCS_SHADOW_OFF, PCS_SHADOW_WARM, "lhr") &&
	   is(&a[1], PCS_ACT_SCALE_UP, PCS_SHADOW_WARM, PCS_SHADOW_ACTIVE, "lhr"),
	   "par is full: lhr; already overloaded: warm and active in one run");
	/* warm: max(20, p99 780 - 450) = 330 rps = 7 instances; active needs
	 * only max(20, 600 - 450) = 150, and keeps what is warm */
	ok(n == 2 && a[0].instances == 7 && a[1].instances == 7,
	   "warm sized from the p99 excess (7 instances), kept when active");
	/* the surge passes but risk stays: back to warm after min_dwell
	 * without activation, instances kept; a new surge activates again */
	n = run(pl, now + 60, 0.5, 300, &a);
	ok(n == 1 && is(&a[0], PCS_ACT_HOLD, PCS_SHADOW_ACTIVE, PCS_SHADOW_ACTIVE, "lhr"),
	   "demand below the threshold, risk high: still active before min_dwell");
	n = run(pl, now + 360, 0.5, 300, &a);
	ok(n == 1 && is(&a[0], PCS_ACT_SCALE_DOWN, PCS_SHADOW_ACTIVE, PCS_SHADOW_WARM, "lhr") &&
	   a[0].instances == 7 && strstr(a[0].reason, "keeps it warm") != NULL,
	   "after min_dwell without activation: back to warm, 7 instances kept");
	{
		long warm[3], active[3];
		size_t lhr = 0;
		while (strcmp(pcs_topology_get(t, lhr)->pop, "lhr") != 0)
			lhr++;
		pcs_planner_usage(pl, warm, active);
		ok(warm[lhr] == 7 && active[lhr] == 0, "the usage says warm");
	}
	n = run(pl, now + 420, 0.9, 600, &a);
	ok(n == 1 && is(&a[0], PCS_ACT_SCALE_UP, PCS_SHADOW_WARM, PCS_SHADOW_ACTIVE, "lhr"),
	   "a new surge activates the warm shadow again");
	pcs_planner_free(pl);
	pcs_topology_free(t);

	/* a need beyond what a long counts in instances (1e300 rps) takes all
	 * the room there is, not one instance (a regression test: the
	 * instance count overflowed) */
	t = topology(12);
	pl = pcs_planner_new(t, &p);
	{
		struct pcs_risk_horizon h[1] = { { 300, 1e300, 1e300, 500, 1e300, 1 } };
		struct pcs_risk_obs o = { "web", "fra", 1, h, 1 };
		long total = 0;
		pcs_error e;
		ok(pcs_planner_step(pl, now, &o, 1, &a, &n, &e) == 0, "a need of 1e300 rps plans");
		for (size_t k = 0; k < n; k++)
			total += a[k].action == PCS_ACT_CREATE_WARM ? a[k].instances : 0;
		ok(total == 10 + 18, "it warms every secondary's room: par 10 and lhr 18 (%ld)", total);
	}
	pcs_planner_free(pl);
	pcs_topology_free(t);

	/* --activate-within: demand passing at 15m only warms, at 5m activates */
	p.activate_within = 300;
	t = topology(12);
	pl = pcs_planner_new(t, &p);
	{
		struct pcs_risk_horizon h[2] = { { 300, 300, 400, 500, 0, 0.05 },
		                                 { 900, 600, 780, 500, 120, 0.9 } };
		struct pcs_risk_obs o = { "web", "fra", 0.9, h, 2 };
		pcs_error e;
		ok(pcs_planner_step(pl, now, &o, 1, &a, &n, &e) == 0 && n == 1 &&
		   is(&a[0], PCS_ACT_CREATE_WARM, PCS_SHADOW_OFF, PCS_SHADOW_WARM, "par"),
		   "activate-within 5m: a surge due in 15m is only warmed");
		h[0].demand_p50 = 600;
		ok(pcs_planner_step(pl, now + 60, &o, 1, &a, &n, &e) == 0 && n == 1 &&
		   is(&a[0], PCS_ACT_SCALE_UP, PCS_SHADOW_WARM, PCS_SHADOW_ACTIVE, "par"),
		   "and activated once it is due within 5m");
	}
	pcs_planner_free(pl);
	pcs_topology_free(t);
	return tap_done();
}
