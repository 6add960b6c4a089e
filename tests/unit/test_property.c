/* Property tests: every stage of libpcs over adversarial and random series.
 *
 * A family of series (constant, all zero, one point, two points, 1e300 and
 * 1e-300 scales, huge and tiny mixed, zeros and huge mixed, steps up and
 * down, spikes, long gaps, random walks, seasonal with noise, a weekly
 * cycle) and a number of seeded random ones are put through the forecaster
 * (auto, every classic kind, a grid of configurations and every quantile
 * method, online updates, export and read-back, per-sample scores), the
 * backtest, the quantile distributions, risk, the shadow planner, the
 * router and the replay, and each output is checked against its contract:
 *
 *   - every number the contract promises is finite (no NaN, no Inf); NaN
 *     only where a header documents it as "unknown" (gaps of a score, a
 *     lead time with no surge, coverage without a central interval);
 *   - quantiles are non-negative and non-decreasing in the level;
 *   - probabilities and scores are in [0, 1];
 *   - routing shares are in [0, 1] and sum to 1 per group (1e-9) when a POP
 *     can take traffic; integer weights sum to their total;
 *   - counts stay within their bounds (instances within max_instances,
 *     dropped within offered, served within capacity).
 *
 * Each property is reported once, with the number of checks made, and the
 * first few failures are printed as TAP comments naming the case.  The
 * random cases come from a fixed seed; PCS_PROPERTY_SEED changes it and
 * PCS_PROPERTY_CASES their number (default 40). */
#include <stdarg.h>
#include <stdlib.h>

#include "tap.h"
#include "pcs.h"

/* ---- properties: counted, reported once each ---- */

enum {
	P_FC_OK, P_FC_MEAN, P_FC_QUANT, P_FC_MONO, P_FC_ANOM, P_FC_MODEL,
	P_ONLINE, P_EXPORT, P_SCORE, P_BACKTEST, P_QDIST, P_RISK, P_PLAN, P_PLAN_SIZE,
	P_ROUTE_SHARE, P_ROUTE_SUM, P_ROUTE_WEIGHTS, P_ROUTE_ORDER, P_SIM_SUMMARY, P_SIM_TICK,
	P_SIM_SHARES, P_SIM_ORACLE, NPROPS
};

static const char *const prop_name[NPROPS] = {
	"forecast: auto, every kind and every valid configuration succeed on any history",
	"forecast: the mean is finite and >= 0",
	"forecast: every quantile is finite and >= 0",
	"forecast: quantiles never cross (non-decreasing in the level)",
	"forecast: the anomaly score is finite and in [0,1]",
	"forecast: the model is one of the seven kinds",
	"forecaster: observe (gaps, zeros, 1e300 included) scores in [0,1], then predicts as above",
	"export: finite parameters in [0,1], sketches finite and ascending, read back predicts as above",
	"score: observed slots score in [0,1] with a finite or unknown expectation, gaps NaN",
	"backtest: finite non-negative scores, sMAPE <= 200, coverage in [0,1]",
	"qdist: CDF in [0,1] and non-decreasing, quantile finite and non-decreasing, excess finite and non-increasing",
	"risk: p_exceed and risk in [0,1], risk the largest p_exceed, finite demands, shortfall >= 0, level from the cuts",
	"planner: actions within each secondary's room, costs finite and >= 0",
	"planner: a larger need never gets fewer warm instances (up to every secondary's room)",
	"router: every share finite and in [0,1], smoothed latency and errors finite",
	"router: shares sum to 1 per group when a POP can serve, else 0",
	"router: integer weights sum to the total; the alias sampler draws only POPs with a share",
	"router: a sample older than the last tick is refused",
	"replay: summaries finite (lead time unknown allowed), dropped within offered, percentages in range",
	"replay: timeline rows finite, served within capacity and routed, dropped = routed - served",
	"replay: the POPs' shares sum to 1 or 0 per policy and tick",
	"replay: the oracle drops nothing when the fleet can carry the demand",
};

static long prop_checks[NPROPS], prop_failed[NPROPS];
static char case_name[160];

