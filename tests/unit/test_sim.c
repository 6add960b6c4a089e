/* Unit tests: the replay engine and its baseline policies. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "pcs.h"

/* One primary (10 x 10 rps, up to 40, boot 120 s) and one secondary. */
static pcs_topology *
fleet(void)
{
	pcs_topology *t = pcs_topology_new();
	pcs_error err;
	struct pcs_topo r = { 0 };

	r.group = "g";
	r.service = "s";
	r.instance_rps = 10;
	r.boot_s = 120;
	r.warm_s = 20;
	r.cost_per_hour = 1;
	r.warm_cost_frac = 0.1;
	r.pop = "p", r.primary = 1, r.instances = 10, r.max_instances = 40;
	pcs_topology_add(t, &r, &err);
	r.pop = "s", r.primary = 0, r.instances = 0, r.max_instances = 20, r.rtt_ms = 10;
	pcs_topology_add(t, &r, &err);
	pcs_topology_finish(t, &err);
	return t;
}

struct rows {
	size_t n;
	double dropped[PCS_NPOLICIES][400];
	long instances[PCS_NPOLICIES][400];
};

static int
on_tick(void *ctx, const struct pcs_sim_tick *t)
{
	struct rows *r = ctx;
	size_t i = (size_t)(t->ts / 60) - 100;

	if (i < 400)
		r->dropped[t->policy][i] += t->dropped;
	if (strcmp(t->pop, "p") == 0 && i < 400)
		r->instances[t->policy][i] = t->instances;
	return 0;
}