static void
check(int p, int cond, const char *fmt, ...)
{
	va_list ap;

	prop_checks[p]++;
	if (cond)
		return;
	if (prop_failed[p]++ < 5) {
		printf("# property %d failed on %s: ", p, case_name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
}

static int
finite_nonneg(double x)
{
	return isfinite(x) && x >= 0;
}

static int
unit_interval(double x)
{
	return isfinite(x) && x >= 0 && x <= 1;
}

/* ---- a seeded generator (splitmix64) ---- */

static uint64_t rng;

static double
unif(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
	return sqrt(-2 * log(unif() + 1e-300)) * cos(2 * M_PI * unif());
}

static size_t
pick(size_t n)
{
	return (size_t)(unif() * (double)n) % n;
}

/* ---- the series ---- */

struct series_case {
	char name[64];
	pcs_series s;
};

static pcs_series
alloc_series(size_t n, int64_t step)
{
	pcs_series s = { 1795219200, step, n, malloc((n ? n : 1) * sizeof(double)), n, 0 };

	return s;
}

/* The contract of a regularized series: the first and last slots are
 * observed, every value is finite and >= 0. */
static void
fix_ends(pcs_series *s)
{
	size_t obs = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (!isnan(s->y[i]) && !(s->y[i] >= 0 && isfinite(s->y[i])))
			s->y[i] = 0;
		obs += !isnan(s->y[i]);
	}
	if (isnan(s->y[0]))
		s->y[0] = 1;
	if (isnan(s->y[s->n - 1]))
		s->y[s->n - 1] = 1;
	s->samples = obs;
}

static double
daily(size_t i, int64_t step)
{
	return sin(2 * M_PI * (double)((int64_t)i * step % 86400) / 86400.0);
}

enum fam {
	F_CONST, F_ZERO, F_ONE, F_TWO, F_THREE, F_HUGE, F_TINY, F_MIXED, F_ZERO_HUGE, F_STEP_UP,
	F_STEP_DOWN, F_SPIKES, F_GAPS, F_MOSTLY_GAPS, F_WALK, F_SEASONAL, F_WEEKLY, F_ZERO_THEN_HUGE,
	NFAMS
};

static const char *const fam_name[NFAMS] = {
	"constant", "all-zero", "single-point", "two-points", "three-points", "1e300", "1e-300",
	"huge-tiny-mixed", "zero-huge-mixed", "step-up", "step-down-to-zero", "spikes", "long-gaps",
	"mostly-gaps", "random-walk", "seasonal-noise", "weekly-hourly", "zeros-then-1e300",
};

static pcs_series
family(int f)
{
	size_t n = 600;
	int64_t step = 300;
	pcs_series s;

	switch (f) {
	case F_ONE: n = 1; break;
	case F_TWO: n = 2; break;
	case F_THREE: n = 3; break;
	case F_WEEKLY: n = 24 * 7 * 3; step = 3600; break;
	case F_GAPS: n = 288 * 5; break;
	default: break;
	}
	s = alloc_series(n, step);
	for (size_t i = 0; i < n; i++) {
		double d = daily(i, step), y;
		switch (f) {
		case F_CONST: y = 42; break;
		case F_ZERO: y = 0; break;
		case F_ONE: y = 7; break;
		case F_TWO: y = i ? 1e300 : 0; break;
		case F_THREE: y = i == 1 ? 0 : 5; break;
		case F_HUGE: y = 1e300 * (1.5 + d + 0.1 * gauss()); break;
		case F_TINY: y = 1e-300 * (1.5 + d + 0.1 * gauss()); break;
		case F_MIXED: y = i % 2 ? 1e300 : 1e-300; break;
		case F_ZERO_HUGE: y = i % 3 ? 0 : 1e300; break;
		case F_STEP_UP: y = i < 450 ? 100 + 10 * d : 1e4 + 10 * d; break;
		case F_STEP_DOWN: y = i < 450 ? 1e4 * (1.5 + d) : 0; break;
		case F_SPIKES: y = 100 + 30 * d + (i % 97 == 13 ? 1e6 : 0) + (i % 250 == 7 ? 1e300 : 0); break;
		case F_GAPS: y = (i > 100 && i < 100 + 288 * 2) || (i > 1000 && i < 1300) ? NAN :
		                 200 + 80 * d + 5 * gauss(); break;
		case F_MOSTLY_GAPS: y = i % 150 == 0 || i == n - 1 ? 50 + (double)(i % 7) : NAN; break;
		case F_WALK: y = i ? s.y[i - 1] + 10 * gauss() : 500; break;
		case F_SEASONAL: y = 300 + 200 * d + 20 * gauss(); break;
		case F_WEEKLY: y = 100 + 50 * d + ((i / 24) % 7 >= 5 ? -40 : 0) + 3 * gauss(); break;
		case F_ZERO_THEN_HUGE: y = i < 500 ? 0 : 1e300; break;
		default: y = 1; break;
		}
		s.y[i] = f == F_WALK ? fabs(y) : y;
	}
	fix_ends(&s);
	return s;
}

/* A random series: a length, a step, a scale anywhere from 1e-300 to 1e300,
 * and a mix of cycle, noise, random walk, steps, spikes, zero runs and gaps. */
static pcs_series
random_series(char *name, size_t size)
{
	static const size_t lens[] = { 1, 2, 3, 5, 20, 60, 150, 300, 450, 700 };
	static const int64_t steps[] = { 60, 300, 3600 };
	size_t n = lens[pick(sizeof lens / sizeof *lens)];
	int64_t step = steps[pick(3)];
	double scale = unif() < 0.3 ? pow(10, -300 + 600 * unif()) : pow(10, 4 * unif());
	double amp = unif(), noise = unif() < 0.3 ? 0 : 0.3 * unif(), walk = unif() < 0.7 ? 0 : 0.1;
	double p_step = unif() < 0.5 ? 0 : 0.01, p_spike = unif() < 0.5 ? 0 : 0.02;
	double p_zero = unif() < 0.6 ? 0 : 0.05, p_gap = unif() < 0.5 ? 0 : 0.03;
	double level = 1, w = 0;
	int in_zero = 0, in_gap = 0;
	pcs_series s = alloc_series(n, step);

	snprintf(name, size, "random n=%zu step=%lld scale=%.3g amp=%.2f noise=%.2f walk=%.1f "
	         "steps=%g spikes=%g zeros=%g gaps=%g", n, (long long)step, scale, amp, noise, walk,
	         p_step, p_spike, p_zero, p_gap);
	for (size_t i = 0; i < n; i++) {
		double y;
		if (unif() < p_step)
			level *= unif() < 0.5 ? 0.01 + unif() : 1 + 100 * unif();
		w += walk * gauss();
		y = level * (1 + amp * daily(i, step) + noise * gauss() + w);
		if (unif() < p_spike)
			y *= unif() < 0.5 ? 1e3 : 1e-3;
		if (unif() < p_zero)
			in_zero = (int)(1 + 50 * unif());
		if (unif() < p_gap)
			in_gap = (int)(1 + (double)n * 0.2 * unif());
		y = in_zero > 0 ? 0 : fabs(y) * scale;
		if (in_gap > 0)
			y = NAN;
		in_zero--;
		in_gap--;
		s.y[i] = isfinite(y) || isnan(y) ? y : 1e300;
		if (s.y[i] > 1e302)
			s.y[i] = 1e302;
	}
	fix_ends(&s);
	return s;
}

/* ---- forecasts ---- */

static const size_t H[3] = { 1, 3, 12 };
static const double L[5] = { 0.025, 0.1, 0.5, 0.9, 0.99 };
#define NH 3
#define NL 5

static void
check_result(int p_extra, const struct pcs_forecast_result *r, const char *what)
{
	for (size_t j = 0; j < NH; j++) {
		const double *q = r->quantiles + j * NL;
		check(p_extra >= 0 ? p_extra : P_FC_MEAN, finite_nonneg(r->mean[j]),
		      "%s: mean[%zu] = %g", what, j, r->mean[j]);
		for (size_t k = 0; k < NL; k++) {
			check(p_extra >= 0 ? p_extra : P_FC_QUANT, finite_nonneg(q[k]),
			      "%s: h=%zu p%g = %g", what, H[j], L[k] * 100, q[k]);
			if (k > 0)
				check(p_extra >= 0 ? p_extra : P_FC_MONO, q[k] >= q[k - 1],
				      "%s: h=%zu p%g = %.17g < p%g = %.17g", what, H[j], L[k] * 100, q[k],
				      L[k - 1] * 100, q[k - 1]);
		}
	}
	check(p_extra >= 0 ? p_extra : P_FC_ANOM, unit_interval(r->anomaly_score),
	      "%s: anomaly_score %g", what, r->anomaly_score);
	check(p_extra >= 0 ? p_extra : P_FC_MODEL, r->model >= PCS_MODEL_NAIVE && r->model <= PCS_MODEL_ENSEMBLE,
	      "%s: model %d", what, r->model);
}

/* The qdist of one forecast row, and risk for a capacity table. */
static void
check_qdist(const double *q, double top)
{
	pcs_qdist d;
	double prev_cdf = -1, prev_q = -1, prev_ex = INFINITY;

	if (pcs_qdist_init(&d, L, q, NL, 0) != 0) {
		check(P_QDIST, 0, "qdist_init refused finite quantiles");
		return;
	}
	for (int k = -2; k <= 24; k++) {
		double x = k < 0 ? -1 : (double)k / 20 * (top > 0 ? top * 1.5 : 1);
		double c = pcs_qdist_cdf(&d, x), sf = pcs_qdist_sf(&d, x), ex = pcs_qdist_excess(&d, x);
		check(P_QDIST, unit_interval(c) && unit_interval(sf) && c >= prev_cdf,
		      "x=%g cdf %g (before %g) sf %g", x, c, prev_cdf, sf);
		check(P_QDIST, finite_nonneg(ex) && ex <= prev_ex * (1 + 1e-12),
		      "x=%g excess %g after %g", x, ex, prev_ex);
		prev_cdf = c;
		prev_ex = ex;
	}
	for (int k = 1; k < 100; k += 7) {
		double v = pcs_qdist_quantile(&d, k / 100.0);
		check(P_QDIST, finite_nonneg(v) && v >= prev_q, "p=%g quantile %g after %g", k / 100.0, v, prev_q);
		prev_q = v;
	}
}

static pcs_capacity *
capacity_table(void)
{
	pcs_capacity *c = pcs_capacity_new();
	pcs_error err;

	pcs_capacity_add(c, "a", "g", "", 100, 50, 0.5, 1, &err);
	pcs_capacity_add(c, "b", "g", "", 0, 0, 0, 2, &err);
	pcs_capacity_add(c, "c", "g", "", 1e300, 1e300, 0.9, 3, &err);
	pcs_capacity_add(c, "d", "g", "", 1e-300, 1e-300, 0, 4, &err);
	pcs_capacity_add(c, "e", "g", "", 500, 0, 1, 5, &err);
	/* no load anywhere: capacity shares; no capacity either: equal */
	pcs_capacity_add(c, "a", "h", "", 10, 0, 0, 6, &err);
	pcs_capacity_add(c, "b", "h", "", 0, 0, 0, 7, &err);
	pcs_capacity_add(c, "a", "z", "", 0, 0, 0, 8, &err);
	pcs_capacity_add(c, "b", "z", "", 0, 0, 0, 9, &err);
	pcs_capacity_finish(c, 1, 0.8);
	return c;
}

static pcs_topology *
topology(void)
{
	pcs_topology *t = pcs_topology_new();
	pcs_error err;
	struct pcs_topo r = { 0 };

	r.group = "g";
	r.service = "s";
	r.boot_s = 120;
	r.warm_s = 20;
	r.cost_per_hour = 1;
	r.warm_cost_frac = 0.1;
	r.instance_rps = 50, r.pop = "a", r.primary = 1, r.instances = 4, r.max_instances = 20;
	pcs_topology_add(t, &r, &err);
	r.instance_rps = 1e298, r.pop = "c", r.instances = 1, r.max_instances = 3;
	pcs_topology_add(t, &r, &err);
	r.primary = 0, r.rtt_ms = 5, r.instance_rps = 50, r.pop = "x", r.instances = 2, r.max_instances = 12;
	pcs_topology_add(t, &r, &err);
	r.rtt_ms = 9, r.instance_rps = 1e-3, r.pop = "y", r.instances = 0, r.max_instances = 100000;
	pcs_topology_add(t, &r, &err);
	r.rtt_ms = 1, r.instance_rps = 10, r.pop = "z", r.instances = 3, r.max_instances = 3;
	pcs_topology_add(t, &r, &err);
	pcs_topology_finish(t, &err);
	return t;
}

static long
room_of(const struct pcs_topo *t)
{
	return t->max_instances - t->instances;
}

static void
check_risk_rows(const struct pcs_risk_row *rows, size_t n, const struct pcs_risk_config *cfg)
{
	for (size_t i = 0; i < n; i++) {
		const struct pcs_risk_row *r = &rows[i];
		double most = 0;
		for (size_t k = 0; k < n; k++)
			if (rows[k].pop == r->pop && rows[k].p_exceed > most)
				most = rows[k].p_exceed;
		check(P_RISK, unit_interval(r->p_exceed) && unit_interval(r->risk) && r->risk == most,
		      "%s h=%lld: p_exceed %g risk %g (largest %g)", r->pop->pop, (long long)r->horizon_s,
		      r->p_exceed, r->risk, most);
		check(P_RISK, finite_nonneg(r->demand_p50) && finite_nonneg(r->demand_p99) &&
		      r->demand_p50 <= r->demand_p99 && finite_nonneg(r->capacity_rps) &&
		      isfinite(r->headroom_rps) && finite_nonneg(r->shortfall_rps),
		      "%s h=%lld: p50 %g p99 %g capacity %g headroom %g shortfall %g", r->pop->pop,
		      (long long)r->horizon_s, r->demand_p50, r->demand_p99, r->capacity_rps,
		      r->headroom_rps, r->shortfall_rps);
		check(P_RISK, r->level == pcs_risk_level_of(r->risk, cfg->cut), "%s: level %d for risk %g",
		      r->pop->pop, r->level, r->risk);
	}
}

/* Risk of group g from a forecast, then one planning run at `now`. */
static void
risk_and_plan(pcs_capacity *cap, const struct pcs_forecast_result *r, pcs_planner *pl,
              const pcs_topology *t, int64_t now)
{
	struct pcs_demand d[NH];
	struct pcs_risk_config cfg;
	struct pcs_risk_row *rows = NULL;
	size_t n = 0, nd = 0;
	pcs_error err;
	static const char *const groups[3] = { "g", "h", "z" };

	pcs_risk_defaults(&cfg);
	cfg.current = 1;
	for (size_t j = 0; j < NH; j++) {
		d[nd].region = "*";
		d[nd].horizon_s = (int64_t)H[j] * 300;
		d[nd].target = now + d[nd].horizon_s;
		d[nd].line = (long)j + 2;
		if (pcs_qdist_init(&d[nd].dist, L, r->quantiles + j * NL, NL, 0) == 0)
			nd++;
	}
	for (int gi = 0; gi < 3; gi++) {
		int rc = pcs_risk_group(cap, groups[gi], d, nd, &cfg, &rows, &n, &err);
		check(P_RISK, rc == 0, "risk of group %s: %s", groups[gi], err.msg);
		if (rc != 0)
			continue;
		check_risk_rows(rows, n, &cfg);
		if (gi == 0 && pl != NULL && t != NULL) {
			/* the primaries a and c of the topology */
			struct pcs_risk_horizon hz[2][NH + 1];
			struct pcs_risk_obs obs[2];
			size_t no = 0, nacts;
			const struct pcs_action *acts;
			for (size_t i = 0; i < n; i++) {
				const char *pop = rows[i].pop->pop;
				size_t k;
				if (strcmp(pop, "a") != 0 && strcmp(pop, "c") != 0)
					continue;
				for (k = 0; k < no && strcmp(obs[k].pop, pop) != 0; k++)
					;
				if (k == no) {
					obs[no] = (struct pcs_risk_obs){ "g", pop, rows[i].risk, hz[no], 0 };
					no++;
				}
				if (obs[k].nh < NH + 1)
					hz[k][obs[k].nh++] = (struct pcs_risk_horizon){
						rows[i].horizon_s, rows[i].demand_p50, rows[i].demand_p99,
						rows[i].capacity_rps, rows[i].shortfall_rps, rows[i].p_exceed };
			}
			if (pcs_planner_step(pl, now, obs, no, &acts, &nacts, &err) != 0) {
				check(P_PLAN, 0, "planner step: %s", err.msg);
			} else {
				long warm[5], active[5];
				struct pcs_shadow_cost c;
				for (size_t k = 0; k < nacts; k++) {
					const struct pcs_action *a = &acts[k];
					check(P_PLAN, a->instances >= 0 && a->instances <= room_of(a->secondary) +
					      (a->secondary->primary ? a->secondary->max_instances : 0) &&
					      ((a->action != PCS_ACT_CREATE_WARM && a->action != PCS_ACT_SCALE_UP) ||
					       a->instances >= 1),
					      "%s on %s: %ld instances", pcs_shadow_action_name(a->action),
					      a->secondary->pop, a->instances);
				}
				pcs_planner_usage(pl, warm, active);
				for (size_t i = 0; i < pcs_topology_count(t); i++) {
					const struct pcs_topo *row = pcs_topology_get(t, i);
					check(P_PLAN, warm[i] >= 0 && active[i] >= 0 &&
					      warm[i] + active[i] <= (row->primary ? 0 : room_of(row)),
					      "%s holds %ld warm + %ld active of room %ld", row->pop, warm[i],
					      active[i], room_of(row));
				}
				pcs_planner_cost(pl, &c);
				check(P_PLAN, finite_nonneg(c.warm_run) && finite_nonneg(c.active_run) &&
				      finite_nonneg(c.warm_total) && finite_nonneg(c.active_total),
				      "costs %g %g %g %g", c.warm_run, c.active_run, c.warm_total, c.active_total);
			}
		}
		free(rows);
	}
}

static void
check_sketch(const struct pcs_fitted *fm)
{
	const struct pcs_ets_params *p = &fm->params;

	if (fm->config.kind == PCS_MODEL_ETS)
		check(P_EXPORT, unit_interval(p->alpha) && unit_interval(p->beta) && unit_interval(p->phi) &&
		      unit_interval(p->gamma1) && unit_interval(p->gamma2) && unit_interval(p->rho),
		      "ets parameters %g %g %g %g %g %g", p->alpha, p->beta, p->phi, p->gamma1, p->gamma2,
		      p->rho);
	for (size_t i = 0; i < fm->ncal; i++)
		for (size_t k = 0; k < PCS_SKETCH_NLEVELS; k++) {
			double v = fm->sketch[i * PCS_SKETCH_NLEVELS + k];
			check(P_EXPORT, isfinite(v) && (k == 0 || v >= fm->sketch[i * PCS_SKETCH_NLEVELS + k - 1]),
			      "sketch h=%zu level %g: %g", fm->cal_h[i], pcs_sketch_levels[k], v);
		}
}

/* A fixed configuration: fit, every quantile method, online updates,
 * export and read back. */
static void
try_config(const pcs_series *s, const struct pcs_fconfig *fc, int online)
{
	struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, H, NH, L, NL, fc, 0, NULL, NULL };
	struct pcs_forecast_result r;
	pcs_forecaster *f, *g;
	struct pcs_fitted fm;
	struct pcs_model_spec spec;
	char name[96], what[200];
	pcs_error err;

	pcs_fconfig_format(fc, name, sizeof name);
	f = pcs_forecaster_new(s, &cfg, &err);
	if (f == NULL) {
		/* the documented refusal: a cycle the history cannot hold, or logs
		 * of a series that is not positive */
		int can_hold = pcs_fconfig_spec(fc, s->step, pcs_forecast_train_end(s->n, H[NH - 1]), &spec) == 0;
		check(P_FC_OK, err.code == PCS_EDATA && (!can_hold || fc->transform == PCS_TRANSFORM_LOG ||
		      fc->seasons != PCS_SEASONS_AUTO), "%s refused with code %d: %s", name, err.code, err.msg);
		return;
	}
	check(P_FC_OK, 1, "");
	for (int qm = PCS_QM_CONFORMAL; qm <= PCS_QM_NORMAL; qm++) {
		pcs_forecaster_set_qmethod(f, qm);
		if (pcs_forecaster_predict(f, &r, &err) != 0) {
			check(P_FC_OK, 0, "%s: predict: %s", name, err.msg);
			continue;
		}
		snprintf(what, sizeof what, "%s (%s)", name, pcs_qmethod_name(qm));
		check_result(-1, &r, what);
		pcs_forecast_result_free(&r);
	}
	pcs_forecaster_set_qmethod(f, fc->qmethod);
	if (pcs_forecaster_export(f, &fm, &err) == 0) {
		check_sketch(&fm);
		fm.step = s->step;
		g = pcs_forecaster_from_fitted(s, &fm, &cfg, &err);
		check(P_EXPORT, g != NULL, "%s: read back: %s", name, err.msg);
		if (g != NULL && pcs_forecaster_predict(g, &r, &err) == 0) {
			snprintf(what, sizeof what, "%s read back", name);
			check_result(P_EXPORT, &r, what);
			pcs_forecast_result_free(&r);
		}
		pcs_forecaster_free(g);
		pcs_fitted_free(&fm);
	} else {
		check(P_EXPORT, 0, "%s: export: %s", name, err.msg);
	}
	if (online) {
		static const double feed[] = { NAN, 0, 1e300, 1e-300, NAN, NAN, 5, 0, 0, 1e300, 7, 1e300 };
		for (size_t i = 0; i < sizeof feed / sizeof *feed; i++) {
			double sc = pcs_forecaster_observe(f, feed[i]);
			check(P_ONLINE, unit_interval(sc), "%s: observe(%g) scores %g", name, feed[i], sc);
			if (pcs_forecaster_predict(f, &r, &err) == 0) {
				snprintf(what, sizeof what, "%s after observing %g", name, feed[i]);
				check_result(P_ONLINE, &r, what);
				pcs_forecast_result_free(&r);
			}
		}
	}
	pcs_forecaster_free(f);
}

static void
grid(const pcs_series *s, int full)
{
	for (int kind = 0; kind < 2; kind++)
		for (int seasons = PCS_SEASONS_AUTO; seasons <= PCS_SEASONS_BOTH; seasons++)
			for (int trend = PCS_TREND_DAMPED; trend <= (kind ? PCS_TREND_NONE : PCS_TREND_DAMPED); trend++)
				for (int tr = PCS_TRANSFORM_NONE; tr <= PCS_TRANSFORM_LOG; tr++) {
					struct pcs_fconfig fc = { kind ? PCS_MODEL_ETS : PCS_MODEL_SNAIVE, seasons,
					                          trend, tr, PCS_QM_CONFORMAL, 0 };
					if (!full && unif() > 0.08)
						continue;
					if (unif() < 0.2)
						fc.window = 50 + pick(500);
					try_config(s, &fc, unif() < 0.3);
				}
}

static void
check_score(const pcs_series *s)
{
	double *ex = malloc(s->n * sizeof *ex), *sc = malloc(s->n * sizeof *sc);
	int *dir = malloc(s->n * sizeof *dir);

	if (pcs_detect_series(s, NULL, ex, sc, dir) != 0) {
		check(P_SCORE, 0, "detect_series: out of memory");
	} else {
		for (size_t t = 0; t < s->n; t++) {
			if (isnan(s->y[t]))
				check(P_SCORE, isnan(sc[t]) && dir[t] == PCS_DIR_NONE, "gap %zu: score %g", t, sc[t]);
			else   /* both empty where there is no expectation yet (pcs-forecast(1)) */
				check(P_SCORE, ((isnan(ex[t]) && isnan(sc[t])) || (isfinite(ex[t]) && unit_interval(sc[t]))) &&
				      dir[t] >= PCS_DIR_DOWN && dir[t] <= PCS_DIR_UP,
				      "slot %zu (y %g): score %g expected %g", t, s->y[t], sc[t], ex[t]);
		}
	}
	free(ex);
	free(sc);
	free(dir);
}