int
main(void)
{
	pcs_topology *t = fleet();
	struct pcs_sim_params p;
	struct pcs_sim_summary sum[PCS_NPOLICIES];
	static struct rows rows;
	struct pcs_sim_output out = { &rows, on_tick, NULL };
	int pol[] = { PCS_POLICY_STATIC, PCS_POLICY_REACTIVE, PCS_POLICY_ORACLE };
	size_t hz[] = { 5 };
	double lv[] = { 0.5, 0.99 };
	double y[300];
	pcs_series s = { 6000, 60, 300, y, 300, 0 };
	pcs_error err;
	pcs_sim *sim;

	/* 50 rps, a step to 150 rps at slot 200 (100 minutes scored before it) */
	for (size_t i = 0; i < 300; i++)
		y[i] = i < 200 ? 50 : 150;
	pcs_sim_defaults(&p);
	p.warmup = 100 * 60;
	p.horizons = hz;
	p.nhorizons = 1;
	p.levels = lv;
	p.nlevels = 2;
	sim = pcs_sim_new(t, &p, pol, 3, &err);
	ok(sim != NULL, "a replay of three policies");
	ok(pcs_sim_group(sim, "g", &s, &out, &err) == 0, "the group replays");
	pcs_sim_summaries(sim, sum);
	ok(sum[0].ticks == 200 && sum[1].ticks == 200 && sum[2].ticks == 200,
	   "200 scored ticks after a 100-minute warm-up");
	ok(fabs(sum[0].offered - (100 * 50 + 100 * 150) * 60.0) < 1e-6 &&
	   sum[0].offered == sum[1].offered && sum[1].offered == sum[2].offered,
	   "every policy is offered the same requests");
	/* static: 100 rps of capacity, 50 rps over it for 100 minutes */
	is_num(sum[0].dropped, 50 * 100 * 60.0, 1e-6, "static drops the excess of the step");
	is_num(sum[0].instance_hours, 10 * 200 / 60.0, 1e-9, "static holds its 10 instances");
	/* reactive: scaled down to ceil(50 / 7) = 8 before the step; at the
	 * step it asks for ceil(150 / 7) = 22, useful 120 s later */
	ok(rows.instances[PCS_POLICY_REACTIVE][199] == 8, "the HPA settles at 8 instances (%ld)",
	   rows.instances[PCS_POLICY_REACTIVE][199]);
	ok(rows.instances[PCS_POLICY_REACTIVE][201] == 22, "and asks for 22 after the step (%ld)",
	   rows.instances[PCS_POLICY_REACTIVE][201]);
	/* asked at the end of tick 200, useful 120 s later: from tick 202 */
	ok(rows.dropped[PCS_POLICY_REACTIVE][200] > 0 && rows.dropped[PCS_POLICY_REACTIVE][201] > 0 &&
	   rows.dropped[PCS_POLICY_REACTIVE][202] == 0,
	   "reactive drops during the boot (ticks 200 and 201), not after");
	is_num(sum[2].dropped, 0, 1e-9, "the oracle drops nothing");
	/* ceil(D / instance_rps), and the 10 more for the step from 2 ticks
	 * (boot_s) before it */
	is_num(sum[2].instance_hours, (100 * 5 + 100 * 15 + 2 * 10) / 60.0, 1e-9,
	       "the oracle holds ceil(D / instance_rps), and what the step needs from boot_s before");
	ok(rows.instances[PCS_POLICY_ORACLE][197] == 5 && rows.instances[PCS_POLICY_ORACLE][198] == 15,
	   "asked for at tick 198, two ticks (boot_s) ahead");
	ok(sum[1].surges == 1 && sum[0].surges == 1, "one surge");
	ok(sum[2].lead_time_s == 120, "the oracle acts boot_s ahead (%g)", sum[2].lead_time_s);
	ok(sum[1].lead_time_s <= 0, "reactive acts at or after the onset (%g)", sum[1].lead_time_s);
	ok(sum[0].tau_u > 0 && sum[2].tau_u == 0 && sum[2].theta_u == 0,
	   "under-provisioning: static yes, oracle no");
	pcs_sim_free(sim);

	/* a failed POP serves nothing; the ideal balancer of the baselines
	 * cannot help with one primary */
	{
		struct pcs_failure f = { "p", 6000 + 250 * 60, 6000 + 260 * 60 };
		int one[] = { PCS_POLICY_ORACLE };
		p.failures = &f;
		p.nfailures = 1;
		memset(&rows, 0, sizeof rows);
		sim = pcs_sim_new(t, &p, one, 1, &err);
		ok(pcs_sim_group(sim, "g", &s, &out, &err) == 0, "a replay with a failure");
		pcs_sim_summaries(sim, sum);
		/* the oracle moves to the secondary: 20 x 10 rps covers 150 */
		is_num(sum[0].dropped, 0, 1e-9, "the oracle serves from the secondary during the failure");
		pcs_sim_free(sim);
		p.failures = NULL;
		p.nfailures = 0;
	}
	/* a demand of 1e300 rps: more instances than a long holds; every
	 * policy that sizes from demand goes to its limit, none to a negative
	 * count (a regression test: the counts overflowed converting to long) */
	{
		double big[300];
		pcs_series sb = { 6000, 60, 300, big, 300, 0 };
		for (size_t i = 0; i < 300; i++)
			big[i] = 1e300;
		memset(&rows, 0, sizeof rows);
		sim = pcs_sim_new(t, &p, pol, 3, &err);
		ok(pcs_sim_group(sim, "g", &sb, &out, &err) == 0, "a replay of 1e300 rps");
		pcs_sim_summaries(sim, sum);
		ok(rows.instances[PCS_POLICY_REACTIVE][299] == 40 && rows.instances[PCS_POLICY_ORACLE][299] == 40,
		   "the HPA and the oracle hold the primary's 40 instances (%ld, %ld)",
		   rows.instances[PCS_POLICY_REACTIVE][299], rows.instances[PCS_POLICY_ORACLE][299]);
		is_num(sum[2].instance_hours, 60 * 200 / 60.0, 1e-9,
		       "the oracle holds all 60 instances of the fleet, primary and secondary");
		pcs_sim_free(sim);
	}
	/* an hourly step: 240 HPA periods of doubling a tick (a regression
	 * test: the scale-up limit overflowed a long, which the sanitizer
	 * build reports) */
	{
		double hy[300];
		pcs_series sh = { 0, 3600, 300, hy, 300, 0 };
		for (size_t i = 0; i < 300; i++)
			hy[i] = i < 200 ? 50 : 150;
		p.warmup = 100 * 3600;
		sim = pcs_sim_new(t, &p, pol, 3, &err);
		ok(pcs_sim_group(sim, "g", &sh, NULL, &err) == 0, "an hourly replay scales up");
		pcs_sim_summaries(sim, sum);
		ok(sum[1].instance_hours > 0 && sum[1].dropped < sum[0].dropped,
		   "and the HPA scales up at once (drops %g, static %g)", sum[1].dropped, sum[0].dropped);
		pcs_sim_free(sim);
		p.warmup = 100 * 60;
	}
	/* predictive with its primaries provisioned from the forecast: on a
	 * steady 50 +- 5 rps the 0.99 quantile needs 6 instances where the
	 * HPA at 0.7 holds 8; on a step it scales up once the forecast has
	 * seen the new level, and the HPA is what prov_level 0 gives */
	{
		int pp[] = { PCS_POLICY_REACTIVE, PCS_POLICY_PREDICTIVE };
		double wy[300];
		pcs_series sw = { 6000, 60, 300, wy, 300, 0 };
		for (size_t i = 0; i < 300; i++)
			wy[i] = (i < 200 ? 50 : 150) + 5 * sin((double)i);
		memset(&rows, 0, sizeof rows);
		p.prov_level = 0.99;
		sim = pcs_sim_new(t, &p, pp, 2, &err);
		ok(pcs_sim_group(sim, "g", &sw, &out, &err) == 0, "a replay with provisioning");
		pcs_sim_summaries(sim, sum);
		ok(rows.instances[PCS_POLICY_REACTIVE][190] == 8 &&
		   rows.instances[PCS_POLICY_PREDICTIVE][190] >= 6 &&
		   rows.instances[PCS_POLICY_PREDICTIVE][190] < 8,
		   "steady: the 0.99 quantile holds %ld instances, the HPA %ld",
		   rows.instances[PCS_POLICY_PREDICTIVE][190], rows.instances[PCS_POLICY_REACTIVE][190]);
		double before = 0;
		for (size_t i = 100; i < 200; i++)
			before += rows.dropped[PCS_POLICY_PREDICTIVE][i];
		ok(before == 0, "and drops nothing before the step (%g rps-ticks)", before);
		ok(rows.instances[PCS_POLICY_PREDICTIVE][299] >= 16,
		   "after the step it holds what 150 rps needs (%ld)",
		   rows.instances[PCS_POLICY_PREDICTIVE][299]);
		pcs_sim_free(sim);
		p.prov_level = 0;
		memset(&rows, 0, sizeof rows);
		sim = pcs_sim_new(t, &p, pp, 2, &err);
		ok(pcs_sim_group(sim, "g", &sw, &out, &err) == 0 &&
		   rows.instances[PCS_POLICY_PREDICTIVE][190] == rows.instances[PCS_POLICY_REACTIVE][190],
		   "prov_level 0: the HPA (%ld)", rows.instances[PCS_POLICY_PREDICTIVE][190]);
		pcs_sim_free(sim);
	}
	/* the provisioning quantile calibrated on the forecast's errors at the
	 * target's phase: crowds of 4x at :02 and :32 in 3 half-hours of 10
	 * are held at :02 and not at :15, where the model's own quantile, one
	 * width for every minute, holds them everywhere or nowhere (here
	 * nowhere: 133,058 requests dropped against 9,885, for 7% more
	 * instance-hours) */
	{
		enum { N = 12 * 1440 };
		int pp[] = { PCS_POLICY_PREDICTIVE };
		double *cy = malloc(N * sizeof *cy), drops[2], ih[2];
		uint64_t x = 88172645463325252ull;
		pcs_series sc = { 1795564800, 60, N, cy, N, 0 };
		for (size_t i = 0; i < N; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			cy[i] = 50 + (double)(x % 1000) / 200;
			if (i % 30 == 2 && x % 10 < 3)
				cy[i] *= 4;
		}
		p.warmup = 7 * 86400;
		p.prov_level = 0.95;   /* a cell of 30 needs 19 scores a half, not 99 */
		for (int cal = 0; cal < 2; cal++) {
			p.prov_conformal = cal;
			memset(&rows, 0, sizeof rows);
			sim = pcs_sim_new(t, &p, pp, 1, &err);
			ok(sim && pcs_sim_group(sim, "g", &sc, NULL, &err) == 0, "crowds at :02 and :32, %s",
			   cal ? "calibrated" : "the model's quantile");
			pcs_sim_summaries(sim, sum);
			drops[cal] = sum[0].dropped;
			ih[cal] = sum[0].instance_hours;
			pcs_sim_free(sim);
		}
		ok(drops[1] < drops[0] / 2 || (drops[1] <= drops[0] && ih[1] < ih[0]),
		   "calibrated: %g dropped at %g instance-hours, against %g at %g", drops[1], ih[1],
		   drops[0], ih[0]);
		free(cy);
		p.prov_conformal = 1;
		p.prov_level = 0;
		p.warmup = 100 * 60;
	}
	/* errors: no primary for the group, history shorter than the warm-up */
	sim = pcs_sim_new(t, &p, pol, 3, &err);
	ok(pcs_sim_group(sim, "nope", &s, NULL, &err) == PCS_EDATA &&
	   strstr(err.msg, "not in the topology") != NULL, "a group not in the topology: %s", err.msg);
	p.warmup = 400 * 60;
	pcs_sim_free(sim);
	sim = pcs_sim_new(t, &p, pol, 3, &err);
	ok(pcs_sim_group(sim, "g", &s, NULL, &err) == PCS_EDATA && strstr(err.msg, "warm-up") != NULL,
	   "a history shorter than the warm-up: %s", err.msg);
	pcs_sim_free(sim);
	ok(pcs_policy_of("predictive-scale") == PCS_POLICY_PREDICTIVE_SCALE && pcs_policy_of("x") < 0,
	   "policy names");
	pcs_topology_free(t);
	return tap_done();
}