static void
check_backtest(const pcs_series *s)
{
	size_t hh[2] = { 1, 4 };
	double lv[3] = { 0.1, 0.5, 0.9 };
	struct pcs_backtest_spec spec = { hh, 2, lv, 3, 20, 0 };
	struct pcs_backtest_layout lay;
	struct pcs_fconfig fc[4] = {
		{ PCS_MODEL_SNAIVE, PCS_SEASONS_AUTO, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE, PCS_QM_CONFORMAL, 0 },
		{ PCS_MODEL_SNAIVE, PCS_SEASONS_NONE, PCS_TREND_DAMPED, PCS_TRANSFORM_LOG, PCS_QM_FLAT, 0 },
		{ PCS_MODEL_ETS, PCS_SEASONS_AUTO, PCS_TREND_DAMPED, PCS_TRANSFORM_NONE, PCS_QM_NORMAL, 0 },
		{ PCS_MODEL_ETS, PCS_SEASONS_NONE, PCS_TREND_LINEAR, PCS_TRANSFORM_LOG, PCS_QM_CONFORMAL, 0 },
	};
	struct pcs_backtest_run run[4];
	pcs_error err;

	if (pcs_backtest_layout(s, &spec, &lay, &err) != 0) {
		check(P_BACKTEST, err.code == PCS_EDATA, "layout: %s", err.msg);
		return;
	}
	check(P_BACKTEST, isfinite(lay.scale) && lay.scale > 0, "MASE scale %g", lay.scale);
	if (pcs_backtest(s, &spec, &lay, fc, 4, run, &err) != 0) {
		check(P_BACKTEST, 0, "backtest: %s", err.msg);
		return;
	}
	for (int k = 0; k < 4; k++) {
		const struct pcs_scores *sc = &run[k].scores;
		if (run[k].valid && sc->n > 0)
			check(P_BACKTEST, finite_nonneg(sc->mase) && finite_nonneg(sc->smape) &&
			      sc->smape <= 200 * (1 + 1e-12) && finite_nonneg(sc->pinball) && finite_nonneg(sc->msis) &&
			      unit_interval(sc->coverage),
			      "config %d: mase %g smape %g pinball %g msis %g coverage %g over %zu", k, sc->mase,
			      sc->smape, sc->pinball, sc->msis, sc->coverage, sc->n);
		pcs_backtest_run_free(&run[k]);
	}
}

/* Everything but the replay, for one series. */
static void
series_case(const pcs_series *s, int full)
{
	struct pcs_forecast_config cfg = { PCS_MODEL_AUTO, H, NH, L, NL, NULL, 0, NULL, NULL };
	/* the kinds pcs-forecast --model takes; naive and ets-mul are what
	 * auto and ets fall back to or choose, not kinds to ask for */
	static const int kinds[8] = { PCS_MODEL_AUTO, PCS_MODEL_SNAIVE, PCS_MODEL_ETS, PCS_MODEL_MSTL,
	                              PCS_MODEL_REG, PCS_MODEL_ENSEMBLE, PCS_MODEL_NAIVE,
	                              PCS_MODEL_ETS_MUL };
	struct pcs_forecast_result r;
	pcs_error err;

	for (int k = 0; k < 8; k++) {
		int rc;
		cfg.model = kinds[k];
		rc = pcs_forecast_series(s, &cfg, &r, &err);
		if (k >= 6) {
			check(P_FC_OK, rc == PCS_EDATA, "model %s asked for: %d", pcs_model_name(kinds[k]), rc);
			if (rc == 0)
				pcs_forecast_result_free(&r);
			continue;
		}
		check(P_FC_OK, rc == 0, "model %d: %s", kinds[k], rc ? err.msg : "");
		if (rc != 0)
			continue;
		check_result(-1, &r, kinds[k] == PCS_MODEL_AUTO ? "auto" : pcs_model_name(kinds[k]));
		if (k == 0) {
			pcs_capacity *cap = capacity_table();
			for (size_t j = 0; j < NH; j++)
				check_qdist(r.quantiles + j * NL, r.quantiles[j * NL + NL - 1]);
			risk_and_plan(cap, &r, NULL, NULL, s->start + (int64_t)s->n * s->step);
			pcs_capacity_free(cap);
		}
		pcs_forecast_result_free(&r);
	}
	grid(s, full);
	check_score(s);
	check_backtest(s);

	/* live: fit on the history less its last 20 slots, then observe, predict,
	 * risk and plan one slot at a time */
	if (s->n > 40) {
		pcs_series head = *s;
		pcs_forecaster *f;
		pcs_topology *t = topology();
		struct pcs_shadow_params sp;
		pcs_planner *pl;
		pcs_capacity *cap = capacity_table();
		head.n -= 20;
		while (isnan(head.y[head.n - 1]))
			head.n--;
		cfg.model = PCS_MODEL_AUTO;
		pcs_shadow_defaults(&sp);
		pl = pcs_planner_new(t, &sp);
		if ((f = pcs_forecaster_new(&head, &cfg, &err)) == NULL) {
			check(P_FC_OK, 0, "forecaster on the head: %s", err.msg);
		} else {
			for (size_t i = head.n; i < s->n; i++) {
				double sc = pcs_forecaster_observe(f, s->y[i]);
				check(P_ONLINE, unit_interval(sc), "observe slot %zu: %g", i, sc);
				if (pcs_forecaster_predict(f, &r, &err) != 0)
					continue;
				check_result(P_ONLINE, &r, "live");
				risk_and_plan(cap, &r, pl, t, s->start + (int64_t)i * s->step);
				pcs_forecast_result_free(&r);
			}
		}
		pcs_forecaster_free(f);
		pcs_planner_free(pl);
		pcs_capacity_free(cap);
		pcs_topology_free(t);
	}
}

/* ---- the replay ---- */

struct sim_ctx {
	int64_t ts;
	int policy;
	double share_sum;
	int open;
};

static int
on_tick(void *ctx, const struct pcs_sim_tick *t)
{
	struct sim_ctx *c = ctx;
	double eps = 1e-9 * (t->routed + 1);

	check(P_SIM_TICK, finite_nonneg(t->demand) && finite_nonneg(t->routed) &&
	      finite_nonneg(t->capacity) && finite_nonneg(t->served) && finite_nonneg(t->dropped) &&
	      unit_interval(t->share) && t->served <= t->capacity * (1 + 1e-9) + 1e-9 &&
	      t->served <= t->routed + eps && fabs(t->routed - t->served - t->dropped) <= eps &&
	      t->instances >= 0 && t->ready >= 0 && t->ready <= t->instances && t->warm >= 0,
	      "%s %s at %lld: demand %g routed %g capacity %g served %g dropped %g share %g "
	      "instances %ld ready %ld warm %ld", pcs_policy_name(t->policy), t->pop, (long long)t->ts,
	      t->demand, t->routed, t->capacity, t->served, t->dropped, t->share, t->instances, t->ready,
	      t->warm);
	if (c->open && (t->ts != c->ts || t->policy != c->policy))
		check(P_SIM_SHARES, c->share_sum == 0 || fabs(c->share_sum - 1) <= 1e-9,
		      "%s at %lld: shares sum to %.17g", pcs_policy_name(c->policy), (long long)c->ts,
		      c->share_sum);
	if (!c->open || t->ts != c->ts || t->policy != c->policy)
		c->share_sum = 0;
	c->open = 1;
	c->ts = t->ts;
	c->policy = t->policy;
	c->share_sum += t->share;
	return 0;
}

static void
sim_case(const pcs_series *s)
{
	pcs_topology *t = pcs_topology_new();
	struct pcs_topo r = { 0 };
	struct pcs_sim_params p;
	struct pcs_sim_summary sum[PCS_NPOLICIES];
	int pol[PCS_NPOLICIES] = { PCS_POLICY_STATIC, PCS_POLICY_REACTIVE, PCS_POLICY_PREDICTIVE_SCALE,
	                           PCS_POLICY_PREDICTIVE, PCS_POLICY_ORACLE };
	size_t hz[2] = { 1, 3 };
	double lv[2] = { 0.5, 0.99 }, most = 0;
	struct sim_ctx ctx = { 0, 0, 0, 0 };
	struct pcs_sim_output out = { &ctx, on_tick, NULL };
	pcs_sim *sim;
	pcs_error err;
	int rc;

	r.group = "g", r.service = "s", r.boot_s = 120, r.warm_s = 20, r.cost_per_hour = 1;
	r.warm_cost_frac = 0.1;
	r.instance_rps = 50, r.pop = "p", r.primary = 1, r.instances = 4, r.max_instances = 40;
	pcs_topology_add(t, &r, &err);
	r.pop = "q", r.instances = 2, r.max_instances = 10;
	pcs_topology_add(t, &r, &err);
	r.pop = "s", r.primary = 0, r.instances = 1, r.max_instances = 20, r.rtt_ms = 10;
	pcs_topology_add(t, &r, &err);
	pcs_topology_finish(t, &err);
	pcs_sim_defaults(&p);
	p.horizons = hz;
	p.nhorizons = 2;
	p.levels = lv;
	p.nlevels = 2;
	p.refit = 6 * 3600;
	sim = pcs_sim_new(t, &p, pol, PCS_NPOLICIES, &err);
	rc = pcs_sim_group(sim, "g", s, &out, &err);
	if (ctx.open)
		check(P_SIM_SHARES, ctx.share_sum == 0 || fabs(ctx.share_sum - 1) <= 1e-9,
		      "%s at %lld: shares sum to %.17g", pcs_policy_name(ctx.policy), (long long)ctx.ts,
		      ctx.share_sum);
	if (rc != 0) {
		/* the documented refusal: no tick left after the warm-up */
		check(P_SIM_SUMMARY, rc == PCS_EDATA && strstr(err.msg, "warm-up") != NULL,
		      "replay: %s", err.msg);
	} else {
		pcs_sim_summaries(sim, sum);
		for (int k = 0; k < PCS_NPOLICIES; k++) {
			const struct pcs_sim_summary *m = &sum[k];
			check(P_SIM_SUMMARY, finite_nonneg(m->offered) && finite_nonneg(m->dropped) &&
			      m->dropped <= m->offered * (1 + 1e-9) && m->dropped_pct >= 0 &&
			      m->dropped_pct <= 100 + 1e-9 && finite_nonneg(m->slo_minutes) &&
			      finite_nonneg(m->instance_hours) && finite_nonneg(m->warm_hours) &&
			      finite_nonneg(m->cost) && finite_nonneg(m->theta_u) && finite_nonneg(m->theta_o) &&
			      m->tau_u >= 0 && m->tau_u <= 100 + 1e-9 && m->tau_o >= 0 && m->tau_o <= 100 + 1e-9 &&
			      m->instability >= 0 && m->instability <= 100 + 1e-9 && unit_interval(m->churn) &&
			      (isnan(m->lead_time_s) || isfinite(m->lead_time_s)) &&
			      finite_nonneg(m->latency_ms) && m->surges_led <= m->surges,
			      "%s: offered %g dropped %g (%g%%) slo %g ih %g wh %g cost %g theta %g %g tau %g %g "
			      "instability %g churn %g lead %g latency %g", pcs_policy_name(m->policy),
			      m->offered, m->dropped, m->dropped_pct, m->slo_minutes, m->instance_hours,
			      m->warm_hours, m->cost, m->theta_u, m->theta_o, m->tau_u, m->tau_o,
			      m->instability, m->churn, m->lead_time_s, m->latency_ms);
		}
		/* the fleet carries 40 + 10 primaries and 19 secondaries of 50 rps;
		 * below 1e-9 of an instance a demand is rounding (the oracle's
		 * tolerance), so only demands in between are checked */
		for (size_t i = 0; i < s->n; i++)
			if (!isnan(s->y[i]) && s->y[i] > most)
				most = s->y[i];
		for (size_t i = 0; i < s->n; i++)
			if (!isnan(s->y[i]) && s->y[i] > 0 && s->y[i] < 1e-6)
				most = INFINITY;
		if (most <= 69 * 50)
			check(P_SIM_ORACLE, sum[4].dropped == 0, "the oracle dropped %g of %g", sum[4].dropped,
			      sum[4].offered);
	}
	pcs_sim_free(sim);
	pcs_topology_free(t);
}

/* ---- the planner's sizing, from needs of 1 to 1e300 rps ---- */

static void
plan_sizes(void)
{
	pcs_topology *t = topology();
	struct pcs_shadow_params sp;
	long prev = 0, all = 0;

	snprintf(case_name, sizeof case_name, "planner sizing");
	pcs_shadow_defaults(&sp);
	for (size_t i = 0; i < pcs_topology_count(t); i++)
		if (!pcs_topology_get(t, i)->primary)
			all += room_of(pcs_topology_get(t, i));
	for (int e = 0; e <= 300; e += 5) {
		pcs_planner *pl = pcs_planner_new(t, &sp);
		double need = pow(10, e);
		struct pcs_risk_horizon h = { 300, need, need, 100, need, 1 };
		struct pcs_risk_obs o = { "g", "a", 1, &h, 1 };
		const struct pcs_action *acts;
		size_t n;
		long warm = 0;
		pcs_error err;
		if (pcs_planner_step(pl, 1800000000, &o, 1, &acts, &n, &err) == 0)
			for (size_t k = 0; k < n; k++)
				if (acts[k].action == PCS_ACT_CREATE_WARM)
					warm += acts[k].instances;
		check(P_PLAN_SIZE, warm >= prev && warm <= all, "need 1e%d rps: %ld warm instances, "
		      "after %ld for a tenth of it (room %ld)", e, warm, prev, all);
		prev = warm;
		pcs_planner_free(pl);
	}
	check(P_PLAN_SIZE, prev == all, "need 1e300 rps: %ld warm instances of room %ld", prev, all);
	pcs_topology_free(t);
}

/* ---- the router over random extreme health ---- */

static double
extreme(double typical)
{
	switch (pick(6)) {
	case 0: return 0;
	case 1: return 1e-300;
	case 2: return 1e300;
	default: return typical * unif();
	}
}

static void
router_case(int seed_case)
{
	struct pcs_route_params p;
	static const char *const pops[] = { "a", "b", "c", "d", "e" };
	static const char *const groups[] = { "g1", "g2", "g3" };
	pcs_router *r;
	int64_t ts = 1800000000;
	pcs_error err;

	snprintf(case_name, sizeof case_name, "router case %d", seed_case);
	pcs_route_defaults(&p);
	if (seed_case % 2)
		p.peak_ewma = 1;
	if (seed_case % 3 == 1)
		p.max_step = 1;
	r = pcs_router_new(&p);
	for (int tick = 0; tick < 120; tick++) {
		const struct pcs_route_out *o;
		size_t n;
		int can[3] = { 0, 0, 0 };
		double cap_now[3][5];
		ts += 1 + (int64_t)pick(unif() < 0.1 ? 3600 : 60);
		for (int g = 0; g < 3; g++)
			for (int k = 0; k < 2 + g; k++) {
				struct pcs_health h = { groups[g], pops[k], ts, extreme(1000), extreme(1000),
				                        extreme(200), unif() < 0.7 ? 0 : unif() < 0.5 ? 1 : unif(),
				                        unif() < 0.5 ? -1 : extreme(1e4),
				                        unif() < 0.7 ? -1 : (int)pick(2) };
				cap_now[g][k] = -1;
				if (unif() < 0.1)
					continue;   /* silent this tick */
				cap_now[g][k] = h.capacity_rps;
				if (unif() < 0.05)
					pcs_router_set_shadow(r, groups[g], pops[k], (int)pick(3), &err);
				if (pcs_router_observe(r, &h, &err) != 0)
					check(P_ROUTE_SHARE, 0, "observe: %s", err.msg);
			}
		if (pcs_router_tick(r, ts, &o, &n, &err) != 0) {
			check(P_ROUTE_SHARE, 0, "tick: %s", err.msg);
			continue;
		}
		for (int g = 0; g < 3; g++) {
			double sum = 0, share[5];
			long w[5], wsum = 0;
			size_t m = 0;
			for (size_t i = 0; i < n; i++) {
				if (strcmp(o[i].group, groups[g]) != 0)
					continue;
				/* the slew sums shares to within 1e-12 of 1, so a lone
				 * share may be an ulp or two above 1 */
				check(P_ROUTE_SHARE, finite_nonneg(o[i].share) && o[i].share <= 1 + 1e-12 &&
				      isfinite(o[i].latency_ms) &&
				      isfinite(o[i].error_rate), "%s/%s: share %.17g latency %g errors %g",
				      o[i].group, o[i].pop, o[i].share, o[i].latency_ms, o[i].error_rate);
				sum += o[i].share;
				share[m++] = o[i].share;
				/* usable or half-open: reported capacity this tick, breaker not open */
				for (int k = 0; k < 2 + g; k++)
					if (strcmp(o[i].pop, pops[k]) == 0 && cap_now[g][k] > 0 &&
					    o[i].breaker != PCS_BREAKER_OPEN)
						can[g] = 1;
			}
			check(P_ROUTE_SUM, fabs(sum - 1) <= 1e-9 || (sum == 0 && !can[g]),
			      "tick %d %s: shares sum to %.17g (a POP could serve: %d)", tick, groups[g], sum,
			      can[g]);
			if (m == 0)
				continue;
			pcs_integer_weights(share, m, 1000, w);
			for (size_t i = 0; i < m; i++)
				wsum += w[i];
			check(P_ROUTE_WEIGHTS, wsum == (sum > 0 ? 1000 : 0), "%s: weights sum to %ld", groups[g], wsum);
			if (sum > 0) {
				pcs_alias *a = pcs_alias_new(share, m);
				uint64_t st = (uint64_t)tick;
				check(P_ROUTE_WEIGHTS, a != NULL, "alias of shares summing to %g", sum);
				for (int d = 0; a && d < 50; d++) {
					double u1 = pcs_uniform(&st), u2 = pcs_uniform(&st);
					size_t k = pcs_alias_draw(a, u1, u2);
					check(P_ROUTE_WEIGHTS, k < m && share[k] > 0, "drew %zu (share %g)", k,
					      k < m ? share[k] : -1);
				}
				pcs_alias_free(a);
			}
		}
	}
	{
		struct pcs_health h = { "g1", "a", ts - 1, 1, 1, 1, 0, -1, -1 };
		check(P_ROUTE_ORDER, pcs_router_observe(r, &h, &err) == PCS_EDATA,
		      "a sample 1 s before the last tick was taken");
	}
	pcs_router_free(r);
}

int
main(void)
{
	const char *env = getenv("PCS_PROPERTY_SEED"), *cases_env = getenv("PCS_PROPERTY_CASES");
	uint64_t seed = env && *env ? strtoull(env, NULL, 0) : 20261128;
	long ncases = cases_env && *cases_env ? strtol(cases_env, NULL, 10) : 40;
	int total = 0;

	printf("# seed %llu (PCS_PROPERTY_SEED), %ld random cases (PCS_PROPERTY_CASES)\n",
	       (unsigned long long)seed, ncases);
	rng = seed;
	for (int f = 0; f < NFAMS; f++) {
		pcs_series s = family(f);
		snprintf(case_name, sizeof case_name, "family %s", fam_name[f]);
		series_case(&s, 1);
		sim_case(&s);
		pcs_series_free(&s);
		total++;
	}
	for (long c = 0; c < ncases; c++) {
		pcs_series s = random_series(case_name, sizeof case_name);
		series_case(&s, 0);
		if (c % 4 == 0)
			sim_case(&s);
		pcs_series_free(&s);
		total++;
	}
	plan_sizes();
	for (int c = 0; c < 12; c++)
		router_case(c);
	printf("# %d series (%d families, %ld random), 12 router runs\n", total, NFAMS, ncases);
	for (int p = 0; p < NPROPS; p++)
		ok(prop_failed[p] == 0 && prop_checks[p] > 0, "%s (%ld checks, %ld failed)", prop_name[p],
		   prop_checks[p], prop_failed[p]);
	return tap_done();
}
